//! The 2-D convolution layer, and the padding markers the windowed layers share.

use crate::Params;
use crate::batch::{BatchError, check_batch};
use crate::conv::conv2d as kernel;
use crate::conv::lanes;
use crate::conv::shape::{self, Window2d};
use crate::kernels::{conv2d_forward_lanes, conv2d_params_lanes};
use crate::layer::mode::Mode;
use crate::layer::{Layer, Train};
use crate::scalar::Scalar;
use core::marker::PhantomData;

/// How a window treats the border of its input: [`Same`] or [`Valid`], as TensorFlow Lite
/// names them. A type parameter of [`Conv2d`], the pools and the other windowed layers
/// (stable Rust takes no enum as a const parameter; a marker type also reads as a word in
/// the layer's type: `Conv2d<28, 28, 1, 8, 3, 3, 2, 2, Same, 14, 14>`).
pub trait Padding: Copy + Default + core::fmt::Debug + PartialEq + Send + Sync + 'static {
    /// `true` for [`Same`], `false` for [`Valid`].
    const SAME: bool;
    /// `"SAME"` or `"VALID"`.
    const NAME: &'static str;
}

/// Zero padding so that the output has `⌈in / stride⌉` cells along each axis, whatever the
/// kernel; the padding is split with the odd cell after the input (bottom, right), as
/// TFLite does.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Same;

/// No padding: only windows wholly inside the input, `⌊(in − kernel) / stride⌋ + 1` cells
/// along each axis.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Valid;

impl Padding for Same {
    const SAME: bool = true;
    const NAME: &'static str = "SAME";
}

impl Padding for Valid {
    const SAME: bool = false;
    const NAME: &'static str = "VALID";
}

/// The padding `P` as the kernels see it.
pub(crate) const fn kind<P: Padding>() -> shape::Padding {
    if P::SAME {
        shape::Padding::Same
    } else {
        shape::Padding::Valid
    }
}

/// The output length along one axis of a window of length `kernel` moving by `stride` over
/// `input` cells with padding `P` (0 when there is none). A `const fn`, so it can compute a
/// layer's output size in its type, from literals:
/// `Conv2d<28, 28, 1, 8, 3, 3, 2, 2, Same, { out_size::<Same>(28, 3, 2) }, 14>`; the
/// [`conv2d!`](crate::conv2d) and [`pool2d!`](crate::pool2d) macros write that for you.
pub const fn out_size<P: Padding>(input: usize, kernel: usize, stride: usize) -> usize {
    shape::out_size(kind::<P>(), input, kernel, stride)
}

/// A 2-D convolution over an `H × W × C` image with `O` filters of `KH × KW`, stride
/// `SH × SW`, padding `P` ([`Same`] or [`Valid`]), giving an `OH × OW × O` image (TFLite's
/// `CONV_2D`, a cross-correlation as in every framework).
///
/// **Forward:** `y[oy][ox][o] = b[o] + Σ_ky,kx,c x[oy·SH + ky − pt][ox·SW + kx − pl][c] ·
/// w[o][ky][kx][c]`, with `pt`, `pl` the padding before the input (taps in the padding
/// read zero).
///
/// **Backward**, given `g = ∂E/∂y`: `∂E/∂b[o] = Σ g[·][·][o]`, `∂E/∂w[o][ky][kx][c] =
/// Σ_oy,ox g[oy][ox][o] · x[…][…][c]` (the input correlated with the output gradient), and
/// `∂E/∂x` sends each output's gradient back through the weights that produced it — a
/// convolution of the stride-dilated `g` with the flipped kernel. The cache is the input.
///
/// # Shapes in the type
///
/// Images are `[[[T; C]; W]; H]`, channels last (TFLite's order). The output size `OH ×
/// OW` is part of the type and checked at compile time against the input, kernel, stride
/// and padding: stable Rust cannot compute `(H − KH) / SH + 1` into a type from generic
/// sizes, but it can evaluate a constant per instantiation. A wrong size is an error that
/// names the sizes and what they give:
///
/// ```text
/// Conv2d: a 28×28 input, 3×3 window, stride 2×2, SAME padding gives 14×14, but the output is declared 13×14
/// ```
///
/// so writing the output size is never guesswork; [`conv2d!`](crate::conv2d) computes it
/// from literals.
///
/// Weights are TFLite's layout, `[O][KH][KW][C]` (each filter an image of its own), so an
/// imported model's weights need no transposition; they are drawn with the fans
/// `KH·KW·C` in and `KH·KW·O` out.
///
/// ```
/// use typenet::{Conv2d, Layer, Same};
/// // one 2×2 filter summing its window, stride 2: a 4×4 image becomes 2×2
/// let mut sum = Conv2d::<4, 4, 1, 1, 2, 2, 2, 2, Same, 2, 2, f64>::zeroed();
/// sum.weights = [[[[1.0]; 2]; 2]];
/// let x: [[[f64; 1]; 4]; 4] = core::array::from_fn(|r| core::array::from_fn(|c| [(4 * r + c) as f64]));
/// assert_eq!(sum.forward(&x), [[[10.0], [18.0]], [[42.0], [50.0]]]);
/// ```
#[derive(Clone, Copy, PartialEq, Params)]
#[params(scalar = T)]
pub struct Conv2d<
    const H: usize,
    const W: usize,
    const C: usize,
    const O: usize,
    const KH: usize,
    const KW: usize,
    const SH: usize,
    const SW: usize,
    P,
    const OH: usize,
    const OW: usize,
    T = f32,
