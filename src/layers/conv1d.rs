//! The 1-D convolution layer.

use super::conv2d::{Padding, kind};
use crate::Params;
use crate::conv::conv1d as kernel;
use crate::conv::shape::Axis;
use crate::layer::mode::Mode;
use crate::layer::{Layer, Train};
use crate::scalar::Scalar;
use core::marker::PhantomData;

/// A 1-D convolution over a signal of `L` steps of `C` channels (`[[T; C]; L]`, channels
/// last) with `O` filters of length `K`, stride `S`, padding `P` ([`Same`](crate::Same) or
/// [`Valid`](crate::Valid)), giving `OL` steps of `O` channels: keyword spotting's and
/// vibration sensing's layer (TFLite runs it as a one-row `CONV_2D`; the bits here are a
/// one-row [`Conv2d`](crate::Conv2d)'s).
///
/// **Forward:** `y[ot][o] = b[o] + Σ_k,c x[ot·S + k − p][c] · w[o][k][c]` (taps in the
/// padding read zero).
///
/// **Backward**, given `g = ∂E/∂y`: `∂E/∂b[o] = Σ_ot g[ot][o]`, `∂E/∂w[o][k][c] = Σ_ot
/// g[ot][o] · x[ot·S + k − p][c]`, and `∂E/∂x` sends each output's gradient back through
/// the weights that produced it. The cache is the input.
///
/// `OL` is checked at compile time like [`Conv2d`](crate::Conv2d)'s output size
/// ("Conv1d: an input of length 10, window 3, stride 2, SAME padding gives length 5, but
/// the output is declared of length 4"); [`conv1d!`](crate::conv1d) computes it.
///
/// ```
/// use typenet::{Conv1d, Layer, Valid};
/// // a difference filter: y[t] = x[t + 1] − x[t]
/// let diff = Conv1d::<4, 1, 1, 2, 1, Valid, 3>::new([[[-1.0], [1.0]]], [0.0]);
/// assert_eq!(diff.forward(&[[1.0], [4.0], [9.0], [16.0]]), [[3.0], [5.0], [7.0]]);
/// ```
#[derive(Clone, Copy, PartialEq, Params)]
#[params(scalar = T)]
pub struct Conv1d<
    const L: usize,
    const C: usize,
    const O: usize,
    const K: usize,
    const S: usize,
    P,
    const OL: usize,
    T = f32,
> {
    /// `w[o][k][c]`: filter `o`'s weight at tap `k`, input channel `c`.
    #[param(init = weights(K * C, K * O))]
    pub weights: [[[T; C]; K]; O],
    /// `b[o]`: filter `o`'s bias.
    #[param(init = bias(K * C, K * O))]
    pub bias: [T; O],
    padding: PhantomData<fn() -> P>,
}

/// Writes a [`Conv1d`] type from its input length and channels, filter count, kernel,
/// stride and padding, computing the output length:
///
/// ```
/// use typenet::{Conv1d, Same, conv1d};
/// let _: conv1d!([49, 10] -> 16, kernel 3, stride 2, Same) =
///     Conv1d::<49, 10, 16, 3, 2, Same, 25>::default();
/// ```
#[macro_export]
macro_rules! conv1d {
    ([$l:expr, $c:expr] -> $o:expr, kernel $k:expr, stride $s:expr, $pad:ident $(, $t:ty)? $(,)?) => {
        $crate::Conv1d<
            { $l }, { $c }, { $o }, { $k }, { $s }, $crate::$pad,
            { $crate::out_size::<$crate::$pad>($l, $k, $s) }
            $(, $t)?
        >
    };
}

impl<
    const L: usize,
    const C: usize,
    const O: usize,
    const K: usize,
    const S: usize,
    P: Padding,
    const OL: usize,
    T,
> core::fmt::Debug for Conv1d<L, C, O, K, S, P, OL, T>
{
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Conv1d<{L}×{C} → {OL}×{O}, {K} stride {S} {}>", P::NAME)
    }
}

impl<
    const L: usize,
    const C: usize,
    const O: usize,
    const K: usize,
    const S: usize,
    P: Padding,
    const OL: usize,
    T: Scalar,
> Default for Conv1d<L, C, O, K, S, P, OL, T>
{
    /// All weights and biases zero.
    fn default() -> Self {
        <Self as Layer>::zeroed()
    }
}

impl<
    const L: usize,
    const C: usize,
    const O: usize,
    const K: usize,
    const S: usize,
    P: Padding,
    const OL: usize,
    T,
> Conv1d<L, C, O, K, S, P, OL, T>
{
    /// The window, its sizes checked when the layer is used.
    const AXIS: Axis = Axis::checked::<L, OL>("Conv1d", kind::<P>(), K, S);

    /// A layer with the given weights (`[O][K][C]`) and biases. A `const fn`, so a
    /// trained layer can be a `static` in flash.
    pub const fn new(weights: [[[T; C]; K]; O], bias: [T; O]) -> Self {
        Self {
            weights,
            bias,
            padding: PhantomData,
        }
    }
}

impl<
    const L: usize,
    const C: usize,
    const O: usize,
    const K: usize,
    const S: usize,
    P: Padding,
    const OL: usize,
    T: Scalar,
> Layer for Conv1d<L, C, O, K, S, P, OL, T>
{
    type Scalar = T;
    type Input = [[T; C]; L];
    type Output = [[T; O]; OL];

    #[inline]
    fn forward(&self, x: &Self::Input) -> Self::Output {
        let mut y = [[T::zero(); O]; OL];
        kernel::forward(x, &self.weights, &self.bias, &Self::AXIS, &mut y);
        y
    }
}

impl<
    const L: usize,
    const C: usize,
    const O: usize,
    const K: usize,
    const S: usize,
    P: Padding,
    const OL: usize,
    T: Scalar,
> Train for Conv1d<L, C, O, K, S, P, OL, T>
{
    type Cache = [[T; C]; L];

    #[inline]
    fn forward_train(&self, x: &Self::Input) -> (Self::Output, Self::Cache) {
        (self.forward(x), *x)
    }

    #[inline]
    fn backward(&self, x: &Self::Cache, g: &Self::Output, grads: &mut Self) -> Self::Input {
        self.backward_with::<crate::mode::Accumulate>(x, g, grads)
    }

    /// Skips `∂E/∂x` for the first layer of a network (nobody reads it).
    #[inline]
    fn backward_with<M: Mode>(
        &self,
        x: &Self::Cache,
        g: &Self::Output,
        grads: &mut Self,
    ) -> Self::Input {
        if M::OVERWRITE {
            grads.zero_params();
        }
        kernel::backward_params(x, &Self::AXIS, g, &mut grads.weights, &mut grads.bias);
        let mut dx = [[T::zero(); C]; L];
        if M::INPUT {
            kernel::backward_input(&self.weights, &Self::AXIS, g, &mut dx);
        }
        dx
    }
}
