//! The php.ini settings a session uses, read once when the session opens
//! (an `ini_set()` before `session_start()` takes effect; one made while the
//! session is open waits for the next one) and handed down from there.

use std::time::Duration;

use crate::node::tls;
use crate::php::ini;

/// What `peb.*` says about one session.
#[derive(Clone)]
pub struct Settings {
    /// `peb.default_nodename`: the node when `session.save_path` names none.
    pub default_node: String,
    /// `peb.default_cookie`, or `~/.erlang.cookie`.
    pub cookie: String,
    /// `peb.default_timeout`: each call to a node, and connecting to it.
    pub timeout: Duration,
    /// `peb.session.autoload`: install the server into a node without it.
    pub autoload: bool,
    /// `peb.session.locking`: reads take the session's lock.
    pub locking: bool,
    /// `peb.session.lock_wait`: how long a read waits for the lock.
    pub lock_wait: Duration,
    /// `peb.session.lock_expire` (or `max_execution_time`, or 30 s).
    pub lock_expire: Duration,
    /// `peb.session.max_size`: the largest data written; `None`, no limit.
    pub max_size: Option<usize>,
    /// `peb.tls*`: every node of the save path over TLS, or none.
    pub tls: Option<tls::Settings>,
}

impl Settings {
    /// The settings in force now.
    pub fn from_ini() -> Settings {
        Settings {
            default_node: ini::string(ini::NODENAME),
            cookie: ini::cookie(),
            timeout: ini::timeout(),
            autoload: ini::flag(ini::SESSION_AUTOLOAD),
            locking: ini::flag(ini::SESSION_LOCKING),
            lock_wait: Duration::from_millis(ini::long(ini::SESSION_LOCK_WAIT).max(0) as u64),
            lock_expire: ini::lock_expire(),
            max_size: ini::session_max_size(),
            tls: ini::tls(),
        }
    }
}
