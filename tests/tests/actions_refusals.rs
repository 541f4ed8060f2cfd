//! The action refusals and edge cases a user meets over HTTPS, as users the standalone authorizer
//! knows by client certificate: sync windows on the server's clock (manualSync, inactive allow
//! windows), two syncs racing, revision overrides, deleting and auto-synced Applications,
//! memoized resubmit by phase, and promote of paused blue-green and inconclusive canary Rollouts.
//! Every refusal is checked as a kube Status with upstream's message and no write.

use std::path::PathBuf;
use std::sync::Barrier;

use argo_tests::{Backend, HOLD_FINALIZER, RawResponse, Server, ServerOptions, write_file};
use serde_json::{Map, Value, json};

const V: &str = "1.33";
const APPS: &str = "/apis/argoproj.io/v1alpha1/namespaces/argocd/applications";

/// The cluster's rules: `dev` may sync and roll back, `admins` may also override (sync to another
/// revision), `ops` may only read. Custom verbs on `applications`, as Argo CD's model has them.
const POLICY: &str = r#"
- group: dev
  verbs: [get, list, watch, sync, rollback]
  apiGroups: [argoproj.io]
  resources: [applications]
- group: admins
  verbs: [get, list, watch, sync, rollback, override]
  apiGroups: [argoproj.io]
  resources: [applications]
- group: ops
  verbs: [get]
  apiGroups: [argoproj.io]
  resources: [applications]
"#;

struct Env {
    server: Server,
}

fn start() -> Env {
    let server = Server::start_with(
        Backend::Embedded,
        ServerOptions {
            policy: Some(POLICY.into()),
            ..Default::default()
        },
    );
    Env { server }
}

/// A user with a client certificate signed by the server's CA.
struct User<'a> {
    name: String,
    server: &'a Server,
    cert: PathBuf,
}

fn user<'a>(server: &'a Server, name: &str, groups: &[&str]) -> User<'a> {
    User {
        name: name.to_string(),
        server,
        cert: server.client_cert(name, groups),
    }
}

impl User<'_> {
    fn post(&self, path: &str, body: &Value) -> RawResponse {
        self.server.post_json_as(&self.cert, path, body)
    }

    fn act(&self, app: &str, action: &str, body: &Value) -> RawResponse {
        self.post(&format!("{APPS}/{app}/{action}"), body)
    }
}

fn forbidden(app: &str, why: &str) -> String {
    format!("applications.argoproj.io \"{app}\" is forbidden: {why}")
}

fn conflict(app: &str, why: &str) -> String {
    format!("Operation cannot be fulfilled on applications.argoproj.io \"{app}\": {why}")
}

fn rv(obj: &Value) -> String {
    let rv = obj["metadata"]["resourceVersion"].as_str().unwrap_or("");
    assert!(!rv.is_empty(), "no resourceVersion: {obj}");
    rv.to_string()
}

fn apply(server: &Server, name: &str, manifest: &Value) {
    let file = write_file(server, name, &manifest.to_string());
    server.kubectl_ok(V, &["apply", "-f", &file.display().to_string()]);
}

fn project(server: &Server, spec: Value) {
    let mut full = json!({
        "sourceRepos": ["*"],
        "destinations": [{"server": "*", "namespace": "*"}],
    });
    for (k, v) in spec.as_object().expect("project spec") {
        full[k] = v.clone();
    }
    apply(
        server,
        "project-team.json",
        &json!({
            "apiVersion": "argoproj.io/v1alpha1",
            "kind": "AppProject",
            "metadata": {"name": "team", "namespace": "argocd"},
            "spec": full,
        }),
    );
}

