use typenet::{Dense, Network, Sigmoid, Tanh};

// Each mismatch is reported once, at its own field, and nothing else.
#[derive(Network)]
struct Twice {
    l1: Dense<2, 8>,
    a1: Tanh<4>,
    l2: Dense<4, 2>,
    a2: Sigmoid<3>,
}

fn main() {}
