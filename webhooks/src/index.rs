//! The in-memory view of AppProjects, Applications and Rollouts the admission webhooks decide
//! against, fed by the server's watches (`upsert`/`remove`, `replace_all` after a relist).
//!
//! Objects are held as `Arc`s of the typed values, so a read hands out a reference count and never
//! a copy; the lookups the webhooks need per review (project by name, application by instance,
//! rollouts by Deployment and by Service) are precomputed at write time. Each kind has its own
//! `RwLock`, so a burst of Rollout updates never blocks a project lookup. A poisoned lock is
//! recovered rather than propagated: every write leaves the maps consistent before it can panic.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use argo_openapi::types::cd::{AppProject, Application};
use argo_openapi::types::rollouts::Rollout;
use serde::Deserialize;
use serde_json::Value;

use crate::project::{CompiledDestinations, DEFAULT_PROJECT, instance_name};
use crate::rbac::CompiledRoles;
use crate::windows::CompiledWindows;

/// The kinds the index holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Indexed {
    /// `argoproj.io/v1alpha1` AppProject (control-plane namespace only).
    AppProject,
    /// `argoproj.io/v1alpha1` Application.
    Application,
    /// `argoproj.io/v1alpha1` Rollout.
    Rollout,
}

/// (namespace, name).
type Key = (String, String);

#[derive(Default)]
struct Projects {
    by_name: HashMap<String, Arc<IndexedProject>>,
}

/// An indexed AppProject with what the webhooks decide against precomputed when it is indexed:
/// destination patterns, role policies and sync windows compiled.
#[derive(Debug)]
pub struct IndexedProject {
    /// The project as decoded.
    pub project: Arc<AppProject>,
    /// Its compiled rules.
    pub compiled: CompiledProject,
}

/// The compiled rules of one project; each decides exactly as the uncompiled function of the
/// same rule on the project it was built from.
#[derive(Clone, Debug)]
pub struct CompiledProject {
    /// `spec.destinations` ([`crate::project::is_destination_permitted`]).
    pub destinations: CompiledDestinations,
    /// `spec.roles` ([`crate::rbac::enforce_project_roles`]).
    pub roles: CompiledRoles,
    /// `spec.syncWindows` ([`crate::windows::matches`], [`crate::windows::can_sync`]).
    pub windows: CompiledWindows,
}

impl CompiledProject {
    /// Compiles the rules of `project`.
    pub fn new(project: &AppProject) -> CompiledProject {
        CompiledProject {
            destinations: CompiledDestinations::new(&project.spec),
            roles: CompiledRoles::new(project),
            windows: CompiledWindows::new(project.spec.sync_windows.as_deref().unwrap_or(&[])),
        }
    }
}

impl IndexedProject {
    /// `project` with its rules compiled.
    pub fn new(project: AppProject) -> IndexedProject {
        IndexedProject {
            compiled: CompiledProject::new(&project),
            project: Arc::new(project),
        }
    }
}

#[derive(Default)]
struct Applications {
    by_key: HashMap<Key, Arc<Application>>,
    by_instance: HashMap<String, Arc<Application>>,
    /// Project name ("" folded into `default`) → applications, ordered by key.
    by_project: HashMap<String, BTreeMap<Key, Arc<Application>>>,
}

#[derive(Default)]
struct Rollouts {
    by_key: HashMap<Key, Arc<Rollout>>,
    /// (namespace, Deployment name) from `spec.workloadRef` → rollouts, ordered by name.
    by_deployment: HashMap<Key, BTreeMap<String, Arc<Rollout>>>,
    /// (namespace, Service name) → rollouts that reference the service.
    by_service: HashMap<Key, BTreeMap<String, Arc<Rollout>>>,
    /// namespace → rollout names, for the ReplicaSet-name check on `replicasets/scale`.
    by_namespace: HashMap<String, BTreeMap<String, Arc<Rollout>>>,
}

