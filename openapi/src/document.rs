//! The OpenAPI v2 (`/openapi/v2`) and v3 (`/openapi/v3/apis/argoproj.io/v1alpha1`) documents and
//! the CustomResourceDefinitions, all built from the catalog and the schema set.
//!
//! Paths, operationIds, tags, parameters and media types follow what kube-apiserver publishes for
//! a custom resource (apiextensions-apiserver's OpenAPI builder), because kubectl's feature
//! detection, `kubectl explain` and generated clients read exactly those.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use crate::catalog::{CATALOG, GROUP, ResourceDef, Scope, VERSION};
use crate::schema::{
    DEFINITION_PREFIX, DELETE_OPTIONS, OBJECT_META, PATCH, SCALE, STATUS, WATCH_EVENT,
    definitions_subset, kind_definition, list_definition, reachable, schema_set, structural_schema,
};

/// `argoprojIo_v1alpha1`, the tag kube derives from the group and version.
pub const TAG: &str = "argoprojIo_v1alpha1";
/// Inserted after the verb in every operationId (`listArgoprojIoV1alpha1NamespacedApplication`).
const ID_INFIX: &str = "ArgoprojIoV1alpha1";
/// The group-version path the v3 index publishes (and nothing else).
pub const V3_GROUP_VERSION_PATH: &str = "apis/argoproj.io/v1alpha1";

/// Media types a PATCH accepts: no strategic merge, as for custom resources.
pub const PATCH_CONSUMES: &[&str] = &[
    "application/json-patch+json",
    "application/merge-patch+json",
    "application/apply-patch+yaml",
];
const PRODUCES: &[&str] = &["application/json", "application/yaml"];
const LIST_PRODUCES: &[&str] = &[
    "application/json",
    "application/yaml",
    "application/json;stream=watch",
];
const CONSUMES: &[&str] = &["application/json", "application/yaml"];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Dialect {
    V2,
    V3,
}

struct Param {
    name: &'static str,
    location: &'static str,
    type_: &'static str,
    description: &'static str,
    required: bool,
}

const fn query(name: &'static str, type_: &'static str, description: &'static str) -> Param {
    Param {
        name,
        location: "query",
        type_,
        description,
        required: false,
    }
}

