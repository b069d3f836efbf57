//! Hand-written baselines: the same maths as typenet's layers, written directly over
//! fixed-size arrays, without the library.
//!
//! * `plain`: what a careful programmer writes — eight partial sums per dot product so
//!   the loop vectorises, separate multiply and add, compiled for the default target
//!   (SSE2 on x86-64).
//! * `tuned`: the same loops compiled for AVX2 + FMA (`#[target_feature]`, chosen at run
//!   time), fused multiply-adds and four rows per pass so the input is loaded once for
//!   four dot products.
//!
//! Both train exactly as typenet's `train_step` does: one SGD step per sample, gradients
//! summed into a buffer of the network's shape, then `w -= lr * g`.

#![allow(dead_code, clippy::needless_range_loop)]
// the `tuned` functions require AVX2 and FMA: call them only after `tuned::available()`
#![allow(clippy::missing_safety_doc)]

#[inline(always)]
pub fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

/// A two-layer sigmoid perceptron `I → H → O`, stored as typenet stores `Dense`
/// (output-major weight rows).
#[derive(Clone)]
pub struct Mlp<const I: usize, const H: usize, const O: usize> {
    pub w1: [[f32; I]; H],
    pub b1: [f32; H],
    pub w2: [[f32; H]; O],
    pub b2: [f32; O],
}

impl<const I: usize, const H: usize, const O: usize> Mlp<I, H, O> {
    pub fn zeroed() -> Box<Self> {
        Box::new(Self {
            w1: [[0.0; I]; H],
            b1: [0.0; H],
            w2: [[0.0; H]; O],
            b2: [0.0; O],
        })
    }
}

/// One single-layer sigmoid unit `I → 1` (the AND perceptron).
#[derive(Clone, Copy)]
pub struct Unit<const I: usize> {
    pub w: [f32; I],
    pub b: f32,
}

/// The backward pass of the hand-written MLP, written once and expanded in each module, so
/// that it calls that module's own `forward` and `axpy` (and, in `tuned`, is compiled inside
/// its AVX2 + FMA functions).
macro_rules! accumulate_fn {
    ($vis:vis) => {
        /// Adds one sample's gradients into `g`, returns its loss.
        #[inline(always)]
        $vis fn accumulate    <const I: usize, const H: usize, const O: usize>(
            n: &Mlp<I, H, O>,
            g: &mut Mlp<I, H, O>,
            x: &[f32; I],
            t: &[f32; O],
        ) -> f32 {
            let (h, y) = forward(n, x);
            let mut loss = 0.0;
            let mut dy = [0.0; O];
            for k in 0..O {
                let e = y[k] - t[k];
                loss += e * e;
                dy[k] = e * (y[k] * (1.0 - y[k]));
            }
            let mut dh = [0.0; H];
            for k in 0..O {
                g.b2[k] += dy[k];
                axpy(&mut g.w2[k], dy[k], &h);
                axpy(&mut dh, dy[k], &n.w2[k]);
            }
            for j in 0..H {
                dh[j] *= h[j] * (1.0 - h[j]);
                g.b1[j] += dh[j];
                axpy(&mut g.w1[j], dh[j], x);
            }
            0.5 * loss
        }
    };
}

pub mod plain {
    use super::*;

