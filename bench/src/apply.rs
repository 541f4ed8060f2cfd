//! The `apply` scenario: server-side apply against a plain merge patch of the same ~5 KiB
//! Application. Each client owns one Application and rewrites it in a loop, every request a
//! real change (a label takes the request's sequence number), so both paths store a new
//! revision each time. Phases alternate (merge, apply, merge, apply) so drift on a shared
//! machine hits both alike. Both send the whole object: the apply configuration, and the same
//! document as a merge patch.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use bytes::Bytes;
use http::{Method, StatusCode};

use crate::client::{Conn, JSON, MERGE_PATCH};
use crate::server::ServerProcess;
use crate::stats::{Latencies, Table, ms};

const APPLY_PATCH: &str = "application/apply-patch+yaml";
const NAMESPACE: &str = "apply";

pub struct Settings {
    /// Seconds per phase; each kind runs two phases.
    pub seconds: f64,
    pub clients: usize,
    /// Size of the Application document, bytes.
    pub object_bytes: usize,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Merge,
    Apply,
}

/// The Application of client `i` with label `rev` set to `seq`, about `object_bytes` long.
fn document(i: usize, seq: u64, pad: usize) -> Bytes {
    let name = format!("apply-{i:04}");
    let mut v: serde_json::Value =
        serde_json::from_slice(&crate::application(NAMESPACE, &name, pad)).unwrap_or_default();
    v["metadata"]["labels"]["rev"] = seq.to_string().into();
    Bytes::from(serde_json::to_vec(&v).unwrap_or_default())
}

struct Phase {
    ok: u64,
    elapsed: Duration,
    latencies: Vec<Duration>,
}

async fn phase(
    conns: &[Conn],
    kind: Kind,
    seconds: f64,
    pad: usize,
    seq: &Arc<AtomicU64>,
) -> Result<Phase> {
    let deadline = Instant::now() + Duration::from_secs_f64(seconds);
    let start = Instant::now();
    let mut tasks = Vec::new();
    for (i, conn) in conns.iter().enumerate() {
        let conn = conn.clone();
        let seq = seq.clone();
        tasks.push(tokio::spawn(async move {
            let path = format!("{}/apply-{i:04}", crate::collection(NAMESPACE));
            let mut lat = Vec::new();
            while Instant::now() < deadline {
                let body = document(i, seq.fetch_add(1, Ordering::Relaxed), pad);
                let r = match kind {
                    Kind::Merge => {
                        conn.call(Method::PATCH, &path, JSON, Some(MERGE_PATCH), body)
                            .await?
                    }
                    Kind::Apply => {
                        let p = format!("{path}?fieldManager=argo-load&force=true");
                        conn.call(Method::PATCH, &p, JSON, Some(APPLY_PATCH), body)
                            .await?
                    }
                };
                let r = r.expect(StatusCode::OK)?;
                lat.push(r.elapsed);
            }
            anyhow::Ok(lat)
        }));
    }
    let mut latencies = Vec::new();
    for t in tasks {
        latencies.extend(t.await??);
    }
    Ok(Phase {
        ok: latencies.len() as u64,
        elapsed: start.elapsed(),
        latencies,
    })
}

pub async fn run(settings: &Settings, server: &ServerProcess) -> Result<Table> {
    let clients = settings.clients.max(1);
    let pad = crate::padding(settings.object_bytes);
    let conns = server.dialer()?.connect_many(clients).await?;
    let seq = Arc::new(AtomicU64::new(0));
    // One Application per client, created by apply (so the field manager owns it from the
    // start, as in a GitOps loop), then warmed up with a few of each request.
    let mut size = 0;
    for (i, conn) in conns.iter().enumerate() {
        let path = format!(
            "{}/apply-{i:04}?fieldManager=argo-load",
            crate::collection(NAMESPACE)
        );
        let body = document(i, seq.fetch_add(1, Ordering::Relaxed), pad);
        size = body.len();
        conn.call(Method::PATCH, &path, JSON, Some(APPLY_PATCH), body)
            .await?
            .expect(StatusCode::CREATED)?;
    }
    phase(&conns, Kind::Merge, 0.5, pad, &seq).await?;
    phase(&conns, Kind::Apply, 0.5, pad, &seq).await?;

    let mut merge = (0u64, Duration::ZERO, Vec::new());
    let mut apply = (0u64, Duration::ZERO, Vec::new());
    for kind in [Kind::Merge, Kind::Apply, Kind::Merge, Kind::Apply] {
        let p = phase(&conns, kind, settings.seconds / 2.0, pad, &seq).await?;
        let acc = if kind == Kind::Merge {
            &mut merge
        } else {
            &mut apply
        };
        acc.0 += p.ok;
        acc.1 += p.elapsed;
        acc.2.extend(p.latencies);
    }
    if merge.0 == 0 || apply.0 == 0 {
        bail!("no request completed");
    }
    let merge_rate = merge.0 as f64 / merge.1.as_secs_f64();
    let apply_rate = apply.0 as f64 / apply.1.as_secs_f64();
    let merge_lat = Latencies::new(merge.2);
    let apply_lat = Latencies::new(apply.2);
    let ratio_rate = merge_rate / apply_rate;
    let ratio_p99 = apply_lat.pct(99.0).as_secs_f64() / merge_lat.pct(99.0).as_secs_f64().max(1e-9);

    let mut t = Table::new(format!(
        "6. server-side apply vs merge patch: {clients} clients, one {size} B Application each, {:.0} s of each",
        settings.seconds
    ));
    t.row("merge patch /s", format!("{merge_rate:.0}"));
    t.row("merge patch p50 / p99 / max", merge_lat.summary());
    t.row("apply /s", format!("{apply_rate:.0}"));
    t.row("apply p50 / p99 / max", apply_lat.summary());
    t.target(
        "throughput cost (merge/s ÷ apply/s)",
        format!("{ratio_rate:.2}x"),
        "<= 2x",
        ratio_rate <= 2.0,
    );
    t.target(
        "p99 cost (apply p99 ÷ merge p99)",
        format!(
            "{ratio_p99:.2}x ({} vs {})",
            ms(apply_lat.pct(99.0)),
            ms(merge_lat.pct(99.0))
        ),
        "<= 2x",
        ratio_p99 <= 2.0,
    );
    Ok(t)
}
