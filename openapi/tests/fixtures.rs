//! Every realistic manifest under `tests/fixtures/` survives the typed layer unchanged (no field
//! lost or added) and passes its kind's schema with no unknown field; broken ones are refused
//! with the field path and message kube would give.

use std::path::{Path, PathBuf};

use argo_openapi::catalog::by_kind;
use argo_openapi::validation::{FieldErrorType, validator};
use serde_json::{Value, json};

fn fixture_files() -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut dirs = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("fixtures dir").flatten() {
            let p = entry.path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn load(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).expect("read fixture");
    let yaml: serde_yaml::Value =
        serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{}: not YAML: {e}", path.display()));
    serde_json::to_value(yaml).unwrap_or_else(|e| panic!("{}: not JSON-able: {e}", path.display()))
}

/// The first difference between two JSON values, as a path, for readable failures.
fn first_difference(a: &Value, b: &Value, path: &str) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for k in x.keys().chain(y.keys()) {
                match (x.get(k), y.get(k)) {
                    (Some(l), Some(r)) => {
                        if let Some(d) = first_difference(l, r, &format!("{path}.{k}")) {
                            return Some(d);
                        }
                    }
                    (Some(_), None) => return Some(format!("{path}.{k} lost")),
                    (None, Some(_)) => return Some(format!("{path}.{k} added")),
                    (None, None) => {}
                }
            }
            None
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (l, r))| first_difference(l, r, &format!("{path}[{i}]"))),
        _ if a == b => None,
        _ => Some(format!("{path}: {a} became {b}")),
    }
}

#[test]
fn fixtures_round_trip_and_pass_their_schema() {
    let files = fixture_files();
    let mut kinds_seen = std::collections::BTreeSet::new();
    let mut failures = Vec::new();
    for path in &files {
        let name = path.display().to_string();
        let object = load(path);
        let kind = object["kind"].as_str().unwrap_or_default().to_string();
        assert_eq!(object["apiVersion"], "argoproj.io/v1alpha1", "{name}");
        let def = by_kind(&kind).unwrap_or_else(|| panic!("{name}: unknown kind {kind}"));
        kinds_seen.insert(kind.clone());

        match def.typed_round_trip(object.clone()) {
            Ok(back) => {
                if let Some(d) = first_difference(&object, &back, "") {
                    failures.push(format!("{name}: round trip changed the object: {d}"));
                }
            }
            Err(e) => failures.push(format!("{name}: does not decode as {kind}: {e}")),
        }
        let v = validator(&kind).expect("validator");
        for e in v.validate(&object) {
            failures.push(format!("{name}: schema: {e}"));
        }
        for f in v.unknown_fields(&object) {
            failures.push(format!("{name}: unknown field {f}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Every kind has at least one realistic manifest.
    for def in argo_openapi::CATALOG {
        assert!(
            kinds_seen.contains(def.kind),
            "no fixture for kind {}",
            def.kind
        );
    }
}

fn application() -> Value {
    json!({
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {"name": "guestbook", "namespace": "argocd"},
        "spec": {
            "project": "default",
            "source": {"repoURL": "https://github.com/argoproj/argocd-example-apps", "path": "guestbook", "targetRevision": "HEAD"},
            "destination": {"server": "https://kubernetes.default.svc", "namespace": "guestbook"}
        }
    })
}

#[test]
fn a_valid_application_passes() {
    let v = validator("Application").expect("validator");
    assert_eq!(v.validate(&application()), vec![]);
}

#[test]
fn wrong_type_names_the_field() {
    let v = validator("Application").expect("validator");
    let mut app = application();
    app["spec"]["destination"]["server"] = json!(42);
    let errors = v.validate(&app);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].field, "spec.destination.server");
    assert_eq!(errors[0].error_type, FieldErrorType::TypeInvalid);
    assert_eq!(
        errors[0].to_string(),
        "spec.destination.server: Invalid value: \"integer\": spec.destination.server in body must be of type string: \"integer\""
    );
}

#[test]
fn missing_required_field_is_required_value() {
    let v = validator("Application").expect("validator");
    let mut app = application();
    app["spec"]
        .as_object_mut()
        .expect("spec")
        .remove("destination");
    let errors = v.validate(&app);
    assert!(
        errors
            .iter()
            .any(|e| e.field == "spec.destination" && e.error_type == FieldErrorType::Required),
        "{errors:?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.to_string() == "spec.destination: Required value")
    );
}

#[test]
fn errors_inside_lists_carry_the_index() {
    let v = validator("Application").expect("validator");
    let mut app = application();
    app["spec"].as_object_mut().expect("spec").remove("source");
    app["spec"]["sources"] = json!([
        {"repoURL": "https://a.example/repo.git", "path": "a"},
        {"repoURL": ["not", "a", "string"], "path": "b"}
    ]);
    let errors = v.validate(&app);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].field, "spec.sources[1].repoURL");
}

