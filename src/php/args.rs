//! The one place that checks the PHP functions' arguments and words their
//! errors: PHP's own `TypeError` and `ValueError` texts (`f(): Argument #n
//! ($name) must be ..., T given`), and those of a format item that the data
//! does not fit. The checks themselves are plain Rust, tested without PHP.

use std::time::Duration;

use ext_php_rs::exception::PhpException;
use ext_php_rs::types::Zval;
use ext_php_rs::zend::ce;

use super::resources;
use crate::term::encode::{MAX_ATOM_CHARS, atom_len_ok};
use crate::term::format::{FormatError, Item};

/// A programming mistake in the arguments: thrown as PHP's `TypeError` or `ValueError`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArgError {
    Type(String),
    Value(String),
}

impl From<ArgError> for PhpException {
    fn from(e: ArgError) -> Self {
        match e {
            ArgError::Type(m) => PhpException::new(m, 0, ce::type_error()),
            ArgError::Value(m) => PhpException::new(m, 0, ce::value_error()),
        }
    }
}

/// How PHP names argument `n` of `fname`: `f(): Argument #2 ($data)`.
fn argument(fname: &str, n: usize, name: &str) -> String {
    format!("{fname}(): Argument #{n} ({name})")
}

/// `f(): Argument #n ($name) must be <expected>, <given> given`, as PHP's
/// own TypeErrors read.
pub fn type_error(fname: &str, n: usize, name: &str, expected: &str, given: &Zval) -> ArgError {
    type_error_named(fname, n, name, expected, &type_name(given))
}

fn type_error_named(fname: &str, n: usize, name: &str, expected: &str, given: &str) -> ArgError {
    ArgError::Type(format!("{} must be {expected}, {given} given", argument(fname, n, name)))
}

/// A format string (argument #1 of `peb_encode`) that does not parse.
pub fn format_error(fname: &str, e: &FormatError) -> ArgError {
    ArgError::Value(format!("{} {e}", argument(fname, 1, "$format")))
}

/// An error of one item of the data, told as an error of the argument that holds it.
pub fn in_argument(fname: &str, n: usize, name: &str, e: ArgError) -> ArgError {
    let at = argument(fname, n, name);
    match e {
        ArgError::Type(m) => ArgError::Type(format!("{at}: {m}")),
        ArgError::Value(m) => ArgError::Value(format!("{at}: {m}")),
    }
}

/// A value of the data that the item `it` of the format cannot take.
pub fn item_type_error(it: &Item, expected: &str, given: &Zval) -> ArgError {
    item_type_error_named(it, expected, &type_name(given))
}

fn item_type_error_named(it: &Item, expected: &str, given: &str) -> ArgError {
    ArgError::Type(format!(
        "{} at position {} of the format expects {expected}, {given} given",
        it.describe(),
        it.pos()
    ))
}

/// A value of the right type that the item `it` still cannot take.
pub fn item_value_error(it: &Item, reason: &str) -> ArgError {
    ArgError::Value(format!("{} at position {} of the format: {reason}", it.describe(), it.pos()))
}

/// A timeout in milliseconds, which must be positive.
pub fn timeout(fname: &str, n: usize, ms: i64) -> Result<Duration, ArgError> {
    match u64::try_from(ms) {
        Ok(ms) if ms > 0 => Ok(Duration::from_millis(ms)),
        _ => Err(ArgError::Value(format!("{} must be greater than 0, {ms} given", argument(fname, n, "$timeout_ms")))),
    }
}

/// A module, function or registered name: an atom's text, not empty.
pub fn atom_name(fname: &str, n: usize, arg: &str, name: &str) -> Result<(), ArgError> {
    if name.is_empty() || !atom_len_ok(name) {
        let at = argument(fname, n, &format!("${arg}"));
        return Err(ArgError::Value(format!("{at} must be an atom name of 1 to {MAX_ATOM_CHARS} characters")));
    }
    Ok(())
}

/// The node of `peb_connect`: given, or else `peb.default_nodename`.
pub fn node(fname: &str, node: &str) -> Result<(), ArgError> {
    if node.is_empty() {
        let at = argument(fname, 1, "$node");
        return Err(ArgError::Value(format!("{at} is empty and so is peb.default_nodename")));
    }
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::term::format;

    #[test]
    fn a_type_error_reads_as_phps() {
        let e = type_error_named("peb_rpc", 3, "$args", "an Erlang Term resource", "int");
        assert_eq!(
            e,
            ArgError::Type("peb_rpc(): Argument #3 ($args) must be an Erlang Term resource, int given".into())
        );
    }

    #[test]
    fn an_item_error_names_the_item_and_the_argument() {
        let item = format::parse("[~a, ~i]").unwrap();
        let Item::List { items, .. } = &item else { panic!("{item:?}") };
        let e = in_argument("peb_encode", 2, "$data", item_type_error_named(&items[1], "int", "null"));
        assert_eq!(
            e,
            ArgError::Type(
                "peb_encode(): Argument #2 ($data): ~i at position 5 of the format expects int, null given".into()
            )
        );
        let e = in_argument("peb_vencode", 2, "$data", item_value_error(&item, "too short"));
        assert_eq!(
            e,
            ArgError::Value("peb_vencode(): Argument #2 ($data): [...] at position 0 of the format: too short".into())
        );
    }

    #[test]
    fn a_bad_format_is_a_value_error_of_argument_1() {
        let err = format::parse("~q").unwrap_err();
        let ArgError::Value(m) = format_error("peb_encode", &err) else { panic!("not a ValueError") };
        assert_eq!(m, format!("peb_encode(): Argument #1 ($format) {err}"));
    }

    #[test]
    fn timeouts_must_be_positive() {
        assert_eq!(timeout("peb_receive", 2, 250), Ok(Duration::from_millis(250)));
        for ms in [0, -1, i64::MIN] {
            assert_eq!(
                timeout("peb_receive", 2, ms),
                Err(ArgError::Value(format!(
                    "peb_receive(): Argument #2 ($timeout_ms) must be greater than 0, {ms} given"
                )))
            );
        }
    }

    #[test]
    fn names_are_atoms_of_1_to_255_characters() {
        assert_eq!(atom_name("peb_rpc", 1, "module", "erlang"), Ok(()));
        assert_eq!(atom_name("peb_rpc", 1, "module", &"é".repeat(255)), Ok(()));
        let refused =
            ArgError::Value("peb_rpc(): Argument #2 ($function) must be an atom name of 1 to 255 characters".into());
        assert_eq!(atom_name("peb_rpc", 2, "function", ""), Err(refused.clone()));
        assert_eq!(atom_name("peb_rpc", 2, "function", &"a".repeat(256)), Err(refused));
    }

    #[test]
    fn an_empty_node_is_refused() {
        assert_eq!(node("peb_connect", "a@b"), Ok(()));
        assert_eq!(
            node("peb_pconnect", ""),
            Err(ArgError::Value("peb_pconnect(): Argument #1 ($node) is empty and so is peb.default_nodename".into()))
        );
    }
}
