//! The catalog: one entry per kind, the single description from which discovery, the OpenAPI
//! documents, Table columns, CRDs and validation are all derived.
//!
//! Names, short names, scopes, subresources and printer columns follow the upstream Argo CRDs
//! exactly; `categories` are ours (upstream declares none), so `kubectl get argo` lists everything.

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::types::{actions, cd, events, rollouts, workflows};

pub const GROUP: &str = "argoproj.io";
pub const VERSION: &str = "v1alpha1";
pub const API_VERSION: &str = "argoproj.io/v1alpha1";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Scope {
    Namespaced,
    Cluster,
}

/// The `scale` subresource, as a CRD declares it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScaleDef {
    pub spec_replicas_path: &'static str,
    pub status_replicas_path: &'static str,
    pub label_selector_path: &'static str,
}

/// An action subresource: a POST whose body is `request` and whose answer is the resulting
/// object of the parent kind (a new one, with 201, when `creates`).
#[derive(Clone, Copy, Debug)]
pub struct ActionDef {
    pub name: &'static str,
    pub description: &'static str,
    /// True when the action creates a new object (workflows/resubmit) rather than changing this one.
    pub creates: bool,
    pub(crate) request: fn(&mut SchemaGenerator) -> Schema,
    /// Definition name of the request body, without the `io.argoproj.v1alpha1.` prefix.
    pub request_type: &'static str,
}

/// An additionalPrinterColumn, as in the upstream CRD (type: string, integer, number, boolean,
/// date; priority 0 shows in `kubectl get`, 10 only with `-o wide`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PrinterColumn {
    pub name: &'static str,
    #[serde(rename = "type")]
    pub type_: &'static str,
    #[serde(skip_serializing_if = "str::is_empty")]
    pub format: &'static str,
    #[serde(skip_serializing_if = "str::is_empty")]
    pub description: &'static str,
    pub json_path: &'static str,
    #[serde(skip_serializing_if = "is_zero")]
    pub priority: i32,
}

fn is_zero(p: &i32) -> bool {
    *p == 0
}

/// One kind of `argoproj.io/v1alpha1`.
#[derive(Clone, Copy, Debug)]
pub struct ResourceDef {
    pub kind: &'static str,
    pub plural: &'static str,
    pub singular: &'static str,
    pub short_names: &'static [&'static str],
    pub categories: &'static [&'static str],
    pub scope: Scope,
    /// Whether `status` is a subresource (then the main resource ignores status changes).
    pub status_subresource: bool,
    pub scale: Option<ScaleDef>,
    pub actions: &'static [ActionDef],
    pub printer_columns: &'static [PrinterColumn],
    /// JSON paths usable in field selectors, beyond metadata.name and metadata.namespace.
    pub selectable_fields: &'static [&'static str],
    /// The kind has a `spec` (WorkflowTaskResult has none).
    pub has_spec: bool,
    pub(crate) schema: fn(&mut SchemaGenerator) -> Schema,
    pub(crate) round_trip: fn(Value) -> Result<Value, serde_json::Error>,
}

impl ResourceDef {
    pub fn namespaced(&self) -> bool {
        self.scope == Scope::Namespaced
    }
    pub fn list_kind(&self) -> String {
        format!("{}List", self.kind)
    }
    pub fn action(&self, name: &str) -> Option<&'static ActionDef> {
        self.actions.iter().find(|a| a.name == name)
    }
    /// Decodes `value` into the kind's Rust type and encodes it back: what the typed layer keeps.
    pub fn typed_round_trip(&self, value: Value) -> Result<Value, serde_json::Error> {
        (self.round_trip)(value)
    }
    /// All subresource names: status, scale, then the actions.
    pub fn subresources(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.status_subresource
            .then_some("status")
            .into_iter()
            .chain(self.scale.map(|_| "scale"))
            .chain(self.actions.iter().map(|a| a.name))
    }
}

fn schema_of<T: JsonSchema>(g: &mut SchemaGenerator) -> Schema {
    g.subschema_for::<T>()
}

fn round_trip_of<T: Serialize + DeserializeOwned>(v: Value) -> Result<Value, serde_json::Error> {
    serde_json::to_value(serde_json::from_value::<T>(v)?)
}

const fn col(name: &'static str, type_: &'static str, json_path: &'static str) -> PrinterColumn {
    PrinterColumn {
        name,
        type_,
        format: "",
        description: "",
        json_path,
        priority: 0,
    }
}

const fn wide(mut c: PrinterColumn) -> PrinterColumn {
    c.priority = 10;
    c
}

