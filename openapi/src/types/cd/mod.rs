//! Argo CD kinds: `Application`, `AppProject` and `ApplicationSet` (`argoproj.io/v1alpha1`),
//! field-for-field with upstream's JSON (`argoproj/argo-cd`, `pkg/apis/application/v1alpha1`;
//! `required` lists and JSON names as in `manifests/crds/*-crd.yaml`).
//!
//! Names that are generic or that another Argo project also defines upstream carry an Argo CD
//! prefix; the JSON is unchanged. Upstream `RetryStrategy` is [`AppRetryStrategy`], `Backoff` is
//! [`AppBackoff`], `Info` is [`ApplicationInfo`], `ResourceStatus` is
//! [`ApplicationResourceStatus`], `HealthStatus` is [`ApplicationHealthStatus`] (not to be
//! confused with [`AppHealthStatus`], the health of a whole Application), `metav1.GroupKind` is
//! [`AppProjectGroupKind`], and the ApplicationSet generators' `SecretRef`, `ConfigMapKeyRef` and
//! `TagFilter` are [`ApplicationSetSecretRef`], [`ApplicationSetConfigMapKeyRef`] and
//! [`ApplicationSetTagFilter`].
//!
//! Open objects upstream keeps as arbitrary JSON are `serde_json::Value`, kept as they came: Helm
//! `valuesObject`, list generator `elements`, plugin generator `input.parameters`, and the
//! `matrix`/`merge` of generators nested in a matrix or merge generator.

mod application;
mod applicationset;
mod appproject;

pub use application::*;
pub use applicationset::*;
pub use appproject::*;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// An Application: a group of Kubernetes resources defined by a source (Git, Helm, OCI) and
/// deployed to a destination cluster and namespace.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Application {
    /// APIVersion of this representation of the object (`argoproj.io/v1alpha1`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    /// Kind of the object (`Application`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Standard object metadata.
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// Desired state: sources, destination, project and sync policy.
    pub spec: ApplicationSpec,
    /// A requested or running operation (a sync). Set by the API server or the controller, next to
    /// the spec; the controller moves it into `status.operationState` when it starts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<Operation>,
    /// Observed state, written by the application controller (Application has no status
    /// subresource).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<ApplicationStatus>,
}

/// An AppProject: a logical grouping of Applications, restricting what they may deploy, from where,
/// to where, and when.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AppProject {
    /// APIVersion of this representation of the object (`argoproj.io/v1alpha1`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    /// Kind of the object (`AppProject`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Standard object metadata.
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// The project's rules.
    pub spec: AppProjectSpec,
    /// Observed state: the JWT tokens issued per role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<AppProjectStatus>,
}

