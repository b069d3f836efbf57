use typenet::{Dense, Network, Sigmoid};

// Two mistakes in one field, a size and a scalar type: two errors, one for each. Sizes are
// compared in the network's scalar type (the first layer's), so the size error says `f64`.
#[derive(Network)]
struct Mixed {
    hidden: Dense<2, 4, f64>,
    squash: Sigmoid<3>,
}

fn main() {}
