//! Fixed-size byte images of a network's parameters.

use super::count::ParamCount;
use super::error::WeightsError;
use crate::layer::Layer;
use crate::scalar::Scalar;
use core::ops::{Add, Mul};
use generic_array::{ArrayLength, GenericArray};
use num_traits::Float as _;
use typenum::{Prod, Sum, U4, U8, U16, Unsigned};

/// The first four bytes of every image.
pub const MAGIC: [u8; 4] = *b"TNET";
/// The layout version this library writes and reads.
pub const VERSION: u16 = 1;
/// The header's length in bytes: magic (4), version (2), scalar code (2), fingerprint (8).
pub const HEADER_LEN: usize = 16;
type HeaderLen = U16;

/// A scalar type that can be stored in a byte image: `f32` or `f64`, little-endian.
pub trait ImageScalar: Scalar {
    /// The stored width in bytes, as a type.
    type Width: Unsigned;
    /// The code stored in the header: the width in bytes (4 for `f32`, 8 for `f64`).
    const CODE: u16;
    /// Writes the little-endian bytes of `self` into `out` (exactly `Width` long).
    fn write_le(self, out: &mut [u8]);
    /// Reads a value from exactly `Width` little-endian bytes.
    fn read_le(bytes: &[u8]) -> Self;
}

impl ImageScalar for f32 {
    type Width = U4;
    const CODE: u16 = 4;
    #[inline]
    fn write_le(self, out: &mut [u8]) {
        out.copy_from_slice(&self.to_le_bytes());
    }
    #[inline]
    fn read_le(bytes: &[u8]) -> Self {
        let mut b = [0; 4];
        b.copy_from_slice(bytes);
        f32::from_le_bytes(b)
    }
}

impl ImageScalar for f64 {
    type Width = U8;
    const CODE: u16 = 8;
    #[inline]
    fn write_le(self, out: &mut [u8]) {
        out.copy_from_slice(&self.to_le_bytes());
    }
    #[inline]
    fn read_le(bytes: &[u8]) -> Self {
        let mut b = [0; 8];
        b.copy_from_slice(bytes);
        f64::from_le_bytes(b)
    }
}

/// The length of a network's byte image, as a type and as a `usize`.
///
/// Implemented for every [`ParamCount`] network whose scalar is `f32` or `f64`:
/// `HEADER_LEN + PARAM_COUNT · size_of::<Scalar>()`.
pub trait ImageSize: ParamCount<Scalar: ImageScalar> {
    /// The image length as a typenum number (the `N` of `GenericArray<u8, N>`).
    type Len: ArrayLength;
    /// The image length in bytes.
    const LEN: usize = <Self::Len as Unsigned>::USIZE;
}

impl<L> ImageSize for L
where
    L: ParamCount<Scalar: ImageScalar>,
    // Count · Width + HeaderLen, computed in typenum
    L::Count: Mul<<L::Scalar as ImageScalar>::Width>,
    Prod<L::Count, <L::Scalar as ImageScalar>::Width>: Add<HeaderLen>,
    Sum<Prod<L::Count, <L::Scalar as ImageScalar>::Width>, HeaderLen>: ArrayLength,
{
    type Len = Sum<Prod<L::Count, <L::Scalar as ImageScalar>::Width>, HeaderLen>;
}

/// A network's byte image, `GenericArray<u8, _>` of a length fixed by its type.
pub type Image<L> = GenericArray<u8, <L as ImageSize>::Len>;

