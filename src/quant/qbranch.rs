//! Int8 branches joined by an addition, on vectors and images alike: a skip connection
//! (`x + B(x)`) and two branches from one input (`A(x) + B(x)`). The sum is TFLite's
//! int8 `ADD` bit for bit ([`QAdd`](super::QAdd)'s kernel).

use super::add::{AddParams, add_codes};
use super::{Activation, QLayer, QuantError, QuantParams};

/// An int8 tensor seen as its codes in memory order: `[i8; N]`, or an image
/// `[[[i8; C]; W]; H]` (channels last). What [`QSkip`] and [`QParallel`] add element
/// by element.
pub trait QTensor: Copy {
    /// The codes, in memory order.
    fn codes(&self) -> &[i8];
    /// The codes, in memory order, to write.
    fn codes_mut(&mut self) -> &mut [i8];
}

impl<const N: usize> QTensor for [i8; N] {
    #[inline]
    fn codes(&self) -> &[i8] {
        self
    }
    #[inline]
    fn codes_mut(&mut self) -> &mut [i8] {
        self
    }
}

impl<const H: usize, const W: usize, const C: usize> QTensor for [[[i8; C]; W]; H] {
    #[inline]
    fn codes(&self) -> &[i8] {
        self.as_flattened().as_flattened()
    }
    #[inline]
    fn codes_mut(&mut self) -> &mut [i8] {
        self.as_flattened_mut().as_flattened_mut()
    }
}

/// `a + b` element by element, into a copy of `a`.
#[inline]
fn sum<T: QTensor>(params: &AddParams, a: &T, b: &T) -> T {
    let mut y = *a;
    add_codes(params, a.codes(), b.codes(), y.codes_mut());
    y
}

/// A residual connection in int8 on any tensor, an image as well as a vector:
/// `y = x + B(x)`, the sum TFLite's int8 `ADD` (with its fused clamp). The block `B`
/// must give back the type it takes. Unlike [`QResidual`](super::QResidual) (vectors
/// only), it has a float-free `const fn` constructor, so `include_tflite!` builds it
/// from a `.tflite` file's residual blocks.
///
/// ```
/// use typenet::quant::{Activation, QLayer, QSkip, QTable, QuantParams};
/// let x = QuantParams::new(0.1, 0)?;
/// // the block doubles its input (codes 0.1 apart in, 0.2 apart out)
/// let double = QTable::<2>::from_fn(x, QuantParams::new(0.2, 0)?, |v| 2.0 * v)?;
/// let out = QuantParams::new(0.3, 0)?;
/// let skip = QSkip::new(double, x, QuantParams::new(0.2, 0)?, out, Activation::None)?;
/// // x + 2x = 3x: codes of 0.1 in, codes of 0.3 out
/// assert_eq!(skip.forward(&[10, -40]), [10, -40]);
/// # Ok::<(), typenet::quant::QuantError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QSkip<B> {
    block: B,
    add: AddParams,
}

impl<B: Copy> QSkip<B> {
    /// `x + block(x)`, for an input quantized with `input` and a block whose output is
    /// quantized with `block_output`, into `output` with the fused clamp `activation`.
    ///
    /// # Errors
    /// Those of [`QAdd::new`](super::QAdd::new).
    pub fn new(
        block: B,
        input: QuantParams,
        block_output: QuantParams,
        output: QuantParams,
        activation: Activation,
    ) -> Result<Self, QuantError> {
        Ok(Self {
            block,
            add: AddParams::new(
                (input.scale, input.zero_point),
                (block_output.scale, block_output.zero_point),
                (output.scale, output.zero_point),
                activation,
            )?,
        })
    }

