//! A tiny convolutional network trained on the device: the computation behind `cnn_fit`.
//!
//! `Conv2d` 3×3 (4 filters, no padding) → ReLU → max pool 2×2 → `Flatten` → `Dense<36, 10>`,
//! initialised from a fixed seed and trained by [`Trainer::fit_in_order`] with momentum
//! and the squared error to one-hot targets on the first [`IMAGES`] images of [`crate::cnn::CHECK_PIXELS`]:
//! forward, backward and the optimizer step of the convolutional layers on a
//! microcontroller. Compiled unchanged into the host test that writes `golden/cnn_fit.txt`,
//! so the device's losses and trained biases must have the host's exact bits.
//!
//! Why not softmax cross-entropy: it calls `exp` and `ln` through `num_traits::Float`,
//! which are libm's on the device but the platform's (`std`) in the host test, whose
//! dev-dependencies turn on `num-traits/std`; the two differ in the last bit now and
//! then, and training compounds it (tried: the losses from epoch 10 on differed by 1–4
//! ulp). The squared error needs only `+ − ×`.

use crate::cnn::{CHECK_LABELS, CHECK_PIXELS};
use crate::out::Sink;
use core::ops::ControlFlow;
use typenet::{
    Conv2d, Dense, Flatten, Init, Layer, MaxPool2d, Momentum, Mse, PerPixel, Relu, SplitMix64,
    Trainer, Valid, infer,
};

/// 8×8×1 → conv 3×3 (4, valid) → 6×6×4 → ReLU → max pool 2×2 → 3×3×4 → flatten (36) → 10.
pub type Net = (
    Conv2d<8, 8, 1, 4, 3, 3, 1, 1, Valid, 6, 6>,
    PerPixel<Relu<4>, 6, 6>,
    MaxPool2d<6, 6, 4, 2, 2, 2, 2, Valid, 3, 3>,
    Flatten<3, 3, 4, 36>,
    Dense<36, 10>,
);

/// One training image with its label as a one-hot target.
pub type Sample = ([[[f32; 1]; 8]; 8], [f32; 10]);

/// How many images the network trains on.
pub const IMAGES: usize = 8;
/// The seed of the weight initialisation.
pub const SEED: u64 = 3;
/// Epochs of two mini-batches of four images.
pub const EPOCHS: usize = 100;
/// The schedule: in order, batches of 4.
pub const SCHEDULE: Trainer = Trainer::new(EPOCHS, 4);

/// The training set: the first [`IMAGES`] test images, each pixel divided by 16 (exact),
/// with one-hot targets.
fn data() -> [Sample; IMAGES] {
    let mut data = [([[[0.0; 1]; 8]; 8], [0.0; 10]); IMAGES];
    for ((sample, pixels), &label) in data.iter_mut().zip(&CHECK_PIXELS).zip(&CHECK_LABELS) {
        sample.0 = pixels.map(|row| row.map(|p| [f32::from(p) / 16.0]));
        for (k, t) in sample.1.iter_mut().enumerate() {
            *t = if k == usize::from(label) { 1.0 } else { 0.0 };
        }
    }
    data
}

/// Trains, printing the mean loss now and then, the trained biases and each image's
/// class. Returns whether training ran to the end, lowered the loss and learned all
/// [`IMAGES`] images.
pub fn run(out: &mut impl Sink) -> bool {
    out.str("typenet cnn_fit: Conv2d 3x3 (4) > ReLU > MaxPool 2x2 > Flatten > Dense<36, 10>\n");
    out.u32(Net::PARAM_COUNT as u32);
    out.str(" parameters; Trainer::fit_in_order on ");
    out.u32(IMAGES as u32);
    out.str(" images, batches of 4, momentum 0.9, rate 0.03, squared error to one-hot targets\n");
    let data = data();
    let mut net: Net = Layer::initialized(Init::HeUniform, &mut SplitMix64::new(SEED));
    let mut grads = Net::zeroed();
    let Ok(mut opt) = Momentum::new(0.03, 0.9) else {
        out.str("invalid settings\n");
        return false;
    };
    let mut first = f32::INFINITY;
    let result = SCHEDULE.fit_in_order(
        &mut net,
        &mut grads,
        &Mse::new(),
        &mut opt,
        &data,
        |e, _| {
            if e.epoch == 1 {
                first = e.loss;
            }
            if e.epoch == 1 || e.epoch % 25 == 0 {
                out.str("epoch ");
                out.u32(e.epoch as u32);
                out.str(": mean loss");
                out.fixed4(e.loss);
                out.str(" ");
                out.hex(e.loss);
                out.str("\n");
            }
            ControlFlow::Continue(())
        },
    );
    let Ok(Some(last)) = result else {
        out.str("training stopped early\n");
        return false;
    };
    out.str("conv biases:");
    for &b in &net.0.bias {
        out.str(" ");
        out.hex(b);
    }
    out.str("\ndense biases:");
    for &b in &net.4.bias {
        out.str(" ");
        out.hex(b);
    }
    out.str("\n");
    let mut right = 0;
    for (x, t) in &data {
        let scores = infer(&net, x);
        let (mut class, mut best) = (0, scores[0]);
        for (k, &s) in scores.iter().enumerate() {
            if s > best {
                (class, best) = (k, s);
            }
        }
        let label = t.iter().position(|&v| v > 0.5).unwrap_or(10);
        right += usize::from(class == label);
        out.u32(label as u32);
        out.str(" -> ");
        out.u32(class as u32);
        out.str("\n");
    }
    out.u32(right as u32);
    out.str(" of ");
    out.u32(IMAGES as u32);
    out.str(" right\n");
    let ok = last.epoch == EPOCHS && last.loss < first && right == IMAGES;
    out.str(if ok { "trained\n" } else { "NOT TRAINED\n" });
    ok
}
