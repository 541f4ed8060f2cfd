//! Rollout and Workflow actions against a real (embedded) store: what each action leaves in the
//! stored object (or creates), and the refusals, with upstream's wording.

// Every operation answers with the one `ApiError` (a whole Status), as the registry does.
#![allow(clippy::result_large_err)]

use std::sync::Arc;

use argo_apiserver_core::ApiError;
use argo_apiserver_core::params::WriteOptions;
use argo_apiserver_registry::actions::{self, AccessReview, ActionContext, ActionSettings, Actor};
use argo_apiserver_registry::{Clock, Registry, RegistryOptions, WriteResult};
use argo_apiserver_storage::Store;
use argo_apiserver_storage::embedded::{EmbeddedOptions, EmbeddedStore};
use serde_json::{Value, json};

const NOW: &str = "2026-03-04T05:06:07Z";
const USER: &str = "alice@example.com";

struct FixedClock;

impl Clock for FixedClock {
    fn now(&self) -> jiff::Timestamp {
        // Half a second past NOW: timestamps written must drop the fraction.
        let t: jiff::Timestamp = NOW.parse().expect("timestamp");
        t.checked_add(jiff::SignedDuration::from_millis(500))
            .expect("in range")
    }
}

struct AllowAll;

#[async_trait::async_trait]
impl AccessReview for AllowAll {
    async fn allowed(&self, _: &str, _: &str, _: &str, _: &str, _: &str) -> Result<bool, ApiError> {
        Ok(true)
    }
}

struct Fixture {
    registry: Arc<Registry>,
    actor: Actor,
    settings: ActionSettings,
    _dir: tempfile::TempDir,
}

async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    let store: Arc<dyn Store> = Arc::new(
        EmbeddedStore::open(&dir.path().join("db"), EmbeddedOptions::default()).expect("open"),
    );
    let registry = Registry::new(
        store,
        RegistryOptions {
            clock: Arc::new(FixedClock),
            ..RegistryOptions::default()
        },
    );
    Fixture {
        registry,
        actor: Actor {
            username: USER.into(),
            groups: vec!["system:authenticated".into()],
        },
        settings: ActionSettings::default(),
        _dir: dir,
    }
}

impl Fixture {
    async fn act_dry(
        &self,
        plural: &str,
        ns: &str,
        name: &str,
        action: &str,
        body: Value,
        dry_run: bool,
    ) -> Result<WriteResult, ApiError> {
        let ctx = ActionContext {
            registry: &self.registry,
            actor: &self.actor,
            access: &AllowAll,
            clock: &FixedClock,
            settings: &self.settings,
            dry_run,
            manager: Some("kubectl-argo"),
        };
        let kind = self.registry.kind(plural).expect("kind");
        actions::run(kind, Some(ns), name, action, body, &ctx).await
    }

    async fn act(
        &self,
        plural: &str,
        name: &str,
        action: &str,
        body: Value,
    ) -> Result<WriteResult, ApiError> {
        self.act_dry(plural, "apps", name, action, body, false)
            .await
    }

    /// Stores `obj` as a client would create it, status included (the controller's state).
    async fn put(&self, plural: &str, obj: Value) -> Value {
        let kind = self.registry.kind(plural).expect("kind");
        let name = obj["metadata"]["name"].as_str().expect("name").to_string();
        let status = obj.get("status").cloned();
        let created = parse(
            &kind
                .create(Some("apps"), obj, &WriteOptions::default())
                .await
                .expect("create")
                .object,
        );
        let Some(status) = status else {
            return created;
        };
        // Rollouts keep status behind /status: set it the way the controller would.
        let res = kind
            .update_with(Some("apps"), &name, false, None, |o| {
                o["status"] = status.clone();
                Ok(())
            })
            .await
            .expect("status");
        parse(&res.object)
    }

    async fn get(&self, plural: &str, name: &str) -> Value {
        self.registry
            .kind(plural)
            .expect("kind")
            .get_value(Some("apps"), name)
            .await
            .expect("get")
    }
}

fn parse(b: &[u8]) -> Value {
    serde_json::from_slice(b).expect("json")
}

fn rv(obj: &Value) -> &str {
    obj["metadata"]["resourceVersion"].as_str().expect("rv")
}

// ----- rollouts -----

fn canary(name: &str, status: Value) -> Value {
    json!({
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Rollout",
        "metadata": {"name": name, "namespace": "apps"},
        "spec": {
            "replicas": 5,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}
            },
            "strategy": {"canary": {
                "canaryService": "web-canary",
                "stableService": "web-stable",
                "steps": [
                    {"setWeight": 20},
                    {"pause": {}},
                    {"analysis": {"templates": [{"templateName": "success-rate"}]}},
                    {"setWeight": 60}
                ]
            }}
        },
        "status": status
    })
}

