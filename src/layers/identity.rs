//! The identity.

use crate::Scalar;

#[inline]
fn f<T: Scalar>(x: T) -> T {
    x
}

/// The identity's derivative is 1 everywhere.
#[inline]
fn df<T: Scalar>(_: T) -> T {
    T::one()
}

super::activation! {
    /// The identity, on `N` values: a linear output, as for regression.
    ///
    /// **Forward:** `y = a`. **Backward:** `∂E/∂a = ∂E/∂y`. It keeps no cache.
    ///
    /// ```
    /// use typenet::{Identity, Layer};
    /// assert_eq!(Identity::<2>::new().forward(&[-1.0, 2.0]), [-1.0, 2.0]);
    /// ```
    Identity, cache = none
}
