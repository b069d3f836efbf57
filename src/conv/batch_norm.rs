//! Batch normalisation per channel, in the three forms a layer needs.
//!
//! The values of one channel are every row of `x: &[[T; C]]`: for a batch of images
//! `[[[[T; C]; W]; H]]` that is all `N·H·W` pixels (`as_flattened()` twice), for a batch of
//! vectors all `N` samples. With `m` rows:
//!
//! ```text
//! training:   μ = Σ x / m,   σ² = Σ (x − μ)² / m   (biased, over this batch)
//!             x̂ = (x − μ) · 1/√(σ² + ε),   y = γ·x̂ + β
//! backward:   ∂E/∂β += Σ g,   ∂E/∂γ += Σ g·x̂
//!             ∂E/∂x  = γ/(m·√(σ² + ε)) · (m·g − Σ g − x̂ · Σ g·x̂)
//! running:    μ_r ← (1 − momentum)·μ_r + momentum·μ
//!             σ²_r ← (1 − momentum)·σ²_r + momentum·σ²·m/(m − 1)   (unbiased, PyTorch's rule)
//! inference:  y = x·s + t   with  s = γ/√(σ²_r + ε),  t = β − μ_r·s
//! folding:    a convolution w, b followed by inference becomes w' = w·s, b' = b·s + t
//!             (per output channel; equal in real arithmetic, not bit for bit)
//! ```
//!
//! The batched training path uses the batch statistics (and updates the running ones);
//! inference, and a network exported for firmware, uses the running ones, folded into the
//! preceding convolution where there is one.
//!
//! The `∂E/∂x` formula follows from `x̂` depending on every value of the channel through
//! `μ` and `σ²`: `∂x̂_j/∂x_i = (δ_ij − 1/m − x̂_i·x̂_j/m) / √(σ² + ε)`; summing
//! `g_j·γ·∂x̂_j/∂x_i` over `j` gives the line above.
//!
//! Orders of additions: every sum over rows runs in row order, one accumulator per
//! channel; the expressions are evaluated exactly as written above, left to right.

use crate::scalar::Scalar;

/// Bad input to the batch statistics, reported before anything is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BatchNormError {
    /// No values at all: the statistics are undefined. (One value per channel is
    /// allowed: its variance is 0, `x̂` is 0, so `y = β`; PyTorch refuses it.)
    TooFewValues {
        /// Values per channel received.
        got: usize,
    },
    /// Input and output (or gradient) runs of different lengths.
    Lengths,
    /// `ε` not finite and positive, or `momentum` not in `[0, 1]`.
    Settings,
}

/// What the training forward pass measured, per channel, for the backward pass and the
/// running averages.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct BatchStats<T, const C: usize> {
    /// `μ`.
    pub(crate) mean: [T; C],
    /// `σ²` (biased: divided by `m`).
    pub(crate) var: [T; C],
    /// `1/√(σ² + ε)`.
    pub(crate) inv_std: [T; C],
    /// `m`, the values per channel.
    pub(crate) count: usize,
}

/// Checks `ε` (finite, > 0) and `momentum` (in `[0, 1]`).
pub(crate) fn check_settings<T: Scalar>(eps: T, momentum: T) -> Result<(), BatchNormError> {
    let eps_ok = eps.is_finite() && eps > T::zero();
    let momentum_ok = momentum >= T::zero() && momentum <= T::one();
    if eps_ok && momentum_ok {
        Ok(())
    } else {
        Err(BatchNormError::Settings)
    }
}

