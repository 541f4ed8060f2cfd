//! Artifacts, every artifact location and the artifact repositories.

use k8s_openapi::api::core::v1::{ConfigMapKeySelector, SecretKeySelector};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Metadata;

/// Describes how to archive files/directory when saving artifacts.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ArchiveStrategy {
    /// Archive as a tarball (gzip-compressed at the given level).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tar: Option<TarStrategy>,
    /// Store the file or directory as it is, without archiving.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub none: Option<NoneStrategy>,
    /// Archive as a zip file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zip: Option<ZipStrategy>,
}

/// Indicates an artifact to place at a specified path.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Artifact {
    /// Name of the artifact.
    #[schemars(extend("pattern" = "^[-a-zA-Z0-9_{}.]+$"))]
    pub name: String,
    /// The container path to the artifact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Mode bits to use on this file, must be a value between 0 and 0777.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("minimum" = 0, "maximum" = 511))]
    pub mode: Option<i32>,
    /// Allows an artifact to reference an artifact from a previous step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// Indicates if the container logs should be archived.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archive_logs: Option<bool>,
    /// Contains S3 artifact location details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub s3: Option<S3Artifact>,
    /// Contains git artifact location details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub git: Option<GitArtifact>,
    /// Contains HTTP artifact location details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http: Option<HTTPArtifact>,
    /// Contains artifactory artifact location details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifactory: Option<ArtifactoryArtifact>,
    /// Contains HDFS artifact location details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hdfs: Option<HDFSArtifact>,
    /// Contains raw artifact location details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw: Option<RawArtifact>,
    /// Contains OSS artifact location details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oss: Option<OSSArtifact>,
    /// Contains GCS artifact location details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gcs: Option<GCSArtifact>,
    /// Contains Azure Storage artifact location details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub azure: Option<AzureArtifact>,
    /// Contains plugin artifact location details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plugin: Option<PluginArtifact>,
    /// GlobalName exports an output artifact to the global scope, making it available as workflow.outputs.artifacts.XXXX and in workflow.status.outputs.artifacts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub global_name: Option<String>,
    /// Controls how the artifact will be saved to the artifact repository.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archive: Option<ArchiveStrategy>,
    /// Make Artifacts optional, if Artifacts doesn't generate or exist.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub optional: Option<bool>,
    /// Allows an artifact to be sourced from a subpath within the specified source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_path: Option<String>,
    /// If mode is set, apply the permission recursively into the artifact if it is a folder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recurse_mode: Option<bool>,
    /// FromExpression, if defined, is evaluated to specify the value for the artifact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_expression: Option<String>,
    /// Describes the strategy to use when to deleting an artifact from completed or deleted workflows.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        rename = "artifactGC"
    )]
    pub artifact_gc: Option<ArtifactGC>,
    /// Has this been deleted?.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted: Option<bool>,
}

/// Describes how to delete artifacts from completed Workflows - this is embedded into the WorkflowLevelArtifactGC, and also used for individual Artifacts to override that as needed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ArtifactGC {
    /// The strategy to use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("enum" = ["", "OnWorkflowCompletion", "OnWorkflowDeletion", "Never"]))]
    pub strategy: Option<String>,
    /// An optional field for specifying the Labels and Annotations that should be assigned to the Pod doing the deletion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_metadata: Option<Metadata>,
    /// An optional field for specifying the Service Account that should be assigned to the Pod doing the deletion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_account_name: Option<String>,
}

/// Describes a location for a single or multiple artifacts.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ArtifactLocation {
    /// Indicates if the container logs should be archived.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archive_logs: Option<bool>,
    /// Contains S3 artifact location details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub s3: Option<S3Artifact>,
    /// Contains git artifact location details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub git: Option<GitArtifact>,
    /// Contains HTTP artifact location details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http: Option<HTTPArtifact>,
    /// Contains artifactory artifact location details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifactory: Option<ArtifactoryArtifact>,
    /// Contains HDFS artifact location details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hdfs: Option<HDFSArtifact>,
    /// Contains raw artifact location details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw: Option<RawArtifact>,
    /// Contains OSS artifact location details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oss: Option<OSSArtifact>,
    /// Contains GCS artifact location details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gcs: Option<GCSArtifact>,
    /// Contains Azure Storage artifact location details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub azure: Option<AzureArtifact>,
    /// Contains plugin artifact location details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plugin: Option<PluginArtifact>,
}

