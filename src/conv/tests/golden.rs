//! Against NumPy: every case in `tests/data/conv/*.bin` (made by
//! `scripts/conv_goldens.py`, an independent NumPy implementation: `np.pad`,
//! `sliding_window_view`, `einsum`, `np.add.at`) is run through the kernels in f64 and in
//! f32, forward and backward, and compared with NumPy's values. The shapes below are the
//! script's case lists in its order; each case's sizes are read and checked.

use super::conv::padding;
use super::{Flat, Tol, assert_close, to_f64, zeros};
use crate::conv::shape::{Axis, Window2d};
use crate::conv::{conv1d, conv2d, depthwise, pool};
use std::vec::Vec;

struct Reader {
    bytes: Vec<u8>,
    pos: usize,
    name: &'static str,
}

impl Reader {
    fn open(name: &'static str, cases: usize) -> Self {
        let path = std::format!("{}/tests/data/conv/{name}.bin", env!("CARGO_MANIFEST_DIR"));
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(&bytes[..4], b"TNCV", "{path}: not a golden file");
        let mut r = Self {
            bytes,
            pos: 4,
            name,
        };
        assert_eq!(r.u32(), 1, "{path}: format version");
        assert_eq!(
            r.u32(),
            cases,
            "{path}: case count (the test lists every case)"
        );
        r
    }
    fn u32(&mut self) -> usize {
        let v = u32::from_le_bytes(self.bytes[self.pos..self.pos + 4].try_into().unwrap());
        self.pos += 4;
        v as usize
    }
    /// The next sizes, checked against the instantiation's.
    fn sizes(&mut self, want: &[usize]) -> Vec<usize> {
        let got: Vec<usize> = (0..want.len()).map(|_| self.u32()).collect();
        for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
            // usize::MAX marks a size read from the file rather than instantiated
            assert!(
                w == usize::MAX || g == w,
                "{}: size {i} is {g} in the file, {w} in the test ({got:?})",
                self.name
            );
        }
        got
    }
    /// The next array, as a value of `A` (converted to its scalar type).
    fn array<A: Flat>(&mut self) -> (A, Vec<f64>) {
        let mut a = zeros::<A>();
        let n = a.flat().len();
        let mut exact = Vec::with_capacity(n);
        for v in a.flat_mut() {
            let x = f64::from_le_bytes(self.bytes[self.pos..self.pos + 8].try_into().unwrap());
            self.pos += 8;
            *v = <A::E as crate::scalar::Scalar>::from_f64(x);
            exact.push(x);
        }
        (a, exact)
    }
    fn end(&self) {
        assert_eq!(self.pos, self.bytes.len(), "{}: trailing bytes", self.name);
    }
}

const ANY: usize = usize::MAX;

/// The tolerance against NumPy: f64 runs on exactly NumPy's inputs; f32 on rounded ones.
fn tol<T: Tol>() -> f64 {
    T::FWD * 10.0
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
    f: &mut Reader,
) {
    let s = f.sizes(&[H, W, C, KH, KW, O, ANY, ANY, ANY, OH, OW]);
    let (stride, same) = ((s[6], s[7]), s[8] == 1);
    let case = std::format!("NumPy conv2d {s:?} [{}]", T::NAME);
    let win = Window2d::new::<H, W, OH, OW>("Conv2d", padding(same), (KH, KW), stride);
    let (x, _) = f.array::<[[[T; C]; W]; H]>();
    let (w, _) = f.array::<[[[[T; C]; KW]; KH]; O]>();
    let (b, _) = f.array::<[T; O]>();
    let (r, _) = f.array::<[[[T; O]; OW]; OH]>();
    let (_, y_np) = f.array::<[[[T; O]; OW]; OH]>();
    let (_, dx_np) = f.array::<[[[T; C]; W]; H]>();
    let (_, dw_np) = f.array::<[[[[T; C]; KW]; KH]; O]>();
    let (_, db_np) = f.array::<[T; O]>();
    let mut y = zeros::<[[[T; O]; OW]; OH]>();
    conv2d::forward(&x, &w, &b, &win, &mut y);
    assert_close(
        &std::format!("{case} y"),
        &to_f64(y.flat()),
        &y_np,
        tol::<T>(),
    );
    let mut dx = zeros::<[[[T; C]; W]; H]>();
    conv2d::backward_input(&w, &win, &r, &mut dx);
    assert_close(
        &std::format!("{case} ∂E/∂x"),
        &to_f64(dx.flat()),
        &dx_np,
        tol::<T>(),
    );
    let (mut dw, mut db) = (zeros::<[[[[T; C]; KW]; KH]; O]>(), zeros::<[T; O]>());
    conv2d::backward_params(&x, &win, &r, &mut dw, &mut db);
    assert_close(
        &std::format!("{case} ∂E/∂w"),
        &to_f64(dw.flat()),
        &dw_np,
        tol::<T>(),
    );
    assert_close(
        &std::format!("{case} ∂E/∂b"),
        &to_f64(&db),
        &db_np,
        tol::<T>(),
    );
}