fn blue_green(name: &str, paused: bool, status: Value) -> Value {
    json!({
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Rollout",
        "metadata": {"name": name, "namespace": "apps"},
        "spec": {
            "replicas": 2,
            "paused": paused,
            "selector": {"matchLabels": {"app": "api"}},
            "template": {
                "metadata": {"labels": {"app": "api"}},
                "spec": {"containers": [{"name": "api", "image": "api:2.0"}]}
            },
            "strategy": {"blueGreen": {
                "activeService": "api-active",
                "previewService": "api-preview",
                "autoPromotionEnabled": false
            }}
        },
        "status": status
    })
}

#[tokio::test]
async fn promote_full_unpauses_and_sets_promote_full() {
    let f = fixture().await;
    let mut ro = canary(
        "web",
        json!({"currentPodHash": "7d9f", "stableRS": "5c4b", "currentStepIndex": 1,
               "pauseConditions": [{"reason": "CanaryPauseStep", "startTime": "2026-03-04T05:00:00Z"}],
               "controllerPause": true, "abort": true}),
    );
    ro["spec"]["paused"] = json!(true);
    f.put("rollouts", ro).await;
    let res = f
        .act("rollouts", "web", "promote", json!({"full": true}))
        .await
        .expect("promote");
    assert!(!res.created);
    let got = parse(&res.object);
    assert_eq!(got["spec"]["paused"], false);
    assert_eq!(got["status"]["promoteFull"], true);
    // Full promotion leaves the rest to the controller, which also clears the abort.
    assert_eq!(got["status"]["abort"], true);
    assert_eq!(got["status"]["currentStepIndex"], 1);
    assert_eq!(
        got["status"]["pauseConditions"][0]["reason"],
        "CanaryPauseStep"
    );
    assert_eq!(
        f.get("rollouts", "web").await["status"]["promoteFull"],
        true
    );
}

#[tokio::test]
async fn promote_full_of_a_promoted_rollout_changes_nothing() {
    let f = fixture().await;
    let before = f
        .put(
            "rollouts",
            canary(
                "web",
                json!({"currentPodHash": "5c4b", "stableRS": "5c4b", "currentStepIndex": 4}),
            ),
        )
        .await;
    let got = parse(
        &f.act("rollouts", "web", "promote", json!({"full": true}))
            .await
            .expect("promote")
            .object,
    );
    assert_eq!(rv(&got), rv(&before));
    assert_eq!(got["status"].get("promoteFull"), None);
}

#[tokio::test]
async fn promote_past_an_inconclusive_step_analysis_lifts_the_controller_pause() {
    let f = fixture().await;
    f.put(
        "rollouts",
        canary(
            "web",
            json!({
                "currentStepIndex": 2,
                "controllerPause": true,
                "pauseConditions": [{"reason": "InconclusiveAnalysisRun", "startTime": "2026-03-04T05:00:00Z"}],
                "canary": {"currentStepAnalysisRunStatus": {"name": "web-7d9f-2", "status": "Inconclusive"}}
            }),
        ),
    )
    .await;
    let got = parse(
        &f.act("rollouts", "web", "promote", json!({}))
            .await
            .expect("promote")
            .object,
    );
    assert_eq!(got["status"].get("pauseConditions"), None);
    assert_eq!(got["status"]["controllerPause"], false);
    assert_eq!(got["status"]["currentStepIndex"], 3);
    assert_eq!(got["spec"].get("paused"), None);
}

#[tokio::test]
async fn promote_at_a_pause_step_clears_the_conditions_only() {
    let f = fixture().await;
    let mut ro = canary(
        "web",
        json!({
            "currentStepIndex": 1,
            "controllerPause": true,
            "pauseConditions": [{"reason": "CanaryPauseStep", "startTime": "2026-03-04T05:00:00Z"}]
        }),
    );
    ro["spec"]["paused"] = json!(true);
    f.put("rollouts", ro).await;
    let got = parse(
        &f.act("rollouts", "web", "promote", json!({}))
            .await
            .expect("promote")
            .object,
    );
    assert_eq!(got["spec"]["paused"], false);
    assert_eq!(got["status"].get("pauseConditions"), None);
    // The controller reads "controllerPause and no condition" as resumed, and moves the index.
    assert_eq!(got["status"]["controllerPause"], true);
    assert_eq!(got["status"]["currentStepIndex"], 1);
}

#[tokio::test]
async fn promote_of_a_paused_blue_green_clears_its_pause_and_no_step_index() {
    let f = fixture().await;
    f.put(
        "rollouts",
        blue_green(
            "api",
            false,
            json!({"controllerPause": true,
                   "pauseConditions": [{"reason": "BlueGreenPause", "startTime": "2026-03-04T05:00:00Z"}]}),
        ),
    )
    .await;
    let got = parse(
        &f.act("rollouts", "api", "promote", json!({}))
            .await
            .expect("promote")
            .object,
    );
    assert_eq!(got["status"].get("pauseConditions"), None);
    assert_eq!(got["status"].get("currentStepIndex"), None);
    assert_eq!(got["status"]["controllerPause"], true);
}

