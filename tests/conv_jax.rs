//! The convolutional layers against JAX: every case in `tests/data/conv/jax_*.bin` (made
//! by `scripts/conv_jax_goldens.py` with `lax.conv_general_dilated`, `lax.reduce_window`
//! and JAX's automatic differentiation) is loaded into the public layers, in f64 and f32,
//! and their forward and backward are compared with JAX's values. The shapes below are the
//! script's case lists, in its order; each case's sizes are read and checked.

use typenet::{
    AvgPool2d, Conv2d, Dense, Flatten, GlobalAvgPool2d, Layer, MaxPool2d, PerPixel, Same, Scalar,
    Tanh, Train, Valid, Vector,
};

#[path = "support/jax_reader.rs"]
mod jax_reader;
use jax_reader::Reader;

/// Tolerances: f64 runs on JAX's exact inputs; f32 on rounded ones.
fn tol<T: Scalar>() -> f64 {
    if T::NAME == "f64" { 1e-12 } else { 2e-5 }
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

fn flat<T: Scalar, V: Vector<T>>(v: &V) -> &[T] {
    v.as_slice()
}

/// Parameters of a layer, flat, in visiting order.
fn param_values<L: Layer>(l: &L) -> Vec<L::Scalar> {
    let mut v = Vec::new();
    l.visit_params(&mut |p| v.extend_from_slice(p));
    v
}

/// A layer against one case: input, parameters, `r`, output, `∂E/∂input`, then the
/// parameter gradients in visiting order.
fn layer_case<L: Train>(r: &mut Reader, mut layer: L) {
    let (x, _) = r.vector::<L::Scalar, L::Input>();
    r.params(&mut layer);
    let (g, _) = r.vector::<L::Scalar, L::Output>();
    let want_y = r.values(<L::Output as Vector<L::Scalar>>::LEN);
    let want_dx = r.values(<L::Input as Vector<L::Scalar>>::LEN);
    let want_grads = r.values(L::PARAM_COUNT);
    let (y, cache) = layer.forward_train(&x);
    close("output", flat(&y), &want_y);
    let mut grads = L::zeroed();
    let dx = layer.backward(&cache, &g, &mut grads);
    close("∂E/∂input", flat(&dx), &want_dx);
    close("∂E/∂parameters", &param_values(&grads), &want_grads);
}

macro_rules! conv_case {
    ($r:ident, $t:ty, $h:literal, $w:literal, $c:literal, $kh:literal, $kw:literal, $o:literal, $sh:literal, $sw:literal, $pad:ident, $oh:literal, $ow:literal) => {{
        let same = stringify!($pad) == "Same";
        $r.sizes(&[
            $h,
            $w,
            $c,
            $kh,
            $kw,
            $o,
            $sh,
            $sw,
            usize::from(same),
            $oh,
            $ow,
        ]);
        // the file's order is x, w, b, r, y, dx, dw, db: the layer's visiting order
        layer_case(
            &mut $r,
            Conv2d::<$h, $w, $c, $o, $kh, $kw, $sh, $sw, $pad, $oh, $ow, $t>::zeroed(),
        );
    }};
}

fn conv2d<T: Scalar>() {
    let mut r = Reader::open("jax_conv2d", 4);
    conv_case!(r, T, 7, 6, 2, 3, 3, 3, 2, 2, Same, 4, 3);
    conv_case!(r, T, 6, 7, 3, 2, 3, 2, 1, 2, Valid, 5, 3);
    conv_case!(r, T, 9, 9, 1, 5, 5, 2, 3, 3, Same, 3, 3);
    conv_case!(r, T, 5, 4, 2, 2, 3, 2, 3, 1, Valid, 2, 2);
    r.end();
}

#[test]
fn conv2d_matches_jax() {
    conv2d::<f64>();
    conv2d::<f32>();
}

macro_rules! pool_case {
    ($r:ident, $t:ty, $h:literal, $w:literal, $c:literal, $kh:literal, $kw:literal, $sh:literal, $sw:literal, $pad:ident, $oh:literal, $ow:literal) => {{
        let same = stringify!($pad) == "Same";
        $r.sizes(&[$h, $w, $c, $kh, $kw, $sh, $sw, usize::from(same), $oh, $ow]);
        let max = MaxPool2d::<$h, $w, $c, $kh, $kw, $sh, $sw, $pad, $oh, $ow, $t>::new();
        let avg = AvgPool2d::<$h, $w, $c, $kh, $kw, $sh, $sw, $pad, $oh, $ow, $t>::new();
        let (x, _) = $r.vector::<$t, [[[$t; $c]; $w]; $h]>();
        let (g, _) = $r.vector::<$t, [[[$t; $c]; $ow]; $oh]>();
        let n_out = $oh * $ow * $c;
        let (want_max, want_avg) = ($r.values(n_out), $r.values(n_out));
        let (want_dmax, want_davg) = ($r.values($h * $w * $c), $r.values($h * $w * $c));
        let (y, cache) = max.forward_train(&x);
        close("max pool", flat(&y), &want_max);
        close(
            "max pool ∂E/∂x",
            flat(&max.backward(&cache, &g, &mut max.clone())),
            &want_dmax,
        );
        let (y, cache) = avg.forward_train(&x);
        close("avg pool", flat(&y), &want_avg);
        close(
            "avg pool ∂E/∂x",
            flat(&avg.backward(&cache, &g, &mut avg.clone())),
            &want_davg,
        );
    }};
}

fn pools<T: Scalar>() {
    let mut r = Reader::open("jax_pool2d", 3);
    pool_case!(r, T, 6, 5, 2, 3, 2, 2, 2, Same, 3, 3);
    pool_case!(r, T, 7, 7, 3, 2, 2, 2, 2, Valid, 3, 3);
    pool_case!(r, T, 5, 6, 1, 3, 3, 1, 1, Same, 5, 6);
    r.end();
    let mut r = Reader::open("jax_global_avg_pool", 2);
    r.sizes(&[4, 3, 2]);
    layer_case(&mut r, GlobalAvgPool2d::<4, 3, 2, T>::new());
    r.sizes(&[1, 5, 3]);
    layer_case(&mut r, GlobalAvgPool2d::<1, 5, 3, T>::new());
    r.end();
}

#[test]
fn pools_match_jax() {
    pools::<f64>();
    pools::<f32>();
}

type Net<T> = (
    Conv2d<8, 8, 1, 4, 3, 3, 1, 1, Same, 8, 8, T>,
    PerPixel<Tanh<4, T>, 8, 8>,
    MaxPool2d<8, 8, 4, 2, 2, 2, 2, Valid, 4, 4, T>,
    Conv2d<4, 4, 4, 3, 3, 3, 2, 2, Same, 2, 2, T>,
    PerPixel<Tanh<3, T>, 2, 2>,
    Flatten<2, 2, 3, 12, T>,
    Dense<12, 5, T>,
);

#[test]
fn a_small_cnn_matches_jax() {
    fn run<T: Scalar>() {
        let mut r = Reader::open("jax_network", 1);
        layer_case(&mut r, Net::<T>::zeroed());
        r.end();
    }
    run::<f64>();
    run::<f32>();
}
