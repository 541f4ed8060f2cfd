//! The three pattern engines Argo CD uses in AppProjects, each reproduced with its quirks:
//!
//! - [`glob_match`]: `github.com/gobwas/glob` as wrapped by Argo CD's `util/glob` (source repos,
//!   destinations, sync-window selectors, RBAC). `*` stops at separators, `**` does not.
//! - [`filepath_match`]: Go's `path/filepath.Match` (group/kind/name in resource white and black
//!   lists). No `**`, no `{a,b}`.
//! - [`match_string_in_list`]: Argo CD's `util/glob` list matching in REGEXP mode
//!   (`sourceNamespaces`): `/.../` entries are unanchored regexps, everything else a glob.
//!
//! Patterns come from user objects and are matched on every admission request, so compiled
//! patterns are cached; the caches are bounded so that hostile patterns cannot grow memory
//! without limit.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use regex::Regex;

/// Upper bound on cached compiled patterns (upstream uses an LRU of 10,000 globs).
const CACHE_CAPACITY: usize = 10_000;

/// Characters that make a gobwas pattern more than a literal string. `]`, `}` and `,` are
/// literals outside a range or alternation, so a pattern without these is matched by equality.
const GLOB_SPECIALS: &[char] = &['*', '?', '[', '{', '\\', '\0', '\u{FFFD}'];

/// A compiled gobwas glob; `None` when the pattern does not compile (it then matches nothing).
type CompiledGlob = Option<Arc<Regex>>;

/// Compiled globs keyed by separator set, then pattern, so that a cache hit allocates nothing.
type GlobCache = HashMap<Vec<char>, HashMap<String, CompiledGlob>>;

fn glob_cache() -> &'static Mutex<(usize, GlobCache)> {
    static CACHE: OnceLock<Mutex<(usize, GlobCache)>> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new((0, HashMap::new())))
}

/// Matches `value` against the gobwas/glob `pattern` compiled with `separators`.
///
/// `*` matches any run of non-separator characters, `**` any run at all, `?` one non-separator
/// character, `[abc]`/`[!abc]`/`[a-z]`/`[!a-z]` one character (separators included), `{a,b}`
/// alternatives, `\` escapes. A pattern that fails to compile (`[a-zA-Z]`, `[]`, `[z-a]`, an
/// unterminated range) matches nothing, as upstream logs and returns false. An empty pattern
/// matches only the empty string.
pub fn glob_match(pattern: &str, value: &str, separators: &[char]) -> bool {
    match compile(pattern, separators) {
        None => pattern == value,
        Some(Some(re)) => re.is_match(value),
        Some(None) => false,
    }
}

/// `None` for a literal pattern (matched by equality), else the compiled glob (itself `None`
/// when the pattern does not compile). The one place that decides how a pattern matches, for
/// [`glob_match`] and [`Glob`].
fn compile(pattern: &str, separators: &[char]) -> Option<CompiledGlob> {
    if !pattern.contains(GLOB_SPECIALS) {
        return None;
    }
    Some(compiled_glob(pattern, separators))
}

/// A gobwas glob compiled once, for patterns matched many times (the admission index compiles
/// project patterns when a project is indexed). Matches exactly as [`glob_match`], which is
/// `Glob::new(pattern, separators).is_match(value)`.
#[derive(Clone, Debug)]
pub enum Glob {
    /// A pattern without special characters: matched by equality (as in [`glob_match`]).
    Literal(String),
    /// A compiled pattern.
    Pattern(Arc<Regex>),
    /// A pattern that does not compile: matches nothing.
    Never,
}

impl Glob {
    /// Compiles `pattern` with `separators` (through the bounded cache of compiled patterns).
    pub fn new(pattern: &str, separators: &[char]) -> Glob {
        match compile(pattern, separators) {
            None => Glob::Literal(pattern.to_string()),
            Some(Some(re)) => Glob::Pattern(re),
            Some(None) => Glob::Never,
        }
    }

    /// Whether `value` matches.
    pub fn is_match(&self, value: &str) -> bool {
        match self {
            Glob::Literal(p) => p == value,
            Glob::Pattern(re) => re.is_match(value),
            Glob::Never => false,
        }
    }
}

