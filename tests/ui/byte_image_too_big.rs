// A layer beyond typenum's 1024 still trains; only its byte image is refused.
use typenet::{ByteImage, Dense, Layer, Sigmoid};

fn main() {
    let net = (Dense::<2000, 1>::zeroed(), Sigmoid::<1>::new());
    let _ = typenet::infer(&net, &[0.0; 2000]); // fine
    let _ = net.to_bytes();
}
