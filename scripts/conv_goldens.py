#!/usr/bin/env python3
"""Golden values for typenet's float convolution kernels (src/conv), computed by NumPy.

An independent implementation: each op is written with NumPy's own tools (np.pad for the
padding, sliding_window_view for the windows, einsum for the products, np.add.at for the
scattered input gradients), not by translating the Rust loops. For every case in the
fixed lists below it draws random inputs, weights, biases and an output gradient `r`,
and writes the forward output and the gradients of E = sum(r * y) with respect to the
input, the weights and the bias, all in float64.

The case lists must match the Rust test (src/conv/tests/golden.rs), which instantiates
the same shapes as const generics, in the same order, and checks each case's sizes.

Run (the venv lives outside the repository; CI never runs this, it only reads the data):

    python3 -m venv /tmp/conv-venv
    /tmp/conv-venv/bin/pip install numpy
    /tmp/conv-venv/bin/python scripts/conv_goldens.py

Made with NumPy 2.x, Python 3.11. Output: tests/data/conv/<op>.bin.

File format (little-endian): b"TNCV", u32 format version (1), u32 case count, then the
cases, each a fixed number of u32 sizes (listed per op below) followed by float64 arrays
written flat in row-major order (channels last) without length prefixes: their lengths
follow from the sizes.

SAME padding is TensorFlow Lite's: total = max((out - 1) * stride + k - in, 0), with
total // 2 before (top/left) and the rest after (bottom/right). Pooling ignores padding
cells (max over, and average divided by the number of, the cells inside the input).
"""

import os
import struct

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data", "conv")

# (H, W, C, KH, KW, O, SH, SW, same)
CONV2D = [
    (5, 5, 1, 3, 3, 2, 1, 1, False),
    (5, 5, 1, 3, 3, 2, 1, 1, True),
    (7, 6, 3, 3, 2, 4, 2, 2, True),
    (8, 8, 2, 2, 2, 3, 3, 3, False),
    (9, 7, 2, 1, 1, 3, 3, 2, True),
    (6, 5, 3, 4, 3, 2, 1, 2, True),
    (12, 6, 1, 10, 4, 3, 2, 2, True),
    (1, 1, 8, 1, 1, 5, 1, 1, False),
    (4, 4, 2, 5, 5, 2, 1, 1, True),
    (7, 5, 2, 3, 3, 2, 2, 3, False),
    (3, 4, 11, 2, 2, 3, 2, 2, True),
]
# (H, W, C, M, KH, KW, SH, SW, same)
DEPTHWISE = [
    (5, 5, 2, 1, 3, 3, 1, 1, True),
    (6, 7, 3, 2, 3, 3, 2, 2, True),
    (7, 7, 2, 3, 2, 2, 3, 3, False),
    (8, 5, 4, 1, 3, 2, 2, 1, False),
    (4, 4, 1, 2, 5, 5, 1, 1, True),
    (5, 6, 2, 2, 2, 3, 2, 3, True),
]
# (H, W, C, KH, KW, SH, SW, same)
POOL = [
    (4, 4, 2, 2, 2, 2, 2, False),
    (5, 5, 3, 2, 2, 2, 2, True),
    (7, 6, 1, 3, 3, 2, 2, True),
    (6, 6, 2, 3, 3, 1, 1, True),
    (8, 7, 2, 2, 3, 3, 2, False),
    (5, 5, 2, 1, 1, 2, 2, False),
    (9, 4, 3, 2, 2, 4, 3, True),
]
# (H, W, C)
GLOBAL = [(3, 4, 5), (1, 1, 3), (7, 5, 2)]
# (L, C, K, O, S, same)
CONV1D = [
    (10, 2, 3, 4, 1, True),
    (11, 3, 4, 2, 2, False),
    (9, 1, 2, 3, 3, True),
    (13, 9, 5, 2, 4, False),
    (6, 2, 4, 3, 1, True),
]


