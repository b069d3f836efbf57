//! The batched methods of a `#[derive(Network)]` struct are the tuple's: a whole batch
//! through one layer after the other, in the same workspace layout, with the same bits —
//! and their gradients agree with finite differences.

use typenet::{
    BatchError, Dense, Init, Layer, Mse, Network, Relu, Scalar, Sgd, Sigmoid, SplitMix64, Tanh,
    Train, accumulate_batch, batch, train_step_batch,
};

/// A struct holding a tuple network and a derived one, with a first layer above the
/// blocked-kernel size.
#[derive(Network)]
struct Encoder<T: Scalar> {
    dense: Dense<37, 20, T>,
    squash: Tanh<20, T>,
}

#[derive(Network)]
struct Net<T: Scalar> {
    encoder: Encoder<T>,
    middle: (Dense<20, 9, T>, Relu<9, T>),
    head: Dense<9, 3, T>,
    decide: Sigmoid<3, T>,
}

type Tuple<T> = (
    (Dense<37, 20, T>, Tanh<20, T>),
    (Dense<20, 9, T>, Relu<9, T>),
    Dense<9, 3, T>,
    Sigmoid<3, T>,
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

fn flat_bits<const N: usize>(v: &[[f64; N]]) -> Vec<u64> {
    v.iter().flatten().map(|x| x.to_bits()).collect()
}

fn ws_bits(ws: &[f64]) -> Vec<u64> {
    ws.iter().map(|x| x.to_bits()).collect()
}

#[test]
fn the_workspace_is_laid_out_like_the_tuples() {
    assert_eq!(
        <Net<f64> as Layer>::BATCH_WORKSPACE,
        <Tuple<f64> as Layer>::BATCH_WORKSPACE
    );
    // per sample: each field's output and its gradient, plus the nested networks' own
    // (the per-sample default loop, which derived structs used to have, needs none)
    let fields = 2 * (20 + 9 + 3 + 3);
    let (encoder, middle) = (2 * (20 + 20), 2 * (9 + 9));
    assert_eq!(<Encoder<f32> as Layer>::BATCH_WORKSPACE, encoder);
    assert_eq!(
        <Net<f32> as Layer>::BATCH_WORKSPACE,
        fields + encoder + middle
    );
}

#[test]
fn batched_passes_are_the_tuples_bit_for_bit() {
    for n in [1, 3, 4, 5, 8, 13] {
        let net: Net<f64> = Layer::initialized(Init::Uniform, &mut SplitMix64::new(n as u64));
        let tuple: Tuple<f64> = Layer::initialized(Init::Uniform, &mut SplitMix64::new(n as u64));
        assert_eq!(bits(&net), bits(&tuple));
        let mut rng = 7 + n as u64;
        let xs: Vec<[f64; 37]> = data(&mut rng, n);
        let dys: Vec<[f64; 3]> = data(&mut rng, n);

        // NaN where nothing is written: the two workspaces must still agree bit for bit.
        let len = n * <Net<f64> as Layer>::BATCH_WORKSPACE;
        let (mut ws_net, mut ws_tuple) = (vec![f64::NAN; len], vec![f64::NAN; len]);
        let (mut ys_net, mut ys_tuple) = (vec![[0.0; 3]; n], vec![[0.0; 3]; n]);
        net.forward_batch(&xs, &mut ys_net, &mut ws_net).unwrap();
        tuple
            .forward_batch(&xs, &mut ys_tuple, &mut ws_tuple)
            .unwrap();
        assert_eq!(flat_bits(&ys_net), flat_bits(&ys_tuple), "batch {n}");
        assert_eq!(ws_bits(&ws_net), ws_bits(&ws_tuple), "batch {n}");

        let (mut g_net, mut g_tuple) = (Net::zeroed(), Tuple::zeroed());
        let (mut dx_net, mut dx_tuple) = (vec![[0.0; 37]; n], vec![[0.0; 37]; n]);
        net.backward_batch(
            &xs,
            &ys_net,
            &dys,
            Some(&mut dx_net),
            &mut g_net,
            &mut ws_net,
        )
        .unwrap();
        tuple
            .backward_batch(
                &xs,
                &ys_tuple,
                &dys,
                Some(&mut dx_tuple),
                &mut g_tuple,
                &mut ws_tuple,
            )
            .unwrap();
        assert_eq!(flat_bits(&dx_net), flat_bits(&dx_tuple), "batch {n}");
        assert_eq!(bits(&g_net), bits(&g_tuple), "batch {n}");
        assert_eq!(ws_bits(&ws_net), ws_bits(&ws_tuple), "batch {n}");
        assert!(dx_net.iter().flatten().any(|d| *d != 0.0));

        // without input gradients, the same parameter gradients
        let mut g_params = Net::zeroed();
        net.forward_batch(&xs, &mut ys_net, &mut ws_net).unwrap();
        net.backward_batch(&xs, &ys_net, &dys, None, &mut g_params, &mut ws_net)
            .unwrap();
        assert_eq!(bits(&g_params), bits(&g_tuple), "batch {n}");

        // and every result is the per-sample path's
        let mut g_single = Net::zeroed();
        for ((x, dy), (y, dx)) in xs.iter().zip(&dys).zip(ys_net.iter().zip(&dx_net)) {
            let (y_single, cache) = net.forward_train(x);
            assert_eq!(y_single.map(f64::to_bits), y.map(f64::to_bits));
            let dx_single = net.backward(&cache, dy, &mut g_single);
            assert_eq!(dx_single.map(f64::to_bits), dx.map(f64::to_bits));
        }
        assert_eq!(bits(&g_single), bits(&g_net), "batch {n}");
    }
}

#[test]
fn batch_training_follows_the_tuple_step_for_step() {
    #[derive(Network)]
    struct Xor {
        hidden: Dense<2, 4>,
        squash: Sigmoid<4>,
        output: Dense<4, 1>,
        decide: Sigmoid<1>,
    }
    type XorTuple = (Dense<2, 4>, Sigmoid<4>, Dense<4, 1>, Sigmoid<1>);
    let mut net: Xor = Layer::initialized(Init::XavierUniform, &mut SplitMix64::new(7));
    let mut tuple: XorTuple = Layer::initialized(Init::XavierUniform, &mut SplitMix64::new(7));
    let (mut g_net, mut g_tuple) = (Xor::zeroed(), XorTuple::zeroed());
    let xs = [[0., 0.], [0., 1.], [1., 0.], [1., 1.]];
    let ts = [[0.], [1.], [1.], [0.]];
    let mut ws = [0.0f32; batch::workspace_len::<Xor>(4)];
    let (mut first, mut last) = (None, 0.0);
    for _ in 0..2000 {
        let a = train_step_batch(
            &mut net,
            &mut g_net,
            &Mse::new(),
            &mut Sgd::new(0.5).unwrap(),
            &xs,
            &ts,
            &mut ws,
        )
        .unwrap();
        let b = train_step_batch(
            &mut tuple,
            &mut g_tuple,
            &Mse::new(),
            &mut Sgd::new(0.5).unwrap(),
            &xs,
            &ts,
            &mut ws,
        )
        .unwrap();
        assert_eq!(a.to_bits(), b.to_bits());
        first.get_or_insert(a);
        last = a;
    }
    let mut params = (Vec::new(), Vec::new());
    net.visit_params(&mut |p| params.0.extend_from_slice(p));
    tuple.visit_params(&mut |p| params.1.extend_from_slice(p));
    assert_eq!(params.0, params.1);
    assert!(
        last < first.unwrap() / 4.0,
        "XOR learned: {first:?} → {last}"
    );
}

#[test]
fn batched_gradients_of_a_derived_network_match_finite_differences() {
    let mut net: Net<f64> = Layer::initialized(Init::Uniform, &mut SplitMix64::new(11));
    let mut rng = 17;
    let xs: Vec<[f64; 37]> = data(&mut rng, 5);
    let ts: Vec<[f64; 3]> = data(&mut rng, 5);
    let loss = Mse::<3, f64>::new();
    let mut ws = vec![0.0; batch::workspace_len::<Net<f64>>(5)];
    let mut g = Net::zeroed();
    accumulate_batch(&net, &mut g, &loss, &xs, &ts, &mut ws).unwrap();
    let mut analytic = Vec::new();
    g.visit_params(&mut |p| analytic.extend_from_slice(p));

    let total = |net: &Net<f64>, ws: &mut Vec<f64>| {
        let mut scratch = Net::zeroed();
        accumulate_batch(net, &mut scratch, &loss, &xs, &ts, ws).unwrap()
    };
    let eps = 1e-6;
    let (mut worst, mut checked) = (0.0f64, 0);
    // every 7th parameter: each layer is covered, quick in a debug build
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
        checked += 1;
    }
    assert_eq!(checked, analytic.len().div_ceil(7));
    assert!(worst < 1e-6, "worst scaled error {worst}");
}

