//! Derived networks with 128 and 256 fields compile under the default `recursion_limit`
//! (the byte image's type-level parameter count nests logarithmically, not per field),
//! and their images hold the right parameters in the right order.

use typenet::weights::{HEADER_LEN, ImageSize, ParamCount};
use typenet::{ByteImage, Dense, Init, Layer, Network, SplitMix64, Tanh, infer};
use typenum::Unsigned;

/// Declares a tuple struct whose fields are the seed's layers repeated 2^(number of `x2`)
/// times, doubling the token list once per `x2`.
macro_rules! repeated {
    ($name:ident [$($seed:tt)*]) => {
        #[derive(Network, Clone, Debug, PartialEq)]
        struct $name($($seed)*);
    };
    ($name:ident [$($seed:tt)*] x2 $($more:tt)*) => {
        repeated!($name [$($seed)* $($seed)*] $($more)*);
    };
}

/// The same layers as nested pairs of tuples, doubling the nesting once per `x2`.
macro_rules! nested {
    ($seed:ty;) => { $seed };
    ($seed:ty; x2 $($more:tt)*) => { nested!(($seed, $seed); $($more)*) };
}

// 2 · 2^6 = 128 fields, and 2 · 2^7 = 256
repeated!(Wide128 [Dense<3, 3>, Tanh<3>,] x2 x2 x2 x2 x2 x2);
repeated!(Wide256 [Dense<3, 3>, Tanh<3>,] x2 x2 x2 x2 x2 x2 x2);
type Nested128 = nested!((Dense<3, 3>, Tanh<3>); x2 x2 x2 x2 x2 x2);

/// Each `Dense<3, 3>` has 3·3 + 3 parameters; the `Tanh`s none.
const DENSE: usize = 12;

fn random<N: Layer>(seed: u64) -> N {
    N::initialized(Init::XavierUniform, &mut SplitMix64::new(seed))
}

/// The parameters in `visit_params` order, as the image stores them.
fn payload<N: Layer<Scalar = f32>>(net: &N) -> Vec<u8> {
    let mut out = Vec::new();
    net.visit_params(&mut |p: &[f32]| out.extend(p.iter().flat_map(|x| x.to_le_bytes())));
    out
}

#[test]
fn a_128_field_network_has_its_count_and_image() {
    assert_eq!(Wide128::PARAM_COUNT, 64 * DENSE);
    assert_eq!(<Wide128 as ParamCount>::Count::USIZE, 64 * DENSE);
    assert_eq!(<Wide128 as ImageSize>::LEN, HEADER_LEN + 64 * DENSE * 4);
    let net: Wide128 = random(1);
    let bytes = net.to_bytes();
    assert_eq!(bytes.len(), HEADER_LEN + 64 * DENSE * 4);
    assert_eq!(&bytes[HEADER_LEN..], payload(&net).as_slice());
    assert_eq!(Wide128::from_bytes(&bytes), Ok(net.clone()));
    // the same layers as nested tuples: the same parameters, byte for byte, and the same
    // network (only the header's fingerprint tells the two shapes apart)
    let tuple: Nested128 = random(1);
    let tuple_bytes = tuple.to_bytes();
    assert_eq!(tuple_bytes.len(), bytes.len());
    assert_eq!(&tuple_bytes[HEADER_LEN..], &bytes[HEADER_LEN..]);
    let x = [0.3, -0.2, 0.9];
    assert_eq!(infer(&net, &x), infer(&tuple, &x));
}

#[test]
fn a_256_field_network_has_its_count_and_image() {
    assert_eq!(Wide256::PARAM_COUNT, 128 * DENSE);
    assert_eq!(<Wide256 as ParamCount>::Count::USIZE, 128 * DENSE);
    let net: Wide256 = random(2);
    let bytes = net.to_bytes();
    assert_eq!(bytes.len(), HEADER_LEN + 128 * DENSE * 4);
    assert_eq!(&bytes[HEADER_LEN..], payload(&net).as_slice());
    assert_eq!(Wide256::from_bytes(&bytes), Ok(net));
}
