//! WorkflowSpec and the workflow-level settings it shares with templates (arguments, retries, metrics, synchronization, GC).

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    Affinity, ConfigMapKeySelector, Container, HostAlias, LocalObjectReference, PodDNSConfig,
    PodResourceClaim, PodSecurityContext, ResourceRequirements, Toleration, Volume,
};
use k8s_openapi::api::policy::v1::PodDisruptionBudgetSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{
    Amount, AnyString, Artifact, ArtifactRepositoryRef, ExecutorConfig, LifecycleHook, Metadata,
    Template, VolumeClaimTemplate, WorkflowLevelArtifactGC,
};

/// Arguments to a template.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Arguments {
    /// The list of parameters to pass to the template or workflow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-list-type" = "map", "x-kubernetes-list-map-keys" = ["name"]))]
    pub parameters: Option<Vec<Parameter>>,
    /// The list of artifacts to pass to the template or workflow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-list-type" = "map", "x-kubernetes-list-map-keys" = ["name"]))]
    pub artifacts: Option<Vec<Artifact>>,
}

/// A backoff strategy to use within retryStrategy.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Backoff {
    /// The amount to back off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<String>,
    /// A factor to multiply the base duration after each failed retry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub factor: Option<IntOrString>,
    /// The maximum amount of time allowed for a workflow in the backoff strategy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_duration: Option<String>,
    /// A limit on revised values of the duration parameter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cap: Option<String>,
}

/// A Counter prometheus metric.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Counter {
    /// The value of the metric.
    #[schemars(extend("minLength" = 1))]
    pub value: String,
}

/// An executor plugin declared on the workflow.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExecutorPlugin {
    /// Metadata of the plugin.
    pub metadata: ObjectMeta,
    /// Specification of the plugin.
    pub spec: ExecutorPluginSpec,
}

/// The sidecar container that runs an executor plugin.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExecutorPluginSidecar {
    /// Enables mounting the service account token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub automount_service_account_token: Option<bool>,
    /// The sidecar container.
    pub container: Container,
}

/// Specification of an executor plugin.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExecutorPluginSpec {
    /// The sidecar that runs the plugin.
    pub sidecar: ExecutorPluginSidecar,
}

/// A Gauge prometheus metric.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Gauge {
    /// The value to be used in the operation with the metric's current value.
    #[schemars(extend("minLength" = 1, "maxLength" = 256))]
    pub value: String,
    /// Realtime emits this metric in real time if applicable.
    pub realtime: bool,
    /// Defines the operation to apply with value and the metrics' current value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("enum" = ["Set", "Add", "Sub"]))]
    pub operation: Option<String>,
}

/// A Histogram prometheus metric.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Histogram {
    /// The value of the metric.
    #[schemars(extend("minLength" = 1))]
    pub value: String,
    /// A list of bucket divisors for the histogram.
    pub buckets: Vec<Amount>,
}

/// An expression that computes a label value.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct LabelValueFrom {
    /// Expression evaluated to the label value.
    pub expression: String,
}

/// A single label for a prometheus metric.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MetricLabel {
    /// Label name.
    #[schemars(extend("pattern" = "^[a-zA-Z_][a-zA-Z0-9_]*$"))]
    pub key: String,
    /// Label value; may use template variables.
    pub value: String,
}

/// A list of metrics emitted from a Workflow/Template.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Metrics {
    /// A list of prometheus metrics to be emitted.
    pub prometheus: Vec<Prometheus>,
}

/// Holds Mutex configuration.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Mutex {
    /// Name of the mutex.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The namespace of the mutex, default: [namespace of workflow].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Specifies this is database controlled if this is set true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database: Option<bool>,
}

/// Parameter indicate a passed string parameter to a service template with an optional default value.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Parameter {
    /// The parameter name.
    #[schemars(extend("pattern" = "^[-a-zA-Z0-9_]+$"))]
    pub name: String,
    /// The default value to use for an input parameter if a value was not supplied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<AnyString>,
    /// The literal value to use for the parameter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<AnyString>,
    /// The source for the output parameter's value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_from: Option<ValueFrom>,
    /// GlobalName exports an output parameter to the global scope, making it available as workflow.outputs.parameters.XXXX and in workflow.status.outputs.parameters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub global_name: Option<String>,
    /// Holds a list of string values to choose from, for the actual value of the parameter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("minItems" = 1))]
    pub r#enum: Option<Vec<AnyString>>,
    /// The parameter description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<AnyString>,
}

/// Describes how to delete completed pods as they complete.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PodGC {
    /// The strategy to use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("enum" = ["", "OnPodCompletion", "OnPodSuccess", "OnWorkflowCompletion", "OnWorkflowSuccess"]))]
    pub strategy: Option<String>,
    /// The label selector to check if the pods match the labels before being added to the pod GC queue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-map-type" = "atomic"))]
    pub label_selector: Option<LabelSelector>,
    /// Specifies the duration before pods in the GC queue get deleted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delete_delay_duration: Option<String>,
}

