//! One request's session, behind the callbacks of the save handler: which
//! node it talks to, and the lock it holds. The lock is taken in the same
//! call as the read and released in the same call as the write (or the
//! touch, or the destroy); `close` releases one still held.
//!
//! When the link to the node in use fails mid-request, or its node cannot
//! serve (a cluster node without a majority), the operation is made once
//! more through the next node of the save path, with the same grant: in a
//! cluster the next node knows the session and its version, and takes a
//! write whose lock was lost as long as nobody changed the session since;
//! an independent (ETS) node takes it where it has no such session
//! (`erlang/src/peb_session_locks.erl`). A write is never made over a newer one.
//!
//! A write (or touch) is sent without waiting for its confirmation
//! (`inflight`); the writes PHP makes while the request ends wait for it.

use std::sync::Arc;
use std::time::Duration;

use super::failover::{Failure, Route, node_failed};
use super::inflight::{InFlight, Queue, Redo};
use super::store::{Data, Lock, Store, StoreError, Tagged, TaggedReply, Token};
use super::wire::Wire;

pub struct Session<B: Queue> {
    route: Route<B>,
    store: Store<B::Wire>,
    /// The id whose lock this request holds, and the grant.
    held: Option<(Vec<u8>, Token)>,
}

impl<B: Queue> Session<B> {
    /// Connects to the first node of the route that answers and runs the server.
    pub fn open(route: Route<B>) -> Result<Session<B>, Failure> {
        let store = route.connect()?;
        Ok(Session { route, store, held: None })
    }

    pub fn read(&mut self, id: &[u8]) -> Result<Data, Failure> {
        let settings = &self.route.settings;
        let (locking, wait, expire) = (settings.locking, settings.lock_wait, settings.lock_expire);
        let (data, token) = self.retrying(Token::none(), |store, _| {
            let lock = match locking {
                true => Lock::Take { holder: store.link.self_pid(), wait, expire },
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
    pub fn link(&self) -> &Arc<B::Wire> {
        &self.store.link
    }

    pub fn write(&mut self, id: &[u8], data: &[u8], lifetime: Duration) -> Result<(), Failure> {
        self.write_tagged(id, data, lifetime, Vec::new())
    }

    /// A write that gives the session `tags` too (none: the plain write).
    pub fn write_tagged(
        &mut self,
        id: &[u8],
        data: &[u8],
        lifetime: Duration,
        tags: Vec<Vec<u8>>,
    ) -> Result<(), Failure> {
        if let Some(max) = self.route.settings.max_size
            && data.len() > max
        {
            // The lock stays held, and `close` releases it: the stored session is left as it was.
            return Err(format!(
                "the session data is {} bytes, over peb.session.max_size ({max} bytes); nothing was written",
                data.len()
            ));
        }
        self.send(Redo::Write { id: id.to_vec(), data: data.to_vec(), lifetime, tags })
    }

    /// lazy_write's unchanged data: the lifetime is extended, the data not sent.
    pub fn touch(&mut self, id: &[u8], lifetime: Duration) -> Result<(), Failure> {
        self.send(Redo::Touch { id: id.to_vec(), lifetime })
    }

    /// Sends a write or touch, confirmed later; while the request ends, or
    /// when sending failed, confirmed at once (with failover).
    fn send(&mut self, redo: Redo) -> Result<(), Failure> {
        let token = self.token_for(redo.id());
        if !B::with_pending(|p| p.is_ending())
            && let Ok(unconfirmed) = redo.start(&self.store, &token)
        {
            let (route, store) = (self.route.clone(), self.store.clone());
            B::with_pending(|p| p.push(InFlight { route, store, redo, token, unconfirmed }));
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

    /// Counts, lists or destroys the sessions of a tag.
    pub fn tagged(&mut self, op: Tagged, tag: &[u8]) -> Result<TaggedReply, Failure> {
        self.retrying(Token::none(), |store, _| store.tagged(op, tag))
    }

    pub fn exists(&mut self, id: &[u8]) -> Result<bool, Failure> {
        self.retrying(Token::none(), |store, _| store.exists(id))
    }

    /// Releases a lock still held (the request wrote nothing, or failed).
    pub fn close(mut self) -> Result<(), Failure> {
        match self.held.take() {
            Some((id, token)) => self.store.release(&id, &token).map_err(|e| self.route.describe(e, &self.store)),
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
        op: impl Fn(&Store<B::Wire>, &Token) -> Result<T, StoreError>,
    ) -> Result<T, Failure> {
        match op(&self.store, &token) {
            Err(e) if node_failed(&e, &self.store) => {
                super::nodes::failed(&self.store.link.node());
                let why = self.route.describe(e, &self.store);
                self.held = None;
                self.store = self.route.connect().map_err(|again| format!("{why}; {again}"))?;
                op(&self.store, &token).map_err(|e| self.route.describe(e, &self.store))
            }
            Err(StoreError::Link(e)) => {
                // Alive but silent: the server may be gone; check it again next time.
                self.route.backend.forget(&self.store.link);
                Err(e.to_string())
            }
            other => other.map_err(|e| self.route.describe(e, &self.store)),
        }
    }
}
