//! Running a network: inference, gradient accumulation and one-call training steps.
//!
//! These work one sample at a time and are the building blocks: [`accumulate`] adds one
//! sample's gradients (sum several, then step, for a mini-batch), [`train_step`] does
//! zero, accumulate and update in one call. For epochs of shuffled mini-batches over a
//! data set, see [`Trainer`](crate::Trainer); for whole batches through each layer at
//! once, [`batch`](crate::batch) and [`Trainer::with_workspace`](crate::Trainer::with_workspace).

use crate::layer::{Layer, Train, mode};
use crate::loss::Loss;
use crate::optim::{Optimizer, StepError, finite_slice};
use crate::scalar::Vector;
use num_traits::Float as _;

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
/// let mut sgd = Sgd::new(1.0)?;
/// let first = train_step(&mut net, &mut grads, &Mse::new(), &mut sgd, &[1.0, 1.0], &[1.0]);
/// let mut last = first;
/// for _ in 0..100 {
///     last = train_step(&mut net, &mut grads, &Mse::new(), &mut sgd, &[1.0, 1.0], &[1.0]);
/// }
/// assert!(last < first / 10.0);
/// # Ok::<(), typenet::optim::InvalidSetting>(())
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

/// [`train_step`], checked: returns an error, and changes neither `net` nor the
/// optimizer's state, if the optimizer's settings are out of range, the input holds a NaN
/// or an infinity, the loss or its gradient is not finite (a non-finite target), a
/// parameter gradient is not finite (`0·∞` behind a saturated activation, for instance),
/// or the update would make a parameter non-finite (see [`Optimizer::try_step`]).
/// `grads` is scratch space and may hold the rejected gradients.
///
/// The same bits as [`train_step`] when it succeeds. The checks read the input, the
/// loss gradient, and the gradients and parameters once more; `benches/workloads`
/// reports what that costs per step against `train_step` (row "checked step").
///
/// ```
/// use typenet::{Dense, Layer, Mse, Sgd, StepError, Tanh, try_train_step};
/// let mut net = (Dense::<1, 1>::new([[0.5]], [0.0]), Tanh::<1>::new());
/// let before = net;
/// let mut grads = Layer::zeroed();
/// let mut sgd = Sgd::new(0.1)?;
/// let r = try_train_step(&mut net, &mut grads, &Mse::new(), &mut sgd, &[f32::INFINITY], &[1.0]);
/// assert_eq!(r, Err(StepError::NonFiniteInput));
/// let r = try_train_step(&mut net, &mut grads, &Mse::new(), &mut sgd, &[1.0], &[f32::NAN]);
/// assert_eq!(r, Err(StepError::NonFiniteLoss));
/// assert_eq!(net, before);
/// assert!(try_train_step(&mut net, &mut grads, &Mse::new(), &mut sgd, &[1.0], &[1.0]).is_ok());
/// assert_ne!(net, before);
/// # Ok::<(), typenet::optim::InvalidSetting>(())
/// ```
///
/// # Errors
/// [`StepError`], saying which check failed.
#[inline]
pub fn try_train_step<N, L, O>(
    net: &mut N,
    grads: &mut N,
    loss: &L,
    optimizer: &mut O,
    x: &N::Input,
    target: &L::Target,
) -> Result<N::Scalar, StepError>
where
    N: Train,
    L: Loss<N::Output, Scalar = N::Scalar>,
    O: Optimizer<N>,
{
    if !finite_slice(x.as_slice()) {
        return Err(StepError::NonFiniteInput);
    }
    let (y, cache) = net.forward_train(x);
    let (e, dy) = loss.loss_and_gradient(&y, target);
    if !(e.is_finite() && finite_slice(dy.as_slice())) {
        return Err(StepError::NonFiniteLoss);
    }
    net.backward_with::<mode::OverwriteParams>(&cache, &dy, grads);
    optimizer.try_step(net, grads)?;
    Ok(e)
}
