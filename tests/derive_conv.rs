//! `#[derive(Network)]` with convolutional layers: a struct of image layers is the same
//! network as the tuple of its fields, bit for bit, per sample and batched.

#![allow(clippy::float_cmp)] // bit-identity is the point

use typenet::{
    Conv2d, Dense, Flatten, Init, Layer, MaxPool2d, Network, PerPixel, Relu, Same, SplitMix64,
    Train, Valid, Vector, batch,
};

#[derive(Network, Clone, PartialEq, Debug)]
struct Cnn {
    conv: Conv2d<6, 6, 1, 3, 3, 3, 1, 1, Same, 6, 6>,
    relu: PerPixel<Relu<3>, 6, 6>,
    pool: MaxPool2d<6, 6, 3, 2, 2, 2, 2, Valid, 3, 3>,
    flat: Flatten<3, 3, 3, 27>,
    out: Dense<27, 4>,
}

type Tuple = (
    Conv2d<6, 6, 1, 3, 3, 3, 1, 1, Same, 6, 6>,
    PerPixel<Relu<3>, 6, 6>,
    MaxPool2d<6, 6, 3, 2, 2, 2, 2, Valid, 3, 3>,
    Flatten<3, 3, 3, 27>,
    Dense<27, 4>,
);

fn bits(v: &[f32]) -> Vec<u32> {
    v.iter().map(|e| e.to_bits()).collect()
}

fn params<L: Layer<Scalar = f32>>(l: &L) -> Vec<u32> {
    let mut v = Vec::new();
    l.visit_params(&mut |p| v.extend(bits(p)));
    v
}

#[test]
fn a_derived_cnn_is_its_tuple_bit_for_bit() {
    let net: Cnn = Layer::initialized(Init::HeUniform, &mut SplitMix64::new(1));
    let tuple: Tuple = Layer::initialized(Init::HeUniform, &mut SplitMix64::new(1));
    assert_eq!(params(&net), params(&tuple));
    assert_eq!(<Cnn as Layer>::FINGERPRINT, <Tuple as Layer>::FINGERPRINT);
    let mut rng = SplitMix64::new(2);
    let xs: Vec<[[[f32; 1]; 6]; 6]> = (0..3)
        .map(|_| {
            let mut x = <[[[f32; 1]; 6]; 6]>::zeros();
            for e in Vector::<f32>::as_mut_slice(&mut x) {
                *e = typenet::init::unit_f64(&mut rng) as f32 - 0.5;
            }
            x
        })
        .collect();
    let gys = [[0.5f32, -1.0, 0.25, 2.0]; 3];
    let (mut g_net, mut g_tuple) = (Cnn::zeroed(), Tuple::zeroed());
    for (x, gy) in xs.iter().zip(&gys) {
        let (y, c) = net.forward_train(x);
        let (yt, ct) = tuple.forward_train(x);
        assert_eq!(bits(&y), bits(&yt));
        let dx = net.backward(&c, gy, &mut g_net);
        let dxt = tuple.backward(&ct, gy, &mut g_tuple);
        assert_eq!(
            bits(Vector::<f32>::as_slice(&dx)),
            bits(Vector::<f32>::as_slice(&dxt))
        );
    }
    assert_eq!(params(&g_net), params(&g_tuple));
    // batched
    let mut ws = vec![0.0f32; batch::workspace_len::<Cnn>(3)];
    let mut ys = [[0.0f32; 4]; 3];
    net.forward_batch(&xs, &mut ys, &mut ws).unwrap();
    let mut g_batch = Cnn::zeroed();
    let mut dxs = vec![<[[[f32; 1]; 6]; 6]>::zeros(); 3];
    net.backward_batch(&xs, &ys, &gys, Some(&mut dxs), &mut g_batch, &mut ws)
        .unwrap();
    assert_eq!(params(&g_batch), params(&g_tuple));
    for (x, y) in xs.iter().zip(&ys) {
        assert_eq!(bits(&net.forward(x)), bits(y));
    }
}
