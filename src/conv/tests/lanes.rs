//! The lane kernels ([`crate::conv::lanes`]) against the per-sample kernels, bit for bit:
//! every sample's forward and the batch's parameter gradients, over sizes, strides,
//! paddings and batch sizes, with signed zeros in the input, weights, biases and output
//! gradients (where a change in the order or form of the sums would show first), through
//! the run-time choice (the AVX2 twin on a CPU with AVX2) and through the loops.

use super::conv::padding;
use crate::conv::lanes::{
    conv2d_forward_body, conv2d_params_body, depthwise1_backward_body, depthwise1_forward_body,
};
use crate::conv::shape::{Window2d, out_size};
use crate::conv::{conv2d, depthwise};
use crate::kernels::{
    Plain, conv2d_forward_lanes, conv2d_params_lanes, depthwise1_backward, depthwise1_forward,
};
use crate::rng::SplitMix64;
use crate::scalar::Scalar;
use rand_core::Rng;
use std::vec::Vec;

/// Values in `[-1, 1)`, one in four `+0` or `−0`.
fn fill<T: Scalar>(rng: &mut SplitMix64, out: &mut [T]) {
    for v in out {
        let r = rng.next_u32();
        *v = match r % 8 {
            0 => T::zero(),
            1 => -T::zero(),
            _ => T::from_f64(f64::from(r >> 8) / f64::from(1u32 << 23) - 1.0),
        };
    }
}

fn bits<T: Scalar>(v: &[T]) -> Vec<u64> {
    v.iter().map(|&e| Scalar::to_f64(e).to_bits()).collect()
}

fn case<
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
    same: bool,
    stride: (usize, usize),
) {
    let win = Window2d::new::<H, W, OH, OW>("Conv2d", padding(same), (KH, KW), stride);
    let what = std::format!("{H}×{W}×{C} k{KH}×{KW} → {OH}×{OW}×{O} s{stride:?} same={same}");
    for n in [1, 3, 4, 5, 9] {
        let mut rng = SplitMix64::new((n * 1000 + H * 100 + C * 10 + O) as u64);
        let mut xs = std::vec![[[[T::zero(); C]; W]; H]; n];
        let mut gs = std::vec![[[[T::zero(); O]; OW]; OH]; n];
        let mut w = [[[[T::zero(); C]; KW]; KH]; O];
        let mut b = [T::zero(); O];
        let mut dw0 = w;
        let mut db0 = b;
        fill(
            &mut rng,
            xs.as_flattened_mut().as_flattened_mut().as_flattened_mut(),
        );
        fill(
            &mut rng,
            gs.as_flattened_mut().as_flattened_mut().as_flattened_mut(),
        );
        fill(
            &mut rng,
            w.as_flattened_mut().as_flattened_mut().as_flattened_mut(),
        );
        fill(&mut rng, &mut b);
        fill(
            &mut rng,
            dw0.as_flattened_mut().as_flattened_mut().as_flattened_mut(),
        );
        fill(&mut rng, &mut db0);
        b[0] = -T::zero();

        // the per-sample kernels, sample after sample
        let mut want_y = std::vec![[[[T::zero(); O]; OW]; OH]; n];
        let (mut want_dw, mut want_db) = (dw0, db0);
        for ((x, g), y) in xs.iter().zip(&gs).zip(&mut want_y) {
            conv2d::forward(x, &w, &b, &win, y);
            conv2d::backward_params(x, &win, g, &mut want_dw, &mut want_db);
        }
        let want_y = bits(want_y.as_flattened().as_flattened().as_flattened());
        let want_dw = bits(want_dw.as_flattened().as_flattened().as_flattened());
        let want_db = bits(&want_db);

        for wide in [false, true] {
            let (mut dw, mut db) = (dw0, db0);
            let mut ys = std::vec![[[[T::nan(); O]; OW]; OH]; n];
            if wide {
                conv2d_params_lanes(&xs, &win, &gs, &mut dw, &mut db);
            } else {
                conv2d_params_body(Plain, &xs, &win, &gs, &mut dw, &mut db);
            }
            let got = bits(dw.as_flattened().as_flattened().as_flattened());
            assert_eq!(got, want_dw, "∂E/∂w {what} n={n} wide={wide}");
            assert_eq!(bits(&db), want_db, "∂E/∂b {what} n={n} wide={wide}");
            if C >= 8 {
                continue; // the forward lanes take fewer than eight channels
            }
            if wide {
                conv2d_forward_lanes(&xs, &w, &b, &win, &mut ys);
            } else {
                conv2d_forward_body(Plain, &xs, &w, &b, &win, &mut ys);
            }
            let got = bits(ys.as_flattened().as_flattened().as_flattened());
            assert_eq!(got, want_y, "forward {what} n={n} wide={wide}");
        }
    }
}

macro_rules! cases {
    ($($h:literal $w:literal $c:literal, $kh:literal $kw:literal, $o:literal, $sh:literal $sw:literal, $same:literal;)+) => {$({
        const SAME: bool = $same;
        const PAD: crate::conv::shape::Padding = if SAME {
            crate::conv::shape::Padding::Same
        } else {
            crate::conv::shape::Padding::Valid
        };
        const OH: usize = out_size(PAD, $h, $kh, $sh);
        const OW: usize = out_size(PAD, $w, $kw, $sw);
        case::<f32, $h, $w, $c, $kh, $kw, $o, OH, OW>(SAME, ($sh, $sw));
        case::<f64, $h, $w, $c, $kh, $kw, $o, OH, OW>(SAME, ($sh, $sw));
    })+};
}

