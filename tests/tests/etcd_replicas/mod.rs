//! What the replica and failover tests share: Applications written and watched through kube-rs
//! against replicas on one etcd cluster.

use argo_apiserver_storage::testing::EtcdCluster;
use argo_tests::{Server, ServerOptions};
use kube::api::Api;
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::core::{ApiResource, DynamicObject, GroupVersionKind};
use kube::{Client, Config};
use serde_json::json;
use tokio::runtime::Runtime;

pub const NAMESPACE: &str = "argocd";
/// The annotation carrying each write's sequence number.
pub const SEQ: &str = "example.com/seq";

pub fn runtime() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime")
}

/// A replica on `cluster`, its endpoint list rotated by `shift` so that replicas start on
/// different members.
pub fn replica(cluster: &EtcdCluster, shift: usize) -> Server {
    let mut endpoints = cluster.endpoints();
    let n = endpoints.len();
    endpoints.rotate_left(shift % n);
    Server::start_on_etcd(endpoints, ServerOptions::default())
}

pub async fn applications(server: &Server) -> Api<DynamicObject> {
    let kubeconfig = Kubeconfig::read_from(server.kubeconfig()).expect("read kubeconfig");
    let mut config = Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default())
        .await
        .expect("kube config from kubeconfig");
    // No client-side retries: every failed attempt is seen (and timed) as it happened.
    config.default_retry = false;
    let client = Client::try_from(config).expect("kube client");
    let resource = ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("argoproj.io", "v1alpha1", "Application"),
        "applications",
    );
    Api::namespaced_with(client, NAMESPACE, &resource)
}

pub fn application(name: &str, seq: u64) -> DynamicObject {
    serde_json::from_value(json!({
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {"name": name, "namespace": NAMESPACE, "annotations": {SEQ: seq.to_string()}},
        "spec": {
            "project": "default",
            "destination": {"server": "https://kubernetes.default.svc", "namespace": "guestbook"},
            "source": {
                "repoURL": "https://github.com/argoproj/argocd-example-apps",
                "path": "guestbook",
                "targetRevision": "HEAD"
            }
        }
    }))
    .expect("application object")
}

pub fn with_seq(obj: &DynamicObject, seq: u64) -> DynamicObject {
    let mut obj = obj.clone();
    obj.metadata
        .annotations
        .get_or_insert_with(Default::default)
        .insert(SEQ.into(), seq.to_string());
    obj
}

pub fn rv(obj: &DynamicObject) -> u64 {
    let rv = obj.metadata.resource_version.as_deref().unwrap_or_default();
    rv.parse()
        .unwrap_or_else(|_| panic!("resourceVersion {rv:?} is not a number"))
}
