//! Scenario 5: the admission webhooks under the load kube-apiserver puts on them.
//!
//! Through the API it creates an AppProject `bench` (50 destinations, 20 roles, 10 inactive
//! deny windows matching the app) and an Application `bench-app`, waits until the policy index
//! has both, then POSTs AdmissionReview v1 bodies to `/validate` over HTTPS, trusting only the
//! server's CA, from concurrent callers for a fixed time. Two cases:
//!
//! - fast path: a ConfigMap CREATE without tracking (decided from the request alone);
//! - tracked: a ConfigMap UPDATE carrying `argocd.argoproj.io/tracking-id` of `bench-app`, in
//!   the last permitted destination, by a user whose group is bound to the last role: project
//!   RBAC walks every destination and role, and the sync-window check every window.
//!
//! Every answer must be 200, echo the request's uid and carry the expected `allowed`; anything
//! else is counted as an error.

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, bail};
use bytes::Bytes;
use http::{Method, Request, StatusCode, header};
use http_body_util::{BodyExt, Full};
use hyper::client::conn::{http1, http2};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use rustls::ClientConfig;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

use crate::server::ServerProcess;
use crate::stats::{Latencies, Table, bytes, ms};

const ARGOCD_NAMESPACE: &str = "argocd";
const PROJECT: &str = "bench";
const APP: &str = "bench-app";
const DESTINATIONS: usize = 50;
const ROLES: usize = 20;
const WINDOWS: usize = 10;
const IN_CLUSTER: &str = "https://kubernetes.default.svc";
/// Replaced in every request by a unique uid of the same length.
const UID_PLACEHOLDER: &str = "00000000-0000-0000-0000-000000000000";
const TRACKING_ANNOTATION: &str = "argocd.argoproj.io/tracking-id";

/// How the scenario drives the webhook port.
pub struct Settings {
    pub seconds: f64,
    pub clients: usize,
    /// HTTP/2 connections the callers share (ignored with `http1`).
    pub connections: usize,
    /// One HTTP/1.1 keep-alive connection per caller instead of multiplexed HTTP/2.
    pub http1: bool,
    /// The rate of the paced tracked run (the latency target holds at this load).
    pub rate: f64,
}

/// The `--webhook-port` to pass to the server: the one in `server_args` if given, else a free
/// one (the default 8444 may be taken by another server on the machine).
pub fn webhook_port(server_args: &[String]) -> Result<(u16, Option<String>)> {
    let given = server_args
        .iter()
        .find_map(|a| a.strip_prefix("--webhook-port="));
    if let Some(p) = given {
        return Ok((p.parse().context("--webhook-port")?, None));
    }
    let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    Ok((port, Some(format!("--webhook-port={port}"))))
}

/// The server's `--data-dir`, read from its command line (the CA it generated lives there).
fn data_dir(pid: u32) -> Result<PathBuf> {
    let raw = std::fs::read(format!("/proc/{pid}/cmdline"))?;
    let args: Vec<String> = raw
        .split(|b| *b == 0)
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect();
    args.iter()
        .enumerate()
        .find_map(|(i, a)| {
            a.strip_prefix("--data-dir=")
                .map(str::to_string)
                .or_else(|| {
                    (a == "--data-dir")
                        .then(|| args.get(i + 1).cloned())
                        .flatten()
                })
        })
        .map(PathBuf::from)
        .context("the server was started without --data-dir")
}

// ---------------------------------------------------------------------------------------------
// The objects the policies read.

/// Deny windows at hours two to eleven hours from now (UTC, one hour long): none is active
/// during a run, so the tracked review is allowed after every window has been evaluated.
fn sync_windows(now_hour: u64) -> Vec<Value> {
    (0..WINDOWS)
        .map(|i| {
            let hour = (now_hour + 2 + i as u64) % 24;
            let mut w = json!({
                "kind": "deny",
                "schedule": format!("0 {hour} * * *"),
                "duration": "1h",
                "timeZone": "UTC",
                "manualSync": i % 2 == 0,
                "description": format!("maintenance {i}"),
            });
            // Every window matches the app, through each kind of selector in turn.
            let (key, value) = match i % 3 {
                0 => ("applications", json!(["bench-*"])),
                1 => ("namespaces", json!(["team-*"])),
                _ => ("clusters", json!([IN_CLUSTER])),
            };
            w[key] = value;
            w
        })
        .collect()
}

