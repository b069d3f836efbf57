use typenet::{Dense, Layer, Network, Sigmoid};

#[derive(Network)]
struct Broken {
    hidden: Dense<2, 3>,
    squash: Sigmoid<1>,
}

fn main() {
    // Using the network adds no errors: the one above, at the field, is the only one.
    let net = Broken::zeroed();
    let _ = typenet::infer(&net, &[0.0, 1.0]);
}
