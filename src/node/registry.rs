//! Persistent links: one per node and cookie in each PHP process, kept
//! across requests (`peb_pconnect`) and replaced when found dead, so that a
//! node restart costs PHP code nothing. A process forked with links in the
//! table starts with an empty one.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::error::Error;
use super::link::Link;
use super::tls;

struct Table {
    pid: u32,
    links: HashMap<(String, String), Arc<Link>>,
}

static TABLE: Mutex<Option<Table>> = Mutex::new(None);

/// The live persistent link to `node` with `cookie`, made or remade as
/// needed (over TLS with `tls`: the process's setting, the same for every
/// link, so it is no part of the key).
pub fn get(node: &str, cookie: &str, timeout: Duration, tls: Option<&tls::Settings>) -> Result<Arc<Link>, Error> {
    let key = (node.to_string(), cookie.to_string());
    if let Some(link) = with_table(|t| t.links.get(&key).cloned())
        && link.is_alive()
    {
        return Ok(link);
    }
    let link = Link::connect(node, cookie, timeout, tls)?;
    with_table(|t| t.links.insert(key, link.clone()));
    Ok(link)
}

/// How many persistent links this process holds.
pub fn count() -> usize {
    with_table(|t| t.links.len())
}

fn with_table<R>(f: impl FnOnce(&mut Table) -> R) -> R {
    let mut slot = TABLE.lock().unwrap_or_else(|e| e.into_inner());
    let pid = std::process::id();
    if slot.as_ref().is_some_and(|t| t.pid != pid) {
        // The parent's links share its sockets and runtime: never use or drop them here.
        if let Some(parents) = slot.take() {
            super::inherited::keep(parents);
        }
    }
    f(slot.get_or_insert_with(|| Table { pid, links: HashMap::new() }))
}
