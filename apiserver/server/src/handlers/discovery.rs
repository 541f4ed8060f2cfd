//! Discovery: `/api`, `/apis`, `/apis/argoproj.io`, `/apis/argoproj.io/v1alpha1` and
//! `/version`, shaped as kube-apiserver serves a CRD group (`customresource_discovery_controller.go`)
//! so that clients cannot tell the difference.
//!
//! Every document is derived from the catalog once and kept; a request only negotiates and
//! writes. Handlers take the request head and answer GET (HEAD is the router's business).

use std::sync::LazyLock;

use argo_apiserver_core::negotiation::{
    is_pretty_print, negotiate_discovery, negotiate_legacy_discovery,
};
use argo_apiserver_core::{DiscoveryVersion, Format, Negotiated, Output, Query};
use argo_openapi::CATALOG;
use argo_openapi::catalog::{API_VERSION, GROUP, ResourceDef, Scope, VERSION};
use base64::Engine;
use bytes::Bytes;
use http::request::Parts;
use serde_json::{Value, json};
use sha2::{Digest, Sha256, Sha512};

use crate::http::{
    Body, HeaderValue, Response, StatusCode, error_response, header, header_str, json_bytes,
    respond,
};

/// Verbs of a main resource, in the order kube lists them for a CRD.
const RESOURCE_VERBS: [&str; 8] = [
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "create",
    "update",
    "watch",
];
/// Verbs of `status` and `scale`.
const SUBRESOURCE_VERBS: [&str; 3] = ["get", "patch", "update"];
/// An action subresource accepts only POST, which discovery calls `create`.
const ACTION_VERBS: [&str; 1] = ["create"];

/// `storageVersionHash` as kube computes it (`discovery.StorageVersionHash`): standard padded
/// base64 of the first 8 bytes of sha256 over `<group>/<version>/<kind>` of the storage version.
pub fn storage_version_hash(group: &str, version: &str, kind: &str) -> String {
    let digest = Sha256::digest(format!("{group}/{version}/{kind}"));
    base64::engine::general_purpose::STANDARD.encode(&digest[..8])
}

fn group_version_for_discovery() -> Value {
    json!({"groupVersion": API_VERSION, "version": VERSION})
}

/// The `APIGroup` for argoproj.io (what `/apis/argoproj.io` answers; also an item of `/apis`).
fn api_group_body() -> Value {
    json!({
        "name": GROUP,
        "versions": [group_version_for_discovery()],
        "preferredVersion": group_version_for_discovery(),
    })
}

/// `/apis` in the legacy form. A generic apiserver strips `apiVersion` from this one document.
pub fn api_group_list() -> Value {
    json!({"kind": "APIGroupList", "groups": [api_group_body()]})
}

/// `/apis/argoproj.io`.
pub fn api_group() -> Value {
    let mut g = json!({"kind": "APIGroup", "apiVersion": "v1"});
    if let (Some(o), Value::Object(body)) = (g.as_object_mut(), api_group_body()) {
        o.extend(body);
    }
    g
}

/// A subresource as discovery shows it.
struct Subresource<'a> {
    name: &'a str,
    group: &'a str,
    version: &'a str,
    kind: &'a str,
    verbs: &'a [&'a str],
}

/// The subresources of a kind: status, scale, then the actions, in catalog order. Status and
/// actions answer with the parent kind; scale with autoscaling/v1 Scale.
fn subresources(def: &ResourceDef) -> Vec<Subresource<'static>> {
    let parent = |name, verbs| Subresource {
        name,
        group: GROUP,
        version: VERSION,
        kind: def.kind,
        verbs,
    };
    let mut out = Vec::new();
    if def.status_subresource {
        out.push(parent("status", &SUBRESOURCE_VERBS));
    }
    if def.scale.is_some() {
        out.push(Subresource {
            name: "scale",
            group: "autoscaling",
            version: "v1",
            kind: "Scale",
            verbs: &SUBRESOURCE_VERBS,
        });
    }
    for a in def.actions {
        out.push(parent(a.name, &ACTION_VERBS));
    }
    out
}

