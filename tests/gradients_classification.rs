//! The classification layers and losses checked against central finite differences inside
//! whole networks, in f32 and f64, over several seeds: every parameter and every input.

use typenet::{
    BinaryCrossEntropy, Class, Dense, Init, Layer, LeakyRelu, Mse, Scalar, Sigmoid, Softmax,
    SoftmaxCrossEntropy, SplitMix64, Tanh, check_gradients, init::unit_f64,
};

fn input<T: Scalar, const N: usize>(rng: &mut SplitMix64) -> [T; N] {
    // in [-1, -0.1] ∪ [0.1, 1]: away from the leaky ReLU's kink at 0
    core::array::from_fn(|_| {
        let u = unit_f64(rng) * 1.8 - 0.9;
        T::from_f64(if u < 0.0 { u - 0.1 } else { u + 0.1 })
    })
}

macro_rules! check_all_seeds {
    ($net:ty, $loss:expr, $target:expr, $eps:expr, $tol:expr) => {{
        let mut worst = 0.0f64;
        for seed in 0..8u64 {
            let mut rng = SplitMix64::new(seed);
            let mut net: $net = Layer::initialized(Init::XavierUniform, &mut rng);
            let x = input(&mut rng);
            let r = check_gradients(&mut net, &$loss, &x, &$target(seed), $eps);
            assert!(r.checked > 0);
            worst = worst.max(r.max_error().to_f64());
        }
        assert!(
            worst < $tol,
            "{}: worst scaled error {worst}",
            stringify!($net)
        );
        worst
    }};
}

fn class<const C: usize>(seed: u64) -> Class<C> {
    Class::new(seed as usize % C).unwrap()
}

#[test]
fn softmax_cross_entropy_networks() {
    type N64 = (Dense<5, 8, f64>, LeakyRelu<8, f64>, Dense<8, 4, f64>);
    type N32 = (Dense<5, 8>, LeakyRelu<8>, Dense<8, 4>);
    check_all_seeds!(N64, SoftmaxCrossEntropy::new(), class::<4>, 1e-6, 1e-7);
    // A smaller step than elsewhere in f32: a step of 1e-2 can carry a hidden unit across
    // the leaky ReLU's kink, where finite differences (not backpropagation) are wrong.
    check_all_seeds!(N32, SoftmaxCrossEntropy::new(), class::<4>, 1e-3, 5e-3);
}

#[test]
fn binary_cross_entropy_networks() {
    type N64 = (
        Dense<4, 6, f64>,
        Tanh<6, f64>,
        Dense<6, 2, f64>,
        Sigmoid<2, f64>,
    );
    type N32 = (Dense<4, 6>, Tanh<6>, Dense<6, 2>, Sigmoid<2>);
    let t64 = |seed: u64| [(seed % 2) as f64, ((seed / 2) % 2) as f64];
    let t32 = |seed: u64| [(seed % 2) as f32, ((seed / 2) % 2) as f32];
    check_all_seeds!(N64, BinaryCrossEntropy::new(), t64, 1e-6, 1e-7);
    check_all_seeds!(N32, BinaryCrossEntropy::new(), t32, 1e-2, 5e-3);
}

#[test]
fn softmax_layer_inside_a_network() {
    type N64 = (Dense<3, 5, f64>, Softmax<5, f64>);
    type N32 = (Dense<3, 5>, Softmax<5>);
    let t64 = |_| [0.1, 0.2, 0.3, 0.4, 0.0];
    let t32 = |_| [0.1f32, 0.2, 0.3, 0.4, 0.0];
    check_all_seeds!(N64, Mse::new(), t64, 1e-6, 1e-7);
    check_all_seeds!(N32, Mse::new(), t32, 1e-2, 5e-3);
}
