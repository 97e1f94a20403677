//! PHP values into terms: a parsed format string walked beside the data
//! array (mypeb's directives), and `~v`, which maps any PHP value by its type.
//!
//! Everything is checked as it is written; an error leaves only a discarded
//! buffer behind, never a half-written term in PHP's hands.

use std::borrow::Cow;

use ext_php_rs::types::{ZendHashTable, Zval};

use super::decode::MAX_DEPTH;
use super::encode::{MAX_ATOM_CHARS, Writer, atom_len_ok};
use super::format::{Directive, Item};
use crate::php::array::{self, Key};
use crate::php::resources;

/// Becomes a PHP `TypeError` or `ValueError`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EncodeError {
    Type(String),
    Value(String),
}

type Result<T = ()> = std::result::Result<T, EncodeError>;

/// Encodes the one term `format` describes, taking its value from `data`.
pub fn encode(format: &Item, data: &ZendHashTable, w: &mut Writer) -> Result {
    if data.len() != 1 {
        return Err(EncodeError::Value(format!(
            "the format describes one term, so $data must hold exactly one value, {} given",
            data.len()
        )));
    }
    let slot = array::values(data).next().expect("one value");
    item(format, slot, w)
}

fn item(it: &Item, slot: &Zval, w: &mut Writer) -> Result {
    let slot = slot.dereference();
    match it {
        Item::Scalar { directive, .. } => scalar(it, *directive, slot, w),
        Item::List { items, .. } => {
            let values = container(it, items.len(), slot)?;
            if !items.is_empty() {
                w.list_header(items.len());
            }
            items.iter().zip(array::values(values)).try_for_each(|(i, v)| item(i, v, w))?;
            w.nil();
            Ok(())
        }
        Item::Tuple { items, .. } => {
            let values = container(it, items.len(), slot)?;
            w.tuple_header(items.len());
            items.iter().zip(array::values(values)).try_for_each(|(i, v)| item(i, v, w))
        }
    }
}

/// The array behind a `[...]` or `{...}`, which must hold exactly one value per item.
fn container<'z>(it: &Item, n: usize, slot: &'z Zval) -> Result<&'z ZendHashTable> {
    let Some(values) = slot.array() else {
        return Err(type_err(it, &format!("an array of its {n} elements"), slot));
    };
    if values.len() != n {
        return Err(value_err(
            it,
            &format!("has {n} elements in the format but its array holds {} values", values.len()),
        ));
    }
    Ok(values)
}

fn scalar(it: &Item, d: Directive, slot: &Zval, w: &mut Writer) -> Result {
    match d {
        Directive::Atom => atom(it, &string_arg(it, slot)?, w),
        Directive::Str => {
            w.string(&string_arg(it, slot)?);
            Ok(())
        }
        Directive::Binary => {
            w.binary(&string_arg(it, slot)?);
            Ok(())
        }
        Directive::Int => {
            w.int(int_arg(it, slot)?);
            Ok(())
        }
        Directive::Unsigned => match int_arg(it, slot)? {
            v if v < 0 => Err(value_err(it, &format!("expects an unsigned integer, {v} given"))),
            v => {
                w.int(v);
                Ok(())
            }
        },
        Directive::Float => {
            w.float(float_arg(it, slot)?);
            Ok(())
        }
        Directive::LinkPid => match crate::php::link::link_pid(slot) {
            Some(pid) => {
                w.raw(&pid);
                Ok(())
            }
            None => Err(type_err(it, "an open link resource from peb_connect()", slot)),
        },
        Directive::Resource => match resources::term_of(slot) {
            Some((_, value)) => {
                w.raw(value.term());
                Ok(())
            }
            None => Err(type_err(it, "an Erlang Pid or other term resource", slot)),
        },
        Directive::Value => value(it, slot, w, 0),
    }
}

fn atom(it: &Item, bytes: &[u8], w: &mut Writer) -> Result {
    let name = std::str::from_utf8(bytes).map_err(|_| value_err(it, "atom is not valid UTF-8"))?;
    if !atom_len_ok(name) {
        return Err(value_err(it, &format!("atom is longer than {MAX_ATOM_CHARS} characters")));
    }
    w.atom(name);
    Ok(())
}

/// Strings as they are; ints as their decimal text, as PHP's coercive mode would.
fn string_arg<'z>(it: &Item, slot: &'z Zval) -> Result<Cow<'z, [u8]>> {
    if let Some(s) = slot.zend_str() {
        return Ok(Cow::Borrowed(s.as_bytes()));
    }
    match slot.long() {
        Some(i) if slot.is_long() => Ok(Cow::Owned(i.to_string().into_bytes())),
        _ => Err(type_err(it, "string", slot)),
    }
}