/// Represents an artifact repository in which a controller will store its artifacts.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ArtifactRepository {
    /// Enables log archiving.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archive_logs: Option<bool>,
    /// S3 stores artifact in a S3-compliant object store.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub s3: Option<S3ArtifactRepository>,
    /// Artifactory stores artifacts to JFrog Artifactory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifactory: Option<ArtifactoryArtifactRepository>,
    /// HDFS stores artifacts in HDFS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hdfs: Option<HDFSArtifactRepository>,
    /// OSS stores artifact in a OSS-compliant object store.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oss: Option<OSSArtifactRepository>,
    /// GCS stores artifact in a GCS object store.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gcs: Option<GCSArtifactRepository>,
    /// Azure stores artifact in an Azure Storage account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub azure: Option<AzureArtifactRepository>,
    /// Plugin stores artifact in a plugin-specific artifact repository.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plugin: Option<PluginArtifactRepository>,
}

/// A reference to an artifact repository config map.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ArtifactRepositoryRef {
    /// The name of the config map.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_map: Option<String>,
    /// The config map key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

/// The location of an artifactory artifact.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ArtifactoryArtifact {
    /// URL of the artifact.
    pub url: String,
    /// The secret selector to the repository username.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-map-type" = "atomic"))]
    pub username_secret: Option<SecretKeySelector>,
    /// The secret selector to the repository password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-map-type" = "atomic"))]
    pub password_secret: Option<SecretKeySelector>,
}

/// Defines the controller configuration for an artifactory artifact repository.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ArtifactoryArtifactRepository {
    /// The secret selector to the repository username.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-map-type" = "atomic"))]
    pub username_secret: Option<SecretKeySelector>,
    /// The secret selector to the repository password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-map-type" = "atomic"))]
    pub password_secret: Option<SecretKeySelector>,
    /// The url for artifactory repo.
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "repoURL")]
    pub repo_url: Option<String>,
    /// Defines the format of how to store keys and can reference workflow variables.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_format: Option<String>,
}

/// The location of an Azure Storage artifact.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AzureArtifact {
    /// The service url associated with an account.
    pub endpoint: String,
    /// The container where resources will be stored.
    pub container: String,
    /// The secret selector to the Azure Blob Storage account access key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-map-type" = "atomic"))]
    pub account_key_secret: Option<SecretKeySelector>,
    /// UseSDKCreds tells the driver to figure out credentials based on sdk defaults.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        rename = "useSDKCreds"
    )]
    pub use_sdk_creds: Option<bool>,
    /// The blob name (i.e., path) in the container where the artifact resides.
    pub blob: String,
}

/// Defines the controller configuration for an Azure Blob Storage artifact repository.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AzureArtifactRepository {
    /// The service url associated with an account.
    pub endpoint: String,
    /// The container where resources will be stored.
    pub container: String,
    /// The secret selector to the Azure Blob Storage account access key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-map-type" = "atomic"))]
    pub account_key_secret: Option<SecretKeySelector>,
    /// UseSDKCreds tells the driver to figure out credentials based on sdk defaults.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        rename = "useSDKCreds"
    )]
    pub use_sdk_creds: Option<bool>,
    /// Defines the format of how to store blob names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blob_name_format: Option<String>,
}

/// Describes the secret selectors required for basic authentication.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct BasicAuth {
    /// The secret selector to the repository username.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-map-type" = "atomic"))]
    pub username_secret: Option<SecretKeySelector>,
    /// The secret selector to the repository password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-map-type" = "atomic"))]
    pub password_secret: Option<SecretKeySelector>,
}

