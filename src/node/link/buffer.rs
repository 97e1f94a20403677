//! A link's read buffer: bytes read from the socket but not yet parsed,
//! split into whole frames. A frame cut by a read that timed out stays
//! here until the rest arrives, so the framing is never lost; a frame's
//! length is the peer's word, so room is made for it only as its bytes
//! come.

use crate::node::frame;

/// Room of a link's read buffer, and what it goes back to after a large frame.
pub(super) const BUFFER: usize = 16 << 10;

/// A buffer grown past this for a large frame is given back once emptied.
pub(super) const BUFFER_KEEP: usize = 1 << 20;

/// Room made ahead for a frame still coming, at most (or twice what of it
/// has come, if more): a frame's length is the peer's word, not a fact.
pub(super) const RESERVE_AHEAD: usize = 1 << 20;

/// The reading side: bytes `buf[start..end]` are read but not yet parsed.
pub(super) struct ReadState {
    pub(super) buf: Vec<u8>,
    pub(super) start: usize,
    pub(super) end: usize,
    /// The socket's SO_RCVTIMEO, as last set.
    pub(super) timeout: Option<std::time::Duration>,
    /// Over TLS: room for the records of one read, before they are opened.
    pub(super) raw: Vec<u8>,
}

/// What one pass of [`ReadState::frames`] met.
#[derive(Default)]
pub(super) struct Seen {
    pub(super) tick: bool,
    pub(super) routed: bool,
    /// A frame over [`frame::MAX_FRAME`]: the stream cannot be followed past it.
    pub(super) too_large: bool,
}

impl ReadState {
    /// An empty buffer of `room` bytes.
    pub(super) fn new(room: usize) -> Self {
        ReadState { buf: vec![0; room], start: 0, end: 0, timeout: None, raw: Vec::new() }
    }

    /// Hands every whole frame in the buffer to `route`, ticks aside, and
    /// leaves a partial one in place with room made for the rest of it.
    pub(super) fn frames(&mut self, mut route: impl FnMut(&[u8]) -> bool) -> Seen {
        let mut seen = Seen::default();
        while self.end - self.start >= 4 {
            let at = self.start;
            let b = &self.buf[at..at + 4];
            let len = u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize;
            if len == 0 {
                seen.tick = true;
                self.start += 4;
                continue;
            }
            if len > frame::MAX_FRAME {
                seen.too_large = true;
                break;
            }
            if self.end - at < 4 + len {
                // The rest of the frame is still to come: room for it, but
                // never far beyond what has come, so that a length alone
                // (4 bytes claiming 128 MiB) allocates nothing big.
                let have = self.end - at;
                self.reserve((4 + len).min(have.saturating_mul(2).max(RESERVE_AHEAD)));
                break;
            }
            seen.routed |= route(&self.buf[at + 4..at + 4 + len]);
            self.start += 4 + len;
        }
        self.settle();
        seen
    }

    /// Free bytes after `end` for the next read.
    pub(super) fn make_room(&mut self) {
        if self.end < self.buf.len() {
            return;
        }
        if self.start > 0 {
            self.compact();
        } else {
            let doubled = self.buf.len() * 2;
            self.buf.resize(doubled, 0);
        }
    }

    /// The free bytes after `end`, which a read fills (then [`Self::filled`]).
    pub(super) fn spare(&mut self) -> &mut [u8] {
        &mut self.buf[self.end..]
    }

    /// `n` bytes were read into [`Self::spare`].
    pub(super) fn filled(&mut self, n: usize) {
        self.end += n;
    }

    /// Room for `need` bytes from `start` on.
    fn reserve(&mut self, need: usize) {
        if self.buf.len() - self.start >= need {
            return;
        }
        self.compact();
        if self.buf.len() < need {
            self.buf.resize(need, 0);
        }
    }

    fn compact(&mut self) {
        self.buf.copy_within(self.start..self.end, 0);
        self.end -= self.start;
        self.start = 0;
    }

    /// Back to the start once all is parsed; a large buffer given back.
    fn settle(&mut self) {
        if self.start != self.end {
            return;
        }
        self.start = 0;
        self.end = 0;
        if self.buf.len() > BUFFER_KEEP {
            self.buf = vec![0; BUFFER];
        }
    }
}
