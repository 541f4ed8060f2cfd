//! Schema validation of objects against a kind's structural schema, with every violation
//! reported as a Kubernetes field error (`spec.destination.server: Invalid value: ...`), plus
//! the two things a structural schema also decides: which fields are unknown (for
//! `fieldValidation=Strict|Warn`) and how to prune them (the default, `Ignore`).

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, OnceLock};

use jsonschema::error::{TypeKind, ValidationErrorKind};
use serde::Serialize;
use serde_json::Value;

use crate::catalog::{CATALOG, ResourceDef};
use crate::schema::validation_schema;

/// Kubernetes' field error types (`k8s.io/apimachinery/pkg/util/validation/field`), with the
/// wording kube prints for each.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum FieldErrorType {
    #[serde(rename = "FieldValueNotFound")]
    NotFound,
    #[serde(rename = "FieldValueRequired")]
    Required,
    #[serde(rename = "FieldValueDuplicate")]
    Duplicate,
    #[serde(rename = "FieldValueInvalid")]
    Invalid,
    #[serde(rename = "FieldValueNotSupported")]
    NotSupported,
    #[serde(rename = "FieldValueForbidden")]
    Forbidden,
    #[serde(rename = "FieldValueTooLong")]
    TooLong,
    #[serde(rename = "FieldValueTooMany")]
    TooMany,
    #[serde(rename = "InternalError")]
    Internal,
    #[serde(rename = "FieldValueTypeInvalid")]
    TypeInvalid,
}

impl FieldErrorType {
    /// The phrase kube uses in messages ("Required value", "Invalid value", ...).
    pub fn phrase(self) -> &'static str {
        match self {
            FieldErrorType::NotFound => "Not found",
            FieldErrorType::Required => "Required value",
            FieldErrorType::Duplicate => "Duplicate value",
            FieldErrorType::Invalid | FieldErrorType::TypeInvalid => "Invalid value",
            FieldErrorType::NotSupported => "Unsupported value",
            FieldErrorType::Forbidden => "Forbidden",
            FieldErrorType::TooLong => "Too long",
            FieldErrorType::TooMany => "Too many",
            FieldErrorType::Internal => "Internal error",
        }
    }
}

/// One invalid field, as kube's `field.Error`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FieldError {
    /// The field path: `spec.sources[1].repoURL`, `metadata.labels[app]`.
    pub field: String,
    #[serde(rename = "type")]
    pub error_type: FieldErrorType,
    /// The offending value, when showing it helps (omitted for Required, as kube does).
    pub bad_value: Option<Value>,
    pub detail: String,
}

impl FieldError {
    pub fn new(
        field: impl Into<String>,
        error_type: FieldErrorType,
        bad_value: Option<Value>,
        detail: impl Into<String>,
    ) -> Self {
        FieldError {
            field: field.into(),
            error_type,
            bad_value,
            detail: detail.into(),
        }
    }

    pub fn required(field: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::new(field, FieldErrorType::Required, None, detail)
    }

    pub fn invalid(field: impl Into<String>, value: Value, detail: impl Into<String>) -> Self {
        Self::new(field, FieldErrorType::Invalid, Some(value), detail)
    }

    /// The message without the field: `Invalid value: "x": must be ...`, as in a StatusCause.
    pub fn error_body(&self) -> String {
        let mut s = self.error_type.phrase().to_string();
        if let Some(v) = &self.bad_value
            && !matches!(
                self.error_type,
                FieldErrorType::Required | FieldErrorType::Forbidden | FieldErrorType::Internal
            )
        {
            s.push_str(": ");
            s.push_str(&render_value(v));
        }
        if !self.detail.is_empty() {
            s.push_str(": ");
            s.push_str(&self.detail);
        }
        s
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.error_body())
    }
}

/// kube prints strings quoted and numbers/bools bare; objects as JSON.
fn render_value(v: &Value) -> String {
    match v {
        Value::String(s) => format!("{s:?}"),
        Value::Null => "null".to_string(),
        other => other.to_string(),
    }
}

/// A compiled validator for one kind.
pub struct Validator {
    schema: Value,
    compiled: jsonschema::Validator,
}

#[derive(Debug, thiserror::Error)]
#[error("schema of {kind} does not compile: {message}")]
pub struct SchemaCompileError {
    pub kind: String,
    pub message: String,
}

