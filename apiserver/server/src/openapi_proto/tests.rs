use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use prost::Message;
use serde_json::{Value, json};

use super::messages::*;
use super::*;
use crate::http::{Body, JSON, Request, StatusCode, header, respond};

type HttpResponse = crate::http::Response<Body>;

const APPLICATION: &str = "io.argoproj.v1alpha1.Application";
const APPLICATION_ITEM_PATH: &str =
    "/apis/argoproj.io/v1alpha1/namespaces/{namespace}/applications/{name}";

fn decode(doc: &Value) -> Document {
    let bytes = v2_protobuf(doc).expect("the document converts");
    Document::decode(bytes).expect("our own bytes decode")
}

/// The value an `Any` carries, read back the way kube-openapi does (as YAML).
fn any_value(any: &Any) -> Value {
    serde_yaml::from_str(&any.yaml).expect("Any.yaml is YAML")
}

fn extension_value(extensions: &[NamedAny], name: &str) -> Option<Value> {
    extensions
        .iter()
        .find(|e| e.name == name)
        .and_then(|e| e.value.as_ref())
        .map(any_value)
}

fn definition<'d>(d: &'d Document, name: &str) -> &'d Schema {
    d.definitions
        .as_ref()
        .and_then(|defs| defs.additional_properties.iter().find(|n| n.name == name))
        .and_then(|n| n.value.as_ref())
        .unwrap_or_else(|| panic!("definition {name} is in the protobuf document"))
}

fn property_names(s: &Schema) -> Vec<&str> {
    let mut names: Vec<&str> = s
        .properties
        .iter()
        .flat_map(|p| &p.additional_properties)
        .map(|n| n.name.as_str())
        .collect();
    names.sort_unstable();
    names
}

#[test]
fn published_document_decodes_back_with_its_paths_operations_and_definitions() {
    let doc = argo_openapi::document::openapi_v2();
    let d = decode(&doc);

    assert_eq!(d.swagger, "2.0");
    assert_eq!(
        d.info.as_ref().map(|i| i.title.as_str()),
        doc["info"]["title"].as_str()
    );

    let paths = d.paths.as_ref().expect("paths");
    let json_paths = doc["paths"].as_object().expect("JSON paths");
    assert_eq!(paths.path.len(), json_paths.len());

    let item = paths
        .path
        .iter()
        .find(|p| p.name == APPLICATION_ITEM_PATH)
        .and_then(|p| p.value.as_ref())
        .expect("the Application item path");
    let json_get = &doc["paths"][APPLICATION_ITEM_PATH]["get"];
    let get = item.get.as_ref().expect("get");
    assert_eq!(
        Some(get.operation_id.as_str()),
        json_get["operationId"].as_str()
    );
    assert_eq!(
        get.operation_id,
        "readArgoprojIoV1alpha1NamespacedApplication"
    );
    assert_eq!(
        extension_value(&get.vendor_extension, "x-kubernetes-group-version-kind"),
        Some(json!({"group": "argoproj.io", "version": "v1alpha1", "kind": "Application"}))
    );
    assert_eq!(
        extension_value(&get.vendor_extension, "x-kubernetes-action"),
        Some(json!("get"))
    );
    // The path-level `{name}`/`{namespace}` parameters are path parameters.
    let path_params: Vec<&str> = item
        .parameters
        .iter()
        .filter_map(|p| match &p.oneof {
            Some(parameters_item::Oneof::Parameter(Parameter {
                oneof:
                    Some(parameter::Oneof::NonBodyParameter(NonBodyParameter {
                        oneof: Some(non_body_parameter::Oneof::PathParameterSubSchema(p)),
                    })),
            })) => Some(p.name.as_str()),
            _ => None,
        })
        .collect();
    assert!(
        path_params.contains(&"name") && path_params.contains(&"namespace"),
        "{path_params:?}"
    );

    // A PATCH keeps its inline query parameters: kubectl's fieldValidation detection reads them.
    let patch = item.patch.as_ref().expect("patch");
    let query: Vec<&str> = patch
        .parameters
        .iter()
        .filter_map(|p| match &p.oneof {
            Some(parameters_item::Oneof::Parameter(Parameter {
                oneof:
                    Some(parameter::Oneof::NonBodyParameter(NonBodyParameter {
                        oneof: Some(non_body_parameter::Oneof::QueryParameterSubSchema(q)),
                    })),
            })) => Some(q.name.as_str()),
            _ => None,
        })
        .collect();
    assert!(query.contains(&"fieldValidation"), "{query:?}");

    let application = definition(&d, APPLICATION);
    let mut json_props: Vec<&str> = doc["definitions"][APPLICATION]["properties"]
        .as_object()
        .expect("JSON properties")
        .keys()
        .map(String::as_str)
        .collect();
    json_props.sort_unstable();
    assert_eq!(property_names(application), json_props);
    assert!(json_props.contains(&"operation"));
    assert_eq!(
        extension_value(
            &application.vendor_extension,
            "x-kubernetes-group-version-kind"
        ),
        Some(json!([{"group": "argoproj.io", "version": "v1alpha1", "kind": "Application"}]))
    );
    let spec = application
        .properties
        .iter()
        .flat_map(|p| &p.additional_properties)
        .find(|n| n.name == "spec")
        .and_then(|n| n.value.as_ref())
        .expect("spec");
    assert_eq!(
        spec.reference,
        "#/definitions/io.argoproj.v1alpha1.ApplicationSpec"
    );
    assert_eq!(
        json!(spec.description),
        doc["definitions"][APPLICATION]["properties"]["spec"]["description"]
    );
}

