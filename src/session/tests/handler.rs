//! The handler's logic over fake nodes: which node serves, the lock grant
//! carried from the read to the write or release, failover with the same
//! grant, what is retried and what is not, and writes in flight. Each test
//! names its nodes apart, as the bench of failed nodes is process-wide.

use std::time::Duration;

use super::fake::{Answer, Net, error, read_ok, settings};
use crate::session::failover::Route;
use crate::session::handler::Session;
use crate::session::inflight::Queue;
use crate::session::settings::Settings;
use crate::session::wire::Wire;

fn open(net: &Net, save_path: &str, settings: Settings) -> Session<Net> {
    Session::open(net.route(save_path, settings)).expect("a node serves")
}

fn settle() -> Vec<String> {
    Net::with_pending(|p| p.settle(None))
}

fn in_flight() -> usize {
    Net::with_pending(|p| p.len())
}

#[test]
fn the_save_path_or_else_the_default_node() {
    let mut s = settings();
    s.default_node = " d@t ".into();
    assert_eq!(Route::new(Net::default(), " , ", s.clone()).unwrap().nodes, ["d@t"]);
    assert_eq!(Route::new(Net::default(), "a@t,b@t", s.clone()).unwrap().nodes, ["a@t", "b@t"]);
    s.default_node.clear();
    let e = Route::new(Net::default(), "", s).err().expect("no node at all");
    assert_eq!(e, "session.save_path names no node, and peb.default_nodename is empty");
}

#[test]
fn the_first_node_that_serves_is_used_and_one_that_failed_goes_last() {
    let net = Net::default();
    net.refuse("h1a@t");
    let s = open(&net, "h1a@t, h1b@t", settings());
    assert_eq!(s.link().node(), "h1b@t");
    assert_eq!(net.connects(), ["h1a@t", "h1b@t"]);
    // The next session does not try the failed node first.
    let s = open(&net, "h1a@t, h1b@t", settings());
    assert_eq!(s.link().node(), "h1b@t");
    assert_eq!(net.connects(), ["h1a@t", "h1b@t", "h1b@t"]);
}

#[test]
fn no_node_that_serves_is_an_error_naming_each() {
    let net = Net::default();
    net.refuse("h2a@t");
    net.refuse("h2b@t");
    let e = Session::open(net.route("h2a@t,h2b@t", settings())).err().expect("nothing serves");
    assert!(e.starts_with("no session node could be used: "), "{e}");
    assert!(e.contains("h2a@t refused") && e.contains("h2b@t refused"), "{e}");
}

#[test]
fn the_read_takes_the_lock_and_the_write_hands_the_grant_back() {
    let net = Net::default();
    let node = net.node("h3@t");
    node.script("read", read_ok(b"v|s:1:\"x\";", Some(5)));
    let mut s = open(&net, "h3@t", settings());
    assert_eq!(s.read(b"id3").unwrap().as_bytes(), b"v|s:1:\"x\";");
    s.write(b"id3", b"new", Duration::from_secs(1440)).unwrap();
    // Sent, its confirmation left for later: nothing is waited for yet.
    assert_eq!(in_flight(), 1);
    assert_eq!(node.waits().len(), 1);
    // The write released the lock: close has nothing to release.
    s.close().unwrap();
    assert_eq!(
        node.log(),
        [
            "watched {read,<<\"id3\">>,{lock,holder,30000,30000}}",
            "start {write,<<\"id3\">>,{grant,5},<<\"new\">>,1440}",
        ]
    );
    assert_eq!(settle(), Vec::<String>::new());
    assert_eq!(in_flight(), 0);
    assert_eq!(node.waits()[1], Duration::from_millis(2000));
}

#[test]
fn a_session_closed_without_a_write_releases_its_lock() {
    let net = Net::default();
    let node = net.node("h4@t");
    node.script("read", read_ok(b"", Some(9)));
    let mut s = open(&net, "h4@t", settings());
    s.read(b"id4").unwrap();
    s.close().unwrap();
    assert_eq!(node.log()[1], "start {release,<<\"id4\">>,{grant,9}}");
}

#[test]
fn without_locking_nothing_is_granted_or_released() {
    let net = Net::default();
    let node = net.node("h5@t");
    let mut settings = settings();
    settings.locking = false;
    let mut s = open(&net, "h5@t", settings);
    s.read(b"id5").unwrap();
    s.write(b"id5", b"d", Duration::from_secs(60)).unwrap();
    s.close().unwrap();
    assert_eq!(node.log(), ["call {read,<<\"id5\">>,nolock}", "start {write,<<\"id5\">>,0,<<\"d\">>,60}"]);
}

