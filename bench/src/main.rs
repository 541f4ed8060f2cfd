//! `argo-load`: starts the argo-apiserver binary (release by default) on a temporary data
//! directory and measures, over HTTP/2 with the admin client certificate:
//!
//! 1. creates/s with N concurrent clients creating distinct ~1 KiB Applications;
//! 2. get and list latency (lists of 1,000 and 10,000 Applications, JSON and Table, from the
//!    watch cache with `resourceVersion=0` and as the default consistent read);
//! 3. watch fan-out: the delivery latency of one update to 1,000 watchers;
//! 4. the server's RSS with 100,000 stored Applications against their JSON size;
//! 5. the admission webhooks' reviews/s and latency, over HTTPS as kube-apiserver calls them;
//! 6. (`apply`, on request) server-side apply against merge patch;
//! 7. (`soak`, on request) ten minutes of mixed load with the server's RSS sampled every 10 s.
//!
//! Every scenario prints a table with the numbers and the issue's target. `--scale 0.1` makes a
//! quick run.

mod apply;
mod client;
mod server;
mod soak;
mod stats;
mod webhook;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use bytes::Bytes;
use clap::Parser;
use http::{Method, StatusCode};
use http_body_util::BodyExt;
use serde_json::json;

use crate::client::{Conn, JSON, Reconnecting, TABLE};
use crate::server::ServerProcess;
use crate::stats::{Latencies, Table, bytes, ms};

const APPS: &str = "/apis/argoproj.io/v1alpha1";

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum Scenario {
    Create,
    Get,
    List,
    Watch,
    Rss,
    Webhook,
    /// Server-side apply against merge patch (not in the default run).
    Apply,
    /// Mixed load for --soak-seconds with memory sampled every 10 s (not in the default run).
    Soak,
}

#[derive(Debug, Parser)]
#[command(
    name = "argo-load",
    about = "Load generator and benchmark for argo-apiserver"
)]
struct Args {
    /// The server binary to start (default: this workspace's target/release/argo-apiserver).
    #[arg(long)]
    server_bin: Option<PathBuf>,
    /// An extra argument for `argo-apiserver serve` (repeatable), e.g. `--server-arg=--storage=etcd`.
    #[arg(long = "server-arg", allow_hyphen_values = true)]
    server_args: Vec<String>,
    /// Which scenarios to run, comma separated.
    #[arg(long, value_enum, value_delimiter = ',', default_values_t = [Scenario::Create, Scenario::Get, Scenario::List, Scenario::Watch, Scenario::Rss, Scenario::Webhook])]
    scenarios: Vec<Scenario>,
    /// Multiplies every object count, watcher count and the create duration (0.1 = quick run).
    #[arg(long, default_value_t = 1.0)]
    scale: f64,
    /// Concurrent clients that create objects.
    #[arg(long, default_value_t = 32)]
    clients: usize,
    /// HTTP/2 connections the creating clients share (default: one per client).
    #[arg(long)]
    create_connections: Option<usize>,
    /// How long the creates/s scenario runs, in seconds.
    #[arg(long, default_value_t = 10.0)]
    create_seconds: f64,
    /// Size of each created Application's request body, in bytes.
    #[arg(long, default_value_t = 1024)]
    object_bytes: usize,
    /// Sequential single-object GETs to time.
    #[arg(long, default_value_t = 2000)]
    get_samples: usize,
    /// List sizes, comma separated.
    #[arg(long, value_delimiter = ',', default_values_t = [1000u64, 10000])]
    list_sizes: Vec<u64>,
    /// Timed requests per list variant (default: 200 up to 2,000 items, 100 above).
    #[arg(long)]
    list_samples: Option<usize>,
    /// Concurrent watches for the fan-out scenario.
    #[arg(long, default_value_t = 1000)]
    watchers: usize,
    /// Watches per HTTP/2 connection.
    #[arg(long, default_value_t = 100)]
    streams_per_connection: usize,
    /// Updates whose delivery is timed in the fan-out scenario.
    #[arg(long, default_value_t = 5)]
    fanout_rounds: usize,
    /// Objects stored for the memory scenario.
    #[arg(long, default_value_t = 100_000)]
    rss_objects: u64,
    /// How long each webhook case runs, in seconds (multiplied by --scale).
    #[arg(long, default_value_t = 10.0)]
    webhook_seconds: f64,
    /// HTTP/2 connections the webhook callers (--clients) multiplex their reviews on.
    #[arg(long, default_value_t = 1)]
    webhook_connections: usize,
    /// Call the webhooks over HTTP/1.1 keep-alive, one connection per caller, instead of HTTP/2.
    #[arg(long)]
    webhook_http1: bool,
    /// Reviews/s of the paced tracked webhook run, whose latency is checked (0 skips it).
    #[arg(long, default_value_t = 5000.0)]
    webhook_rate: f64,
    /// Seconds of merge patches and of applies in the apply scenario (multiplied by --scale).
    #[arg(long, default_value_t = 10.0)]
    apply_seconds: f64,
    /// Concurrent clients in the apply scenario, each rewriting its own Application.
    #[arg(long, default_value_t = 8)]
    apply_clients: usize,
    /// Size of the Application the apply scenario rewrites, in bytes.
    #[arg(long, default_value_t = 5120)]
    apply_object_bytes: usize,
    /// How long the soak runs, in seconds (multiplied by --scale).
    #[arg(long, default_value_t = 600.0)]
    soak_seconds: f64,
    /// Concurrent watches during the soak (not scaled: they are the point of the soak).
    #[arg(long, default_value_t = 200)]
    soak_watchers: usize,
    /// Writes and subresource calls per second during the soak, all writers together.
    #[arg(long, default_value_t = 500.0)]
    soak_rate: f64,
    /// Concurrent writers during the soak.
    #[arg(long, default_value_t = 16)]
    soak_writers: usize,
    /// Names per kind and namespace the soak cycles through (bounds its working set).
    #[arg(long, default_value_t = 50)]
    soak_pool: usize,
}

