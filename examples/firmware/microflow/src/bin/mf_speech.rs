//! `speech.tflite` with MicroFlow: the twin of `examples/firmware`'s `tflite_speech`.
//! Exits with success only if every output equals LiteRT's.
#![no_std]
#![no_main]

use core::hint::black_box;
use cortex_m_rt::entry;
use microflow::quantize::dequantize;
use microflow_compare::device;
use microflow_compare::tflite_cases::{
    Tally, INFERENCES, SPEECH_CASES, SPEECH_INPUTS, SPEECH_OUTPUTS,
};
use microflow_macros::model;
use nalgebra::{ArrayStorage, SMatrix};

#[model("../../../tests/data/tflite/microflow/speech.tflite")]
struct Speech;

/// The output tensor's quantization, as the file gives it (SOFTMAX's 1/256, −128).
const OUT_SCALE: f32 = 0.003_906_25;
const OUT_ZERO_POINT: i8 = -128;

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
        let case = k % SPEECH_CASES;
        let codes = black_box(&SPEECH_INPUTS[case]);
        let x = SMatrix::<i8, 1, 1960>::from_array_storage(ArrayStorage(codes.map(|c| [c])));
        let y = Speech::predict_quantized(x);
        for (j, &want) in SPEECH_OUTPUTS[case].iter().enumerate() {
            let want = dequantize(want, OUT_SCALE, OUT_ZERO_POINT);
            tally.add(steps(y[j], want));
        }
    }
    let mut out = device::stdout();
    tally.report(&mut out);
    device::report_stack(&mut out);
    device::exit(tally.exact())
}
