//! The AdmissionReview endpoints end to end, byte in, byte out: fixtures in the JSON
//! kube-apiserver sends, an index built from JSON projects, applications and rollouts, and an
//! injected clock.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use argo_webhooks::index::{Indexed, PolicyIndex};
use argo_webhooks::metrics::{Decision, Policy};
use argo_webhooks::review::{
    MAX_REVIEW_BYTES, NamespacePolicy, ReviewReply, WebhookConfig, Webhooks,
};
use argo_webhooks::tracking::TrackingMethod;
use base64::Engine as _;
use serde_json::{Value, json};

const CONTROLLER: &str = "system:serviceaccount:argocd:argocd-application-controller";
const ROLLOUTS: &str = "system:serviceaccount:argo-rollouts:argo-rollouts";

fn fixture(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path:?}: {e}"))
}

fn index() -> Arc<PolicyIndex> {
    let idx = PolicyIndex::new("argocd");
    let all = fixture("index.json");
    let list = |k: &str| all[k].as_array().expect(k).clone();
    idx.replace_all(Indexed::AppProject, &list("appprojects"));
    idx.replace_all(Indexed::Application, &list("applications"));
    idx.replace_all(Indexed::Rollout, &list("rollouts"));
    Arc::new(idx)
}

/// A settable clock (Unix seconds).
struct TestClock(Arc<AtomicI64>);

impl TestClock {
    fn set(&self, rfc3339: &str) {
        let ts: jiff::Timestamp = rfc3339.parse().expect("timestamp");
        self.0.store(ts.as_second(), Ordering::SeqCst);
    }
}

fn webhooks_with(config: WebhookConfig) -> (Webhooks, TestClock) {
    let secs = Arc::new(AtomicI64::new(0));
    let clock = TestClock(secs.clone());
    // A Wednesday noon, outside every window of the fixtures.
    clock.set("2025-03-05T12:00:00Z");
    let w = Webhooks::new(
        index(),
        config,
        Arc::new(move || {
            jiff::Timestamp::from_second(secs.load(Ordering::SeqCst)).expect("in range")
        }),
    );
    (w, clock)
}

fn webhooks() -> (Webhooks, TestClock) {
    webhooks_with(WebhookConfig::default())
}

/// Sets the member at `pointer`; its parent must exist (the member itself need not).
fn set(review: &mut Value, pointer: &str, value: Value) {
    let (parent, token) = pointer.rsplit_once('/').expect("a pointer");
    let key = token.replace("~1", "/").replace("~0", "~");
    let parent = review
        .pointer_mut(parent)
        .and_then(Value::as_object_mut)
        .unwrap_or_else(|| panic!("no object at {parent}"));
    parent.insert(key, value);
}

fn user(review: &mut Value, username: &str, groups: &[&str]) {
    set(
        review,
        "/request/userInfo",
        json!({"username": username, "groups": groups}),
    );
}

/// The decoded `response` of a 200 answer.
fn response(reply: &ReviewReply) -> Value {
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    let v: Value = serde_json::from_slice(&reply.body).expect("JSON");
    assert_eq!(v["apiVersion"], "admission.k8s.io/v1");
    assert_eq!(v["kind"], "AdmissionReview");
    assert!(v.get("request").is_none());
    v["response"].clone()
}

fn validate(w: &Webhooks, review: &Value) -> Value {
    validate_in(w, review, NamespacePolicy::Default)
}

fn validate_in(w: &Webhooks, review: &Value, policy: NamespacePolicy) -> Value {
    let body = serde_json::to_vec(review).expect("encode");
    let resp = response(&w.validate(&body, policy));
    assert_eq!(resp["uid"], review["request"]["uid"], "uid echoed");
    resp
}

fn assert_allowed(resp: &Value) {
    assert_eq!(resp["allowed"], true, "{resp}");
    assert!(resp.get("status").is_none(), "{resp}");
}

/// Asserts a refusal and returns its message.
fn assert_denied(resp: &Value) -> String {
    assert_eq!(resp["allowed"], false, "{resp}");
    assert_eq!(resp["status"]["code"], 403, "{resp}");
    assert_eq!(resp["status"]["reason"], "Forbidden", "{resp}");
    resp["status"]["message"]
        .as_str()
        .expect("message")
        .to_string()
}

