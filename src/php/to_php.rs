//! Terms into PHP values, by the table in the README: numbers as numbers,
//! atoms, strings and binaries as strings, tuples and lists as arrays, maps
//! as keyed arrays, and the rest (pids, references, ports, funs, improper
//! lists, bitstrings) as resources that encode back to the identical term.
//!
//! PHP values are built while the bytes are read, with no tree in between.

use std::borrow::Cow;

use ext_php_rs::boxed::ZBox;
use ext_php_rs::types::{ArrayKey, ZendHashTable, ZendStr, Zval};

use super::array;
use super::resources::{self, Kind, TermValue};
use crate::term::decode::{self, DecodeError};
use crate::term::decoded::{Build, OpaqueKind, Term};
use crate::term::{bigint, print};

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
    /// A later pair wins over an earlier one whose key maps to the same PHP key.
    fn insert(&mut self, map: &mut ZBox<ZendHashTable>, key: Term<'a>, v: Zval) {
        let _ = match array_key(&key) {
            Key::Int(i) => map.insert(ArrayKey::Long(i), v),
            Key::Text(text) => map.insert(ArrayKey::from(text), v),
            Key::Bytes(b) => map.insert(ArrayKey::ZendString(&ZendStr::new(b, false)), v),
        };
    }
    fn finish_map(&mut self, map: ZBox<ZendHashTable>) -> Zval {
        array(map)
    }
    fn opaque(&mut self, kind: OpaqueKind, raw: &'a [u8]) -> Zval {
        resources::new_resource(Kind::of_opaque(kind), TermValue::from_term(raw, false))
    }
}

/// The PHP array key a map key becomes.
#[derive(Debug, PartialEq)]
enum Key<'t> {
    Int(i64),
    /// Text, which PHP turns into an int key when it is decimal, as for any array key.
    Text(String),
    /// A string or binary that is not UTF-8: its bytes as they are.
    Bytes(&'t [u8]),
}

/// Integers as int keys; atoms, strings and binaries as string keys; `[]`
/// as the empty string; any other key as its Erlang text.
fn array_key<'t>(key: &'t Term) -> Key<'t> {
    match key {
        Term::Int(i) => Key::Int(*i),
        Term::Atom(a) => Key::Text(a.to_string()),
        Term::Str(b) | Term::Binary(b) => match std::str::from_utf8(b) {
            Ok(s) => Key::Text(s.to_string()),
            Err(_) => Key::Bytes(b),
        },
        Term::Nil => Key::Text(String::new()),
        other => Key::Text(print::print(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    #[test]
    fn map_keys_become_int_or_text_keys() {
        assert_eq!(array_key(&Term::Int(-4)), Key::Int(-4));
        assert_eq!(array_key(&Term::Atom(Cow::Borrowed("ok"))), Key::Text("ok".into()));
        assert_eq!(array_key(&Term::Binary(b"12")), Key::Text("12".into()));
        assert_eq!(array_key(&Term::Str(b"abc")), Key::Text("abc".into()));
        assert_eq!(array_key(&Term::Binary(b"\xff\xfe")), Key::Bytes(b"\xff\xfe"));
        assert_eq!(array_key(&Term::Nil), Key::Text(String::new()));
    }

    #[test]
    fn other_map_keys_become_their_erlang_text() {
        let key = Term::Tuple(vec![Term::Atom(Cow::Borrowed("a")), Term::Float(1.5)]);
        assert_eq!(array_key(&key), Key::Text("{a,1.5}".into()));
        assert_eq!(
            array_key(&Term::List(vec![Term::Int(1)])),
            Key::Text(print::print(&Term::List(vec![Term::Int(1)])))
        );
    }

    #[test]
    fn decimal_text_keys_become_int_keys_as_in_php() {
        // What `Key::Text` relies on: ext-php-rs makes the key PHP would.
        assert!(matches!(ArrayKey::from("12".to_string()), ArrayKey::Long(12)));
        assert!(matches!(ArrayKey::from("-3".to_string()), ArrayKey::Long(-3)));
        assert!(matches!(ArrayKey::from("012".to_string()), ArrayKey::String(_)));
        assert!(matches!(ArrayKey::from("1.5".to_string()), ArrayKey::String(_)));
    }
}
