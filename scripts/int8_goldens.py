#!/usr/bin/env python3
"""Golden outputs for typenet's int8 kernels (src/quant), from TensorFlow Lite's reference kernels.

For every op it draws random cases (a shape from a small fixed set that the Rust test
instantiates; random scales, zero points, weights, biases, inputs and fused activation),
writes each case as a one-op .tflite model (flatbuffers written directly with the `tflite`
schema package: no TensorFlow needed), runs it in the LiteRT interpreter with the
reference kernels (OpResolverType.BUILTIN_REF), and appends the parameters, the inputs and
the output the interpreter computed to tests/data/int8/<op>.bin.

Run (the venv lives outside the repository; CI never runs this, it only reads the data):

    python3 -m venv /tmp/int8-venv
    /tmp/int8-venv/bin/pip install ai-edge-litert numpy tflite flatbuffers
    nice -n 10 /tmp/int8-venv/bin/python scripts/int8_goldens.py [--cases N] [--seed S]

Made with ai-edge-litert 2.3.0, tflite 2.18.0, flatbuffers 25.12.19, numpy 2.x, Python 3.11.

File format (little-endian): b"TNQ8", u32 format version (1), u32 case count, then the
cases, each a fixed sequence of fields per op (see the writers below and
src/quant/golden.rs, which reads them). Scalars are u8, i32 or f32; arrays are written
flat in TFLite's own (row-major, channels-last) order without a length prefix: their
lengths follow from the dimensions written earlier in the same case.
"""

import argparse
import os
import struct
import sys

import flatbuffers
import numpy as np
import tflite
from ai_edge_litert.interpreter import Interpreter, OpResolverType

OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data", "int8")

INT8, INT32, FLOAT32 = tflite.TensorType.INT8, tflite.TensorType.INT32, tflite.TensorType.FLOAT32
BO = tflite.BuiltinOperator
OPT = tflite.BuiltinOptions
SAME, VALID = tflite.Padding.SAME, tflite.Padding.VALID
ACTS = [0, 1, 2, 3]  # NONE, RELU, RELU_N1_TO_1, RELU6 (TFLite's ActivationFunctionType)

# The shapes the Rust test instantiates (keep in sync with src/quant/golden.rs).
FC_SHAPES = [(1, 1), (4, 3), (16, 10), (13, 7), (64, 16), (100, 4), (32, 64), (8, 128)]  # (I, O)
CONV_SHAPES = [  # (H, W, C, KH, KW, OC, SH, SW)
    (5, 5, 1, 3, 3, 2, 1, 1),
    (8, 8, 3, 3, 3, 4, 1, 1),
    (8, 8, 3, 3, 3, 4, 2, 2),
    (7, 9, 2, 2, 3, 3, 2, 1),
    (6, 6, 4, 1, 1, 8, 1, 1),
    (10, 10, 2, 5, 5, 3, 3, 3),
]
DW_SHAPES = [  # (H, W, C, M, KH, KW, SH, SW)
    (5, 5, 1, 1, 3, 3, 1, 1),
    (8, 8, 3, 2, 3, 3, 1, 1),
    (8, 8, 4, 1, 3, 3, 2, 2),
    (7, 6, 2, 3, 2, 3, 1, 2),
    (9, 9, 8, 1, 5, 5, 2, 2),
]
POOL_SHAPES = [  # (H, W, C, KH, KW, SH, SW)
    (4, 4, 1, 2, 2, 2, 2),
    (8, 8, 3, 2, 2, 2, 2),
    (7, 7, 2, 3, 3, 2, 2),
    (9, 6, 4, 3, 2, 1, 1),
    (5, 5, 2, 5, 5, 1, 1),
]
ADD_SIZES = [1, 7, 16, 64, 250]
SOFTMAX_SHAPES = [(1, 2), (1, 10), (3, 5), (1, 64), (2, 33), (1, 500)]  # (rows, depth)
QUANTIZE_SIZES = [1, 16, 100]


# ----------------------------------------------------------------------------- flatbuffers


def _byte_vector(b, data):
    b.StartVector(1, len(data), 16)
    b.head = b.head - len(data)
    b.Bytes[b.head : b.head + len(data)] = data
    return b.EndVector()


