//! Label selectors as `k8s.io/apimachinery/pkg/labels` parses them, and field selectors as
//! `pkg/fields` does, with kube's error wording. Parse errors are 400 BadRequest.

use std::collections::BTreeMap;
use std::fmt;

use argo_openapi::validation::FieldError;
use serde_json::Value;

use crate::meta::{is_qualified_name, is_valid_label_value};
use crate::status::ApiError;

/// A label requirement operator (`selection.Operator`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operator {
    Equals,
    DoubleEquals,
    NotEquals,
    In,
    NotIn,
    Exists,
    DoesNotExist,
    GreaterThan,
    LessThan,
}

/// One `key <op> values` term of a label selector.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Requirement {
    pub key: String,
    pub operator: Operator,
    /// Sorted and deduplicated, as kube's `sets.String.List()`.
    pub values: Vec<String>,
}

impl Requirement {
    /// `Requirement.Matches`.
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        let value = labels.get(&self.key);
        match self.operator {
            Operator::In | Operator::Equals | Operator::DoubleEquals => {
                value.is_some_and(|v| self.values.iter().any(|x| x == v))
            }
            Operator::NotIn | Operator::NotEquals => {
                value.is_none_or(|v| !self.values.iter().any(|x| x == v))
            }
            Operator::Exists => value.is_some(),
            Operator::DoesNotExist => value.is_none(),
            Operator::GreaterThan | Operator::LessThan => {
                let (Some(v), Some(bound)) = (value, self.values.first()) else {
                    return false;
                };
                let (Ok(v), Ok(bound)) = (v.parse::<i64>(), bound.parse::<i64>()) else {
                    return false;
                };
                if self.operator == Operator::GreaterThan {
                    v > bound
                } else {
                    v < bound
                }
            }
        }
    }
}

impl fmt::Display for Requirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.operator {
            Operator::Exists => return f.write_str(&self.key),
            Operator::DoesNotExist => return write!(f, "!{}", self.key),
            _ => {}
        }
        let op = match self.operator {
            Operator::Equals => "=",
            Operator::DoubleEquals => "==",
            Operator::NotEquals => "!=",
            Operator::In => " in ",
            Operator::NotIn => " notin ",
            Operator::GreaterThan => ">",
            Operator::LessThan => "<",
            Operator::Exists | Operator::DoesNotExist => "",
        };
        write!(f, "{}{}", self.key, op)?;
        if matches!(self.operator, Operator::In | Operator::NotIn) {
            write!(f, "({})", self.values.join(","))
        } else {
            f.write_str(self.values.first().map(String::as_str).unwrap_or(""))
        }
    }
}

/// A parsed label selector: requirements ANDed, sorted by key. Empty matches everything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LabelSelector {
    pub requirements: Vec<Requirement>,
}

impl LabelSelector {
    /// `labels.Parse`. Errors are 400 with kube's text, e.g.
    /// `unable to parse requirement: <nil>: Invalid value: "a b": ...`.
    pub fn parse(selector: &str) -> Result<LabelSelector, ApiError> {
        parse_labels(selector).map_err(ApiError::bad_request)
    }

    pub fn is_empty(&self) -> bool {
        self.requirements.is_empty()
    }

    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.requirements.iter().all(|r| r.matches(labels))
    }

    /// [`LabelSelector::matches`] over an object's `metadata.labels` JSON.
    pub fn matches_object(&self, object: &Value) -> bool {
        if self.is_empty() {
            return true;
        }
        let labels: BTreeMap<String, String> = object
            .pointer("/metadata/labels")
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string())))
                    .collect()
            })
            .unwrap_or_default();
        self.matches(&labels)
    }
}

impl fmt::Display for LabelSelector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.requirements.iter().map(ToString::to_string).collect();
        f.write_str(&parts.join(","))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tok {
    Identifier,
    DoesNotExist,
    Equals,
    DoubleEquals,
    NotEquals,
    GreaterThan,
    LessThan,
    In,
    NotIn,
    OpenPar,
    ClosedPar,
    Comma,
    End,
}