    /// The connection from values prepared as TFLite's `ADD` prepares them (by
    /// `include_tflite!`): the zero points of the input, the block's output and the sum;
    /// the Q31 `(multiplier, shift)` of the input and of the block's output (each
    /// `s / (2·max(s_x, s_block))`, with 20 bits of headroom) and of the sum; the
    /// clamp. A float-free `const fn`.
    ///
    /// # Errors
    /// [`QuantError::Prepared`] for a multiplier outside `[2^30, 2^31)` (other than 0
    /// with shift 0) or a positive shift, [`QuantError::ZeroPoint`] and
    /// [`QuantError::Clamp`] for values outside −128..=127.
    pub const fn from_prepared(
        block: B,
        zero_points: (i32, i32, i32),
        inputs: ((i32, i32), (i32, i32)),
        output: (i32, i32),
        clamp: (i32, i32),
    ) -> Result<Self, QuantError> {
        match AddParams::from_prepared(zero_points, inputs, output, clamp) {
            Ok(add) => Ok(Self { block, add }),
            Err(e) => Err(e),
        }
    }

    /// The block inside the connection.
    pub const fn block(&self) -> &B {
        &self.block
    }
}

impl<B> QLayer for QSkip<B>
where
    B: QLayer<Output = <B as QLayer>::Input>,
    B::Input: QTensor,
{
    type Input = B::Input;
    type Output = B::Input;

    #[inline]
    fn forward(&self, x: &B::Input) -> B::Input {
        let y = self.block.forward(x);
        sum(&self.add, x, &y)
    }
}

/// Two int8 branches on one input, summed: `y = A(x) + B(x)` (TFLite's int8 `ADD`, with
/// its fused clamp). Both branches take the same input type and give the same output
/// type, a vector or an image. With a 1×1 stride-2 [`QConv2d`](super::QConv2d) as `B`,
/// it is ResNet's block with a projection shortcut; the int8 twin of
/// [`Parallel`](crate::Parallel).
///
/// ```
/// use typenet::quant::{Activation, QLayer, QParallel, QTable, QuantParams};
/// let x = QuantParams::new(0.1, 0)?;
/// let y = QuantParams::new(0.2, 0)?;
/// let double = QTable::<2>::from_fn(x, y, |v| 2.0 * v)?;
/// let negate = QTable::<2>::from_fn(x, y, |v| -v)?;
/// let p = QParallel::new(double, negate, y, y, y, Activation::None)?;
/// // 2x − x = x: codes of 0.1 in, codes of 0.2 out
/// assert_eq!(p.forward(&[10, -40]), [5, -20]);
/// # Ok::<(), typenet::quant::QuantError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QParallel<A, B> {
    a: A,
    b: B,
    add: AddParams,
}

impl<A: Copy, B: Copy> QParallel<A, B> {
    /// `a(x) + b(x)`, for branches whose outputs are quantized with `a_output` and
    /// `b_output`, into `output` with the fused clamp `activation`.
    ///
    /// # Errors
    /// Those of [`QAdd::new`](super::QAdd::new).
    pub fn new(
        a: A,
        b: B,
        a_output: QuantParams,
        b_output: QuantParams,
        output: QuantParams,
        activation: Activation,
    ) -> Result<Self, QuantError> {
        Ok(Self {
            a,
            b,
            add: AddParams::new(
                (a_output.scale, a_output.zero_point),
                (b_output.scale, b_output.zero_point),
                (output.scale, output.zero_point),
                activation,
            )?,
        })
    }

    /// The sum from values prepared as TFLite's `ADD` prepares them (by
    /// `include_tflite!`): the zero points of `a`'s output, `b`'s output and the sum;
    /// the Q31 `(multiplier, shift)` of each branch's output and of the sum; the clamp.
    /// A float-free `const fn`.
    ///
    /// # Errors
    /// Those of [`QSkip::from_prepared`].
    pub const fn from_prepared(
        a: A,
        b: B,
        zero_points: (i32, i32, i32),
        inputs: ((i32, i32), (i32, i32)),
        output: (i32, i32),
        clamp: (i32, i32),
    ) -> Result<Self, QuantError> {
        match AddParams::from_prepared(zero_points, inputs, output, clamp) {
            Ok(add) => Ok(Self { a, b, add }),
            Err(e) => Err(e),
        }
    }

