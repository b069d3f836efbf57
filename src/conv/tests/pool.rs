//! Pooling: forward against naive loops over a padded canvas whose padding cells are
//! absent (not zero), backward against finite differences.

use super::conv::padding;
use super::{
    Flat, Tol, assert_close, check_fd, padded, random, ref_geometry, to_f64, weighted_sum, zeros,
};
use crate::conv::pool;
use crate::conv::shape::Window2d;
use crate::rng::SplitMix64;
use crate::scalar::Scalar;
use std::vec::Vec;

macro_rules! both {
    ($f:ident::<$($n:literal),*>($($a:expr),*)) => {
        $f::<f64, $($n),*>($($a),*);
        $f::<f32, $($n),*>($($a),*);
    };
}

/// Max (`max = true`, first maximum on ties) or average pooling over the valid cells of
/// each window of a padded canvas.
pub(in crate::conv) fn naive_pool(
    x: &[f64],
    (h, wd, c): (usize, usize, usize),
    (kh, kw): (usize, usize),
    same: bool,
    (sh, sw): (usize, usize),
    max: bool,
) -> Vec<f64> {
    let (oh, pt) = ref_geometry(same, h, kh, sh);
    let (ow, pl) = ref_geometry(same, wd, kw, sw);
    let (ph, pw) = ((oh - 1) * sh + kh, (ow - 1) * sw + kw);
    let xp = padded(x, (h, wd, c), (pt, pl), (ph, pw));
    let mut y = Vec::new();
    for oy in 0..oh {
        for ox in 0..ow {
            for ch in 0..c {
                let cells: Vec<f64> = (0..kh)
                    .flat_map(|ky| (0..kw).map(move |kx| (ky, kx)))
                    .filter_map(|(ky, kx)| xp[((oy * sh + ky) * pw + ox * sw + kx) * c + ch])
                    .collect();
                assert!(!cells.is_empty(), "a window with no valid cell");
                y.push(if max {
                    cells.iter().copied().fold(f64::NEG_INFINITY, f64::max)
                } else {
                    cells.iter().sum::<f64>() / cells.len() as f64
                });
            }
        }
    }
    y
}

/// Distinct values `0.05·k`, shuffled: no two cells of a window are within two
/// finite-difference steps of each other, so no perturbation moves a maximum.
fn spread<A: Flat>(rng: &mut SplitMix64) -> A {
    let mut a = A::zero();
    let s = a.flat_mut();
    let n = s.len();
    for (i, v) in s.iter_mut().enumerate() {
        *v = A::E::from_f64(0.05 * (i as f64) - 0.025 * (n as f64));
    }
    for i in (1..n).rev() {
        let j = (A::E::unit(rng).f64() * (i + 1) as f64) as usize;
        s.swap(i, j.min(i));
    }
    a
}

fn pool_case<
    T: Tol,
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
    seed: u64,
) {
    let win = Window2d::new::<H, W, OH, OW>("Pool2d", padding(same), (KH, KW), stride);
    let mut rng = SplitMix64::new(seed);
    let mut x: [[[T; C]; W]; H] = spread(&mut rng);
    let r: [[[T; C]; OW]; OH] = random(&mut rng);
    let case = std::format!("pool {H}×{W}×{C} k{KH}×{KW} → {OH}×{OW} s{stride:?} same={same}");
    let xf = to_f64(x.flat());

    // max: the maximum is exact, so the naive value must match to the bit
    let mut y = zeros::<[[[T; C]; OW]; OH]>();
    pool::max_forward(&x, &win, &mut y);
    let want = naive_pool(&xf, (H, W, C), (KH, KW), same, stride, true);
    assert_eq!(to_f64(y.flat()), want, "{case} max");
    let mut dx = zeros::<[[[T; C]; W]; H]>();
    pool::max_backward(&x, &win, &r, &mut dx);
    let x0 = x;
    check_fd(
        &std::format!("{case} max ∂E/∂x"),
        x.flat_mut(),
        dx.flat(),
        |v| {
            let mut xa = x0;
            xa.flat_mut().copy_from_slice(v);
            let mut y = zeros::<[[[T; C]; OW]; OH]>();
            pool::max_forward(&xa, &win, &mut y);
            weighted_sum(r.flat(), y.flat())
        },
    );

    // average over the valid cells
    pool::avg_forward(&x, &win, &mut y);
    let want = naive_pool(&xf, (H, W, C), (KH, KW), same, stride, false);
    assert_close(
        &std::format!("{case} avg"),
        &to_f64(y.flat()),
        &want,
        T::FWD,
    );
    pool::avg_backward(&win, &r, &mut dx);
    check_fd(
        &std::format!("{case} avg ∂E/∂x"),
        x.flat_mut(),
        dx.flat(),
        |v| {
            let mut xa = x0;
            xa.flat_mut().copy_from_slice(v);
            let mut y = zeros::<[[[T; C]; OW]; OH]>();
            pool::avg_forward(&xa, &win, &mut y);
            weighted_sum(r.flat(), y.flat())
        },
    );
}

