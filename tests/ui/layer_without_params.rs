// A layer whose struct does not declare its parameters, and one whose `#[param]` field
// is not an array of its scalar: each is one error that says what to write.
use typenet::{Layer, Params};

pub struct Forgot<const N: usize>;

impl<const N: usize> Layer for Forgot<N> {
    type Scalar = f32;
    type Input = [f32; N];
    type Output = [f32; N];
    fn forward(&self, x: &[f32; N]) -> [f32; N] {
        *x
    }
}

#[derive(Params)]
#[params(scalar = f32)]
pub struct Counter {
    #[param]
    count: [u32; 4],
}

impl Layer for Counter {
    type Scalar = f32;
    type Input = [f32; 4];
    type Output = [f32; 4];
    fn forward(&self, x: &[f32; 4]) -> [f32; 4] {
        *x
    }
}

fn main() {}
