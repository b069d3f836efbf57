// An int8 model waits for the quantized layers.
typenet::include_tflite! {
    struct Quantized = "../../tests/data/tflite/int8_fc.tflite";
}

fn main() {}
