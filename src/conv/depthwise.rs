//! Depthwise 2-D convolution (TFLite's `DEPTHWISE_CONV_2D`): each input channel `c` is
//! convolved with its own `M` kernels (the depth multiplier), giving output channels
//! `q = c·M + m`, `CM = C·M` of them. Weights in TFLite's layout `[1][KH][KW][C·M]`
//! (the leading 1 dropped):
//!
//! ```text
//! y[oy][ox][q] = b[q] + Σ_ky Σ_kx x[oy·sh + ky − pt][ox·sw + kx − pl][q / M] · w[ky][kx][q]
//! ∂E/∂b[q]         += Σ_oy Σ_ox g[oy][ox][q]
//! ∂E/∂w[ky][kx][q] += Σ_oy Σ_ox g[oy][ox][q] · x[oy·sh + ky − pt][ox·sw + kx − pl][q / M]
//! ∂E/∂x[iy][ix][c]  = Σ_(oy,ky: …) Σ_(ox,kx: …) Σ_m g[oy][ox][c·M + m] · w[ky][kx][c·M + m]
//! ```
//!
//! Channels do not mix, so there is no dot product over channels: each tap is an
//! element-wise multiply-add over the `CM` output channels.
//!
//! `CM` is a parameter of its own because stable Rust cannot write `C * M` in a type; the
//! kernels check `CM == C·M` when compiled (a `const` assertion per instantiation).

use super::shape::{Msg, Window2d};
use crate::scalar::Scalar;

/// The per-instantiation check that the output has `C·M` channels, naming the sizes.
pub(crate) const fn check_channels(c: usize, m: usize, cm: usize) {
    if m == 0 || c * m != cm {
        let msg = Msg::new()
            .str("DepthwiseConv2d: ")
            .num(c)
            .str(" input channels × depth multiplier ")
            .num(m)
            .str(" give ")
            .num(c * m)
            .str(" output channels, but the output is declared with ")
            .num(cm);
        panic!("{}", msg.as_str());
    }
}

/// Forward: writes `y`. For each output pixel `acc = b`, then for `ky`, `kx` ascending
/// (taps in the padding skipped), for each `q`: `acc[q] = acc[q] + x[iy][ix][q/M] · w[ky][kx][q]`.
pub(crate) fn forward<
    T: Scalar,
    const H: usize,
    const W: usize,
    const C: usize,
    const M: usize,
    const CM: usize,
    const KH: usize,
    const KW: usize,
    const OH: usize,
    const OW: usize,
>(
    x: &[[[T; C]; W]; H],
    w: &[[[T; CM]; KW]; KH],
    b: &[T; CM],
    win: &Window2d,
    y: &mut [[[T; CM]; OW]; OH],
) {
    const { check_channels(C, M, CM) };
    debug_assert_eq!((win.h.kernel, win.w.kernel), (KH, KW));
    for (oy, y_row) in y.iter_mut().enumerate() {
        for (ox, y_px) in y_row.iter_mut().enumerate() {
            let mut acc = *b;
            for (ky, w_row) in w.iter().enumerate() {
                let Some(iy) = win.h.tap(oy, ky, H) else {
                    continue;
                };
                for (kx, w_tap) in w_row.iter().enumerate() {
                    let Some(ix) = win.w.tap(ox, kx, W) else {
                        continue;
                    };
                    let x_px = &x[iy][ix];
                    if M == 1 {
                        // one output per channel: a plain loop the compiler vectorises
                        // (the chunks of one below it left scalar: the DS-CNN block's
                        // 25×5×64 depthwise layer took 93 µs, half the block); same order
                        for ((a, &w_q), &x_c) in acc.iter_mut().zip(w_tap).zip(x_px) {
                            *a = *a + x_c * w_q;
                        }
                        continue;
                    }
                    // `q = c·M + m`: channel `c`'s `M` outputs in a row, no `q / M`
                    // index (nor its bounds check) in the inner loop; same order
                    let acc_c = acc.chunks_exact_mut(M).zip(w_tap.chunks_exact(M));
                    for ((a_c, w_c), &x_c) in acc_c.zip(x_px) {
                        for (a, &w_q) in a_c.iter_mut().zip(w_c) {
                            *a = *a + x_c * w_q;
                        }
                    }
                }
            }
            *y_px = acc;
        }
    }
}

