//! # Writing your own layer
//!
//! A layer is a struct and up to three pieces, each about one thing:
//!
//! | piece | what it says | written as |
//! |---|---|---|
//! | parameters | which fields are trainable arrays | `#[derive(Params)]`, `#[param]` on each |
//! | inference | sizes and `forward` | `impl Layer` |
//! | training | what forward keeps, and backward | `impl Train` (leave it out for a layer that only infers) |
//!
//! From the parameter declaration follow the parameter count, the order optimizers and the
//! byte image visit them in, zeroing, initialisation, the byte image's length, the shape
//! fingerprint, `Zeroable` (so `boxed_zeroed` can build it on the heap) and, with the
//! `serde` feature, `Serialize`/`Deserialize`. Nothing else names the layer: it chains in
//! tuples and in `#[derive(Network)]` structs, trains with every optimizer and
//! [`Trainer`](crate::Trainer), and saves as a byte image.
//!
//! Both examples below are written from outside the crate, with the public API only, and
//! run as tests.
//!
//! ## An activation: SiLU
//!
//! `y = x·σ(x)`, whose derivative is `σ(x)·(1 + x·(1 − σ(x)))`. It has no parameters:
//! the struct holds only a marker for its scalar type, and `#[params(scalar = T)]` names
//! that type. The cache is the input, from which backward recomputes `σ(x)`.
//!
//! Required: the derive and its `scalar` attribute; in `Layer`, three types and `forward`;
//! in `Train`, one type, `forward_train` and `backward`. 31 non-blank lines, imports and
//! the `sigmoid` helper included.
//!
//! ```
//! use core::marker::PhantomData;
//! use typenet::{Layer, Params, Scalar, Train};
//!
//! /// SiLU (swish), element-wise on `N` values: `y = x·σ(x)`.
//! #[derive(Params, Clone, Copy, Debug, PartialEq)]
//! #[params(scalar = T)]
//! pub struct Silu<const N: usize, T = f32> {
//!     _scalar: PhantomData<T>,
//! }
//!
//! fn sigmoid<T: Scalar>(x: T) -> T {
//!     T::one() / (T::one() + (-x).exp())
//! }
//!
//! impl<const N: usize, T: Scalar> Layer for Silu<N, T> {
//!     type Scalar = T;
//!     type Input = [T; N];
//!     type Output = [T; N];
//!
//!     fn forward(&self, x: &[T; N]) -> [T; N] {
//!         x.map(|v| v * sigmoid(v))
//!     }
//! }
//!
//! impl<const N: usize, T: Scalar> Train for Silu<N, T> {
//!     type Cache = [T; N]; // the input
//!
//!     fn forward_train(&self, x: &[T; N]) -> ([T; N], [T; N]) {
//!         (self.forward(x), *x)
//!     }
//!
//!     fn backward(&self, x: &[T; N], grad: &[T; N], _grads: &mut Self) -> [T; N] {
//!         core::array::from_fn(|i| {
//!             let s = sigmoid(x[i]);
//!             grad[i] * s * (T::one() + x[i] * (T::one() - s))
//!         })
//!     }
//! }
//!
//! // In a derived network (generic over the scalar, to check gradients in f64):
//! use typenet::{ByteImage, Dense, Init, Mse, Network, Sgd, SplitMix64};
//!
//! #[derive(Network, Clone, Debug, PartialEq)]
//! struct Net<T: Scalar> {
//!     hidden: Dense<2, 8, T>,
//!     act: Silu<8, T>,
//!     out: Dense<8, 1, T>,
//! }
//!
//! // Trained on y = x0 · x1:
//! let data = [([0.5, 0.5], [0.25]), ([1.0, -1.0], [-1.0]), ([-0.5, 0.8], [-0.4]), ([0.9, 0.9], [0.81])];
//! let mut net: Net<f32> = Layer::initialized(Init::HeUniform, &mut SplitMix64::new(3));
//! let mut grads = Net::zeroed();
//! let mut sgd = Sgd::new(0.05).expect("a valid rate");
//! let loss = |net: &Net<f32>| -> f32 {
//!     data.iter().map(|(x, t)| (net.forward(x)[0] - t[0]).powi(2)).sum()
//! };
//! let before = loss(&net);
//! for _ in 0..500 {
//!     for (x, t) in &data {
//!         typenet::train_step(&mut net, &mut grads, &Mse::new(), &mut sgd, x, t);
//!     }
//! }
//! assert!(loss(&net) < before / 10.0, "{before} -> {}", loss(&net));
//!
//! // Its backward agrees with finite differences:
//! let mut net64: Net<f64> = Layer::initialized(Init::HeUniform, &mut SplitMix64::new(4));
//! let report = typenet::check_gradients(&mut net64, &Mse::new(), &[0.3, -0.7], &[0.5], 1e-6);
//! assert!(report.max_error() < 1e-7, "{report:?}");
//!
//! // And it saves and loads as a byte image (a SiLU adds no parameters to it):
//! let bytes = net.to_bytes();
//! assert_eq!(bytes.len(), 16 + (2 * 8 + 8 + 8 + 1) * 4);
//! assert_eq!(Net::<f32>::from_bytes(&bytes), Ok(net));
//! ```
//!
//! ## A layer with parameters: `Affine<N>`
//!
//! `y = scale ⊙ x + shift`, a scale and a shift per element (the affine part of a
//! normalisation layer). `#[param]` marks the two parameter arrays and says how
//! [`Init`](crate::Init) sets them: scale one, shift zero. Backward adds
//! `∂E/∂scale = g ⊙ x` and `∂E/∂shift = g` into `grads` (a value of the layer's own type)
//! and returns `∂E/∂x = g ⊙ scale`.
//!
//! Required: the derive, its `scalar` attribute and a `#[param]` per array; in `Layer`,
//! three types and `forward`; in `Train`, one type, `forward_train` and `backward`. 33
//! non-blank lines, imports and doc comments included.
//!
//! ```
//! use typenet::{Layer, Params, Scalar, Train};
//!
//! /// `y = scale ⊙ x + shift` on `N` values.
//! #[derive(Params, Clone, Copy, Debug, PartialEq)]
//! #[params(scalar = T)]
//! pub struct Affine<const N: usize, T = f32> {
//!     /// Multiplies each input.
//!     #[param(init = one)]
//!     pub scale: [T; N],
//!     /// Added to each product.
//!     #[param(init = zero)]
//!     pub shift: [T; N],
//! }
//!
//! impl<const N: usize, T: Scalar> Layer for Affine<N, T> {
//!     type Scalar = T;
//!     type Input = [T; N];
//!     type Output = [T; N];
//!
//!     fn forward(&self, x: &[T; N]) -> [T; N] {
//!         core::array::from_fn(|i| self.scale[i] * x[i] + self.shift[i])
//!     }
//! }
//!
//! impl<const N: usize, T: Scalar> Train for Affine<N, T> {
//!     type Cache = [T; N]; // the input
//!
//!     fn forward_train(&self, x: &[T; N]) -> ([T; N], [T; N]) {
//!         (self.forward(x), *x)
//!     }
//!
//!     fn backward(&self, x: &[T; N], grad: &[T; N], grads: &mut Self) -> [T; N] {
//!         for i in 0..N {
//!             grads.scale[i] = grads.scale[i] + grad[i] * x[i];
//!             grads.shift[i] = grads.shift[i] + grad[i];
//!         }
//!         core::array::from_fn(|i| grad[i] * self.scale[i])
//!     }
//! }
//!
//! // What the declaration gives:
//! assert_eq!(<Affine<3>>::PARAM_COUNT, 6);
//! let fresh: Affine<2> = Layer::initialized(typenet::Init::XavierUniform, &mut typenet::SplitMix64::new(1));
//! assert_eq!((fresh.scale, fresh.shift), ([1.0; 2], [0.0; 2]));
//!
//! // In a derived network:
//! use typenet::{ByteImage, Dense, Init, Mse, Network, Sgd, SplitMix64, Tanh};
//!
//! #[derive(Network, Clone, Debug, PartialEq)]
//! struct Net<T: Scalar> {
//!     norm: Affine<2, T>,
//!     hidden: Dense<2, 4, T>,
//!     squash: Tanh<4, T>,
//!     out: Dense<4, 1, T>,
//! }
//!
//! // Trained on inputs of very different scales, which the affine layer starts to even:
//! let data = [([100.0, 0.01], [1.0]), ([-100.0, 0.02], [-1.0]), ([50.0, -0.01], [0.5]), ([-50.0, 0.0], [-0.5])];
//! let mut net: Net<f32> = Layer::initialized(Init::XavierUniform, &mut SplitMix64::new(5));
//! net.norm.scale = [0.01, 1.0];
//! let mut grads = Net::zeroed();
//! let mut sgd = Sgd::new(0.05).expect("a valid rate");
//! let loss = |net: &Net<f32>| -> f32 {
//!     data.iter().map(|(x, t)| (net.forward(x)[0] - t[0]).powi(2)).sum()
//! };
//! let before = loss(&net);
//! for _ in 0..600 {
//!     for (x, t) in &data {
//!         typenet::train_step(&mut net, &mut grads, &Mse::new(), &mut sgd, x, t);
//!     }
//! }
//! assert!(loss(&net) < before / 5.0, "{before} -> {}", loss(&net));
//! assert_ne!(net.norm.scale, [0.01, 1.0]); // the affine parameters trained too
//!
//! // Its backward agrees with finite differences, parameters included:
//! let mut net64: Net<f64> = Layer::initialized(Init::XavierUniform, &mut SplitMix64::new(6));
//! net64.norm.shift = [0.3, -0.2];
//! let report = typenet::check_gradients(&mut net64, &Mse::new(), &[0.4, -0.9], &[0.2], 1e-6);
//! assert!(report.max_error() < 1e-7, "{report:?}");
//!
//! // And it saves and loads as a byte image: its 4 parameters come first, in field order.
//! let bytes = net.to_bytes();
//! assert_eq!(bytes.len(), 16 + (4 + 2 * 4 + 4 + 4 + 1) * 4);
//! assert_eq!(&bytes[16..20], &net.norm.scale[0].to_le_bytes());
//! assert_eq!(Net::<f32>::from_bytes(&bytes), Ok(net));
//! ```
//!
//! ## A layer that only infers
//!
//! Leave out `impl Train`. The layer still chains in tuples and derived networks, infers,
//! and saves its parameters as a byte image; training a network that holds it is a
//! compile error that names it: "`Halve<2>` cannot be trained: it has no backward"
//! (pinned by `tests/ui/train_an_inference_only_layer.rs`).
//!
//! ## Faster backward passes
//!
//! A training step runs each layer's backward in one of four [`mode`](crate::mode)s:
//! adding or setting the parameter gradients, with or without `∂E/∂input` (the first layer
//! of a network skips it). `backward` serves all four by default, bit for bit. A layer
//! whose backward is a large part of a step overrides
//! [`Train::backward_with`](crate::Train::backward_with) to skip the work a mode does
//! not need, as [`Dense`](crate::Dense) does; nothing else changes.
