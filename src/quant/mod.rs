//! Int8 inference that agrees bit for bit with TensorFlow Lite's reference kernels, and
//! post-training quantization of typenet's own networks.
//!
//! * Layers: [`QDense`] (per-channel int8 weights, `i32` bias, fused ReLU/ReLU6 clamp),
//!   [`QConv2d`], [`QDepthwiseConv2d`], [`QAvgPool2d`], [`QMaxPool2d`] (images, channels
//!   last), [`QSoftmax`], [`QTable`] (any element-wise activation as a 256-entry table),
//!   [`QAdd`] and [`QResidual`] (residual sums), [`QSkip`] and [`QParallel`] (a skip
//!   or two branches summed, on vectors and images), and [`Quantize`] / [`Dequantize`] at
//!   the float boundaries. They implement [`QLayer`], and tuples of them are networks,
//!   as tuples of float layers are.
//! * Post-training quantization: [`quantize`] turns a trained `f32` network (a tuple of
//!   [`Dense`](crate::Dense) and activations) and a calibration set into its int8 twin,
//!   layer by layer through the [`Quantizable`] trait; [`quantize_body`] does the same
//!   for an image network (convolutions, pools, [`Flatten`](crate::Flatten), activations
//!   per pixel), whose int8 twin is [`QConv2d`], [`QDepthwiseConv2d`], the int8 pools,
//!   [`QFlatten`] and [`QPerPixel`].
//!
//! # The scheme, for a learner
//!
//! An int8 tensor stands for real numbers through two values fixed for the whole tensor,
//! a **scale** `s > 0` (an `f32`) and a **zero point** `z` (an integer in −128..=127):
//!
//! ```text
//! real = s · (q − z)        q = clamp(round(real / s) + z, −128, 127)
//! ```
//!
//! The zero point makes real 0 exactly representable (padding and ReLU need that) and lets
//! an asymmetric range such as [0, 6] use all 256 codes. Activations are quantized this
//! way, one (scale, zero point) per tensor.
//!
//! **Weights** are symmetric (zero point 0) with one scale per output channel, `s_w[o]`:
//! `w = s_w[o] · q_w`. A channel whose weights are small keeps its resolution instead of
//! sharing the scale of the largest channel.
//!
//! A dot product then needs integers only. With `x = s_in (q_x − z_in)` and
//! `w = s_w[o] q_w`,
//!
//! ```text
//! Σ w·x + b = s_in·s_w[o] · ( Σ q_w·(q_x − z_in) + q_b )      with q_b = b / (s_in·s_w[o])
//! ```
//!
//! so the **bias** is stored as an `i32` with scale `s_in·s_w[o]` and zero point 0, and the
//! sum in parentheses (the accumulator) is exact in `i32`. To express it in the output's
//! quantization (`s_out`, `z_out`) it is multiplied by the real number
//! `M = s_in·s_w[o] / s_out`: this is **requantization**. At preparation time `M` is split
//! into a Q31 fixed-point significand and a power-of-two shift,
//! `M ≈ m · 2^(shift − 31)` with `m ∈ [2^30, 2^31)` (TFLite's `QuantizeMultiplier`); at
//! run time `acc · M` is computed with a 64-bit product, a rounding "high half", and a
//! rounding shift (`MultiplyByQuantizedMultiplier`); then `z_out` is added and the
//! result clamped to the fused activation's range (`ReLU` clamps below at `z_out`,
//! `ReLU6` also above at `z_out + round(6 / s_out)`), which is all a fused activation costs.
//!
//! Each rounding step follows TensorFlow Lite exactly, because "close" is not enough: one
//! different byte in a layer changes the next layer's input. Even TFLite has two ways:
//! its convolutions round twice (the high multiply rounds half up, then the shift rounds
//! half away from zero), while LiteRT's int8 fully connected kernel rounds the 64-bit
//! product once (half up). Each kernel here uses the one its TFLite twin uses; the
//! goldens tell them apart (either rounding in the other's place fails 1–7 % of their
//! cases).
//!
//! # Kernels
//!
//! One (private) file per family, each a function over fixed-size arrays (channels last,
//! as TFLite stores images: `[[[i8; C]; W]; H]`): fully connected, conv2d and
//! depthwise, average and max pooling, add, softmax, and quantize/dequantize
//! (the float boundaries). Preparation (scales to multipliers) may use `f64`, as TFLite
//! does; the kernels themselves use integers only, except quantize/dequantize, whose job
//! is to cross the float boundary.
//!
//! # Post-training quantization
//!
//! 1. **Calibrate**: run the float network on the calibration samples and record, for
//!    the input and for every layer's output, the smallest and largest value seen
//!    ([`MinMax`]). This is the "min/max" observer of TensorFlow Lite's converter.
//! 2. **Choose activation parameters**: each range, widened to hold 0, is spread over the
//!    256 codes ([`QuantParams::from_range`]).
//! 3. **Quantize each layer**, first to last, from its input's parameters (the previous
//!    layer's output) and its own output range ([`Quantizable::quantize_layer`]):
//!    a [`Dense`](crate::Dense) becomes a [`QDense`] with symmetric per-output-channel weights
//!    (`s_w[o] = max_i |w[o][i]| / 127`, `q = round(w / s_w[o])`) and an `i32` bias in
//!    steps of `s_in · s_w[o]`; an element-wise activation (sigmoid, tanh, ReLU, …)
//!    becomes a [`QTable`] of its 256 results; a [`Softmax`](crate::Softmax) becomes a [`QSoftmax`].
//!
//! Nothing here allocates: ranges are a tuple of [`MinMax`]s shaped like the network, so
//! quantizing works without `std` too (it uses floating point, as preparing any int8
//! layer does; the int8 network it returns does not).
//!
//! ```
//! use typenet::quant::{QLayer, quantize};
//! use typenet::{Dense, Init, Layer, Relu, SplitMix64};
//! let net: (Dense<2, 8>, Relu<8>, Dense<8, 1>) =
//!     Layer::initialized(Init::HeUniform, &mut SplitMix64::new(1));
//! let calibration = [[0.0, 0.0], [1.0, -1.0], [-1.0, 0.5], [0.3, 0.9]];
//! let int8 = quantize(&net, &calibration)?;
//! // (Quantize<2>, (QDense<2, 8>, QTable<8>, QDense<8, 1>), Dequantize<1>)
//! let (float, fixed) = (net.forward(&[0.5, 0.5])[0], int8.forward(&[0.5, 0.5])[0]);
//! assert!((float - fixed).abs() < 0.05, "{float} vs {fixed}");
//! # Ok::<(), typenet::quant::QuantError>(())
//! ```
//!
//! A layer without an int8 twin is a compile error that names it ("\`Net\` has no int8
//! twin"); so, for now, is a `#[derive(Network)]` struct: quantize a tuple of the same
//! layers.
//!
//! ```compile_fail
//! use typenet::quant::quantize;
//! use typenet::{Dense, Layer, Network};
//! #[derive(Network)]
//! struct Net {
//!     hidden: Dense<2, 2>,
//! }
//! quantize(&Net::zeroed(), &[[0.0, 0.0]]);
//! ```
//!
//! # Goldens
//!
//! `tests/data/int8/*.bin` hold randomized cases (shapes, scales, zero points, weights,
//! inputs) and the outputs of the LiteRT interpreter's reference kernels; the tests in
//! `golden.rs` compare every output byte. They were made by `scripts/int8_goldens.py`,
//! which writes the `.tflite` models itself (no TensorFlow needed). To regenerate:
//!
//! ```text
//! python3 -m venv /tmp/int8-venv
//! /tmp/int8-venv/bin/pip install ai-edge-litert numpy tflite flatbuffers
//! /tmp/int8-venv/bin/python scripts/int8_goldens.py      # rewrites tests/data/int8/
//! cargo test --lib quant
//! ```

