//! Request bodies of the action subresources (sync, promote, resubmit, ...).
//!
//! Each action is a POST on a subresource of one object; the object's name and namespace (and
//! the Argo CD project) come from the URL, so these bodies leave out the `name`, `namespace`,
//! `appNamespace` and `project` fields of upstream's request messages. The response of every
//! action is the resulting object (Application, Rollout or Workflow). Empty bodies are `{}`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::cd::{AppRetryStrategy, ApplicationInfo, SyncOperationResource, SyncStrategy};

/// Body of POST .../applications/{name}/sync: request a sync, as `argocd app sync` does
/// (upstream: `ApplicationSyncRequest`). Fields left out take their value from the
/// Application's spec (`syncPolicy.syncOptions`, `syncPolicy.retry`, the sources' revisions).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationSyncRequest {
    /// Revision (Git) or chart version (Helm) to sync to, for a single-source application.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<String>,
    /// Revisions to sync to, one per source of a multi-source application (paired with
    /// `sourcePositions`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revisions: Option<Vec<String>>,
    /// 1-based positions of the sources that `revisions` apply to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_positions: Option<Vec<i64>>,
    /// Delete resources that are no longer in the desired state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prune: Option<bool>,
    /// Compute and report the sync without changing anything.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dry_run: Option<bool>,
    /// How to sync: with hooks (the default) or a plain apply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strategy: Option<SyncStrategy>,
    /// Sync only these resources (a partial sync); all of them when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<Vec<SyncOperationResource>>,
    /// Sync options for this sync only (for example `Validate=false`, `Replace=true`); the
    /// Application's `spec.syncPolicy.syncOptions` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync_options: Option<Vec<String>>,
    /// Retry strategy for this sync; the Application's `spec.syncPolicy.retry` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry: Option<AppRetryStrategy>,
    /// Informational name/value pairs recorded in the operation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub infos: Option<Vec<ApplicationInfo>>,
    /// Local manifests to sync instead of the source's (needs the `override` permission).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manifests: Option<Vec<String>>,
}

/// Body of POST .../applications/{name}/rollback: sync to a revision recorded in
/// `status.history`, as `argocd app rollback` does (upstream: `ApplicationRollbackRequest`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationRollbackRequest {
    /// ID of the `status.history` entry to roll back to.
    pub id: i64,
    /// Delete resources that are not in the target revision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prune: Option<bool>,
    /// Compute and report the rollback without changing anything.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dry_run: Option<bool>,
}

/// Body of POST .../applications/{name}/terminate: terminate the running operation, as
/// `argocd app terminate-op` does (upstream: `OperationTerminateRequest`). Empty.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ApplicationTerminateRequest {}

/// Body of POST .../rollouts/{name}/promote: move past the current pause or step, or, with
/// `full`, skip all remaining steps and analyses, as `kubectl argo rollouts promote` does.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RolloutPromoteRequest {
    /// Promote fully: skip the remaining steps, pauses and analyses (`--full`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full: Option<bool>,
}

/// Body of POST .../rollouts/{name}/abort: abort the update and go back to the stable version,
/// as `kubectl argo rollouts abort` does. Empty.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RolloutAbortRequest {}

/// Body of POST .../rollouts/{name}/retry: retry an aborted update from its first step, as
/// `kubectl argo rollouts retry rollout` does. Empty.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RolloutRetryRequest {}

/// Body of POST .../rollouts/{name}/restart: restart the pods by setting `spec.restartAt`, as
/// `kubectl argo rollouts restart` does.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RolloutRestartRequest {
    /// Delay before the restart, as a duration such as `"30s"` or `"5m"` (`--in`); now when
    /// absent.
    #[serde(default, rename = "in", skip_serializing_if = "Option::is_none")]
    pub r#in: Option<String>,
}

/// Body of POST .../rollouts/{name}/pause: pause the Rollout by setting `spec.paused`, as
/// `kubectl argo rollouts pause` does. Empty.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RolloutPauseRequest {}

/// Body of POST .../rollouts/{name}/resume: clear `spec.paused` and the pause conditions
/// (upstream has no `resume` command; its `promote` resumes, and Argo CD's `resume` action
/// does this). Empty.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RolloutResumeRequest {}

/// Body of POST .../workflows/{name}/resubmit: create a new Workflow from this one, as
/// `argo resubmit` does (upstream: `WorkflowResubmitRequest`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowResubmitRequest {
    /// Reuse the results of the nodes that succeeded (only for a Failed or Error workflow).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memoized: Option<bool>,
    /// Parameter overrides, each `NAME=VALUE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters: Option<Vec<String>>,
}

/// Body of POST .../workflows/{name}/retry: rerun the failed nodes of this Workflow, as
/// `argo retry` does (upstream: `WorkflowRetryRequest`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowRetryRequest {
    /// Also rerun the succeeded nodes that `nodeFieldSelector` selects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restart_successful: Option<bool>,
    /// Field selector over the nodes to restart (for example `templateName=build`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_field_selector: Option<String>,
    /// Parameter overrides, each `NAME=VALUE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters: Option<Vec<String>>,
}

