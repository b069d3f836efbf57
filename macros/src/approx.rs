//! `approx`'s `AbsDiffEq`, `RelativeEq` and `UlpsEq` for a layer (`#[derive(Params)]`) or a
//! network (`#[derive(Network)]`): every parameter close to the same parameter of the other
//! value, through `typenet::approx_eq`'s functions.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Generics, Ident, WherePredicate};

/// The three impls for `ident`, `Epsilon` the layer's scalar.
///
/// Their bounds are higher-ranked (`for<'typenet_q>`), so that a struct that is not
/// `PartialEq` (approx's supertrait) or not a `Layer` is left without them, rather than
/// failing where it is defined.
pub fn impls(
    ident: &Ident,
    generics: &Generics,
    user_predicates: &[&WherePredicate],
) -> TokenStream {
    let (impl_generics, ty_generics, _) = generics.split_for_impl();
    let a = quote!(::typenet::approx);
    let t = quote!(<Self as ::typenet::Layer>::Scalar);
    let bounds = |tr: TokenStream| {
        quote! {
            where
                #(#user_predicates,)*
                for<'typenet_q> Self: ::typenet::Layer + ::core::cmp::PartialEq,
                for<'typenet_q> #t: #a::#tr<Epsilon = #t> + ::core::marker::Copy,
        }
    };
    let (abs, rel, ulps) = (
        bounds(quote!(AbsDiffEq)),
        bounds(quote!(RelativeEq)),
        bounds(quote!(UlpsEq)),
    );
    quote! {
        #[automatically_derived]
        impl #impl_generics #a::AbsDiffEq for #ident #ty_generics #abs {
            type Epsilon = #t;
            #[inline]
            fn default_epsilon() -> #t {
                <#t as #a::AbsDiffEq>::default_epsilon()
            }
            fn abs_diff_eq(&self, other: &Self, epsilon: #t) -> bool {
                ::typenet::approx_eq::params_abs_diff_eq::<#t, Self>(self, other, epsilon)
            }
        }

        #[automatically_derived]
        impl #impl_generics #a::RelativeEq for #ident #ty_generics #rel {
            #[inline]
            fn default_max_relative() -> #t {
                <#t as #a::RelativeEq>::default_max_relative()
            }
            fn relative_eq(&self, other: &Self, epsilon: #t, max_relative: #t) -> bool {
                ::typenet::approx_eq::params_relative_eq::<#t, Self>(self, other, epsilon, max_relative)
            }
        }

        #[automatically_derived]
        impl #impl_generics #a::UlpsEq for #ident #ty_generics #ulps {
            #[inline]
            fn default_max_ulps() -> u32 {
                <#t as #a::UlpsEq>::default_max_ulps()
            }
            fn ulps_eq(&self, other: &Self, epsilon: #t, max_ulps: u32) -> bool {
                ::typenet::approx_eq::params_ulps_eq::<#t, Self>(self, other, epsilon, max_ulps)
            }
        }
    }
}
