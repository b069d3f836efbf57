//! `#[derive(Zeroable)]`: an opt-in `unsafe impl typenet::Zeroable`, so that a derived
//! network can be built on the heap with `boxed_zeroed`.
//!
//! Opt-in, and a derive of its own (as bytemuck does), because the impl is `unsafe`: a
//! crate with `#![forbid(unsafe_code)]` must be able to use `#[derive(Network)]`, and can
//! do so as long as it does not ask for this one.
//!
//! # Why the generated impl is sound
//!
//! `Zeroable` promises that all-zero bytes are a valid value of the type. A struct's value
//! is its fields' values (the bytes between them are padding, which may hold anything),
//! so the struct is zeroable when every field is. The impl states exactly that as its
//! where clause, one `Field: Zeroable` per field, so it does not exist (and the crate does
//! not compile, with the error at the field) unless each field makes the same promise.
//! `restore_defaults` calls each field's, in field order, so zero bytes plus
//! `restore_defaults` is each field's `Layer::zeroed()`: the derived network's `zeroed()`.
//!
//! The where clause is written with the fields' type tokens, and a macro in a field's
//! type (`field: some_macro!()`) is expanded again there, possibly to another type. So
//! the where clause alone is not trusted: `restore_defaults` calls
//! `<_ as Zeroable>::restore_defaults(&mut self.field)` for every field, which the
//! compiler checks against the type each field really has. The impl compiles only if
//! that call does, for every field.

use crate::expand::respanned;
use proc_macro2::TokenStream;
use quote::quote;
use syn::spanned::Spanned as _;
use syn::{Data, DeriveInput, Error, Member};

/// The whole expansion: the impl, or the error and a stub (the crate does not compile
/// then, so the stub promises nothing; it only keeps the one error from cascading).
pub fn derive(input: &DeriveInput) -> TokenStream {
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let fields = match &input.data {
        Data::Struct(data) => &data.fields,
        Data::Enum(data) => return error(input, data.enum_token.span, "an enum"),
        Data::Union(data) => return error(input, data.union_token.span, "a union"),
    };
    let user_predicates = where_clause.into_iter().flat_map(|w| w.predicates.iter());
    let mut bounds = Vec::new();
    let mut restores = Vec::new();
    for (i, field) in fields.iter().enumerate() {
        let ty = &field.ty;
        let span = ty.span();
        // The bound is spanned on the field, where the error for a field that is not
        // `Zeroable` belongs.
        let bound = respanned(quote!(: ::typenet::Zeroable), span);
        bounds.push(quote!(#ty #bound));
        let member = match &field.ident {
            Some(name) => Member::Named(name.clone()),
            None => Member::Unnamed(syn::Index {
                index: u32::try_from(i).unwrap_or(u32::MAX),
                span,
            }),
        };
        // `_`, not the field's type tokens: the call is checked against the type the
        // field really has. Writing `#ty` again would expand any macro in it again, and
        // a macro need not give the same type twice; then the where clause above could
        // vouch for a type that is not the field's. This call cannot be fooled: it
        // compiles only if the real field type is `Zeroable` (the where clause's
        // `#ty: Zeroable` then holds for the same type, or is a second error).
        let call = respanned(quote!(<_ as ::typenet::Zeroable>::restore_defaults), span);
        restores.push(quote! {
            #call(&mut self.#member);
        });
    }
    quote! {
        // SAFETY: every field is `Zeroable` (the where clause), so all-zero bytes are a
        // valid value of each field, and a struct is its fields (its padding may hold
        // anything). Asked for with `#[derive(Zeroable)]`, hence the `allow`.
        #[automatically_derived]
        #[allow(unsafe_code)]
        unsafe impl #impl_generics ::typenet::Zeroable for #ident #ty_generics
        where
            #(#user_predicates,)*
            #(#bounds,)*
        {
            #[inline]
            fn restore_defaults(&mut self) {
                #(#restores)*
            }
        }
    }
}

/// The error for an enum or a union, beside a stub impl.
fn error(input: &DeriveInput, span: proc_macro2::Span, what: &str) -> TokenStream {
    let error = Error::new(
        span,
        format!(
            "`#[derive(Zeroable)]` needs a struct, not {what}: all-zero bytes are not known \
             to be a valid value of {what}"
        ),
    )
    .into_compile_error();
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    quote! {
        #error
        // SAFETY: never compiled into a program: the error above stops the build.
        #[automatically_derived]
        #[allow(unsafe_code)]
        unsafe impl #impl_generics ::typenet::Zeroable for #ident #ty_generics #where_clause {}
    }
}
