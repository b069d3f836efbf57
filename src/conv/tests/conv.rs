//! conv2d, depthwise, conv1d and relu6: forward against naive loops, backward against
//! finite differences, the input gradient against the flipped-kernel form.

use super::{
    Flat, Tol, assert_close, check_fd, padded, random, ref_geometry, to_f64, weighted_sum, zeros,
};
use crate::conv::shape::{Axis, Padding, Window2d};
use crate::conv::{conv1d, conv2d, depthwise, relu6};
use crate::rng::SplitMix64;
use std::vec::Vec;

/// Runs a case in f64 and in f32.
macro_rules! both {
    ($f:ident::<$($n:literal),*>($($a:expr),*)) => {
        $f::<f64, $($n),*>($($a),*);
        $f::<f32, $($n),*>($($a),*);
    };
}

pub(in crate::conv) fn padding(same: bool) -> Padding {
    if same { Padding::Same } else { Padding::Valid }
}

/// conv2d over an explicitly padded canvas, plain loops in f64.
pub(in crate::conv) fn naive_conv2d(
    x: &[f64],
    (h, wd, c): (usize, usize, usize),
    w: &[f64],
    (kh, kw, o): (usize, usize, usize),
    b: &[f64],
    same: bool,
    (sh, sw): (usize, usize),
) -> Vec<f64> {
    let (oh, pt) = ref_geometry(same, h, kh, sh);
    let (ow, pl) = ref_geometry(same, wd, kw, sw);
    let (ph, pw) = ((oh - 1) * sh + kh, (ow - 1) * sw + kw);
    let xp = padded(x, (h, wd, c), (pt, pl), (ph, pw));
    let mut y = Vec::new();
    for oy in 0..oh {
        for ox in 0..ow {
            for oc in 0..o {
                let mut s = b[oc];
                for ky in 0..kh {
                    for kx in 0..kw {
                        for ic in 0..c {
                            let v =
                                xp[((oy * sh + ky) * pw + ox * sw + kx) * c + ic].unwrap_or(0.0);
                            s += v * w[((oc * kh + ky) * kw + kx) * c + ic];
                        }
                    }
                }
                y.push(s);
            }
        }
    }
    y
}

/// `∂E/∂x` of conv2d in gather form: the output gradient `g` dilated by the stride
/// (`s − 1` zeros between values), padded with `k − 1` zeros on both sides, correlated
/// with the kernel flipped in both axes and with its channel roles swapped (stride 1);
/// the result is the gradient of the padded input, from which the input's is cut out.
fn flipped_kernel_input_grad(
    g: &[f64],
    (oh, ow, o): (usize, usize, usize),
    w: &[f64],
    (kh, kw, c): (usize, usize, usize),
    (h, wd): (usize, usize),
    (pt, pl): (usize, usize),
    (sh, sw): (usize, usize),
) -> Vec<f64> {
    let (dh, dw) = ((oh - 1) * sh + 1, (ow - 1) * sw + 1);
    // the dilated gradient, with the full padding: F[p][q] = dilated[p − (kh−1)][q − (kw−1)]
    let (fh, fw) = (dh + 2 * (kh - 1), dw + 2 * (kw - 1));
    let mut f = std::vec![0.0; fh * fw * o];
    for oy in 0..oh {
        for ox in 0..ow {
            for oc in 0..o {
                let (p, q) = (oy * sh + kh - 1, ox * sw + kw - 1);
                f[(p * fw + q) * o + oc] = g[(oy * ow + ox) * o + oc];
            }
        }
    }
    // the flipped kernel, channels swapped: wf[ic][ky][kx][oc] = w[oc][kh−1−ky][kw−1−kx][ic]
    let mut wf = std::vec![0.0; c * kh * kw * o];
    for oc in 0..o {
        for ky in 0..kh {
            for kx in 0..kw {
                for ic in 0..c {
                    wf[((ic * kh + (kh - 1 - ky)) * kw + (kw - 1 - kx)) * o + oc] =
                        w[((oc * kh + ky) * kw + kx) * c + ic];
                }
            }
        }
    }
    // VALID, stride-1 correlation of F with wf gives the padded input's gradient (rows
    // 0..dh + kh − 1); the input's rows are pt..pt + h of it (rows past that are padding
    // or were never read, and get nothing).
    let mut dx = std::vec![0.0; h * wd * c];
    for iy in 0..h {
        for ix in 0..wd {
            let (p, q) = (iy + pt, ix + pl);
            if p >= dh + kh - 1 || q >= dw + kw - 1 {
                continue; // the cell lies past the last window: no output read it
            }
            for ic in 0..c {
                let mut s = 0.0;
                for ky in 0..kh {
                    for kx in 0..kw {
                        for oc in 0..o {
                            s += f[((p + ky) * fw + q + kx) * o + oc]
                                * wf[((ic * kh + ky) * kw + kx) * o + oc];
                        }
                    }
                }
                dx[(iy * wd + ix) * c + ic] = s;
            }
        }
    }
    dx
}

