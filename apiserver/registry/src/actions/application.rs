//! Application actions: `applications/sync`, `applications/rollback` and
//! `applications/terminate`, following Argo CD's API server (`server/application/application.go`
//! `Sync`, `Rollback`, `TerminateOperation`, and `util/argo/argo.go SetAppOperation`): the same
//! checks in the same order, the same messages, and the same `operation` written, so the
//! application controller cannot tell our requests from those of `argocd app sync`.
//!
//! # Permissions
//!
//! Upstream asks casbin (built-in policy, `argocd-rbac-cm` and the project's roles) whether the
//! user may perform an Argo action (`get`, `sync`, `override`, `rollback`) on the app's RBAC
//! name (`<project>/<app>`, or `<project>/<namespace>/<app>` outside the control-plane
//! namespace). Here the cluster's authorization stands in for the global policy and the
//! AppProject's roles keep their meaning:
//!
//! - `role = enforce_project_roles(project, actor.groups + actor.username, "applications", A,
//!   rbac_name)`: a role binds groups, and its `groups` may name a user too, as casbin's `g`
//!   lines match both (the admission webhooks bind roles the same way);
//! - a role that denies A refuses it, whatever the cluster says (a project owner can take an
//!   action away from a group even from cluster admins, within this API);
//! - otherwise A is allowed when a role allows it or the cluster allows it.
//!
//! The cluster allows Argo action A on the app when its authorizer (SubjectAccessReview in a
//! cluster) allows verb A on `applications` (`get` is the ordinary verb; `sync`, `rollback`,
//! `override` are custom verbs, which Kubernetes RBAC rules and SubjectAccessReview accept like
//! any other). The permission to `create` the subresource itself (`applications/sync`) is only
//! the gate through which the request reaches this server: behind the aggregator kube-apiserver
//! checks it before forwarding, so `deploy/` opens it to every authenticated user and leaves
//! the decision here, where project roles can both grant and deny. Counting the gate as a grant
//! would let everyone act.
//!
//! A missing or unreadable project has no roles: the cluster alone decides `get`, and the action
//! then fails with upstream's deliberately vague "app is not allowed in project ..." (400), so
//! project names cannot be probed.
//!
//! # Deviations from upstream
//!
//! - Every action checks `get` first (upstream's rollback and terminate check only their own
//!   action): the answer is the whole Application, so reading it must be allowed.
//! - Revisions are not resolved to commit SHAs (there is no repo server here): the operation
//!   carries the requested revision, or the source's `targetRevision`, and the controller
//!   resolves it, as it does for operations written straight into the resource.
//! - The sync-with-Replace and source-integrity switches of the Argo CD server do not exist here.
//! - Terminate answers with the Application rather than an empty message, like every action.

use argo_apiserver_core::{ApiError, GroupResource};
use argo_openapi::types::actions::{
    ApplicationRollbackRequest, ApplicationSyncRequest, ApplicationTerminateRequest,
};
use argo_openapi::types::cd::{AppProject, Application};
use argo_webhooks::project::{DEFAULT_PROJECT, is_app_namespace_permitted, rbac_name};
use argo_webhooks::rbac::{RoleDecision, enforce_project_roles};
use argo_webhooks::windows::{SyncVerdict, can_sync, matches};
use serde_json::{Map, Value, json};

use super::{ActionContext, gr, request};
use crate::generic::{KindStore, WriteResult};

/// `util/argo/argo.go ErrAnotherOperationInProgress`.
const ANOTHER_OPERATION: &str = "another operation is already in progress";

/// Runs the Application action `action` (`sync`, `rollback` or `terminate`) on `name`.
pub async fn run(
    kind: &KindStore,
    namespace: Option<&str>,
    name: &str,
    action: &str,
    body: Value,
    ctx: &ActionContext<'_>,
) -> Result<WriteResult, ApiError> {
    match action {
        "sync" => {
            let req: ApplicationSyncRequest = request(body, "ApplicationSyncRequest")?;
            sync(kind, namespace, name, req, ctx).await
        }
        "rollback" => {
            let req: ApplicationRollbackRequest = request(body, "ApplicationRollbackRequest")?;
            rollback(kind, namespace, name, req, ctx).await
        }
        "terminate" => {
            let _: ApplicationTerminateRequest = request(body, "ApplicationTerminateRequest")?;
            terminate(kind, namespace, name, ctx).await
        }
        _ => Err(ApiError::path_not_found()),
    }
}

