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
    // Paths only: the files' contents (a key) are never shown.
    info_table_row!("peb.tls", if ini::flag(ini::TLS) { "1 (every link over TLS)" } else { "0 (plain)" });
    for name in [ini::TLS_CAFILE, ini::TLS_CERTFILE, ini::TLS_KEYFILE] {
        let path = ini::string(name);
        let shown =
            if path.is_empty() && name == ini::TLS_CAFILE { "(empty: the system's roots)".into() } else { path };
        info_table_row!(name.to_string_lossy().into_owned(), shown);
    }
    let verify = if ini::flag(ini::TLS_VERIFY) {
        "1 (chain and name checked)"
    } else {
        "0 (NOT CHECKED: any certificate is accepted)"
    };
    info_table_row!("peb.tls_verify", verify);
    info_table_end!();
}
