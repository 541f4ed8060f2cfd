//! Template and every template type: container, script, resource, suspend, DAG, steps, container set, data, HTTP, plugin.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    Affinity, Container, ContainerPort, ContainerResizePolicy, EnvFromSource, EnvVar, HostAlias,
    Lifecycle, LocalObjectReference, PodResourceClaim, PodSecurityContext, Probe,
    ResourceRequirements, SecretKeySelector, SecurityContext, Toleration, Volume, VolumeDevice,
    VolumeMount,
};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{
    Arguments, Artifact, ArtifactLocation, Metrics, Parameter, RetryStrategy, Synchronization,
};

/// ArtifactPaths expands a step from a collection of artifacts. Upstream inlines `Artifact` into it
/// unchanged, so it is the same type (and the same schema) here.
pub type ArtifactPaths = Artifact;

/// The configuration for the type of cache to be used.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Cache {
    /// Sets a ConfigMap-based cache.
    #[schemars(extend("x-kubernetes-map-type" = "atomic"))]
    pub config_map: LocalObjectReference,
}

/// One container of a container set.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ContainerNode {
    /// Name of the container, a DNS_LABEL unique within the pod.
    pub name: String,
    /// Container image name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// Entrypoint array; not executed within a shell.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-list-type" = "atomic"))]
    pub command: Option<Vec<String>>,
    /// Arguments to the entrypoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-list-type" = "atomic"))]
    pub args: Option<Vec<String>>,
    /// Container's working directory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub working_dir: Option<String>,
    /// List of ports to expose from the container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-list-type" = "map", "x-kubernetes-list-map-keys" = ["containerPort", "protocol"]))]
    pub ports: Option<Vec<ContainerPort>>,
    /// Sources to populate environment variables in the container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-list-type" = "atomic"))]
    pub env_from: Option<Vec<EnvFromSource>>,
    /// Environment variables to set in the container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-list-type" = "map", "x-kubernetes-list-map-keys" = ["name"]))]
    pub env: Option<Vec<EnvVar>>,
    /// Compute resources required by this container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<ResourceRequirements>,
    /// Resources resize policy for the container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-list-type" = "atomic"))]
    pub resize_policy: Option<Vec<ContainerResizePolicy>>,
    /// Restart behaviour of this container (init containers only: "Always").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restart_policy: Option<String>,
    /// Pod volumes to mount into the container's filesystem.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-list-type" = "map", "x-kubernetes-list-map-keys" = ["mountPath"]))]
    pub volume_mounts: Option<Vec<VolumeMount>>,
    /// Block devices to be used by the container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-list-type" = "map", "x-kubernetes-list-map-keys" = ["devicePath"]))]
    pub volume_devices: Option<Vec<VolumeDevice>>,
    /// Periodic probe of container liveness.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub liveness_probe: Option<Probe>,
    /// Periodic probe of container service readiness.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub readiness_probe: Option<Probe>,
    /// Probe that must succeed before the other probes run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub startup_probe: Option<Probe>,
    /// Actions to take in response to container lifecycle events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lifecycle: Option<Lifecycle>,
    /// Path of the file the container's termination message is written to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub termination_message_path: Option<String>,
    /// How the termination message is populated: File or FallbackToLogsOnError.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub termination_message_policy: Option<String>,
    /// Image pull policy: Always, Never or IfNotPresent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_pull_policy: Option<String>,
    /// Security options the container runs with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_context: Option<SecurityContext>,
    /// Whether to allocate a buffer for stdin in the container runtime.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stdin: Option<bool>,
    /// Whether to close stdin after a single attach.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stdin_once: Option<bool>,
    /// Whether to allocate a TTY for the container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tty: Option<bool>,
    /// Names of the containers of the set that must finish before this one starts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dependencies: Option<Vec<String>>,
}

/// ContainerSetRetryStrategy provides controls on how to retry a container set.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ContainerSetRetryStrategy {
    /// The time between each retry, examples values are "300ms", "1s" or "5m".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<String>,
    /// The maximum number of retry attempts for each container.
    pub retries: IntOrString,
}

