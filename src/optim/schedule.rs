//! Learning-rate schedules: the rate as a function of the step (or epoch) number.
//!
//! A [`Schedule`] maps a step number `s = 0, 1, 2, …` to a learning rate; [`Scheduled`]
//! wraps an optimizer and sets its rate from the schedule before every step. Because
//! `Scheduled` is itself an [`Optimizer`], it goes wherever an optimizer goes, in
//! particular into [`Trainer::fit`](crate::Trainer::fit):
//!
//! ```
//! use typenet::optim::{Cosine, Schedule, Scheduled, Warmup};
//! use typenet::{Adam, Dense, Init, Layer, Mse, SplitMix64, Trainer};
//! let mut rng = SplitMix64::new(1);
//! let mut net: Dense<1, 1> = Layer::initialized(Init::XavierUniform, &mut rng);
//! let mut grads = Dense::zeroed();
//! let mut data: Vec<_> = (0..20).map(|i| ([i as f32 / 10.0], [3.0 * i as f32 / 10.0])).collect();
//! let (epochs, batch) = (200, 5);
//! // 5 epochs of linear warm-up to 0.1, then cosine decay to 0 over the other 195,
//! // counted in epochs: 4 optimizer steps each
//! let schedule = Warmup::new(5, Cosine::new(0.1, 0.0, epochs - 5));
//! let mut opt = Scheduled::new(Adam::new(0.0).unwrap(), schedule).per_epoch(data.len().div_ceil(batch) as u64);
//! Trainer::new(epochs as usize, batch).fit(&mut net, &mut grads, &Mse::new(), &mut opt, &mut data, &mut rng)?;
//! assert_eq!(opt.steps(), 200 * 4);
//! assert_eq!(opt.optimizer.learning_rate, opt.schedule.rate(epochs - 1)); // the last epoch's
//! typenet::approx::assert_abs_diff_eq!(net.weights[0][0], 3.0, epsilon = 1e-3); // y = 3x
//! # Ok::<(), typenet::FitError>(())
//! ```
//!
//! The schedules here are PyTorch's: [`StepDecay`] (`StepLR`), [`Cosine`]
//! (`CosineAnnealingLR`, held at its minimum after its last step) and [`Warmup`] (a
//! linear warm-up in front of another schedule). Any `Fn(u64) -> T` is a schedule too.

use super::{Adam, Momentum, Optimizer, Sgd};
use crate::layer::Layer;
use crate::scalar::Scalar;
use core::borrow::BorrowMut;

/// A learning rate for every step number `s = 0, 1, 2, …` (or epoch number, with
/// [`Scheduled::per_epoch`]).
pub trait Schedule<T> {
    /// The rate for step `step`, counted from 0.
    fn rate(&self, step: u64) -> T;
}

/// Any function of the step number is a schedule.
///
/// ```
/// use typenet::optim::Schedule;
/// let halving = |s: u64| 0.1f32 / (1 << s.min(20)) as f32;
/// assert_eq!(halving.rate(2), 0.025);
/// ```
impl<T, F: Fn(u64) -> T> Schedule<T> for F {
    fn rate(&self, step: u64) -> T {
        self(step)
    }
}

/// Step decay (PyTorch's `StepLR`): `α(s) = α₀·γ^⌊s / every⌋`.
///
/// ```
/// use typenet::optim::{Schedule, StepDecay};
/// let s = StepDecay::new(0.1f64, 0.5, 10);
/// assert_eq!((s.rate(0), s.rate(9), s.rate(10), s.rate(25)), (0.1, 0.1, 0.05, 0.025));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StepDecay<T = f32> {
    /// The rate to start with, `α₀`.
    pub initial: T,
    /// The factor `γ` applied every `every` steps.
    pub gamma: T,
    /// How many steps between decays (at least 1; 0 is taken as 1).
    pub every: u64,
}

impl<T> StepDecay<T> {
    /// `initial`, multiplied by `gamma` every `every` steps.
    pub const fn new(initial: T, gamma: T, every: u64) -> Self {
        Self {
            initial,
            gamma,
            every,
        }
    }
}

impl<T: Scalar> Schedule<T> for StepDecay<T> {
    fn rate(&self, step: u64) -> T {
        let k = step / self.every.max(1);
        // γ^k by squaring, in T (no f64 on targets without a double-precision unit)
        let (mut base, mut k, mut p) = (self.gamma, k, T::one());
        while k > 0 {
            if k & 1 == 1 {
                p = p * base;
            }
            base = base * base;
            k >>= 1;
        }
        self.initial * p
    }
}

