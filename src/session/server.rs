//! Making sure the node runs our session store, once per link: a node
//! prepared by hand (the `peb_session` application, ETS or a Mnesia
//! cluster) is used as it is; a stock node, or one that runs an older
//! version, gets the server this extension carries (`build.rs`: beams,
//! their preprocessed forms and the `.app`) when `peb.session.autoload` is
//! on: beams where the node's OTP loads them, otherwise compiled on the node
//! (the rule is at [`install`]). The store is started by
//! `session_handler:ensure/0` as an application, so it belongs to the node,
//! not to the rex worker that runs the call.

use std::time::Duration;

use super::shards::{self, Learned, Shards};
use crate::node::Link;
use crate::term::Term;
use crate::term::decode;
use crate::term::encode::Writer;

include!(concat!(env!("OUT_DIR"), "/beams.rs"));

/// The protocol version this extension speaks (`session_handler:version/0`):
/// bumped together with `?VERSION` in `erlang/src/session_handler.erl`.
pub const VERSION: i64 = 6;

/// What this build carries, for phpinfo: the server's version, or why none.
pub fn carried() -> String {
    if CARRIED.is_empty() {
        "none (erlc was missing at build time)".into()
    } else {
        format!("peb_session (session_handler version {VERSION}, built with OTP {BUILD_OTP})")
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

/// The server's shards (`session_handler:shards/0`, version 5 on), for
/// requests straight to their owners, and the router monitored for as
/// long as they are used; none where the node cannot say (an error, a
/// `badrpc`: the registered name serves).
pub fn shards(link: &Link, timeout: Duration) -> Learned {
    // Before the call: a router that exits after it is seen moves the count.
    let downs = link.downs();
    let Ok(reply) = call(link, ("session_handler", "shards", 0), |_| {}, timeout) else {
        return Learned::default();
    };
    let (shards, arity) = (Shards::parse(&reply), arity(&reply));
    match shards::router(&reply) {
        // Gone already: the node answers noproc at once, and the count moves.
        Some(router) if !shards.is_empty() => match link.monitor(&router, timeout) {
            Ok(()) => Learned { shards, watch: Some(downs), again: false },
            Err(_) => Learned { again: true, ..Learned::default() },
        },
        // The first version's {N, Pids}: nothing to monitor, used as it was.
        None if arity == Some(2) && !shards.is_empty() => Learned { shards, watch: None, again: false },
        // Shards not all up, or no router (restarting): by name, and ask again.
        _ => Learned { again: arity.is_some(), ..Learned::default() },
    }
}

/// The size of a server's shards/0 reply (a tuple `{N, ...}`); none for a
/// node that has no shards/0 (a `badrpc`: asked once per link only).
fn arity(reply: &[u8]) -> Option<usize> {
    match decode::decode(reply) {
        Ok(Term::Tuple(t)) if matches!(t.first(), Some(Term::Int(_))) => Some(t.len()),
        _ => None,
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

/// One module this build carries (the list is generated by `build.rs`).
pub struct Carried {
    module: &'static str,
    /// Compiled by the build's erlc, of OTP release [`BUILD_OTP`].
    beam: &'static [u8],
    /// Its preprocessed abstract forms: one external term, without version
    /// byte, sent as it is as the argument of `compile:forms/2`.
    forms: &'static [u8],
}

// How a node gets the server, by the node's OTP release (`otp_release`)
// against the release of the erlc that built this extension (`BUILD_OTP`):
// - the build's release or one of the two after it: the beams, which Erlang
//   promises such a node loads;
// - an older node, or one more than two releases newer: the node compiles
//   the carried forms with its own compiler (`compile:forms/2`, then
//   `code:load_binary/3`), so that the code it runs is its own release's;
// - no compiler application there: a newer node still gets the beams (they
//   mostly load; OTP 29 refuses some of OTP 25's); an older one cannot take
//   them;
// - either way the modules are loaded together (`code:atomic_load/1`): a
//   node that refuses one keeps none, and the code it ran before.
// - beams a node refuses are compiled there instead when it has the compiler.
// Whatever fails ends in one error naming both releases.
// `PEB_AUTOLOAD_FROM=beams` or `=source` in the environment forces a way,
// for tests and diagnosis.

/// The two ways of installing the server.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Way {
    Beams,
    Source,
}

/// The way the rule above picks for a node of release `node`.
fn way(build: u32, node: u32) -> Way {
    if (build..=build.saturating_add(2)).contains(&node) { Way::Beams } else { Way::Source }
}

/// The way forced by `PEB_AUTOLOAD_FROM`, if any.
fn forced() -> Option<Way> {
    match std::env::var("PEB_AUTOLOAD_FROM").ok()?.as_str() {
        "beams" => Some(Way::Beams),
        "source" => Some(Way::Source),
        _ => None,
    }
}

/// Installs the server this build carries, the way the rule above picks,
/// then loads its application from the carried `.app` text.
fn install(link: &Link, timeout: Duration) -> Result<(), String> {
    if CARRIED.is_empty() {
        return Err("this build of peb carries no Erlang session server (erlc was missing when it was built); \
                    start the peb_session application from erlang/ in the node by hand"
            .into());
    }
    let node_otp = otp_release(link, timeout)?;
    let build_otp: u32 = BUILD_OTP.parse().unwrap_or(0);
    let force = forced();
    let installed = match force.unwrap_or_else(|| way(build_otp, node_otp)) {
        Way::Beams => load_beams(link, timeout).or_else(|refused| {
            if force.is_none() && has_compiler(link, timeout)? {
                compile_all(link, timeout).map_err(|e| format!("{refused}; compiled on the node instead: {e}"))
            } else {
                Err(refused)
            }
        }),
        Way::Source if has_compiler(link, timeout)? => compile_all(link, timeout),
        Way::Source if force.is_none() && node_otp > build_otp => load_beams(link, timeout).map_err(|refused| {
            format!("{refused}, and the node has no compiler application to compile the carried source")
        }),
        Way::Source if force.is_some() => {
            Err("the node has no compiler application to compile the carried source (PEB_AUTOLOAD_FROM=source)".into())
        }
        Way::Source => Err(format!(
            "the node has no compiler application to compile the carried source, \
             and OTP {node_otp} does not load the beams of the newer OTP {BUILD_OTP}"
        )),
    };
    installed.map_err(|why| {
        format!(
            "cannot install the session server into {} (OTP {node_otp}; this peb's beams are from OTP {BUILD_OTP}'s erlc): {why}",
            link.peer.full()
        )
    })?;
    load_app(link, timeout)
}

/// The node's `erlang:system_info(otp_release)`, as a number.
fn otp_release(link: &Link, timeout: Duration) -> Result<u32, String> {
    let reply = call(link, ("erlang", "system_info", 1), |w| w.atom("otp_release"), timeout)?;
    match decode::decode(&reply) {
        Ok(Term::Str(s)) => std::str::from_utf8(s).ok().and_then(|s| s.parse().ok()),
        _ => None,
    }
    .ok_or_else(|| format!("{} did not say its OTP release", link.peer.full()))
}

/// Whether the node can load the compiler application's `compile` module.
fn has_compiler(link: &Link, timeout: Duration) -> Result<bool, String> {
    let reply = call(link, ("code", "ensure_loaded", 1), |w| w.atom("compile"), timeout)?;
    Ok(
        matches!(decode::decode(&reply), Ok(Term::Tuple(t)) if matches!(t.first(), Some(Term::Atom(a)) if a == "module")),
    )
}

/// Loads every carried beam, all or none.
fn load_beams(link: &Link, timeout: Duration) -> Result<(), String> {
    let beams: Vec<(&str, &[u8])> = CARRIED.iter().map(|c| (c.module, c.beam)).collect();
    load_all(link, &beams, timeout)
}

/// Compiles every carried module on the node, then loads them all or none.
fn compile_all(link: &Link, timeout: Duration) -> Result<(), String> {
    let mut compiled: Vec<(&str, Vec<u8>)> = Vec::with_capacity(CARRIED.len());
    for c in CARRIED {
        let reply = call(
            link,
            ("compile", "forms", 2),
            |w| {
                w.raw(c.forms);
                w.list_header(2);
                w.atom("binary");
                w.atom("return_errors");
                w.nil();
            },
            timeout,
        )?;
        let term = decode::decode(&reply).map_err(|e| format!("unreadable reply compiling {}: {e}", c.module))?;
        match &term {
            Term::Tuple(t) if matches!(t.as_slice(), [Term::Atom(ok), Term::Atom(_), Term::Binary(_)] if ok == "ok") => {
                let Term::Binary(beam) = &t[2] else { unreachable!("matched above") };
                compiled.push((c.module, beam.to_vec()));
            }
            other => return Err(format!("compiling {} on the node failed: {}", c.module, brief(other))),
        }
    }
    let beams: Vec<(&str, &[u8])> = compiled.iter().map(|(m, b)| (*m, b.as_slice())).collect();
    load_all(link, &beams, timeout)
}

/// `code:atomic_load/1` of the modules, after a soft purge of their old
/// code (which atomic loading requires): every module loads, or none does
/// and the node keeps what it ran.
fn load_all(link: &Link, beams: &[(&str, &[u8])], timeout: Duration) -> Result<(), String> {
    for (module, _) in beams {
        let _ = call(link, ("code", "soft_purge", 1), |w| w.atom(module), timeout);
    }
    let reply = call(
        link,
        ("code", "atomic_load", 1),
        |w| {
            w.list_header(beams.len());
            for (module, beam) in beams {
                w.tuple_header(3);
                w.atom(module);
                w.string(format!("peb/{module}.beam").as_bytes());
                w.binary(beam);
            }
            w.nil();
        },
        timeout,
    )?;
    match decode::decode(&reply) {
        Ok(Term::Atom(ok)) if ok == "ok" => Ok(()),
        Ok(Term::Tuple(t)) => match t.as_slice() {
            // {error, [{Module, What} | _]}: named by its first refusal.
            [Term::Atom(e), Term::List(refused)] if e == "error" => match refused.first() {
                Some(Term::Tuple(mw)) if mw.len() == 2 => {
                    Err(format!("the node refused to load {}: {{error,{}}}", brief(&mw[0]), brief(&mw[1])))
                }
                _ => Err(format!("the node refused to load the session server: {}", brief(&Term::Tuple(t.clone())))),
            },
            _ => Err(format!("the node refused to load the session server: {}", brief(&Term::Tuple(t.clone())))),
        },
        Ok(other) => Err(format!("the node refused to load the session server: {}", brief(&other))),
        Err(e) => Err(format!("unreadable reply loading the session server: {e}")),
    }
}

/// The node has no peb_session.app on its code path: it gets the text.
fn load_app(link: &Link, timeout: Duration) -> Result<(), String> {
    let reply = call(link, ("peb_session_app", "load", 1), |w| w.binary(APP.as_bytes()), timeout)?;
    match decode::decode(&reply) {
        Ok(Term::Atom(ok)) if ok == "ok" => Ok(()),
        _ => Err(format!("{} refused to load the peb_session application", link.peer.full())),
    }
}

/// A term printed for an error message, cut to a readable length.
fn brief(term: &Term) -> String {
    let mut text = crate::term::print::print(term);
    if text.len() > 400 {
        let cut = (0..=400).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0);
        text.truncate(cut);
        text.push_str("...");
    }
    text
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

#[cfg(test)]
mod tests {
    use super::{Way, way};

    #[test]
    fn beams_on_the_build_release_and_the_two_after_it_source_elsewhere() {
        assert_eq!(way(25, 25), Way::Beams);
        assert_eq!(way(25, 27), Way::Beams);
        assert_eq!(way(25, 28), Way::Source);
        assert_eq!(way(25, 29), Way::Source);
        assert_eq!(way(27, 25), Way::Source);
        assert_eq!(way(27, 26), Way::Source);
    }
}