// ----- sync -----

/// `Server.Sync`: get → sync windows (as a manual sync) → sync → override for local manifests →
/// deleting → revision override and auto-sync conflicts → the operation, in one write.
async fn sync(
    kind: &KindStore,
    namespace: Option<&str>,
    name: &str,
    req: ApplicationSyncRequest,
    ctx: &ActionContext<'_>,
) -> Result<WriteResult, ApiError> {
    let target = Target::load(kind, namespace, name, ctx).await?;
    target.require(ctx, "get").await?;
    let project = target.project()?;
    let app = &target.app;

    let typed: Application = serde_json::from_value(app.clone())
        .map_err(|e| ApiError::internal(format!("stored Application does not decode: {e}")))?;
    let windows = project.spec.sync_windows.as_deref().unwrap_or_default();
    let matched = matches(windows, &typed);
    // Upstream treats every API sync as manual: `CanSync(true, nil)`.
    match can_sync(&matched, true, None, ctx.clock.now()) {
        Ok(SyncVerdict::Allowed) => {}
        Ok(SyncVerdict::Blocked { window, until }) => {
            let mut why = format!("cannot sync: blocked by sync window {window}");
            if let Some(until) = until {
                why.push_str(&format!(" until {until}"));
            }
            return Err(ApiError::forbidden(target.gr, name, &why));
        }
        Err(e) => {
            return Err(ApiError::forbidden(
                target.gr,
                name,
                &format!("cannot sync: invalid sync window: {e}"),
            ));
        }
    }

    target.require(ctx, "sync").await?;

    let dry_run = req.dry_run.unwrap_or(false);
    let auto_sync = auto_sync_enabled(app);
    // Proto decoding makes an empty list the same as none upstream.
    let manifests = req.manifests.clone().filter(|m| !m.is_empty());
    if manifests.is_some() {
        target.require(ctx, "override").await?;
        if auto_sync && !dry_run {
            return Err(target.conflict(
                "cannot use local sync when Automatic Sync Policy is enabled unless for dry run",
            ));
        }
    }
    if is_deleting(app) {
        return Err(target.conflict("application is deleting"));
    }

    let revisions = target
        .resolve_revisions(ctx, &req, auto_sync, dry_run, manifests.is_some())
        .await?;

    let spec = &app["spec"];
    let policy = &spec["syncPolicy"];
    let sync_options = match &req.sync_options {
        Some(opts) => json!(opts),
        None => policy["syncOptions"].clone(),
    };
    let retry = match &req.retry {
        Some(r) => to_json(r)?,
        None => policy["retry"].clone(),
    };

    let mut op_sync = Map::new();
    match &revisions {
        Revisions::Single(revision) => {
            put(&mut op_sync, "source", single_source(spec));
            put(&mut op_sync, "revision", json!(revision));
        }
        Revisions::Multi(revisions) => {
            put(&mut op_sync, "sources", spec["sources"].clone());
            op_sync.insert("revisions".into(), json!(revisions));
        }
    }
    put(&mut op_sync, "prune", json!(req.prune.unwrap_or(false)));
    put(&mut op_sync, "dryRun", json!(dry_run));
    put(&mut op_sync, "syncOptions", sync_options);
    put(&mut op_sync, "syncStrategy", to_json(&req.strategy)?);
    put(&mut op_sync, "resources", to_json(&req.resources)?);
    put(&mut op_sync, "manifests", json!(manifests));

    let mut op = Map::new();
    op.insert("sync".into(), Value::Object(op_sync));
    op.insert(
        "initiatedBy".into(),
        json!({"username": ctx.actor.username}),
    );
    put(&mut op, "info", to_json(&req.infos)?);
    put(&mut op, "retry", retry);

    target.set_operation(ctx, Value::Object(op)).await
}

