//! Bit-exactness against TensorFlow Lite's reference kernels: every case in
//! `tests/data/int8/*.bin` (made by `scripts/int8_goldens.py` with the LiteRT interpreter)
//! is prepared from its scales and zero points, run through the kernel, and compared
//! byte for byte with the interpreter's output.

use super::add::{AddParams, add};
use super::conv::{conv2d, depthwise_conv2d};
use super::fully_connected::fully_connected;
use super::pool::{average_pool, max_pool};
use super::quantize::{dequantize, quantize};
use super::softmax::{SoftmaxParams, softmax};
use super::{
    Activation, ChannelRequant, Dequantize, OutputQuant, Padding, QAdd, QAvgPool2d, QConv2d,
    QDense, QDepthwiseConv2d, QLayer, QMaxPool2d, QSoftmax, QuantParams, Quantize, Stride, Window,
    output_size,
};
use core::array::from_fn;
use std::format;
use std::println;
use std::string::String;
use std::vec::Vec;

struct Reader {
    bytes: Vec<u8>,
    pos: usize,
    cases: usize,
}

impl Reader {
    fn open(name: &str) -> Self {
        let path = format!("{}/tests/data/int8/{name}.bin", env!("CARGO_MANIFEST_DIR"));
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(&bytes[..4], b"TNQ8", "{path}: not a golden file");
        let mut r = Self {
            bytes,
            pos: 4,
            cases: 0,
        };
        assert_eq!(r.i32(), 1, "{path}: format version");
        r.cases = r.usize();
        r
    }
    fn take(&mut self, n: usize) -> &[u8] {
        let s = &self.bytes[self.pos..self.pos + n];
        self.pos += n;
        s
    }
    fn u8(&mut self) -> u8 {
        self.take(1)[0]
    }
    fn i32(&mut self) -> i32 {
        i32::from_le_bytes(self.take(4).try_into().unwrap())
    }
    fn usize(&mut self) -> usize {
        usize::try_from(self.i32()).unwrap()
    }
    fn f32(&mut self) -> f32 {
        f32::from_le_bytes(self.take(4).try_into().unwrap())
    }
    fn i8s(&mut self, n: usize) -> Vec<i8> {
        self.take(n).iter().map(|&b| b.cast_signed()).collect()
    }
    fn i32s(&mut self, n: usize) -> Vec<i32> {
        (0..n).map(|_| self.i32()).collect()
    }
    fn f32s(&mut self, n: usize) -> Vec<f32> {
        (0..n).map(|_| self.f32()).collect()
    }
    fn done(&self) -> bool {
        self.pos == self.bytes.len()
    }
}

fn activation(code: u8) -> Activation {
    match code {
        0 => Activation::None,
        1 => Activation::ReLU,
        2 => Activation::ReLUN1To1,
        3 => Activation::ReLU6,
        _ => panic!("activation code {code}"),
    }
}

fn padding(code: u8) -> Padding {
    match code {
        0 => Padding::Same,
        1 => Padding::Valid,
        _ => panic!("padding code {code}"),
    }
}

/// Per-op tally: cases, cases entirely right, output bytes, bytes right.
#[derive(Default)]
struct Tally {
    cases: usize,
    exact: usize,
    bytes: usize,
    matched: usize,
    first_failures: Vec<String>,
}

impl Tally {
    fn record(&mut self, got: &[u8], want: &[u8], what: impl FnOnce() -> String) {
        assert_eq!(got.len(), want.len());
        let m = got.iter().zip(want).filter(|(a, b)| a == b).count();
        self.cases += 1;
        self.bytes += want.len();
        self.matched += m;
        if m == want.len() {
            self.exact += 1;
        } else if self.first_failures.len() < 5 {
            self.first_failures.push(format!(
                "{}: got {:?} want {:?}",
                what(),
                &got[..got.len().min(24)],
                &want[..want.len().min(24)]
            ));
        }
    }
    fn finish(self, op: &str, expected_cases: usize) {
        println!(
            "{op}: {}/{} cases bit-exact, {}/{} output bytes match",
            self.exact, self.cases, self.matched, self.bytes
        );
        for f in &self.first_failures {
            println!("  {f}");
        }
        assert_eq!(self.cases, expected_cases);
        assert!(self.cases >= 1000, "{op}: only {} cases", self.cases);
        assert_eq!(self.exact, self.cases, "{op}: not bit-exact");
    }
}