fn conv2d_case<
    T: Tol,
    const H: usize,
    const W: usize,
    const C: usize,
    const KH: usize,
    const KW: usize,
    const O: usize,
    const OH: usize,
    const OW: usize,
>(
    same: bool,
    stride: (usize, usize),
    seed: u64,
) {
    let win = Window2d::new::<H, W, OH, OW>("Conv2d", padding(same), (KH, KW), stride);
    let mut rng = SplitMix64::new(seed);
    let mut x: [[[T; C]; W]; H] = random(&mut rng);
    let mut w: [[[[T; C]; KW]; KH]; O] = random(&mut rng);
    let mut b: [T; O] = random(&mut rng);
    let r: [[[T; O]; OW]; OH] = random(&mut rng);
    let case =
        std::format!("conv2d {H}×{W}×{C} k{KH}×{KW} → {OH}×{OW}×{O} s{stride:?} same={same}");

    let mut y = zeros::<[[[T; O]; OW]; OH]>();
    conv2d::forward(&x, &w, &b, &win, &mut y);
    let (xf, wf, bf) = (to_f64(x.flat()), to_f64(w.flat()), to_f64(&b));
    let want = naive_conv2d(&xf, (H, W, C), &wf, (KH, KW, O), &bf, same, stride);
    assert_close(&case, &to_f64(y.flat()), &want, T::FWD);

    let mut dx = zeros::<[[[T; C]; W]; H]>();
    conv2d::backward_input(&w, &win, &r, &mut dx);
    let mut dw = zeros::<[[[[T; C]; KW]; KH]; O]>();
    let mut db = [T::zero(); O];
    conv2d::backward_params(&x, &win, &r, &mut dw, &mut db);

    let (pt, pl) = (win.h.pad, win.w.pad);
    let gather = flipped_kernel_input_grad(
        &to_f64(r.flat()),
        (OH, OW, O),
        &wf,
        (KH, KW, C),
        (H, W),
        (pt, pl),
        stride,
    );
    assert_close(
        &std::format!("{case} flipped kernel"),
        &to_f64(dx.flat()),
        &gather,
        T::FWD,
    );

    let loss = |x: &[[[T; C]; W]; H], w: &[[[[T; C]; KW]; KH]; O], b: &[T; O]| {
        let mut y = zeros::<[[[T; O]; OW]; OH]>();
        conv2d::forward(x, w, b, &win, &mut y);
        weighted_sum(r.flat(), y.flat())
    };
    let (x0, w0, b0) = (x, w, b);
    check_fd(
        &std::format!("{case} ∂E/∂x"),
        x.flat_mut(),
        dx.flat(),
        |v| {
            let mut xa = x0;
            xa.flat_mut().copy_from_slice(v);
            loss(&xa, &w0, &b0)
        },
    );
    check_fd(
        &std::format!("{case} ∂E/∂w"),
        w.flat_mut(),
        dw.flat(),
        |v| {
            let mut wa = w0;
            wa.flat_mut().copy_from_slice(v);
            loss(&x0, &wa, &b0)
        },
    );
    check_fd(&std::format!("{case} ∂E/∂b"), &mut b, &db, |v| {
        let mut ba = b0;
        ba.copy_from_slice(v);
        loss(&x0, &w0, &ba)
    });
}