/// `/apis/argoproj.io/v1alpha1`: every kind and every subresource as its own
/// `<plural>/<sub>` entry (empty `singularName`), sorted by name. Entries whose response kind is
/// of another group (scale) carry `group` and `version`.
pub fn api_resource_list() -> Value {
    let mut resources: Vec<(String, Value)> = Vec::new();
    for def in CATALOG {
        let mut r = json!({
            "name": def.plural,
            "singularName": def.singular,
            "namespaced": def.namespaced(),
            "kind": def.kind,
            "verbs": RESOURCE_VERBS,
        });
        if !def.short_names.is_empty() {
            r["shortNames"] = json!(def.short_names);
        }
        if !def.categories.is_empty() {
            r["categories"] = json!(def.categories);
        }
        r["storageVersionHash"] = json!(storage_version_hash(GROUP, VERSION, def.kind));
        resources.push((def.plural.to_string(), r));
        for sub in subresources(def) {
            let name = format!("{}/{}", def.plural, sub.name);
            let mut r = json!({
                "name": name,
                "singularName": "",
                "namespaced": def.namespaced(),
            });
            if sub.group != GROUP {
                r["group"] = json!(sub.group);
                r["version"] = json!(sub.version);
            }
            r["kind"] = json!(sub.kind);
            r["verbs"] = json!(sub.verbs);
            resources.push((name, r));
        }
    }
    resources.sort_by(|a, b| a.0.cmp(&b.0));
    json!({
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": API_VERSION,
        "resources": resources.into_iter().map(|(_, r)| r).collect::<Vec<_>>(),
    })
}

fn gvk(group: &str, version: &str, kind: &str) -> Value {
    json!({"group": group, "version": version, "kind": kind})
}

/// One resource of aggregated discovery. `responseKind` is always set: client-go drops any
/// resource or subresource without it.
fn resource_discovery(def: &ResourceDef) -> Value {
    let mut r = json!({
        "resource": def.plural,
        "responseKind": gvk(GROUP, VERSION, def.kind),
        "scope": match def.scope { Scope::Namespaced => "Namespaced", Scope::Cluster => "Cluster" },
        "singularResource": def.singular,
        "verbs": RESOURCE_VERBS,
    });
    if !def.short_names.is_empty() {
        r["shortNames"] = json!(def.short_names);
    }
    if !def.categories.is_empty() {
        r["categories"] = json!(def.categories);
    }
    let subs: Vec<Value> = subresources(def)
        .into_iter()
        .map(|s| {
            json!({"subresource": s.name, "responseKind": gvk(s.group, s.version, s.kind), "verbs": s.verbs})
        })
        .collect();
    if !subs.is_empty() {
        r["subresources"] = Value::Array(subs);
    }
    r
}

/// `/apis` as `APIGroupDiscoveryList` (v2 and v2beta1 share the JSON shape; only `apiVersion`
/// differs). Resources sorted by name, as kube's CRD discovery does.
pub fn aggregated_discovery(version: DiscoveryVersion) -> Value {
    let mut resources: Vec<&ResourceDef> = CATALOG.iter().collect();
    resources.sort_by_key(|d| d.plural);
    json!({
        "kind": "APIGroupDiscoveryList",
        "apiVersion": version.api_version(),
        "metadata": {},
        "items": [{
            "metadata": {"name": GROUP, "creationTimestamp": null},
            "versions": [{
                "version": VERSION,
                "resources": resources.into_iter().map(resource_discovery).collect::<Vec<_>>(),
                "freshness": "Current",
            }],
        }],
    })
}

/// `/api` as `APIGroupDiscoveryList`: we serve no core group, so no items.
fn aggregated_core(version: DiscoveryVersion) -> Value {
    json!({
        "kind": "APIGroupDiscoveryList",
        "apiVersion": version.api_version(),
        "metadata": {},
        "items": [],
    })
}

/// A document in its compact form with kube's ETag over it (`"` + upper-case hex SHA-512 + `"`).
struct Tagged {
    value: Value,
    compact: Bytes,
    etag: HeaderValue,
}

