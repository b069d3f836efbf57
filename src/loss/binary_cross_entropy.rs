//! Binary cross-entropy on probabilities.

use super::Loss;
use crate::scalar::Scalar;

/// Binary cross-entropy over `N` independent yes/no outputs, each a probability in
/// `(0, 1)` — the output of a [`Sigmoid`](crate::Sigmoid) layer — against targets in
/// `[0, 1]` (usually exactly 0 or 1):
///
/// `E = −Σᵢ [ tᵢ ln ŷᵢ + (1 − tᵢ) ln(1 − ŷᵢ) ]`,
///
/// `∂E/∂yᵢ = (ŷᵢ − tᵢ) / (ŷᵢ (1 − ŷᵢ))`,
///
/// where `ŷᵢ = clamp(yᵢ, ε, 1 − ε)`. The sum runs over the `N` outputs (PyTorch's
/// `nn.BCELoss` takes their mean; for `N = 1` the two agree).
///
/// Chained through the sigmoid's `∂y/∂a = y (1 − y)`, the gradient on the logit is the
/// familiar `y − t`: the same simple error signal as squared error on a linear output,
/// without the sigmoid's flat tails slowing learning down.
///
/// To train a classifier, prefer
/// [`BinaryCrossEntropyWithLogits`](crate::BinaryCrossEntropyWithLogits) on a network
/// without the final sigmoid: the same loss, with a gradient that never saturates. Use
/// this one where the network itself must output probabilities.
///
/// # Near 0 and 1: what the clamp does, and what it cannot do
///
/// A sigmoid output can round to exactly `0` or `1`, where `ln 0 = −∞` and the gradient
/// would divide by zero. The clamp `ŷ = clamp(y, ε, 1 − ε)` keeps both finite: the loss
/// per output is at most `−ln ε` (about 15.9 in `f32`, 36.0 in `f64`, with the default
/// `ε`), the gradient at most about `1/ε` in size. Precisely:
///
/// * **For `ε ≤ y ≤ 1 − ε`** the clamp does nothing, and loss and gradient are the
///   formulas above at the `y` given, to within a few units in the last place
///   (`ln(1 − y)` is computed as `ln_1p(−y)`, accurate for small `y`). Through the
///   sigmoid, the gradient on the logit is `y − t` to rounding.
/// * **That is exact in `y`, not in the logit.** A sigmoid output near 1 is stored to an
///   absolute precision of a few times `ε/4` (its rounding, and the exponential's), so
///   `1 − y`, and with it the `t = 0` term, carries a relative error of the order of
///   `ε/(2(1 − y))`: measured in `f32` against the exact sigmoid, 0.01 % at `a = 9`,
///   0.9 % at `a = 12`, 17 % at `a = 15`.
/// * **For `y < ε`** (logits below about −15.9 in `f32`, −36.0 in `f64`) the loss is
///   capped at `−t ln ε`, and the gradient on the logit is attenuated by `y/ε`: with
///   target 1, −0.017 instead of ≈ −1 at `a = −20` in `f32`.
/// * **Where `y` rounds to exactly 1** (logits above about 16.6 in `f32`, 36.7 in `f64`)
///   the sigmoid's derivative `y (1 − y)` is 0, so no gradient at all reaches the logit,
///   whatever the target: a confidently wrong output stops learning.
///
/// ```
/// use typenet::{BinaryCrossEntropy, Loss};
/// let bce = BinaryCrossEntropy::<1>::new();
/// assert!((bce.loss(&[0.5], &[1.0]) - 2f32.ln()).abs() < 1e-6); // −ln ½
/// assert!(bce.loss(&[0.0], &[1.0]).is_finite()); // clamped, not −ln 0
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BinaryCrossEntropy<const N: usize, T = f32> {
    /// The clamp `ε`: outputs are taken as `clamp(y, ε, 1 − ε)`. Defaults to the machine
    /// epsilon of `T` (`1.19e-7` for `f32`, `2.2e-16` for `f64`), the smallest `ε` for
    /// which `1 − ε` is still below 1.
    pub epsilon: T,
}

impl<const N: usize, T: Scalar> BinaryCrossEntropy<N, T> {
    /// The loss with the default clamp, the machine epsilon of `T`.
    pub fn new() -> Self {
        Self {
            epsilon: T::epsilon(),
        }
    }

