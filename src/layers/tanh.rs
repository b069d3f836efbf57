//! The hyperbolic tangent.

use crate::Scalar;

#[inline]
fn f<T: Scalar>(x: T) -> T {
    x.tanh()
}

/// `tanh'(a) = 1 − y²`, from the cached output `y`.
#[inline]
fn df<T: Scalar>(y: T) -> T {
    T::one() - y * y
}

super::activation! {
    /// The hyperbolic tangent, element-wise, on `N` values.
    ///
    /// **Forward:** `y = tanh(a)`, a smooth step from −1 to 1.
    ///
    /// **Backward:** `∂E/∂a = ∂E/∂y · (1 − y²)`, from the cached output `y`.
    ///
    /// ```
    /// use typenet::{Layer, Tanh};
    /// assert_eq!(Tanh::<1>::new().forward(&[0.0]), [0.0]);
    /// ```
    Tanh, cache = output
}