// A few helpers (`ChannelRequant::per_tensor`, the reference `fully_connected`) are used by
// the tests only.
#![allow(dead_code)]

pub(crate) mod add;
pub(crate) mod arith;
mod boundary;
pub(crate) mod conv;
pub(crate) mod fully_connected;
pub(crate) mod pool;
mod ptq;
mod ptq_conv;
mod qadd;
mod qbranch;
mod qdense;
mod qimage;
mod qlayer;
mod qsoftmax;
mod qspatial;
mod qtable;
pub(crate) mod quantize;
pub(crate) mod softmax;

#[cfg(test)]
mod golden;

pub use boundary::{Dequantize, Quantize};
pub use ptq::{MinMax, Quantizable, calibrate, quantize};
pub use ptq_conv::quantize_body;
pub use qadd::{QAdd, QResidual};
pub use qbranch::{QParallel, QSkip, QTensor};
pub use qdense::QDense;
pub use qimage::{QFlatten, QGlobalAvgPool2d, QPerPixel};
pub use qlayer::QLayer;
pub use qsoftmax::QSoftmax;
pub use qspatial::{QAvgPool2d, QConv2d, QDepthwiseConv2d, QMaxPool2d, Stride};
pub use qtable::QTable;

use arith::{
    multiply_by_quantized_multiplier, multiply_by_quantized_multiplier_single_rounding,
    quantize_multiplier,
};

