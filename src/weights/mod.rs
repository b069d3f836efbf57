//! Saving and loading weights: fixed-size byte images, weights in flash, NumPy import.
//!
//! * **Byte images** ([`ByteImage`]): `net.to_bytes()` is a `GenericArray<u8, _>` whose
//!   length the type fixes (a header of 16 bytes, then every parameter little-endian), and
//!   `Net::from_bytes(&bytes)` checks length, magic, version, scalar type, shape
//!   fingerprint and finiteness before it returns a network. See [`ByteImage`] for the
//!   layout.
//! * **Files** (feature `std`): `ByteImage::save` and `ByteImage::load`.
//! * **Weights in flash**: every layer is `const`-constructible, so a trained network is a
//!   `static`, placed in read-only memory with nothing copied at start-up:
//!
//! ```
//! use typenet::{Dense, Layer, Sigmoid, Step};
//!
//! // A perceptron for AND, trained elsewhere; the weights are part of the program image.
//! static AND: (Dense<2, 1>, Step<1>) = (Dense::new([[1.0, 1.0]], [-1.5]), Step::new());
//! // Weights can also come from a NumPy file at compile time:
//! static HIDDEN: (Dense<2, 3>, Sigmoid<3>) = (
//!     Dense::new(
//!         typenet::include_weights!("examples/npy/hidden_weight.npy"),
//!         typenet::include_weights!("examples/npy/hidden_bias.npy"),
//!     ),
//!     Sigmoid::new(),
//! );
//!
//! assert_eq!(AND.forward(&[1.0, 1.0]), [1.0]);
//! assert_eq!(AND.forward(&[1.0, 0.0]), [0.0]);
//! assert!(HIDDEN.forward(&[1.0, 0.0]).iter().all(|y| (0.0..=1.0).contains(y)));
//! ```
//!
//! * **NumPy** ([`npy`]): `Dense` weights and biases from `.npy` files at run time
//!   ([`Dense::from_npy`](crate::Dense::from_npy)) or at compile time
//!   ([`include_weights!`](crate::include_weights)), where a wrong shape is a compile error.
//! * **serde** (feature `serde`): every layer implements `Serialize` and `Deserialize`
//!   (from `#[derive(Params)]`), so tuples of them and user structs deriving serde do too.
//!
//! # To and from `ndarray` and `nalgebra`
//!
//! A [`Dense<I, O>`](crate::Dense)'s parameters are plain arrays: `weights: [[T; I]; O]`
//! (row `o` holds output `o`'s weights, row-major) and `bias: [T; O]`. Other crates' arrays
//! can look at them in place or hand them over; neither crate is a dependency of typenet.
//!
//! **ndarray** (row-major by default): a view of the weights, read-only or mutable, is a
//! cast of the same memory, no copy.
//!
//! ```
//! use ndarray::{Array2, ArrayView1, ArrayView2, ArrayViewMut2, array};
//! use typenet::{Dense, Layer};
//!
//! let mut layer = Dense::<3, 2>::new([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], [0.5, -0.5]);
//! let x = [1.0, 0.0, -1.0];
//!
//! // typenet → ndarray: views of the layer's own arrays (O × I and O)
//! let w = ArrayView2::from(&layer.weights[..]);
//! let b = ArrayView1::from(&layer.bias);
//! assert_eq!(w.shape(), [2, 3]);
//! assert_eq!(w.as_ptr(), layer.weights[0].as_ptr()); // the same memory
//! let y = w.dot(&ArrayView1::from(&x)) + b; // W·x + b, computed by ndarray
//! assert_eq!(y.as_slice().unwrap(), layer.forward(&x));
//!
//! // ndarray → typenet: one copy into the layer, shape-checked by ndarray (it panics on
//! // a mismatch; check `trained.shape()` first for a Result)
//! let trained: Array2<f32> = array![[0.0, 1.0, 0.0], [1.0, 0.0, 1.0]];
//! ArrayViewMut2::from(&mut layer.weights[..]).assign(&trained);
//! assert_eq!(layer.weights, [[0.0, 1.0, 0.0], [1.0, 0.0, 1.0]]);
//! ```
//!
//! **nalgebra** stores matrices column by column, so the layer's row-major `O × I`
//! weights, read in nalgebra's order, are the `I × O` matrix `Wᵀ`: a view of the same
//! memory, no copy, and `tr_mul` multiplies by its transpose, `W`. Whole matrices convert
//! from and to nested arrays by value ([`From`] impls in nalgebra), the array unchanged.
//!
//! ```
//! use nalgebra::{SMatrix, SMatrixView, SVector};
//! use typenet::{Dense, Layer};
//!
//! let layer = Dense::<3, 2>::new([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], [0.5, -0.5]);
//!
//! // typenet → nalgebra, no copy: Wᵀ as it lies in memory
//! let w_t = SMatrixView::<f32, 3, 2>::from_slice(layer.weights.as_flattened());
//! assert_eq!(w_t[(2, 0)], layer.weights[0][2]); // Wᵀ[i][o] = W[o][i]
//! let x = SVector::<f32, 3>::from([1.0, 0.0, -1.0]);
//! let y = w_t.tr_mul(&x) + SVector::from(layer.bias); // W·x + b, computed by nalgebra
//! assert_eq!(<[f32; 2]>::from(y), layer.forward(&[1.0, 0.0, -1.0]));
//!
//! // nalgebra → typenet: an O × I matrix W becomes the weights through its transpose,
//! // whose column-major array is W's rows
//! let trained = SMatrix::<f32, 2, 3>::new(0.0, 1.0, 0.0, 1.0, 0.0, 1.0);
//! let from_nalgebra = Dense::<3, 2>::new(trained.transpose().into(), [0.0; 2]);
//! assert_eq!(from_nalgebra.weights, [[0.0, 1.0, 0.0], [1.0, 0.0, 1.0]]);
//! // and back: the weights, read as nalgebra's column-major storage, are Wᵀ
//! assert_eq!(SMatrix::<f32, 3, 2>::from(from_nalgebra.weights).transpose(), trained);
//! ```
//!
//! # Sizes beyond typenum
//!
//! The image length is computed with typenum from [`ParamCount`], a trait separate from
//! [`Layer`](crate::Layer) because typenum maps a const generic to a type only up to 1024
//! (and powers of 2 and 10). A network with a larger layer trains and infers as usual;
//! only `to_bytes`/`from_bytes` are compile errors for it, naming the layer and the reason.

