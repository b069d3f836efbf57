#![doc = include_str!("../README.md")]
#![no_std]
// `deny`, not `forbid`: audited `unsafe` sites opt out with `#[allow(unsafe_code)]`,
// each argued where it is: `zeroable` (a zeroed heap allocation for networks too large
// for the stack), and in `kernels.rs` the run-time choice of AVX2 kernels and the AVX
// intrinsics of their `f32` lanes (each a measured speed-up).
#![deny(unsafe_code)]
#![deny(missing_docs)]
#![warn(clippy::pedantic)]
#![allow(
    clippy::module_name_repetitions,
    clippy::must_use_candidate,
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::doc_markdown,
    clippy::return_self_not_must_use,
    clippy::inline_always,
    clippy::similar_names,
    clippy::many_single_char_names,
    clippy::missing_panics_doc
)]

#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(any(feature = "std", test))]
extern crate std;

// `#[derive(Params)]` on the built-in layers writes `::typenet::` paths, as it does in a
// user's crate.
extern crate self as typenet;

pub mod approx_eq;
pub mod batch;
pub mod chain;
pub mod custom_layers;
pub mod eval;
pub mod fit;
pub mod gradcheck;
pub mod init;
pub mod layer;
pub mod layers;
pub mod loss;
pub mod optim;
pub mod params;
pub mod rng;
pub mod scalar;
pub mod summary;
pub mod train;
pub mod weights;
pub mod zeroable;

mod conv;
mod kernels;
pub mod quant;

pub use approx_eq::Approx;
pub use batch::{BatchError, accumulate_batch, train_step_batch};
pub use chain::{Elem, Fits, SameScalar};
pub use eval::{Confusion, accuracy, accuracy_by, argmax, confusion, confusion_by};
pub use fit::{BatchTrainer, EpochReport, FitError, Trainer, shuffle};
pub use gradcheck::{GradCheck, check_gradients};
pub use init::Init;
pub use layer::{CacheOf, InputOf, Layer, OutputOf, ScalarOf, Train, fingerprint, mode};
// every layer, so that a new one is a file and its line in `layers`, nothing here
pub use layers::*;
pub use loss::{
    BinaryCrossEntropy, BinaryCrossEntropyWithLogits, Class, ClassOutOfRange, Loss, Mse,
    SoftmaxCrossEntropy,
};
pub use optim::{
    Adam, InvalidSetting, Momentum, Optimizer, Sgd, StepError, clip_grad_norm, grad_norm,
};
pub use params::Params;
pub use rng::SplitMix64;
pub use scalar::{Scalar, Vector};
pub use train::{accumulate, infer, train_step, try_train_step};
/// The former name of [`WeightsError`].
#[allow(deprecated)]
pub use weights::Error;
pub use weights::{ByteImage, WeightsError};

/// Embeds a NumPy `.npy` array in the program as a `const` array, shape-checked while
/// compiling.
///
/// `include_weights!("path.npy")` reads the file at compile time (the path is relative to
/// the crate root, like `CARGO_MANIFEST_DIR`) and expands to a constant expression of the
/// type the surrounding code expects (a `static`'s or `const`'s type, a typed `let`, a
/// function argument), whose shape must be the file's: `(O, I)` for a
/// [`Dense<I, O>`](Dense)'s `weights`, `(O,)` for its `bias`. `'<f4'` and `'<f8'` files
/// in C order are read; values are emitted exactly and converted to the layer's scalar.
/// `include_weights!("kernel.npy", transposed)` reads an `(I, O)` kernel (Keras' layout).
/// Cargo rebuilds when the file changes.
///
/// ```
/// use typenet::{Dense, Layer, include_weights};
/// // hidden_weight.npy has shape (3, 2), hidden_bias.npy (3,): a Dense<2, 3>.
/// static HIDDEN: Dense<2, 3> = Dense::new(
///     include_weights!("examples/npy/hidden_weight.npy"),
///     include_weights!("examples/npy/hidden_bias.npy"),
/// );
/// // out_kernel.npy is the (1, 3) out_weight.npy saved the Keras way, as (3, 1).
/// const OUT: Dense<3, 1> = Dense::new(
///     include_weights!("examples/npy/out_kernel.npy", transposed),
///     include_weights!("examples/npy/out_bias.npy"),
/// );
/// let out_weight: [[f32; 3]; 1] = include_weights!("examples/npy/out_weight.npy");
/// assert_eq!(OUT.weights, out_weight);
/// # let _ = HIDDEN.forward(&[0.0, 1.0]);
/// ```
///
/// A file of the wrong shape does not compile, and the error names both shapes:
///
/// ```compile_fail
/// use typenet::{Dense, include_weights};
/// static WRONG: Dense<3, 2> = Dense::new(
///     include_weights!("examples/npy/hidden_weight.npy"), // (3, 2), but Dense<3, 2> needs (2, 3)
///     [0.0; 2],
/// );
/// // error[E0277]: the .npy file holds an `Array2<3, 2>`, but this place needs `[[f32; 3]; 2]`
/// ```
pub use typenet_macros::include_weights;

