//! Sequential networks: a tuple of layers is a layer.
//!
//! `(Dense<2, 4>, Sigmoid<4>, Dense<4, 1>, Sigmoid<1>)` is a network: its input is the first
//! layer's, its output the last one's, and each layer's output feeds the next one's input.
//! Tuples of 1 to 12 layers are networks, and they nest — a tuple can hold tuples — so
//! there is no limit on depth. A longer tuple (13 to 16 layers) is the error "a tuple
//! network holds at most 12 layers, not 13", which says to nest or to derive a network.
//!
//! Sizes are checked at compile time. A layer that does not fit the one before it is an
//! error that names both layers and both sizes:
//!
//! ```compile_fail
//! use typenet::{Dense, Layer, Sigmoid};
//! let net = (Dense::<2, 3>::zeroed(), Sigmoid::<1>::new());
//! typenet::infer(&net, &[0.0, 1.0]);
//! // error[E0277]: layer sizes do not match: `Dense<2, 3>` outputs `[f32; 3]`,
//! //               but the next layer, `Sigmoid<1>`, takes `[f32; 1]`
//! ```
//!
//! A layer in another scalar type than the first layer's is "scalar types differ: `Sigmoid<4>`
//! computes in `f32`, but the network's first layer, `Dense<2, 4, f64>`, computes in
//! `f64`" (see [`InNetwork`]); sizes are compared once the scalars agree.
//!
//! The method forms (`net.forward(&x)`, `net.forward_train(&x)`) give the same words (as
//! error E0599, the compiler's code for a method whose impl does not apply): the impls
//! state each size check on the tuple itself, through [`Joins`].
//!
//! The same network with matching sizes compiles:
//!
//! ```
//! use typenet::{Dense, Layer, Sigmoid};
//! let net = (Dense::<2, 1>::zeroed(), Sigmoid::<1>::new());
//! assert_eq!(typenet::infer(&net, &[0.0, 1.0]), [0.5]);
//! ```
//!
//! A network's cache is the tuple of its layers' caches, and its gradients are a tuple of
//! the same layers holding gradients. Backward runs the layers in reverse, each starting
//! from the `∂E/∂input` its successor returned: the chain rule.

use crate::batch::{BatchError, check_batch, take, vecs, vecs_mut};
use crate::init::Init;
use crate::layer::mode::{self, Mode};
use crate::layer::{Layer, Train, fingerprint};
use crate::params::Params;
use crate::scalar::Vector;
use rand_core::Rng;

/// Connects one layer's output to the next layer's input; holds only when the two are the
/// same array type. `Prev` and `Next` are the two layers, named so the error can say which.
///
/// It is implemented for `[E; N]` into `[E; N]` alone (any element `E`, so signals
/// `[[T; C]; L]` and images `[[[T; C]; W]; H]` fit only their own shape), so a mismatch has no candidate impl
/// and the compiler reports this trait's message rather than a wall of trait bounds.
#[diagnostic::on_unimplemented(
    message = "layer sizes do not match: `{Prev}` outputs `{Self}`, but the next layer, `{Next}`, takes `{In}`",
    label = "`{Next}` cannot follow `{Prev}`",
    note = "each layer's output must be the next layer's input: same length, same scalar type"
)]
pub trait Fits<In, Prev, Next>: Sized {
    /// Passes an output on as the next layer's input (the identity).
    fn fit(self) -> In;
    /// Passes `∂E/∂input` of the next layer back as `∂E/∂output` of this one (the identity).
    fn unfit(grad: In) -> Self;
    /// [`fit`](Fits::fit) for a batch of outputs.
    fn fit_slice(batch: &[Self]) -> &[In];
    /// [`fit`](Fits::fit) for a batch of outputs, mutably (where the next layer writes
    /// its input gradients).
    fn fit_slice_mut(batch: &mut [Self]) -> &mut [In];
}

impl<T, const N: usize, Prev, Next> Fits<[T; N], Prev, Next> for [T; N] {
    #[inline(always)]
    fn fit(self) -> [T; N] {
        self
    }
    #[inline(always)]
    fn unfit(grad: [T; N]) -> [T; N] {
        grad
    }
    #[inline(always)]
    fn fit_slice(batch: &[Self]) -> &[[T; N]] {
        batch
    }
    #[inline(always)]
    fn fit_slice_mut(batch: &mut [Self]) -> &mut [[T; N]] {
        batch
    }
}

