//! The PHP functions of the pure half: `peb_encode`, `peb_vencode`,
//! `peb_decode`, `peb_vdecode`, `peb_print_term`, `peb_term_to_binary`,
//! `peb_binary_to_term`, `peb_error`, `peb_errorno`.
//!
//! Programming mistakes (a bad format, a wrong type) throw; bytes that are not
//! a term are data, so they give `false` and `peb_errorno()` 6.

use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendStr, Zval};

use super::args::{self, type_error};
use super::errors::{self, Code};
use super::resources::{self, Kind, TermValue};
use super::{from_php, to_php};
use crate::term::decode::{self, DecodeError};
use crate::term::encode::Writer;
use crate::term::{format, print, tag};

/// Encodes PHP data as a term, without version byte (mypeb's `peb_encode`).
#[php_function]
pub fn peb_encode(format: &Zval, data: &Zval) -> PhpResult<Zval> {
    encode("peb_encode", format, data, false)
}

/// Encodes PHP data as a term, with version byte (mypeb's `peb_vencode`).
#[php_function]
pub fn peb_vencode(format: &Zval, data: &Zval) -> PhpResult<Zval> {
    encode("peb_vencode", format, data, true)
}

/// `array(0 => value)` from a term resource or bytes without version byte.
#[php_function]
pub fn peb_decode(term: &Zval) -> PhpResult<Zval> {
    decode_to_php("peb_decode", term, false)
}

/// `array(0 => value)` from a term resource or bytes with version byte.
#[php_function]
pub fn peb_vdecode(term: &Zval) -> PhpResult<Zval> {
    decode_to_php("peb_vdecode", term, true)
}

/// Erlang-syntax text of a term; printed, or returned when `$return` is true.
#[php_function]
#[php(defaults(r#return = false))]
pub fn peb_print_term(term: &Zval, r#return: bool) -> PhpResult<Zval> {
    errors::clear();
    let text = match with_term_bytes("peb_print_term", term, false, |b| decode::decode(b).map(|t| print::print(&t)))? {
        Ok(text) => text,
        Err(e) => return Ok(decode_failed(e)),
    };
    let mut zv = Zval::new();
    if r#return {
        zv.set_zend_string(ZendStr::new(text.as_bytes(), false));
    } else {
        let _ = ext_php_rs::php_output!(text.as_bytes());
        zv.set_bool(true);
    }
    Ok(zv)
}

/// The bytes of a term resource, with version byte: what Erlang's
/// `term_to_binary/1` returns and `binary_to_term/1` takes.
#[php_function]
pub fn peb_term_to_binary(term: &Zval) -> PhpResult<Zval> {
    errors::clear();
    let Some((_, value)) = resources::term_of(term) else {
        return Err(type_error("peb_term_to_binary", 1, "$term", "an Erlang Term resource", term).into());
    };
    let mut zv = Zval::new();
    zv.set_zend_string(ZendStr::new(value.external(), false));
    Ok(zv)
}

/// An "Erlang Term" resource from bytes with version byte (a stored
/// `term_to_binary/1` result), checked before it is accepted.
#[php_function]
pub fn peb_binary_to_term(bytes: &Zval) -> PhpResult<Zval> {
    errors::clear();
    let Some(s) = bytes.zend_str() else {
        return Err(type_error("peb_binary_to_term", 1, "$bytes", "string", bytes).into());
    };
    let checked = decode::strip_version(s.as_bytes()).and_then(|body| {
        let plain = decode::uncompress(body)?;
        decode::decode(&plain)?;
        Ok(plain.into_owned())
    });
    Ok(match checked {
        Ok(term) => resources::new_resource(Kind::Term, TermValue::from_term(&term, true)),
        Err(e) => decode_failed(e),
    })
}

/// The text of the last call's error, or null when it succeeded.
#[php_function]
pub fn peb_error() -> Option<String> {
    errors::message()
}

/// The number of the last call's error (mypeb's codes), or 0.
#[php_function]
pub fn peb_errorno() -> i64 {
    errors::code()
}

/// Adds this file's functions to the module.
pub fn functions(module: ModuleBuilder) -> ModuleBuilder {
    module
        .function(wrap_function!(peb_encode))
        .function(wrap_function!(peb_vencode))
        .function(wrap_function!(peb_decode))
        .function(wrap_function!(peb_vdecode))
        .function(wrap_function!(peb_print_term))
        .function(wrap_function!(peb_term_to_binary))
        .function(wrap_function!(peb_binary_to_term))
        .function(wrap_function!(peb_error))
        .function(wrap_function!(peb_errorno))
}

fn encode(fname: &str, format: &Zval, data: &Zval, versioned: bool) -> PhpResult<Zval> {
    errors::clear();
    let Some(format) = format.zend_str().map(|s| match std::str::from_utf8(s.as_bytes()) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(s.as_bytes()),
    }) else {
        return Err(type_error(fname, 1, "$format", "of type string", format).into());
    };
    let Some(data) = data.array() else {
        return Err(type_error(fname, 2, "$data", "of type array", data).into());
    };
    let item = format::parse_cached(&format).map_err(|e| args::format_error(fname, &e))?;
    let mut w = Writer::versioned();
    from_php::encode(&item, data, &mut w).map_err(|e| args::in_argument(fname, 2, "$data", e))?;
    Ok(resources::new_resource(Kind::Term, TermValue::from_external(w.into_bytes(), versioned)))
}

fn decode_to_php(fname: &str, term: &Zval, versioned: bool) -> PhpResult<Zval> {
    errors::clear();
    Ok(match with_term_bytes(fname, term, versioned, to_php::decode_wrapped)? {
        Ok(zv) => zv,
        Err(e) => decode_failed(e),
    })
}

/// Runs `f` on the (inflated) bytes of the term held by a resource or
/// carried in a string. Strings for the `v` functions must start with the
/// version byte; for the others it is optional (131 is no term tag).
fn with_term_bytes<R>(
    fname: &str,
    term: &Zval,
    versioned: bool,
    f: impl FnOnce(&[u8]) -> Result<R, DecodeError>,
) -> PhpResult<Result<R, DecodeError>> {
    let (bytes, skipped) = if let Some((_, value)) = resources::term_of(term) {
        (value.term(), 0)
    } else if let Some(s) = term.zend_str() {
        match (versioned, s.as_bytes()) {
            (true, s) => match decode::strip_version(s) {
                Ok(body) => (body, 1),
                Err(e) => return Ok(Err(e)),
            },
            (false, [tag::VERSION, body @ ..]) => (body, 1),
            (false, s) => (s, 0),
        }
    } else {
        return Err(type_error(fname, 1, "$term", "an Erlang Term resource or a string", term).into());
    };
    let result = decode::uncompress(bytes).and_then(|plain| f(&plain));
    Ok(result.map_err(|e| e.shifted(skipped)))
}

fn decode_failed(e: DecodeError) -> Zval {
    errors::set(Code::Decode, e.to_string());
    let mut zv = Zval::new();
    zv.set_bool(false);
    zv
}
