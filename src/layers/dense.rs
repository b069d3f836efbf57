//! The fully connected layer.

use crate::Params;
use crate::batch::{BatchError, check_batch};
use crate::kernels::{axpy, backward_input, dot, forward_rows, outer_acc, outer_set, scale_into};
use crate::layer::mode::{self, Mode};
use crate::layer::{Layer, Train};
use crate::scalar::Scalar;

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
///
/// # Speed and reproducibility
///
/// Layers with at least [`BLOCKED_MIN`](crate::layers::BLOCKED_MIN) weights run blocked
/// kernels on CPUs with vector registers (several rows and samples per pass, AVX2 chosen
/// at run time on x86-64 with `std`); smaller layers, and every layer on a
/// microcontroller, run the simple loops, which are faster there. Both compute every output with the same
/// operations in the same order, so the result is the same bits on every target and for
/// every batch size: one code path for the numbers, whatever runs them.
#[derive(Clone, Copy, PartialEq, Params)]
#[params(scalar = T)]
pub struct Dense<const I: usize, const O: usize, T = f32> {
    /// `W[o][i]`: the weight from input `i` to output `o`.
    #[param(init = weights(I, O))]
    pub weights: [[T; I]; O],
    /// `b[o]`: the bias of output `o`.
    #[param(init = bias(I, O))]
    pub bias: [T; O],
}

/// Shows the shape and the first few values of each parameter array, not all of them (a
/// `Dense<784, 128>` has 100 352 weights):
/// `Dense<3, 2> { weights: 2×3 [1.0, 2.0, 3.0, 4.0, …], bias: 2 [0.5, -0.5] }`.
impl<const I: usize, const O: usize, T: core::fmt::Debug> core::fmt::Debug for Dense<I, O, T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        /// Values shown per array.
        const SHOWN: usize = 4;
        fn head<T: core::fmt::Debug>(
            f: &mut core::fmt::Formatter<'_>,
            v: &[T],
        ) -> core::fmt::Result {
            f.write_str("[")?;
            for (k, x) in v.iter().take(SHOWN).enumerate() {
                if k > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "{x:?}")?;
            }
            f.write_str(if v.len() > SHOWN { ", …]" } else { "]" })
        }
        write!(f, "Dense<{I}, {O}> {{ weights: {O}×{I} ")?;
        head(f, self.weights.as_flattened())?;
        write!(f, ", bias: {O} ")?;
        head(f, &self.bias)?;
        f.write_str(" }")
    }
}

/// The weight count from which [`Dense`] uses its blocked kernels. Below it (an XOR
/// network's 2×4) the call into the kernels' run-time choice costs more than blocking saves.
pub const BLOCKED_MIN: usize = 256;

/// Whether the target has vector registers for the blocked kernels to fill. A
/// microcontroller's FPU works one number at a time: there the blocked kernels would only
/// spill their accumulators, so it always runs the simple loops (which also keeps firmware
/// free of the kernels' slice bookkeeping and its panic paths). Same bits either way.
const VECTOR_TARGET: bool = cfg!(any(
    target_arch = "x86_64",
    target_arch = "x86",
    target_arch = "aarch64"
));

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

impl<const I: usize, const O: usize, T: Scalar> Dense<I, O, T> {
    /// Whether this layer runs the blocked kernels (see the type's docs).
    const BLOCKED: bool = VECTOR_TARGET && I * O >= BLOCKED_MIN;
}

impl<const I: usize, const O: usize, T: Scalar> Layer for Dense<I, O, T> {
    type Scalar = T;
    type Input = [T; I];
    type Output = [T; O];

    #[inline]
    fn forward(&self, x: &[T; I]) -> [T; O] {
        let mut a = self.bias;
        if Self::BLOCKED {
            let (xs, ys) = (core::array::from_ref(x), core::array::from_mut(&mut a));
            forward_rows(&self.weights, xs, ys);
        } else {
            for (ao, wo) in a.iter_mut().zip(&self.weights) {
                *ao = *ao + dot(wo, x);
            }
        }
        a
    }

    /// `Y = X·Wᵀ + b` over the batch, as one blocked matrix product.
    fn forward_batch(
        &self,
        xs: &[[T; I]],
        ys: &mut [[T; O]],
        workspace: &mut [T],
    ) -> Result<(), BatchError> {
        check_batch(xs.len(), &[ys.len()], workspace.len(), 0)?;
        if Self::BLOCKED {
            ys.fill(self.bias);
            forward_rows(&self.weights, xs, ys);
        } else {
            for (x, y) in xs.iter().zip(ys) {
                *y = self.forward(x);
            }
        }
        Ok(())
    }
}

impl<const I: usize, const O: usize, T: Scalar> Train for Dense<I, O, T> {
    type Cache = [T; I];

    #[inline]
    fn forward_train(&self, x: &[T; I]) -> ([T; O], [T; I]) {
        (self.forward(x), *x)
    }

    #[inline]
    fn backward(&self, x: &[T; I], delta: &[T; O], grads: &mut Self) -> [T; I] {
        self.backward_with::<mode::Accumulate>(x, delta, grads)
    }

