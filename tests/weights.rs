//! Byte images, files and NumPy import, end to end.

use typenet::approx::assert_abs_diff_eq;
use typenet::weights::{HEADER_LEN, ImageSize, ParamCount, npy};
use typenet::{
    ByteImage, Dense, Identity, Init, Layer, Mse, Relu, Sgd, Sigmoid, SplitMix64, Step, Tanh,
    WeightsError, include_weights, infer, train_step,
};

type Xor = (Dense<2, 4>, Sigmoid<4>, Dense<4, 1>, Sigmoid<1>);
type Deep = (
    (Dense<8, 16>, Relu<16>),
    (Dense<16, 16, f32>, Tanh<16>),
    Dense<16, 4>,
    Identity<4>,
);

fn random<N: Layer>(seed: u64) -> N {
    N::initialized(Init::Uniform, &mut SplitMix64::new(seed))
}

#[test]
fn image_lengths_are_header_plus_params() {
    fn check<N: ImageSize>(width: usize) {
        assert_eq!(N::LEN, HEADER_LEN + N::PARAM_COUNT * width);
        assert_eq!(<N as ParamCount>::Count::USIZE, N::PARAM_COUNT);
    }
    use typenum::Unsigned;
    check::<Xor>(4);
    check::<Deep>(4);
    check::<(Dense<3, 5, f64>, Tanh<5, f64>)>(8);
    check::<Dense<1024, 2>>(4);
    // the figures docs/guide.md quotes
    assert_eq!(<Xor as ImageSize>::LEN, 16 + 17 * 4);
    assert_eq!(
        <Deep as ImageSize>::LEN,
        16 + (8 * 16 + 16 + 16 * 16 + 16 + 16 * 4 + 4) * 4
    );
    assert_eq!(<Dense<2, 1> as ImageSize>::LEN, 28);
}

