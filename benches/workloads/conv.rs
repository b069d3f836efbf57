//! W5i — keyword spotting's DS-CNN block, per-sample inference: a 49×10×1 input, Conv2d
//! 10×4 stride 2 SAME → 25×5×64, ReLU, depthwise 3×3 SAME, ReLU, pointwise 1×1 (64 → 64),
//! ReLU. typenet's layers against the same maths written as plain loops over the same
//! arrays (padding taps skipped, eight partial sums per channel dot product as typenet's
//! kernels do, so the comparison is of code, not of arithmetic).

#![allow(clippy::needless_range_loop)]

use typenet::{Conv2d, Dense, DepthwiseConv2d, PerPixel, Relu, Same};

pub type Conv = Conv2d<49, 10, 1, 64, 10, 4, 2, 2, Same, 25, 5>;
pub type Dw = DepthwiseConv2d<25, 5, 64, 1, 3, 3, 1, 1, Same, 25, 5, 64>;

pub type DsCnn = (
    Conv,
    PerPixel<Relu<64>, 25, 5>,
    Dw,
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
    plain_layers(&net.0, &net.2, &net.4.layer, x, a, b, y);
}

/// [`plain`] from the three layers with weights.
fn plain_layers(
    conv: &Conv,
    dw: &Dw,
    pw: &Dense<64, 64>,
    x: &Input,
    a: &mut Output,
    b: &mut Output,
    y: &mut Output,
) {
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

/// W5: the block with a flattened output, trained on a mean-squared error per batch.
pub type DsCnnTrain = (
    Conv,
    PerPixel<Relu<64>, 25, 5>,
    Dw,
    PerPixel<Relu<64>, 25, 5>,
    PerPixel<Dense<64, 64>, 25, 5>,
    PerPixel<Relu<64>, 25, 5>,
    typenet::Flatten<25, 5, 64, 8000>,
);

/// Multiply-adds counted as 2, per sample of a training step: the forward pass, every
/// layer's weight gradients (as many again), and the input gradients of the depthwise and
/// pointwise layers (the first layer's is not needed).
pub const TRAIN_FLOPS: f64 =
    2.0 * (25.0 * 5.0 * 64.0) * (2.0 * (10.0 * 4.0 + 9.0 + 64.0) + (9.0 + 64.0));

/// The per-sample activations the hand-written training step keeps.
pub struct Scratch {
    a: Box<Output>,
    b: Box<Output>,
    y: Box<Output>,
    g: Box<Output>,
    gb: Box<Output>,
    ga: Box<Output>,
}

impl Scratch {
    pub fn new() -> Self {
        let z = || Box::new([[[0.0f32; 64]; 5]; 25]);
        Self {
            a: z(),
            b: z(),
            y: z(),
            g: z(),
            gb: z(),
            ga: z(),
        }
    }
}

fn zero(p: &mut [f32]) {
    for v in p {
        *v = 0.0;
    }
}

fn sgd(p: &mut [f32], g: &[f32], lr: f32) {
    for (p, &g) in p.iter_mut().zip(g) {
        *p -= lr * g;
    }
}

/// One SGD step on a mini-batch, as plain loops: per sample the forward pass of
/// [`plain`], the squared error's gradient `y − t` through the ReLUs, the pointwise,
/// depthwise and first layers' gradients summed into `grads`, the input gradients of the
/// pointwise and depthwise layers; then `w -= lr·g`. Returns the summed loss.
pub fn plain_step(
    net: &mut DsCnnTrain,
    grads: &mut DsCnnTrain,
    s: &mut Scratch,
    xs: &[Input],
    ts: &[[f32; 8000]],
    lr: f32,
) -> f32 {
    {
        let (c, d, p) = (&mut grads.0, &mut grads.2, &mut grads.4.layer);
        zero(
            c.weights
                .as_flattened_mut()
                .as_flattened_mut()
                .as_flattened_mut(),
        );
        zero(&mut c.bias);
        zero(d.weights.as_flattened_mut().as_flattened_mut());
        zero(&mut d.bias);
        zero(p.weights.as_flattened_mut());
        zero(&mut p.bias);
    }
    let mut loss = 0.0;
    for (x, t) in xs.iter().zip(ts) {
        plain_layers(
            &net.0,
            &net.2,
            &net.4.layer,
            x,
            &mut s.a,
            &mut s.b,
            &mut s.y,
        );
        // ∂E/∂z3 = (y − t)·[y > 0]
        for (k, (g, &y)) in
            s.g.as_flattened_mut()
                .as_flattened_mut()
                .iter_mut()
                .zip(s.y.as_flattened().as_flattened())
                .enumerate()
        {
            let e = y - t[k];
            loss += 0.5 * e * e;
            *g = if y > 0.0 { e } else { 0.0 };
        }
        // pointwise: weights, bias, input gradient, then through the ReLU
        let (pw, gpw) = (&net.4.layer, &mut grads.4.layer);
        for oy in 0..25 {
            for ox in 0..5 {
                let (g, bx) = (&s.g[oy][ox], &s.b[oy][ox]);
                let gb = &mut s.gb[oy][ox];
                *gb = [0.0; 64];
                for o in 0..64 {
                    gpw.bias[o] += g[o];
                    for i in 0..64 {
                        gpw.weights[o][i] += g[o] * bx[i];
                        gb[i] += g[o] * pw.weights[o][i];
                    }
                }
                for i in 0..64 {
                    if bx[i] <= 0.0 {
                        gb[i] = 0.0;
                    }
                }
            }
        }
        // depthwise: weights, bias, input gradient, then through the ReLU
        let (dw, gdw) = (&net.2, &mut grads.2);
        *s.ga = [[[0.0; 64]; 5]; 25];
        for oy in 0..25 {
            for ox in 0..5 {
                let g = &s.gb[oy][ox];
                for q in 0..64 {
                    gdw.bias[q] += g[q];
                }
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
                        let (iy, ix) = (iy as usize, ix as usize);
                        let (ax, ga) = (&s.a[iy][ix], &mut s.ga[iy][ix]);
                        for q in 0..64 {
                            gdw.weights[ky][kx][q] += g[q] * ax[q];
                            ga[q] += g[q] * dw.weights[ky][kx][q];
                        }
                    }
                }
            }
        }
        for (ga, &a) in
            s.ga.as_flattened_mut()
                .as_flattened_mut()
                .iter_mut()
                .zip(s.a.as_flattened().as_flattened())
        {
            if a <= 0.0 {
                *ga = 0.0;
            }
        }
        // the first layer: weights and bias
        let gc = &mut grads.0;
        for oy in 0..25 {
            for ox in 0..5 {
                let g = &s.ga[oy][ox];
                for o in 0..64 {
                    gc.bias[o] += g[o];
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
                            gc.weights[o][ky][kx][0] += g[o] * x[iy as usize][ix as usize][0];
                        }
                    }
                }
            }
        }
    }
    let (c, d, p) = (&mut net.0, &mut net.2, &mut net.4.layer);
    let (gc, gd, gp) = (&grads.0, &grads.2, &grads.4.layer);
    sgd(
        c.weights
            .as_flattened_mut()
            .as_flattened_mut()
            .as_flattened_mut(),
        gc.weights.as_flattened().as_flattened().as_flattened(),
        lr,
    );
    sgd(&mut c.bias, &gc.bias, lr);
    sgd(
        d.weights.as_flattened_mut().as_flattened_mut(),
        gd.weights.as_flattened().as_flattened(),
        lr,
    );
    sgd(&mut d.bias, &gd.bias, lr);
    sgd(p.weights.as_flattened_mut(), gp.weights.as_flattened(), lr);
    sgd(&mut p.bias, &gp.bias, lr);
    loss
}
