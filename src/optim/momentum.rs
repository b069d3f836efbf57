//! SGD with momentum (classical or Nesterov).

use super::state::{self, StateError};
use super::{InvalidSetting, Optimizer, StepError, decay, non_negative, rejected};
use crate::kernels::{Witness3, finite3};
use crate::layer::Layer;
use crate::scalar::Scalar;
use core::borrow::BorrowMut;
use core::marker::PhantomData;
use num_traits::Zero as _;

/// Stochastic gradient descent with momentum, optionally Nesterov's.
///
/// With learning rate `α`, momentum `μ`, gradient `g` and a velocity `v` per parameter
/// (starting at 0), each step does
///
/// * `g := g + λ·w` (only with [`weight_decay`](Momentum::weight_decay) `λ ≠ 0`)
/// * `v := μ·v + g`
/// * classical: `w := w − α·v`
/// * Nesterov: `w := w − α·(g + μ·v)` (with the new `v`: a look-ahead along the velocity)
///
/// the update rule of PyTorch's `torch.optim.SGD(momentum=μ, nesterov=…, weight_decay=λ)`
/// without dampening, so rates carry over. Momentum averages out the noise of
/// mini-batch gradients and speeds up along directions where they agree.
///
/// # Where the velocity lives
///
/// The velocity has the network's own type, so its size is known at compile time. `S` is
/// how it is stored: by value (`S = N`, the default, from [`new`](Momentum::new)), on the
/// heap (`S = Box<N>`, from `boxed`, with `alloc`, for networks larger than the stack)
/// or borrowed (`S = &mut N`, from [`with_state`](Momentum::with_state), for example a
/// `static` on a microcontroller).
///
/// ```
/// use typenet::approx::assert_abs_diff_eq;
/// use typenet::{Dense, Layer, Momentum, Optimizer};
/// let mut net = Dense::<1, 1>::new([[1.0]], [0.0]);
/// let grads = Dense::<1, 1>::new([[1.0]], [0.0]);
/// let mut opt = Momentum::new(0.1, 0.9)?;
/// opt.step(&mut net, &grads); // v = 1,   w = 1 − 0.1·1    = 0.9
/// opt.step(&mut net, &grads); // v = 1.9, w = 0.9 − 0.1·1.9 = 0.71
/// assert_abs_diff_eq!(net.weights[0][0], 0.71, epsilon = 1e-6);
/// assert!(Momentum::<Dense<1, 1>>::new(0.1, 1.0).is_err()); // μ must be in [0, 1)
/// # Ok::<(), typenet::optim::InvalidSetting>(())
/// ```
///
/// # Settings
/// `α` finite and ≥ 0, `μ` in `[0, 1)`, `λ` finite and ≥ 0; anything else is an
/// [`InvalidSetting`] from the constructor or builder that was given it.
#[derive(Clone, Debug)]
pub struct Momentum<N: Layer, S = N> {
    /// The learning rate `α`.
    pub learning_rate: N::Scalar,
    /// The momentum `μ` (0.9 is usual; 0 is plain SGD).
    pub momentum: N::Scalar,
    /// Use Nesterov's look-ahead update.
    pub nesterov: bool,
    /// L2 regularisation `λ` (0 by default): `λ·w` is added to each gradient before the
    /// update, as PyTorch's `weight_decay` does, which pulls weights towards 0.
    pub weight_decay: N::Scalar,
    velocity: S,
    _net: PhantomData<fn() -> N>,
}

impl<N: Layer> Momentum<N> {
    /// Classical momentum, with the velocity stored by value (zero at first).
    ///
    /// # Errors
    /// [`InvalidSetting`] (see [Settings](Momentum#settings)).
    pub fn new(learning_rate: N::Scalar, momentum: N::Scalar) -> Result<Self, InvalidSetting> {
        check(learning_rate, momentum)?;
        Self::with_state(learning_rate, momentum, N::zeroed())
    }
}

