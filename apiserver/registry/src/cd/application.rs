//! Application admission (upstream: the API server's `validateAndNormalizeApp` and the
//! controller's project conditions): the project defaults to `default`; a create never carries
//! an operation; sources and destination must be permitted by the project. A missing project, or
//! one that does not admit Applications from the app's namespace (`sourceNamespaces`), is
//! accepted with a Warning and an `InvalidSpecError` condition, as upstream's controller records
//! them, so the order in which GitOps applies projects and applications does not matter.

use argo_apiserver_core::ApiError;
use argo_openapi::catalog::GROUP;
use argo_openapi::types::cd::Application;
use argo_webhooks::project::{
    DEFAULT_PROJECT, is_app_namespace_permitted, validate_application_permissions,
};
use serde_json::{Value, json};

use super::CdAdmission;
use crate::admission::{Admission, Operation};
use crate::object;

pub struct ApplicationAdmission(pub CdAdmission);

const CONDITION: &str = "InvalidSpecError";

/// The message upstream's controller records when the project is missing.
fn missing_message(project: &str) -> String {
    format!("Application referencing project {project} which does not exist")
}

/// Upstream's `ErrApplicationNotAllowedToUseProject`.
fn namespace_message(app: &str, namespace: &str, project: &str) -> String {
    format!(
        "application '{app}' in namespace '{namespace}' is not allowed to use project {project}"
    )
}

/// Whether a condition is one this admission sets (and so may clear).
fn is_ours(message: &str) -> bool {
    (message.starts_with("Application referencing project ")
        && message.ends_with(" which does not exist"))
        || (message.starts_with("application '")
            && message.contains(" is not allowed to use project "))
}

fn project_of(obj: &Value) -> &str {
    obj["spec"]["project"]
        .as_str()
        .filter(|p| !p.is_empty())
        .unwrap_or(DEFAULT_PROJECT)
}

/// Sets (or, with `None`, removes) our project condition, keeping every other one.
fn set_project_condition(obj: &mut Value, message: Option<String>, now: &str) {
    let existing: Vec<Value> = obj["status"]["conditions"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let ours = |c: &Value| c["type"] == CONDITION && c["message"].as_str().is_some_and(is_ours);
    let mut conditions: Vec<Value> = existing.iter().filter(|c| !ours(c)).cloned().collect();
    if let Some(message) = message {
        // Keep the original transition time while the condition holds.
        let since = existing
            .iter()
            .find(|c| ours(c) && c["message"] == message.as_str())
            .and_then(|c| c["lastTransitionTime"].as_str())
            .unwrap_or(now)
            .to_string();
        conditions
            .push(json!({"type": CONDITION, "message": message, "lastTransitionTime": since}));
    }
    if conditions.len() == existing.len() && conditions == existing {
        return;
    }
    let Some(o) = obj.as_object_mut() else { return };
    let status = o.entry("status").or_insert_with(|| json!({}));
    if !status.is_object() {
        *status = json!({});
    }
    if conditions.is_empty() {
        if let Some(s) = status.as_object_mut() {
            s.remove("conditions");
        }
        if status.as_object().is_some_and(|s| s.is_empty()) {
            o.remove("status");
        }
    } else {
        status["conditions"] = Value::Array(conditions);
    }
}

#[async_trait::async_trait]
impl Admission for ApplicationAdmission {
    async fn admit(
        &self,
        op: Operation,
        obj: &mut Value,
        old: Option<&Value>,
    ) -> Result<Vec<String>, ApiError> {
        let mut warnings = Vec::new();
        if op == Operation::Delete {
            return Ok(warnings);
        }
        // Upstream's NormalizeApplicationSpec: an empty project is the default one.
        if obj["spec"]["project"].as_str().is_none_or(str::is_empty)
            && let Some(spec) = obj.get_mut("spec").and_then(Value::as_object_mut)
        {
            spec.insert("project".into(), json!(DEFAULT_PROJECT));
        }
        if op == Operation::Create
            && let Some(o) = obj.as_object_mut()
            && o.remove("operation").is_some()
        {
            warnings.push(
                "operation dropped: an Application is created without one (request a sync through the sync subresource)"
                    .to_string(),
            );
        }
        // Status and operation writes (the controller's, the actions') are not re-judged
        // against a project that changed since: only a new or changed spec is.
        if let Some(old) = old
            && old.get("spec") == obj.get("spec")
        {
            return Ok(warnings);
        }
        let project_name = project_of(obj).to_string();
        let now = self.0.clock.now_rfc3339();
        let namespace = object::meta_str(obj, "namespace").unwrap_or("").to_string();
        match self.0.project(&project_name).await? {
            None => {
                let message = missing_message(&project_name);
                warnings.push(message.clone());
                set_project_condition(obj, Some(message), &now);
            }
            Some(project)
                if !is_app_namespace_permitted(
                    &project.spec,
                    &namespace,
                    &self.0.control_plane_namespace,
                ) =>
            {
                let message = namespace_message(object::name(obj), &namespace, &project_name);
                warnings.push(message.clone());
                set_project_condition(obj, Some(message), &now);
            }
            Some(project) => {
                let app: Application = serde_json::from_value(obj.clone())
                    .map_err(|e| ApiError::bad_request(format!("invalid Application: {e}")))?;
                let errors = validate_application_permissions(
                    &app,
                    &project,
                    &self.0.control_plane_namespace,
                );
                if !errors.is_empty() {
                    return Err(ApiError::invalid(
                        "Application",
                        GROUP,
                        object::name(obj),
                        &errors,
                    ));
                }
                set_project_condition(obj, None, &now);
            }
        }
        Ok(warnings)
    }
}
