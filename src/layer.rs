//! The core trait every layer and every network implements.

use crate::batch::{BatchError, check_batch};
use crate::init::Init;
use crate::params::Params;
use crate::scalar::{Scalar, Vector};
use rand_core::Rng;

/// A differentiable function with a fixed input and output size, and (possibly) parameters.
///
/// Everything in typenet is a `Layer`: a single layer such as [`Dense`](crate::Dense) or
/// [`Sigmoid`](crate::Sigmoid), a tuple of layers (a sequential network, see
/// [`chain`](crate::chain)), and a struct with `#[derive(Network)]`.
///
/// # Three jobs, three entry points
///
/// * **Inference**: [`forward`](Layer::forward) takes `&self`, allocates nothing and keeps
///   no state, so a trained network can be a `static` in flash.
/// * **Training forward**: [`forward_train`](Layer::forward_train) also returns a typed
///   [`Cache`](Layer::Cache) holding what backward needs (for `Dense`, its input; for
///   `Sigmoid`, its output). The cache is a plain value, so it lives on the stack.
/// * **Backward**: [`backward`](Layer::backward) takes that cache and `∂E/∂output`,
///   *adds* the parameter gradients into `grads`, and returns `∂E/∂input`, which the
///   previous layer's backward starts from. That is the chain rule, one layer at a time.
///
/// # Gradients are a network too
///
/// `grads` has the layer's own type: the gradient of a `Dense<2, 1>` is a `Dense<2, 1>`
/// whose weights hold `∂E/∂w`. The same goes for optimizer state (momentum, Adam's
/// moments). A network of any shape therefore gets gradient and optimizer storage of
/// exactly the right size, known at compile time, with no heap.
///
/// # Parameters
///
/// Optimizers, the gradient check and serialisation reach the parameters through the
/// visiting methods, which present each parameter tensor as a flat slice, always in the
/// same order (layer order; within a `Dense`, weights row by row, then biases).
///
/// A layer declares its parameters once, with `#[derive(Params)]` (see
/// [`params`](crate::params)); tuples and `#[derive(Network)]` networks sum their
/// layers'. The parameter items here ([`PARAM_COUNT`](Layer::PARAM_COUNT),
/// [`zeroed`](Layer::zeroed), the walks, [`init_params`](Layer::init_params), …) all
/// come from that declaration: a layer never writes them.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a typenet layer",
    label = "this is not a layer",
    note = "layers are types such as `Dense<I, O>` or `Sigmoid<N>`, tuples of layers, or structs with `#[derive(Network)]`"
)]
pub trait Layer: Params<<Self as Layer>::Scalar> {
    /// The number type the layer computes in (`f32` by default).
    type Scalar: Scalar;
    /// The input: an array `[Self::Scalar; IN]`.
    type Input: Vector<Self::Scalar>;
    /// The output: an array `[Self::Scalar; OUT]`.
    type Output: Vector<Self::Scalar>;
    /// What [`forward_train`](Layer::forward_train) keeps for [`backward`](Layer::backward).
    type Cache;

    /// The number of trainable parameters (from [`Params`]).
    const PARAM_COUNT: usize = <Self as Params<Self::Scalar>>::COUNT;
    /// A hash of the layer's kind and sizes (and, for networks, of every layer in order).
    /// Byte images carry it so that weights saved for one shape do not load into another.
    /// From [`Params`]: the layer's name and const sizes.
    const FINGERPRINT: u64 = <Self as Params<Self::Scalar>>::SHAPE_FINGERPRINT;

    /// Bytes the network itself occupies (its parameters, for the built-in layers).
    const BYTES: usize = core::mem::size_of::<Self>();
    /// Bytes a gradient value occupies: the same as [`BYTES`](Layer::BYTES), since
    /// gradients have the network's own type.
    const GRADIENT_BYTES: usize = core::mem::size_of::<Self>();
    /// Bytes the training cache of one sample occupies.
    const CACHE_BYTES: usize = core::mem::size_of::<Self::Cache>();

    /// Inference: computes the output for `x`.
    fn forward(&self, x: &Self::Input) -> Self::Output;

    /// Training forward: computes the output and the cache that [`backward`](Layer::backward)
    /// needs.
    fn forward_train(&self, x: &Self::Input) -> (Self::Output, Self::Cache);

    /// Backward: given the cache of a [`forward_train`](Layer::forward_train) call and
    /// `∂E/∂output`, adds `∂E/∂parameters` into `grads` and returns `∂E/∂input`.
    fn backward(
        &self,
        cache: &Self::Cache,
        grad_output: &Self::Output,
        grads: &mut Self,
    ) -> Self::Input;

    /// Backward for the first layer of a network: adds `∂E/∂parameters` into `grads` like
    /// [`backward`](Layer::backward) but does not compute `∂E/∂input`, which nobody
    /// reads there. For a `Dense<784, 128>` that is a third of a training step saved.
    /// The default calls `backward` and drops the input gradient.
    #[inline]
    fn backward_params(&self, cache: &Self::Cache, grad_output: &Self::Output, grads: &mut Self) {
        let _ = self.backward(cache, grad_output, grads);
    }