fn conv2d_all<T: Tol>() {
    let f = &mut Reader::open("conv2d", 11);
    conv2d_case::<T, 5, 5, 1, 3, 3, 2, 3, 3>(f);
    conv2d_case::<T, 5, 5, 1, 3, 3, 2, 5, 5>(f);
    conv2d_case::<T, 7, 6, 3, 3, 2, 4, 4, 3>(f);
    conv2d_case::<T, 8, 8, 2, 2, 2, 3, 3, 3>(f);
    conv2d_case::<T, 9, 7, 2, 1, 1, 3, 3, 4>(f);
    conv2d_case::<T, 6, 5, 3, 4, 3, 2, 6, 3>(f);
    conv2d_case::<T, 12, 6, 1, 10, 4, 3, 6, 3>(f);
    conv2d_case::<T, 1, 1, 8, 1, 1, 5, 1, 1>(f);
    conv2d_case::<T, 4, 4, 2, 5, 5, 2, 4, 4>(f);
    conv2d_case::<T, 7, 5, 2, 3, 3, 2, 3, 1>(f);
    conv2d_case::<T, 3, 4, 11, 2, 2, 3, 2, 2>(f);
    f.end();
}

#[test]
fn conv2d_matches_numpy() {
    conv2d_all::<f64>();
    conv2d_all::<f32>();
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
    f: &mut Reader,
) {
    let s = f.sizes(&[H, W, C, M, KH, KW, ANY, ANY, ANY, OH, OW]);
    let (stride, same) = ((s[6], s[7]), s[8] == 1);
    let case = std::format!("NumPy depthwise {s:?} [{}]", T::NAME);
    let win = Window2d::new::<H, W, OH, OW>("DepthwiseConv2d", padding(same), (KH, KW), stride);
    let (x, _) = f.array::<[[[T; C]; W]; H]>();
    let (w, _) = f.array::<[[[T; CM]; KW]; KH]>();
    let (b, _) = f.array::<[T; CM]>();
    let (r, _) = f.array::<[[[T; CM]; OW]; OH]>();
    let (_, y_np) = f.array::<[[[T; CM]; OW]; OH]>();
    let (_, dx_np) = f.array::<[[[T; C]; W]; H]>();
    let (_, dw_np) = f.array::<[[[T; CM]; KW]; KH]>();
    let (_, db_np) = f.array::<[T; CM]>();
    let mut y = zeros::<[[[T; CM]; OW]; OH]>();
    depthwise::forward::<T, H, W, C, M, CM, KH, KW, OH, OW>(&x, &w, &b, &win, &mut y);
    assert_close(
        &std::format!("{case} y"),
        &to_f64(y.flat()),
        &y_np,
        tol::<T>(),
    );
    let mut dx = zeros::<[[[T; C]; W]; H]>();
    depthwise::backward_input::<T, H, W, C, M, CM, KH, KW, OH, OW>(&w, &win, &r, &mut dx);
    assert_close(
        &std::format!("{case} ∂E/∂x"),
        &to_f64(dx.flat()),
        &dx_np,
        tol::<T>(),
    );
    let (mut dw, mut db) = (zeros::<[[[T; CM]; KW]; KH]>(), zeros::<[T; CM]>());
    depthwise::backward_params::<T, H, W, C, M, CM, KH, KW, OH, OW>(&x, &win, &r, &mut dw, &mut db);
    assert_close(
        &std::format!("{case} ∂E/∂w"),
        &to_f64(dw.flat()),
        &dw_np,
        tol::<T>(),
    );
    assert_close(
        &std::format!("{case} ∂E/∂b"),
        &to_f64(&db),
        &db_np,
        tol::<T>(),
    );
}

