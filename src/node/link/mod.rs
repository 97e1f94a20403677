//! A live link to one node, read and written by the threads that use it:
//! a call writes its request and then reads the socket itself, with
//! blocking reads, until its own reply has come, so that a round trip
//! costs no wake-up of another thread (the protocol every reader follows
//! is in `reader`, the bytes read but not yet parsed in `buffer`, socket
//! writes in `write`). Between calls, the ticker (`ticker`) drains what has
//! arrived without blocking, so that an idle link still answers ticks (else
//! the node drops it after net_ticktime, and a php-fpm worker idles longer
//! than that).
//!
//! Every call gets its own reply pid, because a rex reply carries no
//! request id: a reply that arrives after its call timed out finds no one
//! waiting and is dropped, never taken by a later call. Bytes read but not
//! yet a whole frame stay in the reader's buffer, so a read that times out
//! in the middle of a frame never loses the framing.
//!
//! A link made before a fork is not the child's: nothing of it is read,
//! written or locked there, and dropping it only closes the child's copy of
//! the socket (never a shutdown, which would cut the parent's link).
//!
//! Over TLS (`tls`) all of this is the same, on the records' plaintext.

mod buffer;
mod deadline;
mod reader;
#[cfg(any(test, feature = "fuzz"))]
pub mod replay;
#[cfg(test)]
mod tests;
mod ticker;
mod tls;
mod write;

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use self::deadline::deadline;

/// Where a call goes: a process registered under a name (REG_SEND), or a
/// pid (SEND: the node looks no name up), with the name errors call it by.
#[derive(Clone, Copy, Debug)]
pub enum Dest<'a> {
    Name(&'a str),
    Pid { pid: &'a [u8], called: &'a str },
}

impl<'a> From<&'a str> for Dest<'a> {
    fn from(name: &'a str) -> Self {
        Dest::Name(name)
    }
}

impl Dest<'_> {
    /// The frame that carries `message` from `from` to this destination.
    fn frame(&self, from: &[u8], message: &[u8]) -> Vec<u8> {
        match self {
            Dest::Name(name) => frame::reg_send(from, name, message),
            Dest::Pid { pid, .. } => frame::send(pid, message),
        }
    }

    fn called(&self) -> &str {
        match self {
            Dest::Name(name) => name,
            Dest::Pid { called, .. } => called,
        }
    }
}
use self::reader::{Routing, SELF_ID, Shared, Waited};
use self::write::WriteError;
use super::connect::Opening;
use super::error::Error;
use super::frame;
use super::name::NodeName;
use super::{connect, runtime, tls as tls_config};
use crate::term::encode::Writer;

pub use self::reader::MAILBOX_SIZE;

/// The tag of [`Link::call`]'s gen_server calls (gen_server replies `{Tag, Reply}`).
const CALL_TAG: &str = "peb";

pub struct Link {
    pub peer: NodeName,
    pub local: NodeName,
    pub creation: u32,
    /// The process that made the link: after a fork it is not ours to use.
    pub owner_pid: u32,
    /// The TLS version of the link (`TLSv1_3`), `None` if it is plain.
    pub tls: Option<String>,
    self_pid: Vec<u8>,
    shared: Arc<Shared>,
    next_call: AtomicU32,
}

impl Link {
    /// Connects within `timeout`, over TLS with `tls`.
    pub fn connect(
        node: &str,
        cookie: &str,
        timeout: Duration,
        tls: Option<&tls_config::Settings>,
    ) -> Result<Arc<Link>, Error> {
        let peer = NodeName::parse(node).map_err(Error::Connect)?;
        let client = tls.map(|s| tls_config::Client::new(s, &peer.host)).transpose()?;
        let rt = runtime::get()?;
        let full = peer.full();
        let connected = rt
            .block_on(async {
                let deadline = tokio::time::Instant::now() + timeout;
                let how = Opening { cookie, tls: client.as_ref(), deadline };
                tokio::time::timeout_at(deadline, connect::connect(&peer, &how)).await
            })
            .map_err(|_| {
                Error::Connect(format!("connecting to {full} timed out after {} ms", timeout.as_millis()))
            })??;
        let link = Arc::new(Link::start(peer, connected)?);
        ticker::watch(Arc::downgrade(&link.shared))?;
        Ok(link)
    }