/// Why quantized settings (or a calibration) were refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum QuantError {
    /// A scale is zero, negative or not finite.
    Scale,
    /// A zero point lies outside −128..=127.
    ZeroPoint,
    /// A real multiplier cannot be represented (negative, not finite, or ≥ 2^31).
    Multiplier,
    /// A stride is zero.
    Stride,
    /// The output size in the type is not the one the padding and stride give.
    OutputSize,
    /// Softmax's beta is zero, negative or not finite.
    Beta,
    /// A prepared Q31 multiplier lies outside `[2^30, 2^31)` (and is not 0 with shift 0),
    /// or its shift outside −31..=31.
    Prepared,
    /// A clamp's bounds are outside −128..=127 or its minimum exceeds its maximum.
    Clamp,
    /// The calibration set is empty.
    EmptyCalibration,
    /// A value met while calibrating (an input, a weight, an activation) is not finite.
    NotFinite,
}

impl core::fmt::Display for QuantError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::Scale => "a scale must be a finite number greater than zero",
            Self::ZeroPoint => "an int8 zero point must lie in -128..=127",
            Self::Multiplier => {
                "a requantization multiplier (s_in·s_w / s_out) must be finite, \
                 not negative and below 2^31"
            }
            Self::Stride => "a stride must be at least 1",
            Self::OutputSize => {
                "the output size in the type is not the one the padding and strides give"
            }
            Self::Beta => "softmax's beta must be a finite number greater than zero",
            Self::Prepared => {
                "a prepared multiplier must lie in [2^30, 2^31) (or be 0 with shift 0) \
                 and its shift in -31..=31"
            }
            Self::Clamp => "an output clamp must satisfy -128 <= min <= max <= 127",
            Self::EmptyCalibration => "the calibration set holds no sample",
            Self::NotFinite => "a value met while quantizing is not finite (NaN or infinite)",
        })
    }
}

impl core::error::Error for QuantError {}

/// How an int8 tensor stands for real numbers: `real = scale · (q − zero_point)`, with a
/// scale that is finite and positive and a zero point in −128..=127 (checked when built).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct QuantParams {
    scale: f32,
    zero_point: i32,
}

