//! Handwritten digits in int8 with a convolutional network: the network of
//! `digits_cnn.rs` (three 3×3 convolutions, a max pool, a dense classifier), trained the
//! same way on the same split, then quantized after training
//! (`typenet::quant::quantize_body`: per-output-channel int8 filters, activation ranges
//! from the min/max seen on a calibration set) and compared with its float original:
//! test accuracy, size in bytes, and host inference time.
//!
//! Every layer has an int8 twin: `Conv2d` → `QConv2d`, `PerPixel<Relu>` → `QPerPixel`
//! of a 256-entry `QTable`, `MaxPool2d` → `QMaxPool2d`, `Flatten` → `QFlatten`, `Dense`
//! → `QDense`. The calibration set is the 1437 training images (never the test images).
//! The example exits with an error if int8 loses more than one point of test accuracy
//! (or if the float network misses `digits_cnn`'s 95 % target). `TYPENET_SEED=<n>` picks
//! another seed (default 0).
//!
//! ```sh
//! cargo run --release --example digits_cnn_int8
//! ```

mod common;

use std::hint::black_box;
use std::time::Instant;
use typenet::quant::{QLayer, quantize_body};
use typenet::{
    Adam, Class, Conv2d, Dense, Flatten, Init, Layer, MaxPool2d, PerPixel, Relu, Same,
    SoftmaxCrossEntropy, SplitMix64, Trainer, Valid, argmax,
    optim::{Cosine, Scheduled},
};

/// `digits_cnn.rs`'s network: 8×8×1 → conv 3×3 (16) → ReLU → conv 3×3 (16) → ReLU →
/// max pool 2×2 → conv 3×3 (32) → ReLU → flatten (512) → 64 ReLU → 10 scores.
type Net = (
    Conv2d<8, 8, 1, 16, 3, 3, 1, 1, Same, 8, 8>,
    PerPixel<Relu<16>, 8, 8>,
    Conv2d<8, 8, 16, 16, 3, 3, 1, 1, Same, 8, 8>,
    PerPixel<Relu<16>, 8, 8>,
    MaxPool2d<8, 8, 16, 2, 2, 2, 2, Valid, 4, 4>,
    Conv2d<4, 4, 16, 32, 3, 3, 1, 1, Same, 4, 4>,
    PerPixel<Relu<32>, 4, 4>,
    Flatten<4, 4, 32, 512>,
    Dense<512, 64>,
    Relu<64>,
    Dense<64, 10>,
);

type Image = [[[f32; 1]; 8]; 8];
type Codes = [[[i8; 1]; 8]; 8];

