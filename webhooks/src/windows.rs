//! AppProject sync windows, as Argo CD evaluates them (`pkg/apis/application/v1alpha1/types.go`:
//! `SyncWindows.Matches`, `Active`, `InactiveAllows`, `CanSync`, `canSyncAtTime`,
//! `SyncWindow.Active`, `Validate`, `HashIdentity`; `ValidateProject` for the project-level
//! checks).
//!
//! Every function takes the evaluation instant as an argument; nothing reads the wall clock.

use std::collections::HashSet;

use argo_openapi::types::cd::{Application, SyncWindow};
use argo_openapi::validation::{FieldError, FieldErrorType};
use jiff::civil::DateTime;
use jiff::tz::{Offset, TimeZone};
use jiff::{SignedDuration, Timestamp};
use serde_json::Value;

use crate::cron::{CronError, Schedule};
use crate::glob::{Glob, glob_match};

/// Why a window cannot be evaluated. The texts are upstream's.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum WindowError {
    #[error("cannot parse schedule '{schedule}': {source}")]
    Schedule {
        schedule: String,
        #[source]
        source: CronError,
    },
    #[error("cannot parse duration '{duration}': {message}")]
    Duration { duration: String, message: String },
    /// What `CanSync` returns: the window's own error under upstream's prefix. The Sync API
    /// prints it as "cannot sync: invalid sync window: <this>".
    #[error("invalid sync windows: {0}")]
    Invalid(Box<WindowError>),
}

/// The outcome of [`can_sync`].
#[derive(Debug, Clone, PartialEq)]
pub enum SyncVerdict {
    Allowed,
    Blocked {
        /// [`describe`] of the deciding window.
        window: String,
        /// When syncing may become possible, if known: the end of the active deny windows, or
        /// the next opening of an allow window.
        until: Option<Timestamp>,
    },
}

/// How messages name a window: `deny window '0 22 * * *' (1h, Europe/Paris) "freeze"`.
pub fn describe(w: &SyncWindow) -> String {
    let mut s = format!(
        "{} window '{}' ({}",
        w.kind.as_deref().unwrap_or(""),
        w.schedule.as_deref().unwrap_or(""),
        w.duration.as_deref().unwrap_or("")
    );
    if let Some(tz) = w.time_zone.as_deref().filter(|tz| !tz.is_empty()) {
        s.push_str(", ");
        s.push_str(tz);
    }
    s.push(')');
    if let Some(d) = w.description.as_deref().filter(|d| !d.is_empty()) {
        s.push_str(" \"");
        s.push_str(d);
        s.push('"');
    }
    s
}

/// Upstream `globMatch(pattern, value, false)`: `*` matches anything, no separators, no negation.
fn window_glob(pattern: &str, value: &str) -> bool {
    pattern == "*" || glob_match(pattern, value, &[])
}

/// A window selector pattern, as written or compiled.
trait Selector {
    fn selects(&self, value: &str) -> bool;
}

impl Selector for String {
    fn selects(&self, value: &str) -> bool {
        window_glob(self, value)
    }
}

/// [`window_glob`] compiled once.
#[derive(Clone, Debug)]
struct WindowGlob {
    any: bool,
    glob: Glob,
}

impl WindowGlob {
    fn new(pattern: &str) -> WindowGlob {
        WindowGlob {
            any: pattern == "*",
            glob: Glob::new(pattern, &[]),
        }
    }
}

impl Selector for WindowGlob {
    fn selects(&self, value: &str) -> bool {
        self.any || self.glob.is_match(value)
    }
}

/// What window selectors read of an application.
struct AppTarget<'a> {
    name: &'a str,
    dst_name: &'a str,
    dst_server: &'a str,
    dst_ns: &'a str,
}

impl<'a> AppTarget<'a> {
    fn of(app: &'a Application) -> AppTarget<'a> {
        let dst = &app.spec.destination;
        AppTarget {
            name: app.metadata.name.as_deref().unwrap_or(""),
            dst_name: dst.name.as_deref().unwrap_or(""),
            dst_server: dst.server.as_deref().unwrap_or(""),
            dst_ns: dst.namespace.as_deref().unwrap_or(""),
        }
    }
}

/// Whether one window's selectors select the app (the body of upstream `Matches`).
fn selected<S: Selector>(
    and: bool,
    apps: &[S],
    clusters: &[S],
    namespaces: &[S],
    t: &AppTarget<'_>,
) -> bool {
    let mut matched = false;
    let mut is_set = false;

    if !apps.is_empty() {
        is_set = true;
        matched = apps.iter().any(|a| a.selects(t.name));
    }
    if and && is_set && !matched {
        return false;
    } else if !and && matched {
        return true;
    }

    if !clusters.is_empty() {
        is_set = true;
        matched = clusters.iter().any(|c| {
            (!t.dst_name.is_empty() && c.selects(t.dst_name))
                || (!t.dst_server.is_empty() && c.selects(t.dst_server))
        });
    }
    if and && is_set && !matched {
        return false;
    } else if !and && matched {
        return true;
    }

    if !namespaces.is_empty() {
        matched = namespaces.iter().any(|n| n.selects(t.dst_ns));
    }
    matched
}

/// The windows that apply to `app` (upstream `Matches`).
///
/// OR mode (the default): the first set selector that matches selects the window, in the order
/// applications, clusters, namespaces. AND mode (`andOperator`): every set selector must match.
/// A window with no selectors is never selected. Applications match the plain
/// `metadata.name`; clusters match the literal `spec.destination.name` or `.server` (the cluster
/// is not resolved, so a server pattern does not match an app that names its cluster).
pub fn matches<'a>(windows: &'a [SyncWindow], app: &Application) -> Vec<&'a SyncWindow> {
    let t = AppTarget::of(app);
    windows
        .iter()
        .filter(|w| {
            selected(
                w.and_operator.unwrap_or(false),
                w.applications.as_deref().unwrap_or(&[]),
                w.clusters.as_deref().unwrap_or(&[]),
                w.namespaces.as_deref().unwrap_or(&[]),
                &t,
            )
        })
        .collect()
}

/// A project's sync windows compiled once: selectors compiled, and schedule, duration and zone
/// parsed. [`CompiledWindows::matches`] and [`can_sync_compiled`] decide exactly as [`matches`]
/// and [`can_sync`] on the same windows.
#[derive(Clone, Debug, Default)]
pub struct CompiledWindows {
    windows: Vec<CompiledWindow>,
}

/// One compiled sync window.
#[derive(Clone, Debug)]
pub struct CompiledWindow {
    window: SyncWindow,
    and: bool,
    applications: Vec<WindowGlob>,
    clusters: Vec<WindowGlob>,
    namespaces: Vec<WindowGlob>,
    timing: Result<Timing, WindowError>,
}

impl CompiledWindow {
    /// Compiles one window.
    pub fn new(w: &SyncWindow) -> CompiledWindow {
        let globs = |list: &Option<Vec<String>>| -> Vec<WindowGlob> {
            list.iter().flatten().map(|p| WindowGlob::new(p)).collect()
        };
        CompiledWindow {
            window: w.clone(),
            and: w.and_operator.unwrap_or(false),
            applications: globs(&w.applications),
            clusters: globs(&w.clusters),
            namespaces: globs(&w.namespaces),
            timing: timing(w),
        }
    }

