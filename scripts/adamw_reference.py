#!/usr/bin/env python3
"""Reference values for AdamW (`Adam::adamw`, src/optim/adam.rs), following the update
rules of PyTorch's `torch.optim.AdamW` (single-tensor path, amsgrad off) as its
documentation states them, in plain Python floats (IEEE f64), no PyTorch or NumPy:

    p := p * (1 - lr * wd)
    m := b1 * m + (1 - b1) * g
    v := b2 * v + (1 - b2) * g^2
    p := p - lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)

Prints the parameters after each step; the test `adamw_matches_pytorchs_rules` in that
file holds this output.

    python3 scripts/adamw_reference.py
"""
from math import sqrt

lr, wd, b1, b2, eps = 0.1, 0.1, 0.9, 0.999, 1e-8
p = [1.0, -2.0, 0.5]  # w0, w1, b of a Dense<2, 1>
m = [0.0] * 3
v = [0.0] * 3
grads = [[2.0, 0.0, -4.0], [1.0, 3.0, -4.0], [-0.5, 0.25, 1.0]]

for t, g in enumerate(grads, start=1):
    for i in range(3):
        p[i] *= 1 - lr * wd
        m[i] = b1 * m[i] + (1 - b1) * g[i]
        v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i]
        bc1, bc2 = 1 - b1 ** t, 1 - b2 ** t
        p[i] -= lr / bc1 * m[i] / (sqrt(v[i]) / sqrt(bc2) + eps)
    print(f"step {t}: {[repr(x) for x in p]}")
