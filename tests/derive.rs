//! `#[derive(Network)]` end to end: a derived struct must behave exactly like the tuple of
//! its fields — same outputs, same gradients, bit for bit — and its gradients must agree
//! with finite differences.

use typenet::{
    CacheOf, Dense, Init, Layer, Mse, Network, Relu, Scalar, Sgd, Sigmoid, SplitMix64, Tanh, Train,
    accumulate, check_gradients, infer, mode, train_step,
};

/// XOR as a struct: 2 inputs → 4 hidden sigmoid units → 1 sigmoid output.
#[derive(Network, Clone, Debug, PartialEq)]
struct Xor {
    hidden: Dense<2, 4>,
    squash: Sigmoid<4>,
    output: Dense<4, 1>,
    decide: Sigmoid<1>,
}
type XorTuple = (Dense<2, 4>, Sigmoid<4>, Dense<4, 1>, Sigmoid<1>);

/// The same network over any scalar type.
#[derive(Network, Clone, Debug, PartialEq)]
struct Deep<T: Scalar> {
    l1: Dense<3, 5, T>,
    a1: Tanh<5, T>,
    l2: Dense<5, 4, T>,
    a2: Sigmoid<4, T>,
    l3: Dense<4, 2, T>,
}
type DeepTuple<T> = (
    Dense<3, 5, T>,
    Tanh<5, T>,
    Dense<5, 4, T>,
    Sigmoid<4, T>,
    Dense<4, 2, T>,
);

/// A hidden width chosen by the user of the type.
#[derive(Network)]
pub struct Mlp<const H: usize> {
    l1: Dense<2, H>,
    a1: Sigmoid<H>,
    l2: Dense<H, 1>,
    a2: Sigmoid<1>,
}

/// A tuple struct, holding a tuple network and a derived one.
#[derive(Network)]
struct Stacked(Mlp<3>, (Dense<1, 2>, Relu<2>), Dense<2, 1>);
type StackedTuple = (
    (Dense<2, 3>, Sigmoid<3>, Dense<3, 1>, Sigmoid<1>),
    (Dense<1, 2>, Relu<2>),
    Dense<2, 1>,
);

/// Every parameter, in `visit_params` order.
fn params<N: Layer>(net: &N) -> Vec<N::Scalar> {
    let mut all = Vec::new();
    net.visit_params(&mut |p| all.extend_from_slice(p));
    all
}