    /// The window as written.
    pub fn window(&self) -> &SyncWindow {
        &self.window
    }
}

impl CompiledWindows {
    /// Compiles `windows` (a project's `spec.syncWindows`).
    pub fn new(windows: &[SyncWindow]) -> CompiledWindows {
        CompiledWindows {
            windows: windows.iter().map(CompiledWindow::new).collect(),
        }
    }

    /// Whether there are no windows at all.
    pub fn is_empty(&self) -> bool {
        self.windows.is_empty()
    }

    /// The windows that apply to `app`, in order (see [`matches`]).
    pub fn matches(&self, app: &Application) -> Vec<&CompiledWindow> {
        let t = AppTarget::of(app);
        self.windows
            .iter()
            .filter(|w| selected(w.and, &w.applications, &w.clusters, &w.namespaces, &t))
            .collect()
    }
}

/// A window's schedule, duration and zone, parsed.
#[derive(Clone, Debug)]
struct Timing {
    schedule: Schedule,
    duration: SignedDuration,
    zone: TimeZone,
}

/// A window with its schedule, duration and zone parsed.
struct Parsed<'a> {
    window: &'a SyncWindow,
    timing: &'a Timing,
}

impl Parsed<'_> {
    fn kind_is(&self, kind: &str) -> bool {
        self.window.kind.as_deref() == Some(kind)
    }

    fn manual_sync(&self) -> bool {
        self.window.manual_sync.unwrap_or(false)
    }

    fn sync_overrun(&self) -> bool {
        self.window.sync_overrun.unwrap_or(false)
    }

    /// The zone's UTC offset at `at`.
    fn offset_at(&self, at: Timestamp) -> SignedDuration {
        SignedDuration::from_secs(i64::from(self.timing.zone.to_offset(at).seconds()))
    }

    /// Upstream `active(t)`: with `shift` = `t` + offset read as UTC wall-clock time, the window
    /// is active when `Next(shift - duration) < shift`, i.e. some fire `f` has
    /// `f < shift < f + duration` (open at both ends; never for a duration <= 0). When nothing
    /// fires within five years robfig returns the zero time, which is before everything, so an
    /// impossible schedule is always active.
    ///
    /// `offset` is passed in because upstream takes it from `time.Now()`, not from `t`.
    fn active(&self, t: Timestamp, offset: SignedDuration) -> bool {
        let Some(shift) = shifted(t, offset) else {
            return false;
        };
        match shift
            .checked_sub(self.timing.duration)
            .ok()
            .and_then(|from| self.timing.schedule.next(from))
        {
            None => true,
            Some(next) => next < shift,
        }
    }

    /// When the active period covering `now` ends (`None` when not active or never ending).
    fn active_until(&self, now: Timestamp) -> Option<Timestamp> {
        let offset = self.offset_at(now);
        if !self.active(now, offset) {
            return None;
        }
        let shift = shifted(now, offset)?;
        // Active means this fire exists and is before `shift`.
        let mut fire = self
            .timing
            .schedule
            .next(shift.checked_sub(self.timing.duration).ok()?)?;
        let mut end = fire.checked_add(self.timing.duration).ok()?;
        // Occurrences that start before the current one ends keep the window open. Bounded, so
        // a window that is open back to back for months still answers quickly (with the end of
        // the stretch examined so far).
        for _ in 0..10_000 {
            match self.timing.schedule.next(fire) {
                Some(f) if f < end => {
                    fire = f;
                    end = end.max(f.checked_add(self.timing.duration).ok()?);
                }
                _ => break,
            }
        }
        self.to_instant(end)
    }

    /// The next opening at or after `now` (`None` for an impossible schedule or a window that
    /// never opens because its duration is not positive).
    fn next_start(&self, now: Timestamp) -> Option<Timestamp> {
        if !self.timing.duration.is_positive() {
            return None;
        }
        let shift = shifted(now, self.offset_at(now))?;
        // A fire exactly at `now` counts: the window opens right after it.
        let from = shift.checked_sub(SignedDuration::from_nanos(1)).ok()?;
        self.to_instant(self.timing.schedule.next(from)?)
    }

    /// The instant at which the live check (offset taken at that instant) reaches the wall-clock
    /// time `local`; in a DST gap this is approximate (it resolves as jiff's "compatible").
    fn to_instant(&self, local: DateTime) -> Option<Timestamp> {
        self.timing
            .zone
            .to_ambiguous_timestamp(local)
            .compatible()
            .ok()
    }
}

/// `t + offset` as a UTC wall-clock time, as upstream's `currentTime.Add(offset)` on a UTC time.
fn shifted(t: Timestamp, offset: SignedDuration) -> Option<DateTime> {
    let t = t.checked_add(offset).ok()?;
    Some(Offset::UTC.to_datetime(t))
}

/// The window's zone. Empty means UTC; an unknown name falls back to UTC with a warning, as
/// upstream does (`time.LoadLocation` failing). Go's lookup is case-sensitive, jiff's is not, so a
/// name that only matches in another case is unknown too.
fn zone_of(w: &SyncWindow) -> TimeZone {
    let name = w.time_zone.as_deref().unwrap_or("");
    if name.is_empty() || name == "UTC" {
        return TimeZone::UTC;
    }
    match TimeZone::get(name) {
        Ok(tz) if tz.iana_name().is_none_or(|n| n == name) => tz,
        _ => {
            tracing::warn!("Invalid time zone {name} specified. Using UTC as default time zone");
            TimeZone::UTC
        }
    }
}

fn timing(w: &SyncWindow) -> Result<Timing, WindowError> {
    let schedule_str = w.schedule.as_deref().unwrap_or("");
    let schedule = Schedule::parse(schedule_str).map_err(|source| WindowError::Schedule {
        schedule: schedule_str.to_string(),
        source,
    })?;
    let duration_str = w.duration.as_deref().unwrap_or("");
    let duration = parse_go_duration(duration_str).map_err(|message| WindowError::Duration {
        duration: duration_str.to_string(),
        message,
    })?;
    Ok(Timing {
        schedule,
        duration,
        zone: zone_of(w),
    })
}

/// Whether one window is active at `now` (upstream `SyncWindow.Active`).
///
/// The zone offset is the one in force at `now`. Upstream reads it from `time.Now()` whatever
/// instant it evaluates; for a live check that is the same thing. For historical checks
/// (`canSyncAtTime`, at an operation's start) upstream therefore applies today's offset, which
/// is off by an hour across a DST change; [`can_sync`] keeps that quirk by passing the live
/// offset.
pub fn is_active(w: &SyncWindow, now: Timestamp) -> Result<bool, WindowError> {
    let timing = timing(w)?;
    let p = Parsed {
        window: w,
        timing: &timing,
    };
    Ok(p.active(now, p.offset_at(now)))
}

/// When an active window stops being active: the end (fire + duration) of the occurrence
/// covering `now`, extended by occurrences that start before it ends. `None` if the window is not
/// active, cannot be parsed, or has an impossible schedule (active for ever).
pub fn active_until(w: &SyncWindow, now: Timestamp) -> Option<Timestamp> {
    let timing = timing(w).ok()?;
    Parsed {
        window: w,
        timing: &timing,
    }
    .active_until(now)
}

