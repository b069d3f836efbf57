//! A tiny seeded random number generator, so examples and firmware need no other crate.
//!
//! # Which RNGs fit
//!
//! Wherever typenet takes an RNG (initialisation, shuffling) it asks for
//! [`rand_core::Rng`] of **rand_core 0.10**, the version re-exported as
//! [`typenet::rand_core`](crate::rand_core). The generators of `rand` 0.10 and of the
//! `rand_*` crates built on rand_core 0.10 fit. Those of `rand` 0.9 (its `StdRng`,
//! `SmallRng`) implement rand_core 0.9's traits, another crate as far as Rust is concerned:
//! passing one fails with "the trait bound `StdRng: typenet::rand_core::Rng` is not
//! satisfied", with a puzzling note that `DerefMut` is not implemented for `StdRng`.
//! Use a generator of a matching version, or [`SplitMix64`].

use core::convert::Infallible;
use rand_core::{SeedableRng, TryRng};

/// SplitMix64 (Steele, Lea and Flood, 2014): a 64-bit state, one add and a mix per draw.
///
/// Fast, small and statistically sound for initialising weights and shuffling data.
/// It is **not** cryptographically secure. Any other [`rand_core::Rng`] works wherever
/// typenet takes an RNG.
///
/// ```
/// use typenet::rand_core::{Rng, SeedableRng};
/// let first = typenet::SplitMix64::new(42).next_u64();
/// // the same generator, made through rand_core's trait
/// assert_eq!(typenet::SplitMix64::seed_from_u64(42).next_u64(), first);
/// assert_eq!(typenet::SplitMix64::from_seed(42u64.to_le_bytes()).next_u64(), first);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// A generator whose whole future is fixed by `seed`.
    pub const fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// The whole state: `SplitMix64::new(rng.state())` continues where `rng` is, so a
    /// saved state resumes an interrupted run's shuffling.
    ///
    /// ```
    /// use rand_core::Rng;
    /// let mut a = typenet::SplitMix64::new(42);
    /// a.next_u64();
    /// let mut b = typenet::SplitMix64::new(a.state());
    /// assert_eq!(a.next_u64(), b.next_u64());
    /// ```
    pub const fn state(&self) -> u64 {
        self.state
    }

    #[inline]
    fn next(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

impl TryRng for SplitMix64 {
    type Error = Infallible;

    #[inline]
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok((self.next() >> 32) as u32)
    }

    #[inline]
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        Ok(self.next())
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for chunk in dst.chunks_mut(8) {
            for (d, s) in chunk.iter_mut().zip(self.next().to_le_bytes()) {
                *d = s;
            }
        }
        Ok(())
    }
}

/// The seed is the state: 8 bytes, little-endian.
impl SeedableRng for SplitMix64 {
    type Seed = [u8; 8];

    fn from_seed(seed: [u8; 8]) -> Self {
        Self::new(u64::from_le_bytes(seed))
    }

    /// [`SplitMix64::new(state)`](SplitMix64::new): SplitMix64 mixes its state on every
    /// draw, so it takes any `u64` as it is (the trait's default would first scramble it
    /// with another generator).
    fn seed_from_u64(state: u64) -> Self {
        Self::new(state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_core::Rng;

    #[test]
    fn seeds_agree_and_differ() {
        let draws = |mut r: SplitMix64| [r.next_u64(), r.next_u64()];
        let a = draws(SplitMix64::new(0x0123_4567_89ab_cdef));
        assert_eq!(
            a,
            draws(SplitMix64::from_seed(
                0x0123_4567_89ab_cdef_u64.to_le_bytes()
            ))
        );
        assert_eq!(a, draws(SplitMix64::seed_from_u64(0x0123_4567_89ab_cdef)));
        assert_ne!(a, draws(SplitMix64::seed_from_u64(0x0123_4567_89ab_cdee)));
        // Steele, Lea and Flood's generator from seed 0: the published first output
        assert_eq!(SplitMix64::new(0).next_u64(), 0xe220_a839_7b1d_cdaf);
    }
}
