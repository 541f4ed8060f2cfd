//! Typed, validated request options parsed from the query string (and, for delete, the body),
//! with kube-apiserver's defaults, validation and wording: 422 on `<Kind>Options.meta.k8s.io`
//! for option validation, 400 for values that do not parse.

use argo_openapi::validation::{FieldError, FieldErrorType};
use serde::Deserialize;
use serde_json::Value;

use crate::meta::too_long;
use crate::selector::{FieldSelector, LabelSelector};
use crate::status::ApiError;

/// Decode `%XX` escapes (and `+` as a space when `plus_is_space`, as in queries). `None` on a
/// malformed escape, as Go's `url.PathUnescape`/`QueryUnescape` fail. Bytes that do not form
/// UTF-8 are replaced rather than rejected.
pub fn percent_decode(s: &str, plus_is_space: bool) -> Option<String> {
    if !s.contains('%') && (!plus_is_space || !s.contains('+')) {
        return Some(s.to_string());
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                let hex = |c: u8| (c as char).to_digit(16);
                let hi = b.get(i + 1).copied().and_then(hex)?;
                let lo = b.get(i + 2).copied().and_then(hex)?;
                out.push((hi * 16 + lo) as u8);
                i += 3;
            }
            b'+' if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    Some(String::from_utf8_lossy(&out).into_owned())
}

/// A decoded query string, keeping every value of repeated keys in order (Go's `url.Values`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Query {
    pairs: Vec<(String, String)>,
}

impl Query {
    /// `url.ParseQuery` as `req.URL.Query()` uses it: pairs split on `&`, key and value
    /// percent-decoded with `+` as space; pairs containing `;` or a bad escape are dropped.
    pub fn parse(raw: &str) -> Query {
        let raw = raw.strip_prefix('?').unwrap_or(raw);
        let pairs = raw
            .split('&')
            .filter(|p| !p.is_empty() && !p.contains(';'))
            .filter_map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                Some((percent_decode(k, true)?, percent_decode(v, true)?))
            })
            .collect();
        Query { pairs }
    }

    /// The first value of `key`, as Go's `Values.Get` (present-but-empty is `Some("")`).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    pub fn get_all(&self, key: &str) -> Vec<&str> {
        self.pairs
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    pub fn contains(&self, key: &str) -> bool {
        self.pairs.iter().any(|(k, _)| k == key)
    }

    /// A boolean as kube's parameter codec reads it: absent → `None`; `false`/`0` (any case)
    /// → false; anything else, even empty, → true.
    pub fn bool(&self, key: &str) -> Option<bool> {
        self.get(key)
            .map(|v| !matches!(v.to_ascii_lowercase().as_str(), "false" | "0"))
    }

    /// An int64 parameter; 400 with Go's `strconv.ParseInt` wording when it does not parse.
    /// An empty value counts as absent.
    pub fn int(&self, key: &str) -> Result<Option<i64>, ApiError> {
        match self.get(key) {
            None | Some("") => Ok(None),
            Some(v) => v.parse::<i64>().map(Some).map_err(|e| {
                let why = match e.kind() {
                    std::num::IntErrorKind::PosOverflow | std::num::IntErrorKind::NegOverflow => {
                        "value out of range"
                    }
                    _ => "invalid syntax",
                };
                ApiError::bad_request(format!("strconv.ParseInt: parsing {v:?}: {why}"))
            }),
        }
    }
}

fn forbidden(field: &str, detail: impl Into<String>) -> FieldError {
    FieldError::new(field, FieldErrorType::Forbidden, None, detail)
}

/// `field.NotSupported`: `Unsupported value: <v>: supported values: "a", "b"`. The value is
/// passed preformatted because kube prints some (slices) in Go syntax.
fn not_supported(field: &str, value: &str, supported: &[&str]) -> FieldError {
    let list: Vec<String> = supported.iter().map(|s| format!("{s:?}")).collect();
    FieldError::new(
        field,
        FieldErrorType::NotSupported,
        None,
        format!("{value}: supported values: {}", list.join(", ")),
    )
}

/// A resourceVersion parameter: `""` → `None`, else a non-negative integer (`"0"` → `Some(0)`,
/// meaning "any"). Otherwise 400 `invalid resource version: resourceVersion: Invalid value: ...`
/// as kube's storage layer words it.
pub fn parse_resource_version(rv: &str) -> Result<Option<i64>, ApiError> {
    if rv.is_empty() {
        return Ok(None);
    }
    // Go's ParseUint takes digits only; Rust's would also take a leading '+'.
    let parsed = if rv.starts_with('+') {
        "x".parse::<u64>()
    } else {
        rv.parse::<u64>()
    };
    let why = match parsed {
        Ok(n) if n <= i64::MAX as u64 => return Ok(Some(n as i64)),
        Ok(_) => "value out of range",
        Err(e) if matches!(e.kind(), std::num::IntErrorKind::PosOverflow) => "value out of range",
        Err(_) => "invalid syntax",
    };
    Err(ApiError::bad_request(format!(
        "invalid resource version: resourceVersion: Invalid value: {rv:?}: strconv.ParseUint: parsing {rv:?}: {why}"
    )))
}

/// `resourceVersionMatch`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResourceVersionMatch {
    Exact,
    NotOlderThan,
}

/// Which storage read a request means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadMode {
    /// resourceVersion unset: the most recent state, read consistently (quorum).
    Consistent,
    /// resourceVersion "0": any state, e.g. the watch cache.
    Any,
    /// State at least as new as this revision (504 `Too large resource version` if the store
    /// cannot get there).
    NotOlderThan(i64),
    /// State exactly at this revision (410 if compacted).
    Exact(i64),
    /// Continue a paginated list at the revision and key the continue token carries.
    Continue,
}

/// How to serve a list: the read and the page size (`None` = the whole list).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ListRead {
    pub mode: ReadMode,
    pub limit: Option<i64>,
}

