//! The policies the webhooks apply to native objects, and the one mutation.
//!
//! Validating, in order (the first refusal answers; warnings accumulate):
//!
//! 0. **Fast path.** Subresources other than `scale` (notably `status`, written by controllers)
//!    are not policed. A request whose resource is not `apps` deployments/replicasets or core
//!    services, and whose object and old object carry neither the tracking annotation nor the
//!    instance label, is allowed from the object alone, without touching the index
//!    (`policy="fast-path"`).
//! 1. **project-rbac**, for each Application owning the object (old and new object: removing
//!    the annotation in an UPDATE does not escape the old owner; see [`crate::tracking`] for
//!    which marks count). An owner not in the index, or a project that does not exist (allowed
//!    with a warning), enforces nothing.
//!    - CREATE/UPDATE: the object's group/kind must be permitted (`resource G:K is not permitted
//!      in project P`) and, when namespaced, its namespace a permitted destination of the app's
//!      cluster (`namespace N is not permitted in project 'P'`). This applies to everyone,
//!      exempt subjects included. DELETE skips it: deleting a forbidden object removes the
//!      violation.
//!    - A subject that is not exempt needs a project role granting `applications`,
//!      `update/<group>/<kind>/<ns>/<name>` (DELETE: `delete/...`) on `<project>/<app>` (or
//!      `<project>/<appns>/<app>`). Role bindings are matched against the user's Kubernetes
//!      groups and username, as casbin's `g` lines match both the subject and its groups.
//! 2. **sync-window**: the project's windows matched to the app; while they forbid an automated
//!    sync the write is refused, naming the window and when it ends. An exempt subject passes if
//!    the windows would allow a manual sync (every blocking window has `manualSync`).
//!    With the AppProject annotation `argoproj.io/admission-mode: warn`, refusals from 1 and 2
//!    become allowed with the warning `managed by Application X: change it in Git (<reason>)`.
//! 3. **rollout-policy** (needs no tracking; exempt subjects pass, except the last rule):
//!    - UPDATE of a Deployment (or its `scale` subresource) raising replicas, while a Rollout's
//!      `workloadRef` points at it with `scaleDown` `onsuccess` or `progressively`;
//!    - CREATE/UPDATE/DELETE of a ReplicaSet with an `argoproj.io` Rollout ownerReference, and
//!      UPDATE of `replicasets/scale` named `<rollout>-<hash>` after a Rollout of that namespace
//!      (a Scale carries no ownerReferences);
//!    - UPDATE of a Service a Rollout references that removes or changes
//!      `spec.selector["rollouts-pod-template-hash"]`, and DELETE of such a Service;
//!    - with [`NamespacePolicy::RolloutRequired`] (the `/validate/rollout-required` entry, which
//!      kube-apiserver calls *in addition to* `/validate` for labelled namespaces, so it applies
//!      this rule alone): CREATE/UPDATE of a Deployment (or its scale) with replicas > 0
//!      (absent = 1) that no Rollout references, for everyone, exempt subjects included; an
//!      object being deleted (deletionTimestamp set) passes so finalizers can be removed.
//!
//! dryRun requests are evaluated exactly like real ones.

use std::sync::Arc;

use argo_openapi::types::cd::{AppProject, Application};
use serde_json::{Value, json};

use crate::index::{CompiledProject, PolicyIndex};
use crate::metrics::{Decision, Policy};
use crate::project::{
    DEFAULT_PROJECT, is_group_kind_name_permitted, rbac_name, resolve_destination,
};
use crate::rbac::RoleDecision;
use crate::review::{AdmissionRequest, NamespacePolicy, Outcome, Webhooks};
use crate::tracking::{
    TRACKING_ID_ANNOTATION, TrackingId, api_group, has_tracking_mark, instance_label_value, is_crd,
    meta_map_value, owner_instance,
};
use crate::windows::{SyncVerdict, can_sync_compiled};

/// AppProject annotation choosing how project-RBAC and sync-window refusals are applied:
/// `enforce` (default) refuses, `warn` allows with a warning.
pub const ADMISSION_MODE_ANNOTATION: &str = "argoproj.io/admission-mode";
/// Namespace label selecting the rollout-required webhook entry.
pub const ROLLOUT_POLICY_LABEL: &str = "argoproj.io/rollout-policy";
/// The selector key the Rollouts controller injects into the Services it manages.
pub const POD_TEMPLATE_HASH_KEY: &str = "rollouts-pod-template-hash";

