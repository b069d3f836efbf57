// An int8 model with an operator the int8 import does not cover yet (a depthwise
// convolution): refused, naming the operator.
typenet::include_tflite! {
    struct Speech = "../../tests/data/tflite/microflow/speech.tflite";
}

fn main() {}
