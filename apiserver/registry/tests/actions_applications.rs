//! `applications/sync`, `applications/rollback` and `applications/terminate` against a real
//! (embedded) store: the operation they write, and each refusal in upstream's order, with the
//! cluster's answers and the time injected.

// The store's closures answer with the one `ApiError` (a whole Status), as the registry does.
#![allow(clippy::result_large_err)]

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use argo_apiserver_core::ApiError;
use argo_apiserver_core::params::{DeleteOptions, ReadMode, WriteOptions};
use argo_apiserver_registry::actions::{self, AccessReview, ActionContext, ActionSettings, Actor};
use argo_apiserver_registry::{Clock, Registry, RegistryOptions};
use argo_apiserver_storage::Store;
use argo_apiserver_storage::embedded::{EmbeddedOptions, EmbeddedStore};
use jiff::Timestamp;
use serde_json::{Value, json};

const NS: &str = "argocd";

struct Fixture {
    registry: Arc<Registry>,
    _dir: tempfile::TempDir,
}

async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    let store: Arc<dyn Store> = Arc::new(
        EmbeddedStore::open(&dir.path().join("db"), EmbeddedOptions::default()).expect("open"),
    );
    Fixture {
        registry: Registry::new(store, RegistryOptions::default()),
        _dir: dir,
    }
}

/// The cluster's authorization: allows exactly the listed `verb resource[/subresource]`, and
/// records every question.
#[derive(Default)]
struct TestAccess {
    allowed: HashSet<String>,
    asked: Mutex<Vec<String>>,
}

#[async_trait::async_trait]
impl AccessReview for TestAccess {
    async fn allowed(
        &self,
        verb: &str,
        resource: &str,
        subresource: &str,
        _namespace: &str,
        _name: &str,
    ) -> Result<bool, ApiError> {
        let key = if subresource.is_empty() {
            format!("{verb} {resource}")
        } else {
            format!("{verb} {resource}/{subresource}")
        };
        self.asked.lock().unwrap().push(key.clone());
        Ok(self.allowed.contains(&key))
    }
}

struct FixedClock(Timestamp);

impl Clock for FixedClock {
    fn now(&self) -> Timestamp {
        self.0
    }
}

/// Who asks, with what the cluster allows them, and when.
struct Caller {
    actor: Actor,
    access: TestAccess,
    settings: ActionSettings,
    now: Timestamp,
    dry_run: bool,
}

/// 2026-03-04 (a Wednesday) 10:30 UTC.
fn half_past_ten() -> Timestamp {
    "2026-03-04T10:30:00Z".parse().unwrap()
}

impl Caller {
    /// Alice in group `dev`: the cluster allows her to get applications and to sync and roll
    /// them back (the Argo verbs on `applications`).
    fn alice() -> Caller {
        Caller {
            actor: Actor {
                username: "alice".into(),
                groups: vec!["dev".into()],
            },
            access: TestAccess {
                allowed: [
                    "get applications".to_string(),
                    "sync applications".to_string(),
                    "rollback applications".to_string(),
                ]
                .into(),
                ..Default::default()
            },
            settings: ActionSettings::default(),
            now: half_past_ten(),
            dry_run: false,
        }
    }

    fn allow(mut self, what: &str) -> Caller {
        self.access.allowed.insert(what.into());
        self
    }

    fn deny(mut self, what: &str) -> Caller {
        self.access.allowed.remove(what);
        self
    }

    /// The cluster does not let her sync or roll back.
    fn request_denied(self) -> Caller {
        self.deny("sync applications").deny("rollback applications")
    }

    fn at(mut self, now: &str) -> Caller {
        self.now = now.parse().unwrap();
        self
    }

    async fn run(
        &self,
        f: &Fixture,
        name: &str,
        action: &str,
        body: Value,
    ) -> Result<Value, ApiError> {
        let clock = FixedClock(self.now);
        let ctx = ActionContext {
            registry: &f.registry,
            actor: &self.actor,
            access: &self.access,
            clock: &clock,
            settings: &self.settings,
            dry_run: self.dry_run,
            manager: None,
        };
        let apps = f.registry.kind("applications").unwrap();
        let r = actions::run(apps, Some(NS), name, action, body, &ctx).await?;
        Ok(serde_json::from_slice(&r.object).unwrap())
    }
}

