//! The float boundaries of an int8 network: TFLite's reference `AffineQuantize` and
//! `Dequantize`. These two are the only kernels that touch floating point.

/// `q = clamp(round(x / scale) + zero_point, −128, 127)`: `f32` division, round half away
/// from zero, as TFLite. A NaN input gives the zero point.
pub(crate) fn quantize<const N: usize>(
    input: &[f32; N],
    scale: f32,
    zero_point: i32,
    output: &mut [i8; N],
) {
    for (o, &x) in output.iter_mut().zip(input) {
        // `as` saturates (and maps NaN to 0) where C++ would be undefined.
        let r = libm::roundf(x / scale) as i32;
        *o = r.saturating_add(zero_point).clamp(-128, 127) as i8;
    }
}

/// `x = scale · (q − zero_point)`, computed in `f64` and rounded once to `f32`, as TFLite's
/// reference `Dequantize` does.
pub(crate) fn dequantize<const N: usize>(
    input: &[i8; N],
    scale: f32,
    zero_point: i32,
    output: &mut [f32; N],
) {
    for (o, &q) in output.iter_mut().zip(input) {
        *o = (f64::from(scale) * f64::from(i32::from(q) - zero_point)) as f32;
    }
}
