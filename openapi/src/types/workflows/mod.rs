//! Argo Workflows: `Workflow`, `WorkflowTemplate`, `ClusterWorkflowTemplate`, `CronWorkflow`,
//! `WorkflowTaskSet`, `WorkflowTaskResult`, `WorkflowArtifactGCTask` and `WorkflowEventBinding`,
//! field-for-field with upstream's `pkg/apis/workflow/v1alpha1` JSON.
//!
//! Upstream shapes kept on purpose:
//! - `Template.steps` is a list of lists (`[[step, step], [step]]`): upstream's `ParallelSteps`
//!   has no key of its own in JSON;
//! - `withItems` entries (`Item`), `Template.plugin` and `ExecutorPlugin` configuration are open
//!   JSON (`serde_json::Value`), kept as they came;
//! - `WorkflowStep.inline` and `DAGTask.inline` are a whole `Template` (`Box<Template>`): the one
//!   recursion in this API;
//! - parameter values (`AnyString`) accept a string, number or boolean and are written back as a
//!   string, as upstream does;
//! - histogram buckets (`Amount`) are JSON numbers.

use k8s_openapi::api::core::v1::{PersistentVolumeClaimSpec, PersistentVolumeClaimStatus};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize};

mod artifacts;
mod cron;
mod event_binding;
mod kinds;
mod spec;
mod status;
mod tasks;
mod templates;

pub use artifacts::*;
pub use cron::*;
pub use event_binding::*;
pub use kinds::*;
pub use spec::*;
pub use status::*;
pub use tasks::*;
pub use templates::*;

/// A string that upstream also accepts as a JSON number or boolean (turned into its decimal or
/// `true`/`false` text); it is always written back as a string.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, JsonSchema)]
#[serde(transparent)]
pub struct AnyString(pub String);

