//! Schemas generated from the Rust types, once, into one set of named definitions; from that set
//! the OpenAPI documents take their `definitions`/`components`, and each kind gets a structural
//! schema (all references inlined, types everywhere) as a CRD's openAPIV3Schema must be.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use k8s_openapi::api::autoscaling::v1::Scale;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{
    DeleteOptions, ListMeta, ObjectMeta, Patch, Status, WatchEvent,
};
use schemars::generate::SchemaSettings;
use serde_json::{Map, Value, json};

use crate::catalog::{CATALOG, GROUP, ResourceDef, VERSION};

/// Our definitions are named as kube-apiserver names a CRD's: `io.argoproj.v1alpha1.<Type>`.
pub const DEFINITION_PREFIX: &str = "io.argoproj.v1alpha1.";
pub const OBJECT_META: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";
pub const LIST_META: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta";
pub const STATUS: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.Status";
pub const WATCH_EVENT: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent";
pub const DELETE_OPTIONS: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions";
pub const PATCH: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.Patch";
pub const SCALE: &str = "io.k8s.api.autoscaling.v1.Scale";

pub const API_VERSION_DESCRIPTION: &str = "APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources";
pub const KIND_DESCRIPTION: &str = "Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds";
const OBJECT_META_DESCRIPTION: &str = "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";
const LIST_META_DESCRIPTION: &str = "Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds";

/// Every definition the API uses, by OpenAPI name; `$ref`s point at `#/definitions/<name>`.
#[derive(Debug)]
pub struct SchemaSet {
    pub definitions: BTreeMap<String, Value>,
}

/// The definition name of a kind (`io.argoproj.v1alpha1.Application`).
pub fn kind_definition(kind: &str) -> String {
    format!("{DEFINITION_PREFIX}{kind}")
}

/// The definition name of a kind's list (`io.argoproj.v1alpha1.ApplicationList`).
pub fn list_definition(kind: &str) -> String {
    format!("{DEFINITION_PREFIX}{kind}List")
}

/// The schemas, generated on first use.
pub fn schema_set() -> &'static SchemaSet {
    static SET: OnceLock<SchemaSet> = OnceLock::new();
    SET.get_or_init(generate)
}

fn generate() -> SchemaSet {
    let settings = SchemaSettings::draft07().with(|s| {
        s.definitions_path = "/definitions".into();
        s.meta_schema = None;
        s.transforms = Vec::new();
        s.inline_subschemas = false;
    });
    let mut generator = settings.into_generator();
    for def in CATALOG {
        (def.schema)(&mut generator);
        for action in def.actions {
            (action.request)(&mut generator);
        }
    }
    // The meta types every document uses, under their Kubernetes names.
    generator.subschema_for::<ObjectMeta>();
    generator.subschema_for::<ListMeta>();
    generator.subschema_for::<Status>();
    generator.subschema_for::<WatchEvent<Value>>();
    generator.subschema_for::<DeleteOptions>();
    generator.subschema_for::<Patch>();
    generator.subschema_for::<Scale>();

    let raw = generator.take_definitions(true);
    let mut definitions = BTreeMap::new();
    for (name, mut schema) in raw {
        normalize(&mut schema);
        rename_refs(&mut schema);
        definitions.insert(canonical_name(&name), schema);
    }
    for def in CATALOG {
        let name = kind_definition(def.kind);
        let schema = definitions
            .get_mut(&name)
            .unwrap_or_else(|| panic!("no definition generated for kind {}", def.kind));
        decorate_kind(schema, def);
        definitions.insert(list_definition(def.kind), list_schema(def));
    }
    SchemaSet { definitions }
}

fn canonical_name(name: &str) -> String {
    if name.starts_with("io.k8s.") {
        name.to_string()
    } else {
        format!("{DEFINITION_PREFIX}{name}")
    }
}

fn rename_refs(v: &mut Value) {
    match v {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get_mut("$ref")
                && let Some(name) = r.strip_prefix("#/definitions/")
            {
                *r = format!("#/definitions/{}", canonical_name(name));
            }
            map.values_mut().for_each(rename_refs);
        }
        Value::Array(items) => items.iter_mut().for_each(rename_refs),
        _ => {}
    }
}

