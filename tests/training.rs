//! End-to-end behaviour: golden gradients from an independent computation, mini-batch
//! accumulation, SGD, initialisation, convergence on AND and XOR, static networks.

use approx::assert_relative_eq;
use typenet::{
    Dense, Init, Layer, Loss, Mse, Optimizer, Sgd, Sigmoid, SplitMix64, Step, Tanh, Train,
    accumulate, infer, train_step,
};

type Xor<T> = (Dense<2, 4, T>, Sigmoid<4, T>, Dense<4, 1, T>, Sigmoid<1, T>);

const AND: [([f64; 2], [f64; 1]); 4] = [
    ([0.0, 0.0], [0.0]),
    ([0.0, 1.0], [0.0]),
    ([1.0, 0.0], [0.0]),
    ([1.0, 1.0], [1.0]),
];
const XOR: [([f64; 2], [f64; 1]); 4] = [
    ([0.0, 0.0], [0.0]),
    ([0.0, 1.0], [1.0]),
    ([1.0, 0.0], [1.0]),
    ([1.0, 1.0], [0.0]),
];

/// Golden values computed independently (a few lines of plain Python with `math.exp`,
/// written from the formulas in the design notes, not from this code).
#[test]
fn two_layer_gradients_match_an_independent_computation() {
    let net: (
        Dense<2, 2, f64>,
        Sigmoid<2, f64>,
        Dense<2, 1, f64>,
        Sigmoid<1, f64>,
    ) = (
        Dense::new([[0.1, -0.3], [0.4, 0.2]], [0.0, 0.1]),
        Sigmoid::new(),
        Dense::new([[0.5, -0.6]], [0.2]),
        Sigmoid::new(),
    );
    let x = [0.5, -1.0];
    let (y, cache) = net.forward_train(&x);
    assert_relative_eq!(y[0], 0.544_462_561_489_329_7, max_relative = 1e-14);
    let mut g = Layer::zeroed();
    let dx = net.backward(&cache, &Mse::new().gradient(&y, &[1.0]), &mut g);
    let (g1, _, g2, _) = g;
    let expect_w1 = [
        [-0.006_849_569_224_599_771, 0.013_699_138_449_199_542],
        [0.008_452_635_708_186_313, -0.016_905_271_416_372_627],
    ];
    for (row, want) in g1.weights.iter().zip(expect_w1) {
        for (a, b) in row.iter().zip(want) {
            assert_relative_eq!(*a, b, max_relative = 1e-12);
        }
    }
    assert_relative_eq!(g1.bias[0], -0.013_699_138_449_199_542, max_relative = 1e-12);
    assert_relative_eq!(g1.bias[1], 0.016_905_271_416_372_627, max_relative = 1e-12);
    assert_relative_eq!(
        g2.weights[0][0],
        -0.066_278_282_532_289_55,
        max_relative = 1e-12
    );
    assert_relative_eq!(
        g2.weights[0][1],
        -0.059_314_142_913_205_276,
        max_relative = 1e-12
    );
    assert_relative_eq!(g2.bias[0], -0.112_983_798_839_805_85, max_relative = 1e-12);
    assert_relative_eq!(dx[0], 0.005_392_194_721_629_096, max_relative = 1e-12);
    assert_relative_eq!(dx[1], 0.007_490_795_818_034_388, max_relative = 1e-12);
}

#[test]
fn perceptron_chain_rule_factors() {
    let net = (
        Dense::<2, 1, f64>::new([[0.2, -0.1]], [0.05]),
        Sigmoid::<1, f64>::new(),
    );
    let mut g = Layer::zeroed();
    let e = accumulate(&net, &mut g, &Mse::new(), &[1.0, 1.0], &[1.0]);
    assert_relative_eq!(e, 0.106_985_573_989_353_71, max_relative = 1e-14);
    assert_relative_eq!(
        g.0.weights[0][0],
        -0.114_994_480_966_221_28,
        max_relative = 1e-13
    );
    assert_relative_eq!(g.0.bias[0], -0.114_994_480_966_221_28, max_relative = 1e-13);
}

