//! Server-side apply and managedFields, as kube-apiserver's field manager over
//! structured-merge-diff: [`update`] records ownership for every non-apply write, [`apply`]
//! merges an applied configuration with conflict detection and removal of fields no longer
//! applied. Pure functions over JSON objects; the registry's write verbs call them.

/// Field path sets are API machinery (core): managedFields arrive in request bodies.
pub use argo_apiserver_core::fieldpath;
pub mod managed;
pub mod merge;
pub mod typed;

use std::sync::Arc;

use serde_json::{Map, Value};

pub use managed::{Conflict, ManagedError};

use fieldpath::Set;
use managed::{Entry, Managed, Operation};
use typed::Schema;

/// kubectl's client-side apply annotation.
pub const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

fn schema(kind: &str) -> Arc<Schema> {
    typed::schema_for(kind).unwrap_or_else(typed::deduced_schema)
}

fn managed_fields_of(obj: &Value) -> Option<&Value> {
    obj.get("metadata")?.get("managedFields")
}

fn take_managed_fields(obj: &mut Value) -> Option<Value> {
    obj.get_mut("metadata")?
        .as_object_mut()?
        .remove("managedFields")
}

fn set_managed_fields(obj: &mut Value, managed: &Managed) {
    let Some(encoded) = managed.encode() else {
        take_managed_fields(obj);
        return;
    };
    if let Value::Object(o) = obj {
        let meta = o
            .entry("metadata")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(m) = meta {
            m.insert("managedFields".into(), encoded);
        }
    }
}

/// kube's `isResetManagedFields`: `[]` or `[{}]`.
fn is_reset(v: Option<&Value>) -> bool {
    match v {
        Some(Value::Array(a)) if a.is_empty() => true,
        Some(Value::Array(a)) if a.len() == 1 => a[0].as_object().is_some_and(|o| o.is_empty()),
        _ => false,
    }
}

fn decode_or_empty(v: Option<&Value>) -> Managed {
    v.and_then(|v| Managed::decode(v).ok()).unwrap_or_default()
}

fn me(manager: &str, operation: Operation, subresource: Option<&str>, api_version: &str) -> Entry {
    Entry {
        manager: manager.to_string(),
        operation,
        api_version: api_version.to_string(),
        subresource: subresource.filter(|s| !s.is_empty()).map(String::from),
        time: None,
        set: Set::new(),
    }
}

static EMPTY: Value = Value::Null;

fn empty_object() -> Value {
    Value::Object(Map::new())
}

/// Non-apply writes (create, update, patch, status, scale, actions): records in `new`'s
/// `metadata.managedFields` that `manager` (operation Update, with `subresource` when not the
/// main resource) now owns every field it changed relative to `old` (`None` on create: every
/// field of `new`), removing those fields from other managers' sets. The incoming
/// `new.metadata.managedFields` follows kube's rules: absent/undecodable → the stored ones are
/// kept; `[]` or `[{}]` → reset. `api_version` is `argoproj.io/v1alpha1`; `now` is RFC 3339
/// seconds.
pub fn update(
    kind: &str,
    old: Option<&serde_json::Value>,
    new: &mut serde_json::Value,
    manager: &str,
    subresource: Option<&str>,
    api_version: &str,
    now: &str,
) -> Result<(), ManagedError> {
    let schema = schema(kind);
    let live_fields = old.and_then(managed_fields_of);
    let requested = take_managed_fields(new);
    // decodeLiveOrNew: a subresource ignores the request's managedFields.
    let mut managed = if subresource.is_some_and(|s| !s.is_empty()) {
        decode_or_empty(live_fields)
    } else if is_reset(requested.as_ref()) {
        Managed::default()
    } else {
        match requested.as_ref().map(Managed::decode) {
            Some(Ok(m)) if !m.is_empty() => m,
            _ => decode_or_empty(live_fields),
        }
    };
    // skipNonApplied: an existing object nobody tracks stays untracked until it is applied.
    if managed.is_empty() && old.is_some() {
        return Ok(());
    }
    let empty = empty_object();
    let cmp = merge::compare(&schema, schema.root, old.unwrap_or(&empty), new);
    managed.record_update(
        me(manager, Operation::Update, subresource, api_version),
        &cmp,
        now,
    );
    managed.cap_update_managers();
    set_managed_fields(new, &managed);
    Ok(())
}

