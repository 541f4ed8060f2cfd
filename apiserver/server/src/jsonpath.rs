//! The JSONPath dialect of client-go's `util/jsonpath`, as the CRD table convertor uses it for
//! printer columns: the column's path wrapped in `{...}`, evaluated with missing keys allowed.
//!
//! Supported: fields (`.a.b`, with `\.` escapes), `.*`, recursive descent `..`, array indexes and
//! slices (`[0]`, `[-1]`, `[1:3]`, `[::2]`, `[*]`), dict keys (`['a']`, which client-go re-parses
//! as a field path, so `['a.b']` means `.a.b`), unions (`[0,1]`), filters
//! (`[?(@.type=="Ready")]`, `[?(@.x)]`), quoted text and literals. `range`/`end` are parsed but
//! refused at evaluation.

use std::borrow::Cow;
use std::cmp::Ordering;

use serde_json::Value;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum JsonPathError {
    #[error("unclosed action")]
    UnclosedAction,
    #[error("unrecognized character in action: {0:?}")]
    UnrecognizedCharacter(char),
    #[error("unterminated array")]
    UnterminatedArray,
    #[error("unterminated filter")]
    UnterminatedFilter,
    #[error("unclosed array expect ]")]
    UnclosedFilter,
    #[error("unterminated quoted string")]
    UnterminatedQuote,
    #[error("invalid array index {0}")]
    InvalidArrayIndex(String),
    #[error("cannot parse number {0}")]
    InvalidNumber(String),
    #[error("invalid multiple recursive descent")]
    MultipleRecursive,
    #[error("unrecognized identifier {0}")]
    UnsupportedIdentifier(String),
    #[error("{0} is not array or slice")]
    NotArray(&'static str),
    #[error("array index out of bounds: index {index}, length {length}")]
    OutOfBounds { index: i64, length: i64 },
    #[error("starting index {0} is greater than ending index {1}")]
    BadSlice(i64, i64),
    #[error("step must be > 0")]
    BadStep,
    #[error("can only compare one element at a time")]
    CompareMany,
    #[error("incompatible types for comparison")]
    BadComparison,
    #[error("unrecognized filter operator {0}")]
    BadOperator(String),
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Param {
    value: i64,
    known: bool,
    derived: bool,
}

#[derive(Debug, Clone, PartialEq)]
enum Node {
    Text(String),
    List(Vec<Node>),
    Field(String),
    Wildcard,
    Recursive,
    Array([Param; 3]),
    Union(Vec<Vec<Node>>),
    Filter {
        left: Vec<Node>,
        right: Vec<Node>,
        op: String,
    },
    Int(i64),
    Float(f64),
    Bool(bool),
    Identifier(String),
}

/// A parsed template: text and `{...}` actions, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonPath {
    root: Vec<Node>,
}

struct Parser<'a> {
    input: &'a str,
    pos: usize,
    start: usize,
}

fn is_terminator(c: Option<char>) -> bool {
    match c {
        None => true,
        Some(c) => matches!(
            c,
            ' ' | '\t' | '\r' | '\n' | '.' | ',' | '[' | ']' | '$' | '@' | '{' | '}'
        ),
    }
}

