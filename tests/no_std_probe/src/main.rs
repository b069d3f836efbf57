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
    let mut sgd = Sgd::new(0.5).unwrap();
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
    let derived = Xor::<4>::zeroed().to_bytes();
    <(Dense<2, 3>, Sigmoid<3>)>::from_bytes(&bytes) == Ok(FROM_NPY)
        && Xor::<4>::from_bytes(&derived).is_ok()
}

/// The same with the derived struct.
#[unsafe(no_mangle)]
pub extern "C" fn probe_derived() -> f32 {
    let mut net: Xor<4> = Layer::initialized(Init::XavierUniform, &mut SplitMix64::new(1));
    let mut grads = Xor::<4>::zeroed();
    let mut sgd = Sgd::new(0.5).unwrap();
    for _ in 0..10 {
        train_step(&mut net, &mut grads, &Mse::new(), &mut sgd, &[1.0, 0.0], &[1.0]);
    }
    infer(&net, &[1.0, 0.0])[0]
}

/// Mini-batch training of a classifier with Adam, softmax cross-entropy and evaluation:
/// the classification pieces need neither `std` nor an allocator either.
#[unsafe(no_mangle)]
pub extern "C" fn probe_classifier() -> f64 {
    use core::ops::ControlFlow;
    use typenet::{Adam, Class, Relu, SoftmaxCrossEntropy, Trainer, accuracy};
    type Clf = (Dense<2, 4>, Relu<4>, Dense<4, 2>);
    let mut rng = SplitMix64::new(2);
    let mut net: Clf = Layer::initialized(Init::HeUniform, &mut rng);
    let mut grads = Clf::zeroed();
    let mut adam = Adam::new(0.01).unwrap();
    let (Ok(a), Ok(b)) = (Class::new(0), Class::new(1)) else {
        return -1.0;
    };
    let mut data = [([1.0, 0.0], a), ([0.0, 1.0], b)];
    let fit = Trainer::new(5, 2).fit_with(
        &mut net,
        &mut grads,
        &SoftmaxCrossEntropy::new(),
        &mut adam,
        &mut data,
        &mut rng,
        |_, _| ControlFlow::Continue(()),
    );
    if fit.is_err() {
        return -1.0;
    }
    accuracy(&net, &data)
}

#[panic_handler]
fn panic(_: &PanicInfo) -> ! {
    loop {}
}

/// A `.tflite` model imported at compile time: a `static` whose generated code needs
/// neither `std` nor `alloc`.
#[unsafe(no_mangle)]
pub extern "C" fn probe_tflite() -> f32 {
    typenet::include_tflite! {
        struct Imported: [f32; 2] -> [f32; 1] = "../../tests/data/tflite/xor.tflite";
    }
    static XOR: Imported = Imported::new();
    XOR.forward(&[0.0, 1.0])[0]
}
