//! Pooling layers: [`MaxPool2d`], [`AvgPool2d`] and [`GlobalAvgPool2d`].

use super::conv2d::{Padding, kind};
use crate::Params;
use crate::conv::pool as kernel;
use crate::conv::shape::Window2d;
use crate::layer::{Layer, Train};
use crate::scalar::Scalar;
use core::marker::PhantomData;

/// Defines a windowed pooling layer `$name<H, W, C, KH, KW, SH, SW, P, OH, OW, T = f32>`.
macro_rules! pool_layer {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Params)]
        #[params(scalar = T)]
        pub struct $name<
            const H: usize,
            const W: usize,
            const C: usize,
            const KH: usize,
            const KW: usize,
            const SH: usize,
            const SW: usize,
            P,
            const OH: usize,
            const OW: usize,
            T = f32,
        > {
            _marker: PhantomData<fn() -> (P, T)>,
        }

        impl<
            const H: usize,
            const W: usize,
            const C: usize,
            const KH: usize,
            const KW: usize,
            const SH: usize,
            const SW: usize,
            P: Padding,
            const OH: usize,
            const OW: usize,
            T,
        > $name<H, W, C, KH, KW, SH, SW, P, OH, OW, T>
        {
            /// The window, its sizes checked when the layer is used: a wrong output size,
            /// or a VALID window larger than the input, is a compile error naming the sizes.
            const WINDOW: Window2d =
                Window2d::new::<H, W, OH, OW>(stringify!($name), kind::<P>(), (KH, KW), (SH, SW));

            /// The layer. It has no parameters, so every value is the same.
            pub const fn new() -> Self {
                Self { _marker: PhantomData }
            }
        }

        impl<
            const H: usize,
            const W: usize,
            const C: usize,
            const KH: usize,
            const KW: usize,
            const SH: usize,
            const SW: usize,
            P: Padding,
            const OH: usize,
            const OW: usize,
            T,
        > Default for $name<H, W, C, KH, KW, SH, SW, P, OH, OW, T>
        {
            fn default() -> Self {
                Self::new()
            }
        }

        impl<
            const H: usize,
            const W: usize,
            const C: usize,
            const KH: usize,
            const KW: usize,
            const SH: usize,
            const SW: usize,
            P,
            const OH: usize,
            const OW: usize,
            T,
        > Clone for $name<H, W, C, KH, KW, SH, SW, P, OH, OW, T>
        {
            fn clone(&self) -> Self {
                *self
            }
        }

        impl<
            const H: usize,
            const W: usize,
            const C: usize,
            const KH: usize,
            const KW: usize,
            const SH: usize,
            const SW: usize,
            P,
            const OH: usize,
            const OW: usize,
            T,
        > Copy for $name<H, W, C, KH, KW, SH, SW, P, OH, OW, T>
        {
        }

        impl<
            const H: usize,
            const W: usize,
            const C: usize,
            const KH: usize,
            const KW: usize,
            const SH: usize,
            const SW: usize,
            P,
            const OH: usize,
            const OW: usize,
            T,
        > PartialEq for $name<H, W, C, KH, KW, SH, SW, P, OH, OW, T>
        {
            fn eq(&self, _: &Self) -> bool {
                true
            }
        }

        /// Shows the shapes: `MaxPool2d<8×8×16 → 4×4×16, 2×2 stride 2×2 VALID>`.
        impl<
            const H: usize,
            const W: usize,
            const C: usize,
            const KH: usize,
            const KW: usize,
            const SH: usize,
            const SW: usize,
            P: Padding,
            const OH: usize,
            const OW: usize,
            T,
        > core::fmt::Debug for $name<H, W, C, KH, KW, SH, SW, P, OH, OW, T>
        {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                write!(
                    f,
                    "{}<{H}×{W}×{C} → {OH}×{OW}×{C}, {KH}×{KW} stride {SH}×{SW} {}>",
                    stringify!($name),
                    P::NAME
                )
            }
        }
    };
}

