//! Batch normalisation: batch statistics in batched training, running averages at
//! inference, and folding into a convolution.

use crate::Params;
use crate::batch::{BatchError, check_batch};
use crate::conv::batch_norm::{
    self as kernel, Affine, BatchStats, fold_into_conv2d, fold_into_depthwise, inference_affine,
};
use crate::layer::{Layer, Train};
use crate::layers::{Conv2d, DepthwiseConv2d, Padding};
use crate::optim::InvalidSetting;
use crate::scalar::Scalar;

/// Batch normalisation of `C` channels: each value `x` of channel `c` becomes
/// `γ·(x − μ)/√(σ² + ε) + β`. On an image, wrap it per pixel:
/// [`PerPixel<BatchNorm<C>, H, W>`](crate::PerPixel) (the statistics are then taken over
/// every pixel of every image of the batch, as PyTorch's `BatchNorm2d` takes them).
///
/// # Which path uses which statistics
///
/// | path | `μ`, `σ²` | running averages |
/// |---|---|---|
/// | batched training: [`train_step_batch`](crate::batch::train_step_batch), [`accumulate_batch`](crate::batch::accumulate_batch), [`BatchTrainer`](crate::BatchTrainer) (`Trainer::with_workspace`, `Trainer::batched`), i.e. [`forward_batch_train`](Train::forward_batch_train) / [`backward_batch_train`](Train::backward_batch_train) | the batch's own mean and **biased** variance (over `N` samples, or `N·H·W` pixels) | updated once per step, after the optimizer's step, by [`after_batch_step`](Train::after_batch_step) |
/// | inference: [`forward`](Layer::forward), [`infer`](crate::infer), [`forward_batch`](Layer::forward_batch) | the running mean and variance | unchanged |
/// | per-sample training: [`forward_train`](Train::forward_train), [`backward`](Train::backward), [`backward_batch`](Train::backward_batch), [`train_step`](crate::train_step), [`Trainer::fit`](crate::Trainer::fit) without a workspace | the running mean and variance, held fixed (only `γ`, `β` train: fine-tuning) | unchanged |
/// | [`fold_conv2d`](Self::fold_conv2d), [`fold_depthwise`](Self::fold_depthwise) | the running mean and variance | — |
///
/// **Batch statistics** (batched training): `μ = Σx/m`, `σ² = Σ(x − μ)²/m` per channel
/// over the `m` values of the batch, `x̂ = (x − μ)·1/√(σ² + ε)`, `y = γ·x̂ + β`. Backward
/// goes through `μ` and `σ²` too: `∂E/∂x = γ/(m·√(σ² + ε))·(m·g − Σg − x̂·Σg·x̂)`,
/// `∂E/∂γ += Σ g·x̂`, `∂E/∂β += Σ g`. A batch of one value per channel (batch size 1
/// on vectors) has `σ² = 0`: `x̂ = 0`, `y = β`, `∂E/∂x = 0` (defined, thanks to `ε`,
/// though it teaches nothing; PyTorch refuses such a batch).
///
/// **Running averages**, PyTorch's convention: after each step,
/// `running = (1 − momentum)·running + momentum·batch`, with the batch's **unbiased**
/// variance `σ²·m/(m − 1)` for the running variance; `momentum` is 0.1 unless set with
/// [`with_momentum`](Self::with_momentum) (Keras' `momentum = 0.99` is PyTorch's `0.01`;
/// Keras also averages the biased variance). With `m = 1` the variance has no unbiased
/// estimate and the running variance is kept (the mean still moves). Statistics that are
/// not finite are not averaged in.
///
/// **Inference:** `y = x·s + t` with `s = γ/√(σ² + ε)` and `t = β − μ·s` per channel
/// (running `μ`, `σ²`), computed in that order (TFLite's form after conversion; `s` and
/// `t` are recomputed on every call: fold the layer into the preceding convolution with
/// [`fold_conv2d`](Self::fold_conv2d) or [`fold_depthwise`](Self::fold_depthwise) where
/// speed matters).
///
/// **Per-sample training** keeps the statistics fixed: `∂E/∂β += g`,
/// `∂E/∂γ += g·(x − μ)/√(σ² + ε)`, `∂E/∂x = g·s`, the cache being the input; there
/// `forward_batch` and `backward_batch` are the per-sample methods, bit for bit.
///
/// `γ` and `β` are the parameters (initialised to 1 and 0); the running mean, running
/// variance, `ε` and the momentum are settings (`Layer::zeroed` gives 0, 1, 10⁻⁵ and
/// 0.1, PyTorch's defaults), which optimizers and the byte image do not touch.
///
/// **Workspace:** [`BATCH_WORKSPACE`](Layer::BATCH_WORKSPACE) is `2·C` scalars per
/// sample; the batched training forward keeps the batch's mean and variance in the first
/// `2·C` (the rest is unused), where its backward and `after_batch_step` read them.
///
/// ```
/// use typenet::{BatchNorm, Layer};
/// let bn = BatchNorm::<2, f64>::new([2.0, 1.0], [0.5, 0.0], [1.0, -1.0], [4.0, 0.25], 0.0)
///     .unwrap_err(); // ε must be > 0
/// let bn = BatchNorm::<2, f64>::new([2.0, 1.0], [0.5, 0.0], [1.0, -1.0], [3.75, 0.0], 0.25)?;
/// assert_eq!(bn.forward(&[3.0, 0.0]), [2.5, 2.0]);
/// # Ok::<(), typenet::InvalidSetting>(())
/// ```
///
/// Training with batch statistics, then inference with the running averages:
///
/// ```
/// use typenet::{BatchNorm, Dense, Init, Layer, Mse, Sgd, SplitMix64, batch};
/// type Net = (Dense<2, 3, f64>, BatchNorm<3, f64>, Dense<3, 1, f64>);
/// let mut net: Net = Layer::initialized(Init::XavierUniform, &mut SplitMix64::new(3));
/// net.1 = BatchNorm::default().with_momentum(0.5)?;
/// let mut grads = Net::zeroed();
/// let xs = [[0.0, 1.0], [1.0, 0.0], [2.0, 2.0], [3.0, 1.0]];
/// let ts = [[1.0], [-1.0], [0.5], [0.0]];
/// let mut ws = [0.0; batch::workspace_len::<Net>(4)];
/// let mut sgd = Sgd::new(0.05)?;
/// for _ in 0..20 {
///     batch::train_step_batch(&mut net, &mut grads, &Mse::new(), &mut sgd, &xs, &ts, &mut ws)?;
/// }
/// // the running mean follows what the first layer outputs on this data ...
/// let mean: Vec<f64> = (0..3)
///     .map(|c| xs.iter().map(|x| net.0.forward(x)[c]).sum::<f64>() / 4.0)
///     .collect();
/// for c in 0..3 {
///     assert!((net.1.running_mean()[c] - mean[c]).abs() < 0.05);
/// }
/// // ... and inference (`forward`, `infer`) normalises with it
/// let y = typenet::infer(&net, &xs[0]);
/// assert!(y[0].is_finite());
/// # Ok::<(), Box<dyn std::error::Error>>(())
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
    /// The weight of each batch in the running averages (a setting).
    #[setting(default = T::from_f64(Self::DEFAULT_MOMENTUM))]
    momentum: T,
}