#[tokio::test]
async fn promote_during_a_canary_step_moves_to_the_next_capped_at_the_end() {
    let f = fixture().await;
    // Unset index counts as 0.
    f.put("rollouts", canary("a", json!({"phase": "Progressing"})))
        .await;
    let got = parse(
        &f.act("rollouts", "a", "promote", json!({}))
            .await
            .expect("a")
            .object,
    );
    assert_eq!(got["status"]["currentStepIndex"], 1);

    f.put("rollouts", canary("b", json!({"currentStepIndex": 3})))
        .await;
    let got = parse(
        &f.act("rollouts", "b", "promote", json!({}))
            .await
            .expect("b")
            .object,
    );
    assert_eq!(got["status"]["currentStepIndex"], 4);

    let before = f
        .put("rollouts", canary("c", json!({"currentStepIndex": 4})))
        .await;
    let got = parse(
        &f.act("rollouts", "c", "promote", json!({}))
            .await
            .expect("c")
            .object,
    );
    assert_eq!(got["status"]["currentStepIndex"], 4);
    assert_eq!(rv(&got), rv(&before), "nothing to change, nothing written");
}

#[tokio::test]
async fn promote_of_an_aborted_canary_only_bumps_the_index() {
    let f = fixture().await;
    f.put(
        "rollouts",
        canary(
            "web",
            json!({"abort": true, "abortedAt": "2026-03-04T04:00:00Z", "currentStepIndex": 0}),
        ),
    )
    .await;
    let got = parse(
        &f.act("rollouts", "web", "promote", json!({}))
            .await
            .expect("promote")
            .object,
    );
    assert_eq!(got["status"]["abort"], true);
    assert_eq!(got["status"]["currentStepIndex"], 1);
}

#[tokio::test]
async fn promote_with_nothing_to_do_answers_the_object_unchanged() {
    let f = fixture().await;
    let before = f
        .put(
            "rollouts",
            blue_green("api", false, json!({"phase": "Healthy"})),
        )
        .await;
    let res = f
        .act("rollouts", "api", "promote", json!({}))
        .await
        .expect("promote");
    assert!(!res.created);
    let got = parse(&res.object);
    assert_eq!(rv(&got), rv(&before));
    assert_eq!(got["spec"], before["spec"]);
    assert_eq!(got["status"], before["status"]);
}

#[tokio::test]
async fn abort_retry_pause_resume_and_restart() {
    let f = fixture().await;
    f.put(
        "rollouts",
        canary(
            "web",
            json!({"currentStepIndex": 1, "controllerPause": true,
                   "pauseConditions": [{"reason": "CanaryPauseStep", "startTime": "2026-03-04T05:00:00Z"}]}),
        ),
    )
    .await;
    let obj = |r: Result<WriteResult, ApiError>| parse(&r.expect("action").object);

    let got = obj(f.act("rollouts", "web", "abort", json!({})).await);
    assert_eq!(got["status"]["abort"], true);
    let got = obj(f.act("rollouts", "web", "retry", json!({})).await);
    assert_eq!(got["status"]["abort"], false);

    let got = obj(f.act("rollouts", "web", "pause", json!({})).await);
    assert_eq!(got["spec"]["paused"], true);
    // The request's manager owns what the action changed.
    let owners: Vec<&Value> = got["metadata"]["managedFields"]
        .as_array()
        .expect("managedFields")
        .iter()
        .filter(|e| e["manager"] == "kubectl-argo" && e["operation"] == "Update")
        .collect();
    assert_eq!(owners.len(), 1, "{got}");
    assert!(
        owners[0]["fieldsV1"]["f:spec"]["f:paused"].is_object(),
        "{got}"
    );
    let got = obj(f.act("rollouts", "web", "resume", json!({})).await);
    assert_eq!(got["spec"]["paused"], false);
    assert_eq!(got["status"].get("pauseConditions"), None);
    assert_eq!(got["status"]["controllerPause"], true);

    let got = obj(f.act("rollouts", "web", "restart", json!({})).await);
    assert_eq!(got["spec"]["restartAt"], NOW);
    let got = obj(f
        .act("rollouts", "web", "restart", json!({"in": "1m30s"}))
        .await);
    assert_eq!(got["spec"]["restartAt"], "2026-03-04T05:07:37Z");
    // Go's ParseDuration takes a sign; upstream restarts at once for a time in the past.
    let got = obj(f
        .act("rollouts", "web", "restart", json!({"in": "-1h"}))
        .await);
    assert_eq!(got["spec"]["restartAt"], "2026-03-04T04:06:07Z");
}

#[tokio::test]
async fn restart_with_a_bad_delay_is_a_bad_request() {
    let f = fixture().await;
    f.put("rollouts", canary("web", json!({}))).await;
    for (delay, go_error) in [
        ("soon", "time: invalid duration \"soon\""),
        ("30", "time: missing unit in duration \"30\""),
        ("2d", "time: unknown unit \"d\" in duration \"2d\""),
    ] {
        let err = f
            .act("rollouts", "web", "restart", json!({"in": delay}))
            .await
            .expect_err(delay);
        assert_eq!(err.code(), 400, "{delay}");
        assert!(
            err.status.message.contains(go_error),
            "{}",
            err.status.message
        );
    }
    assert_eq!(
        f.get("rollouts", "web").await["spec"].get("restartAt"),
        None
    );
}

