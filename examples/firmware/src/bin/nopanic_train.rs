//! Like `nopanic`, but the whole of training is in the program too: seeded
//! initialisation, forward with cache, loss, backward, SGD step and inference. It links,
//! so none of that can panic either.
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use panic_never as _;
use typenet_firmware::{device, xor};

#[entry]
fn main() -> ! {
    let mut out = device::stdout();
    let ok = xor::run_training_quiet(&mut out);
    device::report_stack(&mut out);
    device::exit(ok)
}