> {
    /// `w[o][ky][kx][c]`: filter `o`'s weight at kernel cell `(ky, kx)`, input channel `c`.
    #[param(init = weights(KH * KW * C, KH * KW * O))]
    pub weights: [[[[T; C]; KW]; KH]; O],
    /// `b[o]`: filter `o`'s bias.
    #[param(init = bias(KH * KW * C, KH * KW * O))]
    pub bias: [T; O],
    padding: PhantomData<fn() -> P>,
}

/// Writes a [`Conv2d`] type from its input size, filter count, kernel, stride and padding,
/// computing the output size:
///
/// ```
/// use typenet::{Conv2d, Same, conv2d};
/// type First = conv2d!([96, 96, 3] -> 8, kernel [3, 3], stride [2, 2], Same);
/// // the same type as
/// type Written = Conv2d<96, 96, 3, 8, 3, 3, 2, 2, Same, 48, 48>;
/// let _: First = Written::default();
/// ```
///
/// A scalar type may follow the padding (`…, Same, f64)`). The sizes must be constants
/// (literals or `const` items); the next layer is written with the output size, which
/// `typenet::out_size::<Same>(96, 3, 2)` also computes.
#[macro_export]
macro_rules! conv2d {
    ([$h:expr, $w:expr, $c:expr] -> $o:expr, kernel [$kh:expr, $kw:expr], stride [$sh:expr, $sw:expr], $pad:ident $(, $t:ty)? $(,)?) => {
        $crate::Conv2d<
            { $h }, { $w }, { $c }, { $o }, { $kh }, { $kw }, { $sh }, { $sw }, $crate::$pad,
            { $crate::out_size::<$crate::$pad>($h, $kh, $sh) },
            { $crate::out_size::<$crate::$pad>($w, $kw, $sw) }
            $(, $t)?
        >
    };
}

/// Shows the shapes, not the weights: `Conv2d<28×28×1 → 14×14×8, 3×3 stride 2×2 SAME>`.
impl<
    const H: usize,
    const W: usize,
    const C: usize,
    const O: usize,
    const KH: usize,
    const KW: usize,
    const SH: usize,
    const SW: usize,
    P: Padding,
    const OH: usize,
    const OW: usize,
    T,
> core::fmt::Debug for Conv2d<H, W, C, O, KH, KW, SH, SW, P, OH, OW, T>
{
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "Conv2d<{H}×{W}×{C} → {OH}×{OW}×{O}, {KH}×{KW} stride {SH}×{SW} {}>",
            P::NAME
        )
    }
}

impl<
    const H: usize,
    const W: usize,
    const C: usize,
    const O: usize,
    const KH: usize,
    const KW: usize,
    const SH: usize,
    const SW: usize,
    P: Padding,
    const OH: usize,
    const OW: usize,
    T: Scalar,
> Default for Conv2d<H, W, C, O, KH, KW, SH, SW, P, OH, OW, T>
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
    const O: usize,
    const KH: usize,
    const KW: usize,
    const SH: usize,
    const SW: usize,
    P: Padding,
    const OH: usize,
    const OW: usize,
    T,
