use typenet::{Dense, Network, Sigmoid};

// Two mistakes, both reported at once (the errors are combined): a lifetime parameter and
// a field that borrows its layer.
#[derive(Network)]
struct Borrowed<'a> {
    hidden: &'a Dense<2, 1>,
    squash: Sigmoid<1>,
}

fn main() {}
