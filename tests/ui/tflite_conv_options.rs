// A convolution option typenet's layers do not have is an error naming the operator, its
// index and the option.
use typenet::include_tflite;

include_tflite! {
    struct Dilated = "../../tests/data/tflite/conv_dilated.tflite";
}

include_tflite! {
    struct Tanh = "../../tests/data/tflite/conv_tanh.tflite";
}

fn main() {}
