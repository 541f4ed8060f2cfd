//! Application: spec (sources, destination, sync policy, hydrator), the top-level `operation`,
//! and status (resources, sync, health, history, operation state, hydrator). Upstream:
//! `pkg/apis/application/v1alpha1/types.go`.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Desired state of an Application: where its manifests come from, where they go, and how it syncs.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationSpec {
    /// A reference to the location of the application's manifests or chart.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<ApplicationSource>,
    /// A reference to the target Kubernetes server and namespace.
    pub destination: ApplicationDestination,
    /// Name of the AppProject the application belongs to; `""` means `default`.
    pub project: String,
    /// Controls when and how a sync will be performed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync_policy: Option<SyncPolicy>,
    /// A list of resources and their fields which should be ignored during comparison.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ignore_differences: Option<Vec<ResourceIgnoreDifferences>>,
    /// Contains a list of information (URLs, email addresses, and plain text) that relates to the
    /// application.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub info: Option<Vec<ApplicationInfo>>,
    /// How many entries `status.history` keeps (default 10; 0 keeps none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision_history_limit: Option<i64>,
    /// Several sources for one application (multi-source); used instead of `source`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sources: Option<Vec<ApplicationSource>>,
    /// Provides a way to push hydrated manifests back to git before syncing them to the cluster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_hydrator: Option<SourceHydrator>,
}

/// Contains all required information about the source of an application.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationSource {
    /// The URL to the repository (Git or Helm) that contains the application manifests.
    #[serde(rename = "repoURL")]
    pub repo_url: String,
    /// A directory path within the Git repository, and is only valid for applications sourced from
    /// Git.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Defines the revision of the source to sync the application to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_revision: Option<String>,
    /// Holds helm specific options.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub helm: Option<ApplicationSourceHelm>,
    /// Holds kustomize specific options.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kustomize: Option<ApplicationSourceKustomize>,
    /// Holds path/directory specific options.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub directory: Option<ApplicationSourceDirectory>,
    /// Holds config management plugin specific options.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plugin: Option<ApplicationSourcePlugin>,
    /// A Helm chart name, and must be specified for applications sourced from a Helm repo.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chart: Option<String>,
    /// Reference to another source within sources field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r#ref: Option<String>,
    /// Used to refer to a source and is displayed in the UI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Filters git tags to only those with this prefix before evaluating targetRevision as a semver
    /// constraint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag_prefix: Option<String>,
}

/// Holds helm specific options.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationSourceHelm {
    /// Helm value files to use when generating a template.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_files: Option<Vec<String>>,
    /// A list of Helm parameters which are passed to the helm template command upon manifest
    /// generation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters: Option<Vec<HelmParameter>>,
    /// The Helm release name to use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release_name: Option<String>,
    /// Specifies Helm values to be passed to helm template, typically defined as a block.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<String>,
    /// File parameters to the helm template.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_parameters: Option<Vec<HelmFileParameter>>,
    /// Helm version used for templating (`v3`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Pass credentials to all domains (Helm's --pass-credentials).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pass_credentials: Option<bool>,
    /// Prevents helm template from failing when valueFiles do not exist locally by not appending
    /// them to helm template --values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ignore_missing_value_files: Option<bool>,
    /// Skips custom resource definition installation step (Helm's --skip-crds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip_crds: Option<bool>,
    /// Helm values as a map. Upstream keeps it as open JSON (`runtime.RawExtension`); kept as it
    /// came.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values_object: Option<serde_json::Value>,
    /// An optional namespace to template with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Specifies the Kubernetes API version to pass to Helm when templating manifests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kube_version: Option<String>,
    /// Specifies the Kubernetes resource API versions to pass to Helm when templating manifests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_versions: Option<Vec<String>>,
    /// Skips test manifest installation step (Helm's --skip-tests).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip_tests: Option<bool>,
    /// Skips JSON schema validation (Helm's --skip-schema-validation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip_schema_validation: Option<bool>,
}

/// A parameter that's passed to helm template during manifest generation.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HelmParameter {
    /// The name of the Helm parameter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The value for the Helm parameter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// Determines whether to tell Helm to interpret booleans and numbers as strings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub force_string: Option<bool>,
}

/// A file parameter that's passed to helm template during manifest generation.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HelmFileParameter {
    /// The name of the Helm parameter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The path to the file containing the values for the Helm parameter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

