//! Reading NumPy `.npy` arrays into `Dense` weights and biases.
//!
//! Supported: format versions 1.0, 2.0 and 3.0; dtypes `'<f4'` (`float32`) and `'<f8'`
//! (`float64`), converted to the layer's scalar (`f64` → `f32` rounds to nearest); C
//! (row-major) order. Anything else is a [`WeightsError`], never a panic.
//!
//! # Which way round
//!
//! typenet's `Dense<I, O>` stores `weights` as `O` rows of `I` (output-major), the layout
//! of PyTorch's `nn.Linear.weight`, so a weight file must have shape `(O, I)`:
//! `np.save("w.npy", linear.weight.detach().numpy())`. The bias has shape `(O,)`.
//!
//! Keras' `Dense` kernel is `(I, O)` instead. Since a square kernel could be read either
//! way without any error, there is no guessing: the `_transposed` loaders
//! ([`read_matrix_transposed`], [`Dense::from_npy_transposed`](crate::Dense::from_npy_transposed),
//! `include_weights!("k.npy", transposed)`) read an `(I, O)` file and transpose it.
//!
//! ```
//! use typenet::{Dense, Layer};
//! // (built by `examples/npy/make_weights.py`: a (3, 2) weight and a (3,) bias)
//! let w = include_bytes!("../../examples/npy/hidden_weight.npy");
//! let b = include_bytes!("../../examples/npy/hidden_bias.npy");
//! let layer = Dense::<2, 3>::from_npy(w, b).unwrap();
//!
//! // The wrong shape is an error that names both shapes.
//! let err = Dense::<3, 2>::from_npy(w, b).unwrap_err();
//! assert!(err.to_string().starts_with(".npy array has shape (3, 2), but the layer needs (2, 3)"));
//! # let _ = layer;
//! ```

use super::error::{Shape, WeightsError};
use crate::layers::Dense;
use crate::scalar::Scalar;

const MAGIC: &[u8; 6] = b"\x93NUMPY";

/// The element type of a `.npy` array.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dtype {
    /// `'<f4'`: little-endian `float32`.
    F32,
    /// `'<f8'`: little-endian `float64`.
    F64,
}

impl Dtype {
    /// Bytes per element.
    pub const fn width(self) -> usize {
        match self {
            Dtype::F32 => 4,
            Dtype::F64 => 8,
        }
    }
}

/// A parsed `.npy` file: its header, and its data still as bytes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Npy<'a> {
    /// The element type.
    pub dtype: Dtype,
    /// The array's shape.
    pub shape: Shape,
    data: &'a [u8],
}

