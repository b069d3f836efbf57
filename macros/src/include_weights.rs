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
    let at_file = |msg: String| syn::Error::new(span, format!("`{}`: {msg}", file.display()));
    let bytes = std::fs::read(&file).map_err(|e| at_file(format!("cannot read it: {e}")))?;
    let array = parse_npy(&bytes).map_err(at_file)?;
    if let Some(index) = array.values.iter().position(|v| !v.is_finite()) {
        return Err(at_file(format!(
            "element {index} is not finite (NaN or infinite)"
        )));
    }
    let npy = quote!(::typenet::weights::npy);
    // The values in the order they are emitted: row by row of the array the code gets.
    let (shape, order): (Vec<usize>, Vec<usize>) = match (array.shape.as_slice(), args.transposed) {
        (&[n], false) => (vec![n], (0..n).collect()),
        // a transposed (R, C) file stands for the (C, R) array
        (&[r, c], true) => (
            vec![c, r],
            (0..c)
                .flat_map(|j| (0..r).map(move |i| i * c + j))
                .collect(),
        ),
        (&[r, c], false) => (vec![r, c], (0..r * c).collect()),
        (&[_], true) => {
            return Err(syn::Error::new(
                span,
                "`transposed` needs a 2-D array, but this file holds a 1-D one",
            ));
        }
        (dims, _) => {
            return Err(at_file(format!(
                "it holds a {}-D array; weights are 2-D and biases 1-D",
                dims.len()
            )));
        }
    };
    let values: Vec<f64> = order.iter().map(|&k| array.values[k]).collect();
    let file_shape = match *shape.as_slice() {
        [n] => quote!(#npy::Array1<#n>),
        [r, c] => quote!(#npy::Array2<#r, #c>),
        _ => unreachable!("shape has rank 1 or 2 here"),
    };
    let impl32 = data_impl(&npy, "f32", &shape, &values, &file);
    let impl64 = data_impl(&npy, "f64", &shape, &values, &file);
    let tracked = file.to_string_lossy().into_owned();
    Ok(quote!({
        // `include_bytes!` makes cargo rebuild when the file changes.
        const _: &[u8] = ::core::include_bytes!(#tracked);
        struct __Npy;
        #impl32
        #impl64
        #npy::embed::<_, #file_shape, __Npy>()
    }))
}

/// `f64` to `f32`, rounding to nearest (beyond f32's range: infinity).
#[allow(clippy::cast_possible_truncation)]
fn to_f32(v: f64) -> f32 {
    v as f32
}

/// `impl VectorData<ty, N>` or `impl MatrixData<ty, R, C>` for `__Npy`, holding `values`.
///
/// Each value is emitted as the shortest literal that reads back as itself in `ty`. An
/// f64 file may hold values beyond f32's range: its f32 constant is then a `panic!`,
/// an error only where an f32 array is actually built from it (constants are lazy).
fn data_impl(
    npy: &TokenStream,
    ty: &str,
    shape: &[usize],
    values: &[f64],
    file: &Path,
) -> TokenStream {
    let t = Ident::new(ty, Span::call_site());
    let row = |vals: &[f64]| {
        let items = vals.iter().map(|&v| match ty {
            "f32" => Literal::f32_unsuffixed(to_f32(v)),
            _ => Literal::f64_unsuffixed(v),
        });
        quote!([#(#items),*])
    };
    let too_big = values
        .iter()
        .position(|&v| ty == "f32" && to_f32(v).is_infinite())
        .map(|k| {
            let msg = format!("`{}`: element {k} is too large for f32", file.display());
            quote!(::core::panic!(#msg))
        });
    match *shape {
        [n] => {
            let body = too_big.unwrap_or_else(|| row(values));
            quote! {
                impl #npy::VectorData<#t, #n> for __Npy {
                    const DATA: [#t; #n] = #body;
                }
            }
        }
        [r, c] => {
            let body = too_big.unwrap_or_else(|| {
                // an (r, 0) array has no values to chunk, but still r empty rows
                let rows: Vec<TokenStream> = if c == 0 {
                    (0..r).map(|_| quote!([])).collect()
                } else {
                    values.chunks(c).map(row).collect()
                };
                quote!([#(#rows),*])
            });
            quote! {
                impl #npy::MatrixData<#t, #r, #c> for __Npy {
                    const DATA: [[#t; #c]; #r] = #body;
                }
            }
        }
        _ => TokenStream::new(),
    }
}

/// An absolute path, or one relative to the crate root (`CARGO_MANIFEST_DIR`); failing
/// that, relative to the directory of the file that invokes the macro.
///
/// The error for a missing file names the package whose root was searched, not that
/// root's absolute path: the message must not depend on where the crate is built (a
/// build in another target directory places trybuild's crate roots elsewhere).
pub(crate) fn resolve(path: &str, span: Span) -> syn::Result<PathBuf> {
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
        let package = std::env::var("CARGO_PKG_NAME").unwrap_or_default();
        tried.push(format!("in the root of package `{package}`"));
    }
    if let Some(dir) = span.unwrap().local_file().as_deref().and_then(Path::parent) {
        let candidate = dir.join(given);
        if candidate.is_file() {
            return Ok(candidate);
        }
        tried.push(format!("in `{}`", dir.display()));
    }
    Err(syn::Error::new(
        span,
        format!(
            "`{path}` not found (looked {}); the path is relative to the crate root",
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
        [1, 0, rest @ ..] if rest.len() >= 2 => {
            let (len, rest) = rest.split_at(2);
            let len = u16::from_le_bytes(len.try_into().unwrap_or_default());
            (usize::from(len), rest)
        }
        [2 | 3, 0, rest @ ..] if rest.len() >= 4 => {
            let (len, rest) = rest.split_at(4);
            let len = u32::from_le_bytes(len.try_into().unwrap_or_default());
            (usize::try_from(len).map_err(|_| "header too long")?, rest)
        }
        [major @ 1..=3, 0, ..] => {
            return Err(format!("file ends inside the version {major}.0 preamble"));
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
    let values = if width == 4 {
        data.chunks_exact(4)
            .map(|c| f64::from(f32::from_le_bytes(c.try_into().unwrap_or_default())))
            .collect()
    } else {
        data.chunks_exact(8)
            .map(|c| f64::from_le_bytes(c.try_into().unwrap_or_default()))
            .collect()
    };
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

#[cfg(test)]
mod tests {
    use super::*;

    fn example(name: &str) -> Vec<u8> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../examples/npy")
            .join(name);
        std::fs::read(root).unwrap()
    }

    #[test]
    fn reads_the_example_files() {
        let w = parse_npy(&example("hidden_weight.npy")).unwrap();
        assert_eq!(w.shape, [3, 2]);
        assert_eq!(w.values.len(), 6);
        let e = parse_npy(&example("expected.npy")).unwrap();
        assert_eq!(e.shape, [4, 1]);
        // XOR outputs: low, high, high, low
        assert!(e.values[0] < 0.5 && e.values[1] > 0.5 && e.values[2] > 0.5 && e.values[3] < 0.5);
        let k = parse_npy(&example("out_kernel.npy")).unwrap();
        let o = parse_npy(&example("out_weight.npy")).unwrap();
        assert_eq!(
            (k.shape.as_slice(), o.shape.as_slice()),
            (&[3, 1][..], &[1, 3][..])
        );
        assert_eq!(k.values, o.values); // a (3, 1) and a (1, 3) hold the same sequence
    }

    /// The compile-time parser must not panic (a panic would be an unreadable compile
    /// error): random mutations of a real file, counted.
    #[test]
    fn mutated_files_never_panic() {
        const SET: &[u8] = b"\x93NUMPY{}():,' <f48";
        const INSERT: &[u8] = b"(),:'{} 0123456789TrueFalse";
        let good = example("hidden_weight.npy");
        let mut state = 0x5eed_u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            usize::try_from(state >> 40).unwrap_or(0)
        };
        let (n, mut accepted) = (50_000, 0);
        for _ in 0..n {
            let mut b = good.clone();
            for _ in 0..=next() % 4 {
                let i = next() % b.len();
                match next() % 3 {
                    0 => b[i] = SET[next() % SET.len()],
                    1 => b.truncate(i),
                    _ => b.insert(i, INSERT[next() % INSERT.len()]),
                }
                if b.is_empty() {
                    break;
                }
            }
            if let Ok(a) = parse_npy(&b) {
                accepted += 1;
                assert_eq!(a.values.len(), a.shape.iter().product::<usize>());
            }
        }
        assert!(accepted > 0 && accepted < n, "{accepted} of {n}");
    }

    #[test]
    fn argument_errors_are_spanned_messages() {
        let err = syn::parse2::<Args>(quote!("w.npy", transpose))
            .err()
            .unwrap();
        assert!(err.to_string().contains("expected `transposed`"));
        assert!(
            syn::parse2::<Args>(quote!("w.npy", transposed,))
                .unwrap()
                .transposed
        );
        assert!(syn::parse2::<Args>(quote!(w)).is_err());
        let err = syn::parse2::<Args>(quote!("w.npy", transposed, 3))
            .err()
            .unwrap();
        assert!(err.to_string().contains("unexpected tokens"));
    }
}
