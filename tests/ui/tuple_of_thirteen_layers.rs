use typenet::{Layer, Relu};

// Tuples are networks up to 12 layers; a longer one says so, and what to write instead.
type R = Relu<1>;

fn main() {
    let _ = <(R, R, R, R, R, R, R, R, R, R, R, R, R)>::zeroed();
    let net = (R::new(), R::new(), R::new(), R::new(), R::new(), R::new(), R::new());
    let longer = (net.0, net.1, net.2, net.3, net.4, net.5, net.6, net.0, net.1, net.2, net.3, net.4, net.5, net.6);
    let _ = typenet::infer(&longer, &[0.0]);
}
