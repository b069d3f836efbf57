//! The few inner loops every layer is built from, kept in one place so they can be tuned
//! once: a dot product, `y += a·x`, and their blocked forms for large layers and batches.
//!
//! # One result on every target
//!
//! Firmware compares its outputs with the host's bit for bit, so every kernel here fixes
//! its order of operations completely and uses separate multiplies and adds (Rust never
//! fuses them by itself): no FMA, no reassociation. A wider vector unit only runs the
//! same operations several at a time. The blocked kernels keep, for every output
//! element, exactly the sums of [`dot`] and [`axpy`] (eight partial sums per dot product,
//! reduced in the same tree; samples and rows accumulated in index order), so they give
//! the same bits as the simple loops — for one sample or a batch, with or without AVX2.
//! Tests below check this bit for bit.
//!
//! # Speed
//!
//! The simple loops run one dot product at a time, a chain of dependent additions. The
//! blocked kernels compute several rows (and samples) at once, so each loaded input
//! feeds several independent chains held in registers. On x86-64 with `std`, they are
//! compiled a second time with AVX2 enabled and chosen at run time (`multiversion!`),
//! whatever the build profile; on `no_std`, enable the feature at compile time
//! (`-C target-feature=+avx2`).

// the kernels walk several arrays by the same index, which reads best as an index
#![allow(clippy::needless_range_loop)]

use crate::conv::lanes::{
    conv2d_forward_body, conv2d_params_body, depthwise1_backward_body, depthwise1_forward_body,
};
use crate::conv::shape::Window2d;
use crate::scalar::Scalar;

/// `Σ a[i]·b[i]`, with eight independent partial sums so the loop vectorises (floating
/// point addition is not associative, so the compiler may not reorder a single sum).
#[inline(always)]
pub(crate) fn dot<T: Scalar, const N: usize>(a: &[T; N], b: &[T; N]) -> T {
    let mut acc = [T::zero(); 8];
    let (ac, ar) = a.as_chunks::<8>();
    let (bc, br) = b.as_chunks::<8>();
    for (x, y) in ac.iter().zip(bc) {
        for k in 0..8 {
            acc[k] = x[k].mul_add_fast(y[k], acc[k]);
        }
    }
    let mut tail = T::zero();
    for (x, y) in ar.iter().zip(br) {
        tail = x.mul_add_fast(*y, tail);
    }
    reduce(&acc) + tail
}

/// The reduction tree of [`dot`]'s eight partial sums.
#[inline(always)]
fn reduce<T: Scalar>(acc: &[T; 8]) -> T {
    ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]))
}

/// `y[i] += a · x[i]`.
#[inline(always)]
pub(crate) fn axpy<T: Scalar, const N: usize>(y: &mut [T; N], a: T, x: &[T; N]) {
    for (yi, xi) in y.iter_mut().zip(x) {
        *yi = xi.mul_add_fast(a, *yi);
    }
}

/// `y[i] = a · x[i] + 0`: [`axpy`] onto zeros, without reading `y`. The `+ 0` is kept
/// (the compiler may not drop it: `-0 + 0` is `+0`), so the bits are [`axpy`]'s.
#[inline(always)]
pub(crate) fn scale_into<T: Scalar, const N: usize>(y: &mut [T; N], a: T, x: &[T; N]) {
    for (yi, xi) in y.iter_mut().zip(x) {
        *yi = xi.mul_add_fast(a, T::zero());
    }
}

/// `a·b + c` as separate multiply and add. `Float::mul_add` is a fused instruction only
/// where the target has FMA and a slow library call elsewhere, and fusing changes the
/// rounding, so the plain form is both the portable and the reproducible choice.
trait MulAddFast: Sized {
    fn mul_add_fast(self, b: Self, c: Self) -> Self;
}

impl<T: Scalar> MulAddFast for T {
    #[inline(always)]
    fn mul_add_fast(self, b: Self, c: Self) -> Self {
        self * b + c
    }
}

pub(crate) use lanes::Lanes;
#[cfg(test)]
pub(crate) use lanes::Plain;

/// Eight lanes at a time: the operations the blocked kernels are written in.
///
/// [`Plain`](lanes::Plain) spells them as loops over the lanes, which the compiler
/// vectorises at `opt-level` 2 and 3. At `opt-level` "s" or "z" rustc turns LLVM's
/// vectorisers off, so in the AVX2 twins the `f32` operations are written with the AVX
/// intrinsics themselves ([`Avx2`](lanes::Avx2)): one vector multiply and one vector add
/// per call, whatever the profile. Both round every lane exactly as `a·b + c` does.
mod lanes {
    use super::MulAddFast;
    use crate::scalar::Scalar;

    /// A way to run the eight-lane operations.
    pub(crate) trait Lanes: Copy {
        /// `c[k] = a[k]·b[k] + c[k]`.
        fn mul_add<T: Scalar>(self, a: &[T; 8], b: &[T; 8], c: &mut [T; 8]);
        /// `c[k] = a[k]·s + c[k]`.
        fn mul_add_s<T: Scalar>(self, a: &[T; 8], s: T, c: &mut [T; 8]);
        /// `p[k] = p[k] − lr·g[k]`.
        fn sub_scaled<T: Scalar>(self, p: &mut [T; 8], lr: T, g: &[T; 8]);
        /// `c[k] = c[k] + a[k]`.
        fn add<T: Scalar>(self, a: &[T; 8], c: &mut [T; 8]);
        /// `y[k] = relu(x[k])` ([`super::relu1`]: `x` if `x > 0`, else `+0`).
        fn relu<T: Scalar>(self, x: &[T; 8], y: &mut [T; 8]);
        /// `d[k] = g[k]·relu'(x[k])` ([`super::relu_grad1`]: the factor is 1 if `x > 0`,
        /// else 0, and the product is kept, so NaN and signed zeros pass as they do there).
        fn relu_grad<T: Scalar>(self, x: &[T; 8], g: &[T; 8], d: &mut [T; 8]);
    }

    /// Loops over the lanes, for the compiler to vectorise.
    #[derive(Clone, Copy)]
    pub(crate) struct Plain;

    impl Lanes for Plain {
        #[inline(always)]
        fn mul_add<T: Scalar>(self, a: &[T; 8], b: &[T; 8], c: &mut [T; 8]) {
            for k in 0..8 {
                c[k] = a[k].mul_add_fast(b[k], c[k]);
            }
        }
        #[inline(always)]
        fn mul_add_s<T: Scalar>(self, a: &[T; 8], s: T, c: &mut [T; 8]) {
            for k in 0..8 {
                c[k] = a[k].mul_add_fast(s, c[k]);
            }
        }
        #[inline(always)]
        fn sub_scaled<T: Scalar>(self, p: &mut [T; 8], lr: T, g: &[T; 8]) {
            for k in 0..8 {
                p[k] = p[k] - lr * g[k];
            }
        }
        #[inline(always)]
        fn add<T: Scalar>(self, a: &[T; 8], c: &mut [T; 8]) {
            for k in 0..8 {
                c[k] = c[k] + a[k];
            }
        }
        #[inline(always)]
        fn relu<T: Scalar>(self, x: &[T; 8], y: &mut [T; 8]) {
            for k in 0..8 {
                y[k] = super::relu1(x[k]);
            }
        }
        #[inline(always)]
        fn relu_grad<T: Scalar>(self, x: &[T; 8], g: &[T; 8], d: &mut [T; 8]) {
            for k in 0..8 {
                d[k] = super::relu_grad1(x[k], g[k]);
            }
        }
    }

    /// The lanes of the base target: [`Avx2`] where the build has AVX2 throughout
    /// (`-C target-cpu=native` on a recent CPU), loops otherwise.
    #[cfg(not(all(target_arch = "x86_64", target_feature = "avx2")))]
    #[inline(always)]
    pub(crate) fn base() -> Plain {
        Plain
    }

    /// The lanes of the base target: [`Avx2`] where the build has AVX2 throughout
    /// (`-C target-cpu=native` on a recent CPU), loops otherwise.
    #[cfg(all(target_arch = "x86_64", target_feature = "avx2"))]
    #[inline(always)]
    pub(crate) fn base() -> Avx2 {
        Avx2(())
    }

    #[cfg(all(target_arch = "x86_64", any(feature = "std", target_feature = "avx2")))]
    pub(crate) use avx2::Avx2;

    /// AVX intrinsics for `f32` (other types fall back to [`Plain`]): where AVX2 is
    /// detected at run time (`std`) or the build targets it.
    #[cfg(all(target_arch = "x86_64", any(feature = "std", target_feature = "avx2")))]
    #[allow(unsafe_code)]
    mod avx2 {
        use super::{Lanes, Plain};
        use crate::scalar::Scalar;
        use core::any::Any;
        use core::arch::x86_64::{
            _CMP_GT_OQ, _mm256_add_ps, _mm256_and_ps, _mm256_cmp_ps, _mm256_loadu_ps,
            _mm256_max_ps, _mm256_mul_ps, _mm256_set1_ps, _mm256_setzero_ps, _mm256_storeu_ps,
            _mm256_sub_ps,
        };

        /// Proof that the CPU runs AVX2: made only where it was detected at run time or
        /// the whole build targets AVX2, so the intrinsics below are sound to call.
        #[derive(Clone, Copy)]
        pub(crate) struct Avx2(pub(super) ());

        impl Avx2 {
            /// `Some` where the CPU has AVX2.
            #[cfg(all(feature = "std", not(target_feature = "avx2")))]
            #[inline]
            pub(crate) fn detect() -> Option<Self> {
                std::is_x86_feature_detected!("avx2").then_some(Avx2(()))
            }
        }

