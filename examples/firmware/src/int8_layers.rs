//! Every int8 layer once, on fixed data: the computation behind the `int8_layers` binary,
//! which links with `panic-never`, so it proves that no int8 layer's forward pass (nor its
//! construction) has a panic path left. Each layer's output codes are printed; the host
//! golden test compiles this same file and must print the same bytes.

use crate::out::Sink;
use typenet::quant::Padding;
use typenet::quant::{
    Activation, QAdd, QAvgPool2d, QConv2d, QDense, QDepthwiseConv2d, QLayer, QMaxPool2d, QResidual,
    QSoftmax, QTable, QuantError, QuantParams, Stride,
};

/// A 5×5×2 image of codes, the same on host and device.
const IMAGE: [[[i8; 2]; 5]; 5] = {
    let mut image = [[[0i8; 2]; 5]; 5];
    let mut i = 0;
    while i < 50 {
        // a fixed scramble of −128..=127
        image[i / 10][(i / 2) % 5][i % 2] = ((i * 73 + 11) % 256) as u8 as i8;
        i += 1;
    }
    image
};

fn codes(out: &mut impl Sink, name: &str, values: &[i8]) {
    out.str(name);
    out.str(":");
    for &v in values {
        out.str(" ");
        if v < 0 {
            out.str("-");
        }
        out.u32(u32::from(v.unsigned_abs()));
    }
    out.str("\n");
}

fn all(out: &mut impl Sink) -> Result<(), QuantError> {
    let x = QuantParams::new(0.05, -3)?;
    let y = QuantParams::new(0.2, 4)?;
    let flat = IMAGE.as_flattened().as_flattened();
    let mut row = [0i8; 16];
    for (r, &v) in row.iter_mut().zip(flat) {
        *r = v;
    }

    let filters: [[[[i8; 2]; 3]; 3]; 3] = core::array::from_fn(|o| {
        core::array::from_fn(|ky| core::array::from_fn(|kx| [(o * 9 + ky * 3 + kx) as i8 - 13, 7]))
    });
    let conv = QConv2d::<5, 5, 2, 3, 3, 3, 3, 3>::new(
        filters,
        &[0.02, 0.03, 0.05],
        [100, -200, 300],
        Stride::new(Padding::Same, 2, 2),
        (x, y),
        Activation::ReLU,
    )?;
    codes(
        out,
        "QConv2d",
        conv.forward(&IMAGE).as_flattened().as_flattened(),
    );

    let dw_filters: [[[i8; 4]; 3]; 3] =
        core::array::from_fn(|ky| core::array::from_fn(|kx| [(ky * 3 + kx) as i8 - 4, 9, -7, 2]));
    let dw = QDepthwiseConv2d::<5, 5, 2, 2, 4, 3, 3, 3, 3>::new(
        dw_filters,
        &[0.01, 0.02, 0.03, 0.04],
        [-50, 60, 0, 10],
        Stride::new(Padding::Valid, 1, 1),
        (x, y),
        Activation::ReLU6,
    )?;
    codes(
        out,
        "QDepthwiseConv2d",
        dw.forward(&IMAGE).as_flattened().as_flattened(),
    );

    let avg = QAvgPool2d::<5, 5, 2, 2, 2, 3, 3>::new(
        Stride::new(Padding::Same, 2, 2),
        x,
        Activation::None,
    )?;
    codes(
        out,
        "QAvgPool2d",
        avg.forward(&IMAGE).as_flattened().as_flattened(),
    );
    let max = QMaxPool2d::<5, 5, 2, 3, 3, 2, 2>::new(
        Stride::new(Padding::Valid, 2, 2),
        x,
        Activation::None,
    )?;
    codes(
        out,
        "QMaxPool2d",
        max.forward(&IMAGE).as_flattened().as_flattened(),
    );

    let weights: [[i8; 16]; 6] =
        core::array::from_fn(|o| core::array::from_fn(|i| ((o * 16 + i) * 37 % 255) as u8 as i8));
    let dense = QDense::<16, 6>::new(weights, &[0.01; 6], [7; 6], x, y, Activation::None)?;
    let dense_out = dense.forward(&row);
    codes(out, "QDense", &dense_out);

    let softmax = QSoftmax::<6>::new(y, 1.0)?;
    codes(out, "QSoftmax", &softmax.forward(&dense_out));

    let table = QTable::<16>::from_fn(x, x, |v| if v > 0.0 { v } else { 0.1 * v })?;
    codes(out, "QTable", &table.forward(&row));

    let add = QAdd::<16>::new(x, y, y, Activation::None)?;
    let mut other = row;
    other.reverse();
    codes(out, "QAdd", &add.forward(&(row, other)));

    let residual = QResidual::new(table, x, x, y, Activation::ReLU)?;
    codes(out, "QResidual", &residual.forward(&row));
    Ok(())
}

/// Runs every layer; whether all were built.
pub fn run(out: &mut impl Sink) -> bool {
    out.str("typenet int8 layers, each once on fixed codes\n");
    let ok = all(out).is_ok();
    out.str(if ok {
        "all layers built and ran\n"
    } else {
        "a layer was refused\n"
    });
    ok
}
