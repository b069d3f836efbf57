//! Gradient clipping by global norm.

use super::{InvalidSetting, KahanSum};
use crate::layer::Layer;
use num_traits::{Float as _, Zero as _};

/// The global L2 norm of all parameters of `grads`: `√(Σ g²)` over every tensor.
///
/// ```
/// use typenet::{Dense, grad_norm};
/// assert_eq!(grad_norm(&Dense::<1, 1>::new([[3.0]], [4.0])), 5.0);
/// ```
pub fn grad_norm<N: Layer>(grads: &N) -> N::Scalar {
    // A large network has ~10⁵ squares, which a plain f32 sum would add up with a
    // relative error of ~10⁻³; Kahan's compensated sum keeps it near one rounding,
    // in the network's own scalar (no software f64 on a microcontroller).
    // Eight compensated sums side by side (no dependency between them, so the compiler
    // vectorises them; one chain of Kahan steps took 2.8 ns per parameter).
    let zero = N::Scalar::zero();
    let (mut sum, mut carry) = ([zero; 8], [zero; 8]);
    grads.visit_params(&mut |g| {
        let (chunks, tail) = g.as_chunks::<8>();
        for c in chunks {
            for j in 0..8 {
                kahan_step(&mut sum[j], &mut carry[j], c[j] * c[j]);
            }
        }
        for ((s, k), &v) in sum.iter_mut().zip(&mut carry).zip(tail) {
            kahan_step(s, k, v * v);
        }
    });
    let mut total = KahanSum::new();
    for (s, k) in sum.into_iter().zip(carry) {
        total.add(s);
        total.add(-k);
    }
    total.get().sqrt()
}

/// One step of Kahan's compensated sum (see [`KahanSum`]).
#[inline(always)]
fn kahan_step<T: crate::Scalar>(sum: &mut T, carry: &mut T, x: T) {
    let y = x - *carry;
    let t = *sum + y;
    *carry = (t - *sum) - y;
    *sum = t;
}

/// Clips gradients by their global norm: if `‖g‖ > max_norm`, scales every gradient by
/// `max_norm / ‖g‖`, so the direction is kept and the norm becomes `max_norm`. Returns the
/// norm before clipping (as PyTorch's `clip_grad_norm_` does), so a caller can log it.
///
/// A non-finite norm (a NaN or infinite gradient) leaves `grads` unchanged: scaling could
/// not repair it, and the returned norm shows the problem.
///
/// ```
/// use typenet::{Dense, clip_grad_norm};
/// let mut g = Dense::<1, 1>::new([[30.0]], [40.0]); // norm 50
/// assert_eq!(clip_grad_norm(&mut g, 5.0), Ok(50.0));
/// assert_eq!(g, Dense::new([[3.0]], [4.0])); // norm 5, same direction
/// assert!(clip_grad_norm(&mut g, -1.0).is_err()); // would reverse the gradient
/// ```
///
/// # Errors
/// [`InvalidSetting`] if `max_norm` is negative or NaN (`+∞` is allowed: no clipping);
/// `grads` is then unchanged.
pub fn clip_grad_norm<N: Layer>(
    grads: &mut N,
    max_norm: N::Scalar,
) -> Result<N::Scalar, InvalidSetting> {
    check_max_norm(max_norm)?;
    let norm = grad_norm(grads);
    if norm.is_finite() && norm > max_norm {
        grads.scale_params(max_norm / norm);
    }
    Ok(norm)
}

/// `max_norm` must be ≥ 0 and not NaN: a negative one reverses the gradient, a NaN one
/// silently never clips.
pub(crate) fn check_max_norm<T: crate::Scalar>(max_norm: T) -> Result<(), InvalidSetting> {
    if max_norm >= T::zero() {
        Ok(())
    } else {
        Err(InvalidSetting {
            name: "max_norm",
            range: "≥ 0 (+∞ for no clipping)",
        })
    }
}

#[cfg(test)]
// Exact comparisons where the expected values are exact in binary floating point.
#[allow(clippy::float_cmp)]
mod tests {
    use super::*;
    use crate::{Approx, Dense, Relu};
    use approx::assert_abs_diff_eq;

    #[test]
    fn norm_spans_every_layer() {
        // 1² + 2² + 2² + 4² = 25 over two layers
        let g = (
            Dense::<1, 1>::new([[1.0]], [2.0]),
            Relu::<1>::new(),
            Dense::<1, 1>::new([[2.0]], [4.0]),
        );
        assert_eq!(grad_norm(&g), 5.0);
    }

    #[test]
    fn clips_only_above_the_limit() {
        let mut g = (Dense::<1, 2, f64>::new([[3.0], [0.0]], [0.0, 4.0]),);
        assert_eq!(clip_grad_norm(&mut g, 10.0), Ok(5.0));
        assert_eq!(g.0.weights, [[3.0], [0.0]], "below the limit: unchanged");
        assert_eq!(clip_grad_norm(&mut g, 1.0), Ok(5.0));
        let want = (Dense::<1, 2, f64>::new([[0.6], [0.0]], [0.0, 0.8]),);
        assert_abs_diff_eq!(Approx(&g), Approx(&want), epsilon = 1e-15);
        assert_abs_diff_eq!(grad_norm(&g), 1.0, epsilon = 1e-15);
    }

    #[test]
    fn non_finite_gradients_are_reported_not_scaled() {
        let mut g = Dense::<1, 1>::new([[f32::NAN]], [1.0]);
        assert!(clip_grad_norm(&mut g, 1.0).unwrap().is_nan());
        assert_eq!(g.bias, [1.0]);
    }

    #[test]
    fn a_negative_or_nan_limit_is_an_error_and_changes_nothing() {
        let mut g = Dense::<1, 1>::new([[30.0]], [40.0]);
        for bad in [-1.0, -0.0 - f32::MIN_POSITIVE, f32::NAN, f32::NEG_INFINITY] {
            assert!(clip_grad_norm(&mut g, bad).is_err(), "{bad}");
            assert_eq!(g, Dense::new([[30.0]], [40.0]));
        }
        assert_eq!(clip_grad_norm(&mut g, f32::INFINITY), Ok(50.0));
        assert_eq!(g, Dense::new([[30.0]], [40.0]));
    }

    /// Against an f64 sum of the same squares: the f32 norm of 90 300 gradients is
    /// within one or two roundings.
    #[test]
    fn norm_of_many_parameters_is_accurate_in_f32() {
        let mut g = Dense::<300, 300>::zeroed();
        let mut rng = crate::SplitMix64::new(9);
        let mut exact = 0.0f64;
        g.visit_params_mut(&mut |p| {
            for v in p {
                *v = <f32 as crate::Scalar>::unit(&mut rng) - 0.25;
                exact += f64::from(*v * *v);
            }
        });
        let exact = exact.sqrt();
        let rel = ((f64::from(grad_norm(&g)) - exact) / exact).abs();
        assert!(rel < 1.2e-7, "relative error {rel}");
    }
}
