//! XOR trained on the device with SGD from a fixed seed; exits with success only if all
//! four answers are right.
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use panic_semihosting as _;
use typenet_firmware::{device, xor};

#[entry]
fn main() -> ! {
    let mut out = device::stdout();
    let ok = xor::run(&mut out);
    device::report_stack(&mut out);
    device::exit(ok)
}
