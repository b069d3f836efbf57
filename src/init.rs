//! Weight initialisation schemes, deterministic from a caller-supplied RNG.

use crate::scalar::Scalar;
use rand_core::Rng;

/// How [`Layer::init_params`](crate::Layer::init_params) draws parameters.
///
/// Every scheme draws from a uniform distribution `U(−limit, limit)`; `fan_in` and
/// `fan_out` are a layer's input and output sizes. The draw is deterministic: the same
/// RNG state always gives the same network, and nothing global is read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Init {
    /// Weights and biases from `U(−1/√fan_in, 1/√fan_in)`: the default of PyTorch's
    /// `nn.Linear`, a good choice for sigmoid and tanh networks.
    #[default]
    Uniform,
    /// Xavier/Glorot uniform: weights from `U(−√(6/(fan_in+fan_out)), +…)`, biases zero.
    /// Keeps the activations' variance steady through tanh and sigmoid layers.
    XavierUniform,
    /// He/Kaiming uniform: weights from `U(−√(6/fan_in), +…)`, biases zero.
    /// The usual choice in front of ReLU.
    HeUniform,
}

impl Init {
    /// The weight limit and bias limit for a layer with these fan-in and fan-out, computed
    /// in the layer's own scalar type.
    pub fn limits<T: Scalar>(self, fan_in: usize, fan_out: usize) -> (T, T) {
        let fi = T::from_usize(fan_in.max(1));
        let fo = T::from_usize(fan_out);
        let six = T::from_usize(6);
        match self {
            Init::Uniform => {
                let l = fi.sqrt().recip();
                (l, l)
            }
            Init::XavierUniform => ((six / (fi + fo)).sqrt(), T::zero()),
            Init::HeUniform => ((six / fi).sqrt(), T::zero()),
        }
    }
}

/// Draws from `U(−limit, limit)` (see [`Scalar::unit`] for the bits used).
pub fn uniform<T: Scalar, R: Rng + ?Sized>(rng: &mut R, limit: T) -> T {
    (T::unit(rng) * (T::one() + T::one()) - T::one()) * limit
}

/// Draws from `U(0, 1)` in `f64`, using the top 53 bits of one `u64`. For examples and
/// tests that need host-side random data; initialisation uses [`Scalar::unit`].
pub fn unit_f64<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    f64::unit(rng)
}

/// Fills `dst` from `U(−limit, limit)`.
pub fn fill_uniform<T: Scalar, R: Rng + ?Sized>(dst: &mut [T], limit: T, rng: &mut R) {
    for v in dst {
        *v = uniform(rng, limit);
    }
}
