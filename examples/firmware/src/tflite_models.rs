//! The `microflow` crate's `sine.tflite` and `speech.tflite`, imported with
//! `include_tflite!` as `static`s (weights and prepared multipliers in flash), for the
//! `tflite_sine` and `tflite_speech` binaries. docs/tflite.md ("Side by side with
//! MicroFlow") compares them with the same programs built with MicroFlow.

use crate::tflite_cases::{
    INFERENCES, SINE_INPUTS, SINE_OUTPUTS, SPEECH_CASES, SPEECH_INPUTS, SPEECH_OUTPUTS, Tally,
};
use core::hint::black_box;
use typenet::include_tflite;
use typenet::quant::QLayer;

include_tflite! {
    /// Three int8 FULLY_CONNECTED layers (1 → 16 → 16 → 1), int8 in and out.
    pub struct Sine: [i8; 1] -> [i8; 1] = "../../tests/data/tflite/microflow/sine.tflite";
}

include_tflite! {
    /// 1960 codes as a 49×40 image, DEPTHWISE_CONV_2D 10×8 ×8 stride 2 SAME + RELU,
    /// FULLY_CONNECTED 4000 → 4, SOFTMAX.
    pub struct Speech: [[[i8; 1]; 40]; 49] -> [i8; 4] = "../../tests/data/tflite/microflow/speech.tflite";
}

/// The sine network in flash.
pub static SINE: Sine = Sine::new();
/// The speech network in flash.
pub static SPEECH: Speech = Speech::new();

/// Runs [`INFERENCES`] sine inferences: how their outputs compare with LiteRT's.
pub fn run_sine() -> Tally {
    let mut tally = Tally::default();
    for k in 0..INFERENCES {
        let x = black_box(SINE_INPUTS[k % 8]);
        let [y] = SINE.forward(&[x]);
        tally.add(y.abs_diff(SINE_OUTPUTS[k % 8]).into());
    }
    tally
}

/// [`SPEECH_INPUTS`] as the network's 49×40×1 images (TFLite's RESHAPE keeps the memory
/// order), converted while compiling.
static SPEECH_IMAGES: [[[[i8; 1]; 40]; 49]; SPEECH_CASES] = {
    let mut out = [[[[0; 1]; 40]; 49]; SPEECH_CASES];
    let mut k = 0;
    while k < SPEECH_CASES {
        let mut i = 0;
        while i < 1960 {
            out[k][i / 40][i % 40][0] = SPEECH_INPUTS[k][i];
            i += 1;
        }
        k += 1;
    }
    out
};

/// Runs [`INFERENCES`] speech inferences: how their outputs compare with LiteRT's.
pub fn run_speech() -> Tally {
    let mut tally = Tally::default();
    for k in 0..INFERENCES {
        let case = k % SPEECH_CASES;
        let image = black_box(&SPEECH_IMAGES[case]);
        let y = SPEECH.forward(image);
        for (&y, &want) in y.iter().zip(&SPEECH_OUTPUTS[case]) {
            tally.add(y.abs_diff(want).into());
        }
    }
    tally
}
