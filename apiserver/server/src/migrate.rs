//! `argo-apiserver migrate`: copies every Argo custom resource from a cluster that still serves
//! them through CRDs into our storage, then explains the swap to the APIService.
//!
//! What is kept, and why:
//! - name, namespace, labels, annotations, finalizers, ownerReferences, spec, status, and any
//!   other top-level field (Application's `operation`): the object as users and controllers
//!   knew it;
//! - `uid`, `creationTimestamp` and `generation`: native objects point at Argo objects by uid in
//!   their ownerReferences (ReplicaSets of a Rollout, Pods of a Workflow), and the garbage
//!   collector deletes dependents whose owner uid no longer exists; controllers compare
//!   `status.observedGeneration` with `generation`.
//!
//! What is dropped: `resourceVersion` (our storage assigns its own revisions; clients relist),
//! `selfLink`, and `managedFields` (server-side apply ownership is rebuilt by the next apply).
//!
//! Objects already present in our storage are left as they are, so the command can be re-run.
//! Without `--apply` nothing is written and storage is not opened.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use argo_apiserver_storage::embedded::{EmbeddedOptions, EmbeddedStore};
use argo_apiserver_storage::etcd::{EtcdOptions, EtcdStore, EtcdTls};
use argo_apiserver_storage::{Store, StoreError, keys};
use argo_openapi::catalog::VERSION;
use argo_openapi::{CATALOG, ResourceDef};
use kube::api::{Api, ApiResource, DynamicObject, ListParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use serde_json::Value;

use crate::options::StorageBackend;

/// Objects asked for per list call.
const PAGE_SIZE: u32 = 500;

#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    #[error("kubeconfig {path}: {source}")]
    Kubeconfig {
        path: PathBuf,
        source: kube::config::KubeconfigError,
    },
    #[error("loading the client configuration: {0}")]
    InferConfig(#[from] kube::config::InferConfigError),
    #[error("building the client: {0}")]
    Client(#[source] kube::Error),
    #[error("listing {plural}.argoproj.io: {source}")]
    List {
        plural: &'static str,
        source: kube::Error,
    },
    #[error("{plural}.argoproj.io {name:?}: {message}")]
    Object {
        plural: &'static str,
        name: String,
        message: String,
    },
    #[error("storage: {0}")]
    Storage(#[from] StoreError),
    #[error("--storage etcd needs --etcd-servers")]
    NoEtcdServers,
}

#[derive(Clone, Debug, clap::Args)]
pub struct MigrateOptions {
    /// kubeconfig of the cluster that still has the Argo CRDs (default: $KUBECONFIG,
    /// ~/.kube/config, or the in-cluster ServiceAccount).
    #[arg(long)]
    pub kubeconfig: Option<PathBuf>,
    /// The kubeconfig context to use (default: its current-context).
    #[arg(long)]
    pub context: Option<String>,
    /// Write into storage. Without it, only report what would be written.
    #[arg(long)]
    pub apply: bool,
    /// Directory of the embedded store (with --storage embedded).
    #[arg(long, default_value = "data")]
    pub data_dir: PathBuf,
    /// Where to write the objects.
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
}

/// What happened to one kind.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KindCount {
    /// False when the cluster does not serve the kind (its CRD is not installed).
    pub served: bool,
    /// Objects read from the cluster.
    pub found: u64,
    /// Objects written (or, in a dry run, that would be written).
    pub created: u64,
    /// Objects already in our storage, left unchanged.
    pub existing: u64,
}

/// The outcome of a run, by plural in catalog order.
#[derive(Clone, Debug, Default)]
pub struct Report {
    pub applied: bool,
    pub kinds: Vec<(&'static ResourceDef, KindCount)>,
}

impl Report {
    /// The per-kind table and totals, as printed.
    pub fn render(&self) -> String {
        let created = if self.applied {
            "CREATED"
        } else {
            "WOULD CREATE"
        };
        let resources: Vec<String> = self
            .kinds
            .iter()
            .map(|(def, _)| format!("{}.{}", def.plural, keys::GROUP))
            .collect();
        let w = resources.iter().map(String::len).max().unwrap_or(0).max(8);
        let mut out = format!(
            "{:<w$}  {:>6}  {:>12}  {:>8}\n",
            "RESOURCE", "FOUND", created, "EXISTING"
        );
        let mut total = KindCount::default();
        for (resource, (_, c)) in resources.iter().zip(&self.kinds) {
            if c.served {
                out.push_str(&format!(
                    "{resource:<w$}  {:>6}  {:>12}  {:>8}\n",
                    c.found, c.created, c.existing
                ));
            } else {
                // Not served by the cluster: its CRD is not installed.
                out.push_str(&format!("{resource:<w$}  {:>6}\n", "-"));
            }
            total.found += c.found;
            total.created += c.created;
            total.existing += c.existing;
        }
        out.push_str(&format!(
            "{:<w$}  {:>6}  {:>12}  {:>8}\n",
            "TOTAL", total.found, total.created, total.existing
        ));
        if !self.applied {
            out.push_str("\nDry run: nothing was written. Re-run with --apply to write.\n");
        }
        out
    }
}

/// The steps after a successful copy, printed at the end of every run.
pub const SWAP_INSTRUCTIONS: &str = "\
Next steps (the swap from CRDs to the aggregated API):
  1. Stop the Argo controllers first (scale argocd-application-controller,
     argocd-applicationset-controller, argo-rollouts, workflow-controller and the Argo Events
     controller to 0), so nothing changes between the copy and the swap; then run this command
     again with --apply (objects already copied are kept as they are).
  2. Deploy the server without CRDs in the way: kubectl apply -k deploy/overlays/etcd
     (or deploy/overlays/embedded) and wait for the Deployment to be ready.
  3. Take over the APIService. While the CRDs exist, kube-apiserver keeps a local APIService
     v1alpha1.argoproj.io labelled kube-aggregator.kubernetes.io/automanaged=true and rewrites
     it while the label is there. Remove the label so ours stays:
       kubectl label apiservice v1alpha1.argoproj.io kube-aggregator.kubernetes.io/automanaged-
     and check: kubectl get apiservice v1alpha1.argoproj.io (AVAILABLE must be True).
  4. Restart the Argo controllers. They now read and write through argo-apiserver; objects keep
     their uids, so ownerReferences of native objects still resolve.
  5. Only then remove the CRDs, if wanted. Their objects still carry finalizers (for example
     resources-finalizer.argocd.argoproj.io) that no controller will clear on the old copies:
     never let a running Argo CD controller see those deletions, and expect
     `kubectl delete crd` to wait until the finalizers of the old copies are removed.
";

fn api_resource(def: &ResourceDef) -> ApiResource {
    ApiResource {
        group: keys::GROUP.to_string(),
        version: VERSION.to_string(),
        api_version: format!("{}/{}", keys::GROUP, VERSION),
        kind: def.kind.to_string(),
        plural: def.plural.to_string(),
    }
}

async fn client(opts: &MigrateOptions) -> Result<kube::Client, MigrateError> {
    let kube_opts = KubeConfigOptions {
        context: opts.context.clone(),
        ..Default::default()
    };
    let config =
        match &opts.kubeconfig {
            Some(path) => {
                let kubeconfig =
                    Kubeconfig::read_from(path).map_err(|source| MigrateError::Kubeconfig {
                        path: path.clone(),
                        source,
                    })?;
                kube::Config::from_custom_kubeconfig(kubeconfig, &kube_opts)
                    .await
                    .map_err(|source| MigrateError::Kubeconfig {
                        path: path.clone(),
                        source,
                    })?
            }
            None if opts.context.is_some() => kube::Config::from_kubeconfig(&kube_opts)
                .await
                .map_err(|source| MigrateError::Kubeconfig {
                    path: PathBuf::from("$KUBECONFIG"),
                    source,
                })?,
            None => kube::Config::infer().await?,
        };
    kube::Client::try_from(config).map_err(MigrateError::Client)
}

async fn open_store(opts: &MigrateOptions) -> Result<Arc<dyn Store>, MigrateError> {
    Ok(match opts.storage {
        StorageBackend::Embedded => {
            let path = opts.data_dir.join("store.redb");
            let store = tokio::task::spawn_blocking(move || {
                EmbeddedStore::open(&path, EmbeddedOptions::default())
            })
            .await
            .map_err(StoreError::internal)??;
            Arc::new(store)
        }
        StorageBackend::Etcd => {
            if opts.etcd_servers.is_empty() {
                return Err(MigrateError::NoEtcdServers);
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

/// Every object of one kind, following continue tokens.
async fn list_all(
    client: &kube::Client,
    def: &'static ResourceDef,
) -> Result<Option<Vec<Value>>, MigrateError> {
    let api: Api<DynamicObject> = Api::all_with(client.clone(), &api_resource(def));
    let mut items = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut params = ListParams::default().limit(PAGE_SIZE);
        if let Some(t) = &token {
            params = params.continue_token(t);
        }
        let page = match api.list(&params).await {
            Ok(page) => page,
            // 404: the CRD is not installed, so there is nothing of this kind to copy.
            Err(kube::Error::Api(status)) if status.code == 404 => return Ok(None),
            Err(source) => {
                return Err(MigrateError::List {
                    plural: def.plural,
                    source,
                });
            }
        };
        for item in page.items {
            let name = item.metadata.name.clone().unwrap_or_default();
            let value = serde_json::to_value(&item).map_err(|e| MigrateError::Object {
                plural: def.plural,
                name,
                message: e.to_string(),
            })?;
            items.push(value);
        }
        match page.metadata.continue_.filter(|t| !t.is_empty()) {
            Some(t) => token = Some(t),
            None => return Ok(Some(items)),
        }
    }
}

/// The object as it is stored here: server-owned fields that do not carry over are removed,
/// apiVersion and kind set (list items may omit them). Returns its (namespace, name).
pub fn prepare(
    def: &'static ResourceDef,
    obj: &mut Value,
) -> Result<(Option<String>, String), MigrateError> {
    let name_of = |obj: &Value| {
        obj.pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let bad = |name: String, message: &str| MigrateError::Object {
        plural: def.plural,
        name,
        message: message.to_string(),
    };
    let name = name_of(obj);
    let Some(map) = obj.as_object_mut() else {
        return Err(bad(name, "not a JSON object"));
    };
    map.insert(
        "apiVersion".into(),
        Value::String(format!("{}/{}", keys::GROUP, VERSION)),
    );
    map.insert("kind".into(), Value::String(def.kind.to_string()));
    let Some(Value::Object(meta)) = map.get_mut("metadata") else {
        return Err(bad(name, "metadata is missing"));
    };
    for field in ["resourceVersion", "selfLink", "managedFields"] {
        meta.remove(field);
    }
    if name.is_empty() {
        return Err(bad(name, "metadata.name is missing"));
    }
    let namespace = if def.namespaced() {
        match meta.get("namespace").and_then(Value::as_str) {
            Some(ns) if !ns.is_empty() => Some(ns.to_string()),
            _ => return Err(bad(name, "metadata.namespace is missing")),
        }
    } else {
        meta.remove("namespace");
        None
    };
    // Refuse what our typed layer cannot read, rather than store something the server would
    // fail to serve.
    def.typed_round_trip(obj.clone()).map_err(|e| {
        bad(
            name.clone(),
            &format!("does not decode as {}: {e}", def.kind),
        )
    })?;
    Ok((namespace, name))
}

/// Copies every kind; prints nothing (the caller prints the report).
pub async fn migrate(opts: &MigrateOptions) -> Result<Report, MigrateError> {
    let client = client(opts).await?;
    let store = if opts.apply {
        Some(open_store(opts).await?)
    } else {
        None
    };
    let mut report = Report {
        applied: opts.apply,
        kinds: Vec::with_capacity(CATALOG.len()),
    };
    for def in CATALOG {
        let mut count = KindCount::default();
        let Some(items) = list_all(&client, def).await? else {
            report.kinds.push((def, count));
            continue;
        };
        count.served = true;
        let mut objects = BTreeMap::new();
        for mut obj in items {
            let (namespace, name) = prepare(def, &mut obj)?;
            let key = keys::object_key(def.plural, namespace.as_deref(), &name)?;
            objects.insert(key, obj);
        }
        count.found = objects.len() as u64;
        for (key, obj) in objects {
            let Some(store) = &store else {
                count.created += 1;
                continue;
            };
            let bytes = serde_json::to_vec(&obj).map_err(|e| MigrateError::Object {
                plural: def.plural,
                name: key.clone(),
                message: e.to_string(),
            })?;
            match store.create(&key, bytes.into()).await {
                Ok(_) => count.created += 1,
                Err(StoreError::AlreadyExists { .. }) => count.existing += 1,
                Err(e) => return Err(e.into()),
            }
        }
        report.kinds.push((def, count));
    }
    Ok(report)
}

/// `argo-apiserver migrate`: runs the copy and returns what to print.
pub async fn run(opts: MigrateOptions) -> Result<String, MigrateError> {
    let report = migrate(&opts).await?;
    Ok(format!("{}\n{}", report.render(), SWAP_INSTRUCTIONS))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn def(plural: &str) -> &'static ResourceDef {
        CATALOG
            .iter()
            .find(|d| d.plural == plural)
            .expect("in the catalog")
    }

    #[test]
    fn prepare_keeps_identity_and_drops_server_bookkeeping() {
        let mut obj = json!({
            "metadata": {"name": "guestbook", "namespace": "argocd", "uid": "u-1",
                "resourceVersion": "77", "selfLink": "/x", "generation": 3,
                "creationTimestamp": "2025-01-01T00:00:00Z",
                "managedFields": [{"manager": "kubectl"}], "labels": {"a": "b"}},
            "spec": {"project": "default", "destination": {"server": "https://kubernetes.default.svc"},
                "source": {"repoURL": "https://example.com/repo", "path": "."}},
            "status": {"sync": {"status": "Synced"}},
        });
        let (ns, name) = prepare(def("applications"), &mut obj).expect("prepared");
        assert_eq!(
            (ns.as_deref(), name.as_str()),
            (Some("argocd"), "guestbook")
        );
        assert_eq!(obj["apiVersion"], "argoproj.io/v1alpha1");
        assert_eq!(obj["kind"], "Application");
        let meta = obj["metadata"].as_object().expect("metadata");
        for gone in ["resourceVersion", "selfLink", "managedFields"] {
            assert!(!meta.contains_key(gone), "{gone} kept");
        }
        assert_eq!(meta["uid"], "u-1");
        assert_eq!(meta["generation"], 3);
        assert_eq!(obj["status"]["sync"]["status"], "Synced");
    }

    #[test]
    fn prepare_refuses_objects_without_a_place() {
        let mut no_ns = json!({"metadata": {"name": "p"}, "spec": {}});
        let err = prepare(def("appprojects"), &mut no_ns).expect_err("no namespace");
        assert!(err.to_string().contains("namespace"), "{err}");
        let mut no_name = json!({"metadata": {"namespace": "a"}, "spec": {}});
        assert!(prepare(def("appprojects"), &mut no_name).is_err());
        let mut not_object = json!("x");
        assert!(prepare(def("appprojects"), &mut not_object).is_err());
    }

    #[test]
    fn cluster_scoped_objects_lose_a_stray_namespace() {
        let mut obj = json!({"metadata": {"name": "t", "namespace": "x"},
            "spec": {"templates": [{"name": "main", "container": {"image": "alpine"}}]}});
        let (ns, _) = prepare(def("clusterworkflowtemplates"), &mut obj).expect("prepared");
        assert_eq!(ns, None);
        assert!(obj["metadata"].get("namespace").is_none());
    }
}
