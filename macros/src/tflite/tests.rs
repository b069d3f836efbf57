//! The reader and the importer on the committed test models, on hand-made FlatBuffers
//! (one field wrong at a time) and on mutated bytes (never a panic).

use super::import::{Layer, import};
use super::import_bytes;
use super::model::{Options, read};
use std::path::Path;

fn file(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/data/tflite")
        .join(name);
    std::fs::read(path).unwrap()
}

fn err(bytes: &[u8]) -> String {
    match import_bytes(bytes) {
        Ok(net) => panic!("imported: {net:?}"),
        Err(e) => e,
    }
}

#[test]
fn reads_the_xor_model() {
    let bytes = file("xor.tflite");
    let m = read(&bytes).unwrap();
    assert_eq!(m.subgraphs.len(), 1);
    let g = &m.subgraphs[0];
    assert_eq!(
        (g.inputs.as_slice(), g.tensors[0].shape.as_slice()),
        (&[0][..], &[1, 2][..])
    );
    assert_eq!(g.tensors[0].name, "input");
    // FULLY_CONNECTED (9) twice, then LOGISTIC (14): two operator codes
    let codes: Vec<i32> = m.opcodes.iter().map(|c| c.builtin).collect();
    assert_eq!(codes, [9, 14]);
    assert_eq!(g.operators.len(), 3);
    assert_eq!(
        g.operators[0].options,
        Options::FullyConnected {
            activation: 1,
            weights_format: 0
        }
    );
    assert_eq!(g.operators[1].inputs.len(), 3);
    let net = import(&m).unwrap();
    assert_eq!((net.inputs, net.outputs), (2, 1));
    let layers: Vec<&Layer> = net.steps.iter().map(|s| &s.layer).collect();
    assert_eq!(
        layers,
        [
            &Layer::Dense {
                i: 2,
                o: 4,
                weights: vec![1.0, 1.0, 1.0, 1.0, 1.0, -1.0, -1.0, 1.0],
                bias: vec![0.0, -1.0, 0.0, 0.0]
            },
            &Layer::Relu(4),
            &Layer::Dense {
                i: 4,
                o: 1,
                weights: vec![4.0, -8.0, 2.0, 2.0],
                bias: vec![-3.0]
            },
            &Layer::Sigmoid(1),
        ]
    );
    assert!(net.steps[1].fused && !net.steps[2].fused);
}

#[test]
fn reads_the_mlp_and_the_int8_model() {
    let net = import_bytes(&file("mlp.tflite")).unwrap();
    assert_eq!((net.inputs, net.outputs), (8, 6));
    assert_eq!(net.skipped, [(0, "RESHAPE".to_string())]);
    assert_eq!(net.steps.len(), 8);
    let bytes = file("int8_fc.tflite");
    let m = read(&bytes).unwrap();
    let w = &m.subgraphs[0].tensors[1];
    let q = w.quant.as_ref().unwrap();
    // per-channel weights: two scales, zero points 0
    assert_eq!(
        (q.scale.as_slice(), q.zero_point.as_slice()),
        (&[0.01, 0.02][..], &[0, 0][..])
    );
    assert_eq!(q.dim, 0);
    assert_eq!(m.buffers[w.buffer], [1, 254, 3, 4, 5, 6, 249, 8]);
    let e = import(&m).unwrap_err();
    assert!(
        e.contains("quantized model") && e.contains("operator 0, FULLY_CONNECTED"),
        "{e}"
    );
}

/// Every float16 bit pattern, against the value computed from its definition.
#[test]
#[allow(clippy::float_cmp)] // every float16 is exact in f32 and f64
fn float16_converts_exactly() {
    use super::import::f16_to_f32;
    for h in 0..=u16::MAX {
        let (s, e, m) = (h >> 15, i32::from((h >> 10) & 0x1f), f64::from(h & 0x3ff));
        let magnitude = match e {
            0 => m / 1024.0 * 2f64.powi(-14),
            31 => {
                assert_eq!(f16_to_f32(h), None, "{h:#06x}");
                continue;
            }
            _ => (1.0 + m / 1024.0) * 2f64.powi(e - 15),
        };
        let expected = if s == 1 { -magnitude } else { magnitude };
        let got = f16_to_f32(h).unwrap();
        assert_eq!(f64::from(got), expected, "{h:#06x}");
        assert_eq!(got.is_sign_negative(), s == 1, "{h:#06x}");
    }
    assert_eq!(f16_to_f32(0x3c00), Some(1.0));
    assert_eq!(f16_to_f32(0x7bff), Some(65504.0));
    assert_eq!(f16_to_f32(0x0001), Some(2f32.powi(-24)));
}

