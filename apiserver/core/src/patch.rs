//! Patch bodies: parsed by patch type (JSON patch, merge patch, apply configuration) and
//! applied to an object. Pure functions of bytes and values, so they can be fuzzed alone; the
//! field manager merges apply configurations (the registry's).

use serde_json::{Value, json};

use crate::{ApiError, PatchType};

/// kube-apiserver's maxJSONPatchOperations.
pub const MAX_JSON_PATCH_OPERATIONS: usize = 10_000;

/// kube-apiserver's JSONPatchMaxCopyBytes (the request body limit): how much a JSON patch's
/// `copy` operations may add in all. Without it ~40 copies of the root, in a body of a few
/// kilobytes, double an object 40 times.
pub const MAX_JSON_PATCH_COPY_BYTES: usize = 3 * 1024 * 1024;

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
        PatchType::Json => {
            let patch = serde_json::from_slice::<json_patch::Patch>(body)
                .map_err(|e| ApiError::bad_request(format!("error decoding patch: {e}")))?;
            if patch.0.len() > MAX_JSON_PATCH_OPERATIONS {
                return Err(ApiError::request_entity_too_large(format_args!(
                    "The allowed maximum operations in a JSON patch is {MAX_JSON_PATCH_OPERATIONS}, got {}",
                    patch.0.len()
                )));
            }
            Ok(Patch::Json(patch))
        }
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
        Patch::Json(p) => apply_json_patch(&mut new, p)?,
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

/// Applies the operations one by one to `doc` (a copy: on error it is dropped, so nothing is
/// half-applied), counting what `copy` operations add against [`MAX_JSON_PATCH_COPY_BYTES`].
fn apply_json_patch(doc: &mut Value, patch: &json_patch::Patch) -> Result<(), ApiError> {
    let mut copied = 0usize;
    for (i, op) in patch.0.iter().enumerate() {
        if let json_patch::PatchOperation::Copy(c) = op
            && let Some(from) = doc.pointer(c.from.as_str())
        {
            copied = copied.saturating_add(json_size(from));
            if copied > MAX_JSON_PATCH_COPY_BYTES {
                return Err(ApiError::patch_not_applied(format!(
                    "Unable to complete the copy, the accumulated size increase of copy is {copied}, exceeding the limit {MAX_JSON_PATCH_COPY_BYTES}"
                )));
            }
        }
        json_patch::patch_unsafe(doc, std::slice::from_ref(op)).map_err(|mut e| {
            e.operation = i;
            ApiError::patch_not_applied(e.to_string())
        })?;
    }
    Ok(())
}

/// The length of `v` as compact JSON, without writing it anywhere.
fn json_size(v: &Value) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    // Writing a Value to a sink that never fails cannot fail.
    let _ = serde_json::to_writer(&mut count, v);
    count.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json_patch(ops: &str) -> Patch {
        parse_patch(PatchType::Json, ops.as_bytes()).expect("a JSON patch")
    }

    #[test]
    fn copies_cannot_blow_an_object_up() {
        // Each copy of the root doubles the object: 40 of them would need terabytes.
        let ops: Vec<String> = (0..40)
            .map(|i| format!(r#"{{"op":"copy","from":"","path":"/x{i}"}}"#))
            .collect();
        let patch = json_patch(&format!("[{}]", ops.join(",")));
        let old = json!({"spec": {"data": "x".repeat(1024)}});
        let e = apply_patch(&patch, &old).expect_err("refused");
        assert_eq!(e.code(), 422);
        assert!(
            e.status.message.starts_with(
                "Unable to complete the copy, the accumulated size increase of copy is"
            ),
            "{}",
            e.status.message
        );
        // Small copies are fine.
        let ok = json_patch(r#"[{"op":"copy","from":"/spec","path":"/status"}]"#);
        assert_eq!(
            apply_patch(&ok, &old).expect("applies")["status"],
            old["spec"]
        );
    }

    #[test]
    fn too_many_operations_are_too_large() {
        let op = r#"{"op":"test","path":"","value":{}}"#;
        let ops = vec![op; MAX_JSON_PATCH_OPERATIONS + 1].join(",");
        let e = parse_patch(PatchType::Json, format!("[{ops}]").as_bytes())
            .err()
            .expect("refused");
        assert_eq!(e.code(), 413);
        assert_eq!(
            e.status.message,
            "Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001"
        );
        let ops = vec![op; MAX_JSON_PATCH_OPERATIONS].join(",");
        assert!(parse_patch(PatchType::Json, format!("[{ops}]").as_bytes()).is_ok());
    }

    #[test]
    fn a_failing_operation_is_named_by_its_index() {
        let patch =
            json_patch(r#"[{"op":"add","path":"/a","value":1},{"op":"remove","path":"/nope"}]"#);
        let e = apply_patch(&patch, &json!({})).expect_err("refused");
        assert_eq!(e.code(), 422);
        assert!(
            e.status.message.starts_with("operation '/1' failed"),
            "{}",
            e.status.message
        );
    }
}
