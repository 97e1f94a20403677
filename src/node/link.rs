//! A live link to one node. A background task reads every frame: it answers
//! ticks (else the node drops an idle link after net_ticktime, and a
//! php-fpm worker idles longer than that), routes messages for the link's
//! own pid to its mailbox (`peb_receive`), and hands each RPC reply to the
//! call waiting for it. Every call gets its own reply pid, because a rex
//! reply carries no request id: a reply that arrives after its call timed
//! out finds no one waiting and is dropped, never taken by a later call.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::runtime::Runtime;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use super::frame::{self, Incoming};
use super::name::NodeName;
use super::{Error, connect, runtime};
use crate::term::encode::Writer;

/// Id of the link's own pid, the one `~p` encodes; call pids count from above it.
const SELF_ID: u32 = 1;

/// Messages kept for `peb_receive` at most; beyond, new ones are dropped, so
/// that a persistent link nobody reads cannot grow a worker without bound.
pub const MAILBOX_SIZE: usize = 4096;

/// The tag of [`Link::call`]'s gen_server calls (gen_server replies `{Tag, Reply}`).
const CALL_TAG: &str = "peb";

type Writer_ = Arc<tokio::sync::Mutex<OwnedWriteHalf>>;

/// Calls waiting for a reply, by the id and serial of their reply pid.
type Pending = HashMap<(u32, u32), oneshot::Sender<Vec<u8>>>;

/// State the reader task shares with the link.
struct Shared {
    alive: AtomicBool,
    pending: Mutex<Pending>,
    mailbox: mpsc::Sender<Vec<u8>>,
}

