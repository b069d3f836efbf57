// Paths are relative to the crate root, or failing that (as here, under trybuild) to this file.
typenet::include_tflite! {
    pub struct Speech: [f32; 1960] -> [f32; 12] = "models/speech.tflite";
}

fn main() {}
