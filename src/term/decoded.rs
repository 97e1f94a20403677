//! A decoded term that borrows from the bytes it came from.
//!
//! The decoder validates everything before anything is built on it, so the
//! PHP mapping, the printer and the tests all walk this one shape.

use std::borrow::Cow;

/// Values PHP has no native shape for; they travel as the exact bytes of
/// their term so that they encode back to the identical term.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpaqueKind {
    Pid,
    Port,
    Reference,
    Fun,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Term<'a> {
    Int(i64),
    /// An integer beyond 64 bits: magnitude in little-endian bytes, no trailing zeros.
    BigInt {
        negative: bool,
        magnitude: &'a [u8],
    },
    Float(f64),
    Atom(Cow<'a, str>),
    /// STRING_EXT: a list of bytes sent compactly.
    Str(&'a [u8]),
    Binary(&'a [u8]),
    /// A bitstring whose last byte is not whole; `raw` is the whole term.
    BitBinary {
        data: &'a [u8],
        bits: u8,
        raw: &'a [u8],
    },
    Tuple(Vec<Term<'a>>),
    Nil,
    /// A proper list (never empty: the empty list is `Nil`).
    List(Vec<Term<'a>>),
    /// A list whose tail is not `[]`; `raw` is the whole term.
    ImproperList {
        items: Vec<Term<'a>>,
        tail: Box<Term<'a>>,
        raw: &'a [u8],
    },
    Map(Vec<(Term<'a>, Term<'a>)>),
    /// `raw` is the complete term, tag included.
    Opaque {
        kind: OpaqueKind,
        raw: &'a [u8],
    },
}