/// [`Fits`] asked of the network itself: a tuple `Net` whose layer `Prev` outputs `Out`
/// joins its next layer `Next`, which takes `In`, when `Out: Fits<In, Prev, Next>`.
///
/// The tuple impls of [`Layer`] and [`Train`] state their size checks with it, on the
/// tuple, rather than as `Fits` bounds on the arrays. The two read the same where a
/// function needs a layer (`infer(&net, …)` reports `Fits`' message), and the method form
/// (`net.forward(&x)`), for which the compiler reports the impl's own unmet bound, names
/// both layers and both sizes too, instead of "the method `forward` exists … but its
/// trait bounds were not satisfied".
#[diagnostic::on_unimplemented(
    message = "layer sizes do not match: `{Prev}` outputs `{Out}`, but the next layer, `{Next}`, takes `{In}`",
    label = "`{Next}` cannot follow `{Prev}`",
    note = "each layer's output must be the next layer's input: same length, same scalar type"
)]
pub trait Joins<Out, In, Prev, Next> {
    /// [`Fits::fit`].
    fn fit(out: Out) -> In;
    /// [`Fits::unfit`].
    fn unfit(grad: In) -> Out;
    /// [`Fits::fit_slice`].
    fn fit_slice(batch: &[Out]) -> &[In];
    /// [`Fits::fit_slice_mut`].
    fn fit_slice_mut(batch: &mut [Out]) -> &mut [In];
}

impl<Net, Out: Fits<In, Prev, Next>, In, Prev, Next> Joins<Out, In, Prev, Next> for Net {
    #[inline(always)]
    fn fit(out: Out) -> In {
        out.fit()
    }
    #[inline(always)]
    fn unfit(grad: In) -> Out {
        Out::unfit(grad)
    }
    #[inline(always)]
    fn fit_slice(batch: &[Out]) -> &[In] {
        Out::fit_slice(batch)
    }
    #[inline(always)]
    fn fit_slice_mut(batch: &mut [Out]) -> &mut [In] {
        Out::fit_slice_mut(batch)
    }
}

/// An element of a layer's vector: a scalar (`f32`, `f64`), or an array of elements (the
/// rows and pixels of signals `[[T; C]; L]` and images `[[[T; C]; W]; H]`). `As<U>` is
/// the same shape in the scalar `U`: how [`SameScalar`] and `#[derive(Network)]` name a
/// layer's vector in the network's scalar.
pub trait Elem {
    /// The same shape, in the scalar `U`.
    type As<U>;
}

impl Elem for f32 {
    type As<U> = U;
}

impl Elem for f64 {
    type As<U> = U;
}

impl<E: Elem, const N: usize> Elem for [E; N] {
    type As<U> = [E::As<U>; N];
}

/// Says that a network's layer computes in the network's scalar type, the scalar type of
/// its first layer: implemented for `T` alone, so `Self` (the layer's scalar) must be `T`.
/// `First` and `L` are the first layer and the layer itself, named so the error can say
/// which.
///
/// `#[derive(Network)]` states it once per field, so an `f32` layer in an `f64` network
/// is one error at that field, in words:
///
/// ```text
/// error[E0277]: scalar types differ: `Sigmoid<4>` computes in `f32`, but the network's
///               first layer, `Dense<2, 4, f64>`, computes in `f64`
/// ```
///
/// Its functions are the identity; the generated code passes every value, slice and
/// workspace between the network and a layer through them, so that a mismatch is this one
/// error rather than a type error at each place the two scalar types meet.
#[diagnostic::on_unimplemented(
    message = "scalar types differ: `{L}` computes in `{Self}`, but the network's first layer, `{First}`, computes in `{T}`",
    label = "`{L}` computes in `{Self}`, not `{T}`",
    note = "every layer of a network computes in its first layer's scalar type; a layer's scalar is its last type parameter, `f32` unless given (`Sigmoid<4, f64>`)"
)]
pub trait SameScalar<T, First, L>: Sized {
    /// The layer's vector type `V` as the network's: `V` itself. A derived network's
    /// output is its last layer's, named through this so that it is a vector of the
    /// network's scalar even where that layer's scalar is wrong (the one error is then
    /// this trait's).
    type Vector<V: Vector<Self>>: Vector<T>;
    /// A layer's output as the network's.
    fn to_net_vector<V: Vector<Self>>(v: V) -> Self::Vector<V>;
    /// The network's output gradient as the layer's.
    fn to_layer_vector_ref<V: Vector<Self>>(v: &Self::Vector<V>) -> &V;
    /// A layer's vector as the network's (`[E; N]`: a vector of scalars, or of rows or
    /// pixels of them, as images are).
    fn to_net_array<E: Elem<As<Self> = E>, const N: usize>(v: [E; N]) -> [E::As<T>; N];
    /// The network's vector as a layer's.
    fn to_layer_array<E: Elem<As<Self> = E>, const N: usize>(v: [E::As<T>; N]) -> [E; N];
    /// [`to_layer_array`](SameScalar::to_layer_array) by reference.
    fn to_layer_array_ref<E: Elem<As<Self> = E>, const N: usize>(v: &[E::As<T>; N]) -> &[E; N];
    /// A layer's parameters as the network's.
    fn to_net_slice(s: &[Self]) -> &[T];
    /// A layer's parameters as the network's, mutably.
    fn to_net_slice_mut(s: &mut [Self]) -> &mut [T];
    /// The network's scalars (a workspace region) as a layer's.
    fn to_layer_slice(s: &[T]) -> &[Self];
    /// The network's scalars as a layer's, mutably.
    fn to_layer_slice_mut(s: &mut [T]) -> &mut [Self];
    /// A batch of the network's vectors as a layer's.
    fn to_layer_arrays<E: Elem<As<Self> = E>, const N: usize>(s: &[[E::As<T>; N]]) -> &[[E; N]];
    /// A batch of the network's vectors as a layer's, mutably.
    fn to_layer_arrays_mut<E: Elem<As<Self> = E>, const N: usize>(
        s: &mut [[E::As<T>; N]],
    ) -> &mut [[E; N]];
}

