//! The convolutional layers as layers: forward against a naive loop written here, backward
//! against central finite differences (f32 and f64, a fixed set of sizes, strides and
//! paddings, many seeds), batched against per-sample bit for bit, shapes at TinyML scale,
//! byte images. The kernels' own tests (and NumPy goldens) are in `src/conv/tests`; the
//! JAX goldens are in `tests/conv_jax.rs`.

#![allow(clippy::float_cmp)] // bit-identity is the point where exact comparisons appear
#![allow(clippy::needless_range_loop, clippy::cast_possible_wrap)] // the naive loop reads as the formula

use typenet::{
    AvgPool2d, Conv1d, Conv2d, Dense, Flatten, Flatten1d, GlobalAvgPool2d, Init, Layer, MaxPool2d,
    Mse, Parallel, PerPixel, Relu, Relu6, Residual, Same, Scalar, SplitMix64, Tanh, Train, Valid,
    Vector, batch, check_gradients, conv1d, conv2d, depthwise2d, flatten, out_size, pool2d,
};

const SEEDS: u64 = 6;

/// A vector's scalars (arrays' own `as_slice` would give their rows).
fn flat<T: Scalar, V: Vector<T>>(v: &V) -> &[T] {
    v.as_slice()
}

fn bits<T: Scalar>(v: &[T]) -> Vec<u64> {
    v.iter().map(|&e| Scalar::to_f64(e).to_bits()).collect()
}

fn random_vec<V: Vector<T>, T: Scalar>(rng: &mut SplitMix64, lo: f64, hi: f64) -> V {
    let mut v = V::zeros();
    for e in v.as_mut_slice() {
        *e = T::from_f64(lo + (hi - lo) * typenet::init::unit_f64(rng));
    }
    v
}

/// The worst scaled finite-difference error of `N` under Mse, over several seeds.
fn worst_error<N, const O: usize>(eps: f64, lo: f64, hi: f64) -> f64
where
    N: Train<Output = [<N as Layer>::Scalar; O]>,
{
    worst_error_spread::<N, O>(eps, lo, hi, false)
}

/// [`worst_error`]; with `spread`, the input's values are evenly spaced over `[lo, hi]`
/// in a random order, so that no two are within `2·eps` (max pooling's kinks are ties).
fn worst_error_spread<N, const O: usize>(eps: f64, lo: f64, hi: f64, spread: bool) -> f64
where
    N: Train<Output = [<N as Layer>::Scalar; O]>,
{
    let mut worst = 0.0f64;
    for seed in 0..SEEDS {
        let mut rng = SplitMix64::new(seed * 7919 + 11);
        let mut net = N::initialized(Init::Uniform, &mut rng);
        let mut x: N::Input = random_vec(&mut rng, lo, hi);
        if spread {
            let v = x.as_mut_slice();
            let n = v.len();
            let mut order: Vec<usize> = (0..n).collect();
            typenet::shuffle(&mut order, &mut rng);
            for (e, &k) in v.iter_mut().zip(&order) {
                *e = N::Scalar::from_f64(lo + (hi - lo) * k as f64 / n as f64);
            }
        }
        let t: [N::Scalar; O] = random_vec(&mut rng, -1.0, 1.0);
        let report = check_gradients(
            &mut net,
            &Mse::<O, N::Scalar>::new(),
            &x,
            &t,
            N::Scalar::from_f64(eps),
        );
        assert_eq!(
            report.checked,
            N::PARAM_COUNT + <N::Input as Vector<N::Scalar>>::LEN
        );
        worst = worst.max(report.max_error().to_f64());
    }
    worst
}

const F64_EPS: f64 = 1e-6;
const F64_TOL: f64 = 1e-7;
const F32_EPS: f64 = 1e-2;
const F32_TOL: f64 = 5e-3;

