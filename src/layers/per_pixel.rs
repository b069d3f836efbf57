//! A vector layer applied to every pixel of an image.

use crate::batch::{BatchError, check_batch};
use crate::init::Init;
use crate::layer::mode::{self, Mode};
use crate::layer::{Layer, Train, fingerprint};
use crate::params::Params;
use crate::scalar::Scalar;
use crate::weights::ParamCount;
use rand_core::Rng;

/// The layer `L` (from `[T; C]` to `[T; D]`) applied to each pixel of an `H × W` image on
/// its own, with the same parameters everywhere: an `H × W × C` image becomes `H × W × D`.
///
/// This is how an element-wise activation follows a convolution —
/// `PerPixel<Relu<16>, 8, 8>` is a ReLU on an 8×8×16 image — and, with a
/// [`Dense<C, D>`](crate::Dense) inside, it is a 1×1 ("pointwise") convolution, weights
/// `[D][C]`.
///
/// **Forward:** `y[iy][ix] = L(x[iy][ix])`.
///
/// **Backward:** `∂E/∂x[iy][ix] = L'ᵀ · ∂E/∂y[iy][ix]` pixel by pixel, and `L`'s parameter
/// gradients summed over the pixels in scan order (rows, then columns). The cache is
/// `L`'s cache for every pixel.
///
/// Its parameters are `L`'s (one set for the whole image), so its parameter count,
/// walks and byte image are `L`'s.
///
/// ```
/// use typenet::{Layer, PerPixel, Relu};
/// let relu = PerPixel::<Relu<2>, 1, 2>::new(Relu::new());
/// assert_eq!(relu.forward(&[[[-1.0, 2.0], [3.0, -4.0]]]), [[[0.0, 2.0], [3.0, 0.0]]]);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, crate::Zeroable)]
pub struct PerPixel<L, const H: usize, const W: usize> {
    /// The layer applied to each pixel.
    pub layer: L,
}

impl<L, const H: usize, const W: usize> PerPixel<L, H, W> {
    /// `layer` applied to each pixel. A `const fn`, so a trained network can be a `static`.
    pub const fn new(layer: L) -> Self {
        Self { layer }
    }
}

impl<T, L: Params<T>, const H: usize, const W: usize> Params<T> for PerPixel<L, H, W> {
    const COUNT: usize = L::COUNT;
    const SHAPE_FINGERPRINT: u64 = fingerprint::then(
        fingerprint::layer("PerPixel", &[H, W]),
        L::SHAPE_FINGERPRINT,
    );

    #[inline]
    fn zero_value() -> Self {
        Self::new(L::zero_value())
    }

    #[inline]
    fn each_param<F: FnMut(&[T])>(&self, f: &mut F) {
        self.layer.each_param(f);
    }

    #[inline]
    fn each_param_mut<F: FnMut(&mut [T])>(&mut self, f: &mut F) {
        self.layer.each_param_mut(f);
    }

    #[inline]
    fn zip_each<const K: usize, F>(&mut self, grads: &Self, mut state: [&mut Self; K], f: &mut F)
    where
        F: FnMut(&mut [T], &[T], [&mut [T]; K]),
    {
        self.layer
            .zip_each(&grads.layer, state.each_mut().map(|s| &mut s.layer), f);
    }

    fn init_each<R: Rng + ?Sized>(&mut self, init: Init, rng: &mut R) {
        self.layer.init_each(init, rng);
    }
}

impl<T, L, const C: usize, const D: usize, const H: usize, const W: usize> Layer
    for PerPixel<L, H, W>
