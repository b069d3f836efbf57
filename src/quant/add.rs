//! Element-wise int8 addition (a residual sum): TFLite's reference
//! `reference_integer_ops::Add`, with the preparation of its `add.cc`.
//!
//! Both inputs are brought to a common scale, twice the larger input scale, with
//! 20 bits of headroom (`left_shift = 20`): each input `q − z` is shifted left by 20 and
//! multiplied by `s_i / (2·max(s_1, s_2))` (a multiplier ≤ ½); the sum is multiplied by
//! `2·max(s_1, s_2) / (2^20 · s_out)`. The headroom keeps the rounding of the two input
//! multipliers far below one output step.

use super::arith::{multiply_by_quantized_multiplier, quantize_multiplier_smaller_than_one};
use super::{Activation, OutputQuant, QuantError, check_scale, check_zero_point};

const LEFT_SHIFT: i32 = 20;

/// Prepared parameters of an int8 addition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct AddParams {
    input1_offset: i32,
    input2_offset: i32,
    input1_multiplier: i32,
    input1_shift: i32,
    input2_multiplier: i32,
    input2_shift: i32,
    output_multiplier: i32,
    output_shift: i32,
    out: OutputQuant,
}

impl AddParams {
    /// From the two inputs' and the output's (scale, zero point), as TFLite's `Prepare`.
    /// Errors if a scale or zero point is invalid, or if the output scale is so small
    /// (below `2·max(s_1, s_2) / 2^20`) that the output multiplier reaches one.
    pub(crate) fn new(
        (s1, z1): (f32, i32),
        (s2, z2): (f32, i32),
        (so, zo): (f32, i32),
        activation: Activation,
    ) -> Result<Self, QuantError> {
        check_scale(s1)?;
        check_scale(s2)?;
        check_zero_point(z1)?;
        check_zero_point(z2)?;
        let out = OutputQuant::new(so, zo, activation)?;
        let twice_max = 2.0 * f64::from(s1.max(s2));
        let (input1_multiplier, input1_shift) =
            quantize_multiplier_smaller_than_one(f64::from(s1) / twice_max)?;
        let (input2_multiplier, input2_shift) =
            quantize_multiplier_smaller_than_one(f64::from(s2) / twice_max)?;
        let (output_multiplier, output_shift) = quantize_multiplier_smaller_than_one(
            twice_max / (f64::from(1 << LEFT_SHIFT) * f64::from(so)),
        )?;
        Ok(Self {
            input1_offset: -z1,
            input2_offset: -z2,
            input1_multiplier,
            input1_shift,
            input2_multiplier,
            input2_shift,
            output_multiplier,
            output_shift,
            out,
        })
    }

    /// From multipliers prepared beforehand (by `include_tflite!`, as TFLite's `Prepare`
    /// does): the inputs' zero points and `(multiplier, shift)`s, the output's
    /// `(multiplier, shift)`, zero point and clamp. A float-free `const fn`; errors if a
    /// multiplier is not a Q31 value in `[2^30, 2^31)` (or 0 with shift 0), a shift is
    /// positive (every multiplier of an addition is below one), or a zero point or the
    /// clamp lies outside −128..=127.
    #[inline]
    pub(crate) const fn from_prepared(
        zero_points: (i32, i32, i32),
        inputs: ((i32, i32), (i32, i32)),
        (output_multiplier, output_shift): (i32, i32),
        (min, max): (i32, i32),
    ) -> Result<Self, QuantError> {
        let ((m1, s1), (m2, s2)) = inputs;
        let all = [(m1, s1), (m2, s2), (output_multiplier, output_shift)];
        let mut k = 0;
        while k < all.len() {
            let (m, s) = all[k];
            if !((m >= 1 << 30 || (m == 0 && s == 0)) && s >= -31 && s <= 0) {
                return Err(QuantError::Prepared);
            }
            k += 1;
        }
        let (z1, z2, zo) = zero_points;
        let zs = [z1, z2, zo];
        let mut k = 0;
        while k < zs.len() {
            if zs[k] < -128 || zs[k] > 127 {
                return Err(QuantError::ZeroPoint);
            }
            k += 1;
        }
        if min < -128 || max > 127 || min > max {
            return Err(QuantError::Clamp);
        }
        Ok(Self {
            input1_offset: -z1,
            input2_offset: -z2,
            input1_multiplier: m1,
            input1_shift: s1,
            input2_multiplier: m2,
            input2_shift: s2,
            output_multiplier,
            output_shift,
            out: OutputQuant {
                zero_point: zo,
                min,
                max,
            },
        })
    }

    #[inline]
    fn add_one(&self, x: i8, y: i8) -> i8 {
        let a = (self.input1_offset + i32::from(x)) << LEFT_SHIFT;
        let b = (self.input2_offset + i32::from(y)) << LEFT_SHIFT;
        let a = multiply_by_quantized_multiplier(a, self.input1_multiplier, self.input1_shift);
        let b = multiply_by_quantized_multiplier(b, self.input2_multiplier, self.input2_shift);
        self.out
            .finish(a + b, self.output_multiplier, self.output_shift)
    }
}

/// `output[i] = input1[i] + input2[i]` in real terms, for tensors of any shape flattened
/// to `N` elements (no broadcasting).
pub(crate) fn add<const N: usize>(
    params: &AddParams,
    input1: &[i8; N],
    input2: &[i8; N],
    output: &mut [i8; N],
) {
    for ((o, &x), &y) in output.iter_mut().zip(input1).zip(input2) {
        *o = params.add_one(x, y);
    }
}

/// [`add`] on slices of one length (the codes of two tensors of any one shape, in memory
/// order); `output` is as long as the shorter of the three.
// `#[inline]`: compiled only where it is used, so that `add_one`'s other caller, `add`,
// is optimized as before in programs that do not use it (the `int8_layers` firmware
// grew by 36 B of flash and 16 B of stack without it).
#[inline]
pub(crate) fn add_codes(params: &AddParams, input1: &[i8], input2: &[i8], output: &mut [i8]) {
    for ((o, &x), &y) in output.iter_mut().zip(input1).zip(input2) {
        *o = params.add_one(x, y);
    }
}
