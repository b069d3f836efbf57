use typenet::{Dense, Network, Sigmoid};

// A typo in one field's type is reported once, however often the derive uses the type.
#[derive(Network)]
struct Typo {
    hidden: Dense<2, 4>,
    squash: Sigmod<4>,
    output: Dense<4, 1>,
    decide: Sigmoid<1>,
}

fn main() {}
