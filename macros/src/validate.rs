//! Checks on the model that need no type information. Every problem found is reported,
//! combined into one `syn::Error`, so the user fixes them all in one round.
//!
//! What needs types (does each field implement `Layer`, do consecutive sizes fit) is left
//! to the compiler, through the spanned checks that [`crate::expand`] generates.

use crate::parse::Network;
use syn::{Error, GenericParam, Result, Type};

/// Returns the network unchanged if it is valid, or every problem found.
pub fn validate(net: Network<'_>) -> Result<Network<'_>> {
    let mut errors: Option<Error> = None;
    let mut push = |e: Error| match &mut errors {
        Some(all) => all.combine(e),
        None => errors = Some(e),
    };

    for param in &net.generics.params {
        if let GenericParam::Lifetime(lt) = param {
            push(Error::new_spanned(
                &lt.lifetime,
                "a network owns its layers, so it cannot have a lifetime parameter",
            ));
        }
    }

    for field in &net.layers {
        if let Some(what) = not_a_layer(field.ty) {
            push(Error::new_spanned(
                field.field,
                format!(
                    "{what} is not a layer: each field of a network must be a layer it owns, \
                     such as `Dense<2, 1>`, `Sigmoid<1>`, a tuple of layers or another \
                     `#[derive(Network)]` struct"
                ),
            ));
        }
    }

    match errors {
        Some(e) => Err(e),
        None => Ok(net),
    }
}

/// Types that can never be layers, recognisable from their syntax alone. Anything else is
/// left to the compiler, whose `Layer` message then names the type.
fn not_a_layer(ty: &Type) -> Option<&'static str> {
    match ty {
        Type::Reference(_) => Some("a reference"),
        Type::Ptr(_) => Some("a raw pointer"),
        Type::Slice(_) => Some("a slice"),
        Type::Array(_) => Some("an array"),
        Type::FnPtr(_) => Some("a function pointer"),
        Type::Never(_) => Some("`!`"),
        Type::TraitObject(_) => Some("a trait object"),
        Type::ImplTrait(_) => Some("an `impl Trait` type"),
        Type::Tuple(t) if t.elems.is_empty() => Some("`()`"),
        Type::Group(g) => not_a_layer(&g.elem),
        Type::Paren(p) => not_a_layer(&p.elem),
        _ => None,
    }
}
