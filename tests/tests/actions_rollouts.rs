//! The Rollout actions as a user drives them over HTTP (`kubectl create --raw` and curl): promote
//! at a pause step, during a step, fully and with nothing to do; abort, retry, pause, resume,
//! restart; and the refusals, for each kubectl version and both backends.

use argo_tests::{
    Backend, KUBECTL_VERSIONS, Server, fixture_as, parse_json, version_tag, write_file,
};
use serde_json::{Value, json};

const NS: &str = "demo";

fn action_path(name: &str, action: &str) -> String {
    format!("/apis/argoproj.io/v1alpha1/namespaces/{NS}/rollouts/{name}/{action}")
}

/// POSTs `body` to an action with curl: the HTTP code and the answer as JSON.
fn post(server: &Server, name: &str, action: &str, query: &str, body: &Value) -> (u16, Value) {
    let file = write_file(server, "action-body.json", &body.to_string());
    let path = format!("{}{query}", action_path(name, action));
    let res = server.raw("POST", &path, Some("application/json"), Some(&file));
    (res.code, res.json())
}

/// `kubectl create --raw <action> -f <body>`: what kubectl prints, parsed.
fn kubectl_action(server: &Server, v: &str, name: &str, action: &str, body: &Value) -> Value {
    let file = write_file(server, "kubectl-body.json", &body.to_string());
    let file = file.to_string_lossy().into_owned();
    parse_json(&server.kubectl_ok(
        v,
        &["create", "--raw", &action_path(name, action), "-f", &file],
    ))
}

fn kubectl_action_err(server: &Server, v: &str, name: &str, action: &str, body: &Value) -> String {
    let file = write_file(server, "kubectl-body.json", &body.to_string());
    let file = file.to_string_lossy().into_owned();
    server.kubectl_err(
        v,
        &["create", "--raw", &action_path(name, action), "-f", &file],
    )
}

fn get(server: &Server, v: &str, name: &str) -> Value {
    server.kubectl_json(v, &["get", "rollout", name, "-n", NS])
}

/// Creates the canary fixture as `name` (two steps: setWeight 20, pause) with `status`, which the
/// controller would have written through `/status`.
fn canary(server: &Server, v: &str, name: &str, status: Value) {
    let file = fixture_as(
        server,
        "rollout.yaml",
        "rollout.yaml",
        &[("name: canary-demo\n", &format!("name: {name}\n"))],
    );
    server.kubectl_ok(v, &["create", "-f", &file]);
    set_status(server, name, status);
}

fn set_status(server: &Server, name: &str, status: Value) {
    let file = write_file(
        server,
        "status.json",
        &json!({ "status": status }).to_string(),
    );
    let path = format!("/apis/argoproj.io/v1alpha1/namespaces/{NS}/rollouts/{name}/status");
    let res = server.raw(
        "PATCH",
        &path,
        Some("application/merge-patch+json"),
        Some(&file),
    );
    assert_eq!(res.code, 200, "{}", res.body);
}

fn rv(obj: &Value) -> &str {
    obj["metadata"]["resourceVersion"].as_str().unwrap_or("")
}

fn promote_steps_through_a_canary(server: &Server, v: &str) {
    let name = format!("steps-{}", version_tag(v));
    canary(
        server,
        v,
        &name,
        json!({
            "currentStepIndex": 1,
            "controllerPause": true,
            "currentPodHash": "6b7f8c",
            "stableRS": "5d9c4a",
            "pauseConditions": [{"reason": "CanaryPauseStep", "startTime": "2026-05-01T09:00:00Z"}]
        }),
    );
    // At the pause step: the pause conditions go, controllerPause stays (that reads as resumed).
    let got = kubectl_action(server, v, &name, "promote", &json!({}));
    assert_eq!(got["kind"], "Rollout");
    assert_eq!(got["status"].get("pauseConditions"), None, "{got}");
    assert_eq!(got["status"]["controllerPause"], true);
    assert_eq!(got["status"]["currentStepIndex"], 1);
    assert_eq!(get(server, v, &name)["status"], got["status"]);

    // No pause condition: skip to the next step, never past the last.
    let got = kubectl_action(server, v, &name, "promote", &json!({}));
    assert_eq!(got["status"]["currentStepIndex"], 2);
    let (code, again) = post(server, &name, "promote", "", &json!({}));
    assert_eq!(code, 200, "{again}");
    assert_eq!(again["status"]["currentStepIndex"], 2);
    assert_eq!(rv(&again), rv(&got), "nothing to change, nothing written");

    // Fully: promoteFull for the controller, and the manual pause lifted.
    server.kubectl_ok(
        v,
        &[
            "patch",
            "rollout",
            &name,
            "-n",
            NS,
            "--type=merge",
            "-p",
            r#"{"spec":{"paused":true}}"#,
        ],
    );
    let (code, got) = post(server, &name, "promote", "", &json!({"full": true}));
    assert_eq!(code, 200, "{got}");
    assert_eq!(got["status"]["promoteFull"], true);
    assert_eq!(got["spec"]["paused"], false);
}