fn project(now_hour: u64) -> Value {
    let destinations: Vec<Value> = (0..DESTINATIONS)
        .map(|i| {
            if i % 5 == 4 {
                json!({"server": format!("https://cluster-{i:02}.example.com"), "namespace": "*"})
            } else {
                json!({"server": IN_CLUSTER, "namespace": format!("team-{i:02}-*")})
            }
        })
        .collect();
    let roles: Vec<Value> = (0..ROLES)
        .map(|i| {
            let sub = format!("proj:{PROJECT}:role-{i:02}");
            json!({
                "name": format!("role-{i:02}"),
                "description": format!("team {i:02}"),
                "policies": [
                    format!("p, {sub}, applications, get, {PROJECT}/*, allow"),
                    format!("p, {sub}, applications, sync, {PROJECT}/*, allow"),
                    format!("p, {sub}, applications, update/*, {PROJECT}/*, allow"),
                    format!("p, {sub}, applications, delete/*/Secret/*, {PROJECT}/*, deny"),
                ],
                "groups": [format!("team-{i:02}-deployers"), format!("team-{i:02}-oncall")],
            })
        })
        .collect();
    json!({
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "AppProject",
        "metadata": {"name": PROJECT, "namespace": ARGOCD_NAMESPACE},
        "spec": {
            "description": "argo-load webhook scenario",
            "sourceRepos": ["*"],
            "destinations": destinations,
            "roles": roles,
            "syncWindows": sync_windows(now_hour),
        },
    })
}

/// The last in-cluster destination: the namespace the tracked ConfigMap lives in.
fn tracked_namespace() -> String {
    let last = (0..DESTINATIONS).rev().find(|i| i % 5 != 4).unwrap_or(0);
    format!("team-{last:02}-apps")
}

fn application() -> Value {
    json!({
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {"name": APP, "namespace": ARGOCD_NAMESPACE},
        "spec": {
            "project": PROJECT,
            "source": {
                "repoURL": "https://github.com/argoproj/argocd-example-apps",
                "path": "guestbook",
                "targetRevision": "HEAD",
            },
            "destination": {"server": IN_CLUSTER, "namespace": tracked_namespace()},
        },
    })
}

// ---------------------------------------------------------------------------------------------
// AdmissionReview bodies, as kube-apiserver builds them.

fn config_map(namespace: &str, name: &str, tracked: bool, revision: u64) -> Value {
    let data = json!({
        "LOG_LEVEL": "info",
        "FEATURE_FLAGS": "checkout-v2,search-suggestions,dark-mode",
        "DATABASE_URL": "postgres://app@db.internal:5432/app?sslmode=require",
        "app.properties": "server.port=8080\nserver.shutdown=graceful\nmanagement.endpoints=health,info,prometheus\n",
        "revision": revision.to_string(),
    });
    let mut annotations = serde_json::Map::new();
    if tracked {
        let id = format!("{APP}:/ConfigMap:{namespace}/{name}");
        let applied = json!({
            "apiVersion": "v1", "kind": "ConfigMap", "data": data,
            "metadata": {
                "name": name, "namespace": namespace,
                "labels": {"app.kubernetes.io/name": "shop"},
                "annotations": {TRACKING_ANNOTATION: id},
            },
        });
        annotations.insert(TRACKING_ANNOTATION.into(), json!(id));
        annotations.insert(
            "kubectl.kubernetes.io/last-applied-configuration".into(),
            json!(format!("{applied}\n")),
        );
    }
    let manager = if tracked {
        "argocd-controller"
    } else {
        "kubectl-create"
    };
    json!({
        "kind": "ConfigMap",
        "apiVersion": "v1",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "uid": "6f1d2b7e-3c4a-4e59-9b8f-0a1c2d3e4f50",
            "resourceVersion": (41_000 + revision).to_string(),
            "creationTimestamp": "2025-01-01T00:00:00Z",
            "labels": {"app.kubernetes.io/name": "shop"},
            "annotations": annotations,
            "managedFields": [{
                "manager": manager,
                "operation": if tracked { "Update" } else { "Apply" },
                "apiVersion": "v1",
                "time": "2025-01-01T00:00:00Z",
                "fieldsType": "FieldsV1",
                "fieldsV1": {
                    "f:data": {".": {}, "f:LOG_LEVEL": {}, "f:FEATURE_FLAGS": {},
                        "f:DATABASE_URL": {}, "f:app.properties": {}, "f:revision": {}},
                    "f:metadata": {"f:labels": {".": {}, "f:app.kubernetes.io/name": {}}},
                },
            }],
        },
        "data": data,
    })
}