/// Checks a conv → flatten network (and a conv → pool → flatten one) at one setting of
/// input size `H×W×C`, `O` filters of `KH×KW`, stride `SH×SW`, padding `$pad`.
macro_rules! conv_case {
    ($h:literal, $w:literal, $c:literal, $o:literal, $kh:literal, $kw:literal, $sh:literal, $sw:literal, $pad:ident) => {{
        const OH: usize = out_size::<$pad>($h, $kh, $sh);
        const OW: usize = out_size::<$pad>($w, $kw, $sw);
        type Net<T> = (
            conv2d!([$h, $w, $c] -> $o, kernel [$kh, $kw], stride [$sh, $sw], $pad, T),
            flatten!([OH, OW, $o], T),
        );
        let e64 = worst_error::<Net<f64>, { OH * OW * $o }>(F64_EPS, -2.0, 2.0);
        let e32 = worst_error::<Net<f32>, { OH * OW * $o }>(F32_EPS, -2.0, 2.0);
        eprintln!(
            "Conv2d {}×{}×{} → {OH}×{OW}×{}, {}×{} stride {}×{} {}: f64 {e64:.1e}, f32 {e32:.1e}",
            $h, $w, $c, $o, $kh, $kw, $sh, $sw, stringify!($pad)
        );
        assert!(e64 < F64_TOL, "f64 {e64:e}");
        assert!(e32 < F32_TOL, "f32 {e32:e}");
        // the same windows as pools (max pooling's kinks are measure-zero for random inputs)
        type Pools<T> = (
            pool2d!(AvgPool2d [$h, $w, $c], window [$kh, $kw], stride [$sh, $sw], $pad, T),
            flatten!([OH, OW, $c], T),
        );
        type MaxPools<T> = (
            pool2d!(MaxPool2d [$h, $w, $c], window [$kh, $kw], stride [$sh, $sw], $pad, T),
            flatten!([OH, OW, $c], T),
        );
        let a64 = worst_error::<Pools<f64>, { OH * OW * $c }>(F64_EPS, -2.0, 2.0);
        let a32 = worst_error::<Pools<f32>, { OH * OW * $c }>(F32_EPS, -2.0, 2.0);
        let m64 = worst_error::<MaxPools<f64>, { OH * OW * $c }>(F64_EPS, -2.0, 2.0);
        let m32 = worst_error_spread::<MaxPools<f32>, { OH * OW * $c }>(F32_EPS / 4.0, -2.0, 2.0, true);
        assert!(a64 < F64_TOL && a32 < F32_TOL, "avg pool: {a64:e} {a32:e}");
        assert!(m64 < F64_TOL && m32 < F32_TOL, "max pool: {m64:e} {m32:e}");
    }};
}

#[test]
fn conv_and_pool_gradients_match_finite_differences() {
    conv_case!(5, 5, 2, 3, 3, 3, 1, 1, Same);
    conv_case!(7, 6, 1, 2, 3, 2, 2, 1, Valid);
    conv_case!(6, 6, 3, 2, 2, 2, 2, 2, Same);
    conv_case!(8, 5, 2, 2, 4, 3, 3, 2, Same);
    conv_case!(4, 7, 1, 1, 1, 3, 1, 3, Valid);
    conv_case!(9, 9, 1, 2, 5, 5, 3, 3, Same);
    conv_case!(5, 4, 2, 2, 2, 3, 3, 1, Valid); // stride larger than the kernel
}

#[test]
fn networks_of_conv_layers_match_finite_differences() {
    // conv, tanh per pixel, 1×1 conv as a per-pixel dense, average pool, global pool, dense
    type Net<T> = (
        Conv2d<6, 6, 2, 3, 3, 3, 1, 1, Same, 6, 6, T>,
        PerPixel<Tanh<3, T>, 6, 6>,
        PerPixel<Dense<3, 4, T>, 6, 6>,
        AvgPool2d<6, 6, 4, 2, 2, 2, 2, Valid, 3, 3, T>,
        Residual<(PerPixel<Dense<4, 4, T>, 3, 3>, PerPixel<Tanh<4, T>, 3, 3>)>,
        GlobalAvgPool2d<3, 3, 4, T>,
        Dense<4, 2, T>,
    );
    let e64 = worst_error::<Net<f64>, 2>(F64_EPS, -2.0, 2.0);
    let e32 = worst_error::<Net<f32>, 2>(F32_EPS, -2.0, 2.0);
    eprintln!("smooth CNN: f64 {e64:.1e}, f32 {e32:.1e}");
    assert!(e64 < F64_TOL, "{e64:e}");
    assert!(e32 < F32_TOL, "{e32:e}");
    // ReLU6 away from its corners, in (0.1, 5.9): the per-pixel activation alone
    type R6<T> = (PerPixel<Relu6<3, T>, 2, 2>, Flatten<2, 2, 3, 12, T>);
    let e = worst_error::<R6<f64>, 12>(F64_EPS, 0.1, 5.9);
    assert!(e < F64_TOL, "{e:e}");
    let e = worst_error::<R6<f32>, 12>(F32_EPS, 0.1, 5.9);
    assert!(e < F32_TOL, "{e:e}");
}