// A derived Deserialize would reject `value: 3`, which upstream (and every real manifest) accepts.
impl<'de> Deserialize<'de> for AnyString {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = AnyString;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string, number or boolean")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<AnyString, E> {
                Ok(AnyString(v.to_owned()))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<AnyString, E> {
                Ok(AnyString(v))
            }
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<AnyString, E> {
                Ok(AnyString(v.to_string()))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<AnyString, E> {
                Ok(AnyString(v.to_string()))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<AnyString, E> {
                Ok(AnyString(v.to_string()))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<AnyString, E> {
                // Rust's shortest round-trip formatting matches Go's `FormatFloat(v, 'f', -1, 64)`.
                Ok(AnyString(v.to_string()))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

impl From<&str> for AnyString {
    fn from(value: &str) -> Self {
        AnyString(value.to_owned())
    }
}

impl std::fmt::Display for AnyString {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A PersistentVolumeClaim the workflow creates for its run (`spec.volumeClaimTemplates`).
///
/// Upstream embeds a whole `PersistentVolumeClaim`; k8s-openapi's type always writes `apiVersion`
/// and `kind`, which upstream omits when empty, so this mirrors it with both optional.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct VolumeClaimTemplate {
    /// APIVersion of the claim (`v1`), usually omitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    /// Kind of the claim (`PersistentVolumeClaim`), usually omitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Metadata of the claim; its name is the volume name templates mount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<ObjectMeta>,
    /// The desired characteristics of the volume.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spec: Option<PersistentVolumeClaimSpec>,
    /// Observed status of the claim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<PersistentVolumeClaimStatus>,
}

/// A numeric amount (histogram bucket bounds), a JSON number as upstream writes it.
pub type Amount = serde_json::Number;

#[cfg(test)]
mod tests {
    use super::*;
    use serde::de::DeserializeOwned;
    use std::path::Path;

    fn round_trip<T: DeserializeOwned + Serialize>(doc: &serde_json::Value) -> serde_json::Value {
        let typed: T = serde_json::from_value(doc.clone()).expect("fixture deserializes");
        serde_json::to_value(&typed).expect("serializes")
    }

    /// JSON pointers where `a` and `b` differ, to say which field a round trip lost or added.
    fn differences(
        a: &serde_json::Value,
        b: &serde_json::Value,
        at: String,
        out: &mut Vec<String>,
    ) {
        use serde_json::Value::{Array, Object};
        match (a, b) {
            (Object(x), Object(y)) => {
                for k in x.keys().chain(y.keys().filter(|k| !x.contains_key(*k))) {
                    let (l, r) = (&x.get(k), &y.get(k));
                    match (l, r) {
                        (Some(l), Some(r)) => differences(l, r, format!("{at}/{k}"), out),
                        _ => out.push(format!("{at}/{k}")),
                    }
                }
            }
            (Array(x), Array(y)) if x.len() == y.len() => {
                for (i, (l, r)) in x.iter().zip(y).enumerate() {
                    differences(l, r, format!("{at}/{i}"), out);
                }
            }
            _ if a != b => out.push(at),
            _ => {}
        }
    }

    fn fixtures() -> Vec<(String, serde_json::Value)> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/workflows");
        let mut out = Vec::new();
        for entry in std::fs::read_dir(&dir).expect("fixture directory") {
            let path = entry.expect("entry").path();
            if path.extension().and_then(|e| e.to_str()) != Some("yaml") {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("readable");
            let doc: serde_json::Value = serde_yaml::from_str(&text).expect("valid YAML");
            out.push((path.display().to_string(), doc));
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }

    #[test]
    fn every_fixture_round_trips_without_losing_or_adding_a_field() {
        let docs = fixtures();
        let mut kinds: Vec<&str> = Vec::new();
        for (path, doc) in &docs {
            let kind = doc["kind"].as_str().expect("kind");
            let back = match kind {
                "Workflow" => round_trip::<Workflow>(doc),
                "WorkflowTemplate" => round_trip::<WorkflowTemplate>(doc),
                "ClusterWorkflowTemplate" => round_trip::<ClusterWorkflowTemplate>(doc),
                "CronWorkflow" => round_trip::<CronWorkflow>(doc),
                "WorkflowTaskSet" => round_trip::<WorkflowTaskSet>(doc),
                "WorkflowTaskResult" => round_trip::<WorkflowTaskResult>(doc),
                "WorkflowArtifactGCTask" => round_trip::<WorkflowArtifactGCTask>(doc),
                "WorkflowEventBinding" => round_trip::<WorkflowEventBinding>(doc),
                other => panic!("{path}: unexpected kind {other}"),
            };
            let mut changed = Vec::new();
            differences(doc, &back, String::new(), &mut changed);
            assert!(
                changed.is_empty(),
                "{path} changed in a round trip at {changed:?}"
            );
            kinds.push(kind);
        }
        for kind in [
            "Workflow",
            "WorkflowTemplate",
            "ClusterWorkflowTemplate",
            "CronWorkflow",
            "WorkflowTaskSet",
            "WorkflowTaskResult",
            "WorkflowArtifactGCTask",
            "WorkflowEventBinding",
        ] {
            assert!(kinds.contains(&kind), "no fixture for {kind}");
        }
    }

    #[test]
    fn steps_are_a_list_of_parallel_groups() {
        let tmpl: Template = serde_json::from_value(serde_json::json!({
            "name": "main",
            "steps": [[{"name": "a", "template": "t"}, {"name": "b", "template": "t"}], [{"name": "c", "template": "t"}]]
        }))
        .expect("steps deserialize");
        let steps = tmpl.steps.as_ref().expect("steps");
        assert_eq!(steps.len(), 2);
        assert_eq!(steps[0].len(), 2);
        assert_eq!(steps[1][0].name.as_deref(), Some("c"));
        // A flat list of steps is not upstream's shape.
        let flat = serde_json::from_value::<Template>(serde_json::json!({
            "steps": [{"name": "a", "template": "t"}]
        }));
        assert!(flat.is_err());
    }

    #[test]
    fn parameter_values_accept_numbers_and_booleans_and_write_strings() {
        let p: Parameter = serde_json::from_value(serde_json::json!({
            "name": "replicas", "value": 3, "default": true, "enum": [1.5, "x", false]
        }))
        .expect("parameter deserializes");
        assert_eq!(p.value, Some(AnyString::from("3")));
        assert_eq!(p.default, Some(AnyString::from("true")));
        assert_eq!(
            serde_json::to_value(&p).expect("serializes"),
            serde_json::json!({"name": "replicas", "value": "3", "default": "true", "enum": ["1.5", "x", "false"]})
        );
        assert!(
            serde_json::from_value::<Parameter>(
                serde_json::json!({"name": "p", "value": {"a": 1}})
            )
            .is_err()
        );
    }

    #[test]
    fn with_items_and_plugin_keep_open_json() {
        let step: WorkflowStep = serde_json::from_value(serde_json::json!({
            "name": "fan-out",
            "template": "t",
            "withItems": [1, "two", {"os": "linux", "arch": ["amd64"]}, true]
        }))
        .expect("step deserializes");
        let items = step.with_items.as_ref().expect("items");
        assert_eq!(items[2]["arch"][0], "amd64");
        let tmpl: Template = serde_json::from_value(serde_json::json!({
            "name": "p", "plugin": {"slack": {"text": "hi", "nested": {"n": 1}}}
        }))
        .expect("plugin template deserializes");
        assert_eq!(
            tmpl.plugin.as_ref().expect("plugin")["slack"]["nested"]["n"],
            1
        );
    }

    #[test]
    fn task_result_has_no_spec() {
        let r: WorkflowTaskResult = serde_json::from_value(serde_json::json!({
            "apiVersion": "argoproj.io/v1alpha1",
            "kind": "WorkflowTaskResult",
            "metadata": {"name": "wf-123"},
            "phase": "Succeeded",
            "progress": "1/1"
        }))
        .expect("task result deserializes");
        let back = serde_json::to_value(&r).expect("serializes");
        assert!(back.get("spec").is_none());
        assert_eq!(back["phase"], "Succeeded");
    }
}
