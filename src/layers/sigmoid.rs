//! The logistic sigmoid.

use crate::Scalar;

#[inline]
fn f<T: Scalar>(x: T) -> T {
    T::one() / (T::one() + (-x).act_exp())
}

/// `σ'(a) = y·(1 − y)`, from the cached output `y`.
#[inline]
fn df<T: Scalar>(y: T) -> T {
    y * (T::one() - y)
}

super::activation! {
    /// The logistic sigmoid, element-wise, on `N` values.
    ///
    /// **Forward:** `y = σ(a) = 1 / (1 + e^(−a))`, a smooth step from 0 to 1.
    ///
    /// **Backward:** `∂E/∂a = ∂E/∂y · σ'(a)` with `σ'(a) = y·(1 − y)`, computed from the
    /// cached output `y`, so backward needs no exponential.
    ///
    /// ```
    /// use typenet::{Layer, Sigmoid};
    /// let s = Sigmoid::<2>::new();
    /// let y = s.forward(&[0.0, 100.0]);
    /// assert_eq!(y, [0.5, 1.0]);
    /// ```
    Sigmoid, cache = output
}