pub struct Link {
    pub peer: NodeName,
    pub local: NodeName,
    pub creation: u32,
    /// The process that made the link: after a fork it is not ours to use.
    pub owner_pid: u32,
    self_pid: Vec<u8>,
    /// Dropped only by the process that made it: dropping the last write
    /// half shuts the socket down, which a forked child must not do to its
    /// parent's connection.
    writer: std::mem::ManuallyDrop<Writer_>,
    mailbox: tokio::sync::Mutex<mpsc::Receiver<Vec<u8>>>,
    shared: Arc<Shared>,
    next_call: AtomicU32,
    reader: JoinHandle<()>,
    rt: Arc<Runtime>,
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
        Ok(Arc::new(Link::start(peer, connected, rt)))
    }

    fn start(peer: NodeName, c: connect::Connected, rt: Arc<Runtime>) -> Link {
        let (rd, wr) = c.stream.into_split();
        let writer = Arc::new(tokio::sync::Mutex::new(wr));
        let (tx, rx) = mpsc::channel(MAILBOX_SIZE);
        let shared = Arc::new(Shared { alive: AtomicBool::new(true), pending: Mutex::default(), mailbox: tx });
        let reader = rt.spawn(read_loop(rd, writer.clone(), shared.clone()));
        let self_pid = frame::pid(&c.local.full(), SELF_ID, 0, c.creation);
        Link {
            peer,
            local: c.local,
            creation: c.creation,
            owner_pid: std::process::id(),
            self_pid,
            writer: std::mem::ManuallyDrop::new(writer),
            mailbox: tokio::sync::Mutex::new(rx),
            shared,
            next_call: AtomicU32::new(0),
            reader,
            rt,
        }
    }

    /// Whether the connection is up, as far as the reader knows.
    pub fn is_alive(&self) -> bool {
        self.shared.alive.load(Ordering::Acquire) && runtime::is_current(self.owner_pid)
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

    async fn write(&self, bytes: &[u8], timeout: Duration) -> Result<(), Error> {
        let peer = self.peer.full();
        let io = async { self.writer.lock().await.write_all(bytes).await };
        match tokio::time::timeout(timeout, io).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(Error::Send(format!("sending to {peer} failed: {e}"))),
            Err(_) => Err(Error::Send(format!("sending to {peer} timed out after {} ms", timeout.as_millis()))),
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
        let deadline = Instant::now() + timeout;
        let sent = self.send_request("rex", "rex", |from| Self::rex_request(from, module, function, args), timeout, what)?;
        self.reply(sent, deadline.saturating_duration_since(Instant::now()))
    }

    /// A `gen_server:call` to the process registered as `name`, in one
    /// message and without rex: `{'$gen_call', {From, peb}, Request}`,
    /// answered `{peb, Reply}`. The reply term, without version byte.
    pub fn call(&self, name: &str, request: &[u8], timeout: Duration) -> Result<Vec<u8>, Error> {
        let deadline = Instant::now() + timeout;
        let sent = self.call_start(name, request, timeout)?;
        self.reply(sent, deadline.saturating_duration_since(Instant::now()))
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
        let (tx, rx) = oneshot::channel();
        self.pending().insert(key, tx);
        let sent = Sent { key, rx: Some(rx), tag, what, shared: self.shared.clone() };
        let request = frame::reg_send(&from, to, &message(&from));
        self.rt.block_on(self.write(&request, timeout))?;
        Ok(sent)
    }

    /// The reply to a request sent by this link, within `timeout`.
    pub fn reply(&self, mut sent: Sent, timeout: Duration) -> Result<Vec<u8>, Error> {
        let rx = sent.rx.take().expect("a Sent is answered once");
        let outcome = self.rt.block_on(async {
            match tokio::time::timeout(timeout, rx).await {
                Ok(Ok(reply)) => Ok(reply),
                Ok(Err(_)) => Err(Error::Receive(format!("{} closed the link during the call", self.peer.full()))),
                Err(_) => {
                    Err(Error::Receive(format!("{} did not answer within {} ms", sent.what, timeout.as_millis())))
                }
            }
        });
        let payload = outcome?;
        match frame::tagged_reply(&payload, sent.tag) {
            Some(reply) => Ok(reply.to_vec()),
            None => Err(Error::Receive(format!("the reply of {} is not {{{}, Reply}}", sent.what, sent.tag))),
        }
    }

    /// The same request, answered to the link's own pid: `{rex, Reply}`
    /// arrives through [`Link::receive`].
    pub fn rpc_to(&self, module: &str, function: &str, args: &[u8], timeout: Duration) -> Result<(), Error> {
        self.check()?;
        let request =
            frame::reg_send(&self.self_pid, "rex", &Self::rex_request(&self.self_pid, module, function, args));
        self.rt.block_on(self.write(&request, timeout))
    }

    pub fn send_by_name(&self, name: &str, payload: &[u8], timeout: Duration) -> Result<(), Error> {
        self.check()?;
        self.rt.block_on(self.write(&frame::reg_send(&self.self_pid, name, payload), timeout))
    }

    pub fn send_to_pid(&self, pid: &[u8], payload: &[u8], timeout: Duration) -> Result<(), Error> {
        self.check()?;
        self.rt.block_on(self.write(&frame::send(pid, payload), timeout))
    }

    /// The next message to the link's own pid, without version byte.
    pub fn receive(&self, timeout: Duration) -> Result<Vec<u8>, Error> {
        // Messages already queued are still delivered after the link went
        // down; only a link inherited through a fork is refused outright.
        if !runtime::is_current(self.owner_pid) {
            return Err(Error::Receive("the link belongs to the parent process".into()));
        }
        self.rt.block_on(async {
            let mut mailbox = self.mailbox.lock().await;
            if let Ok(msg) = mailbox.try_recv() {
                return Ok(msg);
            }
            match tokio::time::timeout(timeout, mailbox.recv()).await {
                Ok(Some(msg)) => Ok(msg),
                Ok(None) => Err(Error::Receive(format!("the link to {} is closed", self.peer.full()))),
                Err(_) => Err(Error::Receive(format!("no message within {} ms", timeout.as_millis()))),
            }
        })
    }

    fn check(&self) -> Result<(), Error> {
        if self.is_alive() { Ok(()) } else { Err(Error::Send(format!("the link to {} is down", self.peer.full()))) }
    }

    fn pending(&self) -> std::sync::MutexGuard<'_, Pending> {
        self.shared.pending.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A request on its way: its reply pid stays registered until the reply is
/// taken or this is dropped, so an abandoned request leaves nothing behind.
pub struct Sent {
    key: (u32, u32),
    rx: Option<oneshot::Receiver<Vec<u8>>>,
    tag: &'static str,
    what: String,
    shared: Arc<Shared>,
}

impl Drop for Sent {
    fn drop(&mut self) {
        self.shared.pending.lock().unwrap_or_else(|e| e.into_inner()).remove(&self.key);
    }
}

impl Drop for Link {
    fn drop(&mut self) {
        // A link inherited through a fork belongs to the parent's runtime.
        if runtime::is_current(self.owner_pid) {
            self.reader.abort();
            // SAFETY: dropped once, here, and never used again.
            unsafe { std::mem::ManuallyDrop::drop(&mut self.writer) };
        }
    }
}

/// Reads frames until the connection ends: ticks answered, messages routed.
async fn read_loop(mut rd: OwnedReadHalf, writer: Writer_, shared: Arc<Shared>) {
    let mut len = [0u8; 4];
    loop {
        if rd.read_exact(&mut len).await.is_err() {
            break;
        }
        let n = u32::from_be_bytes(len) as usize;
        if n == 0 {
            if writer.lock().await.write_all(&frame::TICK).await.is_err() {
                break;
            }
            continue;
        }
        if n > frame::MAX_FRAME {
            break;
        }
        let mut buf = vec![0u8; n];
        if rd.read_exact(&mut buf).await.is_err() {
            break;
        }
        route(&buf, &shared);
    }
    shared.alive.store(false, Ordering::Release);
    // Dropping the senders wakes every waiting call with "closed".
    shared.pending.lock().unwrap_or_else(|e| e.into_inner()).clear();
}

fn route(buf: &[u8], shared: &Shared) {
    let Ok(Incoming::Message { id, serial, payload }) = frame::parse(buf) else { return };
    if id == SELF_ID {
        let _ = shared.mailbox.try_send(payload.to_vec());
        return;
    }
    let waiter = shared.pending.lock().unwrap_or_else(|e| e.into_inner()).remove(&(id, serial));
    if let Some(tx) = waiter {
        let _ = tx.send(payload.to_vec());
    }
}