impl<T, First, L> SameScalar<T, First, L> for T {
    type Vector<V: Vector<T>> = V;
    #[inline(always)]
    fn to_net_vector<V: Vector<T>>(v: V) -> V {
        v
    }
    #[inline(always)]
    fn to_layer_vector_ref<V: Vector<T>>(v: &V) -> &V {
        v
    }
    #[inline(always)]
    fn to_net_array<E: Elem<As<T> = E>, const N: usize>(v: [E; N]) -> [E; N] {
        v
    }
    #[inline(always)]
    fn to_layer_array<E: Elem<As<T> = E>, const N: usize>(v: [E; N]) -> [E; N] {
        v
    }
    #[inline(always)]
    fn to_layer_array_ref<E: Elem<As<T> = E>, const N: usize>(v: &[E; N]) -> &[E; N] {
        v
    }
    #[inline(always)]
    fn to_net_slice(s: &[T]) -> &[T] {
        s
    }
    #[inline(always)]
    fn to_net_slice_mut(s: &mut [T]) -> &mut [T] {
        s
    }
    #[inline(always)]
    fn to_layer_slice(s: &[T]) -> &[T] {
        s
    }
    #[inline(always)]
    fn to_layer_slice_mut(s: &mut [T]) -> &mut [T] {
        s
    }
    #[inline(always)]
    fn to_layer_arrays<E: Elem<As<T> = E>, const N: usize>(s: &[[E; N]]) -> &[[E; N]] {
        s
    }
    #[inline(always)]
    fn to_layer_arrays_mut<E: Elem<As<T> = E>, const N: usize>(s: &mut [[E; N]]) -> &mut [[E; N]] {
        s
    }
}

/// A tuple network's layer `L`, seen as computing in the network's scalar `T` (the scalar
/// of its first layer, `First`): `L` itself, as [`View`](InNetwork::View). Implemented for
/// `T` alone, like [`SameScalar`], so that a layer in another scalar type is one error in
/// words:
///
/// ```text
/// error[E0277]: scalar types differ: `Sigmoid<4>` computes in `f32`, but the network's
///               first layer, `Dense<2, 4, f64>`, computes in `f64`
/// ```
///
/// The tuple impls use every layer through this view, so sizes are compared (with
/// [`Joins`]) between vectors of the network's scalar, apart from scalars.
#[diagnostic::on_unimplemented(
    message = "scalar types differ: `{L}` computes in `{Self}`, but the network's first layer, `{First}`, computes in `{T}`",
    label = "`{L}` computes in `{Self}`, not `{T}`",
    note = "every layer of a network computes in its first layer's scalar type; a layer's scalar is its last type parameter, `f32` unless given (`Sigmoid<4, f64>`)"
)]
pub trait InNetwork<T, First, L>: Sized {
    /// `L`, known to compute in `T`.
    type View: Layer<Scalar = T>;
    /// The layer as its view (the identity).
    fn view(layer: &L) -> &Self::View;
    /// The layer as its view, mutably (the identity).
    fn view_mut(layer: &mut L) -> &mut Self::View;
    /// A view as the layer (the identity).
    fn from_view(view: Self::View) -> L;
}

impl<T: crate::scalar::Scalar, First, L: Layer<Scalar = T>> InNetwork<T, First, L> for T {
    type View = L;
    #[inline(always)]
    fn view(layer: &L) -> &L {
        layer
    }
    #[inline(always)]
    fn view_mut(layer: &mut L) -> &mut L {
        layer
    }
    #[inline(always)]
    fn from_view(view: L) -> L {
        view
    }
}

/// The layer `$L` of a tuple whose first layer is `$F`, seen as computing in `$F`'s scalar
/// (see [`InNetwork`]).
macro_rules! view {
    ($F:ident, $L:ident) => {
        <<$L as Layer>::Scalar as InNetwork<<$F as Layer>::Scalar, $F, $L>>::View
    };
}

/// `&self.i` (or `&mut grads.i`) as [`view!`].
macro_rules! view_of {
    ($F:ident, $L:ident, mut $e:expr) => {
        <<$L as Layer>::Scalar as InNetwork<<$F as Layer>::Scalar, $F, $L>>::view_mut($e)
    };
    ($F:ident, $L:ident, $e:expr) => {
        <<$L as Layer>::Scalar as InNetwork<<$F as Layer>::Scalar, $F, $L>>::view($e)
    };
}

