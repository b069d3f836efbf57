// Paths are relative to the crate root, or failing that (as here, under trybuild) to this file.
// hidden_bias.npy holds a (3,) array: a bias, not a (3, 2) weight matrix.
use typenet::include_weights;

const W: [[f32; 2]; 3] = include_weights!("../../examples/npy/hidden_bias.npy");
const B: [f64; 3] = include_weights!("../../examples/npy/hidden_weight.npy");

fn main() {
    let _ = (W, B);
}
