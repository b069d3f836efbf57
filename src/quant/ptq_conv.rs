//! Post-training quantization of the image layers: convolutions, pools, flattening and
//! per-pixel activations (see [`Quantizable`]).

use super::{
    Activation, MinMax, Padding, QAvgPool2d, QConv2d, QDepthwiseConv2d, QFlatten, QGlobalAvgPool2d,
    QLayer, QMaxPool2d, QPerPixel, QuantError, QuantParams, Quantizable, Stride, calibrate,
};
use crate::layer::Layer;
use crate::layers::{
    AvgPool2d, Conv2d, DepthwiseConv2d, Flatten, GlobalAvgPool2d, MaxPool2d, Padding as Pad,
    PerPixel,
};
use crate::scalar::Vector;

/// The int8 twin of a trained float network whatever its input and output (images
/// included), calibrated on `calibration`: the input's parameters, the integer-only
/// network (codes in, codes out), and the output's parameters. Quantize the input with
/// [`QuantParams::quantize`], value by value; [`quantize`](super::quantize) wraps a
/// vector network in [`Quantize`](super::Quantize) / [`Dequantize`](super::Dequantize)
/// instead.
///
/// # Errors
/// As [`quantize`](super::quantize).
pub fn quantize_body<N: Quantizable>(
    net: &N,
    calibration: &[N::Input],
) -> Result<(QuantParams, N::Quantized, QuantParams), QuantError> {
    let (input_range, ranges) = calibrate(net, calibration)?;
    let input = input_range.params()?;
    let (body, output) = net.quantize_layer(input, &ranges)?;
    Ok((input, body, output))
}

/// One output channel's symmetric weight scale: `max |w| / 127` (1 for all zeros).
fn channel_scale(weights: impl Iterator<Item = f32>, bias: f32) -> Result<f32, QuantError> {
    let mut max_abs = 0.0f32;
    for w in weights {
        if !w.is_finite() {
            return Err(QuantError::NotFinite);
        }
        max_abs = max_abs.max(w.abs());
    }
    if !bias.is_finite() {
        return Err(QuantError::NotFinite);
    }
    // An all-zero channel quantizes to zeros under any scale.
    Ok(if max_abs > 0.0 { max_abs / 127.0 } else { 1.0 })
}

fn weight_code(w: f32, scale: f32) -> i8 {
    libm::roundf(w / scale).clamp(-127.0, 127.0) as i8
}

fn bias_code(b: f32, input: QuantParams, scale: f32) -> i32 {
    let b = libm::round(f64::from(b) / (f64::from(input.scale) * f64::from(scale)));
    b.clamp(f64::from(i32::MIN), f64::from(i32::MAX)) as i32
}

const fn padding<P: Pad>() -> Padding {
    if P::SAME {
        Padding::Same
    } else {
        Padding::Valid
    }
}

macro_rules! observe_output {
    () => {
        fn observe(&self, x: &Self::Input, ranges: &mut MinMax) -> Self::Output {
            let y = self.forward(x);
            ranges.observe(Vector::<f32>::as_slice(&y));
            y
        }
    };
}

/// Becomes a [`QConv2d`] with symmetric per-output-channel weights, as
/// [`Dense`](crate::Dense) becomes a [`QDense`](super::QDense).
impl<
    const H: usize,
    const W: usize,
    const C: usize,
    const O: usize,
    const KH: usize,
    const KW: usize,
    const SH: usize,
    const SW: usize,
    P: Pad,
    const OH: usize,
    const OW: usize,
> Quantizable for Conv2d<H, W, C, O, KH, KW, SH, SW, P, OH, OW, f32>
where
    Self: Layer<Scalar = f32, Input = [[[f32; C]; W]; H], Output = [[[f32; O]; OW]; OH]>,
{
    type Ranges = MinMax;
    type Quantized = QConv2d<H, W, C, KH, KW, O, OH, OW>;
    const NO_RANGES: MinMax = MinMax::EMPTY;

    observe_output!();

    fn quantize_layer(
        &self,
        input: QuantParams,
        ranges: &MinMax,
    ) -> Result<(Self::Quantized, QuantParams), QuantError> {
        let output = ranges.params()?;
        let mut filters = [[[[0i8; C]; KW]; KH]; O];
        let mut scales = [1.0f32; O];
        let mut bias = [0i32; O];
        for o in 0..O {
            let w = &self.weights[o];
            let flat = || w.iter().flatten().flatten().copied();
            scales[o] = channel_scale(flat(), self.bias[o])?;
            for (q, v) in filters[o].iter_mut().flatten().flatten().zip(flat()) {
                *q = weight_code(v, scales[o]);
            }
            bias[o] = bias_code(self.bias[o], input, scales[o]);
        }
        let layer = QConv2d::new(
            filters,
            &scales,
            bias,
            Stride::new(padding::<P>(), SH, SW),
            (input, output),
            Activation::None,
        )?;
        Ok((layer, output))
    }
}

