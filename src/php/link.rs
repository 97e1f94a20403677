//! The PHP functions of the bridge proper: `peb_connect`, `peb_pconnect`,
//! `peb_close`, `peb_rpc`, `peb_rpc_to`, `peb_send_byname`,
//! `peb_send_bypid`, `peb_receive`, `peb_linkinfo`, `peb_status`.
//!
//! Failures of the link are data: `false`, with `peb_errorno()` and
//! `peb_error()` saying what happened (a failed connect also warns).
//! Programming mistakes throw. A panic becomes a warning and `false`.

use std::cell::{Cell, RefCell};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use ext_php_rs::error::php_error;
use ext_php_rs::exception::PhpException;
use ext_php_rs::flags::ErrorType;
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendHashTable, Zval};

use super::args::{self, ArgError, type_error};
use super::errors::{self, Code};
use super::ini;
use super::resources::{self, Kind, LinkHandle, TermValue};
use crate::node::{self, Link, registry};

thread_local! {
    /// The link opened last in this request, for calls that leave it out.
    static DEFAULT: RefCell<Option<Rc<LinkHandle>>> = const { RefCell::new(None) };
    /// Links opened in this request, for `peb_status()`.
    static OPENED: Cell<usize> = const { Cell::new(0) };
}

/// Why a call gives up: an exception to throw, or a failure to report.
enum Fail {
    Throw(PhpException),
    Report(Code, String),
}

impl From<node::Error> for Fail {
    fn from(e: node::Error) -> Self {
        let code = match e {
            node::Error::Init(_) => Code::Init,
            node::Error::Connect(_) => Code::Connect,
            node::Error::Send(_) => Code::Send,
            node::Error::Receive(_) => Code::Receive,
        };
        Fail::Report(code, e.to_string())
    }
}

impl From<ArgError> for Fail {
    fn from(e: ArgError) -> Self {
        Fail::Throw(e.into())
    }
}

type Outcome = Result<Zval, Fail>;

/// Runs a function body: clears the last error, reports failures as
/// `false`, and turns a panic into a warning and `false`.
fn run(f: impl FnOnce() -> Outcome) -> PhpResult<Zval> {
    errors::clear();
    let outcome = catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|payload| {
        let what = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        php_error(&ErrorType::Warning, &format!("internal error in peb: {what}"));
        Err(Fail::Report(Code::Init, format!("internal error: {what}")))
    });
    match outcome {
        Ok(zv) => Ok(zv),
        Err(Fail::Throw(e)) => Err(e),
        Err(Fail::Report(code, message)) => {
            errors::set(code, message);
            Ok(boolean(false))
        }
    }
}

fn boolean(b: bool) -> Zval {
    let mut zv = Zval::new();
    zv.set_bool(b);
    zv
}

/// A timeout argument, `peb.default_timeout` when left out.
fn timeout_arg(fname: &str, n: usize, ms: Option<i64>) -> Result<Duration, Fail> {
    match ms {
        None => Ok(ini::timeout()),
        Some(ms) => Ok(args::timeout(fname, n, ms)?),
    }
}

/// The link a call works on: the one given, or the last one opened in this
/// request. A dead persistent link is replaced here, unseen by PHP code.
fn link_arg(fname: &str, n: usize, link: Option<&Zval>) -> Result<Arc<Link>, Fail> {
    let handle = match link {
        Some(zv) => {
            resources::link_of(zv).ok_or_else(|| type_error(fname, n, "$link", "a PHP-Erlang Bridge link", zv))?
        }
        None => DEFAULT
            .with(|d| d.borrow().clone())
            .ok_or_else(|| Fail::Report(Code::Connect, "no link: call peb_connect() or peb_pconnect() first".into()))?,
    };
    let current = handle.link.borrow().clone();
    let Some(current) = current else {
        return Err(Fail::Report(Code::Connect, "the link is closed".into()));
    };
    if let (false, Some((node, cookie))) = (current.is_alive(), &handle.persistent) {
        let fresh = registry::get(node, cookie, ini::timeout(), ini::tls().as_ref())?;
        *handle.link.borrow_mut() = Some(fresh.clone());
        return Ok(fresh);
    }
    Ok(current)
}

/// Runs `op` on the call's link. A persistent link found dead only by the
/// call itself (its node restarted a moment ago, before the reader saw the
/// connection close) is replaced and the call made once more on the new
/// link: the request went to a node incarnation that is gone.
fn on_link<T>(
    fname: &str,
    n: usize,
    link: Option<&Zval>,
    op: impl Fn(&Link) -> Result<T, node::Error>,
) -> Result<T, Fail> {
    let current = link_arg(fname, n, link)?;
    match op(&current) {
        Err(e) if !current.is_alive() && is_persistent(link) => {
            let fresh = link_arg(fname, n, link).map_err(|_| Fail::from(e))?;
            Ok(op(&fresh)?)
        }
        other => Ok(other?),
    }
}