/// The next time the window opens: its first fire at or after `now` (for an active window, the
/// start of its next occurrence). `None` if it cannot be parsed, never fires, or has a duration
/// that is not positive.
pub fn next_start(w: &SyncWindow, now: Timestamp) -> Option<Timestamp> {
    let timing = timing(w).ok()?;
    Parsed {
        window: w,
        timing: &timing,
    }
    .next_start(now)
}

/// The windows active at `now` (upstream `SyncWindows.Active`, whose errors are not prefixed).
pub fn active_windows<'a>(
    windows: &[&'a SyncWindow],
    now: Timestamp,
) -> Result<Vec<&'a SyncWindow>, WindowError> {
    let mut out = Vec::new();
    for w in windows {
        let timing = timing(w)?;
        let p = Parsed {
            window: w,
            timing: &timing,
        };
        if p.active(now, p.offset_at(now)) {
            out.push(*w);
        }
    }
    Ok(out)
}

/// Whether a sync may run now, given the windows that [`matches`] the app (upstream `CanSync`).
///
/// - Any active deny window blocks, unless the sync is manual and every active deny window has
///   `manualSync`, or the operation started (`operation_start`) at a time it was allowed and
///   every active deny window has `syncOverrun`.
/// - Otherwise an active allow window allows.
/// - Otherwise, if there are allow windows (all inactive), the sync is blocked unless it is
///   manual and all of them have `manualSync`, or it started at an allowed time and all of them
///   have `syncOverrun`.
/// - No matched windows: allowed.
///
/// Windows whose kind is neither `allow` nor `deny` are evaluated (and must parse) but never
/// decide anything, as upstream.
pub fn can_sync(
    matched: &[&SyncWindow],
    is_manual: bool,
    operation_start: Option<Timestamp>,
    now: Timestamp,
) -> Result<SyncVerdict, WindowError> {
    if matched.is_empty() {
        return Ok(SyncVerdict::Allowed);
    }
    let timings = matched
        .iter()
        .map(|w| timing(w))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| WindowError::Invalid(Box::new(e)))?;
    let parsed: Vec<Parsed> = matched
        .iter()
        .zip(&timings)
        .map(|(w, timing)| Parsed { window: w, timing })
        .collect();
    decide(&parsed, is_manual, operation_start, now)
}

/// [`can_sync`] over compiled windows (those [`CompiledWindows::matches`] selected): the same
/// decision, without parsing anything.
pub fn can_sync_compiled(
    matched: &[&CompiledWindow],
    is_manual: bool,
    operation_start: Option<Timestamp>,
    now: Timestamp,
) -> Result<SyncVerdict, WindowError> {
    if matched.is_empty() {
        return Ok(SyncVerdict::Allowed);
    }
    let parsed = matched
        .iter()
        .map(|w| match &w.timing {
            Ok(timing) => Ok(Parsed {
                window: &w.window,
                timing,
            }),
            Err(e) => Err(WindowError::Invalid(Box::new(e.clone()))),
        })
        .collect::<Result<Vec<_>, _>>()?;
    decide(&parsed, is_manual, operation_start, now)
}

/// The body of upstream `CanSync` over parsed windows (at least one).
fn decide(
    parsed: &[Parsed],
    is_manual: bool,
    operation_start: Option<Timestamp>,
    now: Timestamp,
) -> Result<SyncVerdict, WindowError> {
    // Upstream skips the overrun branch for a nil or zero (0001-01-01T00:00:00Z) start time.
    let operation_start = operation_start.filter(|t| t.as_second() != GO_ZERO_TIME_UNIX);
    let live: Vec<SignedDuration> = parsed.iter().map(|p| p.offset_at(now)).collect();
    let active: Vec<bool> = parsed
        .iter()
        .zip(&live)
        .map(|(p, off)| p.active(now, *off))
        .collect();

    let active_denies: Vec<&Parsed> = parsed
        .iter()
        .zip(&active)
        .filter(|(p, a)| **a && p.kind_is("deny"))
        .map(|(p, _)| p)
        .collect();
    if !active_denies.is_empty() {
        if is_manual && active_denies.iter().all(|p| p.manual_sync()) {
            return Ok(SyncVerdict::Allowed);
        }
        if let Some(start) = operation_start
            && active_denies.iter().all(|p| p.sync_overrun())
            && can_sync_at(parsed, &live, is_manual, start)
        {
            return Ok(SyncVerdict::Allowed);
        }
        // The block lasts until the last of the active deny windows closes.
        let until = active_denies
            .iter()
            .map(|p| p.active_until(now))
            .collect::<Option<Vec<_>>>()
            .and_then(|ends| ends.into_iter().max());
        return Ok(SyncVerdict::Blocked {
            window: describe(active_denies[0].window),
            until,
        });
    }

    if parsed
        .iter()
        .zip(&active)
        .any(|(p, a)| *a && p.kind_is("allow"))
    {
        return Ok(SyncVerdict::Allowed);
    }

    let inactive_allows: Vec<&Parsed> = parsed
        .iter()
        .zip(&active)
        .filter(|(p, a)| !**a && p.kind_is("allow"))
        .map(|(p, _)| p)
        .collect();
    if !inactive_allows.is_empty() {
        if is_manual && inactive_allows.iter().all(|p| p.manual_sync()) {
            return Ok(SyncVerdict::Allowed);
        }
        if let Some(start) = operation_start
            && inactive_allows.iter().all(|p| p.sync_overrun())
            && can_sync_at(parsed, &live, is_manual, start)
        {
            return Ok(SyncVerdict::Allowed);
        }
        // Syncing becomes possible when the first of them opens.
        let until = inactive_allows
            .iter()
            .filter_map(|p| p.next_start(now))
            .min();
        return Ok(SyncVerdict::Blocked {
            window: describe(inactive_allows[0].window),
            until,
        });
    }

    Ok(SyncVerdict::Allowed)
}

/// Go's zero `time.Time` as Unix seconds.
const GO_ZERO_TIME_UNIX: i64 = -62_135_596_800;

/// Upstream `canSyncAtTime`: the same decision at `at`, without the overrun branch, with each
/// window's offset taken from the live clock (`live`), as upstream does.
fn can_sync_at(parsed: &[Parsed], live: &[SignedDuration], is_manual: bool, at: Timestamp) -> bool {
    let active: Vec<bool> = parsed
        .iter()
        .zip(live)
        .map(|(p, off)| p.active(at, *off))
        .collect();
    let mut denies = parsed
        .iter()
        .zip(&active)
        .filter(|(p, a)| **a && p.kind_is("deny"))
        .peekable();
    if denies.peek().is_some() {
        return is_manual && denies.all(|(p, _)| p.manual_sync());
    }
    if parsed
        .iter()
        .zip(&active)
        .any(|(p, a)| *a && p.kind_is("allow"))
    {
        return true;
    }
    let mut inactive_allows = parsed
        .iter()
        .zip(&active)
        .filter(|(p, a)| !**a && p.kind_is("allow"))
        .peekable();
    if inactive_allows.peek().is_some() {
        return is_manual && inactive_allows.all(|(p, _)| p.manual_sync());
    }
    true
}

