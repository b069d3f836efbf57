//! Post-training quantization: a trained `f32` network and a calibration set give its
//! int8 twin (the steps are in the module docs of `quant`).

use super::{
    Activation, Dequantize, QDense, QLayer, QSoftmax, QTable, QuantError, QuantParams, Quantize,
};
use crate::chain::Fits;
use crate::layer::Layer;
use crate::layers::{Dense, Identity, LeakyRelu, Relu, Relu6, Sigmoid, Softmax, Step, Tanh};
use crate::scalar::Vector;

/// The smallest and largest value seen while calibrating one tensor.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MinMax {
    min: f32,
    max: f32,
    finite: bool,
}

impl MinMax {
    /// Nothing seen yet.
    pub const EMPTY: Self = Self {
        min: f32::INFINITY,
        max: f32::NEG_INFINITY,
        finite: true,
    };

    /// Widens the range to hold `values`; a NaN or infinity marks it unusable.
    pub fn observe(&mut self, values: &[f32]) {
        for &v in values {
            if v.is_finite() {
                self.min = self.min.min(v);
                self.max = self.max.max(v);
            } else {
                self.finite = false;
            }
        }
    }

    /// `(min, max)`, or `None` if nothing was seen.
    pub fn bounds(&self) -> Option<(f32, f32)> {
        (self.min <= self.max).then_some((self.min, self.max))
    }

    /// The int8 parameters that cover the range ([`QuantParams::from_range`]).
    ///
    /// # Errors
    /// [`QuantError::NotFinite`] if a value seen was not finite,
    /// [`QuantError::EmptyCalibration`] if nothing was seen.
    pub fn params(&self) -> Result<QuantParams, QuantError> {
        if !self.finite {
            return Err(QuantError::NotFinite);
        }
        let (min, max) = self.bounds().ok_or(QuantError::EmptyCalibration)?;
        QuantParams::from_range(min, max)
    }
}

/// A float layer (or network) that has an int8 twin: how to calibrate it and how to
/// quantize it, layer by layer.
///
/// Implemented for [`Dense`], the element-wise activations, [`Softmax`], the image
/// layers ([`Conv2d`](crate::Conv2d), [`DepthwiseConv2d`](crate::DepthwiseConv2d), the
/// pools, [`Flatten`](crate::Flatten), [`PerPixel`](crate::PerPixel) of an activation),
/// and tuples of these (nested too). [`quantize`] is the function to call for a vector
/// network, [`quantize_body`](super::quantize_body) for an image one.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no int8 twin",
    label = "cannot be quantized",
    note = "`typenet::quant::quantize` takes `Dense`, `Conv2d`, `DepthwiseConv2d`, `MaxPool2d`, `AvgPool2d`, `GlobalAvgPool2d`, `Flatten`, `PerPixel`, `Sigmoid`, `Tanh`, `Relu`, `Relu6`, `LeakyRelu`, `Step`, `Identity`, `Softmax` and tuples of them"
)]
pub trait Quantizable: Layer<Scalar = f32> {
    /// The ranges calibration records: one [`MinMax`] per layer output, shaped like the
    /// network (a tuple for a tuple).
    type Ranges: Copy + core::fmt::Debug;
    /// The int8 twin: codes in, codes out.
    type Quantized: QLayer;
    /// Ranges before any sample.
    const NO_RANGES: Self::Ranges;

    /// The float forward pass, widening `ranges` with every output it computes.
    fn observe(&self, x: &Self::Input, ranges: &mut Self::Ranges) -> Self::Output;

    /// The int8 twin for an input quantized with `input`, and its output's parameters.
    ///
    /// # Errors
    /// A [`QuantError`] if a range is empty or not finite, a weight is not finite, or
    /// a requantization multiplier cannot be represented.
    fn quantize_layer(
        &self,
        input: QuantParams,
        ranges: &Self::Ranges,
    ) -> Result<(Self::Quantized, QuantParams), QuantError>;
}

/// Runs `net` on every sample and returns the input's range and every layer output's.
///
/// # Errors
/// [`QuantError::EmptyCalibration`] for no samples.
pub fn calibrate<N: Quantizable>(
    net: &N,
    samples: &[N::Input],
) -> Result<(MinMax, N::Ranges), QuantError> {
    if samples.is_empty() {
        return Err(QuantError::EmptyCalibration);
    }
    let mut input = MinMax::EMPTY;
    let mut ranges = N::NO_RANGES;
    for x in samples {
        input.observe(x.as_slice());
        net.observe(x, &mut ranges);
    }
    Ok((input, ranges))
}

