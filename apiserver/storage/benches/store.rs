//! Storage benchmark: the embedded backend, the etcd backend, and raw etcd-client calls as the
//! ceiling the etcd backend is measured against.
//!
//! ```text
//! cargo bench -p argo-apiserver-storage --bench store                 # everything
//! cargo bench -p argo-apiserver-storage --bench store -- etcd raw     # only these targets
//! STORE_BENCH_SCALE=0.1 cargo bench -p argo-apiserver-storage --bench store   # quick run
//! ```
//!
//! Targets (filter words): `embedded`, `etcd` (the EtcdStore), `raw` (etcd-client: plain puts for
//! creates, a txn comparing mod_revision for updates), `raw-txn` (as `raw`, but creates are the
//! same create-if-absent txn the backend sends, so it is the ceiling for the same semantics). Each target gets a fresh store (a fresh
//! etcd started by the test harness, with its data on the same disk as the temp dir). Values are
//! 1 KiB. `STORE_BENCH_SCALE` multiplies every operation count (the 10,000-object list too).

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant};

use argo_apiserver_storage::embedded::{EmbeddedOptions, EmbeddedStore};
use argo_apiserver_storage::etcd::{EtcdOptions, EtcdStore};
use argo_apiserver_storage::testing::EtcdProcess;
use argo_apiserver_storage::{ListOptions, Revision, Store, WatchEvent, keys};
use bytes::Bytes;
use etcd_client::{Compare, CompareOp, GetOptions, Txn, TxnOp, WatchOptions};
use futures::StreamExt;
use futures::stream::BoxStream;
use hdrhistogram::Histogram;

const VALUE_BYTES: usize = 1024;
const WATCHERS: usize = 100;
const PAGE: u64 = 500;
/// The raw target writes where the etcd backend would, so both do the same work in etcd.
const RAW_PREFIX: &str = "/registry";

type BoxError = Box<dyn std::error::Error + Send + Sync>;
type Res<T> = std::result::Result<T, BoxError>;

/// What is measured, in operations per phase (before scaling).
struct Plan {
    creates_1: usize,
    creates_32: usize,
    updates_1: usize,
    updates_32: usize,
    gets: usize,
    list_objects: usize,
    list_repeats: usize,
    watch_writes: usize,
    /// Rounds of the write phases; each column reports its best round.
    rounds: usize,
}

impl Plan {
    fn scaled(scale: f64) -> Plan {
        let s = |n: usize| ((n as f64 * scale).round() as usize).max(1);
        Plan {
            creates_1: s(1_000),
            creates_32: s(10_000),
            updates_1: s(1_000),
            updates_32: s(10_000),
            gets: s(5_000),
            list_objects: s(10_000).max(PAGE as usize),
            list_repeats: 5,
            watch_writes: s(500),
            rounds: 3,
        }
    }
}

/// One system under test.
#[derive(Clone)]
enum Target {
    Store(Arc<dyn Store>),
    /// etcd-client directly; `txn_creates`: create with the same create-if-absent txn as the
    /// backend instead of a plain put.
    Raw {
        client: Box<etcd_client::Client>,
        txn_creates: bool,
    },
}

impl Target {
    async fn create(&self, key: &str, value: Bytes) -> Res<Revision> {
        match self {
            Target::Store(s) => Ok(s.create(key, value).await?.mod_revision),
            Target::Raw {
                client,
                txn_creates: false,
            } => {
                let resp = client
                    .kv_client()
                    .put(format!("{RAW_PREFIX}{key}"), value.to_vec(), None)
                    .await?;
                Ok(resp.header().map(|h| h.revision()).unwrap_or_default())
            }
            Target::Raw {
                client,
                txn_creates: true,
            } => {
                let k = format!("{RAW_PREFIX}{key}");
                let txn = Txn::new()
                    .when([Compare::create_revision(k.clone(), CompareOp::Equal, 0)])
                    .and_then([TxnOp::put(k, value.to_vec(), None)]);
                let resp = client.kv_client().txn(txn).await?;
                if !resp.succeeded() {
                    return Err("raw create: key exists".into());
                }
                Ok(resp.header().map(|h| h.revision()).unwrap_or_default())
            }
        }
    }