fn lex(input: &str) -> Vec<(Tok, String)> {
    let is_special = |c: char| matches!(c, '=' | '!' | '(' | ')' | ',' | '>' | '<');
    let is_space = |c: char| matches!(c, ' ' | '\t' | '\r' | '\n');
    let mut out = Vec::new();
    let mut rest = input;
    loop {
        rest = rest.trim_start_matches(is_space);
        let Some(c) = rest.chars().next() else {
            out.push((Tok::End, String::new()));
            return out;
        };
        if is_special(c) {
            // Longest match among the two-character operators, then the single ones.
            let (tok, len) = if rest.starts_with("==") {
                (Tok::DoubleEquals, 2)
            } else if rest.starts_with("!=") {
                (Tok::NotEquals, 2)
            } else {
                let t = match c {
                    '=' => Tok::Equals,
                    '!' => Tok::DoesNotExist,
                    '(' => Tok::OpenPar,
                    ')' => Tok::ClosedPar,
                    ',' => Tok::Comma,
                    '>' => Tok::GreaterThan,
                    _ => Tok::LessThan,
                };
                (t, 1)
            };
            out.push((tok, rest[..len].to_string()));
            rest = &rest[len..];
        } else {
            let end = rest
                .find(|c: char| is_special(c) || is_space(c))
                .unwrap_or(rest.len());
            let word = &rest[..end];
            let tok = match word {
                "in" => Tok::In,
                "notin" => Tok::NotIn,
                _ => Tok::Identifier,
            };
            out.push((tok, word.to_string()));
            rest = &rest[end..];
        }
    }
}

struct Parser {
    toks: Vec<(Tok, String)>,
    pos: usize,
}

impl Parser {
    /// In the "values" context the keywords `in`/`notin` are plain identifiers.
    fn lookahead(&self, values: bool) -> (Tok, String) {
        let (t, l) = self
            .toks
            .get(self.pos)
            .cloned()
            .unwrap_or((Tok::End, String::new()));
        if values && matches!(t, Tok::In | Tok::NotIn) {
            (Tok::Identifier, l)
        } else {
            (t, l)
        }
    }

    fn consume(&mut self, values: bool) -> (Tok, String) {
        let r = self.lookahead(values);
        if self.pos < self.toks.len() {
            self.pos += 1;
        }
        r
    }

    fn requirement(&mut self) -> Result<Requirement, String> {
        let (mut tok, mut lit) = self.consume(true);
        let mut op = None;
        if tok == Tok::DoesNotExist {
            op = Some(Operator::DoesNotExist);
            (tok, lit) = self.consume(true);
        }
        if tok != Tok::Identifier {
            return Err(format!("found '{lit}', expected: identifier"));
        }
        let key = lit;
        let key_errs = is_qualified_name(&key);
        if !key_errs.is_empty() {
            return Err(format!(
                "<nil>: Invalid value: {:?}: {}",
                key,
                key_errs.join("; ")
            ));
        }
        let (next, _) = self.lookahead(true);
        if op.is_none() && matches!(next, Tok::End | Tok::Comma) {
            op = Some(Operator::Exists);
        }
        if let Some(op) = op {
            return Ok(Requirement {
                key,
                operator: op,
                values: Vec::new(),
            });
        }
        let (tok, lit) = self.consume(false);
        let op = match tok {
            Tok::In => Operator::In,
            Tok::NotIn => Operator::NotIn,
            Tok::Equals => Operator::Equals,
            Tok::DoubleEquals => Operator::DoubleEquals,
            Tok::NotEquals => Operator::NotEquals,
            Tok::GreaterThan => Operator::GreaterThan,
            Tok::LessThan => Operator::LessThan,
            _ => {
                return Err(format!(
                    "found '{lit}', expected: in, notin, =, ==, !=, gt, lt"
                ));
            }
        };
        let mut values = match op {
            Operator::In | Operator::NotIn => self.values()?,
            _ => self.exact_value()?,
        };
        values.sort();
        values.dedup();
        new_requirement(key, op, values)
    }