where
    T: Scalar,
    L: Layer<Scalar = T, Input = [T; C], Output = [T; D]>,
{
    type Scalar = T;
    type Input = [[[T; C]; W]; H];
    type Output = [[[T; D]; W]; H];

    /// Where the target has vector registers and `L` needs no batch workspace, the
    /// pixels go through `L`'s [`forward_batch`](Layer::forward_batch) as one batch (for
    /// a [`Dense`](crate::Dense), a blocked matrix product); the same bits.
    #[inline]
    fn forward(&self, x: &Self::Input) -> Self::Output {
        let mut y = [[[T::zero(); D]; W]; H];
        if VECTOR_TARGET
            && L::BATCH_WORKSPACE == 0
            && self
                .layer
                .forward_batch(x.as_flattened(), y.as_flattened_mut(), &mut [])
                .is_ok()
        {
            return y;
        }
        for (y_row, x_row) in y.iter_mut().zip(x) {
            for (y_px, x_px) in y_row.iter_mut().zip(x_row) {
                *y_px = self.layer.forward(x_px);
            }
        }
        y
    }

    /// `L`'s workspace for each pixel.
    const BATCH_WORKSPACE: usize = H * W * L::BATCH_WORKSPACE;

    /// The pixels of every sample, in order, as one batch through `L`'s
    /// [`forward_batch`](Layer::forward_batch): the same bits as
    /// [`forward`](Layer::forward) on each sample.
    fn forward_batch(
        &self,
        xs: &[Self::Input],
        ys: &mut [Self::Output],
        workspace: &mut [T],
    ) -> Result<(), BatchError> {
        check_batch(
            xs.len(),
            &[ys.len()],
            workspace.len(),
            Self::BATCH_WORKSPACE,
        )?;
        let (px, py) = (xs.as_flattened(), ys.as_flattened_mut());
        self.layer
            .forward_batch(px.as_flattened(), py.as_flattened_mut(), workspace)
    }
}

/// Whether the target has vector registers (as [`Dense`](crate::Dense)'s blocked
/// kernels): a microcontroller runs the pixel loop, as before.
const VECTOR_TARGET: bool = cfg!(any(
    target_arch = "x86_64",
    target_arch = "x86",
    target_arch = "aarch64"
));

impl<T, L, const C: usize, const D: usize, const H: usize, const W: usize> Train
    for PerPixel<L, H, W>
