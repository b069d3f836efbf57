//! `sine.tflite` with MicroFlow: the twin of `examples/firmware`'s `tflite_sine`.
//! Exits with success only if every output equals LiteRT's.
#![no_std]
#![no_main]

use core::hint::black_box;
use cortex_m_rt::entry;
use microflow::quantize::dequantize;
use microflow_compare::device;
use microflow_compare::tflite_cases::{Tally, INFERENCES, SINE_INPUTS, SINE_OUTPUTS};
use microflow_macros::model;
use nalgebra::matrix;

#[model("../../../tests/data/tflite/microflow/sine.tflite")]
struct Sine;

/// The output tensor's quantization, as the file gives it.
const OUT_SCALE: f32 = 0.008_269_669;
const OUT_ZERO_POINT: i8 = 7;

/// How many output steps apart two dequantized outputs are (rounded; only f32
/// operations MicroFlow links anyway).
fn steps(y: f32, want: f32) -> u32 {
    let d = if y > want { y - want } else { want - y };
    (d * (1.0 / OUT_SCALE) + 0.5) as u32
}

#[entry]
fn main() -> ! {
    let mut tally = Tally::default();
    for k in 0..INFERENCES {
        let x = black_box(SINE_INPUTS[k % 8]);
        let y = Sine::predict_quantized(matrix![x]);
        let want = dequantize(SINE_OUTPUTS[k % 8], OUT_SCALE, OUT_ZERO_POINT);
        tally.add(steps(y[0], want));
    }
    let mut out = device::stdout();
    tally.report(&mut out);
    device::report_stack(&mut out);
    device::exit(tally.exact())
}