/// Several containers run in one pod, ordered by their dependencies.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ContainerSetTemplate {
    /// The containers of the set.
    pub containers: Vec<ContainerNode>,
    /// Volume mounts added to every container of the set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_mounts: Option<Vec<VolumeMount>>,
    /// Describes how to retry container nodes if the container set fails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_strategy: Option<ContainerSetRetryStrategy>,
}

/// Defines if a workflow should continue even if a task or step fails/errors.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ContinueOn {
    /// Continue when the step or task ends in Error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<bool>,
    /// Continue when the step or task ends in Failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed: Option<bool>,
}

/// Represents a node in the graph during DAG execution.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DAGTask {
    /// The name of the target.
    #[schemars(extend("pattern" = "^[a-zA-Z0-9][-a-zA-Z0-9]*$", "maxLength" = 128))]
    pub name: String,
    /// Name of the template to run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
    /// The template.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inline: Option<Box<Template>>,
    /// The parameter and artifact arguments to the template.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arguments: Option<Arguments>,
    /// The reference to the template resource to execute.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_ref: Option<TemplateRef>,
    /// Name of other targets which this depends on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dependencies: Option<Vec<String>>,
    /// WithItems expands a task into multiple parallel tasks from the items in the list. Open JSON, kept as it came.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub with_items: Option<Vec<serde_json::Value>>,
    /// WithParam expands a task into multiple parallel tasks from the value in the parameter, which is expected to be a JSON list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub with_param: Option<String>,
    /// WithSequence expands a task into a numeric sequence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub with_sequence: Option<Sequence>,
    /// An expression in which the task should conditionally execute.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<String>,
    /// ContinueOn makes argo to proceed with the following step even if this step fails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub continue_on: Option<ContinueOn>,
    /// A template reference which is invoked at the end of the template, irrespective of the success, failure, or error of the primary template.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_exit: Option<String>,
    /// Name of other targets which this depends on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub depends: Option<String>,
    /// Hooks hold the lifecycle hook which is invoked at lifecycle of task, irrespective of the success, failure, or error status of the primary task.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hooks: Option<BTreeMap<String, LifecycleHook>>,
}

/// A template subtype for directed acyclic graph templates.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DAGTemplate {
    /// One or more names of targets to execute in a DAG.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// A list of DAG tasks.
    #[schemars(extend("minItems" = 1))]
    pub tasks: Vec<DAGTask>,
    /// This flag is for DAG logic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fail_fast: Option<bool>,
}

/// A data template.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Data {
    /// Source sources external data into a data template.
    pub source: DataSource,
    /// Transformation applies a set of transformations.
    pub transformation: Vec<TransformationStep>,
}

/// DataSource sources external data into a data template.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DataSource {
    /// A data transformation that collects a list of artifact paths.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact_paths: Option<ArtifactPaths>,
}

/// Holds configurations of an executor container.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExecutorConfig {
    /// Specifies the service account name of the executor container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_account_name: Option<String>,
}

/// A template that makes an HTTP request, run by the agent.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[allow(clippy::upper_case_acronyms)]
pub struct HTTP {
    /// HTTP methods for HTTP Request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// URL of the HTTP Request.
    pub url: String,
    /// An optional list of headers to send with HTTP requests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headers: Option<Vec<HTTPHeader>>,
    /// Request timeout for HTTP Request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_seconds: Option<i64>,
    /// An expression if evaluated to true is considered successful.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub success_condition: Option<String>,
    /// Content of the HTTP Request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// Content of the HTTP Request as Bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_from: Option<HTTPBodySource>,
    /// A bool when if set to true will skip TLS verification for the HTTP client.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insecure_skip_verify: Option<bool>,
}

/// Contains the source of the HTTP body.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HTTPBodySource {
    /// The request body, base64-encoded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "byte"))]
    pub bytes: Option<String>,
}

