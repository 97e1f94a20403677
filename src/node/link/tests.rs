//! Tests of a link against a fake peer on 127.0.0.1 (the test plays the
//! node), and of its parts alone: the read buffer's framing, the routing of
//! replies and messages, and socket writes.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::AtomicU64;

use super::buffer::{BUFFER, BUFFER_KEEP, RESERVE_AHEAD, ReadState};
use super::reader::{MAILBOX_SIZE, route};
use super::replay::replay_replies;
use super::*;

/// A link to a fake peer on 127.0.0.1, past the handshake: the test plays the node.
fn fake_link() -> (Arc<Link>, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let rt = runtime::get().unwrap();
    let stream = rt.block_on(tokio::net::TcpStream::connect(addr)).unwrap();
    let (peer_side, _) = listener.accept().unwrap();
    let local = NodeName::parse("php@127.0.0.1").unwrap();
    let (_, slot) = crate::node::name::unique_local(&local);
    let c = connect::Connected { stream, tls: None, local, slot, creation: 7 };
    let link = Arc::new(Link::start(NodeName::parse("fake@127.0.0.1").unwrap(), c).unwrap());
    ticker::watch(Arc::downgrade(&link.shared)).unwrap();
    (link, peer_side)
}

/// A frame to the pid `id`/`serial` of `link` carrying `{Tag, ok}`.
fn message(link: &Link, id: u32, serial: u32, tag: &str) -> Vec<u8> {
    let mut w = Writer::default();
    w.tuple_header(2);
    w.atom(tag);
    w.atom("ok");
    frame::send(&frame::pid(&link.local.full(), id, serial, link.creation), &w.into_bytes())
}

/// Reads one frame the link wrote; a tick is empty.
fn next_frame(peer: &mut TcpStream) -> Vec<u8> {
    let mut len = [0u8; 4];
    peer.read_exact(&mut len).unwrap();
    let mut f = vec![0u8; u32::from_be_bytes(len) as usize];
    peer.read_exact(&mut f).unwrap();
    f
}

const ONE_S: Duration = Duration::from_secs(1);

#[test]
fn a_frame_split_across_a_timeout_keeps_its_framing() {
    let (link, mut peer) = fake_link();
    let m = message(&link, SELF_ID, 0, "first");
    peer.write_all(&m[..7]).unwrap();
    assert!(link.receive(Duration::from_millis(100)).is_err());
    peer.write_all(&m[7..]).unwrap();
    peer.write_all(&message(&link, SELF_ID, 0, "second")).unwrap();
    assert_eq!(frame::tagged_reply(&link.receive(ONE_S).unwrap(), "first"), Some(&[119, 2, b'o', b'k'][..]));
    assert!(frame::tagged_reply(&link.receive(ONE_S).unwrap(), "second").is_some());
    assert!(link.is_alive());
}

#[test]
fn an_idle_link_answers_ticks_and_keeps_replies_read_early() {
    let (link, mut peer) = fake_link();
    let sent = link.call_start("srv", &[tag_nil()], ONE_S).unwrap();
    assert!(!next_frame(&mut peer).is_empty());
    // The reply and a tick arrive while no call reads: the ticker takes both.
    peer.write_all(&message(&link, SELF_ID + 1, 0, CALL_TAG)).unwrap();
    peer.write_all(&frame::TICK).unwrap();
    peer.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
    assert!(next_frame(&mut peer).is_empty(), "a tick answered");
    assert_eq!(link.reply(sent, Duration::from_millis(1)).unwrap(), [119, 2, b'o', b'k']);
    assert!(link.shared.routing().pending.is_empty());
}

#[test]
fn late_replies_are_dropped_and_abandoned_calls_leave_nothing() {
    let (link, mut peer) = fake_link();
    let err = link.call("srv", &[tag_nil()], Duration::from_millis(50)).unwrap_err();
    assert_eq!(err, Error::Receive("srv on fake@127.0.0.1 did not answer within 50 ms".into()));
    drop(link.call_start("srv", &[tag_nil()], ONE_S).unwrap());
    assert!(link.shared.routing().pending.is_empty());
    // Both late replies, then the third call's own.
    for id in [SELF_ID + 1, SELF_ID + 2, SELF_ID + 3] {
        peer.write_all(&message(&link, id, 0, CALL_TAG)).unwrap();
    }
    let sent = link.call_start("srv", &[tag_nil()], ONE_S).unwrap();
    assert!(link.reply(sent, ONE_S).is_ok());
    assert!(link.receive(Duration::from_millis(20)).is_err());
}

