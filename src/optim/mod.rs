//! Optimizers: how parameters move, given their gradients.

mod adam;
mod clip;
mod momentum;
pub mod schedule;
mod sgd;
mod state;

pub use adam::Adam;
pub use clip::{clip_grad_norm, grad_norm};
pub use momentum::Momentum;
pub use schedule::{Cosine, LearningRate, Schedule, Scheduled, StepDecay, Warmup};
pub use sgd::Sgd;
pub use state::StateError;

use crate::layer::Layer;

/// Updates a network's parameters from gradients of the same shape.
///
/// An optimizer with per-parameter state (momentum, Adam's moments) keeps that state as
/// values of the network's own type `N`, so its size is known at compile time.
pub trait Optimizer<N: Layer> {
    /// Moves every parameter of `net` using `grads`. The gradients are not changed; zero
    /// them yourself (see [`Layer::zero_params`]) before accumulating the next batch.
    fn step(&mut self, net: &mut N, grads: &N);
}
