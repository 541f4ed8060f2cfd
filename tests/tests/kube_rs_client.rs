//! kube-rs, the Rust controller client, against the real server: list + watch through
//! `kube::runtime::watcher` (both initial-list strategies) across a server restart, raw watches
//! with bookmarks and an expired resourceVersion, the status subresource, and optimistic
//! concurrency.

use std::collections::BTreeSet;
use std::time::Duration;

use argo_tests::{Backend, Server, ServerOptions, tail};
use futures::{StreamExt, TryStreamExt};
use kube::api::{
    Api, DeleteParams, ListParams, Patch, PatchParams, PostParams, WatchEvent, WatchParams,
};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::core::{ApiResource, DynamicObject, GroupVersionKind};
use kube::runtime::{WatchStreamExt, watcher};
use kube::{Client, Config};
use serde_json::{Value, json};
use tokio::runtime::Runtime;
use tokio::sync::mpsc;
use tokio::time::timeout;

const NAMESPACE: &str = "shop";
/// How long one expected watch event may take; generous, a restart sits in some waits.
const EVENT_WAIT: Duration = Duration::from_secs(30);

/// A multi-threaded runtime: watchers run on it in the background while the test thread
/// restarts the server (a blocking call).
fn runtime() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime")
}

/// A fresh client (its own connection pool) from the kubeconfig the server wrote.
async fn client(server: &Server) -> Client {
    let kubeconfig = Kubeconfig::read_from(server.kubeconfig()).expect("read kubeconfig");
    let config = Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default())
        .await
        .expect("kube config from kubeconfig");
    Client::try_from(config).expect("kube client")
}

fn resource(kind: &str, plural: &str) -> ApiResource {
    ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("argoproj.io", "v1alpha1", kind),
        plural,
    )
}

fn rollouts(client: Client) -> Api<DynamicObject> {
    Api::namespaced_with(client, NAMESPACE, &resource("Rollout", "rollouts"))
}

fn applications(client: Client) -> Api<DynamicObject> {
    Api::namespaced_with(client, "argocd", &resource("Application", "applications"))
}

fn rollout(name: &str, replicas: i64) -> DynamicObject {
    serde_json::from_value(json!({
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Rollout",
        "metadata": {"name": name, "namespace": NAMESPACE, "labels": {"team": "shop"}},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": name, "image": "nginx:1.27"}]}
            },
            "strategy": {"canary": {"steps": [{"setWeight": 20}]}}
        }
    }))
    .expect("rollout object")
}

fn replicas(obj: &DynamicObject) -> Option<i64> {
    obj.data.pointer("/spec/replicas").and_then(Value::as_i64)
}

fn name(obj: &DynamicObject) -> String {
    obj.metadata.name.clone().unwrap_or_default()
}

fn rv(obj: &DynamicObject) -> String {
    obj.metadata.resource_version.clone().unwrap_or_default()
}

fn rv_number(rv: &str) -> u64 {
    rv.parse()
        .unwrap_or_else(|_| panic!("resourceVersion {rv:?} is not a number"))
}

fn api_error(err: kube::Error) -> Box<kube::core::Status> {
    match err {
        kube::Error::Api(status) => status,
        other => panic!("expected an API error (Status), got {other:?}"),
    }
}

/// What the watcher reported, reduced to what the assertions look at.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Seen {
    Init,
    InitApply(String, Option<i64>),
    InitDone,
    Apply(String, Option<i64>),
    Delete(String),
}

impl Seen {
    fn object_name(&self) -> Option<&str> {
        match self {
            Seen::InitApply(n, _) | Seen::Apply(n, _) | Seen::Delete(n) => Some(n),
            Seen::Init | Seen::InitDone => None,
        }
    }
}