#[test]
fn reads_float16_weights() {
    let net = import_bytes(&file("float16.tflite")).unwrap();
    let skipped: Vec<usize> = net.skipped.iter().map(|s| s.0).collect();
    assert_eq!(skipped, [0, 1, 3, 4]); // the four DEQUANTIZE operators
    assert_eq!(net.steps.len(), 4);
    // a NaN float16 weight is an error
    let mut bytes = file("float16.tflite");
    let m = read(&bytes).unwrap();
    let g = &m.subgraphs[0];
    let w = &g.tensors[g.operators[0].inputs[0].unwrap()];
    let data = m.buffers[w.buffer];
    let at = data.as_ptr() as usize - bytes.as_ptr() as usize;
    bytes[at..at + 2].copy_from_slice(&0x7e00u16.to_le_bytes());
    assert!(
        err(&bytes).ends_with("value 0 is infinite or NaN"),
        "{}",
        err(&bytes)
    );
}

#[test]
fn file_errors_are_words() {
    let xor = file("xor.tflite");
    let mut wrong = xor.clone();
    wrong[4..8].copy_from_slice(b"TFL2");
    assert_eq!(
        err(&wrong),
        "its file identifier is `TFL2`, not `TFL3`: it is not a TFLite model"
    );
    assert!(err(b"\x93NUMPY\x01\x00").contains("not a TFLite model"));
    assert!(err(&xor[..6]).contains("too short"));
    assert!(err(&file("truncated.tflite")).contains("outside the file"));
    assert!(err(&file("mul.tflite")).starts_with("operator 1 is MUL, which typenet cannot import"));
}

/// Every strict prefix of a real file is an error, never a panic.
#[test]
fn every_truncation_is_an_error() {
    for name in [
        "xor.tflite",
        "mlp.tflite",
        "cnn.tflite",
        "microflow/sine.tflite",
    ] {
        let bytes = file(name);
        for n in 0..bytes.len() {
            assert!(import_bytes(&bytes[..n]).is_err(), "{name} cut at {n}");
        }
    }
}

/// Random mutations of real files: no panic, and the accepted ones are consistent.
#[test]
#[allow(clippy::many_single_char_names, clippy::similar_names)]
fn mutated_files_never_panic() {
    let files = [
        file("xor.tflite"),
        file("mlp.tflite"),
        file("cnn.tflite"),
        file("pools.tflite"),
        file("int8_fc.tflite"),
        file("microflow/sine.tflite"),
        file("microflow/speech.tflite"),
    ];
    let mut state = 0x7f1e_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        usize::try_from(state >> 40).unwrap_or(0)
    };
    let (n, mut accepted, mut rejected) = (42_000, 0, 0);
    for round in 0..n {
        let mut b = files[round % files.len()].clone();
        for _ in 0..=next() % 4 {
            let i = next() % b.len();
            match next() % 4 {
                0 => b[i] = u8::try_from(next() % 256).unwrap_or(0),
                1 => b[i] ^= 1 << (next() % 8),
                2 => b.truncate(i.max(8)),
                _ => {
                    // a plausible small offset or count in a 4-byte slot
                    let v = u32::try_from(next() % 64).unwrap_or(0).to_le_bytes();
                    let j = i.min(b.len().saturating_sub(4));
                    b[j..j + 4].copy_from_slice(&v);
                }
            }
        }
        match import_bytes(&b) {
            Ok(net) => {
                // only the float32 files can import
                assert!(round % files.len() < 4, "an int8 file imported");
                accepted += 1;
                assert!(!net.steps.is_empty() && net.inputs > 0);
            }
            Err(e) => {
                rejected += 1;
                assert!(!e.is_empty());
            }
        }
    }
    println!("{accepted} of {n} mutated files imported, {rejected} rejected with a message");
    // Mutations of float data keep a model valid; most structural ones do not.
    assert!(
        accepted > 0 && rejected > 0,
        "{accepted} accepted, {rejected} rejected"
    );
}

