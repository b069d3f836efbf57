use typenet::{Dense, Network, Relu, Sigmoid};

// A tuple network inside a struct, wrong inside: reported at the field that holds it (and
// once more at the next field, whose check asks for the tuple's output). The tuple's
// output, 3 values, does not fit `Sigmoid<2>` either: that is the third error.
#[derive(Network)]
struct Outer {
    input: Dense<2, 4>,
    block: (Dense<4, 2>, Relu<3>),
    decide: Sigmoid<2>,
}

fn main() {}