#[test]
fn relu6_clamps_and_passes_gradients_only_inside() {
    let r = Relu6::<5, f64>::new();
    let x = [-1.0, 0.0, 3.0, 6.0, 9.0];
    assert_eq!(r.forward(&x), [0.0, 0.0, 3.0, 6.0, 6.0]);
    let (_, cache) = r.forward_train(&x);
    let dx = r.backward(&cache, &[1.0; 5], &mut Relu6::new());
    assert_eq!(dx, [0.0, 0.0, 1.0, 0.0, 0.0]);
}

/// The convolution written out once more, from the formula: zero-padded input, loops.
fn naive_conv<const H: usize, const W: usize, const C: usize, const O: usize, const K: usize>(
    x: &[[[f64; C]; W]; H],
    w: &[[[[f64; C]; K]; K]; O],
    b: &[f64; O],
    stride: usize,
    same: bool,
) -> Vec<f64> {
    let (oh, ow) = if same {
        (H.div_ceil(stride), W.div_ceil(stride))
    } else {
        ((H - K) / stride + 1, (W - K) / stride + 1)
    };
    let pad = |n: usize, o: usize| {
        if same {
            ((o - 1) * stride + K).saturating_sub(n) / 2
        } else {
            0
        }
    };
    let (pt, pl) = (pad(H, oh), pad(W, ow));
    let mut y = Vec::new();
    for oy in 0..oh {
        for ox in 0..ow {
            for o in 0..O {
                let mut acc = b[o];
                for ky in 0..K {
                    for kx in 0..K {
                        let iy = (oy * stride + ky) as isize - pt as isize;
                        let ix = (ox * stride + kx) as isize - pl as isize;
                        if iy < 0 || ix < 0 || iy >= H as isize || ix >= W as isize {
                            continue;
                        }
                        for c in 0..C {
                            acc += x[iy as usize][ix as usize][c] * w[o][ky][kx][c];
                        }
                    }
                }
                y.push(acc);
            }
        }
    }
    y
}

#[test]
fn conv2d_layer_forward_matches_the_formula() {
    let mut rng = SplitMix64::new(5);
    let same: Conv2d<7, 6, 2, 3, 3, 3, 2, 2, Same, 4, 3, f64> =
        Layer::initialized(Init::Uniform, &mut rng);
    let x: [[[f64; 2]; 6]; 7] = random_vec(&mut rng, -1.0, 1.0);
    let y = same.forward(&x);
    let want = naive_conv(&x, &same.weights, &same.bias, 2, true);
    for (a, b) in flat(&y).iter().zip(&want) {
        assert!((a - b).abs() < 1e-12, "{a} {b}");
    }
    let valid = Conv2d::<7, 6, 2, 3, 3, 3, 2, 2, Valid, 3, 2, f64>::new(same.weights, same.bias);
    let y = valid.forward(&x);
    let want = naive_conv(&x, &valid.weights, &valid.bias, 2, false);
    assert_eq!(want.len(), 3 * 2 * 3);
    for (a, b) in flat(&y).iter().zip(&want) {
        assert!((a - b).abs() < 1e-12, "{a} {b}");
    }
}