#[test]
fn mini_batch_gradients_are_the_sum_of_per_sample_gradients() {
    let net: Xor<f64> = Layer::initialized(Init::XavierUniform, &mut SplitMix64::new(5));
    let mut batch = Xor::<f64>::zeroed();
    let mut total_loss = 0.0;
    for (x, t) in &XOR {
        total_loss += accumulate(&net, &mut batch, &Mse::new(), x, t);
    }
    let mut sum = Xor::<f64>::zeroed();
    let mut sum_loss = 0.0;
    for (x, t) in &XOR {
        let mut single = Xor::<f64>::zeroed();
        sum_loss += accumulate(&net, &mut single, &Mse::new(), x, t);
        sum.zip_params(&single, [], &mut |s, g, []| {
            for (s, g) in s.iter_mut().zip(g) {
                *s += g;
            }
        });
    }
    assert_eq!(total_loss, sum_loss);
    let mut diff = 0.0f64;
    batch.zip_params(&sum, [], &mut |a, b, []| {
        for (a, b) in a.iter().zip(b) {
            diff = diff.max((a - b).abs());
        }
    });
    assert!(diff < 1e-15, "{diff}");
    assert_ne!(batch, Xor::<f64>::zeroed());

    // Zeroing is explicit: accumulating again without it doubles the gradients.
    let before = batch;
    for (x, t) in &XOR {
        accumulate(&net, &mut batch, &Mse::new(), x, t);
    }
    assert_relative_eq!(
        batch.2.bias[0],
        2.0 * before.2.bias[0],
        max_relative = 1e-12
    );
    batch.zero_params();
    assert_eq!(batch, Xor::<f64>::zeroed());
}

#[test]
fn sgd_moves_every_parameter_against_its_gradient() {
    let mut net = (Dense::<2, 1>::new([[1.0, 2.0]], [3.0]), Tanh::<1>::new());
    let grads = (Dense::<2, 1>::new([[0.5, -1.0]], [2.0]), Tanh::<1>::new());
    Sgd::new(0.1).unwrap().step(&mut net, &grads);
    assert_eq!(net.0.weights, [[0.95, 2.1]]);
    assert_eq!(net.0.bias, [2.8]);

    let mut half = grads;
    half.scale_params(0.5);
    assert_eq!(half.0.weights, [[0.25, -0.5]]);
}

#[test]
fn train_step_returns_the_loss_before_its_update() {
    let mut net: Xor<f32> = Layer::initialized(Init::Uniform, &mut SplitMix64::new(3));
    let mut grads = Layer::zeroed();
    let x = [1.0, 0.0];
    let expected = Mse::<1>::new().loss(&infer(&net, &x), &[1.0]);
    let before = net;
    let e = train_step(
        &mut net,
        &mut grads,
        &Mse::new(),
        &mut Sgd::new(0.5).unwrap(),
        &x,
        &[1.0],
    );
    assert_eq!(e, expected);
    assert_ne!(net, before);
    assert!(Mse::<1>::new().loss(&infer(&net, &x), &[1.0]) < e);
}

#[test]
fn initialisation_is_deterministic_and_within_each_scheme_limits() {
    for init in [Init::Uniform, Init::XavierUniform, Init::HeUniform] {
        let a: Dense<6, 3> = Layer::initialized(init, &mut SplitMix64::new(11));
        let b: Dense<6, 3> = Layer::initialized(init, &mut SplitMix64::new(11));
        let c: Dense<6, 3> = Layer::initialized(init, &mut SplitMix64::new(12));
        assert_eq!(a, b, "{init:?}: same seed, same weights");
        assert_ne!(a, c, "{init:?}: another seed, other weights");
        let (wl, bl) = match init {
            Init::Uniform => (1.0 / 6f64.sqrt(), 1.0 / 6f64.sqrt()),
            Init::XavierUniform => ((6.0 / 9.0f64).sqrt(), 0.0),
            Init::HeUniform => (1.0f64, 0.0),
        };
        let w = a.weights.as_flattened();
        assert!(w.iter().all(|v| f64::from(v.abs()) <= wl), "{init:?}");
        // the draws use the range: the largest magnitude is close to the limit
        let max = w.iter().fold(0.0f32, |m, v| m.max(v.abs()));
        assert!(f64::from(max) > 0.5 * wl, "{init:?}: {max}");
        assert!(a.bias.iter().all(|v| f64::from(v.abs()) <= bl), "{init:?}");
    }
}