#[test]
fn int_or_string_accepts_both_and_refuses_others() {
    let v = validator("Rollout").expect("validator");
    let rollout = |max_surge: Value| {
        json!({
            "apiVersion": "argoproj.io/v1alpha1",
            "kind": "Rollout",
            "metadata": {"name": "r", "namespace": "default"},
            "spec": {"strategy": {"canary": {"maxSurge": max_surge}}}
        })
    };
    assert_eq!(v.validate(&rollout(json!(1))), vec![]);
    assert_eq!(v.validate(&rollout(json!("25%"))), vec![]);
    let errors = v.validate(&rollout(json!(true)));
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].field, "spec.strategy.canary.maxSurge");
}

#[test]
fn unknown_fields_are_reported_and_pruned() {
    let v = validator("Application").expect("validator");
    let mut app = application();
    app["spec"]["destination"]["clusterName"] = json!("x");
    app["spec"]["bogus"] = json!({"a": 1});
    app["spec"]["source"]["helm"] = json!({"valuesObject": {"anything": {"goes": [1, 2]}}});
    let unknown = v.unknown_fields(&app);
    assert_eq!(unknown, vec!["spec.bogus", "spec.destination.clusterName"]);
    v.prune(&mut app);
    assert!(app["spec"].get("bogus").is_none());
    assert!(app["spec"]["destination"].get("clusterName").is_none());
    // Open objects are kept as they came.
    assert_eq!(
        app["spec"]["source"]["helm"]["valuesObject"]["anything"]["goes"],
        json!([1, 2])
    );
    assert!(v.unknown_fields(&app).is_empty());
}

#[test]
fn absent_and_empty_whitelists_stay_distinct() {
    let def = by_kind("AppProject").expect("AppProject");
    let project = |spec: Value| {
        json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "AppProject",
               "metadata": {"name": "p", "namespace": "argocd"}, "spec": spec})
    };
    let empty = def
        .typed_round_trip(project(json!({"namespaceResourceWhitelist": []})))
        .expect("decodes");
    assert_eq!(empty["spec"]["namespaceResourceWhitelist"], json!([]));
    let absent = def.typed_round_trip(project(json!({}))).expect("decodes");
    assert!(absent["spec"].get("namespaceResourceWhitelist").is_none());
}

#[test]
fn bad_enum_value_is_unsupported_value_listing_the_choices() {
    let v = validator("CronWorkflow").expect("validator");
    let cron = |policy: &str| {
        json!({
            "apiVersion": "argoproj.io/v1alpha1",
            "kind": "CronWorkflow",
            "metadata": {"name": "nightly", "namespace": "argo"},
            "spec": {
                "schedules": ["0 2 * * *"],
                "concurrencyPolicy": policy,
                "workflowSpec": {"entrypoint": "main", "templates": [{"name": "main", "container": {"image": "alpine:3.20"}}]}
            }
        })
    };
    assert_eq!(v.validate(&cron("Forbid")), vec![]);
    let errors = v.validate(&cron("Sometimes"));
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].field, "spec.concurrencyPolicy");
    assert_eq!(errors[0].error_type, FieldErrorType::NotSupported);
    assert_eq!(
        errors[0].to_string(),
        "spec.concurrencyPolicy: Unsupported value: \"Sometimes\": supported values: \"Allow\", \"Forbid\", \"Replace\""
    );
}