    fn values(&mut self) -> Result<Vec<String>, String> {
        let (tok, lit) = self.consume(true);
        if tok != Tok::OpenPar {
            return Err(format!("found '{lit}' expected: '('"));
        }
        let (tok, lit) = self.lookahead(true);
        match tok {
            Tok::Identifier | Tok::Comma => {
                let s = self.identifiers()?;
                let (t, _) = self.consume(true);
                if t != Tok::ClosedPar {
                    return Err(format!("found '{lit}', expected: ')'"));
                }
                Ok(s)
            }
            Tok::ClosedPar => {
                self.consume(true);
                Ok(vec![String::new()])
            }
            _ => Err(format!("found '{lit}', expected: ',', ')' or identifier")),
        }
    }

    fn identifiers(&mut self) -> Result<Vec<String>, String> {
        let mut s: Vec<String> = Vec::new();
        loop {
            let (tok, lit) = self.consume(true);
            match tok {
                Tok::Identifier => {
                    s.push(lit);
                    let (t2, l2) = self.lookahead(true);
                    match t2 {
                        Tok::Comma => continue,
                        Tok::ClosedPar => return Ok(s),
                        _ => return Err(format!("found '{l2}', expected: ',' or ')'")),
                    }
                }
                Tok::Comma => {
                    // "(,", ",)" and ",," each stand for an empty value.
                    if s.is_empty() {
                        s.push(String::new());
                    }
                    let (t2, _) = self.lookahead(true);
                    if t2 == Tok::ClosedPar {
                        s.push(String::new());
                        return Ok(s);
                    }
                    if t2 == Tok::Comma {
                        self.consume(true);
                        s.push(String::new());
                    }
                }
                _ => return Err(format!("found '{lit}', expected: ',', or identifier")),
            }
        }
    }

    fn exact_value(&mut self) -> Result<Vec<String>, String> {
        let (tok, _) = self.lookahead(true);
        if matches!(tok, Tok::End | Tok::Comma) {
            return Ok(vec![String::new()]);
        }
        let (tok, lit) = self.consume(true);
        if tok == Tok::Identifier {
            Ok(vec![lit])
        } else {
            Err(format!("found '{lit}', expected: identifier"))
        }
    }
}

