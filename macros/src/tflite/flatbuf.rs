//! A minimal, bounds-checked FlatBuffer reader: tables, scalars, vectors, strings.
//!
//! Only what reading a `.tflite` file needs. Every access checks its offsets against the
//! buffer and returns an error in words; nothing here can panic or read out of bounds
//! (the crate forbids `unsafe`, and all arithmetic on offsets is checked). Offsets to
//! tables, vectors and strings are unsigned and point forward, so the structure is a
//! DAG and reading it terminates.
//!
//! The layout, as the FlatBuffers documentation ("FlatBuffers internals") describes it:
//! a table starts with an `i32` distance back to its vtable (`vtable = table − soffset`);
//! a vtable is `u16` byte size, `u16` table size, then one `u16` offset per field from
//! the table's start (0: the field is absent and takes its default). Reference fields
//! hold a `u32` offset relative to the field's own position; a vector is a `u32` length
//! followed by its elements, a string a vector of bytes.

/// A reading error, in words.
pub type Error = String;
/// A result with a reading error.
pub type Result<T> = std::result::Result<T, Error>;

/// `N` bytes at `pos`, or an error naming `what` was being read.
fn bytes<const N: usize>(buf: &[u8], pos: usize, what: &str) -> Result<[u8; N]> {
    pos.checked_add(N)
        .and_then(|end| buf.get(pos..end))
        .and_then(|s| s.try_into().ok())
        .ok_or_else(|| {
            format!(
                "{what} at byte {pos} lies outside the file ({} bytes)",
                buf.len()
            )
        })
}

fn u16_at(buf: &[u8], pos: usize, what: &str) -> Result<u16> {
    bytes(buf, pos, what).map(u16::from_le_bytes)
}

fn u32_at(buf: &[u8], pos: usize, what: &str) -> Result<u32> {
    bytes(buf, pos, what).map(u32::from_le_bytes)
}

fn i32_at(buf: &[u8], pos: usize, what: &str) -> Result<i32> {
    bytes(buf, pos, what).map(i32::from_le_bytes)
}

/// Follows the `u32` offset stored at `pos` (relative to `pos` itself).
fn follow(buf: &[u8], pos: usize, what: &str) -> Result<usize> {
    let off = u32_at(buf, pos, what)?;
    usize::try_from(off)
        .ok()
        .and_then(|off| pos.checked_add(off))
        .filter(|&target| target < buf.len())
        .ok_or_else(|| {
            format!(
                "{what}: the offset at byte {pos} points outside the file ({} bytes)",
                buf.len()
            )
        })
}

/// Checks the file identifier (bytes 4..8) of a FlatBuffer.
pub fn check_identifier(buf: &[u8], ident: [u8; 4]) -> Result<()> {
    if buf.len() < 8 {
        return Err(format!(
            "the file is {} bytes long, too short for a FlatBuffer",
            buf.len()
        ));
    }
    let found = &buf[4..8];
    if found != ident.as_slice() {
        return Err(format!(
            "its file identifier is {}, not `{}`: it is not a TFLite model",
            show_ident(found),
            String::from_utf8_lossy(&ident)
        ));
    }
    Ok(())
}

/// The root table of a buffer.
pub fn root<'a>(buf: &'a [u8], what: &'static str) -> Result<Table<'a>> {
    let pos = follow(buf, 0, "the root table")?;
    Table::at(buf, pos, what)
}

/// Four bytes as text if they are printable, else as hexadecimal.
fn show_ident(b: &[u8]) -> String {
    if b.iter().all(u8::is_ascii_graphic) {
        format!("`{}`", String::from_utf8_lossy(b))
    } else {
        let hex: Vec<String> = b.iter().map(|c| format!("{c:02x}")).collect();
        format!("the bytes {}", hex.join(" "))
    }
}

/// A table: its position, its vtable, and a name for error messages.
#[derive(Clone, Copy)]
pub struct Table<'a> {
    buf: &'a [u8],
    pos: usize,
    vtable: usize,
    vinline_len: usize,
    inline_len: usize,
    what: &'static str,
}

impl<'a> Table<'a> {
    /// The table starting at `pos`, its vtable checked.
    pub fn at(buf: &'a [u8], pos: usize, what: &'static str) -> Result<Self> {
        let soffset = i32_at(buf, pos, what)?;
        let vtable = i64::try_from(pos)
            .ok()
            .and_then(|p| p.checked_sub(i64::from(soffset)))
            .and_then(|v| usize::try_from(v).ok())
            .ok_or_else(|| format!("{what} at byte {pos}: its vtable lies outside the file"))?;
        let vinline_len = usize::from(u16_at(buf, vtable, what)?);
        let inline_len = usize::from(u16_at(buf, vtable + 2, what)?);
        if vinline_len < 4 || vinline_len % 2 != 0 || vtable + vinline_len > buf.len() {
            return Err(format!(
                "{what} at byte {pos}: its vtable (byte {vtable}, {vinline_len} bytes) is malformed"
            ));
        }
        if inline_len < 4 || pos + inline_len > buf.len() {
            return Err(format!(
                "{what} at byte {pos}: its size ({inline_len} bytes) runs past the end of the file"
            ));
        }
        Ok(Self {
            buf,
            pos,
            vtable,
            vinline_len,
            inline_len,
            what,
        })
    }

