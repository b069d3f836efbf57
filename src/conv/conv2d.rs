//! 2-D convolution (TFLite's `CONV_2D`, a cross-correlation as in every framework):
//!
//! ```text
//! y[oy][ox][o] = b[o] + Σ_ky Σ_kx Σ_c x[oy·sh + ky − pt][ox·sw + kx − pl][c] · w[o][ky][kx][c]
//! ```
//!
//! Backward, with `g = ∂E/∂y` (every sum over the taps that fall inside the input):
//!
//! ```text
//! ∂E/∂b[o]           += Σ_oy Σ_ox g[oy][ox][o]
//! ∂E/∂w[o][ky][kx][c] += Σ_oy Σ_ox g[oy][ox][o] · x[oy·sh + ky − pt][ox·sw + kx − pl][c]
//! ∂E/∂x[iy][ix][c]    = Σ_(oy,ky: oy·sh+ky−pt = iy) Σ_(ox,kx: …) Σ_o g[oy][ox][o] · w[o][ky][kx][c]
//! ```
//!
//! The input gradient is written here in "scatter" form (each output sends its gradient
//! back to the cells it read); gathered per input cell it is a convolution of the
//! stride-dilated `g` with the flipped kernel (module doc; the tests check both forms
//! agree).

use super::shape::Window2d;
use crate::kernels::{axpy, dot};
use crate::scalar::Scalar;

/// Forward: writes `y` (every element). Order of additions, fixed: for each output
/// element `acc = b[o]`, then for `ky` ascending, `kx` ascending (taps in the padding are
/// skipped, not added as zeros) `acc = acc + dot(x[iy][ix], w[o][ky][kx])`, the channel
/// dot product in [`dot`]'s order (eight partial sums, a fixed reduction tree).
pub(crate) fn forward<
    T: Scalar,
    const H: usize,
    const W: usize,
    const C: usize,
    const KH: usize,
    const KW: usize,
    const O: usize,
    const OH: usize,
    const OW: usize,
>(
    x: &[[[T; C]; W]; H],
    w: &[[[[T; C]; KW]; KH]; O],
    b: &[T; O],
    win: &Window2d,
    y: &mut [[[T; O]; OW]; OH],
) {
    debug_assert_eq!((win.h.kernel, win.w.kernel), (KH, KW));
    // The taps are found once per pixel and kernel cell, and every output channel's sum
    // takes that cell's term in turn: each `acc[o]` still adds its terms in the order above
    // (the same bits), but the tap arithmetic is not repeated `O` times (measured: the
    // DS-CNN's 49×10×1 → 25×5×64 layer took 540 µs with the output channel outermost).
    for (oy, y_row) in y.iter_mut().enumerate() {
        for (ox, y_px) in y_row.iter_mut().enumerate() {
            let mut acc = *b;
            for ky in 0..KH {
                let Some(iy) = win.h.tap(oy, ky, H) else {
                    continue;
                };
                for kx in 0..KW {
                    let Some(ix) = win.w.tap(ox, kx, W) else {
                        continue;
                    };
                    let x_px = &x[iy][ix];
                    for (a, w_o) in acc.iter_mut().zip(w) {
                        *a = *a + dot(x_px, &w_o[ky][kx]);
                    }
                }
            }
            *y_px = acc;
        }
    }
}

/// `∂E/∂x`: overwrites `dx`. Order, fixed: `dx = 0`, then for `oy`, `ox`, `ky`, `kx`
/// ascending (taps inside the input), `o` ascending: `dx[iy][ix] += g[oy][ox][o] ·
/// w[o][ky][kx]` ([`axpy`], one channel vector at a time).
pub(crate) fn backward_input<
    T: Scalar,
    const H: usize,
    const W: usize,
    const C: usize,
    const KH: usize,
    const KW: usize,
    const O: usize,
    const OH: usize,
    const OW: usize,
>(
    w: &[[[[T; C]; KW]; KH]; O],
    win: &Window2d,
    g: &[[[T; O]; OW]; OH],
    dx: &mut [[[T; C]; W]; H],
) {
    *dx = [[[T::zero(); C]; W]; H];
    for (oy, g_row) in g.iter().enumerate() {
        for (ox, g_px) in g_row.iter().enumerate() {
            for ky in 0..KH {
                let Some(iy) = win.h.tap(oy, ky, H) else {
                    continue;
                };
                for kx in 0..KW {
                    let Some(ix) = win.w.tap(ox, kx, W) else {
                        continue;
                    };
                    for (w_o, &g_o) in w.iter().zip(g_px) {
                        axpy(&mut dx[iy][ix], g_o, &w_o[ky][kx]);
                    }
                }
            }
        }
    }
}

/// `∂E/∂w` and `∂E/∂b`: adds to `dw` and `db` (gradients accumulate over samples). Order,
/// fixed: for `oy`, `ox`, `o` ascending: `db[o] += g`, then for `ky`, `kx` ascending (taps
/// inside the input) `dw[o][ky][kx] += g · x[iy][ix]` ([`axpy`]).
pub(crate) fn backward_params<
    T: Scalar,
    const H: usize,
    const W: usize,
    const C: usize,
    const KH: usize,
    const KW: usize,
    const O: usize,
    const OH: usize,
    const OW: usize,
>(
    x: &[[[T; C]; W]; H],
    win: &Window2d,
    g: &[[[T; O]; OW]; OH],
    dw: &mut [[[[T; C]; KW]; KH]; O],
    db: &mut [T; O],
) {
    // taps found once per pixel and kernel cell; each gradient element still adds its
    // terms with `oy`, `ox` ascending (the same bits as the order documented above)
    for (oy, g_row) in g.iter().enumerate() {
        for (ox, g_px) in g_row.iter().enumerate() {
            for (db_o, &g_o) in db.iter_mut().zip(g_px) {
                *db_o = *db_o + g_o;
            }
            for ky in 0..KH {
                let Some(iy) = win.h.tap(oy, ky, H) else {
                    continue;
                };
                for kx in 0..KW {
                    let Some(ix) = win.w.tap(ox, kx, W) else {
                        continue;
                    };
                    let x_px = &x[iy][ix];
                    for (dw_o, &g_o) in dw.iter_mut().zip(g_px) {
                        axpy(&mut dw_o[ky][kx], g_o, x_px);
                    }
                }
            }
        }
    }
}