/// Becomes a [`QDepthwiseConv2d`] with symmetric per-output-channel weights.
impl<
    const H: usize,
    const W: usize,
    const C: usize,
    const M: usize,
    const KH: usize,
    const KW: usize,
    const SH: usize,
    const SW: usize,
    P: Pad,
    const OH: usize,
    const OW: usize,
    const CM: usize,
> Quantizable for DepthwiseConv2d<H, W, C, M, KH, KW, SH, SW, P, OH, OW, CM, f32>
where
    Self: Layer<Scalar = f32, Input = [[[f32; C]; W]; H], Output = [[[f32; CM]; OW]; OH]>,
{
    type Ranges = MinMax;
    type Quantized = QDepthwiseConv2d<H, W, C, M, CM, KH, KW, OH, OW>;
    const NO_RANGES: MinMax = MinMax::EMPTY;

    observe_output!();

    fn quantize_layer(
        &self,
        input: QuantParams,
        ranges: &MinMax,
    ) -> Result<(Self::Quantized, QuantParams), QuantError> {
        let output = ranges.params()?;
        let mut filters = [[[0i8; CM]; KW]; KH];
        let mut scales = [1.0f32; CM];
        let mut bias = [0i32; CM];
        for o in 0..CM {
            // Output channel o's taps: column o of every kernel cell.
            let taps = || self.weights.iter().flatten().map(move |cell| cell[o]);
            scales[o] = channel_scale(taps(), self.bias[o])?;
            for (cell, v) in filters.iter_mut().flatten().zip(taps()) {
                cell[o] = weight_code(v, scales[o]);
            }
            bias[o] = bias_code(self.bias[o], input, scales[o]);
        }
        let layer = QDepthwiseConv2d::new(
            filters,
            &scales,
            bias,
            Stride::new(padding::<P>(), SH, SW),
            (input, output),
            Activation::None,
        )?;
        Ok((layer, output))
    }
}

macro_rules! pool_quantizable {
    ($($float:ident => $int8:ident),+) => {$(
        /// Becomes the int8 pool with the same window; its output keeps the input's
        /// quantization (as TFLite requires), so calibration records nothing here.
        impl<
            const H: usize,
            const W: usize,
            const C: usize,
            const KH: usize,
            const KW: usize,
            const SH: usize,
            const SW: usize,
            P: Pad,
            const OH: usize,
            const OW: usize,
        > Quantizable for $float<H, W, C, KH, KW, SH, SW, P, OH, OW, f32>
        where
            Self: Layer<Scalar = f32, Input = [[[f32; C]; W]; H], Output = [[[f32; C]; OW]; OH]>,
        {
            type Ranges = ();
            type Quantized = $int8<H, W, C, KH, KW, OH, OW>;
            const NO_RANGES: () = ();

            fn observe(&self, x: &Self::Input, (): &mut ()) -> Self::Output {
                self.forward(x)
            }

            fn quantize_layer(
                &self,
                input: QuantParams,
                (): &(),
            ) -> Result<(Self::Quantized, QuantParams), QuantError> {
                let stride = Stride::new(padding::<P>(), SH, SW);
                Ok(($int8::new(stride, input, Activation::None)?, input))
            }
        }
    )+};
}

pool_quantizable!(MaxPool2d => QMaxPool2d, AvgPool2d => QAvgPool2d);

/// Becomes a [`QGlobalAvgPool2d`]; the output keeps the input's quantization.
impl<const H: usize, const W: usize, const C: usize> Quantizable for GlobalAvgPool2d<H, W, C, f32> {
    type Ranges = ();
    type Quantized = QGlobalAvgPool2d<H, W, C>;
    const NO_RANGES: () = ();

    fn observe(&self, x: &Self::Input, (): &mut ()) -> Self::Output {
        self.forward(x)
    }

    fn quantize_layer(
        &self,
        input: QuantParams,
        (): &(),
    ) -> Result<(Self::Quantized, QuantParams), QuantError> {
        Ok((QGlobalAvgPool2d::new(input)?, input))
    }
}

