//! The int8 element-wise sum.

use super::add::{AddParams, add};
use super::{Activation, QLayer, QuantError, QuantParams};

/// The element-wise sum of two int8 tensors of `N` values (a residual connection):
/// TensorFlow Lite's `ADD` bit for bit, with a fused ReLU/ReLU6 clamp.
///
/// Its input is the pair of tensors. Each is rescaled to a common scale (twice the
/// larger input scale) with 20 bits of headroom, the two are added, and the sum is
/// requantized to the output's scale, all with Q31 multipliers.
///
/// ```
/// use typenet::quant::{Activation, QAdd, QLayer, QuantParams};
/// let a = QuantParams::new(0.5, 0)?;
/// let b = QuantParams::new(0.25, 10)?;
/// let add = QAdd::<2>::new(a, b, QuantParams::new(1.0, 0)?, Activation::None)?;
/// // [1.5, −2] + [0.5, 1] = [2, −1]
/// assert_eq!(add.forward(&([3, -4], [12, 14])), [2, -1]);
/// # Ok::<(), typenet::quant::QuantError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QAdd<const N: usize> {
    params: AddParams,
}

impl<const N: usize> QAdd<N> {
    /// The sum of a tensor quantized with `a` and one quantized with `b`, into `output`.
    ///
    /// # Errors
    /// [`QuantError::Multiplier`] if the output scale is below `2·max(s_a, s_b) / 2^20`
    /// (TFLite's limit).
    pub fn new(
        a: QuantParams,
        b: QuantParams,
        output: QuantParams,
        activation: Activation,
    ) -> Result<Self, QuantError> {
        Ok(Self {
            params: AddParams::new(
                (a.scale, a.zero_point),
                (b.scale, b.zero_point),
                (output.scale, output.zero_point),
                activation,
            )?,
        })
    }
}

impl<const N: usize> QLayer for QAdd<N> {
    type Input = ([i8; N], [i8; N]);
    type Output = [i8; N];

    #[inline]
    fn forward(&self, (a, b): &([i8; N], [i8; N])) -> [i8; N] {
        let mut y = [0; N];
        add(&self.params, a, b, &mut y);
        y
    }
}
