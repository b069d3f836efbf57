//! Optimizers: how parameters move, given their gradients.
//!
//! # Settings are checked when they are made
//!
//! [`Sgd::new`], [`Momentum::new`], [`Adam::new`] and their builders return a `Result`:
//! a learning rate that is negative, infinite or NaN, a momentum or β outside `[0, 1)`, a
//! non-positive ε or a negative weight decay is an [`InvalidSetting`] where it is
//! written, not a network full of NaN (or one trained uphill) later. A `const`
//! constructor that rejects bad literals at compile time was the alternative; it was not
//! taken because the scalar is generic (`f32` or `f64`), and a `const fn` cannot compare
//! a generic float on stable Rust, so it would have covered literals of one type only.
//!
//! The settings are public fields (a schedule changes `learning_rate` between epochs), so
//! [`Optimizer::check_settings`] checks them again: [`Trainer`](crate::Trainer) before
//! every epoch, [`Optimizer::try_step`] before every step.

mod adam;
pub(crate) mod clip;
mod momentum;
mod sgd;

pub use adam::Adam;
pub use clip::{clip_grad_norm, grad_norm};
pub use momentum::Momentum;
pub use sgd::Sgd;

use crate::layer::Layer;
use crate::scalar::Scalar;
use core::fmt;

/// Updates a network's parameters from gradients of the same shape.
///
/// An optimizer with per-parameter state (momentum, Adam's moments) keeps that state as
/// values of the network's own type `N`, so its size is known at compile time.
pub trait Optimizer<N: Layer> {
    /// Moves every parameter of `net` using `grads`. The gradients are not changed; zero
    /// them yourself (see [`Layer::zero_params`]) before accumulating the next batch.
    fn step(&mut self, net: &mut N, grads: &N);

    /// Checks the optimizer's settings (its public fields may have changed since it was
    /// built). The default accepts any.
    ///
    /// # Errors
    /// [`InvalidSetting`] naming the first setting out of its range.
    fn check_settings(&self) -> Result<(), InvalidSetting> {
        Ok(())
    }

    /// [`step`](Self::step), checked: if the settings are invalid, a gradient is NaN or
    /// infinite, or the update would make a parameter (or the optimizer's state)
    /// non-finite, returns the error and changes **nothing**, neither `net` nor the
    /// optimizer's state.
    ///
    /// The built-in optimizers compute every new value once without storing it, check
    /// it, then step: the check costs about as much as the update itself. The default,
    /// for optimizers that do not override it, checks the settings and the gradients
    /// only (it cannot foresee an unknown update rule).
    ///
    /// ```
    /// use typenet::{Dense, Optimizer, Sgd, StepError};
    /// let mut net = Dense::<1, 1>::new([[1.0]], [0.0]);
    /// let mut sgd = Sgd::new(0.5)?;
    /// let bad = Dense::<1, 1>::new([[f32::NAN]], [1.0]);
    /// assert_eq!(sgd.try_step(&mut net, &bad), Err(StepError::NonFiniteGradient));
    /// assert_eq!(net, Dense::new([[1.0]], [0.0])); // untouched
    /// let huge = Dense::<1, 1>::new([[f32::MAX]], [0.0]);
    /// net.weights[0][0] = -f32::MAX;
    /// sgd.learning_rate = 2.0; // −MAX − 2·MAX overflows
    /// assert_eq!(sgd.try_step(&mut net, &huge), Err(StepError::NonFiniteUpdate));
    /// # Ok::<(), typenet::optim::InvalidSetting>(())
    /// ```
    ///
    /// # Errors
    /// [`StepError::Setting`], [`StepError::NonFiniteGradient`] or
    /// [`StepError::NonFiniteUpdate`].
    fn try_step(&mut self, net: &mut N, grads: &N) -> Result<(), StepError> {
        self.check_settings()?;
        if !all_finite(grads) {
            return Err(StepError::NonFiniteGradient);
        }
        self.step(net, grads);
        Ok(())
    }
}

/// A setting out of its range: which one, and the range it must lie in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InvalidSetting {
    /// The setting, as the docs name it: `"learning rate"`, `"β₁"`, `"max_norm"`, ….
    pub name: &'static str,
    /// What it must be: `"finite and ≥ 0"`, `"in [0, 1)"`, ….
    pub range: &'static str,
}

impl fmt::Display for InvalidSetting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the {} must be {}", self.name, self.range)
    }
}

impl core::error::Error for InvalidSetting {}

/// Why a checked step ([`Optimizer::try_step`], [`try_train_step`](crate::try_train_step))
/// did not run. In every case nothing was changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepError {
    /// A setting of the optimizer is out of its range.
    Setting(InvalidSetting),
    /// The input holds a NaN or an infinity.
    NonFiniteInput,
    /// The loss or its gradient is NaN or infinite (a non-finite target, or an output
    /// that overflowed).
    NonFiniteLoss,
    /// A parameter gradient is NaN or infinite (for instance `0·∞` where a saturated
    /// activation met an infinite input).
    NonFiniteGradient,
    /// The gradients are finite, but the update would make a parameter or the
    /// optimizer's state overflow.
    NonFiniteUpdate,
}

