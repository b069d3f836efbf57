//! XOR, trained on the device: the computation behind the `xor` and `nopanic` binaries.
//!
//! Compiled into the firmware and, unchanged, into the host test that writes the golden
//! files (`tests/firmware_golden.rs`), so host and device run the same code path.

use crate::out::Sink;
use typenet::{
    Dense, Init, Layer, Mse, Network, Sgd, Sigmoid, SplitMix64, Train, infer, train_step,
};

/// 2 inputs → 4 hidden sigmoid units → 1 sigmoid output. The fields are the layers, in
/// order; the derive checks at compile time that each takes what the previous one gives.
#[derive(Network)]
pub struct Xor {
    /// Two inputs to four hidden units: `a = W·x + b`.
    pub hidden: Dense<2, 4>,
    /// `h = σ(a)`, element-wise.
    pub squash: Sigmoid<4>,
    /// Four hidden units to one output.
    pub output: Dense<4, 1>,
    /// `y = σ(·)`, read as 1 when above ½.
    pub decide: Sigmoid<1>,
}

/// The seed of the weight initialisation: the whole run, epochs included, follows from it.
pub const SEED: u64 = 1;
/// The SGD learning rate.
pub const RATE: f32 = 1.0;
/// Training stops once the summed loss of one epoch is below this.
pub const TARGET_LOSS: f32 = 0.05;
/// ... or after this many epochs, which counts as a failure.
pub const MAX_EPOCHS: u32 = 50_000;

/// The truth table: inputs and target.
pub const DATA: [([f32; 2], [f32; 1]); 4] = [
    ([0.0, 0.0], [0.0]),
    ([0.0, 1.0], [1.0]),
    ([1.0, 0.0], [1.0]),
    ([1.0, 1.0], [0.0]),
];

/// RAM that training needs besides the program's own stack frames, known at compile time:
/// the network, its gradients and one sample's cache.
pub const TRAINING_BYTES: usize = Xor::BYTES + Xor::GRADIENT_BYTES + Xor::CACHE_BYTES;

// A firmware author's budget check: it fails the build, not the device.
const _: () = assert!(Xor::PARAM_COUNT == 2 * 4 + 4 + 4 + 1);
const _: () = assert!(
    TRAINING_BYTES <= 256,
    "XOR training must fit in 256 bytes of RAM"
);

/// The network as initialised from [`SEED`] (Xavier uniform).
pub fn init() -> Xor {
    Layer::initialized(Init::XavierUniform, &mut SplitMix64::new(SEED))
}

/// One epoch: one SGD step per sample, in order. Returns the summed loss.
pub fn epoch(net: &mut Xor, grads: &mut Xor, sgd: &mut Sgd) -> f32 {
    let loss = Mse::<1>::new();
    let mut total = 0.0;
    for (x, t) in &DATA {
        total += train_step(net, grads, &loss, sgd, x, t);
    }
    total
}

/// The answer of the trained network for one input: `y > 0.5`.
pub fn answer(net: &Xor, x: &[f32; 2]) -> (bool, f32) {
    let [y] = infer(net, x);
    (y > 0.5, y)
}

/// A trained network and how training went.
pub struct Trained {
    /// The network after the last epoch.
    pub net: Xor,
    /// Epochs run.
    pub epochs: u32,
    /// The summed loss of the last epoch.
    pub loss: f32,
}

/// Trains from [`init`] until the summed loss of an epoch is below [`TARGET_LOSS`] (or
/// [`MAX_EPOCHS`] have run), calling `progress(epoch, loss)` after each epoch.
pub fn train(mut progress: impl FnMut(u32, f32)) -> Trained {
    let mut net = init();
    let mut grads = Xor::zeroed();
    let mut epochs = 0;
    let mut loss = f32::INFINITY;
    // A valid rate is never rejected; a bad one would end training before the first epoch.
    let Ok(mut sgd) = Sgd::new(RATE) else {
        return Trained { net, epochs, loss };
    };
    while loss >= TARGET_LOSS && epochs < MAX_EPOCHS {
        loss = epoch(&mut net, &mut grads, &mut sgd);
        epochs += 1;
        progress(epochs, loss);
    }
    Trained { net, epochs, loss }
}

/// Trains (see [`train`]), printing the loss now and then, then prints the truth table
/// with each output's value and bits. Returns whether training converged and all four
/// answers are right.
pub fn run(out: &mut impl Sink) -> bool {
    out.str("typenet xor: struct Xor { Dense<2, 4>, Sigmoid<4>, Dense<4, 1>, Sigmoid<1> }\n");
    out.u32(Xor::PARAM_COUNT as u32);
    out.str(" parameters, ");
    out.u32(Xor::BYTES as u32);
    out.str(" bytes; gradients ");
    out.u32(Xor::GRADIENT_BYTES as u32);
    out.str(" bytes; training cache ");
    out.u32(Xor::CACHE_BYTES as u32);
    out.str(" bytes\nXavier uniform from SplitMix64 seed ");
    out.u32(SEED as u32);
    out.str(", SGD rate");
    out.fixed4(RATE);
    out.str(", one step per sample\n");

    let trained = train(|epoch, loss| {
        if epoch == 1 || epoch % 1000 == 0 || loss < TARGET_LOSS {
            out.str("epoch ");
            out.u32(epoch);
            out.str(": loss");
            out.fixed4(loss);
            out.str(" ");
            out.hex(loss);
            out.str("\n");
        }
    });
    out.str("trained in ");
    out.u32(trained.epochs);
    out.str(" epochs\n");

    let mut all_right = trained.loss < TARGET_LOSS;
    for (x, t) in &DATA {
        let (bit, y) = answer(&trained.net, x);
        all_right &= bit == (t[0] > 0.5);
        out.str(if x[0] > 0.5 { "1" } else { "0" });
        out.str(" xor ");
        out.str(if x[1] > 0.5 { "1" } else { "0" });
        out.str(if bit { " = 1" } else { " = 0" });
        out.str("   y =");
        out.fixed4(y);
        out.str(" ");
        out.hex(y);
        out.str("\n");
    }
    out.str(if all_right {
        "all four right\n"
    } else {
        "WRONG\n"
    });
    all_right
}

/// The truth table of `net`, in constant strings only (no number formatting at all).
/// Returns whether all four answers are right.
pub fn truth_table(out: &mut impl Sink, net: &Xor) -> bool {
    let mut all_right = true;
    for (x, t) in &DATA {
        let (bit, _) = answer(net, x);
        all_right &= bit == (t[0] > 0.5);
        out.str(match (x[0] > 0.5, x[1] > 0.5, bit) {
            (false, false, false) => "0 xor 0 = 0\n",
            (false, false, true) => "0 xor 0 = 1\n",
            (false, true, false) => "0 xor 1 = 0\n",
            (false, true, true) => "0 xor 1 = 1\n",
            (true, false, false) => "1 xor 0 = 0\n",
            (true, false, true) => "1 xor 0 = 1\n",
            (true, true, false) => "1 xor 1 = 0\n",
            (true, true, true) => "1 xor 1 = 1\n",
        });
    }
    out.str(if all_right {
        "all four right\n"
    } else {
        "WRONG\n"
    });
    all_right
}

include!("xor_trained.rs");

/// The `nopanic` binary: inference with [`TRAINED`], the network [`train`] produces,
/// baked into flash. Returns whether all four answers are right.
pub fn run_inference(out: &mut impl Sink) -> bool {
    out.str("typenet nopanic: XOR inference from weights in flash, no panic path linked\n");
    truth_table(out, &TRAINED)
}
