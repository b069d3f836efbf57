//! XOR trained on the device by [`Trainer`]: the computation behind the `fit` binary.
//!
//! Mini-batches of two, momentum, gradient clipping: the code paths of `Trainer::fit_in_order`
//! and `clip_grad_norm` on a microcontroller. Both sum (losses, squared gradients) in the
//! network's own `f32` with Kahan's compensation, so this image links no software
//! double-precision routine; `run.sh` checks that it has no `__aeabi_d*` symbol.
//!
//! Compiled unchanged into the host test that writes `golden/fit.txt`.

use crate::out::Sink;
use core::ops::ControlFlow;
use typenet::{Dense, Init, Layer, Momentum, Mse, Sigmoid, SplitMix64, Trainer, infer};

/// 2 inputs → 4 hidden sigmoid units → 1 sigmoid output.
pub type Net = (Dense<2, 4>, Sigmoid<4>, Dense<4, 1>, Sigmoid<1>);

/// The seed of the weight initialisation.
pub const SEED: u64 = 1;
/// Epochs of two mini-batches of two samples each.
pub const EPOCHS: usize = 2000;
/// The schedule: in order (the data is a `static`), batches of 2, each batch's mean
/// gradient clipped to norm 0.02.
pub const SCHEDULE: Trainer = Trainer::new(EPOCHS, 2).clip_grad_norm(0.02);

/// The truth table, in flash: `fit_in_order` only reads it.
pub static DATA: [([f32; 2], [f32; 1]); 4] = [
    ([0.0, 0.0], [0.0]),
    ([0.0, 1.0], [1.0]),
    ([1.0, 0.0], [1.0]),
    ([1.0, 1.0], [0.0]),
];

/// Trains with [`SCHEDULE`] and momentum, printing the mean loss now and then, then the
/// truth table. Returns whether training ran to the end and all four answers are right.
pub fn run(out: &mut impl Sink) -> bool {
    out.str("typenet fit: (Dense<2, 4>, Sigmoid<4>, Dense<4, 1>, Sigmoid<1>)\n");
    out.str("Trainer::fit_in_order, batches of 2, momentum 0.9, rate 0.5, clipped to norm 0.02\n");
    let mut net: Net = Layer::initialized(Init::XavierUniform, &mut SplitMix64::new(SEED));
    let mut grads = Net::zeroed();
    let Ok(mut opt) = Momentum::new(0.5, 0.9) else {
        out.str("invalid settings\n");
        return false;
    };
    let mut clipped = 0;
    let result = SCHEDULE.fit_in_order(
        &mut net,
        &mut grads,
        &Mse::new(),
        &mut opt,
        &DATA,
        |e, _| {
            clipped += e.clipped;
            if e.epoch == 1 || e.epoch % 500 == 0 {
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
    out.u32(clipped as u32);
    out.str(" batches clipped\n");
    let mut all_right = last.epoch == EPOCHS;
    for (x, t) in &DATA {
        let [y] = infer(&net, x);
        let bit = y > 0.5;
        all_right &= bit == (t[0] > 0.5);
        out.str(if x[0] > 0.5 { "1" } else { "0" });
        out.str(" xor ");
        out.str(if x[1] > 0.5 { "1" } else { "0" });
        out.str(if bit { " = 1" } else { " = 0" });
        out.str("   y =");
        out.fixed4(y);
        out.str(" ");
        out.hex(y);
        out.str("\n");
    }
    out.str(if all_right {
        "all four right\n"
    } else {
        "WRONG\n"
    });
    all_right
}