const PRETTY: Param = query(
    "pretty",
    "string",
    "If 'true', then the output is pretty printed. Defaults to 'false' unless the user-agent indicates a browser or command-line HTTP tool (curl and wget).",
);
const DRY_RUN: Param = query(
    "dryRun",
    "string",
    "When present, indicates that modifications should not be persisted. An invalid or unrecognized dryRun directive will result in an error response and no further processing of the request. Valid values are: - All: all dry run stages will be processed",
);
const FIELD_MANAGER: Param = query(
    "fieldManager",
    "string",
    "fieldManager is a name associated with the actor or entity that is making these changes. The value must be less than or 128 characters long, and only contain printable characters, as defined by https://golang.org/pkg/unicode/#IsPrint.",
);
const FIELD_VALIDATION: Param = query(
    "fieldValidation",
    "string",
    "fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore: This will ignore any unknown fields that are silently dropped from the object, and will ignore all but the last duplicate field that the decoder encounters. - Warn: This will send a warning via the standard warning response header for each unknown field that is dropped from the object, and for each duplicate field that is encountered. The request will still succeed if there are no other errors, and will only persist the last of any duplicate fields. - Strict: This will fail the request with a BadRequest error if any unknown fields would be dropped from the object, or if any duplicate fields are present. The error returned from the server will contain all unknown and duplicate fields encountered.",
);
const FORCE: Param = query(
    "force",
    "boolean",
    "Force is going to \"force\" Apply requests. It means user will re-acquire conflicting fields owned by other people. Force flag must be unset for non-apply patch requests.",
);
const GRACE: Param = query(
    "gracePeriodSeconds",
    "integer",
    "The duration in seconds before the object should be deleted. Value must be non-negative integer. The value zero indicates delete immediately. If this value is nil, the default grace period for the specified type will be used. Defaults to a per object value if not specified. zero means delete immediately.",
);
const ORPHAN: Param = query(
    "orphanDependents",
    "boolean",
    "Deprecated: please use the PropagationPolicy, this field will be deprecated in 1.7. Should the dependent objects be orphaned. If true/false, the \"orphan\" finalizer will be added to/removed from the object's finalizers list. Either this field or PropagationPolicy may be set, but not both.",
);
const PROPAGATION: Param = query(
    "propagationPolicy",
    "string",
    "Whether and how garbage collection will be performed. Either this field or OrphanDependents may be set, but not both. The default policy is decided by the existing finalizer set in the metadata.finalizers and the resource-specific default policy. Acceptable values are: 'Orphan' - orphan the dependents; 'Background' - allow the garbage collector to delete the dependents in the background; 'Foreground' - a cascading policy that deletes all dependents in the foreground.",
);
const RESOURCE_VERSION: Param = query(
    "resourceVersion",
    "string",
    "resourceVersion sets a constraint on what resource versions a request may be served from. See https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-versions for details.\n\nDefaults to unset",
);
const LIST_PARAMS: &[Param] = &[
    query(
        "allowWatchBookmarks",
        "boolean",
        "allowWatchBookmarks requests watch events with type \"BOOKMARK\". Servers that do not implement bookmarks may ignore this flag and bookmarks are sent at the server's discretion. Clients should not assume bookmarks are returned at any specific interval, nor may they assume the server will send any BOOKMARK event during a session. If this is not a watch, this field is ignored.",
    ),
    query(
        "continue",
        "string",
        "The continue option should be set when retrieving more results from the server. Since this value is server defined, clients may only use the continue value from a previous query result with identical query parameters (except for the value of continue) and the server may reject a continue value it does not recognize. If the specified continue value is no longer valid whether due to expiration (generally five to fifteen minutes) or a configuration change on the server, the server will respond with a 410 ResourceExpired error together with a continue token.",
    ),
    query(
        "fieldSelector",
        "string",
        "A selector to restrict the list of returned objects by their fields. Defaults to everything.",
    ),
    query(
        "labelSelector",
        "string",
        "A selector to restrict the list of returned objects by their labels. Defaults to everything.",
    ),
    query(
        "limit",
        "integer",
        "limit is a maximum number of responses to return for a list call. If more items exist, the server will set the `continue` field on the list metadata to a value that can be used with the same initial query to retrieve the next set of results.",
    ),
    RESOURCE_VERSION,
    query(
        "resourceVersionMatch",
        "string",
        "resourceVersionMatch determines how resourceVersion is applied to list calls. It is highly recommended that resourceVersionMatch be set for list calls where resourceVersion is set See https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-versions for details.\n\nDefaults to unset",
    ),
    query(
        "sendInitialEvents",
        "boolean",
        "`sendInitialEvents=true` may be set together with `watch=true`. In that case, the watch stream will begin with synthetic events to produce the current state of objects in the collection. Once all such events have been sent, a synthetic \"Bookmark\" event  will be sent. The bookmark will report the ResourceVersion (RV) corresponding to the set of objects, and be marked with `\"k8s.io/initial-events-end\": \"true\"` annotation.",
    ),
    query(
        "timeoutSeconds",
        "integer",
        "Timeout for the list/watch call. This limits the duration of the call, regardless of any activity or inactivity.",
    ),
    query(
        "watch",
        "boolean",
        "Watch for changes to the described resources and return them as a stream of add, update, and remove notifications. Specify resourceVersion.",
    ),
];
const NAME: Param = Param {
    name: "name",
    location: "path",
    type_: "string",
    description: "name of the resource",
    required: true,
};
const NAMESPACE: Param = Param {
    name: "namespace",
    location: "path",
    type_: "string",
    description: "object name and auth scope, such as for teams and projects",
    required: true,
};

fn param(p: &Param, dialect: Dialect) -> Value {
    let mut v = json!({
        "name": p.name,
        "in": p.location,
        "description": p.description,
    });
    if p.required {
        v["required"] = json!(true);
    }
    if p.location == "path" || p.location == "query" {
        v["uniqueItems"] = json!(true);
    }
    match dialect {
        Dialect::V2 => v["type"] = json!(p.type_),
        Dialect::V3 => {
            if let Some(m) = v.as_object_mut() {
                m.remove("uniqueItems");
            }
            v["schema"] = json!({"type": p.type_, "uniqueItems": true});
        }
    }
    v
}