/// Becomes a [`QFlatten`]: the same codes in another shape.
impl<const H: usize, const W: usize, const C: usize, const N: usize> Quantizable
    for Flatten<H, W, C, N, f32>
{
    type Ranges = ();
    type Quantized = QFlatten<H, W, C, N>;
    const NO_RANGES: () = ();

    fn observe(&self, x: &Self::Input, (): &mut ()) -> Self::Output {
        self.forward(x)
    }

    fn quantize_layer(
        &self,
        input: QuantParams,
        (): &(),
    ) -> Result<(Self::Quantized, QuantParams), QuantError> {
        Ok((QFlatten, input))
    }
}

/// Becomes a [`QPerPixel`] of the inner layer's int8 twin (a [`QTable`](super::QTable)
/// for an activation), calibrated over every pixel.
impl<L, const H: usize, const W: usize, const C: usize, const D: usize> Quantizable
    for PerPixel<L, H, W>
where
    L: Quantizable<Input = [f32; C], Output = [f32; D]>,
    L::Quantized: QLayer<Input = [i8; C], Output = [i8; D]>,
    Self: Layer<Scalar = f32, Input = [[[f32; C]; W]; H], Output = [[[f32; D]; W]; H]>,
{
    type Ranges = L::Ranges;
    type Quantized = QPerPixel<L::Quantized, H, W>;
    const NO_RANGES: L::Ranges = L::NO_RANGES;

    fn observe(&self, x: &Self::Input, ranges: &mut L::Ranges) -> Self::Output {
        x.map(|row| row.map(|px| self.layer.observe(&px, ranges)))
    }

    fn quantize_layer(
        &self,
        input: QuantParams,
        ranges: &L::Ranges,
    ) -> Result<(Self::Quantized, QuantParams), QuantError> {
        let (layer, output) = self.layer.quantize_layer(input, ranges)?;
        Ok((QPerPixel::new(layer), output))
    }
}

#[cfg(test)]
mod tests {
    //! Layer by layer, the int8 network's output agrees with the float layer run on the
    //! int8 network's own (dequantized) input, within a bound stated from the
    //! quantization steps alone:
    //!
    //! * a convolution or dense layer, output channel `o`:
    //!   `|ŷ − y| ≤ s_out + (s_w[o] / 2) · (taps · max|x̂| + s_in)` — at most one output
    //!   step from requantization (TFLite rounds twice), plus the weights' rounding (half a
    //!   weight step on each of the `taps` products) and the bias's (half a step of
    //!   `s_in · s_w[o]`);
    //! * an activation table or an average pool: half an output step;
    //! * a max pool: exact; a flatten: the same codes.
    //!
    //! `y` is the float layer's output clamped to what the output's 256 codes can hold
    //! (inputs re-rounded to codes can move a value just past the calibrated range).
    //! A wrong weight layout, padding, stride, bias scale or zero point is off by far more.

    use super::*;
    use crate::layers::{Dense, Relu, Relu6, Same, Valid};
    use crate::{Init, Scalar as _, SplitMix64};

    type Net = (
        Conv2d<8, 8, 2, 6, 3, 3, 1, 1, Same, 8, 8>,
        PerPixel<Relu<6>, 8, 8>,
        MaxPool2d<8, 8, 6, 2, 2, 2, 2, Valid, 4, 4>,
        DepthwiseConv2d<4, 4, 6, 2, 3, 3, 1, 1, Same, 4, 4, 12>,
        PerPixel<Relu6<12>, 4, 4>,
        Conv2d<4, 4, 12, 8, 3, 3, 2, 2, Same, 2, 2>,
        AvgPool2d<2, 2, 8, 2, 2, 1, 1, Same, 2, 2>,
        Flatten<2, 2, 8, 32>,
        Dense<32, 5>,
    );

    type Gap = (
        Conv2d<5, 5, 1, 4, 3, 3, 1, 1, Valid, 3, 3>,
        GlobalAvgPool2d<3, 3, 4>,
        Dense<4, 3>,
    );

    fn dequantize<const N: usize>(p: QuantParams, q: &[i8]) -> [f32; N] {
        core::array::from_fn(|i| p.dequantize(q[i]))
    }

    fn image<const H: usize, const W: usize, const C: usize>(
        p: QuantParams,
        q: &[[[i8; C]; W]; H],
    ) -> [[[f32; C]; W]; H] {
        q.map(|row| row.map(|px| px.map(|v| p.dequantize(v))))
    }