/// Training forward: batch statistics, then `y = γ·x̂ + β`. Writes `y` only when it
/// returns `Ok`.
pub(crate) fn forward_train<T: Scalar, const C: usize>(
    x: &[[T; C]],
    gamma: &[T; C],
    beta: &[T; C],
    eps: T,
    y: &mut [[T; C]],
) -> Result<BatchStats<T, C>, BatchNormError> {
    let m = x.len();
    if m < 1 {
        return Err(BatchNormError::TooFewValues { got: m });
    }
    if y.len() != m {
        return Err(BatchNormError::Lengths);
    }
    let mt = T::from_usize(m);
    let mut sum = [T::zero(); C];
    for row in x {
        for (s, &v) in sum.iter_mut().zip(row) {
            *s = *s + v;
        }
    }
    let mean = sum.map(|s| s / mt);
    let mut sq = [T::zero(); C];
    for row in x {
        for c in 0..C {
            let d = row[c] - mean[c];
            sq[c] = sq[c] + d * d;
        }
    }
    let var = sq.map(|s| s / mt);
    let inv_std = var.map(|v| T::one() / (v + eps).sqrt());
    for (y_row, x_row) in y.iter_mut().zip(x) {
        for c in 0..C {
            let x_hat = (x_row[c] - mean[c]) * inv_std[c];
            y_row[c] = gamma[c] * x_hat + beta[c];
        }
    }
    Ok(BatchStats {
        mean,
        var,
        inv_std,
        count: m,
    })
}

/// Training backward: overwrites `dx`, adds to `dgamma` and `dbeta`. `x` and `stats` are
/// the forward pass's.
pub(crate) fn backward<T: Scalar, const C: usize>(
    x: &[[T; C]],
    stats: &BatchStats<T, C>,
    gamma: &[T; C],
    g: &[[T; C]],
    dx: &mut [[T; C]],
    dgamma: &mut [T; C],
    dbeta: &mut [T; C],
) -> Result<(), BatchNormError> {
    let m = x.len();
    if g.len() != m || dx.len() != m || stats.count != m {
        return Err(BatchNormError::Lengths);
    }
    let x_hat = |row: &[T; C], c: usize| (row[c] - stats.mean[c]) * stats.inv_std[c];
    let (sum_g, sum_gx) = sums(x, stats, g);
    for c in 0..C {
        dbeta[c] = dbeta[c] + sum_g[c];
        dgamma[c] = dgamma[c] + sum_gx[c];
    }
    let mt = T::from_usize(m);
    let k: [T; C] = core::array::from_fn(|c| gamma[c] * stats.inv_std[c] / mt);
    for ((dx_row, x_row), g_row) in dx.iter_mut().zip(x).zip(g) {
        for c in 0..C {
            dx_row[c] = k[c] * ((mt * g_row[c] - sum_g[c]) - x_hat(x_row, c) * sum_gx[c]);
        }
    }
    Ok(())
}

/// `Σ g` and `Σ g·x̂` per channel, in row order.
fn sums<T: Scalar, const C: usize>(
    x: &[[T; C]],
    stats: &BatchStats<T, C>,
    g: &[[T; C]],
) -> ([T; C], [T; C]) {
    let mut sum_g = [T::zero(); C];
    let mut sum_gx = [T::zero(); C];
    for (x_row, g_row) in x.iter().zip(g) {
        for c in 0..C {
            sum_g[c] = sum_g[c] + g_row[c];
            sum_gx[c] = sum_gx[c] + g_row[c] * ((x_row[c] - stats.mean[c]) * stats.inv_std[c]);
        }
    }
    (sum_g, sum_gx)
}

/// [`backward`] without `∂E/∂x`: adds to `dgamma` and `dbeta` only (the same bits).
pub(crate) fn backward_params<T: Scalar, const C: usize>(
    x: &[[T; C]],
    stats: &BatchStats<T, C>,
    g: &[[T; C]],
    dgamma: &mut [T; C],
    dbeta: &mut [T; C],
) -> Result<(), BatchNormError> {
    if g.len() != x.len() || stats.count != x.len() {
        return Err(BatchNormError::Lengths);
    }
    let (sum_g, sum_gx) = sums(x, stats, g);
    for c in 0..C {
        dbeta[c] = dbeta[c] + sum_g[c];
        dgamma[c] = dgamma[c] + sum_gx[c];
    }
    Ok(())
}

