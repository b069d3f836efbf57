//! The device glue of `examples/firmware` (semihosting stdout, exit status, stack peak)
//! and its fixed inputs and LiteRT outputs, included from there so that the MicroFlow
//! programs and typenet's do the same work around the inference.
#![no_std]

#[path = "../../src/device.rs"]
pub mod device;
#[path = "../../src/out.rs"]
pub mod out;
#[path = "../../src/tflite_cases.rs"]
pub mod tflite_cases;

/// A panic ends the run with a failure status, without formatting the message (the
/// typenet programs link with `panic-never` instead: they have no panic path at all).
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    device::exit(false)
}
