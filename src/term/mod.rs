//! Erlang's external term format: the pure half of the bridge.
//!
//! `decode` reads untrusted bytes into a [`Term`], `encode` writes terms,
//! `format` parses mypeb's format strings, `print` renders Erlang syntax.
//! `from_php` and `to_php` are the only parts that know PHP values.

pub mod bigint;
pub mod decode;
pub mod decoded;
pub mod encode;
pub mod format;
pub mod from_php;
pub mod print;
pub mod tag;
pub mod to_php;

pub use decoded::{OpaqueKind, Term};

#[cfg(test)]
mod fuzz_tests;
