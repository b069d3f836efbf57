//! Batch normalisation at inference time, and folding it into a convolution.

use crate::Params;
use crate::conv::batch_norm::{Affine, fold_into_conv2d, fold_into_depthwise, inference_affine};
use crate::layer::{Layer, Train};
use crate::layers::{Conv2d, DepthwiseConv2d, Padding};
use crate::optim::InvalidSetting;
use crate::scalar::Scalar;

/// Batch normalisation of `C` channels with fixed statistics (inference form): each value
/// `x` of channel `c` becomes `γ·(x − μ)/√(σ² + ε) + β`, with `μ`, `σ²` the running mean
/// and variance a training run recorded. On an image, wrap it per pixel:
/// [`PerPixel<BatchNorm<C>, H, W>`](crate::PerPixel).
///
/// **Forward:** `y = x·s + t` with `s = γ/√(σ² + ε)` and `t = β − μ·s` per channel,
/// computed in that order (TFLite's form after conversion; `s` and `t` are recomputed on
/// every call: fold the layer into the preceding convolution with
/// [`fold_conv2d`](Self::fold_conv2d) or [`fold_depthwise`](Self::fold_depthwise) where
/// speed matters).
///
/// **Training** trains `γ` and `β` with the statistics held fixed (fine-tuning a
/// normalised network): `∂E/∂β += g`, `∂E/∂γ += g·(x − μ)/√(σ² + ε)`, `∂E/∂x = g·s`. The
/// cache is the input. Because the statistics do not depend on the batch,
/// `forward_batch` is the per-sample forward, bit for bit. Normalising with each batch's
/// own statistics (and updating the running ones) is not offered: it needs a batched
/// forward that changes the layer, see docs/convolutions.md.
///
/// `γ` and `β` are the parameters (initialised to 1 and 0); the running mean, running
/// variance and `ε` are settings (`Layer::zeroed` gives 0, 1 and 10⁻⁵, PyTorch's
/// defaults), which optimizers do not touch.
///
/// ```
/// use typenet::{BatchNorm, Layer};
/// let bn = BatchNorm::<2, f64>::new([2.0, 1.0], [0.5, 0.0], [1.0, -1.0], [4.0, 0.25], 0.0)
///     .unwrap_err(); // ε must be > 0
/// let bn = BatchNorm::<2, f64>::new([2.0, 1.0], [0.5, 0.0], [1.0, -1.0], [3.75, 0.0], 0.25)?;
/// assert_eq!(bn.forward(&[3.0, 0.0]), [2.5, 2.0]);
/// # Ok::<(), typenet::InvalidSetting>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Params)]
#[params(scalar = T)]
pub struct BatchNorm<const C: usize, T = f32> {
    /// `γ`: the scale per channel.
    #[param(init = one)]
    pub gamma: [T; C],
    /// `β`: the shift per channel.
    #[param(init = zero)]
    pub beta: [T; C],
    /// `μ`: the running mean per channel (a setting, not trained).
    #[setting(default = [T::zero(); C])]
    running_mean: [T; C],
    /// `σ²`: the running variance per channel (a setting, not trained).
    #[setting(default = [T::one(); C])]
    running_var: [T; C],
    /// `ε`, added to the variance.
    #[setting(default = T::from_f64(Self::DEFAULT_EPS))]
    eps: T,
}

impl<const C: usize, T: Scalar> BatchNorm<C, T> {
    /// `ε` unless told otherwise: 10⁻⁵, as PyTorch's `BatchNorm2d`.
    pub const DEFAULT_EPS: f64 = 1e-5;

    /// The layer from a trained model's `γ`, `β`, running mean, running variance and `ε`.
    ///
    /// # Errors
    ///
    /// [`InvalidSetting`] if `ε` is not finite and > 0, a running variance is not finite
    /// and ≥ 0, or any other value is not finite.
    pub fn new(
        gamma: [T; C],
        beta: [T; C],
        running_mean: [T; C],
        running_var: [T; C],
        eps: T,
    ) -> Result<Self, InvalidSetting> {
        let finite = |v: &[T; C]| v.iter().all(|x| x.is_finite());
        if !(eps.is_finite() && eps > T::zero()) {
            return Err(InvalidSetting {
                name: "ε",
                range: "finite and > 0",
            });
        }
        if !(finite(&running_var) && running_var.iter().all(|&v| v >= T::zero())) {
            return Err(InvalidSetting {
                name: "running variance",
                range: "finite and ≥ 0",
            });
        }
        if !(finite(&gamma) && finite(&beta) && finite(&running_mean)) {
            return Err(InvalidSetting {
                name: "γ, β and running mean",
                range: "finite",
            });
        }
        Ok(Self {
            gamma,
            beta,
            running_mean,
            running_var,
            eps,
        })
    }

    /// The running mean `μ`.
    pub fn running_mean(&self) -> &[T; C] {
        &self.running_mean
    }

    /// The running variance `σ²`.
    pub fn running_var(&self) -> &[T; C] {
        &self.running_var
    }