/// kube's `IgnoreManagedFieldsTimestampsTransformer`, which its store runs on every update after
/// the update strategy and mutating admission: when `new` differs from `old` only in the times
/// of its managedFields entries (same entries, same order, otherwise equal), the old times are
/// restored, so that the write is a no-op. The field manager cannot know that what it saw as a
/// change (`metadata.creationTimestamp: null`, a value admission normalises back) is none.
/// `resourceVersion` is not compared: the store's own no-op check ignores it.
pub fn ignore_managed_fields_timestamps(new: &mut Value, old: &Value) {
    let (Some(Value::Array(n)), Some(Value::Array(o))) =
        (managed_fields_of(new), managed_fields_of(old))
    else {
        return;
    };
    if n.len() != o.len() || n.is_empty() {
        return;
    }
    let time = |e: &Value| e.get("time").cloned();
    if n.iter().zip(o).all(|(a, b)| time(a) == time(b)) {
        return;
    }
    let untimed = |e: &Value| {
        let mut e = e.clone();
        if let Value::Object(m) = &mut e {
            m.remove("time");
        }
        e
    };
    if !n.iter().zip(o).all(|(a, b)| untimed(a) == untimed(b)) {
        return;
    }
    let rest = |v: &Value| {
        let mut v = v.clone();
        if let Some(m) = v.get_mut("metadata").and_then(Value::as_object_mut) {
            m.remove("managedFields");
            m.remove("resourceVersion");
        }
        v
    };
    if rest(new) != rest(old) {
        return;
    }
    let restored = Value::Array(o.clone());
    if let Some(m) = new.get_mut("metadata").and_then(Value::as_object_mut) {
        m.insert("managedFields".into(), restored);
    }
}

