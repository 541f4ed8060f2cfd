//! Action subresources: POSTs that change an object (or, for `workflows/resubmit`, create a new
//! one) the way upstream Argo's servers and CLIs do: `applications/sync`, `rollouts/promote`,
//! `workflows/resubmit` and their siblings. Each answers with the resulting object.
//!
//! Kinds: [`application`] (sync, rollback, terminate), [`rollout`] (promote, abort, retry,
//! restart, pause, resume), [`workflow`] (resubmit, retry, suspend, resume, stop, terminate).

pub mod application;
pub mod rollout;
pub mod workflow;

use argo_apiserver_core::{ApiError, GroupResource};
use argo_openapi::catalog::GROUP;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::generic::{FieldOwner, KindStore, WriteResult};
use crate::{Clock, Registry};

/// Who is acting: the authenticated user of the request (kube's user.Info, what an action needs).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Actor {
    pub username: String,
    pub groups: Vec<String>,
}

/// The cluster's authorization, as the request's authorizer answers it (a SubjectAccessReview
/// in a cluster, the local policy standalone).
#[async_trait::async_trait]
pub trait AccessReview: Send + Sync {
    /// Whether the actor may `verb` the `resource` (with `subresource`, "" for none) named `name`
    /// in `namespace` ("" for cluster scope), in the `argoproj.io` group.
    async fn allowed(
        &self,
        verb: &str,
        resource: &str,
        subresource: &str,
        namespace: &str,
        name: &str,
    ) -> Result<bool, ApiError>;
}

/// Server settings the actions follow (Argo CD's `argocd-cm` / `argocd-rbac-cm` switches).
#[derive(Clone, Debug)]
pub struct ActionSettings {
    /// The Argo CD control-plane namespace: where AppProjects live.
    pub control_plane_namespace: String,
    /// `RequireOverridePrivilegeForRevisionSync`: syncing to a revision other than the spec's
    /// needs the `override` permission.
    pub require_override_for_revision_sync: bool,
    /// `server.rbac.rollback.enforce.enable`: rollback needs `rollback` rather than `sync`.
    pub enforce_rollback_permission: bool,
}

impl Default for ActionSettings {
    fn default() -> Self {
        ActionSettings {
            control_plane_namespace: "argocd".into(),
            require_override_for_revision_sync: true,
            enforce_rollback_permission: false,
        }
    }
}

/// Everything an action may need beyond its object.
pub struct ActionContext<'a> {
    /// Every kind's store: project lookups, resubmit's create.
    pub registry: &'a Registry,
    pub actor: &'a Actor,
    pub access: &'a dyn AccessReview,
    pub clock: &'a dyn Clock,
    pub settings: &'a ActionSettings,
    /// `?dryRun=All`: everything is checked, nothing is written.
    pub dry_run: bool,
    /// Who the write is recorded under in managedFields: the request's `fieldManager`, or its
    /// User-Agent's product as kube's `managerOrUserAgent`.
    pub manager: Option<&'a str>,
}

impl ActionContext<'_> {
    /// The owner of the fields an action changes on the object it acts on.
    pub fn owner(&self) -> FieldOwner<'_> {
        FieldOwner::of(self.manager, crate::Subresource::Main)
    }
}

/// Runs `action` on the object `name` of `kind` with the JSON request `body` (`{}` when empty).
pub async fn run(
    kind: &KindStore,
    namespace: Option<&str>,
    name: &str,
    action: &str,
    body: Value,
    ctx: &ActionContext<'_>,
) -> Result<WriteResult, ApiError> {
    match (kind.def.plural, action) {
        // Application actions check `get` themselves, in upstream's order, among their own
        // permissions.
        ("applications", _) => application::run(kind, namespace, name, action, body, ctx).await,
        ("rollouts", _) => {
            require(ctx, kind, "get", "rollouts", namespace, name).await?;
            rollout::run(kind, namespace, name, action, body, ctx).await
        }
        ("workflows", _) => {
            // The answer is the object, so reading it must be allowed; resubmit creates a new
            // Workflow, which upstream's server does with the caller's own credentials.
            require(ctx, kind, "get", "workflows", namespace, name).await?;
            if action == "resubmit" {
                require(ctx, kind, "create", "workflows", namespace, "").await?;
            }
            workflow::run(kind, namespace, name, action, body, ctx).await
        }
        _ => Err(ApiError::path_not_found()),
    }
}

/// Refuses, in kube's words, unless the cluster lets the actor `verb` the `resource` (`name` ""
/// for the collection, as a create is asked).
async fn require(
    ctx: &ActionContext<'_>,
    kind: &KindStore,
    verb: &str,
    resource: &str,
    namespace: Option<&str>,
    name: &str,
) -> Result<(), ApiError> {
    let ns = namespace.unwrap_or_default();
    if ctx.access.allowed(verb, resource, "", ns, name).await? {
        return Ok(());
    }
    let scope = if ns.is_empty() {
        "at the cluster scope".to_string()
    } else {
        format!("in the namespace \"{ns}\"")
    };
    Err(ApiError::forbidden(
        gr(kind),
        name,
        &format!(
            "User \"{}\" cannot {verb} resource \"{resource}\" in API group \"{GROUP}\" {scope}",
            ctx.actor.username
        ),
    ))
}

/// Decodes an action's request body, a 400 naming the request type when it does not fit.
pub fn request<T: DeserializeOwned>(body: Value, request_type: &str) -> Result<T, ApiError> {
    let body = if body.is_null() {
        Value::Object(Default::default())
    } else {
        body
    };
    serde_json::from_value(body).map_err(|e| {
        ApiError::bad_request(format!(
            "{request_type} in version \"v1alpha1\" cannot be handled as a {request_type}: {e}"
        ))
    })
}

/// The group-resource of a kind, for error messages.
pub fn gr(kind: &KindStore) -> GroupResource<'static> {
    GroupResource {
        group: GROUP,
        resource: kind.def.plural,
    }
}