/// The resources the rollout policy looks at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Resource {
    Deployment,
    ReplicaSet,
    Service,
    Other,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Create,
    Update,
    Delete,
    Other,
}

/// What one request is about, read once.
struct Target<'a> {
    req: &'a AdmissionRequest,
    op: Op,
    resource: Resource,
    /// `""` or `scale` (other subresources never get this far).
    sub: &'a str,
    /// The object's group and kind (for tracking, project lists and role actions).
    group: &'a str,
    kind: &'a str,
    namespace: &'a str,
    name: &'a str,
    new: Option<&'a Value>,
    old: Option<&'a Value>,
    exempt: bool,
}

fn non_null(v: &Option<Value>) -> Option<&Value> {
    v.as_ref().filter(|v| v.is_object())
}

fn object_name<'a>(
    req: &'a AdmissionRequest,
    new: Option<&'a Value>,
    old: Option<&'a Value>,
) -> &'a str {
    if !req.name.is_empty() {
        return &req.name;
    }
    new.or(old)
        .and_then(|o| o.get("metadata")?.get("name")?.as_str())
        .unwrap_or("")
}

/// The `Application X` a message names: plain in the control-plane namespace, `ns/name` elsewhere.
fn app_display(app: &Application, cp_ns: &str) -> String {
    let name = app.metadata.name.as_deref().unwrap_or("");
    match app.metadata.namespace.as_deref() {
        Some(ns) if !ns.is_empty() && ns != cp_ns => format!("{ns}/{name}"),
        _ => name.to_string(),
    }
}

fn warn_mode(project: &AppProject) -> bool {
    project
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(ADMISSION_MODE_ANNOTATION))
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("warn"))
}

/// `spec.replicas` of a Deployment (absent = 1, the API default) or of a Scale (absent = 0, Go's
/// omitted int32).
fn replicas(obj: Option<&Value>, scale: bool) -> Option<i64> {
    let obj = obj?;
    match obj.get("spec").and_then(|s| s.get("replicas")) {
        Some(v) => v.as_i64(),
        None => Some(if scale { 0 } else { 1 }),
    }
}

fn selector_hash(obj: Option<&Value>) -> Option<&str> {
    obj?.get("spec")?
        .get("selector")?
        .get(POD_TEMPLATE_HASH_KEY)?
        .as_str()
}

/// The Rollout named in an `argoproj.io` Rollout ownerReference, if any.
fn rollout_owner(obj: Option<&Value>) -> Option<&str> {
    obj?.get("metadata")?
        .get("ownerReferences")?
        .as_array()?
        .iter()
        .find(|r| {
            r.get("kind").and_then(Value::as_str) == Some("Rollout")
                && r.get("apiVersion")
                    .and_then(Value::as_str)
                    .is_some_and(|v| api_group(v) == "argoproj.io")
        })
        .and_then(|r| r.get("name")?.as_str())
}

