//! Rollout actions, as `kubectl argo rollouts` performs them (`pkg/kubectl-argo-rollouts/cmd/*`):
//! promote, abort, retry, restart, pause, and resume (Argo CD's Rollout action; upstream's CLI has
//! no resume, its promote resumes).
//!
//! The CLI sends JSON merge patches: one to `/status`, one to the main resource. Here both are
//! applied to the stored object in one compare-and-swap, which is what the two patches amount to
//! once they have both landed.

use argo_apiserver_core::ApiError;
use argo_openapi::types::actions::{
    RolloutAbortRequest, RolloutPauseRequest, RolloutPromoteRequest, RolloutRestartRequest,
    RolloutResumeRequest, RolloutRetryRequest,
};
use argo_webhooks::windows::parse_go_duration;
use serde_json::{Value, json};

use super::{ActionContext, request};
use crate::generic::{KindStore, WriteResult};

pub async fn run(
    kind: &KindStore,
    namespace: Option<&str>,
    name: &str,
    action: &str,
    body: Value,
    ctx: &ActionContext<'_>,
) -> Result<WriteResult, ApiError> {
    match action {
        "promote" => {
            let req: RolloutPromoteRequest = request(body, "RolloutPromoteRequest")?;
            let full = req.full.unwrap_or(false);
            merge_into_stored(kind, namespace, name, ctx, |ro| promote_patch(ro, full)).await
        }
        "abort" => {
            let _: RolloutAbortRequest = request(body, "RolloutAbortRequest")?;
            let patch = json!({"status": {"abort": true}});
            merge_into_stored(kind, namespace, name, ctx, |_| Some(patch.clone())).await
        }
        "retry" => {
            let _: RolloutRetryRequest = request(body, "RolloutRetryRequest")?;
            let patch = json!({"status": {"abort": false}});
            merge_into_stored(kind, namespace, name, ctx, |_| Some(patch.clone())).await
        }
        "restart" => {
            let req: RolloutRestartRequest = request(body, "RolloutRestartRequest")?;
            // The CLI treats an empty `--in` as "now".
            let delay = match req.r#in.as_deref().filter(|s| !s.is_empty()) {
                Some(s) => parse_go_duration(s).map_err(|e| {
                    ApiError::bad_request(format!(
                        "RolloutRestartRequest: invalid value for \"in\": {e}"
                    ))
                })?,
                None => jiff::SignedDuration::ZERO,
            };
            let at = restart_at(ctx.clock.now(), delay)?;
            let patch = json!({"spec": {"restartAt": at}});
            merge_into_stored(kind, namespace, name, ctx, |_| Some(patch.clone())).await
        }
        "pause" => {
            let _: RolloutPauseRequest = request(body, "RolloutPauseRequest")?;
            let patch = json!({"spec": {"paused": true}});
            merge_into_stored(kind, namespace, name, ctx, |_| Some(patch.clone())).await
        }
        "resume" => {
            let _: RolloutResumeRequest = request(body, "RolloutResumeRequest")?;
            let patch = json!({"spec": {"paused": false}, "status": {"pauseConditions": null}});
            merge_into_stored(kind, namespace, name, ctx, |_| Some(patch.clone())).await
        }
        _ => Err(ApiError::path_not_found()),
    }
}

/// Applies the JSON merge patch that `change` computes from the stored object (nothing when it
/// computes none), in one compare-and-swap.
async fn merge_into_stored(
    kind: &KindStore,
    namespace: Option<&str>,
    name: &str,
    ctx: &ActionContext<'_>,
    change: impl Fn(&Value) -> Option<Value>,
) -> Result<WriteResult, ApiError> {
    kind.update_with_owner(namespace, name, ctx.dry_run, None, ctx.owner(), |obj| {
        if let Some(patch) = change(obj) {
            json_patch::merge(obj, &patch);
        }
        Ok(())
    })
    .await
}

/// The merge patch `promote` applies (`promote.go getPatches`, without the deprecated skip flags),
/// spec and status together; `None` when there is nothing to change (the CLI then sends nothing
/// and still reports success).
pub fn promote_patch(ro: &Value, full: bool) -> Option<Value> {
    let paused = ro.pointer("/spec/paused").and_then(Value::as_bool) == Some(true);
    let canary = ro.pointer("/spec/strategy/canary").filter(|c| !c.is_null());
    let pause_conditions = ro
        .pointer("/status/pauseConditions")
        .and_then(Value::as_array)
        .is_some_and(|p| !p.is_empty());
    let mut spec = None;
    let mut status = None;
    // The spec patch is the same for every promote: unpause a manually paused rollout. (Upstream's
    // `--full` sends only the status patch; the reference table unpauses for `full` too.)
    if paused {
        spec = Some(json!({"paused": false}));
    }
    if full {
        let text = |p: &str| ro.pointer(p).and_then(Value::as_str).unwrap_or("");
        if text("/status/currentPodHash") != text("/status/stableRS") {
            status = Some(json!({"promoteFull": true}));
        }
    } else if canary.is_some()
        && pause_conditions
        && ro
            .pointer("/status/controllerPause")
            .and_then(Value::as_bool)
            == Some(true)
        && ro
            .pointer("/status/canary/currentStepAnalysisRunStatus/status")
            .and_then(Value::as_str)
            == Some("Inconclusive")
    {
        // An inconclusive step analysis holds the controller's pause: lift it and move on, or
        // the rollout stays stuck when the next step is a pause.
        if let Some(next) = next_step_index(ro) {
            status = Some(json!({
                "pauseConditions": null,
                "controllerPause": false,
                "currentStepIndex": next,
            }));
        }
    } else if pause_conditions {
        // Resume: the controller reads "controllerPause and no condition" as resumed.
        status = Some(json!({"pauseConditions": null}));
    } else if canary.is_some() {
        // In the middle of an analysis or experiment step: skip it.
        if let Some(next) = next_step_index(ro) {
            status = Some(json!({"pauseConditions": null, "currentStepIndex": next}));
        }
    }
    if spec.is_none() && status.is_none() {
        return None;
    }
    let mut patch = serde_json::Map::new();
    if let Some(spec) = spec {
        patch.insert("spec".into(), spec);
    }
    if let Some(status) = status {
        patch.insert("status".into(), status);
    }
    Some(Value::Object(patch))
}

/// `GetCurrentCanaryStep`'s index (0 when unset; none without canary steps) plus one, capped at
/// the step count.
fn next_step_index(ro: &Value) -> Option<i64> {
    let steps = ro
        .pointer("/spec/strategy/canary/steps")
        .and_then(Value::as_array)
        .map_or(0, Vec::len) as i64;
    if steps == 0 {
        return None;
    }
    let idx = ro
        .pointer("/status/currentStepIndex")
        .and_then(Value::as_i64)
        .unwrap_or(0);
    Some(if idx < steps { idx + 1 } else { idx })
}

/// `now + delay`, in RFC 3339 whole seconds as Go's `time.RFC3339` writes it.
fn restart_at(now: jiff::Timestamp, delay: jiff::SignedDuration) -> Result<String, ApiError> {
    let at = now.checked_add(delay).map_err(|_| {
        ApiError::bad_request("RolloutRestartRequest: invalid value for \"in\": out of range")
    })?;
    jiff::Timestamp::from_second(at.as_second())
        .map(|t| t.to_string())
        .map_err(ApiError::internal)
}
