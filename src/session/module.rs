//! The `ps_module` that PHP's session extension calls: the C layout of
//! PHP 8.2's `ext/session/php_session.h`, registered under the name
//! `erlang`. Every callback turns C arguments into Rust ones, runs the
//! operation of [`Session`] and turns a failure into a warning; a panic
//! never crosses into PHP. This file is the only unsafe code of the
//! save handler.

use std::ffi::{CStr, c_char, c_int, c_void};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Duration;

use ext_php_rs::error::php_error;
use ext_php_rs::ffi::{zend_long, zend_string};
use ext_php_rs::flags::ErrorType;
use ext_php_rs::types::ZendStr;

use super::handler::{self, Session};
use super::sid;

const SUCCESS: c_int = 0;
const FAILURE: c_int = -1;

type ModData = *mut *mut c_void;

#[repr(C)]
pub struct PsModule {
    s_name: *const c_char,
    s_open: unsafe extern "C" fn(ModData, *const c_char, *const c_char) -> c_int,
    s_close: unsafe extern "C" fn(ModData) -> c_int,
    s_read: unsafe extern "C" fn(ModData, *mut zend_string, *mut *mut zend_string, zend_long) -> c_int,
    s_write: unsafe extern "C" fn(ModData, *mut zend_string, *mut zend_string, zend_long) -> c_int,
    s_destroy: unsafe extern "C" fn(ModData, *mut zend_string) -> c_int,
    s_gc: unsafe extern "C" fn(ModData, zend_long, *mut zend_long) -> zend_long,
    s_create_sid: unsafe extern "C" fn(ModData) -> *mut zend_string,
    s_validate_sid: unsafe extern "C" fn(ModData, *mut zend_string) -> c_int,
    s_update_timestamp: unsafe extern "C" fn(ModData, *mut zend_string, *mut zend_string, zend_long) -> c_int,
}

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

/// RINIT: writes are sent without waiting for their confirmation again.
pub fn request_start() {
    handler::start_request();
}

/// RSHUTDOWN of peb, which PHP runs before the session extension's: the
/// confirmations of the writes sent are taken; a failure is a warning.
pub fn request_end() {
    let failures = catch_unwind(handler::end_request).unwrap_or_else(|_| vec!["internal error".into()]);
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

unsafe extern "C" fn open(mod_data: ModData, save_path: *const c_char, _name: *const c_char) -> c_int {
    guarded(FAILURE, || {
        // SAFETY: PHP passes its NUL-terminated save path.
        let path = unsafe { CStr::from_ptr(save_path) }.to_string_lossy();
        let session = Box::new(Session::open(&path)?);
        // SAFETY: PHP's slot for this module's data; close frees it.
        unsafe { *mod_data = Box::into_raw(session).cast() };
        Ok(SUCCESS)
    })
}

unsafe extern "C" fn close(mod_data: ModData) -> c_int {
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
            Ok(_) => handler::settle(),
            Err(_) => handler::settle_after_failed_read(session.link()),
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
        session.write(id, data, lifetime(max)).map(|()| SUCCESS)
    })
}

unsafe extern "C" fn update_timestamp(
    mod_data: ModData,
    key: *mut zend_string,
    _val: *mut zend_string,
    max: zend_long,
) -> c_int {
    guarded(FAILURE, || {
        // SAFETY: PHP's arguments, valid during the call.
        let (session, id) = unsafe { (session(mod_data)?, bytes(key)) };
        sid::check(id)?;
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
            // SAFETY: PHP passes its slot; an id PHP made is a valid string.
            let taken = match (unsafe { session(mod_data) }, id.is_null()) {
                (Ok(session), false) => session.exists(unsafe { bytes(id) })?,
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