impl Args {
    fn scaled(&self, n: u64) -> u64 {
        ((n as f64 * self.scale).round() as u64).max(1)
    }
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let binary = args
        .server_bin
        .clone()
        .unwrap_or_else(server::default_binary);
    println!(
        "argo-load: server {binary:?}, scale {}, scenarios {:?}",
        args.scale, args.scenarios
    );
    println!(
        "load average at start (1, 5, 15 min): {}  (the load generator shares the machine)",
        load_average()
    );
    let pad = padding(args.object_bytes);
    let mut tables = Vec::new();

    let shared = [
        Scenario::Create,
        Scenario::Get,
        Scenario::List,
        Scenario::Watch,
    ];
    if args.scenarios.iter().any(|s| shared.contains(s)) {
        let what = "creates, gets, lists, watches";
        let server = ServerProcess::start(&binary, &args.server_args, what).await?;
        let result = run_shared(&args, &server, pad, &mut tables).await;
        if let Err(e) = result {
            eprintln!("server log tail:\n{}", server.log_tail(30));
            return Err(e);
        }
    }
    if args.scenarios.contains(&Scenario::Rss) {
        // A fresh server, so its memory holds only the objects this scenario counts.
        let mut server = ServerProcess::start(&binary, &args.server_args, "memory").await?;
        let result = rss(&args, &mut server, pad).await;
        keep(result, &server, &mut tables)?;
    }
    if args.scenarios.contains(&Scenario::Webhook) {
        // A fresh server, on a webhook port of its own.
        let (port, extra) = webhook::webhook_port(&args.server_args)?;
        let server_args: Vec<String> = args.server_args.iter().cloned().chain(extra).collect();
        let what = format!("webhooks on port {port}");
        let server = ServerProcess::start(&binary, &server_args, &what).await?;
        let settings = webhook::Settings {
            seconds: args.webhook_seconds * args.scale,
            clients: args.clients,
            connections: args.webhook_connections,
            http1: args.webhook_http1,
            rate: args.webhook_rate,
        };
        keep(
            webhook::run(&settings, &server, port).await,
            &server,
            &mut tables,
        )?;
    }
    if args.scenarios.contains(&Scenario::Apply) {
        let what = "apply vs merge patch";
        let server = ServerProcess::start(&binary, &args.server_args, what).await?;
        let settings = apply::Settings {
            seconds: args.apply_seconds * args.scale,
            clients: args.apply_clients,
            object_bytes: args.apply_object_bytes,
        };
        keep(apply::run(&settings, &server).await, &server, &mut tables)?;
    }
    if args.scenarios.contains(&Scenario::Soak) {
        let server = ServerProcess::start(&binary, &args.server_args, "soak").await?;
        let settings = soak::Settings {
            seconds: args.soak_seconds * args.scale,
            watchers: args.soak_watchers,
            rate: args.soak_rate,
            writers: args.soak_writers,
            pool: args.soak_pool,
        };
        keep(soak::run(&settings, &server).await, &server, &mut tables)?;
    }
    println!("\n######## summary ########");
    println!("load average at the end: {}", load_average());
    for t in &tables {
        print!("{}", t.render());
    }
    Ok(())
}

