use typenet::{Dense, Layer, Mse, Network, Sgd, Sigmoid, train_step};

#[derive(Network)]
struct Xor {
    hidden: Dense<2, 4>,
    squash: Sigmoid<4>,
    output: Dense<4, 1>,
    decide: Sigmoid<1>,
}

fn main() {
    let mut net = Xor::zeroed();
    let mut grads = Xor::zeroed();
    // The network outputs one value; this loss scores three.
    train_step(&mut net, &mut grads, &Mse::<3>::new(), &mut Sgd::new(0.5).unwrap(), &[0.0, 1.0], &[1.0, 0.0, 0.0]);
}
