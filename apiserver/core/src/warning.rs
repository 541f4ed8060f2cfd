//! `Warning` response headers as kube-apiserver writes them
//! (`k8s.io/apimachinery/pkg/util/net.NewWarningHeader`, `pkg/endpoints/filters/warning.go`):
//! `299 - "<text>"`, deduplicated; once the texts would pass 4096 runes in total, every warning
//! is cut to 256 runes, and warnings are dropped once even that budget is spent.

/// Total size (in runes of warning text) after which warnings are truncated.
pub const TOTAL_WARNING_RUNE_LIMIT: usize = 4 * 1024;
/// Size each warning is cut to once truncating.
pub const PER_WARNING_RUNE_LIMIT: usize = 256;

/// One header value: `299 - "<text>"` with `\` and `"` backslash-escaped.
pub fn warning_header_value(text: &str) -> String {
    let mut s = String::with_capacity(text.len() + 8);
    s.push_str("299 - \"");
    for c in text.chars() {
        if c == '"' || c == '\\' {
            s.push('\\');
        }
        s.push(c);
    }
    s.push('"');
    s
}

/// The text cut to `limit` runes, and its rune count.
fn truncate_runes(text: &str, limit: usize) -> (&str, usize) {
    match text.char_indices().nth(limit) {
        Some((i, _)) => (&text[..i], limit),
        None => (text, text.chars().count()),
    }
}

/// Collects the warnings of one request and renders the `Warning` header values, as kube's
/// per-request recorder does.
#[derive(Clone, Debug, Default)]
pub struct WarningRecorder {
    /// Every distinct text recorded, in order (replayed truncated when the limit is passed).
    recorded: Vec<String>,
    headers: Vec<String>,
    /// Runes of text written into `headers`.
    written: usize,
    truncating: bool,
}

impl WarningRecorder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Record a warning. Empty and repeated texts are ignored.
    pub fn add(&mut self, text: &str) {
        if text.is_empty()
            || (self.truncating && self.written >= TOTAL_WARNING_RUNE_LIMIT)
            || self.recorded.iter().any(|t| t == text)
        {
            return;
        }
        self.recorded.push(text.to_string());
        let (text, runes) = if self.truncating {
            truncate_runes(text, PER_WARNING_RUNE_LIMIT)
        } else {
            (text, text.chars().count())
        };
        if self.truncating || self.written + runes <= TOTAL_WARNING_RUNE_LIMIT {
            self.written += runes;
            self.headers.push(warning_header_value(text));
            return;
        }
        // Over the limit: from now on every warning, earlier ones included, is cut short.
        self.truncating = true;
        self.written = 0;
        self.headers.clear();
        for t in &self.recorded {
            let (t, runes) = truncate_runes(t, PER_WARNING_RUNE_LIMIT);
            self.written += runes;
            self.headers.push(warning_header_value(t));
        }
    }

    pub fn is_empty(&self) -> bool {
        self.headers.is_empty()
    }

    /// The header values, one per warning, in the order added.
    pub fn header_values(&self) -> &[String] {
        &self.headers
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_format_and_escaping() {
        assert_eq!(
            warning_header_value("unknown field \"spec.foo\""),
            r#"299 - "unknown field \"spec.foo\"""#
        );
        assert_eq!(warning_header_value(r"a\b"), r#"299 - "a\\b""#);
        assert_eq!(warning_header_value("héllo"), "299 - \"héllo\"");
    }

    #[test]
    fn dedup_and_order() {
        let mut r = WarningRecorder::new();
        assert!(r.is_empty());
        r.add("b");
        r.add("");
        r.add("a");
        r.add("b");
        assert_eq!(r.header_values(), vec!["299 - \"b\"", "299 - \"a\""]);
    }

    #[test]
    fn truncation_after_total_limit() {
        let mut r = WarningRecorder::new();
        let long = |c: char| c.to_string().repeat(1000);
        for c in ['a', 'b', 'c', 'd'] {
            r.add(&long(c));
        }
        // 4000 runes: still whole.
        assert_eq!(r.header_values()[0].len(), 1000 + 8);
        r.add(&"é".repeat(200));
        // 4200 > 4096: every warning cut to 256 runes, the last one included.
        let v = r.header_values();
        assert_eq!(v.len(), 5);
        assert_eq!(v[0], format!("299 - \"{}\"", "a".repeat(256)));
        assert_eq!(v[4], format!("299 - \"{}\"", "é".repeat(200)));
        // While truncating, new warnings are still added (cut short) until the budget is spent:
        // 4 * 256 + 200 = 1224 runes so far, room for 12 more of 256.
        r.add("late");
        assert_eq!(r.header_values()[5], "299 - \"late\"");
        for i in 0..20 {
            r.add(&format!("{i}{}", "x".repeat(300)));
        }
        let v = r.header_values();
        // 1228 + 12 * 256 = 4300 >= 4096: the 13th onwards is dropped.
        assert_eq!(v.len(), 6 + 12);
        assert!(v[6..].iter().all(|h| h.chars().count() == 256 + 8));
    }
}