#[test]
fn the_peer_closing_fails_the_waiting_call_at_once() {
    let (link, peer) = fake_link();
    let closer = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(100));
        drop(peer);
    });
    let t0 = Instant::now();
    let err = link.call("srv", &[tag_nil()], Duration::from_secs(5)).unwrap_err();
    assert_eq!(err, Error::Receive("fake@127.0.0.1 closed the link during the call".into()));
    assert!(t0.elapsed() < Duration::from_secs(2));
    assert!(!link.is_alive());
    closer.join().unwrap();
}

#[test]
fn a_length_alone_allocates_nothing_big() {
    // Found by the replies fuzz target: a 4-byte length made the buffer
    // as large as the frame it promised (up to 128 MiB).
    let mut rd = ReadState::new(64);
    rd.buf[..4].copy_from_slice(&(frame::MAX_FRAME as u32).to_be_bytes());
    rd.end = 4;
    assert!(!rd.frames(|_| true).too_large);
    assert!(rd.buf.len() <= 2 * RESERVE_AHEAD, "{} bytes", rd.buf.len());
    // A real large frame still arrives whole.
    let (replies, _) = replay_replies(&big_reply(3 << 20), 65536);
    assert_eq!(replies.len(), 1);
}

/// A stream holding one reply `{peb, <<N bytes>>}` to the first call pid.
fn big_reply(n: usize) -> Vec<u8> {
    let mut w = Writer::default();
    w.tuple_header(2);
    w.atom(CALL_TAG);
    w.binary(&vec![7u8; n]);
    frame::send(&frame::pid("php@127.0.0.1", SELF_ID + 1, 0, 7), &w.into_bytes())
}

#[test]
fn a_frame_too_large_kills_the_link() {
    let (link, mut peer) = fake_link();
    peer.write_all(&((frame::MAX_FRAME + 1) as u32).to_be_bytes()).unwrap();
    assert!(link.receive(ONE_S).is_err());
    assert!(!link.is_alive());
}

#[test]
fn callers_on_several_threads_each_get_their_reply() {
    let (link, mut peer) = fake_link();
    // The peer answers every request, in reverse order of each batch of 4.
    let local = link.local.full();
    let echo = std::thread::spawn(move || {
        for _ in 0..50 {
            let mut batch = Vec::new();
            for _ in 0..4 {
                let f = next_frame(&mut peer);
                // The reply pid's id and serial, from `{6, From, '', srv}`.
                let at = f.windows(local.len()).position(|w| w == local.as_bytes()).unwrap() + local.len();
                let id = u32::from_be_bytes(f[at..at + 4].try_into().unwrap());
                batch.push(id);
            }
            for id in batch.into_iter().rev() {
                let mut w = Writer::default();
                w.tuple_header(2);
                w.atom(CALL_TAG);
                w.int(i64::from(id));
                peer.write_all(&frame::send(&frame::pid(&local, id, 0, 7), &w.into_bytes())).unwrap();
            }
        }
    });
    let callers: Vec<_> = (0..4)
        .map(|_| {
            let link = link.clone();
            std::thread::spawn(move || {
                for _ in 0..50 {
                    let sent = link.call_start("srv", &[tag_nil()], ONE_S).unwrap();
                    let id = sent.key.0;
                    let reply = link.reply(sent, Duration::from_secs(5)).unwrap();
                    let mut w = Writer::default();
                    w.int(i64::from(id));
                    assert_eq!(reply, w.into_bytes());
                }
            })
        })
        .collect();
    for c in callers {
        c.join().unwrap();
    }
    echo.join().unwrap();
}