impl<'a> Npy<'a> {
    /// Parses the header of a `.npy` file and checks that the data length matches it.
    ///
    /// # Errors
    /// A bad magic, version, header dictionary, dtype, order or data length.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, WeightsError> {
        if bytes.len() < 8 || &bytes[..6] != MAGIC {
            return Err(WeightsError::NpyMagic);
        }
        let (major, minor) = (bytes[6], bytes[7]);
        let (header_len, start): (usize, usize) = match (major, minor) {
            (1, 0) if bytes.len() >= 10 => {
                (usize::from(u16::from_le_bytes([bytes[8], bytes[9]])), 10)
            }
            (2 | 3, 0) if bytes.len() >= 12 => {
                let n = u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]);
                (usize::try_from(n).unwrap_or(usize::MAX), 12)
            }
            (1..=3, 0) => {
                return Err(WeightsError::NpyHeader {
                    reason: "file ends inside the preamble",
                });
            }
            _ => return Err(WeightsError::NpyVersion { major, minor }),
        };
        let end = start
            .checked_add(header_len)
            .filter(|&e| e <= bytes.len())
            .ok_or(WeightsError::NpyHeader {
                reason: "file ends inside the header",
            })?;
        let header = parse_header(&bytes[start..end])?;
        let data = &bytes[end..];
        let expected = header
            .shape
            .dims()
            .iter()
            .try_fold(header.dtype.width(), |acc, &d| acc.checked_mul(d))
            .ok_or(WeightsError::NpyHeader {
                reason: "shape too large",
            })?;
        if data.len() != expected {
            return Err(WeightsError::NpyDataLength {
                expected,
                found: data.len(),
            });
        }
        Ok(Self {
            dtype: header.dtype,
            shape: header.shape,
            data,
        })
    }

    /// The number of elements.
    pub fn len(&self) -> usize {
        self.data.len() / self.dtype.width()
    }

    /// Whether the array has no elements.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// Element `index` in C order, converted to `T`; `None` past the end.
    pub fn get<T: Scalar>(&self, index: usize) -> Option<T> {
        let w = self.dtype.width();
        let bytes = self
            .data
            .get(index.checked_mul(w)?..index.checked_mul(w)?.checked_add(w)?)?;
        Some(match self.dtype {
            Dtype::F32 => {
                let mut b = [0; 4];
                b.copy_from_slice(bytes);
                T::from_f64(f64::from(f32::from_le_bytes(b)))
            }
            Dtype::F64 => {
                let mut b = [0; 8];
                b.copy_from_slice(bytes);
                T::from_f64(f64::from_le_bytes(b))
            }
        })
    }

    /// Checks the shape is `expected`.
    fn expect_shape(&self, expected: &[usize]) -> Result<(), WeightsError> {
        if self.shape.dims() == expected {
            Ok(())
        } else {
            Err(WeightsError::NpyShape {
                // `expected` has rank 1 or 2 here
                expected: Shape::new(expected).unwrap_or(self.shape),
                found: self.shape,
            })
        }
    }

    /// Element `index` as `T`, which must be finite (after conversion).
    fn finite<T: Scalar>(&self, index: usize) -> Result<T, WeightsError> {
        match self.get::<T>(index) {
            Some(v) if v.is_finite() => Ok(v),
            _ => Err(WeightsError::NonFinite { index }),
        }
    }
}

/// Reads a 1-D array of shape `(N,)`.
///
/// # Errors
/// Any [`Npy::parse`] error, a shape other than `(N,)`, or a non-finite element.
pub fn read_vector<T: Scalar, const N: usize>(bytes: &[u8]) -> Result<[T; N], WeightsError> {
    let npy = Npy::parse(bytes)?;
    npy.expect_shape(&[N])?;
    let mut out = [T::zero(); N];
    for (i, v) in out.iter_mut().enumerate() {
        *v = npy.finite(i)?;
    }
    Ok(out)
}

/// Reads a 2-D array of shape `(R, C)` into `R` rows of `C`. The matrix is returned by
/// value: for a layer larger than the stack, use
/// [`Dense::set_from_npy`](crate::Dense::set_from_npy), which writes in place.
///
/// # Errors
/// Any [`Npy::parse`] error, a shape other than `(R, C)`, or a non-finite element.
pub fn read_matrix<T: Scalar, const R: usize, const C: usize>(
    bytes: &[u8],
) -> Result<[[T; C]; R], WeightsError> {
    let npy = Npy::parse(bytes)?;
    npy.expect_shape(&[R, C])?;
    let mut out = [[T::zero(); C]; R];
    for (i, v) in out.as_flattened_mut().iter_mut().enumerate() {
        *v = npy.finite(i)?;
    }
    Ok(out)
}

/// Reads a 2-D array of shape `(C, R)` and transposes it into `R` rows of `C`: for a Keras
/// kernel `(I, O)` going into typenet's `(O, I)` weights.
///
/// # Errors
/// Any [`Npy::parse`] error, a shape other than `(C, R)`, or a non-finite element.
pub fn read_matrix_transposed<T: Scalar, const R: usize, const C: usize>(
    bytes: &[u8],
) -> Result<[[T; C]; R], WeightsError> {
    let npy = Npy::parse(bytes)?;
    npy.expect_shape(&[C, R])?;
    let mut out = [[T::zero(); C]; R];
    for (c, file_row) in (0..C).map(|c| (c, c * R)) {
        for (r, row) in out.iter_mut().enumerate() {
            row[c] = npy.finite(file_row + r)?;
        }
    }
    Ok(out)
}

