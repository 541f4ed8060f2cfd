//! Feeds the policy engine's in-memory index (AppProjects, Applications, Rollouts) from the
//! watch caches, so admission decisions never read storage per request: one cache watch per
//! kind, a full replace after every (re)start of that watch.

use std::sync::Arc;
use std::time::Duration;

use argo_apiserver_storage::cacher::{CacheWatchItem, Cacher, EventType};
use argo_webhooks::index::{Indexed, PolicyIndex};
use futures::StreamExt;
use serde_json::Value;
use tokio::task::JoinHandle;

use crate::Registry;

/// The kinds the index holds, by plural.
const INDEXED: [(&str, Indexed); 3] = [
    ("appprojects", Indexed::AppProject),
    ("applications", Indexed::Application),
    ("rollouts", Indexed::Rollout),
];

/// Starts one task per indexed kind keeping `index` in step with the registry's caches.
pub fn feed_index(registry: &Registry, index: Arc<PolicyIndex>) -> Vec<JoinHandle<()>> {
    INDEXED
        .iter()
        .filter_map(|(plural, kind)| {
            let cacher = registry.kind(plural)?.cacher().clone();
            let index = index.clone();
            let kind = *kind;
            Some(tokio::spawn(
                async move { follow(cacher, index, kind).await },
            ))
        })
        .collect()
}

fn decode(bytes: &[u8]) -> Option<Value> {
    serde_json::from_slice(bytes).ok()
}

async fn follow(cacher: Arc<Cacher>, index: Arc<PolicyIndex>, kind: Indexed) {
    let prefix = cacher.prefix().to_string();
    let encoder = cacher.encoder().clone();
    loop {
        // A fresh snapshot each time: the watch ends when this reader lags the cache's ring.
        let mut stream = match cacher.watch(&prefix, 0, true).await {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!(error = %e, ?kind, "policy index: cannot watch the cache; retrying");
                tokio::time::sleep(Duration::from_millis(500)).await;
                continue;
            }
        };
        let mut initial: Option<Vec<Value>> = Some(Vec::new());
        while let Some(item) = stream.next().await {
            match item {
                CacheWatchItem::Event(ev) => {
                    let obj = ev.object.encoded_at(&encoder, ev.revision);
                    let Some(v) = decode(&obj) else { continue };
                    match (&mut initial, ev.event_type) {
                        (Some(objs), _) => objs.push(v),
                        (None, EventType::Deleted) => index.remove(kind, &v),
                        (None, _) => index.upsert(kind, &v),
                    }
                }
                CacheWatchItem::InitialEventsEnd(_) => {
                    if let Some(objs) = initial.take() {
                        index.replace_all(kind, &objs);
                    }
                }
                CacheWatchItem::Progress(_) => {}
            }
        }
        tracing::debug!(?kind, "policy index: cache watch ended; re-reading");
    }
}