/// Holds options specific to an Application source specific to Kustomize.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationSourceKustomize {
    /// Overrides the namePrefix in the kustomization.yaml for Kustomize apps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_prefix: Option<String>,
    /// Overrides the nameSuffix in the kustomization.yaml for Kustomize apps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_suffix: Option<String>,
    /// A list of Kustomize image override specifications.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub images: Option<Vec<String>>,
    /// A list of additional labels to add to rendered manifests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub common_labels: Option<BTreeMap<String, String>>,
    /// Controls which version of Kustomize to use for rendering manifests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// A list of additional annotations to add to rendered manifests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub common_annotations: Option<BTreeMap<String, String>>,
    /// Specifies whether to force applying common labels to resources for Kustomize apps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub force_common_labels: Option<bool>,
    /// Specifies whether to force applying common annotations to resources for Kustomize apps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub force_common_annotations: Option<bool>,
    /// Sets the namespace that Kustomize adds to all resources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Specifies whether to apply env variables substitution for annotation values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub common_annotations_envsubst: Option<bool>,
    /// A list of Kustomize Replicas override specifications.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicas: Option<Vec<KustomizeReplica>>,
    /// A list of Kustomize patches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patches: Option<Vec<KustomizePatch>>,
    /// Specifies a list of kustomize components to add to the kustomization before building.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub components: Option<Vec<String>>,
    /// Prevents kustomize from failing when components do not exist locally by not appending them
    /// to kustomization file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ignore_missing_components: Option<bool>,
    /// Specifies whether to apply common labels to resource selectors or not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_without_selector: Option<bool>,
    /// Kubernetes version passed to Kustomize (for Helm charts it inflates).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kube_version: Option<String>,
    /// API versions passed to Kustomize (for Helm charts it inflates).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_versions: Option<Vec<String>>,
    /// Specifies whether to apply common labels to resource templates or not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_include_templates: Option<bool>,
}

/// Replica count override for one Deployment or StatefulSet in a Kustomize source.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct KustomizeReplica {
    /// Name of Deployment or StatefulSet.
    pub name: String,
    /// Number of replicas.
    pub count: IntOrString,
}

/// A Kustomize patch (strategic merge or JSON 6902), given inline or by file path.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct KustomizePatch {
    /// Path of a file holding the patch, relative to the source path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The patch itself, inline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patch: Option<String>,
    /// Selects the resources the patch applies to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<KustomizeSelector>,
    /// Kustomize patch options (for example `allowNameChange`, `allowKindChange`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<BTreeMap<String, bool>>,
}

/// Selects resources for a Kustomize patch by id, label selector or annotation selector.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct KustomizeSelector {
    /// API group of the selected resources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// API version of the selected resources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Kind of the selected resources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Name of the selected resource (regular expression in Kustomize).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Namespace of the selected resources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Annotation selector the resources must match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotation_selector: Option<String>,
    /// Label selector the resources must match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_selector: Option<String>,
}

/// Holds options for applications of type plain YAML or Jsonnet.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationSourceDirectory {
    /// Specifies whether to scan a directory recursively for manifests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recurse: Option<bool>,
    /// Holds options specific to Jsonnet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jsonnet: Option<ApplicationSourceJsonnet>,
    /// Contains a glob pattern to match paths against that should be explicitly excluded from being
    /// used during manifest generation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exclude: Option<String>,
    /// Contains a glob pattern to match paths against that should be explicitly included during
    /// manifest generation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include: Option<String>,
    /// Controls whether the built-in file-extension filter is skipped during manifest generation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_extension_filter: Option<bool>,
}

/// Holds options specific to applications of type Jsonnet.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationSourceJsonnet {
    /// A list of Jsonnet External Variables.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ext_vars: Option<Vec<JsonnetVar>>,
    /// Jsonnet top-level arguments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tlas: Option<Vec<JsonnetVar>>,
    /// Additional library search dirs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub libs: Option<Vec<String>>,
}

/// Represents a variable to be passed to jsonnet during manifest generation.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct JsonnetVar {
    /// Variable name.
    pub name: String,
    /// Variable value (a string, or Jsonnet code when `code` is true).
    pub value: String,
    /// Whether `value` is Jsonnet code rather than a plain string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<bool>,
}

