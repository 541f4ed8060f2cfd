//! WorkflowStatus, NodeStatus and the synchronization and memoization status types.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Volume;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{ArtifactRepository, Inputs, Outputs, Template, TemplateRef, WorkflowSpec};

/// ArtGCStatus maintains state related to ArtifactGC.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ArtGCStatus {
    /// Have Pods been started to perform this strategy? (enables us not to re-process what we've already done).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strategies_processed: Option<BTreeMap<String, bool>>,
    /// Have completed Pods been processed? (mapped by Pod name) used to prevent re-processing the Status of a Pod more than once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pods_recouped: Option<BTreeMap<String, bool>>,
    /// If this is true, we already checked to see if we need to do it and we don't.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_specified: Option<bool>,
}

/// The resolved artifact repository reference with namespace info.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ArtifactRepositoryRefStatus {
    /// The name of the config map.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_map: Option<String>,
    /// The config map key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// The namespace of the config map.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// If this ref represents the default artifact repository, rather than a config map.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<bool>,
    /// The repository the workflow will use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact_repository: Option<ArtifactRepository>,
}

/// A condition of a workflow or cron workflow.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Condition {
    /// Type of the condition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r#type: Option<String>,
    /// Status of the condition: True, False or Unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Human-readable message about the condition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// The status of this memoized node.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MemoizationStatus {
    /// Indicates whether this node was created from a cache entry.
    pub hit: bool,
    /// The name of the key used for this node's cache.
    pub key: String,
    /// Cache is the name of the cache that was used.
    pub cache_name: String,
}

/// Describes the mutex and the object which is holding it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MutexHolding {
    /// Reference for the mutex e.g: ${namespace}/mutex/${mutexName}.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mutex: Option<String>,
    /// A reference to the object which holds the Mutex.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holder: Option<String>,
}

/// Contains which objects hold  mutex locks, and which objects this workflow is waiting on to release locks.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MutexStatus {
    /// A list of mutexes and their respective objects that are held by mutex lock for this workflow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-list-type" = "atomic"))]
    pub holding: Option<Vec<MutexHolding>>,
    /// A list of mutexes and their respective objects this workflow is waiting for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-list-type" = "atomic"))]
    pub waiting: Option<Vec<MutexHolding>>,
}

/// Marks a node created for a lifecycle hook or as a retry.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NodeFlag {
    /// Hooked tracks whether or not this node was triggered by hook or onExit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hooked: Option<bool>,
    /// Retried tracks whether or not this node was retried by retryStrategy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retried: Option<bool>,
}

/// Contains status information about an individual node in the workflow.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NodeStatus {
    /// A unique identifier of a node within the worklow It is implemented as a hash of the node name, which makes the ID deterministic.
    pub id: String,
    /// Unique name in the node tree used to generate the node ID.
    pub name: String,
    /// A human readable representation of the node.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Indicates type of node.
    pub r#type: String,
    /// The template name which this node corresponds to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_name: Option<String>,
    /// The reference to the template resource which this node corresponds to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_ref: Option<TemplateRef>,
    /// The template scope in which the template of this node was retrieved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_scope: Option<String>,
    /// Phase a simple, high-level summary of where the node is in its lifecycle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<String>,
    /// Indicates the node ID of the associated template root node in which this node belongs to.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        rename = "boundaryID"
    )]
    pub boundary_id: Option<String>,
    /// A human readable message indicating details about why the node is in this condition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Time at which this node started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<Time>,
    /// Time at which this node completed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<Time>,
    /// EstimatedDuration in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimated_duration: Option<i64>,
    /// Progress to completion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progress: Option<String>,
    /// Indicative, but not accurate, resource duration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources_duration: Option<BTreeMap<String, i64>>,
    /// PodIP captures the IP of the pod for daemoned steps.
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "podIP")]
    pub pod_ip: Option<String>,
    /// Daemoned tracks whether or not this node was daemoned and need to be terminated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub daemoned: Option<bool>,
    /// NodeFlag tracks some history of node.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_flag: Option<NodeFlag>,
    /// Inputs captures input parameter values and artifact locations supplied to this template invocation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inputs: Option<Inputs>,
    /// Outputs captures output parameter values and artifact locations produced by this template invocation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outputs: Option<Outputs>,
    /// A list of child node IDs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub children: Option<Vec<String>>,
    /// OutboundNodes tracks the node IDs which are considered "outbound" nodes to a template invocation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outbound_nodes: Option<Vec<String>>,
    /// HostNodeName name of the Kubernetes node on which the Pod is running, if applicable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_node_name: Option<String>,
    /// Holds information about cached nodes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memoization_status: Option<MemoizationStatus>,
    /// The synchronization status of the node.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub synchronization_status: Option<NodeSynchronizationStatus>,
    /// Used to determine if the node's output has been received.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_result_synced: Option<bool>,
    /// FailedPodRestarts tracks the number of times the pod for this node was restarted due to infrastructure failures before the main container started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed_pod_restarts: Option<i32>,
    /// RestartingPodUID tracks the UID of the pod that is currently being restarted.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        rename = "restartingPodUID"
    )]
    pub restarting_pod_uid: Option<String>,
}

