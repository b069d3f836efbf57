use typenet::{Dense, Layer, Network, Sigmoid};

#[derive(Network)]
struct Net {
    hidden: Dense<2, 1>,
    steps: u32,
    squash: Sigmoid<1>,
}

fn main() {
    let net = Net::zeroed();
    let _ = typenet::infer(&net, &[0.0, 1.0]);
}