fn schema_ref(name: &str, dialect: Dialect) -> Value {
    match dialect {
        Dialect::V2 => json!({"$ref": format!("#/definitions/{name}")}),
        Dialect::V3 => json!({"$ref": format!("#/components/schemas/{name}")}),
    }
}

/// What one operation answers and takes.
struct Op<'a> {
    method: &'static str,
    id: String,
    description: String,
    action: &'static str,
    gvk: Value,
    params: Vec<&'a Param>,
    body: Option<(String, bool)>,
    consumes: &'static [&'static str],
    produces: &'static [&'static str],
    /// (code, schema name)
    responses: Vec<(u16, String)>,
}

fn operation(op: &Op, dialect: Dialect) -> Value {
    let mut params: Vec<Value> = op.params.iter().map(|p| param(p, dialect)).collect();
    let mut v = json!({
        "description": op.description,
        "operationId": op.id,
        "tags": [TAG],
        "x-kubernetes-action": op.action,
        "x-kubernetes-group-version-kind": op.gvk,
    });
    let mut responses = Map::new();
    for (code, schema) in &op.responses {
        let desc = match code {
            200 => "OK",
            201 => "Created",
            202 => "Accepted",
            _ => "",
        };
        responses.insert(
            code.to_string(),
            match dialect {
                Dialect::V2 => json!({"description": desc, "schema": schema_ref(schema, dialect)}),
                Dialect::V3 => {
                    let content: Map<String, Value> = op
                        .produces
                        .iter()
                        .map(|m| {
                            (
                                m.to_string(),
                                json!({"schema": schema_ref(schema, dialect)}),
                            )
                        })
                        .collect();
                    json!({"description": desc, "content": content})
                }
            },
        );
    }
    responses.insert("401".into(), json!({"description": "Unauthorized"}));
    v["responses"] = Value::Object(responses);
    match dialect {
        Dialect::V2 => {
            if let Some((schema, required)) = &op.body {
                params.insert(
                    0,
                    json!({"name": "body", "in": "body", "required": required, "schema": schema_ref(schema, dialect)}),
                );
            }
            v["consumes"] = json!(op.consumes);
            v["produces"] = json!(op.produces);
        }
        Dialect::V3 => {
            if let Some((schema, required)) = &op.body {
                let content: Map<String, Value> = op
                    .consumes
                    .iter()
                    .map(|m| {
                        (
                            m.to_string(),
                            json!({"schema": schema_ref(schema, dialect)}),
                        )
                    })
                    .collect();
                v["requestBody"] = json!({"content": content, "required": required});
            }
        }
    }
    if !params.is_empty() {
        v["parameters"] = Value::Array(params);
    }
    v
}

fn gvk(kind: &str) -> Value {
    json!({"group": GROUP, "version": VERSION, "kind": kind})
}

