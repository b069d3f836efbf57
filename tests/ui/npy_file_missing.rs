// Paths are relative to the crate root, or failing that (as here, under trybuild) to this file.
use typenet::include_weights;

const W: [[f32; 2]; 3] = include_weights!("examples/npy/no_such_file.npy");
const B: [f32; 3] = include_weights!("../../examples/npy/hidden_bias.npy", transposed);

fn main() {
    let _ = (W, B);
}
