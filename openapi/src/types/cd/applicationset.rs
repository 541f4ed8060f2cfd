//! ApplicationSet: generators, template, sync policy, progressive sync strategy, status. Upstream:
//! `pkg/apis/application/v1alpha1/applicationset_types.go`.
//!
//! Generators are typed one level down, as upstream types them; upstream keeps the generators
//! nested inside a nested `matrix`/`merge` as raw JSON (`apiextensionsv1.JSON`), so those are
//! `serde_json::Value` here and kept as they came.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, Time};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::application::{ApplicationHealthStatus, ApplicationResourceStatus, ApplicationSpec};

/// Desired state of an ApplicationSet.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationSetSpec {
    /// Render templates with Go templates (`{{ .param }}`) instead of the legacy `{{param}}`
    /// substitution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub go_template: Option<bool>,
    /// Generators that produce the parameter sets; one Application is rendered per set.
    pub generators: Vec<ApplicationSetGenerator>,
    /// Template of the generated Applications.
    pub template: ApplicationSetTemplate,
    /// How generated Applications relate to the ApplicationSet (create, update, delete).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync_policy: Option<ApplicationSetSyncPolicy>,
    /// How changes are rolled out to the generated Applications (progressive sync).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strategy: Option<ApplicationSetStrategy>,
    /// Annotations and labels of generated Applications that the controller leaves alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preserved_fields: Option<ApplicationPreservedFields>,
    /// Options for the Go template engine, e.g. `missingkey=error`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub go_template_options: Option<Vec<String>>,
    /// Deprecated and ignored: selectors of nested generators always apply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub apply_nested_selectors: Option<bool>,
    /// Fields of generated Applications that the controller does not overwrite.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ignore_application_differences: Option<Vec<ApplicationSetResourceIgnoreDifferences>>,
    /// A templated strategic merge patch applied to each generated Application (Go templates only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_patch: Option<String>,
}

/// One top-level generator of an ApplicationSet; exactly one generator field is set.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationSetGenerator {
    /// Generates one parameter set per element of a literal list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list: Option<ListGenerator>,
    /// Generates one parameter set per cluster registered with Argo CD.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clusters: Option<ClusterGenerator>,
    /// Generates parameter sets from directories or files in a Git repository.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub git: Option<GitGenerator>,
    /// Generates parameter sets from the repositories of an SCM provider organisation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scm_provider: Option<SCMProviderGenerator>,
    /// Generates parameter sets from the status of a duck-typed cluster decision resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_decision_resource: Option<DuckTypeGenerator>,
    /// Generates parameter sets from the open pull requests of a repository.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pull_request: Option<PullRequestGenerator>,
    /// Combines two generators as a cartesian product.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matrix: Option<MatrixGenerator>,
    /// Merges the parameter sets of several generators on merge keys.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merge: Option<MergeGenerator>,
    /// Label selector that post-filters the generated parameter sets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selector: Option<LabelSelector>,
    /// Generates parameter sets by calling a generator plugin service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plugin: Option<PluginGenerator>,
}

/// Generator over a literal list of elements.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ListGenerator {
    /// The elements; each is an open JSON object kept as it came (upstream:
    /// `apiextensionsv1.JSON`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub elements: Option<Vec<serde_json::Value>>,
    /// Template override for the Applications of this generator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<ApplicationSetTemplate>,
    /// Elements as a YAML string (may be templated), used instead of `elements`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub elements_yaml: Option<String>,
}

/// Template of a generated Application: metadata and an Application spec.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationSetTemplate {
    /// Metadata of the generated Application.
    pub metadata: ApplicationSetTemplateMeta,
    /// Spec of the generated Application.
    pub spec: ApplicationSpec,
}

/// The subset of object metadata an ApplicationSet template may set on generated Applications.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationSetTemplateMeta {
    /// Name of the generated Application.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Namespace of the generated Application.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Labels of the generated Application.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<BTreeMap<String, String>>,
    /// Annotations of the generated Application.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<BTreeMap<String, String>>,
    /// Finalizers of the generated Application.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finalizers: Option<Vec<String>>,
}

/// Generator over the clusters registered with Argo CD (cluster secrets).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ClusterGenerator {
    /// Label selector matched against the cluster secrets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selector: Option<LabelSelector>,
    /// Template override for the Applications of this generator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<ApplicationSetTemplate>,
    /// Extra key/value pairs passed to the template as parameters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<BTreeMap<String, String>>,
    /// Return all matched clusters as one parameter set with a `clusters` list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flat_list: Option<bool>,
}

