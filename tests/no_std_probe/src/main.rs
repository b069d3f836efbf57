//! Uses typenet from a `#![no_std] #![no_main]` crate with its own panic handler and no
//! allocator. If anything in typenet's dependency graph pulled in `std`, `cargo check`
//! would fail with "duplicate lang item `panic_impl`"; if it needed `alloc`, with "no
//! global memory allocator found".
#![no_std]
#![no_main]

use core::panic::PanicInfo;
use typenet::{Dense, Init, Layer, Mse, Sgd, Sigmoid, SplitMix64, infer, train_step};

type Net = (Dense<2, 4>, Sigmoid<4>, Dense<4, 1>, Sigmoid<1>);

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

/// Weights without std or alloc: a byte image round trip, and a network whose weights
/// were embedded from `.npy` files at compile time.
#[unsafe(no_mangle)]
pub extern "C" fn probe_weights() -> bool {
    use typenet::{ByteImage, include_weights};
    static FROM_NPY: (Dense<2, 3>, Sigmoid<3>) = (
        Dense::new(
            include_weights!("../../examples/npy/hidden_weight.npy"),
            include_weights!("../../examples/npy/hidden_bias.npy"),
        ),
        Sigmoid::new(),
    );
    let bytes = FROM_NPY.to_bytes();
    <(Dense<2, 3>, Sigmoid<3>)>::from_bytes(&bytes) == Ok(FROM_NPY)
}

#[panic_handler]
fn panic(_: &PanicInfo) -> ! {
    loop {}
}
