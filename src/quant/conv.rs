//! Convolution int8 kernels: TFLite's reference `reference_integer_ops::ConvPerChannel` and
//! `DepthwiseConvPerChannel` (no dilation, one image, channels last).

use super::{ChannelRequant, OutputQuant, Window};

/// 2-D convolution of an `H×W×C` image with `OC` filters of `KH×KW×C` (TFLite's OHWI
/// layout), to `OH×OW×OC`. Taps that fall in the padding contribute nothing (an
/// input equal to the zero point, i.e. real 0).
#[allow(clippy::too_many_arguments)]
pub(crate) fn conv2d<
    const H: usize,
    const W: usize,
    const C: usize,
    const KH: usize,
    const KW: usize,
    const OC: usize,
    const OH: usize,
    const OW: usize,
>(
    input: &[[[i8; C]; W]; H],
    input_zero_point: i32,
    filters: &[[[[i8; C]; KW]; KH]; OC],
    bias: &[i32; OC],
    window: &Window,
    requant: &ChannelRequant<OC>,
    out: &OutputQuant,
    output: &mut [[[i8; OC]; OW]; OH],
) {
    // The taps inside the image are worked out once per row and per column ([`clip`]),
    // so the inner loop is a plain dot product over the channels.
    for (oy, row) in output.iter_mut().enumerate() {
        let (ky, iy) = clip::<KH, H>(oy, window.stride_h, window.pad_top);
        let Some(in_rows) = input.get(iy) else {
            continue;
        };
        for (ox, pixel) in row.iter_mut().enumerate() {
            let (kx, ix) = clip::<KW, W>(ox, window.stride_w, window.pad_left);
            for (((value, filter), &bias), (&m, &s)) in pixel
                .iter_mut()
                .zip(filters)
                .zip(bias)
                .zip(requant.multiplier.iter().zip(&requant.shift))
            {
                let mut acc = 0i32;
                let Some(filter_rows) = filter.get(ky.clone()) else {
                    continue;
                };
                for (filter_row, in_row) in filter_rows.iter().zip(in_rows) {
                    let (Some(taps), Some(xs)) =
                        (filter_row.get(kx.clone()), in_row.get(ix.clone()))
                    else {
                        continue;
                    };
                    for (tap, px) in taps.iter().zip(xs) {
                        for (&w, &x) in tap.iter().zip(px) {
                            acc =
                                acc.wrapping_add(i32::from(w) * (i32::from(x) - input_zero_point));
                        }
                    }
                }
                *value = out.finish(acc.wrapping_add(bias), m, s);
            }
        }
    }
}

