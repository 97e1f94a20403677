//! Erlang's external term format: the pure half of the bridge.
//!
//! `decode` reads untrusted bytes into a [`Term`], `encode` writes terms,
//! `format` parses mypeb's format strings, `print` renders Erlang syntax,
//! `decoded` holds the tree the decoder builds. Nothing here knows PHP:
//! `php::from_php` and `php::to_php` map PHP values to and from terms.

pub mod bigint;
pub mod decode;
pub mod decoded;
pub mod encode;
pub mod format;
pub mod print;
pub mod tag;

pub use decoded::{OpaqueKind, Term};

#[cfg(test)]
mod fuzz_tests;