/// The int8 twin of a trained float network, calibrated on `calibration` (min/max
/// ranges; see [the module docs](super)): `(Quantize<I>, twin, Dequantize<O>)`, floats in and
/// out. The middle element is the integer-only network, codes in and codes out, for a
/// core without an FPU.
///
/// # Errors
/// [`QuantError::EmptyCalibration`] for an empty calibration set,
/// [`QuantError::NotFinite`] for a non-finite input, weight or activation, and the
/// errors of the layers' constructors.
pub fn quantize<const I: usize, const O: usize, N>(
    net: &N,
    calibration: &[[f32; I]],
) -> Result<(Quantize<I>, N::Quantized, Dequantize<O>), QuantError>
where
    N: Quantizable + Layer<Input = [f32; I], Output = [f32; O]>,
    N::Quantized: QLayer<Input = [i8; I], Output = [i8; O]>,
{
    let (input_range, ranges) = calibrate(net, calibration)?;
    let input = input_range.params()?;
    let (body, output) = net.quantize_layer(input, &ranges)?;
    Ok((Quantize::new(input), body, Dequantize::new(output)))
}

impl<const I: usize, const O: usize> Quantizable for Dense<I, O, f32> {
    type Ranges = MinMax;
    type Quantized = QDense<I, O>;
    const NO_RANGES: MinMax = MinMax::EMPTY;

    fn observe(&self, x: &[f32; I], ranges: &mut MinMax) -> [f32; O] {
        let y = self.forward(x);
        ranges.observe(&y);
        y
    }

    fn quantize_layer(
        &self,
        input: QuantParams,
        ranges: &MinMax,
    ) -> Result<(QDense<I, O>, QuantParams), QuantError> {
        let output = ranges.params()?;
        let mut weights = [[0i8; I]; O];
        let mut scales = [1.0f32; O];
        let mut bias = [0i32; O];
        for (((row, q), scale), (b, qb)) in self
            .weights
            .iter()
            .zip(&mut weights)
            .zip(&mut scales)
            .zip(self.bias.iter().zip(&mut bias))
        {
            if !(b.is_finite() && row.iter().all(|w| w.is_finite())) {
                return Err(QuantError::NotFinite);
            }
            let max_abs = row.iter().fold(0.0f32, |m, w| m.max(w.abs()));
            // An all-zero row quantizes to zeros under any scale.
            *scale = if max_abs > 0.0 { max_abs / 127.0 } else { 1.0 };
            for (w, qw) in row.iter().zip(q) {
                *qw = libm::roundf(w / *scale).clamp(-127.0, 127.0) as i8;
            }
            let b = libm::round(f64::from(*b) / (f64::from(input.scale) * f64::from(*scale)));
            *qb = b.clamp(f64::from(i32::MIN), f64::from(i32::MAX)) as i32;
        }
        let layer = QDense::new(weights, &scales, bias, input, output, Activation::None)?;
        Ok((layer, output))
    }
}

macro_rules! element_wise {
    ($($name:ident),+) => {$(
        /// Becomes a [`QTable`] of the function between the input's and the output's
        /// quantization.
        impl<const N: usize> Quantizable for $name<N, f32> {
            type Ranges = MinMax;
            type Quantized = QTable<N>;
            const NO_RANGES: MinMax = MinMax::EMPTY;

            fn observe(&self, x: &[f32; N], ranges: &mut MinMax) -> [f32; N] {
                let y = self.forward(x);
                ranges.observe(&y);
                y
            }

            fn quantize_layer(
                &self,
                input: QuantParams,
                ranges: &MinMax,
            ) -> Result<(QTable<N>, QuantParams), QuantError> {
                let output = ranges.params()?;
                // The layer's own forward, on one value (settings such as a slope
                // included).
                let f = |v: f32| self.forward(&[v; N]).first().copied().unwrap_or(0.0);
                Ok((QTable::from_fn(input, output, f)?, output))
            }
        }
    )+};
}

element_wise!(Sigmoid, Tanh, Relu, Relu6, LeakyRelu, Step, Identity);

impl<const N: usize> Quantizable for Softmax<N, f32> {
    type Ranges = ();
    type Quantized = QSoftmax<N>;
    const NO_RANGES: () = ();

    fn observe(&self, x: &[f32; N], (): &mut ()) -> [f32; N] {
        self.forward(x)
    }

    fn quantize_layer(
        &self,
        input: QuantParams,
        (): &(),
    ) -> Result<(QSoftmax<N>, QuantParams), QuantError> {
        Ok((QSoftmax::new(input, 1.0)?, QSoftmax::<N>::OUTPUT))
    }
}

