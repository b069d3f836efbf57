//! Element-wise int8 activations as a table.

use super::{QLayer, QuantError, QuantParams};

/// Any element-wise function of an int8 code, as a table of its 256 results: a sigmoid,
/// tanh, ReLU or leaky ReLU between two quantizations.
///
/// An input code can take only 256 values, so `f` is evaluated once per code when the
/// layer is built — in real terms, `q_y = quantize_out(f(dequantize_in(q_x)))` — and
/// inference is one table look-up per value: no arithmetic at all, exact with respect
/// to the float function and the two quantizations. (TensorFlow Lite Micro evaluates
/// int8 sigmoid and tanh from a table the same way; its reference kernels, which use
/// fixed-point polynomials instead, can differ from this by a step.)
///
/// ```
/// use typenet::quant::{QLayer, QTable, QuantParams};
/// let x = QuantParams::new(0.1, 0)?;
/// let y = QuantParams::new(1.0 / 256.0, -128)?;
/// let sigmoid = QTable::<3>::from_fn(x, y, |v| 1.0 / (1.0 + (-v).exp()))?;
/// assert_eq!(sigmoid.forward(&[0, 127, -128]), [0, 127, -128]); // ½, ~1, ~0
/// # Ok::<(), typenet::quant::QuantError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QTable<const N: usize> {
    table: [i8; 256],
}

impl<const N: usize> QTable<N> {
    /// The layer from its table: `table[(q as u8) as usize]` is the output for code `q`
    /// (codes 0..=127 first, then −128..=−1).
    pub const fn new(table: [i8; 256]) -> Self {
        Self { table }
    }

    /// The table of `f` between two quantizations.
    ///
    /// # Errors
    /// [`QuantError::NotFinite`] if `f` gives NaN for some code (an infinity saturates
    /// to −128 or 127).
    pub fn from_fn(
        input: QuantParams,
        output: QuantParams,
        f: impl Fn(f32) -> f32,
    ) -> Result<Self, QuantError> {
        let mut table = [0i8; 256];
        for (byte, entry) in (0..=255u8).zip(&mut table) {
            let y = f(input.dequantize(byte.cast_signed()));
            if y.is_nan() {
                return Err(QuantError::NotFinite);
            }
            *entry = output.quantize(y);
        }
        Ok(Self { table })
    }

    /// The table, indexed by the input code's bits.
    pub const fn table(&self) -> &[i8; 256] {
        &self.table
    }
}

impl<const N: usize> QLayer for QTable<N> {
    type Input = [i8; N];
    type Output = [i8; N];

    #[inline]
    fn forward(&self, x: &[i8; N]) -> [i8; N] {
        // A `u8` index into 256 entries: no bounds check is left.
        x.map(|q| self.table[usize::from(q.cast_unsigned())])
    }
}
