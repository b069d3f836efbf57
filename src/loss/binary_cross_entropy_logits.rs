//! Binary cross-entropy on logits, in the stable log-sigmoid form.

use super::Loss;
use crate::scalar::Scalar;
use core::marker::PhantomData;

/// Binary cross-entropy over `N` independent yes/no outputs given as **logits** `a` (a
/// network ending in a [`Dense`](crate::Dense) layer, no sigmoid: the loss applies it),
/// against targets `t` in `[0, 1]`:
///
/// `E = Σᵢ [ max(aᵢ, 0) − aᵢ tᵢ + ln(1 + e^(−|aᵢ|)) ]`,  `∂E/∂aᵢ = σ(aᵢ) − tᵢ`.
///
/// That is `−Σᵢ [ tᵢ ln σ(aᵢ) + (1 − tᵢ) ln(1 − σ(aᵢ)) ]`, the loss of
/// [`BinaryCrossEntropy`](crate::BinaryCrossEntropy) on `σ(a)`, rewritten so that no
/// exponential overflows and no logarithm sees a probability that rounded to 0 or 1:
/// `ln(1 + e^(−|a|))` is computed as `ln_1p(e^(−|a|))`, the gradient's `σ(a)` from
/// `e^(−|a|)` on the side where it does not cancel. This is PyTorch's
/// `nn.BCEWithLogitsLoss` summed over the `N` outputs (PyTorch takes their mean; for
/// `N = 1` the two agree).
///
/// # Which binary cross-entropy
///
/// **Use this one to train.** Its gradient is `σ(a) − t` for every finite logit: a
/// confidently wrong output (target 0, logit 40) gets the full gradient 1 and learns.
/// [`BinaryCrossEntropy`](crate::BinaryCrossEntropy) after a [`Sigmoid`](crate::Sigmoid)
/// computes the same loss, but from the rounded probability: once `σ(a)` rounds to 1
/// (logits above about 16.6 in `f32`, 36.7 in `f64`) the gradient reaching the logit is
/// exactly 0, and below about −15.9 (`f32`) / −36.0 (`f64`) its clamp attenuates it
/// (−0.017 instead of ≈ −1 at `a = −20`, target 1, in `f32`). Use that one where the
/// network must output probabilities itself (a model exported with its sigmoid); with
/// this one, apply [`Sigmoid`](crate::Sigmoid) to the logits at inference time, or
/// compare the logit with 0 (`a > 0` ⇔ `σ(a) > ½`).
///
/// The loss is finite for all finite logits; it grows linearly, not without bound in
/// floating point, for confidently wrong ones (`E = |a|` to within `e^(−|a|)`).
///
/// ```
/// use typenet::{BinaryCrossEntropyWithLogits, Loss};
/// let bce = BinaryCrossEntropyWithLogits::<1>::new();
/// assert!((bce.loss(&[0.0], &[1.0]) - 2f32.ln()).abs() < 1e-6); // σ(0) = ½: −ln ½
/// // confidently wrong: the loss is the logit, the gradient the full 1
/// assert_eq!(bce.loss_and_gradient(&[40.0], &[0.0]), (40.0, [1.0]));
/// ```
pub struct BinaryCrossEntropyWithLogits<const N: usize, T = f32> {
    _scalar: PhantomData<fn() -> T>,
}

impl<const N: usize, T> BinaryCrossEntropyWithLogits<N, T> {
    /// The loss (it has no settings).
    pub const fn new() -> Self {
        Self {
            _scalar: PhantomData,
        }
    }
}

impl<const N: usize, T> Default for BinaryCrossEntropyWithLogits<N, T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize, T> Clone for BinaryCrossEntropyWithLogits<N, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<const N: usize, T> Copy for BinaryCrossEntropyWithLogits<N, T> {}

impl<const N: usize, T> core::fmt::Debug for BinaryCrossEntropyWithLogits<N, T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "BinaryCrossEntropyWithLogits<{N}>")
    }
}