/// NodeSynchronizationStatus stores the status of a node.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NodeSynchronizationStatus {
    /// The name of the lock that this node is waiting for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiting: Option<String>,
}

/// The holders of one semaphore.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SemaphoreHolding {
    /// Semaphore stores the semaphore name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub semaphore: Option<String>,
    /// Holders stores the list of current holder names in the workflow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-list-type" = "atomic"))]
    pub holders: Option<Vec<String>>,
}

/// The semaphores a workflow holds and waits for.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SemaphoreStatus {
    /// Holding stores the list of resource acquired synchronization lock for workflows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holding: Option<Vec<SemaphoreHolding>>,
    /// Indicates the list of current synchronization lock holders.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiting: Option<Vec<SemaphoreHolding>>,
}

/// SynchronizationStatus stores the status of semaphore and mutex.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SynchronizationStatus {
    /// Semaphore stores this workflow's Semaphore holder details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub semaphore: Option<SemaphoreStatus>,
    /// Mutex stores this workflow's mutex holder details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mutex: Option<MutexStatus>,
}

/// Contains overall status information about a workflow.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowStatus {
    /// Phase a simple, high-level summary of where the workflow is in its lifecycle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<String>,
    /// Time at which this workflow started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<Time>,
    /// Time at which this workflow completed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<Time>,
    /// EstimatedDuration in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimated_duration: Option<i64>,
    /// Progress to completion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progress: Option<String>,
    /// A human readable message indicating details about why the workflow is in this condition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Compressed and base64 decoded Nodes map.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compressed_nodes: Option<String>,
    /// A mapping between a node ID and the node's status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nodes: Option<BTreeMap<String, NodeStatus>>,
    /// Whether on not node status has been offloaded to a database.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offload_node_status_version: Option<String>,
    /// A mapping between a template ref and the node's status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-map-type" = "atomic"))]
    pub stored_templates: Option<BTreeMap<String, Template>>,
    /// PersistentVolumeClaims tracks all PVCs that were created as part of the workflow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub persistent_volume_claims: Option<Vec<Volume>>,
    /// Outputs captures output values and artifact locations produced by the workflow via global outputs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outputs: Option<Outputs>,
    /// A list of conditions the Workflow may have.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Vec<Condition>>,
    /// The total for the workflow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources_duration: Option<BTreeMap<String, i64>>,
    /// StoredWorkflowSpec stores the WorkflowTemplate spec for future execution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-map-type" = "atomic"))]
    pub stored_workflow_template_spec: Option<WorkflowSpec>,
    /// Synchronization stores the status of synchronization locks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub synchronization: Option<SynchronizationStatus>,
    /// Used to cache the repository to use so we do not need to determine it everytime we reconcile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact_repository_ref: Option<ArtifactRepositoryRefStatus>,
    /// ArtifactGCStatus maintains the status of Artifact Garbage Collection.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        rename = "artifactGCStatus"
    )]
    pub artifact_gc_status: Option<ArtGCStatus>,
    /// TaskResultsCompletionStatus tracks task result completion status (mapped by node ID).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_results_completion_status: Option<BTreeMap<String, bool>>,
}
