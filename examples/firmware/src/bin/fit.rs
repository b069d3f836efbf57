//! XOR trained on the device by `Trainer` (mini-batches, momentum, clipping); exits with
//! success only if all four answers are right. `run.sh` checks that the image links no
//! software double-precision routine.
#![no_std]
#![no_main]

use cortex_m_rt::entry;
#[cfg(feature = "nopanic")]
use panic_never as _;
#[cfg(not(feature = "nopanic"))]
use panic_semihosting as _;
use typenet_firmware::{device, fit};

#[entry]
fn main() -> ! {
    let mut out = device::stdout();
    let ok = fit::run(&mut out);
    device::report_stack(&mut out);
    device::exit(ok)
}
