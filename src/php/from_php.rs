//! PHP values into terms: a parsed format string walked beside the data
//! array (mypeb's directives), and `~v`, which maps any PHP value by its type.
//!
//! Everything is checked as it is written; an error leaves only a discarded
//! buffer behind, never a half-written term in PHP's hands.

use std::borrow::Cow;

use ext_php_rs::types::{ZendHashTable, Zval};

use super::args::{ArgError, item_type_error as type_err, item_value_error as value_err};
use super::array::{self, Key};
use super::resources;
use crate::term::decode::MAX_DEPTH;
use crate::term::encode::{MAX_ATOM_CHARS, Writer, atom_len_ok};
use crate::term::format::{Directive, Item};

type Result<T = ()> = std::result::Result<T, ArgError>;

/// Encodes the one term `format` describes, taking its value from `data`.
pub fn encode(format: &Item, data: &ZendHashTable, w: &mut Writer) -> Result {
    if data.len() != 1 {
        return Err(ArgError::Value(format!(
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
        Directive::Unsigned => {
            w.int(unsigned(int_arg(it, slot)?).map_err(|reason| value_err(it, &reason))?);
            Ok(())
        }
        Directive::Float => {
            w.float(float_arg(it, slot)?);
            Ok(())
        }
        Directive::LinkPid => match resources::link_pid(slot) {
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
        return int_of_float(f).ok_or_else(|| type_err(it, "int (a float without fraction at most)", slot));
    }
    if let Some(s) = slot.zend_str() {
        return numeric_text(s.as_bytes()).parse::<i64>().map_err(|_| type_err(it, "int", slot));
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
        numeric_text(s.as_bytes()).parse::<f64>().map_err(|_| type_err(it, "float", slot))?
    } else {
        return Err(type_err(it, "float", slot));
    };
    finite(f).map_err(|reason| value_err(it, &reason))
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

/// The int a float stands for: finite, without fraction, within i64.
fn int_of_float(f: f64) -> Option<i64> {
    let fits = (-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&f);
    (f.is_finite() && f.fract() == 0.0 && fits).then_some(f as i64)
}

/// The text of a numeric string, without the whitespace PHP allows around
/// it; empty (so no number) when it is not UTF-8.
fn numeric_text(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).unwrap_or("").trim_matches(|c: char| c.is_ascii_whitespace())
}

/// `~u`'s value: not negative.
fn unsigned(v: i64) -> std::result::Result<i64, String> {
    if v < 0 { Err(format!("expects an unsigned integer, {v} given")) } else { Ok(v) }
}

/// A float Erlang can hold: it has no NaN or infinity.
fn finite(f: f64) -> std::result::Result<f64, String> {
    if f.is_finite() { Ok(f) } else { Err(format!("expects a finite float, {f} given")) }
}

#[cfg(test)]
mod tests {
    //! The coercion rules alone (zvals need a running PHP: the phpt suite's).
    use super::*;

    #[test]
    fn floats_stand_for_ints_only_without_fraction_and_within_range() {
        assert_eq!(int_of_float(3.0), Some(3));
        assert_eq!(int_of_float(-0.0), Some(0));
        assert_eq!(int_of_float(-9.223_372_036_854_776e18), Some(i64::MIN));
        for f in [3.5, f64::NAN, f64::INFINITY, 9.223_372_036_854_776e18, -1e19] {
            assert_eq!(int_of_float(f), None, "{f}");
        }
    }

    #[test]
    fn numeric_strings_lose_their_surrounding_whitespace_only() {
        assert_eq!(numeric_text(b" \t42\n"), "42");
        assert_eq!(numeric_text(b"4 2"), "4 2");
        assert_eq!(numeric_text(b"\xff1"), "", "not UTF-8: no number");
        assert_eq!(numeric_text(b" -1.5e3 ").parse::<f64>(), Ok(-1500.0));
    }

    #[test]
    fn unsigned_refuses_negatives() {
        assert_eq!(unsigned(0), Ok(0));
        assert_eq!(unsigned(i64::MAX), Ok(i64::MAX));
        assert_eq!(unsigned(-1), Err("expects an unsigned integer, -1 given".into()));
    }

    #[test]
    fn floats_must_be_finite() {
        assert_eq!(finite(-0.5), Ok(-0.5));
        assert_eq!(finite(f64::NAN), Err("expects a finite float, NaN given".into()));
        assert_eq!(finite(f64::NEG_INFINITY), Err("expects a finite float, -inf given".into()));
    }
}
