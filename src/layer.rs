//! The core trait every layer and every network implements.

use crate::batch::{BatchError, check_batch};
use crate::init::Init;
use crate::params::Params;
use crate::scalar::{Scalar, Vector};
use rand_core::Rng;

/// A function with a fixed input and output size, and (possibly) parameters: what a layer
/// does at inference.
///
/// Everything in typenet is a `Layer`: a single layer such as [`Dense`](crate::Dense) or
/// [`Sigmoid`](crate::Sigmoid), a tuple of layers (a sequential network, see
/// [`chain`](crate::chain)), and a struct with `#[derive(Network)]`.
///
/// # Three concerns, three traits
///
/// * **Inference** (this trait): [`forward`](Layer::forward) takes `&self`, allocates
///   nothing and keeps no state, so a trained network can be a `static` in flash.
/// * **Training** ([`Train`]): [`forward_train`](Train::forward_train) also returns a
///   typed [`Cache`](Train::Cache) holding what backward needs, and
///   [`backward`](Train::backward) takes that cache and `∂E/∂output`, *adds* the
///   parameter gradients into `grads`, and returns `∂E/∂input`. A layer that only infers
///   (a quantised layer, say) does not implement it; it still chains in tuples and
///   derived networks, and training such a network is a compile error that names it.
/// * **Parameters** ([`Params`]): declared once on the layer struct with
///   `#[derive(Params)]`; the parameter items of this trait come from there.
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

    /// Inference: computes the output for `x`.
    fn forward(&self, x: &Self::Input) -> Self::Output;

    /// Scalars of working memory, per sample, that [`forward_batch`](Layer::forward_batch)
    /// and [`backward_batch`](Train::backward_batch) need: a network keeps each layer's
    /// outputs and their gradients there. Zero for single layers.
    const BATCH_WORKSPACE: usize = 0;

    /// Batched forward: `ys[b] = forward(xs[b])` for every sample, keeping in `workspace`
    /// (at least `xs.len() · BATCH_WORKSPACE` scalars) what
    /// [`backward_batch`](Train::backward_batch) needs.
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

    /// Reports this layer's rows to a [summary](crate::summary): one [`Row`] for a
    /// single layer (the default, right for every layer that holds no other layers);
    /// networks (tuples, `#[derive(Network)]`) report their own row at `depth`, then
    /// each of their layers at `depth + 1`. `name` is what the enclosing network calls
    /// it (a field name or tuple index; empty at the top).
    ///
    /// [`Row`]: crate::summary::Row
    fn describe(visit: &mut dyn FnMut(&crate::summary::Row), depth: usize, name: &'static str) {
        visit(&crate::summary::Row::leaf::<Self>(depth, name));
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

/// What a layer does in training: a forward pass that keeps a cache, and backward.
///
/// An inference-only layer does not implement it; training a network that holds one is a
/// compile error that names the layer.
///
/// A layer author writes [`forward_train`](Train::forward_train) and
/// [`backward`](Train::backward). [`backward_with`](Train::backward_with) runs backward
/// in one of the four [`mode`]s a training step needs (adding or setting the parameter
/// gradients, with or without `∂E/∂input`); its default is `backward` itself, which is
/// the same bits in every mode, and a layer overrides it only to go faster (as
/// [`Dense`](crate::Dense) does).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be trained: it has no backward",
    label = "`{Self}` only infers",
    note = "training needs every layer to implement `typenet::Train` (a training forward and a backward); a layer without it still runs `forward` and `infer`"
)]
pub trait Train: Layer {
    /// What [`forward_train`](Train::forward_train) keeps for [`backward`](Train::backward).
    type Cache;

    /// Bytes the training cache of one sample occupies.
    const CACHE_BYTES: usize = core::mem::size_of::<Self::Cache>();

    /// Training forward: computes the output and the cache that
    /// [`backward`](Train::backward) needs.
    fn forward_train(&self, x: &Self::Input) -> (Self::Output, Self::Cache);

