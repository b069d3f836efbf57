//! The depthwise 2-D convolution layer.

use super::conv2d::{Padding, kind};
use crate::Params;
use crate::batch::{BatchError, check_batch};
use crate::conv::depthwise as kernel;
use crate::conv::lanes::VECTOR_TARGET;
use crate::conv::shape::Window2d;
use crate::kernels::{depthwise1_backward, depthwise1_forward};
use crate::layer::mode::Mode;
use crate::layer::{Layer, Train};
use crate::scalar::Scalar;
use core::marker::PhantomData;

/// A depthwise 2-D convolution (TFLite's `DEPTHWISE_CONV_2D`, MobileNet's and DS-CNN's):
/// each of the `C` input channels of an `H × W` image is convolved with its own `M`
/// filters of `KH × KW` (depth multiplier `M`), stride `SH × SW`, padding `P`, giving an
/// `OH × OW × CM` image with `CM = C·M` (output channel `q` from input channel `q / M`).
///
/// **Forward:** `y[oy][ox][q] = b[q] + Σ_ky,kx x[oy·SH + ky − pt][ox·SW + kx − pl][q / M] ·
/// w[ky][kx][q]`.
///
/// **Backward**, given `g = ∂E/∂y`: `∂E/∂b[q] = Σ g[·][·][q]`, `∂E/∂w[ky][kx][q] =
/// Σ_oy,ox g[oy][ox][q] · x[…][…][q / M]`, and `∂E/∂x` sends each output's gradient back
/// to its one input channel. The cache is the input.
///
/// `CM` is written (stable Rust cannot write `C * M` for generic sizes) and, like the
/// output size, checked at compile time; [`depthwise2d!`](crate::depthwise2d) computes
/// both. Weights are TFLite's layout `[KH][KW][C·M]`. With a
/// [`PerPixel<Dense<CM, D>, OH, OW>`](crate::PerPixel) after it (a 1×1 convolution) it is
/// a depthwise-separable block.
///
/// ```
/// use typenet::{DepthwiseConv2d, Layer, Valid};
/// // two channels, each summed over a 2×2 window with its own weight
/// let d = DepthwiseConv2d::<2, 2, 2, 1, 2, 2, 1, 1, Valid, 1, 1, 2>::new([[[1.0, 10.0]; 2]; 2], [0.0; 2]);
/// assert_eq!(d.forward(&[[[1.0, 1.0], [2.0, 2.0]], [[3.0, 3.0], [4.0, 4.0]]]), [[[10.0, 100.0]]]);
/// ```
#[derive(Clone, Copy, PartialEq, Params)]
#[params(scalar = T)]
pub struct DepthwiseConv2d<
    const H: usize,
    const W: usize,
    const C: usize,
    const M: usize,
    const KH: usize,
    const KW: usize,
    const SH: usize,
    const SW: usize,
    P,
    const OH: usize,
    const OW: usize,
    const CM: usize,
    T = f32,
> {
    /// `w[ky][kx][q]`: output channel `q`'s weight at kernel cell `(ky, kx)`.
    #[param(init = weights(KH * KW, KH * KW * M))]
    pub weights: [[[T; CM]; KW]; KH],
    /// `b[q]`: output channel `q`'s bias.
    #[param(init = bias(KH * KW, KH * KW * M))]
    pub bias: [T; CM],
    padding: PhantomData<fn() -> P>,
}

