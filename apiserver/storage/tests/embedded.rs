//! The embedded store: the conformance suite, plus what only a persistent single-process store
//! has (reopen, periodic compaction, one writer per file, watchers that fall behind the live
//! feed).

use std::any::Any;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use argo_apiserver_storage::embedded::{EmbeddedOptions, EmbeddedStore};
use argo_apiserver_storage::{
    ListOptions, Revision, RevisionMatch, Store, StoreError, WatchEvent, keys,
};
use bytes::Bytes;
use futures::StreamExt;

async fn make_store() -> (Arc<dyn Store>, Box<dyn Any + Send>) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = EmbeddedStore::open(&dir.path().join("store.redb"), EmbeddedOptions::default())
        .expect("open embedded store");
    (Arc::new(store), Box::new(dir))
}

argo_apiserver_storage::conformance_suite!(make_store);

fn open(path: &Path, opts: EmbeddedOptions) -> EmbeddedStore {
    EmbeddedStore::open(path, opts).expect("open embedded store")
}

fn key(ns: &str, name: &str) -> String {
    keys::object_key("applications", Some(ns), name).unwrap()
}

fn val(s: &str) -> Bytes {
    Bytes::copy_from_slice(s.as_bytes())
}

fn list_opts(revision: RevisionMatch) -> ListOptions {
    ListOptions {
        prefix: keys::list_prefix("applications", None).unwrap(),
        revision,
        ..Default::default()
    }
}

