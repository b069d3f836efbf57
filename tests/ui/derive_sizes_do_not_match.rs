use typenet::{Dense, Network, Sigmoid};

#[derive(Network)]
struct Broken {
    hidden: Dense<2, 3>,
    squash: Sigmoid<1>,
}

fn main() {}
