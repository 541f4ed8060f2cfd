//! EventBus spec and status: NATS streaming (native or exotic), JetStream, Kafka.

use super::*;

/// EventBusSpec refers to specification of eventbus resource
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventBusSpec {
    /// JetStream event bus run by the controller (a NATS JetStream StatefulSet).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jetstream: Option<JetStreamBus>,
    /// Exotic JetStream
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jetstream_exotic: Option<EventsJetStreamConfig>,
    /// Kafka eventbus
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kafka: Option<KafkaBus>,
    /// NATS eventbus
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nats: Option<NATSBus>,
}

/// EventBusStatus holds the status of the eventbus resource
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventBusStatus {
    /// Conditions are the latest available observations of a resource's current state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-list-type" = "map", "x-kubernetes-list-map-keys" = ["type"]))]
    pub conditions: Option<Vec<EventsCondition>>,
    /// The resolved connection settings that event sources and sensors use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<BusConfig>,
}

/// NATSBus holds the NATS eventbus information
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NATSBus {
    /// Exotic holds an exotic NATS config
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exotic: Option<EventsNATSConfig>,
    /// Native means to bring up a native NATS service
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub native: Option<EventsNativeStrategy>,
}

/// NativeStrategy indicates to install a native NATS service
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventsNativeStrategy {
    /// The pods' scheduling constraints.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affinity: Option<core::Affinity>,
    /// Authentication strategy of the NATS service (for example "none" or "token").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth: Option<String>,
    /// ContainerTemplate contains customized spec for NATS container
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container_template: Option<EventsContainerTemplate>,
    /// ImagePullSecrets is an optional list of references to secrets in the same namespace to use for pulling any of the images used by this PodSpec.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_pull_secrets: Option<Vec<core::LocalObjectReference>>,
    /// Max Age of existing messages, i.e. "72h", “4h35m”
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_age: Option<String>,
    /// Total size of messages per channel, 0 means unlimited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_bytes: Option<String>,
    /// Maximum number of messages per channel, 0 means unlimited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_msgs: Option<u64>,
    /// Maximum number of bytes in a message payload, 0 means unlimited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_payload: Option<String>,
    /// Maximum number of subscriptions per channel, 0 means unlimited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_subs: Option<u64>,
    /// Metadata sets the pods's metadata, i.e. annotations and labels
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<EventsMetadata>,
    /// MetricsContainerTemplate contains customized spec for metrics container
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metrics_container_template: Option<EventsContainerTemplate>,
    /// NodeSelector is a selector which must be true for the pod to fit on a node.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_selector: Option<BTreeMap<String, String>>,
    /// Persistent volume settings for the NATS streaming StatefulSet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub persistence: Option<EventsPersistenceStrategy>,
    /// The priority value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<i32>,
    /// Priority class of the pods.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority_class_name: Option<String>,
    /// Specifies the time without an Apply() operation before sending an heartbeat to ensure timely commit, i.e. "72h", “4h35m”.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raft_commit_timeout: Option<String>,
    /// Specifies the time in candidate state without a leader before attempting an election, i.e. "72h", “4h35m”.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raft_election_timeout: Option<String>,
    /// Specifies the time in follower state without a leader before attempting an election, i.e. "72h", “4h35m”.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raft_heartbeat_timeout: Option<String>,
    /// Specifies how long a leader waits without being able to contact a quorum of nodes before stepping down as leader, i.e. "72h", “4h35m”.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raft_lease_timeout: Option<String>,
    /// Size is the NATS StatefulSet size
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicas: Option<i32>,
    /// SecurityContext holds pod-level security attributes and common container settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_context: Option<core::PodSecurityContext>,
    /// ServiceAccountName to apply to NATS StatefulSet
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_account_name: Option<String>,
    /// If specified, the pod's tolerations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tolerations: Option<Vec<core::Toleration>>,
}