impl<'a> Parser<'a> {
    fn rest(&self) -> &'a str {
        &self.input[self.pos..]
    }
    fn next(&mut self) -> Option<char> {
        let c = self.rest().chars().next()?;
        self.pos += c.len_utf8();
        Some(c)
    }
    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }
    fn backup(&mut self, c: Option<char>) {
        if let Some(c) = c {
            self.pos -= c.len_utf8();
        }
    }
    fn consume(&mut self) -> &'a str {
        let s = &self.input[self.start..self.pos];
        self.start = self.pos;
        s
    }

    fn parse_text(&mut self, root: &mut Vec<Node>) -> Result<(), JsonPathError> {
        loop {
            if self.rest().starts_with('{') {
                if self.pos > self.start {
                    root.push(Node::Text(self.consume().to_string()));
                }
                self.pos += 1;
                self.consume();
                let mut list = Vec::new();
                self.parse_inside_action(&mut list)?;
                root.push(Node::List(list));
                continue;
            }
            if self.next().is_none() {
                break;
            }
        }
        if self.pos > self.start {
            root.push(Node::Text(self.consume().to_string()));
        }
        Ok(())
    }

    /// Parses one action up to its closing `}` (consumed) into `cur`.
    fn parse_inside_action(&mut self, cur: &mut Vec<Node>) -> Result<(), JsonPathError> {
        loop {
            let rest = self.rest();
            if rest.starts_with('}') {
                self.pos += 1;
                self.consume();
                return Ok(());
            }
            if rest.starts_with("[?(") {
                self.parse_filter(cur)?;
                continue;
            }
            if rest.starts_with("..") {
                if matches!(cur.last(), Some(Node::Recursive)) {
                    return Err(JsonPathError::MultipleRecursive);
                }
                self.pos += 2;
                self.consume();
                cur.push(Node::Recursive);
                if self.peek().is_some_and(is_alphanumeric) {
                    self.parse_field(cur);
                }
                continue;
            }
            match self.next() {
                None | Some('\r') | Some('\n') => return Err(JsonPathError::UnclosedAction),
                Some(' ') | Some('@') | Some('$') => {
                    self.consume();
                }
                Some('[') => self.parse_array(cur)?,
                Some(q @ ('"' | '\'')) => self.parse_quote(cur, q)?,
                Some('.') => self.parse_field(cur),
                Some(c) if c == '+' || c == '-' || c.is_numeric() => {
                    self.backup(Some(c));
                    self.parse_number(cur)?;
                }
                Some(c) if is_alphanumeric(c) => {
                    self.backup(Some(c));
                    self.parse_identifier(cur);
                }
                Some(c) => return Err(JsonPathError::UnrecognizedCharacter(c)),
            }
        }
    }

    fn parse_identifier(&mut self, cur: &mut Vec<Node>) {
        loop {
            let c = self.next();
            if is_terminator(c) {
                self.backup(c);
                break;
            }
        }
        let v = self.consume();
        cur.push(match v {
            "true" => Node::Bool(true),
            "false" => Node::Bool(false),
            _ => Node::Identifier(v.to_string()),
        });
    }

    fn parse_number(&mut self, cur: &mut Vec<Node>) -> Result<(), JsonPathError> {
        if matches!(self.peek(), Some('+' | '-')) {
            self.next();
        }
        loop {
            let c = self.next();
            if !matches!(c, Some(c) if c == '.' || c.is_numeric()) {
                self.backup(c);
                break;
            }
        }
        let v = self.consume();
        if let Ok(i) = v.parse::<i64>() {
            cur.push(Node::Int(i));
        } else if let Ok(f) = v.parse::<f64>() {
            cur.push(Node::Float(f));
        } else {
            return Err(JsonPathError::InvalidNumber(v.to_string()));
        }
        Ok(())
    }

    fn parse_field(&mut self, cur: &mut Vec<Node>) {
        self.consume();
        loop {
            let c = self.next();
            if c == Some('\\') {
                self.next();
            } else if is_terminator(c) {
                self.backup(c);
                break;
            }
        }
        let v = self.consume();
        if v == "*" {
            cur.push(Node::Wildcard);
        } else {
            cur.push(Node::Field(v.replace('\\', "")));
        }
    }

    fn parse_quote(&mut self, cur: &mut Vec<Node>, end: char) -> Result<(), JsonPathError> {
        loop {
            match self.next() {
                None | Some('\n') => return Err(JsonPathError::UnterminatedQuote),
                Some(c) if c == end && self.input.as_bytes()[self.pos - 2] != b'\\' => break,
                _ => {}
            }
        }
        let v = self.consume();
        cur.push(Node::Text(unquote(v)));
        Ok(())
    }

    fn parse_array(&mut self, cur: &mut Vec<Node>) -> Result<(), JsonPathError> {
        loop {
            match self.next() {
                None | Some('\n') => return Err(JsonPathError::UnterminatedArray),
                Some(']') => break,
                _ => {}
            }
        }
        let text = self.consume();
        let mut text = &text[1..text.len() - 1];
        if text == "*" {
            text = ":";
        }
        let parts: Vec<&str> = text.split(',').collect();
        if parts.len() > 1 {
            let mut union = Vec::new();
            for p in parts {
                union.push(parse_action(&format!("[{}]", p.trim_matches(' ')))?);
            }
            cur.push(Node::Union(union));
            return Ok(());
        }
        if text.len() >= 2
            && text.starts_with('\'')
            && text.ends_with('\'')
            && !text[1..text.len() - 1].contains('\'')
        {
            // client-go re-parses a dict key as a field path.
            cur.extend(parse_action(&format!(".{}", &text[1..text.len() - 1]))?);
            return Ok(());
        }
        cur.push(Node::Array(parse_slice(text)?));
        Ok(())
    }

    fn parse_filter(&mut self, cur: &mut Vec<Node>) -> Result<(), JsonPathError> {
        self.pos += 3;
        self.consume();
        let (mut begin, mut end) = (false, false);
        let mut pair = '"';
        loop {
            match self.next() {
                None | Some('\n') => return Err(JsonPathError::UnterminatedFilter),
                Some(c @ ('"' | '\'')) => {
                    if !begin {
                        begin = true;
                        pair = c;
                        continue;
                    }
                    if self.input.as_bytes()[self.pos - 2] != b'\\' && c == pair {
                        end = true;
                    }
                }
                Some(')') if begin == end => break,
                _ => {}
            }
        }
        if self.next() != Some(']') {
            return Err(JsonPathError::UnclosedFilter);
        }
        let text = self.consume();
        let text = &text[..text.len() - 2];
        match split_comparison(text) {
            None => cur.push(Node::Filter {
                left: parse_action(text)?,
                right: Vec::new(),
                op: "exists".to_string(),
            }),
            Some((l, op, r)) => cur.push(Node::Filter {
                left: parse_action(l)?,
                right: parse_action(r)?,
                op: op.to_string(),
            }),
        }
        Ok(())
    }
}

