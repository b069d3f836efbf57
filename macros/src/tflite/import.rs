//! From a read `.tflite` model to a chain of typenet layers, or an error in words.

use super::conv::{self, Img};
use super::graph::{Join, Joins};
use super::model::{Model, Operator, Options, Tensor, activation, dtype};
use super::ops;
use std::collections::HashMap;

/// A typenet layer with its values.
#[derive(Debug, PartialEq)]
pub enum Layer {
    /// `Dense<i, o>`: `weights` row by row (`o` rows of `i`, TFLite's and typenet's order).
    Dense {
        /// Inputs.
        i: usize,
        /// Outputs.
        o: usize,
        /// `o · i` weights.
        weights: Vec<f32>,
        /// `o` biases.
        bias: Vec<f32>,
    },
    /// `Relu<n>`
    Relu(usize),
    /// `LeakyRelu<n>` with this slope.
    LeakyRelu(usize, f32),
    /// `Sigmoid<n>`
    Sigmoid(usize),
    /// `Tanh<n>`
    Tanh(usize),
    /// `Softmax<n>`
    Softmax(usize),
    /// `Relu6<n>`
    Relu6(usize),
    /// `Conv2d<…>`: `weights` in TFLite's (and typenet's) order `[o][kh][kw][c]`.
    Conv2d {
        /// The window.
        win: Window,
        /// Filters.
        o: usize,
        /// `o · kh · kw · c` weights.
        weights: Vec<f32>,
        /// `o` biases.
        bias: Vec<f32>,
    },
    /// `DepthwiseConv2d<…>`: `weights` in the order `[kh][kw][c · m]`.
    Depthwise {
        /// The window.
        win: Window,
        /// The depth multiplier.
        m: usize,
        /// `kh · kw · c · m` weights.
        weights: Vec<f32>,
        /// `c · m` biases.
        bias: Vec<f32>,
    },
    /// `MaxPool2d<…>` or `AvgPool2d<…>`.
    Pool {
        /// The window.
        win: Window,
        /// Max (else average).
        max: bool,
    },
    /// `GlobalAvgPool2d<h, w, c>`
    GlobalAvgPool {
        /// Height.
        h: usize,
        /// Width.
        w: usize,
        /// Channels.
        c: usize,
    },
    /// `Flatten<h, w, c, h·w·c>`
    Flatten {
        /// Height.
        h: usize,
        /// Width.
        w: usize,
        /// Channels.
        c: usize,
    },
    /// `Residual<block>`: `x + block(x)`, an ADD joining the chain with an earlier
    /// tensor of it.
    Residual(Vec<Step>),
    /// `Parallel<a, b>`: `a(x) + b(x)`, an ADD joining two branches from one tensor.
    Parallel(Vec<Step>, Vec<Step>),
    /// `PerPixel<inner, h, w>`: an element-wise layer on every pixel of an image.
    PerPixel {
        /// Height.
        h: usize,
        /// Width.
        w: usize,
        /// The layer on each pixel's channels.
        inner: Box<Layer>,
    },
}

/// A convolution's or pool's sizes: input `h × w × c`, kernel, stride, padding, output
/// `oh × ow`.
#[derive(Debug, PartialEq, Clone, Copy)]
#[allow(missing_docs)]
pub struct Window {
    pub h: usize,
    pub w: usize,
    pub c: usize,
    pub kh: usize,
    pub kw: usize,
    pub sh: usize,
    pub sw: usize,
    /// SAME (else VALID) padding.
    pub same: bool,
    pub oh: usize,
    pub ow: usize,
}

/// One layer and where it comes from.
#[derive(Debug, PartialEq)]
pub struct Step {
    /// The operator's index in the subgraph.
    pub op: usize,
    /// The operator's name (`FULLY_CONNECTED`, …).
    pub op_name: String,
    /// Whether this layer is the operator's fused activation.
    pub fused: bool,
    /// The layer.
    pub layer: Layer,
}

