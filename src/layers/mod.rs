//! The layers, one file each: [`Dense`], the only one with parameters, and the
//! element-wise activations [`Sigmoid`], [`Tanh`], [`Relu`], [`LeakyRelu`], [`Step`] and
//! [`Identity`], and [`Softmax`].
//!
//! Convolutional layers work on images `[[[T; C]; W]; H]` (channels last, TFLite's
//! order): [`Conv2d`], [`DepthwiseConv2d`], [`Conv1d`] (on signals `[[T; C]; L]`), [`MaxPool2d`], [`AvgPool2d`], [`GlobalAvgPool2d`], [`Flatten`]
//! (image → vector), [`PerPixel`] (a vector layer on every pixel: activations after a
//! convolution, or a 1×1 convolution with a `Dense` inside), [`Relu6`], and
//! [`Residual`] (`x + block(x)`) and [`Parallel`] (`a(x) + b(x)`, a projection shortcut). Their output sizes are in their types, checked at
//! compile time; [`conv2d!`](crate::conv2d), [`pool2d!`](crate::pool2d) and
//! [`flatten!`](crate::flatten) compute them (see [`Conv2d`]).
//!
//! Each layer's documentation gives its forward formula and the local derivatives its
//! backward applies. All are generic over their sizes and a scalar type (`f32` unless
//! named), and can be built by `const fn`, so a trained network can be a `static`. Any type implementing [`Layer`](crate::Layer) can join them
//! in a network; [`check_gradients`](crate::check_gradients) checks its backward. The
//! [custom_layers](crate::custom_layers) guide writes one from outside the crate.
//!
//! Inside the crate, a new element-wise activation is a file with two functions — the
//! forward `f(x)` and its derivative in terms of what the cache holds — and one
//! `activation!` call, plus its `mod` and `pub use` here; a layer with parameters is a
//! file with a `#[derive(Params)]` struct, `impl Layer` and `impl Train`. Nothing else in
//! the crate names a layer: its parameter count, walks, byte image, serde and `Zeroable`
//! follow from the struct's declaration.

mod batch_norm;
mod conv1d;
mod conv2d;
mod dense;
mod depthwise;
mod flatten;
mod identity;
mod leaky_relu;
mod per_pixel;
mod pool;
mod relu;
mod relu6;
mod residual;
mod sigmoid;
pub(crate) mod softmax;
mod step;
mod tanh;
#[cfg(feature = "serde")]
mod wrappers_serde;

pub use batch_norm::BatchNorm;
pub use conv1d::Conv1d;
pub use conv2d::{Conv2d, Padding, Same, Valid, out_size};
pub use dense::{BLOCKED_MIN, Dense};
pub use depthwise::DepthwiseConv2d;
pub use flatten::{Flatten, Flatten1d};
pub use identity::Identity;
pub use leaky_relu::LeakyRelu;
pub use per_pixel::PerPixel;
pub use pool::{AvgPool2d, GlobalAvgPool2d, MaxPool2d};
pub use relu::Relu;
pub use relu6::Relu6;
pub use residual::{KeepsShape, Parallel, Residual, SameShapes};
pub use sigmoid::Sigmoid;
pub use softmax::Softmax;
pub use step::Step;
pub use tanh::Tanh;

