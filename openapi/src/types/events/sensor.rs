//! Sensor spec and status: dependencies with their filters, and triggers field-for-field.

use super::*;

/// SensorSpec represents desired sensor state
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SensorSpec {
    /// Dependencies is a list of the events that this sensor is dependent on.
    pub dependencies: Vec<EventDependency>,
    /// ErrorOnFailedRound if set to true, marks sensor state as `error` if the previous trigger round fails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_on_failed_round: Option<bool>,
    /// EventBusName references to a EventBus name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_bus_name: Option<String>,
    /// LoggingFields add additional key-value pairs when logging happens
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logging_fields: Option<BTreeMap<String, String>>,
    /// Replicas is the sensor deployment replicas
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicas: Option<i32>,
    /// RevisionHistoryLimit specifies how many old deployment revisions to retain
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision_history_limit: Option<i32>,
    /// Pod template of the sensor deployment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<EventsTemplate>,
    /// Triggers is a list of the things that this sensor evokes.
    pub triggers: Vec<EventsTrigger>,
}

/// SensorStatus contains information about the status of a sensor.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SensorStatus {
    /// Conditions are the latest available observations of a resource's current state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-list-type" = "map", "x-kubernetes-list-map-keys" = ["type"]))]
    pub conditions: Option<Vec<EventsCondition>>,
}

/// EventDependency describes a dependency
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventDependency {
    /// EventName is the name of the event
    pub event_name: String,
    /// EventSourceName is the name of EventSource that Sensor depends on
    pub event_source_name: String,
    /// Filters on the context and data of the event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filters: Option<EventDependencyFilter>,
    /// How the different filters combine: `and` (the default) or `or`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filters_logical_operator: Option<String>,
    /// Name is a unique name of this dependency
    pub name: String,
    /// Transform transforms the event data
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transform: Option<EventDependencyTransformer>,
}

/// EventDependencyFilter defines filters and constraints for a event.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventDependencyFilter {
    /// Filter on the CloudEvents context of the event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<EventsEventContext>,
    /// Filters on the event data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Vec<EventsDataFilter>>,
    /// DataLogicalOperator defines how multiple Data filters (if defined) are evaluated together.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_logical_operator: Option<String>,
    /// ExprLogicalOperator defines how multiple Exprs filters (if defined) are evaluated together.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expr_logical_operator: Option<String>,
    /// Exprs contains the list of expressions evaluated against the event payload.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exprs: Option<Vec<EventsExprFilter>>,
    /// Script refers to a Lua script evaluated to determine the validity of an event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub script: Option<String>,
    /// Time-of-day window in which events pass.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<EventsTimeFilter>,
}

/// EventContext holds the context of the cloudevent received from an event source.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventsEventContext {
    /// DataContentType - A MIME (RFC2046) string describing the media type of `data`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub datacontenttype: Option<String>,
    /// ID of the event; must be non-empty and unique within the scope of the producer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Source - A URI describing the event producer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// SpecVersion - The version of the CloudEvents specification used by the event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub specversion: Option<String>,
    /// Subject - The subject of the event in the context of the event producer
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Time - A Timestamp when the event happened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<meta::Time>,
    /// Type - The type of the occurrence which has happened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r#type: Option<String>,
}

/// DataFilter describes constraints and filters for event data.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventsDataFilter {
    /// Comparator compares the event data with a user given value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comparator: Option<String>,
    /// Path is the JSONPath of the event's (JSON decoded) data key.
    pub path: String,
    /// Template is a go-template for extracting a string from the event's data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
    /// Type contains the JSON type of the data
    pub r#type: String,
    /// Value is the allowed string values for this key.
    pub value: Vec<String>,
}

/// An expression evaluated against named fields of the event payload.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventsExprFilter {
    /// Expr refers to the expression that determines the outcome of the filter.
    pub expr: String,
    /// Fields refers to set of keys that refer to the paths within event payload.
    pub fields: Vec<EventsPayloadField>,
}

/// PayloadField binds a value at path within the event payload against a name.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventsPayloadField {
    /// Name acts as key that holds the value at the path.
    pub name: String,
    /// JSON path of the value in the event data.
    pub path: String,
}

