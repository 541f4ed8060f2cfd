//! CronWorkflow spec and status.

use k8s_openapi::api::core::v1::ObjectReference;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Condition, WorkflowSpec};

/// The specification of a CronWorkflow.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CronWorkflowSpec {
    /// The spec of the workflow to be run.
    pub workflow_spec: WorkflowSpec,
    /// The K8s-style concurrency policy that will be used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("enum" = ["Allow", "Forbid", "Replace"]))]
    pub concurrency_policy: Option<String>,
    /// A flag that will stop new CronWorkflows from running if set to true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suspend: Option<bool>,
    /// The K8s-style deadline that will limit the time a CronWorkflow will be run after its original scheduled time if it is missed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("minimum" = 0))]
    pub starting_deadline_seconds: Option<i64>,
    /// The number of successful jobs to be kept at a time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub successful_jobs_history_limit: Option<i32>,
    /// The number of failed jobs to be kept at a time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed_jobs_history_limit: Option<i32>,
    /// The timezone against which the cron schedule will be calculated,.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// Contains some metadata of the workflow to be run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workflow_metadata: Option<ObjectMeta>,
    /// V3.6 and after: StopStrategy defines if the CronWorkflow should stop scheduling based on a condition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_strategy: Option<StopStrategy>,
    /// V3.6 and after: Schedules is a list of schedules to run the Workflow in Cron format.
    #[schemars(extend("minItems" = 1))]
    pub schedules: Vec<String>,
    /// V3.6 and after: When is an expression that determines if a run should be scheduled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<String>,
}

/// The status of a CronWorkflow.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CronWorkflowStatus {
    /// A list of active workflows stemming from this CronWorkflow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<Vec<ObjectReference>>,
    /// LastScheduleTime is the last time the CronWorkflow was scheduled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_scheduled_time: Option<Time>,
    /// A list of conditions the CronWorkflow may have.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Vec<Condition>>,
    /// V3.6 and after: Succeeded counts how many times child workflows succeeded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub succeeded: Option<i64>,
    /// V3.6 and after: Failed counts how many times child workflows failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed: Option<i64>,
    /// V3.6 and after: Phase is an enum of Active or Stopped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<String>,
}

/// Defines if the CronWorkflow should stop scheduling based on an expression.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct StopStrategy {
    /// V3.6 and after: Expression is an expression that stops scheduling workflows when true.
    pub expression: String,
}