/// Drives `watcher` on the runtime and forwards its events. Errors (the server is down during a
/// restart) are retried by the default backoff, as a controller does.
fn spawn_watcher(
    rt: &Runtime,
    api: Api<DynamicObject>,
    config: watcher::Config,
) -> mpsc::UnboundedReceiver<Seen> {
    let (tx, rx) = mpsc::unbounded_channel();
    rt.spawn(async move {
        let mut stream = watcher(api, config).default_backoff().boxed();
        while let Some(item) = stream.next().await {
            let seen = match item {
                Ok(watcher::Event::Init) => Seen::Init,
                Ok(watcher::Event::InitApply(o)) => Seen::InitApply(name(&o), replicas(&o)),
                Ok(watcher::Event::InitDone) => Seen::InitDone,
                Ok(watcher::Event::Apply(o)) => Seen::Apply(name(&o), replicas(&o)),
                Ok(watcher::Event::Delete(o)) => Seen::Delete(name(&o)),
                // Expected while the server restarts; the backoff retries.
                Err(_) => continue,
            };
            if tx.send(seen).is_err() {
                return;
            }
        }
    });
    rx
}

fn next_seen(
    rt: &Runtime,
    rx: &mut mpsc::UnboundedReceiver<Seen>,
    history: &mut Vec<Seen>,
    server: &Server,
) -> Seen {
    match rt.block_on(async { timeout(EVENT_WAIT, rx.recv()).await }) {
        Ok(Some(seen)) => {
            history.push(seen.clone());
            seen
        }
        Ok(None) => panic!("watcher ended; saw {history:?}"),
        Err(_) => panic!(
            "no watcher event within {EVENT_WAIT:?}; saw {history:?}\nserver log tail:\n{}",
            tail(&server.log(), 30)
        ),
    }
}

/// Reads an initial list (Init, InitApply..., InitDone) and returns the names listed.
fn initial_list(
    rt: &Runtime,
    rx: &mut mpsc::UnboundedReceiver<Seen>,
    history: &mut Vec<Seen>,
    server: &Server,
) -> BTreeSet<String> {
    assert_eq!(
        next_seen(rt, rx, history, server),
        Seen::Init,
        "{history:?}"
    );
    let mut names = BTreeSet::new();
    loop {
        match next_seen(rt, rx, history, server) {
            Seen::InitApply(n, _) => {
                assert!(names.insert(n), "an object listed twice: {history:?}");
            }
            Seen::InitDone => return names,
            other => panic!("unexpected {other:?} during the initial list: {history:?}"),
        }
    }
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| s.to_string()).collect()
}

