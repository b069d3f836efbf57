// Paths are relative to the crate root, or failing that (as here, under trybuild) to this file.
// hidden_weight.npy holds a (3, 2) array: a Dense<2, 3>'s weights, not a Dense<3, 2>'s.
use typenet::{Dense, include_weights};

static WRONG: Dense<3, 2> = Dense::new(
    include_weights!("../../examples/npy/hidden_weight.npy"),
    include_weights!("../../examples/npy/out_bias.npy"),
);

fn main() {
    let _ = WRONG;
}
