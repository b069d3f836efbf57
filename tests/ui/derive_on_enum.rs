use typenet::{Dense, Layer, Network, Sigmoid};

#[derive(Network)]
enum Either {
    Wide(Dense<2, 8>),
    Narrow(Dense<2, 1>, Sigmoid<1>),
}

// Using the type as a layer adds no error: the derive emitted a stub impl beside its own.
fn parameters<N: Layer>() -> usize {
    N::PARAM_COUNT
}

fn main() {
    let _ = parameters::<Either>();
}
