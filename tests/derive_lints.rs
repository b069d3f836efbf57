//! The derive's output must pass a strict user crate's lints: missing docs, unreachable
//! `pub`, clippy's pedantic and nursery groups, all as errors.
#![deny(
    warnings,
    missing_docs,
    unreachable_pub,
    unused_qualifications,
    clippy::pedantic,
    clippy::nursery
)]

/// A public module with a public network.
pub mod public {
    use typenet::{Dense, Identity, Network, Relu, Sigmoid, Step, Zeroable};

    /// A documented network.
    #[derive(Network, Zeroable, Debug)]
    pub struct Classifier {
        /// The hidden layer.
        pub hidden: Dense<3, 8>,
        /// Its activation.
        pub relu: Relu<8>,
        /// The output layer.
        pub output: Dense<8, 2>,
        /// The output activation.
        pub squash: Sigmoid<2>,
    }

    /// A network with layers whose cache is `()` (comparing those is a `unit_cmp` lint).
    #[derive(Network)]
    pub struct Linear {
        /// The layer.
        pub dense: Dense<2, 2>,
        /// No activation.
        pub identity: Identity<2>,
        /// A step, which keeps no cache either.
        pub step: Step<2>,
    }

    /// A crate-private tuple network.
    #[derive(Network)]
    pub(crate) struct Pair(pub(crate) Dense<2, 2>, Sigmoid<2>);
}

mod private {
    use typenet::{Dense, Network, Scalar, Tanh, Zeroable};

    // `pub(super)` in a private module is what `unreachable_pub` asks for; nursery's
    // `redundant_pub_crate` disagrees, and this test is about the derive, not that quarrel.
    #[allow(clippy::redundant_pub_crate)]
    #[derive(Network, Zeroable)]
    pub(super) struct Small<T: Scalar> {
        dense: Dense<1, 1, T>,
        tanh: Tanh<1, T>,
    }
}

#[test]
#[allow(clippy::float_cmp)] // exact: zero weights give σ(0) = ½, and Dense caches its input
fn strict_lints_accept_the_generated_code() {
    use typenet::{CacheOf, Layer, Train};
    let net = public::Classifier::zeroed();
    let (y, cache): (_, CacheOf<public::Classifier>) = net.forward_train(&[1.0, 2.0, 3.0]);
    assert_eq!(y, [0.5, 0.5]);
    assert_eq!(cache.hidden, [1.0, 2.0, 3.0]);
    assert_eq!(<public::Pair as Layer>::PARAM_COUNT, 6);
    let linear = public::Linear::zeroed();
    let (_, a) = linear.forward_train(&[1.0, -1.0]);
    let (_, b) = linear.forward_train(&[1.0, -1.0]);
    assert!(a == b);
    assert_eq!(<private::Small<f64> as Layer>::PARAM_COUNT, 2);
    let boxed: Box<private::Small<f64>> = typenet::boxed_zeroed();
    assert_eq!(boxed.forward(&[1.0]), [0.0]);
    let boxed: Box<public::Classifier> = typenet::boxed_zeroed();
    assert_eq!(boxed.forward(&[1.0, 2.0, 3.0]), [0.5, 0.5]);
}
