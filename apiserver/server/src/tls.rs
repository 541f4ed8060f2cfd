//! TLS serving with rustls: TLS 1.2+, ALPN h2 and http/1.1, certificates reloaded from disk on
//! change, and client certificates requested but not verified in the handshake (Go's
//! `tls.RequestClientCert`, as kube's secure serving does): the front proxy's CA and the client
//! CA differ, so the authenticators verify the presented chain per request.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use argo_certs::rustls::client::danger::HandshakeSignatureValid;
use argo_certs::rustls::crypto::{
    CryptoProvider, WebPkiSupportedAlgorithms, verify_tls12_signature, verify_tls13_signature,
};
use argo_certs::rustls::pki_types::{CertificateDer, UnixTime};
use argo_certs::rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use argo_certs::rustls::{DigitallySignedStruct, DistinguishedName, ServerConfig, SignatureScheme};
use argo_certs::{CertReloader, PollingHandle};

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("serving certificate: {0}")]
    Cert(#[from] argo_certs::Error),
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

/// Asks for a client certificate, accepts any chain, and still checks the handshake signature
/// so the client proves it holds the leaf's key.
#[derive(Debug)]
struct RequestClientCert {
    algorithms: WebPkiSupportedAlgorithms,
}

impl ClientCertVerifier for RequestClientCert {
    fn offer_client_auth(&self) -> bool {
        true
    }

    fn client_auth_mandatory(&self) -> bool {
        false
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        // No hints: client-go presents its certificate whatever the server advertises.
        &[]
    }

    fn verify_client_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, argo_certs::rustls::Error> {
        Ok(ClientCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, argo_certs::rustls::Error> {
        verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, argo_certs::rustls::Error> {
        verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

pub fn server_config(cert: &Path, key: &Path) -> Result<Tls, TlsError> {
    let reloader = Arc::new(CertReloader::new(cert, key)?);
    let reload = reloader.spawn_polling(Duration::from_secs(10), |e| {
        tracing::warn!(error = %e, "serving certificate reload failed; keeping the current one");
    })?;
    let provider = CryptoProvider::get_default()
        .cloned()
        .unwrap_or_else(|| Arc::new(argo_certs::rustls::crypto::ring::default_provider()));
    let verifier = Arc::new(RequestClientCert {
        algorithms: provider.signature_verification_algorithms,
    });
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_client_cert_verifier(verifier)
        .with_cert_resolver(reloader);
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Tls {
        config: Arc::new(config),
        _reload: reload,
    })
}
