//! The typed operations of server-side apply over JSON values, as SMD's `typed` package:
//! the field set of an object, the comparison of two objects, the merge of an applied
//! configuration into a live object, and the removal of a field set from an object.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::fieldpath::{PathElement, Set, path_string};
use super::typed::{DEDUCED, ListKind, Schema, Ty, TyId};

/// The shape a value takes under a type.
enum Shape<'a> {
    Leaf,
    Map { atomic: bool },
    List { elem: TyId, kind: &'a ListKind },
}

fn shape<'a>(schema: &'a Schema, ty: TyId, v: &Value) -> Shape<'a> {
    match (schema.ty(ty), v) {
        (Ty::Map { atomic, .. }, Value::Object(_) | Value::Null) => Shape::Map { atomic: *atomic },
        (Ty::List { elem, kind }, Value::Array(_) | Value::Null) => {
            Shape::List { elem: *elem, kind }
        }
        (Ty::Deduced, Value::Object(_)) => Shape::Map { atomic: false },
        _ => Shape::Leaf,
    }
}

const ATOMIC: ListKind = ListKind::Atomic;

/// Go's `%q` of a `[]string`: `["name" "port"]`.
fn go_strings(keys: &[Box<str>]) -> String {
    let parts: Vec<String> = keys
        .iter()
        .map(|k| Value::String(k.to_string()).to_string())
        .collect();
    format!("[{}]", parts.join(" "))
}

/// The path element of a list item (SMD's `listItemToPathElement`).
pub fn item_element(kind: &ListKind, index: usize, item: &Value) -> Result<PathElement, String> {
    match kind {
        ListKind::Map(keys) => {
            let Value::Object(m) = item else {
                return Err(format!("expected map, got {item}"));
            };
            let mut fields: Vec<(String, Value)> = keys
                .iter()
                .filter_map(|k| m.get(&**k).map(|v| (k.to_string(), v.clone())))
                .collect();
            if fields.is_empty() {
                return Err(format!(
                    "associative list with keys has an element that omits all key fields {} (and doesn't have default values for any key fields)",
                    go_strings(keys)
                ));
            }
            fields.sort_by(|a, b| a.0.cmp(&b.0));
            Ok(PathElement::Key(fields))
        }
        ListKind::Set => match item {
            Value::Object(_) => {
                Err("associative list without keys has an element that's a map type".into())
            }
            v => Ok(PathElement::Value(v.clone())),
        },
        ListKind::Atomic => Ok(PathElement::Index(index)),
    }
}

/// Collects the fields of a value (SMD's `ToFieldSet`): scalars, atomic maps and lists, list
/// items (with their key fields), map entries, and empty or null struct fields are members.
/// With `errors`, the value is also checked as an applied configuration must be: list-map items
/// carry a key, and sets and list-maps hold no duplicates.
pub struct FieldSetWalker<'a> {
    schema: &'a Schema,
    path: Vec<PathElement>,
    pub set: Set,
    errors: Option<Vec<String>>,
}

impl<'a> FieldSetWalker<'a> {
    fn new(schema: &'a Schema, strict: bool) -> Self {
        FieldSetWalker {
            schema,
            path: Vec::with_capacity(16),
            set: Set::new(),
            errors: strict.then(Vec::new),
        }
    }

