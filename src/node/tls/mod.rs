//! Erlang's TLS distribution (`inet_tls_dist`) on the client side: what
//! php.ini asks for (`Settings`), the rustls client configuration made
//! from it (`config`, cached per process and remade when a file changes),
//! the verifier of `peb.tls_verify=0` (`unverified`) and the words for
//! what can fail (`failure`). EPMD stays plain; the node's port speaks TLS
//! from its first byte, and the distribution handshake runs inside it
//! (framed by `handshake_io`). Once connected, `link` reads and writes
//! the records itself.
//!
//! rustls with the ring provider: pure Rust above ring's small C and
//! assembly core, which builds with Debian's cc alone (aws-lc-rs needs
//! cmake and a larger C build); TLS 1.2 and 1.3.

mod config;
pub mod failure;
mod unverified;

use std::net::IpAddr;
use std::sync::Arc;

use rustls::ClientConfig;
use rustls_pki_types::ServerName;

use super::error::Error;

pub use config::client_config;

/// The TLS settings of a process (php.ini's `peb.tls_*`); paths only, the
/// files are read by `config` and their contents kept there.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Settings {
    /// PEM bundle the node's certificate must chain to; empty: the system's roots.
    pub cafile: String,
    /// Client certificate chain and its key (PEM), both or neither.
    pub certfile: String,
    pub keyfile: String,
    /// Chain and name checked (the name: the host part of the node's name).
    pub verify: bool,
}

/// What a connect needs: the configuration, and the name the certificate must carry.
pub struct Client {
    pub config: Arc<ClientConfig>,
    pub name: ServerName<'static>,
    /// Whether a client certificate is shown, for the words of a refusal.
    pub has_cert: bool,
}

impl Client {
    /// The client for a node on `host` (an IP address or a DNS name).
    pub fn new(settings: &Settings, host: &str) -> Result<Client, Error> {
        let name = match host.parse::<IpAddr>() {
            Ok(ip) => ServerName::IpAddress(ip.into()),
            Err(_) => ServerName::try_from(host.to_string())
                .map_err(|_| Error::Connect(format!("TLS: {host} is neither an IP address nor a DNS name")))?,
        };
        Ok(Client { config: client_config(settings)?, name, has_cert: !settings.certfile.is_empty() })
    }
}
