//! The hardened decoder: bytes from anywhere (a node, a PHP string) into a
//! [`Term`].
//!
//! Nothing here trusts a length or a count: every count is checked against
//! the bytes left before anything is allocated for it, nesting is bounded,
//! and compressed terms are inflated only up to a fixed limit. The stock
//! eetf decoder aborts on a 7-byte input with a huge list count and
//! overflows the stack on deep nesting, which is why this exists.

use std::borrow::Cow;
use std::fmt;
use std::io::Read;

use super::decoded::{Build, OpaqueKind, Term, Tree};
use super::tag;

/// Deepest nesting of tuples, lists and maps accepted.
pub const MAX_DEPTH: usize = 512;
/// Largest size a compressed term may inflate to (64 MiB).
pub const MAX_INFLATED: usize = 64 << 20;
/// Largest integer accepted, in bytes of magnitude (65,536 bits).
pub const MAX_BIG_BYTES: usize = 8192;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    pub offset: usize,
    pub reason: String,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid term at byte {}: {}", self.offset, self.reason)
    }
}

impl std::error::Error for DecodeError {}

impl DecodeError {
    /// The same error, its offset counted from `n` bytes earlier (a version
    /// byte the caller stripped).
    pub fn shifted(self, n: usize) -> Self {
        DecodeError { offset: self.offset + n, ..self }
    }
}

type Result<T> = std::result::Result<T, DecodeError>;

fn fail<T>(offset: usize, reason: impl Into<String>) -> Result<T> {
    Err(DecodeError { offset, reason: reason.into() })
}

/// Decodes exactly one term without version byte; trailing bytes are an error.
pub fn decode(bytes: &[u8]) -> Result<Term<'_>> {
    decode_into(bytes, &mut Tree)
}

/// [`decode`] with the values made by `b`.
pub fn decode_into<'a, B: Build<'a>>(bytes: &'a [u8], b: &mut B) -> Result<B::Out> {
    let mut r = Reader::new(bytes);
    let out = r.build(b)?;
    if r.remaining() != 0 {
        return fail(r.pos, format!("{} bytes after the end of the term", r.remaining()));
    }
    Ok(out)
}

/// Decodes the term at the start of `bytes`; returns it and how many bytes it took.
pub fn decode_prefix(bytes: &[u8]) -> Result<(Term<'_>, usize)> {
    let mut r = Reader::new(bytes);
    let term = r.term()?;
    Ok((term, r.pos))
}

/// Node, id and serial of a pid term (`raw` from a [`Term::Opaque`] pid).
pub fn pid_parts(raw: &[u8]) -> Option<(Cow<'_, str>, u32, u32)> {
    let mut r = Reader::new(raw);
    match r.u8().ok()? {
        tag::PID | tag::NEW_PID => Some((r.atom().ok()?, r.u32().ok()?, r.u32().ok()?)),
        _ => None,
    }
}

/// Checks for the version byte and returns what follows it.
pub fn strip_version(bytes: &[u8]) -> Result<&[u8]> {
    match bytes.first() {
        Some(&tag::VERSION) => Ok(&bytes[1..]),
        Some(b) => fail(0, format!("expected the version byte 131, found {b}")),
        None => fail(0, "empty input"),
    }
}

/// Inflates a compressed term (tag 80); anything else is returned as is.
pub fn uncompress(body: &[u8]) -> Result<Cow<'_, [u8]>> {
    if body.first() != Some(&tag::COMPRESSED) {
        return Ok(Cow::Borrowed(body));
    }
    let mut r = Reader::new(body);
    r.pos = 1;
    let size = r.u32()? as usize;
    if size > MAX_INFLATED {
        return fail(1, format!("compressed term claims {size} bytes, over the limit of {MAX_INFLATED}"));
    }
    let zlib = &body[5..];
    let decoder = libflate::zlib::Decoder::new(zlib).or_else(|e| fail(5, format!("bad zlib header: {e}")))?;
    let mut out = Vec::with_capacity(size.min(zlib.len().saturating_mul(8)));
    decoder.take(size as u64 + 1).read_to_end(&mut out).or_else(|e| fail(5, format!("bad zlib data: {e}")))?;
    if out.len() != size {
        return fail(5, format!("compressed term inflated to {} bytes, header said {size}", out.len()));
    }
    Ok(Cow::Owned(out))
}

