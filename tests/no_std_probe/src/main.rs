//! Uses typenet from a `#![no_std] #![no_main]` crate with its own panic handler and no
//! allocator. If anything in typenet's dependency graph pulled in `std`, `cargo check`
//! would fail with "duplicate lang item `panic_impl`"; if it needed `alloc`, with "no
//! global memory allocator found".
#![no_std]
#![no_main]

use core::panic::PanicInfo;
use typenet::{Dense, Init, Layer, Mse, Network, Sgd, Sigmoid, SplitMix64, infer, train_step};

type Net = (Dense<2, 4>, Sigmoid<4>, Dense<4, 1>, Sigmoid<1>);

/// The same network as a struct: the derive's generated code must need neither `std` nor
/// `alloc` (it names only `::core` and `::typenet`).
#[derive(Network)]
struct Xor<const H: usize> {
    hidden: Dense<2, H>,
    squash: Sigmoid<H>,
    output: Dense<H, 1>,
    decide: Sigmoid<1>,
}

/// Trains for a few steps and returns a prediction, exercising inference, training and
/// initialisation.
#[unsafe(no_mangle)]
pub extern "C" fn probe() -> f32 {
    let mut net: Net = Layer::initialized(Init::XavierUniform, &mut SplitMix64::new(1));
    let mut grads = Net::zeroed();
    let mut sgd = Sgd::new(0.5);
    for _ in 0..10 {
        train_step(&mut net, &mut grads, &Mse::new(), &mut sgd, &[1.0, 0.0], &[1.0]);
    }
    infer(&net, &[1.0, 0.0])[0]
}

/// The same with the derived struct.
#[unsafe(no_mangle)]
pub extern "C" fn probe_derived() -> f32 {
    let mut net: Xor<4> = Layer::initialized(Init::XavierUniform, &mut SplitMix64::new(1));
    let mut grads = Xor::<4>::zeroed();
    let mut sgd = Sgd::new(0.5);
    for _ in 0..10 {
        train_step(&mut net, &mut grads, &Mse::new(), &mut sgd, &[1.0, 0.0], &[1.0]);
    }
    infer(&net, &[1.0, 0.0])[0]
}

#[panic_handler]
fn panic(_: &PanicInfo) -> ! {
    loop {}
}