/// TimeFilter describes a window in time.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventsTimeFilter {
    /// Start is the beginning of a time window in UTC.
    pub start: String,
    /// Stop is the end of a time window in UTC.
    pub stop: String,
    /// Timezone specifies the timezone for the time window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
}

/// EventDependencyTransformer transforms the event
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventDependencyTransformer {
    /// JQ holds the jq command applied for transformation
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jq: Option<String>,
    /// Script refers to a Lua script used to transform the event
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub script: Option<String>,
}

/// An action taken when the dependencies are met, with its parameters, policy and retries.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventsTrigger {
    /// AtLeastOnce determines the trigger execution semantics.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_least_once: Option<bool>,
    /// Trigger run when this trigger fails after its retries (a dead-letter trigger); recursive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dlq_trigger: Option<Box<EventsTrigger>>,
    /// Parameters is the list of parameters applied to the trigger template definition
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters: Option<Vec<TriggerParameter>>,
    /// Policy to configure backoff and execution criteria for the trigger
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<TriggerPolicy>,
    /// Rate limit, default unit is Second
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<EventsRateLimit>,
    /// Retry strategy, defaults to no retry
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_strategy: Option<EventsBackoff>,
    /// Template describes the trigger specification.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<TriggerTemplate>,
}

/// TriggerTemplate is the template that describes trigger specification.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TriggerTemplate {
    /// ArgoWorkflow refers to the trigger that can perform various operations on an Argo workflow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub argo_workflow: Option<ArgoWorkflowTrigger>,
    /// AWSLambda refers to the trigger designed to invoke AWS Lambda function with with on-the-fly constructable payload.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aws_lambda: Option<AWSLambdaTrigger>,
    /// AzureEventHubs refers to the trigger send an event to an Azure Event Hub.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub azure_event_hubs: Option<AzureEventHubsTrigger>,
    /// AzureServiceBus refers to the trigger designed to place messages on Azure Service Bus
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub azure_service_bus: Option<AzureServiceBusTrigger>,
    /// Conditions is the conditions to execute the trigger.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions: Option<String>,
    /// When to reset the state of the conditions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions_reset: Option<Vec<EventsConditionsResetCriteria>>,
    /// CustomTrigger refers to the trigger designed to connect to a gRPC trigger server and execute a custom trigger.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom: Option<CustomTrigger>,
    /// Email refers to the trigger designed to send an email notification
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<EmailTrigger>,
    /// HTTP refers to the trigger designed to dispatch a HTTP request with on-the-fly constructable payload.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http: Option<HTTPTrigger>,
    /// StandardK8STrigger refers to the trigger designed to create or update a generic Kubernetes resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub k8s: Option<StandardK8STrigger>,
    /// Kafka refers to the trigger designed to place messages on Kafka topic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kafka: Option<KafkaTrigger>,
    /// Log trigger: logs the event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log: Option<LogTrigger>,
    /// Name is a unique name of the action to take.
    pub name: String,
    /// NATS refers to the trigger designed to place message on NATS subject.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nats: Option<NATSTrigger>,
    /// OpenWhisk refers to the trigger designed to invoke OpenWhisk action.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_whisk: Option<OpenWhiskTrigger>,
    /// Pulsar refers to the trigger designed to place messages on Pulsar topic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pulsar: Option<PulsarTrigger>,
    /// Slack refers to the trigger designed to send slack notification message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slack: Option<SlackTrigger>,
}

/// When to reset the state of trigger conditions.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventsConditionsResetCriteria {
    /// Cron schedule on which the conditions are reset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by_time: Option<EventsConditionsResetByTime>,
}

/// Cron schedule on which trigger conditions are reset.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventsConditionsResetByTime {
    /// Cron is a cron-like expression.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cron: Option<String>,
    /// Time zone of the cron schedule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
}

/// A value taken from an event and written at a path of the trigger definition or payload.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TriggerParameter {
    /// Dest is the JSONPath of a resource key.
    pub dest: String,
    /// Operation is what to do with the existing value at Dest, whether to 'prepend', 'overwrite', or 'append' it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<String>,
    /// Src contains a source reference to the value of the parameter from a dependency
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub src: Option<TriggerParameterSource>,
}

