//! The parameter count as a type, for sizes that must be known to the type system.

use crate::layer::Layer;
use crate::layers::{Dense, Identity, LeakyRelu, Relu, Sigmoid, Softmax, Step, Tanh};
use crate::scalar::Scalar;
use core::marker::PhantomData;
use core::ops::{Add, Mul};
use typenum::{Const, Prod, Sum, ToUInt, U, U0, Unsigned};

/// A layer's parameter count as a [`typenum`] number, so that sizes computed from it
/// (such as the byte image's length) are types.
///
/// [`Layer::PARAM_COUNT`] is a plain `usize` and always works; this trait is separate
/// because typenum maps a const generic `N` to a type only for `N ≤ 1024` (and powers of
/// two and of ten). A network with a larger layer is still a [`Layer`]: it trains and
/// infers as usual, and only the byte image is out of reach, with a compile error that
/// says so.
///
/// Implemented for [`Dense`] (`I·O + O`), the activations (zero), tuples of up to 12
/// layers (the sum), and structs with `#[derive(Network)]`. A custom layer implements it
/// with its count as a typenum type, for instance `type Count = typenum::U0;`; the byte
/// image checks at compile time that it equals [`Layer::PARAM_COUNT`].
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no byte image: its parameter count is not known as a type",
    label = "no byte image for this network",
    note = "byte images size themselves with typenum, which only knows sizes up to 1024 (and powers of 2 and 10); a larger layer still trains and infers, but cannot be saved with `to_bytes`/`from_bytes`",
    note = "a custom layer opts in by implementing `typenet::weights::ParamCount`"
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

// `do_not_recommend`: when a size has no typenum type, report "`Dense<2000, 1>` has no
// byte image" (this trait's message) rather than "`Const<2000>: ToUInt` is not satisfied".
#[diagnostic::do_not_recommend]
impl<const I: usize, const O: usize, T: Scalar> ParamCount for Dense<I, O, T>
where
    // both sizes have a typenum type (true up to 1024) ...
    Const<I>: ToUInt,
    Const<O>: ToUInt,
    // ... so `I·O + O` can be computed as one
    U<I>: Mul<U<O>>,
    Prod<U<I>, U<O>>: Add<U<O>>,
    Sum<Prod<U<I>, U<O>>, U<O>>: Unsigned,
{
    type Count = Sum<Prod<U<I>, U<O>>, U<O>>;
}

macro_rules! no_params {
    ($($name:ident),*) => {$(
        impl<const N: usize, T: Scalar> ParamCount for $name<N, T> {
            type Count = U0;
        }
    )*};
}
// (a LeakyRelu's slope is a setting, not a parameter: it is not in the image)
no_params!(Identity, LeakyRelu, Relu, Sigmoid, Softmax, Step, Tanh);

macro_rules! tuple_count {
    ($($A:ident),+) => {
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

tuple_count!(A);
tuple_count!(A, B);
tuple_count!(A, B, C);
tuple_count!(A, B, C, D);
tuple_count!(A, B, C, D, E);
tuple_count!(A, B, C, D, E, F);
tuple_count!(A, B, C, D, E, F, G);
tuple_count!(A, B, C, D, E, F, G, H);
tuple_count!(A, B, C, D, E, F, G, H, J);
tuple_count!(A, B, C, D, E, F, G, H, J, K);
tuple_count!(A, B, C, D, E, F, G, H, J, K, M);
tuple_count!(A, B, C, D, E, F, G, H, J, K, M, P);

#[cfg(test)]
mod tests {
    use super::*;

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
