//! The number types a network computes in.

use core::fmt::Debug;
use num_traits::Float;

/// A floating-point type that layers compute in: `f32` (the default everywhere) or `f64`.
///
/// The trait is implemented for exactly these two types. It adds to [`Float`] the few
/// conversions the library needs without a fallible `NumCast` (which would leave a panic
/// path in firmware).
pub trait Scalar:
    Float + Debug + Default + Send + Sync + 'static + crate::Elem<As<Self> = Self>
{
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
    /// `eˣ` as the activations compute it. For `f32` this is [`exp_f32`], which gives
    /// the same bits on every target and is branch-free, so element-wise layers
    /// vectorise; for `f64` it is libm's `exp`.
    #[inline]
    fn act_exp(self) -> Self {
        self.exp()
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
    fn act_exp(self) -> Self {
        exp_f32(self)
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

/// `eˣ` in `f32` from IEEE additions, multiplications and a 32-entry table only, so every
/// target (an x86 desktop, a Cortex-M4F) computes the same bits; relative error below
/// 2.4·10⁻⁷ (about 2 ulp) for `x` in `[−87.3, 88.7]`.
///
/// Why not libm's `expf`: it branches on the argument's range and divides, a function
/// call per element that took 18 ns of a 40 ns AND training step (measured with
/// `perf`). This form is a short chain of multiplies and adds with no branch, which
/// the compiler inlines (and vectorises over a layer); a small network's training step
/// waits on this chain, so it is kept short.
///
/// Method (as in glibc's and ARM's `expf`): `x = (k/32)·ln2 + r` with `k` an integer and
/// `|r| ≤ ln2/64` (Cody–Waite: `ln2/32` in two parts, so `r` is exact);
/// `eˣ = 2^(k/32)·eʳ` with `2^(j/32)` from a table and the whole powers of two added to
/// its exponent bits; `eʳ − 1` by a cubic, accurate to 6·10⁻¹⁰ on that small interval.
/// NaN stays NaN; `x > 88.71` gives `+∞` (the exact result overflows from 88.722 on, so
/// the last 0.3 % below `f32::MAX` round up to infinity); `x < −87.33`, whose exact
/// result is below the smallest normal `f32`, gives `0`.
///
/// ```
/// use typenet::scalar::exp_f32;
/// assert_eq!(exp_f32(0.0), 1.0);
/// assert!((exp_f32(1.0) - core::f32::consts::E).abs() <= f32::EPSILON * 3.0);
/// assert_eq!(exp_f32(100.0), f32::INFINITY);
/// assert_eq!(exp_f32(-200.0), 0.0);
/// assert!(exp_f32(f32::NAN).is_nan());
/// ```
#[inline]
pub fn exp_f32(x: f32) -> f32 {
    /// `2^(j/32)` for `j` in `0..32`, correctly rounded, as bits.
    const TABLE: [u32; 32] = [
        0x3f80_0000,
        0x3f82_cd87,
        0x3f85_aac3,
        0x3f88_980f,
        0x3f8b_95c2,
        0x3f8e_a43a,
        0x3f91_c3d3,
        0x3f94_f4f0,
        0x3f98_37f0,
        0x3f9b_8d3a,
        0x3f9e_f532,
        0x3fa2_7043,
        0x3fa5_fed7,
        0x3fa9_a15b,
        0x3fad_583f,
        0x3fb1_23f6,
        0x3fb5_04f3,
        0x3fb8_fbaf,
        0x3fbd_08a4,
        0x3fc1_2c4d,
        0x3fc5_672a,
        0x3fc9_b9be,
        0x3fce_248c,
        0x3fd2_a81e,
        0x3fd7_44fd,
        0x3fdb_fbb8,
        0x3fe0_ccdf,
        0x3fe5_b907,
        0x3fea_c0c7,
        0x3fef_e4ba,
        0x3ff5_257d,
        0x3ffa_83b3,
    ];
    const N_LN2: f32 = 46.166_24; // 32/ln2
    const LN2_N_HI: f32 = 0.021_652_222; // ln2/32 to 11 bits: k·LN2_N_HI is exact
    const LN2_N_LO: f32 = 8.627_713e-6;
    // adding 1.5·2²³ rounds to the nearest integer (for |v| < 2²²)
    const ROUND: f32 = 12_582_912.0;
    // above this, k reaches 4096 and 2^(k/32) overflows (true overflow is at 88.722)
    const HI: f32 = 88.71;
    const LO: f32 = -87.33;
    // No clamp on the way in: out-of-range arguments give garbage bits below, which the
    // final selects replace; keeping the clamp off the dependency chain saves cycles.
    let t = x * N_LN2 + ROUND;
    // `t`'s low mantissa bits hold k + 2²² (its ulp is 1): k without a float-to-int
    // conversion on the critical path
    let kb = t.to_bits().wrapping_sub(ROUND.to_bits());
    let kf = t - ROUND;
    let r = (x - kf * LN2_N_HI) - kf * LN2_N_LO;
    // 2^(k/32): the table entry, its exponent raised by k div 32 (arithmetic shift)
    let j = (kb & 31) as usize;
    let e = kb.cast_signed() >> 5;
    let scale = f32::from_bits(TABLE[j].wrapping_add(e.cast_unsigned() << 23));
    // eʳ − 1 ≈ r + r²/2 + r³/6
    let q = (r * (1.0 / 6.0) + 0.5) * (r * r) + r;
    let y = scale * q + scale;
    if x > HI {
        f32::INFINITY
    } else if x < LO {
        0.0
    } else {
        y
    }
}

/// A fixed-size vector of scalars: what flows between layers. Implemented for `[T; N]`,
/// and for signals `[[T; C]; L]` and images `[[[T; C]; W]; H]` (the same memory, nested).
///
/// Layers name their input and output as plain arrays, so a user passes `&[0.0, 1.0]`
/// and gets an array back. This trait lets generic code (losses, the gradient check)
/// treat those arrays as slices without knowing `N`.
pub trait Vector<T>: Copy {
    /// The number of elements.
    const LEN: usize;
    /// The sizes, outermost first: `[N]` for `[T; N]`, `[L, C]` for a signal, `[H, W, C]`
    /// for an image (what a [summary](crate::summary) shows).
    const SHAPE: &'static [usize] = &[Self::LEN];
    /// A vector of zeros.
    fn zeros() -> Self;
    /// The elements as a slice.
    fn as_slice(&self) -> &[T];
    /// The elements as a mutable slice.
    fn as_mut_slice(&mut self) -> &mut [T];
    /// A flat run of scalars seen as consecutive vectors (a trailing partial vector is
    /// left out): how the batched methods lay activations out in a workspace.
    ///
    /// For `[T; 0]` this does not compile (a post-monomorphisation error, reported when
    /// the program is built): a run of zero scalars does not say how many empty vectors
    /// it holds, so layers of width 0 have no batched form and train per sample.
    fn slice_from_flat(flat: &[T]) -> &[Self];
    /// The mutable form of [`slice_from_flat`](Vector::slice_from_flat).
    fn slice_from_flat_mut(flat: &mut [T]) -> &mut [Self];
}

/// Why a batch of `[T; 0]` cannot be laid out in a workspace: a run of zero scalars does not
/// say how many vectors it holds. Reported while compiling, where the batched path is used.
const ZERO_WIDTH: &str = "a layer of width 0 (0 inputs or 0 outputs) has no batched form: \
    train such a network per sample (`train_step`, or `Trainer` without a workspace)";

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
    #[inline]
    fn slice_from_flat(flat: &[T]) -> &[Self] {
        const { assert!(N > 0, "{}", ZERO_WIDTH) };
        flat.as_chunks::<N>().0
    }
    #[inline]
    fn slice_from_flat_mut(flat: &mut [T]) -> &mut [Self] {
        const { assert!(N > 0, "{}", ZERO_WIDTH) };
        flat.as_chunks_mut::<N>().0
    }
}

/// A signal, `L` steps of `C` channels (`[[T; C]; L]`, channels last): the same memory as
/// a flat `[T; L·C]`, which is how it is seen as a slice (see the convolutional layers,
/// [`Conv1d`](crate::Conv1d)).
impl<T: Scalar, const C: usize, const L: usize> Vector<T> for [[T; C]; L] {
    const LEN: usize = L * C;
    const SHAPE: &'static [usize] = &[L, C];
    #[inline]
    fn zeros() -> Self {
        [[T::zero(); C]; L]
    }
    #[inline]
    fn as_slice(&self) -> &[T] {
        self.as_flattened()
    }
    #[inline]
    fn as_mut_slice(&mut self) -> &mut [T] {
        self.as_flattened_mut()
    }
    #[inline]
    fn slice_from_flat(flat: &[T]) -> &[Self] {
        const { assert!(L * C > 0, "{}", ZERO_WIDTH) };
        flat.as_chunks::<C>().0.as_chunks::<L>().0
    }
    #[inline]
    fn slice_from_flat_mut(flat: &mut [T]) -> &mut [Self] {
        const { assert!(L * C > 0, "{}", ZERO_WIDTH) };
        flat.as_chunks_mut::<C>().0.as_chunks_mut::<L>().0
    }
}

/// An image, `H` rows of `W` pixels of `C` channels (`[[[T; C]; W]; H]`, channels last as
/// TFLite stores it): the same memory as a flat `[T; H·W·C]` in TFLite's order, which is
/// how it is seen as a slice (see [`Conv2d`](crate::Conv2d)).
impl<T: Scalar, const C: usize, const W: usize, const H: usize> Vector<T> for [[[T; C]; W]; H] {
    const LEN: usize = H * W * C;
    const SHAPE: &'static [usize] = &[H, W, C];
    #[inline]
    fn zeros() -> Self {
        [[[T::zero(); C]; W]; H]
    }
    #[inline]
    fn as_slice(&self) -> &[T] {
        self.as_flattened().as_flattened()
    }
    #[inline]
    fn as_mut_slice(&mut self) -> &mut [T] {
        self.as_flattened_mut().as_flattened_mut()
    }
    #[inline]
    fn slice_from_flat(flat: &[T]) -> &[Self] {
        const { assert!(H * W * C > 0, "{}", ZERO_WIDTH) };
        flat.as_chunks::<C>()
            .0
            .as_chunks::<W>()
            .0
            .as_chunks::<H>()
            .0
    }
    #[inline]
    fn slice_from_flat_mut(flat: &mut [T]) -> &mut [Self] {
        const { assert!(H * W * C > 0, "{}", ZERO_WIDTH) };
        flat.as_chunks_mut::<C>()
            .0
            .as_chunks_mut::<W>()
            .0
            .as_chunks_mut::<H>()
            .0
    }
}

#[cfg(test)]
#[allow(clippy::float_cmp)] // exact values are the point
mod tests {
    use super::exp_f32;

    #[test]
    fn exp_f32_is_within_two_ulp_of_the_exact_value_over_its_range() {
        let mut worst = 0.0f64;
        let mut x = -87.3f32;
        while x < 88.71 {
            let exact = libm::exp(f64::from(x));
            let got = f64::from(exp_f32(x));
            worst = worst.max(((got - exact) / exact).abs());
            x += 0.000_37;
        }
        assert!(worst < 2.4e-7, "worst relative error {worst}");
    }

    #[test]
    fn exp_f32_handles_the_ends_of_its_range() {
        assert_eq!(exp_f32(0.0), 1.0);
        assert_eq!(exp_f32(88.72), f32::INFINITY);
        for x in [88.705f32, 88.709, 88.7099] {
            assert!(exp_f32(x).is_finite() && exp_f32(x) > 3.3e38);
        }
        assert!(exp_f32(88.7) > 3.0e38 && exp_f32(88.7).is_finite());
        // results below the smallest normal number are flushed to zero
        assert!(exp_f32(-87.3) >= f32::MIN_POSITIVE);
        assert_eq!(exp_f32(-87.4), 0.0);
        assert_eq!(exp_f32(-1000.0), 0.0);
        assert_eq!(exp_f32(f32::NEG_INFINITY), 0.0);
        assert_eq!(exp_f32(f32::INFINITY), f32::INFINITY);
        assert!(exp_f32(f32::NAN).is_nan());
    }
}
