//! The three fuzzed surfaces, each one function of bytes, shared by the
//! cargo-fuzz targets (`fuzz/`) and by the test that replays their corpus
//! and every crash found (`corpus`), so that what the fuzzer ran is what
//! `cargo test` checks. Nothing here needs a PHP runtime. Built only for
//! tests and with the `fuzz` feature, which the targets' crate turns on.
//!
//! Each function panics only when an invariant breaks (a term the writer
//! made that the decoder refuses, a reply that parses differently twice):
//! errors on hostile input are the expected outcome, not findings.

use crate::node::link::replay::replay_replies;
use crate::session::store;
use crate::term::decode::{self, MAX_DEPTH};
use crate::term::encode::{Writer, atom_len_ok};
use crate::term::format::{self, Directive, Item};
use crate::term::print::print;

#[cfg(test)]
mod corpus;

/// The decoder on untrusted bytes, with and without the version byte, and
/// the printer on whatever it accepts.
pub fn decode(data: &[u8]) {
    if let Ok(term) = decode::decode(data) {
        let _ = print(&term);
    }
    if let Ok((term, used)) = decode::decode_prefix(data) {
        assert!(used <= data.len(), "a prefix longer than its input");
        let _ = print(&term);
    }
    if let Ok(body) = decode::strip_version(data)
        && let Ok(body) = decode::uncompress(body)
        && let Ok(term) = decode::decode(&body)
    {
        let _ = print(&term);
    }
}

/// The format-string encoder: the bytes up to the first NUL are a format,
/// the rest feed its directives. A format that parses is written as the
/// extension writes it (`php::from_php` walks PHP arrays the same way),
/// and what the writer produced must decode to the same shape.
pub fn format(data: &[u8]) {
    let split = data.iter().position(|b| *b == 0).unwrap_or(data.len());
    let Ok(fmt) = std::str::from_utf8(&data[..split]) else { return };
    let Ok(item) = format::parse(fmt) else { return };
    let mut values = Values(data.get(split + 1..).unwrap_or(&[]));
    let mut w = Writer::default();
    if !write(&item, &mut values, &mut w, 0) {
        return;
    }
    let bytes = w.into_bytes();
    let term = decode::decode(&bytes).unwrap_or_else(|e| panic!("{fmt:?} wrote a term the decoder refuses: {e}"));
    let _ = print(&term);
}

/// A link's reply handling: the first byte sets the size of each read, the
/// rest is what the node sends. Every reply a call would get then goes
/// through the session store's reply parsers.
pub fn replies(data: &[u8]) {
    let Some((&chunk, stream)) = data.split_first() else { return };
    let (replies, mailbox) = replay_replies(stream, usize::from(chunk) + 1);
    for reply in &replies {
        assert!(decode::decode(reply).is_ok(), "a call was handed bytes that are not one term");
    }
    for reply in replies.iter().chain(&mailbox) {
        if let Ok((data, _)) = store::read_reply(reply.clone()) {
            assert!(data.as_bytes().len() < reply.len(), "session data larger than its reply");
        }
        let _ = store::ok_reply(reply, "write");
        let _ = store::gc_reply(reply);
        let _ = store::exists_reply(reply);
    }
}

/// The bytes that feed directives, taken as needed; zeros once used up.
struct Values<'a>(&'a [u8]);

impl Values<'_> {
    fn take(&mut self, n: usize) -> &[u8] {
        let n = n.min(self.0.len());
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        head
    }

    fn byte(&mut self) -> u8 {
        self.take(1).first().copied().unwrap_or(0)
    }

    fn i64(&mut self) -> i64 {
        let mut b = [0u8; 8];
        let got = self.take(8);
        b[..got.len()].copy_from_slice(got);
        i64::from_le_bytes(b)
    }

    /// A length-prefixed byte string.
    fn bytes(&mut self) -> Vec<u8> {
        let n = usize::from(self.byte());
        self.take(n).to_vec()
    }
}

/// Writes `it` with values from `v`, as `from_php` does, refusing what it
/// refuses (atoms too long or not UTF-8, non-finite floats, negative `~u`);
/// whether the term was written.
fn write(it: &Item, v: &mut Values, w: &mut Writer, depth: usize) -> bool {
    match it {
        Item::Scalar { directive, .. } => scalar(*directive, v, w, depth),
        Item::List { items, .. } => {
            if !items.is_empty() {
                w.list_header(items.len());
            }
            items.iter().all(|i| write(i, v, w, depth + 1)) && {
                w.nil();
                true
            }
        }
        Item::Tuple { items, .. } => {
            w.tuple_header(items.len());
            items.iter().all(|i| write(i, v, w, depth + 1))
        }
    }
}

fn scalar(d: Directive, v: &mut Values, w: &mut Writer, depth: usize) -> bool {
    match d {
        Directive::Atom => match String::from_utf8(v.bytes()) {
            Ok(name) if atom_len_ok(&name) => w.atom(&name),
            _ => return false,
        },
        Directive::Str => w.string(&v.bytes()),
        Directive::Binary => w.binary(&v.bytes()),
        Directive::Int => w.int(v.i64()),
        Directive::Unsigned => match v.i64() {
            n if n < 0 => return false,
            n => w.int(n),
        },
        Directive::Float => match f64::from_bits(v.i64() as u64) {
            f if f.is_finite() => w.float(f),
            _ => return false,
        },
        // A pid, as `~p` and `~P` write one from a link or a decode.
        Directive::LinkPid | Directive::Resource => w.raw(&crate::node::frame::pid("a@b", 1, 0, 1)),
        Directive::Value => return value(v, w, depth),
    }
    true
}

/// A list or map of `~v` values (a PHP array), at most 3 elements.
fn container(v: &mut Values, w: &mut Writer, depth: usize) -> bool {
    let n = usize::from(v.byte() % 4);
    if n == 0 {
        w.nil();
        return true;
    }
    if v.byte().is_multiple_of(2) {
        w.list_header(n);
        let ok = (0..n).all(|_| value(v, w, depth + 1));
        w.nil();
        return ok;
    }
    w.map_header(n);
    // Distinct keys, as a PHP array's.
    (0..n).all(|k| {
        w.int(k as i64);
        value(v, w, depth + 1)
    })
}

/// `~v`: a value chosen by the next byte, nested as deep as the decoder allows.
fn value(v: &mut Values, w: &mut Writer, depth: usize) -> bool {
    if depth >= MAX_DEPTH {
        return false;
    }
    match v.byte() % 7 {
        0 => w.int(v.i64()),
        1 => w.binary(&v.bytes()),
        2 => w.atom(if v.byte().is_multiple_of(2) { "true" } else { "undefined" }),
        3 => match f64::from_bits(v.i64() as u64) {
            f if f.is_finite() => w.float(f),
            _ => return false,
        },
        4 | 5 => return container(v, w, depth),
        _ => w.string(&v.bytes()),
    }
    true
}
