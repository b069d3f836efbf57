//! The Heaviside step: the perceptron's activation.

use crate::Scalar;

#[inline]
fn f<T: Scalar>(x: T) -> T {
    if x > T::zero() { T::one() } else { T::zero() }
}

/// The step is flat on both sides of 0, so its derivative is 0 (and undefined at 0).
#[inline]
fn df<T: Scalar>(_: T) -> T {
    T::zero()
}

super::activation! {
    /// The Heaviside step, element-wise, on `N` values: the classic perceptron's activation.
    ///
    /// **Forward:** `y = 1 if a > 0 else 0`.
    ///
    /// **Backward:** `step'(a) = 0` wherever it exists, so `∂E/∂a = 0` and nothing before
    /// a step layer learns by gradient descent. That is why training uses
    /// [`Sigmoid`](crate::Sigmoid), a smooth step; use `Step` with weights set by hand
    /// (see `examples/perceptron_step.rs`), or swap it in after training. It keeps no
    /// cache.
    ///
    /// ```
    /// use typenet::{Dense, Layer, Step};
    /// let and = (Dense::<2, 1>::new([[1.0, 1.0]], [-1.5]), Step::<1>::new());
    /// assert_eq!(and.forward(&[1.0, 1.0]), [1.0]);
    /// assert_eq!(and.forward(&[0.0, 1.0]), [0.0]);
    /// ```
    Step, cache = none
}
