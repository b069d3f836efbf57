//! Handwritten digits in int8: the 64 → 32 sigmoid → 10 network of `digits.rs`, trained
//! the same way on the same split, then quantized after training
//! (`typenet::quant::quantize`: per-channel int8 weights, activation ranges from the
//! min/max seen on a calibration set) and compared with its float original: test
//! accuracy, size in bytes, and host inference time.
//!
//! The calibration set is the 1437 plain training images (never the test images). The
//! example exits with an error if int8 loses more than one point of test accuracy.
//!
//! It also renders the firmware's model, `examples/firmware/src/digits_model.rs` (the
//! float network, its int8 twin as prepared integers, ten test images and the host's
//! outputs for them), which the `digits_f32` and `digits_int8` firmware binaries run on a
//! Cortex-M0 and M3: `--write` rewrites that file, `--check` fails if it differs from the
//! committed one.
//!
//! ```sh
//! cargo run --release --example digits_int8
//! ```

mod common;

use std::fmt::Write as _;
use std::hint::black_box;
use std::time::Instant;
use typenet::quant::{QDense, QLayer, QTable, quantize};
use typenet::{
    Dense, Init, Layer, Momentum, Sigmoid, SoftmaxCrossEntropy, SplitMix64, Trainer, argmax,
};

/// The network of `digits.rs`, as a tuple (tuples are what `quantize` takes).
type Net = (Dense<64, 32>, Sigmoid<32>, Dense<32, 10>);