impl Tagged {
    fn new(value: Value) -> Tagged {
        let compact = json_bytes(&value, false);
        // Hash the JSON without the encoder's trailing newline, as kube's json.Marshal sees it.
        let hash = hex::encode_upper(Sha512::digest(&compact[..compact.len() - 1]));
        let etag = HeaderValue::from_str(&format!("\"{hash}\""))
            .unwrap_or_else(|_| HeaderValue::from_static("\"\""));
        Tagged {
            value,
            compact,
            etag,
        }
    }
}

struct Documents {
    api_group_list: Tagged,
    api_group: Tagged,
    api_resource_list: Tagged,
    aggregated_v2: Tagged,
    aggregated_v2beta1: Tagged,
    core_v2: Tagged,
    core_v2beta1: Tagged,
}

static DOCUMENTS: LazyLock<Documents> = LazyLock::new(|| Documents {
    api_group_list: Tagged::new(api_group_list()),
    api_group: Tagged::new(api_group()),
    api_resource_list: Tagged::new(api_resource_list()),
    aggregated_v2: Tagged::new(aggregated_discovery(DiscoveryVersion::V2)),
    aggregated_v2beta1: Tagged::new(aggregated_discovery(DiscoveryVersion::V2beta1)),
    core_v2: Tagged::new(aggregated_core(DiscoveryVersion::V2)),
    core_v2beta1: Tagged::new(aggregated_core(DiscoveryVersion::V2beta1)),
});

fn query(parts: &Parts) -> Query {
    Query::parse(parts.uri.query().unwrap_or(""))
}

fn pretty(parts: &Parts) -> bool {
    is_pretty_print(
        &query(parts),
        header_str(&parts.headers, &header::USER_AGENT),
    )
}

fn accept(parts: &Parts) -> Option<&str> {
    header_str(&parts.headers, &header::ACCEPT)
}

/// A legacy document in the negotiated format (JSON or YAML); `compact` is its prepared compact
/// JSON, when there is one. Legacy discovery has no ETag.
fn write_legacy(n: &Negotiated, value: &Value, compact: Option<&Bytes>) -> Response<Body> {
    match (n.format, compact) {
        (Format::Json, Some(b)) if !n.pretty => {
            respond(StatusCode::OK, &n.content_type(), b.clone())
        }
        (Format::Json, _) => respond(
            StatusCode::OK,
            &n.content_type(),
            json_bytes(value, n.pretty),
        ),
        (Format::Yaml, _) => match serde_yaml::to_string(value) {
            Ok(s) => respond(StatusCode::OK, &n.content_type(), s),
            Err(e) => error_response(&argo_apiserver_core::ApiError::internal(e)),
        },
    }
}

