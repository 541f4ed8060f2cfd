//! `argo-apiserver serve`: storage, certificates, kubeconfig, registry, health checks, then the
//! TLS server until SIGTERM or SIGINT.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use argo_apiserver_registry::{Registry, RegistryOptions};
use argo_apiserver_storage::Store;
use argo_apiserver_storage::embedded::{EmbeddedOptions, EmbeddedStore};
use argo_apiserver_storage::etcd::{EtcdOptions, EtcdStore, EtcdTls};
use argo_certs::{LocalPkiOptions, ensure_local_pki_with, write_kubeconfig};
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::handlers::discovery::VersionInfo;
use crate::handlers::health::{self, HealthChecks};
use crate::metrics::Metrics;
use crate::options::{ServeOptions, StorageBackend};
use crate::resource::WatcherCount;
use crate::router::Router;

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
    let client_ca = match &opts.client_ca_file {
        Some(p) => read(p)?,
        None => pki.ca.cert_pem().to_string(),
    };
    let tls = crate::tls::server_config(&cert_file, &key_file, &client_ca)?;

    let store = open_store(&opts).await?;
    let registry = Registry::new(store.clone(), RegistryOptions::default());

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
        watchers: Arc::new(WatcherCount::default()),
    });

    router.warm_up();
    spawn_object_counter(router.clone(), shutdown_rx.clone());
    tracing::info!(
        address = %local,
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
        shutdown_rx,
        Duration::from_secs(opts.shutdown_grace_seconds),
    )
    .await;
    drop(tls);
    Ok(())
}

/// kube sends bookmarks about every minute; tests shorten it with ARGO_BOOKMARK_INTERVAL_MS.
fn bookmark_interval() -> Duration {
    std::env::var("ARGO_BOOKMARK_INTERVAL_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .map(Duration::from_millis)
        .unwrap_or(Duration::from_secs(60))
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
