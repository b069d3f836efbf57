//! Residual connections: `y = x + block(x)`.

use crate::batch::{BatchError, check_batch, take};
use crate::init::Init;
use crate::layer::mode::Mode;
use crate::layer::{Layer, Train, fingerprint};
use crate::params::Params;
use crate::scalar::Vector;
use crate::weights::ParamCount;
use rand_core::Rng;

/// Says that a residual block's branch gives back the shape it takes (implemented for
/// `V` into `V` alone): `y = x + block(x)` adds the two element by element.
#[diagnostic::on_unimplemented(
    message = "a residual branch must keep its input's shape: `{Block}` takes `{In}`, but outputs `{Self}`",
    label = "`Residual<{Block}>` adds `{Self}` to `{In}`",
    note = "`Residual<B>` computes `x + B(x)`; a branch that changes the shape (strides, another channel count) needs a projection on the shortcut"
)]
pub trait KeepsShape<In, Block>: Sized {
    /// The branch's output as the shortcut's type (the identity).
    fn same(self) -> In;
    /// The shortcut's gradient as the branch's output gradient (the identity).
    fn back(grad: &In) -> &Self;
}

impl<V, Block> KeepsShape<V, Block> for V {
    #[inline(always)]
    fn same(self) -> V {
        self
    }
    #[inline(always)]
    fn back(grad: &V) -> &V {
        grad
    }
}

/// A residual block (ResNet's identity shortcut): `y = x + block(x)`, where `block` is any
/// layer or network whose output has its input's shape (a compile error in words
/// otherwise, naming the block and both shapes).
///
/// **Forward:** `y = x + B(x)`, element by element.
///
/// **Backward:** `∂E/∂x = ∂E/∂y + B'ᵀ·∂E/∂y`: the gradient reaches the input both
/// directly and through the block, which also receives `∂E/∂y` for its parameters. The
/// cache is the block's.
///
/// Its parameters are the block's.
///
/// ```
/// use typenet::{Dense, Layer, Residual};
/// let r = Residual::new(Dense::<2, 2>::new([[1.0, 0.0], [0.0, 2.0]], [0.0, 1.0]));
/// assert_eq!(r.forward(&[1.0, 1.0]), [2.0, 4.0]); // x + (W·x + b)
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, crate::Zeroable)]
pub struct Residual<B> {
    /// The branch `B` in `x + B(x)`.
    pub block: B,
}

impl<B> Residual<B> {
    /// The block `x + block(x)`. A `const fn`, so a trained network can be a `static`.
    pub const fn new(block: B) -> Self {
        Self { block }
    }
}

impl<T, B: Params<T>> Params<T> for Residual<B> {
    const COUNT: usize = B::COUNT;
    const SHAPE_FINGERPRINT: u64 =
        fingerprint::then(fingerprint::layer("Residual", &[]), B::SHAPE_FINGERPRINT);

    #[inline]
    fn zero_value() -> Self {
        Self::new(B::zero_value())
    }

    #[inline]
    fn each_param<F: FnMut(&[T])>(&self, f: &mut F) {
        self.block.each_param(f);
    }

    #[inline]
    fn each_param_mut<F: FnMut(&mut [T])>(&mut self, f: &mut F) {
        self.block.each_param_mut(f);
    }

    #[inline]
    fn zip_each<const K: usize, F>(&mut self, grads: &Self, mut state: [&mut Self; K], f: &mut F)
    where
        F: FnMut(&mut [T], &[T], [&mut [T]; K]),
    {
        self.block
            .zip_each(&grads.block, state.each_mut().map(|s| &mut s.block), f);
    }

    fn init_each<R: Rng + ?Sized>(&mut self, init: Init, rng: &mut R) {
        self.block.init_each(init, rng);
    }
}

/// `x + y` element by element.
#[inline]
fn add<T: crate::Scalar, V: Vector<T>>(x: &V, y: &V) -> V {
    let mut out = *x;
    for (o, &b) in out.as_mut_slice().iter_mut().zip(y.as_slice()) {
        *o = *o + b;
    }
    out
}

