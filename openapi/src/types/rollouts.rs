use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

macro_rules! placeholder_kind {
    ($($kind:ident),*) => {$(
        /// Placeholder until the typed definition lands.
        #[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
        #[serde(rename_all = "camelCase")]
        pub struct $kind {
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub api_version: Option<String>,
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub kind: Option<String>,
            #[serde(default)]
            pub metadata: ObjectMeta,
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub spec: Option<serde_json::Value>,
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub status: Option<serde_json::Value>,
        }
    )*};
}
placeholder_kind!(
    Rollout,
    AnalysisTemplate,
    ClusterAnalysisTemplate,
    AnalysisRun,
    Experiment
);
