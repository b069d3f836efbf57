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
/// // the same layer from its prepared parts, as a constant
/// const PREPARED: Result<QSoftmax<3>, typenet::quant::QuantError> =
///     QSoftmax::from_prepared(1_717_986_944, 23, -248);
/// assert_eq!(PREPARED, Ok(softmax));
/// assert_eq!(softmax.prepared(), (1_717_986_944, 23, -248));
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

    /// The layer from parts already prepared (what [`prepared`](Self::prepared)
    /// returns): the Q31 multiplier of `β · s_in · 2^26`, its left shift, and the most
    /// negative input difference that still counts. No floating point, and a `const fn`,
    /// so an imported network can be a `static`.
    ///
    /// # Errors
    /// [`QuantError::Prepared`] for a multiplier outside `[2^30, 2^31)`, a shift outside
    /// 0..=31 or a positive `diff_min`.
    pub const fn from_prepared(
        input_multiplier: i32,
        input_left_shift: i32,
        diff_min: i32,
    ) -> Result<Self, QuantError> {
        if input_multiplier < 1 << 30
            || input_left_shift < 0
            || input_left_shift > 31
            || diff_min > 0
        {
            return Err(QuantError::Prepared);
        }
        Ok(Self {
            params: SoftmaxParams {
                input_multiplier,
                input_left_shift,
                diff_min,
            },
        })
    }

    /// The prepared parts: `(input_multiplier, input_left_shift, diff_min)`.
    pub const fn prepared(&self) -> (i32, i32, i32) {
        (
            self.params.input_multiplier,
            self.params.input_left_shift,
            self.params.diff_min,
        )
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