impl Validator {
    pub fn new(def: &ResourceDef) -> Result<Self, SchemaCompileError> {
        let schema = validation_schema(def);
        let compiled = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft7)
            .should_validate_formats(true)
            .build(&schema)
            .map_err(|e| SchemaCompileError {
                kind: def.kind.to_string(),
                message: e.to_string(),
            })?;
        Ok(Validator { schema, compiled })
    }

    /// The schema this validator checks against (definitions plus a root `$ref`).
    pub fn schema(&self) -> &Value {
        &self.schema
    }

    /// Every schema violation in `object`, in field order, as field errors.
    pub fn validate(&self, object: &Value) -> Vec<FieldError> {
        let mut errors: Vec<FieldError> = self
            .compiled
            .iter_errors(object)
            .map(|e| {
                let path: Vec<String> = e
                    .instance_path()
                    .iter()
                    .map(|seg| seg.to_string())
                    .collect();
                to_field_error(&path, e.kind(), e.instance())
            })
            .collect();
        errors.sort_by(|a, b| a.field.cmp(&b.field));
        errors.dedup();
        errors
    }

    /// Paths of fields the schema does not know (for fieldValidation Strict/Warn).
    pub fn unknown_fields(&self, object: &Value) -> Vec<String> {
        let mut out = Vec::new();
        let defs = &self.schema["definitions"];
        walk_unknown(
            defs,
            resolve(defs, &self.schema),
            object,
            &mut Vec::new(),
            &mut out,
            true,
        );
        out
    }

    /// Removes fields the schema does not know, as kube prunes custom resources by default.
    pub fn prune(&self, object: &mut Value) {
        let defs = &self.schema["definitions"];
        prune(defs, resolve(defs, &self.schema), object, true);
    }
}

/// The validator of a kind, compiled on first use of that kind and shared (compiling the large
/// workflow schemas takes a while, so nothing is compiled before it is needed).
pub fn validator(kind: &str) -> Option<Arc<Validator>> {
    type Slots = HashMap<&'static str, OnceLock<Option<Arc<Validator>>>>;
    static VALIDATORS: OnceLock<Slots> = OnceLock::new();
    let slots =
        VALIDATORS.get_or_init(|| CATALOG.iter().map(|d| (d.kind, OnceLock::new())).collect());
    let def = CATALOG.iter().find(|d| d.kind == kind)?;
    slots
        .get(kind)?
        .get_or_init(|| Validator::new(def).ok().map(Arc::new))
        .clone()
}

/// Joins JSON pointer segments as a Kubernetes field path: `spec.sources[0].repoURL`; map keys
/// that are not identifiers go in brackets, as kube prints `metadata.labels[app.kubernetes.io/name]`.
pub fn field_path(segments: &[String]) -> String {
    let mut out = String::new();
    for seg in segments {
        if !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_digit()) {
            out.push_str(&format!("[{seg}]"));
        } else if seg
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            && !seg.is_empty()
        {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(seg);
        } else {
            out.push_str(&format!("[{seg}]"));
        }
    }
    out
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn to_field_error(path: &[String], kind: &ValidationErrorKind, instance: &Value) -> FieldError {
    let field = field_path(path);
    let shown = if field.is_empty() {
        "body".to_string()
    } else {
        field.clone()
    };
    match kind {
        ValidationErrorKind::Required { property } => {
            let mut p = path.to_vec();
            p.push(property.as_str().unwrap_or_default().to_string());
            FieldError::required(field_path(&p), "")
        }
        ValidationErrorKind::Type { kind } => {
            let expected = match kind {
                TypeKind::Single(t) => t.to_string(),
                TypeKind::Multiple(ts) => ts
                    .iter()
                    .map(|t| t.to_string())
                    .collect::<Vec<_>>()
                    .join(","),
            };
            let actual = type_name(instance);
            FieldError::new(
                field,
                FieldErrorType::TypeInvalid,
                Some(Value::String(actual.into())),
                format!("{shown} in body must be of type {expected}: \"{actual}\""),
            )
        }
        ValidationErrorKind::AnyOf { .. } => {
            // Structural schemas use anyOf only for int-or-string.
            let actual = type_name(instance);
            FieldError::new(
                field,
                FieldErrorType::TypeInvalid,
                Some(Value::String(actual.into())),
                format!("{shown} in body must be of type integer,string: \"{actual}\""),
            )
        }
        ValidationErrorKind::Enum { options } => {
            let supported = options
                .as_array()
                .map(|o| o.iter().map(render_value).collect::<Vec<_>>().join(", "))
                .unwrap_or_default();
            FieldError::new(
                field,
                FieldErrorType::NotSupported,
                Some(instance.clone()),
                format!("supported values: {supported}"),
            )
        }
        ValidationErrorKind::Format { format } => FieldError::invalid(
            field,
            instance.clone(),
            format!(
                "{shown} in body must be of type {format}: {}",
                render_value(instance)
            ),
        ),
        ValidationErrorKind::Pattern { pattern } => FieldError::invalid(
            field,
            instance.clone(),
            format!("{shown} in body should match '{pattern}'"),
        ),
        ValidationErrorKind::Minimum { limit }
        | ValidationErrorKind::ExclusiveMinimum { limit } => FieldError::invalid(
            field,
            instance.clone(),
            format!("{shown} in body should be greater than or equal to {limit}"),
        ),
        ValidationErrorKind::Maximum { limit }
        | ValidationErrorKind::ExclusiveMaximum { limit } => FieldError::invalid(
            field,
            instance.clone(),
            format!("{shown} in body should be less than or equal to {limit}"),
        ),
        ValidationErrorKind::MaxLength { limit } => FieldError::new(
            field,
            FieldErrorType::TooLong,
            None,
            format!("may not be more than {limit} bytes"),
        ),
        ValidationErrorKind::MinLength { limit } => FieldError::invalid(
            field,
            instance.clone(),
            format!("{shown} in body should be at least {limit} chars long"),
        ),
        ValidationErrorKind::MaxItems { limit } => FieldError::new(
            field,
            FieldErrorType::TooMany,
            None,
            format!("must have at most {limit} items"),
        ),
        ValidationErrorKind::MinItems { limit } => FieldError::invalid(
            field,
            instance.clone(),
            format!("{shown} in body should have at least {limit} items"),
        ),
        other => FieldError::invalid(field, instance.clone(), other_message(other)),
    }
}

