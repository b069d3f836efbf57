//! The part of TFLite's schema (`tensorflow/compiler/mlir/lite/schema/schema.fbs`) that
//! importing a model needs, read from a `.tflite` file into plain structs.
//!
//! Field numbers are the schema's (checked against the `tflite` Python package's
//! generated readers). Every index the file holds (operator codes, tensors, buffers) is
//! checked here, so the importer can index without checking again.

use super::flatbuf::{self, Result, Table};

/// TFLite's `TensorType` codes that the importer names.
pub mod dtype {
    /// `FLOAT32`
    pub const FLOAT32: i8 = 0;
    /// `FLOAT16`
    pub const FLOAT16: i8 = 1;
    /// `INT8`
    pub const INT8: i8 = 9;
    /// `UINT8`
    pub const UINT8: i8 = 3;
    /// `INT16`
    pub const INT16: i8 = 7;

    /// The type's name in TFLite's schema.
    pub fn name(t: i8) -> &'static str {
        match t {
            0 => "float32",
            1 => "float16",
            2 => "int32",
            3 => "uint8",
            4 => "int64",
            5 => "string",
            6 => "bool",
            7 => "int16",
            8 => "complex64",
            9 => "int8",
            10 => "float64",
            11 => "complex128",
            12 => "uint64",
            13 => "resource",
            14 => "variant",
            15 => "uint32",
            16 => "uint16",
            17 => "int4",
            18 => "bfloat16",
            _ => "an unknown type",
        }
    }
}

/// A whole model: operator codes, the subgraphs, the buffers.
pub struct Model<'a> {
    /// The operator kinds the operators refer to by index.
    pub opcodes: Vec<OpCode>,
    /// The subgraphs; the first is the model's main function.
    pub subgraphs: Vec<SubGraph>,
    /// Each buffer's bytes (empty for a tensor computed at run time).
    pub buffers: Vec<&'a [u8]>,
}

/// An operator kind.
pub struct OpCode {
    /// The builtin operator code (`BuiltinOperator`).
    pub builtin: i32,
    /// A custom operator's name.
    pub custom: Option<String>,
}

/// A subgraph: tensors and the operators between them.
pub struct SubGraph {
    /// The tensors.
    pub tensors: Vec<Tensor>,
    /// The subgraph's input tensors.
    pub inputs: Vec<usize>,
    /// The subgraph's output tensors.
    pub outputs: Vec<usize>,
    /// The operators, in execution order.
    pub operators: Vec<Operator>,
}

/// A tensor.
pub struct Tensor {
    /// Its dimensions.
    pub shape: Vec<i32>,
    /// Its element type (`TensorType`).
    pub dtype: i8,
    /// Its buffer (0: none).
    pub buffer: usize,
    /// Its name.
    pub name: String,
    /// Its quantization, if it has one.
    #[cfg_attr(not(test), allow(dead_code))]
    pub quant: Option<Quant>,
}

/// A tensor's quantization parameters: one scale and zero point per tensor, or one per
/// channel along `dim`. Read and checked now; used once the int8 layers can be imported.
#[cfg_attr(not(test), allow(dead_code))]
pub struct Quant {
    /// The scales.
    pub scale: Vec<f32>,
    /// The zero points.
    pub zero_point: Vec<i64>,
    /// The dimension the channels run along (per-channel quantization).
    pub dim: i32,
}

/// An operator.
pub struct Operator {
    /// Its operator code's index.
    pub opcode: usize,
    /// Its input tensors (`None`: an optional input left out, -1 in the file).
    pub inputs: Vec<Option<usize>>,
    /// Its output tensors.
    pub outputs: Vec<usize>,
    /// Its builtin options.
    pub options: Options,
}

/// TFLite's `ActivationFunctionType` of a fused activation.
pub mod activation {
    /// The name of fused activation `a`.
    pub fn name(a: i8) -> &'static str {
        match a {
            0 => "NONE",
            1 => "RELU",
            2 => "RELU_N1_TO_1",
            3 => "RELU6",
            4 => "TANH",
            5 => "SIGN_BIT",
            _ => "an unknown activation",
        }
    }
}

/// The builtin options the importer reads.
#[derive(Debug, PartialEq)]
pub enum Options {
    /// None given.
    None,
    /// `FullyConnectedOptions`.
    FullyConnected {
        /// The fused activation.
        activation: i8,
        /// 0 = DEFAULT; 1 = a shuffled layout for one kernel.
        weights_format: i8,
    },
    /// `Conv2DOptions`.
    Conv2d {
        /// 0 = SAME, 1 = VALID.
        padding: i8,
        /// (height, width)
        stride: (i32, i32),
        /// (height, width)
        dilation: (i32, i32),
        /// The fused activation.
        activation: i8,
    },
    /// `DepthwiseConv2DOptions`.
    DepthwiseConv2d {
        /// 0 = SAME, 1 = VALID.
        padding: i8,
        /// (height, width)
        stride: (i32, i32),
        /// The depth multiplier.
        depth_multiplier: i32,
        /// (height, width)
        dilation: (i32, i32),
        /// The fused activation.
        activation: i8,
    },
    /// `Pool2DOptions`.
    Pool2d {
        /// 0 = SAME, 1 = VALID.
        padding: i8,
        /// (height, width)
        stride: (i32, i32),
        /// (height, width)
        filter: (i32, i32),
        /// The fused activation.
        activation: i8,
    },
    /// `AddOptions`.
    Add {
        /// The fused activation.
        activation: i8,
    },
    /// `LeakyReluOptions`.
    LeakyRelu {
        /// The slope for negative inputs.
        alpha: f32,
    },
    /// `SoftmaxOptions`.
    Softmax {
        /// The inverse temperature.
        beta: f32,
    },
    /// Options of another kind (`BuiltinOptions` union type), not read.
    Other(u8),
}