/// Keys under which a schema holds sub-schemas, as a map of them or one or a list of them.
const SCHEMA_MAPS: &[&str] = &["properties", "definitions", "patternProperties"];
const SCHEMA_ONE: &[&str] = &["additionalProperties", "items", "not"];
const SCHEMA_LISTS: &[&str] = &["anyOf", "oneOf", "allOf"];

/// Applies `f` to every sub-schema position of `schema` (not to the schema itself).
fn for_each_subschema(schema: &mut Value, f: &mut impl FnMut(&mut Value)) {
    let Value::Object(map) = schema else { return };
    for key in SCHEMA_MAPS {
        if let Some(Value::Object(children)) = map.get_mut(*key) {
            children.values_mut().for_each(&mut *f);
        }
    }
    for key in SCHEMA_ONE {
        match map.get_mut(*key) {
            Some(Value::Array(items)) => items.iter_mut().for_each(&mut *f),
            Some(child) => f(child),
            None => {}
        }
    }
    for key in SCHEMA_LISTS {
        if let Some(Value::Array(items)) = map.get_mut(*key) {
            items.iter_mut().for_each(&mut *f);
        }
    }
}

fn is_null_schema(v: &Value) -> bool {
    match v {
        Value::Object(m) => {
            m.get("type") == Some(&json!("null"))
                || m.get("const") == Some(&Value::Null)
                || m.get("enum") == Some(&json!([null]))
        }
        _ => false,
    }
}

/// Turns schemars' JSON Schema into the OpenAPI/Kubernetes dialect: Option<T> is "not required",
/// never "nullable"; an open value is `x-kubernetes-preserve-unknown-fields`; no titles.
fn normalize(schema: &mut Value) {
    if let Value::Bool(true) = schema {
        *schema = json!({ "x-kubernetes-preserve-unknown-fields": true });
    }
    let Value::Object(map) = schema else { return };
    for key in [
        "title",
        "$schema",
        "examples",
        "readOnly",
        "writeOnly",
        "deprecated",
    ] {
        map.remove(key);
    }
    if let Some(c) = map.remove("const") {
        map.insert("enum".into(), Value::Array(vec![c]));
    }
    // `type: ["string", "null"]` -> "string"
    if let Some(Value::Array(types)) = map.get("type") {
        let kept: Vec<Value> = types
            .iter()
            .filter(|t| *t != &json!("null"))
            .cloned()
            .collect();
        let replacement = if kept.len() == 1 {
            kept[0].clone()
        } else {
            Value::Array(kept)
        };
        map.insert("type".into(), replacement);
    }
    if let Some(Value::Array(options)) = map.get_mut("enum") {
        options.retain(|o| !o.is_null());
    }
    // anyOf/oneOf [X, null] -> X, keeping the outer description and extensions.
    for key in ["anyOf", "oneOf"] {
        if let Some(Value::Array(branches)) = map.get(key) {
            let kept: Vec<Value> = branches
                .iter()
                .filter(|b| !is_null_schema(b))
                .cloned()
                .collect();
            if kept.len() == 1 && kept.len() < branches.len() {
                map.remove(key);
                if let Value::Object(inner) = kept.into_iter().next().unwrap_or_default() {
                    for (k, v) in inner {
                        map.entry(k).or_insert(v);
                    }
                }
            } else if kept.len() < branches.len() {
                map.insert(key.to_string(), Value::Array(kept));
            }
        }
    }
    if let Some(Value::String(format)) = map.get("format") {
        let mapped = match format.as_str() {
            "uint8" | "uint16" | "uint32" | "int8" | "int16" => Some("int32"),
            "uint" | "uint64" | "uint128" | "int128" => Some("int64"),
            _ => None,
        };
        if let Some(m) = mapped {
            map.insert("format".into(), json!(m));
        }
    }
    for_each_subschema(schema, &mut normalize);
}

