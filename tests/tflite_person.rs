//! The `microflow` crate's `person_detect.tflite` (MobileNet v1 0.25 on a 96×96×1 int8
//! image: 14 DEPTHWISE_CONV_2D, 14 CONV_2D, AVERAGE_POOL_2D, RESHAPE, SOFTMAX; 300 KB)
//! imported by `include_tflite!` unchanged, against LiteRT's reference kernels. Its own
//! test file, so that its compile time is its own (docs/tflite.md).
//!
//! Its depthwise biases say `quantized_dimension` 3 on a one-dimensional tensor, which
//! LiteRT refuses; no kernel reads a bias's quantization, so typenet imports the file as
//! it is, and scripts/tflite_models.py ran LiteRT on a copy where those fields say 0.

use typenet::include_tflite;
use typenet::quant::QLayer;

include_tflite!(struct PersonDetect: [[[i8; 1]; 96]; 96] -> [i8; 2] = "tests/data/tflite/microflow/person_detect.tflite");

#[test]
fn microflow_person_detect_is_bit_exact_with_litert_on_12_inputs() {
    let path = format!(
        "{}/tests/data/tflite/person_detect_codes.bin",
        env!("CARGO_MANIFEST_DIR")
    );
    let b = std::fs::read(path).unwrap();
    const N: usize = 12;
    assert_eq!(b.len(), N * 96 * 96 + N * 2);
    let (xs, ys) = b.split_at(N * 96 * 96);
    // 300 KB of weights and a 96×96×8 activation: on the heap, not the test's stack
    let net = Box::new(PersonDetect::new());
    let mut same = 0;
    for (k, (x, y)) in xs.chunks_exact(96 * 96).zip(ys.chunks_exact(2)).enumerate() {
        let mut image = Box::new([[[0i8; 1]; 96]; 96]);
        for (r, row) in image.iter_mut().enumerate() {
            for (c, px) in row.iter_mut().enumerate() {
                px[0] = x[r * 96 + c].cast_signed();
            }
        }
        let want = [y[0].cast_signed(), y[1].cast_signed()];
        assert_eq!(net.forward(&image), want, "input {k}");
        same += 1;
    }
    assert_eq!(same, N);
    // the recorded outputs differ from one input to the next
    let distinct: std::collections::HashSet<&[u8]> = ys.chunks_exact(2).collect();
    assert!(distinct.len() > N / 2, "{}", distinct.len());
}