/// Where a watch starts and whether it first replays the current state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WatchStart {
    /// `Consistent`/`Any`: start at the current (or cached) revision. `NotOlderThan(n)`: with
    /// initial events, a snapshot not older than n; without, the changes after n.
    pub mode: ReadMode,
    /// Send the matching objects as ADDED events first.
    pub send_initial_events: bool,
    /// After them, one BOOKMARK annotated `k8s.io/initial-events-end: "true"` (watch-list).
    pub initial_events_end_bookmark: bool,
}

/// `ListOptions` (list, watch and deletecollection).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListOptions {
    pub label_selector: LabelSelector,
    pub field_selector: FieldSelector,
    /// A positive `limit`; zero or negative means none, as in kube.
    pub limit: Option<i64>,
    pub continue_token: Option<String>,
    /// `None` = unset/`""`, `Some(0)` = `"0"` ("any"), `Some(n)` = revision n.
    pub resource_version: Option<i64>,
    pub resource_version_match: Option<ResourceVersionMatch>,
    pub watch: bool,
    pub allow_watch_bookmarks: bool,
    pub timeout_seconds: Option<i64>,
    pub send_initial_events: Option<bool>,
}

impl ListOptions {
    /// Parse and validate, in kube's order: values that do not decode (400), then option
    /// validation (422 on `ListOptions.meta.k8s.io`), then the resourceVersion value and
    /// `continue` with a resourceVersion (400). The watch-list feature is taken as enabled.
    pub fn parse(q: &Query) -> Result<ListOptions, ApiError> {
        let label_selector = LabelSelector::parse(q.get("labelSelector").unwrap_or(""))?;
        let field_selector = FieldSelector::parse(q.get("fieldSelector").unwrap_or(""))?;
        let limit = q.int("limit")?.filter(|l| *l > 0);
        let timeout_seconds = q.int("timeoutSeconds")?;
        let watch = q.bool("watch").unwrap_or(false);
        let allow_watch_bookmarks = q.bool("allowWatchBookmarks").unwrap_or(false);
        let send_initial_events = q.bool("sendInitialEvents");
        let rv = q.get("resourceVersion").unwrap_or("");
        let rv_match = q.get("resourceVersionMatch").unwrap_or("");
        let continue_token = q.get("continue").filter(|c| !c.is_empty());

        let errs = if watch {
            validate_watch(rv_match, send_initial_events, continue_token.is_some())
        } else {
            validate_list(rv, rv_match, send_initial_events, continue_token.is_some())
        };
        if !errs.is_empty() {
            return Err(ApiError::invalid_options("ListOptions", &errs));
        }
        let resource_version = parse_resource_version(rv)?;
        if continue_token.is_some() && resource_version.is_some_and(|n| n != 0) {
            return Err(ApiError::bad_request(
                "specifying resource version is not allowed when using continue",
            ));
        }
        let resource_version_match = match rv_match {
            "Exact" => Some(ResourceVersionMatch::Exact),
            "NotOlderThan" => Some(ResourceVersionMatch::NotOlderThan),
            _ => None,
        };
        Ok(ListOptions {
            label_selector,
            field_selector,
            limit,
            continue_token: continue_token.map(str::to_string),
            resource_version,
            resource_version_match,
            watch,
            allow_watch_bookmarks,
            timeout_seconds,
            send_initial_events,
        })
    }

    /// The storage read of a list (kube's `ShouldDelegateList` / `computeListLimit`):
    /// RV unset → consistent, paginated; `"0"` → any, **limit ignored**; N → not older than N,
    /// or exactly N when a limit is given; an explicit match wins.
    pub fn list_read(&self) -> ListRead {
        if self.continue_token.is_some() {
            return ListRead {
                mode: ReadMode::Continue,
                limit: self.limit,
            };
        }
        match (self.resource_version, self.resource_version_match) {
            (None, _) => ListRead {
                mode: ReadMode::Consistent,
                limit: self.limit,
            },
            (Some(0), _) => ListRead {
                mode: ReadMode::Any,
                limit: None,
            },
            (Some(n), Some(ResourceVersionMatch::Exact)) => ListRead {
                mode: ReadMode::Exact(n),
                limit: self.limit,
            },
            (Some(n), Some(ResourceVersionMatch::NotOlderThan)) => ListRead {
                mode: ReadMode::NotOlderThan(n),
                limit: self.limit,
            },
            (Some(n), None) => ListRead {
                mode: if self.limit.is_some() {
                    ReadMode::Exact(n)
                } else {
                    ReadMode::NotOlderThan(n)
                },
                limit: self.limit,
            },
        }
    }

    /// Where a watch starts. Without `sendInitialEvents`, RV unset or `"0"` replays the current
    /// state first and RV N does not (kube's legacy watch).
    pub fn watch_start(&self) -> WatchStart {
        let mode = match self.resource_version {
            None => ReadMode::Consistent,
            Some(0) => ReadMode::Any,
            Some(n) => ReadMode::NotOlderThan(n),
        };
        let send_initial_events = self
            .send_initial_events
            .unwrap_or(matches!(self.resource_version, None | Some(0)));
        WatchStart {
            mode,
            send_initial_events,
            initial_events_end_bookmark: self.send_initial_events == Some(true)
                && self.allow_watch_bookmarks,
        }
    }
}