#[test]
fn conv2d_forward_matches_naive_and_backward_matches_finite_differences() {
    both!(conv2d_case::<5, 5, 1, 3, 3, 2, 3, 3>(false, (1, 1), 1));
    both!(conv2d_case::<5, 5, 1, 3, 3, 2, 5, 5>(true, (1, 1), 2));
    both!(conv2d_case::<7, 6, 3, 3, 2, 4, 4, 3>(true, (2, 2), 3));
    // stride larger than the kernel: cells between windows are never read
    both!(conv2d_case::<8, 8, 2, 2, 2, 3, 3, 3>(false, (3, 3), 4));
    both!(conv2d_case::<9, 7, 2, 1, 1, 3, 3, 4>(true, (3, 2), 5));
    // even kernel, SAME: the odd padding row goes to the bottom
    both!(conv2d_case::<6, 5, 3, 4, 3, 2, 6, 3>(true, (1, 2), 6));
    // DS-CNN's first layer shape, smaller: 10×4 kernel, stride 2
    both!(conv2d_case::<12, 6, 1, 10, 4, 3, 6, 3>(true, (2, 2), 7));
    both!(conv2d_case::<1, 1, 8, 1, 1, 5, 1, 1>(false, (1, 1), 8));
    // a kernel larger than the input under SAME padding
    both!(conv2d_case::<4, 4, 2, 5, 5, 2, 4, 4>(true, (1, 1), 9));
    both!(conv2d_case::<7, 5, 2, 3, 3, 2, 3, 1>(false, (2, 3), 10));
    // more channels than one dot-product block of eight, with a tail
    both!(conv2d_case::<3, 4, 11, 2, 2, 3, 2, 2>(true, (2, 2), 11));
}

/// Depthwise conv2d over an explicitly padded canvas.
pub(in crate::conv) fn naive_depthwise(
    x: &[f64],
    (h, wd, c): (usize, usize, usize),
    w: &[f64],
    (kh, kw, m): (usize, usize, usize),
    b: &[f64],
    same: bool,
    (sh, sw): (usize, usize),
) -> Vec<f64> {
    let (oh, pt) = ref_geometry(same, h, kh, sh);
    let (ow, pl) = ref_geometry(same, wd, kw, sw);
    let (ph, pw) = ((oh - 1) * sh + kh, (ow - 1) * sw + kw);
    let xp = padded(x, (h, wd, c), (pt, pl), (ph, pw));
    let mut y = std::vec![0.0; oh * ow * c * m];
    for oy in 0..oh {
        for ox in 0..ow {
            for ic in 0..c {
                for mi in 0..m {
                    let q = ic * m + mi;
                    let mut s = b[q];
                    for ky in 0..kh {
                        for kx in 0..kw {
                            let v =
                                xp[((oy * sh + ky) * pw + ox * sw + kx) * c + ic].unwrap_or(0.0);
                            s += v * w[(ky * kw + kx) * c * m + q];
                        }
                    }
                    y[(oy * ow + ox) * c * m + q] = s;
                }
            }
        }
    }
    y
}

fn depthwise_case<
    T: Tol,
    const H: usize,
    const W: usize,
    const C: usize,
    const M: usize,
    const CM: usize,
    const KH: usize,
    const KW: usize,
    const OH: usize,
    const OW: usize,
