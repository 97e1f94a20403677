//! The shards of a node's session server: `session_handler` spreads the
//! locks over N processes, shard I owning the ids whose `erlang:crc32(Id)
//! rem N` is I (erlang/src/session_handler.erl). Learned once per link
//! (`session_handler:shards/0`: `{N, {Pid1, ..., PidN}, RouterPid}`), they
//! let each request go straight to its owner's pid (a SEND: the node looks
//! no name up, and the router's hop is saved). Without them (a node that
//! has no shards/0, or a shard restarting) requests go to the registered
//! name, which routes them.
//!
//! A pid is good until the server restarts (the router and its shards go
//! together), and the node drops a message to a dead pid silently: so the
//! link monitors the router when it learns the pids ([`Learned`]), and
//! once that monitor fired the pids are stale and learned again.

use std::sync::Arc;

use crate::node::link::Dest;
use crate::term::{OpaqueKind, Term, decode};

/// The registered name of the server on the node: what routes a request
/// when no shard is known.
pub const SERVER: &str = "session_handler";

/// The shards' pids (term bytes), in shard order; none: the registered name.
#[derive(Clone, Debug, Default)]
pub struct Shards(Option<Arc<Vec<Vec<u8>>>>);

impl Shards {
    /// Every request to the registered name.
    pub fn none() -> Shards {
        Shards(None)
    }

    /// `{N, {Pid1, ..., PidN}, RouterPid}` (or the first version's
    /// `{N, {Pid1, ..., PidN}}`); anything else (a pid missing, a count
    /// that does not match) is none, so the router serves.
    pub fn parse(reply: &[u8]) -> Shards {
        let Ok(Term::Tuple(t)) = decode::decode(reply) else { return Shards::none() };
        let ([Term::Int(n), Term::Tuple(pids)] | [Term::Int(n), Term::Tuple(pids), _]) = t.as_slice() else {
            return Shards::none();
        };
        if *n < 1 || *n as usize != pids.len() {
            return Shards::none();
        }
        let raw: Option<Vec<Vec<u8>>> = pids
            .iter()
            .map(|p| match p {
                Term::Opaque { kind: OpaqueKind::Pid, raw } => Some(raw.to_vec()),
                _ => None,
            })
            .collect();
        Shards(raw.map(Arc::new))
    }

    /// How many pids are known (0: none).
    pub fn len(&self) -> usize {
        self.0.as_ref().map_or(0, |p| p.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Where a request about `id` goes: its shard's pid, or the name.
    pub fn dest(&self, id: &[u8]) -> Dest<'_> {
        match &self.0 {
            Some(pids) => Dest::Pid { pid: &pids[crc32(id) as usize % pids.len()], called: SERVER },
            None => Dest::Name(SERVER),
        }
    }
}

/// The router's pid of a `{N, Pids, RouterPid}` reply (term bytes), the
/// process to monitor: it and the shards exit together.
pub fn router(reply: &[u8]) -> Option<Vec<u8>> {
    let Ok(Term::Tuple(t)) = decode::decode(reply) else { return None };
    match t.as_slice() {
        [_, _, Term::Opaque { kind: OpaqueKind::Pid, raw }] => Some(raw.to_vec()),
        _ => None,
    }
}

/// What a link learned of the server, and whether it still holds.
#[derive(Clone, Debug, Default)]
pub struct Learned {
    pub shards: Shards,
    /// The link's [`Link::downs`] before the router was monitored: once it
    /// moved, the router (and so every shard) may have exited.
    ///
    /// [`Link::downs`]: crate::node::Link::downs
    pub watch: Option<u64>,
    /// The server has shards but not all were up (it was restarting), or
    /// its router could not be monitored: ask again at the next request.
    pub again: bool,
}

impl Learned {
    /// Whether to ask again, `downs` being the link's count now (read only
    /// when a monitor is in place).
    pub fn is_stale(&self, downs: impl FnOnce() -> u64) -> bool {
        self.again || self.watch.is_some_and(|then| then != downs())
    }
}

/// CRC-32 (IEEE 802.3, reflected, as zlib's and `erlang:crc32/1`).
pub fn crc32(bytes: &[u8]) -> u32 {
    !bytes.iter().fold(!0u32, |crc, &b| TABLE[((crc ^ u32::from(b)) & 0xff) as usize] ^ (crc >> 8))
}

const TABLE: [u32; 256] = table();

const fn table() -> [u32; 256] {
    let mut t = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 };
            k += 1;
        }
        t[i] = c;
        i += 1;
    }
    t
}