impl<const I: usize, const O: usize, T: Scalar> Dense<I, O, T> {
    /// A layer from a `.npy` weight array of shape `(O, I)` (PyTorch's `nn.Linear.weight`)
    /// and a bias array of shape `(O,)`.
    ///
    /// # Errors
    /// See [`read_matrix`] and [`read_vector`]; nothing is built unless both parse.
    pub fn from_npy(weights: &[u8], bias: &[u8]) -> Result<Self, WeightsError> {
        Ok(Self::new(read_matrix(weights)?, read_vector(bias)?))
    }

    /// A layer from a `.npy` kernel of shape `(I, O)` (Keras' `Dense` kernel), transposed,
    /// and a bias array of shape `(O,)`.
    ///
    /// # Errors
    /// See [`read_matrix_transposed`] and [`read_vector`].
    pub fn from_npy_transposed(kernel: &[u8], bias: &[u8]) -> Result<Self, WeightsError> {
        Ok(Self::new(
            read_matrix_transposed(kernel)?,
            read_vector(bias)?,
        ))
    }

    /// Sets `self`'s weights from a `.npy` array of shape `(O, I)` and its bias from one
    /// of shape `(O,)`, in place: both files are checked in full (shapes, every element
    /// finite) before anything is written, and no matrix is built on the stack, so this
    /// loads a layer of any size (boxed, or in a `static`). On error `self` is untouched.
    ///
    /// ```
    /// use typenet::{Dense, Layer};
    /// let (w, b) = (
    ///     std::fs::read("examples/npy/hidden_weight.npy")?,
    ///     std::fs::read("examples/npy/hidden_bias.npy")?,
    /// );
    /// let mut layer = Box::new(Dense::<2, 3>::zeroed());
    /// layer.set_from_npy(&w, &b)?;
    /// assert_eq!(*layer, Dense::<2, 3>::from_npy(&w, &b)?);
    /// assert!(layer.set_from_npy(&b, &w).is_err()); // swapped: wrong shapes
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// As [`from_npy`](Dense::from_npy), in the same order.
    pub fn set_from_npy(&mut self, weights: &[u8], bias: &[u8]) -> Result<(), WeightsError> {
        let w = Npy::parse(weights)?;
        w.expect_shape(&[O, I])?;
        for i in 0..O * I {
            w.finite::<T>(i)?;
        }
        let b = Npy::parse(bias)?;
        b.expect_shape(&[O])?;
        for i in 0..O {
            b.finite::<T>(i)?;
        }
        for (i, v) in self.weights.as_flattened_mut().iter_mut().enumerate() {
            *v = w.finite(i)?;
        }
        for (i, v) in self.bias.iter_mut().enumerate() {
            *v = b.finite(i)?;
        }
        Ok(())
    }

    /// [`from_npy`](Dense::from_npy) from two files.
    ///
    /// # Errors
    /// An I/O error, its message prefixed with the path; or a [`WeightsError`] wrapped as
    /// [`std::io::ErrorKind::InvalidData`].
    #[cfg(feature = "std")]
    pub fn load_npy(
        weights: impl AsRef<std::path::Path>,
        bias: impl AsRef<std::path::Path>,
    ) -> std::io::Result<Self> {
        let read = |path: &std::path::Path| {
            std::fs::read(path).map_err(|e| super::at_path("read", path, e))
        };
        let (w, b) = (read(weights.as_ref())?, read(bias.as_ref())?);
        Self::from_npy(&w, &b).map_err(super::invalid_data)
    }
}

// ---- compile-time embedding: the support `include_weights!` expands to ----
//
// The macro defines a local type holding the file's values (`MatrixData` / `VectorData`,
// once as f32 and once as f64) and calls `embed::<_, Array2<R, C>, Data>()`. The result
// type `Out` is left for the surrounding code to decide (a static's type, a function
// argument); only then is `Out: Embed<Array2<R, C>, Data>` checked. Were the expected
// shape a const parameter instead, the compiler would infer it from the file through the
// single impl and report a bare "mismatched types"; this way a wrong shape reads as
// `Embed`'s message, naming both shapes.

