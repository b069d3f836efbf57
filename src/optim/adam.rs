//! Adam: per-parameter step sizes from running moments of the gradient.

use super::state::{self, StateError};
use super::{InvalidSetting, Optimizer, StepError, decay, non_negative, positive, rejected};
use crate::kernels::{Witness4, finite4};
use crate::layer::Layer;
use crate::scalar::Scalar;
use core::borrow::BorrowMut;
use core::marker::PhantomData;
use num_traits::{Float as _, One as _, Zero as _};

/// Adam (Kingma and Ba, 2015): each parameter's step is scaled by running estimates of its
/// gradient's mean and uncentred variance, so every parameter moves at about the rate
/// `α` whatever the scale of its gradient.
///
/// With gradient `g`, step number `t = 1, 2, …` and moments `m`, `v` (starting at 0):
///
/// * `g := g + λ·w` (only with [`weight_decay`](Adam::weight_decay) `λ ≠ 0`)
/// * `w := w·(1 − α·λ_d)` (only with
///   [`decoupled_weight_decay`](Adam::decoupled_weight_decay) `λ_d ≠ 0`: AdamW)
/// * `m := β₁·m + (1 − β₁)·g`
/// * `v := β₂·v + (1 − β₂)·g²`
/// * `m̂ = m / (1 − β₁ᵗ)`, `v̂ = v / (1 − β₂ᵗ)` (bias correction: `m` and `v` start at 0)
/// * `w := w − α·m̂ / (√v̂ + ε)`
///
/// exactly as PyTorch's `torch.optim.Adam` (defaults `α = 0.001`, `β₁ = 0.9`,
/// `β₂ = 0.999`, `ε = 1e-8`). On the first step `m̂ = g` and `v̂ = g²`, so every parameter
/// with a non-zero gradient moves by almost exactly `α` against its sign.
///
/// # AdamW
///
/// [`Adam::adamw`] (or [`decoupled_weight_decay`](Adam::decoupled_weight_decay)) is
/// Loshchilov and Hutter's AdamW, exactly as PyTorch's `torch.optim.AdamW`: the weights
/// shrink by the factor `1 − α·λ_d` each step, apart from the gradient, instead of `λ·w`
/// joining the gradient (L2 regularisation, [`weight_decay`](Adam::weight_decay)), where
/// Adam's scaling would weaken the decay of the parameters with large gradients.
/// PyTorch's default is `λ_d = 0.01`. The decay follows the learning rate, so a
/// [schedule](crate::optim::schedule) lowers both.
///
/// # Resuming
///
/// The state is the step count ([`steps`](Adam::steps)) and the two moments, networks
/// of the model's type ([`first_moment`](Adam::first_moment),
/// [`second_moment`](Adam::second_moment)), which save as byte images like the model.
/// [`restore`](Adam::restore) puts them back, after which training continues with the
/// same bits as if it had never stopped.
///
/// The two moments have the network's own type; `S` says how they are stored, as for
/// [`Momentum`](crate::Momentum): by value ([`new`](Adam::new)), on the heap
/// (`boxed`, with `alloc`) or borrowed ([`with_state`](Adam::with_state)).
///
/// ```
/// use typenet::approx::assert_abs_diff_eq;
/// use typenet::{Adam, Dense, Optimizer};
/// let mut net = Dense::<1, 1>::new([[1.0]], [1.0]);
/// let grads = Dense::<1, 1>::new([[123.0]], [-0.001]);
/// let mut adam = Adam::new(0.01)?;
/// adam.step(&mut net, &grads);
/// // both move by about α, whatever the size of their gradients
/// assert_abs_diff_eq!(net.weights[0][0], 0.99, epsilon = 1e-6);
/// assert_abs_diff_eq!(net.bias[0], 1.01, epsilon = 1e-4);
/// assert!(adam.betas(0.9, 1.0).is_err()); // β₂ must be below 1
/// # Ok::<(), typenet::optim::InvalidSetting>(())
/// ```
///
/// # Settings
/// `α` finite and ≥ 0; `β₁`, `β₂` in `[0, 1)`; `ε` finite and > 0 (PyTorch accepts 0,
/// but then a parameter whose gradient has always been 0 divides 0 by 0); `λ` finite
/// and ≥ 0. Anything else is an [`InvalidSetting`] from the constructor or builder that
/// was given it.
#[derive(Clone, Debug)]
pub struct Adam<N: Layer, S = N> {
    /// The learning rate `α`.
    pub learning_rate: N::Scalar,
    /// The decay of the first moment, `β₁`.
    pub beta1: N::Scalar,
    /// The decay of the second moment, `β₂`.
    pub beta2: N::Scalar,
    /// Added to `√v̂` so that a parameter with no gradient yet does not divide by zero.
    pub epsilon: N::Scalar,
    /// L2 regularisation `λ` (0 by default): `λ·w` is added to each gradient before the
    /// update, as PyTorch's `Adam(weight_decay=λ)` does, which pulls weights towards 0.
    pub weight_decay: N::Scalar,
    /// Decoupled weight decay `λ_d` (0 by default; AdamW): each step multiplies every
    /// weight by `1 − α·λ_d` before the update, as PyTorch's `AdamW(weight_decay=λ_d)`.
    pub decoupled_weight_decay: N::Scalar,
    m: S,
    v: S,
    /// `β₁ᵗ` and `β₂ᵗ`, kept as running products (bias correction needs no power
    /// function); [`restore`](Adam::restore) rebuilds them from the step count.
    beta1_t: N::Scalar,
    beta2_t: N::Scalar,
    /// Steps taken, `t` (saturating; only [`restore`](Adam::restore) reads it back).
    steps: u64,
    _net: PhantomData<fn() -> N>,
}