    /// Asserts the bound at every value and returns the worst error in output steps.
    fn agree(
        layer: &str,
        float: &[f32],
        codes: &[i8],
        out: QuantParams,
        bound: impl Fn(usize) -> f32,
    ) -> f32 {
        assert_eq!(float.len(), codes.len());
        let (lo, hi) = (out.dequantize(-128), out.dequantize(127));
        let mut worst = 0.0f32;
        for (i, (&y, &q)) in float.iter().zip(codes).enumerate() {
            let err = (out.dequantize(q) - y.clamp(lo, hi)).abs();
            let allowed = bound(i) * 1.0001 + 1e-6;
            assert!(
                err <= allowed,
                "{layer}, value {i}: off by {err}, allowed {allowed} (float {y}, code {q})"
            );
            worst = worst.max(err / out.scale());
        }
        worst
    }

    /// The per-channel weight step the scheme prescribes, from the float weights.
    fn step(weights: impl Iterator<Item = f32>) -> f32 {
        weights.fold(0.0f32, |m, w| m.max(w.abs())) / 127.0
    }

    fn max_abs(x: &[f32]) -> f32 {
        x.iter().fold(0.0f32, |m, v| m.max(v.abs()))
    }

    fn randomize_biases(net: &mut Net, rng: &mut SplitMix64) {
        let mut r = || f32::unit(rng) - 0.5;
        net.0.bias = core::array::from_fn(|_| r());
        net.3.bias = core::array::from_fn(|_| r());
        net.5.bias = core::array::from_fn(|_| r());
        net.8.bias = core::array::from_fn(|_| r());
    }

    // One layer after another, each spelled out: the length is the network's.
    #[allow(clippy::too_many_lines)]
    #[test]
    fn every_layer_of_a_quantized_conv_network_stays_within_its_step_bound() {
        let mut rng = SplitMix64::new(12);
        let mut worst = [0.0f32; 9];
        for seed in 0..8 {
            let mut net: Net = Layer::initialized(Init::HeUniform, &mut SplitMix64::new(seed));
            randomize_biases(&mut net, &mut rng);
            let samples: std::vec::Vec<[[[f32; 2]; 8]; 8]> = (0..24)
                .map(|_| {
                    core::array::from_fn(|_| {
                        core::array::from_fn(|_| {
                            core::array::from_fn(|_| 2.0 * f32::unit(&mut rng) - 1.0)
                        })
                    })
                })
                .collect();
            let (p_in, body, p_out) = quantize_body(&net, &samples).unwrap();
            // The parameters of every layer's output, from the calibrated ranges.
            let (_, r) = calibrate(&net, &samples).unwrap();
            let p = [
                r.0.params().unwrap(),
                r.1.params().unwrap(),
                r.1.params().unwrap(), // the pool keeps its input's
                r.3.params().unwrap(),
                r.4.params().unwrap(),
                r.5.params().unwrap(),
                r.5.params().unwrap(),
                r.5.params().unwrap(),
                r.8.params().unwrap(),
            ];
            assert_eq!(p[8], p_out);
            let s_w0: [f32; 6] = core::array::from_fn(|o| {
                step(net.0.weights[o].iter().flatten().flatten().copied())
            });
            let s_w3: [f32; 12] =
                core::array::from_fn(|o| step(net.3.weights.iter().flatten().map(|c| c[o])));
            let s_w5: [f32; 8] = core::array::from_fn(|o| {
                step(net.5.weights[o].iter().flatten().flatten().copied())
            });
            let s_w8: [f32; 5] = core::array::from_fn(|o| step(net.8.weights[o].iter().copied()));
            for x in &samples {
                let q0 = x.map(|row| row.map(|px| px.map(|v| p_in.quantize(v))));
                let x0 = image(p_in, &q0);
                let q1 = body.0.forward(&q0);
                let m = max_abs(x0.as_flattened().as_flattened());
                let b = |i: usize| p[0].scale() + s_w0[i % 6] / 2.0 * (18.0 * m + p_in.scale());
                let w = agree(
                    "conv",
                    Vector::<f32>::as_slice(&net.0.forward(&x0)),
                    q1.as_flattened().as_flattened(),
                    p[0],
                    b,
                );
                worst[0] = worst[0].max(w);

                let x1 = image(p[0], &q1);
                let q2 = body.1.forward(&q1);
                let w = agree(
                    "relu",
                    Vector::<f32>::as_slice(&net.1.forward(&x1)),
                    q2.as_flattened().as_flattened(),
                    p[1],
                    |_| p[1].scale() / 2.0,
                );
                worst[1] = worst[1].max(w);

                let x2 = image(p[1], &q2);
                let q3 = body.2.forward(&q2);
                let w = agree(
                    "max pool",
                    Vector::<f32>::as_slice(&net.2.forward(&x2)),
                    q3.as_flattened().as_flattened(),
                    p[2],
                    |_| 0.0,
                );
                worst[2] = worst[2].max(w);

                let x3 = image(p[2], &q3);
                let q4 = body.3.forward(&q3);
                let m = max_abs(x3.as_flattened().as_flattened());
                let b = |i: usize| p[3].scale() + s_w3[i % 12] / 2.0 * (9.0 * m + p[2].scale());
                let w = agree(
                    "depthwise",
                    Vector::<f32>::as_slice(&net.3.forward(&x3)),
                    q4.as_flattened().as_flattened(),
                    p[3],
                    b,
                );
                worst[3] = worst[3].max(w);

                let x4 = image(p[3], &q4);
                let q5 = body.4.forward(&q4);
                let w = agree(
                    "relu6",
                    Vector::<f32>::as_slice(&net.4.forward(&x4)),
                    q5.as_flattened().as_flattened(),
                    p[4],
                    |_| p[4].scale() / 2.0,
                );
                worst[4] = worst[4].max(w);

                let x5 = image(p[4], &q5);
                let q6 = body.5.forward(&q5);
                let m = max_abs(x5.as_flattened().as_flattened());
                let b = |i: usize| p[5].scale() + s_w5[i % 8] / 2.0 * (108.0 * m + p[4].scale());
                let w = agree(
                    "strided conv",
                    Vector::<f32>::as_slice(&net.5.forward(&x5)),
                    q6.as_flattened().as_flattened(),
                    p[5],
                    b,
                );
                worst[5] = worst[5].max(w);

                let x6 = image(p[5], &q6);
                let q7 = body.6.forward(&q6);
                let w = agree(
                    "average pool",
                    Vector::<f32>::as_slice(&net.6.forward(&x6)),
                    q7.as_flattened().as_flattened(),
                    p[6],
                    |_| p[6].scale() / 2.0,
                );
                worst[6] = worst[6].max(w);

                let q8 = body.7.forward(&q7);
                assert_eq!(&q8[..], q7.as_flattened().as_flattened(), "flatten");

                let x8: [f32; 32] = dequantize(p[7], &q8);
                let q9 = body.8.forward(&q8);
                let m = max_abs(&x8);
                let b = |i: usize| p[8].scale() + s_w8[i] / 2.0 * (32.0 * m + p[7].scale());
                let w = agree("dense", &net.8.forward(&x8), &q9, p[8], b);
                worst[8] = worst[8].max(w);

                // The network is the chain of those layers.
                assert_eq!(body.forward(&q0), q9);
            }
        }
        // Rounding is seen, and the bounds are not so loose that a layer could be
        // off by many steps unnoticed: each layer's worst case, in output steps.
        assert!(worst[0] > 0.3 && worst[0] < 1.5, "conv: {worst:?}");
        assert!(worst[3] > 0.3 && worst[3] < 1.5, "depthwise: {worst:?}");
    }