fn is_alphanumeric(c: char) -> bool {
    c == '_' || c.is_alphabetic() || c.is_numeric()
}

/// `^([^!<>=]+)([!<>=]+)(.+?)$`
fn split_comparison(text: &str) -> Option<(&str, &str, &str)> {
    let is_op = |c: char| matches!(c, '!' | '<' | '>' | '=');
    let op_start = text.find(is_op)?;
    if op_start == 0 {
        return None;
    }
    let after = &text[op_start..];
    let op_len = after.find(|c: char| !is_op(c)).unwrap_or(after.len());
    let right = &after[op_len..];
    if right.is_empty() || right.contains('\n') || text[..op_start].contains('\n') {
        return None;
    }
    Some((&text[..op_start], &after[..op_len], right))
}

/// `^(-?[\d]*)(:-?[\d]*)?(:-?[\d]*)?$` and client-go's reading of it.
fn parse_slice(text: &str) -> Result<[Param; 3], JsonPathError> {
    let bad = || JsonPathError::InvalidArrayIndex(text.to_string());
    let parts: Vec<&str> = text.split(':').collect();
    if parts.len() > 3 {
        return Err(bad());
    }
    let valid = |s: &str| {
        let d = s.strip_prefix('-').unwrap_or(s);
        d.chars().all(|c| c.is_ascii_digit())
    };
    if !parts.iter().all(|p| valid(p)) {
        return Err(bad());
    }
    let mut params = [Param {
        value: 0,
        known: false,
        derived: false,
    }; 3];
    for i in 0..3 {
        match parts.get(i) {
            Some(s) if !(i == 0 && s.is_empty()) => {
                if i > 0 && s.is_empty() {
                    params[i].known = false;
                } else {
                    params[i].known = true;
                    params[i].value = s
                        .parse()
                        .map_err(|_| JsonPathError::InvalidArrayIndex(s.to_string()))?;
                }
            }
            _ => {
                if i == 1 {
                    params[1] = Param {
                        value: params[0].value + 1,
                        known: true,
                        derived: true,
                    };
                }
            }
        }
    }
    Ok(params)
}