impl<N: Layer> Adam<N> {
    /// Adam with learning rate `learning_rate` and PyTorch's other defaults, the moments
    /// stored by value.
    ///
    /// # Errors
    /// [`InvalidSetting`] unless the rate is finite and ≥ 0.
    pub fn new(learning_rate: N::Scalar) -> Result<Self, InvalidSetting> {
        non_negative(learning_rate, "learning rate")?;
        Self::with_state(learning_rate, N::zeroed(), N::zeroed())
    }

    /// AdamW: Adam with decoupled weight decay `weight_decay` (PyTorch's `AdamW`; its
    /// default decay is 0.01), the moments stored by value.
    ///
    /// ```
    /// use typenet::{Adam, Dense, Layer, Optimizer};
    /// let mut net = Dense::<1, 1>::new([[2.0]], [0.0]);
    /// let mut opt = Adam::adamw(0.1, 0.5).unwrap();
    /// opt.step(&mut net, &Dense::zeroed()); // no gradient: only the decay acts
    /// assert_eq!(net.weights, [[2.0 * (1.0 - 0.1 * 0.5)]]);
    /// ```
    ///
    /// # Errors
    /// [`InvalidSetting`] unless both are finite and ≥ 0.
    pub fn adamw(
        learning_rate: N::Scalar,
        weight_decay: N::Scalar,
    ) -> Result<Self, InvalidSetting> {
        Self::new(learning_rate)?.decoupled_weight_decay(weight_decay)
    }
}

#[cfg(feature = "alloc")]
impl<N: Layer + crate::Zeroable> Adam<N, alloc::boxed::Box<N>> {
    /// Adam with the moments on the heap, built there without passing through the stack
    /// (see [`boxed_zeroed`](crate::boxed_zeroed)).
    ///
    /// # Errors
    /// [`InvalidSetting`] unless the rate is finite and ≥ 0, before allocating.
    pub fn boxed(learning_rate: N::Scalar) -> Result<Self, InvalidSetting> {
        non_negative(learning_rate, "learning rate")?;
        Self::with_state(learning_rate, crate::boxed_zeroed(), crate::boxed_zeroed())
    }
}