fn depthwise_all<T: Tol>() {
    let f = &mut Reader::open("depthwise_conv2d", 6);
    depthwise_case::<T, 5, 5, 2, 1, 2, 3, 3, 5, 5>(f);
    depthwise_case::<T, 6, 7, 3, 2, 6, 3, 3, 3, 4>(f);
    depthwise_case::<T, 7, 7, 2, 3, 6, 2, 2, 2, 2>(f);
    depthwise_case::<T, 8, 5, 4, 1, 4, 3, 2, 3, 4>(f);
    depthwise_case::<T, 4, 4, 1, 2, 2, 5, 5, 4, 4>(f);
    depthwise_case::<T, 5, 6, 2, 2, 4, 2, 3, 3, 2>(f);
    f.end();
}

#[test]
fn depthwise_conv2d_matches_numpy() {
    depthwise_all::<f64>();
    depthwise_all::<f32>();
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
    f: &mut Reader,
) {
    let s = f.sizes(&[H, W, C, KH, KW, ANY, ANY, ANY, OH, OW]);
    let (stride, same) = ((s[5], s[6]), s[7] == 1);
    let case = std::format!("NumPy pool {s:?} [{}]", T::NAME);
    let win = Window2d::new::<H, W, OH, OW>("Pool2d", padding(same), (KH, KW), stride);
    let (x, _) = f.array::<[[[T; C]; W]; H]>();
    let (r, _) = f.array::<[[[T; C]; OW]; OH]>();
    let (_, max_np) = f.array::<[[[T; C]; OW]; OH]>();
    let (_, avg_np) = f.array::<[[[T; C]; OW]; OH]>();
    let (_, dmax_np) = f.array::<[[[T; C]; W]; H]>();
    let (_, davg_np) = f.array::<[[[T; C]; W]; H]>();
    let mut y = zeros::<[[[T; C]; OW]; OH]>();
    let mut dx = zeros::<[[[T; C]; W]; H]>();
    pool::max_forward(&x, &win, &mut y);
    assert_close(
        &std::format!("{case} max"),
        &to_f64(y.flat()),
        &max_np,
        tol::<T>(),
    );
    pool::max_backward(&x, &win, &r, &mut dx);
    assert_close(
        &std::format!("{case} max ∂E/∂x"),
        &to_f64(dx.flat()),
        &dmax_np,
        tol::<T>(),
    );
    pool::avg_forward(&x, &win, &mut y);
    assert_close(
        &std::format!("{case} avg"),
        &to_f64(y.flat()),
        &avg_np,
        tol::<T>(),
    );
    pool::avg_backward(&win, &r, &mut dx);
    assert_close(
        &std::format!("{case} avg ∂E/∂x"),
        &to_f64(dx.flat()),
        &davg_np,
        tol::<T>(),
    );
}

fn pool_all<T: Tol>() {
    let f = &mut Reader::open("pool2d", 7);
    pool_case::<T, 4, 4, 2, 2, 2, 2, 2>(f);
    pool_case::<T, 5, 5, 3, 2, 2, 3, 3>(f);
    pool_case::<T, 7, 6, 1, 3, 3, 4, 3>(f);
    pool_case::<T, 6, 6, 2, 3, 3, 6, 6>(f);
    pool_case::<T, 8, 7, 2, 2, 3, 3, 3>(f);
    pool_case::<T, 5, 5, 2, 1, 1, 3, 3>(f);
    pool_case::<T, 9, 4, 3, 2, 2, 3, 2>(f);
    f.end();
}

