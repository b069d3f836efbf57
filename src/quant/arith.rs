//! The fixed-point arithmetic every int8 kernel shares: turning a real scale into a Q31
//! multiplier and a shift at preparation time, and applying it with integers only.
//!
//! Each function is the integer twin of a routine in TensorFlow Lite
//! (`quantization_util.cc`, `common.h`) or gemmlowp's `fixedpoint.h`, with the same
//! rounding, so that results agree bit for bit.

use super::QuantError;

/// Splits a positive real multiplier into a Q31 significand and a power-of-two exponent:
/// `multiplier ≈ significand · 2^(shift − 31)`, `significand ∈ [2^30, 2^31)`, as
/// TensorFlow Lite's `QuantizeMultiplier` does (`frexp`, then round half away from zero;
/// a significand that rounds up to 2^31 is halved and the exponent bumped; below 2^-31
/// the multiplier flushes to zero).
///
/// The only floating point in the int8 path: run once per layer when it is prepared.
/// Errors for a multiplier that is negative, not finite, or so large (≥ 2^31) that
/// applying it would shift an `i32` left by 32 or more.
pub(crate) fn quantize_multiplier(multiplier: f64) -> Result<(i32, i32), QuantError> {
    if !multiplier.is_finite() || multiplier < 0.0 {
        return Err(QuantError::Multiplier);
    }
    if multiplier == 0.0 {
        return Ok((0, 0));
    }
    let (q, mut shift) = libm::frexp(multiplier);
    // q ∈ [0.5, 1): q · 2^31 ∈ [2^30, 2^31], exactly representable before rounding.
    let mut q_fixed = libm::round(q * (1i64 << 31) as f64) as i64;
    if q_fixed == 1i64 << 31 {
        q_fixed /= 2;
        shift += 1;
    }
    if shift < -31 {
        shift = 0;
        q_fixed = 0;
    }
    if shift > 31 {
        return Err(QuantError::Multiplier);
    }
    Ok((q_fixed as i32, shift))
}

/// [`quantize_multiplier`] for a multiplier below one (TFLite's
/// `QuantizeMultiplierSmallerThanOneExp`): the shift it returns is ≤ 0.
pub(crate) fn quantize_multiplier_smaller_than_one(
    multiplier: f64,
) -> Result<(i32, i32), QuantError> {
    if !(multiplier > 0.0 && multiplier < 1.0) {
        return Err(QuantError::Multiplier);
    }
    quantize_multiplier(multiplier)
}

/// `round(a · b / 2^31)`, saturating: the high half of the doubled 64-bit product,
/// rounded to nearest with ties toward +∞ (a positive tie rounds up, a negative one
/// toward zero: gemmlowp's `SaturatingRoundingDoublingHighMul`, whose nudge is
/// `2^30` or `1 − 2^30` before a truncating division). Only `i32::MIN · i32::MIN` overflows; it
/// saturates to `i32::MAX`.
#[inline]
pub(crate) const fn saturating_rounding_doubling_high_mul(a: i32, b: i32) -> i32 {
    if a == i32::MIN && b == i32::MIN {
        return i32::MAX;
    }
    let ab = a as i64 * b as i64;
    let nudge: i64 = if ab >= 0 { 1 << 30 } else { 1 - (1 << 30) };
    // `/` truncates toward zero, as C++'s does; the quotient fits in an i32.
    ((ab + nudge) / (1i64 << 31)) as i32
}

/// `x / 2^exponent` rounded to nearest, ties away from zero (gemmlowp's
/// `RoundingDivideByPOT`, defined there for exponents 0..=31). An exponent ≤ 0 returns
/// `x`; one ≥ 32, where gemmlowp asserts (TFLite's softmax reaches it for rows of 512 or
/// more near-equal values, and aborts), returns the correctly rounded quotient, which
/// is 0 except −1 for `i32::MIN / 2^32`.
#[inline]
pub(crate) const fn rounding_divide_by_pot(x: i32, exponent: i32) -> i32 {
    if exponent <= 0 {
        return x;
    }
    if exponent >= 32 {
        return if exponent == 32 && x == i32::MIN {
            -1
        } else {
            0
        };
    }
    let exponent = exponent.cast_unsigned();
    let mask = ((1i64 << exponent) - 1) as i32;
    let remainder = x & mask;
    let threshold = (mask >> 1) + if x < 0 { 1 } else { 0 };
    (x >> exponent) + if remainder > threshold { 1 } else { 0 }
}