#[tokio::test]
async fn actions_on_a_missing_rollout_are_not_found() {
    let f = fixture().await;
    for action in ["promote", "abort", "retry", "restart", "pause", "resume"] {
        let err = f
            .act("rollouts", "nope", action, json!({}))
            .await
            .expect_err(action);
        assert_eq!(err.code(), 404, "{action}");
        assert_eq!(err.reason(), "NotFound");
        assert_eq!(
            err.status.message,
            "rollouts.argoproj.io \"nope\" not found"
        );
    }
}

#[tokio::test]
async fn dry_run_promote_answers_the_result_without_writing() {
    let f = fixture().await;
    f.put("rollouts", canary("web", json!({"currentStepIndex": 2})))
        .await;
    let res = f
        .act_dry("rollouts", "apps", "web", "promote", json!({}), true)
        .await
        .expect("dry run");
    assert_eq!(parse(&res.object)["status"]["currentStepIndex"], 3);
    assert_eq!(
        f.get("rollouts", "web").await["status"]["currentStepIndex"],
        2
    );
}

// ----- workflows -----

const WF: &str = "ci-7x2kq";
// Workflow.NodeID of the nodes below (fnv32a of the node name).
const ID_SG0: &str = "ci-7x2kq-705144679";
const ID_BUILD: &str = "ci-7x2kq-1276317665";
const ID_SG1: &str = "ci-7x2kq-772402250";
const ID_TEST: &str = "ci-7x2kq-134419464";
const ID_EXIT: &str = "ci-7x2kq-139836882";

/// fnv32a, to name the nodes of a workflow whose name is chosen at random.
fn node_id(wf: &str, node_name: &str) -> String {
    if wf == node_name {
        return wf.into();
    }
    let mut h: u32 = 0x811c_9dc5;
    for b in node_name.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    format!("{wf}-{h}")
}

fn node(
    id: &str,
    name: &str,
    display: &str,
    kind: &str,
    phase: &str,
    extra: Value,
) -> (String, Value) {
    let mut n = json!({
        "id": id, "name": name, "displayName": display, "type": kind, "phase": phase,
        "startedAt": "2026-03-04T04:00:00Z", "finishedAt": "2026-03-04T04:05:00Z"
    });
    if let (Some(n), Some(extra)) = (n.as_object_mut(), extra.as_object()) {
        n.extend(extra.clone());
    }
    (id.to_string(), n)
}

/// A two-step workflow as the controller leaves it: `build` succeeded, `test` failed, then the
/// exit handler ran.
fn failed_workflow() -> Value {
    let nodes: serde_json::Map<String, Value> = [
        node(WF, WF, WF, "Steps", "Failed", json!({"templateName": "main", "children": [ID_SG0], "outboundNodes": [ID_TEST], "message": "child 'ci-7x2kq-134419464' failed"})),
        node(ID_SG0, "ci-7x2kq[0]", "[0]", "StepGroup", "Succeeded", json!({"boundaryID": WF, "templateName": "main", "children": [ID_BUILD]})),
        node(ID_BUILD, "ci-7x2kq[0].build", "build", "Pod", "Succeeded", json!({"boundaryID": WF, "templateName": "build", "children": [ID_SG1], "hostNodeName": "node-1"})),
        node(ID_SG1, "ci-7x2kq[1]", "[1]", "StepGroup", "Failed", json!({"boundaryID": WF, "templateName": "main", "children": [ID_TEST], "message": "child 'ci-7x2kq-134419464' failed"})),
        node(ID_TEST, "ci-7x2kq[1].test", "test", "Pod", "Failed", json!({"boundaryID": WF, "templateName": "test", "message": "Error (exit code 1)"})),
        node(ID_EXIT, "ci-7x2kq.onExit", "ci-7x2kq.onExit", "Pod", "Succeeded", json!({"templateName": "notify"})),
    ]
    .into_iter()
    .collect();
    json!({
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Workflow",
        "metadata": {
            "name": WF,
            "generateName": "ci-",
            "namespace": "apps",
            "labels": {
                "app": "ci",
                "workflows.argoproj.io/completed": "true",
                "workflows.argoproj.io/phase": "Failed",
                "workflows.argoproj.io/creator": "bob",
                "workflows.argoproj.io/creator-email": "bob.at.example.com",
                "workflows.argoproj.io/workflow-archiving-status": "Archived",
                "workflows.argoproj.io/action": "Retry"
            },
            "annotations": {"workflows.argoproj.io/pod-name-format": "v2", "team": "platform"},
            "ownerReferences": [{"apiVersion": "argoproj.io/v1alpha1", "kind": "CronWorkflow",
                                 "name": "nightly", "uid": "5a1f6c2e-1111-4b5e-9c3d-0123456789ab"}]
        },
        "spec": {
            "entrypoint": "main",
            "onExit": "notify",
            "shutdown": "Terminate",
            "activeDeadlineSeconds": 0,
            "arguments": {"parameters": [
                {"name": "branch", "value": "main"},
                {"name": "image", "value": "app:v1"},
                {"name": "verbose", "value": "false"}
            ]},
            "templates": [
                {"name": "main", "steps": [[{"name": "build", "template": "build"}], [{"name": "test", "template": "test"}]]},
                {"name": "build", "container": {"image": "golang:1.22", "command": ["make", "build"]}},
                {"name": "test", "container": {"image": "golang:1.22", "command": ["make", "test"]}},
                {"name": "notify", "container": {"image": "curlimages/curl", "command": ["true"]}}
            ]
        },
        "status": {
            "phase": "Failed",
            "startedAt": "2026-03-04T04:00:00Z",
            "finishedAt": "2026-03-04T04:06:00Z",
            "message": "child 'ci-7x2kq-134419464' failed",
            "progress": "1/2",
            "nodes": nodes,
            "storedTemplates": {"namespaced/ci-template/build": {"name": "build", "container": {"image": "golang:1.22"}}},
            "conditions": [{"type": "PodRunning", "status": "False"}, {"type": "Completed", "status": "True"}]
        }
    })
}

