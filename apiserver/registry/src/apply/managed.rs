//! `metadata.managedFields`: decoding and encoding entries, the ownership bookkeeping of Update
//! and Apply operations, conflicts, and the cap on update managers, as kube-apiserver's
//! `pkg/util/managedfields/internal` and SMD's `merge/update.go`.

use std::sync::OnceLock;

use argo_apiserver_core::status::{ApiError, Status, StatusCause, StatusDetails, StatusMeta};
use serde_json::{Map, Value, json};

use super::fieldpath::{PathElement, Set, path_string};
use super::merge::Comparison;

/// kube's `DefaultMaxUpdateManagers`.
pub const MAX_UPDATE_MANAGERS: usize = 10;
/// The bucket older update managers merge into.
pub const ANCIENT_CHANGES: &str = "ancient-changes";
/// Who owns the fields of an object that had no managedFields when it was first applied.
pub const BEFORE_FIRST_APPLY: &str = "before-first-apply";

#[derive(Debug, thiserror::Error)]
pub enum ManagedError {
    /// 409: fields owned by other managers with different values.
    #[error("{}", conflict_message(.0))]
    Conflicts(Vec<Conflict>),
    /// The applied configuration cannot be merged; the message is the one kube prints.
    #[error("{0}")]
    Invalid(String),
}

/// One conflicting field. `api_version` is empty when the other manager is an Apply manager
/// (kube's manager identifier drops it, and so does the message).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    pub manager: String,
    pub subresource: Option<String>,
    pub api_version: String,
    pub field: String,
}

impl Conflict {
    /// kube's `printManager`: `"mgr"[ with subresource "s"][ using v]`.
    fn print_manager(&self) -> String {
        let mut s = go_quote(&self.manager);
        if let Some(sub) = &self.subresource {
            s.push_str(&format!(" with subresource {}", go_quote(sub)));
        }
        if !self.api_version.is_empty() {
            s.push_str(&format!(" using {}", self.api_version));
        }
        s
    }
}

fn go_quote(s: &str) -> String {
    Value::String(s.to_string()).to_string()
}

fn conflict_message(conflicts: &[Conflict]) -> String {
    if let [c] = conflicts {
        return format!(
            "Apply failed with 1 conflict: conflict with {}: {}",
            c.print_manager(),
            c.field
        );
    }
    // Grouped by manager, managers in order (the conflicts are sorted by manager).
    let mut lines: Vec<String> = Vec::new();
    let mut last: Option<String> = None;
    for c in conflicts {
        let m = c.print_manager();
        if last.as_deref() != Some(&m) {
            lines.push(format!("conflicts with {m}:"));
            last = Some(m);
        }
        lines.push(format!("- {}", c.field));
    }
    format!(
        "Apply failed with {} conflicts: {}",
        conflicts.len(),
        lines.join("\n")
    )
}

impl ManagedError {
    /// The kube Status: conflicts → 409 `Conflict` with one `FieldManagerConflict` cause each;
    /// `metadata.managedFields must be nil`, version mismatches and an applied configuration
    /// that cannot be typed (kube's `failed to create typed patch object`) → 400 `BadRequest`
    /// with kube's message.
    pub fn into_api_error(self, kind: &str, name: &str) -> ApiError {
        let _ = (kind, name);
        let message = self.to_string();
        let (code, reason, details) = match &self {
            ManagedError::Conflicts(conflicts) => (
                409,
                "Conflict",
                Some(StatusDetails {
                    causes: conflicts
                        .iter()
                        .map(|c| StatusCause {
                            reason: "FieldManagerConflict".into(),
                            message: format!("conflict with {}", c.print_manager()),
                            field: c.field.clone(),
                        })
                        .collect(),
                    ..Default::default()
                }),
            ),
            // Like the unknown-field refusal (generic.rs), a configuration that cannot be typed
            // (duplicate list keys, list-map items without a key) is the client's error.
            ManagedError::Invalid(_) => (400, "BadRequest", None),
        };
        ApiError {
            status: Status {
                kind: "Status".into(),
                api_version: "v1".into(),
                metadata: StatusMeta::default(),
                status: "Failure".into(),
                message,
                reason: reason.into(),
                details,
                code,
            },
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Operation {
    Apply,
    Update,
}

impl Operation {
    fn as_str(self) -> &'static str {
        match self {
            Operation::Apply => "Apply",
            Operation::Update => "Update",
        }
    }
}

/// One managedFields entry, decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub manager: String,
    pub operation: Operation,
    pub api_version: String,
    pub subresource: Option<String>,
    /// RFC 3339, as stored.
    pub time: Option<String>,
    pub set: Set,
}

impl Entry {
    /// Same manager identity (kube's `BuildManagerIdentifier`: the apiVersion counts for Update
    /// entries only).
    pub fn same_manager(&self, other: &Entry) -> bool {
        self.manager == other.manager
            && self.operation == other.operation
            && self.subresource == other.subresource
            && (self.operation == Operation::Apply || self.api_version == other.api_version)
    }

