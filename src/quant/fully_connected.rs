//! Fully connected (dense) int8 kernel: TFLite's reference
//! `reference_integer_ops::FullyConnected` / `FullyConnectedPerChannel`.

use super::{ChannelRequant, OutputQuant};

/// `output[o] = requant_o(Σ_i weights[o][i] · (input[i] − input_zero_point) + bias[o])`.
///
/// Weights are `[[i8; I]; O]` (one row per output, TFLite's `[O, I]` layout) with zero
/// point 0; the bias is `i32` with scale `s_in · s_w[o]`. A per-tensor layer passes a
/// [`ChannelRequant::per_tensor`], which is the same arithmetic with equal multipliers.
pub(crate) fn fully_connected<const I: usize, const O: usize>(
    input: &[i8; I],
    input_zero_point: i32,
    weights: &[[i8; I]; O],
    bias: &[i32; O],
    requant: &ChannelRequant<O>,
    out: &OutputQuant,
    output: &mut [i8; O],
) {
    for o in 0..O {
        let mut acc = 0i32;
        for (&w, &x) in weights[o].iter().zip(input) {
            acc = acc.wrapping_add(i32::from(w) * (i32::from(x) - input_zero_point));
        }
        acc = acc.wrapping_add(bias[o]);
        output[o] = out.finish_single_rounding(acc, requant.multiplier[o], requant.shift[o]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quant::Activation;

    /// The scheme by hand: x = 0.5·(q − (−1)), w = 0.25·q_w, b = 0.125·q_b, y = 0.1·(q − 10).
    #[test]
    fn worked_example() {
        let input = [3i8, 1]; // x = [2.0, 1.0]
        let weights = [[4i8, -8]]; // w = [1.0, −2.0]
        let bias = [4]; // 0.5 at scale 0.5 · 0.25
        let requant = ChannelRequant::per_tensor(0.5, 0.25, 0.1).unwrap(); // M = 1.25
        let out = OutputQuant::new(0.1, 10, Activation::None).unwrap();
        let mut y = [0i8];
        // acc = 4·(3+1) − 8·(1+1) + 4 = 4; 4 · 1.25 = 5; 5 + 10 = 15, i.e. 0.1·(15 − 10) = 0.5.
        fully_connected(&input, -1, &weights, &bias, &requant, &out, &mut y);
        assert_eq!(y, [15]);
        // With the second input at 3 (x = 2.0): y = 2 − 4 + 0.5 = −1.5 → 10 − 15 = −5,
        // and ReLU clamps it at the zero point.
        fully_connected(&[3, 3], -1, &weights, &bias, &requant, &out, &mut y);
        assert_eq!(y, [-5]);
        let relu = OutputQuant::new(0.1, 10, Activation::ReLU).unwrap();
        fully_connected(&[3, 3], -1, &weights, &bias, &requant, &relu, &mut y);
        assert_eq!(y, [10]);
    }

    /// What the bytes mean, independently of TFLite: the dequantized output is the float
    /// computation on the dequantized operands, to within one output step (rounding of the
    /// result and of the Q31 multiplier), wherever it is not clamped.
    #[test]
    fn dequantized_output_tracks_the_float_computation() {
        let mut s = 7u64;
        let mut next = move || {
            s = s
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (s >> 33) as u32
        };
        let mut checked = 0;
        for _ in 0..500 {
            let q = |v: u32| (v % 256).cast_signed() - 128;
            let s_in = 0.001 + (next() % 1000) as f32 / 1000.0;
            let z_in = q(next());
            let w_scales: [f32; 6] =
                core::array::from_fn(|_| 0.001 + (next() % 100) as f32 / 1000.0);
            let weights: [[i8; 10]; 6] =
                core::array::from_fn(|_| core::array::from_fn(|_| q(next()) as i8));
            let bias: [i32; 6] = core::array::from_fn(|_| (next() % 2001).cast_signed() - 1000);
            let input: [i8; 10] = core::array::from_fn(|_| q(next()) as i8);
            let s_out = 0.05 + (next() % 1000) as f32 / 100.0;
            let z_out = q(next()) / 2;
            let requant = ChannelRequant::per_channel(s_in, &w_scales, s_out).unwrap();
            let out = OutputQuant::new(s_out, z_out, Activation::None).unwrap();
            let mut y = [0i8; 6];
            fully_connected(&input, z_in, &weights, &bias, &requant, &out, &mut y);
            for o in 0..6 {
                let mut real = f64::from(bias[o]) * f64::from(s_in) * f64::from(w_scales[o]);
                for i in 0..10 {
                    real += f64::from(w_scales[o])
                        * f64::from(weights[o][i])
                        * f64::from(s_in)
                        * f64::from(i32::from(input[i]) - z_in);
                }
                let ideal = real / f64::from(s_out) + f64::from(z_out);
                if ideal > -127.0 && ideal < 126.0 {
                    assert!(
                        (f64::from(y[o]) - ideal).abs() <= 1.0,
                        "{} vs {ideal}",
                        y[o]
                    );
                    checked += 1;
                }
            }
        }
        assert!(checked > 300, "only {checked} unclamped outputs");
    }
}