/// Forward, training forward and backward on the struct and on the tuple, from the same
/// parameters; every output, input gradient and parameter gradient must be bit-identical.
fn assert_same_as_tuple<S, T>(seed: u64, x: &S::Input, target: &S::Output)
where
    S: Train,
    T: Train<Scalar = S::Scalar, Input = S::Input, Output = S::Output>,
    S::Output: core::fmt::Debug + PartialEq,
    S::Input: core::fmt::Debug + PartialEq,
    Mse<1, S::Scalar>: Sized,
{
    let s: S = Layer::initialized(Init::Uniform, &mut SplitMix64::new(seed));
    let t: T = Layer::initialized(Init::Uniform, &mut SplitMix64::new(seed));
    assert_eq!(S::PARAM_COUNT, T::PARAM_COUNT);
    assert_eq!(
        params(&s),
        params(&t),
        "same seed, same parameters, same order"
    );
    assert_eq!(params(&s).len(), S::PARAM_COUNT);

    assert_eq!(s.forward(x), t.forward(x));
    let (ys, cs) = s.forward_train(x);
    let (yt, ct) = t.forward_train(x);
    assert_eq!(ys, yt);
    assert_eq!(ys, s.forward(x), "forward_train computes what forward does");

    // An arbitrary ∂E/∂y, so every output element carries a different weight.
    let mut dy = *target;
    for (i, v) in dy.as_mut_slice().iter_mut().enumerate() {
        *v = *v - S::Scalar::from_f64(0.25 * (i as f64 + 1.0));
    }
    let (mut gs, mut gt) = (S::zeroed(), T::zeroed());
    let dxs = s.backward(&cs, &dy, &mut gs);
    let dxt = t.backward(&ct, &dy, &mut gt);
    assert_eq!(dxs, dxt, "∂E/∂x");
    let dxt_added = dxt;
    let (ps, pt) = (params(&gs), params(&gt));
    assert_eq!(ps, pt, "∂E/∂parameters");
    assert!(
        ps.iter().any(|g| *g != S::Scalar::zero()),
        "the check saw real gradients"
    );

    // The overwriting forms (what `train_step` runs) into gradients full of garbage: every
    // parameter gradient must be set, to the bits of adding into zeros, as the tuple does.
    let (mut gs, mut gt) = (garbage::<S>(), garbage::<T>());
    let dxs = s.backward_with::<mode::Overwrite>(&cs, &dy, &mut gs);
    let dxt = t.backward_with::<mode::Overwrite>(&ct, &dy, &mut gt);
    assert_eq!(
        bits(dxs.as_slice()),
        bits(dxt.as_slice()),
        "overwrite: ∂E/∂x"
    );
    assert_eq!(bits(dxs.as_slice()), bits(dxt_added.as_slice()));
    assert_eq!(bits(&params(&gs)), bits(&params(&gt)), "overwrite");
    assert_eq!(bits(&params(&gs)), bits(&ps), "overwrite = zero then add");

    let (mut gs, mut gt) = (S::zeroed(), T::zeroed());
    s.backward_with::<mode::AccumulateParams>(&cs, &dy, &mut gs);
    t.backward_with::<mode::AccumulateParams>(&ct, &dy, &mut gt);
    let (ps_params, pt_params) = (params(&gs), params(&gt));
    assert_eq!(bits(&ps_params), bits(&pt_params), "backward_params");
    let (mut gs, mut gt) = (garbage::<S>(), garbage::<T>());
    s.backward_with::<mode::OverwriteParams>(&cs, &dy, &mut gs);
    t.backward_with::<mode::OverwriteParams>(&ct, &dy, &mut gt);
    assert_eq!(bits(&params(&gs)), bits(&params(&gt)), "params overwrite");
    assert_eq!(
        bits(&params(&gs)),
        bits(&ps_params),
        "params overwrite = zero then add"
    );
}

/// Scalars as bits, so that `-0.0` differs from `0.0` and a NaN from everything.
fn bits<T: Scalar>(values: &[T]) -> Vec<u64> {
    values
        .iter()
        .map(|v| Scalar::to_f64(*v).to_bits())
        .collect()
}

/// A gradient value whose parameters hold NaN, 1e30 and -0.0 in turn: an overwriting
/// backward must not read any of them.
fn garbage<N: Layer>() -> N {
    let mut g = N::zeroed();
    let mut i = 0;
    g.visit_params_mut(&mut |p| {
        for v in p {
            *v = N::Scalar::from_f64([f64::NAN, 1e30, -0.0][i % 3]);
            i += 1;
        }
    });
    g
}

use num_traits::Zero as _;
use typenet::Vector as _;
use typenet::approx::assert_abs_diff_eq;

#[test]
fn xor_struct_is_bit_identical_to_its_tuple() {
    for seed in 0..8 {
        assert_same_as_tuple::<Xor, XorTuple>(seed, &[0.3, -0.7], &[1.0]);
    }
}

#[test]
fn generic_scalar_struct_is_bit_identical_to_its_tuple_in_f32_and_f64() {
    for seed in 0..4 {
        assert_same_as_tuple::<Deep<f32>, DeepTuple<f32>>(seed, &[0.1, -0.4, 0.9], &[1.0, 0.0]);
        assert_same_as_tuple::<Deep<f64>, DeepTuple<f64>>(seed, &[0.1, -0.4, 0.9], &[1.0, 0.0]);
    }
}

#[test]
fn nested_tuple_struct_is_bit_identical_to_the_nested_tuple() {
    assert_same_as_tuple::<Stacked, StackedTuple>(11, &[0.6, 0.2], &[0.5]);
    assert_eq!(
        <Stacked as Layer>::FINGERPRINT,
        <StackedTuple as Layer>::FINGERPRINT
    );
}