/// The id of the reply pid in a request frame `{6, From, '', srv}` of `link`.
fn reply_id(link: &Link, f: &[u8]) -> u32 {
    let local = link.local.full();
    let at = f.windows(local.len()).position(|w| w == local.as_bytes()).unwrap() + local.len();
    u32::from_be_bytes(f[at..at + 4].try_into().unwrap())
}

#[test]
fn a_watched_call_fails_within_its_timeout_when_the_node_goes_silent() {
    let (link, _peer) = fake_link();
    let t0 = Instant::now();
    let err = link.call_watched("srv", &[tag_nil()], &[tag_nil()], Duration::from_millis(200), ONE_S * 30);
    assert!(matches!(err, Err(Error::Receive(ref m)) if m.contains("stopped answering")), "{err:?}");
    let ms = t0.elapsed().as_millis();
    assert!((190..400).contains(&ms), "{ms} ms");
}

#[test]
fn a_watched_call_waits_past_its_timeout_while_the_node_answers_probes() {
    let (link, mut peer) = fake_link();
    let answer = |peer: &mut TcpStream, link: &Link, id: u32| {
        let mut w = Writer::default();
        w.tuple_header(2);
        w.atom(CALL_TAG);
        w.int(i64::from(id));
        peer.write_all(&frame::send(&frame::pid(&link.local.full(), id, 0, 7), &w.into_bytes())).unwrap();
    };
    let node = {
        let link = link.clone();
        std::thread::spawn(move || {
            let request = reply_id(&link, &next_frame(&mut peer));
            // Probes answered at once; the request itself after 700 ms.
            let t0 = Instant::now();
            while t0.elapsed() < Duration::from_millis(700) {
                let probe = reply_id(&link, &next_frame(&mut peer));
                answer(&mut peer, &link, probe);
            }
            answer(&mut peer, &link, request);
            peer
        })
    };
    let t0 = Instant::now();
    let reply = link.call_watched("srv", &[tag_nil()], &[tag_nil()], Duration::from_millis(200), ONE_S * 30);
    assert_eq!(reply.unwrap(), [crate::term::tag::SMALL_INTEGER, SELF_ID as u8 + 1]);
    assert!(t0.elapsed() >= Duration::from_millis(700));
    assert!(link.shared.routing().pending.is_empty(), "no probe left waiting");
    drop(node.join().unwrap());
}

fn tag_nil() -> u8 {
    crate::term::tag::NIL
}
/// `bytes` as a length-prefixed frame.
fn framed(bytes: &[u8]) -> Vec<u8> {
    let mut f = (bytes.len() as u32).to_be_bytes().to_vec();
    f.extend_from_slice(bytes);
    f
}

/// Copies `bytes` into the buffer's free room, making room as a read would.
fn feed(rd: &mut ReadState, mut bytes: &[u8]) {
    while !bytes.is_empty() {
        rd.make_room();
        let spare = rd.spare();
        let n = bytes.len().min(spare.len());
        spare[..n].copy_from_slice(&bytes[..n]);
        rd.filled(n);
        bytes = &bytes[n..];
    }
}

/// The buffer's whole frames, each taken (routed), added to `got`.
fn take_all(rd: &mut ReadState, got: &mut Vec<Vec<u8>>) -> super::buffer::Seen {
    rd.frames(|b| {
        got.push(b.to_vec());
        true
    })
}

#[test]
fn the_buffer_hands_out_a_frame_only_once_it_is_whole() {
    let mut rd = ReadState::new(8);
    let f = framed(b"hello, node");
    let mut got = Vec::new();
    feed(&mut rd, &f[..6]);
    assert!(!take_all(&mut rd, &mut got).routed);
    assert!(got.is_empty());
    feed(&mut rd, &f[6..]);
    assert!(take_all(&mut rd, &mut got).routed);
    assert_eq!(got, [b"hello, node".to_vec()]);
    assert_eq!((rd.start, rd.end), (0, 0), "an emptied buffer starts over");
}

