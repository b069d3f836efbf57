//! Any bytes into the `.npy` readers: never a panic, and what parses is consistent.
#![no_main]

use libfuzzer_sys::fuzz_target;
use typenet::weights::npy;

fuzz_target!(|data: &[u8]| {
    if let Ok(a) = npy::Npy::parse(data) {
        let n: usize = a.shape.dims().iter().product();
        assert_eq!(a.len(), n);
        assert!(a.get::<f32>(n).is_none());
    }
    let _ = npy::read_vector::<f32, 3>(data);
    let _ = npy::read_matrix::<f64, 2, 3>(data);
    if let Ok(m) = npy::read_matrix_transposed::<f32, 3, 2>(data) {
        assert!(m.as_flattened().iter().all(|v| v.is_finite()));
    }
});
