//! Quantized (int8) models as networks of `typenet::quant`'s int8 layers.
//!
//! The layers' integer parameters (Q31 multipliers, shifts, clamps, the softmax's
//! scaling) are prepared here, at compile time, exactly as TFLite's `Prepare` functions
//! do and as `typenet::quant` does at run time (`f64` products of the `f32` scales,
//! `QuantizeMultiplier`, `CalculateActivationRangeQuantized`, `PreprocessSoftmaxScaling`),
//! and emitted as literals for the float-free `const fn from_prepared` constructors.

use super::conv::{self, Img};
use super::graph::{Join, Joins};
use super::import::{Window, count};
use super::model::{Model, Operator, Options, Tensor, dtype};
use super::ops;
use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

/// TFLite's `INT32` tensor type.
const INT32: i8 = 2;

/// Operators an int8 model may hold.
pub const SUPPORTED: &[&str] = &[
    "QUANTIZE",
    "FULLY_CONNECTED",
    "SOFTMAX",
    "LOGISTIC",
    "TANH",
    "DEQUANTIZE",
    "RESHAPE",
    "CONV_2D",
    "DEPTHWISE_CONV_2D",
    "AVERAGE_POOL_2D",
    "MAX_POOL_2D",
    "ADD",
];

/// One int8 layer with its prepared values.
#[derive(Debug, PartialEq)]
pub enum QLayer {
    /// `Quantize<n>`: f32 → i8.
    Quantize {
        /// Values.
        n: usize,
        /// Output scale.
        scale: f32,
        /// Output zero point.
        zero_point: i32,
    },
    /// `QDense<i, o>`.
    Dense {
        /// Inputs.
        i: usize,
        /// Outputs.
        o: usize,
        /// `o · i` weight codes, row by row.
        weights: Vec<i8>,
        /// `o` biases (steps of `s_in · s_w[o]`).
        bias: Vec<i32>,
        /// Per output: Q31 multiplier.
        multiplier: Vec<i32>,
        /// Per output: shift.
        shift: Vec<i32>,
        /// Input and output zero points.
        zero_points: (i32, i32),
        /// Output clamp.
        clamp: (i32, i32),
    },
    /// `QSoftmax<n>`.
    Softmax {
        /// Values.
        n: usize,
        /// `(input_multiplier, input_left_shift, diff_min)`.
        prepared: (i32, i32, i32),
    },
    /// `QTable<n>`: LOGISTIC or TANH as the 256-entry table TFLite's int8 kernels fill.
    Table {
        /// Values.
        n: usize,
        /// `"logistic"` or `"tanh"`.
        kind: &'static str,
        /// Output code by input code's bits.
        table: Vec<i8>,
    },
    /// `QConv2d` (`m == 0`) or `QDepthwiseConv2d` (depth multiplier `m`).
    Conv {
        /// The window: input image, kernel, strides, padding, output size.
        win: Window,
        /// Depth multiplier of a depthwise convolution; 0 for CONV_2D.
        m: usize,
        /// Output channels.
        o: usize,
        /// The filter codes in TFLite's order (`[o, kh, kw, c]` or `[1, kh, kw, c·m]`).
        weights: Vec<i8>,
        /// `o` biases.
        bias: Vec<i32>,
        /// Per output channel: Q31 multiplier.
        multiplier: Vec<i32>,
        /// Per output channel: shift.
        shift: Vec<i32>,
        /// Input and output zero points.
        zero_points: (i32, i32),
        /// Output clamp.
        clamp: (i32, i32),
    },
    /// `QAvgPool2d` or `QMaxPool2d`: input and output share one quantization.
    Pool {
        /// The window.
        win: Window,
        /// Max (else average).
        max: bool,
        /// The zero point of the input and output.
        zero_point: i32,
        /// Output clamp.
        clamp: (i32, i32),
    },
    /// `QSkip<block>`: `x + block(x)`.
    Skip {
        /// The block's layers.
        block: Vec<QStep>,
        /// The sum's prepared values, `x` first.
        add: AddPrep,
    },
    /// `QParallel<a, b>`: `a(x) + b(x)`.
    Parallel {
        /// The first branch.
        a: Vec<QStep>,
        /// The second branch.
        b: Vec<QStep>,
        /// The sum's prepared values, `a` first.
        add: AddPrep,
    },
    /// `QFlatten<h, w, c, h·w·c>`: an image as a vector, before a FULLY_CONNECTED.
    Flatten {
        /// The image.
        img: Img,
    },
    /// `Dequantize<n>`: i8 → f32.
    Dequantize {
        /// Values.
        n: usize,
        /// Input scale.
        scale: f32,
        /// Input zero point.
        zero_point: i32,
    },
}

/// An int8 ADD's values as TFLite's `Prepare` computes them.
#[derive(Debug, PartialEq)]
pub struct AddPrep {
    /// Zero points: first input, second input, output.
    pub zero_points: (i32, i32, i32),
    /// `(multiplier, shift)` of each input.
    pub inputs: ((i32, i32), (i32, i32)),
    /// `(multiplier, shift)` of the sum.
    pub output: (i32, i32),
    /// Output clamp.
    pub clamp: (i32, i32),
}

/// TFLite's int8 `ADD` preparation (`add.cc`): both inputs to twice the larger scale with
/// 20 bits of headroom, `QuantizeMultiplierSmallerThanOneExp` of each ratio.
fn add_prep(
    at: &str,
    (s1, z1): (f32, i32),
    (s2, z2): (f32, i32),
    (so, zo): (f32, i32),
    act: i8,
) -> Result<AddPrep, String> {
    let twice_max = 2.0 * f64::from(s1.max(s2));
    let smaller = |m: f64| -> Result<(i32, i32), String> {
        let (q, e) = quantize_multiplier(m).map_err(|e| format!("{at}: {e}"))?;
        if e > 0 {
            return Err(format!(
                "{at}: its output scale {so} is below 2·{} / 2^20, which TFLite's int8 ADD refuses",
                s1.max(s2)
            ));
        }
        Ok((q, e))
    };
    Ok(AddPrep {
        zero_points: (z1, z2, zo),
        inputs: (
            smaller(f64::from(s1) / twice_max)?,
            smaller(f64::from(s2) / twice_max)?,
        ),
        output: smaller(twice_max / (f64::from(1u32 << 20) * f64::from(so)))?,
        clamp: clamp(act, so, zo, at)?,
    })
}

/// One layer and its operator.
#[derive(Debug, PartialEq)]
pub struct QStep {
    /// The operator's index.
    pub op: usize,
    /// The operator's name.
    pub op_name: String,
    /// The layer.
    pub layer: QLayer,
}

