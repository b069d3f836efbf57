//! Tests of the convolution kernels: finite differences, naive loops, NumPy goldens.
//!
//! Every test runs in f64 with tight tolerances and in f32 with loose ones. The naive
//! references here compute in f64 from the same inputs, by a different route: an
//! explicitly zero-padded copy of the image and plain loops, with the output sizes and
//! padding written out again from TFLite's formulas rather than taken from `shape`.

// exact comparisons are deliberate where the value is exact (maxima, clamps, bits)
#![allow(
    clippy::too_many_arguments,
    clippy::cast_possible_wrap,
    clippy::cast_sign_loss,
    clippy::float_cmp
)]

mod batch_norm;
mod conv;
mod golden;
mod lanes;
mod pool;

use crate::rng::SplitMix64;
use crate::scalar::Scalar;
use std::vec::Vec;

/// Tolerances per precision: the finite-difference step, the allowed gradient error,
/// and the allowed forward error against an f64 reference.
pub(super) trait Tol: Scalar {
    const STEP: f64;
    const GRAD: f64;
    const FWD: f64;
    /// The value in f64 (`Scalar::to_f64`, named apart from `ToPrimitive::to_f64`).
    fn f64(self) -> f64 {
        Scalar::to_f64(self)
    }
}
impl Tol for f64 {
    const STEP: f64 = 1e-5;
    const GRAD: f64 = 1e-7;
    const FWD: f64 = 1e-12;
}
impl Tol for f32 {
    const STEP: f64 = 1e-2;
    const GRAD: f64 = 3e-3;
    const FWD: f64 = 1e-5;
}

/// A nested array seen as its flat run of scalars (channels last: the run is the memory).
pub(super) trait Flat: Copy {
    type E: Tol;
    fn flat(&self) -> &[Self::E];
    fn flat_mut(&mut self) -> &mut [Self::E];
    fn zero() -> Self;
}
impl<T: Tol, const A: usize> Flat for [T; A] {
    type E = T;
    fn flat(&self) -> &[T] {
        self
    }
    fn flat_mut(&mut self) -> &mut [T] {
        self
    }
    fn zero() -> Self {
        [T::zero(); A]
    }
}
impl<T: Tol, const A: usize, const B: usize> Flat for [[T; A]; B] {
    type E = T;
    fn flat(&self) -> &[T] {
        self.as_flattened()
    }
    fn flat_mut(&mut self) -> &mut [T] {
        self.as_flattened_mut()
    }
    fn zero() -> Self {
        [[T::zero(); A]; B]
    }
}
impl<T: Tol, const A: usize, const B: usize, const D: usize> Flat for [[[T; A]; B]; D] {
    type E = T;
    fn flat(&self) -> &[T] {
        self.as_flattened().as_flattened()
    }
    fn flat_mut(&mut self) -> &mut [T] {
        self.as_flattened_mut().as_flattened_mut()
    }
    fn zero() -> Self {
        [[[T::zero(); A]; B]; D]
    }
}
impl<T: Tol, const A: usize, const B: usize, const D: usize, const E: usize> Flat
    for [[[[T; A]; B]; D]; E]
{
    type E = T;
    fn flat(&self) -> &[T] {
        self.as_flattened().as_flattened().as_flattened()
    }
    fn flat_mut(&mut self) -> &mut [T] {
        self.as_flattened_mut()
            .as_flattened_mut()
            .as_flattened_mut()
    }
    fn zero() -> Self {
        [[[[T::zero(); A]; B]; D]; E]
    }
}

/// A zeroed value of any nested array type.
pub(super) fn zeros<A: Flat>() -> A {
    A::zero()
}

/// Fills with draws from `U(-1, 1)`.
pub(super) fn fill<T: Scalar>(rng: &mut SplitMix64, s: &mut [T]) {
    for v in s {
        *v = T::unit(rng) * T::from_f64(2.0) - T::one();
    }
}

/// A random value of a nested array type.
pub(super) fn random<A: Flat>(rng: &mut SplitMix64) -> A {
    let mut a = A::zero();
    fill(rng, a.flat_mut());
    a
}

pub(super) fn to_f64<T: Tol>(s: &[T]) -> Vec<f64> {
    s.iter().map(|v| v.f64()).collect()
}

/// `Σ r·y` in f64: the loss whose gradient with respect to `y` is `r`.
pub(super) fn weighted_sum<T: Tol>(r: &[T], y: &[T]) -> f64 {
    assert_eq!(r.len(), y.len());
    r.iter().zip(y).map(|(a, b)| a.f64() * b.f64()).sum()
}

/// Checks `analytic[i] ≈ ∂loss/∂v[i]` for every `i` by central differences with the
/// step of `T` (the step actually taken after rounding to `T`).
pub(super) fn check_fd<T: Tol>(
    what: &str,
    v: &mut [T],
    analytic: &[T],
    mut loss: impl FnMut(&[T]) -> f64,
) {
    assert_eq!(v.len(), analytic.len(), "{what}: lengths");
    for i in 0..v.len() {
        let orig = v[i];
        let up = T::from_f64(orig.f64() + T::STEP);
        let down = T::from_f64(orig.f64() - T::STEP);
        v[i] = up;
        let lp = loss(v);
        v[i] = down;
        let lm = loss(v);
        v[i] = orig;
        let numeric = (lp - lm) / (up.f64() - down.f64());
        let a = analytic[i].f64();
        assert!(
            (numeric - a).abs() <= T::GRAD * (1.0 + a.abs()),
            "{what} [{}] element {i}: analytic {a}, finite differences {numeric}",
            T::NAME
        );
    }
}

/// Asserts `got ≈ want` elementwise within `tol·(1 + |want|)`.
pub(super) fn assert_close(what: &str, got: &[f64], want: &[f64], tol: f64) {
    assert_eq!(got.len(), want.len(), "{what}: lengths");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= tol * (1.0 + w.abs()),
            "{what} element {i}: got {g}, want {w}"
        );
    }
}

/// Output length and padding before, written again from TFLite's rules (independent of
/// `shape`): VALID `⌊(in − k)/s⌋ + 1`, SAME `⌈in/s⌉` with `⌊total/2⌋` before.
pub(super) fn ref_geometry(same: bool, input: usize, k: usize, s: usize) -> (usize, usize) {
    if same {
        let out = input.div_ceil(s);
        let total = ((out - 1) * s + k) as isize - input as isize;
        (out, (total.max(0) / 2) as usize)
    } else {
        ((input - k) / s + 1, 0)
    }
}

/// An `h × w × c` image (flat, f64) copied into a zero-padded canvas of `ph × pw` with
/// `top`, `left` zero rows and columns before it; cells of the canvas are `None` where
/// they are padding.
pub(super) fn padded(
    x: &[f64],
    (h, w, c): (usize, usize, usize),
    (top, left): (usize, usize),
    (ph, pw): (usize, usize),
) -> Vec<Option<f64>> {
    let mut out = std::vec![None; ph * pw * c];
    for y in 0..h {
        for xx in 0..w {
            let (py, px) = (y + top, xx + left);
            if py < ph && px < pw {
                for ch in 0..c {
                    out[(py * pw + px) * c + ch] = Some(x[(y * w + xx) * c + ch]);
                }
            }
        }
    }
    out
}