/// `ValidateListOptions` for a list (not a watch).
fn validate_list(
    rv: &str,
    rv_match: &str,
    send_initial: Option<bool>,
    has_continue: bool,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if !rv_match.is_empty() {
        if rv.is_empty() {
            errs.push(forbidden(
                "resourceVersionMatch",
                "resourceVersionMatch is forbidden unless resourceVersion is provided",
            ));
        }
        if has_continue {
            errs.push(forbidden(
                "resourceVersionMatch",
                "resourceVersionMatch is forbidden when continue is provided",
            ));
        }
        if rv_match != "Exact" && rv_match != "NotOlderThan" {
            errs.push(not_supported(
                "resourceVersionMatch",
                &format!("{rv_match:?}"),
                &["Exact", "NotOlderThan", ""],
            ));
        }
        if rv_match == "Exact" && rv == "0" {
            errs.push(forbidden(
                "resourceVersionMatch",
                "resourceVersionMatch \"exact\" is forbidden for resourceVersion \"0\"",
            ));
        }
    }
    if send_initial.is_some() {
        errs.push(forbidden(
            "sendInitialEvents",
            "sendInitialEvents is forbidden for list",
        ));
    }
    errs
}

/// `validateWatchOptions` with the WatchList feature enabled.
fn validate_watch(
    rv_match: &str,
    send_initial: Option<bool>,
    has_continue: bool,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if send_initial.is_some() && rv_match != "NotOlderThan" {
        errs.push(forbidden(
            "resourceVersionMatch",
            "sendInitialEvents requires setting resourceVersionMatch to NotOlderThan",
        ));
    }
    if !rv_match.is_empty() {
        if send_initial.is_none() {
            errs.push(forbidden(
                "resourceVersionMatch",
                "resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided",
            ));
        }
        if rv_match != "NotOlderThan" {
            errs.push(not_supported(
                "resourceVersionMatch",
                &format!("{rv_match:?}"),
                &["NotOlderThan"],
            ));
        }
        if has_continue {
            errs.push(forbidden(
                "resourceVersionMatch",
                "resourceVersionMatch is forbidden when continue is provided",
            ));
        }
    }
    errs
}

/// `GetOptions`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GetOptions {
    pub resource_version: Option<i64>,
}

impl GetOptions {
    pub fn parse(q: &Query) -> Result<GetOptions, ApiError> {
        Ok(GetOptions {
            resource_version: parse_resource_version(q.get("resourceVersion").unwrap_or(""))?,
        })
    }

    /// `""` → latest (consistent), `"0"` → any, N → not older than N.
    pub fn read_mode(&self) -> ReadMode {
        match self.resource_version {
            None => ReadMode::Consistent,
            Some(0) => ReadMode::Any,
            Some(n) => ReadMode::NotOlderThan(n),
        }
    }
}

/// `fieldValidation`: how unknown and duplicate fields are treated.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FieldValidation {
    Ignore,
    /// The default (`""`): succeed with a Warning header per problem.
    #[default]
    Warn,
    Strict,
}

/// The longest `fieldManager` kube accepts.
pub const FIELD_MANAGER_MAX_LENGTH: usize = 128;

/// `ValidateFieldManager`: at most 128 bytes, all printable.
pub fn validate_field_manager(manager: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if manager.len() > FIELD_MANAGER_MAX_LENGTH {
        errs.push(too_long("fieldManager", FIELD_MANAGER_MAX_LENGTH));
    }
    for (i, c) in manager.char_indices() {
        // Go's unicode.IsPrint: graphic characters and the ASCII space only.
        let printable = c == ' ' || !(c.is_control() || c.is_whitespace());
        if !printable {
            errs.push(FieldError::invalid(
                "fieldManager",
                Value::from(manager),
                format!("invalid character U+{:04X} (at position {i})", c as u32),
            ));
        }
    }
    errs
}

/// kube's `managerOrUserAgent`: the `fieldManager` given, else the User-Agent up to its first
/// `/` (`kubectl/v1.33.0 (linux/amd64) …` → `kubectl`), as `prefixFromUserAgent`: without its
/// unprintable characters and cut, at a character boundary, to 128 bytes. `None` when the
/// result is empty.
pub fn manager_or_user_agent(
    field_manager: Option<&str>,
    user_agent: Option<&str>,
) -> Option<String> {
    if let Some(m) = field_manager.filter(|m| !m.is_empty()) {
        return Some(m.to_string());
    }
    let prefix = user_agent?.split('/').next().unwrap_or("");
    let mut out = String::new();
    for c in prefix.chars().filter(|&c| is_print(c)) {
        if out.len() + c.len_utf8() > FIELD_MANAGER_MAX_LENGTH {
            break;
        }
        out.push(c);
    }
    (!out.is_empty()).then_some(out)
}

/// Go's `unicode.IsPrint`: letters, marks, numbers, punctuation, symbols and the ASCII space.
/// Without Unicode category tables, what is refused is the other categories' common members:
/// controls, every other space and separator, the format characters, private use and
/// noncharacters.
fn is_print(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    let u = c as u32;
    let format = matches!(
        u,
        0xAD | 0x600..=0x605
            | 0x61C
            | 0x6DD
            | 0x70F
            | 0x890..=0x891
            | 0x8E2
            | 0x180E
            | 0x200B..=0x200F
            | 0x202A..=0x202E
            | 0x2060..=0x2064
            | 0x2066..=0x206F
            | 0xFEFF
            | 0xFFF9..=0xFFFB
            | 0x110BD
            | 0x110CD
            | 0x13430..=0x1343F
            | 0x1BCA0..=0x1BCA3
            | 0x1D173..=0x1D17A
            | 0xE0001
            | 0xE0020..=0xE007F
    );
    let private = matches!(u, 0xE000..=0xF8FF | 0xF0000..=0xFFFFD | 0x100000..=0x10FFFD);
    let nonchar = matches!(u, 0xFDD0..=0xFDEF) || (u & 0xFFFE) == 0xFFFE;
    !(format || private || nonchar)
}

/// `ValidateDryRun`: only `All`. Returns whether dry-run is on.
fn dry_run(q_values: &[&str], errs: &mut Vec<FieldError>) -> bool {
    if q_values.iter().any(|v| *v != "All") {
        let go: Vec<String> = q_values.iter().map(|v| format!("{v:?}")).collect();
        errs.push(not_supported(
            "dryRun",
            &format!("[]string{{{}}}", go.join(", ")),
            &["All"],
        ));
    }
    !q_values.is_empty()
}

