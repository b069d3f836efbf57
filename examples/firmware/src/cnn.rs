//! Handwritten digits with a small convolutional network trained on the host: the
//! computation behind `cnn`.
//!
//! The weights come from `cargo run --release --example cnn_train` in the main crate,
//! which writes `cnn_weights.rs`: a `static` built with `const fn` constructors, so the
//! network sits in flash (`.rodata`) and nothing is copied to RAM at start-up. Compiled
//! into the firmware and into the host golden test alike.

use crate::out::Sink;
use typenet::{Conv2d, Dense, Flatten, Layer, MaxPool2d, PerPixel, Relu, Same, Valid, infer};

/// 8×8×1 → conv 3×3 (8) → ReLU → max pool 2×2 → conv 3×3 (16) → ReLU → max pool 2×2 →
/// flatten (64) → 10 scores. Must be the same type as `Net` in `examples/cnn_train.rs`.
pub type CnnNet = (
    Conv2d<8, 8, 1, 8, 3, 3, 1, 1, Same, 8, 8>,
    PerPixel<Relu<8>, 8, 8>,
    MaxPool2d<8, 8, 8, 2, 2, 2, 2, Valid, 4, 4>,
    Conv2d<4, 4, 8, 16, 3, 3, 1, 1, Same, 4, 4>,
    PerPixel<Relu<16>, 4, 4>,
    MaxPool2d<4, 4, 16, 2, 2, 2, 2, Valid, 2, 2>,
    Flatten<2, 2, 16, 64>,
    Dense<64, 10>,
);

include!("cnn_weights.rs");

// The budget a firmware author writes down, checked when the firmware is compiled.
const _: () = assert!(CnnNet::PARAM_COUNT == (9 * 8 + 8) + (9 * 8 * 16 + 16) + (64 * 10 + 10));
const _: () = assert!(
    CnnNet::BYTES <= 8192,
    "the CNN weights must fit in 8 KiB of flash"
);
const _: () = assert!(
    HOST_ACCURACY >= 9000,
    "the trained weights are not good enough"
);

/// The image [`CHECK_PIXELS`]`[i]` as the network's input: each 0–16 pixel divided by 16,
/// as the host did (exact in `f32`).
fn image(pixels: &[[u8; 8]; 8]) -> [[[f32; 1]; 8]; 8] {
    pixels.map(|row| row.map(|p| [f32::from(p) / 16.0]))
}

/// Classifies the [`CHECK_PIXELS`] images and prints each label, the predicted class and
/// its score beside the host's. Returns whether all ten scores of every image have the
/// host's exact bits.
pub fn run(out: &mut impl Sink) -> bool {
    out.str("typenet cnn: Conv2d 3x3 (8) > ReLU > MaxPool 2x2 > Conv2d 3x3 (16) > ReLU > MaxPool 2x2 > Flatten > Dense<64, 10>\n");
    out.u32(CnnNet::PARAM_COUNT as u32);
    out.str(" parameters, ");
    out.u32(CnnNet::BYTES as u32);
    out.str(" bytes in flash; inference only, weights trained on the host (test accuracy ");
    out.u32(HOST_ACCURACY / 100);
    out.str(".");
    let hundredths = HOST_ACCURACY % 100;
    if hundredths < 10 {
        out.str("0");
    }
    out.u32(hundredths);
    out.str(" %)\n");
    out.str("image label class    score  score bits  host\n");
    let mut ok = true;
    let mut right = 0;
    for (i, ((pixels, &label), host)) in CHECK_PIXELS
        .iter()
        .zip(&CHECK_LABELS)
        .zip(&HOST_SCORES)
        .enumerate()
    {
        let scores = infer(&CNN, &image(pixels));
        let same = scores.iter().zip(host).all(|(s, &h)| s.to_bits() == h);
        ok &= same;
        let (mut class, mut best) = (0, scores[0]);
        for (k, &s) in scores.iter().enumerate() {
            if s > best {
                (class, best) = (k, s);
            }
        }
        right += u32::from(class == usize::from(label));
        out.str("   ");
        if i < 10 {
            out.str(" ");
        }
        out.u32(i as u32);
        out.str("     ");
        out.u32(u32::from(label));
        out.str("     ");
        out.u32(class as u32);
        out.str(if (-10.0..10.0).contains(&best) {
            "  "
        } else {
            " "
        });
        out.fixed4(best);
        out.str("  ");
        out.hex(best);
        out.str(if same { "  same\n" } else { "  DIFFERENT\n" });
    }
    out.u32(right);
    out.str(" of ");
    out.u32(CHECK_LABELS.len() as u32);
    out.str(" right\n");
    out.str(if ok {
        "all scores match the host\n"
    } else {
        "MISMATCH\n"
    });
    ok
}