/// A prometheus metric to be emitted.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Prometheus {
    /// The name of the metric.
    #[schemars(extend("pattern" = "^[a-zA-Z_][a-zA-Z0-9_]*$"))]
    pub name: String,
    /// A list of metric labels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<Vec<MetricLabel>>,
    /// A string that describes the metric.
    #[schemars(extend("minLength" = 1))]
    pub help: String,
    /// A conditional statement that decides when to emit the metric.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<String>,
    /// A gauge metric.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gauge: Option<Gauge>,
    /// A histogram metric.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub histogram: Option<Histogram>,
    /// A counter metric.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counter: Option<Counter>,
}

/// RetryAffinity prevents running steps on the same host.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RetryAffinity {
    /// Retry on a node other than the ones already tried.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_anti_affinity: Option<RetryNodeAntiAffinity>,
}

/// A placeholder for future expansion, only empty nodeAntiAffinity is allowed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RetryNodeAntiAffinity {}

/// RetryStrategy provides controls on how to retry a workflow step.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RetryStrategy {
    /// The maximum number of retry attempts when retrying a container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<IntOrString>,
    /// A policy of NodePhase statuses that will be retried.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("enum" = ["Always", "OnFailure", "OnError", "OnTransientError"]))]
    pub retry_policy: Option<String>,
    /// A backoff strategy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backoff: Option<Backoff>,
    /// Affinity prevents running workflow's step on the same host.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affinity: Option<RetryAffinity>,
    /// A condition expression for when a node will be retried.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expression: Option<String>,
}

/// A reference of Semaphore.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SemaphoreRef {
    /// A configmap selector for Semaphore configuration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-map-type" = "atomic"))]
    pub config_map_key_ref: Option<ConfigMapKeySelector>,
    /// The namespace of the configmap, default: [namespace of workflow].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// SyncDatabaseRef is a database reference for Semaphore configuration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database: Option<SyncDatabaseRef>,
}

/// A placeholder for a value to be filled in directly, either through the CLI, API, etc.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SuppliedValueFrom {}

/// A key in the synchronization database, for locks shared between controllers.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SyncDatabaseRef {
    /// Key of the lock in the synchronization database.
    pub key: String,
}

/// Holds synchronization lock configuration.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Synchronization {
    /// V3.6 and after: Semaphores holds the list of Semaphores configuration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub semaphores: Option<Vec<SemaphoreRef>>,
    /// V3.6 and after: Mutexes holds the list of Mutex lock details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mutexes: Option<Vec<Mutex>>,
}

/// The strategy for the time to live depending on if the workflow succeeded or failed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TTLStrategy {
    /// The number of seconds to live after completion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds_after_completion: Option<i32>,
    /// The number of seconds to live after success.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds_after_success: Option<i32>,
    /// The number of seconds to live after failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds_after_failure: Option<i32>,
}

/// Describes a location in which to obtain the value to a parameter.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ValueFrom {
    /// Path in the container to retrieve an output parameter value from in container templates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// JSONPath of a resource to retrieve an output parameter value from in resource templates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub json_path: Option<String>,
    /// JQFilter expression against the resource object in resource templates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jq_filter: Option<String>,
    /// Selector (https://github.com/expr-lang/expr) that is evaluated against the event to get the value of the parameter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<String>,
    /// Parameter reference to a step or dag task in which to retrieve an output parameter value from (e.g. steps.mystep.outputs.myparam).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameter: Option<String>,
    /// Supplied value to be filled in directly, either through the CLI, API, etc.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supplied: Option<SuppliedValueFrom>,
    /// Configmap selector for input parameter configuration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-map-type" = "atomic"))]
    pub config_map_key_ref: Option<ConfigMapKeySelector>,
    /// Specifies a value to be used if retrieving the value from the specified source fails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<AnyString>,
    /// Expression, if defined, is evaluated to specify the value for the parameter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expression: Option<String>,
}

/// Describes how to delete volumes from completed Workflows.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct VolumeClaimGC {
    /// The strategy to use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strategy: Option<String>,
}

/// Labels and annotations set on the workflow itself, optionally computed from expressions.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowMetadata {
    /// Labels to set on the workflow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<BTreeMap<String, String>>,
    /// Annotations to set on the workflow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<BTreeMap<String, String>>,
    /// Labels to set on the workflow, computed from expressions, by label name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels_from: Option<BTreeMap<String, LabelValueFrom>>,
}