fn field_validation(q: &Query, errs: &mut Vec<FieldError>) -> FieldValidation {
    match q.get("fieldValidation").unwrap_or("") {
        "" | "Warn" => FieldValidation::Warn,
        "Ignore" => FieldValidation::Ignore,
        "Strict" => FieldValidation::Strict,
        other => {
            errs.push(not_supported(
                "fieldValidation",
                &format!("{other:?}"),
                &["", "Ignore", "Strict", "Warn"],
            ));
            FieldValidation::Warn
        }
    }
}

/// `CreateOptions` and `UpdateOptions` (same fields and rules).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WriteOptions {
    pub dry_run: bool,
    /// `None` when not given; the handler then falls back to the User-Agent prefix.
    pub field_manager: Option<String>,
    pub field_validation: FieldValidation,
}

pub type CreateOptions = WriteOptions;
pub type UpdateOptions = WriteOptions;

impl WriteOptions {
    /// 422 on `CreateOptions.meta.k8s.io`.
    pub fn parse_create(q: &Query) -> Result<WriteOptions, ApiError> {
        Self::parse_as(q, "CreateOptions")
    }

    /// 422 on `UpdateOptions.meta.k8s.io`.
    pub fn parse_update(q: &Query) -> Result<WriteOptions, ApiError> {
        Self::parse_as(q, "UpdateOptions")
    }

    fn parse_as(q: &Query, kind: &str) -> Result<WriteOptions, ApiError> {
        let mut errs = Vec::new();
        let manager = q.get("fieldManager").unwrap_or("");
        errs.extend(validate_field_manager(manager));
        let dry_run = dry_run(&q.get_all("dryRun"), &mut errs);
        let field_validation = field_validation(q, &mut errs);
        if !errs.is_empty() {
            return Err(ApiError::invalid_options(kind, &errs));
        }
        Ok(WriteOptions {
            dry_run,
            field_manager: (!manager.is_empty()).then(|| manager.to_string()),
            field_validation,
        })
    }
}

/// The patch formats a custom resource accepts (no strategic merge patch).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PatchType {
    Json,
    Merge,
    Apply,
}

impl PatchType {
    pub const ACCEPTED: [&'static str; 3] = [
        "application/json-patch+json",
        "application/merge-patch+json",
        "application/apply-patch+yaml",
    ];

    /// From the request's Content-Type; parameters after `;` are ignored. Anything else
    /// (including `application/strategic-merge-patch+json`) is kube's 415.
    pub fn from_content_type(content_type: Option<&str>) -> Result<PatchType, ApiError> {
        let ct = content_type.unwrap_or("");
        let base = ct.split(';').next().unwrap_or("").trim();
        match base {
            "application/json-patch+json" => Ok(PatchType::Json),
            "application/merge-patch+json" => Ok(PatchType::Merge),
            "application/apply-patch+yaml" => Ok(PatchType::Apply),
            _ => Err(ApiError::unsupported_media_type(&Self::ACCEPTED)),
        }
    }

    pub fn media_type(self) -> &'static str {
        match self {
            PatchType::Json => Self::ACCEPTED[0],
            PatchType::Merge => Self::ACCEPTED[1],
            PatchType::Apply => Self::ACCEPTED[2],
        }
    }
}

/// `PatchOptions`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PatchOptions {
    pub dry_run: bool,
    pub field_manager: Option<String>,
    pub field_validation: FieldValidation,
    /// Apply only: take ownership of conflicting fields.
    pub force: bool,
}

impl PatchOptions {
    /// `ValidatePatchOptions`; 422 on `PatchOptions.meta.k8s.io`.
    pub fn parse(q: &Query, patch_type: PatchType) -> Result<PatchOptions, ApiError> {
        let mut errs = Vec::new();
        let manager = q.get("fieldManager").unwrap_or("");
        let force = q.bool("force");
        if patch_type != PatchType::Apply {
            if force.is_some() {
                errs.push(forbidden(
                    "force",
                    "may not be specified for non-apply patch",
                ));
            }
        } else if manager.is_empty() {
            errs.push(FieldError::required(
                "fieldManager",
                "is required for apply patch",
            ));
        }
        errs.extend(validate_field_manager(manager));
        let dry_run = dry_run(&q.get_all("dryRun"), &mut errs);
        let field_validation = field_validation(q, &mut errs);
        if !errs.is_empty() {
            return Err(ApiError::invalid_options("PatchOptions", &errs));
        }
        Ok(PatchOptions {
            dry_run,
            field_manager: (!manager.is_empty()).then(|| manager.to_string()),
            field_validation,
            force: force.unwrap_or(false),
        })
    }
}

/// `propagationPolicy`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PropagationPolicy {
    Foreground,
    Background,
    Orphan,
}

/// `DeleteOptions.preconditions`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Preconditions {
    #[serde(default)]
    pub uid: Option<String>,
    #[serde(default)]
    pub resource_version: Option<String>,
}

/// `DeleteOptions`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeleteOptions {
    pub grace_period_seconds: Option<i64>,
    pub preconditions: Preconditions,
    /// Deprecated; kept because the namespace controller still sends `orphanDependents=false`
    /// (which makes a pending delete answer 202).
    pub orphan_dependents: Option<bool>,
    pub propagation_policy: Option<PropagationPolicy>,
    pub dry_run: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DeleteOptionsBody {
    api_version: Option<String>,
    kind: Option<String>,
    grace_period_seconds: Option<i64>,
    preconditions: Option<Preconditions>,
    orphan_dependents: Option<bool>,
    propagation_policy: Option<String>,
    dry_run: Option<Vec<String>>,
}

