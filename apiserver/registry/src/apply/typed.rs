//! Schema-driven typing for server-side apply: for each kind, a compact tree of types built once
//! from its JSON schema, telling for every path whether a map is granular or atomic
//! (`x-kubernetes-map-type`) and whether a list is atomic, a set, or a map keyed by
//! `x-kubernetes-list-map-keys` (`x-kubernetes-list-type`). As SMD's deduced and CRD schemas do,
//! a list with no annotation is atomic, a map granular, and anything the schema leaves open is
//! deduced from the value (maps granular, lists atomic).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::Value;

/// An index into [`Schema::types`].
pub type TyId = u32;

/// The type of anything the schema leaves open.
pub const DEDUCED: TyId = 0;
const SCALAR: TyId = 1;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListKind {
    Atomic,
    Set,
    /// Key field names.
    Map(Box<[Box<str>]>),
}

#[derive(Debug, Clone)]
pub enum Ty {
    /// Open: shape deduced from the value.
    Deduced,
    Scalar,
    Map {
        /// Named fields, sorted by name.
        fields: Box<[(Box<str>, TyId)]>,
        /// The type of other keys (`additionalProperties`), or deduced.
        elem: TyId,
        atomic: bool,
    },
    List {
        elem: TyId,
        kind: ListKind,
    },
}

/// A kind's type tree.
#[derive(Debug)]
pub struct Schema {
    pub types: Vec<Ty>,
    pub root: TyId,
}

impl Schema {
    pub fn ty(&self, id: TyId) -> &Ty {
        &self.types[id as usize]
    }

    /// The type of `key` in a map of type `id` (`None` if it is not a map type).
    pub fn field(&self, id: TyId, key: &str) -> TyId {
        match self.ty(id) {
            Ty::Map { fields, elem, .. } => fields
                .binary_search_by(|(n, _)| (**n).cmp(key))
                .map(|i| fields[i].1)
                .unwrap_or(*elem),
            _ => DEDUCED,
        }
    }

    /// Whether `key` is a declared (named) field of the struct type `id`.
    pub fn is_named_field(&self, id: TyId, key: &str) -> bool {
        match self.ty(id) {
            Ty::Map { fields, .. } => fields.binary_search_by(|(n, _)| (**n).cmp(key)).is_ok(),
            _ => false,
        }
    }

    /// A schema from a JSON schema with `$ref`s into `definitions` (or `$defs`), as
    /// `argo_openapi::schema::validation_schema` shapes it. `metadata` at the root is typed as
    /// ObjectMeta, as kube-apiserver types it.
    pub fn from_json_schema(schema: &Value) -> Schema {
        let defs = schema
            .get("definitions")
            .or_else(|| schema.get("$defs"))
            .and_then(Value::as_object);
        let mut b = Builder {
            types: vec![Ty::Deduced, Ty::Scalar],
            defs,
            by_def: HashMap::new(),
        };
        let root = b.build(schema);
        let meta = b.object_meta();
        // Replace (or add) `metadata` in the root struct.
        let root = match b.types[root as usize].clone() {
            Ty::Map {
                fields,
                elem,
                atomic,
            } => {
                let mut fields: Vec<_> = fields
                    .iter()
                    .filter(|(n, _)| &**n != "metadata")
                    .cloned()
                    .collect();
                fields.push(("metadata".into(), meta));
                fields.sort_by(|a, b| a.0.cmp(&b.0));
                b.push(Ty::Map {
                    fields: fields.into(),
                    elem,
                    atomic,
                })
            }
            _ => b.push(Ty::Map {
                fields: vec![("metadata".into(), meta)].into(),
                elem: DEDUCED,
                atomic: false,
            }),
        };
        Schema {
            types: b.types,
            root,
        }
    }
}

struct Builder<'a> {
    types: Vec<Ty>,
    defs: Option<&'a serde_json::Map<String, Value>>,
    by_def: HashMap<&'a str, TyId>,
}

impl<'a> Builder<'a> {
    fn push(&mut self, ty: Ty) -> TyId {
        self.types.push(ty);
        (self.types.len() - 1) as TyId
    }