    fn start(peer: NodeName, c: connect::Connected) -> Result<Link, Error> {
        let setup = |e: io::Error| Error::Connect(format!("cannot set up the link to {}: {e}", peer.full()));
        // Blocking from here on: the threads that use the link read and write it themselves.
        let socket = c.stream.into_std().map_err(setup)?;
        socket.set_nonblocking(false).map_err(setup)?;
        let owner_pid = runtime::pid();
        let version = c.tls.as_ref().map(|t| t.protocol_version().map(|v| format!("{v:?}")).unwrap_or_default());
        let shared = Arc::new(Shared::new(socket, c.tls.map(tls::Session::new), owner_pid, c.slot));
        let self_pid = frame::pid(&c.local.full(), SELF_ID, 0, c.creation);
        Ok(Link {
            peer,
            local: c.local,
            creation: c.creation,
            owner_pid,
            tls: version,
            self_pid,
            shared,
            next_call: AtomicU32::new(0),
        })
    }

    /// Whether the connection is up, as far as its last reader or writer knows.
    pub fn is_alive(&self) -> bool {
        self.shared.is_alive() && runtime::is_current(self.owner_pid)
    }

    /// The bytes of the link's own pid (what `~p` encodes).
    pub fn self_pid(&self) -> &[u8] {
        &self.self_pid
    }

    /// Monitors the process `pid` from the link's own pid (MONITOR_P): when
    /// it exits, or at once if it is gone, the node says so and
    /// [`Link::downs`] counts it. The monitor goes with the link.
    pub fn monitor(&self, pid: &[u8], timeout: Duration) -> Result<(), Error> {
        let n = self.next_call.fetch_add(1, Ordering::Relaxed);
        let reference = frame::reference(&self.local.full(), n, self.creation);
        self.write(&frame::monitor_p(&self.self_pid, pid, &reference), timeout)
    }

    /// How many processes this link monitors have exited so far (a
    /// counter: what is learned of them is stale once it moved). What has
    /// arrived is read first, without waiting: the ticker reads an idle
    /// link only once a second.
    pub fn downs(&self) -> u64 {
        self.shared.drain();
        self.shared.downs.load(Ordering::Acquire)
    }

    /// A pid for one call: ids above SELF_ID, serial counting the wraps.
    fn call_pid(&self) -> ((u32, u32), Vec<u8>) {
        let n = self.next_call.fetch_add(1, Ordering::Relaxed);
        let (id, serial) = (SELF_ID + 1 + n % 0x7000, n / 0x7000);
        ((id, serial), frame::pid(&self.local.full(), id, serial, self.creation))
    }

    fn write(&self, bytes: &[u8], timeout: Duration) -> Result<(), Error> {
        let outcome = self.shared.send(bytes, timeout);
        let Err(WriteError { error, broken }) = outcome else { return Ok(()) };
        let peer = self.peer.full();
        let timed_out = matches!(error.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut);
        if broken || !timed_out {
            self.shared.die();
        }
        if timed_out {
            Err(Error::Send(format!("sending to {peer} timed out after {} ms", timeout.as_millis())))
        } else {
            Err(Error::Send(format!("sending to {peer} failed: {error}")))
        }
    }

    fn rex_request(from: &[u8], module: &str, function: &str, args: &[u8]) -> Vec<u8> {
        let mut w = Writer::default();
        w.tuple_header(2);
        w.raw(from);
        w.tuple_header(5);
        w.atom("call");
        w.atom(module);
        w.atom(function);
        w.raw(args);
        w.atom("user");
        w.into_bytes()
    }

    /// `rpc:call/4` through rex: the reply term, without version byte.
    pub fn rpc(&self, module: &str, function: &str, args: &[u8], timeout: Duration) -> Result<Vec<u8>, Error> {
        let what = format!("{module}:{function} on {}", self.peer.full());
        let deadline = deadline(timeout);
        let sent = self.send_request(
            Dest::Name("rex"),
            "rex",
            |from| Self::rex_request(from, module, function, args),
            timeout,
            what,
        )?;
        self.reply_by(sent, deadline, timeout)
    }

