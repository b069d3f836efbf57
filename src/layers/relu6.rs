//! ReLU6, MobileNet's activation.

use crate::Scalar;
use crate::conv::relu6::{relu6, relu6_grad};

#[inline]
fn f<T: Scalar>(x: T) -> T {
    relu6(x)
}

/// `relu6'(a) = 1 if 0 < a < 6 else 0` (0 at both corners), from the cached input `a`.
#[inline]
fn df<T: Scalar>(x: T) -> T {
    relu6_grad(x, T::one())
}

super::activation! {
    /// ReLU6, element-wise, on `N` values: MobileNet's activation and TFLite's fused
    /// `RELU6`. On an image, wrap it per pixel: [`PerPixel<Relu6<C>, H, W>`](crate::PerPixel).
    ///
    /// **Forward:** `y = min(max(a, 0), 6)`; a NaN stays NaN.
    ///
    /// **Backward:** `∂E/∂a = ∂E/∂y` where `0 < a < 6`, else 0 (also at `a = 0` and
    /// `a = 6` exactly, as TensorFlow's `Relu6Grad`). The cache is the input `a`.
    ///
    /// ```
    /// use typenet::{Layer, Relu6};
    /// assert_eq!(Relu6::<3>::new().forward(&[-2.0, 3.0, 7.5]), [0.0, 3.0, 6.0]);
    /// ```
    Relu6, cache = input
}
