//! Handwritten digits on a Cortex-M, in f32 and in int8: the computations behind the
//! `digits_f32` and `digits_int8` binaries.
//!
//! The 64 → 32 sigmoid → 10 network of the main crate's `digits` example, trained on the
//! host, and its int8 twin from `typenet::quant::quantize`; both are written into
//! `digits_model.rs` by `cargo run --release --example digits_int8 -- --write`, as
//! `static`s built by `const fn`s (the int8 one from prepared integers: no floating point
//! on the device). Each binary runs its network on ten test images and succeeds only if
//! every output equals the host's, bit for bit. Compiled into the firmware and into the
//! host golden test alike.
//!
//! For counting executed instructions under QEMU, `TYPENET_EXTRA_PASSES=n` at build
//! time runs `n` unprinted passes over the images before the printed one: the
//! difference between builds with `n` and with 0, divided by `10·n`, is the cost of
//! one inference.

use crate::out::Sink;
use core::hint::black_box;
use typenet::quant::{QDense, QLayer, QTable};
use typenet::{Dense, Layer, Sigmoid};

/// The float network.
pub type DigitsF32 = (Dense<64, 32>, Sigmoid<32>, Dense<32, 10>);
/// Its int8 twin: codes in, codes out.
pub type DigitsInt8 = (QDense<64, 32>, QTable<32>, QDense<32, 10>);

include!("digits_model.rs");

/// Unprinted passes over the images before the printed one (see the module docs).
pub const EXTRA_PASSES: u32 = parse(option_env!("TYPENET_EXTRA_PASSES"));

const fn parse(s: Option<&str>) -> u32 {
    let Some(s) = s else { return 0 };
    let bytes = s.as_bytes();
    let mut n = 0u32;
    let mut i = 0;
    while i < bytes.len() {
        assert!(
            bytes[i].is_ascii_digit(),
            "TYPENET_EXTRA_PASSES must be a number"
        );
        n = n * 10 + (bytes[i] - b'0') as u32;
        i += 1;
    }
    n
}

/// The index of the largest value (the first of equals), without indexing.
fn argmax<T: PartialOrd + Copy>(values: &[T]) -> u32 {
    let mut best: Option<(u32, T)> = None;
    for (i, &v) in (0u32..).zip(values) {
        if best.is_none_or(|(_, b)| v > b) {
            best = Some((i, v));
        }
    }
    best.map_or(0, |(i, _)| i)
}

fn i32_text(out: &mut impl Sink, v: i32) {
    if v < 0 {
        out.str("-");
    }
    out.u32(v.unsigned_abs());
}

fn result(out: &mut impl Sink, i: u32, predicted: u32, same: bool) -> bool {
    let label = LABELS.get(i as usize).copied().map_or(99, u32::from);
    out.str("image ");
    out.u32(i);
    out.str(": label ");
    out.u32(label);
    out.str(", predicted ");
    out.u32(predicted);
    out.str(if same {
        ", same as host\n"
    } else {
        ", DIFFERENT from host\n"
    });
    same
}

/// Runs the float network on the images; whether every output has the host's bits.
// `0..EXTRA_PASSES` is empty unless counting instructions.
#[allow(clippy::reversed_empty_ranges)]
pub fn run_f32(out: &mut impl Sink) -> bool {
    for _ in 0..EXTRA_PASSES {
        for x in &IMAGES {
            black_box(F32_NET.forward(black_box(x)));
        }
    }
    out.str("typenet digits, f32: Dense<64, 32> > Sigmoid<32> > Dense<32, 10>, ");
    out.u32(DigitsF32::BYTES as u32);
    out.str(" bytes\n");
    let mut ok = true;
    for ((i, x), host) in (0u32..).zip(&IMAGES).zip(&HOST_F32) {
        let y = F32_NET.forward(x);
        let same = y.iter().zip(host).all(|(a, &b)| a.to_bits() == b);
        ok &= result(out, i, argmax(&y), same);
        for v in y {
            out.str(" ");
            out.hex(v);
        }
        out.str("\n");
    }
    out.str(if ok {
        "all outputs match the host\n"
    } else {
        "MISMATCH\n"
    });
    ok
}

/// Runs the int8 network on the quantized images; whether every output code is the
/// host's.
#[allow(clippy::reversed_empty_ranges)]
pub fn run_int8(out: &mut impl Sink) -> bool {
    for _ in 0..EXTRA_PASSES {
        for x in &CODES {
            black_box(INT8_NET.forward(black_box(x)));
        }
    }
    out.str("typenet digits, int8: QDense<64, 32> > QTable<32> > QDense<32, 10>, ");
    out.u32(size_of::<DigitsInt8>() as u32);
    out.str(" bytes\n");
    let mut ok = true;
    for ((i, x), host) in (0u32..).zip(&CODES).zip(&HOST_INT8) {
        let y = INT8_NET.forward(x);
        ok &= result(out, i, argmax(&y), y == *host);
        for v in y {
            out.str(" ");
            i32_text(out, i32::from(v));
        }
        out.str("\n");
    }
    out.str(if ok {
        "all outputs match the host\n"
    } else {
        "MISMATCH\n"
    });
    ok
}
