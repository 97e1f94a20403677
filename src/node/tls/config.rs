//! The rustls client configuration of a process: made from the files of
//! `Settings` on the first TLS connect, kept, and made again only when a
//! file's modification time or size changed (a certificate renewed in
//! place), so a request reads no file. The system's roots (for an empty
//! `peb.tls_cafile`) are read once per process. Errors name the setting
//! and the path, never a file's contents.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::SystemTime;

use rustls::crypto::{CryptoProvider, ring};
use rustls::{ClientConfig, RootCertStore};
use rustls_pki_types::pem::{self, PemObject};
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

use super::Settings;
use super::unverified::Unverified;
use crate::node::error::Error;

/// What a file was when it was read: modification time and size.
type Stamp = Vec<Option<(SystemTime, u64)>>;

/// The configurations made, by settings, with the stamp of their files.
type Configs = HashMap<Settings, (Stamp, Arc<ClientConfig>)>;

static CONFIGS: Mutex<Option<Configs>> = Mutex::new(None);

/// The configuration for `settings`, from the cache while its files are unchanged.
pub fn client_config(settings: &Settings) -> Result<Arc<ClientConfig>, Error> {
    let now = stamp(settings);
    let mut configs = CONFIGS.lock().unwrap_or_else(|e| e.into_inner());
    let configs = configs.get_or_insert_with(HashMap::new);
    if let Some((then, config)) = configs.get(settings)
        && *then == now
    {
        return Ok(config.clone());
    }
    let config = Arc::new(build(settings)?);
    configs.insert(settings.clone(), (now, config.clone()));
    Ok(config)
}

fn stamp(s: &Settings) -> Stamp {
    [&s.cafile, &s.certfile, &s.keyfile]
        .into_iter()
        .map(|path| {
            let meta = std::fs::metadata(path).ok()?;
            Some((meta.modified().ok()?, meta.len()))
        })
        .collect()
}

fn provider() -> Arc<CryptoProvider> {
    static PROVIDER: OnceLock<Arc<CryptoProvider>> = OnceLock::new();
    PROVIDER.get_or_init(|| Arc::new(ring::default_provider())).clone()
}

fn build(s: &Settings) -> Result<ClientConfig, Error> {
    let builder = ClientConfig::builder_with_provider(provider())
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|e| Error::Connect(format!("TLS: {e}")))?;
    let builder = if s.verify {
        builder.with_root_certificates(roots(&s.cafile)?)
    } else {
        builder.dangerous().with_custom_certificate_verifier(Arc::new(Unverified(provider())))
    };
    Ok(match (s.certfile.is_empty(), s.keyfile.is_empty()) {
        (true, true) => builder.with_no_client_auth(),
        (false, false) => {
            builder.with_client_auth_cert(certs("peb.tls_certfile", &s.certfile)?, key(&s.keyfile)?).map_err(|e| {
                Error::Connect(format!("TLS: the key of peb.tls_keyfile does not fit peb.tls_certfile: {e}"))
            })?
        }
        _ => return Err(Error::Connect("TLS: peb.tls_certfile and peb.tls_keyfile go together".into())),
    })
}

fn roots(cafile: &str) -> Result<RootCertStore, Error> {
    if cafile.is_empty() {
        return Ok(system_roots().clone());
    }
    let mut store = RootCertStore::empty();
    let (added, _) = store.add_parsable_certificates(certs("peb.tls_cafile", cafile)?);
    if added == 0 {
        return Err(Error::Connect(format!("TLS: peb.tls_cafile ({cafile}) holds no usable certificate")));
    }
    Ok(store)
}

/// The system's roots (as OpenSSL finds them), read once per process.
fn system_roots() -> &'static RootCertStore {
    static ROOTS: OnceLock<RootCertStore> = OnceLock::new();
    ROOTS.get_or_init(|| {
        let mut store = RootCertStore::empty();
        store.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
        store
    })
}

fn certs(setting: &str, path: &str) -> Result<Vec<CertificateDer<'static>>, Error> {
    let bad = |e: pem::Error| Error::Connect(format!("TLS: cannot read {setting} ({path}): {e}"));
    let certs = CertificateDer::pem_file_iter(Path::new(path)).map_err(bad)?.collect::<Result<Vec<_>, _>>();
    let certs = certs.map_err(bad)?;
    if certs.is_empty() {
        return Err(Error::Connect(format!("TLS: {setting} ({path}) holds no PEM certificate")));
    }
    Ok(certs)
}

/// The client key; a parse error is not shown, as its text could quote the file.
fn key(path: &str) -> Result<PrivateKeyDer<'static>, Error> {
    PrivateKeyDer::from_pem_file(Path::new(path)).map_err(|e| {
        let why = match e {
            pem::Error::Io(e) => e.to_string(),
            _ => "not a PEM private key".into(),
        };
        Error::Connect(format!("TLS: cannot read peb.tls_keyfile ({path}): {why}"))
    })
}
