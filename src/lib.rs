#![doc = include_str!("../README.md")]
#![no_std]
#![forbid(unsafe_code)]
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

#[cfg(feature = "std")]
extern crate std;

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

/// The RNG traits `Layer::init_params` takes, re-exported so that custom layers and the
/// code `#[derive(Network)]` generates name the same `rand_core` version as typenet.
pub use rand_core;

mod network;
pub use network::Network;