/// Where a parameter value comes from: a key or template over one dependency's event.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TriggerParameterSource {
    /// JSON path of a key in the event context.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context_key: Option<String>,
    /// ContextTemplate is a go-template for extracting a string from the event's context.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context_template: Option<String>,
    /// JSON path of a key in the event data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_key: Option<String>,
    /// DataTemplate is a go-template for extracting a string from the event's data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_template: Option<String>,
    /// DependencyName refers to the name of the dependency.
    pub dependency_name: String,
    /// UseRawData indicates if the value in an event at data key should be used without converting to string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub use_raw_data: Option<bool>,
    /// Default literal value, used when the key or template resolves to nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// How the outcome of a trigger is judged.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TriggerPolicy {
    /// Judge a Kubernetes trigger by labels on the resulting resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub k8s: Option<EventsK8SResourcePolicy>,
    /// Status refers to the policy used to check the state of the trigger using response status
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<EventsStatusPolicy>,
}

/// K8SResourcePolicy refers to the policy used to check the state of K8s based triggers using labels
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventsK8SResourcePolicy {
    /// Backoff before checking resource state
    pub backoff: EventsBackoff,
    /// Mark the sensor as errored when the backoff runs out before the resource reaches the
    /// expected state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_on_backoff_timeout: Option<bool>,
    /// Labels required to identify whether a resource is in success state
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<BTreeMap<String, String>>,
}

/// StatusPolicy refers to the policy used to check the state of the trigger using response status
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventsStatusPolicy {
    /// Response status codes that count as success.
    pub allow: Vec<i32>,
}

/// Upper bound on trigger executions per time unit.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventsRateLimit {
    /// Maximum number of trigger executions per unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requests_per_unit: Option<i32>,
    /// Time unit: `Second` (the default), `Minute` or `Hour`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

/// StandardK8STrigger is the standard Kubernetes resource trigger
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct StandardK8STrigger {
    /// LiveObject specifies whether the resource should be directly fetched from K8s instead of being marshaled from the resource artifact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub live_object: Option<bool>,
    /// Operation refers to the type of operation performed on the k8s resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<String>,
    /// Parameters is the list of parameters that is applied to resolved K8s trigger object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters: Option<Vec<TriggerParameter>>,
    /// PatchStrategy controls the K8s object patching strategy when the trigger operation is specified as patch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patch_strategy: Option<String>,
    /// Where the resource to create or update comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<EventsArtifactLocation>,
}

/// ArgoWorkflowTrigger is the trigger for the Argo Workflow
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ArgoWorkflowTrigger {
    /// Args is the list of arguments to pass to the argo CLI
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub args: Option<Vec<String>>,
    /// Operation refers to the type of operation performed on the argo workflow resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<String>,
    /// Parameters is the list of parameters to pass to resolved Argo Workflow object
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters: Option<Vec<TriggerParameter>>,
    /// Where the resource to create or update comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<EventsArtifactLocation>,
}

/// ArtifactLocation describes the source location for an external artifact
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventsArtifactLocation {
    /// Configmap that stores the artifact
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configmap: Option<core::ConfigMapKeySelector>,
    /// File artifact is artifact stored in a file
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<EventsFileArtifact>,
    /// Git repository hosting the artifact
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub git: Option<EventsGitArtifact>,
    /// The resource, inline as a string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inline: Option<String>,
    /// The resource, inline as an object (kept as it came).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<serde_json::Value>,
    /// S3 compliant artifact
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub s3: Option<EventsS3Artifact>,
    /// URL to fetch the artifact from
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<EventsURLArtifact>,
}

/// FileArtifact contains information about an artifact in a filesystem
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventsFileArtifact {
    /// Path of the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

/// URLArtifact contains information about an artifact at an HTTP endpoint.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventsURLArtifact {
    /// Path is the complete URL
    pub path: String,
    /// VerifyCert decides whether the connection is secure or not
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify_cert: Option<bool>,
}

