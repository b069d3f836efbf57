#!/usr/bin/env python3
"""Reference values for `BinaryCrossEntropyWithLogits` (src/loss/binary_cross_entropy_logits.rs).

Computed from the textbook definition, not from the stable form the library uses:
    p = 1 / (1 + e^(-a)),  E = -[t ln p + (1 - t) ln(1 - p)],  dE/da = p - t,
in 60-digit decimal arithmetic (Python's `decimal`, no NumPy), so neither rounding nor
saturation of floating point enters. Prints one Rust tuple (a, t, loss, gradient) per case;
the test table `REFERENCE` in that file is this output.

    python3 scripts/bce_logits_reference.py
"""
from decimal import Decimal, getcontext

getcontext().prec = 60

CASES = [
    # ordinary logits, hard and soft targets
    ("0.0", "1"), ("2.5", "0"), ("-3.0", "1"), ("0.7", "0.3"), ("-1.25", "0.9"),
    # where BinaryCrossEntropy after a Sigmoid saturates: f32 from about 17, f64 from 37
    ("17.0", "0"), ("20.0", "0"), ("-20.0", "1"), ("30.0", "1"),
    ("37.0", "0"), ("40.0", "0"), ("100.0", "0"), ("-40.0", "1"), ("-800.0", "1"),
]


def reference(a, t):
    a, t = Decimal(a), Decimal(t)
    p = 1 / (1 + (-a).exp())
    q = 1 / (1 + a.exp())  # 1 - p without cancellation
    loss = -(t * p.ln() + (1 - t) * q.ln())
    return loss, p - t


for a, t in CASES:
    loss, grad = reference(a, t)
    print(f"    ({float(a)!r}, {float(t)!r}, {float(loss)!r}, {float(grad)!r}),")
