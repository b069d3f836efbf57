"""Trains a 2-3-1 sigmoid network on XOR with NumPy and saves it as .npy files.

The layout is PyTorch's `nn.Linear`: weights (out, in), bias (out,), which is the
layout typenet's `Dense<I, O>` reads. The output layer is also saved Keras-style,
as an (in, out) kernel, for the transposing loader. `expected.npy` holds NumPy's own
outputs for the four inputs, so the Rust side can check it computes the same network.

    pip install numpy && python3 examples/npy/make_weights.py
"""
from pathlib import Path

import numpy as np

here = Path(__file__).parent
rng = np.random.default_rng(7)
x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
t = np.array([[0], [1], [1], [0]], dtype=np.float64)

w1, b1 = rng.uniform(-1, 1, (3, 2)), np.zeros(3)  # (out, in)
w2, b2 = rng.uniform(-1, 1, (1, 3)), np.zeros(1)
sigmoid = lambda a: 1 / (1 + np.exp(-a))

for _ in range(20000):
    h = sigmoid(x @ w1.T + b1)
    y = sigmoid(h @ w2.T + b2)
    d2 = (y - t) * y * (1 - y)  # dE/da2 for E = 1/2 sum (y - t)^2
    d1 = (d2 @ w2) * h * (1 - h)
    w2 -= 1.0 * d2.T @ h
    b2 -= 1.0 * d2.sum(0)
    w1 -= 1.0 * d1.T @ x
    b1 -= 1.0 * d1.sum(0)

f32 = lambda a: a.astype("<f4")
np.save(here / "hidden_weight.npy", f32(w1))  # (3, 2)
np.save(here / "hidden_bias.npy", f32(b1))  # (3,)
np.save(here / "out_weight.npy", f32(w2))  # (1, 3)
np.save(here / "out_bias.npy", f32(b2))  # (1,)
np.save(here / "out_kernel.npy", f32(w2).T.copy())  # (3, 1), Keras' layout
# the network's outputs, computed from the saved float32 weights in float64
h = sigmoid(x @ f32(w1).astype(np.float64).T + f32(b1))
np.save(here / "expected.npy", sigmoid(h @ f32(w2).astype(np.float64).T + f32(b2)))  # (4, 1), '<f8'
print(np.round(np.load(here / "expected.npy").ravel(), 4))
