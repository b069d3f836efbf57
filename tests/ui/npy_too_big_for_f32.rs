// An f64 file with a value beyond f32's range: fine as f64, an error as f32.
// The file: python3 -c "import numpy as np; np.save('tests/ui/too_big_for_f32.npy', np.array([1.0, 1e300]))"
use typenet::include_weights;

const AS_F64: [f64; 2] = include_weights!("../../tests/ui/too_big_for_f32.npy");
const AS_F32: [f32; 2] = include_weights!("../../tests/ui/too_big_for_f32.npy");

fn main() {
    assert_eq!(AS_F64[1], 1e300);
    let _ = AS_F32;
}