/// Whether `pattern` compiles as a gobwas glob (upstream rejects destination service accounts
/// whose server or namespace does not).
pub fn glob_compiles(pattern: &str) -> bool {
    !pattern.contains(GLOB_SPECIALS) || compiled_glob(pattern, &[]).is_some()
}

fn compiled_glob(pattern: &str, separators: &[char]) -> CompiledGlob {
    {
        let cache = glob_cache().lock().unwrap_or_else(|e| e.into_inner());
        if let Some(hit) = cache.1.get(separators).and_then(|m| m.get(pattern)) {
            return hit.clone();
        }
    }
    let compiled = gobwas::to_regex(pattern, separators)
        .and_then(|src| Regex::new(&src).ok())
        .map(Arc::new);
    let mut cache = glob_cache().lock().unwrap_or_else(|e| e.into_inner());
    if cache.0 >= CACHE_CAPACITY {
        // Simple bound: start over rather than track recency.
        cache.1.clear();
        cache.0 = 0;
    }
    let inner = cache.1.entry(separators.to_vec()).or_default();
    if inner
        .insert(pattern.to_string(), compiled.clone())
        .is_none()
    {
        cache.0 += 1;
    }
    compiled
}

/// A port of gobwas/glob's lexer and parser (v0.2.3) that emits an anchored regular expression
/// with the same language, so that compile errors and edge cases behave as upstream.
mod gobwas {
    #[derive(Debug, Clone, PartialEq)]
    enum Token {
        Text(String),
        Any,
        Super,
        Single,
        RangeOpen,
        RangeClose,
        Not,
        RangeLo(char),
        RangeBetween,
        RangeHi(char),
        TermsOpen,
        TermsClose,
        Separator,
        Eof,
    }

    struct Lexer {
        chars: Vec<char>,
        pos: usize,
        terms_level: usize,
        tokens: Vec<Token>,
        failed: bool,
    }

    impl Lexer {
        /// Upstream treats the rune 0 as end of input and a literal U+FFFD as a decode error.
        fn new(pattern: &str) -> Self {
            Lexer {
                chars: pattern.chars().take_while(|&c| c != '\0').collect(),
                pos: 0,
                terms_level: 0,
                tokens: Vec::new(),
                failed: pattern.contains('\u{FFFD}'),
            }
        }

        fn read(&mut self) -> Option<char> {
            let c = self.chars.get(self.pos).copied();
            if c.is_some() {
                self.pos += 1;
            }
            c
        }

        fn unread(&mut self) {
            self.pos -= 1;
        }

        fn peek(&self) -> Option<char> {
            self.chars.get(self.pos).copied()
        }

        fn run(mut self) -> Option<Vec<Token>> {
            loop {
                if self.failed {
                    return None;
                }
                match self.read() {
                    None => {
                        self.tokens.push(Token::Eof);
                        return Some(self.tokens);
                    }
                    Some('{') => {
                        self.terms_level += 1;
                        self.tokens.push(Token::TermsOpen);
                    }
                    Some(',') if self.terms_level > 0 => self.tokens.push(Token::Separator),
                    Some('}') if self.terms_level > 0 => {
                        self.tokens.push(Token::TermsClose);
                        self.terms_level -= 1;
                    }
                    Some('[') => {
                        self.tokens.push(Token::RangeOpen);
                        self.fetch_range();
                    }
                    Some('?') => self.tokens.push(Token::Single),
                    Some('*') => {
                        if self.peek() == Some('*') {
                            self.pos += 1;
                            self.tokens.push(Token::Super);
                        } else {
                            self.tokens.push(Token::Any);
                        }
                    }
                    Some(_) => {
                        self.unread();
                        let in_terms = self.terms_level > 0;
                        self.fetch_text(|c| {
                            matches!(c, '?' | '*' | '[' | '{')
                                || (in_terms && matches!(c, '}' | ','))
                        });
                    }
                }
            }
        }