fn bytes_i8(v: &[i8]) -> Vec<u8> {
    v.iter().map(|&x| x.cast_unsigned()).collect()
}

fn flat3<const A: usize, const B: usize, const C: usize>(v: &[[[i8; C]; B]; A]) -> Vec<u8> {
    v.iter()
        .flatten()
        .flatten()
        .map(|&x| x.cast_unsigned())
        .collect()
}

fn requant<const N: usize>(
    per_channel: bool,
    s_in: f32,
    scales: &[f32],
    s_out: f32,
) -> ChannelRequant<N> {
    if per_channel {
        ChannelRequant::per_channel(s_in, &from_fn(|i| scales[i]), s_out).unwrap()
    } else {
        ChannelRequant::per_tensor(s_in, scales[0], s_out).unwrap()
    }
}

// ------------------------------------------------------------------ fully connected

fn fc_case<const I: usize, const O: usize>(
    r: &mut Reader,
    [t, layer]: &mut [Tally; 2],
    per_channel: bool,
    act: Activation,
) {
    let (s_in, z_in, s_out, z_out) = (r.f32(), r.i32(), r.f32(), r.i32());
    let scales = r.f32s(if per_channel { O } else { 1 });
    let w = r.i8s(O * I);
    let bias = r.i32s(O);
    let x = r.i8s(I);
    let want = r.i8s(O);
    let weights: [[i8; I]; O] = from_fn(|o| from_fn(|i| w[o * I + i]));
    let rq = requant::<O>(per_channel, s_in, &scales, s_out);
    let out = OutputQuant::new(s_out, z_out, act).unwrap();
    let mut y = [0i8; O];
    fully_connected(
        &from_fn(|i| x[i]),
        z_in,
        &weights,
        &from_fn(|o| bias[o]),
        &rq,
        &out,
        &mut y,
    );
    t.record(&bytes_i8(&y), &bytes_i8(&want), || {
        format!("fc {I}x{O} pc={per_channel} {act:?}")
    });
    // The same case through the public layer, built from the raw scales.
    let weight_scales: [f32; O] = from_fn(|o| scales[if per_channel { o } else { 0 }]);
    let dense = QDense::new(
        weights,
        &weight_scales,
        from_fn(|o| bias[o]),
        QuantParams::new(s_in, z_in).unwrap(),
        QuantParams::new(s_out, z_out).unwrap(),
        act,
    )
    .unwrap();
    let y = dense.forward(&from_fn(|i| x[i]));
    layer.record(&bytes_i8(&y), &bytes_i8(&want), || {
        format!("QDense {I}x{O} pc={per_channel} {act:?}")
    });
}

#[test]
fn fully_connected_matches_tflite() {
    let mut r = Reader::open("fully_connected");
    let mut t = [Tally::default(), Tally::default()];
    for _ in 0..r.cases {
        let per_channel = r.u8() != 0;
        let act = activation(r.u8());
        let dims = (r.usize(), r.usize());
        macro_rules! shapes {
            ($(($i:literal, $o:literal)),*) => {
                match dims {
                    $(($i, $o) => fc_case::<$i, $o>(&mut r, &mut t, per_channel, act),)*
                    d => panic!("shape {d:?} not instantiated"),
                }
            };
        }
        shapes!(
            (1, 1),
            (4, 3),
            (16, 10),
            (13, 7),
            (64, 16),
            (100, 4),
            (32, 64),
            (8, 128)
        );
    }
    assert!(r.done());
    let [kernel, layer] = t;
    kernel.finish("fully_connected", r.cases);
    layer.finish("QDense", r.cases);
}

// ------------------------------------------------------------------ conv2d

#[allow(clippy::too_many_arguments)]
fn conv_case<
    const H: usize,
    const W: usize,
    const C: usize,
    const KH: usize,
    const KW: usize,
    const OC: usize,
    const OH: usize,
    const OW: usize,