/// What the operation syncs to: one revision, or one per source.
enum Revisions {
    Single(String),
    Multi(Vec<String>),
}

impl Target<'_> {
    /// `resolveSourceRevisions`: a revision other than the source's needs `override` (when the
    /// server requires it) and is refused while auto-sync would undo it.
    async fn resolve_revisions(
        &self,
        ctx: &ActionContext<'_>,
        req: &ApplicationSyncRequest,
        auto_sync: bool,
        dry_run: bool,
        local: bool,
    ) -> Result<Revisions, ApiError> {
        let spec = &self.app["spec"];
        if has_multiple_sources(spec) {
            let sources = spec["sources"].as_array().cloned().unwrap_or_default();
            let mut desired = vec![String::new(); sources.len()];
            let positions = req.source_positions.as_deref().unwrap_or_default();
            let revisions = req.revisions.as_deref().unwrap_or_default();
            for (i, &pos) in positions.iter().enumerate() {
                if pos <= 0 || pos > sources.len() as i64 {
                    return Err(ApiError::bad_request("source position is out of range"));
                }
                // Upstream indexes revisions by position unchecked (and panics); say it instead.
                let Some(revision) = revisions.get(i) else {
                    return Err(ApiError::bad_request(
                        "revisions and sourcePositions must have the same length",
                    ));
                };
                desired[(pos - 1) as usize] = revision.clone();
            }
            let mut resolved = Vec::with_capacity(sources.len());
            for (source, want) in sources.iter().zip(&desired) {
                let target_revision = target_revision(source);
                if !want.is_empty() && want != first_non_empty(target_revision, "HEAD") {
                    if ctx.settings.require_override_for_revision_sync {
                        self.require(ctx, "override").await?;
                    }
                    if auto_sync && !dry_run {
                        return Err(self.conflict(&format!(
                            "Cannot sync source {} to {want}: auto-sync currently set to {target_revision}",
                            source["repoURL"].as_str().unwrap_or_default(),
                        )));
                    }
                }
                // Local manifests carry no revision upstream.
                resolved.push(if local {
                    String::new()
                } else {
                    first_non_empty(want, target_revision).to_string()
                });
            }
            return Ok(Revisions::Multi(resolved));
        }
        let source = single_source(spec);
        let target_revision = target_revision(&source);
        let want = req.revision.as_deref().unwrap_or_default();
        if !want.is_empty() && want != first_non_empty(target_revision, "HEAD") {
            if ctx.settings.require_override_for_revision_sync {
                self.require(ctx, "override").await?;
            }
            if auto_sync && !dry_run {
                return Err(self.conflict(&format!(
                    "Cannot sync to {want}: auto-sync currently set to {target_revision}"
                )));
            }
        }
        Ok(Revisions::Single(if local {
            String::new()
        } else {
            first_non_empty(want, target_revision).to_string()
        }))
    }
}

// ----- rollback -----

