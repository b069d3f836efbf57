//! Pooling over `KH × KW` windows, each channel on its own (TFLite's `MAX_POOL_2D` and
//! `AVERAGE_POOL_2D`), and global average pooling (TFLite's `MEAN` over height and width).
//!
//! Padding cells are not values: a window's maximum and average are over the cells that
//! fall inside the input (`V(oy, ox)`, never empty: module doc). So SAME padding neither
//! adds zeros to a maximum nor dilutes an average; TFLite divides by the number of valid
//! cells in the same way.
//!
//! ```text
//! max:     y[oy][ox][c] = max_(iy,ix ∈ V) x[iy][ix][c]        (first maximum in scan order)
//!          ∂E/∂x[iy][ix][c] = Σ_(oy,ox: (iy,ix) is the window's first maximum) g[oy][ox][c]
//! average: y[oy][ox][c] = (Σ_(iy,ix ∈ V) x[iy][ix][c]) / |V|
//!          ∂E/∂x[iy][ix][c] = Σ_(oy,ox: (iy,ix) ∈ V(oy,ox)) g[oy][ox][c] / |V(oy,ox)|
//! global:  y[c] = (Σ_iy Σ_ix x[iy][ix][c]) / (H·W),   ∂E/∂x[iy][ix][c] = g[c] / (H·W)
//! ```
//!
//! Ties in a maximum: the first cell in scan order (rows, then columns, as `ky`, `kx`
//! ascend) is the maximum and receives the whole gradient — the sub-gradient TFLite's and
//! TensorFlow's `MaxPoolGrad` pick. The comparison is `x > best`, as TFLite's
//! `max(best, x)`, so a NaN replaces nothing after the first cell.

use super::shape::Window2d;
use crate::scalar::Scalar;

/// The first maximum of window `(oy, ox)` for every channel: its value and its cell.
fn window_max<T: Scalar, const H: usize, const W: usize, const C: usize>(
    x: &[[[T; C]; W]; H],
    win: &Window2d,
    oy: usize,
    ox: usize,
) -> ([T; C], [(usize, usize); C]) {
    let mut best = [T::zero(); C];
    let mut at = [(usize::MAX, usize::MAX); C];
    for ky in 0..win.h.kernel {
        let Some(iy) = win.h.tap(oy, ky, H) else {
            continue;
        };
        for kx in 0..win.w.kernel {
            let Some(ix) = win.w.tap(ox, kx, W) else {
                continue;
            };
            for c in 0..C {
                let v = x[iy][ix][c];
                if at[c].0 == usize::MAX || v > best[c] {
                    best[c] = v;
                    at[c] = (iy, ix);
                }
            }
        }
    }
    (best, at)
}

/// Max pool forward: writes `y`.
pub(crate) fn max_forward<
    T: Scalar,
    const H: usize,
    const W: usize,
    const C: usize,
    const OH: usize,
    const OW: usize,
>(
    x: &[[[T; C]; W]; H],
    win: &Window2d,
    y: &mut [[[T; C]; OW]; OH],
) {
    for (oy, y_row) in y.iter_mut().enumerate() {
        for (ox, y_px) in y_row.iter_mut().enumerate() {
            *y_px = window_max(x, win, oy, ox).0;
        }
    }
}

/// Max pool `∂E/∂x`: overwrites `dx`. `dx = 0`, then for `oy`, `ox`, `c` ascending, the
/// window's first maximum gets `+= g[oy][ox][c]` (overlapping windows add up in that
/// order). The maxima are found again from `x`, so nothing needs caching but the input.
pub(crate) fn max_backward<
    T: Scalar,
    const H: usize,
    const W: usize,
    const C: usize,
    const OH: usize,
    const OW: usize,
>(
    x: &[[[T; C]; W]; H],
    win: &Window2d,
    g: &[[[T; C]; OW]; OH],
    dx: &mut [[[T; C]; W]; H],
) {
    *dx = [[[T::zero(); C]; W]; H];
    for (oy, g_row) in g.iter().enumerate() {
        for (ox, g_px) in g_row.iter().enumerate() {
            let (_, at) = window_max(x, win, oy, ox);
            // `get_mut` rather than indexing: the winners lie inside the image by
            // construction, but the optimiser cannot see it, and an index would leave a
            // panic branch in every training firmware (the `cnn_fit` binary links with
            // `panic-never`).
            for (c, (&(iy, ix), &g)) in at.iter().zip(g_px).enumerate() {
                if let Some(d) = dx
                    .get_mut(iy)
                    .and_then(|r| r.get_mut(ix))
                    .and_then(|p| p.get_mut(c))
                {
                    *d = *d + g;
                }
            }
        }
    }
}