def _offset_vector(b, start_fn, offsets):
    start_fn(b, len(offsets))
    for off in reversed(offsets):
        b.PrependUOffsetTRelative(off)
    return b.EndVector()


def build_model(tensors, opcode, op_inputs, op_outputs, options_type, options_fn, inputs, outputs):
    """One subgraph with one operator. `tensors`: dicts with shape, type, and optionally
    data (bytes), scale (list), zero_point (list), qdim."""
    b = flatbuffers.Builder(4096)
    # Buffers: 0 is the empty sentinel; each constant tensor gets its own.
    buffer_data = [None]
    tensor_buffer = []
    for t in tensors:
        if t.get("data") is not None:
            tensor_buffer.append(len(buffer_data))
            buffer_data.append(t["data"])
        else:
            tensor_buffer.append(0)
    buffer_offs = []
    for data in buffer_data:
        d = _byte_vector(b, data) if data is not None else None
        tflite.BufferStart(b)
        if d is not None:
            tflite.BufferAddData(b, d)
        buffer_offs.append(tflite.BufferEnd(b))

    tensor_offs = []
    for i, t in enumerate(tensors):
        name = b.CreateString("t%d" % i)
        shape = b.CreateNumpyVector(np.asarray(t["shape"], dtype=np.int32))
        q = None
        if t.get("scale") is not None:
            sc = b.CreateNumpyVector(np.asarray(t["scale"], dtype=np.float32))
            zp = b.CreateNumpyVector(np.asarray(t["zero_point"], dtype=np.int64))
            tflite.QuantizationParametersStart(b)
            tflite.QuantizationParametersAddScale(b, sc)
            tflite.QuantizationParametersAddZeroPoint(b, zp)
            tflite.QuantizationParametersAddQuantizedDimension(b, t.get("qdim", 0))
            q = tflite.QuantizationParametersEnd(b)
        tflite.TensorStart(b)
        tflite.TensorAddShape(b, shape)
        tflite.TensorAddType(b, t["type"])
        tflite.TensorAddBuffer(b, tensor_buffer[i])
        tflite.TensorAddName(b, name)
        if q is not None:
            tflite.TensorAddQuantization(b, q)
        tensor_offs.append(tflite.TensorEnd(b))

    opts = options_fn(b) if options_fn else None
    op_in = b.CreateNumpyVector(np.asarray(op_inputs, dtype=np.int32))
    op_out = b.CreateNumpyVector(np.asarray(op_outputs, dtype=np.int32))
    tflite.OperatorStart(b)
    tflite.OperatorAddOpcodeIndex(b, 0)
    tflite.OperatorAddInputs(b, op_in)
    tflite.OperatorAddOutputs(b, op_out)
    if opts is not None:
        tflite.OperatorAddBuiltinOptionsType(b, options_type)
        tflite.OperatorAddBuiltinOptions(b, opts)
    op = tflite.OperatorEnd(b)

    t_vec = _offset_vector(b, tflite.SubGraphStartTensorsVector, tensor_offs)
    o_vec = _offset_vector(b, tflite.SubGraphStartOperatorsVector, [op])
    sg_in = b.CreateNumpyVector(np.asarray(inputs, dtype=np.int32))
    sg_out = b.CreateNumpyVector(np.asarray(outputs, dtype=np.int32))
    sg_name = b.CreateString("main")
    tflite.SubGraphStart(b)
    tflite.SubGraphAddTensors(b, t_vec)
    tflite.SubGraphAddInputs(b, sg_in)
    tflite.SubGraphAddOutputs(b, sg_out)
    tflite.SubGraphAddOperators(b, o_vec)
    tflite.SubGraphAddName(b, sg_name)
    sg = tflite.SubGraphEnd(b)

    tflite.OperatorCodeStart(b)
    tflite.OperatorCodeAddDeprecatedBuiltinCode(b, min(opcode, 127))
    tflite.OperatorCodeAddBuiltinCode(b, opcode)
    tflite.OperatorCodeAddVersion(b, 1)
    oc = tflite.OperatorCodeEnd(b)

    oc_vec = _offset_vector(b, tflite.ModelStartOperatorCodesVector, [oc])
    sg_vec = _offset_vector(b, tflite.ModelStartSubgraphsVector, [sg])
    buf_vec = _offset_vector(b, tflite.ModelStartBuffersVector, buffer_offs)
    desc = b.CreateString("typenet int8 golden")
    tflite.ModelStart(b)
    tflite.ModelAddVersion(b, 3)
    tflite.ModelAddOperatorCodes(b, oc_vec)
    tflite.ModelAddSubgraphs(b, sg_vec)
    tflite.ModelAddDescription(b, desc)
    tflite.ModelAddBuffers(b, buf_vec)
    m = tflite.ModelEnd(b)
    b.Finish(m, file_identifier=b"TFL3")
    return bytes(b.Output())