/// `NewRequirement`'s checks, aggregated as kube prints them (`[a, b]` when several).
fn new_requirement(key: String, op: Operator, values: Vec<String>) -> Result<Requirement, String> {
    let mut errs: Vec<FieldError> = Vec::new();
    let vals = || Value::from(values.clone());
    match op {
        Operator::In | Operator::NotIn if values.is_empty() => errs.push(FieldError::invalid(
            "values",
            vals(),
            "for 'in', 'notin' operators, values set can't be empty",
        )),
        Operator::Equals | Operator::DoubleEquals | Operator::NotEquals if values.len() != 1 => {
            errs.push(FieldError::invalid(
                "values",
                vals(),
                "exact-match compatibility requires one single value",
            ))
        }
        Operator::GreaterThan | Operator::LessThan => {
            if values.len() != 1 {
                errs.push(FieldError::invalid(
                    "values",
                    vals(),
                    "for 'Gt', 'Lt' operators, exactly one value is required",
                ));
            }
            for (i, v) in values.iter().enumerate() {
                if v.parse::<i64>().is_err() {
                    errs.push(FieldError::invalid(
                        format!("values[{i}]"),
                        Value::from(v.as_str()),
                        "for 'Gt', 'Lt' operators, the value must be an integer",
                    ));
                }
            }
        }
        _ => {}
    }
    for (i, v) in values.iter().enumerate() {
        let msgs = is_valid_label_value(v);
        if !msgs.is_empty() {
            errs.push(FieldError::invalid(
                format!("values[{i}][{key}]"),
                Value::from(v.as_str()),
                msgs.join("; "),
            ));
        }
    }
    match errs.as_slice() {
        [] => Ok(Requirement {
            key,
            operator: op,
            values,
        }),
        [one] => Err(one.to_string()),
        many => Err(format!(
            "[{}]",
            many.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

fn parse_labels(selector: &str) -> Result<LabelSelector, String> {
    let mut p = Parser {
        toks: lex(selector),
        pos: 0,
    };
    let mut requirements = Vec::new();
    loop {
        let (tok, lit) = p.lookahead(true);
        match tok {
            Tok::Identifier | Tok::DoesNotExist => {
                let r = p
                    .requirement()
                    .map_err(|e| format!("unable to parse requirement: {e}"))?;
                requirements.push(r);
                let (t, l) = p.consume(true);
                match t {
                    Tok::End => break,
                    Tok::Comma => {
                        let (t2, l2) = p.lookahead(true);
                        if !matches!(t2, Tok::Identifier | Tok::DoesNotExist) {
                            return Err(format!("found '{l2}', expected: identifier after ','"));
                        }
                    }
                    _ => return Err(format!("found '{l}', expected: ',' or 'end of string'")),
                }
            }
            Tok::End => break,
            _ => {
                return Err(format!(
                    "found '{lit}', expected: !, identifier, or 'end of string'"
                ));
            }
        }
    }
    // Stable by key, as kube's sort.Sort(ByKey).
    requirements.sort_by(|a: &Requirement, b| a.key.cmp(&b.key));
    Ok(LabelSelector { requirements })
}

/// A field selector term operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldOperator {
    Equals,
    NotEquals,
}

/// One `field=value` / `field!=value` term (value unescaped).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldRequirement {
    pub field: String,
    pub operator: FieldOperator,
    pub value: String,
}

/// A parsed field selector: terms ANDed, in kube's (sorted) order. Empty matches everything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldSelector {
    pub requirements: Vec<FieldRequirement>,
}

impl FieldSelector {
    /// `fields.ParseSelector`. Errors are 400 with kube's wording.
    pub fn parse(selector: &str) -> Result<FieldSelector, ApiError> {
        parse_fields(selector).map_err(ApiError::bad_request)
    }

    pub fn is_empty(&self) -> bool {
        self.requirements.is_empty()
    }

    /// Whether an object whose field values `get` returns matches. An absent field reads as
    /// `""`, as kube's `fields.Set` does.
    pub fn matches(&self, get: &impl Fn(&str) -> Option<String>) -> bool {
        self.requirements.iter().all(|r| {
            let v = get(&r.field).unwrap_or_default();
            match r.operator {
                FieldOperator::Equals => v == r.value,
                FieldOperator::NotEquals => v != r.value,
            }
        })
    }

    /// [`FieldSelector::matches`] over an object's JSON: `metadata.name` reads `/metadata/name`;
    /// strings as they are, numbers and booleans in their JSON text (as CRD selectable fields).
    pub fn matches_object(&self, object: &Value) -> bool {
        self.matches(&|path: &str| {
            let pointer: String = path.split('.').map(|s| format!("/{s}")).collect();
            match object.pointer(&pointer)? {
                Value::String(s) => Some(s.clone()),
                v @ (Value::Number(_) | Value::Bool(_)) => Some(v.to_string()),
                _ => None,
            }
        })
    }

    /// `RequiresExactMatch`: the value of the first `field=value` term on `field`.
    pub fn requires_exact_match(&self, field: &str) -> Option<&str> {
        self.requirements
            .iter()
            .find(|r| r.field == field && r.operator == FieldOperator::Equals)
            .map(|r| r.value.as_str())
    }

    /// Check every term's field against what the kind supports: `metadata.name`, plus
    /// `metadata.namespace` for namespaced kinds, plus the catalog's selectable fields (JSON
    /// paths such as `.spec.project`; the leading dot is optional). 400
    /// `field label not supported: <label>` otherwise.
    pub fn validate_fields(
        &self,
        namespaced: bool,
        selectable_fields: &[&str],
    ) -> Result<(), ApiError> {
        for r in &self.requirements {
            let f = r.field.as_str();
            let ok = f == "metadata.name"
                || (namespaced && f == "metadata.namespace")
                || selectable_fields
                    .iter()
                    .any(|s| s.strip_prefix('.').unwrap_or(s) == f);
            if !ok {
                return Err(ApiError::bad_request(format!(
                    "field label not supported: {f}"
                )));
            }
        }
        Ok(())
    }
}

impl fmt::Display for FieldSelector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self
            .requirements
            .iter()
            .map(|r| {
                let op = match r.operator {
                    FieldOperator::Equals => "=",
                    FieldOperator::NotEquals => "!=",
                };
                format!("{}{}{}", r.field, op, escape_field_value(&r.value))
            })
            .collect();
        f.write_str(&parts.join(","))
    }
}

