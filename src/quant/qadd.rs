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

/// A residual connection in int8: `y = x + block(x)`, the sum a [`QAdd`] of the block's
/// input and output (ResNet's skip connection, MobileNetV2's inverted residual).
///
/// ```
/// use typenet::quant::{Activation, QLayer, QResidual, QTable, QuantParams};
/// let x = QuantParams::new(0.1, 0)?;
/// // the block doubles its input (codes 0.1 apart in, 0.2 apart out)
/// let double = QTable::<2>::from_fn(x, QuantParams::new(0.2, 0)?, |v| 2.0 * v)?;
/// let out = QuantParams::new(0.3, 0)?;
/// let residual = QResidual::new(double, x, QuantParams::new(0.2, 0)?, out, Activation::None)?;
/// // x + 2x = 3x: codes of 0.1 in, codes of 0.3 out
/// assert_eq!(residual.forward(&[10, -40]), [10, -40]);
/// # Ok::<(), typenet::quant::QuantError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QResidual<B, const N: usize> {
    block: B,
    add: QAdd<N>,
}

impl<B, const N: usize> QResidual<B, N>
where
    B: QLayer<Input = [i8; N], Output = [i8; N]>,
{
    /// `x + block(x)`, for an input quantized with `input`, a block whose output is
    /// quantized with `block_output`, into `output` with the fused clamp `activation`.
    ///
    /// # Errors
    /// Those of [`QAdd::new`].
    pub fn new(
        block: B,
        input: QuantParams,
        block_output: QuantParams,
        output: QuantParams,
        activation: Activation,
    ) -> Result<Self, QuantError> {
        Ok(Self {
            block,
            add: QAdd::new(input, block_output, output, activation)?,
        })
    }

    /// The block inside the connection.
    pub const fn block(&self) -> &B {
        &self.block
    }
}

impl<B, const N: usize> QLayer for QResidual<B, N>
where
    B: QLayer<Input = [i8; N], Output = [i8; N]>,
{
    type Input = [i8; N];
    type Output = [i8; N];

    #[inline]
    fn forward(&self, x: &[i8; N]) -> [i8; N] {
        let y = self.block.forward(x);
        self.add.forward(&(*x, y))
    }
}
