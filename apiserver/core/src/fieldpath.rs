//! Field paths and sets of them, as structured-merge-diff's `fieldpath` package, and their
//! `FieldsV1` encoding (the `fieldsV1` of a managedFields entry).

use std::cmp::Ordering;
use std::fmt;

use serde_json::{Map, Value};

/// One step into a value: a struct field or map key (`f:`), a list-map item by its key fields
/// (`k:`), a set item by its value (`v:`), or a list index (`i:`, only ever decoded: our lists
/// are atomic unless they declare keys or set semantics).
#[derive(Clone, Debug)]
pub enum PathElement {
    Field(String),
    /// Key fields, sorted by name.
    Key(Vec<(String, Value)>),
    Value(Value),
    Index(usize),
}

impl PathElement {
    pub fn field(name: &str) -> PathElement {
        PathElement::Field(name.to_string())
    }

    fn rank(&self) -> u8 {
        match self {
            PathElement::Field(_) => 0,
            PathElement::Key(_) => 1,
            PathElement::Value(_) => 2,
            PathElement::Index(_) => 3,
        }
    }

    /// The FieldsV1 object key of this element (`f:name`, `k:{"name":"web"}`, `v:"x"`, `i:0`).
    pub fn encode(&self) -> String {
        match self {
            PathElement::Field(name) => format!("f:{name}"),
            PathElement::Key(fields) => {
                let mut s = String::from("k:{");
                for (i, (name, value)) in fields.iter().enumerate() {
                    if i > 0 {
                        s.push(',');
                    }
                    s.push_str(&Value::String(name.clone()).to_string());
                    s.push(':');
                    s.push_str(&value.to_string());
                }
                s.push('}');
                s
            }
            PathElement::Value(v) => format!("v:{v}"),
            PathElement::Index(i) => format!("i:{i}"),
        }
    }

    /// Parses a FieldsV1 object key.
    pub fn decode(s: &str) -> Result<PathElement, String> {
        let Some((kind, rest)) = s.split_at_checked(2) else {
            return Err("key must be 2 characters long:".into());
        };
        if !kind.ends_with(':') {
            return Err(format!("missing colon: {s}"));
        }
        match &kind[..1] {
            "f" => Ok(PathElement::Field(rest.to_string())),
            "v" => serde_json::from_str(rest)
                .map(PathElement::Value)
                .map_err(|e| e.to_string()),
            "k" => {
                let map: Map<String, Value> =
                    serde_json::from_str(rest).map_err(|e| e.to_string())?;
                // serde_json's map is sorted by name already.
                Ok(PathElement::Key(map.into_iter().collect()))
            }
            "i" => rest
                .parse()
                .map(PathElement::Index)
                .map_err(|e| format!("{e}")),
            _ => Err("unknown path element type".into()),
        }
    }
}

/// SMD's total order over values: numbers (ints and floats compared numerically), strings,
/// booleans, lists, maps, null.
pub fn compare_values(a: &Value, b: &Value) -> Ordering {
    fn rank(v: &Value) -> u8 {
        match v {
            Value::Number(_) => 0,
            Value::String(_) => 1,
            Value::Bool(_) => 2,
            Value::Array(_) => 3,
            Value::Object(_) => 4,
            Value::Null => 5,
        }
    }
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            if let (Some(x), Some(y)) = (x.as_i64(), y.as_i64()) {
                x.cmp(&y)
            } else if let (Some(x), Some(y)) = (x.as_u64(), y.as_u64()) {
                x.cmp(&y)
            } else {
                let (x, y) = (x.as_f64().unwrap_or(0.0), y.as_f64().unwrap_or(0.0));
                x.partial_cmp(&y).unwrap_or(Ordering::Equal)
            }
        }
        (Value::String(x), Value::String(y)) => x.cmp(y),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::Array(x), Value::Array(y)) => {
            for (a, b) in x.iter().zip(y) {
                let c = compare_values(a, b);
                if c != Ordering::Equal {
                    return c;
                }
            }
            x.len().cmp(&y.len())
        }
        (Value::Object(x), Value::Object(y)) => {
            for ((ka, va), (kb, vb)) in x.iter().zip(y) {
                let c = ka.cmp(kb).then_with(|| compare_values(va, vb));
                if c != Ordering::Equal {
                    return c;
                }
            }
            x.len().cmp(&y.len())
        }
        (Value::Null, Value::Null) => Ordering::Equal,
        _ => rank(a).cmp(&rank(b)),
    }
}

