//! `Trainer` on the batched path (`with_workspace`, `batched`) against the per-sample
//! `fit`: the same schedule, data, seed and optimizer must give the same network, the
//! same reports and the same optimizer state, bit for bit — for a small network whose
//! layers run the simple loops, for a large one whose layers run the blocked kernels,
//! and for a derived struct.

use rand_core::Rng;
use std::ops::ControlFlow;
use typenet::{
    Adam, BatchError, Class, Dense, EpochReport, FitError, Init, Layer, Momentum, Mse, Network,
    Relu, Sgd, Sigmoid, SoftmaxCrossEntropy, SplitMix64, Tanh, Trainer, boxed_initialized,
    boxed_zeroed,
};

fn unit(rng: &mut SplitMix64) -> f32 {
    (rng.next_u32() >> 8) as f32 / (1u32 << 24) as f32 - 0.5
}

/// Every parameter's bits, in visiting order.
fn bits<N: Layer<Scalar = f32>>(net: &N) -> Vec<u32> {
    let mut v = Vec::new();
    net.visit_params(&mut |p| v.extend(p.iter().map(|x| x.to_bits())));
    v
}

#[test]
fn small_network_same_bits_with_momentum_shuffling_and_a_ragged_last_batch() {
    type Net = (Dense<3, 5>, Tanh<5>, Dense<5, 2>, Sigmoid<2>);
    let mut rng = SplitMix64::new(11);
    let start: Net = Layer::initialized(Init::XavierUniform, &mut rng);
    // 23 samples in batches of 4: five full batches and one of 3
    let data: Vec<([f32; 3], [f32; 2])> = (0..23)
        .map(|_| {
            let x = [unit(&mut rng), unit(&mut rng), unit(&mut rng)];
            (x, [f32::from(x[0] > x[1]), f32::from(x[2] > 0.0)])
        })
        .collect();
    let schedule = Trainer::new(30, 4);

    let (mut a, mut ga) = (start, Net::zeroed());
    let mut opt_a = Momentum::new(0.3, 0.9).unwrap().nesterov();
    let (mut da, mut ra) = (data.clone(), Vec::new());
    let last_a = schedule
        .fit_with(
            &mut a,
            &mut ga,
            &Mse::new(),
            &mut opt_a,
            &mut da,
            &mut SplitMix64::new(5),
            |r, _| {
                ra.push(*r);
                ControlFlow::Continue(())
            },
        )
        .unwrap();

    let (mut b, mut gb) = (start, Net::zeroed());
    let mut opt_b = Momentum::new(0.3, 0.9).unwrap().nesterov();
    let (mut db, mut rb) = (data.clone(), Vec::new());
    let mut workspace = [0.0f32; Trainer::<f32>::new(30, 4).workspace_len::<Net>()];
    let last_b = schedule
        .with_workspace(&mut workspace[..])
        .fit_with(
            &mut b,
            &mut gb,
            &Mse::new(),
            &mut opt_b,
            &mut db,
            &mut SplitMix64::new(5),
            |r, _| {
                rb.push(*r);
                ControlFlow::Continue(())
            },
        )
        .unwrap();

    assert_eq!(bits(&a), bits(&b), "parameters");
    assert_eq!(bits(opt_a.velocity()), bits(opt_b.velocity()), "velocity");
    assert_eq!(bits(&ga), bits(&gb), "last batch's gradients");
    assert_eq!(da, db, "the data was shuffled the same way");
    assert_eq!((last_a, &ra), (last_b, &rb));
    assert_eq!(ra.len(), 30);
    assert_eq!(last_a.unwrap().batches, 6);
    assert!(last_a.unwrap().loss < ra[0].loss, "it learned: {ra:?}");
    assert_ne!(bits(&a), bits(&start));
}