/// The constructors' checks, done before any state is built or zeroed.
fn check<T: Scalar>(learning_rate: T, momentum: T) -> Result<(), InvalidSetting> {
    non_negative(learning_rate, "learning rate")?;
    decay(momentum, "momentum")?;
    Ok(())
}

#[cfg(feature = "alloc")]
impl<N: Layer + crate::Zeroable> Momentum<N, alloc::boxed::Box<N>> {
    /// Classical momentum, with the velocity on the heap, built there without passing
    /// through the stack (see [`boxed_zeroed`](crate::boxed_zeroed)).
    ///
    /// # Errors
    /// [`InvalidSetting`] (see [Settings](Momentum#settings)), before allocating.
    pub fn boxed(learning_rate: N::Scalar, momentum: N::Scalar) -> Result<Self, InvalidSetting> {
        check(learning_rate, momentum)?;
        Self::with_state(learning_rate, momentum, crate::boxed_zeroed())
    }
}

impl<N: Layer, S: BorrowMut<N>> Momentum<N, S> {
    /// Classical momentum with the velocity in `velocity`, stored however `S` stores it
    /// (by value, boxed, or borrowed as `&mut N`). Its parameters are set to zero.
    ///
    /// # Errors
    /// [`InvalidSetting`] (see [Settings](Momentum#settings)); `velocity` is then left
    /// as it was.
    pub fn with_state(
        learning_rate: N::Scalar,
        momentum: N::Scalar,
        mut velocity: S,
    ) -> Result<Self, InvalidSetting> {
        check(learning_rate, momentum)?;
        velocity.borrow_mut().zero_params();
        Ok(Self {
            learning_rate,
            momentum,
            nesterov: false,
            weight_decay: N::Scalar::zero(),
            velocity,
            _net: PhantomData,
        })
    }

    /// The same optimizer with Nesterov's update.
    pub fn nesterov(mut self) -> Self {
        self.nesterov = true;
        self
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

    /// The velocity `v`, a value of the network's type.
    pub fn velocity(&self) -> &N {
        self.velocity.borrow()
    }

    /// Resumes from a saved velocity (as [`velocity`](Self::velocity) returned it; it
    /// saves as a byte image like the model): the next step has the same bits as the
    /// interrupted run's would have had. The settings are this optimizer's own.
    ///
    /// # Errors
    ///
    /// [`StateError::NonFinite`] if a value is NaN or infinite; the optimizer is then
    /// unchanged.
    pub fn restore(&mut self, velocity: &N) -> Result<(), StateError> {
        state::check(velocity, "velocity", false)?;
        state::copy(self.velocity.borrow_mut(), velocity);
        Ok(())
    }
}

/// One parameter's update: its new value and velocity.
#[inline(always)]
fn update<T: Scalar>(w: T, g: T, v: T, [lr, mu, wd]: [T; 3], nesterov: bool) -> (T, T) {
    let g = g + wd * w;
    let v = mu * v + g;
    let d = if nesterov { g + mu * v } else { v };
    (w - lr * d, v)
}

/// [`update`] for the checked step's scan: `w'·0 + v'·0` of the new values, finite
/// exactly when both are.
#[derive(Clone, Copy)]
struct Check<T> {
    k: [T; 3],
    nesterov: bool,
}

impl<T: Scalar> Witness3<T> for Check<T> {
    #[inline(always)]
    fn witness(self, w: T, g: T, v: T) -> T {
        let (w, v) = update(w, g, v, self.k, self.nesterov);
        w * T::zero() + v * T::zero()
    }
}

impl<N: Layer, S: BorrowMut<N>> Optimizer<N> for Momentum<N, S> {
    fn step(&mut self, net: &mut N, grads: &N) {
        let k = [self.learning_rate, self.momentum, self.weight_decay];
        let nesterov = self.nesterov;
        net.zip_params(grads, [self.velocity.borrow_mut()], &mut |w, g, [v]| {
            for ((w, &g), v) in w.iter_mut().zip(g).zip(v.iter_mut()) {
                (*w, *v) = update(*w, g, *v, k, nesterov);
            }
        });
    }

