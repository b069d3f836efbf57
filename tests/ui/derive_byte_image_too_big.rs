// A derived network with a layer beyond typenum's 1024 compiles and trains; only its byte
// image is refused, naming the layer.
use typenet::{ByteImage, Dense, Layer, Network, Sigmoid};

#[derive(Network)]
struct Wide {
    hidden: Dense<2000, 1>,
    squash: Sigmoid<1>,
}

fn main() {
    let net = Wide::zeroed();
    let _ = typenet::infer(&net, &[0.0; 2000]);
    let _ = net.to_bytes();
}