#[test]
fn constants_match_the_tuple() {
    assert_eq!(<Xor as Layer>::PARAM_COUNT, (2 * 4 + 4) + (4 + 1));
    assert_eq!(
        <Xor as Layer>::FINGERPRINT,
        <XorTuple as Layer>::FINGERPRINT
    );
    assert_eq!(<Xor as Layer>::BYTES, <XorTuple as Layer>::BYTES);
    assert_eq!(
        <Xor as Train>::CACHE_BYTES,
        <XorTuple as Train>::CACHE_BYTES
    );
    assert_eq!(
        <Deep<f64> as Layer>::FINGERPRINT,
        <DeepTuple<f64> as Layer>::FINGERPRINT
    );
    // A different shape is a different fingerprint.
    assert_ne!(
        <Mlp<3> as Layer>::FINGERPRINT,
        <Mlp<4> as Layer>::FINGERPRINT
    );
}

#[test]
fn const_generic_width_sets_the_parameter_count() {
    assert_eq!(<Mlp<3> as Layer>::PARAM_COUNT, (2 * 3 + 3) + (3 + 1));
    assert_eq!(<Mlp<16> as Layer>::PARAM_COUNT, (2 * 16 + 16) + (16 + 1));
    let net: Mlp<16> = Layer::initialized(Init::XavierUniform, &mut SplitMix64::new(5));
    let y = infer(&net, &[1.0, 0.0])[0];
    assert!(y > 0.0 && y < 1.0, "a sigmoid output, got {y}");
}

#[test]
fn the_cache_keeps_each_layer_under_its_field_name() {
    let net = Xor {
        hidden: Dense::new([[1.0, 2.0]; 4], [0.0; 4]),
        squash: Sigmoid::new(),
        output: Dense::new([[0.5; 4]], [0.0]),
        decide: Sigmoid::new(),
    };
    let (y, cache): (_, CacheOf<Xor>) = net.forward_train(&[0.5, -1.0]);
    assert_eq!(cache.hidden, [0.5, -1.0], "Dense keeps its input");
    // a = 1·0.5 + 2·(−1) = −1.5 in every hidden unit; σ(−1.5) = 1/(1 + e^1.5)
    // Sigmoid keeps its output
    assert_abs_diff_eq!(cache.squash[..], [0.182_425_52; 4][..], epsilon = 1e-6);
    assert_eq!(
        cache.output, cache.squash,
        "the output layer's input is the hidden output"
    );
    assert_eq!(cache.decide, y, "the last Sigmoid keeps the network output");
}

#[test]
fn gradients_pass_the_finite_difference_check_f64() {
    let mut net: Deep<f64> = Layer::initialized(Init::Uniform, &mut SplitMix64::new(3));
    let report = check_gradients(&mut net, &Mse::new(), &[0.1, -0.4, 0.9], &[1.0, 0.0], 1e-6);
    assert_eq!(report.checked, <Deep<f64> as Layer>::PARAM_COUNT + 3);
    assert!(report.max_error() < 1e-7, "{report:?}");
}

#[test]
fn gradients_pass_the_finite_difference_check_f32() {
    let mut net: Deep<f32> = Layer::initialized(Init::Uniform, &mut SplitMix64::new(3));
    let report = check_gradients(&mut net, &Mse::new(), &[0.1, -0.4, 0.9], &[1.0, 0.0], 1e-2);
    assert!(report.max_error() < 1e-2, "{report:?}");
    let mut xor: Xor = Layer::initialized(Init::Uniform, &mut SplitMix64::new(9));
    let report = check_gradients(&mut xor, &Mse::new(), &[0.3, 0.8], &[1.0], 1e-2);
    assert!(report.max_error() < 1e-2, "{report:?}");
}

