use typenet::{Dense, Network, Relu};

#[derive(Network)]
struct Pair(Dense<3, 5>, Relu<4>);

fn main() {}
