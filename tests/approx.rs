//! `approx`'s traits on layers, derived networks and tuples (through `Approx`): each
//! parameter is compared with the same parameter of the other value, every tensor counts,
//! and settings do not.

use typenet::approx::{AbsDiffEq, RelativeEq, UlpsEq, assert_relative_eq, assert_relative_ne};
use typenet::{Approx, Dense, Init, Layer, LeakyRelu, Network, Relu, Sigmoid, SplitMix64};

#[derive(Network, Clone, Debug, PartialEq)]
struct Mlp<const H: usize> {
    hidden: Dense<3, H>,
    relu: Relu<H>,
    output: Dense<H, 2>,
}

#[derive(Network, Clone, Debug, PartialEq)]
struct Wide {
    mlp: Mlp<5>,
    squash: Sigmoid<2>,
    head: Dense<2, 1, f32>,
}

fn wide(seed: u64) -> Wide {
    Wide::initialized(Init::XavierUniform, &mut SplitMix64::new(seed))
}

/// Every parameter of `net`, by index, changed by `delta` in turn: the comparison must see
/// each one, whichever tensor holds it.
fn each_parameter_counts<L: Layer<Scalar = f32> + Clone>(
    net: &L,
    close: impl Fn(&L, &L) -> bool,
) -> usize {
    let mut seen = 0;
    for k in 0..L::PARAM_COUNT {
        let mut other = net.clone();
        let mut i = 0;
        other.visit_params_mut(&mut |p| {
            for v in p {
                if i == k {
                    *v += 1e-2;
                }
                i += 1;
            }
        });
        assert!(!close(net, &other), "parameter {k} was not compared");
        seen += 1;
    }
    assert!(close(net, &net.clone()));
    seen
}

#[test]
fn a_derived_network_compares_every_parameter() {
    let net = wide(1);
    let n = each_parameter_counts(&net, |a, b| a.abs_diff_eq(b, 1e-3));
    assert_eq!(n, (3 * 5 + 5) + (5 * 2 + 2) + (2 + 1));
    each_parameter_counts(&net, |a, b| a.relative_eq(b, 1e-3, 1e-3));
    each_parameter_counts(&net, |a, b| a.ulps_eq(b, 1e-3, 4));
}

#[test]
fn a_tuple_compares_every_parameter_through_approx() {
    let t = (
        Dense::<3, 4>::initialized(Init::XavierUniform, &mut SplitMix64::new(2)),
        Sigmoid::<4>::new(),
        (
            Dense::<4, 2>::initialized(Init::XavierUniform, &mut SplitMix64::new(3)),
            Relu::<2>::new(),
        ),
    );
    let n = each_parameter_counts(&t, |a, b| Approx(a).abs_diff_eq(&Approx(b), 1e-3));
    assert_eq!(n, 16 + 10);
    each_parameter_counts(&t, |a, b| Approx(a).relative_eq(&Approx(b), 1e-3, 1e-3));
    each_parameter_counts(&t, |a, b| Approx(a).ulps_eq(&Approx(b), 1e-3, 4));
    // `==` on `Approx` is exact
    let mut u = t;
    assert!(Approx(&t) == Approx(&u));
    u.0.bias[0] = f32::from_bits(u.0.bias[0].to_bits() + 1);
    assert!(Approx(&t) != Approx(&u));
    assert!(Approx(&t).ulps_eq(&Approx(&u), 0.0, 1));
}

#[test]
fn tolerances_mean_what_approx_says() {
    let a = Dense::<1, 1> {
        weights: [[1000.0]],
        bias: [0.0],
    };
    let b = Dense::<1, 1> {
        weights: [[1000.1]],
        bias: [0.0],
    };
    // 0.1 apart: outside an absolute 0.01, inside a relative 1e-3 (of 1000)
    assert!(!a.abs_diff_eq(&b, 0.01));
    assert!(a.relative_eq(&b, 0.01, 1e-3));
    assert!(!a.relative_eq(&b, 0.01, 1e-5));
    assert_relative_eq!(a, b, max_relative = 1e-3);
    assert_relative_ne!(a, b, max_relative = 1e-5);
    // the default epsilon is f32's
    assert_eq!(Dense::<1, 1>::default_epsilon(), f32::EPSILON);
    assert_eq!(Dense::<1, 1, f64>::default_epsilon(), f64::EPSILON);
}

#[test]
fn layers_without_parameters_are_always_close() {
    assert_relative_eq!(Sigmoid::<3>::new(), Sigmoid::<3>::new());
    // a setting is not a parameter
    let (a, b) = (
        LeakyRelu::<2>::with_slope(0.1),
        LeakyRelu::<2>::with_slope(0.3),
    );
    assert!(a.abs_diff_eq(&b, 0.0));
}

#[test]
fn a_network_in_f64_compares_in_f64() {
    #[derive(Network, Clone, Debug, PartialEq)]
    struct Net {
        l1: Dense<2, 2, f64>,
        a1: Sigmoid<2, f64>,
    }
    let a = Net::zeroed();
    let mut b = a.clone();
    b.l1.bias[1] = 1e-12;
    assert_relative_eq!(a, b, epsilon = 1e-11);
    assert_relative_ne!(a, b, epsilon = 1e-13);
}
