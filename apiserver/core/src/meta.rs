//! Object-meta validation as apimachinery words it (`pkg/util/validation`,
//! `pkg/api/validation/objectmeta.go`), plus `generateName`. Every check returns kube's exact
//! message so the registry's 422s read the same as kube-apiserver's.

use std::collections::BTreeMap;

use argo_openapi::validation::{FieldError, FieldErrorType};
use serde_json::Value;

/// Longest DNS-1123 subdomain (object names).
pub const DNS1123_SUBDOMAIN_MAX_LENGTH: usize = 253;
/// Longest DNS-1123 label (namespace names).
pub const DNS1123_LABEL_MAX_LENGTH: usize = 63;
/// Longest name part of a qualified name (label keys, annotation keys, finalizers).
pub const QUALIFIED_NAME_MAX_LENGTH: usize = 63;
/// Longest label value.
pub const LABEL_VALUE_MAX_LENGTH: usize = 63;
/// Sum of the lengths of all annotation keys and values.
pub const TOTAL_ANNOTATION_SIZE_LIMIT_BYTES: usize = 256 * 1024;
/// `generateName` keeps this many bytes of the prefix, then appends [`GENERATED_SUFFIX_LENGTH`].
pub const MAX_GENERATED_NAME_PREFIX_LENGTH: usize = 58;
pub const GENERATED_SUFFIX_LENGTH: usize = 5;
/// The alphabet of `k8s.io/apimachinery/pkg/util/rand.String` (no vowels, no confusables).
pub const GENERATED_NAME_ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

const DNS1123_SUBDOMAIN_ERR: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
const DNS1123_SUBDOMAIN_FMT: &str =
    r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
const DNS1123_LABEL_ERR: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
const DNS1123_LABEL_FMT: &str = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const QUALIFIED_NAME_ERR: &str = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const QUALIFIED_NAME_FMT: &str = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const LABEL_VALUE_ERR: &str = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

/// apimachinery's `RegexError`: the message, examples, and the regex (note kube's double spaces
/// between examples, kept verbatim).
fn regex_error(msg: &str, fmt: &str, examples: &[&str]) -> String {
    if examples.is_empty() {
        return format!("{msg} (regex used for validation is '{fmt}')");
    }
    let mut s = format!("{msg} (e.g. ");
    for (i, e) in examples.iter().enumerate() {
        if i > 0 {
            s.push_str(" or ");
        }
        s.push('\'');
        s.push_str(e);
        s.push_str("', ");
    }
    s.push_str("regex used for validation is '");
    s.push_str(fmt);
    s.push_str("')");
    s
}

fn max_len_error(n: usize) -> String {
    format!("must be no more than {n} characters")
}

fn is_lower_alnum(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit()
}

/// `[a-z0-9]([-a-z0-9]*[a-z0-9])?`
fn matches_dns1123_label(s: &str) -> bool {
    let b = s.as_bytes();
    match (b.first(), b.last()) {
        (Some(&f), Some(&l)) => {
            is_lower_alnum(f)
                && is_lower_alnum(l)
                && b.iter().all(|&c| is_lower_alnum(c) || c == b'-')
        }
        _ => false,
    }
}

fn matches_dns1123_subdomain(s: &str) -> bool {
    s.split('.').all(matches_dns1123_label)
}

/// `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`
fn matches_qualified_name(s: &str) -> bool {
    let b = s.as_bytes();
    match (b.first(), b.last()) {
        (Some(f), Some(l)) => {
            f.is_ascii_alphanumeric()
                && l.is_ascii_alphanumeric()
                && b.iter()
                    .all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
        }
        _ => false,
    }
}

/// `IsDNS1123Subdomain`: the messages for an invalid object name (empty when valid).
pub fn is_dns1123_subdomain(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > DNS1123_SUBDOMAIN_MAX_LENGTH {
        errs.push(max_len_error(DNS1123_SUBDOMAIN_MAX_LENGTH));
    }
    if !matches_dns1123_subdomain(value) {
        errs.push(regex_error(
            DNS1123_SUBDOMAIN_ERR,
            DNS1123_SUBDOMAIN_FMT,
            &["example.com"],
        ));
    }
    errs
}

