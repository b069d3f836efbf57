//! typenet against hand-written loops of the same maths, in one binary, on the workloads
//! of the performance issue:
//!
//! * W1 — AND: `Dense<2,1>` + `Sigmoid<1>` + `Mse<1>`, one SGD step per sample;
//! * W2 — XOR: 2-4-1 sigmoid, one SGD step per sample;
//! * W3 — 784-128-10 sigmoid, one SGD step per sample; W3i — the same, inference only;
//! * W4 — the same, one SGD step on a mini-batch of 64; and a whole epoch of a
//!   digits-shaped 64-32-10 model (1797 synthetic samples, mini-batch 32);
//! * W5i — keyword spotting's DS-CNN block (49×10×1 → 25×5×64: conv, depthwise,
//!   pointwise), inference per sample (`conv.rs`); W5 — the same block, one SGD step on a
//!   mini-batch of 32 (typenet's batched path).
//!
//! A second table times the checked step, `try_train_step`, against `train_step` on W1-W3
//! (same networks, same data, same run): what refusing non-finite data costs.
//!
//! Run with `cargo bench --bench workloads` (set `TYPENET_BENCH_QUICK=1` for a short run,
//! `TYPENET_BENCH_ROWS=W3,W3i,W4` for some rows only; `benches/profiles.sh` runs those rows
//! under several build profiles). Ratios are typenet's time divided by the baseline's,
//! measured in the same run.

mod conv;
mod hand;
mod harness;

use harness::{Case, fmt_ns};
use std::hint::black_box;
use std::time::Duration;
use typenet::{
    Dense, Init, Layer, Mse, Sgd, Sigmoid, SplitMix64, infer, train_step, try_train_step,
};

type And = (Dense<2, 1>, Sigmoid<1>);
type Xor = (Dense<2, 4>, Sigmoid<4>, Dense<4, 1>, Sigmoid<1>);
type Mnist = (Dense<784, 128>, Sigmoid<128>, Dense<128, 10>, Sigmoid<10>);
type Digits = (Dense<64, 32>, Sigmoid<32>, Dense<32, 10>, Sigmoid<10>);

const LR: f32 = 0.01;

/// Deterministic synthetic data in `[0, 1)`.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> f32 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 40) as f32) / (1u64 << 24) as f32
    }
    fn array<const N: usize>(&mut self) -> [f32; N] {
        core::array::from_fn(|_| self.next())
    }
    fn one_hot<const N: usize>(&mut self) -> [f32; N] {
        let k = ((self.next() * N as f32) as usize).min(N - 1);
        core::array::from_fn(|i| if i == k { 1.0 } else { 0.0 })
    }
}

/// Copies a typenet two-layer network into the hand-written layout.
fn to_hand<const I: usize, const H: usize, const O: usize>(
    n: &(Dense<I, H>, Sigmoid<H>, Dense<H, O>, Sigmoid<O>),
) -> Box<hand::Mlp<I, H, O>> {
    let mut m = hand::Mlp::zeroed();
    m.w1 = n.0.weights;
    m.b1 = n.0.bias;
    m.w2 = n.2.weights;
    m.b2 = n.2.bias;
    m
}

fn boxed<N: Layer>(init: bool) -> Box<N> {
    let mut n: Box<N> = Box::new(N::zeroed());
    if init {
        n.init_params(Init::Uniform, &mut SplitMix64::new(42));
    }
    n
}

/// FLOPs of one training sample of an `I-H-O` perceptron: forward (`I·H + H·O` multiply-adds),
/// the weight gradients (the same again) and the hidden layer's input gradient (`H·O`).
fn train_flops(i: usize, h: usize, o: usize) -> f64 {
    2.0 * (2.0 * (i * h + h * o) as f64 + (h * o) as f64)
}

fn infer_flops(i: usize, h: usize, o: usize) -> f64 {
    2.0 * (i * h + h * o) as f64
}

/// Sustained GFLOP/s of independent multiply-add chains held in registers.
mod peak {
    use super::harness::Clock;

    const CHAINS: usize = 12;

