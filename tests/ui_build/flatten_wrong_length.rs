use typenet::{Flatten, Layer};

fn main() {
    let flatten = Flatten::<25, 20, 8, 4096>::new();
    flatten.forward(&[[[0.0; 8]; 20]; 25]);
}