/// Kind schemas: apiVersion/kind/metadata described as kube describes them, and the GVK list
/// kubectl explain looks for.
fn decorate_kind(schema: &mut Value, def: &ResourceDef) {
    let Value::Object(map) = schema else { return };
    map.insert("type".into(), json!("object"));
    let props = map
        .entry("properties")
        .or_insert_with(|| json!({}))
        .as_object_mut();
    if let Some(props) = props {
        props.insert(
            "apiVersion".into(),
            json!({"type": "string", "description": API_VERSION_DESCRIPTION}),
        );
        props.insert(
            "kind".into(),
            json!({"type": "string", "description": KIND_DESCRIPTION}),
        );
        props.insert(
            "metadata".into(),
            json!({"$ref": format!("#/definitions/{OBJECT_META}"), "description": OBJECT_META_DESCRIPTION}),
        );
    }
    map.insert(
        "x-kubernetes-group-version-kind".into(),
        json!([{"group": GROUP, "version": VERSION, "kind": def.kind}]),
    );
}

fn list_schema(def: &ResourceDef) -> Value {
    json!({
        "description": format!("{} is a list of {}", def.list_kind(), def.kind),
        "type": "object",
        "required": ["items"],
        "properties": {
            "apiVersion": {"type": "string", "description": API_VERSION_DESCRIPTION},
            "items": {
                "type": "array",
                "description": format!("List of {}. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md", def.plural),
                "items": {"$ref": format!("#/definitions/{}", kind_definition(def.kind))},
            },
            "kind": {"type": "string", "description": KIND_DESCRIPTION},
            "metadata": {"$ref": format!("#/definitions/{LIST_META}"), "description": LIST_META_DESCRIPTION},
        },
        "x-kubernetes-group-version-kind": [{"group": GROUP, "version": VERSION, "kind": def.list_kind()}],
    })
}

/// The names of every definition reachable from `roots`, roots included.
pub fn reachable(set: &SchemaSet, roots: impl IntoIterator<Item = String>) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut todo: Vec<String> = roots.into_iter().collect();
    while let Some(name) = todo.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        if let Some(schema) = set.definitions.get(&name) {
            collect_refs(schema, &mut todo);
        }
    }
    seen
}

fn collect_refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref")
                && let Some(name) = r.strip_prefix("#/definitions/")
            {
                out.push(name.to_string());
            }
            map.values().for_each(|c| collect_refs(c, out));
        }
        Value::Array(items) => items.iter().for_each(|c| collect_refs(c, out)),
        _ => {}
    }
}

/// The structural schema of a kind, as a CRD's `openAPIV3Schema`: every `$ref` inlined (a cycle
/// becomes an open object), a type on every node, int-or-string spelled the CRD way, and
/// `metadata` left to the server's own ObjectMeta handling as CRDs do.
pub fn structural_schema(def: &ResourceDef) -> Value {
    let set = schema_set();
    let mut root = set.definitions[&kind_definition(def.kind)].clone();
    let mut stack = vec![kind_definition(def.kind)];
    if let Value::Object(map) = &mut root {
        map.remove("x-kubernetes-group-version-kind");
        if let Some(Value::Object(props)) = map.get_mut("properties") {
            props.insert(
                "metadata".into(),
                json!({"type": "object", "description": OBJECT_META_DESCRIPTION}),
            );
        }
    }
    inline(&mut root, set, &mut stack);
    make_structural(&mut root);
    root
}

