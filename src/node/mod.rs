//! One link to an Erlang node, as a hidden node: EPMD lookup and handshake
//! (`connect`, on the framing of `handshake_io`, with TLS from `tls` when
//! php.ini asks for it), on the process-wide runtime that runs them (`runtime`), the
//! frames of the distribution protocol (`frame`), the link itself, whose
//! callers read their own replies, with the thread that answers ticks on
//! idle links (`link`), and the persistent links kept across requests
//! (`registry`). What a forked child keeps of its parent's, untouched, is
//! in `inherited`; what can go wrong, in `error`.
//!
//! Nothing here knows PHP; `php::link` is the PHP face.

pub mod connect;
pub mod error;
pub mod frame;
pub mod handshake_io;
pub(crate) mod inherited;
pub mod link;
pub mod name;
pub mod registry;
pub mod runtime;
pub mod tls;

pub use error::Error;
pub use link::Link;
