//! `include_tflite!`: a `.tflite` file as a typed network, at compile time.
//!
//! ```text
//! include_tflite! {
//!     /// docs
//!     pub struct Xor: [f32; 2] -> [f32; 1] = "models/xor.tflite";
//! }
//! ```
//!
//! expands to a `#[derive(Network)]` struct with one field per layer (`op0_dense`,
//! `op0_relu` for a fused activation, `op1_sigmoid`, …) and a `const fn new()` holding
//! the file's weights as literals, so `static XOR: Xor = Xor::new();` lives in flash.
//!
//! [`flatbuf`] reads FlatBuffers (bounds-checked, no dependency), [`model`] the tables of
//! TFLite's schema that importing needs, [`import`] turns the first subgraph into layers.

// "TFLite", "FlatBuffers": product names in prose, not code.
#![allow(clippy::doc_markdown)]

mod conv;
pub mod flatbuf;
mod graph;
pub mod import;
pub mod int8;
pub mod model;
mod ops;
#[cfg(test)]
mod tests;

use import::{Layer, Network};
use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::parse::{Parse, ParseStream};
use syn::spanned::Spanned;
use syn::{Attribute, Expr, ExprLit, Ident, Lit, LitStr, Token, Type, Visibility};

struct Args {
    attrs: Vec<Attribute>,
    vis: Visibility,
    name: Ident,
    signature: Option<(Type, Type)>,
    path: LitStr,
}

impl Parse for Args {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let vis: Visibility = input.parse()?;
        input.parse::<Token![struct]>()?;
        let name: Ident = input.parse()?;
        let signature = if input.parse::<Option<Token![:]>>()?.is_some() {
            let from: Type = input.parse()?;
            input.parse::<Token![->]>()?;
            let to: Type = input.parse()?;
            Some((from, to))
        } else {
            None
        };
        input.parse::<Token![=]>()?;
        let path: LitStr = input.parse()?;
        input.parse::<Option<Token![;]>>()?;
        if !input.is_empty() {
            return Err(input.error(
                "unexpected tokens: one `pub struct Name: [f32; I] -> [f32; O] = \"file.tflite\";`",
            ));
        }
        Ok(Self {
            attrs,
            vis,
            name,
            signature,
            path,
        })
    }
}

/// The macro's expansion, or a spanned compile error.
pub fn expand(input: TokenStream) -> TokenStream {
    match syn::parse2::<Args>(input).and_then(|args| expand_args(&args)) {
        Ok(tokens) => tokens,
        Err(e) => e.to_compile_error(),
    }
}

/// Reads and imports a `.tflite` file's bytes.
pub fn import_bytes(bytes: &[u8]) -> Result<Network, String> {
    let model = model::read(bytes)?;
    import::import(&model)
}

fn expand_args(args: &Args) -> syn::Result<TokenStream> {
    let span = args.path.span();
    let written = args.path.value();
    let file = crate::include_weights::resolve(&written, span)?;
    // Messages name the file as the user knows it: its name.
    let shown = std::path::Path::new(&written)
        .file_name()
        .map_or_else(|| written.clone(), |f| f.to_string_lossy().into_owned());
    let at_file = |msg: String| syn::Error::new(span, format!("`{shown}`: {msg}"));
    let bytes = std::fs::read(&file).map_err(|e| at_file(format!("cannot read it: {e}")))?;
    if let Some(tokens) = expand_int8(args, &shown, &file, &bytes)? {
        return Ok(tokens);
    }
    let net = import_bytes(&bytes).map_err(at_file)?;
    let name = &args.name;
    let mut checks = TokenStream::new();
    if let Some((from, to)) = &args.signature {
        let dims = |n: usize, img: Option<(usize, usize, usize)>| {
            img.map_or_else(|| vec![n], |(h, w, c)| vec![h, w, c])
        };
        let input = check_declared(
            &shown,
            name,
            from,
            &dims(net.inputs, net.input_image),
            true,
            "takes",
            "",
        );
        let output = check_declared(
            &shown,
            name,
            to,
            &dims(net.outputs, net.output_image),
            true,
            "returns",
            " as its output",
        );
        match (input, output) {
            (Ok(a), Ok(b)) => checks.extend([a, b]),
            (Err(mut a), Err(b)) => {
                a.combine(b);
                return Err(a);
            }
            (Err(e), _) | (_, Err(e)) => return Err(e),
        }
    }
    let tracked = file.to_string_lossy().into_owned();
    let mut tokens = emit(args, &shown, &tracked, &net);
    tokens.extend(checks);
    Ok(tokens)
}

