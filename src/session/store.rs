//! The client side of the session server's protocol (`erlang/src/session_handler.erl`;
//! the requests are checked by `erlang/src/peb_session_request.erl`):
//! each operation is one `gen_server` call, sent straight to the server (no
//! rex, no process spawned per call): a request about an id to the pid of
//! the shard that owns it ([`Shards`]), the others to the process
//! registered as `session_handler`. Ids and data travel as binaries, never
//! as atoms.

use std::sync::Arc;
use std::time::Duration;

use super::shards::{SERVER, Shards};
use super::wire::Wire;
use crate::node::link::Dest;
use crate::node::{self, Link};
use crate::term::Term;
use crate::term::decode;
use crate::term::encode::Writer;

/// Why an operation failed.
#[derive(Debug)]
pub enum StoreError {
    /// The link failed or the node did not answer in time.
    Link(node::Error),
    /// Another request held the lock for longer than the wait allowed.
    LockTimeout,
    /// The lock was lost (it expired, or went with a failed node) and the
    /// session changed since it was read; nothing was written.
    LockLost,
    /// The node runs the server but cannot serve: a cluster node without a
    /// majority, or one still loading its table. Another node may.
    Unavailable(&'static str),
    /// The server answered something this protocol does not know.
    Protocol(String),
}

impl From<node::Error> for StoreError {
    fn from(e: node::Error) -> Self {
        StoreError::Link(e)
    }
}

/// What `read` asks for besides the data.
pub enum Lock<'a> {
    None,
    /// The lock, for `holder` (the link's pid, monitored by the server),
    /// waiting at most `wait`, held at most `expire`.
    Take {
        holder: &'a [u8],
        wait: Duration,
        expire: Duration,
    },
}

/// A grant of the lock as the server made it (the bytes of its token term);
/// `0` when no lock is held.
#[derive(Clone, Debug, PartialEq)]
pub struct Token(Vec<u8>);

impl Token {
    pub fn none() -> Token {
        let mut w = Writer::default();
        w.int(0);
        Token(w.into_bytes())
    }

    pub fn is_none(&self) -> bool {
        *self == Token::none()
    }
}

/// A session's data, inside the reply that brought it.
pub struct Data {
    reply: Vec<u8>,
    data: std::ops::Range<usize>,
}

impl Data {
    pub fn as_bytes(&self) -> &[u8] {
        &self.reply[self.data.clone()]
    }
}

/// A request sent, its `ok` not taken yet ([`Store::confirm`]).
pub struct Unconfirmed<W: Wire = Link> {
    sent: W::Pending,
    what: &'static str,
}

/// The session server on one node, through one link.
pub struct Store<W: Wire = Link> {
    pub link: Arc<W>,
    pub timeout: Duration,
    /// Where each id's requests go (learned once per link).
    pub shards: Shards,
}

impl<W: Wire> Clone for Store<W> {
    fn clone(&self) -> Self {
        Store { link: self.link.clone(), timeout: self.timeout, shards: self.shards.clone() }
    }
}

impl<W: Wire> Store<W> {
    /// The session's data (empty for an unknown or expired one), with the lock if asked.
    pub fn read(&self, id: &[u8], lock: Lock) -> Result<(Data, Token), StoreError> {
        let mut w = request("read", 3);
        w.binary(id);
        let reply = match lock {
            Lock::None => {
                w.atom("nolock");
                self.link.call(self.shards.dest(id), &w.into_bytes(), self.timeout)?
            }
            Lock::Take { holder, wait, expire } => {
                w.tuple_header(4);
                w.atom("lock");
                w.raw(holder);
                w.int(millis(wait));
                w.int(millis(expire));
                // A wait for the lock may be long; a node that stops
                // answering still fails the read within the timeout.
                self.link.call_watched(self.shards.dest(id), &w.into_bytes(), &probe(), self.timeout, wait)?
            }
        };
        read_reply(reply)
    }

    /// Sends the write and returns without waiting for its confirmation.
    pub fn write_start(
        &self,
        id: &[u8],
        token: &Token,
        data: &[u8],
        lifetime: Duration,
    ) -> Result<Unconfirmed<W>, StoreError> {
        self.write_tagged_start(id, token, data, lifetime, &[])
    }