fn with_phase(mut wf: Value, phase: &str) -> Value {
    wf["status"]["phase"] = json!(phase);
    if !matches!(phase, "Succeeded" | "Failed" | "Error") {
        let labels = wf["metadata"]["labels"].as_object_mut().expect("labels");
        labels.remove("workflows.argoproj.io/completed");
        labels.insert("workflows.argoproj.io/phase".into(), json!(phase));
        // Still running: not terminated.
        let spec = wf["spec"].as_object_mut().expect("spec");
        spec.remove("shutdown");
        spec.remove("activeDeadlineSeconds");
    }
    wf
}

fn labels(obj: &Value) -> &serde_json::Map<String, Value> {
    obj["metadata"]["labels"].as_object().expect("labels")
}

#[tokio::test]
async fn resubmit_creates_a_new_workflow_from_generate_name() {
    let f = fixture().await;
    f.put("workflows", failed_workflow()).await;
    let res = f
        .act("workflows", WF, "resubmit", json!({}))
        .await
        .expect("resubmit");
    assert!(res.created, "answers 201");
    let new = parse(&res.object);
    let name = new["metadata"]["name"].as_str().expect("name");
    assert!(
        name.starts_with("ci-") && name.len() == "ci-".len() + 5,
        "{name}"
    );
    assert_ne!(name, WF);
    assert_eq!(new["metadata"]["generateName"], "ci-");
    let l = labels(&new);
    assert_eq!(l["app"], "ci");
    assert_eq!(l["workflows.argoproj.io/creator"], "alice-example.com");
    assert_eq!(l["workflows.argoproj.io/resubmitted-from-workflow"], WF);
    for gone in [
        "workflows.argoproj.io/creator-email",
        "workflows.argoproj.io/creator-preferred-username",
        "workflows.argoproj.io/completed",
        "workflows.argoproj.io/phase",
        "workflows.argoproj.io/workflow-archiving-status",
        "workflows.argoproj.io/action",
    ] {
        assert!(!l.contains_key(gone), "{gone} carried over");
    }
    assert_eq!(new["metadata"]["annotations"]["team"], "platform");
    assert_eq!(new["metadata"]["ownerReferences"][0]["name"], "nightly");
    // A terminated workflow's marks do not carry over.
    assert_eq!(new["spec"].get("shutdown"), None);
    assert_eq!(new["spec"].get("activeDeadlineSeconds"), None);
    assert_eq!(new["spec"]["entrypoint"], "main");
    assert!(
        new["status"].get("nodes").is_none(),
        "not memoized: no nodes"
    );
    // Stored, and the original is untouched.
    assert_eq!(
        f.get("workflows", name).await["metadata"]["uid"],
        new["metadata"]["uid"]
    );
    assert_eq!(f.get("workflows", WF).await["status"]["phase"], "Failed");
}

#[tokio::test]
async fn resubmit_without_generate_name_uses_the_old_name() {
    let f = fixture().await;
    let mut wf = failed_workflow();
    wf["metadata"]
        .as_object_mut()
        .expect("meta")
        .remove("generateName");
    f.put("workflows", wf).await;
    let new = parse(
        &f.act("workflows", WF, "resubmit", json!({}))
            .await
            .expect("resubmit")
            .object,
    );
    assert_eq!(new["metadata"]["generateName"], "ci-7x2kq-");
}

