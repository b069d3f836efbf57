//! Procedural macros for [typenet](https://docs.rs/typenet): `#[derive(Network)]`,
//! `#[derive(Params)]`, `#[derive(Zeroable)]` and `include_weights!`.
//!
//! This crate is re-exported by `typenet` as `typenet::Network`; depend on `typenet` rather
//! than on it directly, and read the derive's documentation there.
//!
//! The derive is split the way thiserror's `impl/` is:
//! `parse` turns the syntax tree into a small model of the network (one entry per layer
//! field), `validate` checks what can be checked before type checking, and `expand`
//! writes one trait impl per function. Errors are spanned `syn::Error`s, combined, and
//! never a panic; on error the derive still emits a stub impl, so the one mistake in the
//! struct is the only error the user sees.
// The crate itself has no `unsafe`; `#[derive(Zeroable)]` writes an `unsafe impl` into
// the user's crate, as quoted tokens.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(clippy::pedantic)]

mod approx;
mod expand;
mod include_weights;
mod params;
mod parse;
#[cfg(test)]
mod tests;
mod tflite;
mod validate;
mod zeroable;

use proc_macro::TokenStream;

/// Implements `typenet::Layer` for a struct whose fields are layers, applied in field order.
///
/// See `typenet::Network` for the documentation and examples.
#[proc_macro_derive(Network)]
pub fn derive_network(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    expand::derive(&input).into()
}

/// Implements `typenet::Zeroable` for a struct whose fields are all `Zeroable`, so that it
/// can be built on the heap with `typenet::boxed_zeroed`.
///
/// See `typenet::Zeroable` (the derive) for the documentation and the safety argument.
#[proc_macro_derive(Zeroable)]
pub fn derive_zeroable(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    zeroable::derive(&input).into()
}

/// Implements `typenet::Params` (and the byte image's count, `Zeroable` and, with
/// typenet's `serde` feature, serde) for a layer struct from its `#[param]` fields.
///
/// See `typenet::Params` (the derive) for the documentation and examples.
#[proc_macro_derive(Params, attributes(param, params, setting))]
pub fn derive_params(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    params::derive(&input).into()
}

/// Embeds a `NumPy` `.npy` array as an array constant, shape-checked at compile time.
///
/// See `typenet::include_weights` for the documentation and examples.
#[proc_macro]
pub fn include_weights(input: TokenStream) -> TokenStream {
    include_weights::expand(input.into()).into()
}

/// Imports a float32 `.tflite` model as a typed network struct, weights as constants.
///
/// See `typenet::include_tflite` for the documentation and examples.
#[proc_macro]
pub fn include_tflite(input: TokenStream) -> TokenStream {
    tflite::expand(input.into()).into()
}
