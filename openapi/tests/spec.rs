//! The committed documents under `openapi/spec/` are exactly what the code generates, parse as
//! what they claim to be, and cover every kind, verb and subresource of the catalog.

use std::path::{Path, PathBuf};
use std::process::Command;

use argo_openapi::CATALOG;
use argo_openapi::document::{openapi_v2, openapi_v3, spec_files};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;

fn spec_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("spec")
}

#[test]
fn committed_documents_match_the_code() {
    let mut stale = Vec::new();
    for (rel, generated) in spec_files() {
        let committed = std::fs::read_to_string(spec_dir().join(&rel)).unwrap_or_default();
        if committed != generated {
            stale.push(rel);
        }
    }
    assert!(
        stale.is_empty(),
        "openapi/spec is out of date for {stale:?}; regenerate with `cargo run -p argo-openapi --bin argo-openapi-gen`"
    );
}

#[test]
fn crds_parse_as_custom_resource_definitions() {
    for def in CATALOG {
        let path = spec_dir().join(format!("crds/{}.argoproj.io.json", def.plural));
        let text = std::fs::read_to_string(&path).expect("CRD file");
        let crd: CustomResourceDefinition = serde_json::from_str(&text).expect("a CRD");
        assert_eq!(crd.spec.names.kind, def.kind);
        assert_eq!(crd.spec.names.plural, def.plural);
        assert_eq!(crd.spec.group, "argoproj.io");
        let v = &crd.spec.versions[0];
        assert!(
            v.schema
                .as_ref()
                .and_then(|s| s.open_api_v3_schema.as_ref())
                .is_some()
        );
        let subs = v.subresources.as_ref();
        assert_eq!(
            subs.and_then(|s| s.status.as_ref()).is_some(),
            def.status_subresource
        );
        assert_eq!(
            subs.and_then(|s| s.scale.as_ref()).is_some(),
            def.scale.is_some()
        );
        let columns: Vec<_> = v
            .additional_printer_columns
            .iter()
            .flatten()
            .map(|c| c.name.as_str())
            .collect();
        let expected: Vec<_> = def.printer_columns.iter().map(|c| c.name).collect();
        assert_eq!(columns, expected);
    }
}

#[test]
fn documents_cover_every_kind_verb_and_subresource() {
    for (doc, version) in [(openapi_v2(), 2), (openapi_v3(), 3)] {
        let paths = doc["paths"].as_object().expect("paths");
        for def in CATALOG {
            let collection = if def.namespaced() {
                format!(
                    "/apis/argoproj.io/v1alpha1/namespaces/{{namespace}}/{}",
                    def.plural
                )
            } else {
                format!("/apis/argoproj.io/v1alpha1/{}", def.plural)
            };
            let item = format!("{collection}/{{name}}");
            for (path, methods) in [
                (collection.clone(), &["get", "post", "delete"][..]),
                (item.clone(), &["get", "put", "patch", "delete"][..]),
            ] {
                for m in methods {
                    assert!(paths[&path].get(*m).is_some(), "v{version}: {m} {path}");
                }
            }
            if def.namespaced() {
                let all = format!("/apis/argoproj.io/v1alpha1/{}", def.plural);
                assert!(paths[&all].get("get").is_some(), "v{version}: {all}");
            }
            for sub in def.subresources() {
                let path = format!("{item}/{sub}");
                let entry = paths
                    .get(&path)
                    .unwrap_or_else(|| panic!("v{version}: {path}"));
                let methods: &[&str] = if def.action(sub).is_some() {
                    &["post"]
                } else {
                    &["get", "put", "patch"]
                };
                for m in methods {
                    assert!(entry.get(*m).is_some(), "v{version}: {m} {path}");
                }
            }
            let schemas = if version == 2 {
                &doc["definitions"]
            } else {
                &doc["components"]["schemas"]
            };
            for name in [def.kind.to_string(), def.list_kind()] {
                assert!(
                    schemas
                        .get(format!("io.argoproj.v1alpha1.{name}"))
                        .is_some(),
                    "v{version}: schema {name}"
                );
            }
        }
    }
}

/// The documents pass openapi-spec-validator (PyPI), which the test command installs.
#[test]
fn documents_pass_openapi_spec_validator() {
    let files = [
        ("2.0", spec_dir().join("swagger.json")),
        (
            "3.0",
            spec_dir().join("v3/apis__argoproj.io__v1alpha1_openapi.json"),
        ),
    ];
    for (schema, file) in files {
        let out = Command::new("openapi-spec-validator")
            .args(["--schema", schema])
            .arg(&file)
            .output()
            .expect("openapi-spec-validator must be installed (pip install openapi-spec-validator; .ci/run does it)");
        assert!(
            out.status.success(),
            "{} failed validation:\n{}\n{}",
            file.display(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