>(
    r: &mut Reader,
    [t, layer]: &mut [Tally; 2],
    pad: Padding,
    sh: usize,
    sw: usize,
    act: Activation,
) {
    let (s_in, z_in, s_out, z_out) = (r.f32(), r.i32(), r.f32(), r.i32());
    let per_channel = r.u8() != 0;
    let scales = r.f32s(if per_channel { OC } else { 1 });
    let f = r.i8s(OC * KH * KW * C);
    let bias = r.i32s(OC);
    let x = r.i8s(H * W * C);
    let want = r.i8s(OH * OW * OC);
    let filters: [[[[i8; C]; KW]; KH]; OC] =
        from_fn(|o| from_fn(|ky| from_fn(|kx| from_fn(|c| f[((o * KH + ky) * KW + kx) * C + c]))));
    let input: [[[i8; C]; W]; H] = from_fn(|y| from_fn(|xx| from_fn(|c| x[(y * W + xx) * C + c])));
    let window = Window::new::<H, W, KH, KW, OH, OW>(pad, sh, sw).unwrap();
    let rq = requant::<OC>(per_channel, s_in, &scales, s_out);
    let out = OutputQuant::new(s_out, z_out, act).unwrap();
    let mut y = [[[0i8; OC]; OW]; OH];
    conv2d(
        &input,
        z_in,
        &filters,
        &from_fn(|o| bias[o]),
        &window,
        &rq,
        &out,
        &mut y,
    );
    t.record(&flat3(&y), &bytes_i8(&want), || {
        format!("conv {H}x{W}x{C} k{KH}x{KW} oc{OC} s{sh},{sw} {pad:?} pc={per_channel} {act:?}")
    });
    let conv = QConv2d::<H, W, C, KH, KW, OC, OH, OW>::new(
        filters,
        &from_fn(|o| scales[if per_channel { o } else { 0 }]),
        from_fn(|o| bias[o]),
        Stride::new(pad, sh, sw),
        (
            QuantParams::new(s_in, z_in).unwrap(),
            QuantParams::new(s_out, z_out).unwrap(),
        ),
        act,
    )
    .unwrap();
    layer.record(&flat3(&conv.forward(&input)), &bytes_i8(&want), || {
        format!("QConv2d {H}x{W}x{C} k{KH}x{KW} oc{OC} s{sh},{sw} {pad:?} {act:?}")
    });
}

#[test]
fn conv2d_matches_tflite() {
    let mut r = Reader::open("conv2d");
    let mut t = [Tally::default(), Tally::default()];
    for _ in 0..r.cases {
        let pad = padding(r.u8());
        let act = activation(r.u8());
        let d: Vec<usize> = (0..10).map(|_| r.usize()).collect();
        let (sh, sw) = (d[6], d[7]);
        macro_rules! shapes {
            ($(($h:literal, $w:literal, $c:literal, $kh:literal, $kw:literal, $oc:literal, $sh:literal, $sw:literal)),*) => {
                match (d[0], d[1], d[2], d[3], d[4], d[5], sh, sw, pad) {
                    $(
                        ($h, $w, $c, $kh, $kw, $oc, $sh, $sw, Padding::Same) => conv_case::<$h, $w, $c, $kh, $kw, $oc,
                            { output_size(Padding::Same, $h, $kh, $sh) }, { output_size(Padding::Same, $w, $kw, $sw) }>(&mut r, &mut t, pad, sh, sw, act),
                        ($h, $w, $c, $kh, $kw, $oc, $sh, $sw, Padding::Valid) => conv_case::<$h, $w, $c, $kh, $kw, $oc,
                            { output_size(Padding::Valid, $h, $kh, $sh) }, { output_size(Padding::Valid, $w, $kw, $sw) }>(&mut r, &mut t, pad, sh, sw, act),
                    )*
                    _ => panic!("shape {d:?} not instantiated"),
                }
            };
        }
        shapes!(
            (5, 5, 1, 3, 3, 2, 1, 1),
            (8, 8, 3, 3, 3, 4, 1, 1),
            (8, 8, 3, 3, 3, 4, 2, 2),
            (7, 9, 2, 2, 3, 3, 2, 1),
            (6, 6, 4, 1, 1, 8, 1, 1),
            (10, 10, 2, 5, 5, 3, 3, 3)
        );
    }
    assert!(r.done());
    let [kernel, layer] = t;
    kernel.finish("conv2d", r.cases);
    layer.finish("QConv2d", r.cases);
}

