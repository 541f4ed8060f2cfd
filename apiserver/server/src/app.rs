//! `argo-apiserver serve`: storage, certificates, kubeconfig, registry, health checks, then the
//! TLS server until SIGTERM or SIGINT.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use argo_apiserver_registry::actions::ActionSettings;
use argo_apiserver_registry::{Clock, Registry, RegistryOptions, SystemClock};
use argo_apiserver_storage::Store;
use argo_apiserver_storage::embedded::{EmbeddedOptions, EmbeddedStore};
use argo_apiserver_storage::etcd::{EtcdOptions, EtcdStore, EtcdTls};
use argo_certs::{LocalPkiOptions, ensure_local_pki_with, write_kubeconfig};
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::auth::authn::TokenReviewer;
use crate::auth::authz::{Backend, SubjectAccessReviewer};
use crate::auth::policy::Policy;
use crate::auth::{Auth, Authenticator, Authorizer};
use crate::handlers::discovery::VersionInfo;
use crate::handlers::health::{self, HealthChecks};
use crate::metrics::Metrics;
use crate::options::{ServeOptions, StorageBackend, TrackingMethodArg};
use crate::router::Router;
use argo_webhooks::index::PolicyIndex;
use argo_webhooks::review::{WebhookConfig, Webhooks};
use argo_webhooks::tracking::TrackingMethod;

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("data directory {path}: {source}")]
    DataDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("certificates: {0}")]
    Certs(#[from] argo_certs::Error),
    #[error("TLS: {0}")]
    Tls(#[from] crate::tls::TlsError),
    #[error("storage: {0}")]
    Storage(#[from] argo_apiserver_storage::StoreError),
    #[error("--storage etcd needs --etcd-servers")]
    NoEtcdServers,
    #[error("listening on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("authentication: {0}")]
    Authentication(#[from] crate::auth::configmap::ConfigMapError),
    #[error("kube-apiserver client: {0}")]
    KubeClient(#[from] crate::auth::kubeclient::KubeClientError),
    #[error("authorization policy: {0}")]
    Policy(#[from] crate::auth::policy::PolicyError),
    #[error("reading {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
}

fn read(path: &Path) -> Result<String, ServeError> {
    std::fs::read_to_string(path).map_err(|source| ServeError::Read {
        path: path.to_path_buf(),
        source,
    })
}

async fn open_store(opts: &ServeOptions) -> Result<Arc<dyn Store>, ServeError> {
    Ok(match opts.storage {
        StorageBackend::Embedded => {
            let path = opts.data_dir.join("store.redb");
            let store = tokio::task::spawn_blocking(move || {
                EmbeddedStore::open(&path, EmbeddedOptions::default())
            })
            .await
            .map_err(argo_apiserver_storage::StoreError::internal)??;
            Arc::new(store)
        }
        StorageBackend::Etcd => {
            if opts.etcd_servers.is_empty() {
                return Err(ServeError::NoEtcdServers);
            }
            let tls = opts.etcd_cafile.as_ref().map(|ca| EtcdTls {
                ca_file: ca.clone(),
                cert_file: opts.etcd_certfile.clone(),
                key_file: opts.etcd_keyfile.clone(),
            });
            Arc::new(
                EtcdStore::connect(EtcdOptions {
                    endpoints: opts.etcd_servers.clone(),
                    prefix: opts.etcd_prefix.clone(),
                    tls,
                    ..Default::default()
                })
                .await?,
            )
        }
    })
}

/// Runs the server until SIGTERM/SIGINT; `ready` gets the bound address once serving.
pub async fn serve(
    opts: ServeOptions,
    ready: Option<tokio::sync::oneshot::Sender<SocketAddr>>,
) -> Result<(), ServeError> {
    std::fs::create_dir_all(&opts.data_dir).map_err(|source| ServeError::DataDir {
        path: opts.data_dir.clone(),
        source,
    })?;
    let host_ip = if opts.bind_address.is_unspecified() {
        IpAddr::V4(Ipv4Addr::LOCALHOST)
    } else {
        opts.bind_address
    };

    // Certificates: given ones, or a CA and serving/admin certificates made on first start.
    let pki = ensure_local_pki_with(
        &opts.data_dir,
        &LocalPkiOptions {
            dns_names: vec!["localhost".into()],
            ip_addresses: {
                let mut ips = vec![
                    IpAddr::V4(Ipv4Addr::LOCALHOST),
                    IpAddr::V6(std::net::Ipv6Addr::LOCALHOST),
                ];
                if !ips.contains(&host_ip) {
                    ips.push(host_ip);
                }
                ips
            },
            ..Default::default()
        },
    )?;
    let (cert_file, key_file) = match (&opts.tls_cert_file, &opts.tls_private_key_file) {
        (Some(c), Some(k)) => (c.clone(), k.clone()),
        _ => (
            pki.paths.serving_cert.clone(),
            pki.paths.serving_key.clone(),
        ),
    };
    let tls = crate::tls::server_config(&cert_file, &key_file)?;

    let store = open_store(&opts).await?;
    let clock: Arc<dyn Clock> = match &opts.argo.testing_clock_file {
        Some(path) => Arc::new(FileClock(path.clone())),
        None => Arc::new(SystemClock),
    };
    let registry = Registry::new(
        store.clone(),
        RegistryOptions {
            clock: clock.clone(),
            ..Default::default()
        },
    );
    let argo = &opts.argo;
    let index = Arc::new(PolicyIndex::new(&argo.argocd_namespace));
    argo_apiserver_registry::policy::feed_index(&registry, index.clone());
    argo_apiserver_registry::cd::install(
        &registry,
        index.clone(),
        &argo.argocd_namespace,
        clock.clone(),
    );
    let webhooks = Arc::new(Webhooks::new(
        index,
        WebhookConfig {
            control_plane_namespace: argo.argocd_namespace.clone(),
            exempt_subjects: if argo.exempt_subjects.is_empty() {
                WebhookConfig::default_exempt_subjects(&argo.argocd_namespace)
            } else {
                argo.exempt_subjects.clone()
            },
            exempt_groups: argo.exempt_groups.clone(),
            tracking_method: match argo.tracking_method {
                TrackingMethodArg::Annotation => TrackingMethod::Annotation,
                TrackingMethodArg::Label => TrackingMethod::Label,
                TrackingMethodArg::AnnotationAndLabel => TrackingMethod::AnnotationAndLabel,
            },
            instance_label_key: argo.instance_label_key.clone(),
        },
        {
            let clock = clock.clone();
            Arc::new(move || clock.now())
        },
    ));
    let webhook_addr = SocketAddr::new(opts.bind_address, argo.webhook_port);
    let webhook_listener =
        TcpListener::bind(webhook_addr)
            .await
            .map_err(|source| ServeError::Listen {
                addr: webhook_addr,
                source,
            })?;
    let webhook_local = webhook_listener.local_addr().unwrap_or(webhook_addr);

    let addr = SocketAddr::new(opts.bind_address, opts.secure_port);
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|source| ServeError::Listen { addr, source })?;
    let local = listener.local_addr().unwrap_or(addr);
    let server_url = format!("https://{}", SocketAddr::new(host_ip, local.port()));

    let kubeconfig = opts
        .kubeconfig_out
        .clone()
        .unwrap_or_else(|| opts.data_dir.join("kubeconfig"));
    if opts.tls_cert_file.is_none() && !kubeconfig.as_os_str().is_empty() {
        write_kubeconfig(
            &kubeconfig,
            &server_url,
            pki.ca.cert_pem(),
            &pki.admin.cert_pem,
            &pki.admin.key_pem,
            "argo-apiserver",
        )?;
    }

    let (shutdown_tx, shutdown_rx) = watch::channel(false);
    let auth = Arc::new(build_auth(&opts, pki.ca.cert_pem(), shutdown_rx.clone()).await?);
    let storage_ok = Arc::new(AtomicBool::new(true));
    spawn_storage_probe(store.clone(), storage_ok.clone(), shutdown_rx.clone());

    let mut checks = HealthChecks::new();
    checks.add_health_check(health::ping());
    checks.add_health_check(health::check("log", || Ok(())));
    {
        let ok = storage_ok.clone();
        let name = match opts.storage {
            StorageBackend::Etcd => "etcd",
            StorageBackend::Embedded => "storage",
        };
        checks.add_health_check(health::check(name, move || {
            if ok.load(Ordering::Relaxed) {
                Ok(())
            } else {
                Err("storage is not reachable".into())
            }
        }));
    }
    {
        let registry = registry.clone();
        checks.add_readyz_check(health::check("informer-sync", move || {
            if registry.caches_ready() {
                Ok(())
            } else {
                Err("watch caches are still loading".into())
            }
        }));
    }
    {
        let index = webhooks.index().clone();
        checks.add_readyz_check(health::check("policy-index", move || {
            if index.is_loaded() {
                Ok(())
            } else {
                Err("the policy index is still loading".into())
            }
        }));
    }
    let default_project = Arc::new(AtomicBool::new(false));
    {
        let done = default_project.clone();
        checks.add_readyz_check(health::check("default-project", move || {
            if done.load(Ordering::Relaxed) {
                Ok(())
            } else {
                Err("the default AppProject is not created yet".into())
            }
        }));
    }
    {
        let rx = shutdown_rx.clone();
        checks.add_readyz_check(health::check("shutdown", move || {
            if *rx.borrow() {
                Err("server is shutting down".into())
            } else {
                Ok(())
            }
        }));
    }

    let router = Arc::new(Router {
        registry,
        metrics: Arc::new(Metrics::new()),
        health: checks,
        version: VersionInfo::default(),
        openapi_v2_protobuf: std::sync::OnceLock::new(),
        shutdown: shutdown_rx.clone(),
        bookmark_interval: bookmark_interval(),
        action_settings: ActionSettings {
            control_plane_namespace: argo.argocd_namespace.clone(),
            require_override_for_revision_sync: argo.require_override_for_revision_sync,
            enforce_rollback_permission: argo.enforce_rollback_permission,
        },
        clock,
        webhooks: Some(webhooks.clone()),
        limits: crate::limits::Limits::new(opts.limits.settings()),
    });

    router.warm_up();
    spawn_object_counter(router.clone(), shutdown_rx.clone());
    spawn_default_project(
        router.clone(),
        argo.argocd_namespace.clone(),
        default_project,
    );
    tokio::spawn(crate::webhook_server::serve(
        webhook_listener,
        tls.config.clone(),
        webhooks,
        shutdown_rx.clone(),
    ));
    tracing::info!(
        address = %local,
        webhook_address = %webhook_local,
        kubeconfig = %kubeconfig.display(),
        storage = ?opts.storage,
        "serving"
    );
    if let Some(tx) = ready {
        let _ = tx.send(local);
    }
    tokio::spawn(async move {
        wait_for_signal().await;
        tracing::info!("signal received; shutting down");
        let _ = shutdown_tx.send(true);
    });
    crate::serve::serve(
        listener,
        tls.config.clone(),
        router,
        auth,
        shutdown_rx,
        Duration::from_secs(opts.shutdown_grace_seconds),
    )
    .await;
    drop(tls);
    Ok(())
}

/// The authentication chain and authorizer: delegated to kube-apiserver when a kubeconfig is
/// given or the server runs in a pod, local otherwise (client CA = the generated CA, whose admin
/// certificate is `system:masters`; the optional policy file for everyone else).
async fn build_auth(
    opts: &ServeOptions,
    generated_ca_pem: &str,
    shutdown: watch::Receiver<bool>,
) -> Result<Auth, ServeError> {
    use crate::auth::configmap::{self, AuthenticationData, AuthenticationOverrides};
    use crate::auth::kubeclient::KubeClient;

    let a = &opts.auth;
    let kube_client = |path: &Option<PathBuf>| -> Result<Option<Arc<KubeClient>>, ServeError> {
        Ok(match path {
            Some(p) => Some(Arc::new(KubeClient::from_kubeconfig(p)?)),
            None => KubeClient::in_cluster().transpose()?.map(Arc::new),
        })
    };
    let authn_client = kube_client(&a.authentication_kubeconfig)?;
    let authz_client = kube_client(&a.authorization_kubeconfig)?;

    let flags = AuthenticationOverrides {
        client_ca_pem: match (&opts.client_ca_file, &authn_client) {
            (Some(p), _) => Some(read(p)?),
            // Standalone: the generated CA signs the admin kubeconfig's certificate.
            (None, None) => Some(generated_ca_pem.to_string()),
            (None, Some(_)) => None,
        },
        requestheader_ca_pem: a
            .requestheader_client_ca_file
            .as_ref()
            .map(|p| read(p))
            .transpose()?,
        allowed_names: a.requestheader_allowed_names.clone(),
        username_headers: a.requestheader_username_headers.clone(),
        uid_headers: a.requestheader_uid_headers.clone(),
        group_headers: a.requestheader_group_headers.clone(),
        extra_headers_prefix: a.requestheader_extra_headers_prefix.clone(),
    };
    let mut data = AuthenticationData::default();
    if let Some(client) = authn_client
        .as_ref()
        .filter(|_| !a.authentication_skip_lookup)
    {
        match AuthenticationData::fetch(client).await {
            Ok(d) => data = d,
            Err(e) if a.authentication_tolerate_lookup_failure => {
                tracing::warn!(error = %e, "continuing without the authentication ConfigMap");
            }
            Err(e) => return Err(e.into()),
        }
    }
    let authenticator = Arc::new(Authenticator::new(
        configmap::build_config(&flags, &data)?,
        authn_client
            .as_ref()
            .map(|c| TokenReviewer::new(c.clone(), a.authentication_token_webhook_cache_ttl)),
        a.anonymous_auth,
    ));
    if let Some(client) = authn_client
        .as_ref()
        .filter(|_| !a.authentication_skip_lookup)
    {
        configmap::spawn_reloader(
            client.clone(),
            authenticator.clone(),
            flags,
            data,
            a.authentication_config_reload_interval,
            shutdown,
        );
    }

    let backend = match authz_client {
        Some(client) => Backend::SubjectAccessReview(SubjectAccessReviewer::new(
            client,
            a.authorization_webhook_cache_authorized_ttl,
            a.authorization_webhook_cache_unauthorized_ttl,
        )),
        None => Backend::Local(match &a.authorization_policy_file {
            Some(p) => Policy::load(p)?,
            None => Policy::default(),
        }),
    };
    let authorizer = Arc::new(Authorizer::new(
        a.authorization_always_allow_paths.clone(),
        backend,
    ));
    tracing::info!(
        token_review = authn_client.is_some(),
        subject_access_review = authorizer.is_delegated(),
        "authentication and authorization configured"
    );
    Ok(Auth {
        authenticator,
        authorizer,
    })
}

/// kube sends bookmarks about every minute; tests shorten it with ARGO_BOOKMARK_INTERVAL_MS.
fn bookmark_interval() -> Duration {
    std::env::var("ARGO_BOOKMARK_INTERVAL_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .map(Duration::from_millis)
        .unwrap_or(Duration::from_secs(60))
}

/// "Now" read from a file when it holds an RFC 3339 time (tests move it to a sync window's
/// edges); the machine's clock otherwise.
struct FileClock(PathBuf);

impl Clock for FileClock {
    fn now(&self) -> jiff::Timestamp {
        std::fs::read_to_string(&self.0)
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or_else(jiff::Timestamp::now)
    }
}

/// Upstream's API server creates the `default` project on start when it is missing; so does
/// this one, once the caches are loaded (retrying while storage is unavailable).
fn spawn_default_project(router: Arc<Router>, namespace: String, done: Arc<AtomicBool>) {
    tokio::spawn(async move {
        let Some(projects) = router.registry.kind("appprojects") else {
            return;
        };
        let spec = serde_json::to_value(argo_webhooks::project::default_project_spec())
            .unwrap_or_default();
        let project = serde_json::json!({
            "apiVersion": argo_openapi::catalog::API_VERSION,
            "kind": "AppProject",
            "metadata": {"name": argo_webhooks::project::DEFAULT_PROJECT, "namespace": namespace},
            "spec": spec,
        });
        for attempt in 0u32.. {
            if *router.shutdown.borrow() {
                return;
            }
            let opts = argo_apiserver_core::params::WriteOptions::default();
            match projects
                .create(Some(&namespace), project.clone(), &opts)
                .await
            {
                Ok(_) => {
                    tracing::info!(%namespace, "created the default AppProject");
                    done.store(true, Ordering::Relaxed);
                    return;
                }
                Err(e) if e.code() == 409 => {
                    done.store(true, Ordering::Relaxed);
                    return;
                }
                Err(e) => {
                    if attempt % 10 == 0 {
                        tracing::warn!(error = %e.status.message, "cannot create the default AppProject yet; retrying");
                    }
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
            }
        }
    });
}

/// Keeps the storage health check current without a storage call per probe.
fn spawn_storage_probe(
    store: Arc<dyn Store>,
    ok: Arc<AtomicBool>,
    mut shutdown: watch::Receiver<bool>,
) {
    tokio::spawn(async move {
        loop {
            let alive = matches!(
                tokio::time::timeout(Duration::from_secs(2), store.current_revision()).await,
                Ok(Ok(_))
            );
            ok.store(alive, Ordering::Relaxed);
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                _ = shutdown.changed() => return,
            }
        }
    });
}

/// Keeps `apiserver_storage_objects` current from the watch caches.
fn spawn_object_counter(router: Arc<Router>, mut shutdown: watch::Receiver<bool>) {
    tokio::spawn(async move {
        loop {
            for kind in router.registry.kinds() {
                let count = kind.cacher().object_count().await;
                router.metrics.set_storage_objects(
                    &format!("{}.{}", kind.def.plural, argo_openapi::catalog::GROUP),
                    i64::try_from(count).unwrap_or(i64::MAX),
                );
            }
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_secs(10)) => {}
                _ = shutdown.changed() => return,
            }
        }
    });
}

async fn wait_for_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    match (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) {
        (Ok(mut term), Ok(mut int)) => {
            tokio::select! {
                _ = term.recv() => {}
                _ = int.recv() => {}
            }
        }
        _ => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}