/// Moves the running averages toward this batch's statistics (the variance unbiased:
/// `σ²·m/(m − 1)`). With a single value per channel (`m = 1`) the unbiased variance is
/// undefined and says nothing about the spread: the running variance is then kept, and
/// only the mean moves.
pub(crate) fn update_running<T: Scalar, const C: usize>(
    running_mean: &mut [T; C],
    running_var: &mut [T; C],
    stats: &BatchStats<T, C>,
    momentum: T,
) {
    let m = T::from_usize(stats.count);
    let unbias = m / (m - T::one());
    let keep = T::one() - momentum;
    for c in 0..C {
        running_mean[c] = keep * running_mean[c] + momentum * stats.mean[c];
        if stats.count >= 2 {
            running_var[c] = keep * running_var[c] + momentum * (stats.var[c] * unbias);
        }
    }
}

/// Inference as an affine map per channel, `y = x·scale + shift`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Affine<T, const C: usize> {
    /// `s = γ/√(σ²_r + ε)`.
    pub(crate) scale: [T; C],
    /// `t = β − μ_r·s`.
    pub(crate) shift: [T; C],
}

/// The inference map from the learned `γ`, `β` and the running statistics.
pub(crate) fn inference_affine<T: Scalar, const C: usize>(
    gamma: &[T; C],
    beta: &[T; C],
    running_mean: &[T; C],
    running_var: &[T; C],
    eps: T,
) -> Affine<T, C> {
    let scale: [T; C] = core::array::from_fn(|c| gamma[c] / (running_var[c] + eps).sqrt());
    let shift = core::array::from_fn(|c| beta[c] - running_mean[c] * scale[c]);
    Affine { scale, shift }
}

/// Inference: `y = x·s + t` per channel, row by row (`x` and `y` of one length).
pub(crate) fn forward_infer<T: Scalar, const C: usize>(
    x: &[[T; C]],
    f: &Affine<T, C>,
    y: &mut [[T; C]],
) {
    debug_assert_eq!(x.len(), y.len());
    for (y_row, x_row) in y.iter_mut().zip(x) {
        for c in 0..C {
            y_row[c] = x_row[c] * f.scale[c] + f.shift[c];
        }
    }
}

/// Folds inference into a preceding [`conv2d`](super::conv2d) (`[O][KH][KW][C]` weights):
/// `w[o] ← w[o]·s[o]`, `b[o] ← b[o]·s[o] + t[o]`.
pub(crate) fn fold_into_conv2d<
    T: Scalar,
    const C: usize,
    const KH: usize,
    const KW: usize,
    const O: usize,
>(
    w: &mut [[[[T; C]; KW]; KH]; O],
    b: &mut [T; O],
    f: &Affine<T, O>,
) {
    for o in 0..O {
        for v in w[o].as_flattened_mut().as_flattened_mut() {
            *v = *v * f.scale[o];
        }
        b[o] = b[o] * f.scale[o] + f.shift[o];
    }
}

/// Folds inference into a preceding [`conv1d`](super::conv1d) (`[O][K][C]` weights).
pub(crate) fn fold_into_conv1d<T: Scalar, const C: usize, const K: usize, const O: usize>(
    w: &mut [[[T; C]; K]; O],
    b: &mut [T; O],
    f: &Affine<T, O>,
) {
    for o in 0..O {
        for v in w[o].as_flattened_mut() {
            *v = *v * f.scale[o];
        }
        b[o] = b[o] * f.scale[o] + f.shift[o];
    }
}

/// Folds inference into a preceding [`depthwise`](super::depthwise) convolution
/// (`[KH][KW][C·M]` weights: the output channel is the last index).
pub(crate) fn fold_into_depthwise<T: Scalar, const CM: usize, const KH: usize, const KW: usize>(
    w: &mut [[[T; CM]; KW]; KH],
    b: &mut [T; CM],
    f: &Affine<T, CM>,
) {
    for tap in w.as_flattened_mut() {
        for (v, &s) in tap.iter_mut().zip(&f.scale) {
            *v = *v * s;
        }
    }
    for q in 0..CM {
        b[q] = b[q] * f.scale[q] + f.shift[q];
    }
}