    /// The same with the tags PHP gave the session (`peb_session_tag()`),
    /// stored with the write: `{write, Id, Token, Data, LifetimeS, Tags}`.
    /// Without tags the request is the five-element one, byte for byte.
    pub fn write_tagged_start(
        &self,
        id: &[u8],
        token: &Token,
        data: &[u8],
        lifetime: Duration,
        tags: &[Vec<u8>],
    ) -> Result<Unconfirmed<W>, StoreError> {
        let mut w = request("write", if tags.is_empty() { 5 } else { 6 });
        w.binary(id);
        w.raw(&token.0);
        w.binary(data);
        w.int(lifetime.as_secs() as i64);
        if !tags.is_empty() {
            w.list_header(tags.len());
            tags.iter().for_each(|t| w.binary(t));
            w.nil();
        }
        self.send(w, id, "write")
    }

    /// The sessions of a tag: `{tagged, Op, Tag}`, `Op` being `count`,
    /// `ids` or `destroy`.
    pub fn tagged(&self, op: Tagged, tag: &[u8]) -> Result<TaggedReply, StoreError> {
        let mut w = request("tagged", 3);
        w.atom(op.atom());
        w.binary(tag);
        tagged_reply(&self.link.call(Dest::Name(SERVER), &w.into_bytes(), self.timeout)?, op)
    }

    /// The same for lazy_write's unchanged data: the lifetime is extended, the data not sent.
    pub fn touch_start(&self, id: &[u8], token: &Token, lifetime: Duration) -> Result<Unconfirmed<W>, StoreError> {
        let mut w = request("touch", 4);
        w.binary(id);
        w.raw(&token.0);
        w.int(lifetime.as_secs() as i64);
        self.send(w, id, "touch")
    }

    /// Waits for the `ok` of a request sent earlier.
    pub fn confirm(&self, u: Unconfirmed<W>) -> Result<(), StoreError> {
        self.confirm_within(u, self.timeout)
    }

    /// [`Store::confirm`], waiting at most `wait`.
    pub fn confirm_within(&self, u: Unconfirmed<W>, wait: Duration) -> Result<(), StoreError> {
        ok_reply(&self.link.reply(u.sent, wait)?, u.what)
    }

    pub fn release(&self, id: &[u8], token: &Token) -> Result<(), StoreError> {
        let mut w = request("release", 3);
        w.binary(id);
        w.raw(&token.0);
        self.expect_ok(w, id, "release")
    }

    pub fn destroy(&self, id: &[u8], token: &Token) -> Result<(), StoreError> {
        let mut w = request("destroy", 3);
        w.binary(id);
        w.raw(&token.0);
        self.expect_ok(w, id, "destroy")
    }

    /// Removes every expired session; how many there were.
    pub fn gc(&self) -> Result<i64, StoreError> {
        gc_reply(&self.link.call(Dest::Name(SERVER), &request("gc", 1).into_bytes(), self.timeout)?)
    }

    /// Whether a live session has this id.
    pub fn exists(&self, id: &[u8]) -> Result<bool, StoreError> {
        let mut w = request("exists", 2);
        w.binary(id);
        exists_reply(&self.link.call(self.shards.dest(id), &w.into_bytes(), self.timeout)?)
    }

    /// Sends a request about `id` to its shard.
    fn send(&self, w: Writer, id: &[u8], what: &'static str) -> Result<Unconfirmed<W>, StoreError> {
        Ok(Unconfirmed { sent: self.link.call_start(self.shards.dest(id), &w.into_bytes(), self.timeout)?, what })
    }

    fn expect_ok(&self, w: Writer, id: &[u8], what: &'static str) -> Result<(), StoreError> {
        self.confirm(self.send(w, id, what)?)
    }
}

/// The server's answer to a read: `{ok, Data, Token}`. Data borrows from
/// the reply, and Token is the rest of it, so neither is decoded twice or
/// copied here.
pub fn read_reply(reply: Vec<u8>) -> Result<(Data, Token), StoreError> {
    let data = match parse(&reply)? {
        Term::Tuple(t) if t.len() == 3 && is_atom(&t[0], "ok") => match &t[1] {
            Term::Binary(data) => {
                let start = data.as_ptr() as usize - reply.as_ptr() as usize;
                start..start + data.len()
            }
            _ => return Err(unexpected("read")),
        },
        other => return Err(error_of(&other, "read")),
    };
    let token = Token(reply[data.end..].to_vec());
    Ok((Data { reply, data }, token))
}

