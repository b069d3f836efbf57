//! The rectified linear unit.

use crate::Scalar;

#[inline]
fn f<T: Scalar>(x: T) -> T {
    if x > T::zero() { x } else { T::zero() }
}

/// `relu'(a) = 1 if a > 0 else 0` (0 at the kink itself), from the cached input `a`.
#[inline]
fn df<T: Scalar>(x: T) -> T {
    if x > T::zero() { T::one() } else { T::zero() }
}

super::activation! {
    /// The rectified linear unit, element-wise, on `N` values.
    ///
    /// **Forward:** `y = max(0, a)`.
    ///
    /// **Backward:** `∂E/∂a = ∂E/∂y` where `a > 0`, else 0. At `a = 0` exactly, where the
    /// derivative does not exist, 0 is used (as PyTorch does).
    ///
    /// ```
    /// use typenet::{Layer, Relu};
    /// assert_eq!(Relu::<3>::new().forward(&[-2.0, 0.0, 3.0]), [0.0, 0.0, 3.0]);
    /// ```
    Relu, cache = input, batch = crate::kernels::relu, crate::kernels::relu_grad
}
