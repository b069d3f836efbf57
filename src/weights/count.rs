//! The parameter count as a type, for sizes that must be known to the type system.

use crate::layer::Layer;
use core::marker::PhantomData;
use core::ops::{Add, Mul};
use typenum::{Const, Prod, Sum, ToUInt, U, U0, U1, Unsigned};

/// A layer's parameter count as a [`typenum`] number, so that sizes computed from it
/// (such as the byte image's length) are types.
///
/// [`Layer::PARAM_COUNT`] is a plain `usize` and always works; this trait is separate
/// because typenum maps a const generic `N` to a type only for `N ≤ 1024` (and powers of
/// two and of ten). A network with a larger layer is still a [`Layer`]: it trains and
/// infers as usual, and only the byte image is out of reach, with a compile error that
/// says so.
///
/// Implemented by `#[derive(Params)]` for every layer (the sum of its `#[param]` tensors'
/// sizes: `I·O + O` for a [`Dense`](crate::Dense), zero for an activation), for tuples
/// (the sum of their layers'), and by `#[derive(Network)]`. The byte image checks at
/// compile time that it equals [`Layer::PARAM_COUNT`].
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no byte image: its parameter count is not known as a type",
    label = "no byte image for this network",
    note = "byte images size themselves with typenum, which only knows sizes up to 1024 (and powers of 2 and 10); a larger layer still trains and infers, but cannot be saved with `to_bytes`/`from_bytes`",
    note = "a custom layer gets it from `#[derive(Params)]`"
)]
pub trait ParamCount: Layer {
    /// [`Layer::PARAM_COUNT`] as a typenum unsigned integer.
    type Count: Unsigned;
}

/// The sum of the parameter counts of a cons list `(A, (B, (C, ())))` of layers.
///
/// Tuples and derived structs get their [`ParamCount`] from this, so the typenum
/// arithmetic lives in one recursive impl instead of one bound per arity. The list's
/// elements need not chain (nothing here requires the list to be a network).
pub trait SumCounts {
    /// The sum of the elements' counts.
    type Count: Unsigned;
}

impl SumCounts for () {
    type Count = U0;
}

impl<A, Rest> SumCounts for (A, Rest)
where
    A: ParamCount,
    Rest: SumCounts,
    // the typenum addition of this layer's count and the rest's
    A::Count: Add<Rest::Count>,
    Sum<A::Count, Rest::Count>: Unsigned,
{
    type Count = Sum<A::Count, Rest::Count>;
}

/// Two [`SumCounts`] lists summed: a node of the balanced tree in which
/// `#[derive(Network)]` sums the counts of a struct with many fields.
///
/// A cons list nests one level per element, and the compiler's `recursion_limit` (128 by
/// default) bounds how deep trait resolution may go; the derive therefore sums up to 16
/// fields per cons list and joins the lists pairwise, so 256 fields nest only 16 + 4
/// levels. Never constructed: it exists only as a type.
pub struct CountPair<L, R>(PhantomData<fn() -> (L, R)>);

impl<L, R> SumCounts for CountPair<L, R>
where
    L: SumCounts,
    R: SumCounts,
    L::Count: Add<R::Count>,
    Sum<L::Count, R::Count>: Unsigned,
{
    type Count = Sum<L::Count, R::Count>;
}

/// The number of scalars in a parameter tensor (a float, or an array of tensors) as a
/// [`typenum`] number: what `#[derive(Params)]` sums into a layer's [`ParamCount`].
pub trait TensorCount {
    /// The number of scalars.
    type Count: Unsigned;
}

impl TensorCount for f32 {
    type Count = U1;
}

impl TensorCount for f64 {
    type Count = U1;
}

impl<X: TensorCount, const N: usize> TensorCount for [X; N]
where
    // the size has a typenum type (true up to 1024) ...
    Const<N>: ToUInt,
    // ... so `N · count(X)` can be computed as one
    U<N>: Mul<X::Count>,
    Prod<U<N>, X::Count>: Unsigned,
{
    type Count = Prod<U<N>, X::Count>;
}

/// The sum of the [`TensorCount`]s of a cons list `(A, (B, ()))` of tensors: a layer's
/// parameter count, as `#[derive(Params)]` writes it.
pub trait SumTensors {
    /// The sum of the elements' counts.
    type Count: Unsigned;
}

impl SumTensors for () {
    type Count = U0;
}

impl<A, Rest> SumTensors for (A, Rest)
where
    A: TensorCount,
    Rest: SumTensors,
    A::Count: Add<Rest::Count>,
    Sum<A::Count, Rest::Count>: Unsigned,
{
    type Count = Sum<A::Count, Rest::Count>;
}

macro_rules! tuple_count {
    (first: $A0:ident $i0:tt $c0:ident, last: $AL:ident $iL:tt, all: [$($A:ident $i:tt $c:ident),+], $($rest:tt)*) => {
        impl<$($A),+> ParamCount for ($($A,)+)
        where
            ($($A,)+): Layer,
            tuple_count!(@cons $($A),+): SumCounts,
        {
            type Count = <tuple_count!(@cons $($A),+) as SumCounts>::Count;
        }
    };
    (@cons) => { () };
    (@cons $H:ident $(, $T:ident)*) => { ($H, tuple_count!(@cons $($T),*)) };
}
crate::chain::for_each_tuple!(tuple_count);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layers::{Dense, Relu, Sigmoid, Tanh};

    fn count<L: ParamCount>() -> usize {
        L::Count::USIZE
    }

    #[test]
    fn type_level_count_equals_param_count() {
        type Net = (Dense<3, 5>, Tanh<5>, Dense<5, 2>, Sigmoid<2>);
        // nested tuples sum too
        type Nested64 = ((Dense<2, 2, f64>, Relu<2, f64>), Dense<2, 1, f64>);
        assert_eq!(count::<Net>(), <Net as Layer>::PARAM_COUNT);
        assert_eq!(count::<Net>(), 3 * 5 + 5 + 5 * 2 + 2);
        assert_eq!(count::<Dense<1024, 1024>>(), 1024 * 1024 + 1024);
        assert_eq!(count::<Nested64>(), <Nested64 as Layer>::PARAM_COUNT);
    }
}
