//! One request's session, behind the nine callbacks of the save handler:
//! which node it talks to, and the lock it holds. The lock is taken in the
//! same call as the read and released in the same call as the write (or
//! the touch, or the destroy); `close` releases one still held.
//!
//! When the link to the node in use fails mid-request, or its node cannot
//! serve (a cluster node without a majority), the operation is made once
//! more through the next node of the save path, with the same grant: in a
//! cluster the next node knows the session and its version, and takes a
//! write whose lock was lost as long as nobody changed the session since;
//! an independent (ETS) node takes it where it has no such session
//! (`erlang/peb_session_locks.erl`). A write is never made over a newer one.
//!
//! A write (or touch) is sent without waiting for its confirmation: the
//! request goes on while the node stores the data, and the confirmation
//! is taken at the next session operation of the process (its reply comes
//! before that operation's, so this costs no wait) or at the end of the
//! request at the latest, where a failure is a warning. This saves a round
//! trip per request. A later reader sees the data all the same: the write
//! releases the lock, and the server grants the next lock after it. The
//! writes PHP makes while the request ends, after [`end_request`], wait
//! for their confirmation, as there is no later point to take it.

use std::cell::{Cell, RefCell};
use std::sync::{Arc, Weak};
use std::time::Duration;

use super::nodes;
use super::server;
use super::store::{Data, Lock, Store, StoreError, Token, Unconfirmed};
use crate::node::{Link, registry, runtime};
use crate::php::ini;

thread_local! {
    /// Links on which the server is known to run (checked once per link).
    static READY: RefCell<Vec<Weak<Link>>> = const { RefCell::new(Vec::new()) };
    /// Writes and touches sent whose confirmation is still to be taken.
    static IN_FLIGHT: RefCell<Vec<InFlight>> = const { RefCell::new(Vec::new()) };
    /// The request is ending: writes wait for their confirmation.
    static ENDING: Cell<bool> = const { Cell::new(false) };
}

/// A write or touch sent, with what it takes to make it again elsewhere
/// should its node fail before confirming it.
struct InFlight {
    store: Store,
    nodes: Vec<String>,
    redo: Redo,
    token: Token,
    unconfirmed: Unconfirmed,
}

enum Redo {
    Write { id: Vec<u8>, data: Vec<u8>, lifetime: Duration },
    Touch { id: Vec<u8>, lifetime: Duration },
}

impl Redo {
    fn start(&self, store: &Store, token: &Token) -> Result<Unconfirmed, StoreError> {
        match self {
            Redo::Write { id, data, lifetime } => store.write_start(id, token, data, *lifetime),
            Redo::Touch { id, lifetime } => store.touch_start(id, token, *lifetime),
        }
    }
}

/// Takes the confirmation of every write sent; the failures, in words.
/// A write whose node went down is made again through the save path.
pub fn settle() -> Vec<Failure> {
    settle_within(None)
}

/// [`settle`] after a read through `link` failed: the writes sent on that
/// link went before the read, so their confirmations came before its
/// answer, and were read already if they came at all; none is waited for
/// again (a paused node would otherwise cost a second timeout).
pub fn settle_after_failed_read(link: &Arc<Link>) -> Vec<Failure> {
    settle_within(Some(link))
}

/// Confirmations on `silent` (a link whose node just failed to answer) are
/// taken without waiting; the others within the timeout.
fn settle_within(silent: Option<&Arc<Link>>) -> Vec<Failure> {
    let in_flight = IN_FLIGHT.with(|f| std::mem::take(&mut *f.borrow_mut()));
    let (ours, inherited): (Vec<_>, Vec<_>) =
        in_flight.into_iter().partition(|f| runtime::is_current(f.store.link.owner_pid));
    // Sent by the parent before a fork: its confirmation is the parent's to
    // take, and nothing of its link may be touched here.
    if !inherited.is_empty() {
        crate::node::inherited::keep(inherited);
    }
    ours.into_iter()
        .filter_map(|f| {
            let wait = match silent {
                Some(link) if Arc::ptr_eq(link, &f.store.link) => Duration::ZERO,
                _ => f.store.timeout,
            };
            confirm(f, wait).err()
        })
        .collect()
}

