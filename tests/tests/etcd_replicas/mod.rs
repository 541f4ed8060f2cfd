//! What the replica, failover and crash tests share: Applications written and watched through
//! kube-rs, and a steady write load whose acknowledged writes are checked afterwards.
// Each test binary that includes this module uses a different part of it.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use argo_apiserver_storage::testing::EtcdCluster;
use argo_tests::{Server, ServerOptions};
use kube::api::{Api, ListParams, Patch, PatchParams, PostParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::core::{ApiResource, DynamicObject, GroupVersionKind, ObjectList};
use kube::{Client, Config};
use serde_json::json;
use tokio::runtime::Runtime;
use tokio::time::timeout;

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

/// Longer than the server's own storage timeouts, so a slow answer is seen rather than cut off.
pub const REQUEST_LIMIT: Duration = Duration::from_secs(30);
/// How long service may take to come back after a failure before the test fails.
pub const RECOVERY_LIMIT: Duration = Duration::from_secs(60);
/// Concurrent clients of a [`writer`] load.
pub const WRITERS: usize = 4;

pub fn name(obj: &DynamicObject) -> String {
    obj.metadata.name.clone().unwrap_or_default()
}

pub fn seq(obj: &DynamicObject) -> u64 {
    obj.metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(SEQ))
        .and_then(|s| s.parse().ok())
        .unwrap_or_default()
}

/// The HTTP status of a failed request, or None when no response came (connection refused or
/// broken, client-side timeout).
pub fn status_code(e: &kube::Error) -> Option<u16> {
    match e {
        kube::Error::Api(s) => Some(s.code),
        _ => None,
    }
}

/// One write a client got a success answer for.
#[derive(Clone, Debug)]
pub struct Ack {
    pub writer: usize,
    pub name: String,
    pub rv: u64,
    pub seq: u64,
    pub sent: Instant,
    pub acked: Instant,
}

#[derive(Default)]
pub struct Log {
    pub acks: Vec<Ack>,
    /// (writer, when it failed, what): writes whose outcome is unknown.
    pub failures: Vec<(usize, Instant, String)>,
    /// Writes sent and not answered yet.
    pub in_flight: usize,
}

/// How a [`writer`] updates its objects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Updates {
    /// PUT only.
    Replace,
    /// PUT and merge patches in turn, each with the resourceVersion as a precondition.
    ReplaceAndPatch,
}

/// Starts [`WRITERS`] writers on `rt`.
pub fn spawn_writers(
    rt: &Runtime,
    apis: &Arc<Vec<Api<DynamicObject>>>,
    log: &Arc<Mutex<Log>>,
    stop: &Arc<AtomicBool>,
    updates: Updates,
) -> Vec<tokio::task::JoinHandle<()>> {
    (0..WRITERS)
        .map(|id| rt.spawn(writer(id, apis.clone(), log.clone(), stop.clone(), updates)))
        .collect()
}