/// 784 → 128 → 10: both `Dense` layers are past `BLOCKED_MIN`, so the batched path runs
/// the blocked matrix products (AVX2 where the CPU has it) while `fit` runs them one
/// sample at a time. Adam, clipping and softmax cross-entropy with class targets.
#[test]
fn large_network_same_bits_with_adam_and_clipping() {
    type Mnist = (Dense<784, 128>, Relu<128>, Dense<128, 10>);
    let mut rng = SplitMix64::new(3);
    let start: Box<Mnist> = boxed_initialized(Init::HeUniform, &mut rng);
    let data: Vec<([f32; 784], Class<10>)> = (0..45)
        .map(|i| {
            let x = core::array::from_fn(|_| unit(&mut rng) + 0.5);
            (x, Class::new(i % 10).unwrap())
        })
        .collect();
    // 45 samples in batches of 16: 16, 16, 13
    let schedule = Trainer::new(2, 16).clip_grad_norm(1.0);

    let run = |batched: bool| {
        let mut net = start.clone();
        let mut grads: Box<Mnist> = boxed_zeroed();
        let mut adam = Adam::<Mnist, Box<Mnist>>::boxed(0.001).unwrap();
        let mut data = data.clone();
        let mut reports = Vec::new();
        let mut rng = SplitMix64::new(9);
        let loss = SoftmaxCrossEntropy::new();
        let go = |r: &EpochReport<f32>, _: &Mnist| {
            reports.push(*r);
            ControlFlow::Continue(())
        };
        if batched {
            let mut t = schedule.batched::<Mnist>();
            t.fit_with(
                &mut *net,
                &mut *grads,
                &loss,
                &mut adam,
                &mut data,
                &mut rng,
                go,
            )
        } else {
            schedule.fit_with(
                &mut *net,
                &mut *grads,
                &loss,
                &mut adam,
                &mut data,
                &mut rng,
                go,
            )
        }
        .unwrap();
        (
            bits(&*net),
            bits(adam.first_moment()),
            bits(adam.second_moment()),
            reports,
        )
    };
    let (per_sample, batched) = (run(false), run(true));
    assert_eq!(per_sample.0, batched.0, "parameters");
    assert_eq!(per_sample.1, batched.1, "first moment");
    assert_eq!(per_sample.2, batched.2, "second moment");
    assert_eq!(per_sample.3, batched.3, "reports");
    assert_eq!(per_sample.3[1].batches, 3);
    assert!(per_sample.3[1].clipped > 0, "{:?}", per_sample.3);
    assert_ne!(per_sample.0, bits(&*start));
}

/// A derived struct runs the trait's per-sample loops inside the batched methods (or its
/// own batched methods, once it has them): the same bits either way.
#[test]
fn derived_struct_same_bits_in_order() {
    #[derive(Network)]
    struct Net {
        hidden: Dense<16, 20>,
        squash: Sigmoid<20>,
        scores: Dense<20, 4>,
    }
    let mut rng = SplitMix64::new(21);
    let start: Net = Layer::initialized(Init::XavierUniform, &mut rng);
    let data: Vec<([f32; 16], Class<4>)> = (0..37)
        .map(|i| {
            let x = core::array::from_fn(|_| unit(&mut rng));
            (x, Class::new(i % 4).unwrap())
        })
        .collect();
    let schedule = Trainer::new(5, 8);
    let go = |_: &EpochReport<f32>, _: &Net| ControlFlow::Continue(());
    let copy = |n: &Net| {
        let mut c = Net::zeroed();
        c.zip_params(n, [], &mut |c, n, []| c.copy_from_slice(n));
        c
    };

    let (mut a, mut ga) = (copy(&start), Net::zeroed());
    let ra = schedule
        .fit_in_order(
            &mut a,
            &mut ga,
            &SoftmaxCrossEntropy::new(),
            &mut Sgd::new(0.5).unwrap(),
            &data,
            go,
        )
        .unwrap();
    let (mut b, mut gb) = (copy(&start), Net::zeroed());
    let mut workspace = vec![0.0; schedule.workspace_len::<Net>()];
    let rb = schedule
        .with_workspace(&mut workspace)
        .fit_in_order(
            &mut b,
            &mut gb,
            &SoftmaxCrossEntropy::new(),
            &mut Sgd::new(0.5).unwrap(),
            &data,
            go,
        )
        .unwrap();
    assert_eq!(bits(&a), bits(&b));
    assert_eq!(ra, rb);
    assert_ne!(bits(&a), bits(&start));
}