/// The tolerance comparisons (approx 0.5) that layers, derived networks and [`Approx`]
/// implement (see [`approx_eq`]), re-exported so that the code the derives write names
/// typenet's version.
pub use approx;

/// Imports a float32 `.tflite` model at compile time as a typed network: a struct of
/// typenet layers, its weights as constants (so a `static` of it lives in flash).
///
/// `include_tflite! { pub struct Name: [f32; I] -> [f32; O] = "path.tflite"; }` reads
/// the file while compiling (the path is relative to the crate root, as for
/// [`include_weights!`]) and writes `Name` with `#[derive(Network, Clone, Copy,
/// PartialEq, Debug)]`, one public field per layer, named after the operator it comes
/// from (`op0_dense`, `op0_relu` for operator 0's fused RELU, `op1_sigmoid`, …), a
/// `const fn new()` holding the file's weights, and `Default`. The signature
/// `: [f32; I] -> [f32; O]` is optional; when given, a file of other sizes is a compile
/// error in words. Outer attributes (docs) before `pub` are kept. Cargo rebuilds when
/// the file changes.
///
/// ```
/// use typenet::{Layer, include_tflite};
///
/// include_tflite! {
///     /// XOR, with hand-set weights: FC 2→4 + RELU, FC 4→1, LOGISTIC.
///     pub struct Xor: [f32; 2] -> [f32; 1] = "tests/data/tflite/xor.tflite";
/// }
///
/// static XOR: Xor = Xor::new(); // in flash on a microcontroller
/// assert!(XOR.forward(&[0.0, 1.0])[0] > 0.9);
/// assert!(XOR.forward(&[1.0, 1.0])[0] < 0.1);
/// let _: &typenet::Dense<2, 4> = &XOR.op0_dense; // an ordinary typenet network
/// ```
///
/// Imported operators: FULLY_CONNECTED (fused NONE or RELU) → [`Dense`] (+ [`Relu`]),
/// RELU → [`Relu`], LEAKY_RELU → [`LeakyRelu`], LOGISTIC → [`Sigmoid`], TANH →
/// [`Tanh`], SOFTMAX (beta 1) → [`Softmax`], RESHAPE → nothing (a vector stays a
/// vector); float16 weights behind DEQUANTIZE become float32 constants while compiling.
/// On NHWC images (`[[[f32; C]; W]; H]`): CONV_2D → [`Conv2d`], DEPTHWISE_CONV_2D →
/// [`DepthwiseConv2d`] (fused NONE, RELU or RELU6 → [`PerPixel`] of [`Relu`] or
/// [`Relu6`]), MAX_POOL_2D → [`MaxPool2d`], AVERAGE_POOL_2D → [`AvgPool2d`], MEAN over
/// height and width → [`GlobalAvgPool2d`], RESHAPE to a vector → [`Flatten`],
/// activations per pixel; every size written out in the types.
/// The model must be one chain of operators, batch 1. Anything else is a compile error naming the operator and its
/// index; int8 models wait for the quantized layers. Prefer a `static` (or `const`) to
/// calling `new()` at run time: the constant is evaluated while compiling and stays in
/// flash, where a run-time call copies every weight onto the stack. See `docs/tflite.md`.
///
/// ```compile_fail
/// typenet::include_tflite! {
///     struct Xor: [f32; 3] -> [f32; 1] = "tests/data/tflite/xor.tflite";
/// }
/// // error: `xor.tflite` takes 2 float32 values, but `Xor` declares `[f32; 3]`
/// ```
pub use typenet_macros::include_tflite;