fn project(name: &str, spec: Value) -> Value {
    json!({
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "AppProject",
        "metadata": {"name": name, "namespace": NS},
        "spec": spec,
    })
}

fn open_spec() -> Value {
    json!({
        "sourceRepos": ["*"],
        "destinations": [{"server": "*", "namespace": "*"}],
    })
}

fn role(name: &str, policies: &[&str], groups: &[&str]) -> Value {
    json!({"name": name, "policies": policies, "groups": groups})
}

fn window(kind: &str, schedule: &str, manual: bool) -> Value {
    json!({
        "kind": kind, "schedule": schedule, "duration": "1h",
        "applications": ["*"], "manualSync": manual,
    })
}

fn app(name: &str) -> Value {
    json!({
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {"name": name, "namespace": NS},
        "spec": {
            "project": "default",
            "destination": {"server": "https://kubernetes.default.svc", "namespace": "guestbook"},
            "source": {
                "repoURL": "https://example.com/repo.git",
                "path": "guestbook",
                "targetRevision": "main",
            },
            "syncPolicy": {
                "syncOptions": ["CreateNamespace=true"],
                "retry": {"limit": 2},
            },
        },
    })
}

async fn create_project(f: &Fixture, p: Value) {
    f.registry
        .kind("appprojects")
        .unwrap()
        .create(Some(NS), p, &WriteOptions::default())
        .await
        .expect("create project");
}

/// Creates the app, then writes `status` and `operation` as the controller would (create
/// drops them).
async fn create_app(f: &Fixture, mut a: Value, status: Value, operation: Value) {
    let apps = f.registry.kind("applications").unwrap();
    let name = a["metadata"]["name"].as_str().unwrap().to_string();
    a.as_object_mut().unwrap().remove("status");
    apps.create(Some(NS), a, &WriteOptions::default())
        .await
        .expect("create app");
    if status.is_null() && operation.is_null() {
        return;
    }
    apps.update_with(Some(NS), &name, false, None, |o| {
        if !status.is_null() {
            o["status"] = status.clone();
        }
        if !operation.is_null() {
            o["operation"] = operation.clone();
        }
        Ok(())
    })
    .await
    .expect("set status");
}

async fn stored(f: &Fixture, name: &str) -> Value {
    let b = f
        .registry
        .kind("applications")
        .unwrap()
        .get(Some(NS), name, ReadMode::Consistent)
        .await
        .expect("get");
    serde_json::from_slice(&b).unwrap()
}

async fn revision(f: &Fixture) -> i64 {
    f.registry.store().current_revision().await.expect("rev")
}

/// The default project, open, with `extra` merged into its spec; and app `guestbook`.
async fn setup(extra: Value) -> Fixture {
    setup_with_app(extra, app("guestbook"), json!(null), json!(null)).await
}

async fn setup_with_app(extra: Value, a: Value, status: Value, operation: Value) -> Fixture {
    let f = fixture().await;
    let mut spec = open_spec();
    for (k, v) in extra.as_object().unwrap() {
        spec[k] = v.clone();
    }
    create_project(&f, project("default", spec)).await;
    create_app(&f, a, status, operation).await;
    f
}

fn running_state() -> Value {
    json!({
        "operation": {"sync": {"revision": "abc"}, "initiatedBy": {"username": "bob"}},
        "phase": "Running",
        "startedAt": "2026-03-04T10:00:00Z",
    })
}

fn finished_state() -> Value {
    json!({
        "operation": {"sync": {"revision": "abc"}},
        "phase": "Succeeded",
        "startedAt": "2026-03-04T09:00:00Z",
        "finishedAt": "2026-03-04T09:01:00Z",
    })
}

/// Asserts a refusal: its code and a piece of its message, and that nothing was written.
async fn refused(f: &Fixture, r: Result<Value, ApiError>, code: u16, says: &str, before: i64) {
    let e = r.expect_err("refused");
    assert_eq!(e.code(), code, "{e}");
    assert!(
        e.status.message.contains(says),
        "{:?} lacks {says:?}",
        e.status.message
    );
    assert_eq!(revision(f).await, before, "a refusal wrote");
}

// ----- sync -----