fn epochs_to_learn<T: typenet::Scalar>(
    mut net: Xor<T>,
    data: &[([f64; 2], [f64; 1]); 4],
    rate: f64,
) -> Option<usize> {
    let conv = |v: [f64; 2]| v.map(T::from_f64);
    let mut grads = Xor::<T>::zeroed();
    let mut sgd = Sgd::new(T::from_f64(rate)).unwrap();
    for epoch in 1..=20_000 {
        let mut total = 0.0;
        for (x, t) in data {
            total += train_step(
                &mut net,
                &mut grads,
                &Mse::new(),
                &mut sgd,
                &conv(*x),
                &[T::from_f64(t[0])],
            )
            .to_f64();
        }
        let right = data
            .iter()
            .all(|(x, t)| (infer(&net, &conv(*x))[0].to_f64() > 0.5) == (t[0] > 0.5));
        if right && total < 0.05 {
            return Some(epoch);
        }
    }
    None
}

#[test]
fn xor_is_learned_from_several_seeds_in_f32_and_f64() {
    for seed in [1, 2, 3, 4, 7] {
        let n32: Xor<f32> = Layer::initialized(Init::XavierUniform, &mut SplitMix64::new(seed));
        let n64: Xor<f64> = Layer::initialized(Init::XavierUniform, &mut SplitMix64::new(seed));
        let e32 = epochs_to_learn(n32, &XOR, 1.0)
            .unwrap_or_else(|| panic!("f32 seed {seed} did not learn XOR"));
        let e64 = epochs_to_learn(n64, &XOR, 1.0)
            .unwrap_or_else(|| panic!("f64 seed {seed} did not learn XOR"));
        eprintln!("XOR seed {seed}: {e32} epochs (f32), {e64} epochs (f64)");
    }
}

#[test]
fn and_is_learned() {
    let net: Xor<f32> = Layer::initialized(Init::XavierUniform, &mut SplitMix64::new(9));
    let e = epochs_to_learn(net, &AND, 1.0).expect("AND");
    eprintln!("AND (2-4-1): {e} epochs");
}

/// A trained network can be a `static`: built by `const fn`s, read by `&self` inference.
static AND_GATE: (Dense<2, 1>, Step<1>) = (Dense::new([[1.0, 1.0]], [-1.5]), Step::new());

#[test]
fn static_perceptron_computes_and() {
    for (x, t) in AND {
        let x = x.map(|v| v as f32);
        assert_eq!(infer(&AND_GATE, &x)[0], t[0] as f32);
    }
}

#[test]
fn fingerprints_and_memory_figures_follow_the_type() {
    use typenet::Relu;
    assert_ne!(<Dense<2, 4>>::FINGERPRINT, <Dense<4, 2>>::FINGERPRINT);
    assert_ne!(<Sigmoid<3>>::FINGERPRINT, <Relu<3>>::FINGERPRINT);
    assert_ne!(
        <(Dense<2, 2>, Sigmoid<2>)>::FINGERPRINT,
        <(Sigmoid<2>, Dense<2, 2>)>::FINGERPRINT
    );
    assert_ne!(
        <(Dense<2, 2>, (Relu<2>,))>::FINGERPRINT,
        <(Dense<2, 2>, Relu<2>)>::FINGERPRINT
    );
    assert_eq!(<Xor<f32>>::PARAM_COUNT, 2 * 4 + 4 + 4 + 1);
    assert_eq!(<Xor<f32>>::BYTES, 17 * 4);
    assert_eq!(<Xor<f64>>::GRADIENT_BYTES, 17 * 8);
    // caches: Dense keeps its input, Sigmoid its output
    assert_eq!(<Xor<f32>>::CACHE_BYTES, (2 + 4 + 4 + 1) * 4);
}