/// `strconv.Unquote`, extended to single quotes (only the common escapes).
fn unquote(s: &str) -> String {
    let inner = &s[1..s.len() - 1];
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some(o) => out.push(o),
            None => {}
        }
    }
    out
}

/// Parses `text` as the inside of one action.
fn parse_action(text: &str) -> Result<Vec<Node>, JsonPathError> {
    let t = format!("{{{text}}}");
    let parsed = JsonPath::parse(&t)?;
    match parsed.root.into_iter().next() {
        Some(Node::List(l)) => Ok(l),
        _ => Ok(Vec::new()),
    }
}

type Values<'a> = Vec<Cow<'a, Value>>;

impl JsonPath {
    /// Parses a template such as `{.status.sync.status}`.
    pub fn parse(template: &str) -> Result<JsonPath, JsonPathError> {
        let mut p = Parser {
            input: template,
            pos: 0,
            start: 0,
        };
        let mut root = Vec::new();
        p.parse_text(&mut root)?;
        Ok(JsonPath { root })
    }

    /// A CRD printer column's path, as the convertor parses it: `{<path>}`.
    pub fn for_column(json_path: &str) -> Result<JsonPath, JsonPathError> {
        JsonPath::parse(&format!("{{{json_path}}}"))
    }

    /// `FindResults` with missing keys allowed: one result set per top-level node.
    pub fn find_results<'a>(&self, data: &'a Value) -> Result<Vec<Values<'a>>, JsonPathError> {
        let mut out = Vec::with_capacity(self.root.len());
        for node in &self.root {
            out.push(walk(vec![Cow::Borrowed(data)], node)?);
        }
        Ok(out)
    }

    /// The first value the first action finds (what a printer column shows), if any.
    pub fn first<'a>(&self, data: &'a Value) -> Option<Cow<'a, Value>> {
        let results = self.find_results(data).ok()?;
        results.into_iter().next()?.into_iter().next()
    }
}

fn eval_list<'a>(input: Values<'a>, nodes: &[Node]) -> Result<Values<'a>, JsonPathError> {
    let mut cur = input;
    for n in nodes {
        cur = walk(cur, n)?;
    }
    Ok(cur)
}

fn children(v: &Value) -> Vec<Cow<'_, Value>> {
    match v {
        Value::Object(m) => m.values().map(Cow::Borrowed).collect(),
        Value::Array(a) => a.iter().map(Cow::Borrowed).collect(),
        // Go indexes a string's bytes.
        Value::String(s) => s.bytes().map(|b| Cow::Owned(Value::from(b))).collect(),
        _ => Vec::new(),
    }
}

