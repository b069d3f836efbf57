use typenet::{Dense, Layer, Network, Sigmoid};

#[derive(Network)]
struct Xor {
    hidden: Dense<2, 4>,
    squash: Sigmoid<4>,
    output: Dense<4, 1>,
    decide: Sigmoid<1>,
}

fn main() {
    let net = Xor::zeroed();
    // Xor takes two inputs.
    let _ = net.forward(&[0.0, 1.0, 1.0]);
}