    #[inline(always)]
    pub fn dot<const N: usize>(a: &[f32; N], b: &[f32; N]) -> f32 {
        let mut acc = [0.0f32; 8];
        let (ac, ar) = a.as_chunks::<8>();
        let (bc, br) = b.as_chunks::<8>();
        for (x, y) in ac.iter().zip(bc) {
            for k in 0..8 {
                acc[k] += x[k] * y[k];
            }
        }
        let mut tail = 0.0;
        for (x, y) in ar.iter().zip(br) {
            tail += x * y;
        }
        ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7])) + tail
    }

    #[inline(always)]
    pub fn axpy<const N: usize>(y: &mut [f32; N], a: f32, x: &[f32; N]) {
        for (yi, xi) in y.iter_mut().zip(x) {
            *yi += a * xi;
        }
    }

    /// One SGD step of a single sigmoid unit under ½ squared error.
    #[inline(never)]
    pub fn unit_step<const I: usize>(
        u: &mut Unit<I>,
        g: &mut Unit<I>,
        x: &[f32; I],
        t: f32,
        lr: f32,
    ) -> f32 {
        *g = Unit {
            w: [0.0; I],
            b: 0.0,
        };
        let y = sigmoid(u.b + dot(&u.w, x));
        let e = y - t;
        let d = e * (y * (1.0 - y));
        g.b += d;
        axpy(&mut g.w, d, x);
        for (w, gw) in u.w.iter_mut().zip(&g.w) {
            *w -= lr * gw;
        }
        u.b -= lr * g.b;
        0.5 * e * e
    }

    #[inline(always)]
    pub fn forward<const I: usize, const H: usize, const O: usize>(
        n: &Mlp<I, H, O>,
        x: &[f32; I],
    ) -> ([f32; H], [f32; O]) {
        let mut h = n.b1;
        for (hj, wj) in h.iter_mut().zip(&n.w1) {
            *hj = sigmoid(*hj + dot(wj, x));
        }
        let mut y = n.b2;
        for (yk, wk) in y.iter_mut().zip(&n.w2) {
            *yk = sigmoid(*yk + dot(wk, &h));
        }
        (h, y)
    }

    #[inline(never)]
    pub fn infer<const I: usize, const H: usize, const O: usize>(
        n: &Mlp<I, H, O>,
        x: &[f32; I],
    ) -> [f32; O] {
        forward(n, x).1
    }

    accumulate_fn!(pub);

    #[inline(always)]
    pub fn sgd<const I: usize, const H: usize, const O: usize>(
        n: &mut Mlp<I, H, O>,
        g: &Mlp<I, H, O>,
        lr: f32,
    ) {
        for (w, gw) in n.w1.as_flattened_mut().iter_mut().zip(g.w1.as_flattened()) {
            *w -= lr * gw;
        }
        for (w, gw) in n.b1.iter_mut().zip(&g.b1) {
            *w -= lr * gw;
        }
        for (w, gw) in n.w2.as_flattened_mut().iter_mut().zip(g.w2.as_flattened()) {
            *w -= lr * gw;
        }
        for (w, gw) in n.b2.iter_mut().zip(&g.b2) {
            *w -= lr * gw;
        }
    }

    #[inline(always)]
    pub fn zero<const I: usize, const H: usize, const O: usize>(g: &mut Mlp<I, H, O>) {
        g.w1.as_flattened_mut().fill(0.0);
        g.b1.fill(0.0);
        g.w2.as_flattened_mut().fill(0.0);
        g.b2.fill(0.0);
    }

    /// One SGD step on one sample.
    #[inline(never)]
    pub fn train_step<const I: usize, const H: usize, const O: usize>(
        n: &mut Mlp<I, H, O>,
        g: &mut Mlp<I, H, O>,
        x: &[f32; I],
        t: &[f32; O],
        lr: f32,
    ) -> f32 {
        zero(g);
        let e = accumulate(n, g, x, t);
        sgd(n, g, lr);
        e
    }

    /// One SGD step on a mini-batch: gradients summed over the samples, one update.
    #[inline(never)]
    pub fn batch_step<const I: usize, const H: usize, const O: usize>(
        n: &mut Mlp<I, H, O>,
        g: &mut Mlp<I, H, O>,
        xs: &[[f32; I]],
        ts: &[[f32; O]],
        lr: f32,
    ) -> f32 {
        zero(g);
        let mut e = 0.0;
        for (x, t) in xs.iter().zip(ts) {
            e += accumulate(n, g, x, t);
        }
        sgd(n, g, lr);
        e
    }
}

#[cfg(target_arch = "x86_64")]
pub mod tuned {
    //! AVX2 + FMA versions; `available()` must hold before calling them.
    use super::*;

    pub fn available() -> bool {
        is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma")
    }

    /// Four dot products against the same `x` at once, 16 partial sums each, fused.
    #[inline(always)]
    fn dot4<const N: usize>(w: [&[f32; N]; 4], x: &[f32; N]) -> [f32; 4] {
        let (mut a0, mut a1, mut a2, mut a3) =
            ([0.0f32; 16], [0.0f32; 16], [0.0f32; 16], [0.0f32; 16]);
        let (xc, xr) = x.as_chunks::<16>();
        let (w0, _) = w[0].as_chunks::<16>();
        let (w1, _) = w[1].as_chunks::<16>();
        let (w2, _) = w[2].as_chunks::<16>();
        let (w3, _) = w[3].as_chunks::<16>();
        for ((((xv, v0), v1), v2), v3) in xc.iter().zip(w0).zip(w1).zip(w2).zip(w3) {
            for k in 0..16 {
                a0[k] = v0[k].mul_add(xv[k], a0[k]);
                a1[k] = v1[k].mul_add(xv[k], a1[k]);
                a2[k] = v2[k].mul_add(xv[k], a2[k]);
                a3[k] = v3[k].mul_add(xv[k], a3[k]);
            }
        }
        let off = xc.len() * 16;
        let mut out = [a0, a1, a2, a3].map(|a| a.iter().sum::<f32>());
        for r in 0..4 {
            for (i, xi) in xr.iter().enumerate() {
                out[r] = w[r][off + i].mul_add(*xi, out[r]);
            }
        }
        out
    }