macro_rules! tuple_quantizable {
    (
        first: $A0:ident $i0:tt $c0:ident,
        last: $AL:ident $iL:tt,
        all: [$($A:ident $i:tt $c:ident),+],
        pairs: [$($P:ident $pi:tt => $N:ident $ni:tt $nc:ident),*],
        rev_pairs: [$($RN:ident $rni:tt => $RP:ident $rpi:tt),*]
    ) => {
        impl<$($A),+> Quantizable for ($($A,)+)
        where
            $A0: Quantizable,
            $(
                $N: Quantizable,
                <$P as Layer>::Output: Fits<<$N as Layer>::Input, $P, $N>,
            )*
            ($(<$A as Quantizable>::Quantized,)+): QLayer,
        {
            type Ranges = ($(<$A as Quantizable>::Ranges,)+);
            type Quantized = ($(<$A as Quantizable>::Quantized,)+);
            const NO_RANGES: Self::Ranges = ($(<$A as Quantizable>::NO_RANGES,)+);

            fn observe(&self, x: &Self::Input, ranges: &mut Self::Ranges) -> Self::Output {
                let y = self.$i0.observe(x, &mut ranges.$i0);
                $(let y = self.$ni.observe(
                    &<<$P as Layer>::Output as Fits<_, $P, $N>>::fit(y),
                    &mut ranges.$ni,
                );)*
                y
            }

            fn quantize_layer(
                &self,
                input: QuantParams,
                ranges: &Self::Ranges,
            ) -> Result<(Self::Quantized, QuantParams), QuantError> {
                let params = input;
                $(let ($c, params) = self.$i.quantize_layer(params, &ranges.$i)?;)+
                Ok((($($c,)+), params))
            }
        }
    };
}

crate::chain::for_each_tuple!(tuple_quantizable);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Init, Scalar as _, SplitMix64};

    #[test]
    fn ranges_become_parameters_that_hold_zero() {
        let p = QuantParams::from_range(0.0, 2.55).unwrap();
        assert_eq!((p.scale(), p.zero_point()), (0.01, -128));
        // [1, 2] is widened to [0, 2]: 0 stays a code.
        let p = QuantParams::from_range(1.0, 2.0).unwrap();
        assert_eq!(p.zero_point(), -128);
        assert_eq!(p.quantize(0.0), -128);
        let p = QuantParams::from_range(-3.0, -1.0).unwrap();
        assert_eq!(p.zero_point(), 127);
        let p = QuantParams::from_range(0.0, 0.0).unwrap();
        assert_eq!((p.scale(), p.zero_point()), (1.0, 0));
        assert_eq!(
            QuantParams::from_range(f32::NAN, 1.0),
            Err(QuantError::NotFinite)
        );
        assert_eq!(
            QuantParams::from_range(2.0, 1.0),
            Err(QuantError::NotFinite)
        );
        let mut r = MinMax::EMPTY;
        assert_eq!(r.params(), Err(QuantError::EmptyCalibration));
        r.observe(&[0.5, -0.25]);
        assert_eq!(r.bounds(), Some((-0.25, 0.5)));
        r.observe(&[f32::INFINITY]);
        assert_eq!(r.params(), Err(QuantError::NotFinite));
    }

    #[test]
    fn bad_calibrations_and_weights_are_refused() {
        let mut net: (Dense<2, 3>, Relu<3>, Dense<3, 2>) =
            Layer::initialized(Init::HeUniform, &mut SplitMix64::new(2));
        assert_eq!(
            quantize(&net, &[]).map(|_| ()),
            Err(QuantError::EmptyCalibration)
        );
        assert_eq!(
            quantize(&net, &[[1.0, f32::NAN]]).map(|_| ()),
            Err(QuantError::NotFinite)
        );
        net.2.weights[1][0] = f32::INFINITY;
        assert_eq!(
            quantize(&net, &[[1.0, 0.5]]).map(|_| ()),
            Err(QuantError::NotFinite)
        );
    }

    /// Each weight is within half a step of its float value, and the int8 network's
    /// outputs are within a few output steps of the float network's, on inputs inside the
    /// calibrated range.
    #[test]
    fn the_int8_twin_tracks_the_float_network() {
        type Net = (
            Dense<6, 16>,
            Tanh<16>,
            Dense<16, 12>,
            Relu<12>,
            Dense<12, 3>,
        );
        let mut rng = SplitMix64::new(9);
        for seed in 0..20 {
            let net: Net = Layer::initialized(Init::XavierUniform, &mut SplitMix64::new(seed));
            let samples: [[f32; 6]; 64] =
                core::array::from_fn(|_| core::array::from_fn(|_| 2.0 * f32::unit(&mut rng) - 1.0));
            let (q, body, dq) = quantize(&net, &samples).unwrap();
            let dense = &body.0;
            for o in 0..16 {
                let max_abs = net.0.weights[o].iter().fold(0.0f32, |m, w| m.max(w.abs()));
                let step = max_abs / 127.0;
                for i in 0..6 {
                    let back = step * f32::from(dense.weights()[o][i]);
                    assert!((back - net.0.weights[o][i]).abs() <= step * 0.5001);
                }
            }
            let out_step = dq.params().scale();
            let mut worst = 0.0f32;
            for x in &samples {
                let float = net.forward(x);
                let fixed = dq.forward(&body.forward(&q.forward(x)));
                for (a, b) in float.iter().zip(&fixed) {
                    worst = worst.max((a - b).abs() / out_step);
                }
            }
            // Three layers of rounding: a few output steps at most.
            assert!(worst < 6.0, "seed {seed}: {worst} output steps off");
        }
    }
}
