//! A finite-difference gradient check, public so that custom layers can be checked too.

use crate::layer::{Layer, Train};
use crate::loss::Loss;
use crate::scalar::{Scalar, Vector};
use num_traits::{One as _, Zero as _};

/// The result of [`check_gradients`].
///
/// Errors are *scaled*: `|analytic − numeric| / max(1, |analytic|, |numeric|)`, an absolute
/// error for small gradients and a relative one for large gradients.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GradCheck<T> {
    /// The largest scaled error over all parameters.
    pub max_param_error: T,
    /// The largest scaled error over the input gradient `∂E/∂x`.
    pub max_input_error: T,
    /// The index (in [`Layer::visit_params`] order) of the worst parameter, if any.
    pub worst_param: Option<usize>,
    /// How many parameter and input derivatives were compared.
    pub checked: usize,
}

impl<T: Scalar> GradCheck<T> {
    /// The largest scaled error of all.
    pub fn max_error(&self) -> T {
        self.max_param_error.max(self.max_input_error)
    }
}

/// Compares backpropagation's gradients with central finite differences.
///
/// For every parameter `w` (and every input `xᵢ`), the numeric derivative is
/// `(E(w + ε) − E(w − ε)) / 2ε`, computed with two forward passes; the analytic one comes
/// from one [`Train::backward`]. `net` is perturbed one parameter at a time and restored
/// exactly, so it is unchanged afterwards. The cost is two forward passes per parameter.
///
/// Good step sizes: `ε ≈ 1e-6` in `f64` (errors near 1e-9), `ε ≈ 1e-2` in `f32`
/// (errors near 1e-3). Near a kink (a ReLU at 0, a step) finite differences are wrong,
/// not backpropagation: keep inputs away from kinks.
///
/// ```
/// use typenet::{Dense, Init, Layer, Mse, Sigmoid, SplitMix64, check_gradients};
/// type Net = (Dense<3, 2, f64>, Sigmoid<2, f64>);
/// let mut net: Net = Layer::initialized(Init::Uniform, &mut SplitMix64::new(3));
/// let report = check_gradients(&mut net, &Mse::new(), &[0.1, -0.4, 0.9], &[1.0, 0.0], 1e-6);
/// assert!(report.max_error() < 1e-8);
/// ```
pub fn check_gradients<N, L>(
    net: &mut N,
    loss: &L,
    x: &N::Input,
    target: &L::Target,
    eps: N::Scalar,
) -> GradCheck<N::Scalar>
where
    N: Train,
    L: Loss<N::Output, Scalar = N::Scalar>,
{
    let zero = N::Scalar::zero();
    let two = N::Scalar::one() + N::Scalar::one();

    let mut grads = N::zeroed();
    let (y, cache) = net.forward_train(x);
    let dy = loss.gradient(&y, target);
    let dx = net.backward(&cache, &dy, &mut grads);

    let mut report = GradCheck {
        max_param_error: zero,
        max_input_error: zero,
        worst_param: None,
        checked: 0,
    };
    let eval = |net: &N, x: &N::Input| loss.loss(&net.forward(x), target);

    for k in 0..N::PARAM_COUNT {
        let orig = param_at(net, k);
        set_param_at(net, k, orig + eps);
        let plus = eval(net, x);
        set_param_at(net, k, orig - eps);
        let minus = eval(net, x);
        set_param_at(net, k, orig);
        let err = scaled_error(param_at(&grads, k), (plus - minus) / (two * eps));
        if report.worst_param.is_none() || err > report.max_param_error {
            report.max_param_error = err;
            report.worst_param = Some(k);
        }
        report.checked += 1;
    }

    let mut xp = *x;
    for i in 0..N::Input::LEN {
        let orig = xp.as_slice()[i];
        xp.as_mut_slice()[i] = orig + eps;
        let plus = eval(net, &xp);
        xp.as_mut_slice()[i] = orig - eps;
        let minus = eval(net, &xp);
        xp.as_mut_slice()[i] = orig;
        let err = scaled_error(dx.as_slice()[i], (plus - minus) / (two * eps));
        report.max_input_error = num_traits::Float::max(report.max_input_error, err);
        report.checked += 1;
    }
    report
}

fn scaled_error<T: Scalar>(analytic: T, numeric: T) -> T {
    let scale = T::one().max(analytic.abs()).max(numeric.abs());
    (analytic - numeric).abs() / scale
}

/// The `k`-th parameter in [`Layer::visit_params`] order (zero if out of range).
pub fn param_at<N: Layer>(net: &N, k: usize) -> N::Scalar {
    let mut offset = 0;
    let mut out = N::Scalar::zero();
    net.visit_params(&mut |p| {
        if let Some(v) = k.checked_sub(offset).and_then(|i| p.get(i)) {
            out = *v;
        }
        offset += p.len();
    });
    out
}

/// Sets the `k`-th parameter in [`Layer::visit_params`] order (no effect if out of range).
pub fn set_param_at<N: Layer>(net: &mut N, k: usize, value: N::Scalar) {
    let mut offset = 0;
    net.visit_params_mut(&mut |p| {
        if let Some(v) = k.checked_sub(offset).and_then(|i| p.get_mut(i)) {
            *v = value;
        }
        offset += p.len();
    });
}
