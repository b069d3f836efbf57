// A field whose type tokens expand to `&'static mut f32` once and to `f32` after: the
// derive must judge the field by the type it really has (a reference, which all-zero
// bytes would make null), not by what its tokens expand to when written again.
use typenet::Zeroable;
use typenet_test_flip::flip;

#[derive(Zeroable)]
struct Sneaky {
    field: flip!(),
}

fn main() {
    let _ = core::mem::size_of::<Sneaky>();
}
