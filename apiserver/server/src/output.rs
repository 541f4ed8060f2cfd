//! Response encoding for objects, lists and watch events in every negotiated output: the object
//! itself (JSON or YAML), Table, PartialObjectMetadata and PartialObjectMetadataList.
//!
//! Plain JSON lists are assembled by splicing the stored item bytes, never re-parsing them; a
//! Table list parses each item once; a PartialObjectMetadata list decodes only `metadata`.

use argo_apiserver_core::{
    ApiError, Format, MetaVersion, Negotiated, Output, Status, TableOptions,
};
use argo_openapi::catalog::{API_VERSION, ResourceDef};
use bytes::{BufMut, Bytes, BytesMut};
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use crate::table::ListMeta;
use crate::table::{PartialMeta, PartialObjectMetadata, TableConvertor, decode};

/// The annotation on the bookmark that ends a watch-list's initial events.
pub const INITIAL_EVENTS_END_ANNOTATION: &str = "k8s.io/initial-events-end";

const RESOURCE_MEDIA_TYPES: [&str; 2] = ["application/json", "application/yaml"];

/// A watch event's type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WatchEventType {
    Added,
    Modified,
    Deleted,
    Bookmark,
    Error,
}

impl WatchEventType {
    pub fn as_str(self) -> &'static str {
        match self {
            WatchEventType::Added => "ADDED",
            WatchEventType::Modified => "MODIFIED",
            WatchEventType::Deleted => "DELETED",
            WatchEventType::Bookmark => "BOOKMARK",
            WatchEventType::Error => "ERROR",
        }
    }
}

/// `metav1.PartialObjectMetadataList`.
#[derive(Serialize)]
struct PartialObjectMetadataList<'a> {
    kind: &'static str,
    #[serde(rename = "apiVersion")]
    api_version: &'static str,
    metadata: &'a ListMeta,
    items: Vec<PartialObjectMetadata>,
}

/// A `<Kind>List` with decoded items (pretty JSON and YAML).
#[derive(Serialize)]
struct ListDoc<'a> {
    #[serde(rename = "apiVersion")]
    api_version: &'static str,
    kind: String,
    metadata: &'a ListMeta,
    items: Vec<Value>,
}

/// Decodes only an object's `metadata`; serde skips the rest without building it.
#[derive(Deserialize)]
struct MetadataOnly {
    #[serde(default)]
    metadata: Option<Value>,
}

fn partial_of_bytes(
    version: MetaVersion,
    object: &[u8],
) -> Result<PartialObjectMetadata, ApiError> {
    let m: MetadataOnly = serde_json::from_slice(object)
        .map_err(|e| ApiError::internal(format!("unable to decode stored object: {e}")))?;
    Ok(PartialObjectMetadata {
        kind: "PartialObjectMetadata",
        api_version: version.api_version(),
        metadata: PartialMeta::from_metadata(m.metadata.as_ref()),
    })
}

fn media_type(format: Format) -> &'static str {
    match format {
        Format::Json => "application/json",
        Format::Yaml => "application/yaml",
    }
}

/// The Content-Type of a watch response: JSON has no `;stream=watch` parameter, others do.
pub fn watch_content_type(n: &Negotiated) -> &'static str {
    match n.format {
        Format::Json => "application/json",
        Format::Yaml => "application/yaml;stream=watch",
    }
}

/// Stored bytes without surrounding whitespace (a stored trailing newline must not be spliced).
fn trim(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(start, |e| e + 1);
    &bytes[start..end]
}

fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::internal(format!("unable to encode response: {e}"))
}

/// A serializable document as JSON (compact or indented, with kube's trailing newline) or YAML.
fn encode_doc<T: Serialize>(doc: &T, format: Format, pretty: bool) -> Result<Bytes, ApiError> {
    match format {
        Format::Json => {
            let mut out = if pretty {
                serde_json::to_vec_pretty(doc)
            } else {
                serde_json::to_vec(doc)
            }
            .map_err(internal)?;
            out.push(b'\n');
            Ok(Bytes::from(out))
        }
        Format::Yaml => Ok(Bytes::from(serde_yaml::to_string(doc).map_err(internal)?)),
    }
}

