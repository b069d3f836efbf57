use typenet::{Dense, Network, Sigmoid};

#[derive(Network)]
struct Encoder {
    dense: Dense<8, 3>,
    squash: Sigmoid<3>,
}

// A derived network is a layer; its sizes are checked like any other layer's.
#[derive(Network)]
struct Classifier {
    encoder: Encoder,
    head: Dense<4, 2>,
}

fn main() {}