fn is_persistent(link: Option<&Zval>) -> bool {
    match link {
        Some(zv) => resources::link_of(zv).is_some_and(|h| h.persistent.is_some()),
        None => DEFAULT.with(|d| d.borrow().as_ref().is_some_and(|h| h.persistent.is_some())),
    }
}

/// The checked arguments of `peb_rpc` and `peb_rpc_to`: two atom names and a term.
fn call_args<'z>(fname: &str, module: &str, function: &str, args: &'z Zval) -> Result<&'z TermValue, Fail> {
    args::atom_name(fname, 1, "module", module)?;
    args::atom_name(fname, 2, "function", function)?;
    Ok(term_arg(fname, 3, "$args", args)?)
}

fn term_arg<'z>(fname: &str, n: usize, name: &str, zv: &'z Zval) -> Result<&'z TermValue, ArgError> {
    resources::term_of(zv).map(|(_, v)| v).ok_or_else(|| type_error(fname, n, name, "an Erlang Term resource", zv))
}

fn connect(fname: &str, node: Option<String>, cookie: Option<String>, ms: Option<i64>, persistent: bool) -> Outcome {
    let node = node.unwrap_or_else(|| ini::string(ini::NODENAME));
    args::node(fname, &node)?;
    let cookie = cookie.unwrap_or_else(ini::cookie);
    let timeout = timeout_arg(fname, 3, ms)?;
    let tls = ini::tls();
    let made = if persistent {
        registry::get(&node, &cookie, timeout, tls.as_ref())
    } else {
        Link::connect(&node, &cookie, timeout, tls.as_ref())
    };
    let link = made.inspect_err(|e| php_error(&ErrorType::Warning, &e.to_string()))?;
    let handle =
        Rc::new(LinkHandle { link: RefCell::new(Some(link)), persistent: persistent.then_some((node, cookie)) });
    DEFAULT.with(|d| *d.borrow_mut() = Some(handle.clone()));
    OPENED.with(|o| o.set(o.get() + 1));
    Ok(resources::new_link_resource(handle))
}

/// Opens a link to `$node` (`name@host`) as a hidden node.
#[php_function]
pub fn peb_connect(node: Option<String>, cookie: Option<String>, timeout_ms: Option<i64>) -> PhpResult<Zval> {
    run(|| connect("peb_connect", node, cookie, timeout_ms, false))
}

/// Like `peb_connect`, but the link lives as long as the PHP process and is
/// shared by every request that asks for the same node and cookie.
#[php_function]
pub fn peb_pconnect(node: Option<String>, cookie: Option<String>, timeout_ms: Option<i64>) -> PhpResult<Zval> {
    run(|| connect("peb_pconnect", node, cookie, timeout_ms, true))
}

/// Closes a link (the last one opened when left out); a persistent link
/// stays open for later requests, only this handle is closed.
#[php_function]
pub fn peb_close(link: Option<&Zval>) -> PhpResult<Zval> {
    run(|| {
        let handle = match link {
            Some(zv) => resources::link_of(zv)
                .ok_or_else(|| type_error("peb_close", 1, "$link", "a PHP-Erlang Bridge link", zv))?,
            None => match DEFAULT.with(|d| d.borrow_mut().take()) {
                Some(h) => h,
                None => return Ok(boolean(true)),
            },
        };
        handle.link.borrow_mut().take();
        DEFAULT.with(|d| {
            let mut d = d.borrow_mut();
            if d.as_ref().is_some_and(|h| Rc::ptr_eq(h, &handle)) {
                *d = None;
            }
        });
        Ok(boolean(true))
    })
}

/// Calls `$module:$function` with `$args` (a `peb_encode`d list) through
/// rex, within peb.default_timeout; the reply as a term without version byte.
#[php_function]
pub fn peb_rpc(module: String, function: String, args: &Zval, link: Option<&Zval>) -> PhpResult<Zval> {
    run(|| {
        let args = call_args("peb_rpc", &module, &function, args)?;
        let timeout = ini::timeout();
        let reply = on_link("peb_rpc", 4, link, |l| l.rpc(&module, &function, args.term(), timeout))?;
        Ok(resources::new_resource(Kind::Term, TermValue::from_term(&reply, false)))
    })
}

/// Sends the same request and returns at once; `{rex, Reply}` comes
/// through `peb_receive()`.
#[php_function]
pub fn peb_rpc_to(module: String, function: String, args: &Zval, link: Option<&Zval>) -> PhpResult<Zval> {
    run(|| {
        let args = call_args("peb_rpc_to", &module, &function, args)?;
        let timeout = ini::timeout();
        on_link("peb_rpc_to", 4, link, |l| l.rpc_to(&module, &function, args.term(), timeout))?;
        Ok(boolean(true))
    })
}

