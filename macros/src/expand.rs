//! Code generation: one function per generated item.
//!
//! Another trait (a byte image, say) is one more function and one more line in [`derive`]:
//! write `fn impl_bytes(net: &Network<'_>) -> TokenStream` that reaches each field's impl
//! through [`field_path`] (so errors land on the field), add it to the `Ok` branch, and add
//! its stub beside [`stub_layer`] for the `Err` branch.
//!
//! Generated code names only `::core` and `::typenet` paths, calls every trait method in
//! fully qualified form (a layer's inherent method of the same name cannot shadow it), and
//! names its local variables with mixed-site hygiene and a `typenet_` prefix (see [`local`]).
//!
//! # Why the impl has no generated bounds
//!
//! The tuple impl in `src/chain.rs` is generic over its layers and bounds each pair with
//! `Fits`. A derived impl is about concrete field types (`Dense<2, H>`), and bounds on
//! them would hurt twice: a bound that mentions a generic parameter (`Dense<2, H>: Layer`)
//! shadows the layer's own impl, so the compiler no longer sees that `Dense<2, H>`
//! outputs `[f32; H]`; and a bound that does not hold makes every method signature that
//! mentions `Self::Scalar` an error too. So the impl carries only the user's own where
//! clause, and the sizes are checked where each pair meets — in the impl's bodies and in
//! [`shape_check`] — by an expression spanned on the field. The compiler reports the
//! identical diagnostics once, so a mismatch reads as one error, at the field.
//!
//! The tuple impl's other bound, that every layer computes in the first layer's scalar
//! type, is a path too: every value, parameter slice and workspace region that crosses
//! between the network and a layer goes through `SameScalar`'s identity functions (see
//! [`same_scalar`]), and sizes are compared on both layers' vectors seen in the network's
//! scalar (see [`fits_path`]). A layer in another scalar type is then `SameScalar`'s one
//! error at its field, not a `Fits` error and a type error wherever the scalars meet.

// `net` beside `next`, `grad_xs` beside `grad_ys`: named after what they hold, as in the
// trait.
#![allow(clippy::similar_names)]

use crate::parse::{LayerField, Network};
use crate::validate::validate;
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::ext::IdentExt as _;
use syn::{DeriveInput, Ident, Type};

/// The whole expansion: the checks and the impls, or the errors and a stub.
pub fn derive(input: &DeriveInput) -> TokenStream {
    match Network::from_syn(input).and_then(validate) {
        // One anonymous const holds everything, so the helper items are unnameable from
        // the user's code and cannot clash with its names.
        Ok(net) => {
            let check = shape_check(&net);
            let cache = cache_struct(&net);
            let cache_traits = impl_cache_traits(&net);
            let layer = impl_layer(&net);
            let param_count = impl_param_count(&net);
            let user_predicates: Vec<&syn::WherePredicate> = net
                .generics
                .where_clause
                .iter()
                .flat_map(|w| w.predicates.iter())
                .collect();
            let approx = crate::approx::impls(net.ident, net.generics, &user_predicates);
            quote! {
                const _: () = {
                    #check
                    #cache
                    #cache_traits
                    #layer
                    #param_count
                    #approx
                };
            }
        }
        Err(errors) => {
            let errors = errors.into_compile_error();
            let stub = stub_layer(input);
            let stub_count = stub_param_count(input);
            quote! {
                #errors
                #stub
                #stub_count
            }
        }
    }
}

/// A local variable of generated code.
///
/// Mixed-site hygiene keeps the user's local variables apart, but a binding pattern still
/// sees the user's items: `let out = ...` would match against a user's `const out`. Hence
/// the `typenet_` prefix as well.
fn local(name: &str) -> Ident {
    format_ident!("typenet_{}", name, span = Span::mixed_site())
}

// How errors find the field.
//
// The compiler spans a path or an expression from its first token to its last. Stable
// proc macros cannot join two spans into one, so every expression that concerns one field
// starts with a token spanned on the first token of the field's type (`lo`) and ends with
// one spanned on its last (`hi`): its span is then exactly the field's type, the same span
// the compiler gives the type itself. Any error about the field — from the check function
// or from any method of the impl — is therefore the same diagnostic at the same place, and
// the compiler prints it once. The user's own type tokens are never respanned, so an error
// about the previous layer still points at the previous layer.

