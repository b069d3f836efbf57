//! The firmware's golden output, produced on the host by the firmware's own code.
//!
//! `examples/firmware/src/{out,xor,fit,load,sine,cnn,cnn_fit}.rs` use only `core` and typenet, so this test
//! compiles the very same files and runs the very same computations as the `xor`, `fit`,
//! `load`, `sine` and `nopanic` binaries, with a `Vec<u8>` in place of semihosting stdout. Its output must equal `examples/firmware/golden/*.txt`, and so must the
//! device's (`examples/firmware/run.sh` compares them): host and microcontroller agree
//! byte for byte, down to the bit patterns of the floats.
//!
//! After an intended change of the numbers, rewrite the golden files and the baked XOR
//! weights with `TYPENET_BLESS=1 cargo test --test firmware_golden`.

#[allow(dead_code)]
#[path = "../examples/firmware/src/cnn.rs"]
mod cnn;
#[allow(dead_code)]
#[path = "../examples/firmware/src/cnn_fit.rs"]
mod cnn_fit;
#[allow(dead_code)]
#[path = "../examples/firmware/src/digits.rs"]
mod digits;
#[allow(dead_code)]
#[path = "../examples/firmware/src/fit.rs"]
mod fit;
#[allow(dead_code)]
#[path = "../examples/firmware/src/int8_layers.rs"]
mod int8_layers;
#[allow(dead_code)]
#[path = "../examples/firmware/src/load.rs"]
mod load;
#[allow(dead_code)]
#[path = "../examples/firmware/src/out.rs"]
mod out;
#[allow(dead_code)]
#[path = "../examples/firmware/src/sine.rs"]
mod sine;
#[allow(dead_code)]
#[path = "../examples/firmware/src/xor.rs"]
mod xor;

use std::fmt::Write as _;
use std::path::PathBuf;

use out::Sink;
use typenet::Dense;
use typenet::approx::assert_abs_diff_eq;

#[derive(Default)]
struct Buf(Vec<u8>);

impl Sink for Buf {
    fn bytes(&mut self, bytes: &[u8]) {
        self.0.extend_from_slice(bytes);
    }
}

impl Buf {
    fn text(&self) -> String {
        String::from_utf8(self.0.clone()).expect("the firmware writes UTF-8")
    }
}

fn firmware_file(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("examples/firmware")
        .join(rel)
}

fn blessing() -> bool {
    std::env::var_os("TYPENET_BLESS").is_some_and(|v| v == "1")
}

/// Compares `actual` with the committed file, or rewrites the file when blessing.
fn check_file(rel: &str, actual: &str) {
    let path = firmware_file(rel);
    if blessing() {
        std::fs::write(&path, actual).expect("write golden file");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        expected == actual,
        "{} differs from what the host computes now.\n--- committed\n{expected}\n--- now\n{actual}\n\
         If the change is intended: TYPENET_BLESS=1 cargo test --test firmware_golden",
        path.display()
    );
}

#[test]
fn xor_golden() {
    let mut buf = Buf::default();
    assert!(xor::run(&mut buf), "XOR did not train:\n{}", buf.text());
    check_file("golden/xor.txt", &buf.text());
}

#[test]
fn xor_weights_in_flash_are_what_training_produces() {
    let trained = xor::train(|_, _| {});
    assert!(trained.loss < xor::TARGET_LOSS);
    check_file("src/xor_trained.rs", &render_xor(&trained.net));
    // The baked weights, as the compiler parsed them, have the exact bits of training's.
    if !blessing() {
        assert_eq!(bits(&xor::TRAINED.hidden), bits(&trained.net.hidden));
        assert_eq!(bits(&xor::TRAINED.output), bits(&trained.net.output));
    }
}

#[test]
fn fit_golden() {
    let mut buf = Buf::default();
    assert!(
        fit::run(&mut buf),
        "Trainer did not train XOR:\n{}",
        buf.text()
    );
    check_file("golden/fit.txt", &buf.text());
}

#[test]
fn load_golden() {
    let mut buf = Buf::default();
    assert!(load::run(&mut buf), "loading failed:\n{}", buf.text());
    check_file("golden/load.txt", &buf.text());
}

#[test]
fn nopanic_golden() {
    let mut buf = Buf::default();
    assert!(xor::run_inference(&mut buf));
    check_file("golden/nopanic.txt", &buf.text());
}

#[test]
fn sine_golden_matches_the_trainer_and_sin() {
    let mut buf = Buf::default();
    // `run` checks each output against the bits the trainer recorded and against sin(x).
    assert!(sine::run(&mut buf), "{}", buf.text());
    check_file("golden/sine.txt", &buf.text());
    for (&x, &s) in sine::CHECK_X.iter().zip(&sine::CHECK_SIN) {
        assert_abs_diff_eq!(f64::from(x).sin(), f64::from(s), epsilon = 1e-7);
    }
}

