//! Gradient clipping by global norm.

use crate::layer::Layer;
use crate::scalar::Scalar;
use num_traits::Float as _;

/// The global L2 norm of all parameters of `grads`: `√(Σ g²)` over every tensor.
///
/// ```
/// use typenet::{Dense, grad_norm};
/// assert_eq!(grad_norm(&Dense::<1, 1>::new([[3.0]], [4.0])), 5.0);
/// ```
pub fn grad_norm<N: Layer>(grads: &N) -> N::Scalar {
    // Summed in f64: a large network has ~10⁵ squares, which f32 would sum with a
    // relative error of ~10⁻³.
    let mut sum = 0.0f64;
    grads.visit_params(&mut |g| {
        for &gi in g {
            let v = gi.to_f64();
            sum += v * v;
        }
    });
    N::Scalar::from_f64(libm::sqrt(sum))
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
/// assert_eq!(clip_grad_norm(&mut g, 5.0), 50.0);
/// assert_eq!(g, Dense::new([[3.0]], [4.0])); // norm 5, same direction
/// ```
pub fn clip_grad_norm<N: Layer>(grads: &mut N, max_norm: N::Scalar) -> N::Scalar {
    let norm = grad_norm(grads);
    if norm.is_finite() && norm > max_norm {
        grads.scale_params(max_norm / norm);
    }
    norm
}

#[cfg(test)]
// Exact comparisons where the expected values are exact in binary floating point.
#[allow(clippy::float_cmp)]
mod tests {
    use super::*;
    use crate::{Dense, Relu};

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
        assert_eq!(clip_grad_norm(&mut g, 10.0), 5.0);
        assert_eq!(g.0.weights, [[3.0], [0.0]], "below the limit: unchanged");
        assert_eq!(clip_grad_norm(&mut g, 1.0), 5.0);
        assert!((g.0.weights[0][0] - 0.6).abs() < 1e-15 && (g.0.bias[1] - 0.8).abs() < 1e-15);
        assert!((grad_norm(&g) - 1.0).abs() < 1e-15);
    }

    #[test]
    fn non_finite_gradients_are_reported_not_scaled() {
        let mut g = Dense::<1, 1>::new([[f32::NAN]], [1.0]);
        assert!(clip_grad_norm(&mut g, 1.0).is_nan());
        assert_eq!(g.bias, [1.0]);
    }
}