/// Every path of one kind, with its operations.
fn kind_paths(def: &ResourceDef, dialect: Dialect, paths: &mut Map<String, Value>) {
    let kind = def.kind;
    let ns = if def.namespaced() { "Namespaced" } else { "" };
    let base = format!("/apis/{GROUP}/{VERSION}");
    let collection = match def.scope {
        Scope::Namespaced => format!("{base}/namespaces/{{namespace}}/{}", def.plural),
        Scope::Cluster => format!("{base}/{}", def.plural),
    };
    let item = format!("{collection}/{{name}}");
    let scope_params: Vec<&Param> = if def.namespaced() {
        vec![&NAMESPACE]
    } else {
        vec![]
    };
    let kind_def = kind_definition(kind);
    let list_def = list_definition(kind);
    let list_params: Vec<&Param> = LIST_PARAMS.iter().collect();

    let mut insert = |path: &str, path_params: Vec<&Param>, ops: Vec<Op>| {
        let mut item = Map::new();
        for op in &ops {
            item.insert(op.method.to_string(), operation(op, dialect));
        }
        let mut params: Vec<Value> = path_params.iter().map(|p| param(p, dialect)).collect();
        params.push(param(&PRETTY, dialect));
        item.insert("parameters".into(), Value::Array(params));
        paths.insert(path.to_string(), Value::Object(item));
    };

    // Collection: list, create, deletecollection.
    let mut deletecollection_params: Vec<&Param> = list_params.clone();
    deletecollection_params.extend([&DRY_RUN, &GRACE, &ORPHAN, &PROPAGATION]);
    insert(
        &collection,
        scope_params.clone(),
        vec![
            Op {
                method: "get",
                id: format!("list{ID_INFIX}{ns}{kind}"),
                description: format!("list objects of kind {kind}"),
                action: "list",
                gvk: gvk(kind),
                params: list_params.clone(),
                body: None,
                consumes: CONSUMES,
                produces: LIST_PRODUCES,
                responses: vec![(200, list_def.clone())],
            },
            Op {
                method: "post",
                id: format!("create{ID_INFIX}{ns}{kind}"),
                description: format!("create a {kind}"),
                action: "post",
                gvk: gvk(kind),
                params: vec![&DRY_RUN, &FIELD_MANAGER, &FIELD_VALIDATION],
                body: Some((kind_def.clone(), true)),
                consumes: CONSUMES,
                produces: PRODUCES,
                responses: vec![
                    (200, kind_def.clone()),
                    (201, kind_def.clone()),
                    (202, kind_def.clone()),
                ],
            },
            Op {
                method: "delete",
                id: format!("deletecollection{ID_INFIX}{ns}{kind}"),
                description: format!("delete collection of {kind}"),
                action: "deletecollection",
                gvk: gvk(kind),
                params: deletecollection_params,
                body: Some((DELETE_OPTIONS.to_string(), false)),
                consumes: CONSUMES,
                produces: PRODUCES,
                responses: vec![(200, STATUS.to_string())],
            },
        ],
    );

    let mut item_params = scope_params.clone();
    item_params.insert(0, &NAME);
    insert(
        &item,
        item_params.clone(),
        vec![
            Op {
                method: "get",
                id: format!("read{ID_INFIX}{ns}{kind}"),
                description: format!("read the specified {kind}"),
                action: "get",
                gvk: gvk(kind),
                params: vec![&RESOURCE_VERSION],
                body: None,
                consumes: CONSUMES,
                produces: PRODUCES,
                responses: vec![(200, kind_def.clone())],
            },
            Op {
                method: "put",
                id: format!("replace{ID_INFIX}{ns}{kind}"),
                description: format!("replace the specified {kind}"),
                action: "put",
                gvk: gvk(kind),
                params: vec![&DRY_RUN, &FIELD_MANAGER, &FIELD_VALIDATION],
                body: Some((kind_def.clone(), true)),
                consumes: CONSUMES,
                produces: PRODUCES,
                responses: vec![(200, kind_def.clone()), (201, kind_def.clone())],
            },
            Op {
                method: "patch",
                id: format!("patch{ID_INFIX}{ns}{kind}"),
                description: format!("partially update the specified {kind}"),
                action: "patch",
                gvk: gvk(kind),
                params: vec![&DRY_RUN, &FIELD_MANAGER, &FIELD_VALIDATION, &FORCE],
                body: Some((PATCH.to_string(), true)),
                consumes: PATCH_CONSUMES,
                produces: PRODUCES,
                responses: vec![(200, kind_def.clone()), (201, kind_def.clone())],
            },
            Op {
                method: "delete",
                id: format!("delete{ID_INFIX}{ns}{kind}"),
                description: format!("delete a {kind}"),
                action: "delete",
                gvk: gvk(kind),
                params: vec![&DRY_RUN, &GRACE, &ORPHAN, &PROPAGATION],
                body: Some((DELETE_OPTIONS.to_string(), false)),
                consumes: CONSUMES,
                produces: PRODUCES,
                responses: vec![(200, STATUS.to_string()), (202, STATUS.to_string())],
            },
        ],
    );

    // status and scale: get, put, patch of the parent kind (status) or autoscaling/v1 Scale.
    let mut sub_rw = |name: &str, schema: String, sub_gvk: Value| {
        let cap = capitalize(name);
        insert(
            &format!("{item}/{name}"),
            item_params.clone(),
            vec![
                Op {
                    method: "get",
                    id: format!("read{ID_INFIX}{ns}{kind}{cap}"),
                    description: format!("read {name} of the specified {kind}"),
                    action: "get",
                    gvk: sub_gvk.clone(),
                    params: vec![&RESOURCE_VERSION],
                    body: None,
                    consumes: CONSUMES,
                    produces: PRODUCES,
                    responses: vec![(200, schema.clone())],
                },
                Op {
                    method: "put",
                    id: format!("replace{ID_INFIX}{ns}{kind}{cap}"),
                    description: format!("replace {name} of the specified {kind}"),
                    action: "put",
                    gvk: sub_gvk.clone(),
                    params: vec![&DRY_RUN, &FIELD_MANAGER, &FIELD_VALIDATION],
                    body: Some((schema.clone(), true)),
                    consumes: CONSUMES,
                    produces: PRODUCES,
                    responses: vec![(200, schema.clone()), (201, schema.clone())],
                },
                Op {
                    method: "patch",
                    id: format!("patch{ID_INFIX}{ns}{kind}{cap}"),
                    description: format!("partially update {name} of the specified {kind}"),
                    action: "patch",
                    gvk: sub_gvk.clone(),
                    params: vec![&DRY_RUN, &FIELD_MANAGER, &FIELD_VALIDATION, &FORCE],
                    body: Some((PATCH.to_string(), true)),
                    consumes: PATCH_CONSUMES,
                    produces: PRODUCES,
                    responses: vec![(200, schema.clone()), (201, schema)],
                },
            ],
        );
    };
    if def.status_subresource {
        sub_rw("status", kind_def.clone(), gvk(kind));
    }
    if def.scale.is_some() {
        sub_rw(
            "scale",
            SCALE.to_string(),
            json!({"group": "autoscaling", "version": "v1", "kind": "Scale"}),
        );
    }
    for action in def.actions {
        let cap = capitalize(action.name);
        let code = if action.creates { 201 } else { 200 };
        insert(
            &format!("{item}/{}", action.name),
            item_params.clone(),
            vec![Op {
                method: "post",
                id: format!("create{ID_INFIX}{ns}{kind}{cap}"),
                description: action.description.to_string(),
                action: "post",
                gvk: gvk(kind),
                params: vec![&DRY_RUN, &FIELD_MANAGER],
                body: Some((format!("{DEFINITION_PREFIX}{}", action.request_type), true)),
                consumes: &["application/json"],
                produces: PRODUCES,
                responses: vec![(code, kind_def.clone())],
            }],
        );
    }

    if def.namespaced() {
        insert(
            &format!("{base}/{}", def.plural),
            vec![],
            vec![Op {
                method: "get",
                id: format!("list{ID_INFIX}{kind}ForAllNamespaces"),
                description: format!("list objects of kind {kind}"),
                action: "list",
                gvk: gvk(kind),
                params: list_params,
                body: None,
                consumes: CONSUMES,
                produces: LIST_PRODUCES,
                responses: vec![(200, list_def)],
            }],
        );
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

fn all_paths(dialect: Dialect) -> Map<String, Value> {
    let mut paths = Map::new();
    for def in CATALOG {
        kind_paths(def, dialect, &mut paths);
    }
    paths
}

fn used_definitions() -> BTreeSet<String> {
    let mut roots: Vec<String> = vec![
        OBJECT_META.into(),
        STATUS.into(),
        WATCH_EVENT.into(),
        DELETE_OPTIONS.into(),
        PATCH.into(),
    ];
    for def in CATALOG {
        roots.push(kind_definition(def.kind));
        roots.push(list_definition(def.kind));
        if def.scale.is_some() {
            roots.push(SCALE.into());
        }
        for a in def.actions {
            roots.push(format!("{DEFINITION_PREFIX}{}", a.request_type));
        }
    }
    reachable(schema_set(), roots)
}

/// kube-apiserver's own shapes for the two apimachinery scalar types.
fn kube_scalar_overrides(defs: &mut Map<String, Value>) {
    for (name, format) in [
        (
            "io.k8s.apimachinery.pkg.util.intstr.IntOrString",
            Some("int-or-string"),
        ),
        ("io.k8s.apimachinery.pkg.api.resource.Quantity", None),
    ] {
        if let Some(Value::Object(d)) = defs.get_mut(name) {
            d.remove("x-kubernetes-int-or-string");
            d.insert("type".into(), json!("string"));
            if let Some(f) = format {
                d.insert("format".into(), json!(f));
            }
        }
    }
}

/// A schema for a v2 document: no anyOf/oneOf (Swagger 2 has none).
fn to_v2(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for key in ["anyOf", "oneOf", "allOf"] {
                map.remove(key);
            }
            map.values_mut().for_each(to_v2);
        }
        Value::Array(items) => items.iter_mut().for_each(to_v2),
        _ => {}
    }
}

