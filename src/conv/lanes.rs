//! 2-D convolution with the output channels in vector lanes: the forward pass and the
//! parameter gradients of [`Conv2d`](crate::Conv2d) for a whole batch (and the forward
//! pass of one sample), on targets with vector registers.
//!
//! [`conv2d`](super::conv2d)'s kernels compute one output element at a time; its sums
//! run over the taps (and the input channels), never across output channels, and each
//! output channel `o` adds its own terms. Here sixteen output channels are computed side
//! by side, one per lane of two eight-lane vectors, each lane adding exactly its element's
//! terms in the documented order, and each input value is broadcast to the lanes. The
//! forward pass gathers the weights of the sixteen channels once per block into a buffer
//! on the stack (`[KH][KW][C]` vectors, so it runs where `KH·KW·C ≤` [`MAX_TAPS`]).
//!
//! * **Forward** (`C < 8`; with eight channels or more, [`dot`](crate::kernels)'s eight
//!   partial sums would need eight vectors per lane group): four samples at the same
//!   output pixel at a time (eight accumulators), the same taps for all four.
//! * **Weight and bias gradients** (any `C`, any window): each gradient element is a sum
//!   over the output pixels of every sample in order; the sixteen channels' gradients of
//!   four taps at a time stay in registers while the batch streams past.
//! * The input gradient keeps [`conv2d::backward_input`](super::conv2d::backward_input),
//!   sample by sample (the first layer of a network, where a convolution on the raw input
//!   usually sits, does not compute it).
//!
//! # The same bits as the per-sample kernels, and one change of form
//!
//! The weight gradients are the per-sample sums term for term (`x·g + dw`, the product's
//! operands swapped, which IEEE multiplication does not notice), and so is the forward
//! pass for `1 < C < 8` (a tap's dot product is [`dot`](crate::kernels)'s tail, channel
//! after channel from `+0`). For `C = 1` the form differs: `dot` gives `0 + (x·w + 0)`,
//! and an output is `b + d₁ + d₂ + …`; here it is `((b + 0) + x₁·w₁) + x₂·w₂ + …`, one
//! multiply and one add per tap, as a hand-written loop has it, instead of three
//! operations. The two give the same bits:
//!
//! * `x·w + 0` differs from `x·w` at most in the *sign of a zero* (`−0 + 0 = +0`);
//! * a sum `a + v` in round-to-nearest is `−0` only when `a` and `v` both are. `dot`'s
//!   `d` is never `−0`, nor is the per-sample accumulator after its first tap (`b + d`);
//!   here the accumulator starts at `b + 0`, never `−0`, and stays so. Adding `+0` or
//!   `−0` to an accumulator that is not `−0` gives the same bits, so the two accumulators
//!   agree after every tap: after the first, `b + d` and `(b + 0) + x·w` are equal for
//!   every `b` (`b = −0` included, since `d` is not `−0`; every window holds at least one
//!   tap inside the input), and each later tap adds values equal up to the sign of zero
//!   to equal accumulators that are not `−0`.
//!
//! The tests compare these kernels with the per-sample ones bit for bit, signed zeros in
//! the bias, input and weights included.

use super::shape::Window2d;
use crate::kernels::Lanes;
use crate::scalar::Scalar;

/// The largest `KH·KW·C` the forward lane kernel takes: its stack buffer holds sixteen
/// scalars per tap and channel (32 KB of `f32`, 64 KB of `f64` at this bound). Larger
/// windows run the per-sample kernel (the same bits).
pub(crate) const MAX_TAPS: usize = 512;

/// Whether the target has vector registers for the lanes to fill (as
/// [`Dense`](crate::Dense)'s blocked kernels; a microcontroller runs the per-sample
/// kernels, which keeps firmware as it was).
pub(crate) const VECTOR_TARGET: bool = cfg!(any(
    target_arch = "x86_64",
    target_arch = "x86",
    target_arch = "aarch64"
));

/// Whether [`Conv2d`](crate::Conv2d)'s forward pass runs [`conv2d_forward_body`].
pub(crate) const fn forward_in_lanes(c: usize, kh: usize, kw: usize) -> bool {
    VECTOR_TARGET && c < 8 && kh * kw * c <= MAX_TAPS
}