/// The imported network: its input and output sizes and its layers.
#[derive(Debug, PartialEq)]
pub struct Network {
    /// Number of float32 inputs.
    pub inputs: usize,
    /// Number of float32 outputs.
    pub outputs: usize,
    /// The input's shape when it is an image (`[1, h, w, c]`).
    pub input_image: Option<Img>,
    /// The output's shape when it is an image.
    pub output_image: Option<Img>,
    /// The layers, in order.
    pub steps: Vec<Step>,
    /// Operators skipped because they change nothing (a RESHAPE of a vector, or of the
    /// input into the image the network then takes).
    pub skipped: Vec<(usize, String)>,
}

/// The operators this importer turns into layers.
pub const SUPPORTED: &[&str] = &[
    "FULLY_CONNECTED",
    "RELU",
    "LEAKY_RELU",
    "LOGISTIC",
    "TANH",
    "SOFTMAX",
    "RESHAPE",
    "RELU6",
    "CONV_2D",
    "DEPTHWISE_CONV_2D",
    "MAX_POOL_2D",
    "AVERAGE_POOL_2D",
    "MEAN",
    "ADD",
];

/// The name of an operator code, for messages.
fn op_name(model: &Model<'_>, op: &Operator) -> String {
    let code = &model.opcodes[op.opcode];
    if let Some(custom) = code.custom.as_deref().filter(|_| code.builtin == 32) {
        return format!("CUSTOM `{custom}`");
    }
    ops::name(code.builtin).map_or_else(
        || format!("builtin operator {}", code.builtin),
        str::to_owned,
    )
}

/// `n` and the noun, singular or plural.
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// ` (tensor `name`)`, or nothing for a tensor without a name.
pub fn label(t: &Tensor) -> String {
    if t.name.is_empty() {
        String::new()
    } else {
        format!(" (tensor `{}`)", t.name)
    }
}

/// The number of values in a tensor of this shape (batch 1), or an error.
fn size(t: &Tensor, what: &str) -> Result<usize, String> {
    let mut n = 1usize;
    for &d in &t.shape {
        let d = usize::try_from(d).map_err(|_| {
            format!(
                "{what}{} has shape {:?}: a size known only at run time (or negative); typenet needs every size while compiling",
                label(t),
                t.shape
            )
        })?;
        n = n
            .checked_mul(d)
            .ok_or_else(|| format!("{what}{} is too large", label(t)))?;
    }
    Ok(n)
}

/// A float16 value as the `f32` of the same value (every float16 is one), or `None` for
/// infinity and NaN.
pub fn f16_to_f32(h: u16) -> Option<f32> {
    let sign = u32::from(h >> 15) << 31;
    let exp = u32::from((h >> 10) & 0x1f);
    let man = h & 0x3ff;
    let value = match exp {
        // zero and subnormals: man · 2^−24, exact in f32
        0 => f32::from(man) * f32::from_bits(0x3380_0000),
        31 => return None,
        e => f32::from_bits(((e + 127 - 15) << 23) | (u32::from(man) << 13)),
    };
    Some(if sign == 0 { value } else { -value })
}

/// Constant float32 tensors, by tensor index.
type Constants = HashMap<usize, Vec<f32>>;

