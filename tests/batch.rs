//! The batched path computes the per-sample path's numbers, bit for bit, and its
//! gradients agree with finite differences.

use typenet::{
    BatchError, Dense, Init, Layer, Mse, Relu, Sgd, Sigmoid, SplitMix64, Step, Tanh, Train,
    accumulate, accumulate_batch, batch, infer, mode, train_step, train_step_batch,
};

// nested tuples, every activation kind of cache, one layer above the blocked-kernel size
type Net = (
    (Dense<37, 20, f64>, Tanh<20, f64>),
    (
        Dense<20, 9, f64>,
        Relu<9, f64>,
        Dense<9, 3, f64>,
        Sigmoid<3, f64>,
    ),
);

fn data<const N: usize>(rng: &mut u64, n: usize) -> Vec<[f64; N]> {
    (0..n)
        .map(|_| {
            core::array::from_fn(|_| {
                *rng = rng.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                ((*rng >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
            })
        })
        .collect()
}

fn bits<N: Layer<Scalar = f64>>(n: &N) -> Vec<u64> {
    let mut v = Vec::new();
    n.visit_params(&mut |p| v.extend(p.iter().map(|x| x.to_bits())));
    v
}

#[test]
fn batched_forward_and_gradients_are_the_per_sample_bits() {
    for batch in [1, 3, 4, 5, 8, 13] {
        let mut rng = 99 + batch as u64;
        let net: Net = Layer::initialized(Init::Uniform, &mut SplitMix64::new(batch as u64));
        let xs: Vec<[f64; 37]> = data(&mut rng, batch);
        let ts: Vec<[f64; 3]> = data(&mut rng, batch);
        let loss = Mse::<3, f64>::new();

        let mut per_sample = Net::zeroed();
        let mut e_ref = 0.0;
        for (x, t) in xs.iter().zip(&ts) {
            e_ref += accumulate(&net, &mut per_sample, &loss, x, t);
        }
        let mut batched = Net::zeroed();
        let mut ws = vec![f64::NAN; batch::workspace_len::<Net>(batch)];
        let e = accumulate_batch(&net, &mut batched, &loss, &xs, &ts, &mut ws).unwrap();
        assert_eq!(bits(&batched), bits(&per_sample), "batch {batch}");
        assert_eq!(e.to_bits(), e_ref.to_bits());

        let mut ys = vec![[0.0; 3]; batch];
        net.forward_batch(&xs, &mut ys, &mut ws).unwrap();
        for (x, y) in xs.iter().zip(&ys) {
            assert_eq!(infer(&net, x).map(f64::to_bits), y.map(f64::to_bits));
        }
    }
}

#[test]
fn batched_input_gradients_are_the_per_sample_bits() {
    let net: Net = Layer::initialized(Init::Uniform, &mut SplitMix64::new(5));
    let mut rng = 3;
    let xs: Vec<[f64; 37]> = data(&mut rng, 6);
    let dys: Vec<[f64; 3]> = data(&mut rng, 6);
    let mut ws = vec![0.0; 6 * Net::BATCH_WORKSPACE];
    let mut ys = vec![[0.0; 3]; 6];
    net.forward_batch(&xs, &mut ys, &mut ws).unwrap();
    let mut dxs = vec![[0.0; 37]; 6];
    let mut g = Net::zeroed();
    net.backward_batch(&xs, &ys, &dys, Some(&mut dxs), &mut g, &mut ws)
        .unwrap();
    let mut g_ref = Net::zeroed();
    for ((x, dy), dx) in xs.iter().zip(&dys).zip(&dxs) {
        let (_, cache) = net.forward_train(x);
        let dx_ref = net.backward(&cache, dy, &mut g_ref);
        assert_eq!(dx_ref.map(f64::to_bits), dx.map(f64::to_bits));
    }
    assert_eq!(bits(&g), bits(&g_ref));
}

#[test]
fn batched_gradients_match_finite_differences() {
    let mut net: Net = Layer::initialized(Init::Uniform, &mut SplitMix64::new(11));
    let mut rng = 17;
    let xs: Vec<[f64; 37]> = data(&mut rng, 5);
    let ts: Vec<[f64; 3]> = data(&mut rng, 5);
    let loss = Mse::<3, f64>::new();
    let mut ws = vec![0.0; batch::workspace_len::<Net>(5)];
    let mut g = Net::zeroed();
    accumulate_batch(&net, &mut g, &loss, &xs, &ts, &mut ws).unwrap();
    let mut analytic = Vec::new();
    g.visit_params(&mut |p| analytic.extend_from_slice(p));

    let total = |net: &Net, ws: &mut Vec<f64>| {
        let mut scratch = Net::zeroed();
        accumulate_batch(net, &mut scratch, &loss, &xs, &ts, ws).unwrap()
    };
    let eps = 1e-6;
    let mut worst = 0.0f64;
    // every 7th parameter: enough to cover each layer, quick in a debug build
    for k in (0..analytic.len()).step_by(7) {
        let p0 = typenet::gradcheck::param_at(&net, k);
        typenet::gradcheck::set_param_at(&mut net, k, p0 + eps);
        let up = total(&net, &mut ws);
        typenet::gradcheck::set_param_at(&mut net, k, p0 - eps);
        let down = total(&net, &mut ws);
        typenet::gradcheck::set_param_at(&mut net, k, p0);
        let numeric = (up - down) / (2.0 * eps);
        let scale = 1f64.max(analytic[k].abs()).max(numeric.abs());
        worst = worst.max((analytic[k] - numeric).abs() / scale);
    }
    assert!(worst < 1e-6, "worst scaled error {worst}");
}

#[test]
fn a_layer_without_batch_overrides_uses_the_per_sample_defaults() {
    // Step has cache `none`; Dense<5, 4> is below the blocked size
    let net: (Dense<5, 4, f64>, Step<4, f64>, Dense<4, 2, f64>) =
        Layer::initialized(Init::Uniform, &mut SplitMix64::new(2));
    let mut rng = 8;
    let xs: Vec<[f64; 5]> = data(&mut rng, 3);
    let mut ys = vec![[0.0; 2]; 3];
    let mut ws =
        vec![0.0; 3 * <(Dense<5, 4, f64>, Step<4, f64>, Dense<4, 2, f64>)>::BATCH_WORKSPACE];
    net.forward_batch(&xs, &mut ys, &mut ws).unwrap();
    for (x, y) in xs.iter().zip(&ys) {
        assert_eq!(&infer(&net, x), y);
    }
}

#[test]
fn wrong_lengths_are_errors_not_panics() {
    let net: Net = Layer::initialized(Init::Uniform, &mut SplitMix64::new(1));
    let xs = vec![[0.5; 37]; 4];
    let mut ys = vec![[0.0; 3]; 3];
    let mut ws = vec![0.0; 4 * Net::BATCH_WORKSPACE];
    assert_eq!(
        net.forward_batch(&xs, &mut ys, &mut ws),
        Err(BatchError::Length {
            expected: 4,
            found: 3
        })
    );
    let mut ys = vec![[0.0; 3]; 4];
    let mut short = vec![0.0; 4 * Net::BATCH_WORKSPACE - 1];
    assert_eq!(
        net.forward_batch(&xs, &mut ys, &mut short),
        Err(BatchError::Workspace {
            needed: 4 * Net::BATCH_WORKSPACE,
            found: 4 * Net::BATCH_WORKSPACE - 1
        })
    );
    let mut g = Net::zeroed();
    let ts = vec![[0.0; 3]; 5];
    let err = accumulate_batch(&net, &mut g, &Mse::new(), &xs, &ts, &mut ws).unwrap_err();
    assert_eq!(
        err,
        BatchError::Length {
            expected: 4,
            found: 5
        }
    );
    assert_eq!(err.to_string(), "batch of 4 samples, but a slice of 5");
    assert_eq!(bits(&g), bits(&Net::zeroed()), "nothing was accumulated");
}

#[test]
fn a_batch_step_is_a_step_on_the_summed_gradients() {
    type Xor = (Dense<2, 4>, Sigmoid<4>, Dense<4, 1>, Sigmoid<1>); // f32
    let net0: Xor = Layer::initialized(Init::XavierUniform, &mut SplitMix64::new(7));
    let xs = [[0., 0.], [0., 1.], [1., 0.], [1., 1.]];
    let ts = [[0.], [1.], [1.], [0.]];
    let (mut a, mut b) = (net0, net0);
    let (mut ga, mut gb) = (Xor::zeroed(), Xor::zeroed());
    let mut ws = [0.0f32; batch::workspace_len::<Xor>(4)];
    train_step_batch(
        &mut a,
        &mut ga,
        &Mse::new(),
        &mut Sgd::new(0.5).unwrap(),
        &xs,
        &ts,
        &mut ws,
    )
    .unwrap();
    // by hand: accumulate every sample, one step
    gb.zero_params();
    for (x, t) in xs.iter().zip(&ts) {
        accumulate(&b, &mut gb, &Mse::new(), x, t);
    }
    typenet::Optimizer::step(&mut Sgd::new(0.5).unwrap(), &mut b, &gb);
    assert_eq!(a, b);
    // and a batch of one is a per-sample step
    let (mut c, mut d) = (net0, net0);
    let mut ws1 = [0.0f32; batch::workspace_len::<Xor>(1)];
    train_step_batch(
        &mut c,
        &mut ga,
        &Mse::new(),
        &mut Sgd::new(0.5).unwrap(),
        &xs[1..2],
        &ts[1..2],
        &mut ws1,
    )
    .unwrap();
    train_step(
        &mut d,
        &mut gb,
        &Mse::new(),
        &mut Sgd::new(0.5).unwrap(),
        &xs[1],
        &ts[1],
    );
    assert_eq!(c, d);
}

mod derived {
    use super::*;
    use typenet::{Network, Vector};

    /// The same maths as `Net`, as a struct; one field is itself a tuple network.
    #[derive(Network, Clone)]
    struct Derived {
        first: Dense<37, 20, f64>,
        squash: Tanh<20, f64>,
        middle: (Dense<20, 9, f64>, Relu<9, f64>),
        last: Dense<9, 3, f64>,
        decide: Sigmoid<3, f64>,
    }

    fn pair(seed: u64) -> (Net, Derived) {
        let tuple: Net = Layer::initialized(Init::Uniform, &mut SplitMix64::new(seed));
        let derived: Derived = Layer::initialized(Init::Uniform, &mut SplitMix64::new(seed));
        (tuple, derived)
    }

    fn param_bits<N: Layer<Scalar = f64>>(n: &N) -> Vec<u64> {
        bits(n)
    }

    #[test]
    fn a_derived_network_batches_like_the_tuple_and_like_single_samples() {
        let (tuple, derived) = pair(21);
        assert_eq!(param_bits(&tuple), param_bits(&derived));
        let mut rng = 4;
        let xs: Vec<[f64; 37]> = data(&mut rng, 7);
        let ts: Vec<[f64; 3]> = data(&mut rng, 7);
        let loss = Mse::<3, f64>::new();
        let len = batch::workspace_len::<Derived>(7).max(batch::workspace_len::<Net>(7));
        let mut ws = vec![0.0; len];

        let (mut g_tuple, mut g_derived, mut g_single) =
            (Net::zeroed(), Derived::zeroed(), Derived::zeroed());
        let e1 = accumulate_batch(&tuple, &mut g_tuple, &loss, &xs, &ts, &mut ws).unwrap();
        let e2 = accumulate_batch(&derived, &mut g_derived, &loss, &xs, &ts, &mut ws).unwrap();
        let mut e3 = 0.0;
        for (x, t) in xs.iter().zip(&ts) {
            e3 += accumulate(&derived, &mut g_single, &loss, x, t);
        }
        assert_eq!(param_bits(&g_derived), param_bits(&g_tuple));
        assert_eq!(param_bits(&g_derived), param_bits(&g_single));
        assert_eq!((e1.to_bits(), e2.to_bits()), (e3.to_bits(), e3.to_bits()));

        // input gradients and outputs too
        let mut ys = vec![[0.0; 3]; 7];
        derived.forward_batch(&xs, &mut ys, &mut ws).unwrap();
        let mut dxs = vec![[0.0; 37]; 7];
        let mut g = Derived::zeroed();
        derived
            .backward_batch(&xs, &ys, &ts, Some(&mut dxs), &mut g, &mut ws)
            .unwrap();
        for ((x, y), (t, dx)) in xs.iter().zip(&ys).zip(ts.iter().zip(&dxs)) {
            assert_eq!(infer(&derived, x).map(f64::to_bits), y.map(f64::to_bits));
            let (_, cache) = derived.forward_train(x);
            let dx_ref = derived.backward(&cache, t, &mut Derived::zeroed());
            assert_eq!(dx_ref.map(f64::to_bits), dx.map(f64::to_bits));
        }
        assert_eq!(<[f64; 3] as Vector<f64>>::LEN, 3);
    }

    #[test]
    fn backward_params_adds_what_backward_adds() {
        let (_, derived) = pair(3);
        let x = [0.3; 37];
        let (y, cache) = derived.forward_train(&x);
        let (mut a, mut b) = (Derived::zeroed(), Derived::zeroed());
        let _ = derived.backward(&cache, &y, &mut a);
        derived.backward_with::<mode::AccumulateParams>(&cache, &y, &mut b);
        assert_eq!(param_bits(&a), param_bits(&b));
        assert_ne!(param_bits(&a), param_bits(&Derived::zeroed()));
    }

    #[test]
    fn a_one_layer_derived_network_batches() {
        #[derive(Network)]
        struct One {
            only: Dense<300, 2, f64>,
        }
        let net: One = Layer::initialized(Init::Uniform, &mut SplitMix64::new(1));
        let mut rng = 2;
        let xs: Vec<[f64; 300]> = data(&mut rng, 5);
        let mut ys = vec![[0.0; 2]; 5];
        let mut ws = vec![0.0; 5 * One::BATCH_WORKSPACE];
        net.forward_batch(&xs, &mut ys, &mut ws).unwrap();
        for (x, y) in xs.iter().zip(&ys) {
            assert_eq!(infer(&net, x).map(f64::to_bits), y.map(f64::to_bits));
        }
    }
}