#[test]
fn a_short_workspace_or_zero_batch_is_an_error_before_anything_runs() {
    type Net = (Dense<2, 3>, Sigmoid<3>);
    let mut net = Net::zeroed();
    let before = bits(&net);
    let mut grads = Net::zeroed();
    let mut data = [([1.0, 0.0], [1.0, 0.0, 1.0])];
    let schedule = Trainer::new(3, 2);
    let needed = schedule.workspace_len::<Net>();
    // per sample: the input, both layers' outputs and their gradients, the network's output and its gradient
    assert_eq!(needed, 2 * (2 + 2 * (3 + 3) + 2 * 3));
    let mut short = vec![0.0; needed - 1];
    let r = schedule.with_workspace(&mut short).fit_with(
        &mut net,
        &mut grads,
        &Mse::new(),
        &mut Sgd::new(0.1).unwrap(),
        &mut data,
        &mut SplitMix64::new(0),
        |_, _| ControlFlow::Continue(()),
    );
    assert_eq!(
        r,
        Err(FitError::Batch(BatchError::Workspace {
            needed,
            found: needed - 1
        }))
    );
    assert_eq!(bits(&net), before);
    assert!(r.unwrap_err().to_string().contains("but 40 are needed"));

    let r = Trainer::new(3, 0)
        .with_workspace(vec![0.0; 100])
        .fit_in_order(
            &mut net,
            &mut grads,
            &Mse::new(),
            &mut Sgd::new(0.1).unwrap(),
            &data,
            |_, _| ControlFlow::Continue(()),
        );
    assert_eq!(r, Err(FitError::ZeroBatchSize));
}

/// A non-finite loss stops the batched path where it stops the per-sample one.
#[test]
fn non_finite_loss_is_reported_at_the_same_batch() {
    type Net = (Dense<1, 1, f64>, Sigmoid<1, f64>);
    let mut data = [([1.0], [1.0]), ([2.0], [0.0]), ([1.0], [f64::NAN])];
    let mut net = Net::zeroed();
    let before = net;
    let r = Trainer::new(1, 2)
        .no_shuffle()
        .with_workspace([0.0f64; 64])
        .fit_with(
            &mut net,
            &mut Net::zeroed(),
            &Mse::new(),
            &mut Sgd::new(0.1).unwrap(),
            &mut data,
            &mut SplitMix64::new(0),
            |_, _| ControlFlow::Continue(()),
        );
    assert_eq!(r, Err(FitError::NonFiniteLoss { epoch: 1, batch: 1 }));
    assert_ne!(net, before, "the first batch was applied");
}

/// `fit` (no callback) is `fit_with` whose callback never stops, on both paths: same
/// network and same last report, bit for bit.
#[test]
fn fit_without_a_callback_equals_fit_with() {
    type Net = (Dense<2, 3>, Tanh<3>, Dense<3, 1>);
    let start: Net = Layer::initialized(Init::XavierUniform, &mut SplitMix64::new(5));
    let data = [
        ([0.0, 1.0], [1.0]),
        ([1.0, 0.5], [-1.0]),
        ([0.2, 0.3], [0.5]),
    ];
    let schedule = Trainer::new(7, 2);
    let run = |with_callback: bool, batched: bool| {
        let (mut net, mut grads, mut d) = (start, Net::zeroed(), data);
        let (loss, mut opt, mut rng) = (Mse::new(), Sgd::new(0.1).unwrap(), SplitMix64::new(9));
        let go = |_: &EpochReport<f32>, _: &Net| ControlFlow::Continue(());
        let mut b = schedule.batched::<Net>();
        let last = match (with_callback, batched) {
            (false, false) => schedule.fit(&mut net, &mut grads, &loss, &mut opt, &mut d, &mut rng),
            (true, false) => {
                schedule.fit_with(&mut net, &mut grads, &loss, &mut opt, &mut d, &mut rng, go)
            }
            (false, true) => b.fit(&mut net, &mut grads, &loss, &mut opt, &mut d, &mut rng),
            (true, true) => b.fit_with(&mut net, &mut grads, &loss, &mut opt, &mut d, &mut rng, go),
        };
        let last = last.unwrap().unwrap();
        (bits(&net), last.epoch, last.loss.to_bits())
    };
    let plain = run(false, false);
    assert_eq!(plain.1, 7);
    assert_ne!(plain.0, bits(&start), "training changed nothing");
    assert_eq!(plain, run(true, false));
    assert_eq!(plain, run(false, true));
    assert_eq!(plain, run(true, true));
}