    /// The position of field `id` holding `size` bytes, or `None` when absent.
    fn field(&self, id: usize, size: usize, name: &str) -> Result<Option<usize>> {
        let entry = 4 + 2 * id;
        if entry + 2 > self.vinline_len {
            return Ok(None);
        }
        let off = usize::from(u16_at(self.buf, self.vtable + entry, self.what)?);
        if off == 0 {
            return Ok(None);
        }
        if off < 4 || off + size > self.inline_len {
            return Err(format!(
                "{} at byte {}: field `{name}` lies outside the table",
                self.what, self.pos
            ));
        }
        Ok(Some(self.pos + off))
    }

    fn scalar<const N: usize>(&self, id: usize, name: &str) -> Result<Option<[u8; N]>> {
        match self.field(id, N, name)? {
            Some(p) => bytes(self.buf, p, self.what).map(Some),
            None => Ok(None),
        }
    }

    /// A `u8`/`ubyte` field (`default` when absent).
    pub fn u8(&self, id: usize, name: &str, default: u8) -> Result<u8> {
        Ok(self.scalar::<1>(id, name)?.map_or(default, |b| b[0]))
    }

    /// An `i8`/`byte` field.
    pub fn i8(&self, id: usize, name: &str, default: i8) -> Result<i8> {
        Ok(self
            .scalar::<1>(id, name)?
            .map_or(default, i8::from_le_bytes))
    }

    /// An `i32`/`int` field.
    pub fn i32(&self, id: usize, name: &str, default: i32) -> Result<i32> {
        Ok(self
            .scalar::<4>(id, name)?
            .map_or(default, i32::from_le_bytes))
    }

    /// A `u32`/`uint` field.
    pub fn u32(&self, id: usize, name: &str, default: u32) -> Result<u32> {
        Ok(self
            .scalar::<4>(id, name)?
            .map_or(default, u32::from_le_bytes))
    }

    /// A `u64`/`ulong` field.
    pub fn u64(&self, id: usize, name: &str, default: u64) -> Result<u64> {
        Ok(self
            .scalar::<8>(id, name)?
            .map_or(default, u64::from_le_bytes))
    }

    /// An `f32`/`float` field.
    pub fn f32(&self, id: usize, name: &str, default: f32) -> Result<f32> {
        Ok(self
            .scalar::<4>(id, name)?
            .map_or(default, f32::from_le_bytes))
    }

    /// The target of reference field `id`, or `None` when absent.
    fn reference(&self, id: usize, name: &str) -> Result<Option<usize>> {
        match self.field(id, 4, name)? {
            Some(p) => follow(self.buf, p, self.what).map(Some),
            None => Ok(None),
        }
    }

    /// A sub-table field.
    pub fn table(&self, id: usize, name: &str, what: &'static str) -> Result<Option<Table<'a>>> {
        match self.reference(id, name)? {
            Some(p) => Table::at(self.buf, p, what).map(Some),
            None => Ok(None),
        }
    }

    /// A vector field whose elements are `elem` bytes each.
    pub fn vector(&self, id: usize, name: &str, elem: usize) -> Result<Option<Vector<'a>>> {
        let Some(p) = self.reference(id, name)? else {
            return Ok(None);
        };
        let what = || format!("{}'s `{name}`", self.what);
        let len = u32_at(self.buf, p, &what())?;
        let len = usize::try_from(len).map_err(|_| format!("{} is too long", what()))?;
        let start = p + 4;
        let end = len
            .checked_mul(elem)
            .and_then(|n| start.checked_add(n))
            .filter(|&end| end <= self.buf.len())
            .ok_or_else(|| {
                format!(
                    "{} (at byte {p}, {len} elements) runs past the end of the file",
                    what()
                )
            })?;
        Ok(Some(Vector {
            buf: self.buf,
            start,
            len,
            data: &self.buf[start..end],
        }))
    }

    /// A string field, as text (`None` when absent).
    pub fn string(&self, id: usize, name: &str) -> Result<Option<String>> {
        Ok(self
            .vector(id, name, 1)?
            .map(|v| String::from_utf8_lossy(v.data).into_owned()))
    }

    /// A vector of `i32`s (empty when absent).
    pub fn i32s(&self, id: usize, name: &str) -> Result<Vec<i32>> {
        Ok(self.vector(id, name, 4)?.map_or_else(Vec::new, |v| {
            v.data
                .chunks_exact(4)
                .map(|c| i32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect()
        }))
    }

    /// A vector of `f32`s (empty when absent).
    pub fn f32s(&self, id: usize, name: &str) -> Result<Vec<f32>> {
        Ok(self.vector(id, name, 4)?.map_or_else(Vec::new, |v| {
            v.data
                .chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect()
        }))
    }

    /// A vector of `i64`s (empty when absent).
    pub fn i64s(&self, id: usize, name: &str) -> Result<Vec<i64>> {
        Ok(self.vector(id, name, 8)?.map_or_else(Vec::new, |v| {
            v.data
                .chunks_exact(8)
                .map(|c| {
                    let mut b = [0; 8];
                    b.copy_from_slice(c);
                    i64::from_le_bytes(b)
                })
                .collect()
        }))
    }

    /// A vector of tables (empty when absent).
    pub fn tables(&self, id: usize, name: &str, what: &'static str) -> Result<Vec<Table<'a>>> {
        let Some(v) = self.vector(id, name, 4)? else {
            return Ok(Vec::new());
        };
        (0..v.len)
            .map(|k| {
                let p = follow(v.buf, v.start + 4 * k, what)?;
                Table::at(v.buf, p, what)
            })
            .collect()
    }
}

/// A vector's elements as bytes.
pub struct Vector<'a> {
    buf: &'a [u8],
    start: usize,
    len: usize,
    /// The elements' bytes.
    pub data: &'a [u8],
}