#[test]
fn the_buffer_sees_ticks_between_frames_and_routes_no_tick() {
    let mut rd = ReadState::new(64);
    let mut stream = frame::TICK.to_vec();
    stream.extend(framed(b"a"));
    stream.extend(frame::TICK);
    stream.extend(framed(b"bc"));
    feed(&mut rd, &stream);
    let mut got = Vec::new();
    let seen = rd.frames(|b| {
        got.push(b.to_vec());
        false
    });
    assert!(seen.tick);
    assert!(!seen.routed, "route found no taker for either frame");
    assert_eq!(got, [b"a".to_vec(), b"bc".to_vec()]);
}

#[test]
fn the_buffer_keeps_a_partial_frame_when_it_moves_it_to_the_front() {
    let mut rd = ReadState::new(16);
    let first = framed(b"0123456789");
    let second = framed(b"abcdefghij");
    // The first frame whole, and 2 bytes of the second's length.
    feed(&mut rd, &[&first[..], &second[..2]].concat());
    let mut got = Vec::new();
    take_all(&mut rd, &mut got);
    assert_eq!(rd.end - rd.start, 2);
    feed(&mut rd, &second[2..]);
    take_all(&mut rd, &mut got);
    assert_eq!(got, [b"0123456789".to_vec(), b"abcdefghij".to_vec()]);
    assert_eq!(rd.buf.len(), 16, "the second frame fitted once moved to the front");
}

#[test]
fn the_buffer_gives_back_the_room_of_a_large_frame() {
    let mut rd = ReadState::new(BUFFER);
    let big = vec![5u8; BUFFER_KEEP + 1];
    feed(&mut rd, &framed(&big));
    assert!(rd.buf.len() > BUFFER_KEEP);
    let mut len = 0;
    rd.frames(|b| {
        len = b.len();
        true
    });
    assert_eq!(len, BUFFER_KEEP + 1);
    assert_eq!(rd.buf.len(), BUFFER);
}

#[test]
fn the_buffer_refuses_a_frame_over_the_limit_without_routing_it() {
    let mut rd = ReadState::new(64);
    feed(&mut rd, &((frame::MAX_FRAME + 1) as u32).to_be_bytes());
    let mut routed = 0;
    let seen = rd.frames(|_| {
        routed += 1;
        true
    });
    assert!(seen.too_large);
    assert_eq!(routed, 0);
    assert_eq!(rd.buf.len(), 64, "nothing was reserved for it");
}

/// The frame body (no length) of a message to pid `id`/0 of `php@127.0.0.1`.
fn body_to(id: u32, payload: &[u8]) -> Vec<u8> {
    frame::send(&frame::pid("php@127.0.0.1", id, 0, 7), payload)[4..].to_vec()
}

#[test]
fn routing_fills_a_waiting_call_once_and_drops_replies_no_one_waits_for() {
    let mut routing = Routing::default();
    routing.pending.insert((SELF_ID + 1, 0), None);
    assert!(route(&body_to(SELF_ID + 1, &[tag_nil()]), &AtomicU64::default(), &mut routing));
    // A second reply to the same pid does not replace the first.
    assert!(!route(&body_to(SELF_ID + 1, &[crate::term::tag::SMALL_INTEGER, 1]), &AtomicU64::default(), &mut routing));
    assert!(
        !route(&body_to(SELF_ID + 9, &[tag_nil()]), &AtomicU64::default(), &mut routing),
        "a pid no call waits for"
    );
    assert_eq!(routing.pending[&(SELF_ID + 1, 0)], Some(vec![tag_nil()]));
    assert_eq!(routing.pending.len(), 1);
    assert!(routing.mailbox.is_empty());
    assert!(!route(b"not a frame", &AtomicU64::default(), &mut routing));
}

#[test]
fn the_mailbox_is_bounded() {
    let mut routing = Routing::default();
    let msg = body_to(SELF_ID, &[tag_nil()]);
    for _ in 0..MAILBOX_SIZE {
        assert!(route(&msg, &AtomicU64::default(), &mut routing));
    }
    assert!(!route(&msg, &AtomicU64::default(), &mut routing), "one past the bound is dropped");
    assert_eq!(routing.mailbox.len(), MAILBOX_SIZE);
}