/// Holds options specific to config management plugins.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationSourcePlugin {
    /// Name of the config management plugin; empty lets Argo CD discover a matching plugin.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Environment variables passed to the plugin.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub env: Option<Vec<EnvEntry>>,
    /// Parameters passed to the plugin.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters: Option<Vec<ApplicationSourcePluginParameter>>,
}

/// Represents an entry in the application's environment.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EnvEntry {
    /// The name of the variable, usually expressed in uppercase.
    pub name: String,
    /// The value of the variable.
    pub value: String,
}

/// One parameter for a config management plugin: a string, a map or an array value.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationSourcePluginParameter {
    /// The name identifying a parameter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The value of a string type parameter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub string: Option<String>,
    /// Value of a map type parameter (upstream keeps it in an embedded `OptionalMap`, so present-
    /// but-empty survives).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub map: Option<BTreeMap<String, String>>,
    /// Value of an array type parameter (upstream keeps it in an embedded `OptionalArray`, so
    /// present-but-empty survives).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub array: Option<Vec<String>>,
}

/// Holds information about the application's destination.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationDestination {
    /// Specifies the URL of the target cluster's Kubernetes control plane API.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    /// Specifies the target namespace for the application's resources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// An alternate way of specifying the target cluster by its symbolic name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// Controls when a sync will be performed in response to updates in git.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SyncPolicy {
    /// Keeps the application synced to the target revision automatically.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub automated: Option<SyncPolicyAutomated>,
    /// Options allow you to specify whole app sync-options.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync_options: Option<Vec<String>>,
    /// Controls failed sync retry behavior.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry: Option<AppRetryStrategy>,
    /// Controls metadata in the given namespace (if CreateNamespace=true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub managed_namespace_metadata: Option<ManagedNamespaceMetadata>,
}

/// Controls the behavior of an automated sync.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SyncPolicyAutomated {
    /// Specifies whether to delete resources from the cluster that are not found in the sources
    /// anymore as part of automated sync (default: false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prune: Option<bool>,
    /// Specifies whether to revert resources back to their desired state upon modification in the
    /// cluster (default: false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_heal: Option<bool>,
    /// Allows apps have zero live resources (default: false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_empty: Option<bool>,
    /// Turns automated sync on or off explicitly; absent means on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
}

/// How a failed sync is retried. Upstream: `RetryStrategy`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AppRetryStrategy {
    /// The maximum number of attempts for retrying a failed sync.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i64>,
    /// Controls how to backoff on subsequent retries of failed syncs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backoff: Option<AppBackoff>,
    /// Indicates if the latest revision should be used on retry instead of the initial one
    /// (default: false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh: Option<bool>,
}

/// Back-off between sync retries. Upstream: `Backoff`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AppBackoff {
    /// The amount to back off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<String>,
    /// A factor to multiply the base duration after each failed retry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub factor: Option<i64>,
    /// The maximum amount of time allowed for the backoff strategy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_duration: Option<String>,
}

/// Labels and annotations to set on the namespace created through `CreateNamespace=true`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ManagedNamespaceMetadata {
    /// Labels set on the managed namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<BTreeMap<String, String>>,
    /// Annotations set on the managed namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<BTreeMap<String, String>>,
}

/// Fields of matching resources to ignore when comparing live and desired state.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ResourceIgnoreDifferences {
    /// API group of the resources; empty is the core group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Kind of the resources.
    pub kind: String,
    /// Name of the resource; empty matches every name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Namespace of the resource; empty matches every namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// JSON pointers (RFC 6901) of the fields to ignore.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub json_pointers: Option<Vec<String>>,
    /// jq path expressions of the fields to ignore.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jq_path_expressions: Option<Vec<String>>,
    /// A list of trusted managers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub managed_fields_managers: Option<Vec<String>>,
}

/// A free-form name/value pair of information about the application (URL, e-mail, text). Upstream:
/// `Info`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationInfo {
    /// Label of the item.
    pub name: String,
    /// Value of the item.
    pub value: String,
}

/// Hydrates manifests from a dry source into a Git branch, then syncs from that branch.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SourceHydrator {
    /// Specifies where the dry "don't repeat yourself" manifest source lives.
    pub dry_source: DrySource,
    /// Specifies where to sync hydrated manifests from.
    pub sync_source: SyncSource,
    /// Specifies an optional "staging" location to push hydrated manifests to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hydrate_to: Option<HydrateTo>,
}

