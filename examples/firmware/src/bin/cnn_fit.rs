//! A tiny convolutional network trained on the device on eight 8×8 digit images; exits
//! with success only if training lowered the loss and learned every image (the host test
//! checks the losses and biases bit for bit against the host).
#![no_std]
#![no_main]

use cortex_m_rt::entry;
// With the `nopanic` feature (release builds, as in run.sh) this program links only if
// no panic branch is left; otherwise a panic prints its message and fails the QEMU run.
#[cfg(feature = "nopanic")]
use panic_never as _;
#[cfg(not(feature = "nopanic"))]
use panic_semihosting as _;
use typenet_firmware::{cnn_fit, device};

#[entry]
fn main() -> ! {
    let mut out = device::stdout();
    let ok = cnn_fit::run(&mut out);
    device::report_stack(&mut out);
    device::exit(ok)
}