/// Holds necessary information for client authentication via certificates.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ClientCertAuth {
    /// The client cert secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-map-type" = "atomic"))]
    pub client_cert_secret: Option<SecretKeySelector>,
    /// The client key secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-map-type" = "atomic"))]
    pub client_key_secret: Option<SecretKeySelector>,
}

/// CreateS3BucketOptions options used to determine automatic automatic bucket-creation process.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateS3BucketOptions {
    /// ObjectLocking Enable object locking.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_locking: Option<bool>,
}

/// The location of a GCS artifact.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct GCSArtifact {
    /// The name of the bucket.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bucket: Option<String>,
    /// The secret selector to the bucket's service account key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-map-type" = "atomic"))]
    pub service_account_key_secret: Option<SecretKeySelector>,
    /// The path in the bucket where the artifact resides.
    pub key: String,
}

/// Defines the controller configuration for a GCS artifact repository.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct GCSArtifactRepository {
    /// The name of the bucket.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bucket: Option<String>,
    /// The secret selector to the bucket's service account key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-map-type" = "atomic"))]
    pub service_account_key_secret: Option<SecretKeySelector>,
    /// Defines the format of how to store keys and can reference workflow variables.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_format: Option<String>,
}

/// The location of a git artifact.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct GitArtifact {
    /// The git repository.
    pub repo: String,
    /// The git commit, tag, branch to checkout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<String>,
    /// Specifies clones/fetches should be shallow and include the given number of commits from the branch tip.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub depth: Option<u64>,
    /// Specifies a number of refs that should be fetched before checkout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fetch: Option<Vec<String>>,
    /// The secret selector to the repository username.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-map-type" = "atomic"))]
    pub username_secret: Option<SecretKeySelector>,
    /// The secret selector to the repository password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-map-type" = "atomic"))]
    pub password_secret: Option<SecretKeySelector>,
    /// The secret selector to the repository ssh private key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-map-type" = "atomic"))]
    pub ssh_private_key_secret: Option<SecretKeySelector>,
    /// InsecureIgnoreHostKey disables SSH strict host key checking during git clone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insecure_ignore_host_key: Option<bool>,
    /// DisableSubmodules disables submodules during git clone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_submodules: Option<bool>,
    /// Enables single branch clone, using the `branch` parameter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub single_branch: Option<bool>,
    /// The branch to fetch when `SingleBranch` is enabled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    /// InsecureSkipTLS disables server certificate verification resulting in insecure HTTPS connections.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        rename = "insecureSkipTLS"
    )]
    pub insecure_skip_tls: Option<bool>,
}

/// The location of an HDFS artifact.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HDFSArtifact {
    /// The secret selector for Kerberos ccache Either ccache or keytab can be set to use Kerberos.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-map-type" = "atomic"))]
    pub krb_c_cache_secret: Option<SecretKeySelector>,
    /// The secret selector for Kerberos keytab Either ccache or keytab can be set to use Kerberos.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-map-type" = "atomic"))]
    pub krb_keytab_secret: Option<SecretKeySelector>,
    /// The Kerberos username used with Kerberos keytab It must be set if keytab is used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub krb_username: Option<String>,
    /// The Kerberos realm used with Kerberos keytab It must be set if keytab is used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub krb_realm: Option<String>,
    /// KrbConfig is the configmap selector for Kerberos config as string It must be set if either ccache or keytab is used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-map-type" = "atomic"))]
    pub krb_config_config_map: Option<ConfigMapKeySelector>,
    /// The principal name of Kerberos service It must be set if either ccache or keytab is used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub krb_service_principal_name: Option<String>,
    /// Accessible addresses of HDFS name nodes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub addresses: Option<Vec<String>>,
    /// The user to access HDFS file system.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hdfs_user: Option<String>,
    /// The protection level for HDFS data transfer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_transfer_protection: Option<String>,
    /// A file path in HDFS.
    pub path: String,
    /// Force copies a file forcibly even if it exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub force: Option<bool>,
}

