// An int8 model with an operator the int8 import does not cover yet (an ADD):
// refused, naming the operator.
typenet::include_tflite! {
    struct Add = "../../tests/data/tflite/int8_add.tflite";
}

fn main() {}
