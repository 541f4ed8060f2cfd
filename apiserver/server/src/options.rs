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
    #[command(flatten)]
    pub argo: ArgoOptions,
    #[command(flatten)]
    pub limits: LimitOptions,
}

/// Limits that protect the server from its clients (0 disables one, as for kube's flags).
#[derive(Clone, Debug, clap::Args)]
pub struct LimitOptions {
    /// The most non-mutating requests (get, list) served at once; past it a request gets 429
    /// with `Retry-After: 1`, as kube's. Watches and health checks are not counted, and
    /// system:masters is always served. 0: no limit.
    #[arg(long, default_value_t = 400)]
    pub max_requests_inflight: usize,
    /// The most mutating requests (create, update, patch, delete, actions) served at once, the
    /// same way. 0: no limit.
    #[arg(long, default_value_t = 200)]
    pub max_mutating_requests_inflight: usize,
    /// The most watches one user (by authenticated name) may have open at once; past it a watch
    /// gets a 429 Status with `Retry-After: 1`. A user's share comes back when a watch ends.
    /// kube-apiserver has no such limit. 0: no limit.
    #[arg(long, default_value_t = 1000)]
    pub max_watches_per_user: usize,
}

impl LimitOptions {
    pub fn settings(&self) -> crate::limits::LimitSettings {
        crate::limits::LimitSettings {
            max_requests_inflight: self.max_requests_inflight,
            max_mutating_requests_inflight: self.max_mutating_requests_inflight,
            max_watches_per_user: self.max_watches_per_user,
        }
    }
}

/// Argo's own settings: where Argo CD's control plane lives, the admission webhooks, and the
/// switches upstream keeps in `argocd-cm` / `argocd-rbac-cm`.
#[derive(Clone, Debug, clap::Args)]
pub struct ArgoOptions {
    /// Argo CD's control-plane namespace: the only namespace whose AppProjects are used, and
    /// where the `default` project is created on first start.
    #[arg(long, default_value = "argocd")]
    pub argocd_namespace: String,
    /// The port to serve the admission webhooks (AdmissionReview v1, `/validate`, `/mutate`) on,
    /// with the same certificate (0 picks a free one, printed at start).
    #[arg(long, default_value_t = 8444)]
    pub webhook_port: u16,
    /// Users the webhooks let change objects that Applications and Rollouts manage, repeatable.
    /// Unset: the Argo CD application controller (in --argocd-namespace), the Argo Rollouts
    /// controller, and kube's garbage collector and namespace controller (which must be able to
    /// cascade deletes).
    #[arg(long = "exempt-subject", value_delimiter = ',')]
    pub exempt_subjects: Vec<String>,
    /// Groups whose members are exempt the same way, repeatable.
    #[arg(long = "exempt-group", value_delimiter = ',')]
    pub exempt_groups: Vec<String>,
    /// How Argo CD tracks the objects it manages (`argocd-cm` application.resourceTrackingMethod).
    #[arg(long, value_enum, default_value = "annotation")]
    pub tracking_method: TrackingMethodArg,
    /// The instance label key (`argocd-cm` application.instanceLabelKey).
    #[arg(long, default_value = "app.kubernetes.io/instance")]
    pub instance_label_key: String,
    /// Syncing to a revision other than the spec's needs the `override` permission.
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    pub require_override_for_revision_sync: bool,
    /// Rollback needs the `rollback` permission rather than `sync`
    /// (`server.rbac.rollback.enforce.enable`).
    #[arg(long)]
    pub enforce_rollback_permission: bool,
    /// Testing only: read "now" (an RFC 3339 time) from this file when it exists, so sync
    /// windows can be tested at their edges.
    #[arg(long, hide = true)]
    pub testing_clock_file: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum TrackingMethodArg {
    Annotation,
    Label,
    #[value(name = "annotation+label")]
    AnnotationAndLabel,
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