#[test]
fn data_over_max_size_is_not_sent_and_close_releases_the_lock() {
    let net = Net::default();
    let node = net.node("h6@t");
    node.script("read", read_ok(b"", Some(2)));
    let mut settings = settings();
    settings.max_size = Some(4);
    let mut s = open(&net, "h6@t", settings);
    s.read(b"id6").unwrap();
    let e = s.write(b"id6", b"12345", Duration::from_secs(60)).unwrap_err();
    assert_eq!(e, "the session data is 5 bytes, over peb.session.max_size (4 bytes); nothing was written");
    s.write(b"id6", b"1234", Duration::from_secs(60)).unwrap();
    s.close().unwrap();
    let log = node.log();
    assert_eq!(log[1], "start {write,<<\"id6\">>,{grant,2},<<\"1234\">>,60}");
    assert_eq!(log.len(), 2, "the write within the limit released the lock: {log:?}");
    settle();
}

#[test]
fn an_operation_on_a_node_that_died_is_made_once_more_on_the_next_with_the_same_grant() {
    let net = Net::default();
    let (a, b) = (net.node("h7a@t"), net.node("h7b@t"));
    a.script("read", read_ok(b"", Some(1)));
    a.script("destroy", Answer::Down);
    let mut s = open(&net, "h7a@t,h7b@t", settings());
    s.read(b"id7").unwrap();
    s.destroy(b"id7").unwrap();
    assert_eq!(b.log(), ["start {destroy,<<\"id7\">>,{grant,1}}"]);
    assert_eq!(s.link().node(), "h7b@t");
    // The node that died goes after the others for the next session.
    open(&net, "h7a@t,h7b@t", settings());
    assert_eq!(net.connects(), ["h7a@t", "h7b@t", "h7b@t"]);
}

#[test]
fn a_node_that_cannot_serve_hands_over_to_the_next() {
    let net = Net::default();
    let (a, b) = (net.node("h8a@t"), net.node("h8b@t"));
    a.script("read", error("no_majority"));
    b.script("read", read_ok(b"from b", Some(3)));
    let mut s = open(&net, "h8a@t,h8b@t", settings());
    assert_eq!(s.read(b"id8").unwrap().as_bytes(), b"from b");
    assert!(a.is_alive(), "the link stays up; only its node refused");
    s.write(b"id8", b"", Duration::ZERO).unwrap();
    assert_eq!(b.log()[1], "start {write,<<\"id8\">>,{grant,3},<<>>,0}");
    settle();
}

#[test]
fn the_retry_is_made_once_and_both_failures_are_told() {
    let net = Net::default();
    net.node("h9a@t").script("gc", Answer::Down);
    let mut s = open(&net, "h9a@t,h9b@t", settings());
    net.refuse("h9b@t");
    let e = s.gc().unwrap_err();
    assert!(e.starts_with("h9a@t closed the link during the call; no session node could be used: "), "{e}");
    assert!(e.contains("h9b@t refused the connection"), "{e}");
}

#[test]
fn a_lock_timeout_is_not_retried_and_names_the_wait() {
    let net = Net::default();
    net.node("h10a@t").script("read", error("lock_timeout"));
    let mut settings = settings();
    settings.lock_wait = Duration::from_millis(700);
    let mut s = open(&net, "h10a@t,h10b@t", settings);
    let e = s.read(b"id10").err().expect("no lock");
    assert_eq!(e, "gave up waiting for the session's lock after 700 ms (peb.session.lock_wait)");
    assert_eq!(net.connects(), ["h10a@t"]);
}

#[test]
fn a_silent_node_is_not_retried_but_its_server_is_checked_again() {
    let net = Net::default();
    net.node("h11a@t").script("exists", Answer::Silent);
    let mut s = open(&net, "h11a@t,h11b@t", settings());
    assert_eq!(s.exists(b"id11").unwrap_err(), "h11a@t did not answer");
    assert_eq!(net.connects(), ["h11a@t"]);
    assert_eq!(net.forgotten(), ["h11a@t"]);
}

