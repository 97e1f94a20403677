//! Making sure the node runs our session store, once per link: a node
//! prepared by hand (the `peb_session` application, ETS or a Mnesia
//! cluster) is used as it is; a stock node, or one that runs an older
//! version, gets the beams and the `.app` this extension carries
//! (`build.rs`) when `peb.session.autoload` is on. The store is started by
//! `session_handler:ensure/0` as an application, so it belongs to the node,
//! not to the rex worker that runs the call.

use std::time::Duration;

use crate::node::Link;
use crate::term::Term;
use crate::term::decode;
use crate::term::encode::Writer;

include!(concat!(env!("OUT_DIR"), "/beams.rs"));

/// The protocol version this extension speaks (`session_handler:version/0`).
pub const VERSION: i64 = 2;

/// What this build carries, for phpinfo: the server's version, or why none.
pub fn carried() -> String {
    if BEAMS.is_empty() {
        "none (erlc was missing at build time)".into()
    } else {
        format!("peb_session (session_handler version {VERSION})")
    }
}

/// What the node has: our server at some version, or none at all.
#[derive(Debug, PartialEq)]
enum Found {
    Running(i64),
    Missing,
}

/// Starts the server on the link's node, installing it first where needed and allowed.
pub fn ensure(link: &Link, autoload: bool, timeout: Duration) -> Result<(), String> {
    let node = link.peer.full();
    match probe(link, timeout)? {
        Found::Running(v) if v >= VERSION => return Ok(()),
        found if !autoload => {
            return Err(match found {
                Found::Running(v) => format!(
                    "{node} runs session_handler version {v}, older than this extension's {VERSION}, and peb.session.autoload is off"
                ),
                Found::Missing => {
                    format!("{node} has no session_handler module; load it there or set peb.session.autoload = 1")
                }
            });
        }
        _ => install(link, timeout)?,
    }
    match probe(link, timeout)? {
        Found::Running(v) if v >= VERSION => Ok(()),
        other => Err(format!("installing the session server into {node} failed ({other:?})")),
    }
}

/// `session_handler:ensure()` through rex: `{ok, Version}`, or undef.
fn probe(link: &Link, timeout: Duration) -> Result<Found, String> {
    let reply = link.rpc("session_handler", "ensure", &[crate::term::tag::NIL], timeout).map_err(|e| e.to_string())?;
    let term = decode::decode(&reply).map_err(|e| format!("unreadable reply from {}: {e}", link.peer.full()))?;
    if let Term::Tuple(t) = &term
        && let [Term::Atom(ok), Term::Int(v)] = t.as_slice()
        && ok == "ok"
    {
        return Ok(Found::Running(*v));
    }
    if is_undef(&term) {
        return Ok(Found::Missing);
    }
    Err(format!("session_handler:ensure() failed on {}", link.peer.full()))
}

/// `{badrpc, {'EXIT', {undef, _}}}`: the module is not there.
fn is_undef(t: &Term) -> bool {
    let Term::Tuple(t) = t else { return false };
    let [Term::Atom(badrpc), Term::Tuple(exit)] = t.as_slice() else { return false };
    let [Term::Atom(ex), Term::Tuple(reason)] = exit.as_slice() else { return false };
    badrpc == "badrpc" && ex == "EXIT" && matches!(reason.first(), Some(Term::Atom(u)) if u == "undef")
}

/// Loads every beam this build carries: `code:load_binary/3` after a soft purge.
fn install(link: &Link, timeout: Duration) -> Result<(), String> {
    if BEAMS.is_empty() {
        return Err("this build of peb carries no Erlang session server (erlc was missing when it was built); \
                    start the peb_session application from erlang/ in the node by hand"
            .into());
    }
    for (module, beam) in BEAMS {
        let _ = call(link, ("code", "soft_purge", 1), |w| w.atom(module), timeout);
        let reply = call(
            link,
            ("code", "load_binary", 3),
            |w| {
                w.atom(module);
                w.string(format!("peb/{module}.beam").as_bytes());
                w.binary(beam);
            },
            timeout,
        )?;
        let loaded = matches!(decode::decode(&reply), Ok(Term::Tuple(t)) if matches!(t.first(), Some(Term::Atom(a)) if a == "module"));
        if !loaded {
            return Err(format!("{} refused to load {module}", link.peer.full()));
        }
    }
    // The node has no peb_session.app on its code path: it gets the text.
    let reply = call(link, ("peb_session_app", "load", 1), |w| w.binary(APP.as_bytes()), timeout)?;
    match decode::decode(&reply) {
        Ok(Term::Atom(ok)) if ok == "ok" => Ok(()),
        _ => Err(format!("{} refused to load the peb_session application", link.peer.full())),
    }
}

/// An rpc with `n` arguments, which `args` writes.
fn call(
    link: &Link,
    (m, f, n): (&str, &str, usize),
    args: impl FnOnce(&mut Writer),
    timeout: Duration,
) -> Result<Vec<u8>, String> {
    let mut w = Writer::default();
    w.list_header(n);
    args(&mut w);
    w.nil();
    link.rpc(m, f, &w.into_bytes(), timeout).map_err(|e| e.to_string())
}
