use typenet::Network;

#[derive(Network)]
struct Nothing;

fn main() {}