/// The schema a kind's objects are validated against: the same rules as
/// [`structural_schema`], but with every definition kept once under `definitions` and referred
/// to, so a type used in many places (a workflow's Container) is compiled once, not once per use.
pub fn validation_schema(def: &ResourceDef) -> Value {
    let set = schema_set();
    let root = kind_definition(def.kind);
    let mut defs = Map::new();
    for name in reachable(set, [root.clone()]) {
        let Some(mut d) = set.definitions.get(&name).cloned() else {
            continue;
        };
        if let Value::Object(map) = &mut d {
            map.remove("x-kubernetes-group-version-kind");
            if name == root
                && let Some(Value::Object(props)) = map.get_mut("properties")
            {
                props.insert("metadata".into(), json!({"type": "object"}));
            }
        }
        make_structural(&mut d);
        defs.insert(name, d);
    }
    // Embedded types whose `required` upstream drops: point at a relaxed copy.
    for (definition, props) in RELAXED_PROPERTIES {
        for prop in *props {
            let target = defs
                .get(*definition)
                .and_then(|d| d.pointer(&format!("/properties/{prop}/$ref")))
                .and_then(Value::as_str)
                .map(|r| r.trim_start_matches("#/definitions/").to_string());
            let Some(target) = target else { continue };
            let relaxed = format!("{target}.relaxed");
            if let Some(mut copy) = defs.get(&target).cloned() {
                if let Value::Object(m) = &mut copy {
                    m.remove("required");
                }
                defs.insert(relaxed.clone(), copy);
            }
            if let Some(Value::Object(p)) = defs
                .get_mut(*definition)
                .and_then(|d| d.pointer_mut(&format!("/properties/{prop}")))
            {
                p.insert("$ref".into(), json!(format!("#/definitions/{relaxed}")));
            }
        }
    }
    json!({"$ref": format!("#/definitions/{root}"), "definitions": defs})
}