/// `IsDNS1123Label`: the messages for an invalid namespace name (empty when valid).
pub fn is_dns1123_label(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > DNS1123_LABEL_MAX_LENGTH {
        errs.push(max_len_error(DNS1123_LABEL_MAX_LENGTH));
    }
    if !matches_dns1123_label(value) {
        if matches_dns1123_subdomain(value) {
            // Length was already checked, so only dots can make a subdomain an invalid label.
            errs.push("must not contain dots".to_string());
        } else {
            errs.push(regex_error(
                DNS1123_LABEL_ERR,
                DNS1123_LABEL_FMT,
                &["my-name", "123-abc"],
            ));
        }
    }
    errs
}

/// `IsQualifiedName`: `[prefix/]name` as used by label keys, annotation keys and finalizers.
pub fn is_qualified_name(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    let parts: Vec<&str> = value.split('/').collect();
    let name = match parts.as_slice() {
        [name] => *name,
        [prefix, name] => {
            if prefix.is_empty() {
                errs.push("prefix part must be non-empty".to_string());
            } else {
                errs.extend(
                    is_dns1123_subdomain(prefix)
                        .into_iter()
                        .map(|m| format!("prefix part {m}")),
                );
            }
            *name
        }
        _ => {
            errs.push(format!(
                "a qualified name {} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
                regex_error(
                    QUALIFIED_NAME_ERR,
                    QUALIFIED_NAME_FMT,
                    &["MyName", "my.name", "123-abc"]
                )
            ));
            return errs;
        }
    };
    if name.is_empty() {
        errs.push("name part must be non-empty".to_string());
    } else if name.len() > QUALIFIED_NAME_MAX_LENGTH {
        errs.push(format!(
            "name part {}",
            max_len_error(QUALIFIED_NAME_MAX_LENGTH)
        ));
    }
    if !matches_qualified_name(name) {
        errs.push(format!(
            "name part {}",
            regex_error(
                QUALIFIED_NAME_ERR,
                QUALIFIED_NAME_FMT,
                &["MyName", "my.name", "123-abc"]
            )
        ));
    }
    errs
}

/// `IsValidLabelValue`: empty, or a qualified-name-like string of at most 63 characters.
pub fn is_valid_label_value(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > LABEL_VALUE_MAX_LENGTH {
        errs.push(max_len_error(LABEL_VALUE_MAX_LENGTH));
    }
    if !value.is_empty() && !matches_qualified_name(value) {
        errs.push(regex_error(
            LABEL_VALUE_ERR,
            &format!("({QUALIFIED_NAME_FMT})?"),
            &["MyValue", "my_value", "12345"],
        ));
    }
    errs
}

/// `NameIsDNSSubdomain`: object names. For a `generateName` prefix a trailing `-` is allowed,
/// because random characters follow it.
pub fn validate_object_name(name: &str, prefix: bool) -> Vec<String> {
    is_dns1123_subdomain(&mask_trailing_dash(name, prefix))
}

/// `ValidateNamespaceName` (`NameIsDNSLabel`).
pub fn validate_namespace_name(name: &str, prefix: bool) -> Vec<String> {
    is_dns1123_label(&mask_trailing_dash(name, prefix))
}

fn mask_trailing_dash(name: &str, prefix: bool) -> String {
    if prefix && name.len() > 1 && name.ends_with('-') {
        format!("{}a", &name[..name.len() - 1])
    } else {
        name.to_string()
    }
}