/// Escapes a JSON Pointer token (RFC 6901).
fn pointer_token(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// A refusal from project RBAC or a sync window, before warn mode is applied.
enum Check {
    Pass,
    Refuse(String),
}

impl Webhooks {
    fn is_exempt(&self, req: &AdmissionRequest) -> bool {
        let user = &req.user_info;
        self.config.exempt_subjects.contains(&user.username)
            || user
                .groups
                .iter()
                .any(|g| self.config.exempt_groups.contains(g))
    }

    fn log_decision(&self, t: &Target<'_>, policy: Policy, decision: Decision, message: &str) {
        let req = t.req;
        self.metrics.record(policy, decision);
        if decision == Decision::Deny {
            tracing::info!(
                uid = %req.uid, policy = policy.as_str(), operation = %req.operation,
                resource = %req.resource.resource, subresource = %req.sub_resource,
                namespace = %req.namespace, name = %t.name, user = %req.user_info.username,
                dry_run = req.dry_run.unwrap_or(false), message, "admission denied"
            );
        } else {
            tracing::debug!(
                uid = %req.uid, policy = policy.as_str(), decision = decision.as_str(),
                operation = %req.operation, resource = %req.resource.resource,
                subresource = %req.sub_resource, namespace = %req.namespace, name = %t.name,
                user = %req.user_info.username, dry_run = req.dry_run.unwrap_or(false),
                message, "admission decision"
            );
        }
    }

    /// The validating policies for one decoded request (see the module docs).
    pub fn validate_request(&self, req: &AdmissionRequest, ns_policy: NamespacePolicy) -> Outcome {
        let op = match req.operation.as_str() {
            "CREATE" => Op::Create,
            "UPDATE" => Op::Update,
            "DELETE" => Op::Delete,
            _ => Op::Other,
        };
        let resource = match (req.resource.group.as_str(), req.resource.resource.as_str()) {
            ("apps", "deployments") => Resource::Deployment,
            ("apps", "replicasets") => Resource::ReplicaSet,
            ("", "services") => Resource::Service,
            _ => Resource::Other,
        };
        let new = non_null(&req.object);
        let old = non_null(&req.old_object);
        let t = Target {
            req,
            op,
            resource,
            sub: &req.sub_resource,
            group: &req.kind.group,
            kind: &req.kind.kind,
            namespace: &req.namespace,
            name: object_name(req, new, old),
            new,
            old,
            exempt: false,
        };

        // 0. Fast path: decided from the request alone.
        let policed_sub = t.sub.is_empty() || t.sub == "scale";
        let label_key = &self.config.instance_label_key;
        let marked = t.sub.is_empty()
            && (new.is_some_and(|o| has_tracking_mark(o, label_key))
                || old.is_some_and(|o| has_tracking_mark(o, label_key)));
        let required = ns_policy == NamespacePolicy::RolloutRequired;
        if op == Op::Other
            || !policed_sub
            || (resource == Resource::Other && !marked)
            || (required && resource != Resource::Deployment)
        {
            self.log_decision(
                &t,
                Policy::FastPath,
                Decision::Allow,
                "no tracking, no Rollout relation",
            );
            return Outcome::allow();
        }
        let t = Target {
            exempt: self.is_exempt(req),
            ..t
        };
        if ns_policy == NamespacePolicy::RolloutRequired {
            // This entry runs beside the plain one, which applies every other policy.
            return match self.rollout_required(&t) {
                Some(refusal) => {
                    self.log_decision(&t, Policy::RolloutPolicy, Decision::Deny, &refusal);
                    Outcome::deny(refusal)
                }
                None => {
                    self.log_decision(&t, Policy::RolloutPolicy, Decision::Allow, "");
                    Outcome::allow()
                }
            };
        }

        let mut warnings = Vec::new();
        // 1 and 2: owners of the object, old and new.
        if marked && let Some(refusal) = self.check_owners(&t, &mut warnings) {
            return Outcome {
                warnings,
                ..Outcome::deny(refusal)
            };
        }
        // 3: rollout policy.
        if resource != Resource::Other {
            match self.rollout_policy(&t) {
                Some(refusal) => {
                    self.log_decision(&t, Policy::RolloutPolicy, Decision::Deny, &refusal);
                    return Outcome {
                        warnings,
                        ..Outcome::deny(refusal)
                    };
                }
                None => self.log_decision(&t, Policy::RolloutPolicy, Decision::Allow, ""),
            }
        }
        Outcome {
            warnings,
            ..Outcome::allow()
        }
    }

    /// Project RBAC and sync windows for every Application owning the object. `Some(message)`
    /// refuses.
    fn check_owners(&self, t: &Target<'_>, warnings: &mut Vec<String>) -> Option<String> {
        if !t.sub.is_empty() {
            return None;
        }
        let method = self.config.tracking_method;
        let label_key = &self.config.instance_label_key;
        let mut owners: Vec<String> = Vec::with_capacity(2);
        for obj in [t.old, t.new].into_iter().flatten() {
            if let Some((inst, _)) =
                owner_instance(obj, t.group, t.kind, t.namespace, t.name, method, label_key)
                && !owners.contains(&inst)
            {
                owners.push(inst);
            }
        }
        let mut now = None;
        for instance in owners {
            let Some(app) = self.index.application_by_instance(&instance) else {
                tracing::debug!(uid = %t.req.uid, instance, "tracked by an application that is not indexed; nothing to enforce");
                continue;
            };
            if let Some(refusal) = self.check_owner(t, &app, &mut now, warnings) {
                return Some(refusal);
            }
        }
        None
    }

    fn check_owner(
        &self,
        t: &Target<'_>,
        app: &Arc<Application>,
        now: &mut Option<jiff::Timestamp>,
        warnings: &mut Vec<String>,
    ) -> Option<String> {
        let cp_ns = &self.config.control_plane_namespace;
        let app_label = app_display(app, cp_ns);
        let project_name = if app.spec.project.is_empty() {
            DEFAULT_PROJECT
        } else {
            app.spec.project.as_str()
        };
        let Some(indexed) = self.index.indexed_project(project_name) else {
            let w = format!(
                "Application {app_label} references project {project_name} which does not exist: project rules not enforced"
            );
            self.log_decision(t, Policy::ProjectRbac, Decision::Warn, &w);
            warnings.push(w);
            return None;
        };
        let (project, compiled) = (&indexed.project, &indexed.compiled);
        let warn = warn_mode(project);

        // Apply warn mode to one refusal: Some(message) when it stands.
        let mut settle = |policy: Policy, check: Check| -> Option<String> {
            match check {
                Check::Pass => {
                    self.log_decision(t, policy, Decision::Allow, "");
                    None
                }
                Check::Refuse(reason) if warn => {
                    let w =
                        format!("managed by Application {app_label}: change it in Git ({reason})");
                    self.log_decision(t, policy, Decision::Warn, &w);
                    warnings.push(w);
                    None
                }
                Check::Refuse(reason) => {
                    self.log_decision(t, policy, Decision::Deny, &reason);
                    Some(reason)
                }
            }
        };

        let rbac = self.project_rbac(t, app, project, compiled, project_name, &app_label);
        if let Some(refusal) = settle(Policy::ProjectRbac, rbac) {
            return Some(refusal);
        }
        let window = self.sync_window(t, app, compiled, &app_label, now);
        settle(Policy::SyncWindow, window)
    }

    fn project_rbac(
        &self,
        t: &Target<'_>,
        app: &Application,
        project: &AppProject,
        compiled: &CompiledProject,
        project_name: &str,
        app_label: &str,
    ) -> Check {
        let namespaced = !t.namespace.is_empty();
        if t.op != Op::Delete {
            if !is_group_kind_name_permitted(&project.spec, t.group, t.kind, t.name, namespaced) {
                return Check::Refuse(format!(
                    "resource {}:{} is not permitted in project {project_name}",
                    t.group, t.kind
                ));
            }
            if namespaced {
                match resolve_destination(&app.spec.destination) {
                    Ok(cluster) => {
                        if !compiled.destinations.is_permitted(&cluster, t.namespace) {
                            return Check::Refuse(format!(
                                "namespace {} is not permitted in project '{project_name}'",
                                t.namespace
                            ));
                        }
                    }
                    Err(e) => {
                        return Check::Refuse(format!(
                            "destination of Application {app_label} cannot be resolved: {e}"
                        ));
                    }
                }
            }
        }
        if t.exempt {
            return Check::Pass;
        }
        let verb = if t.op == Op::Delete {
            "delete"
        } else {
            "update"
        };
        let action = format!("{verb}/{}/{}/{}/{}", t.group, t.kind, t.namespace, t.name);
        let cp_ns = &self.config.control_plane_namespace;
        let app_name = app.metadata.name.as_deref().unwrap_or("");
        let app_ns = app.metadata.namespace.as_deref().unwrap_or(cp_ns);
        let object = rbac_name(project_name, app_name, app_ns, cp_ns);
        let user = &t.req.user_info;
        let mut subjects: Vec<&str> = Vec::with_capacity(user.groups.len() + 1);
        subjects.extend(user.groups.iter().map(String::as_str));
        subjects.push(&user.username);
        match compiled
            .roles
            .enforce(&subjects, "applications", &action, &object)
        {
            RoleDecision::Allow { .. } => Check::Pass,
            RoleDecision::Deny { role } => Check::Refuse(format!(
                "{} may not {action} of Application {app_label} (applications, {object}): denied by role '{role}' of project '{project_name}'",
                user.username
            )),
            RoleDecision::NoMatch => Check::Refuse(format!(
                "{} may not {action} of Application {app_label} (applications, {object}): no role of project '{project_name}' grants it",
                user.username
            )),
        }
    }

    fn sync_window(
        &self,
        t: &Target<'_>,
        app: &Application,
        compiled: &CompiledProject,
        app_label: &str,
        now: &mut Option<jiff::Timestamp>,
    ) -> Check {
        let windows = &compiled.windows;
        if windows.is_empty() {
            return Check::Pass;
        }
        let matched = windows.matches(app);
        if matched.is_empty() {
            return Check::Pass;
        }
        // The clock is read once per review, and only when some window applies.
        let now = *now.get_or_insert_with(|| (self.clock)());
        let blocked = match can_sync_compiled(&matched, false, None, now) {
            Ok(SyncVerdict::Allowed) => return Check::Pass,
            Ok(SyncVerdict::Blocked { window, until }) => (window, until),
            Err(e) => {
                return Check::Refuse(format!(
                    "invalid sync windows in the project of Application {app_label}: {e}"
                ));
            }
        };
        if t.exempt
            && matches!(
                can_sync_compiled(&matched, true, None, now),
                Ok(SyncVerdict::Allowed)
            )
        {
            return Check::Pass;
        }
        // The controller finishing an operation that started before the window: upstream's
        // `syncWindowPreventsSync` lets it run on when the windows allow overrun.
        if t.exempt
            && let Some((manual, started)) = running_operation(app)
            && matches!(
                can_sync_compiled(&matched, manual, Some(started), now),
                Ok(SyncVerdict::Allowed)
            )
        {
            return Check::Pass;
        }
        let (window, until) = blocked;
        let until = match until {
            Some(ts) => format!(" until {ts}"),
            None => String::new(),
        };
        Check::Refuse(format!(
            "changes to objects managed by Application {app_label} are blocked by sync windows ({window}){until}"
        ))
    }

    /// The rollout-required rule (`/validate/rollout-required` only); `Some(message)` refuses.
    fn rollout_required(&self, t: &Target<'_>) -> Option<String> {
        if t.resource != Resource::Deployment || !matches!(t.op, Op::Create | Op::Update) {
            return None;
        }
        let deleting = t
            .new
            .and_then(|o| o.get("metadata")?.get("deletionTimestamp"))
            .is_some_and(|v| !v.is_null());
        let wanted = replicas(t.new, t.sub == "scale").unwrap_or(0);
        if deleting
            || wanted <= 0
            || !self
                .index
                .rollouts_for_deployment(t.namespace, t.name)
                .is_empty()
        {
            return None;
        }
        let name = if t.name.is_empty() {
            "(generated name)"
        } else {
            t.name
        };
        Some(format!(
            "Deployment {name} has replicas > 0 in a namespace that requires Argo Rollouts ({ROLLOUT_POLICY_LABEL}: required): set replicas to 0 and reference it from a Rollout's spec.workloadRef"
        ))
    }

    /// The rollout policy; `Some(message)` refuses.
    fn rollout_policy(&self, t: &Target<'_>) -> Option<String> {
        let idx: &PolicyIndex = &self.index;
        let scale = t.sub == "scale";
        match t.resource {
            Resource::Deployment => {
                if t.op == Op::Update && !t.exempt {
                    let before = replicas(t.old, scale).unwrap_or(0);
                    let after = replicas(t.new, scale).unwrap_or(0);
                    if after > before {
                        let rollouts = idx.rollouts_for_deployment(t.namespace, t.name);
                        let scaling = rollouts.iter().find_map(|r| {
                            let sd = r.spec.workload_ref.as_ref()?.scale_down.as_deref()?;
                            matches!(sd, "onsuccess" | "progressively")
                                .then(|| (r.metadata.name.clone().unwrap_or_default(), sd))
                        });
                        if let Some((rollout, sd)) = scaling {
                            return Some(format!(
                                "Deployment {} is scaled down by Rollout {rollout} (spec.workloadRef.scaleDown: {sd}): it cannot be scaled up from {before} to {after} replicas; scale the Rollout instead",
                                t.name
                            ));
                        }
                    }
                }
                None
            }
            Resource::ReplicaSet => {
                if t.exempt {
                    return None;
                }
                let owner = if scale {
                    (t.op == Op::Update)
                        .then(|| idx.rollout_for_replicaset_name(t.namespace, t.name))
                        .flatten()
                        .map(|r| r.metadata.name.clone().unwrap_or_default())
                } else {
                    rollout_owner(t.new)
                        .or_else(|| rollout_owner(t.old))
                        .map(str::to_string)
                };
                owner.map(|rollout| {
                    format!(
                        "ReplicaSet {} is owned by Rollout {rollout}: it changes only through the Argo Rollouts controller",
                        t.name
                    )
                })
            }
            Resource::Service => {
                if t.exempt || scale {
                    return None;
                }
                match t.op {
                    Op::Update => {
                        let before = selector_hash(t.old)?;
                        if selector_hash(t.new) == Some(before) {
                            return None;
                        }
                        let rollout = idx
                            .rollouts_for_service(t.namespace, t.name)
                            .into_iter()
                            .next()?;
                        Some(format!(
                            "Service {} is referenced by Rollout {}: its selector {POD_TEMPLATE_HASH_KEY} is managed by the Argo Rollouts controller and cannot be removed or changed",
                            t.name,
                            rollout.metadata.name.as_deref().unwrap_or("")
                        ))
                    }
                    Op::Delete => {
                        let rollout = idx
                            .rollouts_for_service(t.namespace, t.name)
                            .into_iter()
                            .next()?;
                        Some(format!(
                            "Service {} cannot be deleted while Rollout {} references it",
                            t.name,
                            rollout.metadata.name.as_deref().unwrap_or("")
                        ))
                    }
                    _ => None,
                }
            }
            Resource::Other => None,
        }
    }

    /// The mutating webhook. The only mutations it ever makes (JSON Patch, RFC 6902):
    ///
    /// - when the tracking method is `label` or `annotation+label`, on CREATE and UPDATE of a main
    ///   resource (no subresource) whose `argocd.argoproj.io/tracking-id` annotation refers to the
    ///   object itself (not a CustomResourceDefinition), and whose instance label (default key
    ///   `app.kubernetes.io/instance`) differs from the value Argo CD would write (the instance
    ///   name; truncated to 63 characters with trailing non-alphanumerics trimmed for
    ///   `annotation+label`, untruncated for `label`):
    ///   - `{"op": "add", "path": "/metadata/labels", "value": {"<key>": "<value>"}}` when the
    ///     object has no labels;
    ///   - `{"op": "add", "path": "/metadata/labels/<key, '/' as '~1'>", "value": "<value>"}`
    ///     when it has labels but not this key;
    ///   - `{"op": "replace", "path": "/metadata/labels/<key, '/' as '~1'>", "value": "<value>"}`
    ///     when the key holds another value.
    ///
    /// Nothing else is ever patched; every other review is answered allowed with no patch.
    pub fn mutate_request(&self, req: &AdmissionRequest) -> Outcome {
        let patch = self.tracking_label_patch(req);
        self.metrics.record(Policy::Mutate, Decision::Allow);
        tracing::debug!(
            uid = %req.uid, policy = "mutate", decision = "allow", operation = %req.operation,
            resource = %req.resource.resource, namespace = %req.namespace, name = %req.name,
            patched = patch.is_some(), dry_run = req.dry_run.unwrap_or(false), "admission decision"
        );
        Outcome {
            patch,
            ..Outcome::allow()
        }
    }

    fn tracking_label_patch(&self, req: &AdmissionRequest) -> Option<Value> {
        let method = self.config.tracking_method;
        if !method.uses_label()
            || !req.sub_resource.is_empty()
            || !matches!(req.operation.as_str(), "CREATE" | "UPDATE")
        {
            return None;
        }
        let obj = non_null(&req.object)?;
        let (group, kind) = (req.kind.group.as_str(), req.kind.kind.as_str());
        if is_crd(group, kind) {
            return None;
        }
        let name = object_name(req, Some(obj), None);
        let id =
            TrackingId::parse(meta_map_value(obj, "annotations", TRACKING_ID_ANNOTATION)?).ok()?;
        if id.instance.is_empty() || !id.refers_to(group, kind, &req.namespace, name) {
            return None;
        }
        let value = instance_label_value(&id.instance, method)?;
        let key = &self.config.instance_label_key;
        let labels = obj.get("metadata")?.get("labels").filter(|l| l.is_object());
        let op = match labels.and_then(|l| l.get(key)) {
            None if labels.is_none() => {
                return Some(
                    json!([{"op": "add", "path": "/metadata/labels", "value": {key: value}}]),
                );
            }
            None => "add",
            Some(v) if v.as_str() == Some(value.as_str()) => return None,
            Some(_) => "replace",
        };
        Some(
            json!([{"op": op, "path": format!("/metadata/labels/{}", pointer_token(key)), "value": value}]),
        )
    }
}

/// The Application's running operation: whether a person started it (not auto-sync) and when.
fn running_operation(app: &Application) -> Option<(bool, jiff::Timestamp)> {
    let state = app.status.as_ref()?.operation_state.as_ref()?;
    if state.phase != "Running" {
        return None;
    }
    let automated = state
        .operation
        .initiated_by
        .as_ref()
        .and_then(|by| by.automated)
        .unwrap_or(false);
    Some((!automated, state.started_at.0))
}