const fn described(mut c: PrinterColumn, description: &'static str) -> PrinterColumn {
    c.description = description;
    c
}

const AGE: PrinterColumn = col("Age", "date", ".metadata.creationTimestamp");

macro_rules! action {
    ($name:literal, $req:ty, $creates:expr, $desc:literal) => {
        ActionDef {
            name: $name,
            description: $desc,
            creates: $creates,
            request: schema_of::<$req>,
            request_type: stringify!($req),
        }
    };
}

use actions::*;

const APPLICATION_ACTIONS: &[ActionDef] = &[
    action!(
        "sync",
        ApplicationSyncRequest,
        false,
        "Request a sync: sets the Application's operation, as `argocd app sync` does."
    ),
    action!(
        "rollback",
        ApplicationRollbackRequest,
        false,
        "Request a sync to a revision from status.history, as `argocd app rollback` does."
    ),
    action!(
        "terminate",
        ApplicationTerminateRequest,
        false,
        "Terminate the running operation, as `argocd app terminate-op` does."
    ),
];

const ROLLOUT_ACTIONS: &[ActionDef] = &[
    action!(
        "promote",
        RolloutPromoteRequest,
        false,
        "Promote the Rollout past its current pause or step (or fully, with full=true)."
    ),
    action!(
        "abort",
        RolloutAbortRequest,
        false,
        "Abort the update and return to the stable version."
    ),
    action!(
        "retry",
        RolloutRetryRequest,
        false,
        "Retry an aborted Rollout."
    ),
    action!(
        "restart",
        RolloutRestartRequest,
        false,
        "Restart the Rollout's pods (sets spec.restartAt)."
    ),
    action!(
        "pause",
        RolloutPauseRequest,
        false,
        "Pause the Rollout (sets spec.paused)."
    ),
    action!(
        "resume",
        RolloutResumeRequest,
        false,
        "Resume a paused Rollout: clears spec.paused and the pause conditions, as Argo CD's Rollout `resume` action does."
    ),
];

const WORKFLOW_ACTIONS: &[ActionDef] = &[
    action!(
        "resubmit",
        WorkflowResubmitRequest,
        true,
        "Submit a new Workflow built from this one, as `argo resubmit` does; answers 201 with it."
    ),
    action!(
        "retry",
        WorkflowRetryRequest,
        false,
        "Retry a failed Workflow from its failed nodes."
    ),
    action!(
        "suspend",
        WorkflowSuspendRequest,
        false,
        "Suspend the Workflow."
    ),
    action!(
        "resume",
        WorkflowResumeRequest,
        false,
        "Resume a suspended Workflow."
    ),
    action!(
        "stop",
        WorkflowStopRequest,
        false,
        "Stop the Workflow, running exit handlers."
    ),
    action!(
        "terminate",
        WorkflowTerminateRequest,
        false,
        "Terminate the Workflow immediately, without exit handlers."
    ),
];

macro_rules! kind {
    (
        $ty:path, $kind:literal, $singular:literal, $plural:literal, [$($short:literal),*], $category:literal, $scope:ident,
        status: $status:expr, scale: $scale:expr, actions: $actions:expr,
        columns: [$($column:expr),* $(,)?], selectable: [$($field:literal),*], spec: $spec:expr
    ) => {
        ResourceDef {
            kind: $kind,
            plural: $plural,
            singular: $singular,
            short_names: &[$($short),*],
            categories: &["argo", $category],
            scope: Scope::$scope,
            status_subresource: $status,
            scale: $scale,
            actions: $actions,
            printer_columns: &[$($column),*],
            selectable_fields: &[$($field),*],
            has_spec: $spec,
            schema: schema_of::<$ty>,
            round_trip: round_trip_of::<$ty>,
        }
    };
}

