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
    /// CA that signs client certificates (CN = user, O = groups). Overrides the cluster's
    /// `extension-apiserver-authentication` ConfigMap; standalone, the generated CA.
    #[arg(long)]
    pub client_ca_file: Option<PathBuf>,
    #[command(flatten)]
    pub auth: AuthOptions,
    /// Where to write a kubeconfig for the generated admin certificate ("" to skip).
    #[arg(long)]
    pub kubeconfig_out: Option<PathBuf>,
    /// Seconds to let requests finish after SIGTERM before closing connections.
    #[arg(long, default_value_t = 10)]
    pub shutdown_grace_seconds: u64,
}

/// Delegated authentication and authorization, with kube's flag names and defaults.
#[derive(Clone, Debug, clap::Args)]
pub struct AuthOptions {
    /// CA that the front proxy's client certificate must chain to before its request headers
    /// are trusted. Overrides the ConfigMap's.
    #[arg(long)]
    pub requestheader_client_ca_file: Option<PathBuf>,
    /// Common names the front proxy's certificate may carry (empty allows any).
    #[arg(long, value_delimiter = ',')]
    pub requestheader_allowed_names: Vec<String>,
    /// Request headers that carry the user name (the first non-empty one wins). Unset: the
    /// ConfigMap's, or X-Remote-User with --requestheader-client-ca-file.
    #[arg(long, value_delimiter = ',')]
    pub requestheader_username_headers: Vec<String>,
    /// Request headers that carry the user's UID (unset: the ConfigMap's, or X-Remote-Uid).
    #[arg(long, value_delimiter = ',')]
    pub requestheader_uid_headers: Vec<String>,
    /// Request headers that carry groups, every value of each (unset: the ConfigMap's, or
    /// X-Remote-Group).
    #[arg(long, value_delimiter = ',')]
    pub requestheader_group_headers: Vec<String>,
    /// Prefixes of request headers that carry extra attributes (unset: the ConfigMap's, or
    /// X-Remote-Extra-).
    #[arg(long, value_delimiter = ',')]
    pub requestheader_extra_headers_prefix: Vec<String>,
    /// kubeconfig for TokenReview and the authentication ConfigMap (in a pod: the service
    /// account; neither: standalone).
    #[arg(long)]
    pub authentication_kubeconfig: Option<PathBuf>,
    /// kubeconfig for SubjectAccessReview (in a pod: the service account; neither: the local
    /// policy).
    #[arg(long)]
    pub authorization_kubeconfig: Option<PathBuf>,
    /// Whether requests without credentials are served as system:anonymous.
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    pub anonymous_auth: bool,
    /// Start even if the authentication ConfigMap cannot be read.
    #[arg(long)]
    pub authentication_tolerate_lookup_failure: bool,
    /// Do not read the authentication ConfigMap (use the flags only).
    #[arg(long)]
    pub authentication_skip_lookup: bool,
    /// How long TokenReview answers are cached.
    #[arg(long, value_parser = parse_duration, default_value = "10s")]
    pub authentication_token_webhook_cache_ttl: std::time::Duration,
    /// How long allowed SubjectAccessReview answers are cached.
    #[arg(long, value_parser = parse_duration, default_value = "10s")]
    pub authorization_webhook_cache_authorized_ttl: std::time::Duration,
    /// How long denied SubjectAccessReview answers are cached.
    #[arg(long, value_parser = parse_duration, default_value = "10s")]
    pub authorization_webhook_cache_unauthorized_ttl: std::time::Duration,
    /// Paths served without authorization (a trailing `*` matches a prefix).
    #[arg(long, value_delimiter = ',', default_value = "/healthz,/readyz,/livez")]
    pub authorization_always_allow_paths: Vec<String>,
    /// Standalone mode: a YAML list of rules granting users and groups verbs on resources
    /// (see the auth::policy module documentation).
    #[arg(long)]
    pub authorization_policy_file: Option<PathBuf>,
    /// How often the authentication ConfigMap is re-read for CA rotation.
    #[arg(long, value_parser = parse_duration, default_value = "30s")]
    pub authentication_config_reload_interval: std::time::Duration,
}

/// Go-style durations as kube's flags take them: `10s`, `500ms`, `5m`, `1h`.
fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    let split = s
        .find(|c: char| !c.is_ascii_digit())
        .ok_or_else(|| format!("{s:?}: missing a unit (ms, s, m, h)"))?;
    let (n, unit) = s.split_at(split);
    let n: u64 = n.parse().map_err(|_| format!("{s:?}: not a duration"))?;
    let ms = match unit {
        "ms" => n,
        "s" => n.saturating_mul(1000),
        "m" => n.saturating_mul(60_000),
        "h" => n.saturating_mul(3_600_000),
        _ => return Err(format!("{s:?}: unknown unit {unit:?}")),
    };
    Ok(std::time::Duration::from_millis(ms))
}
