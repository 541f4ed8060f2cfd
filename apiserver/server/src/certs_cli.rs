//! `argo-apiserver certs ...`: the certificates an in-cluster install needs (a CA, the serving
//! certificate for the Service, client certificates for etcd or users) and the caBundle value
//! for the APIService and webhook configurations.
//!
//! Every certificate is written as `tls.crt`/`tls.key` (and the CA as `ca.crt`/`ca.key`), the key
//! names of `kubernetes.io/tls` Secrets, so `kubectl create secret tls --cert --key` takes the
//! files as they are.

use std::path::{Path, PathBuf};
use std::time::Duration;

use argo_certs::cli::{CLUSTER_DOMAIN, generate_ca_files, service_dns_names};
use argo_certs::{Ca, Validity, write_pair};

const DAY: u64 = 24 * 3600;

#[derive(Debug, thiserror::Error)]
pub enum CertsError {
    #[error(transparent)]
    Certs(#[from] argo_certs::Error),
    #[error("creating {path}: {source}")]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("--days must be at least 1")]
    ZeroDays,
    #[error("issuing the peer certificate: {0}")]
    Peer(#[from] rcgen::Error),
    #[error("validity out of range: {0}")]
    Time(#[from] time::error::ComponentRange),
}

#[derive(Clone, Debug, clap::Args)]
pub struct CertsArgs {
    #[command(subcommand)]
    pub command: CertsCommand,
}

#[derive(Clone, Debug, clap::Subcommand)]
pub enum CertsCommand {
    /// Generate a CA: writes ca.crt and ca.key (0600) into --out-dir.
    Ca(CaArgs),
    /// Issue a serving certificate for a Service (<svc>, <svc>.<ns>, <svc>.<ns>.svc,
    /// <svc>.<ns>.svc.<cluster-domain>): writes tls.crt, tls.key and a copy of ca.crt.
    Serving(ServingArgs),
    /// Issue a certificate for both ends of a TLS connection (serverAuth and clientAuth), as
    /// etcd members present to each other with --peer-client-cert-auth: writes tls.crt,
    /// tls.key and ca.crt. Takes the same flags as `serving`.
    Peer(ServingArgs),
    /// Issue a client certificate (CN = user, O = groups): writes tls.crt, tls.key and ca.crt.
    Client(ClientArgs),
    /// Print the caBundle (base64 of the PEM) for an APIService or webhook configuration.
    CaBundle(CaBundleArgs),
}

#[derive(Clone, Debug, clap::Args)]
pub struct CaArgs {
    /// Directory to write ca.crt and ca.key into (created if missing).
    #[arg(long)]
    pub out_dir: PathBuf,
    /// Subject common name of the CA.
    #[arg(long, default_value = "argo-apiserver-ca")]
    pub common_name: String,
    /// Validity in days.
    #[arg(long, default_value_t = 3650)]
    pub days: u64,
}

#[derive(Clone, Debug, clap::Args)]
pub struct ServingArgs {
    /// Directory holding ca.crt and ca.key (from `certs ca`).
    #[arg(long)]
    pub ca_dir: PathBuf,
    /// The Service name.
    #[arg(long, default_value = "argo-apiserver")]
    pub service: String,
    /// The Service namespace.
    #[arg(long, default_value = "argo-system")]
    pub namespace: String,
    /// The cluster domain.
    #[arg(long, default_value = CLUSTER_DOMAIN)]
    pub cluster_domain: String,
    /// Extra DNS names (repeatable), e.g. `*.etcd.argo-system.svc` for StatefulSet members.
    /// A value that parses as an IP address becomes an IP SAN.
    #[arg(long = "dns-name")]
    pub dns_names: Vec<String>,
    /// Directory to write tls.crt, tls.key and ca.crt into (created if missing).
    #[arg(long)]
    pub out_dir: PathBuf,
    /// Validity in days.
    #[arg(long, default_value_t = 365)]
    pub days: u64,
}

#[derive(Clone, Debug, clap::Args)]
pub struct ClientArgs {
    /// Directory holding ca.crt and ca.key (from `certs ca`).
    #[arg(long)]
    pub ca_dir: PathBuf,
    /// The user name (subject CN).
    #[arg(long)]
    pub user: String,
    /// A group (subject O), repeatable.
    #[arg(long = "group")]
    pub groups: Vec<String>,
    /// Directory to write tls.crt, tls.key and ca.crt into (created if missing).
    #[arg(long)]
    pub out_dir: PathBuf,
    /// Validity in days.
    #[arg(long, default_value_t = 365)]
    pub days: u64,
}

#[derive(Clone, Debug, clap::Args)]
pub struct CaBundleArgs {
    /// The CA certificate (PEM).
    #[arg(long)]
    pub ca_file: PathBuf,
}

fn validity(days: u64) -> Result<Validity, CertsError> {
    if days == 0 {
        return Err(CertsError::ZeroDays);
    }
    Ok(Validity::from_now(Duration::from_secs(
        days.saturating_mul(DAY),
    )))
}

fn create_dir(path: &Path) -> Result<(), CertsError> {
    std::fs::create_dir_all(path).map_err(|source| CertsError::CreateDir {
        path: path.to_path_buf(),
        source,
    })
}

fn load_ca(dir: &Path) -> Result<Ca, CertsError> {
    Ok(Ca::load(dir.join("ca.crt"), dir.join("ca.key"))?)
}

/// Copies the CA certificate beside an issued pair, so one directory makes a whole Secret
/// (`tls.crt`, `tls.key`, `ca.crt`) as etcd and the apiserver's etcd flags expect.
fn write_ca_copy(ca: &Ca, out_dir: &Path) -> Result<PathBuf, CertsError> {
    let path = out_dir.join("ca.crt");
    argo_certs::write_atomic(&path, ca.cert_pem().as_bytes(), argo_certs::PUBLIC_MODE)?;
    Ok(path)
}

/// A certificate valid for serverAuth and clientAuth. etcd verifies a peer's certificate as a
/// client certificate whenever one is presented and a peer CA is configured, so member
/// certificates need both usages. (The certs crate issues single-purpose leaves only.)
fn issue_peer(
    ca: &Ca,
    names: &[String],
    validity: Validity,
) -> Result<argo_certs::CertifiedKey, CertsError> {
    use rcgen::{
        CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose,
    };
    let issuer = Issuer::from_ca_cert_pem(ca.cert_pem(), KeyPair::from_pem(ca.key_pem())?)?;
    let mut params = CertificateParams::new(names.to_vec())?;
    if let Some(first) = names.first() {
        params
            .distinguished_name
            .push(DnType::CommonName, first.as_str());
    }
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![
        ExtendedKeyUsagePurpose::ServerAuth,
        ExtendedKeyUsagePurpose::ClientAuth,
    ];
    params.use_authority_key_identifier_extension = true;
    params.not_before = to_offset(validity.not_before)?;
    params.not_after = to_offset(validity.not_after)?;
    let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)?;
    let cert = params.signed_by(&key, &issuer)?;
    Ok(argo_certs::CertifiedKey {
        cert_pem: cert.pem(),
        key_pem: key.serialize_pem(),
    })
}

fn to_offset(t: std::time::SystemTime) -> Result<time::OffsetDateTime, CertsError> {
    let secs = match t.duration_since(std::time::UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
    };
    Ok(time::OffsetDateTime::from_unix_timestamp(secs)?)
}

/// Runs one `certs` subcommand; returns what to print on stdout.
pub fn run(args: CertsArgs) -> Result<String, CertsError> {
    let peer = matches!(args.command, CertsCommand::Peer(_));
    match args.command {
        CertsCommand::Ca(a) => {
            let validity = validity(a.days)?;
            create_dir(&a.out_dir)?;
            let (_, files) = generate_ca_files(&a.out_dir, &a.common_name, validity)?;
            Ok(format!(
                "wrote {} and {}\n",
                files.cert.display(),
                files.key.display()
            ))
        }
        CertsCommand::Serving(a) | CertsCommand::Peer(a) => {
            let validity = validity(a.days)?;
            let ca = load_ca(&a.ca_dir)?;
            let mut names = service_dns_names(&a.service, &a.namespace, &a.cluster_domain);
            for extra in a.dns_names {
                if !names.contains(&extra) {
                    names.push(extra);
                }
            }
            let pair = if peer {
                issue_peer(&ca, &names, validity)?
            } else {
                ca.issue_serving(&names, &[], validity)?
            };
            create_dir(&a.out_dir)?;
            let cert = a.out_dir.join("tls.crt");
            let key = a.out_dir.join("tls.key");
            write_pair(&cert, &key, &pair)?;
            let ca_copy = write_ca_copy(&ca, &a.out_dir)?;
            Ok(format!(
                "wrote {}, {} and {} for {}\n",
                cert.display(),
                key.display(),
                ca_copy.display(),
                names.join(", ")
            ))
        }
        CertsCommand::Client(a) => {
            let validity = validity(a.days)?;
            let ca = load_ca(&a.ca_dir)?;
            let pair = ca.issue_client(&a.user, &a.groups, validity)?;
            create_dir(&a.out_dir)?;
            let cert = a.out_dir.join("tls.crt");
            let key = a.out_dir.join("tls.key");
            write_pair(&cert, &key, &pair)?;
            let ca_copy = write_ca_copy(&ca, &a.out_dir)?;
            Ok(format!(
                "wrote {}, {} and {} for user {:?} groups {:?}\n",
                cert.display(),
                key.display(),
                ca_copy.display(),
                a.user,
                a.groups
            ))
        }
        CertsCommand::CaBundle(a) => {
            let bundle = argo_certs::cli::ca_bundle_from_file(&a.ca_file)?;
            Ok(format!("{bundle}\n"))
        }
    }
}
