//! `include_weights!("path.npy")`: a `.npy` array as a `const` array literal.
//!
//! The macro reads the file while compiling, and expands to
//! `::typenet::weights::npy::Array2::<R, C>::included(0.0, [[...], ...])` (or `Array1`),
//! a `const fn` whose where-clause compares the file's shape `(R, C)` with the shape the
//! surrounding code expects. A mismatch is therefore reported by the type checker, with
//! both shapes, through that trait's `on_unimplemented` message; the macro itself only
//! reports what it alone can know (a missing or malformed file).
//!
//! This parser is a second, `std`-based implementation of the one in
//! `typenet::weights::npy`: a proc-macro crate cannot depend on the crate it serves.

use proc_macro2::{Literal, Span, TokenStream};
use quote::quote;
use std::path::{Path, PathBuf};
use syn::parse::{Parse, ParseStream};
use syn::{Ident, LitStr, Token};

struct Args {
    path: LitStr,
    transposed: bool,
}

impl Parse for Args {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let path: LitStr = input.parse()?;
        let mut transposed = false;
        if input.parse::<Option<Token![,]>>()?.is_some() && !input.is_empty() {
            let flag: Ident = input.parse()?;
            if flag != "transposed" {
                return Err(syn::Error::new(
                    flag.span(),
                    "expected `transposed` (the only option) after the path",
                ));
            }
            transposed = true;
            input.parse::<Option<Token![,]>>()?;
        }
        if !input.is_empty() {
            return Err(input.error("unexpected tokens after the arguments"));
        }
        Ok(Self { path, transposed })
    }
}

/// The macro's expansion, or a spanned compile error.
pub fn expand(input: TokenStream) -> TokenStream {
    match syn::parse2::<Args>(input).and_then(|args| expand_args(&args)) {
        Ok(tokens) => tokens,
        Err(e) => e.to_compile_error(),
    }
}

