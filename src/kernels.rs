//! The few inner loops every layer is built from, kept in one place so they can be tuned
//! once: a dot product and `y += a·x`.

use crate::scalar::Scalar;

/// `Σ a[i]·b[i]`, with eight independent partial sums so the loop vectorises (floating
/// point addition is not associative, so the compiler may not reorder a single sum).
#[inline(always)]
pub(crate) fn dot<T: Scalar, const N: usize>(a: &[T; N], b: &[T; N]) -> T {
    let mut acc = [T::zero(); 8];
    let (ac, ar) = a.as_chunks::<8>();
    let (bc, br) = b.as_chunks::<8>();
    for (x, y) in ac.iter().zip(bc) {
        for k in 0..8 {
            acc[k] = x[k].mul_add_fast(y[k], acc[k]);
        }
    }
    let mut tail = T::zero();
    for (x, y) in ar.iter().zip(br) {
        tail = x.mul_add_fast(*y, tail);
    }
    ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7])) + tail
}

/// `y[i] += a · x[i]`.
#[inline(always)]
pub(crate) fn axpy<T: Scalar, const N: usize>(y: &mut [T; N], a: T, x: &[T; N]) {
    for (yi, xi) in y.iter_mut().zip(x) {
        *yi = xi.mul_add_fast(a, *yi);
    }
}

/// `a·b + c` as separate multiply and add. `Float::mul_add` is a fused instruction only
/// where the target has FMA and a slow library call elsewhere, so the plain form is the
/// portable fast choice.
trait MulAddFast: Sized {
    fn mul_add_fast(self, b: Self, c: Self) -> Self;
}

impl<T: Scalar> MulAddFast for T {
    #[inline(always)]
    fn mul_add_fast(self, b: Self, c: Self) -> Self {
        self * b + c
    }
}