impl<B> Layer for Residual<B>
where
    B: Layer,
    // the branch gives back its input's shape
    B::Output: KeepsShape<B::Input, B>,
{
    type Scalar = B::Scalar;
    type Input = B::Input;
    type Output = B::Input;

    #[inline]
    fn forward(&self, x: &B::Input) -> B::Input {
        add(x, &self.block.forward(x).same())
    }

    /// Where the batched training forms keep the block's outputs and their gradients,
    /// then the block's own workspace.
    const BATCH_WORKSPACE: usize = 2 * <B::Output as Vector<B::Scalar>>::LEN + B::BATCH_WORKSPACE;

    // `forward_batch`: the default loop over samples (the same bits as `forward`)
}

/// `len` vectors' worth of scalars off the front of `rest`, seen as vectors.
#[inline]
#[allow(clippy::mut_mut)] // the cursor itself is moved forward
fn take_vecs<'a, T, V: Vector<T>>(rest: &mut &'a mut [T], n: usize) -> &'a mut [V] {
    V::slice_from_flat_mut(take(rest, n * V::LEN))
}

impl<B> Train for Residual<B>
where
    B: Train,
    B::Output: KeepsShape<B::Input, B>,
{
    type Cache = B::Cache;

    #[inline]
    fn forward_train(&self, x: &B::Input) -> (B::Input, B::Cache) {
        let (y, cache) = self.block.forward_train(x);
        (add(x, &y.same()), cache)
    }

    #[inline]
    fn backward(&self, cache: &B::Cache, g: &B::Input, grads: &mut Self) -> B::Input {
        let through = self
            .block
            .backward(cache, B::Output::back(g), &mut grads.block);
        add(g, &through)
    }

    /// The block in the mode `M`; `∂E/∂x` is `g` plus what the block returns (when `M`
    /// skips the input gradient nobody reads the sum).
    #[inline]
    fn backward_with<M: Mode>(&self, cache: &B::Cache, g: &B::Input, grads: &mut Self) -> B::Input {
        let through = self
            .block
            .backward_with::<M>(cache, B::Output::back(g), &mut grads.block);
        add(g, &through)
    }

    /// The block's training form on the whole batch (so a [`BatchNorm`](crate::BatchNorm)
    /// inside sees the batch), its outputs kept in the workspace, then `x + B(x)`.
    fn forward_batch_train(
        &self,
        xs: &[B::Input],
        ys: &mut [B::Input],
        workspace: &mut [B::Scalar],
    ) -> Result<(), BatchError> {
        let n = xs.len();
        check_batch(n, &[ys.len()], workspace.len(), Self::BATCH_WORKSPACE)?;
        let mut rest = &mut workspace[..];
        let outs = take_vecs::<_, B::Output>(&mut rest, n);
        let _grads = take_vecs::<_, B::Output>(&mut rest, n);
        let sub = take(&mut rest, n * B::BATCH_WORKSPACE);
        self.block.forward_batch_train(xs, outs, sub)?;
        for ((y, x), o) in ys.iter_mut().zip(xs).zip(outs.iter()) {
            *y = add(x, &(*o).same());
        }
        Ok(())
    }

    /// The block's training backward on the whole batch; `∂E/∂x = g + B'ᵀ·g` per sample.
    fn backward_batch_train(
        &self,
        xs: &[B::Input],
        ys: &[B::Input],
        grad_ys: &[B::Input],
        grad_xs: Option<&mut [B::Input]>,
        grads: &mut Self,
        workspace: &mut [B::Scalar],
    ) -> Result<(), BatchError> {
        let n = xs.len();
        let dxn = grad_xs.as_ref().map_or(n, |d| d.len());
        check_batch(
            n,
            &[ys.len(), grad_ys.len(), dxn],
            workspace.len(),
            Self::BATCH_WORKSPACE,
        )?;
        let mut rest = &mut workspace[..];
        let outs = &*take_vecs::<_, B::Output>(&mut rest, n);
        let gys = take_vecs::<_, B::Output>(&mut rest, n);
        let sub = take(&mut rest, n * B::BATCH_WORKSPACE);
        for (gy, g) in gys.iter_mut().zip(grad_ys) {
            *gy = *B::Output::back(g);
        }
        match grad_xs {
            Some(dxs) => {
                self.block.backward_batch_train(
                    xs,
                    outs,
                    gys,
                    Some(&mut *dxs),
                    &mut grads.block,
                    sub,
                )?;
                for (dx, g) in dxs.iter_mut().zip(grad_ys) {
                    *dx = add(g, dx);
                }
                Ok(())
            }
            None => self
                .block
                .backward_batch_train(xs, outs, gys, None, &mut grads.block, sub),
        }
    }

    /// The block's hook, with its region of the workspace.
    fn after_batch_step(&mut self, batch: usize, workspace: &[B::Scalar]) {
        let skip = batch.saturating_mul(2 * <B::Output as Vector<B::Scalar>>::LEN);
        if let Some(sub) = workspace.get(skip..) {
            self.block.after_batch_step(batch, sub);
        }
    }
}

