//! A live link to one node, read and written by the threads that use it:
//! a call writes its request and then reads the socket itself, with
//! blocking reads, until its own reply has come, so that a round trip
//! costs no wake-up of another thread. Whoever holds the reader lock reads
//! for everyone: it answers ticks, routes messages for the link's own pid
//! to its mailbox (`peb_receive`) and every other reply to the call that
//! waits for it, and a caller that finds the reader lock taken sleeps until
//! its reply is routed or the lock is free. Between calls, the ticker
//! (`ticker`) drains what has arrived without blocking, so that an idle
//! link still answers ticks (else the node drops it after net_ticktime,
//! and a php-fpm worker idles longer than that).
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

use std::collections::{HashMap, VecDeque};
use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, TryLockError};
use std::time::{Duration, Instant};

use super::frame::{self, Incoming};
use super::name::{self, NodeName};
use super::{Error, connect, runtime, ticker};
use crate::term::encode::Writer;

/// Id of the link's own pid, the one `~p` encodes; call pids count from above it.
const SELF_ID: u32 = 1;

/// Messages kept for `peb_receive` at most; beyond, new ones are dropped, so
/// that a persistent link nobody reads cannot grow a worker without bound.
pub const MAILBOX_SIZE: usize = 4096;

/// The tag of [`Link::call`]'s gen_server calls (gen_server replies `{Tag, Reply}`).
const CALL_TAG: &str = "peb";

/// Room of a link's read buffer, and what it goes back to after a large frame.
const BUFFER: usize = 16 << 10;

/// A buffer grown past this for a large frame is given back once emptied.
const BUFFER_KEEP: usize = 1 << 20;

/// Room made ahead for a frame still coming, at most (or twice what of it
/// has come, if more): a frame's length is the peer's word, not a fact.
const RESERVE_AHEAD: usize = 1 << 20;

/// How long answering a tick may wait for room in the socket.
const TICK_WRITE_TIMEOUT: Duration = Duration::from_secs(1);

/// A read timeout already set on the socket is kept, rather than set again
/// (a system call) for every wait, when it ends the read at most this
/// past the wait's deadline...
const READ_TIMEOUT_SLACK: Duration = Duration::from_millis(1);

/// ... and, if it ends the read before the deadline (the wait then reads
/// again), when it is at least this long: a session read that may wait
/// for a lock has a longer timeout than the calls around it, and then
/// neither needs setting.
const READ_TIMEOUT_FLOOR: Duration = Duration::from_millis(100);

/// Reads the ticker makes on one link in a pass, at most, so that a node
/// flooding one link cannot keep the others from their ticks.
const IDLE_READS: usize = 64;

/// What the reader fills, under the lock that the condvar `Shared::routed` goes with.
#[derive(Default)]
struct Routing {
    /// Calls waiting, by the id and serial of their reply pid: `Some` once answered.
    pending: HashMap<(u32, u32), Option<Vec<u8>>>,
    mailbox: VecDeque<Vec<u8>>,
    /// Threads asleep on `Shared::routed`: it is signalled only when some are.
    sleepers: usize,
}

/// The reading side: bytes `buf[start..end]` are read but not yet parsed.
struct ReadState {
    buf: Vec<u8>,
    start: usize,
    end: usize,
    /// The socket's SO_RCVTIMEO, as last set.
    timeout: Option<Duration>,
}

/// What one pass of [`ReadState::frames`] met.
#[derive(Default)]
struct Seen {
    tick: bool,
    routed: bool,
    /// A frame over [`frame::MAX_FRAME`]: the stream cannot be followed past it.
    too_large: bool,
}

/// How a write failed; `broken` when part of a frame went out, and the
/// framing of everything after it with it.
struct WriteError {
    error: io::Error,
    broken: bool,
}

/// What a wait for a reply or a message came to.
enum Waited<T> {
    Got(T),
    Closed,
    TimedOut,
}

