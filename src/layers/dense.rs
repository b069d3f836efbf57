//! The fully connected layer.

use crate::init::{Init, fill_uniform};
use crate::kernels::{axpy, dot};
use crate::layer::{Layer, fingerprint};
use crate::scalar::Scalar;
use rand_core::Rng;

/// A fully connected layer from `I` inputs to `O` outputs.
///
/// **Forward:** `a = W·x + b`, that is `a[o] = Σᵢ W[o][i]·x[i] + b[o]`.
///
/// **Backward**, given `δ = ∂E/∂a` (an `O`-vector):
/// * `∂E/∂W = δ·xᵀ`, i.e. `∂E/∂W[o][i] = δ[o]·x[i]` (because `∂a[o]/∂W[o][i] = x[i]`);
/// * `∂E/∂b = δ` (because `∂a[o]/∂b[o] = 1`);
/// * `∂E/∂x = Wᵀ·δ`, i.e. `∂E/∂x[i] = Σₒ W[o][i]·δ[o]` — handed to the previous layer.
///
/// The training cache is the input `x`, the one thing `∂E/∂W` needs.
///
/// `weights` is stored output-major (`O` rows of `I`), the layout of PyTorch's
/// `nn.Linear.weight`, so each output is one contiguous dot product.
///
/// ```
/// use typenet::{Dense, Layer};
/// // a[0] = 1·x0 + 1·x1 − 1.5: positive only when both inputs are 1.
/// let and = Dense::<2, 1>::new([[1.0, 1.0]], [-1.5]);
/// assert_eq!(and.forward(&[1.0, 1.0]), [0.5]);
/// assert_eq!(and.forward(&[1.0, 0.0]), [-0.5]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Dense<const I: usize, const O: usize, T = f32> {
    /// `W[o][i]`: the weight from input `i` to output `o`.
    pub weights: [[T; I]; O],
    /// `b[o]`: the bias of output `o`.
    pub bias: [T; O],
}

impl<const I: usize, const O: usize, T> Dense<I, O, T> {
    /// A layer with the given weights (`O` rows of `I`) and biases. A `const fn`, so a
    /// trained layer can be a `static` in flash.
    pub const fn new(weights: [[T; I]; O], bias: [T; O]) -> Self {
        Self { weights, bias }
    }
}

impl<const I: usize, const O: usize, T: Scalar> Default for Dense<I, O, T> {
    /// All weights and biases zero.
    fn default() -> Self {
        <Self as Layer>::zeroed()
    }
}

impl<const I: usize, const O: usize, T: Scalar> Layer for Dense<I, O, T> {
    type Scalar = T;
    type Input = [T; I];
    type Output = [T; O];
    type Cache = [T; I];

    const PARAM_COUNT: usize = I * O + O;
    const FINGERPRINT: u64 = fingerprint::layer("Dense", &[I, O]);

    #[inline]
    fn forward(&self, x: &[T; I]) -> [T; O] {
        let mut a = self.bias;
        for (ao, wo) in a.iter_mut().zip(&self.weights) {
            *ao = *ao + dot(wo, x);
        }
        a
    }

    #[inline]
    fn forward_train(&self, x: &[T; I]) -> ([T; O], [T; I]) {
        (self.forward(x), *x)
    }

    #[inline]
    fn backward(&self, x: &[T; I], delta: &[T; O], grads: &mut Self) -> [T; I] {
        let mut dx = [T::zero(); I];
        for (((&d, wo), gwo), gbo) in delta
            .iter()
            .zip(&self.weights)
            .zip(&mut grads.weights)
            .zip(&mut grads.bias)
        {
            *gbo = *gbo + d;
            axpy(gwo, d, x);
            axpy(&mut dx, d, wo);
        }
        dx
    }

    fn zeroed() -> Self {
        Self::new([[T::zero(); I]; O], [T::zero(); O])
    }

    fn visit_params<F: FnMut(&[T])>(&self, f: &mut F) {
        f(self.weights.as_flattened());
        f(&self.bias);
    }

    fn visit_params_mut<F: FnMut(&mut [T])>(&mut self, f: &mut F) {
        f(self.weights.as_flattened_mut());
        f(&mut self.bias);
    }

    fn zip_params<const K: usize, F>(&mut self, grads: &Self, mut state: [&mut Self; K], f: &mut F)
    where
        F: FnMut(&mut [T], &[T], [&mut [T]; K]),
    {
        f(
            self.weights.as_flattened_mut(),
            grads.weights.as_flattened(),
            state.each_mut().map(|s| s.weights.as_flattened_mut()),
        );
        f(
            &mut self.bias,
            &grads.bias,
            state.each_mut().map(|s| &mut s.bias[..]),
        );
    }

    fn init_params<R: Rng + ?Sized>(&mut self, init: Init, rng: &mut R) {
        let (wl, bl) = init.limits(I, O);
        fill_uniform(self.weights.as_flattened_mut(), wl, rng);
        fill_uniform(&mut self.bias, bl, rng);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_figures_are_known_at_compile_time() {
        const _: () = assert!(<Dense<2, 4> as Layer>::BYTES == 4 * (2 * 4 + 4));
        assert_eq!(<Dense<3, 2> as Layer>::PARAM_COUNT, 8);
        assert_eq!(<Dense<3, 2, f64> as Layer>::CACHE_BYTES, 24);
    }
}