/// Schemas for a v3 document: refs into components, and a `$ref` with siblings (descriptions)
/// wrapped in `allOf` as kube does, since OpenAPI 3.0 ignores siblings of `$ref`.
/// `names` is true when `v` maps property or definition names to schemas (so a property called
/// `default` is still a schema).
fn to_v3_at(v: &mut Value, names: bool) {
    match v {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref").cloned().as_ref().filter(|_| !names) {
                let target = r.replace("#/definitions/", "#/components/schemas/");
                if map.len() > 1 {
                    map.remove("$ref");
                    map.insert("allOf".into(), json!([{"$ref": target}]));
                } else {
                    map.insert("$ref".into(), json!(target));
                }
            }
            for (k, child) in map.iter_mut() {
                // Enum values and defaults are data, not schemas.
                if names || (k != "enum" && k != "default" && k != "example") {
                    to_v3_at(child, !names && (k == "properties" || k == "definitions"));
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| to_v3_at(i, false)),
        _ => {}
    }
}

fn info() -> Value {
    json!({"title": "Argo", "version": "v1alpha1"})
}

/// The `/openapi/v2` document (Swagger 2.0).
pub fn openapi_v2() -> Value {
    let mut defs = definitions_subset(schema_set(), &used_definitions());
    kube_scalar_overrides(&mut defs);
    let mut defs = Value::Object(defs);
    to_v2(&mut defs);
    json!({
        "swagger": "2.0",
        "info": info(),
        "paths": all_paths(Dialect::V2),
        "definitions": defs,
        "securityDefinitions": {
            "BearerToken": {"description": "Bearer Token authentication", "type": "apiKey", "name": "authorization", "in": "header"}
        },
        "security": [{"BearerToken": []}],
    })
}

