//! Comparing networks within a tolerance, with the [`approx`] crate.
//!
//! Every layer with `#[derive(Params)]` (all the built-in ones) and every
//! `#[derive(Network)]` network implements [`AbsDiffEq`], [`RelativeEq`] and [`UlpsEq`]
//! (`Epsilon` is the layer's scalar): two values are close when every parameter of one is
//! close to the same parameter of the other. Settings are not parameters, so a layer
//! without parameters (an activation) is always close to another of its type. A tuple
//! network is compared through [`Approx`] (the orphan rule keeps typenet from
//! implementing `approx`'s traits for tuples).
//!
//! ```
//! use typenet::approx::{assert_abs_diff_eq, assert_relative_eq, assert_relative_ne};
//! use typenet::{Approx, Dense, Layer, Network, Sigmoid};
//!
//! #[derive(Network, Clone, Debug, PartialEq)]
//! struct Xor {
//!     hidden: Dense<2, 4>,
//!     squash: Sigmoid<4>,
//!     output: Dense<4, 1>,
//!     decide: Sigmoid<1>,
//! }
//!
//! let a = Xor::zeroed();
//! let mut b = a.clone();
//! b.hidden.weights[1][0] = 1e-7;
//! assert_relative_eq!(a, b, epsilon = 1e-6); // a derived network
//! assert_relative_eq!(a.hidden, b.hidden, epsilon = 1e-6); // a layer
//! b.output.bias[0] = 0.5;
//! assert_relative_ne!(a, b, epsilon = 1e-6);
//!
//! // a tuple, through `Approx`
//! let t = (a.hidden, a.squash);
//! let mut u = t;
//! u.0.bias[3] = -1e-7;
//! assert_abs_diff_eq!(Approx(&t), Approx(&u), epsilon = 1e-6);
//! assert!(Approx(&t) != Approx(&u)); // `==` is exact
//! ```
//!
//! `typenet::approx` is approx itself, so no dependency of your own is needed. A failed
//! assertion prints both values with `Debug` (a `Dense` shows its first weights).
//! The functions [`params_abs_diff_eq`], [`params_relative_eq`] and [`params_ulps_eq`]
//! compare any two values of a [`Params`] type; the impls call them.

use crate::params::Params;
use approx::{AbsDiffEq, RelativeEq, UlpsEq};

/// Calls `close` on each pair of parameters of `a` and `b` at the same place in the
/// visiting order; true when every call is.
///
/// `Params` walks one value at a time, so this walks `b` once per tensor of `a`, comparing
/// the overlap of the two tensors' places in the flat order: a few dozen walks for a
/// network of a few dozen tensors, and no copy.
fn all_pairs<T, L: Params<T>>(a: &L, b: &L, mut close: impl FnMut(&T, &T) -> bool) -> bool {
    let mut all = true;
    let mut a_start = 0;
    a.each_param(&mut |pa: &[T]| {
        let a_range = a_start..a_start + pa.len();
        let mut b_start = 0;
        b.each_param(&mut |pb: &[T]| {
            let (lo, hi) = (
                a_range.start.max(b_start),
                a_range.end.min(b_start + pb.len()),
            );
            for k in lo..hi {
                all &= close(&pa[k - a_range.start], &pb[k - b_start]);
            }
            b_start += pb.len();
        });
        a_start = a_range.end;
    });
    all
}

/// Whether every parameter of `a` is within `epsilon` of the same parameter of `b`
/// ([`AbsDiffEq::abs_diff_eq`] on each pair).
pub fn params_abs_diff_eq<T, L>(a: &L, b: &L, epsilon: T) -> bool
where
    T: AbsDiffEq<Epsilon = T> + Copy,
    L: Params<T>,
{
    all_pairs(a, b, |x, y| x.abs_diff_eq(y, epsilon))
}

/// Whether every parameter of `a` is relatively close to the same parameter of `b`
/// ([`RelativeEq::relative_eq`] on each pair).
pub fn params_relative_eq<T, L>(a: &L, b: &L, epsilon: T, max_relative: T) -> bool
where
    T: RelativeEq<Epsilon = T> + Copy,
    L: Params<T>,
{
    all_pairs(a, b, |x, y| x.relative_eq(y, epsilon, max_relative))
}

/// Whether every parameter of `a` is within `max_ulps` units in the last place (or
/// `epsilon`) of the same parameter of `b` ([`UlpsEq::ulps_eq`] on each pair).
pub fn params_ulps_eq<T, L>(a: &L, b: &L, epsilon: T, max_ulps: u32) -> bool
where
    T: UlpsEq<Epsilon = T> + Copy,
    L: Params<T>,
{
    all_pairs(a, b, |x, y| x.ulps_eq(y, epsilon, max_ulps))
}

/// A network or layer compared by its parameters: `approx`'s traits for any
/// [`Layer`](crate::Layer), tuples included (see [the module](self)).
///
/// `==` is exact equality of every parameter; `Debug` is the network's.
#[derive(Clone, Copy)]
pub struct Approx<'a, L>(pub &'a L);

impl<L: core::fmt::Debug> core::fmt::Debug for Approx<'_, L> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        self.0.fmt(f)
    }
}

impl<L: crate::Layer> PartialEq for Approx<'_, L> {
    fn eq(&self, other: &Self) -> bool {
        all_pairs::<L::Scalar, L>(self.0, other.0, |x, y| x == y)
    }
}

impl<L: crate::Layer> AbsDiffEq for Approx<'_, L>
where
    L::Scalar: AbsDiffEq<Epsilon = L::Scalar>,
{
    type Epsilon = L::Scalar;
    fn default_epsilon() -> L::Scalar {
        L::Scalar::default_epsilon()
    }
    fn abs_diff_eq(&self, other: &Self, epsilon: L::Scalar) -> bool {
        params_abs_diff_eq::<L::Scalar, L>(self.0, other.0, epsilon)
    }
}

impl<L: crate::Layer> RelativeEq for Approx<'_, L>
where
    L::Scalar: RelativeEq<Epsilon = L::Scalar>,
{
    fn default_max_relative() -> L::Scalar {
        L::Scalar::default_max_relative()
    }
    fn relative_eq(&self, other: &Self, epsilon: L::Scalar, max_relative: L::Scalar) -> bool {
        params_relative_eq::<L::Scalar, L>(self.0, other.0, epsilon, max_relative)
    }
}

impl<L: crate::Layer> UlpsEq for Approx<'_, L>
where
    L::Scalar: UlpsEq<Epsilon = L::Scalar>,
{
    fn default_max_ulps() -> u32 {
        L::Scalar::default_max_ulps()
    }
    fn ulps_eq(&self, other: &Self, epsilon: L::Scalar, max_ulps: u32) -> bool {
        params_ulps_eq::<L::Scalar, L>(self.0, other.0, epsilon, max_ulps)
    }
}