/// `fields.EscapeValue`: backslash-escape `\`, `,` and `=`.
pub fn escape_field_value(v: &str) -> String {
    let mut s = String::with_capacity(v.len());
    for c in v.chars() {
        if matches!(c, '\\' | ',' | '=') {
            s.push('\\');
        }
        s.push(c);
    }
    s
}

/// `fields.UnescapeValue`.
fn unescape_field_value(s: &str) -> Result<String, String> {
    let mut out = String::with_capacity(s.len());
    let mut in_slash = false;
    for c in s.chars() {
        if in_slash {
            if matches!(c, '\\' | ',' | '=') {
                out.push(c);
                in_slash = false;
                continue;
            }
            return Err(format!(
                "invalid field selector: invalid escape sequence: \\{c}"
            ));
        }
        match c {
            '\\' => in_slash = true,
            // kube formats the rune with %v, i.e. its code point number.
            ',' | '=' => {
                return Err(format!(
                    "invalid field selector: unescaped character in value: {}",
                    c as u32
                ));
            }
            _ => out.push(c),
        }
    }
    if in_slash {
        return Err("invalid field selector: invalid escape sequence: \\".into());
    }
    Ok(out)
}

/// Split on unescaped commas, keeping escapes in the terms.
fn split_terms(s: &str) -> Vec<&str> {
    if s.is_empty() {
        return Vec::new();
    }
    let mut terms = Vec::new();
    let mut start = 0;
    let mut in_slash = false;
    for (i, c) in s.char_indices() {
        if in_slash {
            in_slash = false;
        } else if c == '\\' {
            in_slash = true;
        } else if c == ',' {
            terms.push(&s[start..i]);
            start = i + 1;
        }
    }
    terms.push(&s[start..]);
    terms
}

/// The first operator occurrence splits the term (no escaping on the left-hand side).
fn split_term(term: &str) -> Option<(&str, FieldOperator, &str)> {
    for (i, _) in term.char_indices() {
        let rest = &term[i..];
        for (op, kind) in [
            ("!=", FieldOperator::NotEquals),
            ("==", FieldOperator::Equals),
            ("=", FieldOperator::Equals),
        ] {
            if let Some(rhs) = rest.strip_prefix(op) {
                return Some((&term[..i], kind, rhs));
            }
        }
    }
    None
}

fn parse_fields(selector: &str) -> Result<FieldSelector, String> {
    let mut parts = split_terms(selector);
    parts.sort_unstable();
    let mut requirements = Vec::new();
    for part in parts {
        if part.is_empty() {
            continue;
        }
        let Some((lhs, op, rhs)) = split_term(part) else {
            return Err(format!(
                "invalid selector: '{selector}'; can't understand '{part}'"
            ));
        };
        requirements.push(FieldRequirement {
            field: lhs.to_string(),
            operator: op,
            value: unescape_field_value(rhs)?,
        });
    }
    Ok(FieldSelector { requirements })
}

/// The name a `fieldSelector=metadata.name=<x>` selects, for RequestInfo; `None` when the
/// selector does not parse or the value is not a valid path segment name.
pub fn metadata_name_from_field_selector(selector: &str) -> Option<String> {
    let s = parse_fields(selector).ok()?;
    let name = s.requires_exact_match("metadata.name")?;
    is_valid_path_segment_name(name).then(|| name.to_string())
}

