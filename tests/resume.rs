//! Resuming an interrupted run: N epochs straight against N/2 epochs, everything saved as
//! bytes, restored into fresh values, then N/2 more. The two must agree bit for bit.

use core::ops::ControlFlow;
use typenet::optim::{Cosine, Scheduled, Warmup};
use typenet::weights::ByteImage;
use typenet::{
    Adam, BinaryCrossEntropyWithLogits, Dense, Init, Layer, Momentum, Mse, Network, Sigmoid,
    SplitMix64, Tanh, Trainer,
};

#[derive(Network, Clone, Copy, PartialEq, Debug)]
struct Net {
    hidden: Dense<3, 8>,
    squash: Tanh<8>,
    out: Dense<8, 1>,
}

type Sample = ([f32; 3], [f32; 1]);

const EPOCHS: usize = 12;
const BATCH: usize = 5;

/// 23 samples (so the last batch of each epoch is short) of a noisy yes/no rule.
fn data() -> Vec<Sample> {
    (0..23)
        .map(|i| {
            let x = [
                (i as f32 * 0.37).sin(),
                (i as f32 * 0.71).cos(),
                i as f32 / 23.0 - 0.5,
            ];
            let t = f32::from(u8::from(x[0] + 0.5 * x[1] - x[2] > 0.1));
            (x, [t])
        })
        .collect()
}

fn adamw() -> Scheduled<Adam<Net>, Warmup<Cosine>> {
    let per_epoch = data().len().div_ceil(BATCH) as u64;
    Scheduled::new(
        Adam::adamw(0.0, 0.01),
        Warmup::new(2, Cosine::new(0.05, 0.001, EPOCHS as u64 - 2)),
    )
    .per_epoch(per_epoch)
}

fn go<T>(_: &T, _: &Net) -> ControlFlow<()> {
    ControlFlow::Continue(())
}

/// What an interrupted run writes to disk: all of it bytes.
struct Saved {
    net: Vec<u8>,
    first: Vec<u8>,
    second: Vec<u8>,
    steps: [u8; 8],
    rng: [u8; 8],
    /// The data in the order the last epoch's shuffle left it.
    data: Vec<u8>,
}

fn data_bytes(d: &[Sample]) -> Vec<u8> {
    d.iter()
        .flat_map(|(x, t)| x.iter().chain(t).flat_map(|v| v.to_le_bytes()))
        .collect()
}

fn data_from_bytes(b: &[u8]) -> Vec<Sample> {
    let f: Vec<f32> = b
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes(c.try_into().unwrap()))
        .collect();
    f.chunks_exact(4)
        .map(|s| ([s[0], s[1], s[2]], [s[3]]))
        .collect()
}

#[test]
fn adamw_with_a_schedule_and_shuffling_resumes_bit_for_bit() {
    let loss = BinaryCrossEntropyWithLogits::new();
    let start: Net = Layer::initialized(Init::XavierUniform, &mut SplitMix64::new(5));

    // straight through
    let mut straight = start;
    let mut grads = Net::zeroed();
    let (mut rng, mut d) = (SplitMix64::new(9), data());
    let mut opt = adamw();
    Trainer::new(EPOCHS, BATCH)
        .fit(
            &mut straight,
            &mut grads,
            &loss,
            &mut opt,
            &mut d,
            &mut rng,
            go,
        )
        .unwrap();

    // half, then everything to bytes
    let mut half = start;
    let (mut rng, mut d) = (SplitMix64::new(9), data());
    let mut opt = adamw();
    Trainer::new(EPOCHS / 2, BATCH)
        .fit(&mut half, &mut grads, &loss, &mut opt, &mut d, &mut rng, go)
        .unwrap();
    let saved = Saved {
        net: half.to_bytes().to_vec(),
        first: opt.optimizer.first_moment().to_bytes().to_vec(),
        second: opt.optimizer.second_moment().to_bytes().to_vec(),
        steps: opt.steps().to_le_bytes(),
        rng: rng.state().to_le_bytes(),
        data: data_bytes(&d),
    };
    assert_eq!(opt.steps(), opt.optimizer.steps());
    drop((half, opt, rng, d));

    // fresh values, restored from the bytes, and the other half
    let mut resumed = Net::from_bytes(&saved.net).unwrap();
    let mut opt = adamw();
    let steps = u64::from_le_bytes(saved.steps);
    opt.restore(steps);
    opt.optimizer
        .restore(
            steps,
            &Net::from_bytes(&saved.first).unwrap(),
            &Net::from_bytes(&saved.second).unwrap(),
        )
        .unwrap();
    let mut rng = SplitMix64::new(u64::from_le_bytes(saved.rng));
    let mut d = data_from_bytes(&saved.data);
    let mut fresh_grads = Net::zeroed();
    Trainer::new(EPOCHS - EPOCHS / 2, BATCH)
        .fit(
            &mut resumed,
            &mut fresh_grads,
            &loss,
            &mut opt,
            &mut d,
            &mut rng,
            go,
        )
        .unwrap();

    assert_eq!(resumed.to_bytes(), straight.to_bytes());
    assert_ne!(resumed, start, "training moved the weights");
}

