//! End to end on real data: the digits network trained for a short, fixed budget from a
//! fixed seed reaches an accuracy floor on the 360 held-out test images. It runs in the
//! ordinary (unoptimised) `cargo test`, so the budget is small: 8 epochs on the 1437
//! plain training images.

#[path = "../examples/common/mod.rs"]
mod common;

use std::ops::ControlFlow;
use typenet::{
    Dense, Init, Layer, Momentum, Network, Sigmoid, SoftmaxCrossEntropy, SplitMix64, Trainer,
    confusion,
};

/// The network of `examples/digits.rs`, as a derived struct.
#[derive(Network)]
struct Net {
    hidden: Dense<64, 32>,
    squash: Sigmoid<32>,
    scores: Dense<32, 10>,
}

#[test]
fn digits_reach_an_accuracy_floor_in_a_few_epochs() {
    let (mut train, test) = common::digits().expect("the data file parses");
    assert_eq!((train.len(), test.len()), (1437, 360));

    let mut rng = SplitMix64::new(7);
    let mut net: Net = Layer::initialized(Init::XavierUniform, &mut rng);
    let mut grads = Net::zeroed();
    let mut optimizer = Momentum::new(0.1, 0.9).unwrap();
    let mut losses = Vec::new();
    let last = Trainer::new(8, 32)
        .fit_with(
            &mut net,
            &mut grads,
            &SoftmaxCrossEntropy::new(),
            &mut optimizer,
            &mut train,
            &mut rng,
            |epoch, _| {
                losses.push(epoch.loss);
                ControlFlow::Continue(())
            },
        )
        .expect("training succeeds")
        .expect("epochs ran");

    assert_eq!(last.epoch, 8);
    assert_eq!(last.batches, 45, "1437 samples in batches of 32");
    assert!(
        losses.windows(2).all(|w| w[1] < w[0]),
        "loss falls every epoch: {losses:?}"
    );
    // Chance is 10 % and the untrained network's loss ln 10 ≈ 2.3.
    assert!(losses[7] < 0.2, "{losses:?}");
    let result = confusion(&net, &test);
    assert_eq!(result.total(), 360);
    eprintln!(
        "digits after 8 epochs: test accuracy {}, losses {losses:?}",
        result.accuracy()
    );
    assert!(
        result.accuracy() >= 0.88,
        "test accuracy {}",
        result.accuracy()
    );
}
