//! Int8 glue for image networks: a vector layer on every pixel, flattening, and global
//! average pooling.

use super::pool::average_pool;
use super::{Activation, OutputQuant, Padding, QLayer, QuantError, QuantParams, Window};

/// The int8 layer `L` (from `[i8; C]` to `[i8; D]`) applied to each pixel of an `H × W`
/// image: the int8 twin of [`PerPixel`](crate::PerPixel). With a [`QTable`](super::QTable)
/// inside, it is an element-wise activation (ReLU, ReLU6, …) on an image.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QPerPixel<L, const H: usize, const W: usize> {
    layer: L,
}

impl<L, const H: usize, const W: usize> QPerPixel<L, H, W> {
    /// `layer` applied to each pixel.
    pub const fn new(layer: L) -> Self {
        Self { layer }
    }

    /// The layer applied to each pixel.
    pub const fn layer(&self) -> &L {
        &self.layer
    }
}

impl<L, const H: usize, const W: usize, const C: usize, const D: usize> QLayer
    for QPerPixel<L, H, W>
where
    L: QLayer<Input = [i8; C], Output = [i8; D]>,
{
    type Input = [[[i8; C]; W]; H];
    type Output = [[[i8; D]; W]; H];

    #[inline]
    fn forward(&self, x: &Self::Input) -> Self::Output {
        x.map(|row| row.map(|px| self.layer.forward(&px)))
    }
}

/// An `H × W × C` int8 image as `N = H·W·C` codes, in the image's memory order (the
/// int8 twin of [`Flatten`](crate::Flatten)); the quantization is unchanged. `N` must
/// be `H·W·C`, checked while compiling.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QFlatten<const H: usize, const W: usize, const C: usize, const N: usize>;

impl<const H: usize, const W: usize, const C: usize, const N: usize> QFlatten<H, W, C, N> {
    /// The image's codes seen as `N` codes, without copying them: what
    /// [`forward`](QLayer::forward) returns, as a borrow. A network imported with
    /// `include_tflite!` hands this to the layer after a flatten, so the image is not
    /// on the stack twice (`speech.tflite`: 4000 codes).
    #[inline]
    pub fn view<'a>(&self, x: &'a [[[i8; C]; W]; H]) -> &'a [i8; N] {
        const { assert!(N == H * W * C, "QFlatten: N must be H·W·C") };
        match x.as_flattened().as_flattened().try_into() {
            Ok(flat) => flat,
            // The lengths are equal (checked above): never taken.
            Err(_) => &[0; N],
        }
    }
}

impl<const H: usize, const W: usize, const C: usize, const N: usize> QLayer
    for QFlatten<H, W, C, N>
{
    type Input = [[[i8; C]; W]; H];
    type Output = [i8; N];

    #[inline]
    fn forward(&self, x: &Self::Input) -> [i8; N] {
        const { assert!(N == H * W * C, "QFlatten: N must be H·W·C") };
        let mut y = [0; N];
        // `x` holds exactly N codes (checked above): one copy of the same length, which
        // LLVM can then leave out (the next layer reads the image's own bytes).
        y.copy_from_slice(x.as_flattened().as_flattened());
        y
    }
}

/// Global average pooling in int8: an `H × W × C` image becomes its `C` channel means,
/// computed as TensorFlow Lite's `AVERAGE_POOL_2D` with one `H × W` window (the sum of
/// the codes divided by `H·W`, rounded half away from zero). Input and output share
/// their quantization. The int8 twin of [`GlobalAvgPool2d`](crate::GlobalAvgPool2d).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QGlobalAvgPool2d<const H: usize, const W: usize, const C: usize> {
    window: Window,
    out: OutputQuant,
}

impl<const H: usize, const W: usize, const C: usize> QGlobalAvgPool2d<H, W, C> {
    /// Pooling an image quantized with `params` (the output keeps them).
    ///
    /// # Errors
    /// [`QuantError::OutputSize`] for an empty image.
    pub fn new(params: QuantParams) -> Result<Self, QuantError> {
        Ok(Self {
            window: Window::new::<H, W, H, W, 1, 1>(Padding::Valid, 1, 1)?,
            out: OutputQuant::new(params.scale, params.zero_point, Activation::None)?,
        })
    }
}

impl<const H: usize, const W: usize, const C: usize> QLayer for QGlobalAvgPool2d<H, W, C> {
    type Input = [[[i8; C]; W]; H];
    type Output = [i8; C];

    fn forward(&self, x: &Self::Input) -> [i8; C] {
        let mut y = [[[0; C]; 1]; 1];
        average_pool::<H, W, C, H, W, 1, 1>(x, &self.window, self.out.min, self.out.max, &mut y);
        y[0][0]
    }
}
