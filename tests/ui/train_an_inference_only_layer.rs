// A layer that only infers (as an int8 layer will): it has `Layer` and `Params`, no
// `Train`. It chains in a tuple and in a derived network, infers and has a byte image;
// training either is a compile error that names it.
use core::marker::PhantomData;
use typenet::{ByteImage, Dense, Layer, Mse, Network, Params, Sgd, infer, train_step};

#[derive(Params, Clone, Copy, Debug, PartialEq)]
#[params(scalar = T)]
pub struct Halve<const N: usize, T = f32> {
    _scalar: PhantomData<T>,
}

impl<const N: usize> Layer for Halve<N> {
    type Scalar = f32;
    type Input = [f32; N];
    type Output = [f32; N];
    fn forward(&self, x: &[f32; N]) -> [f32; N] {
        x.map(|v| v * 0.5)
    }
}

#[derive(Network)]
struct Net {
    dense: Dense<2, 2>,
    halve: Halve<2>,
}

fn main() {
    let mut tuple = (Dense::<2, 2>::zeroed(), Halve::<2>::zeroed());
    let mut net = Net::zeroed();
    let _ = (infer(&tuple, &[1.0, 2.0]), infer(&net, &[1.0, 2.0]));
    let _ = (tuple.to_bytes(), net.to_bytes());
    let (mut g1, mut g2) = (tuple, Net::zeroed());
    train_step(&mut tuple, &mut g1, &Mse::new(), &mut Sgd::new(0.1).unwrap(), &[1.0, 2.0], &[0.0, 0.0]);
    train_step(&mut net, &mut g2, &Mse::new(), &mut Sgd::new(0.1).unwrap(), &[1.0, 2.0], &[0.0, 0.0]);
}
