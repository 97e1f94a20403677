//! The save handler: `session.save_handler = erlang`, the nodes in
//! `session.save_path`. `module` is PHP's C interface, `live` what it
//! opens (real links), `handler` one request's session (lock held,
//! failover), `inflight` the writes sent and not yet confirmed, `failover`
//! the save path's nodes tried in turn (`nodes` their order), `settings`
//! the php.ini values a session takes at open, `store` the protocol of the
//! Erlang server over a `wire` (a link, or a test double), `server` its
//! installation into a node, `sid` the ids that may reach a node, `tags`
//! the tags given to the session, waiting for its next write, `shards` the
//! server's shards (each request straight to the one that owns its id),
//! `tag_functions` the PHP functions of tags (`peb_session_tag()` and the
//! functions by tag) on the request's active session.
//!
//! Imports go one way: tag_functions → module → live → handler → inflight
//! → failover → store → wire; `crate::php` (settings, arguments) is below
//! them all.

pub mod failover;
pub mod handler;
pub mod inflight;
pub mod live;
pub mod module;
pub mod nodes;
pub mod server;
pub mod settings;
pub mod shards;
pub mod sid;
pub mod store;
pub mod tag_functions;
pub mod tags;
pub mod wire;

#[cfg(test)]
mod tests;

pub use module::{register, request_end, request_start, with_active};
pub use tag_functions::functions;
