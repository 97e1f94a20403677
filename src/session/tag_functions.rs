//! The PHP functions of session tags (docs/tags.md): `peb_session_tag`,
//! `peb_session_tags`, `peb_session_destroy_tagged`,
//! `peb_session_count_tagged`, `peb_session_ids_tagged`. They work on the
//! request's active session of `session.save_handler = erlang`: tags wait
//! for its next write (`session::tags`), the others ask its node at once.
//!
//! Wrong arguments throw (TypeError, ValueError); no active session, or a
//! store that cannot answer, is a warning and `false`. A panic never
//! crosses into PHP.

use std::panic::{AssertUnwindSafe, catch_unwind};

use ext_php_rs::builders::ModuleBuilder;
use ext_php_rs::error::php_error;
use ext_php_rs::flags::ErrorType;
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendHashTable, ZendStr, Zval};

use super::store::{Tagged, TaggedReply};
use super::{live, tags, with_active};
use crate::php::args::{ArgError, type_error};
use crate::php::array;

/// A warning and `false`, or a thrown error.
enum Fail {
    Warn(String),
    Throw(ArgError),
}

impl From<ArgError> for Fail {
    fn from(e: ArgError) -> Self {
        Fail::Throw(e)
    }
}

/// Runs a function's body; PHP names the function in the warning itself.
fn run(f: impl FnOnce() -> Result<Zval, Fail>) -> PhpResult<Zval> {
    let outcome = catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|_| Err(Fail::Warn("internal error".into())));
    match outcome {
        Ok(zv) => Ok(zv),
        Err(Fail::Throw(e)) => Err(e.into()),
        Err(Fail::Warn(message)) => {
            php_error(&ErrorType::Warning, &message);
            let mut zv = Zval::new();
            zv.set_bool(false);
            Ok(zv)
        }
    }
}

fn no_session() -> Fail {
    Fail::Warn("no session is active (session_start() with session.save_handler = erlang first)".into())
}

/// A tag argument: a string of 1 to 255 bytes.
fn tag_arg(fname: &str, n: usize, name: &str, zv: &Zval) -> Result<Vec<u8>, ArgError> {
    let Some(s) = zv.dereference().zend_str() else {
        return Err(type_error(fname, n, name, "of type string", zv));
    };
    let bytes = s.as_bytes().to_vec();
    tags::check(&bytes).map_err(|why| ArgError::Value(format!("{fname}(): Argument #{n} ({name}) {why}")))?;
    Ok(bytes)
}

fn string(bytes: &[u8]) -> Zval {
    let mut zv = Zval::new();
    zv.set_zend_string(ZendStr::new(bytes, false));
    zv
}

fn list(items: &[Vec<u8>]) -> Zval {
    let mut ht = ZendHashTable::new();
    for item in items {
        array::push(&mut ht, string(item));
    }
    let mut zv = Zval::new();
    zv.set_hashtable(ht);
    zv
}

/// Gives the active session these tags, stored with its next write
/// (session_write_close() or the end of the request): no round trip now.
#[php_function]
pub fn peb_session_tag(tags: &[&Zval]) -> PhpResult<Zval> {
    const F: &str = "peb_session_tag";
    run(|| {
        let given =
            tags.iter().enumerate().map(|(i, zv)| tag_arg(F, i + 1, "$tags", zv)).collect::<Result<Vec<_>, _>>()?;
        with_active(|_| ()).ok_or_else(no_session)?;
        tags::add(given).map_err(|why| Fail::Throw(ArgError::Value(format!("{F}(): {why}"))))?;
        let mut zv = Zval::new();
        zv.set_bool(true);
        Ok(zv)
    })
}

/// The tags given to the session in this request.
#[php_function]
pub fn peb_session_tags() -> PhpResult<Zval> {
    run(|| {
        with_active(|_| ()).ok_or_else(no_session)?;
        Ok(list(&tags::given()))
    })
}

/// Destroys every session tagged `$tag`, on every node of the store; how many.
#[php_function]
pub fn peb_session_destroy_tagged(tag: &Zval) -> PhpResult<Zval> {
    tagged("peb_session_destroy_tagged", Tagged::Destroy, tag)
}

/// How many live sessions are tagged `$tag`.
#[php_function]
pub fn peb_session_count_tagged(tag: &Zval) -> PhpResult<Zval> {
    tagged("peb_session_count_tagged", Tagged::Count, tag)
}

/// The ids of the live sessions tagged `$tag`.
#[php_function]
pub fn peb_session_ids_tagged(tag: &Zval) -> PhpResult<Zval> {
    tagged("peb_session_ids_tagged", Tagged::Ids, tag)
}

fn tagged(fname: &str, op: Tagged, tag: &Zval) -> PhpResult<Zval> {
    run(|| {
        let tag = tag_arg(fname, 1, "$tag", tag)?;
        // The writes sent so far go first: their tags count.
        for failure in live::settle() {
            php_error(&ErrorType::Warning, &format!("peb session: {failure}"));
        }
        let reply = with_active(|s| s.tagged(op, &tag)).ok_or_else(no_session)?.map_err(Fail::Warn)?;
        Ok(match reply {
            TaggedReply::Count(n) => {
                let mut zv = Zval::new();
                zv.set_long(n);
                zv
            }
            TaggedReply::Ids(ids) => list(&ids),
        })
    })
}

/// Adds the functions to the module.
pub fn functions(module: ModuleBuilder) -> ModuleBuilder {
    module
        .function(wrap_function!(peb_session_tag))
        .function(wrap_function!(peb_session_tags))
        .function(wrap_function!(peb_session_destroy_tagged))
        .function(wrap_function!(peb_session_count_tagged))
        .function(wrap_function!(peb_session_ids_tagged))
}