    fn walk(&mut self, ty: TyId, v: &Value) {
        match shape(self.schema, ty, v) {
            Shape::Leaf | Shape::Map { atomic: true } => self.set.insert(&self.path),
            Shape::List { kind, .. } if *kind == ATOMIC => self.set.insert(&self.path),
            Shape::List { elem, kind } => {
                let Value::Array(items) = v else { return };
                let mut pes: Vec<Option<PathElement>> = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    match item_element(kind, i, item) {
                        Ok(pe) => pes.push(Some(pe)),
                        Err(e) => {
                            if let Some(errs) = &mut self.errors {
                                errs.push(format!("{}: element {i}: {e}", path_string(&self.path)));
                            }
                            pes.push(None);
                        }
                    }
                }
                let mut sorted: Vec<&PathElement> = pes.iter().flatten().collect();
                sorted.sort();
                let mut dups: Vec<&PathElement> = Vec::new();
                for w in sorted.windows(2) {
                    if w[0] == w[1] && dups.last() != Some(&w[0]) {
                        dups.push(w[0]);
                    }
                }
                for d in &dups {
                    if let Some(errs) = &mut self.errors {
                        errs.push(format!(
                            "{}: duplicate entries for key {d}",
                            path_string(&self.path)
                        ));
                    }
                    self.path.push((*d).clone());
                    self.set.insert(&self.path);
                    self.path.pop();
                }
                for (pe, item) in pes.iter().zip(items) {
                    let Some(pe) = pe else { continue };
                    if dups.contains(&pe) {
                        continue;
                    }
                    self.path.push(pe.clone());
                    self.walk(elem, item);
                    self.set.insert(&self.path);
                    self.path.pop();
                }
            }
            Shape::Map { atomic: false } => {
                let Value::Object(m) = v else { return };
                for (k, child) in m {
                    let named = self.schema.is_named_field(ty, k);
                    self.path.push(PathElement::Field(k.clone()));
                    self.walk(self.schema.field(ty, k), child);
                    let empty = match child {
                        Value::Null => true,
                        Value::Object(o) => o.is_empty(),
                        _ => false,
                    };
                    if empty || !named {
                        self.set.insert(&self.path);
                    }
                    self.path.pop();
                }
            }
        }
    }
}

/// The field set of `v` of type `ty`.
pub fn field_set(schema: &Schema, ty: TyId, v: &Value) -> Set {
    let mut w = FieldSetWalker::new(schema, false);
    w.walk(ty, v);
    w.set
}

/// The field set of an applied configuration, or the errors that make it invalid.
pub fn config_field_set(schema: &Schema, ty: TyId, v: &Value) -> Result<Set, Vec<String>> {
    let mut w = FieldSetWalker::new(schema, true);
    w.walk(ty, v);
    match w.errors {
        Some(errs) if !errs.is_empty() => Err(errs),
        _ => Ok(w.set),
    }
}

/// What changed between two objects (SMD's `Comparison`).
#[derive(Debug, Default)]
pub struct Comparison {
    pub modified: Set,
    pub added: Set,
    pub removed: Set,
}

impl Comparison {
    /// Modified ∪ Added.
    pub fn changed(&self) -> Set {
        self.modified.union(&self.added)
    }
}

/// Compares `old` with `new` (both of type `ty`).
pub fn compare(schema: &Schema, ty: TyId, old: &Value, new: &Value) -> Comparison {
    let mut c = Comparison::default();
    let mut path = Vec::with_capacity(16);
    compare_at(schema, ty, Some(old), Some(new), &mut path, &mut c);
    c
}

fn is_empty_container(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => true,
        Some(Value::Object(m)) => m.is_empty(),
        Some(Value::Array(a)) => a.is_empty(),
        _ => false,
    }
}

