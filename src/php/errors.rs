//! The per-request "last error" behind `peb_error()` and `peb_errorno()`,
//! with mypeb's numbering. Every peb function clears it on entry, so it
//! always describes the last call.

use std::cell::RefCell;

/// mypeb's error numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(i64)]
pub enum Code {
    Init = 1,
    Connect = 2,
    Send = 3,
    Receive = 4,
    NotMine = 5,
    Decode = 6,
}

thread_local! {
    // PHP runs one request per thread at a time; NTS builds have one thread.
    static LAST: RefCell<Option<(Code, String)>> = const { RefCell::new(None) };
}

pub fn clear() {
    LAST.with(|l| *l.borrow_mut() = None);
}

pub fn set(code: Code, message: impl Into<String>) {
    LAST.with(|l| *l.borrow_mut() = Some((code, message.into())));
}

pub fn code() -> i64 {
    LAST.with(|l| l.borrow().as_ref().map_or(0, |(c, _)| *c as i64))
}

pub fn message() -> Option<String> {
    LAST.with(|l| l.borrow().as_ref().map(|(_, m)| m.clone()))
}