/// Generator over the directories or files of a Git repository.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct GitGenerator {
    /// URL of the Git repository.
    #[serde(rename = "repoURL")]
    pub repo_url: String,
    /// Directory path globs to generate from (one parameter set per directory).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub directories: Option<Vec<GitDirectoryGeneratorItem>>,
    /// File path globs to generate from (parameters read from each JSON/YAML file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub files: Option<Vec<GitFileGeneratorItem>>,
    /// Git revision (branch, tag or commit) to read.
    pub revision: String,
    /// How long the controller waits before polling the repository again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requeue_after_seconds: Option<i64>,
    /// Template override for the Applications of this generator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<ApplicationSetTemplate>,
    /// Prefix for the path parameters, to keep them apart in matrix generators.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path_param_prefix: Option<String>,
    /// Extra key/value pairs passed to the template as parameters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<BTreeMap<String, String>>,
}

/// A directory path glob of a Git directory generator.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct GitDirectoryGeneratorItem {
    /// Path glob of directories.
    pub path: String,
    /// Exclude the matching directories instead of including them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exclude: Option<bool>,
}

/// A file path glob of a Git file generator.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct GitFileGeneratorItem {
    /// Path glob of files.
    pub path: String,
    /// Exclude the matching files instead of including them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exclude: Option<bool>,
}

/// Defines a generator that scrapes a SCMaaS API to find candidate repos.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SCMProviderGenerator {
    /// GitHub organisation to scan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub github: Option<SCMProviderGeneratorGithub>,
    /// GitLab group to scan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gitlab: Option<SCMProviderGeneratorGitlab>,
    /// Bitbucket Cloud workspace to scan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bitbucket: Option<SCMProviderGeneratorBitbucket>,
    /// Bitbucket Server project to scan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bitbucket_server: Option<SCMProviderGeneratorBitbucketServer>,
    /// Gitea organisation to scan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gitea: Option<SCMProviderGeneratorGitea>,
    /// Azure DevOps project to scan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub azure_dev_ops: Option<SCMProviderGeneratorAzureDevOps>,
    /// Filters for which repos should be considered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filters: Option<Vec<SCMProviderGeneratorFilter>>,
    /// Protocol of the clone URL (`ssh` or `https`); the default is provider specific, ssh where
    /// possible.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clone_protocol: Option<String>,
    /// How long the controller waits before polling the provider again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requeue_after_seconds: Option<i64>,
    /// Template override for the Applications of this generator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<ApplicationSetTemplate>,
    /// Extra key/value pairs passed to the template as parameters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<BTreeMap<String, String>>,
    /// AWS CodeCommit repositories to scan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aws_code_commit: Option<SCMProviderGeneratorAWSCodeCommit>,
}

/// Defines connection info specific to GitHub.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SCMProviderGeneratorGithub {
    /// GitHub org to scan. Required.
    pub organization: String,
    /// The GitHub API URL to talk to. If blank, use https://api.github.com/.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api: Option<String>,
    /// Authentication token reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_ref: Option<ApplicationSetSecretRef>,
    /// A reference to a GitHub App repo-creds secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_secret_name: Option<String>,
    /// Scan all branches instead of just the default branch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub all_branches: Option<bool>,
    /// Exclude repositories that are archived.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exclude_archived_repos: Option<bool>,
}

/// A key of a Secret in the ApplicationSet controller namespace. Upstream: `SecretRef`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationSetSecretRef {
    /// Name of the Secret.
    pub secret_name: String,
    /// Key within the Secret.
    pub key: String,
}

/// Defines connection info specific to Gitlab.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SCMProviderGeneratorGitlab {
    /// Gitlab group to scan. Required. You can use either the project id (recommended) or the full
    /// namespaced path.
    pub group: String,
    /// Recurse through subgroups (true) or scan only the base group (false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_subgroups: Option<bool>,
    /// The Gitlab API URL to talk to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api: Option<String>,
    /// Authentication token reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_ref: Option<ApplicationSetSecretRef>,
    /// Scan all branches instead of just the default branch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub all_branches: Option<bool>,
    /// Skip verifying the provider TLS certificate (self-signed certificates); default false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insecure: Option<bool>,
    /// When recursing through subgroups, also include shared Projects (true) or scan only the
    /// subgroups under same path (false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_shared_projects: Option<bool>,
    /// Filter repos list based on Gitlab Topic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
    /// ConfigMap key holding the trusted certificates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_ref: Option<ApplicationSetConfigMapKeyRef>,
    /// Include repositories that are archived.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_archived_repos: Option<bool>,
}