/// `SimpleNameGenerator.GenerateName`: the prefix cut to 58 bytes plus 5 characters drawn from
/// [`GENERATED_NAME_ALPHABET`]. `random_index(n)` must return an index below `n`; larger values
/// are reduced modulo `n`, so any source works and tests can be deterministic.
pub fn generate_name(base: &str, mut random_index: impl FnMut(usize) -> usize) -> String {
    let mut cut = base.len().min(MAX_GENERATED_NAME_PREFIX_LENGTH);
    // kube cuts bytes; stay on a char boundary so a non-ASCII prefix cannot make us panic (such a
    // name fails validation anyway).
    while !base.is_char_boundary(cut) {
        cut -= 1;
    }
    let mut name = String::with_capacity(cut + GENERATED_SUFFIX_LENGTH);
    name.push_str(&base[..cut]);
    let n = GENERATED_NAME_ALPHABET.len();
    for _ in 0..GENERATED_SUFFIX_LENGTH {
        name.push(GENERATED_NAME_ALPHABET[random_index(n) % n] as char);
    }
    name
}

/// [`generate_name`] with a process-random source (std's randomly keyed hasher), for callers
/// that need no determinism.
pub fn generate_name_random(base: &str) -> String {
    use std::hash::{BuildHasher, Hasher};
    let state = std::collections::hash_map::RandomState::new();
    let mut counter = 0u64;
    generate_name(base, |n| {
        let mut h = state.build_hasher();
        h.write_u64(counter);
        counter += 1;
        (h.finish() % n as u64) as usize
    })
}

fn invalid(field: &str, value: impl Into<Value>, detail: impl Into<String>) -> FieldError {
    FieldError::invalid(field, value.into(), detail)
}

/// `ValidateLabels`: every key a qualified name, every value a valid label value. Errors are on
/// the map's path (kube does not index them), in key order.
pub fn validate_labels(labels: &BTreeMap<String, String>, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for (k, v) in labels {
        errs.extend(
            is_qualified_name(k)
                .into_iter()
                .map(|m| invalid(path, k.as_str(), m)),
        );
        errs.extend(
            is_valid_label_value(v)
                .into_iter()
                .map(|m| invalid(path, v.as_str(), m)),
        );
    }
    errs
}

/// `ValidateAnnotations`: keys are qualified names compared case-insensitively; keys plus values
/// at most 256 KiB in total.
pub fn validate_annotations(annotations: &BTreeMap<String, String>, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let mut total = 0usize;
    for (k, v) in annotations {
        errs.extend(
            is_qualified_name(&k.to_lowercase())
                .into_iter()
                .map(|m| invalid(path, k.as_str(), m)),
        );
        total += k.len() + v.len();
    }
    if total > TOTAL_ANNOTATION_SIZE_LIMIT_BYTES {
        errs.push(too_long(path, TOTAL_ANNOTATION_SIZE_LIMIT_BYTES));
    }
    errs
}

/// kube's `field.TooLong` (its body omits the value).
pub(crate) fn too_long(path: &str, max: usize) -> FieldError {
    let unit = if max == 1 { "byte" } else { "bytes" };
    FieldError::new(
        path,
        FieldErrorType::TooLong,
        None,
        format!("may not be more than {max} {unit}"),
    )
}

/// `ValidateFinalizers`: qualified names; `orphan` and `foregroundDeletion` are exclusive.
pub fn validate_finalizers(finalizers: &[String], path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for f in finalizers {
        errs.extend(
            is_qualified_name(f)
                .into_iter()
                .map(|m| invalid(path, f.as_str(), m)),
        );
    }
    let has = |n: &str| finalizers.iter().any(|f| f == n);
    if has("orphan") && has("foregroundDeletion") {
        errs.push(invalid(
            path,
            Value::from(finalizers.to_vec()),
            "finalizer orphan and foregroundDeletion cannot be both set",
        ));
    }
    errs
}

