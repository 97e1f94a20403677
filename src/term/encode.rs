//! Writing terms: one method per Erlang type, always in the smallest
//! encoding OTP itself would choose. Knows nothing of PHP; the PHP mapping
//! and the format string drive it.

use super::tag;

/// Longest atom Erlang accepts, in characters.
pub const MAX_ATOM_CHARS: usize = 255;

/// A growing buffer of external term format.
#[derive(Debug, Default)]
pub struct Writer {
    buf: Vec<u8>,
}

impl Writer {
    /// A writer whose output starts with the version byte.
    pub fn versioned() -> Self {
        let mut buf = Vec::with_capacity(64);
        buf.push(tag::VERSION);
        Writer { buf }
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.buf
    }

    pub fn len(&self) -> usize {
        self.buf.len()
    }

    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    pub fn int(&mut self, v: i64) {
        if (0..=255).contains(&v) {
            self.buf.extend_from_slice(&[tag::SMALL_INTEGER, v as u8]);
        } else if let Ok(small) = i32::try_from(v) {
            self.buf.push(tag::INTEGER);
            self.buf.extend_from_slice(&small.to_be_bytes());
        } else {
            let magnitude = v.unsigned_abs().to_le_bytes();
            let len = magnitude.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
            self.buf.extend_from_slice(&[tag::SMALL_BIG, len as u8, u8::from(v < 0)]);
            self.buf.extend_from_slice(&magnitude[..len]);
        }
    }

    /// The caller checks finiteness: Erlang has no NaN or infinity.
    pub fn float(&mut self, v: f64) {
        self.buf.push(tag::NEW_FLOAT);
        self.buf.extend_from_slice(&v.to_bits().to_be_bytes());
    }

    /// A UTF-8 atom; the caller checks the length with [`atom_len_ok`].
    pub fn atom(&mut self, name: &str) {
        if let Ok(len) = u8::try_from(name.len()) {
            self.buf.extend_from_slice(&[tag::SMALL_ATOM_UTF8, len]);
        } else {
            self.buf.push(tag::ATOM_UTF8);
            self.buf.extend_from_slice(&(name.len() as u16).to_be_bytes());
        }
        self.buf.extend_from_slice(name.as_bytes());
    }

    pub fn binary(&mut self, data: &[u8]) {
        self.buf.push(tag::BINARY);
        self.buf.extend_from_slice(&(data.len() as u32).to_be_bytes());
        self.buf.extend_from_slice(data);
    }

    /// A byte string as Erlang lists them: `[]` when empty, STRING_EXT up to
    /// 65535 bytes, a list of integers beyond.
    pub fn string(&mut self, data: &[u8]) {
        if data.is_empty() {
            self.nil();
        } else if let Ok(len) = u16::try_from(data.len()) {
            self.buf.push(tag::STRING);
            self.buf.extend_from_slice(&len.to_be_bytes());
            self.buf.extend_from_slice(data);
        } else {
            self.list_header(data.len());
            self.buf.reserve(data.len() * 2 + 1);
            for &b in data {
                self.buf.extend_from_slice(&[tag::SMALL_INTEGER, b]);
            }
            self.nil();
        }
    }

    pub fn nil(&mut self) {
        self.buf.push(tag::NIL);
    }

    /// Starts a list of `n > 0` elements; the caller writes them, then a tail.
    pub fn list_header(&mut self, n: usize) {
        self.buf.push(tag::LIST);
        self.buf.extend_from_slice(&(n as u32).to_be_bytes());
    }

    pub fn tuple_header(&mut self, n: usize) {
        if let Ok(small) = u8::try_from(n) {
            self.buf.extend_from_slice(&[tag::SMALL_TUPLE, small]);
        } else {
            self.buf.push(tag::LARGE_TUPLE);
            self.buf.extend_from_slice(&(n as u32).to_be_bytes());
        }
    }

    pub fn map_header(&mut self, n: usize) {
        self.buf.push(tag::MAP);
        self.buf.extend_from_slice(&(n as u32).to_be_bytes());
    }

    /// Bytes that already are one complete, valid term.
    pub fn raw(&mut self, term: &[u8]) {
        self.buf.extend_from_slice(term);
    }
}

/// Whether Erlang accepts `name` as an atom (at most 255 characters).
pub fn atom_len_ok(name: &str) -> bool {
    name.len() <= MAX_ATOM_CHARS || name.chars().count() <= MAX_ATOM_CHARS
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::term::decode::decode;
    use crate::term::decoded::Term;

    fn roundtrip_int(v: i64) -> Term<'static> {
        let mut w = Writer::default();
        w.int(v);
        let bytes: &'static [u8] = Box::leak(w.into_bytes().into_boxed_slice());
        decode(bytes).unwrap()
    }

    #[test]
    fn integers_take_the_smallest_encoding() {
        for (v, first) in [(0, 97), (255, 97), (256, 98), (-1, 98), (i32::MAX as i64 + 1, 110), (i64::MIN, 110)] {
            let mut w = Writer::default();
            w.int(v);
            assert_eq!(w.into_bytes()[0], first, "{v}");
            assert_eq!(roundtrip_int(v), Term::Int(v));
        }
        assert_eq!(roundtrip_int(i64::MAX), Term::Int(i64::MAX));
    }

    #[test]
    fn long_strings_become_integer_lists() {
        let mut w = Writer::default();
        w.string(&vec![7u8; 70_000]);
        let bytes = w.into_bytes();
        match decode(&bytes).unwrap() {
            Term::List(items) => assert_eq!(items.len(), 70_000),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn atom_limits_count_characters() {
        assert!(atom_len_ok(&"é".repeat(255)));
        assert!(!atom_len_ok(&"a".repeat(256)));
    }
}
