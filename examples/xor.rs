//! XOR, the function one perceptron cannot compute: `Dense<2,4>` → `Sigmoid<4>` →
//! `Dense<4,1>` → `Sigmoid<1>`, initialised from a fixed seed and trained with SGD, one
//! step per sample. Prints the loss as it falls and the truth table.

use typenet::{Dense, Init, Layer, Mse, Sgd, Sigmoid, SplitMix64, Train, infer, train_step};

type Xor = (Dense<2, 4>, Sigmoid<4>, Dense<4, 1>, Sigmoid<1>);

const DATA: [([f32; 2], [f32; 1]); 4] = [
    ([0.0, 0.0], [0.0]),
    ([0.0, 1.0], [1.0]),
    ([1.0, 0.0], [1.0]),
    ([1.0, 1.0], [0.0]),
];

fn main() {
    let mut net: Xor = Layer::initialized(Init::XavierUniform, &mut SplitMix64::new(1));
    let mut grads = Xor::zeroed();
    let (loss, mut sgd) = (Mse::<1>::new(), Sgd::new(1.0).expect("a valid rate"));
    println!(
        "{} parameters, {} bytes; gradients {} bytes; training cache {} bytes",
        Xor::PARAM_COUNT,
        Xor::BYTES,
        Xor::GRADIENT_BYTES,
        Xor::CACHE_BYTES
    );

    let mut epoch = 0;
    loop {
        epoch += 1;
        let total: f32 = DATA
            .iter()
            .map(|(x, t)| train_step(&mut net, &mut grads, &loss, &mut sgd, x, t))
            .sum();
        if epoch == 1 || epoch % 200 == 0 || total < 0.05 {
            println!("epoch {epoch:5}: loss {total:.5}");
        }
        if total < 0.05 || epoch == 50_000 {
            break;
        }
    }

    let mut all_right = true;
    for (x, t) in &DATA {
        let y = infer(&net, x)[0];
        all_right &= (y > 0.5) == (t[0] > 0.5);
        println!(
            "{} XOR {} = {}   (y = {y:.4})",
            x[0],
            x[1],
            u8::from(y > 0.5)
        );
    }
    println!(
        "converged in {epoch} epochs: {}",
        if all_right { "all four right" } else { "WRONG" }
    );
    if !all_right {
        std::process::exit(1);
    }
}
