//! The `ps_module` that PHP's session extension calls: the C layout of
//! `ext/session/php_session.h` for the PHP API built against (`build.rs`
//! checks the API and the header, and sets `php_session_open_zstr` where
//! open takes `zend_string *` arguments), registered under the name
//! `erlang`. Every callback turns C arguments into Rust ones, runs the
//! operation of [`Session`] and turns a failure into a warning; a panic
//! never crosses into PHP. This file is the only unsafe code of the
//! save handler.

use std::ffi::{c_char, c_int, c_void};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Duration;

use ext_php_rs::error::php_error;
use ext_php_rs::ffi::{zend_long, zend_string};
use ext_php_rs::flags::ErrorType;
use ext_php_rs::types::ZendStr;

use super::live::{self, Live};
use super::{sid, tags};

pub type Session = super::handler::Session<Live>;

const SUCCESS: c_int = 0;
const FAILURE: c_int = -1;

type ModData = *mut *mut c_void;

/// How open gets the save path and the session name: `const char *` up to
/// PHP 8.5, `zend_string *` from 8.6 on.
#[cfg(not(php_session_open_zstr))]
type OpenArg = *const c_char;
#[cfg(php_session_open_zstr)]
type OpenArg = *mut zend_string;

/// `ps_module_struct`, field by field (every field a pointer).
#[repr(C)]
pub struct PsModule {
    s_name: *const c_char,
    s_open: unsafe extern "C" fn(ModData, OpenArg, OpenArg) -> c_int,
    s_close: unsafe extern "C" fn(ModData) -> c_int,
    s_read: unsafe extern "C" fn(ModData, *mut zend_string, *mut *mut zend_string, zend_long) -> c_int,
    s_write: unsafe extern "C" fn(ModData, *mut zend_string, *mut zend_string, zend_long) -> c_int,
    s_destroy: unsafe extern "C" fn(ModData, *mut zend_string) -> c_int,
    s_gc: unsafe extern "C" fn(ModData, zend_long, *mut zend_long) -> zend_long,
    s_create_sid: unsafe extern "C" fn(ModData) -> *mut zend_string,
    s_validate_sid: unsafe extern "C" fn(ModData, *mut zend_string) -> c_int,
    s_update_timestamp: unsafe extern "C" fn(ModData, *mut zend_string, *mut zend_string, zend_long) -> c_int,
}

/// The fields of [`PsModule`] in order, compared with the header's in the tests.
const FIELDS: [&str; 10] = [
    "s_name",
    "s_open",
    "s_close",
    "s_read",
    "s_write",
    "s_destroy",
    "s_gc",
    "s_create_sid",
    "s_validate_sid",
    "s_update_timestamp",
];

// The layout C sees: ten pointers, in the order of FIELDS, nothing between.
const _: () = {
    let ptr = std::mem::size_of::<*const c_void>();
    assert!(std::mem::size_of::<PsModule>() == FIELDS.len() * ptr);
    assert!(std::mem::offset_of!(PsModule, s_open) == ptr);
    assert!(std::mem::offset_of!(PsModule, s_gc) == 6 * ptr);
    assert!(std::mem::offset_of!(PsModule, s_update_timestamp) == 9 * ptr);
};

// SAFETY: the struct is immutable after construction and holds only a
// pointer to a static string and function pointers.
unsafe impl Sync for PsModule {}

unsafe extern "C" {
    fn php_session_register_module(module: *const PsModule) -> c_int;
    fn php_session_create_id(mod_data: ModData) -> *mut zend_string;
}

static MODULE: PsModule = PsModule {
    s_name: c"erlang".as_ptr(),
    s_open: open,
    s_close: close,
    s_read: read,
    s_write: write,
    s_destroy: destroy,
    s_gc: gc,
    s_create_sid: create_sid,
    s_validate_sid: validate_sid,
    s_update_timestamp: update_timestamp,
};

/// MINIT: makes `session.save_handler = erlang` known to PHP.
pub fn register() {
    // SAFETY: MODULE is static, so the pointer outlives PHP's table of modules.
    unsafe { php_session_register_module(&raw const MODULE) };
}

thread_local! {
    /// The session `open` made and `close` frees (null when none is open),
    /// for the PHP functions that work on the active session (`with_active`).
    static ACTIVE: std::cell::Cell<*mut Session> = const { std::cell::Cell::new(std::ptr::null_mut()) };
}

/// Runs `f` on the request's open session of this handler; None when no
/// session of `session.save_handler = erlang` is active.
pub fn with_active<R>(f: impl FnOnce(&mut Session) -> R) -> Option<R> {
    let ptr = ACTIVE.with(|a| a.get());
    // SAFETY: ACTIVE holds the Box that `open` put in PHP's slot, and is
    // emptied before `close` frees it (and at each request's start); PHP
    // runs no session callback while a PHP function runs, so nothing else
    // borrows the session meanwhile.
    unsafe { ptr.as_mut() }.map(f)
}

