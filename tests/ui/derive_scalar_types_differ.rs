use typenet::{Dense, Network, Sigmoid};

// The first layer computes in f64, the activation in the default f32: one error, at the
// activation, naming both scalar types (a tuple reports this at its use).
#[derive(Network)]
struct Mixed {
    hidden: Dense<2, 4, f64>,
    squash: Sigmoid<4>,
}

fn main() {}