/// [`Joins`] for the pair `$P`, `$N` of a tuple whose first layer is `$F`.
macro_rules! joins {
    ($F:ident, $P:ident, $N:ident, $f:ident) => {
        <Self as Joins<<view!($F, $P) as Layer>::Output, <view!($F, $N) as Layer>::Input, $P, $N>>::$f
    };
}

macro_rules! tuple_layer {
    (
        first: $A0:ident $i0:tt $c0:ident,
        last: $AL:ident $iL:tt,
        all: [$($A:ident $i:tt $c:ident),+],
        pairs: [$($P:ident $pi:tt => $N:ident $ni:tt $nc:ident),*],
        rev_pairs: [$($RN:ident $rni:tt => $RP:ident $rpi:tt),*]
    ) => {
        // Every layer is used through its view in the first layer's scalar (itself, where
        // it computes in that scalar), so that a layer in another scalar type is
        // `InNetwork`'s error, in words, and sizes are compared in the network's scalar.
        impl<$($A),+> Layer for ($($A,)+)
        where
            $(
                $A: Layer,
                // each layer computes in the first layer's scalar type ...
                <$A as Layer>::Scalar: InNetwork<<$A0 as Layer>::Scalar, $A0, $A>,
            )+
            $(
                // ... and takes exactly what the previous one outputs
                Self: Joins<<view!($A0, $P) as Layer>::Output, <view!($A0, $N) as Layer>::Input, $P, $N>,
            )*
        {
            type Scalar = <$A0 as Layer>::Scalar;
            type Input = <view!($A0, $A0) as Layer>::Input;
            type Output = <view!($A0, $AL) as Layer>::Output;

            // each layer's output and its gradient, then the layers' own workspaces
            const BATCH_WORKSPACE: usize = 0
                $(+ 2 * <<view!($A0, $A) as Layer>::Output as Vector<Self::Scalar>>::LEN + <view!($A0, $A) as Layer>::BATCH_WORKSPACE)+;

            #[inline]
            fn forward(&self, x: &Self::Input) -> Self::Output {
                let y = view_of!($A0, $A0, &self.$i0).forward(x);
                $(let y = view_of!($A0, $N, &self.$ni).forward(&joins!($A0, $P, $N, fit)(y));)*
                y
            }

            #[allow(unused_mut)] // a one-layer tuple splits nothing
            fn forward_batch(
                &self,
                xs: &[Self::Input],
                ys: &mut [Self::Output],
                workspace: &mut [Self::Scalar],
            ) -> Result<(), BatchError> {
                let n = xs.len();
                check_batch(n, &[ys.len()], workspace.len(), Self::BATCH_WORKSPACE)?;
                let mut rest = &mut workspace[..];
                let mut outs = [$(take(&mut rest, n * <<view!($A0, $A) as Layer>::Output as Vector<Self::Scalar>>::LEN)),+];
                let _grads = [$(take(&mut rest, n * <<view!($A0, $A) as Layer>::Output as Vector<Self::Scalar>>::LEN)),+];
                let mut subs = [$(take(&mut rest, n * <view!($A0, $A) as Layer>::BATCH_WORKSPACE)),+];
                view_of!($A0, $A0, &self.$i0).forward_batch(xs, vecs_mut(&mut *outs[0]), &mut *subs[0])?;
                $({
                    let (done, next) = outs.split_at_mut($ni);
                    view_of!($A0, $N, &self.$ni).forward_batch(
                        joins!($A0, $P, $N, fit_slice)(vecs(&*done[$pi])),
                        vecs_mut(&mut *next[0]),
                        &mut *subs[$ni],
                    )?;
                })*
                ys.copy_from_slice(vecs(&*outs[$iL]));
                Ok(())
            }

            // summary: this tuple's row, then each layer's, named by its index
            fn describe(visit: &mut dyn FnMut(&crate::summary::Row), depth: usize, name: &'static str) {
                let layers = [$(stringify!($i)),+].len();
                visit(&crate::summary::Row::network::<Self>(depth, name, "", layers));
                $(<$A as Layer>::describe(visit, depth + 1, stringify!($i));)+
            }
        }

        // Trainable when every layer is: a layer that only infers is reported by name
        // ("`X` cannot be trained: it has no backward") where the tuple is trained.
        impl<$($A),+> Train for ($($A,)+)
        where
            $(
                $A: Layer,
                <$A as Layer>::Scalar: InNetwork<<$A0 as Layer>::Scalar, $A0, $A>,
                view!($A0, $A): Train,
            )+
            $(
                Self: Joins<<view!($A0, $P) as Layer>::Output, <view!($A0, $N) as Layer>::Input, $P, $N>,
            )*
        {
            type Cache = ($(<view!($A0, $A) as Train>::Cache,)+);

            #[inline]
            fn forward_train(&self, x: &Self::Input) -> (Self::Output, Self::Cache) {
                let (y, $c0) = view_of!($A0, $A0, &self.$i0).forward_train(x);
                $(let (y, $nc) = view_of!($A0, $N, &self.$ni).forward_train(&joins!($A0, $P, $N, fit)(y));)*
                (y, ($($c,)+))
            }

            #[inline]
            fn backward(&self, cache: &Self::Cache, grad: &Self::Output, grads: &mut Self) -> Self::Input {
                self.backward_with::<mode::Accumulate>(cache, grad, grads)
            }

            /// The chain rule: the layers in reverse, each from the `∂E/∂input` of the one
            /// after it; the first in the mode `Md`, the others in `Md::Rest`.
            #[inline]
            fn backward_with<Md: Mode>(&self, cache: &Self::Cache, grad: &Self::Output, grads: &mut Self) -> Self::Input {
                let g = *grad;
                $(let g = joins!($A0, $RP, $RN, unfit)(
                    view_of!($A0, $RN, &self.$rni).backward_with::<Md::Rest>(&cache.$rni, &g, view_of!($A0, $RN, mut &mut grads.$rni)),
                );)*
                view_of!($A0, $A0, &self.$i0).backward_with::<Md>(&cache.$i0, &g, view_of!($A0, $A0, mut &mut grads.$i0))
            }

            #[allow(unused_mut)]
            fn backward_batch(
                &self,
                xs: &[Self::Input],
                ys: &[Self::Output],
                grad_ys: &[Self::Output],
                grad_xs: Option<&mut [Self::Input]>,
                grads: &mut Self,
                workspace: &mut [Self::Scalar],
            ) -> Result<(), BatchError> {
                let n = xs.len();
                let dxn = grad_xs.as_ref().map_or(n, |d| d.len());
                check_batch(n, &[ys.len(), grad_ys.len(), dxn], workspace.len(), Self::BATCH_WORKSPACE)?;
                let mut rest = &mut workspace[..];
                let outs = [$(&*take(&mut rest, n * <<view!($A0, $A) as Layer>::Output as Vector<Self::Scalar>>::LEN)),+];
                let mut gys = [$(take(&mut rest, n * <<view!($A0, $A) as Layer>::Output as Vector<Self::Scalar>>::LEN)),+];
                let mut subs = [$(take(&mut rest, n * <view!($A0, $A) as Layer>::BATCH_WORKSPACE)),+];
                vecs_mut(&mut *gys[$iL]).copy_from_slice(grad_ys);
                $({
                    let (before, at) = gys.split_at_mut($rni);
                    view_of!($A0, $RN, &self.$rni).backward_batch(
                        joins!($A0, $RP, $RN, fit_slice)(vecs(outs[$rpi])),
                        vecs(outs[$rni]),
                        vecs(&*at[0]),
                        Some(joins!($A0, $RP, $RN, fit_slice_mut)(vecs_mut(&mut *before[$rpi]))),
                        view_of!($A0, $RN, mut &mut grads.$rni),
                        &mut *subs[$rni],
                    )?;
                })*
                view_of!($A0, $A0, &self.$i0).backward_batch(xs, vecs(outs[0]), vecs(&*gys[0]), grad_xs, view_of!($A0, $A0, mut &mut grads.$i0), &mut *subs[0])
            }

            // The training forms: the same walk as `forward_batch` and `backward_batch`,
            // each layer in its training form (the same bits, but for layers such as
            // `BatchNorm` that normalise with the batch's statistics).
            #[allow(unused_mut)]
            fn forward_batch_train(
                &self,
                xs: &[Self::Input],
                ys: &mut [Self::Output],
                workspace: &mut [Self::Scalar],
            ) -> Result<(), BatchError> {
                let n = xs.len();
                check_batch(n, &[ys.len()], workspace.len(), Self::BATCH_WORKSPACE)?;
                let mut rest = &mut workspace[..];
                let mut outs = [$(take(&mut rest, n * <<view!($A0, $A) as Layer>::Output as Vector<Self::Scalar>>::LEN)),+];
                let _grads = [$(take(&mut rest, n * <<view!($A0, $A) as Layer>::Output as Vector<Self::Scalar>>::LEN)),+];
                let mut subs = [$(take(&mut rest, n * <view!($A0, $A) as Layer>::BATCH_WORKSPACE)),+];
                view_of!($A0, $A0, &self.$i0).forward_batch_train(xs, vecs_mut(&mut *outs[0]), &mut *subs[0])?;
                $({
                    let (done, next) = outs.split_at_mut($ni);
                    view_of!($A0, $N, &self.$ni).forward_batch_train(
                        joins!($A0, $P, $N, fit_slice)(vecs(&*done[$pi])),
                        vecs_mut(&mut *next[0]),
                        &mut *subs[$ni],
                    )?;
                })*
                ys.copy_from_slice(vecs(&*outs[$iL]));
                Ok(())
            }

            #[allow(unused_mut)]
            fn backward_batch_train(
                &self,
                xs: &[Self::Input],
                ys: &[Self::Output],
                grad_ys: &[Self::Output],
                grad_xs: Option<&mut [Self::Input]>,
                grads: &mut Self,
                workspace: &mut [Self::Scalar],
            ) -> Result<(), BatchError> {
                let n = xs.len();
                let dxn = grad_xs.as_ref().map_or(n, |d| d.len());
                check_batch(n, &[ys.len(), grad_ys.len(), dxn], workspace.len(), Self::BATCH_WORKSPACE)?;
                let mut rest = &mut workspace[..];
                let outs = [$(&*take(&mut rest, n * <<view!($A0, $A) as Layer>::Output as Vector<Self::Scalar>>::LEN)),+];
                let mut gys = [$(take(&mut rest, n * <<view!($A0, $A) as Layer>::Output as Vector<Self::Scalar>>::LEN)),+];
                let mut subs = [$(take(&mut rest, n * <view!($A0, $A) as Layer>::BATCH_WORKSPACE)),+];
                vecs_mut(&mut *gys[$iL]).copy_from_slice(grad_ys);
                $({
                    let (before, at) = gys.split_at_mut($rni);
                    view_of!($A0, $RN, &self.$rni).backward_batch_train(
                        joins!($A0, $RP, $RN, fit_slice)(vecs(outs[$rpi])),
                        vecs(outs[$rni]),
                        vecs(&*at[0]),
                        Some(joins!($A0, $RP, $RN, fit_slice_mut)(vecs_mut(&mut *before[$rpi]))),
                        view_of!($A0, $RN, mut &mut grads.$rni),
                        &mut *subs[$rni],
                    )?;
                })*
                view_of!($A0, $A0, &self.$i0).backward_batch_train(xs, vecs(outs[0]), vecs(&*gys[0]), grad_xs, view_of!($A0, $A0, mut &mut grads.$i0), &mut *subs[0])
            }

            /// Each layer's hook, with its own region of the workspace.
            fn after_batch_step(&mut self, batch: usize, workspace: &[Self::Scalar]) {
                let Some(rest) = batch
                    .checked_mul(Self::BATCH_WORKSPACE)
                    .and_then(|len| workspace.get(..len))
                else {
                    return;
                };
                // past every layer's outputs and their gradients
                let outputs = 0 $(+ 2 * <<view!($A0, $A) as Layer>::Output as Vector<Self::Scalar>>::LEN)+;
                let mut rest = &rest[batch * outputs..];
                $({
                    let (sub, tail) = rest.split_at(batch * <view!($A0, $A) as Layer>::BATCH_WORKSPACE);
                    rest = tail;
                    view_of!($A0, $A, mut &mut self.$i).after_batch_step(batch, sub);
                })+
                let _ = rest;
            }
        }

        // In the network's scalar, through the views (as the Layer impl): a layer in
        // another scalar type is then `InNetwork`'s error alone, not also "does not declare
        // its parameters".
        impl<$($A),+> Params<<$A0 as Layer>::Scalar> for ($($A,)+)
        where
            $(
                $A: Layer,
                <$A as Layer>::Scalar: InNetwork<<$A0 as Layer>::Scalar, $A0, $A>,
            )+
        {
            const COUNT: usize = 0 $(+ <view!($A0, $A) as Params<<$A0 as Layer>::Scalar>>::COUNT)+;
            const SHAPE_FINGERPRINT: u64 = {
                let h = fingerprint::START;
                $(let h = fingerprint::then(h, <view!($A0, $A) as Params<<$A0 as Layer>::Scalar>>::SHAPE_FINGERPRINT);)+
                h
            };

            #[inline]
            fn zero_value() -> Self {
                ($(<<$A as Layer>::Scalar as InNetwork<<$A0 as Layer>::Scalar, $A0, $A>>::from_view(
                    <view!($A0, $A) as Params<<$A0 as Layer>::Scalar>>::zero_value(),
                ),)+)
            }

            #[inline]
            fn each_param<Fv: FnMut(&[<$A0 as Layer>::Scalar])>(&self, f: &mut Fv) {
                $(view_of!($A0, $A, &self.$i).each_param(f);)+
            }

            #[inline]
            fn each_param_mut<Fv: FnMut(&mut [<$A0 as Layer>::Scalar])>(&mut self, f: &mut Fv) {
                $(view_of!($A0, $A, mut &mut self.$i).each_param_mut(f);)+
            }

            #[inline]
            fn zip_each<const KK: usize, Fv>(&mut self, grads: &Self, mut state: [&mut Self; KK], f: &mut Fv)
            where
                Fv: FnMut(&mut [<$A0 as Layer>::Scalar], &[<$A0 as Layer>::Scalar], [&mut [<$A0 as Layer>::Scalar]; KK]),
            {
                $(view_of!($A0, $A, mut &mut self.$i).zip_each(
                    view_of!($A0, $A, &grads.$i),
                    state.each_mut().map(|s| view_of!($A0, $A, mut &mut s.$i)),
                    f,
                );)+
            }

            fn init_each<R: Rng + ?Sized>(&mut self, init: Init, rng: &mut R) {
                $(view_of!($A0, $A, mut &mut self.$i).init_each(init, rng);)+
            }
        }
    };
}

