//! The trait int8 layers implement, and tuples of them as networks.

use crate::chain::Fits;

/// An int8 layer: a function with a fixed input and output type that only infers.
///
/// It is [`Layer`](crate::Layer)'s inference half for the quantized world. `Layer` is
/// tied to a floating-point [`Scalar`](crate::Scalar) (its parameters are float tensors
/// that optimizers and byte images walk), while an int8 layer's values are `i8` codes,
/// its parameters integers prepared once, and its boundaries ([`Quantize`](super::Quantize),
/// [`Dequantize`](super::Dequantize)) take or give `f32`. So the input and output here are
/// any `Copy` type: `[i8; N]` inside a network, `[f32; N]` at its edges.
///
/// Tuples of `QLayer`s are `QLayer`s, chained as float tuples are: each layer's output
/// must be the next one's input, or the error names both layers and both types.
///
/// ```
/// use typenet::quant::{Activation, Dequantize, QDense, QLayer, QuantParams, Quantize};
/// let x = QuantParams::new(0.5, -1)?; // x = 0.5·(q + 1)
/// let y = QuantParams::new(0.1, 10)?;
/// // w = [1, −2] as 0.25·[4, −8]; b = 0.5 as 4 steps of 0.5·0.25
/// let dense = QDense::<2, 1>::new([[4, -8]], &[0.25], [4], x, y, Activation::None)?;
/// let net = (Quantize::<2>::new(x), dense, Dequantize::<1>::new(y));
/// // 1·2 − 2·1 + 0.5 = 0.5
/// assert_eq!(net.forward(&[2.0, 1.0]), [0.5]);
/// # Ok::<(), typenet::quant::QuantError>(())
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an int8 layer",
    label = "this is not a `QLayer`",
    note = "int8 layers are `QDense`, `QTable`, `QSoftmax`, `QAdd`, `Quantize`, `Dequantize` and tuples of them; float layers become int8 ones through `typenet::quant::quantize`"
)]
pub trait QLayer {
    /// What the layer takes: `[i8; N]`, or `[f32; N]` for [`Quantize`](super::Quantize).
    type Input: Copy;
    /// What the layer gives.
    type Output: Copy;
    /// Inference: the output for `x`. Integer arithmetic only (except at the float
    /// boundaries), no allocation, no panic.
    fn forward(&self, x: &Self::Input) -> Self::Output;
}

macro_rules! tuple_qlayer {
    (
        first: $A0:ident $i0:tt $c0:ident,
        last: $AL:ident $iL:tt,
        all: [$($A:ident $i:tt $c:ident),+],
        pairs: [$($P:ident $pi:tt => $N:ident $ni:tt $nc:ident),*],
        rev_pairs: [$($RN:ident $rni:tt => $RP:ident $rpi:tt),*]
    ) => {
        impl<$($A),+> QLayer for ($($A,)+)
        where
            $A0: QLayer,
            $(
                $N: QLayer,
                // each layer takes exactly what the previous one gives
                <$P as QLayer>::Output: Fits<<$N as QLayer>::Input, $P, $N>,
            )*
        {
            type Input = <$A0 as QLayer>::Input;
            type Output = <$AL as QLayer>::Output;

            #[inline]
            fn forward(&self, x: &Self::Input) -> Self::Output {
                let y = self.$i0.forward(x);
                $(let y = self.$ni.forward(&<<$P as QLayer>::Output as Fits<_, $P, $N>>::fit(y));)*
                y
            }
        }
    };
}

crate::chain::for_each_tuple!(tuple_qlayer);
