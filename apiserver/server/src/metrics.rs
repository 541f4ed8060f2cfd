//! Prometheus metrics under kube-apiserver's names and labels
//! (`k8s.io/apiserver/pkg/endpoints/metrics`), so existing dashboards and alerts work unchanged.
//!
//! No metrics crate: request series live in a read-mostly map of atomics (a request that hits
//! an existing series takes one shared read lock and a few atomic adds, with no allocation);
//! gauges change rarely and sit behind a plain mutex. `render` writes the text exposition format
//! 0.0.4 with labels in Prometheus' sorted order.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::Duration;

use argo_apiserver_core::{Query, RequestInfo};

use crate::http::{Body, Response, StatusCode, respond};

/// The Content-Type of `/metrics`.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// kube's `apiserver_request_duration_seconds` buckets.
pub const DURATION_BUCKETS: [f64; 23] = [
    0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 1.25, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0,
    10.0, 15.0, 20.0, 30.0, 45.0, 60.0,
];

/// The labels of one request (`code` is given separately). Values as kube reports them: `verb`
/// upper-case (`GET`, `LIST`, `WATCH`, `POST`, `PUT`, `PATCH`, `APPLY`, `DELETE`,
/// `DELETECOLLECTION`), `scope` `resource`/`namespace`/`cluster`/empty, `component`
/// `apiserver`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct RequestLabels<'a> {
    pub verb: &'a str,
    pub dry_run: &'a str,
    pub group: &'a str,
    pub version: &'a str,
    pub resource: &'a str,
    pub subresource: &'a str,
    pub scope: &'a str,
    pub component: &'a str,
}

impl<'a> RequestLabels<'a> {
    /// The labels kube's instrumentation derives from a request: `verb` from the RequestInfo
    /// verb (`APPLY` for a server-side apply patch), `scope` from name/namespace, `dry_run` from
    /// the query.
    pub fn from_request_info(info: &'a RequestInfo, query: &Query, is_apply: bool) -> Self {
        RequestLabels {
            verb: report_verb(&info.verb, is_apply),
            dry_run: clean_dry_run(query),
            group: &info.api_group,
            version: &info.api_version,
            resource: &info.resource,
            subresource: &info.subresource,
            scope: clean_scope(info),
            component: "apiserver",
        }
    }

    fn values(&self) -> [&'a str; 8] {
        [
            self.verb,
            self.dry_run,
            self.group,
            self.version,
            self.resource,
            self.subresource,
            self.scope,
            self.component,
        ]
    }
}

/// kube's reported verb for a RequestInfo verb: upper-case, `APPLY` for apply patches, and
/// anything unexpected as `other` (so label cardinality stays bounded).
pub fn report_verb(verb: &str, is_apply: bool) -> &'static str {
    match verb {
        "get" => "GET",
        "list" => "LIST",
        "watch" | "watchlist" => "WATCH",
        "create" | "post" => "POST",
        "update" | "put" => "PUT",
        "patch" if is_apply => "APPLY",
        "patch" => "PATCH",
        "delete" => "DELETE",
        "deletecollection" => "DELETECOLLECTION",
        "connect" => "CONNECT",
        "head" => "HEAD",
        "options" => "OPTIONS",
        _ => "other",
    }
}

/// kube's `CleanScope`.
pub fn clean_scope(info: &RequestInfo) -> &'static str {
    if !info.name.is_empty() || info.verb == "create" {
        "resource"
    } else if !info.namespace.is_empty() {
        "namespace"
    } else if info.is_resource_request {
        "cluster"
    } else {
        ""
    }
}

/// kube's `cleanDryRun`: empty when absent, `All` when every value is `All`, else `invalid`.
pub fn clean_dry_run(query: &Query) -> &'static str {
    let values = query.get_all("dryRun");
    if values.is_empty() {
        ""
    } else if values.iter().all(|v| *v == "All") {
        "All"
    } else {
        "invalid"
    }
}

/// The series of one label set: counts by code and the duration histogram.
struct RequestSeries {
    codes: Mutex<Vec<(u16, u64)>>,
    /// Per-bucket (not cumulative) counts; the last slot is `+Inf`.
    buckets: [AtomicU64; DURATION_BUCKETS.len() + 1],
    count: AtomicU64,
    sum_nanos: AtomicU64,
}

impl RequestSeries {
    fn new() -> Self {
        RequestSeries {
            codes: Mutex::new(Vec::new()),
            buckets: std::array::from_fn(|_| AtomicU64::new(0)),
            count: AtomicU64::new(0),
            sum_nanos: AtomicU64::new(0),
        }
    }