/// Random bytes behind a valid header.
#[test]
fn random_bytes_never_panic() {
    let mut state = 0x5eed_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..20_000 {
        let len = 8 + usize::try_from(next() % 120).unwrap_or(0);
        let mut b: Vec<u8> = (0..len).map(|_| next().to_le_bytes()[3]).collect();
        b[4..8].copy_from_slice(b"TFL3");
        // small root offsets, so that some reads get past the root
        b[0] = u8::try_from(next() % 64).unwrap_or(0);
        b[1..4].fill(0);
        assert!(import_bytes(&b).is_err());
    }
}

// ----------------------------------------------------------------------------- hand-made

/// A value in a hand-made FlatBuffer.
#[derive(Clone)]
enum F {
    I8(i8),
    U8(u8),
    I32(i32),
    U32(u32),
    /// A reference to object `k` (laid out after the referring one).
    Ref(usize),
}

/// An object in a hand-made FlatBuffer.
#[derive(Clone)]
enum Obj {
    /// A table's fields by id (`None`: absent).
    Table(Vec<Option<F>>),
    /// A vector of `i32`s.
    Ints(Vec<i32>),
    /// A vector of references.
    Refs(Vec<usize>),
    /// A vector of bytes (a string or a buffer's data).
    Bytes(Vec<u8>),
}

/// Lays out `objs` after an 8-byte header (root = object 0, identifier `TFL3`): each
/// table as its vtable then the table, 4-byte aligned, each reference forward.
fn layout(objs: &[Obj]) -> Vec<u8> {
    let mut out = vec![0u8; 8];
    out[4..8].copy_from_slice(b"TFL3");
    let mut at = vec![0usize; objs.len()];
    let mut fixups: Vec<(usize, usize)> = Vec::new(); // (slot position, object)
    for (k, obj) in objs.iter().enumerate() {
        while !out.len().is_multiple_of(4) {
            out.push(0);
        }
        match obj {
            Obj::Table(fields) => {
                // every field in a 4-byte slot (1-byte values padded), 8-aligned not needed
                let vt = out.len();
                let vt_len = 4 + 2 * fields.len();
                let padded = vt_len.next_multiple_of(4);
                let t = vt + padded;
                let t_len = 4 + 4 * fields.len();
                out.extend(u16::try_from(vt_len).unwrap().to_le_bytes());
                out.extend(u16::try_from(t_len).unwrap().to_le_bytes());
                for (i, f) in fields.iter().enumerate() {
                    let off = if f.is_some() { 4 + 4 * i } else { 0 };
                    out.extend(u16::try_from(off).unwrap().to_le_bytes());
                }
                out.resize(t, 0);
                at[k] = t;
                out.extend(i32::try_from(t - vt).unwrap().to_le_bytes());
                for f in fields {
                    let slot = out.len();
                    let bytes = match f {
                        None => [0; 4],
                        Some(F::I8(v)) => [v.to_le_bytes()[0], 0, 0, 0],
                        Some(F::U8(v)) => [*v, 0, 0, 0],
                        Some(F::I32(v)) => v.to_le_bytes(),
                        Some(F::U32(v)) => v.to_le_bytes(),
                        Some(F::Ref(o)) => {
                            fixups.push((slot, *o));
                            [0; 4]
                        }
                    };
                    out.extend(bytes);
                }
            }
            Obj::Ints(v) => {
                at[k] = out.len();
                out.extend(u32::try_from(v.len()).unwrap().to_le_bytes());
                for x in v {
                    out.extend(x.to_le_bytes());
                }
            }
            Obj::Refs(v) => {
                at[k] = out.len();
                out.extend(u32::try_from(v.len()).unwrap().to_le_bytes());
                for &o in v {
                    fixups.push((out.len(), o));
                    out.extend([0; 4]);
                }
            }
            Obj::Bytes(v) => {
                at[k] = out.len();
                out.extend(u32::try_from(v.len()).unwrap().to_le_bytes());
                out.extend(v);
            }
        }
    }
    out[0..4].copy_from_slice(&u32::try_from(at[0]).unwrap().to_le_bytes());
    for (slot, o) in fixups {
        assert!(at[o] > slot, "references point forward");
        let rel = u32::try_from(at[o] - slot).unwrap();
        out[slot..slot + 4].copy_from_slice(&rel.to_le_bytes());
    }
    out
}