impl<N: Layer, S: BorrowMut<N>> Adam<N, S> {
    /// Adam with its moments stored in `m` and `v` however `S` stores them (by value,
    /// boxed, or borrowed as `&mut N`). Their parameters are set to zero.
    ///
    /// # Errors
    /// [`InvalidSetting`] unless the rate is finite and ≥ 0; `m` and `v` are then left
    /// as they were.
    pub fn with_state(
        learning_rate: N::Scalar,
        mut m: S,
        mut v: S,
    ) -> Result<Self, InvalidSetting> {
        non_negative(learning_rate, "learning rate")?;
        m.borrow_mut().zero_params();
        v.borrow_mut().zero_params();
        Ok(Self {
            learning_rate,
            beta1: N::Scalar::from_f64(0.9),
            beta2: N::Scalar::from_f64(0.999),
            epsilon: N::Scalar::from_f64(1e-8),
            weight_decay: N::Scalar::zero(),
            decoupled_weight_decay: N::Scalar::zero(),
            m,
            v,
            beta1_t: N::Scalar::one(),
            beta2_t: N::Scalar::one(),
            steps: 0,
            _net: PhantomData,
        })
    }

    /// The same optimizer with other moment decays.
    ///
    /// # Errors
    /// [`InvalidSetting`] unless both lie in `[0, 1)`.
    pub fn betas(mut self, beta1: N::Scalar, beta2: N::Scalar) -> Result<Self, InvalidSetting> {
        self.beta1 = decay(beta1, "β₁")?;
        self.beta2 = decay(beta2, "β₂")?;
        Ok(self)
    }

    /// The same optimizer with another `ε` (see [`epsilon`](Self::epsilon)).
    ///
    /// # Errors
    /// [`InvalidSetting`] unless `epsilon` is finite and > 0.
    pub fn epsilon(mut self, epsilon: N::Scalar) -> Result<Self, InvalidSetting> {
        self.epsilon = positive(epsilon, "ε")?;
        Ok(self)
    }

    /// The same optimizer with L2 regularisation `λ` (see
    /// [`weight_decay`](Self::weight_decay)).
    ///
    /// # Errors
    /// [`InvalidSetting`] unless `lambda` is finite and ≥ 0.
    pub fn weight_decay(mut self, lambda: N::Scalar) -> Result<Self, InvalidSetting> {
        self.weight_decay = non_negative(lambda, "weight decay")?;
        Ok(self)
    }

    /// The running products `β₁ᵗ`, `β₂ᵗ` after the next step, and that step's
    /// `α/(1 − β₁ᵗ)` and `1/√(1 − β₂ᵗ)`: once per step rather than once per parameter.
    fn next_coefficients(&self) -> [N::Scalar; 4] {
        let one = N::Scalar::one();
        let beta1_t = self.beta1_t * self.beta1;
        let beta2_t = self.beta2_t * self.beta2;
        let step = self.learning_rate / (one - beta1_t);
        let v_scale = one / (one - beta2_t).sqrt();
        [beta1_t, beta2_t, step, v_scale]
    }

    /// The constants of [`update`] for a step with these coefficients.
    fn update_constants(&self, step: N::Scalar, v_scale: N::Scalar) -> [N::Scalar; 7] {
        let shrink = N::Scalar::one() - self.learning_rate * self.decoupled_weight_decay;
        [
            self.beta1,
            self.beta2,
            self.epsilon,
            self.weight_decay,
            shrink,
            step,
            v_scale,
        ]
    }

    /// The same optimizer with decoupled weight decay `λ_d` (AdamW; see
    /// [`decoupled_weight_decay`](Self::decoupled_weight_decay)).
    ///
    /// # Errors
    /// [`InvalidSetting`] unless `lambda` is finite and ≥ 0.
    pub fn decoupled_weight_decay(mut self, lambda: N::Scalar) -> Result<Self, InvalidSetting> {
        self.decoupled_weight_decay = non_negative(lambda, "decoupled weight decay")?;
        Ok(self)
    }

    /// The first moment `m` (not bias-corrected).
    pub fn first_moment(&self) -> &N {
        self.m.borrow()
    }

    /// The second moment `v` (not bias-corrected).
    pub fn second_moment(&self) -> &N {
        self.v.borrow()
    }