/// `x · multiplier · 2^(shift − 31)` with TFLite's rounding (the reference
/// `MultiplyByQuantizedMultiplier`: a left shift before the doubling high multiply, a
/// rounding right shift after). `shift` is in −31..=30, as [`quantize_multiplier`]
/// returns it. A left-shifted `x` that leaves the `i32` range wraps, as it does in the
/// C++ on every platform TFLite runs on.
#[inline]
pub(crate) const fn multiply_by_quantized_multiplier(x: i32, multiplier: i32, shift: i32) -> i32 {
    let left = if shift > 0 { shift } else { 0 };
    let right = if shift > 0 { 0 } else { -shift };
    rounding_divide_by_pot(
        saturating_rounding_doubling_high_mul(x.wrapping_shl(left.cast_unsigned()), multiplier),
        right,
    )
}

/// `x · multiplier · 2^(shift − 31)` rounded once, half toward +∞: one 64-bit product,
/// one rounding shift (TFLite's `MultiplyByQuantizedMultiplier` when built with
/// `TFLITE_SINGLE_ROUNDING`, and ruy's). LiteRT's int8 fully connected kernel rounds this
/// way, even with the reference op resolver; its convolutions round twice
/// ([`multiply_by_quantized_multiplier`]). The result is truncated to `i32` (callers'
/// multipliers keep it in range).
#[inline]
pub(crate) const fn multiply_by_quantized_multiplier_single_rounding(
    x: i32,
    multiplier: i32,
    shift: i32,
) -> i32 {
    let product = x as i64 * multiplier as i64;
    let total_shift = 31 - shift; // 0..=62 for shift in −31..=31
    if total_shift <= 0 {
        return product as i32;
    }
    ((product + (1i64 << (total_shift - 1))) >> total_shift) as i32
}

