//! The tokio runtime that opens links (EPMD lookup and handshake), made
//! where it is first needed, never in MINIT. It has no thread of its own:
//! `block_on` drives it on the calling thread, and once connected a link
//! is plain blocking sockets (`link`). A process forked after the runtime
//! was made (pcntl_fork) notices its new pid and makes its own, since the
//! inherited one shares its epoll instance with the parent.
//!
//! The pid those checks compare with is kept here too, since every call
//! asks for it and glibc makes each `getpid` a system call.

use std::sync::atomic::{AtomicU8, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use tokio::runtime::{Builder, Runtime};

static RUNTIME: Mutex<Option<(u32, Arc<Runtime>)>> = Mutex::new(None);

/// The runtime of this process.
pub fn get() -> Result<Arc<Runtime>, super::error::Error> {
    let pid = pid();
    let mut slot = RUNTIME.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((owner, rt)) = slot.as_ref()
        && *owner == pid
    {
        return Ok(rt.clone());
    }
    // Inherited from the parent: its epoll instance is the parent's too, so
    // it is kept, never dropped.
    if let Some(inherited) = slot.take() {
        super::inherited::keep(inherited);
    }
    let rt = Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()
        .map_err(|e| super::error::Error::Init(format!("cannot start the link runtime: {e}")))?;
    let rt = Arc::new(rt);
    *slot = Some((pid, rt.clone()));
    Ok(rt)
}

/// Whether `pid` is this process (things made before a fork are not ours).
pub fn is_current(pid: u32) -> bool {
    pid == self::pid()
}

/// This process's pid, once known; 0 until then and in a forked child.
static PID: AtomicU32 = AtomicU32::new(0);

/// Whether the fork handler that clears PID is in place: 0 not yet, 1 yes, 2 it could not be.
static CLEARED_ON_FORK: AtomicU8 = AtomicU8::new(0);

/// The pid of this process, asked of the kernel once per process.
pub fn pid() -> u32 {
    match PID.load(Ordering::Relaxed) {
        0 => {
            let pid = std::process::id();
            // Cached only once a fork is sure to clear it in the child.
            if cleared_on_fork() {
                PID.store(pid, Ordering::Relaxed);
            }
            pid
        }
        pid => pid,
    }
}

/// Installs the fork handler once (two threads racing both install it, which is harmless).
fn cleared_on_fork() -> bool {
    match CLEARED_ON_FORK.load(Ordering::Acquire) {
        1 => true,
        2 => false,
        _ => {
            // SAFETY: `forget_pid` is an `extern "C" fn()` that only stores
            // an atomic, as a handler run in the child of a fork may.
            let installed = unsafe { libc::pthread_atfork(None, None, Some(forget_pid)) } == 0;
            CLEARED_ON_FORK.store(if installed { 1 } else { 2 }, Ordering::Release);
            installed
        }
    }
}

/// Run by glibc in the child of every fork.
extern "C" fn forget_pid() {
    PID.store(0, Ordering::Relaxed);
}
