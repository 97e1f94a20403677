//! What `phpinfo()` and `php --ri peb` show: the whole extension's state
//! (limits, links, the save handler, the settings), so it sits above
//! `php`, `node`, `session` and `term`.

use ext_php_rs::zend::ModuleEntry;
use ext_php_rs::{info_table_end, info_table_row, info_table_start};

use crate::node::registry;
use crate::php::ini;
use crate::session;
use crate::term::decode;

pub extern "C" fn info(_module: *mut ModuleEntry) {
    info_table_start!();
    info_table_row!("PHP-Erlang Bridge (peb) support", "enabled");
    info_table_row!("version", env!("CARGO_PKG_VERSION"));
    info_table_row!("term nesting limit", decode::MAX_DEPTH.to_string());
    info_table_row!("compressed term limit (bytes)", decode::MAX_INFLATED.to_string());
    info_table_row!("integer limit (bits)", (decode::MAX_BIG_BYTES * 8).to_string());
    info_table_row!("persistent links in this process", registry::count().to_string());
    info_table_row!("session save handler", "erlang");
    info_table_row!("built for PHP API", concat!(env!("PEB_PHP_API"), " (PHP ", env!("PEB_PHP_RELEASE"), ")"));
    info_table_row!("session server carried (autoload)", session::server::carried());
    info_table_end!();
    info_table_start!();
    info_table_row!("Directive", "Value");
    info_table_row!("peb.default_nodename", ini::string(ini::NODENAME));
    let cookie = if ini::string(ini::COOKIE).is_empty() { "(empty: ~/.erlang.cookie)" } else { "********" };
    info_table_row!("peb.default_cookie", cookie);
    info_table_row!("peb.default_timeout", ini::timeout().as_millis().to_string());
    for name in [
        ini::SESSION_LOCKING,
        ini::SESSION_LOCK_WAIT,
        ini::SESSION_LOCK_EXPIRE,
        ini::SESSION_AUTOLOAD,
        ini::SESSION_MAX_SIZE,
    ] {
        info_table_row!(name.to_string_lossy().into_owned(), ini::string(name));
    }
    info_table_end!();
}
