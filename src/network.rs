//! `#[derive(Network)]`: a struct whose fields are layers is a network.

/// Makes a struct whose fields are layers a [`Layer`](crate::Layer): the fields run in
/// declaration order, each on the previous one's output.
///
/// ```
/// use typenet::{Dense, Layer, Network, Sigmoid};
///
/// /// XOR: 2 inputs, 4 hidden sigmoid units, 1 sigmoid output.
/// #[derive(Network, Clone, Debug, PartialEq)]
/// pub struct Xor {
///     hidden: Dense<2, 4>,
///     squash: Sigmoid<4>,
///     output: Dense<4, 1>,
///     decide: Sigmoid<1>,
/// }
///
/// let net = Xor::zeroed();
/// assert_eq!(typenet::infer(&net, &[0.0, 1.0]), [0.5]);
/// assert_eq!(Xor::PARAM_COUNT, (2 * 4 + 4) + (4 * 1 + 1));
/// ```
///
/// The derived impl is the one a tuple of the same layers has (see
/// [`chain`](crate::chain)): the same outputs and gradients bit for bit, the same batched
/// methods ([`forward_batch`](crate::Layer::forward_batch) runs the whole batch through
/// one layer after the other, with the tuple's workspace layout), the same
/// parameter order, the same [`FINGERPRINT`](crate::Layer::FINGERPRINT) (so weights saved
/// from one load into the other). A derived network is a layer, so it can be a field of
/// another derived network or an element of a tuple.
///
/// It implements [`Train`](crate::Train) when every layer does: a network holding a layer
/// that only infers still compiles and infers, and training it is the error "`X` cannot
/// be trained: it has no backward", naming the layer. (A field whose type mentions one of
/// the struct's generic parameters, such as `Dense<2, H>`, must train.)
///
/// When the struct is `PartialEq` too, it implements approx's `AbsDiffEq`, `RelativeEq` and
/// `UlpsEq`, parameter by parameter (see [`approx_eq`](crate::approx_eq)):
/// `assert_relative_eq!(net_a, net_b, epsilon = 1e-6)`.
///
/// With `#[derive(Zeroable)]` as well (opt-in, as it writes an `unsafe impl`; see
/// [the derive](macro@crate::Zeroable)), a network of `Zeroable` fields can be built on
/// the heap with `boxed_zeroed`, however large.
///
/// It also has a byte image ([`ByteImage`](crate::ByteImage)), byte for byte the tuple's,
/// for any number of fields; a field beyond typenum's 1024 leaves the network trainable,
/// and only its image a compile error:
///
/// ```
/// use typenet::{ByteImage, Dense, Layer, Network, Sigmoid};
/// #[derive(Network, Debug, PartialEq)]
/// struct Xor { hidden: Dense<2, 4>, squash: Sigmoid<4>, output: Dense<4, 1>, decide: Sigmoid<1> }
///
/// let net = Xor::zeroed();
/// let bytes = net.to_bytes();
/// assert_eq!(bytes.len(), 16 + 17 * 4);
/// assert_eq!(Xor::from_bytes(&bytes), Ok(net));
/// ```
///
/// The training [`Cache`](crate::Train::Cache) is a generated struct, named
/// [`CacheOf<Net>`](crate::CacheOf), with one field per layer under the layer's name and
/// visibility. Like a tuple of the caches, it is `Clone`, `Copy`, `Debug` and `PartialEq`
/// when every layer's cache is:
///
/// ```
/// # use typenet::{Dense, Layer, Network, Sigmoid, Train};
/// # #[derive(Network)]
/// # struct Xor { hidden: Dense<2, 4>, squash: Sigmoid<4>, output: Dense<4, 1>, decide: Sigmoid<1> }
/// let (y, cache) = Xor::zeroed().forward_train(&[1.0, 0.0]);
/// assert_eq!(cache.hidden, [1.0, 0.0]); // a Dense layer keeps its input
/// assert_eq!(cache.decide, y); // a Sigmoid keeps its output
/// println!("{cache:?}"); // CacheOf<Xor> { hidden: [1.0, 0.0], squash: [0.5, 0.5, 0.5, 0.5], ... }
/// ```
///
/// # What it accepts
///
/// * Named-field and tuple structs with at least one field, every field a layer.
/// * Generic structs: const sizes (`struct Mlp<const H: usize> { l1: Dense<2, H>, … }`),
///   a scalar type (`struct Net<T: Scalar> { l1: Dense<2, 4, T>, … }`), where clauses.
///
/// The struct itself is left as written: its visibility, docs and other derives and
/// attributes stay. The generated code names only `::core` and `::typenet` paths and
/// works in a `#![no_std]` crate.
///
/// # Shape errors land on the field that is wrong
///
/// Each pair of consecutive fields is checked where the struct is defined, and the error
/// points at the field whose input does not match the previous field's output:
///
/// ```compile_fail,E0277
/// use typenet::{Dense, Network, Sigmoid};
///
/// #[derive(Network)]
/// struct Broken {
///     hidden: Dense<2, 3>,
///     squash: Sigmoid<1>, // error: `Dense<2, 3>` outputs `[f32; 3]`, this takes `[f32; 1]`
/// }
/// ```
///
/// ```text
/// error[E0277]: layer sizes do not match: `Dense<2, 3>` outputs `[f32; 3]`, but the next layer, `Sigmoid<1>`, takes `[f32; 1]`
///  --> src/main.rs:6:13
///   |
/// 6 |     squash: Sigmoid<1>,
///   |             ^^^^^^^^^^ `Sigmoid<1>` cannot follow `Dense<2, 3>`
/// ```
///
/// It is the only error: the check and every generated use of the field carry the field's
/// span, and the compiler prints identical diagnostics once. Every layer must compute in
/// the first layer's scalar type; a `Sigmoid<4>` (`f32`) after a `Dense<2, 4, f64>` reads
/// "scalar types differ: `Sigmoid<4>` computes in `f32`, but the network's first layer,
/// `Dense<2, 4, f64>`, computes in `f64`" (see [`SameScalar`](crate::SameScalar)), again
/// once, at that field. A field that is not a layer
/// reads "`u32` is not a typenet layer", at that field. An empty struct, an enum, a union,
/// a lifetime parameter or a borrowed field is a spanned error from the derive itself
/// (several are reported together), which then still implements `Layer` with a stub so
/// that code using the type adds no errors of its own. Each of these messages is pinned by
/// a snapshot in `tests/ui/`.
///
/// # Layers as type parameters
///
/// A field whose type is a type parameter is checked against its bounds, so give it the
/// sizes and scalar type it must have:
///
/// ```
/// use typenet::{Dense, Layer, Network, Tanh};
///
/// #[derive(Network)]
/// struct WithHead<L: Layer<Scalar = f32, Input = [f32; 4], Output = [f32; 1]>> {
///     body: Dense<2, 4>,
///     squash: Tanh<4>,
///     head: L,
/// }
///
/// let net = WithHead::<Dense<4, 1>>::zeroed();
/// assert_eq!(typenet::infer(&net, &[1.0, 2.0]), [0.0]);
/// ```
pub use typenet_macros::Network;