/// Specifies a location for dry "don't repeat yourself" manifest source information.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DrySource {
    /// The URL to the git repository that contains the application manifests.
    #[serde(rename = "repoURL")]
    pub repo_url: String,
    /// Defines the revision of the source to hydrate.
    pub target_revision: String,
    /// A directory path within the Git repository where the manifests are located.
    pub path: String,
    /// Specifies helm specific options.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub helm: Option<ApplicationSourceHelm>,
    /// Specifies kustomize specific options.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kustomize: Option<ApplicationSourceKustomize>,
    /// Specifies path/directory specific options.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub directory: Option<ApplicationSourceDirectory>,
    /// Specifies config management plugin specific options.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plugin: Option<ApplicationSourcePlugin>,
}

/// Specifies a location from which hydrated manifests may be synced.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SyncSource {
    /// The branch from which hydrated manifests will be synced.
    pub target_branch: String,
    /// A directory path within the git repository where hydrated manifests should be committed to
    /// and synced from.
    pub path: String,
    /// The URL to the git repository that contains the hydrated manifests.
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "repoURL")]
    pub repo_url: Option<String>,
}

/// Specifies a branch to which hydrated manifests should be pushed as a "staging area" before being
/// moved to the SyncSource.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HydrateTo {
    /// The branch to which hydrated manifests should be committed.
    pub target_branch: String,
}

/// Contains information about a requested or running operation.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Operation {
    /// Contains parameters for the operation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync: Option<SyncOperation>,
    /// Contains information about who initiated the operations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initiated_by: Option<OperationInitiator>,
    /// A list of informational items for this operation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub info: Option<Vec<ApplicationInfo>>,
    /// Controls the strategy to apply if a sync fails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry: Option<AppRetryStrategy>,
}

/// Contains details about a sync operation.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SyncOperation {
    /// Revision (Git) or chart version (Helm) to sync to; empty uses the one in the spec.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<String>,
    /// Specifies to delete resources from the cluster that are no longer tracked in git.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prune: Option<bool>,
    /// Specifies to perform a `kubectl apply --dry-run` without actually performing the sync.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dry_run: Option<bool>,
    /// Describes how to perform the sync.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync_strategy: Option<SyncStrategy>,
    /// Describes which resources shall be part of the sync.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<Vec<SyncOperationResource>>,
    /// Overrides the source definition set in the application.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<ApplicationSource>,
    /// An optional field that overrides sync source with a local directory for development.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manifests: Option<Vec<String>>,
    /// SyncOptions provide per-sync sync-options, e.g. Validate=false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync_options: Option<Vec<String>>,
    /// Overrides the source definition set in the application.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sources: Option<Vec<ApplicationSource>>,
    /// Revision of each source of a multi-source application, in order; empty uses the spec.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revisions: Option<Vec<String>>,
    /// Contains the number of auto-heal attempts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_heal_attempts_count: Option<i64>,
}

/// Controls the manner in which a sync is performed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SyncStrategy {
    /// Sync with a plain `kubectl apply`; hooks are skipped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub apply: Option<SyncStrategyApply>,
    /// Sync with hooks (the default when no strategy is given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hook: Option<SyncStrategyHook>,
}

/// Sync with `kubectl apply` only.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SyncStrategyApply {
    /// Indicates whether or not to supply the --force flag to `kubectl apply`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub force: Option<bool>,
}

/// Sync using hooks (the default): hook resources run in their phases, then `kubectl apply`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SyncStrategyHook {
    /// Indicates whether or not to supply the --force flag to `kubectl apply`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub force: Option<bool>,
}

/// Contains resources to sync.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SyncOperationResource {
    /// API group of the resource to sync; `*` allowed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Kind of the resource to sync; `*` allowed.
    pub kind: String,
    /// Name of the resource to sync; `*` allowed.
    pub name: String,
    /// Namespace of the resource to sync; `*` allowed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// Contains information about the initiator of an operation.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OperationInitiator {
    /// Contains the name of a user who started operation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// Set to true if operation was initiated automatically by the application controller.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub automated: Option<bool>,
}

