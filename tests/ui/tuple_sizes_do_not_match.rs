use typenet::{Dense, Layer, Sigmoid};

fn main() {
    let net = (Dense::<2, 3>::zeroed(), Sigmoid::<1>::new());
    typenet::infer(&net, &[0.0, 1.0]);
}