#[test]
fn optimizer_state_walks_in_lockstep_like_the_tuple() {
    // A momentum step by hand through zip_params with K = 1, on both representations.
    fn momentum<N: Layer<Scalar = f32>>(net: &mut N, grads: &N, velocity: &mut N) {
        net.zip_params(grads, [velocity], &mut |p, g, [v]| {
            for ((p, g), v) in p.iter_mut().zip(g).zip(v.iter_mut()) {
                *v = 0.9 * *v + g;
                *p -= 0.1 * *v;
            }
        });
    }
    let mut s: Xor = Layer::initialized(Init::Uniform, &mut SplitMix64::new(2));
    let mut t: XorTuple = Layer::initialized(Init::Uniform, &mut SplitMix64::new(2));
    let (mut gs, mut gt) = (Xor::zeroed(), XorTuple::zeroed());
    let (mut vs, mut vt) = (Xor::zeroed(), XorTuple::zeroed());
    for (x, y) in [
        ([0.0, 1.0], [1.0]),
        ([1.0, 1.0], [0.0]),
        ([1.0, 0.0], [1.0]),
    ] {
        gs.zero_params();
        gt.zero_params();
        let es = accumulate(&s, &mut gs, &Mse::new(), &x, &y);
        let et = accumulate(&t, &mut gt, &Mse::new(), &x, &y);
        assert_eq!(es, et);
        momentum(&mut s, &gs, &mut vs);
        momentum(&mut t, &gt, &mut vt);
    }
    assert_eq!(params(&s), params(&t));
    assert_eq!(params(&vs), params(&vt));
    assert_ne!(params(&vs), params(&Xor::zeroed()));
}

#[test]
fn training_follows_the_tuple_step_for_step() {
    let data = [
        ([0., 0.], [0.]),
        ([0., 1.], [1.]),
        ([1., 0.], [1.]),
        ([1., 1.], [0.]),
    ];
    let mut s: Xor = Layer::initialized(Init::XavierUniform, &mut SplitMix64::new(7));
    let mut t: XorTuple = Layer::initialized(Init::XavierUniform, &mut SplitMix64::new(7));
    let (mut gs, mut gt) = (Xor::zeroed(), XorTuple::zeroed());
    let (mut sgd_s, mut sgd_t) = (Sgd::new(1.0).unwrap(), Sgd::new(1.0).unwrap());
    let mut last = 0.0;
    for _ in 0..3000 {
        last = 0.0;
        for (x, y) in &data {
            let es = train_step(&mut s, &mut gs, &Mse::new(), &mut sgd_s, x, y);
            let et = train_step(&mut t, &mut gt, &Mse::new(), &mut sgd_t, x, y);
            assert_eq!(es.to_bits(), et.to_bits());
            last += es;
        }
    }
    assert_eq!(params(&s), params(&t));
    assert!(last < 0.05, "XOR learned, loss {last}");
    for (x, y) in &data {
        assert_eq!(infer(&s, x)[0] > 0.5, y[0] > 0.5);
    }
}

#[test]
fn user_derives_and_attributes_are_kept() {
    let a: Xor = Layer::initialized(Init::Uniform, &mut SplitMix64::new(1));
    let b = a.clone();
    assert_eq!(a, b);
    assert!(format!("{a:?}").starts_with("Xor { hidden: Dense"));
}

/// Names that generated code must not capture or clash with: constants named like
/// plausible locals (`let out = ...` in generated code would match a user's `const out`),
/// and generic parameters named like the trait methods' own (`K`, `F`).
mod clashes {
    #![allow(non_upper_case_globals, dead_code)]
    use typenet::{
        Dense, Identity, Init, Layer, Network, Scalar, Sigmoid, SplitMix64, Train, infer,
    };

    const input: f32 = 0.0;
    const out: f32 = 0.0;
    const cache: f32 = 0.0;
    const h: u64 = 0;
    const x: f32 = 0.0;
    const y: f32 = 0.0;

    #[derive(Network)]
    struct Clashing<const K: usize, F: Scalar> {
        a: Dense<2, K, F>,
        b: Sigmoid<K, F>,
        c: Dense<K, 1, F>,
        d: Identity<1, F>,
        e: Sigmoid<1, F>,
    }

    #[test]
    fn generated_names_do_not_clash_with_the_users() {
        let net: Clashing<3, f64> = Layer::initialized(Init::Uniform, &mut SplitMix64::new(4));
        let (z, _) = net.forward_train(&[0.5, 0.5]);
        assert_eq!(infer(&net, &[0.5, 0.5]), z);
        assert!(z[0] > 0.0 && z[0] < 1.0);
    }
}

/// A network generic over one of its layers: the bound gives the sizes (and the scalar)
/// the derive's checks need.
#[derive(Network)]
struct WithHead<L: Layer<Scalar = f32, Input = [f32; 4], Output = [f32; 1]>> {
    body: Dense<2, 4>,
    squash: Tanh<4>,
    head: L,
}