>(
    same: bool,
    stride: (usize, usize),
    seed: u64,
) {
    let win = Window2d::new::<H, W, OH, OW>("DepthwiseConv2d", padding(same), (KH, KW), stride);
    let mut rng = SplitMix64::new(seed);
    let mut x: [[[T; C]; W]; H] = random(&mut rng);
    let mut w: [[[T; CM]; KW]; KH] = random(&mut rng);
    let mut b: [T; CM] = random(&mut rng);
    let r: [[[T; CM]; OW]; OH] = random(&mut rng);
    let case = std::format!(
        "depthwise {H}×{W}×{C} ×{M} k{KH}×{KW} → {OH}×{OW}×{CM} s{stride:?} same={same}"
    );

    let mut y = zeros::<[[[T; CM]; OW]; OH]>();
    depthwise::forward::<T, H, W, C, M, CM, KH, KW, OH, OW>(&x, &w, &b, &win, &mut y);
    let want = naive_depthwise(
        &to_f64(x.flat()),
        (H, W, C),
        &to_f64(w.flat()),
        (KH, KW, M),
        &to_f64(&b),
        same,
        stride,
    );
    assert_close(&case, &to_f64(y.flat()), &want, T::FWD);

    let mut dx = zeros::<[[[T; C]; W]; H]>();
    depthwise::backward_input::<T, H, W, C, M, CM, KH, KW, OH, OW>(&w, &win, &r, &mut dx);
    let mut dw = zeros::<[[[T; CM]; KW]; KH]>();
    let mut db = [T::zero(); CM];
    depthwise::backward_params::<T, H, W, C, M, CM, KH, KW, OH, OW>(&x, &win, &r, &mut dw, &mut db);

    let loss = |x: &[[[T; C]; W]; H], w: &[[[T; CM]; KW]; KH], b: &[T; CM]| {
        let mut y = zeros::<[[[T; CM]; OW]; OH]>();
        depthwise::forward::<T, H, W, C, M, CM, KH, KW, OH, OW>(x, w, b, &win, &mut y);
        weighted_sum(r.flat(), y.flat())
    };
    let (x0, w0, b0) = (x, w, b);
    check_fd(
        &std::format!("{case} ∂E/∂x"),
        x.flat_mut(),
        dx.flat(),
        |v| {
            let mut xa = x0;
            xa.flat_mut().copy_from_slice(v);
            loss(&xa, &w0, &b0)
        },
    );
    check_fd(
        &std::format!("{case} ∂E/∂w"),
        w.flat_mut(),
        dw.flat(),
        |v| {
            let mut wa = w0;
            wa.flat_mut().copy_from_slice(v);
            loss(&x0, &wa, &b0)
        },
    );
    check_fd(&std::format!("{case} ∂E/∂b"), &mut b, &db, |v| {
        let mut ba = b0;
        ba.copy_from_slice(v);
        loss(&x0, &w0, &ba)
    });
}

#[test]
fn depthwise_channel_check_names_the_sizes() {
    let hook = std::panic::take_hook();
    std::panic::set_hook(std::boxed::Box::new(|_| {}));
    let e = std::panic::catch_unwind(|| depthwise::check_channels(3, 2, 5)).unwrap_err();
    let zero = std::panic::catch_unwind(|| depthwise::check_channels(3, 0, 0)).is_err();
    std::panic::set_hook(hook);
    assert_eq!(
        e.downcast_ref::<std::string::String>()
            .map(std::string::String::as_str),
        Some(
            "DepthwiseConv2d: 3 input channels × depth multiplier 2 give 6 output channels, but the output is declared with 5"
        )
    );
    assert!(zero, "a depth multiplier of 0 is refused");
    depthwise::check_channels(3, 2, 6);
}

#[test]
fn depthwise_forward_matches_naive_and_backward_matches_finite_differences() {
    both!(depthwise_case::<5, 5, 2, 1, 2, 3, 3, 5, 5>(
        true,
        (1, 1),
        21
    ));
    both!(depthwise_case::<6, 7, 3, 2, 6, 3, 3, 3, 4>(
        true,
        (2, 2),
        22
    ));
    // stride larger than the kernel
    both!(depthwise_case::<7, 7, 2, 3, 6, 2, 2, 2, 2>(
        false,
        (3, 3),
        23
    ));
    both!(depthwise_case::<8, 5, 4, 1, 4, 3, 2, 3, 4>(
        false,
        (2, 1),
        24
    ));
    both!(depthwise_case::<4, 4, 1, 2, 2, 5, 5, 4, 4>(
        true,
        (1, 1),
        25
    ));
    both!(depthwise_case::<5, 6, 2, 2, 4, 2, 3, 3, 2>(
        true,
        (2, 3),
        26
    ));
}