/// The answer to a write, touch, release or destroy: `ok`.
pub fn ok_reply(reply: &[u8], what: &str) -> Result<(), StoreError> {
    match parse(reply)? {
        Term::Atom(a) if a == "ok" => Ok(()),
        other => Err(error_of(&other, what)),
    }
}

/// What is asked about a tag's sessions.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Tagged {
    Count,
    Ids,
    Destroy,
}

impl Tagged {
    fn atom(self) -> &'static str {
        match self {
            Tagged::Count => "count",
            Tagged::Ids => "ids",
            Tagged::Destroy => "destroy",
        }
    }
}

/// The answer about a tag: a count (count, destroy) or the session ids.
#[derive(Debug, PartialEq)]
pub enum TaggedReply {
    Count(i64),
    Ids(Vec<Vec<u8>>),
}

/// `N` for count and destroy, a list of binaries for ids.
pub fn tagged_reply(reply: &[u8], op: Tagged) -> Result<TaggedReply, StoreError> {
    match (parse(reply)?, op) {
        (Term::Int(n), Tagged::Count | Tagged::Destroy) => Ok(TaggedReply::Count(n)),
        (Term::Nil, Tagged::Ids) => Ok(TaggedReply::Ids(Vec::new())),
        (Term::List(items), Tagged::Ids) => items
            .iter()
            .map(|t| match t {
                Term::Binary(b) => Ok(b.to_vec()),
                _ => Err(unexpected("tagged")),
            })
            .collect::<Result<_, _>>()
            .map(TaggedReply::Ids),
        (other, _) => Err(error_of(&other, "tagged")),
    }
}

/// The answer to gc: how many sessions it removed.
pub fn gc_reply(reply: &[u8]) -> Result<i64, StoreError> {
    match parse(reply)? {
        Term::Int(n) => Ok(n),
        other => Err(error_of(&other, "gc")),
    }
}

/// The answer to exists: `true` or `false`.
pub fn exists_reply(reply: &[u8]) -> Result<bool, StoreError> {
    match parse(reply)? {
        Term::Atom(a) if a == "true" => Ok(true),
        Term::Atom(a) if a == "false" => Ok(false),
        other => Err(error_of(&other, "exists")),
    }
}

/// A request tuple of `arity` elements, its operation written.
fn request(op: &str, arity: usize) -> Writer {
    let mut w = Writer::default();
    w.tuple_header(arity);
    w.atom(op);
    w
}

/// `{exists, <<>>}`: a request the server answers at once, even while it
/// keeps a read waiting for a lock, and that changes nothing.
fn probe() -> Vec<u8> {
    let mut w = request("exists", 2);
    w.binary(b"");
    w.into_bytes()
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

fn parse(reply: &[u8]) -> Result<Term<'_>, StoreError> {
    decode::decode(reply).map_err(|e| StoreError::Protocol(format!("unreadable reply: {e}")))
}

fn is_atom(t: &Term, name: &str) -> bool {
    matches!(t, Term::Atom(a) if a == name)
}

fn error_of(reply: &Term, what: &str) -> StoreError {
    if let Term::Tuple(t) = reply
        && t.len() == 2
        && is_atom(&t[0], "error")
    {
        if is_atom(&t[1], "lock_timeout") {
            return StoreError::LockTimeout;
        }
        if is_atom(&t[1], "lock_lost") {
            return StoreError::LockLost;
        }
        for (atom, why) in UNAVAILABLE {
            if is_atom(&t[1], atom) {
                return StoreError::Unavailable(why);
            }
        }
    }
    unexpected(what)
}

/// The errors after which another node of the save path is tried.
const UNAVAILABLE: [(&str, &str); 3] = [
    ("no_majority", "it sees no majority of its cluster, so it refuses changes"),
    ("no_leader", "its cluster has no lock leader at the moment"),
    ("not_ready", "its session table is still loading"),
];

fn unexpected(what: &str) -> StoreError {
    StoreError::Protocol(format!("the session server gave an unexpected reply to {what}"))
}
