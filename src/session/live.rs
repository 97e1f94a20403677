//! The save handler's real backend: persistent links from the registry,
//! the session server checked once per link (`server`), and this thread's
//! writes in flight. What `module` calls at open and around requests.

use std::cell::RefCell;
use std::sync::{Arc, Weak};

use super::failover::{Backend, Failure, Route};
use super::handler::Session;
use super::inflight::{Pending, Queue};
use super::server;
use super::settings::Settings;
use super::shards::{Learned, Shards};
use crate::node::{Link, registry};

thread_local! {
    /// Links on which the server is known to run (checked once per link),
    /// with its shards as learned then (again once the server restarted).
    static READY: RefCell<Vec<(Weak<Link>, Learned)>> = const { RefCell::new(Vec::new()) };
    /// Writes and touches sent whose confirmation is still to be taken.
    static PENDING: Pending<Live> = const { Pending::new() };
}

/// Nodes reached through real links.
#[derive(Clone, Copy)]
pub struct Live;

impl Backend for Live {
    type Wire = Link;

    fn connect(&self, node: &str, settings: &Settings) -> Result<Arc<Link>, Failure> {
        let link = registry::get(node, &settings.cookie, settings.timeout, settings.tls.as_ref())
            .map_err(|e| e.to_string())?;
        // None: a new link; Some(stale): known, its shards stale or not.
        let known = READY.with(|r| {
            let mut r = r.borrow_mut();
            r.retain(|(w, _)| w.strong_count() > 0);
            r.iter().find(|(w, _)| is(w, &link)).map(|(_, l)| l.is_stale(|| link.downs()))
        });
        match known {
            Some(false) => {}
            Some(true) => {
                // The server restarted (its router's monitor fired): the old
                // pids are dead, and messages to them dropped without a word.
                let learned = server::shards(&link, settings.timeout);
                READY.with(|r| {
                    r.borrow_mut().iter_mut().filter(|(w, _)| is(w, &link)).for_each(|e| e.1 = learned.clone())
                });
            }
            None => {
                server::ensure(&link, settings.autoload, settings.timeout)?;
                // A new link (a reconnect, a failover, the node restarted) learns them again.
                let learned = server::shards(&link, settings.timeout);
                READY.with(|r| r.borrow_mut().push((Arc::downgrade(&link), learned)));
            }
        }
        Ok(link)
    }

    fn forget(&self, link: &Arc<Link>) {
        READY.with(|r| r.borrow_mut().retain(|(w, _)| !is(w, link)));
    }

    fn shards(&self, link: &Arc<Link>) -> Shards {
        READY
            .with(|r| r.borrow().iter().find(|(w, _)| is(w, link)).map_or_else(Shards::none, |(_, l)| l.shards.clone()))
    }
}

/// Whether `known` is `link`.
fn is(known: &Weak<Link>, link: &Arc<Link>) -> bool {
    std::ptr::eq(known.as_ptr(), Arc::as_ptr(link))
}

impl Queue for Live {
    fn with_pending<R>(f: impl FnOnce(&Pending<Live>) -> R) -> R {
        PENDING.with(f)
    }
}

/// The session of `session.save_path`, with the settings in force now.
pub fn open(save_path: &str) -> Result<Session<Live>, Failure> {
    Session::open(Route::new(Live, save_path, Settings::from_ini())?)
}

/// Takes the confirmation of every write sent; the failures, in words.
/// A write whose node went down is made again through the save path.
pub fn settle() -> Vec<Failure> {
    PENDING.with(|p| p.settle(None))
}

/// [`settle`] after a read through `link` failed: the writes sent on that
/// link went before the read, so their confirmations came before its
/// answer, and were read already if they came at all; none is waited for
/// again (a paused node would otherwise cost a second timeout).
pub fn settle_after_failed_read(link: &Arc<Link>) -> Vec<Failure> {
    PENDING.with(|p| p.settle(Some(link)))
}

/// RSHUTDOWN of peb (before the session extension's own): the writes sent
/// so far are confirmed, and those still to come will wait.
pub fn end_request() -> Vec<Failure> {
    let failures = settle();
    PENDING.with(|p| p.set_ending(true));
    failures
}

/// RINIT: writes are sent without waiting again.
pub fn start_request() {
    PENDING.with(|p| p.set_ending(false));
}
