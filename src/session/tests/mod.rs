//! Unit tests of the store's protocol and of the handler's logic (lock
//! grants, failover order, retries, writes in flight) against a double of
//! the link (`fake`); the real nodes are the phpt suite's.

mod fake;
mod handler;
mod store;