// ------------------------------------------------------------------ depthwise conv2d

#[allow(clippy::too_many_arguments)]
fn dw_case<
    const H: usize,
    const W: usize,
    const C: usize,
    const M: usize,
    const CM: usize,
    const KH: usize,
    const KW: usize,
    const OH: usize,
    const OW: usize,
>(
    r: &mut Reader,
    [t, layer]: &mut [Tally; 2],
    pad: Padding,
    sh: usize,
    sw: usize,
    act: Activation,
) {
    let (s_in, z_in, s_out, z_out) = (r.f32(), r.i32(), r.f32(), r.i32());
    let per_channel = r.u8() != 0;
    let scales = r.f32s(if per_channel { CM } else { 1 });
    let f = r.i8s(KH * KW * CM);
    let bias = r.i32s(CM);
    let x = r.i8s(H * W * C);
    let want = r.i8s(OH * OW * CM);
    let filters: [[[i8; CM]; KW]; KH] =
        from_fn(|ky| from_fn(|kx| from_fn(|o| f[(ky * KW + kx) * CM + o])));
    let input: [[[i8; C]; W]; H] = from_fn(|y| from_fn(|xx| from_fn(|c| x[(y * W + xx) * C + c])));
    let window = Window::new::<H, W, KH, KW, OH, OW>(pad, sh, sw).unwrap();
    let rq = requant::<CM>(per_channel, s_in, &scales, s_out);
    let out = OutputQuant::new(s_out, z_out, act).unwrap();
    let mut y = [[[0i8; CM]; OW]; OH];
    depthwise_conv2d::<H, W, C, M, CM, KH, KW, OH, OW>(
        &input,
        z_in,
        &filters,
        &from_fn(|o| bias[o]),
        &window,
        &rq,
        &out,
        &mut y,
    );
    t.record(&flat3(&y), &bytes_i8(&want), || {
        format!("dw {H}x{W}x{C} m{M} k{KH}x{KW} s{sh},{sw} {pad:?} pc={per_channel} {act:?}")
    });
    let dw = QDepthwiseConv2d::<H, W, C, M, CM, KH, KW, OH, OW>::new(
        filters,
        &from_fn(|o| scales[if per_channel { o } else { 0 }]),
        from_fn(|o| bias[o]),
        Stride::new(pad, sh, sw),
        (
            QuantParams::new(s_in, z_in).unwrap(),
            QuantParams::new(s_out, z_out).unwrap(),
        ),
        act,
    )
    .unwrap();
    layer.record(&flat3(&dw.forward(&input)), &bytes_i8(&want), || {
        format!("QDepthwiseConv2d {H}x{W}x{C} m{M} k{KH}x{KW} s{sh},{sw} {pad:?} {act:?}")
    });
}

#[test]
fn depthwise_conv2d_matches_tflite() {
    let mut r = Reader::open("depthwise_conv2d");
    let mut t = [Tally::default(), Tally::default()];
    for _ in 0..r.cases {
        let pad = padding(r.u8());
        let act = activation(r.u8());
        let d: Vec<usize> = (0..10).map(|_| r.usize()).collect();
        let (sh, sw) = (d[6], d[7]);
        macro_rules! shapes {
            ($(($h:literal, $w:literal, $c:literal, $m:literal, $kh:literal, $kw:literal, $sh:literal, $sw:literal)),*) => {
                match (d[0], d[1], d[2], d[3], d[4], d[5], sh, sw, pad) {
                    $(
                        ($h, $w, $c, $m, $kh, $kw, $sh, $sw, Padding::Same) => dw_case::<$h, $w, $c, $m, { $c * $m }, $kh, $kw,
                            { output_size(Padding::Same, $h, $kh, $sh) }, { output_size(Padding::Same, $w, $kw, $sw) }>(&mut r, &mut t, pad, sh, sw, act),
                        ($h, $w, $c, $m, $kh, $kw, $sh, $sw, Padding::Valid) => dw_case::<$h, $w, $c, $m, { $c * $m }, $kh, $kw,
                            { output_size(Padding::Valid, $h, $kh, $sh) }, { output_size(Padding::Valid, $w, $kw, $sw) }>(&mut r, &mut t, pad, sh, sw, act),
                    )*
                    _ => panic!("shape {d:?} not instantiated"),
                }
            };
        }
        shapes!(
            (5, 5, 1, 1, 3, 3, 1, 1),
            (8, 8, 3, 2, 3, 3, 1, 1),
            (8, 8, 4, 1, 3, 3, 2, 2),
            (7, 6, 2, 3, 2, 3, 1, 2),
            (9, 9, 8, 1, 5, 5, 2, 2)
        );
    }
    assert!(r.done());
    let [kernel, layer] = t;
    kernel.finish("depthwise_conv2d", r.cases);
    layer.finish("QDepthwiseConv2d", r.cases);
}

