use typenet::{Dense, Layer, Sigmoid};

// A tuple whose second layer computes in another scalar type (and has another size): the
// scalar types are the error, in words (the sizes are compared once the scalars agree).
fn main() {
    let net = (Dense::<2, 4, f64>::zeroed(), Sigmoid::<3>::new());
    let _ = typenet::infer(&net, &[0.0, 1.0]);
    let same_size = (Dense::<2, 4, f64>::zeroed(), Sigmoid::<4>::new());
    let _ = same_size.forward(&[0.0, 1.0]);
}