where
    T: Scalar,
    L: Train + Layer<Scalar = T, Input = [T; C], Output = [T; D]>,
{
    type Cache = [[L::Cache; W]; H];

    #[inline]
    fn forward_train(&self, x: &Self::Input) -> (Self::Output, Self::Cache) {
        let mut y = [[[T::zero(); D]; W]; H];
        let cache = core::array::from_fn(|iy| {
            core::array::from_fn(|ix| {
                let (out, c) = self.layer.forward_train(&x[iy][ix]);
                y[iy][ix] = out;
                c
            })
        });
        (y, cache)
    }

    #[inline]
    fn backward(&self, cache: &Self::Cache, g: &Self::Output, grads: &mut Self) -> Self::Input {
        self.backward_with::<mode::Accumulate>(cache, g, grads)
    }

    /// Pixel by pixel in scan order; the first pixel in the mode `M` (setting or adding
    /// the parameter gradients), every later one adding to it.
    #[inline]
    fn backward_with<M: Mode>(
        &self,
        cache: &Self::Cache,
        g: &Self::Output,
        grads: &mut Self,
    ) -> Self::Input {
        let mut dx = [[[T::zero(); C]; W]; H];
        let mut first = true;
        for ((dx_row, c_row), g_row) in dx.iter_mut().zip(cache).zip(g) {
            for ((dx_px, c_px), g_px) in dx_row.iter_mut().zip(c_row).zip(g_row) {
                *dx_px = match (first, M::INPUT) {
                    (true, _) => self.layer.backward_with::<M>(c_px, g_px, &mut grads.layer),
                    (false, true) => {
                        self.layer
                            .backward_with::<mode::Accumulate>(c_px, g_px, &mut grads.layer)
                    }
                    (false, false) => self.layer.backward_with::<mode::AccumulateParams>(
                        c_px,
                        g_px,
                        &mut grads.layer,
                    ),
                };
                first = false;
            }
        }
        dx
    }

    /// The inner layer's training form on the batch's `N·H·W` pixels at once, in sample
    /// order and within a sample in scan order: the same values, and the same order of
    /// parameter-gradient additions, as pixel by pixel, for a layer that treats each
    /// pixel on its own; a [`BatchNorm`](crate::BatchNorm) inside takes its statistics
    /// over all of them (PyTorch's `BatchNorm2d`).
    fn forward_batch_train(
        &self,
        xs: &[Self::Input],
        ys: &mut [Self::Output],
        workspace: &mut [T],
    ) -> Result<(), BatchError> {
        check_batch(
            xs.len(),
            &[ys.len()],
            workspace.len(),
            Self::BATCH_WORKSPACE,
        )?;
        self.layer.forward_batch_train(
            xs.as_flattened().as_flattened(),
            ys.as_flattened_mut().as_flattened_mut(),
            workspace,
        )
    }

    /// As [`forward_batch_train`](Self::forward_batch_train): the inner layer's
    /// training backward on all the batch's pixels.
    fn backward_batch_train(
        &self,
        xs: &[Self::Input],
        ys: &[Self::Output],
        grad_ys: &[Self::Output],
        grad_xs: Option<&mut [Self::Input]>,
        grads: &mut Self,
        workspace: &mut [T],
    ) -> Result<(), BatchError> {
        self.backward_pixels::<true>(xs, ys, grad_ys, grad_xs, grads, workspace)
    }

    /// The pixels of every sample, in order, as one batch through `L`'s
    /// [`backward_batch`](Train::backward_batch): the parameter gradients of pixel after
    /// pixel, sample after sample, as [`backward`](Train::backward) adds them.
    fn backward_batch(
        &self,
        xs: &[Self::Input],
        ys: &[Self::Output],
        grad_ys: &[Self::Output],
        grad_xs: Option<&mut [Self::Input]>,
        grads: &mut Self,
        workspace: &mut [T],
    ) -> Result<(), BatchError> {
        self.backward_pixels::<false>(xs, ys, grad_ys, grad_xs, grads, workspace)
    }

    /// The inner layer's hook, for a batch of `batch·H·W` pixels.
    fn after_batch_step(&mut self, batch: usize, workspace: &[T]) {
        if let Some(pixels) = batch.checked_mul(H * W) {
            self.layer.after_batch_step(pixels, workspace);
        }
    }
}

impl<T, L, const C: usize, const D: usize, const H: usize, const W: usize> PerPixel<L, H, W>
where
    T: Scalar,
    L: Train + Layer<Scalar = T, Input = [T; C], Output = [T; D]>,
{
    /// The batch's `N·H·W` pixels as one batch through `L`'s
    /// [`backward_batch_train`](Train::backward_batch_train) (`TRAIN`) or
    /// [`backward_batch`](Train::backward_batch).
    #[inline]
    fn backward_pixels<const TRAIN: bool>(
        &self,
        xs: &[[[[T; C]; W]; H]],
        ys: &[[[[T; D]; W]; H]],
        grad_ys: &[[[[T; D]; W]; H]],
        grad_xs: Option<&mut [[[[T; C]; W]; H]]>,
        grads: &mut Self,
        workspace: &mut [T],
    ) -> Result<(), BatchError> {
        let n = xs.len();
        let dxn = grad_xs.as_ref().map_or(n, |d| d.len());
        check_batch(
            n,
            &[ys.len(), grad_ys.len(), dxn],
            workspace.len(),
            Self::BATCH_WORKSPACE,
        )?;
        let (px, py, pg) = (
            xs.as_flattened().as_flattened(),
            ys.as_flattened().as_flattened(),
            grad_ys.as_flattened().as_flattened(),
        );
        let pdx = grad_xs.map(|d| d.as_flattened_mut().as_flattened_mut());
        if TRAIN {
            (self.layer).backward_batch_train(px, py, pg, pdx, &mut grads.layer, workspace)
        } else {
            (self.layer).backward_batch(px, py, pg, pdx, &mut grads.layer, workspace)
        }
    }
}

impl<L: ParamCount, const H: usize, const W: usize> ParamCount for PerPixel<L, H, W>
where
    Self: Layer,
{
    type Count = L::Count;
}