/// A key of a ConfigMap in the ApplicationSet controller namespace. Upstream: `ConfigMapKeyRef`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationSetConfigMapKeyRef {
    /// Name of the ConfigMap.
    pub config_map_name: String,
    /// Key within the ConfigMap.
    pub key: String,
}

/// Defines connection info specific to Bitbucket Cloud (API version 2).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SCMProviderGeneratorBitbucket {
    /// Bitbucket workspace to scan. Required.
    pub owner: String,
    /// Bitbucket user to use when authenticating.
    pub user: String,
    /// The app password to use for the user.
    pub app_password_ref: ApplicationSetSecretRef,
    /// Scan all branches instead of just the main branch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub all_branches: Option<bool>,
}

/// Defines connection info specific to Bitbucket Server.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SCMProviderGeneratorBitbucketServer {
    /// Project to scan. Required.
    pub project: String,
    /// The Bitbucket Server REST API URL to talk to.
    pub api: String,
    /// Credentials for Basic auth.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basic_auth: Option<BasicAuthBitbucketServer>,
    /// Scan all branches instead of just the default branch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub all_branches: Option<bool>,
    /// Credentials for AccessToken (Bearer auth).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bearer_token: Option<BearerTokenBitbucket>,
    /// Allow self-signed TLS / Certificates; default: false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insecure: Option<bool>,
    /// ConfigMap key holding the trusted certificates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_ref: Option<ApplicationSetConfigMapKeyRef>,
}

/// Defines the username/(password or personal access token) for Basic auth.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct BasicAuthBitbucketServer {
    /// Username for Basic auth.
    pub username: String,
    /// Password (or personal access token) reference.
    pub password_ref: ApplicationSetSecretRef,
}

/// Defines the Bearer token for BitBucket AppToken auth.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct BearerTokenBitbucket {
    /// Password (or personal access token) reference.
    pub token_ref: ApplicationSetSecretRef,
}

/// Defines a connection info specific to Gitea.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SCMProviderGeneratorGitea {
    /// Gitea organization or user to scan.
    pub owner: String,
    /// The Gitea URL to talk to. For example https://gitea.mydomain.com/.
    pub api: String,
    /// Authentication token reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_ref: Option<ApplicationSetSecretRef>,
    /// Scan all branches instead of just the default branch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub all_branches: Option<bool>,
    /// Allow self-signed TLS / Certificates; default: false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insecure: Option<bool>,
    /// Exclude repositories that are archived.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exclude_archived_repos: Option<bool>,
}

/// Defines connection info specific to Azure DevOps.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SCMProviderGeneratorAzureDevOps {
    /// Azure Devops organization. Required. E.g. "my-organization".
    pub organization: String,
    /// The URL to Azure DevOps. If blank, use https://dev.azure.com.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api: Option<String>,
    /// Azure Devops team project. Required. E.g. "my-team".
    pub team_project: String,
    /// The Personal Access Token (PAT) to use when connecting.
    pub access_token_ref: ApplicationSetSecretRef,
    /// Scan all branches instead of just the default branch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub all_branches: Option<bool>,
}

/// A single repository filter.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SCMProviderGeneratorFilter {
    /// A regex for repo names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository_match: Option<String>,
    /// An array of paths, all of which must exist.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paths_exist: Option<Vec<String>>,
    /// An array of paths, all of which must not exist.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paths_do_not_exist: Option<Vec<String>>,
    /// A regex which must match at least one label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_match: Option<String>,
    /// A regex which must match the branch name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch_match: Option<String>,
}

/// Defines connection info specific to AWS CodeCommit.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SCMProviderGeneratorAWSCodeCommit {
    /// Provides the tag filter(s) for repo discovery.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag_filters: Option<Vec<ApplicationSetTagFilter>>,
    /// Provides the AWS IAM role to assume, for cross-account repo discovery if not provided,
    /// AppSet controller will use its pod/node identity to discover.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// Provides the AWS region to discover repos.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Scan all branches instead of just the default branch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub all_branches: Option<bool>,
}