#[test]
fn a_write_that_could_not_be_sent_is_made_at_once_on_the_next_node() {
    let net = Net::default();
    let (a, b) = (net.node("h12a@t"), net.node("h12b@t"));
    a.script("read", read_ok(b"", Some(6)));
    let mut s = open(&net, "h12a@t,h12b@t", settings());
    s.read(b"id12").unwrap();
    a.kill();
    s.write(b"id12", b"d", Duration::from_secs(5)).unwrap();
    assert_eq!(in_flight(), 0, "confirmed at once");
    assert_eq!(b.log(), ["start {write,<<\"id12\">>,{grant,6},<<\"d\">>,5}"]);
    assert_eq!(b.waits().len(), 1);
}

#[test]
fn a_write_whose_node_died_before_confirming_is_redone_on_the_next_node() {
    let net = Net::default();
    let (a, b) = (net.node("h13a@t"), net.node("h13b@t"));
    a.script("read", read_ok(b"", Some(4)));
    a.script("write", Answer::Down);
    let mut s = open(&net, "h13a@t,h13b@t", settings());
    s.read(b"id13").unwrap();
    s.write(b"id13", b"d", Duration::from_secs(60)).unwrap();
    s.close().unwrap();
    assert_eq!(settle(), Vec::<String>::new());
    assert_eq!(b.log(), ["start {write,<<\"id13\">>,{grant,4},<<\"d\">>,60}"]);
}

#[test]
fn a_write_refused_for_a_lost_lock_is_reported_not_redone() {
    let net = Net::default();
    let (a, b) = (net.node("h14a@t"), net.node("h14b@t"));
    a.script("write", error("lock_lost"));
    let mut s = open(&net, "h14a@t,h14b@t", settings());
    s.write(b"id14", b"d", Duration::from_secs(60)).unwrap();
    let failures = settle();
    assert_eq!(failures.len(), 1);
    assert!(failures[0].starts_with("the session's lock was lost before the write"), "{failures:?}");
    assert!(b.log().is_empty());
}

#[test]
fn while_the_request_ends_a_write_waits_for_its_confirmation() {
    let net = Net::default();
    let node = net.node("h15@t");
    node.script("touch", error("lock_lost"));
    let mut s = open(&net, "h15@t", settings());
    Net::with_pending(|p| p.set_ending(true));
    let e = s.touch(b"id15", Duration::from_secs(60)).unwrap_err();
    assert!(e.starts_with("the session's lock was lost"), "{e}");
    s.write(b"id15", b"d", Duration::from_secs(60)).unwrap();
    assert_eq!(in_flight(), 0);
    assert_eq!(node.waits().len(), 2, "both confirmations were taken");
    Net::with_pending(|p| p.set_ending(false));
}

#[test]
fn after_a_failed_read_the_writes_on_its_link_are_not_waited_for() {
    let net = Net::default();
    let node = net.node("h16@t");
    node.script("write", Answer::Silent);
    node.script("write", Answer::Silent);
    let mut s = open(&net, "h16@t", settings());
    s.write(b"id16", b"d", Duration::from_secs(60)).unwrap();
    let link = s.link().clone();
    let failures = Net::with_pending(|p| p.settle(Some(&link)));
    assert_eq!(failures, ["a write sent to h16@t was not confirmed: the node stopped answering"]);
    assert_eq!(node.waits(), [Duration::ZERO]);
    // Without a failed read, the confirmation is waited for, the timeout long.
    s.write(b"id16", b"d", Duration::from_secs(60)).unwrap();
    assert_eq!(settle(), ["h16@t did not answer"]);
    assert_eq!(node.waits()[1], Duration::from_millis(2000));
}

#[test]
fn a_tagged_cycle_is_one_read_and_one_write() {
    let net = Net::default();
    let node = net.node("h40@t");
    node.script("read", read_ok(b"", Some(9)));
    let mut s = open(&net, "h40@t", settings());
    s.read(b"id40").unwrap();
    s.write_tagged(b"id40", b"u|i:1;", Duration::from_secs(60), vec![b"user:1".to_vec()]).unwrap();
    s.close().unwrap();
    assert!(settle().is_empty());
    // The tags ride with the write under the grant: no request of their own.
    assert_eq!(
        node.log(),
        [
            "watched {read,<<\"id40\">>,{lock,holder,30000,30000}}",
            "start {write,<<\"id40\">>,{grant,9},<<\"u|i:1;\">>,60,[<<\"user:1\">>]}",
        ]
    );
}