/// Whether [`Conv2d`](crate::Conv2d)'s batched parameter gradients run
/// [`conv2d_params_body`].
pub(crate) const fn params_in_lanes() -> bool {
    VECTOR_TARGET
}

/// Sixteen lanes: output channels `ob..ob + 16`.
type Block<T> = [[T; 8]; 2];

/// Channels `ob..ob + 16` of `row` (zeros past its end).
#[inline(always)]
fn load<T: Scalar, const O: usize>(row: &[T; O], ob: usize) -> Block<T> {
    if ob + 16 <= O {
        let c = row[ob..ob + 16].as_chunks::<8>().0;
        return [c[0], c[1]];
    }
    let mut v = [[T::zero(); 8]; 2];
    for (k, &e) in row[ob..].iter().enumerate() {
        v[k / 8][k % 8] = e;
    }
    v
}

/// Writes the lanes of `v` that are channels of `row` (from `ob`).
#[inline(always)]
fn store<T: Scalar, const O: usize>(row: &mut [T; O], ob: usize, v: &Block<T>) {
    for (k, e) in row[ob..].iter_mut().take(16).enumerate() {
        *e = v[k / 8][k % 8];
    }
}

/// Forward for every sample: `ys[n] = conv(xs[n])` as [`conv2d::forward`]
/// (super::conv2d::forward) computes it, bit for bit (see the module doc), for `C < 8`.
/// Per output element: `acc = b[o] + 0`, then for `ky`, `kx` ascending (taps inside the
/// input) `acc = acc + d`, `d = x[c₀]·w[c₀]`, then `d = x[c]·w[c] + d` for the other
/// channels in order (`C = 1`: `acc = x·w + acc`).
#[inline(always)]
pub(crate) fn conv2d_forward_body<
    L: Lanes,
    T: Scalar,
    const H: usize,
    const W: usize,
    const C: usize,
    const KH: usize,
    const KW: usize,
    const O: usize,
    const OH: usize,
    const OW: usize,
>(
    lanes: L,
    xs: &[[[[T; C]; W]; H]],
    w: &[[[[T; C]; KW]; KH]; O],
    b: &[T; O],
    win: &Window2d,
    ys: &mut [[[[T; O]; OW]; OH]],
) {
    let n = xs.len().min(ys.len());
    let z = [T::zero(); 8];
    let mut wt: [[[Block<T>; C]; KW]; KH] = [[[[z; 2]; C]; KW]; KH];
    let mut ob = 0;
    while ob < O {
        if ob + 16 > O {
            // lanes past the last channel: zeros, never stored
            wt = [[[[z; 2]; C]; KW]; KH];
        }
        for (o, w_o) in w.iter().enumerate().skip(ob).take(16) {
            let (v, l) = ((o - ob) / 8, (o - ob) % 8);
            for ky in 0..KH {
                for kx in 0..KW {
                    for c in 0..C {
                        wt[ky][kx][c][v][l] = w_o[ky][kx][c];
                    }
                }
            }
        }
        let mut bias = load(b, ob);
        for v in bias.iter_mut().flatten() {
            *v = *v + T::zero();
        }
        // one tap into an accumulator: `a = a + d` (see the doc above)
        macro_rules! tap {
            ($wk:expr, $x:expr, $v:literal, $a:ident) => {{
                let (wk, x): (&[Block<T>; C], &[T; C]) = ($wk, $x);
                if C == 1 {
                    lanes.mul_add_s(&wk[0][$v], x[0], &mut $a);
                } else {
                    // `dot`'s tail, from `+0`, channel after channel
                    let mut d = z;
                    for c in 0..C {
                        lanes.mul_add_s(&wk[c][$v], x[c], &mut d);
                    }
                    lanes.add(&d, &mut $a);
                }
            }};
        }
        for oy in 0..OH {
            for ox in 0..OW {
                let mut s = 0;
                // four samples at this pixel: the same taps for all four
                while s + 4 <= n {
                    let x4: &[[[[T; C]; W]; H]; 4] = xs[s..s + 4].try_into().unwrap();
                    let (mut a00, mut a01) = (bias[0], bias[1]);
                    let (mut a10, mut a11) = (bias[0], bias[1]);
                    let (mut a20, mut a21) = (bias[0], bias[1]);
                    let (mut a30, mut a31) = (bias[0], bias[1]);
                    for ky in 0..KH {
                        let Some(iy) = win.h.tap(oy, ky, H) else {
                            continue;
                        };
                        for kx in 0..KW {
                            let Some(ix) = win.w.tap(ox, kx, W) else {
                                continue;
                            };
                            let wk = &wt[ky][kx];
                            tap!(wk, &x4[0][iy][ix], 0, a00);
                            tap!(wk, &x4[0][iy][ix], 1, a01);
                            tap!(wk, &x4[1][iy][ix], 0, a10);
                            tap!(wk, &x4[1][iy][ix], 1, a11);
                            tap!(wk, &x4[2][iy][ix], 0, a20);
                            tap!(wk, &x4[2][iy][ix], 1, a21);
                            tap!(wk, &x4[3][iy][ix], 0, a30);
                            tap!(wk, &x4[3][iy][ix], 1, a31);
                        }
                    }
                    store(&mut ys[s][oy][ox], ob, &[a00, a01]);
                    store(&mut ys[s + 1][oy][ox], ob, &[a10, a11]);
                    store(&mut ys[s + 2][oy][ox], ob, &[a20, a21]);
                    store(&mut ys[s + 3][oy][ox], ob, &[a30, a31]);
                    s += 4;
                }
                for (x, y) in xs[s..n].iter().zip(&mut ys[s..n]) {
                    let (mut a0, mut a1) = (bias[0], bias[1]);
                    for ky in 0..KH {
                        let Some(iy) = win.h.tap(oy, ky, H) else {
                            continue;
                        };
                        for kx in 0..KW {
                            let Some(ix) = win.w.tap(ox, kx, W) else {
                                continue;
                            };
                            let wk = &wt[ky][kx];
                            tap!(wk, &x[iy][ix], 0, a0);
                            tap!(wk, &x[iy][ix], 1, a1);
                        }
                    }
                    store(&mut y[oy][ox], ob, &[a0, a1]);
                }
            }
        }
        ob += 16;
    }
}

