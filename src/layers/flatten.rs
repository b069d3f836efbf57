//! Flatten: an image as a vector.

use crate::Params;
use crate::batch::{BatchError, check_batch};
use crate::conv::flatten as kernel;
use crate::layer::{Layer, Train};
use crate::scalar::Scalar;
use core::marker::PhantomData;

/// An `H × W × C` image as a vector of `N = H·W·C` values, in TFLite's order (row by row,
/// pixel by pixel, channels innermost: the image's own memory order), so that a
/// [`Dense`](crate::Dense) can follow convolutions and an imported classifier's weights
/// line up.
///
/// **Forward:** `v[(iy·W + ix)·C + c] = x[iy][ix][c]`. **Backward:** the inverse copy.
/// No parameters, no cache.
///
/// `N` is written in the type (stable Rust cannot write `[T; H * W * C]` for generic
/// sizes) and checked when the layer is used; a wrong `N` is a compile error naming both
/// shapes:
///
/// ```text
/// Flatten: a 25×20×8 input has 4000 values, but the output is declared with 4096
/// ```
///
/// A `Dense` written with the wrong width after a correct `Flatten` is the usual size
/// error of a network: "`Flatten<25, 20, 8, 4000>` outputs `[f32; 4000]`, but the next
/// layer, `Dense<4096, 4>`, takes `[f32; 4096]`".
///
/// ```
/// use typenet::{Flatten, Layer};
/// let x = [[[1.0, 2.0], [3.0, 4.0]]]; // 1×2×2
/// assert_eq!(Flatten::<1, 2, 2, 4>::new().forward(&x), [1.0, 2.0, 3.0, 4.0]);
/// ```
#[derive(Params)]
#[params(scalar = T)]
pub struct Flatten<const H: usize, const W: usize, const C: usize, const N: usize, T = f32> {
    _scalar: PhantomData<fn() -> T>,
}

/// Writes a [`Flatten`] type from an image size, computing its length:
/// `flatten!([25, 20, 8])` is `Flatten<25, 20, 8, 4000>` (`flatten!([25, 20, 8], f64)`
/// in `f64`).
///
/// ```
/// use typenet::{Flatten, flatten};
/// let _: flatten!([25, 20, 8]) = Flatten::<25, 20, 8, 4000>::new();
/// ```
#[macro_export]
macro_rules! flatten {
    ([$h:expr, $w:expr, $c:expr] $(, $t:ty)? $(,)?) => {
        $crate::Flatten<{ $h }, { $w }, { $c }, { ($h) * ($w) * ($c) } $(, $t)?>
    };
}

impl<const H: usize, const W: usize, const C: usize, const N: usize, T> Flatten<H, W, C, N, T> {
    /// The layer. It has no parameters, so every value is the same.
    pub const fn new() -> Self {
        Self {
            _scalar: PhantomData,
        }
    }
}

impl<const H: usize, const W: usize, const C: usize, const N: usize, T> Default
    for Flatten<H, W, C, N, T>
{
    fn default() -> Self {
        Self::new()
    }
}

impl<const H: usize, const W: usize, const C: usize, const N: usize, T> Clone
    for Flatten<H, W, C, N, T>
{
    fn clone(&self) -> Self {
        *self
    }
}

impl<const H: usize, const W: usize, const C: usize, const N: usize, T> Copy
    for Flatten<H, W, C, N, T>
{
}

impl<const H: usize, const W: usize, const C: usize, const N: usize, T> PartialEq
    for Flatten<H, W, C, N, T>
{
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl<const H: usize, const W: usize, const C: usize, const N: usize, T> core::fmt::Debug
    for Flatten<H, W, C, N, T>
{
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Flatten<{H}×{W}×{C} → {N}>")
    }
}

impl<const H: usize, const W: usize, const C: usize, const N: usize, T: Scalar> Layer
    for Flatten<H, W, C, N, T>
{
    type Scalar = T;
    type Input = [[[T; C]; W]; H];
    type Output = [T; N];

    #[inline]
    fn forward(&self, x: &Self::Input) -> [T; N] {
        kernel::forward(x)
    }

    /// The batch's memory copied in one go (the same values as
    /// [`forward`](Layer::forward), without a copy on the stack per sample).
    fn forward_batch(
        &self,
        xs: &[Self::Input],
        ys: &mut [[T; N]],
        workspace: &mut [T],
    ) -> Result<(), BatchError> {
        const { kernel::check(H, W, C, N) };
        check_batch(xs.len(), &[ys.len()], workspace.len(), 0)?;
        let flat = xs.as_flattened().as_flattened().as_flattened();
        ys.as_flattened_mut().copy_from_slice(flat);
        Ok(())
    }
}

