//! 1-D convolution over a signal of `L` steps × `C` channels (a [`conv2d`](super::conv2d)
//! of height 1, written out on its own so the weights keep their own shape `[O][K][C]`):
//!
//! ```text
//! y[ot][o] = b[o] + Σ_k Σ_c x[ot·s + k − p][c] · w[o][k][c]
//! ∂E/∂b[o]       += Σ_ot g[ot][o]
//! ∂E/∂w[o][k][c] += Σ_ot g[ot][o] · x[ot·s + k − p][c]
//! ∂E/∂x[t][c]     = Σ_(ot,k: ot·s+k−p = t) Σ_o g[ot][o] · w[o][k][c]
//! ```
//!
//! The orders of additions are [`conv2d`](super::conv2d)'s with the height axis removed,
//! so a `Conv1d` gives the same bits as the equivalent 1-row `Conv2d` (tested).

use super::shape::Axis;
use crate::kernels::{axpy, dot};
use crate::scalar::Scalar;

/// Forward: writes `y`. For each output `acc = b[o]`, then for `k` ascending (taps in the
/// padding skipped) `acc = acc + dot(x[t], w[o][k])`.
pub(crate) fn forward<
    T: Scalar,
    const L: usize,
    const C: usize,
    const K: usize,
    const O: usize,
    const OL: usize,
>(
    x: &[[T; C]; L],
    w: &[[[T; C]; K]; O],
    b: &[T; O],
    axis: &Axis,
    y: &mut [[T; O]; OL],
) {
    debug_assert_eq!(axis.kernel, K);
    for (ot, y_t) in y.iter_mut().enumerate() {
        for (o, y_o) in y_t.iter_mut().enumerate() {
            let mut acc = b[o];
            for (k, w_tap) in w[o].iter().enumerate() {
                if let Some(t) = axis.tap(ot, k, L) {
                    acc = acc + dot(&x[t], w_tap);
                }
            }
            *y_o = acc;
        }
    }
}

/// `∂E/∂x`: overwrites `dx`. `dx = 0`, then for `ot`, `k`, `o` ascending:
/// `dx[t] += g[ot][o] · w[o][k]`.
pub(crate) fn backward_input<
    T: Scalar,
    const L: usize,
    const C: usize,
    const K: usize,
    const O: usize,
    const OL: usize,
>(
    w: &[[[T; C]; K]; O],
    axis: &Axis,
    g: &[[T; O]; OL],
    dx: &mut [[T; C]; L],
) {
    *dx = [[T::zero(); C]; L];
    for (ot, g_t) in g.iter().enumerate() {
        for k in 0..K {
            let Some(t) = axis.tap(ot, k, L) else {
                continue;
            };
            for (w_o, &g_o) in w.iter().zip(g_t) {
                axpy(&mut dx[t], g_o, &w_o[k]);
            }
        }
    }
}

/// `∂E/∂w`, `∂E/∂b`: adds to `dw`, `db`. For `ot`, `o` ascending: `db[o] += g`, then for
/// `k` ascending `dw[o][k] += g · x[t]`.
pub(crate) fn backward_params<
    T: Scalar,
    const L: usize,
    const C: usize,
    const K: usize,
    const O: usize,
    const OL: usize,
>(
    x: &[[T; C]; L],
    axis: &Axis,
    g: &[[T; O]; OL],
    dw: &mut [[[T; C]; K]; O],
    db: &mut [T; O],
) {
    for (ot, g_t) in g.iter().enumerate() {
        for ((dw_o, db_o), &g_o) in dw.iter_mut().zip(db.iter_mut()).zip(g_t) {
            *db_o = *db_o + g_o;
            for (k, dw_tap) in dw_o.iter_mut().enumerate() {
                if let Some(t) = axis.tap(ot, k, L) {
                    axpy(dw_tap, g_o, &x[t]);
                }
            }
        }
    }
}
