//! A network too large to build on the stack: 784 → 128 → 10 (MNIST-sized), trained on
//! synthetic data on the default 2 MiB stack of a test thread, in debug and release builds
//! (CI runs this file both ways).
//!
//! The network is 407 KB; with its gradients and Adam's two moments that is 1.6 MB, and an
//! unoptimised build makes temporary copies of values it returns. So everything large is
//! built in place on the heap (`boxed_initialized`, `boxed_zeroed`, `Adam::boxed`), and
//! training itself keeps only vectors on the stack.

use rand_core::Rng;
use std::ops::ControlFlow;
use typenet::{
    Adam, Class, Dense, Init, Layer, Relu, SoftmaxCrossEntropy, SplitMix64, Trainer, argmax,
    boxed_initialized, boxed_zeroed, confusion,
};

type Mnist = (Dense<784, 128>, Relu<128>, Dense<128, 10>);

fn unit(rng: &mut SplitMix64) -> f32 {
    (rng.next_u32() >> 8) as f32 / (1u32 << 24) as f32
}

/// Ten random "prototype" images with pixels in `[0, 1]`.
fn prototypes(rng: &mut SplitMix64) -> Vec<[f32; 784]> {
    (0..10)
        .map(|_| core::array::from_fn(|_| unit(rng)))
        .collect()
}

/// `per_class` samples of each prototype, every pixel disturbed by uniform noise of ±0.5,
/// as large as a pixel's own range.
fn samples(
    protos: &[[f32; 784]],
    rng: &mut SplitMix64,
    per_class: usize,
) -> Vec<([f32; 784], Class<10>)> {
    let mut data = Vec::new();
    for _ in 0..per_class {
        for (k, p) in protos.iter().enumerate() {
            let x = p.map(|v| v + unit(rng) - 0.5);
            data.push((x, Class::new(k).unwrap()));
        }
    }
    data
}

#[test]
fn mnist_sized_network_trains_on_a_test_thread_stack() {
    // Four values of this type (network, gradients, two Adam moments) are most of the
    // 2 MiB stack; debug-build temporaries would push them over.
    const { assert!(4 * <Mnist as Layer>::BYTES > 1_600_000) };

    let mut rng = SplitMix64::new(42);
    let protos = prototypes(&mut rng);
    let mut train = samples(&protos, &mut rng, 12);
    let test = samples(&protos, &mut rng, 10);

    let mut net: Box<Mnist> = boxed_initialized(Init::HeUniform, &mut rng);
    let mut grads: Box<Mnist> = boxed_zeroed();
    let mut adam = Adam::boxed(0.001).unwrap();

    let before = confusion::<_, _, 10>(&*net, &test, |y| argmax(y), |t| t.index()).accuracy();
    let mut losses = Vec::new();
    Trainer::new(2, 10)
        .fit(
            &mut *net,
            &mut *grads,
            &SoftmaxCrossEntropy::new(),
            &mut adam,
            &mut train,
            &mut rng,
            |epoch, _| {
                losses.push(epoch.loss);
                ControlFlow::Continue(())
            },
        )
        .expect("training succeeds");
    let after = confusion::<_, _, 10>(&*net, &test, |y| argmax(y), |t| t.index()).accuracy();
    eprintln!("784-128-10: accuracy {before} → {after}, losses {losses:?}");
    assert!(losses[1] < losses[0], "{losses:?}");
    assert!(
        after >= 0.9 && after > before,
        "accuracy {before} → {after}, losses {losses:?}"
    );
}