    /// The number of steps taken, `t` (or given to [`restore`](Self::restore)).
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// Resumes from saved state: `steps` taken so far and the two moments, as
    /// [`steps`](Self::steps), [`first_moment`](Self::first_moment) and
    /// [`second_moment`](Self::second_moment) returned them. The settings (rate, betas,
    /// ε, decays) are this optimizer's own: give it those of the interrupted run. The
    /// bias corrections `β₁ᵗ`, `β₂ᵗ` are rebuilt by the same `t` multiplications the
    /// steps made, so the next step has the same bits as the interrupted run's would
    /// have had.
    ///
    /// ```
    /// use typenet::weights::ByteImage;
    /// use typenet::{Adam, Dense, Optimizer};
    /// type Net = Dense<2, 1>;
    /// let mut net = Net::new([[0.5, -0.5]], [0.1]);
    /// let grads = Net::new([[0.3, 0.2]], [-1.0]);
    /// let mut adam = Adam::new(0.01).unwrap();
    /// adam.step(&mut net, &grads);
    /// // save: the step count and the moments, as byte images
    /// let saved = (adam.steps(), adam.first_moment().to_bytes(), adam.second_moment().to_bytes());
    ///
    /// let mut resumed = Adam::new(0.01).unwrap();
    /// resumed.restore(saved.0, &Net::from_bytes(&saved.1)?, &Net::from_bytes(&saved.2)?)?;
    /// let mut other = net;
    /// adam.step(&mut net, &grads);
    /// resumed.step(&mut other, &grads);
    /// assert_eq!(net, other); // bit for bit
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`StateError`] if a moment is not finite or a second moment is negative; the
    /// optimizer is then unchanged.
    pub fn restore(&mut self, steps: u64, first: &N, second: &N) -> Result<(), StateError> {
        state::check(first, "first moment", false)?;
        state::check(second, "second moment", true)?;
        state::copy(self.m.borrow_mut(), first);
        state::copy(self.v.borrow_mut(), second);
        self.beta1_t = state::running_power(self.beta1, steps);
        self.beta2_t = state::running_power(self.beta2, steps);
        self.steps = steps;
        Ok(())
    }
}

/// One parameter's update: its new value and moments. `k` is
/// `[β₁, β₂, ε, λ, 1 − α·λ_d, α/(1 − β₁ᵗ), 1/√(1 − β₂ᵗ)]`; the decoupled decay factor
/// `1 − α·λ_d` is exactly 1 without AdamW's decay, so plain Adam keeps its bits.
#[inline(always)]
fn update<T: Scalar>(w: T, g: T, m: T, v: T, k: [T; 7]) -> (T, T, T) {
    let [b1, b2, eps, wd, shrink, step, v_scale] = k;
    let one = T::one();
    let g = g + wd * w;
    let m = b1 * m + (one - b1) * g;
    let v = b2 * v + (one - b2) * g * g;
    (w * shrink - step * m / (v.sqrt() * v_scale + eps), m, v)
}

/// [`update`] for the checked step's scan: `w'·0 + m'·0 + v'·0` of the new values,
/// finite exactly when all three are.
#[derive(Clone, Copy)]
struct Check<T>([T; 7]);

impl<T: Scalar> Witness4<T> for Check<T> {
    #[inline(always)]
    fn witness(self, w: T, g: T, m: T, v: T) -> T {
        let (w, m, v) = update(w, g, m, v, self.0);
        w * T::zero() + m * T::zero() + v * T::zero()
    }
}

impl<N: Layer, S: BorrowMut<N>> Optimizer<N> for Adam<N, S> {
    fn step(&mut self, net: &mut N, grads: &N) {
        let [beta1_t, beta2_t, step, v_scale] = self.next_coefficients();
        (self.beta1_t, self.beta2_t) = (beta1_t, beta2_t);
        self.steps = self.steps.saturating_add(1);
        let k = self.update_constants(step, v_scale);
        let state = [self.m.borrow_mut(), self.v.borrow_mut()];
        net.zip_params(grads, state, &mut |w, g, [m, v]| {
            for (((w, &g), m), v) in w.iter_mut().zip(g).zip(m.iter_mut()).zip(v.iter_mut()) {
                (*w, *m, *v) = update(*w, g, *m, *v, k);
            }
        });
    }

    fn check_settings(&self) -> Result<(), InvalidSetting> {
        non_negative(self.learning_rate, "learning rate")?;
        decay(self.beta1, "β₁")?;
        decay(self.beta2, "β₂")?;
        positive(self.epsilon, "ε")?;
        non_negative(self.weight_decay, "weight decay")?;
        non_negative(self.decoupled_weight_decay, "decoupled weight decay")?;
        Ok(())
    }