    /// kube's manager identifier string (used to order managers).
    fn identifier(&self) -> String {
        let mut m = format!(
            "{{\"manager\":{},\"operation\":\"{}\"",
            go_quote(&self.manager),
            self.operation.as_str()
        );
        if self.operation == Operation::Update {
            m.push_str(&format!(",\"apiVersion\":{}", go_quote(&self.api_version)));
        }
        if let Some(s) = &self.subresource {
            m.push_str(&format!(",\"subresource\":{}", go_quote(s)));
        }
        m.push('}');
        m
    }

    fn seconds(&self) -> i64 {
        self.time
            .as_deref()
            .and_then(|t| t.parse::<jiff::Timestamp>().ok())
            .map(|t| t.as_second())
            .unwrap_or(0)
    }

    fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("manager".into(), json!(self.manager));
        m.insert("operation".into(), json!(self.operation.as_str()));
        m.insert("apiVersion".into(), json!(self.api_version));
        if let Some(t) = &self.time {
            m.insert("time".into(), json!(t));
        }
        m.insert("fieldsType".into(), json!("FieldsV1"));
        m.insert("fieldsV1".into(), self.set.to_fields_v1());
        if let Some(s) = &self.subresource {
            m.insert("subresource".into(), json!(s));
        }
        Value::Object(m)
    }
}

/// Every manager's entry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Managed {
    pub entries: Vec<Entry>,
}

impl Managed {
    /// Decodes `metadata.managedFields` (kube's `DecodeManagedFields`).
    pub fn decode(v: &Value) -> Result<Managed, String> {
        let Value::Array(items) = v else {
            return Err("managedFields must be a list".into());
        };
        let mut out = Managed::default();
        for (i, item) in items.iter().enumerate() {
            let s = |k: &str| item.get(k).and_then(Value::as_str);
            let operation = match s("operation") {
                Some("Apply") => Operation::Apply,
                Some("Update") => Operation::Update,
                _ => return Err("operation must be `Apply` or `Update`".into()),
            };
            let api_version = s("apiVersion").unwrap_or_default();
            if api_version.is_empty() {
                return Err("apiVersion must not be empty".into());
            }
            match s("fieldsType").unwrap_or_default() {
                "FieldsV1" => {}
                "" => return Err(format!("missing fieldsType in managed fields entry {i}")),
                other => {
                    return Err(format!(
                        "invalid fieldsType {other:?} in managed fields entry {i}"
                    ));
                }
            }
            let set = match item.get("fieldsV1") {
                None | Some(Value::Null) => Set::new(),
                Some(f) => Set::from_fields_v1(f)?,
            };
            let entry = Entry {
                manager: s("manager").unwrap_or_default().to_string(),
                operation,
                api_version: api_version.to_string(),
                subresource: s("subresource").filter(|s| !s.is_empty()).map(String::from),
                time: s("time").map(String::from),
                set,
            };
            out.put(entry);
        }
        Ok(out)
    }

