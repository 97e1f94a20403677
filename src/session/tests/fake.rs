//! A double of links to nodes that run the session server: every request
//! is recorded as Erlang text, and answered with what the test scripted
//! for its operation (the server's usual answer otherwise). A scripted
//! `Down` takes the node down with the answer, as a node that dies
//! mid-call does; `Silent` leaves it up but unanswering.

use std::collections::{HashMap, HashSet, VecDeque};
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::node::Error;
use crate::node::link::Dest;
use crate::session::failover::{Backend, Failure, Route};
use crate::session::inflight::{Pending, Queue};
use crate::session::settings::Settings;
use crate::session::wire::Wire;
use crate::term::decode;
use crate::term::encode::Writer;
use crate::term::print::print;

/// What the node does with one request.
#[derive(Clone, Debug)]
pub enum Answer {
    /// Replies with this term.
    Reply(Vec<u8>),
    /// Dies before replying: the link goes down.
    Down,
    /// Stays up and never replies within the wait.
    Silent,
}

/// A term, written by `f`.
pub fn term(f: impl FnOnce(&mut Writer)) -> Vec<u8> {
    let mut w = Writer::default();
    f(&mut w);
    w.into_bytes()
}

pub fn atom(name: &str) -> Answer {
    Answer::Reply(term(|w| w.atom(name)))
}

/// `{error, Why}`.
pub fn error(why: &str) -> Answer {
    Answer::Reply(term(|w| {
        w.tuple_header(2);
        w.atom("error");
        w.atom(why);
    }))
}

/// `{ok, Data, {grant, N}}` (a grant of the lock), or `{ok, Data, 0}` for `None`.
pub fn read_ok(data: &[u8], grant: Option<i64>) -> Answer {
    Answer::Reply(term(|w| {
        w.tuple_header(3);
        w.atom("ok");
        w.binary(data);
        match grant {
            Some(n) => {
                w.tuple_header(2);
                w.atom("grant");
                w.int(n);
            }
            None => w.int(0),
        }
    }))
}

/// One fake node, behind its link.
pub struct FakeWire {
    name: String,
    alive: AtomicBool,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// Requests received, as Erlang text, with how they came (`call`, `start`, `watched`).
    log: Vec<String>,
    /// The waits the replies were taken with.
    waits: Vec<Duration>,
    /// Where each request went: `name N`, or `pid P` (P printed).
    dests: Vec<String>,
    /// Scripted answers per operation, taken in order.
    script: HashMap<String, VecDeque<Answer>>,
}

impl FakeWire {
    pub fn new(name: &str) -> Arc<FakeWire> {
        Arc::new(FakeWire { name: name.into(), alive: AtomicBool::new(true), state: Mutex::default() })
    }

    /// The next request for `op` gets `answer`.
    pub fn script(&self, op: &str, answer: Answer) {
        self.state().script.entry(op.into()).or_default().push_back(answer);
    }

    /// The node goes down (its link with it).
    pub fn kill(&self) {
        self.alive.store(false, Ordering::SeqCst);
    }

    /// The requests received, as Erlang text.
    pub fn log(&self) -> Vec<String> {
        self.state().log.clone()
    }

    pub fn waits(&self) -> Vec<Duration> {
        self.state().waits.clone()
    }

    /// Where each request went, in order.
    pub fn dests(&self) -> Vec<String> {
        self.state().dests.clone()
    }

    fn sent_to(&self, to: Dest) {
        let dest = match to {
            Dest::Name(name) => format!("name {name}"),
            Dest::Pid { pid, .. } => format!("pid {}", print(&decode::decode(pid).expect("a pid term"))),
        };
        self.state().dests.push(dest);
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Records `request` and picks its answer.
    fn receive(&self, how: &str, request: &[u8]) -> Result<Answer, Error> {
        if !self.is_alive() {
            return Err(Error::Send(format!("the link to {} is down", self.name)));
        }
        let term = decode::decode(request).expect("the store sends terms that decode");
        let text = print(&term);
        let op = text.trim_start_matches('{').split([',', '}']).next().unwrap_or_default().to_string();
        let mut state = self.state();
        state.log.push(format!("{how} {text}"));
        let scripted = state.script.get_mut(&op).and_then(VecDeque::pop_front);
        Ok(scripted.unwrap_or_else(|| usual(&op)))
    }

    fn answer(&self, answer: Answer, wait: Duration) -> Result<Vec<u8>, Error> {
        self.state().waits.push(wait);
        match answer {
            Answer::Reply(bytes) => Ok(bytes),
            Answer::Down => {
                self.alive.store(false, Ordering::SeqCst);
                Err(Error::Receive(format!("{} closed the link during the call", self.name)))
            }
            Answer::Silent => Err(Error::Receive(format!("{} did not answer", self.name))),
        }
    }
}

/// What the server answers when the test scripted nothing.
fn usual(op: &str) -> Answer {
    match op {
        "read" => read_ok(b"", None),
        "gc" => Answer::Reply(term(|w| w.int(0))),
        "exists" => atom("false"),
        _ => atom("ok"),
    }
}

impl Wire for FakeWire {
    type Pending = Answer;

