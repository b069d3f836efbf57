// mul.tflite: FULLY_CONNECTED, then MUL (operator 1), which typenet does not import.
typenet::include_tflite! {
    struct Scaled: [f32; 2] -> [f32; 4] = "../../tests/data/tflite/mul.tflite";
}

fn main() {}
