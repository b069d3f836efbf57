//! What the code `#[derive(Network)]` writes calls into: not part of the API (hidden from
//! the docs, free to change in any release). Generated code may only name public paths,
//! so the crate-private batch helpers are reached through here.

use crate::batch::BatchError;
use crate::layer::mode::Mode;
use crate::layer::{Layer, Train};

/// `[S; N]` with its scalar replaced by `T`: the network-scalar view of a layer's vector
/// type. Implemented for every array of `f32` or `f64` (or nested arrays of them: signals,
/// images) whatever its scalar, so naming the type never fails;
/// the derive compares two layers' sizes on these views (with [`Fits`](crate::Fits)), and
/// checks scalars separately (with [`SameScalar`](crate::SameScalar)), so each mistake is
/// its own error.
pub trait InScalar<T> {
    /// `[T; N]` (for images, `[[[T; C]; W]; H]`).
    type Out;
}

impl<S: crate::Elem, T, const N: usize> InScalar<T> for [S; N] {
    type Out = [S::As<T>; N];
}

/// Checks a batch's lengths and workspace (see [`BatchError`]).
///
/// # Errors
/// [`BatchError`] if a length in `others` is not `n` or the workspace is short.
#[inline]
pub fn check_batch(
    n: usize,
    others: &[usize],
    workspace: usize,
    per_sample: usize,
) -> Result<(), BatchError> {
    crate::batch::check_batch(n, others, workspace, per_sample)
}

/// Splits the first `len` scalars off a workspace.
#[inline(always)]
#[allow(clippy::mut_mut)] // the cursor itself is moved forward
pub fn take<'a, T>(rest: &mut &'a mut [T], len: usize) -> &'a mut [T] {
    crate::batch::take(rest, len)
}

/// [`Train`](crate::Train) as the code `#[derive(Network)]` writes reaches it: implemented
/// for every `Train` layer, with no supertrait.
///
/// The derived `Train` impl requires each concrete field to be `Trains` (so that a network
/// holding an inference-only layer has no `Train` impl, rather than failing where it is
/// defined). A bound on `Train` itself would let the compiler assume the field is a
/// `Layer` inside the impl, and a field that is not a layer at all would then be reported
/// again, in other words, at every use; through this trait each use still needs `Layer`
/// of the field, so what is reported is "is not a typenet layer" at the field.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be trained: it has no backward",
    label = "`{Self}` only infers",
    note = "training needs every layer to implement `typenet::Train` (a training forward and a backward); a layer without it still runs `forward` and `infer`"
)]
pub trait Trains {
    /// [`Train::Cache`](crate::Train::Cache).
    type Cache;

    /// [`Train::forward_train`](crate::Train::forward_train).
    fn forward_train(&self, x: &<Self as Layer>::Input) -> (<Self as Layer>::Output, Self::Cache)
    where
        Self: Layer;

    /// [`Train::backward_with`](crate::Train::backward_with).
    fn backward_with<M: Mode>(
        &self,
        cache: &Self::Cache,
        grad_output: &<Self as Layer>::Output,
        grads: &mut Self,
    ) -> <Self as Layer>::Input
    where
        Self: Layer;

    /// [`Train::backward_batch`](crate::Train::backward_batch).
    ///
    /// # Errors
    /// As `Train::backward_batch`.
    #[allow(clippy::type_complexity)]
    fn backward_batch(
        &self,
        xs: &[<Self as Layer>::Input],
        ys: &[<Self as Layer>::Output],
        grad_ys: &[<Self as Layer>::Output],
        grad_xs: Option<&mut [<Self as Layer>::Input]>,
        grads: &mut Self,
        workspace: &mut [<Self as Layer>::Scalar],
    ) -> Result<(), BatchError>
    where
        Self: Layer;

    /// [`Train::forward_batch_train`](crate::Train::forward_batch_train).
    ///
    /// # Errors
    /// As `Train::forward_batch_train`.
    fn forward_batch_train(
        &self,
        xs: &[<Self as Layer>::Input],
        ys: &mut [<Self as Layer>::Output],
        workspace: &mut [<Self as Layer>::Scalar],
    ) -> Result<(), BatchError>
    where
        Self: Layer;

    /// [`Train::backward_batch_train`](crate::Train::backward_batch_train).
    ///
    /// # Errors
    /// As `Train::backward_batch_train`.
    #[allow(clippy::type_complexity)]
    fn backward_batch_train(
        &self,
        xs: &[<Self as Layer>::Input],
        ys: &[<Self as Layer>::Output],
        grad_ys: &[<Self as Layer>::Output],
        grad_xs: Option<&mut [<Self as Layer>::Input]>,
        grads: &mut Self,
        workspace: &mut [<Self as Layer>::Scalar],
    ) -> Result<(), BatchError>
    where
        Self: Layer;

    /// [`Train::after_batch_step`](crate::Train::after_batch_step).
    fn after_batch_step(&mut self, batch: usize, workspace: &[<Self as Layer>::Scalar])
    where
        Self: Layer;
}

impl<L: Train> Trains for L {
    type Cache = <L as Train>::Cache;

    #[inline(always)]
    fn forward_train(&self, x: &L::Input) -> (L::Output, Self::Cache) {
        Train::forward_train(self, x)
    }

    #[inline(always)]
    fn backward_with<M: Mode>(
        &self,
        cache: &Self::Cache,
        g: &L::Output,
        grads: &mut Self,
    ) -> L::Input {
        Train::backward_with::<M>(self, cache, g, grads)
    }

    #[inline(always)]
    fn backward_batch(
        &self,
        xs: &[L::Input],
        ys: &[L::Output],
        grad_ys: &[L::Output],
        grad_xs: Option<&mut [L::Input]>,
        grads: &mut Self,
        workspace: &mut [L::Scalar],
    ) -> Result<(), BatchError> {
        Train::backward_batch(self, xs, ys, grad_ys, grad_xs, grads, workspace)
    }

    #[inline(always)]
    fn forward_batch_train(
        &self,
        xs: &[L::Input],
        ys: &mut [L::Output],
        workspace: &mut [L::Scalar],
    ) -> Result<(), BatchError> {
        Train::forward_batch_train(self, xs, ys, workspace)
    }

    #[inline(always)]
    fn backward_batch_train(
        &self,
        xs: &[L::Input],
        ys: &[L::Output],
        grad_ys: &[L::Output],
        grad_xs: Option<&mut [L::Input]>,
        grads: &mut Self,
        workspace: &mut [L::Scalar],
    ) -> Result<(), BatchError> {
        Train::backward_batch_train(self, xs, ys, grad_ys, grad_xs, grads, workspace)
    }

    #[inline(always)]
    fn after_batch_step(&mut self, batch: usize, workspace: &[L::Scalar]) {
        Train::after_batch_step(self, batch, workspace);
    }
}
