//! XOR declared as a struct with `#[derive(Network)]`: 2 inputs → 4 hidden sigmoid units →
//! 1 sigmoid output, trained with `Mse<1>` and plain SGD from a fixed seed.
//!
//! The struct is the network: its fields are the layers, in order, and the derive checks at
//! compile time that each one takes what the previous one gives (make `output` a
//! `Dense<3, 1>` and the build fails at that field). The example prints the loss as it
//! falls and the learned truth table, and exits with status 1 if any row is wrong.

use typenet::{
    CacheOf, Dense, Init, Layer, Mse, Network, Sgd, Sigmoid, SplitMix64, Train, infer, train_step,
};

/// Exclusive or, learned.
#[derive(Network, Clone, Debug)]
struct Xor {
    /// Two inputs to four hidden units: `a = W·x + b`.
    hidden: Dense<2, 4>,
    /// `h = σ(a)`, element-wise.
    squash: Sigmoid<4>,
    /// Four hidden units to one output.
    output: Dense<4, 1>,
    /// `y = σ(·)`, read as 1 when above ½.
    decide: Sigmoid<1>,
}

const DATA: [([f32; 2], [f32; 1]); 4] = [
    ([0.0, 0.0], [0.0]),
    ([0.0, 1.0], [1.0]),
    ([1.0, 0.0], [1.0]),
    ([1.0, 1.0], [0.0]),
];
const SEED: u64 = 7;
const LEARNING_RATE: f32 = 1.0;
const TARGET_LOSS: f32 = 0.01;
const MAX_EPOCHS: usize = 20_000;

fn main() {
    let mut net: Xor = Layer::initialized(Init::XavierUniform, &mut SplitMix64::new(SEED));
    let mut grads = Xor::zeroed(); // gradients have the network's own type
    let (loss, mut sgd) = (
        Mse::<1>::new(),
        Sgd::new(LEARNING_RATE).expect("a valid rate"),
    );
    println!(
        "Xor: {} parameters, {} bytes; training cache {} bytes per sample",
        Xor::PARAM_COUNT,
        Xor::BYTES,
        Xor::CACHE_BYTES
    );

    let mut epoch = 0;
    let mut total = f32::INFINITY;
    while total >= TARGET_LOSS && epoch < MAX_EPOCHS {
        epoch += 1;
        total = DATA
            .iter()
            .map(|(x, t)| train_step(&mut net, &mut grads, &loss, &mut sgd, x, t))
            .sum();
        if epoch == 1 || epoch % 500 == 0 || total < TARGET_LOSS {
            println!("epoch {epoch:5}: loss {total:.5}");
        }
    }

    // The training cache is a struct with the network's field names.
    let (_, cache): (_, CacheOf<Xor>) = net.forward_train(&[1.0, 0.0]);
    println!("hidden activations for (1, 0): {:?}", cache.output);

    println!("\nx0 x1 | XOR | y");
    let mut wrong = 0;
    for (x, t) in &DATA {
        let y = infer(&net, x)[0];
        let bit = u8::from(y > 0.5);
        if f32::from(bit) != t[0] {
            wrong += 1;
        }
        println!(" {}  {} |  {bit}  | {y:.4}", x[0], x[1]);
    }
    if wrong == 0 {
        println!("all four rows right after {epoch} epochs (loss {total:.5})");
    } else {
        println!("WRONG: {wrong} of 4 rows after {epoch} epochs (loss {total:.5})");
        std::process::exit(1);
    }
}