fn confirm(f: InFlight, wait: Duration) -> Result<(), Failure> {
    match f.store.confirm_within(f.unconfirmed, wait) {
        Err(e) if node_failed(&e, &f.store) => {
            nodes::failed(&f.store.link.peer.full());
            let store = connect_any(&f.nodes).map_err(|again| format!("{}; {again}", describe(e, &f.store)))?;
            let redone = f.redo.start(&store, &f.token).and_then(|u| store.confirm(u));
            redone.map_err(|e| describe(e, &store))
        }
        Err(StoreError::Link(_)) if wait.is_zero() => {
            Err(format!("a write sent to {} was not confirmed: the node stopped answering", f.store.link.peer.full()))
        }
        other => other.map_err(|e| describe(e, &f.store)),
    }
}

/// Whether the node, not the request, failed: then another node may serve.
fn node_failed(e: &StoreError, store: &Store) -> bool {
    match e {
        StoreError::Link(_) => !store.link.is_alive(),
        StoreError::Unavailable(_) => true,
        _ => false,
    }
}

/// RSHUTDOWN of peb (before the session extension's own): the writes sent
/// so far are confirmed, and those still to come will wait.
pub fn end_request() -> Vec<Failure> {
    let failures = settle();
    ENDING.with(|e| e.set(true));
    failures
}

/// RINIT: writes are sent without waiting again.
pub fn start_request() {
    ENDING.with(|e| e.set(false));
}

pub struct Session {
    nodes: Vec<String>,
    store: Store,
    /// The id whose lock this request holds, and the grant.
    held: Option<(Vec<u8>, Token)>,
}

/// What failed, in words fit for a warning (never the cookie).
pub type Failure = String;

impl Session {
    /// Connects to the first node of the save path that answers and runs the server.
    pub fn open(save_path: &str) -> Result<Session, Failure> {
        let nodes = nodes::parse(save_path, &ini::string(ini::NODENAME));
        if nodes.is_empty() {
            return Err("session.save_path names no node, and peb.default_nodename is empty".into());
        }
        let store = connect_any(&nodes)?;
        Ok(Session { nodes, store, held: None })
    }

    pub fn read(&mut self, id: &[u8]) -> Result<Data, Failure> {
        let locking = ini::flag(ini::SESSION_LOCKING);
        let wait = Duration::from_millis(ini::long(ini::SESSION_LOCK_WAIT).max(0) as u64);
        let (data, token) = self.retrying(Token::none(), |store, _| {
            let lock = match locking {
                true => Lock::Take { holder: store.link.self_pid(), wait, expire: ini::lock_expire() },
                false => Lock::None,
            };
            store.read(id, lock)
        })?;
        if !token.is_none() {
            self.held = Some((id.to_vec(), token));
        }
        Ok(data)
    }

    /// The link to the node in use.
    pub fn link(&self) -> &Arc<Link> {
        &self.store.link
    }

    pub fn write(&mut self, id: &[u8], data: &[u8], lifetime: Duration) -> Result<(), Failure> {
        if let Some(max) = ini::session_max_size()
            && data.len() > max
        {
            // The lock stays held, and `close` releases it: the stored session is left as it was.
            return Err(format!(
                "the session data is {} bytes, over peb.session.max_size ({max} bytes); nothing was written",
                data.len()
            ));
        }
        self.send(Redo::Write { id: id.to_vec(), data: data.to_vec(), lifetime })
    }

    /// lazy_write's unchanged data: the lifetime is extended, the data not sent.
    pub fn touch(&mut self, id: &[u8], lifetime: Duration) -> Result<(), Failure> {
        self.send(Redo::Touch { id: id.to_vec(), lifetime })
    }

    /// Sends a write or touch, confirmed later; while the request ends, or
    /// when sending failed, confirmed at once (with failover).
    fn send(&mut self, redo: Redo) -> Result<(), Failure> {
        let id = match &redo {
            Redo::Write { id, .. } | Redo::Touch { id, .. } => id.clone(),
        };
        let token = self.token_for(&id);
        if !ENDING.with(Cell::get)
            && let Ok(unconfirmed) = redo.start(&self.store, &token)
        {
            let f = InFlight { store: self.store.clone(), nodes: self.nodes.clone(), redo, token, unconfirmed };
            IN_FLIGHT.with(|q| q.borrow_mut().push(f));
            return Ok(());
        }
        self.retrying(token, |store, token| redo.start(store, token).and_then(|u| store.confirm(u)))
    }

