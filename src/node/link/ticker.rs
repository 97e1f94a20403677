//! The one thread per process that keeps idle links alive: every second it
//! drains, without blocking, what each live link has received while no
//! call was reading it, which answers the node's ticks (sent every
//! net_ticktime/4, 15 s by default) and notices a node that went away.
//! Calls read their own replies; this thread only covers the time between.
//!
//! Started with the first link, never in MINIT: php-fpm forks its workers
//! after MINIT, and threads do not survive a fork. A process forked after
//! it started (pcntl_fork) notices its new pid and starts its own; the
//! parent's ticker, and the links it watched, are left untouched there.

use std::sync::atomic::{AtomicPtr, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use super::reader::Shared;
use crate::node::error::Error;
use crate::node::{inherited, runtime};

/// Time between two passes: a quarter of the smallest net_ticktime worth
/// supporting (4 s, as the tests use).
const PASS: Duration = Duration::from_secs(1);

struct Ticker {
    /// The process whose thread walks `links`.
    pid: u32,
    links: Mutex<Vec<Weak<Shared>>>,
}

/// The ticker of the process that started it. Reached without a lock: a
/// child forked while the parent's thread held one could never take it.
static TICKER: AtomicPtr<Ticker> = AtomicPtr::new(std::ptr::null_mut());

/// Taken only by threads that start a ticker, never by the ticker thread.
static START: Mutex<()> = Mutex::new(());

thread_local! {
    /// Touched by the ticker thread: a thread-local with a destructor keeps
    /// glibc from unmapping this library (PHP dlcloses extensions at
    /// shutdown) while a thread that runs its code still lives.
    static PIN: Pin = const { Pin };
}

struct Pin;

impl Drop for Pin {
    fn drop(&mut self) {}
}

/// This process's ticker, if it has started one.
fn current() -> Option<&'static Ticker> {
    // SAFETY: TICKER holds null or a pointer from `Box::leak`, never freed.
    let ticker = unsafe { TICKER.load(Ordering::Acquire).as_ref() }?;
    (ticker.pid == runtime::pid()).then_some(ticker)
}

/// Has `link` drained while it lives, starting the ticker if needed.
pub(super) fn watch(link: Weak<Shared>) -> Result<(), Error> {
    let ticker = match current() {
        Some(ticker) => ticker,
        None => start()?,
    };
    ticker.links.lock().unwrap_or_else(|e| e.into_inner()).push(link);
    Ok(())
}

fn start() -> Result<&'static Ticker, Error> {
    let _one = START.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(ticker) = current() {
        return Ok(ticker);
    }
    // Leaked: the thread keeps it for as long as the process lives.
    let ticker: &'static Ticker = Box::leak(Box::new(Ticker { pid: runtime::pid(), links: Mutex::default() }));
    std::thread::Builder::new()
        .name("peb-ticker".into())
        .spawn(move || run(ticker))
        .map_err(|e| Error::Init(format!("cannot start the tick thread: {e}")))?;
    let parents = TICKER.swap(std::ptr::from_ref(ticker).cast_mut(), Ordering::AcqRel);
    if !parents.is_null() {
        // A forked child's: the parent's ticker stays reachable (`inherited`).
        inherited::keep(parents as usize);
    }
    Ok(ticker)
}

fn run(ticker: &'static Ticker) {
    PIN.with(|_| ());
    loop {
        std::thread::sleep(PASS);
        let mut live: Vec<Arc<Shared>> = Vec::new();
        ticker.links.lock().unwrap_or_else(|e| e.into_inner()).retain(|link| match link.upgrade() {
            Some(shared) if shared.is_alive() => {
                live.push(shared);
                true
            }
            _ => false,
        });
        for shared in &live {
            shared.drain();
        }
    }
}
