//! `include_tflite!`: imported networks against the LiteRT interpreter's outputs.
//!
//! The models and the interpreter's outputs (reference kernels and default kernels) come
//! from scripts/tflite_models.py. typenet's `Dense` sums its dot products in a different
//! order from TFLite's kernels (eight partial sums, fused multiply-adds where the CPU has
//! them), and its sigmoid, tanh and exp are its own, so outputs agree to a tolerance, not
//! bit for bit: each output within `REL` of the expected one, relative to
//! `max(|expected|, FLOOR)` (see `check`). A third reference, the same chain in float64
//! NumPy, tells which side of a difference is off.

use typenet::{Dense, Layer, Relu, Sigmoid, Softmax, Tanh, include_tflite};

/// The relative tolerance (issue 13 asks for 1e-5 on float32 models).
const REL: f32 = 1e-5;
/// Below this magnitude the tolerance is absolute (`REL · FLOOR`).
const FLOOR: f32 = 1e-3;

include_tflite! {
    /// XOR with hand-set weights.
    pub struct Xor: [f32; 2] -> [f32; 1] = "tests/data/tflite/xor.tflite";
}

include_tflite! {
    /// RESHAPE, FC 8→16 + RELU, FC 16→12, TANH, FC 12→10 (no bias), RELU, FC 10→6, SOFTMAX.
    struct Mlp: [f32; 8] -> [f32; 6] = "tests/data/tflite/mlp.tflite";
}

const SIX: usize = 6;

include_tflite! {
    /// Two sigmoid layers whose inputs cross TFLite's logistic cut-offs.
    struct Sig: [f32; 3] -> [f32; { 2 * 2 }] = "tests/data/tflite/sigmoid.tflite";
}

// Without a signature; the output length named by a constant elsewhere.
include_tflite!(struct MlpUnsigned = "tests/data/tflite/mlp.tflite");

struct Io {
    inputs: usize,
    outputs: usize,
    x: Vec<f32>,
    /// LiteRT, reference kernels.
    reference: Vec<f32>,
    /// LiteRT, default kernels.
    default: Vec<f32>,
    /// float64 NumPy with exact activations.
    exact: Vec<f64>,
}

fn read_io(name: &str) -> Io {
    let path = format!("{}/tests/data/tflite/{name}.io", env!("CARGO_MANIFEST_DIR"));
    let b = std::fs::read(path).unwrap();
    assert_eq!(&b[..4], b"TNIO");
    let u = |k: usize| u32::from_le_bytes(b[4 + 4 * k..8 + 4 * k].try_into().unwrap()) as usize;
    assert_eq!(u(0), 2);
    let (n, i, o) = (u(1), u(2), u(3));
    let f32s = |from: usize, count: usize| -> Vec<f32> {
        b[from..from + 4 * count]
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes(c.try_into().unwrap()))
            .collect()
    };
    let at = 20 + 4 * n * (i + 2 * o);
    let exact: Vec<f64> = b[at..]
        .chunks_exact(8)
        .map(|c| f64::from_le_bytes(c.try_into().unwrap()))
        .collect();
    assert_eq!(exact.len(), n * o);
    Io {
        inputs: i,
        outputs: o,
        x: f32s(20, n * i),
        reference: f32s(20 + 4 * n * i, n * o),
        default: f32s(20 + 4 * n * (i + o), n * o),
        exact,
    }
}

/// `|y − e|` relative to `max(|e|, FLOOR)`.
fn rel(y: f64, e: f64) -> f64 {
    (y - e).abs() / e.abs().max(f64::from(FLOOR))
}

/// Runs `net` on every sample of `name.io` and checks each output: within `REL` of the
/// float64 forward pass and of LiteRT's default kernels; and within `REL` of LiteRT's
/// reference kernels plus those kernels' own distance from the float64 value (their
/// float logistic returns `e^x` below x = −9, off by up to `e^−9` ≈ 1.2e-4 relative).
fn check<L, const I: usize, const O: usize>(net: &L, name: &str)
where
    L: Layer<Input = [f32; I], Output = [f32; O]>,
{
    let io = read_io(name);
    assert_eq!((io.inputs, io.outputs), (I, O));
    let (mut vs_exact, mut vs_def, mut vs_ref, mut ref_off, mut bits) = (0f64, 0f64, 0f64, 0f64, 0);
    for (s, x) in io.x.chunks_exact(I).enumerate() {
        let y = net.forward(x.try_into().unwrap());
        for k in 0..O {
            let j = s * O + k;
            let (y, e) = (f64::from(y[k]), io.exact[j]);
            let (r, d) = (f64::from(io.reference[j]), f64::from(io.default[j]));
            let (a, b, c, ro) = (rel(y, e), rel(y, d), rel(y, r), rel(r, e));
            assert!(
                a <= f64::from(REL),
                "{name} sample {s} output {k}: {y} vs float64 {e}"
            );
            assert!(
                b <= f64::from(REL),
                "{name} sample {s} output {k}: {y} vs LiteRT {d}"
            );
            assert!(
                c <= f64::from(REL) + ro,
                "{name} sample {s} output {k}: {y} vs LiteRT reference {r} (float64 {e})"
            );
            (vs_exact, vs_def, vs_ref, ref_off) = (
                vs_exact.max(a),
                vs_def.max(b),
                vs_ref.max(c),
                ref_off.max(ro),
            );
            bits += usize::from(y.to_bits() == r.to_bits());
        }
    }
    println!(
        "{name}: max rel. difference {vs_exact:.2e} from float64, {vs_def:.2e} from LiteRT's default kernels, \
         {vs_ref:.2e} from its reference kernels (which are {ref_off:.2e} from float64); \
         {bits} of {} outputs bit-identical to the reference kernels",
        io.exact.len()
    );
}

