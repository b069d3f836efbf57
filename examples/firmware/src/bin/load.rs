//! The trained XOR network written to a byte image and loaded back with `load_bytes`;
//! its stack peak is the loader's (`run.sh` reports it). Exits with success only if the
//! loaded network answers all four inputs right and a corrupted image is refused.
#![no_std]
#![no_main]

use cortex_m_rt::entry;
#[cfg(feature = "nopanic")]
use panic_never as _;
#[cfg(not(feature = "nopanic"))]
use panic_semihosting as _;
use typenet_firmware::{device, load};

#[entry]
fn main() -> ! {
    let mut out = device::stdout();
    let ok = load::run(&mut out);
    device::report_stack(&mut out);
    device::exit(ok)
}
