//! Node names: parsing `name@host`, and a local name for every link that
//! no live link uses, since a node refuses (or stalls for seconds on) a
//! second connection under a name it already knows; the names are reused
//! after a rest, so that the atoms they make on the node stay few.

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

/// `name@host`, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeName {
    pub alive: String,
    pub host: String,
}

impl NodeName {
    pub fn parse(full: &str) -> Result<Self, String> {
        match full.split_once('@') {
            Some((alive, host)) if !alive.is_empty() && !host.is_empty() && full.len() < 256 => {
                Ok(NodeName { alive: alive.into(), host: host.into() })
            }
            _ => Err(format!("'{full}' is not a node name of the form name@host")),
        }
    }

    pub fn full(&self) -> String {
        format!("{}@{}", self.alive, self.host)
    }

    /// Long names have a dot in the host (`-name`), short ones do not (`-sname`).
    pub fn is_long(&self) -> bool {
        self.host.contains('.')
    }
}

/// Link names a process reuses: each name a link ever used is an atom on
/// the node for good (atoms are never collected), so names come from a
/// fixed set of slots, and a slot freed by a closed link is taken again
/// once the node surely saw that link go. Beyond them (more links open or
/// recently closed at once), names are made fresh.
const SLOTS: usize = 256;

/// How long a slot rests after its link closed: the node must have seen
/// the old connection go before a new one arrives under its name.
const REST_MS: u64 = 5000;

const NEVER_USED: u64 = 0;
const IN_USE: u64 = u64::MAX;

/// Per slot: [`NEVER_USED`], [`IN_USE`], or when its link closed (ms since
/// the epoch). Atomics, not a lock: a fork may happen at any moment.
static SLOT_STATE: [AtomicU64; SLOTS] = [const { AtomicU64::new(NEVER_USED) }; SLOTS];

/// The name slot a link holds; dropping it (with the link) frees the slot.
#[derive(Debug)]
pub struct Slot(Option<usize>);

impl Drop for Slot {
    fn drop(&mut self) {
        if let Some(i) = self.0 {
            SLOT_STATE[i].store(now_ms().max(1), Ordering::Release);
        }
    }
}

/// A name no other live link of this or another process uses: the pid, a
/// slot, and a random part drawn once per process against pids the system
/// reuses. Same kind (short or long) as the peer's, which Erlang requires.
pub fn unique_local(peer: &NodeName) -> (NodeName, Slot) {
    let slot = take_slot();
    let n = match slot.0 {
        Some(i) => i as u32,
        None => SLOTS as u32 + FRESH.fetch_add(1, Ordering::Relaxed),
    };
    let host = if peer.is_long() { "127.0.0.1".to_string() } else { short_hostname() };
    let name = NodeName { alive: format!("peb_{}_{n}_{:04x}", std::process::id(), process_nonce()), host };
    (name, slot)
}

/// Names beyond the slots, counted.
static FRESH: AtomicU32 = AtomicU32::new(0);

/// A slot that rested long enough (one used before first, so that the
/// names stay few), else one never used.
fn take_slot() -> Slot {
    let now = now_ms();
    let rested = |s: u64| s != NEVER_USED && s != IN_USE && now.saturating_sub(s) >= REST_MS;
    let never = |s: u64| s == NEVER_USED;
    for pass in [&rested as &dyn Fn(u64) -> bool, &never] {
        for (i, state) in SLOT_STATE.iter().enumerate() {
            let s = state.load(Ordering::Acquire);
            if pass(s) && state.compare_exchange(s, IN_USE, Ordering::AcqRel, Ordering::Acquire).is_ok() {
                return Slot(Some(i));
            }
        }
    }
    Slot(None)
}

/// Random per process: a forked child has its own pid, so its names differ anyway.
fn process_nonce() -> u16 {
    static NONCE: AtomicU32 = AtomicU32::new(u32::MAX);
    let n = NONCE.load(Ordering::Relaxed);
    if n != u32::MAX {
        return n as u16;
    }
    let fresh = u32::from(rand_u16());
    match NONCE.compare_exchange(u32::MAX, fresh, Ordering::Relaxed, Ordering::Relaxed) {
        Ok(_) => fresh as u16,
        Err(set) => set as u16,
    }
}

fn now_ms() -> u64 {
    let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    u64::try_from(t.as_millis()).unwrap_or(u64::MAX - 1)
}

fn short_hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|h| h.trim().split('.').next().unwrap_or("localhost").to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".into())
}

fn rand_u16() -> u16 {
    let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    let mut x = t.as_nanos() as u64 ^ (u64::from(std::process::id()) << 32);
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    x as u16
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        let n = NodeName::parse("server@127.0.0.1").unwrap();
        assert!(n.is_long());
        assert!(!NodeName::parse("server@localhost").unwrap().is_long());
        assert!(NodeName::parse("server").is_err());
        assert!(NodeName::parse("@host").is_err());
        assert!(NodeName::parse("a@").is_err());
        let (a, b) = (unique_local(&n), unique_local(&n));
        assert_ne!(a.0, b.0);
        assert_eq!(a.0.host, "127.0.0.1");
    }

    #[test]
    fn a_freed_slot_is_reused_only_after_its_rest() {
        let n = NodeName::parse("server@127.0.0.1").unwrap();
        let (first, slot) = unique_local(&n);
        let i = slot.0.unwrap();
        drop(slot);
        let (second, _held) = unique_local(&n);
        assert_ne!(first, second, "still resting");
        // As if the rest were over.
        SLOT_STATE[i].store(1, Ordering::Release);
        let mut held = Vec::new();
        let reused = (0..SLOTS).map(|_| unique_local(&n)).find_map(|(name, s)| {
            let hit = (name == first).then_some(());
            held.push(s);
            hit
        });
        assert!(reused.is_some());
    }
}