/// Projects, applications and rollouts, indexed for admission. Send + Sync; share it as
/// `Arc<PolicyIndex>`.
pub struct PolicyIndex {
    control_plane_namespace: String,
    projects: RwLock<Projects>,
    applications: RwLock<Applications>,
    rollouts: RwLock<Rollouts>,
    /// One bit per kind whose full contents arrived ([`PolicyIndex::replace_all`]): until all
    /// have, "not in the index" does not mean "does not exist".
    loaded: std::sync::atomic::AtomicU8,
}

impl Indexed {
    fn bit(self) -> u8 {
        match self {
            Indexed::AppProject => 1,
            Indexed::Application => 2,
            Indexed::Rollout => 4,
        }
    }
}

fn read<T>(lock: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(|e| e.into_inner())
}

fn write<T>(lock: &RwLock<T>) -> RwLockWriteGuard<'_, T> {
    lock.write().unwrap_or_else(|e| e.into_inner())
}

/// (namespace, name) from an object's metadata; `None` without a name.
fn key_of(obj: &Value) -> Option<Key> {
    let meta = obj.get("metadata")?;
    let name = meta.get("name")?.as_str()?;
    if name.is_empty() {
        return None;
    }
    let ns = meta.get("namespace").and_then(Value::as_str).unwrap_or("");
    Some((ns.to_string(), name.to_string()))
}

fn project_key(project: &str) -> String {
    if project.is_empty() {
        DEFAULT_PROJECT.to_string()
    } else {
        project.to_string()
    }
}

/// The Deployment a Rollout's `workloadRef` points at, if it points at one.
pub fn workload_deployment(rollout: &Rollout) -> Option<&str> {
    let r = rollout.spec.workload_ref.as_ref()?;
    if r.kind.as_deref() != Some("Deployment") {
        return None;
    }
    // apiVersion is `apps/v1` upstream; an absent one is read as apps.
    if let Some(v) = r.api_version.as_deref()
        && crate::tracking::api_group(v) != "apps"
    {
        return None;
    }
    r.name.as_deref().filter(|n| !n.is_empty())
}

/// The Services a Rollout references: canary `canaryService`, `stableService`, `pingPong`
/// ping/pong; blueGreen `activeService`, `previewService`.
pub fn referenced_services(rollout: &Rollout) -> Vec<&str> {
    let mut out = Vec::new();
    if let Some(strategy) = &rollout.spec.strategy {
        if let Some(c) = &strategy.canary {
            out.extend(c.canary_service.as_deref());
            out.extend(c.stable_service.as_deref());
            if let Some(pp) = &c.ping_pong {
                out.push(pp.ping_service.as_str());
                out.push(pp.pong_service.as_str());
            }
        }
        if let Some(bg) = &strategy.blue_green {
            out.push(bg.active_service.as_str());
            out.extend(bg.preview_service.as_deref());
        }
    }
    out.retain(|s| !s.is_empty());
    out.sort_unstable();
    out.dedup();
    out
}

fn insert_multi<T>(
    map: &mut HashMap<Key, BTreeMap<String, Arc<T>>>,
    key: Key,
    name: &str,
    v: &Arc<T>,
) {
    map.entry(key)
        .or_default()
        .insert(name.to_string(), v.clone());
}

fn remove_multi<T>(map: &mut HashMap<Key, BTreeMap<String, Arc<T>>>, key: &Key, name: &str) {
    if let Some(set) = map.get_mut(key) {
        set.remove(name);
        if set.is_empty() {
            map.remove(key);
        }
    }
}

impl Projects {
    fn insert(&mut self, name: String, p: AppProject) {
        self.by_name.insert(name, Arc::new(IndexedProject::new(p)));
    }
}

impl Applications {
    fn remove(&mut self, key: &Key, cp_ns: &str) {
        if let Some(old) = self.by_key.remove(key) {
            let inst = instance_name(&key.1, &key.0, cp_ns);
            // Only drop the instance entry if it still points at this object.
            if self
                .by_instance
                .get(&inst)
                .is_some_and(|a| Arc::ptr_eq(a, &old))
            {
                self.by_instance.remove(&inst);
            }
            let pk = project_key(&old.spec.project);
            if let Some(set) = self.by_project.get_mut(&pk) {
                set.remove(key);
                if set.is_empty() {
                    self.by_project.remove(&pk);
                }
            }
        }
    }