/// A `.npy` array of shape `(N,)`, as a type, in `include_weights!` errors.
pub struct Array1<const N: usize>;

/// A `.npy` array of shape `(R, C)`, as a type, in `include_weights!` errors.
pub struct Array2<const R: usize, const C: usize>;

/// The values of a 2-D `.npy` file of shape `(R, C)` as `T`; implemented by
/// [`include_weights!`](crate::include_weights) for a type of its own.
#[diagnostic::on_unimplemented(
    message = "a .npy file's values convert to `f32` or `f64` arrays, not to rows of `{T}`",
    label = "the .npy data cannot go here"
)]
pub trait MatrixData<T, const R: usize, const C: usize> {
    /// The values, row by row.
    const DATA: [[T; C]; R];
}

/// The values of a 1-D `.npy` file of shape `(N,)` as `T`; see [`MatrixData`].
#[diagnostic::on_unimplemented(
    message = "a .npy file's values convert to `f32` or `f64` arrays, not to arrays of `{T}`",
    label = "the .npy data cannot go here"
)]
pub trait VectorData<T, const N: usize> {
    /// The values.
    const DATA: [T; N];
}

/// Holds when a value of type `Self` is expected and the `.npy` file, of shape `File`,
/// provides it from `Data`: when the shapes agree.
#[diagnostic::on_unimplemented(
    message = "the .npy file holds an `{File}`, but this place needs `{Self}`",
    label = "a .npy array of the wrong shape for this place",
    note = "`Dense<I, O>` takes weights of shape (O, I), i.e. `Array2<O, I>` (PyTorch's `nn.Linear.weight`), and a bias of shape (O,), i.e. `Array1<O>`",
    note = "an (I, O) kernel (Keras' layout) reads with `include_weights!(\"...\", transposed)`"
)]
pub trait Embed<File, Data>: Sized {
    /// The file's values as `Self`.
    const VALUE: Self;
}

// One impl per scalar type (written out: impls made by a macro clutter the compiler's
// help), not one generic over `T`: a generic `[T; N]` impl would also
// match `[[f32; 2]; 3]` (with `T = [f32; 2]`), and rustc would then report the failed
// `VectorData<[f32; 2], 3>` bound instead of this trait's message naming both shapes.
impl<const R: usize, const C: usize, D: MatrixData<f32, R, C>> Embed<Array2<R, C>, D>
    for [[f32; C]; R]
{
    const VALUE: Self = D::DATA;
}

impl<const R: usize, const C: usize, D: MatrixData<f64, R, C>> Embed<Array2<R, C>, D>
    for [[f64; C]; R]
{
    const VALUE: Self = D::DATA;
}

impl<const N: usize, D: VectorData<f32, N>> Embed<Array1<N>, D> for [f32; N] {
    const VALUE: Self = D::DATA;
}

impl<const N: usize, D: VectorData<f64, N>> Embed<Array1<N>, D> for [f64; N] {
    const VALUE: Self = D::DATA;
}

/// The embedded `.npy` values as whatever array the surrounding code expects, checked
/// against the file's shape; written by [`include_weights!`](crate::include_weights).
#[doc(hidden)]
pub const fn embed<Out: Embed<File, Data>, File, Data>() -> Out {
    Out::VALUE
}

struct Header {
    dtype: Dtype,
    shape: Shape,
}

/// A cursor over the header dictionary, e.g.
/// `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }` padded with spaces.
struct Cursor<'a> {
    s: &'a [u8],
    pos: usize,
}

