//! `backward_with` in the modes `Overwrite` / `OverwriteParams` (what `train_step` runs)
//! against `zero_params` then `Accumulate` / `AccumulateParams`: the same bits, whatever the
//! gradients held before — for small `Dense` layers (simple loops), large ones (blocked
//! kernels), tuples, nested tuples and derived structs (which override them as tuples do), with inputs
//! and deltas that make signed zeros.

use rand_core::Rng;
use typenet::{
    Dense, Init, Layer, Mse, Network, Relu, Sgd, Sigmoid, SplitMix64, Tanh, Train, accumulate,
    mode, train_step,
};

fn bits<N: Layer<Scalar = f32>>(net: &N) -> Vec<u32> {
    let mut v = Vec::new();
    net.visit_params(&mut |p| v.extend(p.iter().map(|x| x.to_bits())));
    v
}

/// Values in ±1 with exact zeros of both signs mixed in.
fn value(rng: &mut SplitMix64) -> f32 {
    match rng.next_u32() % 8 {
        0 => 0.0,
        1 => -0.0,
        _ => (rng.next_u32() >> 8) as f32 / (1u32 << 23) as f32 - 1.0,
    }
}

/// A gradient value holding garbage (NaN, large numbers): overwriting must not read it.
fn garbage<N: Layer<Scalar = f32>>(rng: &mut SplitMix64) -> Box<N> {
    let mut g = Box::new(N::zeroed());
    g.visit_params_mut(&mut |p| {
        for v in p {
            *v = match rng.next_u32() % 3 {
                0 => f32::NAN,
                1 => 1e30,
                _ => -0.0,
            };
        }
    });
    g
}

fn check<N>(net: &N, seed: u64)
where
    N: Train<Scalar = f32>,
{
    let mut rng = SplitMix64::new(seed);
    for _ in 0..4 {
        let mut x = N::Input::zeros();
        for v in x.as_mut_slice() {
            *v = value(&mut rng);
        }
        let mut dy = N::Output::zeros();
        for v in dy.as_mut_slice() {
            *v = value(&mut rng);
        }
        let (_, cache) = net.forward_train(&x);

        let mut want = garbage::<N>(&mut rng);
        want.zero_params();
        let dx_want = net.backward(&cache, &dy, &mut want);
        let mut got = garbage::<N>(&mut rng);
        let dx_got = net.backward_with::<mode::Overwrite>(&cache, &dy, &mut got);
        assert_eq!(bits(&*got), bits(&*want), "backward_overwrite");
        let (a, b) = (dx_got.as_slice(), dx_want.as_slice());
        assert_eq!(
            a.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            b.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            "input gradient"
        );

        let mut want = garbage::<N>(&mut rng);
        want.zero_params();
        net.backward_with::<mode::AccumulateParams>(&cache, &dy, &mut want);
        let mut got = garbage::<N>(&mut rng);
        net.backward_with::<mode::OverwriteParams>(&cache, &dy, &mut got);
        assert_eq!(bits(&*got), bits(&*want), "backward_params_overwrite");
    }
}

use typenet::Vector as _;

#[derive(Network)]
struct Derived {
    a: Dense<5, 7>,
    b: Tanh<7>,
    c: Dense<7, 3>,
}

#[test]
fn overwriting_equals_zeroing_then_adding() {
    let mut rng = SplitMix64::new(1);
    check(&Dense::<3, 2>::initialized(Init::Uniform, &mut rng), 2);
    check(&Dense::<40, 9>::initialized(Init::Uniform, &mut rng), 3); // blocked
    check(&Dense::<130, 33>::initialized(Init::Uniform, &mut rng), 4); // blocked, tails
    check(
        &<(Dense<4, 6>, Relu<6>, Dense<6, 2>, Sigmoid<2>)>::initialized(Init::Uniform, &mut rng),
        5,
    );
    check(
        &<(
            (Dense<50, 20>, Relu<20>),
            (Dense<20, 30>, Tanh<30>),
            Dense<30, 1>,
        )>::initialized(Init::Uniform, &mut rng),
        6,
    );
    check(&Derived::initialized(Init::Uniform, &mut rng), 7);
}

/// `train_step` (which overwrites) against its definition: zero, accumulate, step.
#[test]
fn train_step_is_zero_accumulate_step() {
    type Net = (Dense<30, 20>, Sigmoid<20>, Dense<20, 2>, Sigmoid<2>);
    let mut rng = SplitMix64::new(8);
    let mut a: Net = Layer::initialized(Init::XavierUniform, &mut rng);
    let mut b = a;
    let (mut ga, mut gb) = (*garbage::<Net>(&mut rng), *garbage::<Net>(&mut rng));
    let mut sgd = Sgd::new(0.3).unwrap();
    for _ in 0..20 {
        let x: [f32; 30] = core::array::from_fn(|_| value(&mut rng));
        let t = [value(&mut rng).abs(), value(&mut rng).abs()];
        let ea = train_step(&mut a, &mut ga, &Mse::new(), &mut sgd, &x, &t);
        gb.zero_params();
        let eb = accumulate(&b, &mut gb, &Mse::new(), &x, &t);
        typenet::Optimizer::step(&mut sgd, &mut b, &gb);
        assert_eq!(ea.to_bits(), eb.to_bits());
        assert_eq!(bits(&ga), bits(&gb));
        assert_eq!(bits(&a), bits(&b));
    }
}

/// The convolutional layers and wrappers, first in a network (`OverwriteParams`) and
/// after another layer (`Overwrite`): a per-pixel dense first, so its first pixel sets
/// and the later ones add.
#[test]
fn convolutional_layers_overwrite_as_they_add() {
    use typenet::{
        Conv1d, Conv2d, DepthwiseConv2d, Flatten, Flatten1d, MaxPool2d, Parallel, PerPixel,
        Residual, Same, Valid,
    };
    let mut rng = SplitMix64::new(11);
    check(
        &<(
            PerPixel<Dense<2, 3>, 4, 4>,
            Conv2d<4, 4, 3, 2, 3, 3, 1, 1, Same, 4, 4>,
            Residual<PerPixel<Dense<2, 2>, 4, 4>>,
            Parallel<
                DepthwiseConv2d<4, 4, 2, 2, 3, 3, 2, 2, Same, 2, 2, 4>,
                Conv2d<4, 4, 2, 4, 1, 1, 2, 2, Valid, 2, 2>,
            >,
            MaxPool2d<2, 2, 4, 2, 2, 1, 1, Same, 2, 2>,
            Flatten<2, 2, 4, 16>,
            Dense<16, 3>,
        )>::initialized(Init::Uniform, &mut rng),
        12,
    );
    check(
        &<(Conv1d<9, 2, 3, 3, 2, Same, 5>, Flatten1d<5, 3, 15>)>::initialized(
            Init::Uniform,
            &mut rng,
        ),
        13,
    );
}