/// A header of an HTTP template's request.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HTTPHeader {
    /// Header name.
    pub name: String,
    /// Literal header value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// Where to read the header value from instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_from: Option<HTTPHeaderSource>,
}

/// Where an HTTP header's value comes from.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HTTPHeaderSource {
    /// A key of a secret holding the value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-map-type" = "atomic"))]
    pub secret_key_ref: Option<SecretKeySelector>,
}

/// The mechanism for passing parameters, artifacts, volumes from one template to another.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Inputs {
    /// A list of parameters passed as inputs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-list-type" = "map", "x-kubernetes-list-map-keys" = ["name"]))]
    pub parameters: Option<Vec<Parameter>>,
    /// Artifact are a list of artifacts passed as inputs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-list-type" = "map", "x-kubernetes-list-map-keys" = ["name"]))]
    pub artifacts: Option<Vec<Artifact>>,
}

/// A template run when a lifecycle event happens or when its expression becomes true.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct LifecycleHook {
    /// The name of the template to execute by the hook.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
    /// Arguments hold arguments to the template.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arguments: Option<Arguments>,
    /// The reference to the template resource to execute by the hook.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_ref: Option<TemplateRef>,
    /// A condition expression for when a node will be retried.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expression: Option<String>,
}

/// Reads a resource template's manifest from an artifact.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ManifestFrom {
    /// Contains the artifact to use.
    pub artifact: Artifact,
}

/// Enables caching for the Outputs of the template.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Memoize {
    /// The key to use as the caching key.
    pub key: String,
    /// Sets and configures the kind of cache.
    pub cache: Cache,
    /// The maximum age (e.g. "180s", "24h") of an entry that is still considered valid.
    pub max_age: String,
}

/// Pod metadata.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Metadata {
    /// Annotations to add to the pod.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<BTreeMap<String, String>>,
    /// Labels to add to the pod.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<BTreeMap<String, String>>,
}

/// Outputs hold parameters, artifacts, and results from a step.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Outputs {
    /// Holds the list of output parameters produced by a step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-list-type" = "map", "x-kubernetes-list-map-keys" = ["name"]))]
    pub parameters: Option<Vec<Parameter>>,
    /// Holds the list of output artifacts produced by a step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-list-type" = "map", "x-kubernetes-list-map-keys" = ["name"]))]
    pub artifacts: Option<Vec<Artifact>>,
    /// Holds the result (stdout) of a script or container template, or the response body of an HTTP template.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<String>,
    /// Holds the exit code of a script template.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<String>,
}

/// A template subtype to manipulate kubernetes resources.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ResourceTemplate {
    /// The action to perform to the resource.
    #[schemars(extend("enum" = ["get", "create", "apply", "delete", "replace", "patch"]))]
    pub action: String,
    /// The strategy used to merge a patch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("enum" = ["strategic", "merge", "json"]))]
    pub merge_strategy: Option<String>,
    /// Contains the kubernetes manifest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manifest: Option<String>,
    /// The source for a single kubernetes manifest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manifest_from: Option<ManifestFrom>,
    /// Sets the reference to the workflow on the OwnerReference of generated resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub set_owner_reference: Option<bool>,
    /// A label selector expression which describes the conditions of the k8s resource in which it is acceptable to proceed to the following step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub success_condition: Option<String>,
    /// A label selector expression which describes the conditions of the k8s resource in which the step was considered failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_condition: Option<String>,
    /// A set of additional options passed to kubectl before submitting a resource I.e.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flags: Option<Vec<String>>,
}

