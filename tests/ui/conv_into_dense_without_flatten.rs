use typenet::{Conv2d, Dense, Layer, Same};

fn main() {
    let net = (
        Conv2d::<50, 40, 3, 8, 3, 3, 2, 2, Same, 25, 20>::zeroed(),
        Dense::<4096, 4>::zeroed(),
    );
    typenet::infer(&net, &[[[0.0; 3]; 40]; 50]);
}