fn walk<'a>(input: Values<'a>, node: &Node) -> Result<Values<'a>, JsonPathError> {
    match node {
        Node::List(nodes) => eval_list(input, nodes),
        Node::Text(t) => Ok(vec![Cow::Owned(Value::String(t.clone()))]),
        Node::Int(i) => Ok(input.iter().map(|_| Cow::Owned(Value::from(*i))).collect()),
        Node::Float(f) => Ok(input.iter().map(|_| Cow::Owned(Value::from(*f))).collect()),
        Node::Bool(b) => Ok(input.iter().map(|_| Cow::Owned(Value::Bool(*b))).collect()),
        Node::Identifier(name) => Err(JsonPathError::UnsupportedIdentifier(name.clone())),
        Node::Field(name) => {
            let mut out = Vec::new();
            for v in input {
                match v {
                    Cow::Borrowed(Value::Object(m)) => {
                        if let Some(x) = m.get(name) {
                            out.push(Cow::Borrowed(x));
                        }
                    }
                    Cow::Owned(Value::Object(m)) => {
                        if let Some(x) = m.get(name) {
                            out.push(Cow::Owned(x.clone()));
                        }
                    }
                    _ => {}
                }
            }
            Ok(out)
        }
        Node::Wildcard => {
            let mut out = Vec::new();
            for v in input {
                match v {
                    Cow::Borrowed(b) => out.extend(children(b)),
                    Cow::Owned(o) => {
                        out.extend(children(&o).into_iter().map(|c| Cow::Owned(c.into_owned())))
                    }
                }
            }
            Ok(out)
        }
        Node::Recursive => {
            let mut out = Vec::new();
            recursive(input, &mut out);
            Ok(out)
        }
        Node::Array(params) => {
            let mut out = Vec::new();
            for v in input {
                if v.is_null() {
                    continue;
                }
                let len = match &*v {
                    Value::Array(a) => a.len() as i64,
                    Value::Object(_) => {
                        return Err(JsonPathError::NotArray("map[string]interface {}"));
                    }
                    Value::String(_) => return Err(JsonPathError::NotArray("string")),
                    Value::Bool(_) => return Err(JsonPathError::NotArray("bool")),
                    _ => return Err(JsonPathError::NotArray("number")),
                };
                let (start, end) = slice_bounds(params, len)?;
                let Some((start, end)) = start.zip(end) else {
                    return Ok(out);
                };
                let step = if params[2].known {
                    if params[2].value <= 0 {
                        return Err(JsonPathError::BadStep);
                    }
                    params[2].value as usize
                } else {
                    1
                };
                for i in (start..end).step_by(step) {
                    out.push(match &v {
                        Cow::Borrowed(Value::Array(a)) => Cow::Borrowed(&a[i]),
                        Cow::Owned(Value::Array(a)) => Cow::Owned(a[i].clone()),
                        _ => continue,
                    });
                }
            }
            Ok(out)
        }
        Node::Union(lists) => {
            let mut out = Vec::new();
            for l in lists {
                out.extend(eval_list(input.clone(), l)?);
            }
            Ok(out)
        }
        Node::Filter { left, right, op } => {
            let mut out = Vec::new();
            for v in input {
                let items: Values<'a> = match v {
                    Cow::Borrowed(Value::Array(a)) => a.iter().map(Cow::Borrowed).collect(),
                    Cow::Owned(Value::Array(a)) => a.into_iter().map(Cow::Owned).collect(),
                    _ => return Err(JsonPathError::NotArray("value")),
                };
                for item in items {
                    let lefts = eval_list(vec![item.clone()], left);
                    if op == "exists" {
                        if lefts.is_ok_and(|l| !l.is_empty()) {
                            out.push(item);
                        }
                        continue;
                    }
                    let lefts = lefts?;
                    let l = match lefts.len() {
                        0 => continue,
                        1 => lefts.into_iter().next(),
                        _ => return Err(JsonPathError::CompareMany),
                    };
                    let rights = eval_list(vec![item.clone()], right)?;
                    let r = match rights.len() {
                        0 => continue,
                        1 => rights.into_iter().next(),
                        _ => return Err(JsonPathError::CompareMany),
                    };
                    let (Some(l), Some(r)) = (l, r) else { continue };
                    if compare(&l, &r, op)? {
                        out.push(item);
                    }
                }
            }
            Ok(out)
        }
    }
}

