//! End to end on real data with batch statistics: a small CNN with batch norm, trained on
//! the batched path (batch statistics, running averages moved every step) for a short
//! budget, reaches an accuracy floor on the 360 held-out digits with its running
//! statistics; those statistics are the conv layer's output statistics over the training
//! set; and the network folded into its convolution classifies as it does. Runs in the
//! ordinary (unoptimised) `cargo test`: 6 epochs (90.0 % measured, floor 88 %).

#[path = "../examples/common/mod.rs"]
mod common;

use typenet::{
    Adam, BatchNorm, Class, Conv2d, Dense, Flatten, Init, Layer, MaxPool2d, PerPixel, Relu, Same,
    SoftmaxCrossEntropy, SplitMix64, Trainer, Valid, confusion,
};

type Image = [[[f32; 1]; 8]; 8];

type Net = (
    Conv2d<8, 8, 1, 8, 3, 3, 1, 1, Same, 8, 8>,
    PerPixel<BatchNorm<8>, 8, 8>,
    PerPixel<Relu<8>, 8, 8>,
    MaxPool2d<8, 8, 8, 2, 2, 2, 2, Valid, 4, 4>,
    Flatten<4, 4, 8, 128>,
    Dense<128, 10>,
);

#[test]
fn a_cnn_with_batch_statistics_learns_the_digits() {
    let (train, test) = common::digits().expect("the data file parses");
    let as_image = |(x, t): &common::Digit| -> (Image, Class<10>) {
        (
            core::array::from_fn(|r| core::array::from_fn(|c| [x[8 * r + c]])),
            *t,
        )
    };
    let mut train: Vec<_> = train.iter().map(as_image).collect();
    let test: Vec<_> = test.iter().map(as_image).collect();

    let mut rng = SplitMix64::new(3);
    let mut net: Net = Layer::initialized(Init::HeUniform, &mut rng);
    net.1.layer = BatchNorm::default().with_momentum(0.1).unwrap();
    let before = net.1.layer;
    let mut grads = Net::zeroed();
    let mut adam = Adam::<Net>::new(0.003).unwrap();
    let last = Trainer::new(6, 32)
        .batched::<Net>()
        .fit(
            &mut net,
            &mut grads,
            &SoftmaxCrossEntropy::new(),
            &mut adam,
            &mut train,
            &mut rng,
        )
        .expect("training succeeds")
        .expect("epochs ran");
    assert_eq!(last.batches, 45);

    // the running statistics moved toward the conv layer's output statistics over the
    // training set (the last steps' weights barely differ from the final ones)
    let bn = net.1.layer;
    assert_ne!(bn.running_mean(), before.running_mean());
    let (mut sum, mut sq, mut count) = ([0.0f64; 8], [0.0f64; 8], 0.0);
    for (x, _) in &train {
        for px in net.0.forward(x).as_flattened() {
            for c in 0..8 {
                sum[c] += f64::from(px[c]);
                sq[c] += f64::from(px[c]).powi(2);
            }
            count += 1.0;
        }
    }
    for c in 0..8 {
        let mean = sum[c] / count;
        let sd = (sq[c] / count - mean * mean).sqrt();
        let (rm, rv) = (
            f64::from(bn.running_mean()[c]),
            f64::from(bn.running_var()[c]),
        );
        assert!(
            (rm - mean).abs() < 0.1 * sd + 1e-3,
            "channel {c}: running mean {rm}, data mean {mean} (sd {sd})"
        );
        assert!(
            (rv.sqrt() / sd - 1.0).abs() < 0.15,
            "channel {c}: running sd {}, data sd {sd}",
            rv.sqrt()
        );
    }

    // inference uses the running statistics
    let result = confusion(&net, &test);
    eprintln!(
        "digits, CNN with batch norm, 6 epochs: test accuracy {}, last loss {}",
        result.accuracy(),
        last.loss
    );
    assert!(result.accuracy() >= 0.88, "{}", result.accuracy());

    // folded into the convolution: the same decisions, up to rounding near a tie
    let folded = (bn.fold_conv2d(&net.0), net.2, net.3, net.4, net.5);
    let folded_result = confusion(&folded, &test);
    assert!(
        folded_result.correct().abs_diff(result.correct()) <= 1,
        "{} vs {}",
        folded_result.correct(),
        result.correct()
    );
}