    /// One pass computes every new parameter and moment without storing them (a
    /// gradient above about √(`MAX`/(1 − β₂)) overflows `v`, and is caught here), then
    /// [`step`](Optimizer::step).
    fn try_step(&mut self, net: &mut N, grads: &N) -> Result<(), StepError> {
        self.check_settings()?;
        let [_, _, step, v_scale] = self.next_coefficients();
        let k = self.update_constants(step, v_scale);
        let mut ok = step.is_finite() & v_scale.is_finite();
        let state = [self.m.borrow_mut(), self.v.borrow_mut()];
        net.zip_params(grads, state, &mut |w, g, [m, v]| {
            ok &= finite4(Check(k), w, g, m, v);
        });
        if !ok {
            return Err(rejected(grads));
        }
        self.step(net, grads);
        Ok(())
    }
}

#[cfg(test)]
// Exact comparisons where the expected values are exact in binary floating point.
#[allow(clippy::float_cmp)]
mod tests {
    use super::*;
    use crate::{Approx, Dense, Relu};
    use approx::assert_abs_diff_eq;

    /// ε = 1e-8 shifts each step by about 1e-9, so compare to 1e-8.
    fn assert_close(net: &(Dense<2, 1, f64>, Relu<1, f64>), w: [f64; 2], b: f64) {
        assert_abs_diff_eq!(Approx(net), Approx(&tiny(w, b)), epsilon = 1e-8);
    }

    fn tiny(w: [f64; 2], b: f64) -> (Dense<2, 1, f64>, Relu<1, f64>) {
        (Dense::new([w], [b]), Relu::new())
    }

    /// Two steps, each parameter worked by hand (figures below from the formulas, written
    /// out independently of this code).
    #[test]
    fn matches_a_hand_computed_update() {
        let mut net = tiny([1.0, -2.0], 0.5);
        let mut adam = Adam::new(0.1).unwrap();
        // step 1: m̂ = g, v̂ = g², so each parameter moves by α·g/(|g| + ε): by 0.1 against
        // the sign of g, and not at all where g = 0.
        adam.step(&mut net, &tiny([2.0, 0.0], -4.0));
        assert_close(&net, [0.9, -2.0], 0.6);
        // step 2, g = (1, 3, -4):
        adam.step(&mut net, &tiny([1.0, 3.0], -4.0));
        // w0: m = 0.9·0.2 + 0.1·1 = 0.28, v = 0.999·0.004 + 0.001·1 = 0.004996,
        //     m̂ = 0.28/0.19, v̂ = 0.004996/0.001999, w = 0.9 − 0.1·m̂/√v̂ = 0.806782…
        // w1: m = 0.3, v = 0.009, m̂ = 0.3/0.19, v̂ = 0.009/0.001999, w = −2.074414…
        // b:  m = −0.8, v = 0.031984, w = 0.6 + 0.1 = 0.7 (g constant: m̂ = g, v̂ = g²)
        assert_close(&net, [0.806_782_037_208_510_4, -2.074_413_682_005_996], 0.7);
        assert_abs_diff_eq!(adam.first_moment().0.bias[0], -0.76, epsilon = 1e-12);
    }

    /// Three AdamW steps against `scripts/adamw_reference.py` (PyTorch's `AdamW` rules
    /// in plain Python floats). Step 1 by hand: `w := w·(1 − 0.1·0.1)`, then Adam's
    /// first step moves it by `α·g/(|g| + ε)`: `w0 = 0.99 − 0.0999999995`,
    /// `w1 = −2·0.99` (no gradient), `b = 0.495 + 0.0999999997…`.
    #[test]
    fn adamw_matches_pytorchs_rules() {
        let mut net = tiny([1.0, -2.0], 0.5);
        let mut adam = Adam::adamw(0.1, 0.1).unwrap();
        let want = [
            [0.890_000_000_499_999_9, -1.98, 0.594_999_999_75],
            [
                0.787_882_037_203_510_4,
                -2.034_613_682_005_996_3,
                0.689_049_999_502_499_2,
            ],
            [
                0.723_637_079_603_403_5,
                -2.076_898_338_620_295,
                0.747_149_419_743_417_4,
            ],
        ];
        let grads = [
            tiny([2.0, 0.0], -4.0),
            tiny([1.0, 3.0], -4.0),
            tiny([-0.5, 0.25], 1.0),
        ];
        for (g, w) in grads.iter().zip(want) {
            adam.step(&mut net, g);
            // a few ulps: the reference divides by √(1 − β₂ᵗ) where this multiplies
            let want = tiny([w[0], w[1]], w[2]);
            assert_abs_diff_eq!(Approx(&net), Approx(&want), epsilon = 1e-15);
        }
        assert_eq!(adam.steps(), 3);
    }