fn not_a_list() -> ApiError {
    ApiError::not_acceptable_message(
        "you requested PartialObjectMetadataList, but the requested object is not a list (*unstructured.Unstructured)",
    )
}

fn is_a_list() -> ApiError {
    ApiError::not_acceptable_message(
        "you requested PartialObjectMetadata, but the requested object is a list (*unstructured.UnstructuredList)",
    )
}

/// One object (get, create, update, patch, delete answers) in the negotiated output.
/// Returns the Content-Type and the body.
pub fn encode_object(
    def: &ResourceDef,
    n: &Negotiated,
    opts: &TableOptions,
    object: &Bytes,
    now: jiff::Timestamp,
) -> Result<(&'static str, Bytes), ApiError> {
    let body = match n.output {
        Output::Object => match (n.format, n.pretty) {
            (Format::Json, false) => {
                let t = trim(object);
                let mut out = BytesMut::with_capacity(t.len() + 1);
                out.put_slice(t);
                out.put_u8(b'\n');
                out.freeze()
            }
            (format, pretty) => encode_doc(&decode(object)?, format, pretty)?,
        },
        Output::Table(v) => {
            let table = TableConvertor::for_kind(def).object(v, opts, decode(object)?, true, now);
            encode_doc(&table, n.format, n.pretty)?
        }
        Output::PartialObjectMetadata(v) => {
            encode_doc(&partial_of_bytes(v, object)?, n.format, n.pretty)?
        }
        Output::PartialObjectMetadataList(_) => return Err(not_a_list()),
        Output::AggregatedDiscovery(_) => {
            return Err(ApiError::not_acceptable(&RESOURCE_MEDIA_TYPES));
        }
    };
    Ok((media_type(n.format), body))
}

/// A list (`<Kind>List`) in the negotiated output. Returns the Content-Type and the body.
pub fn encode_list(
    def: &ResourceDef,
    n: &Negotiated,
    opts: &TableOptions,
    items: &[Bytes],
    list_meta: &ListMeta,
    now: jiff::Timestamp,
) -> Result<(&'static str, Bytes), ApiError> {
    let body = match n.output {
        Output::Object => match (n.format, n.pretty) {
            (Format::Json, false) => splice_list(def, items, list_meta)?,
            (format, pretty) => {
                let mut decoded = Vec::with_capacity(items.len());
                for item in items {
                    decoded.push(decode(item)?);
                }
                let doc = ListDoc {
                    api_version: API_VERSION,
                    kind: def.list_kind(),
                    metadata: list_meta,
                    items: decoded,
                };
                encode_doc(&doc, format, pretty)?
            }
        },
        Output::Table(v) => {
            let table = TableConvertor::for_kind(def).list(v, opts, items, list_meta, now)?;
            encode_doc(&table, n.format, n.pretty)?
        }
        Output::PartialObjectMetadataList(v) => {
            let mut partials = Vec::with_capacity(items.len());
            for item in items {
                partials.push(partial_of_bytes(v, item)?);
            }
            let list = PartialObjectMetadataList {
                kind: "PartialObjectMetadataList",
                api_version: v.api_version(),
                metadata: list_meta,
                items: partials,
            };
            encode_doc(&list, n.format, n.pretty)?
        }
        Output::PartialObjectMetadata(_) => return Err(is_a_list()),
        Output::AggregatedDiscovery(_) => {
            return Err(ApiError::not_acceptable(&RESOURCE_MEDIA_TYPES));
        }
    };
    Ok((media_type(n.format), body))
}

/// `{"apiVersion":..,"kind":"<Kind>List","metadata":{..},"items":[..]}\n` with the item bytes
/// copied as they are.
fn splice_list(
    def: &ResourceDef,
    items: &[Bytes],
    list_meta: &ListMeta,
) -> Result<Bytes, ApiError> {
    let meta = serde_json::to_vec(list_meta).map_err(internal)?;
    let size: usize = items.iter().map(|i| i.len() + 1).sum::<usize>() + meta.len() + 128;
    let mut out = BytesMut::with_capacity(size);
    out.put_slice(b"{\"apiVersion\":\"");
    out.put_slice(API_VERSION.as_bytes());
    out.put_slice(b"\",\"kind\":\"");
    out.put_slice(def.kind.as_bytes());
    out.put_slice(b"List\",\"metadata\":");
    out.put_slice(&meta);
    out.put_slice(b",\"items\":[");
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.put_u8(b',');
        }
        out.put_slice(trim(item));
    }
    out.put_slice(b"]}\n");
    Ok(out.freeze())
}