/// Go's slice parameter handling; `None` bounds mean "zero elements requested".
fn slice_bounds(
    params: &[Param; 3],
    len: i64,
) -> Result<(Option<usize>, Option<usize>), JsonPathError> {
    let mut p0 = if params[0].known { params[0].value } else { 0 };
    if p0 < 0 {
        p0 += len;
    }
    let mut p1 = if params[1].known {
        params[1].value
    } else {
        len
    };
    if p1 < 0 || (p1 == 0 && params[1].derived) {
        p1 += len;
    }
    if p1 == p0 {
        return Ok((None, None));
    }
    if p0 >= len || p0 < 0 {
        return Err(JsonPathError::OutOfBounds {
            index: p0,
            length: len,
        });
    }
    if p1 > len || p1 < 0 {
        return Err(JsonPathError::OutOfBounds {
            index: p1 - 1,
            length: len,
        });
    }
    if p0 > p1 {
        return Err(JsonPathError::BadSlice(p0, p1));
    }
    Ok((Some(p0 as usize), Some(p1 as usize)))
}

fn recursive<'a>(input: Values<'a>, out: &mut Values<'a>) {
    for v in input {
        if v.is_null() {
            continue;
        }
        let kids: Values<'a> = match &v {
            Cow::Borrowed(b) => children(b),
            Cow::Owned(o) => children(o)
                .into_iter()
                .map(|c| Cow::Owned(c.into_owned()))
                .collect(),
        };
        if !kids.is_empty() {
            out.push(v);
            recursive(kids, out);
        }
    }
}

/// The forked text/template comparisons: same basic kinds only (ints with ints, floats with
/// floats, strings, and bools for equality).
fn compare(l: &Value, r: &Value, op: &str) -> Result<bool, JsonPathError> {
    let ord = match (l, r) {
        (Value::Number(a), Value::Number(b)) => match (a.as_i64(), b.as_i64()) {
            (Some(x), Some(y)) => x.cmp(&y),
            (None, None) => {
                let (x, y) = (a.as_f64().unwrap_or(0.0), b.as_f64().unwrap_or(0.0));
                x.partial_cmp(&y).ok_or(JsonPathError::BadComparison)?
            }
            _ => return Err(JsonPathError::BadComparison),
        },
        (Value::String(a), Value::String(b)) => a.cmp(b),
        (Value::Bool(a), Value::Bool(b)) => {
            return match op {
                "==" => Ok(a == b),
                "!=" => Ok(a != b),
                "<" | ">" | "<=" | ">=" => Err(JsonPathError::BadComparison),
                _ => Err(JsonPathError::BadOperator(op.to_string())),
            };
        }
        _ => return Err(JsonPathError::BadComparison),
    };
    match op {
        "==" => Ok(ord == Ordering::Equal),
        "!=" => Ok(ord != Ordering::Equal),
        "<" => Ok(ord == Ordering::Less),
        ">" => Ok(ord == Ordering::Greater),
        "<=" => Ok(ord != Ordering::Greater),
        ">=" => Ok(ord != Ordering::Less),
        _ => Err(JsonPathError::BadOperator(op.to_string())),
    }
}

/// How `PrintResults` writes one value: maps and arrays as Go's `json.Marshal` (sorted keys,
/// HTML-safe escapes), strings as they are, numbers as Go's `%v`, null as `<no value>`.
pub fn print_value(v: &Value) -> String {
    match v {
        Value::Null => "<no value>".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::String(s) => s.clone(),
        Value::Number(n) => go_number_v(n),
        Value::Array(_) | Value::Object(_) => {
            let mut out = String::new();
            go_json(v, &mut out);
            out
        }
    }
}

/// Go's `%v` of a decoded JSON number: int64 as decimal, float64 as `%g` with the shortest
/// representation (exponent form below 1e-4 and from 1e6 on, as `fmt.Println(1e6)` shows).
fn go_number_v(n: &serde_json::Number) -> String {
    if let Some(i) = n.as_i64() {
        return i.to_string();
    }
    go_float(n.as_f64().unwrap_or(0.0), -4, 6, true)
}

