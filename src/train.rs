//! Running a network: inference, gradient accumulation and one-call training steps.
//!
//! These work one sample at a time and are the building blocks: [`accumulate`] adds one
//! sample's gradients (sum several, then step, for a mini-batch), [`train_step`] does
//! zero, accumulate and update in one call. For epochs of shuffled mini-batches over a
//! data set, see [`Trainer`](crate::Trainer); for whole batches through each layer at
//! once, [`batch`](crate::batch) and [`Trainer::with_workspace`](crate::Trainer::with_workspace).

use crate::layer::{Layer, Train, mode};
use crate::loss::Loss;
use crate::optim::Optimizer;

/// Inference: `net.forward(x)`, as a function whose bound names the network, so a network
/// whose layers do not fit is reported at this call in plain words.
#[inline]
pub fn infer<N: Layer>(net: &N, x: &N::Input) -> N::Output {
    net.forward(x)
}

/// Forward and backward for one sample: **adds** this sample's parameter gradients into
/// `grads` and returns its loss. Call it for each sample of a mini-batch, then take one
/// optimizer step.
///
/// ```
/// use typenet::{Dense, Layer, Mse, Sigmoid, accumulate};
/// let net = (Dense::<2, 1>::new([[0.5, -0.5]], [0.0]), Sigmoid::<1>::new());
/// let mut grads = Layer::zeroed();
/// let e1 = accumulate(&net, &mut grads, &Mse::new(), &[1.0, 0.0], &[1.0]);
/// let e2 = accumulate(&net, &mut grads, &Mse::new(), &[0.0, 1.0], &[0.0]);
/// assert!(e1 > 0.0 && e2 > 0.0);
/// assert_ne!(grads, <(Dense<2, 1>, Sigmoid<1>)>::zeroed()); // sums of both samples
/// ```
#[inline]
pub fn accumulate<N, L>(
    net: &N,
    grads: &mut N,
    loss: &L,
    x: &N::Input,
    target: &L::Target,
) -> N::Scalar
where
    N: Train,
    L: Loss<N::Output, Scalar = N::Scalar>,
{
    let (y, cache) = net.forward_train(x);
    let (e, dy) = loss.loss_and_gradient(&y, target);
    net.backward_with::<mode::AccumulateParams>(&cache, &dy, grads);
    e
}

/// One training step on one sample: zero `grads`, forward, loss, backward, update.
/// Returns the loss before the update.
///
/// The loss must fit the network's output at compile time: an `Mse<3>` on a network
/// ending in `Sigmoid<1>` does not compile.
///
/// ```
/// use typenet::{Dense, Init, Layer, Mse, Sgd, Sigmoid, SplitMix64, train_step};
/// let mut net: (Dense<2, 1>, Sigmoid<1>) = Layer::initialized(Init::Uniform, &mut SplitMix64::new(1));
/// let mut grads = Layer::zeroed();
/// let mut sgd = Sgd::new(1.0);
/// let first = train_step(&mut net, &mut grads, &Mse::new(), &mut sgd, &[1.0, 1.0], &[1.0]);
/// let mut last = first;
/// for _ in 0..100 {
///     last = train_step(&mut net, &mut grads, &Mse::new(), &mut sgd, &[1.0, 1.0], &[1.0]);
/// }
/// assert!(last < first / 10.0);
/// ```
#[inline]
pub fn train_step<N, L, O>(
    net: &mut N,
    grads: &mut N,
    loss: &L,
    optimizer: &mut O,
    x: &N::Input,
    target: &L::Target,
) -> N::Scalar
where
    N: Train,
    L: Loss<N::Output, Scalar = N::Scalar>,
    O: Optimizer<N>,
{
    // `OverwriteParams` is zeroing and accumulating in one pass (same bits).
    let (y, cache) = net.forward_train(x);
    let (e, dy) = loss.loss_and_gradient(&y, target);
    net.backward_with::<mode::OverwriteParams>(&cache, &dy, grads);
    optimizer.step(net, grads);
    e
}
