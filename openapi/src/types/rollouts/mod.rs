//! Argo Rollouts kinds: Rollout, AnalysisTemplate, ClusterAnalysisTemplate, AnalysisRun and
//! Experiment, field-for-field with upstream `pkg/apis/rollouts/v1alpha1` and its CRDs.
//!
//! Names upstream shares with other Argo projects, or too generic to stay unique in one OpenAPI
//! document, carry a `Rollout`/`Analysis`/`Experiment`/`Kayenta`/`Datadog` prefix; their JSON is
//! unchanged. Open objects upstream keeps as raw JSON (traffic router and metric plugin
//! configurations, step plugin config and status, web metric `jsonBody`) are `serde_json::Value`.
//! Nothing here is recursive.

mod analysis;
mod experiment;
mod rollout;

pub use analysis::*;
pub use experiment::*;
pub use rollout::*;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A Deployment-like workload updated by a blue-green or canary strategy.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Rollout {
    /// APIVersion of this representation of the object: argoproj.io/v1alpha1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    /// Kind of the object: Rollout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Standard object metadata.
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// The desired state of the Rollout.
    pub spec: RolloutSpec,
    /// The observed state of the Rollout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<RolloutStatus>,
}

/// A namespaced template of metrics for canary analysis.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AnalysisTemplate {
    /// APIVersion of this representation of the object: argoproj.io/v1alpha1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    /// Kind of the object: AnalysisTemplate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Standard object metadata.
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// The metrics, arguments and options of the template.
    pub spec: AnalysisTemplateSpec,
}

/// A cluster-scoped template of metrics for canary analysis.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ClusterAnalysisTemplate {
    /// APIVersion of this representation of the object: argoproj.io/v1alpha1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    /// Kind of the object: ClusterAnalysisTemplate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Standard object metadata.
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// The metrics, arguments and options of the template.
    pub spec: AnalysisTemplateSpec,
}

/// One run of an analysis: metrics measured until they succeed, fail or are terminated.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AnalysisRun {
    /// APIVersion of this representation of the object: argoproj.io/v1alpha1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    /// Kind of the object: AnalysisRun.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Standard object metadata.
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// The metrics and arguments of the run.
    pub spec: AnalysisRunSpec,
    /// The results of the run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<AnalysisRunStatus>,
}

