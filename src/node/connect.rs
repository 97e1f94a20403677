//! Opening a link: the node's port from EPMD, a TCP connection with
//! TCP_NODELAY (without it every call waits about 44 ms for delayed ACKs),
//! and the distribution handshake (version 6) as a hidden node, through
//! erl_dist. The node that answers must have the name asked for. No error
//! message carries the cookie.

use std::collections::HashMap;
use std::sync::Mutex;

use erl_dist::epmd::EpmdClient;
use erl_dist::handshake::{ClientSideHandshake, HandshakeError, HandshakeStatus};
use erl_dist::node::{Creation, LocalNode};
use tokio::net::TcpStream;
use tokio_util::compat::TokioAsyncReadCompatExt;

use super::error::Error;
use super::name::NodeName;

/// A connected, handshaken socket.
pub struct Connected {
    pub stream: TcpStream,
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

pub async fn connect(peer: &NodeName, cookie: &str) -> Result<Connected, Error> {
    let full = peer.full();
    if let Some(port) = cached_port(&full) {
        match handshake(peer, port, cookie).await {
            Ok(c) => return Ok(c),
            // The node is there but said no (a wrong cookie): asking EPMD changes nothing.
            Err(Attempt::Refused(e)) => return Err(e),
            Err(Attempt::WrongPort(_)) => remember_port(&full, None),
        }
    }
    let port = lookup(peer).await?;
    let connected = handshake(peer, port, cookie).await.map_err(Attempt::into_error)?;
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

async fn handshake(peer: &NodeName, port: u16, cookie: &str) -> Result<Connected, Attempt> {
    let full = peer.full();
    let stream = TcpStream::connect((peer.host.as_str(), port))
        .await
        .map_err(|e| Attempt::WrongPort(Error::Connect(format!("cannot connect to {full} on port {port}: {e}"))))?;
    let refused = |e: String| Attempt::Refused(Error::Connect(e));
    stream.set_nodelay(true).map_err(|e| refused(format!("cannot set TCP_NODELAY: {e}")))?;

    let (local, slot) = super::name::unique_local(peer);
    let creation = Creation::random();
    let name = local.full().parse().map_err(|e| refused(format!("bad local node name: {e:?}")))?;
    let mut hs = ClientSideHandshake::new(stream.compat(), LocalNode::new(name, creation), cookie);
    let status = hs
        .execute_send_name(erl_dist::HIGHEST_DISTRIBUTION_PROTOCOL_VERSION)
        .await
        .map_err(|e| refused(handshake_failure(&full, e)))?;
    if !matches!(status, HandshakeStatus::Ok | HandshakeStatus::OkSimultaneous | HandshakeStatus::Alive) {
        return Err(refused(format!("{full} refused the connection ({status:?})")));
    }
    let (compat, answered) = hs.execute_rest(true).await.map_err(|e| refused(handshake_failure(&full, e)))?;
    if answered.name.to_string() != full {
        let e = Error::Connect(format!("{} answered on the port of {full}", answered.name));
        return Err(Attempt::WrongPort(e));
    }
    Ok(Connected { stream: compat.into_inner(), local, slot, creation: creation.get() })
}

/// A wrong cookie shows as the peer closing the connection mid-handshake.
fn handshake_failure(full: &str, e: HandshakeError) -> String {
    match e {
        HandshakeError::Io(_) | HandshakeError::CookieMismatch => {
            format!("{full} closed the connection during the handshake (is the cookie right?)")
        }
        HandshakeError::NotAllowed => format!("{full} does not allow this node to connect"),
        other => format!("handshake with {full} failed: {other}"),
    }
}