    #[test]
    fn decoupled_decay_differs_from_l2() {
        // the same λ as L2 and as decoupled decay: L2's decay passes through Adam's
        // normalisation (with no gradient, the step is α·sign(w)), AdamW's does not
        let zero = tiny([0.0, 0.0], 0.0);
        let mut l2 = tiny([4.0, -4.0], 0.0);
        Adam::new(0.1)
            .unwrap()
            .weight_decay(0.5)
            .unwrap()
            .step(&mut l2, &zero);
        let mut w = tiny([4.0, -4.0], 0.0);
        Adam::adamw(0.1, 0.5).unwrap().step(&mut w, &zero);
        assert_abs_diff_eq!(l2.0.weights[0][0], 3.9, epsilon = 1e-8);
        assert_eq!(w.0.weights[0], [4.0 * 0.95, -4.0 * 0.95]);
    }

    /// After `restore` with the state of a run, the next steps have the run's bits, for
    /// any number of steps taken before (the bias corrections rebuilt exactly).
    #[test]
    fn restore_continues_bit_for_bit() {
        type Net = (Dense<2, 1>, Relu<1>);
        let g = |k: f32| {
            (
                Dense::new([[k.sin(), 0.3 - k.cos()]], [0.01 * k]),
                Relu::new(),
            )
        };
        for before in [1u16, 7, 200] {
            let mut net: Net = (Dense::new([[0.5, -0.5]], [0.1]), Relu::new());
            let mut adam = Adam::adamw(0.01, 0.01).unwrap().betas(0.8, 0.99).unwrap();
            for k in 0..before {
                adam.step(&mut net, &g(f32::from(k)));
            }
            let mut resumed = Adam::adamw(0.01, 0.01).unwrap().betas(0.8, 0.99).unwrap();
            resumed
                .restore(adam.steps(), adam.first_moment(), adam.second_moment())
                .unwrap();
            let mut other = net;
            for k in before..before + 20 {
                adam.step(&mut net, &g(f32::from(k)));
                resumed.step(&mut other, &g(f32::from(k)));
            }
            assert_eq!(net, other, "after {before} steps");
            assert_eq!(adam.first_moment(), resumed.first_moment());
        }
    }

    #[test]
    fn restore_refuses_bad_state_and_changes_nothing() {
        let mut adam = Adam::new(0.1).unwrap();
        adam.step(&mut tiny([1.0, 1.0], 1.0), &tiny([1.0, 2.0], 3.0));
        let (m, v) = (*adam.first_moment(), *adam.second_moment());
        let bad_m = tiny([0.0, f64::NAN], 0.0);
        assert_eq!(
            adam.restore(5, &bad_m, &v),
            Err(StateError::NonFinite {
                part: "first moment",
                index: 1
            })
        );
        let bad_v = tiny([0.0, 0.0], -1.0);
        assert_eq!(
            adam.restore(5, &m, &bad_v),
            Err(StateError::Negative {
                part: "second moment",
                index: 2
            })
        );
        assert_eq!((adam.steps(), *adam.first_moment()), (1, m));
    }

    #[test]
    fn restoring_a_huge_step_count_is_quick() {
        // β₂ᵗ reaches its fixed point (the smallest subnormal, or 0) within about
        // 750 000 steps in f64; the rebuild stops where the product stops changing
        let mut adam = Adam::new(0.1).unwrap();
        let z = tiny([0.0, 0.0], 0.0);
        adam.restore(u64::MAX, &z, &z).unwrap();
        let (mut p1, mut p2) = (1.0f64, 1.0f64);
        for _ in 0..2_000_000 {
            p1 *= 0.9;
            p2 *= 0.999;
        }
        assert_eq!((adam.beta1_t, adam.beta2_t), (p1, p2));
    }
}