        fn fetch_range(&mut self) {
            let (mut want_hi, mut want_close, mut seen_not) = (false, false, false);
            loop {
                let Some(r) = self.read() else {
                    self.failed = true; // unexpected end of input
                    return;
                };
                if want_close {
                    if r == ']' {
                        self.tokens.push(Token::RangeClose);
                    } else {
                        self.failed = true; // expected close range character
                    }
                    return;
                }
                if want_hi {
                    self.tokens.push(Token::RangeHi(r));
                    want_close = true;
                    continue;
                }
                if !seen_not && r == '!' {
                    self.tokens.push(Token::Not);
                    seen_not = true;
                    continue;
                }
                if self.peek() == Some('-') {
                    self.pos += 1;
                    self.tokens.push(Token::RangeLo(r));
                    self.tokens.push(Token::RangeBetween);
                    want_hi = true;
                    continue;
                }
                self.unread();
                self.fetch_text(|c| c == ']');
                want_close = true;
            }
        }

        fn fetch_text(&mut self, is_breaker: impl Fn(char) -> bool) {
            let mut data = String::new();
            let mut escaped = false;
            while let Some(r) = self.read() {
                if !escaped {
                    if r == '\\' {
                        escaped = true;
                        continue;
                    }
                    if is_breaker(r) {
                        self.unread();
                        break;
                    }
                }
                escaped = false;
                data.push(r);
            }
            if !data.is_empty() {
                self.tokens.push(Token::Text(data));
            }
        }
    }

    enum Node {
        Pattern(Vec<usize>),
        AnyOf(Vec<usize>),
        Text(String),
        Any,
        Super,
        Single,
        List { chars: String, not: bool },
        Range { lo: char, hi: char, not: bool },
    }

    struct Tree {
        nodes: Vec<Node>,
        parents: Vec<usize>,
    }

    impl Tree {
        fn insert(&mut self, parent: usize, node: Node) -> usize {
            let id = self.nodes.len();
            self.nodes.push(node);
            self.parents.push(parent);
            match &mut self.nodes[parent] {
                Node::Pattern(children) | Node::AnyOf(children) => children.push(id),
                _ => unreachable!("only patterns and alternations have children"),
            }
            id
        }
    }

    fn parse(tokens: Vec<Token>) -> Option<Tree> {
        let mut tree = Tree {
            nodes: vec![Node::Pattern(Vec::new())],
            parents: vec![0],
        };
        let mut cur = 0;
        let mut it = tokens.into_iter();
        loop {
            match it.next()? {
                Token::Eof => return Some(tree),
                Token::Text(t) => {
                    tree.insert(cur, Node::Text(t));
                }
                Token::Any => {
                    tree.insert(cur, Node::Any);
                }
                Token::Super => {
                    tree.insert(cur, Node::Super);
                }
                Token::Single => {
                    tree.insert(cur, Node::Single);
                }
                Token::RangeOpen => {
                    let (mut not, mut lo, mut hi, mut chars) = (false, '\0', '\0', String::new());
                    loop {
                        match it.next()? {
                            Token::Eof => return None,
                            Token::Not => not = true,
                            Token::RangeLo(c) => lo = c,
                            Token::RangeBetween => {}
                            Token::RangeHi(c) => {
                                hi = c;
                                if hi < lo {
                                    return None;
                                }
                            }
                            Token::Text(t) => chars = t,
                            Token::RangeClose => {
                                let is_range = lo != '\0' && hi != '\0';
                                if is_range != chars.is_empty() {
                                    return None; // could not parse range
                                }
                                let node = if is_range {
                                    Node::Range { lo, hi, not }
                                } else {
                                    Node::List { chars, not }
                                };
                                tree.insert(cur, node);
                                break;
                            }
                            _ => {}
                        }
                    }
                }
                Token::TermsOpen => {
                    let any_of = tree.insert(cur, Node::AnyOf(Vec::new()));
                    cur = tree.insert(any_of, Node::Pattern(Vec::new()));
                }
                Token::Separator => {
                    let any_of = tree.parents[cur];
                    cur = tree.insert(any_of, Node::Pattern(Vec::new()));
                }
                Token::TermsClose => cur = tree.parents[tree.parents[cur]],
                _ => return None,
            }
        }
    }

    fn class_char(c: char) -> String {
        regex::escape(c.encode_utf8(&mut [0; 4]))
    }