fn warnings(resp: &Value) -> Vec<String> {
    resp["warnings"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|w| w.as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// A ConfigMap review tracked by `instance` in `namespace`.
fn tracked_configmap(instance: &str, namespace: &str, name: &str) -> Value {
    let mut r = fixture("create-configmap.json");
    set(&mut r, "/request/namespace", json!(namespace));
    set(&mut r, "/request/name", json!(name));
    set(
        &mut r,
        "/request/object/metadata/namespace",
        json!(namespace),
    );
    set(&mut r, "/request/object/metadata/name", json!(name));
    set(
        &mut r,
        "/request/object/metadata/annotations/argocd.argoproj.io~1tracking-id",
        json!(format!("{instance}:/ConfigMap:{namespace}/{name}")),
    );
    r
}

// ---------------------------------------------------------------------------------------------
// Garbage input

fn assert_status_error(reply: &ReviewReply, code: u16, reason: &str) -> String {
    assert_eq!(
        reply.status,
        code,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    let v: Value = serde_json::from_slice(&reply.body).expect("error body is JSON");
    assert_eq!(v["kind"], "Status");
    assert_eq!(v["apiVersion"], "v1");
    assert_eq!(v["status"], "Failure");
    assert_eq!(v["reason"], reason);
    assert_eq!(v["code"], code);
    v["message"].as_str().expect("message").to_string()
}

#[test]
fn garbage_gets_a_clean_400() {
    let (w, _) = webhooks();
    let mut no_uid = fixture("create-configmap.json");
    no_uid["request"].as_object_mut().unwrap().remove("uid");
    let mut wrong_version = fixture("create-configmap.json");
    set(
        &mut wrong_version,
        "/apiVersion",
        json!("admission.k8s.io/v1beta1"),
    );
    let mut wrong_kind = fixture("create-configmap.json");
    set(&mut wrong_kind, "/kind", json!("TokenReview"));
    let mut no_request = fixture("create-configmap.json");
    no_request.as_object_mut().unwrap().remove("request");
    let deep = "[".repeat(100_000);
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "not JSON",
            b"this is not json".to_vec(),
            "not an AdmissionReview",
        ),
        ("empty", Vec::new(), "not an AdmissionReview"),
        (
            "binary",
            vec![0xff, 0xfe, 0x00, 0x7b],
            "not an AdmissionReview",
        ),
        ("JSON array", b"[1,2,3]".to_vec(), "not an AdmissionReview"),
        ("deeply nested", deep.into_bytes(), "not an AdmissionReview"),
        (
            "request not an object",
            br#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":"x"}"#
                .to_vec(),
            "not an AdmissionReview",
        ),
        (
            "wrong apiVersion",
            serde_json::to_vec(&wrong_version).unwrap(),
            "admission.k8s.io/v1beta1",
        ),
        (
            "wrong kind",
            serde_json::to_vec(&wrong_kind).unwrap(),
            "TokenReview",
        ),
        (
            "no request",
            serde_json::to_vec(&no_request).unwrap(),
            "has no request",
        ),
        (
            "missing uid",
            serde_json::to_vec(&no_uid).unwrap(),
            "has no uid",
        ),
    ];
    for (what, body, needle) in cases {
        for reply in [
            w.validate(&body, NamespacePolicy::Default),
            w.validate(&body, NamespacePolicy::RolloutRequired),
            w.mutate(&body),
        ] {
            let message = assert_status_error(&reply, 400, "BadRequest");
            assert!(message.contains(needle), "{what}: {message}");
        }
    }
}

#[test]
fn ten_mib_gets_a_clean_413() {
    let (w, _) = webhooks();
    // A well-formed review whose object carries 10 MiB of data.
    let mut big = fixture("create-configmap.json");
    set(
        &mut big,
        "/request/object/data/blob",
        json!("x".repeat(10 * 1024 * 1024)),
    );
    let body = serde_json::to_vec(&big).unwrap();
    assert!(body.len() > MAX_REVIEW_BYTES);
    let message = assert_status_error(
        &w.validate(&body, NamespacePolicy::Default),
        413,
        "RequestEntityTooLarge",
    );
    assert!(message.contains("exceeds"), "{message}");
    assert_status_error(&w.mutate(&body), 413, "RequestEntityTooLarge");
    // Just under the limit is decoded.
    let mut fits = fixture("create-configmap.json");
    set(
        &mut fits,
        "/request/object/data/blob",
        json!("x".repeat(3 * 1024 * 1024)),
    );
    assert_allowed(&validate(&w, &fits));
}

// ---------------------------------------------------------------------------------------------
// Fast path

#[test]
fn untracked_objects_take_the_fast_path() {
    let (w, _) = webhooks();
    let resp = validate(&w, &fixture("create-configmap-untracked.json"));
    assert_allowed(&resp);
    assert_eq!(w.metrics().get(Policy::FastPath, Decision::Allow), 1);
    assert_eq!(w.metrics().get(Policy::ProjectRbac, Decision::Allow), 0);
    // Even a user with no role at all.
    let mut r = fixture("create-configmap-untracked.json");
    user(&mut r, "mallory", &[]);
    assert_allowed(&validate(&w, &r));
    assert_eq!(w.metrics().get(Policy::FastPath, Decision::Allow), 2);
    // A tracked object does not.
    assert_allowed(&validate(&w, &fixture("create-configmap.json")));
    assert_eq!(w.metrics().get(Policy::FastPath, Decision::Allow), 2);
    assert_eq!(w.metrics().get(Policy::ProjectRbac, Decision::Allow), 1);
    // Status subresource writes of a tracked Deployment are not policed.
    let mut status = fixture("update-deployment.json");
    set(&mut status, "/request/subResource", json!("status"));
    user(
        &mut status,
        "system:serviceaccount:kube-system:deployment-controller",
        &[],
    );
    assert_allowed(&validate(&w, &status));
    assert_eq!(w.metrics().get(Policy::FastPath, Decision::Allow), 3);
}

// ---------------------------------------------------------------------------------------------
// Project RBAC

#[test]
fn project_role_allows_create_update_and_delete() {
    let (w, _) = webhooks();
    assert_allowed(&validate(&w, &fixture("create-configmap.json")));
    assert_allowed(&validate(&w, &fixture("create-configmap-dryrun.json")));
    assert_allowed(&validate(&w, &fixture("update-deployment.json")));
    assert_allowed(&validate(&w, &fixture("delete-configmap.json")));
    assert_eq!(w.metrics().get(Policy::ProjectRbac, Decision::Allow), 4);
    assert_eq!(w.metrics().get(Policy::ProjectRbac, Decision::Deny), 0);
}

#[test]
fn a_user_without_a_role_is_refused_with_the_action() {
    let (w, _) = webhooks();
    for name in ["create-configmap.json", "create-configmap-dryrun.json"] {
        let mut r = fixture(name);
        user(&mut r, "bob@example.com", &["system:authenticated"]);
        let msg = assert_denied(&validate(&w, &r));
        assert_eq!(
            msg,
            "bob@example.com may not update//ConfigMap/shop/guestbook-config of Application guestbook (applications, shop/guestbook): no role of project 'shop' grants it"
        );
    }
    let mut r = fixture("delete-configmap.json");
    user(&mut r, "bob@example.com", &[]);
    let msg = assert_denied(&validate(&w, &r));
    assert!(
        msg.starts_with("bob@example.com may not delete//ConfigMap/shop/guestbook-config of Application guestbook"),
        "{msg}"
    );
    let mut r = fixture("update-deployment.json");
    user(&mut r, "bob@example.com", &[]);
    let msg = assert_denied(&validate(&w, &r));
    assert!(msg.contains("update/apps/Deployment/shop/web"), "{msg}");
    assert_eq!(w.metrics().get(Policy::ProjectRbac, Decision::Deny), 4);
}

#[test]
fn a_denying_role_is_named() {
    let (w, _) = webhooks();
    let mut r = fixture("create-configmap.json");
    user(&mut r, "carol", &["auditors", "team-a"]);
    let msg = assert_denied(&validate(&w, &r));
    assert!(
        msg.ends_with("denied by role 'auditor' of project 'shop'"),
        "{msg}"
    );
}

#[test]
fn a_role_bound_to_the_username_counts() {
    let (w, _) = webhooks();
    let mut r = fixture("create-configmap.json");
    user(&mut r, "team-a", &[]);
    assert_allowed(&validate(&w, &r));
}

#[test]
fn exempt_subjects_pass_roles_but_not_project_lists() {
    let (w, _) = webhooks();
    let mut r = fixture("create-configmap.json");
    user(&mut r, CONTROLLER, &["system:serviceaccounts"]);
    assert_allowed(&validate(&w, &r));

    // A blacklisted kind is refused even for the controller.
    let mut quota = fixture("create-configmap.json");
    user(&mut quota, CONTROLLER, &[]);
    set(&mut quota, "/request/kind/kind", json!("ResourceQuota"));
    set(
        &mut quota,
        "/request/resource/resource",
        json!("resourcequotas"),
    );
    set(&mut quota, "/request/object/kind", json!("ResourceQuota"));
    set(
        &mut quota,
        "/request/object/metadata/annotations/argocd.argoproj.io~1tracking-id",
        json!("guestbook:/ResourceQuota:shop/guestbook-config"),
    );
    let msg = assert_denied(&validate(&w, &quota));
    assert_eq!(
        msg,
        "resource :ResourceQuota is not permitted in project shop"
    );

    // A namespace outside the project's destinations.
    let mut r = tracked_configmap("guestbook", "other", "cm");
    user(&mut r, CONTROLLER, &[]);
    let msg = assert_denied(&validate(&w, &r));
    assert_eq!(msg, "namespace other is not permitted in project 'shop'");

    // Cluster-scoped: only whitelisted kinds.
    let mut role = fixture("create-configmap.json");
    user(&mut role, CONTROLLER, &[]);
    set(&mut role, "/request/namespace", json!(""));
    set(
        &mut role,
        "/request/kind",
        json!({"group": "rbac.authorization.k8s.io", "version": "v1", "kind": "ClusterRole"}),
    );
    set(
        &mut role,
        "/request/resource",
        json!({"group": "rbac.authorization.k8s.io", "version": "v1", "resource": "clusterroles"}),
    );
    set(&mut role, "/request/object/metadata/namespace", json!(null));
    set(
        &mut role,
        "/request/object/metadata/annotations/argocd.argoproj.io~1tracking-id",
        json!("guestbook:rbac.authorization.k8s.io/ClusterRole:shop/guestbook-config"),
    );
    assert_allowed(&validate(&w, &role));
    set(&mut role, "/request/kind/kind", json!("ClusterRoleBinding"));
    set(
        &mut role,
        "/request/object/metadata/annotations/argocd.argoproj.io~1tracking-id",
        json!("guestbook:rbac.authorization.k8s.io/ClusterRoleBinding:shop/guestbook-config"),
    );
    let msg = assert_denied(&validate(&w, &role));
    assert_eq!(
        msg,
        "resource rbac.authorization.k8s.io:ClusterRoleBinding is not permitted in project shop"
    );

    // Deleting a forbidden object is not refused for the lists (it removes the violation).
    let mut del = fixture("delete-configmap.json");
    user(&mut del, CONTROLLER, &[]);
    set(&mut del, "/request/namespace", json!("other"));
    set(
        &mut del,
        "/request/oldObject/metadata/namespace",
        json!("other"),
    );
    set(
        &mut del,
        "/request/oldObject/metadata/annotations/argocd.argoproj.io~1tracking-id",
        json!("guestbook:/ConfigMap:other/guestbook-config"),
    );
    assert_allowed(&validate(&w, &del));
}

#[test]
fn exempt_groups_are_configurable() {
    let (w, _) = webhooks_with(WebhookConfig {
        exempt_subjects: vec![],
        exempt_groups: vec!["gitops-bots".into()],
        ..WebhookConfig::default()
    });
    let mut r = fixture("create-configmap.json");
    user(&mut r, "bot", &["gitops-bots"]);
    assert_allowed(&validate(&w, &r));
    // The default controller is no longer exempt.
    user(&mut r, CONTROLLER, &[]);
    assert_denied(&validate(&w, &r));
}

#[test]
fn apps_outside_the_control_plane_use_qualified_names() {
    let (w, _) = webhooks();
    let mut r = tracked_configmap("team-b_teamapp", "shop", "cm");
    user(&mut r, "bob", &["team-b"]);
    assert_allowed(&validate(&w, &r));
    user(&mut r, "dave", &[]);
    let msg = assert_denied(&validate(&w, &r));
    assert!(
        msg.contains("of Application team-b/teamapp (applications, shop/team-b/teamapp)"),
        "{msg}"
    );
    // team-b's role does not cover guestbook.
    let mut r = tracked_configmap("guestbook", "shop", "cm");
    user(&mut r, "bob", &["team-b"]);
    assert_denied(&validate(&w, &r));
}

#[test]
fn a_copied_annotation_or_an_unknown_app_enforces_nothing() {
    let (w, _) = webhooks();
    // The tracking-id names another object: a copy, not managed.
    let mut r = fixture("create-configmap.json");
    user(&mut r, "mallory", &[]);
    set(&mut r, "/request/name", json!("copy"));
    set(&mut r, "/request/object/metadata/name", json!("copy"));
    assert_allowed(&validate(&w, &r));
    // The app is not in the index.
    let mut r = tracked_configmap("no-such-app", "shop", "cm");
    user(&mut r, "mallory", &[]);
    assert_allowed(&validate(&w, &r));
    assert_eq!(w.metrics().get(Policy::ProjectRbac, Decision::Deny), 0);
    // The instance label alone does not count with annotation tracking.
    let mut r = fixture("create-configmap-untracked.json");
    user(&mut r, "mallory", &[]);
    set(
        &mut r,
        "/request/object/metadata/labels/app.kubernetes.io~1instance",
        json!("guestbook"),
    );
    assert_allowed(&validate(&w, &r));
}

#[test]
fn label_tracking_reads_the_instance_label() {
    let (w, _) = webhooks_with(WebhookConfig {
        tracking_method: TrackingMethod::Label,
        ..WebhookConfig::default()
    });
    let mut r = fixture("create-configmap-untracked.json");
    user(&mut r, "mallory", &[]);
    set(
        &mut r,
        "/request/object/metadata/labels/app.kubernetes.io~1instance",
        json!("guestbook"),
    );
    let msg = assert_denied(&validate(&w, &r));
    assert!(msg.contains("of Application guestbook"), "{msg}");
    // A child with a controller owner is not tracked by the label it inherited.
    set(
        &mut r,
        "/request/object/metadata/ownerReferences",
        json!([{"apiVersion": "apps/v1", "kind": "Deployment", "name": "web", "uid": "u", "controller": true}]),
    );
    assert_allowed(&validate(&w, &r));
}

#[test]
fn removing_the_annotation_does_not_escape_the_old_owner() {
    let (w, _) = webhooks();
    let mut r = fixture("update-deployment.json");
    user(&mut r, "mallory", &[]);
    r["request"]["object"]["metadata"]["annotations"]
        .as_object_mut()
        .unwrap()
        .remove("argocd.argoproj.io/tracking-id");
    let msg = assert_denied(&validate(&w, &r));
    assert!(msg.contains("update/apps/Deployment/shop/web"), "{msg}");
}

#[test]
fn a_missing_project_allows_with_a_warning() {
    let (w, _) = webhooks();
    let mut r = tracked_configmap("orphan", "shop", "cm");
    user(&mut r, "mallory", &[]);
    let resp = validate(&w, &r);
    assert_allowed(&resp);
    assert_eq!(
        warnings(&resp),
        [
            "Application orphan references project gone which does not exist: project rules not enforced"
        ]
    );
    assert_eq!(w.metrics().get(Policy::ProjectRbac, Decision::Warn), 1);
}

#[test]
fn warn_mode_allows_with_a_warning() {
    let (w, clock) = webhooks();
    let mut r = tracked_configmap("lenient-app", "lenient", "cm");
    user(&mut r, "mallory", &[]);
    let resp = validate(&w, &r);
    assert_allowed(&resp);
    assert_eq!(
        warnings(&resp),
        [
            "managed by Application lenient-app: change it in Git (mallory may not update//ConfigMap/lenient/cm of Application lenient-app (applications, lenient/lenient-app): no role of project 'lenient' grants it)"
        ]
    );
    // In its deny window both refusals become warnings.
    clock.set("2025-03-05T22:30:00Z");
    let resp = validate(&w, &r);
    assert_allowed(&resp);
    let ws = warnings(&resp);
    assert_eq!(ws.len(), 2, "{ws:?}");
    assert!(ws[1].starts_with("managed by Application lenient-app: change it in Git (changes to objects managed by Application lenient-app are blocked by sync windows (deny window '0 22 * * *' (1h)) until 2025-03-05T23:00:00Z)"), "{ws:?}");
    assert_eq!(w.metrics().get(Policy::ProjectRbac, Decision::Warn), 2);
    assert_eq!(w.metrics().get(Policy::SyncWindow, Decision::Warn), 1);
    assert_eq!(w.metrics().get(Policy::ProjectRbac, Decision::Deny), 0);
}

// ---------------------------------------------------------------------------------------------
// Sync windows

fn nightly_review(user_name: &str, groups: &[&str]) -> Value {
    let mut r = tracked_configmap("nightly", "nightly", "cm");
    user(&mut r, user_name, groups);
    r
}

#[test]
fn a_deny_window_refuses_inside_its_open_interval_only() {
    let (w, clock) = webhooks();
    let r = nightly_review("olga", &["ops"]);
    // The window fires at 22:00 for 1h; active strictly between the fire time and its end.
    for (at, allowed) in [
        ("2025-03-05T21:59:59Z", true),
        ("2025-03-05T22:00:00Z", true),
        ("2025-03-05T22:00:01Z", false),
        ("2025-03-05T22:59:59Z", false),
        ("2025-03-05T23:00:00Z", true),
        ("2025-03-05T23:00:01Z", true),
    ] {
        clock.set(at);
        let resp = validate(&w, &r);
        if allowed {
            assert_allowed(&resp);
        } else {
            let msg = assert_denied(&resp);
            assert_eq!(
                msg,
                "changes to objects managed by Application nightly are blocked by sync windows (deny window '0 22 * * *' (1h) \"nightly freeze\") until 2025-03-05T23:00:00Z",
                "at {at}"
            );
        }
    }
    assert_eq!(w.metrics().get(Policy::SyncWindow, Decision::Deny), 2);
    assert_eq!(w.metrics().get(Policy::SyncWindow, Decision::Allow), 4);
}

#[test]
fn exempt_subjects_pass_a_window_only_with_manual_sync() {
    let (w, clock) = webhooks();
    clock.set("2025-03-05T22:30:00Z");
    // No manualSync: the controller is refused too.
    assert_denied(&validate(&w, &nightly_review(CONTROLLER, &[])));
    // manualSync: the controller passes, a user does not.
    let mut r = tracked_configmap("manual-ok", "manual", "cm");
    user(&mut r, CONTROLLER, &[]);
    assert_allowed(&validate(&w, &r));
    user(&mut r, "olga", &["ops"]);
    let msg = assert_denied(&validate(&w, &r));
    assert!(msg.contains("deny window '0 22 * * *' (1h)"), "{msg}");
}

#[test]
fn allow_windows_refuse_outside_and_allow_inside() {
    let (w, clock) = webhooks();
    let mut r = tracked_configmap("office-app", "office", "cm");
    user(&mut r, "olga", &["ops"]);
    // Wednesday 2025-03-05: open 09:00 to 17:00 (exclusive at both ends).
    for (at, allowed) in [
        ("2025-03-05T08:59:59Z", false),
        ("2025-03-05T09:00:00Z", false),
        ("2025-03-05T09:00:01Z", true),
        ("2025-03-05T16:59:59Z", true),
        ("2025-03-05T17:00:00Z", false),
        ("2025-03-05T17:00:01Z", false),
    ] {
        clock.set(at);
        let resp = validate(&w, &r);
        if allowed {
            assert_allowed(&resp);
        } else {
            let msg = assert_denied(&resp);
            assert!(
                msg.starts_with("changes to objects managed by Application office-app are blocked by sync windows (allow window '0 9 * * 1-5' (8h)) until 2025-03-0"),
                "at {at}: {msg}"
            );
        }
    }
    // Before the opening the block ends at that day's opening.
    clock.set("2025-03-05T08:59:59Z");
    let msg = assert_denied(&validate(&w, &r));
    assert!(msg.ends_with("until 2025-03-05T09:00:00Z"), "{msg}");
}

// ---------------------------------------------------------------------------------------------
// Rollout policy

#[test]
fn scaling_up_a_deployment_a_rollout_scales_down_is_refused() {
    let (w, _) = webhooks();
    let scale = fixture("scale-deployment.json");
    let msg = assert_denied(&validate(&w, &scale));
    assert_eq!(
        msg,
        "Deployment web is scaled down by Rollout web-rollout (spec.workloadRef.scaleDown: onsuccess): it cannot be scaled up from 0 to 5 replicas; scale the Rollout instead"
    );
    // The Rollouts controller may.
    let mut r = scale.clone();
    user(&mut r, ROLLOUTS, &[]);
    assert_allowed(&validate(&w, &r));
    // Scaling down is fine.
    let mut r = scale.clone();
    set(&mut r, "/request/oldObject/spec", json!({"replicas": 7}));
    assert_allowed(&validate(&w, &r));
    // scaleDown: never (Deployment api) carries no policy.
    let mut r = scale.clone();
    set(&mut r, "/request/name", json!("api"));
    assert_allowed(&validate(&w, &r));
    // The main resource, too.
    let mut r = fixture("update-deployment.json");
    set(&mut r, "/request/object/spec/replicas", json!(3));
    let msg = assert_denied(&validate(&w, &r));
    assert!(msg.contains("from 0 to 3 replicas"), "{msg}");
    assert_eq!(w.metrics().get(Policy::RolloutPolicy, Decision::Deny), 2);
}

#[test]
fn rollout_replicasets_change_only_through_the_controller() {
    let (w, _) = webhooks();
    let create = fixture("create-replicaset.json");
    let msg = assert_denied(&validate(&w, &create));
    assert_eq!(
        msg,
        "ReplicaSet web-rollout-6d4cf56db6 is owned by Rollout web-rollout: it changes only through the Argo Rollouts controller"
    );
    let mut r = create.clone();
    user(&mut r, ROLLOUTS, &[]);
    assert_allowed(&validate(&w, &r));
    // DELETE (the owner is on the old object).
    let mut del = create.clone();
    set(&mut del, "/request/operation", json!("DELETE"));
    let obj = del["request"]["object"].take();
    set(&mut del, "/request/oldObject", obj);
    assert_denied(&validate(&w, &del));
    // The garbage collector deletes it when the Rollout goes.
    user(
        &mut del,
        "system:serviceaccount:kube-system:generic-garbage-collector",
        &[],
    );
    assert_allowed(&validate(&w, &del));
    // A ReplicaSet owned by a Deployment is none of our business.
    let mut r = create.clone();
    set(
        &mut r,
        "/request/object/metadata/ownerReferences",
        json!([{"apiVersion": "apps/v1", "kind": "Deployment", "name": "web", "uid": "u", "controller": true}]),
    );
    assert_allowed(&validate(&w, &r));
    // replicasets/scale: a Scale has no owners; the name says whose it is.
    let mut sc = fixture("scale-deployment.json");
    set(&mut sc, "/request/resource/resource", json!("replicasets"));
    set(&mut sc, "/request/name", json!("web-rollout-6d4cf56db6"));
    let msg = assert_denied(&validate(&w, &sc));
    assert!(msg.contains("owned by Rollout web-rollout"), "{msg}");
    set(&mut sc, "/request/name", json!("web-7b9d8c5f4"));
    assert_allowed(&validate(&w, &sc));
}

#[test]
fn rollout_services_keep_their_hash_selector_and_stay() {
    let (w, _) = webhooks();
    let update = fixture("update-service.json");
    let msg = assert_denied(&validate(&w, &update));
    assert_eq!(
        msg,
        "Service web-stable is referenced by Rollout web-rollout: its selector rollouts-pod-template-hash is managed by the Argo Rollouts controller and cannot be removed or changed"
    );
    // Changing the hash is refused as well; keeping it is fine.
    let mut r = update.clone();
    set(
        &mut r,
        "/request/object/spec/selector",
        json!({"app": "web", "rollouts-pod-template-hash": "0000000000"}),
    );
    assert_denied(&validate(&w, &r));
    set(
        &mut r,
        "/request/object/spec/selector",
        json!({"app": "web", "tier": "front", "rollouts-pod-template-hash": "6d4cf56db6"}),
    );
    assert_allowed(&validate(&w, &r));
    // The controller switches it.
    let mut r = update.clone();
    user(&mut r, ROLLOUTS, &[]);
    assert_allowed(&validate(&w, &r));
    // A Service no Rollout references.
    let mut r = update.clone();
    set(&mut r, "/request/name", json!("unrelated"));
    assert_allowed(&validate(&w, &r));

    let delete = fixture("delete-service.json");
    let msg = assert_denied(&validate(&w, &delete));
    assert_eq!(
        msg,
        "Service web-stable cannot be deleted while Rollout web-rollout references it"
    );
    // Blue-green services are referenced too.
    let mut r = delete.clone();
    set(&mut r, "/request/name", json!("api-preview"));
    let msg = assert_denied(&validate(&w, &r));
    assert!(msg.contains("Rollout api references it"), "{msg}");
    let mut r = delete.clone();
    set(&mut r, "/request/name", json!("unrelated"));
    assert_allowed(&validate(&w, &r));
    let mut r = delete;
    user(&mut r, ROLLOUTS, &[]);
    assert_allowed(&validate(&w, &r));
}

#[test]
fn rollout_required_namespaces_refuse_running_deployments() {
    let (w, _) = webhooks();
    let create = fixture("create-deployment.json");
    let required = NamespacePolicy::RolloutRequired;
    let msg = assert_denied(&validate_in(&w, &create, required));
    assert_eq!(
        msg,
        "Deployment legacy has replicas > 0 in a namespace that requires Argo Rollouts (argoproj.io/rollout-policy: required): set replicas to 0 and reference it from a Rollout's spec.workloadRef"
    );
    // Everyone, the Argo CD controller included.
    let mut r = create.clone();
    user(&mut r, CONTROLLER, &[]);
    assert_denied(&validate_in(&w, &r, required));
    // Absent replicas default to 1.
    let mut r = create.clone();
    r["request"]["object"]["spec"]
        .as_object_mut()
        .unwrap()
        .remove("replicas");
    assert_denied(&validate_in(&w, &r, required));
    // Zero replicas, or a Deployment a Rollout references, pass.
    let mut r = create.clone();
    set(&mut r, "/request/object/spec/replicas", json!(0));
    assert_allowed(&validate_in(&w, &r, required));
    let mut r = create.clone();
    set(&mut r, "/request/name", json!("web"));
    assert_allowed(&validate_in(&w, &r, required));
    // The plain entry does not apply the rule.
    assert_allowed(&validate_in(&w, &create, NamespacePolicy::Default));
    // Scaling an unreferenced Deployment up through /scale.
    let mut sc = fixture("scale-deployment.json");
    set(&mut sc, "/request/name", json!("legacy"));
    assert_denied(&validate_in(&w, &sc, required));
    // A Deployment being deleted may lose its finalizers.
    let mut r = create;
    set(&mut r, "/request/operation", json!("UPDATE"));
    set(
        &mut r,
        "/request/object/metadata/deletionTimestamp",
        json!("2025-03-05T12:00:00Z"),
    );
    assert_allowed(&validate_in(&w, &r, required));
}

// ---------------------------------------------------------------------------------------------
// Mutation

fn mutate(w: &Webhooks, review: &Value) -> Value {
    let resp = response(&w.mutate(&serde_json::to_vec(review).unwrap()));
    assert_eq!(resp["uid"], review["request"]["uid"]);
    assert_eq!(resp["allowed"], true);
    resp
}

/// Decodes the patch, checks it applies to the object, and returns (patch, patched object).
fn applied(resp: &Value, review: &Value) -> (Value, Value) {
    assert_eq!(resp["patchType"], "JSONPatch", "{resp}");
    let raw = base64::engine::general_purpose::STANDARD
        .decode(resp["patch"].as_str().expect("patch"))
        .expect("base64");
    let patch_json: Value = serde_json::from_slice(&raw).expect("patch JSON");
    let patch: json_patch::Patch = serde_json::from_value(patch_json.clone()).expect("JSON Patch");
    let mut obj = review["request"]["object"].clone();
    json_patch::patch(&mut obj, &patch).expect("the patch applies");
    (patch_json, obj)
}

#[test]
fn annotation_tracking_mutates_nothing() {
    let (w, _) = webhooks();
    let resp = mutate(&w, &fixture("create-configmap.json"));
    assert!(
        resp.get("patch").is_none() && resp.get("patchType").is_none(),
        "{resp}"
    );
    assert_eq!(w.metrics().get(Policy::Mutate, Decision::Allow), 1);
}

#[test]
fn label_tracking_stamps_the_instance_label() {
    let (w, _) = webhooks_with(WebhookConfig {
        tracking_method: TrackingMethod::Label,
        ..WebhookConfig::default()
    });
    // Labels present, key absent: add one label.
    let review = fixture("create-configmap.json");
    let resp = mutate(&w, &review);
    let (patch, obj) = applied(&resp, &review);
    assert_eq!(
        patch,
        json!([{"op": "add", "path": "/metadata/labels/app.kubernetes.io~1instance", "value": "guestbook"}])
    );
    assert_eq!(
        obj["metadata"]["labels"],
        json!({"app": "guestbook", "app.kubernetes.io/instance": "guestbook"})
    );
    // No labels at all: add the map.
    let mut r = review.clone();
    r["request"]["object"]["metadata"]
        .as_object_mut()
        .unwrap()
        .remove("labels");
    let (patch, obj) = applied(&mutate(&w, &r), &r);
    assert_eq!(
        patch,
        json!([{"op": "add", "path": "/metadata/labels", "value": {"app.kubernetes.io/instance": "guestbook"}}])
    );
    assert_eq!(
        obj["metadata"]["labels"],
        json!({"app.kubernetes.io/instance": "guestbook"})
    );
    // A different value is replaced.
    let mut r = review.clone();
    set(
        &mut r,
        "/request/object/metadata/labels/app.kubernetes.io~1instance",
        json!("stale"),
    );
    let (patch, obj) = applied(&mutate(&w, &r), &r);
    assert_eq!(patch[0]["op"], "replace");
    assert_eq!(
        obj["metadata"]["labels"]["app.kubernetes.io/instance"],
        "guestbook"
    );
    // Already right: nothing.
    let mut r = review.clone();
    set(
        &mut r,
        "/request/object/metadata/labels/app.kubernetes.io~1instance",
        json!("guestbook"),
    );
    assert!(mutate(&w, &r).get("patch").is_none());
    // Not self-referencing (a copy), DELETE, or a subresource: nothing.
    let mut r = review.clone();
    set(&mut r, "/request/object/metadata/name", json!("copy"));
    set(&mut r, "/request/name", json!("copy"));
    assert!(mutate(&w, &r).get("patch").is_none());
    assert!(
        mutate(&w, &fixture("delete-configmap.json"))
            .get("patch")
            .is_none()
    );
    assert!(
        mutate(&w, &fixture("scale-deployment.json"))
            .get("patch")
            .is_none()
    );
    // UPDATE and dryRun are patched like CREATE.
    let upd = fixture("update-deployment.json");
    let (_, obj) = applied(&mutate(&w, &upd), &upd);
    assert_eq!(
        obj["metadata"]["labels"]["app.kubernetes.io/instance"],
        "guestbook"
    );
    let dry = fixture("create-configmap-dryrun.json");
    applied(&mutate(&w, &dry), &dry);
}

#[test]
fn label_values_follow_the_tracking_method_and_key() {
    let long_instance = format!("team-with-a-very-long-namespace-name_{}", "x".repeat(40));
    for (method, expected) in [
        (TrackingMethod::Label, long_instance.clone()),
        (
            TrackingMethod::AnnotationAndLabel,
            // Cut at 63, then the trailing non-alphanumerics trimmed.
            format!("team-with-a-very-long-namespace-name_{}", "x".repeat(26)),
        ),
    ] {
        let (w, _) = webhooks_with(WebhookConfig {
            tracking_method: method,
            instance_label_key: "example.com/app~instance".into(),
            ..WebhookConfig::default()
        });
        let r = tracked_configmap(&long_instance, "shop", "cm");
        let (patch, obj) = applied(&mutate(&w, &r), &r);
        assert_eq!(
            patch[0]["path"],
            "/metadata/labels/example.com~1app~0instance"
        );
        assert_eq!(
            obj["metadata"]["labels"]["example.com/app~instance"],
            json!(expected),
            "{method:?}"
        );
    }
    // Truncation that leaves a trailing separator trims it.
    let (w, _) = webhooks_with(WebhookConfig {
        tracking_method: TrackingMethod::AnnotationAndLabel,
        ..WebhookConfig::default()
    });
    let instance = format!("{}_-x", "a".repeat(61));
    let r = tracked_configmap(&instance, "shop", "cm");
    let (_, obj) = applied(&mutate(&w, &r), &r);
    assert_eq!(
        obj["metadata"]["labels"]["app.kubernetes.io/instance"],
        json!("a".repeat(61))
    );
}

// ---------------------------------------------------------------------------------------------
// Metrics and the wire shape

#[test]
fn metrics_text_counts_decisions() {
    let (w, _) = webhooks();
    validate(&w, &fixture("create-configmap-untracked.json"));
    validate(&w, &fixture("create-configmap.json"));
    let mut r = fixture("create-configmap.json");
    user(&mut r, "bob", &[]);
    validate(&w, &r);
    validate(&w, &fixture("delete-service.json"));
    mutate(&w, &fixture("create-configmap.json"));
    let text = w.metrics_text();
    assert!(
        text.starts_with("# HELP admission_decisions_total "),
        "{text}"
    );
    assert!(
        text.contains("\n# TYPE admission_decisions_total counter\n"),
        "{text}"
    );
    for line in [
        "admission_decisions_total{policy=\"fast-path\",decision=\"allow\"} 1",
        "admission_decisions_total{policy=\"project-rbac\",decision=\"allow\"} 1",
        "admission_decisions_total{policy=\"project-rbac\",decision=\"deny\"} 1",
        "admission_decisions_total{policy=\"project-rbac\",decision=\"warn\"} 0",
        "admission_decisions_total{policy=\"sync-window\",decision=\"allow\"} 1",
        "admission_decisions_total{policy=\"rollout-policy\",decision=\"deny\"} 1",
        "admission_decisions_total{policy=\"mutate\",decision=\"allow\"} 1",
    ] {
        assert!(text.lines().any(|l| l == line), "missing {line}:\n{text}");
    }
    assert_eq!(text.lines().count(), 2 + 5 * 3);
}

#[test]
fn a_refusal_has_the_v1_wire_shape() {
    let (w, _) = webhooks();
    let mut r = fixture("create-configmap.json");
    user(&mut r, "bob", &[]);
    let reply = w.validate(&serde_json::to_vec(&r).unwrap(), NamespacePolicy::Default);
    assert_eq!(reply.status, 200);
    let v: Value = serde_json::from_slice(&reply.body).unwrap();
    let resp = v["response"].as_object().unwrap();
    let mut keys: Vec<_> = resp.keys().cloned().collect();
    keys.sort();
    assert_eq!(keys, ["allowed", "status", "uid"]);
    assert_eq!(v["response"]["uid"], "0df28fbd-5f5f-11e8-b4e6-42010a800002");
    assert_eq!(v["response"]["status"]["status"], "Failure");
}

#[test]
fn index_updates_take_effect_at_once() {
    let (w, _) = webhooks();
    let mut r = fixture("create-configmap.json");
    user(&mut r, "bob", &[]);
    assert_denied(&validate(&w, &r));
    // The app is deleted: nothing left to enforce.
    w.index().remove(
        Indexed::Application,
        &json!({"metadata": {"name": "guestbook", "namespace": "argocd"}}),
    );
    assert_allowed(&validate(&w, &r));
    // The Rollout goes: its Service may be deleted.
    assert_denied(&validate(&w, &fixture("delete-service.json")));
    w.index().remove(
        Indexed::Rollout,
        &json!({"metadata": {"name": "web-rollout", "namespace": "shop"}}),
    );
    assert_allowed(&validate(&w, &fixture("delete-service.json")));
}

/// The pruned decoding the endpoints use gives every policy the same decision as the full one.
#[test]
fn pruned_and_full_decoding_decide_alike_on_every_fixture() {
    use argo_webhooks::review::{decode, decode_for_policies};
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).expect("fixtures") {
        let path = entry.expect("entry").path();
        if path.file_name().is_some_and(|n| n == "index.json") {
            continue;
        }
        let body = std::fs::read(&path).expect("fixture");
        let full = decode(&body).expect("full");
        let pruned = decode_for_policies(&body).expect("pruned");
        for method in [
            TrackingMethod::Annotation,
            TrackingMethod::Label,
            TrackingMethod::AnnotationAndLabel,
        ] {
            let (w, _) = webhooks_with(WebhookConfig {
                tracking_method: method,
                ..WebhookConfig::default()
            });
            for policy in [NamespacePolicy::Default, NamespacePolicy::RolloutRequired] {
                assert_eq!(
                    w.validate_request(&full, policy),
                    w.validate_request(&pruned, policy),
                    "{path:?} {policy:?}"
                );
            }
            assert_eq!(
                w.mutate_request(&full),
                w.mutate_request(&pruned),
                "{path:?}"
            );
        }
        seen += 1;
    }
    assert!(seen >= 5);
}

