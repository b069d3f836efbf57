use typenet::{Dense, Network, Sigmoid};

// The first layer computes in f64, the activation in the default f32. The `Fits` message
// names the change; the parameter walks, which hand one closure over `&[f64]` to every
// layer, add their own errors at the same field. (A tuple reports this at its use.)
#[derive(Network)]
struct Mixed {
    hidden: Dense<2, 4, f64>,
    squash: Sigmoid<4>,
}

fn main() {}
