//! `BatchNorm` with fixed statistics: its definition, its gradients (finite differences
//! and the formula written out here), the batched path, settings the optimizer must not
//! touch, bad settings, and folding into `Conv2d` / `DepthwiseConv2d`.

use typenet::{
    BatchNorm, Conv2d, DepthwiseConv2d, Init, Layer, Mse, Optimizer, PerPixel, Same, Sgd,
    SplitMix64, Train, Valid, batch, check_gradients,
};

fn bn64() -> BatchNorm<3, f64> {
    BatchNorm::new(
        [1.5, -0.5, 2.0],
        [0.25, 0.0, -1.0],
        [0.3, -1.2, 4.0],
        [2.0, 0.5, 9.0],
        1e-3,
    )
    .unwrap()
}

#[test]
fn forward_is_the_normalisation_of_its_definition() {
    let bn = bn64();
    let x = [1.0, -2.0, 3.5];
    let y = bn.forward(&x);
    for c in 0..3 {
        let want = bn.gamma[c] * (x[c] - bn.running_mean()[c])
            / (bn.running_var()[c] + bn.eps()).sqrt()
            + bn.beta[c];
        assert!(
            (y[c] - want).abs() < 1e-14,
            "channel {c}: {} vs {want}",
            y[c]
        );
    }
    // the default is almost the identity: γ 1, β 0, μ 0, σ² 1, ε 1e-5
    let id = BatchNorm::<2>::default();
    let y = id.forward(&[3.0, -1.0]);
    assert!((y[0] - 3.0 / (1.0f32 + 1e-5).sqrt()).abs() < 1e-6);
    assert_eq!(<BatchNorm<4> as Layer>::PARAM_COUNT, 8);
}

#[test]
fn gradients_match_finite_differences_and_the_formula() {
    let mut bn = bn64();
    let x = [1.0, -2.0, 3.5];
    let t = [0.5, 1.0, -2.0];
    let r = check_gradients(&mut bn, &Mse::new(), &x, &t, 1e-6);
    assert!(r.max_error() < 1e-7, "{r:?}");
    // by hand: ∂E/∂β = g, ∂E/∂γ = g·x̂, ∂E/∂x = g·γ/√(σ² + ε)
    let g = [0.3, -0.7, 1.1];
    let mut grads = BatchNorm::<3, f64>::zeroed();
    let dx = bn.backward(&x, &g, &mut grads);
    for c in 0..3 {
        let sd = (bn.running_var()[c] + bn.eps()).sqrt();
        let x_hat = (x[c] - bn.running_mean()[c]) / sd;
        assert!((grads.beta[c] - g[c]).abs() < 1e-15);
        assert!((grads.gamma[c] - g[c] * x_hat).abs() < 1e-14);
        assert!((dx[c] - g[c] * bn.gamma[c] / sd).abs() < 1e-14);
    }
}

#[test]
fn batched_forward_is_the_per_sample_forward_bit_for_bit() {
    let bn = BatchNorm::<3>::new(
        [1.5, -0.5, 2.0],
        [0.25, 0.0, -1.0],
        [0.3, -1.2, 4.0],
        [2.0, 0.5, 9.0],
        1e-5,
    )
    .unwrap();
    let xs: Vec<[f32; 3]> = (0..7)
        .map(|i| [i as f32 * 0.37, -(i as f32), 1.0 / (1.0 + i as f32)])
        .collect();
    let mut ys = vec![[0.0; 3]; xs.len()];
    let mut ws = vec![0.0; batch::workspace_len::<BatchNorm<3>>(xs.len())];
    bn.forward_batch(&xs, &mut ys, &mut ws).unwrap();
    for (x, y) in xs.iter().zip(&ys) {
        assert_eq!(bn.forward(x).map(f32::to_bits), y.map(f32::to_bits));
        assert_eq!(bn.forward_train(x).0.map(f32::to_bits), y.map(f32::to_bits));
    }
}

#[test]
fn an_optimizer_step_trains_gamma_and_beta_and_leaves_the_statistics() {
    let mut bn = bn64();
    let before = bn;
    let mut grads = BatchNorm::<3, f64>::zeroed();
    bn.backward(&[1.0, -2.0, 3.5], &[0.3, -0.7, 1.1], &mut grads);
    Sgd::new(0.5).unwrap().step(&mut bn, &grads);
    assert_eq!(bn.running_mean(), before.running_mean());
    assert_eq!(bn.running_var(), before.running_var());
    assert_eq!(bn.eps(), before.eps());
    assert_eq!(bn.beta[0], before.beta[0] - 0.5 * 0.3);
    assert_ne!(bn.gamma, before.gamma);
}