#[test]
fn an_operation_started_before_a_deny_window_runs_on_with_sync_overrun() {
    let (w, clock) = webhooks();
    let all = fixture("index.json");
    let nightly_window = |p: &&Value| {
        p["spec"]["syncWindows"]
            .as_array()
            .is_some_and(|ws| ws.iter().any(|x| x["applications"][0] == "nightly"))
    };
    let mut project = all["appprojects"]
        .as_array()
        .expect("projects")
        .iter()
        .find(nightly_window)
        .expect("the nightly project")
        .clone();
    assert_eq!(
        project["spec"]["syncWindows"][0]["applications"][0],
        "nightly"
    );
    project["spec"]["syncWindows"][0]["syncOverrun"] = json!(true);
    w.index().upsert(Indexed::AppProject, &project);
    let mut app = all["applications"]
        .as_array()
        .expect("applications")
        .iter()
        .find(|a| a["metadata"]["name"] == "nightly")
        .expect("the nightly app")
        .clone();
    app["status"] = json!({"operationState": {
        "phase": "Running",
        "startedAt": "2025-03-05T21:50:00Z",
        "operation": {"sync": {}, "initiatedBy": {"automated": true}}
    }});
    w.index().upsert(Indexed::Application, &app);
    clock.set("2025-03-05T22:30:00Z");
    // The controller finishing the operation that started before the window goes on.
    assert_allowed(&validate(&w, &nightly_review(CONTROLLER, &[])));
    // A person is refused as before.
    assert_denied(&validate(&w, &nightly_review("olga", &["ops"])));
    // An operation that started inside the window does not overrun it.
    app["status"]["operationState"]["startedAt"] = json!("2025-03-05T22:10:00Z");
    w.index().upsert(Indexed::Application, &app);
    assert_denied(&validate(&w, &nightly_review(CONTROLLER, &[])));
    // Without syncOverrun, the running operation does not help.
    app["status"]["operationState"]["startedAt"] = json!("2025-03-05T21:50:00Z");
    w.index().upsert(Indexed::Application, &app);
    project["spec"]["syncWindows"][0]["syncOverrun"] = json!(false);
    w.index().upsert(Indexed::AppProject, &project);
    assert_denied(&validate(&w, &nightly_review(CONTROLLER, &[])));
}