/// `Server.Rollback`: a sync (apply strategy, no hooks) to the sources and revisions a
/// `status.history` entry recorded.
async fn rollback(
    kind: &KindStore,
    namespace: Option<&str>,
    name: &str,
    req: ApplicationRollbackRequest,
    ctx: &ActionContext<'_>,
) -> Result<WriteResult, ApiError> {
    let target = Target::load(kind, namespace, name, ctx).await?;
    target.require(ctx, "get").await?;
    let action = if ctx.settings.enforce_rollback_permission {
        "rollback"
    } else {
        "sync"
    };
    target.require(ctx, action).await?;
    target.project()?;
    let app = &target.app;

    // Upstream's order: deleting, then auto-sync. It checks no sync window here; the controller
    // holds a windowed operation until the window opens.
    if is_deleting(app) {
        return Err(target.conflict("application is deleting"));
    }
    if auto_sync_enabled(app) {
        return Err(target.conflict("rollback cannot be initiated when auto-sync is enabled"));
    }
    let entry = app["status"]["history"]
        .as_array()
        .and_then(|h| h.iter().find(|e| e["id"].as_i64() == Some(req.id)))
        .ok_or_else(|| {
            ApiError::bad_request(format!(
                "application {} does not have deployment with id {}",
                target.qualified_name(),
                req.id
            ))
        })?;
    let sources_empty = entry["sources"].as_array().is_none_or(Vec::is_empty);
    if is_zero(&entry["source"]) && sources_empty {
        // History entries of Argo CD v0.11 and older recorded no source.
        return Err(target.conflict(
            "cannot rollback to revision deployed with Argo CD v0.11 or lower. sync to revision instead.",
        ));
    }

    let mut op_sync = Map::new();
    put(&mut op_sync, "revision", entry["revision"].clone());
    put(&mut op_sync, "revisions", entry["revisions"].clone());
    put(&mut op_sync, "dryRun", json!(req.dry_run.unwrap_or(false)));
    put(&mut op_sync, "prune", json!(req.prune.unwrap_or(false)));
    put(
        &mut op_sync,
        "syncOptions",
        app["spec"]["syncPolicy"]["syncOptions"].clone(),
    );
    op_sync.insert("syncStrategy".into(), json!({"apply": {}}));
    if !is_zero(&entry["source"]) {
        op_sync.insert("source".into(), entry["source"].clone());
    }
    put(&mut op_sync, "sources", entry["sources"].clone());

    let op = json!({
        "sync": Value::Object(op_sync),
        "initiatedBy": {"username": ctx.actor.username},
    });
    target.set_operation(ctx, op).await
}

// ----- terminate -----

/// `Server.TerminateOperation`: marks the running operation `Terminating`; the controller stops
/// it.
async fn terminate(
    kind: &KindStore,
    namespace: Option<&str>,
    name: &str,
    ctx: &ActionContext<'_>,
) -> Result<WriteResult, ApiError> {
    let target = Target::load(kind, namespace, name, ctx).await?;
    target.require(ctx, "get").await?;
    target.require(ctx, "sync").await?;
    target.project()?;
    kind.update_with_owner(
        Some(target.namespace),
        name,
        ctx.dry_run,
        None,
        ctx.owner(),
        |app| {
            // Checked on the stored object of each attempt: an operation that finished meanwhile
            // has nothing left to terminate.
            let in_progress =
                !app["operation"].is_null() && app["status"]["operationState"].is_object();
            if !in_progress {
                // Upstream answers InvalidArgument; the state of the object, not the request, is
                // what is wrong, which Kubernetes words as a Conflict.
                return Err(ApiError::conflict(
                    gr(kind),
                    name,
                    "Unable to terminate operation. No operation is in progress",
                ));
            }
            app["status"]["operationState"]["phase"] = json!("Terminating");
            Ok(())
        },
    )
    .await
}

// ----- the app, its project, and permissions -----

/// The Application an action addresses, with its project as far as it could be read.
struct Target<'a> {
    kind: &'a KindStore,
    gr: GroupResource<'static>,
    namespace: &'a str,
    name: &'a str,
    app: Value,
    project_name: String,
    rbac_name: String,
    project: ProjectState,
}

enum ProjectState {
    Found(Box<AppProject>),
    /// Exists, but the app's namespace is not among its `sourceNamespaces`: its roles still
    /// apply (upstream loads them by name), the action does not.
    NotPermitted(Box<AppProject>),
    Missing,
}