    /// [`backward`](Layer::backward) into gradients that hold only this sample's: sets
    /// `grads`' parameters to `∂E/∂parameters` rather than adding to them. The same bits
    /// as [`zero_params`](Layer::zero_params) followed by `backward` (each gradient is
    /// computed as `0 + …`, exactly what adding to a zero computes), without the pass
    /// that zeroes the gradients nor reading them back: for a one-sample training step
    /// ([`train_step`](crate::train_step)) over a large layer, a quarter of the memory
    /// traffic. The default does exactly that zeroing then `backward`; `Dense` and tuples
    /// override it.
    #[inline]
    fn backward_overwrite(
        &self,
        cache: &Self::Cache,
        grad_output: &Self::Output,
        grads: &mut Self,
    ) -> Self::Input {
        grads.zero_params();
        self.backward(cache, grad_output, grads)
    }

    /// [`backward_params`](Layer::backward_params) that sets `grads` as
    /// [`backward_overwrite`](Layer::backward_overwrite) does: the first layer of a
    /// one-sample training step.
    #[inline]
    fn backward_params_overwrite(
        &self,
        cache: &Self::Cache,
        grad_output: &Self::Output,
        grads: &mut Self,
    ) {
        grads.zero_params();
        self.backward_params(cache, grad_output, grads);
    }

    /// Scalars of working memory, per sample, that [`forward_batch`](Layer::forward_batch)
    /// and [`backward_batch`](Layer::backward_batch) need: a network keeps each layer's
    /// outputs and their gradients there. Zero for single layers.
    const BATCH_WORKSPACE: usize = 0;

    /// Batched forward: `ys[b] = forward(xs[b])` for every sample, keeping in `workspace`
    /// (at least `xs.len() · BATCH_WORKSPACE` scalars) what
    /// [`backward_batch`](Layer::backward_batch) needs.
    ///
    /// Results are bit for bit those of [`forward`](Layer::forward) on each sample.
    /// The default loops over the samples; [`Dense`](crate::Dense) overrides it with a
    /// blocked matrix product.
    ///
    /// # Errors
    /// [`BatchError`] if `ys` and `xs` differ in length or `workspace` is too short.
    fn forward_batch(
        &self,
        xs: &[Self::Input],
        ys: &mut [Self::Output],
        workspace: &mut [Self::Scalar],
    ) -> Result<(), BatchError> {
        check_batch(
            xs.len(),
            &[ys.len()],
            workspace.len(),
            Self::BATCH_WORKSPACE,
        )?;
        for (x, y) in xs.iter().zip(ys) {
            *y = self.forward(x);
        }
        Ok(())
    }

    /// Batched backward, after [`forward_batch`](Layer::forward_batch) on the same `xs`
    /// with the same `workspace`: adds the parameter gradients of every sample into
    /// `grads` (in sample order) and, if `grad_xs` is given, writes each sample's
    /// `∂E/∂input` there. `ys` are the outputs forward_batch wrote, `grad_ys` the
    /// `∂E/∂output`s.
    ///
    /// Results are bit for bit those of [`backward`](Layer::backward) applied sample
    /// after sample. The default does exactly that, recomputing each sample's cache with
    /// [`forward_train`](Layer::forward_train); layers whose cache is their input or
    /// output override it to skip the recomputation.
    ///
    /// # Errors
    /// [`BatchError`] if the slices differ in length or `workspace` is too short.
    fn backward_batch(
        &self,
        xs: &[Self::Input],
        ys: &[Self::Output],
        grad_ys: &[Self::Output],
        grad_xs: Option<&mut [Self::Input]>,
        grads: &mut Self,
        workspace: &mut [Self::Scalar],
    ) -> Result<(), BatchError> {
        let n = xs.len();
        let dxn = grad_xs.as_ref().map_or(n, |d| d.len());
        check_batch(
            n,
            &[ys.len(), grad_ys.len(), dxn],
            workspace.len(),
            Self::BATCH_WORKSPACE,
        )?;
        match grad_xs {
            Some(dxs) => {
                for ((x, gy), dx) in xs.iter().zip(grad_ys).zip(dxs) {
                    let (_, cache) = self.forward_train(x);
                    *dx = self.backward(&cache, gy, grads);
                }
            }
            None => {
                for (x, gy) in xs.iter().zip(grad_ys) {
                    let (_, cache) = self.forward_train(x);
                    self.backward_params(&cache, gy, grads);
                }
            }
        }
        Ok(())
    }

    /// A value of this type whose every parameter is zero: fresh gradient or optimizer
    /// storage. Settings that are not parameters (such as a leaky ReLU's slope) keep
    /// their defaults.
    #[inline]
    fn zeroed() -> Self {
        <Self as Params<Self::Scalar>>::zero_value()
    }

