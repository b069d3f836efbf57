// The declared input and output sizes are compared with the file's.
use typenet::include_tflite;

include_tflite! {
    struct Xor: [f32; 3] -> [f32; 2] = "../../tests/data/tflite/xor.tflite";
}

const N: usize = 4;

include_tflite! {
    // a length the macro cannot read is compared by the compiler, with the same words
    struct XorN: [f32; N] -> [f32; 1] = "../../tests/data/tflite/xor.tflite";
}

include_tflite! {
    struct XorF64: [f64; 2] -> [f32; 1] = "../../tests/data/tflite/xor.tflite";
}

fn main() {}
