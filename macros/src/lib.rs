//! Procedural macros for [typenet](https://docs.rs/typenet).
//!
//! This crate is re-exported by `typenet`; depend on `typenet` rather than on it directly.

mod include_weights;

/// Embeds a `NumPy` `.npy` array as an array constant, shape-checked at compile time.
///
/// See `typenet::include_weights` for the documentation and examples.
#[proc_macro]
pub fn include_weights(input: proc_macro::TokenStream) -> proc_macro::TokenStream {
    include_weights::expand(input.into()).into()
}