impl Ord for PathElement {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (PathElement::Field(a), PathElement::Field(b)) => a.cmp(b),
            (PathElement::Key(a), PathElement::Key(b)) => {
                for ((na, va), (nb, vb)) in a.iter().zip(b) {
                    let c = na.cmp(nb).then_with(|| compare_values(va, vb));
                    if c != Ordering::Equal {
                        return c;
                    }
                }
                a.len().cmp(&b.len())
            }
            (PathElement::Value(a), PathElement::Value(b)) => compare_values(a, b),
            (PathElement::Index(a), PathElement::Index(b)) => a.cmp(b),
            _ => self.rank().cmp(&other.rank()),
        }
    }
}

impl PartialOrd for PathElement {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for PathElement {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for PathElement {}

/// SMD's `value.ToString`: strings quoted Go-style, numbers and booleans bare.
fn value_to_string(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::String(s) => go_quote(s),
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().map(value_to_string).collect();
            format!("[{}]", parts.join(","))
        }
        Value::Object(m) => m
            .iter()
            .map(|(k, v)| format!("{k}={}", value_to_string(v)))
            .collect(),
        other => other.to_string(),
    }
}

/// Go's `%q` for the strings that appear in keys (printable text; escapes as JSON does).
fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// SMD's `PathElement.String()`: `.name`, `[name="web",port=80]`, `[="x"]`, `[0]`.
impl fmt::Display for PathElement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PathElement::Field(name) => write!(f, ".{name}"),
            PathElement::Key(fields) => {
                f.write_str("[")?;
                for (i, (name, value)) in fields.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write!(f, "{name}={}", value_to_string(value))?;
                }
                f.write_str("]")
            }
            PathElement::Value(v) => write!(f, "[={}]", value_to_string(v)),
            PathElement::Index(i) => write!(f, "[{i}]"),
        }
    }
}

/// A path as SMD prints it (`.spec.containers[name="web"].image`).
pub fn path_string(path: &[PathElement]) -> String {
    path.iter().map(|pe| pe.to_string()).collect()
}

/// A set of field paths as a trie: `members` are paths ending here, `children` continue. Both
/// are kept sorted, and no child is empty.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Set {
    members: Vec<PathElement>,
    children: Vec<(PathElement, Set)>,
}

impl Set {
    pub fn new() -> Set {
        Set::default()
    }

    pub fn is_empty(&self) -> bool {
        self.members.is_empty() && self.children.is_empty()
    }

    /// Adds a path (an empty path is ignored).
    pub fn insert(&mut self, path: &[PathElement]) {
        let Some((first, rest)) = path.split_first() else {
            return;
        };
        if rest.is_empty() {
            self.insert_member(first.clone());
        } else {
            self.child_mut(first).insert(rest);
        }
    }

    /// The paths that end here, sorted.
    pub fn members(&self) -> &[PathElement] {
        &self.members
    }

    /// The sets below, by their first element, sorted.
    pub fn children(&self) -> &[(PathElement, Set)] {
        &self.children
    }

    /// Adds the one-element path `pe`.
    pub fn insert_member(&mut self, pe: PathElement) {
        if let Err(i) = self.members.binary_search(&pe) {
            self.members.insert(i, pe);
        }
    }

    /// The child set under `pe`, created if absent (the caller must not leave it empty).
    pub fn child_mut(&mut self, pe: &PathElement) -> &mut Set {
        let i = match self.children.binary_search_by(|(p, _)| p.cmp(pe)) {
            Ok(i) => i,
            Err(i) => {
                self.children.insert(i, (pe.clone(), Set::default()));
                i
            }
        };
        &mut self.children[i].1
    }

    pub fn has_member(&self, pe: &PathElement) -> bool {
        self.members.binary_search(pe).is_ok()
    }

    /// The paths under `pe` (SMD's `WithPrefix`).
    pub fn child(&self, pe: &PathElement) -> Option<&Set> {
        self.children
            .binary_search_by(|(p, _)| p.cmp(pe))
            .ok()
            .map(|i| &self.children[i].1)
    }

    pub fn has(&self, path: &[PathElement]) -> bool {
        match path.split_first() {
            None => false,
            Some((first, [])) => self.has_member(first),
            Some((first, rest)) => self.child(first).is_some_and(|c| c.has(rest)),
        }
    }

