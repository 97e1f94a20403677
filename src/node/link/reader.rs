//! The reader protocol every user of a link follows, the ticker included:
//! whoever holds the reader lock reads the socket for everyone; it answers
//! ticks, routes messages for the link's own pid to its mailbox
//! (`peb_receive`) and every other reply to the call that waits for it. A
//! caller that finds the reader lock taken sleeps until its reply is
//! routed or the lock is free. Between calls, the ticker drains what has
//! arrived without blocking ([`Shared::drain`]). Over TLS the same
//! happens on the records' plaintext (`tls`): what is read from the socket
//! is opened first, and what is written is sealed first.

use std::collections::{HashMap, VecDeque};
use std::io::{self, Read};
use std::net::TcpStream;
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, TryLockError};
use std::time::{Duration, Instant};

use super::buffer::{BUFFER, ReadState};
use super::tls::{self, Session};
use super::write::{self, WriteError};
use crate::node::frame::{self, Incoming};
use crate::node::{name, runtime};

/// Id of the link's own pid, the one `~p` encodes; call pids count from above it.
pub(super) const SELF_ID: u32 = 1;

/// Messages kept for `peb_receive` at most; beyond, new ones are dropped, so
/// that a persistent link nobody reads cannot grow a worker without bound.
pub const MAILBOX_SIZE: usize = 4096;

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
pub(super) struct Routing {
    /// Calls waiting, by the id and serial of their reply pid: `Some` once answered.
    pub(super) pending: HashMap<(u32, u32), Option<Vec<u8>>>,
    pub(super) mailbox: VecDeque<Vec<u8>>,
    /// Threads asleep on `Shared::routed`: it is signalled only when some are.
    sleepers: usize,
}

/// What a wait for a reply or a message came to.
pub(super) enum Waited<T> {
    Got(T),
    Closed,
    TimedOut,
}

/// The state every user of a link shares: its callers, the `Sent`s in
/// flight and the ticker (which holds it weakly).
pub(super) struct Shared {
    pub(super) owner_pid: u32,
    /// Read only under `reader`, written only under `writer`; never shut
    /// down on drop, which a forked child must not do to its parent's link.
    socket: TcpStream,
    /// The TLS session on the socket, if the link is over TLS.
    tls: Option<Session>,
    alive: AtomicBool,
    /// How many of the link's monitors (MONITOR_P from its own pid) have
    /// fired: a process it watches exited. Set by whoever reads, read
    /// without a lock by those who keep what they learned of the process.
    pub(super) downs: AtomicU64,
    routing: Mutex<Routing>,
    routed: Condvar,
    reader: Mutex<ReadState>,
    /// Held while one frame is written whole.
    writer: Mutex<()>,
    /// The local name's slot, freed when the socket closes (with this).
    _name: name::Slot,
}

impl Shared {
    /// The shared state of a link over the blocking `socket`, made by `owner_pid`.
    pub(super) fn new(socket: TcpStream, tls: Option<Session>, owner_pid: u32, slot: name::Slot) -> Self {
        Shared {
            owner_pid,
            socket,
            tls,
            alive: AtomicBool::new(true),
            downs: AtomicU64::new(0),
            routing: Mutex::default(),
            routed: Condvar::new(),
            reader: Mutex::new(ReadState::new(BUFFER)),
            writer: Mutex::new(()),
            _name: slot,
        }
    }

    pub(super) fn is_alive(&self) -> bool {
        self.alive.load(Ordering::Acquire)
    }

    pub(super) fn routing(&self) -> MutexGuard<'_, Routing> {
        self.routing.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Writes one frame whole, under the writer lock.
    pub(super) fn send(&self, bytes: &[u8], timeout: Duration) -> Result<(), WriteError> {
        let _writing = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        self.send_locked(bytes, timeout)
    }

