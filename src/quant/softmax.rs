//! Int8 softmax: TFLite's reference kernel (`reference_ops::Softmax` for 8-bit types,
//! prepared as `activations.cc` does for the reference kernels) in gemmlowp fixed point.
//!
//! For each row, the differences `q − max(q)` (≤ 0) are scaled by `β · s_in` into a
//! fixed-point number with 5 integer bits, `exp` of it is evaluated in Q0.31 by a Taylor
//! polynomial on [−¼, 0) and a barrel of constant factors `exp(−2^k)`, the exps are summed
//! with 12 integer bits, the sum's reciprocal is found by Newton–Raphson, and each
//! output is `exp · (1/sum)` in steps of 1/256, with zero point −128 (the output's
//! quantization is fixed by TFLite: scale 1/256, zero point −128).

use super::QuantError;
use super::arith::{
    quantize_multiplier, rounding_divide_by_pot, saturating_rounding_doubling_high_mul as mul,
    saturating_rounding_multiply_by_pot,
};

const SCALED_DIFF_INTEGER_BITS: i32 = 5;
const ACCUMULATION_INTEGER_BITS: i32 = 12;

/// Prepared parameters of an int8 softmax.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct SoftmaxParams {
    pub(crate) input_multiplier: i32,
    pub(crate) input_left_shift: i32,
    pub(crate) diff_min: i32,
}

impl SoftmaxParams {
    /// TFLite's `PreprocessSoftmaxScaling` and `CalculateInputRadius`: the multiplier
    /// `β · s_in · 2^26`, capped at `2^31 − 1`, and the most negative difference whose
    /// scaled value still fits (smaller ones give an output of exactly −128).
    pub(crate) fn new(input_scale: f32, beta: f32) -> Result<Self, QuantError> {
        super::check_scale(input_scale)?;
        if !(beta.is_finite() && beta > 0.0) {
            return Err(QuantError::Beta);
        }
        let max_real = f64::from(i32::MAX);
        let real = (f64::from(beta)
            * f64::from(input_scale)
            * f64::from(1i32 << (31 - SCALED_DIFF_INTEGER_BITS)))
        .min(max_real);
        // TFLite requires this multiplier to exceed one (its shift is ≥ 0).
        if real <= 1.0 {
            return Err(QuantError::Multiplier);
        }
        let (input_multiplier, input_left_shift) = quantize_multiplier(real)?;
        let max_input_rescaled = f64::from((1i32 << SCALED_DIFF_INTEGER_BITS) - 1)
            * ((1i64 << (31 - SCALED_DIFF_INTEGER_BITS)) as f64)
            / ((1i64 << input_left_shift) as f64);
        let radius = libm::floor(max_input_rescaled) as i32;
        Ok(Self {
            input_multiplier,
            input_left_shift,
            diff_min: -radius,
        })
    }

    /// The scaled difference, a fixed-point number with 5 integer bits
    /// (`MultiplyByQuantizedMultiplierGreaterThanOne`).
    #[inline]
    fn scaled_diff(&self, diff: i32) -> i32 {
        mul(
            diff.wrapping_shl(self.input_left_shift.cast_unsigned()),
            self.input_multiplier,
        )
    }
}

/// Softmax along the last axis of `R` rows of `N` values.
pub(crate) fn softmax<const R: usize, const N: usize>(
    params: &SoftmaxParams,
    input: &[[i8; N]; R],
    output: &mut [[i8; N]; R],
) {
    for (row, out) in input.iter().zip(output.iter_mut()) {
        let max = row.iter().copied().max().unwrap_or(i8::MIN);
        let mut sum_of_exps = 0i32; // 12 integer bits
        for &q in row {
            let diff = i32::from(q) - i32::from(max);
            if diff >= params.diff_min {
                let e = exp_on_negative_values(params.scaled_diff(diff));
                // Saturating: only rows of more than 4096 values can reach i32::MAX.
                sum_of_exps = sum_of_exps.saturating_add(saturating_rounding_multiply_by_pot(
                    e,
                    -ACCUMULATION_INTEGER_BITS,
                ));
            }
        }
        let (shifted_scale, num_bits_over_unit) =
            reciprocal(sum_of_exps, ACCUMULATION_INTEGER_BITS);
        for (&q, o) in row.iter().zip(out.iter_mut()) {
            let diff = i32::from(q) - i32::from(max);
            *o = if diff >= params.diff_min {
                let e = exp_on_negative_values(params.scaled_diff(diff));
                let unsat =
                    rounding_divide_by_pot(mul(shifted_scale, e), num_bits_over_unit + 31 - 8);
                (unsat - 128).clamp(-128, 127) as i8
            } else {
                i8::MIN
            };
        }
    }
}

/// TFLite's `GetReciprocal`: `1 / x` for a positive fixed-point `x` with
/// `integer_bits` integer bits, as a Q0.31 significand and the number of bits by which
/// `x` exceeds one.
fn reciprocal(x: i32, integer_bits: i32) -> (i32, i32) {
    let headroom_plus_one = x.cast_unsigned().leading_zeros().cast_signed();
    let num_bits_over_unit = integer_bits - headroom_plus_one;
    let shifted_sum_minus_one = (x
        .cast_unsigned()
        .wrapping_shl(headroom_plus_one.cast_unsigned()))
    .wrapping_sub(1u32 << 31)
    .cast_signed();
    (
        one_over_one_plus_x_for_x_in_0_1(shifted_sum_minus_one),
        num_bits_over_unit,
    )
}