/// `path.IsValidPathSegmentName`: not `.`/`..`, and no `/` or `%`.
pub fn is_valid_path_segment_name(name: &str) -> bool {
    name != "." && name != ".." && !name.contains('/') && !name.contains('%')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn err(s: &str) -> String {
        let e = LabelSelector::parse(s).unwrap_err();
        assert_eq!(e.code(), 400);
        assert_eq!(e.reason(), "BadRequest");
        e.status.message
    }

    #[test]
    fn label_operators_match_like_kube() {
        let l = labels(&[("app", "guestbook"), ("tier", "web"), ("replicas", "3")]);
        let yes = [
            "",
            "app=guestbook",
            "app==guestbook",
            "app!=other",
            "missing!=x",
            "app in (guestbook, other)",
            "app notin (other)",
            "missing notin (x)",
            "app",
            "!missing",
            "replicas>2",
            "replicas<4",
            "app=guestbook,tier=web",
            "  app = guestbook ,  tier  ",
            "app in (guestbook,)",
        ];
        for s in yes {
            assert!(LabelSelector::parse(s).unwrap().matches(&l), "{s}");
        }
        let no = [
            "app=other",
            "app!=guestbook",
            "app in (a,b)",
            "app notin (guestbook)",
            "missing",
            "!app",
            "replicas>3",
            "replicas<3",
            "app>1",
            "missing=",
            "app=guestbook,tier=db",
        ];
        for s in no {
            assert!(!LabelSelector::parse(s).unwrap().matches(&l), "{s}");
        }
        // The empty value selects a label that is present and empty.
        assert!(
            LabelSelector::parse("e=")
                .unwrap()
                .matches(&labels(&[("e", "")]))
        );
        assert!(
            LabelSelector::parse("e in ()")
                .unwrap()
                .matches(&labels(&[("e", "")]))
        );
    }

    #[test]
    fn label_parse_structure_and_display() {
        let s = LabelSelector::parse("z=1,a in (y,x,x),!b").unwrap();
        let keys: Vec<&str> = s.requirements.iter().map(|r| r.key.as_str()).collect();
        assert_eq!(keys, vec!["a", "b", "z"]);
        assert_eq!(s.requirements[0].values, vec!["x", "y"]);
        assert_eq!(s.to_string(), "a in (x,y),!b,z=1");
        // "in"/"notin" are ordinary words in value position.
        let s = LabelSelector::parse("x=in").unwrap();
        assert_eq!(s.requirements[0].values, vec!["in"]);
        assert!(LabelSelector::parse("argoproj.io/instance=guestbook").is_ok());
    }

    #[test]
    fn label_parse_errors_use_kube_wording() {
        assert!(err("app: nginx").starts_with(
            "unable to parse requirement: <nil>: Invalid value: \"app:\": name part must consist of alphanumeric characters"
        ));
        assert!(err("a/b/c=x").starts_with(
            "unable to parse requirement: <nil>: Invalid value: \"a/b/c\": a qualified name must consist"
        ));
        assert_eq!(err("a=b c"), "found 'c', expected: ',' or 'end of string'");
        assert_eq!(err("a=b,"), "found '', expected: identifier after ','");
        assert_eq!(
            err(",a"),
            "found ',', expected: !, identifier, or 'end of string'"
        );
        assert_eq!(
            err("a (b)"),
            "unable to parse requirement: found '(', expected: in, notin, =, ==, !=, gt, lt"
        );
        assert_eq!(
            err("a in b"),
            "unable to parse requirement: found 'b' expected: '('"
        );
        assert_eq!(
            err("a in (b c)"),
            "unable to parse requirement: found 'c', expected: ',' or ')'"
        );
        // `a==` is the empty value, not an error.
        assert_eq!(
            LabelSelector::parse("a==").unwrap().requirements[0].values,
            vec![""]
        );
        assert_eq!(
            err("a>b"),
            "unable to parse requirement: values[0]: Invalid value: \"b\": for 'Gt', 'Lt' operators, the value must be an integer"
        );
        assert!(
            err(&format!("a={}", "x".repeat(64)))
                .starts_with("unable to parse requirement: values[0][a]: Invalid value: \"xxxx")
        );
        assert!(err("a=-x").contains("a valid label must be an empty string"));
        assert_eq!(err("!a=b"), "found '=', expected: ',' or 'end of string'");
        assert_eq!(
            err("a=(b)"),
            "unable to parse requirement: found '(', expected: identifier"
        );
    }

    #[test]
    fn label_matches_object_json() {
        let s = LabelSelector::parse("app=a").unwrap();
        assert!(s.matches_object(&serde_json::json!({"metadata":{"labels":{"app":"a"}}})));
        assert!(!s.matches_object(&serde_json::json!({"metadata":{}})));
        assert!(LabelSelector::default().matches_object(&serde_json::json!({})));
    }

    #[test]
    fn field_selector_grammar() {
        let s = FieldSelector::parse("metadata.name=a,spec.project!=x").unwrap();
        assert_eq!(s.requirements.len(), 2);
        let obj =
            serde_json::json!({"metadata":{"name":"a"},"spec":{"project":"default","replicas":2}});
        assert!(s.matches_object(&obj));
        assert!(
            !FieldSelector::parse("metadata.name==b")
                .unwrap()
                .matches_object(&obj)
        );
        assert!(
            FieldSelector::parse("spec.replicas=2")
                .unwrap()
                .matches_object(&obj)
        );
        // Absent fields read as "".
        assert!(
            FieldSelector::parse("status.phase=")
                .unwrap()
                .matches_object(&obj)
        );
        assert!(FieldSelector::parse("").unwrap().is_empty());
        assert!(FieldSelector::parse(",,").unwrap().is_empty());
        // Escapes round-trip.
        let s = FieldSelector::parse(r"metadata.name=a\,b\=c\\d").unwrap();
        assert_eq!(s.requires_exact_match("metadata.name"), Some(r"a,b=c\d"));
        assert_eq!(s.to_string(), r"metadata.name=a\,b\=c\\d");
        assert_eq!(escape_field_value("a,b"), r"a\,b");
    }

    #[test]
    fn field_selector_errors_use_kube_wording() {
        let e = FieldSelector::parse("metadata.name").unwrap_err();
        assert_eq!(e.code(), 400);
        assert_eq!(
            e.status.message,
            "invalid selector: 'metadata.name'; can't understand 'metadata.name'"
        );
        assert_eq!(
            FieldSelector::parse(r"a=b\x").unwrap_err().status.message,
            r"invalid field selector: invalid escape sequence: \x"
        );
        assert_eq!(
            FieldSelector::parse(r"a=b\").unwrap_err().status.message,
            r"invalid field selector: invalid escape sequence: \"
        );
        assert_eq!(
            FieldSelector::parse("a=b=c").unwrap_err().status.message,
            "invalid field selector: unescaped character in value: 61"
        );
    }

    #[test]
    fn field_selector_supported_labels() {
        let s = FieldSelector::parse("metadata.namespace=a,spec.project=p").unwrap();
        assert!(s.validate_fields(true, &[".spec.project"]).is_ok());
        let e = s.validate_fields(false, &[".spec.project"]).unwrap_err();
        assert_eq!(e.code(), 400);
        assert_eq!(
            e.status.message,
            "field label not supported: metadata.namespace"
        );
        let e = s.validate_fields(true, &[]).unwrap_err();
        assert_eq!(e.status.message, "field label not supported: spec.project");
    }

    #[test]
    fn metadata_name_extraction() {
        assert_eq!(
            metadata_name_from_field_selector("metadata.name=a").as_deref(),
            Some("a")
        );
        assert_eq!(
            metadata_name_from_field_selector("metadata.namespace=x,metadata.name==b").as_deref(),
            Some("b")
        );
        assert_eq!(metadata_name_from_field_selector("metadata.name!=a"), None);
        assert_eq!(
            metadata_name_from_field_selector("metadata.name=a%2F"),
            None
        );
        assert_eq!(metadata_name_from_field_selector("metadata.name=.."), None);
        assert_eq!(metadata_name_from_field_selector("garbage"), None);
    }
}
