//! The `microflow` crate's `person_detect.tflite` (MobileNet v1 0.25, a 96×96×1 int8 image
//! → 2 int8 scores), imported with `include_tflite!` as a `static` (weights and prepared
//! multipliers in flash): runs on the Cortex-M4F (`mps2-an386`, linked with a 4M + 4M
//! memory map: memory/m4f-4m.x) on fixed inputs and exits with success only if every
//! output equals LiteRT's (docs/tflite.md, "Side by side with MicroFlow").
//!
//! The inputs and LiteRT's outputs are picked while compiling from
//! `tests/data/tflite/person_detect_codes.bin` (12 images and their outputs, written by
//! `scripts/tflite_models.py`; the host test tests/tflite_person.rs checks all 12).
#![no_std]
#![no_main]

use core::hint::black_box;
use cortex_m_rt::entry;
#[cfg(feature = "nopanic")]
use panic_never as _;
#[cfg(not(feature = "nopanic"))]
use panic_semihosting as _;
use typenet::include_tflite;
use typenet::quant::QLayer;
use typenet_firmware::device;
use typenet_firmware::tflite_cases::{INFERENCES, Tally};

include_tflite! {
    /// 14 DEPTHWISE_CONV_2D, 14 CONV_2D, AVERAGE_POOL_2D, RESHAPE, SOFTMAX.
    struct PersonDetect: [[[i8; 1]; 96]; 96] -> [i8; 2] = "../../tests/data/tflite/microflow/person_detect.tflite";
}

/// The network in flash.
static PERSON: PersonDetect = PersonDetect::new();

/// Images in `person_detect_codes.bin`.
const RECORDED: usize = 12;
const CODES: &[u8; RECORDED * 96 * 96 + RECORDED * 2] =
    include_bytes!("../../../../tests/data/tflite/person_detect_codes.bin");

/// How many of the recorded images the program carries: inference `k` runs image
/// `k % CASES` (9 216 bytes of flash each).
const CASES: usize = 3;
/// Which recorded images: the first, one from the middle, the last.
const PICKED: [usize; CASES] = [0, 5, 11];

/// The picked images, 96 rows of 96 one-channel codes.
static IMAGES: [[[[i8; 1]; 96]; 96]; CASES] = {
    let mut out = [[[[0; 1]; 96]; 96]; CASES];
    let mut k = 0;
    while k < CASES {
        let mut i = 0;
        while i < 96 * 96 {
            out[k][i / 96][i % 96][0] = CODES[PICKED[k] * 96 * 96 + i] as i8;
            i += 1;
        }
        k += 1;
    }
    out
};

/// LiteRT's two output codes for each picked image.
const OUTPUTS: [[i8; 2]; CASES] = {
    let mut out = [[0; 2]; CASES];
    let mut k = 0;
    while k < CASES {
        out[k][0] = CODES[RECORDED * 96 * 96 + PICKED[k] * 2] as i8;
        out[k][1] = CODES[RECORDED * 96 * 96 + PICKED[k] * 2 + 1] as i8;
        k += 1;
    }
    out
};

#[entry]
fn main() -> ! {
    let mut tally = Tally::default();
    for k in 0..INFERENCES {
        let case = k % CASES;
        let y = PERSON.forward(black_box(&IMAGES[case]));
        for (&y, &want) in y.iter().zip(&OUTPUTS[case]) {
            tally.add(y.abs_diff(want).into());
        }
    }
    let mut out = device::stdout();
    tally.report(&mut out);
    device::report_stack(&mut out);
    device::exit(tally.exact())
}
