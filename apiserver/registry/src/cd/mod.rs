//! The Argo CD kinds' admission: an Application must fit its AppProject, an AppProject must be
//! valid and must not strand the Applications that use it. Both read projects and applications
//! from the policy index (fed by the watch caches); a project the index does not know yet is
//! read from storage before it is called missing, as kube's NamespaceLifecycle does.

pub mod application;
pub mod appproject;

use std::sync::{Arc, Weak};

use argo_apiserver_core::ApiError;
use argo_apiserver_core::params::ReadMode;
use argo_openapi::types::cd::AppProject;
use argo_webhooks::index::PolicyIndex;

use crate::{Clock, Registry};

/// What both plugins share.
#[derive(Clone)]
pub struct CdAdmission {
    pub index: Arc<PolicyIndex>,
    pub registry: Weak<Registry>,
    /// Where AppProjects live (Argo CD's control-plane namespace).
    pub control_plane_namespace: String,
    pub clock: Arc<dyn Clock>,
}

impl CdAdmission {
    /// The project `name`: from the index, else a consistent read (a project created an
    /// instant ago may not have reached the index).
    pub async fn project(&self, name: &str) -> Result<Option<Arc<AppProject>>, ApiError> {
        if let Some(p) = self.index.project(name) {
            return Ok(Some(p));
        }
        let Some(registry) = self.registry.upgrade() else {
            return Ok(None);
        };
        let Some(projects) = registry.kind("appprojects") else {
            return Ok(None);
        };
        match projects
            .get(
                Some(&self.control_plane_namespace),
                name,
                ReadMode::Consistent,
            )
            .await
        {
            Ok(bytes) => Ok(serde_json::from_slice::<AppProject>(&bytes)
                .ok()
                .map(Arc::new)),
            Err(e) if e.code() == 404 => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// Installs the Argo CD kinds' admission plugins on `registry`.
pub fn install(
    registry: &Arc<Registry>,
    index: Arc<PolicyIndex>,
    control_plane_namespace: &str,
    clock: Arc<dyn Clock>,
) {
    let shared = CdAdmission {
        index,
        registry: Arc::downgrade(registry),
        control_plane_namespace: control_plane_namespace.to_string(),
        clock,
    };
    if let Some(k) = registry.kind("applications") {
        k.set_admission(Arc::new(application::ApplicationAdmission(shared.clone())));
    }
    if let Some(k) = registry.kind("appprojects") {
        k.set_admission(Arc::new(appproject::AppProjectAdmission(shared)));
    }
}
