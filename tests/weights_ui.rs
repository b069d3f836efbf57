//! Compile errors of the weights API, pinned as trybuild snapshots.

#[test]
fn weights_compile_errors() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/byte_image_too_big.rs");
    t.compile_fail("tests/ui/npy_shape_mismatch.rs");
    t.compile_fail("tests/ui/npy_file_missing.rs");
    t.compile_fail("tests/ui/npy_too_big_for_f32.rs");
}