    fn clamp(&self, y: T) -> T {
        // `max`/`min` rather than `clamp`: a NaN output stays NaN (and shows up in the loss)
        // instead of panicking.
        y.max(self.epsilon).min(T::one() - self.epsilon)
    }
}

impl<const N: usize, T: Scalar> Default for BinaryCrossEntropy<N, T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize, T: Scalar> Loss<[T; N]> for BinaryCrossEntropy<N, T> {
    type Scalar = T;
    type Target = [T; N];

    #[inline]
    fn loss(&self, y: &[T; N], t: &[T; N]) -> T {
        let mut e = T::zero();
        for (&yi, &ti) in y.iter().zip(t) {
            let yc = self.clamp(yi);
            e = e - (ti * yc.ln() + (T::one() - ti) * (-yc).ln_1p());
        }
        e
    }

    #[inline]
    fn gradient(&self, y: &[T; N], t: &[T; N]) -> [T; N] {
        let mut g = *y;
        for (gi, &ti) in g.iter_mut().zip(t) {
            let yc = self.clamp(*gi);
            *gi = (yc - ti) / (yc * (T::one() - yc));
        }
        g
    }
}

#[cfg(test)]
// Exact comparisons where the expected values are exact in binary floating point.
#[allow(clippy::float_cmp)]
mod tests {
    use super::*;
    use crate::{Dense, Init, Layer, Sigmoid, SplitMix64, Train, check_gradients};
    use approx::assert_abs_diff_eq;

    #[test]
    fn matches_an_independent_computation() {
        let bce = BinaryCrossEntropy::<2, f64>::new();
        // −(ln 0.8) − (ln(1 − 0.3)), by hand
        let e = bce.loss(&[0.8, 0.3], &[1.0, 0.0]);
        assert_abs_diff_eq!(e, 0.579_818_495_252_942, epsilon = 1e-14);
        let g = bce.gradient(&[0.8, 0.3], &[1.0, 0.0]);
        assert_abs_diff_eq!(g[..], [-1.25, 1.0 / 0.7][..], epsilon = 1e-14);
    }

    #[test]
    fn finite_at_exactly_zero_and_one() {
        let bce = BinaryCrossEntropy::<4, f32>::new();
        let y = [0.0, 1.0, 0.0, 1.0];
        let t = [1.0, 0.0, 0.0, 1.0];
        let (e, g) = bce.loss_and_gradient(&y, &t);
        assert!(
            e.is_finite() && g.iter().all(|v| v.is_finite()),
            "{e} {g:?}"
        );
        // two confidently wrong outputs at −ln ε each; the right ones near 0
        let worst = -f32::EPSILON.ln();
        assert_abs_diff_eq!(e, 2.0 * worst, epsilon = 1e-3);
        assert!(
            g[0] < 0.0 && g[1] > 0.0,
            "gradients still point at the target: {g:?}"
        );
    }

    #[test]
    fn through_a_sigmoid_the_logit_gradient_is_y_minus_t() {
        let net = (
            Dense::<1, 1, f64>::new([[0.0]], [0.7]),
            Sigmoid::<1, f64>::new(),
        );
        let (y, cache) = net.forward_train(&[0.0]);
        let bce = BinaryCrossEntropy::<1, f64>::new();
        let mut grads = Layer::zeroed();
        net.backward(&cache, &bce.gradient(&y, &[1.0]), &mut grads);
        assert_abs_diff_eq!(grads.0.bias[0], y[0] - 1.0, epsilon = 1e-14);
    }

    #[test]
    fn gradients_match_finite_differences() {
        type Net64 = (Dense<3, 2, f64>, Sigmoid<2, f64>);
        type Net32 = (Dense<3, 2>, Sigmoid<2>);
        for seed in 0..5 {
            let mut rng = SplitMix64::new(seed);
            let x = [0.4, -1.1, 0.9];
            let t = [1.0, 0.0];
            let mut n64: Net64 = Layer::initialized(Init::XavierUniform, &mut rng);
            let r = check_gradients(&mut n64, &BinaryCrossEntropy::new(), &x, &t, 1e-6);
            assert!(r.max_error() < 1e-8, "{r:?}");
            let mut n32: Net32 = Layer::initialized(Init::XavierUniform, &mut rng);
            let r = check_gradients(
                &mut n32,
                &BinaryCrossEntropy::new(),
                &[0.4, -1.1, 0.9],
                &[1.0, 0.0],
                1e-2,
            );
            assert!(r.max_error() < 2e-3, "{r:?}");
        }
    }
}