impl DeleteOptions {
    /// From the JSON body when it is not empty (apiVersion `meta.k8s.io/v1`, `v1`, or absent;
    /// kind `DeleteOptions` or absent), otherwise from the query. Undecodable input is 400;
    /// validation is 422 on `DeleteOptions.meta.k8s.io`.
    pub fn parse(body: &[u8], q: &Query) -> Result<DeleteOptions, ApiError> {
        let (grace, preconditions, orphan, policy, dry): (_, _, _, Option<String>, Vec<String>) =
            if body.iter().all(u8::is_ascii_whitespace) {
                (
                    q.int("gracePeriodSeconds")?,
                    Preconditions::default(),
                    q.bool("orphanDependents"),
                    q.get("propagationPolicy").map(str::to_string),
                    q.get_all("dryRun")
                        .into_iter()
                        .map(str::to_string)
                        .collect(),
                )
            } else {
                let b: DeleteOptionsBody = serde_json::from_slice(body).map_err(|e| {
                    ApiError::bad_request(format!("unable to decode DeleteOptions: {e}"))
                })?;
                match b.api_version.as_deref() {
                    None
                    | Some("")
                    | Some("v1")
                    | Some("meta.k8s.io/v1")
                    | Some("meta.k8s.io/v1beta1") => {}
                    Some(other) => {
                        return Err(ApiError::bad_request(format!(
                            "unsupported apiVersion {other:?} for DeleteOptions; expected meta.k8s.io/v1"
                        )));
                    }
                }
                match b.kind.as_deref() {
                    None | Some("") | Some("DeleteOptions") => {}
                    Some(other) => {
                        return Err(ApiError::bad_request(format!(
                            "decoded object of kind {other:?} cannot be converted to DeleteOptions"
                        )));
                    }
                }
                (
                    b.grace_period_seconds,
                    b.preconditions.unwrap_or_default(),
                    b.orphan_dependents,
                    b.propagation_policy,
                    b.dry_run.unwrap_or_default(),
                )
            };

        let mut errs = Vec::new();
        if orphan.is_some()
            && let Some(p) = &policy
        {
            errs.push(FieldError::invalid(
                "propagationPolicy",
                Value::from(p.as_str()),
                "orphanDependents and deletionPropagation cannot be both set",
            ));
        }
        let propagation_policy = match policy.as_deref() {
            None => None,
            Some("Foreground") => Some(PropagationPolicy::Foreground),
            Some("Background") => Some(PropagationPolicy::Background),
            Some("Orphan") => Some(PropagationPolicy::Orphan),
            Some(other) => {
                errs.push(not_supported(
                    "propagationPolicy",
                    &format!("{other:?}"),
                    &["Foreground", "Background", "Orphan", "nil"],
                ));
                None
            }
        };
        let dry_refs: Vec<&str> = dry.iter().map(String::as_str).collect();
        let dry_run = dry_run(&dry_refs, &mut errs);
        if !errs.is_empty() {
            return Err(ApiError::invalid_options("DeleteOptions", &errs));
        }
        Ok(DeleteOptions {
            grace_period_seconds: grace,
            preconditions,
            orphan_dependents: orphan,
            propagation_policy,
            dry_run,
        })
    }
}

/// `TableOptions.includeObject`: what each Table row carries.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum IncludeObject {
    None,
    /// The default: a PartialObjectMetadata.
    #[default]
    Metadata,
    Object,
}

/// `TableOptions` (only read when a Table was negotiated).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TableOptions {
    pub include_object: IncludeObject,
}

