//! The float boundaries of an int8 network: [`Quantize`] at the input, [`Dequantize`] at
//! the output. The only int8 layers that touch floating point.

use super::{QLayer, QuantParams, quantize};

/// `f32 → i8`: `q = clamp(round(x / scale) + zero_point, −128, 127)`, rounding half away
/// from zero (TensorFlow Lite's `QUANTIZE`, bit for bit). NaN gives the zero point.
///
/// It crosses into the int8 world, so it computes in `f32`: on a core without an FPU,
/// feed the integer part of a network ([`QDense`](super::QDense) …) with codes instead.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Quantize<const N: usize> {
    params: QuantParams,
}

impl<const N: usize> Quantize<N> {
    /// Quantizes into `params`.
    pub const fn new(params: QuantParams) -> Self {
        Self { params }
    }

    /// The parameters of its output.
    pub const fn params(&self) -> QuantParams {
        self.params
    }
}

impl<const N: usize> QLayer for Quantize<N> {
    type Input = [f32; N];
    type Output = [i8; N];

    #[inline]
    fn forward(&self, x: &[f32; N]) -> [i8; N] {
        let mut y = [0; N];
        quantize::quantize(x, self.params.scale, self.params.zero_point, &mut y);
        y
    }
}

/// `i8 → f32`: `x = scale · (q − zero_point)`, computed in `f64` and rounded once, as
/// TensorFlow Lite's `DEQUANTIZE` (bit for bit).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Dequantize<const N: usize> {
    params: QuantParams,
}

impl<const N: usize> Dequantize<N> {
    /// Dequantizes from `params`.
    pub const fn new(params: QuantParams) -> Self {
        Self { params }
    }

    /// The parameters of its input.
    pub const fn params(&self) -> QuantParams {
        self.params
    }
}

impl<const N: usize> QLayer for Dequantize<N> {
    type Input = [i8; N];
    type Output = [f32; N];

    #[inline]
    fn forward(&self, x: &[i8; N]) -> [f32; N] {
        let mut y = [0.0; N];
        quantize::dequantize(x, self.params.scale, self.params.zero_point, &mut y);
        y
    }
}