mod count;
mod error;
mod image;
pub mod npy;
#[cfg(feature = "serde")]
mod serde;
#[cfg(feature = "serde")]
#[doc(hidden)]
pub use self::serde::support as serde_support;

pub use count::{CountPair, ParamCount, SumCounts, SumTensors, TensorCount};
pub use error::{Shape, WeightsError};

/// The former name of [`WeightsError`].
#[deprecated(since = "0.2.0", note = "renamed `WeightsError`")]
pub type Error = WeightsError;
pub use image::{ByteImage, HEADER_LEN, Image, ImageScalar, ImageSize, MAGIC, VERSION};

/// Wraps a load error as an I/O error of kind `InvalidData`, for the file functions.
#[cfg(feature = "std")]
fn invalid_data(e: WeightsError) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, e)
}

/// An I/O error that names the file: same kind, the message prefixed with the path (a bare
/// "No such file or directory" does not say which file); the original error is its
/// [`source`](std::error::Error::source).
#[cfg(feature = "std")]
fn at_path(doing: &'static str, path: &std::path::Path, e: std::io::Error) -> std::io::Error {
    std::io::Error::new(
        e.kind(),
        AtPath {
            doing,
            path: path.to_path_buf(),
            source: e,
        },
    )
}

#[cfg(feature = "std")]
#[derive(Debug)]
struct AtPath {
    doing: &'static str,
    path: std::path::PathBuf,
    source: std::io::Error,
}

#[cfg(feature = "std")]
impl core::fmt::Display for AtPath {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "cannot {} `{}`: {}",
            self.doing,
            self.path.display(),
            self.source
        )
    }
}

#[cfg(feature = "std")]
impl std::error::Error for AtPath {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}