#[test]
fn pools_match_numpy() {
    pool_all::<f64>();
    pool_all::<f32>();
}

fn global_case<T: Tol, const H: usize, const W: usize, const C: usize>(f: &mut Reader) {
    let s = f.sizes(&[H, W, C]);
    let case = std::format!("NumPy global average {s:?} [{}]", T::NAME);
    let (x, _) = f.array::<[[[T; C]; W]; H]>();
    let (r, _) = f.array::<[T; C]>();
    let (_, y_np) = f.array::<[T; C]>();
    let (_, dx_np) = f.array::<[[[T; C]; W]; H]>();
    assert_close(
        &case,
        &to_f64(&pool::global_avg_forward(&x)),
        &y_np,
        tol::<T>(),
    );
    let dx = pool::global_avg_backward::<T, H, W, C>(&r);
    assert_close(
        &std::format!("{case} ∂E/∂x"),
        &to_f64(dx.flat()),
        &dx_np,
        tol::<T>(),
    );
}

fn global_all<T: Tol>() {
    let f = &mut Reader::open("global_avg_pool", 3);
    global_case::<T, 3, 4, 5>(f);
    global_case::<T, 1, 1, 3>(f);
    global_case::<T, 7, 5, 2>(f);
    f.end();
}

#[test]
fn global_average_pooling_matches_numpy() {
    global_all::<f64>();
    global_all::<f32>();
}

fn conv1d_case<
    T: Tol,
    const L: usize,
    const C: usize,
    const K: usize,
    const O: usize,
    const OL: usize,
>(
    f: &mut Reader,
) {
    let s = f.sizes(&[L, C, K, O, ANY, ANY, OL]);
    let (stride, same) = (s[4], s[5] == 1);
    let case = std::format!("NumPy conv1d {s:?} [{}]", T::NAME);
    let axis = Axis::checked::<L, OL>("Conv1d", padding(same), K, stride);
    let (x, _) = f.array::<[[T; C]; L]>();
    let (w, _) = f.array::<[[[T; C]; K]; O]>();
    let (b, _) = f.array::<[T; O]>();
    let (r, _) = f.array::<[[T; O]; OL]>();
    let (_, y_np) = f.array::<[[T; O]; OL]>();
    let (_, dx_np) = f.array::<[[T; C]; L]>();
    let (_, dw_np) = f.array::<[[[T; C]; K]; O]>();
    let (_, db_np) = f.array::<[T; O]>();
    let mut y = zeros::<[[T; O]; OL]>();
    conv1d::forward(&x, &w, &b, &axis, &mut y);
    assert_close(
        &std::format!("{case} y"),
        &to_f64(y.flat()),
        &y_np,
        tol::<T>(),
    );
    let mut dx = zeros::<[[T; C]; L]>();
    conv1d::backward_input(&w, &axis, &r, &mut dx);
    assert_close(
        &std::format!("{case} ∂E/∂x"),
        &to_f64(dx.flat()),
        &dx_np,
        tol::<T>(),
    );
    let (mut dw, mut db) = (zeros::<[[[T; C]; K]; O]>(), zeros::<[T; O]>());
    conv1d::backward_params(&x, &axis, &r, &mut dw, &mut db);
    assert_close(
        &std::format!("{case} ∂E/∂w"),
        &to_f64(dw.flat()),
        &dw_np,
        tol::<T>(),
    );
    assert_close(
        &std::format!("{case} ∂E/∂b"),
        &to_f64(&db),
        &db_np,
        tol::<T>(),
    );
}

fn conv1d_all<T: Tol>() {
    let f = &mut Reader::open("conv1d", 5);
    conv1d_case::<T, 10, 2, 3, 4, 10>(f);
    conv1d_case::<T, 11, 3, 4, 2, 4>(f);
    conv1d_case::<T, 9, 1, 2, 3, 3>(f);
    conv1d_case::<T, 13, 9, 5, 2, 3>(f);
    conv1d_case::<T, 6, 2, 4, 3, 6>(f);
    f.end();
}

#[test]
fn conv1d_matches_numpy() {
    conv1d_all::<f64>();
    conv1d_all::<f32>();
}