/// Constant float32 tensors that a DEQUANTIZE operator computes from float16 weights
/// (the converter's "float16 quantization"), by output tensor; and those operators.
fn float16_constants(
    model: &Model<'_>,
    graph: &super::model::SubGraph,
) -> Result<(Constants, Vec<usize>), String> {
    let mut values = HashMap::new();
    let mut ops = Vec::new();
    for (k, op) in graph.operators.iter().enumerate() {
        let (&[Some(src)], &[dst]) = (op.inputs.as_slice(), op.outputs.as_slice()) else {
            continue;
        };
        let t = &graph.tensors[src];
        let bytes = model.buffers.get(t.buffer).copied().unwrap_or_default();
        if op_name(model, op) != "DEQUANTIZE" || t.dtype != dtype::FLOAT16 || bytes.is_empty() {
            continue;
        }
        let what = format!("operator {k} (DEQUANTIZE)'s float16 input{}", label(t));
        let n = size(t, &what)?;
        if Some(bytes.len()) != n.checked_mul(2) {
            return Err(format!(
                "{what} (shape {:?}) needs {} bytes, but its buffer holds {}",
                t.shape,
                n.saturating_mul(2),
                bytes.len()
            ));
        }
        let v = bytes
            .chunks_exact(2)
            .enumerate()
            .map(|(j, c)| {
                f16_to_f32(u16::from_le_bytes([c[0], c[1]]))
                    .ok_or_else(|| format!("{what}: value {j} is infinite or NaN"))
            })
            .collect::<Result<Vec<f32>, String>>()?;
        values.insert(dst, v);
        ops.push(k);
    }
    Ok((values, ops))
}

/// The little-endian float32 values of constant tensor `index`, or the float32 values
/// of a dequantized float16 constant.
fn constant(
    model: &Model<'_>,
    tensors: &[Tensor],
    float16: &Constants,
    index: usize,
    what: &str,
) -> Result<Vec<f32>, String> {
    let t = &tensors[index];
    if let Some(v) = float16.get(&index) {
        if Some(v.len()) != size(t, what).ok() {
            return Err(format!(
                "{what}{} has shape {:?}, but its float16 source holds {} values",
                label(t),
                t.shape,
                v.len()
            ));
        }
        return Ok(v.clone());
    }
    if t.dtype != dtype::FLOAT32 {
        return Err(format!(
            "{what}{}: {} values; typenet imports float32 weights",
            label(t),
            dtype::name(t.dtype)
        ));
    }
    let bytes = model.buffers.get(t.buffer).copied().unwrap_or_default();
    if bytes.is_empty() {
        return Err(format!(
            "{what}{}: not a constant; typenet imports weights stored in the file",
            label(t)
        ));
    }
    let n = size(t, what)?;
    if Some(bytes.len()) != n.checked_mul(4) {
        return Err(format!(
            "{what}{} (shape {:?}) needs {} bytes, but its buffer holds {}",
            label(t),
            t.shape,
            n.saturating_mul(4),
            bytes.len()
        ));
    }
    let values: Vec<f32> = bytes
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    if let Some(k) = values.iter().position(|v| !v.is_finite()) {
        return Err(format!("{what}{}: value {k} is {}", label(t), values[k]));
    }
    Ok(values)
}

