// add_fanout.tflite: three operators read the input (FC, FC, FC, then an ADD of two of
// them); typenet imports a skip or two branches joined by an ADD, and names operator 2.
typenet::include_tflite! {
    struct Fanout: [f32; 4] -> [f32; 4] = "../../tests/data/tflite/add_fanout.tflite";
}

fn main() {}
