// An int8 ADD of a tensor to itself (`x + x`): neither a skip nor two branches;
// refused, naming the operator.
typenet::include_tflite! {
    struct Add = "../../tests/data/tflite/int8_add.tflite";
}

fn main() {}