/// Contains status information for the application.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationStatus {
    /// A list of Kubernetes resources managed by this application.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<Vec<ApplicationResourceStatus>>,
    /// Contains information about the application's current sync status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync: Option<SyncStatus>,
    /// Contains information about the application's current health status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health: Option<AppHealthStatus>,
    /// Contains information about the application's sync history.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history: Option<Vec<RevisionHistory>>,
    /// A list of currently observed application conditions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Vec<ApplicationCondition>>,
    /// Indicates when the application state was reconciled using the latest git version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reconciled_at: Option<Time>,
    /// Contains information about any ongoing operations, such as a sync.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation_state: Option<OperationState>,
    /// When the state was last updated without querying Git. Deprecated upstream: the controller no
    /// longer sets it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_at: Option<Time>,
    /// Type of the source (Helm, Kustomize, Directory, Plugin).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_type: Option<String>,
    /// Contains a list of URLs and container images used by this application.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<ApplicationSummary>,
    /// Where resource health is kept: inline in `status.resources` when unset, or `appTree`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_health_source: Option<String>,
    /// Type of each source of a multi-source application.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_types: Option<Vec<String>>,
    /// Indicates the namespace in which the application controller is located.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub controller_namespace: Option<String>,
    /// Stores information about the current state of source hydration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_hydrator: Option<SourceHydratorStatus>,
}

/// Sync and health state of one resource managed by an Application or ApplicationSet. Upstream:
/// `ResourceStatus`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationResourceStatus {
    /// Represents the API group of the resource (e.g., "apps" for Deployments).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Indicates the API version of the resource (e.g., "v1", "v1beta1").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Specifies the type of the resource (e.g., "Deployment", "Service").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Defines the Kubernetes namespace where the resource is located.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// The unique name of the resource within the namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Represents the synchronization state of the resource (e.g., Synced, OutOfSync).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Indicates the health status of the resource (e.g., Healthy, Degraded, Progressing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health: Option<ApplicationHealthStatus>,
    /// True if the resource is used as a lifecycle hook in an Argo CD application.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hook: Option<bool>,
    /// True if the resource needs to be pruned (deleted) as part of synchronization.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requires_pruning: Option<bool>,
    /// Determines the order in which resources are applied during a sync operation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync_wave: Option<i64>,
    /// True if the resource requires explicit user confirmation before deletion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requires_deletion_confirmation: Option<bool>,
}

/// Health of a managed resource or of an ApplicationSet. Upstream: `HealthStatus`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationHealthStatus {
    /// Holds the status code of the resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// A human-readable informational message describing the health status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// When the health status was set. Deprecated upstream: not used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_transition_time: Option<Time>,
}

/// Contains information about the currently observed live and desired states of an application.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SyncStatus {
    /// The sync state of the comparison.
    pub status: String,
    /// Contains information about what has been compared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compared_to: Option<ComparedTo>,
    /// Contains information about the revision the comparison has been performed to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<String>,
    /// Contains information about the revisions of multiple sources the comparison has been
    /// performed to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revisions: Option<Vec<String>>,
}

/// Contains application source and target which was used for resources comparison.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ComparedTo {
    /// A reference to the application's source used for comparison.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<ApplicationSource>,
    /// A reference to the application's destination used for comparison.
    pub destination: ApplicationDestination,
    /// A reference to the application's multiple sources used for comparison.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sources: Option<Vec<ApplicationSource>>,
    /// A reference to the application's ignored differences used for comparison.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ignore_differences: Option<Vec<ResourceIgnoreDifferences>>,
}

/// Health of an Application as a whole.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AppHealthStatus {
    /// Holds the status code of the application.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// A human-readable informational message describing the health status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The time the HealthStatus was set or updated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_transition_time: Option<Time>,
}

/// Contains history information about a previous sync.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RevisionHistory {
    /// Holds the revision the sync was performed against.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<String>,
    /// Holds the time the sync operation completed.
    pub deployed_at: Time,
    /// An auto incrementing identifier of the RevisionHistory.
    pub id: i64,
    /// A reference to the application source used for the sync operation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<ApplicationSource>,
    /// Holds the time the sync operation started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deploy_started_at: Option<Time>,
    /// A reference to the application sources used for the sync operation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sources: Option<Vec<ApplicationSource>>,
    /// Holds the revision of each source in sources field the sync was performed against.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revisions: Option<Vec<String>>,
    /// Contains information about who initiated the operations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initiated_by: Option<OperationInitiator>,
}