/// GitArtifact contains information about an artifact stored in git
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventsGitArtifact {
    /// Branch to use to pull trigger resource
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    /// Directory to clone the repository.
    pub clone_directory: String,
    /// Creds contain reference to git username and password
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creds: Option<EventsGitCreds>,
    /// Path to file that contains trigger resource definition
    pub file_path: String,
    /// GithubApp holds the GitHub App credentials for authentication
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub github_app: Option<EventsGithubAppCreds>,
    /// Whether to ignore host key
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insecure_ignore_host_key: Option<bool>,
    /// Ref to use to pull trigger resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r#ref: Option<String>,
    /// Remote to manage set of tracked repositories.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote: Option<EventsGitRemoteConfig>,
    /// SSHKeySecret refers to the secret that contains SSH key
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ssh_key_secret: Option<core::SecretKeySelector>,
    /// Tag to use to pull trigger resource
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    /// Git URL
    pub url: String,
}

/// GitCreds contain reference to git username and password
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventsGitCreds {
    /// Secret holding the git password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<core::SecretKeySelector>,
    /// Secret holding the git username.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<core::SecretKeySelector>,
}

/// GitRemoteConfig contains the configuration of a Git remote
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventsGitRemoteConfig {
    /// Name of the remote to fetch from.
    pub name: String,
    /// URLs the URLs of a remote repository.
    pub urls: Vec<String>,
}

/// HTTPTrigger is the trigger for the HTTP request
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HTTPTrigger {
    /// BasicAuth configuration for the http request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basic_auth: Option<EventsBasicAuth>,
    /// Dynamic Headers for the request, sourced from the event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dynamic_headers: Option<Vec<TriggerParameter>>,
    /// Headers for the HTTP request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headers: Option<BTreeMap<String, String>>,
    /// Host refers to the domain name of the server (for virtual hosting).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// Method refers to the type of the HTTP request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// Parameters is the list of key-value extracted from event's payload that are applied to the HTTP trigger resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters: Option<Vec<TriggerParameter>>,
    /// Parameters that build the request body from event data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload: Option<Vec<TriggerParameter>>,
    /// Secure Headers stored in Kubernetes Secrets for the HTTP requests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secure_headers: Option<Vec<EventsSecureHeader>>,
    /// Timeout refers to the HTTP request timeout in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<i64>,
    /// TLS configuration for the HTTP client.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls: Option<EventsTLSConfig>,
    /// URL refers to the URL to send HTTP request to.
    pub url: String,
}

/// AWSLambdaTrigger refers to specification of the trigger to invoke an AWS Lambda function
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AWSLambdaTrigger {
    /// AccessKey refers K8s secret containing aws access key
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_key: Option<core::SecretKeySelector>,
    /// FunctionName refers to the name of the function to invoke.
    pub function_name: String,
    /// Invocation type: `RequestResponse` (the default), `Event` or `DryRun`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invocation_type: Option<String>,
    /// Parameters is the list of key-value extracted from event's payload that are applied to the trigger resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters: Option<Vec<TriggerParameter>>,
    /// Payload is the list of key-value extracted from an event payload to construct the request payload.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload: Option<Vec<TriggerParameter>>,
    /// Region is AWS region
    pub region: String,
    /// RoleARN is the Amazon Resource Name (ARN) of the role to assume.
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "roleARN")]
    pub role_arn: Option<String>,
    /// SecretKey refers K8s secret containing aws secret key
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_key: Option<core::SecretKeySelector>,
}

/// KafkaTrigger refers to the specification of the Kafka trigger.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct KafkaTrigger {
    /// Compress determines whether to compress message or not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compress: Option<bool>,
    /// FlushFrequency refers to the frequency in milliseconds to flush batches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flush_frequency: Option<i32>,
    /// Headers for the Kafka Messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headers: Option<BTreeMap<String, String>>,
    /// Parameters applied to the trigger definition from event data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters: Option<Vec<TriggerParameter>>,
    /// Deprecated and ignored: partition to write to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition: Option<i32>,
    /// The partitioning key for the messages put on the Kafka topic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partitioning_key: Option<String>,
    /// Payload is the list of key-value extracted from an event payload to construct the request payload.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload: Option<Vec<TriggerParameter>>,
    /// Acknowledgements the producer waits for: 0, 1 (the default, the leader only) or -1 (all replicas).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required_acks: Option<i32>,
    /// SASL configuration for the kafka client
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sasl: Option<EventsSASLConfig>,
    /// Schema Registry configuration to producer message with avro format
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema_registry: Option<EventsSchemaRegistryConfig>,
    /// Secure Headers stored in Kubernetes Secrets for the Kafka messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secure_headers: Option<Vec<EventsSecureHeader>>,
    /// TLS configuration for the Kafka producer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls: Option<EventsTLSConfig>,
    /// Name of the topic.
    pub topic: String,
    /// URL of the Kafka broker, multiple URLs separated by comma.
    pub url: String,
    /// Specify what kafka version is being connected to enables certain features in sarama, defaults to 1.0.0
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// Schema registry used to encode Kafka messages as Avro.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventsSchemaRegistryConfig {
    /// Basic authentication to the schema registry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth: Option<EventsBasicAuth>,
    /// Schema ID
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema_id: Option<i32>,
    /// Schema Registry URL.
    pub url: String,
}