/// A template subtype to enable scripting through code steps.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ScriptTemplate {
    /// Name of the container, a DNS_LABEL unique within the pod.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Container image name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// Entrypoint array; not executed within a shell.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-list-type" = "atomic"))]
    pub command: Option<Vec<String>>,
    /// Arguments to the entrypoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-list-type" = "atomic"))]
    pub args: Option<Vec<String>>,
    /// Container's working directory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub working_dir: Option<String>,
    /// List of ports to expose from the container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-list-type" = "map", "x-kubernetes-list-map-keys" = ["containerPort", "protocol"]))]
    pub ports: Option<Vec<ContainerPort>>,
    /// Sources to populate environment variables in the container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-list-type" = "atomic"))]
    pub env_from: Option<Vec<EnvFromSource>>,
    /// Environment variables to set in the container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-list-type" = "map", "x-kubernetes-list-map-keys" = ["name"]))]
    pub env: Option<Vec<EnvVar>>,
    /// Compute resources required by this container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<ResourceRequirements>,
    /// Resources resize policy for the container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-list-type" = "atomic"))]
    pub resize_policy: Option<Vec<ContainerResizePolicy>>,
    /// Restart behaviour of this container (init containers only: "Always").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restart_policy: Option<String>,
    /// Pod volumes to mount into the container's filesystem.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-list-type" = "map", "x-kubernetes-list-map-keys" = ["mountPath"]))]
    pub volume_mounts: Option<Vec<VolumeMount>>,
    /// Block devices to be used by the container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-list-type" = "map", "x-kubernetes-list-map-keys" = ["devicePath"]))]
    pub volume_devices: Option<Vec<VolumeDevice>>,
    /// Periodic probe of container liveness.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub liveness_probe: Option<Probe>,
    /// Periodic probe of container service readiness.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub readiness_probe: Option<Probe>,
    /// Probe that must succeed before the other probes run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub startup_probe: Option<Probe>,
    /// Actions to take in response to container lifecycle events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lifecycle: Option<Lifecycle>,
    /// Path of the file the container's termination message is written to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub termination_message_path: Option<String>,
    /// How the termination message is populated: File or FallbackToLogsOnError.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub termination_message_policy: Option<String>,
    /// Image pull policy: Always, Never or IfNotPresent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_pull_policy: Option<String>,
    /// Security options the container runs with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_context: Option<SecurityContext>,
    /// Whether to allocate a buffer for stdin in the container runtime.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stdin: Option<bool>,
    /// Whether to close stdin after a single attach.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stdin_once: Option<bool>,
    /// Whether to allocate a TTY for the container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tty: Option<bool>,
    /// Contains the source code of the script to execute.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// Sequence expands a workflow step into numeric range.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Sequence {
    /// Number of elements in the sequence (default: 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<IntOrString>,
    /// Number at which to start the sequence (default: 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<IntOrString>,
    /// Number at which to end the sequence (default: 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<IntOrString>,
    /// A printf format string to format the value in the sequence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
}

/// A template subtype to suspend a workflow at a predetermined point in time.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SuspendTemplate {
    /// The seconds to wait before automatically resuming a template.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<String>,
}