/// Two ends of a TCP connection on 127.0.0.1.
fn socket_pair() -> (TcpStream, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let ours = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    (ours, listener.accept().unwrap().0)
}

#[test]
fn a_write_larger_than_the_socket_buffer_arrives_whole() {
    let (ours, mut peer) = socket_pair();
    let bytes: Vec<u8> = (0..8u32 << 20).map(|i| (i % 251) as u8).collect();
    let expected = bytes.clone();
    let reader = std::thread::spawn(move || {
        let mut got = vec![0u8; expected.len()];
        peer.read_exact(&mut got).unwrap();
        got == expected
    });
    assert!(write::send(&ours, &bytes, Duration::from_secs(10)).is_ok());
    assert!(reader.join().unwrap(), "the peer read the same bytes");
}

#[test]
fn a_write_the_peer_does_not_read_times_out_broken_midframe() {
    let (ours, _peer) = socket_pair();
    let t0 = Instant::now();
    let Err(e) = write::send(&ours, &vec![0u8; 64 << 20], Duration::from_millis(200)) else {
        panic!("64 MiB went into a socket nobody reads");
    };
    // SO_SNDTIMEO ends a blocked write with EAGAIN; the deadline, with TimedOut.
    assert!(matches!(e.error.kind(), io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock), "{:?}", e.error);
    assert!(e.broken, "part of the frame went out");
    let ms = t0.elapsed().as_millis();
    assert!((190..1000).contains(&ms), "{ms} ms");
}

#[test]
fn a_write_to_a_closed_peer_fails_without_a_signal() {
    let (ours, peer) = socket_pair();
    drop(peer);
    // The first write may still be taken by the kernel; the peer's reset
    // then fails a later one (with EPIPE, not SIGPIPE, which would kill us).
    let failed = (0..50).find_map(|_| {
        std::thread::sleep(Duration::from_millis(10));
        write::send(&ours, b"ping", ONE_S).err()
    });
    let e = failed.expect("writes to a closed peer kept succeeding");
    assert!(matches!(e.error.kind(), io::ErrorKind::BrokenPipe | io::ErrorKind::ConnectionReset), "{:?}", e.error);
    assert!(!e.broken, "nothing of the frame went out");
}

#[test]
fn a_send_that_times_out_midframe_takes_the_link_down() {
    let (link, _peer) = fake_link();
    let err = link.send_by_name("srv", &vec![tag_nil(); 64 << 20], Duration::from_millis(200)).unwrap_err();
    assert_eq!(err, Error::Send("sending to fake@127.0.0.1 timed out after 200 ms".into()));
    assert!(!link.is_alive(), "the framing is lost with the half-written frame");
    let err = link.send_by_name("srv", &[tag_nil()], ONE_S).unwrap_err();
    assert_eq!(err, Error::Send("the link to fake@127.0.0.1 is down".into()));
}

/// A monitor of the link's own pid that fired is counted, once per
/// MONITOR_P_EXIT; one for another pid is not, and neither reaches a call.
#[test]
fn a_monitor_exit_to_the_links_pid_is_counted() {
    let exit_to = |id: u32| {
        let mut w = crate::term::encode::Writer::default();
        w.raw(&[112, crate::term::tag::VERSION]);
        w.tuple_header(5);
        w.int(21);
        w.raw(&frame::pid("n@h", 40, 0, 1));
        w.raw(&frame::pid("php@127.0.0.1", id, 0, 7));
        w.raw(&frame::reference("php@127.0.0.1", 5, 7));
        w.atom("killed");
        w.into_bytes()
    };
    let (downs, mut routing) = (AtomicU64::default(), Routing::default());
    routing.pending.insert((SELF_ID + 1, 0), None);
    assert!(route(&exit_to(SELF_ID), &downs, &mut routing), "the sleepers are woken");
    assert!(!route(&exit_to(SELF_ID + 1), &downs, &mut routing));
    assert_eq!(downs.load(Ordering::Acquire), 1);
    assert_eq!(routing.pending[&(SELF_ID + 1, 0)], None);
    assert!(routing.mailbox.is_empty());
}