#[test]
fn wrong_lengths_and_short_workspaces_are_errors() {
    let net: Net<f64> = Layer::initialized(Init::Uniform, &mut SplitMix64::new(1));
    let per_sample = <Net<f64> as Layer>::BATCH_WORKSPACE;
    let xs = vec![[0.5; 37]; 4];
    let mut ws = vec![0.0; 4 * per_sample];
    let mut ys = vec![[0.0; 3]; 3];
    assert_eq!(
        net.forward_batch(&xs, &mut ys, &mut ws),
        Err(BatchError::Length {
            expected: 4,
            found: 3
        })
    );
    let mut ys = vec![[0.0; 3]; 4];
    let mut short = vec![0.0; 4 * per_sample - 1];
    assert_eq!(
        net.forward_batch(&xs, &mut ys, &mut short),
        Err(BatchError::Workspace {
            needed: 4 * per_sample,
            found: 4 * per_sample - 1
        })
    );
    let mut g = Net::zeroed();
    let mut dxs = vec![[0.0; 37]; 2];
    assert_eq!(
        net.backward_batch(&xs, &ys, &ys, Some(&mut dxs), &mut g, &mut ws),
        Err(BatchError::Length {
            expected: 4,
            found: 2
        })
    );
    assert_eq!(bits(&g), bits(&Net::<f64>::zeroed()), "nothing was added");
}