/// A reusable and composable unit of execution in a workflow.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Template {
    /// The name of the template.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("pattern" = "^[a-zA-Z0-9][-a-zA-Z0-9]*$", "maxLength" = 128))]
    pub name: Option<String>,
    /// Inputs describe what inputs parameters and artifacts are supplied to this template.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inputs: Option<Inputs>,
    /// Outputs describe the parameters and artifacts that this template produces.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outputs: Option<Outputs>,
    /// A selector to schedule this step of the workflow to be run on the selected node(s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_selector: Option<BTreeMap<String, String>>,
    /// Sets the pod's scheduling constraints Overrides the affinity set at the workflow level (if any).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affinity: Option<Affinity>,
    /// Sets the pods's metadata, i.e. annotations and labels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
    /// Will allow a workflow to proceed to the next step so long as the container reaches readiness.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub daemon: Option<bool>,
    /// Steps define a series of sequential/parallel workflow steps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("minItems" = 1))]
    pub steps: Option<Vec<Vec<WorkflowStep>>>,
    /// The main container image to run in the pod.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container: Option<Container>,
    /// ContainerSet groups multiple containers within a single pod.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container_set: Option<ContainerSetTemplate>,
    /// Script runs a portion of code against an interpreter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub script: Option<ScriptTemplate>,
    /// Resource template subtype which can run k8s resources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<ResourceTemplate>,
    /// DAG template subtype which runs a DAG.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dag: Option<DAGTemplate>,
    /// Suspend template subtype which can suspend a workflow when reaching the step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suspend: Option<SuspendTemplate>,
    /// A data template.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Data>,
    /// HTTP makes a HTTP request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http: Option<HTTP>,
    /// A plugin template. Open JSON, kept as it came.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plugin: Option<serde_json::Value>,
    /// A list of volumes that can be mounted by containers in a template.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-list-type" = "map", "x-kubernetes-list-map-keys" = ["name"]))]
    pub volumes: Option<Vec<Volume>>,
    /// A list of containers which run before the main container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-list-type" = "map", "x-kubernetes-list-map-keys" = ["name"]))]
    pub init_containers: Option<Vec<UserContainer>>,
    /// A list of containers which run alongside the main container Sidecars are automatically killed when the main container completes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-list-type" = "map", "x-kubernetes-list-map-keys" = ["name"]))]
    pub sidecars: Option<Vec<UserContainer>>,
    /// Location in which all files related to the step will be stored (logs, artifacts, etc...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archive_location: Option<ArtifactLocation>,
    /// Optional duration in seconds relative to the StartTime that the pod may be active on a node before the system actively tries to terminate the pod; value must be positive integer This field is only applicable to container and script templates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active_deadline_seconds: Option<IntOrString>,
    /// Describes how to retry a template when it fails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_strategy: Option<RetryStrategy>,
    /// Parallelism limits the max total parallel pods that can execute at the same time within the boundaries of this template invocation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("minimum" = 1))]
    pub parallelism: Option<i64>,
    /// FailFast, if specified, will fail this template if any of its child pods has failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fail_fast: Option<bool>,
    /// Tolerations to apply to workflow pods.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tolerations: Option<Vec<Toleration>>,
    /// If specified, the pod will be dispatched by specified scheduler.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduler_name: Option<String>,
    /// PriorityClassName to apply to workflow pods.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority_class_name: Option<String>,
    /// ServiceAccountName to apply to workflow pods.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_account_name: Option<String>,
    /// Indicates whether a service account token should be automatically mounted in pods.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub automount_service_account_token: Option<bool>,
    /// Holds configurations of the executor container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub executor: Option<ExecutorConfig>,
    /// An optional list of hosts and IPs that will be injected into the pod spec.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-list-type" = "map", "x-kubernetes-list-map-keys" = ["ip"]))]
    pub host_aliases: Option<Vec<HostAlias>>,
    /// Holds pod-level security attributes and common container settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_context: Option<PodSecurityContext>,
    /// Holds strategic merge patch to apply against the pod spec.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_spec_patch: Option<String>,
    /// A list of metrics emitted from this template.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metrics: Option<Metrics>,
    /// Holds synchronization lock configuration for this template.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub synchronization: Option<Synchronization>,
    /// Allows templates to use outputs generated from already executed templates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memoize: Option<Memoize>,
    /// Allows to set the total node execution timeout duration counting from the node's start time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<String>,
    /// A list of annotations to add to the template at runtime.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<BTreeMap<String, String>>,
    /// Allows to set the maximum time spent in pending status counting from the node's start time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_timeout: Option<String>,
    /// Defines pod-level resource requests and limits for this template's pod.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_resources: Option<ResourceRequirements>,
    /// Defines the ResourceClaims that must be allocated and reserved before this template's pod is allowed to start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-list-type" = "atomic"))]
    pub resource_claims: Option<Vec<PodResourceClaim>>,
}

/// A reference of template resource.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TemplateRef {
    /// The resource name of the template.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The name of referred template in the resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
    /// Indicates the referred template is cluster scoped (i.e. a ClusterWorkflowTemplate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_scope: Option<bool>,
}

/// One expression of a data template's transformation.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TransformationStep {
    /// Defines an expr expression to apply.
    pub expression: String,
}