struct User<'a> {
    name: &'a str,
    groups: &'a [&'a str],
}

/// A review of a ConfigMap CREATE (no old object) or UPDATE, with [`UID_PLACEHOLDER`] as uid.
fn review(operation: &str, namespace: &str, name: &str, tracked: bool, user: &User<'_>) -> Value {
    let gvk = json!({"group": "", "version": "v1", "kind": "ConfigMap"});
    let gvr = json!({"group": "", "version": "v1", "resource": "configmaps"});
    let (object, old_object, options) = if operation == "CREATE" {
        (
            config_map(namespace, name, tracked, 0),
            Value::Null,
            json!({"kind": "CreateOptions", "apiVersion": "meta.k8s.io/v1",
                "fieldManager": "kubectl-create", "fieldValidation": "Strict"}),
        )
    } else {
        (
            config_map(namespace, name, tracked, 2),
            config_map(namespace, name, tracked, 1),
            json!({"kind": "UpdateOptions", "apiVersion": "meta.k8s.io/v1",
                "fieldManager": "kubectl-client-side-apply", "fieldValidation": "Strict"}),
        )
    };
    let mut groups: Vec<&str> = user.groups.to_vec();
    groups.push("system:authenticated");
    json!({
        "kind": "AdmissionReview",
        "apiVersion": "admission.k8s.io/v1",
        "request": {
            "uid": UID_PLACEHOLDER,
            "kind": gvk,
            "resource": gvr,
            "requestKind": gvk,
            "requestResource": gvr,
            "name": name,
            "namespace": namespace,
            "operation": operation,
            "userInfo": {
                "username": user.name,
                "uid": "2c9e0d41-7a0b-4c53-8f5e-1b2a3c4d5e6f",
                "groups": groups,
                "extra": {"authentication.kubernetes.io/credential-id": ["X509SHA256=5d41402abc4b2a76b9719d911017c592"]},
            },
            "object": object,
            "oldObject": old_object,
            "dryRun": false,
            "options": options,
        },
    })
}

/// One kind of review: its body (with the uid at `uid_at`) and the answer expected.
struct Case {
    name: &'static str,
    path: &'static str,
    body: Vec<u8>,
    uid_at: usize,
    allowed: bool,
    /// A substring of the refusal message, when refused.
    message: Option<&'static str>,
}

impl Case {
    fn new(
        name: &'static str,
        path: &'static str,
        review: &Value,
        allowed: bool,
        message: Option<&'static str>,
    ) -> Result<Case> {
        let body = serde_json::to_vec(review)?;
        let uid_at = body
            .windows(UID_PLACEHOLDER.len())
            .position(|w| w == UID_PLACEHOLDER.as_bytes())
            .context("no uid placeholder in the review")?;
        Ok(Case {
            name,
            path,
            body,
            uid_at,
            allowed,
            message,
        })
    }