fn other_message(kind: &ValidationErrorKind) -> String {
    format!("failed the {} constraint", kind.keyword())
}

/// Follows `$ref`s (to `#/definitions/<name>`) to the schema they name.
fn resolve<'a>(defs: &'a Value, mut schema: &'a Value) -> &'a Value {
    // Definitions never alias each other in a loop; the bound is only a guard.
    for _ in 0..8 {
        match schema.get("$ref").and_then(Value::as_str) {
            Some(r) => match defs.get(r.trim_start_matches("#/definitions/")) {
                Some(target) => schema = target,
                None => return schema,
            },
            None => return schema,
        }
    }
    schema
}

fn is_open(schema: &Value) -> bool {
    schema.get("x-kubernetes-preserve-unknown-fields") == Some(&Value::Bool(true))
}

fn walk_unknown(
    defs: &Value,
    schema: &Value,
    value: &Value,
    path: &mut Vec<String>,
    out: &mut Vec<String>,
    root: bool,
) {
    if is_open(schema) {
        return;
    }
    match value {
        Value::Object(map) => {
            if let Some(Value::Object(props)) = schema.get("properties") {
                for (k, v) in map {
                    path.push(k.clone());
                    match props.get(k) {
                        // metadata is checked by the server's own ObjectMeta decoding.
                        Some(_) if root && k == "metadata" => {}
                        Some(child) => {
                            walk_unknown(defs, resolve(defs, child), v, path, out, false)
                        }
                        None => out.push(field_path(path)),
                    }
                    path.pop();
                }
            } else if let Some(ap @ Value::Object(_)) = schema.get("additionalProperties") {
                let ap = resolve(defs, ap);
                for (k, v) in map {
                    path.push(k.clone());
                    walk_unknown(defs, ap, v, path, out, false);
                    path.pop();
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = schema.get("items") {
                let item_schema = resolve(defs, item_schema);
                for (i, v) in items.iter().enumerate() {
                    path.push(i.to_string());
                    walk_unknown(defs, item_schema, v, path, out, false);
                    path.pop();
                }
            }
        }
        _ => {}
    }
}

fn prune(defs: &Value, schema: &Value, value: &mut Value, root: bool) {
    if is_open(schema) {
        return;
    }
    match value {
        Value::Object(map) => {
            if let Some(Value::Object(props)) = schema.get("properties") {
                map.retain(|k, _| props.contains_key(k));
                for (k, v) in map.iter_mut() {
                    if root && k == "metadata" {
                        continue;
                    }
                    if let Some(child) = props.get(k) {
                        prune(defs, resolve(defs, child), v, false);
                    }
                }
            } else if let Some(ap @ Value::Object(_)) = schema.get("additionalProperties") {
                let ap = resolve(defs, ap);
                for v in map.values_mut() {
                    prune(defs, ap, v, false);
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = schema.get("items") {
                let item_schema = resolve(defs, item_schema);
                for v in items.iter_mut() {
                    prune(defs, item_schema, v, false);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_paths_read_like_kubes() {
        let p = |s: &[&str]| field_path(&s.iter().map(|x| x.to_string()).collect::<Vec<_>>());
        assert_eq!(
            p(&["spec", "sources", "1", "repoURL"]),
            "spec.sources[1].repoURL"
        );
        assert_eq!(
            p(&["metadata", "labels", "app.kubernetes.io/name"]),
            "metadata.labels[app.kubernetes.io/name]"
        );
        assert_eq!(p(&[]), "");
    }

    #[test]
    fn messages_read_like_kubes() {
        let e = FieldError::required("spec.destination", "");
        assert_eq!(e.to_string(), "spec.destination: Required value");
        let e = FieldError::new(
            "spec.x",
            FieldErrorType::NotSupported,
            Some(Value::String("Foo".into())),
            "supported values: \"a\", \"b\"",
        );
        assert_eq!(
            e.to_string(),
            "spec.x: Unsupported value: \"Foo\": supported values: \"a\", \"b\""
        );
    }

    #[test]
    fn every_kind_compiles() {
        for def in CATALOG {
            Validator::new(def).unwrap_or_else(|e| panic!("{e}"));
        }
    }
}