/// An int8 model's expansion (`None` for a float32 model).
fn expand_int8(
    args: &Args,
    shown: &str,
    file: &std::path::Path,
    bytes: &[u8],
) -> syn::Result<Option<TokenStream>> {
    let at_file = |msg: String| syn::Error::new(args.path.span(), format!("`{shown}`: {msg}"));
    let model = model::read(bytes).map_err(at_file)?;
    if !int8::is_int8(&model) {
        return Ok(None);
    }
    let net = int8::import(&model).map_err(at_file)?;
    let name = &args.name;
    let mut checks = TokenStream::new();
    if let Some((from, to)) = &args.signature {
        let input = check_declared(
            shown,
            name,
            from,
            &net.input_image
                .map_or_else(|| vec![net.inputs.0], |(h, w, c)| vec![h, w, c]),
            net.inputs.1,
            "takes",
            "",
        );
        let output = check_declared(
            shown,
            name,
            to,
            &net.output_image
                .map_or_else(|| vec![net.outputs.0], |(h, w, c)| vec![h, w, c]),
            net.outputs.1,
            "returns",
            " as its output",
        );
        match (input, output) {
            (Ok(a), Ok(b)) => checks.extend([a, b]),
            (Err(mut a), Err(b)) => {
                a.combine(b);
                return Err(a);
            }
            (Err(e), _) | (_, Err(e)) => return Err(e),
        }
    }
    let tracked = file.to_string_lossy().into_owned();
    let mut tokens = int8::emit(&args.attrs, &args.vis, name, shown, &tracked, &net);
    tokens.extend(checks);
    Ok(Some(tokens))
}

/// The array type of these dimensions (outermost first): `[f32; 8]`, `[[[f32; 1]; 8]; 8]`.
fn array_text(dims: &[usize], elem: &str) -> String {
    dims.iter()
        .rev()
        .fold(elem.to_owned(), |t, d| format!("[{t}; {d}]"))
}