/// NATSTrigger refers to the specification of the NATS trigger.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NATSTrigger {
    /// Authentication to the NATS server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth: Option<EventsNATSAuth>,
    /// Parameters applied to the trigger definition from event data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters: Option<Vec<TriggerParameter>>,
    /// Parameters that build the message from event data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload: Option<Vec<TriggerParameter>>,
    /// Name of the subject to put message on.
    pub subject: String,
    /// TLS configuration for the NATS producer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls: Option<EventsTLSConfig>,
    /// URL of the NATS cluster.
    pub url: String,
}

/// NATS authentication: basic, token, NKey or credentials file.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventsNATSAuth {
    /// Basic auth with username and password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basic: Option<EventsBasicAuth>,
    /// credential used to connect
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential: Option<core::SecretKeySelector>,
    /// NKey used to connect
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nkey: Option<core::SecretKeySelector>,
    /// Token used to connect
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<core::SecretKeySelector>,
}

/// SlackTrigger refers to the specification of the slack notification trigger.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SlackTrigger {
    /// Slack attachments, as a JSON array in a string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachments: Option<String>,
    /// Slack blocks, as a JSON array in a string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blocks: Option<String>,
    /// Channel refers to which Slack channel to send Slack message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// Message refers to the message to send to the Slack channel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Parameters is the list of key-value extracted from event's payload that are applied to the trigger resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters: Option<Vec<TriggerParameter>>,
    /// Sender refers to additional configuration of the Slack application that sends the message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender: Option<SlackSender>,
    /// SlackToken refers to the Kubernetes secret that holds the slack token required to send messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slack_token: Option<core::SecretKeySelector>,
    /// Thread refers to additional options for sending messages to a Slack thread.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread: Option<SlackThread>,
}

/// How the Slack application presents itself when posting.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SlackSender {
    /// Icon of the Slack application: an emoji such as `:robot_face:` or an image URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon: Option<String>,
    /// Username is the Slack application's username
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
}

/// Options for posting Slack messages into threads.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SlackThread {
    /// BroadcastMessageToChannel allows to also broadcast the message from the thread to the channel
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub broadcast_message_to_channel: Option<bool>,
    /// MessageAggregationKey allows to aggregate the messages to a thread by some key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_aggregation_key: Option<String>,
}

/// OpenWhiskTrigger refers to the specification of the OpenWhisk trigger.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OpenWhiskTrigger {
    /// Name of the action/function.
    pub action_name: String,
    /// AuthToken for authentication.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_token: Option<core::SecretKeySelector>,
    /// Host URL of the OpenWhisk.
    pub host: String,
    /// Namespace for the action.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Parameters is the list of key-value extracted from event's payload that are applied to the trigger resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters: Option<Vec<TriggerParameter>>,
    /// Payload is the list of key-value extracted from an event payload to construct the request payload.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload: Option<Vec<TriggerParameter>>,
    /// Version for the API.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// Trigger that logs the event (for debugging).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct LogTrigger {
    /// Log at most once per this many seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval_seconds: Option<u64>,
}

/// AzureEventHubsTrigger refers to specification of the Azure Event Hubs Trigger
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AzureEventHubsTrigger {
    /// FQDN refers to the namespace dns of Azure Event Hubs to be used (`<namespace>.servicebus.windows.net`)
    pub fqdn: String,
    /// HubName refers to the Azure Event Hub to send events to
    pub hub_name: String,
    /// Parameters is the list of key-value extracted from event's payload that are applied to the trigger resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters: Option<Vec<TriggerParameter>>,
    /// Payload is the list of key-value extracted from an event payload to construct the request payload.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload: Option<Vec<TriggerParameter>>,
    /// Secret holding the shared access key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shared_access_key: Option<core::SecretKeySelector>,
    /// SharedAccessKeyName refers to the name of the Shared Access Key
    pub shared_access_key_name: core::SecretKeySelector,
}