def run_model(model, feeds):
    interp = Interpreter(model_content=model, experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
    interp.allocate_tensors()
    ins = interp.get_input_details()
    for d, x in zip(ins, feeds):
        interp.set_tensor(d["index"], x)
    interp.invoke()
    return interp.get_tensor(interp.get_output_details()[0]["index"])


# ----------------------------------------------------------------------------- writing


class Writer:
    def __init__(self):
        self.parts = []
        self.count = 0

    def u8(self, v):
        self.parts.append(struct.pack("<B", v))

    def i32(self, *vs):
        self.parts.append(struct.pack("<%di" % len(vs), *vs))

    def f32(self, *vs):
        self.parts.append(np.asarray(vs, dtype="<f4").tobytes())

    def arr(self, a, dtype):
        self.parts.append(np.ascontiguousarray(a, dtype=dtype).tobytes())

    def save(self, name):
        path = os.path.join(OUT_DIR, name + ".bin")
        with open(path, "wb") as f:
            f.write(b"TNQ8" + struct.pack("<II", 1, self.count) + b"".join(self.parts))
        print("%-16s %5d cases  %8d bytes" % (name, self.count, os.path.getsize(path)))


# ----------------------------------------------------------------------------- helpers


def out_size(padding, n, k, s):
    return (n + s - 1) // s if padding == SAME else (n + s - k) // s


def pad_before(padding, n, k, s, out):
    if padding == VALID:
        return 0
    return max(0, (out - 1) * s + k - n) // 2


def log_uniform(rng, lo, hi, size=None):
    v = np.power(10.0, rng.uniform(lo, hi, size)).astype(np.float32)
    return v if size is not None else np.float32(v)


def f32(x):
    return np.float32(x)


def pick_activation(rng):
    return int(rng.choice(ACTS, p=[0.4, 0.25, 0.15, 0.2]))


def output_quant(rng, real_values):
    """An output scale near what the float outputs need (sometimes too small, so the
    clamp is exercised), and a zero point near the middle."""
    span = float(np.max(np.abs(real_values))) if real_values.size else 1.0
    span = max(span, 1e-4)
    scale = f32(span / 127.0 * 10.0 ** rng.uniform(-0.4, 0.3))
    zp = int(rng.integers(-60, 61)) if rng.random() < 0.8 else int(rng.integers(-128, 128))
    return scale, zp


def rand_i8(rng, shape):
    return rng.integers(-128, 128, size=shape, dtype=np.int64).astype(np.int8)


def rand_bias(rng, n):
    k = int(rng.integers(0, 17))
    return rng.integers(-(1 << k), (1 << k) + 1, size=n).astype(np.int32)


def act_tensor(shape, scale, zp, data=None, t=INT8):
    return {"shape": shape, "type": t, "scale": [scale], "zero_point": [zp], "data": data}


# ----------------------------------------------------------------------------- ops


def gen_fully_connected(rng, n):
    w = Writer()
    for case in range(n):
        I, O = FC_SHAPES[case % len(FC_SHAPES)]
        per_channel = rng.random() < 0.7
        act = pick_activation(rng)
        s_in, z_in = log_uniform(rng, -3, 0), int(rng.integers(-128, 128))
        w_scales = log_uniform(rng, -3, -0.5, O if per_channel else 1).astype(np.float32)
        weights = rand_i8(rng, (O, I))
        bias = rand_bias(rng, O)
        x = rand_i8(rng, (1, I))
        acc = weights.astype(np.int64) @ (x[0].astype(np.int64) - z_in) + bias
        ws_full = np.broadcast_to(w_scales, (O,))
        s_out, z_out = output_quant(rng, acc * ws_full.astype(np.float64) * float(s_in))
        bias_scales = [float(f32(s_in) * f32(s)) for s in w_scales]
        tensors = [
            act_tensor([1, I], s_in, z_in),
            {"shape": [O, I], "type": INT8, "scale": list(w_scales), "zero_point": [0] * len(w_scales), "qdim": 0, "data": weights.tobytes()},
            {"shape": [O], "type": INT32, "scale": bias_scales, "zero_point": [0] * len(w_scales), "qdim": 0, "data": bias.astype("<i4").tobytes()},
            act_tensor([1, O], s_out, z_out),
        ]

        def opts(b, act=act):
            tflite.FullyConnectedOptionsStart(b)
            tflite.FullyConnectedOptionsAddFusedActivationFunction(b, act)
            return tflite.FullyConnectedOptionsEnd(b)

        model = build_model(tensors, BO.FULLY_CONNECTED, [0, 1, 2], [3], OPT.FullyConnectedOptions, opts, [0], [3])
        y = run_model(model, [x])
        w.u8(int(per_channel)); w.u8(act); w.i32(I, O)
        w.f32(s_in); w.i32(z_in); w.f32(s_out); w.i32(z_out)
        w.arr(w_scales, "<f4"); w.arr(weights, "i1"); w.arr(bias, "<i4"); w.arr(x, "i1"); w.arr(y, "i1")
        w.count += 1
    w.save("fully_connected")


def conv_reference_acc(x, z_in, filt, H, W, KH, KW, OH, OW, SH, SW, pt, pl):
    """float-free accumulators, only to choose a sensible output scale"""
    C = x.shape[-1]
    OC = filt.shape[0]
    xp = np.zeros((H + KH * 2 + OH * SH, W + KW * 2 + OW * SW, C), dtype=np.int64)
    xp[pt : pt + H, pl : pl + W] = x.astype(np.int64) - z_in
    acc = np.zeros((OH, OW, OC), dtype=np.int64)
    for oy in range(OH):
        for ox in range(OW):
            patch = xp[oy * SH : oy * SH + KH, ox * SW : ox * SW + KW]
            acc[oy, ox] = np.tensordot(filt.astype(np.int64), patch, axes=([1, 2, 3], [0, 1, 2]))
    return acc


def gen_conv(rng, n):
    w = Writer()
    for case in range(n):
        H, W_, C, KH, KW, OC, SH, SW = CONV_SHAPES[case % len(CONV_SHAPES)]
        padding = SAME if (case // len(CONV_SHAPES)) % 2 == 0 else VALID
        OH, OW = out_size(padding, H, KH, SH), out_size(padding, W_, KW, SW)
        pt, pl = pad_before(padding, H, KH, SH, OH), pad_before(padding, W_, KW, SW, OW)
        per_channel = rng.random() < 0.7
        act = pick_activation(rng)
        s_in, z_in = log_uniform(rng, -3, 0), int(rng.integers(-128, 128))
        w_scales = log_uniform(rng, -3, -0.5, OC if per_channel else 1).astype(np.float32)
        filt = rand_i8(rng, (OC, KH, KW, C))
        bias = rand_bias(rng, OC)
        x = rand_i8(rng, (1, H, W_, C))
        acc = conv_reference_acc(x[0], z_in, filt, H, W_, KH, KW, OH, OW, SH, SW, pt, pl) + bias
        s_out, z_out = output_quant(rng, acc * np.broadcast_to(w_scales, (OC,)).astype(np.float64) * float(s_in))
        bias_scales = [float(f32(s_in) * f32(s)) for s in w_scales]
        tensors = [
            act_tensor([1, H, W_, C], s_in, z_in),
            {"shape": [OC, KH, KW, C], "type": INT8, "scale": list(w_scales), "zero_point": [0] * len(w_scales), "qdim": 0, "data": filt.tobytes()},
            {"shape": [OC], "type": INT32, "scale": bias_scales, "zero_point": [0] * len(w_scales), "qdim": 0, "data": bias.astype("<i4").tobytes()},
            act_tensor([1, OH, OW, OC], s_out, z_out),
        ]

        def opts(b, act=act, padding=padding, SH=SH, SW=SW):
            tflite.Conv2DOptionsStart(b)
            tflite.Conv2DOptionsAddPadding(b, padding)
            tflite.Conv2DOptionsAddStrideW(b, SW)
            tflite.Conv2DOptionsAddStrideH(b, SH)
            tflite.Conv2DOptionsAddFusedActivationFunction(b, act)
            tflite.Conv2DOptionsAddDilationWFactor(b, 1)
            tflite.Conv2DOptionsAddDilationHFactor(b, 1)
            return tflite.Conv2DOptionsEnd(b)

        model = build_model(tensors, BO.CONV_2D, [0, 1, 2], [3], OPT.Conv2DOptions, opts, [0], [3])
        y = run_model(model, [x])
        assert y.shape == (1, OH, OW, OC), y.shape
        w.u8(padding); w.u8(act); w.i32(H, W_, C, KH, KW, OC, SH, SW, OH, OW)
        w.f32(s_in); w.i32(z_in); w.f32(s_out); w.i32(z_out); w.u8(int(per_channel))
        w.arr(w_scales, "<f4"); w.arr(filt, "i1"); w.arr(bias, "<i4"); w.arr(x, "i1"); w.arr(y, "i1")
        w.count += 1
    w.save("conv2d")


def gen_depthwise(rng, n):
    w = Writer()
    for case in range(n):
        H, W_, C, M, KH, KW, SH, SW = DW_SHAPES[case % len(DW_SHAPES)]
        CM = C * M
        padding = SAME if (case // len(DW_SHAPES)) % 2 == 0 else VALID
        OH, OW = out_size(padding, H, KH, SH), out_size(padding, W_, KW, SW)
        pt, pl = pad_before(padding, H, KH, SH, OH), pad_before(padding, W_, KW, SW, OW)
        per_channel = rng.random() < 0.7
        act = pick_activation(rng)
        s_in, z_in = log_uniform(rng, -3, 0), int(rng.integers(-128, 128))
        w_scales = log_uniform(rng, -3, -0.5, CM if per_channel else 1).astype(np.float32)
        filt = rand_i8(rng, (1, KH, KW, CM))
        bias = rand_bias(rng, CM)
        x = rand_i8(rng, (1, H, W_, C))
        # accumulators via the dense conv helper with a block-diagonal filter
        dense = np.zeros((CM, KH, KW, C), dtype=np.int64)
        for oc in range(CM):
            dense[oc, :, :, oc // M] = filt[0, :, :, oc]
        acc = conv_reference_acc(x[0], z_in, dense, H, W_, KH, KW, OH, OW, SH, SW, pt, pl) + bias
        s_out, z_out = output_quant(rng, acc * np.broadcast_to(w_scales, (CM,)).astype(np.float64) * float(s_in))
        bias_scales = [float(f32(s_in) * f32(s)) for s in w_scales]
        tensors = [
            act_tensor([1, H, W_, C], s_in, z_in),
            {"shape": [1, KH, KW, CM], "type": INT8, "scale": list(w_scales), "zero_point": [0] * len(w_scales), "qdim": 3, "data": filt.tobytes()},
            {"shape": [CM], "type": INT32, "scale": bias_scales, "zero_point": [0] * len(w_scales), "qdim": 0, "data": bias.astype("<i4").tobytes()},
            act_tensor([1, OH, OW, CM], s_out, z_out),
        ]

        def opts(b, act=act, padding=padding, SH=SH, SW=SW, M=M):
            tflite.DepthwiseConv2DOptionsStart(b)
            tflite.DepthwiseConv2DOptionsAddPadding(b, padding)
            tflite.DepthwiseConv2DOptionsAddStrideW(b, SW)
            tflite.DepthwiseConv2DOptionsAddStrideH(b, SH)
            tflite.DepthwiseConv2DOptionsAddDepthMultiplier(b, M)
            tflite.DepthwiseConv2DOptionsAddFusedActivationFunction(b, act)
            tflite.DepthwiseConv2DOptionsAddDilationWFactor(b, 1)
            tflite.DepthwiseConv2DOptionsAddDilationHFactor(b, 1)
            return tflite.DepthwiseConv2DOptionsEnd(b)

        model = build_model(tensors, BO.DEPTHWISE_CONV_2D, [0, 1, 2], [3], OPT.DepthwiseConv2DOptions, opts, [0], [3])
        y = run_model(model, [x])
        assert y.shape == (1, OH, OW, CM), y.shape
        w.u8(padding); w.u8(act); w.i32(H, W_, C, M, KH, KW, SH, SW, OH, OW)
        w.f32(s_in); w.i32(z_in); w.f32(s_out); w.i32(z_out); w.u8(int(per_channel))
        w.arr(w_scales, "<f4"); w.arr(filt, "i1"); w.arr(bias, "<i4"); w.arr(x, "i1"); w.arr(y, "i1")
        w.count += 1
    w.save("depthwise_conv2d")


def gen_pool(rng, n):
    w = Writer()
    for case in range(n):
        H, W_, C, KH, KW, SH, SW = POOL_SHAPES[case % len(POOL_SHAPES)]
        kind = (case // len(POOL_SHAPES)) % 2  # 0 average, 1 max
        padding = SAME if (case // (2 * len(POOL_SHAPES))) % 2 == 0 else VALID
        OH, OW = out_size(padding, H, KH, SH), out_size(padding, W_, KW, SW)
        act = pick_activation(rng)
        scale, zp = log_uniform(rng, -3, 0), int(rng.integers(-128, 128))
        x = rand_i8(rng, (1, H, W_, C))
        tensors = [act_tensor([1, H, W_, C], scale, zp), act_tensor([1, OH, OW, C], scale, zp)]

        def opts(b, act=act, padding=padding, SH=SH, SW=SW, KH=KH, KW=KW):
            tflite.Pool2DOptionsStart(b)
            tflite.Pool2DOptionsAddPadding(b, padding)
            tflite.Pool2DOptionsAddStrideW(b, SW)
            tflite.Pool2DOptionsAddStrideH(b, SH)
            tflite.Pool2DOptionsAddFilterWidth(b, KW)
            tflite.Pool2DOptionsAddFilterHeight(b, KH)
            tflite.Pool2DOptionsAddFusedActivationFunction(b, act)
            return tflite.Pool2DOptionsEnd(b)

        code = BO.AVERAGE_POOL_2D if kind == 0 else BO.MAX_POOL_2D
        model = build_model(tensors, code, [0], [1], OPT.Pool2DOptions, opts, [0], [1])
        y = run_model(model, [x])
        assert y.shape == (1, OH, OW, C), y.shape
        w.u8(kind); w.u8(padding); w.u8(act); w.i32(H, W_, C, KH, KW, SH, SW, OH, OW)
        w.f32(scale); w.i32(zp); w.arr(x, "i1"); w.arr(y, "i1")
        w.count += 1
    w.save("pool2d")


def gen_add(rng, n):
    w = Writer()
    for case in range(n):
        N = ADD_SIZES[case % len(ADD_SIZES)]
        act = pick_activation(rng)
        s1, s2 = log_uniform(rng, -3, 0), log_uniform(rng, -3, 0)
        if rng.random() < 0.15:
            s2 = s1  # equal scales, a common residual case
        z1, z2 = int(rng.integers(-128, 128)), int(rng.integers(-128, 128))
        x1, x2 = rand_i8(rng, (1, N)), rand_i8(rng, (1, N))
        real = (x1.astype(np.float64) - z1) * float(s1) + (x2.astype(np.float64) - z2) * float(s2)
        so, zo = output_quant(rng, real)
        tensors = [act_tensor([1, N], s1, z1), act_tensor([1, N], s2, z2), act_tensor([1, N], so, zo)]

        def opts(b, act=act):
            tflite.AddOptionsStart(b)
            tflite.AddOptionsAddFusedActivationFunction(b, act)
            return tflite.AddOptionsEnd(b)

        model = build_model(tensors, BO.ADD, [0, 1], [2], OPT.AddOptions, opts, [0, 1], [2])
        y = run_model(model, [x1, x2])
        w.u8(act); w.i32(N)
        w.f32(s1); w.i32(z1); w.f32(s2); w.i32(z2); w.f32(so); w.i32(zo)
        w.arr(x1, "i1"); w.arr(x2, "i1"); w.arr(y, "i1")
        w.count += 1
    w.save("add")


def gen_softmax(rng, n):
    w = Writer()
    for case in range(n):
        R, N = SOFTMAX_SHAPES[case % len(SOFTMAX_SHAPES)]
        beta = f32(1.0) if rng.random() < 0.6 else f32(rng.uniform(0.1, 3.0))
        # Up to 50: above 32/beta the input multiplier is capped at 2^31 - 1.
        s_in, z_in = log_uniform(rng, -2.5, 0 if rng.random() < 0.8 else 1.7), int(rng.integers(-128, 128))
        x = rand_i8(rng, (R, N))
        if rng.random() < 0.3:  # narrow rows: many near-equal values, ties in the max
            x = (rng.integers(-3, 4, size=(R, N)) + int(rng.integers(-100, 100))).astype(np.int8)
        tensors = [act_tensor([R, N], s_in, z_in), act_tensor([R, N], 1.0 / 256.0, -128)]

        def opts(b, beta=beta):
            tflite.SoftmaxOptionsStart(b)
            tflite.SoftmaxOptionsAddBeta(b, float(beta))
            return tflite.SoftmaxOptionsEnd(b)

        model = build_model(tensors, BO.SOFTMAX, [0], [1], OPT.SoftmaxOptions, opts, [0], [1])
        y = run_model(model, [x])
        w.i32(R, N); w.f32(beta); w.f32(s_in); w.i32(z_in); w.arr(x, "i1"); w.arr(y, "i1")
        w.count += 1
    w.save("softmax")


def gen_quantize(rng, n):
    w = Writer()
    for case in range(n):
        N = QUANTIZE_SIZES[case % len(QUANTIZE_SIZES)]
        scale, zp = log_uniform(rng, -3, 1), int(rng.integers(-128, 128))
        k = rng.integers(-200, 200, size=N)
        x = (scale * (k + rng.choice([0.5, rng.uniform(-1, 1)], size=N))).astype(np.float32)
        x = x.reshape(1, N)
        tensors = [{"shape": [1, N], "type": FLOAT32}, act_tensor([1, N], scale, zp)]
        model = build_model(tensors, BO.QUANTIZE, [0], [1], None, None, [0], [1])
        y = run_model(model, [x])
        w.i32(N); w.f32(scale); w.i32(zp); w.arr(x, "<f4"); w.arr(y, "i1")
        w.count += 1
    w.save("quantize")


def gen_dequantize(rng, n):
    w = Writer()
    for case in range(n):
        N = QUANTIZE_SIZES[case % len(QUANTIZE_SIZES)]
        scale, zp = log_uniform(rng, -3, 1), int(rng.integers(-128, 128))
        x = rand_i8(rng, (1, N))
        tensors = [act_tensor([1, N], scale, zp), {"shape": [1, N], "type": FLOAT32}]
        model = build_model(tensors, BO.DEQUANTIZE, [0], [1], None, None, [0], [1])
        y = run_model(model, [x])
        w.i32(N); w.f32(scale); w.i32(zp); w.arr(x, "i1"); w.arr(y, "<f4")
        w.count += 1
    w.save("dequantize")


OPS = {
    "fully_connected": gen_fully_connected,
    "conv2d": gen_conv,
    "depthwise_conv2d": gen_depthwise,
    "pool2d": lambda rng, n: gen_pool(rng, 2 * n),  # average and max, n of each
    "add": gen_add,
    "softmax": gen_softmax,
    "quantize": gen_quantize,
    "dequantize": gen_dequantize,
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cases", type=int, default=1200, help="cases per op")
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("ops", nargs="*", help="ops to regenerate (default: all)")
    args = ap.parse_args()
    os.makedirs(OUT_DIR, exist_ok=True)
    for name in args.ops or OPS:
        # One seed per op, so regenerating one op leaves the others' files unchanged.
        rng = np.random.default_rng([args.seed, list(OPS).index(name)])
        OPS[name](rng, args.cases)


if __name__ == "__main__":
    sys.exit(main())
