//! Types shared by the three kinds: the pod template, conditions, backoff, TLS/SASL, S3.

use super::*;

/// Pod template of the event source, sensor or event bus pods: metadata, service account,
/// container overrides, volumes and scheduling.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventsTemplate {
    /// If specified, the pod's scheduling constraints
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affinity: Option<core::Affinity>,
    /// Overrides for the main container of the pod.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container: Option<EventsContainer>,
    /// ImagePullSecrets is an optional list of references to secrets in the same namespace to use for pulling any of the images used by this PodSpec.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_pull_secrets: Option<Vec<core::LocalObjectReference>>,
    /// Metadata sets the pods's metadata, i.e. annotations and labels
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<EventsMetadata>,
    /// NodeSelector is a selector which must be true for the pod to fit on a node.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_selector: Option<BTreeMap<String, String>>,
    /// The priority value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<i32>,
    /// Priority class of the pod.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority_class_name: Option<String>,
    /// SecurityContext holds pod-level security attributes and common container settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_context: Option<core::PodSecurityContext>,
    /// Service account the pod runs as.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_account_name: Option<String>,
    /// If specified, the pod's tolerations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tolerations: Option<Vec<core::Toleration>>,
    /// Volumes the containers of the pod can mount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-list-type" = "map", "x-kubernetes-list-map-keys" = ["name"]))]
    pub volumes: Option<Vec<core::Volume>>,
}

/// Overrides applied to a container the controller generates.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventsContainer {
    /// Environment variables added to the container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub env: Option<Vec<core::EnvVar>>,
    /// Sources of environment variables added to the container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub env_from: Option<Vec<core::EnvFromSource>>,
    /// Image pull policy of the container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_pull_policy: Option<String>,
    /// Compute resources of the container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<core::ResourceRequirements>,
    /// Security options of the container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_context: Option<core::SecurityContext>,
    /// Volume mounts added to the container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_mounts: Option<Vec<core::VolumeMount>>,
}

/// Labels and annotations added to pods.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventsMetadata {
    /// Annotations added to the pods.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<BTreeMap<String, String>>,
    /// Labels added to the pods.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<BTreeMap<String, String>>,
}

/// Condition contains details about resource state
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventsCondition {
    /// Last time the condition transitioned from one status to another.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_transition_time: Option<meta::Time>,
    /// Human-readable message indicating details about last transition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Machine-readable reason for the condition's last transition (for example `DeploySucceeded`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Condition status, True, False or Unknown.
    pub status: String,
    /// Condition type (`Deployed`, `SourcesProvided`, `DependenciesProvided`, `TriggersProvided`,
    /// `Configured`).
    pub r#type: String,
}

/// Backoff for an operation
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventsBackoff {
    /// The initial duration in nanoseconds or strings like "1s", "3m"
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<EventsInt64OrString>,
    /// Duration is multiplied by factor each iteration
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub factor: Option<EventsAmount>,
    /// The amount of jitter applied each iteration
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jitter: Option<EventsAmount>,
    /// Exit with error after this many steps
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub steps: Option<i32>,
}

/// TLSConfig refers to TLS configuration for a client.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventsTLSConfig {
    /// CACertSecret refers to the secret that contains the CA cert
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_cert_secret: Option<core::SecretKeySelector>,
    /// ClientCertSecret refers to the secret that contains the client cert
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_cert_secret: Option<core::SecretKeySelector>,
    /// ClientKeySecret refers to the secret that contains the client key
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_key_secret: Option<core::SecretKeySelector>,
    /// Use TLS even without any certificate (for brokers that need TLS without client auth).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// If true, skips creation of TLSConfig with certs and creates an empty TLSConfig.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insecure_skip_verify: Option<bool>,
}

/// SASLConfig refers to SASL configuration for a client
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventsSASLConfig {
    /// SASL mechanism: `PLAIN` (the default), `OAUTHBEARER`, `SCRAM-SHA-256`, `SCRAM-SHA-512` or `GSSAPI`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mechanism: Option<String>,
    /// Password for SASL/PLAIN authentication
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_secret: Option<core::SecretKeySelector>,
    /// User is the authentication identity (authcid) to present for SASL/PLAIN or SASL/SCRAM authentication
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_secret: Option<core::SecretKeySelector>,
}

/// BasicAuth contains the reference to K8s secrets that holds the username and password
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventsBasicAuth {
    /// Password refers to the Kubernetes secret that holds the password required for basic auth.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<core::SecretKeySelector>,
    /// Username refers to the Kubernetes secret that holds the username required for basic auth.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<core::SecretKeySelector>,
}

/// SecureHeader refers to HTTP Headers with auth tokens as values
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventsSecureHeader {
    /// Header name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Values can be read from either secrets or configmaps
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_from: Option<EventsValueFromSource>,
}

/// ValueFromSource allows you to reference keys from either a Configmap or Secret
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventsValueFromSource {
    /// Key of a ConfigMap holding the value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_map_key_ref: Option<core::ConfigMapKeySelector>,
    /// Key of a Secret holding the value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_key_ref: Option<core::SecretKeySelector>,
}

/// S3Artifact contains information about an S3 connection and bucket
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventsS3Artifact {
    /// Secret holding the access key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_key: Option<core::SecretKeySelector>,
    /// Bucket to read or watch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bucket: Option<EventsS3Bucket>,
    /// Secret holding a CA certificate for the endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_certificate: Option<core::SecretKeySelector>,
    /// S3 endpoint (`host:port`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    /// Bucket notification event types to listen to (minio event source).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<String>>,
    /// Object key filter for bucket notifications.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<EventsS3Filter>,
    /// Use plain HTTP instead of HTTPS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insecure: Option<bool>,
    /// User metadata passed along with the event payload.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<BTreeMap<String, String>>,
    /// Region of the bucket.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Secret holding the secret key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_key: Option<core::SecretKeySelector>,
}

/// S3Bucket contains information to describe an S3 Bucket
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventsS3Bucket {
    /// Object key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Bucket name.
    pub name: String,
}

/// S3Filter represents filters to apply to bucket notifications for specifying constraints on objects
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventsS3Filter {
    /// Object key prefix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    /// Object key suffix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suffix: Option<String>,
}