/// Creates Application `name` in project `team`, tracking `main`, with `extra` merged into it.
fn app(server: &Server, name: &str, extra: Value) {
    let mut manifest = json!({
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {"name": name, "namespace": "argocd"},
        "spec": {
            "project": "team",
            "destination": {"server": "https://kubernetes.default.svc", "namespace": name},
            "source": {"repoURL": "https://example.com/repo.git", "path": name, "targetRevision": "main"},
        },
    });
    json_merge(&mut manifest, &extra);
    apply(server, &format!("app-{name}.json"), &manifest);
}

/// RFC 7386 merge of `patch` into `target`.
fn json_merge(target: &mut Value, patch: &Value) {
    let Some(patch) = patch.as_object() else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = json!({});
    }
    let obj = target.as_object_mut().expect("object");
    for (k, v) in patch {
        if v.is_null() {
            obj.remove(k);
        } else {
            json_merge(obj.entry(k.clone()).or_insert(Value::Null), v);
        }
    }
}

fn get_app(server: &Server, name: &str) -> Value {
    server.kubectl_json(V, &["get", "application", name, "-n", "argocd"])
}

/// A merge patch of the Application (no status subresource), as the controller writes it.
fn patch_app(server: &Server, name: &str, patch: &Value) {
    server.kubectl_ok(
        V,
        &[
            "patch",
            "application",
            name,
            "-n",
            "argocd",
            "--type",
            "merge",
            "-p",
            &patch.to_string(),
        ],
    );
}

/// Asserts that `name` is still exactly as `before`: same resourceVersion, no operation.
fn assert_unwritten(server: &Server, name: &str, before: &Value) {
    let now = get_app(server, name);
    assert_eq!(rv(&now), rv(before), "a refused action wrote {name}");
    assert_eq!(now.get("operation"), before.get("operation"));
}

#[test]
fn sync_windows_manual_sync_and_inactive_allow_windows() {
    let env = start();
    let s = &env.server;
    project(
        s,
        json!({"syncWindows": [
            {"kind": "deny", "schedule": "0 10 * * *", "duration": "1h", "manualSync": true,
             "applications": ["manual", "mixed"]},
            {"kind": "deny", "schedule": "0 10 * * *", "duration": "1h",
             "applications": ["frozen", "mixed"]},
            {"kind": "allow", "schedule": "0 10 * * *", "duration": "1h",
             "applications": ["open"]},
        ]}),
    );
    for name in ["manual", "frozen", "mixed", "open"] {
        app(s, name, json!({}));
    }
    let alice = user(s, "alice", &["dev"]);
    let bob = user(s, "bob", &["ops"]);
    let deny_until_11 = "cannot sync: blocked by sync window deny window '0 10 * * *' (1h) until 2026-03-04T11:00:00Z";

    // Before the allow window opens: a sync must fall inside it.
    s.set_clock("2026-03-04T09:30:00Z");
    let before = get_app(s, "open");
    let r = alice.act("open", "sync", &json!({}));
    r.assert_status(
        403,
        "Forbidden",
        &forbidden(
            "open",
            "cannot sync: blocked by sync window allow window '0 10 * * *' (1h) until 2026-03-04T10:00:00Z",
        ),
    );
    assert_unwritten(s, "open", &before);

    s.set_clock("2026-03-04T10:30:00Z");
    // manualSync lets the (always manual) API sync through the deny window, but the user still
    // needs `sync`: the window check comes first, then RBAC.
    let before = get_app(s, "manual");
    let r = bob.act("manual", "sync", &json!({}));
    r.assert_status(
        403,
        "Forbidden",
        &forbidden(
            "manual",
            "permission denied: applications, sync, team/manual, sub: bob",
        ),
    );
    assert_unwritten(s, "manual", &before);
    let r = alice.act("manual", "sync", &json!({}));
    assert_eq!(r.code, 200, "{}", r.body);
    assert_eq!(r.json()["operation"]["initiatedBy"]["username"], "alice");
    assert_eq!(get_app(s, "manual")["operation"], r.json()["operation"]);

    // The same window without manualSync blocks, whoever asks (before RBAC is consulted).
    let before = get_app(s, "frozen");
    for who in [&alice, &bob] {
        let r = who.act("frozen", "sync", &json!({}));
        r.assert_status(403, "Forbidden", &forbidden("frozen", deny_until_11));
    }
    assert_unwritten(s, "frozen", &before);

    // manualSync helps only when every active deny window has it.
    let before = get_app(s, "mixed");
    let r = alice.act("mixed", "sync", &json!({}));
    r.assert_status(403, "Forbidden", &forbidden("mixed", deny_until_11));
    assert_unwritten(s, "mixed", &before);

    // Inside the allow window.
    let r = alice.act("open", "sync", &json!({}));
    assert_eq!(r.code, 200, "{}", r.body);
    patch_app(s, "open", &json!({"operation": null}));

    // Past the windows' end: the deny windows no longer apply, the allow window blocks again
    // until it next opens.
    s.set_clock("2026-03-04T11:05:00Z");
    for name in ["frozen", "mixed"] {
        let r = alice.act(name, "sync", &json!({}));
        assert_eq!(r.code, 200, "{name}: {}", r.body);
        assert_eq!(r.json()["operation"]["sync"]["revision"], "main");
    }
    let before = get_app(s, "open");
    let r = alice.act("open", "sync", &json!({}));
    r.assert_status(
        403,
        "Forbidden",
        &forbidden(
            "open",
            "cannot sync: blocked by sync window allow window '0 10 * * *' (1h) until 2026-03-05T10:00:00Z",
        ),
    );
    assert_unwritten(s, "open", &before);
}