    fn check_settings(&self) -> Result<(), InvalidSetting> {
        check(self.learning_rate, self.momentum)?;
        non_negative(self.weight_decay, "weight decay")?;
        Ok(())
    }

    /// One pass computes every new parameter and velocity without storing them, then
    /// [`step`](Optimizer::step).
    fn try_step(&mut self, net: &mut N, grads: &N) -> Result<(), StepError> {
        self.check_settings()?;
        let k = [self.learning_rate, self.momentum, self.weight_decay];
        let nesterov = self.nesterov;
        let check = Check { k, nesterov };
        let mut ok = true;
        net.zip_params(grads, [self.velocity.borrow_mut()], &mut |w, g, [v]| {
            ok &= finite3(check, w, g, v);
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

    type Tiny = (Dense<2, 1, f64>, Relu<1, f64>);

    fn tiny(w: [f64; 2], b: f64) -> Tiny {
        (Dense::new([w], [b]), Relu::new())
    }

    /// Three steps worked by hand (see the comments) for each parameter.
    #[test]
    fn classical_matches_a_hand_computed_update() {
        let mut net = tiny([1.0, -2.0], 0.5);
        let mut opt = Momentum::new(0.1, 0.5).unwrap();
        // step 1, g = (2, 4, -1):  v = g            → w = (0.8, -2.4), b = 0.6
        opt.step(&mut net, &tiny([2.0, 4.0], -1.0));
        assert_close(&net, [0.8, -2.4], 0.6);
        // step 2, g = (2, 0, 1):   v = (3, 2, 0.5)  → w = (0.5, -2.6), b = 0.55
        opt.step(&mut net, &tiny([2.0, 0.0], 1.0));
        assert_close(&net, [0.5, -2.6], 0.55);
        // step 3, g = 0:           v = (1.5, 1, 0.25) → w = (0.35, -2.7), b = 0.525
        opt.step(&mut net, &tiny([0.0, 0.0], 0.0));
        assert_close(&net, [0.35, -2.7], 0.525);
        assert_close(opt.velocity(), [1.5, 1.0], 0.25);
    }

    #[test]
    fn nesterov_matches_a_hand_computed_update() {
        let mut net = tiny([1.0, -2.0], 0.5);
        let mut opt = Momentum::new(0.1, 0.5).unwrap().nesterov();
        // step 1, g = (2, 4, -1): v = (2, 4, -1), d = g + 0.5 v = (3, 6, -1.5)
        //   → w = (0.7, -2.6), b = 0.65
        opt.step(&mut net, &tiny([2.0, 4.0], -1.0));
        assert_close(&net, [0.7, -2.6], 0.65);
        // step 2, g = (2, 0, 1): v = (3, 2, 0.5), d = (3.5, 1, 1.25)
        //   → w = (0.35, -2.7), b = 0.525
        opt.step(&mut net, &tiny([2.0, 0.0], 1.0));
        assert_close(&net, [0.35, -2.7], 0.525);
    }

    #[test]
    fn borrowed_state_is_zeroed_and_used() {
        let mut velocity = tiny([9.0, 9.0], 9.0);
        let mut net = tiny([0.0, 0.0], 0.0);
        {
            let mut opt = Momentum::with_state(1.0, 0.5, &mut velocity).unwrap();
            opt.step(&mut net, &tiny([1.0, 2.0], 3.0));
        }
        assert_close(&velocity, [1.0, 2.0], 3.0);
        assert_close(&net, [-1.0, -2.0], -3.0);
    }

    fn assert_close(net: &Tiny, w: [f64; 2], b: f64) {
        assert_abs_diff_eq!(Approx(net), Approx(&tiny(w, b)), epsilon = 1e-12);
    }
}
