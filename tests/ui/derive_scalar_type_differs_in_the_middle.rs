use typenet::{Dense, Layer, Network, Sigmoid};

// One f32 layer between f64 layers is one error at that layer, not one at each layer it
// meets; using the network (batches included) adds none.
#[derive(Network)]
struct Mixed {
    hidden: Dense<2, 4, f64>,
    squash: Sigmoid<4>,
    output: Dense<4, 1, f64>,
}

fn main() {
    let net = Mixed::zeroed();
    let _ = typenet::infer(&net, &[0.0, 1.0]);
    let mut ys = [[0.0]; 1];
    let _ = net.forward_batch(&[[0.0, 1.0]], &mut ys, &mut [0.0; 64]);
}