/// A small CNN, as the digits example has it.
type Cnn<T> = (
    Conv2d<8, 8, 1, 6, 3, 3, 1, 1, Same, 8, 8, T>,
    PerPixel<Relu<6, T>, 8, 8>,
    MaxPool2d<8, 8, 6, 2, 2, 2, 2, Valid, 4, 4, T>,
    Conv2d<4, 4, 6, 5, 3, 3, 1, 1, Same, 4, 4, T>,
    PerPixel<Relu6<5, T>, 4, 4>,
    Residual<PerPixel<Dense<5, 5, T>, 4, 4>>,
    AvgPool2d<4, 4, 5, 2, 2, 1, 1, Same, 4, 4, T>,
    Flatten<4, 4, 5, 80, T>,
    Dense<80, 10, T>,
);

fn batch_matches_per_sample<T: Scalar>() {
    let mut rng = SplitMix64::new(9);
    let net: Cnn<T> = Layer::initialized(Init::HeUniform, &mut rng);
    const B: usize = 5;
    let xs: Vec<[[[T; 1]; 8]; 8]> = (0..B).map(|_| random_vec(&mut rng, -1.0, 1.0)).collect();
    let gys: Vec<[T; 10]> = (0..B).map(|_| random_vec(&mut rng, -1.0, 1.0)).collect();
    let mut ws = vec![T::zero(); batch::workspace_len::<Cnn<T>>(B)];
    let mut ys = vec![[T::zero(); 10]; B];
    net.forward_batch(&xs, &mut ys, &mut ws).unwrap();
    let mut grads = Cnn::<T>::zeroed();
    let mut dxs = vec![[[[T::zero(); 1]; 8]; 8]; B];
    net.backward_batch(&xs, &ys, &gys, Some(&mut dxs), &mut grads, &mut ws)
        .unwrap();
    let mut grads1 = Cnn::<T>::zeroed();
    for b in 0..B {
        let (y, cache) = net.forward_train(&xs[b]);
        assert_eq!(y, net.forward(&xs[b]));
        assert_eq!(bits(&y), bits(&ys[b]), "forward, sample {b}");
        let dx = net.backward(&cache, &gys[b], &mut grads1);
        assert_eq!(bits(flat(&dx)), bits(flat(&dxs[b])), "∂E/∂x, sample {b}");
    }
    let mut all = Vec::new();
    grads.visit_params(&mut |p| all.extend(bits(p)));
    let mut one = Vec::new();
    grads1.visit_params(&mut |p| one.extend(bits(p)));
    assert_eq!(all, one, "parameter gradients");
    assert!(all.iter().any(|&b| b != 0));
}

#[test]
fn batched_cnn_is_bit_identical_to_per_sample() {
    batch_matches_per_sample::<f32>();
    batch_matches_per_sample::<f64>();
}

#[test]
fn cnn_byte_image_round_trips() {
    use typenet::weights::ByteImage as _;
    let net: Cnn<f32> = Layer::initialized(Init::HeUniform, &mut SplitMix64::new(1));
    let bytes = net.to_bytes();
    let mut back = Cnn::<f32>::zeroed();
    back.load_bytes(&bytes).unwrap();
    assert_eq!(back, net);
    // another padding with another output size is another shape
    type Other = (
        Conv2d<8, 8, 1, 6, 3, 3, 1, 1, Valid, 6, 6>,
        Flatten<6, 6, 6, 216>,
    );
    assert_ne!(
        <Other as Layer>::FINGERPRINT,
        <(
            Conv2d<8, 8, 1, 6, 3, 3, 1, 1, Same, 8, 8>,
            Flatten<8, 8, 6, 384>
        ) as Layer>::FINGERPRINT
    );
}