/// Every non-progress item of a watch until `until` is reached, with a bounded wait.
async fn collect_until(
    stream: &mut argo_apiserver_storage::WatchStream,
    until: Revision,
) -> Vec<WatchEvent> {
    let mut out = Vec::new();
    while out.last().map(WatchEvent::revision).unwrap_or(0) < until {
        match tokio::time::timeout(Duration::from_secs(20), stream.next()).await {
            Ok(Some(Ok(WatchEvent::Progress { .. }))) => {}
            Ok(Some(Ok(ev))) => out.push(ev),
            other => panic!("watch ended or stalled before revision {until}: {other:?}"),
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn data_survives_close_and_reopen() {
    let dir = tempfile::tempdir().unwrap();
    // The directory is created on first open.
    let path = dir.path().join("data").join("store.redb");
    let store = open(&path, EmbeddedOptions::default());
    let a = store.create(&key("ns", "a"), val("a1")).await.unwrap();
    let a = store
        .update(&key("ns", "a"), val("a2"), a.mod_revision)
        .await
        .unwrap();
    store.create(&key("ns", "b"), val("b")).await.unwrap();
    let deleted = store.delete(&key("ns", "b"), None).await.unwrap();
    let before = store.current_revision().await.unwrap();
    assert_eq!(before, deleted.revision);
    drop(store);

    let store = open(&path, EmbeddedOptions::default());
    assert_eq!(
        store.current_revision().await.unwrap(),
        before,
        "revision after reopen"
    );
    assert_eq!(store.get(&key("ns", "a")).await.unwrap(), a);
    assert!(matches!(
        store.get(&key("ns", "b")).await,
        Err(StoreError::NotFound { .. })
    ));
    // History is still there: the old state and the events.
    let old = store
        .list(&list_opts(RevisionMatch::Exact(deleted.revision - 1)))
        .await
        .unwrap();
    assert_eq!(
        old.items.len(),
        2,
        "state before the delete, read after reopen"
    );
    let mut w = store
        .watch(
            &keys::list_prefix("applications", None).unwrap(),
            a.mod_revision,
        )
        .await
        .unwrap();
    let events = collect_until(&mut w, before).await;
    assert_eq!(
        events.iter().map(WatchEvent::revision).collect::<Vec<_>>(),
        vec![before - 1, before],
        "create and delete of b replayed after reopen"
    );
    drop(w);
    // Revisions continue where they stopped; compare-and-swap sees the stored revision.
    let c = store.create(&key("ns", "c"), val("c")).await.unwrap();
    assert_eq!(c.mod_revision, before + 1);
    store
        .update(&key("ns", "a"), val("a3"), a.mod_revision)
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_file_opens_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.redb");
    let store = open(&path, EmbeddedOptions::default());
    store.create(&key("ns", "a"), val("a")).await.unwrap();
    match EmbeddedStore::open(&path, EmbeddedOptions::default()) {
        Err(StoreError::Unavailable { .. }) => {}
        Err(e) => panic!("second open: expected Unavailable, got {e}"),
        Ok(_) => panic!("a second open of the same file must fail"),
    }
    // The first store is unharmed.
    assert_eq!(store.get(&key("ns", "a")).await.unwrap().value, val("a"));
    drop(store);
    let again = open(&path, EmbeddedOptions::default());
    assert_eq!(again.get(&key("ns", "a")).await.unwrap().value, val("a"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn periodic_compaction_drops_history_older_than_retention() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(
        &dir.path().join("store.redb"),
        EmbeddedOptions {
            compaction_interval: Duration::from_millis(50),
            history_retention: Duration::ZERO,
            ..Default::default()
        },
    );
    let v1 = store.create(&key("ns", "a"), val("1")).await.unwrap();
    let v2 = store
        .update(&key("ns", "a"), val("2"), v1.mod_revision)
        .await
        .unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while store.compacted_revision().await.unwrap() < v2.mod_revision {
        assert!(
            tokio::time::Instant::now() < deadline,
            "no periodic compaction to revision {} within 10s",
            v2.mod_revision
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let r = store
        .list(&list_opts(RevisionMatch::Exact(v1.mod_revision)))
        .await;
    assert!(
        matches!(r, Err(StoreError::Expired { .. })),
        "history older than the retention is gone: {r:?}"
    );
    assert_eq!(store.get(&key("ns", "a")).await.unwrap(), v2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn periodic_compaction_keeps_history_within_retention() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(
        &dir.path().join("store.redb"),
        EmbeddedOptions {
            compaction_interval: Duration::from_millis(20),
            history_retention: Duration::from_secs(3600),
            ..Default::default()
        },
    );
    let v1 = store.create(&key("ns", "a"), val("1")).await.unwrap();
    store
        .update(&key("ns", "a"), val("2"), v1.mod_revision)
        .await
        .unwrap();
    // Many compaction intervals pass, none of them an hour.
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(store.compacted_revision().await.unwrap(), 0);
    let old = store
        .list(&list_opts(RevisionMatch::Exact(v1.mod_revision)))
        .await
        .unwrap();
    assert_eq!(old.items, vec![v1]);
}

/// Concurrent creates of `per_task` keys from each of `tasks` tasks; the acknowledged revisions
/// in order.
async fn create_concurrently(
    store: &Arc<EmbeddedStore>,
    tasks: usize,
    per_task: usize,
) -> Vec<Revision> {
    let mut handles = Vec::new();
    for t in 0..tasks {
        let store = store.clone();
        handles.push(tokio::spawn(async move {
            let mut revs = Vec::new();
            for i in 0..per_task {
                let kv = store
                    .create(
                        &key(&format!("t{t}"), &format!("k{i:05}")),
                        val(&format!("{t}/{i}")),
                    )
                    .await
                    .unwrap();
                revs.push(kv.mod_revision);
            }
            revs
        }));
    }
    let mut all = Vec::new();
    for h in handles {
        all.extend(h.await.unwrap());
    }
    all.sort_unstable();
    all
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_watcher_behind_the_live_feed_replays_from_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(open(
        &dir.path().join("store.redb"),
        EmbeddedOptions {
            watch_buffer: 1,
            ..Default::default()
        },
    ));
    let prefix = keys::list_prefix("applications", None).unwrap();
    let from = store.current_revision().await.unwrap();
    // Nobody reads this watch while 1,000 events are written: it falls behind.
    let mut w = store.watch(&prefix, from).await.unwrap();
    let acked = create_concurrently(&store, 16, 64).await;
    let events = collect_until(&mut w, *acked.last().unwrap()).await;
    assert_eq!(
        events.iter().map(WatchEvent::revision).collect::<Vec<_>>(),
        acked,
        "a lagging watcher still sees every event once, in order"
    );
    for ev in &events {
        let WatchEvent::Put { kv, prev: None } = ev else {
            panic!("expected creates only, got {ev:?}");
        };
        let (ns, name) = keys::split_key("applications", &kv.key).unwrap();
        let t: usize = ns.unwrap()[1..].parse().unwrap();
        let i: usize = name[1..].parse().unwrap();
        assert_eq!(kv.value, val(&format!("{t}/{i}")), "value of {}", kv.key);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_watcher_overtaken_by_compaction_ends_with_expired() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(open(
        &dir.path().join("store.redb"),
        EmbeddedOptions {
            watch_buffer: 1,
            ..Default::default()
        },
    ));
    let prefix = keys::list_prefix("applications", None).unwrap();
    let from = store.current_revision().await.unwrap();
    let mut w = store.watch(&prefix, from).await.unwrap();
    let acked = create_concurrently(&store, 16, 64).await;
    let last = *acked.last().unwrap();
    store.compact(last).await.unwrap();
    // The watcher can buffer only part of the 1,024 events before it must go back to the log,
    // where the compaction removed what it still needs.
    let mut seen = Vec::new();
    let end = loop {
        match tokio::time::timeout(Duration::from_secs(20), w.next()).await {
            Ok(Some(Ok(WatchEvent::Progress { .. }))) => {}
            Ok(Some(Ok(ev))) => seen.push(ev.revision()),
            Ok(Some(Err(e))) => break e,
            other => panic!("expected the watch to end with Expired, got {other:?}"),
        }
    };
    assert!(
        matches!(end, StoreError::Expired { .. }),
        "ended with {end}"
    );
    assert_eq!(
        seen,
        acked[..seen.len()],
        "events before the error are gapless and in order"
    );
    assert!(seen.len() < acked.len());
    let after = tokio::time::timeout(Duration::from_secs(5), w.next()).await;
    assert!(
        matches!(after, Ok(None)),
        "the stream ends after Expired: {after:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watches_end_when_the_store_closes() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir.path().join("store.redb"), EmbeddedOptions::default());
    let mut w = store.watch("/", 0).await.unwrap();
    drop(store);
    let end = tokio::time::timeout(Duration::from_secs(5), w.next()).await;
    assert!(matches!(end, Ok(None)), "watch after close: {end:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_watcher_gets_progress_when_other_keys_change() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(
        &dir.path().join("store.redb"),
        EmbeddedOptions {
            progress_interval: Duration::from_millis(50),
            ..Default::default()
        },
    );
    let mut w = store
        .watch(&keys::list_prefix("rollouts", None).unwrap(), 0)
        .await
        .unwrap();
    let elsewhere = store.create(&key("ns", "a"), val("a")).await.unwrap();
    match tokio::time::timeout(Duration::from_secs(10), w.next()).await {
        Ok(Some(Ok(WatchEvent::Progress { revision }))) => assert!(
            revision >= elsewhere.mod_revision,
            "progress at {revision}, the store is at {}",
            elsewhere.mod_revision
        ),
        other => panic!("expected a progress event, got {other:?}"),
    }
    // A change under the prefix after the progress still arrives.
    let r = store
        .create(
            &keys::object_key("rollouts", Some("ns"), "r").unwrap(),
            val("r"),
        )
        .await
        .unwrap();
    loop {
        match tokio::time::timeout(Duration::from_secs(10), w.next()).await {
            Ok(Some(Ok(WatchEvent::Progress { .. }))) => {}
            Ok(Some(Ok(ev))) => {
                assert_eq!(ev.revision(), r.mod_revision);
                break;
            }
            other => panic!("expected the create, got {other:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn values_larger_than_kube_request_limit_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.redb");
    let big: Bytes = (0..4 * 1024 * 1024u32)
        .map(|i| (i % 253) as u8)
        .collect::<Vec<u8>>()
        .into();
    let store = open(&path, EmbeddedOptions::default());
    let kv = store.create(&key("ns", "big"), big.clone()).await.unwrap();
    drop(store);
    let store = open(&path, EmbeddedOptions::default());
    assert_eq!(store.get(&key("ns", "big")).await.unwrap(), kv);
    assert_eq!(kv.value, big);
}