        /// `x` as `f32` lanes, when `T` is `f32`.
        #[inline(always)]
        fn f32s<T: Scalar>(x: &[T; 8]) -> Option<&[f32; 8]> {
            (x as &dyn Any).downcast_ref()
        }

        #[inline(always)]
        fn f32s_mut<T: Scalar>(x: &mut [T; 8]) -> Option<&mut [f32; 8]> {
            (x as &mut dyn Any).downcast_mut()
        }

        #[inline(always)]
        fn f32_of<T: Scalar>(x: &T) -> Option<f32> {
            (x as &dyn Any).downcast_ref().copied()
        }

        // SAFETY (the six `unsafe` blocks below): an `Avx2` value exists only where the
        // CPU has AVX2 (see the type), which is all the intrinsics require; the loads and
        // stores read and write eight `f32` through references to `[f32; 8]`.
        // Measured reason: rustc turns LLVM's vectorisers off at `opt-level` "s", where
        // the loops over lanes ran one float at a time even in the AVX2 twins
        // (benches/profiles.sh, `opt-level = "s"`, fat LTO, one codegen unit: W4 4.06 ms
        // → 0.60 ms, W3i 40.5 → 5.3 µs; the twins with loops instead of these
        // intrinsics were no faster than before; see benches/README.md). The ReLU pair
        // (`relu`, `relu_grad`), same reason: W5 at `opt-level` "s" 5.26 → 4.74 ms (16
        // codegen units) and 4.75 → 4.25 ms (fat LTO, one unit), thread CPU time.
        impl Lanes for Avx2 {
            #[inline(always)]
            fn mul_add<T: Scalar>(self, a: &[T; 8], b: &[T; 8], c: &mut [T; 8]) {
                if let (Some(a), Some(b), Some(c)) = (f32s(a), f32s(b), f32s_mut(c)) {
                    unsafe {
                        let p =
                            _mm256_mul_ps(_mm256_loadu_ps(a.as_ptr()), _mm256_loadu_ps(b.as_ptr()));
                        let r = _mm256_add_ps(p, _mm256_loadu_ps(c.as_ptr()));
                        _mm256_storeu_ps(c.as_mut_ptr(), r);
                    }
                    return;
                }
                Plain.mul_add(a, b, c);
            }
            #[inline(always)]
            fn mul_add_s<T: Scalar>(self, a: &[T; 8], s: T, c: &mut [T; 8]) {
                if let (Some(a), Some(s), Some(c)) = (f32s(a), f32_of(&s), f32s_mut(c)) {
                    unsafe {
                        let p = _mm256_mul_ps(_mm256_loadu_ps(a.as_ptr()), _mm256_set1_ps(s));
                        let r = _mm256_add_ps(p, _mm256_loadu_ps(c.as_ptr()));
                        _mm256_storeu_ps(c.as_mut_ptr(), r);
                    }
                    return;
                }
                Plain.mul_add_s(a, s, c);
            }
            #[inline(always)]
            fn sub_scaled<T: Scalar>(self, p: &mut [T; 8], lr: T, g: &[T; 8]) {
                if let (Some(p), Some(lr), Some(g)) = (f32s_mut(p), f32_of(&lr), f32s(g)) {
                    unsafe {
                        let d = _mm256_mul_ps(_mm256_set1_ps(lr), _mm256_loadu_ps(g.as_ptr()));
                        let r = _mm256_sub_ps(_mm256_loadu_ps(p.as_ptr()), d);
                        _mm256_storeu_ps(p.as_mut_ptr(), r);
                    }
                    return;
                }
                Plain.sub_scaled(p, lr, g);
            }
            #[inline(always)]
            fn add<T: Scalar>(self, a: &[T; 8], c: &mut [T; 8]) {
                if let (Some(a), Some(c)) = (f32s(a), f32s_mut(c)) {
                    unsafe {
                        let r =
                            _mm256_add_ps(_mm256_loadu_ps(c.as_ptr()), _mm256_loadu_ps(a.as_ptr()));
                        _mm256_storeu_ps(c.as_mut_ptr(), r);
                    }
                    return;
                }
                Plain.add(a, c);
            }
            // `max_ps(x, 0)` is `x > 0 ? x : 0` lane by lane (the second operand when the
            // comparison fails: for NaN and for either zero), exactly `relu1`.
            #[inline(always)]
            fn relu<T: Scalar>(self, x: &[T; 8], y: &mut [T; 8]) {
                if let (Some(x), Some(y)) = (f32s(x), f32s_mut(y)) {
                    unsafe {
                        let r = _mm256_max_ps(_mm256_loadu_ps(x.as_ptr()), _mm256_setzero_ps());
                        _mm256_storeu_ps(y.as_mut_ptr(), r);
                    }
                    return;
                }
                Plain.relu(x, y);
            }
            // the factor `x > 0 ? 1 : 0` (an ordered comparison: false for NaN) as the
            // mask AND 1.0, then the same multiply as `relu_grad1`
            #[inline(always)]
            fn relu_grad<T: Scalar>(self, x: &[T; 8], g: &[T; 8], d: &mut [T; 8]) {
                if let (Some(x), Some(g), Some(d)) = (f32s(x), f32s(g), f32s_mut(d)) {
                    unsafe {
                        let gt = _mm256_cmp_ps(
                            _mm256_loadu_ps(x.as_ptr()),
                            _mm256_setzero_ps(),
                            _CMP_GT_OQ,
                        );
                        let f = _mm256_and_ps(gt, _mm256_set1_ps(1.0));
                        let r = _mm256_mul_ps(_mm256_loadu_ps(g.as_ptr()), f);
                        _mm256_storeu_ps(d.as_mut_ptr(), r);
                    }
                    return;
                }
                Plain.relu_grad(x, g, d);
            }
        }
    }
}

// How many times an AVX2 twin ran on this thread (tests check the run-time choice with
// it; per thread, so that other tests running at the same time do not count).
#[cfg(all(
    test,
    feature = "std",
    target_arch = "x86_64",
    not(target_feature = "avx2")
))]
std::thread_local! {
    static AVX2_RUNS: core::cell::Cell<usize> = const { core::cell::Cell::new(0) };
}