/// Defines the controller configuration for an HDFS artifact repository.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HDFSArtifactRepository {
    /// The secret selector for Kerberos ccache Either ccache or keytab can be set to use Kerberos.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-map-type" = "atomic"))]
    pub krb_c_cache_secret: Option<SecretKeySelector>,
    /// The secret selector for Kerberos keytab Either ccache or keytab can be set to use Kerberos.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-map-type" = "atomic"))]
    pub krb_keytab_secret: Option<SecretKeySelector>,
    /// The Kerberos username used with Kerberos keytab It must be set if keytab is used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub krb_username: Option<String>,
    /// The Kerberos realm used with Kerberos keytab It must be set if keytab is used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub krb_realm: Option<String>,
    /// KrbConfig is the configmap selector for Kerberos config as string It must be set if either ccache or keytab is used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-map-type" = "atomic"))]
    pub krb_config_config_map: Option<ConfigMapKeySelector>,
    /// The principal name of Kerberos service It must be set if either ccache or keytab is used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub krb_service_principal_name: Option<String>,
    /// Accessible addresses of HDFS name nodes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub addresses: Option<Vec<String>>,
    /// The user to access HDFS file system.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hdfs_user: Option<String>,
    /// The protection level for HDFS data transfer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_transfer_protection: Option<String>,
    /// Defines the format of path to store a file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path_format: Option<String>,
    /// Force copies a file forcibly even if it exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub force: Option<bool>,
}

/// Allows a file served on HTTP to be placed as an input artifact in a container.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HTTPArtifact {
    /// URL of the artifact.
    pub url: String,
    /// An optional list of headers to send with HTTP requests for artifacts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headers: Option<Vec<Header>>,
    /// Contains information for client authentication.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth: Option<HTTPAuth>,
    /// SaveStreamViaFile buffers a streamed upload to a temporary file before sending it, so a 307/308 redirect (e.g. webHDFS) can be followed by re-sending the body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub save_stream_via_file: Option<bool>,
}

/// HTTPAuth.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HTTPAuth {
    /// The client cert.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_cert: Option<ClientCertAuth>,
    /// The oauth2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oauth2: Option<OAuth2Auth>,
    /// The basic auth.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basic_auth: Option<BasicAuth>,
}

/// Header indicate a key-value request header to be used when fetching artifacts over HTTP.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Header {
    /// The header name.
    pub name: String,
    /// The literal value to use for the header.
    pub value: String,
}

/// Indicates to skip tar process and upload the files or directory tree as independent files.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NoneStrategy {}

/// Holds all information for client authentication via OAuth2 tokens.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OAuth2Auth {
    /// The client id secret.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        rename = "clientIDSecret"
    )]
    #[schemars(extend("x-kubernetes-map-type" = "atomic"))]
    pub client_id_secret: Option<SecretKeySelector>,
    /// The client secret secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-map-type" = "atomic"))]
    pub client_secret_secret: Option<SecretKeySelector>,
    /// The token url secret.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        rename = "tokenURLSecret"
    )]
    #[schemars(extend("x-kubernetes-map-type" = "atomic"))]
    pub token_url_secret: Option<SecretKeySelector>,
    /// The scopes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes: Option<Vec<String>>,
    /// The endpoint params.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint_params: Option<Vec<OAuth2EndpointParam>>,
}