#[test]
fn field_numbers_are_gnostics() {
    // Document.swagger = 1, Document.info = 2, Info.title = 1, Info.version = 2.
    let bytes = v2_protobuf(&json!({"swagger": "2.0", "info": {"title": "T", "version": "v"}}))
        .expect("converts");
    assert_eq!(
        bytes.as_ref(),
        &[
            0x0a, 3, b'2', b'.', b'0', 0x12, 6, 0x0a, 1, b'T', 0x12, 1, b'v'
        ]
    );

    // Definitions = 9 > NamedSchema{name = 1, value = 2} > Schema.type = 22 (TypeItem.value = 1),
    // Schema.required = 19.
    let bytes = v2_protobuf(&json!({"definitions": {"A": {"type": "object", "required": ["x"]}}}))
        .expect("converts");
    let schema = [
        0x9a, 0x01, 1, b'x', 0xb2, 0x01, 8, 0x0a, 6, b'o', b'b', b'j', b'e', b'c', b't',
    ];
    let mut named = vec![0x0a, 1, b'A', 0x12, schema.len() as u8];
    named.extend_from_slice(&schema);
    let mut definitions = vec![0x0a, named.len() as u8];
    definitions.extend_from_slice(&named);
    let mut expected = vec![0x4a, definitions.len() as u8];
    expected.extend_from_slice(&definitions);
    assert_eq!(bytes.as_ref(), expected.as_slice());
}

