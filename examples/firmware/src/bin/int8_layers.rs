//! Every int8 layer once on fixed codes; with `panic-never`, a link proves that none of
//! them can panic (see `int8_layers.rs`).
#![no_std]
#![no_main]

use cortex_m_rt::entry;
#[cfg(feature = "nopanic")]
use panic_never as _;
#[cfg(not(feature = "nopanic"))]
use panic_semihosting as _;
use typenet_firmware::{device, int8_layers};

#[entry]
fn main() -> ! {
    let mut out = device::stdout();
    let ok = int8_layers::run(&mut out);
    device::report_stack(&mut out);
    device::exit(ok)
}
