use typenet::quant::quantize;
use typenet::{Dense, Layer, Network, Softmax};

#[derive(Network)]
struct Classifier {
    hidden: Dense<2, 3>,
    probabilities: Softmax<3>,
}

fn main() {
    // Tuples of Dense and activations quantize; a derived network does not (yet).
    let net = Classifier::zeroed();
    let _ = quantize(&net, &[[0.0, 1.0]]);
}
