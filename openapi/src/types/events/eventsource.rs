//! EventSource spec and status. Only calendar, webhook and github sources are typed; the other
//! source maps keep each entry as it came (upstream describes them, but they are many and open).

use super::*;

/// EventSourceSpec refers to specification of event-source resource
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventSourceSpec {
    /// AMQP event sources, by name; each entry is kept as it came (open object).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amqp: Option<BTreeMap<String, serde_json::Value>>,
    /// AzureEventsHub event sources, by name; each entry is kept as it came (open object).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub azure_events_hub: Option<BTreeMap<String, serde_json::Value>>,
    /// AzureQueueStorage event source, by name; each entry is kept as it came (open object).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub azure_queue_storage: Option<BTreeMap<String, serde_json::Value>>,
    /// Azure Service Bus event source, by name; each entry is kept as it came (open object).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub azure_service_bus: Option<BTreeMap<String, serde_json::Value>>,
    /// Bitbucket event sources, by name; each entry is kept as it came (open object).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bitbucket: Option<BTreeMap<String, serde_json::Value>>,
    /// Bitbucket Server event sources, by name; each entry is kept as it came (open object).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bitbucketserver: Option<BTreeMap<String, serde_json::Value>>,
    /// Calendar event sources
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calendar: Option<BTreeMap<String, CalendarEventSource>>,
    /// Emitter event source, by name; each entry is kept as it came (open object).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emitter: Option<BTreeMap<String, serde_json::Value>>,
    /// EventBusName references to a EventBus name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_bus_name: Option<String>,
    /// File event sources, by name; each entry is kept as it came (open object).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<BTreeMap<String, serde_json::Value>>,
    /// Generic event source, by name; each entry is kept as it came (open object).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generic: Option<BTreeMap<String, serde_json::Value>>,
    /// Gerrit event source, by name; each entry is kept as it came (open object).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gerrit: Option<BTreeMap<String, serde_json::Value>>,
    /// Github event sources
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub github: Option<BTreeMap<String, GithubEventSource>>,
    /// Gitlab event sources, by name; each entry is kept as it came (open object).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gitlab: Option<BTreeMap<String, serde_json::Value>>,
    /// HDFS event sources, by name; each entry is kept as it came (open object).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hdfs: Option<BTreeMap<String, serde_json::Value>>,
    /// Kafka event sources, by name; each entry is kept as it came (open object).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kafka: Option<BTreeMap<String, serde_json::Value>>,
    /// Minio event sources, by name; each entry is kept as it came (open object).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minio: Option<BTreeMap<String, serde_json::Value>>,
    /// MNS event sources, by name; each entry is kept as it came (open object).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mns: Option<BTreeMap<String, serde_json::Value>>,
    /// MQTT event sources, by name; each entry is kept as it came (open object).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mqtt: Option<BTreeMap<String, serde_json::Value>>,
    /// NATS event sources, by name; each entry is kept as it came (open object).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nats: Option<BTreeMap<String, serde_json::Value>>,
    /// NSQ event source, by name; each entry is kept as it came (open object).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nsq: Option<BTreeMap<String, serde_json::Value>>,
    /// PubSub event sources, by name; each entry is kept as it came (open object).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pub_sub: Option<BTreeMap<String, serde_json::Value>>,
    /// Pulsar event source, by name; each entry is kept as it came (open object).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pulsar: Option<BTreeMap<String, serde_json::Value>>,
    /// Redis event source, by name; each entry is kept as it came (open object).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redis: Option<BTreeMap<String, serde_json::Value>>,
    /// Redis stream source, by name; each entry is kept as it came (open object).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redis_stream: Option<BTreeMap<String, serde_json::Value>>,
    /// Replicas is the event source deployment replicas
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicas: Option<i32>,
    /// Resource event sources, by name; each entry is kept as it came (open object).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<BTreeMap<String, serde_json::Value>>,
    /// Service is the specifications of the service to expose the event source
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<EventsService>,
    /// SFTP event sources, by name; each entry is kept as it came (open object).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sftp: Option<BTreeMap<String, serde_json::Value>>,
    /// Slack event sources, by name; each entry is kept as it came (open object).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slack: Option<BTreeMap<String, serde_json::Value>>,
    /// SNS event sources, by name; each entry is kept as it came (open object).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sns: Option<BTreeMap<String, serde_json::Value>>,
    /// SQS event sources, by name; each entry is kept as it came (open object).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sqs: Option<BTreeMap<String, serde_json::Value>>,
    /// StorageGrid event sources, by name; each entry is kept as it came (open object).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_grid: Option<BTreeMap<String, serde_json::Value>>,
    /// Stripe event sources, by name; each entry is kept as it came (open object).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stripe: Option<BTreeMap<String, serde_json::Value>>,
    /// Pod template of the event source deployment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<EventsTemplate>,
    /// Webhook event sources
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook: Option<BTreeMap<String, WebhookEventSource>>,
}

/// EventSourceStatus holds the status of the event-source resource
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventSourceStatus {
    /// Conditions are the latest available observations of a resource's current state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-list-type" = "map", "x-kubernetes-list-map-keys" = ["type"]))]
    pub conditions: Option<Vec<EventsCondition>>,
}

/// Service holds the service information eventsource exposes
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventsService {
    /// clusterIP is the IP address of the service and is usually assigned randomly by the master.
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "clusterIP")]
    pub cluster_ip: Option<String>,
    /// Labels and annotations of the service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<EventsMetadata>,
    /// The list of ports that are exposed by this ClusterIP service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ports: Option<Vec<core::ServicePort>>,
}

