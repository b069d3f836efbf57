//! A model summary: each layer, its output size, parameters and bytes, and the totals
//! (like Keras' `summary()`), for any network: tuples, nested tuples, derived structs.
//!
//! It needs no allocation: [`Summary`] is a [`Display`] (print it
//! with `println!`, or write it to a UART with `core::fmt::Write`), and
//! [`Summary::visit`] hands each [`Row`] to a callback.
//!
//! Everything comes from the type: [`Layer::describe`] reports a layer as one row (a
//! leaf) by default, and networks (tuples, `#[derive(Network)]`) override it to report
//! themselves and then their layers, one level deeper.
//!
//! ```
//! use typenet::{Dense, Network, Relu, Sigmoid, summary::Summary};
//!
//! #[derive(Network)]
//! struct Net {
//!     hidden: Dense<64, 32>,
//!     squash: Sigmoid<32>,
//!     head: (Dense<32, 16>, Relu<16>, Dense<16, 10>),
//! }
//!
//! let table = Summary::<Net>::new().to_string();
//! assert_eq!(table, "\
//! Net: [f32; 64] → [f32; 10]
//! layer                  output  parameters  bytes
//! hidden: Dense<64, 32>      32        2080   8320
//! squash: Sigmoid<32>        32           0      0
//! head: (3 layers)           10         698   2792
//!   0: Dense<32, 16>         16         528   2112
//!   1: Relu<16>              16           0      0
//!   2: Dense<16, 10>         10         170    680
//! total                                2778  11112
//! gradients: 11112 bytes; training cache: 640 bytes per sample
//! ");
//! ```
//!
//! (`Dense<64, 32>` holds `64·32 + 32 = 2080` parameters of 4 bytes. The cache keeps each
//! `Dense`'s input and each activation's output: `64 + 32 + 32 + 16 + 16 = 160`
//! scalars.)

use crate::layer::Layer;
use crate::scalar::Vector;
use core::fmt::{self, Display, Write};
use core::marker::PhantomData;

/// One line of a summary: a layer, or a network of layers (whose own layers follow,
/// one level deeper).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Row {
    /// How deeply nested: 0 for the network summarised, 1 for its layers, and so on.
    pub depth: usize,
    /// The field's name in a derived network, the index in a tuple; empty at depth 0.
    pub name: &'static str,
    /// The type's name, as [`core::any::type_name`] gives it (with module paths; see
    /// [`type_name`](Row::type_name) for the short form). Empty for a tuple, which
    /// is shown by its number of layers.
    pub kind: &'static str,
    /// How many layers it holds directly (0 for a single layer).
    pub layers: usize,
    /// The length of its output vector.
    pub output: usize,
    /// The sizes of its output, outermost first (`[10]`, or `[8, 8, 4]` for an image).
    pub shape: &'static [usize],
    /// Its parameter count ([`Layer::PARAM_COUNT`]).
    pub params: usize,
    /// The bytes it occupies ([`Layer::BYTES`]).
    pub bytes: usize,
}

impl Row {
    /// The row of a single layer `L` (what [`Layer::describe`] reports by default).
    pub fn leaf<L: Layer>(depth: usize, name: &'static str) -> Self {
        Self::network::<L>(depth, name, core::any::type_name::<L>(), 0)
    }

    /// The row of a network `L` of `layers` layers, shown as `kind` (a type name, or
    /// empty for "(n layers)").
    pub fn network<L: Layer>(
        depth: usize,
        name: &'static str,
        kind: &'static str,
        layers: usize,
    ) -> Self {
        Self {
            depth,
            name,
            kind,
            layers,
            output: <L::Output as Vector<L::Scalar>>::LEN,
            shape: <L::Output as Vector<L::Scalar>>::SHAPE,
            params: L::PARAM_COUNT,
            bytes: L::BYTES,
        }
    }

    /// The type's name without module paths (`Dense<64, 32>` for
    /// `typenet::layers::dense::Dense<64, 32, f32>`; a last generic argument `f32`, the
    /// default scalar, is left out), or `(n layers)` for a tuple.
    pub fn type_name(&self) -> impl Display + '_ {
        Label {
            kind: self.kind,
            layers: self.layers,
        }
    }
}

/// A row's type, shortened (see [`Row::type_name`]).
struct Label<'a> {
    kind: &'a str,
    layers: usize,
}

impl Display for Label<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.kind.is_empty() {
            return write!(f, "({} layers)", self.layers);
        }
        ShortType(self.kind).fmt(f)
    }
}

/// A type name with every path cut to its last segment and a final `, f32` argument
/// left out.
struct ShortType<'a>(&'a str);

impl Display for ShortType<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let delimiter = |c: char| "<>()[],;& ".contains(c);
        let mut rest = self.0;
        while !rest.is_empty() {
            if rest.starts_with(", f32>") {
                rest = &rest[", f32".len()..];
                continue;
            }
            let end = rest.find(delimiter).unwrap_or(rest.len());
            if end == 0 {
                let c = rest.chars().next().unwrap_or(' ');
                f.write_char(c)?;
                rest = &rest[c.len_utf8()..];
            } else {
                let path = &rest[..end];
                f.write_str(path.rsplit("::").next().unwrap_or(path))?;
                rest = &rest[end..];
            }
        }
        Ok(())
    }
}

/// A summary of the network `N`: [`Display`] prints it as a table, [`visit`](Self::visit)
/// hands over its rows. See the [module docs](self).
pub struct Summary<N>(PhantomData<fn() -> N>);

impl<N: Layer> Summary<N> {
    /// The summary of the network type `N`.
    pub const fn new() -> Self {
        Self(PhantomData)
    }

    /// The summary of `net`'s type (the values are not read: everything a summary says
    /// follows from the type).
    pub const fn of(_net: &N) -> Self {
        Self::new()
    }