fn compare_at(
    schema: &Schema,
    ty: TyId,
    lhs: Option<&Value>,
    rhs: Option<&Value>,
    path: &mut Vec<PathElement>,
    c: &mut Comparison,
) {
    let probe = match (lhs, rhs) {
        (_, Some(r)) if !r.is_null() => r,
        (Some(l), _) => l,
        (_, Some(r)) => r,
        (None, None) => return,
    };
    let shape = shape(schema, ty, probe);
    // Both sides must have the shape (or be absent/null) to be walked.
    let same = |v: Option<&Value>| {
        matches!(
            (&shape, v),
            (_, None | Some(Value::Null))
                | (Shape::Map { .. }, Some(Value::Object(_)))
                | (Shape::List { .. }, Some(Value::Array(_)))
        )
    };
    let container_walk = match &shape {
        Shape::Leaf | Shape::Map { atomic: true } => false,
        Shape::List { kind, .. } if **kind == ATOMIC => false,
        _ => same(lhs) && same(rhs) && !(is_empty_container(lhs) && is_empty_container(rhs)),
    };
    if !container_walk {
        match (lhs, rhs) {
            (None, Some(_)) => c.added.insert(path),
            (Some(_), None) => c.removed.insert(path),
            (Some(l), Some(r)) if l != r => c.modified.insert(path),
            _ => {}
        }
        return;
    }
    match shape {
        Shape::Map { .. } => {
            let empty = Map::new();
            let lm = lhs.and_then(Value::as_object).unwrap_or(&empty);
            let rm = rhs.and_then(Value::as_object).unwrap_or(&empty);
            // Both maps are sorted: zip them.
            let mut li = lm.iter().peekable();
            let mut ri = rm.iter().peekable();
            loop {
                let (k, l, r) = match (li.peek(), ri.peek()) {
                    (None, None) => break,
                    (Some((lk, _)), Some((rk, _))) if lk == rk => {
                        let (k, l) = li.next().unwrap_or_else(|| unreachable!());
                        let (_, r) = ri.next().unwrap_or_else(|| unreachable!());
                        (k, Some(l), Some(r))
                    }
                    (Some((lk, _)), Some((rk, _))) if lk < rk => {
                        let (k, l) = li.next().unwrap_or_else(|| unreachable!());
                        (k, Some(l), None)
                    }
                    (Some(_), None) => {
                        let (k, l) = li.next().unwrap_or_else(|| unreachable!());
                        (k, Some(l), None)
                    }
                    _ => {
                        let (k, r) = ri.next().unwrap_or_else(|| unreachable!());
                        (k, None, Some(r))
                    }
                };
                // managedFields are never tracked as fields.
                if k == "managedFields"
                    && path.len() == 1
                    && matches!(&path[0], PathElement::Field(m) if m == "metadata")
                {
                    continue;
                }
                path.push(PathElement::Field(k.clone()));
                compare_at(schema, schema.field(ty, k), l, r, path, c);
                path.pop();
            }
        }
        Shape::List { elem, kind } => {
            let empty = Vec::new();
            let la = lhs.and_then(Value::as_array).unwrap_or(&empty);
            let ra = rhs.and_then(Value::as_array).unwrap_or(&empty);
            let mut items: BTreeMap<PathElement, (Vec<&Value>, Vec<&Value>)> = BTreeMap::new();
            let mut order: Vec<PathElement> = Vec::new();
            for (side, list) in [(0, la), (1, ra)] {
                for (i, item) in list.iter().enumerate() {
                    let Ok(pe) = item_element(kind, i, item) else {
                        continue;
                    };
                    let entry = items.entry(pe.clone()).or_insert_with(|| {
                        order.push(pe);
                        (Vec::new(), Vec::new())
                    });
                    if side == 0 {
                        entry.0.push(item);
                    } else {
                        entry.1.push(item);
                    }
                }
            }
            for pe in order {
                let (l, r) = &items[&pe];
                path.push(pe);
                match (l.len(), r.len()) {
                    (0..=1, 0..=1) => compare_at(
                        schema,
                        elem,
                        l.first().copied(),
                        r.first().copied(),
                        path,
                        c,
                    ),
                    (a, b) if a >= 2 && b >= 2 => {
                        if l != r {
                            c.modified.insert(path);
                        }
                    }
                    (a, _) if a >= 2 => {
                        if let Some(r) = r.first() {
                            compare_at(schema, elem, None, Some(r), path, c);
                        }
                        c.removed.insert(path);
                    }
                    _ => {
                        if let Some(l) = l.first() {
                            compare_at(schema, elem, Some(l), None, path, c);
                        }
                        c.added.insert(path);
                    }
                }
                path.pop();
            }
        }
        Shape::Leaf => {}
    }
    match (lhs, rhs) {
        (None, Some(_)) => c.added.insert(path),
        (Some(_), None) => c.removed.insert(path),
        _ => {}
    }
}

/// Merges an applied configuration into `live` (SMD's `Merge`): granular maps merge per key,
/// atomic maps and lists and scalars are replaced, list-maps and sets merge by item, keeping
/// SMD's order (the configuration's order for shared items, live-only items where they were).
/// The configuration must have been checked ([`config_field_set`]).
pub fn merge_into(schema: &Schema, ty: TyId, live: &mut Value, config: &Value) {
    match shape(schema, ty, config) {
        Shape::Map { atomic: false } => {
            let Value::Object(cm) = config else {
                // A null configuration keeps the live value.
                return;
            };
            let Value::Object(lm) = live else {
                *live = config.clone();
                return;
            };
            for (k, cv) in cm {
                match lm.get_mut(k) {
                    Some(lv) => merge_into(schema, schema.field(ty, k), lv, cv),
                    None => {
                        lm.insert(k.clone(), cv.clone());
                    }
                }
            }
        }
        Shape::List { elem, kind } if *kind != ATOMIC => {
            let Value::Array(ca) = config else { return };
            let Value::Array(la) = live else {
                *live = config.clone();
                return;
            };
            let lhs = std::mem::take(la);
            *la = merge_lists(schema, elem, kind, lhs, ca);
        }
        _ => *live = config.clone(),
    }
}

