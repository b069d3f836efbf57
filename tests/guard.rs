//! Nothing silently corrupts a network: non-finite data, gradients and updates, settings
//! out of range and sizes beyond `usize` are errors raised before anything is written.
//! Every error case compares the bits of the network and of the optimizer's state before
//! and after.

use core::ops::ControlFlow;
use typenet::approx::assert_abs_diff_eq;
use typenet::{
    Adam, BatchError, Dense, FitError, Identity, Init, InvalidSetting, Layer, Momentum, Mse,
    Optimizer, Sgd, SplitMix64, StepError, Tanh, Trainer, accumulate, clip_grad_norm, train_step,
    try_train_step,
};

fn bits<N: Layer<Scalar = f32>>(net: &N) -> Vec<u32> {
    let mut v = Vec::new();
    net.visit_params(&mut |p| v.extend(p.iter().map(|x| x.to_bits())));
    v
}

fn go<N>(_: &typenet::EpochReport<f32>, _: &N) -> ControlFlow<()> {
    ControlFlow::Continue(())
}

type Net = (Dense<2, 3>, Tanh<3>, Dense<3, 1>);

fn net() -> Net {
    Layer::initialized(Init::XavierUniform, &mut SplitMix64::new(3))
}

/// The audit's case: `x = +∞` through a saturating `Tanh` keeps the loss finite while the
/// first layer's gradient is `0·∞ = NaN`. `fit` (per sample and batched) refuses the data
/// before training; the network and the momentum are untouched.
#[test]
fn an_infinite_input_behind_a_saturating_tanh_is_refused() {
    let data = [([0.5, 0.5], [0.2]), ([f32::INFINITY, 0.0], [0.3])];
    // today's arithmetic: finite loss, NaN gradient
    let mut grads = Net::zeroed();
    let e = accumulate(&net(), &mut grads, &Mse::new(), &data[1].0, &data[1].1);
    assert!(e.is_finite());
    assert!(bits(&grads).iter().any(|&b| f32::from_bits(b).is_nan()));

    for batched in [false, true] {
        let (mut n, mut g) = (net(), Net::zeroed());
        let mut opt = Momentum::new(0.1, 0.9).unwrap();
        let (before, velocity) = (bits(&n), bits(opt.velocity()));
        let mut d = data;
        let schedule = Trainer::new(3, 1).no_shuffle();
        let r = if batched {
            schedule.batched::<Net>().fit_with(
                &mut n,
                &mut g,
                &Mse::new(),
                &mut opt,
                &mut d,
                &mut SplitMix64::new(1),
                go,
            )
        } else {
            schedule.fit_with(
                &mut n,
                &mut g,
                &Mse::new(),
                &mut opt,
                &mut d,
                &mut SplitMix64::new(1),
                go,
            )
        };
        assert_eq!(r, Err(FitError::NonFiniteInput { sample: 1 }), "{batched}");
        assert_eq!(bits(&n), before);
        assert_eq!(bits(opt.velocity()), velocity);
    }

    // The gradient check alone (no input check) catches it too.
    let mut n = net();
    let mut opt = Momentum::new(0.1, 0.9).unwrap();
    let before = bits(&n);
    assert_eq!(
        opt.try_step(&mut n, &grads),
        Err(StepError::NonFiniteGradient)
    );
    assert_eq!(bits(&n), before);
    assert!(bits(opt.velocity()).iter().all(|&b| b == 0));
}