/// Writes a [`DepthwiseConv2d`] type from its input size, depth multiplier, kernel, stride
/// and padding, computing the output size and channel count:
///
/// ```
/// use typenet::{DepthwiseConv2d, Same, depthwise2d};
/// let _: depthwise2d!([25, 5, 64] * 1, kernel [3, 3], stride [1, 1], Same) =
///     DepthwiseConv2d::<25, 5, 64, 1, 3, 3, 1, 1, Same, 25, 5, 64>::default();
/// ```
#[macro_export]
macro_rules! depthwise2d {
    ([$h:expr, $w:expr, $c:expr] * $m:expr, kernel [$kh:expr, $kw:expr], stride [$sh:expr, $sw:expr], $pad:ident $(, $t:ty)? $(,)?) => {
        $crate::DepthwiseConv2d<
            { $h }, { $w }, { $c }, { $m }, { $kh }, { $kw }, { $sh }, { $sw }, $crate::$pad,
            { $crate::out_size::<$crate::$pad>($h, $kh, $sh) },
            { $crate::out_size::<$crate::$pad>($w, $kw, $sw) },
            { ($c) * ($m) }
            $(, $t)?
        >
    };
}

impl<
    const H: usize,
    const W: usize,
    const C: usize,
    const M: usize,
    const KH: usize,
    const KW: usize,
    const SH: usize,
    const SW: usize,
    P: Padding,
    const OH: usize,
    const OW: usize,
    const CM: usize,
    T,
> core::fmt::Debug for DepthwiseConv2d<H, W, C, M, KH, KW, SH, SW, P, OH, OW, CM, T>
{
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "DepthwiseConv2d<{H}×{W}×{C} → {OH}×{OW}×{CM}, {KH}×{KW} ×{M} stride {SH}×{SW} {}>",
            P::NAME
        )
    }
}

impl<
    const H: usize,
    const W: usize,
    const C: usize,
    const M: usize,
    const KH: usize,
    const KW: usize,
    const SH: usize,
    const SW: usize,
    P: Padding,
    const OH: usize,
    const OW: usize,
    const CM: usize,
    T,
> DepthwiseConv2d<H, W, C, M, KH, KW, SH, SW, P, OH, OW, CM, T>
{
    /// The window, its sizes checked when the layer is used.
    const WINDOW: Window2d =
        Window2d::new::<H, W, OH, OW>("DepthwiseConv2d", kind::<P>(), (KH, KW), (SH, SW));

    /// Whether the kernels run on lanes of eight channels ([`crate::conv::lanes`]:
    /// multiplier 1, on targets with vector registers; the same bits). Checks `CM = C·M`
    /// as the kernels do.
    const LANES: bool = {
        kernel::check_channels(C, M, CM);
        VECTOR_TARGET && M == 1
    };

    /// A layer with the given weights (`[KH][KW][C·M]`) and biases. A `const fn`, so a
    /// trained layer can be a `static` in flash.
    pub const fn new(weights: [[[T; CM]; KW]; KH], bias: [T; CM]) -> Self {
        Self {
            weights,
            bias,
            padding: PhantomData,
        }
    }
}

impl<
    const H: usize,
    const W: usize,
    const C: usize,
    const M: usize,
    const KH: usize,
    const KW: usize,
    const SH: usize,
    const SW: usize,
    P: Padding,
    const OH: usize,
    const OW: usize,
    const CM: usize,
    T: Scalar,
> Default for DepthwiseConv2d<H, W, C, M, KH, KW, SH, SW, P, OH, OW, CM, T>
{
    /// All weights and biases zero.
    fn default() -> Self {
        <Self as Layer>::zeroed()
    }
}

impl<
    const H: usize,
    const W: usize,
    const C: usize,
    const M: usize,
    const KH: usize,
    const KW: usize,
    const SH: usize,
    const SW: usize,
    P: Padding,
    const OH: usize,
    const OW: usize,
    const CM: usize,
    T: Scalar,