    fn build(&mut self, s: &'a Value) -> TyId {
        let Value::Object(m) = s else {
            return DEDUCED;
        };
        if let Some(Value::String(r)) = m.get("$ref") {
            let name = r
                .strip_prefix("#/definitions/")
                .or_else(|| r.strip_prefix("#/$defs/"))
                .unwrap_or(r);
            if let Some(&id) = self.by_def.get(name) {
                return id;
            }
            let Some(target) = self.defs.and_then(|d| d.get(name)) else {
                return DEDUCED;
            };
            // Reserve the id first: definitions may be recursive.
            let id = self.push(Ty::Deduced);
            self.by_def.insert(name, id);
            let built = self.build(target);
            self.types[id as usize] = self.types[built as usize].clone();
            return id;
        }
        if m.get("x-kubernetes-int-or-string") == Some(&Value::Bool(true))
            || m.contains_key("anyOf")
            || m.contains_key("oneOf")
        {
            return SCALAR;
        }
        let ty = m.get("type").and_then(Value::as_str);
        let props = m.get("properties").and_then(Value::as_object);
        let items = m.get("items");
        match ty {
            Some("object") | None if props.is_some() || m.contains_key("additionalProperties") => {
                let atomic =
                    m.get("x-kubernetes-map-type").and_then(Value::as_str) == Some("atomic");
                let mut fields: Vec<(Box<str>, TyId)> = props
                    .into_iter()
                    .flatten()
                    .map(|(k, v)| (k.as_str().into(), self.build(v)))
                    .collect();
                fields.sort_by(|a, b| a.0.cmp(&b.0));
                let elem = match m.get("additionalProperties") {
                    Some(ap @ Value::Object(_)) => self.build(ap),
                    _ => DEDUCED,
                };
                self.push(Ty::Map {
                    fields: fields.into(),
                    elem,
                    atomic,
                })
            }
            Some("object") => {
                if m.get("x-kubernetes-map-type").and_then(Value::as_str) == Some("atomic") {
                    self.push(Ty::Map {
                        fields: Box::new([]),
                        elem: DEDUCED,
                        atomic: true,
                    })
                } else {
                    DEDUCED
                }
            }
            Some("array") | None if items.is_some() => {
                let elem = items.map(|i| self.build(i)).unwrap_or(DEDUCED);
                let kind = match m.get("x-kubernetes-list-type").and_then(Value::as_str) {
                    Some("set") => ListKind::Set,
                    Some("map") => {
                        let keys: Vec<Box<str>> = m
                            .get("x-kubernetes-list-map-keys")
                            .and_then(Value::as_array)
                            .into_iter()
                            .flatten()
                            .filter_map(Value::as_str)
                            .map(Into::into)
                            .collect();
                        if keys.is_empty() {
                            ListKind::Atomic
                        } else {
                            ListKind::Map(keys.into())
                        }
                    }
                    _ => ListKind::Atomic,
                };
                self.push(Ty::List { elem, kind })
            }
            Some("array") => self.push(Ty::List {
                elem: DEDUCED,
                kind: ListKind::Atomic,
            }),
            Some(_) => SCALAR,
            None => DEDUCED,
        }
    }

    /// kube's ObjectMeta as SSA types it: labels and annotations granular maps, finalizers a
    /// set, ownerReferences a map keyed by uid of atomic OwnerReferences, managedFields atomic.
    fn object_meta(&mut self) -> TyId {
        let string_map = self.push(Ty::Map {
            fields: Box::new([]),
            elem: SCALAR,
            atomic: false,
        });
        let finalizers = self.push(Ty::List {
            elem: SCALAR,
            kind: ListKind::Set,
        });
        let owner_ref = self.push(Ty::Map {
            fields: [
                "apiVersion",
                "blockOwnerDeletion",
                "controller",
                "kind",
                "name",
                "uid",
            ]
            .iter()
            .map(|n| ((*n).into(), SCALAR))
            .collect(),
            elem: DEDUCED,
            atomic: true,
        });
        let owner_refs = self.push(Ty::List {
            elem: owner_ref,
            kind: ListKind::Map(Box::new(["uid".into()])),
        });
        let managed = self.push(Ty::List {
            elem: DEDUCED,
            kind: ListKind::Atomic,
        });
        let mut fields: Vec<(Box<str>, TyId)> = vec![
            ("annotations".into(), string_map),
            ("creationTimestamp".into(), SCALAR),
            ("deletionGracePeriodSeconds".into(), SCALAR),
            ("deletionTimestamp".into(), SCALAR),
            ("finalizers".into(), finalizers),
            ("generateName".into(), SCALAR),
            ("generation".into(), SCALAR),
            ("labels".into(), string_map),
            ("managedFields".into(), managed),
            ("name".into(), SCALAR),
            ("namespace".into(), SCALAR),
            ("ownerReferences".into(), owner_refs),
            ("resourceVersion".into(), SCALAR),
            ("selfLink".into(), SCALAR),
            ("uid".into(), SCALAR),
        ];
        fields.sort_by(|a, b| a.0.cmp(&b.0));
        self.push(Ty::Map {
            fields: fields.into(),
            elem: DEDUCED,
            atomic: false,
        })
    }
}