/// RINIT: writes are sent without waiting for their confirmation again.
pub fn request_start() {
    ACTIVE.with(|a| a.set(std::ptr::null_mut()));
    tags::clear();
    live::start_request();
}

/// RSHUTDOWN of peb, which PHP runs before the session extension's: the
/// confirmations of the writes sent are taken; a failure is a warning.
pub fn request_end() {
    let failures = catch_unwind(live::end_request).unwrap_or_else(|_| vec!["internal error".into()]);
    warn_all(failures);
}

fn warn_all(failures: Vec<String>) {
    for f in failures {
        php_error(&ErrorType::Warning, &format!("peb session: {f}"));
    }
}

/// Runs a callback body; a failure or a panic becomes a warning and `fallback`.
fn guarded<T>(fallback: T, f: impl FnOnce() -> Result<T, String>) -> T {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(v)) => v,
        Ok(Err(message)) => {
            php_error(&ErrorType::Warning, &format!("peb session: {message}"));
            fallback
        }
        Err(_) => {
            php_error(&ErrorType::Warning, "peb session: internal error");
            fallback
        }
    }
}

fn result(ok: bool) -> c_int {
    if ok { SUCCESS } else { FAILURE }
}

/// The request's session that `open` stored in `*mod_data`.
///
/// # Safety
/// `mod_data` is the pointer PHP passes to every callback.
unsafe fn session<'a>(mod_data: ModData) -> Result<&'a mut Session, String> {
    // SAFETY: PHP passes a valid pointer to its slot; the slot holds null or a Box<Session> from `open`.
    unsafe { (*mod_data).cast::<Session>().as_mut() }.ok_or_else(|| "the session is not open".into())
}

/// # Safety
/// `s` is a valid zend_string that PHP keeps alive during the call.
unsafe fn bytes<'a>(s: *mut zend_string) -> &'a [u8] {
    // SAFETY: as the caller promises; ZendStr is zend_string.
    unsafe { (*s.cast::<ZendStr>()).as_bytes() }
}

fn lifetime(maxlifetime: zend_long) -> Duration {
    Duration::from_secs(maxlifetime.max(0) as u64)
}

/// The save path as open gets it.
///
/// # Safety
/// `save_path` is PHP's argument to open, valid during the call.
#[cfg(not(php_session_open_zstr))]
unsafe fn save_path_text(save_path: OpenArg) -> String {
    // SAFETY: PHP passes its NUL-terminated save path.
    unsafe { std::ffi::CStr::from_ptr(save_path) }.to_string_lossy().into_owned()
}

/// The save path as open gets it.
///
/// # Safety
/// `save_path` is PHP's argument to open, valid during the call.
#[cfg(php_session_open_zstr)]
unsafe fn save_path_text(save_path: OpenArg) -> String {
    // SAFETY: PHP passes its save path as a zend_string it keeps alive during the call.
    String::from_utf8_lossy(unsafe { bytes(save_path) }).into_owned()
}

unsafe extern "C" fn open(mod_data: ModData, save_path: OpenArg, _name: OpenArg) -> c_int {
    guarded(FAILURE, || {
        // SAFETY: PHP's argument to open, valid during the call.
        let path = unsafe { save_path_text(save_path) };
        let session = Box::into_raw(Box::new(live::open(&path)?));
        ACTIVE.with(|a| a.set(session));
        tags::session_opened();
        // SAFETY: PHP's slot for this module's data; close frees it.
        unsafe { *mod_data = session.cast() };
        Ok(SUCCESS)
    })
}

unsafe extern "C" fn close(mod_data: ModData) -> c_int {
    ACTIVE.with(|a| a.set(std::ptr::null_mut()));
    guarded(FAILURE, || {
        // SAFETY: the slot holds null or the Box that `open` made; it is emptied here.
        let session = unsafe { std::mem::replace(&mut *mod_data, std::ptr::null_mut()) };
        if session.is_null() {
            return Ok(SUCCESS);
        }
        // SAFETY: made by Box::into_raw in `open`, and taken out of the slot above.
        let session = unsafe { Box::from_raw(session.cast::<Session>()) };
        session.close().map(|()| SUCCESS)
    })
}

unsafe extern "C" fn read(
    mod_data: ModData,
    key: *mut zend_string,
    val: *mut *mut zend_string,
    _max: zend_long,
) -> c_int {
    guarded(FAILURE, || {
        // SAFETY: PHP's arguments to read, valid during the call.
        let (session, id) = unsafe { (session(mod_data)?, bytes(key)) };
        sid::check(id)?;
        let data = session.read(id);
        // The writes sent before this read were answered before it.
        warn_all(match data {
            Ok(_) => live::settle(),
            Err(_) => live::settle_after_failed_read(session.link()),
        });
        let data = data?;
        // SAFETY: PHP takes ownership of the string it is handed in *val.
        unsafe { *val = ZendStr::new(data.as_bytes(), false).into_raw().cast() };
        Ok(SUCCESS)
    })
}