/// Every kind served, in a stable order (Argo CD, Rollouts, Workflows, Events).
pub static CATALOG: &[ResourceDef] = &[
    // Argo CD
    kind!(cd::Application, "Application", "application", "applications", ["app", "apps"], "argocd", Namespaced,
        status: false, scale: None, actions: APPLICATION_ACTIONS,
        columns: [
            col("Sync Status", "string", ".status.sync.status"),
            col("Health Status", "string", ".status.health.status"),
            wide(col("Revision", "string", ".status.sync.revision")),
            wide(col("Project", "string", ".spec.project")),
            AGE,
        ],
        selectable: [".spec.project", ".spec.destination.server", ".spec.destination.name",
            ".spec.destination.namespace", ".status.sync.status", ".status.health.status"],
        spec: true),
    kind!(cd::ApplicationSet, "ApplicationSet", "applicationset", "applicationsets", ["appset", "appsets"], "argocd", Namespaced,
        status: true, scale: None, actions: &[], columns: [AGE], selectable: [], spec: true),
    kind!(cd::AppProject, "AppProject", "appproject", "appprojects", ["appproj", "appprojs"], "argocd", Namespaced,
        status: false, scale: None, actions: &[], columns: [AGE], selectable: [], spec: true),
    // Argo Rollouts
    kind!(rollouts::Rollout, "Rollout", "rollout", "rollouts", ["ro"], "argo-rollouts", Namespaced,
        status: true,
        scale: Some(ScaleDef {
            spec_replicas_path: ".spec.replicas",
            status_replicas_path: ".status.HPAReplicas",
            label_selector_path: ".status.selector",
        }),
        actions: ROLLOUT_ACTIONS,
        columns: [
            described(col("Desired", "integer", ".spec.replicas"), "Number of desired pods"),
            described(col("Current", "integer", ".status.replicas"), "Total number of non-terminated pods targeted by this rollout"),
            described(col("Up-to-date", "integer", ".status.updatedReplicas"), "Total number of non-terminated pods targeted by this rollout that have the desired template spec"),
            described(col("Available", "integer", ".status.availableReplicas"), "Total number of available pods (ready for at least minReadySeconds) targeted by this rollout"),
            described(AGE, "Time since resource was created"),
        ],
        selectable: [".status.phase"], spec: true),
    kind!(rollouts::AnalysisTemplate, "AnalysisTemplate", "analysistemplate", "analysistemplates", ["at"], "argo-rollouts", Namespaced,
        status: false, scale: None, actions: &[],
        columns: [described(AGE, "Time since resource was created")], selectable: [], spec: true),
    kind!(rollouts::ClusterAnalysisTemplate, "ClusterAnalysisTemplate", "clusteranalysistemplate", "clusteranalysistemplates", ["cat"], "argo-rollouts", Cluster,
        status: false, scale: None, actions: &[],
        columns: [described(AGE, "Time since resource was created")], selectable: [], spec: true),
    kind!(rollouts::AnalysisRun, "AnalysisRun", "analysisrun", "analysisruns", ["ar"], "argo-rollouts", Namespaced,
        status: false, scale: None, actions: &[],
        columns: [
            described(col("Status", "string", ".status.phase"), "AnalysisRun status"),
            described(AGE, "Time since resource was created"),
        ],
        selectable: [".status.phase"], spec: true),
    kind!(rollouts::Experiment, "Experiment", "experiment", "experiments", ["exp"], "argo-rollouts", Namespaced,
        status: false, scale: None, actions: &[],
        columns: [
            described(col("Status", "string", ".status.phase"), "Experiment status"),
            described(AGE, "Time since resource was created"),
        ],
        selectable: [".status.phase"], spec: true),
    // Argo Workflows
    kind!(workflows::Workflow, "Workflow", "workflow", "workflows", ["wf"], "argo-workflows", Namespaced,
        status: false, scale: None, actions: WORKFLOW_ACTIONS,
        columns: [
            described(col("Status", "string", ".status.phase"), "Status of the workflow"),
            PrinterColumn { format: "date-time", ..described(col("Age", "date", ".status.startedAt"), "When the workflow was started") },
            described(col("Message", "string", ".status.message"), "Human readable message indicating details about why the workflow is in this condition."),
        ],
        selectable: [".status.phase"], spec: true),
    kind!(workflows::WorkflowTemplate, "WorkflowTemplate", "workflowtemplate", "workflowtemplates", ["wftmpl"], "argo-workflows", Namespaced,
        status: false, scale: None, actions: &[], columns: [AGE], selectable: [], spec: true),
    kind!(workflows::ClusterWorkflowTemplate, "ClusterWorkflowTemplate", "clusterworkflowtemplate", "clusterworkflowtemplates", ["clusterwftmpl", "cwft"], "argo-workflows", Cluster,
        status: false, scale: None, actions: &[], columns: [AGE], selectable: [], spec: true),
    kind!(workflows::CronWorkflow, "CronWorkflow", "cronworkflow", "cronworkflows", ["cwf", "cronwf"], "argo-workflows", Namespaced,
        status: false, scale: None, actions: &[], columns: [AGE], selectable: [], spec: true),
    kind!(workflows::WorkflowTaskSet, "WorkflowTaskSet", "workflowtaskset", "workflowtasksets", ["wfts"], "argo-workflows", Namespaced,
        status: true, scale: None, actions: &[], columns: [AGE], selectable: [], spec: true),
    kind!(workflows::WorkflowTaskResult, "WorkflowTaskResult", "workflowtaskresult", "workflowtaskresults", [], "argo-workflows", Namespaced,
        status: false, scale: None, actions: &[], columns: [AGE], selectable: [], spec: false),
    kind!(workflows::WorkflowArtifactGCTask, "WorkflowArtifactGCTask", "workflowartifactgctask", "workflowartifactgctasks", ["wfat"], "argo-workflows", Namespaced,
        status: true, scale: None, actions: &[], columns: [AGE], selectable: [], spec: true),
    kind!(workflows::WorkflowEventBinding, "WorkflowEventBinding", "workfloweventbinding", "workfloweventbindings", ["wfeb"], "argo-workflows", Namespaced,
        status: false, scale: None, actions: &[], columns: [AGE], selectable: [], spec: true),
    // Argo Events
    kind!(events::EventSource, "EventSource", "eventsource", "eventsources", ["es"], "argo-events", Namespaced,
        status: true, scale: None, actions: &[], columns: [AGE], selectable: [], spec: true),
    kind!(events::Sensor, "Sensor", "sensor", "sensors", ["sn"], "argo-events", Namespaced,
        status: true, scale: None, actions: &[], columns: [AGE], selectable: [], spec: true),
    kind!(events::EventBus, "EventBus", "eventbus", "eventbus", ["eb"], "argo-events", Namespaced,
        status: true, scale: None, actions: &[], columns: [AGE], selectable: [], spec: true),
];

