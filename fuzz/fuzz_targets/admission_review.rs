//! AdmissionReview bodies as kube-apiserver posts them to /validate, /validate/rollout-required
//! and /mutate, decided against an index of real projects, applications and rollouts.
#![no_main]

use std::sync::{Arc, LazyLock};

use argo_webhooks::index::{Indexed, PolicyIndex};
use argo_webhooks::review::{NamespacePolicy, ReviewReply, WebhookConfig, Webhooks};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

static WEBHOOKS: LazyLock<Webhooks> = LazyLock::new(|| {
    let index = PolicyIndex::new("argocd");
    let all: Value = serde_json::from_str(include_str!("../../webhooks/tests/fixtures/index.json"))
        .expect("the index fixture is JSON");
    for (kind, key) in [
        (Indexed::AppProject, "appprojects"),
        (Indexed::Application, "applications"),
        (Indexed::Rollout, "rollouts"),
    ] {
        index.replace_all(kind, all[key].as_array().expect(key));
    }
    // Inside a sync window of the fixtures' projects on some inputs, outside on others.
    let now: jiff::Timestamp = "2025-03-05T12:00:00Z".parse().expect("a timestamp");
    Webhooks::new(
        Arc::new(index),
        WebhookConfig::default(),
        Arc::new(move || now),
    )
});

/// Every answer is an HTTP status with a JSON body (a review, or a Status for bad requests).
fn check(reply: ReviewReply) {
    let body: Value = serde_json::from_slice(&reply.body)
        .unwrap_or_else(|e| panic!("answer {} is not JSON: {e}", reply.status));
    if reply.status == 200 {
        assert!(body["response"]["allowed"].is_boolean(), "{body}");
    }
}

fuzz_target!(|data: &[u8]| {
    check(WEBHOOKS.validate(data, NamespacePolicy::Default));
    check(WEBHOOKS.validate(data, NamespacePolicy::RolloutRequired));
    check(WEBHOOKS.mutate(data));
});