/// Reads a `.tflite` file.
///
/// A wrong identifier or schema version is said as such; any other error is prefixed
/// with "the file is damaged or cut short".
pub fn read(buf: &[u8]) -> Result<Model<'_>> {
    flatbuf::check_identifier(buf, *b"TFL3")?;
    let damaged = |e: String| format!("the file is damaged or cut short: {e}");
    let m = flatbuf::root(buf, "the Model table").map_err(damaged)?;
    let version = m.u32(0, "version", 0).map_err(damaged)?;
    if version != 3 {
        return Err(format!(
            "its schema version is {version}; TFLite (and typenet) read version 3"
        ));
    }
    read_tables(buf, &m).map_err(damaged)
}

fn read_tables<'a>(buf: &'a [u8], m: &Table<'a>) -> Result<Model<'a>> {
    let opcodes = m
        .tables(1, "operator_codes", "an OperatorCode table")?
        .iter()
        .map(read_opcode)
        .collect::<Result<Vec<_>>>()?;
    let buffers = m
        .tables(4, "buffers", "a Buffer table")?
        .iter()
        .enumerate()
        .map(|(k, b)| read_buffer(buf, k, b))
        .collect::<Result<Vec<_>>>()?;
    let subgraphs = m
        .tables(2, "subgraphs", "a SubGraph table")?
        .iter()
        .enumerate()
        .map(|(k, s)| read_subgraph(k, s, opcodes.len(), buffers.len()))
        .collect::<Result<Vec<_>>>()?;
    Ok(Model {
        opcodes,
        subgraphs,
        buffers,
    })
}

fn read_opcode(t: &Table<'_>) -> Result<OpCode> {
    let deprecated = t.i8(0, "deprecated_builtin_code", 0)?;
    let builtin = t.i32(3, "builtin_code", 0)?;
    // Codes below 127 are written in both fields; larger ones only in `builtin_code`,
    // with `deprecated_builtin_code` = 127 (PLACEHOLDER_FOR_GREATER_OP_CODES). Old files
    // have only the deprecated field. TFLite takes the larger of the two.
    Ok(OpCode {
        builtin: builtin.max(i32::from(deprecated)),
        custom: t.string(1, "custom_code")?,
    })
}

fn read_buffer<'a>(file: &'a [u8], k: usize, t: &Table<'a>) -> Result<&'a [u8]> {
    if let Some(v) = t.vector(0, "data", 1)? {
        return Ok(v.data);
    }
    // Models over 2 GB keep their data after the FlatBuffer: `offset` (> 1) and `size`
    // in bytes from the start of the file.
    let offset = t.u64(1, "offset", 0)?;
    let size = t.u64(2, "size", 0)?;
    if offset <= 1 {
        return Ok(&[]);
    }
    usize::try_from(offset)
        .ok()
        .zip(usize::try_from(size).ok())
        .and_then(|(o, s)| file.get(o..o.checked_add(s)?))
        .ok_or_else(|| {
            format!(
                "buffer {k}'s data ({size} bytes at byte {offset}) lies outside the file ({} bytes)",
                file.len()
            )
        })
}

/// Tensor index `v`, checked against the subgraph's `len` tensors.
fn index(v: i32, len: usize, what: impl Fn() -> String) -> Result<usize> {
    usize::try_from(v).ok().filter(|&i| i < len).ok_or_else(|| {
        format!(
            "{} is {v}, but the subgraph has {}",
            what(),
            super::import::count(len, "tensor")
        )
    })
}

fn read_subgraph(k: usize, t: &Table<'_>, opcodes: usize, buffers: usize) -> Result<SubGraph> {
    let tensors = t
        .tables(0, "tensors", "a Tensor table")?
        .iter()
        .enumerate()
        .map(|(i, t)| read_tensor(k, i, t, buffers))
        .collect::<Result<Vec<_>>>()?;
    let n = tensors.len();
    let indices = |id, name: &'static str| -> Result<Vec<usize>> {
        t.i32s(id, name)?
            .into_iter()
            .map(|v| index(v, n, || format!("subgraph {k}: an entry of `{name}`")))
            .collect()
    };
    let inputs = indices(1, "inputs")?;
    let outputs = indices(2, "outputs")?;
    let operators = t
        .tables(3, "operators", "an Operator table")?
        .iter()
        .enumerate()
        .map(|(i, op)| read_operator(i, op, opcodes, n))
        .collect::<Result<Vec<_>>>()?;
    Ok(SubGraph {
        tensors,
        inputs,
        outputs,
        operators,
    })
}

