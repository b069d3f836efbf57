// `#[derive(Zeroable)]` writes an `unsafe impl`, so a crate that forbids unsafe code
// cannot use it (and `#[derive(Network)]`, which writes none, stays usable there).
#![forbid(unsafe_code)]
use typenet::{Dense, Network, Sigmoid, Zeroable};

#[derive(Network)]
struct Allowed {
    dense: Dense<2, 1>,
    squash: Sigmoid<1>,
}

#[derive(Network, Zeroable)]
struct Refused {
    dense: Dense<2, 1>,
    squash: Sigmoid<1>,
}

fn main() {}
