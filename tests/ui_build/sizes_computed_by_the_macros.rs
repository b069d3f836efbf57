//! Passes: the sizes the macros compute are the ones the layers check (and being a `pass`
//! case, it makes trybuild build this directory's cases instead of only checking them,
//! which the compile-time size checks need: they are evaluated per instantiation).
use typenet::{Dense, GlobalAvgPool2d, Layer, PerPixel, Relu6, conv2d, flatten, pool2d};

type Vision = (
    conv2d!([96, 96, 3] -> 8, kernel [3, 3], stride [2, 2], Same),
    PerPixel<Relu6<8>, 48, 48>,
    pool2d!(MaxPool2d [48, 48, 8], window [3, 3], stride [2, 2], Valid),
    GlobalAvgPool2d<23, 23, 8>,
    Dense<8, 2>,
);

type Wide = (
    conv2d!([49, 10, 1] -> 8, kernel [10, 4], stride [2, 2], Same),
    flatten!([25, 5, 8]),
    Dense<1000, 4>,
);

fn main() {
    let v = Box::new(Vision::zeroed());
    assert_eq!(v.forward(&Box::new([[[0.5; 3]; 96]; 96])), [0.0; 2]);
    let w = Box::new(Wide::zeroed());
    assert_eq!(w.forward(&[[[1.0]; 10]; 49]), [0.0; 4]);
}