#[test]
fn a_layer_can_be_a_type_parameter() {
    type Linear = WithHead<Dense<4, 1>>;
    type Deeper = WithHead<(Dense<4, 3>, Relu<3>, Dense<3, 1>)>;
    assert_same_as_tuple::<Linear, (Dense<2, 4>, Tanh<4>, Dense<4, 1>)>(3, &[0.2, 0.9], &[1.0]);
    assert_same_as_tuple::<Deeper, (Dense<2, 4>, Tanh<4>, (Dense<4, 3>, Relu<3>, Dense<3, 1>))>(
        3,
        &[0.2, 0.9],
        &[1.0],
    );
}

/// One field is enough.
#[derive(Network)]
struct Single(Dense<3, 2, f64>);

#[test]
fn a_single_layer_network_is_that_layer() {
    assert_same_as_tuple::<Single, (Dense<3, 2, f64>,)>(8, &[1.0, -2.0, 0.5], &[0.0, 1.0]);
    let net: Single = Layer::initialized(Init::Uniform, &mut SplitMix64::new(8));
    assert_eq!(
        infer(&net, &[1.0, -2.0, 0.5]),
        infer(&net.0, &[1.0, -2.0, 0.5])
    );
}

#[test]
fn caches_are_copy_clone_debug_and_comparable_like_tuples() {
    let net: Xor = Layer::initialized(Init::Uniform, &mut SplitMix64::new(6));
    let (_, cache) = net.forward_train(&[1.0, 0.0]);
    let copy = cache; // Copy: `cache` stays usable
    #[allow(clippy::clone_on_copy)]
    let clone = cache.clone();
    assert_eq!(copy, clone);
    let (_, other) = net.forward_train(&[0.0, 1.0]);
    assert_ne!(cache, other);
    let shown = format!("{cache:?}");
    assert!(
        shown.starts_with("CacheOf<Xor> { hidden: [1.0, 0.0], squash: ["),
        "{shown}"
    );

    let stacked: Stacked = Layer::initialized(Init::Uniform, &mut SplitMix64::new(6));
    let (_, cache) = stacked.forward_train(&[0.5, 0.5]);
    let shown = format!("{cache:?}");
    assert!(
        shown.starts_with("CacheOf<Stacked>(CacheOf<Mlp> { l1: [0.5, 0.5]"),
        "{shown}"
    );
    let generic: Mlp<7> = Layer::initialized(Init::Uniform, &mut SplitMix64::new(6));
    let (_, cache) = generic.forward_train(&[0.5, 0.5]);
    assert_eq!(cache, cache.clone());
}

/// A layer whose cache implements nothing: networks holding it still derive (their cache
/// just lacks the traits its fields lack).
mod opaque_cache {
    use typenet::{Dense, Layer, Network, Params, Train};

    /// The identity on 2 values, with a cache that is neither `Clone` nor `Debug`.
    #[derive(Params)]
    #[params(scalar = f32)]
    pub struct Opaque;
    pub struct Nothing;

    impl Layer for Opaque {
        type Scalar = f32;
        type Input = [f32; 2];
        type Output = [f32; 2];
        fn forward(&self, x: &[f32; 2]) -> [f32; 2] {
            *x
        }
    }

    impl Train for Opaque {
        type Cache = Nothing;
        fn forward_train(&self, x: &[f32; 2]) -> ([f32; 2], Nothing) {
            (*x, Nothing)
        }
        fn backward(&self, _: &Nothing, g: &[f32; 2], _: &mut Self) -> [f32; 2] {
            *g
        }
    }

    #[derive(Network)]
    struct WithOpaque {
        dense: Dense<2, 2>,
        opaque: Opaque,
    }

    #[test]
    fn a_cache_without_traits_does_not_stop_the_derive() {
        let net = WithOpaque {
            dense: Dense::new([[2.0, 0.0], [0.0, 3.0]], [0.0; 2]),
            opaque: Opaque,
        };
        let (y, cache) = net.forward_train(&[1.0, 1.0]);
        assert_eq!(y, [2.0, 3.0]);
        assert_eq!(cache.dense, [1.0, 1.0]);
        let mut grads = WithOpaque::zeroed();
        let dx = net.backward(&cache, &[1.0, 1.0], &mut grads);
        assert_eq!(dx, [2.0, 3.0]);
        assert_eq!(grads.dense.weights, [[1.0, 1.0], [1.0, 1.0]]);
    }
}

