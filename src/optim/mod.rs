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
//! [`Optimizer::check_settings`] checks them again: [`Trainer`](crate::Trainer) before it
//! starts, and [`Optimizer::try_step`] (which `Trainer` and
//! [`try_train_step`](crate::try_train_step) use) before every step.
//!
//! # Checked steps
//!
//! [`Optimizer::try_step`] refuses a step whose gradients are not finite or whose update
//! would make a parameter or the optimizer's state non-finite, before anything is
//! written. It computes each new value once without storing it, then steps: one more
//! read of the parameters, gradients and state. That read is a kernel (an AVX2 twin
//! where the CPU has AVX2, whatever the build profile). Measured per sample with SGD
//! (`benches/workloads`, `try_train_step` against `train_step`, the thread's CPU time,
//! same run, a loaded 2-core machine): +1.6 ns on W1 (2-1, 1.07–1.08×), +11 ns on W2
//! (2-4-1, 1.21–1.22×), +9 µs on W3 (784-128-10, 1.40–1.50× in eight build profiles),
//! where re-reading 400 KB of weights and 400 KB of gradients costs about what the SGD
//! update's own pass over them does.

mod adam;
pub(crate) mod clip;
mod momentum;
pub mod schedule;
mod sgd;
mod state;

pub use adam::Adam;
pub use clip::{clip_grad_norm, grad_norm};
pub use momentum::Momentum;
pub use schedule::{Cosine, LearningRate, Schedule, Scheduled, StepDecay, Warmup};
pub use sgd::Sgd;
pub use state::StateError;

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

/// Whether every scalar of `s` is finite. The finiteness scans of the checked steps are
/// kernels (`crate::kernels::finite` and its kin): AVX2 twins where the CPU has AVX2,
/// whatever the build profile, a plain loop on a microcontroller.
#[inline]
pub(crate) fn finite_slice<T: Scalar>(s: &[T]) -> bool {
    crate::kernels::finite(s)
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
        // (Under Miri, which is slow, a hundred thousand equal terms only.)
        let n = if cfg!(miri) { 0 } else { 1_000_000 };
        let mut rng = crate::SplitMix64::new(5);
        let random: std::vec::Vec<f32> = (0..n).map(|_| <f32 as Scalar>::unit(&mut rng)).collect();
        let equal = std::vec![0.1f32; if cfg!(miri) { 100_000 } else { 1_000_000 }];
        for terms in [random, equal].into_iter().filter(|t| !t.is_empty()) {
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
