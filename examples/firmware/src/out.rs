//! Text output without `core::fmt`.
//!
//! Formatting an `f32` with `core::fmt` costs about 16 KB of flash and has panic branches,
//! so the firmware writes numbers itself: integers in decimal, floats as a rounded decimal
//! with a fixed number of places plus their exact bit pattern in hex. Every function here
//! is free of panic paths (no runtime indexing, division only by constants), which the
//! `nopanic` binary proves by linking.
//!
//! This file is compiled twice: into the firmware, where the sink is semihosting stdout,
//! and into the host golden test, where it is a `Vec<u8>`. The output is therefore the
//! same bytes from the same code on both sides.

/// Where text goes: semihosting stdout on the device, a buffer on the host.
pub trait Sink {
    /// Writes all of `bytes`.
    fn bytes(&mut self, bytes: &[u8]);

    /// Writes a string.
    fn str(&mut self, s: &str) {
        self.bytes(s.as_bytes());
    }

    /// Writes `n` in decimal.
    fn u32(&mut self, n: u32) {
        // u32::MAX has 10 digits; fill from the right.
        let mut buf = [0u8; 10];
        let mut n = n;
        let mut len = 0;
        for slot in buf.iter_mut().rev() {
            *slot = b'0' + (n % 10) as u8;
            n /= 10;
            len += 1;
            if n == 0 {
                break;
            }
        }
        let (_, digits) = buf.split_at(buf.len().saturating_sub(len));
        self.bytes(digits);
    }

    /// Writes the bit pattern of `x` as `0x` and eight hex digits: exact, so two
    /// machines that print the same line computed the same `f32`.
    fn hex(&mut self, x: f32) {
        let bits = x.to_bits();
        let mut buf = *b"0x00000000";
        for (i, slot) in buf.iter_mut().skip(2).enumerate() {
            let nibble = (bits >> (28 - 4 * i)) & 0xf;
            *slot = b"0123456789abcdef"
                .get(nibble as usize)
                .copied()
                .unwrap_or(b'?');
        }
        self.bytes(&buf);
    }

    /// Writes `x` rounded to four decimal places (`-0.1234`, positive numbers with a
    /// space in place of the sign), exactly as `format!("{:.4}")` rounds: the decimal is
    /// worked out from the bits with integer arithmetic, round half to even. Magnitudes
    /// of 400000 and more are written as `big`, NaN as `nan`.
    fn fixed4(&mut self, x: f32) {
        if x.is_nan() {
            return self.str("nan");
        }
        self.str(if x < 0.0 { "-" } else { " " });
        let bits = x.to_bits() & 0x7fff_ffff;
        if bits >= 400_000.0f32.to_bits() {
            return self.str("big");
        }
        // |x| = mant · 2^-shift, and below 400000 < 2^19 the shift is at least 5.
        let biased = bits >> 23;
        let frac_bits = u64::from(bits & 0x7f_ffff);
        let (mant, shift) = if biased == 0 {
            (frac_bits, 149)
        } else {
            (frac_bits | 0x80_0000, 150 - biased)
        };
        // Units of 1e-4: mant·10000 < 2^38, so the product is exact in a u64.
        let scaled = mant * 10_000;
        let q = if shift >= 40 {
            0 // below 2^-2 · 1e-4: rounds to zero
        } else {
            let q = scaled >> shift;
            let rem = scaled - (q << shift);
            let half = 1u64 << (shift - 1);
            if rem > half || (rem == half && q & 1 == 1) {
                q + 1
            } else {
                q
            }
        };
        // q ≤ 400000·10^4 < 2^32; the u32 arithmetic below divides by constants only.
        let q = q as u32;
        self.u32(q / 10_000);
        let frac = q % 10_000;
        self.bytes(&[
            b'.',
            b'0' + (frac / 1000) as u8,
            b'0' + (frac / 100 % 10) as u8,
            b'0' + (frac / 10 % 10) as u8,
            b'0' + (frac % 10) as u8,
        ]);
    }
}
