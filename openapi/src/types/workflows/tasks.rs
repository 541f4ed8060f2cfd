//! WorkflowTaskSet, WorkflowTaskResult and WorkflowArtifactGCTask payloads.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Artifact, ArtifactLocation, Outputs, Template};

/// Specifies the Artifacts that need to be deleted.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ArtifactGCSpec {
    /// ArtifactsByNode maps Node name to information pertaining to Artifacts on that Node.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifacts_by_node: Option<BTreeMap<String, ArtifactNodeSpec>>,
}

/// Describes the result of the deletion.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ArtifactGCStatus {
    /// ArtifactResultsByNode maps Node name to result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact_results_by_node: Option<BTreeMap<String, ArtifactResultNodeStatus>>,
}

/// Specifies the Artifacts that need to be deleted for a given Node.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ArtifactNodeSpec {
    /// The template-level Artifact location specification.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archive_location: Option<ArtifactLocation>,
    /// Artifacts maps artifact name to Artifact description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifacts: Option<BTreeMap<String, Artifact>>,
}

/// Describes the result of attempting to delete a given Artifact.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ArtifactResult {
    /// The name of the Artifact.
    pub name: String,
    /// Describes whether the deletion succeeded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub success: Option<bool>,
    /// An optional error message which should be set if Success==false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Describes the result of the deletion on a given node.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ArtifactResultNodeStatus {
    /// ArtifactResults maps Artifact name to result of the deletion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact_results: Option<BTreeMap<String, ArtifactResult>>,
}

/// NodeResult.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NodeResult {
    /// Phase of the node.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<String>,
    /// Human-readable message about the result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Output parameters and artifacts of the node.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outputs: Option<Outputs>,
    /// Progress of the node, as `N/M`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progress: Option<String>,
}

/// WorkflowTaskSetSpec.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowTaskSetSpec {
    /// The tasks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tasks: Option<BTreeMap<String, Template>>,
}

/// WorkflowTaskSetStatus.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowTaskSetStatus {
    /// The nodes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nodes: Option<BTreeMap<String, NodeResult>>,
}