impl TableOptions {
    /// A bad `includeObject` is 400 `Unable to convert to Table as requested: ...`.
    pub fn parse(q: &Query) -> Result<TableOptions, ApiError> {
        let include_object = match q.get("includeObject").unwrap_or("") {
            "" | "Metadata" => IncludeObject::Metadata,
            "None" => IncludeObject::None,
            "Object" => IncludeObject::Object,
            other => {
                let e = FieldError::invalid(
                    "includeObject",
                    Value::from(other),
                    "must be 'Metadata', 'Object', 'None', or empty",
                );
                return Err(ApiError::bad_request(format!(
                    "Unable to convert to Table as requested: {e}"
                )));
            }
        };
        Ok(TableOptions { include_object })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> Query {
        Query::parse(s)
    }

    fn list_err(s: &str) -> ApiError {
        ListOptions::parse(&q(s)).unwrap_err()
    }

    #[test]
    fn query_decoding() {
        let query = q("?labelSelector=app%3Dguest+book&a=1&a=2&empty=&bad=%zz&semi=a;b&flag");
        assert_eq!(query.get("labelSelector"), Some("app=guest book"));
        assert_eq!(query.get_all("a"), vec!["1", "2"]);
        assert_eq!(query.get("empty"), Some(""));
        assert_eq!(query.get("flag"), Some(""));
        assert_eq!(query.get("bad"), None);
        assert_eq!(query.get("semi"), None);
        assert_eq!(percent_decode("a%2Fb+c", false).as_deref(), Some("a/b+c"));
        assert_eq!(percent_decode("%4", false), None);
    }

    #[test]
    fn booleans_follow_kube_codec() {
        for (s, want) in [
            ("watch=1", Some(true)),
            ("watch=true", Some(true)),
            ("watch=", Some(true)),
            ("watch=yes", Some(true)),
            ("watch=false", Some(false)),
            ("watch=FALSE", Some(false)),
            ("watch=0", Some(false)),
            ("", None),
        ] {
            assert_eq!(q(s).bool("watch"), want, "{s}");
        }
    }

    #[test]
    fn list_options_parse() {
        let o = ListOptions::parse(&q(
            "labelSelector=app%3Da&fieldSelector=metadata.name%3Dx&limit=500&timeoutSeconds=290&watch=1&allowWatchBookmarks=true",
        ))
        .unwrap();
        assert_eq!(o.label_selector.to_string(), "app=a");
        assert_eq!(
            o.field_selector.requires_exact_match("metadata.name"),
            Some("x")
        );
        assert_eq!(o.limit, Some(500));
        assert_eq!(o.timeout_seconds, Some(290));
        assert!(o.watch && o.allow_watch_bookmarks);
        assert_eq!(ListOptions::parse(&q("limit=0")).unwrap().limit, None);
        assert_eq!(ListOptions::parse(&q("limit=-3")).unwrap().limit, None);
        let e = list_err("limit=abc");
        assert_eq!(e.code(), 400);
        assert_eq!(
            e.status.message,
            "strconv.ParseInt: parsing \"abc\": invalid syntax"
        );
        assert_eq!(list_err("labelSelector=a%20b").code(), 400);
    }

    #[test]
    fn list_validation_messages() {
        let e = list_err("resourceVersionMatch=NotOlderThan");
        assert_eq!(e.code(), 422);
        assert_eq!(
            e.status.message,
            "ListOptions.meta.k8s.io \"\" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided"
        );
        assert_eq!(e.status.details.as_ref().unwrap().kind, "ListOptions");
        assert_eq!(
            list_err("resourceVersion=5&resourceVersionMatch=Exact&continue=abc")
                .status
                .message,
            "ListOptions.meta.k8s.io \"\" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden when continue is provided"
        );
        assert_eq!(
            list_err("resourceVersion=0&resourceVersionMatch=Exact")
                .status
                .message,
            "ListOptions.meta.k8s.io \"\" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch \"exact\" is forbidden for resourceVersion \"0\""
        );
        assert_eq!(
            list_err("resourceVersion=1&resourceVersionMatch=exact")
                .status
                .message,
            "ListOptions.meta.k8s.io \"\" is invalid: resourceVersionMatch: Unsupported value: \"exact\": supported values: \"Exact\", \"NotOlderThan\", \"\""
        );
        assert_eq!(
            list_err("sendInitialEvents=true").status.message,
            "ListOptions.meta.k8s.io \"\" is invalid: sendInitialEvents: Forbidden: sendInitialEvents is forbidden for list"
        );
        let e = list_err("continue=abc&resourceVersion=5");
        assert_eq!(e.code(), 400);
        assert_eq!(
            e.status.message,
            "specifying resource version is not allowed when using continue"
        );
        assert!(ListOptions::parse(&q("continue=abc&resourceVersion=0")).is_ok());
    }

    #[test]
    fn watch_validation_messages() {
        assert_eq!(
            list_err("watch=1&sendInitialEvents=true").status.message,
            "ListOptions.meta.k8s.io \"\" is invalid: resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan"
        );
        assert_eq!(
            list_err("watch=1&resourceVersion=1&resourceVersionMatch=NotOlderThan")
                .status
                .message,
            "ListOptions.meta.k8s.io \"\" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided"
        );
        assert_eq!(
            list_err("watch=1&sendInitialEvents=true&resourceVersionMatch=Exact")
                .status
                .message,
            "ListOptions.meta.k8s.io \"\" is invalid: [resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan, resourceVersionMatch: Unsupported value: \"Exact\": supported values: \"NotOlderThan\"]"
        );
        let o = ListOptions::parse(&q(
            "watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true",
        ))
        .unwrap();
        assert_eq!(
            o.watch_start(),
            WatchStart {
                mode: ReadMode::Consistent,
                send_initial_events: true,
                initial_events_end_bookmark: true
            }
        );
    }

    #[test]
    fn resource_version_values() {
        assert_eq!(parse_resource_version("").unwrap(), None);
        assert_eq!(parse_resource_version("0").unwrap(), Some(0));
        assert_eq!(parse_resource_version("12345").unwrap(), Some(12345));
        let e = parse_resource_version("abc").unwrap_err();
        assert_eq!(e.code(), 400);
        assert_eq!(
            e.status.message,
            "invalid resource version: resourceVersion: Invalid value: \"abc\": strconv.ParseUint: parsing \"abc\": invalid syntax"
        );
        assert!(parse_resource_version("-1").is_err());
        assert!(parse_resource_version("+1").is_err());
        assert!(
            parse_resource_version("99999999999999999999")
                .unwrap_err()
                .status
                .message
                .ends_with("value out of range")
        );
        assert_eq!(list_err("resourceVersion=x").code(), 400);
        assert_eq!(
            GetOptions::parse(&q("resourceVersion=x"))
                .unwrap_err()
                .code(),
            400
        );
    }

    #[test]
    fn list_read_modes() {
        let read = |s: &str| ListOptions::parse(&q(s)).unwrap().list_read();
        assert_eq!(
            read("limit=500"),
            ListRead {
                mode: ReadMode::Consistent,
                limit: Some(500)
            }
        );
        assert_eq!(
            read("resourceVersion=0&limit=500"),
            ListRead {
                mode: ReadMode::Any,
                limit: None
            }
        );
        assert_eq!(
            read("resourceVersion=7"),
            ListRead {
                mode: ReadMode::NotOlderThan(7),
                limit: None
            }
        );
        assert_eq!(
            read("resourceVersion=7&limit=5"),
            ListRead {
                mode: ReadMode::Exact(7),
                limit: Some(5)
            }
        );
        assert_eq!(
            read("resourceVersion=7&limit=5&resourceVersionMatch=NotOlderThan"),
            ListRead {
                mode: ReadMode::NotOlderThan(7),
                limit: Some(5)
            }
        );
        assert_eq!(
            read("resourceVersion=7&resourceVersionMatch=Exact"),
            ListRead {
                mode: ReadMode::Exact(7),
                limit: None
            }
        );
        assert_eq!(
            read("continue=tok&limit=5"),
            ListRead {
                mode: ReadMode::Continue,
                limit: Some(5)
            }
        );
    }

    #[test]
    fn watch_and_get_read_modes() {
        let start = |s: &str| ListOptions::parse(&q(s)).unwrap().watch_start();
        assert_eq!(
            start("watch=1"),
            WatchStart {
                mode: ReadMode::Consistent,
                send_initial_events: true,
                initial_events_end_bookmark: false
            }
        );
        assert_eq!(
            start("watch=1&resourceVersion=0"),
            WatchStart {
                mode: ReadMode::Any,
                send_initial_events: true,
                initial_events_end_bookmark: false
            }
        );
        assert_eq!(
            start("watch=1&resourceVersion=9&allowWatchBookmarks=1"),
            WatchStart {
                mode: ReadMode::NotOlderThan(9),
                send_initial_events: false,
                initial_events_end_bookmark: false
            }
        );
        assert_eq!(
            start(
                "watch=1&resourceVersion=9&sendInitialEvents=true&resourceVersionMatch=NotOlderThan"
            ),
            WatchStart {
                mode: ReadMode::NotOlderThan(9),
                send_initial_events: true,
                initial_events_end_bookmark: false
            }
        );
        assert_eq!(
            start("watch=1&sendInitialEvents=false&resourceVersionMatch=NotOlderThan"),
            WatchStart {
                mode: ReadMode::Consistent,
                send_initial_events: false,
                initial_events_end_bookmark: false
            }
        );
        assert_eq!(
            GetOptions::parse(&q("")).unwrap().read_mode(),
            ReadMode::Consistent
        );
        assert_eq!(
            GetOptions::parse(&q("resourceVersion=0"))
                .unwrap()
                .read_mode(),
            ReadMode::Any
        );
        assert_eq!(
            GetOptions::parse(&q("resourceVersion=4"))
                .unwrap()
                .read_mode(),
            ReadMode::NotOlderThan(4)
        );
    }

    #[test]
    fn write_options() {
        let o = WriteOptions::parse_create(&q(
            "dryRun=All&fieldManager=kubectl&fieldValidation=Strict",
        ))
        .unwrap();
        assert!(o.dry_run);
        assert_eq!(o.field_manager.as_deref(), Some("kubectl"));
        assert_eq!(o.field_validation, FieldValidation::Strict);
        let d = WriteOptions::parse_update(&q("")).unwrap();
        assert_eq!(
            d,
            WriteOptions {
                dry_run: false,
                field_manager: None,
                field_validation: FieldValidation::Warn
            }
        );
        assert_eq!(
            WriteOptions::parse_create(&q("fieldValidation="))
                .unwrap()
                .field_validation,
            FieldValidation::Warn
        );
        assert_eq!(
            WriteOptions::parse_create(&q("fieldValidation=Ignore"))
                .unwrap()
                .field_validation,
            FieldValidation::Ignore
        );

        let e = WriteOptions::parse_create(&q("dryRun=true")).unwrap_err();
        assert_eq!(e.code(), 422);
        assert_eq!(
            e.status.message,
            "CreateOptions.meta.k8s.io \"\" is invalid: dryRun: Unsupported value: []string{\"true\"}: supported values: \"All\""
        );
        assert_eq!(
            WriteOptions::parse_update(&q("fieldValidation=strict"))
                .unwrap_err()
                .status
                .message,
            "UpdateOptions.meta.k8s.io \"\" is invalid: fieldValidation: Unsupported value: \"strict\": supported values: \"\", \"Ignore\", \"Strict\", \"Warn\""
        );
        let long = "m".repeat(129);
        assert_eq!(
            WriteOptions::parse_create(&q(&format!("fieldManager={long}")))
                .unwrap_err()
                .status
                .message,
            "CreateOptions.meta.k8s.io \"\" is invalid: fieldManager: Too long: may not be more than 128 bytes"
        );
        assert!(
            WriteOptions::parse_create(&q(&format!("fieldManager={}", "m".repeat(128)))).is_ok()
        );
        let e = WriteOptions::parse_create(&q("fieldManager=a%07b")).unwrap_err();
        assert_eq!(e.code(), 422);
        assert!(e.status.message.starts_with(
            "CreateOptions.meta.k8s.io \"\" is invalid: fieldManager: Invalid value: "
        ));
        assert!(
            e.status
                .message
                .ends_with(": invalid character U+0007 (at position 1)"),
            "{}",
            e.status.message
        );
    }

    #[test]
    fn patch_types_and_options() {
        assert_eq!(
            PatchType::from_content_type(Some("application/merge-patch+json; charset=utf-8"))
                .unwrap(),
            PatchType::Merge
        );
        assert_eq!(
            PatchType::from_content_type(Some("application/json-patch+json")).unwrap(),
            PatchType::Json
        );
        assert_eq!(
            PatchType::from_content_type(Some("application/apply-patch+yaml")).unwrap(),
            PatchType::Apply
        );
        let e = PatchType::from_content_type(Some("application/strategic-merge-patch+json"))
            .unwrap_err();
        assert_eq!(e.code(), 415);
        assert_eq!(
            e.status.message,
            "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml"
        );
        assert_eq!(PatchType::from_content_type(None).unwrap_err().code(), 415);

        let o =
            PatchOptions::parse(&q("fieldManager=kubectl&force=true"), PatchType::Apply).unwrap();
        assert!(o.force);
        assert_eq!(
            PatchOptions::parse(&q("force=false"), PatchType::Merge)
                .unwrap_err()
                .status
                .message,
            "PatchOptions.meta.k8s.io \"\" is invalid: force: Forbidden: may not be specified for non-apply patch"
        );
        assert_eq!(
            PatchOptions::parse(&q(""), PatchType::Apply)
                .unwrap_err()
                .status
                .message,
            "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch"
        );
        assert!(!PatchOptions::parse(&q(""), PatchType::Json).unwrap().force);
        let long = "m".repeat(129);
        assert_eq!(
            PatchOptions::parse(&q(&format!("fieldManager={long}")), PatchType::Apply)
                .unwrap_err()
                .status
                .message,
            "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Too long: may not be more than 128 bytes"
        );
    }

    #[test]
    fn manager_or_user_agent_as_kube() {
        let ua = Some("kubectl/v1.33.0 (linux/amd64) kubernetes/abc");
        assert_eq!(manager_or_user_agent(Some("m"), ua).as_deref(), Some("m"));
        assert_eq!(manager_or_user_agent(None, ua).as_deref(), Some("kubectl"));
        assert_eq!(
            manager_or_user_agent(Some(""), ua).as_deref(),
            Some("kubectl")
        );
        assert_eq!(
            manager_or_user_agent(None, Some("kubectl-client-side-apply")).as_deref(),
            Some("kubectl-client-side-apply")
        );
        assert_eq!(manager_or_user_agent(None, None), None);
        assert_eq!(manager_or_user_agent(None, Some("/x")), None);
    }

    #[test]
    fn manager_from_user_agent_drops_unprintables_and_truncates_as_kube() {
        // prefixFromUserAgent: unprintable runes are skipped (a space is printable).
        assert_eq!(
            manager_or_user_agent(None, Some("my\u{7}tool\u{200b} x\u{a0}y\tz/1.0")).as_deref(),
            Some("mytool xyz")
        );
        assert_eq!(manager_or_user_agent(None, Some("\u{1}\u{2}/v1")), None);
        // Cut to 128 bytes, never inside a character.
        let long = "a".repeat(200);
        assert_eq!(
            manager_or_user_agent(None, Some(&long)).unwrap(),
            "a".repeat(128)
        );
        let multi = format!("{}é", "a".repeat(127));
        assert_eq!(
            manager_or_user_agent(None, Some(&multi)).unwrap(),
            "a".repeat(127)
        );
        let unicode = "ü".repeat(100);
        assert_eq!(
            manager_or_user_agent(None, Some(&unicode)).unwrap(),
            "ü".repeat(64)
        );
        // A fieldManager is taken as given.
        assert_eq!(manager_or_user_agent(Some(&long), None).unwrap(), long);
    }

    #[test]
    fn delete_options_from_body_or_query() {
        let body = br#"{"kind":"DeleteOptions","apiVersion":"meta.k8s.io/v1","propagationPolicy":"Foreground","gracePeriodSeconds":0,"preconditions":{"uid":"u1","resourceVersion":"5"},"dryRun":["All"]}"#;
        let o = DeleteOptions::parse(body, &q("propagationPolicy=Orphan")).unwrap();
        assert_eq!(o.propagation_policy, Some(PropagationPolicy::Foreground));
        assert_eq!(o.grace_period_seconds, Some(0));
        assert_eq!(o.preconditions.uid.as_deref(), Some("u1"));
        assert_eq!(o.preconditions.resource_version.as_deref(), Some("5"));
        assert!(o.dry_run);
        assert!(
            DeleteOptions::parse(br#"{"apiVersion":"v1","kind":"DeleteOptions"}"#, &q("")).is_ok()
        );

        let o = DeleteOptions::parse(
            b"",
            &q("propagationPolicy=Background&gracePeriodSeconds=30"),
        )
        .unwrap();
        assert_eq!(o.propagation_policy, Some(PropagationPolicy::Background));
        assert_eq!(o.grace_period_seconds, Some(30));
        let o = DeleteOptions::parse(b"  ", &q("orphanDependents=false")).unwrap();
        assert_eq!(o.orphan_dependents, Some(false));

        let e = DeleteOptions::parse(
            br#"{"orphanDependents":true,"propagationPolicy":"Background"}"#,
            &q(""),
        )
        .unwrap_err();
        assert_eq!(e.code(), 422);
        assert_eq!(
            e.status.message,
            "DeleteOptions.meta.k8s.io \"\" is invalid: propagationPolicy: Invalid value: \"Background\": orphanDependents and deletionPropagation cannot be both set"
        );
        assert_eq!(
            DeleteOptions::parse(b"", &q("propagationPolicy=bg"))
                .unwrap_err()
                .status
                .message,
            "DeleteOptions.meta.k8s.io \"\" is invalid: propagationPolicy: Unsupported value: \"bg\": supported values: \"Foreground\", \"Background\", \"Orphan\", \"nil\""
        );
        assert_eq!(
            DeleteOptions::parse(b"{not json", &q(""))
                .unwrap_err()
                .code(),
            400
        );
        assert_eq!(
            DeleteOptions::parse(br#"{"apiVersion":"argoproj.io/v1alpha1"}"#, &q(""))
                .unwrap_err()
                .code(),
            400
        );
        assert_eq!(
            DeleteOptions::parse(br#"{"kind":"Application"}"#, &q(""))
                .unwrap_err()
                .code(),
            400
        );
        assert_eq!(
            DeleteOptions::parse(b"", &q("dryRun=Yes"))
                .unwrap_err()
                .code(),
            422
        );
    }

    #[test]
    fn table_options() {
        assert_eq!(
            TableOptions::parse(&q("")).unwrap().include_object,
            IncludeObject::Metadata
        );
        assert_eq!(
            TableOptions::parse(&q("includeObject=Object"))
                .unwrap()
                .include_object,
            IncludeObject::Object
        );
        assert_eq!(
            TableOptions::parse(&q("includeObject=None"))
                .unwrap()
                .include_object,
            IncludeObject::None
        );
        let e = TableOptions::parse(&q("includeObject=All")).unwrap_err();
        assert_eq!(e.code(), 400);
        assert_eq!(
            e.status.message,
            "Unable to convert to Table as requested: includeObject: Invalid value: \"All\": must be 'Metadata', 'Object', 'None', or empty"
        );
    }
}