/// PulsarTrigger refers to the specification of the Pulsar trigger.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PulsarTrigger {
    /// Authentication athenz parameters for the pulsar client.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_athenz_params: Option<BTreeMap<String, String>>,
    /// Authentication athenz privateKey secret for the pulsar client.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_athenz_secret: Option<core::SecretKeySelector>,
    /// Authentication token for the pulsar client.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_token_secret: Option<core::SecretKeySelector>,
    /// Backoff holds parameters applied to connection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection_backoff: Option<EventsBackoff>,
    /// Parameters applied to the trigger definition from event data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters: Option<Vec<TriggerParameter>>,
    /// Payload is the list of key-value extracted from an event payload to construct the request payload.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload: Option<Vec<TriggerParameter>>,
    /// TLS configuration for the pulsar client.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls: Option<EventsTLSConfig>,
    /// Whether the Pulsar client accept untrusted TLS certificate from broker.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls_allow_insecure_connection: Option<bool>,
    /// Trusted TLS certificate secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls_trust_certs_secret: Option<core::SecretKeySelector>,
    /// Whether the Pulsar client verify the validity of the host name from broker.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls_validate_hostname: Option<bool>,
    /// Name of the topic.
    pub topic: String,
    /// Configure the service URL for the Pulsar service.
    pub url: String,
}

/// CustomTrigger refers to the specification of the custom trigger.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CustomTrigger {
    /// CertSecret refers to the secret that contains cert for secure connection between sensor and custom trigger gRPC server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cert_secret: Option<core::SecretKeySelector>,
    /// Parameters is the list of parameters that is applied to resolved custom trigger trigger object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters: Option<Vec<TriggerParameter>>,
    /// Payload is the list of key-value extracted from an event payload to construct the request payload.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload: Option<Vec<TriggerParameter>>,
    /// Use TLS to the custom trigger gRPC server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secure: Option<bool>,
    /// ServerNameOverride for the secure connection between sensor and custom trigger gRPC server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_name_override: Option<String>,
    /// ServerURL is the url of the gRPC server that executes custom trigger
    #[serde(rename = "serverURL")]
    pub server_url: String,
    /// Spec is the custom trigger resource specification that custom trigger gRPC server knows how to interpret.
    pub spec: BTreeMap<String, String>,
}

/// EmailTrigger refers to the specification of the email notification trigger.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EmailTrigger {
    /// Body refers to the body/content of the email send.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// From refers to the address from which the email is send from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// Host refers to the smtp host url to which email is send.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// Parameters is the list of key-value extracted from event's payload that are applied to the trigger resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters: Option<Vec<TriggerParameter>>,
    /// Port refers to the smtp server port to which email is send.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<i32>,
    /// SMTPPassword refers to the Kubernetes secret that holds the smtp password used to connect to smtp server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub smtp_password: Option<core::SecretKeySelector>,
    /// Subject refers to the subject line for the email send.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// To refers to the email addresses to which the emails are send.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<Vec<String>>,
    /// Username refers to the username used to connect to the smtp server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
}

/// Trigger that sends a message to an Azure Service Bus queue or topic.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AzureServiceBusTrigger {
    /// ConnectionString is the connection string for the Azure Service Bus
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection_string: Option<core::SecretKeySelector>,
    /// Parameters is the list of key-value extracted from event's payload that are applied to the trigger resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters: Option<Vec<TriggerParameter>>,
    /// Payload is the list of key-value extracted from an event payload to construct the request payload.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload: Option<Vec<TriggerParameter>>,
    /// QueueName is the name of the Azure Service Bus Queue
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue_name: Option<String>,
    /// SubscriptionName is the name of the Azure Service Bus Topic Subscription
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscription_name: Option<String>,
    /// TLS configuration for the service bus client
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls: Option<EventsTLSConfig>,
    /// TopicName is the name of the Azure Service Bus Topic
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic_name: Option<String>,
}
