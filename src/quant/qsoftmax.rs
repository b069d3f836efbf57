//! The int8 softmax layer.

use super::softmax::{SoftmaxParams, softmax};
use super::{QLayer, QuantError, QuantParams};

/// Softmax over `N` codes in int8: TensorFlow Lite's `SOFTMAX` bit for bit, in gemmlowp
/// fixed point (a polynomial `exp` on `[−¼, 0)` and a barrel of constant factors, a
/// Newton–Raphson reciprocal of the sum).
///
/// `y_i = exp(β·(x_i − max x)) / Σ_j exp(β·(x_j − max x))`. Only differences of the input
/// codes matter, so only the input's scale is used. The output's quantization is fixed,
/// as in TFLite: [`OUTPUT`](Self::OUTPUT), scale 1/256 and zero point −128 (code −128 is
/// 0, code 127 is 255/256).
///
/// ```
/// use typenet::quant::{QLayer, QSoftmax, QuantParams};
/// let softmax = QSoftmax::<3>::new(QuantParams::new(0.1, 0)?, 1.0)?;
/// let y = softmax.forward(&[10, 10, -128]); // e^1, e^1, e^−12.8
/// assert_eq!(y, [0, 0, -128]); // ½ and ½ (code 0 is 128/256), ~0
/// # Ok::<(), typenet::quant::QuantError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QSoftmax<const N: usize> {
    params: SoftmaxParams,
}

impl<const N: usize> QSoftmax<N> {
    /// The output's parameters: scale 1/256, zero point −128.
    pub const OUTPUT: QuantParams = QuantParams {
        scale: 1.0 / 256.0,
        zero_point: -128,
    };

    /// Softmax of inputs quantized with `input`, with inverse temperature `beta` (1 for
    /// the usual softmax).
    ///
    /// # Errors
    /// [`QuantError::Beta`] for a beta that is not finite and positive;
    /// [`QuantError::Multiplier`] when `β · s_in · 2^26 ≤ 1` (TFLite refuses it too:
    /// an input step too small for its fixed point).
    pub fn new(input: QuantParams, beta: f32) -> Result<Self, QuantError> {
        Ok(Self {
            params: SoftmaxParams::new(input.scale, beta)?,
        })
    }
}

impl<const N: usize> QLayer for QSoftmax<N> {
    type Input = [i8; N];
    type Output = [i8; N];

    #[inline]
    fn forward(&self, x: &[i8; N]) -> [i8; N] {
        let mut y = [[0; N]];
        softmax(&self.params, core::array::from_ref(x), &mut y);
        let [y] = y;
        y
    }
}
