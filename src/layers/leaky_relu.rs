//! The leaky rectified linear unit.

use crate::Params;
use crate::layer::{Layer, Train};
use crate::scalar::Scalar;

/// The leaky ReLU, element-wise, on `N` values: a ReLU that lets a little of the negative
/// side through, so a unit whose input is negative still gets a gradient (no "dead" units).
///
/// **Forward:** `y = a` if `a > 0`, else `slope·a`.
///
/// **Backward:** `∂E/∂a = ∂E/∂y` where `a > 0`, else `slope·∂E/∂y` (at `a = 0` exactly the
/// slope side is used, like [`Relu`](crate::Relu)). The cache is the input `a`.
///
/// The slope is a setting, not a trainable parameter: [`Layer::zeroed`],
/// [`Layer::initialized`] and [`Default`] use [`LeakyRelu::DEFAULT_SLOPE`] (0.01, as
/// PyTorch's `nn.LeakyReLU`); [`LeakyRelu::with_slope`] sets another one. Backward reads
/// the slope of the layer it is called on, never that of the gradient value.
///
/// ```
/// use typenet::{Layer, LeakyRelu};
/// assert_eq!(LeakyRelu::<2>::with_slope(0.5).forward(&[-2.0, 3.0]), [-1.0, 3.0]);
/// assert_eq!(LeakyRelu::<1>::default().slope, 0.01);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Params)]
#[params(scalar = T)]
pub struct LeakyRelu<const N: usize, T = f32> {
    /// The factor applied to negative inputs.
    #[setting(default = T::from_f64(Self::DEFAULT_SLOPE))]
    pub slope: T,
}

impl<const N: usize, T: Scalar> LeakyRelu<N, T> {
    /// The slope used unless told otherwise: 0.01.
    pub const DEFAULT_SLOPE: f64 = 0.01;

    /// The layer with slope [`DEFAULT_SLOPE`](Self::DEFAULT_SLOPE).
    pub fn new() -> Self {
        Self::with_slope(T::from_f64(Self::DEFAULT_SLOPE))
    }

    /// The layer with the given slope for negative inputs.
    pub const fn with_slope(slope: T) -> Self {
        Self { slope }
    }
}

impl<const N: usize, T: Scalar> Default for LeakyRelu<N, T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize, T: Scalar> Layer for LeakyRelu<N, T> {
    type Scalar = T;
    type Input = [T; N];
    type Output = [T; N];

    #[inline]
    fn forward(&self, a: &[T; N]) -> [T; N] {
        a.map(|ai| if ai > T::zero() { ai } else { self.slope * ai })
    }
}

impl<const N: usize, T: Scalar> Train for LeakyRelu<N, T> {
    type Cache = [T; N];

    #[inline]
    fn forward_train(&self, a: &[T; N]) -> ([T; N], [T; N]) {
        (self.forward(a), *a)
    }

    #[inline]
    fn backward(&self, a: &[T; N], g: &[T; N], _grads: &mut Self) -> [T; N] {
        let mut dx = *g;
        for (d, &ai) in dx.iter_mut().zip(a) {
            if ai <= T::zero() {
                *d = *d * self.slope;
            }
        }
        dx
    }
}

#[cfg(test)]
// Exact comparisons where the expected values are exact in binary floating point.
#[allow(clippy::float_cmp)]
mod tests {
    use super::*;
    use crate::{Mse, check_gradients};

    #[test]
    fn negative_side_is_scaled_by_the_slope() {
        let l = LeakyRelu::<4, f64>::with_slope(0.2);
        assert_eq!(l.forward(&[-5.0, -0.5, 0.0, 2.5]), [-1.0, -0.1, 0.0, 2.5]);
        let mut grads = LeakyRelu::zeroed();
        let dx = l.backward(&[-5.0, 0.0, 1.0, 2.0], &[1.0, 2.0, 3.0, 4.0], &mut grads);
        assert_eq!(dx, [0.2, 0.4, 3.0, 4.0]);
    }

    #[test]
    fn zeroed_keeps_the_default_slope_and_backward_uses_its_own() {
        assert_eq!(LeakyRelu::<3>::zeroed().slope, 0.01);
        let steep = LeakyRelu::<1>::with_slope(0.5);
        let mut grads = LeakyRelu::zeroed(); // slope 0.01: must not be used
        assert_eq!(steep.backward(&[-1.0], &[2.0], &mut grads), [1.0]);
    }

    #[test]
    fn backward_matches_finite_differences() {
        // inputs kept away from the kink at 0
        let x = [-1.5, -0.3, 0.4, 2.0];
        let t = [0.5, -0.2, 1.0, 0.0];
        let mut l64 = LeakyRelu::<4, f64>::with_slope(0.1);
        let r = check_gradients(&mut l64, &Mse::new(), &x, &t, 1e-6);
        assert!(r.max_error() < 1e-8, "{r:?}");
        let mut l32 = LeakyRelu::<4, f32>::with_slope(0.1);
        let x32 = x.map(|v| v as f32);
        let t32 = t.map(|v| v as f32);
        let r = check_gradients(&mut l32, &Mse::new(), &x32, &t32, 1e-2);
        assert!(r.max_error() < 2e-3, "{r:?}");
    }
}