unsafe extern "C" fn write(mod_data: ModData, key: *mut zend_string, val: *mut zend_string, max: zend_long) -> c_int {
    guarded(FAILURE, || {
        // SAFETY: PHP's arguments to write, valid during the call.
        let (session, id, data) = unsafe { (session(mod_data)?, bytes(key), bytes(val)) };
        sid::check(id)?;
        session.write_tagged(id, data, lifetime(max), tags::take()).map(|()| SUCCESS)
    })
}

unsafe extern "C" fn update_timestamp(
    mod_data: ModData,
    key: *mut zend_string,
    val: *mut zend_string,
    max: zend_long,
) -> c_int {
    guarded(FAILURE, || {
        // SAFETY: PHP's arguments, valid during the call.
        let (session, id) = unsafe { (session(mod_data)?, bytes(key)) };
        sid::check(id)?;
        if tags::has_pending() {
            // Tags given: the unchanged data is written, as the tags ride with a write.
            // SAFETY: as above.
            let data = unsafe { bytes(val) };
            return session.write_tagged(id, data, lifetime(max), tags::take()).map(|()| SUCCESS);
        }
        session.touch(id, lifetime(max)).map(|()| SUCCESS)
    })
}

unsafe extern "C" fn destroy(mod_data: ModData, key: *mut zend_string) -> c_int {
    guarded(FAILURE, || {
        // SAFETY: PHP's arguments, valid during the call.
        let (session, id) = unsafe { (session(mod_data)?, bytes(key)) };
        sid::check(id)?;
        session.destroy(id).map(|()| SUCCESS)
    })
}

unsafe extern "C" fn gc(mod_data: ModData, _max: zend_long, nrdels: *mut zend_long) -> zend_long {
    guarded(-1, || {
        // SAFETY: PHP's arguments; nrdels points to its counter.
        let session = unsafe { session(mod_data)? };
        let n = session.gc()?;
        // SAFETY: as above.
        unsafe { *nrdels = n };
        Ok(n)
    })
}

/// PHP's own id generator, then a check with the store: an id that exists is never handed out.
unsafe extern "C" fn create_sid(mod_data: ModData) -> *mut zend_string {
    guarded(std::ptr::null_mut(), || {
        for _ in 0..3 {
            // SAFETY: PHP's generator, called as PHP's own modules call it.
            let id = unsafe { php_session_create_id(mod_data) };
            // SAFETY: PHP passes its slot, which holds null or our session.
            let taken = match (unsafe { session(mod_data) }, id.is_null()) {
                (Ok(session), false) => {
                    // SAFETY: an id PHP made, not null, is a valid string.
                    let id = unsafe { bytes(id) };
                    // No store reachable: the fresh id (128 random bits) is
                    // handed out unchecked, and the read that follows fails
                    // with the node's error, so session_start() returns
                    // false. A NULL here is an Error thrown by PHP 8.4.
                    session.exists(id).unwrap_or(false)
                }
                _ => false,
            };
            if !taken {
                return Ok(id);
            }
            // SAFETY: the id was made for us and is not handed out.
            unsafe { ext_php_rs::ffi::ext_php_rs_zend_string_release(id) };
        }
        Err("could not make a session id that is not in use".into())
    })
}

/// Strict mode: only ids of live sessions are accepted; an id PHP's
/// alphabet does not allow is refused without asking the node, and PHP
/// then makes a fresh one.
unsafe extern "C" fn validate_sid(mod_data: ModData, key: *mut zend_string) -> c_int {
    guarded(FAILURE, || {
        // SAFETY: PHP's arguments, valid during the call.
        let (session, id) = unsafe { (session(mod_data)?, bytes(key)) };
        if !sid::is_valid(id) {
            return Ok(FAILURE);
        }
        Ok(result(session.exists(id)?))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    include!(concat!(env!("OUT_DIR"), "/php_session_h.rs"));

    /// `PS_OPEN_ARGS` as [`OpenArg`] declares them.
    #[cfg(not(php_session_open_zstr))]
    const OPEN_ARGS: &str = "void **mod_data, const char *save_path, const char *session_name";
    #[cfg(php_session_open_zstr)]
    const OPEN_ARGS: &str = "void **mod_data, zend_string *save_path, zend_string *session_name";

    #[test]
    fn the_layout_is_the_headers() {
        assert_eq!(PS_MODULE_FIELDS, FIELDS, "ps_module_struct of the PHP built against");
        assert_eq!(std::mem::size_of::<PsModule>(), PS_MODULE_FIELDS.len() * std::mem::size_of::<usize>());
        assert_eq!(PS_OPEN_ARGS, OPEN_ARGS, "PS_OPEN_ARGS of the PHP built against");
    }
}