/// The one tuple-arity table: calls `$m!` once per arity, 1 to 12, with the element
/// types, their indices and cache names, consecutive pairs and the pairs in reverse. Every
/// trait tuples implement (here, in `zeroable` and in `weights::count`) is a macro fed by
/// it, taking what it needs.
macro_rules! for_each_tuple {
    ($m:ident) => {
        $m!(first: A 0 c0, last: A 0, all: [A 0 c0], pairs: [], rev_pairs: []);
        $m!(first: A 0 c0, last: B 1, all: [A 0 c0, B 1 c1], pairs: [A 0 => B 1 c1], rev_pairs: [B 1 => A 0]);
        $m!(first: A 0 c0, last: C 2, all: [A 0 c0, B 1 c1, C 2 c2], pairs: [A 0 => B 1 c1, B 1 => C 2 c2], rev_pairs: [C 2 => B 1, B 1 => A 0]);
        $m!(first: A 0 c0, last: D 3, all: [A 0 c0, B 1 c1, C 2 c2, D 3 c3], pairs: [A 0 => B 1 c1, B 1 => C 2 c2, C 2 => D 3 c3], rev_pairs: [D 3 => C 2, C 2 => B 1, B 1 => A 0]);
        $m!(first: A 0 c0, last: E 4, all: [A 0 c0, B 1 c1, C 2 c2, D 3 c3, E 4 c4], pairs: [A 0 => B 1 c1, B 1 => C 2 c2, C 2 => D 3 c3, D 3 => E 4 c4], rev_pairs: [E 4 => D 3, D 3 => C 2, C 2 => B 1, B 1 => A 0]);
        $m!(first: A 0 c0, last: F 5, all: [A 0 c0, B 1 c1, C 2 c2, D 3 c3, E 4 c4, F 5 c5], pairs: [A 0 => B 1 c1, B 1 => C 2 c2, C 2 => D 3 c3, D 3 => E 4 c4, E 4 => F 5 c5], rev_pairs: [F 5 => E 4, E 4 => D 3, D 3 => C 2, C 2 => B 1, B 1 => A 0]);
        $m!(first: A 0 c0, last: G 6, all: [A 0 c0, B 1 c1, C 2 c2, D 3 c3, E 4 c4, F 5 c5, G 6 c6], pairs: [A 0 => B 1 c1, B 1 => C 2 c2, C 2 => D 3 c3, D 3 => E 4 c4, E 4 => F 5 c5, F 5 => G 6 c6], rev_pairs: [G 6 => F 5, F 5 => E 4, E 4 => D 3, D 3 => C 2, C 2 => B 1, B 1 => A 0]);
        $m!(first: A 0 c0, last: H 7, all: [A 0 c0, B 1 c1, C 2 c2, D 3 c3, E 4 c4, F 5 c5, G 6 c6, H 7 c7], pairs: [A 0 => B 1 c1, B 1 => C 2 c2, C 2 => D 3 c3, D 3 => E 4 c4, E 4 => F 5 c5, F 5 => G 6 c6, G 6 => H 7 c7], rev_pairs: [H 7 => G 6, G 6 => F 5, F 5 => E 4, E 4 => D 3, D 3 => C 2, C 2 => B 1, B 1 => A 0]);
        $m!(first: A 0 c0, last: J 8, all: [A 0 c0, B 1 c1, C 2 c2, D 3 c3, E 4 c4, F 5 c5, G 6 c6, H 7 c7, J 8 c8], pairs: [A 0 => B 1 c1, B 1 => C 2 c2, C 2 => D 3 c3, D 3 => E 4 c4, E 4 => F 5 c5, F 5 => G 6 c6, G 6 => H 7 c7, H 7 => J 8 c8], rev_pairs: [J 8 => H 7, H 7 => G 6, G 6 => F 5, F 5 => E 4, E 4 => D 3, D 3 => C 2, C 2 => B 1, B 1 => A 0]);
        $m!(first: A 0 c0, last: K 9, all: [A 0 c0, B 1 c1, C 2 c2, D 3 c3, E 4 c4, F 5 c5, G 6 c6, H 7 c7, J 8 c8, K 9 c9], pairs: [A 0 => B 1 c1, B 1 => C 2 c2, C 2 => D 3 c3, D 3 => E 4 c4, E 4 => F 5 c5, F 5 => G 6 c6, G 6 => H 7 c7, H 7 => J 8 c8, J 8 => K 9 c9], rev_pairs: [K 9 => J 8, J 8 => H 7, H 7 => G 6, G 6 => F 5, F 5 => E 4, E 4 => D 3, D 3 => C 2, C 2 => B 1, B 1 => A 0]);
        $m!(first: A 0 c0, last: M 10, all: [A 0 c0, B 1 c1, C 2 c2, D 3 c3, E 4 c4, F 5 c5, G 6 c6, H 7 c7, J 8 c8, K 9 c9, M 10 c10], pairs: [A 0 => B 1 c1, B 1 => C 2 c2, C 2 => D 3 c3, D 3 => E 4 c4, E 4 => F 5 c5, F 5 => G 6 c6, G 6 => H 7 c7, H 7 => J 8 c8, J 8 => K 9 c9, K 9 => M 10 c10], rev_pairs: [M 10 => K 9, K 9 => J 8, J 8 => H 7, H 7 => G 6, G 6 => F 5, F 5 => E 4, E 4 => D 3, D 3 => C 2, C 2 => B 1, B 1 => A 0]);
        $m!(first: A 0 c0, last: P 11, all: [A 0 c0, B 1 c1, C 2 c2, D 3 c3, E 4 c4, F 5 c5, G 6 c6, H 7 c7, J 8 c8, K 9 c9, M 10 c10, P 11 c11], pairs: [A 0 => B 1 c1, B 1 => C 2 c2, C 2 => D 3 c3, D 3 => E 4 c4, E 4 => F 5 c5, F 5 => G 6 c6, G 6 => H 7 c7, H 7 => J 8 c8, J 8 => K 9 c9, K 9 => M 10 c10, M 10 => P 11 c11], rev_pairs: [P 11 => M 10, M 10 => K 9, K 9 => J 8, J 8 => H 7, H 7 => G 6, G 6 => F 5, F 5 => E 4, E 4 => D 3, D 3 => C 2, C 2 => B 1, B 1 => A 0]);
    };
}
pub(crate) use for_each_tuple;