/// The number of input cells window `(oy, ox)` covers, `|V|`.
fn valid_cells<const H: usize, const W: usize>(win: &Window2d, oy: usize, ox: usize) -> usize {
    let rows = (0..win.h.kernel)
        .filter(|&k| win.h.tap(oy, k, H).is_some())
        .count();
    let cols = (0..win.w.kernel)
        .filter(|&k| win.w.tap(ox, k, W).is_some())
        .count();
    rows * cols
}

/// Average pool forward: writes `y`. Per window and channel, `sum = 0`, then
/// `sum = sum + x` over the valid cells in scan order, then `y = sum / |V|` (a division,
/// as TFLite's float kernel).
pub(crate) fn avg_forward<
    T: Scalar,
    const H: usize,
    const W: usize,
    const C: usize,
    const OH: usize,
    const OW: usize,
>(
    x: &[[[T; C]; W]; H],
    win: &Window2d,
    y: &mut [[[T; C]; OW]; OH],
) {
    for (oy, y_row) in y.iter_mut().enumerate() {
        for (ox, y_px) in y_row.iter_mut().enumerate() {
            let mut sum = [T::zero(); C];
            for ky in 0..win.h.kernel {
                let Some(iy) = win.h.tap(oy, ky, H) else {
                    continue;
                };
                for kx in 0..win.w.kernel {
                    let Some(ix) = win.w.tap(ox, kx, W) else {
                        continue;
                    };
                    for (s, &v) in sum.iter_mut().zip(&x[iy][ix]) {
                        *s = *s + v;
                    }
                }
            }
            let n = T::from_usize(valid_cells::<H, W>(win, oy, ox));
            for (yc, s) in y_px.iter_mut().zip(sum) {
                *yc = s / n;
            }
        }
    }
}

/// Average pool `∂E/∂x`: overwrites `dx`. `dx = 0`, then for `oy`, `ox` ascending,
/// `share = g / |V|` per channel, added to every valid cell in scan order.
pub(crate) fn avg_backward<
    T: Scalar,
    const H: usize,
    const W: usize,
    const C: usize,
    const OH: usize,
    const OW: usize,
>(
    win: &Window2d,
    g: &[[[T; C]; OW]; OH],
    dx: &mut [[[T; C]; W]; H],
) {
    *dx = [[[T::zero(); C]; W]; H];
    for (oy, g_row) in g.iter().enumerate() {
        for (ox, g_px) in g_row.iter().enumerate() {
            let n = T::from_usize(valid_cells::<H, W>(win, oy, ox));
            let share = g_px.map(|gc| gc / n);
            for ky in 0..win.h.kernel {
                let Some(iy) = win.h.tap(oy, ky, H) else {
                    continue;
                };
                for kx in 0..win.w.kernel {
                    let Some(ix) = win.w.tap(ox, kx, W) else {
                        continue;
                    };
                    for (d, &s) in dx[iy][ix].iter_mut().zip(&share) {
                        *d = *d + s;
                    }
                }
            }
        }
    }
}

/// Global average pooling: `y[c] = (Σ x[iy][ix][c]) / (H·W)`, summed in scan order
/// (rows, then columns) and divided once.
pub(crate) fn global_avg_forward<T: Scalar, const H: usize, const W: usize, const C: usize>(
    x: &[[[T; C]; W]; H],
) -> [T; C] {
    const { assert!(H * W > 0, "GlobalAvgPool2d: the input has no cells") };
    let mut sum = [T::zero(); C];
    for px in x.iter().flatten() {
        for (s, &v) in sum.iter_mut().zip(px) {
            *s = *s + v;
        }
    }
    let n = T::from_usize(H * W);
    sum.map(|s| s / n)
}

/// Global average pooling `∂E/∂x`: every cell gets `g[c] / (H·W)`.
pub(crate) fn global_avg_backward<T: Scalar, const H: usize, const W: usize, const C: usize>(
    g: &[T; C],
) -> [[[T; C]; W]; H] {
    const { assert!(H * W > 0, "GlobalAvgPool2d: the input has no cells") };
    let n = T::from_usize(H * W);
    [[g.map(|gc| gc / n); W]; H]
}
