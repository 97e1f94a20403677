//! What went wrong on a link, in mypeb's categories (which `php::link` maps
//! to `peb_errorno()`'s numbers).

use std::fmt;

/// What went wrong on a link, in mypeb's categories.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The runtime could not start.
    Init(String),
    /// EPMD, TCP or the handshake failed.
    Connect(String),
    /// A frame could not be written.
    Send(String),
    /// Nothing arrived in time, or the link went down while waiting.
    Receive(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Init(m) | Error::Connect(m) | Error::Send(m) | Error::Receive(m) => f.write_str(m),
        }
    }
}