// ------------------------------------------------------------------ pooling

#[allow(clippy::too_many_arguments)]
fn pool_case<
    const H: usize,
    const W: usize,
    const C: usize,
    const KH: usize,
    const KW: usize,
    const OH: usize,
    const OW: usize,
>(
    r: &mut Reader,
    t: &mut [Tally; 4],
    kind: u8,
    pad: Padding,
    sh: usize,
    sw: usize,
    act: Activation,
) {
    let (scale, zp) = (r.f32(), r.i32());
    let x = r.i8s(H * W * C);
    let want = r.i8s(OH * OW * C);
    let input: [[[i8; C]; W]; H] = from_fn(|y| from_fn(|xx| from_fn(|c| x[(y * W + xx) * C + c])));
    let window = Window::new::<H, W, KH, KW, OH, OW>(pad, sh, sw).unwrap();
    let out = OutputQuant::new(scale, zp, act).unwrap();
    let mut y = [[[0i8; C]; OW]; OH];
    if kind == 0 {
        average_pool::<H, W, C, KH, KW, OH, OW>(&input, &window, out.min, out.max, &mut y);
    } else {
        max_pool::<H, W, C, KH, KW, OH, OW>(&input, &window, out.min, out.max, &mut y);
    }
    t[usize::from(kind)].record(&flat3(&y), &bytes_i8(&want), || {
        format!("pool{kind} {H}x{W}x{C} k{KH}x{KW} s{sh},{sw} {pad:?} {act:?}")
    });
    let (stride, params) = (
        Stride::new(pad, sh, sw),
        QuantParams::new(scale, zp).unwrap(),
    );
    let y = if kind == 0 {
        QAvgPool2d::<H, W, C, KH, KW, OH, OW>::new(stride, params, act)
            .unwrap()
            .forward(&input)
    } else {
        QMaxPool2d::<H, W, C, KH, KW, OH, OW>::new(stride, params, act)
            .unwrap()
            .forward(&input)
    };
    t[2 + usize::from(kind)].record(&flat3(&y), &bytes_i8(&want), || {
        format!("QPool{kind} {H}x{W}x{C} k{KH}x{KW} s{sh},{sw} {pad:?} {act:?}")
    });
}