async fn run_shared(
    args: &Args,
    server: &ServerProcess,
    pad: usize,
    tables: &mut Vec<Table>,
) -> Result<()> {
    let mut push = |t: Table| {
        print!("{}", t.render());
        tables.push(t);
    };
    if args.scenarios.contains(&Scenario::Create) {
        push(creates(args, server, pad).await?);
    }
    if args.scenarios.contains(&Scenario::Get) {
        push(gets(args, server, pad).await?);
    }
    if args.scenarios.contains(&Scenario::List) {
        for size in &args.list_sizes {
            push(lists(args, server, pad, args.scaled(*size)).await?);
        }
    }
    if args.scenarios.contains(&Scenario::Watch) {
        push(fan_out(args, server, pad).await?);
    }
    Ok(())
}

/// Prints a scenario's table and keeps it for the summary; on failure, shows the server's log
/// tail first.
fn keep(result: Result<Table>, server: &ServerProcess, tables: &mut Vec<Table>) -> Result<()> {
    match result {
        Ok(t) => {
            print!("{}", t.render());
            tables.push(t);
            Ok(())
        }
        Err(e) => {
            eprintln!("server log tail:\n{}", server.log_tail(30));
            Err(e)
        }
    }
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// An Application of about `pad` + 600 bytes as JSON (the padding is an annotation).
fn application(namespace: &str, name: &str, pad: usize) -> Bytes {
    let v = json!({
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "labels": {
                "app.kubernetes.io/part-of": "argo-load",
                "team": "platform",
            },
            "annotations": {
                "argo-load.argoproj.io/padding": "x".repeat(pad),
            },
        },
        "spec": {
            "project": "default",
            "source": {
                "repoURL": "https://github.com/argoproj/argocd-example-apps",
                "path": "helm-guestbook",
                "targetRevision": "HEAD",
                "helm": {
                    "valueFiles": ["values.yaml", "values-production.yaml"],
                    "releaseName": name,
                },
            },
            "destination": {
                "server": "https://kubernetes.default.svc",
                "namespace": "guestbook",
            },
            "syncPolicy": {
                "automated": {"prune": true, "selfHeal": true},
                "syncOptions": ["CreateNamespace=true"],
            },
        },
    });
    Bytes::from(serde_json::to_vec(&v).unwrap_or_default())
}

/// The padding that makes a created Application's body about `target` bytes.
fn padding(target: usize) -> usize {
    let base = application("namespace-0", "app-0000000", 0).len();
    target.saturating_sub(base)
}

fn collection(namespace: &str) -> String {
    format!("{APPS}/namespaces/{namespace}/applications")
}

enum Until {
    Count(u64),
    For(Duration),
}

struct CreateRun {
    ok: u64,
    failed: u64,
    first_error: Option<String>,
    elapsed: Duration,
    latencies: Latencies,
}