/// Saving and loading a network as a fixed-size byte image.
///
/// Every [`Layer`] has these methods; they require [`ImageSize`], which holds for any
/// network made of layers whose sizes typenum knows (up to 1024). For a network with a
/// larger layer, calling them is a compile error naming that layer.
///
/// # Layout (version 1, all numbers little-endian)
///
/// | offset | length | content |
/// |-------:|-------:|---------|
/// | 0      | 4      | magic `b"TNET"` |
/// | 4      | 2      | format version, `u16` = 1 |
/// | 6      | 2      | scalar code, `u16`: its width in bytes, 4 (`f32`) or 8 (`f64`) |
/// | 8      | 8      | shape fingerprint, `u64` = [`Layer::FINGERPRINT`] |
/// | 16     | `P·w`  | the `P` = [`Layer::PARAM_COUNT`] parameters, `w` bytes each |
///
/// Parameters come in [`visit_params`](Layer::visit_params) order: layer by layer; within
/// a [`Dense`](crate::Dense), `weights[0][0], weights[0][1], …` (row by row, rows are
/// outputs), then `bias`. A `Dense<2, 4>` (`f32`) image is `16 + 12·4 = 64` bytes.
///
/// ```
/// use typenet::weights::ByteImage;
/// use typenet::{Dense, Sigmoid, WeightsError};
///
/// let net = (Dense::<2, 1>::new([[1.0, 1.0]], [-1.5]), Sigmoid::<1>::new());
/// let bytes = net.to_bytes();
/// assert_eq!(bytes.len(), 16 + 3 * 4); // known at compile time: a GenericArray
/// assert_eq!(<(Dense<2, 1>, Sigmoid<1>)>::from_bytes(&bytes), Ok(net));
///
/// // Another shape does not load: by its length, or, where the lengths agree
/// // (2·4 + 4 = 3·3 + 3 = 12 parameters), by its fingerprint.
/// let wide = Dense::<2, 4>::new([[0.5; 2]; 4], [0.0; 4]).to_bytes();
/// assert_eq!(Dense::<4, 2>::from_bytes(&wide), Err(WeightsError::Length { expected: 56, found: 64 }));
/// assert!(matches!(Dense::<3, 3>::from_bytes(&wide), Err(WeightsError::Fingerprint { .. })));
/// ```
///
/// A layer beyond typenum's range still trains, but has no image:
///
/// ```compile_fail
/// use typenet::weights::ByteImage;
/// use typenet::{Dense, Layer};
/// let big = Dense::<2000, 1>::zeroed();
/// big.to_bytes(); // error: `Dense<2000, 1>` has no byte image: its parameter count is not known as a type
/// ```
pub trait ByteImage: Layer {
    /// The byte image of `self`: header, then every parameter. The image is a value the
    /// size of the network; for one larger than the stack, write it into a buffer of
    /// your own with [`write_bytes`](ByteImage::write_bytes), or to a file with `save`
    /// (with `std`).
    fn to_bytes(&self) -> Image<Self>
    where
        Self: ImageSize,
    {
        let mut out = Image::<Self>::default();
        // `out` has exactly `LEN` bytes
        let _ = self.write_bytes(&mut out);
        out
    }

    /// Writes the byte image of `self` into `out`, which must hold exactly
    /// [`ImageSize::LEN`] bytes (a `Vec`, a static buffer): no copy of the network or
    /// of the image on the stack.
    ///
    /// # Errors
    /// [`WeightsError::Length`] if `out` has another length; nothing is written then.
    fn write_bytes(&self, out: &mut [u8]) -> Result<(), WeightsError>
    where
        Self: ImageSize,
    {
        const { assert_counts_agree::<Self>() };
        if out.len() != Self::LEN {
            return Err(WeightsError::Length {
                expected: Self::LEN,
                found: out.len(),
            });
        }
        write_header::<Self>(&mut out[..HEADER_LEN]);
        let width = <<Self::Scalar as ImageScalar>::Width as Unsigned>::USIZE;
        let mut chunks = out[HEADER_LEN..].chunks_exact_mut(width);
        self.visit_params(&mut |p| {
            for (&v, chunk) in p.iter().zip(chunks.by_ref()) {
                v.write_le(chunk);
            }
        });
        Ok(())
    }

    /// Parses a byte image into a new network. Checks, in order: the length, the magic
    /// number, the version, the scalar type, the fingerprint, and that every parameter is
    /// finite. Never panics. Settings that are not parameters take their
    /// [`zeroed`](Layer::zeroed) defaults; [`load_bytes`](ByteImage::load_bytes) into a
    /// configured network keeps them.
    ///
    /// # Errors
    /// The first check that fails, as a [`WeightsError`].
    fn from_bytes(bytes: &[u8]) -> Result<Self, WeightsError>
    where
        Self: ImageSize,
    {
        // The image is checked before the network is built, so a bad one costs no stack
        // for it; a good one is read straight into the new value.
        check_image::<Self>(bytes)?;
        let mut net = Self::zeroed();
        read_params(&mut net, bytes)?;
        Ok(net)
    }

