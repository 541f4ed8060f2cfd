//! `applications/sync`, `applications/rollback` and `applications/terminate` over HTTPS, as
//! users the standalone authorizer knows by client certificate: the operation written, the
//! refusals as kube Status objects, project roles next to the cluster's rules, and sync windows
//! on the server's (test-settable) clock.

use std::path::PathBuf;

use argo_tests::{Backend, RawResponse, Server, ServerOptions, parse_json, write_file};
use serde_json::{Value, json};

const V: &str = "1.33";
const APPS: &str = "/apis/argoproj.io/v1alpha1/namespaces/argocd/applications";

/// The cluster's rules: `dev` may read applications and sync and roll them back (the Argo verbs
/// on `applications`, as `deploy/` grants them to `edit`), `ops` may only read them; other groups
/// get nothing from the cluster. Nobody is granted `create` on the subresources: that is only
/// the gate, which the standalone server leaves open for Application actions.
const POLICY: &str = r#"
- group: dev
  verbs: [get, list, watch, sync, rollback]
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

/// A client certificate for `user` in `groups`, signed by the server's CA.
fn user_cert(server: &Server, user: &str, groups: &[&str]) -> PathBuf {
    server.client_cert(user, groups)
}

fn action(app: &str, action: &str) -> String {
    format!("{APPS}/{app}/{action}")
}

