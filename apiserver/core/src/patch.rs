//! Patch bodies: parsed by patch type (JSON patch, merge patch, apply configuration) and
//! applied to an object. Pure functions of bytes and values, so they can be fuzzed alone; the
//! field manager merges apply configurations (the registry's).

use serde_json::{Value, json};

use crate::{ApiError, PatchType};

/// A parsed patch body.
pub enum Patch {
    Json(json_patch::Patch),
    Merge(Value),
    /// A server-side apply configuration (from YAML or JSON).
    Apply(Value),
}

/// An apply body: JSON (what kubectl and client-go send) or YAML, as kube's `yaml.Unmarshal`.
pub fn parse_apply(body: &[u8]) -> Result<Value, ApiError> {
    if let Ok(v) = serde_json::from_slice::<Value>(body) {
        return Ok(v);
    }
    let yaml: serde_yaml::Value = serde_yaml::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("error decoding YAML: {e}")))?;
    let value = match yaml {
        // An empty document is an empty object, as Go's yaml.Unmarshal leaves the map empty.
        serde_yaml::Value::Null => json!({}),
        other => serde_json::to_value(other)
            .map_err(|e| ApiError::bad_request(format!("error decoding YAML: {e}")))?,
    };
    Ok(value)
}

/// Parses a patch body of the given type.
pub fn parse_patch(patch_type: PatchType, body: &[u8]) -> Result<Patch, ApiError> {
    match patch_type {
        PatchType::Json => serde_json::from_slice::<json_patch::Patch>(body)
            .map(Patch::Json)
            .map_err(|e| ApiError::bad_request(format!("error decoding patch: {e}"))),
        PatchType::Merge => serde_json::from_slice::<Value>(body)
            .map(Patch::Merge)
            .map_err(|e| ApiError::bad_request(format!("error decoding patch: {e}"))),
        PatchType::Apply => parse_apply(body).map(Patch::Apply),
    }
}

/// Applies a JSON or merge patch to `old`; an apply configuration is refused (the field
/// manager merges those).
pub fn apply_patch(patch: &Patch, old: &Value) -> Result<Value, ApiError> {
    let mut new = old.clone();
    match patch {
        Patch::Json(p) => json_patch::patch(&mut new, p).map_err(|e| {
            let mut err = ApiError::internal(&e);
            err.status.code = 422;
            err.status.reason = "Invalid".into();
            err.status.message = e.to_string();
            err.status.details = None;
            err
        })?,
        Patch::Merge(p) => {
            if !p.is_object() {
                return Err(ApiError::bad_request("a merge patch must be a JSON object"));
            }
            json_patch::merge(&mut new, p)
        }
        Patch::Apply(_) => {
            return Err(ApiError::internal(
                "an apply configuration is merged by the field manager, not patched",
            ));
        }
    }
    Ok(new)
}