    fn insert(&mut self, key: Key, app: Application, cp_ns: &str) {
        self.remove(&key, cp_ns);
        let app = Arc::new(app);
        self.by_instance
            .insert(instance_name(&key.1, &key.0, cp_ns), app.clone());
        self.by_project
            .entry(project_key(&app.spec.project))
            .or_default()
            .insert(key.clone(), app.clone());
        self.by_key.insert(key, app);
    }
}

impl Rollouts {
    fn remove(&mut self, key: &Key) {
        if let Some(old) = self.by_key.remove(key) {
            let (ns, name) = key;
            if let Some(d) = workload_deployment(&old) {
                remove_multi(&mut self.by_deployment, &(ns.clone(), d.to_string()), name);
            }
            for s in referenced_services(&old) {
                remove_multi(&mut self.by_service, &(ns.clone(), s.to_string()), name);
            }
            if let Some(set) = self.by_namespace.get_mut(ns) {
                set.remove(name);
                if set.is_empty() {
                    self.by_namespace.remove(ns);
                }
            }
        }
    }

    fn insert(&mut self, key: Key, rollout: Rollout) {
        self.remove(&key);
        let r = Arc::new(rollout);
        let (ns, name) = &key;
        if let Some(d) = workload_deployment(&r) {
            insert_multi(
                &mut self.by_deployment,
                (ns.clone(), d.to_string()),
                name,
                &r,
            );
        }
        for s in referenced_services(&r) {
            insert_multi(&mut self.by_service, (ns.clone(), s.to_string()), name, &r);
        }
        self.by_namespace
            .entry(ns.clone())
            .or_default()
            .insert(name.clone(), r.clone());
        self.by_key.insert(key, r);
    }
}

impl PolicyIndex {
    /// An empty index. `control_plane_namespace` is Argo CD's namespace: projects are read only
    /// from it, and applications in it have their plain name as instance name.
    pub fn new(control_plane_namespace: &str) -> PolicyIndex {
        PolicyIndex {
            control_plane_namespace: control_plane_namespace.to_string(),
            projects: RwLock::default(),
            applications: RwLock::default(),
            rollouts: RwLock::default(),
            loaded: std::sync::atomic::AtomicU8::new(0),
        }
    }

    /// True once every kind has been loaded in full at least once. Decisions made before that
    /// would treat objects not yet read as absent, so callers refuse to decide until then.
    pub fn is_loaded(&self) -> bool {
        let all = Indexed::AppProject.bit() | Indexed::Application.bit() | Indexed::Rollout.bit();
        self.loaded.load(std::sync::atomic::Ordering::Acquire) == all
    }

    /// The control-plane namespace.
    pub fn control_plane_namespace(&self) -> &str {
        &self.control_plane_namespace
    }

    /// Adds or replaces one object (an added or modified watch event). An object that does not
    /// decode as its kind is dropped (and any previous version of it removed), so a malformed
    /// object never leaves a stale policy in force.
    pub fn upsert(&self, kind: Indexed, obj: &Value) {
        let Some(key) = key_of(obj) else {
            tracing::debug!(?kind, "admission index: object without a name ignored");
            return;
        };
        match kind {
            Indexed::AppProject => {
                if key.0 != self.control_plane_namespace {
                    return;
                }
                let mut projects = write(&self.projects);
                match AppProject::deserialize(obj) {
                    Ok(p) => projects.insert(key.1, p),
                    Err(e) => {
                        tracing::warn!(name = %key.1, error = %e, "admission index: AppProject does not decode; dropped");
                        projects.by_name.remove(&key.1);
                    }
                }
            }
            Indexed::Application => {
                let key = self.app_key(key);
                let mut apps = write(&self.applications);
                match Application::deserialize(obj) {
                    Ok(a) => apps.insert(key, a, &self.control_plane_namespace),
                    Err(e) => {
                        tracing::warn!(namespace = %key.0, name = %key.1, error = %e, "admission index: Application does not decode; dropped");
                        apps.remove(&key, &self.control_plane_namespace);
                    }
                }
            }
            Indexed::Rollout => {
                let mut rollouts = write(&self.rollouts);
                match Rollout::deserialize(obj) {
                    Ok(r) => rollouts.insert(key, r),
                    Err(e) => {
                        tracing::warn!(namespace = %key.0, name = %key.1, error = %e, "admission index: Rollout does not decode; dropped");
                        rollouts.remove(&key);
                    }
                }
            }
        }
    }

