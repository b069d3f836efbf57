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
    /// The weight limit and bias limit for a layer with these fan-in and fan-out.
    pub fn limits(self, fan_in: usize, fan_out: usize) -> (f64, f64) {
        let fi = fan_in.max(1) as f64;
        let fo = fan_out as f64;
        match self {
            Init::Uniform => {
                let l = 1.0 / libm::sqrt(fi);
                (l, l)
            }
            Init::XavierUniform => (libm::sqrt(6.0 / (fi + fo)), 0.0),
            Init::HeUniform => (libm::sqrt(6.0 / fi), 0.0),
        }
    }
}

/// Draws from `U(−limit, limit)` using the top 53 bits of one `u64`.
pub fn uniform<T: Scalar, R: Rng + ?Sized>(rng: &mut R, limit: f64) -> T {
    T::from_f64((unit_f64(rng) * 2.0 - 1.0) * limit)
}

/// Draws from `U(0, 1)` using the top 53 bits of one `u64`.
pub fn unit_f64<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// Fills `dst` from `U(−limit, limit)`.
pub fn fill_uniform<T: Scalar, R: Rng + ?Sized>(dst: &mut [T], limit: f64, rng: &mut R) {
    for v in dst {
        *v = uniform(rng, limit);
    }
}