/// Parameter gradients of a batch: adds to `dw` and `db` what
/// [`conv2d::backward_params`](super::conv2d::backward_params) adds sample after sample,
/// bit for bit. Per element: the samples in order, in each the output pixels `oy`, `ox`
/// ascending: `db[o] = db[o] + g`, `dw[o][ky][kx][c] = g·x + dw[o][ky][kx][c]` (taps
/// inside the input).
///
/// For each block of sixteen channels and each kernel row, four `(kx, c)` taps at a time
/// keep their sixteen channels' gradients in eight registers while the whole batch
/// streams past (each element still adds the output pixels in order). Measured on the
/// DS-CNN block's first layer (batch of 32, 10×4 taps): a buffer in memory updated tap
/// by tap instead ran at about 40 GFLOP/s, bound by its loads and stores.
#[inline(always)]
pub(crate) fn conv2d_params_body<
    L: Lanes,
    T: Scalar,
    const H: usize,
    const W: usize,
    const C: usize,
    const KH: usize,
    const KW: usize,
    const O: usize,
    const OH: usize,
    const OW: usize,
>(
    lanes: L,
    xs: &[[[[T; C]; W]; H]],
    win: &Window2d,
    gs: &[[[[T; O]; OW]; OH]],
    dw: &mut [[[[T; C]; KW]; KH]; O],
    db: &mut [T; O],
) {
    let z = [T::zero(); 8];
    let mut ob = 0;
    while ob < O {
        let mut dbv = load(db, ob);
        for g in gs {
            for g_px in g.as_flattened() {
                let gv = load(g_px, ob);
                lanes.add(&gv[0], &mut dbv[0]);
                lanes.add(&gv[1], &mut dbv[1]);
            }
        }
        store(db, ob, &dbv);
        // the channels of this block (at most sixteen) of tap `(ky, j)`, `j = kx·C + c`
        let get = |dw: &[[[[T; C]; KW]; KH]; O], ky: usize, j: usize| {
            let mut v = [z; 2];
            for (o, dw_o) in dw.iter().enumerate().skip(ob).take(16) {
                v[(o - ob) / 8][(o - ob) % 8] = dw_o[ky][j / C][j % C];
            }
            v
        };
        let put = |dw: &mut [[[[T; C]; KW]; KH]; O], ky: usize, j: usize, v: &Block<T>| {
            for (o, dw_o) in dw.iter_mut().enumerate().skip(ob).take(16) {
                dw_o[ky][j / C][j % C] = v[(o - ob) / 8][(o - ob) % 8];
            }
        };
        for ky in 0..KH {
            let mut j = 0;
            while j < KW * C {
                // taps j..j + m; the accumulators of taps past `KW·C` are never stored
                let m = (KW * C - j).min(4);
                let at = |t: usize| (j + t).min(KW * C - 1);
                let [mut a00, mut a01] = get(dw, ky, at(0));
                let [mut a10, mut a11] = get(dw, ky, at(1));
                let [mut a20, mut a21] = get(dw, ky, at(2));
                let [mut a30, mut a31] = get(dw, ky, at(3));
                let tap = |t: usize| (at(t) / C, at(t) % C);
                let ((k0, c0), (k1, c1), (k2, c2), (k3, c3)) = (tap(0), tap(1), tap(2), tap(3));
                for (x, g) in xs.iter().zip(gs) {
                    for oy in 0..OH {
                        let Some(iy) = win.h.tap(oy, ky, H) else {
                            continue;
                        };
                        let x_row = &x[iy];
                        for ox in 0..OW {
                            let gv = load(&g[oy][ox], ob);
                            if let Some(ix) = win.w.tap(ox, k0, W) {
                                lanes.mul_add_s(&gv[0], x_row[ix][c0], &mut a00);
                                lanes.mul_add_s(&gv[1], x_row[ix][c0], &mut a01);
                            }
                            if m > 1
                                && let Some(ix) = win.w.tap(ox, k1, W)
                            {
                                lanes.mul_add_s(&gv[0], x_row[ix][c1], &mut a10);
                                lanes.mul_add_s(&gv[1], x_row[ix][c1], &mut a11);
                            }
                            if m > 2
                                && let Some(ix) = win.w.tap(ox, k2, W)
                            {
                                lanes.mul_add_s(&gv[0], x_row[ix][c2], &mut a20);
                                lanes.mul_add_s(&gv[1], x_row[ix][c2], &mut a21);
                            }
                            if m > 3
                                && let Some(ix) = win.w.tap(ox, k3, W)
                            {
                                lanes.mul_add_s(&gv[0], x_row[ix][c3], &mut a30);
                                lanes.mul_add_s(&gv[1], x_row[ix][c3], &mut a31);
                            }
                        }
                    }
                }
                for (t, v) in [[a00, a01], [a10, a11], [a20, a21], [a30, a31]]
                    .iter()
                    .enumerate()
                    .take(m)
                {
                    put(dw, ky, j + t, v);
                }
                j += 4;
            }
        }
        ob += 16;
    }
}

