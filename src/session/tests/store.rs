//! The store's side of the protocol: what each operation sends, and how
//! each reply of the server is read.

use std::sync::Arc;
use std::time::Duration;

use super::fake::{Answer, FakeWire, atom, error, read_ok, term};
use crate::session::store::{Lock, Store, StoreError, Tagged, TaggedReply, Token};
use crate::session::wire::Wire;

fn store(name: &str) -> (Arc<FakeWire>, Store<FakeWire>) {
    let link = FakeWire::new(name);
    (link.clone(), Store { link, timeout: Duration::from_millis(1500), shards: Default::default() })
}

/// A grant the server made, as a read hands it over.
fn grant(link: &FakeWire, store: &Store<FakeWire>, n: i64) -> Token {
    link.script("read", read_ok(b"", Some(n)));
    let holder = link.self_pid().to_vec();
    let lock = Lock::Take { holder: &holder, wait: Duration::ZERO, expire: Duration::ZERO };
    store.read(b"x", lock).map(|(_, token)| token).expect("a read that grants")
}

#[test]
fn a_locking_read_asks_for_the_lock_and_keeps_the_grant() {
    let (link, store) = store("s1@t");
    link.script("read", read_ok(b"a|i:1;", Some(7)));
    let holder = link.self_pid().to_vec();
    let lock = Lock::Take { holder: &holder, wait: Duration::from_millis(700), expire: Duration::from_secs(30) };
    let (data, token) = store.read(b"abc", lock).unwrap();
    assert_eq!(data.as_bytes(), b"a|i:1;");
    assert!(!token.is_none());
    assert_eq!(link.log(), ["watched {read,<<\"abc\">>,{lock,holder,700,30000}}"]);
    // A read waiting for the lock is watched for as long as the lock wait, plus one timeout.
    assert_eq!(link.waits(), [Duration::from_millis(700 + 1500)]);
    // The grant goes back to the server as it came.
    store.release(b"abc", &token).unwrap();
    assert_eq!(link.log()[1], "start {release,<<\"abc\">>,{grant,7}}");
}

#[test]
fn a_read_without_lock_is_a_plain_call_and_grants_nothing() {
    let (link, store) = store("s2@t");
    link.script("read", read_ok(b"", None));
    let (data, token) = store.read(b"abc", Lock::None).unwrap();
    assert!(data.as_bytes().is_empty());
    assert!(token.is_none());
    assert_eq!(token, Token::none());
    assert_eq!(link.log(), ["call {read,<<\"abc\">>,nolock}"]);
}

#[test]
fn writes_and_touches_carry_the_grant_and_the_lifetime_in_seconds() {
    let (link, store) = store("s3@t");
    let token = grant(&link, &store, 3);
    let sent = store.write_start(b"abc", &token, b"data", Duration::from_secs(1440)).unwrap();
    store.confirm(sent).unwrap();
    let sent = store.touch_start(b"abc", &Token::none(), Duration::from_secs(60)).unwrap();
    store.confirm(sent).unwrap();
    store.destroy(b"abc", &token).unwrap();
    assert_eq!(
        link.log()[1..],
        [
            "start {write,<<\"abc\">>,{grant,3},<<\"data\">>,1440}",
            "start {touch,<<\"abc\">>,0,60}",
            "start {destroy,<<\"abc\">>,{grant,3}}",
        ]
    );
}

#[test]
fn a_confirmation_is_taken_within_the_wait_given() {
    let (link, store) = store("s4@t");
    let sent = store.write_start(b"abc", &Token::none(), b"", Duration::ZERO).unwrap();
    store.confirm_within(sent, Duration::from_millis(5)).unwrap();
    assert_eq!(link.waits(), [Duration::from_millis(5)]);
}