    /// The body with a unique uid, and that uid.
    fn body(&self, caller: usize, seq: u64) -> (Bytes, String) {
        let uid = format!("{:08x}-0000-4000-8000-{:012x}", caller, seq);
        let mut b = self.body.clone();
        b[self.uid_at..self.uid_at + uid.len()].copy_from_slice(uid.as_bytes());
        (Bytes::from(b), uid)
    }
}

const DEVELOPER: User<'static> = User {
    name: "dev-19@example.com",
    groups: &["team-19-deployers"],
};
const OUTSIDER: User<'static> = User {
    name: "mallory@example.com",
    groups: &["contractors"],
};

// ---------------------------------------------------------------------------------------------
// The HTTPS client: what kube-apiserver's webhook client does, trusting the caBundle only and
// presenting no client certificate.

fn tls_config(ca: &Path, http1: bool) -> Result<Arc<ClientConfig>> {
    let mut roots = rustls::RootCertStore::empty();
    for c in CertificateDer::pem_file_iter(ca).with_context(|| format!("reading {ca:?}"))? {
        roots.add(c.with_context(|| format!("parsing {ca:?}"))?)?;
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![if http1 {
        b"http/1.1".to_vec()
    } else {
        b"h2".to_vec()
    }];
    Ok(Arc::new(config))
}

enum Sender {
    H2(http2::SendRequest<Full<Bytes>>),
    H1(http1::SendRequest<Full<Bytes>>),
}

/// One caller's handle on a connection (HTTP/2 handles share theirs).
struct Caller {
    sender: Sender,
    addr: SocketAddr,
}

/// An answer and how long it took (request sent to last body byte).
struct Answer {
    status: StatusCode,
    body: Bytes,
    elapsed: Duration,
}

impl Caller {
    async fn connect(tls: &Arc<ClientConfig>, addr: SocketAddr, http1: bool) -> Result<Caller> {
        let tcp = TcpStream::connect(addr).await?;
        tcp.set_nodelay(true)?;
        let name = ServerName::IpAddress(addr.ip().into());
        let stream = TlsConnector::from(tls.clone()).connect(name, tcp).await?;
        let want: &[u8] = if http1 { b"http/1.1" } else { b"h2" };
        if stream.get_ref().1.alpn_protocol() != Some(want) {
            bail!(
                "the webhook server did not negotiate {}",
                String::from_utf8_lossy(want)
            );
        }
        let io = TokioIo::new(stream);
        let sender = if http1 {
            let (send, conn) = http1::handshake(io).await?;
            tokio::spawn(async move {
                if let Err(e) = conn.await {
                    eprintln!("a webhook HTTP/1.1 connection ended with an error: {e}");
                }
            });
            Sender::H1(send)
        } else {
            let (send, conn) = http2::Builder::new(TokioExecutor::new())
                .timer(TokioTimer::new())
                .handshake(io)
                .await?;
            tokio::spawn(async move {
                if let Err(e) = conn.await {
                    eprintln!("a webhook HTTP/2 connection ended with an error: {e}");
                }
            });
            Sender::H2(send)
        };
        Ok(Caller { sender, addr })
    }

    /// Another handle on the same HTTP/2 connection.
    fn share(&self) -> Option<Caller> {
        match &self.sender {
            Sender::H2(s) => Some(Caller {
                sender: Sender::H2(s.clone()),
                addr: self.addr,
            }),
            Sender::H1(_) => None,
        }
    }

    async fn post(&mut self, path: &str, body: Bytes) -> Result<Answer> {
        let start = Instant::now();
        let builder = Request::builder()
            .method(Method::POST)
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::ACCEPT, "application/json, */*")
            .header(header::USER_AGENT, "argo-load (kube-apiserver admission)");
        let resp = match &mut self.sender {
            Sender::H2(s) => {
                let req = builder
                    .uri(format!("https://{}{path}", self.addr))
                    .body(Full::new(body))?;
                s.ready().await?;
                s.send_request(req).await?
            }
            Sender::H1(s) => {
                let req = builder
                    .uri(path)
                    .header(header::HOST, self.addr.to_string())
                    .body(Full::new(body))?;
                s.ready().await?;
                s.send_request(req).await?
            }
        };
        let status = resp.status();
        let body = resp.into_body().collect().await?.to_bytes();
        Ok(Answer {
            status,
            body,
            elapsed: start.elapsed(),
        })
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ReviewAnswer {
    api_version: String,
    kind: String,
    response: Option<ResponseAnswer>,
}

#[derive(Deserialize)]
struct ResponseAnswer {
    uid: String,
    allowed: bool,
    #[serde(default)]
    warnings: Vec<String>,
    #[serde(default)]
    status: Option<Value>,
}

/// Why an answer is not the expected one, if it is not.
fn check(case: &Case, uid: &str, a: &Answer) -> Option<String> {
    let text = || String::from_utf8_lossy(&a.body[..a.body.len().min(300)]).into_owned();
    if a.status != StatusCode::OK {
        return Some(format!("{}: {}", a.status, text()));
    }
    let r: ReviewAnswer = match serde_json::from_slice(&a.body) {
        Ok(r) => r,
        Err(e) => return Some(format!("undecodable answer ({e}): {}", text())),
    };
    let Some(resp) = r.response else {
        return Some(format!("no response: {}", text()));
    };
    if r.api_version != "admission.k8s.io/v1" || r.kind != "AdmissionReview" {
        return Some(format!("answered {} {}", r.api_version, r.kind));
    }
    if resp.uid != uid {
        return Some(format!("uid {} answered for {uid}", resp.uid));
    }
    if resp.allowed != case.allowed {
        return Some(format!(
            "allowed {} (expected {}): {}",
            resp.allowed,
            case.allowed,
            text()
        ));
    }
    // A warning here means the policy did not see the project (or saw something unexpected).
    if !resp.warnings.is_empty() {
        return Some(format!("unexpected warnings: {:?}", resp.warnings));
    }
    if let Some(want) = case.message {
        let message = resp
            .status
            .as_ref()
            .and_then(|s| s["message"].as_str())
            .unwrap_or_default();
        if !message.contains(want) {
            return Some(format!("refused with {message:?}, expected {want:?}"));
        }
    }
    None
}

/// CPU time (user + system) of a process so far.
fn cpu_time(pid: &str) -> Duration {
    // Fields after the command name; utime and stime are the 12th and 13th, in clock ticks of
    // 1/100 s on Linux.
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<u64> = after
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0))
        .collect();
    let ticks = f.get(11).copied().unwrap_or(0) + f.get(12).copied().unwrap_or(0);
    Duration::from_millis(ticks * 10)
}