for_each_tuple!(tuple_layer);

/// Tuples longer than 12: not networks, with an error that says so and what to write
/// instead (`<(L1, …, L13)>::zeroed()`, `infer(&thirteen, …)`). Each such tuple has a
/// `Layer` impl whose where clause cannot hold (a sealed trait with no impl), so the
/// compiler reports that clause's message rather than "no function or associated item
/// named `zeroed`" or "is not a typenet layer". Not part of the API.
#[doc(hidden)]
pub mod too_long {
    use crate::init::Init;
    use crate::layer::{Layer, fingerprint};
    use crate::params::Params;
    use rand_core::Rng;

    mod sealed {
        pub trait Sealed {}
    }

    /// The number of layers in a tuple, as a type.
    pub struct Layers<const N: usize>;

    /// What a tuple of `N` layers would need to be a network; implemented for no `N`.
    #[diagnostic::on_unimplemented(
        message = "a tuple network holds at most 12 layers, not {N}",
        label = "{N} layers in one tuple",
        note = "nest tuples (`((L1, L2, L3), (L4, L5))` is a network of two networks, with the same outputs) or name the layers in a struct with `#[derive(Network)]`, which takes any number of fields"
    )]
    pub trait AtMostTwelve<const N: usize>: sealed::Sealed {}

    /// The bound on the impls below: holds for no type (see [`AtMostTwelve`]). It is the
    /// unmet bound a method call reports, [`AtMostTwelve`] the one a function reports.
    #[diagnostic::on_unimplemented(
        message = "a tuple network holds at most 12 layers, not {N}",
        label = "{N} layers in one tuple",
        note = "nest tuples (`((L1, L2, L3), (L4, L5))` is a network of two networks, with the same outputs) or name the layers in a struct with `#[derive(Network)]`, which takes any number of fields"
    )]
    pub trait TooLong<const N: usize> {}

    impl<S, const N: usize> TooLong<N> for S where Layers<N>: AtMostTwelve<N> {}

    macro_rules! too_long {
        ($n:literal: $A0:ident $($A:ident)+) => {
            impl<TT, $A0, $($A),+> Params<TT> for ($A0, $($A,)+) where Self: TooLong<$n> {
                const COUNT: usize = 0;
                const SHAPE_FINGERPRINT: u64 = fingerprint::START;
                fn zero_value() -> Self {
                    unreachable!()
                }
                fn each_param<Fv: FnMut(&[TT])>(&self, _: &mut Fv) {}
                fn each_param_mut<Fv: FnMut(&mut [TT])>(&mut self, _: &mut Fv) {}
                fn zip_each<const KK: usize, Fv>(&mut self, _: &Self, _: [&mut Self; KK], _: &mut Fv)
                where
                    Fv: FnMut(&mut [TT], &[TT], [&mut [TT]; KK]),
                {
                }
                fn init_each<Rg: Rng + ?Sized>(&mut self, _: Init, _: &mut Rg) {}
            }

            // The first layer's types, so that a use of the tuple adds no type errors.
            impl<$A0: Layer, $($A),+> Layer for ($A0, $($A,)+) where Self: TooLong<$n> {
                type Scalar = $A0::Scalar;
                type Input = $A0::Input;
                type Output = $A0::Output;
                fn forward(&self, _: &Self::Input) -> Self::Output {
                    unreachable!()
                }
            }
        };
    }

    too_long!(13: A B C D E F G H J K M P Q);
    too_long!(14: A B C D E F G H J K M P Q R);
    too_long!(15: A B C D E F G H J K M P Q R S);
    too_long!(16: A B C D E F G H J K M P Q R S U);
}
