//! Mini-batches: a whole batch through each layer at once.
//!
//! [`Layer::forward_batch`] and [`Train::backward_batch`] take slices of samples
//! (`&[[f32; 784]]`) and a caller-provided workspace of scalars, so the library still
//! allocates nothing: a batch of 64 MNIST images is 200 KB, too much for a stack, so the
//! caller keeps it (and the workspace) wherever it likes — a `Vec`, a `static`, an arena.
//! [`workspace_len`] says how many scalars a network needs for a batch.
//!
//! Every batched result is bit for bit the result of the per-sample methods run sample
//! after sample (the tests check it), so a network trained on batches on a desktop and
//! one trained per sample on a microcontroller follow the same arithmetic. The one
//! exception is deliberate: in the batched *training* functions here
//! ([`accumulate_batch`], [`train_step_batch`]) a [`BatchNorm`](crate::BatchNorm)
//! normalises with the batch's own statistics and then updates its running averages
//! ([`after_step`]); see [`Train::forward_batch_train`].
//!
//! ```
//! use typenet::{Dense, Init, Layer, Mse, Sgd, Sigmoid, SplitMix64, batch};
//! type Net = (Dense<2, 4>, Sigmoid<4>, Dense<4, 1>, Sigmoid<1>);
//! let mut net: Net = Layer::initialized(Init::XavierUniform, &mut SplitMix64::new(7));
//! let mut grads = Net::zeroed();
//! let xs = [[0., 0.], [0., 1.], [1., 0.], [1., 1.]];
//! let ts = [[0.], [1.], [1.], [0.]];
//! let mut workspace = [0.0; batch::workspace_len::<Net>(4)];
//! let first = batch::train_step_batch(&mut net, &mut grads, &Mse::new(), &mut Sgd::new(0.5).unwrap(), &xs, &ts, &mut workspace)?;
//! let mut last = first;
//! for _ in 0..2000 {
//!     last = batch::train_step_batch(&mut net, &mut grads, &Mse::new(), &mut Sgd::new(0.5).unwrap(), &xs, &ts, &mut workspace)?;
//! }
//! assert!(last < first / 4.0);
//! # Ok::<(), typenet::BatchError>(())
//! ```

use crate::layer::{Layer, Train};
use crate::loss::Loss;
use crate::optim::Optimizer;
use crate::scalar::Vector;
use core::fmt;
use num_traits::Zero as _;

/// A batched call got slices of different lengths or too small a workspace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum BatchError {
    /// A slice's length differs from the number of input samples.
    Length {
        /// The number of input samples.
        expected: usize,
        /// The length found.
        found: usize,
    },
    /// The workspace holds fewer scalars than the batch needs.
    Workspace {
        /// Scalars needed ([`workspace_len`] for the batch size, less the outputs and
        /// their gradients for the layer methods).
        needed: usize,
        /// Scalars given.
        found: usize,
    },
    /// The batch is so large that the workspace it needs cannot be counted in a `usize`
    /// (a batch size near `usize::MAX`, or a batch of zero-width inputs that long).
    Overflow {
        /// The number of samples.
        batch: usize,
    },
}

impl fmt::Display for BatchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Length { expected, found } => {
                write!(f, "batch of {expected} samples, but a slice of {found}")
            }
            Self::Workspace { needed, found } => {
                write!(
                    f,
                    "batch workspace of {found} scalars, but {needed} are needed"
                )
            }
            Self::Overflow { batch } => {
                write!(
                    f,
                    "a batch of {batch} samples needs more workspace than a usize can count"
                )
            }
        }
    }
}

impl core::error::Error for BatchError {}

/// Checks that every length in `others` is `n` and that the workspace holds `n · per_sample`.
#[inline]
pub(crate) fn check_batch(
    n: usize,
    others: &[usize],
    workspace: usize,
    per_sample: usize,
) -> Result<(), BatchError> {
    if let Some(&found) = others.iter().find(|&&l| l != n) {
        return Err(BatchError::Length { expected: n, found });
    }
    let Some(needed) = n.checked_mul(per_sample) else {
        return Err(BatchError::Overflow { batch: n });
    };
    if workspace < needed {
        return Err(BatchError::Workspace {
            needed,
            found: workspace,
        });
    }
    Ok(())
}

/// Splits the first `len` scalars off a workspace.
#[inline(always)]
#[allow(clippy::mut_mut)] // the cursor itself is moved forward
pub(crate) fn take<'a, T>(rest: &mut &'a mut [T], len: usize) -> &'a mut [T] {
    let (head, tail) = core::mem::take(rest).split_at_mut(len);
    *rest = tail;
    head
}

/// `&[T]` as `&[V]`: a workspace region seen as vectors of a layer's output size.
#[inline(always)]
pub(crate) fn vecs<T, V: Vector<T>>(flat: &[T]) -> &[V] {
    V::slice_from_flat(flat)
}

/// `&mut [T]` as `&mut [V]`.
#[inline(always)]
pub(crate) fn vecs_mut<T, V: Vector<T>>(flat: &mut [T]) -> &mut [V] {
    V::slice_from_flat_mut(flat)
}