/// TinyML sizes: a 96×96×3 input, and a 4000-wide flatten into a dense layer.
#[test]
fn tinyml_sizes_compile_and_run() {
    type Vision = (
        conv2d!([96, 96, 3] -> 8, kernel [3, 3], stride [2, 2], Same),
        PerPixel<Relu6<8>, 48, 48>,
        pool2d!(MaxPool2d [48, 48, 8], window [2, 2], stride [2, 2], Valid),
        GlobalAvgPool2d<24, 24, 8>,
        Dense<8, 2>,
    );
    type Wide = (
        conv2d!([50, 40, 3] -> 8, kernel [3, 3], stride [2, 2], Same),
        flatten!([25, 20, 8]),
        Dense<4000, 4>,
    );
    std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(|| {
            let mut rng = SplitMix64::new(2);
            let v: Box<Vision> = Box::new(Layer::initialized(Init::HeUniform, &mut rng));
            let x: Box<[[[f32; 3]; 96]; 96]> = Box::new(random_vec(&mut rng, 0.0, 1.0));
            let y = v.forward(&x);
            assert!(y.iter().all(|e| e.is_finite()));
            assert_eq!(<Vision as Layer>::PARAM_COUNT, 8 * 27 + 8 + 8 * 2 + 2);
            let w: Box<Wide> = Box::new(Layer::initialized(Init::HeUniform, &mut rng));
            let x: Box<[[[f32; 3]; 40]; 50]> = Box::new(random_vec(&mut rng, 0.0, 1.0));
            let (y, cache) = w.forward_train(&x);
            let mut g = Box::new(Wide::zeroed());
            let dx = w.backward(&cache, &y, &mut g);
            assert!(flat(&dx).iter().any(|&e| e != 0.0));
            assert_eq!(<Wide as Layer>::PARAM_COUNT, 8 * 27 + 8 + 4000 * 4 + 4);
        })
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn debug_shows_shapes() {
    assert_eq!(
        format!(
            "{:?}",
            Conv2d::<28, 28, 1, 8, 3, 3, 2, 2, Same, 14, 14>::default()
        ),
        "Conv2d<28×28×1 → 14×14×8, 3×3 stride 2×2 SAME>"
    );
    assert_eq!(
        format!("{:?}", MaxPool2d::<8, 8, 6, 2, 2, 2, 2, Valid, 4, 4>::new()),
        "MaxPool2d<8×8×6 → 4×4×6, 2×2 stride 2×2 VALID>"
    );
    assert_eq!(
        format!("{:?}", Flatten::<25, 20, 8, 4000>::new()),
        "Flatten<25×20×8 → 4000>"
    );
}

/// Depthwise and 1-D convolutions at one setting each, f32 and f64.
macro_rules! depthwise_case {
    ($h:literal, $w:literal, $c:literal, $m:literal, $kh:literal, $kw:literal, $sh:literal, $sw:literal, $pad:ident) => {{
        const OH: usize = out_size::<$pad>($h, $kh, $sh);
        const OW: usize = out_size::<$pad>($w, $kw, $sw);
        type Net<T> = (
        depthwise2d!([$h, $w, $c] * $m, kernel [$kh, $kw], stride [$sh, $sw], $pad, T),
            flatten!([OH, OW, $c * $m], T),
        );
        let e64 = worst_error::<Net<f64>, { OH * OW * $c * $m }>(F64_EPS, -2.0, 2.0);
        let e32 = worst_error::<Net<f32>, { OH * OW * $c * $m }>(F32_EPS, -2.0, 2.0);
        assert!(
            e64 < F64_TOL && e32 < F32_TOL,
            "depthwise: f64 {e64:e}, f32 {e32:e}"
        );
    }};
}

macro_rules! conv1d_case {
    ($l:literal, $c:literal, $o:literal, $k:literal, $s:literal, $pad:ident) => {{
        const OL: usize = out_size::<$pad>($l, $k, $s);
        type Net<T> = (
        conv1d!([$l, $c] -> $o, kernel $k, stride $s, $pad, T),
            Conv1d<OL, $o, 2, 1, 1, Valid, OL, T>,
            Flatten1d<OL, 2, { OL * 2 }, T>,
        );
        let e64 = worst_error::<Net<f64>, { OL * 2 }>(F64_EPS, -2.0, 2.0);
        let e32 = worst_error::<Net<f32>, { OL * 2 }>(F32_EPS, -2.0, 2.0);
        assert!(
            e64 < F64_TOL && e32 < F32_TOL,
            "conv1d: f64 {e64:e}, f32 {e32:e}"
        );
    }};
}

#[test]
fn depthwise_and_conv1d_gradients_match_finite_differences() {
    depthwise_case!(5, 5, 2, 1, 3, 3, 1, 1, Same);
    depthwise_case!(6, 7, 3, 2, 3, 3, 2, 2, Same);
    depthwise_case!(7, 7, 2, 3, 2, 2, 3, 3, Valid);
    depthwise_case!(8, 5, 1, 2, 4, 3, 2, 1, Same);
    conv1d_case!(10, 2, 3, 3, 2, Same);
    conv1d_case!(11, 1, 2, 4, 2, Valid);
    conv1d_case!(7, 3, 2, 5, 3, Same);
}

#[test]
fn conv1d_is_a_one_row_conv2d_bit_for_bit() {
    let mut rng = SplitMix64::new(4);
    let c1: Conv1d<13, 3, 4, 5, 2, Same, 7> = Layer::initialized(Init::HeUniform, &mut rng);
    let c2 = Conv2d::<1, 13, 3, 4, 1, 5, 1, 2, Same, 1, 7>::new(c1.weights.map(|w| [w]), c1.bias);
    let x: [[f32; 3]; 13] = random_vec(&mut rng, -1.0, 1.0);
    assert_eq!(bits(flat(&c1.forward(&x))), bits(flat(&c2.forward(&[x]))));
}

/// Keyword spotting's DS-CNN block at its real size: 49×10×1 → Conv2d 10×4 stride 2 →
/// 25×5×64 → depthwise 3×3 → pointwise 1×1 (a per-pixel dense) → global pool → 12 words.
#[test]
fn a_ds_cnn_block_at_full_size_trains_per_sample_and_batched_alike() {
    type DsCnn = (
        conv2d!([49, 10, 1] -> 64, kernel [10, 4], stride [2, 2], Same),
        PerPixel<Relu<64>, 25, 5>,
        depthwise2d!([25, 5, 64] * 1, kernel [3, 3], stride [1, 1], Same),
        PerPixel<Relu<64>, 25, 5>,
        PerPixel<Dense<64, 64>, 25, 5>,
        PerPixel<Relu<64>, 25, 5>,
        GlobalAvgPool2d<25, 5, 64>,
        Dense<64, 12>,
    );
    std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(|| {
            let mut rng = SplitMix64::new(3);
            let net: Box<DsCnn> = Box::new(Layer::initialized(Init::HeUniform, &mut rng));
            let xs: Vec<[[[f32; 1]; 10]; 49]> =
                (0..2).map(|_| random_vec(&mut rng, -1.0, 1.0)).collect();
            let gys: Vec<[f32; 12]> = (0..2).map(|_| random_vec(&mut rng, -1.0, 1.0)).collect();
            let mut ws = vec![0.0f32; batch::workspace_len::<DsCnn>(2)];
            let mut ys = vec![[0.0f32; 12]; 2];
            net.forward_batch(&xs, &mut ys, &mut ws).unwrap();
            let mut grads = Box::new(DsCnn::zeroed());
            net.backward_batch(&xs, &ys, &gys, None, &mut grads, &mut ws)
                .unwrap();
            let mut one = Box::new(DsCnn::zeroed());
            for ((x, gy), y_batched) in xs.iter().zip(&gys).zip(&ys) {
                let (y, cache) = net.forward_train(x);
                assert_eq!(bits(&y), bits(y_batched));
                net.backward(&cache, gy, &mut one);
            }
            let (mut a, mut b) = (Vec::new(), Vec::new());
            grads.visit_params(&mut |p| a.extend(bits(p)));
            one.visit_params(&mut |p| b.extend(bits(p)));
            assert_eq!(a, b);
            assert_eq!(
                <DsCnn as Layer>::PARAM_COUNT,
                (10 * 4 + 1) * 64 + (9 + 1) * 64 + (64 + 1) * 64 + (64 + 1) * 12
            );
        })
        .unwrap()
        .join()
        .unwrap();
}

/// ResNet's block with a projection shortcut: the main branch halves the image and doubles
/// the channels, the shortcut is a 1×1 stride-2 convolution.
#[test]
fn a_projection_shortcut_block_matches_finite_differences() {
    type Block<T> = (
        Parallel<
            (
                Conv2d<6, 6, 2, 4, 3, 3, 2, 2, Same, 3, 3, T>,
                PerPixel<Tanh<4, T>, 3, 3>,
                Conv2d<3, 3, 4, 4, 3, 3, 1, 1, Same, 3, 3, T>,
            ),
            Conv2d<6, 6, 2, 4, 1, 1, 2, 2, Same, 3, 3, T>,
        >,
        PerPixel<Tanh<4, T>, 3, 3>,
        Flatten<3, 3, 4, 36, T>,
    );
    let e64 = worst_error::<Block<f64>, 36>(F64_EPS, -2.0, 2.0);
    let e32 = worst_error::<Block<f32>, 36>(F32_EPS, -2.0, 2.0);
    assert!(e64 < F64_TOL && e32 < F32_TOL, "f64 {e64:e}, f32 {e32:e}");
    // the sum, by hand
    let mut rng = SplitMix64::new(8);
    let p: Parallel<
        Conv2d<4, 4, 1, 2, 3, 3, 2, 2, Same, 2, 2, f64>,
        Conv2d<4, 4, 1, 2, 1, 1, 2, 2, Same, 2, 2, f64>,
    > = Layer::initialized(Init::HeUniform, &mut rng);
    let x: [[[f64; 1]; 4]; 4] = random_vec(&mut rng, -1.0, 1.0);
    let (a, b) = (p.a.forward(&x), p.b.forward(&x));
    let y = p.forward(&x);
    for ((s, u), v) in flat(&y).iter().zip(flat(&a)).zip(flat(&b)) {
        assert_eq!(*s, u + v);
    }
}

#[test]
fn a_summary_shows_image_shapes() {
    type Net = (
        Conv2d<8, 8, 1, 4, 3, 3, 1, 1, Same, 8, 8>,
        MaxPool2d<8, 8, 4, 2, 2, 2, 2, Valid, 4, 4>,
        Flatten<4, 4, 4, 64>,
        Dense<64, 10>,
    );
    let text = typenet::summary::Summary::of(&Net::zeroed()).to_string();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].ends_with(": [f32; 8×8×1] → [f32; 10]"), "{text}");
    assert_eq!(
        lines[2],
        "0: Conv2d<8, 8, 1, 4, 3, 3, 1, 1, Same, 8, 8>    8×8×4          40    160"
    );
    assert!(lines[3].ends_with(">   4×4×4           0      0"), "{text}");
    assert!(
        lines[4].ends_with(">                             64           0      0"),
        "{text}"
    );
}

