//! The `microflow` crate's `speech.tflite`, imported with `include_tflite!` as a `static`:
//! eight inferences on fixed int8 inputs; exits with success only if every output equals
//! LiteRT's (docs/tflite.md, "Side by side with MicroFlow").
#![no_std]
#![no_main]

use cortex_m_rt::entry;
#[cfg(feature = "nopanic")]
use panic_never as _;
#[cfg(not(feature = "nopanic"))]
use panic_semihosting as _;
use typenet_firmware::{device, tflite_models};

#[entry]
fn main() -> ! {
    let tally = tflite_models::run_speech();
    let mut out = device::stdout();
    tally.report(&mut out);
    device::report_stack(&mut out);
    device::exit(tally.exact())
}