fn read_tensor(k: usize, i: usize, t: &Table<'_>, buffers: usize) -> Result<Tensor> {
    let buffer = t.u32(2, "buffer", 0)?;
    let buffer = usize::try_from(buffer)
        .ok()
        .filter(|&b| b < buffers.max(1))
        .ok_or_else(|| {
            format!(
                "subgraph {k}: tensor {i}'s buffer is {buffer}, but the model has {}",
                super::import::count(buffers, "buffer")
            )
        })?;
    let quant = match t.table(4, "quantization", "a QuantizationParameters table")? {
        Some(q) => {
            let scale = q.f32s(2, "scale")?;
            let zero_point = q.i64s(3, "zero_point")?;
            (!scale.is_empty() || !zero_point.is_empty())
                .then(|| -> Result<Quant> {
                    Ok(Quant {
                        scale,
                        zero_point,
                        dim: q.i32(6, "quantized_dimension", 0)?,
                    })
                })
                .transpose()?
        }
        None => None,
    };
    Ok(Tensor {
        shape: t.i32s(0, "shape")?,
        dtype: t.i8(1, "type", 0)?,
        buffer,
        name: t.string(3, "name")?.unwrap_or_default(),
        quant,
    })
}

fn read_operator(i: usize, t: &Table<'_>, opcodes: usize, tensors: usize) -> Result<Operator> {
    let code = t.u32(0, "opcode_index", 0)?;
    let opcode = usize::try_from(code)
        .ok()
        .filter(|&c| c < opcodes)
        .ok_or_else(|| {
            format!(
                "operator {i}'s opcode_index is {code}, but the model has {}",
                super::import::count(opcodes, "operator code")
            )
        })?;
    let inputs = t
        .i32s(1, "inputs")?
        .into_iter()
        .map(|v| {
            if v == -1 {
                Ok(None)
            } else {
                index(v, tensors, || format!("operator {i}: an input tensor")).map(Some)
            }
        })
        .collect::<Result<Vec<_>>>()?;
    let outputs = t
        .i32s(2, "outputs")?
        .into_iter()
        .map(|v| index(v, tensors, || format!("operator {i}: an output tensor")))
        .collect::<Result<Vec<_>>>()?;
    let kind = t.u8(3, "builtin_options_type", 0)?;
    let options = match t.table(4, "builtin_options", "an operator's options table")? {
        None => Options::None,
        Some(o) => read_options(kind, &o)?,
    };
    Ok(Operator {
        opcode,
        inputs,
        outputs,
        options,
    })
}

/// The options table of union type `kind` (`BuiltinOptions` in the schema).
fn read_options(kind: u8, o: &Table<'_>) -> Result<Options> {
    let act = |id| o.i8(id, "fused_activation_function", 0);
    Ok(match kind {
        // Conv2DOptions
        1 => Options::Conv2d {
            padding: o.i8(0, "padding", 0)?,
            stride: (o.i32(2, "stride_h", 0)?, o.i32(1, "stride_w", 0)?),
            activation: act(3)?,
            dilation: (
                o.i32(5, "dilation_h_factor", 1)?,
                o.i32(4, "dilation_w_factor", 1)?,
            ),
        },
        // DepthwiseConv2DOptions
        2 => Options::DepthwiseConv2d {
            padding: o.i8(0, "padding", 0)?,
            stride: (o.i32(2, "stride_h", 0)?, o.i32(1, "stride_w", 0)?),
            depth_multiplier: o.i32(3, "depth_multiplier", 0)?,
            activation: act(4)?,
            dilation: (
                o.i32(6, "dilation_h_factor", 1)?,
                o.i32(5, "dilation_w_factor", 1)?,
            ),
        },
        // Pool2DOptions
        5 => Options::Pool2d {
            padding: o.i8(0, "padding", 0)?,
            stride: (o.i32(2, "stride_h", 0)?, o.i32(1, "stride_w", 0)?),
            filter: (o.i32(4, "filter_height", 0)?, o.i32(3, "filter_width", 0)?),
            activation: act(5)?,
        },
        // FullyConnectedOptions
        8 => Options::FullyConnected {
            activation: act(0)?,
            weights_format: o.i8(1, "weights_format", 0)?,
        },
        // SoftmaxOptions
        9 => Options::Softmax {
            beta: o.f32(0, "beta", 0.0)?,
        },
        // AddOptions
        11 => Options::Add {
            activation: act(0)?,
        },
        // LeakyReluOptions
        75 => Options::LeakyRelu {
            alpha: o.f32(0, "alpha", 0.0)?,
        },
        other => Options::Other(other),
    })
}