/// An aggregated document as kube's `ServeHTTPWithETag` writes it: `ETag`, `Vary: Accept`,
/// `Cache-Control: public`, and 304 with no body when `If-None-Match` is exactly that ETag.
fn write_aggregated(parts: &Parts, n: &Negotiated, doc: &Tagged) -> Response<Body> {
    let not_modified = parts
        .headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|v| v.as_bytes() == doc.etag.as_bytes());
    let mut r = if not_modified {
        let mut r = respond(StatusCode::NOT_MODIFIED, &n.content_type(), Bytes::new());
        r.headers_mut().remove(header::CONTENT_TYPE);
        r
    } else if n.pretty {
        respond(
            StatusCode::OK,
            &n.content_type(),
            json_bytes(&doc.value, true),
        )
    } else {
        respond(StatusCode::OK, &n.content_type(), doc.compact.clone())
    };
    let h = r.headers_mut();
    h.insert(header::ETAG, doc.etag.clone());
    h.insert(header::VARY, HeaderValue::from_static("Accept"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public"));
    r
}

/// The address clients should use, as kube's `serverAddressByClientCIDRs` (one entry for
/// `0.0.0.0/0` with the address the client reached us on).
fn server_address_by_client_cidrs(parts: &Parts) -> Value {
    let host = header_str(&parts.headers, &header::HOST)
        .map(str::to_string)
        .or_else(|| parts.uri.authority().map(|a| a.to_string()));
    match host {
        Some(h) if !h.is_empty() => json!([{"clientCIDR": "0.0.0.0/0", "serverAddress": h}]),
        _ => json!([]),
    }
}

/// `GET /api`: we serve no core group. The legacy answer is an `APIVersions` with no versions
/// (client-go then adds no legacy group; kube-rs' `Discovery::run` works, where a 404 would
/// fail it); an aggregated Accept gets an empty `APIGroupDiscoveryList`.
pub fn handle_api(parts: &Parts) -> Response<Body> {
    let n = match negotiate_discovery(accept(parts), pretty(parts)) {
        Ok(n) => n,
        Err(e) => return error_response(&e),
    };
    match n.output {
        Output::AggregatedDiscovery(DiscoveryVersion::V2) => {
            write_aggregated(parts, &n, &DOCUMENTS.core_v2)
        }
        Output::AggregatedDiscovery(DiscoveryVersion::V2beta1) => {
            write_aggregated(parts, &n, &DOCUMENTS.core_v2beta1)
        }
        _ => {
            let v = json!({
                "kind": "APIVersions",
                "versions": [],
                "serverAddressByClientCIDRs": server_address_by_client_cidrs(parts),
            });
            write_legacy(&n, &v, None)
        }
    }
}

/// `GET /apis`: aggregated discovery when the Accept names it (v2 or v2beta1, with the exact
/// GVK Content-Type clients classify by), else the legacy `APIGroupList`. An Accept that only
/// names an aggregated form we do not serve gets 406, never plain JSON: a 1.27/1.28 aggregator
/// would take a 200 as aggregated and lose our resources, while 406 makes it fall back.
pub fn handle_apis(parts: &Parts) -> Response<Body> {
    let n = match negotiate_discovery(accept(parts), pretty(parts)) {
        Ok(n) => n,
        Err(e) => return error_response(&e),
    };
    match n.output {
        Output::AggregatedDiscovery(DiscoveryVersion::V2) => {
            write_aggregated(parts, &n, &DOCUMENTS.aggregated_v2)
        }
        Output::AggregatedDiscovery(DiscoveryVersion::V2beta1) => {
            write_aggregated(parts, &n, &DOCUMENTS.aggregated_v2beta1)
        }
        _ => write_legacy(
            &n,
            &DOCUMENTS.api_group_list.value,
            Some(&DOCUMENTS.api_group_list.compact),
        ),
    }
}

fn legacy(parts: &Parts, doc: &Tagged) -> Response<Body> {
    match negotiate_legacy_discovery(accept(parts), pretty(parts)) {
        Ok(n) => write_legacy(&n, &doc.value, Some(&doc.compact)),
        Err(e) => error_response(&e),
    }
}

/// `GET /apis/argoproj.io`.
pub fn handle_api_group(parts: &Parts) -> Response<Body> {
    legacy(parts, &DOCUMENTS.api_group)
}

/// `GET /apis/argoproj.io/v1alpha1`: the document the aggregator's availability probe and
/// legacy discovery fetch; it must answer 2xx quickly.
pub fn handle_api_resource_list(parts: &Parts) -> Response<Body> {
    legacy(parts, &DOCUMENTS.api_resource_list)
}

/// `version.Info`. `gitVersion` is semver (kubectl parses it for its skew warning): the
/// Kubernetes API level we implement, with our own version as build metadata, the way
/// distributions tag theirs (`v1.33.0+k3s1`).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VersionInfo {
    pub major: String,
    pub minor: String,
    pub git_version: String,
    pub git_commit: String,
    pub git_tree_state: String,
    pub build_date: String,
    pub go_version: String,
    pub compiler: String,
    pub platform: String,
}

/// Kubernetes API level served (the release whose behaviour we follow).
const KUBE_MAJOR: &str = "1";
const KUBE_MINOR: &str = "33";

impl Default for VersionInfo {
    /// This build: commit and date from `ARGO_GIT_COMMIT`/`ARGO_BUILD_DATE` at compile time when
    /// set (kube's defaults otherwise).
    fn default() -> Self {
        let arch = match std::env::consts::ARCH {
            "x86_64" => "amd64",
            "aarch64" => "arm64",
            "x86" => "386",
            other => other,
        };
        VersionInfo {
            major: KUBE_MAJOR.into(),
            minor: KUBE_MINOR.into(),
            git_version: format!(
                "v{KUBE_MAJOR}.{KUBE_MINOR}.0+argo.{}",
                env!("CARGO_PKG_VERSION")
            ),
            git_commit: option_env!("ARGO_GIT_COMMIT").unwrap_or("").into(),
            git_tree_state: option_env!("ARGO_GIT_TREE_STATE").unwrap_or("").into(),
            build_date: option_env!("ARGO_BUILD_DATE")
                .unwrap_or("1970-01-01T00:00:00Z")
                .into(),
            go_version: String::new(),
            compiler: "rustc".into(),
            platform: format!("{}/{arch}", std::env::consts::OS),
        }
    }
}