/// A resume that forgets the optimizer's state does not give the same bits: the test
/// above would catch a `restore` that did nothing.
#[test]
fn resuming_without_the_moments_differs() {
    let loss = BinaryCrossEntropyWithLogits::new();
    let start: Net = Layer::initialized(Init::XavierUniform, &mut SplitMix64::new(5));
    let mut grads = Net::zeroed();
    let data = data();

    let mut straight = start;
    Trainer::new(EPOCHS, BATCH)
        .fit_in_order(&mut straight, &mut grads, &loss, &mut adamw(), &data, go)
        .unwrap();
    let mut resumed = start;
    let mut opt = adamw();
    Trainer::new(EPOCHS / 2, BATCH)
        .fit_in_order(&mut resumed, &mut grads, &loss, &mut opt, &data, go)
        .unwrap();
    let mut forgetful = adamw();
    forgetful.restore(opt.steps()); // the schedule's place, but not Adam's moments
    Trainer::new(EPOCHS - EPOCHS / 2, BATCH)
        .fit_in_order(&mut resumed, &mut grads, &loss, &mut forgetful, &data, go)
        .unwrap();
    assert_ne!(resumed.to_bytes(), straight.to_bytes());
}

#[test]
fn momentum_resumes_bit_for_bit_on_the_batched_path() {
    type Small = (Dense<3, 4>, Sigmoid<4>, Dense<4, 1>);
    let start: Small = Layer::initialized(Init::XavierUniform, &mut SplitMix64::new(2));
    let data = data();
    let trainer = |epochs| Trainer::new(epochs, BATCH).batched::<Small>();

    let mut straight = start;
    let mut grads = Small::zeroed();
    trainer(EPOCHS)
        .fit_in_order(
            &mut straight,
            &mut grads,
            &Mse::new(),
            &mut Momentum::new(0.1, 0.9).nesterov(),
            &data,
            |_, _| ControlFlow::Continue(()),
        )
        .unwrap();

    let mut half = start;
    let mut opt = Momentum::new(0.1, 0.9).nesterov();
    trainer(EPOCHS / 2)
        .fit_in_order(
            &mut half,
            &mut grads,
            &Mse::new(),
            &mut opt,
            &data,
            |_, _| ControlFlow::Continue(()),
        )
        .unwrap();
    let (net_bytes, velocity_bytes) = (half.to_bytes(), opt.velocity().to_bytes());

    let mut resumed = Small::from_bytes(&net_bytes).unwrap();
    let mut opt = Momentum::new(0.1, 0.9).nesterov();
    opt.restore(&Small::from_bytes(&velocity_bytes).unwrap())
        .unwrap();
    trainer(EPOCHS - EPOCHS / 2)
        .fit_in_order(
            &mut resumed,
            &mut Small::zeroed(),
            &Mse::new(),
            &mut opt,
            &data,
            |_, _| ControlFlow::Continue(()),
        )
        .unwrap();
    assert_eq!(resumed.to_bytes(), straight.to_bytes());
}
