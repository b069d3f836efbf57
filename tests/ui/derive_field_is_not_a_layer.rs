use typenet::{Dense, Network, Sigmoid};

#[derive(Network)]
struct Net {
    hidden: Dense<2, 1>,
    steps: u32,
    squash: Sigmoid<1>,
}

fn main() {}
