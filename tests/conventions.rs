//! The ecosystem's conventions that a user relies on without reading the source: error
//! types that compose with `?` and `Box<dyn Error>`, comparable losses, re-exported
//! dependencies of the public API, and a manifest that says what it should.

use typenet::generic_array::GenericArray;
use typenet::rand_core::SeedableRng;
use typenet::{
    BatchError, BinaryCrossEntropy, ByteImage, ClassOutOfRange, Dense, FitError, Layer, Mse,
    SoftmaxCrossEntropy, SplitMix64, WeightsError,
};

/// Holds for every error type: `core::error::Error` (so `?` into `Box<dyn Error>` works),
/// `Display`, `Send + Sync + 'static`.
fn is_error<E: core::error::Error + core::fmt::Display + Send + Sync + 'static>() {}

#[test]
fn every_error_type_is_an_error() {
    is_error::<WeightsError>();
    is_error::<FitError>();
    is_error::<BatchError>();
    is_error::<ClassOutOfRange>();
    // they box, and print their message through the box
    let boxed: Box<dyn core::error::Error> = Box::new(BatchError::Length {
        expected: 2,
        found: 3,
    });
    assert_eq!(boxed.to_string(), "batch of 2 samples, but a slice of 3");
}

#[test]
fn losses_compare() {
    assert_eq!(Mse::<3>::new(), Mse::<3>::default());
    assert_eq!(
        SoftmaxCrossEntropy::<3, f64>::new(),
        SoftmaxCrossEntropy::default()
    );
    assert_eq!(
        BinaryCrossEntropy::<1>::new(),
        BinaryCrossEntropy::default()
    );
}

#[test]
fn public_api_dependencies_are_reexported() {
    // the byte image's type, named through typenet's own re-exports
    let bytes: GenericArray<u8, typenet::typenum::U28> = Dense::<2, 1>::zeroed().to_bytes();
    assert_eq!(bytes.len(), 16 + 3 * 4);
    let a = SplitMix64::seed_from_u64(9);
    assert_eq!(a, SplitMix64::new(9));
}

#[test]
fn manifest_follows_conventions() {
    let root = env!("CARGO_MANIFEST_DIR");
    let manifest = std::fs::read_to_string(format!("{root}/Cargo.toml")).unwrap();
    // the macro crate is pinned: its expansions name typenet internals
    assert!(manifest.contains(r#"typenet-macros = { path = "macros", version = "=0.1.0" }"#));
    assert!(manifest.contains(r#"std = ["alloc"]"#));
    assert!(manifest.contains("[package.metadata.docs.rs]\nall-features = true"));
    assert!(
        !manifest.contains("example.invalid"),
        "a placeholder repository"
    );
    for file in ["LICENSE-MIT", "LICENSE-APACHE"] {
        let text = std::fs::read_to_string(format!("{root}/{file}")).unwrap();
        assert!(text.len() > 1000, "{file} is not a licence text");
    }
}