/// `try_train_step` refuses each kind of bad sample, leaves the network and Adam's state
/// (moments and step count) as they were, and otherwise gives `train_step`'s bits.
#[test]
fn the_checked_step_refuses_bad_samples_and_changes_nothing() {
    let bad: [([f32; 2], [f32; 1], StepError); 5] = [
        ([f32::NAN, 0.0], [0.5], StepError::NonFiniteInput),
        ([0.0, f32::INFINITY], [0.5], StepError::NonFiniteInput),
        ([f32::NEG_INFINITY, 0.0], [0.5], StepError::NonFiniteInput),
        ([0.1, 0.2], [f32::NAN], StepError::NonFiniteLoss),
        ([0.1, 0.2], [f32::INFINITY], StepError::NonFiniteLoss),
    ];
    let (mut a, mut b) = (net(), net());
    let mut grads = Net::zeroed();
    let (mut adam_a, mut adam_b) = (Adam::new(0.01).unwrap(), Adam::new(0.01).unwrap());
    let good = ([0.3, -0.7], [0.25]);
    for round in 0..3 {
        for (x, t, want) in &bad {
            let before = (
                bits(&a),
                bits(adam_a.first_moment()),
                bits(adam_a.second_moment()),
            );
            let r = try_train_step(&mut a, &mut grads, &Mse::new(), &mut adam_a, x, t);
            assert_eq!(r, Err(*want), "{x:?} {t:?}");
            let after = (
                bits(&a),
                bits(adam_a.first_moment()),
                bits(adam_a.second_moment()),
            );
            assert_eq!(after, before, "{x:?} {t:?}");
        }
        // the step count did not move either: the next good step equals an unchecked
        // optimizer's that never saw the bad samples
        let ea = try_train_step(
            &mut a,
            &mut grads,
            &Mse::new(),
            &mut adam_a,
            &good.0,
            &good.1,
        );
        let eb = train_step(
            &mut b,
            &mut grads,
            &Mse::new(),
            &mut adam_b,
            &good.0,
            &good.1,
        );
        assert_eq!(ea.map(f32::to_bits), Ok(eb.to_bits()), "round {round}");
        assert_eq!(bits(&a), bits(&b));
        assert_eq!(bits(adam_a.second_moment()), bits(adam_b.second_moment()));
    }
}

/// Finite gradients whose update overflows: each optimizer refuses the step and keeps
/// its state.
#[test]
fn an_update_that_would_overflow_is_refused() {
    let mut n = Dense::<1, 1>::new([[-3.0e38]], [0.0]);
    let g = Dense::<1, 1>::new([[1.0e38]], [0.0]);
    let before = bits(&n);
    // SGD: −3e38 − 1·1e38 overflows
    let mut sgd = Sgd::new(1.0).unwrap();
    assert_eq!(sgd.try_step(&mut n, &g), Err(StepError::NonFiniteUpdate));
    assert_eq!(bits(&n), before);

    // Adam: (1 − β₂)·g·g overflows v for |g| > 5.8e20 in f32 (w itself would stay finite)
    let mut n = Dense::<1, 1>::new([[1.0]], [1.0]);
    let before = bits(&n);
    let mut adam = Adam::new(0.001).unwrap();
    let huge = Dense::<1, 1>::new([[1e22]], [1.0]);
    assert_eq!(
        adam.try_step(&mut n, &huge),
        Err(StepError::NonFiniteUpdate)
    );
    assert_eq!(bits(&n), before);
    assert!(bits(adam.second_moment()).iter().all(|&b| b == 0));
    // ... and the unchecked step shows what was avoided
    adam.step(&mut n, &huge);
    assert!(adam.second_moment().weights[0][0].is_infinite());

    // Momentum: the velocity 0.9·2e38 + 2e38 overflows on the second step
    let mut n = Dense::<1, 1>::new([[0.0]], [0.0]);
    let g = Dense::<1, 1>::new([[2e38]], [0.0]);
    let mut m = Momentum::new(1e-38, 0.9).unwrap();
    assert_eq!(m.try_step(&mut n, &g), Ok(()));
    let (before, velocity) = (bits(&n), bits(m.velocity()));
    assert_eq!(m.try_step(&mut n, &g), Err(StepError::NonFiniteUpdate));
    assert_eq!((bits(&n), bits(m.velocity())), (before, velocity));
}

/// A batch of samples whose gradients are each finite but whose sum overflows: `fit`
/// stops at that batch with `NonFiniteGradient`, the loss being finite.
#[test]
fn a_gradient_sum_that_overflows_stops_fit() {
    type Lin = (Dense<1, 1>, Identity<1>);
    // y = 0, t = −1e19: loss ½e38 each, ∂w = (y − t)·x = 1e19 · 2e19 = 2e38 each
    let mut data = [([2e19], [-1e19]); 2];
    let mut n = Lin::zeroed();
    let mut sgd = Sgd::new(1e-30).unwrap();
    let r = Trainer::new(1, 2).fit_with(
        &mut n,
        &mut Lin::zeroed(),
        &Mse::new(),
        &mut sgd,
        &mut data,
        &mut SplitMix64::new(0),
        go,
    );
    assert_eq!(r, Err(FitError::NonFiniteGradient { epoch: 1, batch: 0 }));
    assert_eq!(bits(&n), bits(&Lin::zeroed()));
}

