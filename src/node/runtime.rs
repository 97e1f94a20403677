//! The tokio runtime that runs every link of this process, created where it
//! is first needed, never in MINIT: php-fpm forks its workers after MINIT,
//! and threads do not survive a fork. A process forked after the runtime
//! was made (pcntl_fork) notices its new pid and makes its own.

use std::sync::{Arc, Mutex};

use tokio::runtime::{Builder, Runtime};

static RUNTIME: Mutex<Option<(u32, Arc<Runtime>)>> = Mutex::new(None);

/// The runtime of this process.
pub fn get() -> Result<Arc<Runtime>, super::Error> {
    let pid = std::process::id();
    let mut slot = RUNTIME.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((owner, rt)) = slot.as_ref()
        && *owner == pid
    {
        return Ok(rt.clone());
    }
    // Inherited from the parent: its worker thread does not exist here, and
    // shutting it down could wait forever, so it is leaked, not dropped.
    if let Some(inherited) = slot.take() {
        std::mem::forget(inherited);
    }
    let rt = Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("peb-link")
        .enable_io()
        .enable_time()
        .build()
        .map_err(|e| super::Error::Init(format!("cannot start the link runtime: {e}")))?;
    let rt = Arc::new(rt);
    *slot = Some((pid, rt.clone()));
    Ok(rt)
}

/// Whether `pid` is this process (things made before a fork are not ours).
pub fn is_current(pid: u32) -> bool {
    pid == std::process::id()
}
