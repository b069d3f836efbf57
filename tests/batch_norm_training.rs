//! `BatchNorm` with batch statistics, on the batched training path: its gradients through
//! the batch mean and variance against central finite differences of a whole-batch loss
//! (alone, in a dense network, in a conv network with `PerPixel`, in a derived network;
//! f32 and f64; several channel counts and batch sizes), properties of the normalised
//! output, batch size 1, the running averages after several steps against a hand
//! computation (through `train_step_batch` and through a `BatchTrainer` with images), a
//! rejected step leaving them alone, and bad settings.

use core::ops::ControlFlow;
use typenet::{
    BatchNorm, Conv2d, Dense, Flatten, Identity, Init, Layer, Mse, Network, Parallel, PerPixel,
    Relu, Residual, Same, Scalar, Sgd, SplitMix64, Tanh, Train, Trainer, Vector, batch,
};

/// Deterministic values in [-1, 1), shifted and scaled per position so channels differ.
fn values<T: Scalar, V: Vector<T>>(seed: &mut u64, n: usize) -> Vec<V> {
    (0..n)
        .map(|_| {
            let mut v = V::zeros();
            for (k, e) in v.as_mut_slice().iter_mut().enumerate() {
                *seed = seed
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                let u = ((*seed >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0;
                *e = T::from_f64(u * (1.0 + (k % 3) as f64) + 0.3 * (k % 4) as f64);
            }
            v
        })
        .collect()
}

/// `E = Σ_b r_b · y_b` over the batch, through the batched training forward.
fn loss<N: Train>(net: &N, xs: &[N::Input], r: &[N::Output]) -> f64 {
    let mut ys = vec![N::Output::zeros(); xs.len()];
    let mut ws = vec![N::Scalar::from_f64(0.0); xs.len() * N::BATCH_WORKSPACE];
    net.forward_batch_train(xs, &mut ys, &mut ws).unwrap();
    ys.iter()
        .zip(r)
        .flat_map(|(y, r)| y.as_slice().iter().zip(r.as_slice()))
        .map(|(y, r)| y.to_f64() * r.to_f64())
        .sum()
}

/// Adds `delta` to the `k`-th parameter scalar (visiting order); returns the change
/// actually made (in `T`).
fn nudge<N: Layer>(net: &mut N, k: usize, delta: f64) -> f64 {
    let mut i = 0;
    let mut moved = 0.0;
    net.visit_params_mut(&mut |p| {
        for v in p {
            if i == k {
                let before = *v;
                *v = N::Scalar::from_f64(before.to_f64() + delta);
                moved = v.to_f64() - before.to_f64();
            }
            i += 1;
        }
    });
    moved
}

fn params<N: Layer>(net: &N) -> Vec<f64> {
    let mut all = Vec::new();
    net.visit_params(&mut |p| all.extend(p.iter().map(|v| v.to_f64())));
    all
}

/// Central differences with step `h` (f64) or `h·1e4`-ish (f32): the largest error
/// relative to the largest derivative, for the inputs and the parameters.
fn check<N: Train + Clone>(name: &str, net: &N, xs: &[N::Input], r: &[N::Output]) -> f64 {
    let f64_run = N::Scalar::NAME == "f64";
    let h = if f64_run { 1e-6 } else { 1e-2 };
    let n = xs.len();
    let mut ys = vec![N::Output::zeros(); n];
    let mut ws = vec![N::Scalar::from_f64(0.0); n * N::BATCH_WORKSPACE];
    net.forward_batch_train(xs, &mut ys, &mut ws).unwrap();
    let mut dxs = vec![N::Input::zeros(); n];
    let mut grads = N::zeroed();
    net.backward_batch_train(xs, &ys, r, Some(&mut dxs), &mut grads, &mut ws)
        .unwrap();

    let (mut analytic, mut numeric) = (Vec::new(), Vec::new());
    for b in 0..n {
        for k in 0..<N::Input as Vector<N::Scalar>>::LEN {
            let at = |d: f64| {
                let mut xs2 = xs.to_vec();
                let v = &mut xs2[b].as_mut_slice()[k];
                *v = N::Scalar::from_f64(v.to_f64() + d);
                let moved = xs2[b].as_slice()[k].to_f64() - xs[b].as_slice()[k].to_f64();
                (loss(net, &xs2, r), moved)
            };
            let ((lp, dp), (lm, dm)) = (at(h), at(-h));
            numeric.push((lp - lm) / (dp - dm));
            analytic.push(dxs[b].as_slice()[k].to_f64());
        }
    }
    let g = params(&grads);
    for (k, &gk) in g.iter().enumerate() {
        let (mut up, mut down) = (net.clone(), net.clone());
        let (dp, dm) = (nudge(&mut up, k, h), nudge(&mut down, k, -h));
        numeric.push((loss(&up, xs, r) - loss(&down, xs, r)) / (dp - dm));
        analytic.push(gk);
    }
    let scale = numeric.iter().fold(1.0f64, |m, v| m.max(v.abs()));
    let err = analytic
        .iter()
        .zip(&numeric)
        .map(|(a, f)| (a - f).abs() / scale)
        .fold(0.0, f64::max);
    let tol = if f64_run { 1e-7 } else { 1e-2 };
    assert!(err <= tol, "{name} ({}): error {err:e}", N::Scalar::NAME);
    err
}

fn bn_alone<T: Scalar, const C: usize>(n: usize, seed: u64) {
    let mut s = seed;
    let mut bn = BatchNorm::<C, T>::default();
    let gammas: Vec<[T; C]> = values(&mut s, 2);
    bn.gamma = gammas[0];
    bn.beta = gammas[1];
    let xs: Vec<[T; C]> = values(&mut s, n);
    let r: Vec<[T; C]> = values(&mut s, n);
    let name = format!("BatchNorm<{C}> on a batch of {n}");
    check(&name, &bn, &xs, &r);

    // the batch's output has per channel mean β and variance γ²·σ²/(σ² + ε)
    let mut ys = vec![[T::from_f64(0.0); C]; n];
    let mut ws = vec![T::from_f64(0.0); n * 2 * C];
    bn.forward_batch_train(&xs, &mut ys, &mut ws).unwrap();
    let tol = if T::NAME == "f64" { 1e-12 } else { 1e-5 };
    for c in 0..C {
        let col: Vec<f64> = xs.iter().map(|x| x[c].to_f64()).collect();
        let mean = col.iter().sum::<f64>() / n as f64;
        let var = col.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n as f64;
        let out: Vec<f64> = ys.iter().map(|y| y[c].to_f64()).collect();
        let out_mean = out.iter().sum::<f64>() / n as f64;
        let out_var = out.iter().map(|v| (v - out_mean).powi(2)).sum::<f64>() / n as f64;
        let (g, b, e) = (bn.gamma[c].to_f64(), bn.beta[c].to_f64(), bn.eps().to_f64());
        assert!(
            (out_mean - b).abs() <= tol * 10.0,
            "{name}: mean {out_mean} vs β {b}"
        );
        let want = g * g * var / (var + e);
        assert!(
            (out_var - want).abs() <= tol * 10.0 * want.max(1.0),
            "{name}: variance {out_var} vs {want}"
        );
        // and it differs from the running-statistics forward (mean 0, variance 1)
        if var > 0.1 {
            let fixed: Vec<f64> = xs.iter().map(|x| bn.forward(x)[c].to_f64()).collect();
            assert!(fixed.iter().zip(&out).any(|(a, b)| (a - b).abs() > 1e-3));
        }
    }
}

#[test]
fn batch_norm_alone_matches_finite_differences() {
    for (n, seed) in [(2, 1), (3, 2), (8, 3), (17, 4)] {
        bn_alone::<f64, 1>(n, seed);
        bn_alone::<f64, 3>(n, seed + 10);
        bn_alone::<f64, 5>(n, seed + 20);
        bn_alone::<f32, 1>(n, seed);
        bn_alone::<f32, 3>(n, seed + 10);
        bn_alone::<f32, 5>(n, seed + 20);
    }
}

type Mlp<T, const C: usize> = (Dense<3, C, T>, BatchNorm<C, T>, Tanh<C, T>, Dense<C, 2, T>);

fn mlp<T: Scalar, const C: usize>(n: usize, seed: u64) {
    let mut net: Mlp<T, C> = Layer::initialized(Init::XavierUniform, &mut SplitMix64::new(seed));
    let mut s = seed;
    let gb: Vec<[T; C]> = values(&mut s, 2);
    net.1.gamma = gb[0];
    net.1.beta = gb[1];
    let xs: Vec<[T; 3]> = values(&mut s, n);
    let r: Vec<[T; 2]> = values(&mut s, n);
    check(
        &format!("dense network, {C} channels, batch {n}"),
        &net,
        &xs,
        &r,
    );
}

#[test]
fn batch_norm_in_a_dense_network_matches_finite_differences() {
    for (n, seed) in [(2, 5), (5, 6), (12, 7)] {
        mlp::<f64, 2>(n, seed);
        mlp::<f64, 4>(n, seed);
        mlp::<f32, 2>(n, seed);
        mlp::<f32, 4>(n, seed);
    }
}

/// 5×5×2 → conv 3×3 (3), SAME → batch norm over N·5·5 pixels → tanh → flatten → 2.
type Cnn<T> = (
    Conv2d<5, 5, 2, 3, 3, 3, 1, 1, Same, 5, 5, T>,
    PerPixel<BatchNorm<3, T>, 5, 5>,
    PerPixel<Tanh<3, T>, 5, 5>,
    Flatten<5, 5, 3, 75, T>,
    Dense<75, 2, T>,
);

fn cnn<T: Scalar>(n: usize, seed: u64) {
    let mut net: Cnn<T> = Layer::initialized(Init::HeUniform, &mut SplitMix64::new(seed));
    let mut s = seed;
    let gb: Vec<[T; 3]> = values(&mut s, 2);
    net.1.layer.gamma = gb[0];
    net.1.layer.beta = gb[1];
    let xs: Vec<[[[T; 2]; 5]; 5]> = values(&mut s, n);
    let r: Vec<[T; 2]> = values(&mut s, n);
    check(&format!("conv network, batch {n}"), &net, &xs, &r);
}

#[test]
fn batch_norm_in_a_conv_network_matches_finite_differences() {
    for (n, seed) in [(1, 8), (2, 9), (4, 10)] {
        cnn::<f64>(n, seed);
        cnn::<f32>(n, seed);
    }
}

/// A residual block and a two-branch sum, each with batch norm inside.
type Branches<T> = (
    Residual<(Dense<3, 3, T>, BatchNorm<3, T>, Tanh<3, T>)>,
    Parallel<(Dense<3, 2, T>, BatchNorm<2, T>), (Dense<3, 2, T>, BatchNorm<2, T>)>,
    Dense<2, 1, T>,
);

fn branches<T: Scalar>(n: usize, seed: u64) {
    let mut net: Branches<T> = Layer::initialized(Init::XavierUniform, &mut SplitMix64::new(seed));
    let mut s = seed;
    let g3: Vec<[T; 3]> = values(&mut s, 2);
    net.0.block.1.gamma = g3[0];
    net.0.block.1.beta = g3[1];
    let g2: Vec<[T; 2]> = values(&mut s, 4);
    (net.1.a.1.gamma, net.1.a.1.beta) = (g2[0], g2[1]);
    (net.1.b.1.gamma, net.1.b.1.beta) = (g2[2], g2[3]);
    let xs: Vec<[T; 3]> = values(&mut s, n);
    let r: Vec<[T; 1]> = values(&mut s, n);
    check(&format!("Residual and Parallel, batch {n}"), &net, &xs, &r);
    // every batch norm's hook runs, with its own statistics
    let mut ws = vec![T::from_f64(0.0); batch::workspace_len::<Branches<T>>(n)];
    let mut grads = Branches::<T>::zeroed();
    let targets: Vec<[T; 1]> = values(&mut s, n);
    let before = net;
    batch::accumulate_batch(&net, &mut grads, &Mse::new(), &xs, &targets, &mut ws).unwrap();
    batch::after_step(&mut net, n, &ws);
    assert_ne!(
        net.0.block.1.running_mean(),
        before.0.block.1.running_mean()
    );
    assert_ne!(net.1.a.1.running_mean(), before.1.a.1.running_mean());
    assert_ne!(net.1.b.1.running_mean(), before.1.b.1.running_mean());
    assert_ne!(net.1.a.1.running_mean(), net.1.b.1.running_mean());
}

#[test]
fn batch_norm_in_residual_and_parallel_blocks_matches_finite_differences() {
    for (n, seed) in [(2, 31), (6, 32)] {
        branches::<f64>(n, seed);
        branches::<f32>(n, seed);
    }
}

#[derive(Network, Clone)]
struct Derived<T: Scalar> {
    first: Dense<3, 4, T>,
    norm: BatchNorm<4, T>,
    squash: Tanh<4, T>,
    out: Dense<4, 2, T>,
}

#[test]
fn a_derived_network_passes_the_training_forms_on_like_the_tuple() {
    let tuple: Mlp<f64, 4> = Layer::initialized(Init::XavierUniform, &mut SplitMix64::new(3));
    let mut gb: Vec<[f64; 4]> = values(&mut 11, 2);
    let mut tuple = tuple;
    tuple.1.gamma = gb.remove(0);
    tuple.1.beta = gb.remove(0);
    let derived = Derived {
        first: tuple.0,
        norm: tuple.1,
        squash: tuple.2,
        out: tuple.3,
    };
    let xs: Vec<[f64; 3]> = values(&mut 12, 6);
    let r: Vec<[f64; 2]> = values(&mut 13, 6);
    check("derived network", &derived, &xs, &r);
    // the same bits as the tuple, forward, backward and running averages
    let (ya, da, ga, ta) = one_step(&tuple, &xs, &r);
    let (yb, db, gb, tb) = one_step(&derived, &xs, &r);
    let a = (ya, da, ga, tb_stats(&ta.1));
    let b = (yb, db, gb, tb_stats(&tb.norm));
    assert_eq!(a, b);
    assert_ne!(a.3[..4], [0.0; 4], "the running mean moved");
}

/// A network's batched training forms on one batch: outputs, input gradients, parameter
/// gradients, and the network after its `after_batch_step`.
#[allow(clippy::type_complexity)] // four results, named in the comment above
fn one_step<N: Train + Clone>(
    net: &N,
    xs: &[N::Input],
    r: &[N::Output],
) -> (Vec<N::Output>, Vec<N::Input>, Vec<f64>, N) {
    let n = xs.len();
    let mut ws = vec![N::Scalar::from_f64(0.0); n * N::BATCH_WORKSPACE];
    let (mut ys, mut dxs) = (vec![N::Output::zeros(); n], vec![N::Input::zeros(); n]);
    let mut g = N::zeroed();
    net.forward_batch_train(xs, &mut ys, &mut ws).unwrap();
    net.backward_batch_train(xs, &ys, r, Some(&mut dxs), &mut g, &mut ws)
        .unwrap();
    let mut moved = net.clone();
    moved.after_batch_step(n, &ws);
    (ys, dxs, params(&g), moved)
}

/// Running mean, then running variance.
fn tb_stats<const C: usize>(bn: &BatchNorm<C, f64>) -> Vec<f64> {
    bn.running_mean()
        .iter()
        .chain(bn.running_var())
        .copied()
        .collect()
}

#[test]
fn a_batch_of_one_is_defined() {
    // one value per channel: σ² = 0, x̂ = 0, y = β, ∂E/∂x = 0, ∂E/∂γ = 0, ∂E/∂β = g
    let mut bn = BatchNorm::<3, f64>::default();
    bn.gamma = [2.0, -1.0, 0.5];
    bn.beta = [0.25, -3.0, 1.0];
    let xs = [[4.0, -7.0, 0.1]];
    let (mut ys, mut ws) = ([[9.0; 3]], [0.0; 6]);
    bn.forward_batch_train(&xs, &mut ys, &mut ws).unwrap();
    assert_eq!(ys, [bn.beta]);
    let (mut dxs, mut grads) = ([[9.0; 3]], BatchNorm::<3, f64>::zeroed());
    bn.backward_batch_train(
        &xs,
        &ys,
        &[[0.5, 1.5, -2.0]],
        Some(&mut dxs),
        &mut grads,
        &mut ws,
    )
    .unwrap();
    assert_eq!(dxs, [[0.0; 3]]);
    assert_eq!(grads.gamma, [0.0; 3]);
    assert_eq!(grads.beta, [0.5, 1.5, -2.0]);
    // the running mean moves, the running variance (no unbiased estimate from one value)
    // stays
    let mut moved = bn.with_momentum(0.5).unwrap();
    moved.after_batch_step(1, &ws);
    assert_eq!(moved.running_mean(), &[2.0, -3.5, 0.05]);
    assert_eq!(moved.running_var(), &[1.0; 3]);
}

/// Mean and unbiased variance per channel of `rows`, written out in f64.
fn moments<const C: usize>(rows: &[[f64; C]]) -> ([f64; C], [f64; C]) {
    let m = rows.len() as f64;
    let mean: [f64; C] = core::array::from_fn(|c| rows.iter().map(|r| r[c]).sum::<f64>() / m);
    let var = core::array::from_fn(|c| {
        rows.iter().map(|r| (r[c] - mean[c]).powi(2)).sum::<f64>() / (m - 1.0)
    });
    (mean, var)
}

#[test]
fn running_averages_after_steps_equal_a_hand_computation() {
    // BatchNorm first, so its input is the data whatever the optimizer does
    type Net = (BatchNorm<2, f64>, Dense<2, 1, f64>);
    let mut net: Net = Layer::initialized(Init::XavierUniform, &mut SplitMix64::new(1));
    net.0 = BatchNorm::default().with_momentum(0.3).unwrap();
    let mut grads = Net::zeroed();
    let mut sgd = Sgd::new(0.1).unwrap();
    let (mut mean, mut var) = ([0.0; 2], [1.0; 2]);
    let mut seed = 5;
    for step in 0..4 {
        let n = 3 + step;
        let xs: Vec<[f64; 2]> = values(&mut seed, n);
        let ts: Vec<[f64; 1]> = values(&mut seed, n);
        let mut ws = vec![0.0; batch::workspace_len::<Net>(n)];
        let before = net.1;
        batch::train_step_batch(
            &mut net,
            &mut grads,
            &Mse::new(),
            &mut sgd,
            &xs,
            &ts,
            &mut ws,
        )
        .unwrap();
        assert_ne!(net.1, before, "the optimizer stepped");
        let (bm, bv) = moments(&xs);
        for c in 0..2 {
            mean[c] = 0.7 * mean[c] + 0.3 * bm[c];
            var[c] = 0.7 * var[c] + 0.3 * bv[c];
        }
        for c in 0..2 {
            assert!(
                (net.0.running_mean()[c] - mean[c]).abs() < 1e-13,
                "step {step}"
            );
            assert!(
                (net.0.running_var()[c] - var[c]).abs() < 1e-13,
                "step {step}"
            );
        }
    }
    // accumulate_batch alone changes no statistics; after_step does
    let xs: Vec<[f64; 2]> = values(&mut seed, 4);
    let ts: Vec<[f64; 1]> = values(&mut seed, 4);
    let mut ws = vec![0.0; batch::workspace_len::<Net>(4)];
    let before = net;
    batch::accumulate_batch(&net, &mut grads, &Mse::new(), &xs, &ts, &mut ws).unwrap();
    assert_eq!(net, before);
    batch::after_step(&mut net, 4, &ws);
    let (bm, _) = moments(&xs);
    assert!((net.0.running_mean()[0] - (0.7 * mean[0] + 0.3 * bm[0])).abs() < 1e-13);
}

/// 2×2×2 images through batch norm: a `BatchTrainer` updates the running averages once
/// per batch over all the batch's pixels (unbiased over N·H·W), and a rejected batch
/// leaves them as the previous batch did.
#[test]
fn a_batch_trainer_updates_the_running_averages_over_all_pixels() {
    type Img = [[[f64; 2]; 2]; 2];
    type Net = (
        PerPixel<BatchNorm<2, f64>, 2, 2>,
        Flatten<2, 2, 2, 8, f64>,
        Dense<8, 1, f64>,
    );
    let mut seed = 21;
    let xs: Vec<Img> = values(&mut seed, 7);
    let ts: Vec<[f64; 1]> = values(&mut seed, 7);
    let data: Vec<(Img, [f64; 1])> = xs.iter().copied().zip(ts.iter().copied()).collect();
    let mut net: Net = Layer::initialized(Init::XavierUniform, &mut SplitMix64::new(2));
    net.0.layer = BatchNorm::default().with_momentum(0.25).unwrap();
    let mut grads = Net::zeroed();
    let schedule = Trainer::<f64>::new(2, 3).no_shuffle();
    let mut ws = vec![0.0; schedule.workspace_len::<Net>()];
    schedule
        .with_workspace(&mut ws[..])
        .fit_in_order(
            &mut net,
            &mut grads,
            &Mse::new(),
            &mut Sgd::new(0.05).unwrap(),
            &data,
            |_, _| ControlFlow::Continue(()),
        )
        .unwrap();
    let (mut mean, mut var) = ([0.0; 2], [1.0; 2]);
    for _epoch in 0..2 {
        for chunk in xs.chunks(3) {
            let pixels: Vec<[f64; 2]> = chunk
                .iter()
                .flat_map(|img| img.as_flattened().iter().copied())
                .collect();
            let (bm, bv) = moments(&pixels);
            for c in 0..2 {
                mean[c] = 0.75 * mean[c] + 0.25 * bm[c];
                var[c] = 0.75 * var[c] + 0.25 * bv[c];
            }
        }
    }
    for c in 0..2 {
        assert!((net.0.layer.running_mean()[c] - mean[c]).abs() < 1e-13);
        assert!((net.0.layer.running_var()[c] - var[c]).abs() < 1e-13);
    }

    // a NaN target in the second batch: the first batch is applied, the second not
    let mut bad = data.clone();
    bad[4].1 = [f64::NAN];
    let mut fresh: Net = Layer::initialized(Init::XavierUniform, &mut SplitMix64::new(2));
    fresh.0.layer = BatchNorm::default().with_momentum(0.25).unwrap();
    let e = Trainer::<f64>::new(1, 3)
        .no_shuffle()
        .with_workspace(&mut ws[..])
        .fit_in_order(
            &mut fresh,
            &mut grads,
            &Mse::new(),
            &mut Sgd::new(0.05).unwrap(),
            &bad,
            |_, _| ControlFlow::Continue(()),
        );
    assert!(e.is_err());
    let first: Vec<[f64; 2]> = xs[..3]
        .iter()
        .flat_map(|img| img.as_flattened().iter().copied())
        .collect();
    let (bm, bv) = moments(&first);
    for c in 0..2 {
        assert!((fresh.0.layer.running_mean()[c] - 0.25 * bm[c]).abs() < 1e-13);
        assert!((fresh.0.layer.running_var()[c] - (0.75 + 0.25 * bv[c])).abs() < 1e-13);
    }
}

#[test]
fn per_sample_training_and_inference_keep_the_running_statistics() {
    // Trainer::fit without a workspace: fixed statistics, nothing moves but γ and β
    type Net = (BatchNorm<2, f64>, Dense<2, 1, f64>);
    let mut net: Net = Layer::initialized(Init::XavierUniform, &mut SplitMix64::new(4));
    let before = net.0;
    let mut data: Vec<([f64; 2], [f64; 1])> = values::<f64, [f64; 2]>(&mut 9, 6)
        .into_iter()
        .map(|x| (x, [x[0] - x[1]]))
        .collect();
    Trainer::<f64>::new(3, 2)
        .fit(
            &mut net,
            &mut Net::zeroed(),
            &Mse::new(),
            &mut Sgd::new(0.1).unwrap(),
            &mut data,
            &mut SplitMix64::new(0),
        )
        .unwrap();
    assert_eq!(net.0.running_mean(), before.running_mean());
    assert_eq!(net.0.running_var(), before.running_var());
    assert_ne!(net.0.gamma, before.gamma);
    // forward_batch (inference) uses the running statistics: the per-sample bits
    let xs: Vec<[f64; 2]> = values(&mut 10, 5);
    let mut ys = vec![[0.0; 2]; 5];
    let mut ws = vec![0.0; 5 * BatchNorm::<2, f64>::BATCH_WORKSPACE];
    net.0.forward_batch(&xs, &mut ys, &mut ws).unwrap();
    for (x, y) in xs.iter().zip(&ys) {
        assert_eq!(&net.0.forward(x), y);
    }
}

#[test]
fn layers_without_batch_statistics_keep_their_bits_in_the_training_forms() {
    // a conv network without batch norm: the training forms are the plain batched ones
    type Plain = (
        Conv2d<5, 5, 2, 3, 3, 3, 1, 1, Same, 5, 5>,
        PerPixel<Tanh<3>, 5, 5>,
        PerPixel<Dense<3, 2>, 5, 5>,
        PerPixel<Identity<2>, 5, 5>,
        Flatten<5, 5, 2, 50>,
        Dense<50, 2>,
    );
    let net: Plain = Layer::initialized(Init::HeUniform, &mut SplitMix64::new(6));
    let xs: Vec<[[[f32; 2]; 5]; 5]> = values(&mut 14, 4);
    let r: Vec<[f32; 2]> = values(&mut 15, 4);
    let mut ws = vec![0.0; 4 * Plain::BATCH_WORKSPACE];
    let (mut a, mut b) = (vec![[0.0; 2]; 4], vec![[0.0; 2]; 4]);
    net.forward_batch(&xs, &mut a, &mut ws).unwrap();
    let (mut da, mut ga) = (vec![Vector::zeros(); 4], Plain::zeroed());
    net.backward_batch(&xs, &a, &r, Some(&mut da), &mut ga, &mut ws)
        .unwrap();
    net.forward_batch_train(&xs, &mut b, &mut ws).unwrap();
    let (mut db, mut gb) = (vec![Vector::zeros(); 4], Plain::zeroed());
    net.backward_batch_train(&xs, &b, &r, Some(&mut db), &mut gb, &mut ws)
        .unwrap();
    let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(a.as_flattened()), bits(b.as_flattened()));
    let flat = |d: &Vec<[[[f32; 2]; 5]; 5]>| {
        bits(
            &d.iter()
                .flat_map(|x| x.as_flattened().as_flattened().to_vec())
                .collect::<Vec<_>>(),
        )
    };
    assert_eq!(flat(&da), flat(&db));
    assert_eq!(ga, gb);
}

#[test]
fn residual_and_parallel_keep_their_bits_in_the_training_forms() {
    type Plain = (
        Residual<(Dense<4, 4>, Relu<4>, Dense<4, 4>)>,
        Parallel<(Dense<4, 3>, Tanh<3>), Dense<4, 3>>,
        Dense<3, 2>,
    );
    let net: Plain = Layer::initialized(Init::XavierUniform, &mut SplitMix64::new(8));
    let xs: Vec<[f32; 4]> = values(&mut 16, 5);
    let r: Vec<[f32; 2]> = values(&mut 17, 5);
    let mut ws = vec![0.0; 5 * Plain::BATCH_WORKSPACE];
    let (mut a, mut b) = (vec![[0.0; 2]; 5], vec![[0.0; 2]; 5]);
    net.forward_batch(&xs, &mut a, &mut ws).unwrap();
    let (mut da, mut ga) = (vec![[0.0; 4]; 5], Plain::zeroed());
    net.backward_batch(&xs, &a, &r, Some(&mut da), &mut ga, &mut ws)
        .unwrap();
    net.forward_batch_train(&xs, &mut b, &mut ws).unwrap();
    let (mut db, mut gb) = (vec![[0.0; 4]; 5], Plain::zeroed());
    net.backward_batch_train(&xs, &b, &r, Some(&mut db), &mut gb, &mut ws)
        .unwrap();
    let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(a.as_flattened()), bits(b.as_flattened()));
    assert_eq!(bits(da.as_flattened()), bits(db.as_flattened()));
    assert_eq!(ga, gb);
}

#[test]
fn bad_momentum_is_refused() {
    for m in [-0.1, 1.5, f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
        let e = BatchNorm::<2>::default().with_momentum(m).unwrap_err();
        assert_eq!(e.name, "momentum", "{m}");
    }
    for m in [0.0, 0.01, 1.0] {
        assert_eq!(
            BatchNorm::<2>::default()
                .with_momentum(m)
                .unwrap()
                .momentum(),
            m
        );
    }
    assert_eq!(BatchNorm::<2>::default().momentum(), 0.1);
    assert_eq!(BatchNorm::<2>::zeroed().momentum(), 0.1);
    // ε ≤ 0 and non-finite: refused by `new` (tests/batch_norm_layer.rs has the full list)
    assert!(BatchNorm::<1>::new([1.0], [0.0], [0.0], [1.0], 0.0).is_err());
}