#[test]
fn the_servers_errors_are_told_apart() {
    let (link, store) = store("s5@t");
    type Is = fn(&StoreError) -> bool;
    let cases: [(&str, Is); 6] = [
        ("lock_timeout", |e| matches!(e, StoreError::LockTimeout)),
        ("lock_lost", |e| matches!(e, StoreError::LockLost)),
        ("no_majority", |e| matches!(e, StoreError::Unavailable(w) if w.contains("majority"))),
        ("no_leader", |e| matches!(e, StoreError::Unavailable(w) if w.contains("leader"))),
        ("not_ready", |e| matches!(e, StoreError::Unavailable(w) if w.contains("loading"))),
        ("badarg", |e| matches!(e, StoreError::Protocol(m) if m.contains("unexpected reply to write"))),
    ];
    for (why, is) in cases {
        link.script("write", error(why));
        let sent = store.write_start(b"abc", &Token::none(), b"", Duration::ZERO).unwrap();
        let e = store.confirm(sent).unwrap_err();
        assert!(is(&e), "{why}: {e:?}");
    }
}

#[test]
fn replies_the_protocol_does_not_know_are_protocol_errors() {
    let (link, store) = store("s6@t");
    link.script("read", Answer::Reply(term(|w| w.atom("ok"))));
    assert!(matches!(store.read(b"a", Lock::None), Err(StoreError::Protocol(m)) if m.contains("reply to read")));
    // Data that is not a binary.
    link.script(
        "read",
        Answer::Reply(term(|w| {
            w.tuple_header(3);
            w.atom("ok");
            w.atom("data");
            w.int(0);
        })),
    );
    assert!(matches!(store.read(b"a", Lock::None), Err(StoreError::Protocol(_))));
    link.script("gc", Answer::Reply(vec![0xff, 0x01]));
    assert!(matches!(store.gc(), Err(StoreError::Protocol(m)) if m.starts_with("unreadable reply")));
    link.script("exists", atom("maybe"));
    assert!(matches!(store.exists(b"a"), Err(StoreError::Protocol(m)) if m.contains("reply to exists")));
}

#[test]
fn gc_counts_and_exists_answers() {
    let (link, store) = store("s7@t");
    link.script("gc", Answer::Reply(term(|w| w.int(12))));
    assert_eq!(store.gc().unwrap(), 12);
    link.script("exists", atom("true"));
    assert!(store.exists(b"abc").unwrap());
    assert!(!store.exists(b"abc").unwrap());
    assert_eq!(link.log(), ["call {gc}", "call {exists,<<\"abc\">>}", "call {exists,<<\"abc\">>}"]);
}

#[test]
fn a_link_failure_is_a_link_error() {
    let (link, store) = store("s8@t");
    link.script("gc", Answer::Silent);
    assert!(matches!(store.gc(), Err(StoreError::Link(_))));
    assert!(link.is_alive());
    link.script("gc", Answer::Down);
    assert!(matches!(store.gc(), Err(StoreError::Link(_))));
    assert!(!link.is_alive());
    // Nothing more goes out on a link that is down.
    assert!(matches!(store.exists(b"a"), Err(StoreError::Link(crate::node::Error::Send(_)))));
    assert_eq!(link.log().len(), 2);
}

#[test]
fn a_tagged_write_carries_its_tags_and_an_untagged_one_is_unchanged() {
    let (link, store) = store("t1@t");
    let tags = [b"user:1".to_vec(), b"role".to_vec()];
    let sent = store.write_tagged_start(b"abc", &Token::none(), b"d", Duration::from_secs(60), &tags).unwrap();
    store.confirm(sent).unwrap();
    let sent = store.write_tagged_start(b"abc", &Token::none(), b"d", Duration::from_secs(60), &[]).unwrap();
    store.confirm(sent).unwrap();
    assert_eq!(
        link.log(),
        [
            "start {write,<<\"abc\">>,0,<<\"d\">>,60,[<<\"user:1\">>,<<\"role\">>]}",
            "start {write,<<\"abc\">>,0,<<\"d\">>,60}",
        ]
    );
}