/// The catalog entry for a plural resource name (`applications`), as URLs name it.
pub fn by_plural(plural: &str) -> Option<&'static ResourceDef> {
    CATALOG.iter().find(|d| d.plural == plural)
}

/// The catalog entry for a kind (`Application`).
pub fn by_kind(kind: &str) -> Option<&'static ResourceDef> {
    CATALOG.iter().find(|d| d.kind == kind)
}

/// Resolves what a user may type for a resource: plural, singular or short name, any case.
pub fn resolve(name: &str) -> Option<&'static ResourceDef> {
    let name = name.to_ascii_lowercase();
    CATALOG.iter().find(|d| {
        d.plural == name || d.singular == name || d.short_names.iter().any(|s| *s == name)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn names_are_unique_and_consistent() {
        let mut seen = HashSet::new();
        for d in CATALOG {
            assert!(seen.insert(d.plural), "duplicate plural {}", d.plural);
            assert!(seen.insert(d.kind), "duplicate kind {}", d.kind);
            for s in d.short_names {
                assert!(seen.insert(s), "duplicate short name {s}");
            }
            assert_eq!(d.singular, d.kind.to_ascii_lowercase());
            assert!(d.categories.contains(&"argo"));
            assert!(
                d.printer_columns.iter().any(|c| c.name == "Age"),
                "{} has no Age column",
                d.kind
            );
        }
        assert_eq!(CATALOG.len(), 19);
    }

    #[test]
    fn upstream_quirks_are_kept() {
        assert_eq!(by_kind("EventBus").unwrap().plural, "eventbus");
        assert!(!by_kind("Application").unwrap().status_subresource);
        assert!(!by_kind("Workflow").unwrap().status_subresource);
        assert!(!by_kind("AnalysisRun").unwrap().status_subresource);
        assert!(by_kind("Rollout").unwrap().scale.is_some());
        assert_eq!(
            by_kind("ClusterWorkflowTemplate").unwrap().scope,
            Scope::Cluster
        );
        assert_eq!(
            by_kind("ClusterAnalysisTemplate").unwrap().scope,
            Scope::Cluster
        );
        assert!(!by_kind("WorkflowTaskResult").unwrap().has_spec);
        assert_eq!(resolve("APPS").unwrap().kind, "Application");
        assert_eq!(resolve("cwft").unwrap().kind, "ClusterWorkflowTemplate");
        let with_status: Vec<_> = CATALOG
            .iter()
            .filter(|d| d.status_subresource)
            .map(|d| d.kind)
            .collect();
        assert_eq!(
            with_status,
            [
                "ApplicationSet",
                "Rollout",
                "WorkflowTaskSet",
                "WorkflowArtifactGCTask",
                "EventSource",
                "Sensor",
                "EventBus"
            ]
        );
    }
}
