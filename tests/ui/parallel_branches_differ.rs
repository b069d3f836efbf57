use typenet::{Conv2d, Layer, Parallel, Same};

fn main() {
    // the main branch halves the image, the shortcut keeps it: A(x) + B(x) cannot be added
    let block = Parallel::new(
        Conv2d::<8, 8, 4, 8, 3, 3, 2, 2, Same, 4, 4>::zeroed(),
        Conv2d::<8, 8, 4, 8, 1, 1, 1, 1, Same, 8, 8>::zeroed(),
    );
    typenet::infer(&block, &[[[0.0; 4]; 8]; 8]);
}