#[test]
fn the_sessions_of_a_tag_are_counted_listed_and_destroyed() {
    let (link, store) = store("t2@t");
    link.script("tagged", Answer::Reply(term(|w| w.int(3))));
    assert_eq!(store.tagged(Tagged::Count, b"u").unwrap(), TaggedReply::Count(3));
    link.script(
        "tagged",
        Answer::Reply(term(|w| {
            w.list_header(2);
            w.binary(b"id1");
            w.binary(b"id2");
            w.nil();
        })),
    );
    assert_eq!(store.tagged(Tagged::Ids, b"u").unwrap(), TaggedReply::Ids(vec![b"id1".to_vec(), b"id2".to_vec()]));
    link.script("tagged", Answer::Reply(term(|w| w.nil())));
    assert_eq!(store.tagged(Tagged::Ids, b"u").unwrap(), TaggedReply::Ids(vec![]));
    link.script("tagged", Answer::Reply(term(|w| w.int(2))));
    assert_eq!(store.tagged(Tagged::Destroy, b"u").unwrap(), TaggedReply::Count(2));
    // A list where a count is due, or a list of atoms, is a protocol error.
    link.script("tagged", Answer::Reply(term(|w| w.nil())));
    assert!(matches!(store.tagged(Tagged::Count, b"u"), Err(StoreError::Protocol(_))));
    link.script(
        "tagged",
        Answer::Reply(term(|w| {
            w.list_header(1);
            w.atom("x");
            w.nil();
        })),
    );
    assert!(matches!(store.tagged(Tagged::Ids, b"u"), Err(StoreError::Protocol(_))));
    link.script("tagged", error("no_majority"));
    assert!(matches!(store.tagged(Tagged::Destroy, b"u"), Err(StoreError::Unavailable(_))));
    assert_eq!(link.log()[0], "call {tagged,count,<<\"u\">>}");
}

/// With the server's shards known, each request about an id goes to the
/// pid of the shard that owns it (crc32 of the id, as erlang:crc32/1),
/// and the store-wide ones to the registered name.
#[test]
fn requests_about_an_id_go_to_its_shards_pid() {
    use crate::node::frame;
    use crate::session::shards::{Shards, crc32};
    let pids: Vec<Vec<u8>> = (0..4).map(|i| frame::pid("s@t", 10 + i, 0, 1)).collect();
    let reply = term(|w| {
        w.tuple_header(2);
        w.int(4);
        w.tuple_header(4);
        pids.iter().for_each(|p| w.raw(p));
    });
    let link = FakeWire::new("s@t");
    let store = Store { link: link.clone(), timeout: Duration::from_millis(1500), shards: Shards::parse(&reply) };
    let shard = |id: &[u8]| format!("pid #Pid<s@t.{}.0>", 10 + crc32(id) % 4);
    let ids: [&[u8]; 3] = [b"abc", b"another id", b"a third"];
    assert!(ids.iter().map(|id| crc32(id) % 4).collect::<std::collections::HashSet<_>>().len() > 1);
    for id in ids {
        store.read(id, Lock::None).unwrap();
        let token = grant_for(&link, &store, id);
        store.confirm(store.write_start(id, &token, b"data", Duration::from_secs(60)).unwrap()).unwrap();
        store.exists(id).unwrap();
        store.destroy(id, &Token::none()).unwrap();
        assert_eq!(link.dests().split_off(link.dests().len() - 5), vec![shard(id); 5]);
    }
    store.gc().unwrap();
    store.tagged(Tagged::Count, b"t").unwrap_or(TaggedReply::Count(0));
    assert_eq!(link.dests().split_off(link.dests().len() - 2), ["name session_handler"; 2]);
}

/// A grant of the lock of `id` (through its shard).
fn grant_for(link: &FakeWire, store: &Store<FakeWire>, id: &[u8]) -> Token {
    link.script("read", read_ok(b"", Some(1)));
    let holder = link.self_pid().to_vec();
    let lock = Lock::Take { holder: &holder, wait: Duration::ZERO, expire: Duration::ZERO };
    store.read(id, lock).map(|(_, token)| token).expect("a read that grants")
}
