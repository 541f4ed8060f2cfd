//! PEM → rustls-pki-types, for the TLS server and clients.

use std::path::Path;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

use crate::error::{Error, Result};
use crate::files::read_string;

fn pem_error(what: &str, e: rustls_pki_types::pem::Error) -> Error {
    match e {
        rustls_pki_types::pem::Error::NoItemsFound => Error::NoPem {
            what: what.to_string(),
        },
        other => Error::InvalidPem {
            what: what.to_string(),
            message: format!("{other:?}"),
        },
    }
}

/// Parses every CERTIFICATE block of `pem`, leaf first as written. Fails when there is none.
pub fn parse_cert_chain(pem: &str, what: &str) -> Result<Vec<CertificateDer<'static>>> {
    let chain = CertificateDer::pem_slice_iter(pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| pem_error(what, e))?;
    if chain.is_empty() {
        return Err(Error::NoPem {
            what: what.to_string(),
        });
    }
    Ok(chain)
}

/// Parses the first private key (PKCS#8, PKCS#1 or SEC1) of `pem`.
pub fn parse_private_key(pem: &str, what: &str) -> Result<PrivateKeyDer<'static>> {
    PrivateKeyDer::from_pem_slice(pem.as_bytes()).map_err(|e| pem_error(what, e))
}

/// Loads a PEM certificate chain from a file.
pub fn load_cert_chain(path: impl AsRef<Path>) -> Result<Vec<CertificateDer<'static>>> {
    let path = path.as_ref();
    parse_cert_chain(&read_string(path)?, &path.display().to_string())
}

/// Loads a PEM private key from a file.
pub fn load_private_key(path: impl AsRef<Path>) -> Result<PrivateKeyDer<'static>> {
    let path = path.as_ref();
    parse_private_key(&read_string(path)?, &path.display().to_string())
}

/// Loads a certificate chain and its key as a rustls `CertifiedKey` (ring provider), checking
/// that the key matches the leaf certificate.
pub fn load_certified_key(
    cert_path: impl AsRef<Path>,
    key_path: impl AsRef<Path>,
) -> Result<rustls::sign::CertifiedKey> {
    let cert_path = cert_path.as_ref();
    let chain = load_cert_chain(cert_path)?;
    let key = load_private_key(key_path.as_ref())?;
    certified_key_from_der(chain, key, &cert_path.display().to_string())
}

/// Builds a rustls `CertifiedKey` from PEM text.
pub fn certified_key_from_pem(
    cert_pem: &str,
    key_pem: &str,
    what: &str,
) -> Result<rustls::sign::CertifiedKey> {
    certified_key_from_der(
        parse_cert_chain(cert_pem, what)?,
        parse_private_key(key_pem, what)?,
        what,
    )
}

fn certified_key_from_der(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
    what: &str,
) -> Result<rustls::sign::CertifiedKey> {
    let provider = rustls::crypto::ring::default_provider();
    rustls::sign::CertifiedKey::from_der(chain, key, &provider).map_err(|e| match e {
        rustls::Error::InconsistentKeys(_) => Error::KeyMismatch {
            what: what.to_string(),
        },
        other => Error::Tls(other),
    })
}