impl QuantParams {
    /// The parameters `(scale, zero_point)`, checked.
    ///
    /// # Errors
    /// [`QuantError::Scale`] for a scale that is not finite and positive,
    /// [`QuantError::ZeroPoint`] for a zero point outside −128..=127.
    pub const fn new(scale: f32, zero_point: i32) -> Result<Self, QuantError> {
        if !(scale.is_finite() && scale > 0.0) {
            return Err(QuantError::Scale);
        }
        if zero_point < -128 || zero_point > 127 {
            return Err(QuantError::ZeroPoint);
        }
        Ok(Self { scale, zero_point })
    }

    /// The parameters that cover `[min, max]` with the 256 codes, chosen as gemmlowp's
    /// and TensorFlow Lite's `ChooseQuantizationParams` do: the range is first widened to
    /// hold 0 (so that 0 is a code: padding, ReLU), then `scale = (max − min) / 255`, and
    /// the zero point is the code of 0 computed from whichever end loses less precision,
    /// rounded and clamped. A range of a single point (0) gets scale 1.
    ///
    /// # Errors
    /// [`QuantError::NotFinite`] if a bound is NaN or infinite, or `min > max`.
    pub fn from_range(min: f32, max: f32) -> Result<Self, QuantError> {
        if !(min.is_finite() && max.is_finite() && min <= max) {
            return Err(QuantError::NotFinite);
        }
        let (min, max) = (f64::from(min.min(0.0)), f64::from(max.max(0.0)));
        // Both are 0 (the range was widened to hold it): any scale will do.
        if max <= min {
            return Self::new(1.0, 0);
        }
        let scale = (max - min) / 255.0;
        let (from_min, from_max) = (-128.0 - min / scale, 127.0 - max / scale);
        let zero_point = if 128.0 + (min / scale).abs() < 127.0 + (max / scale).abs() {
            from_min
        } else {
            from_max
        };
        let zero_point = libm::round(zero_point).clamp(-128.0, 127.0) as i32;
        let scale = scale as f32;
        Self::new(scale, zero_point)
    }

    /// The scale: the real value of one step.
    pub const fn scale(self) -> f32 {
        self.scale
    }

    /// The zero point: the code of real 0.
    pub const fn zero_point(self) -> i32 {
        self.zero_point
    }

    /// `clamp(round(x / scale) + zero_point, −128, 127)`, rounding half away from zero
    /// (TFLite's `Quantize`); NaN gives the zero point.
    pub fn quantize(self, x: f32) -> i8 {
        let mut out = [0i8];
        quantize::quantize(&[x], self.scale, self.zero_point, &mut out);
        out[0]
    }

    /// `scale · (q − zero_point)` (TFLite's `Dequantize`).
    pub fn dequantize(self, q: i8) -> f32 {
        let mut out = [0f32];
        quantize::dequantize(&[q], self.scale, self.zero_point, &mut out);
        out[0]
    }
}

/// The activation fused into a layer, applied as a clamp of the quantized output (codes
/// as in TFLite's schema).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Activation {
    /// No clamp beyond the int8 range.
    None,
    /// `max(0, x)`.
    ReLU,
    /// `clamp(x, −1, 1)`.
    ReLUN1To1,
    /// `clamp(x, 0, 6)`.
    ReLU6,
}

pub(crate) fn check_scale(scale: f32) -> Result<(), QuantError> {
    if scale.is_finite() && scale > 0.0 {
        Ok(())
    } else {
        Err(QuantError::Scale)
    }
}

pub(crate) fn check_zero_point(zero_point: i32) -> Result<(), QuantError> {
    if (-128..=127).contains(&zero_point) {
        Ok(())
    } else {
        Err(QuantError::ZeroPoint)
    }
}

/// The output side of a layer: its zero point and the clamp its fused activation
/// implies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct OutputQuant {
    pub(crate) zero_point: i32,
    pub(crate) min: i32,
    pub(crate) max: i32,
}

