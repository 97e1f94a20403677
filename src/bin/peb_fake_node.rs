//! A malicious Erlang node for the tests: it registers with the EPMD of
//! `ERL_EPMD_PORT` on 127.0.0.1, listens on 127.0.0.1 only, completes the
//! distribution handshake (with the real cookie check), and then answers
//! every request with what `MODE` says — malformed frames, wrong lengths,
//! truncated terms, unexpected control messages, or nothing at all — so
//! that the tests can check that the extension returns errors within its
//! timeout and never crashes or hangs.
//!
//! Usage: `peb_fake_node NAME@127.0.0.1 COOKIE MODE [ANSWER_AS]`; prints
//! `ready` once registered and serves until killed. `ANSWER_AS` makes the
//! handshake give another node's name (a node of another name answering).
//! With `PEB_FAKE_TLS_DIR` set, it speaks Erlang's TLS distribution as a
//! node of `inet_tls_dist` does (the certificate `node.pem` and key
//! `node.key` of that directory, no client certificate asked): TLS from
//! the first byte, the handshake inside it with 4-byte lengths, then the
//! same misbehaviour inside TLS.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;

use erl_dist::epmd::{EpmdClient, NodeEntry};
use erl_dist::handshake::{HandshakeStatus, ServerSideHandshake};
use erl_dist::node::{Creation, LocalNode};
use peb::node::frame;
use peb::node::handshake_io::HandshakeIo;
use peb::term::decode;
use peb::term::encode::Writer;
use peb::term::{OpaqueKind, Term};
use rustls::ServerConfig;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio_util::compat::TokioAsyncReadCompatExt;

/// What the node does with each request it gets.
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    /// Reads everything, writes nothing, not even a tick.
    Silent,
    /// Bytes that are not a frame of the protocol (no 112, 131 start).
    Garbage,
    /// A length that promises more bytes than ever come.
    ShortFrame,
    /// A length over any frame the extension accepts.
    HugeLength,
    /// A reply frame whose payload term is cut short.
    Truncated,
    /// A well-formed reply of the wrong shape (not `{Tag, Reply}` with a known reply).
    WrongShape,
    /// Links, exits, monitors, an unknown operation and messages to
    /// strangers, then the right reply `{Tag, ok}`.
    Control,
    /// Closes the connection when a request comes.
    Close,
}

impl Mode {
    fn parse(s: &str) -> Option<Mode> {
        Some(match s {
            "silent" => Mode::Silent,
            "garbage" => Mode::Garbage,
            "short-frame" => Mode::ShortFrame,
            "huge-length" => Mode::HugeLength,
            "truncated" => Mode::Truncated,
            "wrong-shape" => Mode::WrongShape,
            "control" => Mode::Control,
            "close" => Mode::Close,
            _ => return None,
        })
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(name), Some(cookie), Some(mode)) = (args.get(1), args.get(2), args.get(3).and_then(|m| Mode::parse(m)))
    else {
        eprintln!("usage: peb_fake_node NAME@127.0.0.1 COOKIE MODE [ANSWER_AS]");
        std::process::exit(2);
    };
    let answer_as = args.get(4).unwrap_or(name).clone();
    let tls = std::env::var("PEB_FAKE_TLS_DIR").ok().map(|dir| tls_config(&dir));
    let listener = TcpListener::bind("127.0.0.1:0").expect("a port on 127.0.0.1");
    let port = listener.local_addr().expect("bound").port();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
    let alive = name.split('@').next().unwrap_or(name).to_string();
    // The EPMD connection lives as long as the node: closing it unregisters.
    let _epmd = rt.block_on(register(&alive, port));
    println!("ready");
    std::io::stdout().flush().ok();
    for stream in listener.incoming().flatten() {
        let (cookie, answer_as, tls) = (cookie.clone(), answer_as.clone(), tls.clone());
        std::thread::spawn(move || match tls {
            None => {
                if let Some(socket) = handshake(stream, &answer_as, &cookie) {
                    serve(socket, mode);
                }
            }
            Some(config) => {
                if let Some(session) = tls_handshake(stream, config, &answer_as, &cookie) {
                    serve(session, mode);
                }
            }
        });
    }
}

async fn register(alive: &str, port: u16) -> impl Sized {
    let epmd_port = std::env::var("ERL_EPMD_PORT").ok().and_then(|p| p.parse().ok()).unwrap_or(4369u16);
    let stream = tokio::net::TcpStream::connect(("127.0.0.1", epmd_port)).await.expect("epmd on 127.0.0.1");
    EpmdClient::new(stream.compat()).register(NodeEntry::new(alive, port)).await.expect("registered with epmd")
}

/// The server side of the handshake, as `name`; `None` when it failed (a wrong cookie).
fn handshake(stream: TcpStream, name: &str, cookie: &str) -> Option<TcpStream> {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
    let local = LocalNode::new(name.parse().ok()?, Creation::random());
    let done = rt.block_on(async {
        stream.set_nonblocking(true).ok()?;
        let stream = tokio::net::TcpStream::from_std(stream).ok()?;
        let mut hs = ServerSideHandshake::new(stream.compat(), local, cookie);
        hs.execute_recv_name().await.ok()?;
        let (compat, _) = hs.execute_rest(HandshakeStatus::Ok).await.ok()?;
        compat.into_inner().into_std().ok()
    })?;
    done.set_nonblocking(false).ok()?;
    Some(done)
}

