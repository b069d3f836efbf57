//! XOR trained on the device with SGD from a fixed seed; exits with success only if all
//! four answers are right. Linked with `panic-never` (feature `nopanic`), it proves that
//! initialisation, training and inference have no panic branch.
#![no_std]
#![no_main]

use cortex_m_rt::entry;
// With the `nopanic` feature (release builds, as in run.sh) this program links only if
// no panic branch is left; otherwise a panic prints its message and fails the QEMU run.
#[cfg(feature = "nopanic")]
use panic_never as _;
#[cfg(not(feature = "nopanic"))]
use panic_semihosting as _;
use typenet_firmware::{device, xor};

#[entry]
fn main() -> ! {
    let mut out = device::stdout();
    let ok = xor::run(&mut out);
    device::report_stack(&mut out);
    device::exit(ok)
}