#[tokio::test]
async fn sync_writes_the_operation_and_clears_the_last_state() {
    let f = setup_with_app(
        json!({}),
        app("guestbook"),
        json!({"operationState": finished_state(), "sync": {"status": "OutOfSync"}}),
        json!(null),
    )
    .await;
    let before = stored(&f, "guestbook").await;
    let body = json!({
        "prune": true,
        "infos": [{"name": "reason", "value": "hotfix"}],
        "strategy": {"apply": {"force": true}},
        "resources": [{"group": "apps", "kind": "Deployment", "name": "web"}],
    });
    let got = Caller::alice()
        .run(&f, "guestbook", "sync", body)
        .await
        .expect("sync");

    let op = &got["operation"];
    assert_eq!(op["initiatedBy"], json!({"username": "alice"}));
    assert_eq!(op["info"], json!([{"name": "reason", "value": "hotfix"}]));
    assert_eq!(op["retry"], json!({"limit": 2}), "the spec's retry");
    let s = &op["sync"];
    assert_eq!(s["revision"], "main", "the source's targetRevision");
    assert_eq!(s["source"], before["spec"]["source"]);
    assert_eq!(s["prune"], true);
    assert!(s.get("dryRun").is_none(), "false is left out, as upstream");
    assert_eq!(s["syncOptions"], json!(["CreateNamespace=true"]));
    assert_eq!(s["syncStrategy"], json!({"apply": {"force": true}}));
    assert_eq!(s["resources"][0]["name"], "web");
    assert!(s.get("sources").is_none() && s.get("manifests").is_none());

    assert!(got["status"].get("operationState").is_none());
    assert_eq!(
        got["status"]["sync"]["status"], "OutOfSync",
        "rest of status kept"
    );
    let rv = |v: &Value| {
        v["metadata"]["resourceVersion"]
            .as_str()
            .unwrap()
            .parse::<i64>()
            .unwrap()
    };
    assert!(rv(&got) > rv(&before));
    assert_eq!(stored(&f, "guestbook").await["operation"], got["operation"]);
}

#[tokio::test]
async fn sync_request_options_override_the_spec() {
    let f = setup(json!({})).await;
    let got = Caller::alice()
        .run(
            &f,
            "guestbook",
            "sync",
            json!({"syncOptions": ["Validate=false"], "retry": {"limit": 5}, "revision": "main"}),
        )
        .await
        .expect("sync");
    assert_eq!(
        got["operation"]["sync"]["syncOptions"],
        json!(["Validate=false"])
    );
    assert_eq!(got["operation"]["retry"], json!({"limit": 5}));
    // The spec's own revision needs no override.
    assert_eq!(got["operation"]["sync"]["revision"], "main");
}

#[tokio::test]
async fn sync_needs_get_first() {
    let f = setup(json!({})).await;
    let before = revision(&f).await;
    let r = Caller::alice()
        .deny("get applications")
        .run(&f, "guestbook", "sync", json!({}))
        .await;
    refused(
        &f,
        r,
        403,
        "permission denied: applications, get, default/guestbook, sub: alice",
        before,
    )
    .await;
}

#[tokio::test]
async fn missing_app_is_404_only_for_those_who_may_know() {
    let f = setup(json!({})).await;
    let e = Caller::alice()
        .run(&f, "nope", "sync", json!({}))
        .await
        .expect_err("missing");
    assert_eq!(e.code(), 404);
    let e = Caller::alice()
        .request_denied()
        .deny("get applications")
        .run(&f, "nope", "sync", json!({}))
        .await
        .expect_err("missing");
    assert_eq!(e.code(), 403, "{e}");
}

#[tokio::test]
async fn missing_project_is_vague_and_comes_after_get() {
    let f = fixture().await;
    let mut a = app("guestbook");
    a["spec"]["project"] = json!("secret");
    create_app(&f, a, json!(null), json!(null)).await;
    let before = revision(&f).await;
    let r = Caller::alice()
        .run(&f, "guestbook", "sync", json!({}))
        .await;
    refused(
        &f,
        r,
        400,
        "app is not allowed in project \"secret\", or the project does not exist",
        before,
    )
    .await;
    let r = Caller::alice()
        .deny("get applications")
        .run(&f, "guestbook", "sync", json!({}))
        .await;
    refused(
        &f,
        r,
        403,
        "permission denied: applications, get, secret/guestbook",
        before,
    )
    .await;
}