/// An AWS resource tag filter for CodeCommit repository discovery. Upstream: `TagFilter`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationSetTagFilter {
    /// Tag key.
    pub key: String,
    /// Tag value; empty matches any value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// Generator that reads cluster decisions from the status of a duck-typed resource.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DuckTypeGenerator {
    /// ConfigMap that describes the duck type (apiVersion, kind, matchKey, status list key).
    pub config_map_ref: String,
    /// Name of the decision resource; use `labelSelector` instead to select several.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// How long the controller waits before reading the resource again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requeue_after_seconds: Option<i64>,
    /// Label selector of the decision resources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_selector: Option<LabelSelector>,
    /// Template override for the Applications of this generator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<ApplicationSetTemplate>,
    /// Extra key/value pairs passed to the template as parameters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<BTreeMap<String, String>>,
}

/// Defines a generator that scrapes a PullRequest API to find candidate pull requests.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PullRequestGenerator {
    /// GitHub repository to read pull requests from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub github: Option<PullRequestGeneratorGithub>,
    /// GitLab project to read merge requests from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gitlab: Option<PullRequestGeneratorGitLab>,
    /// Gitea repository to read pull requests from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gitea: Option<PullRequestGeneratorGitea>,
    /// Bitbucket Server repository to read pull requests from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bitbucket_server: Option<PullRequestGeneratorBitbucketServer>,
    /// Filters for which pull requests should be considered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filters: Option<Vec<PullRequestGeneratorFilter>>,
    /// How long the controller waits before polling the provider again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requeue_after_seconds: Option<i64>,
    /// Template override for the Applications of this generator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<ApplicationSetTemplate>,
    /// Bitbucket Cloud repository to read pull requests from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bitbucket: Option<PullRequestGeneratorBitbucket>,
    /// Azure DevOps repository to read pull requests from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub azuredevops: Option<PullRequestGeneratorAzureDevOps>,
    /// Extra key/value pairs passed to the template as parameters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<BTreeMap<String, String>>,
    /// A flag to continue the ApplicationSet Pull Request generator parameters generation even if
    /// the repository is not found.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub continue_on_repo_not_found_error: Option<bool>,
}

/// Defines connection info specific to GitHub.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PullRequestGeneratorGithub {
    /// GitHub org or user to scan. Required.
    pub owner: String,
    /// GitHub repo name to scan. Required.
    pub repo: String,
    /// The GitHub API URL to talk to. If blank, use https://api.github.com/.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api: Option<String>,
    /// Authentication token reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_ref: Option<ApplicationSetSecretRef>,
    /// A reference to a GitHub App repo-creds secret with permission to access pull requests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_secret_name: Option<String>,
    /// Used to filter the PRs that you want to target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<Vec<String>>,
}

/// Defines connection info specific to GitLab.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PullRequestGeneratorGitLab {
    /// GitLab project to scan. Required.
    pub project: String,
    /// The GitLab API URL to talk to. If blank, uses https://gitlab.com/.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api: Option<String>,
    /// Authentication token reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_ref: Option<ApplicationSetSecretRef>,
    /// Used to filter the MRs that you want to target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<Vec<String>>,
    /// An additional MRs filter to get only those with a certain state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pull_request_state: Option<String>,
    /// Skip verifying the provider TLS certificate (self-signed certificates); default false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insecure: Option<bool>,
    /// ConfigMap key holding the trusted certificates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_ref: Option<ApplicationSetConfigMapKeyRef>,
}

/// Defines connection info specific to Gitea.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PullRequestGeneratorGitea {
    /// Gitea org or user to scan. Required.
    pub owner: String,
    /// Gitea repo name to scan. Required.
    pub repo: String,
    /// The Gitea API URL to talk to. Required.
    pub api: String,
    /// Authentication token reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_ref: Option<ApplicationSetSecretRef>,
    /// Allow insecure tls, for self-signed certificates; default: false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insecure: Option<bool>,
    /// Used to filter the PRs that you want to target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<Vec<String>>,
}