    fn observe(&self, code: u16, duration: Duration) {
        {
            let mut codes = self.codes.lock().unwrap_or_else(PoisonError::into_inner);
            match codes.iter_mut().find(|(c, _)| *c == code) {
                Some((_, n)) => *n += 1,
                None => codes.push((code, 1)),
            }
        }
        let secs = duration.as_secs_f64();
        let i = DURATION_BUCKETS.partition_point(|le| *le < secs);
        self.buckets[i].fetch_add(1, Ordering::Relaxed);
        self.count.fetch_add(1, Ordering::Relaxed);
        let nanos = u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX);
        self.sum_nanos.fetch_add(nanos, Ordering::Relaxed);
    }
}

type OwnedLabels = [Box<str>; 8];
/// The series whose label values share one hash.
type HashBucket = Vec<(OwnedLabels, Arc<RequestSeries>)>;

/// Request series keyed by the hash of their label values; entries under one hash are told
/// apart by comparing the values, so lookups need no owned key.
#[derive(Default)]
struct RequestFamily {
    series: RwLock<HashMap<u64, HashBucket>>,
}

/// FNV-1a over the values (0xff between them, a byte UTF-8 never contains): a few ns for our
/// short labels, where SipHash costs far more. Collisions only lengthen a bucket.
fn hash_values(values: &[&str; 8]) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut h = OFFSET;
    for v in values {
        for b in v.bytes().chain(std::iter::once(0xff)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(PRIME);
        }
    }
    h
}

fn same(owned: &OwnedLabels, values: &[&str; 8]) -> bool {
    owned.iter().zip(values).all(|(a, b)| &**a == *b)
}

impl RequestFamily {
    /// Records into the series of `labels`, creating it on first use. The common case holds
    /// only the shared read lock.
    fn observe(&self, labels: &RequestLabels<'_>, code: u16, duration: Duration) {
        let values = labels.values();
        let key = hash_values(&values);
        {
            let map = self.series.read().unwrap_or_else(PoisonError::into_inner);
            if let Some((_, s)) = map
                .get(&key)
                .and_then(|v| v.iter().find(|(l, _)| same(l, &values)))
            {
                s.observe(code, duration);
                return;
            }
        }
        let mut map = self.series.write().unwrap_or_else(PoisonError::into_inner);
        let entries = map.entry(key).or_default();
        match entries.iter().find(|(l, _)| same(l, &values)) {
            Some((_, s)) => s.observe(code, duration),
            None => {
                let s = Arc::new(RequestSeries::new());
                s.observe(code, duration);
                entries.push((values.map(Box::from), s));
            }
        }
    }

    fn snapshot(&self) -> HashBucket {
        let map = self.series.read().unwrap_or_else(PoisonError::into_inner);
        let mut all: Vec<_> = map.values().flatten().cloned().collect();
        all.sort_by(|a, b| a.0.cmp(&b.0));
        all
    }
}

/// A gauge family: label values (in the family's label order) → value.
type Gauge = Mutex<BTreeMap<Vec<String>, i64>>;

fn gauge_add(g: &Gauge, labels: &[&str], delta: i64) {
    let mut m = g.lock().unwrap_or_else(PoisonError::into_inner);
    let key: Vec<String> = labels.iter().map(|s| s.to_string()).collect();
    *m.entry(key).or_insert(0) += delta;
}

fn gauge_set(g: &Gauge, labels: &[&str], value: i64) {
    let mut m = g.lock().unwrap_or_else(PoisonError::into_inner);
    m.insert(labels.iter().map(|s| s.to_string()).collect(), value);
}

/// Labels of `apiserver_longrunning_requests`, in Prometheus' sorted order.
const LONGRUNNING_LABELS: [&str; 7] = [
    "component",
    "group",
    "resource",
    "scope",
    "subresource",
    "verb",
    "version",
];

/// The server's metrics. Share one behind an `Arc`.
#[derive(Default)]
pub struct Metrics {
    requests: RequestFamily,
    /// `apiserver_storage_objects{resource}`.
    storage_objects: Gauge,
    /// `apiserver_registered_watchers{group,kind,version}` (sorted label order).
    registered_watchers: Gauge,
    /// `apiserver_longrunning_requests{...}` in [`LONGRUNNING_LABELS`] order.
    longrunning: Gauge,
}

impl Metrics {
    pub fn new() -> Metrics {
        Metrics::default()
    }