    /// A `gen_server:call` to the process registered as `name`, in one
    /// message and without rex: `{'$gen_call', {From, peb}, Request}`,
    /// answered `{peb, Reply}`. The reply term, without version byte.
    pub fn call<'d>(&self, to: impl Into<Dest<'d>>, request: &[u8], timeout: Duration) -> Result<Vec<u8>, Error> {
        let deadline = deadline(timeout);
        let sent = self.call_start(to, request, timeout)?;
        self.reply_by(sent, deadline, timeout)
    }

    /// Sends the call of [`Link::call`] and returns without waiting: the
    /// reply is taken later with [`Link::reply`], so that other requests
    /// can go out meanwhile (replies of one server come back in order).
    pub fn call_start<'d>(&self, to: impl Into<Dest<'d>>, request: &[u8], timeout: Duration) -> Result<Sent, Error> {
        let to = to.into();
        let message = |from: &[u8]| {
            let mut w = Writer::default();
            w.tuple_header(3);
            w.atom("$gen_call");
            w.tuple_header(2);
            w.raw(from);
            w.atom(CALL_TAG);
            w.raw(request);
            w.into_bytes()
        };
        self.send_request(to, CALL_TAG, message, timeout, format!("{} on {}", to.called(), self.peer.full()))
    }

    /// Sends `message(reply_pid)` to `to`, from a pid made for this one
    /// request, where `{tag, Reply}` is then awaited.
    fn send_request(
        &self,
        to: Dest,
        tag: &'static str,
        message: impl FnOnce(&[u8]) -> Vec<u8>,
        timeout: Duration,
        what: String,
    ) -> Result<Sent, Error> {
        self.check()?;
        let (key, from) = self.call_pid();
        // Registered before the request goes out: the reply may be read
        // (by the ticker, or another thread's call) before we wait for it.
        self.shared.routing().pending.insert(key, None);
        // A pid's process may exit with the request unanswered: the link's
        // monitor of it (or of what it goes with) says so, counted from here.
        let downs = matches!(to, Dest::Pid { .. }).then(|| self.shared.downs.load(Ordering::Acquire));
        let sent = Sent { key, tag, what, downs, shared: self.shared.clone() };
        let request = to.frame(&from, &message(&from));
        self.write(&request, timeout)?;
        Ok(sent)
    }

    /// The reply to a request sent by this link, within `timeout`; it may
    /// have been read already by another reader, and then waits in its slot.
    pub fn reply(&self, sent: Sent, timeout: Duration) -> Result<Vec<u8>, Error> {
        self.reply_by(sent, deadline(timeout), timeout)
    }

    /// [`Link::reply`] by `deadline`; `timeout` is what errors tell.
    fn reply_by(&self, sent: Sent, deadline: Instant, timeout: Duration) -> Result<Vec<u8>, Error> {
        if !runtime::is_current(self.owner_pid) {
            return Err(Error::Receive("the link belongs to the parent process".into()));
        }
        // The slot is emptied here; dropping `sent` removes it.
        let taken = self.shared.wait(deadline, |r| sent.taken(r));
        match taken {
            Waited::Got(Some(payload)) => self.unwrap_reply(&sent, payload),
            Waited::Got(None) => Err(gone(&sent)),
            Waited::Closed => Err(self.closed_during_call()),
            Waited::TimedOut => Err(not_answered(&sent, timeout)),
        }
    }

    /// The `Reply` of `{Tag, Reply}`.
    fn unwrap_reply(&self, sent: &Sent, payload: Vec<u8>) -> Result<Vec<u8>, Error> {
        match frame::tagged_reply(&payload, sent.tag) {
            Some(reply) => Ok(reply.to_vec()),
            None => Err(Error::Receive(format!("the reply of {} is not {{{}, Reply}}", sent.what, sent.tag))),
        }
    }

    fn closed_during_call(&self) -> Error {
        Error::Receive(format!("{} closed the link during the call", self.peer.full()))
    }

    /// [`Link::call`] for a request the server may keep waiting for long
    /// (a session read queued behind a lock), answered by `wait` + `every`
    /// at the latest, and given up as soon as the node stops answering:
    /// whenever `every`/2 passes without the reply, `probe` (a call the
    /// server answers at once) is sent, and the node must answer it within
    /// the next `every`/2. So a node that is paused or cut off fails the
    /// call within `every`, however long the lock wait.
    pub fn call_watched<'d>(
        &self,
        to: impl Into<Dest<'d>>,
        request: &[u8],
        probe: &[u8],
        every: Duration,
        wait: Duration,
    ) -> Result<Vec<u8>, Error> {
        let to = to.into();
        let last = deadline(wait + every);
        let sent = self.call_start(to, request, every)?;
        let half = every / 2;
        loop {
            let slice = deadline(half).min(last);
            match self.shared.wait(slice, |r| sent.taken(r)) {
                Waited::Got(Some(payload)) => return self.unwrap_reply(&sent, payload),
                Waited::Got(None) => return Err(gone(&sent)),
                Waited::Closed => return Err(self.closed_during_call()),
                Waited::TimedOut if Instant::now() >= last => return Err(not_answered(&sent, wait + every)),
                Waited::TimedOut => {}
            }
            let ping = self.call_start(to, probe, half)?;
            let either = |r: &mut Routing| {
                sent.taken(r).map(Ok).or_else(|| r.pending.get_mut(&ping.key).and_then(Option::take).map(Err))
            };
            match self.shared.wait(deadline(half).min(last), either) {
                Waited::Got(Ok(Some(payload))) => return self.unwrap_reply(&sent, payload),
                Waited::Got(Ok(None)) => return Err(gone(&sent)),
                // The node answers: its server is only keeping us waiting.
                Waited::Got(Err(_)) => {}
                Waited::Closed => return Err(self.closed_during_call()),
                Waited::TimedOut if Instant::now() >= last => return Err(not_answered(&sent, wait + every)),
                Waited::TimedOut => {
                    let ms = every.as_millis();
                    return Err(Error::Receive(format!("{} stopped answering: no reply within {ms} ms", sent.what)));
                }
            }
        }
    }

    /// The same request, answered to the link's own pid: `{rex, Reply}`
    /// arrives through [`Link::receive`].
    pub fn rpc_to(&self, module: &str, function: &str, args: &[u8], timeout: Duration) -> Result<(), Error> {
        self.check()?;
        let request =
            frame::reg_send(&self.self_pid, "rex", &Self::rex_request(&self.self_pid, module, function, args));
        self.write(&request, timeout)
    }

    pub fn send_by_name(&self, name: &str, payload: &[u8], timeout: Duration) -> Result<(), Error> {
        self.check()?;
        self.write(&frame::reg_send(&self.self_pid, name, payload), timeout)
    }

    pub fn send_to_pid(&self, pid: &[u8], payload: &[u8], timeout: Duration) -> Result<(), Error> {
        self.check()?;
        self.write(&frame::send(pid, payload), timeout)
    }

    /// The next message to the link's own pid, without version byte.
    pub fn receive(&self, timeout: Duration) -> Result<Vec<u8>, Error> {
        // Messages already queued are still delivered after the link went
        // down; only a link inherited through a fork is refused outright.
        if !runtime::is_current(self.owner_pid) {
            return Err(Error::Receive("the link belongs to the parent process".into()));
        }
        match self.shared.wait(deadline(timeout), |r| r.mailbox.pop_front()) {
            Waited::Got(msg) => Ok(msg),
            Waited::Closed => Err(Error::Receive(format!("the link to {} is closed", self.peer.full()))),
            Waited::TimedOut => Err(Error::Receive(format!("no message within {} ms", timeout.as_millis()))),
        }
    }

    fn check(&self) -> Result<(), Error> {
        if self.is_alive() { Ok(()) } else { Err(Error::Send(format!("the link to {} is down", self.peer.full()))) }
    }
}