    /// Sets the parameters of `self` from `bytes`, keeping its settings (such as a
    /// [`LeakyRelu`](crate::LeakyRelu)'s slope, which is not a parameter and not in the
    /// image; [`from_bytes`](ByteImage::from_bytes) gives such settings their defaults).
    /// On error `self` is left untouched: the image is checked in full before anything is
    /// written.
    ///
    /// The image is read straight into `self`, with a constant amount of stack whatever
    /// the network's size: this is how to load a network that lives on the heap
    /// (`boxed_zeroed`) or in a `static`.
    ///
    /// # Errors
    /// As [`from_bytes`](ByteImage::from_bytes).
    fn load_bytes(&mut self, bytes: &[u8]) -> Result<(), WeightsError>
    where
        Self: ImageSize,
    {
        check_image::<Self>(bytes)?;
        read_params(self, bytes)
    }

    /// Writes the byte image to a file.
    ///
    /// # Errors
    /// Any I/O error, of the same [`kind`](std::io::Error::kind), its message prefixed
    /// with the path.
    ///
    /// The image is written in pieces through a buffer of a few KB, never whole on the
    /// stack, so this works for networks of any size.
    #[cfg(feature = "std")]
    fn save(&self, path: impl AsRef<std::path::Path>) -> std::io::Result<()>
    where
        Self: ImageSize,
    {
        use std::io::Write as _;
        let path = path.as_ref();
        let fail = |e| super::at_path("write", path, e);
        const { assert_counts_agree::<Self>() };
        let mut file = std::io::BufWriter::new(std::fs::File::create(path).map_err(fail)?);
        let mut header = [0; HEADER_LEN];
        write_header::<Self>(&mut header);
        file.write_all(&header).map_err(fail)?;
        let width = <<Self::Scalar as ImageScalar>::Width as Unsigned>::USIZE;
        let mut result = Ok(());
        let mut buf = [0u8; 8];
        self.visit_params(&mut |p| {
            for &v in p {
                if result.is_ok() {
                    v.write_le(&mut buf[..width]);
                    result = file.write_all(&buf[..width]);
                }
            }
        });
        result.map_err(fail)?;
        file.flush().map_err(fail)
    }

    /// Reads a network from a file written by [`save`](ByteImage::save).
    ///
    /// ```
    /// use typenet::{ByteImage, Dense};
    /// let err = Dense::<2, 1>::load("no/such/weights.tnet").unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
    /// assert!(err.to_string().starts_with("cannot read `no/such/weights.tnet`: "));
    /// ```
    ///
    /// # Errors
    /// An I/O error, its message prefixed with the path; or a [`WeightsError`] wrapped as
    /// [`std::io::ErrorKind::InvalidData`] (`err.get_ref()` downcasts to it).
    #[cfg(feature = "std")]
    fn load(path: impl AsRef<std::path::Path>) -> std::io::Result<Self>
    where
        Self: ImageSize,
    {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|e| super::at_path("read", path, e))?;
        Self::from_bytes(&bytes).map_err(super::invalid_data)
    }

    /// [`load_bytes`](ByteImage::load_bytes) from a file written by
    /// [`save`](ByteImage::save): the file is read into a heap buffer, then into `self`,
    /// so a network of any size (boxed, or a `static`) loads with a constant amount of
    /// stack. On error `self` is left untouched.
    ///
    /// # Errors
    /// As [`load`](ByteImage::load).
    #[cfg(feature = "std")]
    fn load_into(&mut self, path: impl AsRef<std::path::Path>) -> std::io::Result<()>
    where
        Self: ImageSize,
    {
        let bytes = std::fs::read(path)?;
        self.load_bytes(&bytes).map_err(super::invalid_data)
    }
}

