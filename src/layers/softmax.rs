//! The softmax: turns `N` scores into a probability distribution.

use crate::layer::{Layer, Train};
use crate::scalar::Scalar;

crate::layers::parameterless!(
    /// The softmax over `N` values: `N` scores (logits) in, `N` probabilities out.
    ///
    /// **Forward:** `yᵢ = e^(aᵢ − m) / Σⱼ e^(aⱼ − m)` with `m = maxⱼ aⱼ`. Subtracting the
    /// maximum changes nothing mathematically (it cancels between numerator and denominator)
    /// but keeps every exponent `≤ 0`, so nothing overflows: scores of `1000` give the same
    /// probabilities as scores of `0`, instead of `inf / inf = NaN`.
    ///
    /// **Backward:** every output depends on every input, `∂yᵢ/∂aⱼ = yᵢ (δᵢⱼ − yⱼ)`, so with
    /// `g = ∂E/∂y`:
    ///
    /// `∂E/∂aⱼ = Σᵢ gᵢ yᵢ (δᵢⱼ − yⱼ) = yⱼ (gⱼ − g·y)`, that is `dx = y ⊙ (g − g·y)`.
    ///
    /// That costs `O(N)`, not the `O(N²)` of the full Jacobian. The cache is the output `y`.
    ///
    /// For classification, prefer a network that ends in logits (no softmax) trained with
    /// [`SoftmaxCrossEntropy`](crate::SoftmaxCrossEntropy): it fuses the two, with a simpler
    /// and more accurate gradient `y − t`. Use this layer when the probabilities themselves
    /// are the output (for inference, or inside a larger model).
    ///
    /// ```
    /// use typenet::{Layer, Softmax};
    /// let y = Softmax::<3>::new().forward(&[1000.0, 1000.0, 0.0]);
    /// assert_eq!(y, [0.5, 0.5, 0.0]); // no overflow
    /// ```
    Softmax
);

/// The softmax of `a`, stable for any finite scores (see [`Softmax`]).
pub(crate) fn softmax<T: Scalar, const N: usize>(a: &[T; N]) -> [T; N] {
    let m = max(a);
    let mut y = a.map(|ai| (ai - m).exp());
    // The largest term is e⁰ = 1, so the sum is at least 1: no division by zero.
    let sum = y.iter().fold(T::zero(), |s, &e| s + e);
    for yi in &mut y {
        *yi = *yi / sum;
    }
    y
}

/// `maxᵢ aᵢ` (`−∞` for `N = 0`).
pub(crate) fn max<T: Scalar, const N: usize>(a: &[T; N]) -> T {
    a.iter().fold(T::neg_infinity(), |m, &ai| m.max(ai))
}

impl<const N: usize, T: Scalar> Layer for Softmax<N, T> {
    type Scalar = T;
    type Input = [T; N];
    type Output = [T; N];

    #[inline]
    fn forward(&self, a: &[T; N]) -> [T; N] {
        softmax(a)
    }
}

impl<const N: usize, T: Scalar> Train for Softmax<N, T> {
    type Cache = [T; N];

    #[inline]
    fn forward_train(&self, a: &[T; N]) -> ([T; N], [T; N]) {
        let y = softmax(a);
        (y, y)
    }

    #[inline]
    fn backward(&self, y: &[T; N], g: &[T; N], _grads: &mut Self) -> [T; N] {
        let gy = g.iter().zip(y).fold(T::zero(), |s, (&gi, &yi)| s + gi * yi);
        let mut dx = *g;
        for (d, &yi) in dx.iter_mut().zip(y) {
            *d = yi * (*d - gy);
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
    use approx::assert_abs_diff_eq;

    #[test]
    fn probabilities_sum_to_one_and_keep_the_order() {
        let y = Softmax::<4, f64>::new().forward(&[1.0, 2.0, 3.0, 4.0]);
        assert_abs_diff_eq!(y.iter().sum::<f64>(), 1.0, epsilon = 1e-15);
        assert!(y[0] < y[1] && y[1] < y[2] && y[2] < y[3]);
        // e^1 / (e^1 + e^2 + e^3 + e^4), computed independently
        assert_abs_diff_eq!(y[0], 0.032_058_603_280_084_99, epsilon = 1e-15);
    }

    #[test]
    fn huge_and_tiny_scores_do_not_overflow() {
        let y = Softmax::<3>::new().forward(&[1e30, -1e30, 0.0]);
        assert_eq!(y, [1.0, 0.0, 0.0]);
        let y = Softmax::<2>::new().forward(&[-1e4, -1e4]);
        assert_eq!(y, [0.5, 0.5]);
    }

    #[test]
    fn backward_matches_finite_differences() {
        // Softmax then Mse: every output depends on every input, so this exercises
        // the off-diagonal terms of the Jacobian.
        let mut l64 = Softmax::<5, f64>::new();
        let r = check_gradients(
            &mut l64,
            &Mse::new(),
            &[0.3, -1.2, 2.0, 0.0, 0.7],
            &[0.0, 0.0, 1.0, 0.0, 0.5],
            1e-6,
        );
        assert!(r.max_error() < 1e-8, "{r:?}");
        let mut l32 = Softmax::<5>::new();
        let r = check_gradients(
            &mut l32,
            &Mse::new(),
            &[0.3, -1.2, 2.0, 0.0, 0.7],
            &[0.0, 0.0, 1.0, 0.0, 0.5],
            1e-2,
        );
        assert!(r.max_error() < 2e-3, "{r:?}");
    }
}
