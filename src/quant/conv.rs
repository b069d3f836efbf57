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
    for (oy, row) in output.iter_mut().enumerate() {
        for (ox, pixel) in row.iter_mut().enumerate() {
            for (oc, value) in pixel.iter_mut().enumerate() {
                let mut acc = 0i32;
                for (ky, filter_row) in filters[oc].iter().enumerate() {
                    let Some(in_row) =
                        tap(oy, window.stride_h, window.pad_top, ky).and_then(|y| input.get(y))
                    else {
                        continue;
                    };
                    for (kx, taps) in filter_row.iter().enumerate() {
                        let Some(in_px) = tap(ox, window.stride_w, window.pad_left, kx)
                            .and_then(|x| in_row.get(x))
                        else {
                            continue;
                        };
                        for (&w, &x) in taps.iter().zip(in_px) {
                            acc =
                                acc.wrapping_add(i32::from(w) * (i32::from(x) - input_zero_point));
                        }
                    }
                }
                acc = acc.wrapping_add(bias[oc]);
                *value = out.finish(acc, requant.multiplier[oc], requant.shift[oc]);
            }
        }
    }
}

/// Depthwise convolution: each input channel `c` has `M` filters of `KH×KW`; output
/// channel `c·M + m` sees only input channel `c`. Filters are `KH×KW×(C·M)` (TFLite's
/// `[1, KH, KW, C·M]`), so `CM` must be `C·M`; it is checked at compile time.
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
    for (oy, row) in output.iter_mut().enumerate() {
        for (ox, pixel) in row.iter_mut().enumerate() {
            for (oc, value) in pixel.iter_mut().enumerate() {
                let c = oc / M;
                let mut acc = 0i32;
                for (ky, filter_row) in filters.iter().enumerate() {
                    let Some(in_row) =
                        tap(oy, window.stride_h, window.pad_top, ky).and_then(|y| input.get(y))
                    else {
                        continue;
                    };
                    for (kx, taps) in filter_row.iter().enumerate() {
                        let Some(&x) = tap(ox, window.stride_w, window.pad_left, kx)
                            .and_then(|x| in_row.get(x))
                            .and_then(|px| px.get(c))
                        else {
                            continue;
                        };
                        acc = acc
                            .wrapping_add(i32::from(taps[oc]) * (i32::from(x) - input_zero_point));
                    }
                }
                acc = acc.wrapping_add(bias[oc]);
                *value = out.finish(acc, requant.multiplier[oc], requant.shift[oc]);
            }
        }
    }
}

/// The input coordinate of kernel tap `k` for output coordinate `o`, or `None` in the
/// top/left padding (the bottom/right padding is caught by the caller's `get`).
#[inline]
pub(crate) fn tap(o: usize, stride: usize, pad: usize, k: usize) -> Option<usize> {
    (o * stride + k).checked_sub(pad)
}