    /// The two branches.
    pub const fn branches(&self) -> (&A, &B) {
        (&self.a, &self.b)
    }
}

impl<A, B> QLayer for QParallel<A, B>
where
    A: QLayer,
    B: QLayer<Input = A::Input, Output = A::Output>,
    A::Output: QTensor,
{
    type Input = A::Input;
    type Output = A::Output;

    #[inline]
    fn forward(&self, x: &A::Input) -> A::Output {
        sum(&self.add, &self.a.forward(x), &self.b.forward(x))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quant::{Padding, QAdd, QAvgPool2d, QMaxPool2d, QResidual, QTable, Stride};

    fn p(scale: f32, zero_point: i32) -> QuantParams {
        QuantParams::new(scale, zero_point).unwrap()
    }

    /// The branch sums equal `QAdd` (bit-exact with LiteRT's int8 ADD, tests/data/int8)
    /// of the branches' own outputs, on every input code, for each fused activation.
    #[test]
    fn skip_and_parallel_on_vectors_are_qadd_of_the_branches() {
        let x = p(0.07, -5);
        let ya = p(0.11, 9);
        let yb = p(0.05, -20);
        let a = QTable::<256>::from_fn(x, ya, |v| 1.5 * v - 0.3).unwrap();
        let b = QTable::<256>::from_fn(x, yb, |v| (v * 0.8).sin()).unwrap();
        let codes: [i8; 256] = core::array::from_fn(|k| (k as u8).cast_signed());
        for act in [
            Activation::None,
            Activation::ReLU,
            Activation::ReLU6,
            Activation::ReLUN1To1,
        ] {
            let out = p(0.13, 3);
            let par = QParallel::new(a, b, ya, yb, out, act).unwrap();
            let add = QAdd::<256>::new(ya, yb, out, act).unwrap();
            let want = add.forward(&(a.forward(&codes), b.forward(&codes)));
            assert_eq!(par.forward(&codes), want);
            // the codes span the range: not a constant
            let distinct: std::collections::BTreeSet<i8> = want.iter().copied().collect();
            assert!(distinct.len() > 10, "{act:?}: {}", distinct.len());

            let skip = QSkip::new(a, x, ya, out, act).unwrap();
            let residual = QResidual::new(a, x, ya, out, act).unwrap();
            assert_eq!(skip.forward(&codes), residual.forward(&codes));
        }
    }

    /// On images, the sum is the one of the flattened codes, pixel by pixel.
    #[test]
    fn skip_and_parallel_on_images_add_every_code() {
        let q = p(0.1, -3);
        let max = QMaxPool2d::<3, 4, 2, 3, 3, 3, 4>::new(
            Stride::new(Padding::Same, 1, 1),
            q,
            Activation::None,
        )
        .unwrap();
        let avg = QAvgPool2d::<3, 4, 2, 2, 2, 3, 4>::new(
            Stride::new(Padding::Same, 1, 1),
            q,
            Activation::None,
        )
        .unwrap();
        let out = p(0.25, 10);
        let x: [[[i8; 2]; 4]; 3] = core::array::from_fn(|r| {
            core::array::from_fn(|c| {
                core::array::from_fn(|ch| ((r * 37 + c * 11 + ch * 5) % 251) as i8)
            })
        });
        let add = QAdd::<24>::new(q, q, out, Activation::ReLU).unwrap();
        let flat = |t: &[[[i8; 2]; 4]; 3]| -> [i8; 24] {
            core::array::from_fn(|k| t.as_flattened().as_flattened()[k])
        };
        let par = QParallel::new(max, avg, q, q, out, Activation::ReLU).unwrap();
        let want = add.forward(&(flat(&max.forward(&x)), flat(&avg.forward(&x))));
        assert_eq!(flat(&par.forward(&x)), want);
        let skip = QSkip::new(max, q, q, out, Activation::ReLU).unwrap();
        let want = add.forward(&(flat(&x), flat(&max.forward(&x))));
        assert_eq!(flat(&skip.forward(&x)), want);
    }

    /// `from_prepared` with the values `new` prepares builds the same layer; bad values
    /// are refused.
    #[test]
    fn prepared_values_are_checked() {
        let a = QTable::<4>::from_fn(p(0.1, 0), p(0.2, 0), |v| v).unwrap();
        // 0.1 / (2·0.2) = 0.25: 2^30 · 2^-1; 2·0.2 / (2^20 · 0.3)
        let built = QSkip::new(a, p(0.1, 0), p(0.2, 0), p(0.3, 1), Activation::None).unwrap();
        let (m, s) = crate::quant::arith::quantize_multiplier(
            2.0 * f64::from(0.2f32) / (1_048_576.0 * f64::from(0.3f32)),
        )
        .unwrap();
        let (m1, s1) =
            crate::quant::arith::quantize_multiplier(f64::from(0.1f32) / (2.0 * f64::from(0.2f32)))
                .unwrap();
        let (m2, s2) = crate::quant::arith::quantize_multiplier(0.5).unwrap();
        let prepared =
            QSkip::from_prepared(a, (0, 0, 1), ((m1, s1), (m2, s2)), (m, s), (-128, 127)).unwrap();
        assert_eq!(built, prepared);
        let bad = |zs, ins, out, clamp| QSkip::from_prepared(a, zs, ins, out, clamp).unwrap_err();
        let ok = ((m1, s1), (m2, s2));
        assert_eq!(
            bad((0, 0, 1), ((5, s1), (m2, s2)), (m, s), (-128, 127)),
            QuantError::Prepared
        );
        assert_eq!(
            bad((0, 0, 1), ((m1, 1), (m2, s2)), (m, s), (-128, 127)),
            QuantError::Prepared
        );
        assert_eq!(
            bad((0, 200, 1), ok, (m, s), (-128, 127)),
            QuantError::ZeroPoint
        );
        assert_eq!(bad((0, 0, 1), ok, (m, s), (10, 5)), QuantError::Clamp);
        assert_eq!(
            QParallel::from_prepared(a, a, (0, 0, 1), ok, (m, s), (-128, 128)).unwrap_err(),
            QuantError::Clamp
        );
    }

    /// The pools' `from_prepared` (what `include_tflite!` writes) builds what `new` does.
    #[test]
    fn prepared_pools_are_the_pools_new_builds() {
        let q = p(0.1, -3);
        let stride = Stride::new(Padding::Same, 2, 1);
        // RELU6 at scale 0.1, zero point −3: codes −3..=57
        let built = QAvgPool2d::<5, 4, 2, 3, 2, 3, 4>::new(stride, q, Activation::ReLU6).unwrap();
        let prepared =
            QAvgPool2d::<5, 4, 2, 3, 2, 3, 4>::from_prepared(stride, -3, (-3, 57)).unwrap();
        assert_eq!(built, prepared);
        let built = QMaxPool2d::<5, 4, 2, 3, 2, 3, 4>::new(stride, q, Activation::None).unwrap();
        let prepared =
            QMaxPool2d::<5, 4, 2, 3, 2, 3, 4>::from_prepared(stride, -3, (-128, 127)).unwrap();
        assert_eq!(built, prepared);
        assert_eq!(
            QMaxPool2d::<5, 4, 2, 3, 2, 2, 4>::from_prepared(stride, -3, (-128, 127)).unwrap_err(),
            QuantError::OutputSize
        );
        assert_eq!(
            QMaxPool2d::<5, 4, 2, 3, 2, 3, 4>::from_prepared(stride, -3, (0, -1)).unwrap_err(),
            QuantError::Clamp
        );
    }
}
