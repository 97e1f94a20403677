//! Timeouts turned into deadlines, shared by a link's calls, reads and writes.

use std::time::{Duration, Instant};

/// `timeout` from now; a timeout too large for the clock waits about forever.
pub(super) fn deadline(timeout: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(timeout).unwrap_or_else(|| now + Duration::from_secs(100 * 365 * 86_400))
}
