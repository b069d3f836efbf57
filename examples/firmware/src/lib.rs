//! typenet on a Cortex-M: the computations behind the `xor`, `fit`, `load`, `sine`
//! and `nopanic` binaries, and the little glue they need on the device.
//!
//! `out`, `xor`, `fit`, `load` and `sine` use nothing but `core` and typenet: the host test
//! `tests/firmware_golden.rs` of the main crate compiles the very same files to write the
//! golden output the device must reproduce byte for byte.
#![no_std]

// The convolutional digits classifier (`cnn`), see docs/firmware.md.
pub mod cnn;
// A tiny convolutional network trained on the device (`cnn_fit`).
pub mod cnn_fit;
pub mod device;
pub mod digits;
pub mod fit;
pub mod int8_layers;
pub mod load;
pub mod out;
pub mod sine;
pub mod xor;
// `sine.tflite` and `speech.tflite` imported with `include_tflite!`, and the inputs and
// LiteRT outputs they run on (`tflite_sine`, `tflite_speech`; docs/tflite.md).
pub mod tflite_cases;
pub mod tflite_models;