/// The loss and gradient of one output: `max(a, 0) − a·t + ln_1p(e^(−|a|))` and
/// `σ(a) − t`, sharing the one exponential.
#[inline]
fn one<T: Scalar>(a: T, t: T) -> (T, T) {
    let e = (-a.abs()).exp(); // in (0, 1]: never overflows
    let loss = a.max(T::zero()) - a * t + e.ln_1p();
    // σ(a) = 1/(1 + e) for a ≥ 0 and e/(1 + e) below; for a ≥ 0 write σ − t as
    // (1 − t) − e/(1 + e), so that t = 1 keeps the small e/(1 + e) rather than
    // cancelling 1/(1 + e) − 1 to 0.
    let small = e / (T::one() + e);
    let grad = if a >= T::zero() {
        (T::one() - t) - small
    } else {
        small - t
    };
    (loss, grad)
}

impl<const N: usize, T: Scalar> Loss<[T; N]> for BinaryCrossEntropyWithLogits<N, T> {
    type Scalar = T;
    type Target = [T; N];

    #[inline]
    fn loss(&self, a: &[T; N], t: &[T; N]) -> T {
        self.loss_and_gradient(a, t).0
    }

    #[inline]
    fn gradient(&self, a: &[T; N], t: &[T; N]) -> [T; N] {
        self.loss_and_gradient(a, t).1
    }

    #[inline]
    fn loss_and_gradient(&self, a: &[T; N], t: &[T; N]) -> (T, [T; N]) {
        let mut g = *a;
        let mut e = T::zero();
        for (gi, &ti) in g.iter_mut().zip(t) {
            let (ei, di) = one(*gi, ti);
            e = e + ei;
            *gi = di;
        }
        (e, g)
    }
}

#[cfg(test)]
// Exact comparisons where the expected values are exact in binary floating point.
#[allow(clippy::float_cmp)]
mod tests {
    use super::*;
    use crate::{
        BinaryCrossEntropy, Dense, Init, Layer, Sigmoid, SplitMix64, Train, check_gradients,
    };
    use approx::assert_abs_diff_eq;

    /// `(logit, target, loss, ∂E/∂a)` from `scripts/bce_logits_reference.py`: the textbook
    /// definition `−[t ln σ(a) + (1 − t) ln(1 − σ(a))]` in 60-digit decimal arithmetic,
    /// rounded to f64 once at the end.
    const REFERENCE: [(f64, f64, f64, f64); 14] = [
        (0.0, 1.0, core::f64::consts::LN_2, -0.5), // printed as 0.6931471805599453
        (2.5, 0.0, 2.578_889_734_292_549_6, 0.924_141_819_978_756_4),
        (-3.0, 1.0, 3.048_587_351_573_742, -0.952_574_126_822_433_3),
        (0.7, 0.3, 0.893_186_048_885_457_9, 0.368_187_772_168_166_1),
        (-1.25, 0.9, 1.376_929_081_345_373, -0.677_299_861_174_691_1),
        (17.0, 0.0, 17.000_000_041_399_375, 0.999_999_958_600_624_5),
        (20.0, 0.0, 20.000_000_002_061_153, 0.999_999_997_938_846_4),
        (-20.0, 1.0, 20.000_000_002_061_153, -0.999_999_997_938_846_4),
        (
            30.0,
            1.0,
            9.357_622_968_839_737e-14,
            -9.357_622_968_839_299e-14,
        ),
        (37.0, 0.0, 37.0, 0.999_999_999_999_999_9),
        (40.0, 0.0, 40.0, 1.0),
        (100.0, 0.0, 100.0, 1.0),
        (-40.0, 1.0, 40.0, -1.0),
        (-800.0, 1.0, 800.0, -1.0),
    ];

    /// Relative error, with an absolute floor for values near 0.
    fn rel(got: f64, want: f64) -> f64 {
        (got - want).abs() / want.abs().max(1e-300)
    }

    #[test]
    fn matches_the_high_precision_reference_in_f64() {
        let bce = BinaryCrossEntropyWithLogits::<1, f64>::new();
        for (a, t, e, g) in REFERENCE {
            let (ge, gg) = bce.loss_and_gradient(&[a], &[t]);
            // a few ulps, relative: the stable form keeps full precision even where the
            // loss or gradient is tiny (a = 30, t = 1)
            assert!(rel(ge, e) < 1e-15, "a = {a}, t = {t}: loss {ge}, want {e}");
            assert!(
                rel(gg[0], g) < 1e-14,
                "a = {a}, t = {t}: gradient {}, want {g}",
                gg[0]
            );
        }
    }

