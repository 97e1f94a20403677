//! The php.ini settings (all in `ini/peb.ini`), read where they are used so
//! that `ini_set()` at run time takes effect. The `peb.tls*` settings are
//! the exception: php.ini (or `-d`, or php-fpm's `php_admin_value`) only,
//! so that one process speaks TLS to all its nodes or to none.

use std::ffi::{CStr, c_char, c_int};
use std::time::Duration;

use std::sync::atomic::{AtomicU32, Ordering};

use ext_php_rs::error::php_error;
use ext_php_rs::flags::{ErrorType, IniEntryPermission};
use ext_php_rs::zend::{IniEntryDef, IniEntryDefs};

unsafe extern "C" {
    fn zend_ini_long(name: *const c_char, name_length: usize, orig: c_int) -> i64;
    fn zend_ini_string_ex(name: *const c_char, name_length: usize, orig: c_int, exists: *mut bool) -> *mut c_char;
}

pub const NODENAME: &CStr = c"peb.default_nodename";
pub const COOKIE: &CStr = c"peb.default_cookie";
pub const TIMEOUT: &CStr = c"peb.default_timeout";
pub const SESSION_LOCKING: &CStr = c"peb.session.locking";
pub const SESSION_LOCK_WAIT: &CStr = c"peb.session.lock_wait";
pub const SESSION_LOCK_EXPIRE: &CStr = c"peb.session.lock_expire";
pub const SESSION_AUTOLOAD: &CStr = c"peb.session.autoload";
pub const SESSION_MAX_SIZE: &CStr = c"peb.session.max_size";
pub const TLS: &CStr = c"peb.tls";
pub const TLS_CAFILE: &CStr = c"peb.tls_cafile";
pub const TLS_CERTFILE: &CStr = c"peb.tls_certfile";
pub const TLS_KEYFILE: &CStr = c"peb.tls_keyfile";
pub const TLS_VERIFY: &CStr = c"peb.tls_verify";
const MAX_EXECUTION_TIME: &CStr = c"max_execution_time";

static ENTRIES: IniEntryDefs<14> = IniEntryDefs::new([
    IniEntryDef::new(NODENAME, c"", IniEntryPermission::All),
    IniEntryDef::new(COOKIE, c"", IniEntryPermission::All),
    IniEntryDef::new(TIMEOUT, c"5000", IniEntryPermission::All),
    IniEntryDef::new(SESSION_LOCKING, c"1", IniEntryPermission::All),
    IniEntryDef::new(SESSION_LOCK_WAIT, c"30000", IniEntryPermission::All),
    IniEntryDef::new(SESSION_LOCK_EXPIRE, c"0", IniEntryPermission::All),
    IniEntryDef::new(SESSION_AUTOLOAD, c"1", IniEntryPermission::All),
    IniEntryDef::new(SESSION_MAX_SIZE, c"16777216", IniEntryPermission::All),
    IniEntryDef::new(TLS, c"0", IniEntryPermission::System),
    IniEntryDef::new(TLS_CAFILE, c"", IniEntryPermission::System),
    IniEntryDef::new(TLS_CERTFILE, c"", IniEntryPermission::System),
    IniEntryDef::new(TLS_KEYFILE, c"", IniEntryPermission::System),
    IniEntryDef::new(TLS_VERIFY, c"1", IniEntryPermission::System),
    IniEntryDef::end(),
]);

pub fn register(module_number: i32) {
    IniEntryDef::register(ENTRIES.as_slice(), module_number);
}

pub fn string(name: &CStr) -> String {
    let mut exists = false;
    // SAFETY: the name is a registered entry; PHP returns a NUL-terminated
    // string it owns (or null), which is copied before anything can change it.
    unsafe {
        let p = zend_ini_string_ex(name.as_ptr(), name.count_bytes(), 0, &raw mut exists);
        if p.is_null() { String::new() } else { CStr::from_ptr(p).to_string_lossy().into_owned() }
    }
}

/// An integer setting (`0` where it is not a number, as PHP reads it).
pub fn long(name: &CStr) -> i64 {
    // SAFETY: the name is NUL-terminated; PHP returns 0 for an unknown entry.
    unsafe { zend_ini_long(name.as_ptr(), name.count_bytes(), 0) }
}

/// `peb.default_timeout`, at least 1 ms.
pub fn timeout() -> Duration {
    Duration::from_millis(long(TIMEOUT).max(1) as u64)
}

/// `peb.session.max_size`: the largest session data written, in bytes; `None` for 0 (no limit).
pub fn session_max_size() -> Option<usize> {
    usize::try_from(long(SESSION_MAX_SIZE)).ok().filter(|n| *n > 0)
}

/// `peb.session.lock_expire`; 0 means `max_execution_time`, or 30 s where that is 0 too.
pub fn lock_expire() -> Duration {
    let s = [long(SESSION_LOCK_EXPIRE), long(MAX_EXECUTION_TIME), 30].into_iter().find(|s| *s > 0).unwrap_or(30);
    Duration::from_secs(s as u64)
}

/// `peb.default_cookie`, or the cookie file `~/.erlang.cookie` as Erlang reads it.
pub fn cookie() -> String {
    let c = string(COOKIE);
    if !c.is_empty() {
        return c;
    }
    std::env::var_os("HOME")
        .and_then(|home| std::fs::read_to_string(std::path::Path::new(&home).join(".erlang.cookie")).ok())
        .map(|s| s.trim().to_string())
        .unwrap_or_default()
}

/// A boolean setting, read as PHP reads one (`1`, `On`, `yes`, `true`).
pub fn flag(name: &CStr) -> bool {
    let v = string(name);
    matches!(v.trim().to_ascii_lowercase().as_str(), "on" | "yes" | "true")
        || v.trim().parse::<i64>().is_ok_and(|n| n != 0)
}

/// `peb.tls*`: the TLS settings of every link, or `None` (plain). With
/// `peb.tls_verify=0`, PHP is warned once per process.
pub fn tls() -> Option<crate::node::tls::Settings> {
    if !flag(TLS) {
        return None;
    }
    let settings = crate::node::tls::Settings {
        cafile: string(TLS_CAFILE),
        certfile: string(TLS_CERTFILE),
        keyfile: string(TLS_KEYFILE),
        verify: flag(TLS_VERIFY),
    };
    static WARNED: AtomicU32 = AtomicU32::new(0);
    let pid = std::process::id();
    if !settings.verify && WARNED.swap(pid, Ordering::Relaxed) != pid {
        let why = "peb.tls_verify=0: the certificates of nodes are not checked, any node can pass for another";
        php_error(&ErrorType::Warning, why);
    }
    Some(settings)
}