/// Shortest-representation float formatting, using exponent form when the decimal exponent is
/// `< lo` or `>= hi`. `fmt_g` picks `%g`'s exponent spelling (`e+06`) over JSON's (`e+6`).
fn go_float(f: f64, lo: i32, hi: i32, fmt_g: bool) -> String {
    if f == 0.0 {
        return "0".to_string();
    }
    if !f.is_finite() {
        return if f.is_nan() {
            "NaN".into()
        } else if f > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    // `{:e}` is Rust's shortest round-trip digits: "1.2345e6", "-5e-7".
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let neg = mantissa.starts_with('-');
    let digits: String = mantissa.chars().filter(|c| c.is_ascii_digit()).collect();
    let sign = if neg { "-" } else { "" };
    if exp < lo || exp >= hi {
        let (first, rest) = digits.split_at(1);
        let frac = if rest.is_empty() {
            String::new()
        } else {
            format!(".{rest}")
        };
        let esign = if exp < 0 { '-' } else { '+' };
        let e = exp.abs();
        if fmt_g {
            format!("{sign}{first}{frac}e{esign}{e:02}")
        } else {
            format!("{sign}{first}{frac}e{esign}{e}")
        }
    } else if exp < 0 {
        format!("{sign}0.{}{digits}", "0".repeat((-exp - 1) as usize))
    } else {
        let int_len = exp as usize + 1;
        if digits.len() <= int_len {
            format!("{sign}{digits}{}", "0".repeat(int_len - digits.len()))
        } else {
            format!("{sign}{}.{}", &digits[..int_len], &digits[int_len..])
        }
    }
}

/// Go's `json.Marshal` of a decoded JSON value.
fn go_json(v: &Value, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => match n.as_i64() {
            Some(i) => out.push_str(&i.to_string()),
            None => out.push_str(&go_float(n.as_f64().unwrap_or(0.0), -6, 21, false)),
        },
        Value::String(s) => go_json_string(s, out),
        Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                go_json(x, out);
            }
            out.push(']');
        }
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                go_json_string(k, out);
                out.push(':');
                if let Some(x) = m.get(k) {
                    go_json(x, out);
                }
            }
            out.push('}');
        }
    }
}

