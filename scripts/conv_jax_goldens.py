#!/usr/bin/env python3
"""Golden values for typenet's convolutional *layers*, computed by JAX.

A second independent source beside scripts/conv_goldens.py (NumPy, written by hand): here
every forward is a JAX library op (lax.conv_general_dilated, lax.reduce_window) and every
gradient comes from JAX's automatic differentiation (jax.vjp), so nothing of the
backward maths is written out. The Rust test, tests/conv_jax.rs, loads the values into
the public layers (Conv2d, MaxPool2d, AvgPool2d, GlobalAvgPool2d, and a small network of
Conv2d, PerPixel<Tanh>, MaxPool2d, Flatten and Dense) and compares; tests/batch_norm_jax.rs
reads the batch-norm training-mode values (jax.nn.standardize over the batch, the running
averages, and a conv network with batch norm), written after the others so that their
random draws, and files, are unchanged.

For every case it draws random inputs, parameters and an output gradient r, and writes
the forward output and the gradients of E = sum(r * y) with respect to the input and
every parameter, in float64 (jax_enable_x64).

Run (the venv lives outside the repository; CI never runs this, it only reads the data):

    python3 -m venv /tmp/jax-venv
    /tmp/jax-venv/bin/pip install jax numpy
    /tmp/jax-venv/bin/python scripts/conv_jax_goldens.py

Made with JAX 0.10.2 (CPU), NumPy 2.x, Python 3.11. Output: tests/data/conv/jax_<op>.bin,
in the format of scripts/conv_goldens.py: b"TNCV", u32 version 1, u32 case count, then per
case its u32 sizes and float64 arrays, flat, row-major, channels last.

Layouts: images NHWC (N = 1 dropped), convolution weights OHWI ([O][KH][KW][C], TFLite's),
dense weights [O][I]. SAME padding is JAX's "SAME", which is TensorFlow Lite's (the odd
padding cell after the input). Average pooling divides by the number of cells inside the
input (a window sum of the image over a window sum of ones), as TFLite does.
"""

import os
import struct

import jax

jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
from jax import lax  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data", "conv")

# (H, W, C, KH, KW, O, SH, SW, same): must match tests/conv_jax.rs, in order
CONV2D = [
    (7, 6, 2, 3, 3, 3, 2, 2, True),
    (6, 7, 3, 2, 3, 2, 1, 2, False),
    (9, 9, 1, 5, 5, 2, 3, 3, True),
    (5, 4, 2, 2, 3, 2, 3, 1, False),
]
# (H, W, C, KH, KW, SH, SW, same)
POOL2D = [
    (6, 5, 2, 3, 2, 2, 2, True),
    (7, 7, 3, 2, 2, 2, 2, False),
    (5, 6, 1, 3, 3, 1, 1, True),
]
# (H, W, C)
GLOBAL = [(4, 3, 2), (1, 5, 3)]

rng = np.random.default_rng(20261203)


def normal(*shape):
    return rng.standard_normal(shape)


def pad(same):
    return "SAME" if same else "VALID"


def conv(x, w, b, stride, same):
    y = lax.conv_general_dilated(
        x[None], w, window_strides=stride, padding=pad(same),
        dimension_numbers=("NHWC", "OHWI", "NHWC"),
    )[0]
    return y + b


def max_pool(x, k, s, same):
    return lax.reduce_window(x, -jnp.inf, lax.max, k + (1,), s + (1,), pad(same))


def avg_pool(x, k, s, same):
    total = lax.reduce_window(x, 0.0, lax.add, k + (1,), s + (1,), pad(same))
    count = lax.reduce_window(jnp.ones_like(x), 0.0, lax.add, k + (1,), s + (1,), pad(same))
    return total / count


def flat(*arrays):
    return b"".join(np.asarray(a, dtype="<f8").ravel().tobytes() for a in arrays)


def sizes(*n):
    return struct.pack("<" + "I" * len(n), *n)


def write(name, cases):
    path = os.path.join(OUT, name)
    with open(path, "wb") as f:
        f.write(b"TNCV" + struct.pack("<II", 1, len(cases)) + b"".join(cases))
    print(f"{path}: {len(cases)} cases, {os.path.getsize(path)} bytes")


def conv_cases():
    out = []
    for (h, w_, c, kh, kw, o, sh, sw, same) in CONV2D:
        x, w, b = normal(h, w_, c), normal(o, kh, kw, c), normal(o)
        f = lambda x, w, b: conv(x, w, b, (sh, sw), same)  # noqa: E731
        y, vjp = jax.vjp(f, x, w, b)
        r = normal(*y.shape)
        dx, dw, db = vjp(r)
        out.append(sizes(h, w_, c, kh, kw, o, sh, sw, int(same), *y.shape[:2])
                   + flat(x, w, b, r, y, dx, dw, db))
    return out


def pool_cases():
    out = []
    for (h, w_, c, kh, kw, sh, sw, same) in POOL2D:
        x = normal(h, w_, c)
        ym, vjp_m = jax.vjp(lambda x: max_pool(x, (kh, kw), (sh, sw), same), x)
        ya, vjp_a = jax.vjp(lambda x: avg_pool(x, (kh, kw), (sh, sw), same), x)
        r = normal(*ym.shape)
        out.append(sizes(h, w_, c, kh, kw, sh, sw, int(same), *ym.shape[:2])
                   + flat(x, r, ym, ya, vjp_m(r)[0], vjp_a(r)[0]))
    return out


