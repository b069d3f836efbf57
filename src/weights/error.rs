//! What can go wrong when loading weights.

use core::fmt;

/// An array shape as NumPy writes it: up to four dimensions, shown as `(3, 2)` or `(3,)`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Shape {
    dims: [usize; Shape::MAX_RANK],
    rank: u8,
}

impl Shape {
    /// The most dimensions a shape (and so a parsed `.npy` header) may have.
    pub const MAX_RANK: usize = 4;

    /// A shape of at most [`MAX_RANK`](Shape::MAX_RANK) dimensions; `None` if there are more.
    pub const fn new(dims: &[usize]) -> Option<Self> {
        if dims.len() > Self::MAX_RANK {
            return None;
        }
        let mut out = [0; Self::MAX_RANK];
        let mut i = 0;
        while i < dims.len() {
            out[i] = dims[i];
            i += 1;
        }
        Some(Self {
            dims: out,
            rank: dims.len() as u8,
        })
    }

    /// The dimensions.
    pub fn dims(&self) -> &[usize] {
        &self.dims[..usize::from(self.rank)]
    }

    /// Whether both are matrices and one is the other with its axes swapped (and not
    /// square, where swapping changes nothing).
    fn is_transpose_of(&self, other: &Shape) -> bool {
        matches!((self.dims(), other.dims()), ([a, b], [c, d]) if a == d && b == c && a != b)
    }
}

impl fmt::Debug for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for Shape {
    /// Python's tuple notation, as `np.load(...).shape` prints it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(")?;
        for (i, d) in self.dims().iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{d}")?;
        }
        if self.rank == 1 {
            f.write_str(",")?;
        }
        f.write_str(")")
    }
}

/// Appended to a shape error whose two shapes are each other's transpose: the usual cause
/// is a file in the other framework's layout, not a wrong layer.
const TRANSPOSE_HINT: &str = " (its transpose: PyTorch saves (outputs, inputs), Keras (inputs, outputs); the `transposed` loaders read the latter)";

/// Why a byte image or a `.npy` array could not be loaded.
///
/// Loading never panics on bad input and never half-writes its target: it returns one of
/// these instead. (Named `Error` before 0.2; the old name remains as a deprecated alias,
/// [`weights::Error`](crate::weights::Error).)
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum WeightsError {
    /// The byte image has the wrong length for this network type.
    Length {
        /// The length this network's image has.
        expected: usize,
        /// The length given.
        found: usize,
    },
    /// The image does not start with the magic `b"TNET"`.
    Magic {
        /// The first four bytes given.
        found: [u8; 4],
    },
    /// The image has a format version this library does not read.
    Version {
        /// The version this library reads.
        expected: u16,
        /// The version in the image.
        found: u16,
    },
    /// The image holds another scalar type than the network computes in.
    Scalar {
        /// The network's scalar type.
        expected: &'static str,
        /// The scalar code in the image (its width in bytes: 4 for `f32`, 8 for `f64`).
        found: u16,
    },
    /// The image was saved for a network of another shape.
    ///
    /// The image holds only a hash of its network's shape, so this names the shape of the
    /// network being loaded and says that the image's differs.
    #[non_exhaustive]
    Fingerprint {
        /// The fingerprint of the network being loaded.
        expected: u64,
        /// The fingerprint in the image.
        found: u64,
        /// The type of the network being loaded, as [`core::any::type_name`] spells it
        /// (`Display` drops the module paths).
        network: &'static str,
    },
    /// A parameter is NaN or infinite.
    NonFinite {
        /// Its position in the image (or, for `.npy`, in the array, in C order).
        index: usize,
    },
    /// The data does not start with the `.npy` magic `\x93NUMPY`.
    NpyMagic,
    /// A `.npy` format version other than 1.0, 2.0 or 3.0.
    NpyVersion {
        /// The major version in the file.
        major: u8,
        /// The minor version in the file.
        minor: u8,
    },
    /// The `.npy` header dictionary is malformed.
    NpyHeader {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The `.npy` dtype is not `'<f4'` or `'<f8'` (little-endian `float32`/`float64`).
    NpyDtype,
    /// The `.npy` array is in Fortran (column-major) order.
    NpyFortranOrder,
    /// The `.npy` array's shape is not the one the layer needs.
    NpyShape {
        /// The shape the layer needs.
        expected: Shape,
        /// The shape in the file.
        found: Shape,
    },
    /// The `.npy` data is shorter or longer than its header's shape and dtype say.
    NpyDataLength {
        /// The data length the header implies.
        expected: usize,
        /// The data length present.
        found: usize,
    },
}

impl fmt::Display for WeightsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            WeightsError::Length { expected, found } => write!(
                f,
                "byte image has {found} bytes, but this network's image has {expected}"
            ),
            WeightsError::Magic { found } => write!(
                f,
                "not a typenet byte image: it starts with {found:02x?}, not b\"TNET\""
            ),
            WeightsError::Version { expected, found } => write!(
                f,
                "byte image format version {found} is not supported (this library reads version {expected})"
            ),
            WeightsError::Scalar { expected, found } => {
                let name = match found {
                    4 => "f32",
                    8 => "f64",
                    _ => "an unknown type",
                };
                write!(
                    f,
                    "byte image holds {name} (code {found}), but this network computes in {expected}"
                )
            }
            WeightsError::Fingerprint {
                expected,
                found,
                network,
            } => {
                f.write_str("byte image was saved for a network of another shape than `")?;
                write_short_type_name(f, network)?;
                write!(
                    f,
                    "` (the image's shape fingerprint is {found:#018x}, this network's {expected:#018x})"
                )
            }
            WeightsError::NonFinite { index } => {
                write!(f, "parameter {index} is not finite (NaN or infinite)")
            }
            WeightsError::NpyMagic => f.write_str("not a .npy file: missing the \\x93NUMPY magic"),
            WeightsError::NpyVersion { major, minor } => {
                write!(f, ".npy format version {major}.{minor} is not supported")
            }
            WeightsError::NpyHeader { reason } => write!(f, "malformed .npy header: {reason}"),
            WeightsError::NpyDtype => f.write_str(
                ".npy dtype is not supported: save as little-endian float32 ('<f4') or float64 ('<f8')",
            ),
            WeightsError::NpyFortranOrder => f.write_str(
                ".npy array is in Fortran order: save it with np.ascontiguousarray first",
            ),
            WeightsError::NpyShape { expected, found } => {
                write!(
                    f,
                    ".npy array has shape {found}, but the layer needs {expected}"
                )?;
                if found.is_transpose_of(&expected) {
                    f.write_str(TRANSPOSE_HINT)?;
                }
                Ok(())
            }
            WeightsError::NpyDataLength { expected, found } => write!(
                f,
                ".npy data has {found} bytes, but its header's shape and dtype need {expected}"
            ),
        }
    }
}