    fn emit(tree: &Tree, id: usize, non_sep: &str, out: &mut String) {
        match &tree.nodes[id] {
            Node::Pattern(children) => {
                for &c in children {
                    emit(tree, c, non_sep, out);
                }
            }
            Node::AnyOf(alternatives) => {
                out.push_str("(?:");
                for (i, &a) in alternatives.iter().enumerate() {
                    if i > 0 {
                        out.push('|');
                    }
                    emit(tree, a, non_sep, out);
                }
                out.push(')');
            }
            Node::Text(t) => out.push_str(&regex::escape(t)),
            Node::Any => {
                out.push_str(non_sep);
                out.push('*');
            }
            Node::Super => out.push_str("(?s:.)*"),
            Node::Single => out.push_str(non_sep),
            Node::List { chars, not } => {
                out.push('[');
                if *not {
                    out.push('^');
                }
                for c in chars.chars() {
                    out.push_str(&class_char(c));
                }
                out.push(']');
            }
            Node::Range { lo, hi, not } => {
                out.push('[');
                if *not {
                    out.push('^');
                }
                out.push_str(&class_char(*lo));
                out.push('-');
                out.push_str(&class_char(*hi));
                out.push(']');
            }
        }
    }

    /// The anchored regular expression equivalent to the glob, or `None` when gobwas would
    /// refuse to compile it.
    pub(super) fn to_regex(pattern: &str, separators: &[char]) -> Option<String> {
        let tree = parse(Lexer::new(pattern).run()?)?;
        let non_sep = if separators.is_empty() {
            "(?s:.)".to_string()
        } else {
            let mut s = String::from("[^");
            for &c in separators {
                s.push_str(&class_char(c));
            }
            s.push(']');
            s
        };
        let mut out = String::from(r"\A(?:");
        emit(&tree, 0, &non_sep, &mut out);
        out.push_str(r")\z");
        Some(out)
    }
}

/// Go's `path/filepath.Match` on a Unix host: `*` matches any run of non-`/` bytes, `?` one
/// non-`/` character, `[...]` a character class (`^` negates, `a-z` ranges, `\` escapes), `\`
/// escapes outside classes. A malformed pattern never matches (Go returns an error, which every
/// Argo CD caller treats as no match).
pub fn filepath_match(pattern: &str, name: &str) -> bool {
    go_filepath::matches(pattern.as_bytes(), name.as_bytes()).unwrap_or(false)
}

mod go_filepath {
    pub(super) struct BadPattern;

    /// Decodes one UTF-8 rune as Go does: invalid input yields U+FFFD with width 1.
    fn decode_rune(b: &[u8]) -> (u32, usize) {
        let len = match b.first() {
            None => return (0xFFFD, 0),
            Some(&x) if x < 0x80 => return (x as u32, 1),
            Some(&x) if x & 0xE0 == 0xC0 => 2,
            Some(&x) if x & 0xF0 == 0xE0 => 3,
            Some(&x) if x & 0xF8 == 0xF0 => 4,
            Some(_) => return (0xFFFD, 1),
        };
        match b.get(..len).and_then(|s| std::str::from_utf8(s).ok()) {
            Some(s) => (s.chars().next().map_or(0xFFFD, |c| c as u32), len),
            None => (0xFFFD, 1),
        }
    }