#[test]
fn pooling_matches_tflite() {
    let mut r = Reader::open("pool2d");
    let mut t: [Tally; 4] = Default::default();
    for _ in 0..r.cases {
        let kind = r.u8();
        let pad = padding(r.u8());
        let act = activation(r.u8());
        let d: Vec<usize> = (0..9).map(|_| r.usize()).collect();
        let (sh, sw) = (d[5], d[6]);
        macro_rules! shapes {
            ($(($h:literal, $w:literal, $c:literal, $kh:literal, $kw:literal, $sh:literal, $sw:literal)),*) => {
                match (d[0], d[1], d[2], d[3], d[4], sh, sw, pad) {
                    $(
                        ($h, $w, $c, $kh, $kw, $sh, $sw, Padding::Same) => pool_case::<$h, $w, $c, $kh, $kw,
                            { output_size(Padding::Same, $h, $kh, $sh) }, { output_size(Padding::Same, $w, $kw, $sw) }>(&mut r, &mut t, kind, pad, sh, sw, act),
                        ($h, $w, $c, $kh, $kw, $sh, $sw, Padding::Valid) => pool_case::<$h, $w, $c, $kh, $kw,
                            { output_size(Padding::Valid, $h, $kh, $sh) }, { output_size(Padding::Valid, $w, $kw, $sw) }>(&mut r, &mut t, kind, pad, sh, sw, act),
                    )*
                    _ => panic!("shape {d:?} not instantiated"),
                }
            };
        }
        shapes!(
            (4, 4, 1, 2, 2, 2, 2),
            (8, 8, 3, 2, 2, 2, 2),
            (7, 7, 2, 3, 3, 2, 2),
            (9, 6, 4, 3, 2, 1, 1),
            (5, 5, 2, 5, 5, 1, 1)
        );
    }
    assert!(r.done());
    let [avg, max, qavg, qmax] = t;
    let (na, nm) = (avg.cases, max.cases);
    avg.finish("average_pool", na);
    max.finish("max_pool", nm);
    qavg.finish("QAvgPool2d", na);
    qmax.finish("QMaxPool2d", nm);
}

// ------------------------------------------------------------------ add

fn add_case<const N: usize>(r: &mut Reader, [t, layer]: &mut [Tally; 2], act: Activation) {
    let (s1, z1, s2, z2, so, zo) = (r.f32(), r.i32(), r.f32(), r.i32(), r.f32(), r.i32());
    let x1 = r.i8s(N);
    let x2 = r.i8s(N);
    let want = r.i8s(N);
    let params = AddParams::new((s1, z1), (s2, z2), (so, zo), act).unwrap();
    let mut y = [0i8; N];
    add(&params, &from_fn(|i| x1[i]), &from_fn(|i| x2[i]), &mut y);
    t.record(&bytes_i8(&y), &bytes_i8(&want), || {
        format!("add {N} {act:?} {s1} {s2} {so}")
    });
    let p = |s, z| QuantParams::new(s, z).unwrap();
    let y = QAdd::<N>::new(p(s1, z1), p(s2, z2), p(so, zo), act)
        .unwrap()
        .forward(&(from_fn(|i| x1[i]), from_fn(|i| x2[i])));
    layer.record(&bytes_i8(&y), &bytes_i8(&want), || {
        format!("QAdd {N} {act:?} {s1} {s2} {so}")
    });
}

#[test]
fn add_matches_tflite() {
    let mut r = Reader::open("add");
    let mut t = [Tally::default(), Tally::default()];
    for _ in 0..r.cases {
        let act = activation(r.u8());
        match r.usize() {
            1 => add_case::<1>(&mut r, &mut t, act),
            7 => add_case::<7>(&mut r, &mut t, act),
            16 => add_case::<16>(&mut r, &mut t, act),
            64 => add_case::<64>(&mut r, &mut t, act),
            250 => add_case::<250>(&mut r, &mut t, act),
            n => panic!("size {n} not instantiated"),
        }
    }
    assert!(r.done());
    let [kernel, layer] = t;
    kernel.finish("add", r.cases);
    layer.finish("QAdd", r.cases);
}

// ------------------------------------------------------------------ softmax

fn softmax_case<const R: usize, const N: usize>(r: &mut Reader, [t, layer]: &mut [Tally; 2]) {
    let (beta, s_in, z_in) = (r.f32(), r.f32(), r.i32());
    let x = r.i8s(R * N);
    let want = r.i8s(R * N);
    let params = SoftmaxParams::new(s_in, beta).unwrap();
    let mut y = [[0i8; N]; R];
    softmax(&params, &from_fn(|i| from_fn(|j| x[i * N + j])), &mut y);
    let got: Vec<u8> = y.iter().flatten().map(|&v| v.cast_unsigned()).collect();
    t.record(&got, &bytes_i8(&want), || {
        format!("softmax {R}x{N} beta {beta} s {s_in}")
    });
    // Through the layer, one row at a time.
    let softmax = QSoftmax::<N>::new(QuantParams::new(s_in, z_in).unwrap(), beta).unwrap();
    let got: Vec<u8> = (0..R)
        .flat_map(|row| bytes_i8(&softmax.forward(&from_fn(|j| x[row * N + j]))))
        .collect();
    layer.record(&got, &bytes_i8(&want), || {
        format!("QSoftmax {R}x{N} beta {beta} s {s_in}")
    });
}