/// Defines connection info specific to BitbucketServer.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PullRequestGeneratorBitbucketServer {
    /// Project to scan. Required.
    pub project: String,
    /// Repo name to scan. Required.
    pub repo: String,
    /// The Bitbucket REST API URL to talk to e.g. https://bitbucket.org/rest Required.
    pub api: String,
    /// Credentials for Basic auth.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basic_auth: Option<BasicAuthBitbucketServer>,
    /// Credentials for AccessToken (Bearer auth).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bearer_token: Option<BearerTokenBitbucket>,
    /// Allow self-signed TLS / Certificates; default: false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insecure: Option<bool>,
    /// ConfigMap key holding the trusted certificates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_ref: Option<ApplicationSetConfigMapKeyRef>,
}

/// A single pull request filter.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PullRequestGeneratorFilter {
    /// Regular expression the source branch must match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch_match: Option<String>,
    /// Regular expression the target branch must match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_branch_match: Option<String>,
    /// Regular expression the title must match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title_match: Option<String>,
}

/// Defines connection info specific to Bitbucket.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PullRequestGeneratorBitbucket {
    /// Workspace to scan. Required.
    pub owner: String,
    /// Repo name to scan. Required.
    pub repo: String,
    /// The Bitbucket REST API URL to talk to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api: Option<String>,
    /// Credentials for Basic auth.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basic_auth: Option<BasicAuthBitbucketServer>,
    /// Credentials for AppToken (Bearer auth).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bearer_token: Option<BearerTokenBitbucketCloud>,
}

/// Defines the Bearer token for BitBucket AppToken auth.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct BearerTokenBitbucketCloud {
    /// Password (or personal access token) reference.
    pub token_ref: ApplicationSetSecretRef,
}

/// Defines connection info specific to AzureDevOps.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PullRequestGeneratorAzureDevOps {
    /// Azure DevOps org to scan. Required.
    pub organization: String,
    /// Azure DevOps project name to scan.
    pub project: String,
    /// Azure DevOps repo name to scan.
    pub repo: String,
    /// The Azure DevOps API URL to talk to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api: Option<String>,
    /// Authentication token reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_ref: Option<ApplicationSetSecretRef>,
    /// Used to filter the PRs that you want to target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<Vec<String>>,
}

/// Generates the cartesian product of two sets of parameters.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MatrixGenerator {
    /// The two generators to combine.
    pub generators: Vec<ApplicationSetNestedGenerator>,
    /// Template override for the Applications of this generator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<ApplicationSetTemplate>,
}

/// Represents a generator nested within a combination-type generator (MatrixGenerator or
/// MergeGenerator).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationSetNestedGenerator {
    /// Generates one parameter set per element of a literal list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list: Option<ListGenerator>,
    /// Generates one parameter set per cluster registered with Argo CD.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clusters: Option<ClusterGenerator>,
    /// Generates parameter sets from directories or files in a Git repository.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub git: Option<GitGenerator>,
    /// Generates parameter sets from the repositories of an SCM provider organisation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scm_provider: Option<SCMProviderGenerator>,
    /// Generates parameter sets from the status of a duck-typed cluster decision resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_decision_resource: Option<DuckTypeGenerator>,
    /// Generates parameter sets from the open pull requests of a repository.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pull_request: Option<PullRequestGenerator>,
    /// A nested matrix generator. Upstream keeps it as open JSON (`apiextensionsv1.JSON`, shaped as
    /// a matrix with terminal generators); kept as it came.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matrix: Option<serde_json::Value>,
    /// A nested merge generator. Upstream keeps it as open JSON (`apiextensionsv1.JSON`, shaped as
    /// a merge with terminal generators); kept as it came.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merge: Option<serde_json::Value>,
    /// Label selector that post-filters the generated parameter sets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selector: Option<LabelSelector>,
    /// Generates parameter sets by calling a generator plugin service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plugin: Option<PluginGenerator>,
}

/// Generator that asks a plugin service (described by a ConfigMap) for parameter sets.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PluginGenerator {
    /// ConfigMap describing how to reach the plugin.
    pub config_map_ref: PluginConfigMapRef,
    /// Input passed to the plugin.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<PluginInput>,
    /// Determines how long the ApplicationSet controller will wait before reconciling the
    /// ApplicationSet again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requeue_after_seconds: Option<i64>,
    /// Template override for the Applications of this generator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<ApplicationSetTemplate>,
    /// Extra key/value pairs passed to the template as parameters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<BTreeMap<String, String>>,
}

/// Reference to the ConfigMap that configures a generator plugin.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PluginConfigMapRef {
    /// Name of the ConfigMap.
    pub name: String,
}

