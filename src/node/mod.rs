//! One link to an Erlang node, as a hidden node: EPMD lookup and handshake
//! (`connect`), on the process-wide runtime that runs them (`runtime`), the
//! frames of the distribution protocol (`frame`), the link itself, whose
//! callers read their own replies (`link`), the thread that answers ticks
//! on idle links (`ticker`), and the persistent links kept across requests
//! (`registry`). What a forked child keeps of its parent's, untouched, is
//! in `inherited`.
//!
//! Nothing here knows PHP; `php::link` is the PHP face.

pub mod connect;
pub mod frame;
pub(crate) mod inherited;
pub mod link;
pub mod name;
pub mod registry;
pub mod runtime;
mod ticker;

pub use link::Link;

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