/// ReplicaSets run side by side for a time, with analyses comparing them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Experiment {
    /// APIVersion of this representation of the object: argoproj.io/v1alpha1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    /// Kind of the object: Experiment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Standard object metadata.
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// The templates, analyses and duration of the experiment.
    pub spec: ExperimentSpec,
    /// The observed state of the experiment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<ExperimentStatus>,
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use serde::Serialize;
    use serde::de::DeserializeOwned;
    use serde_json::{Value, json};

    use super::*;

    fn fixture_dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rollouts")
    }

    fn fixture_files() -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(fixture_dir())
            .expect("fixture directory")
            .map(|entry| entry.expect("directory entry").path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "yaml"))
            .collect();
        files.sort();
        files
    }

    fn load(path: &Path) -> Value {
        let text = std::fs::read_to_string(path).expect("read fixture");
        let yaml: serde_yaml::Value = serde_yaml::from_str(&text).expect("parse YAML");
        serde_json::to_value(yaml).expect("YAML as JSON")
    }

    /// Deserializes into `T`, serializes back, and returns the result.
    fn round_trip<T: Serialize + DeserializeOwned>(value: &Value) -> Value {
        let typed: T = serde_json::from_value(value.clone()).expect("deserialize");
        serde_json::to_value(&typed).expect("serialize")
    }

    fn round_trip_kind(value: &Value) -> Value {
        match value["kind"].as_str().expect("kind") {
            "Rollout" => round_trip::<Rollout>(value),
            "AnalysisTemplate" => round_trip::<AnalysisTemplate>(value),
            "ClusterAnalysisTemplate" => round_trip::<ClusterAnalysisTemplate>(value),
            "AnalysisRun" => round_trip::<AnalysisRun>(value),
            "Experiment" => round_trip::<Experiment>(value),
            other => panic!("unexpected kind {other}"),
        }
    }

    fn schema_of(kind: &str) -> Value {
        let schema = match kind {
            "Rollout" => schemars::schema_for!(Rollout),
            "AnalysisTemplate" => schemars::schema_for!(AnalysisTemplate),
            "ClusterAnalysisTemplate" => schemars::schema_for!(ClusterAnalysisTemplate),
            "AnalysisRun" => schemars::schema_for!(AnalysisRun),
            "Experiment" => schemars::schema_for!(Experiment),
            other => panic!("unexpected kind {other}"),
        };
        serde_json::to_value(schema).expect("schema as JSON")
    }

    /// Errors of the served (structural) schema, as kube-style `field: message` strings.
    fn schema_errors(kind: &str, instance: &Value) -> Vec<String> {
        let validator = crate::validation::validator(kind).expect("validator");
        let mut errors: Vec<String> = validator
            .validate(instance)
            .iter()
            .map(ToString::to_string)
            .collect();
        errors.extend(
            validator
                .unknown_fields(instance)
                .into_iter()
                .map(|f| format!("{f}: unknown field")),
        );
        errors
    }

    #[test]
    fn every_fixture_round_trips_without_losing_or_adding_a_field() {
        let files = fixture_files();
        assert!(!files.is_empty(), "no fixtures found");
        for path in files {
            let original = load(&path);
            let back = round_trip_kind(&original);
            assert_eq!(back, original, "{} changed in a round trip", path.display());
        }
    }

    #[test]
    fn fixtures_cover_every_kind() {
        let kinds: std::collections::BTreeSet<String> = fixture_files()
            .iter()
            .map(|p| load(p)["kind"].as_str().expect("kind").to_owned())
            .collect();
        for kind in [
            "Rollout",
            "AnalysisTemplate",
            "ClusterAnalysisTemplate",
            "AnalysisRun",
            "Experiment",
        ] {
            assert!(kinds.contains(kind), "no fixture of kind {kind}");
        }
    }

    #[test]
    fn every_fixture_passes_its_generated_schema() {
        for path in fixture_files() {
            let value = load(&path);
            let kind = value["kind"].as_str().expect("kind").to_owned();
            let errors = schema_errors(&kind, &value);
            assert!(errors.is_empty(), "{}: {errors:#?}", path.display());
        }
    }

    #[test]
    fn status_names_that_are_not_camel_case_keep_upstream_spelling() {
        let status = RolloutStatus {
            hpa_replicas: Some(3),
            stable_rs: Some("6f8d9c7b5".into()),
            ..Default::default()
        };
        assert_eq!(
            serde_json::to_value(&status).expect("serialize"),
            json!({"HPAReplicas": 3, "stableRS": "6f8d9c7b5"})
        );
    }

    #[test]
    fn absent_empty_and_false_survive_a_round_trip() {
        // promote clears pauseConditions with null (absent); the controller relies on
        // controllerPause=true with no conditions meaning "resumed".
        for status in [
            json!({"controllerPause": true}),
            json!({"controllerPause": true, "pauseConditions": []}),
            json!({"controllerPause": false, "abort": false}),
        ] {
            let back = round_trip::<RolloutStatus>(&status);
            assert_eq!(back, status);
        }
    }

    #[test]
    fn pause_duration_keeps_integer_and_string_forms() {
        for step in [
            json!({"pause": {"duration": 30}}),
            json!({"pause": {"duration": "30"}}),
            json!({"pause": {"duration": "1h"}}),
            json!({"pause": {}}),
        ] {
            assert_eq!(round_trip::<CanaryStep>(&step), step);
        }
    }

    #[test]
    fn open_plugin_objects_are_kept_as_they_came() {
        let routing = json!({
            "plugins": {"argoproj-labs/gatewayAPI": {"httpRoute": "web", "namespace": "shop", "weights": [1, 2]}}
        });
        assert_eq!(round_trip::<RolloutTrafficRouting>(&routing), routing);
        let provider = json!({"plugin": {"argoproj-labs/sample": {"address": "http://m:9090", "nested": {"a": null}}}});
        assert_eq!(round_trip::<MetricProvider>(&provider), provider);
    }

    #[test]
    fn unknown_datadog_api_version_deserializes_but_fails_the_schema() {
        let mut template = load(&fixture_dir().join("analysistemplate-prometheus.yaml"));
        template["spec"]["metrics"] = json!([{
            "name": "errors",
            "provider": {"datadog": {"apiVersion": "v3", "query": "sum:errors{*}"}}
        }]);
        let typed: AnalysisTemplate =
            serde_json::from_value(template.clone()).expect("deserialize");
        let metrics = typed.spec.metrics.expect("metrics");
        let datadog = metrics[0].provider.datadog.as_ref().expect("datadog");
        assert_eq!(datadog.api_version.as_deref(), Some("v3"));
        let errors = schema_errors("AnalysisTemplate", &template);
        assert!(
            errors
                .iter()
                .any(|e| e.starts_with("spec.metrics[0].provider.datadog.apiVersion:")),
            "expected an error at apiVersion: {errors:#?}"
        );
    }

    #[test]
    fn open_objects_keep_any_content_but_must_be_objects() {
        let mut rollout = load(&fixture_dir().join("rollout-workloadref.yaml"));
        rollout["spec"]["strategy"]["canary"]["steps"][1]["plugin"]["config"] = json!("notify");
        let errors = schema_errors("Rollout", &rollout);
        assert!(
            errors
                .iter()
                .any(|e| e.starts_with("spec.strategy.canary.steps[1].plugin.config:")),
            "expected an error at the plugin config: {errors:#?}"
        );
    }

    #[test]
    fn required_anti_affinity_is_a_closed_object() {
        let mut rollout = load(&fixture_dir().join("rollout-bluegreen.yaml"));
        rollout["spec"]["strategy"]["blueGreen"]["antiAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"] =
            json!({"topologyKey": "zone"});
        let errors = schema_errors("Rollout", &rollout);
        assert!(
            errors.iter().any(|e| e.contains("topologyKey")),
            "expected topologyKey to be unknown: {errors:#?}"
        );
    }

    #[test]
    fn required_fields_are_required() {
        let missing_active_service = json!({"blueGreen": {"previewService": "p"}});
        assert!(serde_json::from_value::<RolloutStrategy>(missing_active_service).is_err());
        let missing_metrics = json!({"spec": {"args": []}});
        assert!(serde_json::from_value::<AnalysisRun>(missing_metrics).is_err());
        let missing_templates = json!({"spec": {"duration": "1m"}});
        assert!(serde_json::from_value::<Experiment>(missing_templates).is_err());
    }

    #[test]
    fn schema_carries_kubernetes_extensions() {
        let schema = schema_of("Rollout");
        let text = schema.to_string();
        for needle in [
            r#""x-kubernetes-int-or-string":true"#,
            r#""x-kubernetes-list-map-keys":["metricName"]"#,
            r#""message":".spec.selector is immutable""#,
        ] {
            assert!(text.contains(needle), "Rollout schema lacks {needle}");
        }
        let defs = &schema["$defs"];
        assert_eq!(
            defs["RolloutSpec"]["properties"]["selector"]["x-kubernetes-validations"][0]["rule"],
            "self == oldSelf"
        );
        assert_eq!(
            defs["RolloutExperimentStep"]["properties"]["templates"]["x-kubernetes-list-type"],
            "map"
        );
        assert_eq!(
            defs["RolloutSpec"]["properties"]["selector"]["x-kubernetes-map-type"],
            "atomic"
        );
        assert_eq!(
            defs["RolloutStatus"]["properties"]["HPAReplicas"]["format"],
            "int32"
        );
    }
}
