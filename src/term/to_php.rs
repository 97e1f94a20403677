//! Terms into PHP values, by the table in the README: numbers as numbers,
//! atoms, strings and binaries as strings, tuples and lists as arrays, maps
//! as keyed arrays, and the rest (pids, references, ports, funs, improper
//! lists, bitstrings) as resources that encode back to the identical term.

use ext_php_rs::types::{ArrayKey, ZendHashTable, ZendStr, Zval};

use super::decoded::Term;
use super::{bigint, print};
use crate::php::resources::{self, Kind, TermValue};

pub fn to_zval(term: &Term) -> Zval {
    let mut zv = Zval::new();
    match term {
        Term::Int(i) => zv.set_long(*i),
        Term::BigInt { negative, magnitude } => return string(bigint::to_decimal(*negative, magnitude).as_bytes()),
        Term::Float(f) => zv.set_double(*f),
        Term::Atom(a) => return string(a.as_bytes()),
        Term::Str(s) | Term::Binary(s) => return string(s),
        Term::Nil => zv.set_hashtable(ZendHashTable::new()),
        Term::Tuple(items) | Term::List(items) => zv.set_hashtable(list(items)),
        Term::Map(pairs) => zv.set_hashtable(map(pairs)),
        Term::BitBinary { raw, .. } | Term::ImproperList { raw, .. } => {
            return resources::new_resource(Kind::Term, TermValue::from_term(raw, false));
        }
        Term::Opaque { kind, raw } => {
            return resources::new_resource(Kind::of_opaque(*kind), TermValue::from_term(raw, false));
        }
    }
    zv
}

/// mypeb's shape for a decoded term: `array(0 => value)`.
pub fn wrapped(term: &Term) -> Zval {
    let mut ht = ZendHashTable::with_capacity(1);
    push(&mut ht, to_zval(term));
    let mut zv = Zval::new();
    zv.set_hashtable(ht);
    zv
}

fn string(bytes: &[u8]) -> Zval {
    let mut zv = Zval::new();
    zv.set_zend_string(ZendStr::new(bytes, false));
    zv
}

fn push(ht: &mut ZendHashTable, value: Zval) {
    // Pushing only fails when a value cannot be converted; a Zval always can.
    let _ = ht.push(value);
}

fn list(items: &[Term]) -> ext_php_rs::boxed::ZBox<ZendHashTable> {
    let mut ht = ZendHashTable::with_capacity(u32::try_from(items.len()).unwrap_or(u32::MAX));
    for t in items {
        push(&mut ht, to_zval(t));
    }
    ht
}

/// Keys: integers as int keys; atoms, strings and binaries as string keys
/// (PHP turns decimal ones into ints, as it does for any array key); any
/// other key as its Erlang text. A later pair wins over an earlier one
/// whose key maps to the same PHP key.
fn map(pairs: &[(Term, Term)]) -> ext_php_rs::boxed::ZBox<ZendHashTable> {
    let mut ht = ZendHashTable::with_capacity(u32::try_from(pairs.len()).unwrap_or(u32::MAX));
    for (k, v) in pairs {
        let value = to_zval(v);
        let _ = match k {
            Term::Int(i) => ht.insert(ArrayKey::Long(*i), value),
            Term::Atom(a) => ht.insert(ArrayKey::from(a.to_string()), value),
            Term::Str(b) | Term::Binary(b) => match std::str::from_utf8(b) {
                Ok(s) => ht.insert(ArrayKey::from(s.to_string()), value),
                Err(_) => ht.insert(ArrayKey::ZendString(&ZendStr::new(b, false)), value),
            },
            Term::Nil => ht.insert(ArrayKey::from(String::new()), value),
            other => ht.insert(ArrayKey::from(print::print(other)), value),
        };
    }
    ht
}
