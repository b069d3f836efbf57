use typenet::{Layer, MaxPool2d, Valid};

fn main() {
    let pool = MaxPool2d::<2, 2, 1, 3, 3, 1, 1, Valid, 1, 1>::new();
    pool.forward(&[[[1.0]; 2]; 2]);
}