/// Input for a generator plugin.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PluginInput {
    /// Parameters passed to the plugin; each value is open JSON kept as it came (upstream:
    /// `apiextensionsv1.JSON`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters: Option<BTreeMap<String, serde_json::Value>>,
}

/// Merges the parameter sets of several generators: sets with equal merge-key values are combined,
/// the first generator giving the base.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MergeGenerator {
    /// The generators to merge.
    pub generators: Vec<ApplicationSetNestedGenerator>,
    /// Parameter names whose values identify sets to merge.
    pub merge_keys: Vec<String>,
    /// Template override for the Applications of this generator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<ApplicationSetTemplate>,
}

/// Configures how generated Applications will relate to their ApplicationSet.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationSetSyncPolicy {
    /// Keep the generated Applications when the ApplicationSet is deleted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preserve_resources_on_deletion: Option<bool>,
    /// Policy for generated Applications: `create-only`, `create-update`, `create-delete` or `sync`
    /// (default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("enum" = ["create-only", "create-update", "create-delete", "sync"]))]
    pub applications_sync: Option<String>,
}

/// Configures how generated Applications are updated in sequence.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationSetStrategy {
    /// Strategy type: `AllAtOnce` or `RollingSync`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r#type: Option<String>,
    /// Steps of a rolling (progressive) sync.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rolling_sync: Option<ApplicationSetRolloutStrategy>,
    /// Order in which generated Applications are deleted under progressive sync: `AllAtOnce` or
    /// `Reverse`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deletion_order: Option<String>,
}

/// A progressive sync: Applications are synced step by step.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationSetRolloutStrategy {
    /// The steps, in order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub steps: Option<Vec<ApplicationSetRolloutStep>>,
}

/// One step of a progressive sync: which Applications, and how many at once.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationSetRolloutStep {
    /// Label expressions selecting the Applications of this step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub match_expressions: Option<Vec<ApplicationMatchExpression>>,
    /// How many (or what percentage) of the step's Applications may sync at once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_update: Option<IntOrString>,
}

/// A label requirement selecting Applications for a progressive sync step.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationMatchExpression {
    /// Label key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Operator: `In` or `NotIn`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator: Option<String>,
    /// Label values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<String>>,
}

/// Annotation and label keys of generated Applications that the controller keeps as they are.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationPreservedFields {
    /// Annotation keys to preserve.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<Vec<String>>,
    /// Label keys to preserve.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<Vec<String>>,
}

/// Configures how the ApplicationSet controller will ignore differences in live applications when
/// applying changes from generated applications.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationSetResourceIgnoreDifferences {
    /// The name of the application to ignore differences for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// A list of JSON pointers to fields to ignore differences for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub json_pointers: Option<Vec<String>>,
    /// A list of JQ path expressions to fields to ignore differences for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jq_path_expressions: Option<Vec<String>>,
}

/// Defines the observed state of ApplicationSet.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationSetStatus {
    /// Latest observations of the ApplicationSet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Vec<ApplicationSetCondition>>,
    /// Progressive sync status of each generated Application.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_status: Option<Vec<ApplicationSetApplicationStatus>>,
    /// A list of Applications resources managed by this application set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<Vec<ApplicationResourceStatus>>,
    /// The total number of resources managed by this application set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources_count: Option<i64>,
    /// Health of the ApplicationSet, derived from its conditions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health: Option<ApplicationHealthStatus>,
}

/// Contains details about an applicationset condition, which is usually an error or warning.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationSetCondition {
    /// An applicationset condition type.
    pub r#type: String,
    /// Contains human-readable message indicating details about condition.
    pub message: String,
    /// The time the condition was last observed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_transition_time: Option<Time>,
    /// Condition status: `True`, `False` or `Unknown`.
    pub status: String,
    /// One CamelCase word giving the reason for the status, e.g. `ErrorOccurred`.
    pub reason: String,
}

/// Contains details about each Application managed by the ApplicationSet.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationSetApplicationStatus {
    /// Contains the name of the Application resource.
    pub application: String,
    /// The time the status was last updated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_transition_time: Option<Time>,
    /// Contains human-readable message indicating details about the status.
    pub message: String,
    /// Contains the AppSet's perceived status of the managed Application resource.
    pub status: String,
    /// Tracks which step this Application should be updated in.
    pub step: String,
    /// Revisions the Application should be synced to.
    pub target_revisions: Vec<String>,
}