#[tokio::test]
async fn active_deny_window_blocks_and_names_itself() {
    let f = setup(json!({"syncWindows": [window("deny", "0 10 * * *", false)]})).await;
    let before = revision(&f).await;
    let r = Caller::alice()
        .run(&f, "guestbook", "sync", json!({}))
        .await;
    refused(
        &f,
        r,
        403,
        "cannot sync: blocked by sync window deny window '0 10 * * *' (1h) until 2026-03-04T11:00:00Z",
        before,
    )
    .await;
    // The window comes before the sync permission: a caller who may not sync hears about it.
    let r = Caller::alice()
        .request_denied()
        .run(&f, "guestbook", "sync", json!({}))
        .await;
    refused(&f, r, 403, "blocked by sync window", before).await;
    // The injected clock decides: after the window, the same sync goes through.
    Caller::alice()
        .at("2026-03-04T11:30:00Z")
        .run(&f, "guestbook", "sync", json!({}))
        .await
        .expect("sync after the window");
}

#[tokio::test]
async fn deny_window_with_manual_sync_lets_a_sync_through() {
    let f = setup(json!({"syncWindows": [window("deny", "0 10 * * *", true)]})).await;
    let got = Caller::alice()
        .run(&f, "guestbook", "sync", json!({}))
        .await
        .expect("manual sync allowed");
    assert_eq!(got["operation"]["initiatedBy"]["username"], "alice");
}

#[tokio::test]
async fn inactive_allow_windows_block() {
    let f = setup(json!({"syncWindows": [window("allow", "0 22 * * *", false)]})).await;
    let before = revision(&f).await;
    let r = Caller::alice()
        .run(&f, "guestbook", "sync", json!({}))
        .await;
    refused(
        &f,
        r,
        403,
        "blocked by sync window allow window '0 22 * * *' (1h) until 2026-03-04T22:00:00Z",
        before,
    )
    .await;
    Caller::alice()
        .at("2026-03-04T22:30:00Z")
        .run(&f, "guestbook", "sync", json!({}))
        .await
        .expect("inside the allow window");
}

#[tokio::test]
async fn sync_needs_sync_permission() {
    let f = setup(json!({})).await;
    let before = revision(&f).await;
    let r = Caller::alice()
        .request_denied()
        .run(&f, "guestbook", "sync", json!({}))
        .await;
    refused(
        &f,
        r,
        403,
        "permission denied: applications, sync, default/guestbook, sub: alice",
        before,
    )
    .await;
    // `sync` as a custom verb on applications grants it too.
    Caller::alice()
        .request_denied()
        .allow("sync applications")
        .run(&f, "guestbook", "sync", json!({}))
        .await
        .expect("custom verb");
}

#[tokio::test]
async fn project_role_deny_beats_the_cluster() {
    let f = setup(json!({"roles": [role(
        "no-sync",
        &["p, proj:default:no-sync, applications, sync, default/*, deny"],
        &["dev"],
    )]}))
    .await;
    let before = revision(&f).await;
    let r = Caller::alice()
        .allow("sync applications")
        .run(&f, "guestbook", "sync", json!({}))
        .await;
    refused(
        &f,
        r,
        403,
        "permission denied: applications, sync, default/guestbook, sub: alice (denied by project role proj:default:no-sync)",
        before,
    )
    .await;
    // Someone outside the role's groups is unaffected.
    let mut bob = Caller::alice();
    bob.actor = Actor {
        username: "bob".into(),
        groups: vec!["ops".into()],
    };
    bob.run(&f, "guestbook", "sync", json!({}))
        .await
        .expect("bob syncs");
}

#[tokio::test]
async fn project_role_allow_grants_without_cluster_rbac() {
    let f = setup(json!({"roles": [role(
        "deployer",
        &[
            "p, proj:default:deployer, applications, get, default/*, allow",
            "p, proj:default:deployer, applications, sync, default/*, allow",
        ],
        &["dev"],
    )]}))
    .await;
    let caller = Caller::alice().request_denied().deny("get applications");
    let got = caller
        .run(&f, "guestbook", "sync", json!({}))
        .await
        .expect("role grants get and sync");
    assert_eq!(got["operation"]["initiatedBy"]["username"], "alice");
    // A role answer needs no question to the cluster.
    assert!(caller.access.asked.lock().unwrap().is_empty());
}