/// `ValidateOwnerReferences` over the JSON form: apiVersion with a version, kind, name and uid
/// present, at most one controller. Paths are not indexed, as in kube.
pub fn validate_owner_references(refs: &[Value], path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let mut first_controller: Option<String> = None;
    for r in refs {
        let Some(obj) = r.as_object() else {
            errs.push(invalid(path, r.clone(), "must be an object"));
            continue;
        };
        let s = |k: &str| obj.get(k).and_then(Value::as_str).unwrap_or("");
        let api_version = s("apiVersion");
        // schema.ParseGroupVersion: "v" or "g/v"; anything else parses to an empty version.
        let version = match api_version.split('/').collect::<Vec<_>>().as_slice() {
            [v] => *v,
            [_, v] => *v,
            _ => "",
        };
        if version.is_empty() {
            errs.push(invalid(
                &format!("{path}.apiVersion"),
                api_version,
                "version must not be empty",
            ));
        }
        for key in ["kind", "name", "uid"] {
            if s(key).is_empty() {
                errs.push(invalid(
                    &format!("{path}.{key}"),
                    s(key),
                    "must not be empty",
                ));
            }
        }
        if obj.get("controller").and_then(Value::as_bool) == Some(true) {
            let current = format!("{}/{}", s("kind"), s("name"));
            match &first_controller {
                Some(first) => errs.push(invalid(
                    path,
                    Value::Array(refs.to_vec()),
                    format!(
                        "Only one reference can have Controller set to true. Found \"true\" in references for {first} and {current}"
                    ),
                )),
                None => first_controller = Some(current),
            }
        }
    }
    errs
}

/// A JSON object of strings as a map; `Err` with a field error when the shape is wrong.
fn string_map(v: Option<&Value>, path: &str) -> Result<BTreeMap<String, String>, FieldError> {
    match v {
        None | Some(Value::Null) => Ok(BTreeMap::new()),
        Some(Value::Object(m)) => m
            .iter()
            .map(|(k, v)| match v {
                Value::String(s) => Ok((k.clone(), s.clone())),
                other => Err(invalid(
                    &format!("{path}[{k}]"),
                    other.clone(),
                    "must be a string",
                )),
            })
            .collect(),
        Some(other) => Err(invalid(path, other.clone(), "must be a map of strings")),
    }
}