/// `GET /version`: indented JSON with no trailing newline, as kube's `WriteRawJSON`.
pub fn handle_version(info: &VersionInfo) -> Response<Body> {
    let body = serde_json::to_vec_pretty(info).unwrap_or_default();
    respond(StatusCode::OK, crate::http::JSON, body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    const V2: &str = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";
    const V2BETA1: &str =
        "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList";

    fn parts(path: &str, headers: &[(&str, &str)]) -> Parts {
        let mut b = http::Request::builder().uri(path);
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        b.body(()).unwrap().into_parts().0
    }

    fn body(r: Response<Body>) -> Bytes {
        futures::executor::block_on(r.into_body().collect())
            .unwrap()
            .to_bytes()
    }

    fn json_of(r: Response<Body>) -> Value {
        serde_json::from_slice(&body(r)).unwrap()
    }

    #[test]
    fn storage_version_hash_matches_kube() {
        assert_eq!(
            storage_version_hash("argoproj.io", "v1alpha1", "Application"),
            "PVzHEyjMffI="
        );
        assert_eq!(
            storage_version_hash("argoproj.io", "v1alpha1", "Rollout"),
            "T0mdNo50nFA="
        );
    }

    #[test]
    fn legacy_apis_is_an_api_group_list_without_api_version() {
        let r = handle_apis(&parts("/apis", &[("accept", "application/json")]));
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()[header::CONTENT_TYPE], "application/json");
        assert!(r.headers().get(header::ETAG).is_none());
        let b = body(r);
        assert_eq!(
            &b[..],
            concat!(
                r#"{"groups":[{"name":"argoproj.io","preferredVersion":{"groupVersion":"argoproj.io/v1alpha1","version":"v1alpha1"},"#,
                r#""versions":[{"groupVersion":"argoproj.io/v1alpha1","version":"v1alpha1"}]}],"kind":"APIGroupList"}"#,
                "\n"
            )
            .as_bytes()
        );
        // No Accept at all is the legacy form too.
        let v = json_of(handle_apis(&parts("/apis", &[])));
        assert_eq!(v["kind"], "APIGroupList");
    }

    #[test]
    fn kubectl_accept_gets_aggregated_discovery_with_exact_content_type() {
        let kubectl_133 = format!("{V2},{V2BETA1},application/json");
        let r = handle_apis(&parts("/apis", &[("accept", &kubectl_133)]));
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()[header::CONTENT_TYPE], V2);
        assert_eq!(r.headers()[header::VARY], "Accept");
        assert_eq!(r.headers()[header::CACHE_CONTROL], "public");
        let etag = r.headers()[header::ETAG].to_str().unwrap().to_string();
        assert!(etag.starts_with('"') && etag.ends_with('"') && etag.len() == 130);
        let v = json_of(r);
        assert_eq!(v["kind"], "APIGroupDiscoveryList");
        assert_eq!(v["apiVersion"], "apidiscovery.k8s.io/v2");
        assert_eq!(v["metadata"], json!({}));
        let item = &v["items"][0];
        assert_eq!(item["metadata"]["name"], "argoproj.io");
        let version = &item["versions"][0];
        assert_eq!(version["version"], "v1alpha1");
        assert_eq!(version["freshness"], "Current");

        // 1.27-1.29 clients and aggregators ask for v2beta1 only.
        let kubectl_127 = format!("{V2BETA1},application/json");
        let r = handle_apis(&parts("/apis", &[("accept", &kubectl_127)]));
        assert_eq!(r.headers()[header::CONTENT_TYPE], V2BETA1);
        assert_ne!(r.headers()[header::ETAG].to_str().unwrap(), etag);
        assert_eq!(json_of(r)["apiVersion"], "apidiscovery.k8s.io/v2beta1");
    }

    #[test]
    fn aggregator_accept_never_gets_plain_json() {
        // Exactly what kube-aggregator 1.27.0-1.29 sends: v2beta1 and nothing else.
        let r = handle_apis(&parts("/apis", &[("accept", V2BETA1)]));
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()[header::CONTENT_TYPE], V2BETA1);
        // An aggregated form we do not serve is 406 (the aggregator then falls back to legacy).
        let r = handle_apis(&parts(
            "/apis",
            &[(
                "accept",
                "application/json;g=apidiscovery.k8s.io;v=v3;as=APIGroupDiscoveryList",
            )],
        ));
        assert_eq!(r.status(), StatusCode::NOT_ACCEPTABLE);
        assert_eq!(json_of(r)["reason"], "NotAcceptable");
    }

    #[test]
    fn aggregated_etag_gives_304() {
        let r = handle_apis(&parts("/apis", &[("accept", V2)]));
        let etag = r.headers()[header::ETAG].to_str().unwrap().to_string();
        let r = handle_apis(&parts("/apis", &[("accept", V2), ("if-none-match", &etag)]));
        assert_eq!(r.status(), StatusCode::NOT_MODIFIED);
        assert_eq!(r.headers()[header::ETAG].to_str().unwrap(), etag);
        assert_eq!(r.headers()[header::VARY], "Accept");
        assert!(body(r).is_empty());
        // A different tag is a full answer.
        let r = handle_apis(&parts(
            "/apis",
            &[("accept", V2), ("if-none-match", "\"0123\"")],
        ));
        assert_eq!(r.status(), StatusCode::OK);
        // The tag is the SHA-512 of the compact body.
        let r = handle_apis(&parts("/apis", &[("accept", V2)]));
        let b = body(r);
        let hash = hex::encode_upper(Sha512::digest(&b[..b.len() - 1]));
        assert_eq!(etag, format!("\"{hash}\""));
    }

    #[test]
    fn aggregated_lists_every_kind_with_response_kinds_and_subresources() {
        let v = json_of(handle_apis(&parts("/apis", &[("accept", V2)])));
        let resources = v["items"][0]["versions"][0]["resources"]
            .as_array()
            .unwrap();
        assert_eq!(resources.len(), CATALOG.len());
        let names: Vec<&str> = resources
            .iter()
            .map(|r| r["resource"].as_str().unwrap())
            .collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted);
        for r in resources {
            let def = argo_openapi::catalog::by_plural(r["resource"].as_str().unwrap()).unwrap();
            assert_eq!(r["responseKind"], gvk(GROUP, VERSION, def.kind));
            assert_eq!(r["singularResource"], def.singular);
            assert_eq!(
                r["verbs"],
                json!([
                    "delete",
                    "deletecollection",
                    "get",
                    "list",
                    "patch",
                    "create",
                    "update",
                    "watch"
                ])
            );
            for s in r["subresources"].as_array().into_iter().flatten() {
                let kind = &s["responseKind"]["kind"];
                assert!(kind == def.kind || kind == "Scale", "{s}");
            }
        }
        let rollout = resources
            .iter()
            .find(|r| r["resource"] == "rollouts")
            .unwrap();
        assert_eq!(rollout["scope"], "Namespaced");
        assert_eq!(rollout["shortNames"], json!(["ro"]));
        assert_eq!(rollout["categories"], json!(["argo", "argo-rollouts"]));
        let subs = rollout["subresources"].as_array().unwrap();
        assert_eq!(
            subs[0],
            json!({"subresource": "status", "responseKind": gvk(GROUP, VERSION, "Rollout"), "verbs": ["get", "patch", "update"]})
        );
        assert_eq!(
            subs[1],
            json!({"subresource": "scale", "responseKind": gvk("autoscaling", "v1", "Scale"), "verbs": ["get", "patch", "update"]})
        );
        assert!(subs.contains(
            &json!({"subresource": "promote", "responseKind": gvk(GROUP, VERSION, "Rollout"), "verbs": ["create"]})
        ));
        let cwft = resources
            .iter()
            .find(|r| r["resource"] == "clusterworkflowtemplates")
            .unwrap();
        assert_eq!(cwft["scope"], "Cluster");
        // Application has no status subresource upstream, only its actions.
        let app = resources
            .iter()
            .find(|r| r["resource"] == "applications")
            .unwrap();
        let app_subs: Vec<&str> = app["subresources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["subresource"].as_str().unwrap())
            .collect();
        assert_eq!(app_subs, ["sync", "rollback", "terminate"]);
        // The aggregated form has no storageVersionHash.
        assert!(app.get("storageVersionHash").is_none());
    }

    #[test]
    fn api_group_document() {
        let r = handle_api_group(&parts("/apis/argoproj.io", &[]));
        assert_eq!(r.headers()[header::CONTENT_TYPE], "application/json");
        assert_eq!(
            json_of(r),
            json!({"kind":"APIGroup","apiVersion":"v1","name":"argoproj.io",
                "versions":[{"groupVersion":"argoproj.io/v1alpha1","version":"v1alpha1"}],
                "preferredVersion":{"groupVersion":"argoproj.io/v1alpha1","version":"v1alpha1"}})
        );
    }

    #[test]
    fn api_resource_list_has_resources_and_subresources_as_kube_lists_them() {
        // kubectl 1.33 sends the aggregated clauses here too; the legacy list answers.
        let accept = format!("{V2},{V2BETA1},application/json");
        let r =
            handle_api_resource_list(&parts("/apis/argoproj.io/v1alpha1", &[("accept", &accept)]));
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()[header::CONTENT_TYPE], "application/json");
        let v = json_of(r);
        assert_eq!(v["kind"], "APIResourceList");
        assert_eq!(v["apiVersion"], "v1");
        assert_eq!(v["groupVersion"], "argoproj.io/v1alpha1");
        let list = v["resources"].as_array().unwrap();
        let find = |n: &str| list.iter().find(|r| r["name"] == n).cloned().unwrap();
        assert_eq!(
            find("applications"),
            json!({"name":"applications","singularName":"application","namespaced":true,"kind":"Application",
                "verbs":["delete","deletecollection","get","list","patch","create","update","watch"],
                "shortNames":["app","apps"],"categories":["argo","argocd"],"storageVersionHash":"PVzHEyjMffI="})
        );
        assert_eq!(
            find("rollouts/status"),
            json!({"name":"rollouts/status","singularName":"","namespaced":true,"kind":"Rollout","verbs":["get","patch","update"]})
        );
        assert_eq!(
            find("rollouts/scale"),
            json!({"name":"rollouts/scale","singularName":"","namespaced":true,"group":"autoscaling","version":"v1","kind":"Scale","verbs":["get","patch","update"]})
        );
        assert_eq!(
            find("applications/sync"),
            json!({"name":"applications/sync","singularName":"","namespaced":true,"kind":"Application","verbs":["create"]})
        );
        assert_eq!(find("workflows/resubmit")["kind"], "Workflow");
        assert_eq!(find("clusterworkflowtemplates")["namespaced"], false);
        // Every kind and every subresource the catalog declares, nothing else.
        let expected: usize = CATALOG.iter().map(|d| 1 + d.subresources().count()).sum();
        assert_eq!(list.len(), expected);
        assert!(list.iter().all(|r| r["name"] != "applications/status"));
        // YAML on request; transforms refused.
        let r = handle_api_resource_list(&parts(
            "/apis/argoproj.io/v1alpha1",
            &[("accept", "application/yaml")],
        ));
        assert_eq!(r.headers()[header::CONTENT_TYPE], "application/yaml");
        let y: Value = serde_yaml::from_slice(&body(r)).unwrap();
        assert_eq!(y["groupVersion"], "argoproj.io/v1alpha1");
        let r = handle_api_resource_list(&parts(
            "/apis/argoproj.io/v1alpha1",
            &[("accept", "application/json;as=Table;v=v1;g=meta.k8s.io")],
        ));
        assert_eq!(r.status(), StatusCode::NOT_ACCEPTABLE);
    }

    #[test]
    fn pretty_for_curl() {
        let r = handle_api_group(&parts("/apis/argoproj.io", &[("user-agent", "curl/8.5.0")]));
        let b = body(r);
        assert!(b.starts_with(b"{\n  \""), "{}", String::from_utf8_lossy(&b));
        let r = handle_api_group(&parts(
            "/apis/argoproj.io?pretty=false",
            &[("user-agent", "curl/8.5.0")],
        ));
        let b = body(r);
        assert_eq!(b.iter().filter(|c| **c == b'\n').count(), 1);
    }

    #[test]
    fn api_is_empty_api_versions() {
        let r = handle_api(&parts(
            "/api",
            &[("accept", "application/json"), ("host", "127.0.0.1:6443")],
        ));
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()[header::CONTENT_TYPE], "application/json");
        assert_eq!(
            json_of(r),
            json!({"kind":"APIVersions","versions":[],
                "serverAddressByClientCIDRs":[{"clientCIDR":"0.0.0.0/0","serverAddress":"127.0.0.1:6443"}]})
        );
        // kubectl 1.30+ asks /api for aggregated discovery: an empty list, with its exact type.
        let r = handle_api(&parts(
            "/api",
            &[("accept", &format!("{V2},application/json"))],
        ));
        assert_eq!(r.headers()[header::CONTENT_TYPE], V2);
        let v = json_of(r);
        assert_eq!(v["items"], json!([]));
        assert_eq!(v["kind"], "APIGroupDiscoveryList");
    }

    #[test]
    fn version_is_kube_version_info() {
        let r = handle_version(&VersionInfo::default());
        assert_eq!(r.headers()[header::CONTENT_TYPE], "application/json");
        let b = body(r);
        assert!(b.starts_with(b"{\n  \"major\": \"1\""));
        assert!(!b.ends_with(b"\n"));
        let v: Value = serde_json::from_slice(&b).unwrap();
        for k in [
            "major",
            "minor",
            "gitVersion",
            "gitCommit",
            "gitTreeState",
            "buildDate",
            "goVersion",
            "compiler",
            "platform",
        ] {
            assert!(v[k].is_string(), "{k}");
        }
        let git = v["gitVersion"].as_str().unwrap();
        // kubectl's version.ParseSemantic form: v<major>.<minor>.<patch>[+build].
        let core = git.strip_prefix('v').unwrap().split('+').next().unwrap();
        let nums: Vec<&str> = core.split('.').collect();
        assert_eq!(nums.len(), 3);
        assert!(nums.iter().all(|n| n.parse::<u64>().is_ok()));
        assert_eq!(nums[0], v["major"].as_str().unwrap());
        assert_eq!(nums[1], v["minor"].as_str().unwrap());
    }

    /// Reports the cost of serving discovery and OpenAPI (no assertion; numbers only):
    /// `cargo test --release -p argo-apiserver --lib report_discovery_cost -- --ignored --nocapture`
    #[test]
    #[ignore]
    fn report_discovery_cost() {
        use std::time::Instant;
        let time = |name: &str, n: u32, f: &dyn Fn()| {
            f();
            let t = Instant::now();
            for _ in 0..n {
                f();
            }
            println!(
                "{name}: {:.0} ns/op",
                t.elapsed().as_nanos() as f64 / f64::from(n)
            );
        };
        let t = Instant::now();
        crate::handlers::openapi::warm();
        LazyLock::force(&DOCUMENTS);
        println!(
            "build discovery + OpenAPI v2/v3 documents once: {:.0} ms",
            t.elapsed().as_secs_f64() * 1e3
        );
        let agg = parts(
            "/apis",
            &[("accept", &format!("{V2},{V2BETA1},application/json"))],
        );
        time("GET /apis aggregated", 100_000, &|| drop(handle_apis(&agg)));
        let list = parts(
            "/apis/argoproj.io/v1alpha1",
            &[("accept", "application/json")],
        );
        time("GET /apis/argoproj.io/v1alpha1", 100_000, &|| {
            drop(handle_api_resource_list(&list))
        });
        let v2 = parts("/openapi/v2", &[("accept", "application/json")]);
        time("GET /openapi/v2 (cached)", 100_000, &|| {
            drop(crate::handlers::openapi::handle_v2(&v2, None))
        });
    }
}
