//! Property tests of the byte-image and `.npy` loaders on random and mutated inputs.
//!
//! No input may panic; what is accepted must be exactly right. The number of inputs per
//! test is `TYPENET_FUZZ_INPUTS` (default 100 000); run with `--nocapture` to see the
//! counts. A fixed seed per test keeps failures reproducible.

use typenet::weights::{HEADER_LEN, ImageSize, npy};
use typenet::{ByteImage, Dense, Init, Layer, Sigmoid, SplitMix64, Tanh, WeightsError};

/// A small deterministic generator (SplitMix64), local so the test needs no RNG crate.
struct Gen(u64);

impl Gen {
    fn u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.u64() % n.max(1) as u64) as usize
    }
    fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.u64() as u8).collect()
    }
    /// Between `min` and `min + spread - 1` random bytes.
    fn some_bytes(&mut self, min: usize, spread: usize) -> Vec<u8> {
        let len = min + self.below(spread);
        self.bytes(len)
    }
}

fn inputs() -> usize {
    std::env::var("TYPENET_FUZZ_INPUTS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000)
}

/// Applies one to four random mutations: bit flips, byte sets, truncation, extension,
/// splicing random bytes, or planting a non-finite float.
fn mutate(g: &mut Gen, input: &[u8], interesting: &[&[u8]]) -> Vec<u8> {
    let mut b = input.to_vec();
    for _ in 0..=g.below(4) {
        match g.below(8) {
            0 if !b.is_empty() => {
                let i = g.below(b.len());
                b[i] ^= 1 << g.below(8);
            }
            1 if !b.is_empty() => {
                let i = g.below(b.len());
                b[i] = g.u64() as u8;
            }
            2 => b.truncate(g.below(b.len() + 1)),
            3 => {
                let extra = g.some_bytes(1, 16);
                b.extend(extra);
            }
            4 if !b.is_empty() => {
                let at = g.below(b.len());
                let chunk = g.some_bytes(1, 8);
                b.splice(at..at, chunk);
            }
            5 if b.len() >= 4 => {
                let at = g.below(b.len() - 3);
                let special =
                    [f32::NAN, f32::INFINITY, -f32::INFINITY, f32::MIN_POSITIVE][g.below(4)];
                b[at..at + 4].copy_from_slice(&special.to_le_bytes());
            }
            6 if !b.is_empty() => {
                // overwrite with a token the parser cares about
                let tok = interesting[g.below(interesting.len())];
                let at = g.below(b.len());
                let end = (at + tok.len()).min(b.len());
                b[at..end].copy_from_slice(&tok[..end - at]);
            }
            _ if b.len() > 1 => {
                let at = g.below(b.len());
                b.remove(at);
            }
            _ => b.push(g.u64() as u8),
        }
    }
    b
}

type Net = (Dense<3, 4>, Tanh<4>, Dense<4, 2>, Sigmoid<2>);
type Net64 = (Dense<2, 2, f64>, Tanh<2, f64>);

#[test]
fn byte_images_never_panic_and_accept_only_valid_images() {
    let n = inputs();
    let mut g = Gen(0x7e57_0001);
    let valid: Net = Layer::initialized(Init::Uniform, &mut SplitMix64::new(1));
    let image = valid.to_bytes();
    let valid64: Net64 = Layer::initialized(Init::Uniform, &mut SplitMix64::new(2));
    let image64 = valid64.to_bytes();
    let tokens: &[&[u8]] = &[
        b"TNET",
        &[1, 0],
        &[4, 0],
        &[8, 0],
        &image[8..16],
        &image64[8..16],
    ];
    let (mut accepted, mut by_kind) = (0usize, std::collections::BTreeMap::new());
    for i in 0..n {
        let input = match i % 4 {
            0 => g.some_bytes(0, 2 * <Net as ImageSize>::LEN),
            1 => mutate(&mut g, &image, tokens),
            2 => mutate(&mut g, &image64, tokens),
            _ => {
                // a valid header with random parameters (often NaN/inf patterns)
                let mut b = image.to_vec();
                let body = g.bytes(b.len() - HEADER_LEN);
                b[HEADER_LEN..].copy_from_slice(&body);
                b
            }
        };
        for result in [
            Net::from_bytes(&input).map(|net| net.to_bytes().to_vec()),
            Net64::from_bytes(&input).map(|net| net.to_bytes().to_vec()),
        ] {
            match result {
                // accepted only if the input is exactly the image of what was loaded
                Ok(again) => {
                    assert_eq!(
                        again, input,
                        "accepted bytes that are not a canonical image"
                    );
                    accepted += 1;
                }
                Err(e) => {
                    let kind = format!("{e:?}");
                    let kind = kind.split([' ', '{']).next().unwrap().to_string();
                    *by_kind.entry(kind).or_insert(0usize) += 1;
                    if let WeightsError::Length { found, .. } = e {
                        assert_eq!(found, input.len());
                    }
                }
            }
        }
    }
    println!("byte images: {n} inputs, 2 loaders, {accepted} accepted, errors {by_kind:?}");
    // the generator reaches every check, not just the length one
    for kind in [
        "Length",
        "Magic",
        "Version",
        "Scalar",
        "Fingerprint",
        "NonFinite",
    ] {
        assert!(
            by_kind.get(kind).copied().unwrap_or(0) > 0,
            "no {kind} error in {n} inputs"
        );
    }
    assert!(accepted > 0);
}

/// A `.npy` file as NumPy's writers could produce it, with varied formatting.
fn random_npy(g: &mut Gen) -> (Vec<u8>, Vec<usize>, bool) {
    let rank = g.below(3);
    let shape: Vec<usize> = (0..rank).map(|_| g.below(5)).collect();
    let f64s = g.below(2) == 1;
    let count: usize = shape.iter().product();
    let shape_text = match shape.as_slice() {
        [] => "()".to_string(),
        [n] => format!("({n},)"),
        dims => format!(
            "({})",
            dims.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let descr = if f64s { "'<f8'" } else { "'<f4'" };
    let mut entries = [
        format!("'descr': {descr}"),
        "'fortran_order': False".to_string(),
        format!("'shape': {shape_text}"),
    ];
    if g.below(2) == 1 {
        entries.swap(0, 2);
    }
    let mut header = format!("{{{}, }}", entries.join(", ")).into_bytes();
    let v2 = g.below(4) == 0;
    let pre = if v2 { 12 } else { 10 };
    while (pre + header.len() + 1) % 64 != 0 {
        header.push(b' ');
    }
    header.push(b'\n');
    let mut out = b"\x93NUMPY".to_vec();
    if v2 {
        out.extend([2, 0]);
        out.extend((header.len() as u32).to_le_bytes());
    } else {
        out.extend([1, 0]);
        out.extend((header.len() as u16).to_le_bytes());
    }
    out.extend(header);
    for k in 0..count {
        let v = k as f64 * 0.25 - 1.0;
        if f64s {
            out.extend(v.to_le_bytes());
        } else {
            out.extend((v as f32).to_le_bytes());
        }
    }
    (out, shape, f64s)
}

#[test]
fn npy_files_never_panic_and_parse_exactly() {
    let n = inputs();
    let mut g = Gen(0x7e57_0002);
    let tokens: &[&[u8]] = &[
        b"'descr'",
        b"'shape'",
        b"'fortran_order'",
        b"True",
        b"False",
        b"'<f4'",
        b"'<f8'",
        b"(",
        b")",
        b",",
        b"{",
        b"}",
        b":",
        b"'",
        b"99999999999999999999",
        b"\x93NUMPY",
    ];
    let (mut parsed, mut valid_ok) = (0usize, 0usize);
    for i in 0..n {
        let (file, shape, f64s) = random_npy(&mut g);
        let input = if i % 8 == 0 {
            // unmutated: must parse, with the values written
            let a = npy::Npy::parse(&file).expect("a valid file must parse");
            assert_eq!(a.shape.dims(), shape.as_slice());
            assert_eq!(
                a.dtype,
                if f64s {
                    npy::Dtype::F64
                } else {
                    npy::Dtype::F32
                }
            );
            for k in 0..a.len() {
                assert_eq!(a.get::<f64>(k), Some(k as f64 * 0.25 - 1.0));
            }
            valid_ok += 1;
            file
        } else if i % 8 == 1 {
            g.some_bytes(0, 200)
        } else {
            mutate(&mut g, &file, tokens)
        };
        if let Ok(a) = npy::Npy::parse(&input) {
            parsed += 1;
            // accepted: the data length is exactly what the shape and dtype say
            let elements: usize = a.shape.dims().iter().product();
            assert_eq!(a.len(), elements);
            assert_eq!(a.get::<f32>(elements), None);
        }
        // the typed readers, over a few shapes, on the same input
        let _ = npy::read_vector::<f32, 3>(&input);
        let _ = npy::read_vector::<f64, 0>(&input);
        let _ = npy::read_matrix::<f32, 2, 3>(&input);
        let _ = npy::read_matrix_transposed::<f64, 3, 2>(&input);
        if let Ok(m) = npy::read_matrix::<f32, 4, 4>(&input) {
            assert!(m.as_flattened().iter().all(|v| v.is_finite()));
        }
    }
    println!(
        "npy: {n} inputs, 5 readers each; {valid_ok} valid files parsed exactly, {parsed} inputs accepted by Npy::parse"
    );
    assert!(
        valid_ok > 0 && parsed > valid_ok,
        "mutations should sometimes stay valid"
    );
}
