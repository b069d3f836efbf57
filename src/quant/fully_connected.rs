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