impl fmt::Display for StepError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Setting(s) => s.fmt(f),
            Self::NonFiniteInput => f.write_str("the input is not finite"),
            Self::NonFiniteLoss => f.write_str("the loss or its gradient is not finite"),
            Self::NonFiniteGradient => f.write_str("a parameter gradient is not finite"),
            Self::NonFiniteUpdate => {
                f.write_str("the update would make a parameter or optimizer state non-finite")
            }
        }
    }
}

impl core::error::Error for StepError {}

impl From<InvalidSetting> for StepError {
    fn from(e: InvalidSetting) -> Self {
        Self::Setting(e)
    }
}

/// Lanes of the finiteness checks: 8 where the target has vector registers (x86, ARM
/// A-profile), 1 elsewhere, where eight unrolled lanes only cost flash (+840 B in the
/// `fit` firmware on a Cortex-M3). The checks' result does not depend on it.
const LANES: usize = if cfg!(any(
    target_arch = "x86_64",
    target_arch = "x86",
    target_arch = "aarch64"
)) {
    8
} else {
    1
};

/// Defines `$name(slices…, f) -> bool`: whether `f` of the slices' elements (zipped, equal
/// lengths) is finite everywhere. `f` returns a *witness*: a value that is NaN or
/// infinite when one of the values it checks is (`0·x` is ±0 for a finite `x` and NaN
/// otherwise, so the sum of `0·xᵢ` witnesses all `xᵢ`). [`LANES`] independent lanes of
/// `acc + 0·witness`, with no branch and no loop-carried dependency between lanes, so
/// the compiler vectorises the check (a chain of Boolean ANDs did not: the checked
/// 784-128-10 step took 1.9× as long as the unchecked one).
macro_rules! finite_zip {
    ($(#[$doc:meta])* $name:ident($($s:ident),+)) => {
        $(#[$doc])*
        #[inline(always)]
        pub(crate) fn $name<T: Scalar>($($s: &[T],)+ f: impl Fn($(finite_zip!(@t $s T)),+) -> T) -> bool {
            let zero = T::zero();
            let mut acc = [zero; LANES];
            // Each slice as whole chunks of 8 and a tail.
            let chunks = ($($s.as_chunks::<LANES>(),)+);
            let ($($s,)+) = chunks;
            let heads = ($($s.0.iter(),)+);
            let tails = ($($s.1.iter(),)+);
            finite_zip!(@loop heads acc f zero [$($s)+]);
            finite_zip!(@tail tails acc f zero [$($s)+]);
            acc.iter().fold(true, |ok, &a| ok & (a == zero))
        }
    };
    (@t $s:ident $T:ident) => { $T };
    (@loop $heads:ident $acc:ident $f:ident $zero:ident [$a:ident $($rest:ident)*]) => {
        #[allow(non_snake_case)]
        let ($a, $($rest,)*) = $heads;
        for ($a, $($rest,)*) in finite_zip!(@zip $a $($rest)*) {
            for j in 0..LANES {
                $acc[j] = $acc[j] + $f($a[j], $($rest[j]),*) * $zero;
            }
        }
    };
    (@tail $tails:ident $acc:ident $f:ident $zero:ident [$a:ident $($rest:ident)*]) => {
        let ($a, $($rest,)*) = $tails;
        for ($a, $($rest,)*) in finite_zip!(@zip $a $($rest)*) {
            $acc[0] = $acc[0] + $f(*$a, $(*$rest),*) * $zero;
        }
    };
    (@zip $a:ident) => { $a.map(|a| (a,)) };
    (@zip $a:ident $b:ident) => { $a.zip($b) };
    (@zip $a:ident $b:ident $c:ident) => { $a.zip($b).zip($c).map(|((a, b), c)| (a, b, c)) };
    (@zip $a:ident $b:ident $c:ident $d:ident) => {
        $a.zip($b).zip($c).zip($d).map(|(((a, b), c), d)| (a, b, c, d))
    };
}

finite_zip!(
    /// Whether `f(a[i])` is finite for every `i`.
    finite_map1(a)
);
finite_zip!(
    /// Whether `f(a[i], b[i])` is finite for every `i`.
    finite_map2(a, b)
);
finite_zip!(
    /// Whether `f(a[i], b[i], c[i])` is finite for every `i`.
    finite_map3(a, b, c)
);
finite_zip!(
    /// Whether `f(a[i], b[i], c[i], d[i])` is finite for every `i`.
    finite_map4(a, b, c, d)
);

/// Whether every scalar of `s` is finite.
#[inline]
pub(crate) fn finite_slice<T: Scalar>(s: &[T]) -> bool {
    finite_map1(s, |x| x)
}

/// Whether every parameter of `net` is finite.
pub(crate) fn all_finite<N: Layer>(net: &N) -> bool {
    let mut ok = true;
    net.visit_params(&mut |p| ok &= finite_slice(p));
    ok
}

/// The error of a checked step whose new values were not all finite: the gradients', if
/// one of them is not finite, else the update's. Only called on that error path, so the
/// checking pass itself tests the new values alone.
#[cold]
pub(crate) fn rejected<N: Layer>(grads: &N) -> StepError {
    if all_finite(grads) {
        StepError::NonFiniteUpdate
    } else {
        StepError::NonFiniteGradient
    }
}

const FINITE_NON_NEGATIVE: &str = "finite and ≥ 0";

/// `v`, if it is finite and at least 0 (learning rates, weight decay).
pub(crate) fn non_negative<T: Scalar>(v: T, name: &'static str) -> Result<T, InvalidSetting> {
    if v.is_finite() && v >= T::zero() {
        Ok(v)
    } else {
        Err(InvalidSetting {
            name,
            range: FINITE_NON_NEGATIVE,
        })
    }
}

/// `v`, if it is finite and above 0 (Adam's ε).
pub(crate) fn positive<T: Scalar>(v: T, name: &'static str) -> Result<T, InvalidSetting> {
    if v.is_finite() && v > T::zero() {
        Ok(v)
    } else {
        Err(InvalidSetting {
            name,
            range: "finite and > 0",
        })
    }
}

/// `v`, if it lies in `[0, 1)` (momentum, Adam's βs: a decay of 1 or more never forgets,
/// and its state grows without bound).
pub(crate) fn decay<T: Scalar>(v: T, name: &'static str) -> Result<T, InvalidSetting> {
    if v >= T::zero() && v < T::one() {
        Ok(v)
    } else {
        Err(InvalidSetting {
            name,
            range: "in [0, 1)",
        })
    }
}

/// A running sum with Kahan's compensation, in the network's own scalar: the error stays
/// near one rounding of the result, however many terms (an epoch's losses, a large
/// network's squared gradients), instead of growing with their count as a plain `f32`
/// sum's does. Summing in `f64` instead would link software double-precision routines
/// into `f32` firmware on microcontrollers without a double-precision FPU.
#[derive(Clone, Copy, Debug)]
pub(crate) struct KahanSum<T> {
    sum: T,
    /// The low-order part lost from `sum` so far, negated.
    carry: T,
}

impl<T: Scalar> KahanSum<T> {
    pub(crate) fn new() -> Self {
        Self {
            sum: T::zero(),
            carry: T::zero(),
        }
    }

    #[inline]
    pub(crate) fn add(&mut self, x: T) {
        let y = x - self.carry;
        let t = self.sum + y;
        self.carry = (t - self.sum) - y;
        self.sum = t;
    }

    /// The sum; NaN or infinite if a term was (an infinite term makes the carry NaN,
    /// which the next term carries into the sum).
    #[inline]
    pub(crate) fn get(&self) -> T {
        self.sum
    }
}

#[cfg(test)]
#[allow(clippy::float_cmp)]
mod tests {
    use super::*;

    #[test]
    fn kahan_sum_in_f32_matches_an_f64_sum() {
        // A million random terms, and a million equal ones (where a plain f32 sum
        // drifts by percents: each 0.1 is rounded to the sum's coarse ulp).
        let mut rng = crate::SplitMix64::new(5);
        let random: std::vec::Vec<f32> = (0..1_000_000)
            .map(|_| <f32 as Scalar>::unit(&mut rng))
            .collect();
        for terms in [random, std::vec![0.1f32; 1_000_000]] {
            let (mut k, mut plain, mut exact) = (KahanSum::<f32>::new(), 0.0f32, 0.0f64);
            for &v in &terms {
                k.add(v);
                plain += v;
                exact += f64::from(v);
            }
            let rel = |x: f32| ((f64::from(x) - exact) / exact).abs();
            assert!(rel(k.get()) < 6e-8, "Kahan {}", rel(k.get()));
            assert!(
                rel(plain) > 1e-6,
                "the plain f32 sum drifts: {}",
                rel(plain)
            );
        }
    }

    #[test]
    fn kahan_sum_carries_non_finite_terms() {
        let mut k = KahanSum::<f32>::new();
        k.add(1.0);
        k.add(f32::INFINITY);
        assert!(!k.get().is_finite());
        let mut k = KahanSum::<f32>::new();
        k.add(f32::NAN);
        k.add(1.0);
        assert!(k.get().is_nan());
    }

    #[test]
    fn setting_ranges() {
        assert_eq!(non_negative(0.0f32, "x"), Ok(0.0));
        for bad in [-1e-30f32, f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
            assert!(non_negative(bad, "x").is_err(), "{bad}");
        }
        assert!(positive(0.0f64, "ε").is_err() && positive(1e-300f64, "ε").is_ok());
        assert!(decay(0.0f32, "β").is_ok() && decay(0.999_999_9f32, "β").is_ok());
        for bad in [1.0f32, -0.1, f32::NAN, f32::INFINITY] {
            assert!(decay(bad, "β").is_err(), "{bad}");
        }
        let e = decay(1.0f32, "β₁").unwrap_err();
        assert_eq!(std::format!("{e}"), "the β₁ must be in [0, 1)");
    }
}