    #[test]
    fn global_average_pooling_rounds_to_half_a_step() {
        let mut rng = SplitMix64::new(3);
        for seed in 0..8 {
            let net: Gap = Layer::initialized(Init::HeUniform, &mut SplitMix64::new(seed));
            let samples: std::vec::Vec<[[[f32; 1]; 5]; 5]> = (0..16)
                .map(|_| core::array::from_fn(|_| core::array::from_fn(|_| [f32::unit(&mut rng)])))
                .collect();
            let (p_in, body, _) = quantize_body(&net, &samples).unwrap();
            let (_, r) = calibrate(&net, &samples).unwrap();
            let p = r.0.params().unwrap();
            for x in &samples {
                let q0 = x.map(|row| row.map(|px| px.map(|v| p_in.quantize(v))));
                let q1 = body.0.forward(&q0);
                let q2 = body.1.forward(&q1);
                let float = net.1.forward(&image(p, &q1));
                agree("global average", &float, &q2, p, |_| p.scale() / 2.0);
            }
        }
    }

    #[test]
    fn non_finite_weights_and_empty_calibrations_are_refused() {
        let mut net: Net = Layer::initialized(Init::HeUniform, &mut SplitMix64::new(1));
        let x = [[[0.5f32; 2]; 8]; 8];
        assert_eq!(
            quantize_body(&net, &[]).map(|_| ()),
            Err(QuantError::EmptyCalibration)
        );
        net.3.weights[2][1][7] = f32::NAN;
        assert_eq!(
            quantize_body(&net, &[x]).map(|_| ()),
            Err(QuantError::NotFinite)
        );
        net.3.weights[2][1][7] = 0.0;
        net.0.bias[5] = f32::INFINITY;
        assert_eq!(
            quantize_body(&net, &[x]).map(|_| ()),
            Err(QuantError::NotFinite)
        );
    }
}