fn name_of(obj: &Value) -> (String, String) {
    let s = |k: &str| {
        obj.get("metadata")
            .and_then(|m| m.get(k))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    (s("namespace"), s("name"))
}

/// Server-side apply of `config` (the applied configuration, already decoded from YAML/JSON) by
/// `manager` onto `live` (`None` when the object does not exist: apply creates). Returns the
/// resulting object (with managedFields updated; apiVersion/kind/name/namespace from config).
/// Fields the manager applied before but no longer applies are removed unless another manager
/// owns them. Conflicts (fields owned by other managers with different values) →
/// Err(ManagedError::Conflicts) unless `force`, in which case ownership moves to `manager`.
///
/// As kube-apiserver, an applier named `kubectl` may take over, without `force`, the fields a
/// client-side apply recorded in the last-applied annotation when their values are unchanged,
/// and keeps that annotation in step with what it applies.
#[allow(clippy::too_many_arguments)]
pub fn apply(
    kind: &str,
    live: Option<&serde_json::Value>,
    config: &serde_json::Value,
    manager: &str,
    subresource: Option<&str>,
    force: bool,
    api_version: &str,
    now: &str,
) -> Result<serde_json::Value, ManagedError> {
    let schema = schema(kind);
    if managed_fields_of(config).is_some_and(|m| !m.is_null()) {
        return Err(ManagedError::Invalid(
            "metadata.managedFields must be nil".into(),
        ));
    }
    if let Some(v) = config.get("apiVersion").and_then(Value::as_str)
        && v != api_version
    {
        return Err(ManagedError::Invalid(format!(
            "Incorrect version specified in apply patch. Specified patch version: {v}, expected: {api_version}"
        )));
    }
    let config_set = merge::config_field_set(&schema, schema.root, config).map_err(|errs| {
        let (ns, name) = name_of(config);
        let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
        let detail = if let [one] = errs.as_slice() {
            one.clone()
        } else {
            format!("errors:\n  {}", errs.join("\n  "))
        };
        ManagedError::Invalid(format!(
            "failed to create typed patch object ({ns}/{name}; {group}/{version}, Kind={kind}): {detail}"
        ))
    })?;

    let live_obj = live.unwrap_or(&EMPTY);
    let result = apply_once(
        &schema,
        live_obj,
        config,
        &config_set,
        manager,
        subresource,
        force,
        api_version,
        now,
    );
    let mut out = match result {
        Err(ManagedError::Conflicts(conflicts)) if manager == "kubectl" && !force => {
            // lastAppliedManager: conflicts with fields the last client-side apply set, still
            // at their applied values, are forced.
            let allowed = allowed_from_last_applied(&schema, live_obj, api_version);
            let all_allowed = allowed.as_ref().is_some_and(|a| {
                conflicts
                    .iter()
                    .all(|c| a.iter().any(|p| fieldpath::path_string(p) == c.field))
            });
            if !all_allowed {
                let left: Vec<Conflict> = match &allowed {
                    Some(a) => conflicts
                        .into_iter()
                        .filter(|c| !a.iter().any(|p| fieldpath::path_string(p) == c.field))
                        .collect(),
                    None => conflicts,
                };
                return Err(ManagedError::Conflicts(left));
            }
            apply_once(
                &schema,
                live_obj,
                config,
                &config_set,
                manager,
                subresource,
                true,
                api_version,
                now,
            )?
        }
        other => other?,
    };
    // lastAppliedUpdater.
    if manager == "kubectl" && has_last_applied(&out) {
        let mut last = config.clone();
        if let Some(Value::Object(a)) = last
            .get_mut("metadata")
            .and_then(|m| m.get_mut("annotations"))
        {
            a.remove(LAST_APPLIED);
        }
        let text = format!("{}\n", serde_json::to_string(&last).unwrap_or_default());
        if let Some(Value::Object(a)) = out
            .get_mut("metadata")
            .and_then(|m| m.get_mut("annotations"))
        {
            a.insert(LAST_APPLIED.into(), Value::String(text));
        }
    }
    Ok(out)
}

fn has_last_applied(obj: &Value) -> bool {
    obj.pointer("/metadata/annotations")
        .and_then(|a| a.get(LAST_APPLIED))
        .and_then(Value::as_str)
        .is_some_and(|s| !s.is_empty())
}

/// The fields of the last client-side apply whose live values are still the applied ones.
fn allowed_from_last_applied(
    schema: &Schema,
    live: &Value,
    api_version: &str,
) -> Option<Vec<Vec<fieldpath::PathElement>>> {
    let text = live
        .pointer("/metadata/annotations")?
        .get(LAST_APPLIED)?
        .as_str()?;
    let last: Value = serde_json::from_str(text).ok()?;
    if last.get("apiVersion").and_then(Value::as_str) != Some(api_version) {
        return None;
    }
    let set = merge::field_set(schema, schema.root, &last);
    let cmp = merge::compare(schema, schema.root, &last, live);
    let set = set
        .difference(&cmp.modified)
        .difference(&cmp.added)
        .difference(&cmp.removed);
    Some(set.paths())
}

#[allow(clippy::too_many_arguments)]
fn apply_once(
    schema: &Schema,
    live: &Value,
    config: &Value,
    config_set: &Set,
    manager: &str,
    subresource: Option<&str>,
    force: bool,
    api_version: &str,
    now: &str,
) -> Result<Value, ManagedError> {
    let mut managed = decode_or_empty(managed_fields_of(live));
    // Comparisons skip `metadata.managedFields`, so the live object is used as it is.
    let empty = empty_object();
    let live_obj = if live.is_object() { live } else { &empty };
    // skipNonApplied: fields of an untracked object belong to `before-first-apply`.
    if managed.is_empty() {
        let cmp = merge::compare(schema, schema.root, &empty, live_obj);
        managed.record_update(
            me(
                managed::BEFORE_FIRST_APPLY,
                Operation::Update,
                None,
                api_version,
            ),
            &cmp,
            now,
        );
    }
    let mine = me(manager, Operation::Apply, subresource, api_version);
    let last_set = managed.find(&mine).map(|e| e.set.clone());
    let previous_time = managed.find(&mine).and_then(|e| e.time.clone());

    let mut merged = live_obj.clone();
    take_managed_fields(&mut merged);
    merge::merge_into(schema, schema.root, &mut merged, config);
    managed.put(Entry {
        set: config_set.clone(),
        ..mine.clone()
    });
    // Prune what this manager applied last time, no longer applies, and nobody else owns.
    if let Some(last) = last_set.filter(|s| !s.is_empty()) {
        let owned = managed
            .entries
            .iter()
            .fold(Set::new(), |acc, e| acc.union(&e.set));
        let to_remove = merge::ensure_named_members(schema, schema.root, &last)
            .difference(&merge::ensure_named_members(schema, schema.root, &owned));
        if !to_remove.is_empty() {
            merge::remove_items(schema, schema.root, &mut merged, &to_remove);
        }
    }
    // Ownership: conflicts with others on changed fields; removed fields leave every set.
    let cmp = merge::compare(schema, schema.root, live_obj, &merged);
    let changed = cmp.changed();
    let conflicts = managed::find_conflicts(&managed, &mine, &changed);
    if !conflicts.is_empty() && !force {
        return Err(ManagedError::Conflicts(managed::describe_conflicts(
            &managed, &conflicts,
        )));
    }
    for (i, c) in conflicts {
        managed.entries[i].set = managed.entries[i].set.difference(&c);
    }
    if !cmp.removed.is_empty() {
        for e in managed
            .entries
            .iter_mut()
            .filter(|e| !e.same_manager(&mine))
        {
            e.set = e.set.difference(&cmp.removed);
        }
    }
    // stripMeta, then the time (kept when the object did not change).
    let unchanged = changed.is_empty() && cmp.removed.is_empty();
    for e in managed.entries.iter_mut().filter(|e| e.same_manager(&mine)) {
        e.set = e.set.difference(managed::strip_set());
        e.time = if unchanged {
            previous_time.clone()
        } else {
            Some(now.to_string())
        };
    }
    managed.entries.retain(|e| !e.set.is_empty());
    set_managed_fields(&mut merged, &managed);
    Ok(merged)
}

#[cfg(test)]
mod tests;
