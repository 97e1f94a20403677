//! A decoded term that borrows from the bytes it came from, and the
//! [`Build`] interface through which the decoder makes it (or, in
//! `php::to_php`, PHP values directly).
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

/// What the decoder makes of each value as it reads it: a [`Term`] tree
/// ([`Tree`]), or PHP values directly (`php::to_php`), with no tree in between.
pub trait Build<'a> {
    type Out;
    /// Elements of a tuple or list being read.
    type Seq;
    /// Pairs of a map being read.
    type Map;
    fn int(&mut self, i: i64) -> Self::Out;
    /// Beyond 64 bits: little-endian magnitude without trailing zeros.
    fn big(&mut self, negative: bool, magnitude: &'a [u8]) -> Self::Out;
    fn float(&mut self, f: f64) -> Self::Out;
    fn atom(&mut self, name: Cow<'a, str>) -> Self::Out;
    /// STRING_EXT: a list of bytes sent compactly.
    fn string(&mut self, bytes: &'a [u8]) -> Self::Out;
    fn binary(&mut self, bytes: &'a [u8]) -> Self::Out;
    /// A bitstring whose last byte is partial; `raw` is the whole term.
    fn bits(&mut self, data: &'a [u8], bits: u8, raw: &'a [u8]) -> Self::Out;
    fn nil(&mut self) -> Self::Out;
    fn seq(&mut self, n: usize) -> Self::Seq;
    fn push(&mut self, seq: &mut Self::Seq, v: Self::Out);
    fn tuple(&mut self, seq: Self::Seq) -> Self::Out;
    /// A proper, non-empty list.
    fn list(&mut self, seq: Self::Seq) -> Self::Out;
    /// `raw` is the whole term.
    fn improper(&mut self, seq: Self::Seq, tail: Self::Out, raw: &'a [u8]) -> Self::Out;
    fn map(&mut self, n: usize) -> Self::Map;
    fn insert(&mut self, map: &mut Self::Map, key: Term<'a>, v: Self::Out);
    fn finish_map(&mut self, map: Self::Map) -> Self::Out;
    /// A pid, port, reference or fun; `raw` is the whole term.
    fn opaque(&mut self, kind: OpaqueKind, raw: &'a [u8]) -> Self::Out;
}

/// Builds the [`Term`] tree.
pub struct Tree;

impl<'a> Build<'a> for Tree {
    type Out = Term<'a>;
    type Seq = Vec<Term<'a>>;
    type Map = Vec<(Term<'a>, Term<'a>)>;

    fn int(&mut self, i: i64) -> Term<'a> {
        Term::Int(i)
    }
    fn big(&mut self, negative: bool, magnitude: &'a [u8]) -> Term<'a> {
        Term::BigInt { negative, magnitude }
    }
    fn float(&mut self, f: f64) -> Term<'a> {
        Term::Float(f)
    }
    fn atom(&mut self, name: Cow<'a, str>) -> Term<'a> {
        Term::Atom(name)
    }
    fn string(&mut self, bytes: &'a [u8]) -> Term<'a> {
        Term::Str(bytes)
    }
    fn binary(&mut self, bytes: &'a [u8]) -> Term<'a> {
        Term::Binary(bytes)
    }
    fn bits(&mut self, data: &'a [u8], bits: u8, raw: &'a [u8]) -> Term<'a> {
        Term::BitBinary { data, bits, raw }
    }
    fn nil(&mut self) -> Term<'a> {
        Term::Nil
    }
    fn seq(&mut self, n: usize) -> Vec<Term<'a>> {
        Vec::with_capacity(n)
    }
    fn push(&mut self, seq: &mut Vec<Term<'a>>, v: Term<'a>) {
        seq.push(v);
    }
    fn tuple(&mut self, seq: Vec<Term<'a>>) -> Term<'a> {
        Term::Tuple(seq)
    }
    fn list(&mut self, seq: Vec<Term<'a>>) -> Term<'a> {
        Term::List(seq)
    }
    fn improper(&mut self, items: Vec<Term<'a>>, tail: Term<'a>, raw: &'a [u8]) -> Term<'a> {
        Term::ImproperList { items, tail: Box::new(tail), raw }
    }
    fn map(&mut self, n: usize) -> Self::Map {
        Vec::with_capacity(n)
    }
    fn insert(&mut self, map: &mut Self::Map, key: Term<'a>, v: Term<'a>) {
        map.push((key, v));
    }
    fn finish_map(&mut self, map: Self::Map) -> Term<'a> {
        Term::Map(map)
    }
    fn opaque(&mut self, kind: OpaqueKind, raw: &'a [u8]) -> Term<'a> {
        Term::Opaque { kind, raw }
    }
}
