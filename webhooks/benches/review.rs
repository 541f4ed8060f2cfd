//! Reference benchmark: AdmissionReviews per second through `Webhooks::validate`, single-threaded,
//! body bytes in and answer bytes out (decode, policies, encode).
//!
//! - fast path: an untracked ConfigMap (no index lookup at all);
//! - tracked: a ConfigMap managed by an Application whose project has 50 destinations (the
//!   matching one last), 20 roles (the user's group bound to the last) and 10 sync windows that
//!   all match the app (9 inactive deny windows and 1 active allow window, so every window is
//!   evaluated and the write is allowed);
//! - mutate: the tracked ConfigMap through `/mutate` with label tracking (a patch is produced).
//!
//! Run with `cargo bench -p argo-webhooks --bench review`. The HTTPS-level benchmark with
//! concurrent callers lives with the server.

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use argo_webhooks::index::{Indexed, PolicyIndex};
use argo_webhooks::review::{NamespacePolicy, WebhookConfig, Webhooks};
use argo_webhooks::tracking::TrackingMethod;
use serde_json::{Value, json};

fn project() -> Value {
    let mut destinations: Vec<Value> = (0..49)
        .map(|i| json!({"server": format!("https://cluster-{i}.example.com"), "namespace": format!("team-{i}-*")}))
        .collect();
    destinations.push(json!({"server": "https://kubernetes.default.svc", "namespace": "shop"}));
    let roles: Vec<Value> = (0..20)
        .map(|i| {
            json!({
                "name": format!("role-{i}"),
                "policies": [
                    format!("p, proj:bench:role-{i}, applications, get, bench/*, allow"),
                    format!("p, proj:bench:role-{i}, applications, sync, bench/app-{i}, allow"),
                    format!("p, proj:bench:role-{i}, applications, update/*, bench/*, allow"),
                ],
                "groups": [format!("group-{i}")]
            })
        })
        .collect();
    let mut windows: Vec<Value> = (0..9)
        .map(|h| json!({"kind": "deny", "schedule": format!("0 {h} * * *"), "duration": "1h", "applications": ["app"], "timeZone": "Europe/Paris"}))
        .collect();
    windows.push(json!({"kind": "allow", "schedule": "0 12 * * *", "duration": "1h", "applications": ["app"]}));
    json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "AppProject",
        "metadata": {"name": "bench", "namespace": "argocd"},
        "spec": {"sourceRepos": ["*"], "destinations": destinations, "roles": roles, "syncWindows": windows}
    })
}

fn review(tracked: bool) -> Vec<u8> {
    let mut annotations = json!({"kubectl.kubernetes.io/last-applied-configuration": "{}"});
    if tracked {
        annotations["argocd.argoproj.io/tracking-id"] = json!("app:/ConfigMap:shop/cm");
    }
    serde_json::to_vec(&json!({
        "kind": "AdmissionReview", "apiVersion": "admission.k8s.io/v1",
        "request": {
            "uid": "0df28fbd-5f5f-11e8-b4e6-42010a800002",
            "kind": {"group": "", "version": "v1", "kind": "ConfigMap"},
            "resource": {"group": "", "version": "v1", "resource": "configmaps"},
            "requestKind": {"group": "", "version": "v1", "kind": "ConfigMap"},
            "requestResource": {"group": "", "version": "v1", "resource": "configmaps"},
            "name": "cm", "namespace": "shop", "operation": "UPDATE",
            "userInfo": {"username": "alice", "groups": ["group-19", "system:authenticated"]},
            "object": {"kind": "ConfigMap", "apiVersion": "v1",
                "metadata": {"name": "cm", "namespace": "shop", "labels": {"app": "web"}, "annotations": annotations},
                "data": {"key": "value"}},
            "oldObject": {"kind": "ConfigMap", "apiVersion": "v1",
                "metadata": {"name": "cm", "namespace": "shop", "labels": {"app": "web"}, "annotations": annotations},
                "data": {"key": "old"}},
            "dryRun": false,
            "options": {"kind": "UpdateOptions", "apiVersion": "meta.k8s.io/v1"}
        }
    }))
    .expect("encode")
}

/// Runs `f` for about `budget` after a short warm-up and returns calls per second.
fn rate(budget: Duration, mut f: impl FnMut()) -> f64 {
    for _ in 0..1_000 {
        f();
    }
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < budget {
        for _ in 0..256 {
            f();
        }
        n += 256;
    }
    n as f64 / start.elapsed().as_secs_f64()
}

fn main() {
    let index = Arc::new(PolicyIndex::new("argocd"));
    index.upsert(Indexed::AppProject, &project());
    index.upsert(
        Indexed::Application,
        &json!({"metadata": {"name": "app", "namespace": "argocd"},
            "spec": {"project": "bench", "destination": {"server": "https://kubernetes.default.svc", "namespace": "shop"}}}),
    );
    // A fixed instant inside the allow window (12:00-13:00 UTC) and outside every deny window.
    let now: jiff::Timestamp = "2025-03-05T12:30:00Z".parse().expect("timestamp");
    let clock = Arc::new(move || now);
    let validating = Webhooks::new(index.clone(), WebhookConfig::default(), clock.clone());
    let mutating = Webhooks::new(
        index,
        WebhookConfig {
            tracking_method: TrackingMethod::AnnotationAndLabel,
            ..WebhookConfig::default()
        },
        clock,
    );

    let fast = review(false);
    let tracked = review(true);
    // Sanity: both are allowed, and the tracked one really went through the policies.
    for body in [&fast, &tracked] {
        let reply = validating.validate(body, NamespacePolicy::Default);
        let v: Value = serde_json::from_slice(&reply.body).expect("answer");
        assert_eq!(v["response"]["allowed"], true, "{v}");
    }
    let m = validating.metrics();
    use argo_webhooks::metrics::{Decision, Policy};
    assert_eq!(m.get(Policy::SyncWindow, Decision::Allow), 1);

    let budget = Duration::from_secs(3);
    let results = [
        (
            "fast path (untracked ConfigMap)",
            rate(budget, || {
                black_box(validating.validate(black_box(&fast), NamespacePolicy::Default));
            }),
            fast.len(),
        ),
        (
            "tracked (50 destinations, 20 roles, 10 windows)",
            rate(budget, || {
                black_box(validating.validate(black_box(&tracked), NamespacePolicy::Default));
            }),
            tracked.len(),
        ),
        (
            "mutate (tracked, annotation+label)",
            rate(budget, || {
                black_box(mutating.mutate(black_box(&tracked)));
            }),
            tracked.len(),
        ),
    ];
    for (name, per_sec, bytes) in results {
        println!(
            "{name:<50} {per_sec:>12.0} reviews/s  {:>8.2} µs/review  ({bytes} B body)",
            1e6 / per_sec
        );
    }
}