/// The digits network in f32 and its int8 twin: the outputs the firmware must reproduce,
/// and the two networks' predictions side by side.
#[test]
fn digits_golden() {
    use typenet::Layer as _;
    use typenet::quant::QLayer as _;
    let mut buf = Buf::default();
    assert!(digits::run_f32(&mut buf), "{}", buf.text());
    check_file("golden/digits_f32.txt", &buf.text());
    let mut buf = Buf::default();
    assert!(digits::run_int8(&mut buf), "{}", buf.text());
    check_file("golden/digits_int8.txt", &buf.text());
    // The int8 network reads the same digits as the float one on these images.
    let argmax = |v: &[f32]| typenet::argmax(v);
    for (x, c) in digits::IMAGES.iter().zip(&digits::CODES) {
        let float = argmax(&digits::F32_NET.forward(x));
        let int8 = digits::INT8_NET.forward(c).map(f32::from);
        assert_eq!(float, argmax(&int8));
    }
}

#[test]
fn int8_layers_golden() {
    let mut buf = Buf::default();
    assert!(int8_layers::run(&mut buf), "{}", buf.text());
    check_file("golden/int8_layers.txt", &buf.text());
}

#[test]
fn cnn_golden_matches_the_trainer() {
    let mut buf = Buf::default();
    // `run` checks every score against the bits the trainer recorded.
    assert!(cnn::run(&mut buf), "{}", buf.text());
    check_file("golden/cnn.txt", &buf.text());
    // The baked images are the data file's first test images, with their labels.
    let rows: Vec<&str> = include_str!("../data/digits.csv")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .skip(1437)
        .take(cnn::CHECK_LABELS.len())
        .collect();
    for ((row, pixels), &label) in rows.iter().zip(&cnn::CHECK_PIXELS).zip(&cnn::CHECK_LABELS) {
        let mut expected: Vec<String> = pixels.iter().flatten().map(u8::to_string).collect();
        expected.push(label.to_string());
        assert_eq!(row.trim(), expected.join(","));
    }
}

#[test]
fn cnn_fit_golden() {
    let mut buf = Buf::default();
    assert!(
        cnn_fit::run(&mut buf),
        "the CNN did not train:\n{}",
        buf.text()
    );
    check_file("golden/cnn_fit.txt", &buf.text());
}

#[test]
fn number_output_matches_std_formatting() {
    let mut buf = Buf::default();
    for n in [0, 7, 10, 680, 4_294_967_295] {
        buf.0.clear();
        buf.u32(n);
        assert_eq!(buf.text(), n.to_string());
    }
    let mut samples = vec![
        0.0f32,
        1.0,
        -0.5,
        0.149_99,
        core::f32::consts::PI,
        -0.923_879_5,
        12_345.678,
    ];
    // Ties and near-ties of the fourth decimal, tiny and subnormal values, the upper end.
    samples.extend([
        0.000_05, 0.000_15, 1.000_05, 2.5e-5, 1e-30, 1e-45, 399_999.97,
    ]);
    let mut rng = typenet::SplitMix64::new(3);
    for _ in 0..2000 {
        let u = typenet::init::unit_f64(&mut rng);
        samples.push(((u - 0.5) * 1000.0) as f32);
        samples.push((u * 1e-3) as f32);
    }
    for x in samples {
        buf.0.clear();
        buf.fixed4(x);
        let sign = if x < 0.0 { "-" } else { " " };
        assert_eq!(buf.text(), format!("{sign}{:.4}", x.abs()), "{x}");
        buf.0.clear();
        buf.hex(x);
        assert_eq!(buf.text(), format!("{:#010x}", x.to_bits()));
    }
}

fn bits<const I: usize, const O: usize>(d: &Dense<I, O>) -> Vec<u32> {
    d.weights
        .iter()
        .flatten()
        .chain(&d.bias)
        .map(|v| v.to_bits())
        .collect()
}

/// `xor_trained.rs`: the trained network as a `static` (`{:?}` prints the shortest
/// decimal that parses back to the same `f32`).
fn render_xor(net: &xor::Xor) -> String {
    fn dense<const I: usize, const O: usize>(s: &mut String, field: &str, d: &Dense<I, O>) {
        let rows: Vec<String> = d.weights.iter().map(|r| format!("{r:?}")).collect();
        writeln!(
            s,
            "    {field}: Dense::new([{}], {:?}),",
            rows.join(", "),
            d.bias
        )
        .unwrap();
    }
    let mut s = String::new();
    s.push_str(
        "// @generated by `TYPENET_BLESS=1 cargo test --test firmware_golden`: do not edit.\n\
         // Included by `xor.rs`, in the firmware and in the host golden test.\n\n\
         /// The network [`train`] produces, bit for bit: a `static` in flash.\n\
         pub static TRAINED: Xor = Xor {\n",
    );
    dense(&mut s, "hidden", &net.hidden);
    s.push_str("    squash: Sigmoid::new(),\n");
    dense(&mut s, "output", &net.output);
    s.push_str("    decide: Sigmoid::new(),\n};\n");
    s
}