#[test]
fn softmax_matches_tflite() {
    let mut r = Reader::open("softmax");
    let mut t = [Tally::default(), Tally::default()];
    for _ in 0..r.cases {
        match (r.usize(), r.usize()) {
            (1, 2) => softmax_case::<1, 2>(&mut r, &mut t),
            (1, 10) => softmax_case::<1, 10>(&mut r, &mut t),
            (3, 5) => softmax_case::<3, 5>(&mut r, &mut t),
            (1, 64) => softmax_case::<1, 64>(&mut r, &mut t),
            (2, 33) => softmax_case::<2, 33>(&mut r, &mut t),
            (1, 500) => softmax_case::<1, 500>(&mut r, &mut t),
            d => panic!("shape {d:?} not instantiated"),
        }
    }
    assert!(r.done());
    let [kernel, layer] = t;
    kernel.finish("softmax", r.cases);
    layer.finish("QSoftmax", r.cases);
}

// ------------------------------------------------------------------ quantize / dequantize

fn quantize_case<const N: usize>(r: &mut Reader, [t, layer]: &mut [Tally; 2]) {
    let (scale, zp) = (r.f32(), r.i32());
    let x = r.f32s(N);
    let want = r.i8s(N);
    let mut y = [0i8; N];
    quantize(&from_fn(|i| x[i]), scale, zp, &mut y);
    t.record(&bytes_i8(&y), &bytes_i8(&want), || {
        format!("quantize {N} {scale} {zp}")
    });
    let y = Quantize::<N>::new(QuantParams::new(scale, zp).unwrap()).forward(&from_fn(|i| x[i]));
    layer.record(&bytes_i8(&y), &bytes_i8(&want), || {
        format!("Quantize {N} {scale} {zp}")
    });
}

fn dequantize_case<const N: usize>(r: &mut Reader, [t, layer]: &mut [Tally; 2]) {
    let (scale, zp) = (r.f32(), r.i32());
    let x = r.i8s(N);
    let want = r.f32s(N);
    let mut y = [0f32; N];
    dequantize(&from_fn(|i| x[i]), scale, zp, &mut y);
    let got: Vec<u8> = y.iter().flat_map(|v| v.to_le_bytes()).collect();
    let want: Vec<u8> = want.iter().flat_map(|v| v.to_le_bytes()).collect();
    t.record(&got, &want, || format!("dequantize {N} {scale} {zp}"));
    let y = Dequantize::<N>::new(QuantParams::new(scale, zp).unwrap()).forward(&from_fn(|i| x[i]));
    let got: Vec<u8> = y.iter().flat_map(|v| v.to_le_bytes()).collect();
    layer.record(&got, &want, || format!("Dequantize {N} {scale} {zp}"));
}

#[test]
fn quantize_matches_tflite() {
    let mut r = Reader::open("quantize");
    let mut t = [Tally::default(), Tally::default()];
    for _ in 0..r.cases {
        match r.usize() {
            1 => quantize_case::<1>(&mut r, &mut t),
            16 => quantize_case::<16>(&mut r, &mut t),
            100 => quantize_case::<100>(&mut r, &mut t),
            n => panic!("size {n} not instantiated"),
        }
    }
    assert!(r.done());
    let [kernel, layer] = t;
    kernel.finish("quantize", r.cases);
    layer.finish("Quantize", r.cases);
}

#[test]
fn dequantize_matches_tflite() {
    let mut r = Reader::open("dequantize");
    let mut t = [Tally::default(), Tally::default()];
    for _ in 0..r.cases {
        match r.usize() {
            1 => dequantize_case::<1>(&mut r, &mut t),
            16 => dequantize_case::<16>(&mut r, &mut t),
            100 => dequantize_case::<100>(&mut r, &mut t),
            n => panic!("size {n} not instantiated"),
        }
    }
    assert!(r.done());
    let [kernel, layer] = t;
    kernel.finish("dequantize", r.cases);
    layer.finish("Dequantize", r.cases);
}