const SEED: u64 = 0;
const EPOCHS: usize = 100;
const BATCH: usize = 32;
const LEARNING_RATE: f32 = 0.05;
const MOMENTUM: f32 = 0.9;
/// The largest test-accuracy drop (in points) int8 may cost.
const MAX_DROP: f64 = 1.0;
/// Test images the firmware runs.
const FIRMWARE_IMAGES: usize = 10;
const MODEL: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/examples/firmware/src/digits_model.rs"
);

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let write = std::env::args().any(|a| a == "--write");
    let check = std::env::args().any(|a| a == "--check");
    let (plain, test) = common::digits()?;
    let mut train = common::with_shifted_copies(&plain);

    let mut rng = SplitMix64::new(SEED);
    let mut net: Net = Layer::initialized(Init::XavierUniform, &mut rng);
    let mut grads = Net::zeroed();
    let mut optimizer = Momentum::new(LEARNING_RATE, MOMENTUM)?;
    let start = Instant::now();
    Trainer::new(EPOCHS, BATCH).batched::<Net>().fit(
        &mut net,
        &mut grads,
        &SoftmaxCrossEntropy::new(),
        &mut optimizer,
        &mut train,
        &mut rng,
    )?;
    println!(
        "trained 64 → 32 sigmoid → 10 for {EPOCHS} epochs in {:.1} s",
        start.elapsed().as_secs_f64()
    );

    let calibration: Vec<[f32; 64]> = plain.iter().map(|(x, _)| *x).collect();
    let start = Instant::now();
    let int8 = quantize(&net, &calibration)?;
    println!(
        "quantized on {} calibration images in {:.1} ms",
        calibration.len(),
        start.elapsed().as_secs_f64() * 1e3
    );
    let (to_codes, body, to_floats) = &int8;

    let right = |predict: &dyn Fn(&[f32; 64]) -> usize| {
        test.iter().filter(|(x, t)| predict(x) == t.index()).count()
    };
    let f32_right = right(&|x| argmax(&net.forward(x)));
    let int8_right = right(&|x| argmax(&int8.forward(x)));
    let f32_acc = 100.0 * f32_right as f64 / test.len() as f64;
    let int8_acc = 100.0 * int8_right as f64 / test.len() as f64;
    let agree = test
        .iter()
        .filter(|(x, _)| argmax(&net.forward(x)) == argmax(&int8.forward(x)))
        .count();

    // Inference time: every test image, many times over; the int8 body runs on codes
    // quantized beforehand (as on a device whose sensor gives integers).
    let codes: Vec<[i8; 64]> = test.iter().map(|(x, _)| to_codes.forward(x)).collect();
    let per_inference = |f: &dyn Fn(usize)| {
        let reps = 200;
        let start = Instant::now();
        for _ in 0..reps {
            for i in 0..test.len() {
                f(i);
            }
        }
        start.elapsed().as_secs_f64() * 1e9 / (reps * test.len()) as f64
    };
    let t_f32 = per_inference(&|i| {
        black_box(net.forward(black_box(&test[i].0)));
    });
    let t_body = per_inference(&|i| {
        black_box(body.forward(black_box(&codes[i])));
    });
    let t_full = per_inference(&|i| {
        black_box(int8.forward(black_box(&test[i].0)));
    });

    let f32_bytes = size_of::<Net>();
    let body_bytes = size_of_val(body);
    let weight_bytes = 64 * 32 + 32 * 10;
    println!();
    println!("| network | test accuracy | size | host time per inference |");
    println!("|---|---:|---:|---:|");
    println!(
        "| f32 | {f32_acc:.2} % ({f32_right}/{}) | {f32_bytes} B | {t_f32:.0} ns |",
        test.len()
    );
    println!(
        "| int8 (codes in, codes out) | {int8_acc:.2} % ({int8_right}/{}) | {body_bytes} B ({:.2}×) | {t_body:.0} ns |",
        test.len(),
        body_bytes as f64 / f32_bytes as f64
    );
    println!(
        "| int8 with Quantize/Dequantize | same | {} B | {t_full:.0} ns |",
        size_of_val(&int8)
    );
    println!();
    println!(
        "int8 size: {weight_bytes} B of weights (a quarter of their {} B in f32), {} B of \
         i32 biases, {} B of Q31 multipliers and shifts, 256 B of sigmoid table, 16 B per \
         dense layer of zero points and clamps",
        weight_bytes * 4,
        (32 + 10) * 4,
        (32 + 10) * 8
    );
    println!(
        "f32 and int8 predict the same class for {agree} of {} test images; accuracy drop {:.2} points",
        test.len(),
        f32_acc - int8_acc
    );
    println!(
        "input quantization: scale {}, zero point {}; output: scale {}, zero point {}",
        to_codes.params().scale(),
        to_codes.params().zero_point(),
        to_floats.params().scale(),
        to_floats.params().zero_point()
    );

    let images: Vec<&common::Digit> = test.iter().take(FIRMWARE_IMAGES).collect();
    let source = render(&net, body, &images, &|x| to_codes.forward(x));
    if write {
        std::fs::write(MODEL, &source)?;
        println!("wrote {MODEL}");
    } else if check {
        let committed = std::fs::read_to_string(MODEL).unwrap_or_default();
        if committed != source {
            return Err(format!("{MODEL} is not what this run produces: run with --write").into());
        }
        println!("{MODEL} is what this run produces");
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

fn list<T: std::fmt::Debug>(v: &[T]) -> String {
    let items: Vec<String> = v.iter().map(|x| format!("{x:?}")).collect();
    format!("[{}]", items.join(", "))
}

fn rows<T: std::fmt::Debug, const N: usize>(v: &[[T; N]]) -> String {
    let items: Vec<String> = v
        .iter()
        .map(|r| format!("        {},\n", list(r)))
        .collect();
    format!("[\n{}    ]", items.concat())
}

fn qdense<const I: usize, const O: usize>(d: &QDense<I, O>) -> String {
    format!(
        "match QDense::from_prepared(\n    {},\n    {},\n    ({}, {}),\n    {:?},\n    {:?},\n) {{\n    Ok(layer) => layer,\n    Err(_) => panic!(\"invalid prepared layer\"),\n}}",
        rows(d.weights()),
        list(&d.bias()),
        list(d.multipliers()),
        list(d.shifts()),
        d.zero_points(),
        d.clamp()
    )
}

fn render(
    net: &Net,
    body: &(QDense<64, 32>, QTable<32>, QDense<32, 10>),
    images: &[&common::Digit],
    quantize: &dyn Fn(&[f32; 64]) -> [i8; 64],
) -> String {
    let mut s = String::new();
    let n = images.len();
    s.push_str(
        "// @generated by `cargo run --release --example digits_int8 -- --write`: do not edit.\n",
    );
    s.push_str("// Included by `digits.rs`, in the firmware and in the host golden test.\n\n");
    s.push_str("/// The trained float network: a `static` in flash, built at compile time.\n");
    let _ = write!(
        s,
        "pub static F32_NET: DigitsF32 = (\n    Dense::new(\n    {},\n    {}),\n    Sigmoid::new(),\n    Dense::new(\n    {},\n    {}),\n);\n\n",
        rows(&net.0.weights),
        list(&net.0.bias),
        rows(&net.2.weights),
        list(&net.2.bias)
    );
    s.push_str(
        "/// Its int8 twin, as integers prepared on the host: no floating point on the device.\n",
    );
    s.push_str("/// A prepared part out of range would stop the build here.\n");
    let _ = write!(
        s,
        "pub static INT8_NET: DigitsInt8 = (\n{},\nQTable::new({}),\n{},\n);\n\n",
        qdense(&body.0),
        list(body.1.table()),
        qdense(&body.2)
    );
    let floats: Vec<[f32; 64]> = images.iter().map(|(x, _)| *x).collect();
    let codes: Vec<[i8; 64]> = floats.iter().map(quantize).collect();
    let labels: Vec<u8> = images.iter().map(|(_, t)| t.index() as u8).collect();
    let f32_out: Vec<[u32; 10]> = floats
        .iter()
        .map(|x| net.forward(x).map(f32::to_bits))
        .collect();
    let int8_out: Vec<[i8; 10]> = codes.iter().map(|c| body.forward(c)).collect();
    let _ = write!(
        s,
        "/// The first {n} test images (pixels 0..=16).\npub const IMAGES: [[f32; 64]; {n}] = {};\n\n",
        rows(&floats)
    );
    let _ = write!(
        s,
        "/// The same images quantized on the host (the int8 network's input).\npub const CODES: [[i8; 64]; {n}] = {};\n\n",
        rows(&codes)
    );
    let _ = write!(
        s,
        "/// Their labels.\npub const LABELS: [u8; {n}] = {};\n\n",
        list(&labels)
    );
    let _ = write!(
        s,
        "/// The float network's outputs on the host, as bit patterns.\npub const HOST_F32: [[u32; 10]; {n}] = {};\n\n",
        rows(&f32_out)
    );
    let _ = write!(
        s,
        "/// The int8 network's output codes on the host.\npub const HOST_INT8: [[i8; 10]; {n}] = {};\n",
        rows(&int8_out)
    );
    s
}
