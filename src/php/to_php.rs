//! Terms into PHP values, by the table in the README: numbers as numbers,
//! atoms, strings and binaries as strings, tuples and lists as arrays, maps
//! as keyed arrays, and the rest (pids, references, ports, funs, improper
//! lists, bitstrings) as resources that encode back to the identical term.
//!
//! PHP values are built while the bytes are read, with no tree in between.

use std::borrow::Cow;

use ext_php_rs::boxed::ZBox;
use ext_php_rs::types::{ArrayKey, ZendHashTable, ZendStr, Zval};

use super::decode::{self, Build, DecodeError};
use super::decoded::{OpaqueKind, Term};
use super::{bigint, print};
use crate::php::array;
use crate::php::resources::{self, Kind, TermValue};

/// mypeb's shape for a decoded term: `array(0 => value)`.
pub fn decode_wrapped(bytes: &[u8]) -> Result<Zval, DecodeError> {
    let value = decode::decode_into(bytes, &mut Php)?;
    let mut ht = ZendHashTable::with_capacity(1);
    array::push(&mut ht, value);
    let mut zv = Zval::new();
    zv.set_hashtable(ht);
    Ok(zv)
}

struct Php;

fn string(bytes: &[u8]) -> Zval {
    let mut zv = Zval::new();
    zv.set_zend_string(ZendStr::new(bytes, false));
    zv
}

fn array(ht: ZBox<ZendHashTable>) -> Zval {
    let mut zv = Zval::new();
    zv.set_hashtable(ht);
    zv
}

fn table(n: usize) -> ZBox<ZendHashTable> {
    ZendHashTable::with_capacity(u32::try_from(n).unwrap_or(u32::MAX))
}

fn term_resource(raw: &[u8]) -> Zval {
    resources::new_resource(Kind::Term, TermValue::from_term(raw, false))
}

impl<'a> Build<'a> for Php {
    type Out = Zval;
    type Seq = ZBox<ZendHashTable>;
    type Map = ZBox<ZendHashTable>;

    fn int(&mut self, i: i64) -> Zval {
        let mut zv = Zval::new();
        zv.set_long(i);
        zv
    }
    /// Beyond PHP's int: a decimal numeric string.
    fn big(&mut self, negative: bool, magnitude: &'a [u8]) -> Zval {
        string(bigint::to_decimal(negative, magnitude).as_bytes())
    }
    fn float(&mut self, f: f64) -> Zval {
        let mut zv = Zval::new();
        zv.set_double(f);
        zv
    }
    fn atom(&mut self, name: Cow<'a, str>) -> Zval {
        string(name.as_bytes())
    }
    fn string(&mut self, bytes: &'a [u8]) -> Zval {
        string(bytes)
    }
    fn binary(&mut self, bytes: &'a [u8]) -> Zval {
        string(bytes)
    }
    fn bits(&mut self, _data: &'a [u8], _bits: u8, raw: &'a [u8]) -> Zval {
        term_resource(raw)
    }
    fn nil(&mut self) -> Zval {
        array(ZendHashTable::new())
    }
    fn seq(&mut self, n: usize) -> ZBox<ZendHashTable> {
        table(n)
    }
    fn push(&mut self, seq: &mut ZBox<ZendHashTable>, v: Zval) {
        array::push(seq, v);
    }
    fn tuple(&mut self, seq: ZBox<ZendHashTable>) -> Zval {
        array(seq)
    }
    fn list(&mut self, seq: ZBox<ZendHashTable>) -> Zval {
        array(seq)
    }
    fn improper(&mut self, _items: ZBox<ZendHashTable>, _tail: Zval, raw: &'a [u8]) -> Zval {
        term_resource(raw)
    }
    fn map(&mut self, n: usize) -> ZBox<ZendHashTable> {
        table(n)
    }
    /// Keys: integers as int keys; atoms, strings and binaries as string
    /// keys (PHP turns decimal ones into ints, as for any array key); any
    /// other key as its Erlang text. A later pair wins over an earlier one
    /// whose key maps to the same PHP key.
    fn insert(&mut self, map: &mut ZBox<ZendHashTable>, key: Term<'a>, v: Zval) {
        let _ = match &key {
            Term::Int(i) => map.insert(ArrayKey::Long(*i), v),
            Term::Atom(a) => map.insert(ArrayKey::from(a.to_string()), v),
            Term::Str(b) | Term::Binary(b) => match std::str::from_utf8(b) {
                Ok(s) => map.insert(ArrayKey::from(s.to_string()), v),
                Err(_) => map.insert(ArrayKey::ZendString(&ZendStr::new(b, false)), v),
            },
            Term::Nil => map.insert(ArrayKey::from(String::new()), v),
            other => map.insert(ArrayKey::from(print::print(other)), v),
        };
    }
    fn finish_map(&mut self, map: ZBox<ZendHashTable>) -> Zval {
        array(map)
    }
    fn opaque(&mut self, kind: OpaqueKind, raw: &'a [u8]) -> Zval {
        resources::new_resource(Kind::of_opaque(kind), TermValue::from_term(raw, false))
    }
}