#[test]
fn settings_out_of_range_are_refused_where_they_are_made() {
    type D = Dense<1, 1>;
    let rate = |name| InvalidSetting {
        name,
        range: "finite and ≥ 0",
    };
    for bad in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY, -1e-3] {
        assert_eq!(Sgd::new(bad), Err(rate("learning rate")), "{bad}");
        assert_eq!(
            Momentum::<D>::new(bad, 0.9).err(),
            Some(rate("learning rate"))
        );
        assert_eq!(Adam::<D>::new(bad).err(), Some(rate("learning rate")));
        let m = Momentum::<D>::new(0.1, 0.9).unwrap();
        assert_eq!(m.weight_decay(bad).err(), Some(rate("weight decay")));
        let a = Adam::<D>::new(0.1).unwrap();
        assert_eq!(a.weight_decay(bad).err(), Some(rate("weight decay")));
    }
    for bad in [1.0, 1.5, -0.1, f32::NAN, f32::INFINITY] {
        assert!(Momentum::<D>::new(0.1, bad).is_err(), "{bad}");
        let a = Adam::<D>::new(0.1).unwrap();
        assert!(a.clone().betas(bad, 0.999).is_err(), "{bad}");
        assert!(a.betas(0.9, bad).is_err(), "{bad}");
    }
    for bad in [0.0, -1e-8, f32::NAN, f32::INFINITY] {
        assert!(Adam::<D>::new(0.1).unwrap().epsilon(bad).is_err(), "{bad}");
    }
    // the edges that are allowed
    assert!(Sgd::new(0.0f32).is_ok() && Momentum::<D>::new(0.0, 0.0).is_ok());
    assert!(Adam::<D>::new(0.1).unwrap().betas(0.0, 0.999_999).is_ok());

    // A borrowed state is not zeroed when the settings are refused.
    let mut velocity = Dense::<1, 1>::new([[7.0]], [7.0]);
    assert!(Momentum::<Dense<1, 1>, _>::with_state(f32::NAN, 0.9, &mut velocity).is_err());
    assert_eq!(velocity, Dense::new([[7.0]], [7.0]));

    // Clipping: a negative or NaN limit is an error, and changes nothing.
    let mut g = Dense::<1, 1>::new([[3.0]], [4.0]);
    for bad in [-1.0, f32::NAN] {
        assert!(clip_grad_norm(&mut g, bad).is_err());
        assert_eq!(g, Dense::new([[3.0]], [4.0]));
    }
}

/// Fields changed after construction (a schedule writes `learning_rate`) are checked by
/// `try_step` and by `fit` before any write.
#[test]
fn settings_changed_later_are_refused_before_any_write() {
    let mut n = net();
    let before = bits(&n);
    let mut grads = Net::zeroed();
    let mut data = [([0.5, 0.5], [0.2]), ([0.1, 0.9], [0.7])];

    let mut sgd = Sgd::new(0.1).unwrap();
    sgd.learning_rate = f32::INFINITY;
    let r = try_train_step(
        &mut n,
        &mut grads,
        &Mse::new(),
        &mut sgd,
        &data[0].0,
        &data[0].1,
    );
    assert!(matches!(r, Err(StepError::Setting(_))));
    let r = Trainer::new(2, 1).fit_with(
        &mut n,
        &mut grads,
        &Mse::new(),
        &mut sgd,
        &mut data,
        &mut SplitMix64::new(0),
        go,
    );
    assert!(matches!(r, Err(FitError::Setting(_))), "{r:?}");

    let mut adam = Adam::new(0.1).unwrap();
    adam.beta2 = 1.0;
    let r = try_train_step(
        &mut n,
        &mut grads,
        &Mse::new(),
        &mut adam,
        &data[0].0,
        &data[0].1,
    );
    assert!(matches!(r, Err(StepError::Setting(_))));
    assert!(bits(adam.first_moment()).iter().all(|&b| b == 0));

    let mut m = Momentum::new(0.1, 0.5).unwrap();
    m.momentum = -0.5;
    for clip in [None, Some(1.0)] {
        let mut t = Trainer::new(2, 1);
        t.max_grad_norm = clip;
        let r = t.fit_with(
            &mut n,
            &mut grads,
            &Mse::new(),
            &mut m,
            &mut data,
            &mut SplitMix64::new(0),
            go,
        );
        assert!(matches!(r, Err(FitError::Setting(_))), "{r:?}");
    }
    m.momentum = 0.5;
    for bad in [-1.0, f32::NAN] {
        let r = Trainer::new(2, 1).clip_grad_norm(bad).fit_with(
            &mut n,
            &mut grads,
            &Mse::new(),
            &mut m,
            &mut data,
            &mut SplitMix64::new(0),
            go,
        );
        assert!(matches!(r, Err(FitError::Setting(s)) if s.name == "max_norm"));
    }
    assert_eq!(bits(&n), before);
    assert!(bits(m.velocity()).iter().all(|&b| b == 0));
    assert_eq!(data[0], ([0.5, 0.5], [0.2]), "not even shuffled");
}

