//! A layer's parameters, declared once.
//!
//! A layer names its parameter arrays with `#[derive(Params)]` and `#[param]` on each of
//! them; everything that walks parameters follows from that one declaration:
//! [`Layer::PARAM_COUNT`](crate::Layer::PARAM_COUNT), the visiting order
//! ([`Layer::visit_params`](crate::Layer::visit_params), which optimizers, the gradient
//! check and the byte image use), [`Layer::zeroed`](crate::Layer::zeroed),
//! [`Layer::init_params`](crate::Layer::init_params), the byte image's typenum length
//! ([`ParamCount`](crate::weights::ParamCount)), [`Zeroable`](trait@crate::Zeroable),
//! `Serialize`/`Deserialize` (feature `serde`), approx's `AbsDiffEq`, `RelativeEq` and
//! `UlpsEq` (when the layer is `PartialEq`; see [`approx_eq`](crate::approx_eq)) and the shape
//! [`SHAPE_FINGERPRINT`](Params::SHAPE_FINGERPRINT).
//!
//! ```
//! use typenet::{Params, Scalar};
//!
//! /// `y = scale ⊙ x + shift`, per element.
//! #[derive(Params, Clone, Copy, Debug, PartialEq)]
//! pub struct Affine<const N: usize, T = f32> {
//!     #[param(init = one)]
//!     pub scale: [T; N],
//!     #[param(init = zero)]
//!     pub shift: [T; N],
//! }
//!
//! assert_eq!(<Affine<3> as Params<f32>>::COUNT, 6);
//! let z = <Affine<2> as Params<f32>>::zero_value();
//! assert_eq!(z.scale, [0.0; 2]);
//! ```
//!
//! # The attributes
//!
//! * `#[param]` on a field marks it a parameter tensor: an array of the scalar, `[T; N]`,
//!   or an array of such arrays (`[[T; I]; O]`, up to four dimensions). Parameters are
//!   visited in field order, each as one flat slice (row by row).
//! * `#[param(init = …)]` says how [`Init`] draws it: `weights(fan_in, fan_out)` and
//!   `bias(fan_in, fan_out)` use the scheme's weight and bias limits (as
//!   [`Dense`](crate::Dense) does), `zero` and `one` set constants. Without `init`, the
//!   parameter is drawn like `weights(N, N)` with `N` its length.
//! * Every other field is a setting (such as [`LeakyRelu`](crate::LeakyRelu)'s slope) or
//!   a marker (`PhantomData`): it is not a parameter, `zero_value` gives it
//!   `#[setting(default = expr)]`'s value, or `Default::default()`.
//! * The fingerprint hashes the struct's name and its const generic parameters, in order.
//!
//! The derive also writes an `unsafe impl Zeroable` (sound because its where clause needs
//! every field to be `Zeroable`), so a crate with `#![forbid(unsafe_code)]` cannot hold a
//! layer that derives `Params`; with `deny`, the impl carries its own `allow`.

use crate::init::{Init, fill_uniform};
use crate::scalar::Scalar;
use rand_core::Rng;

/// A layer's parameters: what `#[derive(Params)]` implements from the `#[param]` fields,
/// and what tuples and `#[derive(Network)]` networks implement from their layers'.
///
/// Every [`Layer`](crate::Layer) is `Params` of its scalar, and reaches these items under
/// their usual names (`Layer::zeroed`, `Layer::visit_params`, …): call them there. The
/// names here differ so that the two traits can be in scope together.
///
/// It is generic over the scalar `T` so that a layer without parameters is `Params` of
/// every scalar, and a layer with parameters of the scalar its arrays hold.
#[diagnostic::on_unimplemented(
    message = "`{Self}` does not declare its parameters (as `Params<{T}>`)",
    label = "no parameter declaration",
    note = "a layer declares its parameters with `#[derive(Params)]` on its struct, `#[param]` on each parameter array, and `#[params(scalar = T)]` naming its scalar type"
)]
pub trait Params<T>: Sized {
    /// The number of parameters.
    const COUNT: usize;
    /// A hash of the layer's kind and sizes (for networks, of every layer in order): see
    /// [`fingerprint`](crate::fingerprint).
    const SHAPE_FINGERPRINT: u64;
    /// The value whose every parameter is zero and every setting its default.
    fn zero_value() -> Self;
    /// Calls `f` on each parameter tensor, flat, in declaration order.
    fn each_param<F: FnMut(&[T])>(&self, f: &mut F);
    /// Calls `f` on each parameter tensor, flat and mutable, in declaration order.
    fn each_param_mut<F: FnMut(&mut [T])>(&mut self, f: &mut F);
    /// Walks `self`, `grads` and `K` state values in lockstep, one tensor at a time.
    fn zip_each<const K: usize, F>(&mut self, grads: &Self, state: [&mut Self; K], f: &mut F)
    where
        F: FnMut(&mut [T], &[T], [&mut [T]; K]);
    /// Draws every parameter from `rng` with the scheme `init`.
    fn init_each<R: Rng + ?Sized>(&mut self, init: Init, rng: &mut R);
}

