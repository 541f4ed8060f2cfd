//! AppProject: spec (source/destination rules, resource white/blacklists, roles, sync windows,
//! source integrity) and status (JWT tokens by role). Upstream:
//! `pkg/apis/application/v1alpha1/types.go` and `source_integrity.go`.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::application::ApplicationDestination;

/// The specification of an AppProject.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AppProjectSpec {
    /// Repository URLs (globs) applications may use; a `!` prefix denies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_repos: Option<Vec<String>>,
    /// Destinations (server or name, and namespace; globs) applications may deploy to; a `!` prefix
    /// denies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destinations: Option<Vec<ApplicationDestination>>,
    /// Contains optional project description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// User defined RBAC roles associated with this project.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roles: Option<Vec<ProjectRole>>,
    /// Cluster-scoped resources that may be deployed; absent or `[]` allows none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_resource_whitelist: Option<Vec<ClusterResourceRestrictionItem>>,
    /// Namespaced resources that may not be deployed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace_resource_blacklist: Option<Vec<AppProjectGroupKind>>,
    /// Specifies if controller should monitor orphaned resources of apps in this project.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub orphaned_resources: Option<OrphanedResourcesMonitorSettings>,
    /// Controls when syncs can be run for apps in this project.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync_windows: Option<Vec<SyncWindow>>,
    /// Namespaced resources that may be deployed. Absent allows every kind; `[]` allows none, so
    /// absent and empty differ.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace_resource_whitelist: Option<Vec<AppProjectGroupKind>>,
    /// GPG key IDs that commits must be signed with to be synced. Deprecated upstream in favour of
    /// `sourceIntegrity`, which folds these in for all repositories.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature_keys: Option<Vec<SignatureKey>>,
    /// Cluster-scoped resources that may not be deployed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_resource_blacklist: Option<Vec<ClusterResourceRestrictionItem>>,
    /// Namespaces (globs or `/regex/`) in which Applications of this project may live, besides the
    /// control-plane namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_namespaces: Option<Vec<String>>,
    /// Determines whether destinations can only reference clusters which are project-scoped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permit_only_project_scoped_clusters: Option<bool>,
    /// Holds information about the service accounts to be impersonated for the application sync
    /// operation for each destination.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination_service_accounts: Option<Vec<ApplicationDestinationServiceAccount>>,
    /// Represents a constraint on manifest sources integrity to be met before they can be used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_integrity: Option<SourceIntegrity>,
}

/// Represents a role that has access to a project.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProjectRole {
    /// A name for this role.
    pub name: String,
    /// A description of the role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Stores a list of casbin formatted strings that define access policies for the role in the
    /// project.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policies: Option<Vec<String>>,
    /// A list of generated JWT tokens bound to this role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwt_tokens: Option<Vec<JWTToken>>,
    /// A list of OIDC group claims bound to this role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub groups: Option<Vec<String>>,
}

/// Holds the issuedAt and expiresAt values of a token.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct JWTToken {
    /// Issued-at time of the token, in seconds since the Unix epoch.
    pub iat: i64,
    /// Expiry time of the token, in seconds since the Unix epoch; 0 means it never expires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exp: Option<i64>,
    /// Token id (the `jti` claim).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

/// A cluster resource that is restricted by the project's whitelist or blacklist.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ClusterResourceRestrictionItem {
    /// API group of the cluster-scoped resources (glob).
    pub group: String,
    /// Kind of the cluster-scoped resources (glob).
    pub kind: String,
    /// Name of the resource (glob); absent matches every name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// A Kubernetes group and kind (shaped as `metav1.GroupKind`); used by the AppProject namespace
/// resource white/blacklists.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AppProjectGroupKind {
    /// API group; `""` is the core group. Globs are allowed in AppProject lists.
    pub group: String,
    /// Kind. Globs are allowed in AppProject lists.
    pub kind: String,
}

/// Holds settings of orphaned resources monitoring.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrphanedResourcesMonitorSettings {
    /// Indicates if warning condition should be created for apps which have orphaned resources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warn: Option<bool>,
    /// Contains a list of resources that are to be excluded from orphaned resources monitoring.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ignore: Option<Vec<OrphanedResourceKey>>,
}

/// Selects orphaned resources to leave out of orphaned-resource monitoring.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrphanedResourceKey {
    /// API group of the orphaned resources to ignore (glob).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Kind of the orphaned resources to ignore (glob).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Name of the orphaned resources to ignore (glob).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// Contains the kind, time, duration and attributes that are used to assign the syncWindows to
/// apps.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SyncWindow {
    /// Window kind: `allow` or `deny`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The time the window will begin, specified in cron format.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<String>,
    /// The amount of time the sync window will be open.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<String>,
    /// Contains a list of applications that the window will apply to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applications: Option<Vec<String>>,
    /// Contains a list of namespaces that the window will apply to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespaces: Option<Vec<String>>,
    /// Contains a list of clusters that the window will apply to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clusters: Option<Vec<String>>,
    /// Enables manual syncs when they would otherwise be blocked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manual_sync: Option<bool>,
    /// IANA time zone the schedule is evaluated in (default UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    /// Match applications, namespaces and clusters with AND instead of the default OR.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub and_operator: Option<bool>,
    /// Description of the sync that will be applied to the schedule, can be used to add any
    /// information such as a ticket number for example.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Let a sync that started before a deny window (or during an allow window) keep running past
    /// the window edge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync_overrun: Option<bool>,
}

/// A GPG key that commits must be signed with. Deprecated upstream in favour of `sourceIntegrity`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SignatureKey {
    /// The ID of the key in hexadecimal notation.
    #[serde(rename = "keyID")]
    pub key_id: String,
}

/// Holds information about the service account to be impersonated for the application sync
/// operation.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationDestinationServiceAccount {
    /// Specifies the URL of the target cluster's Kubernetes control plane API.
    pub server: String,
    /// Specifies the target namespace for the application's resources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Service account impersonated during sync for this destination.
    pub default_service_account: String,
}

/// Integrity requirements the sources of a project must meet before they are used.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SourceIntegrity {
    /// Integrity policies for Git sources.
    pub git: SourceIntegrityGit,
}

/// Integrity policies for Git sources.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SourceIntegrityGit {
    /// Policies, each applying to the repositories it selects.
    pub policies: Vec<SourceIntegrityGitPolicy>,
}

/// One Git integrity policy: which repositories, and what verification.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SourceIntegrityGitPolicy {
    /// List of repository criteria restricting repositories the policy will apply to.
    pub repos: Vec<SourceIntegrityGitPolicyRepo>,
    /// Verify GPG commit/tag signatures.
    pub gpg: SourceIntegrityGitPolicyGPG,
}

/// Selects repositories by URL.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SourceIntegrityGitPolicyRepo {
    /// URL specifier, glob.
    pub url: String,
}

/// Requires commits (or tags) to be signed by one of the listed GPG keys known to the repo server.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SourceIntegrityGitPolicyGPG {
    /// Verification mode: `none`, `head` (target revision only) or `strict` (whole history).
    pub mode: String,
    /// List of key IDs to trust. The keys need to be in the repository server keyring.
    pub keys: Vec<String>,
}

/// Contains status information for AppProject CRs.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AppProjectStatus {
    /// Contains a list of JWT tokens issued for a given role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwt_tokens_by_role: Option<BTreeMap<String, JWTTokens>>,
}

/// The tokens issued for one project role.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct JWTTokens {
    /// The tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items: Option<Vec<JWTToken>>,
}
