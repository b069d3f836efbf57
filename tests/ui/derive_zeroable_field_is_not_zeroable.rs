use typenet::{Dense, Network, Sigmoid, Zeroable};

// A derived network that did not opt in to `Zeroable`...
#[derive(Network)]
struct Encoder {
    dense: Dense<8, 3>,
    squash: Sigmoid<3>,
}

// ... cannot be a field of one that does: the error is at that field (a use of
// `Classifier` where `Zeroable` is needed would add its own, at the use).
#[derive(Network, Zeroable)]
struct Classifier {
    encoder: Encoder,
    head: Dense<3, 2>,
}

fn main() {}