#[cfg(test)]
mod tests {
    use super::{Learned, Shards, crc32, router};
    use crate::node::frame;
    use crate::node::link::Dest;
    use crate::term::encode::Writer;

    #[test]
    fn crc32_is_erlangs() {
        // erlang:crc32(<<"123456789">>) and erlang:crc32(<<>>), erlang:crc32(<<"abc">>).
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
        assert_eq!(crc32(b"abc"), 891_568_578);
    }

    fn reply(n: i64, pids: &[Vec<u8>]) -> Vec<u8> {
        let mut w = Writer::default();
        w.tuple_header(2);
        w.int(n);
        w.tuple_header(pids.len());
        pids.iter().for_each(|p| w.raw(p));
        w.into_bytes()
    }

    #[test]
    fn each_id_goes_to_its_shards_pid() {
        let pids: Vec<Vec<u8>> = (0..16).map(|i| frame::pid("n@h", 100 + i, 0, 1)).collect();
        let shards = Shards::parse(&reply(16, &pids));
        assert_eq!(shards.len(), 16);
        for id in [&b"abc"[..], b"123456789", b"", b"a-session-id"] {
            match shards.dest(id) {
                Dest::Pid { pid, .. } => assert_eq!(pid, &pids[crc32(id) as usize % 16][..]),
                Dest::Name(_) => panic!("a known shard goes by pid"),
            }
        }
    }

    #[test]
    fn anything_else_is_the_name() {
        let pids: Vec<Vec<u8>> = (0..2).map(|i| frame::pid("n@h", i, 0, 1)).collect();
        for bad in [reply(3, &pids), reply(0, &[]), vec![0x64, 0, 2, b'o', b'k']] {
            let shards = Shards::parse(&bad);
            assert!(shards.is_empty());
            assert!(matches!(shards.dest(b"x"), Dest::Name("session_handler")));
        }
        // A shard restarting: undefined in its place.
        let mut w = Writer::default();
        w.tuple_header(2);
        w.int(2);
        w.tuple_header(2);
        w.raw(&pids[0]);
        w.atom("undefined");
        assert!(Shards::parse(&w.into_bytes()).is_empty());
    }

    /// `{N, Pids, RouterPid}`: the pids and the router to monitor; the
    /// first version's `{N, Pids}` has none; a router restarting neither.
    #[test]
    fn the_router_comes_with_the_pids() {
        let pids: Vec<Vec<u8>> = (0..2).map(|i| frame::pid("n@h", 100 + i, 0, 1)).collect();
        let with = |third: &dyn Fn(&mut Writer)| {
            let mut w = Writer::default();
            w.tuple_header(3);
            w.int(2);
            w.tuple_header(2);
            pids.iter().for_each(|p| w.raw(p));
            third(&mut w);
            w.into_bytes()
        };
        let r = frame::pid("n@h", 99, 0, 1);
        let three = with(&|w| w.raw(&r));
        assert_eq!(Shards::parse(&three).len(), 2);
        assert_eq!(router(&three), Some(r));
        assert_eq!(router(&with(&|w| w.atom("undefined"))), None);
        assert_eq!(router(&reply(2, &pids)), None);
        assert_eq!(Shards::parse(&reply(2, &pids)).len(), 2);
    }

    /// Stale once the link's monitor count moved past the one at learning,
    /// or when asked to learn again; never for a node that has no shards.
    #[test]
    fn learned_shards_go_stale_when_the_router_exits() {
        let watched = Learned { watch: Some(3), ..Learned::default() };
        assert!(!watched.is_stale(|| 3));
        assert!(watched.is_stale(|| 4));
        assert!(Learned { again: true, ..Learned::default() }.is_stale(|| 0));
        assert!(!Learned::default().is_stale(|| panic!("no monitor: the count is not read")));
    }
}