/// The `/openapi/v3/apis/argoproj.io/v1alpha1` document (OpenAPI 3.0).
pub fn openapi_v3() -> Value {
    let mut defs = definitions_subset(schema_set(), &used_definitions());
    kube_scalar_overrides(&mut defs);
    let mut defs = Value::Object(defs);
    to_v3_at(&mut defs, true);
    json!({
        "openapi": "3.0.0",
        "info": info(),
        "paths": all_paths(Dialect::V3),
        "components": {
            "schemas": defs,
            "securitySchemes": {
                "BearerToken": {"description": "Bearer Token authentication", "type": "apiKey", "name": "authorization", "in": "header"}
            }
        },
        "security": [{"BearerToken": []}],
    })
}

/// A kind as an `apiextensions.k8s.io/v1` CustomResourceDefinition.
pub fn crd(def: &ResourceDef) -> Value {
    let mut subresources = Map::new();
    if def.status_subresource {
        subresources.insert("status".into(), json!({}));
    }
    if let Some(scale) = def.scale {
        subresources.insert(
            "scale".into(),
            json!({
                "specReplicasPath": scale.spec_replicas_path,
                "statusReplicasPath": scale.status_replicas_path,
                "labelSelectorPath": scale.label_selector_path,
            }),
        );
    }
    let mut version = json!({
        "name": VERSION,
        "served": true,
        "storage": true,
        "schema": {"openAPIV3Schema": structural_schema(def)},
        "additionalPrinterColumns": def.printer_columns,
    });
    if !subresources.is_empty() {
        version["subresources"] = Value::Object(subresources);
    }
    if !def.selectable_fields.is_empty() {
        version["selectableFields"] = def
            .selectable_fields
            .iter()
            .map(|p| json!({"jsonPath": p}))
            .collect();
    }
    let mut names = json!({
        "kind": def.kind,
        "listKind": def.list_kind(),
        "plural": def.plural,
        "singular": def.singular,
        "categories": def.categories,
    });
    if !def.short_names.is_empty() {
        names["shortNames"] = json!(def.short_names);
    }
    json!({
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": format!("{}.{GROUP}", def.plural)},
        "spec": {
            "group": GROUP,
            "names": names,
            "scope": match def.scope { Scope::Namespaced => "Namespaced", Scope::Cluster => "Cluster" },
            "versions": [version],
        }
    })
}