    /// One branch per mode, each chosen at compile time: setting the gradients skips the
    /// pass that zeroes them, and the first layer skips `∂E/∂x`.
    #[inline]
    fn backward_with<M: Mode>(&self, x: &[T; I], delta: &[T; O], grads: &mut Self) -> [T; I] {
        match (M::OVERWRITE, M::INPUT) {
            (false, true) => {
                let mut dx = [T::zero(); I];
                if Self::BLOCKED {
                    let (xs, ds) = (core::array::from_ref(x), core::array::from_ref(delta));
                    let dxs = core::array::from_mut(&mut dx);
                    add_bias_grads(&mut grads.bias, ds);
                    outer_acc(&mut grads.weights, ds, xs);
                    backward_input(&self.weights, ds, dxs);
                    return dx;
                }
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
                return dx;
            }
            (false, false) => {
                let (xs, ds) = (core::array::from_ref(x), core::array::from_ref(delta));
                add_bias_grads(&mut grads.bias, ds);
                if Self::BLOCKED {
                    outer_acc(&mut grads.weights, ds, xs);
                } else {
                    for (&d, gwo) in delta.iter().zip(&mut grads.weights) {
                        axpy(gwo, d, x);
                    }
                }
            }
            (true, true) => {
                let mut dx = [T::zero(); I];
                set_param_grads(grads, delta, x, Self::BLOCKED);
                if Self::BLOCKED {
                    let ds = core::array::from_ref(delta);
                    backward_input(&self.weights, ds, core::array::from_mut(&mut dx));
                } else {
                    for (&d, wo) in delta.iter().zip(&self.weights) {
                        axpy(&mut dx, d, wo);
                    }
                }
                return dx;
            }
            (true, false) => set_param_grads(grads, delta, x, Self::BLOCKED),
        }
        // the first layer's `∂E/∂x`, which nobody reads
        [T::zero(); I]
    }

    /// `∂E/∂W += Δᵀ·X`, `∂E/∂b += Σ Δ`, `∂E/∂X = Δ·W`, as blocked matrix products.
    fn backward_batch(
        &self,
        xs: &[[T; I]],
        ys: &[[T; O]],
        grad_ys: &[[T; O]],
        grad_xs: Option<&mut [[T; I]]>,
        grads: &mut Self,
        workspace: &mut [T],
    ) -> Result<(), BatchError> {
        let n = xs.len();
        let dxn = grad_xs.as_ref().map_or(n, |d| d.len());
        check_batch(n, &[ys.len(), grad_ys.len(), dxn], workspace.len(), 0)?;
        if Self::BLOCKED {
            add_bias_grads(&mut grads.bias, grad_ys);
            outer_acc(&mut grads.weights, grad_ys, xs);
            if let Some(dxs) = grad_xs {
                backward_input(&self.weights, grad_ys, dxs);
            }
        } else if let Some(dxs) = grad_xs {
            for ((x, d), dx) in xs.iter().zip(grad_ys).zip(dxs) {
                *dx = self.backward(x, d, grads);
            }
        } else {
            for (x, d) in xs.iter().zip(grad_ys) {
                self.backward_with::<mode::AccumulateParams>(x, d, grads);
            }
        }
        Ok(())
    }
}

/// `∂E/∂b = 0 + δ`, `∂E/∂W = δ·xᵀ + 0`: one sample's gradients written over `grads`, the
/// bits of adding them to zeros ([`add_bias_grads`], and [`axpy`] / `outer_acc`, which
/// for one sample is `axpy` row by row). `blocked`: the weights by the kernel that picks
/// AVX2 at run time (same bits).
#[inline(always)]
fn set_param_grads<T: Scalar, const I: usize, const O: usize>(
    grads: &mut Dense<I, O, T>,
    delta: &[T; O],
    x: &[T; I],
    blocked: bool,
) {
    for (gb, &d) in grads.bias.iter_mut().zip(delta) {
        *gb = T::zero() + d;
    }
    if blocked {
        outer_set(&mut grads.weights, delta, x);
    } else {
        for (gw, &d) in grads.weights.iter_mut().zip(delta) {
            scale_into(gw, d, x);
        }
    }
}

/// `∂E/∂b += δ`, sample after sample.
#[inline(always)]
fn add_bias_grads<T: Scalar, const O: usize>(gb: &mut [T; O], deltas: &[[T; O]]) {
    for d in deltas {
        for (g, &v) in gb.iter_mut().zip(d) {
            *g = *g + v;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_shows_the_shape_and_a_few_values() {
        extern crate std;
        use std::format;
        let d = Dense::<3, 2>::new([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], [0.5, -0.5]);
        assert_eq!(
            format!("{d:?}"),
            "Dense<3, 2> { weights: 2×3 [1.0, 2.0, 3.0, 4.0, …], bias: 2 [0.5, -0.5] }"
        );
        let big = Dense::<300, 100>::default();
        assert!(format!("{big:?}").len() < 120); // not 30 100 numbers
    }

    #[test]
    fn memory_figures_are_known_at_compile_time() {
        const _: () = assert!(<Dense<2, 4> as Layer>::BYTES == 4 * (2 * 4 + 4));
        assert_eq!(<Dense<3, 2> as Layer>::PARAM_COUNT, 8);
        assert_eq!(<Dense<3, 2, f64> as Train>::CACHE_BYTES, 24);
    }
}