#[test]
fn bad_settings_are_refused() {
    let ok = ([1.0f32; 2], [0.0; 2], [0.0; 2], [1.0; 2]);
    for eps in [0.0, -1e-5, f32::NAN, f32::INFINITY] {
        let e = BatchNorm::new(ok.0, ok.1, ok.2, ok.3, eps).unwrap_err();
        assert_eq!(e.name, "ε");
    }
    for var in [-0.5, f32::NAN, f32::INFINITY] {
        let e = BatchNorm::new(ok.0, ok.1, ok.2, [1.0, var], 1e-5).unwrap_err();
        assert_eq!(e.name, "running variance");
    }
    let e = BatchNorm::new([f32::NAN, 1.0], ok.1, ok.2, ok.3, 1e-5).unwrap_err();
    assert_eq!(e.name, "γ, β and running mean");
    assert!(BatchNorm::new(ok.0, ok.1, [0.0, f32::INFINITY], ok.3, 1e-5).is_err());
    // a variance of 0 is a constant channel: allowed, ε keeps the division finite
    assert!(BatchNorm::new(ok.0, ok.1, ok.2, [0.0, 1.0], 1e-5).is_ok());
}

/// The largest |a − b| / max(1, |b|) over two images.
fn max_rel<const H: usize, const W: usize, const C: usize>(
    a: &[[[f32; C]; W]; H],
    b: &[[[f32; C]; W]; H],
) -> f32 {
    a.as_flattened()
        .as_flattened()
        .iter()
        .zip(b.as_flattened().as_flattened())
        .map(|(x, y)| (x - y).abs() / y.abs().max(1.0))
        .fold(0.0, f32::max)
}

/// Folding is exact in real arithmetic; in `f32` each output may differ from conv → batch
/// norm by a few rounding errors: 1e-5 relative (about 80 ulp) is the stated bound.
const FOLD_TOLERANCE: f32 = 1e-5;

#[test]
fn folded_conv2d_equals_conv2d_then_batch_norm() {
    let mut rng = SplitMix64::new(5);
    let conv: Conv2d<6, 6, 3, 4, 3, 3, 1, 1, Same, 6, 6> =
        Layer::initialized(Init::HeUniform, &mut rng);
    let bn = BatchNorm::new(
        [1.3, 0.2, -0.8, 2.5],
        [0.1, -0.4, 0.0, 1.5],
        [0.5, -0.3, 0.05, 1.0],
        [0.7, 2.2, 0.01, 4.0],
        1e-5,
    )
    .unwrap();
    let pair = (conv, PerPixel::<_, 6, 6>::new(bn));
    let folded = bn.fold_conv2d(&conv);
    for k in 0..5 {
        let x: [[[f32; 3]; 6]; 6] = core::array::from_fn(|r| {
            core::array::from_fn(|c| {
                core::array::from_fn(|ch| ((r * 7 + c * 3 + ch + k) % 11) as f32 / 5.0 - 1.0)
            })
        });
        let (two, one) = (pair.forward(&x), folded.forward(&x));
        let err = max_rel(&one, &two);
        assert!(err <= FOLD_TOLERANCE, "image {k}: {err}");
    }
    // the fold changes the weights (a fold that returned the conv unchanged would fail above
    // too, but say it plainly)
    assert_ne!(folded.weights, conv.weights);
}

#[test]
fn folded_depthwise_equals_depthwise_then_batch_norm() {
    let mut rng = SplitMix64::new(6);
    // 2 channels × multiplier 2 = 4 output channels
    let dw: DepthwiseConv2d<5, 5, 2, 2, 3, 3, 1, 1, Valid, 3, 3, 4> =
        Layer::initialized(Init::HeUniform, &mut rng);
    let bn = BatchNorm::new(
        [0.9, -1.1, 0.3, 1.7],
        [0.0, 0.2, -0.6, 0.05],
        [0.2, 0.4, -0.5, 0.0],
        [1.5, 0.3, 0.8, 0.02],
        1e-5,
    )
    .unwrap();
    let pair = (dw, PerPixel::<_, 3, 3>::new(bn));
    let folded = bn.fold_depthwise(&dw);
    for k in 0..5 {
        let x: [[[f32; 2]; 5]; 5] = core::array::from_fn(|r| {
            core::array::from_fn(|c| {
                core::array::from_fn(|ch| ((r * 5 + c * 2 + ch * 3 + k) % 7) as f32 / 3.0 - 1.0)
            })
        });
        let err = max_rel(&folded.forward(&x), &pair.forward(&x));
        assert!(err <= FOLD_TOLERANCE, "image {k}: {err}");
    }
}