/// Imports the first subgraph of `model` as a chain of typenet layers.
#[allow(clippy::too_many_lines)]
pub fn import(model: &Model<'_>) -> Result<Network, String> {
    let graph = model.subgraphs.first().ok_or("the model has no subgraph")?;
    let (input, output) = match (graph.inputs.as_slice(), graph.outputs.as_slice()) {
        (&[i], &[o]) => (i, o),
        (i, o) => {
            super::graph::inputs_added(model, graph)?;
            return Err(format!(
                "the model has {} and {}; typenet imports models with one of each",
                count(i.len(), "input"),
                count(o.len(), "output")
            ));
        }
    };
    let tensors = &graph.tensors;
    let (float16, float16_ops) = float16_constants(model, graph)?;
    // int8 first: for a quantized model that is the one thing to say.
    let quantized = graph.operators.iter().enumerate().find_map(|(k, op)| {
        let name = op_name(model, op);
        if float16_ops.contains(&k) {
            return None;
        }
        if name == "QUANTIZE" || name == "DEQUANTIZE" {
            return Some((k, name));
        }
        let int = op
            .inputs
            .iter()
            .flatten()
            .chain(&op.outputs)
            .map(|&t| &tensors[t])
            .any(|t| [dtype::INT8, dtype::UINT8, dtype::INT16].contains(&t.dtype));
        int.then_some((k, name))
    });
    let t_in = &tensors[input];
    if [dtype::INT8, dtype::UINT8, dtype::INT16].contains(&t_in.dtype) || quantized.is_some() {
        let at = quantized.map_or_else(String::new, |(k, name)| {
            format!(" (operator {k}, {name}, computes in integers)")
        });
        return Err(format!(
            "it is a quantized model{at}: importing int8 models needs typenet's int8 layers, \
             which are not there yet; today only float32 models import"
        ));
    }
    if t_in.dtype != dtype::FLOAT32 {
        return Err(format!(
            "its input holds {} values; typenet imports float32 models",
            dtype::name(t_in.dtype)
        ));
    }
    let inputs = size(t_in, "the model's input")?;
    if inputs == 0 {
        return Err(format!(
            "its input has shape {:?}, which holds no values",
            t_in.shape
        ));
    }
    if t_in.shape.len() > 1 && t_in.shape[0] != 1 {
        return Err(format!(
            "its input has shape {:?}, a batch of {}; typenet imports models for one sample (batch 1)",
            t_in.shape, t_in.shape[0]
        ));
    }
    if graph.operators.is_empty() {
        return Err("the model has no operators".into());
    }
    let mut steps = Vec::new();
    let mut skipped = Vec::new();
    let (mut cur, mut n) = (input, inputs);
    let mut input_image = conv::image(t_in);
    let mut img = input_image;
    let mut joins: Joins<Step, (usize, Option<Img>)> = Joins::new(input, (inputs, img));
    for (k, op) in graph.operators.iter().enumerate() {
        if float16_ops.contains(&k) {
            // computed here, at compile time: its output is a constant
            skipped.push((k, "DEQUANTIZE".to_owned()));
            continue;
        }
        let name = op_name(model, op);
        let at = format!("operator {k} ({name})");
        if !SUPPORTED.contains(&name.as_str()) {
            return Err(format!(
                "operator {k} is {name}, which typenet cannot import (yet); supported: {}",
                SUPPORTED.join(", ")
            ));
        }
        let data_in = op.inputs.first().copied().flatten();
        if name != "ADD" && data_in != Some(cur) {
            let Some(x) = data_in else {
                return Err(format!("{at} has no input"));
            };
            let x_name = super::graph::tensor_name(tensors, x);
            (n, img) = joins.branch((k, &at), (x, &x_name), (cur, (n, img)), &mut steps)?;
            cur = x;
        }
        let &[out] = op.outputs.as_slice() else {
            return Err(format!(
                "{at} has {} outputs; typenet imports operators with one",
                op.outputs.len()
            ));
        };
        let t_out = &tensors[out];
        if t_out.dtype != dtype::FLOAT32 {
            return Err(format!(
                "{at} outputs {} values; typenet imports float32 models",
                dtype::name(t_out.dtype)
            ));
        }
        let out_n = size(t_out, &format!("{at}'s output"))?;
        if name == "ADD" {
            let other =
                super::graph::add_operand(&at, op, cur, (n, out_n), tensors, &model.buffers)?;
            let act = match op.options {
                Options::Add { activation } => activation,
                _ => 0,
            };
            let other_name = super::graph::tensor_name(tensors, other);
            let layer = match joins.join(&at, &(n, img), (other, &other_name), &mut steps)? {
                Join::Skip { block, .. } => Layer::Residual(block),
                Join::Parallel { a: (a, _), b } => Layer::Parallel(a, b),
            };
            let step = |layer, fused| Step {
                op: k,
                op_name: name.clone(),
                fused,
                layer,
            };
            steps.push(step(layer, false));
            let relu = |make: fn(usize) -> Layer| match img {
                None => make(n),
                Some((h, w, c)) => Layer::PerPixel {
                    h,
                    w,
                    inner: Box::new(make(c)),
                },
            };
            match act {
                0 => {}
                1 => steps.push(step(relu(Layer::Relu), true)),
                3 => steps.push(step(relu(Layer::Relu6), true)),
                a => {
                    return Err(format!(
                        "{at} has the fused activation {}, which typenet cannot import; NONE, RELU and RELU6 are supported",
                        activation::name(a)
                    ));
                }
            }
            cur = out;
            joins.mark(out, steps.len(), (n, img));
            continue;
        }
        let mut push = |layer, fused| {
            steps.push(Step {
                op: k,
                op_name: name.clone(),
                fused,
                layer,
            });
        };
        // an element-wise layer of `n` values, or of each pixel's channels on an image
        let each = |make: fn(usize) -> Layer| match img {
            None => make(n),
            Some((h, w, c)) => Layer::PerPixel {
                h,
                w,
                inner: Box::new(make(c)),
            },
        };
        let mut next_img = None;
        let same = |m: usize| -> Result<(), String> {
            if m == n {
                Ok(())
            } else {
                Err(format!(
                    "{at} takes {n} values and outputs {m}; it should keep the size"
                ))
            }
        };
        match name.as_str() {
            "FULLY_CONNECTED" => {
                let (act, format) = match op.options {
                    Options::FullyConnected {
                        activation,
                        weights_format,
                    } => (activation, weights_format),
                    Options::None => (0, 0),
                    ref other => {
                        return Err(format!("{at} has options of the wrong kind ({other:?})"));
                    }
                };
                if format != 0 {
                    return Err(format!(
                        "{at} stores its weights in a shuffled format ({format}); typenet reads the default one"
                    ));
                }
                if let Some((h, w, c)) = img {
                    // TFLite's FULLY_CONNECTED reads any input as rows of its width
                    push(Layer::Flatten { h, w, c }, false);
                }
                let w_t = op
                    .inputs
                    .get(1)
                    .copied()
                    .flatten()
                    .map(|t| &tensors[t])
                    .ok_or_else(|| format!("{at} has no weights tensor"))?;
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
                if i != n || o == 0 {
                    return Err(format!(
                        "{at}'s weights have shape {:?}, but its input holds {n} values",
                        w_t.shape
                    ));
                }
                if out_n != o {
                    return Err(format!(
                        "{at}'s output holds {out_n} values, but its weights have {o} rows"
                    ));
                }
                let w_index = op.inputs[1].unwrap_or_default();
                let weights = constant(
                    model,
                    tensors,
                    &float16,
                    w_index,
                    &format!("{at}'s weights"),
                )?;
                let bias = match op.inputs.get(2).copied().flatten() {
                    None => vec![0.0; o],
                    Some(b) => {
                        let bias = constant(model, tensors, &float16, b, &format!("{at}'s bias"))?;
                        if bias.len() != o {
                            return Err(format!(
                                "{at}'s bias holds {} values, but there are {o} outputs",
                                bias.len()
                            ));
                        }
                        bias
                    }
                };
                push(
                    Layer::Dense {
                        i,
                        o,
                        weights,
                        bias,
                    },
                    false,
                );
                match act {
                    0 => {}
                    1 => push(Layer::Relu(o), true),
                    3 => push(Layer::Relu6(o), true),
                    a => {
                        return Err(format!(
                            "{at} has the fused activation {}, which typenet cannot import; NONE, RELU and RELU6 are supported",
                            activation::name(a)
                        ));
                    }
                }
            }
            "RELU" => {
                same(out_n)?;
                push(each(Layer::Relu), false);
                next_img = img;
            }
            "RELU6" => {
                same(out_n)?;
                push(each(Layer::Relu6), false);
                next_img = img;
            }
            "LEAKY_RELU" => {
                same(out_n)?;
                let alpha = match op.options {
                    Options::LeakyRelu { alpha } => alpha,
                    _ => 0.0,
                };
                if !alpha.is_finite() {
                    return Err(format!("{at} has the slope {alpha}"));
                }
                let layer = match img {
                    None => Layer::LeakyRelu(n, alpha),
                    Some((h, w, c)) => Layer::PerPixel {
                        h,
                        w,
                        inner: Box::new(Layer::LeakyRelu(c, alpha)),
                    },
                };
                push(layer, false);
                next_img = img;
            }
            "LOGISTIC" => {
                same(out_n)?;
                push(each(Layer::Sigmoid), false);
                next_img = img;
            }
            "TANH" => {
                same(out_n)?;
                push(each(Layer::Tanh), false);
                next_img = img;
            }
            "SOFTMAX" => {
                same(out_n)?;
                let beta = match op.options {
                    Options::Softmax { beta } => beta,
                    // TFLite reads a missing options table as all zeros
                    _ => 0.0,
                };
                #[allow(clippy::float_cmp)]
                if beta != 1.0 {
                    return Err(format!(
                        "{at} has beta = {beta}; typenet's Softmax has beta = 1"
                    ));
                }
                let last = t_out.shape.last().copied().unwrap_or(1);
                let unit = img.map_or(n, |(_, _, c)| c);
                if usize::try_from(last).ok() != Some(unit) {
                    return Err(format!(
                        "{at} runs over the last axis of shape {:?}, not over all {unit} values as typenet's Softmax does",
                        t_out.shape
                    ));
                }
                push(each(Layer::Softmax), false);
                next_img = img;
            }
            "RESHAPE" => {
                same(out_n)?;
                let to = conv::image(t_out);
                match (img, to) {
                    (Some(a), Some(b)) if a == b => skipped.push((k, name.clone())),
                    (Some((h, w, c)), None) if t_out.shape.len() <= 2 => {
                        push(Layer::Flatten { h, w, c }, false);
                    }
                    (None, None) => skipped.push((k, name.clone())),
                    // The model's input reshaped into an image before anything else
                    // (`speech.tflite` does this): the network takes that image, the
                    // same values in the same order.
                    (None, Some(b)) if cur == input => {
                        input_image = Some(b);
                        skipped.push((k, name.clone()));
                    }
                    _ => {
                        return Err(format!(
                            "{at} reshapes {:?} into {:?}; typenet imports a RESHAPE that keeps the shape, flattens an image into a vector ([1, n]) or reshapes a vector",
                            tensors[cur].shape, t_out.shape
                        ));
                    }
                }
                next_img = to;
            }
            "CONV_2D" | "DEPTHWISE_CONV_2D" | "MAX_POOL_2D" | "AVERAGE_POOL_2D" | "MEAN" => {
                let Some(image) = img else {
                    return Err(format!(
                        "{at} takes an image, but its input has shape {:?}; typenet imports images of shape [1, height, width, channels]",
                        tensors[cur].shape
                    ));
                };
                if name == "MEAN" {
                    let layer = conv::mean(&at, op, image, tensors, &model.buffers, t_out)?;
                    push(layer, false);
                } else {
                    let constant =
                        |t: usize, what: &str| constant(model, tensors, &float16, t, what);
                    let (layers, out_img) =
                        conv::layers(&at, &name, op, image, tensors, t_out, &constant)?;
                    for (j, layer) in layers.into_iter().enumerate() {
                        push(layer, j > 0);
                    }
                    next_img = Some(out_img);
                }
            }
            _ => return Err(format!("{at}: not handled (an importer bug)")),
        }
        (cur, n, img) = (out, out_n, next_img);
        joins.mark(out, steps.len(), (n, img));
    }
    joins.finish()?;
    if steps.is_empty() {
        return Err("the model only reshapes its input: there is no layer to import".into());
    }
    if cur != output {
        return Err(
            "the model's output is not the last operator's output: typenet imports a chain of operators, each feeding the next"
                .into(),
        );
    }
    Ok(Network {
        inputs,
        outputs: n,
        input_image,
        output_image: img,
        steps,
        skipped,
    })
}