/// A container specified by a user.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserContainer {
    /// Name of the container, a DNS_LABEL unique within the pod.
    pub name: String,
    /// Container image name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// Entrypoint array; not executed within a shell.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-list-type" = "atomic"))]
    pub command: Option<Vec<String>>,
    /// Arguments to the entrypoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-list-type" = "atomic"))]
    pub args: Option<Vec<String>>,
    /// Container's working directory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub working_dir: Option<String>,
    /// List of ports to expose from the container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-list-type" = "map", "x-kubernetes-list-map-keys" = ["containerPort", "protocol"]))]
    pub ports: Option<Vec<ContainerPort>>,
    /// Sources to populate environment variables in the container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-list-type" = "atomic"))]
    pub env_from: Option<Vec<EnvFromSource>>,
    /// Environment variables to set in the container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-list-type" = "map", "x-kubernetes-list-map-keys" = ["name"]))]
    pub env: Option<Vec<EnvVar>>,
    /// Compute resources required by this container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<ResourceRequirements>,
    /// Resources resize policy for the container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-list-type" = "atomic"))]
    pub resize_policy: Option<Vec<ContainerResizePolicy>>,
    /// Restart behaviour of this container (init containers only: "Always").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restart_policy: Option<String>,
    /// Pod volumes to mount into the container's filesystem.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-list-type" = "map", "x-kubernetes-list-map-keys" = ["mountPath"]))]
    pub volume_mounts: Option<Vec<VolumeMount>>,
    /// Block devices to be used by the container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-list-type" = "map", "x-kubernetes-list-map-keys" = ["devicePath"]))]
    pub volume_devices: Option<Vec<VolumeDevice>>,
    /// Periodic probe of container liveness.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub liveness_probe: Option<Probe>,
    /// Periodic probe of container service readiness.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub readiness_probe: Option<Probe>,
    /// Probe that must succeed before the other probes run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub startup_probe: Option<Probe>,
    /// Actions to take in response to container lifecycle events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lifecycle: Option<Lifecycle>,
    /// Path of the file the container's termination message is written to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub termination_message_path: Option<String>,
    /// How the termination message is populated: File or FallbackToLogsOnError.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub termination_message_policy: Option<String>,
    /// Image pull policy: Always, Never or IfNotPresent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_pull_policy: Option<String>,
    /// Security options the container runs with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_context: Option<SecurityContext>,
    /// Whether to allocate a buffer for stdin in the container runtime.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stdin: Option<bool>,
    /// Whether to close stdin after a single attach.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stdin_once: Option<bool>,
    /// Whether to allocate a TTY for the container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tty: Option<bool>,
    /// Will mount the same volumes specified in the main container to the container (including artifacts), at the same mountPaths.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mirror_volume_mounts: Option<bool>,
}

/// A reference to a template to execute in a series of step.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowStep {
    /// Name of the step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("pattern" = "^[a-zA-Z0-9][-a-zA-Z0-9]*$", "maxLength" = 128))]
    pub name: Option<String>,
    /// Name of the template to run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
    /// The template.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inline: Option<Box<Template>>,
    /// Arguments hold arguments to the template.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arguments: Option<Arguments>,
    /// The reference to the template resource to execute as the step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_ref: Option<TemplateRef>,
    /// WithItems expands a step into multiple parallel steps from the items in the list. Open JSON, kept as it came.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub with_items: Option<Vec<serde_json::Value>>,
    /// WithParam expands a step into multiple parallel steps from the value in the parameter, which is expected to be a JSON list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub with_param: Option<String>,
    /// WithSequence expands a step into a numeric sequence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub with_sequence: Option<Sequence>,
    /// An expression in which the step should conditionally execute.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<String>,
    /// ContinueOn makes argo to proceed with the following step even if this step fails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub continue_on: Option<ContinueOn>,
    /// A template reference which is invoked at the end of the template, irrespective of the success, failure, or error of the primary template.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_exit: Option<String>,
    /// Holds the lifecycle hook which is invoked at lifecycle of step, irrespective of the success, failure, or error status of the primary step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hooks: Option<BTreeMap<String, LifecycleHook>>,
}