    /// Removes one object (a deleted watch event); only its namespace and name are read.
    pub fn remove(&self, kind: Indexed, obj: &Value) {
        let Some(key) = key_of(obj) else { return };
        match kind {
            Indexed::AppProject => {
                if key.0 == self.control_plane_namespace {
                    write(&self.projects).by_name.remove(&key.1);
                }
            }
            Indexed::Application => {
                let key = self.app_key(key);
                write(&self.applications).remove(&key, &self.control_plane_namespace);
            }
            Indexed::Rollout => write(&self.rollouts).remove(&key),
        }
    }

    /// Replaces every object of `kind` (after a relist). The new maps are built before the lock
    /// is taken, so readers wait only for the swap.
    pub fn replace_all(&self, kind: Indexed, objs: &[Value]) {
        self.replace_all_kind(kind, objs);
        self.loaded
            .fetch_or(kind.bit(), std::sync::atomic::Ordering::Release);
    }

    fn replace_all_kind(&self, kind: Indexed, objs: &[Value]) {
        match kind {
            Indexed::AppProject => {
                let mut fresh = Projects::default();
                for obj in objs {
                    let Some(key) = key_of(obj) else { continue };
                    if key.0 != self.control_plane_namespace {
                        continue;
                    }
                    match AppProject::deserialize(obj) {
                        Ok(p) => fresh.insert(key.1, p),
                        Err(e) => {
                            tracing::warn!(name = %key.1, error = %e, "admission index: AppProject does not decode; dropped")
                        }
                    }
                }
                *write(&self.projects) = fresh;
            }
            Indexed::Application => {
                let mut fresh = Applications::default();
                for obj in objs {
                    let Some(key) = key_of(obj) else { continue };
                    let key = self.app_key(key);
                    match Application::deserialize(obj) {
                        Ok(a) => fresh.insert(key, a, &self.control_plane_namespace),
                        Err(e) => {
                            tracing::warn!(namespace = %key.0, name = %key.1, error = %e, "admission index: Application does not decode; dropped")
                        }
                    }
                }
                *write(&self.applications) = fresh;
            }
            Indexed::Rollout => {
                let mut fresh = Rollouts::default();
                for obj in objs {
                    let Some(key) = key_of(obj) else { continue };
                    match Rollout::deserialize(obj) {
                        Ok(r) => fresh.insert(key, r),
                        Err(e) => {
                            tracing::warn!(namespace = %key.0, name = %key.1, error = %e, "admission index: Rollout does not decode; dropped")
                        }
                    }
                }
                *write(&self.rollouts) = fresh;
            }
        }
    }

    /// An application without a namespace is read as living in the control-plane namespace.
    fn app_key(&self, (ns, name): Key) -> Key {
        if ns.is_empty() {
            (self.control_plane_namespace.clone(), name)
        } else {
            (ns, name)
        }
    }

    /// The AppProject `name` in the control-plane namespace.
    pub fn project(&self, name: &str) -> Option<Arc<AppProject>> {
        read(&self.projects)
            .by_name
            .get(name)
            .map(|p| p.project.clone())
    }

    /// The AppProject `name` in the control-plane namespace, with its compiled rules.
    pub fn indexed_project(&self, name: &str) -> Option<Arc<IndexedProject>> {
        read(&self.projects).by_name.get(name).cloned()
    }

