//! `BatchNorm` in training mode against JAX: every case in
//! `tests/data/conv/jax_batch_norm*.bin` (made by `scripts/conv_jax_goldens.py`:
//! `jax.nn.standardize` over the batch, gradients by `jax.vjp`, the running averages
//! PyTorch's way) is loaded into the public layers, in f64 and f32, run through the
//! batched training forms (`forward_batch_train`, `backward_batch_train`,
//! `after_batch_step`), and compared.

use typenet::{
    BatchNorm, Conv2d, Dense, Flatten, Layer, PerPixel, Same, Scalar, Tanh, Train, Vector,
};

const EPS: f64 = 1e-3;
const MOMENTUM: f64 = 0.2;

#[path = "support/jax_reader.rs"]
mod jax_reader;
use jax_reader::Reader;

/// f64 runs on JAX's exact inputs; f32 on rounded ones.
fn tol<T: Scalar>() -> f64 {
    if T::NAME == "f64" { 1e-12 } else { 5e-5 }
}

fn close<T: Scalar>(what: &str, got: &[T], want: &[f64]) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    let scale = want.iter().fold(1.0f64, |m, v| m.max(v.abs()));
    for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
        let err = (g.to_f64() - w).abs() / scale;
        assert!(
            err <= tol::<T>(),
            "{what}[{i}]: {} vs JAX {w} ({err:e}, {})",
            g.to_f64(),
            T::NAME
        );
    }
}

fn flat<T: Scalar, V: Vector<T>>(batch: &[V]) -> Vec<T> {
    batch.iter().flat_map(|v| v.as_slice().to_vec()).collect()
}

fn params<L: Layer>(l: &L) -> Vec<L::Scalar> {
    let mut v = Vec::new();
    l.visit_params(&mut |p| v.extend_from_slice(p));
    v
}

/// The batch norm read from a case: γ, β, running mean, running variance.
fn read_bn<T: Scalar, const C: usize>(r: &mut Reader) -> BatchNorm<C, T> {
    let (gamma, beta) = (r.array(), r.array());
    let (rm, rv) = (r.array(), r.array());
    BatchNorm::new(gamma, beta, rm, rv, T::from_f64(EPS))
        .unwrap()
        .with_momentum(T::from_f64(MOMENTUM))
        .unwrap()
}

/// One training step's batched passes on `layer`: output, ∂E/∂input, parameter
/// gradients, and the layer after its `after_batch_step`.
#[allow(clippy::type_complexity)] // four results, named in the comment above
fn step<L: Train + Copy>(
    layer: &L,
    xs: &[L::Input],
    r: &[L::Output],
) -> (Vec<L::Output>, Vec<L::Input>, L, L) {
    let n = xs.len();
    let mut ys = vec![L::Output::zeros(); n];
    let mut ws = vec![L::Scalar::from_f64(0.0); n * L::BATCH_WORKSPACE];
    layer.forward_batch_train(xs, &mut ys, &mut ws).unwrap();
    let mut dxs = vec![L::Input::zeros(); n];
    let mut grads = L::zeroed();
    layer
        .backward_batch_train(xs, &ys, r, Some(&mut dxs), &mut grads, &mut ws)
        .unwrap();
    let mut after = *layer;
    after.after_batch_step(n, &ws);
    (ys, dxs, grads, after)
}

/// A case of `jax_batch_norm.bin` on `L` (a `BatchNorm` or a `PerPixel` of one), whose
/// batch norm `bn` reaches.
fn layer_case<T: Scalar, L: Train<Scalar = T> + Copy, const C: usize>(
    r: &mut Reader,
    sizes: [usize; 4],
    make: fn(BatchNorm<C, T>) -> L,
    bn: fn(&L) -> &BatchNorm<C, T>,
) {
    r.sizes(&sizes);
    let n = sizes[0];
    let what = format!("batch norm {sizes:?} ({})", T::NAME);
    let xs: Vec<L::Input> = r.batch(n);
    let layer = make(read_bn::<T, C>(r));
    let g: Vec<L::Output> = r.batch(n);
    let want_y = r.values(n * <L::Output as Vector<T>>::LEN);
    let want_dx = r.values(n * <L::Input as Vector<T>>::LEN);
    let want_grads = r.values(2 * C);
    let (want_rm, want_rv) = (r.values(C), r.values(C));
    let (ys, dxs, grads, after) = step(&layer, &xs, &g);
    close(&format!("{what} output"), &flat(&ys), &want_y);
    close(&format!("{what} ∂E/∂input"), &flat(&dxs), &want_dx);
    close(
        &format!("{what} ∂E/∂γ, ∂E/∂β"),
        &params(&grads),
        &want_grads,
    );
    close(
        &format!("{what} running mean"),
        bn(&after).running_mean(),
        &want_rm,
    );
    close(
        &format!("{what} running variance"),
        bn(&after).running_var(),
        &want_rv,
    );
    // and inference afterwards uses those running statistics
    let y0 = after.forward(&xs[0]);
    let b = bn(&after);
    let x0 = xs[0].as_slice();
    for (k, (&y, &x)) in y0.as_slice().iter().zip(x0).enumerate() {
        let c = k % C;
        let want = b.gamma[c].to_f64() * (x.to_f64() - b.running_mean()[c].to_f64())
            / (b.running_var()[c].to_f64() + EPS).sqrt()
            + b.beta[c].to_f64();
        assert!((y.to_f64() - want).abs() <= 1e3 * tol::<T>() * want.abs().max(1.0));
    }
}