/// The watcher lists, then follows creates, updates and deletes made by another client, in order;
/// after a server restart it relists and still sees later changes.
fn watcher_follows_changes(config: watcher::Config) {
    let config = config.labels("team=shop");
    let mut server = Server::start(Backend::Embedded);
    let rt = runtime();
    let writer = rollouts(rt.block_on(client(&server)));
    let watched = rollouts(rt.block_on(client(&server)));

    rt.block_on(async {
        for n in ["alpha", "bravo"] {
            writer
                .create(&PostParams::default(), &rollout(n, 1))
                .await
                .expect("create");
        }
        let list = watched.list(&ListParams::default()).await.expect("list");
        let listed: Vec<String> = list.items.iter().map(name).collect();
        assert_eq!(listed, ["alpha", "bravo"]);
        assert!(
            list.metadata
                .resource_version
                .is_some_and(|rv| !rv.is_empty()),
            "list without resourceVersion"
        );
    });

    let mut rx = spawn_watcher(&rt, watched, config);
    let mut history = Vec::new();
    assert_eq!(
        initial_list(&rt, &mut rx, &mut history, &server),
        set(&["alpha", "bravo"])
    );

    rt.block_on(async {
        writer
            .create(&PostParams::default(), &rollout("charlie", 1))
            .await
            .expect("create charlie");
        writer
            .patch(
                "alpha",
                &PatchParams::default(),
                &Patch::Merge(json!({"spec": {"replicas": 3}})),
            )
            .await
            .expect("patch alpha");
        writer
            .delete("bravo", &DeleteParams::default())
            .await
            .expect("delete bravo");
    });
    assert_eq!(
        next_seen(&rt, &mut rx, &mut history, &server),
        Seen::Apply("charlie".into(), Some(1))
    );
    assert_eq!(
        next_seen(&rt, &mut rx, &mut history, &server),
        Seen::Apply("alpha".into(), Some(3))
    );
    assert_eq!(
        next_seen(&rt, &mut rx, &mut history, &server),
        Seen::Delete("bravo".into())
    );

    // A write the label-selected watch does not see: the watcher's resourceVersion stays behind
    // the store's, so after the restart (the watch cache starts at the current revision) its
    // resumed watch gets ERROR 410 and kube relists. Without this write it simply resumes.
    let mut outsider = rollout("outsider", 1);
    outsider.metadata.labels = None;
    rt.block_on(writer.create(&PostParams::default(), &outsider))
        .expect("create outsider");
    server.restart();
    let before_restart = history.len();
    // A new client: the old one's pooled connection died with the server.
    let writer = rollouts(rt.block_on(client(&server)));
    rt.block_on(async {
        writer
            .create(&PostParams::default(), &rollout("delta", 1))
            .await
            .expect("create delta");
        writer
            .patch(
                "charlie",
                &PatchParams::default(),
                &Patch::Merge(json!({"spec": {"replicas": 5}})),
            )
            .await
            .expect("patch charlie");
    });
    // The relist lists the writes made so far (key order); later writes come as Apply events,
    // in order. Wait for both writes and the end of the relist.
    let (mut delta, mut charlie5, mut relisted) = (false, false, false);
    while !(delta && charlie5 && relisted) {
        match next_seen(&rt, &mut rx, &mut history, &server) {
            Seen::InitDone => relisted = true,
            Seen::Apply(n, r) | Seen::InitApply(n, r) if n == "delta" => {
                assert_eq!(r, Some(1), "{history:?}");
                delta = true;
            }
            Seen::Apply(n, Some(5)) if n == "charlie" => {
                assert!(
                    delta,
                    "charlie's update came before delta's create: {history:?}"
                );
                charlie5 = true;
            }
            Seen::InitApply(n, Some(5)) if n == "charlie" => charlie5 = true,
            _ => {}
        }
    }
    let after = &history[before_restart..];
    assert!(
        after.contains(&Seen::Init) && after.contains(&Seen::InitDone),
        "no relist after the restart: {after:?}"
    );
    assert!(
        after
            .iter()
            .all(|s| !matches!(s.object_name(), Some("bravo" | "outsider"))),
        "a deleted or unselected object after the restart: {after:?}"
    );
    assert!(
        after.contains(&Seen::InitApply("alpha".into(), Some(3))),
        "alpha missing from the relist: {after:?}"
    );
}

#[test]
fn watcher_list_watch_survives_restart() {
    let config = watcher::Config::default();
    assert!(
        config.bookmarks,
        "kube's watcher asks for bookmarks by default"
    );
    watcher_follows_changes(config);
}

#[test]
fn watcher_streaming_list_survives_restart() {
    // sendInitialEvents=true&resourceVersionMatch=NotOlderThan: InitDone only comes with the
    // initial-events-end bookmark.
    watcher_follows_changes(watcher::Config::default().streaming_lists());
}

