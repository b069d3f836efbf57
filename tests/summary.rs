//! The model summary on derived networks: named and tuple structs, generic sizes, raw
//! identifiers, a derived network inside another, and writing it without allocating.

use core::fmt::Write as _;
use typenet::summary::{Row, Summary};
use typenet::{Dense, Layer, Network, Relu, Sigmoid, Tanh};

#[derive(Network)]
struct Block<const H: usize> {
    r#in: Dense<4, H>,
    act: Tanh<H>,
}

#[derive(Network)]
struct Pair(Block<6>, Dense<6, 2, f32>, (Relu<2>, Sigmoid<2>));

fn rows<N: Layer>() -> Vec<Row> {
    let mut rows = Vec::new();
    Summary::<N>::new().visit(&mut |r| rows.push(*r));
    rows
}

#[test]
fn derived_networks_name_their_fields() {
    let rows = rows::<Pair>();
    let shown: Vec<_> = rows
        .iter()
        .map(|r| {
            (
                r.depth,
                r.name,
                r.type_name().to_string(),
                r.output,
                r.params,
            )
        })
        .collect();
    let want = [
        (0, "", "Pair", 2, 30 + 14),
        (1, "0", "Block<6>", 6, 4 * 6 + 6),
        (2, "in", "Dense<4, 6>", 6, 30),
        (2, "act", "Tanh<6>", 6, 0),
        (1, "1", "Dense<6, 2>", 2, 6 * 2 + 2),
        (1, "2", "(2 layers)", 2, 0),
        (2, "0", "Relu<2>", 2, 0),
        (2, "1", "Sigmoid<2>", 2, 0),
    ];
    let want: Vec<_> = want
        .iter()
        .map(|&(d, n, t, o, p)| (d, n, t.to_string(), o, p))
        .collect();
    assert_eq!(shown, want);
    assert_eq!(rows[0].params, Pair::PARAM_COUNT);
    assert_eq!(rows[0].bytes, core::mem::size_of::<Pair>());
}

/// A fixed buffer, as a microcontroller would print into before sending it out.
struct Buf {
    bytes: [u8; 1024],
    len: usize,
}

impl core::fmt::Write for Buf {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        let end = self.len + s.len();
        self.bytes
            .get_mut(self.len..end)
            .ok_or(core::fmt::Error)?
            .copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

#[test]
fn writes_into_a_fixed_buffer() {
    let net = Pair(Layer::zeroed(), Layer::zeroed(), Layer::zeroed());
    let mut buf = Buf {
        bytes: [0; 1024],
        len: 0,
    };
    write!(buf, "{}", Summary::of(&net)).unwrap();
    let text = core::str::from_utf8(&buf.bytes[..buf.len]).unwrap();
    assert_eq!(text, Summary::<Pair>::new().to_string());
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "Pair: [f32; 4] → [f32; 2]");
    // the widest first column, `  in: Dense<4, 6>`, sets the others
    assert_eq!(lines[3], "  in: Dense<4, 6>       6          30    120");
    assert_eq!(lines.len(), 2 + 7 + 2);
    // a buffer too small is an error, not a panic
    let mut small = Buf {
        bytes: [0; 1024],
        len: 1000,
    };
    assert!(write!(small, "{}", Summary::of(&net)).is_err());
}