/// Checks a whole image against the network type `L`: its length, header, and that every
/// parameter is finite. Reads `bytes` only; never panics.
fn check_image<L: ImageSize>(bytes: &[u8]) -> Result<(), WeightsError> {
    const { assert_counts_agree::<L>() };
    if bytes.len() != L::LEN {
        return Err(WeightsError::Length {
            expected: L::LEN,
            found: bytes.len(),
        });
    }
    let (header, body) = bytes.split_at(HEADER_LEN);
    check_header::<L>(header)?;
    let width = <<L::Scalar as ImageScalar>::Width as Unsigned>::USIZE;
    match body
        .chunks_exact(width)
        .position(|c| !<L::Scalar as ImageScalar>::read_le(c).is_finite())
    {
        Some(index) => Err(WeightsError::NonFinite { index }),
        None => Ok(()),
    }
}

/// Writes the parameters of an image that [`check_image`] accepted into `net`, in
/// [`visit_params`](Layer::visit_params) order.
///
/// # Errors
/// [`WeightsError::Length`], before anything is written, if `net` visits another number of
/// parameters than its `PARAM_COUNT` says (a custom layer's bug): never a panic.
fn read_params<L: ImageSize>(net: &mut L, bytes: &[u8]) -> Result<(), WeightsError> {
    let width = <<L::Scalar as ImageScalar>::Width as Unsigned>::USIZE;
    let mut visited = 0;
    net.visit_params(&mut |p| visited += p.len());
    if visited != L::PARAM_COUNT {
        return Err(WeightsError::Length {
            expected: HEADER_LEN + visited * width,
            found: bytes.len(),
        });
    }
    let body = bytes.get(HEADER_LEN..).unwrap_or_default();
    let mut chunks = body.chunks_exact(width);
    net.visit_params_mut(&mut |p| {
        for (v, chunk) in p.iter_mut().zip(chunks.by_ref()) {
            *v = <L::Scalar as ImageScalar>::read_le(chunk);
        }
    });
    Ok(())
}

impl<L: Layer> ByteImage for L {}

/// Holds when the type-level count of a layer agrees with its `PARAM_COUNT`; evaluated at
/// compile time for every network whose image is used.
const fn assert_counts_agree<L: ImageSize>() {
    assert!(
        <L::Count as Unsigned>::USIZE == <L as Layer>::PARAM_COUNT,
        "ParamCount::Count differs from Layer::PARAM_COUNT"
    );
}

fn write_header<L: ImageSize>(out: &mut [u8]) {
    out[0..4].copy_from_slice(&MAGIC);
    out[4..6].copy_from_slice(&VERSION.to_le_bytes());
    out[6..8].copy_from_slice(&<L::Scalar as ImageScalar>::CODE.to_le_bytes());
    out[8..16].copy_from_slice(&<L as Layer>::FINGERPRINT.to_le_bytes());
}

/// Checks a header of exactly [`HEADER_LEN`] bytes.
fn check_header<L: ImageSize>(h: &[u8]) -> Result<(), WeightsError> {
    let magic = [h[0], h[1], h[2], h[3]];
    if magic != MAGIC {
        return Err(WeightsError::Magic { found: magic });
    }
    let version = u16::from_le_bytes([h[4], h[5]]);
    if version != VERSION {
        return Err(WeightsError::Version {
            expected: VERSION,
            found: version,
        });
    }
    let code = u16::from_le_bytes([h[6], h[7]]);
    let expected = <L::Scalar as ImageScalar>::CODE;
    if code != expected {
        return Err(WeightsError::Scalar {
            expected: <L::Scalar as Scalar>::NAME,
            found: code,
        });
    }
    let mut fp = [0; 8];
    fp.copy_from_slice(&h[8..16]);
    let found = u64::from_le_bytes(fp);
    if found != L::FINGERPRINT {
        return Err(WeightsError::Fingerprint {
            expected: L::FINGERPRINT,
            found,
            network: core::any::type_name::<L>(),
        });
    }
    Ok(())
}
