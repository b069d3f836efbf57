use typenet::{Conv2d, Layer, Same};

fn main() {
    let conv = Conv2d::<28, 28, 1, 8, 3, 3, 2, 2, Same, 13, 14>::zeroed();
    conv.forward(&[[[0.0]; 28]; 28]);
}
