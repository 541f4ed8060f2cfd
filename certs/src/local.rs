//! First-start PKI for `argo-apiserver serve`: a CA, a serving certificate for the loopback
//! addresses and an admin client certificate, kept under `<data_dir>/pki/`.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use crate::Ca;
use crate::ca::{CertifiedKey, DEFAULT_CA_VALIDITY, DEFAULT_LEAF_VALIDITY};
use crate::error::Result;
use crate::files::{PRIVATE_MODE, PUBLIC_MODE, read_string, write_atomic};
use crate::inspect::CertInfo;

/// CN of the local CA.
pub const LOCAL_CA_COMMON_NAME: &str = "argo-apiserver-ca";
/// The admin user of the local kubeconfig.
pub const ADMIN_USER: &str = "argo-admin";
/// The group that Kubernetes authorization treats as all-powerful.
pub const ADMIN_GROUP: &str = "system:masters";
/// A leaf certificate is renewed once less than this much of its life remains, so that a
/// server restarted now and then never serves an expired certificate.
pub const RENEW_BEFORE: Duration = Duration::from_secs(30 * 24 * 3600);

/// What `ensure_local_pki` generates and where.
#[derive(Debug, Clone)]
pub struct LocalPkiOptions {
    /// DNS names of the serving certificate.
    pub dns_names: Vec<String>,
    /// IP addresses of the serving certificate.
    pub ip_addresses: Vec<IpAddr>,
    pub ca_validity: Duration,
    pub leaf_validity: Duration,
}

impl Default for LocalPkiOptions {
    fn default() -> Self {
        Self {
            dns_names: vec!["localhost".to_string()],
            ip_addresses: vec![
                IpAddr::V4(Ipv4Addr::LOCALHOST),
                IpAddr::V6(Ipv6Addr::LOCALHOST),
            ],
            ca_validity: DEFAULT_CA_VALIDITY,
            leaf_validity: DEFAULT_LEAF_VALIDITY,
        }
    }
}

/// File locations under `<data_dir>/pki/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PkiPaths {
    pub dir: PathBuf,
    pub ca_cert: PathBuf,
    pub ca_key: PathBuf,
    pub serving_cert: PathBuf,
    pub serving_key: PathBuf,
    pub admin_cert: PathBuf,
    pub admin_key: PathBuf,
}

impl PkiPaths {
    pub fn new(data_dir: impl AsRef<Path>) -> Self {
        let dir = data_dir.as_ref().join("pki");
        Self {
            ca_cert: dir.join("ca.crt"),
            ca_key: dir.join("ca.key"),
            serving_cert: dir.join("serving.crt"),
            serving_key: dir.join("serving.key"),
            admin_cert: dir.join("admin.crt"),
            admin_key: dir.join("admin.key"),
            dir,
        }
    }
}

/// The local PKI after `ensure_local_pki`, and what this call had to (re)generate.
#[derive(Debug)]
pub struct LocalPki {
    pub paths: PkiPaths,
    pub ca: Ca,
    pub serving: CertifiedKey,
    pub admin: CertifiedKey,
    pub ca_generated: bool,
    pub serving_generated: bool,
    pub admin_generated: bool,
}

/// Idempotent first-start setup with the default names (localhost, 127.0.0.1, ::1).
pub fn ensure_local_pki(data_dir: impl AsRef<Path>) -> Result<LocalPki> {
    ensure_local_pki_with(data_dir, &LocalPkiOptions::default())
}

/// Idempotent first-start setup: reuses what exists under `<data_dir>/pki/`, generates what is
/// missing, and regenerates a serving or admin certificate that is (nearly) expired, lacks a
/// requested name, or was not signed by the CA on disk.
///
/// An existing CA that cannot be read is an error rather than replaced: clients may trust it.
/// A CA missing either file, or expired, is generated anew (and every leaf with it).
pub fn ensure_local_pki_with(
    data_dir: impl AsRef<Path>,
    options: &LocalPkiOptions,
) -> Result<LocalPki> {
    let paths = PkiPaths::new(data_dir);
    let now = SystemTime::now();

    let existing_ca = if paths.ca_cert.exists() && paths.ca_key.exists() {
        let ca = Ca::load(&paths.ca_cert, &paths.ca_key)?;
        let info = ca.info()?;
        info.is_valid_at(now).then_some(ca)
    } else {
        None
    };
    let (ca, ca_generated) = match existing_ca {
        Some(ca) => (ca, false),
        None => {
            let ca = Ca::generate_with_validity(LOCAL_CA_COMMON_NAME, options.ca_validity)?;
            // Key first: a crash in between leaves a CA that fails to load, not a mismatched one
            // silently reused.
            write_atomic(&paths.ca_key, ca.key_pem().as_bytes(), PRIVATE_MODE)?;
            write_atomic(&paths.ca_cert, ca.cert_pem().as_bytes(), PUBLIC_MODE)?;
            (ca, true)
        }
    };
    let ca_info = ca.info()?;

    let reusable = |cert_path: &Path, key_path: &Path, wanted: &dyn Fn(&CertInfo) -> bool| {
        let (Ok(cert_pem), Ok(key_pem)) = (read_string(cert_path), read_string(key_path)) else {
            return None;
        };
        let info = CertInfo::from_pem(&cert_pem, "").ok()?;
        let renew_at = info.not_after.checked_sub(RENEW_BEFORE)?;
        let fresh = info.is_valid_at(now) && now < renew_at;
        let matches = crate::pem::certified_key_from_pem(&cert_pem, &key_pem, "").is_ok();
        (fresh && matches && info.is_signed_by(&ca_info) && wanted(&info))
            .then_some(CertifiedKey { cert_pem, key_pem })
    };

    let (serving, serving_generated) =
        match reusable(&paths.serving_cert, &paths.serving_key, &|info| {
            info.covers(&options.dns_names, &options.ip_addresses)
        }) {
            Some(existing) => (existing, false),
            None => {
                let serving = ca.issue_serving(
                    &options.dns_names,
                    &options.ip_addresses,
                    options.leaf_validity,
                )?;
                write_pair(&paths.serving_cert, &paths.serving_key, &serving)?;
                (serving, true)
            }
        };

    let (admin, admin_generated) = match reusable(&paths.admin_cert, &paths.admin_key, &|info| {
        info.common_name.as_deref() == Some(ADMIN_USER)
            && info.organizations.iter().any(|o| o == ADMIN_GROUP)
    }) {
        Some(existing) => (existing, false),
        None => {
            let admin = ca.issue_client(ADMIN_USER, &[ADMIN_GROUP], options.leaf_validity)?;
            write_pair(&paths.admin_cert, &paths.admin_key, &admin)?;
            (admin, true)
        }
    };

    Ok(LocalPki {
        paths,
        ca,
        serving,
        admin,
        ca_generated,
        serving_generated,
        admin_generated,
    })
}

/// Writes a certificate and its key. The key goes first, so that a reloader polling the
/// certificate's modification time picks up a pair that matches.
pub fn write_pair(cert_path: &Path, key_path: &Path, pair: &CertifiedKey) -> Result<()> {
    write_atomic(key_path, pair.key_pem.as_bytes(), PRIVATE_MODE)?;
    write_atomic(cert_path, pair.cert_pem.as_bytes(), PUBLIC_MODE)
}