/// Batch sizes whose workspace does not fit in a `usize` are a `BatchError`, not a wrap
/// or a panic; per sample, any batch size works.
#[test]
fn huge_batch_sizes_are_errors_not_wraps() {
    let mut data = [([0.5, 0.5], [0.2]), ([0.1, 0.9], [0.7])];
    let start = net();
    for size in [usize::MAX, 1 << 62, usize::MAX / 3] {
        let t = Trainer::<f32>::new(1, size);
        assert_eq!(t.workspace_len::<Net>(), usize::MAX, "{size}");
        assert_eq!(typenet::batch::workspace_len::<Net>(size), usize::MAX);
        let mut n = start;
        let r = t.with_workspace(vec![0.0; 64]).fit_with(
            &mut n,
            &mut Net::zeroed(),
            &Mse::new(),
            &mut Sgd::new(0.1).unwrap(),
            &mut data,
            &mut SplitMix64::new(0),
            go,
        );
        assert_eq!(
            r,
            Err(FitError::Batch(BatchError::Overflow { batch: size }))
        );
        assert_eq!(bits(&n), bits(&start));
        // per sample: one batch of both samples
        let r = t.fit_with(
            &mut n,
            &mut Net::zeroed(),
            &Mse::new(),
            &mut Sgd::new(0.1).unwrap(),
            &mut data,
            &mut SplitMix64::new(0),
            go,
        );
        assert_eq!(r.unwrap().unwrap().batches, 1);
    }
}

/// Networks with a layer of width 0 train per sample (the batched path refuses them
/// while compiling: see the `compile_fail` example on `BatchTrainer`).
#[test]
fn zero_width_layers_train_per_sample() {
    // no inputs: the output is tanh(bias), which learns the target
    type NoInput = (Dense<0, 2>, Tanh<2>);
    let mut n = NoInput::zeroed();
    let mut data = [([], [0.5, -0.25]); 3];
    let r = Trainer::new(200, 2)
        .fit_with(
            &mut n,
            &mut NoInput::zeroed(),
            &Mse::new(),
            &mut Sgd::new(0.5).unwrap(),
            &mut data,
            &mut SplitMix64::new(0),
            go,
        )
        .unwrap()
        .unwrap();
    assert!(r.loss < 1e-4, "{r:?}");
    assert_abs_diff_eq!(n.1.forward(&n.0.forward(&[]))[0], 0.5, epsilon = 0.01);

    // no outputs: nothing to learn, nothing changes, no panic
    type NoOutput = (Dense<3, 0>, Tanh<0>);
    let mut n = NoOutput::zeroed();
    let mut data = [([1.0, 2.0, 3.0], []); 3];
    let r = Trainer::new(2, 2).fit_with(
        &mut n,
        &mut NoOutput::zeroed(),
        &Mse::new(),
        &mut Sgd::new(0.5).unwrap(),
        &mut data,
        &mut SplitMix64::new(0),
        go,
    );
    assert_eq!(r.unwrap().unwrap().loss, 0.0);
    let mut g = NoOutput::zeroed();
    let e = try_train_step(
        &mut n,
        &mut g,
        &Mse::new(),
        &mut Sgd::new(0.5).unwrap(),
        &[1.0, 2.0, 3.0],
        &[],
    );
    assert_eq!(e, Ok(0.0));
}