    async fn update(&self, key: &str, value: Bytes, expected: Revision) -> Res<Revision> {
        match self {
            Target::Store(s) => Ok(s.update(key, value, expected).await?.mod_revision),
            Target::Raw { client: c, .. } => {
                let k = format!("{RAW_PREFIX}{key}");
                let txn = Txn::new()
                    .when([Compare::mod_revision(k.clone(), CompareOp::Equal, expected)])
                    .and_then([TxnOp::put(k, value.to_vec(), None)]);
                let resp = c.kv_client().txn(txn).await?;
                if !resp.succeeded() {
                    return Err("raw update lost its compare".into());
                }
                Ok(resp.header().map(|h| h.revision()).unwrap_or_default())
            }
        }
    }

    async fn get(&self, key: &str) -> Res<()> {
        match self {
            Target::Store(s) => s.get(key).await.map(drop).map_err(Into::into),
            Target::Raw { client: c, .. } => {
                let resp = c
                    .kv_client()
                    .get(format!("{RAW_PREFIX}{key}"), None)
                    .await?;
                if resp.kvs().is_empty() {
                    return Err("raw get: missing".into());
                }
                Ok(())
            }
        }
    }

    /// Lists everything under `prefix`, in pages of `limit` (0 = one request); returns the count.
    async fn list(&self, prefix: &str, limit: u64) -> Res<usize> {
        match self {
            Target::Store(s) => {
                let mut opts = ListOptions {
                    prefix: prefix.into(),
                    limit: Some(limit),
                    ..Default::default()
                };
                let mut n = 0;
                loop {
                    let page = s.list(&opts).await?;
                    n += page.items.len();
                    match page.continue_token {
                        Some(t) => opts.continue_token = Some(t),
                        None => return Ok(n),
                    }
                }
            }
            Target::Raw { client: c, .. } => {
                let full = format!("{RAW_PREFIX}{prefix}");
                let end = prefix_end(&full);
                let mut kv = c.kv_client().max_decoding_message_size(64 << 20);
                let mut start = full.into_bytes();
                let mut rev = 0;
                let mut n = 0;
                loop {
                    let opts = GetOptions::new()
                        .with_range(end.clone())
                        .with_limit(limit as i64)
                        .with_revision(rev);
                    let resp = kv.get(start.clone(), Some(opts)).await?;
                    rev = resp.header().map(|h| h.revision()).unwrap_or_default();
                    n += resp.kvs().len();
                    match resp.kvs().last() {
                        Some(last) if resp.more() => {
                            start = last.key().to_vec();
                            start.push(0);
                        }
                        _ => return Ok(n),
                    }
                }
            }
        }
    }

    /// A watch from now on: yields the value of each put.
    async fn watch(&self, prefix: &str) -> Res<BoxStream<'static, Bytes>> {
        match self {
            Target::Store(s) => {
                let w = s.watch(prefix, 0).await?;
                Ok(w.filter_map(|ev| async move {
                    match ev {
                        Ok(WatchEvent::Put { kv, .. }) => Some(kv.value),
                        _ => None,
                    }
                })
                .boxed())
            }
            Target::Raw { client: c, .. } => {
                let mut w = c
                    .watch_client()
                    .watch(
                        format!("{RAW_PREFIX}{prefix}"),
                        Some(WatchOptions::new().with_prefix().with_prev_key()),
                    )
                    .await?;
                // Wait for the "created" response so no write is missed.
                w.message().await?;
                Ok(futures::stream::unfold(w, |mut w| async move {
                    let resp = w.message().await.ok()??;
                    let values: Vec<Bytes> = resp
                        .events()
                        .iter()
                        .filter_map(|e| e.kv().map(|kv| Bytes::copy_from_slice(kv.value())))
                        .collect();
                    Some((futures::stream::iter(values), w))
                })
                .flatten()
                .boxed())
            }
        }
    }
}

fn prefix_end(prefix: &str) -> Vec<u8> {
    let mut end = prefix.as_bytes().to_vec();
    if let Some(last) = end.last_mut() {
        *last += 1;
    }
    end
}

fn key(ns: &str, name: &str) -> String {
    keys::object_key("applications", Some(ns), name).expect("valid bench key")
}

