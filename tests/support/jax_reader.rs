//! The reader of the JAX golden files in `tests/data/conv/*.bin` (written by
//! `scripts/conv_jax_goldens.py`), shared by `tests/conv_jax.rs` and
//! `tests/batch_norm_jax.rs`.
#![allow(dead_code)] // each test file uses some of the methods

use typenet::{Layer, Scalar, Vector};

pub struct Reader {
    bytes: Vec<u8>,
    pos: usize,
}

impl Reader {
    pub fn open(name: &str, cases: usize) -> Self {
        let path = format!("{}/tests/data/conv/{name}.bin", env!("CARGO_MANIFEST_DIR"));
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(&bytes[..4], b"TNCV");
        let mut r = Self { bytes, pos: 4 };
        assert_eq!(r.u32(), 1, "format version");
        assert_eq!(r.u32(), cases, "{path}: case count");
        r
    }
    pub fn u32(&mut self) -> usize {
        let v = u32::from_le_bytes(self.bytes[self.pos..self.pos + 4].try_into().unwrap());
        self.pos += 4;
        v as usize
    }
    pub fn sizes(&mut self, want: &[usize]) {
        let got: Vec<usize> = want.iter().map(|_| self.u32()).collect();
        assert_eq!(got, want, "sizes in the file and in the test");
    }
    pub fn values(&mut self, n: usize) -> Vec<f64> {
        (0..n)
            .map(|_| {
                let v = f64::from_le_bytes(self.bytes[self.pos..self.pos + 8].try_into().unwrap());
                self.pos += 8;
                v
            })
            .collect()
    }
    pub fn vector<T: Scalar, V: Vector<T>>(&mut self) -> (V, Vec<f64>) {
        let mut v = V::zeros();
        let exact = self.values(V::LEN);
        for (e, &x) in v.as_mut_slice().iter_mut().zip(&exact) {
            *e = T::from_f64(x);
        }
        (v, exact)
    }
    /// Fills every parameter tensor of `layer`, in its visiting order.
    pub fn params<L: Layer>(&mut self, layer: &mut L) {
        let mut all = Vec::new();
        layer.visit_params(&mut |p| all.push(p.len()));
        let mut k = 0;
        let data: Vec<Vec<f64>> = all.iter().map(|&n| self.values(n)).collect();
        layer.visit_params_mut(&mut |p| {
            for (e, &x) in p.iter_mut().zip(&data[k]) {
                *e = L::Scalar::from_f64(x);
            }
            k += 1;
        });
    }
    pub fn array<T: Scalar, const C: usize>(&mut self) -> [T; C] {
        let v = self.values(C);
        core::array::from_fn(|c| T::from_f64(v[c]))
    }
    pub fn batch<T: Scalar, V: Vector<T>>(&mut self, n: usize) -> Vec<V> {
        (0..n)
            .map(|_| {
                let mut v = V::zeros();
                for (e, x) in v.as_mut_slice().iter_mut().zip(self.values(V::LEN)) {
                    *e = T::from_f64(x);
                }
                v
            })
            .collect()
    }
    pub fn end(&self) {
        assert_eq!(self.pos, self.bytes.len(), "trailing bytes");
    }
}