/// `{"type":"<T>","object":<object>}\n`. The object must be compact JSON: a raw newline would
/// split the event for line-based clients (kube-rs, the Python client).
fn event_line(event_type: WatchEventType, object: &[u8]) -> Bytes {
    let mut out = BytesMut::with_capacity(object.len() + 32);
    out.put_slice(b"{\"type\":\"");
    out.put_slice(event_type.as_str().as_bytes());
    out.put_slice(b"\",\"object\":");
    out.put_slice(object);
    out.put_slice(b"}\n");
    out.freeze()
}

fn compact<T: Serialize>(doc: &T) -> Result<Vec<u8>, ApiError> {
    serde_json::to_vec(doc).map_err(internal)
}

/// One watch event in the negotiated output: the object itself, a one-row Table (column
/// definitions only when `first`), or a PartialObjectMetadata. Watch events are always JSON.
pub fn encode_watch_event(
    def: &ResourceDef,
    n: &Negotiated,
    opts: &TableOptions,
    event_type: WatchEventType,
    object: &Bytes,
    first: bool,
    now: jiff::Timestamp,
) -> Result<Bytes, ApiError> {
    match n.output {
        Output::Object => {
            let t = trim(object);
            if t.contains(&b'\n') {
                Ok(event_line(event_type, &compact(&decode(t)?)?))
            } else {
                Ok(event_line(event_type, t))
            }
        }
        Output::Table(v) => {
            let table = TableConvertor::for_kind(def).object(v, opts, decode(object)?, first, now);
            Ok(event_line(event_type, &compact(&table)?))
        }
        Output::PartialObjectMetadata(v) => Ok(event_line(
            event_type,
            &compact(&partial_of_bytes(v, object)?)?,
        )),
        Output::PartialObjectMetadataList(_) => Err(not_a_list()),
        Output::AggregatedDiscovery(_) => Err(ApiError::not_acceptable(&["application/json"])),
    }
}

/// A bookmark's object: an empty object of the watched kind with only its resourceVersion
/// (and the initial-events-end annotation when it ends a watch-list's initial events).
pub fn bookmark_object(
    def: &ResourceDef,
    resource_version: &str,
    initial_events_end: bool,
) -> Bytes {
    let rv = serde_json::to_string(resource_version).unwrap_or_else(|_| "\"\"".into());
    let annotations = if initial_events_end {
        format!(",\"annotations\":{{\"{INITIAL_EVENTS_END_ANNOTATION}\":\"true\"}}")
    } else {
        String::new()
    };
    Bytes::from(format!(
        "{{\"kind\":\"{}\",\"apiVersion\":\"{API_VERSION}\",\"metadata\":{{\"resourceVersion\":{rv}{annotations}}}}}",
        def.kind
    ))
}

/// A BOOKMARK event line for a plain watch.
pub fn bookmark(def: &ResourceDef, resource_version: &str, initial_events_end: bool) -> Bytes {
    event_line(
        WatchEventType::Bookmark,
        &bookmark_object(def, resource_version, initial_events_end),
    )
}

/// A BOOKMARK event in the negotiated output: metadata watchers (client-go's metadata informer)
/// decode it as a PartialObjectMetadata, so it is transformed like any other event.
pub fn encode_bookmark(
    def: &ResourceDef,
    n: &Negotiated,
    opts: &TableOptions,
    resource_version: &str,
    initial_events_end: bool,
    first: bool,
    now: jiff::Timestamp,
) -> Result<Bytes, ApiError> {
    let object = bookmark_object(def, resource_version, initial_events_end);
    encode_watch_event(def, n, opts, WatchEventType::Bookmark, &object, first, now)
}