fn go_json_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn first(path: &str, data: &Value) -> Option<Value> {
        JsonPath::for_column(path)
            .unwrap()
            .first(data)
            .map(Cow::into_owned)
    }

    fn all(path: &str, data: &Value) -> Vec<Value> {
        let p = JsonPath::for_column(path).unwrap();
        p.find_results(data)
            .unwrap()
            .into_iter()
            .flatten()
            .map(Cow::into_owned)
            .collect()
    }

    #[test]
    fn fields_and_missing_keys() {
        let d = json!({"status": {"sync": {"status": "Synced"}, "n": null}});
        assert_eq!(first(".status.sync.status", &d), Some(json!("Synced")));
        assert_eq!(first(".status.health.status", &d), None);
        assert_eq!(first(".status.sync.status.deeper", &d), None);
        // A present null is a result (the column then prints `<no value>`).
        assert_eq!(first(".status.n", &d), Some(Value::Null));
        assert_eq!(first("$.status.sync.status", &d), Some(json!("Synced")));
    }

    #[test]
    fn indexes_slices_and_wildcards() {
        let d = json!({"a": [{"b": 1}, {"b": 2}, {"b": 3}]});
        assert_eq!(first(".a[0].b", &d), Some(json!(1)));
        assert_eq!(first(".a[-1].b", &d), Some(json!(3)));
        assert_eq!(all(".a[*].b", &d), vec![json!(1), json!(2), json!(3)]);
        assert_eq!(all(".a[1:].b", &d), vec![json!(2), json!(3)]);
        assert_eq!(all(".a[::2].b", &d), vec![json!(1), json!(3)]);
        assert_eq!(all(".a[0,2].b", &d), vec![json!(1), json!(3)]);
        assert_eq!(
            all(".a.*.b", &json!({"a": {"x": {"b": 5}}})),
            vec![json!(5)]
        );
        // Out of range is an error, which a column shows as null.
        assert!(
            JsonPath::for_column(".a[5]")
                .unwrap()
                .find_results(&d)
                .is_err()
        );
        assert_eq!(first(".a[5].b", &d), None);
        assert!(
            JsonPath::for_column(".a[0].b[0]")
                .unwrap()
                .find_results(&d)
                .is_err()
        );
        assert_eq!(all("..b", &d), vec![json!(1), json!(2), json!(3)]);
    }

    #[test]
    fn dict_keys_and_escapes() {
        let d =
            json!({"metadata": {"labels": {"app.kubernetes.io/name": "guestbook", "plain": "p"}}});
        assert_eq!(first(".metadata.labels['plain']", &d), Some(json!("p")));
        assert_eq!(
            first(".metadata.labels.app\\.kubernetes\\.io/name", &d),
            Some(json!("guestbook"))
        );
        // client-go re-parses a dict key as a path, so dots in it are separators.
        assert_eq!(
            first(".metadata.labels['app.kubernetes.io/name']", &d),
            None
        );
    }

    #[test]
    fn filters() {
        let d = json!({"status": {"conditions": [
            {"type": "Progressing", "status": "True"},
            {"type": "Ready", "status": "False", "n": 3},
        ]}});
        assert_eq!(
            first(".status.conditions[?(@.type==\"Ready\")].status", &d),
            Some(json!("False"))
        );
        assert_eq!(
            first(".status.conditions[?(@.type=='Progressing')].status", &d),
            Some(json!("True"))
        );
        assert_eq!(
            first(".status.conditions[?(@.n)].type", &d),
            Some(json!("Ready"))
        );
        assert_eq!(
            first(".status.conditions[?(@.n>2)].type", &d),
            Some(json!("Ready"))
        );
        assert_eq!(
            first(".status.conditions[?(@.type!=\"Ready\")].type", &d),
            Some(json!("Progressing"))
        );
    }

    #[test]
    fn parse_errors() {
        assert_eq!(
            JsonPath::for_column(".a[").unwrap_err(),
            JsonPathError::UnterminatedArray
        );
        assert_eq!(
            JsonPath::for_column(".a[x]").unwrap_err(),
            JsonPathError::InvalidArrayIndex("x".into())
        );
        assert_eq!(
            JsonPath::parse("{.a").unwrap_err(),
            JsonPathError::UnclosedAction
        );
        assert!(JsonPath::for_column(".a#").is_ok_and(|p| p.first(&json!({"a#": 1})).is_some()));
        assert_eq!(
            JsonPath::for_column("%").unwrap_err(),
            JsonPathError::UnrecognizedCharacter('%')
        );
    }

    #[test]
    fn printing_follows_go() {
        assert_eq!(print_value(&json!("x<y")), "x<y");
        assert_eq!(print_value(&json!(3)), "3");
        assert_eq!(print_value(&json!(1.5)), "1.5");
        assert_eq!(print_value(&json!(1000000.0)), "1e+06");
        assert_eq!(print_value(&json!(123456.0)), "123456");
        assert_eq!(print_value(&json!(0.0001)), "0.0001");
        assert_eq!(print_value(&json!(0.00001)), "1e-05");
        assert_eq!(print_value(&json!(true)), "true");
        assert_eq!(print_value(&Value::Null), "<no value>");
        assert_eq!(
            print_value(&json!({"b": [1, 2.0], "a": "<&>"})),
            r#"{"a":"\u003c\u0026\u003e","b":[1,2]}"#
        );
    }
}