fn not_answered(sent: &Sent, timeout: Duration) -> Error {
    Error::Receive(format!("{} did not answer within {} ms", sent.what, timeout.as_millis()))
}

fn gone(sent: &Sent) -> Error {
    Error::Receive(format!("{} exited before it answered (the server restarted)", sent.what))
}

/// A request on its way: its reply pid stays registered until the reply is
/// taken or this is dropped, so an abandoned request leaves nothing behind.
pub struct Sent {
    key: (u32, u32),
    tag: &'static str,
    what: String,
    /// Sent to a pid: the link's count of monitors fired, then.
    downs: Option<u64>,
    shared: Arc<Shared>,
}

impl Sent {
    /// Its reply once routed; `Some(None)` once a monitor of the link fired
    /// after it went to a pid (a message to a dead pid is dropped unsaid).
    fn taken(&self, r: &mut Routing) -> Option<Option<Vec<u8>>> {
        match r.pending.get_mut(&self.key).and_then(Option::take) {
            Some(reply) => Some(Some(reply)),
            None if self.downs.is_some_and(|d| d != self.shared.downs.load(Ordering::Acquire)) => Some(None),
            None => None,
        }
    }
}

impl Drop for Sent {
    fn drop(&mut self) {
        // Sent by the parent before a fork: its lock may have been held
        // by the parent's ticker at the fork, and is never taken here.
        if runtime::is_current(self.shared.owner_pid) {
            self.shared.routing().pending.remove(&self.key);
        }
    }
}
