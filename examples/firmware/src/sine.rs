//! sin(x) on [0, 2π] from weights trained on the host: the computation behind `sine`.
//!
//! The weights come from `cargo run --release --example sine_train` in the main crate,
//! which writes `sine_weights.rs`: a `static` built with `const fn` constructors, so the
//! network sits in flash (`.rodata`) and nothing is copied to RAM at start-up. Compiled
//! into the firmware and into the host golden test alike.

use crate::out::Sink;
use typenet::{Dense, Layer, Relu, infer};

/// The classic tiny-ML "hello world" shape.
pub type SineNet = (
    Dense<1, 16>,
    Relu<16>,
    Dense<16, 16>,
    Relu<16>,
    Dense<16, 1>,
);

include!("sine_weights.rs");

/// How far from sin(x) an output may be: a little above what the host measured.
pub const TOLERANCE: f32 = 0.05;

// The budget a firmware author writes down, checked when the firmware is compiled.
const _: () = assert!(SineNet::PARAM_COUNT == 16 + 16 + 16 * 16 + 16 + 16 + 1);
const _: () = assert!(
    SineNet::BYTES <= 1536,
    "the sine weights must fit in 1.5 KiB of flash"
);
const _: () = assert!(
    HOST_MAX_ERROR < TOLERANCE,
    "the trained weights are not good enough"
);

/// Evaluates the network at [`CHECK_X`] and prints each output beside sin(x) and the
/// host's result. Returns whether every output has the host's exact bits and lies within
/// [`TOLERANCE`] of sin(x).
pub fn run(out: &mut impl Sink) -> bool {
    out.str("typenet sine: Dense<1, 16> > Relu<16> > Dense<16, 16> > Relu<16> > Dense<16, 1>\n");
    out.u32(SineNet::PARAM_COUNT as u32);
    out.str(" parameters, ");
    out.u32(SineNet::BYTES as u32);
    out.str(" bytes in flash; inference only, weights trained on the host\n");
    out.str("      x   net(x)   sin(x)  net(x) bits  host\n");
    let mut ok = true;
    for ((&x, &s), &host) in CHECK_X.iter().zip(&CHECK_SIN).zip(&HOST_Y) {
        let [y] = infer(&SINE, &[x]);
        let same = y.to_bits() == host;
        let close = (y - s).abs() <= TOLERANCE;
        ok &= same && close;
        out.fixed4(x);
        out.str(" ");
        out.fixed4(y);
        out.str(" ");
        out.fixed4(s);
        out.str("  ");
        out.hex(y);
        out.str(if same { "  same" } else { "  DIFFERENT" });
        out.str(if close {
            "\n"
        } else {
            "  TOO FAR FROM sin(x)\n"
        });
    }
    out.str(if ok {
        "all outputs match the host and sin(x)\n"
    } else {
        "MISMATCH\n"
    });
    ok
}