    pub(super) fn matches(mut pattern: &[u8], mut name: &[u8]) -> Result<bool, BadPattern> {
        'pattern: while !pattern.is_empty() {
            let (star, chunk, rest) = scan_chunk(pattern);
            pattern = rest;
            if star && chunk.is_empty() {
                return Ok(!name.contains(&b'/'));
            }
            let (t, ok, err) = match_chunk(chunk, name);
            if ok && (t.is_empty() || !pattern.is_empty()) {
                name = t;
                continue;
            }
            if err {
                return Err(BadPattern);
            }
            if star {
                let mut i = 0;
                while i < name.len() && name[i] != b'/' {
                    let (t, ok, err) = match_chunk(chunk, &name[i + 1..]);
                    if ok {
                        if pattern.is_empty() && !t.is_empty() {
                            i += 1;
                            continue;
                        }
                        name = t;
                        continue 'pattern;
                    }
                    if err {
                        return Err(BadPattern);
                    }
                    i += 1;
                }
            }
            while !pattern.is_empty() {
                let (_, chunk, rest) = scan_chunk(pattern);
                pattern = rest;
                if match_chunk(chunk, b"").2 {
                    return Err(BadPattern);
                }
            }
            return Ok(false);
        }
        Ok(name.is_empty())
    }

    fn scan_chunk(mut pattern: &[u8]) -> (bool, &[u8], &[u8]) {
        let mut star = false;
        while pattern.first() == Some(&b'*') {
            pattern = &pattern[1..];
            star = true;
        }
        let mut in_range = false;
        let mut i = 0;
        while i < pattern.len() {
            match pattern[i] {
                b'\\' if i + 1 < pattern.len() => i += 1,
                b'[' => in_range = true,
                b']' => in_range = false,
                b'*' if !in_range => break,
                _ => {}
            }
            i += 1;
        }
        (star, &pattern[..i], &pattern[i..])
    }

    /// Returns (rest of name, matched, pattern error).
    fn match_chunk<'a>(mut chunk: &[u8], mut s: &'a [u8]) -> (&'a [u8], bool, bool) {
        let mut failed = false;
        while !chunk.is_empty() {
            if !failed && s.is_empty() {
                failed = true;
            }
            match chunk[0] {
                b'[' => {
                    let mut r = 0;
                    if !failed {
                        let (c, n) = decode_rune(s);
                        r = c;
                        s = &s[n..];
                    }
                    chunk = &chunk[1..];
                    let mut negated = false;
                    if chunk.first() == Some(&b'^') {
                        negated = true;
                        chunk = &chunk[1..];
                    }
                    let mut matched = false;
                    let mut nrange = 0;
                    loop {
                        if chunk.first() == Some(&b']') && nrange > 0 {
                            chunk = &chunk[1..];
                            break;
                        }
                        let Ok((lo, rest)) = get_esc(chunk) else {
                            return (b"", false, true);
                        };
                        chunk = rest;
                        let mut hi = lo;
                        if chunk[0] == b'-' {
                            let Ok((h, rest)) = get_esc(&chunk[1..]) else {
                                return (b"", false, true);
                            };
                            hi = h;
                            chunk = rest;
                        }
                        if lo <= r && r <= hi {
                            matched = true;
                        }
                        nrange += 1;
                    }
                    if matched == negated {
                        failed = true;
                    }
                }
                b'?' => {
                    if !failed {
                        if s[0] == b'/' {
                            failed = true;
                        }
                        let (_, n) = decode_rune(s);
                        s = &s[n..];
                    }
                    chunk = &chunk[1..];
                }
                c => {
                    let literal = if c == b'\\' {
                        chunk = &chunk[1..];
                        match chunk.first() {
                            Some(&l) => l,
                            None => return (b"", false, true),
                        }
                    } else {
                        c
                    };
                    if !failed {
                        if literal != s[0] {
                            failed = true;
                        }
                        s = &s[1..];
                    }
                    chunk = &chunk[1..];
                }
            }
        }
        if failed {
            (b"", false, false)
        } else {
            (s, true, false)
        }
    }

    fn get_esc(mut chunk: &[u8]) -> Result<(u32, &[u8]), BadPattern> {
        if chunk.is_empty() || chunk[0] == b'-' || chunk[0] == b']' {
            return Err(BadPattern);
        }
        if chunk[0] == b'\\' {
            chunk = &chunk[1..];
            if chunk.is_empty() {
                return Err(BadPattern);
            }
        }
        let (r, n) = decode_rune(chunk);
        if r == 0xFFFD && n == 1 {
            return Err(BadPattern);
        }
        let rest = &chunk[n..];
        if rest.is_empty() {
            return Err(BadPattern);
        }
        Ok((r, rest))
    }
}

type RegexCache = HashMap<String, Option<Arc<fancy_regex::Regex>>>;

fn list_regex(pattern: &str) -> Option<Arc<fancy_regex::Regex>> {
    static CACHE: OnceLock<Mutex<RegexCache>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    if let Some(hit) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(pattern) {
        return hit.clone();
    }
    let compiled = fancy_regex::Regex::new(pattern).ok().map(Arc::new);
    let mut cache = cache.lock().unwrap_or_else(|e| e.into_inner());
    if cache.len() >= CACHE_CAPACITY {
        cache.clear();
    }
    cache.insert(pattern.to_string(), compiled.clone());
    compiled
}