    /// Records one finished request: `apiserver_request_total` and
    /// `apiserver_request_duration_seconds`.
    pub fn observe_request(&self, labels: &RequestLabels<'_>, code: u16, duration: Duration) {
        self.requests.observe(labels, code, duration);
    }

    /// `apiserver_storage_objects{resource="<plural>.<group>"}`: objects stored of a kind, or
    /// -1 when counting failed (kube's convention).
    pub fn set_storage_objects(&self, resource: &str, count: i64) {
        gauge_set(&self.storage_objects, &[resource], count);
    }

    /// A watch was registered on a kind; the gauge goes down when the guard drops.
    pub fn watcher(self: &Arc<Self>, group: &str, version: &str, kind: &str) -> GaugeGuard {
        let labels = vec![group.to_string(), kind.to_string(), version.to_string()];
        gauge_add(&self.registered_watchers, &to_strs(&labels), 1);
        GaugeGuard {
            metrics: self.clone(),
            which: Which::Watchers,
            labels,
        }
    }

    /// A long-running request (watch) started; the gauge goes down when the guard drops.
    pub fn longrunning(self: &Arc<Self>, labels: &RequestLabels<'_>) -> GaugeGuard {
        let labels = vec![
            labels.component.to_string(),
            labels.group.to_string(),
            labels.resource.to_string(),
            labels.scope.to_string(),
            labels.subresource.to_string(),
            labels.verb.to_string(),
            labels.version.to_string(),
        ];
        gauge_add(&self.longrunning, &to_strs(&labels), 1);
        GaugeGuard {
            metrics: self.clone(),
            which: Which::Longrunning,
            labels,
        }
    }

    /// The text exposition of every metric.
    pub fn render(&self) -> String {
        let mut out = String::with_capacity(16 * 1024);
        self.render_requests(&mut out);
        render_gauge(
            &mut out,
            "apiserver_longrunning_requests",
            "[STABLE] Gauge of all active long-running apiserver requests broken out by verb, group, version, resource, scope and component. Not all requests are tracked this way.",
            &LONGRUNNING_LABELS,
            &self.longrunning,
        );
        render_gauge(
            &mut out,
            "apiserver_registered_watchers",
            "[ALPHA] Number of currently registered watchers for a given resources",
            &["group", "kind", "version"],
            &self.registered_watchers,
        );
        render_gauge(
            &mut out,
            "apiserver_storage_objects",
            "[STABLE] Number of stored objects at the time of last check split by kind. In case of a fetching error, the value will be -1.",
            &["resource"],
            &self.storage_objects,
        );
        if let Some(rss) = resident_memory_bytes() {
            out.push_str("# HELP process_resident_memory_bytes Resident memory size in bytes.\n");
            out.push_str("# TYPE process_resident_memory_bytes gauge\n");
            let _ = writeln!(out, "process_resident_memory_bytes {rss}");
        }
        if let Some(heap) = allocated_bytes() {
            out.push_str("# HELP argo_apiserver_heap_allocated_bytes Bytes the server has allocated and not freed (its live heap); RSS minus this is what the allocator holds.\n");
            out.push_str("# TYPE argo_apiserver_heap_allocated_bytes gauge\n");
            let _ = writeln!(out, "argo_apiserver_heap_allocated_bytes {heap}");
        }
        out
    }

