//! AppProject admission (upstream: the project server's `validateProject`, `Update` and
//! `Delete`): the spec must be valid; `default` cannot be deleted; a project that Applications
//! still use cannot be deleted, nor changed so that they stop fitting it.

use argo_apiserver_core::{ApiError, GroupResource};
use argo_openapi::catalog::GROUP;
use argo_openapi::types::cd::AppProject;
use argo_openapi::validation::{FieldError, FieldErrorType};
use argo_webhooks::project::{
    DEFAULT_PROJECT, project_delete_refusal, project_update_invalidates_since, validate_project,
};
use serde_json::Value;

use super::CdAdmission;
use crate::admission::{Admission, Operation};
use crate::object;

pub struct AppProjectAdmission(pub CdAdmission);

const GR: GroupResource<'static> = GroupResource {
    group: GROUP,
    resource: "appprojects",
};

impl AppProjectAdmission {
    /// Only projects in the control-plane namespace are ever used by Applications.
    fn in_use_scope(&self, obj: &Value) -> bool {
        object::meta_str(obj, "namespace") == Some(self.0.control_plane_namespace.as_str())
    }
}

#[async_trait::async_trait]
impl Admission for AppProjectAdmission {
    async fn admit(
        &self,
        op: Operation,
        obj: &mut Value,
        old: Option<&Value>,
    ) -> Result<Vec<String>, ApiError> {
        let name = object::name(obj).to_string();
        // Which Applications use a project comes from the index: until it has read them all,
        // "none" is not an answer.
        if op != Operation::Create && !self.0.index.is_loaded() {
            return Err(ApiError::service_unavailable(
                "the policy index is still loading; try again",
            ));
        }
        if op == Operation::Delete {
            if !self.in_use_scope(obj) {
                return Ok(Vec::new());
            }
            let users = self.0.index.applications_of_project(&name).len();
            return match project_delete_refusal(&name, users) {
                None => Ok(Vec::new()),
                Some(why) if name == DEFAULT_PROJECT => Err(ApiError::forbidden(GR, &name, &why)),
                Some(why) => Err(ApiError::conflict(GR, &name, &why)),
            };
        }
        let project: AppProject = serde_json::from_value(obj.clone())
            .map_err(|e| ApiError::bad_request(format!("invalid AppProject: {e}")))?;
        let errors = validate_project(&project);
        if !errors.is_empty() {
            return Err(ApiError::invalid("AppProject", GROUP, &name, &errors));
        }
        if op == Operation::Update
            && self.in_use_scope(obj)
            && let Some(old) = old.filter(|o| o.get("spec") != obj.get("spec"))
        {
            // Upstream's rule: only apps the old spec permitted and the new one does not count,
            // so an update never fails for apps that were already invalid.
            let old: AppProject =
                serde_json::from_value(old.clone()).map_err(ApiError::internal)?;
            let apps = self.0.index.applications_of_project(&name);
            let apps: Vec<_> = apps.iter().map(|a| (**a).clone()).collect();
            if let Some(why) = project_update_invalidates_since(&old, &project, &apps) {
                return Err(ApiError::invalid(
                    "AppProject",
                    GROUP,
                    &name,
                    &[FieldError::new(
                        "spec",
                        FieldErrorType::Forbidden,
                        None,
                        why,
                    )],
                ));
            }
        }
        Ok(Vec::new())
    }
}
