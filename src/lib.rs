#![doc = include_str!("../README.md")]
#![no_std]
// `deny`, not `forbid`: one audited `unsafe` call (the run-time AVX2 dispatch in
// `kernels.rs`) opts out with `#[allow(unsafe_code)]`, justified by a measured speed-up.
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

#[cfg(any(feature = "std", test))]
extern crate std;

pub mod batch;
pub mod chain;
pub mod gradcheck;
pub mod init;
pub mod layer;
pub mod layers;
pub mod loss;
pub mod optim;
pub mod rng;
pub mod scalar;
pub mod train;

mod kernels;

pub use batch::{BatchError, accumulate_batch, train_step_batch};
pub use chain::Fits;
pub use gradcheck::{GradCheck, check_gradients};
pub use init::Init;
pub use layer::{CacheOf, InputOf, Layer, OutputOf, ScalarOf, fingerprint};
pub use layers::{Dense, Identity, Relu, Sigmoid, Step, Tanh};
pub use loss::{Loss, Mse};
pub use optim::{Optimizer, Sgd};
pub use rng::SplitMix64;
pub use scalar::{Scalar, Vector};
pub use train::{accumulate, infer, train_step};
