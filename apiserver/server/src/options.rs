//! `argo-apiserver serve` flags, named as kube-apiserver names them where it has one.

use std::net::IpAddr;
use std::path::PathBuf;

/// Which storage backend holds the objects.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum StorageBackend {
    /// A persistent single-process store under `--data-dir` (the default).
    Embedded,
    /// An etcd cluster (`--etcd-servers`).
    Etcd,
}

#[derive(Clone, Debug, clap::Args)]
pub struct ServeOptions {
    /// Directory for the embedded store, generated certificates and the kubeconfig.
    #[arg(long, default_value = "data")]
    pub data_dir: PathBuf,
    /// The IP address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind_address: IpAddr,
    /// The port to serve HTTPS on (0 picks a free one, printed at start).
    #[arg(long, default_value_t = 8443)]
    pub secure_port: u16,
    /// Where objects are stored.
    #[arg(long, value_enum, default_value = "embedded")]
    pub storage: StorageBackend,
    /// etcd endpoints, comma separated (with --storage etcd).
    #[arg(long, value_delimiter = ',')]
    pub etcd_servers: Vec<String>,
    /// Key prefix in etcd.
    #[arg(long, default_value = "/registry")]
    pub etcd_prefix: String,
    /// CA bundle to verify etcd's serving certificate.
    #[arg(long)]
    pub etcd_cafile: Option<PathBuf>,
    /// Client certificate for etcd.
    #[arg(long)]
    pub etcd_certfile: Option<PathBuf>,
    /// Client key for etcd.
    #[arg(long)]
    pub etcd_keyfile: Option<PathBuf>,
    /// Serving certificate (PEM); generated under --data-dir when not given.
    #[arg(long, requires = "tls_private_key_file")]
    pub tls_cert_file: Option<PathBuf>,
    /// Serving key (PEM).
    #[arg(long, requires = "tls_cert_file")]
    pub tls_private_key_file: Option<PathBuf>,
    /// CA that signs client certificates (CN = user, O = groups); the generated CA when not given.
    #[arg(long)]
    pub client_ca_file: Option<PathBuf>,
    /// Where to write a kubeconfig for the generated admin certificate ("" to skip).
    #[arg(long)]
    pub kubeconfig_out: Option<PathBuf>,
    /// Seconds to let requests finish after SIGTERM before closing connections.
    #[arg(long, default_value_t = 10)]
    pub shutdown_grace_seconds: u64,
}