/// The server's TLS configuration: `DIR/node.pem` and `DIR/node.key`.
fn tls_config(dir: &str) -> Arc<ServerConfig> {
    let certs = CertificateDer::pem_file_iter(format!("{dir}/node.pem")).expect("node.pem");
    let certs = certs.collect::<Result<Vec<_>, _>>().expect("certificates in node.pem");
    let key = PrivateKeyDer::from_pem_file(format!("{dir}/node.key")).expect("node.key");
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .expect("the certificate and its key");
    Arc::new(config)
}

/// TLS from the first byte, then the server side of the handshake inside
/// it (4-byte lengths, as inet_tls_dist frames it); a blocking TLS stream.
fn tls_handshake(
    stream: TcpStream,
    config: Arc<ServerConfig>,
    name: &str,
    cookie: &str,
) -> Option<rustls::StreamOwned<rustls::ServerConnection, TcpStream>> {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
    let local = LocalNode::new(name.parse().ok()?, Creation::random());
    let (socket, conn) = rt.block_on(async {
        stream.set_nonblocking(true).ok()?;
        let stream = tokio::net::TcpStream::from_std(stream).ok()?;
        let session = tokio_rustls::TlsAcceptor::from(config).accept(stream).await.ok()?;
        let mut hs = ServerSideHandshake::new(HandshakeIo::new(session, true).compat(), local, cookie);
        hs.execute_recv_name().await.ok()?;
        let (compat, _) = hs.execute_rest(HandshakeStatus::Ok).await.ok()?;
        let (socket, conn) = compat.into_inner().into_inner().into_inner();
        Some((socket.into_std().ok()?, conn))
    })?;
    socket.set_nonblocking(false).ok()?;
    Some(rustls::StreamOwned::new(conn, socket))
}

/// Reads frames and answers each request as `mode` says, until the peer goes.
fn serve(mut s: impl Read + Write, mode: Mode) {
    loop {
        let mut len = [0u8; 4];
        if s.read_exact(&mut len).is_err() {
            return;
        }
        let mut f = vec![0u8; u32::from_be_bytes(len) as usize];
        if s.read_exact(&mut f).is_err() {
            return;
        }
        let Some((from, tag)) = request(&f) else { continue };
        if mode == Mode::Close {
            return;
        }
        let answer = answer(mode, &from, tag);
        if s.write_all(&answer).and_then(|()| s.flush()).is_err() {
            return;
        }
    }
}

/// The reply pid and reply tag of a request (`{6, From, '', To}` with
/// `{From, ...}` for rex or `{'$gen_call', {From, Tag}, ...}`); `None` for a tick.
fn request(f: &[u8]) -> Option<(Vec<u8>, &'static str)> {
    let (control, _) = decode::decode_prefix(f.get(2..)?).ok()?;
    let Term::Tuple(items) = control else { return None };
    let to = match items.get(3) {
        Some(Term::Atom(a)) => a.to_string(),
        _ => return None,
    };
    // The reply pid is the sender of the request in both shapes.
    let Some(Term::Opaque { kind: OpaqueKind::Pid, raw }) = items.get(1) else { return None };
    Some((raw.to_vec(), if to == "rex" { "rex" } else { "peb" }))
}

fn answer(mode: Mode, from: &[u8], tag: &str) -> Vec<u8> {
    let reply = |ok: &str| {
        let mut w = Writer::default();
        w.tuple_header(2);
        w.atom(tag);
        w.atom(ok);
        frame::send(from, &w.into_bytes())
    };
    match mode {
        Mode::Silent | Mode::Close => Vec::new(),
        Mode::Garbage => [&[0, 0, 0, 9][..], b"\x01garbage!"].concat(),
        Mode::ShortFrame => [&1000u32.to_be_bytes()[..], &[112, 131, 104, 3]].concat(),
        Mode::HugeLength => vec![0xff, 0xff, 0xff, 0xff, 112, 131],
        Mode::Truncated => {
            let mut f = reply("ok");
            // Drop the last bytes of the payload, and say so in the length.
            f.truncate(f.len() - 2);
            let len = (f.len() - 4) as u32;
            f[..4].copy_from_slice(&len.to_be_bytes());
            f
        }
        Mode::WrongShape => {
            let mut w = Writer::default();
            w.tuple_header(3);
            w.atom(tag);
            w.int(1);
            w.int(2);
            [frame::send(from, &w.into_bytes()), reply("not_what_you_asked")].concat()
        }
        Mode::Control => [controls(from), reply("ok")].concat(),
    }
}

/// LINK, EXIT, MONITOR_P, an unknown operation, a message to a pid of
/// another node, and a tick in the middle.
fn controls(to: &[u8]) -> Vec<u8> {
    let stranger = frame::pid("someone@elsewhere", 5, 0, 1);
    let control = |build: &dyn Fn(&mut Writer)| {
        let mut w = Writer::default();
        w.raw(&[112, 131]);
        build(&mut w);
        let body = w.into_bytes();
        [&(body.len() as u32).to_be_bytes()[..], &body].concat()
    };
    let mut out = Vec::new();
    out.extend(control(&|w| {
        w.tuple_header(3);
        w.int(1);
        w.raw(&stranger);
        w.raw(to);
    }));
    out.extend(control(&|w| {
        w.tuple_header(4);
        w.int(3);
        w.raw(&stranger);
        w.raw(to);
        w.atom("killed");
    }));
    out.extend(control(&|w| {
        w.tuple_header(4);
        w.int(19);
        w.raw(&stranger);
        w.raw(to);
        w.raw(&stranger);
    }));
    out.extend(control(&|w| {
        w.tuple_header(1);
        w.int(99);
    }));
    out.extend(frame::TICK);
    out.extend(frame::send(&stranger, &[peb::term::tag::NIL]));
    out
}
