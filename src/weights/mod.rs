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
pub use error::{Error, Shape};
pub use image::{ByteImage, HEADER_LEN, Image, ImageScalar, ImageSize, MAGIC, VERSION};

/// Wraps a load error as an I/O error of kind `InvalidData`, for the file functions.
#[cfg(feature = "std")]
fn invalid_data(e: Error) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, e)
}
