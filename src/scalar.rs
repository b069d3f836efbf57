//! The number types a network computes in.

use core::fmt::Debug;
use num_traits::Float;

/// A floating-point type that layers compute in: `f32` (the default everywhere) or `f64`.
///
/// The trait is implemented for exactly these two types. It adds to [`Float`] the few
/// conversions the library needs without a fallible `NumCast` (which would leave a panic
/// path in firmware).
pub trait Scalar: Float + Debug + Default + Send + Sync + 'static {
    /// A short name for the type, used in messages and byte-image headers.
    const NAME: &'static str;
    /// Converts from `f64`, rounding to nearest for `f32`.
    fn from_f64(v: f64) -> Self;
    /// Converts to `f64` exactly.
    fn to_f64(self) -> f64;
    /// Converts a count (a layer's fan-in, a batch size), rounding to nearest.
    fn from_usize(n: usize) -> Self;
    /// A draw from `U(0, 1)` with the precision of the type: the top 24 bits of a `u32` for
    /// `f32`, the top 53 bits of a `u64` for `f64`. Computing in the network's own type
    /// keeps double-precision arithmetic, which small microcontrollers emulate in
    /// software, out of `f32` firmware.
    fn unit<R: rand_core::Rng + ?Sized>(rng: &mut R) -> Self;
    /// `1/2`, used by the `½ Σ (y − t)²` convention.
    #[inline]
    fn half() -> Self {
        Self::from_f64(0.5)
    }
}

impl Scalar for f32 {
    const NAME: &'static str = "f32";
    #[inline]
    fn from_usize(n: usize) -> Self {
        n as f32
    }
    #[inline]
    fn unit<R: rand_core::Rng + ?Sized>(rng: &mut R) -> Self {
        (rng.next_u32() >> 8) as f32 * (1.0 / (1u32 << 24) as f32)
    }
    #[inline]
    fn from_f64(v: f64) -> Self {
        v as f32
    }
    #[inline]
    fn to_f64(self) -> f64 {
        f64::from(self)
    }
}

impl Scalar for f64 {
    const NAME: &'static str = "f64";
    #[inline]
    fn from_usize(n: usize) -> Self {
        n as f64
    }
    #[inline]
    fn unit<R: rand_core::Rng + ?Sized>(rng: &mut R) -> Self {
        (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
    #[inline]
    fn from_f64(v: f64) -> Self {
        v
    }
    #[inline]
    fn to_f64(self) -> f64 {
        self
    }
}

/// A fixed-size vector of scalars: what flows between layers. Implemented for `[T; N]`.
///
/// Layers name their input and output as plain arrays, so a user passes `&[0.0, 1.0]`
/// and gets an array back. This trait lets generic code (losses, the gradient check)
/// treat those arrays as slices without knowing `N`.
pub trait Vector<T>: Copy {
    /// The number of elements.
    const LEN: usize;
    /// A vector of zeros.
    fn zeros() -> Self;
    /// The elements as a slice.
    fn as_slice(&self) -> &[T];
    /// The elements as a mutable slice.
    fn as_mut_slice(&mut self) -> &mut [T];
}

impl<T: Scalar, const N: usize> Vector<T> for [T; N] {
    const LEN: usize = N;
    #[inline]
    fn zeros() -> Self {
        [T::zero(); N]
    }
    #[inline]
    fn as_slice(&self) -> &[T] {
        self
    }
    #[inline]
    fn as_mut_slice(&mut self) -> &mut [T] {
        self
    }
}