#[test]
fn parameters_become_their_variant() {
    let doc = json!({"paths": {"/x": {
        "parameters": [{"$ref": "#/parameters/p"}],
        "post": {
            "parameters": [
                {"name": "body", "in": "body", "required": true, "schema": {"$ref": "#/definitions/B"}},
                {"name": "dryRun", "in": "query", "type": "string", "uniqueItems": true},
                {"name": "X-Id", "in": "header", "type": "string"},
                {"name": "f", "in": "formData", "type": "array", "items": {"type": "integer", "format": "int32"}},
            ],
            "responses": {"200": {"description": "OK"}, "default": {"$ref": "#/responses/e"}},
        },
    }}});
    let d = decode(&doc);
    let item = d
        .paths
        .as_ref()
        .and_then(|p| p.path[0].value.as_ref())
        .expect("path item");
    assert_eq!(
        item.parameters[0].oneof,
        Some(parameters_item::Oneof::JsonReference(JsonReference {
            reference: "#/parameters/p".into(),
            description: String::new(),
        }))
    );
    let post = item.post.as_ref().expect("post");
    let variants: Vec<&str> = post
        .parameters
        .iter()
        .map(|p| match &p.oneof {
            Some(parameters_item::Oneof::Parameter(Parameter { oneof: Some(o) })) => match o {
                parameter::Oneof::BodyParameter(b) => {
                    assert!(b.required);
                    assert_eq!(
                        b.schema.as_ref().map(|s| s.reference.as_str()),
                        Some("#/definitions/B")
                    );
                    "body"
                }
                parameter::Oneof::NonBodyParameter(NonBodyParameter { oneof: Some(n) }) => {
                    match n {
                        non_body_parameter::Oneof::QueryParameterSubSchema(q) => {
                            assert!(q.unique_items);
                            "query"
                        }
                        non_body_parameter::Oneof::HeaderParameterSubSchema(_) => "header",
                        non_body_parameter::Oneof::FormDataParameterSubSchema(f) => {
                            let items = f.items.as_ref().expect("items");
                            assert_eq!(
                                (items.r#type.as_str(), items.format.as_str()),
                                ("integer", "int32")
                            );
                            "formData"
                        }
                        non_body_parameter::Oneof::PathParameterSubSchema(_) => "path",
                    }
                }
                parameter::Oneof::NonBodyParameter(_) => "empty",
            },
            _ => "other",
        })
        .collect();
    assert_eq!(variants, ["body", "query", "header", "formData"]);
    let codes: Vec<(&str, bool)> = post
        .responses
        .iter()
        .flat_map(|r| &r.response_code)
        .map(|r| {
            let is_ref = matches!(
                r.value.as_ref().and_then(|v| v.oneof.as_ref()),
                Some(response_value::Oneof::JsonReference(_))
            );
            (r.name.as_str(), is_ref)
        })
        .collect();
    assert_eq!(codes, [("200", false), ("default", true)]);
}

#[test]
fn schema_shapes_and_free_form_values() {
    let doc = json!({"definitions": {"S": {
        "type": ["string", "null"],
        "enum": ["yes", "1.0", 3, null],
        "default": {"a": [1, "b"]},
        "items": [{"type": "string"}, {"type": "integer"}],
        "allOf": [{"$ref": "#/definitions/T"}],
        "properties": {
            "m": {"type": "object", "additionalProperties": {"type": "string"}},
            "closed": {"type": "object", "additionalProperties": false},
            "x-not-an-extension": {"type": "string"},
        },
        "maxLength": 5.0,
        "x-kubernetes-list-map-keys": ["name", "protocol"],
    }}});
    let d = decode(&doc);
    let s = definition(&d, "S");
    assert_eq!(
        s.r#type.as_ref().map(|t| t.value.clone()),
        Some(vec!["string".into(), "null".into()])
    );
    // Strings stay strings on the way back, whatever they look like.
    let enums: Vec<Value> = s.r#enum.iter().map(any_value).collect();
    assert_eq!(enums, [json!("yes"), json!("1.0"), json!(3), Value::Null]);
    assert_eq!(
        s.default.as_ref().map(any_value),
        Some(json!({"a": [1, "b"]}))
    );
    assert_eq!(s.items.as_ref().map(|i| i.schema.len()), Some(2));
    assert_eq!(s.all_of[0].reference, "#/definitions/T");
    assert_eq!(s.max_length, 5);
    assert_eq!(property_names(s), ["closed", "m", "x-not-an-extension"]);
    let prop = |name: &str| {
        s.properties
            .iter()
            .flat_map(|p| &p.additional_properties)
            .find(|n| n.name == name)
            .and_then(|n| n.value.clone())
            .expect("property")
    };
    match prop("m").additional_properties.and_then(|a| a.oneof) {
        Some(additional_properties_item::Oneof::Schema(schema)) => {
            assert_eq!(schema.r#type.map(|t| t.value), Some(vec!["string".into()]))
        }
        other => panic!("additionalProperties schema expected, got {other:?}"),
    }
    assert_eq!(
        prop("closed").additional_properties.and_then(|a| a.oneof),
        Some(additional_properties_item::Oneof::Boolean(false))
    );
    assert_eq!(
        extension_value(&s.vendor_extension, "x-kubernetes-list-map-keys"),
        Some(json!(["name", "protocol"]))
    );
}

#[test]
fn security_is_carried() {
    let doc = argo_openapi::document::openapi_v2();
    let d = decode(&doc);
    let defs = d
        .security_definitions
        .as_ref()
        .expect("securityDefinitions");
    let bearer = defs
        .additional_properties
        .iter()
        .find(|n| n.name == "BearerToken")
        .and_then(|n| n.value.as_ref())
        .and_then(|v| v.oneof.as_ref());
    match bearer {
        Some(security_definitions_item::Oneof::ApiKeySecurity(k)) => {
            assert_eq!(
                (k.r#in.as_str(), k.name.as_str()),
                ("header", "authorization")
            )
        }
        other => panic!("BearerToken apiKey expected, got {other:?}"),
    }
    assert_eq!(d.security.len(), 1);
    assert_eq!(d.security[0].additional_properties[0].name, "BearerToken");
}

#[test]
fn shapes_outside_swagger_are_refused_with_their_place() {
    let err = v2_protobuf(&json!({"paths": {"/a/b": {"get": {"operationId": 5}}}}))
        .expect_err("operationId must be a string");
    assert_eq!(
        err.to_string(),
        "openapi v2 document at \"/paths/~1a~1b/get/operationId\": expected a string"
    );
    let err = v2_protobuf(&json!({"definitions": {"A": {"nullable": true}}}))
        .expect_err("nullable is OpenAPI 3");
    assert!(
        matches!(&err, OpenApiProtoError::UnknownField { pointer } if pointer == "/definitions/A/nullable"),
        "{err}"
    );
    let err =
        v2_protobuf(&json!({"paths": {"/a": {"parameters": [{"name": "n", "in": "cookie"}]}}}))
            .expect_err("cookie parameters are OpenAPI 3");
    assert!(matches!(err, OpenApiProtoError::Invalid { .. }), "{err}");
    assert!(v2_protobuf(&json!([])).is_err());
}

// ---- The real check: kubectl decodes what we serve. ----

/// `kubectl.<version>`: `$KUBECTL_<version with _>` if set, else on PATH, else beside the
/// `kubectl` on PATH (the Google Cloud SDK ships every supported minor next to it).
fn kubectl(version: &str) -> PathBuf {
    let name = format!("kubectl.{version}");
    let var = format!("KUBECTL_{}", version.replace('.', "_"));
    if let Some(p) = std::env::var_os(&var) {
        return PathBuf::from(p);
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        if dir.join(&name).is_file() {
            return dir.join(&name);
        }
        if let Ok(real) = std::fs::canonicalize(dir.join("kubectl"))
            && let Some(sibling) = real.parent().map(|d| d.join(&name))
            && sibling.is_file()
        {
            return sibling;
        }
    }
    panic!(
        "{name} not found: this test runs the real kubectl {version} against our /openapi/v2. \
         Put {name} on PATH or set {var} to its path."
    );
}

#[derive(Clone, Default)]
struct Seen(Arc<Mutex<Vec<(String, String)>>>);

/// A minimal API server for kubectl: legacy discovery for argoproj.io/v1alpha1, `/openapi/v2` as
/// protobuf only, and no `/openapi/v3` (so kubectl reads v2).
async fn serve(openapi: Bytes, seen: Seen) -> std::net::SocketAddr {
    use hyper::service::service_fn;
    use hyper_util::rt::TokioIo;

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let openapi = openapi.clone();
            let seen = seen.clone();
            tokio::spawn(async move {
                let service = service_fn(move |req: Request<hyper::body::Incoming>| {
                    let accept = req
                        .headers()
                        .get(header::ACCEPT)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default()
                        .to_string();
                    seen.0
                        .lock()
                        .expect("lock")
                        .push((req.uri().path().to_string(), accept.clone()));
                    let resp = route(req.uri().path(), &accept, &openapi);
                    async move { Ok::<_, std::convert::Infallible>(resp) }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    addr
}

fn route(path: &str, accept: &str, openapi: &Bytes) -> HttpResponse {
    let json = |v: Value| respond(StatusCode::OK, JSON, v.to_string());
    match path {
        "/api" => json(json!({"kind": "APIVersions", "versions": []})),
        "/apis" => json(json!({
            "kind": "APIGroupList",
            "apiVersion": "v1",
            "groups": [{
                "name": "argoproj.io",
                "versions": [{"groupVersion": "argoproj.io/v1alpha1", "version": "v1alpha1"}],
                "preferredVersion": {"groupVersion": "argoproj.io/v1alpha1", "version": "v1alpha1"},
            }],
        })),
        "/apis/argoproj.io/v1alpha1" => {
            let resources: Vec<Value> = argo_openapi::CATALOG
                .iter()
                .map(|def| {
                    json!({
                        "name": def.plural,
                        "singularName": def.singular,
                        "namespaced": def.namespaced(),
                        "kind": def.kind,
                        "verbs": ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"],
                        "shortNames": def.short_names,
                        "categories": def.categories,
                    })
                })
                .collect();
            json(json!({
                "kind": "APIResourceList",
                "apiVersion": "v1",
                "groupVersion": "argoproj.io/v1alpha1",
                "resources": resources,
            }))
        }
        "/openapi/v2" if accept.contains(MEDIA_TYPE) || accept.contains(MEDIA_TYPE_DEPRECATED) => {
            respond(StatusCode::OK, MEDIA_TYPE, openapi.clone())
        }
        "/openapi/v2" => respond(StatusCode::NOT_ACCEPTABLE, "text/plain", "protobuf only"),
        _ => respond(StatusCode::NOT_FOUND, "text/plain", "404 page not found"),
    }
}

/// Follows `$ref`s from `definition` down `fields` and returns the last field's description.
fn description_at(doc: &Value, definition: &str, fields: &[&str]) -> String {
    let defs = &doc["definitions"];
    let resolve = |s: &Value| -> Value {
        match s["$ref"].as_str() {
            Some(r) => defs[r.trim_start_matches("#/definitions/")].clone(),
            None => s.clone(),
        }
    };
    let mut schema = defs[definition].clone();
    let mut field = Value::Null;
    for name in fields {
        field = schema["properties"][name].clone();
        schema = resolve(&field);
    }
    field["description"]
        .as_str()
        .expect("the field has a description")
        .to_string()
}

fn words(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Runs `kubectl.<version> explain <args>` against a test server holding our document; returns
/// its output after checking it succeeded and read `/openapi/v2` as protobuf.
async fn kubectl_explain(version: &str, args: &[&str]) -> String {
    let kubectl = kubectl(version);
    let doc = argo_openapi::document::openapi_v2();
    let seen = Seen::default();
    let addr = serve(v2_protobuf(&doc).expect("converts"), seen.clone()).await;

    let home = tempfile::tempdir().expect("tempdir");
    let kubeconfig = home.path().join("config");
    std::fs::write(&kubeconfig, "apiVersion: v1\nkind: Config\n").expect("kubeconfig");
    let mut cmd = tokio::process::Command::new(&kubectl);
    cmd.arg("explain")
        .args(args)
        .arg("--server")
        .arg(format!("http://{addr}"))
        .arg("--cache-dir")
        .arg(home.path().join("cache"))
        .env("HOME", home.path())
        .env("KUBECONFIG", &kubeconfig)
        .kill_on_drop(true);
    let out = tokio::time::timeout(Duration::from_secs(60), cmd.output())
        .await
        .unwrap_or_else(|_| panic!("{} explain did not finish in 60s", kubectl.display()))
        .unwrap_or_else(|e| panic!("running {}: {e}", kubectl.display()));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let requests = seen.0.lock().expect("lock").clone();
    assert!(
        out.status.success(),
        "kubectl {version} explain {args:?} failed ({}):\nstdout:\n{stdout}\nstderr:\n{stderr}\nrequests: {requests:?}",
        out.status
    );
    assert!(
        requests
            .iter()
            .any(|(path, accept)| path == "/openapi/v2" && accept.contains("protobuf")),
        "kubectl {version} never read /openapi/v2 as protobuf: {requests:?}"
    );
    // Shown with --nocapture: what kubectl printed and what it asked for.
    println!("kubectl {version} explain {args:?}:\n{stdout}\nrequests: {requests:?}");
    stdout
}

async fn explain_destination(version: &str, extra: &[&str]) {
    let mut args = vec!["applications.spec.destination"];
    args.extend_from_slice(extra);
    let stdout = kubectl_explain(version, &args).await;
    let doc = argo_openapi::document::openapi_v2();
    let text = words(&stdout);
    let destination = description_at(&doc, APPLICATION, &["spec", "destination"]);
    let server = description_at(&doc, APPLICATION, &["spec", "destination", "server"]);
    let namespace = description_at(&doc, APPLICATION, &["spec", "destination", "namespace"]);
    assert!(text.contains("KIND: Application"), "{stdout}");
    assert!(text.contains("VERSION: argoproj.io/v1alpha1"), "{stdout}");
    for expected in [&destination, &server, &namespace] {
        assert!(
            text.contains(&words(expected)),
            "missing {expected:?} in:\n{stdout}"
        );
    }
    assert!(text.contains("server <string>"), "{stdout}");
}

#[tokio::test]
async fn kubectl_1_27_explain_reads_our_protobuf() {
    explain_destination("1.27", &[]).await;
}

#[tokio::test]
async fn kubectl_1_33_explain_openapiv2_reads_our_protobuf() {
    explain_destination("1.33", &["--output", "plaintext-openapiv2"]).await;
}

/// kubectl parses every definition and prints every field of every kind from the protobuf.
#[tokio::test]
async fn kubectl_1_27_explains_every_kind_recursively() {
    for def in argo_openapi::CATALOG {
        let stdout = kubectl_explain("1.27", &[def.plural, "--recursive"]).await;
        let text = words(&stdout);
        assert!(text.contains(&format!("KIND: {}", def.kind)), "{stdout}");
        assert!(text.contains("metadata <Object>"), "{stdout}");
        if def.has_spec {
            assert!(text.contains("spec <Object>"), "{stdout}");
        }
    }
}