#[tokio::test]
async fn another_revision_needs_override() {
    let f = setup(json!({})).await;
    let before = revision(&f).await;
    let r = Caller::alice()
        .run(&f, "guestbook", "sync", json!({"revision": "v2"}))
        .await;
    refused(
        &f,
        r,
        403,
        "permission denied: applications, override, default/guestbook",
        before,
    )
    .await;

    let mut lax = Caller::alice();
    lax.settings.require_override_for_revision_sync = false;
    let got = lax
        .run(&f, "guestbook", "sync", json!({"revision": "v2"}))
        .await
        .expect("override not required");
    assert_eq!(got["operation"]["sync"]["revision"], "v2");
}

#[tokio::test]
async fn override_with_permission_syncs_to_the_revision() {
    let f = setup(json!({})).await;
    let got = Caller::alice()
        .allow("override applications")
        .run(&f, "guestbook", "sync", json!({"revision": "v2"}))
        .await
        .expect("override");
    assert_eq!(got["operation"]["sync"]["revision"], "v2");
}

#[tokio::test]
async fn auto_sync_refuses_another_revision_unless_dry_run() {
    let mut a = app("guestbook");
    a["spec"]["syncPolicy"]["automated"] = json!({"prune": true});
    let f = setup_with_app(json!({}), a, json!(null), json!(null)).await;
    let before = revision(&f).await;
    let caller = Caller::alice().allow("override applications");
    let r = caller
        .run(&f, "guestbook", "sync", json!({"revision": "v2"}))
        .await;
    refused(
        &f,
        r,
        409,
        "Cannot sync to v2: auto-sync currently set to main",
        before,
    )
    .await;
    let got = caller
        .run(
            &f,
            "guestbook",
            "sync",
            json!({"revision": "v2", "dryRun": true}),
        )
        .await
        .expect("an Argo dry run is fine");
    assert_eq!(got["operation"]["sync"]["dryRun"], true);
}

#[tokio::test]
async fn disabled_auto_sync_does_not_conflict() {
    let mut a = app("guestbook");
    a["spec"]["syncPolicy"]["automated"] = json!({"enabled": false});
    let f = setup_with_app(json!({}), a, json!(null), json!(null)).await;
    Caller::alice()
        .allow("override applications")
        .run(&f, "guestbook", "sync", json!({"revision": "v2"}))
        .await
        .expect("auto-sync off");
}

#[tokio::test]
async fn local_manifests_need_override_and_no_auto_sync() {
    let mut a = app("guestbook");
    a["spec"]["syncPolicy"]["automated"] = json!({});
    let f = setup_with_app(json!({}), a, json!(null), json!(null)).await;
    let before = revision(&f).await;
    let body = json!({"manifests": ["apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"]});
    let r = Caller::alice()
        .run(&f, "guestbook", "sync", body.clone())
        .await;
    refused(&f, r, 403, "applications, override", before).await;
    let r = Caller::alice()
        .allow("override applications")
        .run(&f, "guestbook", "sync", body.clone())
        .await;
    refused(
        &f,
        r,
        409,
        "cannot use local sync when Automatic Sync Policy is enabled unless for dry run",
        before,
    )
    .await;
    let mut dry = body;
    dry["dryRun"] = json!(true);
    let got = Caller::alice()
        .allow("override applications")
        .run(&f, "guestbook", "sync", dry)
        .await
        .expect("local dry run");
    let s = &got["operation"]["sync"];
    assert_eq!(s["manifests"].as_array().map(Vec::len), Some(1));
    assert!(s.get("revision").is_none(), "a local sync has no revision");
}

#[tokio::test]
async fn deleting_app_cannot_sync() {
    let mut a = app("guestbook");
    a["metadata"]["finalizers"] = json!(["resources-finalizer.argocd.argoproj.io"]);
    let f = setup_with_app(json!({}), a, json!(null), json!(null)).await;
    f.registry
        .kind("applications")
        .unwrap()
        .delete(Some(NS), "guestbook", &DeleteOptions::default())
        .await
        .expect("delete");
    let before = revision(&f).await;
    let r = Caller::alice()
        .run(&f, "guestbook", "sync", json!({}))
        .await;
    refused(&f, r, 409, "application is deleting", before).await;
    let r = Caller::alice()
        .run(&f, "guestbook", "rollback", json!({"id": 1}))
        .await;
    refused(&f, r, 409, "application is deleting", before).await;
}

