//! Links only if no panic branch is left in the program: `panic-never`'s handler calls a
//! symbol that does not exist, so any call to it that survives optimisation is a link
//! error. This one runs XOR inference with the trained weights in flash: the proof that
//! the inference path cannot panic, and the smallest typenet program. Release builds only
//! (debug assertions are panic branches); no `core::fmt` (it has panic branches too).
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use panic_never as _;
use typenet_firmware::{device, xor};

#[entry]
fn main() -> ! {
    let mut out = device::stdout();
    let ok = xor::run_inference(&mut out);
    device::report_stack(&mut out);
    device::exit(ok)
}