/// Body of POST .../workflows/{name}/suspend: suspend the Workflow, as `argo suspend` does.
/// Empty.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct WorkflowSuspendRequest {}

/// Body of POST .../workflows/{name}/resume: resume a suspended Workflow, as `argo resume` does
/// (upstream: `WorkflowResumeRequest`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowResumeRequest {
    /// Field selector over the suspend nodes to resume; all of them when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_field_selector: Option<String>,
}

/// Body of POST .../workflows/{name}/stop: stop the Workflow, still running its exit handlers,
/// as `argo stop` does (upstream: `WorkflowStopRequest`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowStopRequest {
    /// Field selector over the suspend nodes to fail instead of stopping the whole Workflow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_field_selector: Option<String>,
    /// Message recorded on the nodes that are stopped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// Body of POST .../workflows/{name}/terminate: terminate the Workflow at once, without exit
/// handlers, as `argo terminate` does. Empty.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct WorkflowTerminateRequest {}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sync_request_reads_the_fields_a_client_sends() {
        let body = json!({
            "revision": "v1.4.2",
            "prune": true,
            "dryRun": false,
            "strategy": {"apply": {"force": true}},
            "resources": [{"group": "apps", "kind": "Deployment", "name": "web", "namespace": "shop"}],
            "syncOptions": ["Validate=false", "ServerSideApply=true"],
            "retry": {"limit": 3, "backoff": {"duration": "10s", "factor": 2, "maxDuration": "2m"}},
            "infos": [{"name": "reason", "value": "hotfix"}],
        });
        let req: ApplicationSyncRequest = serde_json::from_value(body.clone()).unwrap();
        assert_eq!(req.revision.as_deref(), Some("v1.4.2"));
        assert_eq!(req.resources.as_ref().map(Vec::len), Some(1));
        assert_eq!(
            req.sync_options,
            Some(vec![
                "Validate=false".to_string(),
                "ServerSideApply=true".to_string()
            ])
        );
        // `dryRun: false` stays false instead of disappearing: absent and false differ.
        assert_eq!(req.dry_run, Some(false));
        assert_eq!(serde_json::to_value(&req).unwrap(), body);
    }

    #[test]
    fn rollback_request_needs_an_id() {
        let req: ApplicationRollbackRequest =
            serde_json::from_value(json!({"id": 4, "prune": true})).unwrap();
        assert_eq!(req.id, 4);
        assert_eq!(req.dry_run, None);
        let err = serde_json::from_value::<ApplicationRollbackRequest>(json!({"prune": true}))
            .unwrap_err();
        assert!(err.to_string().contains("missing field `id`"), "{err}");
    }

    #[test]
    fn empty_requests_are_empty_objects() {
        assert_eq!(
            serde_json::to_value(ApplicationTerminateRequest {}).unwrap(),
            json!({})
        );
        assert_eq!(
            serde_json::to_value(RolloutAbortRequest {}).unwrap(),
            json!({})
        );
        assert_eq!(
            serde_json::to_value(WorkflowTerminateRequest {}).unwrap(),
            json!({})
        );
        assert_eq!(
            serde_json::to_value(RolloutPromoteRequest::default()).unwrap(),
            json!({})
        );
        serde_json::from_value::<WorkflowSuspendRequest>(json!({})).unwrap();
        serde_json::from_value::<RolloutResumeRequest>(json!({})).unwrap();
    }

    #[test]
    fn restart_request_uses_the_json_name_in() {
        let req: RolloutRestartRequest = serde_json::from_value(json!({"in": "5m"})).unwrap();
        assert_eq!(req.r#in.as_deref(), Some("5m"));
        assert_eq!(serde_json::to_value(&req).unwrap(), json!({"in": "5m"}));
    }

    #[test]
    fn workflow_requests_use_upstream_json_names() {
        let retry: WorkflowRetryRequest = serde_json::from_value(json!({
            "restartSuccessful": true,
            "nodeFieldSelector": "templateName=build",
            "parameters": ["image=app:v2"],
        }))
        .unwrap();
        assert_eq!(retry.restart_successful, Some(true));
        assert_eq!(
            retry.node_field_selector.as_deref(),
            Some("templateName=build")
        );
        let stop: WorkflowStopRequest = serde_json::from_value(
            json!({"nodeFieldSelector": "name=wf.approve", "message": "rejected"}),
        )
        .unwrap();
        assert_eq!(stop.message.as_deref(), Some("rejected"));
        let resubmit: WorkflowResubmitRequest =
            serde_json::from_value(json!({"memoized": true, "parameters": ["a=1", "b=2"]}))
                .unwrap();
        assert_eq!(resubmit.parameters.as_ref().map(Vec::len), Some(2));
    }
}