/// Defines an element-wise activation layer `$name<N, T = f32>` from the functions `f`
/// and `df` in the invoking module.
///
/// `cache` says what backward needs: `input` (df takes `x`), `output` (df takes `y`,
/// as for the sigmoid, whose derivative is cheapest from its output) or `none` (df is a
/// constant and takes zero).
///
/// `batch = fwd, bwd` (optional, `cache = input` only) names whole-batch kernels on flat
/// slices, `fwd(xs, ys)` and `bwd(xs, grad_ys, grad_xs)`, giving the same bits as `f` and
/// `df` element by element: `forward_batch` and `backward_batch` use them for batches of
/// at least `crate::kernels::ELEMENTWISE_MIN` scalars (on vector targets).
macro_rules! activation {
    ($(#[$doc:meta])* $name:ident, cache = $cache:ident $(, batch = $kf:path, $kb:path)?) => {
        $crate::layers::parameterless!($(#[$doc])* $name);

        impl<const N: usize, T: $crate::Scalar> $crate::Layer for $name<N, T> {
            type Scalar = T;
            type Input = [T; N];
            type Output = [T; N];

            #[inline]
            fn forward(&self, x: &[T; N]) -> [T; N] {
                // a plain loop rather than `map`, which the compiler left as a call
                // (a third of an XOR training step, measured)
                let mut y = *x;
                for v in &mut y {
                    *v = f(*v);
                }
                y
            }

            $crate::layers::activation!(@forward_batch $($kf)?);
        }

        impl<const N: usize, T: $crate::Scalar> $crate::Train for $name<N, T> {
            type Cache = $crate::layers::activation!(@cache_ty $cache, T, N);

            #[inline]
            #[allow(clippy::unused_unit)]
            fn forward_train(&self, x: &[T; N]) -> ([T; N], Self::Cache) {
                let y = <Self as $crate::Layer>::forward(self, x);
                (y, $crate::layers::activation!(@cache_val $cache, x, y))
            }

            #[inline]
            fn backward(&self, cache: &Self::Cache, grad: &[T; N], _grads: &mut Self) -> [T; N] {
                let mut dx = *grad;
                $crate::layers::activation!(@apply $cache, dx, cache);
                dx
            }

            /// Element-wise from what the cache would hold, without recomputing it.
            fn backward_batch(
                &self,
                xs: &[[T; N]],
                ys: &[[T; N]],
                grad_ys: &[[T; N]],
                grad_xs: Option<&mut [[T; N]]>,
                _grads: &mut Self,
                workspace: &mut [T],
            ) -> Result<(), $crate::BatchError> {
                let n = xs.len();
                let dxn = grad_xs.as_ref().map_or(n, |d| d.len());
                $crate::batch::check_batch(n, &[ys.len(), grad_ys.len(), dxn], workspace.len(), 0)?;
                if let Some(dxs) = grad_xs {
                    $crate::layers::activation!(
                        @backward_batch [$($kb)?] $cache, xs, ys, grad_ys, dxs
                    );
                }
                Ok(())
            }
        }
    };
    (@forward_batch) => {};
    (@forward_batch $kf:path) => {
        /// Element-wise on the whole batch at once: the same bits as
        /// `forward` on each sample.
        fn forward_batch(
            &self,
            xs: &[[T; N]],
            ys: &mut [[T; N]],
            workspace: &mut [T],
        ) -> Result<(), $crate::BatchError> {
            $crate::batch::check_batch(xs.len(), &[ys.len()], workspace.len(), 0)?;
            if $crate::kernels::elementwise_blocked(xs.len() * N) {
                $kf(xs.as_flattened(), ys.as_flattened_mut());
            } else {
                for (x, y) in xs.iter().zip(ys) {
                    *y = <Self as $crate::Layer>::forward(self, x);
                }
            }
            Ok(())
        }
    };
    (@backward_batch [] $cache:ident, $xs:ident, $ys:ident, $gys:ident, $dxs:ident) => {
        for ((dx, gy), (_x, _y)) in $dxs.iter_mut().zip($gys).zip($xs.iter().zip($ys)) {
            let cache = $crate::layers::activation!(@batch_cache $cache, _x, _y);
            *dx = *gy;
            $crate::layers::activation!(@apply $cache, dx, cache);
        }
    };
    (@backward_batch [$kb:path] input, $xs:ident, $ys:ident, $gys:ident, $dxs:ident) => {
        if $crate::kernels::elementwise_blocked($xs.len() * N) {
            $kb($xs.as_flattened(), $gys.as_flattened(), $dxs.as_flattened_mut());
        } else {
            $crate::layers::activation!(@backward_batch [] input, $xs, $ys, $gys, $dxs);
        }
    };
    (@cache_ty none, $t:ty, $n:ident) => { () };
    (@cache_ty $other:ident, $t:ty, $n:ident) => { [$t; $n] };
    (@cache_val input, $x:ident, $y:ident) => { *$x };
    (@cache_val output, $x:ident, $y:ident) => { $y };
    (@cache_val none, $x:ident, $y:ident) => { () };
    (@batch_cache input, $x:ident, $y:ident) => { $x };
    (@batch_cache output, $x:ident, $y:ident) => { $y };
    (@batch_cache none, $x:ident, $y:ident) => { &() };
    (@apply none, $dx:ident, $cache:ident) => {
        let () = *$cache;
        for g in $dx.iter_mut() {
            *g = *g * df(T::zero());
        }
    };
    (@apply $other:ident, $dx:ident, $cache:ident) => {
        for (g, &c) in $dx.iter_mut().zip($cache) {
            *g = *g * df(c);
        }
    };
}
pub(crate) use activation;

/// Defines `$name<const N: usize, T = f32>`, a layer type with no parameters: a
/// zero-sized struct with `new`, and `Default`, `Clone`, `Copy`, `PartialEq` and `Debug`
/// for every `T` (derives would demand them of `T`). Used by `activation!` and `Softmax`.
macro_rules! parameterless {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive($crate::Params)]
        #[params(scalar = T)]
        pub struct $name<const N: usize, T = f32> {
            _scalar: core::marker::PhantomData<fn() -> T>,
        }

        impl<const N: usize, T> $name<N, T> {
            /// The layer. It has no parameters, so every value is the same.
            pub const fn new() -> Self {
                Self { _scalar: core::marker::PhantomData }
            }
        }

        impl<const N: usize, T> Default for $name<N, T> {
            fn default() -> Self {
                Self::new()
            }
        }

        impl<const N: usize, T> Clone for $name<N, T> {
            fn clone(&self) -> Self {
                *self
            }
        }

        impl<const N: usize, T> Copy for $name<N, T> {}

        impl<const N: usize, T> PartialEq for $name<N, T> {
            fn eq(&self, _: &Self) -> bool {
                true
            }
        }

        impl<const N: usize, T> core::fmt::Debug for $name<N, T> {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                write!(f, "{}<{}>", stringify!($name), N)
            }
        }
    };
}
pub(crate) use parameterless;