    /// `ε`.
    pub fn eps(&self) -> T {
        self.eps
    }

    /// `s` and `t` of `y = x·s + t`.
    fn affine(&self) -> Affine<T, C> {
        inference_affine(
            &self.gamma,
            &self.beta,
            &self.running_mean,
            &self.running_var,
            self.eps,
        )
    }

    /// The convolution `conv` followed by this layer, as one convolution: filter `o`'s
    /// weights times `s[o]`, its bias `b[o]·s[o] + t[o]`. Equal to the pair in real
    /// arithmetic; in floating point within a few rounding errors of it (not bit for bit).
    ///
    /// ```
    /// use typenet::{BatchNorm, Conv2d, Init, Layer, PerPixel, Same, SplitMix64};
    /// let conv: Conv2d<4, 4, 1, 2, 3, 3, 1, 1, Same, 4, 4, f64> =
    ///     Layer::initialized(Init::HeUniform, &mut SplitMix64::new(1));
    /// let bn = BatchNorm::new([1.5, 0.5], [0.1, -0.2], [0.3, -0.1], [2.0, 0.5], 1e-5)?;
    /// let x = [[[0.5]; 4]; 4];
    /// let two = PerPixel::<_, 4, 4>::new(bn).forward(&conv.forward(&x));
    /// let one = bn.fold_conv2d(&conv).forward(&x);
    /// assert!(two.as_flattened().as_flattened().iter()
    ///     .zip(one.as_flattened().as_flattened())
    ///     .all(|(a, b)| (a - b).abs() <= 1e-12));
    /// # Ok::<(), typenet::InvalidSetting>(())
    /// ```
    #[allow(clippy::type_complexity)]
    pub fn fold_conv2d<
        const H: usize,
        const W: usize,
        const CI: usize,
        const KH: usize,
        const KW: usize,
        const SH: usize,
        const SW: usize,
        P: Padding,
        const OH: usize,
        const OW: usize,
    >(
        &self,
        conv: &Conv2d<H, W, CI, C, KH, KW, SH, SW, P, OH, OW, T>,
    ) -> Conv2d<H, W, CI, C, KH, KW, SH, SW, P, OH, OW, T> {
        let mut out = Conv2d::new(conv.weights, conv.bias);
        fold_into_conv2d(&mut out.weights, &mut out.bias, &self.affine());
        out
    }

    /// The depthwise convolution `conv` followed by this layer, as one depthwise
    /// convolution (output channel `q` scaled by `s[q]`, its bias `b[q]·s[q] + t[q]`).
    /// Equal to the pair in real arithmetic, not bit for bit.
    #[allow(clippy::type_complexity)]
    pub fn fold_depthwise<
        const H: usize,
        const W: usize,
        const CI: usize,
        const M: usize,
        const KH: usize,
        const KW: usize,
        const SH: usize,
        const SW: usize,
        P: Padding,
        const OH: usize,
        const OW: usize,
    >(
        &self,
        conv: &DepthwiseConv2d<H, W, CI, M, KH, KW, SH, SW, P, OH, OW, C, T>,
    ) -> DepthwiseConv2d<H, W, CI, M, KH, KW, SH, SW, P, OH, OW, C, T> {
        let mut out = DepthwiseConv2d::new(conv.weights, conv.bias);
        fold_into_depthwise(&mut out.weights, &mut out.bias, &self.affine());
        out
    }
}

impl<const C: usize, T: Scalar> Default for BatchNorm<C, T> {
    /// `γ = 1`, `β = 0`, mean 0, variance 1, `ε = 10⁻⁵`: almost the identity.
    fn default() -> Self {
        Self {
            gamma: [T::one(); C],
            beta: [T::zero(); C],
            running_mean: [T::zero(); C],
            running_var: [T::one(); C],
            eps: T::from_f64(Self::DEFAULT_EPS),
        }
    }
}

impl<const C: usize, T: Scalar> Layer for BatchNorm<C, T> {
    type Scalar = T;
    type Input = [T; C];
    type Output = [T; C];

    #[inline]
    fn forward(&self, x: &[T; C]) -> [T; C] {
        let f = self.affine();
        core::array::from_fn(|c| x[c] * f.scale[c] + f.shift[c])
    }
}

impl<const C: usize, T: Scalar> Train for BatchNorm<C, T> {
    type Cache = [T; C];

    #[inline]
    fn forward_train(&self, x: &[T; C]) -> ([T; C], [T; C]) {
        (self.forward(x), *x)
    }

    #[inline]
    fn backward(&self, x: &[T; C], g: &[T; C], grads: &mut Self) -> [T; C] {
        let f = self.affine();
        for c in 0..C {
            let x_hat = (x[c] - self.running_mean[c]) / (self.running_var[c] + self.eps).sqrt();
            grads.beta[c] = grads.beta[c] + g[c];
            grads.gamma[c] = grads.gamma[c] + g[c] * x_hat;
        }
        core::array::from_fn(|c| g[c] * f.scale[c])
    }
}