def global_cases():
    out = []
    for (h, w_, c) in GLOBAL:
        x = normal(h, w_, c)
        y, vjp = jax.vjp(lambda x: jnp.mean(x, axis=(0, 1)), x)
        r = normal(c)
        out.append(sizes(h, w_, c) + flat(x, r, y, vjp(r)[0]))
    return out


def network_case():
    # 8×8×1 → Conv2d 3×3 (4) SAME → tanh → max pool 2×2/2 VALID → 4×4×4
    #       → Conv2d 3×3 (3) stride 2 SAME → tanh → 2×2×3 → flatten (12) → Dense 12 → 5
    x = normal(8, 8, 1)
    params = (normal(4, 3, 3, 1) * 0.5, normal(4) * 0.1, normal(3, 3, 3, 4) * 0.5,
              normal(3) * 0.1, normal(5, 12) * 0.5, normal(5) * 0.1)

    def net(x, w1, b1, w2, b2, wd, bd):
        a = jnp.tanh(conv(x, w1, b1, (1, 1), True))
        a = max_pool(a, (2, 2), (2, 2), False)
        a = jnp.tanh(conv(a, w2, b2, (2, 2), True))
        return wd @ a.ravel() + bd

    y, vjp = jax.vjp(net, x, *params)
    r = normal(5)
    grads = vjp(r)
    return flat(x, *params, r, y, *grads)


# Batch normalisation in training mode (tests/batch_norm_jax.rs): the statistics of the
# batch over every axis but the channel one (N for vectors, N·H·W for images), biased
# variance inside the normalisation (jax.nn.standardize), and the running averages
# PyTorch's way: running = (1 − m)·running + m·batch, the variance unbiased (ddof=1).
BN_EPS = 1e-3
BN_MOMENTUM = 0.2
# (N, H, W, C); H = W = 0 means vectors (N, C)
BATCH_NORM = [(5, 0, 0, 3), (2, 0, 0, 1), (8, 0, 0, 4), (3, 2, 3, 2), (1, 2, 2, 3)]


def bn_train(x, gamma, beta):
    axes = tuple(range(x.ndim - 1))
    return jax.nn.standardize(x, axis=axes, epsilon=BN_EPS) * gamma + beta


def bn_running(x, rm, rv):
    axes = tuple(range(x.ndim - 1))
    m = BN_MOMENTUM
    return ((1 - m) * rm + m * jnp.mean(x, axis=axes),
            (1 - m) * rv + m * jnp.var(x, axis=axes, ddof=1))


def batch_norm_cases():
    out = []
    for (n, h, w_, c) in BATCH_NORM:
        shape = (n, c) if h == 0 else (n, h, w_, c)
        x = normal(*shape) * 2.0 + normal(c)
        gamma, beta = normal(c), normal(c)
        rm, rv = normal(c), 0.5 + rng.random(c)
        y, vjp = jax.vjp(bn_train, x, gamma, beta)
        r = normal(*y.shape)
        dx, dgamma, dbeta = vjp(r)
        rm2, rv2 = bn_running(x, rm, rv)
        out.append(sizes(n, h, w_, c)
                   + flat(x, gamma, beta, rm, rv, r, y, dx, dgamma, dbeta, rm2, rv2))
    return out


def batch_norm_network_case():
    # a batch of 3 images 6×6×1 → Conv2d 3×3 (4) SAME → batch norm over 3·6·6 pixels
    #   → tanh → flatten (144) → Dense 144 → 3; E = Σ r·y over the batch
    n = 3
    x = normal(n, 6, 6, 1)
    w1, b1 = normal(4, 3, 3, 1) * 0.5, normal(4) * 0.1
    gamma, beta = 1.0 + 0.3 * normal(4), 0.2 * normal(4)
    wd, bd = normal(3, 144) * 0.2, normal(3) * 0.1
    rm, rv = normal(4) * 0.1, 0.5 + rng.random(4)

    def conv_out(x, w1, b1):
        return jax.vmap(lambda img: conv(img, w1, b1, (1, 1), True))(x)

    def net(x, w1, b1, gamma, beta, wd, bd):
        a = jnp.tanh(bn_train(conv_out(x, w1, b1), gamma, beta))
        return a.reshape(n, -1) @ wd.T + bd

    params = (w1, b1, gamma, beta, wd, bd)
    y, vjp = jax.vjp(net, x, *params)
    r = normal(*y.shape)
    grads = vjp(r)
    rm2, rv2 = bn_running(conv_out(x, w1, b1), rm, rv)
    return flat(x, *params, rm, rv, r, y, *grads, rm2, rv2)


os.makedirs(OUT, exist_ok=True)
write("jax_conv2d.bin", conv_cases())
write("jax_pool2d.bin", pool_cases())
write("jax_global_avg_pool.bin", global_cases())
write("jax_network.bin", [network_case()])
write("jax_batch_norm.bin", batch_norm_cases())
write("jax_batch_norm_network.bin", [batch_norm_network_case()])
