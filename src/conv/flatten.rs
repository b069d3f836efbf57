//! Flatten: an `H × W × C` image as a vector of `N = H·W·C` values in TFLite's order
//! (row by row, pixel by pixel, channels innermost — the memory order of the nested
//! array, so flattening moves nothing and computes nothing):
//!
//! ```text
//! v[(iy·W + ix)·C + c] = x[iy][ix][c]          ∂E/∂x[iy][ix][c] = g[(iy·W + ix)·C + c]
//! ```
//!
//! `N` must be written (stable Rust cannot write `[T; H * W * C]` with generic sizes) and
//! is checked per instantiation, with a message naming both shapes.

use super::shape::Msg;
use crate::scalar::Scalar;

/// Panics unless `n = h·w·c`, naming the sizes; a compile error in a constant.
pub(crate) const fn check(h: usize, w: usize, c: usize, n: usize) {
    if h * w * c != n {
        let m = Msg::new()
            .str("Flatten: a ")
            .num(h)
            .str("×")
            .num(w)
            .str("×")
            .num(c)
            .str(" input has ")
            .num(h * w * c)
            .str(" values, but the output is declared with ")
            .num(n);
        panic!("{}", m.as_str());
    }
}

/// The image as a vector (a copy of the same run of values).
pub(crate) fn forward<T: Scalar, const H: usize, const W: usize, const C: usize, const N: usize>(
    x: &[[[T; C]; W]; H],
) -> [T; N] {
    const { check(H, W, C, N) };
    let mut v = [T::zero(); N];
    v.copy_from_slice(x.as_flattened().as_flattened());
    v
}

/// The vector's gradient as an image (the inverse copy).
pub(crate) fn backward<
    T: Scalar,
    const H: usize,
    const W: usize,
    const C: usize,
    const N: usize,
>(
    g: &[T; N],
) -> [[[T; C]; W]; H] {
    const { check(H, W, C, N) };
    let mut dx = [[[T::zero(); C]; W]; H];
    dx.as_flattened_mut().as_flattened_mut().copy_from_slice(g);
    dx
}

#[cfg(test)]
#[allow(clippy::float_cmp)] // copies are exact
mod tests {
    use super::*;

    #[test]
    fn flatten_follows_tflite_order_and_its_backward_inverts_it() {
        // x[iy][ix][c] = 100·iy + 10·ix + c: the vector must read 0, 1, 10, 11, 20, …
        let x: [[[f64; 2]; 3]; 2] = core::array::from_fn(|iy| {
            core::array::from_fn(|ix| core::array::from_fn(|c| (100 * iy + 10 * ix + c) as f64))
        });
        let v: [f64; 12] = forward(&x);
        let mut want = [0.0; 12];
        for iy in 0..2 {
            for ix in 0..3 {
                for c in 0..2 {
                    want[(iy * 3 + ix) * 2 + c] = (100 * iy + 10 * ix + c) as f64;
                }
            }
        }
        assert_eq!(v, want);
        assert_eq!(backward::<f64, 2, 3, 2, 12>(&v), x);
        let v32: [f32; 12] = forward(&x.map(|r| r.map(|p| p.map(|e| e as f32))));
        assert_eq!(v32[5], 21.0);
    }

    #[test]
    fn a_wrong_length_names_the_sizes() {
        let hook = std::panic::take_hook();
        std::panic::set_hook(std::boxed::Box::new(|_| {}));
        let e = std::panic::catch_unwind(|| check(25, 20, 8, 4096)).unwrap_err();
        std::panic::set_hook(hook);
        assert_eq!(
            e.downcast_ref::<std::string::String>()
                .map(std::string::String::as_str),
            Some("Flatten: a 25×20×8 input has 4000 values, but the output is declared with 4096")
        );
        check(25, 20, 8, 4000);
    }
}