    /// Calls `f` once per parameter tensor, as a flat slice, in the documented order.
    #[inline]
    fn visit_params<F: FnMut(&[Self::Scalar])>(&self, f: &mut F) {
        self.each_param(f);
    }

    /// Calls `f` once per parameter tensor, as a flat mutable slice, in the same order.
    #[inline]
    fn visit_params_mut<F: FnMut(&mut [Self::Scalar])>(&mut self, f: &mut F) {
        self.each_param_mut(f);
    }

    /// Walks the parameters of `self`, of `grads` and of `K` state networks in lockstep,
    /// one tensor at a time. This is how an optimizer updates parameters from gradients
    /// and its own per-parameter state (`K = 0` for SGD, 1 for momentum, 2 for Adam).
    #[inline]
    fn zip_params<const K: usize, F>(&mut self, grads: &Self, state: [&mut Self; K], f: &mut F)
    where
        F: FnMut(&mut [Self::Scalar], &[Self::Scalar], [&mut [Self::Scalar]; K]),
    {
        self.zip_each(grads, state, f);
    }

    /// Sets every parameter from `rng` with the scheme `init` (see [`Init`]).
    #[inline]
    fn init_params<R: Rng + ?Sized>(&mut self, init: Init, rng: &mut R) {
        self.init_each(init, rng);
    }

    /// Sets every parameter to zero: call it on gradients before accumulating a new
    /// mini-batch. It only writes the parameters, nothing else.
    #[inline]
    fn zero_params(&mut self) {
        self.visit_params_mut(&mut |p| p.fill(Self::Scalar::zero()));
    }

    /// Multiplies every parameter by `factor`: for instance `1/B` to turn gradients summed
    /// over a mini-batch of `B` samples into their mean.
    #[inline]
    fn scale_params(&mut self, factor: Self::Scalar) {
        self.visit_params_mut(&mut |p| {
            for v in p {
                *v = *v * factor;
            }
        });
    }

    /// Builds a network with every parameter drawn from `rng` with the scheme `init`.
    ///
    /// ```
    /// use typenet::{Dense, Init, Layer, Sigmoid, SplitMix64};
    /// let mut rng = SplitMix64::new(7);
    /// let net: (Dense<2, 4>, Sigmoid<4>) = Layer::initialized(Init::XavierUniform, &mut rng);
    /// let again: (Dense<2, 4>, Sigmoid<4>) = Layer::initialized(Init::XavierUniform, &mut SplitMix64::new(7));
    /// assert_eq!(net.0.weights, again.0.weights); // same seed, same network
    /// ```
    fn initialized<R: Rng + ?Sized>(init: Init, rng: &mut R) -> Self {
        let mut net = Self::zeroed();
        net.init_params(init, rng);
        net
    }
}

use num_traits::Zero as _;

/// The input type of a layer: `InputOf<Dense<2, 1>>` is `[f32; 2]`.
pub type InputOf<L> = <L as Layer>::Input;
/// The output type of a layer: `OutputOf<Dense<2, 1>>` is `[f32; 1]`.
pub type OutputOf<L> = <L as Layer>::Output;
/// The scalar type of a layer.
pub type ScalarOf<L> = <L as Layer>::Scalar;
/// The training cache type of a layer.
pub type CacheOf<L> = <L as Layer>::Cache;

/// Compile-time shape fingerprints (FNV-1a, 64 bit).
///
/// A layer's fingerprint hashes its kind and sizes; a network's combines its layers' in
/// order. Custom layers can use these `const fn`s for their own
/// [`Layer::FINGERPRINT`].
pub mod fingerprint {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;

    const fn mix(mut h: u64, byte: u8) -> u64 {
        h ^= byte as u64;
        h.wrapping_mul(PRIME)
    }

    const fn mix_u64(mut h: u64, v: u64) -> u64 {
        let bytes = v.to_le_bytes();
        let mut i = 0;
        while i < 8 {
            h = mix(h, bytes[i]);
            i += 1;
        }
        h
    }

    /// The fingerprint of a layer of kind `name` with the given sizes.
    pub const fn layer(name: &str, dims: &[usize]) -> u64 {
        let bytes = name.as_bytes();
        let mut h = OFFSET;
        let mut i = 0;
        while i < bytes.len() {
            h = mix(h, bytes[i]);
            i += 1;
        }
        let mut j = 0;
        while j < dims.len() {
            h = mix_u64(h, dims[j] as u64);
            j += 1;
        }
        h
    }

    /// Appends a layer's fingerprint to a running network fingerprint (order matters).
    pub const fn then(acc: u64, next: u64) -> u64 {
        mix_u64(mix(acc, b'>'), next)
    }

    /// The starting value for [`then`], for a network with no layers yet.
    pub const START: u64 = OFFSET;
}