    /// Encodes, sorted as kube sorts (operation, time, manager, apiVersion, subresource);
    /// `None` when there is nothing to record.
    pub fn encode(&self) -> Option<Value> {
        if self.entries.is_empty() {
            return None;
        }
        let mut sorted: Vec<&Entry> = self.entries.iter().collect();
        sorted.sort_by(|p, q| {
            p.operation
                .cmp(&q.operation)
                .then_with(|| p.seconds().cmp(&q.seconds()))
                .then_with(|| p.manager.cmp(&q.manager))
                .then_with(|| p.api_version.cmp(&q.api_version))
                .then_with(|| p.subresource.cmp(&q.subresource))
        });
        Some(Value::Array(sorted.iter().map(|e| e.to_json()).collect()))
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Inserts or replaces the entry of the same manager.
    pub fn put(&mut self, entry: Entry) {
        match self.entries.iter_mut().find(|e| e.same_manager(&entry)) {
            Some(e) => *e = entry,
            None => self.entries.push(entry),
        }
    }

    pub fn find(&self, probe: &Entry) -> Option<&Entry> {
        self.entries.iter().find(|e| e.same_manager(probe))
    }

    fn drop_empty(&mut self) {
        self.entries.retain(|e| !e.set.is_empty());
    }

    /// An Update operation by `me` that changed `cmp` (SMD `Updater.Update` behind kube's
    /// managedFieldsUpdater and stripMeta): `me` owns what changed, others lose it, and fields
    /// removed leave every set. The time of `me` is `now` when it gained fields.
    pub fn record_update(&mut self, me: Entry, cmp: &Comparison, now: &str) {
        let changed = cmp.changed();
        for e in &mut self.entries {
            if !changed.is_empty() {
                e.set = e.set.difference(&changed);
            }
            if !cmp.removed.is_empty() {
                e.set = e.set.difference(&cmp.removed);
            }
        }
        let gained = changed.difference(strip_set());
        if !gained.is_empty() {
            let previous = self.find(&me).map(|e| e.set.clone()).unwrap_or_default();
            self.put(Entry {
                set: gained.union(&previous),
                time: Some(now.to_string()),
                ..me
            });
        }
        self.drop_empty();
    }

    /// kube's capManagersManager: beyond [`MAX_UPDATE_MANAGERS`] Update managers, the oldest
    /// merge into `ancient-changes` (one bucket per apiVersion).
    pub fn cap_update_managers(&mut self) {
        let mut updaters: Vec<usize> = (0..self.entries.len())
            .filter(|&i| self.entries[i].operation == Operation::Update)
            .collect();
        if updaters.len() <= MAX_UPDATE_MANAGERS {
            return;
        }
        updaters.sort_by(|&a, &b| {
            let (a, b) = (&self.entries[a], &self.entries[b]);
            a.seconds()
                .cmp(&b.seconds())
                .then_with(|| a.identifier().cmp(&b.identifier()))
        });
        // As kube's capUpdateManagers, over manager identifiers (a map in kube): the first
        // updater of each apiVersion is only remembered; each later one is merged into the
        // bucket, which is made from that first updater when it does not exist yet. When the
        // updater being merged is the bucket itself, kube deletes it after the union.
        let ids: Vec<String> = updaters
            .iter()
            .map(|&i| self.entries[i].identifier())
            .collect();
        let position =
            |entries: &[Entry], id: &str| entries.iter().position(|e| e.identifier() == id);
        let mut length = ids.len();
        let mut first_by_version: Vec<(String, String)> = Vec::new();
        for id in &ids {
            if length <= MAX_UPDATE_MANAGERS {
                break;
            }
            let Some(p) = position(&self.entries, id) else {
                continue;
            };
            let (set, time, version) = {
                let e = &self.entries[p];
                (e.set.clone(), e.time.clone(), e.api_version.clone())
            };
            let Some((_, first)) = first_by_version.iter().find(|(v, _)| *v == version) else {
                first_by_version.push((version, id.clone()));
                continue;
            };
            let bucket = Entry {
                manager: ANCIENT_CHANGES.into(),
                operation: Operation::Update,
                api_version: version.clone(),
                subresource: None,
                time: None,
                set: Set::new(),
            };
            let bucket_id = bucket.identifier();
            if position(&self.entries, &bucket_id).is_none()
                && let Some(f) = position(&self.entries, first)
            {
                let first = self.entries.remove(f);
                self.entries.push(Entry {
                    set: first.set,
                    ..bucket
                });
            }
            if let Some(b) = position(&self.entries, &bucket_id) {
                self.entries[b].set = set.union(&self.entries[b].set);
                self.entries[b].time = time;
            }
            if let Some(m) = position(&self.entries, id) {
                self.entries.remove(m);
            }
            length -= 1;
        }
    }
}

/// Fields never tracked (kube's stripMetaManager).
pub fn strip_set() -> &'static Set {
    static S: OnceLock<Set> = OnceLock::new();
    S.get_or_init(|| {
        let mut s = Set::new();
        let f = PathElement::field;
        s.insert(&[f("apiVersion")]);
        s.insert(&[f("kind")]);
        s.insert(&[f("metadata")]);
        for name in [
            "name",
            "namespace",
            "creationTimestamp",
            "selfLink",
            "uid",
            "clusterName",
            "generation",
            "managedFields",
            "resourceVersion",
        ] {
            s.insert(&[f("metadata"), f(name)]);
        }
        s
    })
}