impl<const H: usize, const W: usize, const C: usize, const N: usize, T: Scalar> Train
    for Flatten<H, W, C, N, T>
{
    type Cache = ();

    #[inline]
    fn forward_train(&self, x: &Self::Input) -> ([T; N], ()) {
        (self.forward(x), ())
    }

    #[inline]
    fn backward(&self, &(): &(), g: &[T; N], _grads: &mut Self) -> Self::Input {
        kernel::backward(g)
    }

    /// The gradients' memory copied back in one go, if asked for (nothing to recompute:
    /// the layer has no cache and no parameters).
    fn backward_batch(
        &self,
        xs: &[Self::Input],
        ys: &[[T; N]],
        grad_ys: &[[T; N]],
        grad_xs: Option<&mut [Self::Input]>,
        _grads: &mut Self,
        workspace: &mut [T],
    ) -> Result<(), BatchError> {
        const { kernel::check(H, W, C, N) };
        let n = xs.len();
        let dxn = grad_xs.as_ref().map_or(n, |d| d.len());
        check_batch(n, &[ys.len(), grad_ys.len(), dxn], workspace.len(), 0)?;
        if let Some(dxs) = grad_xs {
            let flat = dxs.as_flattened_mut().as_flattened_mut().as_flattened_mut();
            flat.copy_from_slice(grad_ys.as_flattened());
        }
        Ok(())
    }
}

/// A signal of `L` steps of `C` channels as a vector of `N = L·C` values (steps in order,
/// channels innermost: the signal's own memory order): what [`Flatten`] is for images,
/// for [`Conv1d`](crate::Conv1d) networks. `N` is checked like `Flatten`'s.
///
/// ```
/// use typenet::{Flatten1d, Layer};
/// assert_eq!(Flatten1d::<2, 2, 4>::new().forward(&[[1.0, 2.0], [3.0, 4.0]]), [1.0, 2.0, 3.0, 4.0]);
/// ```
#[derive(Params)]
#[params(scalar = T)]
pub struct Flatten1d<const L: usize, const C: usize, const N: usize, T = f32> {
    _scalar: PhantomData<fn() -> T>,
}

impl<const L: usize, const C: usize, const N: usize, T> Flatten1d<L, C, N, T> {
    /// The layer. It has no parameters, so every value is the same.
    pub const fn new() -> Self {
        Self {
            _scalar: PhantomData,
        }
    }
}

impl<const L: usize, const C: usize, const N: usize, T> Default for Flatten1d<L, C, N, T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const L: usize, const C: usize, const N: usize, T> Clone for Flatten1d<L, C, N, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<const L: usize, const C: usize, const N: usize, T> Copy for Flatten1d<L, C, N, T> {}

impl<const L: usize, const C: usize, const N: usize, T> PartialEq for Flatten1d<L, C, N, T> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl<const L: usize, const C: usize, const N: usize, T> core::fmt::Debug for Flatten1d<L, C, N, T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Flatten1d<{L}×{C} → {N}>")
    }
}

impl<const L: usize, const C: usize, const N: usize, T: Scalar> Layer for Flatten1d<L, C, N, T> {
    type Scalar = T;
    type Input = [[T; C]; L];
    type Output = [T; N];

    #[inline]
    fn forward(&self, x: &Self::Input) -> [T; N] {
        kernel::forward(core::array::from_ref(x))
    }
}

impl<const L: usize, const C: usize, const N: usize, T: Scalar> Train for Flatten1d<L, C, N, T> {
    type Cache = ();

    #[inline]
    fn forward_train(&self, x: &Self::Input) -> ([T; N], ()) {
        (self.forward(x), ())
    }

    #[inline]
    fn backward(&self, &(): &(), g: &[T; N], _grads: &mut Self) -> Self::Input {
        let [dx] = kernel::backward::<T, 1, L, C, N>(g);
        dx
    }
}
