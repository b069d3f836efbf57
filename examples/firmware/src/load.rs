//! The trained XOR network as a byte image, loaded into a network with `load_bytes`: the
//! computation behind the `load` binary, whose stack peak `run.sh` reports as the
//! loader's. The image is written and read in place, so the stack holds neither a
//! second network nor a copy of the image.
//!
//! Compiled unchanged into the host test that writes `golden/load.txt`.

use crate::out::Sink;
use crate::xor::{TRAINED, Xor, truth_table};
use typenet::Layer;
use typenet::weights::{ByteImage, HEADER_LEN, ImageSize};

/// The image's length: a 16-byte header and 17 `f32`s.
pub const LEN: usize = <Xor as ImageSize>::LEN;

/// Writes [`TRAINED`] into a byte image, loads it into a zeroed network, checks that a
/// corrupted image is refused without touching that network, and prints the truth table
/// of the loaded one. Returns whether every step did what it should.
pub fn run(out: &mut impl Sink) -> bool {
    out.str("typenet load: XOR as a byte image of ");
    out.u32(LEN as u32);
    out.str(" bytes, load_bytes into a zeroed network\n");
    let mut image = [0u8; LEN];
    let written = TRAINED.write_bytes(&mut image).is_ok();
    let mut net = Xor::zeroed();
    let loaded = net.load_bytes(&image).is_ok()
        && net.hidden == TRAINED.hidden
        && net.output == TRAINED.output;
    // the first weight made NaN: refused, and the network keeps what it loaded
    image[HEADER_LEN..HEADER_LEN + 4].copy_from_slice(&f32::NAN.to_le_bytes());
    let refused = net.load_bytes(&image).is_err();
    out.str(if written && loaded && refused {
        "written, loaded, a NaN image refused\n"
    } else {
        "LOADING FAILED\n"
    });
    truth_table(out, &net) && written && loaded && refused
}