/// Ints; floats without a fraction; integer-numeric strings.
fn int_arg(it: &Item, slot: &Zval) -> Result<i64> {
    if slot.is_long() {
        return Ok(slot.long().expect("is_long"));
    }
    if let Some(f) = slot.double() {
        if f.is_finite() && f.fract() == 0.0 && (-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&f) {
            return Ok(f as i64);
        }
        return Err(type_err(it, "int (a float without fraction at most)", slot));
    }
    if let Some(s) = slot.zend_str() {
        let text = std::str::from_utf8(s.as_bytes()).unwrap_or("").trim_matches(|c: char| c.is_ascii_whitespace());
        return text.parse::<i64>().map_err(|_| type_err(it, "int", slot));
    }
    Err(type_err(it, "int", slot))
}

/// Floats and ints; numeric strings. Erlang has no NaN or infinity.
fn float_arg(it: &Item, slot: &Zval) -> Result<f64> {
    let f = if let Some(f) = slot.double() {
        f
    } else if slot.is_long() {
        slot.long().expect("is_long") as f64
    } else if let Some(s) = slot.zend_str() {
        let text = std::str::from_utf8(s.as_bytes()).unwrap_or("").trim_matches(|c: char| c.is_ascii_whitespace());
        text.parse::<f64>().map_err(|_| type_err(it, "float", slot))?
    } else {
        return Err(type_err(it, "float", slot));
    };
    if !f.is_finite() {
        return Err(value_err(it, &format!("expects a finite float, {f} given")));
    }
    Ok(f)
}

/// `~v`: int, float, string (a binary), bool (true/false), null
/// (undefined), list arrays as lists, other arrays as maps, term resources.
fn value(it: &Item, zv: &Zval, w: &mut Writer, depth: usize) -> Result {
    let zv = zv.dereference();
    if depth > MAX_DEPTH {
        return Err(value_err(it, &format!("value nested deeper than {MAX_DEPTH} levels (a recursive array?)")));
    }
    if let Some(b) = zv.bool() {
        w.atom(if b { "true" } else { "false" });
    } else if zv.is_long() {
        w.int(zv.long().expect("is_long"));
    } else if zv.is_double() {
        w.float(float_arg(it, zv)?);
    } else if let Some(s) = zv.zend_str() {
        w.binary(s.as_bytes());
    } else if zv.is_null() {
        w.atom("undefined");
    } else if let Some(ht) = zv.array() {
        array(it, ht, w, depth)?;
    } else if let Some((_, term)) = resources::term_of(zv) {
        w.raw(term.term());
    } else {
        return Err(type_err(it, "int, float, string, bool, null, array or a term resource", zv));
    }
    Ok(())
}

fn array(it: &Item, ht: &ZendHashTable, w: &mut Writer, depth: usize) -> Result {
    if ht.is_empty() {
        w.nil();
        return Ok(());
    }
    if array::is_list(ht) {
        w.list_header(ht.len());
        array::values(ht).try_for_each(|v| value(it, v, w, depth + 1))?;
        w.nil();
        return Ok(());
    }
    w.map_header(ht.len());
    array::entries(ht).try_for_each(|(key, v)| {
        match key {
            Key::Str(s) => w.binary(s),
            Key::Int(i) => w.int(i),
        }
        value(it, v, w, depth + 1)
    })
}

fn type_err(it: &Item, expected: &str, given: &Zval) -> EncodeError {
    EncodeError::Type(format!(
        "{} at position {} of the format expects {expected}, {} given",
        it.describe(),
        it.pos(),
        type_name(given)
    ))
}

fn value_err(it: &Item, reason: &str) -> EncodeError {
    EncodeError::Value(format!("{} at position {} of the format: {reason}", it.describe(), it.pos()))
}

/// PHP's own name for a value's type, as its TypeErrors print it.
pub fn type_name(zv: &Zval) -> String {
    let zv = zv.dereference();
    if zv.is_null() {
        "null".into()
    } else if zv.is_bool() {
        "bool".into()
    } else if zv.is_long() {
        "int".into()
    } else if zv.is_double() {
        "float".into()
    } else if zv.is_string() {
        "string".into()
    } else if zv.is_array() {
        "array".into()
    } else if zv.is_resource() {
        resources::type_name_of(zv)
    } else if let Some(obj) = zv.object() {
        obj.get_class_name().unwrap_or_else(|_| "object".into())
    } else {
        "unknown".into()
    }
}
