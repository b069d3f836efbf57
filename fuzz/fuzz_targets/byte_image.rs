//! Any bytes into `from_bytes`: never a panic, and whatever loads saves back to the same
//! bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use typenet::{ByteImage, Dense, Sigmoid, Tanh};

type Net = (Dense<3, 4>, Tanh<4>, Dense<4, 2>, Sigmoid<2>);
type Net64 = (Dense<2, 2, f64>, Tanh<2, f64>);

fuzz_target!(|data: &[u8]| {
    if let Ok(net) = Net::from_bytes(data) {
        assert_eq!(&net.to_bytes()[..], data);
    }
    if let Ok(net) = Net64::from_bytes(data) {
        assert_eq!(&net.to_bytes()[..], data);
    }
});