    /// [`Shared::send`] with the writer lock held: over TLS, sealed first.
    fn send_locked(&self, bytes: &[u8], timeout: Duration) -> Result<(), WriteError> {
        let Some(tls) = &self.tls else { return write::send(&self.socket, bytes, timeout) };
        // A sealed record has spent a sequence number: a failure to send it
        // whole leaves a stream the node can no longer follow.
        let broken = |error| WriteError { error, broken: true };
        let sealed = tls.seal(bytes).map_err(broken)?;
        write::send(&self.socket, &sealed, timeout).map_err(|e| broken(e.error))
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
    pub(super) fn die(&self) {
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
    pub(super) fn wait<T>(&self, deadline: Instant, mut take: impl FnMut(&mut Routing) -> Option<T>) -> Waited<T> {
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
        if let Some(tls) = &self.tls {
            return self.read_tls(tls, rd);
        }
        rd.make_room();
        match (&self.socket).read(rd.spare()) {
            Ok(0) => self.die(),
            Ok(n) => {
                rd.filled(n);
                self.consume(rd);
            }
            Err(e) => self.read_failed(&e),
        }
    }

    /// [`Shared::read`] over TLS: plaintext the session holds already is
    /// taken without blocking; else one blocking read of records.
    fn read_tls(&self, tls: &Session, rd: &mut ReadState) {
        if self.open_tls(tls, rd, &[]) {
            return;
        }
        let mut raw = std::mem::take(&mut rd.raw);
        raw.resize(tls::RAW, 0);
        match (&self.socket).read(&mut raw) {
            Ok(0) => self.die(),
            Ok(n) => {
                self.open_tls(tls, rd, &raw[..n]);
            }
            Err(e) => self.read_failed(&e),
        }
        rd.raw = raw;
    }

    /// Opens the records of `raw` (and those the session holds), routes
    /// the frames they complete; whether any plaintext came.
    fn open_tls(&self, tls: &Session, rd: &mut ReadState, raw: &[u8]) -> bool {
        let opened = match tls.open(raw, rd) {
            Ok(opened) => opened,
            Err(_) => {
                // A record that does not open: the stream cannot be followed.
                self.die();
                return false;
            }
        };
        if opened.wants_write {
            self.flush_tls();
        }
        if opened.bytes > 0 {
            self.consume(rd);
        }
        if opened.closed {
            self.die();
        }
        opened.bytes > 0
    }

    /// Sends the records the session has of its own, unless someone is
    /// writing (who sends them with the next frame).
    fn flush_tls(&self) {
        let writing = match self.writer.try_lock() {
            Ok(writing) => writing,
            Err(TryLockError::Poisoned(e)) => e.into_inner(),
            Err(TryLockError::WouldBlock) => return,
        };
        let sent = self.send_locked(&[], TICK_WRITE_TIMEOUT);
        drop(writing);
        if sent.is_err() {
            self.die();
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
            let got = match &self.tls {
                Some(tls) => {
                    let mut raw = std::mem::take(&mut rd.raw);
                    raw.resize(tls::RAW, 0);
                    let got = self.recv_now(&mut raw);
                    if let Ok(n @ 1..) = got {
                        self.open_tls(tls, rd, &raw[..n]);
                    }
                    rd.raw = raw;
                    got
                }
                None => {
                    rd.make_room();
                    let got = self.recv_now(rd.spare());
                    if let Ok(n @ 1..) = got {
                        rd.filled(n);
                        self.consume(rd);
                    }
                    got
                }
            };
            match got {
                Ok(0) => {
                    self.die();
                    break;
                }
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(_) => {
                    self.die();
                    break;
                }
            }
            if !self.is_alive() {
                break;
            }
        }
        drop(self.release(guard));
    }

    /// What has arrived on the socket, without blocking.
    fn recv_now(&self, into: &mut [u8]) -> io::Result<usize> {
        let fd = self.socket.as_raw_fd();
        // SAFETY: `into` is memory we own and may write, `into.len()`
        // bytes long, for the whole call; `fd` is the open socket of
        // `self.socket`, which lives as long as `self`.
        let n = unsafe { libc::recv(fd, into.as_mut_ptr().cast(), into.len(), libc::MSG_DONTWAIT) };
        if n < 0 { Err(io::Error::last_os_error()) } else { Ok(n.unsigned_abs()) }
    }

    /// Parses the whole frames in the buffer: ticks answered, messages routed.
    fn consume(&self, rd: &mut ReadState) {
        let mut routing: Option<MutexGuard<'_, Routing>> = None;
        let seen = rd.frames(|f| route(f, &self.downs, routing.get_or_insert_with(|| self.routing())));
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
        let sent = self.send_locked(&frame::TICK, TICK_WRITE_TIMEOUT);
        drop(writing);
        if sent.is_err() {
            self.die();
        }
    }
}

/// Hands one frame to whoever waits for it; whether anyone did. A monitor
/// of the link's own pid that fired is counted in `downs` (and wakes the
/// calls, which may have gone to a process that exited).
pub(super) fn route(frame: &[u8], downs: &AtomicU64, routing: &mut Routing) -> bool {
    let (id, serial, payload) = match frame::parse(frame) {
        Ok(Incoming::Message { id, serial, payload }) => (id, serial, payload),
        // Routed: a call to a pid waits for it too.
        Ok(Incoming::MonitorExit { id: SELF_ID, .. }) => {
            downs.fetch_add(1, Ordering::Release);
            return true;
        }
        _ => return false,
    };
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
