//! The reply handling of a link without its socket, for the fuzzer
//! (`fuzz/`) and the test that replays its corpus. Built only for tests
//! and with the `fuzz` feature: the release extension does not carry it.

use super::CALL_TAG;
use super::buffer::ReadState;
use super::reader::{Routing, SELF_ID, route};
use crate::node::frame;

/// `stream` arrives in reads of `chunk` bytes (at least 1) and goes through
/// the framing and routing a link uses, with calls waiting on the first
/// four reply pids; the replies those calls would return (unwrapped from
/// `{peb, Reply}` or `{rex, Reply}`) and the messages queued for `peb_receive`.
pub fn replay_replies(stream: &[u8], chunk: usize) -> (Vec<Vec<u8>>, Vec<Vec<u8>>) {
    let mut rd = ReadState::new(64);
    let mut routing = Routing::default();
    let calls: Vec<(u32, u32)> = (0..4).map(|n| (SELF_ID + 1 + n, 0)).collect();
    for key in &calls {
        routing.pending.insert(*key, None);
    }
    for piece in stream.chunks(chunk.max(1)) {
        let mut piece = piece;
        while !piece.is_empty() {
            rd.make_room();
            let spare = rd.spare();
            let n = piece.len().min(spare.len());
            spare[..n].copy_from_slice(&piece[..n]);
            rd.filled(n);
            piece = &piece[n..];
            if rd.frames(|f| route(f, &Default::default(), &mut routing)).too_large {
                return (Vec::new(), Vec::new());
            }
        }
    }
    let replies = calls
        .iter()
        .filter_map(|k| routing.pending.get_mut(k).and_then(Option::take))
        .filter_map(|p| {
            frame::tagged_reply(&p, CALL_TAG).or_else(|| frame::tagged_reply(&p, "rex")).map(<[u8]>::to_vec)
        })
        .collect();
    (replies, routing.mailbox.into_iter().collect())
}