/// conv1d over an explicitly padded signal.
pub(in crate::conv) fn naive_conv1d(
    x: &[f64],
    (l, c): (usize, usize),
    w: &[f64],
    (k, o): (usize, usize),
    b: &[f64],
    same: bool,
    s: usize,
) -> Vec<f64> {
    naive_conv2d(x, (1, l, c), w, (1, k, o), b, same, (1, s))
}

fn conv1d_case<
    T: Tol,
    const L: usize,
    const C: usize,
    const K: usize,
    const O: usize,
    const OL: usize,
>(
    same: bool,
    stride: usize,
    seed: u64,
) {
    let axis = Axis::checked::<L, OL>("Conv1d", padding(same), K, stride);
    let mut rng = SplitMix64::new(seed);
    let mut x: [[T; C]; L] = random(&mut rng);
    let mut w: [[[T; C]; K]; O] = random(&mut rng);
    let mut b: [T; O] = random(&mut rng);
    let r: [[T; O]; OL] = random(&mut rng);
    let case = std::format!("conv1d {L}×{C} k{K} → {OL}×{O} s{stride} same={same}");

    let mut y = zeros::<[[T; O]; OL]>();
    conv1d::forward(&x, &w, &b, &axis, &mut y);
    let want = naive_conv1d(
        &to_f64(x.flat()),
        (L, C),
        &to_f64(w.flat()),
        (K, O),
        &to_f64(&b),
        same,
        stride,
    );
    assert_close(&case, &to_f64(y.flat()), &want, T::FWD);

    let mut dx = zeros::<[[T; C]; L]>();
    conv1d::backward_input(&w, &axis, &r, &mut dx);
    let mut dw = zeros::<[[[T; C]; K]; O]>();
    let mut db = [T::zero(); O];
    conv1d::backward_params(&x, &axis, &r, &mut dw, &mut db);

    // the same bits as a one-row conv2d, forward and backward
    let win2 = Window2d::new::<1, L, 1, OL>("Conv2d", padding(same), (1, K), (1, stride));
    let w2: [[[[T; C]; K]; 1]; O] = w.map(|wo| [wo]);
    let mut y2 = zeros::<[[[T; O]; OL]; 1]>();
    conv2d::forward(core::array::from_ref(&x), &w2, &b, &win2, &mut y2);
    let mut dx2 = zeros::<[[[T; C]; L]; 1]>();
    conv2d::backward_input(&w2, &win2, core::array::from_ref(&r), &mut dx2);
    let mut dw2 = zeros::<[[[[T; C]; K]; 1]; O]>();
    let mut db2 = [T::zero(); O];
    conv2d::backward_params(
        core::array::from_ref(&x),
        &win2,
        core::array::from_ref(&r),
        &mut dw2,
        &mut db2,
    );
    let bits = |s: &[T]| s.iter().map(|v| v.f64().to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(y.flat()), bits(y2.flat()), "{case}: forward bits");
    assert_eq!(bits(dx.flat()), bits(dx2.flat()), "{case}: ∂E/∂x bits");
    assert_eq!(bits(dw.flat()), bits(dw2.flat()), "{case}: ∂E/∂w bits");
    assert_eq!(bits(&db), bits(&db2), "{case}: ∂E/∂b bits");

    let loss = |x: &[[T; C]; L], w: &[[[T; C]; K]; O], b: &[T; O]| {
        let mut y = zeros::<[[T; O]; OL]>();
        conv1d::forward(x, w, b, &axis, &mut y);
        weighted_sum(r.flat(), y.flat())
    };
    let (x0, w0, b0) = (x, w, b);
    check_fd(
        &std::format!("{case} ∂E/∂x"),
        x.flat_mut(),
        dx.flat(),
        |v| {
            let mut xa = x0;
            xa.flat_mut().copy_from_slice(v);
            loss(&xa, &w0, &b0)
        },
    );
    check_fd(
        &std::format!("{case} ∂E/∂w"),
        w.flat_mut(),
        dw.flat(),
        |v| {
            let mut wa = w0;
            wa.flat_mut().copy_from_slice(v);
            loss(&x0, &wa, &b0)
        },
    );
    check_fd(&std::format!("{case} ∂E/∂b"), &mut b, &db, |v| {
        let mut ba = b0;
        ba.copy_from_slice(v);
        loss(&x0, &w0, &ba)
    });
}