impl OutputQuant {
    /// TFLite's `CalculateActivationRangeQuantized`: the activation's bounds quantized
    /// with `f32` division and round half away from zero, intersected with −128..=127.
    pub(crate) fn new(
        scale: f32,
        zero_point: i32,
        activation: Activation,
    ) -> Result<Self, QuantError> {
        check_scale(scale)?;
        check_zero_point(zero_point)?;
        let quantize = |f: f32| {
            let r = libm::roundf(f / scale);
            // Beyond the i32 range TFLite refuses; the clamp below makes it moot here.
            let r = r.clamp(-1.0e9, 1.0e9) as i32;
            zero_point + r
        };
        let (min, max) = match activation {
            Activation::None => (-128, 127),
            Activation::ReLU => (quantize(0.0).max(-128), 127),
            Activation::ReLU6 => (quantize(0.0).max(-128), quantize(6.0).min(127)),
            Activation::ReLUN1To1 => (quantize(-1.0).max(-128), quantize(1.0).min(127)),
        };
        Ok(Self {
            zero_point,
            min,
            max,
        })
    }

    /// Requantizes an accumulator: multiply, add the zero point, clamp.
    #[inline]
    pub(crate) fn finish(&self, acc: i32, multiplier: i32, shift: i32) -> i8 {
        let v = multiply_by_quantized_multiplier(acc, multiplier, shift)
            .saturating_add(self.zero_point);
        v.max(self.min).min(self.max) as i8
    }

    /// [`finish`](Self::finish) with the single-rounding multiply (the fully connected
    /// kernel's).
    #[inline]
    pub(crate) fn finish_single_rounding(&self, acc: i32, multiplier: i32, shift: i32) -> i8 {
        let v = multiply_by_quantized_multiplier_single_rounding(acc, multiplier, shift)
            .saturating_add(self.zero_point);
        v.max(self.min).min(self.max) as i8
    }
}

/// One Q31 multiplier and shift per output channel: `s_in · s_w[o] / s_out`, computed as
/// TFLite does (`f64` products of the `f32` scales, then `QuantizeMultiplier`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ChannelRequant<const N: usize> {
    pub(crate) multiplier: [i32; N],
    pub(crate) shift: [i32; N],
}

impl<const N: usize> ChannelRequant<N> {
    /// Per-channel weight scales.
    pub(crate) fn per_channel(
        input_scale: f32,
        weight_scales: &[f32; N],
        output_scale: f32,
    ) -> Result<Self, QuantError> {
        check_scale(input_scale)?;
        check_scale(output_scale)?;
        let mut multiplier = [0; N];
        let mut shift = [0; N];
        for ((m, s), &ws) in multiplier.iter_mut().zip(&mut shift).zip(weight_scales) {
            check_scale(ws)?;
            let real = f64::from(input_scale) * f64::from(ws) / f64::from(output_scale);
            (*m, *s) = quantize_multiplier(real)?;
        }
        Ok(Self { multiplier, shift })
    }

    /// One weight scale for the whole tensor.
    pub(crate) fn per_tensor(
        input_scale: f32,
        weight_scale: f32,
        output_scale: f32,
    ) -> Result<Self, QuantError> {
        Self::per_channel(input_scale, &[weight_scale; N], output_scale)
    }
}

/// Padding as TFLite names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Padding {
    /// Only windows that fit in the input: `out = (in − k) / stride + 1`.
    Valid,
    /// Zero-padded so that `out = ceil(in / stride)`; the odd pixel of padding goes at the
    /// bottom/right.
    Same,
}

/// TFLite's `ComputeOutSize` (no dilation); 0 when a VALID window does not fit.
pub(crate) const fn output_size(
    padding: Padding,
    input: usize,
    kernel: usize,
    stride: usize,
) -> usize {
    if stride == 0 {
        return 0;
    }
    match padding {
        Padding::Same => input.div_ceil(stride),
        Padding::Valid => {
            if input + stride < kernel {
                0
            } else {
                (input + stride - kernel) / stride
            }
        }
    }
}