/// An imported int8 network.
#[derive(Debug, PartialEq)]
pub struct QNetwork {
    /// Number of inputs, and whether they are float32 (else int8 codes).
    pub inputs: (usize, bool),
    /// The input as an image, when the model is an image model or reshapes its input
    /// into one before anything else (the network then takes that image).
    pub input_image: Option<Img>,
    /// Number of outputs, and whether they are float32.
    pub outputs: (usize, bool),
    /// The output as an image, for a model whose output is one.
    pub output_image: Option<Img>,
    /// The layers.
    pub steps: Vec<QStep>,
}

fn op_name(model: &Model<'_>, op: &Operator) -> String {
    let code = &model.opcodes[op.opcode];
    ops::name(code.builtin).map_or_else(
        || format!("builtin operator {}", code.builtin),
        str::to_owned,
    )
}

/// Whether the model computes in integers: an int8 tensor at its input or at some
/// operator (other than float16 weights made float32).
pub fn is_int8(model: &Model<'_>) -> bool {
    let Some(g) = model.subgraphs.first() else {
        return false;
    };
    g.operators.iter().any(|op| {
        op.inputs
            .iter()
            .flatten()
            .chain(&op.outputs)
            .any(|&t| g.tensors[t].dtype == dtype::INT8)
    })
}

/// TFLite's `QuantizeMultiplier`: `m ≈ q · 2^(shift − 31)`, `q ∈ [2^30, 2^31)`.
fn quantize_multiplier(m: f64) -> Result<(i32, i32), String> {
    if !m.is_finite() || m < 0.0 {
        return Err(format!(
            "a requantization multiplier of {m}: it must be finite and not negative"
        ));
    }
    if m == 0.0 {
        return Ok((0, 0));
    }
    // frexp: m = q · 2^e, q ∈ [0.5, 1)
    let (mut x, mut e) = (m, 0i32);
    if x < f64::MIN_POSITIVE {
        x *= 2f64.powi(64);
        e -= 64;
    }
    let bits = x.to_bits();
    let biased = i32::try_from((bits >> 52) & 0x7ff).unwrap_or(0);
    e += biased - 1022;
    let q = f64::from_bits((bits & !(0x7ff << 52)) | (1022 << 52));
    #[allow(clippy::cast_possible_truncation)]
    let mut q_fixed = (q * 2f64.powi(31)).round() as i64;
    if q_fixed == 1 << 31 {
        q_fixed /= 2;
        e += 1;
    }
    if e < -31 {
        return Ok((0, 0));
    }
    if e > 31 {
        return Err(format!(
            "a requantization multiplier of {m}: it must be below 2^31"
        ));
    }
    Ok((i32::try_from(q_fixed).unwrap_or(i32::MAX), e))
}

/// One scale and zero point of an activation tensor, or an error.
fn per_tensor(t: &Tensor, what: &str) -> Result<(f32, i32), String> {
    let q = t
        .quant
        .as_ref()
        .filter(|q| !q.scale.is_empty())
        .ok_or_else(|| format!("{what} has no quantization parameters"))?;
    if q.scale.len() != 1 || q.zero_point.len() > 1 {
        return Err(format!(
            "{what} has {}; an activation has one",
            count(q.scale.len(), "scale")
        ));
    }
    let scale = q.scale[0];
    if !(scale.is_finite() && scale > 0.0) {
        return Err(format!("{what} has the scale {scale}"));
    }
    let zp = q.zero_point.first().copied().unwrap_or(0);
    if !(-128..=127).contains(&zp) {
        return Err(format!(
            "{what} has the zero point {zp}, outside −128..=127"
        ));
    }
    Ok((scale, i32::try_from(zp).unwrap_or(0)))
}

fn size(t: &Tensor, what: &str) -> Result<usize, String> {
    t.shape.iter().try_fold(1usize, |n, &d| {
        usize::try_from(d)
            .ok()
            .and_then(|d| n.checked_mul(d))
            .ok_or_else(|| format!("{what} has shape {:?}", t.shape))
    })
}

/// TFLite's `CalculateActivationRangeQuantized`.
fn clamp(act: i8, scale: f32, zp: i32, at: &str) -> Result<(i32, i32), String> {
    #[allow(clippy::cast_possible_truncation)]
    let q = |f: f32| zp + (f / scale).round().clamp(-1.0e9, 1.0e9) as i32;
    Ok(match act {
        0 => (-128, 127),
        1 => (q(0.0).max(-128), 127),
        2 => (q(-1.0).max(-128), q(1.0).min(127)),
        3 => (q(0.0).max(-128), q(6.0).min(127)),
        a => {
            return Err(format!(
                "{at} has the fused activation {}; int8 layers take NONE, RELU, RELU_N1_TO_1 and RELU6",
                super::model::activation::name(a)
            ));
        }
    })
}