/// Files under `openapi/spec/`, relative paths and contents: what the committed copies must equal.
pub fn spec_files() -> Vec<(String, String)> {
    let pretty = |v: &Value| serde_json::to_string_pretty(v).unwrap_or_default() + "\n";
    let mut files = vec![
        ("swagger.json".to_string(), pretty(&openapi_v2())),
        (
            format!(
                "v3/{}_openapi.json",
                V3_GROUP_VERSION_PATH.replace('/', "__")
            ),
            pretty(&openapi_v3()),
        ),
    ];
    for def in CATALOG {
        // Compact and without descriptions, so every CRD stays under etcd's 1.5 MiB object
        // limit (the Workflow one is ~1 MiB); `kubectl explain` reads the OpenAPI documents.
        let mut crd = crd(def);
        strip_descriptions(&mut crd["spec"]["versions"][0]["schema"]);
        files.push((
            format!("crds/{}.{GROUP}.json", def.plural),
            serde_json::to_string(&crd).unwrap_or_default() + "\n",
        ));
    }
    files
}

/// Removes schema descriptions (property names called `description` stay).
fn strip_descriptions(v: &mut Value) {
    strip_descriptions_at(v, false)
}

fn strip_descriptions_at(v: &mut Value, names: bool) {
    match v {
        Value::Object(map) => {
            if !names {
                map.remove("description");
            }
            for (k, child) in map.iter_mut() {
                strip_descriptions_at(child, !names && k == "properties");
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|i| strip_descriptions_at(i, false)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_ids_follow_kubes_convention() {
        let v2 = openapi_v2();
        let paths = &v2["paths"];
        let op = |p: &str, m: &str| {
            paths[p][m]["operationId"]
                .as_str()
                .unwrap_or("")
                .to_string()
        };
        assert_eq!(
            op(
                "/apis/argoproj.io/v1alpha1/namespaces/{namespace}/applications",
                "get"
            ),
            "listArgoprojIoV1alpha1NamespacedApplication"
        );
        assert_eq!(
            op("/apis/argoproj.io/v1alpha1/applications", "get"),
            "listArgoprojIoV1alpha1ApplicationForAllNamespaces"
        );
        assert_eq!(
            op(
                "/apis/argoproj.io/v1alpha1/namespaces/{namespace}/rollouts/{name}/scale",
                "patch"
            ),
            "patchArgoprojIoV1alpha1NamespacedRolloutScale"
        );
        assert_eq!(
            op(
                "/apis/argoproj.io/v1alpha1/namespaces/{namespace}/applications/{name}/sync",
                "post"
            ),
            "createArgoprojIoV1alpha1NamespacedApplicationSync"
        );
        assert_eq!(
            op(
                "/apis/argoproj.io/v1alpha1/clusterworkflowtemplates/{name}",
                "get"
            ),
            "readArgoprojIoV1alpha1ClusterWorkflowTemplate"
        );
    }

    #[test]
    fn patch_never_advertises_strategic_merge_and_takes_field_validation_inline() {
        for doc in [openapi_v2(), openapi_v3()] {
            for (path, item) in doc["paths"].as_object().into_iter().flatten() {
                let Some(patch) = item.get("patch") else {
                    continue;
                };
                let text = patch.to_string();
                assert!(!text.contains("strategic-merge-patch"), "{path}");
                let names: Vec<&str> = patch["parameters"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|p| p["name"].as_str())
                    .collect();
                for required in ["dryRun", "fieldManager", "fieldValidation", "force"] {
                    assert!(names.contains(&required), "{path} lacks {required}");
                }
                assert!(
                    patch["x-kubernetes-group-version-kind"].is_object(),
                    "{path}"
                );
            }
        }
    }

    #[test]
    fn v3_refs_point_into_components() {
        let text = openapi_v3().to_string();
        assert!(!text.contains("#/definitions/"));
        let v2 = openapi_v2().to_string();
        assert!(!v2.contains("#/components/"));
    }
}