fn f32_bytes(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

/// A one-operator model, FULLY_CONNECTED 2 → 1 with a fused RELU, as objects that the
/// tests change one at a time. Object indices are named by the constants below.
fn fc_model() -> Vec<Obj> {
    use F::{I8, I32, Ref, U32};
    let t = |shape: usize, ty: i8, buffer: u32| {
        Obj::Table(vec![Some(Ref(shape)), Some(I8(ty)), Some(U32(buffer))])
    };
    vec![
        // 0 Model: version, operator_codes, subgraphs, description, buffers
        Obj::Table(vec![
            Some(U32(3)),
            Some(Ref(1)),
            Some(Ref(3)),
            None,
            Some(Ref(17)),
        ]),
        // 1 operator codes
        Obj::Refs(vec![2]),
        // 2 OperatorCode: deprecated_builtin_code, custom_code, version, builtin_code
        Obj::Table(vec![Some(I8(9)), None, Some(I32(1)), Some(I32(9))]),
        // 3 subgraphs
        Obj::Refs(vec![4]),
        // 4 SubGraph: tensors, inputs, outputs, operators
        Obj::Table(vec![
            Some(Ref(5)),
            Some(Ref(10)),
            Some(Ref(11)),
            Some(Ref(12)),
        ]),
        // 5 tensors: input [1,2], weights [1,2] (buffer 1), bias [1] (buffer 2), output [1,1]
        Obj::Refs(vec![6, 7, 8, 9]),
        t(20, 0, 0),
        t(21, 0, 1),
        t(22, 0, 2),
        t(23, 0, 0),
        // 10 subgraph inputs, 11 outputs
        Obj::Ints(vec![0]),
        Obj::Ints(vec![3]),
        // 12 operators
        Obj::Refs(vec![13]),
        // 13 Operator: opcode_index, inputs, outputs, options type, options
        Obj::Table(vec![
            Some(U32(0)),
            Some(Ref(14)),
            Some(Ref(15)),
            Some(F::U8(8)),
            Some(Ref(16)),
        ]),
        Obj::Ints(vec![0, 1, 2]),
        Obj::Ints(vec![3]),
        // 16 FullyConnectedOptions: fused RELU
        Obj::Table(vec![Some(I8(1))]),
        // 17 buffers: empty, weights, bias
        Obj::Refs(vec![18, 19, 24]),
        Obj::Table(vec![]),
        Obj::Table(vec![Some(Ref(25))]),
        // 20–23 shapes
        Obj::Ints(vec![1, 2]),
        Obj::Ints(vec![1, 2]),
        Obj::Ints(vec![1]),
        Obj::Ints(vec![1, 1]),
        // 24 bias buffer, 25 weight data, 26 bias data
        Obj::Table(vec![Some(Ref(26))]),
        Obj::Bytes(f32_bytes(&[0.5, -2.0])),
        Obj::Bytes(f32_bytes(&[0.25])),
    ]
}

fn set(objs: &mut [Obj], k: usize, field: usize, v: F) {
    let Obj::Table(fields) = &mut objs[k] else {
        panic!("object {k} is not a table")
    };
    if fields.len() <= field {
        fields.resize(field + 1, None);
    }
    fields[field] = Some(v);
}

#[test]
fn the_hand_made_model_imports() {
    let net = import_bytes(&layout(&fc_model())).unwrap();
    assert_eq!(
        net.steps.iter().map(|s| &s.layer).collect::<Vec<_>>(),
        [
            &Layer::Dense {
                i: 2,
                o: 1,
                weights: vec![0.5, -2.0],
                bias: vec![0.25]
            },
            &Layer::Relu(1)
        ]
    );
}

/// One thing wrong at a time, each with its message.
#[test]
#[allow(clippy::too_many_lines, clippy::type_complexity)]
fn hand_made_errors_are_words() {
    let cases: Vec<(&str, Box<dyn Fn(&mut Vec<Obj>)>, &str)> = vec![
        (
            "version",
            Box::new(|m| set(m, 0, 0, F::U32(2))),
            "its schema version is 2",
        ),
        (
            "opcode index",
            Box::new(|m| set(m, 13, 0, F::U32(1))),
            "operator 0's opcode_index is 1, but the model has 1 operator code",
        ),
        (
            "tensor index",
            Box::new(|m| m[14] = Obj::Ints(vec![0, 7, 2])),
            "damaged or cut short: operator 0: an input tensor is 7, but the subgraph has 4 tensors",
        ),
        (
            "buffer index",
            Box::new(|m| set(m, 7, 2, F::U32(9))),
            "subgraph 0: tensor 1's buffer is 9, but the model has 3 buffers",
        ),
        (
            "unsupported op",
            Box::new(|m| {
                set(m, 2, 0, F::I8(18));
                set(m, 2, 3, F::I32(18));
            }),
            "operator 0 is MUL, which typenet cannot import (yet); supported: FULLY_CONNECTED, RELU, LEAKY_RELU, LOGISTIC, TANH, SOFTMAX, RESHAPE",
        ),
        (
            // code 150 only in builtin_code; the deprecated field holds the placeholder
            "large op code",
            Box::new(|m| {
                set(m, 2, 0, F::I8(127));
                set(m, 2, 3, F::I32(150));
            }),
            "operator 0 is ",
        ),
        (
            "old file: only the deprecated code",
            Box::new(|m| {
                set(m, 2, 0, F::I8(28));
                set(m, 2, 3, F::I32(0));
            }),
            "operator 0 (TANH) takes 2 values and outputs 1",
        ),
        (
            "int8 input",
            Box::new(|m| set(m, 6, 1, F::I8(9))),
            "it is a quantized model (operator 0, FULLY_CONNECTED, computes in integers)",
        ),
        (
            "float16 weights",
            Box::new(|m| set(m, 7, 1, F::I8(1))),
            "operator 0 (FULLY_CONNECTED)'s weights: float16 values; typenet imports float32 weights",
        ),
        (
            "weights not constant",
            Box::new(|m| set(m, 7, 2, F::U32(0))),
            "operator 0 (FULLY_CONNECTED)'s weights: not a constant",
        ),
        (
            "short weight data",
            Box::new(|m| m[25] = Obj::Bytes(f32_bytes(&[0.5]))),
            "needs 8 bytes, but its buffer holds 4",
        ),
        (
            "NaN weight",
            Box::new(|m| m[25] = Obj::Bytes(f32_bytes(&[0.5, f32::NAN]))),
            "value 1 is NaN",
        ),
        (
            "fused TANH",
            Box::new(|m| set(m, 16, 0, F::I8(4))),
            "operator 0 (FULLY_CONNECTED) has the fused activation TANH, which typenet cannot import; NONE, RELU and RELU6 are supported",
        ),
        (
            "weights of the wrong width",
            Box::new(|m| m[21] = Obj::Ints(vec![1, 3])),
            "weights have shape [1, 3], but its input holds 2 values",
        ),
        (
            // TFLite reads a missing options table as zeros: beta 0, not 1
            "softmax without options",
            Box::new(|m| {
                set(m, 2, 0, F::I8(25));
                set(m, 2, 3, F::I32(25));
                m[14] = Obj::Ints(vec![0]);
                m[23] = Obj::Ints(vec![1, 2]);
                let Obj::Table(op) = &mut m[13] else { return };
                op.truncate(3);
            }),
            "operator 0 (SOFTMAX) has beta = 0; typenet's Softmax has beta = 1",
        ),
        (
            "empty input",
            Box::new(|m| m[20] = Obj::Ints(vec![1, 0])),
            "its input has shape [1, 0], which holds no values",
        ),
        (
            "dynamic size",
            Box::new(|m| m[20] = Obj::Ints(vec![1, -1])),
            "the model's input has shape [1, -1]: a size known only at run time",
        ),
        (
            "batch of 4",
            Box::new(|m| m[20] = Obj::Ints(vec![4, 2])),
            "a batch of 4",
        ),
        (
            "not a chain",
            Box::new(|m| m[14] = Obj::Ints(vec![3, 1, 2])),
            "reads tensor 3, which is neither the previous operator's output nor an earlier tensor of the chain",
        ),
        (
            "two inputs",
            Box::new(|m| m[10] = Obj::Ints(vec![0, 3])),
            "the model has 2 inputs and 1 output;",
        ),
        (
            "no operators",
            Box::new(|m| m[12] = Obj::Refs(vec![])),
            "the model has no operators",
        ),
        (
            "no subgraph",
            Box::new(|m| m[3] = Obj::Refs(vec![])),
            "the model has no subgraph",
        ),
        (
            "options of another kind",
            Box::new(|m| set(m, 13, 3, F::U8(9))),
            "has options of the wrong kind (Softmax",
        ),
        (
            "empty bias buffer",
            Box::new(|m| m[26] = Obj::Bytes(vec![])),
            "operator 0 (FULLY_CONNECTED)'s bias: not a constant",
        ),
    ];
    for (what, change, expected) in cases {
        let mut m = fc_model();
        change(&mut m);
        let e = err(&layout(&m));
        println!("{what}: {e}");
        assert!(e.contains(expected), "{what}: {e}");
    }
    // a vector whose length runs past the end
    let mut b = layout(&fc_model());
    let n = b.len();
    b[n - 8..n - 4].copy_from_slice(&1000u32.to_le_bytes());
    assert!(
        err(&b).contains("runs past the end of the file"),
        "{}",
        err(&b)
    );
}

/// The `microflow` crate's int8 models, as TensorFlow's converter wrote them (metadata,
/// signature defs, names): read in full, and refused with the int8 message.
#[test]
#[allow(clippy::many_single_char_names)]
fn reads_the_microflow_models() {
    let names = |bytes: &[u8]| -> Vec<String> {
        let m = read(bytes).unwrap();
        m.subgraphs[0]
            .operators
            .iter()
            .map(|o| {
                super::ops::name(m.opcodes[o.opcode].builtin)
                    .unwrap()
                    .to_owned()
            })
            .collect()
    };
    let sine = file("microflow/sine.tflite");
    assert_eq!(names(&sine), ["FULLY_CONNECTED"; 3]);
    let m = read(&sine).unwrap();
    let g = &m.subgraphs[0];
    let acts: Vec<&Options> = g.operators.iter().map(|o| &o.options).collect();
    let fc = |activation| Options::FullyConnected {
        activation,
        weights_format: 0,
    };
    assert_eq!(acts, [&fc(1), &fc(1), &fc(0)]);
    let w = &g.tensors[g.operators[1].inputs[1].unwrap()];
    assert_eq!((w.shape.as_slice(), w.dtype), (&[16, 16][..], 9));
    assert_eq!(m.buffers[w.buffer].len(), 256);
    assert_eq!(w.quant.as_ref().unwrap().scale.len(), 1); // per tensor
    let e = import(&m).unwrap_err();
    assert!(
        e.starts_with("it is a quantized model (operator 0, FULLY_CONNECTED"),
        "{e}"
    );

    let speech = file("microflow/speech.tflite");
    assert_eq!(
        names(&speech),
        ["RESHAPE", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "SOFTMAX"]
    );
    let m = read(&speech).unwrap();
    let g = &m.subgraphs[0];
    assert_eq!(
        g.operators[1].options,
        Options::DepthwiseConv2d {
            padding: 0,
            stride: (2, 2),
            depth_multiplier: 8,
            dilation: (1, 1),
            activation: 1
        }
    );
    let dw = &g.tensors[g.operators[1].inputs[1].unwrap()];
    let q = dw.quant.as_ref().unwrap();
    // per-channel weights: 8 scales along the last dimension, zero points 0
    assert_eq!(
        (dw.shape.as_slice(), q.scale.len(), q.dim),
        (&[1, 10, 8, 8][..], 8, 3)
    );
    assert!(q.zero_point.iter().all(|&z| z == 0));
    let fc_w = &g.tensors[g.operators[2].inputs[1].unwrap()];
    assert_eq!(fc_w.shape, [4, 4000]);
    assert_eq!(m.buffers[fc_w.buffer].len(), 16_000);
    assert!(
        import(&m)
            .unwrap_err()
            .starts_with("it is a quantized model")
    );
}

/// The convolutional test model with one operator's options changed: each unsupported
/// option is an error naming the operator, its index and the option.
#[test]
#[allow(clippy::type_complexity)]
fn conv_options_typenet_cannot_import_are_named() {
    let bytes = file("cnn.tflite");
    let errors = |change: &dyn Fn(&mut Options)| {
        let mut m = read(&bytes).unwrap();
        assert!(import(&m).is_ok());
        for op in &mut m.subgraphs[0].operators {
            change(&mut op.options);
        }
        import(&m).unwrap_err()
    };
    let cases: [(&dyn Fn(&mut Options), &str); 7] = [
        (
            &|o| {
                if let Options::Conv2d { dilation, .. } = o {
                    *dilation = (2, 1);
                }
            },
            "operator 0 (CONV_2D) has the dilation 2×1 (height × width); typenet's convolutions have dilation 1",
        ),
        (
            &|o| {
                if let Options::Conv2d { activation, .. } = o {
                    *activation = 4;
                }
            },
            "operator 0 (CONV_2D) has the fused activation TANH, which typenet cannot import; NONE, RELU and RELU6 are supported",
        ),
        (
            &|o| {
                if let Options::DepthwiseConv2d { dilation, .. } = o {
                    *dilation = (1, 3);
                }
            },
            "operator 2 (DEPTHWISE_CONV_2D) has the dilation 1×3",
        ),
        (
            &|o| {
                if let Options::DepthwiseConv2d {
                    depth_multiplier, ..
                } = o
                {
                    *depth_multiplier = 3;
                }
            },
            "operator 2 (DEPTHWISE_CONV_2D)'s filter has shape [1, 3, 3, 8] and depth multiplier 3, but its input has 4 channels",
        ),
        (
            &|o| {
                if let Options::Pool2d { activation, .. } = o {
                    *activation = 2;
                }
            },
            "operator 1 (MAX_POOL_2D) has the fused activation RELU_N1_TO_1",
        ),
        (
            &|o| {
                if let Options::Pool2d { stride, .. } = o {
                    *stride = (1, 1);
                }
            },
            "operator 1 (MAX_POOL_2D)'s output has shape [1, 5, 5, 4], but its window makes it [1, 9, 9, 4]",
        ),
        (
            &|o| {
                if let Options::Conv2d { padding, .. } = o {
                    *padding = 2;
                }
            },
            "operator 0 (CONV_2D) has the padding 2, neither SAME (0) nor VALID (1)",
        ),
    ];
    for (change, want) in cases {
        let e = errors(change);
        assert!(e.contains(want), "{e}\n  does not contain\n{want}");
    }
}

#[test]
fn imports_the_cnn_with_its_sizes() {
    let net = import_bytes(&file("cnn.tflite")).unwrap();
    assert_eq!(net.input_image, Some((10, 10, 1)));
    assert_eq!((net.inputs, net.outputs, net.output_image), (100, 5, None));
    let Layer::Depthwise {
        win,
        m,
        weights,
        bias,
    } = &net.steps[3].layer
    else {
        panic!("{:?}", net.steps[3]);
    };
    assert_eq!(
        (win.h, win.c, win.kh, win.oh, win.same, *m),
        (5, 4, 3, 5, true, 2)
    );
    assert_eq!((weights.len(), bias.len()), (72, 8));
    // RESHAPE to [1, 24] is a Flatten; to the same image, nothing (and FULLY_CONNECTED
    // flattens its image input); to another 3-D shape, an error
    let bytes = file("cnn.tflite");
    let mut m = read(&bytes).unwrap();
    let t = m.subgraphs[0].operators[4].outputs[0];
    assert_eq!(m.subgraphs[0].tensors[t].shape, [1, 24]);
    assert_eq!(net.steps[7].layer, Layer::Flatten { h: 2, w: 2, c: 6 });
    m.subgraphs[0].tensors[t].shape = vec![1, 2, 2, 6];
    let kept = import(&m).unwrap();
    assert_eq!(kept.skipped, [(4, "RESHAPE".to_string())]);
    assert_eq!(kept.steps[7].layer, Layer::Flatten { h: 2, w: 2, c: 6 });
    assert_eq!(kept.steps[7].op_name, "FULLY_CONNECTED");
    m.subgraphs[0].tensors[t].shape = vec![1, 4, 6];
    let e = import(&m).unwrap_err();
    assert!(
        e.starts_with("operator 4 (RESHAPE) reshapes [1, 2, 2, 6] into [1, 4, 6]"),
        "{e}"
    );
}