#[test]
fn lane_kernels_give_the_bits_of_the_per_sample_kernels() {
    cases! {
        // DS-CNN's first layer, smaller
        13 6 1, 10 4, 64, 2 2, true;
        8 8 1, 3 3, 8, 1 1, true;
        7 5 2, 3 3, 17, 2 1, true;
        6 7 3, 2 3, 16, 3 2, false;
        9 4 7, 3 3, 33, 1 1, true;
        5 5 1, 1 1, 5, 1 1, false;
        6 6 3, 5 5, 1, 2 2, true;
        5 6 8, 3 3, 20, 1 2, true;
        4 4 9, 2 2, 3, 2 2, false;
        3 3 1, 3 3, 16, 3 3, true;
        // more taps than the forward lanes take (their gradients have no bound)
        6 5 64, 3 3, 18, 1 1, true;
    }
}

fn depthwise_case<
    T: Scalar,
    const H: usize,
    const W: usize,
    const C: usize,
    const KH: usize,
    const KW: usize,
    const OH: usize,
    const OW: usize,
>(
    same: bool,
    stride: (usize, usize),
) {
    let win = Window2d::new::<H, W, OH, OW>("Depthwise", padding(same), (KH, KW), stride);
    let what = std::format!("depthwise {H}×{W}×{C} k{KH}×{KW} s{stride:?} same={same}");
    for n in [1, 2, 5] {
        let mut rng = SplitMix64::new((n * 1000 + H * 100 + C) as u64);
        let mut xs = std::vec![[[[T::zero(); C]; W]; H]; n];
        let mut gs = std::vec![[[[T::zero(); C]; OW]; OH]; n];
        let (mut w, mut b) = ([[[T::zero(); C]; KW]; KH], [T::zero(); C]);
        let (mut dw0, mut db0) = (w, b);
        fill(
            &mut rng,
            xs.as_flattened_mut().as_flattened_mut().as_flattened_mut(),
        );
        fill(
            &mut rng,
            gs.as_flattened_mut().as_flattened_mut().as_flattened_mut(),
        );
        fill(&mut rng, w.as_flattened_mut().as_flattened_mut());
        fill(&mut rng, &mut b);
        fill(&mut rng, dw0.as_flattened_mut().as_flattened_mut());
        fill(&mut rng, &mut db0);
        b[0] = -T::zero();
        let mut want_y = std::vec![[[[T::zero(); C]; OW]; OH]; n];
        let mut want_dx = std::vec![[[[T::zero(); C]; W]; H]; n];
        let (mut want_dw, mut want_db) = (dw0, db0);
        for (((x, g), y), dx) in xs.iter().zip(&gs).zip(&mut want_y).zip(&mut want_dx) {
            depthwise::forward::<T, H, W, C, 1, C, KH, KW, OH, OW>(x, &w, &b, &win, y);
            depthwise::backward_params::<T, H, W, C, 1, C, KH, KW, OH, OW>(
                x,
                &win,
                g,
                &mut want_dw,
                &mut want_db,
            );
            depthwise::backward_input::<T, H, W, C, 1, C, KH, KW, OH, OW>(&w, &win, g, dx);
        }
        for wide in [false, true] {
            let mut ys = std::vec![[[[T::nan(); C]; OW]; OH]; n];
            let mut dxs = std::vec![[[[T::nan(); C]; W]; H]; n];
            let (mut dw, mut db) = (dw0, db0);
            if wide {
                depthwise1_forward(&xs, &w, &b, &win, &mut ys);
                depthwise1_backward(&xs, &w, &win, &gs, (&mut dw, &mut db), &mut dxs);
            } else {
                depthwise1_forward_body(Plain, &xs, &w, &b, &win, &mut ys);
                let grads = (&mut dw, &mut db);
                depthwise1_backward_body(Plain, &xs, &w, &win, &gs, grads, &mut dxs);
            }
            let f3 =
                |v: &[[[[T; C]; OW]; OH]]| bits(v.as_flattened().as_flattened().as_flattened());
            let i3 = |v: &[[[[T; C]; W]; H]]| bits(v.as_flattened().as_flattened().as_flattened());
            assert_eq!(f3(&ys), f3(&want_y), "forward {what} n={n} wide={wide}");
            assert_eq!(i3(&dxs), i3(&want_dx), "∂E/∂x {what} n={n} wide={wide}");
            let dwb = bits(dw.as_flattened().as_flattened());
            assert_eq!(
                dwb,
                bits(want_dw.as_flattened().as_flattened()),
                "∂E/∂w {what}"
            );
            assert_eq!(bits(&db), bits(&want_db), "∂E/∂b {what} n={n} wide={wide}");
        }
    }
}

#[test]
fn depthwise_lane_kernels_give_the_bits_of_the_per_sample_kernels() {
    macro_rules! dw {
        ($($h:literal $w:literal $c:literal, $kh:literal $kw:literal, $sh:literal $sw:literal, $same:literal;)+) => {$({
            const PAD: crate::conv::shape::Padding = if $same {
                crate::conv::shape::Padding::Same
            } else {
                crate::conv::shape::Padding::Valid
            };
            const OH: usize = out_size(PAD, $h, $kh, $sh);
            const OW: usize = out_size(PAD, $w, $kw, $sw);
            depthwise_case::<f32, $h, $w, $c, $kh, $kw, OH, OW>($same, ($sh, $sw));
            depthwise_case::<f64, $h, $w, $c, $kh, $kw, OH, OW>($same, ($sh, $sw));
        })+};
    }
    dw! {
        7 5 64, 3 3, 1 1, true;
        6 6 13, 3 2, 2 2, true;
        5 7 3, 2 3, 1 2, false;
        4 4 8, 3 3, 3 3, true;
        6 5 17, 1 1, 1 1, false;
    }
}