#[test]
fn round_trips_are_exact() {
    let xor: Xor = random(1);
    assert_eq!(Xor::from_bytes(&xor.to_bytes()), Ok(xor));
    let deep: Deep = random(2);
    assert_eq!(Deep::from_bytes(&deep.to_bytes()), Ok(deep));
    type F64 = (Dense<3, 2, f64>, Sigmoid<2, f64>);
    let f: F64 = random(3);
    assert_eq!(F64::from_bytes(&f.to_bytes()), Ok(f));
    // the layout is the documented one: header, then weights row by row, then bias
    let d = Dense::<2, 2>::new([[1.0, 2.0], [3.0, 4.0]], [5.0, 6.0]);
    let bytes = d.to_bytes();
    assert_eq!(&bytes[..4], b"TNET");
    assert_eq!(&bytes[4..8], &[1, 0, 4, 0]);
    assert_eq!(
        &bytes[8..16],
        &<Dense<2, 2> as Layer>::FINGERPRINT.to_le_bytes()
    );
    let params: Vec<f32> = bytes[16..]
        .chunks(4)
        .map(|c| f32::from_le_bytes(c.try_into().unwrap()))
        .collect();
    assert_eq!(params, [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
}

#[test]
fn a_trained_network_survives_saving() {
    let mut net: Xor = random(7);
    let mut grads = Xor::zeroed();
    let (loss, mut sgd) = (Mse::<1>::new(), Sgd::new(1.0).unwrap());
    let data = [
        ([0., 0.], [0.]),
        ([0., 1.], [1.]),
        ([1., 0.], [1.]),
        ([1., 1.], [0.]),
    ];
    for _ in 0..3000 {
        for (x, t) in &data {
            train_step(&mut net, &mut grads, &loss, &mut sgd, x, t);
        }
    }
    let path = std::env::temp_dir().join(format!("typenet-xor-{}.bin", std::process::id()));
    net.save(&path).unwrap();
    assert_eq!(std::fs::metadata(&path).unwrap().len(), 84);
    let back = Xor::load(&path).unwrap();
    for (x, t) in &data {
        assert_eq!(infer(&back, x), infer(&net, x));
        assert_eq!(infer(&back, x)[0] > 0.5, t[0] > 0.5);
    }
    // a file for another network is refused, as an InvalidData I/O error
    let err = Dense::<2, 20>::load(&path).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
    let inner = err
        .get_ref()
        .unwrap()
        .downcast_ref::<WeightsError>()
        .unwrap();
    assert_eq!(
        *inner,
        WeightsError::Length {
            expected: 16 + 60 * 4,
            found: 84
        }
    );
    std::fs::remove_file(&path).unwrap();
    let missing = Xor::load(&path).unwrap_err();
    assert_eq!(missing.kind(), std::io::ErrorKind::NotFound);
    // the message names the file, not only the OS's "No such file or directory"
    let message = missing.to_string();
    assert!(
        message.starts_with(&format!("cannot read `{}`: ", path.display())),
        "{message}"
    );
    let npy_err = Dense::<2, 3>::load_npy(&path, "examples/npy/hidden_bias.npy").unwrap_err();
    assert!(
        npy_err.to_string().contains(&path.display().to_string()),
        "{npy_err}"
    );
}

#[test]
fn every_header_field_is_checked() {
    let net: Xor = random(4);
    let good = net.to_bytes();
    let with = |at: usize, bytes: &[u8]| {
        let mut b = good.to_vec();
        b[at..at + bytes.len()].copy_from_slice(bytes);
        Xor::from_bytes(&b)
    };
    assert_eq!(
        with(0, b"TNEX"),
        Err(WeightsError::Magic { found: *b"TNEX" })
    );
    assert_eq!(
        with(4, &[2, 0]),
        Err(WeightsError::Version {
            expected: 1,
            found: 2
        })
    );
    assert_eq!(
        with(6, &[8, 0]),
        Err(WeightsError::Scalar {
            expected: "f32",
            found: 8
        })
    );
    assert!(matches!(
        with(8, &[0; 8]),
        Err(WeightsError::Fingerprint { found: 0, .. })
    ));
    assert_eq!(
        Xor::from_bytes(&good[..good.len() - 1]),
        Err(WeightsError::Length {
            expected: 84,
            found: 83
        })
    );
    let mut longer = good.to_vec();
    longer.push(0);
    assert_eq!(
        Xor::from_bytes(&longer),
        Err(WeightsError::Length {
            expected: 84,
            found: 85
        })
    );
    assert_eq!(
        Xor::from_bytes(&[]),
        Err(WeightsError::Length {
            expected: 84,
            found: 0
        })
    );
    // the messages say what is wrong in words
    assert_eq!(
        with(6, &[8, 0]).unwrap_err().to_string(),
        "byte image holds f64 (code 8), but this network computes in f32"
    );
}

#[test]
fn shapes_with_equal_lengths_are_told_apart() {
    // 2·4 + 4 = 3·3 + 3 = 12 parameters: same length, different fingerprint
    let a = Dense::<2, 4>::zeroed().to_bytes();
    assert_eq!(a.len(), <Dense<3, 3> as ImageSize>::LEN);
    assert!(matches!(
        Dense::<3, 3>::from_bytes(&a),
        Err(WeightsError::Fingerprint { .. })
    ));
    // the message names this network's shape, which the image's is not
    assert_eq!(
        Dense::<3, 3>::from_bytes(&a).unwrap_err().to_string(),
        format!(
            "byte image was saved for a network of another shape than `Dense<3, 3>` (the image's shape fingerprint is {:#018x}, this network's {:#018x})",
            <Dense<2, 4> as Layer>::FINGERPRINT,
            <Dense<3, 3> as Layer>::FINGERPRINT,
        )
    );
    // same parameters, another activation
    let s = (Dense::<2, 2>::zeroed(), Sigmoid::<2>::new()).to_bytes();
    assert!(matches!(
        <(Dense<2, 2>, Tanh<2>)>::from_bytes(&s),
        Err(WeightsError::Fingerprint { .. })
    ));
    let message = <(Dense<2, 2>, Tanh<2>)>::from_bytes(&s)
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("than `(Dense<2, 2>, Tanh<2>)` "),
        "{message}"
    );
    // the example: Dense<2, 4> into Dense<4, 2>
    assert_eq!(
        Dense::<4, 2>::from_bytes(&a),
        Err(WeightsError::Length {
            expected: 16 + 10 * 4,
            found: 64
        })
    );
}

#[test]
fn non_finite_values_are_refused_and_the_target_is_untouched() {
    let before: Xor = random(5);
    let other: Xor = random(6);
    for (bad, index) in [(f32::NAN, 0), (f32::INFINITY, 9), (f32::NEG_INFINITY, 16)] {
        let mut bytes = other.to_bytes().to_vec();
        let at = HEADER_LEN + index * 4;
        bytes[at..at + 4].copy_from_slice(&bad.to_le_bytes());
        let mut target = before;
        assert_eq!(
            target.load_bytes(&bytes),
            Err(WeightsError::NonFinite { index })
        );
        assert_eq!(target, before, "a failed load must not write");
    }
    let mut target = before;
    target.load_bytes(&other.to_bytes()).unwrap();
    assert_eq!(target, other);
}

#[test]
fn large_layers_still_train_without_a_byte_image() {
    // Dense<2000, 1>: beyond typenum's bridge, so it has no ParamCount, but it is a Layer.
    let mut net: (Dense<2000, 1>, Sigmoid<1>) = random(8);
    let mut grads = Layer::zeroed();
    let x = [0.01; 2000];
    let before = infer(&net, &x)[0];
    for _ in 0..20 {
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

#[test]
fn settings_are_kept_by_load_bytes_and_defaulted_by_from_bytes() {
    use typenet::{LeakyRelu, Softmax};
    type Net = (Dense<2, 3>, LeakyRelu<3>, Dense<3, 2>, Softmax<2>);
    let mut trained: Net = random(9);
    trained.1 = LeakyRelu::with_slope(0.25);
    let bytes = trained.to_bytes();
    assert_eq!(bytes.len(), 16 + (6 + 3 + 6 + 2) * 4);
    // the slope is a setting, not a parameter: from_bytes gives the default one
    let fresh = Net::from_bytes(&bytes).unwrap();
    assert_eq!((fresh.0, fresh.2), (trained.0, trained.2));
    assert_eq!(fresh.1.slope, 0.01);
    // load_bytes into a configured network keeps its slope and takes the parameters
    let mut configured: Net = random(10);
    configured.1 = LeakyRelu::with_slope(0.25);
    configured.load_bytes(&bytes).unwrap();
    assert_eq!(configured, trained);
    assert_eq!(
        infer(&configured, &[-1.0, 2.0]),
        infer(&trained, &[-1.0, 2.0])
    );
}

#[test]
fn step_networks_have_images_too() {
    static AND: (Dense<2, 1>, Step<1>) = (Dense::new([[1.0, 1.0]], [-1.5]), Step::new());
    let bytes = AND.to_bytes();
    assert_eq!(bytes.len(), 28);
    assert_eq!(<(Dense<2, 1>, Step<1>)>::from_bytes(&bytes), Ok(AND));
}

// ---- NumPy: the files that examples/npy/make_weights.py writes ----

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/npy/");

fn file(name: &str) -> Vec<u8> {
    std::fs::read(format!("{DIR}{name}")).unwrap()
}

type Trained = (Dense<2, 3>, Sigmoid<3>, Dense<3, 1>, Sigmoid<1>);

static IN_FLASH: Trained = (
    Dense::new(
        include_weights!("examples/npy/hidden_weight.npy"),
        include_weights!("examples/npy/hidden_bias.npy"),
    ),
    Sigmoid::new(),
    Dense::new(
        include_weights!("examples/npy/out_kernel.npy", transposed),
        include_weights!("examples/npy/out_bias.npy"),
    ),
    Sigmoid::new(),
);

#[test]
fn numpy_weights_compute_what_numpy_computed() {
    let net: Trained = (
        Dense::from_npy(&file("hidden_weight.npy"), &file("hidden_bias.npy")).unwrap(),
        Sigmoid::new(),
        Dense::load_npy(format!("{DIR}out_weight.npy"), format!("{DIR}out_bias.npy")).unwrap(),
        Sigmoid::new(),
    );
    // run time and compile time read the same values; the Keras-layout kernel, transposed,
    // is the PyTorch-layout weight
    assert_eq!(net, IN_FLASH);
    let keras = Dense::<3, 1>::from_npy_transposed(&file("out_kernel.npy"), &file("out_bias.npy"));
    assert_eq!(keras.unwrap(), net.2);
    // NumPy's own outputs for the four inputs, (4, 1) float64
    let expected: [[f64; 1]; 4] = npy::read_matrix(&file("expected.npy")).unwrap();
    let inputs = [[0., 0.], [0., 1.], [1., 0.], [1., 1.]];
    for (x, e) in inputs.iter().zip(expected) {
        let y = infer(&net, x)[0];
        assert_abs_diff_eq!(f64::from(y), e[0], epsilon = 1e-6);
    }
}

#[test]
fn numpy_shape_errors_name_both_shapes() {
    let err = Dense::<3, 2>::from_npy(&file("hidden_weight.npy"), &file("hidden_bias.npy"));
    assert_eq!(
        err.unwrap_err().to_string(),
        ".npy array has shape (3, 2), but the layer needs (2, 3) (its transpose: PyTorch saves (outputs, inputs), Keras (inputs, outputs); the `transposed` loaders read the latter)"
    );
    // a PyTorch-layout file given to the Keras loader
    let err = Dense::<3, 1>::from_npy_transposed(&file("out_weight.npy"), &file("out_bias.npy"));
    assert_eq!(
        err.unwrap_err().to_string(),
        ".npy array has shape (1, 3), but the layer needs (3, 1) (its transpose: PyTorch saves (outputs, inputs), Keras (inputs, outputs); the `transposed` loaders read the latter)"
    );
    let err = Dense::<2, 3>::load_npy(format!("{DIR}missing.npy"), format!("{DIR}hidden_bias.npy"));
    assert_eq!(err.unwrap_err().kind(), std::io::ErrorKind::NotFound);
}

#[test]
fn parsed_headers_report_dtype_and_shape() {
    let bytes = file("expected.npy");
    let a = npy::Npy::parse(&bytes).unwrap();
    assert_eq!(
        (a.dtype, a.shape.dims(), a.len()),
        (npy::Dtype::F64, &[4, 1][..], 4)
    );
    let b = file("hidden_weight.npy");
    let w = npy::Npy::parse(&b).unwrap();
    assert_eq!((w.dtype, w.shape.dims()), (npy::Dtype::F32, &[3, 2][..]));
    assert_eq!(w.get::<f32>(6), None);
}