pool_layer!(
    /// Max pooling over `KH × KW` windows with stride `SH × SW` and padding `P`, each
    /// channel on its own (TFLite's `MAX_POOL_2D`): an `H × W × C` image becomes
    /// `OH × OW × C`, the output size checked at compile time like [`Conv2d`]'s
    /// ([`pool2d!`](crate::pool2d) computes it).
    ///
    /// **Forward:** `y[oy][ox][c] = max` over the window's cells inside the input (padding
    /// cells are not values).
    ///
    /// **Backward:** the window's first maximum (in scan order) receives `∂E/∂y`, every
    /// other cell 0 (TensorFlow's `MaxPoolGrad`). The cache is the input.
    ///
    /// ```
    /// use typenet::{Layer, MaxPool2d, Valid};
    /// let pool = MaxPool2d::<2, 4, 1, 2, 2, 2, 2, Valid, 1, 2>::new();
    /// let x = [[[1.0], [5.0], [2.0], [0.0]], [[3.0], [4.0], [-1.0], [-2.0]]];
    /// assert_eq!(pool.forward(&x), [[[5.0], [2.0]]]);
    /// ```
    ///
    /// [`Conv2d`]: crate::Conv2d
    MaxPool2d
);

pool_layer!(
    /// Average pooling over `KH × KW` windows with stride `SH × SW` and padding `P`, each
    /// channel on its own (TFLite's `AVERAGE_POOL_2D`): an `H × W × C` image becomes
    /// `OH × OW × C`, the output size checked at compile time like [`Conv2d`]'s.
    ///
    /// **Forward:** `y[oy][ox][c] = (Σ x over the window's cells inside the input) / (their
    /// number)`: SAME padding does not dilute the average, as in TFLite.
    ///
    /// **Backward:** each of those cells receives `∂E/∂y / (their number)`. No cache.
    ///
    /// ```
    /// use typenet::{AvgPool2d, Layer, Valid};
    /// let pool = AvgPool2d::<2, 2, 1, 2, 2, 2, 2, Valid, 1, 1>::new();
    /// assert_eq!(pool.forward(&[[[1.0], [2.0]], [[3.0], [6.0]]]), [[[3.0]]]);
    /// ```
    ///
    /// [`Conv2d`]: crate::Conv2d
    AvgPool2d
);

/// Writes a [`MaxPool2d`] or [`AvgPool2d`] type from its input size, window, stride and
/// padding, computing the output size:
///
/// ```
/// use typenet::{MaxPool2d, Valid, pool2d};
/// type Pool = pool2d!(MaxPool2d [25, 20, 8], window [2, 2], stride [2, 2], Valid);
/// let _: Pool = MaxPool2d::<25, 20, 8, 2, 2, 2, 2, Valid, 12, 10>::new();
/// ```
#[macro_export]
macro_rules! pool2d {
    ($kind:ident [$h:expr, $w:expr, $c:expr], window [$kh:expr, $kw:expr], stride [$sh:expr, $sw:expr], $pad:ident $(, $t:ty)? $(,)?) => {
        $crate::$kind<
            { $h }, { $w }, { $c }, { $kh }, { $kw }, { $sh }, { $sw }, $crate::$pad,
            { $crate::out_size::<$crate::$pad>($h, $kh, $sh) },
            { $crate::out_size::<$crate::$pad>($w, $kw, $sw) }
            $(, $t)?
        >
    };
}

impl<
    const H: usize,
    const W: usize,
    const C: usize,
    const KH: usize,
    const KW: usize,
    const SH: usize,
    const SW: usize,
    P: Padding,
    const OH: usize,
    const OW: usize,
    T: Scalar,
> Layer for MaxPool2d<H, W, C, KH, KW, SH, SW, P, OH, OW, T>
{
    type Scalar = T;
    type Input = [[[T; C]; W]; H];
    type Output = [[[T; C]; OW]; OH];

    #[inline]
    fn forward(&self, x: &Self::Input) -> Self::Output {
        let mut y = [[[T::zero(); C]; OW]; OH];
        kernel::max_forward(x, &Self::WINDOW, &mut y);
        y
    }
}

impl<
    const H: usize,
    const W: usize,
    const C: usize,
    const KH: usize,
    const KW: usize,
    const SH: usize,
    const SW: usize,
    P: Padding,
    const OH: usize,
    const OW: usize,
    T: Scalar,
> Train for MaxPool2d<H, W, C, KH, KW, SH, SW, P, OH, OW, T>
{
    type Cache = [[[T; C]; W]; H];

    #[inline]
    fn forward_train(&self, x: &Self::Input) -> (Self::Output, Self::Cache) {
        (self.forward(x), *x)
    }

    #[inline]
    fn backward(&self, x: &Self::Cache, g: &Self::Output, _grads: &mut Self) -> Self::Input {
        let mut dx = [[[T::zero(); C]; W]; H];
        kernel::max_backward(x, &Self::WINDOW, g, &mut dx);
        dx
    }
}

