use std::path::PathBuf;

/// Everything that can go wrong while generating, loading or writing certificates.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("reading {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("writing {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{what}: no PEM block of the expected type found")]
    NoPem { what: String },
    #[error("{what}: invalid PEM: {message}")]
    InvalidPem { what: String, message: String },
    #[error("{what}: invalid certificate: {message}")]
    InvalidCertificate { what: String, message: String },
    #[error("{what}: invalid private key: {message}")]
    InvalidKey { what: String, message: String },
    #[error("{what}: the private key does not match the certificate's public key")]
    KeyMismatch { what: String },
    #[error("{what}: not a CA certificate (basicConstraints CA:TRUE is missing)")]
    NotCa { what: String },
    #[error("invalid subject alternative name {name:?}: {message}")]
    InvalidName { name: String, message: String },
    #[error("invalid validity: {0}")]
    InvalidValidity(String),
    #[error("certificate generation failed: {0}")]
    Generate(#[from] rcgen::Error),
    #[error("TLS: {0}")]
    Tls(#[from] rustls::Error),
    #[error("kubeconfig: {0}")]
    Kubeconfig(#[from] serde_yaml::Error),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