/// Raw watches (bookmarks, the initial-events-end bookmark, an expired resourceVersion), the
/// status subresource, and optimistic concurrency, on one server.
#[test]
fn raw_watch_status_and_conflicts() {
    let mut server = Server::start_with(
        Backend::Embedded,
        ServerOptions {
            envs: vec![("ARGO_BOOKMARK_INTERVAL_MS".into(), "500".into())],
            ..Default::default()
        },
    );
    let rt = runtime();
    let kube = rt.block_on(client(&server));
    let api = rollouts(kube.clone());
    let writer = rollouts(rt.block_on(client(&server)));

    let created = rt
        .block_on(api.create(&PostParams::default(), &rollout("web", 2)))
        .expect("create web");
    let first_rv = rv(&created);

    // Bookmarks: a watch from the created RV sees the update, then a bookmark at or after it.
    rt.block_on(async {
        let mut stream = api
            .watch(
                &WatchParams {
                    // Also kube's default; explicit, as this is what is tested.
                    bookmarks: true,
                    ..WatchParams::default().timeout(60)
                },
                &first_rv,
            )
            .await
            .expect("watch")
            .boxed();
        writer
            .patch(
                "web",
                &PatchParams::default(),
                &Patch::Merge(json!({"spec": {"replicas": 4}})),
            )
            .await
            .expect("patch web");
        let mut last_event_rv: Option<u64> = None;
        loop {
            let event = timeout(Duration::from_secs(10), stream.try_next())
                .await
                .expect("a watch event within 10 s")
                .expect("watch stream error")
                .expect("watch stream ended early");
            match event {
                WatchEvent::Modified(obj) => {
                    assert_eq!(name(&obj), "web");
                    assert_eq!(replicas(&obj), Some(4));
                    last_event_rv = Some(rv_number(&rv(&obj)));
                }
                WatchEvent::Bookmark(bm) => {
                    assert_eq!(bm.types.kind, "Rollout");
                    assert_eq!(bm.types.api_version, "argoproj.io/v1alpha1");
                    let at = rv_number(&bm.metadata.resource_version);
                    assert!(
                        at >= rv_number(&first_rv),
                        "bookmark {at} before the watch start {first_rv}"
                    );
                    if let Some(last) = last_event_rv {
                        assert!(at >= last, "bookmark {at} older than the last event {last}");
                        break;
                    }
                }
                other => panic!("unexpected watch event {other:?}"),
            }
        }
    });

    // The watch-list form: the initial state as ADDED, then the initial-events-end bookmark.
    rt.block_on(async {
        let mut stream = api
            .watch(&WatchParams::streaming_lists().timeout(60), "")
            .await
            .expect("watch-list")
            .boxed();
        let mut added_rv = None;
        loop {
            let event = timeout(Duration::from_secs(10), stream.try_next())
                .await
                .expect("a watch event within 10 s")
                .expect("watch stream error")
                .expect("watch stream ended early");
            match event {
                WatchEvent::Added(obj) => {
                    assert_eq!(name(&obj), "web");
                    assert!(added_rv.is_none(), "web sent twice");
                    added_rv = Some(rv_number(&rv(&obj)));
                }
                WatchEvent::Bookmark(bm) => {
                    if bm
                        .metadata
                        .annotations
                        .get("k8s.io/initial-events-end")
                        .map(String::as_str)
                        == Some("true")
                    {
                        let added =
                            added_rv.expect("the end bookmark came before the initial ADDED");
                        assert!(rv_number(&bm.metadata.resource_version) >= added);
                        break;
                    }
                }
                other => panic!("unexpected watch-list event {other:?}"),
            }
        }
    });

    rt.block_on(async {
        // Status subresource (Rollout has one): status changes, generation does not.
        let before = api.get("web").await.expect("get web");
        let generation = before.metadata.generation;
        assert_eq!(generation, Some(2), "one spec change since create");
        let patched = api
            .patch_status(
                "web",
                &PatchParams::default(),
                &Patch::Merge(json!({"status": {"phase": "Progressing", "replicas": 4}})),
            )
            .await
            .expect("patch_status");
        assert_eq!(patched.data.pointer("/status/phase"), Some(&json!("Progressing")));
        assert_eq!(patched.data.pointer("/status/replicas"), Some(&json!(4)));
        assert_eq!(patched.metadata.generation, generation);

        let mut desired = patched.clone();
        desired.data["status"]["phase"] = json!("Healthy");
        // Labels sent to /status are discarded: only status is taken from the request.
        desired.metadata.labels.get_or_insert_default().insert("tier".into(), "web".into());
        let replaced = api.replace_status("web", &PostParams::default(), &desired).await.expect("replace_status");
        assert_eq!(replaced.data.pointer("/status/phase"), Some(&json!("Healthy")));
        assert_eq!(replaced.metadata.generation, generation);
        let labels = replaced.metadata.labels.clone().unwrap_or_default();
        assert!(!labels.contains_key("tier"), "a label written through /status: {labels:?}");
        let status_rv = rv(&replaced);
        assert_ne!(status_rv, rv(&patched), "a status change is a write");

        // Status sent to the main resource is ignored; a spec change there bumps generation.
        let main_patch = api
            .patch("web", &PatchParams::default(), &Patch::Merge(json!({"status": {"phase": "Degraded"}})))
            .await
            .expect("patch main resource");
        assert_eq!(main_patch.data.pointer("/status/phase"), Some(&json!("Healthy")));
        assert_eq!(main_patch.metadata.generation, generation);
        let mut desired = main_patch.clone();
        desired.data["status"]["phase"] = json!("Degraded");
        desired.data["spec"]["replicas"] = json!(6);
        let main_put = api.replace("web", &PostParams::default(), &desired).await.expect("replace main resource");
        assert_eq!(main_put.data.pointer("/status/phase"), Some(&json!("Healthy")));
        assert_eq!(replicas(&main_put), Some(6));
        assert_eq!(main_put.metadata.generation, generation.map(|g| g + 1));
        let fetched = api.get_status("web").await.expect("get_status");
        assert_eq!(fetched.data.pointer("/status/phase"), Some(&json!("Healthy")));

        // Optimistic concurrency: a PUT carrying an old resourceVersion is a 409 Conflict.
        let mut stale = main_patch.clone();
        stale.data["spec"]["replicas"] = json!(7);
        let err = api_error(api.replace("web", &PostParams::default(), &stale).await.expect_err("stale replace"));
        assert_eq!(err.code, 409, "{err:?}");
        assert_eq!(err.reason, "Conflict", "{err:?}");
        assert_eq!(
            err.message,
            "Operation cannot be fulfilled on rollouts.argoproj.io \"web\": the object has been modified; \
             please apply your changes to the latest version and try again"
        );
        let err = api_error(
            api.replace_status("web", &PostParams::default(), &patched)
                .await
                .expect_err("stale replace_status"),
        );
        assert_eq!((err.code, err.reason.as_str()), (409, "Conflict"), "{err:?}");

        // Application has no status subresource: the main resource carries status (and a status
        // change bumps generation), and /status does not exist.
        let apps = applications(kube.clone());
        let app: DynamicObject = serde_json::from_value(json!({
            "apiVersion": "argoproj.io/v1alpha1",
            "kind": "Application",
            "metadata": {"name": "guestbook"},
            "spec": {
                "project": "default",
                "destination": {"server": "https://kubernetes.default.svc", "namespace": "guestbook"},
                "source": {"repoURL": "https://github.com/argoproj/argocd-example-apps", "path": "guestbook"}
            }
        }))
        .expect("application object");
        let app = apps.create(&PostParams::default(), &app).await.expect("create application");
        assert_eq!(app.metadata.generation, Some(1));
        let app = apps
            .patch(
                "guestbook",
                &PatchParams::default(),
                &Patch::Merge(json!({"status": {"sync": {"status": "Synced"}, "health": {"status": "Healthy"}}})),
            )
            .await
            .expect("patch application status through the main resource");
        assert_eq!(app.data.pointer("/status/sync/status"), Some(&json!("Synced")));
        assert_eq!(app.data.pointer("/status/health/status"), Some(&json!("Healthy")));
        assert_eq!(app.metadata.generation, Some(2));
        let err = api_error(
            apps.patch_status("guestbook", &PatchParams::default(), &Patch::Merge(json!({"status": {}})))
                .await
                .expect_err("Application has no status subresource"),
        );
        assert_eq!(err.code, 404, "{err:?}");
    });

    // An expired resourceVersion: the watch cache starts over at a restart, so a watch from an RV
    // before it is older than the window. Kubernetes answers 200 and one ERROR event (410).
    server.restart();
    let api = rollouts(rt.block_on(client(&server)));
    rt.block_on(async {
        let mut stream = api
            .watch(&WatchParams::default(), &first_rv)
            .await
            .expect("watch starts (HTTP 200)")
            .boxed();
        let event = timeout(Duration::from_secs(10), stream.try_next())
            .await
            .expect("a watch event within 10 s")
            .expect("watch stream error")
            .expect("watch stream ended without an event");
        match event {
            WatchEvent::Error(status) => {
                assert_eq!(status.code, 410, "{status:?}");
                assert_eq!(status.reason, "Expired", "{status:?}");
                assert!(
                    status.message.starts_with("too old resource version: "),
                    "{status:?}"
                );
            }
            other => panic!("expected an ERROR 410 event, got {other:?}"),
        }
        let rest = timeout(Duration::from_secs(10), stream.try_next())
            .await
            .expect("the stream ends after the error");
        assert!(
            matches!(rest, Ok(None)),
            "more after the ERROR event: {rest:?}"
        );
        // Data survived the restart.
        let web = api.get("web").await.expect("get web after restart");
        assert_eq!(replicas(&web), Some(6));
    });
}