/// The state every user of a link shares: its callers, the `Sent`s in
/// flight and the ticker (which holds it weakly).
pub(super) struct Shared {
    owner_pid: u32,
    /// Read only under `reader`, written only under `writer`; never shut
    /// down on drop, which a forked child must not do to its parent's link.
    socket: TcpStream,
    alive: AtomicBool,
    routing: Mutex<Routing>,
    routed: Condvar,
    reader: Mutex<ReadState>,
    /// Held while one frame is written whole.
    writer: Mutex<()>,
    /// The local name's slot, freed when the socket closes (with this).
    _name: name::Slot,
}

pub struct Link {
    pub peer: NodeName,
    pub local: NodeName,
    pub creation: u32,
    /// The process that made the link: after a fork it is not ours to use.
    pub owner_pid: u32,
    self_pid: Vec<u8>,
    shared: Arc<Shared>,
    next_call: AtomicU32,
}

impl Link {
    /// Connects within `timeout`.
    pub fn connect(node: &str, cookie: &str, timeout: Duration) -> Result<Arc<Link>, Error> {
        let peer = NodeName::parse(node).map_err(Error::Connect)?;
        let rt = runtime::get()?;
        let full = peer.full();
        let connected =
            rt.block_on(async { tokio::time::timeout(timeout, connect::connect(&peer, cookie)).await }).map_err(
                |_| Error::Connect(format!("connecting to {full} timed out after {} ms", timeout.as_millis())),
            )??;
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
        let shared = Arc::new(Shared {
            owner_pid,
            socket,
            alive: AtomicBool::new(true),
            routing: Mutex::default(),
            routed: Condvar::new(),
            reader: Mutex::new(ReadState { buf: vec![0; BUFFER], start: 0, end: 0, timeout: None }),
            writer: Mutex::new(()),
            _name: c.slot,
        });
        let self_pid = frame::pid(&c.local.full(), SELF_ID, 0, c.creation);
        Ok(Link {
            peer,
            local: c.local,
            creation: c.creation,
            owner_pid,
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
        let sent =
            self.send_request("rex", "rex", |from| Self::rex_request(from, module, function, args), timeout, what)?;
        self.reply_by(sent, deadline, timeout)
    }

    /// A `gen_server:call` to the process registered as `name`, in one
    /// message and without rex: `{'$gen_call', {From, peb}, Request}`,
    /// answered `{peb, Reply}`. The reply term, without version byte.
    pub fn call(&self, name: &str, request: &[u8], timeout: Duration) -> Result<Vec<u8>, Error> {
        let deadline = deadline(timeout);
        let sent = self.call_start(name, request, timeout)?;
        self.reply_by(sent, deadline, timeout)
    }

    /// Sends the call of [`Link::call`] and returns without waiting: the
    /// reply is taken later with [`Link::reply`], so that other requests
    /// can go out meanwhile (replies of one server come back in order).
    pub fn call_start(&self, name: &str, request: &[u8], timeout: Duration) -> Result<Sent, Error> {
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
        self.send_request(name, CALL_TAG, message, timeout, format!("{name} on {}", self.peer.full()))
    }

    /// Sends `message(reply_pid)` to `to`, from a pid made for this one
    /// request, where `{tag, Reply}` is then awaited.
    fn send_request(
        &self,
        to: &str,
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
        let sent = Sent { key, tag, what, shared: self.shared.clone() };
        let request = frame::reg_send(&from, to, &message(&from));
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
        let key = sent.key;
        // The slot is emptied here; dropping `sent` removes it.
        let taken = self.shared.wait(deadline, |r| r.pending.get_mut(&key).and_then(Option::take));
        match taken {
            Waited::Got(payload) => self.unwrap_reply(&sent, payload),
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
    pub fn call_watched(
        &self,
        name: &str,
        request: &[u8],
        probe: &[u8],
        every: Duration,
        wait: Duration,
    ) -> Result<Vec<u8>, Error> {
        let last = deadline(wait + every);
        let sent = self.call_start(name, request, every)?;
        let half = every / 2;
        loop {
            let slice = deadline(half).min(last);
            match self.shared.wait(slice, |r| r.pending.get_mut(&sent.key).and_then(Option::take)) {
                Waited::Got(payload) => return self.unwrap_reply(&sent, payload),
                Waited::Closed => return Err(self.closed_during_call()),
                Waited::TimedOut if Instant::now() >= last => return Err(not_answered(&sent, wait + every)),
                Waited::TimedOut => {}
            }
            let ping = self.call_start(name, probe, half)?;
            let either = |r: &mut Routing| {
                let mut take = |k| r.pending.get_mut(k).and_then(Option::take);
                take(&sent.key).map(Ok).or_else(|| take(&ping.key).map(Err))
            };
            match self.shared.wait(deadline(half).min(last), either) {
                Waited::Got(Ok(payload)) => return self.unwrap_reply(&sent, payload),
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

/// `timeout` from now; a timeout too large for the clock waits about forever.
fn deadline(timeout: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(timeout).unwrap_or_else(|| now + Duration::from_secs(100 * 365 * 86_400))
}

/// A request on its way: its reply pid stays registered until the reply is
/// taken or this is dropped, so an abandoned request leaves nothing behind.
pub struct Sent {
    key: (u32, u32),
    tag: &'static str,
    what: String,
    shared: Arc<Shared>,
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

impl Shared {
    pub(super) fn is_alive(&self) -> bool {
        self.alive.load(Ordering::Acquire)
    }

    fn routing(&self) -> MutexGuard<'_, Routing> {
        self.routing.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Writes one frame whole, under the writer lock.
    fn send(&self, bytes: &[u8], timeout: Duration) -> Result<(), WriteError> {
        let _writing = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        send(&self.socket, bytes, timeout)
    }

    /// The reader lock, unless someone holds it (and then reads for us).
    fn try_reader(&self) -> Option<MutexGuard<'_, ReadState>> {
        match self.reader.try_lock() {
            Ok(reader) => Some(reader),
            Err(TryLockError::Poisoned(e)) => Some(e.into_inner()),
            Err(TryLockError::WouldBlock) => None,
        }
    }

    /// Marks the link down; every waiting call then fails at once. The
    /// socket is shut down, for the node to see at once (a frame may have
    /// gone out in part) and for a thread blocked reading it to wake up.
    fn die(&self) {
        let _ = self.socket.shutdown(std::net::Shutdown::Both);
        let routing = self.routing();
        self.alive.store(false, Ordering::Release);
        if routing.sleepers > 0 {
            self.routed.notify_all();
        }
    }

    /// Gives the reader lock back, waking the sleepers: one of them may
    /// have to read next. Under the routing lock, so that none misses it
    /// between finding the reader lock taken and falling asleep.
    fn release(&self, reader: MutexGuard<'_, ReadState>) -> MutexGuard<'_, Routing> {
        let routing = self.routing();
        drop(reader);
        if routing.sleepers > 0 {
            self.routed.notify_all();
        }
        routing
    }

    /// Waits until `take` finds what it looks for, by `deadline`, reading
    /// the socket itself whenever no other thread does.
    fn wait<T>(&self, deadline: Instant, mut take: impl FnMut(&mut Routing) -> Option<T>) -> Waited<T> {
        let mut routing = self.routing();
        loop {
            if let Some(found) = take(&mut routing) {
                return Waited::Got(found);
            }
            if !self.is_alive() {
                return Waited::Closed;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Waited::TimedOut;
            }
            match self.try_reader() {
                Some(mut reader) => {
                    drop(routing);
                    self.read(&mut reader, left);
                    routing = self.release(reader);
                }
                None => {
                    routing.sleepers += 1;
                    routing = match self.routed.wait_timeout(routing, left) {
                        Ok((routing, _)) => routing,
                        Err(e) => e.into_inner().0,
                    };
                    routing.sleepers -= 1;
                }
            }
        }
    }

    /// One blocking read of at most `timeout`, and the frames it completes routed.
    fn read(&self, rd: &mut ReadState, timeout: Duration) {
        let serves = |set: Duration| {
            set <= timeout + READ_TIMEOUT_SLACK
                && set >= timeout.min(READ_TIMEOUT_FLOOR).saturating_sub(READ_TIMEOUT_SLACK)
        };
        if !rd.timeout.is_some_and(serves) {
            if let Err(e) = self.socket.set_read_timeout(Some(timeout)) {
                return self.read_failed(&e);
            }
            rd.timeout = Some(timeout);
        }
        rd.make_room();
        match (&self.socket).read(&mut rd.buf[rd.end..]) {
            Ok(0) => self.die(),
            Ok(n) => {
                rd.end += n;
                self.consume(rd);
            }
            Err(e) => self.read_failed(&e),
        }
    }

    /// A read error: the link is down, unless it only timed out or was interrupted.
    fn read_failed(&self, e: &io::Error) {
        if !matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut | io::ErrorKind::Interrupted) {
            self.die();
        }
    }

    /// Reads what has already arrived, without blocking, if no one else is
    /// reading: the ticker's pass over an idle link.
    pub(super) fn drain(&self) {
        if !self.is_alive() || !runtime::is_current(self.owner_pid) {
            return;
        }
        // A caller that holds the reader lock answers ticks itself.
        let Some(mut guard) = self.try_reader() else { return };
        let rd = &mut *guard;
        for _ in 0..IDLE_READS {
            rd.make_room();
            let fd = self.socket.as_raw_fd();
            let spare = &mut rd.buf[rd.end..];
            // SAFETY: `spare` is memory we own and may write, `spare.len()`
            // bytes long, for the whole call; `fd` is the open socket of
            // `self.socket`, which lives as long as `self`.
            let n = unsafe { libc::recv(fd, spare.as_mut_ptr().cast(), spare.len(), libc::MSG_DONTWAIT) };
            if n == 0 {
                self.die();
                break;
            }
            if n < 0 {
                let e = io::Error::last_os_error();
                match e.kind() {
                    io::ErrorKind::Interrupted => continue,
                    io::ErrorKind::WouldBlock => {}
                    _ => self.die(),
                }
                break;
            }
            rd.end += n.unsigned_abs();
            self.consume(rd);
            if !self.is_alive() {
                break;
            }
        }
        drop(self.release(guard));
    }

    /// Parses the whole frames in the buffer: ticks answered, messages routed.
    fn consume(&self, rd: &mut ReadState) {
        let mut routing: Option<MutexGuard<'_, Routing>> = None;
        let seen = rd.frames(|f| route(f, routing.get_or_insert_with(|| self.routing())));
        if seen.routed && routing.as_ref().is_some_and(|r| r.sleepers > 0) {
            self.routed.notify_all();
        }
        // Before the tick's write and `die`, which takes it again.
        drop(routing);
        if seen.too_large {
            // The stream cannot be followed past a frame we will not read.
            self.die();
        } else if seen.tick {
            self.answer_tick();
        }
    }

    /// A tick for the node's tick, else it drops the link after net_ticktime.
    fn answer_tick(&self) {
        let writing = match self.writer.try_lock() {
            Ok(writing) => writing,
            Err(TryLockError::Poisoned(e)) => e.into_inner(),
            // Someone is writing a frame: the node hears from us anyway.
            Err(TryLockError::WouldBlock) => return,
        };
        let sent = send(&self.socket, &frame::TICK, TICK_WRITE_TIMEOUT);
        drop(writing);
        if sent.is_err() {
            self.die();
        }
    }
}

/// The reply handling of a link without its socket, for the fuzzer
/// (`fuzz/`) and the test that replays its corpus: `stream` arrives in
/// reads of `chunk` bytes (at least 1) and goes through the framing and
/// routing a link uses, with calls waiting on the first four reply pids;
/// the replies those calls would return (unwrapped from `{peb, Reply}` or
/// `{rex, Reply}`) and the messages queued for `peb_receive`.
pub fn replay_replies(stream: &[u8], chunk: usize) -> (Vec<Vec<u8>>, Vec<Vec<u8>>) {
    let mut rd = ReadState { buf: vec![0; 64], start: 0, end: 0, timeout: None };
    let mut routing = Routing::default();
    let calls: Vec<(u32, u32)> = (0..4).map(|n| (SELF_ID + 1 + n, 0)).collect();
    for key in &calls {
        routing.pending.insert(*key, None);
    }
    for piece in stream.chunks(chunk.max(1)) {
        let mut piece = piece;
        while !piece.is_empty() {
            rd.make_room();
            let n = piece.len().min(rd.buf.len() - rd.end);
            rd.buf[rd.end..rd.end + n].copy_from_slice(&piece[..n]);
            rd.end += n;
            piece = &piece[n..];
            if rd.frames(|f| route(f, &mut routing)).too_large {
                return (Vec::new(), Vec::new());
            }
        }
    }
    let replies = calls
        .iter()
        .filter_map(|k| routing.pending.get_mut(k).and_then(Option::take))
        .filter_map(|p| {
            frame::tagged_reply(&p, CALL_TAG).or_else(|| frame::tagged_reply(&p, "rex")).map(<[u8]>::to_vec)
        })
        .collect();
    (replies, routing.mailbox.into_iter().collect())
}

/// Hands one frame to whoever waits for it; whether anyone did.
fn route(frame: &[u8], routing: &mut Routing) -> bool {
    let Ok(Incoming::Message { id, serial, payload }) = frame::parse(frame) else { return false };
    if id == SELF_ID {
        if routing.mailbox.len() < MAILBOX_SIZE {
            routing.mailbox.push_back(payload.to_vec());
            return true;
        }
        return false;
    }
    // A pid no call waits for (one that timed out) gets nothing.
    match routing.pending.get_mut(&(id, serial)) {
        Some(slot @ None) => {
            *slot = Some(payload.to_vec());
            true
        }
        _ => false,
    }
}

impl ReadState {
    /// Hands every whole frame in the buffer to `route`, ticks aside, and
    /// leaves a partial one in place with room made for the rest of it.
    fn frames(&mut self, mut route: impl FnMut(&[u8]) -> bool) -> Seen {
        let mut seen = Seen::default();
        while self.end - self.start >= 4 {
            let at = self.start;
            let b = &self.buf[at..at + 4];
            let len = u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize;
            if len == 0 {
                seen.tick = true;
                self.start += 4;
                continue;
            }
            if len > frame::MAX_FRAME {
                seen.too_large = true;
                break;
            }
            if self.end - at < 4 + len {
                // The rest of the frame is still to come: room for it, but
                // never far beyond what has come, so that a length alone
                // (4 bytes claiming 128 MiB) allocates nothing big.
                let have = self.end - at;
                self.reserve((4 + len).min(have.saturating_mul(2).max(RESERVE_AHEAD)));
                break;
            }
            seen.routed |= route(&self.buf[at + 4..at + 4 + len]);
            self.start += 4 + len;
        }
        self.settle();
        seen
    }

    /// Free bytes after `end` for the next read.
    fn make_room(&mut self) {
        if self.end < self.buf.len() {
            return;
        }
        if self.start > 0 {
            self.compact();
        } else {
            let doubled = self.buf.len() * 2;
            self.buf.resize(doubled, 0);
        }
    }

    /// Room for `need` bytes from `start` on.
    fn reserve(&mut self, need: usize) {
        if self.buf.len() - self.start >= need {
            return;
        }
        self.compact();
        if self.buf.len() < need {
            self.buf.resize(need, 0);
        }
    }

    fn compact(&mut self) {
        self.buf.copy_within(self.start..self.end, 0);
        self.end -= self.start;
        self.start = 0;
    }

    /// Back to the start once all is parsed; a large buffer given back.
    fn settle(&mut self) {
        if self.start != self.end {
            return;
        }
        self.start = 0;
        self.end = 0;
        if self.buf.len() > BUFFER_KEEP {
            self.buf = vec![0; BUFFER];
        }
    }
}

/// Writes `bytes` whole within `timeout`; the caller holds the writer lock.
fn send(socket: &TcpStream, bytes: &[u8], timeout: Duration) -> Result<(), WriteError> {
    // First without blocking: the socket nearly always has room, and then
    // no write timeout needs setting.
    let mut done = match send_now(socket, bytes) {
        Ok(n) => n,
        Err(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted) => 0,
        Err(error) => return Err(WriteError { error, broken: false }),
    };
    let deadline = deadline(timeout);
    while done < bytes.len() {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            let error = io::Error::from(io::ErrorKind::TimedOut);
            return Err(WriteError { error, broken: done > 0 });
        }
        let set = socket.set_write_timeout(Some(left));
        set.map_err(|error| WriteError { error, broken: done > 0 })?;
        match (&*socket).write(&bytes[done..]) {
            Ok(0) => {
                let error = io::Error::from(io::ErrorKind::WriteZero);
                return Err(WriteError { error, broken: true });
            }
            Ok(n) => done += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(error) => return Err(WriteError { error, broken: done > 0 }),
        }
    }
    Ok(())
}

/// What of `bytes` the socket takes at once.
fn send_now(socket: &TcpStream, bytes: &[u8]) -> io::Result<usize> {
    let fd = socket.as_raw_fd();
    let flags = libc::MSG_DONTWAIT | libc::MSG_NOSIGNAL;
    // SAFETY: `bytes` is readable memory of `bytes.len()` bytes for the
    // whole call; `fd` is the open socket of `socket`, borrowed meanwhile.
    // MSG_NOSIGNAL: a closed peer is an error, not a SIGPIPE for PHP.
    let n = unsafe { libc::send(fd, bytes.as_ptr().cast(), bytes.len(), flags) };
    if n < 0 { Err(io::Error::last_os_error()) } else { Ok(n.unsigned_abs()) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    /// A link to a fake peer on 127.0.0.1, past the handshake: the test plays the node.
    fn fake_link() -> (Arc<Link>, TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let rt = runtime::get().unwrap();
        let stream = rt.block_on(tokio::net::TcpStream::connect(addr)).unwrap();
        let (peer_side, _) = listener.accept().unwrap();
        let local = NodeName::parse("php@127.0.0.1").unwrap();
        let (_, slot) = crate::node::name::unique_local(&local);
        let c = connect::Connected { stream, local, slot, creation: 7 };
        let link = Arc::new(Link::start(NodeName::parse("fake@127.0.0.1").unwrap(), c).unwrap());
        ticker::watch(Arc::downgrade(&link.shared)).unwrap();
        (link, peer_side)
    }

    /// A frame to the pid `id`/`serial` of `link` carrying `{Tag, ok}`.
    fn message(link: &Link, id: u32, serial: u32, tag: &str) -> Vec<u8> {
        let mut w = Writer::default();
        w.tuple_header(2);
        w.atom(tag);
        w.atom("ok");
        frame::send(&frame::pid(&link.local.full(), id, serial, link.creation), &w.into_bytes())
    }

    /// Reads one frame the link wrote; a tick is empty.
    fn next_frame(peer: &mut TcpStream) -> Vec<u8> {
        let mut len = [0u8; 4];
        peer.read_exact(&mut len).unwrap();
        let mut f = vec![0u8; u32::from_be_bytes(len) as usize];
        peer.read_exact(&mut f).unwrap();
        f
    }

    const ONE_S: Duration = Duration::from_secs(1);

    #[test]
    fn a_frame_split_across_a_timeout_keeps_its_framing() {
        let (link, mut peer) = fake_link();
        let m = message(&link, SELF_ID, 0, "first");
        peer.write_all(&m[..7]).unwrap();
        assert!(link.receive(Duration::from_millis(100)).is_err());
        peer.write_all(&m[7..]).unwrap();
        peer.write_all(&message(&link, SELF_ID, 0, "second")).unwrap();
        assert_eq!(frame::tagged_reply(&link.receive(ONE_S).unwrap(), "first"), Some(&[119, 2, b'o', b'k'][..]));
        assert!(frame::tagged_reply(&link.receive(ONE_S).unwrap(), "second").is_some());
        assert!(link.is_alive());
    }

    #[test]
    fn an_idle_link_answers_ticks_and_keeps_replies_read_early() {
        let (link, mut peer) = fake_link();
        let sent = link.call_start("srv", &[tag_nil()], ONE_S).unwrap();
        assert!(!next_frame(&mut peer).is_empty());
        // The reply and a tick arrive while no call reads: the ticker takes both.
        peer.write_all(&message(&link, SELF_ID + 1, 0, CALL_TAG)).unwrap();
        peer.write_all(&frame::TICK).unwrap();
        peer.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
        assert!(next_frame(&mut peer).is_empty(), "a tick answered");
        assert_eq!(link.reply(sent, Duration::from_millis(1)).unwrap(), [119, 2, b'o', b'k']);
        assert!(link.shared.routing().pending.is_empty());
    }

    #[test]
    fn late_replies_are_dropped_and_abandoned_calls_leave_nothing() {
        let (link, mut peer) = fake_link();
        let err = link.call("srv", &[tag_nil()], Duration::from_millis(50)).unwrap_err();
        assert_eq!(err, Error::Receive("srv on fake@127.0.0.1 did not answer within 50 ms".into()));
        drop(link.call_start("srv", &[tag_nil()], ONE_S).unwrap());
        assert!(link.shared.routing().pending.is_empty());
        // Both late replies, then the third call's own.
        for id in [SELF_ID + 1, SELF_ID + 2, SELF_ID + 3] {
            peer.write_all(&message(&link, id, 0, CALL_TAG)).unwrap();
        }
        let sent = link.call_start("srv", &[tag_nil()], ONE_S).unwrap();
        assert!(link.reply(sent, ONE_S).is_ok());
        assert!(link.receive(Duration::from_millis(20)).is_err());
    }

    #[test]
    fn the_peer_closing_fails_the_waiting_call_at_once() {
        let (link, peer) = fake_link();
        let closer = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(100));
            drop(peer);
        });
        let t0 = Instant::now();
        let err = link.call("srv", &[tag_nil()], Duration::from_secs(5)).unwrap_err();
        assert_eq!(err, Error::Receive("fake@127.0.0.1 closed the link during the call".into()));
        assert!(t0.elapsed() < Duration::from_secs(2));
        assert!(!link.is_alive());
        closer.join().unwrap();
    }

    #[test]
    fn a_length_alone_allocates_nothing_big() {
        // Found by the replies fuzz target: a 4-byte length made the buffer
        // as large as the frame it promised (up to 128 MiB).
        let mut rd = ReadState { buf: vec![0; 64], start: 0, end: 0, timeout: None };
        rd.buf[..4].copy_from_slice(&(frame::MAX_FRAME as u32).to_be_bytes());
        rd.end = 4;
        assert!(!rd.frames(|_| true).too_large);
        assert!(rd.buf.len() <= 2 * RESERVE_AHEAD, "{} bytes", rd.buf.len());
        // A real large frame still arrives whole.
        let (replies, _) = replay_replies(&big_reply(3 << 20), 65536);
        assert_eq!(replies.len(), 1);
    }

    /// A stream holding one reply `{peb, <<N bytes>>}` to the first call pid.
    fn big_reply(n: usize) -> Vec<u8> {
        let mut w = Writer::default();
        w.tuple_header(2);
        w.atom(CALL_TAG);
        w.binary(&vec![7u8; n]);
        frame::send(&frame::pid("php@127.0.0.1", SELF_ID + 1, 0, 7), &w.into_bytes())
    }

    #[test]
    fn a_frame_too_large_kills_the_link() {
        let (link, mut peer) = fake_link();
        peer.write_all(&((frame::MAX_FRAME + 1) as u32).to_be_bytes()).unwrap();
        assert!(link.receive(ONE_S).is_err());
        assert!(!link.is_alive());
    }

    #[test]
    fn callers_on_several_threads_each_get_their_reply() {
        let (link, mut peer) = fake_link();
        // The peer answers every request, in reverse order of each batch of 4.
        let local = link.local.full();
        let echo = std::thread::spawn(move || {
            for _ in 0..50 {
                let mut batch = Vec::new();
                for _ in 0..4 {
                    let f = next_frame(&mut peer);
                    // The reply pid's id and serial, from `{6, From, '', srv}`.
                    let at = f.windows(local.len()).position(|w| w == local.as_bytes()).unwrap() + local.len();
                    let id = u32::from_be_bytes(f[at..at + 4].try_into().unwrap());
                    batch.push(id);
                }
                for id in batch.into_iter().rev() {
                    let mut w = Writer::default();
                    w.tuple_header(2);
                    w.atom(CALL_TAG);
                    w.int(i64::from(id));
                    peer.write_all(&frame::send(&frame::pid(&local, id, 0, 7), &w.into_bytes())).unwrap();
                }
            }
        });
        let callers: Vec<_> = (0..4)
            .map(|_| {
                let link = link.clone();
                std::thread::spawn(move || {
                    for _ in 0..50 {
                        let sent = link.call_start("srv", &[tag_nil()], ONE_S).unwrap();
                        let id = sent.key.0;
                        let reply = link.reply(sent, Duration::from_secs(5)).unwrap();
                        let mut w = Writer::default();
                        w.int(i64::from(id));
                        assert_eq!(reply, w.into_bytes());
                    }
                })
            })
            .collect();
        for c in callers {
            c.join().unwrap();
        }
        echo.join().unwrap();
    }

    /// The id of the reply pid in a request frame `{6, From, '', srv}` of `link`.
    fn reply_id(link: &Link, f: &[u8]) -> u32 {
        let local = link.local.full();
        let at = f.windows(local.len()).position(|w| w == local.as_bytes()).unwrap() + local.len();
        u32::from_be_bytes(f[at..at + 4].try_into().unwrap())
    }

    #[test]
    fn a_watched_call_fails_within_its_timeout_when_the_node_goes_silent() {
        let (link, _peer) = fake_link();
        let t0 = Instant::now();
        let err = link.call_watched("srv", &[tag_nil()], &[tag_nil()], Duration::from_millis(200), ONE_S * 30);
        assert!(matches!(err, Err(Error::Receive(ref m)) if m.contains("stopped answering")), "{err:?}");
        let ms = t0.elapsed().as_millis();
        assert!((190..400).contains(&ms), "{ms} ms");
    }

    #[test]
    fn a_watched_call_waits_past_its_timeout_while_the_node_answers_probes() {
        let (link, mut peer) = fake_link();
        let answer = |peer: &mut TcpStream, link: &Link, id: u32| {
            let mut w = Writer::default();
            w.tuple_header(2);
            w.atom(CALL_TAG);
            w.int(i64::from(id));
            peer.write_all(&frame::send(&frame::pid(&link.local.full(), id, 0, 7), &w.into_bytes())).unwrap();
        };
        let node = {
            let link = link.clone();
            std::thread::spawn(move || {
                let request = reply_id(&link, &next_frame(&mut peer));
                // Probes answered at once; the request itself after 700 ms.
                let t0 = Instant::now();
                while t0.elapsed() < Duration::from_millis(700) {
                    let probe = reply_id(&link, &next_frame(&mut peer));
                    answer(&mut peer, &link, probe);
                }
                answer(&mut peer, &link, request);
                peer
            })
        };
        let t0 = Instant::now();
        let reply = link.call_watched("srv", &[tag_nil()], &[tag_nil()], Duration::from_millis(200), ONE_S * 30);
        assert_eq!(reply.unwrap(), [crate::term::tag::SMALL_INTEGER, SELF_ID as u8 + 1]);
        assert!(t0.elapsed() >= Duration::from_millis(700));
        assert!(link.shared.routing().pending.is_empty(), "no probe left waiting");
        drop(node.join().unwrap());
    }

    fn tag_nil() -> u8 {
        crate::term::tag::NIL
    }
}