    /// SSE multiply then add, four lanes, twelve independent chains (written with
    /// intrinsics: the compiler's own vectorisation of this loop spilled to memory).
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "sse")] // always present on x86-64; makes the intrinsics safe
    #[inline(never)]
    fn sse(iters: u64) -> f32 {
        use std::arch::x86_64::{__m128, _mm_add_ps, _mm_cvtss_f32, _mm_mul_ps, _mm_set1_ps};
        let m = _mm_set1_ps(std::hint::black_box(0.999_999f32));
        let c = _mm_set1_ps(std::hint::black_box(1e-7f32));
        let mut acc: [__m128; CHAINS] = [_mm_set1_ps(1.0); CHAINS];
        for _ in 0..iters {
            for v in &mut acc {
                *v = _mm_add_ps(_mm_mul_ps(*v, m), c);
            }
        }
        acc.iter().map(|v| _mm_cvtss_f32(*v)).sum()
    }

    #[cfg(not(target_arch = "x86_64"))]
    fn sse(_: u64) -> f32 {
        0.0
    }

    /// AVX2 multiply then add, eight lanes, the same chains: the ceiling of code that
    /// keeps `a·b + c` as two roundings, as typenet's kernels do (no FMA).
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    #[inline(never)]
    fn avx2(iters: u64) -> f32 {
        use std::arch::x86_64::{
            __m256, _mm256_add_ps, _mm256_cvtss_f32, _mm256_mul_ps, _mm256_set1_ps,
        };
        let m = _mm256_set1_ps(std::hint::black_box(0.999_999f32));
        let c = _mm256_set1_ps(std::hint::black_box(1e-7f32));
        let mut acc: [__m256; CHAINS] = [_mm256_set1_ps(1.0); CHAINS];
        for _ in 0..iters {
            for v in &mut acc {
                *v = _mm256_add_ps(_mm256_mul_ps(*v, m), c);
            }
        }
        acc.iter().map(|v| _mm256_cvtss_f32(*v)).sum()
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    #[inline(never)]
    fn fma(iters: u64) -> f32 {
        let mut acc = [1.0f32; CHAINS * 8];
        let m = std::hint::black_box(0.999_999f32);
        let c = std::hint::black_box(1e-7f32);
        for _ in 0..iters {
            for v in acc.iter_mut() {
                *v = v.mul_add(m, c);
            }
        }
        acc.iter().sum()
    }

    fn gflops(clock: Clock, lanes: usize, f: impl Fn(u64) -> f32) -> f64 {
        let iters = 20_000_000u64;
        let mut best = f64::INFINITY;
        for _ in 0..5 {
            let t = clock.start();
            std::hint::black_box(f(iters));
            best = best.min(t.elapsed().as_secs_f64());
        }
        (iters as f64 * (CHAINS * lanes * 2) as f64) / best / 1e9
    }

    /// SSE multiply + add, and where the CPU has AVX2 and FMA: AVX2 multiply + add and
    /// AVX2 FMA, in GFLOP/s.
    pub fn report(clock: Clock) -> (f64, Option<(f64, f64)>) {
        // SAFETY: SSE is part of the x86-64 baseline (elsewhere `sse` is a plain stub)
        #[allow(unused_unsafe)]
        let s = gflops(clock, 4, |n| unsafe { sse(n) });
        #[cfg(target_arch = "x86_64")]
        if super::hand::tuned::available() {
            // SAFETY: AVX2 and FMA were detected at run time.
            let avx2 = gflops(clock, 8, |n| unsafe { avx2(n) });
            // SAFETY: as above.
            return (s, Some((avx2, gflops(clock, 8, |n| unsafe { fma(n) }))));
        }
        (s, None)
    }
}

struct Row {
    workload: &'static str,
    flops: Option<f64>,
    /// Indices into the case list: typenet, plain, tuned.
    typenet: usize,
    plain: usize,
    tuned: Option<usize>,
    /// With the `parallel` feature: typenet on one thread (`typenet` runs on all).
    one_thread: Option<usize>,
}