fn expand_args(args: &Args) -> syn::Result<TokenStream> {
    let span = args.path.span();
    let file = resolve(&args.path.value(), span)?;
    let bytes = std::fs::read(&file)
        .map_err(|e| syn::Error::new(span, format!("cannot read `{}`: {e}", file.display())))?;
    let array = parse_npy(&bytes)
        .map_err(|e| syn::Error::new(span, format!("`{}`: {e}", file.display())))?;
    if let Some(index) = array.values.iter().position(|v| !v.is_finite()) {
        return Err(syn::Error::new(
            span,
            format!(
                "`{}`: element {index} is not finite (NaN or infinite)",
                file.display()
            ),
        ));
    }
    let tracked = file.to_string_lossy().into_owned();
    let npy = quote!(::typenet::weights::npy);
    // The values as literals of one scalar type: an exact f64 literal is also the exact
    // value of an f32 file's element in an f32 constant.
    let literals = |ty: &str| -> Vec<Literal> {
        let order: Vec<usize> = match (array.shape.as_slice(), args.transposed) {
            (&[r, c], true) => (0..c)
                .flat_map(|j| (0..r).map(move |i| i * c + j))
                .collect(),
            _ => (0..array.values.len()).collect(),
        };
        order
            .into_iter()
            .map(|k| match ty {
                "f32" => Literal::f32_unsuffixed(array.values[k] as f32),
                _ => Literal::f64_unsuffixed(array.values[k]),
            })
            .collect()
    };
    let (file_shape, data_impls) = match (array.shape.as_slice(), args.transposed) {
        (&[n], false) => {
            let impls = ["f32", "f64"].map(|ty| {
                let t = Ident::new(ty, Span::call_site());
                let items = literals(ty);
                quote! {
                    impl #npy::VectorData<#t, #n> for __Npy {
                        const DATA: [#t; #n] = [#(#items),*];
                    }
                }
            });
            (quote!(#npy::Array1<#n>), impls)
        }
        (&[_], true) => {
            return Err(syn::Error::new(
                span,
                "`transposed` needs a 2-D array, but this file holds a 1-D one",
            ));
        }
        (&[r, c], transposed) => {
            // a transposed (R, C) file stands for the (C, R) array
            let (rows, cols) = if transposed { (c, r) } else { (r, c) };
            let impls = ["f32", "f64"].map(|ty| {
                let t = Ident::new(ty, Span::call_site());
                let items = literals(ty);
                let row_tokens = items.chunks(cols.max(1)).map(|row| quote!([#(#row),*]));
                // a (rows, 0) array has no items to chunk
                let row_tokens: Vec<TokenStream> = if cols == 0 {
                    (0..rows).map(|_| quote!([])).collect()
                } else {
                    row_tokens.collect()
                };
                quote! {
                    impl #npy::MatrixData<#t, #rows, #cols> for __Npy {
                        const DATA: [[#t; #cols]; #rows] = [#(#row_tokens),*];
                    }
                }
            });
            (quote!(#npy::Array2<#rows, #cols>), impls)
        }
        (dims, _) => {
            return Err(syn::Error::new(
                span,
                format!(
                    "`{}` holds a {}-D array; weights are 2-D and biases 1-D",
                    file.display(),
                    dims.len()
                ),
            ));
        }
    };
    let [impl32, impl64] = data_impls;
    Ok(quote!({
        // `include_bytes!` makes cargo rebuild when the file changes.
        const _: &[u8] = ::core::include_bytes!(#tracked);
        struct __Npy;
        #impl32
        #impl64
        #npy::embed::<_, #file_shape, __Npy>()
    }))
}

/// An absolute path, or one relative to the crate root (`CARGO_MANIFEST_DIR`); failing
/// that, relative to the directory of the file that invokes the macro.
fn resolve(path: &str, span: Span) -> syn::Result<PathBuf> {
    let given = Path::new(path);
    if given.is_absolute() {
        return Ok(given.to_path_buf());
    }
    let mut tried = Vec::new();
    if let Ok(root) = std::env::var("CARGO_MANIFEST_DIR") {
        let candidate = Path::new(&root).join(given);
        if candidate.is_file() {
            return Ok(candidate);
        }
        tried.push(candidate);
    }
    if let Some(dir) = span.unwrap().local_file().as_deref().and_then(Path::parent) {
        let candidate = dir.join(given);
        if candidate.is_file() {
            return Ok(candidate);
        }
        tried.push(candidate);
    }
    let tried: Vec<String> = tried.iter().map(|p| format!("`{}`", p.display())).collect();
    Err(syn::Error::new(
        span,
        format!(
            "`{path}` not found (looked for {}); the path is relative to the crate root",
            tried.join(" and ")
        ),
    ))
}

struct NpyArray {
    shape: Vec<usize>,
    values: Vec<f64>,
}

/// Parses a `.npy` file of `'<f4'` or `'<f8'`, C order, format 1.0, 2.0 or 3.0.
fn parse_npy(bytes: &[u8]) -> Result<NpyArray, String> {
    let rest = bytes
        .strip_prefix(b"\x93NUMPY")
        .ok_or("not a .npy file (no \\x93NUMPY magic)")?;
    let (header_len, rest) = match rest {
        [1, 0, a, b, rest @ ..] => (usize::from(u16::from_le_bytes([*a, *b])), rest),
        [2 | 3, 0, a, b, c, d, rest @ ..] => {
            let n = u32::from_le_bytes([*a, *b, *c, *d]);
            (usize::try_from(n).map_err(|_| "header too long")?, rest)
        }
        [major, minor, ..] => return Err(format!("unsupported .npy version {major}.{minor}")),
        _ => return Err("file ends inside the preamble".into()),
    };
    if rest.len() < header_len {
        return Err("file ends inside the header".into());
    }
    let (header, data) = rest.split_at(header_len);
    let header = std::str::from_utf8(header).map_err(|_| "header is not text")?;
    let dict = header
        .trim()
        .strip_prefix('{')
        .and_then(|h| h.strip_suffix('}'))
        .ok_or("header is not a dictionary")?;
    let descr = value_of(dict, "descr")?;
    let width = match descr.trim_matches(|c| c == '\'' || c == '"') {
        "<f4" => 4,
        "<f8" => 8,
        other => {
            return Err(format!(
                "dtype `{other}` is not supported: save as little-endian float32 ('<f4') or float64 ('<f8')"
            ));
        }
    };
    if value_of(dict, "fortran_order")? != "False" {
        return Err("the array is in Fortran order: save it with np.ascontiguousarray".into());
    }
    let shape_text = value_of(dict, "shape")?;
    let inner = shape_text
        .strip_prefix('(')
        .and_then(|s| s.strip_suffix(')'))
        .ok_or("shape is not a tuple")?;
    let shape = inner
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<usize>()
                .map_err(|_| format!("bad dimension `{s}`"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let count = shape
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .ok_or("shape too large")?;
    if Some(data.len()) != count.checked_mul(width) {
        return Err(format!(
            "data has {} bytes, but shape and dtype need {}",
            data.len(),
            count.saturating_mul(width)
        ));
    }
    let values = data
        .chunks_exact(width)
        .map(|c| match *c {
            [a, b, c, d] => f64::from(f32::from_le_bytes([a, b, c, d])),
            [a, b, c, d, e, f, g, h] => f64::from_le_bytes([a, b, c, d, e, f, g, h]),
            _ => unreachable!("chunks are 4 or 8 bytes"),
        })
        .collect();
    Ok(NpyArray { shape, values })
}

/// The text of a key's value in the header dictionary: up to the next `,` outside
/// parentheses.
fn value_of<'a>(dict: &'a str, key: &str) -> Result<&'a str, String> {
    let missing = || format!("header has no '{key}'");
    let at = dict
        .find(&format!("'{key}'"))
        .or_else(|| dict.find(&format!("\"{key}\"")))
        .ok_or_else(missing)?;
    let after = dict[at + key.len() + 2..].trim_start();
    let value = after.strip_prefix(':').ok_or_else(missing)?.trim_start();
    let mut depth = 0usize;
    let end = value
        .char_indices()
        .find(|&(_, ch)| match ch {
            '(' => {
                depth += 1;
                false
            }
            ')' => {
                depth = depth.saturating_sub(1);
                false
            }
            ',' => depth == 0,
            _ => false,
        })
        .map_or(value.len(), |(i, _)| i);
    Ok(value[..end].trim())
}