#[test]
fn conv1d_matches_naive_finite_differences_and_the_bits_of_a_one_row_conv2d() {
    both!(conv1d_case::<10, 2, 3, 4, 10>(true, 1, 31));
    both!(conv1d_case::<11, 3, 4, 2, 4>(false, 2, 32));
    // stride larger than the kernel
    both!(conv1d_case::<9, 1, 2, 3, 3>(true, 3, 33));
    both!(conv1d_case::<13, 9, 5, 2, 3>(false, 4, 34));
    both!(conv1d_case::<6, 2, 4, 3, 6>(true, 1, 35));
}

fn relu6_case<T: Tol>(seed: u64) {
    let mut rng = SplitMix64::new(seed);
    // inputs over [-2, 8], kept away from the corners at 0 and 6 by more than the step
    let mut x = [T::zero(); 64];
    for v in &mut x {
        loop {
            let d = T::unit(&mut rng).f64() * 10.0 - 2.0;
            if d.abs() > 0.05 && (d - 6.0).abs() > 0.05 {
                *v = T::from_f64(d);
                break;
            }
        }
    }
    let r: [T; 64] = random(&mut rng);
    let mut y = [T::zero(); 64];
    relu6::forward(&x, &mut y);
    for (xi, yi) in x.iter().zip(&y) {
        let want = xi.f64().clamp(0.0, 6.0);
        assert_eq!(yi.f64(), want, "relu6({xi:?})");
    }
    let mut dx = [T::zero(); 64];
    relu6::backward(&x, &r, &mut dx);
    check_fd("relu6 ∂E/∂x", &mut x, &dx, |v| {
        let mut y = [T::zero(); 64];
        relu6::forward(v, &mut y);
        weighted_sum(&r, &y)
    });
    // the corners pass no gradient, as TensorFlow's Relu6Grad
    let one = T::one();
    assert_eq!(relu6::relu6_grad(T::zero(), one), T::zero());
    assert_eq!(relu6::relu6_grad(T::from_f64(6.0), one), T::zero());
    assert_eq!(relu6::relu6_grad(T::from_f64(5.5), one), one);
    assert!(relu6::relu6(T::nan()).is_nan());
}

#[test]
fn relu6_clamps_and_its_gradient_matches_finite_differences() {
    relu6_case::<f64>(41);
    relu6_case::<f32>(42);
}

/// The input cell of output `o`, tap `k`, with signed arithmetic (independent of
/// `Axis::tap`), or `None` in the padding.
fn cell(o: usize, k: usize, s: usize, pad: usize, n: usize) -> Option<usize> {
    let i = (o * s + k) as isize - pad as isize;
    (0..n as isize).contains(&i).then_some(i as usize)
}

/// conv2d's documented orders of additions, written out again: the kernels must give
/// these bits (a faster version must keep them).
fn documented_order_case<
    T: Tol,
    const H: usize,
    const W: usize,
    const C: usize,
    const KH: usize,
    const KW: usize,
    const O: usize,
    const OH: usize,
    const OW: usize,
