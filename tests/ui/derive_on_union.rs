use typenet::{Dense, Network};

#[derive(Network)]
union Overlap {
    a: core::mem::ManuallyDrop<Dense<2, 1>>,
}

fn main() {}
