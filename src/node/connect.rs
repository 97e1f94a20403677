//! Opening a link: the node's port from EPMD, a TCP connection with
//! TCP_NODELAY (without it every call waits about 44 ms for delayed ACKs),
//! with `peb.tls` a TLS session on it from the first byte (`inet_tls_dist`;
//! EPMD stays plain), and the distribution handshake (version 6) as a
//! hidden node, through erl_dist, on `handshake_io`'s framing. The node
//! that answers must have the name asked for. No error message carries the
//! cookie or key material.

use std::collections::HashMap;
use std::sync::Mutex;

use erl_dist::DistributionFlags;
use erl_dist::epmd::EpmdClient;
use erl_dist::handshake::{ClientSideHandshake, HandshakeError, HandshakeStatus};
use erl_dist::node::{Creation, LocalNode};
use rustls::ClientConnection;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio::time::Instant;
use tokio_rustls::TlsConnector;
use tokio_util::compat::TokioAsyncReadCompatExt;

use super::error::Error;
use super::handshake_io::{HandshakeIo, Seen};
use super::name::NodeName;
use super::tls::{self, failure};

/// A connected, handshaken socket.
pub struct Connected {
    pub stream: TcpStream,
    /// The TLS session on it, with whatever it read past the handshake.
    pub tls: Option<ClientConnection>,
    pub local: NodeName,
    /// The slot of the local name, held as long as the link lives.
    pub slot: super::name::Slot,
    pub creation: u32,
}

fn epmd_port() -> u16 {
    std::env::var("ERL_EPMD_PORT").ok().and_then(|p| p.parse().ok()).unwrap_or(erl_dist::epmd::DEFAULT_EPMD_PORT)
}

/// The distribution port of `peer`, from the EPMD on its host.
async fn lookup(peer: &NodeName) -> Result<u16, Error> {
    let full = peer.full();
    let stream = TcpStream::connect((peer.host.as_str(), epmd_port()))
        .await
        .map_err(|e| Error::Connect(format!("cannot reach epmd on {}: {e}", peer.host)))?;
    match EpmdClient::new(stream.compat()).get_node(&peer.alive).await {
        Ok(Some(entry)) => Ok(entry.port),
        Ok(None) => Err(Error::Connect(format!("node {full} is not registered with epmd on {}", peer.host))),
        Err(e) => Err(Error::Connect(format!("epmd on {} did not answer for {full}: {e}", peer.host))),
    }
}

/// Ports EPMD gave, so that reconnecting skips the lookup; an entry is
/// dropped as soon as it fails or leads to a node of another name.
static PORTS: Mutex<Option<HashMap<String, u16>>> = Mutex::new(None);

fn cached_port(full: &str) -> Option<u16> {
    PORTS.lock().unwrap_or_else(|e| e.into_inner()).as_ref()?.get(full).copied()
}

fn remember_port(full: &str, port: Option<u16>) {
    let mut ports = PORTS.lock().unwrap_or_else(|e| e.into_inner());
    let ports = ports.get_or_insert_with(HashMap::new);
    match port {
        Some(p) => ports.insert(full.to_string(), p),
        None => ports.remove(full),
    };
}

/// How a link is opened: the cookie, TLS or not, and by when.
pub struct Opening<'a> {
    pub cookie: &'a str,
    pub tls: Option<&'a tls::Client>,
    pub deadline: Instant,
}

pub async fn connect(peer: &NodeName, how: &Opening<'_>) -> Result<Connected, Error> {
    let full = peer.full();
    if let Some(port) = cached_port(&full) {
        match handshake(peer, port, how).await {
            Ok(c) => return Ok(c),
            // The node is there but said no (a wrong cookie): asking EPMD changes nothing.
            Err(Attempt::Refused(e)) => return Err(e),
            Err(Attempt::WrongPort(_)) => remember_port(&full, None),
        }
    }
    let port = lookup(peer).await?;
    let connected = handshake(peer, port, how).await.map_err(Attempt::into_error)?;
    remember_port(&full, Some(port));
    Ok(connected)
}

/// How a handshake on a port failed: nobody there (or another node), or a refusal.
enum Attempt {
    WrongPort(Error),
    Refused(Error),
}

impl Attempt {
    fn into_error(self) -> Error {
        match self {
            Attempt::WrongPort(e) | Attempt::Refused(e) => e,
        }
    }
}