> Conv2d<H, W, C, O, KH, KW, SH, SW, P, OH, OW, T>
{
    /// The window, its sizes checked when the layer is used: a wrong output size is a
    /// compile error naming the sizes (see the type's docs).
    const WINDOW: Window2d =
        Window2d::new::<H, W, OH, OW>("Conv2d", kind::<P>(), (KH, KW), (SH, SW));

    /// Whether the forward pass runs with the output channels in vector lanes
    /// ([`crate::conv::lanes`]: `C < 8`, on targets with vector registers; the same bits).
    const FORWARD_LANES: bool = lanes::forward_in_lanes(C, KH, KW);
    /// Whether the batched parameter gradients do.
    const PARAMS_LANES: bool = lanes::params_in_lanes();

    /// A layer with the given weights (`[O][KH][KW][C]`) and biases. A `const fn`, so a
    /// trained layer can be a `static` in flash.
    pub const fn new(weights: [[[[T; C]; KW]; KH]; O], bias: [T; O]) -> Self {
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
    const O: usize,
    const KH: usize,
    const KW: usize,
    const SH: usize,
    const SW: usize,
    P: Padding,
    const OH: usize,
    const OW: usize,
    T: Scalar,
> Layer for Conv2d<H, W, C, O, KH, KW, SH, SW, P, OH, OW, T>
{
    type Scalar = T;
    type Input = [[[T; C]; W]; H];
    type Output = [[[T; O]; OW]; OH];

    #[inline]
    fn forward(&self, x: &Self::Input) -> Self::Output {
        let mut y = [[[T::zero(); O]; OW]; OH];
        let win = &Self::WINDOW;
        if Self::FORWARD_LANES {
            let (xs, ys) = (core::array::from_ref(x), core::array::from_mut(&mut y));
            conv2d_forward_lanes(xs, &self.weights, &self.bias, win, ys);
        } else {
            kernel::forward(x, &self.weights, &self.bias, win, &mut y);
        }
        y
    }

    /// With the output channels in vector lanes, four samples at a time, where `C < 8`
    /// (`src/conv/lanes.rs`); otherwise sample by sample. The same bits as
    /// [`forward`](Layer::forward) either way.
    fn forward_batch(
        &self,
        xs: &[Self::Input],
        ys: &mut [Self::Output],
        workspace: &mut [T],
    ) -> Result<(), BatchError> {
        check_batch(xs.len(), &[ys.len()], workspace.len(), 0)?;
        if Self::FORWARD_LANES {
            conv2d_forward_lanes(xs, &self.weights, &self.bias, &Self::WINDOW, ys);
        } else {
            for (x, y) in xs.iter().zip(ys) {
                kernel::forward(x, &self.weights, &self.bias, &Self::WINDOW, y);
            }
        }
        Ok(())
    }
}

impl<
    const H: usize,
    const W: usize,
    const C: usize,
    const O: usize,
    const KH: usize,
    const KW: usize,
    const SH: usize,
    const SW: usize,
    P: Padding,
    const OH: usize,
    const OW: usize,
    T: Scalar,
> Train for Conv2d<H, W, C, O, KH, KW, SH, SW, P, OH, OW, T>
{
    type Cache = [[[T; C]; W]; H];

    #[inline]
    fn forward_train(&self, x: &Self::Input) -> (Self::Output, Self::Cache) {
        (self.forward(x), *x)
    }

    #[inline]
    fn backward(&self, x: &Self::Cache, g: &Self::Output, grads: &mut Self) -> Self::Input {
        kernel::backward_params(x, &Self::WINDOW, g, &mut grads.weights, &mut grads.bias);
        let mut dx = [[[T::zero(); C]; W]; H];
        kernel::backward_input(&self.weights, &Self::WINDOW, g, &mut dx);
        dx
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
        let mut dx = [[[T::zero(); C]; W]; H];
        kernel::backward_params(x, &Self::WINDOW, g, &mut grads.weights, &mut grads.bias);
        if M::INPUT {
            kernel::backward_input(&self.weights, &Self::WINDOW, g, &mut dx);
        }
        dx
    }

    /// The parameter gradients of the whole batch with the output channels in vector
    /// lanes (`src/conv/lanes.rs`; sample by sample on microcontrollers), the
    /// input gradients sample by sample; the cache is the
    /// input, so nothing is recomputed. The same bits as [`backward`](Train::backward)
    /// applied sample after sample.
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
        if Self::PARAMS_LANES {
            conv2d_params_lanes(xs, win, grad_ys, &mut grads.weights, &mut grads.bias);
        } else {
            for (x, g) in xs.iter().zip(grad_ys) {
                kernel::backward_params(x, win, g, &mut grads.weights, &mut grads.bias);
            }
        }
        if let Some(dxs) = grad_xs {
            for (g, dx) in grad_ys.iter().zip(dxs) {
                kernel::backward_input(&self.weights, win, g, dx);
            }
        }
        Ok(())
    }
}
