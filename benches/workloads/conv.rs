//! W5i — keyword spotting's DS-CNN block, per-sample inference: a 49×10×1 input, Conv2d
//! 10×4 stride 2 SAME → 25×5×64, ReLU, depthwise 3×3 SAME, ReLU, pointwise 1×1 (64 → 64),
//! ReLU. typenet's layers against the same maths written as plain loops over the same
//! arrays (padding taps skipped, eight partial sums per channel dot product as typenet's
//! kernels do, so the comparison is of code, not of arithmetic).

#![allow(clippy::needless_range_loop)]

use typenet::{Conv2d, Dense, DepthwiseConv2d, PerPixel, Relu, Same};

pub type DsCnn = (
    Conv2d<49, 10, 1, 64, 10, 4, 2, 2, Same, 25, 5>,
    PerPixel<Relu<64>, 25, 5>,
    DepthwiseConv2d<25, 5, 64, 1, 3, 3, 1, 1, Same, 25, 5, 64>,
    PerPixel<Relu<64>, 25, 5>,
    PerPixel<Dense<64, 64>, 25, 5>,
    PerPixel<Relu<64>, 25, 5>,
);

pub type Input = [[[f32; 1]; 10]; 49];
pub type Output = [[[f32; 64]; 5]; 25];

/// Multiply-adds counted as 2: the convolution, the depthwise and the pointwise layers
/// (taps in the padding included, as is usual for these counts).
pub const FLOPS: f64 = 2.0 * (25.0 * 5.0 * 64.0) * (10.0 * 4.0 + 9.0 + 64.0);

fn relu(x: f32) -> f32 {
    if x > 0.0 { x } else { 0.0 }
}

fn dot(a: &[f32; 64], b: &[f32; 64]) -> f32 {
    let mut acc = [0.0f32; 8];
    for k in 0..8 {
        for l in 0..8 {
            acc[l] += a[8 * k + l] * b[8 * k + l];
        }
    }
    ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]))
}

/// The block as plain loops; SAME padding of the first layer: 4 rows before, 1 column
/// before (TFLite's split), of the depthwise layer 1 and 1.
pub fn plain(net: &DsCnn, x: &Input, a: &mut Output, b: &mut Output, y: &mut Output) {
    let (conv, dw, pw) = (&net.0, &net.2, &net.4.layer);
    for oy in 0..25 {
        for ox in 0..5 {
            for o in 0..64 {
                let mut acc = conv.bias[o];
                for ky in 0..10 {
                    let iy = (2 * oy + ky) as isize - 4;
                    if !(0..49).contains(&iy) {
                        continue;
                    }
                    for kx in 0..4 {
                        let ix = (2 * ox + kx) as isize - 1;
                        if !(0..10).contains(&ix) {
                            continue;
                        }
                        acc += x[iy as usize][ix as usize][0] * conv.weights[o][ky][kx][0];
                    }
                }
                a[oy][ox][o] = relu(acc);
            }
        }
    }
    for oy in 0..25 {
        for ox in 0..5 {
            let mut acc = dw.bias;
            for ky in 0..3 {
                let iy = (oy + ky) as isize - 1;
                if !(0..25).contains(&iy) {
                    continue;
                }
                for kx in 0..3 {
                    let ix = (ox + kx) as isize - 1;
                    if !(0..5).contains(&ix) {
                        continue;
                    }
                    let px = &a[iy as usize][ix as usize];
                    for q in 0..64 {
                        acc[q] += px[q] * dw.weights[ky][kx][q];
                    }
                }
            }
            b[oy][ox] = acc.map(relu);
        }
    }
    for oy in 0..25 {
        for ox in 0..5 {
            for o in 0..64 {
                y[oy][ox][o] = relu(pw.bias[o] + dot(&pw.weights[o], &b[oy][ox]));
            }
        }
    }
}