/// Imports the first subgraph of an int8 model.
#[allow(clippy::too_many_lines, clippy::many_single_char_names)]
pub fn import(model: &Model<'_>) -> Result<QNetwork, String> {
    let g = model.subgraphs.first().ok_or("the model has no subgraph")?;
    let (&[input], &[output]) = (g.inputs.as_slice(), g.outputs.as_slice()) else {
        super::graph::inputs_added(model, g)?;
        return Err(format!(
            "the model has {} and {}; typenet imports models with one of each",
            count(g.inputs.len(), "input"),
            count(g.outputs.len(), "output")
        ));
    };
    let t = &g.tensors;
    let kind = |d: i8| match d {
        dtype::FLOAT32 => Ok(true),
        dtype::INT8 => Ok(false),
        d => Err(d),
    };
    let in_float = kind(t[input].dtype).map_err(|d| {
        format!(
            "its input holds {} values; typenet imports int8 models with float32 or int8 inputs",
            dtype::name(d)
        )
    })?;
    let n_in = size(&t[input], "the model's input")?;
    if n_in == 0 {
        return Err("the model's input holds no values".into());
    }
    let mut steps = Vec::new();
    let mut input_image = conv::image(&t[input]).filter(|_| !in_float);
    let mut img = input_image;
    let (mut cur, mut n, mut float) = (input, n_in, in_float);
    let mut joins: Joins<QStep, (usize, Option<Img>, bool)> = Joins::new(input, (n, img, float));
    for (k, op) in g.operators.iter().enumerate() {
        let name = op_name(model, op);
        let at = format!("operator {k} ({name})");
        if !SUPPORTED.contains(&name.as_str()) {
            return Err(format!(
                "it is a quantized model (operator {k}, {name}, computes in integers): importing it needs typenet's int8 {name}, which `include_tflite!` does not import yet; int8 models import with {}",
                SUPPORTED.join(", ")
            ));
        }
        let data_in = op.inputs.first().copied().flatten();
        if name != "ADD" && data_in != Some(cur) {
            let Some(x) = data_in else {
                return Err(format!("{at} has no input"));
            };
            let x_name = super::graph::tensor_name(t, x);
            (n, img, float) =
                joins.branch((k, &at), (x, &x_name), (cur, (n, img, float)), &mut steps)?;
            cur = x;
        }
        let &[out] = op.outputs.as_slice() else {
            return Err(format!("{at} has {} outputs", op.outputs.len()));
        };
        let t_out = &t[out];
        let out_float = kind(t_out.dtype).map_err(|d| {
            format!(
                "{at} outputs {} values; int8 models import with int8 and float32 tensors",
                dtype::name(d)
            )
        })?;
        let out_n = size(t_out, &format!("{at}'s output"))?;
        let want = |f_in: bool, f_out: bool| -> Result<(), String> {
            let w = |f| if f { "float32" } else { "int8" };
            if (float, out_float) == (f_in, f_out) {
                Ok(())
            } else {
                Err(format!(
                    "{at} takes {} and gives {} values; typenet imports it from {} to {}",
                    w(float),
                    w(out_float),
                    w(f_in),
                    w(f_out)
                ))
            }
        };
        let same = || {
            if out_n == n {
                Ok(())
            } else {
                Err(format!(
                    "{at} takes {n} values and outputs {out_n}; it should keep the size"
                ))
            }
        };
        if img.is_some()
            && !matches!(
                name.as_str(),
                "RESHAPE"
                    | "FULLY_CONNECTED"
                    | "CONV_2D"
                    | "DEPTHWISE_CONV_2D"
                    | "AVERAGE_POOL_2D"
                    | "MAX_POOL_2D"
                    | "ADD"
            )
        {
            return Err(format!(
                "{at} takes an image; typenet imports int8 images through CONV_2D, DEPTHWISE_CONV_2D, AVERAGE_POOL_2D, MAX_POOL_2D, ADD, RESHAPE and FULLY_CONNECTED"
            ));
        }
        if name == "ADD" {
            want(false, false)?;
            let other = super::graph::add_operand(&at, op, cur, (n, out_n), t, &model.buffers)?;
            let act = match op.options {
                Options::Add { activation } => activation,
                _ => 0,
            };
            let other_name = super::graph::tensor_name(t, other);
            if t[other].dtype != dtype::INT8 {
                return Err(format!(
                    "{at} adds {other_name} of {} values to int8 ones",
                    dtype::name(t[other].dtype)
                ));
            }
            let q = |i: usize, what: &str| per_tensor(&t[i], &format!("{at}'s {what}"));
            let q_cur = q(cur, "input")?;
            let q_out = q(out, "output")?;
            let layer = match joins.join(&at, &(n, img, float), (other, &other_name), &mut steps)? {
                Join::Skip { block, skip } => QLayer::Skip {
                    block,
                    add: add_prep(&at, q(skip, "input")?, q_cur, q_out, act)?,
                },
                Join::Parallel { a: (a, a_end), b } => QLayer::Parallel {
                    a,
                    b,
                    add: add_prep(&at, q(a_end, "input")?, q_cur, q_out, act)?,
                },
            };
            steps.push(QStep {
                op: k,
                op_name: name.clone(),
                layer,
            });
            cur = out;
            joins.mark(out, steps.len(), (n, img, float));
            continue;
        }
        let mut push = |layer| {
            steps.push(QStep {
                op: k,
                op_name: name.clone(),
                layer,
            });
        };
        let mut next_img = None;
        match name.as_str() {
            "QUANTIZE" => {
                want(true, false)?;
                same()?;
                let (scale, zero_point) = per_tensor(t_out, &format!("{at}'s output"))?;
                push(QLayer::Quantize {
                    n,
                    scale,
                    zero_point,
                });
            }
            "DEQUANTIZE" => {
                want(false, true)?;
                same()?;
                let (scale, zero_point) = per_tensor(&t[cur], &format!("{at}'s input"))?;
                push(QLayer::Dequantize {
                    n,
                    scale,
                    zero_point,
                });
            }
            "RESHAPE" => {
                same()?;
                if float != out_float {
                    return Err(format!("{at} changes the type of its values"));
                }
                if !float && per_tensor(&t[cur], &at)? != per_tensor(t_out, &at)? {
                    return Err(format!(
                        "{at} changes the quantization of its values; typenet skips a RESHAPE only when it keeps them"
                    ));
                }
                let to = conv::image(t_out).filter(|_| !float);
                match (img, to) {
                    (Some(a), Some(b)) if a == b => {}
                    (Some(a), None) if t_out.shape.len() <= 2 => push(QLayer::Flatten { img: a }),
                    (None, None) => {}
                    // The model's input reshaped into an image before anything else
                    // (`speech.tflite` does this): the network takes that image, the
                    // same codes in the same order.
                    (None, Some(b)) if cur == input => input_image = Some(b),
                    _ => {
                        return Err(format!(
                            "{at} reshapes {:?} into {:?}; typenet imports a RESHAPE that keeps the shape, flattens an image into a vector ([1, n]), reshapes a vector, or makes the model's input an image",
                            t[cur].shape, t_out.shape
                        ));
                    }
                }
                next_img = to;
            }
            "CONV_2D" | "DEPTHWISE_CONV_2D" => {
                want(false, false)?;
                let Some(image) = img else {
                    return Err(format!(
                        "{at} takes an image, but its input has shape {:?}; typenet imports images of shape [1, height, width, channels]",
                        t[cur].shape
                    ));
                };
                let (layer, out_img) = conv_layer(model, op, &at, &name, image, cur, out)?;
                push(layer);
                next_img = Some(out_img);
            }
            "AVERAGE_POOL_2D" | "MAX_POOL_2D" => {
                want(false, false)?;
                let Some(image) = img else {
                    return Err(format!(
                        "{at} takes an image, but its input has shape {:?}; typenet imports images of shape [1, height, width, channels]",
                        t[cur].shape
                    ));
                };
                let Options::Pool2d {
                    padding,
                    stride,
                    filter,
                    activation,
                } = op.options
                else {
                    return Err(format!(
                        "{at} has no options, or options of the wrong kind ({:?})",
                        op.options
                    ));
                };
                let size = |v: i32| usize::try_from(v).unwrap_or(0);
                let win = conv::window(
                    &at,
                    image,
                    padding,
                    stride,
                    (1, 1),
                    (size(filter.0), size(filter.1)),
                )?;
                let out_img = (win.oh, win.ow, image.2);
                conv::check_out(&at, out_img, t_out)?;
                let q_in = per_tensor(&t[cur], &format!("{at}'s input"))?;
                let (s_out, z_out) = per_tensor(t_out, &format!("{at}'s output"))?;
                if q_in != (s_out, z_out) {
                    return Err(format!(
                        "{at}'s input has scale {} and zero point {}, its output {s_out} and {z_out}; TFLite's int8 pools keep the quantization",
                        q_in.0, q_in.1
                    ));
                }
                push(QLayer::Pool {
                    win,
                    max: name == "MAX_POOL_2D",
                    zero_point: z_out,
                    clamp: clamp(activation, s_out, z_out, &at)?,
                });
                next_img = Some(out_img);
            }
            "SOFTMAX" => {
                want(false, false)?;
                same()?;
                let beta = match op.options {
                    Options::Softmax { beta } => beta,
                    _ => 0.0,
                };
                let last = t_out.shape.last().copied().unwrap_or(1);
                if usize::try_from(last).ok() != Some(n) {
                    return Err(format!(
                        "{at} runs over the last axis of shape {:?}, not over all {n} values as typenet's QSoftmax does",
                        t_out.shape
                    ));
                }
                let (s_in, _) = per_tensor(&t[cur], &format!("{at}'s input"))?;
                let (s_out, z_out) = per_tensor(t_out, &format!("{at}'s output"))?;
                #[allow(clippy::float_cmp)]
                if s_out != 1.0 / 256.0 || z_out != -128 {
                    return Err(format!(
                        "{at}'s output has scale {s_out} and zero point {z_out}; TFLite's int8 softmax gives scale 1/256 and zero point −128"
                    ));
                }
                if !(beta.is_finite() && beta > 0.0) {
                    return Err(format!("{at} has beta = {beta}"));
                }
                // PreprocessSoftmaxScaling and CalculateInputRadius, 5 integer bits.
                let real = (f64::from(beta) * f64::from(s_in) * f64::from(1i32 << 26))
                    .min(f64::from(i32::MAX));
                if real <= 1.0 {
                    return Err(format!(
                        "{at}: β · input scale · 2^26 = {real} is not above 1, which TFLite refuses"
                    ));
                }
                let (m, shift) = quantize_multiplier(real).map_err(|e| format!("{at}: {e}"))?;
                #[allow(clippy::cast_precision_loss)]
                let rescaled = 31.0 * ((1i64 << 26) as f64) / ((1i64 << shift) as f64);
                #[allow(clippy::cast_possible_truncation)]
                let radius = rescaled.floor() as i32;
                push(QLayer::Softmax {
                    n,
                    prepared: (m, shift, -radius),
                });
            }
            "LOGISTIC" | "TANH" => {
                want(false, false)?;
                same()?;
                let (s_in, z_in) = per_tensor(&t[cur], &format!("{at}'s input"))?;
                let (s_out, z_out) = per_tensor(t_out, &format!("{at}'s output"))?;
                let logistic = name == "LOGISTIC";
                let (want_s, want_z) = if logistic {
                    (1.0 / 256.0, -128)
                } else {
                    (1.0 / 128.0, 0)
                };
                #[allow(clippy::float_cmp)]
                if s_out != want_s || z_out != want_z {
                    return Err(format!(
                        "{at}'s output has scale {s_out} and zero point {z_out}; TFLite's int8 {name} gives scale {want_s} and zero point {want_z}"
                    ));
                }
                push(QLayer::Table {
                    n,
                    kind: if logistic { "logistic" } else { "tanh" },
                    table: lookup_table(s_in, z_in, s_out, z_out, logistic),
                });
            }
            "FULLY_CONNECTED" => {
                want(false, false)?;
                if let Some(image) = img {
                    // TFLite's FULLY_CONNECTED reads any input as rows of its width
                    push(QLayer::Flatten { img: image });
                }
                let (act, format) = match op.options {
                    Options::FullyConnected {
                        activation,
                        weights_format,
                    } => (activation, weights_format),
                    _ => (0, 0),
                };
                if format != 0 {
                    return Err(format!(
                        "{at} stores its weights in a shuffled format ({format}); typenet reads the default one"
                    ));
                }
                let w_i = op
                    .inputs
                    .get(1)
                    .copied()
                    .flatten()
                    .ok_or_else(|| format!("{at} has no weights tensor"))?;
                let w_t = &t[w_i];
                let (o, i) = match *w_t.shape.as_slice() {
                    [o, i] => (
                        usize::try_from(o).unwrap_or(0),
                        usize::try_from(i).unwrap_or(0),
                    ),
                    _ => {
                        return Err(format!(
                            "{at}'s weights have shape {:?}; expected [outputs, inputs]",
                            w_t.shape
                        ));
                    }
                };
                if i != n || o == 0 || out_n != o {
                    return Err(format!(
                        "{at}'s weights have shape {:?}, its input holds {n} values and its output {out_n}",
                        w_t.shape
                    ));
                }
                if w_t.dtype != dtype::INT8 {
                    return Err(format!(
                        "{at}'s weights are {} values; typenet imports int8 weights",
                        dtype::name(w_t.dtype)
                    ));
                }
                let bytes = model.buffers.get(w_t.buffer).copied().unwrap_or_default();
                if bytes.len() != o * i {
                    return Err(format!(
                        "{at}'s weights need {} bytes, but their buffer holds {}",
                        o * i,
                        bytes.len()
                    ));
                }
                let weights: Vec<i8> = bytes.iter().map(|&b| b.cast_signed()).collect();
                let wq = w_t
                    .quant
                    .as_ref()
                    .filter(|q| !q.scale.is_empty())
                    .ok_or_else(|| format!("{at}'s weights have no quantization parameters"))?;
                if wq.zero_point.iter().any(|&z| z != 0) {
                    return Err(format!(
                        "{at}'s weights have a zero point other than 0; TFLite's int8 weights are symmetric"
                    ));
                }
                let scales: Vec<f32> = match wq.scale.len() {
                    1 => vec![wq.scale[0]; o],
                    m if m == o && wq.dim == 0 => wq.scale.clone(),
                    m => {
                        return Err(format!(
                            "{at}'s weights have {} along dimension {}; expected 1, or {o} along dimension 0",
                            count(m, "scale"),
                            wq.dim
                        ));
                    }
                };
                if let Some(s) = scales.iter().find(|s| !(s.is_finite() && **s > 0.0)) {
                    return Err(format!("{at}'s weights have the scale {s}"));
                }
                let bias = match op.inputs.get(2).copied().flatten() {
                    None => vec![0; o],
                    Some(b) => {
                        let b_t = &t[b];
                        let bytes = model.buffers.get(b_t.buffer).copied().unwrap_or_default();
                        if b_t.dtype != INT32 || bytes.len() != 4 * o {
                            return Err(format!(
                                "{at}'s bias should be {o} int32 constants; it is {} values in {} bytes",
                                dtype::name(b_t.dtype),
                                bytes.len()
                            ));
                        }
                        bytes
                            .chunks_exact(4)
                            .map(|c| i32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                            .collect()
                    }
                };
                let (s_in, z_in) = per_tensor(&t[cur], &format!("{at}'s input"))?;
                let (s_out, z_out) = per_tensor(t_out, &format!("{at}'s output"))?;
                let (mut multiplier, mut shift) = (Vec::new(), Vec::new());
                for &s_w in &scales {
                    let real = f64::from(s_in) * f64::from(s_w) / f64::from(s_out);
                    let (m, s) = quantize_multiplier(real).map_err(|e| format!("{at}: {e}"))?;
                    multiplier.push(m);
                    shift.push(s);
                }
                let clamp = clamp(act, s_out, z_out, &at)?;
                push(QLayer::Dense {
                    i,
                    o,
                    weights,
                    bias,
                    multiplier,
                    shift,
                    zero_points: (z_in, z_out),
                    clamp,
                });
            }
            _ => return Err(format!("{at}: not handled (an importer bug)")),
        }
        (cur, n, float, img) = (out, out_n, out_float, next_img);
        joins.mark(out, steps.len(), (n, img, float));
    }
    joins.finish()?;
    if img.is_some() && float {
        return Err(
            "the model's output is a float32 image; typenet imports int8 models whose output is int8 codes when it is an image"
                .into(),
        );
    }
    if steps.is_empty() {
        return Err("the model has no int8 layer to import".into());
    }
    if cur != output {
        return Err(
            "the model's output is not the last operator's output: typenet imports a chain of operators, each feeding the next"
                .into(),
        );
    }
    Ok(QNetwork {
        inputs: (n_in, in_float),
        input_image,
        outputs: (n, float),
        output_image: img,
        steps,
    })
}

/// Integer constants of tensor `index`: its buffer, checked to hold `n` values of
/// `width` bytes.
fn buffer<'a>(model: &Model<'a>, t: &Tensor, n: usize, width: usize) -> Option<&'a [u8]> {
    model
        .buffers
        .get(t.buffer)
        .copied()
        .filter(|b| Some(b.len()) == n.checked_mul(width))
}