/// An optional field that should be sent in the OAuth request.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OAuth2EndpointParam {
    /// Name is the header name.
    pub key: String,
    /// The literal value to use for the header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// The location of an Alibaba Cloud OSS artifact.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OSSArtifact {
    /// The hostname of the bucket endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    /// The name of the bucket.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bucket: Option<String>,
    /// The secret selector to the bucket's access key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-map-type" = "atomic"))]
    pub access_key_secret: Option<SecretKeySelector>,
    /// The secret selector to the bucket's secret key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-map-type" = "atomic"))]
    pub secret_key_secret: Option<SecretKeySelector>,
    /// CreateBucketIfNotPresent tells the driver to attempt to create the OSS bucket for output artifacts, if it doesn't exist.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_bucket_if_not_present: Option<bool>,
    /// The user's temporary security token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_token: Option<String>,
    /// Specifies how to manage bucket's lifecycle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lifecycle_rule: Option<OSSLifecycleRule>,
    /// UseSDKCreds tells the driver to figure out credentials based on sdk defaults.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        rename = "useSDKCreds"
    )]
    pub use_sdk_creds: Option<bool>,
    /// The path in the bucket where the artifact resides.
    pub key: String,
}

/// Defines the controller configuration for an OSS artifact repository.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OSSArtifactRepository {
    /// The hostname of the bucket endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    /// The name of the bucket.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bucket: Option<String>,
    /// The secret selector to the bucket's access key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-map-type" = "atomic"))]
    pub access_key_secret: Option<SecretKeySelector>,
    /// The secret selector to the bucket's secret key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-map-type" = "atomic"))]
    pub secret_key_secret: Option<SecretKeySelector>,
    /// CreateBucketIfNotPresent tells the driver to attempt to create the OSS bucket for output artifacts, if it doesn't exist.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_bucket_if_not_present: Option<bool>,
    /// The user's temporary security token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_token: Option<String>,
    /// Specifies how to manage bucket's lifecycle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lifecycle_rule: Option<OSSLifecycleRule>,
    /// UseSDKCreds tells the driver to figure out credentials based on sdk defaults.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        rename = "useSDKCreds"
    )]
    pub use_sdk_creds: Option<bool>,
    /// Defines the format of how to store keys and can reference workflow variables.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_format: Option<String>,
}

/// Specifies how to manage bucket's lifecycle.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OSSLifecycleRule {
    /// The number of days before we convert the objects in the bucket to Infrequent Access (IA) storage type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mark_infrequent_access_after_days: Option<i32>,
    /// The number of days before we delete objects in the bucket.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mark_deletion_after_days: Option<i32>,
}

/// The location of a plugin artifact.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PluginArtifact {
    /// The name of the artifact driver plugin.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The plugin defined configuration for the artifact driver plugin.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configuration: Option<String>,
    /// The timeout for the artifact driver connection, overriding the driver's timeout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection_timeout_seconds: Option<i32>,
    /// The path in the artifact repository where the artifact resides.
    pub key: String,
}

/// Defines the controller configuration for a plugin artifact repository.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PluginArtifactRepository {
    /// The name.
    pub name: String,
    /// The key format.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_format: Option<String>,
    /// The configuration.
    pub configuration: String,
}

/// Allows raw string content to be placed as an artifact in a container.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RawArtifact {
    /// The string contents of the artifact.
    pub data: String,
}

/// The location of an S3 artifact.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct S3Artifact {
    /// The hostname of the bucket endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    /// The name of the bucket.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bucket: Option<String>,
    /// Contains the optional bucket region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Will connect to the service with TLS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insecure: Option<bool>,
    /// The secret selector to the bucket's access key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-map-type" = "atomic"))]
    pub access_key_secret: Option<SecretKeySelector>,
    /// The secret selector to the bucket's secret key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-map-type" = "atomic"))]
    pub secret_key_secret: Option<SecretKeySelector>,
    /// Used for ephemeral credentials like an IAM assume role or S3 access grant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-map-type" = "atomic"))]
    pub session_token_secret: Option<SecretKeySelector>,
    /// The Amazon Resource Name (ARN) of the role to assume.
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "roleARN")]
    pub role_arn: Option<String>,
    /// UseSDKCreds tells the driver to figure out credentials based on sdk defaults.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        rename = "useSDKCreds"
    )]
    pub use_sdk_creds: Option<bool>,
    /// CreateBucketIfNotPresent tells the driver to attempt to create the S3 bucket for output artifacts, if it doesn't exist.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_bucket_if_not_present: Option<CreateS3BucketOptions>,
    /// The encryption options.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption_options: Option<S3EncryptionOptions>,
    /// Specifies the secret that contains the CA, used to verify the TLS connection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-map-type" = "atomic"))]
    pub ca_secret: Option<SecretKeySelector>,
    /// Defines how buckets are addressed by the S3 client.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("enum" = ["", "path", "virtual-hosted"]))]
    pub addressing_style: Option<String>,
    /// The key in the bucket where the artifact resides.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

