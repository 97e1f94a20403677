//! Writes and touches sent without waiting for their confirmation: the
//! request goes on while the node stores the data, and the confirmation is
//! taken at the next session operation of the process (its reply comes
//! before that operation's, so this costs no wait) or at the end of the
//! request at the latest, where a failure is a warning. A write whose node
//! went down before confirming it is made again through the save path,
//! with the same grant.

use std::cell::{Cell, RefCell};
use std::sync::Arc;
use std::time::Duration;

use super::failover::{Backend, Failure, Route, node_failed};
use super::store::{Store, StoreError, Token, Unconfirmed};
use super::wire::Wire;

/// A write or a touch, with what it takes to make it again elsewhere.
pub enum Redo {
    /// `tags`: those PHP gave the session, stored with the write (`tags`).
    Write {
        id: Vec<u8>,
        data: Vec<u8>,
        lifetime: Duration,
        tags: Vec<Vec<u8>>,
    },
    Touch {
        id: Vec<u8>,
        lifetime: Duration,
    },
}

impl Redo {
    /// Sends it through `store`, its confirmation to be taken later.
    pub fn start<W: Wire>(&self, store: &Store<W>, token: &Token) -> Result<Unconfirmed<W>, StoreError> {
        match self {
            Redo::Write { id, data, lifetime, tags } => store.write_tagged_start(id, token, data, *lifetime, tags),
            Redo::Touch { id, lifetime } => store.touch_start(id, token, *lifetime),
        }
    }

    pub fn id(&self) -> &[u8] {
        match self {
            Redo::Write { id, .. } | Redo::Touch { id, .. } => id,
        }
    }
}

/// A write or touch sent, its confirmation not taken yet.
pub struct InFlight<B: Backend> {
    pub route: Route<B>,
    pub store: Store<B::Wire>,
    pub redo: Redo,
    pub token: Token,
    pub unconfirmed: Unconfirmed<B::Wire>,
}

/// A backend whose writes in flight are kept per thread, across sessions.
pub trait Queue: Backend {
    fn with_pending<R>(f: impl FnOnce(&Pending<Self>) -> R) -> R;
}

/// The writes in flight of this thread, and whether its request is ending
/// (then writes wait for their confirmation, as there is no later point to
/// take it).
pub struct Pending<B: Backend> {
    sent: RefCell<Vec<InFlight<B>>>,
    ending: Cell<bool>,
}

impl<B: Backend> Default for Pending<B> {
    fn default() -> Self {
        Pending::new()
    }
}

impl<B: Backend> Pending<B> {
    pub const fn new() -> Pending<B> {
        Pending { sent: RefCell::new(Vec::new()), ending: Cell::new(false) }
    }

    pub fn push(&self, f: InFlight<B>) {
        self.sent.borrow_mut().push(f);
    }

    pub fn len(&self) -> usize {
        self.sent.borrow().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn is_ending(&self) -> bool {
        self.ending.get()
    }

    pub fn set_ending(&self, ending: bool) {
        self.ending.set(ending);
    }

    /// Takes the confirmation of every write sent; the failures, in words.
    /// Confirmations on `silent` (a link whose node just failed to answer a
    /// read, so that whatever it sent before came already) are taken
    /// without waiting; the others within the timeout.
    pub fn settle(&self, silent: Option<&Arc<B::Wire>>) -> Vec<Failure> {
        let sent = std::mem::take(&mut *self.sent.borrow_mut());
        let (ours, inherited): (Vec<_>, Vec<_>) = sent.into_iter().partition(|f| f.store.link.is_ours());
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
}

fn confirm<B: Backend>(f: InFlight<B>, wait: Duration) -> Result<(), Failure> {
    let InFlight { route, store, redo, token, unconfirmed } = f;
    match store.confirm_within(unconfirmed, wait) {
        Err(e) if node_failed(&e, &store) => {
            super::nodes::failed(&store.link.node());
            let why = route.describe(e, &store);
            let again = route.connect().map_err(|again| format!("{why}; {again}"))?;
            let redone = redo.start(&again, &token).and_then(|u| again.confirm(u));
            redone.map_err(|e| route.describe(e, &again))
        }
        Err(StoreError::Link(_)) if wait.is_zero() => {
            Err(format!("a write sent to {} was not confirmed: the node stopped answering", store.link.node()))
        }
        other => other.map_err(|e| route.describe(e, &store)),
    }
}