/// CalendarEventSource describes a time based dependency.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CalendarEventSource {
    /// ExclusionDates defines the list of DATE-TIME exceptions for recurring events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exclusion_dates: Option<Vec<String>>,
    /// Expression filter applied to the events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<EventSourceFilter>,
    /// Interval is a string that describes an interval duration, e.g. 1s, 30m, 2h...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<String>,
    /// Metadata holds the user defined metadata which will passed along the event payload.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<BTreeMap<String, String>>,
    /// Persistence hold the configuration for event persistence
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub persistence: Option<EventsEventPersistence>,
    /// Schedule is a cron-like expression.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<String>,
    /// Timezone in which to run the schedule
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
}

/// A webhook event source: an HTTP endpoint whose requests become events.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct WebhookEventSource {
    /// AuthSecret holds a secret selector that contains a bearer token for authentication
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_secret: Option<core::SecretKeySelector>,
    /// REST API endpoint
    pub endpoint: String,
    /// Expression filter applied to the events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<EventSourceFilter>,
    /// MaxPayloadSize is the maximum webhook payload size that the server will accept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_payload_size: Option<i64>,
    /// Metadata holds the user defined metadata which will passed along the event payload.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<BTreeMap<String, String>>,
    /// Method is HTTP request method that indicates the desired action to be performed for a given resource.
    pub method: String,
    /// Port on which HTTP server is listening for incoming events.
    pub port: String,
    /// Secret holding the TLS certificate of the HTTP server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_cert_secret: Option<core::SecretKeySelector>,
    /// Secret holding the TLS private key of the HTTP server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_key_secret: Option<core::SecretKeySelector>,
    /// URL is the url of the server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// GithubEventSource refers to event-source for github related events
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct GithubEventSource {
    /// Whether the webhook is active (GitHub sends deliveries).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    /// APIToken refers to a K8s secret containing github api token
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_token: Option<core::SecretKeySelector>,
    /// ContentType of the event delivery
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    /// DeleteHookOnFinish determines whether to delete the GitHub hook for the repository once the event source is stopped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delete_hook_on_finish: Option<bool>,
    /// Events refer to Github events to which the event source will subscribe
    pub events: Vec<String>,
    /// Expression filter applied to the events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<EventSourceFilter>,
    /// GitHubApp holds the GitHub app credentials
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub github_app: Option<EventsGithubAppCreds>,
    /// GitHub base URL (for GitHub Enterprise)
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        rename = "githubBaseURL"
    )]
    pub github_base_url: Option<String>,
    /// GitHub upload URL (for GitHub Enterprise)
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        rename = "githubUploadURL"
    )]
    pub github_upload_url: Option<String>,
    /// Deprecated and unused: the webhook's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    /// Insecure tls verification
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insecure: Option<bool>,
    /// Metadata holds the user defined metadata which will passed along the event payload.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<BTreeMap<String, String>>,
    /// Organizations holds the names of organizations (used for organization level webhooks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organizations: Option<Vec<String>>,
    /// Deprecated (use `repositories`): GitHub owner name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Repositories holds the information of repositories, which uses repo owner as the key, and list of repo names as the value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repositories: Option<Vec<EventsOwnedRepositories>>,
    /// Deprecated (use `repositories`): GitHub repository name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    /// Webhook refers to the configuration required to run a http server
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook: Option<EventsWebhookContext>,
    /// Secret holding the GitHub webhook secret used to verify deliveries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook_secret: Option<core::SecretKeySelector>,
}

/// WebhookContext holds a general purpose REST API context
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventsWebhookContext {
    /// AuthSecret holds a secret selector that contains a bearer token for authentication
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_secret: Option<core::SecretKeySelector>,
    /// REST API endpoint
    pub endpoint: String,
    /// MaxPayloadSize is the maximum webhook payload size that the server will accept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_payload_size: Option<i64>,
    /// Metadata holds the user defined metadata which will passed along the event payload.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<BTreeMap<String, String>>,
    /// Method is HTTP request method that indicates the desired action to be performed for a given resource.
    pub method: String,
    /// Port on which HTTP server is listening for incoming events.
    pub port: String,
    /// Secret holding the TLS certificate of the HTTP server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_cert_secret: Option<core::SecretKeySelector>,
    /// Secret holding the TLS private key of the HTTP server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_key_secret: Option<core::SecretKeySelector>,
    /// URL is the url of the server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// Expression filter applied to events before they are published.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventSourceFilter {
    /// Boolean expression over the event; events for which it is false are dropped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expression: Option<String>,
}

/// Where and how an event source persists its progress (calendar catch-up).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventsEventPersistence {
    /// Catch-up of the schedules missed while the event source was down.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catchup: Option<EventsCatchupConfiguration>,
    /// ConfigMap holds configmap details for persistence
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_map: Option<EventsConfigMapPersistence>,
}

/// Catch-up of schedules missed while the event source was down.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventsCatchupConfiguration {
    /// Run the schedules missed while the event source was down.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// MaxDuration holds max catchup duration
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_duration: Option<String>,
}

/// ConfigMap used to persist event source progress.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventsConfigMapPersistence {
    /// Create the ConfigMap if it does not exist.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_if_not_exist: Option<bool>,
    /// Name of the configmap
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// GitHub App credentials.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventsGithubAppCreds {
    /// AppID refers to the GitHub App ID for the application you created
    #[serde(rename = "appID")]
    pub app_id: i64,
    /// InstallationID refers to the Installation ID of the GitHub app you created and installed
    #[serde(rename = "installationID")]
    pub installation_id: i64,
    /// PrivateKey refers to a K8s secret containing the GitHub app private key
    pub private_key: core::SecretKeySelector,
}

/// A GitHub owner (organization or user) and some of its repositories.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventsOwnedRepositories {
    /// Repository names
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub names: Option<Vec<String>>,
    /// Organization or user name
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
}