/// `digits_cnn.rs`'s settings and target (`TYPENET_SEED=<n>` picks another seed).
const TARGET: f64 = 95.0;
const EPOCHS: usize = 40;
const BATCH: usize = 32;
const LEARNING_RATE: f32 = 0.004;
const WEIGHT_DECAY: f32 = 0.05;
/// The largest test-accuracy drop (in points) int8 may cost.
const MAX_DROP: f64 = 1.0;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let seed: u64 = std::env::var("TYPENET_SEED").map_or(Ok(0), |s| s.parse())?;
    let (train, test) = common::digits()?;
    let as_image = |(x, t): &common::Digit| -> (Image, Class<10>) {
        (
            core::array::from_fn(|r| core::array::from_fn(|c| [x[8 * r + c]])),
            *t,
        )
    };
    let mut train: Vec<_> = train.iter().map(as_image).collect();
    let test: Vec<_> = test.iter().map(as_image).collect();

    let mut rng = SplitMix64::new(seed);
    let mut net: Box<Net> = Box::new(Layer::initialized(Init::HeUniform, &mut rng));
    let mut grads = Box::new(Net::zeroed());
    let steps = (EPOCHS * train.len().div_ceil(BATCH)) as u64;
    let adamw = Adam::<Net>::adamw(LEARNING_RATE, WEIGHT_DECAY)?;
    let mut adam = Scheduled::new(adamw, Cosine::new(LEARNING_RATE, 0.0, steps));
    let start = Instant::now();
    Trainer::new(EPOCHS, BATCH).batched::<Net>().fit(
        &mut *net,
        &mut *grads,
        &SoftmaxCrossEntropy::new(),
        &mut adam,
        &mut train,
        &mut rng,
    )?;
    println!(
        "trained digits_cnn's network for {EPOCHS} epochs in {:.1} s (seed {seed})",
        start.elapsed().as_secs_f64()
    );

    let calibration: Vec<Image> = train.iter().map(|(x, _)| *x).collect();
    let start = Instant::now();
    let (input, body, output) = quantize_body(&*net, &calibration)?;
    let body = Box::new(body);
    println!(
        "quantized on {} calibration images in {:.1} ms",
        calibration.len(),
        start.elapsed().as_secs_f64() * 1e3
    );
    let to_codes =
        |x: &Image| -> Codes { x.map(|row| row.map(|px| px.map(|v| input.quantize(v)))) };
    let codes: Vec<Codes> = test.iter().map(|(x, _)| to_codes(x)).collect();

    // The largest output code is the class: dequantizing keeps the order.
    let f32_pred: Vec<usize> = test.iter().map(|(x, _)| argmax(&net.forward(x))).collect();
    let int8_pred: Vec<usize> = codes.iter().map(|c| argmax_i8(&body.forward(c))).collect();
    let right = |pred: &[usize]| {
        pred.iter()
            .zip(&test)
            .filter(|(p, (_, t))| **p == t.index())
            .count()
    };
    let (f32_right, int8_right) = (right(&f32_pred), right(&int8_pred));
    let f32_acc = 100.0 * f32_right as f64 / test.len() as f64;
    let int8_acc = 100.0 * int8_right as f64 / test.len() as f64;
    let agree = f32_pred
        .iter()
        .zip(&int8_pred)
        .filter(|(a, b)| a == b)
        .count();

    // Inference time: every test image, many times over; the int8 body runs on codes
    // quantized beforehand, the "with quantization" row quantizes each image first.
    let per_inference = |f: &dyn Fn(usize)| {
        let reps = 20;
        let start = Instant::now();
        for _ in 0..reps {
            for i in 0..test.len() {
                f(i);
            }
        }
        start.elapsed().as_secs_f64() * 1e6 / (reps * test.len()) as f64
    };
    let t_f32 = per_inference(&|i| {
        black_box(net.forward(black_box(&test[i].0)));
    });
    let t_body = per_inference(&|i| {
        black_box(body.forward(black_box(&codes[i])));
    });
    let t_full = per_inference(&|i| {
        black_box(body.forward(&to_codes(black_box(&test[i].0))));
    });

    let f32_bytes = size_of::<Net>();
    let body_bytes = size_of_val(&*body);
    // Filters and dense weights: one byte each in int8, four in f32.
    let weight_count = 16 * 9 + 16 * 9 * 16 + 32 * 9 * 16 + 512 * 64 + 64 * 10;
    let channels = 16 + 16 + 32 + 64 + 10;
    println!();
    println!("| network | test accuracy | size | host time per inference |");
    println!("|---|---:|---:|---:|");
    println!(
        "| f32 CNN | {f32_acc:.2} % ({f32_right}/{}) | {f32_bytes} B | {t_f32:.1} µs |",
        test.len()
    );
    println!(
        "| int8 CNN (codes in, codes out) | {int8_acc:.2} % ({int8_right}/{}) | {body_bytes} B ({:.2}×) | {t_body:.1} µs |",
        test.len(),
        body_bytes as f64 / f32_bytes as f64
    );
    println!("| int8 CNN, quantizing the image first | same | same | {t_full:.1} µs |");
    println!();
    println!(
        "int8 size: {weight_count} B of weights (a quarter of their {} B in f32), {} B of i32 \
         biases, {} B of Q31 multipliers and shifts, 256 B per ReLU table (4 of them), and \
         windows, zero points and clamps",
        weight_count * 4,
        channels * 4,
        channels * 8
    );
    println!(
        "f32 and int8 predict the same class for {agree} of {} test images; accuracy drop {:.2} points",
        test.len(),
        f32_acc - int8_acc
    );
    println!(
        "input quantization: scale {}, zero point {}; output: scale {}, zero point {}",
        input.scale(),
        input.zero_point(),
        output.scale(),
        output.zero_point()
    );

    if f32_acc < TARGET {
        return Err(format!("the float network reaches {f32_acc:.2} %, below {TARGET} %").into());
    }
    if f32_acc - int8_acc > MAX_DROP {
        return Err(format!(
            "int8 loses {:.2} points of test accuracy (at most {MAX_DROP} allowed)",
            f32_acc - int8_acc
        )
        .into());
    }
    Ok(())
}

/// The index of the largest code (the first on a tie, as `argmax` does).
fn argmax_i8(scores: &[i8]) -> usize {
    let mut best = 0;
    for (i, &s) in scores.iter().enumerate() {
        if s > scores[best] {
            best = i;
        }
    }
    best
}
