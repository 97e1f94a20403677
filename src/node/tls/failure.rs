//! What a failed TLS connect tells PHP: which of the usual causes it was
//! (the node's certificate from another CA, expired, for another name; a
//! node that wants a client certificate; a plain node), in words that name
//! the node and the setting to look at. rustls's errors carry no key
//! material; the handshake's, none of the cookie.

use std::io;

use rustls::{AlertDescription, CertificateError, Error as TlsError};

const NO_CERT: &str = "the node requires a client certificate (set peb.tls_certfile and peb.tls_keyfile)";
const CERT_REFUSED: &str = "the node refused our client certificate (is it signed by a CA the node trusts?)";

/// A node that closes a TLS 1.3 session right after its handshake, before
/// a word of the distribution handshake, refused the client's certificate
/// (or its absence): its alert is often lost, as the close races with
/// the client's first write and the reset discards it.
pub fn closed_after_handshake(full: &str, has_cert: bool) -> String {
    format!("TLS with {full} failed: {}", if has_cert { CERT_REFUSED } else { NO_CERT })
}

/// The rustls error inside an I/O error of a TLS stream, if one is.
pub fn tls_error(e: &io::Error) -> Option<&TlsError> {
    e.get_ref()?.downcast_ref::<TlsError>()
}

/// Why the TLS session with `full` (whose host is `host`) failed.
pub fn describe(full: &str, host: &str, e: &TlsError) -> String {
    let why = match e {
        TlsError::InvalidCertificate(c) => certificate(host, c),
        TlsError::AlertReceived(a) => alert(a),
        TlsError::InvalidMessage(_)
        | TlsError::InappropriateMessage { .. }
        | TlsError::InappropriateHandshakeMessage { .. } => {
            "the node does not speak TLS as inet_tls_dist does (a plain node? peb.tls is on)".into()
        }
        TlsError::PeerIncompatible(p) => format!("no protocol version or cipher in common ({p:?})"),
        other => other.to_string(),
    };
    format!("TLS with {full} failed: {why}")
}

fn certificate(host: &str, c: &CertificateError) -> String {
    match c {
        CertificateError::UnknownIssuer => {
            "the node's certificate is not signed by a CA of peb.tls_cafile (unknown issuer)".into()
        }
        CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
            "the node's certificate has expired".into()
        }
        CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
            "the node's certificate is not valid yet".into()
        }
        CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
            format!("the node's certificate is not valid for the name {host} (the host of the node's name)")
        }
        CertificateError::BadSignature | CertificateError::BadEncoding => "the node's certificate is malformed".into(),
        other => format!("the node's certificate was refused ({other:?})"),
    }
}

fn alert(a: &AlertDescription) -> String {
    match a {
        AlertDescription::CertificateRequired => NO_CERT.into(),
        AlertDescription::HandshakeFailure => {
            "the node refused the handshake (a client certificate required? peb.tls_certfile and peb.tls_keyfile)"
                .into()
        }
        AlertDescription::UnknownCA | AlertDescription::BadCertificate | AlertDescription::CertificateUnknown => {
            CERT_REFUSED.into()
        }
        AlertDescription::CertificateExpired => "the node refused our client certificate: it has expired".into(),
        AlertDescription::ProtocolVersion => "no TLS version in common (1.2 and 1.3 are offered)".into(),
        other => format!("the node sent the alert {other:?}"),
    }
}