/// Each blocked kernel twice, by hand (function multiversioning): the `#[inline(always)]`
/// body `$body` compiled once for the base target and once inside a
/// `#[target_feature(enable = "avx2")]` function, and a safe entry point `$name` that
/// picks the AVX2 one when the CPU has AVX2 (detected once and cached by `std`).
///
/// The target feature sits on the function the kernel's body is written into, not on a
/// function that calls a closure: a closure is a separate function that the optimiser
/// may leave out of line (it does with `codegen-units = 1`, fat, thin or no LTO), and it
/// is then compiled for the base target, so an AVX2 wrapper around it runs SSE code.
/// `#[inline(always)]` bodies are always inlined into the twin, whatever the profile.
///
/// The twins exist on x86-64 with `std` (for the detection) when the base target lacks
/// AVX2; where it has it (`-C target-cpu=native` on a recent CPU, or
/// `-C target-feature=+avx2`), the base code is already AVX2 and there is nothing to pick.
macro_rules! multiversion {
    ($(
        $(#[$attr:meta])*
        pub(crate) fn $name:ident[$($gen:tt)*]($($arg:ident: $ty:ty),* $(,)?) $(-> $ret:ty)? = $body:ident;
    )*) => {$(
        $(#[$attr])*
        #[inline]
        #[allow(unsafe_code)]
        pub(crate) fn $name<$($gen)*>($($arg: $ty),*) $(-> $ret)? {
            #[cfg(all(feature = "std", target_arch = "x86_64", not(target_feature = "avx2")))]
            {
                #[target_feature(enable = "avx2")]
                fn avx2<$($gen)*>(lanes: lanes::Avx2, $($arg: $ty),*) $(-> $ret)? {
                    $body(lanes, $($arg),*)
                }
                if let Some(lanes) = lanes::Avx2::detect() {
                    #[cfg(test)]
                    AVX2_RUNS.set(AVX2_RUNS.get() + 1);
                    // SAFETY: the CPU supports AVX2 (an `Avx2` value exists only then);
                    // calling a `#[target_feature]` function is unsafe only because of
                    // that requirement. Measured gain over the same kernels compiled for
                    // SSE2 (benches/workloads, AMD EPYC, same run): 784-128-10 inference
                    // 6.5 → 4.35 µs, training per sample 31 → 22 µs, a mini-batch of 64
                    // 862 → 450 µs; the checked step's finiteness scans (Intel Xeon, CPU
                    // time): W3 `try_train_step` ÷ `train_step` 1.67–1.70× → 1.38–1.50×.
                    // The bits are the same either way (tests below).
                    return unsafe { avx2(lanes, $($arg),*) };
                }
            }
            $body(lanes::base(), $($arg),*)
        }
    )*};
}

multiversion! {
    /// `ys[b][o] += dot(w[o], xs[b])` for every sample `b` and output `o`
    /// ([`forward_rows_body`]), in AVX2 where the CPU has it.
    pub(crate) fn forward_rows_seq[T: Scalar, const I: usize, const O: usize](
        w: &[[T; I]; O],
        xs: &[[T; I]],
        ys: &mut [[T; O]],
    ) = forward_rows_body;

    /// `ys[b][o] += dot(w[o], xs[b])` with eight outputs in the lanes
    /// ([`forward_cols_body`]), in AVX2 where the CPU has it.
    pub(crate) fn forward_cols_seq[T: Scalar, const I: usize, const O: usize](
        w: &[[T; I]; O],
        xs: &[[T; I]],
        ys: &mut [[T; O]],
    ) = forward_cols_body;

    /// Weight gradients `g[o][i] += Σ_b d[b][o]·xs[b][i]` for rows `o0..` ([`outer_acc_body`]),
    /// in AVX2 where the CPU has it.
    pub(crate) fn outer_acc_seq[T: Scalar, const I: usize, const O: usize](
        g: &mut [[T; I]],
        o0: usize,
        d: &[[T; O]],
        xs: &[[T; I]],
    ) = outer_acc_body;

    /// One sample's weight gradients written over `g`: `g[o] = d[o]·x + 0`
    /// ([`scale_into`] row by row), in AVX2 where the CPU has it.
    pub(crate) fn outer_set[T: Scalar, const I: usize, const O: usize](
        g: &mut [[T; I]; O],
        d: &[T; O],
        x: &[T; I],
    ) = outer_set_body;

    /// Input gradients `dx[b][i] = Σ_o d[b][o]·w[o][i]` ([`backward_input_body`]), in
    /// AVX2 where the CPU has it.
    pub(crate) fn backward_input_seq[T: Scalar, const I: usize, const O: usize](
        w: &[[T; I]; O],
        d: &[[T; O]],
        dx: &mut [[T; I]],
    ) = backward_input_body;

    /// `p[i] = p[i] − lr·g[i]`, a gradient-descent step on one tensor, in AVX2 where the
    /// CPU has it.
    pub(crate) fn sub_scaled[T: Scalar](p: &mut [T], g: &[T], lr: T) = sub_scaled_body;

    /// Whether every scalar of `s` is finite ([`finite_body`]), in AVX2 where the CPU has
    /// it.
    pub(crate) fn finite_seq[T: Scalar](s: &[T]) -> bool = finite_body;

    /// Whether every `p[i] − lr·g[i]` is finite ([`sgd_finite_body`]), in AVX2 where the
    /// CPU has it.
    pub(crate) fn sgd_finite_seq[T: Scalar](p: &[T], g: &[T], lr: T) -> bool = sgd_finite_body;

    /// Whether every `f.witness(a[i], b[i], c[i])` is finite ([`finite3_body`]), in AVX2
    /// where the CPU has it.
    pub(crate) fn finite3_seq[T: Scalar, F: Witness3<T>](f: F, a: &[T], b: &[T], c: &[T]) -> bool
        = finite3_body;

    /// Whether every `f.witness(a[i], b[i], c[i], d[i])` is finite ([`finite4_body`]), in
    /// AVX2 where the CPU has it.
    pub(crate) fn finite4_seq[T: Scalar, F: Witness4<T>](f: F, a: &[T], b: &[T], c: &[T], d: &[T])
        -> bool = finite4_body;

    /// `y[i] = relu1(x[i])` over a whole batch ([`relu_body`]), in AVX2 where the CPU has
    /// it.
    pub(crate) fn relu_seq[T: Scalar](x: &[T], y: &mut [T]) = relu_body;

    /// `d[i] = relu_grad1(x[i], g[i])` over a whole batch ([`relu_grad_body`]), in AVX2
    /// where the CPU has it.
    pub(crate) fn relu_grad_seq[T: Scalar](x: &[T], g: &[T], d: &mut [T]) = relu_grad_body;

    /// A batch of 2-D convolutions with the output channels in the lanes
    /// ([`crate::conv::lanes`]), in AVX2 where the CPU has it.
    pub(crate) fn conv2d_forward_lanes[
        T: Scalar, const H: usize, const W: usize, const C: usize, const KH: usize,
        const KW: usize, const O: usize, const OH: usize, const OW: usize
    ](
        xs: &[[[[T; C]; W]; H]],
        w: &[[[[T; C]; KW]; KH]; O],
        b: &[T; O],
        win: &Window2d,
        ys: &mut [[[[T; O]; OW]; OH]],
    ) = conv2d_forward_body;

    /// A batch of depthwise convolutions with multiplier 1 ([`crate::conv::lanes`]), in
    /// AVX2 where the CPU has it.
    pub(crate) fn depthwise1_forward[
        T: Scalar, const H: usize, const W: usize, const C: usize, const CM: usize,
        const KH: usize,
        const KW: usize, const OH: usize, const OW: usize
    ](
        xs: &[[[[T; C]; W]; H]],
        w: &[[[T; CM]; KW]; KH],
        b: &[T; CM],
        win: &Window2d,
        ys: &mut [[[[T; CM]; OW]; OH]],
    ) = depthwise1_forward_body;

    /// A batch's depthwise convolution gradients with multiplier 1
    /// ([`crate::conv::lanes`]), in AVX2 where the CPU has it.
    pub(crate) fn depthwise1_backward[
        T: Scalar, const H: usize, const W: usize, const C: usize, const CM: usize,
        const KH: usize,
        const KW: usize, const OH: usize, const OW: usize
    ](
        xs: &[[[[T; C]; W]; H]],
        w: &[[[T; CM]; KW]; KH],
        win: &Window2d,
        gs: &[[[[T; CM]; OW]; OH]],
        grads: (&mut [[[T; CM]; KW]; KH], &mut [T; CM]),
        dxs: &mut [[[[T; C]; W]; H]],
    ) = depthwise1_backward_body;

    /// A batch's 2-D convolution weight and bias gradients with the output channels in
    /// the lanes ([`crate::conv::lanes`]), in AVX2 where the CPU has it.
    pub(crate) fn conv2d_params_lanes[
        T: Scalar, const H: usize, const W: usize, const C: usize, const KH: usize,
        const KW: usize, const O: usize, const OH: usize, const OW: usize
    ](
        xs: &[[[[T; C]; W]; H]],
        win: &Window2d,
        gs: &[[[[T; O]; OW]; OH]],
        dw: &mut [[[[T; C]; KW]; KH]; O],
        db: &mut [T; O],
    ) = conv2d_params_body;
}

/// `ys[b][o] += dot(w[o], xs[b])` for every sample and output (see [`forward_rows_body`]);
/// with the `parallel` feature, large batches split over samples across threads.
#[inline]
pub(crate) fn forward_rows<T: Scalar, const I: usize, const O: usize>(
    w: &[[T; I]; O],
    xs: &[[T; I]],
    ys: &mut [[T; O]],
) {
    #[cfg(feature = "parallel")]
    if let Some(parts) = par::parts(xs.len() * I * O) {
        // whole blocks of 4 samples per thread
        return par::split(ys, 0, parts, 4, &|ys, b| {
            forward_rows_seq(w, &xs[b..b + ys.len()], ys);
        });
    }
    if I <= COLS_MAX_I && O >= 8 && xs.len() >= 8 {
        return forward_cols_seq(w, xs, ys);
    }
    forward_rows_seq(w, xs, ys);
}

/// The longest rows [`forward_cols_body`] takes (its stack buffer holds eight scalars per
/// column).
const COLS_MAX_I: usize = 64;

/// Weight gradients `g[o][i] += Σ_b d[b][o]·xs[b][i]` (see [`outer_acc_body`]); with the
/// `parallel` feature, large ones split over rows of `g` across threads (each element
/// still adds the samples in order, so the bits do not change).
#[inline]
pub(crate) fn outer_acc<T: Scalar, const I: usize, const O: usize>(
    g: &mut [[T; I]; O],
    d: &[[T; O]],
    xs: &[[T; I]],
) {
    #[cfg(feature = "parallel")]
    if let Some(parts) = par::parts(xs.len() * I * O) {
        // whole blocks of 4 rows per thread
        return par::split(g, 0, parts, 4, &|g, o0| outer_acc_seq(g, o0, d, xs));
    }
    // A long batch in parts whose output gradients fit the L1 cache (32 KB): a pass over
    // the batch for one column pair reads every sample's whole gradient row, and over
    // thousands of samples (a per-pixel layer's pixels) those passes missed L1 and L2.
    // Each element still adds the samples in order: the same bits.
    let part = (32 * 1024 / (O * core::mem::size_of::<T>()).max(1)).max(16);
    for (d, xs) in d.chunks(part).zip(xs.chunks(part)) {
        outer_acc_seq(g, 0, d, xs);
    }
}

/// Input gradients `dx[b][i] = Σ_o d[b][o]·w[o][i]` (see [`backward_input_body`]); with
/// the `parallel` feature, large batches split over samples across threads.
#[inline]
pub(crate) fn backward_input<T: Scalar, const I: usize, const O: usize>(
    w: &[[T; I]; O],
    d: &[[T; O]],
    dx: &mut [[T; I]],
) {
    #[cfg(feature = "parallel")]
    if let Some(parts) = par::parts(d.len() * I * O) {
        return par::split(dx, 0, parts, 1, &|dx, b| {
            backward_input_seq(w, &d[b..b + dx.len()], dx);
        });
    }
    backward_input_seq(w, d, dx);
}

/// The `parallel` feature: a large kernel call splits its output into disjoint parts, one
/// per thread of rayon's pool. Every output element is computed by one thread with the
/// operations of the one-thread kernel, in the same order, so the bits are the same for
/// any number of threads.
#[cfg(feature = "parallel")]
mod par {
    /// Multiply-adds per thread below which a kernel call stays on one thread: about
    /// 30 µs of work with AVX2, well above the cost of handing a part to another thread.
    const MIN_PER_THREAD: usize = 1 << 18;

    /// How many parts to split `macs` multiply-adds into, if more than one.
    pub(super) fn parts(macs: usize) -> Option<usize> {
        let n = rayon::current_num_threads().min(macs / MIN_PER_THREAD);
        (n > 1).then_some(n)
    }

    /// Runs `f(part, offset)` on `parts` disjoint parts of `out` (each a multiple of
    /// `align` long, but the last), in parallel; `offset` is the part's first index.
    pub(super) fn split<Y: Send>(
        out: &mut [Y],
        offset: usize,
        parts: usize,
        align: usize,
        f: &(impl Fn(&mut [Y], usize) + Sync),
    ) {
        let mid = out.len() * (parts / 2) / parts / align * align;
        if parts < 2 || mid == 0 {
            return f(out, offset);
        }
        let (a, b) = out.split_at_mut(mid);
        // the calling thread computes the first part itself (`join` from outside the pool
        // would hand both to the pool and wait)
        rayon::in_place_scope(|s| {
            s.spawn(move |_| split(b, offset + mid, parts - parts / 2, align, f));
            split(a, offset, parts / 2, align, f);
        });
    }
}

#[inline(always)]
fn outer_set_body<L: Lanes, T: Scalar, const I: usize, const O: usize>(
    lanes: L,
    g: &mut [[T; I]; O],
    d: &[T; O],
    x: &[T; I],
) {
    // `scale_into` row by row: `x·s + 0`
    let xc = x.as_chunks::<8>().0;
    for (gr, &s) in g.iter_mut().zip(d) {
        let gc = gr.as_chunks_mut::<8>().0;
        for (gc, xc) in gc.iter_mut().zip(xc) {
            let mut a = [T::zero(); 8];
            lanes.mul_add_s(xc, s, &mut a);
            *gc = a;
        }
        for i in I / 8 * 8..I {
            gr[i] = x[i].mul_add_fast(s, T::zero());
        }
    }
}

#[inline(always)]
fn sub_scaled_body<L: Lanes, T: Scalar>(lanes: L, p: &mut [T], g: &[T], lr: T) {
    let n = p.len().min(g.len());
    let (p, g) = (&mut p[..n], &g[..n]);
    let (pc, pr) = p.as_chunks_mut::<8>();
    let (gc, gr) = g.as_chunks::<8>();
    for (p, g) in pc.iter_mut().zip(gc) {
        lanes.sub_scaled(p, lr, g);
    }
    for (p, &g) in pr.iter_mut().zip(gr) {
        *p = *p - lr * g;
    }
}

/// An element-wise update that a checked step tests before it writes anything, for
/// [`finite3`]: `witness(a, b, c)` is finite exactly when every new value the update
/// computes from `a`, `b` and `c` is (`w·0 + v·0` of the new `w` and `v`, say: `x·0` is
/// ±0 for a finite `x` and NaN otherwise). Implementations must be `#[inline(always)]`,
/// so that the AVX2 twin compiles them as AVX2 code (a call to a function compiled for
/// the base target would not be).
pub(crate) trait Witness3<T>: Copy {
    /// See the trait.
    fn witness(self, a: T, b: T, c: T) -> T;
}

/// [`Witness3`] with four inputs, for [`finite4`].
pub(crate) trait Witness4<T>: Copy {
    /// See [`Witness3`].
    fn witness(self, a: T, b: T, c: T, d: T) -> T;
}

/// Slices shorter than this are scanned by an inline plain loop: a call to a twin, and
/// the blocked scan's final sum of 32 lanes, would cost more than they save (W1 and W2's
/// tensors have 1 to 8 elements).
const SCAN_MIN: usize = 256;

/// Targets with vector registers, where the scans keep four eight-lane sums. A
/// microcontroller's FPU works one number at a time: there the scans are one plain loop
/// (an OR of "not finite" over the elements), which keeps firmware small and free of the
/// blocked scan's slice bookkeeping. Same verdict either way.
const VECTOR_TARGET: bool = cfg!(any(
    target_arch = "x86_64",
    target_arch = "x86",
    target_arch = "aarch64"
));

/// Whether `x` is NaN or infinite, as an integer (0 or 1), for the plain loops.
#[inline(always)]
fn bad<T: Scalar>(x: T) -> u32 {
    u32::from(!x.is_finite())
}

/// Whether every scalar of `s` is finite (a checked step's input, loss gradient and
/// parameters).
#[inline]
pub(crate) fn finite<T: Scalar>(s: &[T]) -> bool {
    if !VECTOR_TARGET || s.len() < SCAN_MIN {
        return s.iter().fold(0, |acc, &x| acc | bad(x)) == 0;
    }
    finite_seq(s)
}

/// Whether every `p[i] − lr·g[i]` (an SGD step, computed as [`sub_scaled`] computes it)
/// is finite, over the shorter of the two slices.
#[inline]
pub(crate) fn sgd_finite<T: Scalar>(p: &[T], g: &[T], lr: T) -> bool {
    if !VECTOR_TARGET || p.len() < SCAN_MIN {
        let each = p.iter().zip(g);
        return each.fold(0, |acc, (&p, &g)| acc | bad(p - lr * g)) == 0;
    }
    sgd_finite_seq(p, g, lr)
}

/// Whether every `f.witness(a[i], b[i], c[i])` is finite, over the shortest slice.
#[inline]
pub(crate) fn finite3<T: Scalar, F: Witness3<T>>(f: F, a: &[T], b: &[T], c: &[T]) -> bool {
    if !VECTOR_TARGET || a.len() < SCAN_MIN {
        let each = a.iter().zip(b).zip(c);
        return each.fold(0, |acc, ((&a, &b), &c)| acc | bad(f.witness(a, b, c))) == 0;
    }
    finite3_seq(f, a, b, c)
}

/// Whether every `f.witness(a[i], b[i], c[i], d[i])` is finite, over the shortest slice.
#[inline]
pub(crate) fn finite4<T: Scalar, F: Witness4<T>>(f: F, a: &[T], b: &[T], c: &[T], d: &[T]) -> bool {
    if !VECTOR_TARGET || a.len() < SCAN_MIN {
        let each = a.iter().zip(b).zip(c).zip(d);
        let bad4 = |acc, (((&a, &b), &c), &d)| acc | bad(f.witness(a, b, c, d));
        return each.fold(0, bad4) == 0;
    }
    finite4_seq(f, a, b, c, d)
}

/// The rectified linear unit of one value, as [`Relu`](crate::Relu) computes it: `x` if
/// `x > 0`, else `+0` (so NaN and `-0` give `+0`).
#[inline(always)]
pub(crate) fn relu1<T: Scalar>(x: T) -> T {
    if x > T::zero() { x } else { T::zero() }
}

/// The gradient through [`relu1`] at input `x`: `g·1` if `x > 0`, else `g·0` (the product
/// is kept, as [`Relu`](crate::Relu)'s backward keeps it: a NaN or infinite `g` gives NaN,
/// a negative one `-0`).
#[inline(always)]
pub(crate) fn relu_grad1<T: Scalar>(x: T, g: T) -> T {
    g * if x > T::zero() { T::one() } else { T::zero() }
}

/// Batches shorter than this many scalars go through the layer's per-sample loop: the
/// call to a twin would cost more than it saves.
const ELEMENTWISE_MIN: usize = 256;

/// Whether [`relu`] and [`relu_grad`] are worth calling for `n` scalars (on targets with
/// vector registers only: a microcontroller keeps the layer's plain per-sample loop, and
/// firmware its size).
#[inline(always)]
pub(crate) fn elementwise_blocked(n: usize) -> bool {
    VECTOR_TARGET && n >= ELEMENTWISE_MIN
}

/// `y[i] = relu1(x[i])` for every `i` (`x` and `y` of one length): the same bits as
/// [`relu1`] element by element.
#[inline]
pub(crate) fn relu<T: Scalar>(x: &[T], y: &mut [T]) {
    relu_seq(x, y);
}

/// `d[i] = relu_grad1(x[i], g[i])` for every `i` (all three of one length): the same bits
/// as [`relu_grad1`] element by element.
#[inline]
pub(crate) fn relu_grad<T: Scalar>(x: &[T], g: &[T], d: &mut [T]) {
    relu_grad_seq(x, g, d);
}

#[inline(always)]
fn relu_body<L: Lanes, T: Scalar>(lanes: L, x: &[T], y: &mut [T]) {
    let (xc, xr) = x.as_chunks::<8>();
    let (yc, yr) = y.as_chunks_mut::<8>();
    for (x, y) in xc.iter().zip(yc) {
        lanes.relu(x, y);
    }
    for (x, y) in xr.iter().zip(yr) {
        *y = relu1(*x);
    }
}

#[inline(always)]
fn relu_grad_body<L: Lanes, T: Scalar>(lanes: L, x: &[T], g: &[T], d: &mut [T]) {
    let (xc, xr) = x.as_chunks::<8>();
    let (gc, gr) = g.as_chunks::<8>();
    let (dc, dr) = d.as_chunks_mut::<8>();
    for ((x, g), d) in xc.iter().zip(gc).zip(dc) {
        lanes.relu_grad(x, g, d);
    }
    for ((x, g), d) in xr.iter().zip(gr).zip(dr) {
        *d = relu_grad1(*x, *g);
    }
}

/// The scan behind the finiteness checks: whether every value computed element by element
/// from the slices is finite. Each slice is named with the names its eight-element chunks
/// (`&[T; 8]`) and its single elements (`T`) take in the two expressions that follow:
/// `chunk` computes eight values from chunks, `one` one value from elements (the last
/// `n mod 8`, `n` the shortest slice's length).
///
/// Four eight-lane sums of `value·0` run side by side (one would be a chain of dependent
/// additions): `x·0` is ±0 for a finite `x` and NaN otherwise, and NaN stays NaN through
/// the sums, so the verdict is exact and does not depend on the order. The products and
/// sums are lane operations (`L`), so the AVX2 twins compute them with the AVX
/// intrinsics at every `opt-level`.
macro_rules! finite_scan {
    ($lanes:expr, $T:ty, [$($s:ident: $c:ident, $e:ident);+],
     chunk: $chunk:expr, one: $one:expr $(,)?) => {{
        let n = usize::MAX $(.min($s.len()))+;
        let zero = <$T>::zero();
        let (mut z0, mut z1, mut z2, mut z3) = ([zero; 8], [zero; 8], [zero; 8], [zero; 8]);
        let whole = n / 32 * 32;
        // 32 elements at a time, one chunk into each sum
        $(let mut $c = $s[..whole].as_chunks::<32>().0.iter();)+
        loop {
            $(let Some($c) = $c.next() else { break };)+
            $(let $c = $c.as_chunks::<8>().0;)+
            {
                $(let $c: &[$T; 8] = &$c[0];)+
                $lanes.mul_add_s(&$chunk, zero, &mut z0);
            }
            {
                $(let $c: &[$T; 8] = &$c[1];)+
                $lanes.mul_add_s(&$chunk, zero, &mut z1);
            }
            {
                $(let $c: &[$T; 8] = &$c[2];)+
                $lanes.mul_add_s(&$chunk, zero, &mut z2);
            }
            {
                $(let $c: &[$T; 8] = &$c[3];)+
                $lanes.mul_add_s(&$chunk, zero, &mut z3);
            }
        }
        // then up to three chunks, then single elements
        $(let ($c, $e) = $s[whole..n].as_chunks::<8>();)+
        $(let mut $c = $c.iter();)+
        loop {
            $(let Some($c) = $c.next() else { break };)+
            $lanes.mul_add_s(&$chunk, zero, &mut z0);
        }
        let mut sum = zero;
        $(let mut $e = $e.iter();)+
        loop {
            $(let Some(&$e) = $e.next() else { break };)+
            sum = ($one).mul_add_fast(zero, sum);
        }
        for z in [z0, z1, z2, z3] {
            for v in z {
                sum = sum + v;
            }
        }
        sum.is_finite()
    }};
}

#[inline(always)]
fn finite_body<L: Lanes, T: Scalar>(lanes: L, s: &[T]) -> bool {
    finite_scan!(lanes, T, [s: c, e], chunk: *c, one: e)
}

#[inline(always)]
fn sgd_finite_body<L: Lanes, T: Scalar>(lanes: L, p: &[T], g: &[T], lr: T) -> bool {
    finite_scan!(lanes, T, [p: pc, pe; g: gc, ge],
        chunk: {
            let mut q = *pc;
            lanes.sub_scaled(&mut q, lr, gc);
            q
        },
        one: pe - lr * ge,
    )
}

#[inline(always)]
fn finite3_body<L: Lanes, T: Scalar, F: Witness3<T>>(
    lanes: L,
    f: F,
    a: &[T],
    b: &[T],
    c: &[T],
) -> bool {
    finite_scan!(lanes, T, [a: ac, ae; b: bc, be; c: cc, ce],
        chunk: {
            let mut w = [T::zero(); 8];
            for k in 0..8 {
                w[k] = f.witness(ac[k], bc[k], cc[k]);
            }
            w
        },
        one: f.witness(ae, be, ce),
    )
}

#[inline(always)]
fn finite4_body<L: Lanes, T: Scalar, F: Witness4<T>>(
    lanes: L,
    f: F,
    a: &[T],
    b: &[T],
    c: &[T],
    d: &[T],
) -> bool {
    finite_scan!(lanes, T, [a: ac, ae; b: bc, be; c: cc, ce; d: dc, de],
        chunk: {
            let mut w = [T::zero(); 8];
            for k in 0..8 {
                w[k] = f.witness(ac[k], bc[k], cc[k], dc[k]);
            }
            w
        },
        one: f.witness(ae, be, ce, de),
    )
}

// The blocked kernels keep each accumulator in its own `[T; 8]` local: the compiler
// keeps such a local in one vector register (or two SSE registers), whereas an array of
// accumulators indexed in a loop stays in memory when the loop is too large to unroll.

/// Dot products of the rows `w` (`R` of them) with the samples `x` (`S`): the `S × R`
/// eight-lane accumulators named in `$acc` (`name = sample, row`) run over the whole
/// length, then each is reduced exactly as [`dot`] reduces, tail included.
macro_rules! dot_block {
    ($lanes:expr, $T:ty, $I:expr, $w:expr, $x:expr, $S:literal x $R:literal: $($acc:ident = $s:literal, $r:literal);+) => {{
        let (w, x) = ($w, $x);
        $(let mut $acc = [<$T>::zero(); 8];)+
        for c in 0..$I / 8 {
            // chunks taken here, not once before the loop, so that their length is the
            // constant `I / 8` wherever the loop is compiled (at opt-level "s" too) and
            // the index needs no bounds check
            $($lanes.mul_add(&w[$r].as_chunks::<8>().0[c], &x[$s].as_chunks::<8>().0[c], &mut $acc);)+
        }
        let mut out = [[<$T>::zero(); $R]; $S];
        $({
            let mut tail = <$T>::zero();
            for i in $I / 8 * 8..$I {
                tail = w[$r][i].mul_add_fast(x[$s][i], tail);
            }
            out[$s][$r] = reduce(&$acc) + tail;
        })+
        out
    }};
}

/// `ys[b][o] += dot(w[o], xs[b])` for every sample `b` and output `o`, each element
/// computed exactly as [`dot`] computes it: 4 samples × 2 rows per block over a batch,
/// 8 rows for a single sample.
///
/// Why 4 × 2 (measured on a batch of 64 through 784 → 128): the weights do not fit the
/// L1 cache, so each block streams its rows from L2; 4 × 2 needs 2 row loads from L2
/// per 8 multiply-adds against 3 per 9 for 3 × 3 (445 → 394 µs), and its 8 accumulators
/// leave AVX2's sixteen registers room for the operands (4 × 3 spilled). 6 × 2 gained
/// only 1 % more.
#[inline(always)]
fn forward_rows_body<L: Lanes, T: Scalar, const I: usize, const O: usize>(
    lanes: L,
    w: &[[T; I]; O],
    xs: &[[T; I]],
    ys: &mut [[T; O]],
) {
    let mut b = 0;
    while b + 4 <= xs.len() {
        let x: &[[T; I]; 4] = xs[b..b + 4].try_into().unwrap();
        let mut o = 0;
        while o + 2 <= O {
            let wr: &[[T; I]; 2] = w[o..o + 2].try_into().unwrap();
            let d = dot_block!(lanes, T, I, wr, x, 4 x 2:
                a00 = 0, 0; a01 = 0, 1;
                a10 = 1, 0; a11 = 1, 1;
                a20 = 2, 0; a21 = 2, 1;
                a30 = 3, 0; a31 = 3, 1);
            for s in 0..4 {
                for r in 0..2 {
                    ys[b + s][o + r] = ys[b + s][o + r] + d[s][r];
                }
            }
            o += 2;
        }
        for o in o..O {
            let d = dot_block!(lanes, T, I, core::array::from_ref(&w[o]), x, 4 x 1:
                a0 = 0, 0; a1 = 1, 0; a2 = 2, 0; a3 = 3, 0);
            for s in 0..4 {
                ys[b + s][o] = ys[b + s][o] + d[s][0];
            }
        }
        b += 4;
    }
    for (x, y) in xs[b..].iter().zip(&mut ys[b..]) {
        let x = core::array::from_ref(x);
        let mut o = 0;
        while o + 8 <= O {
            let wr: &[[T; I]; 8] = w[o..o + 8].try_into().unwrap();
            let d = dot_block!(lanes, T, I, wr, x, 1 x 8:
                a0 = 0, 0; a1 = 0, 1; a2 = 0, 2; a3 = 0, 3;
                a4 = 0, 4; a5 = 0, 5; a6 = 0, 6; a7 = 0, 7);
            for r in 0..8 {
                y[o + r] = y[o + r] + d[0][r];
            }
            o += 8;
        }
        for o in o..O {
            y[o] = y[o] + dot(&w[o], &x[0]);
        }
    }
}

/// `ys[b][o] += dot(w[o], xs[b])`, as [`forward_rows_body`], for short rows (`I` ≤ 64)
/// and many samples: eight outputs side by side, one per lane, from a copy of their
/// weights with the columns in the lanes (`wt[i][l] = w[o + l][i]`, on the stack). Each
/// lane runs [`dot`]'s own sums: eight partial sums (eight vectors, input `i` into partial
/// `i mod 8`), the same reduction tree (vector adds, lane by lane), the tail from zero,
/// then `ys + d`; the same bits. The blocked rows' kernel reduces each of its eight
/// dot products across lanes, which for rows of 64 cost about as much as the products
/// (the DS-CNN block's pointwise layer, 4000 pixels through `Dense<64, 64>`, ran at
/// about 33 GFLOP/s).
#[inline(always)]
fn forward_cols_body<L: Lanes, T: Scalar, const I: usize, const O: usize>(
    lanes: L,
    w: &[[T; I]; O],
    xs: &[[T; I]],
    ys: &mut [[T; O]],
) {
    let z = [T::zero(); 8];
    let mut wt = [z; I];
    let mut o = 0;
    while o < O {
        let m = (O - o).min(8);
        for (i, col) in wt.iter_mut().enumerate() {
            for l in 0..8 {
                col[l] = if l < m { w[o + l][i] } else { T::zero() };
            }
        }
        let (wc, wr) = wt.as_chunks::<8>();
        for (x, y) in xs.iter().zip(ys.iter_mut()) {
            let (xc, xr) = x.as_chunks::<8>();
            let (mut p0, mut p1, mut p2, mut p3) = (z, z, z, z);
            let (mut p4, mut p5, mut p6, mut p7) = (z, z, z, z);
            for (wj, xj) in wc.iter().zip(xc) {
                lanes.mul_add_s(&wj[0], xj[0], &mut p0);
                lanes.mul_add_s(&wj[1], xj[1], &mut p1);
                lanes.mul_add_s(&wj[2], xj[2], &mut p2);
                lanes.mul_add_s(&wj[3], xj[3], &mut p3);
                lanes.mul_add_s(&wj[4], xj[4], &mut p4);
                lanes.mul_add_s(&wj[5], xj[5], &mut p5);
                lanes.mul_add_s(&wj[6], xj[6], &mut p6);
                lanes.mul_add_s(&wj[7], xj[7], &mut p7);
            }
            // `reduce`: ((p0 + p4) + (p1 + p5)) + ((p2 + p6) + (p3 + p7))
            lanes.add(&p4, &mut p0);
            lanes.add(&p5, &mut p1);
            lanes.add(&p6, &mut p2);
            lanes.add(&p7, &mut p3);
            lanes.add(&p1, &mut p0);
            lanes.add(&p3, &mut p2);
            lanes.add(&p2, &mut p0);
            let mut tail = z;
            for (wi, &xi) in wr.iter().zip(xr) {
                lanes.mul_add_s(wi, xi, &mut tail);
            }
            lanes.add(&tail, &mut p0);
            for (l, yo) in y[o..o + m].iter_mut().enumerate() {
                *yo = *yo + p0[l];
            }
        }
        o += 8;
    }
}

/// Weight gradients: `g[o][i] += Σ_b d[b][o]·xs[b][i]` for the rows `g` of the gradient
/// from row `o0` on, the samples added in order, so each element equals [`axpy`] applied
/// sample after sample. A block of 4 rows × 16
/// columns of `g` stays in registers while the whole batch streams past.
///
/// The blocks go column pair by column pair, every row block within one: the batch's 16
/// columns of `xs` (4 KB for 64 samples) then stay in L1 while the row blocks pass,
/// where rows first re-read all of `xs` from L2 for every row block (W4, batch 64
/// through 784 → 128, Intel Xeon with AVX2, CPU time, both orders run alternately in each
/// of the eight build profiles of `benches/profiles.sh`: 4–8 % faster in every one, e.g.
/// 399–405 → 371–397 µs with the default profile; benches/README.md).
#[inline(always)]
fn outer_acc_body<L: Lanes, T: Scalar, const I: usize, const O: usize>(
    lanes: L,
    g: &mut [[T; I]],
    o0: usize,
    d: &[[T; O]],
    xs: &[[T; I]],
) {
    let chunks = I / 8;
    let full = chunks / 2 * 2;
    let rows = g.len() / 4 * 4;
    let mut c = 0;
    while c < full {
        let mut o = 0;
        while o < rows {
            let (g0, rest) = g[o..].split_first_mut().unwrap();
            let (g1, rest) = rest.split_first_mut().unwrap();
            let (g2, rest) = rest.split_first_mut().unwrap();
            let g3 = &mut rest[0];
            let (g0, g1, g2, g3) = (
                g0.as_chunks_mut::<8>().0,
                g1.as_chunks_mut::<8>().0,
                g2.as_chunks_mut::<8>().0,
                g3.as_chunks_mut::<8>().0,
            );
            let (mut a00, mut a01) = (g0[c], g0[c + 1]);
            let (mut a10, mut a11) = (g1[c], g1[c + 1]);
            let (mut a20, mut a21) = (g2[c], g2[c + 1]);
            let (mut a30, mut a31) = (g3[c], g3[c + 1]);
            for (db, xb) in d.iter().zip(xs) {
                let xc = xb.as_chunks::<8>().0;
                let (x0, x1) = (&xc[c], &xc[c + 1]);
                let (s0, s1, s2, s3) = (db[o0 + o], db[o0 + o + 1], db[o0 + o + 2], db[o0 + o + 3]);
                lanes.mul_add_s(x0, s0, &mut a00);
                lanes.mul_add_s(x1, s0, &mut a01);
                lanes.mul_add_s(x0, s1, &mut a10);
                lanes.mul_add_s(x1, s1, &mut a11);
                lanes.mul_add_s(x0, s2, &mut a20);
                lanes.mul_add_s(x1, s2, &mut a21);
                lanes.mul_add_s(x0, s3, &mut a30);
                lanes.mul_add_s(x1, s3, &mut a31);
            }
            (g0[c], g0[c + 1]) = (a00, a01);
            (g1[c], g1[c + 1]) = (a10, a11);
            (g2[c], g2[c + 1]) = (a20, a21);
            (g3[c], g3[c + 1]) = (a30, a31);
            o += 4;
        }
        c += 2;
    }
    // what the blocks left: remaining rows whole, remaining columns of the blocked rows
    for (r, gr) in g.iter_mut().enumerate() {
        let from = if r < rows { full * 8 } else { 0 };
        let gc = gr.as_chunks_mut::<8>().0;
        for c in from / 8..chunks {
            let mut a = gc[c];
            for (db, xb) in d.iter().zip(xs) {
                lanes.mul_add_s(&xb.as_chunks::<8>().0[c], db[o0 + r], &mut a);
            }
            gc[c] = a;
        }
        for i in chunks * 8..I {
            let mut v = gr[i];
            for (db, xb) in d.iter().zip(xs) {
                v = xb[i].mul_add_fast(db[o0 + r], v);
            }
            gr[i] = v;
        }
    }
}

/// Input gradients: `dx[b][i] = Σ_o d[b][o]·w[o][i]`, the rows added in order from zero,
/// so each element equals [`axpy`] applied row after row. 48 columns (or 32) of one
/// sample's gradient stay in registers while the rows stream past.
#[inline(always)]
fn backward_input_body<L: Lanes, T: Scalar, const I: usize, const O: usize>(
    lanes: L,
    w: &[[T; I]; O],
    d: &[[T; O]],
    dx: &mut [[T; I]],
) {
    let chunks = I / 8;
    for (db, xb) in d.iter().zip(dx.iter_mut()) {
        let xc = xb.as_chunks_mut::<8>().0;
        let mut c = 0;
        // blocks of six chunks, but eight left are two blocks of four (a row of 64, the
        // DS-CNN's pointwise layer: 6 + 2 left two chunks to one dependent chain each)
        while c + 6 <= chunks && chunks - c != 8 {
            let z = [T::zero(); 8];
            let (mut a0, mut a1, mut a2, mut a3, mut a4, mut a5) = (z, z, z, z, z, z);
            for (s, wr) in db.iter().zip(w) {
                let wc = wr.as_chunks::<8>().0;
                let s = *s;
                lanes.mul_add_s(&wc[c], s, &mut a0);
                lanes.mul_add_s(&wc[c + 1], s, &mut a1);
                lanes.mul_add_s(&wc[c + 2], s, &mut a2);
                lanes.mul_add_s(&wc[c + 3], s, &mut a3);
                lanes.mul_add_s(&wc[c + 4], s, &mut a4);
                lanes.mul_add_s(&wc[c + 5], s, &mut a5);
            }
            xc[c..c + 6].copy_from_slice(&[a0, a1, a2, a3, a4, a5]);
            c += 6;
        }
        while c + 4 <= chunks {
            let z = [T::zero(); 8];
            let (mut a0, mut a1, mut a2, mut a3) = (z, z, z, z);
            for (s, wr) in db.iter().zip(w) {
                let wc = wr.as_chunks::<8>().0;
                let s = *s;
                lanes.mul_add_s(&wc[c], s, &mut a0);
                lanes.mul_add_s(&wc[c + 1], s, &mut a1);
                lanes.mul_add_s(&wc[c + 2], s, &mut a2);
                lanes.mul_add_s(&wc[c + 3], s, &mut a3);
            }
            xc[c..c + 4].copy_from_slice(&[a0, a1, a2, a3]);
            c += 4;
        }
        for c in c..chunks {
            let mut a = [T::zero(); 8];
            for (s, wr) in db.iter().zip(w) {
                lanes.mul_add_s(&wr.as_chunks::<8>().0[c], *s, &mut a);
            }
            xc[c] = a;
        }
        for i in chunks * 8..I {
            let mut v = T::zero();
            for (s, wr) in db.iter().zip(w) {
                v = wr[i].mul_add_fast(*s, v);
            }
            xb[i] = v;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::SplitMix64;
    use rand_core::Rng;

    fn fill<const N: usize>(rng: &mut SplitMix64) -> [f32; N] {
        core::array::from_fn(|_| (rng.next_u32() >> 8) as f32 / (1 << 23) as f32 - 1.0)
    }

    /// Sizes that exercise full blocks and every kind of remainder.
    fn check<const I: usize, const O: usize, const B: usize>() {
        let mut rng = SplitMix64::new((I * 1000 + O * 10 + B) as u64);
        let w: [[f32; I]; O] = core::array::from_fn(|_| fill(&mut rng));
        let xs: [[f32; I]; B] = core::array::from_fn(|_| fill(&mut rng));
        let d: [[f32; O]; B] = core::array::from_fn(|_| fill(&mut rng));
        let y0: [f32; O] = fill(&mut rng);
        let g0: [[f32; I]; O] = core::array::from_fn(|_| fill(&mut rng));

        // the simple loops, one sample at a time
        let mut ys_ref = [y0; B];
        let mut g_ref = g0;
        let mut dx_ref = [[0.0f32; I]; B];
        // scale_into is axpy onto zeros, signed zeros included
        for o in 0..O {
            let (mut set, mut added) = ([f32::NAN; I], [0.0f32; I]);
            let s = if o == 0 { -0.0 } else { d[0][o] };
            scale_into(&mut set, s, &xs[0]);
            axpy(&mut added, s, &xs[0]);
            let bits1 = |v: &[f32; I]| v.map(f32::to_bits);
            assert_eq!(bits1(&set), bits1(&added), "scale_into {I}x{O}");
        }
        for b in 0..B {
            for o in 0..O {
                ys_ref[b][o] += dot(&w[o], &xs[b]);
                axpy(&mut g_ref[o], d[b][o], &xs[b]);
                axpy(&mut dx_ref[b], d[b][o], &w[o]);
            }
        }

        let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<std::vec::Vec<_>>();
        // the bodies with the lanes as loops, then the entry points, which run the AVX2
        // twins (intrinsics for `f32`) where the CPU has AVX2
        for wide in [false, true] {
            let mut ys = [y0; B];
            let mut g = g0;
            let mut dx = [[f32::NAN; I]; B];
            let mut set = [[f32::NAN; I]; O];
            let mut p = g0;
            if I <= COLS_MAX_I {
                let mut cols = [y0; B];
                if wide {
                    forward_cols_seq(&w, &xs, &mut cols);
                } else {
                    forward_cols_body(lanes::Plain, &w, &xs, &mut cols);
                }
                let got = bits(cols.as_flattened());
                assert_eq!(got, bits(ys_ref.as_flattened()), "cols {I}x{O} b{B} {wide}");
            }
            if wide {
                forward_rows(&w, &xs, &mut ys);
                outer_acc(&mut g, &d, &xs);
                backward_input(&w, &d, &mut dx);
                outer_set(&mut set, &d[0], &xs[0]);
                sub_scaled(p.as_flattened_mut(), g_ref.as_flattened(), 0.37);
            } else {
                forward_rows_body(lanes::Plain, &w, &xs, &mut ys);
                outer_acc_body(lanes::Plain, &mut g, 0, &d, &xs);
                backward_input_body(lanes::Plain, &w, &d, &mut dx);
                outer_set_body(lanes::Plain, &mut set, &d[0], &xs[0]);
                sub_scaled_body(
                    lanes::Plain,
                    p.as_flattened_mut(),
                    g_ref.as_flattened(),
                    0.37,
                );
            }
            let mut set_ref = [[0.0f32; I]; O];
            let mut p_ref = g0;
            for o in 0..O {
                axpy(&mut set_ref[o], d[0][o], &xs[0]);
                for i in 0..I {
                    p_ref[o][i] -= 0.37 * g_ref[o][i];
                }
            }
            for (name, got, want) in [
                ("forward", ys.as_flattened(), ys_ref.as_flattened()),
                ("weights", g.as_flattened(), g_ref.as_flattened()),
                ("input", dx.as_flattened(), dx_ref.as_flattened()),
                ("set", set.as_flattened(), set_ref.as_flattened()),
                ("sgd", p.as_flattened(), p_ref.as_flattened()),
            ] {
                assert_eq!(bits(got), bits(want), "{name} {I}x{O} b{B} wide {wide}");
            }
        }
    }

    /// `f64` through the entry points (the AVX2 twins' loops, not their `f32`
    /// intrinsics) gives the simple loops' bits too.
    #[test]
    fn f64_kernels_give_the_bits_of_the_simple_loops() {
        let v = |i: usize| ((i * 7919 % 1000) as f64 - 500.0) / 333.0;
        let w: [[f64; 37]; 9] = core::array::from_fn(|o| core::array::from_fn(|i| v(o * 37 + i)));
        let xs: [[f64; 37]; 5] = core::array::from_fn(|b| core::array::from_fn(|i| v(b + i * 3)));
        let d: [[f64; 9]; 5] = core::array::from_fn(|b| core::array::from_fn(|o| v(b * 11 + o)));
        let (mut ys, mut g, mut p) = ([[0.5f64; 9]; 5], w, w);
        forward_rows(&w, &xs, &mut ys);
        outer_acc(&mut g, &d, &xs);
        sub_scaled(p.as_flattened_mut(), w.as_flattened(), 0.25);
        for b in 0..5 {
            for o in 0..9 {
                assert_eq!(ys[b][o].to_bits(), (0.5 + dot(&w[o], &xs[b])).to_bits());
            }
        }
        let mut g_ref = w;
        for b in 0..5 {
            for o in 0..9 {
                axpy(&mut g_ref[o], d[b][o], &xs[b]);
            }
        }
        let bits = |a: &[[f64; 37]; 9]| a.map(|r| r.map(f64::to_bits));
        assert_eq!(bits(&g), bits(&g_ref));
        for (pv, wv) in p.as_flattened().iter().zip(w.as_flattened()) {
            assert_eq!(pv.to_bits(), (wv - 0.25 * wv).to_bits());
        }
    }

    /// The entry points run the AVX2 twins on a CPU with AVX2 (a build whose base target
    /// has AVX2 has no twins: its base code is the AVX2 code).
    #[test]
    #[cfg(all(feature = "std", target_arch = "x86_64", not(target_feature = "avx2")))]
    fn the_avx2_twins_run_where_the_cpu_has_avx2() {
        let (w, xs) = ([[1.0f32; 16]; 16], [[2.0f32; 16]; 3]);
        let mut ys = [[0.0f32; 16]; 3];
        let before = AVX2_RUNS.get();
        forward_rows(&w, &xs, &mut ys);
        assert_eq!(ys, [[32.0; 16]; 3]);
        let ran = AVX2_RUNS.get() > before;
        assert_eq!(ran, std::is_x86_feature_detected!("avx2"));
    }

    /// The checked steps' finiteness scans run their AVX2 twins on a CPU with AVX2, each
    /// of them, for `f32` and `f64`, from the optimizers' checked steps too.
    #[test]
    #[cfg(all(feature = "std", target_arch = "x86_64", not(target_feature = "avx2")))]
    fn the_finiteness_scans_run_their_avx2_twins_where_the_cpu_has_avx2() {
        use crate::optim::{Adam, Momentum, Optimizer, Sgd};
        use crate::{Dense, Layer};
        type Net = Dense<32, 16>;
        let avx2 = std::is_x86_feature_detected!("avx2");
        let runs = |f: &dyn Fn() -> bool| {
            let before = AVX2_RUNS.get();
            assert!(f(), "all finite");
            AVX2_RUNS.get() - before
        };
        let x = [0.5f32; 300];
        let y = [0.25f64; 300];
        let expect = usize::from(avx2);
        assert_eq!(runs(&|| finite(&x)), expect, "finite f32");
        assert_eq!(runs(&|| finite(&y)), expect, "finite f64");
        assert_eq!(runs(&|| sgd_finite(&x, &x, 0.1)), expect, "sgd f32");
        assert_eq!(runs(&|| sgd_finite(&y, &y, 0.1)), expect, "sgd f64");
        assert_eq!(runs(&|| finite3(Sum, &x, &x, &x)), expect, "finite3");
        assert_eq!(runs(&|| finite4(Sum, &y, &y, &y, &y)), expect, "finite4");
        // short slices stay in the caller's code
        assert_eq!(runs(&|| finite(&x[..SCAN_MIN - 1])), 0, "short");
        // the optimizers' checked steps: one scan of the 32×16 weights (the 16 biases are
        // short), then the step's own kernels
        let net: Net = Layer::initialized(crate::Init::Uniform, &mut SplitMix64::new(3));
        let grads = net;
        let step = |o: &mut dyn Optimizer<Net>| {
            let mut n = net;
            let before = AVX2_RUNS.get();
            o.try_step(&mut n, &grads).unwrap();
            AVX2_RUNS.get() - before
        };
        let mut sgd = Sgd::new(0.1).unwrap();
        let plain_sgd = {
            let mut n = net;
            let before = AVX2_RUNS.get();
            sgd.step(&mut n, &grads);
            AVX2_RUNS.get() - before
        };
        assert_eq!(step(&mut sgd), plain_sgd + expect, "Sgd::try_step");
        let mut momentum = Momentum::new(0.1, 0.9).unwrap();
        assert_eq!(step(&mut momentum), expect, "Momentum::try_step");
        let mut adam = Adam::new(0.01).unwrap();
        assert_eq!(step(&mut adam), expect, "Adam::try_step");
    }

    /// With the `parallel` feature, kernels split across threads give the one-thread bits
    /// (sizes whose parts are not whole blocks, and more threads than blocks fit).
    #[cfg(feature = "parallel")]
    fn check_parallel<const I: usize, const O: usize>(b: usize, threads: usize) {
        use std::vec::Vec;
        let mut rng = SplitMix64::new((I * O + b) as u64);
        let w: Vec<[f32; I]> = (0..O).map(|_| fill(&mut rng)).collect();
        let w: &[[f32; I]; O] = w.as_slice().try_into().unwrap();
        let xs: Vec<[f32; I]> = (0..b).map(|_| fill(&mut rng)).collect();
        let d: Vec<[f32; O]> = (0..b).map(|_| fill(&mut rng)).collect();
        let ys0: Vec<[f32; O]> = (0..b).map(|_| fill(&mut rng)).collect();
        let g0: Vec<[f32; I]> = (0..O).map(|_| fill(&mut rng)).collect();
        let run = || {
            let (mut ys, mut g) = (ys0.clone(), g0.clone());
            let mut dx = std::vec![[f32::NAN; I]; b];
            forward_rows(w, &xs, &mut ys);
            outer_acc((&mut g[..]).try_into().unwrap(), &d, &xs);
            backward_input(w, &d, &mut dx);
            (ys, g, dx)
        };
        let pool = |n| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .unwrap()
        };
        assert!(par::parts(b * I * O).is_some(), "big enough to split");
        let one = pool(1).install(run);
        let many = pool(threads).install(run);
        let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(one.0.as_flattened()), bits(many.0.as_flattened()));
        assert_eq!(bits(one.1.as_flattened()), bits(many.1.as_flattened()));
        assert_eq!(bits(one.2.as_flattened()), bits(many.2.as_flattened()));
        // and the one-thread run is the simple loops' (the kernels' test above)
        let mut g_ref = g0.clone();
        for (db, xb) in d.iter().zip(&xs) {
            for o in 0..O {
                axpy(&mut g_ref[o], db[o], xb);
            }
        }
        assert_eq!(bits(one.1.as_flattened()), bits(g_ref.as_flattened()));
    }

    #[test]
    #[cfg(feature = "parallel")]
    fn kernels_split_across_threads_give_the_one_thread_bits() {
        check_parallel::<784, 130>(29, 2);
        check_parallel::<300, 37>(61, 3);
        check_parallel::<1000, 9>(64, 7);
    }

    /// A witness for the scan tests: `a + b + c (+ d)`, which overflows for large inputs.
    #[derive(Clone, Copy)]
    struct Sum;

    impl<T: Scalar> Witness3<T> for Sum {
        #[inline(always)]
        fn witness(self, a: T, b: T, c: T) -> T {
            a + b + c
        }
    }

    impl<T: Scalar> Witness4<T> for Sum {
        #[inline(always)]
        fn witness(self, a: T, b: T, c: T, d: T) -> T {
            a + b + c + d
        }
    }

    /// Every scan, through the lanes as loops and through the entry points (the AVX2
    /// twins where the CPU has AVX2), against `is_finite` element by element: all finite,
    /// then a NaN, an infinity, or values whose update overflows, at each position (every
    /// block, chunk and tail position of lengths around the blocks of 32).
    fn check_scans<T: Scalar>(big: T) {
        let v = |i: usize| T::from_f64(((i * 7919) % 1000) as f64 / 250.0 - 2.0);
        let lr = T::from_f64(0.37);
        for n in (0..100).chain([255, 256, 257, 300, 1000, 1003]) {
            let a: std::vec::Vec<T> = (0..n).map(v).collect();
            let b: std::vec::Vec<T> = (0..n).map(|i| v(i + 3)).collect();
            let positions = (0..n).filter(|i| n < 100 || i % 31 == 0 || *i + 40 > n);
            for at in [None].into_iter().chain(positions.map(Some)) {
                for bad in [T::nan(), T::infinity(), T::neg_infinity(), big] {
                    let mut a = a.clone();
                    let mut b = b.clone();
                    if let Some(i) = at {
                        a[i] = bad;
                        // with `big` in `a`: `a − lr·b` overflows for `b = −big`, the
                        // sums for `b = big`
                        b[i] = if i % 2 == 0 { big } else { -big };
                    }
                    let want_finite = a.iter().all(|x| x.is_finite());
                    let want_sgd = a.iter().zip(&b).all(|(p, g)| (*p - lr * *g).is_finite());
                    let want3 = (0..n).all(|i| (a[i] + b[i] + a[i]).is_finite());
                    let want4 = (0..n).all(|i| (a[i] + b[i] + a[i] + b[i]).is_finite());
                    let got = [
                        (finite(&a), finite_body(lanes::Plain, &a)),
                        (
                            sgd_finite(&a, &b, lr),
                            sgd_finite_body(lanes::Plain, &a, &b, lr),
                        ),
                        (
                            finite3(Sum, &a, &b, &a),
                            finite3_body(lanes::Plain, Sum, &a, &b, &a),
                        ),
                        (
                            finite4(Sum, &a, &b, &a, &b),
                            finite4_body(lanes::Plain, Sum, &a, &b, &a, &b),
                        ),
                    ];
                    let want = [want_finite, want_sgd, want3, want4];
                    for (k, ((entry, plain), want)) in got.iter().zip(want).enumerate() {
                        let what = (k, n, at, bad);
                        assert_eq!(*entry, want, "entry point {what:?}");
                        assert_eq!(*plain, want, "loops {what:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn finiteness_scans_agree_with_is_finite_element_by_element() {
        check_scans::<f32>(f32::MAX);
        check_scans::<f64>(f64::MAX);
    }

    #[test]
    fn blocked_kernels_give_the_bits_of_the_simple_loops() {
        check::<784, 13, 9>();
        check::<50, 8, 4>();
        check::<7, 3, 1>();
        check::<48, 17, 5>();
        check::<130, 10, 2>();
        check::<1, 1, 3>();
        check::<24, 4, 4>();
        check::<200, 9, 7>();
        // a batch longer than `outer_acc` takes in one part
        check::<24, 600, 40>();
        // outputs in the lanes (rows up to 64 long, eight samples or more)
        check::<64, 64, 9>();
        check::<13, 8, 8>();
        check::<64, 20, 12>();
        // rows of 8, 10, 14 and 15 chunks: the input gradient's blocks of six and four
        check::<64, 5, 3>();
        check::<83, 4, 2>();
        check::<112, 3, 2>();
        check::<127, 3, 1>();
    }

    /// `Relu`'s whole-batch kernels against its per-sample `forward` and `backward`, bit
    /// for bit, on every pair of special values (NaN of both signs, ±0, ±∞, subnormals)
    /// as input and gradient, for `f32` (AVX2 intrinsics in the twin) and `f64` (loops),
    /// with a tail of fewer than eight scalars; and the twin runs where the CPU has AVX2.
    fn check_relu<T: Scalar + core::fmt::Debug, const N: usize, const B: usize>(
        specials: &[T],
        bits: impl Fn(T) -> u64,
    ) -> usize {
        use crate::{Layer, Relu, Train};
        let k = specials.len();
        let at = |i: usize| specials[i % k];
        let xs: [[T; N]; B] = core::array::from_fn(|b| core::array::from_fn(|i| at(b * N + i)));
        let gs: [[T; N]; B] =
            core::array::from_fn(|b| core::array::from_fn(|i| at((b * N + i) / k)));
        let relu = Relu::<N, T>::new();
        let mut ys = [[T::zero(); N]; B];
        let mut dxs = [[T::zero(); N]; B];
        #[cfg(all(feature = "std", target_arch = "x86_64", not(target_feature = "avx2")))]
        let before = AVX2_RUNS.get();
        relu.forward_batch(&xs, &mut ys, &mut []).unwrap();
        let mut grads = relu;
        relu.backward_batch(&xs, &ys, &gs, Some(&mut dxs), &mut grads, &mut [])
            .unwrap();
        #[cfg(all(feature = "std", target_arch = "x86_64", not(target_feature = "avx2")))]
        let runs = AVX2_RUNS.get() - before;
        #[cfg(not(all(feature = "std", target_arch = "x86_64", not(target_feature = "avx2"))))]
        let runs = 0;
        for b in 0..B {
            let (y, cache) = relu.forward_train(&xs[b]);
            let dx = relu.backward(&cache, &gs[b], &mut grads);
            let y1 = relu.forward(&xs[b]);
            for i in 0..N {
                let what = (xs[b][i], gs[b][i]);
                assert_eq!(bits(ys[b][i]), bits(y[i]), "forward {what:?}");
                assert_eq!(bits(ys[b][i]), bits(y1[i]), "forward {what:?}");
                assert_eq!(bits(dxs[b][i]), bits(dx[i]), "backward {what:?}");
            }
        }
        runs
    }

    #[test]
    fn relu_batch_kernels_give_the_per_sample_bits_for_special_values() {
        let f32s = [
            f32::NAN,
            -f32::NAN,
            0.0,
            -0.0,
            f32::INFINITY,
            f32::NEG_INFINITY,
            1.5,
            -2.25,
            f32::from_bits(1),
            -f32::from_bits(1),
            f32::MAX,
            f32::MIN,
            f32::MIN_POSITIVE,
        ];
        let f64s = f32s.map(f64::from);
        let b32 = |x: f32| u64::from(x.to_bits());
        let b64 = |x: f64| x.to_bits();
        // 13 specials: 169 pairs, in batches of 11·30 = 330 and 13·40 = 520 scalars
        // (a tail of 2 and of 0 after the eight-scalar chunks)
        let big = check_relu::<f32, 11, 30>(&f32s, b32) + check_relu::<f32, 13, 40>(&f32s, b32);
        check_relu::<f64, 11, 30>(&f64s, b64);
        check_relu::<f64, 13, 40>(&f64s, b64);
        // short batches keep the per-sample loop
        let short = check_relu::<f32, 7, 3>(&f32s, b32);
        assert_eq!(short, 0);
        #[cfg(all(feature = "std", target_arch = "x86_64", not(target_feature = "avx2")))]
        assert_eq!(big, 4 * usize::from(std::is_x86_feature_detected!("avx2")));
        let _ = big;
    }
}