/// Upstream `SyncWindow.Validate`, every problem rather than the first (the first is upstream's
/// error). An unknown `timeZone` is not an error: upstream rewrites it to UTC with a warning.
pub fn validate_window(w: &SyncWindow) -> Vec<String> {
    let mut errs = Vec::new();
    let kind = w.kind.as_deref().unwrap_or("");
    if kind != "allow" && kind != "deny" {
        errs.push(kind_error(kind));
    }
    if let Some(e) = schedule_error(w) {
        errs.push(e);
    }
    if let Some(e) = duration_error(w) {
        errs.push(e);
    }
    if description_too_long(w) {
        errs.push(DESCRIPTION_TOO_LONG.to_string());
    }
    errs
}

const DESCRIPTION_TOO_LONG: &str = "description must not exceed 255 characters";

fn kind_error(kind: &str) -> String {
    format!("kind '{kind}' mismatch: can only be allow or deny")
}

fn schedule_error(w: &SyncWindow) -> Option<String> {
    let schedule = w.schedule.as_deref().unwrap_or("");
    Schedule::parse(schedule)
        .err()
        .map(|e| format!("cannot parse schedule '{schedule}': {e}"))
}

fn duration_error(w: &SyncWindow) -> Option<String> {
    let duration = w.duration.as_deref().unwrap_or("");
    parse_go_duration(duration)
        .err()
        .map(|e| format!("cannot parse duration '{duration}': {e}"))
}

/// Go's `len` counts bytes, so the limit is 255 bytes of UTF-8.
fn description_too_long(w: &SyncWindow) -> bool {
    w.description.as_deref().unwrap_or("").len() > 255
}

/// The sync-window part of upstream `ValidateProject`, reporting every problem of every window:
/// duplicates (same identity hash as an earlier window), each window's `Validate` problems (at
/// the offending field), and windows that select nothing.
pub fn validate_windows(windows: &[SyncWindow]) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let mut seen = HashSet::new();
    for (i, w) in windows.iter().enumerate() {
        let path = format!("spec.syncWindows[{i}]");
        let kind = w.kind.as_deref().unwrap_or("");
        let schedule = w.schedule.as_deref().unwrap_or("");
        let duration = w.duration.as_deref().unwrap_or("");

        let hash = hash_identity(w);
        if !seen.insert(hash) {
            errs.push(FieldError::new(
                path.clone(),
                FieldErrorType::Duplicate,
                None,
                format!(
                    "sync window with kind '{kind}', schedule '{schedule}', and duration \
                     '{duration}' already exists (hash={hash}, duplicate detected)"
                ),
            ));
        }
        if kind != "allow" && kind != "deny" {
            errs.push(FieldError::invalid(
                format!("{path}.kind"),
                Value::String(kind.to_string()),
                kind_error(kind),
            ));
        }
        if let Some(e) = schedule_error(w) {
            errs.push(FieldError::invalid(
                format!("{path}.schedule"),
                Value::String(schedule.to_string()),
                e,
            ));
        }
        if let Some(e) = duration_error(w) {
            errs.push(FieldError::invalid(
                format!("{path}.duration"),
                Value::String(duration.to_string()),
                e,
            ));
        }
        if description_too_long(w) {
            errs.push(FieldError::new(
                format!("{path}.description"),
                FieldErrorType::TooLong,
                None,
                DESCRIPTION_TOO_LONG,
            ));
        }
        let empty = |v: &Option<Vec<String>>| v.as_deref().is_none_or(|v| v.is_empty());
        if empty(&w.applications) && empty(&w.namespaces) && empty(&w.clusters) {
            errs.push(FieldError::required(
                path,
                format!(
                    "window '{kind}':'{schedule}':'{duration}' requires one of application, \
                     cluster or namespace"
                ),
            ));
        }
    }
    errs
}

/// A window's identity for duplicate detection: kind, schedule, duration, applications,
/// namespaces, clusters, timeZone and andOperator (not manualSync, description or syncOverrun),
/// each as written (so an absent `timeZone` differs from `"UTC"`, as upstream hashes before
/// defaulting). Upstream hashes a gob encoding with xxhash; the value only has to be stable, so
/// this is FNV-1a 64 over a length-prefixed encoding, where absent equals empty as in gob.
pub fn hash_identity(w: &SyncWindow) -> u64 {
    let mut h = Fnv(0xcbf2_9ce4_8422_2325);
    let s = |v: &Option<String>| v.as_deref().unwrap_or("").to_string();
    for field in [&w.kind, &w.schedule, &w.duration] {
        h.str(&s(field));
    }
    for list in [&w.applications, &w.namespaces, &w.clusters] {
        let list = list.as_deref().unwrap_or(&[]);
        h.bytes(&(list.len() as u64).to_le_bytes());
        for item in list {
            h.str(item);
        }
    }
    h.str(&s(&w.time_zone));
    h.bytes(&[u8::from(w.and_operator.unwrap_or(false))]);
    h.0
}

struct Fnv(u64);

