//! What a process forked with links keeps of its parent's: the runtime,
//! the persistent links and the ticker made before the fork share their
//! sockets, epoll instance and thread with the parent, so the child must
//! neither use nor drop them. They are kept here, for good and untouched,
//! rather than forgotten: the memory is the same, but it stays reachable,
//! so that a leak checker run on the child (valgrind on `pcntl_fork`)
//! reports only what is really lost.
//!
//! A list pushed to without a lock: a fork may happen while another
//! thread of the parent holds any lock, and the child could never take it.

use std::any::Any;
use std::sync::atomic::{AtomicPtr, Ordering};

struct Kept {
    _item: Box<dyn Any>,
    next: *mut Kept,
}

static KEPT: AtomicPtr<Kept> = AtomicPtr::new(std::ptr::null_mut());

/// Keeps `item` for as long as the process lives, never dropping it.
pub fn keep(item: impl Any) {
    let node = Box::into_raw(Box::new(Kept { _item: Box::new(item), next: std::ptr::null_mut() }));
    let mut head = KEPT.load(Ordering::Acquire);
    loop {
        // SAFETY: `node` is ours alone until the exchange below publishes it.
        unsafe { (*node).next = head };
        match KEPT.compare_exchange_weak(head, node, Ordering::AcqRel, Ordering::Acquire) {
            Ok(_) => return,
            Err(now) => head = now,
        }
    }
}
