//! The `scale` subresource: an `autoscaling/v1` Scale read from and written to the paths the
//! catalog declares (for Rollout: spec.replicas, status.HPAReplicas, status.selector), so an
//! HPA or `kubectl scale` can drive a Rollout.

use argo_apiserver_core::ApiError;
use argo_apiserver_core::params::{PatchOptions, PatchType, WriteOptions};
use argo_openapi::catalog::ScaleDef;
use argo_openapi::validation::FieldError;
use serde_json::{Value, json};

use crate::Subresource;
use crate::generic::{
    DEFAULT_MANAGER, FieldOwner, KindStore, Patch, WriteResult, apply_patch, parse_patch,
};
use crate::object::json_path;

/// Writes through `/scale` are recorded with this subresource, owning only the replicas.
const SCALE: Option<&str> = Some("scale");

fn scale_owner(manager: Option<&str>) -> FieldOwner<'_> {
    FieldOwner {
        manager: manager.unwrap_or(DEFAULT_MANAGER),
        subresource: SCALE,
    }
}

fn scale_def(store: &KindStore) -> Result<ScaleDef, ApiError> {
    store.def.scale.ok_or_else(ApiError::path_not_found)
}

/// The Scale view of an object.
pub fn to_scale(def: ScaleDef, obj: &Value) -> Value {
    let m = &obj["metadata"];
    let mut metadata = serde_json::Map::new();
    for field in [
        "name",
        "namespace",
        "uid",
        "resourceVersion",
        "creationTimestamp",
    ] {
        if let Some(v) = m.get(field) {
            metadata.insert(field.into(), v.clone());
        }
    }
    let spec_replicas = json_path(obj, def.spec_replicas_path)
        .and_then(Value::as_i64)
        .unwrap_or(0);
    let status_replicas = json_path(obj, def.status_replicas_path)
        .and_then(Value::as_i64)
        .unwrap_or(0);
    let mut status = json!({"replicas": status_replicas});
    if let Some(sel) = json_path(obj, def.label_selector_path).and_then(Value::as_str) {
        status["selector"] = json!(sel);
    }
    json!({
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": metadata,
        "spec": {"replicas": spec_replicas},
        "status": status,
    })
}

fn set_path(obj: &mut Value, path: &str, value: Value) {
    let segs: Vec<&str> = path.trim_start_matches('.').split('.').collect();
    let mut cur = obj;
    for (i, seg) in segs.iter().enumerate() {
        if !cur.is_object() {
            *cur = json!({});
        }
        if i == segs.len() - 1 {
            cur[*seg] = value;
            return;
        }
        cur = &mut cur[*seg];
    }
}

fn replicas_of(scale: &Value, name: &str) -> Result<i64, ApiError> {
    if scale["kind"].as_str().is_some_and(|k| k != "Scale") {
        return Err(ApiError::bad_request(format!(
            "the kind in the data ({}) does not match the expected kind (Scale)",
            scale["kind"].as_str().unwrap_or("")
        )));
    }
    match scale["spec"]["replicas"].as_i64() {
        Some(r) if r >= 0 => Ok(r),
        Some(r) => Err(ApiError::invalid(
            "Scale",
            "autoscaling",
            name,
            &[FieldError::invalid(
                "spec.replicas",
                json!(r),
                "must be greater than or equal to 0",
            )],
        )),
        None => Ok(0),
    }
}

impl KindStore {
    pub async fn get_scale(&self, namespace: Option<&str>, name: &str) -> Result<Value, ApiError> {
        let def = scale_def(self)?;
        Ok(to_scale(def, &self.get_value(namespace, name).await?))
    }

    /// PUT of a Scale: sets the replicas (its resourceVersion, when given, is a precondition).
    pub async fn update_scale(
        &self,
        namespace: Option<&str>,
        name: &str,
        scale: Value,
        opts: &WriteOptions,
    ) -> Result<Value, ApiError> {
        let def = scale_def(self)?;
        let replicas = replicas_of(&scale, name)?;
        let rv = scale["metadata"]["resourceVersion"]
            .as_str()
            .filter(|s| !s.is_empty());
        let owner = scale_owner(opts.field_manager.as_deref());
        let result = self
            .update_with_owner(namespace, name, opts.dry_run, rv, owner, |obj| {
                set_path(obj, def.spec_replicas_path, json!(replicas));
                Ok(())
            })
            .await?;
        scale_of_result(def, &result)
    }

