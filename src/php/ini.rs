//! The php.ini settings (all in `ini/peb.ini`), read where they are used so
//! that `ini_set()` at run time takes effect.

use std::ffi::{CStr, c_char, c_int};
use std::time::Duration;

use ext_php_rs::flags::IniEntryPermission;
use ext_php_rs::zend::{IniEntryDef, IniEntryDefs};

unsafe extern "C" {
    fn zend_ini_long(name: *const c_char, name_length: usize, orig: c_int) -> i64;
    fn zend_ini_string_ex(name: *const c_char, name_length: usize, orig: c_int, exists: *mut bool) -> *mut c_char;
}

pub const NODENAME: &CStr = c"peb.default_nodename";
pub const COOKIE: &CStr = c"peb.default_cookie";
pub const TIMEOUT: &CStr = c"peb.default_timeout";

static ENTRIES: IniEntryDefs<4> = IniEntryDefs::new([
    IniEntryDef::new(NODENAME, c"", IniEntryPermission::All),
    IniEntryDef::new(COOKIE, c"", IniEntryPermission::All),
    IniEntryDef::new(TIMEOUT, c"5000", IniEntryPermission::All),
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

/// `peb.default_timeout`, at least 1 ms.
pub fn timeout() -> Duration {
    // SAFETY: the name is a registered entry.
    let ms = unsafe { zend_ini_long(TIMEOUT.as_ptr(), TIMEOUT.count_bytes(), 0) };
    Duration::from_millis(ms.max(1) as u64)
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
