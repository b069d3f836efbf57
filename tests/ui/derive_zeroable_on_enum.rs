use typenet::{Dense, Zeroable};

#[derive(Zeroable)]
enum Either {
    Small(Dense<2, 1>),
    Large(Dense<2, 8>),
}

fn main() {}
