//! Certificates for serving, clients and the aggregation layer.
//!
//! - [`Ca`]: generate or load a CA, issue serving (serverAuth) and client (clientAuth)
//!   certificates, and give the `caBundle` of APIService and webhook configurations.
//! - [`ensure_local_pki`]: the first-start PKI of `argo-apiserver serve` under `<data>/pki/`.
//! - [`write_kubeconfig`]: a kubeconfig with embedded client certificate data.
//! - [`CertReloader`]: the serving certificate for rustls, reloaded when its files change.
//! - [`cli`]: the functions behind `argo-apiserver certs ...`.
//!
//! Keys are ECDSA P-256, which Go's crypto/x509, rustls and webpki all accept.

mod ca;
pub mod cli;
mod der;
mod error;
mod files;
mod inspect;
mod kubeconfig;
mod local;
mod pem;
mod reload;

pub use ca::{Ca, CertifiedKey, DEFAULT_CA_VALIDITY, DEFAULT_LEAF_VALIDITY, Validity};
pub use error::{Error, Result};
pub use files::{PRIVATE_MODE, PUBLIC_MODE, write_atomic};
pub use inspect::CertInfo;
pub use kubeconfig::{
    Cluster, Context, Kubeconfig, NamedCluster, NamedContext, NamedUser, User, write_kubeconfig,
};
pub use local::{
    ADMIN_GROUP, ADMIN_USER, LOCAL_CA_COMMON_NAME, LocalPki, LocalPkiOptions, PkiPaths,
    RENEW_BEFORE, ensure_local_pki, ensure_local_pki_with, write_pair,
};
pub use pem::{
    certified_key_from_pem, load_cert_chain, load_certified_key, load_private_key,
    parse_cert_chain, parse_private_key,
};
pub use reload::{CertReloader, PollingHandle};

/// Re-exported so that users build rustls configs against the same versions.
pub use rustls;
pub use rustls_pki_types;