/// The type tree of a catalog kind, built on first use and kept.
pub fn schema_for(kind: &str) -> Option<Arc<Schema>> {
    static CACHE: OnceLock<Mutex<HashMap<String, Arc<Schema>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(s) = cache.lock().ok()?.get(kind) {
        return Some(s.clone());
    }
    let def = argo_openapi::CATALOG.iter().find(|d| d.kind == kind)?;
    let schema = Arc::new(Schema::from_json_schema(
        &argo_openapi::schema::validation_schema(def),
    ));
    cache
        .lock()
        .ok()?
        .entry(kind.to_string())
        .or_insert(schema)
        .clone()
        .into()
}

/// A schema with no declared types (everything deduced), but ObjectMeta typed: for kinds the
/// catalog does not know.
pub fn deduced_schema() -> Arc<Schema> {
    static S: OnceLock<Arc<Schema>> = OnceLock::new();
    S.get_or_init(|| Arc::new(Schema::from_json_schema(&Value::Null)))
        .clone()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn annotations_drive_the_types() {
        let s = Schema::from_json_schema(&json!({
            "$ref": "#/definitions/K",
            "definitions": {
                "K": {"type": "object", "properties": {
                    "spec": {"$ref": "#/definitions/Spec"},
                }},
                "Spec": {"type": "object", "properties": {
                    "plain": {"type": "array", "items": {"type": "string"}},
                    "set": {"type": "array", "items": {"type": "string"}, "x-kubernetes-list-type": "set"},
                    "items": {"type": "array", "items": {"$ref": "#/definitions/Spec"},
                              "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"]},
                    "sel": {"type": "object", "x-kubernetes-map-type": "atomic", "properties": {"a": {"type": "string"}}},
                    "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                    "open": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
                }},
            }
        }));
        let spec = s.field(s.root, "spec");
        let kind = |n: &str| s.ty(s.field(spec, n)).clone();
        assert!(matches!(
            kind("plain"),
            Ty::List {
                kind: ListKind::Atomic,
                ..
            }
        ));
        assert!(matches!(
            kind("set"),
            Ty::List {
                kind: ListKind::Set,
                ..
            }
        ));
        match kind("items") {
            Ty::List {
                kind: ListKind::Map(keys),
                elem,
            } => {
                assert_eq!(&*keys[0], "name");
                // Recursive definition resolves to the same type.
                assert_eq!(elem, spec);
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(kind("sel"), Ty::Map { atomic: true, .. }));
        assert!(matches!(
            kind("labels"),
            Ty::Map {
                atomic: false,
                elem: SCALAR,
                ..
            }
        ));
        assert!(matches!(kind("open"), Ty::Deduced));
        let meta = s.field(s.root, "metadata");
        assert!(matches!(
            s.ty(s.field(meta, "finalizers")),
            Ty::List {
                kind: ListKind::Set,
                ..
            }
        ));
        assert!(matches!(
            s.ty(s.field(meta, "ownerReferences")),
            Ty::List {
                kind: ListKind::Map(_),
                ..
            }
        ));
    }

    #[test]
    fn catalog_kinds_build() {
        for def in argo_openapi::CATALOG.iter() {
            let s = schema_for(def.kind).expect(def.kind);
            assert!(matches!(s.ty(s.root), Ty::Map { .. }), "{}", def.kind);
        }
        let app = schema_for("Application").unwrap();
        let spec = app.field(app.root, "spec");
        assert!(matches!(app.ty(spec), Ty::Map { .. }));
    }
}