/// An ApplicationSet: generates Applications from a template and a set of generators.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationSet {
    /// APIVersion of this representation of the object (`argoproj.io/v1alpha1`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    /// Kind of the object (`ApplicationSet`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Standard object metadata.
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// Generators, template and policies.
    pub spec: ApplicationSetSpec,
    /// Observed state, written by the ApplicationSet controller through the status subresource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<ApplicationSetStatus>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::de::DeserializeOwned;
    use serde_json::Value;
    use std::path::PathBuf;

    fn fixture_dir() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cd")
    }

    fn load(name: &str) -> Value {
        let text = std::fs::read_to_string(fixture_dir().join(name)).expect("read fixture");
        serde_yaml::from_str(&text).expect("fixture is YAML")
    }

    /// Deserializes into `T`, serializes back and returns the result as JSON.
    fn round_trip<T: Serialize + DeserializeOwned>(value: &Value) -> Value {
        let typed: T = serde_json::from_value(value.clone()).expect("fixture fits the type");
        serde_json::to_value(&typed).expect("serialize")
    }

    #[test]
    fn every_fixture_round_trips_without_losing_or_adding_fields() {
        let mut names: Vec<_> = std::fs::read_dir(fixture_dir())
            .expect("fixture dir")
            .map(|e| {
                e.expect("dir entry")
                    .file_name()
                    .into_string()
                    .expect("utf-8")
            })
            .filter(|n| n.ends_with(".yaml"))
            .collect();
        names.sort();
        assert!(names.len() >= 8, "fixtures missing: {names:?}");
        for name in names {
            let original = load(&name);
            let back = match original["kind"].as_str() {
                Some("Application") => round_trip::<Application>(&original),
                Some("AppProject") => round_trip::<AppProject>(&original),
                Some("ApplicationSet") => round_trip::<ApplicationSet>(&original),
                other => panic!("{name}: unexpected kind {other:?}"),
            };
            assert_eq!(back, original, "{name} changed in a round trip");
        }
    }

    #[test]
    fn empty_namespace_resource_whitelist_stays_empty_and_absent_stays_absent() {
        let project: AppProject =
            serde_json::from_value(load("appproject-empty-whitelist.yaml")).expect("AppProject");
        assert_eq!(project.spec.namespace_resource_whitelist, Some(vec![]));
        assert_eq!(project.spec.namespace_resource_blacklist, None);
        let json = serde_json::to_value(&project).expect("serialize");
        assert_eq!(
            json["spec"]["namespaceResourceWhitelist"],
            serde_json::json!([])
        );
        assert!(json["spec"].get("namespaceResourceBlacklist").is_none());

        let full: AppProject =
            serde_json::from_value(load("appproject-full.yaml")).expect("AppProject");
        let whitelist = full.spec.namespace_resource_whitelist.expect("whitelist");
        assert_eq!(
            whitelist,
            vec![AppProjectGroupKind {
                group: "*".into(),
                kind: "*".into()
            }]
        );
    }

    #[test]
    fn helm_values_object_is_kept_as_it_came() {
        let app: Application =
            serde_json::from_value(load("application-helm.yaml")).expect("Application");
        let helm = app.spec.source.and_then(|s| s.helm).expect("helm source");
        let values = helm.values_object.expect("valuesObject");
        assert_eq!(
            values["autoscaling"]["targetCPUUtilizationPercentage"],
            70.5
        );
        assert_eq!(values["featureFlags"], Value::Null);
        assert_eq!(values["tolerations"], serde_json::json!([]));
    }

    #[test]
    fn upstream_json_names_that_are_not_camel_case_are_kept() {
        let app: Application =
            serde_json::from_value(load("application-hydrator.yaml")).expect("Application");
        let json = serde_json::to_value(&app).expect("serialize");
        let dry = &json["spec"]["sourceHydrator"]["drySource"];
        assert_eq!(dry["repoURL"], "https://git.example.com/apps/guestbook.git");
        let last = &json["status"]["sourceHydrator"]["lastSuccessfulOperation"];
        assert!(last.get("drySHA").is_some() && last.get("hydratedSHA").is_some());
        let project: AppProject =
            serde_json::from_value(load("appproject-full.yaml")).expect("AppProject");
        let keys = project.spec.signature_keys.expect("signatureKeys");
        assert_eq!(keys[0].key_id, "4AEE18F83AFDEB23");
    }

    #[test]
    fn fields_the_crd_requires_are_required() {
        // spec.destination and spec.project are required by the Application CRD.
        let missing_destination = serde_json::json!({
            "apiVersion": "argoproj.io/v1alpha1",
            "kind": "Application",
            "metadata": {"name": "a"},
            "spec": {"project": "default"}
        });
        assert!(serde_json::from_value::<Application>(missing_destination).is_err());
        // An empty project string is allowed (it means the default project).
        let empty_project = serde_json::json!({
            "metadata": {"name": "a"},
            "spec": {"project": "", "destination": {}}
        });
        let app: Application = serde_json::from_value(empty_project).expect("valid");
        assert_eq!(app.spec.project, "");
        // A project role needs a name; a JWT token needs `iat`.
        let role_without_name = serde_json::json!({"spec": {"roles": [{"policies": []}]}});
        assert!(serde_json::from_value::<AppProject>(role_without_name).is_err());
        // ApplicationSet generators and template are required.
        let no_template = serde_json::json!({"spec": {"generators": []}});
        assert!(serde_json::from_value::<ApplicationSet>(no_template).is_err());
    }

    #[test]
    fn nested_matrix_and_merge_generators_are_open_json() {
        let set: ApplicationSet =
            serde_json::from_value(load("applicationset-matrix.yaml")).expect("ApplicationSet");
        let outer = set.spec.generators[1].matrix.as_ref().expect("matrix");
        let nested = outer.generators[1].matrix.as_ref().expect("nested matrix");
        assert_eq!(
            nested["generators"][1]["list"]["elementsYaml"],
            "{{ .cluster.metadata.annotations.addons | toYaml }}"
        );
        assert_eq!(
            outer.generators[2].merge.as_ref().expect("merge")["mergeKeys"][0],
            "server"
        );
    }

    #[test]
    fn schema_marks_enums_and_open_objects() {
        let schema = serde_json::to_value(schemars::schema_for!(ApplicationSet)).expect("schema");
        let defs = &schema["$defs"];
        assert_eq!(
            defs["ApplicationSetSyncPolicy"]["properties"]["applicationsSync"]["enum"],
            serde_json::json!(["create-only", "create-update", "create-delete", "sync"])
        );
        let schema = serde_json::to_value(schemars::schema_for!(Application)).expect("schema");
        let defs = &schema["$defs"];
        assert_eq!(
            defs["HydrateOperation"]["properties"]["phase"]["enum"],
            serde_json::json!(["Hydrating", "Failed", "Hydrated"])
        );
        // Open objects carry no type constraint at all (only their description).
        let values_object = &defs["ApplicationSourceHelm"]["properties"]["valuesObject"];
        let keys: Vec<_> = values_object.as_object().expect("object").keys().collect();
        assert_eq!(keys, ["description"]);
    }
}
