//! ReLU6 (`min(max(x, 0), 6)`, MobileNet's activation and TFLite's fused `RELU6`):
//!
//! ```text
//! y = min(max(x, 0), 6)
//! ∂E/∂x = g  where 0 < x < 6,  0 elsewhere (also at x = 0 and x = 6 exactly)
//! ```
//!
//! The gradient at the two corners is 0, as TensorFlow's `Relu6Grad` (which passes the
//! gradient only where `0 < x < 6`). Element-wise, so it takes any shape as a flat slice
//! (`as_flattened` on nested arrays); a NaN input gives a NaN output.

use crate::scalar::Scalar;

/// `min(max(x, 0), 6)`; NaN stays NaN.
#[inline(always)]
pub(crate) fn relu6<T: Scalar>(x: T) -> T {
    let six = T::from_f64(6.0);
    if x < T::zero() {
        T::zero()
    } else if x > six {
        six
    } else {
        x
    }
}

/// `g` where `0 < x < 6`, else 0.
#[inline(always)]
pub(crate) fn relu6_grad<T: Scalar>(x: T, g: T) -> T {
    if x > T::zero() && x < T::from_f64(6.0) {
        g
    } else {
        T::zero()
    }
}

/// Forward over a flat run: `y[i] = relu6(x[i])` (both of one length).
pub(crate) fn forward<T: Scalar>(x: &[T], y: &mut [T]) {
    debug_assert_eq!(x.len(), y.len());
    for (yi, &xi) in y.iter_mut().zip(x) {
        *yi = relu6(xi);
    }
}

/// `∂E/∂x` over a flat run: overwrites `dx`.
pub(crate) fn backward<T: Scalar>(x: &[T], g: &[T], dx: &mut [T]) {
    debug_assert!(x.len() == g.len() && g.len() == dx.len());
    for ((d, &xi), &gi) in dx.iter_mut().zip(x).zip(g) {
        *d = relu6_grad(xi, gi);
    }
}