/// `ValidateObjectMetaAccessor` for a custom resource's `metadata` (names are DNS-1123
/// subdomains). Call it after a `generateName` was turned into a name; on create an empty name
/// with a `generateName` is still accepted so it can also run before that step.
pub fn validate_object_meta(meta: &Value, namespaced: bool, is_create: bool) -> Vec<FieldError> {
    let Some(m) = meta.as_object() else {
        return vec![invalid("metadata", meta.clone(), "must be an object")];
    };
    let mut errs = Vec::new();
    let str_field = |k: &str, errs: &mut Vec<FieldError>| -> String {
        match m.get(k) {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) => s.clone(),
            Some(other) => {
                errs.push(invalid(
                    &format!("metadata.{k}"),
                    other.clone(),
                    "must be a string",
                ));
                String::new()
            }
        }
    };
    let generate_name = str_field("generateName", &mut errs);
    let name = str_field("name", &mut errs);
    let namespace = str_field("namespace", &mut errs);

    if !generate_name.is_empty() {
        errs.extend(
            validate_object_name(&generate_name, true)
                .into_iter()
                .map(|msg| invalid("metadata.generateName", generate_name.as_str(), msg)),
        );
    }
    if name.is_empty() {
        if !is_create || generate_name.is_empty() {
            errs.push(FieldError::required(
                "metadata.name",
                "name or generateName is required",
            ));
        }
    } else {
        errs.extend(
            validate_object_name(&name, false)
                .into_iter()
                .map(|msg| invalid("metadata.name", name.as_str(), msg)),
        );
    }
    if namespaced {
        if namespace.is_empty() {
            errs.push(FieldError::required("metadata.namespace", ""));
        } else {
            errs.extend(
                validate_namespace_name(&namespace, false)
                    .into_iter()
                    .map(|msg| invalid("metadata.namespace", namespace.as_str(), msg)),
            );
        }
    } else if !namespace.is_empty() {
        errs.push(FieldError::new(
            "metadata.namespace",
            FieldErrorType::Forbidden,
            None,
            "not allowed on this type",
        ));
    }
    if let Some(g) = m.get("generation").and_then(Value::as_i64)
        && g < 0
    {
        errs.push(invalid(
            "metadata.generation",
            g,
            "must be greater than or equal to 0",
        ));
    }
    match string_map(m.get("labels"), "metadata.labels") {
        Ok(labels) => errs.extend(validate_labels(&labels, "metadata.labels")),
        Err(e) => errs.push(e),
    }
    match string_map(m.get("annotations"), "metadata.annotations") {
        Ok(a) => errs.extend(validate_annotations(&a, "metadata.annotations")),
        Err(e) => errs.push(e),
    }
    match m.get("ownerReferences") {
        None | Some(Value::Null) => {}
        Some(Value::Array(refs)) => {
            errs.extend(validate_owner_references(refs, "metadata.ownerReferences"))
        }
        Some(other) => errs.push(invalid(
            "metadata.ownerReferences",
            other.clone(),
            "must be a list",
        )),
    }
    match m.get("finalizers") {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => {
            let mut names = Vec::with_capacity(items.len());
            for (i, it) in items.iter().enumerate() {
                match it.as_str() {
                    Some(s) => names.push(s.to_string()),
                    None => errs.push(invalid(
                        &format!("metadata.finalizers[{i}]"),
                        it.clone(),
                        "must be a string",
                    )),
                }
            }
            errs.extend(validate_finalizers(&names, "metadata.finalizers"));
        }
        Some(other) => errs.push(invalid(
            "metadata.finalizers",
            other.clone(),
            "must be a list",
        )),
    }
    errs
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const SUBDOMAIN_MSG: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

    #[test]
    fn subdomain_names() {
        assert!(is_dns1123_subdomain("guestbook").is_empty());
        assert!(is_dns1123_subdomain("a.b-c.d1").is_empty());
        assert_eq!(is_dns1123_subdomain("Guestbook"), vec![SUBDOMAIN_MSG]);
        assert_eq!(is_dns1123_subdomain("a..b"), vec![SUBDOMAIN_MSG]);
        assert_eq!(is_dns1123_subdomain("-a"), vec![SUBDOMAIN_MSG]);
        assert_eq!(is_dns1123_subdomain(""), vec![SUBDOMAIN_MSG]);
        assert!(is_dns1123_subdomain(&"a".repeat(253)).is_empty());
        assert_eq!(
            is_dns1123_subdomain(&"a".repeat(254)),
            vec!["must be no more than 253 characters"]
        );
    }

    #[test]
    fn namespace_names_are_labels() {
        assert!(validate_namespace_name("argocd", false).is_empty());
        assert_eq!(
            validate_namespace_name("a.b", false),
            vec!["must not contain dots"]
        );
        assert_eq!(
            validate_namespace_name("A", false),
            vec![
                "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
            ]
        );
        assert_eq!(
            validate_namespace_name(&"a".repeat(64), false),
            vec!["must be no more than 63 characters"]
        );
    }

    #[test]
    fn generate_name_prefix_may_end_in_dash() {
        assert!(validate_object_name("guestbook-", true).is_empty());
        assert_eq!(
            validate_object_name("guestbook-", false),
            vec![SUBDOMAIN_MSG]
        );
    }

    #[test]
    fn qualified_names() {
        assert!(is_qualified_name("app").is_empty());
        assert!(is_qualified_name("argoproj.io/instance").is_empty());
        assert!(is_qualified_name("My_Name.1").is_empty());
        assert_eq!(
            is_qualified_name("/x"),
            vec!["prefix part must be non-empty"]
        );
        assert_eq!(
            is_qualified_name("Example.com/x"),
            vec![format!("prefix part {SUBDOMAIN_MSG}")]
        );
        let name_part = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
        assert_eq!(
            is_qualified_name("a/"),
            vec![
                "name part must be non-empty".to_string(),
                name_part.to_string()
            ]
        );
        assert_eq!(is_qualified_name("-x"), vec![name_part]);
        assert_eq!(
            is_qualified_name(&"x".repeat(64)),
            vec!["name part must be no more than 63 characters"]
        );
        assert_eq!(
            is_qualified_name("a/b/c"),
            vec![
                "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
            ]
        );
    }

    #[test]
    fn label_values() {
        assert!(is_valid_label_value("").is_empty());
        assert!(is_valid_label_value("v1.2_3-x").is_empty());
        assert_eq!(
            is_valid_label_value("a b"),
            vec![
                "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
            ]
        );
        assert_eq!(
            is_valid_label_value(&"a".repeat(64)),
            vec!["must be no more than 63 characters"]
        );
    }

    #[test]
    fn generate_name_truncates_and_uses_kube_alphabet() {
        let mut i = 0;
        let name = generate_name("guestbook-", |n| {
            i += 1;
            (i * 7) % n
        });
        assert_eq!(name.len(), "guestbook-".len() + 5);
        assert!(name.starts_with("guestbook-"));
        assert!(
            name[10..]
                .bytes()
                .all(|b| GENERATED_NAME_ALPHABET.contains(&b))
        );
        // Index 0 is 'b', index 26 is '9'; out-of-range indices wrap instead of panicking.
        assert_eq!(generate_name("x-", |_| 0), "x-bbbbb");
        assert_eq!(generate_name("x-", |n| n + 26), "x-99999");
        let long = "a".repeat(70);
        let g = generate_name(&long, |_| 1);
        assert_eq!(g, format!("{}ccccc", "a".repeat(58)));
        assert!(validate_object_name(&g, false).is_empty());
        // Multi-byte characters across the cut do not panic.
        let g = generate_name(&format!("{}é", "a".repeat(57)), |_| 0);
        assert_eq!(g, format!("{}bbbbb", "a".repeat(57)));
        let r = generate_name_random("app-");
        assert_eq!(r.len(), 9);
        assert!(r[4..].bytes().all(|b| GENERATED_NAME_ALPHABET.contains(&b)));
    }

    fn rendered(errs: &[FieldError]) -> Vec<String> {
        errs.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn object_meta_name_rules() {
        assert!(validate_object_meta(&json!({"name":"a","namespace":"ns"}), true, true).is_empty());
        assert_eq!(
            rendered(&validate_object_meta(
                &json!({"namespace":"ns"}),
                true,
                true
            )),
            vec!["metadata.name: Required value: name or generateName is required"]
        );
        // generateName alone is fine on create (the name is generated next) ...
        assert!(
            validate_object_meta(&json!({"generateName":"a-","namespace":"ns"}), true, true)
                .is_empty()
        );
        // ... but not on update.
        assert_eq!(
            validate_object_meta(&json!({"generateName":"a-","namespace":"ns"}), true, false).len(),
            1
        );
        assert_eq!(
            rendered(&validate_object_meta(
                &json!({"name":"Bad","namespace":"ns"}),
                true,
                true
            )),
            vec![format!(
                "metadata.name: Invalid value: \"Bad\": {SUBDOMAIN_MSG}"
            )]
        );
        assert_eq!(
            rendered(&validate_object_meta(
                &json!({"name":"a","generateName":"B-"}),
                false,
                true
            )),
            vec![format!(
                "metadata.generateName: Invalid value: \"B-\": {SUBDOMAIN_MSG}"
            )]
        );
    }

    #[test]
    fn object_meta_namespace_rules() {
        assert_eq!(
            rendered(&validate_object_meta(&json!({"name":"a"}), true, true)),
            vec!["metadata.namespace: Required value"]
        );
        assert_eq!(
            rendered(&validate_object_meta(
                &json!({"name":"a","namespace":"ns"}),
                false,
                true
            )),
            vec!["metadata.namespace: Forbidden: not allowed on this type"]
        );
        assert_eq!(
            rendered(&validate_object_meta(
                &json!({"name":"a","namespace":"a.b"}),
                true,
                true
            )),
            vec!["metadata.namespace: Invalid value: \"a.b\": must not contain dots"]
        );
    }

    #[test]
    fn object_meta_labels_annotations_finalizers() {
        let errs = validate_object_meta(
            &json!({"name":"a","labels":{"ok":"v","bad key":"v","k":"bad value"}}),
            false,
            true,
        );
        let r = rendered(&errs);
        assert_eq!(r.len(), 2, "{r:?}");
        assert!(
            r[0].starts_with("metadata.labels: Invalid value: \"bad key\": name part must consist")
        );
        assert!(
            r[1].starts_with("metadata.labels: Invalid value: \"bad value\": a valid label must")
        );

        // Annotation keys are checked case-insensitively, values are free text.
        assert!(
            validate_object_meta(
                &json!({"name":"a","annotations":{"Example.COM/Key":"any thing"}}),
                false,
                true
            )
            .is_empty()
        );
        let big = "x".repeat(TOTAL_ANNOTATION_SIZE_LIMIT_BYTES);
        assert_eq!(
            rendered(&validate_object_meta(
                &json!({"name":"a","annotations":{"k":big}}),
                false,
                true
            )),
            vec!["metadata.annotations: Too long: may not be more than 262144 bytes"]
        );

        assert_eq!(
            rendered(&validate_object_meta(&json!({"name":"a","finalizers":["resources-finalizer.argocd.argoproj.io","a/b/c"]}), false, true)).len(),
            1
        );
        assert_eq!(
            rendered(&validate_object_meta(
                &json!({"name":"a","finalizers":["orphan","foregroundDeletion"]}),
                false,
                true
            )),
            vec![
                "metadata.finalizers: Invalid value: [\"orphan\",\"foregroundDeletion\"]: finalizer orphan and foregroundDeletion cannot be both set"
            ]
        );
        // Wrong shapes are reported, never panicked on.
        assert_eq!(
            rendered(&validate_object_meta(
                &json!({"name":"a","labels":{"k":1}}),
                false,
                true
            )),
            vec!["metadata.labels[k]: Invalid value: 1: must be a string"]
        );
        assert_eq!(validate_object_meta(&json!("x"), false, true).len(), 1);
        assert_eq!(
            rendered(&validate_object_meta(
                &json!({"name":"a","generation":-1}),
                false,
                false
            )),
            vec!["metadata.generation: Invalid value: -1: must be greater than or equal to 0"]
        );
    }

    #[test]
    fn object_meta_owner_references() {
        let ok = json!({"apiVersion":"argoproj.io/v1alpha1","kind":"Rollout","name":"r","uid":"u","controller":true});
        assert!(
            validate_object_meta(&json!({"name":"a","ownerReferences":[ok]}), false, true)
                .is_empty()
        );
        assert_eq!(
            rendered(&validate_object_meta(
                &json!({"name":"a","ownerReferences":[{"apiVersion":"apps/","kind":"","name":"n","uid":"u"}]}),
                false,
                true
            )),
            vec![
                "metadata.ownerReferences.apiVersion: Invalid value: \"apps/\": version must not be empty",
                "metadata.ownerReferences.kind: Invalid value: \"\": must not be empty",
            ]
        );
        let two = json!({"name":"a","ownerReferences":[ok, {"apiVersion":"v1","kind":"Pod","name":"p","uid":"u2","controller":true}]});
        let r = rendered(&validate_object_meta(&two, false, true));
        assert_eq!(r.len(), 1);
        assert!(r[0].ends_with("Only one reference can have Controller set to true. Found \"true\" in references for Rollout/r and Pod/p"), "{r:?}");
    }
}