fn batch_norm_cases<T: Scalar>() {
    let mut r = Reader::open("jax_batch_norm", 5);
    layer_case::<T, BatchNorm<3, T>, 3>(&mut r, [5, 0, 0, 3], |b| b, |b| b);
    layer_case::<T, BatchNorm<1, T>, 1>(&mut r, [2, 0, 0, 1], |b| b, |b| b);
    layer_case::<T, BatchNorm<4, T>, 4>(&mut r, [8, 0, 0, 4], |b| b, |b| b);
    layer_case::<T, PerPixel<BatchNorm<2, T>, 2, 3>, 2>(&mut r, [3, 2, 3, 2], PerPixel::new, |p| {
        &p.layer
    });
    layer_case::<T, PerPixel<BatchNorm<3, T>, 2, 2>, 3>(&mut r, [1, 2, 2, 3], PerPixel::new, |p| {
        &p.layer
    });
    r.end();
}

#[test]
fn batch_norm_training_mode_matches_jax() {
    batch_norm_cases::<f64>();
    batch_norm_cases::<f32>();
}

type Net<T> = (
    Conv2d<6, 6, 1, 4, 3, 3, 1, 1, Same, 6, 6, T>,
    PerPixel<BatchNorm<4, T>, 6, 6>,
    PerPixel<Tanh<4, T>, 6, 6>,
    Flatten<6, 6, 4, 144, T>,
    Dense<144, 3, T>,
);

fn network_case<T: Scalar>() {
    let mut r = Reader::open("jax_batch_norm_network", 1);
    let xs: Vec<[[[T; 1]; 6]; 6]> = r.batch(3);
    let conv = Conv2d::new(
        core::array::from_fn(|_| core::array::from_fn(|_| core::array::from_fn(|_| r.array()))),
        r.array(),
    );
    let (gamma, beta) = (r.array(), r.array());
    let dense_w: [[T; 144]; 3] = core::array::from_fn(|_| r.array());
    let dense = Dense::new(dense_w, r.array());
    let (rm, rv) = (r.array(), r.array());
    let bn = BatchNorm::new(gamma, beta, rm, rv, T::from_f64(EPS))
        .unwrap()
        .with_momentum(T::from_f64(MOMENTUM))
        .unwrap();
    let net: Net<T> = (
        conv,
        PerPixel::new(bn),
        PerPixel::new(Tanh::new()),
        Flatten::new(),
        dense,
    );
    let g: Vec<[T; 3]> = r.batch(3);
    let want_y = r.values(9);
    let want_dx = r.values(3 * 36);
    let want_grads = r.values(Net::<T>::PARAM_COUNT);
    let (want_rm, want_rv) = (r.values(4), r.values(4));
    r.end();
    let (ys, dxs, grads, after) = step(&net, &xs, &g);
    let what = format!("conv network ({})", T::NAME);
    close(&format!("{what} output"), &flat(&ys), &want_y);
    close(&format!("{what} ∂E/∂input"), &flat(&dxs), &want_dx);
    close(
        &format!("{what} ∂E/∂parameters"),
        &params(&grads),
        &want_grads,
    );
    close(
        &format!("{what} running mean"),
        after.1.layer.running_mean(),
        &want_rm,
    );
    close(
        &format!("{what} running variance"),
        after.1.layer.running_var(),
        &want_rv,
    );
}

#[test]
fn a_conv_network_with_batch_norm_matches_jax() {
    network_case::<f64>();
    network_case::<f32>();
}