/// Where a sliding window starts and how it moves, for one spatial layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Window {
    pub(crate) stride_h: usize,
    pub(crate) stride_w: usize,
    pub(crate) pad_top: usize,
    pub(crate) pad_left: usize,
}

impl Window {
    /// The window for an `H×W` input, a `KH×KW` kernel and an `OH×OW` output, checked:
    /// the output size must be the one `padding` and the strides give (TFLite's
    /// `ComputePaddingHeightWidth`). A `const fn`, so a layer can check it at compile time.
    pub(crate) const fn new<
        const H: usize,
        const W: usize,
        const KH: usize,
        const KW: usize,
        const OH: usize,
        const OW: usize,
    >(
        padding: Padding,
        stride_h: usize,
        stride_w: usize,
    ) -> Result<Self, QuantError> {
        if stride_h == 0 || stride_w == 0 {
            return Err(QuantError::Stride);
        }
        if OH == 0
            || OW == 0
            || output_size(padding, H, KH, stride_h) != OH
            || output_size(padding, W, KW, stride_w) != OW
        {
            return Err(QuantError::OutputSize);
        }
        Ok(Self {
            stride_h,
            stride_w,
            pad_top: pad(OH, stride_h, KH, H),
            pad_left: pad(OW, stride_w, KW, W),
        })
    }
}

const fn pad(out: usize, stride: usize, kernel: usize, input: usize) -> usize {
    let needed = (out - 1) * stride + kernel;
    if needed > input {
        (needed - input) / 2
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn activation_ranges() {
        let q = OutputQuant::new(0.05, -10, Activation::ReLU6).unwrap();
        assert_eq!((q.min, q.max), (-10, 110));
        let q = OutputQuant::new(0.01, 5, Activation::ReLU6).unwrap();
        assert_eq!((q.min, q.max), (5, 127));
        let q = OutputQuant::new(0.1, 0, Activation::ReLUN1To1).unwrap();
        assert_eq!((q.min, q.max), (-10, 10));
        let q = OutputQuant::new(0.1, -128, Activation::ReLU).unwrap();
        assert_eq!((q.min, q.max), (-128, 127));
        assert_eq!(
            OutputQuant::new(0.0, 0, Activation::None),
            Err(QuantError::Scale)
        );
        assert_eq!(
            OutputQuant::new(1.0, 128, Activation::None),
            Err(QuantError::ZeroPoint)
        );
    }

    /// A layer with its strides in the type can check its window while compiling.
    const _: () = assert!(matches!(
        Window::new::<28, 28, 3, 3, 14, 14>(Padding::Same, 2, 2),
        Ok(Window {
            stride_h: 2,
            pad_top: 0,
            ..
        })
    ));

    #[test]
    fn windows() {
        // SAME, stride 2 on 7: out 4, total padding (4−1)·2 + 3 − 7 = 2, top 1.
        let w = Window::new::<7, 7, 3, 3, 4, 4>(Padding::Same, 2, 2).unwrap();
        assert_eq!((w.pad_top, w.pad_left), (1, 1));
        // SAME, stride 1, even kernel: total 1, top 0 (the extra row goes to the bottom).
        let w = Window::new::<5, 5, 2, 2, 5, 5>(Padding::Same, 1, 1).unwrap();
        assert_eq!((w.pad_top, w.pad_left), (0, 0));
        assert_eq!(
            Window::new::<5, 5, 3, 3, 3, 3>(Padding::Valid, 1, 1).map(|w| w.pad_top),
            Ok(0)
        );
        assert_eq!(
            Window::new::<5, 5, 3, 3, 4, 3>(Padding::Valid, 1, 1),
            Err(QuantError::OutputSize)
        );
        assert_eq!(
            Window::new::<5, 5, 3, 3, 3, 3>(Padding::Valid, 0, 1),
            Err(QuantError::Stride)
        );
        assert_eq!(
            Window::new::<2, 2, 3, 3, 1, 1>(Padding::Valid, 1, 1),
            Err(QuantError::OutputSize)
        );
    }
}