/// An ERROR event carrying a Status (e.g. 410 Expired), which ends a watch.
pub fn watch_error(status: &Status) -> Bytes {
    let body = serde_json::to_vec(status).unwrap_or_else(|_| b"{}".to_vec());
    event_line(WatchEventType::Error, &body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use argo_apiserver_core::IncludeObject;
    use argo_apiserver_core::negotiation::{negotiate_list, negotiate_object, negotiate_watch};
    use argo_openapi::catalog::by_kind;
    use serde_json::json;

    const KUBECTL_GET: &str = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";
    const POM: &str =
        "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json";
    const POM_LIST: &str =
        "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json";

    fn def() -> &'static ResourceDef {
        by_kind("Application").unwrap()
    }

    fn now() -> jiff::Timestamp {
        "2026-01-10T12:00:00Z".parse().unwrap()
    }

    fn app(name: &str, rv: &str) -> Bytes {
        Bytes::from(
            json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
                   "metadata": {"name": name, "namespace": "argocd", "resourceVersion": rv,
                                "creationTimestamp": "2026-01-10T11:55:00Z",
                                "ownerReferences": [{"apiVersion": "v1", "kind": "X", "name": "o", "uid": "1"}]},
                   "spec": {"project": "default"},
                   "status": {"sync": {"status": "Synced"}}})
            .to_string(),
        )
    }

    fn json_of(b: &Bytes) -> Value {
        serde_json::from_slice(b).unwrap()
    }

    fn lm(rv: &str) -> ListMeta {
        ListMeta {
            resource_version: rv.into(),
            ..ListMeta::default()
        }
    }

    #[test]
    fn plain_json_object_is_the_stored_bytes_with_a_newline() {
        let n = negotiate_object(None, false).unwrap();
        let obj = app("a", "7");
        let (ct, body) = encode_object(def(), &n, &TableOptions::default(), &obj, now()).unwrap();
        assert_eq!(ct, "application/json");
        assert_eq!(&body[..body.len() - 1], &obj[..]);
        assert_eq!(body.last(), Some(&b'\n'));
        let n = negotiate_object(None, true).unwrap();
        let (_, body) = encode_object(def(), &n, &TableOptions::default(), &obj, now()).unwrap();
        assert!(body.starts_with(b"{\n  \""));
        assert_eq!(json_of(&body), json_of(&obj));
    }

    #[test]
    fn yaml_object_and_list() {
        let n = negotiate_object(Some("application/yaml"), false).unwrap();
        let (ct, body) =
            encode_object(def(), &n, &TableOptions::default(), &app("a", "7"), now()).unwrap();
        assert_eq!(ct, "application/yaml");
        let v: Value = serde_yaml::from_slice(&body).unwrap();
        assert_eq!(v, json_of(&app("a", "7")));
        let n = negotiate_list(Some("application/yaml"), false).unwrap();
        let (ct, body) = encode_list(
            def(),
            &n,
            &TableOptions::default(),
            &[app("a", "7")],
            &lm("9"),
            now(),
        )
        .unwrap();
        assert_eq!(ct, "application/yaml");
        let v: Value = serde_yaml::from_slice(&body).unwrap();
        assert_eq!(v["kind"], "ApplicationList");
        assert_eq!(v["metadata"], json!({"resourceVersion": "9"}));
        assert_eq!(v["items"][0]["metadata"]["name"], "a");
    }

    #[test]
    fn json_list_shape() {
        let n = negotiate_list(None, false).unwrap();
        let meta = ListMeta {
            resource_version: "12345".into(),
            continue_: Some("eyJ2Ijo".into()),
            remaining_item_count: Some(3),
        };
        let mut stored = BytesMut::from(&app("a", "7")[..]);
        stored.put_u8(b'\n');
        let items = vec![stored.freeze(), app("b", "8")];
        let (ct, body) =
            encode_list(def(), &n, &TableOptions::default(), &items, &meta, now()).unwrap();
        assert_eq!(ct, "application/json");
        let text = std::str::from_utf8(&body).unwrap();
        assert!(text.starts_with(
            r#"{"apiVersion":"argoproj.io/v1alpha1","kind":"ApplicationList","metadata":{"resourceVersion":"12345","continue":"eyJ2Ijo","remainingItemCount":3},"items":[{"#
        ));
        assert!(text.ends_with("}]}\n"));
        assert_eq!(text.matches('\n').count(), 1);
        let v = json_of(&body);
        assert_eq!(v["items"][1], json_of(&app("b", "8")));
        // Empty: items is [], continue and remainingItemCount absent.
        let (_, body) =
            encode_list(def(), &n, &TableOptions::default(), &[], &lm("5"), now()).unwrap();
        assert_eq!(
            &body[..],
            b"{\"apiVersion\":\"argoproj.io/v1alpha1\",\"kind\":\"ApplicationList\",\"metadata\":{\"resourceVersion\":\"5\"},\"items\":[]}\n"
        );
        let n = negotiate_list(None, true).unwrap();
        let (_, body) =
            encode_list(def(), &n, &TableOptions::default(), &[], &lm("5"), now()).unwrap();
        assert_eq!(json_of(&body)["items"], json!([]));
    }

    #[test]
    fn ten_thousand_items_splice() {
        let n = negotiate_list(None, false).unwrap();
        let items: Vec<Bytes> = (0..10_000)
            .map(|i| app(&format!("app-{i}"), &i.to_string()))
            .collect();
        let (_, body) = encode_list(
            def(),
            &n,
            &TableOptions::default(),
            &items,
            &lm("10000"),
            now(),
        )
        .unwrap();
        let v = json_of(&body);
        let got = v["items"].as_array().unwrap();
        assert_eq!(got.len(), 10_000);
        assert_eq!(got[9_999]["metadata"]["name"], "app-9999");
        assert_eq!(got[0]["metadata"]["resourceVersion"], "0");
    }

    #[test]
    fn table_get_and_list() {
        let n = negotiate_list(Some(KUBECTL_GET), false).unwrap();
        let (ct, body) = encode_list(
            def(),
            &n,
            &TableOptions::default(),
            &[app("guestbook", "7")],
            &lm("12345"),
            now(),
        )
        .unwrap();
        assert_eq!(ct, "application/json");
        let v = json_of(&body);
        assert_eq!(v["kind"], "Table");
        assert_eq!(v["apiVersion"], "meta.k8s.io/v1");
        assert_eq!(v["metadata"], json!({"resourceVersion": "12345"}));
        assert_eq!(
            v["rows"][0]["cells"],
            json!(["guestbook", "Synced", null, null, "default", "5m"])
        );
        assert_eq!(
            v["rows"][0]["object"],
            json!({"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                   "metadata": {"name": "guestbook", "namespace": "argocd", "resourceVersion": "7",
                                "creationTimestamp": "2026-01-10T11:55:00Z",
                                "ownerReferences": [{"apiVersion": "v1", "kind": "X", "name": "o", "uid": "1"}]}})
        );
        let n = negotiate_object(
            Some("application/json;as=Table;v=v1beta1;g=meta.k8s.io"),
            false,
        )
        .unwrap();
        let opts = TableOptions {
            include_object: IncludeObject::Object,
        };
        let (_, body) = encode_object(def(), &n, &opts, &app("guestbook", "7"), now()).unwrap();
        let v = json_of(&body);
        assert_eq!(v["apiVersion"], "meta.k8s.io/v1beta1");
        assert_eq!(v["metadata"], json!({"resourceVersion": "7"}));
        assert_eq!(v["rows"][0]["object"], json_of(&app("guestbook", "7")));
        assert_eq!(v["columnDefinitions"].as_array().unwrap().len(), 6);
        // Table as YAML.
        let n =
            negotiate_object(Some("application/yaml;as=Table;v=v1;g=meta.k8s.io"), false).unwrap();
        let (ct, body) = encode_object(
            def(),
            &n,
            &TableOptions::default(),
            &app("guestbook", "7"),
            now(),
        )
        .unwrap();
        assert_eq!(ct, "application/yaml");
        let v: Value = serde_yaml::from_slice(&body).unwrap();
        assert_eq!(v["kind"], "Table");
        assert_eq!(v["rows"][0]["cells"][0], "guestbook");
    }

    #[test]
    fn partial_object_metadata_forms() {
        let n = negotiate_object(Some(POM), false).unwrap();
        let (_, body) =
            encode_object(def(), &n, &TableOptions::default(), &app("a", "7"), now()).unwrap();
        assert_eq!(
            json_of(&body),
            json!({"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                   "metadata": {"name": "a", "namespace": "argocd", "resourceVersion": "7",
                                "creationTimestamp": "2026-01-10T11:55:00Z",
                                "ownerReferences": [{"apiVersion": "v1", "kind": "X", "name": "o", "uid": "1"}]}})
        );
        let n = negotiate_list(Some(POM_LIST), false).unwrap();
        let meta = ListMeta {
            resource_version: "12345".into(),
            continue_: Some("c".into()),
            remaining_item_count: Some(1),
        };
        let (_, body) = encode_list(
            def(),
            &n,
            &TableOptions::default(),
            &[app("a", "7"), app("b", "8")],
            &meta,
            now(),
        )
        .unwrap();
        let text = std::str::from_utf8(&body).unwrap();
        assert!(text.starts_with(r#"{"kind":"PartialObjectMetadataList","apiVersion":"meta.k8s.io/v1","metadata":{"resourceVersion":"12345","continue":"c","remainingItemCount":1},"items":[{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":{"name":"a","#));
        assert_eq!(json_of(&body)["items"][1]["metadata"]["name"], "b");
        assert!(json_of(&body)["items"][1].get("spec").is_none());
    }

    #[test]
    fn wrong_form_is_406() {
        let single = Negotiated {
            output: Output::PartialObjectMetadata(MetaVersion::V1),
            format: Format::Json,
            pretty: false,
        };
        let e = encode_list(
            def(),
            &single,
            &TableOptions::default(),
            &[],
            &lm("1"),
            now(),
        )
        .unwrap_err();
        assert_eq!(e.code(), 406);
        assert_eq!(
            e.status.message,
            "you requested PartialObjectMetadata, but the requested object is a list (*unstructured.UnstructuredList)"
        );
        let list = Negotiated {
            output: Output::PartialObjectMetadataList(MetaVersion::V1),
            ..single
        };
        let e = encode_object(
            def(),
            &list,
            &TableOptions::default(),
            &app("a", "1"),
            now(),
        )
        .unwrap_err();
        assert_eq!(e.code(), 406);
        assert_eq!(
            e.status.message,
            "you requested PartialObjectMetadataList, but the requested object is not a list (*unstructured.Unstructured)"
        );
        let e = encode_watch_event(
            def(),
            &list,
            &TableOptions::default(),
            WatchEventType::Added,
            &app("a", "1"),
            true,
            now(),
        )
        .unwrap_err();
        assert_eq!(e.code(), 406);
    }

    #[test]
    fn watch_events() {
        let n = negotiate_watch(None).unwrap();
        assert_eq!(watch_content_type(&n), "application/json");
        let obj = app("a", "101");
        let line = encode_watch_event(
            def(),
            &n,
            &TableOptions::default(),
            WatchEventType::Added,
            &obj,
            true,
            now(),
        )
        .unwrap();
        let mut want = b"{\"type\":\"ADDED\",\"object\":".to_vec();
        want.extend_from_slice(&obj);
        want.extend_from_slice(b"}\n");
        assert_eq!(&line[..], &want[..]);
        // A stored object with newlines is compacted: one event, one line.
        let pretty = Bytes::from(serde_json::to_vec_pretty(&json_of(&obj)).unwrap());
        let line = encode_watch_event(
            def(),
            &n,
            &TableOptions::default(),
            WatchEventType::Modified,
            &pretty,
            false,
            now(),
        )
        .unwrap();
        assert_eq!(line.iter().filter(|b| **b == b'\n').count(), 1);
        assert_eq!(
            json_of(&line),
            json!({"type": "MODIFIED", "object": json_of(&obj)})
        );
    }

    #[test]
    fn table_watch_events_drop_headers_after_the_first() {
        let n = negotiate_watch(Some(KUBECTL_GET)).unwrap();
        let opts = TableOptions::default();
        let first = json_of(
            &encode_watch_event(
                def(),
                &n,
                &opts,
                WatchEventType::Added,
                &app("a", "1"),
                true,
                now(),
            )
            .unwrap(),
        );
        let later = json_of(
            &encode_watch_event(
                def(),
                &n,
                &opts,
                WatchEventType::Modified,
                &app("a", "2"),
                false,
                now(),
            )
            .unwrap(),
        );
        assert_eq!(first["type"], "ADDED");
        assert_eq!(first["object"]["kind"], "Table");
        assert_eq!(
            first["object"]["columnDefinitions"]
                .as_array()
                .unwrap()
                .len(),
            6
        );
        assert_eq!(first["object"]["rows"].as_array().unwrap().len(), 1);
        assert_eq!(later["object"]["columnDefinitions"], Value::Null);
        assert_eq!(later["object"]["metadata"], json!({"resourceVersion": "2"}));
        assert_eq!(later["object"]["rows"][0]["cells"][0], "a");
        let n = negotiate_watch(Some(POM)).unwrap();
        let ev = json_of(
            &encode_watch_event(
                def(),
                &n,
                &opts,
                WatchEventType::Deleted,
                &app("a", "3"),
                true,
                now(),
            )
            .unwrap(),
        );
        assert_eq!(ev["type"], "DELETED");
        assert_eq!(ev["object"]["kind"], "PartialObjectMetadata");
        assert_eq!(ev["object"]["metadata"]["resourceVersion"], "3");
    }

    #[test]
    fn bookmarks_and_errors() {
        assert_eq!(
            &bookmark(def(), "120", false)[..],
            b"{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"Application\",\"apiVersion\":\"argoproj.io/v1alpha1\",\"metadata\":{\"resourceVersion\":\"120\"}}}\n"
        );
        assert_eq!(
            json_of(&bookmark(def(), "120", true)),
            json!({"type": "BOOKMARK", "object": {"kind": "Application", "apiVersion": "argoproj.io/v1alpha1",
                   "metadata": {"resourceVersion": "120", "annotations": {"k8s.io/initial-events-end": "true"}}}})
        );
        let n = negotiate_watch(Some(POM)).unwrap();
        let b = json_of(
            &encode_bookmark(def(), &n, &TableOptions::default(), "9", true, false, now()).unwrap(),
        );
        assert_eq!(
            b,
            json!({"type": "BOOKMARK", "object": {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                   "metadata": {"resourceVersion": "9", "annotations": {"k8s.io/initial-events-end": "true"}}}})
        );
        let e = ApiError::expired("too old resource version: 5 (100)");
        assert_eq!(
            &watch_error(&e.status)[..],
            b"{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\"too old resource version: 5 (100)\",\"reason\":\"Expired\",\"code\":410}}\n"
        );
    }

    /// Reports how long each list output takes for 10,000 Applications; asserts nothing about
    /// time. Run with `cargo test -p argo-apiserver --release --lib -- --ignored --nocapture
    /// output::tests::report_list_encoding_cost`.
    #[test]
    #[ignore]
    fn report_list_encoding_cost() {
        use std::time::Instant;
        let items: Vec<Bytes> = (0..10_000)
            .map(|i| app(&format!("app-{i}"), &i.to_string()))
            .collect();
        let bytes: usize = items.iter().map(Bytes::len).sum();
        println!("10,000 Applications, {bytes} bytes of items");
        let cases = [
            ("json (spliced)", None),
            ("json pretty", Some("pretty")),
            ("yaml", Some("application/yaml")),
            ("table", Some(KUBECTL_GET)),
            ("partial object metadata list", Some(POM_LIST)),
        ];
        for (name, accept) in cases {
            let n = match accept {
                Some("pretty") => negotiate_list(None, true).unwrap(),
                a => negotiate_list(a, false).unwrap(),
            };
            let runs = 5;
            let start = Instant::now();
            let mut len = 0;
            for _ in 0..runs {
                let (_, body) =
                    encode_list(def(), &n, &TableOptions::default(), &items, &lm("1"), now())
                        .unwrap();
                len = body.len();
            }
            let ms = start.elapsed().as_secs_f64() * 1000.0 / f64::from(runs);
            println!("{name:<32} {ms:>9.2} ms/list  {len:>10} bytes");
        }
        let start = Instant::now();
        for i in &items {
            std::hint::black_box(json_of(i));
        }
        let ms = start.elapsed().as_secs_f64() * 1000.0;
        println!(
            "{:<32} {ms:>9.2} ms (reference: parsing every item once)",
            "parse only"
        );
    }
}
