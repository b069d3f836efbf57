//! The layers: one file each.
//!
//! A new element-wise activation is a file with two functions — the forward `f(x)` and its
//! derivative in terms of what the cache holds — and one `activation!` line (a crate-private macro).

mod dense;
mod identity;
mod leaky_relu;
mod relu;
mod sigmoid;
pub(crate) mod softmax;
mod step;
mod tanh;

pub use dense::Dense;
pub use identity::Identity;
pub use leaky_relu::LeakyRelu;
pub use relu::Relu;
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
macro_rules! activation {
    ($(#[$doc:meta])* $name:ident, cache = $cache:ident) => {
        $(#[$doc])*
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

        impl<const N: usize, T: $crate::Scalar> $crate::Layer for $name<N, T> {
            type Scalar = T;
            type Input = [T; N];
            type Output = [T; N];
            type Cache = $crate::layers::activation!(@cache_ty $cache, T, N);

            const PARAM_COUNT: usize = 0;
            const FINGERPRINT: u64 = $crate::fingerprint::layer(stringify!($name), &[N]);

            #[inline]
            fn forward(&self, x: &[T; N]) -> [T; N] {
                x.map(f)
            }

            #[inline]
            #[allow(clippy::unused_unit)]
            fn forward_train(&self, x: &[T; N]) -> ([T; N], Self::Cache) {
                let y = self.forward(x);
                (y, $crate::layers::activation!(@cache_val $cache, x, y))
            }

            #[inline]
            fn backward(&self, cache: &Self::Cache, grad: &[T; N], _grads: &mut Self) -> [T; N] {
                let mut dx = *grad;
                $crate::layers::activation!(@apply $cache, dx, cache);
                dx
            }

            fn zeroed() -> Self {
                Self::new()
            }

            fn visit_params<F: FnMut(&[T])>(&self, _: &mut F) {}

            fn visit_params_mut<F: FnMut(&mut [T])>(&mut self, _: &mut F) {}

            fn zip_params<const K: usize, F>(&mut self, _: &Self, _: [&mut Self; K], _: &mut F)
            where
                F: FnMut(&mut [T], &[T], [&mut [T]; K]),
            {
            }

            fn init_params<R: rand_core::Rng + ?Sized>(&mut self, _: $crate::Init, _: &mut R) {}
        }
    };
    (@cache_ty none, $t:ty, $n:ident) => { () };
    (@cache_ty $other:ident, $t:ty, $n:ident) => { [$t; $n] };
    (@cache_val input, $x:ident, $y:ident) => { *$x };
    (@cache_val output, $x:ident, $y:ident) => { $y };
    (@cache_val none, $x:ident, $y:ident) => { () };
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