impl CreateRun {
    fn per_second(&self) -> f64 {
        self.ok as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// `clients` tasks creating distinct Applications in `namespace` over `conns` until done.
async fn create_load(
    conns: &[Conn],
    namespace: &str,
    clients: usize,
    until: Until,
    pad: usize,
) -> Result<CreateRun> {
    let next = Arc::new(AtomicU64::new(0));
    let path = Arc::new(collection(namespace));
    let namespace = Arc::new(namespace.to_string());
    let until = Arc::new(until);
    let start = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients.max(1) {
        let conn = conns[c % conns.len()].clone();
        let (next, path, namespace, until) =
            (next.clone(), path.clone(), namespace.clone(), until.clone());
        tasks.push(tokio::spawn(async move {
            let (mut ok, mut failed, mut first_error, mut lat) = (0u64, 0u64, None, Vec::new());
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let more = match *until {
                    Until::Count(n) => i < n,
                    Until::For(d) => start.elapsed() < d,
                };
                if !more {
                    break;
                }
                let body = application(&namespace, &format!("app-{i:07}"), pad);
                match conn.post_json(&path, body).await {
                    Ok(r) if r.status == StatusCode::CREATED => {
                        ok += 1;
                        lat.push(r.elapsed);
                    }
                    Ok(r) => {
                        failed += 1;
                        first_error.get_or_insert_with(|| {
                            format!(
                                "{}: {}",
                                r.status,
                                String::from_utf8_lossy(&r.body[..r.body.len().min(300)])
                            )
                        });
                    }
                    Err(e) => {
                        failed += 1;
                        first_error.get_or_insert_with(|| e.to_string());
                    }
                }
            }
            (ok, failed, first_error, lat)
        }));
    }
    let mut run = CreateRun {
        ok: 0,
        failed: 0,
        first_error: None,
        elapsed: Duration::ZERO,
        latencies: Latencies::new(Vec::new()),
    };
    let mut all = Vec::new();
    for t in tasks {
        let (ok, failed, err, lat) = t.await?;
        run.ok += ok;
        run.failed += failed;
        if run.first_error.is_none() {
            run.first_error = err;
        }
        all.extend(lat);
    }
    run.elapsed = start.elapsed();
    run.latencies = Latencies::new(all);
    Ok(run)
}

/// Creates exactly `n` objects (fails on any error) and reports the rate.
async fn populate(
    server: &ServerProcess,
    namespace: &str,
    n: u64,
    pad: usize,
    clients: usize,
) -> Result<CreateRun> {
    let conns = server.dialer()?.connect_many(clients.min(8)).await?;
    let run = create_load(&conns, namespace, clients, Until::Count(n), pad).await?;
    if run.failed > 0 {
        bail!(
            "{} of {n} creates failed, first: {}",
            run.failed,
            run.first_error.unwrap_or_default()
        );
    }
    println!(
        "created {n} Applications in {namespace} in {:.1}s ({:.0}/s)",
        run.elapsed.as_secs_f64(),
        run.per_second()
    );
    Ok(run)
}

async fn creates(args: &Args, server: &ServerProcess, pad: usize) -> Result<Table> {
    let secs = (args.create_seconds * args.scale).max(1.0);
    let conns = server
        .dialer()?
        .connect_many(args.create_connections.unwrap_or(args.clients))
        .await?;
    // Warm-up: the first requests pay for lazily built state.
    create_load(
        &conns,
        "warmup",
        args.clients,
        Until::Count(args.clients as u64 * 4),
        pad,
    )
    .await?;
    let run = create_load(
        &conns,
        "creates",
        args.clients,
        Until::For(Duration::from_secs_f64(secs)),
        pad,
    )
    .await?;
    let mut t = Table::new(format!(
        "1. creates: {} concurrent clients on {} HTTP/2 connections, {secs:.0}s, ~{} B bodies",
        args.clients,
        conns.len(),
        args.object_bytes
    ));
    t.target(
        "creates/s",
        format!("{:.0}", run.per_second()),
        ">= 3000/s (embedded store)",
        run.per_second() >= 3000.0,
    );
    t.row("created / failed", format!("{} / {}", run.ok, run.failed));
    t.row("create latency p50 / p99 / max", run.latencies.summary());
    if let Some(e) = run.first_error {
        t.row("first error", e);
    }
    Ok(t)
}

async fn gets(args: &Args, server: &ServerProcess, pad: usize) -> Result<Table> {
    let ns = "get";
    server
        .dialer()?
        .connect()
        .await?
        .post_json(&collection(ns), application(ns, "target", pad))
        .await?
        .expect(StatusCode::CREATED)?;
    let conn = Reconnecting::new(server.dialer()?).await?;
    let path = format!("{}/target", collection(ns));
    for _ in 0..20 {
        conn.get(&path, JSON).await?.expect(StatusCode::OK)?;
    }
    let mut lat = Vec::with_capacity(args.get_samples);
    let mut size = 0;
    for _ in 0..args.get_samples.max(1) {
        let r = conn.get(&path, JSON).await?.expect(StatusCode::OK)?;
        size = r.body.len();
        lat.push(r.elapsed);
    }
    let lat = Latencies::new(lat);
    let mut t = Table::new(format!(
        "2a. get: one Application as JSON, {} sequential requests",
        lat.len()
    ));
    t.row("get p50 / p99 / max", lat.summary());
    t.row("object size", format!("{size} B"));
    if conn.reconnects() > 0 {
        t.row(
            "connections lost and replaced",
            conn.reconnects().to_string(),
        );
    }
    Ok(t)
}

/// The number of items of a JSON list and the sum of their sizes as returned, without building
/// the whole document in memory.
fn item_sizes(body: &[u8]) -> Result<(u64, u64)> {
    fn skip_ws(b: &[u8], mut i: usize) -> usize {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        i
    }
    let key = b"\"items\":";
    let at = body
        .windows(key.len())
        .position(|w| w == key)
        .context("no items in the list")?;
    let mut pos = skip_ws(body, at + key.len());
    if body[pos..].starts_with(b"null") {
        return Ok((0, 0));
    }
    if body.get(pos) != Some(&b'[') {
        bail!("items is not an array");
    }
    pos += 1;
    let (mut count, mut total) = (0u64, 0u64);
    loop {
        pos = skip_ws(body, pos);
        match body.get(pos) {
            Some(b']') => break,
            None => bail!("truncated list"),
            _ => {}
        }
        let mut it =
            serde_json::Deserializer::from_slice(&body[pos..]).into_iter::<serde::de::IgnoredAny>();
        it.next().context("truncated list")??;
        let len = it.byte_offset();
        count += 1;
        total += len as u64;
        pos = skip_ws(body, pos + len);
        if body.get(pos) == Some(&b',') {
            pos += 1;
        }
    }
    Ok((count, total))
}

async fn lists(args: &Args, server: &ServerProcess, pad: usize, size: u64) -> Result<Table> {
    let ns = format!("list-{size}");
    populate(server, &ns, size, pad, args.clients).await?;
    let conn = Reconnecting::new(server.dialer()?).await?;
    let samples = args
        .list_samples
        .unwrap_or(if size > 2000 { 100 } else { 200 })
        .max(1);
    let mut t = Table::new(format!(
        "2b. list of {size} Applications in one namespace, {samples} sequential requests per variant"
    ));
    let variants = [
        (
            "JSON, resourceVersion=0 (cache)",
            "?resourceVersion=0",
            JSON,
            true,
        ),
        ("JSON, consistent (default)", "", JSON, false),
        (
            "Table, resourceVersion=0 (cache)",
            "?resourceVersion=0",
            TABLE,
            true,
        ),
        ("Table, consistent (default)", "", TABLE, false),
    ];
    for (name, query, accept, cached) in variants {
        let path = format!("{}{query}", collection(&ns));
        let first = conn.get(&path, accept).await?.expect(StatusCode::OK)?;
        if accept == JSON {
            let (count, _) = item_sizes(&first.body)?;
            if count != size {
                bail!("{name}: listed {count} items, expected {size}");
            }
        }
        conn.get(&path, accept).await?.expect(StatusCode::OK)?;
        let mut lat = Vec::with_capacity(samples);
        for _ in 0..samples {
            lat.push(
                conn.get(&path, accept)
                    .await?
                    .expect(StatusCode::OK)?
                    .elapsed,
            );
        }
        let lat = Latencies::new(lat);
        let value = format!("{} ({})", lat.summary(), bytes(first.body.len() as u64));
        if cached && accept == JSON && size >= 10_000 {
            t.target(
                format!("{name} p50/p99/max"),
                value,
                "p99 < 100 ms (10,000 from cache)",
                lat.pct(99.0) < Duration::from_millis(100),
            );
        } else {
            t.row(format!("{name} p50/p99/max"), value);
        }
    }
    if conn.reconnects() > 0 {
        t.row(
            "connections lost and replaced",
            conn.reconnects().to_string(),
        );
    }
    Ok(t)
}

async fn fan_out(args: &Args, server: &ServerProcess, pad: usize) -> Result<Table> {
    let watchers = args.scaled(args.watchers as u64) as usize;
    let per_conn = args.streams_per_connection.max(1);
    let ns = "fanout";
    let ctl = server.dialer()?.connect().await?;
    let created = ctl
        .post_json(&collection(ns), application(ns, "target", pad))
        .await?
        .expect(StatusCode::CREATED)?;
    let v: serde_json::Value = serde_json::from_slice(&created.body)?;
    let rv = v["metadata"]["resourceVersion"]
        .as_str()
        .context("no resourceVersion")?
        .to_string();
    let conns = server
        .dialer()?
        .connect_many(watchers.div_ceil(per_conn))
        .await?;
    let watch_path = format!(
        "{}?watch=true&resourceVersion={rv}&timeoutSeconds=900",
        collection(ns)
    );
    let (event_tx, mut event_rx) = tokio::sync::mpsc::unbounded_channel::<(usize, Instant)>();
    let (ready_tx, mut ready_rx) = tokio::sync::mpsc::unbounded_channel::<Result<(), String>>();
    let mut tasks = Vec::with_capacity(watchers);
    for w in 0..watchers {
        let conn = conns[w / per_conn].clone();
        let (path, event_tx, ready_tx) = (watch_path.clone(), event_tx.clone(), ready_tx.clone());
        tasks.push(tokio::spawn(async move {
            let resp = match conn.send_streaming(Method::GET, &path, JSON).await {
                Ok(r) if r.status().is_success() => r,
                Ok(r) => {
                    let _ = ready_tx.send(Err(format!("watch answered {}", r.status())));
                    return;
                }
                Err(e) => {
                    let _ = ready_tx.send(Err(e.to_string()));
                    return;
                }
            };
            let _ = ready_tx.send(Ok(()));
            let mut body = resp.into_body();
            let mut buf = Vec::new();
            while let Some(Ok(frame)) = body.frame().await {
                let Ok(data) = frame.into_data() else {
                    continue;
                };
                buf.extend_from_slice(&data);
                while let Some(nl) = buf.iter().position(|b| *b == b'\n') {
                    let line: Vec<u8> = buf.drain(..=nl).collect();
                    let modified = b"\"type\":\"MODIFIED\"";
                    if line.windows(modified.len()).any(|w| w == modified) {
                        let _ = event_tx.send((w, Instant::now()));
                    }
                }
            }
        }));
    }
    drop(ready_tx);
    let setup = Instant::now();
    let mut established = 0;
    while established < watchers {
        match tokio::time::timeout(Duration::from_secs(60), ready_rx.recv()).await {
            Ok(Some(Ok(()))) => established += 1,
            Ok(Some(Err(e))) => bail!("a watch failed to start: {e}"),
            Ok(None) => break,
            Err(_) => bail!("only {established} of {watchers} watches started within 60s"),
        }
    }
    let setup = setup.elapsed();
    tokio::time::sleep(Duration::from_millis(500)).await;

    let mut t = Table::new(format!(
        "3. watch fan-out: {watchers} watches on {} HTTP/2 connections ({per_conn} per connection), \
         {} updates of one Application",
        conns.len(),
        args.fanout_rounds
    ));
    t.row("watches established in", ms(setup));
    let path = format!("{}/target", collection(ns));
    let mut all_from_ack = Vec::new();
    let mut all_received = true;
    for round in 0..args.fanout_rounds.max(1) {
        let patch = json!({"metadata": {"annotations": {"argo-load.argoproj.io/round": round.to_string()}}});
        let sent = Instant::now();
        ctl.merge_patch(&path, Bytes::from(serde_json::to_vec(&patch)?))
            .await?
            .expect(StatusCode::OK)?;
        let acked = Instant::now();
        let deadline = tokio::time::Instant::from_std(acked + Duration::from_secs(30));
        let mut seen = vec![false; watchers];
        let (mut from_ack, mut from_send, mut before_ack) = (Vec::new(), Vec::new(), 0);
        while from_ack.len() < watchers {
            match tokio::time::timeout_at(deadline, event_rx.recv()).await {
                Ok(Some((w, at))) => {
                    if std::mem::replace(&mut seen[w], true) {
                        continue;
                    }
                    if at < acked {
                        before_ack += 1;
                    }
                    from_ack.push(at.saturating_duration_since(acked));
                    from_send.push(at.saturating_duration_since(sent));
                }
                Ok(None) | Err(_) => break,
            }
        }
        let received = from_ack.len();
        all_received &= received == watchers;
        all_from_ack.extend(from_ack.iter().copied());
        let from_ack = Latencies::new(from_ack);
        let from_send = Latencies::new(from_send);
        t.target(
            format!("round {round}: after ack p50/p99/max"),
            format!(
                "{} ({received}/{watchers} got it, {before_ack} before the ack)",
                from_ack.summary()
            ),
            "p99 < 200 ms",
            received == watchers && from_ack.pct(99.0) < Duration::from_millis(200),
        );
        t.row(
            format!("round {round}: after send p50/p99/max"),
            format!(
                "{} (update round trip {})",
                from_send.summary(),
                ms(acked - sent)
            ),
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let all = Latencies::new(all_from_ack);
    t.target(
        "all rounds: after ack p50/p99/max",
        all.summary(),
        "p99 < 200 ms, every watcher",
        all_received && all.pct(99.0) < Duration::from_millis(200),
    );
    for task in tasks {
        task.abort();
    }
    Ok(t)
}

async fn rss(args: &Args, server: &mut ServerProcess, pad: usize) -> Result<Table> {
    let n = args.scaled(args.rss_objects);
    let start = server.memory()?;
    let run = populate(server, "rss", n, pad, args.clients).await?;
    let after_creates = server.memory()?;
    let all = format!("{APPS}/applications?resourceVersion=0");
    let r = server
        .dialer()?
        .connect()
        .await?
        .get(&all, JSON)
        .await?
        .expect(StatusCode::OK)?;
    let (count, json_bytes) = item_sizes(&r.body)?;
    if count != n {
        bail!("listed {count} Applications, expected {n}");
    }
    let after_list = server.memory()?;
    let file = server.store_file_size();
    // The same data after a restart: the cache holds every object, but nothing of the write
    // path's history, so the difference shows what the writes left behind.
    server.restart().await?;
    let restarted = server.memory()?;
    let r2 = server
        .dialer()?
        .connect()
        .await?
        .get(&all, JSON)
        .await?
        .expect(StatusCode::OK)?;
    let after_restart = server.memory()?;
    let json = json_bytes.max(1) as f64;
    let ratio = after_list.rss as f64 / json;
    let show = |m: &server::Memory| {
        format!(
            "{} (anon {}, file {}) = {:.2}x",
            bytes(m.rss),
            bytes(m.anon),
            bytes(m.file),
            m.rss as f64 / json
        )
    };
    let mut t = Table::new(format!("4. memory with {n} stored Applications"));
    t.row(
        "creates/s while filling",
        format!("{:.0} ({} clients)", run.per_second(), args.clients),
    );
    t.row(
        "stored JSON (sum of items as listed)",
        format!(
            "{} ({} B per object); store file {}",
            bytes(json_bytes),
            json_bytes / count.max(1),
            bytes(file)
        ),
    );
    t.row(
        "full list at resourceVersion=0",
        format!("{} in {}", bytes(r.body.len() as u64), ms(r.elapsed)),
    );
    t.row("RSS at start (empty store)", show(&start));
    t.row("RSS after the creates", show(&after_creates));
    t.target(
        "RSS after the full list / stored JSON",
        show(&after_list),
        "< 2x",
        ratio < 2.0,
    );
    t.row("peak RSS (VmHWM) before restart", bytes(after_list.peak));
    t.row("RSS after a restart (same data)", show(&restarted));
    t.row(
        "... and after a full list at rv=0",
        format!("{} (list took {})", show(&after_restart), ms(r2.elapsed)),
    );
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item_sizes_counts_items_and_their_bytes() {
        let body = br#"{"kind":"List","metadata":{"resourceVersion":"5"},"items":[{"a":1}, {"b":[1,2]} ,{}]}"#;
        assert_eq!(item_sizes(body).unwrap(), (3, 7 + 11 + 2));
        assert_eq!(item_sizes(br#"{"items":[]}"#).unwrap(), (0, 0));
        assert_eq!(item_sizes(br#"{"items":null}"#).unwrap(), (0, 0));
        assert!(item_sizes(br#"{"items":[{"a":1},"#).is_err());
        assert!(item_sizes(br#"{"kind":"Status"}"#).is_err());
    }

    #[test]
    fn applications_are_about_the_requested_size() {
        let pad = padding(1024);
        let len = application("creates", "app-0000001", pad).len();
        assert!((1000..=1050).contains(&len), "{len}");
    }
}
