//! The nodes of the save path, tried in order until one serves: the first
//! that connects and runs the session server is used, and a node that
//! failed goes to the back of the line for a while ([`nodes`]). How a node
//! is reached is the [`Backend`]'s: real links in `live`, a double in the
//! unit tests.

use std::sync::Arc;

use super::nodes;
use super::settings::Settings;
use super::shards::Shards;
use super::store::{Store, StoreError};
use super::wire::Wire;

/// What failed, in words fit for a warning (never the cookie).
pub type Failure = String;

/// How a node of the save path is reached.
pub trait Backend: Clone + 'static {
    type Wire: Wire;

    /// A link to `node` on which the session server runs (installed first
    /// where the settings allow it).
    fn connect(&self, node: &str, settings: &Settings) -> Result<Arc<Self::Wire>, Failure>;

    /// The server behind `link` may be gone: check it again at the next connect.
    fn forget(&self, link: &Arc<Self::Wire>);

    /// The server's shards as learned at connect (none: the registered name).
    fn shards(&self, _link: &Arc<Self::Wire>) -> Shards {
        Shards::none()
    }
}

/// The save path of one session, with its settings and its backend.
#[derive(Clone)]
pub struct Route<B: Backend> {
    pub backend: B,
    pub nodes: Vec<String>,
    pub settings: Settings,
}

impl<B: Backend> Route<B> {
    /// The nodes of `save_path` (`peb.default_nodename` when it names none).
    pub fn new(backend: B, save_path: &str, settings: Settings) -> Result<Route<B>, Failure> {
        let nodes = nodes::parse(save_path, &settings.default_node);
        if nodes.is_empty() {
            return Err("session.save_path names no node, and peb.default_nodename is empty".into());
        }
        Ok(Route { backend, nodes, settings })
    }

    /// The first node, in failover order, that connects and runs the server.
    pub fn connect(&self) -> Result<Store<B::Wire>, Failure> {
        let mut why = Vec::new();
        for node in nodes::order(&self.nodes) {
            match self.backend.connect(&node, &self.settings) {
                Ok(link) => {
                    nodes::worked(&node);
                    let shards = self.backend.shards(&link);
                    return Ok(Store { link, timeout: self.settings.timeout, shards });
                }
                Err(e) => {
                    nodes::failed(&node);
                    why.push(e);
                }
            }
        }
        Err(format!("no session node could be used: {}", why.join("; ")))
    }

    /// `e`, from the server behind `store`, in words.
    pub fn describe(&self, e: StoreError, store: &Store<B::Wire>) -> Failure {
        match e {
            StoreError::Link(e) => e.to_string(),
            StoreError::LockTimeout => format!(
                "gave up waiting for the session's lock after {} ms (peb.session.lock_wait)",
                self.settings.lock_wait.as_millis()
            ),
            StoreError::LockLost => "the session's lock was lost before the write (it expired, see \
                                     peb.session.lock_expire, or went with a failed node) and the session \
                                     changed since; nothing was written"
                .into(),
            StoreError::Unavailable(why) => format!("node {} cannot serve: {why}", store.link.node()),
            StoreError::Protocol(m) => format!("{m} (node {})", store.link.node()),
        }
    }
}

/// Whether the node, not the request, failed: then another node may serve.
pub fn node_failed<W: Wire>(e: &StoreError, store: &Store<W>) -> bool {
    match e {
        StoreError::Link(_) => !store.link.is_alive(),
        StoreError::Unavailable(_) => true,
        _ => false,
    }
}