const fn bad(reason: &'static str) -> WeightsError {
    WeightsError::NpyHeader { reason }
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn eat(&mut self, c: u8) -> bool {
        self.skip_ws();
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, c: u8, reason: &'static str) -> Result<(), WeightsError> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(bad(reason))
        }
    }

    fn string(&mut self) -> Result<&'a [u8], WeightsError> {
        self.skip_ws();
        let Some(quote @ (b'\'' | b'"')) = self.peek() else {
            return Err(bad("expected a quoted string"));
        };
        let start = self.pos + 1;
        let len = self.s[start..]
            .iter()
            .position(|&c| c == quote)
            .ok_or(bad("unterminated string"))?;
        self.pos = start + len + 1;
        Ok(&self.s[start..start + len])
    }

    fn word(&mut self) -> &'a [u8] {
        self.skip_ws();
        let start = self.pos;
        while matches!(self.peek(), Some(c) if c.is_ascii_alphanumeric()) {
            self.pos += 1;
        }
        &self.s[start..self.pos]
    }

    fn shape(&mut self) -> Result<Shape, WeightsError> {
        self.expect(b'(', "shape is not a tuple")?;
        let mut dims = [0usize; Shape::MAX_RANK];
        let mut rank = 0;
        loop {
            if self.eat(b')') {
                break;
            }
            let digits = self.word();
            if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
                return Err(bad("shape holds something other than integers"));
            }
            let n = digits.iter().try_fold(0usize, |acc, &d| {
                acc.checked_mul(10)?.checked_add(usize::from(d - b'0'))
            });
            let slot = dims.get_mut(rank).ok_or(bad("more than 4 dimensions"))?;
            *slot = n.ok_or(bad("dimension too large"))?;
            rank += 1;
            if !self.eat(b',') {
                self.expect(b')', "shape tuple not closed")?;
                break;
            }
        }
        Shape::new(&dims[..rank]).ok_or(bad("more than 4 dimensions"))
    }
}

fn parse_header(s: &[u8]) -> Result<Header, WeightsError> {
    let mut c = Cursor { s, pos: 0 };
    let (mut dtype, mut fortran, mut shape) = (None, None, None);
    c.expect(b'{', "header is not a dictionary")?;
    loop {
        if c.eat(b'}') {
            break;
        }
        let key = c.string()?;
        c.expect(b':', "expected ':' after a key")?;
        match key {
            b"descr" => {
                if dtype.is_some() {
                    return Err(bad("duplicate 'descr'"));
                }
                dtype = Some(match c.string()? {
                    b"<f4" => Ok(Dtype::F32),
                    b"<f8" => Ok(Dtype::F64),
                    _ => Err(WeightsError::NpyDtype),
                });
            }
            b"fortran_order" => {
                if fortran.is_some() {
                    return Err(bad("duplicate 'fortran_order'"));
                }
                fortran = Some(match c.word() {
                    b"False" => false,
                    b"True" => true,
                    _ => return Err(bad("'fortran_order' is not True or False")),
                });
            }
            b"shape" => {
                if shape.is_some() {
                    return Err(bad("duplicate 'shape'"));
                }
                shape = Some(c.shape()?);
            }
            _ => return Err(bad("unknown key")),
        }
        if !c.eat(b',') {
            c.expect(b'}', "dictionary not closed")?;
            break;
        }
    }
    c.skip_ws();
    if c.pos != s.len() {
        return Err(bad("text after the dictionary"));
    }
    let dtype = dtype.ok_or(bad("no 'descr'"))??;
    if fortran.ok_or(bad("no 'fortran_order'"))? {
        return Err(WeightsError::NpyFortranOrder);
    }
    let shape = shape.ok_or(bad("no 'shape'"))?;
    Ok(Header { dtype, shape })
}

#[cfg(test)]
mod tests {
    use super::*;
    extern crate std;
    use std::string::ToString;
    use std::vec::Vec;

