//! The save handler: `session.save_handler = erlang`, the nodes in
//! `session.save_path`. `module` is PHP's C interface, `handler` one
//! request's session (lock held, failover), `store` the protocol of the
//! Erlang server, `server` its installation into a node, `nodes` the save
//! path and the order nodes are tried in, `sid` the ids that may reach a node.

pub mod handler;
pub mod module;
pub mod nodes;
pub mod server;
pub mod sid;
pub mod store;

pub use module::{register, request_end, request_start};