    /// The applications of `project` (`""` = `default`), ordered by namespace and name.
    pub fn applications_of_project(&self, project: &str) -> Vec<Arc<Application>> {
        read(&self.applications)
            .by_project
            .get(&project_key(project))
            .map(|set| set.values().cloned().collect())
            .unwrap_or_default()
    }

    /// The application with this instance name (§9: `name` in the control-plane namespace,
    /// `<ns>_<name>` elsewhere).
    pub fn application_by_instance(&self, instance: &str) -> Option<Arc<Application>> {
        read(&self.applications).by_instance.get(instance).cloned()
    }

    /// The application `namespace/name`.
    pub fn application(&self, namespace: &str, name: &str) -> Option<Arc<Application>> {
        let key = self.app_key((namespace.to_string(), name.to_string()));
        read(&self.applications).by_key.get(&key).cloned()
    }

    /// Rollouts in `namespace` whose `spec.workloadRef` is the Deployment `name`, ordered by name.
    pub fn rollouts_for_deployment(&self, namespace: &str, name: &str) -> Vec<Arc<Rollout>> {
        Self::multi(&read(&self.rollouts).by_deployment, namespace, name)
    }

    /// Rollouts in `namespace` that reference the Service `name` (canary, stable, ping, pong,
    /// active or preview), ordered by name.
    pub fn rollouts_for_service(&self, namespace: &str, name: &str) -> Vec<Arc<Rollout>> {
        Self::multi(&read(&self.rollouts).by_service, namespace, name)
    }

    /// The Rollout `namespace/name`.
    pub fn rollout(&self, namespace: &str, name: &str) -> Option<Arc<Rollout>> {
        read(&self.rollouts)
            .by_key
            .get(&(namespace.to_string(), name.to_string()))
            .cloned()
    }

    /// The Rollout in `namespace` whose ReplicaSets are named like `replicaset`
    /// (`<rollout>-<pod-template-hash>`, the hash being one run of lowercase alphanumerics).
    /// Used where the review carries no ownerReferences (`replicasets/scale`).
    pub fn rollout_for_replicaset_name(
        &self,
        namespace: &str,
        replicaset: &str,
    ) -> Option<Arc<Rollout>> {
        let (prefix, hash) = replicaset.rsplit_once('-')?;
        if hash.is_empty()
            || !hash
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        {
            return None;
        }
        read(&self.rollouts)
            .by_namespace
            .get(namespace)?
            .get(prefix)
            .cloned()
    }

    fn multi(
        map: &HashMap<Key, BTreeMap<String, Arc<Rollout>>>,
        namespace: &str,
        name: &str,
    ) -> Vec<Arc<Rollout>> {
        map.get(&(namespace.to_string(), name.to_string()))
            .map(|set| set.values().cloned().collect())
            .unwrap_or_default()
    }

    /// Whether the index holds nothing at all.
    pub fn is_empty(&self) -> bool {
        read(&self.projects).by_name.is_empty()
            && read(&self.applications).by_key.is_empty()
            && read(&self.rollouts).by_key.is_empty()
    }

    /// Object counts (projects, applications, rollouts), for logs and health output.
    pub fn counts(&self) -> (usize, usize, usize) {
        (
            read(&self.projects).by_name.len(),
            read(&self.applications).by_key.len(),
            read(&self.rollouts).by_key.len(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rollout(ns: &str, name: &str, deploy: &str, services: (&str, &str)) -> Value {
        json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
            "metadata": {"name": name, "namespace": ns},
            "spec": {"workloadRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": deploy, "scaleDown": "onsuccess"},
                "strategy": {"canary": {"canaryService": services.0, "stableService": services.1}}}})
    }