/// A cursor over untrusted bytes; every read is bounds-checked.
pub(super) struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    depth: usize,
}

impl<'a> Reader<'a> {
    pub(super) fn new(buf: &'a [u8]) -> Self {
        Reader { buf, pos: 0, depth: 0 }
    }

    fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    fn fail<T>(&self, reason: impl Into<String>) -> Result<T> {
        fail(self.pos, reason)
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if n > self.remaining() {
            return self.fail(format!("truncated: {n} bytes needed, {} left", self.remaining()));
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    #[inline]
    fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        match self.buf.get(self.pos..self.pos + N) {
            Some(s) => {
                self.pos += N;
                Ok(s.try_into().expect("slice of N bytes"))
            }
            None => self.take(N).map(|_| [0; N]),
        }
    }

    #[inline]
    pub(super) fn u8(&mut self) -> Result<u8> {
        Ok(self.array::<1>()?[0])
    }

    pub(super) fn u16(&mut self) -> Result<u16> {
        Ok(u16::from_be_bytes(self.array()?))
    }

    pub(super) fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_be_bytes(self.array()?))
    }

    pub(super) fn u64(&mut self) -> Result<u64> {
        Ok(u64::from_be_bytes(self.array()?))
    }

    /// A count of items that each take at least `min_bytes`: refused when the
    /// input cannot possibly hold them, before anything is allocated.
    fn count(&mut self, n: usize, min_bytes: usize, what: &str) -> Result<usize> {
        match n.checked_mul(min_bytes) {
            Some(need) if need <= self.remaining() => Ok(n),
            _ => self.fail(format!("{what} of {n} elements exceeds the {} bytes left", self.remaining())),
        }
    }

    fn nested<T>(&mut self, f: impl FnOnce(&mut Self) -> Result<T>) -> Result<T> {
        if self.depth >= MAX_DEPTH {
            return self.fail(format!("nesting deeper than {MAX_DEPTH} levels"));
        }
        self.depth += 1;
        let out = f(self);
        self.depth -= 1;
        out
    }

    /// A term as a [`Term`] tree.
    pub(super) fn term(&mut self) -> Result<Term<'a>> {
        self.build(&mut Tree)
    }

    /// A term, built by `b` as it is read.
    pub(super) fn build<B: Build<'a>>(&mut self, b: &mut B) -> Result<B::Out> {
        let start = self.pos;
        let t = self.u8()?;
        Ok(match t {
            tag::SMALL_INTEGER => b.int(self.u8()?.into()),
            tag::INTEGER => b.int((self.u32()? as i32).into()),
            tag::NEW_FLOAT => b.float(f64::from_bits(self.u64()?)),
            tag::FLOAT => b.float(self.old_float()?),
            tag::ATOM | tag::SMALL_ATOM | tag::ATOM_UTF8 | tag::SMALL_ATOM_UTF8 => b.atom(self.atom_body(t)?),
            tag::SMALL_TUPLE => {
                let n = self.u8()?.into();
                self.tuple(n, b)?
            }
            tag::LARGE_TUPLE => {
                let n = self.u32()? as usize;
                self.tuple(n, b)?
            }
            tag::NIL => b.nil(),
            tag::STRING => {
                let n = self.u16()?.into();
                b.string(self.take(n)?)
            }
            tag::LIST => self.list(start, b)?,
            tag::BINARY => {
                let n = self.u32()? as usize;
                b.binary(self.take(n)?)
            }
            tag::BIT_BINARY => self.bit_binary(start, b)?,
            tag::SMALL_BIG => {
                let n = self.u8()?.into();
                self.big(n, b)?
            }
            tag::LARGE_BIG => {
                let n = self.u32()? as usize;
                self.big(n, b)?
            }
            tag::MAP => self.map(b)?,
            tag::PID | tag::NEW_PID => self.opaque(start, OpaqueKind::Pid, b, |r| r.pid_body(t))?,
            tag::PORT | tag::NEW_PORT | tag::V4_PORT => self.opaque(start, OpaqueKind::Port, b, |r| r.port_body(t))?,
            tag::REFERENCE | tag::NEW_REFERENCE | tag::NEWER_REFERENCE => {
                self.opaque(start, OpaqueKind::Reference, b, |r| r.ref_body(t))?
            }
            tag::NEW_FUN => self.opaque(start, OpaqueKind::Fun, b, Self::fun_body)?,
            tag::EXPORT => self.opaque(start, OpaqueKind::Fun, b, Self::export_body)?,
            tag::ATOM_CACHE_REF => return fail(start, "atom cache reference outside a distribution header"),
            tag::COMPRESSED => return fail(start, "compressed term inside a term"),
            tag::VERSION => return fail(start, "version byte 131 inside a term"),
            tag::FUN => return fail(start, "old FUN_EXT (tag 117) is not supported"),
            other => return fail(start, format!("unknown tag {other}")),
        })
    }

    fn old_float(&mut self) -> Result<f64> {
        let at = self.pos;
        let raw = self.take(31)?;
        let text = raw.split(|&b| b == 0).next().unwrap_or_default();
        std::str::from_utf8(text)
            .ok()
            .and_then(|s| s.trim().parse::<f64>().ok())
            .map_or_else(|| fail(at, "unreadable FLOAT_EXT text"), Ok)
    }

    fn atom_body(&mut self, t: u8) -> Result<Cow<'a, str>> {
        let at = self.pos;
        let len = match t {
            tag::ATOM | tag::ATOM_UTF8 => self.u16()?.into(),
            _ => self.u8()?.into(),
        };
        let bytes = self.take(len)?;
        let utf8 = matches!(t, tag::ATOM_UTF8 | tag::SMALL_ATOM_UTF8);
        match std::str::from_utf8(bytes) {
            Ok(s) if utf8 || s.is_ascii() => Ok(Cow::Borrowed(s)),
            Err(_) if utf8 => fail(at, "atom is not valid UTF-8"),
            _ => Ok(Cow::Owned(bytes.iter().map(|&b| char::from(b)).collect())),
        }
    }

    /// An atom where the format requires one (node names, module names).
    pub(super) fn atom(&mut self) -> Result<Cow<'a, str>> {
        let at = self.pos;
        match self.u8()? {
            t @ (tag::ATOM | tag::SMALL_ATOM | tag::ATOM_UTF8 | tag::SMALL_ATOM_UTF8) => self.atom_body(t),
            other => fail(at, format!("expected an atom, found tag {other}")),
        }
    }

    /// `n` elements of a tuple or list.
    fn elements<B: Build<'a>>(&mut self, n: usize, b: &mut B) -> Result<B::Seq> {
        let mut seq = b.seq(n);
        for _ in 0..n {
            let v = self.build(b)?;
            b.push(&mut seq, v);
        }
        Ok(seq)
    }

    fn tuple<B: Build<'a>>(&mut self, n: usize, b: &mut B) -> Result<B::Out> {
        let n = self.count(n, 1, "tuple")?;
        self.nested(|r| r.elements(n, b).map(|seq| b.tuple(seq)))
    }

    fn list<B: Build<'a>>(&mut self, start: usize, b: &mut B) -> Result<B::Out> {
        let n = self.u32()? as usize;
        let n = self.count(n, 1, "list")?;
        self.nested(|r| {
            let seq = r.elements(n, b)?;
            if r.buf.get(r.pos) == Some(&tag::NIL) {
                r.pos += 1;
                return Ok(if n == 0 { b.nil() } else { b.list(seq) });
            }
            // `[ | T]` is T; anything else is an improper list.
            let tail = r.build(b)?;
            Ok(if n == 0 { tail } else { b.improper(seq, tail, &r.buf[start..r.pos]) })
        })
    }

    /// Keys are read as [`Term`]s whatever the builder: PHP needs them as
    /// array keys, and some (tuples, floats) only have a text form there.
    fn map<B: Build<'a>>(&mut self, b: &mut B) -> Result<B::Out> {
        let n = self.u32()? as usize;
        let n = self.count(n, 2, "map")?;
        self.nested(|r| {
            let mut map = b.map(n);
            for _ in 0..n {
                let key = r.term()?;
                let value = r.build(b)?;
                b.insert(&mut map, key, value);
            }
            Ok(b.finish_map(map))
        })
    }

    fn bit_binary<B: Build<'a>>(&mut self, start: usize, b: &mut B) -> Result<B::Out> {
        let len = self.u32()? as usize;
        let bits = self.u8()?;
        let data = self.take(len)?;
        match (len, bits) {
            (0, 0) | (1.., 8) => Ok(b.binary(data)),
            (1.., 1..=7) => Ok(b.bits(data, bits, &self.buf[start..self.pos])),
            _ => fail(start, format!("bitstring of {len} bytes cannot end in {bits} bits")),
        }
    }

    fn big<B: Build<'a>>(&mut self, n: usize, b: &mut B) -> Result<B::Out> {
        if n > MAX_BIG_BYTES {
            return self.fail(format!("integer of {n} bytes is over the limit of {MAX_BIG_BYTES}"));
        }
        let negative = match self.u8()? {
            0 => false,
            1 => true,
            s => return self.fail(format!("integer sign byte {s}")),
        };
        let digits = self.take(n)?;
        let len = digits.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
        let magnitude = &digits[..len];
        if len <= 8 {
            let mut le = [0u8; 8];
            le[..len].copy_from_slice(magnitude);
            let m = u64::from_le_bytes(le);
            if !negative && m <= i64::MAX as u64 {
                return Ok(b.int(m as i64));
            }
            if negative && m <= 1u64 << 63 {
                return Ok(b.int((m as i64).wrapping_neg()));
            }
        }
        Ok(b.big(negative, magnitude))
    }

    fn opaque<B: Build<'a>>(
        &mut self,
        start: usize,
        kind: OpaqueKind,
        b: &mut B,
        body: impl FnOnce(&mut Self) -> Result<()>,
    ) -> Result<B::Out> {
        self.nested(body)?;
        Ok(b.opaque(kind, &self.buf[start..self.pos]))
    }

    fn pid_body(&mut self, t: u8) -> Result<()> {
        self.atom()?;
        self.take(8)?;
        self.take(if t == tag::PID { 1 } else { 4 })?;
        Ok(())
    }

    fn port_body(&mut self, t: u8) -> Result<()> {
        self.atom()?;
        let n = match t {
            tag::PORT => 4 + 1,
            tag::NEW_PORT => 4 + 4,
            _ => 8 + 4,
        };
        self.take(n)?;
        Ok(())
    }

    fn ref_body(&mut self, t: u8) -> Result<()> {
        if t == tag::REFERENCE {
            self.atom()?;
            self.take(4 + 1)?;
            return Ok(());
        }
        let len = usize::from(self.u16()?);
        if !(1..=5).contains(&len) {
            return self.fail(format!("reference with {len} id words"));
        }
        self.atom()?;
        self.take(if t == tag::NEW_REFERENCE { 1 } else { 4 })?;
        self.take(4 * len)?;
        Ok(())
    }

    fn fun_body(&mut self) -> Result<()> {
        let at = self.pos;
        let size = self.u32()? as usize;
        let end = match size.checked_sub(4) {
            Some(rest) if rest <= self.remaining() => self.pos + rest,
            _ => return fail(at, format!("fun of {size} bytes does not fit")),
        };
        self.take(1 + 16 + 4)?;
        let free = self.u32()? as usize;
        self.atom()?;
        self.integer()?;
        self.integer()?;
        let pid_at = self.pos;
        if !matches!(self.term()?, Term::Opaque { kind: OpaqueKind::Pid, .. }) {
            return fail(pid_at, "fun without a creator pid");
        }
        for _ in 0..self.count(free, 1, "fun environment")? {
            self.term()?;
        }
        if self.pos != end {
            return fail(at, format!("fun size {size} does not match its contents"));
        }
        Ok(())
    }

    fn export_body(&mut self) -> Result<()> {
        self.atom()?;
        self.atom()?;
        let at = self.pos;
        match self.term()? {
            Term::Int(0..=255) => Ok(()),
            _ => fail(at, "export arity is not a small integer"),
        }
    }

    fn integer(&mut self) -> Result<()> {
        let at = self.pos;
        match self.term()? {
            Term::Int(_) | Term::BigInt { .. } => Ok(()),
            _ => fail(at, "expected an integer"),
        }
    }
}
