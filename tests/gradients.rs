//! Backpropagation checked against central finite differences, property-style: every layer
//! and several whole networks, at sizes drawn from a fixed set, with random inputs, targets
//! and weights from many seeds, in f32 and f64.

use typenet::{
    Dense, Identity, Init, Layer, Mse, Params, Relu, Scalar, Sigmoid, SplitMix64, Step, Tanh,
    Train, Vector, check_gradients,
};

const SEEDS: u64 = 12;

fn random_vec<V: Vector<T>, T: Scalar>(rng: &mut SplitMix64, lo: f64, hi: f64) -> V {
    let mut v = V::zeros();
    for e in v.as_mut_slice() {
        *e = T::from_f64(lo + (hi - lo) * typenet::init::unit_f64(rng));
    }
    v
}

/// Checks `N` with Mse over random inputs in `[lo, hi]` and random targets, for many seeds;
/// returns the worst scaled error seen.
fn worst_error<N, const O: usize>(eps: f64, lo: f64, hi: f64) -> f64
where
    N: Train<Output = [<N as Layer>::Scalar; O]>,
{
    let mut worst = 0.0f64;
    for seed in 0..SEEDS {
        let mut rng = SplitMix64::new(seed * 7919 + 1);
        let mut net = N::initialized(Init::Uniform, &mut rng);
        // larger weights than the default init, so gradients are not all tiny
        net.visit_params_mut(&mut |p| {
            for w in p {
                *w = *w * N::Scalar::from_f64(3.0);
            }
        });
        let x: N::Input = random_vec(&mut rng, lo, hi);
        let t: [N::Scalar; O] = random_vec(&mut rng, -1.0, 1.0);
        let before = net.visit_params_sum();
        let report = check_gradients(
            &mut net,
            &Mse::<O, N::Scalar>::new(),
            &x,
            &t,
            N::Scalar::from_f64(eps),
        );
        assert_eq!(
            before,
            net.visit_params_sum(),
            "gradient check must leave the network as it was"
        );
        assert_eq!(
            report.checked,
            N::PARAM_COUNT + <N::Input as Vector<N::Scalar>>::LEN
        );
        worst = worst.max(report.max_error().to_f64());
    }
    worst
}

trait SumParams: Layer {
    fn visit_params_sum(&self) -> f64 {
        let mut s = 0.0;
        self.visit_params(&mut |p| s += p.iter().map(|v| v.to_f64()).sum::<f64>());
        s
    }
}
impl<L: Layer> SumParams for L {}

const F64_EPS: f64 = 1e-6;
const F64_TOL: f64 = 1e-7;
const F32_EPS: f64 = 1e-2;
const F32_TOL: f64 = 5e-3;

/// Instantiates `$body` for every (I, O) pair; `$body` sees consts `I`, `O`.
macro_rules! for_sizes {
    ([$(($a:literal, $b:literal)),+], $body:ident) => {
        $( $body::<$a, $b>(); )+
    };
}

fn dense_case<const I: usize, const O: usize>() {
    let e64 = worst_error::<Dense<I, O, f64>, O>(F64_EPS, -2.0, 2.0);
    let e32 = worst_error::<Dense<I, O, f32>, O>(F32_EPS, -2.0, 2.0);
    eprintln!("Dense<{I}, {O}>: worst scaled error f64 {e64:.1e}, f32 {e32:.1e}");
    assert!(e64 < F64_TOL, "Dense<{I}, {O}> f64: {e64:e}");
    assert!(e32 < F32_TOL, "Dense<{I}, {O}> f32: {e32:e}");
}

#[test]
fn dense_gradients_match_finite_differences() {
    for_sizes!(
        [
            (1, 1),
            (2, 1),
            (2, 3),
            (3, 2),
            (5, 4),
            (8, 8),
            (13, 3),
            (1, 9)
        ],
        dense_case
    );
}

fn activations_case<const N: usize, const UNUSED: usize>() {
    // smooth activations: anywhere
    for e in [
        worst_error::<Sigmoid<N, f64>, N>(F64_EPS, -4.0, 4.0),
        worst_error::<Tanh<N, f64>, N>(F64_EPS, -3.0, 3.0),
        worst_error::<Identity<N, f64>, N>(F64_EPS, -3.0, 3.0),
    ] {
        assert!(e < F64_TOL, "f64 activation, N = {N}: {e:e}");
    }
    for e in [
        worst_error::<Sigmoid<N, f32>, N>(F32_EPS, -4.0, 4.0),
        worst_error::<Tanh<N, f32>, N>(F32_EPS, -3.0, 3.0),
        worst_error::<Identity<N, f32>, N>(F32_EPS, -3.0, 3.0),
    ] {
        assert!(e < F32_TOL, "f32 activation, N = {N}: {e:e}");
    }
    // ReLU and step have a kink at 0: keep the inputs on one side at a time
    for (lo, hi) in [(0.1, 3.0), (-3.0, -0.1)] {
        let e = worst_error::<Relu<N, f64>, N>(F64_EPS, lo, hi);
        assert!(e < F64_TOL, "Relu<{N}> f64 on [{lo}, {hi}]: {e:e}");
        let e = worst_error::<Relu<N, f32>, N>(F32_EPS, lo, hi);
        assert!(e < F32_TOL, "Relu<{N}> f32 on [{lo}, {hi}]: {e:e}");
        let e = worst_error::<Step<N, f64>, N>(F64_EPS, lo, hi);
        assert!(e < F64_TOL, "Step<{N}> f64 on [{lo}, {hi}]: {e:e}");
    }
}