    /// A `.npy` v1 file as NumPy writes it (header padded to a multiple of 64).
    pub(crate) fn npy_v1(descr: &str, shape: &str, data: &[u8]) -> Vec<u8> {
        let dict =
            std::format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}");
        let mut header = dict.into_bytes();
        while (10 + header.len() + 1) % 64 != 0 {
            header.push(b' ');
        }
        header.push(b'\n');
        let mut out = Vec::from(&MAGIC[..]);
        out.extend_from_slice(&[1, 0]);
        out.extend_from_slice(&(header.len() as u16).to_le_bytes());
        out.extend_from_slice(&header);
        out.extend_from_slice(data);
        out
    }

    fn f32s(v: &[f32]) -> Vec<u8> {
        v.iter().flat_map(|x| x.to_le_bytes()).collect()
    }

    #[test]
    fn reads_matrices_vectors_and_transposes() {
        let w = npy_v1("<f4", "(3, 2)", &f32s(&[1., 2., 3., 4., 5., 6.]));
        let m: [[f32; 2]; 3] = read_matrix(&w).unwrap();
        assert_eq!(m, [[1., 2.], [3., 4.], [5., 6.]]);
        let t: [[f64; 3]; 2] = read_matrix_transposed(&w).unwrap();
        assert_eq!(t, [[1., 3., 5.], [2., 4., 6.]]);
        let b = npy_v1(
            "<f8",
            "(2,)",
            &[0.5f64.to_le_bytes(), (-2f64).to_le_bytes()].concat(),
        );
        assert_eq!(read_vector::<f32, 2>(&b), Ok([0.5, -2.0]));
        let d = Dense::<3, 2, f64>::from_npy_transposed(&w, &b).unwrap();
        assert_eq!(d.weights, [[1., 3., 5.], [2., 4., 6.]]);
    }

    #[test]
    fn rejects_bad_files_with_specific_errors() {
        let data = f32s(&[1., 2., 3., 4., 5., 6.]);
        let w = npy_v1("<f4", "(3, 2)", &data);
        assert!(matches!(
            read_matrix::<f32, 2, 3>(&w),
            Err(WeightsError::NpyShape { .. })
        ));
        assert_eq!(
            read_vector::<f32, 6>(&w).unwrap_err().to_string(),
            ".npy array has shape (3, 2), but the layer needs (6,)"
        );
        assert_eq!(
            read_matrix::<f32, 3, 2>(&npy_v1(">f4", "(3, 2)", &data)),
            Err(WeightsError::NpyDtype)
        );
        assert_eq!(
            read_matrix::<f32, 3, 2>(&w[..w.len() - 1]),
            Err(WeightsError::NpyDataLength {
                expected: 24,
                found: 23
            })
        );
        let nan = npy_v1("<f4", "(3, 2)", &f32s(&[1., 2., f32::NAN, 4., 5., 6.]));
        assert_eq!(
            read_matrix::<f32, 3, 2>(&nan),
            Err(WeightsError::NonFinite { index: 2 })
        );
        // an f64 too large for f32 is not finite once converted
        let big = npy_v1("<f8", "(1,)", &1e300f64.to_le_bytes());
        assert_eq!(
            read_vector::<f32, 1>(&big),
            Err(WeightsError::NonFinite { index: 0 })
        );
        assert_eq!(read_vector::<f64, 1>(&big), Ok([1e300]));
        let mut fortran = w.clone();
        let at = fortran.windows(5).position(|x| x == b"False").unwrap();
        fortran[at..at + 5].copy_from_slice(b"True ");
        assert_eq!(
            read_matrix::<f32, 3, 2>(&fortran),
            Err(WeightsError::NpyFortranOrder)
        );
        assert_eq!(
            read_matrix::<f32, 3, 2>(b"\x93NUMPZ\x01\x00"),
            Err(WeightsError::NpyMagic)
        );
        let mut v9 = w.clone();
        v9[6] = 9;
        assert_eq!(
            read_matrix::<f32, 3, 2>(&v9),
            Err(WeightsError::NpyVersion { major: 9, minor: 0 })
        );
        assert!(matches!(
            read_matrix::<f32, 3, 2>(&npy_v1("<f4", "(3, 2, 1, 1, 1)", &data)),
            Err(WeightsError::NpyHeader {
                reason: "more than 4 dimensions"
            })
        ));
    }

    #[test]
    fn version_2_headers_parse() {
        let v1 = npy_v1("<f4", "(2,)", &f32s(&[7., 8.]));
        let header = &v1[10..];
        let mut v2 = Vec::from(&MAGIC[..]);
        v2.extend_from_slice(&[2, 0]);
        v2.extend_from_slice(&((header.len() - 8) as u32).to_le_bytes());
        v2.extend_from_slice(header);
        assert_eq!(read_vector::<f32, 2>(&v2), Ok([7., 8.]));
    }
}