    /// Backward: given the cache of a [`forward_train`](Train::forward_train) call and
    /// `∂E/∂output`, adds `∂E/∂parameters` into `grads` and returns `∂E/∂input`.
    fn backward(
        &self,
        cache: &Self::Cache,
        grad_output: &Self::Output,
        grads: &mut Self,
    ) -> Self::Input;

    /// [`backward`](Train::backward) in the mode `M` (see [`mode`]): adding
    /// ([`Accumulate`](mode::Accumulate)) or setting ([`Overwrite`](mode::Overwrite))
    /// the parameter gradients, and computing `∂E/∂input` or not
    /// ([`AccumulateParams`](mode::AccumulateParams),
    /// [`OverwriteParams`](mode::OverwriteParams): the first layer of a network, whose
    /// input gradient nobody reads; the return value is then not read). Every mode
    /// computes the bits `backward` computes (setting is adding to a zero).
    ///
    /// The default zeroes the parameter gradients first when `M` overwrites, then runs
    /// `backward`. A layer overrides it to skip that pass over memory and the unread
    /// input gradient: for a `Dense<784, 128>`, a third of a training step.
    #[inline]
    fn backward_with<M: mode::Mode>(
        &self,
        cache: &Self::Cache,
        grad_output: &Self::Output,
        grads: &mut Self,
    ) -> Self::Input {
        if M::OVERWRITE {
            grads.zero_params();
        }
        self.backward(cache, grad_output, grads)
    }

    /// Batched backward, after [`forward_batch`](Layer::forward_batch) on the same `xs`
    /// with the same `workspace`: adds the parameter gradients of every sample into
    /// `grads` (in sample order) and, if `grad_xs` is given, writes each sample's
    /// `∂E/∂input` there. `ys` are the outputs forward_batch wrote, `grad_ys` the
    /// `∂E/∂output`s.
    ///
    /// Results are bit for bit those of [`backward`](Train::backward) applied sample
    /// after sample. The default does exactly that, recomputing each sample's cache with
    /// [`forward_train`](Train::forward_train); layers whose cache is their input or
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
                    self.backward_with::<mode::AccumulateParams>(&cache, gy, grads);
                }
            }
        }
        Ok(())
    }

    /// Batched forward **in training**: what the batched training step
    /// ([`train_step_batch`](crate::batch::train_step_batch),
    /// [`accumulate_batch`](crate::batch::accumulate_batch), [`BatchTrainer`](crate::BatchTrainer))
    /// runs, where a layer may look at the whole mini-batch at once. Followed by
    /// [`backward_batch_train`](Train::backward_batch_train) on the same `xs` and
    /// `workspace`, and, once the optimizer has stepped, by
    /// [`after_batch_step`](Train::after_batch_step).
    ///
    /// The default is [`forward_batch`](Layer::forward_batch), so every layer that does
    /// not override it gives the per-sample bits. [`BatchNorm`](crate::BatchNorm)
    /// overrides it to normalise with the batch's own mean and variance (keeping them at
    /// the start of its workspace); networks (tuples, `#[derive(Network)]`,
    /// [`PerPixel`](crate::PerPixel)) pass it on to each layer.
    ///
    /// # Errors
    /// As [`forward_batch`](Layer::forward_batch).
    #[inline]
    fn forward_batch_train(
        &self,
        xs: &[Self::Input],
        ys: &mut [Self::Output],
        workspace: &mut [Self::Scalar],
    ) -> Result<(), BatchError> {
        self.forward_batch(xs, ys, workspace)
    }

    /// Batched backward after [`forward_batch_train`](Train::forward_batch_train) on the
    /// same `xs` with the same `workspace` (arguments and results as
    /// [`backward_batch`](Train::backward_batch)). The default is `backward_batch`;
    /// [`BatchNorm`](crate::BatchNorm) overrides it with the gradient through the batch
    /// mean and variance.
    ///
    /// # Errors
    /// As [`backward_batch`](Train::backward_batch).
    #[inline]
    fn backward_batch_train(
        &self,
        xs: &[Self::Input],
        ys: &[Self::Output],
        grad_ys: &[Self::Output],
        grad_xs: Option<&mut [Self::Input]>,
        grads: &mut Self,
        workspace: &mut [Self::Scalar],
    ) -> Result<(), BatchError> {
        self.backward_batch(xs, ys, grad_ys, grad_xs, grads, workspace)
    }

    /// Called once per batched training step, after the optimizer's step succeeded, with
    /// the batch's size and the workspace [`forward_batch_train`](Train::forward_batch_train)
    /// ran in: where a layer updates state that is not a parameter from what it measured
    /// on the batch. [`BatchNorm`](crate::BatchNorm) moves its running mean and variance
    /// there; the default does nothing. Optimizers and the parameter walks never see this
    /// state.
    ///
    /// `workspace` must be the one `forward_batch_train` wrote for a batch of `batch`
    /// samples (at least `batch · BATCH_WORKSPACE` scalars; a shorter one changes nothing).
    #[inline]
    fn after_batch_step(&mut self, batch: usize, workspace: &[Self::Scalar]) {
        let _ = (batch, workspace);
    }
}