    #[test]
    fn matches_the_high_precision_reference_in_f32() {
        let bce = BinaryCrossEntropyWithLogits::<1, f32>::new();
        for (a, t, e, g) in REFERENCE {
            let (ge, gg) = bce.loss_and_gradient(&[a as f32], &[t as f32]);
            assert!(
                rel(f64::from(ge), e) < 1e-6,
                "a = {a}, t = {t}: loss {ge}, want {e}"
            );
            assert!(
                rel(f64::from(gg[0]), g) < 1e-6,
                "a = {a}, t = {t}: gradient {}, want {g}",
                gg[0]
            );
        }
    }

    /// The cases of the issue: where `BinaryCrossEntropy` after a `Sigmoid` loses the
    /// gradient on the logit, this loss keeps it.
    #[test]
    fn the_saturated_cases_keep_their_gradient() {
        fn through_sigmoid<T: Scalar>(a: T, t: T) -> T {
            let net = Sigmoid::<1, T>::new();
            let (y, cache) = net.forward_train(&[a]);
            let mut grads = Sigmoid::zeroed();
            net.backward(
                &cache,
                &BinaryCrossEntropy::new().gradient(&y, &[t]),
                &mut grads,
            )[0]
        }
        let logits32 = BinaryCrossEntropyWithLogits::<1, f32>::new();
        let logits64 = BinaryCrossEntropyWithLogits::<1, f64>::new();
        // target 0, logit 17 (f32) / 37 (f64): the sigmoid's output is exactly 1
        assert_eq!(through_sigmoid(17.0f32, 0.0), 0.0);
        assert_eq!(through_sigmoid(37.0f64, 0.0), 0.0);
        assert!(logits32.gradient(&[17.0], &[0.0])[0] > 0.999_999);
        assert!(logits64.gradient(&[37.0], &[0.0])[0] > 0.999_999_999);
        // target 1, logit −20 in f32: the clamp attenuates it to about −0.017
        let clamped = through_sigmoid(-20.0f32, 1.0);
        assert_abs_diff_eq!(clamped, -0.017, epsilon = 1e-3);
        assert_abs_diff_eq!(logits32.gradient(&[-20.0], &[1.0])[0], -1.0, epsilon = 1e-6);
        // and where nothing saturates, the two agree
        for a in [-3.0f64, -0.5, 0.0, 1.0, 4.0] {
            let want = through_sigmoid(a, 1.0);
            assert_abs_diff_eq!(logits64.gradient(&[a], &[1.0])[0], want, epsilon = 1e-12);
        }
    }

    #[test]
    fn finite_for_extreme_logits() {
        let bce = BinaryCrossEntropyWithLogits::<4, f32>::new();
        // right, wrong, wrong, right: the loss is the two wrong logits' sizes
        let (e, g) = bce.loss_and_gradient(&[1e30, -1e30, 1e30, -1e30], &[1.0, 1.0, 0.0, 0.0]);
        assert_eq!(e, 2e30);
        assert_eq!(g, [0.0, -1.0, 1.0, 0.0]);
        let (e, _) = bce.loss_and_gradient(&[1e30, 0.0, 0.0, -1e30], &[1.0, 1.0, 1.0, 0.0]);
        assert_eq!(e, 2.0 * 2f32.ln());
    }

    #[test]
    fn gradients_match_finite_differences() {
        type Net64 = Dense<3, 2, f64>;
        type Net32 = Dense<3, 2>;
        for seed in 0..5 {
            let mut rng = SplitMix64::new(seed);
            let mut n64: Net64 = Layer::initialized(Init::XavierUniform, &mut rng);
            let loss = BinaryCrossEntropyWithLogits::new();
            let r = check_gradients(&mut n64, &loss, &[0.4, -1.1, 0.9], &[1.0, 0.3], 1e-6);
            assert!(r.max_error() < 1e-8, "{r:?}");
            // large inputs: logits far into the range where a sigmoid would saturate
            let r = check_gradients(&mut n64, &loss, &[30.0, -20.0, 25.0], &[0.0, 1.0], 1e-6);
            assert!(r.max_error() < 1e-6, "{r:?}");
            let mut n32: Net32 = Layer::initialized(Init::XavierUniform, &mut rng);
            let loss = BinaryCrossEntropyWithLogits::new();
            let r = check_gradients(&mut n32, &loss, &[0.4, -1.1, 0.9], &[1.0, 0.0], 1e-2);
            assert!(r.max_error() < 2e-3, "{r:?}");
        }
    }
}