/// Conflicts of `changed` with every entry but `me`'s, sorted by manager then path.
pub fn find_conflicts(managed: &Managed, me: &Entry, changed: &Set) -> Vec<(usize, Set)> {
    managed
        .entries
        .iter()
        .enumerate()
        .filter(|(_, e)| !e.same_manager(me))
        .filter_map(|(i, e)| {
            let c = e.set.intersection(changed);
            (!c.is_empty()).then_some((i, c))
        })
        .collect()
}

/// kube's ScaleHandler: an apply through `/scale` is merged into the Scale, whose managers
/// are the parent's owners of the replicas path, each owning `.spec.replicas` at
/// `autoscaling/v1`. Conflicts are reported in those terms.
pub fn as_scale_conflicts(e: ManagedError) -> ManagedError {
    let ManagedError::Conflicts(conflicts) = e else {
        return e;
    };
    let mut out: Vec<Conflict> = Vec::new();
    for c in conflicts {
        let c = Conflict {
            field: ".spec.replicas".into(),
            api_version: if c.api_version.is_empty() {
                String::new()
            } else {
                "autoscaling/v1".into()
            },
            ..c
        };
        if !out.contains(&c) {
            out.push(c);
        }
    }
    ManagedError::Conflicts(out)
}

/// The conflicts as reported.
pub fn describe_conflicts(managed: &Managed, conflicts: &[(usize, Set)]) -> Vec<Conflict> {
    let mut by_manager: Vec<(String, &Entry, &Set)> = conflicts
        .iter()
        .map(|(i, s)| (managed.entries[*i].identifier(), &managed.entries[*i], s))
        .collect();
    by_manager.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out = Vec::new();
    for (_, e, set) in by_manager {
        for path in set.paths() {
            out.push(Conflict {
                manager: e.manager.clone(),
                subresource: e.subresource.clone(),
                api_version: if e.operation == Operation::Update {
                    e.api_version.clone()
                } else {
                    String::new()
                },
                field: path_string(&path),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(manager: &str, op: Operation, time: &str, paths: &[&str]) -> Entry {
        let mut set = Set::new();
        for p in paths {
            set.insert(&[PathElement::field("spec"), PathElement::field(p)]);
        }
        Entry {
            manager: manager.into(),
            operation: op,
            api_version: "argoproj.io/v1alpha1".into(),
            subresource: None,
            time: Some(time.into()),
            set,
        }
    }

    #[test]
    fn decode_encode_round_trip_sorted() {
        let v = json!([
            {"manager": "b", "operation": "Update", "apiVersion": "argoproj.io/v1alpha1", "time": "2024-01-01T00:00:02Z",
             "fieldsType": "FieldsV1", "fieldsV1": {"f:spec": {"f:x": {}}}, "subresource": "status"},
            {"manager": "a", "operation": "Update", "apiVersion": "argoproj.io/v1alpha1", "time": "2024-01-01T00:00:01Z",
             "fieldsType": "FieldsV1", "fieldsV1": {"f:spec": {"f:y": {}}}},
            {"manager": "k", "operation": "Apply", "apiVersion": "argoproj.io/v1alpha1", "time": "2024-01-01T00:00:09Z",
             "fieldsType": "FieldsV1", "fieldsV1": {"f:spec": {"f:z": {}}}},
        ]);
        let m = Managed::decode(&v).unwrap();
        let out = m.encode().unwrap();
        let managers: Vec<&str> = out
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["manager"].as_str().unwrap())
            .collect();
        assert_eq!(managers, ["k", "a", "b"]);
        assert_eq!(out[2], v[0]);
        assert!(Managed::decode(&json!([{"manager": "x", "operation": "Patch", "apiVersion": "v1", "fieldsType": "FieldsV1"}])).is_err());
        assert!(
            Managed::decode(&json!([{"manager": "x", "operation": "Update", "apiVersion": "v1"}]))
                .is_err()
        );
    }

    #[test]
    fn conflict_status_as_kube() {
        let one = ManagedError::Conflicts(vec![Conflict {
            manager: "argocd-controller".into(),
            subresource: None,
            api_version: "argoproj.io/v1alpha1".into(),
            field: ".spec.project".into(),
        }]);
        let e = one.into_api_error("Application", "x");
        let got = serde_json::to_value(&e.status).unwrap();
        let want: Value = serde_json::from_str(r#"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Apply failed with 1 conflict: conflict with \"argocd-controller\" using argoproj.io/v1alpha1: .spec.project","reason":"Conflict","details":{"causes":[{"reason":"FieldManagerConflict","message":"conflict with \"argocd-controller\" using argoproj.io/v1alpha1","field":".spec.project"}]},"code":409}"#).unwrap();
        assert_eq!(got, want);
        let c = |m: &str, sub: Option<&str>, f: &str| Conflict {
            manager: m.into(),
            subresource: sub.map(String::from),
            api_version: String::new(),
            field: f.into(),
        };
        let many = ManagedError::Conflicts(vec![
            c("a", None, ".a"),
            c("a", None, ".b"),
            c("b", Some("status"), ".c"),
        ]);
        assert_eq!(
            many.to_string(),
            "Apply failed with 3 conflicts: conflicts with \"a\":\n- .a\n- .b\nconflicts with \"b\" with subresource \"status\":\n- .c"
        );
        let bad = ManagedError::Invalid("metadata.managedFields must be nil".into())
            .into_api_error("Application", "x");
        assert_eq!(bad.status.code, 400);
    }

    #[test]
    fn cap_merges_oldest_update_managers_into_ancient_changes() {
        let mut m = Managed::default();
        for i in 0..12 {
            m.put(entry(
                &format!("m{i:02}"),
                Operation::Update,
                &format!("2024-01-01T00:00:{i:02}Z"),
                &[&format!("f{i}")],
            ));
        }
        m.put(entry(
            "applier",
            Operation::Apply,
            "2024-01-01T00:00:00Z",
            &["a"],
        ));
        m.cap_update_managers();
        let updaters: Vec<&Entry> = m
            .entries
            .iter()
            .filter(|e| e.operation == Operation::Update)
            .collect();
        assert_eq!(updaters.len(), MAX_UPDATE_MANAGERS);
        let ancient = m
            .entries
            .iter()
            .find(|e| e.manager == ANCIENT_CHANGES)
            .unwrap();
        // m00, m01 and m02 merged (12 -> 10: the first is moved, two more join).
        assert_eq!(ancient.set.paths().len(), 3);
        assert_eq!(ancient.time.as_deref(), Some("2024-01-01T00:00:02Z"));
        assert!(m.entries.iter().any(|e| e.manager == "applier"));
        assert!(!m.entries.iter().any(|e| e.manager == "m01"));
    }

    #[test]
    fn cap_with_an_existing_bucket_as_kube() {
        // kube's capUpdateManagers: the oldest (x) is remembered as the version's first; the
        // existing bucket, next in age, is merged with itself and then deleted (its fields are
        // lost); m02 then finds no bucket, so x becomes the bucket and m02 joins it.
        let mut m = Managed::default();
        m.put(entry(
            "x",
            Operation::Update,
            "2024-01-01T00:00:00Z",
            &["fx"],
        ));
        m.put(entry(
            ANCIENT_CHANGES,
            Operation::Update,
            "2024-01-01T00:00:01Z",
            &["old"],
        ));
        for i in 2..12 {
            m.put(entry(
                &format!("m{i:02}"),
                Operation::Update,
                &format!("2024-01-01T00:00:{i:02}Z"),
                &[&format!("f{i}")],
            ));
        }
        m.cap_update_managers();
        assert_eq!(m.entries.len(), MAX_UPDATE_MANAGERS);
        assert!(!m.entries.iter().any(|e| e.manager == "x"));
        assert!(!m.entries.iter().any(|e| e.manager == "m02"));
        let ancient = m
            .entries
            .iter()
            .find(|e| e.manager == ANCIENT_CHANGES)
            .unwrap();
        let mut paths: Vec<String> = ancient.set.paths().iter().map(|p| path_string(p)).collect();
        paths.sort();
        assert_eq!(paths, vec![".spec.f2", ".spec.fx"]);
        assert_eq!(ancient.time.as_deref(), Some("2024-01-01T00:00:02Z"));
    }
}
