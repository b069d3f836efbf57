//! Losses: how far a network's output is from its target, and the gradient that starts
//! backpropagation.
//!
//! * [`Mse`]: regression, or any output compared with a target array;
//!   `E = ½ Σ (y − t)²`, so `∂E/∂y = y − t`.
//! * [`SoftmaxCrossEntropy`]: one class out of `N`, on a network that ends in logits (no
//!   softmax layer; the loss applies it); the target is a [`Class`].
//! * [`BinaryCrossEntropyWithLogits`]: `N` independent yes/no answers, on a network that
//!   ends in logits (no sigmoid layer; the loss applies it); targets in `[0, 1]`. The one
//!   to train with: its gradient `σ(a) − t` never saturates.
//! * [`BinaryCrossEntropy`]: the same loss on sigmoid outputs (probabilities), for a
//!   network that must end in its own [`Sigmoid`](crate::Sigmoid); its gradient vanishes
//!   where the sigmoid rounds to 0 or 1 (see its docs).
//!
//! Each is sized like the network's output, so a loss that does not fit the network is a
//! compile error (see [`Loss`]).

mod binary_cross_entropy;
mod binary_cross_entropy_logits;
mod class;
mod mse;
mod softmax_cross_entropy;

pub use binary_cross_entropy::BinaryCrossEntropy;
pub use binary_cross_entropy_logits::BinaryCrossEntropyWithLogits;
pub use class::{Class, ClassOutOfRange};
pub use mse::Mse;
pub use softmax_cross_entropy::SoftmaxCrossEntropy;

use crate::scalar::Scalar;

/// A loss `E(y, t)` over a network output `Y` (an array `[T; N]`) and a target.
///
/// The loss is generic over the output type, so a loss of the wrong size for a network is
/// a compile error: `Mse<1>` implements `Loss<[f32; 1]>` and nothing else.
#[diagnostic::on_unimplemented(
    message = "the loss `{Self}` does not fit a network whose output is `{Y}`",
    label = "loss and network output differ",
    note = "a loss sized `N` scores an output `[T; N]`: give the loss the size of the last layer's output"
)]
pub trait Loss<Y> {
    /// The number type of the loss value.
    type Scalar: Scalar;
    /// What the output is compared with (for [`Mse`], an array like the output).
    type Target;

    /// The loss `E(y, t)`.
    fn loss(&self, y: &Y, target: &Self::Target) -> Self::Scalar;

    /// `∂E/∂y`: where backpropagation starts.
    fn gradient(&self, y: &Y, target: &Self::Target) -> Y;

    /// Both at once; losses override it when the two share work.
    fn loss_and_gradient(&self, y: &Y, target: &Self::Target) -> (Self::Scalar, Y) {
        (self.loss(y, target), self.gradient(y, target))
    }
}