fn promote_with_nothing_to_do(server: &Server, v: &str) {
    let name = format!("bg-{}", version_tag(v));
    let manifest = json!({
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Rollout",
        "metadata": {"name": name, "namespace": NS},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": "api"}},
            "template": {"metadata": {"labels": {"app": "api"}},
                         "spec": {"containers": [{"name": "api", "image": "api:2.0"}]}},
            "strategy": {"blueGreen": {"activeService": "api-active", "previewService": "api-preview"}}
        }
    });
    let file = write_file(server, "bg.json", &manifest.to_string());
    server.kubectl_ok(v, &["create", "-f", &file.to_string_lossy()]);
    set_status(server, &name, json!({"phase": "Healthy"}));
    let before = get(server, v, &name);
    // Blue-green, neither paused nor holding a pause: promote succeeds and changes nothing.
    let (code, got) = post(server, &name, "promote", "", &json!({}));
    assert_eq!(code, 200, "{got}");
    assert_eq!(rv(&got), rv(&before));
    assert_eq!(got["status"], before["status"]);
    assert_eq!(got["spec"], before["spec"]);
}

fn abort_retry_pause_resume_restart(server: &Server, v: &str) {
    let name = format!("ops-{}", version_tag(v));
    canary(
        server,
        v,
        &name,
        json!({"currentStepIndex": 1, "controllerPause": true,
               "pauseConditions": [{"reason": "CanaryPauseStep", "startTime": "2026-05-01T09:00:00Z"}]}),
    );
    let got = kubectl_action(server, v, &name, "abort", &json!({}));
    assert_eq!(got["status"]["abort"], true);
    let got = kubectl_action(server, v, &name, "retry", &json!({}));
    assert_eq!(got["status"]["abort"], false);
    let got = kubectl_action(server, v, &name, "pause", &json!({}));
    assert_eq!(got["spec"]["paused"], true);
    let got = kubectl_action(server, v, &name, "resume", &json!({}));
    assert_eq!(got["spec"]["paused"], false);
    assert_eq!(got["status"].get("pauseConditions"), None);
    assert_eq!(get(server, v, &name)["spec"]["paused"], false);

    server.set_clock("2026-05-01T10:00:00Z");
    let got = kubectl_action(server, v, &name, "restart", &json!({"in": "30s"}));
    assert_eq!(got["spec"]["restartAt"], "2026-05-01T10:00:30Z");
    let got = kubectl_action(server, v, &name, "restart", &json!({}));
    assert_eq!(got["spec"]["restartAt"], "2026-05-01T10:00:00Z");
    server.clear_clock();

    let err = kubectl_action_err(server, v, &name, "restart", &json!({"in": "soon"}));
    assert!(
        err.contains(
            "Error from server (BadRequest): RolloutRestartRequest: invalid value for \"in\": time: invalid duration \"soon\""
        ),
        "{err}"
    );
    let (code, status) = post(server, &name, "restart", "", &json!({"in": "5d"}));
    assert_eq!(code, 400);
    assert_eq!(status["kind"], "Status");
    assert_eq!(status["reason"], "BadRequest");
}

fn refusals_and_dry_run(server: &Server, v: &str) {
    let (code, status) = post(server, "no-such-rollout", "promote", "", &json!({}));
    assert_eq!(code, 404, "{status}");
    assert_eq!(status["reason"], "NotFound");
    assert_eq!(
        status["message"],
        "rollouts.argoproj.io \"no-such-rollout\" not found"
    );
    let err = kubectl_action_err(server, v, "no-such-rollout", "abort", &json!({}));
    assert!(
        err.contains(
            "Error from server (NotFound): rollouts.argoproj.io \"no-such-rollout\" not found"
        ),
        "{err}"
    );

    let name = format!("dry-{}", version_tag(v));
    canary(server, v, &name, json!({"currentStepIndex": 0}));
    let (code, got) = post(server, &name, "promote", "?dryRun=All", &json!({}));
    assert_eq!(code, 200, "{got}");
    assert_eq!(got["status"]["currentStepIndex"], 1);
    assert_eq!(get(server, v, &name)["status"]["currentStepIndex"], 0);
}

fn action_flows(server: &Server) {
    for v in KUBECTL_VERSIONS {
        promote_steps_through_a_canary(server, v);
        promote_with_nothing_to_do(server, v);
        abort_retry_pause_resume_restart(server, v);
        refusals_and_dry_run(server, v);
    }
}

#[test]
fn embedded_store() {
    action_flows(&Server::start(Backend::Embedded));
}

#[test]
fn etcd_store() {
    action_flows(&Server::start(Backend::Etcd));
}