/// Cosine annealing (PyTorch's `CosineAnnealingLR`) from `max` down to `min` over
/// `steps` steps: `α(s) = min + (max − min)·(1 + cos(π s / steps))/2`, and `min` from
/// step `steps` on.
///
/// ```
/// use typenet::optim::{Cosine, Schedule};
/// let c = Cosine::new(1.0f64, 0.0, 100);
/// assert_eq!(c.rate(0), 1.0);
/// assert!((c.rate(50) - 0.5).abs() < 1e-15);
/// assert_eq!((c.rate(100), c.rate(1000)), (0.0, 0.0));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Cosine<T = f32> {
    /// The rate at step 0.
    pub max: T,
    /// The rate at step `steps` and after.
    pub min: T,
    /// The length of the decay, in steps.
    pub steps: u64,
}

impl<T> Cosine<T> {
    /// From `max` down to `min` over `steps` steps.
    pub const fn new(max: T, min: T, steps: u64) -> Self {
        Self { max, min, steps }
    }
}

impl<T: Scalar> Schedule<T> for Cosine<T> {
    fn rate(&self, step: u64) -> T {
        if step >= self.steps {
            return self.min;
        }
        let x = T::from_f64(core::f64::consts::PI) * T::from_f64(step as f64)
            / T::from_f64(self.steps as f64);
        self.min + (self.max - self.min) * T::half() * (T::one() + x.cos())
    }
}

/// A linear warm-up in front of another schedule: for the first `steps` steps the rate
/// rises linearly, `α(s) = α_then(0)·(s + 1)/steps`, reaching the schedule's first rate
/// at step `steps − 1`; from step `steps` on it is `α_then(s − steps)`.
///
/// ```
/// use typenet::optim::{Schedule, StepDecay, Warmup};
/// let w = Warmup::new(4, StepDecay::new(1.0f64, 0.5, 10));
/// assert_eq!([w.rate(0), w.rate(1), w.rate(3), w.rate(4), w.rate(14)], [0.25, 0.5, 1.0, 1.0, 0.5]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Warmup<S> {
    /// How many steps the warm-up lasts.
    pub steps: u64,
    /// The schedule after it (its step 0 is the first step after the warm-up).
    pub then: S,
}

impl<S> Warmup<S> {
    /// `steps` steps of linear warm-up, then `then`.
    pub const fn new(steps: u64, then: S) -> Self {
        Self { steps, then }
    }
}

impl<T: Scalar, S: Schedule<T>> Schedule<T> for Warmup<S> {
    fn rate(&self, step: u64) -> T {
        if step >= self.steps {
            return self.then.rate(step - self.steps);
        }
        self.then.rate(0) * T::from_f64((step + 1) as f64) / T::from_f64(self.steps as f64)
    }
}

/// An optimizer whose learning rate can be read and set: what [`Scheduled`] needs.
pub trait LearningRate<T> {
    /// The current learning rate.
    fn learning_rate(&self) -> T;
    /// Sets the learning rate for the next steps.
    fn set_learning_rate(&mut self, rate: T);
}

impl<T: Copy> LearningRate<T> for Sgd<T> {
    fn learning_rate(&self) -> T {
        self.learning_rate
    }
    fn set_learning_rate(&mut self, rate: T) {
        self.learning_rate = rate;
    }
}

impl<N: Layer, S: BorrowMut<N>> LearningRate<N::Scalar> for Momentum<N, S> {
    fn learning_rate(&self) -> N::Scalar {
        self.learning_rate
    }
    fn set_learning_rate(&mut self, rate: N::Scalar) {
        self.learning_rate = rate;
    }
}

impl<N: Layer, S: BorrowMut<N>> LearningRate<N::Scalar> for Adam<N, S> {
    fn learning_rate(&self) -> N::Scalar {
        self.learning_rate
    }
    fn set_learning_rate(&mut self, rate: N::Scalar) {
        self.learning_rate = rate;
    }
}

/// An optimizer driven by a [`Schedule`]: before each step, sets the optimizer's rate to
/// `schedule.rate(n)`, where `n` counts the steps taken (from 0) or, with
/// [`per_epoch`](Self::per_epoch), whole epochs of them. It is an [`Optimizer`] itself,
/// so [`Trainer`](crate::Trainer) and [`train_step`](crate::train_step) take it as they
/// take any other (see the [module docs](self)).
///
/// To resume an interrupted run, save [`steps`](Self::steps) with the optimizer's own
/// state and give it back with [`restore`](Self::restore).
#[derive(Clone, Debug)]
pub struct Scheduled<O, S> {
    /// The optimizer whose rate is set.
    pub optimizer: O,
    /// The schedule.
    pub schedule: S,
    steps: u64,
    per: u64,
}

impl<O, S> Scheduled<O, S> {
    /// `optimizer` with its rate taken from `schedule` at every step (the rate it was
    /// made with is replaced before the first step).
    pub const fn new(optimizer: O, schedule: S) -> Self {
        Self {
            optimizer,
            schedule,
            steps: 0,
            per: 1,
        }
    }