/// `<Field as Trait>::<item>`, spanned on the field's type.
fn field_path(field: &LayerField<'_>, trait_path: &TokenStream, item: &str) -> TokenStream {
    let ty = field.ty;
    let open = quote_spanned!(field.span_lo=> <);
    let rest = quote_spanned!(field.span_hi=> as #trait_path>::);
    let item = Ident::new(item, field.span_hi);
    quote!(#open #ty #rest #item)
}

/// `<Field as Layer>::<item>`, spanned on the field's type.
fn layer_path(field: &LayerField<'_>, item: &str) -> TokenStream {
    field_path(field, &quote!(::typenet::Layer), item)
}

/// `<Field as Trains>::<item>`, spanned on the field's type: the field's `Train` impl,
/// through `derive_support::Trains` (see [`train_where`]).
fn train_path(field: &LayerField<'_>, item: &str) -> TokenStream {
    field_path(field, &quote!(::typenet::derive_support::Trains), item)
}

/// `&cache.<member>`: a layer's cache, spanned on the field's type (the cache's type is a
/// projection through the field's `Layer` impl).
///
/// The local `cache` is mixed-site; it sits in a block spanned on the field so the field
/// access `{ cache }.member` as a whole is spanned on the field alone.
fn cache_arg(field: &LayerField<'_>) -> TokenStream {
    let cache = local("cache");
    let mut block = proc_macro2::Group::new(proc_macro2::Delimiter::Brace, quote!(#cache));
    block.set_span(field.span_lo);
    let member = respan_member(&field.member, field.span_hi);
    let amp = amp(field);
    quote!(#amp #block.#member)
}

/// The member (`name` or `0`) with its span moved, keeping its meaning.
fn respan_member(member: &syn::Member, span: Span) -> syn::Member {
    match member {
        syn::Member::Named(ident) => {
            // `set_span` rather than `Ident::new(&ident.to_string(), ..)`, which would panic
            // on a raw identifier such as `r#type`.
            let mut ident = ident.clone();
            ident.set_span(span);
            syn::Member::Named(ident)
        }
        syn::Member::Unnamed(index) => syn::Member::Unnamed(syn::Index {
            index: index.index,
            span,
        }),
    }
}

/// `self`, reported at `span` but resolved where the derive is: a `self` that takes the
/// field's span whole would not find the method's `&self` when the struct comes from a
/// `macro_rules!` (hygiene), while the location keeps each error at its field.
pub fn self_at(span: Span) -> TokenStream {
    let ident = Ident::new("self", Span::call_site().located_at(span));
    quote!(#ident)
}

/// Generated tokens (never the user's) moved to `span`, groups included.
pub fn respanned(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut tt| {
            if let proc_macro2::TokenTree::Group(g) = &tt {
                let mut group = proc_macro2::Group::new(g.delimiter(), respanned(g.stream(), span));
                group.set_span(span);
                tt = group.into();
            } else {
                tt.set_span(span);
            }
            tt
        })
        .collect()
}

/// `&`, spanned to start an expression about `field`.
fn amp(field: &LayerField<'_>) -> TokenStream {
    quote_spanned!(field.span_lo=> &)
}

/// `member: { value }` in a struct literal, spanned on the field's type.
fn field_init(field: &LayerField<'_>, value: &TokenStream) -> TokenStream {
    let member = respan_member(&field.member, field.span_lo);
    let value = quote_spanned!(field.span_hi=> { #value });
    quote!(#member: #value)
}

/// The checks that put every shape error on the struct definition, spanned on the field.
///
/// They live in a generic function that is never called: the compiler type-checks its body
/// anyway, for a generic struct as for a plain one, so a field that is not a layer, or a
/// layer whose input is not the previous layer's output, is an error at that field,
/// reported with `Layer`'s or `Fits`' `on_unimplemented` message (which names both layers
/// and both array types) — even if nothing ever uses the network.
fn shape_check(net: &Network<'_>) -> TokenStream {
    let (impl_generics, _, where_clause) = net.generics.split_for_impl();
    let is_layer = net.layers.iter().map(|field| {
        let path = layer_path(field, "zeroed");
        quote!(let _ = #path;)
    });
    let fits = net.pairs().map(|(prev, next)| {
        let path = fits_path(net, prev, next, "fit");
        quote!(let _ = #path;)
    });
    // Each layer after the first computes in the first layer's scalar type.
    let same = net.layers.iter().skip(1).map(|field| {
        let path = same_scalar(net, field, "to_net_slice");
        quote!(let _ = #path;)
    });
    quote! {
        #[allow(dead_code, clippy::all, clippy::pedantic)]
        fn typenet_network_shape_check #impl_generics () #where_clause {
            #(#is_layer)*
            #(#same)*
            #(#fits)*
        }
    }
}

/// The name of the generated cache struct (unnameable outside the anonymous const; users
/// name it `CacheOf<Net>`).
fn cache_ident() -> Ident {
    Ident::new("TypenetNetworkCache", Span::call_site())
}

/// The cache struct's type parameters, one per layer: `TypenetC0`, `TypenetC1`, ….
fn cache_params(net: &Network<'_>) -> Vec<Ident> {
    (0..net.layers.len())
        .map(|i| format_ident!("TypenetC{}", i))
        .collect()
}

/// The training cache: a struct with one field per layer, holding that layer's cache, with
/// the network's own field names (`cache.hidden`, or `cache.0` for a tuple struct) and
/// visibility.
///
/// It is generic over the layers' cache types (the `Train` impl names it with them), so
/// it names no layer: a network whose layers do not all train (an inference-only layer)
/// still compiles, and only has no `Train` impl.
fn cache_struct(net: &Network<'_>) -> TokenStream {
    let name = cache_ident();
    let params = cache_params(net);
    // Each cache field is as visible as the layer field it belongs to.
    let vis = net.layers.iter().map(|l| &l.field.vis);
    let body = if let syn::Member::Named(_) = net.first().member {
        let members = net.layers.iter().map(|l| &l.member);
        quote!({ #(#vis #members: #params,)* })
    } else {
        quote!((#(#vis #params,)*);)
    };
    let doc = format!(
        "What `{}`'s training forward keeps for backward: each layer's cache, under the \
         layer's field name.",
        net.ident
    );
    // As visible as the network: `Train::Cache` of a public network must be public, and a
    // private network's cache must not trip `unreachable_pub`.
    let vis = net.vis;
    quote! {
        #[doc = #doc]
        #[allow(dead_code)]
        #vis struct #name <#(#params),*> #body
    }
}

/// `Clone`, `Copy`, `PartialEq`, `Eq` and `Debug` (labelled `CacheOf<Net>`) for the cache,
/// each wherever every layer's cache has it: what a tuple of the caches would have.
fn impl_cache_traits(net: &Network<'_>) -> TokenStream {
    let name = cache_ident();
    let params = cache_params(net);
    let formatter = local("formatter");
    let label = format!("CacheOf<{}>", net.ident);
    let debug_fields = net.layers.iter().map(|l| {
        let m = &l.member;
        let value = quote!(&self.#m as &dyn ::core::fmt::Debug);
        match m {
            syn::Member::Named(name) => {
                let name = syn::LitStr::new(&name.unraw().to_string(), Span::call_site());
                quote!(.field(#name, #value))
            }
            syn::Member::Unnamed(_) => quote!(.field(#value)),
        }
    });
    let debug_body = if let syn::Member::Named(_) = net.first().member {
        quote!(#formatter.debug_struct(#label) #(#debug_fields)* .finish())
    } else {
        quote!(#formatter.debug_tuple(#label) #(#debug_fields)* .finish())
    };
    let other = local("other");
    let members: Vec<&syn::Member> = net.layers.iter().map(|l| &l.member).collect();
    quote! {
        #[automatically_derived]
        impl<#(#params: ::core::clone::Clone),*> ::core::clone::Clone for #name <#(#params),*> {
            #[inline]
            fn clone(&self) -> Self {
                Self { #(#members: ::core::clone::Clone::clone(&self.#members),)* }
            }
        }

        #[automatically_derived]
        impl<#(#params: ::core::marker::Copy),*> ::core::marker::Copy for #name <#(#params),*> {}

        #[automatically_derived]
        impl<#(#params: ::core::cmp::PartialEq),*> ::core::cmp::PartialEq for #name <#(#params),*> {
            #[inline]
            fn eq(&self, #other: &Self) -> bool {
                true #(&& self.#members == #other.#members)*
            }
        }

        #[automatically_derived]
        impl<#(#params: ::core::cmp::Eq),*> ::core::cmp::Eq for #name <#(#params),*> {}

        #[automatically_derived]
        impl<#(#params: ::core::fmt::Debug),*> ::core::fmt::Debug for #name <#(#params),*> {
            fn fmt(&self, #formatter: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                #debug_body
            }
        }
    }
}

/// `<First as Layer>::Scalar`, the network's scalar type, spanned on the first field.
fn net_scalar(net: &Network<'_>) -> TokenStream {
    layer_path(net.first(), "Scalar")
}

/// `<<L as Layer>::<item> as InScalar<T>>::Out`: a layer's vector type with its scalar
/// replaced by the network's, spanned from `lo` to `hi`. Naming it never fails, so sizes
/// are compared on it apart from scalars (see [`same_scalar`]).
fn in_net(
    net: &Network<'_>,
    field: &LayerField<'_>,
    item: &str,
    (lo, hi): (Span, Span),
) -> TokenStream {
    let (ty, t) = (field.ty, net_scalar(net));
    let item = Ident::new(item, hi);
    let open2 = quote_spanned!(lo=> < <);
    let rest = quote_spanned! {hi=>
        as ::typenet::Layer>::#item as ::typenet::derive_support::InScalar<#t>>::Out
    };
    quote!(#open2 #ty #rest)
}

/// `<InNet<Prev::Output> as Fits<InNet<Next::Input>, Prev, Next>>::<method>`: where two
/// layers meet, both vectors seen in the network's scalar, spanned on the next layer (the
/// one whose input must match). A size mismatch is `Fits`' error; a scalar mismatch is
/// [`same_scalar`]'s, once per field, and not a `Fits` error as well.
fn fits_path(
    net: &Network<'_>,
    prev: &LayerField<'_>,
    next: &LayerField<'_>,
    method: &str,
) -> TokenStream {
    let (p, n, lo, hi) = (prev.ty, next.ty, next.span_lo, next.span_hi);
    let output = in_net(net, prev, "Output", (lo, hi));
    let input = in_net(net, next, "Input", (lo, hi));
    let method = Ident::new(method, hi);
    let open = quote_spanned!(lo=> <);
    let rest = quote_spanned!(hi=> as ::typenet::Fits<#input, #p, #n>>::#method);
    quote!(#open #output #rest)
}

/// `<ScalarOf<L> as SameScalar<ScalarOf<First>, First, L>>::<f>`, spanned on the field:
/// the bridge every value crossing between the network and a layer passes through, so a
/// layer in another scalar type is `SameScalar`'s one error at its field.
fn same_scalar(net: &Network<'_>, field: &LayerField<'_>, f: &str) -> TokenStream {
    let (scalar, t) = (layer_path(field, "Scalar"), net_scalar(net));
    let (first, ty) = (net.first().ty, field.ty);
    let open = quote_spanned!(field.span_lo=> <);
    let rest = quote_spanned!(field.span_hi=> as ::typenet::SameScalar<#t, #first, #ty>>::);
    let f = Ident::new(f, field.span_hi);
    quote!(#open #scalar #rest #f)
}

/// `path(args)`, the call spanned on the field like the path.
fn call(field: &LayerField<'_>, path: &TokenStream, args: &TokenStream) -> TokenStream {
    let mut group = proc_macro2::Group::new(proc_macro2::Delimiter::Parenthesis, args.clone());
    group.set_span(field.span_hi);
    quote!(#path #group)
}

/// [`same_scalar`]`::<f>(arg)`.
fn bridge(net: &Network<'_>, field: &LayerField<'_>, f: &str, arg: &TokenStream) -> TokenStream {
    call(field, &same_scalar(net, field, f), arg)
}

/// `prev`'s output `value` as `next`'s input: into the network's scalar, through `Fits`,
/// into `next`'s scalar (each step the identity where the network is well-formed).
fn forward_across(
    net: &Network<'_>,
    prev: &LayerField<'_>,
    next: &LayerField<'_>,
    value: &Ident,
) -> TokenStream {
    let out = bridge(net, prev, "to_net_array", &quote!(#value));
    let fit = call(next, &fits_path(net, prev, next, "fit"), &out);
    let input = bridge(net, next, "to_layer_array", &fit);
    let amp = amp(next);
    quote!(#amp #input)
}

/// `next`'s input gradient `value` as `prev`'s output gradient: the way back.
fn backward_across(
    net: &Network<'_>,
    prev: &LayerField<'_>,
    next: &LayerField<'_>,
    value: &Ident,
) -> TokenStream {
    let grad_out = backward_across_value(net, prev, next, value);
    let amp = amp(prev);
    quote!(#amp #grad_out)
}

/// [`backward_across`] by value.
fn backward_across_value(
    net: &Network<'_>,
    prev: &LayerField<'_>,
    next: &LayerField<'_>,
    value: &Ident,
) -> TokenStream {
    let grad = bridge(net, next, "to_net_array", &quote!(#value));
    let unfit = call(next, &fits_path(net, prev, next, "unfit"), &grad);
    bridge(net, prev, "to_layer_array", &unfit)
}

/// `impl Layer`: the tuple impl of `src/chain.rs`, written out for the struct's fields, so a
/// derived network behaves bit for bit like the tuple of its fields.
///
/// Every use of a field's `Layer` impl is spanned on that field (see [`layer_path`]): if
/// the field is not a layer, each use reports the same error at the same place, which the
/// compiler prints once. Where the tuple impl has the bound `Next: Layer<Scalar =
/// First::Scalar>`, values pass through [`same_scalar`]'s bridge.
fn impl_layer(net: &Network<'_>) -> TokenStream {
    let ident = net.ident;
    let (impl_generics, ty_generics, where_clause) = net.generics.split_for_impl();
    let first = net.first();
    let each = |item: &str| -> Vec<TokenStream> {
        net.layers.iter().map(|l| layer_path(l, item)).collect()
    };
    let (param_counts, fingerprints) = (each("PARAM_COUNT"), each("FINGERPRINT"));
    let workspaces = net.layers.iter().map(|l| {
        let (len, own) = (vector_len(l), layer_path(l, "BATCH_WORKSPACE"));
        quote!(2 * #len + #own)
    });
    let cache_name = cache_ident();
    let (scalar, input, output) = (
        layer_path(first, "Scalar"),
        layer_path(first, "Input"),
        net_output(net),
    );
    let h = local("fingerprint");
    let (forward, forward_train) = forward_fns(net);
    let backward = backward_fns(net);
    let backward_rest = backward_rest_fn(net);
    let (forward_batch, backward_batch) = batch_fns(net, false);
    let (forward_batch_train, backward_batch_train) = batch_fns(net, true);
    let after_batch_step = after_batch_step_fn(net);
    let params = param_fns(net);
    let caches = net.layers.iter().map(|l| train_path(l, "Cache"));
    let train_where = train_where(net, where_clause);
    let describe = describe_fn(net);
    quote! {
        #backward_rest

        #[automatically_derived]
        impl #impl_generics ::typenet::Layer for #ident #ty_generics #where_clause {
            type Scalar = #scalar;
            type Input = #input;
            type Output = #output;

            // each layer's output and its gradient, then the layers' own workspaces
            const BATCH_WORKSPACE: usize = 0 #(+ #workspaces)*;

            #forward
            #forward_batch
            #describe
        }

        #[automatically_derived]
        impl #impl_generics ::typenet::Train for #ident #ty_generics #train_where {
            type Cache = #cache_name <#(#caches),*>;

            #forward_train
            #backward
            #backward_batch
            #forward_batch_train
            #backward_batch_train
            #after_batch_step
        }

        #[automatically_derived]
        impl #impl_generics ::typenet::Params<<Self as ::typenet::Layer>::Scalar> for #ident #ty_generics #where_clause {
            const COUNT: usize = 0 #(+ #param_counts)*;
            const SHAPE_FINGERPRINT: u64 = {
                let #h = ::typenet::fingerprint::START;
                #(let #h = ::typenet::fingerprint::then(#h, #fingerprints);)*
                #h
            };

            #params
        }
    }
}

/// `Layer::describe` for the summary: the network's own row (its type name, its number
/// of layers), then each field's rows one level deeper, named by the field. Kept apart
/// from the rest of the impl: it only forwards to each field's `describe`.
fn describe_fn(net: &Network<'_>) -> TokenStream {
    let (visit, depth, name) = (local("visit"), local("depth"), local("name"));
    let count = net.layers.len();
    let fields = net.layers.iter().map(|l| {
        let path = layer_path(l, "describe");
        let field_name = match &l.member {
            syn::Member::Named(ident) => ident.unraw().to_string(),
            syn::Member::Unnamed(index) => index.index.to_string(),
        };
        quote_spanned!(l.span_hi=> #path(#visit, #depth + 1, #field_name);)
    });
    quote! {
        fn describe(
            #visit: &mut dyn ::core::ops::FnMut(&::typenet::summary::Row),
            #depth: usize,
            #name: &'static str,
        ) {
            #visit(&::typenet::summary::Row::network::<Self>(
                #depth,
                #name,
                ::core::any::type_name::<Self>(),
                #count,
            ));
            #(#fields)*
        }
    }
}

/// The `Train` impl's where clause: the user's, and that every layer trains. A field that
/// only infers then leaves the network without `Train` (training it is the error "`X`
/// cannot be trained", naming the layer) rather than failing where it is defined.
///
/// Bounds are on `derive_support::Trains` (which, unlike `Train`, does not let the
/// compiler assume the field is a `Layer`, so a field that is not a layer is still one
/// error) and higher-ranked (`for<'typenet_t>`), so a concrete field that does not train
/// is an impl that does not apply, not a "trivial bound" error. A field whose type
/// mentions a generic parameter gets no bound: such a bound would hide the layer's own
/// `Layer` impl inside the impl (the compiler would no longer see that `Dense<2, H>`
/// outputs `[f32; H]`); such a field must train, and is checked where it is defined. A
/// field that is a type parameter (`head: L`) gets the plain bound `L: Train`.
fn train_where(net: &Network<'_>, where_clause: Option<&syn::WhereClause>) -> TokenStream {
    let user_predicates = where_clause.into_iter().flat_map(|w| w.predicates.iter());
    let type_params: Vec<&Ident> = net.generics.type_params().map(|p| &p.ident).collect();
    let bounds = net.layers.iter().filter_map(|l| {
        let ty = l.ty;
        let is_param = matches!(ty, Type::Path(p) if p.qself.is_none()
            && p.path.get_ident().is_some_and(|i| type_params.contains(&i)));
        if is_param {
            // a layer that is a type parameter (`head: L`) trains when `L` does
            let bound = respanned(quote!(: ::typenet::Train), l.span_hi);
            Some(quote!(#ty #bound))
        } else if mentions_generics(net, ty) {
            None
        } else {
            let bound = respanned(quote!(: ::typenet::derive_support::Trains), l.span_hi);
            Some(quote!(for<'typenet_t> #ty #bound))
        }
    });
    quote!(where #(#user_predicates,)* #(#bounds,)*)
}

/// Whether `ty` mentions one of the struct's generic parameters (types or consts).
fn mentions_generics(net: &Network<'_>, ty: &Type) -> bool {
    fn mentions(tokens: TokenStream, params: &[&Ident]) -> bool {
        tokens.into_iter().any(|tt| match tt {
            proc_macro2::TokenTree::Ident(ident) => params.contains(&&ident),
            proc_macro2::TokenTree::Group(group) => mentions(group.stream(), params),
            _ => false,
        })
    }
    let params: Vec<&Ident> = net
        .generics
        .params
        .iter()
        .filter_map(|p| match p {
            syn::GenericParam::Type(t) => Some(&t.ident),
            syn::GenericParam::Const(c) => Some(&c.ident),
            syn::GenericParam::Lifetime(_) => None,
        })
        .collect();
    !params.is_empty() && mentions(quote::ToTokens::to_token_stream(ty), &params)
}

/// `<ScalarOf<Last> as SameScalar<..>>::Vector<OutputOf<Last>>`, spanned on the last
/// field: the network's output, the last layer's own type (which need not be an array
/// the derive can see, for a layer that is a type parameter), named so that a last layer
/// in another scalar type is `SameScalar`'s one error rather than "not a vector of the
/// network's scalar".
///
/// That name costs one more error where the last layer's scalar is wrong (a generated
/// signature mentions the type), so it is used only where it is needed: when the last
/// field's type mentions a type parameter of the struct, whose output the derive cannot
/// see is an array. Otherwise the output is [`in_net`]'s array, which is always
/// well-formed.
fn net_output(net: &Network<'_>) -> TokenStream {
    let last = net.last();
    if !output_may_be_opaque(net) {
        return in_net(net, last, "Output", (last.span_lo, last.span_hi));
    }
    let path = same_scalar(net, last, "Vector");
    let output = layer_path(last, "Output");
    let (open, close) = (
        quote_spanned!(last.span_hi=> <),
        quote_spanned!(last.span_hi=> >),
    );
    quote!(#path #open #output #close)
}

/// Whether the last field's type mentions one of the struct's type parameters (`head: L`),
/// so that its output may be a type the derive cannot see is an array.
fn output_may_be_opaque(net: &Network<'_>) -> bool {
    fn mentions(tokens: TokenStream, params: &[&Ident]) -> bool {
        tokens.into_iter().any(|tt| match tt {
            proc_macro2::TokenTree::Ident(ident) => params.contains(&&ident),
            proc_macro2::TokenTree::Group(group) => mentions(group.stream(), params),
            _ => false,
        })
    }
    let params: Vec<&Ident> = net.generics.type_params().map(|p| &p.ident).collect();
    !params.is_empty() && mentions(quote::ToTokens::to_token_stream(net.last().ty), &params)
}

/// The bridge functions for the network's output (see [`net_output`]): out of the last
/// layer, and its gradient back into it.
fn output_bridges(net: &Network<'_>) -> (&'static str, &'static str) {
    if output_may_be_opaque(net) {
        ("to_net_vector", "to_layer_vector_ref")
    } else {
        ("to_net_array", "to_layer_array_ref")
    }
}

/// `Self::Output` in a generated signature, spanned on the last field: the network's
/// output type is [`net_output`], and where it is not well-formed (the last layer's
/// scalar is wrong) that is the one `SameScalar` error at the last field, not one more at
/// each signature.
fn output_ty(net: &Network<'_>) -> TokenStream {
    let last = net.last();
    let this = quote_spanned!(last.span_lo=> Self);
    let rest = quote_spanned!(last.span_hi=> ::Output);
    quote!(#this #rest)
}

/// `<<L as Layer>::Output as Vector<L::Scalar>>::LEN`, spanned on the field: the number
/// of scalars in one of the layer's outputs.
fn vector_len(field: &LayerField<'_>) -> TokenStream {
    let (output, scalar) = (layer_path(field, "Output"), layer_path(field, "Scalar"));
    let open = quote_spanned!(field.span_lo=> <);
    let (as_vector, len) = (
        quote_spanned!(field.span_hi=> as ::typenet::Vector<),
        quote_spanned!(field.span_hi=> >>::LEN),
    );
    quote!(#open #output #as_vector #scalar #len)
}

/// `forward` and `forward_train`: the first layer on the input, then each next layer on
/// the previous layer's output, passed across (see [`forward_across`]).
fn forward_fns(net: &Network<'_>) -> (TokenStream, TokenStream) {
    let output_ty = output_ty(net);
    let (input, out) = (local("input"), local("out"));
    let caches: Vec<Ident> = (0..net.layers.len())
        .map(|i| format_ident!("typenet_cache_{}", i, span = Span::mixed_site()))
        .collect();
    let (first, last) = (net.first(), net.last());
    let (m0, c0, hi0) = (&first.member, &caches[0], first.span_hi);
    let forward_first = layer_path(first, "forward");
    let self_value = self_at(hi0);
    let forward_first = quote_spanned!(hi0=> let #out = #forward_first(&#self_value.#m0, #input););
    let train_first = train_path(first, "forward_train");
    let train_first =
        quote_spanned!(hi0=> let (#out, #c0) = #train_first(&#self_value.#m0, #input););
    let forward_rest = net.pairs().map(|(p, n)| {
        let (nm, forward, arg) = (
            &n.member,
            layer_path(n, "forward"),
            forward_across(net, p, n, &out),
        );
        let self_value = self_at(n.span_hi);
        quote_spanned!(n.span_hi=> let #out = #forward(&#self_value.#nm, #arg);)
    });
    let train_rest = net.pairs().zip(&caches[1..]).map(|((p, n), c)| {
        let (nm, train, arg) = (
            &n.member,
            train_path(n, "forward_train"),
            forward_across(net, p, n, &out),
        );
        let self_value = self_at(n.span_hi);
        quote_spanned!(n.span_hi=> let (#out, #c) = #train(&#self_value.#nm, #arg);)
    });
    let result = bridge(net, last, output_bridges(net).0, &quote!(#out));
    let cache_name = cache_ident();
    let cache_inits = net
        .layers
        .iter()
        .zip(&caches)
        .map(|(l, c)| field_init(l, &quote!(#c)));
    let forward = quote! {
        #[inline]
        fn forward(&self, #input: &Self::Input) -> #output_ty {
            #forward_first
            #(#forward_rest)*
            #result
        }
    };
    let train = quote! {
        #[inline]
        fn forward_train(&self, #input: &Self::Input) -> (#output_ty, Self::Cache) {
            #train_first
            #(#train_rest)*
            (#result, #cache_name { #(#cache_inits,)* })
        }
    };
    (forward, train)
}

/// The name of the generated function that runs the backward chain from the last layer to
/// the second (see [`backward_fns`]).
fn backward_rest_ident() -> Ident {
    Ident::new("typenet_network_backward_rest", Span::call_site())
}

/// A function, beside the impl, that runs the backward chain from the last layer to the
/// second, each layer starting from the `∂E/∂input` its successor returned (the chain
/// rule) and putting its parameter gradients into its own field of `grads`, and returns
/// `∂E/∂output` of the first layer. Its mode type (a `Rest` mode: adding or setting,
/// always with `∂E/∂input`) says how each layer puts them. `None` for a one-layer
/// network, whose chain is its one layer.
///
/// `backward_with` calls it in its mode's `Rest`, so the machine code for the chain is
/// generated twice (adding and setting) rather than once per mode.
fn backward_rest_fn(net: &Network<'_>) -> Option<TokenStream> {
    if net.layers.len() == 1 {
        return None;
    }
    let (this, cache, grad_last, grads, grad_in) = (
        local("net"),
        local("cache"),
        local("grad_last"),
        local("grads"),
        local("grad_in"),
    );
    let (first, last) = (net.first(), net.last());
    // One layer's step: `let grad_in = <L as Train>::backward_with::<TypenetMode>(..);`.
    let step = |l: &LayerField<'_>, grad: &TokenStream| {
        let (m, cache_l) = (&l.member, cache_arg(l));
        let path = train_path(l, "backward_with");
        quote_spanned! {l.span_hi=>
            let #grad_in = #path::<TypenetMode>(&#this.#m, #cache_l, #grad, &mut #grads.#m);
        }
    };
    let mut steps = vec![step(last, &quote!(#grad_last))];
    for (p, n) in net.pairs().rev() {
        if std::ptr::eq(p, first) {
            break;
        }
        let arg = backward_across(net, p, n, &grad_in);
        steps.push(step(p, &arg));
    }
    let (second, _) = net.pairs().next().map(|(p, n)| (n, p))?;
    let grad_first = backward_across_value(net, first, second, &grad_in);
    let name = backward_rest_ident();
    let ident = net.ident;
    let (_, ty_generics, where_clause) = net.generics.split_for_impl();
    let mut generics = net.generics.clone();
    generics
        .params
        .push(syn::parse_quote!(TypenetMode: ::typenet::mode::Mode));
    let (impl_generics, _, _) = generics.split_for_impl();
    let (last_output, first_output) = (layer_path(last, "Output"), layer_path(first, "Output"));
    let where_clause = train_where(net, where_clause);
    Some(quote! {
        #[inline]
        #[allow(clippy::all, clippy::pedantic)]
        fn #name #impl_generics (
            #this: &#ident #ty_generics,
            #cache: &<#ident #ty_generics as ::typenet::Train>::Cache,
            #grad_last: &#last_output,
            #grads: &mut #ident #ty_generics,
            _: ::core::marker::PhantomData<TypenetMode>,
        ) -> #first_output #where_clause {
            #(#steps)*
            #grad_first
        }
    })
}

/// `backward` and `backward_with`, as the tuple impl has them: the layers after the first
/// run [`backward_rest_fn`]'s chain in the mode's `Rest`, the first layer in the mode
/// itself (so the first layer of a training step skips its input gradient, and an
/// overwriting step sets every layer's gradients rather than zeroing them first).
fn backward_fns(net: &Network<'_>) -> TokenStream {
    let output_ty = output_ty(net);
    let (cache, grad_out, grads, grad) = (
        local("cache"),
        local("grad_out"),
        local("grads"),
        local("grad"),
    );
    let first = net.first();
    let grad_last = bridge(net, net.last(), output_bridges(net).1, &quote!(#grad_out));
    let rest = backward_rest_ident();
    let (m0, cache0, path) = (
        &first.member,
        cache_arg(first),
        train_path(first, "backward_with"),
    );
    let chain = if net.layers.len() == 1 {
        let self_value = self_at(first.span_hi);
        quote_spanned! {first.span_hi=>
            #path::<TypenetMode>(&#self_value.#m0, #cache0, #grad_last, &mut #grads.#m0)
        }
    } else {
        let amp = amp(first);
        quote! {
            let #grad = #rest(
                self,
                #cache,
                #grad_last,
                #grads,
                ::core::marker::PhantomData::<<TypenetMode as ::typenet::mode::Mode>::Rest>,
            );
            #path::<TypenetMode>(&self.#m0, #cache0, #amp #grad, &mut #grads.#m0)
        }
    };
    quote! {
        #[inline]
        fn backward(
            &self,
            #cache: &Self::Cache,
            #grad_out: &#output_ty,
            #grads: &mut Self,
        ) -> Self::Input {
            <Self as ::typenet::Train>::backward_with::<::typenet::mode::Accumulate>(
                self, #cache, #grad_out, #grads,
            )
        }

        #[inline]
        fn backward_with<TypenetMode: ::typenet::mode::Mode>(
            &self,
            #cache: &Self::Cache,
            #grad_out: &#output_ty,
            #grads: &mut Self,
        ) -> Self::Input {
            #chain
        }
    }
}

/// `forward_batch` and `backward_batch`: the tuple impl's, a whole batch through one layer
/// after the other, with the same workspace layout (every layer's outputs, then their
/// gradients, then the layers' own workspaces), so the results are the tuple's bits.
#[allow(clippy::too_many_lines)] // one quote! per method, read top to bottom
/// With `train`, their training forms `forward_batch_train` and `backward_batch_train`,
/// which call each layer's training form (through `Trains`).
fn batch_fns(net: &Network<'_>, train: bool) -> (TokenStream, TokenStream) {
    let (forward_name, backward_name) = if train {
        ("forward_batch_train", "backward_batch_train")
    } else {
        ("forward_batch", "backward_batch")
    };
    let forward_path = |l: &LayerField<'_>| {
        if train {
            train_path(l, forward_name)
        } else {
            layer_path(l, forward_name)
        }
    };
    let (forward_fn, backward_fn) = (
        Ident::new(forward_name, Span::call_site()),
        Ident::new(backward_name, Span::call_site()),
    );
    let output_ty = output_ty(net);
    let (xs, ys, grad_ys, grad_xs, grads, workspace, n, rest, dxn) = (
        local("xs"),
        local("ys"),
        local("grad_ys"),
        local("grad_xs"),
        local("grads"),
        local("workspace"),
        local("n"),
        local("rest"),
        local("dxn"),
    );
    let count = net.layers.len();
    let named = |prefix: &str| -> Vec<Ident> {
        (0..count)
            .map(|i| format_ident!("typenet_{}_{}", prefix, i, span = Span::mixed_site()))
            .collect()
    };
    let (outs, gys, subs) = (named("out"), named("grad"), named("sub"));
    let take = quote!(::typenet::derive_support::take);
    let lens: Vec<TokenStream> = net.layers.iter().map(vector_len).collect();
    let own_workspaces: Vec<TokenStream> = net
        .layers
        .iter()
        .map(|l| layer_path(l, "BATCH_WORKSPACE"))
        .collect();
    let t = net_scalar(net);
    let first = net.first();
    let (last_out, last_gy) = (&outs[count - 1], &gys[count - 1]);

    // A region of the workspace as a batch of the layer's outputs (in its own scalar).
    let outputs = |l: &LayerField<'_>, flat: &Ident, mutable: bool| -> TokenStream {
        let (f, view, amp) = if mutable {
            ("to_layer_slice_mut", "slice_from_flat_mut", quote!(&mut *))
        } else {
            ("to_layer_slice", "slice_from_flat", quote!(&*))
        };
        let own = bridge(net, l, f, &quote!(#amp #flat));
        let (output, scalar) = (layer_path(l, "Output"), layer_path(l, "Scalar"));
        let open = quote_spanned!(l.span_lo=> <);
        let view = Ident::new(view, l.span_hi);
        let rest = quote_spanned!(l.span_hi=> as ::typenet::Vector<#scalar>>::#view);
        call(l, &quote!(#open #output #rest), &own)
    };
    // `prev`'s outputs (or their gradients) as `next`'s inputs: a region in the network's
    // scalar, seen as vectors of `prev`'s size, through `Fits`, into `next`'s scalar.
    let inputs = |p: &LayerField<'_>, nx: &LayerField<'_>, flat: &Ident, mutable: bool| {
        let (view, fit, into, amp) = if mutable {
            (
                "slice_from_flat_mut",
                "fit_slice_mut",
                "to_layer_arrays_mut",
                quote!(&mut *),
            )
        } else {
            (
                "slice_from_flat",
                "fit_slice",
                "to_layer_arrays",
                quote!(&*),
            )
        };
        let output = in_net(net, p, "Output", (nx.span_lo, nx.span_hi));
        let open = quote_spanned!(nx.span_lo=> <);
        let view = Ident::new(view, nx.span_hi);
        let rest = quote_spanned!(nx.span_hi=> as ::typenet::Vector<#t>>::#view);
        let prev_outputs = call(nx, &quote!(#open #output #rest), &quote!(#amp #flat));
        let fitted = call(nx, &fits_path(net, p, nx, fit), &prev_outputs);
        bridge(net, nx, into, &fitted)
    };

    let take_regions = |names: &[Ident], sizes: &[TokenStream], shared: bool| -> TokenStream {
        let amp = if shared { quote!(&*) } else { quote!() };
        quote!(#(let #names = #amp #take(&mut #rest, #n * #sizes);)*)
    };
    let forward_outs = take_regions(&outs, &lens, false);
    let backward_outs = take_regions(&outs, &lens, true);
    let grad_regions = take_regions(&gys, &lens, false);
    let sub_regions = take_regions(&subs, &own_workspaces, false);

    let (m0, out0, sub0) = (&first.member, &outs[0], &subs[0]);
    let forward_first = {
        let path = forward_path(first);
        let (ys0, sub) = (
            outputs(first, out0, true),
            bridge(net, first, "to_layer_slice_mut", &quote!(&mut *#sub0)),
        );
        let self_value = self_at(first.span_hi);
        quote_spanned!(first.span_hi=> #path(&#self_value.#m0, #xs, #ys0, #sub)?;)
    };
    let forward_rest = net.pairs().enumerate().map(|(i, (p, nx))| {
        let (nm, path) = (&nx.member, forward_path(nx));
        let xs_k = inputs(p, nx, &outs[i], false);
        let ys_k = outputs(nx, &outs[i + 1], true);
        let sub = &subs[i + 1];
        let sub = bridge(net, nx, "to_layer_slice_mut", &quote!(&mut *#sub));
        let self_value = self_at(nx.span_hi);
        quote_spanned!(nx.span_hi=> #path(&#self_value.#nm, #xs_k, #ys_k, #sub)?;)
    });
    let backward_rest = net.pairs().enumerate().rev().map(|(i, (p, nx))| {
        let (nm, path) = (&nx.member, train_path(nx, backward_name));
        let xs_k = inputs(p, nx, &outs[i], false);
        let ys_k = outputs(nx, &outs[i + 1], false);
        let gys_k = outputs(nx, &gys[i + 1], false);
        let dxs_k = inputs(p, nx, &gys[i], true);
        let sub = &subs[i + 1];
        let sub = bridge(net, nx, "to_layer_slice_mut", &quote!(&mut *#sub));
        let self_value = self_at(nx.span_hi);
        quote_spanned! {nx.span_hi=>
            #path(
                &#self_value.#nm,
                #xs_k,
                #ys_k,
                #gys_k,
                ::core::option::Option::Some(#dxs_k),
                &mut #grads.#nm,
                #sub,
            )?;
        }
    });
    let backward_first = {
        let path = train_path(first, backward_name);
        let (ys0, gys0) = (outputs(first, out0, false), outputs(first, &gys[0], false));
        let sub = bridge(net, first, "to_layer_slice_mut", &quote!(&mut *#sub0));
        let self_value = self_at(first.span_hi);
        quote_spanned! {first.span_hi=>
            #path(&#self_value.#m0, #xs, #ys0, #gys0, #grad_xs, &mut #grads.#m0, #sub)
        }
    };
    let result = quote!(::core::result::Result<(), ::typenet::BatchError>);
    let check = quote!(::typenet::derive_support::check_batch);
    let per_sample = quote!(<Self as ::typenet::Layer>::BATCH_WORKSPACE);
    let net_outputs = quote!(<#output_ty as ::typenet::Vector<Self::Scalar>>);
    let forward_batch = quote! {
        fn #forward_fn(
            &self,
            #xs: &[Self::Input],
            #ys: &mut [#output_ty],
            #workspace: &mut [Self::Scalar],
        ) -> #result {
            let #n = #xs.len();
            #check(#n, &[#ys.len()], #workspace.len(), #per_sample)?;
            let mut #rest = &mut *#workspace;
            #forward_outs
            #grad_regions
            #sub_regions
            #forward_first
            #(#forward_rest)*
            #ys.copy_from_slice(#net_outputs::slice_from_flat(&*#last_out));
            ::core::result::Result::Ok(())
        }

    };
    let backward_batch = quote! {
        fn #backward_fn(
            &self,
            #xs: &[Self::Input],
            #ys: &[#output_ty],
            #grad_ys: &[#output_ty],
            #grad_xs: ::core::option::Option<&mut [Self::Input]>,
            #grads: &mut Self,
            #workspace: &mut [Self::Scalar],
        ) -> #result {
            let #n = #xs.len();
            let #dxn = #grad_xs.as_ref().map_or(#n, |d| d.len());
            #check(
                #n,
                &[#ys.len(), #grad_ys.len(), #dxn],
                #workspace.len(),
                #per_sample,
            )?;
            let mut #rest = &mut *#workspace;
            #backward_outs
            #grad_regions
            #sub_regions
            #net_outputs::slice_from_flat_mut(&mut *#last_gy).copy_from_slice(#grad_ys);
            #(#backward_rest)*
            #backward_first
        }
    };
    (forward_batch, backward_batch)
}

/// `after_batch_step`: each layer's hook with its own region of the workspace (past every
/// layer's outputs and their gradients, as [`batch_fns`] lays it out).
fn after_batch_step_fn(net: &Network<'_>) -> TokenStream {
    let (batch, workspace, rest, sub, tail) = (
        local("batch"),
        local("workspace"),
        local("rest"),
        local("sub"),
        local("tail"),
    );
    let lens: Vec<TokenStream> = net.layers.iter().map(vector_len).collect();
    let per_layer = net.layers.iter().map(|l| {
        let (m, path) = (&l.member, train_path(l, "after_batch_step"));
        let own = layer_path(l, "BATCH_WORKSPACE");
        let arg = bridge(net, l, "to_layer_slice", &quote!(#sub));
        let self_value = self_at(l.span_hi);
        quote! {
            let (#sub, #tail) = #rest.split_at(#batch * #own);
            #rest = #tail;
            #path(&mut #self_value.#m, #batch, #arg);
        }
    });
    quote! {
        fn after_batch_step(&mut self, #batch: usize, #workspace: &[Self::Scalar]) {
            let ::core::option::Option::Some(#rest) = #batch
                .checked_mul(<Self as ::typenet::Layer>::BATCH_WORKSPACE)
                .and_then(|len| #workspace.get(..len))
            else {
                return;
            };
            let mut #rest = &#rest[#batch * (0 #(+ 2 * #lens)*)..];
            #(#per_layer)*
            let _ = #rest;
        }
    }
}

/// `zeroed`, the parameter walks and `init_params`: one call per layer, in field order,
/// each layer's parameter slices passed to the caller's closure through the bridge to the
/// network's scalar (see [`same_scalar`]).
fn param_fns(net: &Network<'_>) -> TokenStream {
    let (visit, grads, state, each, init, rng, p, g, s) = (
        local("visit"),
        local("grads"),
        local("state"),
        local("each"),
        local("init"),
        local("rng"),
        local("p"),
        local("g"),
        local("s"),
    );
    let zeroed = net.layers.iter().map(|l| {
        let path = layer_path(l, "zeroed");
        field_init(l, &quote_spanned!(l.span_hi=> #path()))
    });
    let per_layer =
        |item: &str, args: &dyn Fn(&LayerField<'_>) -> TokenStream| -> Vec<TokenStream> {
            net.layers
                .iter()
                .map(|l| {
                    let (path, args) = (layer_path(l, item), args(l));
                    quote_spanned!(l.span_hi=> #path(#args);)
                })
                .collect()
        };
    let visit_params = per_layer("visit_params", &|l| {
        let (m, up) = (&l.member, same_scalar(net, l, "to_net_slice"));
        quote!(&self.#m, &mut |#p| #visit(#up(#p)))
    });
    let visit_params_mut = per_layer("visit_params_mut", &|l| {
        let (m, up) = (&l.member, same_scalar(net, l, "to_net_slice_mut"));
        quote!(&mut self.#m, &mut |#p| #visit(#up(#p)))
    });
    let zip_params = per_layer("zip_params", &|l| {
        let m = &l.member;
        let (up, up_mut) = (
            same_scalar(net, l, "to_net_slice"),
            same_scalar(net, l, "to_net_slice_mut"),
        );
        quote! {
            &mut self.#m,
            &#grads.#m,
            #state.each_mut().map(|#each| &mut #each.#m),
            &mut |#p, #g, #s| #visit(#up_mut(#p), #up(#g), #s.map(|#each| #up_mut(#each)))
        }
    });
    let init_params = per_layer("init_params", &|l| {
        let m = &l.member;
        quote!(&mut self.#m, #init, #rng)
    });
    let t = quote!(<Self as ::typenet::Layer>::Scalar);
    quote! {
        fn zero_value() -> Self {
            Self { #(#zeroed,)* }
        }

        fn each_param<TypenetF>(&self, #visit: &mut TypenetF)
        where
            TypenetF: ::core::ops::FnMut(&[#t]),
        {
            #(#visit_params)*
        }

        fn each_param_mut<TypenetF>(&mut self, #visit: &mut TypenetF)
        where
            TypenetF: ::core::ops::FnMut(&mut [#t]),
        {
            #(#visit_params_mut)*
        }

        fn zip_each<const TYPENET_K: usize, TypenetF>(
            &mut self,
            #grads: &Self,
            mut #state: [&mut Self; TYPENET_K],
            #visit: &mut TypenetF,
        )
        where
            TypenetF: ::core::ops::FnMut(
                &mut [#t],
                &[#t],
                [&mut [#t]; TYPENET_K],
            ),
        {
            #(#zip_params)*
        }

        fn init_each<TypenetR>(&mut self, #init: ::typenet::Init, #rng: &mut TypenetR)
        where
            TypenetR: ::typenet::rand_core::Rng + ?::core::marker::Sized,
        {
            #(#init_params)*
        }
    }
}

/// `impl ParamCount`: the parameter count as a typenum type, which sizes the byte image
/// (`ByteImage::to_bytes`). It is the sum of the fields' counts through `SumCounts`: the
/// typenum arithmetic of a tuple of the same layers, over the cons list
/// `(F1, (F2, (…, ())))` for up to 16 fields and over a balanced tree of such lists
/// beyond ([`count_tree`]), so that nesting grows with the logarithm of the field count
/// and any field count compiles under the default `recursion_limit`. The image equals the
/// tuple's, byte for byte, since `FINGERPRINT` and the parameter order are the tuple's too.
///
/// The bound on the list is higher-ranked (`for<'typenet_a>`), which keeps the compiler
/// from checking it where the struct is defined: a network with a layer beyond typenum's
/// range (over 1024) must still compile and train. Only a use of its byte image is an
/// error, and that error names the layer (`ParamCount`'s message).
fn impl_param_count(net: &Network<'_>) -> TokenStream {
    let ident = net.ident;
    let (impl_generics, ty_generics, where_clause) = net.generics.split_for_impl();
    let types: Vec<&Type> = net.layers.iter().map(|l| l.ty).collect();
    let list = count_tree(&types);
    let user_predicates = where_clause.into_iter().flat_map(|w| w.predicates.iter());
    quote! {
        #[automatically_derived]
        impl #impl_generics ::typenet::weights::ParamCount for #ident #ty_generics
        where
            #(#user_predicates,)*
            for<'typenet_a> #list: ::typenet::weights::SumCounts,
        {
            type Count = <#list as ::typenet::weights::SumCounts>::Count;
        }
    }
}

/// Fields summed per cons list in [`count_tree`]: up to this many, the list is the plain
/// `(F1, (F2, (…, ())))` a tuple of the same layers uses (and that error messages show).
const COUNT_CHUNK: usize = 16;

/// The type whose `SumCounts::Count` is the sum of `types`' counts: one cons list for up
/// to [`COUNT_CHUNK`] fields, else cons lists of at most that many joined by a balanced
/// tree of `CountPair`s, so trait resolution nests `COUNT_CHUNK + log2(fields / COUNT_CHUNK)`
/// levels deep rather than one per field (256 fields: 20). The sum is the same typenum
/// number either way (typenum's numbers are canonical), so `Count` is the same type.
fn count_tree(types: &[&Type]) -> TokenStream {
    if types.len() <= COUNT_CHUNK {
        return types
            .iter()
            .rev()
            .fold(quote!(()), |rest, ty| quote!((#ty, #rest)));
    }
    // split on a chunk boundary, halving the number of chunks
    let chunks = types.len().div_ceil(COUNT_CHUNK);
    let (left, right) = types.split_at(chunks / 2 * COUNT_CHUNK);
    let (left, right) = (count_tree(left), count_tree(right));
    quote!(::typenet::weights::CountPair<#left, #right>)
}

/// A `ParamCount` beside [`stub_layer`]: zero, like the stub's `PARAM_COUNT`.
fn stub_param_count(input: &DeriveInput) -> TokenStream {
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    quote! {
        #[automatically_derived]
        impl #impl_generics ::typenet::weights::ParamCount for #ident #ty_generics #where_clause {
            type Count = <() as ::typenet::weights::SumCounts>::Count;
        }
    }
}

/// A `Layer` impl that compiles whatever the input was, emitted beside the errors so that
/// code using the type does not add "is not a layer" errors to the one real mistake. Its
/// methods are never run: the crate does not compile.
fn stub_layer(input: &DeriveInput) -> TokenStream {
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    quote! {
        #[automatically_derived]
        impl #impl_generics ::typenet::Layer for #ident #ty_generics #where_clause {
            type Scalar = f32;
            type Input = [f32; 0];
            type Output = [f32; 0];
            fn forward(&self, _: &Self::Input) -> Self::Output {
                ::core::unreachable!()
            }
        }

        #[automatically_derived]
        impl #impl_generics ::typenet::Train for #ident #ty_generics #where_clause {
            type Cache = ();
            fn forward_train(&self, _: &Self::Input) -> (Self::Output, Self::Cache) {
                ::core::unreachable!()
            }
            fn backward(&self, _: &Self::Cache, _: &Self::Output, _: &mut Self) -> Self::Input {
                ::core::unreachable!()
            }
        }

        #[automatically_derived]
        impl #impl_generics ::typenet::Params<f32> for #ident #ty_generics #where_clause {
            const COUNT: usize = 0;
            const SHAPE_FINGERPRINT: u64 = ::typenet::fingerprint::START;
            fn zero_value() -> Self {
                ::core::unreachable!()
            }
            fn each_param<TypenetF>(&self, _: &mut TypenetF)
            where
                TypenetF: ::core::ops::FnMut(&[f32]),
            {
            }
            fn each_param_mut<TypenetF>(&mut self, _: &mut TypenetF)
            where
                TypenetF: ::core::ops::FnMut(&mut [f32]),
            {
            }
            fn zip_each<const TYPENET_K: usize, TypenetF>(
                &mut self,
                _: &Self,
                _: [&mut Self; TYPENET_K],
                _: &mut TypenetF,
            ) where
                TypenetF: ::core::ops::FnMut(&mut [f32], &[f32], [&mut [f32]; TYPENET_K]),
            {
            }
            fn init_each<TypenetR>(&mut self, _: ::typenet::Init, _: &mut TypenetR)
            where
                TypenetR: ::typenet::rand_core::Rng + ?::core::marker::Sized,
            {
            }
        }
    }
}