    pub fn union(&self, other: &Set) -> Set {
        self.combine(other, SetOp::Union)
    }

    pub fn difference(&self, other: &Set) -> Set {
        self.combine(other, SetOp::Difference)
    }

    pub fn intersection(&self, other: &Set) -> Set {
        self.combine(other, SetOp::Intersection)
    }

    /// One walk for the three set operations: both levels are sorted, so members and children
    /// merge in one pass each; children on both sides combine recursively, and an empty result
    /// is dropped (a set never holds an empty child).
    fn combine(&self, other: &Set, op: SetOp) -> Set {
        let mut members = Vec::new();
        merge_sorted(
            &self.members,
            &other.members,
            |a, b| a.cmp(b),
            |x| {
                if let Some(pe) = op.pick(x) {
                    members.push(pe.clone());
                }
            },
        );
        let mut children = Vec::new();
        merge_sorted(
            &self.children,
            &other.children,
            |a, b| a.0.cmp(&b.0),
            |x| match x {
                Side::Both(a, b) => {
                    let c = a.1.combine(&b.1, op);
                    if !c.is_empty() {
                        children.push((a.0.clone(), c));
                    }
                }
                one_side => children.extend(op.pick(one_side).cloned()),
            },
        );
        Set { members, children }
    }

    /// Every member path, in order (SMD's `Iterate`).
    pub fn paths(&self) -> Vec<Vec<PathElement>> {
        let mut out = Vec::new();
        let mut prefix = Vec::new();
        self.collect_paths(&mut prefix, &mut out);
        out
    }

    fn collect_paths(&self, prefix: &mut Vec<PathElement>, out: &mut Vec<Vec<PathElement>>) {
        let (mut mi, mut ci) = (0, 0);
        while mi < self.members.len() || ci < self.children.len() {
            let take_member = match (self.members.get(mi), self.children.get(ci)) {
                (Some(m), Some((c, _))) => m <= c,
                (Some(_), None) => true,
                _ => false,
            };
            if take_member {
                let m = &self.members[mi];
                prefix.push(m.clone());
                out.push(prefix.clone());
                prefix.pop();
                mi += 1;
            } else {
                let (pe, child) = &self.children[ci];
                prefix.push(pe.clone());
                child.collect_paths(prefix, out);
                prefix.pop();
                ci += 1;
            }
        }
    }

    /// The FieldsV1 form: `{"f:spec":{"f:x":{}},"k:{...}":{".":{},...}}`.
    pub fn to_fields_v1(&self) -> Value {
        Value::Object(self.emit(false))
    }

    fn emit(&self, include_self: bool) -> Map<String, Value> {
        let mut out = Map::new();
        if include_self {
            out.insert(".".into(), Value::Object(Map::new()));
        }
        for m in &self.members {
            out.entry(m.encode())
                .or_insert_with(|| Value::Object(Map::new()));
        }
        for (pe, child) in &self.children {
            let include = self.has_member(pe);
            out.insert(pe.encode(), Value::Object(child.emit(include)));
        }
        out
    }

    /// Parses FieldsV1 (SMD's `FromJSON`).
    pub fn from_fields_v1(v: &Value) -> Result<Set, String> {
        let Value::Object(map) = v else {
            return Err("expecting an object".into());
        };
        let (set, _) = Set::read(map)?;
        Ok(set)
    }

    /// Returns the set and whether `.` was present.
    fn read(map: &Map<String, Value>) -> Result<(Set, bool), String> {
        let mut set = Set::default();
        let mut is_member = false;
        for (k, v) in map {
            if k == "." {
                is_member = true;
                continue;
            }
            let pe =
                PathElement::decode(k).map_err(|e| format!("parsing key as path element: {e}"))?;
            let Value::Object(inner) = v else {
                return Err("expecting an object".into());
            };
            if inner.is_empty() {
                set.insert_member(pe);
                continue;
            }
            let (child, member) = Set::read(inner)?;
            if member {
                set.insert_member(pe.clone());
            }
            if !child.is_empty() {
                *set.child_mut(&pe) = child.union(set.child(&pe).unwrap_or(&Set::default()));
            }
        }
        Ok((set, is_member))
    }
}