async fn handshake(peer: &NodeName, port: u16, how: &Opening<'_>) -> Result<Connected, Attempt> {
    let full = peer.full();
    let stream = TcpStream::connect((peer.host.as_str(), port))
        .await
        .map_err(|e| Attempt::WrongPort(Error::Connect(format!("cannot connect to {full} on port {port}: {e}"))))?;
    let refused = |e: String| Attempt::Refused(Error::Connect(e));
    stream.set_nodelay(true).map_err(|e| refused(format!("cannot set TCP_NODELAY: {e}")))?;
    let Some(client) = how.tls else {
        let h = distribution(peer, HandshakeIo::new(stream, false), how.cookie, None).await?;
        return Ok(Connected { stream: h.stream, tls: None, local: h.local, slot: h.slot, creation: h.creation });
    };
    let session = TlsConnector::from(client.config.clone()).connect(client.name.clone(), stream);
    let session = match tokio::time::timeout_at(how.deadline, session).await {
        Ok(Ok(session)) => session,
        Ok(Err(e)) => return Err(refused(tls_failure(peer, &e))),
        Err(_) => {
            let why = "no TLS answer in time (is it a plain node? peb.tls is on)";
            return Err(refused(format!("TLS with {full} failed: {why}")));
        }
    };
    let h = distribution(peer, HandshakeIo::new(session, true), how.cookie, Some(client.has_cert)).await?;
    let (stream, tls) = h.stream.into_inner();
    Ok(Connected { stream, tls: Some(tls), local: h.local, slot: h.slot, creation: h.creation })
}

/// A handshaken stream, TLS or plain.
struct Handshaken<S> {
    stream: S,
    local: NodeName,
    slot: super::name::Slot,
    creation: u32,
}

/// The distribution handshake on `io`, as a hidden node of a name no other
/// link has; `cert`: over TLS, whether a client certificate was shown.
async fn distribution<S: AsyncRead + AsyncWrite + Unpin>(
    peer: &NodeName,
    io: HandshakeIo<S>,
    cookie: &str,
    cert: Option<bool>,
) -> Result<Handshaken<S>, Attempt> {
    let full = peer.full();
    let seen = io.seen();
    let refused = |e: String| Attempt::Refused(Error::Connect(e));
    let failed = |e: HandshakeError| refused(handshake_failure(peer, e, &seen, cert));
    let (local, slot) = super::name::unique_local(peer);
    let creation = Creation::random();
    let name = local.full().parse().map_err(|e| refused(format!("bad local node name: {e:?}")))?;
    let mut node = LocalNode::new(name, creation);
    // A node sends the exit of a process we monitor (MONITOR_P_EXIT) only
    // to a peer that says it takes monitors (OTP's dist.c drops it
    // otherwise); it then also tells us of its monitors of our pids
    // (MONITOR_P, DEMONITOR_P), which the reader ignores.
    node.flags |= DistributionFlags::DIST_MONITOR | DistributionFlags::DIST_MONITOR_NAME;
    let mut hs = ClientSideHandshake::new(io.compat(), node, cookie);
    let status = hs.execute_send_name(erl_dist::HIGHEST_DISTRIBUTION_PROTOCOL_VERSION).await.map_err(failed)?;
    if !matches!(status, HandshakeStatus::Ok | HandshakeStatus::OkSimultaneous | HandshakeStatus::Alive) {
        return Err(refused(format!("{full} refused the connection ({status:?})")));
    }
    let (compat, answered) = hs.execute_rest(true).await.map_err(failed)?;
    if answered.name.to_string() != full {
        let e = Error::Connect(format!("{} answered on the port of {full}", answered.name));
        return Err(Attempt::WrongPort(e));
    }
    Ok(Handshaken { stream: compat.into_inner().into_inner(), local, slot, creation: creation.get() })
}

/// A TLS session that failed, in words saying which way.
fn tls_failure(peer: &NodeName, e: &std::io::Error) -> String {
    let full = peer.full();
    match failure::tls_error(e) {
        Some(tls) => failure::describe(&full, &peer.host, tls),
        None if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            format!("TLS with {full} failed: the node closed the connection (is it a plain node? peb.tls is on)")
        }
        None => format!("TLS with {full} failed: {e}"),
    }
}

/// A wrong cookie shows as the peer closing the connection mid-handshake;
/// a TLS node met without TLS answers with a TLS record, or not at all.
fn handshake_failure(peer: &NodeName, e: HandshakeError, seen: &Seen, cert: Option<bool>) -> String {
    let full = peer.full();
    // 0x15: a TLS alert, 0x16: a TLS handshake record; or no answer at all.
    let tls_node =
        matches!(seen.first(), Some(0x15 | 0x16)) || (seen.bytes() == 0 && matches!(e, HandshakeError::Io(_)));
    if let (HandshakeError::Io(io), Some(has_cert)) = (&e, cert) {
        if failure::tls_error(io).is_some() {
            return tls_failure(peer, io);
        }
        if seen.bytes() == 0 {
            return failure::closed_after_handshake(&full, has_cert);
        }
    }
    if cert.is_none() && tls_node {
        return format!("{full} does not speak plain distribution (a TLS node, inet_tls_dist? set peb.tls=1)");
    }
    match e {
        HandshakeError::Io(_) | HandshakeError::CookieMismatch => {
            format!("{full} closed the connection during the handshake (is the cookie right?)")
        }
        HandshakeError::NotAllowed => format!("{full} does not allow this node to connect"),
        other => format!("handshake with {full} failed: {other}"),
    }
}