fn inline(schema: &mut Value, set: &SchemaSet, stack: &mut Vec<String>) {
    if let Value::Object(map) = schema
        && let Some(Value::String(r)) = map.remove("$ref")
    {
        let name = r.trim_start_matches("#/definitions/").to_string();
        if stack.contains(&name) {
            // A recursive type (a workflow step's inline template): cut the cycle with an
            // open object; the typed layer still checks it when it decodes.
            map.insert("type".into(), json!("object"));
            map.insert("x-kubernetes-preserve-unknown-fields".into(), json!(true));
            return;
        }
        if let Some(Value::Object(target)) = set.definitions.get(&name) {
            for (k, v) in target {
                map.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
        map.remove("x-kubernetes-group-version-kind");
        stack.push(name.clone());
        for_each_subschema(schema, &mut |child| inline(child, set, stack));
        stack.pop();
        relax_embedded(&name, schema);
        return;
    }
    for_each_subschema(schema, &mut |child| inline(child, set, stack));
}

/// Properties whose embedded type's `required` list upstream drops from the CRD, because the
/// embedding makes those fields optional (a workflow template's `container` and `script` embed
/// core/v1 Container, whose `name` nobody writes there; argo-workflows' hack/manifests/crds.go).
const RELAXED_PROPERTIES: &[(&str, &[&str])] =
    &[("io.argoproj.v1alpha1.Template", &["container", "script"])];

fn relax_embedded(definition: &str, schema: &mut Value) {
    for (name, props) in RELAXED_PROPERTIES {
        if *name != definition {
            continue;
        }
        for prop in *props {
            if let Some(Value::Object(p)) = schema.pointer_mut(&format!("/properties/{prop}")) {
                p.remove("required");
            }
        }
    }
}

fn make_structural(schema: &mut Value) {
    if let Value::Object(map) = schema {
        if map.contains_key("$ref") {
            // A reference (only in the validation schema): the target is made structural itself.
            return;
        }
        if map.get("x-kubernetes-int-or-string") == Some(&json!(true)) {
            map.remove("type");
            map.remove("format");
            map.insert(
                "anyOf".into(),
                json!([{"type": "integer"}, {"type": "string"}]),
            );
            return;
        }
        if map.get("x-kubernetes-preserve-unknown-fields") == Some(&json!(true)) {
            // Preserved anywhere below: no further shape to enforce.
        } else if !map.contains_key("type") {
            let inferred =
                if map.contains_key("properties") || map.contains_key("additionalProperties") {
                    Some("object")
                } else if map.contains_key("items") {
                    Some("array")
                } else {
                    None
                };
            match inferred {
                Some(t) => {
                    map.insert("type".into(), json!(t));
                }
                None => {
                    map.insert("x-kubernetes-preserve-unknown-fields".into(), json!(true));
                }
            }
        }
        if map.contains_key("properties") {
            // Structural schemas forbid properties and additionalProperties together.
            map.remove("additionalProperties");
        } else if map.get("type") == Some(&json!("object"))
            && !map.contains_key("additionalProperties")
            && !map.contains_key("x-kubernetes-preserve-unknown-fields")
        {
            // A bare object (FieldsV1, RawExtension): anything goes inside.
            map.insert("x-kubernetes-preserve-unknown-fields".into(), json!(true));
        }
    }
    for_each_subschema(schema, &mut make_structural);
}

/// Names of definitions that schemars had to suffix with a number because two Rust types share
/// a name: each is a bug (two different schemas under one OpenAPI name).
pub fn colliding_names(set: &SchemaSet) -> Vec<String> {
    set.definitions
        .keys()
        .filter(|name| {
            let base = name.trim_end_matches(|c: char| c.is_ascii_digit());
            base.len() < name.len()
                && base.starts_with(DEFINITION_PREFIX)
                && set.definitions.contains_key(base)
        })
        .cloned()
        .collect()
}

/// A map view used by the document builders.
pub(crate) fn definitions_subset(set: &SchemaSet, names: &BTreeSet<String>) -> Map<String, Value> {
    names
        .iter()
        .filter_map(|n| set.definitions.get(n).map(|s| (n.clone(), s.clone())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_and_list_has_a_definition_with_its_gvk() {
        let set = schema_set();
        for def in CATALOG {
            for (name, kind) in [
                (kind_definition(def.kind), def.kind.to_string()),
                (list_definition(def.kind), def.list_kind()),
            ] {
                let schema = set.definitions.get(&name).expect(&name);
                assert_eq!(
                    schema["x-kubernetes-group-version-kind"],
                    json!([{"group": "argoproj.io", "version": "v1alpha1", "kind": kind}])
                );
            }
        }
        for meta in [
            OBJECT_META,
            LIST_META,
            STATUS,
            WATCH_EVENT,
            DELETE_OPTIONS,
            PATCH,
            SCALE,
        ] {
            assert!(set.definitions.contains_key(meta), "{meta}");
        }
    }

    #[test]
    fn no_two_types_share_a_definition_name() {
        assert_eq!(colliding_names(schema_set()), Vec::<String>::new());
    }

    #[test]
    fn every_ref_resolves() {
        let set = schema_set();
        let mut refs = Vec::new();
        for s in set.definitions.values() {
            collect_refs(s, &mut refs);
        }
        for r in refs {
            assert!(set.definitions.contains_key(&r), "dangling $ref {r}");
        }
    }

    fn assert_structural(path: &str, v: &Value, root: bool) {
        let Value::Object(map) = v else {
            panic!("{path}: schema is not an object")
        };
        assert!(!map.contains_key("$ref"), "{path}: $ref left");
        assert!(!map.contains_key("nullable"), "{path}: nullable");
        let open = map.get("x-kubernetes-preserve-unknown-fields") == Some(&json!(true))
            || map.get("x-kubernetes-int-or-string") == Some(&json!(true));
        assert!(
            map.contains_key("type") || open,
            "{path}: no type: {}",
            serde_json::to_string(v).unwrap_or_default()
        );
        assert!(
            !(map.contains_key("properties") && map.contains_key("additionalProperties")),
            "{path}: properties and additionalProperties"
        );
        if let Some(Value::Object(props)) = map.get("properties") {
            for (k, child) in props {
                if root && k == "metadata" {
                    assert_eq!(child["type"], "object");
                    assert!(child.get("properties").is_none());
                }
                assert_structural(&format!("{path}.{k}"), child, false);
            }
        }
        if let Some(items) = map.get("items") {
            assert_structural(&format!("{path}[]"), items, false);
        }
        if let Some(ap @ Value::Object(_)) = map.get("additionalProperties") {
            assert_structural(&format!("{path}{{}}"), ap, false);
        }
    }

    #[test]
    fn structural_schemas_are_structural() {
        for def in CATALOG {
            let s = structural_schema(def);
            assert_structural(def.kind, &s, true);
        }
    }
}