pub(crate) enum Side<'a, T> {
    Left(&'a T),
    Right(&'a T),
    Both(&'a T, &'a T),
}

#[derive(Clone, Copy)]
enum SetOp {
    Union,
    Difference,
    Intersection,
}

impl SetOp {
    /// The element a merge step keeps: left only in a union or difference, right only in a
    /// union, both (the left copy) in a union or intersection.
    fn pick<'a, T>(self, x: Side<'a, T>) -> Option<&'a T> {
        match (self, x) {
            (SetOp::Union | SetOp::Difference, Side::Left(a)) => Some(a),
            (SetOp::Union, Side::Right(b)) => Some(b),
            (SetOp::Union | SetOp::Intersection, Side::Both(a, _)) => Some(a),
            _ => None,
        }
    }
}

pub(crate) fn merge_sorted<'a, T>(
    a: &'a [T],
    b: &'a [T],
    cmp: impl Fn(&T, &T) -> Ordering,
    mut f: impl FnMut(Side<'a, T>),
) {
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match cmp(&a[i], &b[j]) {
            Ordering::Less => {
                f(Side::Left(&a[i]));
                i += 1;
            }
            Ordering::Greater => {
                f(Side::Right(&b[j]));
                j += 1;
            }
            Ordering::Equal => {
                f(Side::Both(&a[i], &b[j]));
                i += 1;
                j += 1;
            }
        }
    }
    a[i..].iter().for_each(|x| f(Side::Left(x)));
    b[j..].iter().for_each(|x| f(Side::Right(x)));
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn f(n: &str) -> PathElement {
        PathElement::field(n)
    }

    #[test]
    fn fields_v1_round_trip_as_kube_prints_it() {
        let text = r#"{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"web\"}":{".":{},"f:image":{}}},"f:finalizers":{"v:\"a\"":{}}}}"#;
        let v: Value = serde_json::from_str(text).unwrap();
        let set = Set::from_fields_v1(&v).unwrap();
        let key = PathElement::Key(vec![("name".into(), json!("web"))]);
        assert!(set.has(&[f("metadata"), f("labels"), f("app")]));
        assert!(set.has(&[f("spec"), f("containers"), key.clone()]));
        assert!(set.has(&[f("spec"), f("containers"), key, f("image")]));
        assert!(!set.has(&[f("spec"), f("containers")]));
        assert!(!set.has(&[f("metadata")]));
        assert_eq!(serde_json::to_string(&set.to_fields_v1()).unwrap(), text);
    }

    #[test]
    fn path_strings_as_smd_prints_them() {
        let key = PathElement::Key(vec![
            ("name".into(), json!("web")),
            ("port".into(), json!(80)),
        ]);
        let p = [f("spec"), f("containers"), key, f("image")];
        assert_eq!(
            path_string(&p),
            r#".spec.containers[name="web",port=80].image"#
        );
        assert_eq!(PathElement::Value(json!("x")).to_string(), r#"[="x"]"#);
        assert_eq!(
            PathElement::Key(vec![("name".into(), json!("web"))]).encode(),
            r#"k:{"name":"web"}"#
        );
    }

    #[test]
    fn set_algebra() {
        let mut a = Set::new();
        a.insert(&[f("spec"), f("a")]);
        a.insert(&[f("spec"), f("b")]);
        let mut b = Set::new();
        b.insert(&[f("spec"), f("b")]);
        b.insert(&[f("status")]);
        let d = a.difference(&b);
        assert_eq!(d.paths(), vec![vec![f("spec"), f("a")]]);
        let i = a.intersection(&b);
        assert_eq!(i.paths(), vec![vec![f("spec"), f("b")]]);
        let u = a.union(&b);
        assert_eq!(u.paths().len(), 3);
        assert!(a.difference(&a).is_empty());
    }

    #[test]
    fn numeric_keys_compare_numerically() {
        let k = |n: i64| PathElement::Key(vec![("port".into(), json!(n))]);
        assert!(k(9) < k(10));
        assert!(PathElement::field("z") < k(1));
        assert!(PathElement::Value(json!(1.5)) < PathElement::Value(json!(2)));
    }

    #[test]
    fn decode_rejects_garbage() {
        assert!(Set::from_fields_v1(&json!({"x:y": {}})).is_err());
        assert!(Set::from_fields_v1(&json!({"f:a": 1})).is_err());
        assert!(Set::from_fields_v1(&json!([])).is_err());
    }
}