/// Scalars of workspace [`accumulate_batch`] and [`train_step_batch`] need for `batch`
/// samples: the network's own [`BATCH_WORKSPACE`](Layer::BATCH_WORKSPACE) plus its
/// outputs and their gradients. A `const fn`, so it can size an array. A size beyond
/// `usize` gives `usize::MAX`, which no workspace holds (the batched functions then
/// return [`BatchError::Overflow`]).
pub const fn workspace_len<N: Layer>(batch: usize) -> usize {
    match checked_workspace_len::<N>(batch) {
        Some(len) => len,
        None => usize::MAX,
    }
}

/// [`workspace_len`], or `None` if it overflows `usize`.
pub(crate) const fn checked_workspace_len<N: Layer>(batch: usize) -> Option<usize> {
    // An output array's length is at most isize::MAX / its element size, so doubling it
    // does not overflow.
    let outputs = 2 * <N::Output as Vector<N::Scalar>>::LEN;
    let Some(per_sample) = N::BATCH_WORKSPACE.checked_add(outputs) else {
        return None;
    };
    batch.checked_mul(per_sample)
}

/// Forward and backward for a mini-batch: **adds** the gradients summed over the samples
/// into `grads` and returns the summed loss. The same numbers as calling
/// [`accumulate`](crate::accumulate) on each sample in order, computed a layer at a
/// time over the whole batch, for every network without a layer that looks at the whole
/// batch: it runs the training forms [`forward_batch_train`](Train::forward_batch_train)
/// and [`backward_batch_train`](Train::backward_batch_train), in which a
/// [`BatchNorm`](crate::BatchNorm) normalises with the batch's statistics. After your own
/// optimizer step, call [`after_step`] with the same workspace to update its running
/// averages ([`train_step_batch`] does both).
///
/// # Errors
/// [`BatchError`] if `targets` differs in length from `xs` or `workspace` is shorter
/// than [`workspace_len`]`::<N>(xs.len())`.
pub fn accumulate_batch<N, L>(
    net: &N,
    grads: &mut N,
    loss: &L,
    xs: &[N::Input],
    targets: &[L::Target],
    workspace: &mut [N::Scalar],
) -> Result<N::Scalar, BatchError>
where
    N: Train,
    L: Loss<N::Output, Scalar = N::Scalar>,
{
    let n = xs.len();
    check_batch(n, &[targets.len()], workspace.len(), workspace_len::<N>(1))?;
    let out = n * <N::Output as Vector<N::Scalar>>::LEN;
    let (ys, rest) = workspace.split_at_mut(out);
    let (dys, rest) = rest.split_at_mut(out);
    let ys = <N::Output as Vector<N::Scalar>>::slice_from_flat_mut(ys);
    let dys = <N::Output as Vector<N::Scalar>>::slice_from_flat_mut(dys);
    net.forward_batch_train(xs, ys, rest)?;
    let mut total = N::Scalar::zero();
    for ((y, t), dy) in ys.iter().zip(targets).zip(dys.iter_mut()) {
        let (e, g) = loss.loss_and_gradient(y, t);
        total = total + e;
        *dy = g;
    }
    net.backward_batch_train(xs, ys, dys, None, grads, rest)?;
    Ok(total)
}

/// What follows the optimizer's step after [`accumulate_batch`] on a batch of `batch`
/// samples in `workspace` (the same one): each layer's
/// [`after_batch_step`](Train::after_batch_step), where a [`BatchNorm`](crate::BatchNorm)
/// moves its running averages toward the batch's statistics. A no-op for networks
/// without such a layer. [`train_step_batch`] calls it.
pub fn after_step<N: Train>(net: &mut N, batch: usize, workspace: &[N::Scalar]) {
    let out = batch.saturating_mul(<N::Output as Vector<N::Scalar>>::LEN);
    if let Some(rest) = workspace.get(out.saturating_mul(2)..) {
        net.after_batch_step(batch, rest);
    }
}

/// One optimizer step on a mini-batch: zero `grads`, [`accumulate_batch`], step, then
/// [`after_step`] (the running averages of a [`BatchNorm`](crate::BatchNorm)).
/// Returns the summed loss before the update. Gradients are summed over the batch; for
/// the mean, divide the learning rate by the batch size.
///
/// # Errors
/// As [`accumulate_batch`]; on error nothing is updated.
#[allow(clippy::too_many_arguments)]
pub fn train_step_batch<N, L, O>(
    net: &mut N,
    grads: &mut N,
    loss: &L,
    optimizer: &mut O,
    xs: &[N::Input],
    targets: &[L::Target],
    workspace: &mut [N::Scalar],
) -> Result<N::Scalar, BatchError>
where
    N: Train,
    L: Loss<N::Output, Scalar = N::Scalar>,
    O: Optimizer<N>,
{
    grads.zero_params();
    let e = accumulate_batch(net, grads, loss, xs, targets, workspace)?;
    optimizer.step(net, grads);
    after_step(net, xs.len(), workspace);
    Ok(e)
}
