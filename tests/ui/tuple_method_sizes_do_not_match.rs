use typenet::{Dense, Layer, Sigmoid, Train};

// The method forms say what the free functions say: which layer cannot follow which, and
// both sizes (not "the method `forward` exists … but its trait bounds were not satisfied").
fn main() {
    let net = (Dense::<2, 3>::zeroed(), Sigmoid::<1>::new());
    let _ = net.forward(&[0.0, 1.0]);
    let deep = (Dense::<2, 4>::zeroed(), Sigmoid::<4>::new(), Dense::<3, 1>::zeroed());
    let _ = deep.forward_train(&[0.0, 1.0]);
}
