//! Frames of the distribution protocol once the handshake is done: a 4-byte
//! length, then 112 (pass through), the control message and the payload,
//! each a term with its version byte. A frame of length 0 is a tick.
//!
//! Frames are written and read here, with the hardened decoder, so that a
//! peer's bytes never reach eetf's decoder. Fragments and the atom cache
//! are not negotiated, so neither can arrive.

use crate::term::decode::{self, DecodeError};
use crate::term::encode::Writer;
use crate::term::{OpaqueKind, Term, tag};

const PASS_THROUGH: u8 = 112;

/// Control message operations (OTP's `dist.hrl`).
mod op {
    pub const SEND: i64 = 2;
    pub const REG_SEND: i64 = 6;
    pub const MONITOR_P: i64 = 19;
    pub const MONITOR_P_EXIT: i64 = 21;
    pub const SEND_TT: i64 = 12;
    pub const SEND_SENDER: i64 = 22;
    pub const SEND_SENDER_TT: i64 = 23;
}

/// Largest frame accepted from a peer (128 MiB).
pub const MAX_FRAME: usize = 128 << 20;

pub const TICK: [u8; 4] = [0; 4];

/// The bytes of a pid term: `NEW_PID_EXT` of this node.
pub fn pid(node: &str, id: u32, serial: u32, creation: u32) -> Vec<u8> {
    let mut w = Writer::default();
    w.raw(&[tag::NEW_PID]);
    w.atom(node);
    w.raw(&id.to_be_bytes());
    w.raw(&serial.to_be_bytes());
    w.raw(&creation.to_be_bytes());
    w.into_bytes()
}

/// The bytes of a reference term of this node: `NEWER_REFERENCE_EXT`
/// with three ids (what a node makes; `n` tells ours apart).
pub fn reference(node: &str, n: u32, creation: u32) -> Vec<u8> {
    let mut w = Writer::default();
    w.raw(&[tag::NEWER_REFERENCE, 0, 3]);
    w.atom(node);
    w.raw(&creation.to_be_bytes());
    [n, 0, 0].iter().for_each(|id| w.raw(&id.to_be_bytes()));
    w.into_bytes()
}

/// A frame around a control message and a payload term (without version byte).
fn frame(control: impl FnOnce(&mut Writer), payload: &[u8]) -> Vec<u8> {
    let mut w = Writer::default();
    w.raw(&[0, 0, 0, 0, PASS_THROUGH, tag::VERSION]);
    control(&mut w);
    if !payload.is_empty() {
        w.raw(&[tag::VERSION]);
        w.raw(payload);
    }
    let mut bytes = w.into_bytes();
    let len = (bytes.len() - 4) as u32;
    bytes[..4].copy_from_slice(&len.to_be_bytes());
    bytes
}

/// `{6, From, '', ToName}`: a message to a registered process.
pub fn reg_send(from: &[u8], to_name: &str, payload: &[u8]) -> Vec<u8> {
    frame(
        |w| {
            w.tuple_header(4);
            w.int(op::REG_SEND);
            w.raw(from);
            w.atom("");
            w.atom(to_name);
        },
        payload,
    )
}

/// `{2, '', ToPid}`: a message to a pid.
pub fn send(to: &[u8], payload: &[u8]) -> Vec<u8> {
    frame(
        |w| {
            w.tuple_header(3);
            w.int(op::SEND);
            w.atom("");
            w.raw(to);
        },
        payload,
    )
}

/// `{19, FromPid, ToProc, Ref}`: `from` monitors the process `to` (a pid);
/// the node answers `{21, ...}` with `Ref` when it exits (at once, noproc,
/// if it is gone already), and drops the monitor with the connection.
/// A control message alone: no payload.
pub fn monitor_p(from: &[u8], to: &[u8], reference: &[u8]) -> Vec<u8> {
    frame(
        |w| {
            w.tuple_header(4);
            w.int(op::MONITOR_P);
            w.raw(from);
            w.raw(to);
            w.raw(reference);
        },
        &[],
    )
}