fn merge_lists(
    schema: &Schema,
    elem: TyId,
    kind: &ListKind,
    mut lhs: Vec<Value>,
    rhs: &[Value],
) -> Vec<Value> {
    // Live items without a key never match.
    let lhs_pes: Vec<PathElement> = lhs
        .iter()
        .enumerate()
        .map(|(i, v)| item_element(kind, i, v).unwrap_or(PathElement::Index(usize::MAX - i)))
        .collect();
    let rhs_pes: Vec<PathElement> = rhs
        .iter()
        .enumerate()
        .map(|(i, v)| item_element(kind, i, v).unwrap_or(PathElement::Index(i)))
        .collect();
    // pe -> index of its only live item (None when duplicated).
    let mut observed_lhs: BTreeMap<&PathElement, Option<usize>> = BTreeMap::new();
    for (i, pe) in lhs_pes.iter().enumerate() {
        observed_lhs
            .entry(pe)
            .and_modify(|e| *e = None)
            .or_insert(Some(i));
    }
    let mut observed_rhs: BTreeMap<&PathElement, usize> = BTreeMap::new();
    for (i, pe) in rhs_pes.iter().enumerate() {
        observed_rhs.entry(pe).or_insert(i);
    }
    let mut shared = rhs_pes.iter().filter(|pe| observed_lhs.contains_key(pe));
    let mut next_shared = shared.next();
    let mut merged_rhs: Vec<&PathElement> = Vec::new();
    let mut out = Vec::with_capacity(lhs.len().max(rhs.len()));
    let take_merged = |lhs: &mut Vec<Value>, li: Option<usize>, r: &Value| -> Value {
        match li {
            Some(i) => {
                let mut l = std::mem::take(&mut lhs[i]);
                merge_into(schema, elem, &mut l, r);
                l
            }
            None => r.clone(),
        }
    };
    let (llen, rlen) = (lhs_pes.len(), rhs_pes.len());
    let (mut li, mut ri) = (0, 0);
    while li < llen || ri < rlen {
        if li < llen && ri < rlen {
            let pe = &lhs_pes[li];
            if *pe == rhs_pes[ri] {
                merged_rhs.push(pe);
                let l = observed_lhs.get(pe).copied().flatten();
                let r = &rhs[observed_rhs[pe]];
                out.push(take_merged(&mut lhs, l, r));
                li += 1;
                ri += 1;
                next_shared = shared.next();
                continue;
            }
            if observed_rhs.contains_key(pe) && next_shared.is_some_and(|n| n != pe) {
                li += 1;
                continue;
            }
        }
        if li < llen {
            let pe = &lhs_pes[li];
            if !observed_rhs.contains_key(pe) {
                out.push(std::mem::take(&mut lhs[li]));
                li += 1;
                continue;
            } else if merged_rhs.contains(&pe) {
                li += 1;
            }
        }
        if ri < rlen {
            let pe = &rhs_pes[ri];
            merged_rhs.push(pe);
            if !merged_rhs[..merged_rhs.len() - 1].contains(&pe) {
                let l = observed_lhs.get(pe).copied().flatten();
                out.push(take_merged(&mut lhs, l, &rhs[ri]));
            }
            ri += 1;
            if next_shared == Some(pe) {
                next_shared = shared.next();
            }
        }
    }
    out
}

