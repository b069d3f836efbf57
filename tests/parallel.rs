//! The `parallel` feature: a batched training step split across threads gives the bits of
//! the same step on one thread.
#![cfg(feature = "parallel")]

use rand_core::Rng;
use typenet::{
    Dense, Init, Layer, Mse, Sgd, Sigmoid, SplitMix64, boxed_initialized, boxed_zeroed,
    train_step_batch,
};

type Net = (Dense<784, 128>, Sigmoid<128>, Dense<128, 10>, Sigmoid<10>);

/// Three steps on mini-batches of 64 and 37 samples, in a pool of `threads` threads:
/// the loss of each step and the trained parameters' bits.
fn train(threads: usize) -> (Vec<u32>, Vec<u32>) {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    pool.install(|| {
        let mut rng = SplitMix64::new(3);
        let mut net: Box<Net> = boxed_initialized(Init::Uniform, &mut rng);
        let mut grads: Box<Net> = boxed_zeroed();
        let mut sgd = Sgd::new(0.05).unwrap();
        let mut unit = || (rng.next_u32() >> 8) as f32 / (1 << 24) as f32;
        let xs: Vec<[f32; 784]> = (0..101).map(|_| core::array::from_fn(|_| unit())).collect();
        let ts: Vec<[f32; 10]> = (0..101).map(|_| core::array::from_fn(|_| unit())).collect();
        let mut ws = vec![0.0; typenet::batch::workspace_len::<Net>(64)];
        let mut losses = Vec::new();
        for (a, b) in [(0, 64), (64, 101), (3, 67)] {
            let e = train_step_batch(
                &mut *net,
                &mut *grads,
                &Mse::new(),
                &mut sgd,
                &xs[a..b],
                &ts[a..b],
                &mut ws,
            )
            .unwrap();
            losses.push(e.to_bits());
        }
        let mut params = Vec::new();
        net.visit_params(&mut |p: &[f32]| params.extend(p.iter().map(|v| v.to_bits())));
        (losses, params)
    })
}

#[test]
fn a_batched_step_on_several_threads_gives_the_one_thread_bits() {
    let one = train(1);
    assert_eq!(one.1.len(), 784 * 128 + 128 + 128 * 10 + 10);
    for threads in [2, 3, 8] {
        assert!(one == train(threads), "{threads} threads");
    }
}
