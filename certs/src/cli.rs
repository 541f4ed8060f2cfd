//! The functions behind `argo-apiserver certs ...`: generate a CA, issue a serving certificate
//! for an in-cluster Service, print the caBundle.

use std::path::{Path, PathBuf};

use base64::Engine;

use crate::ca::{Ca, CertifiedKey, Validity};
use crate::error::Result;
use crate::files::{PRIVATE_MODE, PUBLIC_MODE, read_string, write_atomic};
use crate::inspect::CertInfo;
use crate::local::write_pair;

/// The names a client may use for a Service: `<svc>`, `<svc>.<ns>`, `<svc>.<ns>.svc` and
/// `<svc>.<ns>.svc.<cluster_domain>`. kube-apiserver reaches an APIService or webhook backend
/// as `<svc>.<ns>.svc`.
pub fn service_dns_names(service: &str, namespace: &str, cluster_domain: &str) -> Vec<String> {
    vec![
        service.to_string(),
        format!("{service}.{namespace}"),
        format!("{service}.{namespace}.svc"),
        format!("{service}.{namespace}.svc.{cluster_domain}"),
    ]
}

/// The default cluster domain.
pub const CLUSTER_DOMAIN: &str = "cluster.local";

/// Where `generate_ca_files` writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// Generates a CA and writes `ca.crt` and `ca.key` (0600) into `out_dir`.
pub fn generate_ca_files(
    out_dir: impl AsRef<Path>,
    common_name: &str,
    validity: impl Into<Validity>,
) -> Result<(Ca, CaFiles)> {
    let dir = out_dir.as_ref();
    let ca = Ca::generate_with_validity(common_name, validity)?;
    let files = CaFiles {
        cert: dir.join("ca.crt"),
        key: dir.join("ca.key"),
    };
    write_atomic(&files.key, ca.key_pem().as_bytes(), PRIVATE_MODE)?;
    write_atomic(&files.cert, ca.cert_pem().as_bytes(), PUBLIC_MODE)?;
    Ok((ca, files))
}

/// Where `issue_service_serving_files` writes: the key names of a `kubernetes.io/tls` Secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServingFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// Issues a serving certificate for Service `service` in `namespace` with the CA read from
/// `ca_cert`/`ca_key`, and writes `tls.crt` and `tls.key` (0600) into `out_dir`.
pub fn issue_service_serving_files(
    ca_cert: impl AsRef<Path>,
    ca_key: impl AsRef<Path>,
    service: &str,
    namespace: &str,
    out_dir: impl AsRef<Path>,
    validity: impl Into<Validity>,
) -> Result<(CertifiedKey, ServingFiles)> {
    let ca = Ca::load(ca_cert, ca_key)?;
    let names = service_dns_names(service, namespace, CLUSTER_DOMAIN);
    let pair = ca.issue_serving(&names, &[], validity)?;
    let dir = out_dir.as_ref();
    let files = ServingFiles {
        cert: dir.join("tls.crt"),
        key: dir.join("tls.key"),
    };
    write_pair(&files.cert, &files.key, &pair)?;
    Ok((pair, files))
}

/// The caBundle value (base64 of the PEM) for the CA certificate in `ca_cert`, after checking
/// that the file holds a CA certificate.
pub fn ca_bundle_from_file(ca_cert: impl AsRef<Path>) -> Result<String> {
    let path = ca_cert.as_ref();
    let pem = read_string(path)?;
    let what = path.display().to_string();
    let info = CertInfo::from_pem(&pem, &what)?;
    if !info.is_ca {
        return Err(crate::Error::NotCa { what });
    }
    Ok(base64::engine::general_purpose::STANDARD.encode(pem.as_bytes()))
}