    fn render_requests(&self, out: &mut String) {
        let series = self.requests.snapshot();
        // Sorted label names: code, component, dry_run, group, resource, scope, subresource,
        // verb, version. `v` is in RequestLabels order: verb, dry_run, group, version,
        // resource, subresource, scope, component.
        let base = |v: &OwnedLabels| -> String {
            let mut s = String::new();
            for (name, value) in [
                ("component", &v[7]),
                ("dry_run", &v[1]),
                ("group", &v[2]),
                ("resource", &v[4]),
                ("scope", &v[6]),
                ("subresource", &v[5]),
                ("verb", &v[0]),
                ("version", &v[3]),
            ] {
                if !s.is_empty() {
                    s.push(',');
                }
                let _ = write!(s, "{name}=\"{}\"", escape(value));
            }
            s
        };

        out.push_str("# HELP apiserver_request_duration_seconds [STABLE] Response latency distribution in seconds for each verb, dry run value, group, version, resource, subresource, scope and component.\n");
        out.push_str("# TYPE apiserver_request_duration_seconds histogram\n");
        for (labels, s) in &series {
            let l = base(labels);
            let mut cumulative = 0u64;
            for (i, le) in DURATION_BUCKETS.iter().enumerate() {
                cumulative += s.buckets[i].load(Ordering::Relaxed);
                let _ = writeln!(
                    out,
                    "apiserver_request_duration_seconds_bucket{{{l},le=\"{le}\"}} {cumulative}"
                );
            }
            cumulative += s.buckets[DURATION_BUCKETS.len()].load(Ordering::Relaxed);
            let _ = writeln!(
                out,
                "apiserver_request_duration_seconds_bucket{{{l},le=\"+Inf\"}} {cumulative}"
            );
            let sum = s.sum_nanos.load(Ordering::Relaxed) as f64 / 1e9;
            let _ = writeln!(out, "apiserver_request_duration_seconds_sum{{{l}}} {sum}");
            let _ = writeln!(
                out,
                "apiserver_request_duration_seconds_count{{{l}}} {}",
                s.count.load(Ordering::Relaxed)
            );
        }

        out.push_str("# HELP apiserver_request_total [STABLE] Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, scope, component, and HTTP response code.\n");
        out.push_str("# TYPE apiserver_request_total counter\n");
        for (labels, s) in &series {
            let l = base(labels);
            let mut codes = s
                .codes
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .clone();
            codes.sort_by_key(|(c, _)| c.to_string());
            for (code, n) in codes {
                let _ = writeln!(out, "apiserver_request_total{{code=\"{code}\",{l}}} {n}");
            }
        }
    }
}

fn to_strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

enum Which {
    Watchers,
    Longrunning,
}

/// Decrements a gauge when dropped (the watch or long-running request ended).
pub struct GaugeGuard {
    metrics: Arc<Metrics>,
    which: Which,
    labels: Vec<String>,
}

impl Drop for GaugeGuard {
    fn drop(&mut self) {
        let g = match self.which {
            Which::Watchers => &self.metrics.registered_watchers,
            Which::Longrunning => &self.metrics.longrunning,
        };
        gauge_add(g, &to_strs(&self.labels), -1);
    }
}

/// jemalloc's count of live allocated bytes, when jemalloc is the allocator (the binary's; not in
/// unit tests, where it reads 0).
fn allocated_bytes() -> Option<usize> {
    // The statistics are a snapshot taken when the epoch advances.
    tikv_jemalloc_ctl::epoch::advance().ok()?;
    tikv_jemalloc_ctl::stats::allocated::read()
        .ok()
        .filter(|&n| n > 0)
}

fn render_gauge(out: &mut String, name: &str, help: &str, label_names: &[&str], g: &Gauge) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} gauge");
    let m = g.lock().unwrap_or_else(PoisonError::into_inner);
    for (values, v) in m.iter() {
        let labels: Vec<String> = label_names
            .iter()
            .zip(values)
            .map(|(n, v)| format!("{n}=\"{}\"", escape(v)))
            .collect();
        let _ = writeln!(out, "{name}{{{}}} {v}", labels.join(","));
    }
}

/// Label value escaping of the text format: backslash, double quote, newline.
fn escape(v: &str) -> std::borrow::Cow<'_, str> {
    if !v.contains(['\\', '"', '\n']) {
        return v.into();
    }
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
        .into()
}

/// Resident set size from `/proc/self/status` (`VmRSS: <n> kB`); `None` off Linux.
pub fn resident_memory_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    parse_vm_rss(&status)
}

