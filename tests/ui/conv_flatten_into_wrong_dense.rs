use typenet::{Dense, Flatten, Layer, conv2d, flatten};

type Net = (
    conv2d!([50, 40, 3] -> 8, kernel [3, 3], stride [2, 2], Same),
    flatten!([25, 20, 8]),
    Dense<4096, 4>,
);

fn main() {
    let net: Net = (Default::default(), Flatten::new(), Dense::zeroed());
    typenet::infer(&net, &[[[0.0; 3]; 40]; 50]);
}
