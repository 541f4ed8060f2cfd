//! The eight `argoproj.io/v1alpha1` Workflows kinds.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{
    ArtifactGCSpec, ArtifactGCStatus, CronWorkflowSpec, CronWorkflowStatus, Outputs,
    WorkflowEventBindingSpec, WorkflowSpec, WorkflowStatus, WorkflowTaskSetSpec,
    WorkflowTaskSetStatus,
};

/// A reusable, cluster-scoped workflow definition.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ClusterWorkflowTemplate {
    /// APIVersion of this representation of the object (`argoproj.io/v1alpha1`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    /// Kind of the object (`ClusterWorkflowTemplate`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Standard object metadata.
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// Specification of the workflow this template defines.
    pub spec: WorkflowSpec,
}

/// A workflow submitted on a cron schedule.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CronWorkflow {
    /// APIVersion of this representation of the object (`argoproj.io/v1alpha1`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    /// Kind of the object (`CronWorkflow`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Standard object metadata.
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// Schedule and workflow specification.
    pub spec: CronWorkflowSpec,
    /// Observed state of the cron workflow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<CronWorkflowStatus>,
}

/// A workflow: a graph of templates run as pods, with its live status.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Workflow {
    /// APIVersion of this representation of the object (`argoproj.io/v1alpha1`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    /// Kind of the object (`Workflow`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Standard object metadata.
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// Specification of the workflow.
    pub spec: WorkflowSpec,
    /// Observed state of the workflow, written by the controller.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<WorkflowStatus>,
}

/// The artifacts of a workflow to delete, and the outcome of deleting them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowArtifactGCTask {
    /// APIVersion of this representation of the object (`argoproj.io/v1alpha1`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    /// Kind of the object (`WorkflowArtifactGCTask`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Standard object metadata.
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// The artifacts to delete, by node.
    pub spec: ArtifactGCSpec,
    /// The outcome of deleting the artifacts, by node.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<ArtifactGCStatus>,
}

/// Binds an event received by the API server to the submission of a workflow template.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowEventBinding {
    /// APIVersion of this representation of the object (`argoproj.io/v1alpha1`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    /// Kind of the object (`WorkflowEventBinding`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Standard object metadata.
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// Which events to select and what to submit for them.
    pub spec: WorkflowEventBindingSpec,
}

/// The result of one task of a workflow (a pod or an agent task) reported back to the controller; it has no spec.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowTaskResult {
    /// APIVersion of this representation of the object (`argoproj.io/v1alpha1`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    /// Kind of the object (`WorkflowTaskResult`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Standard object metadata.
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// Phase of the node this result is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<String>,
    /// Human-readable message about the result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Output parameters and artifacts of the task.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outputs: Option<Outputs>,
    /// Progress of the task, as `N/M`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progress: Option<String>,
}

/// The HTTP and plugin tasks of one workflow that the agent runs, and their results.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowTaskSet {
    /// APIVersion of this representation of the object (`argoproj.io/v1alpha1`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    /// Kind of the object (`WorkflowTaskSet`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Standard object metadata.
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// The tasks to run, keyed by node ID.
    pub spec: WorkflowTaskSetSpec,
    /// The results of the tasks, keyed by node ID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<WorkflowTaskSetStatus>,
}

/// A reusable, namespaced workflow definition.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowTemplate {
    /// APIVersion of this representation of the object (`argoproj.io/v1alpha1`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    /// Kind of the object (`WorkflowTemplate`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Standard object metadata.
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// Specification of the workflow this template defines.
    pub spec: WorkflowSpec,
}