#[tokio::test]
async fn memoized_resubmit_carries_the_succeeded_nodes_over() {
    let f = fixture().await;
    f.put("workflows", failed_workflow()).await;
    let res = f
        .act("workflows", WF, "resubmit", json!({"memoized": true}))
        .await
        .expect("resubmit");
    assert!(res.created);
    let new = parse(&res.object);
    let name = new["metadata"]["name"].as_str().expect("name").to_string();
    assert!(name.starts_with("ci-") && name.len() == 8, "{name}");
    assert!(
        name[3..]
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
    );
    let nodes = new["status"]["nodes"].as_object().expect("nodes");
    let id = |suffix: &str| node_id(&name, &format!("{name}{suffix}"));
    let mut ids: Vec<&String> = nodes.keys().collect();
    ids.sort();
    let mut want = [
        name.clone(),
        id("[0]"),
        id("[0].build"),
        id("[1]"),
        id("[1].test"),
    ];
    want.sort();
    assert_eq!(
        ids,
        want.iter().collect::<Vec<_>>(),
        "the exit handler is dropped"
    );

    let build = &nodes[&id("[0].build")];
    assert_eq!(build["type"], "Skipped");
    assert_eq!(build["phase"], "Skipped");
    assert_eq!(build["message"], format!("original pod: {ID_BUILD}"));
    assert_eq!(build["name"], format!("{name}[0].build"));
    assert_eq!(build["id"], id("[0].build"));
    assert_eq!(build["boundaryID"], name);
    assert_eq!(build["children"], json!([id("[1]")]));
    assert_eq!(build["startedAt"], NOW);

    let test = &nodes[&id("[1].test")];
    assert_eq!(test["type"], "Pod");
    assert_eq!(test["phase"], "Pending");
    assert_eq!(test.get("message"), None);
    assert_eq!(test.get("startedAt"), None);
    assert_eq!(test.get("finishedAt"), None);

    let root = &nodes[&name];
    assert_eq!(root["phase"], "Pending");
    assert_eq!(root.get("message"), None);
    assert_eq!(root["children"], json!([id("[0]")]));
    assert_eq!(root["outboundNodes"], json!([id("[1].test")]));
    assert_eq!(nodes[&id("[1]")]["phase"], "Pending");

    assert_eq!(
        new["status"]["conditions"],
        json!([{"type": "Completed", "status": "False"}])
    );
    assert_eq!(
        new["status"]
            .get("phase")
            .and_then(Value::as_str)
            .unwrap_or(""),
        ""
    );
    assert_eq!(
        new["status"]["storedTemplates"],
        failed_workflow()["status"]["storedTemplates"]
    );
    assert_eq!(
        labels(&new)["workflows.argoproj.io/resubmitted-from-workflow"],
        WF
    );
    // The status went in with the create (Workflow has no status subresource).
    assert_eq!(
        f.get("workflows", &name).await["status"]["nodes"],
        new["status"]["nodes"]
    );
}

#[tokio::test]
async fn memoized_resubmit_of_a_running_workflow_is_refused() {
    let f = fixture().await;
    f.put("workflows", with_phase(failed_workflow(), "Running"))
        .await;
    let err = f
        .act("workflows", WF, "resubmit", json!({"memoized": true}))
        .await
        .expect_err("running");
    assert_eq!(err.code(), 400);
    assert_eq!(
        err.status.message,
        "workflow must be Failed/Error to resubmit in memoized mode"
    );
}

#[tokio::test]
async fn resubmit_overrides_parameters_first_and_refuses_bad_ones() {
    let f = fixture().await;
    f.put("workflows", failed_workflow()).await;
    let new = parse(
        &f.act(
            "workflows",
            WF,
            "resubmit",
            json!({"parameters": ["verbose=true", "image=app:v2"]}),
        )
        .await
        .expect("resubmit")
        .object,
    );
    assert_eq!(
        new["spec"]["arguments"]["parameters"],
        json!([
            {"name": "verbose", "value": "true"},
            {"name": "image", "value": "app:v2"},
            {"name": "branch", "value": "main"}
        ])
    );
    let err = f
        .act(
            "workflows",
            WF,
            "resubmit",
            json!({"parameters": ["image=app:v3", "verbose"]}),
        )
        .await
        .expect_err("bad form");
    assert_eq!(err.code(), 400);
    assert_eq!(
        err.status.message,
        "expected parameter of the form: NAME=VALUE. Received: verbose"
    );
}

#[tokio::test]
async fn dry_run_resubmit_creates_nothing() {
    let f = fixture().await;
    f.put("workflows", failed_workflow()).await;
    let res = f
        .act_dry("workflows", "apps", WF, "resubmit", json!({}), true)
        .await
        .expect("dry run");
    assert!(res.created);
    let list = f
        .registry
        .kind("workflows")
        .expect("kind")
        .list(Some("apps"), &Default::default())
        .await
        .expect("list");
    assert_eq!(list.items.len(), 1);
}