/// Argo CD's `glob.MatchStringInList(list, value, REGEXP)`: true when some entry matches. An
/// entry wrapped in `/.../` is first tried as a regular expression that may match anywhere in
/// the value (upstream's `regexp2` search is unanchored; lookaround and backreferences are
/// supported); every entry, including a `/.../` one whose regexp did not match, is then tried as
/// a gobwas glob without separators. A regexp that does not compile, or that backtracks without
/// end, does not match.
pub fn match_string_in_list(list: &[String], value: &str) -> bool {
    list.iter().any(|entry| {
        let is_regex = entry.len() >= 2 && entry.starts_with('/') && entry.ends_with('/');
        (is_regex
            && list_regex(&entry[1..entry.len() - 1])
                .is_some_and(|re| re.is_match(value).unwrap_or(false)))
            || glob_match(entry, value, &[])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gobwas_star_does_not_cross_separators_but_super_does() {
        assert!(glob_match(
            "https://gitlab.com/group/*",
            "https://gitlab.com/group/repo",
            &['/']
        ));
        assert!(!glob_match(
            "https://gitlab.com/group/*",
            "https://gitlab.com/group/repo/owner",
            &['/']
        ));
        assert!(glob_match(
            "https://gitlab.com/group/*/*",
            "https://gitlab.com/group/repo/owner",
            &['/']
        ));
        assert!(glob_match(
            "https://gitlab.com/group/**",
            "https://gitlab.com/group/sub/repo/owner",
            &['/']
        ));
        // Without separators `*` crosses `/`.
        assert!(glob_match(
            "update/*",
            "update/apps/Deployment/ns/name",
            &[]
        ));
        assert!(!glob_match("*", "a/b", &['/']));
        assert!(glob_match("*", "a/b", &[]));
    }

    #[test]
    fn gobwas_single_classes_and_alternatives() {
        assert!(glob_match("a?c", "abc", &[]));
        assert!(!glob_match("a?c", "a/c", &['/']));
        assert!(glob_match("a?c", "a/c", &[]));
        assert!(glob_match("[abc]x", "bx", &[]));
        assert!(!glob_match("[abc]x", "dx", &[]));
        assert!(glob_match("[!abc]x", "dx", &[]));
        assert!(!glob_match("[!abc]x", "ax", &[]));
        assert!(glob_match("[a-c]x", "cx", &[]));
        assert!(!glob_match("[a-c]x", "dx", &[]));
        assert!(glob_match("[!a-c]x", "dx", &[]));
        // Classes match separators too.
        assert!(glob_match("a[!x]b", "a/b", &['/']));
        assert!(glob_match("{kube-system,argocd}", "argocd", &[]));
        assert!(!glob_match("{kube-system,argocd}", "default", &[]));
        assert!(glob_match("team-{a,b{1,2}}-*", "team-b2-x", &[]));
        assert!(glob_match("x{,y}", "x", &[]));
        // Outside an alternation `,` and `}` are literal.
        assert!(glob_match("a,b}", "a,b}", &[]));
        // Unterminated alternation still compiles (gobwas returns the root).
        assert!(glob_match("{a,b", "b", &[]));
    }

    #[test]
    fn gobwas_escapes_and_regex_metacharacters_are_literal() {
        assert!(glob_match(r"a\*b", "a*b", &[]));
        assert!(!glob_match(r"a\*b", "axb", &[]));
        assert!(glob_match("a.b+(c)|$^", "a.b+(c)|$^", &[]));
        assert!(!glob_match("a.b", "axb", &[]));
        assert!(glob_match(r"[\]]", "]", &[]));
        assert!(glob_match("[-^]*", "^x", &[]));
    }

    #[test]
    fn gobwas_compile_failures_match_nothing() {
        for bad in ["[a-zA-Z]", "[]", "[z-a]", "[abc", "[a-", "[!]"] {
            assert!(!glob_match(bad, "a", &[]), "{bad}");
            assert!(!glob_match(bad, bad, &[]), "{bad}");
            assert!(!glob_compiles(bad), "{bad}");
        }
        assert!(glob_compiles("https://*.example.com"));
        assert!(glob_compiles("plain"));
    }

    #[test]
    fn empty_pattern_matches_only_empty() {
        assert!(glob_match("", "", &[]));
        assert!(!glob_match("", "x", &[]));
        assert!(glob_match("**", "", &['/']));
    }

    #[test]
    fn cache_keeps_separator_sets_apart() {
        assert!(!glob_match("a*", "a/b", &['/']));
        assert!(glob_match("a*", "a/b", &[]));
        assert!(!glob_match("a*", "a/b", &['/']));
    }

    #[test]
    fn filepath_match_follows_go() {
        assert!(filepath_match("*", "Deployment"));
        assert!(filepath_match("*", ""));
        assert!(filepath_match("Deploy*", "Deployment"));
        assert!(filepath_match("*ment", "Deployment"));
        assert!(filepath_match("?eployment", "Deployment"));
        assert!(!filepath_match("*", "a/b"));
        assert!(filepath_match("*/*", "a/b"));
        assert!(filepath_match("[A-Z]*", "Pod"));
        assert!(!filepath_match("[^A-Z]*", "Pod"));
        assert!(
            filepath_match("[a-zA-Z]od", "Pod"),
            "Go allows several ranges"
        );
        assert!(filepath_match(r"a\*", "a*"));
        assert!(!filepath_match(r"a\*", "ab"));
        // No `**` and no alternatives.
        assert!(!filepath_match("{Pod,Service}", "Pod"));
        assert!(filepath_match("{Pod,Service}", "{Pod,Service}"));
        assert!(!filepath_match("**", "a/b"));
        // Bad patterns never match.
        assert!(!filepath_match("[", "["));
        assert!(!filepath_match("[]", "]"));
        assert!(!filepath_match("a\\", "a"));
        assert!(!filepath_match("[a-]", "a"));
        // Core group.
        assert!(filepath_match("", ""));
        assert!(!filepath_match("", "apps"));
        assert!(filepath_match("*.k8s.io", "rbac.authorization.k8s.io"));
        // Multi-byte characters.
        assert!(filepath_match("?", "é"));
        assert!(filepath_match("[é]", "é"));
    }

    #[test]
    fn glob_and_filepath_differ() {
        // `**` crosses separators in gobwas but is two stars in filepath.
        assert!(glob_match("a/**", "a/b/c", &['/']));
        assert!(!filepath_match("a/**", "a/b/c"));
        // `{a,b}` is an alternation in gobwas, a literal in filepath.
        assert!(glob_match("{Pod,Service}", "Service", &[]));
        assert!(!filepath_match("{Pod,Service}", "Service"));
        // Negated classes: `!` in gobwas, `^` in filepath.
        assert!(glob_match("[!a]", "b", &[]));
        assert!(filepath_match("[^a]", "b"));
        assert!(!filepath_match("[!a]", "b"));
    }

    #[test]
    fn string_in_list_takes_globs_and_unanchored_regexps() {
        let list = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(match_string_in_list(&list(&["some-*"]), "some-ns1"));
        assert!(!match_string_in_list(&list(&["some-*"]), "someotherns"));
        assert!(match_string_in_list(&list(&["/^team-[0-9]+$/"]), "team-42"));
        assert!(!match_string_in_list(&list(&["/^team-[0-9]+$/"]), "team-x"));
        // Unanchored, as upstream.
        assert!(match_string_in_list(&list(&["/dev/"]), "my-dev-ns"));
        // Lookaround is supported, as in upstream's regexp2.
        assert!(match_string_in_list(&list(&["/^(?!kube-).*$/"]), "apps"));
        assert!(!match_string_in_list(
            &list(&["/^(?!kube-).*$/"]),
            "kube-system"
        ));
        // A bad regexp does not match (but the entry is still tried as a glob).
        assert!(!match_string_in_list(&list(&["/(/"]), "("));
        assert!(!match_string_in_list(&list(&[]), "x"));
        assert!(match_string_in_list(&list(&["a", "b"]), "b"));
    }
}