/// A client writing steadily: creates (a new name each time, never reused, so a create whose
/// answer was lost is simply unknown) and optimistic-concurrency updates of its own objects.
/// It talks to one replica and moves to the next when that one fails to answer, as a client
/// behind a load balancer would.
pub async fn writer(
    id: usize,
    apis: Arc<Vec<Api<DynamicObject>>>,
    log: Arc<Mutex<Log>>,
    stop: Arc<AtomicBool>,
    updates: Updates,
) {
    let mut replica = id % apis.len();
    // Own objects: the last acknowledged state, or None when a write's outcome is unknown.
    let mut own: Vec<(String, Option<DynamicObject>)> = Vec::new();
    let mut seq = 0u64;
    let mut created = 0;
    while !stop.load(Ordering::Relaxed) {
        seq += 1;
        let api = &apis[replica];
        let create = own.len() < 3 || seq.is_multiple_of(4);
        let pick = if create {
            0
        } else {
            (seq as usize) % own.len()
        };
        let sent = Instant::now();
        let result = if create {
            let name = format!("load-{id}-{created}");
            created += 1;
            own.push((name.clone(), None));
            let pick = own.len() - 1;
            log.lock().expect("lock").in_flight += 1;
            let r = timeout(
                REQUEST_LIMIT,
                api.create(&PostParams::default(), &application(&name, seq)),
            )
            .await;
            (pick, r)
        } else {
            let (target, state) = own[pick].clone();
            let current = match state {
                Some(obj) => obj,
                // After an unknown outcome, learn the current state before updating again.
                None => match timeout(REQUEST_LIMIT, api.get_opt(&target)).await {
                    Ok(Ok(Some(obj))) => obj,
                    Ok(Ok(None)) => {
                        // The create never happened: drop the name.
                        own.remove(pick);
                        continue;
                    }
                    _ => {
                        replica = (replica + 1) % apis.len();
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                },
            };
            log.lock().expect("lock").in_flight += 1;
            let r = if updates == Updates::ReplaceAndPatch && seq.is_multiple_of(2) {
                // The resourceVersion in a patch is a precondition, as a PUT's is.
                let patch = json!({"metadata": {
                    "resourceVersion": current.metadata.resource_version,
                    "annotations": {SEQ: seq.to_string()},
                }});
                timeout(
                    REQUEST_LIMIT,
                    api.patch(&target, &PatchParams::default(), &Patch::Merge(&patch)),
                )
                .await
            } else {
                timeout(
                    REQUEST_LIMIT,
                    api.replace(&target, &PostParams::default(), &with_seq(&current, seq)),
                )
                .await
            };
            (pick, r)
        };
        let (pick, r) = result;
        log.lock().expect("lock").in_flight -= 1;
        match r {
            Ok(Ok(obj)) => {
                let ack = Ack {
                    writer: id,
                    name: name(&obj),
                    rv: rv(&obj),
                    seq,
                    sent,
                    acked: Instant::now(),
                };
                own[pick].1 = Some(obj);
                log.lock().expect("lock").acks.push(ack);
            }
            Ok(Err(e)) => {
                own[pick].1 = None;
                let code = status_code(&e);
                log.lock().expect("lock").failures.push((
                    id,
                    Instant::now(),
                    format!("{code:?} {e}"),
                ));
                // A conflict is an answer from a healthy replica; anything else moves on.
                if code != Some(409) {
                    replica = (replica + 1) % apis.len();
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
            Err(_) => {
                own[pick].1 = None;
                log.lock().expect("lock").failures.push((
                    id,
                    Instant::now(),
                    "client timeout".into(),
                ));
                replica = (replica + 1) % apis.len();
            }
        }
        // Paced: the load is steady, and leaves the machine's CPUs to the servers under test.
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Waits until every writer has acknowledged `n` writes sent after `since`.
pub fn wait_for_acks(log: &Mutex<Log>, since: Instant, n: usize, what: &str) {
    let deadline = since + RECOVERY_LIMIT;
    loop {
        let counts = {
            let log = log.lock().expect("lock");
            let mut counts = [0usize; WRITERS];
            for a in log.acks.iter().filter(|a| a.sent >= since) {
                counts[a.writer] += 1;
            }
            counts
        };
        if counts.iter().all(|&c| c >= n) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "writes did not recover within {RECOVERY_LIMIT:?} after {what}: acks per writer {counts:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The unavailability window of a failure at `at`: until the first acknowledged write sent at
/// or after `at` (any client, and the slowest client). Printed as a parseable line.
pub fn report_window(log: &Mutex<Log>, at: Instant, until: Instant, what: &str) {
    // The first failures show what clients saw; the rest are retries of the same.
    const SHOWN: usize = 12;
    let log = log.lock().expect("lock");
    let mut first = [None::<Duration>; WRITERS];
    for a in log.acks.iter().filter(|a| a.sent >= at) {
        let d = a.acked - at;
        let f = &mut first[a.writer];
        if f.is_none_or(|f| d < f) {
            *f = Some(d);
        }
    }
    let any = first.iter().flatten().min().copied().unwrap_or_default();
    let worst = first.iter().flatten().max().copied().unwrap_or_default();
    let failures: Vec<&(usize, Instant, String)> = log
        .failures
        .iter()
        .filter(|(_, t, _)| *t >= at && *t < until)
        .collect();
    let failed = failures.len();
    eprintln!(
        "UNAVAILABLE {what} {} ms (slowest client {} ms, {failed} writes failed)",
        any.as_millis(),
        worst.as_millis()
    );
    for (writer, t, what) in failures.iter().take(SHOWN) {
        let what: String = what.chars().take(160).collect();
        eprintln!(
            "  writer {writer} failed at +{} ms: {what}",
            (*t - at).as_millis()
        );
    }
    if failed > SHOWN {
        eprintln!("  ... and {} more", failed - SHOWN);
    }
}

/// The resourceVersion of a list.
pub fn list_rv(list: &ObjectList<DynamicObject>) -> u64 {
    let rv = list.metadata.resource_version.as_deref().unwrap_or("0");
    rv.parse()
        .unwrap_or_else(|_| panic!("list resourceVersion {rv:?} is not a number"))
}

/// The load's objects in a list: name → (resourceVersion, seq).
pub fn load_objects(list: &ObjectList<DynamicObject>) -> BTreeMap<String, (u64, u64)> {
    list.items
        .iter()
        .filter(|o| name(o).starts_with("load-"))
        .map(|o| (name(o), (rv(o), seq(o))))
        .collect()
}

/// After the load: a consistent list through `api` holds every acknowledged write, is not older
/// than any of them, and resourceVersions never went backwards. Prints the count of lost writes
/// (the figure a failure test reports); returns the load's stored objects and the list's rv.
pub fn check_acknowledged(
    rt: &Runtime,
    api: &Api<DynamicObject>,
    log: &Mutex<Log>,
) -> (BTreeMap<String, (u64, u64)>, u64) {
    let list = rt
        .block_on(async { timeout(REQUEST_LIMIT, api.list(&ListParams::default())).await })
        .expect("list in time")
        .expect("consistent list");
    let at_rv = list_rv(&list);
    let stored = load_objects(&list);
    let log = log.lock().expect("lock");
    let lost = lost_acks(&log.acks, &stored);
    eprintln!(
        "ACKNOWLEDGED-LOST {} of {} ({} writes failed with an unknown outcome, {} objects stored)",
        lost.len(),
        log.acks.len(),
        log.failures.len(),
        stored.len()
    );
    assert!(lost.is_empty(), "acknowledged writes lost: {lost:#?}");
    let max_acked = log.acks.iter().map(|a| a.rv).max().unwrap_or(0);
    assert!(
        at_rv >= max_acked,
        "the list at rv {at_rv} is older than an acknowledged write at rv {max_acked}"
    );
    assert_rv_never_back(&log.acks);
    (stored, at_rv)
}

/// Acknowledged writes lost: the object gone, or older than what was acknowledged.
pub fn lost_acks(acks: &[Ack], stored: &BTreeMap<String, (u64, u64)>) -> Vec<String> {
    let mut lost = Vec::new();
    for ack in acks {
        match stored.get(&ack.name) {
            None => lost.push(format!("{} (acked at rv {}) missing", ack.name, ack.rv)),
            Some(&(rv, seq)) => {
                if rv < ack.rv || seq < ack.seq || (rv == ack.rv && seq != ack.seq) {
                    lost.push(format!(
                        "{} acked rv {} seq {}, stored rv {rv} seq {seq}",
                        ack.name, ack.rv, ack.seq
                    ));
                }
            }
        }
    }
    lost
}

/// resourceVersions never go backwards: a write acknowledged before another was sent has the
/// smaller resourceVersion (per client this is its own order).
pub fn assert_rv_never_back(acks: &[Ack]) {
    let mut by_ack: Vec<&Ack> = acks.iter().collect();
    by_ack.sort_by_key(|a| a.acked);
    let mut by_sent: Vec<&Ack> = acks.iter().collect();
    by_sent.sort_by_key(|a| a.sent);
    let (mut i, mut max_before): (usize, Option<&Ack>) = (0, None);
    for y in by_sent {
        while i < by_ack.len() && by_ack[i].acked < y.sent {
            if max_before.is_none_or(|m| by_ack[i].rv > m.rv) {
                max_before = Some(by_ack[i]);
            }
            i += 1;
        }
        if let Some(x) = max_before {
            assert!(
                x.rv < y.rv,
                "resourceVersion went back: {} acked at rv {} before {} was sent, which got rv {}",
                x.name,
                x.rv,
                y.name,
                y.rv
            );
        }
    }
}