#[tokio::test]
async fn sync_refused_while_an_operation_is_set() {
    let f = setup_with_app(
        json!({}),
        app("guestbook"),
        json!({"operationState": running_state()}),
        json!({"sync": {"revision": "abc"}, "initiatedBy": {"username": "bob"}}),
    )
    .await;
    let before = revision(&f).await;
    let r = Caller::alice()
        .run(&f, "guestbook", "sync", json!({}))
        .await;
    refused(
        &f,
        r,
        409,
        "another operation is already in progress",
        before,
    )
    .await;
    assert_eq!(
        stored(&f, "guestbook").await["operation"]["initiatedBy"]["username"],
        "bob"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn of_two_concurrent_syncs_exactly_one_wins() {
    let f = Arc::new(setup(json!({})).await);
    // Two tasks on two threads, released together, so both read the app before either writes.
    let start = Arc::new(tokio::sync::Barrier::new(2));
    let spawn = |prune: bool| {
        let (f, start) = (f.clone(), start.clone());
        tokio::spawn(async move {
            let caller = Caller::alice();
            start.wait().await;
            caller
                .run(&f, "guestbook", "sync", json!({"prune": prune}))
                .await
        })
    };
    let (a, b) = (spawn(true), spawn(false));
    let (a, b) = (a.await.unwrap(), b.await.unwrap());
    let (won, lost) = match (a, b) {
        (Ok(w), Err(l)) | (Err(l), Ok(w)) => (w, l),
        (a, b) => panic!("expected one winner: {a:?} {b:?}"),
    };
    assert_eq!(lost.code(), 409);
    assert!(
        lost.status
            .message
            .contains("another operation is already in progress")
    );
    assert_eq!(stored(&f, "guestbook").await["operation"], won["operation"]);
}

#[tokio::test]
async fn dry_run_checks_everything_and_writes_nothing() {
    let f = setup(json!({})).await;
    let before = revision(&f).await;
    let mut caller = Caller::alice();
    caller.dry_run = true;
    let got = caller
        .run(&f, "guestbook", "sync", json!({}))
        .await
        .expect("dry run");
    assert_eq!(got["operation"]["initiatedBy"]["username"], "alice");
    assert_eq!(revision(&f).await, before);
    assert!(stored(&f, "guestbook").await.get("operation").is_none());
    // And still refuses what it would refuse.
    let r = caller
        .request_denied()
        .run(&f, "guestbook", "sync", json!({}))
        .await;
    refused(&f, r, 403, "applications, sync", before).await;
}

#[tokio::test]
async fn multi_source_sync_sets_revisions_per_source() {
    let mut a = app("guestbook");
    let spec = a["spec"].as_object_mut().unwrap();
    spec.remove("source");
    spec.insert(
        "sources".into(),
        json!([
            {"repoURL": "https://example.com/a.git", "path": "a", "targetRevision": "main"},
            {"repoURL": "https://example.com/b.git", "path": "b"},
        ]),
    );
    let f = setup_with_app(json!({}), a, json!(null), json!(null)).await;
    let before = revision(&f).await;
    let r = Caller::alice()
        .run(
            &f,
            "guestbook",
            "sync",
            json!({"revisions": ["x"], "sourcePositions": [3]}),
        )
        .await;
    refused(&f, r, 400, "source position is out of range", before).await;
    let r = Caller::alice()
        .run(
            &f,
            "guestbook",
            "sync",
            json!({"revisions": ["v9"], "sourcePositions": [2]}),
        )
        .await;
    refused(&f, r, 403, "applications, override", before).await;
    let got = Caller::alice()
        .allow("override applications")
        .run(
            &f,
            "guestbook",
            "sync",
            json!({"revisions": ["v9"], "sourcePositions": [2]}),
        )
        .await
        .expect("multi-source sync");
    let s = &got["operation"]["sync"];
    assert_eq!(s["revisions"], json!(["main", "v9"]));
    assert_eq!(s["sources"][1]["path"], "b");
    assert!(
        s.get("source").is_none(),
        "upstream sets source only for one source"
    );
}

#[tokio::test]
async fn unknown_action_and_bad_body() {
    let f = setup(json!({})).await;
    let e = Caller::alice()
        .run(&f, "guestbook", "explode", json!({}))
        .await
        .expect_err("no such action");
    assert_eq!(e.code(), 404);
    let e = Caller::alice()
        .run(&f, "guestbook", "sync", json!({"prune": "yes"}))
        .await
        .expect_err("bad body");
    assert_eq!(e.code(), 400);
    assert!(e.status.message.contains("ApplicationSyncRequest"), "{e}");
}

// ----- rollback -----

fn history() -> Value {
    json!([
        {"id": 1, "revision": "aaa", "deployedAt": "2026-03-01T00:00:00Z",
         "source": {"repoURL": "https://example.com/repo.git", "path": "old", "targetRevision": "v1"}},
        {"id": 2, "revision": "bbb", "deployedAt": "2026-03-02T00:00:00Z",
         "source": {"repoURL": "https://example.com/repo.git", "path": "guestbook", "targetRevision": "main"}},
        {"id": 3, "revision": "ccc", "deployedAt": "2026-03-03T00:00:00Z"},
    ])
}

async fn setup_history(a: Value, operation: Value) -> Fixture {
    setup_with_app(
        json!({}),
        a,
        json!({"history": history(), "operationState": finished_state()}),
        operation,
    )
    .await
}

#[tokio::test]
async fn rollback_syncs_to_the_history_entry_with_apply() {
    let f = setup_history(app("guestbook"), json!(null)).await;
    let got = Caller::alice()
        .run(&f, "guestbook", "rollback", json!({"id": 1, "prune": true}))
        .await
        .expect("rollback");
    let op = &got["operation"];
    assert_eq!(op["initiatedBy"], json!({"username": "alice"}));
    let s = &op["sync"];
    assert_eq!(s["revision"], "aaa");
    assert_eq!(s["source"]["path"], "old");
    assert_eq!(s["syncStrategy"], json!({"apply": {}}));
    assert_eq!(s["prune"], true);
    assert_eq!(s["syncOptions"], json!(["CreateNamespace=true"]));
    assert!(
        op.get("retry").is_none(),
        "rollback sets no retry, as upstream"
    );
    assert!(got["status"].get("operationState").is_none());
    assert_eq!(got["status"]["history"], history());
}

#[tokio::test]
async fn rollback_refusals_in_order() {
    let f = setup_history(app("guestbook"), json!(null)).await;
    let before = revision(&f).await;
    let r = Caller::alice()
        .run(&f, "guestbook", "rollback", json!({"id": 9}))
        .await;
    refused(
        &f,
        r,
        400,
        "application argocd/guestbook does not have deployment with id 9",
        before,
    )
    .await;
    let r = Caller::alice()
        .run(&f, "guestbook", "rollback", json!({"id": 3}))
        .await;
    refused(
        &f,
        r,
        409,
        "cannot rollback to revision deployed with Argo CD v0.11 or lower",
        before,
    )
    .await;
    let r = Caller::alice()
        .deny("get applications")
        .run(&f, "guestbook", "rollback", json!({"id": 1}))
        .await;
    refused(&f, r, 403, "applications, get", before).await;
    let e = Caller::alice()
        .run(&f, "guestbook", "rollback", json!({}))
        .await
        .expect_err("id is required");
    assert_eq!(e.code(), 400);
}

#[tokio::test]
async fn rollback_refused_with_auto_sync() {
    let mut a = app("guestbook");
    a["spec"]["syncPolicy"]["automated"] = json!({});
    let f = setup_history(a, json!(null)).await;
    let before = revision(&f).await;
    let r = Caller::alice()
        .run(&f, "guestbook", "rollback", json!({"id": 1}))
        .await;
    refused(
        &f,
        r,
        409,
        "rollback cannot be initiated when auto-sync is enabled",
        before,
    )
    .await;
}

#[tokio::test]
async fn rollback_permission_is_sync_unless_enforced() {
    let f = setup_history(app("guestbook"), json!(null)).await;
    let before = revision(&f).await;
    // Not enforced: whoever may sync may roll back.
    let r = Caller::alice()
        .request_denied()
        .run(&f, "guestbook", "rollback", json!({"id": 1}))
        .await;
    refused(
        &f,
        r,
        403,
        "permission denied: applications, sync, default/guestbook",
        before,
    )
    .await;
    let mut enforced = Caller::alice().request_denied().allow("sync applications");
    enforced.settings.enforce_rollback_permission = true;
    let r = enforced
        .run(&f, "guestbook", "rollback", json!({"id": 1}))
        .await;
    refused(
        &f,
        r,
        403,
        "permission denied: applications, rollback, default/guestbook",
        before,
    )
    .await;
    let enforced = enforced.allow("rollback applications");
    enforced
        .run(&f, "guestbook", "rollback", json!({"id": 1}))
        .await
        .expect("rollback permission");
}

#[tokio::test]
async fn rollback_with_sync_permission_when_not_enforced() {
    let f = setup_history(app("guestbook"), json!(null)).await;
    Caller::alice()
        .request_denied()
        .allow("sync applications")
        .run(&f, "guestbook", "rollback", json!({"id": 2}))
        .await
        .expect("sync permission suffices");
}

#[tokio::test]
async fn rollback_refused_while_an_operation_is_set() {
    let f = setup_history(app("guestbook"), json!({"sync": {"revision": "abc"}})).await;
    let before = revision(&f).await;
    let r = Caller::alice()
        .run(&f, "guestbook", "rollback", json!({"id": 1}))
        .await;
    refused(
        &f,
        r,
        409,
        "another operation is already in progress",
        before,
    )
    .await;
}

// ----- terminate -----

#[tokio::test]
async fn terminate_marks_the_running_operation() {
    let op = json!({"sync": {"revision": "abc"}, "initiatedBy": {"username": "bob"}});
    let f = setup_with_app(
        json!({}),
        app("guestbook"),
        json!({"operationState": running_state()}),
        op.clone(),
    )
    .await;
    let got = Caller::alice()
        .run(&f, "guestbook", "terminate", json!({}))
        .await
        .expect("terminate");
    assert_eq!(got["status"]["operationState"]["phase"], "Terminating");
    assert_eq!(
        got["operation"], op,
        "the operation stays for the controller"
    );
    assert_eq!(
        stored(&f, "guestbook").await["status"]["operationState"]["phase"],
        "Terminating"
    );
}

#[tokio::test]
async fn terminate_needs_an_operation_in_progress() {
    // No operation at all.
    let f = setup_with_app(
        json!({}),
        app("guestbook"),
        json!({"operationState": finished_state()}),
        json!(null),
    )
    .await;
    let before = revision(&f).await;
    let r = Caller::alice()
        .run(&f, "guestbook", "terminate", json!({}))
        .await;
    refused(
        &f,
        r,
        409,
        "Unable to terminate operation. No operation is in progress",
        before,
    )
    .await;
    // Requested but not yet started by the controller.
    let f = setup_with_app(
        json!({}),
        app("guestbook"),
        json!(null),
        json!({"sync": {}}),
    )
    .await;
    let before = revision(&f).await;
    let r = Caller::alice()
        .run(&f, "guestbook", "terminate", json!({}))
        .await;
    refused(&f, r, 409, "No operation is in progress", before).await;
}

#[tokio::test]
async fn terminate_needs_sync_permission() {
    let f = setup_with_app(
        json!({"roles": [role(
            "watchers",
            &["p, proj:default:watchers, applications, sync, default/guestbook, deny"],
            &["audit"],
        )]}),
        app("guestbook"),
        json!({"operationState": running_state()}),
        json!({"sync": {"revision": "abc"}}),
    )
    .await;
    let before = revision(&f).await;
    let r = Caller::alice()
        .request_denied()
        .run(&f, "guestbook", "terminate", json!({}))
        .await;
    refused(
        &f,
        r,
        403,
        "permission denied: applications, sync, default/guestbook",
        before,
    )
    .await;
    // A project role denying sync also denies terminate, despite the cluster's grant.
    let mut auditor = Caller::alice();
    auditor.actor.groups = vec!["audit".into()];
    let r = auditor.run(&f, "guestbook", "terminate", json!({})).await;
    refused(
        &f,
        r,
        403,
        "denied by project role proj:default:watchers",
        before,
    )
    .await;
    // Whoever may sync may terminate.
    Caller::alice()
        .request_denied()
        .allow("sync applications")
        .run(&f, "guestbook", "terminate", json!({}))
        .await
        .expect("sync permission");
}