/// gemmlowp's `exp_on_interval_between_negative_one_quarter_and_0_excl`, Q0.31 in and out.
fn exp_on_interval_between_negative_one_quarter_and_0_excl(a: i32) -> i32 {
    const CONSTANT_TERM: i32 = 1_895_147_668; // exp(−1/8)
    const CONSTANT_1_OVER_3: i32 = 715_827_883;
    let x = a + (1 << 28); // a + 1/8
    let x2 = mul(x, x);
    let x3 = mul(x2, x);
    let x4 = mul(x2, x2);
    let x4_over_4 = saturating_rounding_multiply_by_pot(x4, -2);
    let poly = saturating_rounding_multiply_by_pot(mul(x4_over_4 + x3, CONSTANT_1_OVER_3) + x2, -1);
    CONSTANT_TERM + mul(CONSTANT_TERM, x + poly)
}

/// gemmlowp's `exp_on_negative_values` for an input with 5 integer bits (26 fractional
/// bits); the result is Q0.31.
fn exp_on_negative_values(a: i32) -> i32 {
    const FRACTIONAL_BITS: i32 = 31 - SCALED_DIFF_INTEGER_BITS;
    const ONE_QUARTER: i32 = 1 << (FRACTIONAL_BITS - 2);
    // exp(−2^k) in Q0.31 for k = −2..=4.
    const BARREL: [(i32, i32); 7] = [
        (-2, 1_672_461_947),
        (-1, 1_302_514_674),
        (0, 790_015_084),
        (1, 290_630_308),
        (2, 39_332_535),
        (3, 720_401),
        (4, 242),
    ];
    let mask = ONE_QUARTER - 1;
    let a_mod_quarter_minus_one_quarter = (a & mask) - ONE_QUARTER;
    let mut result = exp_on_interval_between_negative_one_quarter_and_0_excl(
        saturating_rounding_multiply_by_pot(
            a_mod_quarter_minus_one_quarter,
            SCALED_DIFF_INTEGER_BITS,
        ),
    );
    let remainder = a_mod_quarter_minus_one_quarter.wrapping_sub(a);
    for (exponent, multiplier) in BARREL {
        if remainder & (1 << (FRACTIONAL_BITS + exponent)) != 0 {
            result = mul(result, multiplier);
        }
    }
    if a == 0 { i32::MAX } else { result }
}

/// gemmlowp's `one_over_one_plus_x_for_x_in_0_1`: Q0.31 in and out, by three
/// Newton–Raphson steps in Q2.29.
fn one_over_one_plus_x_for_x_in_0_1(a: i32) -> i32 {
    const CONSTANT_48_OVER_17: i32 = 1_515_870_810;
    const CONSTANT_NEG_32_OVER_17: i32 = -1_010_580_540;
    const ONE_Q2: i32 = 1 << 29;
    // RoundingHalfSum(a, One) with One = i32::MAX in Q0.31.
    let sum = i64::from(a) + i64::from(i32::MAX);
    let sign = if sum >= 0 { 1 } else { -1 };
    // C's truncating division, kept literally (`midpoint` would floor instead).
    #[allow(clippy::manual_midpoint)]
    let half_denominator = ((sum + sign) / 2) as i32;
    let mut x = CONSTANT_48_OVER_17 + mul(half_denominator, CONSTANT_NEG_32_OVER_17);
    for _ in 0..3 {
        let half_denominator_times_x = mul(half_denominator, x);
        let one_minus = ONE_Q2 - half_denominator_times_x;
        x += saturating_rounding_multiply_by_pot(mul(x, one_minus), 2);
    }
    // ExactMulByPot<−1> (Q2 → Q1, same raw) then Rescale<0> (Q1 → Q0: ×2 saturating).
    saturating_rounding_multiply_by_pot(x, 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows where TFLite's reference kernel aborts (a shift of 32 or more in the last
    /// step): the output is still the rounded softmax, here 1/1024 or 1/5000 → code −128,
    /// and the one larger value gets its share.
    #[test]
    fn wide_rows_of_equal_values_do_not_fail() {
        let params = SoftmaxParams::new(0.05, 1.0).unwrap();
        let mut input = [[7i8; 1024]];
        input[0][5] = 127; // e^(120·0.05) = e^6 ≈ 403 times the others: 403/1426 → 0.28
        let mut out = [[0i8; 1024]];
        softmax(&params, &input, &mut out);
        assert!(out[0].iter().enumerate().all(|(i, &v)| i == 5 || v == -128));
        assert_eq!(
            out[0][5],
            (-128.0 + 256.0 * 403.43 / 1426.43_f64).round() as i8
        );
        let big = [[3i8; 5000]];
        let mut out = [[0i8; 5000]];
        softmax(&params, &big, &mut out);
        assert!(out[0].iter().all(|&v| v == -128));
    }

    #[test]
    fn exp_is_close_to_libm() {
        for i in 0..2000 {
            let real = -f64::from(i) / 100.0; // 0 .. −20
            let a = (real * f64::from(1 << 26)) as i32;
            let got = f64::from(exp_on_negative_values(a)) / f64::from(1u32 << 31);
            assert!(
                (got - libm::exp(f64::from(a) / f64::from(1 << 26))).abs() < 1e-6,
                "{real}"
            );
        }
    }

    #[test]
    fn reciprocal_is_close() {
        for i in 1..1000 {
            let x = f64::from(i) / 1000.0;
            let got = one_over_one_plus_x_for_x_in_0_1((x * f64::from(1u32 << 31)) as i32);
            let got = f64::from(got) / f64::from(1u32 << 31);
            assert!((got - 1.0 / (1.0 + x)).abs() < 1e-6, "{x}");
        }
    }
}