    /// Calls `f` with each row, the network itself first (depth 0), then each of its
    /// layers in order, each network's layers right after it.
    pub fn visit(&self, f: &mut dyn FnMut(&Row)) {
        N::describe(f, 0, "");
    }
}

impl<N: Layer> Default for Summary<N> {
    fn default() -> Self {
        Self::new()
    }
}

/// Counts the characters written, to size the first column without allocating.
struct Width(usize);

impl Write for Width {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0 += s.chars().count();
        Ok(())
    }
}

/// The first column of a row: indentation, name, type.
struct FirstColumn<'a>(&'a Row);

impl Display for FirstColumn<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = self.0;
        for _ in 1..r.depth {
            f.write_str("  ")?;
        }
        write!(f, "{}: {}", r.name, r.type_name())
    }
}

/// Sizes as `8×8×4` (one size: the number alone). Pads like a number when given a width.
struct Shape(&'static [usize]);

impl Display for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = ShapeText {
            buf: [0; 64],
            len: 0,
        };
        for (i, d) in self.0.iter().enumerate() {
            let _ = write!(s, "{}{d}", if i > 0 { "×" } else { "" });
        }
        f.pad(s.as_str())
    }
}

/// A small buffer for [`Shape`]'s text (no allocation: sizes are a few digits each).
struct ShapeText {
    buf: [u8; 64],
    len: usize,
}

impl ShapeText {
    fn as_str(&self) -> &str {
        core::str::from_utf8(&self.buf[..self.len]).unwrap_or("")
    }
}

impl Write for ShapeText {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let b = s.as_bytes();
        let end = self.len + b.len();
        if end > self.buf.len() {
            return Err(fmt::Error);
        }
        self.buf[self.len..end].copy_from_slice(b);
        self.len = end;
        Ok(())
    }
}

fn width(d: impl Display) -> usize {
    let mut w = Width(0);
    // `Width` never fails
    let _ = write!(w, "{d}");
    w.0
}

impl<N: crate::layer::Train> Display for Summary<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (mut first, mut out, mut params, mut bytes) = (5, 6, 10, 5);
        let total = Row::leaf::<N>(0, "");
        self.visit(&mut |r| {
            if r.depth > 0 {
                first = first.max(width(FirstColumn(r)));
            }
            out = out.max(width(Shape(r.shape)));
            params = params.max(width(r.params));
            bytes = bytes.max(width(r.bytes));
        });
        let scalar = core::any::type_name::<N::Scalar>();
        writeln!(
            f,
            "{}: [{scalar}; {}] → [{scalar}; {}]",
            ShortType(core::any::type_name::<N>()),
            Shape(<N::Input as Vector<N::Scalar>>::SHAPE),
            Shape(total.shape),
        )?;
        writeln!(
            f,
            "{:<first$}  {:>out$}  {:>params$}  {:>bytes$}",
            "layer", "output", "parameters", "bytes"
        )?;
        let mut result = Ok(());
        self.visit(&mut |r| {
            if r.depth == 0 || result.is_err() {
                return;
            }
            let pad = first - width(FirstColumn(r));
            result = writeln!(
                f,
                "{}{:pad$}  {:>out$}  {:>params$}  {:>bytes$}",
                FirstColumn(r),
                "",
                Shape(r.shape),
                r.params,
                r.bytes
            );
        });
        result?;
        writeln!(
            f,
            "{:<first$}  {:>out$}  {:>params$}  {:>bytes$}",
            "total", "", total.params, total.bytes
        )?;
        writeln!(
            f,
            "gradients: {} bytes; training cache: {} bytes per sample",
            N::GRADIENT_BYTES,
            N::CACHE_BYTES
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Dense, LeakyRelu, Sigmoid};
    use std::string::ToString;
    use std::vec::Vec;

    #[test]
    fn short_names() {
        let s = |t: &str| ShortType(t).to_string();
        assert_eq!(s("typenet::layers::dense::Dense<2, 4, f32>"), "Dense<2, 4>");
        assert_eq!(
            s("typenet::layers::dense::Dense<2, 4, f64>"),
            "Dense<2, 4, f64>"
        );
        assert_eq!(
            s("(a::B<1, f32>, (c::D<f32>, e::F<[f32; 3]>))"),
            "(B<1>, (D<f32>, F<[f32; 3]>))"
        );
    }

    /// Nested tuples: every layer once, at its depth, and the rows' parameters add up.
    #[test]
    fn nested_tuples_list_every_layer() {
        type Inner = (Dense<4, 3, f64>, LeakyRelu<3, f64>);
        type Net = (Dense<2, 4, f64>, Inner, Sigmoid<3, f64>);
        let mut rows = Vec::new();
        Summary::<Net>::new().visit(&mut |r| rows.push(*r));
        let depths: Vec<_> = rows.iter().map(|r| (r.depth, r.name, r.layers)).collect();
        assert_eq!(
            depths,
            [
                (0, "", 3),
                (1, "0", 0),
                (1, "1", 2),
                (2, "0", 0),
                (2, "1", 0),
                (1, "2", 0)
            ]
        );
        let leaves: usize = rows
            .iter()
            .filter(|r| r.layers == 0)
            .map(|r| r.params)
            .sum();
        assert_eq!(leaves, Net::PARAM_COUNT);
        assert_eq!(leaves, (2 * 4 + 4) + (4 * 3 + 3));
        assert_eq!(rows[2].params, 15);
        assert_eq!(
            rows[2].bytes,
            15 * 8 + core::mem::size_of::<LeakyRelu<3, f64>>()
        );
        assert_eq!(rows[3].type_name().to_string(), "Dense<4, 3, f64>");
        assert_eq!(rows[0].output, 3);
    }
}