    pub fn destroy(&mut self, id: &[u8]) -> Result<(), Failure> {
        let token = self.token_for(id);
        self.retrying(token, |store, token| store.destroy(id, token))
    }

    pub fn gc(&mut self) -> Result<i64, Failure> {
        self.retrying(Token::none(), |store, _| store.gc())
    }

    pub fn exists(&mut self, id: &[u8]) -> Result<bool, Failure> {
        self.retrying(Token::none(), |store, _| store.exists(id))
    }

    /// Releases a lock still held (the request wrote nothing, or failed).
    pub fn close(mut self) -> Result<(), Failure> {
        match self.held.take() {
            Some((id, token)) => self.store.release(&id, &token).map_err(|e| describe(e, &self.store)),
            None => Ok(()),
        }
    }

    /// The grant held on `id`, given up: the call it goes with releases it.
    fn token_for(&mut self, id: &[u8]) -> Token {
        match self.held.take() {
            Some((held, token)) if held == id => token,
            other => {
                self.held = other;
                Token::none()
            }
        }
    }

    /// Runs `op` with the grant it releases; when the node failed under it,
    /// once more, with the same grant, through the next node.
    fn retrying<T>(
        &mut self,
        token: Token,
        op: impl Fn(&Store, &Token) -> Result<T, StoreError>,
    ) -> Result<T, Failure> {
        match op(&self.store, &token) {
            Err(e) if node_failed(&e, &self.store) => {
                let why = describe(e, &self.store);
                nodes::failed(&self.store.link.peer.full());
                self.held = None;
                self.store = connect_any(&self.nodes).map_err(|again| format!("{why}; {again}"))?;
                op(&self.store, &token).map_err(|e| describe(e, &self.store))
            }
            Err(StoreError::Link(e)) => {
                // Alive but silent: the server may be gone; check it again next time.
                forget_ready(&self.store.link);
                Err(e.to_string())
            }
            other => other.map_err(|e| describe(e, &self.store)),
        }
    }
}

fn describe(e: StoreError, store: &Store) -> Failure {
    match e {
        StoreError::Link(e) => e.to_string(),
        StoreError::LockTimeout => format!(
            "gave up waiting for the session's lock after {} ms (peb.session.lock_wait)",
            ini::long(ini::SESSION_LOCK_WAIT)
        ),
        StoreError::LockLost => "the session's lock was lost before the write (it expired, see \
                                 peb.session.lock_expire, or went with a failed node) and the session \
                                 changed since; nothing was written"
            .into(),
        StoreError::Unavailable(why) => format!("node {} cannot serve: {why}", store.link.peer.full()),
        StoreError::Protocol(m) => format!("{m} (node {})", store.link.peer.full()),
    }
}

/// The first node, in failover order, that connects and runs the server.
fn connect_any(nodes: &[String]) -> Result<Store, Failure> {
    let timeout = ini::timeout();
    let cookie = ini::cookie();
    let autoload = ini::flag(ini::SESSION_AUTOLOAD);
    let mut why = Vec::new();
    for node in nodes::order(nodes) {
        let ready = registry::get(&node, &cookie, timeout)
            .map_err(|e| e.to_string())
            .and_then(|link| ensure_ready(link, autoload, timeout));
        match ready {
            Ok(link) => {
                nodes::worked(&node);
                return Ok(Store { link, timeout });
            }
            Err(e) => {
                nodes::failed(&node);
                why.push(e);
            }
        }
    }
    Err(format!("no session node could be used: {}", why.join("; ")))
}

fn ensure_ready(link: Arc<Link>, autoload: bool, timeout: Duration) -> Result<Arc<Link>, Failure> {
    let known = READY.with(|r| {
        let mut r = r.borrow_mut();
        r.retain(|w| w.strong_count() > 0);
        r.iter().any(|w| std::ptr::eq(w.as_ptr(), Arc::as_ptr(&link)))
    });
    if !known {
        server::ensure(&link, autoload, timeout)?;
        READY.with(|r| r.borrow_mut().push(Arc::downgrade(&link)));
    }
    Ok(link)
}

fn forget_ready(link: &Arc<Link>) {
    READY.with(|r| r.borrow_mut().retain(|w| !std::ptr::eq(w.as_ptr(), Arc::as_ptr(link))));
}