    fn node(&self) -> String {
        self.name.clone()
    }

    fn is_alive(&self) -> bool {
        self.alive.load(Ordering::SeqCst)
    }

    fn is_ours(&self) -> bool {
        true
    }

    fn self_pid(&self) -> &[u8] {
        // The atom `holder`, standing for the link's pid.
        &[crate::term::tag::SMALL_ATOM_UTF8, 6, b'h', b'o', b'l', b'd', b'e', b'r']
    }

    fn call(&self, to: Dest, request: &[u8], timeout: Duration) -> Result<Vec<u8>, Error> {
        self.sent_to(to);
        let answer = self.receive("call", request)?;
        self.answer(answer, timeout)
    }

    fn call_start(&self, to: Dest, request: &[u8], _timeout: Duration) -> Result<Answer, Error> {
        self.sent_to(to);
        self.receive("start", request)
    }

    fn reply(&self, sent: Answer, timeout: Duration) -> Result<Vec<u8>, Error> {
        self.answer(sent, timeout)
    }

    fn call_watched(
        &self,
        to: Dest,
        request: &[u8],
        probe: &[u8],
        every: Duration,
        wait: Duration,
    ) -> Result<Vec<u8>, Error> {
        let probe = print(&decode::decode(probe).expect("the probe decodes"));
        assert_eq!(probe, "{exists,<<>>}", "the probe is a request the server answers at once");
        self.sent_to(to);
        let answer = self.receive("watched", request)?;
        self.answer(answer, wait + every)
    }
}

/// The nodes a test's sessions reach, by name.
#[derive(Clone, Default)]
pub struct Net(Rc<NetState>);

#[derive(Default)]
pub struct NetState {
    nodes: Mutex<HashMap<String, Arc<FakeWire>>>,
    refused: Mutex<HashSet<String>>,
    connects: Mutex<Vec<String>>,
    forgotten: Mutex<Vec<String>>,
}

impl Net {
    /// A node of this net; the same one for the same name.
    pub fn node(&self, name: &str) -> Arc<FakeWire> {
        self.0.nodes.lock().unwrap().entry(name.into()).or_insert_with(|| FakeWire::new(name)).clone()
    }

    /// `name` refuses connections from now on.
    pub fn refuse(&self, name: &str) {
        self.0.refused.lock().unwrap().insert(name.into());
    }

    /// The nodes connected to (or tried), in order.
    pub fn connects(&self) -> Vec<String> {
        self.0.connects.lock().unwrap().clone()
    }

    /// The links whose server was to be checked again.
    pub fn forgotten(&self) -> Vec<String> {
        self.0.forgotten.lock().unwrap().clone()
    }

    /// A route through `nodes` (`,`-separated, as a save path) with `settings`.
    pub fn route(&self, save_path: &str, settings: Settings) -> Route<Net> {
        Route::new(self.clone(), save_path, settings).expect("the save path names nodes")
    }
}

impl Backend for Net {
    type Wire = FakeWire;

    fn connect(&self, node: &str, _settings: &Settings) -> Result<Arc<FakeWire>, Failure> {
        self.0.connects.lock().unwrap().push(node.into());
        let link = self.node(node);
        if self.0.refused.lock().unwrap().contains(node) || !link.is_alive() {
            return Err(format!("{node} refused the connection"));
        }
        Ok(link)
    }

    fn forget(&self, link: &Arc<FakeWire>) {
        self.0.forgotten.lock().unwrap().push(link.node());
    }
}

thread_local! {
    /// Each test runs on a thread of its own, so each has its queue.
    static PENDING: Pending<Net> = const { Pending::new() };
}

impl Queue for Net {
    fn with_pending<R>(f: impl FnOnce(&Pending<Net>) -> R) -> R {
        PENDING.with(f)
    }
}

/// Settings as php.ini's defaults have them, with a short timeout.
pub fn settings() -> Settings {
    Settings {
        default_node: String::new(),
        cookie: "secret".into(),
        timeout: Duration::from_millis(2000),
        autoload: true,
        locking: true,
        lock_wait: Duration::from_millis(30000),
        lock_expire: Duration::from_secs(30),
        max_size: Some(16 * 1024 * 1024),
        tls: None,
    }
}