/// The input type of a layer: `InputOf<Dense<2, 1>>` is `[f32; 2]`.
pub type InputOf<L> = <L as Layer>::Input;
/// The output type of a layer: `OutputOf<Dense<2, 1>>` is `[f32; 1]`.
pub type OutputOf<L> = <L as Layer>::Output;
/// The scalar type of a layer.
pub type ScalarOf<L> = <L as Layer>::Scalar;
/// The training cache type of a layer.
pub type CacheOf<L> = <L as Train>::Cache;

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

/// The four ways a backward pass puts its results, as types for
/// [`Train::backward_with`].
///
/// | mode | parameter gradients | `∂E/∂input` | used for |
/// |---|---|---|---|
/// | [`Accumulate`](mode::Accumulate) | added | computed | [`Train::backward`], every layer but the first |
/// | [`AccumulateParams`](mode::AccumulateParams) | added | not computed | the first layer ([`accumulate`](crate::accumulate)) |
/// | [`Overwrite`](mode::Overwrite) | set | computed | a one-sample step ([`train_step`](crate::train_step)) |
/// | [`OverwriteParams`](mode::OverwriteParams) | set | not computed | its first layer |
///
/// A network runs its first layer in the mode it was given and the others in that mode's
/// [`Rest`](mode::Mode::Rest), which always computes `∂E/∂input`.
pub mod mode {
    use crate::scalar::Scalar;

    /// A backward mode (see [the module](self)).
    pub trait Mode {
        /// Whether parameter gradients are set (`true`) or added to (`false`).
        const OVERWRITE: bool;
        /// Whether `∂E/∂input` is computed (the return value is read).
        const INPUT: bool;
        /// The mode of the layers after the first: the same [`OVERWRITE`](Mode::OVERWRITE),
        /// with `∂E/∂input`.
        type Rest: Mode;

        /// Puts the gradient `v` in `slot`: `slot + v`, or `0 + v` when overwriting (the
        /// same bits as adding to a zeroed slot).
        #[inline(always)]
        fn put<T: Scalar>(slot: &mut T, v: T) {
            let base = if Self::OVERWRITE { T::zero() } else { *slot };
            *slot = base + v;
        }
    }

    /// Add the parameter gradients, compute `∂E/∂input`: [`Train::backward`](crate::Train::backward).
    pub struct Accumulate;
    /// Add the parameter gradients, skip `∂E/∂input`.
    pub struct AccumulateParams;
    /// Set the parameter gradients, compute `∂E/∂input`.
    pub struct Overwrite;
    /// Set the parameter gradients, skip `∂E/∂input`.
    pub struct OverwriteParams;

    impl Mode for Accumulate {
        const OVERWRITE: bool = false;
        const INPUT: bool = true;
        type Rest = Accumulate;
    }

    impl Mode for AccumulateParams {
        const OVERWRITE: bool = false;
        const INPUT: bool = false;
        type Rest = Accumulate;
    }

    impl Mode for Overwrite {
        const OVERWRITE: bool = true;
        const INPUT: bool = true;
        type Rest = Overwrite;
    }

    impl Mode for OverwriteParams {
        const OVERWRITE: bool = true;
        const INPUT: bool = false;
        type Rest = Overwrite;
    }
}