/// Depthwise convolution with multiplier 1 (`CM = C`), forward for every sample: as
/// [`depthwise::forward`](super::depthwise::forward), bit for bit: per output pixel
/// `acc = b`, then for `ky`, `kx` ascending (taps inside the input) `acc[q] = x[q]·w[q] +
/// acc[q]` (the sum's operands swapped), eight channels per lane operation. In the AVX2
/// twin these are the AVX intrinsics at every `opt-level` (at "s" the loops stayed
/// scalar: the depthwise kernels took a third of a W5 step). `C` and `CM` are the same
/// number (two parameters because the layer's types name them apart).
#[inline(always)]
pub(crate) fn depthwise1_forward_body<
    L: Lanes,
    T: Scalar,
    const H: usize,
    const W: usize,
    const C: usize,
    const CM: usize,
    const KH: usize,
    const KW: usize,
    const OH: usize,
    const OW: usize,
>(
    lanes: L,
    xs: &[[[[T; C]; W]; H]],
    w: &[[[T; CM]; KW]; KH],
    b: &[T; CM],
    win: &Window2d,
    ys: &mut [[[[T; CM]; OW]; OH]],
) {
    for (x, y) in xs.iter().zip(ys.iter_mut()) {
        for (oy, y_row) in y.iter_mut().enumerate() {
            for (ox, y_px) in y_row.iter_mut().enumerate() {
                *y_px = *b;
                for (ky, w_row) in w.iter().enumerate() {
                    let Some(iy) = win.h.tap(oy, ky, H) else {
                        continue;
                    };
                    for (kx, w_tap) in w_row.iter().enumerate() {
                        let Some(ix) = win.w.tap(ox, kx, W) else {
                            continue;
                        };
                        mul_add_rows(lanes, &x[iy][ix], w_tap, y_px);
                    }
                }
            }
        }
    }
}

