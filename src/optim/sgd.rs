//! Plain stochastic gradient descent.

use super::{InvalidSetting, Optimizer, StepError, non_negative, rejected};
use crate::layer::Layer;
use crate::scalar::Scalar;

/// Stochastic gradient descent: `w := w − α·∂E/∂w` for every parameter `w`.
///
/// Gradients accumulated over a mini-batch are a **sum**; for the mean over `B` samples,
/// use the rate `α/B` (or [`Layer::scale_params`] the gradients by `1/B`).
///
/// ```
/// use typenet::{Dense, Layer, Optimizer, Sgd};
/// let mut net = Dense::<1, 1>::new([[1.0]], [0.0]);
/// let grads = Dense::<1, 1>::new([[2.0]], [-1.0]);
/// Sgd::new(0.5)?.step(&mut net, &grads);
/// assert_eq!(net, Dense::new([[0.0]], [0.5]));
/// assert!(Sgd::new(-0.5).is_err() && Sgd::new(f32::NAN).is_err());
/// # Ok::<(), typenet::optim::InvalidSetting>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sgd<T = f32> {
    /// The learning rate `α`.
    pub learning_rate: T,
}

impl<T: Scalar> Sgd<T> {
    /// SGD with learning rate `learning_rate`.
    ///
    /// # Errors
    /// [`InvalidSetting`] unless the rate is finite and ≥ 0 (a negative rate climbs
    /// the loss; an infinite or NaN one makes every parameter non-finite).
    pub fn new(learning_rate: T) -> Result<Self, InvalidSetting> {
        Ok(Self {
            learning_rate: non_negative(learning_rate, "learning rate")?,
        })
    }
}

impl<T: Scalar, N: Layer<Scalar = T>> Optimizer<N> for Sgd<T> {
    #[inline]
    fn step(&mut self, net: &mut N, grads: &N) {
        let lr = self.learning_rate;
        net.zip_params(grads, [], &mut |p, g, []| {
            // large tensors in AVX2 where the CPU has it (same bits, see `kernels`)
            if p.len() >= crate::layers::BLOCKED_MIN {
                crate::kernels::sub_scaled(p, g, lr);
            } else {
                for (p, &g) in p.iter_mut().zip(g) {
                    *p = *p - lr * g;
                }
            }
        });
    }

    fn check_settings(&self) -> Result<(), InvalidSetting> {
        non_negative(self.learning_rate, "learning rate").map(|_| ())
    }

    /// One pass computes every `w − α·g` without storing it (a NaN or infinite gradient
    /// makes it non-finite too, even with `α = 0`), then [`step`](Optimizer::step).
    fn try_step(&mut self, net: &mut N, grads: &N) -> Result<(), StepError> {
        <Self as Optimizer<N>>::check_settings(self)?;
        let lr = self.learning_rate;
        let mut ok = true;
        net.zip_params(grads, [], &mut |p, g, []| {
            ok &= crate::kernels::sgd_finite(p, g, lr);
        });
        if !ok {
            return Err(rejected(grads));
        }
        self.step(net, grads);
        Ok(())
    }
}