fn main() {
    let quick = std::env::var_os("TYPENET_BENCH_QUICK").is_some();
    let (rounds, target) = if quick {
        (5, Duration::from_millis(20))
    } else {
        (15, Duration::from_millis(60))
    };
    let tuned_ok = cfg!(target_arch = "x86_64") && hand::tuned::available();

    let mut rng = Lcg(7);
    let and_data: [([f32; 2], [f32; 1]); 4] = [
        ([0., 0.], [0.]),
        ([0., 1.], [0.]),
        ([1., 0.], [0.]),
        ([1., 1.], [1.]),
    ];
    let xor_data: [([f32; 2], [f32; 1]); 4] = [
        ([0., 0.], [0.]),
        ([0., 1.], [1.]),
        ([1., 0.], [1.]),
        ([1., 1.], [0.]),
    ];
    const SAMPLES: usize = 64;
    let mnist_x: Vec<[f32; 784]> = (0..SAMPLES).map(|_| rng.array()).collect();
    let mnist_t: Vec<[f32; 10]> = (0..SAMPLES).map(|_| rng.one_hot()).collect();
    const DIGITS: usize = 1797;
    let digits_x: Vec<[f32; 64]> = (0..DIGITS).map(|_| rng.array()).collect();
    let digits_t: Vec<[f32; 10]> = (0..DIGITS).map(|_| rng.one_hot()).collect();

    // ---- networks: each case owns its own copy, all starting from the same weights ----
    let and0: And = Layer::initialized(Init::Uniform, &mut SplitMix64::new(1));
    let xor0: Xor = Layer::initialized(Init::Uniform, &mut SplitMix64::new(2));
    let mnist0: Box<Mnist> = boxed(true);
    let digits0: Box<Digits> = boxed(true);

    // sanity: the baselines compute what typenet computes
    {
        let h = to_hand(&mnist0);
        let a = infer(&*mnist0, &mnist_x[0]);
        let b = hand::plain::infer(&h, &mnist_x[0]);
        for (a, b) in a.iter().zip(&b) {
            assert!(
                (a - b).abs() < 1e-5,
                "baseline disagrees with typenet: {a} vs {b}"
            );
        }
    }

    let mut cases: Vec<Case> = Vec::new();
    let mut rows: Vec<Row> = Vec::new();
    // (workload, try_train_step case, train_step case)
    let mut checked: Vec<(&str, usize, usize)> = Vec::new();
    let mut add = |c: Case<'static>| {
        cases.push(c);
        cases.len() - 1
    };

    // W1
    {
        let (mut n, mut g, mut sgd) = (and0, And::zeroed(), Sgd::new(0.5).unwrap());
        let t = add(Case::new("W1 typenet", move |iters| {
            for i in 0..iters {
                let (x, y) = &and_data[(i & 3) as usize];
                black_box(train_step(
                    &mut n,
                    &mut g,
                    &Mse::new(),
                    &mut sgd,
                    black_box(x),
                    y,
                ));
            }
        }));
        let unit = hand::Unit {
            w: and0.0.weights[0],
            b: and0.0.bias[0],
        };
        let (mut u, mut gu) = (unit, unit);
        let p = add(Case::new("W1 plain", move |iters| {
            for i in 0..iters {
                let (x, y) = &and_data[(i & 3) as usize];
                black_box(hand::plain::unit_step(
                    &mut u,
                    &mut gu,
                    black_box(x),
                    y[0],
                    0.5,
                ));
            }
        }));
        let (mut u, mut gu) = (unit, unit);
        let tu = tuned_ok.then(|| {
            add(Case::new("W1 tuned", move |iters| {
                for i in 0..iters {
                    let (x, y) = &and_data[(i & 3) as usize];
                    // SAFETY: AVX2 and FMA were detected at run time.
                    black_box(unsafe {
                        hand::tuned::unit_step(&mut u, &mut gu, black_box(x), y[0], 0.5)
                    });
                }
            }))
        });
        let (mut n, mut g, mut sgd) = (and0, And::zeroed(), Sgd::new(0.5).unwrap());
        let c = add(Case::new("W1 checked", move |iters| {
            for i in 0..iters {
                let (x, y) = &and_data[(i & 3) as usize];
                black_box(
                    try_train_step(&mut n, &mut g, &Mse::new(), &mut sgd, black_box(x), y).ok(),
                );
            }
        }));
        checked.push(("W1 AND 2-1", c, t));
        rows.push(Row {
            workload: "W1 AND 2-1, train/sample",
            flops: None,
            typenet: t,
            plain: p,
            tuned: tu,
            one_thread: None,
        });
    }

    // W2
    {
        let (mut n, mut g, mut sgd) = (xor0, Xor::zeroed(), Sgd::new(0.5).unwrap());
        let t = add(Case::new("W2 typenet", move |iters| {
            for i in 0..iters {
                let (x, y) = &xor_data[(i & 3) as usize];
                black_box(train_step(
                    &mut n,
                    &mut g,
                    &Mse::new(),
                    &mut sgd,
                    black_box(x),
                    y,
                ));
            }
        }));
        let (mut m, mut gm) = (to_hand(&xor0), hand::Mlp::zeroed());
        let p = add(Case::new("W2 plain", move |iters| {
            for i in 0..iters {
                let (x, y) = &xor_data[(i & 3) as usize];
                black_box(hand::plain::train_step(
                    &mut m,
                    &mut gm,
                    black_box(x),
                    y,
                    0.5,
                ));
            }
        }));
        let (mut m, mut gm) = (to_hand(&xor0), hand::Mlp::zeroed());
        let tu = tuned_ok.then(|| {
            add(Case::new("W2 tuned", move |iters| {
                for i in 0..iters {
                    let (x, y) = &xor_data[(i & 3) as usize];
                    // SAFETY: AVX2 and FMA were detected at run time.
                    black_box(unsafe {
                        hand::tuned::train_step(&mut m, &mut gm, black_box(x), y, 0.5)
                    });
                }
            }))
        });
        let (mut n, mut g, mut sgd) = (xor0, Xor::zeroed(), Sgd::new(0.5).unwrap());
        let c = add(Case::new("W2 checked", move |iters| {
            for i in 0..iters {
                let (x, y) = &xor_data[(i & 3) as usize];
                black_box(
                    try_train_step(&mut n, &mut g, &Mse::new(), &mut sgd, black_box(x), y).ok(),
                );
            }
        }));
        checked.push(("W2 XOR 2-4-1", c, t));
        rows.push(Row {
            workload: "W2 XOR 2-4-1, train/sample",
            flops: None,
            typenet: t,
            plain: p,
            tuned: tu,
            one_thread: None,
        });
    }

    let mnist_x: &'static [[f32; 784]] = Vec::leak(mnist_x);
    let mnist_t: &'static [[f32; 10]] = Vec::leak(mnist_t);
    let digits_x: &'static [[f32; 64]] = Vec::leak(digits_x);
    let digits_t: &'static [[f32; 10]] = Vec::leak(digits_t);

    // W3 train
    {
        let (mut n, mut g, mut sgd) =
            (mnist0.clone(), boxed::<Mnist>(false), Sgd::new(LR).unwrap());
        let t = add(Case::new("W3 typenet", move |iters| {
            for i in 0..iters {
                let k = (i as usize) % SAMPLES;
                black_box(train_step(
                    &mut *n,
                    &mut *g,
                    &Mse::new(),
                    &mut sgd,
                    &mnist_x[k],
                    &mnist_t[k],
                ));
            }
        }));
        let (mut m, mut gm) = (to_hand(&mnist0), hand::Mlp::zeroed());
        let p = add(Case::new("W3 plain", move |iters| {
            for i in 0..iters {
                let k = (i as usize) % SAMPLES;
                black_box(hand::plain::train_step(
                    &mut m,
                    &mut gm,
                    &mnist_x[k],
                    &mnist_t[k],
                    LR,
                ));
            }
        }));
        let (mut m, mut gm) = (to_hand(&mnist0), hand::Mlp::zeroed());
        let tu = tuned_ok.then(|| {
            add(Case::new("W3 tuned", move |iters| {
                for i in 0..iters {
                    let k = (i as usize) % SAMPLES;
                    // SAFETY: AVX2 and FMA were detected at run time.
                    black_box(unsafe {
                        hand::tuned::train_step(&mut m, &mut gm, &mnist_x[k], &mnist_t[k], LR)
                    });
                }
            }))
        });
        let (mut n, mut g, mut sgd) =
            (mnist0.clone(), boxed::<Mnist>(false), Sgd::new(LR).unwrap());
        let c = add(Case::new("W3 checked", move |iters| {
            for i in 0..iters {
                let k = (i as usize) % SAMPLES;
                black_box(
                    try_train_step(
                        &mut *n,
                        &mut *g,
                        &Mse::new(),
                        &mut sgd,
                        &mnist_x[k],
                        &mnist_t[k],
                    )
                    .ok(),
                );
            }
        }));
        checked.push(("W3 784-128-10", c, t));
        rows.push(Row {
            workload: "W3 784-128-10, train/sample",
            flops: Some(train_flops(784, 128, 10)),
            typenet: t,
            plain: p,
            tuned: tu,
            one_thread: None,
        });
    }

    // W3i
    {
        let n = mnist0.clone();
        let t = add(Case::new("W3i typenet", move |iters| {
            for i in 0..iters {
                black_box(infer(&*n, black_box(&mnist_x[(i as usize) % SAMPLES])));
            }
        }));
        let m = to_hand(&mnist0);
        let p = add(Case::new("W3i plain", move |iters| {
            for i in 0..iters {
                black_box(hand::plain::infer(
                    &m,
                    black_box(&mnist_x[(i as usize) % SAMPLES]),
                ));
            }
        }));
        let m = to_hand(&mnist0);
        let tu = tuned_ok.then(|| {
            add(Case::new("W3i tuned", move |iters| {
                for i in 0..iters {
                    // SAFETY: AVX2 and FMA were detected at run time.
                    black_box(unsafe {
                        hand::tuned::infer(&m, black_box(&mnist_x[(i as usize) % SAMPLES]))
                    });
                }
            }))
        });
        rows.push(Row {
            workload: "W3i 784-128-10, inference",
            flops: Some(infer_flops(784, 128, 10)),
            typenet: t,
            plain: p,
            tuned: tu,
            one_thread: None,
        });
    }

    // W4: one step on a mini-batch of 64
    {
        let (mut n, mut g, mut sgd) =
            (mnist0.clone(), boxed::<Mnist>(false), Sgd::new(LR).unwrap());
        let t = add(Case::new("W4 typenet", move |iters| {
            for _ in 0..iters {
                black_box(w4_typenet(&mut *n, &mut *g, &mut sgd, mnist_x, mnist_t));
            }
        }));
        #[cfg(feature = "parallel")]
        let one = {
            let (mut n, mut g, mut sgd) =
                (mnist0.clone(), boxed::<Mnist>(false), Sgd::new(LR).unwrap());
            let pool = one_thread_pool();
            Some(add(Case::new("W4 typenet 1 thread", move |iters| {
                pool.install(|| {
                    for _ in 0..iters {
                        black_box(w4_typenet(&mut *n, &mut *g, &mut sgd, mnist_x, mnist_t));
                    }
                })
            })))
        };
        #[cfg(not(feature = "parallel"))]
        let one = None;
        let (mut m, mut gm) = (to_hand(&mnist0), hand::Mlp::zeroed());
        let p = add(Case::new("W4 plain", move |iters| {
            for _ in 0..iters {
                black_box(hand::plain::batch_step(
                    &mut m, &mut gm, mnist_x, mnist_t, LR,
                ));
            }
        }));
        let (mut m, mut gm) = (to_hand(&mnist0), hand::Mlp::zeroed());
        let tu = tuned_ok.then(|| {
            add(Case::new("W4 tuned", move |iters| {
                for _ in 0..iters {
                    // SAFETY: AVX2 and FMA were detected at run time.
                    black_box(unsafe {
                        hand::tuned::batch_step(&mut m, &mut gm, mnist_x, mnist_t, LR)
                    });
                }
            }))
        });
        rows.push(Row {
            workload: "W4 784-128-10, batch 64 step",
            flops: Some(train_flops(784, 128, 10) * 64.0),
            typenet: t,
            plain: p,
            tuned: tu,
            one_thread: one,
        });
    }

    // W4 epoch: digits-shaped 64-32-10, mini-batch 32
    {
        let (mut n, mut g, mut sgd) = (
            digits0.clone(),
            boxed::<Digits>(false),
            Sgd::new(LR).unwrap(),
        );
        let t = add(Case::new("W4e typenet", move |iters| {
            for _ in 0..iters {
                for (xs, ts) in digits_x.chunks(32).zip(digits_t.chunks(32)) {
                    black_box(w4_typenet(&mut *n, &mut *g, &mut sgd, xs, ts));
                }
            }
        }));
        #[cfg(feature = "parallel")]
        let one = {
            let (mut n, mut g, mut sgd) = (
                digits0.clone(),
                boxed::<Digits>(false),
                Sgd::new(LR).unwrap(),
            );
            let pool = one_thread_pool();
            Some(add(Case::new("W4e typenet 1 thread", move |iters| {
                pool.install(|| {
                    for _ in 0..iters {
                        for (xs, ts) in digits_x.chunks(32).zip(digits_t.chunks(32)) {
                            black_box(w4_typenet(&mut *n, &mut *g, &mut sgd, xs, ts));
                        }
                    }
                })
            })))
        };
        #[cfg(not(feature = "parallel"))]
        let one = None;
        let (mut m, mut gm) = (to_hand(&digits0), hand::Mlp::zeroed());
        let p = add(Case::new("W4e plain", move |iters| {
            for _ in 0..iters {
                for (xs, ts) in digits_x.chunks(32).zip(digits_t.chunks(32)) {
                    black_box(hand::plain::batch_step(&mut m, &mut gm, xs, ts, LR));
                }
            }
        }));
        let (mut m, mut gm) = (to_hand(&digits0), hand::Mlp::zeroed());
        let tu = tuned_ok.then(|| {
            add(Case::new("W4e tuned", move |iters| {
                for _ in 0..iters {
                    for (xs, ts) in digits_x.chunks(32).zip(digits_t.chunks(32)) {
                        // SAFETY: AVX2 and FMA were detected at run time.
                        black_box(unsafe { hand::tuned::batch_step(&mut m, &mut gm, xs, ts, LR) });
                    }
                }
            }))
        });
        rows.push(Row {
            workload: "W4e digits 64-32-10, epoch, batch 32",
            flops: Some(train_flops(64, 32, 10) * DIGITS as f64),
            typenet: t,
            plain: p,
            tuned: tu,
            one_thread: one,
        });
    }

    // W5i: the DS-CNN block, one sample
    {
        let net: Box<conv::DsCnn> = boxed(true);
        let x: conv::Input = core::array::from_fn(|_| core::array::from_fn(|_| [rng.next()]));
        let zero = || Box::new([[[0.0f32; 64]; 5]; 25]);
        {
            // sanity: the baseline computes what typenet computes
            let (mut a, mut b, mut y) = (zero(), zero(), zero());
            conv::plain(&net, &x, &mut a, &mut b, &mut y);
            let t = infer(&*net, &x);
            for (p, q) in t
                .as_flattened()
                .as_flattened()
                .iter()
                .zip(y.as_flattened().as_flattened())
            {
                assert!(
                    (p - q).abs() < 1e-4,
                    "DS-CNN baseline disagrees: {p} vs {q}"
                );
            }
        }
        let n = net.clone();
        let t = add(Case::new("W5i typenet", move |iters| {
            for _ in 0..iters {
                black_box(infer(&*n, black_box(&x)));
            }
        }));
        let (mut a, mut b, mut y) = (zero(), zero(), zero());
        let p = add(Case::new("W5i plain", move |iters| {
            for _ in 0..iters {
                conv::plain(&net, black_box(&x), &mut a, &mut b, &mut y);
                black_box(&y);
            }
        }));
        rows.push(Row {
            workload: "W5i DS-CNN block 49×10×1 → 25×5×64, inference",
            flops: Some(conv::FLOPS),
            typenet: t,
            plain: p,
            tuned: None,
            one_thread: None,
        });
    }

    // W5: the DS-CNN block, one SGD step on a mini-batch of 32
    {
        const BATCH: usize = 32;
        const W5_LR: f32 = 1e-5;
        let net0: Box<conv::DsCnnTrain> = boxed(true);
        let xs: &'static [conv::Input] = Vec::leak(
            (0..BATCH)
                .map(|_| core::array::from_fn(|_| core::array::from_fn(|_| [rng.next()])))
                .collect(),
        );
        let ts: &'static [[f32; 8000]] = Vec::leak(
            (0..BATCH)
                .map(|_| core::array::from_fn(|_| rng.next()))
                .collect(),
        );
        {
            // sanity: the baseline computes what typenet computes (two steps each)
            let (mut n, mut g, mut sgd) = (
                net0.clone(),
                boxed::<conv::DsCnnTrain>(false),
                Sgd::new(W5_LR).unwrap(),
            );
            let (mut m, mut gm, mut s) = (
                net0.clone(),
                boxed::<conv::DsCnnTrain>(false),
                conv::Scratch::new(),
            );
            for _ in 0..2 {
                let e1 = w4_typenet(&mut *n, &mut *g, &mut sgd, xs, ts);
                let e2 = conv::plain_step(&mut m, &mut gm, &mut s, xs, ts, W5_LR);
                assert!((e1 - e2).abs() <= 1e-4 * e1.abs(), "W5 loss {e1} vs {e2}");
            }
            let (mut a, mut b) = (Vec::new(), Vec::new());
            n.visit_params(&mut |p| a.extend_from_slice(p));
            m.visit_params(&mut |p| b.extend_from_slice(p));
            for (p, q) in a.iter().zip(&b) {
                assert!((p - q).abs() < 1e-4, "W5 baseline disagrees: {p} vs {q}");
            }
        }
        let (mut n, mut g, mut sgd) = (
            net0.clone(),
            boxed::<conv::DsCnnTrain>(false),
            Sgd::new(W5_LR).unwrap(),
        );
        let t = add(Case::new("W5 typenet", move |iters| {
            for _ in 0..iters {
                black_box(w4_typenet(&mut *n, &mut *g, &mut sgd, xs, ts));
            }
        }));
        let (mut m, mut gm, mut s) = (
            net0.clone(),
            boxed::<conv::DsCnnTrain>(false),
            conv::Scratch::new(),
        );
        let p = add(Case::new("W5 plain", move |iters| {
            for _ in 0..iters {
                black_box(conv::plain_step(&mut m, &mut gm, &mut s, xs, ts, W5_LR));
            }
        }));
        rows.push(Row {
            workload: "W5 DS-CNN block, batch 32 step",
            flops: Some(conv::TRAIN_FLOPS * BATCH as f64),
            typenet: t,
            plain: p,
            tuned: None,
            one_thread: None,
        });
    }

    // the parallel cases run on other threads, whose time only the wall clock sees
    let clock = if cfg!(feature = "parallel") {
        harness::Clock::Wall
    } else {
        harness::Clock::from_env()
    };
    if let Ok(f) = std::env::var("TYPENET_BENCH_FILTER") {
        // profiling aid: run only the matching cases, no table
        let mut only: Vec<Case> = cases.into_iter().filter(|c| c.name.contains(&f)).collect();
        harness::run(&mut only, rounds, target, clock);
        for c in &only {
            println!("{}: {}", c.name, fmt_ns(c.median_ns()));
        }
        return;
    }
    // `TYPENET_BENCH_ROWS=W3,W4`: only the rows whose first word is listed
    if let Ok(list) = std::env::var("TYPENET_BENCH_ROWS") {
        let wanted: Vec<&str> = list.split(',').map(str::trim).collect();
        rows.retain(|r| wanted.contains(&r.workload.split(' ').next().unwrap_or("")));
        checked.retain(|(w, ..)| wanted.contains(&w.split(' ').next().unwrap_or("")));
        for c in cases.iter_mut() {
            c.enabled = false;
        }
        for &(_, c, t) in &checked {
            cases[c].enabled = true;
            cases[t].enabled = true;
        }
        for r in &rows {
            for i in [Some(r.typenet), Some(r.plain), r.tuned, r.one_thread]
                .into_iter()
                .flatten()
            {
                cases[i].enabled = true;
            }
        }
    }
    let (sse_peak, avx2_peaks) = peak::report(clock);
    harness::run(&mut cases, rounds, target, clock);

    println!();
    println!(
        "typenet vs hand-written loops ({rounds} interleaved rounds, medians of {}; ratio = typenet / baseline)",
        if clock == harness::Clock::Thread {
            "the thread's CPU time"
        } else {
            "wall time"
        }
    );
    println!(
        "peak (12 register-resident chains): SSE mul+add {sse_peak:.1} GFLOP/s, {}",
        avx2_peaks.map_or("AVX2 n/a".into(), |(a, f)| format!(
            "AVX2 mul+add {a:.1} GFLOP/s, AVX2 FMA {f:.1} GFLOP/s"
        ))
    );
    println!();
    println!(
        "| workload | typenet | plain | tuned | typenet/plain | typenet/tuned | typenet GFLOP/s | plain GFLOP/s | tuned GFLOP/s |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for r in &rows {
        let tn = cases[r.typenet].median_ns();
        let pn = cases[r.plain].median_ns();
        let un = r.tuned.map(|i| cases[i].median_ns());
        let gf = |ns: f64| {
            r.flops
                .map_or("–".to_string(), |f| format!("{:.1}", f / ns))
        };
        println!(
            "| {} | {} (±{:.0}%) | {} | {} | {:.2}× | {} | {} | {} | {} |",
            r.workload,
            fmt_ns(tn),
            cases[r.typenet].spread() * 50.0,
            fmt_ns(pn),
            un.map_or("–".into(), fmt_ns),
            tn / pn,
            un.map_or("–".into(), |u| format!("{:.2}×", tn / u)),
            gf(tn),
            gf(pn),
            un.map_or("–".into(), gf),
        );
    }
    println!();
    println!(
        "FLOPs count multiply-adds as 2: forward, weight gradients and the hidden layer's input gradient."
    );
    if !checked.is_empty() {
        println!();
        println!("checked step: try_train_step / train_step, SGD, one sample per step (same run)");
        println!();
        println!("| workload | try_train_step | train_step | ratio | cost of the checks |");
        println!("|---|---|---|---|---|");
        for &(workload, c, t) in &checked {
            let (cn, tn) = (cases[c].median_ns(), cases[t].median_ns());
            println!(
                "| {workload} | {} (±{:.0}%) | {} | {:.2}× | {} |",
                fmt_ns(cn),
                cases[c].spread() * 50.0,
                fmt_ns(tn),
                cn / tn,
                fmt_ns(cn - tn),
            );
        }
    }
    #[cfg(feature = "parallel")]
    {
        println!();
        println!(
            "parallel feature: typenet on rayon's {} threads against one thread, same run",
            rayon::current_num_threads()
        );
        for r in rows.iter().filter(|r| r.one_thread.is_some()) {
            let (many, one) = (
                cases[r.typenet].median_ns(),
                cases[r.one_thread.unwrap()].median_ns(),
            );
            println!(
                "| {} | {} | 1 thread {} | speed-up {:.2}× |",
                r.workload,
                fmt_ns(many),
                fmt_ns(one),
                one / many
            );
        }
    }
    // one line per row for scripts (benches/profiles.sh): id, then nanoseconds and GFLOP/s;
    // and one per checked step: id, try_train_step and train_step nanoseconds
    for (workload, c, t) in &checked {
        println!(
            "checked\t{}\t{:.1}\t{:.1}",
            workload.split(' ').next().unwrap_or(""),
            cases[*c].median_ns(),
            cases[*t].median_ns(),
        );
    }
    for r in &rows {
        let ns = |i: Option<usize>| i.map_or(f64::NAN, |i| cases[i].median_ns());
        let tn = ns(Some(r.typenet));
        println!(
            "row\t{}\t{:.1}\t{:.1}\t{:.1}\t{:.2}",
            r.workload.split(' ').next().unwrap_or(""),
            tn,
            ns(Some(r.plain)),
            ns(r.tuned),
            r.flops.map_or(f64::NAN, |f| f / tn),
        );
    }
}

/// A rayon pool of one thread: typenet's kernels run unsplit inside it.
#[cfg(feature = "parallel")]
fn one_thread_pool() -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("a one-thread pool")
}

/// One SGD step on a mini-batch with typenet's batched path (blocked matrix products).
fn w4_typenet<N, const O: usize>(
    n: &mut N,
    g: &mut N,
    sgd: &mut Sgd,
    xs: &[N::Input],
    ts: &[[f32; O]],
) -> f32
where
    N: typenet::Train<Scalar = f32, Output = [f32; O]>,
{
    thread_local! {
        static WS: std::cell::RefCell<Vec<f32>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    WS.with_borrow_mut(|ws| {
        let need = typenet::batch::workspace_len::<N>(xs.len());
        if ws.len() < need {
            ws.resize(need, 0.0);
        }
        typenet::train_step_batch(n, g, &Mse::new(), sgd, xs, ts, ws).expect("sizes match")
    })
}