/// `x · 2^exponent` saturated to the `i32` range for `exponent > 0`, a rounding
/// division for `exponent < 0` (gemmlowp's `SaturatingRoundingMultiplyByPOT`).
#[inline]
pub(crate) const fn saturating_rounding_multiply_by_pot(x: i32, exponent: i32) -> i32 {
    if exponent > 0 {
        let threshold = (1i32 << (31 - exponent)) - 1;
        if x > threshold {
            i32::MAX
        } else if x < -threshold {
            i32::MIN
        } else {
            x << exponent
        }
    } else if exponent < 0 {
        rounding_divide_by_pot(x, -exponent)
    } else {
        x
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn high_mul_saturates_only_for_min_times_min() {
        assert_eq!(
            saturating_rounding_doubling_high_mul(i32::MIN, i32::MIN),
            i32::MAX
        );
        // MIN · MAX = −2^31 · (2^31 − 1): doubled and divided by 2^32 it is −(2^31 − 1).
        assert_eq!(
            saturating_rounding_doubling_high_mul(i32::MIN, i32::MAX),
            -i32::MAX
        );
        assert_eq!(
            saturating_rounding_doubling_high_mul(i32::MAX, i32::MAX),
            i32::MAX - 1
        );
    }

    #[test]
    fn high_mul_rounds_ties_up() {
        // 1 · 2^30 / 2^31 = 0.5 → 1; −1 · 2^30 / 2^31 = −0.5 → 0 (not −1); −1.5 → −1.
        assert_eq!(saturating_rounding_doubling_high_mul(1, 1 << 30), 1);
        assert_eq!(saturating_rounding_doubling_high_mul(-1, 1 << 30), 0);
        assert_eq!(saturating_rounding_doubling_high_mul(-3, 1 << 30), -1);
        assert_eq!(saturating_rounding_doubling_high_mul(3, 1 << 30), 2);
        // 0.25 rounds to 0 on both sides; 0.75 to ±1.
        assert_eq!(saturating_rounding_doubling_high_mul(1, 1 << 29), 0);
        assert_eq!(saturating_rounding_doubling_high_mul(-1, 1 << 29), 0);
        assert_eq!(saturating_rounding_doubling_high_mul(3, 1 << 29), 1);
        assert_eq!(saturating_rounding_doubling_high_mul(-3, 1 << 29), -1);
    }

    #[test]
    fn high_mul_matches_wide_arithmetic() {
        // floor(a·b / 2^31 + ½) (round half up), computed exactly with i128.
        let mut s = 0x1234_5678_9abc_def0_u64;
        for _ in 0..20_000 {
            s = s.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            let a = (s >> 32) as i32;
            s = s.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            let b = (s >> 32) as i32;
            if a == i32::MIN && b == i32::MIN {
                continue;
            }
            let p = i128::from(a) * i128::from(b);
            let want = (p + (1 << 30)).div_euclid(1 << 31);
            assert_eq!(
                i128::from(saturating_rounding_doubling_high_mul(a, b)),
                want,
                "{a} {b}"
            );
        }
    }

    #[test]
    fn divide_by_pot_rounds_ties_away_from_zero() {
        assert_eq!(rounding_divide_by_pot(5, 1), 3); // 2.5 → 3
        assert_eq!(rounding_divide_by_pot(-5, 1), -3); // −2.5 → −3
        assert_eq!(rounding_divide_by_pot(-6, 2), -2); // −1.5 → −2
        assert_eq!(rounding_divide_by_pot(-5, 2), -1); // −1.25 → −1
        assert_eq!(rounding_divide_by_pot(-7, 2), -2); // −1.75 → −2
        assert_eq!(rounding_divide_by_pot(6, 2), 2); // 1.5 → 2
        assert_eq!(rounding_divide_by_pot(7, 0), 7);
        assert_eq!(rounding_divide_by_pot(i32::MIN, 31), -1);
        assert_eq!(rounding_divide_by_pot(i32::MAX, 31), 1);
        assert_eq!(rounding_divide_by_pot(i32::MAX, 1), 1 << 30);
        // Beyond gemmlowp's range: the exact rounding of |x| ≤ 2^31 over 2^32 and more.
        assert_eq!(rounding_divide_by_pot(i32::MAX, 32), 0);
        assert_eq!(rounding_divide_by_pot(i32::MIN, 32), -1);
        assert_eq!(rounding_divide_by_pot(i32::MIN, 33), 0);
        assert_eq!(rounding_divide_by_pot(-7, -3), -7);
        for x in -1000..1000 {
            for e in 0..6 {
                let d = f64::from(x) / f64::from(1 << e);
                let want = if d < 0.0 {
                    -(-d + 0.5).floor()
                } else {
                    (d + 0.5).floor()
                };
                assert!(
                    (f64::from(rounding_divide_by_pot(x, e)) - want).abs() < 1e-9,
                    "{x} {e}"
                );
            }
        }
    }

    #[test]
    fn quantize_multiplier_edges() {
        assert_eq!(quantize_multiplier(0.0), Ok((0, 0)));
        assert_eq!(quantize_multiplier(0.5), Ok((1 << 30, 0)));
        assert_eq!(quantize_multiplier(1.0), Ok((1 << 30, 1)));
        assert_eq!(quantize_multiplier(0.25), Ok((1 << 30, -1)));
        // Just below 1: the significand rounds up to 2^31, is halved, the shift bumped.
        assert_eq!(quantize_multiplier(1.0 - 1e-12), Ok((1 << 30, 1)));
        // 2^-33 flushes to zero; 2^-32 does not.
        assert_eq!(quantize_multiplier(libm::ldexp(1.0, -33)), Ok((0, 0)));
        assert_eq!(
            quantize_multiplier(libm::ldexp(1.0, -32)),
            Ok((1 << 30, -31))
        );
        // 1/3 = 0.666… · 2^-1: the significand is round(2^31 · 2/3).
        assert_eq!(quantize_multiplier(1.0 / 3.0), Ok((1_431_655_765, -1)));
        assert!(quantize_multiplier(-0.5).is_err());
        assert!(quantize_multiplier(f64::NAN).is_err());
        assert!(quantize_multiplier(f64::INFINITY).is_err());
        assert!(quantize_multiplier(libm::ldexp(1.0, 31)).is_err());
        assert_eq!(quantize_multiplier(libm::ldexp(1.0, 30)), Ok((1 << 30, 31)));
        assert!(quantize_multiplier_smaller_than_one(1.0).is_err());
        assert!(quantize_multiplier_smaller_than_one(0.0).is_err());
        assert_eq!(quantize_multiplier_smaller_than_one(0.5), Ok((1 << 30, 0)));
    }

    #[test]
    fn multiply_by_quantized_multiplier_scales() {
        // 0.5 · 2 = 1 exactly: x · 2^30 · 2^(1−31).
        for x in [-1000, -7, -1, 0, 1, 7, 1000] {
            assert_eq!(multiply_by_quantized_multiplier(x, 1 << 30, 1), x);
        }
        // · 0.25 with ties away from zero: 6 → 1.5 → 2, −6 → −2, −5 → −1.25 → −1.
        assert_eq!(multiply_by_quantized_multiplier(6, 1 << 30, -1), 2);
        assert_eq!(multiply_by_quantized_multiplier(-6, 1 << 30, -1), -2);
        assert_eq!(multiply_by_quantized_multiplier(-5, 1 << 30, -1), -1);
        // A multiplier of 3 (0.75 · 2^2).
        let (m, s) = quantize_multiplier(3.0).unwrap();
        assert_eq!(multiply_by_quantized_multiplier(-11, m, s), -33);
        // Against the real product, for random multipliers and accumulators.
        let mut st = 42u64;
        for _ in 0..5000 {
            st = st
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let real = libm::ldexp(
                ((st >> 11) as f64) / (1u64 << 53) as f64 + 0.01,
                -((st & 15) as i32),
            );
            let x = ((st >> 20) as i32) >> 12;
            let (m, s) = quantize_multiplier(real).unwrap();
            let got = f64::from(multiply_by_quantized_multiplier(x, m, s));
            let exact = f64::from(x) * real;
            assert!(
                (got - exact).abs() <= 1.0 + exact.abs() * 1e-8,
                "{x} {real} {got}"
            );
        }
    }

    #[test]
    fn single_rounding_rounds_once_half_up() {
        // −1723 · 1360462881 / 2^34 = −136.44…: one rounding gives −136, while rounding
        // the high product first (−1091.55 → −1092) and then −1092 / 8 = −136.5 gives −137.
        assert_eq!(
            multiply_by_quantized_multiplier_single_rounding(-1723, 1_360_462_881, -3),
            -136
        );
        assert_eq!(
            multiply_by_quantized_multiplier(-1723, 1_360_462_881, -3),
            -137
        );
        // Ties go up: ±2.5 → 3 and −2.
        assert_eq!(
            multiply_by_quantized_multiplier_single_rounding(5, 1 << 30, 0),
            3
        );
        assert_eq!(
            multiply_by_quantized_multiplier_single_rounding(-5, 1 << 30, 0),
            -2
        );
        assert_eq!(
            multiply_by_quantized_multiplier_single_rounding(-11, 1 << 30, 3),
            -44
        );
        assert_eq!(
            multiply_by_quantized_multiplier_single_rounding(7, 1 << 30, 31),
            7 << 30
        );
    }

    #[test]
    fn multiply_by_pot_saturates() {
        assert_eq!(saturating_rounding_multiply_by_pot(1 << 28, 2), 1 << 30);
        assert_eq!(saturating_rounding_multiply_by_pot(1 << 29, 2), i32::MAX);
        assert_eq!(saturating_rounding_multiply_by_pot(-(1 << 29), 2), i32::MIN);
        assert_eq!(
            saturating_rounding_multiply_by_pot(-(1 << 29) + 1, 2),
            i32::MIN + 4
        );
        assert_eq!(saturating_rounding_multiply_by_pot(-6, -2), -2);
        assert_eq!(saturating_rounding_multiply_by_pot(9, 0), 9);
    }
}