impl<B: ParamCount> ParamCount for Residual<B>
where
    Self: Layer,
{
    type Count = B::Count;
}

/// Says that the two branches of a [`Parallel`] sum take the same input and give the same
/// output: implemented for `V` and `V` alone, for the inputs and for the outputs.
#[diagnostic::on_unimplemented(
    message = "the branches of a sum must map the same shapes: `{A}` has `{Self}` where `{B}` has `{Other}`",
    label = "`Parallel<{A}, {B}>` feeds both branches one input and adds their outputs",
    note = "`Parallel<A, B>` computes `A(x) + B(x)`; give the shortcut a projection (a 1×1 `Conv2d` with the branch's stride and channel count) so both map the same shapes"
)]
pub trait SameShapes<Other, A, B>: Sized {
    /// `self` as the other branch's (the identity).
    fn as_other(&self) -> &Other;
    /// The other branch's value as this one's (the identity).
    fn from_other(other: Other) -> Self;
}

impl<S, A, B> SameShapes<S, A, B> for S {
    #[inline(always)]
    fn as_other(&self) -> &S {
        self
    }
    #[inline(always)]
    fn from_other(other: S) -> S {
        other
    }
}

/// Two branches on the same input, summed: `y = A(x) + B(x)`. With a 1×1 stride-2
/// [`Conv2d`](crate::Conv2d) as `B`, it is ResNet's block with a projection shortcut,
/// where the main branch changes the shape and [`Residual`] cannot add its input.
///
/// **Forward:** `y = A(x) + B(x)`, element by element.
///
/// **Backward:** both branches receive `∂E/∂y`; `∂E/∂x` is the sum of what they return.
/// The cache is both branches' caches; the parameters are `A`'s, then `B`'s.
///
/// ```
/// use typenet::{Dense, Layer, Parallel};
/// let p = Parallel::new(Dense::<2, 1>::new([[1.0, 1.0]], [0.0]), Dense::<2, 1>::new([[2.0, 0.0]], [1.0]));
/// assert_eq!(p.forward(&[1.0, 3.0]), [4.0 + 3.0]);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, crate::Zeroable)]
pub struct Parallel<A, B> {
    /// The main branch.
    pub a: A,
    /// The other branch (a shortcut, often a projection).
    pub b: B,
}

impl<A, B> Parallel<A, B> {
    /// `x ↦ a(x) + b(x)`. A `const fn`, so a trained network can be a `static`.
    pub const fn new(a: A, b: B) -> Self {
        Self { a, b }
    }
}

impl<T, A: Params<T>, B: Params<T>> Params<T> for Parallel<A, B> {
    const COUNT: usize = A::COUNT + B::COUNT;
    const SHAPE_FINGERPRINT: u64 = fingerprint::then(
        fingerprint::then(fingerprint::layer("Parallel", &[]), A::SHAPE_FINGERPRINT),
        B::SHAPE_FINGERPRINT,
    );

    #[inline]
    fn zero_value() -> Self {
        Self::new(A::zero_value(), B::zero_value())
    }