impl core::error::Error for WeightsError {}

/// Writes a type name as [`core::any::type_name`] gives it, without module paths:
/// `(typenet::layers::dense::Dense<2, 4>, typenet::layers::sigmoid::Sigmoid<4>)` becomes
/// `(Dense<2, 4>, Sigmoid<4>)`.
fn write_short_type_name(f: &mut fmt::Formatter<'_>, name: &str) -> fmt::Result {
    let mut rest = name;
    while !rest.is_empty() {
        // a path runs up to the next delimiter; keep its last segment
        let end = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
            .unwrap_or(rest.len());
        let (path, tail) = rest.split_at(end);
        f.write_str(path.rsplit("::").next().unwrap_or(path))?;
        let delimiter = tail.chars().next().map_or(0, char::len_utf8);
        f.write_str(&tail[..delimiter])?;
        rest = &tail[delimiter..];
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    extern crate std;
    use std::format;

    #[test]
    fn shapes_print_like_python() {
        assert_eq!(format!("{}", Shape::new(&[3, 2]).unwrap()), "(3, 2)");
        assert_eq!(format!("{}", Shape::new(&[3]).unwrap()), "(3,)");
        assert_eq!(format!("{}", Shape::new(&[]).unwrap()), "()");
        assert!(Shape::new(&[1, 2, 3, 4, 5]).is_none());
    }

    #[test]
    fn messages_name_both_sides() {
        let e = WeightsError::NpyShape {
            expected: Shape::new(&[4, 2]).unwrap(),
            found: Shape::new(&[2, 4]).unwrap(),
        };
        assert_eq!(
            format!("{e}"),
            ".npy array has shape (2, 4), but the layer needs (4, 2) (its transpose: PyTorch saves (outputs, inputs), Keras (inputs, outputs); the `transposed` loaders read the latter)"
        );
        // Other shapes get no hint, and neither does a square matrix.
        let e = WeightsError::NpyShape {
            expected: Shape::new(&[3, 2]).unwrap(),
            found: Shape::new(&[2, 2]).unwrap(),
        };
        assert_eq!(
            format!("{e}"),
            ".npy array has shape (2, 2), but the layer needs (3, 2)"
        );
        let e = WeightsError::Scalar {
            expected: "f32",
            found: 8,
        };
        assert_eq!(
            format!("{e}"),
            "byte image holds f64 (code 8), but this network computes in f32"
        );
    }

    #[test]
    fn type_names_lose_their_module_paths() {
        let e = WeightsError::Fingerprint {
            expected: 1,
            found: 2,
            network: "(typenet::layers::dense::Dense<2, 4>, typenet::layers::sigmoid::Sigmoid<4, f64>, [my::Thing<'a>; 3])",
        };
        assert_eq!(
            format!("{e}"),
            "byte image was saved for a network of another shape than `(Dense<2, 4>, Sigmoid<4, f64>, [Thing<'a>; 3])` (the image's shape fingerprint is 0x0000000000000002, this network's 0x0000000000000001)"
        );
    }
}