impl<'a> Target<'a> {
    async fn load(
        kind: &'a KindStore,
        namespace: Option<&'a str>,
        name: &'a str,
        ctx: &ActionContext<'_>,
    ) -> Result<Target<'a>, ApiError> {
        let gr = gr(kind);
        let namespace = namespace.unwrap_or_default();
        let app = match kind.get_value(Some(namespace), name).await {
            Ok(app) => app,
            Err(e) if e.code() == 404 => {
                // Only someone the cluster lets read the app learns that it is missing.
                let known = ctx
                    .access
                    .allowed("get", "applications", "", namespace, name)
                    .await?;
                return Err(if known {
                    e
                } else {
                    ApiError::forbidden(
                        gr,
                        name,
                        &format!(
                            "permission denied: applications, get, {namespace}/{name}, sub: {}",
                            ctx.actor.username
                        ),
                    )
                });
            }
            Err(e) => return Err(e),
        };
        let project_name = match app["spec"]["project"].as_str() {
            Some(p) if !p.is_empty() => p.to_string(),
            _ => DEFAULT_PROJECT.to_string(),
        };
        let cp_ns = ctx.settings.control_plane_namespace.as_str();
        let rbac_name = rbac_name(&project_name, name, namespace, cp_ns);
        let project = load_project(ctx, &project_name, namespace).await?;
        Ok(Target {
            kind,
            gr,
            namespace,
            name,
            app,
            project_name,
            rbac_name,
            project,
        })
    }

    fn roles(&self) -> Option<&AppProject> {
        match &self.project {
            ProjectState::Found(p) | ProjectState::NotPermitted(p) => Some(p),
            ProjectState::Missing => None,
        }
    }

    /// The project, once the caller may know whether it exists (upstream's `getAppProject`).
    fn project(&self) -> Result<&AppProject, ApiError> {
        match &self.project {
            ProjectState::Found(p) => Ok(p),
            _ => Err(ApiError::bad_request(format!(
                "app is not allowed in project {:?}, or the project does not exist",
                self.app["spec"]["project"].as_str().unwrap_or_default()
            ))),
        }
    }

    /// Refuses unless the actor may perform Argo action `action` on the app (see the module
    /// docs).
    async fn require(&self, ctx: &ActionContext<'_>, action: &str) -> Result<(), ApiError> {
        let mut subjects = ctx.actor.groups.clone();
        subjects.push(ctx.actor.username.clone());
        let decision = match self.roles() {
            Some(p) => enforce_project_roles(p, &subjects, "applications", action, &self.rbac_name),
            None => RoleDecision::NoMatch,
        };
        let denied_by = match decision {
            RoleDecision::Allow { .. } => return Ok(()),
            RoleDecision::Deny { role } => Some(role),
            RoleDecision::NoMatch => {
                if self.cluster_allows(ctx, action).await? {
                    return Ok(());
                }
                None
            }
        };
        let mut why = format!(
            "permission denied: applications, {action}, {}, sub: {}",
            self.rbac_name, ctx.actor.username
        );
        if let Some(role) = denied_by {
            why.push_str(&format!(
                " (denied by project role {})",
                self.role_subject(&role)
            ));
        }
        Err(ApiError::forbidden(self.gr, self.name, &why))
    }

    async fn cluster_allows(
        &self,
        ctx: &ActionContext<'_>,
        action: &str,
    ) -> Result<bool, ApiError> {
        ctx.access
            .allowed(action, "applications", "", self.namespace, self.name)
            .await
    }

    /// `proj:<project>:<role>`, casbin's subject for a project role.
    fn role_subject(&self, role: &str) -> String {
        if role.starts_with("proj:") {
            role.to_string()
        } else {
            format!("proj:{}:{role}", self.project_name)
        }
    }

    /// A FailedPrecondition of upstream's: 409, kube's Conflict wording.
    fn conflict(&self, why: &str) -> ApiError {
        ApiError::conflict(self.gr, self.name, why)
    }

    fn qualified_name(&self) -> String {
        if self.namespace.is_empty() {
            self.name.to_string()
        } else {
            format!("{}/{}", self.namespace, self.name)
        }
    }

    /// `SetAppOperation`: in one compare-and-swap, refuse while an operation is set, else set
    /// `operation` and clear the previous `status.operationState`. The check runs on the object
    /// each attempt reads, so of two concurrent requests only one can set an operation. The
    /// other checks (deleting, auto-sync, revisions, the operation's source) were made on the
    /// first read: a delete since then refuses as upstream does, and a spec changed since then
    /// answers kube's optimistic-concurrency Conflict, so the client retries and every check
    /// runs again on the new spec.
    async fn set_operation(
        &self,
        ctx: &ActionContext<'_>,
        op: Value,
    ) -> Result<WriteResult, ApiError> {
        self.kind
            .update_with_owner(
                Some(self.namespace),
                self.name,
                ctx.dry_run,
                None,
                ctx.owner(),
                |app| {
                    if !app["metadata"]["deletionTimestamp"].is_null() {
                        return Err(self.conflict("application is deleting"));
                    }
                    if app.get("spec") != self.app.get("spec") {
                        return Err(ApiError::modified(self.gr, self.name));
                    }
                    if !app["operation"].is_null() {
                        return Err(self.conflict(ANOTHER_OPERATION));
                    }
                    let obj = app
                        .as_object_mut()
                        .ok_or_else(|| ApiError::internal("stored Application is not an object"))?;
                    obj.insert("operation".into(), op.clone());
                    if let Some(status) = obj.get_mut("status").and_then(Value::as_object_mut) {
                        status.remove("operationState");
                    }
                    Ok(())
                },
            )
            .await
    }
}