fn parse_vm_rss(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: u64 = line
        .trim_start_matches("VmRSS:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb * 1024)
}

/// `GET /metrics`.
/// `/metrics`: the server's own families, then any extra (the webhooks' decision counters).
pub fn handle(metrics: &Metrics, extra: Option<String>) -> Response<Body> {
    let mut text = metrics.render();
    if let Some(extra) = extra {
        text.push_str(&extra);
    }
    respond(StatusCode::OK, CONTENT_TYPE, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list_labels() -> RequestLabels<'static> {
        RequestLabels {
            verb: "LIST",
            dry_run: "",
            group: "argoproj.io",
            version: "v1alpha1",
            resource: "applications",
            subresource: "",
            scope: "namespace",
            component: "apiserver",
        }
    }

    #[test]
    fn request_counter_and_histogram() {
        let m = Metrics::new();
        let l = list_labels();
        m.observe_request(&l, 200, Duration::from_millis(3));
        m.observe_request(&l, 200, Duration::from_millis(300));
        m.observe_request(&l, 404, Duration::from_secs(100));
        let text = m.render();
        let base = r#"component="apiserver",dry_run="",group="argoproj.io",resource="applications",scope="namespace",subresource="",verb="LIST",version="v1alpha1""#;
        assert!(
            text.contains(&format!(
                "apiserver_request_total{{code=\"200\",{base}}} 2\n"
            )),
            "{text}"
        );
        assert!(text.contains(&format!(
            "apiserver_request_total{{code=\"404\",{base}}} 1\n"
        )));
        assert!(text.contains("# TYPE apiserver_request_total counter\n"));
        assert!(text.contains("# TYPE apiserver_request_duration_seconds histogram\n"));
        let bucket =
            |le: &str| format!("apiserver_request_duration_seconds_bucket{{{base},le=\"{le}\"}} ");
        assert!(text.contains(&(bucket("0.005") + "1\n")));
        assert!(text.contains(&(bucket("0.2") + "1\n")));
        assert!(text.contains(&(bucket("0.4") + "2\n")));
        assert!(text.contains(&(bucket("60") + "2\n")));
        assert!(text.contains(&(bucket("+Inf") + "3\n")));
        assert!(text.contains(&format!(
            "apiserver_request_duration_seconds_count{{{base}}} 3\n"
        )));
        assert!(text.contains(&format!(
            "apiserver_request_duration_seconds_sum{{{base}}} 100.303\n"
        )));
        // Every one of kube's buckets, in order.
        let les: Vec<&str> = text
            .lines()
            .filter(|l| l.starts_with("apiserver_request_duration_seconds_bucket"))
            .map(|l| l.split("le=\"").nth(1).unwrap().split('"').next().unwrap())
            .collect();
        assert_eq!(
            les.join(","),
            "0.005,0.025,0.05,0.1,0.2,0.4,0.6,0.8,1,1.25,1.5,2,3,4,5,6,8,10,15,20,30,45,60,+Inf"
        );
    }

    #[test]
    fn distinct_label_sets_are_distinct_series() {
        let m = Metrics::new();
        let a = list_labels();
        let b = RequestLabels {
            verb: "GET",
            scope: "resource",
            ..a
        };
        m.observe_request(&a, 200, Duration::ZERO);
        m.observe_request(&b, 200, Duration::ZERO);
        m.observe_request(&b, 200, Duration::ZERO);
        let text = m.render();
        assert!(
            text.contains(r#"scope="namespace",subresource="",verb="LIST",version="v1alpha1"} 1"#)
        );
        assert!(
            text.contains(r#"scope="resource",subresource="",verb="GET",version="v1alpha1"} 2"#)
        );
    }

    #[test]
    fn labels_from_request_info() {
        let info = RequestInfo::new(
            "PATCH",
            "/apis/argoproj.io/v1alpha1/namespaces/ns/rollouts/r/status",
            "",
        )
        .unwrap();
        let q = Query::parse("dryRun=All");
        let l = RequestLabels::from_request_info(&info, &q, true);
        assert_eq!(
            (
                l.verb,
                l.dry_run,
                l.group,
                l.version,
                l.resource,
                l.subresource,
                l.scope
            ),
            (
                "APPLY",
                "All",
                "argoproj.io",
                "v1alpha1",
                "rollouts",
                "status",
                "resource"
            )
        );
        let info = RequestInfo::new(
            "GET",
            "/apis/argoproj.io/v1alpha1/namespaces/ns/applications",
            "watch=1",
        )
        .unwrap();
        let l = RequestLabels::from_request_info(&info, &Query::default(), false);
        assert_eq!((l.verb, l.scope, l.dry_run), ("WATCH", "namespace", ""));
        let info = RequestInfo::new("GET", "/apis/argoproj.io/v1alpha1/applications", "").unwrap();
        let l = RequestLabels::from_request_info(&info, &Query::default(), false);
        assert_eq!((l.verb, l.scope), ("LIST", "cluster"));
        let info = RequestInfo::new(
            "POST",
            "/apis/argoproj.io/v1alpha1/namespaces/ns/workflows",
            "",
        )
        .unwrap();
        let l = RequestLabels::from_request_info(&info, &Query::parse("dryRun=bogus"), false);
        assert_eq!(
            (l.verb, l.scope, l.dry_run),
            ("POST", "resource", "invalid")
        );
        let info = RequestInfo::new("GET", "/healthz", "").unwrap();
        let l = RequestLabels::from_request_info(&info, &Query::default(), false);
        assert_eq!((l.verb, l.scope), ("GET", ""));
    }

    #[test]
    fn gauges_follow_guards() {
        let m = Arc::new(Metrics::new());
        m.set_storage_objects("applications.argoproj.io", 7);
        let w1 = m.watcher("argoproj.io", "v1alpha1", "Application");
        let w2 = m.watcher("argoproj.io", "v1alpha1", "Application");
        let lr = m.longrunning(&RequestLabels {
            verb: "WATCH",
            ..list_labels()
        });
        let text = m.render();
        assert!(
            text.contains("apiserver_storage_objects{resource=\"applications.argoproj.io\"} 7\n")
        );
        assert!(text.contains(
            "apiserver_registered_watchers{group=\"argoproj.io\",kind=\"Application\",version=\"v1alpha1\"} 2\n"
        ));
        assert!(text.contains(
            "apiserver_longrunning_requests{component=\"apiserver\",group=\"argoproj.io\",resource=\"applications\",scope=\"namespace\",subresource=\"\",verb=\"WATCH\",version=\"v1alpha1\"} 1\n"
        ));
        drop(w1);
        drop(lr);
        let text = m.render();
        assert!(text.contains("kind=\"Application\",version=\"v1alpha1\"} 1\n"));
        assert!(text.contains("verb=\"WATCH\",version=\"v1alpha1\"} 0\n"));
        drop(w2);
    }

    #[test]
    fn label_values_are_escaped() {
        let m = Metrics::new();
        m.set_storage_objects("a\"b\\c\nd", 1);
        assert!(
            m.render()
                .contains(r#"apiserver_storage_objects{resource="a\"b\\c\nd"} 1"#)
        );
    }

    #[test]
    fn rss() {
        assert_eq!(
            parse_vm_rss("Name:\tx\nVmRSS:\t   2048 kB\nVmData: 1 kB\n"),
            Some(2048 * 1024)
        );
        assert_eq!(parse_vm_rss("Name:\tx\n"), None);
        if cfg!(target_os = "linux") {
            assert!(
                Metrics::new()
                    .render()
                    .contains("\nprocess_resident_memory_bytes ")
            );
        }
    }

    #[test]
    fn handler_content_type() {
        let r = handle(&Metrics::new(), None);
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(
            r.headers()[crate::http::header::CONTENT_TYPE],
            "text/plain; version=0.0.4; charset=utf-8"
        );
    }

    #[test]
    fn concurrent_observations_are_all_counted() {
        let m = Arc::new(Metrics::new());
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let m = m.clone();
                std::thread::spawn(move || {
                    for _ in 0..1000 {
                        m.observe_request(&list_labels(), 200, Duration::from_millis(1));
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert!(
            m.render()
                .contains("verb=\"LIST\",version=\"v1alpha1\"} 4000\n")
        );
    }

    /// Reports the hot-path cost (no assertion; numbers only):
    /// `cargo test --release -p argo-apiserver --lib report_metrics_cost -- --ignored --nocapture`
    #[test]
    #[ignore]
    fn report_metrics_cost() {
        use std::time::Instant;
        let m = Arc::new(Metrics::new());
        let kinds = [
            "applications",
            "rollouts",
            "workflows",
            "sensors",
            "eventbus",
        ];
        let verbs = ["GET", "LIST", "WATCH", "POST", "PUT", "PATCH", "DELETE"];
        let n = 2_000_000u32;
        let t = Instant::now();
        for i in 0..n {
            let l = RequestLabels {
                verb: verbs[(i % 7) as usize],
                resource: kinds[(i % 5) as usize],
                ..list_labels()
            };
            m.observe_request(&l, 200, Duration::from_micros(u64::from(i % 5000)));
        }
        println!(
            "observe_request, 35 series, 1 thread: {:.0} ns/op",
            t.elapsed().as_nanos() as f64 / f64::from(n)
        );
        let threads: Vec<_> = (0..2)
            .map(|_| {
                let m = m.clone();
                std::thread::spawn(move || {
                    let t = Instant::now();
                    for _ in 0..1_000_000 {
                        m.observe_request(&list_labels(), 200, Duration::from_micros(300));
                    }
                    t.elapsed().as_nanos() as f64 / 1e6
                })
            })
            .collect();
        for t in threads {
            println!(
                "observe_request, 2 threads on one series: {:.0} ns/op",
                t.join().unwrap()
            );
        }
        let t = Instant::now();
        let mut len = 0;
        for _ in 0..100 {
            len = m.render().len();
        }
        println!(
            "render, 35 series: {:.0} us/op ({len} bytes)",
            t.elapsed().as_micros() as f64 / 100.0
        );
    }
}