#[test]
fn xor_matches_litert_and_computes_xor() {
    static XOR: Xor = Xor::new();
    check(&XOR, "xor");
    let y = |a: f32, b: f32| XOR.forward(&[a, b])[0];
    assert!(y(0.0, 0.0) < 0.1 && y(1.0, 1.0) < 0.1);
    assert!(y(0.0, 1.0) > 0.9 && y(1.0, 0.0) > 0.9);
}

#[test]
fn mlp_matches_litert() {
    check(&Mlp::new(), "mlp");
    let _: [f32; SIX] = MlpUnsigned::new().forward(&[0.0; 8]);
}

#[test]
fn sigmoid_matches_litert_across_its_cutoffs() {
    check(&Sig::new(), "sigmoid");
}

/// The generated struct is the chain the file describes, weights in typenet's order
/// (`Dense` stores `O` rows of `I`, as TFLite does), and a field's type is a layer.
#[test]
fn the_layers_are_the_files_operators() {
    let xor = Xor::new();
    let _: (&Dense<2, 4>, &Relu<4>, &Dense<4, 1>, &Sigmoid<1>) = (
        &xor.op0_dense,
        &xor.op0_relu,
        &xor.op1_dense,
        &xor.op2_sigmoid,
    );
    assert_eq!(
        xor.op0_dense.weights,
        [[1.0, 1.0], [1.0, 1.0], [1.0, -1.0], [-1.0, 1.0]]
    );
    assert_eq!(xor.op0_dense.bias, [0.0, -1.0, 0.0, 0.0]);
    assert_eq!(xor.op1_dense.weights, [[4.0, -8.0, 2.0, 2.0]]);
    let mlp = Mlp::new();
    // operator 0 is the RESHAPE, which adds no layer
    let _: (&Dense<8, 16>, &Relu<16>, &Dense<16, 12>, &Tanh<12>) =
        (&mlp.op1_dense, &mlp.op1_relu, &mlp.op2_dense, &mlp.op3_tanh);
    let _: (&Dense<12, 10>, &Relu<10>, &Dense<10, 6>, &Softmax<6>) = (
        &mlp.op4_dense,
        &mlp.op5_relu,
        &mlp.op6_dense,
        &mlp.op7_softmax,
    );
    // FC 12→10 has no bias in the file: zeros
    assert_eq!(mlp.op4_dense.bias, [0.0; 10]);
    assert_eq!(
        Mlp::PARAM_COUNT,
        (8 * 16 + 16) + (16 * 12 + 12) + (12 * 10 + 10) + (10 * 6 + 6)
    );
}

/// An imported float32 network trains like any other: one step lowers the loss.
#[test]
fn an_imported_network_fine_tunes() {
    use typenet::{Mse, Sgd, train_step};
    let mut net = Mlp::new();
    let x = [0.5, -1.0, 0.25, 2.0, -0.5, 1.5, 0.0, -2.0];
    let t = [0.0, 0.0, 1.0, 0.0, 0.0, 0.0];
    let loss = |n: &Mlp| {
        let y = n.forward(&x);
        y.iter()
            .zip(&t)
            .map(|(a, b)| (a - b) * (a - b))
            .sum::<f32>()
    };
    let before = loss(&net);
    let mut grads = Mlp::zeroed();
    let mut opt = Sgd::new(0.5).unwrap();
    for _ in 0..5 {
        train_step(&mut net, &mut grads, &Mse::new(), &mut opt, &x, &t);
    }
    assert!(loss(&net) < before, "{} !< {before}", loss(&net));
    assert_ne!(net, Mlp::new());
}