    #[inline]
    fn each_param<F: FnMut(&[T])>(&self, f: &mut F) {
        self.a.each_param(f);
        self.b.each_param(f);
    }

    #[inline]
    fn each_param_mut<F: FnMut(&mut [T])>(&mut self, f: &mut F) {
        self.a.each_param_mut(f);
        self.b.each_param_mut(f);
    }

    #[inline]
    fn zip_each<const K: usize, F>(&mut self, grads: &Self, mut state: [&mut Self; K], f: &mut F)
    where
        F: FnMut(&mut [T], &[T], [&mut [T]; K]),
    {
        self.a
            .zip_each(&grads.a, state.each_mut().map(|s| &mut s.a), f);
        self.b
            .zip_each(&grads.b, state.each_mut().map(|s| &mut s.b), f);
    }

    fn init_each<R: Rng + ?Sized>(&mut self, init: Init, rng: &mut R) {
        self.a.init_each(init, rng);
        self.b.init_each(init, rng);
    }
}

impl<A, B> Layer for Parallel<A, B>
where
    A: Layer,
    B: Layer<Scalar = A::Scalar>,
    // both branches map the same shapes (a readable error where they do not)
    A::Input: SameShapes<B::Input, A, B>,
    A::Output: SameShapes<B::Output, A, B>,
{
    type Scalar = A::Scalar;
    type Input = A::Input;
    type Output = A::Output;

    #[inline]
    fn forward(&self, x: &A::Input) -> A::Output {
        let yb = A::Output::from_other(self.b.forward(x.as_other()));
        add(&self.a.forward(x), &yb)
    }

    /// Where the batched training forms keep `B`'s view of the inputs, both branches'
    /// outputs, `B`'s output gradients and input gradients, then `A`'s and `B`'s own
    /// workspaces.
    const BATCH_WORKSPACE: usize = 2 * <A::Input as Vector<A::Scalar>>::LEN
        + 3 * <A::Output as Vector<A::Scalar>>::LEN
        + A::BATCH_WORKSPACE
        + B::BATCH_WORKSPACE;
}

/// The regions of a [`Parallel`]'s workspace, in order.
struct Regions<'a, T, A: Layer<Scalar = T>, B: Layer<Scalar = T>> {
    xb: &'a mut [B::Input],
    ya: &'a mut [A::Output],
    yb: &'a mut [B::Output],
    gb: &'a mut [B::Output],
    dxb: &'a mut [B::Input],
    sub_a: &'a mut [T],
    sub_b: &'a mut [T],
}

impl<'a, T, A: Layer<Scalar = T>, B: Layer<Scalar = T>> Regions<'a, T, A, B> {
    /// Splits a workspace of at least `n ·` [`Parallel::BATCH_WORKSPACE`] scalars.
    fn split(mut rest: &'a mut [T], n: usize) -> Self {
        Self {
            xb: take_vecs(&mut rest, n),
            ya: take_vecs(&mut rest, n),
            yb: take_vecs(&mut rest, n),
            gb: take_vecs(&mut rest, n),
            dxb: take_vecs(&mut rest, n),
            sub_a: take(&mut rest, n * A::BATCH_WORKSPACE),
            sub_b: take(&mut rest, n * B::BATCH_WORKSPACE),
        }
    }
}

