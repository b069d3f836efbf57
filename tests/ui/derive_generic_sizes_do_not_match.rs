use typenet::{Dense, Network, Sigmoid};

// `H` hidden units, but the second layer takes 4 inputs, whatever `H` is.
#[derive(Network)]
pub struct Mlp<const H: usize> {
    l1: Dense<2, H>,
    a1: Sigmoid<H>,
    l2: Dense<4, 1>,
    a2: Sigmoid<1>,
}

fn main() {}