struct Run {
    ok: u64,
    errors: u64,
    first_error: Option<String>,
    elapsed: Duration,
    latencies: Latencies,
    server_cpu: Duration,
    own_cpu: Duration,
}

impl Run {
    fn per_second(&self) -> f64 {
        self.ok as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

enum Until {
    Count(u64),
    For(Duration),
    /// For this long, at this many reviews per second in all: each caller sends on a fixed
    /// schedule (at once when an answer made it late), so the load does not ease off when the
    /// server slows down.
    Paced(Duration, f64),
}

/// `callers` tasks posting `case` until done; every answer is checked.
async fn drive(callers: Vec<Caller>, case: Arc<Case>, until: Until, server_pid: u32) -> Run {
    let server_pid = server_pid.to_string();
    let (server_cpu, own_cpu) = (cpu_time(&server_pid), cpu_time("self"));
    let until = Arc::new(until);
    let n = callers.len() as u64;
    let start = Instant::now();
    let mut tasks = Vec::new();
    for (c, mut caller) in callers.into_iter().enumerate() {
        let (case, until) = (case.clone(), until.clone());
        tasks.push(tokio::spawn(async move {
            let (mut ok, mut errors, mut first, mut lat) = (0u64, 0u64, None, Vec::new());
            for seq in 0.. {
                let more = match *until {
                    Until::Count(total) => seq < total.div_ceil(n),
                    Until::For(d) => start.elapsed() < d,
                    Until::Paced(d, rate) => {
                        // Callers are staggered over one interval. The timer wakes on whole
                        // milliseconds, so sends are jittered by up to 1 ms around the schedule;
                        // latency is timed from the actual send.
                        let interval = n as f64 / rate;
                        let at = start
                            + Duration::from_secs_f64(
                                interval * (seq as f64 + c as f64 / n as f64),
                            );
                        tokio::time::sleep_until(at.into()).await;
                        start.elapsed() < d
                    }
                };
                if !more {
                    break;
                }
                let (body, uid) = case.body(c, seq);
                let problem = match caller.post(case.path, body).await {
                    Ok(a) => match check(&case, &uid, &a) {
                        None => {
                            lat.push(a.elapsed);
                            None
                        }
                        Some(p) => Some(p),
                    },
                    Err(e) => Some(e.to_string()),
                };
                match problem {
                    None => ok += 1,
                    Some(p) => {
                        errors += 1;
                        first.get_or_insert(p);
                    }
                }
            }
            (ok, errors, first, lat)
        }));
    }
    let mut run = Run {
        ok: 0,
        errors: 0,
        first_error: None,
        elapsed: Duration::ZERO,
        latencies: Latencies::new(Vec::new()),
        server_cpu: Duration::ZERO,
        own_cpu: Duration::ZERO,
    };
    let mut all = Vec::new();
    for t in tasks {
        match t.await {
            Ok((ok, errors, first, lat)) => {
                run.ok += ok;
                run.errors += errors;
                if run.first_error.is_none() {
                    run.first_error = first;
                }
                all.extend(lat);
            }
            Err(e) => {
                run.errors += 1;
                run.first_error
                    .get_or_insert(format!("a caller failed: {e}"));
            }
        }
    }
    run.elapsed = start.elapsed();
    run.latencies = Latencies::new(all);
    run.server_cpu = cpu_time(&server_pid).saturating_sub(server_cpu);
    run.own_cpu = cpu_time("self").saturating_sub(own_cpu);
    run
}

/// Creates an object through the API, retrying briefly while the server's own admission has not
/// yet seen what it depends on (the Application's project).
async fn create(server: &ServerProcess, path: &str, obj: &Value) -> Result<()> {
    let conn = server.dialer()?.connect().await?;
    let body = Bytes::from(serde_json::to_vec(obj)?);
    let start = Instant::now();
    loop {
        let r = conn.post_json(path, body.clone()).await?;
        if r.status == StatusCode::CREATED {
            return Ok(());
        }
        if start.elapsed() > Duration::from_secs(5) {
            r.expect(StatusCode::CREATED)?;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

pub async fn run(settings: &Settings, server: &ServerProcess, port: u16) -> Result<Table> {
    let ca = data_dir(server.pid())?.join("pki").join("ca.crt");
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let tls = tls_config(&ca, settings.http1)?;

    let now_hour = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs() / 3600 % 24;
    let api = "/apis/argoproj.io/v1alpha1/namespaces/argocd";
    let project = project(now_hour);
    create(server, &format!("{api}/appprojects"), &project).await?;
    create(server, &format!("{api}/applications"), &application()).await?;
    let created = Instant::now();

    let ns = tracked_namespace();
    let name = "shop-config";
    let fast = Arc::new(Case::new(
        "fast path: ConfigMap CREATE, no tracking",
        "/validate",
        &review("CREATE", &ns, name, false, &DEVELOPER),
        true,
        None,
    )?);
    let tracked = Arc::new(Case::new(
        "tracked: ConfigMap UPDATE by a project role",
        "/validate",
        &review("UPDATE", &ns, name, true, &DEVELOPER),
        true,
        None,
    )?);
    // Refused only once the index has the app and its project: before, nothing is enforced.
    let outsider = Case::new(
        "tracked, by a user no role is bound to",
        "/validate",
        &review("UPDATE", &ns, name, true, &OUTSIDER),
        false,
        Some("no role of project 'bench' grants it"),
    )?;

    let mut probe = Caller::connect(&tls, addr, settings.http1).await?;
    let mut seq = 0;
    let indexed = loop {
        seq += 1;
        let mut pending = None;
        for case in [&outsider, &tracked] {
            let (body, uid) = case.body(0xffff_ffff, seq);
            let a = probe.post(case.path, body).await?;
            if let Some(p) = check(case, &uid, &a) {
                pending = Some(format!("{}: {p}", case.name));
                break;
            }
        }
        let Some(pending) = pending else {
            break created.elapsed();
        };
        if created.elapsed() > Duration::from_secs(10) {
            bail!("the webhooks do not see the project and app after 10s: {pending}");
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    };

    let clients = settings.clients.max(1);
    let connect = || async {
        let mut callers = Vec::with_capacity(clients);
        if settings.http1 {
            for _ in 0..clients {
                callers.push(Caller::connect(&tls, addr, true).await?);
            }
        } else {
            let mut conns = Vec::new();
            for _ in 0..settings.connections.clamp(1, clients) {
                conns.push(Caller::connect(&tls, addr, false).await?);
            }
            for c in 0..clients {
                callers.push(
                    conns[c % conns.len()]
                        .share()
                        .context("shared connection")?,
                );
            }
        }
        anyhow::Ok(callers)
    };
    let transport = if settings.http1 {
        format!("{clients} HTTP/1.1 keep-alive connections")
    } else {
        format!(
            "{} HTTP/2 connection(s), streams multiplexed",
            settings.connections.clamp(1, clients)
        )
    };
    let secs = settings.seconds.max(1.0);
    let mut t = Table::new(format!(
        "5. admission webhooks: {clients} concurrent callers on {transport}, {secs:.0}s per case, \
         POST /validate over TLS"
    ));
    t.row(
        "policy objects",
        format!(
            "AppProject with {DESTINATIONS} destinations, {ROLES} roles, {WINDOWS} inactive deny \
             windows; Application {APP}"
        ),
    );
    t.row("created to indexed (first correct answer)", ms(indexed));
    for (label, case) in [("fast path", fast), ("tracked", tracked)] {
        // Warm-up: connections, the server's first-use state, the allocator.
        drive(
            connect().await?,
            case.clone(),
            Until::Count(clients as u64 * 50),
            server.pid(),
        )
        .await;
        let run = drive(
            connect().await?,
            case.clone(),
            Until::For(Duration::from_secs_f64(secs)),
            server.pid(),
        )
        .await;
        t.row(
            format!("{label}: review"),
            format!(
                "{} ({} body, expect allowed={})",
                case.name,
                bytes(case.body.len() as u64),
                case.allowed
            ),
        );
        let rate = run.per_second();
        let (p99, summary) = (run.latencies.pct(99.0), run.latencies.summary());
        if label == "tracked" {
            t.target(
                format!("{label}: reviews/s"),
                format!("{rate:.0}"),
                ">= 5000/s",
                rate >= 5000.0 && run.errors == 0,
            );
            t.target(
                format!("{label}: latency p50 / p99 / max"),
                summary,
                "p99 < 2 ms",
                p99 < Duration::from_millis(2) && run.errors == 0,
            );
        } else {
            t.row(format!("{label}: reviews/s"), format!("{rate:.0}"));
            t.row(format!("{label}: latency p50 / p99 / max"), summary);
        }
        t.row(
            format!("{label}: answered as expected / errors"),
            format!("{} / {}", run.ok, run.errors),
        );
        let wall = run.elapsed.as_secs_f64().max(1e-9);
        t.row(
            format!("{label}: CPU (cores busy)"),
            format!(
                "server {:.2}, load generator {:.2}; server {:.0} us per review",
                run.server_cpu.as_secs_f64() / wall,
                run.own_cpu.as_secs_f64() / wall,
                run.server_cpu.as_secs_f64() * 1e6 / run.ok.max(1) as f64
            ),
        );
        if let Some(e) = run.first_error {
            t.row(format!("{label}: first error"), e);
        }
        if label != "tracked" || settings.rate <= 0.0 {
            continue;
        }
        // Saturated, latency is mostly queueing behind the other callers (Little's law: 32 in
        // flight at R/s wait 32/R on average); paced at the target rate, it is what a write
        // waits for while the webhook is loaded as the issue specifies.
        let run = drive(
            connect().await?,
            case.clone(),
            Until::Paced(Duration::from_secs_f64(secs), settings.rate),
            server.pid(),
        )
        .await;
        let rate = run.per_second();
        t.target(
            format!(
                "tracked, paced at {:.0}/s: latency p50 / p99 / max",
                settings.rate
            ),
            format!("{} ({rate:.0}/s achieved)", run.latencies.summary()),
            "p99 < 2 ms",
            run.latencies.pct(99.0) < Duration::from_millis(2)
                && rate >= settings.rate * 0.95
                && run.errors == 0,
        );
        t.row(
            "tracked, paced: answered as expected / errors",
            format!("{} / {}", run.ok, run.errors),
        );
        let wall = run.elapsed.as_secs_f64().max(1e-9);
        t.row(
            "tracked, paced: CPU (cores busy)",
            format!(
                "server {:.2}, load generator {:.2}",
                run.server_cpu.as_secs_f64() / wall,
                run.own_cpu.as_secs_f64() / wall
            ),
        );
        if let Some(e) = run.first_error {
            t.row("tracked, paced: first error", e);
        }
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reviews_carry_a_replaceable_uid_and_what_kube_apiserver_sends() {
        let r = review("UPDATE", "team-48-apps", "cm", true, &DEVELOPER);
        let req = &r["request"];
        for key in [
            "uid",
            "kind",
            "resource",
            "requestKind",
            "requestResource",
            "name",
            "namespace",
            "operation",
            "userInfo",
            "object",
            "oldObject",
            "dryRun",
            "options",
        ] {
            assert!(!req[key].is_null(), "{key}");
        }
        assert_eq!(
            req["object"]["metadata"]["annotations"][TRACKING_ANNOTATION],
            "bench-app:/ConfigMap:team-48-apps/cm"
        );
        let case = Case::new("t", "/validate", &r, true, None).unwrap();
        let (body, uid) = case.body(3, 77);
        assert_eq!(uid.len(), UID_PLACEHOLDER.len());
        let v: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["request"]["uid"], uid.as_str());
        let create = review("CREATE", "ns", "cm", false, &DEVELOPER);
        assert!(create["request"]["oldObject"].is_null());
        assert!(
            create["request"]["object"]["metadata"]["annotations"][TRACKING_ANNOTATION].is_null()
        );
    }

    #[test]
    fn no_window_is_active_now_and_the_tracked_namespace_is_a_destination() {
        for hour in 0..24 {
            for w in sync_windows(hour) {
                let s = w["schedule"].as_str().unwrap();
                let h: u64 = s.split(' ').nth(1).unwrap().parse().unwrap();
                // One-hour windows starting at least two hours from now.
                assert!(h != hour && h != (hour + 1) % 24, "{s} at {hour}");
            }
        }
        assert_eq!(tracked_namespace(), "team-48-apps");
        let p = project(0);
        assert_eq!(
            p["spec"]["destinations"].as_array().unwrap().len(),
            DESTINATIONS
        );
        assert_eq!(p["spec"]["roles"].as_array().unwrap().len(), ROLES);
        assert_eq!(p["spec"]["syncWindows"].as_array().unwrap().len(), WINDOWS);
    }
}