/// A parameter tensor: an array of scalars, or of arrays of them (up to four dimensions),
/// seen as one flat slice.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a parameter tensor of `{T}`",
    label = "not an array of `{T}`",
    note = "a `#[param]` field is an array of the layer's scalar type: `[T; N]`, `[[T; I]; O]`, up to four dimensions"
)]
pub trait Tensor<T>: Copy {
    /// The number of scalars.
    const LEN: usize;
    /// The all-zero tensor.
    fn zero() -> Self;
    /// The scalars, row by row.
    fn flat(&self) -> &[T];
    /// The scalars, row by row, mutably.
    fn flat_mut(&mut self) -> &mut [T];
}

impl<T: Scalar, const A: usize> Tensor<T> for [T; A] {
    const LEN: usize = A;
    #[inline]
    fn zero() -> Self {
        [T::zero(); A]
    }
    #[inline]
    fn flat(&self) -> &[T] {
        self
    }
    #[inline]
    fn flat_mut(&mut self) -> &mut [T] {
        self
    }
}

impl<T: Scalar, const A: usize, const B: usize> Tensor<T> for [[T; A]; B] {
    const LEN: usize = A * B;
    #[inline]
    fn zero() -> Self {
        [[T::zero(); A]; B]
    }
    #[inline]
    fn flat(&self) -> &[T] {
        self.as_flattened()
    }
    #[inline]
    fn flat_mut(&mut self) -> &mut [T] {
        self.as_flattened_mut()
    }
}

impl<T: Scalar, const A: usize, const B: usize, const C: usize> Tensor<T> for [[[T; A]; B]; C] {
    const LEN: usize = A * B * C;
    #[inline]
    fn zero() -> Self {
        [[[T::zero(); A]; B]; C]
    }
    #[inline]
    fn flat(&self) -> &[T] {
        self.as_flattened().as_flattened()
    }
    #[inline]
    fn flat_mut(&mut self) -> &mut [T] {
        self.as_flattened_mut().as_flattened_mut()
    }
}

impl<T: Scalar, const A: usize, const B: usize, const C: usize, const D: usize> Tensor<T>
    for [[[[T; A]; B]; C]; D]
{
    const LEN: usize = A * B * C * D;
    #[inline]
    fn zero() -> Self {
        [[[[T::zero(); A]; B]; C]; D]
    }
    #[inline]
    fn flat(&self) -> &[T] {
        self.as_flattened().as_flattened().as_flattened()
    }
    #[inline]
    fn flat_mut(&mut self) -> &mut [T] {
        self.as_flattened_mut()
            .as_flattened_mut()
            .as_flattened_mut()
    }
}

/// How `#[param(init = …)]` draws one tensor (called by the generated `init_each`).
#[doc(hidden)]
#[derive(Clone, Copy, Debug)]
pub enum InitRule {
    /// `U(−w, w)` with `w` the scheme's weight limit for these fans.
    Weights(usize, usize),
    /// `U(−b, b)` with `b` the scheme's bias limit for these fans.
    Bias(usize, usize),
    /// All zero.
    Zero,
    /// All one.
    One,
}

/// Draws `dst` by `rule` under `init`.
#[doc(hidden)]
#[inline]
pub fn init_tensor<T: Scalar, R: Rng + ?Sized>(
    dst: &mut [T],
    rule: InitRule,
    init: Init,
    rng: &mut R,
) {
    match rule {
        InitRule::Weights(fan_in, fan_out) => {
            fill_uniform(dst, init.limits::<T>(fan_in, fan_out).0, rng);
        }
        InitRule::Bias(fan_in, fan_out) => {
            fill_uniform(dst, init.limits::<T>(fan_in, fan_out).1, rng);
        }
        InitRule::Zero => dst.fill(T::zero()),
        InitRule::One => dst.fill(T::one()),
    }
}
