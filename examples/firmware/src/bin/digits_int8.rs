//! The digits network in int8 on the device; exits with success only if every output
//! matches the host's bit for bit (see `digits.rs`).
#![no_std]
#![no_main]

use cortex_m_rt::entry;
#[cfg(feature = "nopanic")]
use panic_never as _;
#[cfg(not(feature = "nopanic"))]
use panic_semihosting as _;
use typenet_firmware::{device, digits};

#[entry]
fn main() -> ! {
    let mut out = device::stdout();
    let ok = digits::run_int8(&mut out);
    device::report_stack(&mut out);
    device::exit(ok)
}
