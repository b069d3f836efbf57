//! Softmax and cross-entropy, fused.

use super::{Class, Loss};
use crate::layers::softmax::{max, softmax};
use crate::scalar::Scalar;
use core::marker::PhantomData;

/// Cross-entropy of the softmax of `N` logits against a class: the loss for a
/// classifier whose network ends in a [`Dense`](crate::Dense) layer with no activation.
///
/// With logits `z`, probabilities `p = softmax(z)` and the target class `k`:
///
/// `E = −ln pₖ = ln Σⱼ e^(zⱼ) − zₖ = (m − zₖ) + ln Σⱼ e^(zⱼ − m)` with `m = maxⱼ zⱼ`,
///
/// `∂E/∂zⱼ = pⱼ − [j = k]`  (the probabilities minus the one-hot target).
///
/// **Why fused:** computing `p` with a [`Softmax`](crate::Softmax) layer and then `−ln pₖ`
/// fails when `pₖ` rounds to 0 (`−ln 0 = ∞`), which happens in `f32` as soon as a wrong
/// class leads by about 90. The log-sum-exp form above never takes the logarithm of
/// anything below 1 (the sum includes `e⁰ = 1`), so the loss is finite for any finite
/// logits, and the gradient `p − onehot(k)` is bounded by 1 in every component. The
/// difference `m − zₖ` is taken first, before adding the logarithm: `m + ln Σ − zₖ`
/// would round `ln Σ` to the precision of `m` (at logits near 10⁴ in `f32`, to a
/// thousandth) and lose it again in the subtraction.
///
/// **Target:** a [`Class<N>`], the class index, checked to be in range when it is made
/// (see [`Class::new`]). Index targets are what labelled data holds, take one word instead
/// of `N` numbers, and cannot be malformed (a one-hot vector could sum to 2). For soft
/// targets, use a one-hot or smoothed vector with `Softmax` and your own loss.
///
/// This is PyTorch's `nn.CrossEntropyLoss` for one sample (its mean over a mini-batch is
/// what [`Trainer`](crate::Trainer) reports).
///
/// ```
/// use typenet::{Class, Loss, SoftmaxCrossEntropy};
/// let ce = SoftmaxCrossEntropy::<3>::new();
/// let k = Class::new(0).unwrap();
/// // equal logits: p = 1/3 each, E = ln 3
/// assert!((ce.loss(&[0.0, 0.0, 0.0], &k) - 3f32.ln()).abs() < 1e-6);
/// // finite even where a separate softmax would give ln 0
/// assert!(ce.loss(&[-1000.0, 1000.0, 0.0], &k).is_finite());
/// ```
pub struct SoftmaxCrossEntropy<const N: usize, T = f32> {
    _scalar: PhantomData<fn() -> T>,
}

impl<const N: usize, T> SoftmaxCrossEntropy<N, T> {
    /// The loss (it has no settings).
    pub const fn new() -> Self {
        Self {
            _scalar: PhantomData,
        }
    }
}

impl<const N: usize, T> Default for SoftmaxCrossEntropy<N, T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize, T> Clone for SoftmaxCrossEntropy<N, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<const N: usize, T> Copy for SoftmaxCrossEntropy<N, T> {}

/// Every `SoftmaxCrossEntropy<N, T>` equals every other: the loss has no settings.
impl<const N: usize, T> PartialEq for SoftmaxCrossEntropy<N, T> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl<const N: usize, T> Eq for SoftmaxCrossEntropy<N, T> {}

impl<const N: usize, T> core::fmt::Debug for SoftmaxCrossEntropy<N, T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "SoftmaxCrossEntropy<{N}>")
    }
}

impl<const N: usize, T: Scalar> Loss<[T; N]> for SoftmaxCrossEntropy<N, T> {
    type Scalar = T;
    type Target = Class<N>;

    #[inline]
    fn loss(&self, z: &[T; N], target: &Class<N>) -> T {
        let m = max(z);
        let sum = z.iter().fold(T::zero(), |s, &zj| s + (zj - m).exp());
        (m - z[target.index()]) + sum.ln()
    }

    #[inline]
    fn gradient(&self, z: &[T; N], target: &Class<N>) -> [T; N] {
        let mut g = softmax(z);
        g[target.index()] = g[target.index()] - T::one();
        g
    }

