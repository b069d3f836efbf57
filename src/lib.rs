#![doc = include_str!("../README.md")]
#![no_std]
// `deny`, not `forbid`: two audited `unsafe` sites opt out with `#[allow(unsafe_code)]`,
// each argued where it is: `zeroable` (a zeroed heap allocation for networks too large
// for the stack) and the run-time AVX2 dispatch in `kernels.rs` (a measured speed-up).
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
pub mod eval;
pub mod fit;
pub mod gradcheck;
pub mod init;
pub mod layer;
pub mod layers;
pub mod loss;
pub mod optim;
pub mod rng;
pub mod scalar;
pub mod train;
pub mod zeroable;

mod kernels;

pub use batch::{BatchError, accumulate_batch, train_step_batch};
pub use chain::Fits;
pub use eval::{Confusion, accuracy, argmax, confusion};
pub use fit::{EpochReport, FitError, Trainer, shuffle};
pub use gradcheck::{GradCheck, check_gradients};
pub use init::Init;
pub use layer::{CacheOf, InputOf, Layer, OutputOf, ScalarOf, fingerprint};
pub use layers::{Dense, Identity, LeakyRelu, Relu, Sigmoid, Softmax, Step, Tanh};
pub use loss::{BinaryCrossEntropy, Class, ClassOutOfRange, Loss, Mse, SoftmaxCrossEntropy};
pub use optim::{Adam, Momentum, Optimizer, Sgd, clip_grad_norm, grad_norm};
pub use rng::SplitMix64;
pub use scalar::{Scalar, Vector};
pub use train::{accumulate, infer, train_step};

/// The RNG traits `Layer::init_params` takes, re-exported so that custom layers and the
/// code `#[derive(Network)]` generates name the same `rand_core` version as typenet.
pub use rand_core;

mod network;
pub use network::Network;

pub use zeroable::Zeroable;
#[cfg(feature = "std")]
pub use zeroable::{boxed_initialized, boxed_zeroed};