/// Compares a declared `[f32; N]` or `[i8; N]` (or an image's `[[[f32; C]; W]; H]`) with the file's
/// dimensions `dims` (`[n]`, or `[h, w, c]`).
fn check_declared(
    shown: &str,
    name: &Ident,
    declared: &Type,
    dims: &[usize],
    float: bool,
    verb: &str,
    role: &str,
) -> syn::Result<TokenStream> {
    let (_, elem, word) = int8::elem(float);
    let n: usize = dims.iter().product();
    let expected = array_text(dims, elem);
    let what = if let [h, w, c] = dims {
        format!("an image of {h}×{w}×{c} {word} values (height × width × channels: `{expected}`)")
    } else {
        let values = if n == 1 { "value" } else { "values" };
        format!("{n} {word} {values}")
    };
    let text = quote!(#declared).to_string().replace(" ;", ";");
    let mismatch = || {
        syn::Error::new(
            declared.span(),
            format!("`{shown}` {verb} {what}, but `{name}` declares `{text}`{role}"),
        )
    };
    let mut checks = TokenStream::new();
    let mut ty = declared;
    for (level, &d) in dims.iter().enumerate() {
        let Type::Array(array) = ty else {
            if level == 0 {
                return Err(syn::Error::new(
                    declared.span(),
                    format!(
                        "declare the {} as an array, `{expected}`",
                        if role.is_empty() { "input" } else { "output" }
                    ),
                ));
            }
            return Err(mismatch());
        };
        match &array.len {
            Expr::Lit(ExprLit {
                lit: Lit::Int(len), ..
            }) => match len.base10_parse::<usize>() {
                Ok(m) if m == d => {}
                _ => return Err(mismatch()),
            },
            // A constant the macro cannot evaluate: the compiler compares it, with the
            // same words.
            other => {
                let msg = mismatch().to_string();
                checks.extend(quote_spanned!(other.span()=> const _: () = ::core::assert!((#other) == #d, "{}", #msg);));
            }
        }
        ty = &array.elem;
    }
    let is_f32 = matches!(ty, Type::Path(p) if p.qself.is_none() && p.path.is_ident(elem));
    if !is_f32 {
        return Err(mismatch());
    }
    Ok(checks)
}

fn lit(v: f32) -> Literal {
    Literal::f32_unsuffixed(v)
}

/// The field name and type of one layer.
fn field(step: &import::Step) -> (Ident, TokenStream) {
    let (kind, ty) = layer_type(&step.layer);
    (format_ident!("op{}_{}", step.op, kind), ty)
}

fn pad(same: bool) -> TokenStream {
    if same {
        quote!(::typenet::Same)
    } else {
        quote!(::typenet::Valid)
    }
}

/// A layer's kind (for its field's name) and its type, every size written out.
fn layer_type(layer: &Layer) -> (&'static str, TokenStream) {
    match layer {
        Layer::Dense { i, o, .. } => ("dense", quote!(::typenet::Dense<#i, #o>)),
        Layer::Relu(n) => ("relu", quote!(::typenet::Relu<#n>)),
        Layer::LeakyRelu(n, _) => ("leaky_relu", quote!(::typenet::LeakyRelu<#n>)),
        Layer::Sigmoid(n) => ("sigmoid", quote!(::typenet::Sigmoid<#n>)),
        Layer::Tanh(n) => ("tanh", quote!(::typenet::Tanh<#n>)),
        Layer::Softmax(n) => ("softmax", quote!(::typenet::Softmax<#n>)),
        Layer::Relu6(n) => ("relu6", quote!(::typenet::Relu6<#n>)),
        Layer::Conv2d { win, o, .. } => {
            let import::Window {
                h,
                w,
                c,
                kh,
                kw,
                sh,
                sw,
                oh,
                ow,
                ..
            } = *win;
            let p = pad(win.same);
            (
                "conv2d",
                quote!(::typenet::Conv2d<#h, #w, #c, #o, #kh, #kw, #sh, #sw, #p, #oh, #ow>),
            )
        }
        Layer::Depthwise { win, m, .. } => {
            let import::Window {
                h,
                w,
                c,
                kh,
                kw,
                sh,
                sw,
                oh,
                ow,
                ..
            } = *win;
            let p = pad(win.same);
            let cm = c * m;
            (
                "depthwise",
                quote!(::typenet::DepthwiseConv2d<#h, #w, #c, #m, #kh, #kw, #sh, #sw, #p, #oh, #ow, #cm>),
            )
        }
        Layer::Pool { win, max } => {
            let import::Window {
                h,
                w,
                c,
                kh,
                kw,
                sh,
                sw,
                oh,
                ow,
                ..
            } = *win;
            let p = pad(win.same);
            let (kind, name) = if *max {
                ("max_pool", format_ident!("MaxPool2d"))
            } else {
                ("avg_pool", format_ident!("AvgPool2d"))
            };
            (
                kind,
                quote!(::typenet::#name<#h, #w, #c, #kh, #kw, #sh, #sw, #p, #oh, #ow>),
            )
        }
        Layer::GlobalAvgPool { h, w, c } => (
            "global_avg_pool",
            quote!(::typenet::GlobalAvgPool2d<#h, #w, #c>),
        ),
        Layer::Flatten { h, w, c } => {
            let n = h * w * c;
            ("flatten", quote!(::typenet::Flatten<#h, #w, #c, #n>))
        }
        Layer::PerPixel { h, w, inner } => {
            let (kind, ty) = layer_type(inner);
            (kind, quote!(::typenet::PerPixel<#ty, #h, #w>))
        }
        Layer::Residual(block) => {
            let block = steps_type(block);
            ("residual", quote!(::typenet::Residual<#block>))
        }
        Layer::Parallel(a, b) => {
            let (a, b) = (steps_type(a), steps_type(b));
            ("parallel", quote!(::typenet::Parallel<#a, #b>))
        }
    }
}

/// Nested array literals of `values` with these dimensions (outermost first).
fn nested(values: &[f32], dims: &[usize]) -> TokenStream {
    match dims {
        [] | [_] => {
            let v = values.iter().map(|&v| lit(v));
            quote!([#(#v),*])
        }
        [_, rest @ ..] => {
            let inner: usize = rest.iter().product();
            let rows = values.chunks(inner.max(1)).map(|c| nested(c, rest));
            quote!([#(#rows),*])
        }
    }
}

fn value(layer: &Layer) -> TokenStream {
    match layer {
        Layer::Dense {
            i, weights, bias, ..
        } => {
            let rows = weights.chunks(*i).map(|row| {
                let row = row.iter().map(|&v| lit(v));
                quote!([#(#row),*])
            });
            let bias = bias.iter().map(|&v| lit(v));
            quote!(::typenet::Dense::new([#(#rows),*], [#(#bias),*]))
        }
        Layer::Relu(_) => quote!(::typenet::Relu::new()),
        Layer::LeakyRelu(_, alpha) => {
            let alpha = lit(*alpha);
            quote!(::typenet::LeakyRelu::with_slope(#alpha))
        }
        Layer::Sigmoid(_) => quote!(::typenet::Sigmoid::new()),
        Layer::Tanh(_) => quote!(::typenet::Tanh::new()),
        Layer::Softmax(_) => quote!(::typenet::Softmax::new()),
        Layer::Relu6(_) => quote!(::typenet::Relu6::new()),
        Layer::Conv2d {
            win,
            o,
            weights,
            bias,
        } => {
            let w = nested(weights, &[*o, win.kh, win.kw, win.c]);
            let b = nested(bias, &[*o]);
            quote!(::typenet::Conv2d::new(#w, #b))
        }
        Layer::Depthwise {
            win,
            m,
            weights,
            bias,
        } => {
            let w = nested(weights, &[win.kh, win.kw, win.c * m]);
            let b = nested(bias, &[win.c * m]);
            quote!(::typenet::DepthwiseConv2d::new(#w, #b))
        }
        Layer::Pool { max: true, .. } => quote!(::typenet::MaxPool2d::new()),
        Layer::Pool { max: false, .. } => quote!(::typenet::AvgPool2d::new()),
        Layer::GlobalAvgPool { .. } => quote!(::typenet::GlobalAvgPool2d::new()),
        Layer::Flatten { .. } => quote!(::typenet::Flatten::new()),
        Layer::PerPixel { inner, .. } => {
            let inner = value(inner);
            quote!(::typenet::PerPixel::new(#inner))
        }
        Layer::Residual(block) => {
            let block = steps_value(block);
            quote!(::typenet::Residual::new(#block))
        }
        Layer::Parallel(a, b) => {
            let (a, b) = (steps_value(a), steps_value(b));
            quote!(::typenet::Parallel::new(#a, #b))
        }
    }
}

/// The type of a branch's layers: one layer, or a tuple of them.
fn steps_type(steps: &[import::Step]) -> TokenStream {
    graph::tuple(steps.iter().map(|s| layer_type(&s.layer).1).collect())
}

/// The value of a branch's layers.
fn steps_value(steps: &[import::Step]) -> TokenStream {
    graph::tuple(steps.iter().map(|s| value(&s.layer)).collect())
}

fn emit(args: &Args, shown: &str, tracked: &str, net: &Network) -> TokenStream {
    let Args {
        attrs, vis, name, ..
    } = args;
    let (idents, types): (Vec<Ident>, Vec<TokenStream>) = net.steps.iter().map(field).unzip();
    let values = net.steps.iter().map(|s| value(&s.layer));
    let docs = net.steps.iter().zip(&types).map(|(s, ty)| {
        let what = if s.fused {
            format!(
                "Operator {} ({})'s fused activation: `{}`.",
                s.op,
                s.op_name,
                ty.to_string().replace(' ', "")
            )
        } else {
            format!(
                "Operator {} ({}): `{}`.",
                s.op,
                s.op_name,
                ty.to_string().replace(' ', "")
            )
        };
        quote!(#[doc = #what])
    });
    let new_doc = format!("The network of `{shown}`, its weights as constants.");
    let (i, o) = (net.inputs, net.outputs);
    let shape = |n: usize, img: Option<(usize, usize, usize)>| {
        img.map_or_else(|| n.to_string(), |(h, w, c)| format!("{h}×{w}×{c}"))
    };
    let (i, o) = (shape(i, net.input_image), shape(o, net.output_image));
    let type_doc =
        format!("Imported from `{shown}` by `include_tflite!`: {i} float32 inputs, {o} outputs.");
    quote! {
        #(#attrs)*
        #[doc = ""]
        #[doc = #type_doc]
        #[derive(::typenet::Network, Clone, Copy, PartialEq, Debug)]
        #vis struct #name {
            #( #docs pub #idents: #types, )*
        }

        impl #name {
            #[doc = #new_doc]
            pub const fn new() -> Self {
                // `include_bytes!` makes cargo rebuild when the file changes.
                const _: &[u8] = ::core::include_bytes!(#tracked);
                // Evaluated once, while compiling; `new` copies the value. (As a
                // struct expression in `new`'s body, the optimizer would work through
                // every weight: a minute for a 300 KB model in a release build.)
                const NETWORK: #name = #name { #( #idents: #values, )* };
                NETWORK
            }
        }

        impl ::core::default::Default for #name {
            fn default() -> Self {
                Self::new()
            }
        }
    }
}