/// The app's project from the control-plane namespace (a consistent read). Missing and
/// undecodable projects are both "missing": the caller learns no more than upstream tells.
async fn load_project(
    ctx: &ActionContext<'_>,
    project_name: &str,
    app_namespace: &str,
) -> Result<ProjectState, ApiError> {
    let cp_ns = ctx.settings.control_plane_namespace.as_str();
    let projects = ctx
        .registry
        .kind("appprojects")
        .ok_or_else(|| ApiError::internal("appprojects are not served"))?;
    let value = match projects.get_value(Some(cp_ns), project_name).await {
        Ok(v) => v,
        // Storage trouble stays a server error; anything about the project itself is vague.
        Err(e) if e.code() >= 500 => return Err(e),
        Err(_) => return Ok(ProjectState::Missing),
    };
    let Ok(project) = serde_json::from_value::<AppProject>(value) else {
        return Ok(ProjectState::Missing);
    };
    Ok(
        if is_app_namespace_permitted(&project.spec, app_namespace, cp_ns) {
            ProjectState::Found(Box::new(project))
        } else {
            ProjectState::NotPermitted(Box::new(project))
        },
    )
}

// ----- JSON helpers over the stored Application -----

/// `SyncPolicy.IsAutomatedSyncEnabled`: `automated` set and `enabled` not false.
fn auto_sync_enabled(app: &Value) -> bool {
    let automated = &app["spec"]["syncPolicy"]["automated"];
    automated.is_object() && automated["enabled"].as_bool() != Some(false)
}

fn is_deleting(app: &Value) -> bool {
    app["metadata"]["deletionTimestamp"]
        .as_str()
        .is_some_and(|t| !t.is_empty())
}

/// `ApplicationSpec.HasMultipleSources`: `sources` given and no source hydrator.
fn has_multiple_sources(spec: &Value) -> bool {
    spec["sourceHydrator"].is_null() && spec["sources"].as_array().is_some_and(|s| !s.is_empty())
}

/// `ApplicationSpec.GetSource` for a single-source app: the hydrator's sync source, else
/// `spec.source` as stored (fields unknown here survive).
fn single_source(spec: &Value) -> Value {
    let hydrator = &spec["sourceHydrator"];
    if hydrator.is_object() {
        let sync = &hydrator["syncSource"];
        let repo = first_non_empty(
            sync["repoURL"].as_str().unwrap_or_default(),
            hydrator["drySource"]["repoURL"]
                .as_str()
                .unwrap_or_default(),
        );
        let mut source = Map::new();
        source.insert("repoURL".into(), json!(repo));
        put(&mut source, "path", sync["path"].clone());
        put(&mut source, "targetRevision", sync["targetBranch"].clone());
        return Value::Object(source);
    }
    spec["source"].clone()
}

fn target_revision(source: &Value) -> &str {
    source["targetRevision"].as_str().unwrap_or_default()
}

fn first_non_empty<'s>(a: &'s str, b: &'s str) -> &'s str {
    if a.is_empty() { b } else { a }
}

/// Go's zero value, as `omitempty` and `IsZero` see it: null, false, 0, "", and empty lists and
/// objects, recursively for objects.
fn is_zero(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.values().all(is_zero),
    }
}

/// Inserts `value` unless Go's `omitempty` would leave it out.
fn put(map: &mut Map<String, Value>, key: &str, value: Value) {
    let empty = match &value {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    };
    if !empty {
        map.insert(key.into(), value);
    }
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<Value, ApiError> {
    serde_json::to_value(v).map_err(ApiError::internal)
}