/// What a frame (without its length) carries for us.
#[derive(Debug, PartialEq)]
pub enum Incoming<'a> {
    /// A message to the pid with this id and serial; the payload has no version byte.
    Message { id: u32, serial: u32, payload: &'a [u8] },
    /// `{21, FromProc, ToPid, Ref, Reason}`: a process monitored by the pid
    /// with this id exited; `reference` is the bytes of `Ref`.
    MonitorExit { id: u32, reference: &'a [u8] },
    /// Anything else (links, monitors, exits, messages to names): ignored.
    Other,
}

pub fn parse(frame: &[u8]) -> Result<Incoming<'_>, DecodeError> {
    let bad = |reason: &str| Err(DecodeError { offset: 0, reason: reason.into() });
    let [PASS_THROUGH, tag::VERSION, rest @ ..] = frame else {
        return bad("frame does not start with 112, 131");
    };
    let (control, used) = decode::decode_prefix(rest)?;
    let Term::Tuple(items) = &control else { return bad("control message is not a tuple") };
    if let [Term::Int(op::MONITOR_P_EXIT), _, to, reference, _] = items.as_slice() {
        return monitor_exit(to, reference);
    }
    let to = match (items.first(), items.get(2)) {
        (Some(Term::Int(op::SEND | op::SEND_TT | op::SEND_SENDER | op::SEND_SENDER_TT)), Some(to)) => to,
        _ => return Ok(Incoming::Other),
    };
    let Term::Opaque { kind: OpaqueKind::Pid, raw } = to else { return bad("message to something not a pid") };
    let Some((_, id, serial)) = decode::pid_parts(raw) else { return bad("unreadable pid") };
    match &rest[used..] {
        [tag::VERSION, payload @ ..] => Ok(Incoming::Message { id, serial, payload }),
        _ => bad("payload without version byte"),
    }
}

/// The parts of a MONITOR_P_EXIT we use: whose monitor, which one.
fn monitor_exit<'a>(to: &Term<'a>, reference: &Term<'a>) -> Result<Incoming<'a>, DecodeError> {
    let bad = |reason: &str| Err(DecodeError { offset: 0, reason: reason.into() });
    let Term::Opaque { kind: OpaqueKind::Pid, raw: to } = to else { return bad("monitor exit to something not a pid") };
    let Term::Opaque { kind: OpaqueKind::Reference, raw: reference } = reference else {
        return bad("monitor exit without a reference");
    };
    let Some((_, id, _)) = decode::pid_parts(to) else { return bad("unreadable pid") };
    Ok(Incoming::MonitorExit { id, reference })
}

