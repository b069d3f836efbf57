//! Weights trained in NumPy, run in typenet: `examples/npy/make_weights.py` trains a 2-3-1
//! sigmoid network on XOR and saves its layers as `.npy` files (PyTorch's `(out, in)`
//! layout, plus the output layer once more in Keras' `(in, out)` layout).
//!
//! This example reads them twice — at compile time into a `static` (the weights are part
//! of the program, as in flash on a microcontroller) and at run time from the files —
//! checks both against the outputs NumPy computed, then saves the network as a typenet
//! byte image and loads it back.
//!
//! ```sh
//! python3 examples/npy/make_weights.py   # optional: the .npy files are checked in
//! cargo run --release --example npy_weights
//! ```

use typenet::weights::{ImageSize, npy};
use typenet::{ByteImage, Dense, Layer, Sigmoid, include_weights, infer};

type Xor = (Dense<2, 3>, Sigmoid<3>, Dense<3, 1>, Sigmoid<1>);

/// The network, built while compiling: no file is read when the program runs.
static XOR: Xor = (
    Dense::new(
        include_weights!("examples/npy/hidden_weight.npy"), // (3, 2) = (O, I)
        include_weights!("examples/npy/hidden_bias.npy"),   // (3,)
    ),
    Sigmoid::new(),
    Dense::new(
        include_weights!("examples/npy/out_kernel.npy", transposed), // (3, 1) = (I, O)
        include_weights!("examples/npy/out_bias.npy"),
    ),
    Sigmoid::new(),
);

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/npy");
    let path = |name: &str| format!("{dir}/{name}");

    // The same network, read when the program runs.
    let loaded: Xor = (
        Dense::load_npy(path("hidden_weight.npy"), path("hidden_bias.npy"))?,
        Sigmoid::new(),
        Dense::load_npy(path("out_weight.npy"), path("out_bias.npy"))?,
        Sigmoid::new(),
    );
    assert_eq!(loaded, XOR, "compile-time and run-time loading disagree");

    // What NumPy computed for the four inputs, a (4, 1) float64 array.
    let expected: [[f64; 1]; 4] = npy::read_matrix(&std::fs::read(path("expected.npy"))?)?;
    println!("  x        typenet   NumPy");
    for (x, e) in [[0., 0.], [0., 1.], [1., 0.], [1., 1.]]
        .iter()
        .zip(expected)
    {
        let y = infer(&XOR, x)[0];
        println!("  {x:?}  {y:.6}  {:.6}", e[0]);
        assert!((f64::from(y) - e[0]).abs() < 1e-6);
    }

    // A wrong shape is an error that names both shapes.
    let err =
        Dense::<3, 2>::load_npy(path("hidden_weight.npy"), path("hidden_bias.npy")).unwrap_err();
    println!("Dense<3, 2> from hidden_weight.npy: {err}");

    // typenet's own format: a byte image whose length the type fixes.
    let bytes = XOR.to_bytes();
    println!(
        "byte image: {} bytes = 16 header + {} parameters x 4 (known at compile time: {})",
        bytes.len(),
        Xor::PARAM_COUNT,
        <Xor as ImageSize>::LEN
    );
    let file = std::env::temp_dir().join(format!("typenet-xor-{}.bin", std::process::id()));
    XOR.save(&file)?;
    assert_eq!(Xor::load(&file)?, XOR);
    std::fs::remove_file(&file)?;
    println!("saved to and loaded from {}", file.display());
    Ok(())
}