/// Depthwise convolution: each input channel `c` has `M` filters of `KH×KW`; output
/// channel `c·M + m` sees only input channel `c`. Filters are `KH×KW×(C·M)` (TFLite's
/// `[1, KH, KW, C·M]`), so `CM` must be `C·M`; it is checked at compile time.
///
/// The loops run over the taps of each output pixel that fall inside the image (the
/// range is worked out once per row and per column, [`clip`]), so there is no test in
/// the inner loop, and take the output channels four at a time, their sums in four
/// registers: with `M` a multiple of 4 one input code, less the zero point, feeds four
/// multiply-adds. (`opt-level = "s"` unrolls nothing by itself: a loop over the `M`
/// channels kept its sums in memory, 7 instructions per multiply-add.) The sums are
/// exact `i32`, wrapping as TFLite's do, so their order changes nothing.
/// With it, one inference of `speech.tflite` (this layer: 10×8 taps, 8 channels,
/// 320 000 multiply-adds less the padding) went from 6.3 to 1.5 million executed
/// instructions on the Cortex-M3, 13 instructions per four multiply-adds in the inner
/// loop (docs/tflite.md).
#[allow(clippy::too_many_arguments)]
pub(crate) fn depthwise_conv2d<
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
    input: &[[[i8; C]; W]; H],
    input_zero_point: i32,
    filters: &[[[i8; CM]; KW]; KH],
    bias: &[i32; CM],
    window: &Window,
    requant: &ChannelRequant<CM>,
    out: &OutputQuant,
    output: &mut [[[i8; CM]; OW]; OH],
) {
    const {
        assert!(
            M > 0 && C * M == CM,
            "depthwise: output channels must be C · M, M > 0"
        );
    }
    for (oy, out_row) in output.iter_mut().enumerate() {
        let (ky, iy) = clip::<KH, H>(oy, window.stride_h, window.pad_top);
        let (Some(filter_rows), Some(in_rows)) = (filters.get(ky), input.get(iy)) else {
            continue;
        };
        for (ox, pixel) in out_row.iter_mut().enumerate() {
            let (kx, ix) = clip::<KW, W>(ox, window.stride_w, window.pad_left);
            // Four output channels at a time, their sums in four registers.
            let (out4, out_rest) = pixel.as_chunks_mut::<4>();
            for (g, out4) in out4.iter_mut().enumerate() {
                let o = 4 * g;
                // The input channel of each of the four (all one when M is a multiple
                // of 4); always inside the pixel, as o + 3 < C·M.
                let c = [o / M, (o + 1) / M, (o + 2) / M, (o + 3) / M];
                if c[0] >= C || c[1] >= C || c[2] >= C || c[3] >= C {
                    continue;
                }
                let (mut a0, mut a1, mut a2, mut a3) = (0i32, 0i32, 0i32, 0i32);
                for (filter_row, in_row) in filter_rows.iter().zip(in_rows) {
                    let (Some(taps), Some(xs)) =
                        (filter_row.get(kx.clone()), in_row.get(ix.clone()))
                    else {
                        continue;
                    };
                    for (tap, px) in taps.iter().zip(xs) {
                        let w = &tap.as_chunks::<4>().0[g];
                        let (x0, x1, x2, x3) = if M.is_multiple_of(4) {
                            let x = i32::from(px[c[0]]) - input_zero_point;
                            (x, x, x, x)
                        } else {
                            (
                                i32::from(px[c[0]]) - input_zero_point,
                                i32::from(px[c[1]]) - input_zero_point,
                                i32::from(px[c[2]]) - input_zero_point,
                                i32::from(px[c[3]]) - input_zero_point,
                            )
                        };
                        a0 = a0.wrapping_add(i32::from(w[0]) * x0);
                        a1 = a1.wrapping_add(i32::from(w[1]) * x1);
                        a2 = a2.wrapping_add(i32::from(w[2]) * x2);
                        a3 = a3.wrapping_add(i32::from(w[3]) * x3);
                    }
                }
                for ((value, acc), oc) in out4.iter_mut().zip([a0, a1, a2, a3]).zip(o..) {
                    let acc = acc.wrapping_add(bias[oc]);
                    *value = out.finish(acc, requant.multiplier[oc], requant.shift[oc]);
                }
            }
            // The last `CM % 4` channels one at a time.
            let first = CM - out_rest.len();
            for (j, value) in out_rest.iter_mut().enumerate() {
                let oc = first + j;
                let c = oc / M;
                if c >= C {
                    continue;
                }
                let mut acc = 0i32;
                for (filter_row, in_row) in filter_rows.iter().zip(in_rows) {
                    let (Some(taps), Some(xs)) =
                        (filter_row.get(kx.clone()), in_row.get(ix.clone()))
                    else {
                        continue;
                    };
                    for (tap, px) in taps.iter().zip(xs) {
                        acc = acc.wrapping_add(
                            i32::from(tap[oc]) * (i32::from(px[c]) - input_zero_point),
                        );
                    }
                }
                acc = acc.wrapping_add(bias[oc]);
                *value = out.finish(acc, requant.multiplier[oc], requant.shift[oc]);
            }
        }
    }
}

/// The kernel taps `k0..k1` of output coordinate `o` that fall inside an input of `N`
/// (`K` taps, `stride`, `pad` cells of padding before the input), and the input range
/// they read, `o·stride + k0 − pad ..`, of the same length. Empty ranges if none does.
#[inline]
pub(crate) fn clip<const K: usize, const N: usize>(
    o: usize,
    stride: usize,
    pad: usize,
) -> (core::ops::Range<usize>, core::ops::Range<usize>) {
    let start = o * stride; // the first tap's input coordinate, plus `pad`
    let k0 = pad.saturating_sub(start).min(K);
    let k1 = (N + pad).saturating_sub(start).min(K).max(k0);
    let i0 = (start + k0).saturating_sub(pad);
    (k0..k1, i0..i0 + (k1 - k0))
}

/// The input coordinate of kernel tap `k` for output coordinate `o`, or `None` in the
/// top/left padding (the bottom/right padding is caught by the caller's `get`).
#[inline]
pub(crate) fn tap(o: usize, stride: usize, pad: usize, k: usize) -> Option<usize> {
    (o * stride + k).checked_sub(pad)
}