/// One layer's batched path against its per-sample path, bit for bit: `forward_batch`
/// against `forward`, `backward_batch` with and without `∂E/∂x` against `backward`
/// sample after sample (gradients added onto the same non-zero start), batch sizes
/// around the kernels' blocks of four.
fn layer_batch_matches_per_sample<N: Train + Clone>(seed: u64)
where
    N::Input: core::fmt::Debug,
{
    for n in [1usize, 2, 4, 7, 9] {
        let mut rng = SplitMix64::new(seed * 100 + n as u64);
        let net: N = Layer::initialized(Init::HeUniform, &mut rng);
        let start: N = Layer::initialized(Init::Uniform, &mut rng);
        let xs: Vec<N::Input> = (0..n).map(|_| random_vec(&mut rng, -1.0, 1.0)).collect();
        let gys: Vec<N::Output> = (0..n).map(|_| random_vec(&mut rng, -1.0, 1.0)).collect();
        let mut ws = vec![N::Scalar::from_f64(0.0); n * N::BATCH_WORKSPACE];
        let mut ys = vec![N::Output::zeros(); n];
        net.forward_batch(&xs, &mut ys, &mut ws).unwrap();
        let mut one = start.clone();
        let mut dxs_one = Vec::new();
        for (b, (x, gy)) in xs.iter().zip(&gys).enumerate() {
            let (y, cache) = net.forward_train(x);
            assert_eq!(
                bits(flat(&y)),
                bits(flat(&ys[b])),
                "forward, n={n} sample {b}"
            );
            assert_eq!(bits(flat(&net.forward(x))), bits(flat(&y)));
            dxs_one.push(net.backward(&cache, gy, &mut one));
        }
        let params = |g: &N| {
            let mut all = Vec::new();
            g.visit_params(&mut |p| all.extend(bits(p)));
            all
        };
        for with_dx in [true, false] {
            let mut grads = start.clone();
            let mut dxs = vec![N::Input::zeros(); n];
            let dx_arg = if with_dx { Some(&mut dxs[..]) } else { None };
            net.backward_batch(&xs, &ys, &gys, dx_arg, &mut grads, &mut ws)
                .unwrap();
            assert_eq!(params(&grads), params(&one), "parameter gradients, n={n}");
            if with_dx {
                for (b, (got, want)) in dxs.iter().zip(&dxs_one).enumerate() {
                    assert_eq!(bits(flat(got)), bits(flat(want)), "∂E/∂x, n={n} sample {b}");
                }
            }
        }
    }
}