fn prefix(ns: &str) -> String {
    keys::list_prefix("applications", Some(ns)).expect("valid bench prefix")
}

fn value(seed: usize) -> Bytes {
    let mut v = vec![b'x'; VALUE_BYTES];
    let s = seed.to_string();
    v[..s.len()].copy_from_slice(s.as_bytes());
    Bytes::from(v)
}

fn histogram() -> Histogram<u64> {
    // Microseconds, from 1 µs to 10 minutes.
    Histogram::new_with_bounds(1, 600_000_000, 3).expect("histogram bounds")
}

/// Results of one target, by column.
#[derive(Default)]
struct Row {
    cells: BTreeMap<&'static str, String>,
    rates: BTreeMap<&'static str, f64>,
    times: BTreeMap<&'static str, Duration>,
}

const COLUMNS: [&str; 10] = [
    "create/s 1w",
    "create/s 32w",
    "update/s 1w",
    "update/s 32w",
    "get p50",
    "get p99",
    "list all",
    "list /500",
    "watch p50",
    "watch p99",
];

/// `total` operations split over `writers` tasks; `op(writer, i)` does the i-th one of a writer.
async fn throughput<F, Fut>(writers: usize, total: usize, op: F) -> Res<f64>
where
    F: Fn(usize, usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Res<()>> + Send,
{
    let op = Arc::new(op);
    let per = total.div_ceil(writers);
    let start = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..writers {
        let op = op.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..per {
                op(w, i).await?;
            }
            Res::Ok(())
        }));
    }
    for t in tasks {
        t.await??;
    }
    Ok((per * writers) as f64 / start.elapsed().as_secs_f64())
}

/// One round of the write phases on one target; `round` keeps each round's keys apart.
async fn writes(name: &str, target: &Target, plan: &Plan, round: usize, row: &mut Row) -> Res<()> {
    for (col, writers, total) in [
        ("create/s 1w", 1, plan.creates_1),
        ("create/s 32w", 32, plan.creates_32),
    ] {
        eprintln!("[{name}] round {round}: {total} creates, {writers} writers");
        let t = target.clone();
        let ns = format!("c{writers}-r{round}");
        let r = throughput(writers, total, move |w, i| {
            let t = t.clone();
            let k = key(&ns, &format!("w{w}-{i}"));
            async move { t.create(&k, value(i)).await.map(drop) }
        })
        .await?;
        row.rate(col, r);
    }
    for (col, writers, total) in [
        ("update/s 1w", 1, plan.updates_1),
        ("update/s 32w", 32, plan.updates_32),
    ] {
        eprintln!("[{name}] round {round}: {total} updates, {writers} writers");
        // One key per writer, each writer updating its own: compare-and-swap never conflicts.
        let ns = format!("u{writers}-r{round}");
        let mut revs = Vec::new();
        for w in 0..writers {
            let rev = target.create(&key(&ns, &format!("w{w}")), value(w)).await?;
            revs.push(AtomicI64::new(rev));
        }
        let revs = Arc::new(revs);
        let t = target.clone();
        let r = throughput(writers, total, move |w, i| {
            let t = t.clone();
            let revs = revs.clone();
            let k = key(&ns, &format!("w{w}"));
            async move {
                let expected = revs[w].load(Ordering::Relaxed);
                let rev = t.update(&k, value(i), expected).await?;
                revs[w].store(rev, Ordering::Relaxed);
                Ok(())
            }
        })
        .await?;
        row.rate(col, r);
    }
    Ok(())
}

/// Get latency over the keys the first round's 32 writers created.
async fn gets(name: &str, target: &Target, plan: &Plan, row: &mut Row) -> Res<()> {
    eprintln!("[{name}] {} gets", plan.gets);
    let mut h = histogram();
    let per_writer = plan.creates_32.div_ceil(32);
    for i in 0..plan.gets {
        let k = key(
            "c32-r0",
            &format!("w{}-{}", i % 32, (i * 7919) % per_writer),
        );
        let start = Instant::now();
        target.get(&k).await?;
        h.record(micros(start.elapsed()))?;
    }
    row.latency("get p50", h.value_at_quantile(0.5));
    row.latency("get p99", h.value_at_quantile(0.99));
    Ok(())
}

