use typenet::{Conv2d, Layer, Residual, Same};

fn main() {
    // a stride-2 branch halves the image: x + block(x) cannot add the two
    let block = Residual::new(Conv2d::<8, 8, 4, 4, 3, 3, 2, 2, Same, 4, 4>::zeroed());
    typenet::infer(&block, &[[[0.0; 4]; 8]; 8]);
}