    /// PATCH of a Scale (json or merge patch applied to the Scale view).
    pub async fn patch_scale(
        &self,
        namespace: Option<&str>,
        name: &str,
        patch_type: PatchType,
        patch: &[u8],
        opts: &PatchOptions,
    ) -> Result<Value, ApiError> {
        let def = scale_def(self)?;
        let patch = parse_patch(patch_type, patch)?;
        if let Patch::Apply(config) = patch {
            return self.apply_scale(namespace, name, def, config, opts).await;
        }
        let current = self.get_value(namespace, name).await?;
        let patched = apply_patch(&patch, &to_scale(def, &current))?;
        let replicas = replicas_of(&patched, name)?;
        let rv_before = current["metadata"]["resourceVersion"]
            .as_str()
            .map(str::to_string);
        let rv_after = patched["metadata"]["resourceVersion"]
            .as_str()
            .map(str::to_string);
        // Only a resourceVersion the patch itself changed is a precondition.
        let precondition = if rv_after != rv_before {
            rv_after
        } else {
            None
        };
        let result = self
            .update_with_owner(
                namespace,
                name,
                opts.dry_run,
                precondition.as_deref(),
                scale_owner(opts.field_manager.as_deref()),
                |obj| {
                    set_path(obj, def.spec_replicas_path, json!(replicas));
                    Ok(())
                },
            )
            .await?;
        scale_of_result(def, &result)
    }

    /// Server-side apply of a Scale. As kube does for a custom resource's scale subresource, the
    /// Scale's `spec.replicas` is the object's replicas path: the configuration is carried over
    /// to the object, and the manager's entry there has subresource `scale`. The object must
    /// exist (no create through `/scale`).
    async fn apply_scale(
        &self,
        namespace: Option<&str>,
        name: &str,
        def: ScaleDef,
        config: Value,
        opts: &PatchOptions,
    ) -> Result<Value, ApiError> {
        if !config.is_object() {
            return Err(ApiError::bad_request(
                "error decoding YAML: the apply configuration must be an object",
            ));
        }
        let api_version = config["apiVersion"].as_str().unwrap_or("");
        if api_version != "autoscaling/v1" {
            return Err(ApiError::bad_request(format!(
                "Incorrect version specified in apply patch. Specified patch version: {api_version}, expected: autoscaling/v1"
            )));
        }
        if config["metadata"]
            .get("managedFields")
            .is_some_and(|m| !m.is_null())
        {
            return Err(ApiError::bad_request("metadata.managedFields must be nil"));
        }
        if let Some(r) = config["spec"].get("replicas") {
            replicas_of(&json!({"spec": {"replicas": r}}), name)?;
        }
        let config_name = config["metadata"]["name"].as_str().unwrap_or("");
        if config_name != name {
            return Err(ApiError::bad_request(format!(
                "the name of the object ({config_name}) does not match the name on the URL ({name})"
            )));
        }
        let mut parent = json!({
            "apiVersion": argo_openapi::catalog::API_VERSION,
            "kind": self.def.kind,
            "metadata": {"name": name},
        });
        if let Some(ns) = namespace.filter(|_| self.def.namespaced()) {
            parent["metadata"]["namespace"] = json!(ns);
        }
        if let Some(rv) = config["metadata"]["resourceVersion"]
            .as_str()
            .filter(|rv| !rv.is_empty())
        {
            parent["metadata"]["resourceVersion"] = json!(rv);
        }
        if let Some(r) = config["spec"].get("replicas") {
            set_path(&mut parent, def.spec_replicas_path, r.clone());
        }
        let result = self
            .apply_as(namespace, name, parent, opts, Subresource::Action, SCALE)
            .await?;
        scale_of_result(def, &result)
    }
}

fn scale_of_result(def: ScaleDef, result: &WriteResult) -> Result<Value, ApiError> {
    let obj: Value = serde_json::from_slice(&result.object).map_err(ApiError::internal)?;
    Ok(to_scale(def, &obj))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_view_reads_the_declared_paths() {
        let def = argo_openapi::catalog::by_kind("Rollout")
            .unwrap()
            .scale
            .unwrap();
        let ro = json!({"metadata": {"name": "r", "namespace": "n", "resourceVersion": "5"},
                        "spec": {"replicas": 3}, "status": {"HPAReplicas": 2, "selector": "app=r"}});
        let s = to_scale(def, &ro);
        assert_eq!(s["spec"]["replicas"], 3);
        assert_eq!(s["status"]["replicas"], 2);
        assert_eq!(s["status"]["selector"], "app=r");
        assert_eq!(s["metadata"]["resourceVersion"], "5");
        let mut obj = json!({"spec": {}});
        set_path(&mut obj, ".spec.replicas", json!(7));
        assert_eq!(obj["spec"]["replicas"], 7);
    }
}