async fn fill_list(name: &str, target: &Target, plan: &Plan) -> Res<usize> {
    eprintln!("[{name}] creating {} objects to list", plan.list_objects);
    let t = target.clone();
    throughput(32, plan.list_objects, move |w, i| {
        let t = t.clone();
        let k = key("list", &format!("obj-{w:02}-{i:05}"));
        async move { t.create(&k, value(i)).await.map(drop) }
    })
    .await?;
    Ok(plan.list_objects.div_ceil(32) * 32)
}

async fn lists(name: &str, target: &Target, expected: usize, row: &mut Row) -> Res<()> {
    for (col, limit) in [("list all", 0), ("list /500", PAGE)] {
        let start = Instant::now();
        let n = target.list(&prefix("list"), limit).await?;
        row.best_time(col, start.elapsed());
        if n != expected {
            return Err(format!("{name}: listed {n} objects, expected {expected}").into());
        }
    }
    Ok(())
}

fn micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX).max(1)
}

/// Latency from the start of a write to its arrival at each of [`WATCHERS`] watchers (the write
/// carries its start time, as microseconds since a shared origin, in its first 8 bytes).
async fn watch_latency(target: &Target, writes: usize) -> Res<(u64, u64)> {
    let origin = Instant::now();
    let mut watchers = Vec::new();
    for _ in 0..WATCHERS {
        let mut w = target.watch(&prefix("watch")).await?;
        watchers.push(tokio::spawn(async move {
            let mut h = histogram();
            for _ in 0..writes {
                let v = match tokio::time::timeout(Duration::from_secs(60), w.next()).await {
                    Ok(Some(v)) => v,
                    _ => return Err::<_, BoxError>("watch stalled".into()),
                };
                let mut sent = [0u8; 8];
                sent.copy_from_slice(&v[..8]);
                let sent = Duration::from_micros(u64::from_le_bytes(sent));
                h.record(micros(origin.elapsed().saturating_sub(sent)))?;
            }
            Ok(h)
        }));
    }
    for i in 0..writes {
        let mut v = value(i).to_vec();
        v[..8].copy_from_slice(&micros(origin.elapsed()).to_le_bytes());
        target
            .create(&key("watch", &format!("w{i}")), v.into())
            .await?;
        // About 200 writes/s: a steady stream, not a burst that measures queueing.
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let mut all = histogram();
    for w in watchers {
        all.add(w.await??)?;
    }
    Ok((all.value_at_quantile(0.5), all.value_at_quantile(0.99)))
}

impl Row {
    /// Keeps the best rate of all rounds: on a shared machine the best round is the one least
    /// disturbed by other work.
    fn rate(&mut self, col: &'static str, per_sec: f64) {
        let best = self.rates.entry(col).or_insert(0.0);
        *best = best.max(per_sec);
        let best = *best;
        self.cells.insert(col, format!("{best:.0}"));
    }

    fn best_time(&mut self, col: &'static str, took: Duration) {
        let best = self.times.entry(col).or_insert(Duration::MAX);
        *best = (*best).min(took);
        let best = *best;
        self.cells
            .insert(col, format!("{:.1} ms", best.as_secs_f64() * 1e3));
    }

    fn latency(&mut self, col: &'static str, us: u64) {
        self.cells
            .insert(col, format!("{:.2} ms", us as f64 / 1000.0));
    }
}

async fn etcd_target(name: &str) -> Res<(Target, EtcdProcess)> {
    let etcd = tokio::task::spawn_blocking(EtcdProcess::start).await??;
    let target = if name.starts_with("raw") {
        Target::Raw {
            client: Box::new(etcd_client::Client::connect([etcd.endpoint()], None).await?),
            txn_creates: name == "raw-txn",
        }
    } else {
        let store = EtcdStore::connect(EtcdOptions {
            endpoints: vec![etcd.endpoint()],
            ..Default::default()
        })
        .await?;
        Target::Store(Arc::new(store))
    };
    Ok((target, etcd))
}

fn embedded_target(dir: &Path) -> Res<Target> {
    let store = EmbeddedStore::open(&dir.join("store.redb"), EmbeddedOptions::default())?;
    Ok(Target::Store(Arc::new(store)))
}

fn main() -> Res<()> {
    // cargo passes `--bench`; everything else not starting with '-' filters targets.
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let wanted =
        |name: &str| filters.is_empty() || filters.iter().any(|f| name.contains(f.as_str()));
    let scale: f64 = match std::env::var("STORE_BENCH_SCALE") {
        Ok(s) => s
            .parse()
            .map_err(|_| "STORE_BENCH_SCALE must be a number")?,
        Err(_) => 1.0,
    };
    let plan = Plan::scaled(scale);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let mut rows: Vec<(&str, Row)> = Vec::new();
    rt.block_on(async {
        // Every target is set up first and the phases interleave them, round after round in
        // rotating order, so that load from elsewhere on the machine hits all targets alike.
        let dir = tempfile::tempdir()?;
        let mut targets = Vec::new();
        let mut guards = Vec::new();
        for name in ["embedded", "etcd", "raw", "raw-txn"] {
            if !wanted(name) {
                continue;
            }
            let target = if name == "embedded" {
                embedded_target(dir.path())?
            } else {
                let (t, etcd) = etcd_target(name).await?;
                guards.push(etcd);
                t
            };
            targets.push((name, target));
            rows.push((name, Row::default()));
        }
        let n = targets.len();
        for round in 0..plan.rounds {
            for j in 0..n {
                let i = (j + round) % n;
                writes(targets[i].0, &targets[i].1, &plan, round, &mut rows[i].1).await?;
            }
        }
        for (i, (name, target)) in targets.iter().enumerate() {
            gets(name, target, &plan, &mut rows[i].1).await?;
        }
        let mut expected = Vec::new();
        for (name, target) in &targets {
            expected.push(fill_list(name, target, &plan).await?);
        }
        for repeat in 0..plan.list_repeats {
            for j in 0..n {
                let i = (j + repeat) % n;
                lists(targets[i].0, &targets[i].1, expected[i], &mut rows[i].1).await?;
            }
        }
        for (i, (name, target)) in targets.iter().enumerate() {
            eprintln!(
                "[{name}] watch delivery, {WATCHERS} watchers, {} writes",
                plan.watch_writes
            );
            let (p50, p99) = watch_latency(target, plan.watch_writes).await?;
            rows[i].1.latency("watch p50", p50);
            rows[i].1.latency("watch p99", p99);
        }
        drop(guards);
        Res::Ok(())
    })?;
    print_table(&plan, scale, &rows);
    Ok(())
}

fn print_table(plan: &Plan, scale: f64, rows: &[(&str, Row)]) {
    println!();
    println!(
        "storage benchmark (scale {scale}): {} B values; creates {}/{} and updates {}/{} with 1/32 \
         writers (best of {} rounds); {} gets; list of {} objects (best of {}); {WATCHERS} \
         watchers x {} writes",
        VALUE_BYTES,
        plan.creates_1,
        plan.creates_32,
        plan.updates_1,
        plan.updates_32,
        plan.rounds,
        plan.gets,
        plan.list_objects,
        plan.list_repeats,
        plan.watch_writes,
    );
    let width = 14;
    print!("{:<13}", "target");
    for c in COLUMNS {
        print!("{c:>width$}");
    }
    println!();
    for (name, row) in rows {
        print!("{name:<13}");
        for c in COLUMNS {
            print!(
                "{:>width$}",
                row.cells.get(c).map(String::as_str).unwrap_or("-")
            );
        }
        println!();
    }
    let find = |n: &str| rows.iter().find(|(name, _)| *name == n).map(|(_, r)| r);
    for ceiling in ["raw", "raw-txn"] {
        let (Some(etcd), Some(raw)) = (find("etcd"), find(ceiling)) else {
            continue;
        };
        print!("{:<13}", format!("etcd/{ceiling}"));
        for c in COLUMNS {
            match (etcd.rates.get(c), raw.rates.get(c)) {
                (Some(e), Some(r)) if *r > 0.0 => {
                    print!("{:>width$}", format!("{:.0}%", e / r * 100.0))
                }
                _ => print!("{:>width$}", ""),
            }
        }
        println!();
    }
}