    /// The same, with the schedule counting epochs of `steps_per_epoch` optimizer steps
    /// rather than single steps: `α = schedule.rate(steps / steps_per_epoch)`. With
    /// [`Trainer`](crate::Trainer), an epoch is `samples.div_ceil(batch_size)` steps.
    /// `0` is taken as 1.
    pub const fn per_epoch(mut self, steps_per_epoch: u64) -> Self {
        self.per = if steps_per_epoch == 0 {
            1
        } else {
            steps_per_epoch
        };
        self
    }

    /// The optimizer steps taken so far.
    pub const fn steps(&self) -> u64 {
        self.steps
    }

    /// Continues a run that had taken `steps` steps (restore the optimizer's own state
    /// too, for example with [`Adam::restore`]).
    pub fn restore(&mut self, steps: u64) {
        self.steps = steps;
    }
}

impl<N, O, S> Optimizer<N> for Scheduled<O, S>
where
    N: Layer,
    O: Optimizer<N> + LearningRate<N::Scalar>,
    S: Schedule<N::Scalar>,
{
    fn step(&mut self, net: &mut N, grads: &N) {
        let rate = self.schedule.rate(self.steps / self.per);
        self.optimizer.set_learning_rate(rate);
        self.optimizer.step(net, grads);
        self.steps = self.steps.saturating_add(1);
    }
}

#[cfg(test)]
// Exact comparisons where the expected values are exact in binary floating point.
#[allow(clippy::float_cmp)]
mod tests {
    use super::*;
    use crate::Dense;
    use approx::{assert_abs_diff_eq, assert_relative_eq};

    /// PyTorch's `CosineAnnealingLR` closed form, evaluated independently in f64 (values
    /// from `0.5·(1 + cos(π·s/8))`: s = 2 → 0.853553…, s = 6 → 0.146446…).
    #[test]
    fn cosine_matches_its_closed_form() {
        let c = Cosine::new(0.1f64, 0.001, 8);
        let want = [
            0.1,
            0.001 + 0.099 * 0.853_553_390_593_273_8,
            0.001 + 0.099 * 0.146_446_609_406_726_24,
        ];
        for (s, w) in [0u64, 2, 6].into_iter().zip(want) {
            assert_abs_diff_eq!(c.rate(s), w, epsilon = 1e-15);
        }
        assert_eq!(c.rate(8), 0.001);
        // f32 agrees with f64 to f32 precision
        let c32 = Cosine::new(0.1f32, 0.001, 8);
        assert_abs_diff_eq!(f64::from(c32.rate(2)), want[1], epsilon = 1e-8);
    }

    #[test]
    fn step_decay_matches_the_power_in_f64() {
        let s = StepDecay::new(0.3f32, 0.7, 3);
        for k in 0..40u16 {
            let want = 0.3 * 0.7f64.powi(i32::from(k));
            // the same rate over each block of 3 steps; γ^k by squaring rounds about
            // 2·log₂ k times
            for j in 0..3 {
                let got = f64::from(s.rate(3 * u64::from(k) + j));
                let max_relative = 12.0 * f64::from(f32::EPSILON);
                assert_relative_eq!(got, want, epsilon = 0.0, max_relative = max_relative);
            }
        }
        assert_eq!(
            StepDecay::new(1.0f32, 0.5, 0).rate(3),
            0.125,
            "every = 0 acts as 1"
        );
    }

    /// SGD with a schedule moves each step by the scheduled rate times the gradient.
    #[test]
    fn scheduled_sets_the_rate_before_each_step() {
        let mut net = Dense::<1, 1, f64>::new([[0.0]], [0.0]);
        let grads = Dense::<1, 1, f64>::new([[1.0]], [0.0]);
        let schedule = |s: u64| [0.5, 0.25, 0.125, 1.0][s as usize];
        let mut opt = Scheduled::new(Sgd::new(99.0).unwrap(), schedule);
        let mut w = std::vec::Vec::new();
        for _ in 0..4 {
            opt.step(&mut net, &grads);
            w.push(net.weights[0][0]);
        }
        assert_eq!(w, [-0.5, -0.75, -0.875, -1.875]);
        assert_eq!((opt.steps(), opt.optimizer.learning_rate), (4, 1.0));

        // per epoch of 2 steps: rates 0.5, 0.5, 0.25, 0.25
        let mut net = Dense::<1, 1, f64>::new([[0.0]], [0.0]);
        let mut opt = Scheduled::new(Sgd::new(99.0).unwrap(), schedule).per_epoch(2);
        for _ in 0..4 {
            opt.step(&mut net, &grads);
        }
        assert_eq!(net.weights[0][0], -1.5);
    }
}