impl<const C: usize, T: Scalar> BatchNorm<C, T> {
    /// `ε` unless told otherwise: 10⁻⁵, as PyTorch's `BatchNorm2d`.
    pub const DEFAULT_EPS: f64 = 1e-5;
    /// The momentum of the running averages unless told otherwise: 0.1, as PyTorch's
    /// `BatchNorm2d` (`running = 0.9·running + 0.1·batch`).
    pub const DEFAULT_MOMENTUM: f64 = 0.1;

    /// The layer from a trained model's `γ`, `β`, running mean, running variance and `ε`
    /// (momentum [`DEFAULT_MOMENTUM`](Self::DEFAULT_MOMENTUM); see
    /// [`with_momentum`](Self::with_momentum)).
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
            momentum: T::from_f64(Self::DEFAULT_MOMENTUM),
        })
    }

    /// The same layer with the running averages' momentum set to `momentum`:
    /// `running = (1 − momentum)·running + momentum·batch` after each batched training
    /// step (PyTorch's convention; 0 keeps the running statistics, 1 takes the last
    /// batch's).
    ///
    /// ```
    /// use typenet::BatchNorm;
    /// assert!(BatchNorm::<4>::default().with_momentum(0.01).is_ok());
    /// assert!(BatchNorm::<4>::default().with_momentum(1.5).is_err());
    /// assert!(BatchNorm::<4>::default().with_momentum(f32::NAN).is_err());
    /// ```
    ///
    /// # Errors
    ///
    /// [`InvalidSetting`] if `momentum` is not in `[0, 1]` (NaN is not).
    pub fn with_momentum(mut self, momentum: T) -> Result<Self, InvalidSetting> {
        if kernel::check_settings(self.eps, momentum).is_err() {
            return Err(InvalidSetting {
                name: "momentum",
                range: "in [0, 1]",
            });
        }
        self.momentum = momentum;
        Ok(self)
    }

    /// The running averages' momentum.
    pub fn momentum(&self) -> T {
        self.momentum
    }

    /// The batch statistics [`forward_batch_train`](Train::forward_batch_train) left at
    /// the start of `workspace` (the caller checked its length), for `count` values per
    /// channel. `1/√(σ² + ε)` is recomputed with the forward's expression: the same bits.
    fn stats(&self, count: usize, workspace: &[T]) -> BatchStats<T, C> {
        let mean: [T; C] = core::array::from_fn(|c| workspace[c]);
        let var: [T; C] = core::array::from_fn(|c| workspace[C + c]);
        let inv_std = var.map(|v| T::one() / (v + self.eps).sqrt());
        BatchStats {
            mean,
            var,
            inv_std,
            count,
        }
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
    /// `γ = 1`, `β = 0`, mean 0, variance 1, `ε = 10⁻⁵`, momentum 0.1: at inference
    /// almost the identity.
    fn default() -> Self {
        Self {
            gamma: [T::one(); C],
            beta: [T::zero(); C],
            running_mean: [T::zero(); C],
            running_var: [T::one(); C],
            eps: T::from_f64(Self::DEFAULT_EPS),
            momentum: T::from_f64(Self::DEFAULT_MOMENTUM),
        }
    }
}