> Layer for DepthwiseConv2d<H, W, C, M, KH, KW, SH, SW, P, OH, OW, CM, T>
{
    type Scalar = T;
    type Input = [[[T; C]; W]; H];
    type Output = [[[T; CM]; OW]; OH];

    #[inline]
    fn forward(&self, x: &Self::Input) -> Self::Output {
        let mut y = [[[T::zero(); CM]; OW]; OH];
        if Self::LANES {
            let (xs, ys) = (core::array::from_ref(x), core::array::from_mut(&mut y));
            depthwise1_forward(xs, &self.weights, &self.bias, &Self::WINDOW, ys);
            return y;
        }
        kernel::forward::<T, H, W, C, M, CM, KH, KW, OH, OW>(
            x,
            &self.weights,
            &self.bias,
            &Self::WINDOW,
            &mut y,
        );
        y
    }

    /// Sample by sample, each output written in place (the default would build it on
    /// the stack and copy it): the bits of [`forward`](Layer::forward).
    fn forward_batch(
        &self,
        xs: &[Self::Input],
        ys: &mut [Self::Output],
        workspace: &mut [T],
    ) -> Result<(), BatchError> {
        check_batch(xs.len(), &[ys.len()], workspace.len(), 0)?;
        if Self::LANES {
            depthwise1_forward(xs, &self.weights, &self.bias, &Self::WINDOW, ys);
            return Ok(());
        }
        for (x, y) in xs.iter().zip(ys) {
            kernel::forward::<T, H, W, C, M, CM, KH, KW, OH, OW>(
                x,
                &self.weights,
                &self.bias,
                &Self::WINDOW,
                y,
            );
        }
        Ok(())
    }
}

impl<
    const H: usize,
    const W: usize,
    const C: usize,
    const M: usize,
    const KH: usize,
    const KW: usize,
    const SH: usize,
    const SW: usize,
    P: Padding,
    const OH: usize,
    const OW: usize,
    const CM: usize,
    T: Scalar,
> Train for DepthwiseConv2d<H, W, C, M, KH, KW, SH, SW, P, OH, OW, CM, T>
{
    type Cache = [[[T; C]; W]; H];

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
    fn backward_with<Md: Mode>(
        &self,
        x: &Self::Cache,
        g: &Self::Output,
        grads: &mut Self,
    ) -> Self::Input {
        if Md::OVERWRITE {
            grads.zero_params();
        }
        kernel::backward_params::<T, H, W, C, M, CM, KH, KW, OH, OW>(
            x,
            &Self::WINDOW,
            g,
            &mut grads.weights,
            &mut grads.bias,
        );
        let mut dx = [[[T::zero(); C]; W]; H];
        if Md::INPUT {
            kernel::backward_input::<T, H, W, C, M, CM, KH, KW, OH, OW>(
                &self.weights,
                &Self::WINDOW,
                g,
                &mut dx,
            );
        }
        dx
    }

    /// Sample by sample from the inputs themselves (the cache is the input, so nothing
    /// is recomputed): the bits of [`backward`](Train::backward) sample after sample.
    fn backward_batch(
        &self,
        xs: &[Self::Input],
        ys: &[Self::Output],
        grad_ys: &[Self::Output],
        grad_xs: Option<&mut [Self::Input]>,
        grads: &mut Self,
        workspace: &mut [T],
    ) -> Result<(), BatchError> {
        let n = xs.len();
        let dxn = grad_xs.as_ref().map_or(n, |d| d.len());
        check_batch(n, &[ys.len(), grad_ys.len(), dxn], workspace.len(), 0)?;
        let win = &Self::WINDOW;
        if Self::LANES {
            let (w, gw) = (&self.weights, &mut grads.weights);
            let dxs = grad_xs.unwrap_or_default();
            depthwise1_backward(xs, w, win, grad_ys, (gw, &mut grads.bias), dxs);
            return Ok(());
        }
        for (x, g) in xs.iter().zip(grad_ys) {
            kernel::backward_params::<T, H, W, C, M, CM, KH, KW, OH, OW>(
                x,
                win,
                g,
                &mut grads.weights,
                &mut grads.bias,
            );
        }
        if let Some(dxs) = grad_xs {
            for (g, dx) in grad_ys.iter().zip(dxs) {
                kernel::backward_input::<T, H, W, C, M, CM, KH, KW, OH, OW>(
                    &self.weights,
                    win,
                    g,
                    dx,
                );
            }
        }
        Ok(())
    }
}
