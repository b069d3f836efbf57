//! Byte images of `#[derive(Network)]` structs: the same bytes as the tuple of their
//! fields, any number of fields, generic sizes, and layers beyond typenum's range.

use typenet::weights::{ImageSize, ParamCount};
use typenet::{
    ByteImage, Dense, Identity, Init, Layer, Mse, Network, Relu, Scalar, Sgd, Sigmoid, SplitMix64,
    Tanh, WeightsError, infer, train_step,
};
use typenum::Unsigned;

#[derive(Network, Clone, Copy, Debug, PartialEq)]
struct Xor {
    hidden: Dense<2, 4>,
    squash: Sigmoid<4>,
    output: Dense<4, 1>,
    decide: Sigmoid<1>,
}
type XorTuple = (Dense<2, 4>, Sigmoid<4>, Dense<4, 1>, Sigmoid<1>);

#[derive(Network, Clone, Debug, PartialEq)]
struct Mlp<const H: usize, T: Scalar> {
    l1: Dense<2, H, T>,
    a1: Tanh<H, T>,
    l2: Dense<H, 1, T>,
}

/// Fourteen fields: more than the 12 a tuple network allows.
#[derive(Network, Clone, Debug, PartialEq)]
struct Long(
    Dense<3, 3>,
    Relu<3>,
    Dense<3, 3>,
    Relu<3>,
    Dense<3, 3>,
    Relu<3>,
    Dense<3, 3>,
    Relu<3>,
    Dense<3, 3>,
    Relu<3>,
    Dense<3, 3>,
    Relu<3>,
    Dense<3, 2>,
    Tanh<2>,
);

/// A layer beyond typenum's 1024: no byte image, but a network all the same.
#[derive(Network)]
struct Wide {
    l1: Dense<2000, 1>,
    a1: Sigmoid<1>,
}

fn random<N: Layer>(seed: u64) -> N {
    N::initialized(Init::Uniform, &mut SplitMix64::new(seed))
}

#[test]
fn a_derived_image_is_the_tuple_image() {
    let s: Xor = random(1);
    let t: XorTuple = random(1);
    assert_eq!(s.to_bytes(), t.to_bytes());
    assert_eq!(<Xor as ImageSize>::LEN, 16 + 17 * 4);
    // and each loads as the other
    let back = XorTuple::from_bytes(&s.to_bytes()).unwrap();
    assert_eq!(back, t);
    assert_eq!(Xor::from_bytes(&t.to_bytes()), Ok(s));
}

#[test]
fn derived_images_round_trip_and_check_their_header() {
    let m: Mlp<8, f64> = random(2);
    let bytes = m.to_bytes();
    assert_eq!(bytes.len(), 16 + (2 * 8 + 8 + 8 + 1) * 8);
    assert_eq!(<Mlp<8, f64>>::from_bytes(&bytes), Ok(m.clone()));
    // another width is another network
    assert!(matches!(
        <Mlp<4, f64>>::from_bytes(&bytes),
        Err(WeightsError::Length { .. })
    ));
    let mut target: Mlp<8, f64> = random(3);
    let before = target.clone();
    let mut bad = bytes.to_vec();
    bad[16..24].copy_from_slice(&f64::NAN.to_le_bytes());
    assert_eq!(
        target.load_bytes(&bad),
        Err(WeightsError::NonFinite { index: 0 })
    );
    assert_eq!(target, before);
    target.load_bytes(&bytes).unwrap();
    assert_eq!(target, m);
}

#[test]
fn any_number_of_fields_has_a_count() {
    assert_eq!(<Long as ParamCount>::Count::USIZE, Long::PARAM_COUNT);
    assert_eq!(Long::PARAM_COUNT, 6 * 12 + 8);
    let l: Long = random(4);
    assert_eq!(Long::from_bytes(&l.to_bytes()), Ok(l));
    // derived networks nest in tuples, which then have images too
    type Both = (Xor, Identity<1>);
    let b: Both = random(5);
    assert_eq!(Both::from_bytes(&b.to_bytes()), Ok(b));
}

#[test]
fn a_layer_beyond_typenum_still_trains() {
    let mut net: Wide = random(6);
    let mut grads = Wide::zeroed();
    let x = [0.01; 2000];
    let before = infer(&net, &x)[0];
    for _ in 0..10 {
        train_step(
            &mut net,
            &mut grads,
            &Mse::<1>::new(),
            &mut Sgd::new(0.5).unwrap(),
            &x,
            &[1.0],
        );
    }
    assert!(infer(&net, &x)[0] > before);
}