def geometry(n, k, s, same):
    """Output length and (before, after) padding along one axis, TFLite's rules."""
    if same:
        out = -(-n // s)
        total = max((out - 1) * s + k - n, 0)
        return out, (total // 2, total - total // 2)
    return (n - k) // s + 1, (0, 0)


def windows(x, kh, kw, sh, sw, same, fill=0.0):
    """Every window of an H x W x C image: shape (OH, OW, C, KH, KW), and the padding."""
    oh, (pt, pb) = geometry(x.shape[0], kh, sh, same)
    ow, (pl, pr) = geometry(x.shape[1], kw, sw, same)
    xp = np.pad(x, ((pt, pb), (pl, pr), (0, 0)), constant_values=fill)
    v = sliding_window_view(xp, (kh, kw), axis=(0, 1))[::sh, ::sw]
    return v[:oh, :ow], (pt, pl), xp.shape


def conv2d(x, w, b, r, sh, sw, same):
    """w: (O, KH, KW, C). Returns y, dx, dw, db for E = sum(r * y)."""
    o, kh, kw, c = w.shape
    v, (pt, pl), pshape = windows(x, kh, kw, sh, sw, same)  # (OH, OW, C, KH, KW)
    y = np.einsum("yxcij,oijc->yxo", v, w) + b
    db = r.sum(axis=(0, 1))
    dw = np.einsum("yxo,yxcij->oijc", r, v)
    # every output sends r * w back to the padded cells its window covered
    dxp = np.zeros(pshape)
    oh, ow = y.shape[:2]
    contrib = np.einsum("yxo,oijc->yxijc", r, w)
    for i in range(kh):
        for j in range(kw):
            rows = np.arange(oh) * sh + i
            cols = np.arange(ow) * sw + j
            np.add.at(dxp, (rows[:, None], cols[None, :]), contrib[:, :, i, j, :])
    dx = dxp[pt:pt + x.shape[0], pl:pl + x.shape[1]]
    return y, dx, dw, db


def depthwise(x, w, b, r, m, sh, sw, same):
    """w: (KH, KW, C*M), output channel q = c*M + mi reads input channel c."""
    kh, kw, cm = w.shape
    c = x.shape[2]
    v, (pt, pl), pshape = windows(x, kh, kw, sh, sw, same)  # (OH, OW, C, KH, KW)
    wr = w.reshape(kh, kw, c, m)
    y = np.einsum("yxcij,ijcm->yxcm", v, wr).reshape(v.shape[0], v.shape[1], cm) + b
    rr = r.reshape(r.shape[0], r.shape[1], c, m)
    db = r.sum(axis=(0, 1))
    dw = np.einsum("yxcm,yxcij->ijcm", rr, v).reshape(kh, kw, cm)
    dxp = np.zeros(pshape)
    oh, ow = y.shape[:2]
    contrib = np.einsum("yxcm,ijcm->yxijc", rr, wr)
    for i in range(kh):
        for j in range(kw):
            rows = np.arange(oh) * sh + i
            cols = np.arange(ow) * sw + j
            np.add.at(dxp, (rows[:, None], cols[None, :]), contrib[:, :, i, j, :])
    dx = dxp[pt:pt + x.shape[0], pl:pl + x.shape[1]]
    return y, dx, dw, db


def pools(x, r, kh, kw, sh, sw, same):
    """Max (first maximum in scan order) and average over the cells inside the input."""
    v, (pt, pl), pshape = windows(x, kh, kw, sh, sw, same, fill=np.nan)  # (OH, OW, C, KH, KW)
    oh, ow, c = v.shape[:3]
    flat = v.reshape(oh, ow, c, kh * kw)
    valid = ~np.isnan(flat)
    ymax = np.nanmax(flat, axis=3)
    first = np.argmax(np.where(valid, flat, -np.inf), axis=3)  # argmax returns the first
    count = valid.sum(axis=3)
    yavg = np.nansum(flat, axis=3) / count
    dmax = np.zeros(pshape)
    davg = np.zeros(pshape)
    for oy in range(oh):
        for ox in range(ow):
            for ch in range(c):
                i, j = divmod(int(first[oy, ox, ch]), kw)
                dmax[oy * sh + i, ox * sw + j, ch] += r[oy, ox, ch]
                cells = valid[oy, ox, ch].reshape(kh, kw)
                share = r[oy, ox, ch] / count[oy, ox, ch]
                davg[oy * sh:oy * sh + kh, ox * sw:ox * sw + kw, ch] += np.where(cells, share, 0.0)
    crop = (slice(pt, pt + x.shape[0]), slice(pl, pl + x.shape[1]))
    return ymax, yavg, dmax[crop], davg[crop]


class Writer:
    def __init__(self, name):
        self.path = os.path.join(OUT, name + ".bin")
        self.parts = []
        self.count = 0

    def case(self, sizes, *arrays):
        self.count += 1
        self.parts.append(struct.pack("<%dI" % len(sizes), *[int(s) for s in sizes]))
        for a in arrays:
            self.parts.append(np.ascontiguousarray(a, dtype="<f8").tobytes())

    def close(self):
        with open(self.path, "wb") as f:
            f.write(b"TNCV" + struct.pack("<II", 1, self.count) + b"".join(self.parts))
        print("%s: %d cases, %d bytes" % (os.path.relpath(self.path), self.count, os.path.getsize(self.path)))


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(20261203)
    u = lambda *shape: rng.uniform(-1.0, 1.0, shape)

    out = Writer("conv2d")
    for h, w_, c, kh, kw, o, sh, sw, same in CONV2D:
        oh, _ = geometry(h, kh, sh, same)
        ow, _ = geometry(w_, kw, sw, same)
        x, w, b, r = u(h, w_, c), u(o, kh, kw, c), u(o), u(oh, ow, o)
        y, dx, dw, db = conv2d(x, w, b, r, sh, sw, same)
        out.case((h, w_, c, kh, kw, o, sh, sw, same, oh, ow), x, w, b, r, y, dx, dw, db)
    out.close()

    out = Writer("depthwise_conv2d")
    for h, w_, c, m, kh, kw, sh, sw, same in DEPTHWISE:
        oh, _ = geometry(h, kh, sh, same)
        ow, _ = geometry(w_, kw, sw, same)
        x, w, b, r = u(h, w_, c), u(kh, kw, c * m), u(c * m), u(oh, ow, c * m)
        y, dx, dw, db = depthwise(x, w, b, r, m, sh, sw, same)
        out.case((h, w_, c, m, kh, kw, sh, sw, same, oh, ow), x, w, b, r, y, dx, dw, db)
    out.close()

    out = Writer("pool2d")
    for h, w_, c, kh, kw, sh, sw, same in POOL:
        oh, _ = geometry(h, kh, sh, same)
        ow, _ = geometry(w_, kw, sw, same)
        x, r = u(h, w_, c), u(oh, ow, c)
        ymax, yavg, dmax, davg = pools(x, r, kh, kw, sh, sw, same)
        out.case((h, w_, c, kh, kw, sh, sw, same, oh, ow), x, r, ymax, yavg, dmax, davg)
    out.close()

    out = Writer("global_avg_pool")
    for h, w_, c in GLOBAL:
        x, r = u(h, w_, c), u(c)
        y = x.mean(axis=(0, 1))
        dx = np.broadcast_to(r / (h * w_), (h, w_, c))
        out.case((h, w_, c), x, r, y, dx)
    out.close()

    out = Writer("conv1d")
    for l, c, k, o, s, same in CONV1D:
        ol, _ = geometry(l, k, s, same)
        x, w, b, r = u(l, c), u(o, k, c), u(o), u(ol, o)
        # a 1-D convolution is a 2-D one over a single row
        y, dx, dw, db = conv2d(x[None], w[:, None], b, r[None], 1, s, same)
        out.case((l, c, k, o, s, same, ol), x, w, b, r, y[0], dx[0], dw[:, 0], db)
    out.close()


if __name__ == "__main__":
    main()
