// A file cut short, and a file that is not a TFLite model at all.
typenet::include_tflite! {
    struct Cut = "../../tests/data/tflite/truncated.tflite";
}

typenet::include_tflite! {
    struct NotAModel = "../../examples/npy/hidden_weight.npy";
}

fn main() {}