impl Fnv {
    fn bytes(&mut self, b: &[u8]) {
        for &byte in b {
            self.0 ^= u64::from(byte);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn str(&mut self, s: &str) {
        self.bytes(&(s.len() as u64).to_le_bytes());
        self.bytes(s.as_bytes());
    }
}

/// Go's `time.ParseDuration`: a sequence of decimal numbers with optional fraction and a unit
/// (`ns`, `us`/`µs`/`μs`, `ms`, `s`, `m`, `h`; no `d`), optionally signed; `"0"` alone needs no
/// unit. Errors are Go's texts.
pub fn parse_go_duration(orig: &str) -> Result<SignedDuration, String> {
    let invalid = || format!("time: invalid duration {}", go_quote(orig));
    let mut s = orig.as_bytes();
    let mut d: u64 = 0;
    let mut neg = false;
    if let Some(&c) = s.first()
        && (c == b'-' || c == b'+')
    {
        neg = c == b'-';
        s = &s[1..];
    }
    if s == b"0" {
        return Ok(SignedDuration::ZERO);
    }
    if s.is_empty() {
        return Err(invalid());
    }
    const OVER: u64 = 1 << 63;
    while !s.is_empty() {
        if !(s[0] == b'.' || s[0].is_ascii_digit()) {
            return Err(invalid());
        }
        // Integer part.
        let mut v: u64 = 0;
        let mut i = 0;
        while i < s.len() && s[i].is_ascii_digit() {
            if v > OVER / 10 {
                return Err(invalid());
            }
            v = v * 10 + u64::from(s[i] - b'0');
            if v > OVER {
                return Err(invalid());
            }
            i += 1;
        }
        let pre = i > 0;
        s = &s[i..];
        // Fraction: stops gaining precision on overflow instead of failing.
        let (mut f, mut scale, mut post) = (0u64, 1f64, false);
        if s.first() == Some(&b'.') {
            s = &s[1..];
            let mut i = 0;
            let mut overflow = false;
            while i < s.len() && s[i].is_ascii_digit() {
                if !overflow {
                    if f > (OVER - 1) / 10 {
                        overflow = true;
                    } else {
                        let y = f * 10 + u64::from(s[i] - b'0');
                        if y > OVER {
                            overflow = true;
                        } else {
                            f = y;
                            scale *= 10.0;
                        }
                    }
                }
                i += 1;
            }
            post = i > 0;
            s = &s[i..];
        }
        if !pre && !post {
            return Err(invalid());
        }
        // Unit.
        let i = s
            .iter()
            .position(|&c| c == b'.' || c.is_ascii_digit())
            .unwrap_or(s.len());
        if i == 0 {
            return Err(format!("time: missing unit in duration {}", go_quote(orig)));
        }
        // The unit ends at an ASCII byte or the end, so it is valid UTF-8.
        let unit_str = std::str::from_utf8(&s[..i]).unwrap_or("");
        s = &s[i..];
        let unit: u64 = match unit_str {
            "ns" => 1,
            "us" | "\u{b5}s" | "\u{3bc}s" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60 * 1_000_000_000,
            "h" => 3_600 * 1_000_000_000,
            _ => {
                return Err(format!(
                    "time: unknown unit {} in duration {}",
                    go_quote(unit_str),
                    go_quote(orig)
                ));
            }
        };
        if v > OVER / unit {
            return Err(invalid());
        }
        v *= unit;
        if f > 0 {
            v += (f as f64 * (unit as f64 / scale)) as u64;
            if v > OVER {
                return Err(invalid());
            }
        }
        d += v;
        if d > OVER {
            return Err(invalid());
        }
    }
    let nanos = if neg {
        (d as i64).wrapping_neg()
    } else if d > OVER - 1 {
        return Err(invalid());
    } else {
        d as i64
    };
    Ok(SignedDuration::from_nanos(nanos))
}

/// Go's `time.quote`: double quotes, `"` and `\` escaped, and every byte of a non-ASCII or
/// control character as `\xNN`.
fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if (c as u32) >= 0x80 || c < ' ' {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("\\x{b:02x}"));
            }
        } else {
            if c == '"' || c == '\\' {
                out.push('\\');
            }
            out.push(c);
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use argo_openapi::types::cd::ApplicationDestination;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn win(kind: &str, schedule: &str, duration: &str) -> SyncWindow {
        SyncWindow {
            kind: Some(kind.into()),
            schedule: Some(schedule.into()),
            duration: Some(duration.into()),
            applications: Some(vec!["*".into()]),
            ..Default::default()
        }
    }

    fn in_zone(mut w: SyncWindow, tz: &str) -> SyncWindow {
        w.time_zone = Some(tz.into());
        w
    }

    fn manual(mut w: SyncWindow) -> SyncWindow {
        w.manual_sync = Some(true);
        w
    }

    fn overrun(mut w: SyncWindow) -> SyncWindow {
        w.sync_overrun = Some(true);
        w
    }

    fn active(w: &SyncWindow, now: &str) -> bool {
        is_active(w, ts(now)).unwrap()
    }

    fn app(name: &str, server: Option<&str>, dst_name: Option<&str>, ns: &str) -> Application {
        let mut a = Application::default();
        a.metadata.name = Some(name.into());
        a.spec.destination = ApplicationDestination {
            server: server.map(Into::into),
            name: dst_name.map(Into::into),
            namespace: Some(ns.into()),
        };
        a
    }

    fn verdict(
        windows: &[SyncWindow],
        is_manual: bool,
        start: Option<&str>,
        now: &str,
    ) -> SyncVerdict {
        let refs: Vec<&SyncWindow> = windows.iter().collect();
        can_sync_all_ways(&refs, is_manual, start.map(ts), ts(now)).unwrap()
    }

    /// The windows `matches` selects, checked against the pre-compilation implementation
    /// (kept here verbatim) and against `CompiledWindows::matches`.
    fn matches_all_ways<'a>(windows: &'a [SyncWindow], app: &Application) -> Vec<&'a SyncWindow> {
        let m = matches(windows, app);
        assert_eq!(m, reference_matches(windows, app), "reference");
        let compiled = CompiledWindows::new(windows);
        let c: Vec<&SyncWindow> = compiled
            .matches(app)
            .into_iter()
            .map(|w| w.window())
            .collect();
        assert_eq!(m, c, "compiled");
        m
    }

    /// `matches` as it was before the compiled variant.
    fn reference_matches<'a>(windows: &'a [SyncWindow], app: &Application) -> Vec<&'a SyncWindow> {
        let name = app.metadata.name.as_deref().unwrap_or("");
        let dst = &app.spec.destination;
        let dst_name = dst.name.as_deref().unwrap_or("");
        let dst_server = dst.server.as_deref().unwrap_or("");
        let dst_ns = dst.namespace.as_deref().unwrap_or("");
        let mut out = Vec::new();
        for window in windows {
            let and = window.and_operator.unwrap_or(false);
            let mut matched = false;
            let mut is_set = false;
            let apps = window.applications.as_deref().unwrap_or(&[]);
            if !apps.is_empty() {
                is_set = true;
                matched = apps.iter().any(|a| window_glob(a, name));
            }
            if and && is_set && !matched {
                continue;
            } else if !and && matched {
                out.push(window);
                continue;
            }
            let clusters = window.clusters.as_deref().unwrap_or(&[]);
            if !clusters.is_empty() {
                is_set = true;
                matched = clusters.iter().any(|c| {
                    (!dst_name.is_empty() && window_glob(c, dst_name))
                        || (!dst_server.is_empty() && window_glob(c, dst_server))
                });
            }
            if and && is_set && !matched {
                continue;
            } else if !and && matched {
                out.push(window);
                continue;
            }
            let namespaces = window.namespaces.as_deref().unwrap_or(&[]);
            if !namespaces.is_empty() {
                matched = namespaces.iter().any(|n| window_glob(n, dst_ns));
            }
            if matched {
                out.push(window);
            }
        }
        out
    }

    /// `can_sync`, checked against `can_sync_compiled` on the same windows compiled.
    fn can_sync_all_ways(
        matched: &[&SyncWindow],
        is_manual: bool,
        operation_start: Option<Timestamp>,
        now: Timestamp,
    ) -> Result<SyncVerdict, WindowError> {
        let plain = can_sync(matched, is_manual, operation_start, now);
        let compiled: Vec<CompiledWindow> =
            matched.iter().map(|w| CompiledWindow::new(w)).collect();
        let refs: Vec<&CompiledWindow> = compiled.iter().collect();
        assert_eq!(
            plain,
            can_sync_compiled(&refs, is_manual, operation_start, now),
            "compiled"
        );
        plain
    }

    #[test]
    fn compiled_windows_decide_as_written_ones_around_the_clock() {
        let windows = [
            in_zone(win("deny", "0 22 * * *", "1h"), "Europe/Paris"),
            overrun(win("deny", "30 9 * * 1-5", "90m")),
            manual(win("allow", "0 12 * * *", "1h")),
            in_zone(win("allow", "0 3 1 * *", "25h"), "America/New_York"),
        ];
        let mut now = ts("2025-03-01T00:00:00Z");
        // Every 37 minutes for five weeks, across the March DST changes.
        for _ in 0..1400 {
            for n in 1..=windows.len() {
                let refs: Vec<&SyncWindow> = windows[..n].iter().collect();
                for manual in [false, true] {
                    let _ = can_sync_all_ways(&refs, manual, Some(ts("2025-03-10T09:00:00Z")), now);
                }
            }
            now = now.checked_add(SignedDuration::from_mins(37)).unwrap();
        }
        // Windows that do not parse fail the same way, on the first bad one.
        let bad = [
            win("deny", "61 * * * *", "1h"),
            win("deny", "* * * * *", "1x"),
        ];
        for w in &bad {
            let refs = vec![&windows[0], w];
            assert!(can_sync_all_ways(&refs, false, None, now).is_err());
        }
    }

    fn blocked(window: &SyncWindow, until: Option<&str>) -> SyncVerdict {
        SyncVerdict::Blocked {
            window: describe(window),
            until: until.map(ts),
        }
    }

    #[test]
    fn active_interval_is_open_at_both_ends() {
        let w = win("deny", "0 9 * * *", "1h");
        assert!(!active(&w, "2025-03-10T08:59:59Z"));
        assert!(!active(&w, "2025-03-10T09:00:00Z"));
        assert!(active(&w, "2025-03-10T09:00:01Z"));
        assert!(active(&w, "2025-03-10T09:59:59Z"));
        assert!(!active(&w, "2025-03-10T10:00:00Z"));
    }

    #[test]
    fn non_positive_durations_are_never_active() {
        for d in ["0s", "0", "-1h"] {
            let w = win("deny", "* * * * *", d);
            assert!(!active(&w, "2025-03-10T09:00:30Z"), "{d}");
        }
    }

    #[test]
    fn schedule_is_read_in_the_window_zone() {
        let w = in_zone(win("deny", "0 9 * * *", "1h"), "America/New_York");
        // 09:30 EST.
        assert!(active(&w, "2025-01-15T14:30:00Z"));
        // 09:30 UTC is 04:30 in New York.
        assert!(!active(&w, "2025-01-15T09:30:00Z"));
        let tokyo = in_zone(win("deny", "0 9 * * *", "1h"), "Asia/Tokyo");
        assert!(active(&tokyo, "2025-01-15T00:30:00Z"));
    }

    #[test]
    fn zone_offset_is_the_one_in_force_at_now() {
        let w = in_zone(win("deny", "0 9 * * *", "1h"), "America/New_York");
        // July: EDT, UTC-4, so 09:30 local is 13:30Z and 14:30Z is 10:30 local.
        assert!(active(&w, "2025-07-15T13:30:00Z"));
        assert!(!active(&w, "2025-07-15T14:30:00Z"));
        // January: EST, UTC-5.
        assert!(!active(&w, "2025-01-15T13:30:00Z"));
        assert!(active(&w, "2025-01-15T14:30:00Z"));
    }

    #[test]
    fn empty_unknown_or_miscased_zones_mean_utc() {
        for tz in ["", "Mars/Olympus", "america/new_york"] {
            let w = in_zone(win("deny", "0 9 * * *", "1h"), tz);
            assert!(active(&w, "2025-01-15T09:30:00Z"), "{tz:?}");
            assert!(!active(&w, "2025-01-15T14:30:00Z"), "{tz:?}");
        }
    }

    #[test]
    fn impossible_schedule_is_permanently_active() {
        let w = win("deny", "0 0 30 2 *", "1h");
        assert!(active(&w, "2025-03-10T09:00:00Z"));
        assert!(active(&w, "2031-07-01T00:00:00Z"));
        assert_eq!(active_until(&w, ts("2025-03-10T09:00:00Z")), None);
        assert_eq!(next_start(&w, ts("2025-03-10T09:00:00Z")), None);
        assert_eq!(
            verdict(
                std::slice::from_ref(&w),
                false,
                None,
                "2025-03-10T09:00:00Z"
            ),
            blocked(&w, None)
        );
    }

    #[test]
    fn active_until_is_the_end_of_the_covering_occurrences() {
        let w = win("deny", "0 9 * * *", "1h");
        assert_eq!(
            active_until(&w, ts("2025-03-10T09:30:00Z")),
            Some(ts("2025-03-10T10:00:00Z"))
        );
        assert_eq!(active_until(&w, ts("2025-03-10T10:00:00Z")), None);

        // 09:00 and 09:20 occurrences of 30m overlap: open until 09:50.
        let w = win("deny", "0,20 9 * * *", "30m");
        let until = active_until(&w, ts("2025-03-10T09:10:00Z")).unwrap();
        assert_eq!(until, ts("2025-03-10T09:50:00Z"));
        assert!(is_active(&w, until - SignedDuration::from_secs(1)).unwrap());
        assert!(!is_active(&w, until).unwrap());

        let ny = in_zone(win("deny", "0 9 * * *", "1h"), "America/New_York");
        assert_eq!(
            active_until(&ny, ts("2025-07-15T13:30:00Z")),
            Some(ts("2025-07-15T14:00:00Z"))
        );
    }

    #[test]
    fn next_start_is_the_next_opening() {
        let w = win("allow", "0 9 * * *", "1h");
        assert_eq!(
            next_start(&w, ts("2025-03-10T08:00:00Z")),
            Some(ts("2025-03-10T09:00:00Z"))
        );
        // Firing exactly now: it opens now.
        assert_eq!(
            next_start(&w, ts("2025-03-10T09:00:00Z")),
            Some(ts("2025-03-10T09:00:00Z"))
        );
        assert_eq!(
            next_start(&w, ts("2025-03-10T09:30:00Z")),
            Some(ts("2025-03-11T09:00:00Z"))
        );
        let ny = in_zone(w, "America/New_York");
        let start = next_start(&ny, ts("2025-01-15T12:00:00Z")).unwrap();
        assert_eq!(start, ts("2025-01-15T14:00:00Z"));
        assert!(is_active(&ny, start + SignedDuration::from_secs(1)).unwrap());
        assert_eq!(
            next_start(&win("allow", "0 9 * * *", "0s"), ts("2025-01-15T12:00:00Z")),
            None
        );
    }

    #[test]
    fn describe_names_kind_schedule_duration_zone_and_description() {
        let w = win("deny", "0 22 * * *", "1h");
        assert_eq!(describe(&w), "deny window '0 22 * * *' (1h)");
        let mut w = in_zone(w, "Europe/Paris");
        w.description = Some("release freeze".into());
        assert_eq!(
            describe(&w),
            "deny window '0 22 * * *' (1h, Europe/Paris) \"release freeze\""
        );
    }

    #[test]
    fn matches_or_mode_takes_any_set_selector() {
        let a = app(
            "web-api",
            Some("https://kubernetes.default.svc"),
            None,
            "prod",
        );
        let mut by_app = win("deny", "* * * * *", "1h");
        by_app.applications = Some(vec!["web-*".into()]);
        let mut by_ns = win("deny", "* * * * *", "1h");
        by_ns.applications = Some(vec!["other".into()]);
        by_ns.namespaces = Some(vec!["prod".into()]);
        let mut none = win("deny", "* * * * *", "1h");
        none.applications = Some(vec!["other".into()]);
        none.namespaces = Some(vec!["staging".into()]);
        let mut app_only_miss = win("deny", "* * * * *", "1h");
        app_only_miss.applications = Some(vec!["other".into()]);
        let mut no_selectors = win("deny", "* * * * *", "1h");
        no_selectors.applications = None;
        let windows = vec![by_app, by_ns, none, app_only_miss, no_selectors];
        let m = matches_all_ways(&windows, &a);
        assert_eq!(m, vec![&windows[0], &windows[1]]);
    }

    #[test]
    fn matches_and_mode_needs_every_set_selector() {
        let a = app(
            "web-api",
            Some("https://kubernetes.default.svc"),
            None,
            "prod",
        );
        let and = |apps: &[&str], clusters: &[&str], ns: &[&str]| {
            let list =
                |v: &[&str]| (!v.is_empty()).then(|| v.iter().map(|s| s.to_string()).collect());
            SyncWindow {
                applications: list(apps),
                clusters: list(clusters),
                namespaces: list(ns),
                and_operator: Some(true),
                ..win("deny", "* * * * *", "1h")
            }
        };
        let windows = vec![
            and(&["web-*"], &[], &["prod"]),
            and(&["web-*"], &[], &["staging"]),
            and(&["other"], &[], &["prod"]),
            and(&["web-*"], &["https://kubernetes.default.svc"], &[]),
            and(&["web-*"], &["https://elsewhere"], &["prod"]),
            and(&[], &[], &["prod"]),
            and(&[], &[], &[]),
        ];
        let m = matches_all_ways(&windows, &a);
        assert_eq!(m, vec![&windows[0], &windows[3], &windows[5]]);
    }

    #[test]
    fn matches_clusters_by_literal_destination_fields() {
        let by_name = app("api", None, Some("in-cluster"), "prod");
        let by_server = app("api", Some("https://kubernetes.default.svc"), None, "prod");
        let mut server_pattern = win("deny", "* * * * *", "1h");
        server_pattern.applications = None;
        server_pattern.clusters = Some(vec!["https://kubernetes.default.svc".into()]);
        let mut name_pattern = server_pattern.clone();
        name_pattern.clusters = Some(vec!["in-cluster".into()]);
        let windows = vec![server_pattern, name_pattern];
        // The cluster is not resolved: a server pattern misses an app that names its cluster.
        assert_eq!(matches_all_ways(&windows, &by_name), vec![&windows[1]]);
        assert_eq!(matches_all_ways(&windows, &by_server), vec![&windows[0]]);
    }

    #[test]
    fn matches_uses_the_plain_app_name() {
        let mut a = app("api", Some("https://x"), None, "prod");
        a.metadata.namespace = Some("argocd".into());
        let mut w = win("deny", "* * * * *", "1h");
        w.applications = Some(vec!["argocd/api".into()]);
        let windows = vec![w];
        assert!(matches_all_ways(&windows, &a).is_empty());
    }

    #[test]
    fn no_windows_allow() {
        assert_eq!(
            verdict(&[], false, None, "2025-03-10T09:30:00Z"),
            SyncVerdict::Allowed
        );
    }

    #[test]
    fn active_deny_blocks_until_the_last_active_deny_ends() {
        let short = win("deny", "0 9 * * *", "1h");
        let long = win("deny", "0 8 * * *", "4h");
        let allow = win("allow", "0 0 * * *", "24h");
        let now = "2025-03-10T09:30:00Z";
        assert_eq!(
            verdict(
                &[short.clone(), long.clone(), allow.clone()],
                false,
                None,
                now
            ),
            blocked(&short, Some("2025-03-10T12:00:00Z"))
        );
        // Outside the deny windows the (always open) allow window allows.
        assert_eq!(
            verdict(&[short, long, allow], false, None, "2025-03-10T13:00:00Z"),
            SyncVerdict::Allowed
        );
    }

    #[test]
    fn manual_sync_needs_every_active_deny_window() {
        let now = "2025-03-10T09:30:00Z";
        let a = manual(win("deny", "0 9 * * *", "1h"));
        let b = win("deny", "0 8 * * *", "4h");
        let inactive = win("deny", "0 20 * * *", "1h");
        assert_eq!(
            verdict(std::slice::from_ref(&a), true, None, now),
            SyncVerdict::Allowed
        );
        assert_eq!(
            verdict(std::slice::from_ref(&a), false, None, now),
            blocked(&a, Some("2025-03-10T10:00:00Z"))
        );
        assert_eq!(
            verdict(&[a.clone(), b.clone()], true, None, now),
            blocked(&a, Some("2025-03-10T12:00:00Z"))
        );
        // Inactive deny windows without manualSync do not count.
        assert_eq!(
            verdict(&[a, inactive], true, None, now),
            SyncVerdict::Allowed
        );
    }

    #[test]
    fn inactive_allow_windows_block_until_the_first_opens() {
        let morning = win("allow", "0 9 * * *", "1h");
        let noon = win("allow", "0 12 * * *", "1h");
        let now = "2025-03-10T10:30:00Z";
        assert_eq!(
            verdict(&[morning.clone(), noon.clone()], true, None, now),
            blocked(&morning, Some("2025-03-10T12:00:00Z"))
        );
        assert_eq!(
            verdict(
                &[morning.clone(), noon.clone()],
                false,
                None,
                "2025-03-10T12:30:00Z"
            ),
            SyncVerdict::Allowed
        );
        // Manual syncs pass only when every inactive allow window has manualSync.
        assert_eq!(
            verdict(
                &[manual(morning.clone()), manual(noon.clone())],
                true,
                None,
                now
            ),
            SyncVerdict::Allowed
        );
        assert_eq!(
            verdict(
                &[manual(morning.clone()), manual(noon.clone())],
                false,
                None,
                now
            ),
            blocked(&manual(morning.clone()), Some("2025-03-10T12:00:00Z"))
        );
        assert!(matches!(
            verdict(&[manual(morning), noon], true, None, now),
            SyncVerdict::Blocked { .. }
        ));
    }

    #[test]
    fn sync_overrun_lets_a_started_operation_continue() {
        // Deny window opened at 09:00; the operation started at 08:50, when it was allowed.
        let deny = overrun(win("deny", "0 9 * * *", "1h"));
        let now = "2025-03-10T09:30:00Z";
        assert_eq!(
            verdict(
                std::slice::from_ref(&deny),
                false,
                Some("2025-03-10T08:50:00Z"),
                now
            ),
            SyncVerdict::Allowed
        );
        // Started inside the deny window: still blocked.
        assert!(matches!(
            verdict(
                std::slice::from_ref(&deny),
                false,
                Some("2025-03-10T09:10:00Z"),
                now
            ),
            SyncVerdict::Blocked { .. }
        ));
        // Without syncOverrun on every active deny window: blocked.
        let plain = win("deny", "0 8 * * *", "4h");
        assert!(matches!(
            verdict(&[deny, plain], false, Some("2025-03-10T07:50:00Z"), now),
            SyncVerdict::Blocked { .. }
        ));

        // Allow window 09:00-10:00 with overrun: an operation started inside it may run on.
        let allow = overrun(win("allow", "0 9 * * *", "1h"));
        let later = "2025-03-10T10:30:00Z";
        assert_eq!(
            verdict(
                std::slice::from_ref(&allow),
                false,
                Some("2025-03-10T09:45:00Z"),
                later
            ),
            SyncVerdict::Allowed
        );
        assert!(matches!(
            verdict(
                std::slice::from_ref(&allow),
                false,
                Some("2025-03-10T08:45:00Z"),
                later
            ),
            SyncVerdict::Blocked { .. }
        ));
        assert!(matches!(
            verdict(&[allow], false, None, later),
            SyncVerdict::Blocked { .. }
        ));
    }

    #[test]
    fn overrun_check_uses_the_live_offset_for_the_start_time() {
        // The operation started in January (EST) and is checked in July (EDT): upstream reads
        // the start time with July's offset.
        let allow = overrun(in_zone(win("allow", "0 9 * * *", "1h"), "America/New_York"));
        let now = "2025-07-15T15:00:00Z";
        // 13:30Z is 08:30 EST but 09:30 with July's offset: allowed.
        assert_eq!(
            verdict(
                std::slice::from_ref(&allow),
                false,
                Some("2025-01-15T13:30:00Z"),
                now
            ),
            SyncVerdict::Allowed
        );
        // 14:30Z is 09:30 EST but 10:30 with July's offset: blocked.
        assert!(matches!(
            verdict(&[allow], false, Some("2025-01-15T14:30:00Z"), now),
            SyncVerdict::Blocked { .. }
        ));
    }

    #[test]
    fn other_kinds_never_decide_but_must_parse() {
        let odd = win("Deny", "* * * * *", "1h");
        assert_eq!(
            verdict(&[odd], false, None, "2025-03-10T09:30:00Z"),
            SyncVerdict::Allowed
        );
        let bad = win("Deny", "* * * *", "1h");
        let refs = [&bad];
        let err = can_sync_all_ways(&refs, true, None, ts("2025-03-10T09:30:00Z")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid sync windows: cannot parse schedule '* * * *': expected exactly 5 fields, \
             found 4: [* * * *]"
        );
    }

    #[test]
    fn window_errors_read_like_upstream() {
        let w = win("deny", "0 9 * * *", "1d");
        assert_eq!(
            is_active(&w, ts("2025-03-10T09:30:00Z"))
                .unwrap_err()
                .to_string(),
            "cannot parse duration '1d': time: unknown unit \"d\" in duration \"1d\""
        );
        let refs = [&w];
        assert_eq!(
            can_sync_all_ways(&refs, true, None, ts("2025-03-10T09:30:00Z"))
                .unwrap_err()
                .to_string(),
            "invalid sync windows: cannot parse duration '1d': time: unknown unit \"d\" in \
             duration \"1d\""
        );
    }

    #[test]
    fn validate_window_reports_upstream_messages() {
        assert!(
            validate_window(&in_zone(win("allow", "0 9 * * *", "1h"), "Mars/Olympus")).is_empty()
        );
        let mut w = win("block", "0 9 * *", "1x");
        w.description = Some("x".repeat(256));
        assert_eq!(
            validate_window(&w),
            vec![
                "kind 'block' mismatch: can only be allow or deny".to_string(),
                "cannot parse schedule '0 9 * *': expected exactly 5 fields, found 4: [0 9 * *]"
                    .to_string(),
                "cannot parse duration '1x': time: unknown unit \"x\" in duration \"1x\""
                    .to_string(),
                "description must not exceed 255 characters".to_string(),
            ]
        );
        w.description = Some("x".repeat(255));
        assert_eq!(validate_window(&w).len(), 3);
        assert_eq!(
            validate_window(&win("deny", "@hourly", "1h")),
            vec!["cannot parse schedule '@hourly': parser does not accept descriptors: @hourly"]
        );
    }

    #[test]
    fn validate_windows_paths_duplicates_and_selectors() {
        let a = win("deny", "0 9 * * *", "1h");
        // Differs only in fields outside the identity: a duplicate.
        let mut dup = manual(a.clone());
        dup.description = Some("again".into());
        dup.sync_overrun = Some(true);
        // Differs in timeZone: not a duplicate.
        let other_zone = in_zone(a.clone(), "UTC");
        let mut no_selectors = win("allow", "0 1 * * *", "2h");
        no_selectors.applications = Some(vec![]);
        let bad = win("allow", "0 1 * * *", "2 h");
        let errs = validate_windows(&[a.clone(), dup, other_zone, no_selectors, bad]);
        let rendered: Vec<String> = errs.iter().map(|e| e.to_string()).collect();
        assert_eq!(
            rendered,
            vec![
                format!(
                    "spec.syncWindows[1]: Duplicate value: sync window with kind 'deny', schedule \
                     '0 9 * * *', and duration '1h' already exists (hash={}, duplicate detected)",
                    hash_identity(&a)
                ),
                "spec.syncWindows[3]: Required value: window 'allow':'0 1 * * *':'2h' requires \
                 one of application, cluster or namespace"
                    .to_string(),
                "spec.syncWindows[4].duration: Invalid value: \"2 h\": cannot parse duration \
                 '2 h': time: unknown unit \" h\" in duration \"2 h\""
                    .to_string(),
            ]
        );
        assert_eq!(errs[0].error_type, FieldErrorType::Duplicate);
    }

    #[test]
    fn hash_identity_ignores_absent_versus_empty() {
        let a = win("deny", "0 9 * * *", "1h");
        let mut b = a.clone();
        b.namespaces = Some(vec![]);
        b.time_zone = Some(String::new());
        assert_eq!(hash_identity(&a), hash_identity(&b));
        let mut c = a.clone();
        c.and_operator = Some(true);
        assert_ne!(hash_identity(&a), hash_identity(&c));
        let mut d = a.clone();
        d.applications = Some(vec!["*".into(), String::new()]);
        assert_ne!(hash_identity(&a), hash_identity(&d));
    }

    #[test]
    fn go_durations() {
        let ok = |s: &str| parse_go_duration(s).unwrap();
        assert_eq!(ok("1h30m"), SignedDuration::from_mins(90));
        assert_eq!(ok("90s"), SignedDuration::from_secs(90));
        assert_eq!(ok("1.5h"), SignedDuration::from_mins(90));
        assert_eq!(ok("300ms"), SignedDuration::from_millis(300));
        assert_eq!(ok(".5s"), SignedDuration::from_millis(500));
        assert_eq!(ok("1.s"), SignedDuration::from_secs(1));
        assert_eq!(ok("-1h"), SignedDuration::from_hours(-1));
        assert_eq!(ok("+5m"), SignedDuration::from_mins(5));
        assert_eq!(ok("0"), SignedDuration::ZERO);
        assert_eq!(ok("-0"), SignedDuration::ZERO);
        assert_eq!(ok("1µs2us"), SignedDuration::from_micros(3));
        assert_eq!(
            ok("9223372036854775807ns"),
            SignedDuration::from_nanos(i64::MAX)
        );
        assert_eq!(
            ok("-9223372036854775808ns"),
            SignedDuration::from_nanos(i64::MIN)
        );

        let err = |s: &str| parse_go_duration(s).unwrap_err();
        assert_eq!(err(""), "time: invalid duration \"\"");
        assert_eq!(err("1d"), "time: unknown unit \"d\" in duration \"1d\"");
        assert_eq!(err("1"), "time: missing unit in duration \"1\"");
        assert_eq!(err("h"), "time: invalid duration \"h\"");
        assert_eq!(err(".h"), "time: invalid duration \".h\"");
        assert_eq!(err("-"), "time: invalid duration \"-\"");
        assert_eq!(
            err("9223372036854775808ns"),
            "time: invalid duration \"9223372036854775808ns\""
        );
        assert_eq!(
            err("1hé"),
            "time: unknown unit \"h\\xc3\\xa9\" in duration \"1h\\xc3\\xa9\""
        );
    }
}