/// Sends `$msg` to the process registered as `$name` on the link's node.
#[php_function]
pub fn peb_send_byname(name: String, msg: &Zval, link: Option<&Zval>, timeout_ms: Option<i64>) -> PhpResult<Zval> {
    run(|| {
        args::atom_name("peb_send_byname", 1, "name", &name)?;
        let msg = term_arg("peb_send_byname", 2, "$msg", msg)?;
        let timeout = timeout_arg("peb_send_byname", 4, timeout_ms)?;
        on_link("peb_send_byname", 3, link, |l| l.send_by_name(&name, msg.term(), timeout))?;
        Ok(boolean(true))
    })
}

/// Sends `$msg` to the pid `$pid` (an Erlang Pid resource from a decode).
#[php_function]
pub fn peb_send_bypid(pid: &Zval, msg: &Zval, link: Option<&Zval>, timeout_ms: Option<i64>) -> PhpResult<Zval> {
    run(|| {
        let pid = match resources::term_of(pid) {
            Some((Kind::Pid, v)) => v,
            _ => return Err(type_error("peb_send_bypid", 1, "$pid", "an Erlang Pid resource", pid).into()),
        };
        let msg = term_arg("peb_send_bypid", 2, "$msg", msg)?;
        let timeout = timeout_arg("peb_send_bypid", 4, timeout_ms)?;
        on_link("peb_send_bypid", 3, link, |l| l.send_to_pid(pid.term(), msg.term(), timeout))?;
        Ok(boolean(true))
    })
}

/// The next message sent to the link's pid, as a versioned term; false
/// when none arrives within `$timeout_ms`.
#[php_function]
pub fn peb_receive(link: Option<&Zval>, timeout_ms: Option<i64>) -> PhpResult<Zval> {
    run(|| {
        let timeout = timeout_arg("peb_receive", 2, Some(timeout_ms.unwrap_or(1000)))?;
        let msg = link_arg("peb_receive", 1, link)?.receive(timeout)?;
        Ok(resources::new_resource(Kind::Term, TermValue::from_term(&msg, true)))
    })
}

/// mypeb's description of a link (the cookie masked), plus the peer and whether it is up.
#[php_function]
pub fn peb_linkinfo(link: Option<&Zval>) -> PhpResult<Zval> {
    run(|| {
        let persistent = is_persistent(link);
        let l = link_arg("peb_linkinfo", 1, link)?;
        let mut ht = ZendHashTable::new();
        let _ = ht.insert("thishostname", l.local.host.clone());
        let _ = ht.insert("thisnodename", l.local.full());
        let _ = ht.insert("thisalivename", l.local.alive.clone());
        let _ = ht.insert("connectcookie", "********");
        let _ = ht.insert("creation", i64::from(l.creation));
        let _ = ht.insert("is_persistent", i64::from(persistent));
        let _ = ht.insert("node", l.peer.full());
        let _ = ht.insert("alive", l.is_alive());
        // "TLSv1_3", "TLSv1_2", or "" for a plain link.
        let _ = ht.insert("tls", l.tls.clone().unwrap_or_default());
        let mut zv = Zval::new();
        zv.set_hashtable(ht);
        Ok(zv)
    })
}

/// Prints the state of this process's links, as mypeb did.
#[php_function]
pub fn peb_status() -> PhpResult<Zval> {
    run(|| {
        let default = DEFAULT
            .with(|d| d.borrow().as_ref().and_then(|h| h.link.borrow().as_ref().map(|l| l.peer.full())))
            .unwrap_or_else(|| "none".into());
        let text = format!(
            "default link: {default}\nnum link: {}\nnum persistent: {}\n",
            OPENED.with(Cell::get),
            registry::count()
        );
        let _ = ext_php_rs::php_output!(text.as_bytes());
        Ok(Zval::new())
    })
}

/// RSHUTDOWN: the request's links go with it (persistent ones stay in the registry).
pub fn request_end() {
    DEFAULT.with(|d| d.borrow_mut().take());
    OPENED.with(|o| o.set(0));
}

pub fn functions(module: ModuleBuilder) -> ModuleBuilder {
    module
        .function(wrap_function!(peb_connect))
        .function(wrap_function!(peb_pconnect))
        .function(wrap_function!(peb_close))
        .function(wrap_function!(peb_rpc))
        .function(wrap_function!(peb_rpc_to))
        .function(wrap_function!(peb_send_byname))
        .function(wrap_function!(peb_send_bypid))
        .function(wrap_function!(peb_receive))
        .function(wrap_function!(peb_linkinfo))
        .function(wrap_function!(peb_status))
}