#[test]
fn pools_match_naive_and_finite_differences() {
    both!(pool_case::<4, 4, 2, 2, 2, 2, 2>(false, (2, 2), 51));
    // SAME with partial windows at the bottom and right: averages over fewer cells
    both!(pool_case::<5, 5, 3, 2, 2, 3, 3>(true, (2, 2), 52));
    both!(pool_case::<7, 6, 1, 3, 3, 4, 3>(true, (2, 2), 53));
    // overlapping windows: gradients of several windows add up in one cell
    both!(pool_case::<6, 6, 2, 3, 3, 6, 6>(true, (1, 1), 54));
    both!(pool_case::<8, 7, 2, 2, 3, 3, 3>(false, (3, 2), 55));
    // stride larger than the window
    both!(pool_case::<5, 5, 2, 1, 1, 3, 3>(false, (2, 2), 56));
    both!(pool_case::<9, 4, 3, 2, 2, 3, 2>(true, (4, 3), 57));
}

#[test]
fn max_pool_ties_go_to_the_first_cell_in_scan_order() {
    // one 2×2 window, all four cells equal: the top-left gets the whole gradient
    let x = [[[1.0f64], [1.0]], [[1.0], [1.0]]];
    let win = Window2d::new::<2, 2, 1, 1>("MaxPool2d", padding(false), (2, 2), (2, 2));
    let mut dx = [[[0.0f64]; 2]; 2];
    pool::max_backward(&x, &win, &[[[3.0]]], &mut dx);
    assert_eq!(dx, [[[3.0], [0.0]], [[0.0], [0.0]]]);
    // a tie between the second and fourth cells: the second (row 0, column 1) wins
    let x = [[[0.0f64], [2.0]], [[1.0], [2.0]]];
    pool::max_backward(&x, &win, &[[[3.0]]], &mut dx);
    assert_eq!(dx, [[[0.0], [3.0]], [[0.0], [0.0]]]);
    // a SAME window whose top-left is padding: padding is not a candidate even when
    // every valid cell is negative
    let x = [[[-5.0f64], [-4.0]], [[-3.0], [-6.0]]];
    let win = Window2d::new::<2, 2, 1, 1>("MaxPool2d", padding(true), (3, 3), (2, 2));
    assert_eq!(win.h.pad, 0); // total 1: nothing before, one row after
    let mut y = [[[0.0f64]]];
    pool::max_forward(&x, &win, &mut y);
    assert_eq!(y, [[[-3.0]]]);
}

fn global_case<T: Tol, const H: usize, const W: usize, const C: usize>(seed: u64) {
    let mut rng = SplitMix64::new(seed);
    let mut x: [[[T; C]; W]; H] = random(&mut rng);
    let r: [T; C] = random(&mut rng);
    let y = pool::global_avg_forward(&x);
    let xf = to_f64(x.flat());
    let want: Vec<f64> = (0..C)
        .map(|c| (0..H * W).map(|p| xf[p * C + c]).sum::<f64>() / (H * W) as f64)
        .collect();
    assert_close("global average", &to_f64(&y), &want, T::FWD);
    let dx = pool::global_avg_backward::<T, H, W, C>(&r);
    let x0 = x;
    check_fd("global average ∂E/∂x", x.flat_mut(), dx.flat(), |v| {
        let mut xa = x0;
        xa.flat_mut().copy_from_slice(v);
        weighted_sum(&r, &pool::global_avg_forward(&xa))
    });
    // the same as an average pool whose one window is the whole image
    let win = Window2d::new::<H, W, 1, 1>("AvgPool2d", padding(false), (H, W), (1, 1));
    let mut y1 = zeros::<[[[T; C]; 1]; 1]>();
    pool::avg_forward(&x0, &win, &mut y1);
    assert_eq!(
        y1[0][0], y,
        "global average = one whole-image window, bit for bit"
    );
}

#[test]
fn global_average_pooling_matches_naive_and_finite_differences() {
    global_case::<f64, 3, 4, 5>(61);
    global_case::<f32, 3, 4, 5>(61);
    global_case::<f64, 1, 1, 3>(62);
    global_case::<f32, 7, 5, 2>(63);
    global_case::<f64, 7, 5, 2>(63);
}
