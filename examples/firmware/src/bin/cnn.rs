//! Handwritten digits with a convolutional network trained on the host and baked into
//! flash as a `static`; exits with success only if every score matches the host's bit for
//! bit.
#![no_std]
#![no_main]

use cortex_m_rt::entry;
// With the `nopanic` feature (release builds, as in run.sh) this program links only if
// no panic branch is left; otherwise a panic prints its message and fails the QEMU run.
#[cfg(feature = "nopanic")]
use panic_never as _;
#[cfg(not(feature = "nopanic"))]
use panic_semihosting as _;
use typenet_firmware::{cnn, device};

#[entry]
fn main() -> ! {
    let mut out = device::stdout();
    let ok = cnn::run(&mut out);
    device::report_stack(&mut out);
    device::exit(ok)
}