    #[inline(always)]
    fn dot<const N: usize>(a: &[f32; N], x: &[f32; N]) -> f32 {
        let mut acc = [0.0f32; 16];
        let (ac, ar) = a.as_chunks::<16>();
        let (xc, xr) = x.as_chunks::<16>();
        for (av, xv) in ac.iter().zip(xc) {
            for k in 0..16 {
                acc[k] = av[k].mul_add(xv[k], acc[k]);
            }
        }
        let mut s = acc.iter().sum::<f32>();
        for (a, x) in ar.iter().zip(xr) {
            s = a.mul_add(*x, s);
        }
        s
    }

    #[inline(always)]
    fn gemv_sigmoid<const I: usize, const H: usize>(
        w: &[[f32; I]; H],
        b: &[f32; H],
        x: &[f32; I],
    ) -> [f32; H] {
        let mut h = [0.0; H];
        let mut j = 0;
        while j + 4 <= H {
            let d = dot4([&w[j], &w[j + 1], &w[j + 2], &w[j + 3]], x);
            for r in 0..4 {
                h[j + r] = sigmoid(b[j + r] + d[r]);
            }
            j += 4;
        }
        while j < H {
            h[j] = sigmoid(b[j] + dot(&w[j], x));
            j += 1;
        }
        h
    }

    #[inline(always)]
    fn axpy<const N: usize>(y: &mut [f32; N], a: f32, x: &[f32; N]) {
        for (yi, xi) in y.iter_mut().zip(x) {
            *yi = a.mul_add(*xi, *yi);
        }
    }

    #[inline(always)]
    fn forward<const I: usize, const H: usize, const O: usize>(
        n: &Mlp<I, H, O>,
        x: &[f32; I],
    ) -> ([f32; H], [f32; O]) {
        let h = gemv_sigmoid(&n.w1, &n.b1, x);
        let y = gemv_sigmoid(&n.w2, &n.b2, &h);
        (h, y)
    }

    #[target_feature(enable = "avx2,fma")]
    #[inline(never)]
    pub fn infer<const I: usize, const H: usize, const O: usize>(
        n: &Mlp<I, H, O>,
        x: &[f32; I],
    ) -> [f32; O] {
        forward(n, x).1
    }

    accumulate_fn!(pub(super));

    #[inline(always)]
    fn sgd<const I: usize, const H: usize, const O: usize>(
        n: &mut Mlp<I, H, O>,
        g: &Mlp<I, H, O>,
        lr: f32,
    ) {
        for (w, gw) in n.w1.as_flattened_mut().iter_mut().zip(g.w1.as_flattened()) {
            *w = (-lr).mul_add(*gw, *w);
        }
        for (w, gw) in n.b1.iter_mut().zip(&g.b1) {
            *w = (-lr).mul_add(*gw, *w);
        }
        for (w, gw) in n.w2.as_flattened_mut().iter_mut().zip(g.w2.as_flattened()) {
            *w = (-lr).mul_add(*gw, *w);
        }
        for (w, gw) in n.b2.iter_mut().zip(&g.b2) {
            *w = (-lr).mul_add(*gw, *w);
        }
    }

    #[target_feature(enable = "avx2,fma")]
    #[inline(never)]
    pub fn train_step<const I: usize, const H: usize, const O: usize>(
        n: &mut Mlp<I, H, O>,
        g: &mut Mlp<I, H, O>,
        x: &[f32; I],
        t: &[f32; O],
        lr: f32,
    ) -> f32 {
        super::plain::zero(g);
        let e = accumulate(n, g, x, t);
        sgd(n, g, lr);
        e
    }

    #[target_feature(enable = "avx2,fma")]
    #[inline(never)]
    pub fn batch_step<const I: usize, const H: usize, const O: usize>(
        n: &mut Mlp<I, H, O>,
        g: &mut Mlp<I, H, O>,
        xs: &[[f32; I]],
        ts: &[[f32; O]],
        lr: f32,
    ) -> f32 {
        super::plain::zero(g);
        let mut e = 0.0;
        for (x, t) in xs.iter().zip(ts) {
            e += accumulate(n, g, x, t);
        }
        sgd(n, g, lr);
        e
    }

    #[target_feature(enable = "avx2,fma")]
    #[inline(never)]
    pub fn unit_step<const I: usize>(
        u: &mut Unit<I>,
        g: &mut Unit<I>,
        x: &[f32; I],
        t: f32,
        lr: f32,
    ) -> f32 {
        *g = Unit {
            w: [0.0; I],
            b: 0.0,
        };
        let y = sigmoid(u.b + dot(&u.w, x));
        let e = y - t;
        let d = e * (y * (1.0 - y));
        g.b += d;
        axpy(&mut g.w, d, x);
        for (w, gw) in u.w.iter_mut().zip(&g.w) {
            *w = (-lr).mul_add(*gw, *w);
        }
        u.b = (-lr).mul_add(g.b, u.b);
        0.5 * e * e
    }
}