/// Defines the controller configuration for an S3 artifact repository.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct S3ArtifactRepository {
    /// The hostname of the bucket endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    /// The name of the bucket.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bucket: Option<String>,
    /// Contains the optional bucket region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Will connect to the service with TLS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insecure: Option<bool>,
    /// The secret selector to the bucket's access key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-map-type" = "atomic"))]
    pub access_key_secret: Option<SecretKeySelector>,
    /// The secret selector to the bucket's secret key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-map-type" = "atomic"))]
    pub secret_key_secret: Option<SecretKeySelector>,
    /// Used for ephemeral credentials like an IAM assume role or S3 access grant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-map-type" = "atomic"))]
    pub session_token_secret: Option<SecretKeySelector>,
    /// The Amazon Resource Name (ARN) of the role to assume.
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "roleARN")]
    pub role_arn: Option<String>,
    /// UseSDKCreds tells the driver to figure out credentials based on sdk defaults.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        rename = "useSDKCreds"
    )]
    pub use_sdk_creds: Option<bool>,
    /// CreateBucketIfNotPresent tells the driver to attempt to create the S3 bucket for output artifacts, if it doesn't exist.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_bucket_if_not_present: Option<CreateS3BucketOptions>,
    /// The encryption options.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption_options: Option<S3EncryptionOptions>,
    /// Specifies the secret that contains the CA, used to verify the TLS connection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-map-type" = "atomic"))]
    pub ca_secret: Option<SecretKeySelector>,
    /// Defines how buckets are addressed by the S3 client.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("enum" = ["", "path", "virtual-hosted"]))]
    pub addressing_style: Option<String>,
    /// Defines the format of how to store keys and can reference workflow variables.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_format: Option<String>,
    /// Prefix used as part of the bucket key in which the controller will store artifacts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_prefix: Option<String>,
}

/// S3EncryptionOptions used to determine encryption options during s3 operations.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct S3EncryptionOptions {
    /// KMSKeyId tells the driver to encrypt the object using the specified KMS Key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
    /// A json blob that contains an encryption context.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_encryption_context: Option<String>,
    /// EnableEncryption tells the driver to encrypt objects if set to true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_encryption: Option<bool>,
    /// ServerSideCustomerKeySecret tells the driver to encrypt the output artifacts using SSE-C with the specified secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-map-type" = "atomic"))]
    pub server_side_customer_key_secret: Option<SecretKeySelector>,
}

/// Will tar and gzip the file or directory when saving.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TarStrategy {
    /// Specifies the gzip compression level to use for the artifact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compression_level: Option<i32>,
}

/// Describes how to delete artifacts from completed Workflows - this spec is used on the Workflow level.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowLevelArtifactGC {
    /// The strategy to use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("enum" = ["", "OnWorkflowCompletion", "OnWorkflowDeletion", "Never"]))]
    pub strategy: Option<String>,
    /// An optional field for specifying the Labels and Annotations that should be assigned to the Pod doing the deletion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_metadata: Option<Metadata>,
    /// An optional field for specifying the Service Account that should be assigned to the Pod doing the deletion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_account_name: Option<String>,
    /// ForceFinalizerRemoval: if set to true, the finalizer will be removed in the case that Artifact GC fails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub force_finalizer_removal: Option<bool>,
    /// Holds strategic merge patch to apply against the artgc pod spec.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_spec_patch: Option<String>,
}

/// Will unzip zipped input artifacts.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ZipStrategy {}