/// JetStreamBus holds the JetStream EventBus information
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct JetStreamBus {
    /// The pods' scheduling constraints.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affinity: Option<core::Affinity>,
    /// ContainerTemplate contains customized spec for Nats JetStream container
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container_template: Option<EventsContainerTemplate>,
    /// ImagePullSecrets is an optional list of references to secrets in the same namespace to use for pulling any of the images used by this PodSpec.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_pull_secrets: Option<Vec<core::LocalObjectReference>>,
    /// Maximum number of bytes in a message payload, 0 means unlimited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_payload: Option<String>,
    /// Metadata sets the pods's metadata, i.e. annotations and labels
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<EventsMetadata>,
    /// MetricsContainerTemplate contains customized spec for metrics container
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metrics_container_template: Option<EventsContainerTemplate>,
    /// NodeSelector is a selector which must be true for the pod to fit on a node.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_selector: Option<BTreeMap<String, String>>,
    /// Persistent volume settings for the JetStream StatefulSet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub persistence: Option<EventsPersistenceStrategy>,
    /// The priority value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<i32>,
    /// Priority class of the pods.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority_class_name: Option<String>,
    /// ReloaderContainerTemplate contains customized spec for config reloader container
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reloader_container_template: Option<EventsContainerTemplate>,
    /// JetStream StatefulSet size
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicas: Option<i32>,
    /// SecurityContext holds pod-level security attributes and common container settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_context: Option<core::PodSecurityContext>,
    /// ServiceAccountName to apply to the StatefulSet
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_account_name: Option<String>,
    /// JetStream configuration, if not specified, global settings in controller-config will be used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings: Option<String>,
    /// Optional arguments to start nats-server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_args: Option<Vec<String>>,
    /// Stream settings (YAML) for the streams created in this JetStream service, merged over the
    /// controller's defaults.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream_config: Option<String>,
    /// If specified, the pod's tolerations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tolerations: Option<Vec<core::Toleration>>,
    /// JetStream version, such as "2.7.3"
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// KafkaBus holds the KafkaBus EventBus information
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct KafkaBus {
    /// Consumer group for kafka client
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consumer_group: Option<EventsKafkaConsumerGroup>,
    /// Partitioner sets the Kafka producer partitioning strategy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partitioner: Option<String>,
    /// SASL configuration for the kafka client
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sasl: Option<EventsSASLConfig>,
    /// TLS configuration for the kafka client.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls: Option<EventsTLSConfig>,
    /// Topic name, defaults to {namespace_name}-{eventbus_name}
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
    /// URL to kafka cluster, multiple URLs separated by comma
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Kafka version, sarama defaults to the oldest supported stable version
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// BusConfig has the finalized configuration for EventBus
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct BusConfig {
    /// Resolved JetStream connection settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jetstream: Option<EventsJetStreamConfig>,
    /// Resolved Kafka connection settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kafka: Option<KafkaBus>,
    /// Resolved NATS streaming connection settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nats: Option<EventsNATSConfig>,
}

/// NATSConfig holds the config of NATS
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventsNATSConfig {
    /// Secret for auth
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_secret: Option<core::SecretKeySelector>,
    /// Auth strategy (`none` by default, or `token`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth: Option<String>,
    /// Cluster ID for nats streaming
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "clusterID")]
    pub cluster_id: Option<String>,
    /// NATS streaming url
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// Connection settings of a JetStream event bus: the exotic spec, or what the controller resolved for a native one.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventsJetStreamConfig {
    /// Secret for auth
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_secret: Option<core::SecretKeySelector>,
    /// Stream settings (YAML) the controller applies to the JetStream streams.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream_config: Option<String>,
    /// SSL/TLS settings for the NATS client
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls: Option<EventsTLSConfig>,
    /// JetStream (Nats) URL
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// Kafka consumer group settings for the event bus client.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventsKafkaConsumerGroup {
    /// The name for the consumer group to use
    pub group_name: String,
    /// Start a new group from the oldest event (true) or the newest one (false, the default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oldest: Option<bool>,
    /// Rebalance strategy can be one of: sticky, roundrobin, range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rebalance_strategy: Option<String>,
}

/// Overrides applied to a container of the event bus StatefulSet.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventsContainerTemplate {
    /// Image pull policy of the container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_pull_policy: Option<String>,
    /// Compute resources of the container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<core::ResourceRequirements>,
    /// Security options of the container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_context: Option<core::SecurityContext>,
}

/// PersistenceStrategy defines the strategy of persistence
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventsPersistenceStrategy {
    /// Access mode of the volume, such as `ReadWriteOnce`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_mode: Option<String>,
    /// Name of the StorageClass required by the claim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_class_name: Option<String>,
    /// Volume size, e.g. 10Gi
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_size: Option<Quantity>,
}