#[test]
fn activation_gradients_match_finite_differences() {
    for_sizes!([(1, 0), (2, 0), (3, 0), (7, 0), (16, 0)], activations_case);
}

fn network_case<const I: usize, const H: usize>() {
    type Smooth<const I: usize, const H: usize, T> = (
        Dense<I, H, T>,
        Tanh<H, T>,
        Dense<H, H, T>,
        Sigmoid<H, T>,
        Dense<H, 2, T>,
    );
    let e = worst_error::<Smooth<I, H, f64>, 2>(F64_EPS, -1.0, 1.0);
    assert!(e < F64_TOL, "tanh/sigmoid network {I}-{H}-{H}-2 f64: {e:e}");
    eprintln!("network {I}-{H}-{H}-2 f64: {e:.1e}");
    let e = worst_error::<Smooth<I, H, f32>, 2>(F32_EPS, -1.0, 1.0);
    eprintln!("network {I}-{H}-{H}-2 f32: {e:.1e}");
    assert!(e < F32_TOL, "tanh/sigmoid network {I}-{H}-{H}-2 f32: {e:e}");
    // A ReLU network in f64, where ε = 1e-6 makes landing within ε of a kink unlikely.
    type Rectified<const I: usize, const H: usize> = (
        Dense<I, H, f64>,
        Relu<H, f64>,
        (Dense<H, 3, f64>, Identity<3, f64>),
    );
    let e = worst_error::<Rectified<I, H>, 3>(F64_EPS, -1.0, 1.0);
    assert!(e < 1e-6, "nested relu network {I}-{H}-3 f64: {e:e}");
}

#[test]
fn network_gradients_match_finite_differences() {
    for_sizes!([(1, 1), (2, 4), (3, 5), (6, 2), (4, 9)], network_case);
}

#[test]
fn twelve_layers_deep_backpropagates() {
    type Deep = (
        Dense<3, 4, f64>,
        Tanh<4, f64>,
        Dense<4, 4, f64>,
        Sigmoid<4, f64>,
        Dense<4, 5, f64>,
        Tanh<5, f64>,
        Dense<5, 3, f64>,
        Identity<3, f64>,
        Dense<3, 3, f64>,
        Tanh<3, f64>,
        Dense<3, 2, f64>,
        Sigmoid<2, f64>,
    );
    let e = worst_error::<Deep, 2>(F64_EPS, -1.0, 1.0);
    assert!(e < F64_TOL, "12-layer network: {e:e}");
}

/// The check itself must catch a wrong gradient: corrupt one weight's analytic gradient
/// by comparing against a network whose backward is deliberately off.
#[test]
fn gradient_check_detects_a_wrong_backward() {
    #[derive(Clone, Copy, Debug, PartialEq, Params)]
    #[params(scalar = f64)]
    struct Wrong {
        #[param]
        weights: [[f64; 2]; 2],
        #[param]
        bias: [f64; 2],
    }
    impl Wrong {
        fn dense(&self) -> Dense<2, 2, f64> {
            Dense::new(self.weights, self.bias)
        }
    }
    impl Layer for Wrong {
        type Scalar = f64;
        type Input = [f64; 2];
        type Output = [f64; 2];
        fn forward(&self, x: &[f64; 2]) -> [f64; 2] {
            self.dense().forward(x)
        }
    }
    impl Train for Wrong {
        type Cache = [f64; 2];
        fn forward_train(&self, x: &[f64; 2]) -> ([f64; 2], [f64; 2]) {
            self.dense().forward_train(x)
        }
        fn backward(&self, c: &[f64; 2], g: &[f64; 2], grads: &mut Self) -> [f64; 2] {
            let mut dense_grads = grads.dense();
            let dx = self.dense().backward(c, g, &mut dense_grads);
            grads.weights = dense_grads.weights;
            grads.bias = dense_grads.bias;
            grads.bias[1] *= 1.01; // a 1 % error in one bias gradient
            dx
        }
    }
    let mut net = Wrong {
        weights: [[1.0, -2.0], [0.5, 3.0]],
        bias: [0.1, -0.2],
    };
    let report = check_gradients(&mut net, &Mse::new(), &[1.5, -0.5], &[10.0, 10.0], 1e-6);
    assert!(report.max_param_error > 1e-3, "{report:?}");
    assert_eq!(
        report.worst_param,
        Some(5),
        "the second bias is parameter 5"
    );
}
