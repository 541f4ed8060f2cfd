//! Objects as the registry handles them: JSON values, stored without `resourceVersion` (the
//! storage revision is the resourceVersion, filled in on every read, as kube's etcd3 store does).

use argo_apiserver_core::ApiError;
use argo_apiserver_storage::Revision;
use argo_apiserver_storage::cacher::ObjectAttrs;
use argo_openapi::ResourceDef;
use bytes::Bytes;
use serde_json::{Map, Value};

/// The fields of ObjectMeta, for unknown-field detection under `metadata`.
pub const OBJECT_META_FIELDS: &[&str] = &[
    "annotations",
    "creationTimestamp",
    "deletionGracePeriodSeconds",
    "deletionTimestamp",
    "finalizers",
    "generateName",
    "generation",
    "labels",
    "managedFields",
    "name",
    "namespace",
    "ownerReferences",
    "resourceVersion",
    "selfLink",
    "uid",
];

pub fn meta(obj: &Value) -> &Value {
    &obj["metadata"]
}

pub fn meta_mut(obj: &mut Value) -> &mut Map<String, Value> {
    if !obj.is_object() {
        *obj = Value::Object(Map::new());
    }
    if !obj["metadata"].is_object() {
        obj["metadata"] = Value::Object(Map::new());
    }
    match obj.get_mut("metadata") {
        Some(Value::Object(m)) => m,
        // Both were made objects just above.
        _ => unreachable!("metadata is an object"),
    }
}

pub fn meta_str<'a>(obj: &'a Value, field: &str) -> Option<&'a str> {
    obj["metadata"][field].as_str().filter(|s| !s.is_empty())
}

pub fn name(obj: &Value) -> &str {
    meta_str(obj, "name").unwrap_or("")
}

pub fn finalizers(obj: &Value) -> Vec<String> {
    obj["metadata"]["finalizers"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|f| f.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

pub fn is_deleting(obj: &Value) -> bool {
    meta_str(obj, "deletionTimestamp").is_some()
}

/// The bytes to store: the object without its resourceVersion.
pub fn to_stored(obj: &Value) -> Result<Bytes, ApiError> {
    let mut copy = obj.clone();
    if let Some(Value::Object(m)) = copy.get_mut("metadata") {
        m.remove("resourceVersion");
        m.remove("selfLink");
    }
    serde_json::to_vec(&copy)
        .map(Bytes::from)
        .map_err(ApiError::internal)
}

/// A stored value decoded, with its resourceVersion set.
pub fn from_stored(value: &[u8], revision: Revision) -> Result<Value, ApiError> {
    let mut obj: Value = serde_json::from_slice(value).map_err(ApiError::internal)?;
    meta_mut(&mut obj).insert(
        "resourceVersion".into(),
        Value::String(revision.to_string()),
    );
    Ok(obj)
}

/// The stored value as clients see it at `revision` (used by the cache for every watcher).
pub fn encode_at(value: &[u8], revision: Revision) -> Bytes {
    match from_stored(value, revision)
        .and_then(|o| serde_json::to_vec(&o).map_err(ApiError::internal))
    {
        Ok(mut v) => {
            // The cache keeps this for the object's lifetime: no growth slack.
            v.shrink_to_fit();
            Bytes::from(v)
        }
        // A value that does not decode was never written by us; show it as stored.
        Err(_) => Bytes::copy_from_slice(value),
    }
}

pub fn to_bytes(obj: &Value) -> Result<Bytes, ApiError> {
    serde_json::to_vec(obj)
        .map(Bytes::from)
        .map_err(ApiError::internal)
}

/// Reads a value at a JSON path like `.spec.destination.server` (the catalog's form).
pub fn json_path<'a>(obj: &'a Value, path: &str) -> Option<&'a Value> {
    let mut cur = obj;
    for seg in path.trim_start_matches('.').split('.') {
        cur = cur.get(seg)?;
    }
    Some(cur)
}

/// Field selector values are strings: numbers and booleans print as JSON does.
fn field_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Bool(_) | Value::Number(_) => Some(v.to_string()),
        _ => None,
    }
}

/// What filtering needs: labels, and the selectable fields as field-selector keys.
pub fn attrs(def: &ResourceDef, obj: &Value) -> ObjectAttrs {
    let labels: Vec<(&str, &str)> = obj["metadata"]["labels"]
        .as_object()
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|v| (k.as_str(), v)))
                .collect()
        })
        .unwrap_or_default();
    let mut fields: Vec<(&str, String)> = vec![("metadata.name", name(obj).to_string())];
    if def.namespaced() {
        fields.push((
            "metadata.namespace",
            meta_str(obj, "namespace").unwrap_or("").to_string(),
        ));
    }
    for path in def.selectable_fields {
        let value = json_path(obj, path)
            .and_then(field_string)
            .unwrap_or_default();
        fields.push((path.trim_start_matches('.'), value));
    }
    ObjectAttrs::new(labels, fields.iter().map(|(p, v)| (*p, v.as_str())))
}

/// Everything outside `metadata` (and, optionally, `status`), for "did the spec change".
pub fn without_meta(obj: &Value, drop_status: bool) -> Map<String, Value> {
    obj.as_object()
        .map(|m| {
            m.iter()
                .filter(|(k, _)| {
                    k.as_str() != "metadata"
                        && k.as_str() != "apiVersion"
                        && k.as_str() != "kind"
                        && !(drop_status && k.as_str() == "status")
                })
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .unwrap_or_default()
}

/// Paths of unknown fields under `metadata` (kube reports them like any other unknown field).
pub fn unknown_meta_fields(obj: &Value) -> Vec<String> {
    obj["metadata"]
        .as_object()
        .map(|m| {
            m.keys()
                .filter(|k| !OBJECT_META_FIELDS.contains(&k.as_str()))
                .map(|k| format!("metadata.{k}"))
                .collect()
        })
        .unwrap_or_default()
}

pub fn prune_meta(obj: &mut Value) {
    if let Some(Value::Object(m)) = obj.get_mut("metadata") {
        m.retain(|k, _| OBJECT_META_FIELDS.contains(&k.as_str()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn stored_form_has_no_resource_version_and_reads_get_one() {
        let obj = json!({"metadata": {"name": "a", "resourceVersion": "7"}, "spec": {}});
        let stored = to_stored(&obj).unwrap();
        assert!(!String::from_utf8_lossy(&stored).contains("resourceVersion"));
        let back = from_stored(&stored, 9).unwrap();
        assert_eq!(back["metadata"]["resourceVersion"], "9");
    }

    #[test]
    fn attrs_carry_labels_and_selectable_fields() {
        let def = argo_openapi::catalog::by_kind("Application").unwrap();
        let obj = json!({"metadata": {"name": "a", "namespace": "n", "labels": {"team": "x"}},
                         "spec": {"project": "p", "destination": {"namespace": "d"}}});
        let a = attrs(def, &obj);
        assert_eq!(a.labels()["team"], "x");
        assert_eq!(a.field("metadata.name"), "a");
        assert_eq!(a.field("metadata.namespace"), "n");
        assert_eq!(a.field("spec.project"), "p");
        assert_eq!(a.field("spec.destination.namespace"), "d");
        assert_eq!(a.field("spec.destination.server"), "");
    }
}