impl<
    const H: usize,
    const W: usize,
    const C: usize,
    const KH: usize,
    const KW: usize,
    const SH: usize,
    const SW: usize,
    P: Padding,
    const OH: usize,
    const OW: usize,
    T: Scalar,
> Layer for AvgPool2d<H, W, C, KH, KW, SH, SW, P, OH, OW, T>
{
    type Scalar = T;
    type Input = [[[T; C]; W]; H];
    type Output = [[[T; C]; OW]; OH];

    #[inline]
    fn forward(&self, x: &Self::Input) -> Self::Output {
        let mut y = [[[T::zero(); C]; OW]; OH];
        kernel::avg_forward(x, &Self::WINDOW, &mut y);
        y
    }
}

impl<
    const H: usize,
    const W: usize,
    const C: usize,
    const KH: usize,
    const KW: usize,
    const SH: usize,
    const SW: usize,
    P: Padding,
    const OH: usize,
    const OW: usize,
    T: Scalar,
> Train for AvgPool2d<H, W, C, KH, KW, SH, SW, P, OH, OW, T>
{
    type Cache = ();

    #[inline]
    fn forward_train(&self, x: &Self::Input) -> (Self::Output, ()) {
        (self.forward(x), ())
    }

    #[inline]
    fn backward(&self, &(): &(), g: &Self::Output, _grads: &mut Self) -> Self::Input {
        let mut dx = [[[T::zero(); C]; W]; H];
        kernel::avg_backward(&Self::WINDOW, g, &mut dx);
        dx
    }
}

/// Global average pooling: an `H × W × C` image becomes the `C` channel means (TFLite's
/// `MEAN` over height and width), the usual bridge from convolutions to a classifier.
///
/// **Forward:** `y[c] = (Σ_iy,ix x[iy][ix][c]) / (H·W)`, summed in scan order.
///
/// **Backward:** every cell receives `∂E/∂y[c] / (H·W)`. No cache.
///
/// ```
/// use typenet::{GlobalAvgPool2d, Layer};
/// let gap = GlobalAvgPool2d::<1, 2, 2>::new();
/// assert_eq!(gap.forward(&[[[1.0, 10.0], [3.0, 20.0]]]), [2.0, 15.0]);
/// ```
#[derive(Params)]
#[params(scalar = T)]
pub struct GlobalAvgPool2d<const H: usize, const W: usize, const C: usize, T = f32> {
    _scalar: PhantomData<fn() -> T>,
}

impl<const H: usize, const W: usize, const C: usize, T> GlobalAvgPool2d<H, W, C, T> {
    /// The layer. It has no parameters, so every value is the same.
    pub const fn new() -> Self {
        Self {
            _scalar: PhantomData,
        }
    }
}

impl<const H: usize, const W: usize, const C: usize, T> Default for GlobalAvgPool2d<H, W, C, T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const H: usize, const W: usize, const C: usize, T> Clone for GlobalAvgPool2d<H, W, C, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<const H: usize, const W: usize, const C: usize, T> Copy for GlobalAvgPool2d<H, W, C, T> {}

impl<const H: usize, const W: usize, const C: usize, T> PartialEq for GlobalAvgPool2d<H, W, C, T> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl<const H: usize, const W: usize, const C: usize, T> core::fmt::Debug
    for GlobalAvgPool2d<H, W, C, T>
{
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "GlobalAvgPool2d<{H}×{W}×{C} → {C}>")
    }
}

impl<const H: usize, const W: usize, const C: usize, T: Scalar> Layer
    for GlobalAvgPool2d<H, W, C, T>
{
    type Scalar = T;
    type Input = [[[T; C]; W]; H];
    type Output = [T; C];

    #[inline]
    fn forward(&self, x: &Self::Input) -> [T; C] {
        kernel::global_avg_forward(x)
    }
}

impl<const H: usize, const W: usize, const C: usize, T: Scalar> Train
    for GlobalAvgPool2d<H, W, C, T>
{
    type Cache = ();

    #[inline]
    fn forward_train(&self, x: &Self::Input) -> ([T; C], ()) {
        (self.forward(x), ())
    }

    #[inline]
    fn backward(&self, &(): &(), g: &[T; C], _grads: &mut Self) -> Self::Input {
        kernel::global_avg_backward(g)
    }
}
