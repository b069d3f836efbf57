//! `#[derive(Params)]`: a layer's parameters, declared once on its struct.
//!
//! Writes, from the `#[param]` fields: `impl Params` (count, fingerprint, zero value,
//! the three walks, initialisation), `impl ParamCount` (the count as a typenum type, for
//! the byte image), `unsafe impl Zeroable` (sound: its where clause needs every field to
//! be `Zeroable`), approx's `AbsDiffEq`, `RelativeEq` and `UlpsEq` (see `crate::approx`)
//! and, through `typenet::__if_serde!` (empty unless typenet's `serde`
//! feature is on), `Serialize` and `Deserialize`.

use crate::expand::respanned;
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use syn::parse::ParseStream;
use syn::spanned::Spanned as _;
use syn::{Data, DeriveInput, Error, Fields, GenericParam, Ident, Type};

/// One field of the layer struct.
struct Field<'a> {
    ident: &'a Ident,
    ty: &'a Type,
    kind: Kind,
}

enum Kind {
    /// `#[param]`: a parameter tensor, with the initialisation rule's tokens if given.
    Param(Option<TokenStream>),
    /// Any other field but a marker: a setting, with its default value's tokens.
    Setting(TokenStream),
    /// A `PhantomData`: no data.
    Marker,
}

/// The whole expansion, or the errors.
pub fn derive(input: &DeriveInput) -> TokenStream {
    match expand(input) {
        Ok(tokens) => tokens,
        Err(e) => e.into_compile_error(),
    }
}

fn is_phantom(ty: &Type) -> bool {
    match ty {
        Type::Path(p) => p
            .path
            .segments
            .last()
            .is_some_and(|s| s.ident == "PhantomData"),
        _ => false,
    }
}

