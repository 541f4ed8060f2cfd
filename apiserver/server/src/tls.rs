//! TLS serving with rustls: TLS 1.2+, ALPN h2 and http/1.1, certificates reloaded from disk on
//! change, and client certificates requested but optional (verified against the client CA when
//! presented; anonymous requests are decided by authorization, as kube does).

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use argo_certs::rustls::server::WebPkiClientVerifier;
use argo_certs::rustls::{RootCertStore, ServerConfig};
use argo_certs::{CertReloader, PollingHandle};

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("serving certificate: {0}")]
    Cert(#[from] argo_certs::Error),
    #[error("client CA: {0}")]
    ClientCa(String),
    #[error("starting the certificate reloader: {0}")]
    Reloader(#[from] std::io::Error),
    #[error("TLS configuration: {0}")]
    Config(#[from] argo_certs::rustls::Error),
}

/// A server config plus the handle that keeps its certificate reloader polling.
pub struct Tls {
    pub config: Arc<ServerConfig>,
    _reload: PollingHandle,
}

pub fn server_config(cert: &Path, key: &Path, client_ca_pem: &str) -> Result<Tls, TlsError> {
    let reloader = Arc::new(CertReloader::new(cert, key)?);
    let reload = reloader.spawn_polling(Duration::from_secs(10), |e| {
        tracing::warn!(error = %e, "serving certificate reload failed; keeping the current one");
    })?;
    let mut roots = RootCertStore::empty();
    let chain = argo_certs::parse_cert_chain(client_ca_pem, "client CA")?;
    for der in chain {
        roots
            .add(der)
            .map_err(|e| TlsError::ClientCa(e.to_string()))?;
    }
    let verifier = WebPkiClientVerifier::builder(Arc::new(roots))
        .allow_unauthenticated()
        .build()
        .map_err(|e| TlsError::ClientCa(e.to_string()))?;
    let mut config = ServerConfig::builder()
        .with_client_cert_verifier(verifier)
        .with_cert_resolver(reloader);
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Tls {
        config: Arc::new(config),
        _reload: reload,
    })
}
