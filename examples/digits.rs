//! Handwritten digits: a 64 → 32 → 10 network learns to read 8×8 images of the digits
//! 0–9 (the UCI optical digits, `data/digits.csv`), with a sigmoid hidden layer, softmax
//! cross-entropy, SGD with momentum and shuffled mini-batches, each multiplied as a whole
//! (the batched path: same bits as one sample at a time, about 15 % faster here).
//!
//! It trains on the first 1437 images and tests on the last 360, which it never sees in
//! training. The training images are also used shifted by one pixel in each direction
//! (five times the samples, no new data): that is what lifts test accuracy above what the
//! same network reaches on the plain images (91.1–91.9 % over eight seeds, like
//! scikit-learn's `MLPClassifier` at 91.4–92.2 %). Each epoch prints the mean training loss and the test accuracy;
//! at the end it prints the training time, the accuracy and the confusion matrix (which
//! digits are mistaken for which), and writes two pictures to `target/plots/` (or
//! `$TYPENET_PLOTS`): `digits_curves.svg`, the loss and accuracy on the training and
//! test data after every epoch, and `digits_confusion.svg`, the confusion matrix.
//!
//! ```sh
//! cargo run --release --example digits
//! ```

mod common;

use common::svg::{self, Series};
use std::ops::ControlFlow;
use std::time::{Duration, Instant};
use typenet::{
    Dense, Init, Layer, Loss, Momentum, Network, Sigmoid, SoftmaxCrossEntropy, SplitMix64, Trainer,
    argmax, confusion,
};

/// 64 pixels → 32 sigmoid units → 10 scores (logits); the softmax is inside the loss.
#[derive(Network)]
struct Net {
    hidden: Dense<64, 32>,
    squash: Sigmoid<32>,
    scores: Dense<32, 10>,
}

const SEED: u64 = 0;
/// The test accuracy this example must reach.
const TARGET: f64 = 0.92;
const EPOCHS: usize = 100;
const BATCH: usize = 32;
const LEARNING_RATE: f32 = 0.05;
const MOMENTUM: f32 = 0.9;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (train, test) = common::digits()?;
    let mut train = common::with_shifted_copies(&train);
    println!(
        "digits: {} training samples (1437 images and their one-pixel shifts), {} test images",
        train.len(),
        test.len(),
    );
    println!(
        "network: 64 → 32 sigmoid → 10, {} parameters, {} bytes; SGD with momentum {MOMENTUM}, \
         rate {LEARNING_RATE}, batches of {BATCH}",
        Net::PARAM_COUNT,
        Net::BYTES
    );

    let mut rng = SplitMix64::new(SEED);
    let mut net: Net = Layer::initialized(Init::XavierUniform, &mut rng);
    let mut grads = Net::zeroed();
    let mut optimizer = Momentum::new(LEARNING_RATE, MOMENTUM);
    let loss = SoftmaxCrossEntropy::new();
    let evaluate = |net: &Net| confusion::<_, _, 10>(net, &test, |y| argmax(y), |t| t.index());
    let mean_loss = |net: &Net, data: &[common::Digit]| {
        let sum: f64 = data
            .iter()
            .map(|(x, t)| f64::from(loss.loss(&net.forward(x), t)))
            .sum();
        sum / data.len() as f64
    };
    // per epoch, for the pictures: training loss (the mean over the epoch, as the
    // trainer reports it), test loss, training and test accuracy (after the epoch)
    let (mut train_loss, mut test_loss) = (Vec::new(), Vec::new());
    let (mut train_acc, mut test_acc) = (Vec::new(), Vec::new());
    let train_copy = train.clone(); // the trainer shuffles `train` while we evaluate

    // The time spent evaluating after each epoch is measured and left out of the
    // training time.
    let mut evaluating = Duration::ZERO;
    let start = Instant::now();
    Trainer::new(EPOCHS, BATCH).batched::<Net>().fit(
        &mut net,
        &mut grads,
        &loss,
        &mut optimizer,
        &mut train,
        &mut rng,
        |epoch, net| {
            let t = Instant::now();
            let accuracy = evaluate(net).accuracy();
            train_loss.push(f64::from(epoch.loss));
            test_loss.push(mean_loss(net, &test));
            let on_train = confusion::<_, _, 10>(net, &train_copy, |y| argmax(y), |t| t.index());
            train_acc.push(100.0 * on_train.accuracy());
            test_acc.push(100.0 * accuracy);
            println!(
                "epoch {:3}: loss {:.4}, test accuracy {:5.1} %",
                epoch.epoch,
                epoch.loss,
                100.0 * accuracy
            );
            evaluating += t.elapsed();
            ControlFlow::Continue(())
        },
    )?;
    let training = start.elapsed() - evaluating;

    let result = evaluate(&net);
    println!(
        "\ntrained {EPOCHS} epochs in {:.2} s ({:.1} ms per epoch of {} samples)",
        training.as_secs_f64(),
        training.as_secs_f64() * 1000.0 / EPOCHS as f64,
        train.len()
    );
    println!(
        "test accuracy: {:.2} % ({} of {} right)\n",
        100.0 * result.accuracy(),
        result.correct(),
        result.total()
    );
    println!("{result}");

    let curves = svg::curves(
        "digits",
        &[
            Series {
                name: "training",
                values: &train_loss,
                color: "#1f77b4",
            },
            Series {
                name: "test",
                values: &test_loss,
                color: "#d62728",
            },
        ],
        &[
            Series {
                name: "training",
                values: &train_acc,
                color: "#1f77b4",
            },
            Series {
                name: "test",
                values: &test_acc,
                color: "#d62728",
            },
        ],
    );
    let digits = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];
    let title = format!(
        "digits: test confusion matrix ({:.1} % right)",
        100.0 * result.accuracy()
    );
    let matrix = svg::confusion(&title, &result.counts, &digits);
    println!(
        "pictures: {}",
        svg::save("digits_curves.svg", &curves)?.display()
    );
    println!(
        "          {}",
        svg::save("digits_confusion.svg", &matrix)?.display()
    );
    // The target this example is held to (CI runs it): fail loudly below it.
    if result.accuracy() < TARGET {
        return Err(format!("test accuracy below the {:.0} % target", 100.0 * TARGET).into());
    }
    Ok(())
}
