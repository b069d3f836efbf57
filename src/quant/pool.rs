//! Pooling int8 kernels: TFLite's reference `reference_integer_ops::AveragePool` and
//! `MaxPool`. Input and output share one scale and zero point (TFLite requires it), so
//! no requantization happens; the fused activation is the output clamp.

use super::Window;
use super::conv::tap;
use core::num::NonZeroU32;

/// Average over the window's taps that fall inside the image (padding is not counted),
/// rounded half away from zero as TFLite does: `(sum ± count/2) / count`, truncated.
/// An output whose window holds no input pixel (possible only with nonsensical
/// padding) is `min`: TFLite fails on it, this kernel must not.
pub(crate) fn average_pool<
    const H: usize,
    const W: usize,
    const C: usize,
    const KH: usize,
    const KW: usize,
    const OH: usize,
    const OW: usize,
>(
    input: &[[[i8; C]; W]; H],
    window: &Window,
    min: i32,
    max: i32,
    output: &mut [[[i8; C]; OW]; OH],
) {
    for (oy, row) in output.iter_mut().enumerate() {
        for (ox, pixel) in row.iter_mut().enumerate() {
            for (c, value) in pixel.iter_mut().enumerate() {
                let mut sum = 0i32;
                let mut count = 0u32;
                for_each_tap::<H, W, C, KH, KW>(input, window, oy, ox, |px| {
                    sum += i32::from(px[c]);
                    count += 1;
                });
                let avg = match NonZeroU32::new(count) {
                    // Truncating division of a magnitude; the sign put back after.
                    Some(n) => {
                        let half = count / 2;
                        let q = (sum.unsigned_abs() + half) / n;
                        if sum > 0 {
                            q.cast_signed()
                        } else {
                            -q.cast_signed()
                        }
                    }
                    None => min,
                };
                *value = avg.max(min).min(max) as i8;
            }
        }
    }
}

/// Maximum over the window's taps inside the image, then clamped to `min..=max`.
pub(crate) fn max_pool<
    const H: usize,
    const W: usize,
    const C: usize,
    const KH: usize,
    const KW: usize,
    const OH: usize,
    const OW: usize,
>(
    input: &[[[i8; C]; W]; H],
    window: &Window,
    min: i32,
    max: i32,
    output: &mut [[[i8; C]; OW]; OH],
) {
    for (oy, row) in output.iter_mut().enumerate() {
        for (ox, pixel) in row.iter_mut().enumerate() {
            let mut best = [i8::MIN; C];
            for_each_tap::<H, W, C, KH, KW>(input, window, oy, ox, |px| {
                for (b, &x) in best.iter_mut().zip(px) {
                    *b = (*b).max(x);
                }
            });
            for (value, &b) in pixel.iter_mut().zip(&best) {
                *value = i32::from(b).max(min).min(max) as i8;
            }
        }
    }
}

#[inline]
fn for_each_tap<
    const H: usize,
    const W: usize,
    const C: usize,
    const KH: usize,
    const KW: usize,
>(
    input: &[[[i8; C]; W]; H],
    window: &Window,
    oy: usize,
    ox: usize,
    mut f: impl FnMut(&[i8; C]),
) {
    for ky in 0..KH {
        let Some(in_row) = tap(oy, window.stride_h, window.pad_top, ky).and_then(|y| input.get(y))
        else {
            continue;
        };
        for kx in 0..KW {
            if let Some(px) =
                tap(ox, window.stride_w, window.pad_left, kx).and_then(|x| in_row.get(x))
            {
                f(px);
            }
        }
    }
}