#[tokio::test]
async fn retry_of_a_failed_workflow_resets_the_failed_path() {
    let f = fixture().await;
    f.put("workflows", failed_workflow()).await;
    let got = parse(
        &f.act("workflows", WF, "retry", json!({}))
            .await
            .expect("retry")
            .object,
    );
    assert_eq!(got["metadata"]["name"], WF, "the same workflow");
    let st = &got["status"];
    assert_eq!(st.get("phase"), None);
    assert_eq!(st.get("message"), None);
    assert_eq!(st.get("finishedAt"), None);
    assert_eq!(st["startedAt"], NOW);
    assert_eq!(
        st["conditions"],
        json!([{"type": "PodRunning", "status": "False"}, {"type": "Completed", "status": "False"}])
    );
    let nodes = st["nodes"].as_object().expect("nodes");
    let mut ids: Vec<&str> = nodes.keys().map(String::as_str).collect();
    ids.sort();
    let mut want = [WF, ID_SG0, ID_BUILD, ID_SG1];
    want.sort();
    assert_eq!(ids, want, "the failed pod and the exit handler are removed");
    // The failed step's group and the workflow's root run again...
    for id in [WF, ID_SG1] {
        assert_eq!(nodes[id]["phase"], "Running", "{id}");
        assert_eq!(nodes[id]["startedAt"], NOW);
        assert_eq!(nodes[id].get("finishedAt"), None);
        assert_eq!(nodes[id].get("message"), None);
    }
    assert_eq!(nodes[ID_SG1].get("children"), None);
    assert_eq!(nodes[WF].get("outboundNodes"), None);
    // ...what succeeded stays.
    assert_eq!(nodes[ID_BUILD]["phase"], "Succeeded");
    assert_eq!(nodes[ID_BUILD]["finishedAt"], "2026-03-04T04:05:00Z");
    assert_eq!(nodes[ID_SG0]["phase"], "Succeeded");

    let l = labels(&got);
    assert!(!l.contains_key("workflows.argoproj.io/completed"));
    assert!(!l.contains_key("workflows.argoproj.io/workflow-archiving-status"));
    assert_eq!(l["workflows.argoproj.io/actor"], "alice-example.com");
    assert_eq!(l["workflows.argoproj.io/action"], "Retry");
    assert_eq!(got["spec"].get("shutdown"), None);
    assert_eq!(got["spec"].get("activeDeadlineSeconds"), None);
    assert_eq!(
        f.get("workflows", WF).await["status"]["nodes"],
        got["status"]["nodes"]
    );
}

#[tokio::test]
async fn retry_of_a_succeeded_workflow_needs_both_options() {
    let f = fixture().await;
    let mut wf = failed_workflow();
    wf["status"]["phase"] = json!("Succeeded");
    wf["status"]["nodes"][ID_TEST]["phase"] = json!("Succeeded");
    f.put("workflows", wf).await;
    for body in [
        json!({}),
        json!({"restartSuccessful": true}),
        json!({"nodeFieldSelector": "displayName=build"}),
    ] {
        let err = f
            .act("workflows", WF, "retry", body.clone())
            .await
            .expect_err("succeeded");
        assert_eq!(err.code(), 400, "{body}");
        assert_eq!(
            err.status.message,
            "To retry a succeeded workflow, set the options restartSuccessful and nodeFieldSelector"
        );
    }
    // With both, the selected node and everything after it run again.
    let got = parse(
        &f.act(
            "workflows",
            WF,
            "retry",
            json!({"restartSuccessful": true, "nodeFieldSelector": "displayName=build"}),
        )
        .await
        .expect("retry")
        .object,
    );
    let nodes = got["status"]["nodes"].as_object().expect("nodes");
    let mut ids: Vec<&str> = nodes.keys().map(String::as_str).collect();
    ids.sort();
    let mut want = [WF, ID_SG0];
    want.sort();
    assert_eq!(ids, want);
    assert_eq!(nodes[ID_SG0]["phase"], "Running");
    assert_eq!(nodes[ID_SG0].get("children"), None);
}

#[tokio::test]
async fn retry_of_a_running_workflow_is_refused() {
    let f = fixture().await;
    f.put("workflows", with_phase(failed_workflow(), "Running"))
        .await;
    let err = f
        .act("workflows", WF, "retry", json!({}))
        .await
        .expect_err("running");
    assert_eq!(err.code(), 409);
    assert!(
        err.status
            .message
            .ends_with("Cannot retry a workflow in phase Running"),
        "{}",
        err.status.message
    );
}

#[tokio::test]
async fn suspend_stop_and_terminate_refuse_a_completed_workflow() {
    let f = fixture().await;
    let before = f.put("workflows", failed_workflow()).await;
    let err = f
        .act("workflows", WF, "suspend", json!({}))
        .await
        .expect_err("suspend");
    assert_eq!(err.code(), 409);
    assert_eq!(
        err.status.message,
        "Operation cannot be fulfilled on workflows.argoproj.io \"ci-7x2kq\": cannot suspend completed workflows"
    );
    for action in ["stop", "terminate"] {
        let err = f
            .act("workflows", WF, action, json!({}))
            .await
            .expect_err(action);
        assert_eq!(err.code(), 409, "{action}");
        assert_eq!(err.reason(), "Conflict");
        assert_eq!(
            err.status.message,
            "Operation cannot be fulfilled on workflows.argoproj.io \"ci-7x2kq\": cannot shutdown a completed workflow: workflow: \"ci-7x2kq\", namespace: \"apps\""
        );
    }
    assert_eq!(rv(&f.get("workflows", WF).await), rv(&before));
}