/// Contains details about an application condition, which is usually an error or warning.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationCondition {
    /// An application condition type.
    pub r#type: String,
    /// Contains human-readable message indicating details about condition.
    pub message: String,
    /// The time the condition was last observed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_transition_time: Option<Time>,
}

/// Contains information about state of a running operation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OperationState {
    /// The original requested operation.
    pub operation: Operation,
    /// The current phase of the operation.
    pub phase: String,
    /// Holds any pertinent messages when attempting to perform operation (typically errors).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The result of a Sync operation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync_result: Option<SyncOperationResult>,
    /// Contains time of operation start.
    pub started_at: Time,
    /// Contains time of operation completion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<Time>,
    /// Number of retries of the operation so far.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_count: Option<i64>,
}

/// Result of a sync operation.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SyncOperationResult {
    /// Contains a list of sync result items for each individual resource in a sync operation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<Vec<ResourceResult>>,
    /// Holds the revision this sync operation was performed to.
    pub revision: String,
    /// Records the application source information of the sync, used for comparing auto-sync.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<ApplicationSource>,
    /// The sources of a multi-source sync, as synced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sources: Option<Vec<ApplicationSource>>,
    /// Holds the revision this sync operation was performed for respective indexed source in
    /// sources field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revisions: Option<Vec<String>>,
    /// Contains the current sync state of managed namespace metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub managed_namespace_metadata: Option<ManagedNamespaceMetadata>,
}

/// Holds the operation result details of a specific resource.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ResourceResult {
    /// Specifies the API group of the resource.
    pub group: String,
    /// Specifies the API version of the resource.
    pub version: String,
    /// Specifies the API kind of the resource.
    pub kind: String,
    /// Specifies the target namespace of the resource.
    pub namespace: String,
    /// Specifies the name of the resource.
    pub name: String,
    /// Holds the final result of the sync.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Contains an informational or error message for the last sync OR operation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Specifies the type of the hook.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hook_type: Option<String>,
    /// State of the operation of this resource or hook (Running, Succeeded, Failed...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hook_phase: Option<String>,
    /// Indicates the particular phase of the sync that this result was acquired in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync_phase: Option<String>,
    /// Contains the images related to the ResourceResult.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub images: Option<Vec<String>>,
}

/// Contains information about URLs and container images used by an application.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationSummary {
    /// Holds all external URLs of application child resources.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        rename = "externalURLs"
    )]
    pub external_urls: Option<Vec<String>>,
    /// Holds all images of application child resources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub images: Option<Vec<String>>,
    /// Holds true if the application has any application for child resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_app_of_apps: Option<bool>,
}

/// Contains information about the current state of source hydration.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SourceHydratorStatus {
    /// Holds info about the most recent successful hydration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_successful_operation: Option<SuccessfulHydrateOperation>,
    /// Holds the status of the hydrate operation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_operation: Option<HydrateOperation>,
    /// Holds the resolved revision from the most recent dry source comparison.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_compared_dry_revision: Option<String>,
}

/// Contains information about the most recent successful hydrate operation.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SuccessfulHydrateOperation {
    /// Holds the resolved revision (sha) of the dry source as of the most recent reconciliation.
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "drySHA")]
    pub dry_sha: Option<String>,
    /// Holds the resolved revision (sha) of the hydrated source as of the most recent
    /// reconciliation.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        rename = "hydratedSHA"
    )]
    pub hydrated_sha: Option<String>,
    /// Holds the hydrator config used for the hydrate operation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_hydrator: Option<SourceHydrator>,
}

/// Contains information about the most recent hydrate operation.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HydrateOperation {
    /// Indicates when the hydrate operation started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<Time>,
    /// Indicates when the hydrate operation finished.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<Time>,
    /// Indicates the status of the hydrate operation.
    #[schemars(extend("enum" = ["Hydrating", "Failed", "Hydrated"]))]
    pub phase: String,
    /// Contains a message describing the current status of the hydrate operation.
    pub message: String,
    /// Holds the resolved revision (sha) of the dry source as of the most recent reconciliation.
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "drySHA")]
    pub dry_sha: Option<String>,
    /// Holds the resolved revision (sha) of the hydrated source as of the most recent
    /// reconciliation.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        rename = "hydratedSHA"
    )]
    pub hydrated_sha: Option<String>,
    /// Holds the hydrator config used for the hydrate operation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_hydrator: Option<SourceHydrator>,
}