/// The `Reply` of `{Tag, Reply}` (`{rex, Reply}` from rex), as bytes of
/// exactly one whole term: a reply cut short or followed by more bytes is
/// refused here, so that no caller is handed bytes that are not a term.
pub fn tagged_reply<'a>(payload: &'a [u8], tag_name: &str) -> Option<&'a [u8]> {
    let [tag::SMALL_TUPLE, 2, rest @ ..] = payload else { return None };
    let (first, used) = decode::decode_prefix(rest).ok()?;
    let reply = &rest[used..];
    (matches!(first, Term::Atom(ref a) if a == tag_name) && decode::decode(reply).is_ok()).then_some(reply)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_send_frame_parses_back() {
        let to = pid("a@b", 7, 1, 3);
        let f = send(&to, &[tag::NIL]);
        assert_eq!(u32::from_be_bytes(f[..4].try_into().unwrap()) as usize, f.len() - 4);
        assert_eq!(parse(&f[4..]).unwrap(), Incoming::Message { id: 7, serial: 1, payload: &[tag::NIL] });
        let r = reg_send(&to, "rex", &[tag::NIL]);
        assert_eq!(parse(&r[4..]).unwrap(), Incoming::Other);
    }

    /// `{19, From, To, Ref}` with nothing after it, as OTP's dist.c reads it.
    #[test]
    fn a_monitor_p_frame_is_the_control_message_alone() {
        let (from, to) = (pid("php@h", 1, 0, 7), pid("n@h", 40, 0, 3));
        let r = reference("php@h", 9, 7);
        let f = monitor_p(&from, &to, &r);
        assert_eq!(u32::from_be_bytes(f[..4].try_into().unwrap()) as usize, f.len() - 4);
        assert_eq!(f[4..6], [PASS_THROUGH, tag::VERSION]);
        let (control, used) = decode::decode_prefix(&f[6..]).unwrap();
        assert_eq!(used, f.len() - 6, "no payload");
        let Term::Tuple(items) = control else { panic!("a tuple") };
        assert!(matches!(items[0], Term::Int(19)));
        assert!(matches!(items[1], Term::Opaque { kind: OpaqueKind::Pid, raw } if raw == &from[..]));
        assert!(matches!(items[2], Term::Opaque { kind: OpaqueKind::Pid, raw } if raw == &to[..]));
        assert!(matches!(items[3], Term::Opaque { kind: OpaqueKind::Reference, raw } if raw == &r[..]));
        // The reference: NEWER_REFERENCE_EXT, 3 ids, the first one ours.
        assert_eq!(r[..3], [tag::NEWER_REFERENCE, 0, 3]);
        assert_eq!(r[r.len() - 12..r.len() - 8], 9u32.to_be_bytes());
    }

    /// `{21, FromProc, ToPid, Ref, Reason}` as a node sends it: the pid it
    /// is for and the reference; a malformed one is an error.
    #[test]
    fn a_monitor_p_exit_parses() {
        let exit = |to: &dyn Fn(&mut Writer), r: &dyn Fn(&mut Writer)| {
            let mut w = Writer::default();
            w.raw(&[PASS_THROUGH, tag::VERSION]);
            w.tuple_header(5);
            w.int(21);
            w.raw(&pid("n@h", 40, 0, 3));
            to(&mut w);
            r(&mut w);
            w.atom("noproc");
            w.into_bytes()
        };
        let r = reference("php@h", 9, 7);
        let f = exit(&|w| w.raw(&pid("php@h", 1, 0, 7)), &|w| w.raw(&r));
        assert_eq!(parse(&f).unwrap(), Incoming::MonitorExit { id: 1, reference: &r });
        assert!(parse(&exit(&|w| w.atom("x"), &|w| w.raw(&r))).is_err(), "to a non-pid");
        assert!(parse(&exit(&|w| w.raw(&pid("php@h", 1, 0, 7)), &|w| w.int(1))).is_err(), "no reference");
        // A MONITOR_P or DEMONITOR_P sent to us is not an exit.
        let m = monitor_p(&pid("n@h", 40, 0, 3), &pid("php@h", 1, 0, 7), &r);
        assert_eq!(parse(&m[4..]).unwrap(), Incoming::Other);
    }

    #[test]
    fn hostile_frames_are_errors() {
        for f in [&[][..], &[112], &[112, 131, 104], &[112, 131, 104, 3, 97, 2, 100, 0, 0, 97, 1]] {
            assert!(parse(f).is_err(), "{f:?}");
        }
    }

    #[test]
    fn rex_replies_unwrap() {
        let mut w = Writer::default();
        w.tuple_header(2);
        w.atom("rex");
        w.atom("ok");
        let b = w.into_bytes();
        assert_eq!(tagged_reply(&b, "rex"), Some(&[119, 2, b'o', b'k'][..]));
        assert_eq!(tagged_reply(&[tag::NIL], "rex"), None);
        // Cut short: found by the fake node (php-tests/fake_node_malicious.phpt).
        assert_eq!(tagged_reply(&b[..b.len() - 1], "rex"), None);
    }
}
