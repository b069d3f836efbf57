// cnn.tflite takes a 10×10×1 image: a vector of the same 100 values is not it, nor is an
// image of other sizes.
use typenet::include_tflite;

include_tflite! {
    struct Flat: [f32; 100] -> [f32; 5] = "../../tests/data/tflite/cnn.tflite";
}

include_tflite! {
    struct Small: [[[f32; 1]; 8]; 8] -> [f32; 5] = "../../tests/data/tflite/cnn.tflite";
}

include_tflite! {
    struct Transposed: [[[f32; 10]; 10]; 1] -> [f32; 5] = "../../tests/data/tflite/cnn.tflite";
}

fn main() {}