/// Asserts a kube Status refusal with `code`, `reason` and a piece of its message.
fn assert_refused(r: &RawResponse, code: u16, reason: &str, says: &str) {
    let message = r.status(code, reason);
    assert!(message.contains(says), "{message:?} lacks {says:?}");
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
    for (k, v) in spec.as_object().unwrap() {
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

fn app(server: &Server, name: &str, project: &str) {
    apply(
        server,
        &format!("app-{name}.json"),
        &json!({
            "apiVersion": "argoproj.io/v1alpha1",
            "kind": "Application",
            "metadata": {"name": name, "namespace": "argocd"},
            "spec": {
                "project": project,
                "destination": {"server": "https://kubernetes.default.svc", "namespace": name},
                "source": {"repoURL": "https://example.com/repo.git", "path": name, "targetRevision": "main"},
            },
        }),
    );
}

fn get_app(server: &Server, name: &str) -> Value {
    server.kubectl_json(V, &["get", "application", name, "-n", "argocd"])
}

/// A merge patch of the Application (no status subresource: status goes with the object), as
/// the controller writes it.
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

#[test]
fn sync_terminate_and_rollback_as_a_user() {
    let env = start();
    let s = &env.server;
    project(s, json!({}));
    app(s, "web", "team");
    let alice = user_cert(s, "alice", &["dev"]);

    let r = s.post_json_as(&alice, &action("web", "sync"), &json!({"prune": true}));
    assert_eq!(r.code, 200, "{}", r.body);
    let answered = r.json();
    assert_eq!(answered["kind"], "Application");
    assert_eq!(answered["operation"]["initiatedBy"]["username"], "alice");
    assert_eq!(answered["operation"]["sync"]["prune"], true);
    assert_eq!(answered["operation"]["sync"]["revision"], "main");
    let stored = get_app(s, "web");
    assert_eq!(stored["operation"], answered["operation"]);

    let r = s.post_json_as(&alice, &action("web", "sync"), &json!({}));
    assert_refused(
        &r,
        409,
        "Conflict",
        "another operation is already in progress",
    );

    // Requested but not started: nothing to terminate yet.
    let r = s.post_json_as(&alice, &action("web", "terminate"), &json!({}));
    assert_refused(&r, 409, "Conflict", "No operation is in progress");

    patch_app(
        s,
        "web",
        &json!({"status": {"operationState": {
            "operation": stored["operation"],
            "phase": "Running",
            "startedAt": "2026-03-04T10:00:00Z",
        }}}),
    );
    let r = s.post_json_as(&alice, &action("web", "terminate"), &json!({}));
    assert_eq!(r.code, 200, "{}", r.body);
    assert_eq!(r.json()["status"]["operationState"]["phase"], "Terminating");
    assert_eq!(
        get_app(s, "web")["status"]["operationState"]["phase"],
        "Terminating"
    );

    // The controller finished; history holds what was deployed.
    patch_app(
        s,
        "web",
        &json!({
            "operation": null,
            "status": {"operationState": null, "history": [
                {"id": 7, "revision": "abc123", "deployedAt": "2026-03-01T00:00:00Z",
                 "source": {"repoURL": "https://example.com/repo.git", "path": "web", "targetRevision": "v1"}},
            ]},
        }),
    );
    let r = s.post_json_as(&alice, &action("web", "rollback"), &json!({"id": 8}));
    assert_refused(
        &r,
        400,
        "BadRequest",
        "application argocd/web does not have deployment with id 8",
    );
    let r = s.post_json_as(&alice, &action("web", "rollback"), &json!({"id": 7}));
    assert_eq!(r.code, 200, "{}", r.body);
    let op = &r.json()["operation"];
    assert_eq!(op["sync"]["revision"], "abc123");
    assert_eq!(op["sync"]["source"]["targetRevision"], "v1");
    assert_eq!(op["sync"]["syncStrategy"], json!({"apply": {}}));
    assert_eq!(op["initiatedBy"]["username"], "alice");
}

#[test]
fn kubectl_create_raw_syncs_and_dry_run_writes_nothing() {
    let env = start();
    let s = &env.server;
    app(s, "web", "default");
    let body = write_file(s, "sync.json", r#"{"revision": "main"}"#);
    let body = body.display().to_string();
    let before = get_app(s, "web");

    let dry = format!("{}?dryRun=All", action("web", "sync"));
    let out = parse_json(&s.kubectl_ok(V, &["create", "--raw", &dry, "-f", &body]));
    assert_eq!(out["operation"]["initiatedBy"]["username"], "argo-admin");
    let after = get_app(s, "web");
    assert_eq!(
        after["metadata"]["resourceVersion"],
        before["metadata"]["resourceVersion"]
    );
    assert!(after.get("operation").is_none(), "a dry run wrote");

    let out =
        parse_json(&s.kubectl_ok(V, &["create", "--raw", &action("web", "sync"), "-f", &body]));
    assert_eq!(out["operation"]["sync"]["revision"], "main");
    assert!(get_app(s, "web")["operation"].is_object());
}

#[test]
fn project_roles_and_cluster_rules_combine() {
    let env = start();
    let s = &env.server;
    project(
        s,
        json!({"roles": [
            {"name": "deployer", "groups": ["deployers"], "policies": [
                "p, proj:team:deployer, applications, get, team/*, allow",
                "p, proj:team:deployer, applications, sync, team/*, allow",
            ]},
            {"name": "frozen", "groups": ["frozen"], "policies": [
                "p, proj:team:frozen, applications, sync, team/*, deny",
            ]},
        ]}),
    );
    app(s, "web", "team");
    app(s, "lost", "nowhere");

    // The cluster lets bob read, not sync; no role speaks for him.
    let bob = user_cert(s, "bob", &["ops"]);
    let r = s.post_json_as(&bob, &action("web", "sync"), &json!({}));
    assert_refused(
        &r,
        403,
        "Forbidden",
        "permission denied: applications, sync, team/web, sub: bob",
    );

    // A project role denying sync wins over the cluster's grant.
    let dave = user_cert(s, "dave", &["dev", "frozen"]);
    let r = s.post_json_as(&dave, &action("web", "sync"), &json!({}));
    assert_refused(
        &r,
        403,
        "Forbidden",
        "(denied by project role proj:team:frozen)",
    );

    // Nobody may learn about apps they cannot see: a stranger gets 403, alice 404.
    let erin = user_cert(s, "erin", &["nobody"]);
    let r = s.post_json_as(&erin, &action("ghost", "sync"), &json!({}));
    assert_refused(&r, 403, "Forbidden", "permission denied");
    let alice = user_cert(s, "alice", &["dev"]);
    let r = s.post_json_as(&alice, &action("ghost", "sync"), &json!({}));
    assert_refused(&r, 404, "NotFound", "\"ghost\" not found");

    // An app whose project does not exist gets upstream's vague answer.
    let r = s.post_json_as(&alice, &action("lost", "sync"), &json!({}));
    assert_refused(
        &r,
        400,
        "BadRequest",
        "app is not allowed in project \"nowhere\", or the project does not exist",
    );

    // A project role alone grants get and sync, with no cluster rule for carol.
    let carol = user_cert(s, "carol", &["deployers"]);
    let r = s.post_json_as(&carol, &action("web", "sync"), &json!({}));
    assert_eq!(r.code, 200, "{}", r.body);
    assert_eq!(r.json()["operation"]["initiatedBy"]["username"], "carol");
}

#[test]
fn sync_windows_follow_the_server_clock() {
    let env = start();
    let s = &env.server;
    project(
        s,
        json!({"syncWindows": [
            {"kind": "deny", "schedule": "0 10 * * *", "duration": "1h", "applications": ["web"]},
        ]}),
    );
    app(s, "web", "team");
    let alice = user_cert(s, "alice", &["dev"]);

    s.set_clock("2026-03-04T10:30:00Z");
    let r = s.post_json_as(&alice, &action("web", "sync"), &json!({}));
    assert_refused(
        &r,
        403,
        "Forbidden",
        "cannot sync: blocked by sync window deny window '0 10 * * *' (1h) until 2026-03-04T11:00:00Z",
    );
    assert!(get_app(s, "web").get("operation").is_none());

    // A window is open at its end instant: at 11:00 it no longer applies.
    s.set_clock("2026-03-04T11:00:00Z");
    let r = s.post_json_as(&alice, &action("web", "sync"), &json!({}));
    assert_eq!(r.code, 200, "{}", r.body);
}