/// The user's where clause (here without a trailing comma) is kept on every impl.
#[rustfmt::skip] // rustfmt would add the comma
#[derive(Network)]
struct Bounded<T, const N: usize>
where
    T: Scalar
{
    dense: Dense<N, N, T>,
    squash: Sigmoid<N, T>,
}

#[test]
fn where_clauses_are_kept() {
    let net: Bounded<f64, 3> = Layer::initialized(Init::Uniform, &mut SplitMix64::new(1));
    let (_, cache) = net.forward_train(&[1.0, 2.0, 3.0]);
    assert_eq!(cache, cache.clone());
    assert_eq!(cache.dense, [1.0, 2.0, 3.0]);
}

/// Raw identifiers as field names, and more fields than the largest tuple network (12).
#[derive(Network)]
struct Long {
    r#in: Dense<2, 3>,
    r#type: Tanh<3>,
    l2: Dense<3, 3>,
    a2: Tanh<3>,
    l3: Dense<3, 3>,
    a3: Tanh<3>,
    l4: Dense<3, 3>,
    a4: Tanh<3>,
    l5: Dense<3, 3>,
    a5: Tanh<3>,
    l6: Dense<3, 3>,
    a6: Tanh<3>,
    l7: Dense<3, 1>,
    r#out: Sigmoid<1>,
}
type LongTuple = (
    (
        Dense<2, 3>,
        Tanh<3>,
        Dense<3, 3>,
        Tanh<3>,
        Dense<3, 3>,
        Tanh<3>,
        Dense<3, 3>,
    ),
    (
        Tanh<3>,
        Dense<3, 3>,
        Tanh<3>,
        Dense<3, 3>,
        Tanh<3>,
        Dense<3, 1>,
        Sigmoid<1>,
    ),
);

#[test]
fn fourteen_layers_and_raw_identifiers() {
    // Grouped differently, but the same layers in the same order: same outputs and
    // gradients (the fingerprint differs, as nesting is part of it).
    assert_same_as_tuple::<Long, LongTuple>(12, &[0.3, -0.8], &[1.0]);
    let (_, cache) = Long::zeroed().forward_train(&[0.3, -0.8]);
    assert_eq!(cache.r#in, [0.3, -0.8]);
    assert!(format!("{cache:?}").starts_with("CacheOf<Long> { in: [0.3, -0.8], type: ["));
    let mut net: Long = Layer::initialized(Init::Uniform, &mut SplitMix64::new(12));
    let report = check_gradients(&mut net, &Mse::new(), &[0.3, -0.8], &[1.0], 1e-2);
    assert!(report.max_error() < 1e-2, "{report:?}");
}

/// A last layer that is a type parameter needs only its scalar and input given: its
/// output may be any vector, as for a tuple.
#[derive(Network)]
struct AnyHead<L: Layer<Scalar = f32, Input = [f32; 4]>> {
    body: Dense<2, 4>,
    squash: Tanh<4>,
    head: L,
}

#[test]
fn the_last_layer_as_a_type_parameter_needs_no_output_size() {
    type Three = AnyHead<Dense<4, 3>>;
    type ThreeTuple = (Dense<2, 4>, Tanh<4>, Dense<4, 3>);
    assert_same_as_tuple::<Three, ThreeTuple>(5, &[0.2, 0.9], &[1.0, 0.0, 0.5]);
    let net: Three = Layer::initialized(Init::Uniform, &mut SplitMix64::new(5));
    let tuple: ThreeTuple = Layer::initialized(Init::Uniform, &mut SplitMix64::new(5));
    let xs = [[0.2, 0.9], [-0.4, 0.1], [1.0, -1.0]];
    let (mut ys, mut ys_tuple) = ([[0.0; 3]; 3], [[0.0; 3]; 3]);
    let mut ws = vec![0.0; 3 * Three::BATCH_WORKSPACE];
    net.forward_batch(&xs, &mut ys, &mut ws).unwrap();
    tuple.forward_batch(&xs, &mut ys_tuple, &mut ws).unwrap();
    assert_eq!(ys, ys_tuple);
    assert_eq!(ys[2], infer(&net, &xs[2]));
}