/// `c[q] = a[q]·b[q] + c[q]` over a row, eight at a time.
#[inline(always)]
fn mul_add_rows<L: Lanes, T: Scalar, const A: usize, const B: usize, const D: usize>(
    lanes: L,
    a: &[T; A],
    b: &[T; B],
    c: &mut [T; D],
) {
    let (ac, ar) = a.as_chunks::<8>();
    let (bc, br) = b.as_chunks::<8>();
    let (cc, cr) = c.as_chunks_mut::<8>();
    for ((a, b), c) in ac.iter().zip(bc).zip(cc) {
        lanes.mul_add(a, b, c);
    }
    for ((&a, &b), c) in ar.iter().zip(br).zip(cr) {
        *c = a * b + *c;
    }
}

/// Depthwise convolution with multiplier 1: each sample's input gradient, as
/// [`depthwise::backward_input`](super::depthwise::backward_input) computes it, bit for
/// bit (`dx = 0`, then per output pixel and tap inside the input `dx[q] = g[q]·w[q] +
/// dx[q]`), and the batch's parameter gradients as
/// [`depthwise::backward_params`](super::depthwise::backward_params) adds them sample
/// after sample (`db[q] = db[q] + g[q]`, `dw[ky][kx][q] = g[q]·x[q] + dw[ky][kx][q]`;
/// `(dw, db)`). `dxs` empty: no input gradients.
#[inline(always)]
pub(crate) fn depthwise1_backward_body<
    L: Lanes,
    T: Scalar,
    const H: usize,
    const W: usize,
    const C: usize,
    const CM: usize,
    const KH: usize,
    const KW: usize,
    const OH: usize,
    const OW: usize,
>(
    lanes: L,
    xs: &[[[[T; C]; W]; H]],
    w: &[[[T; CM]; KW]; KH],
    win: &Window2d,
    gs: &[[[[T; CM]; OW]; OH]],
    (dw, db): (&mut [[[T; CM]; KW]; KH], &mut [T; CM]),
    dxs: &mut [[[[T; C]; W]; H]],
) {
    for (x, g) in xs.iter().zip(gs) {
        for (oy, g_row) in g.iter().enumerate() {
            for (ox, g_px) in g_row.iter().enumerate() {
                let (dc, dr) = db.as_chunks_mut::<8>();
                let (gc, gr) = g_px.as_chunks::<8>();
                for (d, g) in dc.iter_mut().zip(gc) {
                    lanes.add(g, d);
                }
                for (d, &g) in dr.iter_mut().zip(gr) {
                    *d = *d + g;
                }
                for (ky, dw_row) in dw.iter_mut().enumerate() {
                    let Some(iy) = win.h.tap(oy, ky, H) else {
                        continue;
                    };
                    for (kx, dw_tap) in dw_row.iter_mut().enumerate() {
                        let Some(ix) = win.w.tap(ox, kx, W) else {
                            continue;
                        };
                        mul_add_rows(lanes, g_px, &x[iy][ix], dw_tap);
                    }
                }
            }
        }
    }
    for (g, dx) in gs.iter().zip(dxs) {
        *dx = [[[T::zero(); C]; W]; H];
        for (oy, g_row) in g.iter().enumerate() {
            for (ox, g_px) in g_row.iter().enumerate() {
                for (ky, w_row) in w.iter().enumerate() {
                    let Some(iy) = win.h.tap(oy, ky, H) else {
                        continue;
                    };
                    for (kx, w_tap) in w_row.iter().enumerate() {
                        let Some(ix) = win.w.tap(ox, kx, W) else {
                            continue;
                        };
                        mul_add_rows(lanes, g_px, w_tap, &mut dx[iy][ix]);
                    }
                }
            }
        }
    }
}