macro_rules! batch_cases {
    ($($layer:ident [$h:literal, $w:literal, $c:literal] $o:tt, kernel [$kh:literal, $kw:literal], stride [$sh:literal, $sw:literal], $pad:ident;)+) => {$(
        layer_batch_matches_per_sample::<batch_cases!(@ty $layer [$h, $w, $c] $o, [$kh, $kw], [$sh, $sw], $pad, f32)>($h * 7 + $c);
        layer_batch_matches_per_sample::<batch_cases!(@ty $layer [$h, $w, $c] $o, [$kh, $kw], [$sh, $sw], $pad, f64)>($h * 7 + $c);
    )+};
    (@ty conv [$h:literal, $w:literal, $c:literal] $o:tt, [$kh:literal, $kw:literal], [$sh:literal, $sw:literal], $pad:ident, $t:ty) => {
        conv2d!([$h, $w, $c] -> $o, kernel [$kh, $kw], stride [$sh, $sw], $pad, $t)
    };
    (@ty depthwise [$h:literal, $w:literal, $c:literal] $m:tt, [$kh:literal, $kw:literal], [$sh:literal, $sw:literal], $pad:ident, $t:ty) => {
        depthwise2d!([$h, $w, $c] * $m, kernel [$kh, $kw], stride [$sh, $sw], $pad, $t)
    };
}