/// Removes from `v` every member of `set` (a list item or a map entry as a whole), descending
/// into children (SMD's `RemoveItems`). Maps and lists emptied by the removal are dropped.
pub fn remove_items(schema: &Schema, ty: TyId, v: &mut Value, set: &Set) {
    match shape(schema, ty, v) {
        Shape::Map { atomic: false } => {
            let Value::Object(m) = v else { return };
            for pe in set.members() {
                if let PathElement::Field(k) = pe {
                    m.remove(k);
                }
            }
            for (pe, child) in set.children() {
                let PathElement::Field(k) = pe else { continue };
                if let Some(cv) = m.get_mut(k) {
                    let was_empty = is_empty_container(Some(cv));
                    remove_items(schema, schema.field(ty, k), cv, child);
                    if !was_empty && is_empty_container(Some(cv)) {
                        m.remove(k);
                    }
                }
            }
        }
        Shape::List { elem, kind } if *kind != ATOMIC => {
            let Value::Array(items) = v else { return };
            let old = std::mem::take(items);
            for (i, mut item) in old.into_iter().enumerate() {
                let Ok(pe) = item_element(kind, i, &item) else {
                    items.push(item);
                    continue;
                };
                if set.has_member(&pe) {
                    continue;
                }
                if let Some(child) = set.child(&pe) {
                    remove_items(schema, elem, &mut item, child);
                }
                items.push(item);
            }
        }
        _ => {}
    }
}

