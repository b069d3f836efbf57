//! From `syn`'s syntax tree to the model the derive works on: a network is an ordered list
//! of layer fields.
//!
//! Parsing only reshapes; it reports what makes the input impossible to model (an enum, a
//! union, a struct without fields) and leaves the other checks to [`crate::validate`].

use proc_macro2::{Span, TokenTree};
use quote::ToTokens as _;
use syn::spanned::Spanned as _;
use syn::{
    Data, DeriveInput, Error, Field, Fields, Generics, Ident, Member, Result, Type, Visibility,
};

/// A struct deriving `Network`.
pub struct Network<'a> {
    /// The struct's name.
    pub ident: &'a Ident,
    /// The struct's visibility.
    pub vis: &'a Visibility,
    /// Its generics, as written (const sizes, a scalar type parameter, where clauses).
    pub generics: &'a Generics,
    /// Its fields in declaration order: the order the layers run in. Never empty:
    /// [`Network::from_syn`] rejects a struct without fields, so [`Network::first`] and
    /// [`Network::last`] cannot fail.
    pub layers: Vec<LayerField<'a>>,
}

/// One field, that is one layer of the network.
pub struct LayerField<'a> {
    /// `self.<member>`: a name, or an index for tuple structs.
    pub member: Member,
    /// The field as written.
    pub field: &'a Field,
    /// The field's type, which must be a layer.
    pub ty: &'a Type,
    /// The spans of the first and last tokens of the field's type: errors about the field
    /// underline everything between (see `expand`).
    pub span_lo: Span,
    /// See [`LayerField::span_lo`].
    pub span_hi: Span,
}

/// The spans of the first and last tokens of `ty`. (Joining them into one span needs an
/// unstable compiler API; instead, generated code puts one on its first token and the
/// other on its last, which the compiler joins.)
fn token_spans(ty: &Type) -> (Span, Span) {
    let mut tokens = ty.to_token_stream().into_iter();
    let first = tokens.next();
    let last = tokens.last().or_else(|| first.clone());
    let lo = match first {
        Some(TokenTree::Group(g)) => g.span_open(),
        Some(t) => t.span(),
        None => ty.span(),
    };
    let hi = match last {
        Some(TokenTree::Group(g)) => g.span_close(),
        Some(t) => t.span(),
        None => ty.span(),
    };
    (lo, hi)
}

impl<'a> Network<'a> {
    /// Reads a derive input, or explains in a spanned error why it cannot be a network.
    pub fn from_syn(input: &'a DeriveInput) -> Result<Self> {
        let fields = match &input.data {
            Data::Struct(data) => &data.fields,
            Data::Enum(data) => {
                return Err(Error::new(
                    data.enum_token.span,
                    "`#[derive(Network)]` needs a struct whose fields are layers, not an enum: \
                     a network runs every layer, one after the other",
                ));
            }
            Data::Union(data) => {
                return Err(Error::new(
                    data.union_token.span,
                    "`#[derive(Network)]` needs a struct whose fields are layers, not a union: \
                     a network runs every layer, one after the other",
                ));
            }
        };
        let layers: Vec<LayerField<'a>> = fields
            .iter()
            .enumerate()
            .map(|(i, field)| {
                let (span_lo, span_hi) = token_spans(&field.ty);
                LayerField {
                    member: match &field.ident {
                        Some(ident) => Member::Named(ident.clone()),
                        None => Member::Unnamed(syn::Index {
                            index: u32::try_from(i).unwrap_or(u32::MAX),
                            span: span_lo,
                        }),
                    },
                    field,
                    ty: &field.ty,
                    span_lo,
                    span_hi,
                }
            })
            .collect();
        if layers.is_empty() {
            let span = match fields {
                Fields::Named(f) => f.brace_token.span.join(),
                Fields::Unnamed(f) => f.paren_token.span.join(),
                Fields::Unit => input.ident.span(),
            };
            return Err(Error::new(
                span,
                format!(
                    "`{}` has no fields, so it has no layers: a network needs at least one \
                     layer field, such as `dense: Dense<2, 1>`",
                    input.ident
                ),
            ));
        }
        Ok(Network {
            ident: &input.ident,
            vis: &input.vis,
            generics: &input.generics,
            layers,
        })
    }

    /// The first layer: it takes the network's input.
    pub fn first(&self) -> &LayerField<'a> {
        &self.layers[0]
    }

    /// The last layer: it gives the network's output.
    pub fn last(&self) -> &LayerField<'a> {
        &self.layers[self.layers.len() - 1]
    }

    /// Each pair of consecutive layers, `(previous, next)`, in order.
    pub fn pairs(
        &self,
    ) -> impl DoubleEndedIterator<Item = (&LayerField<'a>, &LayerField<'a>)> + ExactSizeIterator
    {
        self.layers.iter().zip(self.layers.iter().skip(1))
    }
}
