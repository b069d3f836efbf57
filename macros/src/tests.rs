//! The derive on inputs the compiler never shows it in one test crate: it must never panic,
//! must answer every input with either items or spanned errors, and what it writes must
//! parse as Rust.

use crate::expand::derive;
use quote::ToTokens as _;

/// Expands `source` and parses the result back as a file of items.
fn expand(source: &str) -> syn::File {
    let input: syn::DeriveInput = syn::parse_str(source).expect("test inputs are valid Rust");
    let output = derive(&input);
    syn::parse2(output.clone()).unwrap_or_else(|e| panic!("unparsable expansion ({e}):\n{output}"))
}

/// The `compile_error!` messages in an expansion.
fn errors(file: &syn::File) -> Vec<String> {
    file.items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Macro(m) if m.mac.path.segments.last()?.ident == "compile_error" => Some(
                syn::parse2::<syn::LitStr>(m.mac.tokens.clone())
                    .ok()?
                    .value(),
            ),
            _ => None,
        })
        .collect()
}

/// Whether the expansion implements `Layer` (the real impl or the stub).
fn implements_layer(file: &syn::File) -> bool {
    file.to_token_stream()
        .to_string()
        .contains(":: typenet :: Layer for")
}

#[test]
fn valid_networks_expand_without_errors() {
    for source in [
        "struct Xor { hidden: Dense<2, 4>, squash: Sigmoid<4>, output: Dense<4, 1>, decide: Sigmoid<1> }",
        "pub struct Pair(pub Dense<2, 2>, Sigmoid<2>);",
        "struct One(Dense<1, 1>);",
        "pub(crate) struct Mlp<const H: usize> { l1: Dense<2, H>, a1: Sigmoid<H>, l2: Dense<H, 1> }",
        "struct Net<T: Scalar = f32> where T: Copy { l: Dense<2, 2, T>, a: Tanh<2, T> }",
        "struct Raw { r#type: Dense<1, 1>, r#in: (Dense<1, 1>, Relu<1>) }",
        "/// docs\n#[repr(C)] struct Attrs { #[doc = \"x\"] a: Dense<1, 1> }",
        "struct Wrap<L: Layer<Scalar = f32, Input = [f32; 2], Output = [f32; 2]>> { inner: L }",
    ] {
        let file = expand(source);
        assert_eq!(errors(&file), Vec::<String>::new(), "{source}");
        assert!(implements_layer(&file), "{source}");
    }
}

#[test]
fn invalid_inputs_are_spanned_errors_with_a_stub_never_a_panic() {
    for (source, expected) in [
        ("enum E { A(Dense<1, 1>) }", 1),
        ("enum E {}", 1),
        ("union U { a: u32 }", 1),
        ("struct Unit;", 1),
        ("struct Empty {}", 1),
        ("struct EmptyTuple();", 1),
        ("struct L<'a> { a: Dense<1, 1>, b: &'a Sigmoid<1> }", 2),
        ("struct Arr { a: [Dense<1, 1>; 2] }", 1),
        (
            "struct S { a: *const Dense<1, 1>, b: fn(), c: (), d: [u8], e: dyn Layer }",
            5,
        ),
        ("struct Gen<'a, 'b, T> { t: T, r: &'a &'b T }", 3),
    ] {
        let file = expand(source);
        let found = errors(&file);
        assert_eq!(found.len(), expected, "{source}: {found:?}");
        assert!(implements_layer(&file), "{source}: no stub impl");
    }
}

#[test]
fn error_messages_name_the_problem() {
    let file = expand("struct Nothing;");
    assert!(errors(&file)[0].contains("`Nothing` has no fields"));
    let file = expand("enum E { A }");
    assert!(errors(&file)[0].contains("not an enum"));
    let file = expand("struct R<'a> { a: &'a Dense<1, 1> }");
    let found = errors(&file);
    assert!(found[0].contains("lifetime parameter"), "{found:?}");
    assert!(found[1].contains("a reference is not a layer"), "{found:?}");
}

/// `#[derive(Zeroable)]` expanded, parsed back.
fn expand_zeroable(source: &str) -> syn::File {
    let input: syn::DeriveInput = syn::parse_str(source).expect("test inputs are valid Rust");
    let output = crate::zeroable::derive(&input);
    syn::parse2(output.clone()).unwrap_or_else(|e| panic!("unparsable expansion ({e}):\n{output}"))
}

#[test]
fn zeroable_bounds_every_field_and_restores_each() {
    for (source, fields) in [
        ("struct Net { a: Dense<2, 4>, b: LeakyRelu<4> }", 2),
        ("struct Pair<T: Scalar>(Dense<1, 1, T>, (Relu<1, T>,));", 2),
        ("struct Raw { r#type: Dense<1, 1> }", 1),
        ("struct Unit;", 0),
    ] {
        let file = expand_zeroable(source);
        assert_eq!(errors(&file), Vec::<String>::new(), "{source}");
        let text = file.to_token_stream().to_string();
        assert!(text.contains("unsafe impl"), "{source}");
        assert_eq!(
            text.matches(": :: typenet :: Zeroable").count(),
            fields,
            "one bound per field: {source}"
        );
        assert_eq!(
            text.matches("restore_defaults (& mut self .").count(),
            fields,
            "{source}"
        );
    }
}

#[test]
fn zeroable_on_an_enum_or_union_is_an_error_never_a_panic() {
    for source in [
        "enum E { A(Dense<1, 1>) }",
        "enum E {}",
        "union U { a: f32 }",
    ] {
        let found = errors(&expand_zeroable(source));
        assert_eq!(found.len(), 1, "{source}: {found:?}");
        assert!(found[0].contains("needs a struct"), "{found:?}");
    }
}