/// The RNG traits `Layer::init_params` takes, re-exported so that custom layers and the
/// code `#[derive(Network)]` generates name the same `rand_core` version as typenet.
pub use rand_core;

/// The type-level numbers (typenum 1) in which a network's byte-image length is computed
/// ([`ParamCount::Count`](weights::ParamCount::Count), [`ImageSize::Len`](weights::ImageSize::Len)),
/// re-exported so that code naming them uses typenet's version.
pub use typenum;

/// The fixed-length arrays (generic-array 1) that byte images are
/// ([`Image`](weights::Image), the return type of [`ByteImage::to_bytes`]), re-exported
/// so that code naming them uses typenet's version.
pub use generic_array;

mod network;
pub use network::Network;

/// The guide (`docs/guide.md` in the repository): what each layer computes, derived
/// networks, classification, networks larger than the stack, saving and loading weights.
/// Documentation only; its examples run as doctests.
#[doc = include_str!("../docs/guide.md")]
pub mod guide {}

#[doc(hidden)]
pub mod derive_support;

pub use zeroable::Zeroable;

/// Implements [`Zeroable`](trait@Zeroable) for a struct whose fields are all `Zeroable`,
/// such as a `#[derive(Network)]` network of built-in layers, so that
/// `boxed_zeroed` (with the `alloc` feature, which the default `std` enables) can build it
/// on the heap.
///
/// ```
/// use typenet::{Dense, Layer, Network, Relu, Zeroable};
///
/// #[derive(Network, Zeroable)]
/// struct Mnist {
///     hidden: Dense<784, 128>,
///     relu: Relu<128>,
///     output: Dense<128, 10>,
/// }
/// let grads: Box<Mnist> = typenet::boxed_zeroed(); // 407 KB, never on the stack
/// assert!(grads.output.bias.iter().all(|&b| b == 0.0));
/// ```
///
/// The impl is `unsafe` (the trait promises that all-zero bytes are a valid value) and
/// sound because its where clause requires every field to be `Zeroable`: a struct is its
/// fields, and its padding may hold anything. `restore_defaults` calls each field's, so
/// zero bytes then `restore_defaults` equal [`Layer::zeroed`]. A field that is not
/// `Zeroable` is an error at that field. The derive is opt-in, apart from `Network`,
/// because a crate with `#![forbid(unsafe_code)]` cannot hold the `unsafe impl` it writes
/// (with `deny`, the generated impl carries its own `#[allow(unsafe_code)]`).
pub use typenet_macros::Zeroable;
#[cfg(feature = "alloc")]
pub use zeroable::{boxed_initialized, boxed_zeroed};

/// Declares a layer's parameters: implements [`Params`](trait@Params) for a layer struct
/// from its `#[param]` fields, and with it the byte image's count
/// ([`ParamCount`](crate::weights::ParamCount)), [`Zeroable`](trait@Zeroable), approx's
/// tolerance comparisons (see [`approx_eq`]) and (with the `serde` feature)
/// `Serialize`/`Deserialize`. See [`params`] for the attributes.
pub use typenet_macros::Params;

/// The typenum `#[derive(Params)]` names in its byte-image count: not part of the API.
#[doc(hidden)]
pub use typenum as __typenum;

/// What `#[derive(Params)]`'s serde impls call into (feature `serde`): not part of the API.
#[cfg(feature = "serde")]
#[doc(hidden)]
pub use weights::serde_support as __serde_support;

/// Expands to its input with the `serde` feature, to nothing without: `#[derive(Params)]`
/// wraps its serde impls in it, so that they follow typenet's feature, not the user's.
#[cfg(feature = "serde")]
#[doc(hidden)]
#[macro_export]
macro_rules! __if_serde {
    ($($tokens:tt)*) => { $($tokens)* };
}

/// See the `serde` form.
#[cfg(not(feature = "serde"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __if_serde {
    ($($tokens:tt)*) => {};
}