/// The specification of a Workflow.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowSpec {
    /// A list of workflow templates used in a workflow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub templates: Option<Vec<Template>>,
    /// A template reference to the starting point of the workflow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entrypoint: Option<String>,
    /// Arguments contain the parameters and artifacts sent to the workflow entrypoint Parameters are referencable globally using the 'workflow' variable prefix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arguments: Option<Arguments>,
    /// The name of the ServiceAccount to run all pods of the workflow as.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_account_name: Option<String>,
    /// Indicates whether a service account token should be automatically mounted in pods.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub automount_service_account_token: Option<bool>,
    /// Holds configurations of executor containers of the workflow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub executor: Option<ExecutorConfig>,
    /// A list of volumes that can be mounted by containers in a workflow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-list-type" = "map", "x-kubernetes-list-map-keys" = ["name"]))]
    pub volumes: Option<Vec<Volume>>,
    /// A list of claims that containers are allowed to reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_claim_templates: Option<Vec<VolumeClaimTemplate>>,
    /// Parallelism limits the max total parallel pods that can execute at the same time in a workflow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("minimum" = 1))]
    pub parallelism: Option<i64>,
    /// Specifies the configMap name and key containing the artifact repository config.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact_repository_ref: Option<ArtifactRepositoryRef>,
    /// Will suspend the workflow and prevent execution of any future steps in the workflow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suspend: Option<bool>,
    /// A selector which will result in all pods of the workflow to be scheduled on the selected node(s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_selector: Option<BTreeMap<String, String>>,
    /// Sets the scheduling constraints for all pods in the workflow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affinity: Option<Affinity>,
    /// Tolerations to apply to workflow pods.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tolerations: Option<Vec<Toleration>>,
    /// A list of references to secrets in the same namespace to use for pulling any images in pods that reference this ServiceAccount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_pull_secrets: Option<Vec<LocalObjectReference>>,
    /// Host networking requested for this workflow pod.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_network: Option<bool>,
    /// Set DNS policy for workflow pods.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dns_policy: Option<String>,
    /// PodDNSConfig defines the DNS parameters of a pod in addition to those generated from DNSPolicy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dns_config: Option<PodDNSConfig>,
    /// A template reference which is invoked at the end of the workflow, irrespective of the success, failure, or error of the primary workflow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_exit: Option<String>,
    /// TTLStrategy limits the lifetime of a Workflow that has finished execution depending on if it Succeeded or Failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl_strategy: Option<TTLStrategy>,
    /// Optional duration in seconds relative to the workflow start time which the workflow is allowed to run before the controller terminates the workflow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active_deadline_seconds: Option<i64>,
    /// Used if controller is configured to process limited number of workflows in parallel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<i32>,
    /// Set scheduler name for all pods.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduler_name: Option<String>,
    /// Describes the strategy to use when deleting completed pods.
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "podGC")]
    pub pod_gc: Option<PodGC>,
    /// PriorityClassName to apply to workflow pods.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_priority_class_name: Option<String>,
    /// Entries added to the hosts file of every pod of the workflow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-list-type" = "map", "x-kubernetes-list-map-keys" = ["ip"]))]
    pub host_aliases: Option<Vec<HostAlias>>,
    /// Holds pod-level security attributes and common container settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_context: Option<PodSecurityContext>,
    /// Holds strategic merge patch to apply against the pod spec.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_spec_patch: Option<String>,
    /// Holds the number of concurrent disruptions that you allow for Workflow's Pods.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_disruption_budget: Option<PodDisruptionBudgetSpec>,
    /// A list of metrics emitted from this Workflow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metrics: Option<Metrics>,
    /// Will shutdown the workflow according to its ShutdownStrategy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shutdown: Option<String>,
    /// Holds a reference to a WorkflowTemplate for execution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workflow_template_ref: Option<WorkflowTemplateRef>,
    /// Holds synchronization lock configuration for this Workflow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub synchronization: Option<Synchronization>,
    /// Describes the strategy to use when deleting volumes from completed workflows.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        rename = "volumeClaimGC"
    )]
    pub volume_claim_gc: Option<VolumeClaimGC>,
    /// RetryStrategy for all templates in the workflow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_strategy: Option<RetryStrategy>,
    /// Defines additional metadata that should be applied to workflow pods.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_metadata: Option<Metadata>,
    /// Holds default template values that will apply to all templates in the Workflow, unless overridden on the template-level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_defaults: Option<Template>,
    /// Indicates if the container logs should be archived.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archive_logs: Option<bool>,
    /// Holds the lifecycle hook which is invoked at lifecycle of step, irrespective of the success, failure, or error status of the primary step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hooks: Option<BTreeMap<String, LifecycleHook>>,
    /// Contains some metadata of the workflow to refer to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workflow_metadata: Option<WorkflowMetadata>,
    /// Describes the strategy to use when deleting artifacts from completed or deleted workflows (applies to all output Artifacts unless Artifact.ArtifactGC is specified, which overrides this).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        rename = "artifactGC"
    )]
    pub artifact_gc: Option<WorkflowLevelArtifactGC>,
    /// Specifies executor plugins at the workflow level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub executor_plugins: Option<Vec<ExecutorPlugin>>,
    /// Defines pod-level resource requests and limits to apply to all workflow pods.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_resources: Option<ResourceRequirements>,
    /// Defines the ResourceClaims that must be allocated and reserved before the pods running this workflow's templates are allowed to start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-list-type" = "atomic"))]
    pub resource_claims: Option<Vec<PodResourceClaim>>,
}

/// A reference to a WorkflowTemplate resource.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowTemplateRef {
    /// The resource name of the workflow template.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Indicates the referred template is cluster scoped (i.e. a ClusterWorkflowTemplate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_scope: Option<bool>,
}