/// `weights(I, O)`, `bias(I, O)`, `zero`, `one` as an `InitRule` expression.
fn init_rule(input: ParseStream<'_>) -> syn::Result<TokenStream> {
    let kind: Ident = input.parse()?;
    let args = if input.peek(syn::token::Paren) {
        let content;
        syn::parenthesized!(content in input);
        Some(content.parse::<TokenStream>()?)
    } else {
        None
    };
    let rule = quote!(::typenet::params::InitRule);
    match (kind.to_string().as_str(), args) {
        ("weights", Some(a)) => Ok(quote!(#rule::Weights(#a))),
        ("bias", Some(a)) => Ok(quote!(#rule::Bias(#a))),
        ("zero", None) => Ok(quote!(#rule::Zero)),
        ("one", None) => Ok(quote!(#rule::One)),
        _ => Err(Error::new(
            kind.span(),
            "expected `weights(fan_in, fan_out)`, `bias(fan_in, fan_out)`, `zero` or `one`",
        )),
    }
}

/// `#[params(scalar = T)]` on the struct, if given.
fn scalar_attr(input: &DeriveInput) -> syn::Result<Option<Type>> {
    let mut scalar = None;
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("params")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("scalar") {
                scalar = Some(meta.value()?.parse::<Type>()?);
                Ok(())
            } else {
                Err(meta.error("expected `scalar = T`"))
            }
        })?;
    }
    Ok(scalar)
}

fn fields(input: &DeriveInput) -> syn::Result<Vec<Field<'_>>> {
    let Data::Struct(data) = &input.data else {
        return Err(Error::new(
            input.ident.span(),
            "`#[derive(Params)]` needs a struct with named fields",
        ));
    };
    let named = match &data.fields {
        Fields::Named(named) => named.named.iter().collect(),
        Fields::Unit => Vec::new(),
        Fields::Unnamed(_) => {
            return Err(Error::new(
                input.ident.span(),
                "`#[derive(Params)]` needs a struct with named fields (or none)",
            ));
        }
    };
    let mut out = Vec::new();
    for f in named {
        let ident = f.ident.as_ref().expect("named field");
        let mut kind = None;
        for attr in &f.attrs {
            if attr.path().is_ident("param") {
                let mut rule = None;
                if !matches!(attr.meta, syn::Meta::Path(_)) {
                    attr.parse_args_with(|input: ParseStream<'_>| {
                        let key: Ident = input.parse()?;
                        if key != "init" {
                            return Err(Error::new(key.span(), "expected `init = …`"));
                        }
                        input.parse::<syn::Token![=]>()?;
                        rule = Some(init_rule(input)?);
                        Ok(())
                    })?;
                }
                kind = Some(Kind::Param(rule));
            } else if attr.path().is_ident("setting") {
                attr.parse_args_with(|input: ParseStream<'_>| {
                    let key: Ident = input.parse()?;
                    if key != "default" {
                        return Err(Error::new(key.span(), "expected `default = …`"));
                    }
                    input.parse::<syn::Token![=]>()?;
                    let value: TokenStream = input.parse()?;
                    kind = Some(Kind::Setting(value));
                    Ok(())
                })?;
            }
        }
        let kind = kind.unwrap_or_else(|| {
            if is_phantom(&f.ty) {
                Kind::Marker
            } else {
                Kind::Setting(quote!(::core::default::Default::default()))
            }
        });
        out.push(Field {
            ident,
            ty: &f.ty,
            kind,
        });
    }
    Ok(out)
}

#[allow(clippy::too_many_lines)] // one quote! per generated impl
fn expand(input: &DeriveInput) -> syn::Result<TokenStream> {
    let fields = fields(input)?;
    let scalar = scalar_attr(input)?;
    let ident = &input.ident;
    let name = ident.to_string();
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let user_predicates: Vec<_> = where_clause
        .map(|w| w.predicates.iter().collect())
        .unwrap_or_default();
    let consts: Vec<&Ident> = input
        .generics
        .params
        .iter()
        .filter_map(|p| match p {
            GenericParam::Const(c) => Some(&c.ident),
            _ => None,
        })
        .collect();

    // `impl Params<S>`: for the named scalar, or for every scalar the tensors hold.
    let s = Ident::new("TypenetS", Span::call_site());
    let tensor = quote!(::typenet::params::Tensor<#s>);
    let params: Vec<&Field<'_>> = fields
        .iter()
        .filter(|f| matches!(f.kind, Kind::Param(_)))
        .collect();
    let mut generics = input.generics.clone();
    let (params_trait_arg, extra_bounds) = if let Some(t) = &scalar {
        (quote!(#t), quote!(#t: ::typenet::Scalar,))
    } else {
        generics
            .params
            .push(syn::parse_quote!(#s: ::typenet::Scalar));
        (quote!(#s), quote!())
    };
    let (params_impl_generics, _, _) = generics.split_for_impl();
    let scalar_tokens = params_trait_arg.clone();
    // spanned on the field's type, where an error about it belongs
    let tensor_of = |ty: &Type| {
        let path = if scalar.is_some() {
            // with a named scalar the tensor trait is of that scalar
            quote!(<#ty as ::typenet::params::Tensor<#scalar_tokens>>)
        } else {
            quote!(<#ty as #tensor>)
        };
        respanned_keep(path, ty.span())
    };
    let tensor_bounds = params.iter().map(|f| {
        let ty = f.ty;
        let t = &scalar_tokens;
        let bound = respanned(quote!(: ::typenet::params::Tensor<#t>), ty.span());
        quote!(#ty #bound)
    });
    let lens = params.iter().map(|f| {
        let t = tensor_of(f.ty);
        quote!(#t::LEN)
    });
    let zero_inits = fields.iter().map(|f| {
        let (id, ty) = (f.ident, f.ty);
        match &f.kind {
            Kind::Param(_) => {
                let t = tensor_of(ty);
                quote!(#id: #t::zero())
            }
            Kind::Setting(v) => quote!(#id: #v),
            Kind::Marker => quote!(#id: ::core::marker::PhantomData),
        }
    });
    let visit = params.iter().map(|f| {
        let (id, t) = (f.ident, tensor_of(f.ty));
        quote!(typenet_f(#t::flat(&self.#id));)
    });
    let visit_mut = params.iter().map(|f| {
        let (id, t) = (f.ident, tensor_of(f.ty));
        quote!(typenet_f(#t::flat_mut(&mut self.#id));)
    });
    let zip = params.iter().map(|f| {
        let (id, t) = (f.ident, tensor_of(f.ty));
        quote! {
            typenet_f(
                #t::flat_mut(&mut self.#id),
                #t::flat(&typenet_grads.#id),
                typenet_state.each_mut().map(|typenet_s| #t::flat_mut(&mut typenet_s.#id)),
            );
        }
    });
    let inits = params.iter().map(|f| {
        let (id, t) = (f.ident, tensor_of(f.ty));
        let rule = if let Kind::Param(Some(rule)) = &f.kind {
            rule.clone()
        } else {
            quote!(::typenet::params::InitRule::Weights(#t::LEN, #t::LEN))
        };
        quote! {
            ::typenet::params::init_tensor(#t::flat_mut(&mut self.#id), #rule, typenet_init, typenet_rng);
        }
    });
    let t = &scalar_tokens;
    let params_impl = quote! {
        #[automatically_derived]
        impl #params_impl_generics ::typenet::Params<#params_trait_arg> for #ident #ty_generics
        where
            #(#user_predicates,)*
            #extra_bounds
            #(#tensor_bounds,)*
        {
            const COUNT: usize = 0 #(+ #lens)*;
            const SHAPE_FINGERPRINT: u64 = ::typenet::fingerprint::layer(#name, &[#(#consts),*]);

            #[inline]
            fn zero_value() -> Self {
                Self { #(#zero_inits,)* }
            }

            #[inline]
            fn each_param<TypenetF: ::core::ops::FnMut(&[#t])>(&self, typenet_f: &mut TypenetF) {
                #(#visit)*
            }

            #[inline]
            fn each_param_mut<TypenetF: ::core::ops::FnMut(&mut [#t])>(
                &mut self,
                typenet_f: &mut TypenetF,
            ) {
                #(#visit_mut)*
            }

            #[inline]
            #[allow(unused_mut, unused_variables)]
            fn zip_each<const TYPENET_K: usize, TypenetF>(
                &mut self,
                typenet_grads: &Self,
                mut typenet_state: [&mut Self; TYPENET_K],
                typenet_f: &mut TypenetF,
            ) where
                TypenetF: ::core::ops::FnMut(&mut [#t], &[#t], [&mut [#t]; TYPENET_K]),
            {
                #(#zip)*
            }

            #[allow(unused_variables)]
            fn init_each<TypenetR: ::typenet::rand_core::Rng + ?::core::marker::Sized>(
                &mut self,
                typenet_init: ::typenet::Init,
                typenet_rng: &mut TypenetR,
            ) {
                #(#inits)*
            }
        }
    };

    // `impl ParamCount`: the tensors' typenum counts summed; higher-ranked so that a
    // tensor beyond typenum's range is an error only where the byte image is used.
    let list = params.iter().rev().fold(quote!(()), |rest, f| {
        let ty = f.ty;
        quote!((#ty, #rest))
    });
    // Each const size's typenum type first: for a size beyond typenum's range, that is
    // the bound that fails, and `do_not_recommend` then reports "`Dense<2000, 1>` has no
    // byte image" (`ParamCount`'s message) rather than the typenum internals.
    let const_bounds = consts
        .iter()
        .map(|c| quote!(::typenet::__typenum::Const<#c>: ::typenet::__typenum::ToUInt));
    let count_impl = quote! {
        #[automatically_derived]
        #[diagnostic::do_not_recommend]
        impl #impl_generics ::typenet::weights::ParamCount for #ident #ty_generics
        where
            #(#user_predicates,)*
            #(#const_bounds,)*
            for<'typenet_a> Self: ::typenet::Layer,
            for<'typenet_a> #list: ::typenet::weights::SumTensors,
        {
            type Count = <#list as ::typenet::weights::SumTensors>::Count;
        }
    };

    // `unsafe impl Zeroable`.
    let zeroable_bounds = fields.iter().map(|f| {
        let ty = f.ty;
        let bound = respanned(quote!(: ::typenet::Zeroable), ty.span());
        // higher-ranked: a field that is not `Zeroable` leaves the layer without the impl
        // (`boxed_zeroed` then says so), rather than adding an error to the one about it
        quote!(for<'typenet_z> #ty #bound)
    });
    let restores = fields.iter().filter_map(|f| match &f.kind {
        Kind::Setting(v) => {
            let id = f.ident;
            Some(quote!(self.#id = #v;))
        }
        _ => None,
    });
    let zeroable_impl = quote! {
        // SAFETY: every field is `Zeroable` (the where clause), so all-zero bytes are a
        // valid value of each field, and a struct is its fields (its padding may hold
        // anything). `restore_defaults` gives the settings the values `zero_value` gives.
        #[automatically_derived]
        #[allow(unsafe_code)]
        unsafe impl #impl_generics ::typenet::Zeroable for #ident #ty_generics
        where
            #(#user_predicates,)*
            #extra_bounds
            #(#zeroable_bounds,)*
        {
            #[inline]
            fn restore_defaults(&mut self) {
                #(#restores)*
            }
        }
    };

    let serde = serde_impls(input, &fields, &user_predicates);
    let approx_impls = crate::approx::impls(ident, &input.generics, &user_predicates);
    Ok(quote! {
        const _: () = {
            #params_impl
            #count_impl
            #zeroable_impl
            #approx_impls
            ::typenet::__if_serde! { #serde }
        };
    })
}

/// `Serialize` and `Deserialize`: a unit struct when every field is a marker, a newtype
/// struct of the one data field, else a struct of the data fields (parameters and
/// settings, in order). Arrays are fixed-length tuples; every number read must be finite.
#[allow(clippy::too_many_lines)]
fn serde_impls(
    input: &DeriveInput,
    fields: &[Field<'_>],
    user_predicates: &[&syn::WherePredicate],
) -> TokenStream {
    let ident = &input.ident;
    let name = ident.to_string();
    let (impl_generics, ty_generics, _) = input.generics.split_for_impl();
    let mut de_generics = input.generics.clone();
    de_generics.params.insert(0, syn::parse_quote!('de));
    let (de_impl_generics, _, _) = de_generics.split_for_impl();
    let serde = quote!(::typenet::__serde_support);
    let data: Vec<&Field<'_>> = fields
        .iter()
        .filter(|f| !matches!(f.kind, Kind::Marker))
        .collect();
    let bounds: Vec<TokenStream> = data
        .iter()
        .map(|f| {
            let ty = f.ty;
            quote!(#ty: #serde::Value)
        })
        .collect();
    let markers: Vec<TokenStream> = fields
        .iter()
        .filter(|f| matches!(f.kind, Kind::Marker))
        .map(|f| {
            let id = f.ident;
            quote!(#id: ::core::marker::PhantomData)
        })
        .collect();
    let where_ = quote!(where #(#user_predicates,)* #(#bounds,)*);
    let ser = quote!(#serde::serde::Serializer);
    let de = quote!(#serde::serde::Deserializer<'de>);
    let result = quote!(::core::result::Result);
    match data.as_slice() {
        [] => quote! {
            #[automatically_derived]
            impl #impl_generics #serde::serde::Serialize for #ident #ty_generics #where_ {
                fn serialize<TypenetS: #ser>(&self, s: TypenetS) -> #result<TypenetS::Ok, TypenetS::Error> {
                    s.serialize_unit_struct(#name)
                }
            }
            #[automatically_derived]
            impl #de_impl_generics #serde::serde::Deserialize<'de> for #ident #ty_generics #where_ {
                fn deserialize<TypenetD: #de>(d: TypenetD) -> #result<Self, TypenetD::Error> {
                    #serde::unit(d, #name)?;
                    ::core::result::Result::Ok(Self { #(#markers,)* })
                }
            }
        },
        [one] => {
            let (id, ty) = (one.ident, one.ty);
            quote! {
                #[automatically_derived]
                impl #impl_generics #serde::serde::Serialize for #ident #ty_generics #where_ {
                    fn serialize<TypenetS: #ser>(&self, s: TypenetS) -> #result<TypenetS::Ok, TypenetS::Error> {
                        s.serialize_newtype_struct(#name, &#serde::Ser(&self.#id))
                    }
                }
                #[automatically_derived]
                impl #de_impl_generics #serde::serde::Deserialize<'de> for #ident #ty_generics #where_ {
                    fn deserialize<TypenetD: #de>(d: TypenetD) -> #result<Self, TypenetD::Error> {
                        let #id = #serde::newtype::<TypenetD, #ty>(d, #name)?;
                        ::core::result::Result::Ok(Self { #id, #(#markers,)* })
                    }
                }
            }
        }
        many => {
            let count = many.len();
            let names: Vec<String> = many.iter().map(|f| f.ident.to_string()).collect();
            let ids: Vec<&Ident> = many.iter().map(|f| f.ident).collect();
            let tys: Vec<&Type> = many.iter().map(|f| f.ty).collect();
            let idx: Vec<usize> = (0..count).collect();
            let slots: Vec<Ident> = ids.iter().map(|i| format_ident!("typenet_{}", i)).collect();
            quote! {
                #[automatically_derived]
                impl #impl_generics #serde::serde::Serialize for #ident #ty_generics #where_ {
                    fn serialize<TypenetS: #ser>(&self, s: TypenetS) -> #result<TypenetS::Ok, TypenetS::Error> {
                        use #serde::serde::ser::SerializeStruct as _;
                        let mut st = s.serialize_struct(#name, #count)?;
                        #(st.serialize_field(#names, &#serde::Ser(&self.#ids))?;)*
                        st.end()
                    }
                }

                const TYPENET_FIELDS: &[&str] = &[#(#names),*];

                struct TypenetVisitor #impl_generics (::core::marker::PhantomData<fn() -> #ident #ty_generics>) #where_;

                #[automatically_derived]
                impl #de_impl_generics #serde::serde::de::Visitor<'de> for TypenetVisitor #ty_generics #where_ {
                    type Value = #ident #ty_generics;

                    fn expecting(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                        f.write_str(::core::concat!("struct ", #name))
                    }

                    fn visit_seq<TypenetA: #serde::serde::de::SeqAccess<'de>>(
                        self,
                        mut seq: TypenetA,
                    ) -> #result<Self::Value, TypenetA::Error> {
                        #(
                            let #ids = seq
                                .next_element_seed(#serde::Seed::<#tys>::new())?
                                .ok_or_else(|| #serde::serde::de::Error::invalid_length(#idx, &self))?;
                        )*
                        ::core::result::Result::Ok(#ident { #(#ids,)* #(#markers,)* })
                    }

                    fn visit_map<TypenetA: #serde::serde::de::MapAccess<'de>>(
                        self,
                        mut map: TypenetA,
                    ) -> #result<Self::Value, TypenetA::Error> {
                        #(let mut #slots: ::core::option::Option<#tys> = ::core::option::Option::None;)*
                        while let ::core::option::Option::Some(key) =
                            map.next_key_seed(#serde::FieldIndex(TYPENET_FIELDS))?
                        {
                            match key {
                                #(
                                    #idx => {
                                        if #slots.is_some() {
                                            return ::core::result::Result::Err(
                                                #serde::serde::de::Error::duplicate_field(#names),
                                            );
                                        }
                                        #slots = ::core::option::Option::Some(
                                            map.next_value_seed(#serde::Seed::<#tys>::new())?,
                                        );
                                    }
                                )*
                                _ => {
                                    let _: #serde::serde::de::IgnoredAny = map.next_value()?;
                                }
                            }
                        }
                        #(
                            let #ids = #slots
                                .ok_or_else(|| #serde::serde::de::Error::missing_field(#names))?;
                        )*
                        ::core::result::Result::Ok(#ident { #(#ids,)* #(#markers,)* })
                    }
                }

                #[automatically_derived]
                impl #de_impl_generics #serde::serde::Deserialize<'de> for #ident #ty_generics #where_ {
                    fn deserialize<TypenetD: #de>(d: TypenetD) -> #result<Self, TypenetD::Error> {
                        d.deserialize_struct(
                            #name,
                            TYPENET_FIELDS,
                            TypenetVisitor(::core::marker::PhantomData),
                        )
                    }
                }
            }
        }
    }
}

/// `tokens` with every generated token moved to `span`, the user's type tokens kept.
fn respanned_keep(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut tt| {
            if let proc_macro2::TokenTree::Group(g) = &tt {
                let mut group =
                    proc_macro2::Group::new(g.delimiter(), respanned_keep(g.stream(), span));
                group.set_span(span);
                tt = group.into();
            } else {
                tt.set_span(span);
            }
            tt
        })
        .collect()
}