impl<const C: usize, T: Scalar> Layer for BatchNorm<C, T> {
    type Scalar = T;
    type Input = [T; C];
    type Output = [T; C];

    /// The batch's mean and variance (`2·C` scalars), kept by
    /// [`forward_batch_train`](Train::forward_batch_train); counted per sample, since a
    /// layer's workspace is.
    const BATCH_WORKSPACE: usize = 2 * C;

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

    /// Normalises with the batch's mean and biased variance, and keeps both at the start
    /// of `workspace`. An empty batch does nothing.
    fn forward_batch_train(
        &self,
        xs: &[[T; C]],
        ys: &mut [[T; C]],
        workspace: &mut [T],
    ) -> Result<(), BatchError> {
        check_batch(
            xs.len(),
            &[ys.len()],
            workspace.len(),
            Self::BATCH_WORKSPACE,
        )?;
        // The lengths are checked and an empty batch returns here: the kernel cannot fail.
        if let Ok(stats) = kernel::forward_train(xs, &self.gamma, &self.beta, self.eps, ys) {
            workspace[..C].copy_from_slice(&stats.mean);
            workspace[C..2 * C].copy_from_slice(&stats.var);
        }
        Ok(())
    }

    /// The gradient through the batch statistics (see the type's documentation).
    fn backward_batch_train(
        &self,
        xs: &[[T; C]],
        ys: &[[T; C]],
        grad_ys: &[[T; C]],
        grad_xs: Option<&mut [[T; C]]>,
        grads: &mut Self,
        workspace: &mut [T],
    ) -> Result<(), BatchError> {
        let n = xs.len();
        let dxn = grad_xs.as_ref().map_or(n, |d| d.len());
        check_batch(
            n,
            &[ys.len(), grad_ys.len(), dxn],
            workspace.len(),
            Self::BATCH_WORKSPACE,
        )?;
        if n == 0 {
            return Ok(());
        }
        let stats = self.stats(n, workspace);
        // Lengths checked above: the kernels cannot fail.
        let _ = match grad_xs {
            Some(dxs) => kernel::backward(
                xs,
                &stats,
                &self.gamma,
                grad_ys,
                dxs,
                &mut grads.gamma,
                &mut grads.beta,
            ),
            None => kernel::backward_params(xs, &stats, grad_ys, &mut grads.gamma, &mut grads.beta),
        };
        Ok(())
    }

    /// Moves the running mean and variance toward the batch's (see the type's
    /// documentation).
    fn after_batch_step(&mut self, batch: usize, workspace: &[T]) {
        if batch == 0 || workspace.len() < 2 * C {
            return;
        }
        let stats = self.stats(batch, workspace);
        let finite = |v: &[T; C]| v.iter().all(|x| x.is_finite());
        if finite(&stats.mean) && finite(&stats.var) {
            kernel::update_running(
                &mut self.running_mean,
                &mut self.running_var,
                &stats,
                self.momentum,
            );
        }
    }
}