    #[test]
    fn loaded_only_once_every_kind_was_read_in_full() {
        let idx = PolicyIndex::new("argocd");
        // Single events do not make a kind complete.
        idx.upsert(Indexed::Rollout, &rollout("ns", "r", "web", ("c", "s")));
        assert!(!idx.is_loaded());
        idx.replace_all(Indexed::AppProject, &[]);
        idx.replace_all(Indexed::Application, &[]);
        assert!(!idx.is_loaded());
        idx.replace_all(Indexed::Rollout, &[]);
        assert!(idx.is_loaded());
        // A later relist keeps it loaded.
        idx.replace_all(Indexed::Application, &[]);
        assert!(idx.is_loaded());
    }

    #[test]
    fn rollout_lookups_follow_updates_and_removals() {
        let idx = PolicyIndex::new("argocd");
        assert!(idx.is_empty());
        idx.upsert(Indexed::Rollout, &rollout("ns", "r", "web", ("c", "s")));
        assert_eq!(idx.rollouts_for_deployment("ns", "web").len(), 1);
        assert_eq!(idx.rollouts_for_service("ns", "c").len(), 1);
        assert!(idx.rollouts_for_service("other", "c").is_empty());
        // The update moves the references.
        idx.upsert(Indexed::Rollout, &rollout("ns", "r", "web2", ("c2", "s")));
        assert!(idx.rollouts_for_deployment("ns", "web").is_empty());
        assert!(idx.rollouts_for_service("ns", "c").is_empty());
        assert_eq!(idx.rollouts_for_deployment("ns", "web2").len(), 1);
        assert!(
            idx.rollout_for_replicaset_name("ns", "r-6d4cf56db6")
                .is_some()
        );
        assert!(
            idx.rollout_for_replicaset_name("ns", "r-x-6d4cf56db6")
                .is_none()
        );
        idx.remove(
            Indexed::Rollout,
            &json!({"metadata": {"name": "r", "namespace": "ns"}}),
        );
        assert!(idx.rollouts_for_deployment("ns", "web2").is_empty());
        assert!(idx.is_empty());
    }

    #[test]
    fn applications_by_instance_and_project() {
        let idx = PolicyIndex::new("argocd");
        let app = |ns: &str, name: &str, proj: &str| {
            json!({"metadata": {"name": name, "namespace": ns},
                "spec": {"project": proj, "destination": {"server": "https://kubernetes.default.svc", "namespace": "x"}}})
        };
        idx.replace_all(
            Indexed::Application,
            &[
                app("argocd", "a", ""),
                app("team", "b", "p"),
                json!({"metadata": {"name": "bad"}, "spec": 3}),
            ],
        );
        assert!(idx.application_by_instance("a").is_some());
        assert!(idx.application_by_instance("team_b").is_some());
        assert!(idx.application_by_instance("b").is_none());
        assert_eq!(idx.applications_of_project("").len(), 1);
        assert_eq!(idx.applications_of_project("default").len(), 1);
        assert_eq!(idx.applications_of_project("p").len(), 1);
        // Moving an app to another project moves it in the project lookup.
        idx.upsert(Indexed::Application, &app("team", "b", "q"));
        assert!(idx.applications_of_project("p").is_empty());
        assert_eq!(idx.applications_of_project("q").len(), 1);
        // A malformed update drops the old version.
        idx.upsert(
            Indexed::Application,
            &json!({"metadata": {"name": "b", "namespace": "team"}, "spec": []}),
        );
        assert!(idx.application_by_instance("team_b").is_none());
        assert!(idx.applications_of_project("q").is_empty());
    }

    #[test]
    fn projects_only_from_the_control_plane_namespace() {
        let idx = PolicyIndex::new("argocd");
        idx.upsert(
            Indexed::AppProject,
            &json!({"metadata": {"name": "p", "namespace": "other"}, "spec": {}}),
        );
        assert!(idx.project("p").is_none());
        idx.upsert(
            Indexed::AppProject,
            &json!({"metadata": {"name": "p", "namespace": "argocd"}, "spec": {}}),
        );
        assert!(idx.project("p").is_some());
        idx.remove(
            Indexed::AppProject,
            &json!({"metadata": {"name": "p", "namespace": "argocd"}}),
        );
        assert!(idx.project("p").is_none());
    }
}