>(
    same: bool,
    (sh, sw): (usize, usize),
    seed: u64,
) {
    use crate::kernels::{axpy, dot};
    let win = Window2d::new::<H, W, OH, OW>("Conv2d", padding(same), (KH, KW), (sh, sw));
    let (pt, pl) = (
        ref_geometry(same, H, KH, sh).1,
        ref_geometry(same, W, KW, sw).1,
    );
    let mut rng = SplitMix64::new(seed);
    let x: [[[T; C]; W]; H] = random(&mut rng);
    let w: [[[[T; C]; KW]; KH]; O] = random(&mut rng);
    let b: [T; O] = random(&mut rng);
    let g: [[[T; O]; OW]; OH] = random(&mut rng);
    let bits = |s: &[T]| s.iter().map(|v| v.f64().to_bits()).collect::<Vec<_>>();

    // forward: acc = b, then + dot per tap, ky then kx
    let mut want = zeros::<[[[T; O]; OW]; OH]>();
    for oy in 0..OH {
        for ox in 0..OW {
            for o in 0..O {
                let mut acc = b[o];
                for ky in 0..KH {
                    for kx in 0..KW {
                        if let (Some(iy), Some(ix)) =
                            (cell(oy, ky, sh, pt, H), cell(ox, kx, sw, pl, W))
                        {
                            acc = acc + dot(&x[iy][ix], &w[o][ky][kx]);
                        }
                    }
                }
                want[oy][ox][o] = acc;
            }
        }
    }
    let mut y = zeros::<[[[T; O]; OW]; OH]>();
    conv2d::forward(&x, &w, &b, &win, &mut y);
    assert_eq!(bits(y.flat()), bits(want.flat()), "conv2d forward order");

    // ∂E/∂x: oy, ox, ky, kx, o
    let mut want_dx = zeros::<[[[T; C]; W]; H]>();
    for oy in 0..OH {
        for ox in 0..OW {
            for ky in 0..KH {
                for kx in 0..KW {
                    if let (Some(iy), Some(ix)) = (cell(oy, ky, sh, pt, H), cell(ox, kx, sw, pl, W))
                    {
                        for o in 0..O {
                            axpy(&mut want_dx[iy][ix], g[oy][ox][o], &w[o][ky][kx]);
                        }
                    }
                }
            }
        }
    }
    let mut dx = zeros::<[[[T; C]; W]; H]>();
    conv2d::backward_input(&w, &win, &g, &mut dx);
    assert_eq!(bits(dx.flat()), bits(want_dx.flat()), "conv2d ∂E/∂x order");

    // ∂E/∂w, ∂E/∂b: oy, ox, o (bias first), ky, kx
    let mut want_dw = zeros::<[[[[T; C]; KW]; KH]; O]>();
    let mut want_db = [T::zero(); O];
    for oy in 0..OH {
        for ox in 0..OW {
            for o in 0..O {
                want_db[o] = want_db[o] + g[oy][ox][o];
                for ky in 0..KH {
                    for kx in 0..KW {
                        if let (Some(iy), Some(ix)) =
                            (cell(oy, ky, sh, pt, H), cell(ox, kx, sw, pl, W))
                        {
                            axpy(&mut want_dw[o][ky][kx], g[oy][ox][o], &x[iy][ix]);
                        }
                    }
                }
            }
        }
    }
    let (mut dw, mut db) = (zeros::<[[[[T; C]; KW]; KH]; O]>(), [T::zero(); O]);
    conv2d::backward_params(&x, &win, &g, &mut dw, &mut db);
    assert_eq!(bits(dw.flat()), bits(want_dw.flat()), "conv2d ∂E/∂w order");
    assert_eq!(bits(&db), bits(&want_db), "conv2d ∂E/∂b order");

    // average pool over the same window: sum in scan order, one division
    let mut want_avg = zeros::<[[[T; C]; OW]; OH]>();
    for oy in 0..OH {
        for ox in 0..OW {
            for c in 0..C {
                let (mut sum, mut n) = (T::zero(), 0usize);
                for ky in 0..KH {
                    for kx in 0..KW {
                        if let (Some(iy), Some(ix)) =
                            (cell(oy, ky, sh, pt, H), cell(ox, kx, sw, pl, W))
                        {
                            sum = sum + x[iy][ix][c];
                            n += 1;
                        }
                    }
                }
                want_avg[oy][ox][c] = sum / T::from_usize(n);
            }
        }
    }
    let mut avg = zeros::<[[[T; C]; OW]; OH]>();
    crate::conv::pool::avg_forward(&x, &win, &mut avg);
    assert_eq!(
        bits(avg.flat()),
        bits(want_avg.flat()),
        "average pool order"
    );
}

#[test]
fn conv2d_and_average_pool_add_in_their_documented_order() {
    both!(documented_order_case::<7, 6, 11, 3, 2, 4, 4, 3>(
        true,
        (2, 2),
        91
    ));
    both!(documented_order_case::<9, 8, 19, 3, 3, 3, 3, 2>(
        false,
        (3, 3),
        92
    ));
}