/// `∂E/∂x`: overwrites `dx`. `dx = 0`, then for `oy`, `ox`, `ky`, `kx` ascending (taps
/// inside the input), `q` ascending: `dx[iy][ix][q/M] += g[oy][ox][q] · w[ky][kx][q]`.
pub(crate) fn backward_input<
    T: Scalar,
    const H: usize,
    const W: usize,
    const C: usize,
    const M: usize,
    const CM: usize,
    const KH: usize,
    const KW: usize,
    const OH: usize,
    const OW: usize,
>(
    w: &[[[T; CM]; KW]; KH],
    win: &Window2d,
    g: &[[[T; CM]; OW]; OH],
    dx: &mut [[[T; C]; W]; H],
) {
    const { check_channels(C, M, CM) };
    *dx = [[[T::zero(); C]; W]; H];
    for (oy, g_row) in g.iter().enumerate() {
        for (ox, g_px) in g_row.iter().enumerate() {
            for (ky, w_row) in w.iter().enumerate() {
                let Some(iy) = win.h.tap(oy, ky, H) else {
                    continue;
                };
                for (kx, w_tap) in w_row.iter().enumerate() {
                    let Some(ix) = win.w.tap(ox, kx, W) else {
                        continue;
                    };
                    if M == 1 {
                        // vectorised, as in `forward`; same order
                        let g_w = g_px.iter().zip(w_tap);
                        for (d, (&g_q, &w_q)) in dx[iy][ix].iter_mut().zip(g_w) {
                            *d = *d + g_q * w_q;
                        }
                        continue;
                    }
                    let g_w = g_px.chunks_exact(M).zip(w_tap.chunks_exact(M));
                    for (d, (g_c, w_c)) in dx[iy][ix].iter_mut().zip(g_w) {
                        for (&g_q, &w_q) in g_c.iter().zip(w_c) {
                            *d = *d + g_q * w_q;
                        }
                    }
                }
            }
        }
    }
}

/// `∂E/∂w`, `∂E/∂b`: adds to `dw`, `db`. For `oy`, `ox` ascending: `db[q] += g[q]` (all
/// `q`), then for `ky`, `kx` ascending (taps inside the input), all `q`:
/// `dw[ky][kx][q] += g[q] · x[iy][ix][q/M]`.
pub(crate) fn backward_params<
    T: Scalar,
    const H: usize,
    const W: usize,
    const C: usize,
    const M: usize,
    const CM: usize,
    const KH: usize,
    const KW: usize,
    const OH: usize,
    const OW: usize,
>(
    x: &[[[T; C]; W]; H],
    win: &Window2d,
    g: &[[[T; CM]; OW]; OH],
    dw: &mut [[[T; CM]; KW]; KH],
    db: &mut [T; CM],
) {
    const { check_channels(C, M, CM) };
    for (oy, g_row) in g.iter().enumerate() {
        for (ox, g_px) in g_row.iter().enumerate() {
            for (d, &g_q) in db.iter_mut().zip(g_px) {
                *d = *d + g_q;
            }
            for (ky, dw_row) in dw.iter_mut().enumerate() {
                let Some(iy) = win.h.tap(oy, ky, H) else {
                    continue;
                };
                for (kx, dw_tap) in dw_row.iter_mut().enumerate() {
                    let Some(ix) = win.w.tap(ox, kx, W) else {
                        continue;
                    };
                    let x_px = &x[iy][ix];
                    if M == 1 {
                        // vectorised, as in `forward`; same order
                        for ((d, &g_q), &x_c) in dw_tap.iter_mut().zip(g_px).zip(x_px) {
                            *d = *d + g_q * x_c;
                        }
                        continue;
                    }
                    let dw_g = dw_tap.chunks_exact_mut(M).zip(g_px.chunks_exact(M));
                    for ((d_c, g_c), &x_c) in dw_g.zip(x_px) {
                        for (d, &g_q) in d_c.iter_mut().zip(g_c) {
                            *d = *d + g_q * x_c;
                        }
                    }
                }
            }
        }
    }
}
