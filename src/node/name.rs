//! Node names: parsing `name@host`, and a fresh local name for every link,
//! since a node refuses (or stalls for seconds on) a second connection
//! under a name it already knows.

use std::sync::atomic::{AtomicU32, Ordering};

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

/// A name no other link of this or another process uses: pid, a counter,
/// and a random part against pids reused by the system. Same kind (short or
/// long) as the peer's, which Erlang requires.
pub fn unique_local(peer: &NodeName) -> NodeName {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nonce: u16 = rand_u16();
    let host = if peer.is_long() { "127.0.0.1".to_string() } else { short_hostname() };
    NodeName { alive: format!("peb_{}_{n}_{nonce:04x}", std::process::id()), host }
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
        assert_ne!(unique_local(&n), unique_local(&n));
        assert_eq!(unique_local(&n).host, "127.0.0.1");
    }
}
