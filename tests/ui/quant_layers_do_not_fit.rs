use typenet::quant::{Activation, QDense, QLayer, QTable, QuantParams};

fn main() {
    let p = QuantParams::new(0.1, 0).unwrap();
    let dense = QDense::<4, 3>::new([[0; 4]; 3], &[1.0; 3], [0; 3], p, p, Activation::None).unwrap();
    // A 3-code output cannot feed a table of 2.
    let net = (dense, QTable::<2>::new([0; 256]));
    let _ = QLayer::forward(&net, &[0; 4]);
}
