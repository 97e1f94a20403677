//! The few operations of a link that the session store uses, as a trait:
//! [`Link`] is the real one, and the unit tests put a double in its place
//! to check the store's and the handler's logic without a node.

use std::time::Duration;

use crate::node::link::{Dest, Sent};
use crate::node::{Error, Link, runtime};

/// A link to a node, as the session store sees it.
pub trait Wire: 'static {
    /// A request sent whose reply is still to be taken.
    type Pending: 'static;

    /// The node's full name, for messages.
    fn node(&self) -> String;
    /// Whether the connection is up.
    fn is_alive(&self) -> bool;
    /// Whether this process made the link (a forked child's inherited
    /// links, and their requests, are its parent's).
    fn is_ours(&self) -> bool;
    /// The link's own pid, as term bytes.
    fn self_pid(&self) -> &[u8];
    /// A `gen_server:call` to the process at `to` (a registered name or a pid): its reply.
    fn call(&self, to: Dest, request: &[u8], timeout: Duration) -> Result<Vec<u8>, Error>;
    /// The same call, its reply taken later with [`Wire::reply`].
    fn call_start(&self, to: Dest, request: &[u8], timeout: Duration) -> Result<Self::Pending, Error>;
    /// The reply to a call sent with [`Wire::call_start`].
    fn reply(&self, sent: Self::Pending, timeout: Duration) -> Result<Vec<u8>, Error>;
    /// A call the server may keep waiting up to `wait`, given up as soon as
    /// the node stops answering `probe` (see [`Link::call_watched`]).
    fn call_watched(
        &self,
        to: Dest,
        request: &[u8],
        probe: &[u8],
        every: Duration,
        wait: Duration,
    ) -> Result<Vec<u8>, Error>;
}

impl Wire for Link {
    type Pending = Sent;

    fn node(&self) -> String {
        self.peer.full()
    }

    fn is_alive(&self) -> bool {
        Link::is_alive(self)
    }

    fn is_ours(&self) -> bool {
        runtime::is_current(self.owner_pid)
    }

    fn self_pid(&self) -> &[u8] {
        Link::self_pid(self)
    }

    fn call(&self, to: Dest, request: &[u8], timeout: Duration) -> Result<Vec<u8>, Error> {
        Link::call(self, to, request, timeout)
    }

    fn call_start(&self, to: Dest, request: &[u8], timeout: Duration) -> Result<Sent, Error> {
        Link::call_start(self, to, request, timeout)
    }

    fn reply(&self, sent: Sent, timeout: Duration) -> Result<Vec<u8>, Error> {
        Link::reply(self, sent, timeout)
    }

    fn call_watched(
        &self,
        to: Dest,
        request: &[u8],
        probe: &[u8],
        every: Duration,
        wait: Duration,
    ) -> Result<Vec<u8>, Error> {
        Link::call_watched(self, to, request, probe, every, wait)
    }
}