    /// One pass of exponentials serves both: `e = exp(z − m)`, `E = (m − zₖ) + ln Σe`,
    /// `∂E/∂z = e/Σe − onehot(k)`.
    #[inline]
    fn loss_and_gradient(&self, z: &[T; N], target: &Class<N>) -> (T, [T; N]) {
        let m = max(z);
        let mut g = z.map(|zj| (zj - m).exp());
        let sum = g.iter().fold(T::zero(), |s, &e| s + e);
        for gj in &mut g {
            *gj = *gj / sum;
        }
        let k = target.index();
        g[k] = g[k] - T::one();
        ((m - z[k]) + sum.ln(), g)
    }
}

#[cfg(test)]
// Exact comparisons where the expected values are exact in binary floating point.
#[allow(clippy::float_cmp)]
mod tests {
    use super::*;
    use crate::{Dense, Init, Layer, SplitMix64, check_gradients};
    use approx::assert_abs_diff_eq;

    #[test]
    fn matches_an_independent_computation() {
        // ln(e^1 + e^2 + e^0.5) − 2, by hand
        let ce = SoftmaxCrossEntropy::<3, f64>::new();
        let e = ce.loss(&[1.0, 2.0, 0.5], &Class::new(1).unwrap());
        assert_abs_diff_eq!(e, 0.464_368_784_107_944_7, epsilon = 1e-14);
        let g = ce.gradient(&[1.0, 2.0, 0.5], &Class::new(1).unwrap());
        // the components sum to 0
        assert_abs_diff_eq!(g.iter().sum::<f64>(), 0.0, epsilon = 1e-15);
        assert_abs_diff_eq!(g[1], 0.628_531_719_211_762_5 - 1.0, epsilon = 1e-14);
    }

    #[test]
    fn the_fused_path_agrees_with_loss_and_gradient() {
        let ce = SoftmaxCrossEntropy::<4, f64>::new();
        let z = [0.3, -2.0, 1.7, 0.9];
        for k in 0..4 {
            let t = Class::new(k).unwrap();
            let (e, g) = ce.loss_and_gradient(&z, &t);
            assert_abs_diff_eq!(e, ce.loss(&z, &t), epsilon = 1e-15);
            assert_abs_diff_eq!(g[..], ce.gradient(&z, &t)[..], epsilon = 1e-15);
        }
    }

    #[test]
    fn stable_for_extreme_logits() {
        let ce = SoftmaxCrossEntropy::<3, f32>::new();
        let k = Class::new(0).unwrap();
        let (e, g) = ce.loss_and_gradient(&[-1e4, 1e4, 0.0], &k);
        assert_eq!(e, 2e4); // exactly: m + ln 1 − z₀
        assert_eq!(g, [-1.0, 1.0, 0.0]);
        let (e, g) = ce.loss_and_gradient(&[1e4, -1e4, 0.0], &k);
        assert_eq!(e, 0.0);
        assert_eq!(g, [0.0, 0.0, 0.0]);
    }

    /// Two equal large logits and a small one: `p = (½, ½, e^(−10⁴)/2)`, so
    /// `E = ln(2 + e^(−10⁴)) = ln 2` to any precision. Adding `ln 2` to `m = 10⁴` first
    /// would keep it to the f32 spacing near 10⁴ (2⁻¹⁰) only: 0.693359.
    #[test]
    fn no_cancellation_at_large_logits() {
        let ce = SoftmaxCrossEntropy::<3, f32>::new();
        let z = [1e4, 1e4, 0.0];
        for k in [0, 1] {
            let k = Class::new(k).unwrap();
            assert_eq!(ce.loss(&z, &k), 2f32.ln());
            assert_eq!(ce.loss_and_gradient(&z, &k).0, 2f32.ln());
        }
        // and the third class: 10⁴ + ln 2, to f32's spacing there
        let e = ce.loss(&z, &Class::new(2).unwrap());
        assert!((f64::from(e) - (1e4 + 2f64.ln())).abs() <= 1e-3, "{e}");
    }

    #[test]
    fn gradients_through_a_dense_layer_match_finite_differences() {
        for seed in 0..5 {
            let mut rng = SplitMix64::new(seed);
            let mut net: Dense<4, 5, f64> = Layer::initialized(Init::XavierUniform, &mut rng);
            let k = Class::new(seed as usize % 5).unwrap();
            let x = [0.5, -1.0, 2.0, 0.25];
            let r = check_gradients(&mut net, &SoftmaxCrossEntropy::new(), &x, &k, 1e-6);
            assert!(r.max_error() < 1e-8, "{r:?}");

            let mut net: Dense<4, 5, f32> = Layer::initialized(Init::XavierUniform, &mut rng);
            let x = [0.5, -1.0, 2.0, 0.25];
            let r = check_gradients(&mut net, &SoftmaxCrossEntropy::new(), &x, &k, 1e-2);
            assert!(r.max_error() < 2e-3, "{r:?}");
        }
    }
}