impl<A, B> Train for Parallel<A, B>
where
    A: Train,
    B: Train + Layer<Scalar = A::Scalar>,
    A::Input: SameShapes<B::Input, A, B>,
    A::Output: SameShapes<B::Output, A, B>,
{
    type Cache = (A::Cache, B::Cache);

    #[inline]
    fn forward_train(&self, x: &A::Input) -> (A::Output, Self::Cache) {
        let (ya, ca) = self.a.forward_train(x);
        let (yb, cb) = self.b.forward_train(x.as_other());
        (add(&ya, &A::Output::from_other(yb)), (ca, cb))
    }

    #[inline]
    fn backward(&self, cache: &Self::Cache, g: &A::Output, grads: &mut Self) -> A::Input {
        let da = self.a.backward(&cache.0, g, &mut grads.a);
        let db = self.b.backward(&cache.1, g.as_other(), &mut grads.b);
        add(&da, &A::Input::from_other(db))
    }

    /// Both branches in the mode `M`.
    #[inline]
    fn backward_with<M: Mode>(
        &self,
        cache: &Self::Cache,
        g: &A::Output,
        grads: &mut Self,
    ) -> A::Input {
        let da = self.a.backward_with::<M>(&cache.0, g, &mut grads.a);
        let db = self
            .b
            .backward_with::<M>(&cache.1, g.as_other(), &mut grads.b);
        add(&da, &A::Input::from_other(db))
    }

    /// Each branch's training form on the whole batch (so a
    /// [`BatchNorm`](crate::BatchNorm) in either sees the batch), then `A(x) + B(x)`.
    fn forward_batch_train(
        &self,
        xs: &[A::Input],
        ys: &mut [A::Output],
        workspace: &mut [A::Scalar],
    ) -> Result<(), BatchError> {
        let n = xs.len();
        check_batch(n, &[ys.len()], workspace.len(), Self::BATCH_WORKSPACE)?;
        let r = Regions::<_, A, B>::split(workspace, n);
        for (xb, x) in r.xb.iter_mut().zip(xs) {
            *xb = *x.as_other();
        }
        self.a.forward_batch_train(xs, r.ya, r.sub_a)?;
        self.b.forward_batch_train(r.xb, r.yb, r.sub_b)?;
        for ((y, ya), yb) in ys.iter_mut().zip(r.ya.iter()).zip(r.yb.iter()) {
            *y = add(ya, &A::Output::from_other(*yb));
        }
        Ok(())
    }

    /// Each branch's training backward on the whole batch; `∂E/∂x` is the sum of theirs.
    fn backward_batch_train(
        &self,
        xs: &[A::Input],
        ys: &[A::Output],
        grad_ys: &[A::Output],
        grad_xs: Option<&mut [A::Input]>,
        grads: &mut Self,
        workspace: &mut [A::Scalar],
    ) -> Result<(), BatchError> {
        let n = xs.len();
        let dxn = grad_xs.as_ref().map_or(n, |d| d.len());
        check_batch(
            n,
            &[ys.len(), grad_ys.len(), dxn],
            workspace.len(),
            Self::BATCH_WORKSPACE,
        )?;
        let r = Regions::<_, A, B>::split(workspace, n);
        for (gb, g) in r.gb.iter_mut().zip(grad_ys) {
            *gb = *g.as_other();
        }
        let input = grad_xs.is_some();
        let mut grad_xs = grad_xs;
        self.a.backward_batch_train(
            xs,
            r.ya,
            grad_ys,
            grad_xs.as_deref_mut(),
            &mut grads.a,
            r.sub_a,
        )?;
        let dxb = if input { Some(&mut *r.dxb) } else { None };
        self.b
            .backward_batch_train(r.xb, r.yb, r.gb, dxb, &mut grads.b, r.sub_b)?;
        if let Some(dxs) = grad_xs {
            for (dx, db) in dxs.iter_mut().zip(r.dxb.iter()) {
                *dx = add(dx, &A::Input::from_other(*db));
            }
        }
        Ok(())
    }

    /// Both branches' hooks, each with its region of the workspace.
    fn after_batch_step(&mut self, batch: usize, workspace: &[A::Scalar]) {
        let vectors =
            2 * <A::Input as Vector<A::Scalar>>::LEN + 3 * <A::Output as Vector<A::Scalar>>::LEN;
        let (Some(skip), Some(len_a), Some(len_b)) = (
            batch.checked_mul(vectors),
            batch.checked_mul(A::BATCH_WORKSPACE),
            batch.checked_mul(B::BATCH_WORKSPACE),
        ) else {
            return;
        };
        let Some(rest) = workspace.get(skip..) else {
            return;
        };
        if rest.len() < len_a + len_b {
            return;
        }
        let (sub_a, rest) = rest.split_at(len_a);
        self.a.after_batch_step(batch, sub_a);
        self.b.after_batch_step(batch, &rest[..len_b]);
    }
}
