use typenet::{Dense, Network, Sigmoid};

// The first layer computes in f64, the activation in the default f32.
#[derive(Network)]
struct Mixed {
    hidden: Dense<2, 4, f64>,
    squash: Sigmoid<4>,
}

fn main() {}
