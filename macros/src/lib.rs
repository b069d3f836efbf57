//! Procedural macros for [typenet](https://docs.rs/typenet).
//!
//! This crate is re-exported by `typenet`; depend on `typenet` rather than on it directly.