/// Conv2d (the lane kernels for fewer than eight channels, the per-sample kernels
/// above), DepthwiseConv2d, a pointwise `PerPixel<Dense>` and `Flatten`: batched = per
/// sample.
#[test]
fn conv_layers_batched_are_bit_identical_to_per_sample() {
    batch_cases! {
        conv [13, 6, 1] 64, kernel [10, 4], stride [2, 2], Same;
        conv [8, 8, 1] 6, kernel [3, 3], stride [1, 1], Same;
        conv [7, 5, 3] 17, kernel [3, 3], stride [2, 1], Same;
        conv [6, 7, 2] 16, kernel [2, 3], stride [3, 2], Valid;
        conv [5, 6, 8] 5, kernel [3, 3], stride [1, 1], Same;
        conv [6, 5, 9] 20, kernel [2, 2], stride [2, 2], Valid;
        conv [5, 5, 4] 3, kernel [1, 1], stride [1, 1], Valid;
        depthwise [7, 6, 5] 1, kernel [3, 3], stride [1, 1], Same;
        depthwise [6, 7, 3] 2, kernel [3, 2], stride [2, 2], Valid;
        depthwise [5, 5, 16] 1, kernel [3, 3], stride [2, 1], Same;
    }
    layer_batch_matches_per_sample::<PerPixel<Dense<64, 64>, 3, 5>>(1);
    layer_batch_matches_per_sample::<PerPixel<Dense<64, 64, f64>, 3, 5>>(2);
    layer_batch_matches_per_sample::<PerPixel<Dense<5, 3>, 4, 2>>(3);
    layer_batch_matches_per_sample::<PerPixel<Relu<6>, 4, 2>>(4);
    layer_batch_matches_per_sample::<PerPixel<(Dense<8, 40>, Relu<40>, Dense<40, 6>), 3, 2>>(5);
    layer_batch_matches_per_sample::<Flatten<3, 4, 5, 60>>(6);
    layer_batch_matches_per_sample::<Flatten<3, 4, 5, 60, f64>>(7);
}