#[test]
fn concurrent_syncs_exactly_one_wins() {
    let env = start();
    let s = &env.server;
    project(s, json!({}));
    app(s, "race", json!({}));
    let users = [user(s, "alice", &["dev"]), user(s, "dave", &["dev"])];

    for round in 0..5 {
        let barrier = Barrier::new(users.len());
        let answers: Vec<(String, RawResponse)> = std::thread::scope(|scope| {
            let handles: Vec<_> = users
                .iter()
                .map(|u| {
                    let barrier = &barrier;
                    scope.spawn(move || {
                        barrier.wait();
                        let body =
                            json!({"infos": [{"name": "round", "value": round.to_string()}]});
                        (u.name.clone(), u.act("race", "sync", &body))
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("a sync thread panicked"))
                .collect()
        });
        let won: Vec<&(String, RawResponse)> =
            answers.iter().filter(|(_, r)| r.code == 200).collect();
        let lost: Vec<&(String, RawResponse)> =
            answers.iter().filter(|(_, r)| r.code != 200).collect();
        assert_eq!(won.len(), 1, "round {round}: {answers:?}");
        assert_eq!(lost.len(), 1, "round {round}: {answers:?}");
        lost[0].1.assert_status(
            409,
            "Conflict",
            &conflict("race", "another operation is already in progress"),
        );
        // What is stored is the winner's operation, and nothing was written after it.
        let (winner, answer) = won[0];
        let answer = answer.json();
        let stored = get_app(s, "race");
        assert_eq!(stored["operation"], answer["operation"], "round {round}");
        assert_eq!(stored["operation"]["initiatedBy"]["username"], *winner);
        assert_eq!(
            stored["operation"]["info"],
            json!([{"name": "round", "value": round.to_string()}])
        );
        assert_eq!(rv(&stored), rv(&answer), "round {round}: the loser wrote");

        // The controller finishes the operation and clears it.
        patch_app(s, "race", &json!({"operation": null}));
        assert!(get_app(s, "race").get("operation").is_none());
    }
}

#[test]
fn revision_override_deleting_and_auto_sync() {
    let env = start();
    let s = &env.server;
    project(
        s,
        json!({"roles": [
            {"name": "releaser", "groups": ["releasers"], "policies": [
                "p, proj:team:releaser, applications, override, team/*, allow",
            ]},
        ]}),
    );
    let alice = user(s, "alice", &["dev"]);
    let frank = user(s, "frank", &["admins"]);
    let rita = user(s, "rita", &["dev", "releasers"]);

    // Another revision than the source's needs `override`; the tracked one does not.
    app(s, "web", json!({}));
    let before = get_app(s, "web");
    let r = alice.act("web", "sync", &json!({"revision": "v2"}));
    r.assert_status(
        403,
        "Forbidden",
        &forbidden(
            "web",
            "permission denied: applications, override, team/web, sub: alice",
        ),
    );
    assert_unwritten(s, "web", &before);
    let r = alice.post(
        &format!("{APPS}/web/sync?dryRun=All"),
        &json!({"revision": "main"}),
    );
    assert_eq!(r.code, 200, "{}", r.body);
    assert_unwritten(s, "web", &before);

    // The cluster grants override to admins.
    let r = frank.act("web", "sync", &json!({"revision": "v2"}));
    assert_eq!(r.code, 200, "{}", r.body);
    let op = &r.json()["operation"];
    assert_eq!(op["sync"]["revision"], "v2");
    assert_eq!(op["initiatedBy"]["username"], "frank");
    assert_eq!(get_app(s, "web")["operation"], *op);

    // A project role grants it to rita, whom the cluster lets only sync.
    app(s, "api", json!({}));
    let r = rita.act("api", "sync", &json!({"revision": "v3"}));
    assert_eq!(r.code, 200, "{}", r.body);
    assert_eq!(r.json()["operation"]["sync"]["revision"], "v3");
    assert_eq!(get_app(s, "api")["operation"]["sync"]["revision"], "v3");

    // A deleting Application (held by a finalizer) takes no new operation.
    app(
        s,
        "gone",
        json!({"metadata": {"finalizers": [HOLD_FINALIZER]}}),
    );
    s.kubectl_ok(
        V,
        &[
            "delete",
            "application",
            "gone",
            "-n",
            "argocd",
            "--wait=false",
        ],
    );
    let before = get_app(s, "gone");
    assert!(
        before["metadata"]["deletionTimestamp"].is_string(),
        "{before}"
    );
    let deleting = conflict("gone", "application is deleting");
    let r = alice.act("gone", "sync", &json!({}));
    r.assert_status(409, "Conflict", &deleting);
    let r = alice.act("gone", "rollback", &json!({"id": 1}));
    r.assert_status(409, "Conflict", &deleting);
    assert_unwritten(s, "gone", &before);

    // Auto-sync on: no manual switch of revision, no rollback.
    app(
        s,
        "auto",
        json!({"spec": {"syncPolicy": {"automated": {}}},
               "status": {"history": [{"id": 1, "revision": "abc123",
                   "deployedAt": "2026-03-01T00:00:00Z",
                   "source": {"repoURL": "https://example.com/repo.git", "path": "auto", "targetRevision": "v1"}}]}}),
    );
    let before = get_app(s, "auto");
    assert_eq!(before["spec"]["syncPolicy"]["automated"], json!({}));
    let r = frank.act("auto", "sync", &json!({"revision": "v2"}));
    r.assert_status(
        409,
        "Conflict",
        &conflict("auto", "Cannot sync to v2: auto-sync currently set to main"),
    );
    // Without override the permission is refused first.
    let r = alice.act("auto", "sync", &json!({"revision": "v2"}));
    r.assert_status(
        403,
        "Forbidden",
        &forbidden(
            "auto",
            "permission denied: applications, override, team/auto, sub: alice",
        ),
    );
    let r = alice.act("auto", "rollback", &json!({"id": 1}));
    r.assert_status(
        409,
        "Conflict",
        &conflict(
            "auto",
            "rollback cannot be initiated when auto-sync is enabled",
        ),
    );
    assert_unwritten(s, "auto", &before);
    // A sync to the tracked revision is still allowed with auto-sync on.
    let r = alice.act("auto", "sync", &json!({}));
    assert_eq!(r.code, 200, "{}", r.body);
    assert_eq!(r.json()["operation"]["sync"]["revision"], "main");
}

// ----- workflows -----

const WF_NS: &str = "ci";

/// Argo's `Workflow.NodeID`: the workflow's name for its root node, else `<wf>-<fnv32a(node)>`.
fn node_id(workflow: &str, node: &str) -> String {
    if node == workflow {
        return workflow.to_string();
    }
    let mut h: u32 = 0x811c_9dc5;
    for b in node.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    format!("{workflow}-{h}")
}

/// A two-step workflow `name` in `phase`: `build` succeeded, `test` failed.
fn workflow(name: &str, phase: &str) -> Value {
    let node = |suffix: &str, display: &str, kind: &str, phase: &str, extra: Value| {
        let full = format!("{name}{suffix}");
        let mut n = json!({
            "id": node_id(name, &full), "name": full, "displayName": display, "type": kind,
            "phase": phase, "startedAt": "2026-05-01T09:00:00Z",
            "finishedAt": "2026-05-01T09:05:00Z"
        });
        json_merge(&mut n, &extra);
        (node_id(name, &full), n)
    };
    let id = |suffix: &str| node_id(name, &format!("{name}{suffix}"));
    let nodes: Map<String, Value> = [
        node(
            "",
            name,
            "Steps",
            "Failed",
            json!({"templateName": "main", "children": [id("[0]")], "outboundNodes": [id("[1].test")]}),
        ),
        node(
            "[0]",
            "[0]",
            "StepGroup",
            "Succeeded",
            json!({"boundaryID": name, "templateName": "main", "children": [id("[0].build")]}),
        ),
        node(
            "[0].build",
            "build",
            "Pod",
            "Succeeded",
            json!({"boundaryID": name, "templateName": "build", "children": [id("[1]")]}),
        ),
        node(
            "[1]",
            "[1]",
            "StepGroup",
            "Failed",
            json!({"boundaryID": name, "templateName": "main", "children": [id("[1].test")]}),
        ),
        node(
            "[1].test",
            "test",
            "Pod",
            "Failed",
            json!({"boundaryID": name, "templateName": "test", "message": "Error (exit code 1)"}),
        ),
    ]
    .into_iter()
    .collect();
    json!({
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Workflow",
        "metadata": {"name": name, "namespace": WF_NS,
                     "labels": {"workflows.argoproj.io/phase": phase}},
        "spec": {
            "entrypoint": "main",
            "templates": [
                {"name": "main", "steps": [[{"name": "build", "template": "build"}], [{"name": "test", "template": "test"}]]},
                {"name": "build", "container": {"image": "golang:1.22", "command": ["make", "build"]}},
                {"name": "test", "container": {"image": "golang:1.22", "command": ["make", "test"]}}
            ]
        },
        "status": {"phase": phase, "startedAt": "2026-05-01T09:00:00Z", "nodes": nodes}
    })
}

fn workflows(server: &Server) -> Vec<Value> {
    let list = server.kubectl_json(V, &["get", "workflows", "-n", WF_NS]);
    list["items"].as_array().cloned().unwrap_or_default()
}

fn resubmit_memoized(server: &Server, name: &str) -> RawResponse {
    let file = write_file(server, "resubmit.json", r#"{"memoized": true}"#);
    server.raw(
        "POST",
        &format!("/apis/argoproj.io/v1alpha1/namespaces/{WF_NS}/workflows/{name}/resubmit"),
        Some("application/json"),
        Some(&file),
    )
}

#[test]
fn memoized_resubmit_only_from_failed() {
    let s = &Server::start(Backend::Embedded);
    // The node ids are upstream's (one from the other suite's fixture).
    assert_eq!(
        node_id("ci-7x2kq", "ci-7x2kq[0].build"),
        "ci-7x2kq-1276317665"
    );
    for (name, phase) in [
        ("running", "Running"),
        ("succeeded", "Succeeded"),
        ("failed", "Failed"),
    ] {
        let file = write_file(s, "wf.json", &workflow(name, phase).to_string());
        s.kubectl_ok(V, &["create", "-f", &file.display().to_string()]);
        let stored = s.kubectl_json(V, &["get", "workflow", name, "-n", WF_NS]);
        assert_eq!(stored["status"]["phase"], phase, "status is kept on create");
    }
    let before = workflows(s);
    assert_eq!(before.len(), 3);

    for name in ["running", "succeeded"] {
        let r = resubmit_memoized(s, name);
        r.assert_status(
            400,
            "BadRequest",
            "workflow must be Failed/Error to resubmit in memoized mode",
        );
    }
    assert_eq!(workflows(s), before, "a refused resubmit wrote");

    let r = resubmit_memoized(s, "failed");
    assert_eq!(r.code, 201, "{}", r.body);
    let new = r.json();
    let new_name = new["metadata"]["name"].as_str().expect("name").to_string();
    assert_ne!(new_name, "failed");
    assert_eq!(
        new["metadata"]["labels"]["workflows.argoproj.io/resubmitted-from-workflow"],
        "failed"
    );
    let nodes = new["status"]["nodes"].as_object().expect("nodes");
    assert_eq!(nodes.len(), 5, "{nodes:?}");
    let build_id = node_id(&new_name, &format!("{new_name}[0].build"));
    let build = &nodes[&build_id];
    assert_eq!(build["type"], "Skipped");
    assert_eq!(build["phase"], "Skipped");
    assert_eq!(build["name"], format!("{new_name}[0].build"));
    assert_eq!(
        build["message"],
        format!("original pod: {}", node_id("failed", "failed[0].build"))
    );
    let test = &nodes[&node_id(&new_name, &format!("{new_name}[1].test"))];
    assert_eq!(test["type"], "Pod");
    assert_eq!(test["phase"], "Pending");
    assert_eq!(nodes[&new_name]["phase"], "Pending");
    let stored = s.kubectl_json(V, &["get", "workflow", &new_name, "-n", WF_NS]);
    assert_eq!(stored["status"]["nodes"], new["status"]["nodes"]);
    assert_eq!(workflows(s).len(), 4);
}

// ----- rollouts -----

const RO_NS: &str = "demo";

fn rollout_path(name: &str, sub: &str) -> String {
    format!("/apis/argoproj.io/v1alpha1/namespaces/{RO_NS}/rollouts/{name}{sub}")
}

/// Creates Rollout `name` with `strategy` (and `spec.paused` if `paused`), then sets `status`
/// through `/status`, as the controller would have.
fn rollout(server: &Server, name: &str, strategy: Value, paused: bool, status: Value) -> Value {
    let mut spec = json!({
        "replicas": 2,
        "selector": {"matchLabels": {"app": name}},
        "template": {"metadata": {"labels": {"app": name}},
                     "spec": {"containers": [{"name": "app", "image": "app:2.0"}]}},
        "strategy": strategy,
    });
    if paused {
        spec["paused"] = json!(true);
    }
    let manifest = json!({
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Rollout",
        "metadata": {"name": name, "namespace": RO_NS},
        "spec": spec,
    });
    let file = write_file(server, "rollout.json", &manifest.to_string());
    server.kubectl_ok(V, &["create", "-f", &file.display().to_string()]);
    let file = write_file(
        server,
        "status.json",
        &json!({ "status": status }).to_string(),
    );
    let res = server.raw(
        "PATCH",
        &rollout_path(name, "/status"),
        Some("application/merge-patch+json"),
        Some(&file),
    );
    assert_eq!(res.code, 200, "{}", res.body);
    let ro = get_rollout(server, name);
    assert_eq!(ro["status"], status, "the status was not set as given");
    ro
}

fn get_rollout(server: &Server, name: &str) -> Value {
    server.kubectl_json(V, &["get", "rollout", name, "-n", RO_NS])
}

fn promote(server: &Server, name: &str, body: &Value) -> Value {
    let file = write_file(server, "promote.json", &body.to_string());
    let res = server.raw(
        "POST",
        &rollout_path(name, "/promote"),
        Some("application/json"),
        Some(&file),
    );
    assert_eq!(res.code, 200, "{}", res.body);
    let got = res.json();
    assert_eq!(got["kind"], "Rollout", "{got}");
    let stored = get_rollout(server, name);
    assert_eq!(stored["spec"], got["spec"], "the answer is what was stored");
    assert_eq!(
        stored["status"], got["status"],
        "the answer is what was stored"
    );
    got
}

#[test]
fn promote_paused_blue_green_and_inconclusive_canary() {
    let s = &Server::start(Backend::Embedded);
    let blue_green = json!({"blueGreen": {
        "activeService": "api-active", "previewService": "api-preview",
        "autoPromotionEnabled": false,
    }});

    // Held at the blue-green pause, and paused by hand too: promote resumes both ways.
    // controllerPause stays (the controller reads it without conditions as resumed), and there
    // are no steps to move through.
    rollout(
        s,
        "bg-paused",
        blue_green.clone(),
        true,
        json!({
            "pauseConditions": [{"reason": "BlueGreenPause", "startTime": "2026-05-01T09:00:00Z"}],
            "controllerPause": true,
            "currentPodHash": "6b7f8c",
            "stableRS": "5d9c4a",
        }),
    );
    let got = promote(s, "bg-paused", &json!({}));
    assert_eq!(got["status"].get("pauseConditions"), None, "{got}");
    assert_eq!(got["spec"]["paused"], false);
    assert_eq!(got["status"]["controllerPause"], true);
    assert_eq!(got["status"].get("currentStepIndex"), None, "{got}");
    assert_eq!(got["status"].get("promoteFull"), None, "{got}");

    // Fully promoting what is already stable: no promoteFull, only the manual pause lifted; then
    // nothing left to change, so nothing is written.
    let before = rollout(
        s,
        "bg-stable",
        blue_green,
        true,
        json!({"currentPodHash": "5d9c4a", "stableRS": "5d9c4a", "phase": "Healthy"}),
    );
    let got = promote(s, "bg-stable", &json!({"full": true}));
    assert_eq!(got["status"].get("promoteFull"), None, "{got}");
    assert_eq!(got["spec"]["paused"], false);
    assert_eq!(got["status"], before["status"]);
    let again = promote(s, "bg-stable", &json!({"full": true}));
    assert_eq!(rv(&again), rv(&got), "nothing to change, yet written");
    assert_eq!(again["status"].get("promoteFull"), None, "{again}");

    // A canary held by an inconclusive step analysis: the hold is lifted and the step skipped.
    rollout(
        s,
        "canary-inconclusive",
        json!({"canary": {"steps": [
            {"setWeight": 20},
            {"pause": {"duration": "1h"}},
            {"setWeight": 50},
        ]}}),
        false,
        json!({
            "currentStepIndex": 1,
            "controllerPause": true,
            "currentPodHash": "6b7f8c",
            "stableRS": "5d9c4a",
            "pauseConditions": [{"reason": "InconclusiveAnalysisRun", "startTime": "2026-05-01T09:00:00Z"}],
            "canary": {"currentStepAnalysisRunStatus": {
                "name": "canary-inconclusive-6b7f8c-1", "status": "Inconclusive"}},
        }),
    );
    let got = promote(s, "canary-inconclusive", &json!({}));
    assert_eq!(got["status"].get("pauseConditions"), None, "{got}");
    assert_eq!(got["status"]["controllerPause"], false);
    assert_eq!(got["status"]["currentStepIndex"], 2);
    assert_eq!(got["status"].get("promoteFull"), None, "{got}");
}
