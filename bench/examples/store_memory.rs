//! Memory breakdown of the storage layer alone (no HTTP, no registry): how much RSS the
//! embedded store and the watch cache take for N objects of ~1.1 KiB.
//!
//! `cargo run --release -p argo-bench --example store_memory -- fill DIR [N]` writes N objects
//! with 32 concurrent writers into a new store under DIR; `... -- open DIR [attrs]` then opens that
//! store in a fresh process, lists it, and fills a watch cache from it, printing RSS after each
//! step.

use std::sync::Arc;

use anyhow::{Context, Result, bail};
use argo_apiserver_storage::cacher::{AttrsFn, Cacher, CacherOptions, EncodeFn, ObjectAttrs};
use argo_apiserver_storage::embedded::{EmbeddedOptions, EmbeddedStore};
use argo_apiserver_storage::{ListOptions, Store};
use bytes::Bytes;

const PREFIX: &str = "/argoproj.io/applications/";

fn rss(step: &str) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let get = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .map(|l| l.trim_start_matches(name).trim().to_string())
            .unwrap_or_default()
    };
    println!(
        "{step:<50} VmRSS {:>12}  RssAnon {:>12}",
        get("VmRSS:"),
        get("RssAnon:")
    );
}

fn value(i: u64) -> Bytes {
    let v = serde_json::json!({
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {
            "name": format!("app-{i:07}"),
            "namespace": "rss",
            "uid": "6b1f8a38-7f0e-4a9c-9d47-3b1d2f0c5e11",
            "creationTimestamp": "2026-01-01T00:00:00Z",
            "generation": 1,
            "labels": {"app.kubernetes.io/part-of": "argo-load", "team": "platform"},
            "annotations": {"argo-load.argoproj.io/padding": "x".repeat(430)},
        },
        "spec": {
            "project": "default",
            "source": {
                "repoURL": "https://github.com/argoproj/argocd-example-apps",
                "path": "helm-guestbook",
                "targetRevision": "HEAD",
                "helm": {"valueFiles": ["values.yaml", "values-production.yaml"], "releaseName": "x"},
            },
            "destination": {"server": "https://kubernetes.default.svc", "namespace": "guestbook"},
            "syncPolicy": {"automated": {"prune": true, "selfHeal": true}, "syncOptions": ["CreateNamespace=true"]},
        },
    });
    Bytes::from(serde_json::to_vec(&v).unwrap_or_default())
}

fn open(dir: &str) -> Result<Arc<EmbeddedStore>> {
    let path = std::path::Path::new(dir).join("store.redb");
    Ok(Arc::new(EmbeddedStore::open(
        &path,
        EmbeddedOptions::default(),
    )?))
}

#[tokio::main]
async fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let (mode, dir) = (
        args.get(1).context("mode: fill or open")?,
        args.get(2).context("a directory")?,
    );
    match mode.as_str() {
        "fill" => {
            let n: u64 = args
                .get(3)
                .map(|s| s.parse())
                .transpose()?
                .unwrap_or(100_000);
            rss("start");
            let store = open(dir)?;
            rss("store opened (empty)");
            let next = Arc::new(std::sync::atomic::AtomicU64::new(0));
            let mut tasks = Vec::new();
            for _ in 0..32 {
                let (store, next) = (store.clone(), next.clone());
                tasks.push(tokio::spawn(async move {
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        if i >= n {
                            return Ok::<_, anyhow::Error>(());
                        }
                        store
                            .create(&format!("{PREFIX}rss/app-{i:07}"), value(i))
                            .await?;
                    }
                }));
            }
            for t in tasks {
                t.await??;
            }
            rss(&format!("after {n} creates ({} B each)", value(0).len()));
            drop(store);
            rss("store dropped");
        }
        "open" => {
            rss("start");
            let store = open(dir)?;
            rss("store opened");
            let list = store
                .list(&ListOptions {
                    prefix: PREFIX.to_string(),
                    ..Default::default()
                })
                .await?;
            let bytes: usize = list.items.iter().map(|kv| kv.value.len()).sum();
            rss(&format!(
                "listed {} items ({} MiB), result held",
                list.items.len(),
                bytes >> 20
            ));
            drop(list);
            rss("list result dropped");
            let real = args.get(3).is_some_and(|a| a == "attrs");
            // With "attrs", the same labels and field map the registry builds for an
            // Application (metadata.name/namespace and its six selectable fields).
            let attrs: AttrsFn = Arc::new(move |v: &[u8]| {
                if !real {
                    return ObjectAttrs::default();
                }
                let Ok(v) = serde_json::from_slice::<serde_json::Value>(v) else {
                    return ObjectAttrs::default();
                };
                let labels: Vec<(&str, &str)> = v["metadata"]["labels"]
                    .as_object()
                    .map(|m| {
                        m.iter()
                            .map(|(k, v)| (k.as_str(), v.as_str().unwrap_or("")))
                            .collect()
                    })
                    .unwrap_or_default();
                let mut fields: Vec<(&'static str, String)> = Vec::new();
                for path in [
                    "metadata.name",
                    "metadata.namespace",
                    "spec.project",
                    "spec.destination.server",
                    "spec.destination.name",
                    "spec.destination.namespace",
                    "status.sync.status",
                    "status.health.status",
                ] {
                    let mut cur = &v;
                    for part in path.split('.') {
                        cur = &cur[part];
                    }
                    fields.push((path, cur.as_str().unwrap_or("").to_string()));
                }
                ObjectAttrs::new(labels, fields.iter().map(|(p, v)| (*p, v.as_str())))
            });
            let encode: EncodeFn = Arc::new(|v: &[u8], _| Bytes::copy_from_slice(v));
            let cacher = Cacher::start(
                store.clone(),
                PREFIX.to_string(),
                attrs,
                encode,
                CacherOptions::default(),
            );
            while !cacher.is_ready() {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            rss(&format!(
                "watch cache ready, {} attrs ({} objects)",
                if real { "real" } else { "empty" },
                cacher.object_count().await
            ));
        }
        other => bail!("unknown mode {other}"),
    }
    Ok(())
}
