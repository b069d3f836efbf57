//! A tiny seeded random number generator, so examples and firmware need no other crate.

use core::convert::Infallible;
use rand_core::TryRng;

/// SplitMix64 (Steele, Lea and Flood, 2014): a 64-bit state, one add and a mix per draw.
///
/// Fast, small and statistically sound for initialising weights and shuffling data.
/// It is **not** cryptographically secure. Any other [`rand_core::Rng`] works wherever
/// typenet takes an RNG.
///
/// ```
/// use rand_core::Rng;
/// let mut a = typenet::SplitMix64::new(42);
/// let mut b = typenet::SplitMix64::new(42);
/// assert_eq!(a.next_u64(), b.next_u64());
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
