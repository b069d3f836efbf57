//! `#[derive(Zeroable)]` on a derived network: a 784 → 128 → 10 network built on the heap
//! with `boxed_zeroed` on a thread with a 2 MiB stack, equal to `zeroed()` including
//! settings that are not zero, and training like the tuple of its layers. The crate denies
//! unsafe code: the derive's own `allow` covers the `unsafe impl` it writes.
#![deny(unsafe_code)]

use typenet::{
    Adam, Dense, Init, Layer, LeakyRelu, Mse, Network, Relu, SplitMix64, Zeroable, batch,
    boxed_initialized, boxed_zeroed, train_step_batch,
};

#[derive(Network, Zeroable)]
struct Mnist {
    hidden: Dense<784, 128>,
    relu: Relu<128>,
    output: Dense<128, 10>,
}
type MnistTuple = (Dense<784, 128>, Relu<128>, Dense<128, 10>);

/// Nested derived networks, a tuple field, a generic scalar and a layer whose default
/// (a leaky ReLU's slope) is not zero.
#[derive(Network, Zeroable, Debug, PartialEq)]
struct Block<T: typenet::Scalar> {
    dense: Dense<3, 4, T>,
    leaky: LeakyRelu<4, T>,
}
#[derive(Network, Zeroable, Debug, PartialEq)]
struct Nested<T: typenet::Scalar>(Block<T>, (Dense<4, 2, T>, LeakyRelu<2, T>));

fn params<N: Layer<Scalar = f32>>(net: &N) -> Vec<u32> {
    let mut v = Vec::new();
    net.visit_params(&mut |p| v.extend(p.iter().map(|x| x.to_bits())));
    v
}

#[test]
fn a_large_derived_network_is_built_and_trained_on_the_heap() {
    // Network, gradients and Adam's two moments: four values of 407 KB, most of the
    // 2 MiB stack, which debug-build temporaries would overflow if built by value.
    const { assert!(4 * <Mnist as Layer>::BYTES > 1_600_000) };
    let run = || {
        let zeroed: Box<Mnist> = boxed_zeroed();
        assert!(params(&*zeroed).iter().all(|&b| b == 0));
        assert_eq!(params(&*zeroed).len(), <Mnist as Layer>::PARAM_COUNT);

        let mut net: Box<Mnist> = boxed_initialized(Init::HeUniform, &mut SplitMix64::new(3));
        let mut tuple: Box<MnistTuple> =
            boxed_initialized(Init::HeUniform, &mut SplitMix64::new(3));
        assert_eq!(params(&*net), params(&*tuple), "same seed, same parameters");
        assert!(params(&*net).iter().any(|&b| b != 0));

        let mut rng = SplitMix64::new(9);
        let xs: Vec<[f32; 784]> = (0..8)
            .map(|_| {
                core::array::from_fn(|_| {
                    f32::from(rand_core::Rng::next_u32(&mut rng) as u8) / 255.0
                })
            })
            .collect();
        let ts: Vec<[f32; 10]> = (0..8)
            .map(|i| core::array::from_fn(|k| if k == i % 10 { 1.0 } else { 0.0 }))
            .collect();
        let mut ws = vec![0.0f32; batch::workspace_len::<Mnist>(8)];
        let (mut g_net, mut g_tuple): (Box<Mnist>, Box<MnistTuple>) =
            (boxed_zeroed(), boxed_zeroed());
        let (mut adam_net, mut adam_tuple) =
            (Adam::boxed(0.001).unwrap(), Adam::boxed(0.001).unwrap());
        let mut losses = Vec::new();
        for _ in 0..5 {
            let a = train_step_batch(
                &mut *net,
                &mut *g_net,
                &Mse::new(),
                &mut adam_net,
                &xs,
                &ts,
                &mut ws,
            )
            .unwrap();
            let b = train_step_batch(
                &mut *tuple,
                &mut *g_tuple,
                &Mse::new(),
                &mut adam_tuple,
                &xs,
                &ts,
                &mut ws,
            )
            .unwrap();
            assert_eq!(a.to_bits(), b.to_bits());
            losses.push(a);
        }
        assert_eq!(params(&*net), params(&*tuple));
        assert!(losses[4] < losses[0], "{losses:?}");
    };
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(run)
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn zero_bytes_and_restore_defaults_are_zeroed() {
    let boxed: Box<Nested<f64>> = boxed_zeroed();
    assert_eq!(*boxed, Nested::zeroed());
    assert_eq!(
        boxed.0.leaky.slope, 0.01,
        "a setting, restored to its default"
    );
    assert_eq!(boxed.1.1.slope, 0.01, "inside a tuple field too");
    let a: Box<Nested<f32>> = boxed_initialized(Init::XavierUniform, &mut SplitMix64::new(5));
    let b: Nested<f32> = Layer::initialized(Init::XavierUniform, &mut SplitMix64::new(5));
    assert_eq!(*a, b);
}

/// A field whose type is a macro that gives `f32` twice and then `&'static mut f32`. A
/// derive that writes the field's type tokens twice (a where clause and a call) used
/// both `f32`s and accepted the struct, whose field was then the reference: all-zero
/// bytes made it null. The derive now writes them once (the where clause) and checks the
/// field's real type with `<_ as Zeroable>`, so the struct's own expansion is the second
/// one, `f32`. (Where the real type is the reference, the derive refuses it: see
/// `tests/ui/derive_zeroable_field_type_changes_between_expansions.rs`.)
#[derive(Zeroable)]
struct Flipped {
    field: typenet_test_flip::flip_late!(),
}

#[test]
fn a_field_type_is_expanded_once_and_the_real_type_is_checked() {
    fn zeroable<T: Zeroable>(_: &T) {}
    assert_eq!(core::mem::size_of::<Flipped>(), core::mem::size_of::<f32>());
    let f = Flipped { field: 1.5 };
    zeroable(&f.field);
    assert_eq!(f.field, 1.5);
}

/// `PhantomData` fields are allowed, as the docs say (a custom layer's weights with a
/// marker, say).
#[derive(Zeroable, Debug, PartialEq)]
struct Marked<T> {
    weights: [T; 3],
    marker: core::marker::PhantomData<fn() -> T>,
}

#[test]
fn a_phantom_field_is_zeroable() {
    fn zeroable<T: Zeroable>(mut v: T) -> T {
        v.restore_defaults();
        v
    }
    let m = Marked {
        weights: [1.0f32, 2.0, 3.0],
        marker: core::marker::PhantomData,
    };
    assert_eq!(zeroable(m).weights, [1.0, 2.0, 3.0]);
}
