use typenet::{Conv2d, Layer, Same, Valid};

fn main() {
    // the first convolution gives 16 channels, the second takes 3
    let net = (
        Conv2d::<8, 8, 1, 16, 3, 3, 1, 1, Same, 8, 8>::zeroed(),
        Conv2d::<8, 8, 3, 4, 3, 3, 1, 1, Valid, 6, 6>::zeroed(),
    );
    typenet::infer(&net, &[[[0.0; 1]; 8]; 8]);
}