/// The set with every named struct field that has children also made a member (SMD's
/// `EnsureNamedFieldsAreMembers`), so pruning can drop a struct its manager no longer applies.
pub fn ensure_named_members(schema: &Schema, ty: TyId, set: &Set) -> Set {
    let mut out = Set::new();
    for pe in set.members() {
        out.insert_member(pe.clone());
    }
    for (pe, child) in set.children() {
        let child_ty = match (pe, schema.ty(ty)) {
            (PathElement::Field(k), _) => {
                if schema.is_named_field(ty, k) {
                    out.insert_member(pe.clone());
                }
                schema.field(ty, k)
            }
            (_, Ty::List { elem, .. }) => *elem,
            _ => DEDUCED,
        };
        *out.child_mut(pe) = ensure_named_members(schema, child_ty, child);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema() -> Schema {
        Schema::from_json_schema(&json!({
            "$ref": "#/definitions/K",
            "definitions": {
                "K": {"type": "object", "properties": {
                    "apiVersion": {"type": "string"},
                    "kind": {"type": "string"},
                    "spec": {"$ref": "#/definitions/Spec"},
                }},
                "Spec": {"type": "object", "properties": {
                    "x": {"type": "string"},
                    "y": {"type": "string"},
                    "args": {"type": "array", "items": {"type": "string"}},
                    "tags": {"type": "array", "items": {"type": "string"}, "x-kubernetes-list-type": "set"},
                    "containers": {"type": "array", "items": {"$ref": "#/definitions/C"},
                              "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"]},
                    "sel": {"type": "object", "x-kubernetes-map-type": "atomic", "additionalProperties": {"type": "string"}},
                    "env": {"type": "object", "additionalProperties": {"type": "string"}},
                    "nested": {"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "string"}}},
                }},
                "C": {"type": "object", "properties": {
                    "name": {"type": "string"}, "image": {"type": "string"}, "port": {"type": "integer"}}},
            }
        }))
    }

    fn fv1(s: &Set) -> String {
        serde_json::to_string(&s.to_fields_v1()).unwrap()
    }

    #[test]
    fn field_set_members_as_smd() {
        let s = schema();
        let obj = json!({"spec": {"x": "1", "args": ["a"], "tags": ["t"], "sel": {"a": "b"},
            "env": {"E": "v"}, "nested": {}, "containers": [{"name": "web", "image": "i"}]}});
        let set = field_set(&s, s.root, &obj);
        assert_eq!(
            fv1(&set),
            r#"{"f:spec":{"f:args":{},"f:containers":{"k:{\"name\":\"web\"}":{".":{},"f:image":{},"f:name":{}}},"f:env":{"f:E":{}},"f:nested":{},"f:sel":{},"f:tags":{"v:\"t\"":{}},"f:x":{}}}"#
        );
    }

    #[test]
    fn config_errors_as_kube_prints_them() {
        let s = schema();
        let bad = json!({"spec": {"containers": [{"image": "i"}], "tags": ["a", "a"]}});
        let errs = config_field_set(&s, s.root, &bad).unwrap_err();
        assert_eq!(
            errs,
            vec![
                r#".spec.containers: element 0: associative list with keys has an element that omits all key fields ["name"] (and doesn't have default values for any key fields)"#,
                r#".spec.tags: duplicate entries for key [="a"]"#,
            ]
        );
        let dup = json!({"spec": {"containers": [{"name": "a"}, {"name": "a"}]}});
        assert_eq!(
            config_field_set(&s, s.root, &dup).unwrap_err(),
            vec![r#".spec.containers: duplicate entries for key [name="a"]"#]
        );
    }

    #[test]
    fn merge_granular_atomic_and_lists() {
        let s = schema();
        let mut live = json!({"spec": {"x": "1", "args": ["a", "b"], "tags": ["t1", "t2"],
            "sel": {"a": "1", "b": "2"}, "env": {"A": "1"},
            "containers": [{"name": "a", "image": "ia", "port": 1}, {"name": "b", "image": "ib"}]}});
        let config = json!({"spec": {"y": "2", "args": ["c"], "tags": ["t3", "t1"],
            "sel": {"c": "3"}, "env": {"B": "2"},
            "containers": [{"name": "c", "image": "ic"}, {"name": "a", "image": "new"}]}});
        merge_into(&s, s.root, &mut live, &config);
        assert_eq!(
            live,
            json!({"spec": {"x": "1", "y": "2", "args": ["c"], "tags": ["t3", "t1", "t2"],
                "sel": {"c": "3"}, "env": {"A": "1", "B": "2"},
                "containers": [{"name": "c", "image": "ic"},
                               {"name": "a", "image": "new", "port": 1}, {"name": "b", "image": "ib"}]}})
        );
    }

    #[test]
    fn merge_appends_new_items_after_live_ones() {
        let s = schema();
        let mut live = json!({"spec": {"containers": [{"name": "a"}, {"name": "b"}]}});
        let config = json!({"spec": {"containers": [{"name": "a", "image": "x"}, {"name": "z"}]}});
        merge_into(&s, s.root, &mut live, &config);
        assert_eq!(
            live["spec"]["containers"],
            json!([{"name": "a", "image": "x"}, {"name": "b"}, {"name": "z"}])
        );
    }

    #[test]
    fn compare_finds_changes() {
        let s = schema();
        let old =
            json!({"spec": {"x": "1", "y": "2", "containers": [{"name": "a", "image": "i"}]}});
        let new = json!({"spec": {"x": "9", "nested": {"a": "1"},
            "containers": [{"name": "a", "image": "i"}, {"name": "b"}]}});
        let c = compare(&s, s.root, &old, &new);
        assert_eq!(fv1(&c.modified), r#"{"f:spec":{"f:x":{}}}"#);
        assert_eq!(fv1(&c.removed), r#"{"f:spec":{"f:y":{}}}"#);
        assert_eq!(
            fv1(&c.added),
            r#"{"f:spec":{"f:containers":{"k:{\"name\":\"b\"}":{".":{},"f:name":{}}},"f:nested":{".":{},"f:a":{}}}}"#
        );
    }

    #[test]
    fn remove_items_drops_members_and_emptied_parents() {
        let s = schema();
        let mut v = json!({"spec": {"x": "1", "env": {"A": "1"},
            "containers": [{"name": "a", "image": "i"}, {"name": "b", "image": "j"}]}});
        let mut set = Set::new();
        let f = PathElement::field;
        set.insert(&[f("spec"), f("x")]);
        set.insert(&[f("spec"), f("env"), f("A")]);
        set.insert(&[
            f("spec"),
            f("containers"),
            PathElement::Key(vec![("name".into(), json!("a"))]),
        ]);
        set.insert(&[
            f("spec"),
            f("containers"),
            PathElement::Key(vec![("name".into(), json!("b"))]),
            f("image"),
        ]);
        remove_items(&s, s.root, &mut v, &set);
        assert_eq!(v, json!({"spec": {"containers": [{"name": "b"}]}}));
    }

    #[test]
    fn ensure_named_makes_struct_fields_members() {
        let s = schema();
        let mut set = Set::new();
        let f = PathElement::field;
        set.insert(&[f("spec"), f("env"), f("A")]);
        let e = ensure_named_members(&s, s.root, &set);
        assert!(e.has(&[f("spec")]));
        assert!(e.has(&[f("spec"), f("env")]));
        assert!(!e.has(&[f("spec"), f("env"), f("B")]));
    }
}
