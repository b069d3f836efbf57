//! What the code `#[derive(Network)]` writes calls into: not part of the API (hidden from
//! the docs, free to change in any release). Generated code may only name public paths,
//! so the crate-private batch helpers are reached through here.

use crate::batch::BatchError;

/// `[S; N]` with its scalar replaced by `T`: the network-scalar view of a layer's vector
/// type. Implemented for every array whatever its scalar, so naming the type never fails;
/// the derive compares two layers' sizes on these views (with [`Fits`](crate::Fits)), and
/// checks scalars separately (with [`SameScalar`](crate::SameScalar)), so each mistake is
/// its own error.
pub trait InScalar<T> {
    /// `[T; N]`.
    type Out;
}

impl<S, T, const N: usize> InScalar<T> for [S; N] {
    type Out = [T; N];
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

/// How the backward chain a derived network shares between its four backward methods puts
/// each layer's parameter gradients: adding ([`Add`], `Layer::backward`) or setting them
/// ([`Overwrite`], `Layer::backward_overwrite`).
pub trait BackwardMode {
    /// Whether layers set their gradients rather than add to them.
    const OVERWRITE: bool;
}

/// [`BackwardMode`] of `backward` and `backward_params`.
pub struct Add;

impl BackwardMode for Add {
    const OVERWRITE: bool = false;
}

/// [`BackwardMode`] of `backward_overwrite` and `backward_params_overwrite`.
pub struct Overwrite;

impl BackwardMode for Overwrite {
    const OVERWRITE: bool = true;
}