#[tokio::test]
async fn suspend_stop_and_terminate_a_running_workflow() {
    let f = fixture().await;
    f.put("workflows", with_phase(failed_workflow(), "Running"))
        .await;
    let got = parse(
        &f.act("workflows", WF, "suspend", json!({}))
            .await
            .expect("suspend")
            .object,
    );
    assert_eq!(got["spec"]["suspend"], true);
    assert_eq!(labels(&got)["workflows.argoproj.io/action"], "Suspend");
    assert_eq!(
        labels(&got)["workflows.argoproj.io/actor"],
        "alice-example.com"
    );

    let got = parse(
        &f.act("workflows", WF, "stop", json!({}))
            .await
            .expect("stop")
            .object,
    );
    assert_eq!(got["spec"]["shutdown"], "Stop");
    assert_eq!(labels(&got)["workflows.argoproj.io/action"], "Stop");

    let got = parse(
        &f.act("workflows", WF, "terminate", json!({}))
            .await
            .expect("terminate")
            .object,
    );
    assert_eq!(got["spec"]["shutdown"], "Terminate");
    assert_eq!(labels(&got)["workflows.argoproj.io/action"], "Terminate");
}

/// A running workflow waiting at an approval step (a Suspend node with a supplied output).
fn waiting_workflow() -> Value {
    let mut wf = with_phase(failed_workflow(), "Running");
    wf["spec"]["suspend"] = json!(true);
    let nodes = wf["status"]["nodes"].as_object_mut().expect("nodes");
    nodes.remove(ID_TEST);
    nodes.remove(ID_EXIT);
    nodes[ID_SG1]["phase"] = json!("Running");
    nodes[ID_SG1]["children"] = json!(["ci-7x2kq-84951556"]);
    let (id, approve) = node(
        "ci-7x2kq-84951556",
        "ci-7x2kq.approve",
        "approve",
        "Suspend",
        "Running",
        json!({"boundaryID": WF, "templateName": "approve",
               "outputs": {"parameters": [{"name": "approved", "valueFrom": {"supplied": {}, "default": "yes"}}]}}),
    );
    nodes.insert(id, approve);
    wf
}

#[tokio::test]
async fn resume_marks_the_waiting_suspend_nodes_succeeded() {
    let f = fixture().await;
    f.put("workflows", waiting_workflow()).await;
    let got = parse(
        &f.act("workflows", WF, "resume", json!({}))
            .await
            .expect("resume")
            .object,
    );
    assert_eq!(got["spec"].get("suspend"), None);
    let approve = &got["status"]["nodes"]["ci-7x2kq-84951556"];
    assert_eq!(approve["phase"], "Succeeded");
    assert_eq!(
        approve["message"],
        "Resumed by: map[User:alice@example.com]"
    );
    assert_eq!(approve["finishedAt"], NOW);
    assert_eq!(
        approve["outputs"]["parameters"],
        json!([{"name": "approved", "value": "yes"}])
    );
    assert_eq!(labels(&got)["workflows.argoproj.io/action"], "Resume");
    // Other nodes are not touched.
    assert_eq!(got["status"]["nodes"][ID_SG1]["phase"], "Running");
}

#[tokio::test]
async fn resume_and_stop_by_node_selector() {
    let f = fixture().await;
    f.put("workflows", waiting_workflow()).await;
    let err = f
        .act(
            "workflows",
            WF,
            "resume",
            json!({"nodeFieldSelector": "displayName=deploy"}),
        )
        .await
        .expect_err("no such node");
    assert_eq!(err.code(), 409);
    assert!(err.status.message.ends_with(
        "currently, set only targets suspend nodes: no suspend nodes matching nodeFieldSelector: displayName=deploy"
    ));
    let got = parse(
        &f.act(
            "workflows",
            WF,
            "stop",
            json!({"nodeFieldSelector": "displayName=approve", "message": "rejected by QA"}),
        )
        .await
        .expect("stop node")
        .object,
    );
    let approve = &got["status"]["nodes"]["ci-7x2kq-84951556"];
    assert_eq!(approve["phase"], "Failed");
    assert_eq!(approve["message"], "rejected by QA");
    assert_eq!(approve["finishedAt"], NOW);
    // Only the node: the workflow itself is not shut down.
    assert_eq!(got["spec"].get("shutdown"), None);
    assert_eq!(got["spec"]["suspend"], true);
}

#[tokio::test]
async fn workflow_actions_on_a_missing_workflow_are_not_found() {
    let f = fixture().await;
    for action in [
        "resubmit",
        "retry",
        "suspend",
        "resume",
        "stop",
        "terminate",
    ] {
        let err = f
            .act("workflows", "nope", action, json!({}))
            .await
            .expect_err(action);
        assert_eq!(err.code(), 404, "{action}");
        assert_eq!(
            err.status.message,
            "workflows.argoproj.io \"nope\" not found"
        );
    }
}
