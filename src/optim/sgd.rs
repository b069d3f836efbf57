//! Plain stochastic gradient descent.

use super::Optimizer;
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
/// Sgd::new(0.5).step(&mut net, &grads);
/// assert_eq!(net, Dense::new([[0.0]], [0.5]));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sgd<T = f32> {
    /// The learning rate `α`.
    pub learning_rate: T,
}

impl<T> Sgd<T> {
    /// SGD with learning rate `learning_rate`.
    pub const fn new(learning_rate: T) -> Self {
        Self { learning_rate }
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
}