/// A CONV_2D or DEPTHWISE_CONV_2D on image `img` (tensor `cur`) to tensor `out`: the
/// layer with its prepared values, and the output image.
#[allow(clippy::too_many_lines, clippy::many_single_char_names)]
fn conv_layer(
    model: &Model<'_>,
    op: &Operator,
    at: &str,
    name: &str,
    img: Img,
    cur: usize,
    out: usize,
) -> Result<(QLayer, Img), String> {
    let t = &model.subgraphs[0].tensors;
    let (padding, stride, dilation, act, m) = match (name, &op.options) {
        (
            "CONV_2D",
            &Options::Conv2d {
                padding,
                stride,
                dilation,
                activation,
            },
        ) => (padding, stride, dilation, activation, 0),
        (
            "DEPTHWISE_CONV_2D",
            &Options::DepthwiseConv2d {
                padding,
                stride,
                depth_multiplier,
                dilation,
                activation,
            },
        ) => (
            padding,
            stride,
            dilation,
            activation,
            usize::try_from(depth_multiplier).unwrap_or(0).max(1),
        ),
        (_, other) => {
            return Err(format!(
                "{at} has no options, or options of the wrong kind ({other:?})"
            ));
        }
    };
    let f = op
        .inputs
        .get(1)
        .copied()
        .flatten()
        .ok_or_else(|| format!("{at} has no filter tensor"))?;
    let f_t = &t[f];
    let [d0, kh, kw, d3] = conv::dims4(at, "filter", f_t)?;
    let c = img.2;
    // output channels, and the filter dimension a per-channel scale runs along
    let (o, dim) = if m == 0 {
        if d3 != c || d0 == 0 {
            return Err(format!(
                "{at}'s filter has shape {:?} ([outputs, height, width, channels]), but its input has {c} channels",
                f_t.shape
            ));
        }
        (d0, 0)
    } else {
        if d0 != 1 || d3 != c * m {
            return Err(format!(
                "{at}'s filter has shape {:?} and depth multiplier {m}, but its input has {c} channels: expected [1, height, width, {c} × multiplier]",
                f_t.shape
            ));
        }
        (d3, 3)
    };
    let win = conv::window(at, img, padding, stride, dilation, (kh, kw))?;
    let out_img = (win.oh, win.ow, o);
    conv::check_out(at, out_img, &t[out])?;
    if f_t.dtype != dtype::INT8 {
        return Err(format!(
            "{at}'s filter holds {} values; typenet imports int8 filters",
            dtype::name(f_t.dtype)
        ));
    }
    let count_w = d0 * kh * kw * d3;
    let weights: Vec<i8> = buffer(model, f_t, count_w, 1)
        .ok_or_else(|| format!("{at}'s filter needs {count_w} constant bytes"))?
        .iter()
        .map(|&b| b.cast_signed())
        .collect();
    let wq = f_t
        .quant
        .as_ref()
        .filter(|q| !q.scale.is_empty())
        .ok_or_else(|| format!("{at}'s filter has no quantization parameters"))?;
    if wq.zero_point.iter().any(|&z| z != 0) {
        return Err(format!(
            "{at}'s filter has a zero point other than 0; TFLite's int8 filters are symmetric"
        ));
    }
    let scales: Vec<f32> = match wq.scale.len() {
        1 => vec![wq.scale[0]; o],
        k if k == o && usize::try_from(wq.dim).ok() == Some(dim) => wq.scale.clone(),
        k => {
            return Err(format!(
                "{at}'s filter has {} along dimension {}; expected 1, or {o} along dimension {dim}",
                count(k, "scale"),
                wq.dim
            ));
        }
    };
    if let Some(s) = scales.iter().find(|s| !(s.is_finite() && **s > 0.0)) {
        return Err(format!("{at}'s filter has the scale {s}"));
    }
    let bias = match op.inputs.get(2).copied().flatten() {
        None => vec![0; o],
        Some(b) => {
            let b_t = &t[b];
            let bytes = buffer(model, b_t, o, 4)
                .filter(|_| b_t.dtype == INT32)
                .ok_or_else(|| format!("{at}'s bias should be {o} int32 constants"))?;
            bytes
                .chunks_exact(4)
                .map(|c| i32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect()
        }
    };
    let (s_in, z_in) = per_tensor(&t[cur], &format!("{at}'s input"))?;
    let (s_out, z_out) = per_tensor(&t[out], &format!("{at}'s output"))?;
    let (mut multiplier, mut shift) = (Vec::new(), Vec::new());
    for &s_w in &scales {
        let real = f64::from(s_in) * f64::from(s_w) / f64::from(s_out);
        let (q, e) = quantize_multiplier(real).map_err(|e| format!("{at}: {e}"))?;
        multiplier.push(q);
        shift.push(e);
    }
    let clamp = clamp(act, s_out, z_out, at)?;
    Ok((
        QLayer::Conv {
            win,
            m,
            o,
            weights,
            bias,
            multiplier,
            shift,
            zero_points: (z_in, z_out),
            clamp,
        },
        out_img,
    ))
}

/// TFLite's `PopulateLookupTable` for int8: per input code, dequantize in `f32`, apply
/// the `f32` function (`1 / (1 + exp(−x))` or `tanh`), multiply by the inverse output
/// scale, round half away from zero, add the zero point, clamp. Indexed by the code's
/// bits, as `QTable` is.
fn lookup_table(s_in: f32, z_in: i32, s_out: f32, z_out: i32, logistic: bool) -> Vec<i8> {
    let inverse = 1.0 / s_out;
    (0..=255u8)
        .map(|byte| {
            let q = i32::from(byte.cast_signed());
            #[allow(clippy::cast_precision_loss)]
            let x = s_in * (q - z_in) as f32;
            let y = if logistic {
                1.0 / (1.0 + (-x).exp())
            } else {
                x.tanh()
            };
            #[allow(clippy::cast_possible_truncation)]
            let r = (y * inverse).round() as i32 + z_out;
            #[allow(clippy::cast_possible_truncation)]
            let code = r.clamp(-128, 127) as i8;
            code
        })
        .collect()
}

fn f32_lit(v: f32) -> Literal {
    Literal::f32_suffixed(v)
}

fn params(scale: f32, zp: i32) -> TokenStream {
    let s = f32_lit(scale);
    quote!(match ::typenet::quant::QuantParams::new(#s, #zp) {
        ::core::result::Result::Ok(p) => p,
        ::core::result::Result::Err(_) => ::core::panic!("include_tflite!: quantization parameters"),
    })
}

/// The field name, type and value of one layer.
#[allow(clippy::too_many_lines, clippy::many_single_char_names)]
fn field(step: &QStep) -> (proc_macro2::Ident, TokenStream, TokenStream) {
    let k = step.op;
    let stride_of = |win: &Window| {
        let (sh, sw) = (win.sh, win.sw);
        let padding = if win.same {
            quote!(::typenet::quant::Padding::Same)
        } else {
            quote!(::typenet::quant::Padding::Valid)
        };
        quote!(::typenet::quant::Stride::new(#padding, #sh, #sw))
    };
    let add_args = |add: &AddPrep| {
        let AddPrep {
            zero_points: (z1, z2, zo),
            inputs: ((m1, s1), (m2, s2)),
            output: (mo, so),
            clamp: (lo, hi),
        } = add;
        quote!((#z1, #z2, #zo), ((#m1, #s1), (#m2, #s2)), (#mo, #so), (#lo, #hi))
    };
    match &step.layer {
        QLayer::Pool {
            win,
            max,
            zero_point,
            clamp: (lo, hi),
        } => {
            let Window {
                h,
                w,
                c,
                kh,
                kw,
                oh,
                ow,
                ..
            } = *win;
            let stride = stride_of(win);
            let (kind, ty) = if *max {
                ("max_pool", format_ident!("QMaxPool2d"))
            } else {
                ("avg_pool", format_ident!("QAvgPool2d"))
            };
            (
                format_ident!("op{}_{}", k, kind),
                quote!(::typenet::quant::#ty<#h, #w, #c, #kh, #kw, #oh, #ow>),
                quote!(match ::typenet::quant::#ty::from_prepared(#stride, #zero_point, (#lo, #hi)) {
                    ::core::result::Result::Ok(l) => l,
                    ::core::result::Result::Err(_) => ::core::panic!("include_tflite!: pool parameters"),
                }),
            )
        }
        QLayer::Skip { block, add } => {
            let (ty, v) = branch(block);
            let args = add_args(add);
            (
                format_ident!("op{}_skip", k),
                quote!(::typenet::quant::QSkip<#ty>),
                quote!(match ::typenet::quant::QSkip::from_prepared(#v, #args) {
                    ::core::result::Result::Ok(l) => l,
                    ::core::result::Result::Err(_) => ::core::panic!("include_tflite!: ADD parameters"),
                }),
            )
        }
        QLayer::Parallel { a, b, add } => {
            let ((ta, va), (tb, vb)) = (branch(a), branch(b));
            let args = add_args(add);
            (
                format_ident!("op{}_parallel", k),
                quote!(::typenet::quant::QParallel<#ta, #tb>),
                quote!(match ::typenet::quant::QParallel::from_prepared(#va, #vb, #args) {
                    ::core::result::Result::Ok(l) => l,
                    ::core::result::Result::Err(_) => ::core::panic!("include_tflite!: ADD parameters"),
                }),
            )
        }
        QLayer::Quantize {
            n,
            scale,
            zero_point,
        } => {
            let p = params(*scale, *zero_point);
            (
                format_ident!("op{}_quantize", k),
                quote!(::typenet::quant::Quantize<#n>),
                quote!(::typenet::quant::Quantize::new(#p)),
            )
        }
        QLayer::Dequantize {
            n,
            scale,
            zero_point,
        } => {
            let p = params(*scale, *zero_point);
            (
                format_ident!("op{}_dequantize", k),
                quote!(::typenet::quant::Dequantize<#n>),
                quote!(::typenet::quant::Dequantize::new(#p)),
            )
        }
        QLayer::Softmax {
            n,
            prepared: (m, s, d),
        } => (
            format_ident!("op{}_softmax", k),
            quote!(::typenet::quant::QSoftmax<#n>),
            quote!(match ::typenet::quant::QSoftmax::from_prepared(#m, #s, #d) {
                ::core::result::Result::Ok(l) => l,
                ::core::result::Result::Err(_) => ::core::panic!("include_tflite!: softmax parameters"),
            }),
        ),
        QLayer::Table { n, kind, table } => (
            format_ident!("op{}_{}", k, kind),
            quote!(::typenet::quant::QTable<#n>),
            quote!(::typenet::quant::QTable::new([#(#table),*])),
        ),
        QLayer::Flatten { img: (h, w, c) } => {
            let n = h * w * c;
            (
                format_ident!("op{}_flatten", k),
                quote!(::typenet::quant::QFlatten<#h, #w, #c, #n>),
                quote!(::typenet::quant::QFlatten),
            )
        }
        QLayer::Conv {
            win,
            m,
            o,
            weights,
            bias,
            multiplier,
            shift,
            zero_points: (zi, zo),
            clamp: (lo, hi),
        } => {
            let Window {
                h,
                w,
                c,
                kh,
                kw,
                sh,
                sw,
                same,
                oh,
                ow,
            } = *win;
            let padding = if same {
                quote!(::typenet::quant::Padding::Same)
            } else {
                quote!(::typenet::quant::Padding::Valid)
            };
            let stride = quote!(::typenet::quant::Stride::new(#padding, #sh, #sw));
            // filter codes nested as the layer's array type
            let nest = |v: &[i8], dims: &[usize]| -> TokenStream {
                fn go(v: &[i8], dims: &[usize]) -> TokenStream {
                    match dims {
                        [] | [_] => quote!([#(#v),*]),
                        [_, rest @ ..] => {
                            let inner: usize = rest.iter().product();
                            let parts = v.chunks(inner).map(|p| go(p, rest));
                            quote!([#(#parts),*])
                        }
                    }
                }
                go(v, dims)
            };
            let tail = quote!(
                [#(#bias),*],
                ([#(#multiplier),*], [#(#shift),*]),
                #stride,
                (#zi, #zo),
                (#lo, #hi),
            );
            if *m == 0 {
                let filters = nest(weights, &[*o, kh, kw, c]);
                (
                    format_ident!("op{}_conv", k),
                    quote!(::typenet::quant::QConv2d<#h, #w, #c, #kh, #kw, #o, #oh, #ow>),
                    quote!(match ::typenet::quant::QConv2d::from_prepared(#filters, #tail) {
                        ::core::result::Result::Ok(l) => l,
                        ::core::result::Result::Err(_) => ::core::panic!("include_tflite!: convolution parameters"),
                    }),
                )
            } else {
                let filters = nest(weights, &[kh, kw, *o]);
                (
                    format_ident!("op{}_depthwise", k),
                    quote!(::typenet::quant::QDepthwiseConv2d<#h, #w, #c, #m, #o, #kh, #kw, #oh, #ow>),
                    quote!(match ::typenet::quant::QDepthwiseConv2d::from_prepared(#filters, #tail) {
                        ::core::result::Result::Ok(l) => l,
                        ::core::result::Result::Err(_) => ::core::panic!("include_tflite!: depthwise convolution parameters"),
                    }),
                )
            }
        }
        QLayer::Dense {
            i,
            o,
            weights,
            bias,
            multiplier,
            shift,
            zero_points: (zi, zo),
            clamp: (lo, hi),
        } => {
            let rows = weights.chunks(*i).map(|r| quote!([#(#r),*]));
            (
                format_ident!("op{}_dense", k),
                quote!(::typenet::quant::QDense<#i, #o>),
                quote!(match ::typenet::quant::QDense::from_prepared(
                    [#(#rows),*],
                    [#(#bias),*],
                    ([#(#multiplier),*], [#(#shift),*]),
                    (#zi, #zo),
                    (#lo, #hi),
                ) {
                    ::core::result::Result::Ok(l) => l,
                    ::core::result::Result::Err(_) => ::core::panic!("include_tflite!: fully connected parameters"),
                }),
            )
        }
    }
}

/// A branch's layers as one: its type and value (a layer, or a tuple of them).
fn branch(steps: &[QStep]) -> (TokenStream, TokenStream) {
    let (types, values) = steps
        .iter()
        .map(|s| {
            let (_, ty, v) = field(s);
            (ty, v)
        })
        .unzip();
    (super::graph::tuple(types), super::graph::tuple(values))
}

/// The element type of an edge.
pub fn elem(float: bool) -> (TokenStream, &'static str, &'static str) {
    if float {
        (quote!(f32), "f32", "float32")
    } else {
        (quote!(i8), "i8", "int8")
    }
}

/// The struct, its `const fn new()` and its `QLayer` implementation.
pub fn emit(
    attrs: &[syn::Attribute],
    vis: &syn::Visibility,
    name: &syn::Ident,
    shown: &str,
    tracked: &str,
    net: &QNetwork,
) -> TokenStream {
    let mut idents = Vec::new();
    let mut types = Vec::new();
    let mut values = Vec::new();
    let mut docs = Vec::new();
    for s in &net.steps {
        let (id, ty, v) = field(s);
        docs.push(format!(
            "Operator {} ({}): `{}`.",
            s.op,
            s.op_name,
            ty.to_string().replace(' ', "")
        ));
        idents.push(id);
        types.push(ty);
        values.push(v);
    }
    // One statement per layer, each reading the previous activation by reference. A
    // QFlatten before another layer passes it a view of the image's own codes
    // (`QFlatten::view`), and a convolution writes its image into a buffer here
    // (`forward_into`): an image returned by value was on the stack twice while it was
    // copied (speech.tflite: 2 × 4000 codes).
    let mut stmts = Vec::new();
    let mut prev = quote!(x);
    let mut flatten = None;
    for (k, (s, id)) in net.steps.iter().zip(&idents).enumerate() {
        if matches!(s.layer, QLayer::Flatten { .. }) && flatten.is_none() {
            flatten = Some(id);
            continue;
        }
        let arg = match flatten.take() {
            Some(f) => quote!(self.#f.view(#prev)),
            None => prev.clone(),
        };
        let y = quote::format_ident!("y{}", k);
        stmts.push(if let QLayer::Conv { win, o, .. } = &s.layer {
            let (oh, ow) = (win.oh, win.ow);
            quote! {
                let mut #y = [[[0i8; #o]; #ow]; #oh];
                self.#id.forward_into(#arg, &mut #y);
            }
        } else {
            quote!(let #y = ::typenet::quant::QLayer::forward(&self.#id, #arg);)
        });
        prev = quote!(&#y);
    }
    if let Some(f) = flatten {
        stmts.push(quote!(let y = ::typenet::quant::QLayer::forward(&self.#f, #prev);));
        prev = quote!(&y);
    }
    let forward = quote!(#(#stmts)* *#prev);
    let ((ni, fi), (no, fo)) = (net.inputs, net.outputs);
    let (ti, _, wi) = elem(fi);
    let input_ty = net.input_image.map_or_else(
        || quote!([#ti; #ni]),
        |(h, w, c)| quote!([[[#ti; #c]; #w]; #h]),
    );
    let (to, _, wo) = elem(fo);
    let output_ty = net.output_image.map_or_else(
        || quote!([#to; #no]),
        |(h, w, c)| quote!([[[#to; #c]; #w]; #h]),
    );
    let type_doc = format!(
        "Imported from `{shown}` by `include_tflite!`: an int8 network ([`typenet::quant::QLayer`]), {ni} {wi} inputs, {no} {wo} outputs."
    );
    let new_doc =
        format!("The network of `{shown}`, its weights and prepared multipliers as constants.");
    quote! {
        #(#attrs)*
        #[doc = ""]
        #[doc = #type_doc]
        #[derive(Clone, Copy, PartialEq, Debug)]
        #vis struct #name {
            #( #[doc = #docs] pub #idents: #types, )*
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

        // Every constructor checked while compiling.
        const _: #name = #name::new();

        impl ::core::default::Default for #name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl ::typenet::quant::QLayer for #name {
            type Input = #input_ty;
            type Output = #output_ty;

            #[inline]
            fn forward(&self, x: &Self::Input) -> Self::Output {
                #forward
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::quantize_multiplier;

    #[test]
    fn multipliers_split_as_tflite_does() {
        assert_eq!(quantize_multiplier(0.5), Ok((1 << 30, 0)));
        assert_eq!(quantize_multiplier(1.0), Ok((1 << 30, 1)));
        assert_eq!(quantize_multiplier(0.75), Ok((3 << 29, 0)));
        assert_eq!(quantize_multiplier(0.0), Ok((0, 0)));
        // rounds up to 2^31: halved, exponent bumped
        assert_eq!(quantize_multiplier(1.0 - 1e-12), Ok((1 << 30, 1)));
        // below 2^-32: flushed to zero
        assert_eq!(quantize_multiplier(1e-12), Ok((0, 0)));
        assert_eq!(quantize_multiplier(f64::MIN_POSITIVE / 4.0), Ok((0, 0)));
        // the softmax of an input scale 0.1f32: β · s · 2^26 (QSoftmax's doc example)
        let real = f64::from(0.1f32) * f64::from(1i32 << 26);
        assert_eq!(quantize_multiplier(real), Ok((1_717_986_944, 23)));
        assert!(quantize_multiplier(2f64.powi(31)).is_err());
        assert!(quantize_multiplier(-1.0).is_err());
        assert!(quantize_multiplier(f64::NAN).is_err());
    }
}

#[cfg(test)]
mod files {
    use super::{QLayer, import, is_int8};
    use crate::tflite::model::read;

    fn file(name: &str) -> Vec<u8> {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/data/tflite/");
        std::fs::read(format!("{dir}{name}")).unwrap()
    }

    #[test]
    fn sine_and_speech_import_and_int8_add_is_refused_by_name() {
        let m_bytes = file("microflow/sine.tflite");
        let m = read(&m_bytes).unwrap();
        assert!(is_int8(&m));
        let net = import(&m).unwrap();
        assert_eq!((net.inputs, net.outputs), ((1, false), (1, false)));
        let dense: Vec<(usize, usize, (i32, i32), i32)> = net
            .steps
            .iter()
            .map(|s| match &s.layer {
                QLayer::Dense {
                    i,
                    o,
                    clamp,
                    zero_points,
                    ..
                } => (*i, *o, *clamp, zero_points.1),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(dense.len(), 3);
        assert_eq!((dense[0].0, dense[0].1, dense[2].1), (1, 16, 1));
        // fused RELU on the first two: the clamp starts at the output zero point
        assert_eq!(dense[0].2, (dense[0].3, 127));
        assert_eq!(dense[1].2, (dense[1].3, 127));
        assert_eq!(dense[2].2, (-128, 127));
        // speech: its input RESHAPEd into a 49×40×1 image, a depthwise convolution
        // (per-channel, along dimension 3), a flatten, a fully connected layer, softmax
        let s_bytes = file("microflow/speech.tflite");
        let net = import(&read(&s_bytes).unwrap()).unwrap();
        assert_eq!(net.input_image, Some((49, 40, 1)));
        assert_eq!((net.inputs, net.outputs), ((1960, false), (4, false)));
        let kinds: Vec<String> = net
            .steps
            .iter()
            .map(|s| match &s.layer {
                QLayer::Conv { win, m, o, .. } => {
                    format!("dw{m}x{o}:{}x{}->{}x{}", win.kh, win.kw, win.oh, win.ow)
                }
                QLayer::Flatten { img } => format!("flat{img:?}"),
                QLayer::Dense { i, o, .. } => format!("fc{i}x{o}"),
                QLayer::Softmax { n, .. } => format!("softmax{n}"),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            kinds,
            [
                "dw8x8:10x8->25x20",
                "flat(25, 20, 8)",
                "fc4000x4",
                "softmax4"
            ]
        );
        // an int8 ADD of a tensor to itself is refused, naming the operator
        let e = import(&read(&file("int8_add.tflite")).unwrap()).unwrap_err();
        assert!(
            e.starts_with("operator 0 (ADD) adds tensor `input` to itself"),
            "{e}"
        );
        // the float models are not int8
        assert!(!is_int8(&read(&file("xor.tflite")).unwrap()));
    }

    /// Mutated int8 files: an error in words or a network, never a panic.
    #[test]
    fn mutated_int8_files_never_panic() {
        let files = [
            file("int8_mlp.tflite"),
            file("int8_logits.tflite"),
            file("microflow/sine.tflite"),
            file("microflow/speech.tflite"),
        ];
        let mut state = 0x1e8_u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            usize::try_from(state >> 40).unwrap_or(0)
        };
        let (mut ok, mut err) = (0, 0);
        for round in 0..20_000 {
            let mut b = files[round % files.len()].clone();
            for _ in 0..=next() % 3 {
                let i = next() % b.len();
                match next() % 3 {
                    0 => b[i] = u8::try_from(next() % 256).unwrap_or(0),
                    1 => b[i] ^= 1 << (next() % 8),
                    _ => {
                        let v = u32::try_from(next() % 64).unwrap_or(0).to_le_bytes();
                        let j = i.min(b.len().saturating_sub(4));
                        b[j..j + 4].copy_from_slice(&v);
                    }
                }
            }
            let Ok(m) = read(&b) else {
                err += 1;
                continue;
            };
            match import(&m) {
                Ok(network) => {
                    ok += 1;
                    assert!(!network.steps.is_empty() && network.inputs.0 > 0);
                }
                Err(e) => {
                    err += 1;
                    assert!(!e.is_empty());
                }
            }
        }
        assert!(ok > 0 && err > 0, "{ok} imported, {err} refused");
    }
}
