//! The conformance suite every backend runs unchanged.
//!
//! Usage, from an integration test file of a backend:
//!
//! ```ignore
//! use std::{any::Any, sync::Arc};
//! use argo_apiserver_storage::Store;
//! use argo_apiserver_storage::embedded::{EmbeddedOptions, EmbeddedStore};
//!
//! /// A fresh, empty store, plus whatever must stay alive while it is used (here its temp dir;
//! /// for etcd, the etcd process).
//! async fn make_store() -> (Arc<dyn Store>, Box<dyn Any + Send>) {
//!     let dir = tempfile::tempdir().expect("temp dir");
//!     let store = EmbeddedStore::open(&dir.path().join("store.redb"), EmbeddedOptions::default())
//!         .expect("open embedded store");
//!     (Arc::new(store), Box::new(dir))
//! }
//!
//! argo_apiserver_storage::conformance_suite!(make_store);
//! ```
//!
//! The macro expands to a module `conformance` with one
//! `#[tokio::test(flavor = "multi_thread", worker_threads = 2)]` per case below, so
//! `cargo test -p argo-apiserver-storage --test <file> conformance::` runs the suite. Each case is
//! a `pub async fn(Arc<dyn Store>)` that panics with a clear message when the backend is wrong.
//!
//! Cases use only the [`Store`] trait and [`crate::keys`]: they never assume a starting revision
//! and compare revisions relatively, so they hold for etcd (whose first write is revision 2) as
//! well as for the embedded store.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures::StreamExt;

use crate::{
    KeyValue, ListOptions, ListResult, Revision, RevisionMatch, Store, StoreError, WatchEvent,
    WatchStream, keys,
};

/// Expands to one test per conformance case; see the module documentation.
#[macro_export]
macro_rules! conformance_suite {
    (@cases $make_store:path; $($case:ident),* $(,)?) => {
        #[doc(hidden)]
        async fn __conformance_make_store() -> (
            ::std::sync::Arc<dyn $crate::Store>,
            ::std::boxed::Box<dyn ::std::any::Any + ::std::marker::Send>,
        ) {
            $make_store().await
        }

        mod conformance {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    let (store, guard) = super::__conformance_make_store().await;
                    let case = $crate::conformance::$case(store);
                    $crate::conformance::run_case(stringify!($case), case).await;
                    drop(guard);
                }
            )*
        }
    };
    ($make_store:path) => {
        $crate::conformance_suite!(@cases $make_store;
            create_then_get,
            get_missing_is_not_found,
            double_create_is_already_exists,
            update_is_compare_and_swap,
            stale_update_conflicts_with_current_value,
            update_of_missing_key_is_not_found,
            delete_returns_last_value,
            delete_of_missing_key_is_not_found,
            delete_preconditions,
            recreate_after_delete_starts_a_new_incarnation,
            each_write_bumps_revision_by_one_and_reads_do_not,
            list_is_confined_to_its_prefix,
            cluster_scoped_and_namespaced_keys,
            names_at_the_253_character_limit,
            values_of_one_and_a_half_mebibytes,
            pagination_counts_remaining_items,
            pagination_ignores_writes_between_pages,
            continue_token_requires_latest_revision,
            tampered_continue_token_is_invalid_continue,
            list_at_exact_old_revision_shows_old_state,
            list_future_revision,
            list_not_older_than_reads_at_current_revision,
            list_at_compacted_revision_is_expired,
            continue_after_compaction_is_expired,
            compaction_keeps_live_keys,
            compact_to_a_future_revision_is_refused,
            watch_replays_exactly_the_events_after_a_revision,
            watch_from_zero_starts_now,
            watch_carries_previous_values,
            watch_from_compacted_revision_is_expired,
            watch_just_after_compaction_still_works,
            watchers_see_one_order_under_concurrent_writes,
            no_lost_update_under_concurrent_compare_and_swap,
        );
    };
}

/// Runs one case with an overall bound, so a hung backend fails instead of stalling CI.
#[doc(hidden)]
pub async fn run_case(name: &str, case: impl std::future::Future<Output = ()>) {
    if tokio::time::timeout(CASE_TIMEOUT, case).await.is_err() {
        panic!("conformance case {name} did not finish within {CASE_TIMEOUT:?}");
    }
}

const CASE_TIMEOUT: Duration = Duration::from_secs(120);
/// How long to wait for an event that must come.
const EVENT_WAIT: Duration = Duration::from_secs(10);
/// How long to watch for an event that must not come.
const QUIET_WAIT: Duration = Duration::from_millis(300);

fn key(plural: &str, namespace: Option<&str>, name: &str) -> String {
    keys::object_key(plural, namespace, name).expect("valid test key")
}

fn prefix(plural: &str, namespace: Option<&str>) -> String {
    keys::list_prefix(plural, namespace).expect("valid test prefix")
}

fn val(s: &str) -> Bytes {
    Bytes::copy_from_slice(s.as_bytes())
}

async fn current(store: &Arc<dyn Store>) -> Revision {
    store
        .current_revision()
        .await
        .expect("current_revision failed")
}

async fn list_all(store: &Arc<dyn Store>, prefix: &str, revision: RevisionMatch) -> ListResult {
    store
        .list(&ListOptions {
            prefix: prefix.into(),
            revision,
            ..Default::default()
        })
        .await
        .unwrap_or_else(|e| panic!("list {prefix} at {revision:?} failed: {e}"))
}

/// Every page of a list, asserting that they all share the first page's revision.
async fn list_paged(store: &Arc<dyn Store>, prefix: &str, limit: u64) -> (Vec<KeyValue>, Revision) {
    let mut opts = ListOptions {
        prefix: prefix.into(),
        limit: Some(limit),
        ..Default::default()
    };
    let mut items = Vec::new();
    let mut revision = None;
    loop {
        let page = store.list(&opts).await.expect("list page failed");
        assert!(page.items.len() as u64 <= limit, "page larger than limit");
        if let Some(r) = revision {
            assert_eq!(page.revision, r, "a later page changed revision");
        }
        revision = Some(page.revision);
        items.extend(page.items);
        match page.continue_token {
            Some(t) => opts.continue_token = Some(t),
            None => break,
        }
    }
    (items, revision.unwrap_or_default())
}

fn keys_of(items: &[KeyValue]) -> Vec<&str> {
    items.iter().map(|kv| kv.key.as_str()).collect()
}

/// The next non-progress event, or a panic after [`EVENT_WAIT`].
async fn next_event(stream: &mut WatchStream) -> WatchEvent {
    loop {
        match tokio::time::timeout(EVENT_WAIT, stream.next()).await {
            Err(_) => panic!("no watch event within {EVENT_WAIT:?}"),
            Ok(None) => panic!("watch stream ended unexpectedly"),
            Ok(Some(Err(e))) => panic!("watch stream failed: {e}"),
            Ok(Some(Ok(WatchEvent::Progress { .. }))) => continue,
            Ok(Some(Ok(ev))) => return ev,
        }
    }
}

/// Asserts that no change arrives for a short while.
async fn expect_quiet(stream: &mut WatchStream) {
    let deadline = tokio::time::Instant::now() + QUIET_WAIT;
    loop {
        match tokio::time::timeout_at(deadline, stream.next()).await {
            Err(_) => return,
            Ok(Some(Ok(WatchEvent::Progress { .. }))) => continue,
            Ok(other) => panic!("expected no watch event, got {other:?}"),
        }
    }
}

fn assert_put(ev: &WatchEvent, key: &str, value: &str, prev: Option<&str>) {
    match ev {
        WatchEvent::Put { kv, prev: p } => {
            assert_eq!(kv.key, key, "put event for the wrong key: {ev:?}");
            assert_eq!(kv.value, val(value), "put event value of {key}");
            assert_eq!(
                p.as_ref().map(|p| p.value.clone()),
                prev.map(val),
                "put event previous value of {key}"
            );
        }
        other => panic!("expected a put of {key}, got {other:?}"),
    }
}

fn assert_delete(ev: &WatchEvent, key: &str, prev: &str) {
    match ev {
        WatchEvent::Delete {
            key: k, prev: p, ..
        } => {
            assert_eq!(k, key, "delete event for the wrong key");
            assert_eq!(p.value, val(prev), "delete event previous value of {key}");
        }
        other => panic!("expected a delete of {key}, got {other:?}"),
    }
}

fn is_expired<T: std::fmt::Debug>(r: &Result<T, StoreError>) -> bool {
    matches!(r, Err(StoreError::Expired { .. }))
}

/// A watch refused as Expired, either by `watch()` itself or as the stream's first item
/// (etcd reports compaction asynchronously).
async fn assert_watch_expired(store: &Arc<dyn Store>, prefix: &str, from: Revision) {
    match store.watch(prefix, from).await {
        Err(StoreError::Expired { .. }) => {}
        Err(e) => panic!("watch from compacted {from}: expected Expired, got {e}"),
        Ok(mut s) => loop {
            match tokio::time::timeout(EVENT_WAIT, s.next()).await {
                Ok(Some(Ok(WatchEvent::Progress { .. }))) => continue,
                Ok(Some(Err(StoreError::Expired { .. }))) => {
                    // The stream must end after its error.
                    let after = tokio::time::timeout(EVENT_WAIT, s.next()).await;
                    assert!(
                        matches!(after, Ok(None)),
                        "watch stream went on after Expired: {after:?}"
                    );
                    return;
                }
                other => panic!("watch from compacted {from}: expected Expired, got {other:?}"),
            }
        },
    }
}

// ---------------------------------------------------------------------------------------------
// get / create / update / delete

pub async fn create_then_get(store: Arc<dyn Store>) {
    let k = key("applications", Some("argocd"), "guestbook");
    let before = current(&store).await;
    let created = store.create(&k, val("v1")).await.expect("create failed");
    assert_eq!(created.key, k);
    assert_eq!(created.value, val("v1"));
    assert!(
        created.mod_revision > before,
        "create did not advance the revision"
    );
    assert_eq!(
        created.create_revision, created.mod_revision,
        "a new key's create and mod revisions must be equal"
    );
    let got = store.get(&k).await.expect("get after create failed");
    assert_eq!(got, created, "get returns what create stored");
    assert_eq!(current(&store).await, created.mod_revision);
}

pub async fn get_missing_is_not_found(store: Arc<dyn Store>) {
    let k = key("applications", Some("argocd"), "missing");
    match store.get(&k).await {
        Err(StoreError::NotFound { key }) => assert_eq!(key, k),
        other => panic!("get of a missing key: expected NotFound, got {other:?}"),
    }
}

pub async fn double_create_is_already_exists(store: Arc<dyn Store>) {
    let k = key("rollouts", Some("default"), "web");
    let first = store.create(&k, val("one")).await.expect("create failed");
    let rev = current(&store).await;
    match store.create(&k, val("two")).await {
        Err(StoreError::AlreadyExists { key }) => assert_eq!(key, k),
        other => panic!("second create: expected AlreadyExists, got {other:?}"),
    }
    assert_eq!(
        current(&store).await,
        rev,
        "a refused create changed the revision"
    );
    assert_eq!(
        store.get(&k).await.unwrap(),
        first,
        "a refused create changed the value"
    );
}

pub async fn update_is_compare_and_swap(store: Arc<dyn Store>) {
    let k = key("workflows", Some("ns"), "wf");
    let v1 = store.create(&k, val("1")).await.unwrap();
    let v2 = store
        .update(&k, val("2"), v1.mod_revision)
        .await
        .expect("update at the current revision failed");
    assert!(v2.mod_revision > v1.mod_revision);
    assert_eq!(
        v2.create_revision, v1.create_revision,
        "update changed create_revision"
    );
    assert_eq!(v2.value, val("2"));
    assert_eq!(store.get(&k).await.unwrap(), v2);
    let v3 = store.update(&k, val("3"), v2.mod_revision).await.unwrap();
    assert!(v3.mod_revision > v2.mod_revision);
    assert_eq!(store.get(&k).await.unwrap().value, val("3"));
}

pub async fn stale_update_conflicts_with_current_value(store: Arc<dyn Store>) {
    let k = key("workflows", Some("ns"), "wf");
    let v1 = store.create(&k, val("1")).await.unwrap();
    let v2 = store.update(&k, val("2"), v1.mod_revision).await.unwrap();
    let rev = current(&store).await;
    match store.update(&k, val("stale"), v1.mod_revision).await {
        Err(StoreError::Conflict {
            key,
            expected,
            current,
        }) => {
            assert_eq!(key, k);
            assert_eq!(expected, v1.mod_revision);
            assert_eq!(
                current.as_deref(),
                Some(&v2),
                "Conflict must carry the current value"
            );
        }
        other => panic!("stale update: expected Conflict, got {other:?}"),
    }
    assert_eq!(
        current(&store).await,
        rev,
        "a refused update changed the revision"
    );
    assert_eq!(store.get(&k).await.unwrap(), v2);
}

pub async fn update_of_missing_key_is_not_found(store: Arc<dyn Store>) {
    let k = key("workflows", Some("ns"), "never");
    match store.update(&k, val("x"), 1).await {
        Err(StoreError::NotFound { key }) => assert_eq!(key, k),
        other => panic!("update of a missing key: expected NotFound, got {other:?}"),
    }
    // A deleted key is missing too.
    let v = store.create(&k, val("1")).await.unwrap();
    store.delete(&k, None).await.unwrap();
    match store.update(&k, val("x"), v.mod_revision).await {
        Err(StoreError::NotFound { .. }) => {}
        other => panic!("update of a deleted key: expected NotFound, got {other:?}"),
    }
}

pub async fn delete_returns_last_value(store: Arc<dyn Store>) {
    let k = key("appprojects", Some("argocd"), "default");
    let v1 = store.create(&k, val("1")).await.unwrap();
    let v2 = store.update(&k, val("2"), v1.mod_revision).await.unwrap();
    let deleted = store.delete(&k, None).await.expect("delete failed");
    assert_eq!(deleted.prev, v2, "delete returns the last value");
    assert!(deleted.revision > v2.mod_revision);
    assert_eq!(current(&store).await, deleted.revision);
    assert!(matches!(
        store.get(&k).await,
        Err(StoreError::NotFound { .. })
    ));
}

pub async fn delete_of_missing_key_is_not_found(store: Arc<dyn Store>) {
    let k = key("appprojects", Some("argocd"), "nope");
    let rev = current(&store).await;
    match store.delete(&k, None).await {
        Err(StoreError::NotFound { key }) => assert_eq!(key, k),
        other => panic!("delete of a missing key: expected NotFound, got {other:?}"),
    }
    match store.delete(&k, Some(rev.max(1))).await {
        Err(StoreError::NotFound { .. }) => {}
        other => {
            panic!("delete with precondition of a missing key: expected NotFound, got {other:?}")
        }
    }
    assert_eq!(
        current(&store).await,
        rev,
        "a refused delete changed the revision"
    );
}

pub async fn delete_preconditions(store: Arc<dyn Store>) {
    let k = key("applicationsets", Some("argocd"), "set");
    let v1 = store.create(&k, val("1")).await.unwrap();
    let v2 = store.update(&k, val("2"), v1.mod_revision).await.unwrap();
    let rev = current(&store).await;
    match store.delete(&k, Some(v1.mod_revision)).await {
        Err(StoreError::Conflict {
            key,
            expected,
            current,
        }) => {
            assert_eq!(key, k);
            assert_eq!(expected, v1.mod_revision);
            assert_eq!(
                current.as_deref(),
                Some(&v2),
                "Conflict carries the current value"
            );
        }
        other => panic!("delete with a stale precondition: expected Conflict, got {other:?}"),
    }
    assert_eq!(
        current(&store).await,
        rev,
        "a refused delete changed the revision"
    );
    assert_eq!(
        store.get(&k).await.unwrap(),
        v2,
        "a refused delete removed the key"
    );
    let deleted = store
        .delete(&k, Some(v2.mod_revision))
        .await
        .expect("delete with the right precondition failed");
    assert_eq!(deleted.prev, v2);
    match store.delete(&k, Some(v2.mod_revision)).await {
        Err(StoreError::NotFound { .. }) => {}
        other => panic!("second delete: expected NotFound, got {other:?}"),
    }
}

pub async fn recreate_after_delete_starts_a_new_incarnation(store: Arc<dyn Store>) {
    let k = key("sensors", Some("events"), "s");
    let v1 = store.create(&k, val("1")).await.unwrap();
    store.delete(&k, None).await.unwrap();
    let again = store
        .create(&k, val("again"))
        .await
        .expect("re-create failed");
    assert!(again.create_revision > v1.create_revision);
    assert_eq!(again.create_revision, again.mod_revision);
    // The old incarnation's revision no longer matches.
    match store.update(&k, val("x"), v1.mod_revision).await {
        Err(StoreError::Conflict { current, .. }) => {
            assert_eq!(current.as_deref(), Some(&again))
        }
        other => {
            panic!("update with the old incarnation's revision: expected Conflict, got {other:?}")
        }
    }
}

pub async fn each_write_bumps_revision_by_one_and_reads_do_not(store: Arc<dyn Store>) {
    let k = key("eventsources", Some("events"), "webhook");
    let r0 = current(&store).await;
    let c = store.create(&k, val("1")).await.unwrap();
    assert_eq!(
        c.mod_revision,
        r0 + 1,
        "create must bump the revision by one"
    );
    let u = store.update(&k, val("2"), c.mod_revision).await.unwrap();
    assert_eq!(
        u.mod_revision,
        r0 + 2,
        "update must bump the revision by one"
    );
    store.get(&k).await.unwrap();
    list_all(&store, &prefix("eventsources", None), RevisionMatch::Latest).await;
    assert_eq!(
        current(&store).await,
        r0 + 2,
        "reads must not change the revision"
    );
    let d = store.delete(&k, None).await.unwrap();
    assert_eq!(d.revision, r0 + 3, "delete must bump the revision by one");
    assert_eq!(current(&store).await, r0 + 3);
}

// ---------------------------------------------------------------------------------------------
// keys and values

pub async fn list_is_confined_to_its_prefix(store: Arc<dyn Store>) {
    for (ns, name) in [("a", "x"), ("a", "y"), ("ab", "x"), ("b", "z")] {
        store
            .create(&key("rollouts", Some(ns), name), val(ns))
            .await
            .unwrap();
    }
    store
        .create(&key("rolloutsx", Some("a"), "x"), val("other kind"))
        .await
        .unwrap();
    let a = list_all(
        &store,
        &prefix("rollouts", Some("a")),
        RevisionMatch::Latest,
    )
    .await;
    assert_eq!(
        keys_of(&a.items),
        [
            "/argoproj.io/rollouts/a/x".to_string(),
            "/argoproj.io/rollouts/a/y".to_string()
        ],
        "namespace a must not include namespace ab"
    );
    let all = list_all(&store, &prefix("rollouts", None), RevisionMatch::Latest).await;
    assert_eq!(
        all.items.len(),
        4,
        "all namespaces of one kind, no other kind"
    );
    assert!(
        all.items.windows(2).all(|w| w[0].key < w[1].key),
        "list items must be in key order"
    );
    assert_eq!(all.revision, current(&store).await);
}

pub async fn cluster_scoped_and_namespaced_keys(store: Arc<dyn Store>) {
    let cluster = key("clusterworkflowtemplates", None, "shared");
    let namespaced = key("workflowtemplates", Some("team"), "shared");
    store.create(&cluster, val("cluster")).await.unwrap();
    store.create(&namespaced, val("namespaced")).await.unwrap();
    assert_eq!(store.get(&cluster).await.unwrap().value, val("cluster"));
    assert_eq!(
        store.get(&namespaced).await.unwrap().value,
        val("namespaced")
    );
    let c = list_all(
        &store,
        &prefix("clusterworkflowtemplates", None),
        RevisionMatch::Latest,
    )
    .await;
    assert_eq!(keys_of(&c.items), [cluster.as_str()]);
    assert_eq!(
        keys::split_key("clusterworkflowtemplates", &c.items[0].key),
        Some((None, "shared"))
    );
    let n = list_all(
        &store,
        &prefix("workflowtemplates", Some("team")),
        RevisionMatch::Latest,
    )
    .await;
    assert_eq!(keys_of(&n.items), [namespaced.as_str()]);
    assert_eq!(
        keys::split_key("workflowtemplates", &n.items[0].key),
        Some((Some("team"), "shared"))
    );
    store.delete(&cluster, None).await.unwrap();
    assert_eq!(
        store.get(&namespaced).await.unwrap().value,
        val("namespaced")
    );
}

pub async fn names_at_the_253_character_limit(store: Arc<dyn Store>) {
    let name: String = std::iter::repeat_n("abcdefghi.", 26)
        .collect::<String>()
        .chars()
        .take(252)
        .chain(std::iter::once('z'))
        .collect();
    assert_eq!(name.len(), 253);
    let ns = "n".repeat(63);
    let k = key("analysisruns", Some(&ns), &name);
    let created = store
        .create(&k, val("long"))
        .await
        .expect("create of a 253-character name");
    assert_eq!(store.get(&k).await.unwrap(), created);
    let list = list_all(
        &store,
        &prefix("analysisruns", Some(&ns)),
        RevisionMatch::Latest,
    )
    .await;
    assert_eq!(keys_of(&list.items), [k.as_str()]);
    let ck = key("clusteranalysistemplates", None, &name);
    store.create(&ck, val("long")).await.unwrap();
    // A page boundary right after a long name must round-trip through the continue token.
    let other = key("analysisruns", Some(&ns), "zz");
    store.create(&other, val("after")).await.unwrap();
    let (items, _) = list_paged(&store, &prefix("analysisruns", Some(&ns)), 1).await;
    assert_eq!(keys_of(&items), [k.as_str(), other.as_str()]);
    store.delete(&k, Some(created.mod_revision)).await.unwrap();
}

pub async fn values_of_one_and_a_half_mebibytes(store: Arc<dyn Store>) {
    let big: Bytes = (0..1536 * 1024u32)
        .map(|i| (i % 251) as u8)
        .collect::<Vec<u8>>()
        .into();
    let k = key("workflows", Some("big"), "w");
    let mut watch = store
        .watch(&prefix("workflows", None), current(&store).await)
        .await
        .unwrap();
    let c = store
        .create(&k, big.clone())
        .await
        .expect("create of a 1.5 MiB value");
    assert_eq!(store.get(&k).await.unwrap().value, big);
    let mut big2 = big.to_vec();
    big2.reverse();
    let big2 = Bytes::from(big2);
    let u = store
        .update(&k, big2.clone(), c.mod_revision)
        .await
        .expect("update of a 1.5 MiB value");
    let list = list_all(
        &store,
        &prefix("workflows", Some("big")),
        RevisionMatch::Latest,
    )
    .await;
    assert_eq!(list.items.len(), 1);
    assert_eq!(list.items[0].value, big2);
    match next_event(&mut watch).await {
        WatchEvent::Put { kv, prev: None } => assert_eq!(kv.value, big),
        other => panic!(
            "expected the create of the big value, got a different event: {}",
            short(&other)
        ),
    }
    match next_event(&mut watch).await {
        WatchEvent::Put { kv, prev: Some(p) } => {
            assert_eq!(kv.value, big2);
            assert_eq!(p.value, big);
            assert_eq!(kv.mod_revision, u.mod_revision);
        }
        other => panic!(
            "expected the update of the big value, got {}",
            short(&other)
        ),
    }
}

fn short(ev: &WatchEvent) -> String {
    match ev {
        WatchEvent::Put { kv, prev } => format!(
            "Put({} @{}, prev: {:?})",
            kv.key,
            kv.mod_revision,
            prev.as_ref().map(|p| p.mod_revision)
        ),
        WatchEvent::Delete { key, revision, .. } => format!("Delete({key} @{revision})"),
        WatchEvent::Progress { revision } => format!("Progress(@{revision})"),
    }
}

// ---------------------------------------------------------------------------------------------
// list: pagination, revisions, continue tokens

async fn create_numbered(store: &Arc<dyn Store>, ns: &str, n: usize) -> Vec<String> {
    let mut out = Vec::new();
    for i in 0..n {
        let k = key("applications", Some(ns), &format!("app-{i:03}"));
        store.create(&k, val(&format!("v{i}"))).await.unwrap();
        out.push(k);
    }
    out
}

pub async fn pagination_counts_remaining_items(store: Arc<dyn Store>) {
    let created = create_numbered(&store, "p", 10).await;
    let p = prefix("applications", Some("p"));
    let mut opts = ListOptions {
        prefix: p.clone(),
        limit: Some(4),
        ..Default::default()
    };
    let first = store.list(&opts).await.unwrap();
    assert_eq!(
        keys_of(&first.items),
        created[0..4].iter().map(String::as_str).collect::<Vec<_>>()
    );
    assert_eq!(first.remaining, Some(6), "remaining after the first page");
    opts.continue_token = first.continue_token.clone();
    assert!(
        opts.continue_token.is_some(),
        "first page must have a continue token"
    );
    let second = store.list(&opts).await.unwrap();
    assert_eq!(
        keys_of(&second.items),
        created[4..8].iter().map(String::as_str).collect::<Vec<_>>()
    );
    assert_eq!(second.remaining, Some(2));
    assert_eq!(second.revision, first.revision);
    opts.continue_token = second.continue_token.clone();
    let third = store.list(&opts).await.unwrap();
    assert_eq!(
        keys_of(&third.items),
        created[8..].iter().map(String::as_str).collect::<Vec<_>>()
    );
    assert!(
        third.continue_token.is_none(),
        "the last page has no continue token"
    );
    assert!(
        matches!(third.remaining, None | Some(0)),
        "nothing remains after the last page, got {:?}",
        third.remaining
    );
    // A limit equal to the count needs no continue token.
    let exact = store
        .list(&ListOptions {
            prefix: p.clone(),
            limit: Some(10),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(exact.items.len(), 10);
    assert!(exact.continue_token.is_none());
    // Limit zero means everything.
    let all = store
        .list(&ListOptions {
            prefix: p,
            limit: Some(0),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(all.items.len(), 10);
    assert!(all.continue_token.is_none());
    // An empty prefix range is an empty list at the current revision.
    let empty = list_all(
        &store,
        &prefix("applications", Some("none")),
        RevisionMatch::Latest,
    )
    .await;
    assert!(empty.items.is_empty());
    assert_eq!(empty.revision, current(&store).await);
}

pub async fn pagination_ignores_writes_between_pages(store: Arc<dyn Store>) {
    let created = create_numbered(&store, "p", 9).await;
    let p = prefix("applications", Some("p"));
    let mut opts = ListOptions {
        prefix: p.clone(),
        limit: Some(3),
        ..Default::default()
    };
    let first = store.list(&opts).await.unwrap();
    let at = first.revision;
    let mut seen = first.items.clone();
    opts.continue_token = first.continue_token;
    // Writes between pages: a new key in a later page's range, an update and a delete of keys
    // on later pages, a key after the last one.
    store
        .create(&key("applications", Some("p"), "app-004a"), val("new"))
        .await
        .unwrap();
    let upd = store.get(&created[5]).await.unwrap();
    store
        .update(&created[5], val("changed"), upd.mod_revision)
        .await
        .unwrap();
    store.delete(&created[7], None).await.unwrap();
    store
        .create(&key("applications", Some("p"), "app-999"), val("new"))
        .await
        .unwrap();
    while let Some(token) = opts.continue_token.take() {
        opts.continue_token = Some(token);
        let page = store.list(&opts).await.expect("later page failed");
        assert_eq!(
            page.revision, at,
            "later pages are read at the first page's revision"
        );
        seen.extend(page.items);
        opts.continue_token = page.continue_token;
    }
    assert_eq!(
        keys_of(&seen),
        created.iter().map(String::as_str).collect::<Vec<_>>(),
        "later pages must show the state at the first page's revision"
    );
    for (i, kv) in seen.iter().enumerate() {
        assert_eq!(
            kv.value,
            val(&format!("v{i}")),
            "value of {} at the list revision",
            kv.key
        );
        assert!(kv.mod_revision <= at);
    }
    // A fresh list sees the writes.
    let now = list_all(&store, &p, RevisionMatch::Latest).await;
    assert_eq!(now.items.len(), 10);
    assert!(now.revision > at);
}

pub async fn continue_token_requires_latest_revision(store: Arc<dyn Store>) {
    create_numbered(&store, "c", 4).await;
    let p = prefix("applications", Some("c"));
    let first = store
        .list(&ListOptions {
            prefix: p.clone(),
            limit: Some(2),
            ..Default::default()
        })
        .await
        .unwrap();
    for revision in [
        RevisionMatch::Exact(first.revision),
        RevisionMatch::NotOlderThan(first.revision),
    ] {
        match store
            .list(&ListOptions {
                prefix: p.clone(),
                limit: Some(2),
                continue_token: first.continue_token.clone(),
                revision,
            })
            .await
        {
            Err(StoreError::InvalidContinue { .. }) => {}
            other => panic!(
                "continue with revision {revision:?}: expected InvalidContinue, got {other:?}"
            ),
        }
    }
}

pub async fn tampered_continue_token_is_invalid_continue(store: Arc<dyn Store>) {
    create_numbered(&store, "t", 3).await;
    let p = prefix("applications", Some("t"));
    let first = store
        .list(&ListOptions {
            prefix: p.clone(),
            limit: Some(1),
            ..Default::default()
        })
        .await
        .unwrap();
    let good = first.continue_token.expect("continue token");
    let mut bad = vec![
        "not a token".to_string(),
        format!("{good}!!"),
        good.chars().rev().collect(),
    ];
    // Valid base64 of a token that points outside the list.
    use base64::Engine;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    bad.push(b64.encode(format!(
        r#"{{"v":"meta.k8s.io/v1","rv":{},"start":"../../rollouts/x"}}"#,
        first.revision
    )));
    bad.push(b64.encode(r#"{"v":"meta.k8s.io/v1","rv":-1,"start":"app"}"#));
    for token in bad {
        let r = store
            .list(&ListOptions {
                prefix: p.clone(),
                limit: Some(1),
                continue_token: Some(token.clone()),
                revision: RevisionMatch::Latest,
            })
            .await;
        assert!(
            matches!(r, Err(StoreError::InvalidContinue { .. })),
            "tampered token {token:?}: expected InvalidContinue, got {r:?}"
        );
    }
}

pub async fn list_at_exact_old_revision_shows_old_state(store: Arc<dyn Store>) {
    let p = prefix("rollouts", Some("old"));
    let a = key("rollouts", Some("old"), "a");
    let b = key("rollouts", Some("old"), "b");
    let c = key("rollouts", Some("old"), "c");
    // A write outside the prefix first, so that `at - 2` below is a real revision.
    store
        .create(&key("rollouts", Some("elsewhere"), "x"), val("x"))
        .await
        .unwrap();
    let va = store.create(&a, val("a1")).await.unwrap();
    let vb = store.create(&b, val("b1")).await.unwrap();
    let at = current(&store).await;
    store.update(&a, val("a2"), va.mod_revision).await.unwrap();
    store.delete(&b, None).await.unwrap();
    store.create(&c, val("c1")).await.unwrap();
    store.create(&b, val("b2")).await.unwrap();

    let old = list_all(&store, &p, RevisionMatch::Exact(at)).await;
    assert_eq!(
        old.revision, at,
        "an exact list reports the requested revision"
    );
    assert_eq!(
        old.items,
        vec![va.clone(), vb.clone()],
        "state at the old revision"
    );
    // Paging an old list keeps the old revision.
    let first = store
        .list(&ListOptions {
            prefix: p.clone(),
            limit: Some(1),
            revision: RevisionMatch::Exact(at),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(first.items, vec![va]);
    assert_eq!(first.remaining, Some(1));
    let second = store
        .list(&ListOptions {
            prefix: p.clone(),
            limit: Some(1),
            continue_token: first.continue_token,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(second.revision, at);
    assert_eq!(second.items, vec![vb]);
    // Before the first write under the prefix the list is empty.
    let empty = list_all(&store, &p, RevisionMatch::Exact(at - 2)).await;
    assert!(
        empty.items.is_empty(),
        "nothing existed before the first create"
    );
    let now = list_all(&store, &p, RevisionMatch::Latest).await;
    assert_eq!(
        now.items
            .iter()
            .map(|kv| kv.value.clone())
            .collect::<Vec<_>>(),
        vec![val("a2"), val("b2"), val("c1")]
    );
}

pub async fn list_future_revision(store: Arc<dyn Store>) {
    store
        .create(&key("experiments", Some("f"), "e"), val("1"))
        .await
        .unwrap();
    let now = current(&store).await;
    let p = prefix("experiments", None);
    for revision in [
        RevisionMatch::Exact(now + 10),
        RevisionMatch::NotOlderThan(now + 10),
    ] {
        match store
            .list(&ListOptions {
                prefix: p.clone(),
                revision,
                ..Default::default()
            })
            .await
        {
            Err(StoreError::FutureRevision { requested, current }) => {
                assert_eq!(requested, now + 10);
                assert!(current >= now);
            }
            other => panic!("list at {revision:?}: expected FutureRevision, got {other:?}"),
        }
    }
}

pub async fn list_not_older_than_reads_at_current_revision(store: Arc<dyn Store>) {
    let k = key("experiments", Some("n"), "e");
    let v = store.create(&k, val("1")).await.unwrap();
    store.update(&k, val("2"), v.mod_revision).await.unwrap();
    let now = current(&store).await;
    let l = list_all(
        &store,
        &prefix("experiments", None),
        RevisionMatch::NotOlderThan(v.mod_revision),
    )
    .await;
    assert_eq!(
        l.revision, now,
        "NotOlderThan answers at the current revision"
    );
    assert_eq!(l.items[0].value, val("2"));
    let l = list_all(
        &store,
        &prefix("experiments", None),
        RevisionMatch::NotOlderThan(now),
    )
    .await;
    assert_eq!(l.revision, now);
}

pub async fn list_at_compacted_revision_is_expired(store: Arc<dyn Store>) {
    let k = key("analysistemplates", Some("x"), "t");
    let v = store.create(&k, val("1")).await.unwrap();
    let old = v.mod_revision;
    let v = store.update(&k, val("2"), v.mod_revision).await.unwrap();
    let v = store.update(&k, val("3"), v.mod_revision).await.unwrap();
    let now = v.mod_revision;
    store.compact(now).await.expect("compact failed");
    assert!(store.compacted_revision().await.unwrap() >= now);
    let p = prefix("analysistemplates", None);
    let r = store
        .list(&ListOptions {
            prefix: p.clone(),
            revision: RevisionMatch::Exact(old),
            ..Default::default()
        })
        .await;
    assert!(
        is_expired(&r),
        "list at a compacted revision: expected Expired, got {r:?}"
    );
    // The compaction revision itself is still readable.
    let at = list_all(&store, &p, RevisionMatch::Exact(now)).await;
    assert_eq!(at.items, vec![v]);
}

pub async fn continue_after_compaction_is_expired(store: Arc<dyn Store>) {
    let created = create_numbered(&store, "e", 4).await;
    let p = prefix("applications", Some("e"));
    let first = store
        .list(&ListOptions {
            prefix: p.clone(),
            limit: Some(2),
            ..Default::default()
        })
        .await
        .unwrap();
    store.delete(&created[3], None).await.unwrap();
    store.create(&created[3], val("again")).await.unwrap();
    store.compact(current(&store).await).await.unwrap();
    let r = store
        .list(&ListOptions {
            prefix: p,
            limit: Some(2),
            continue_token: first.continue_token,
            ..Default::default()
        })
        .await;
    assert!(
        is_expired(&r),
        "continue after compaction: expected Expired, got {r:?}"
    );
}

pub async fn compaction_keeps_live_keys(store: Arc<dyn Store>) {
    let a = key("cronworkflows", Some("c"), "a");
    let b = key("cronworkflows", Some("c"), "b");
    let c = key("cronworkflows", Some("c"), "c");
    let mut va = store.create(&a, val("a0")).await.unwrap();
    for i in 1..5 {
        va = store
            .update(&a, val(&format!("a{i}")), va.mod_revision)
            .await
            .unwrap();
    }
    let vb = store.create(&b, val("b")).await.unwrap();
    store.create(&c, val("c")).await.unwrap();
    store.delete(&c, None).await.unwrap();
    let at = current(&store).await;
    store.compact(at).await.unwrap();
    assert_eq!(store.compacted_revision().await.unwrap(), at);
    assert_eq!(
        store.get(&a).await.unwrap(),
        va,
        "compaction must keep the live value"
    );
    assert_eq!(store.get(&b).await.unwrap(), vb);
    assert!(matches!(
        store.get(&c).await,
        Err(StoreError::NotFound { .. })
    ));
    let l = list_all(
        &store,
        &prefix("cronworkflows", None),
        RevisionMatch::Latest,
    )
    .await;
    assert_eq!(l.items, vec![va.clone(), vb.clone()]);
    let l = list_all(
        &store,
        &prefix("cronworkflows", None),
        RevisionMatch::Exact(at),
    )
    .await;
    assert_eq!(l.items, vec![va.clone(), vb]);
    // Writes go on after a compaction, and compare-and-swap still sees the live revision.
    let va2 = store
        .update(&a, val("after"), va.mod_revision)
        .await
        .unwrap();
    assert_eq!(va2.mod_revision, at + 1);
    store.create(&c, val("c again")).await.unwrap();
    // Compacting twice to the same revision does not make anything readable again.
    let r = store
        .list(&ListOptions {
            prefix: prefix("cronworkflows", None),
            revision: RevisionMatch::Exact(at - 1),
            ..Default::default()
        })
        .await;
    assert!(is_expired(&r), "expected Expired, got {r:?}");
}

pub async fn compact_to_a_future_revision_is_refused(store: Arc<dyn Store>) {
    store
        .create(&key("eventbus", Some("e"), "default"), val("1"))
        .await
        .unwrap();
    let now = current(&store).await;
    let r = store.compact(now + 5).await;
    assert!(
        matches!(r, Err(StoreError::FutureRevision { .. })),
        "compact to a future revision: expected FutureRevision, got {r:?}"
    );
    assert!(store.compacted_revision().await.unwrap() < now + 5);
    store
        .get(&key("eventbus", Some("e"), "default"))
        .await
        .unwrap();
}

// ---------------------------------------------------------------------------------------------
// watch

pub async fn watch_replays_exactly_the_events_after_a_revision(store: Arc<dyn Store>) {
    let p = prefix("rollouts", Some("w"));
    let a = key("rollouts", Some("w"), "a");
    let b = key("rollouts", Some("w"), "b");
    let c = key("rollouts", Some("w"), "c");
    let va = store.create(&a, val("a1")).await.unwrap();
    store.create(&b, val("b1")).await.unwrap();
    let from = current(&store).await;
    let ua = store.update(&a, val("a2"), va.mod_revision).await.unwrap();
    store
        .create(&key("rollouts", Some("other"), "x"), val("elsewhere"))
        .await
        .unwrap();
    let db = store.delete(&b, None).await.unwrap();
    let vc = store.create(&c, val("c1")).await.unwrap();

    let mut w = store.watch(&p, from).await.expect("watch failed");
    let e1 = next_event(&mut w).await;
    assert_put(&e1, &a, "a2", Some("a1"));
    assert_eq!(e1.revision(), ua.mod_revision);
    let e2 = next_event(&mut w).await;
    assert_delete(&e2, &b, "b1");
    assert_eq!(e2.revision(), db.revision);
    let e3 = next_event(&mut w).await;
    assert_put(&e3, &c, "c1", None);
    assert_eq!(e3.revision(), vc.mod_revision);
    expect_quiet(&mut w).await;

    // From the middle: exactly the tail.
    let mut tail = store.watch(&p, ua.mod_revision).await.unwrap();
    assert_delete(&next_event(&mut tail).await, &b, "b1");
    assert_put(&next_event(&mut tail).await, &c, "c1", None);
    expect_quiet(&mut tail).await;

    // Both continue live, in order, with nothing repeated.
    let uc = store.update(&c, val("c2"), vc.mod_revision).await.unwrap();
    for s in [&mut w, &mut tail] {
        let e = next_event(s).await;
        assert_put(&e, &c, "c2", Some("c1"));
        assert_eq!(e.revision(), uc.mod_revision);
        expect_quiet(s).await;
    }
    // From the current revision: nothing old.
    let mut none = store.watch(&p, current(&store).await).await.unwrap();
    expect_quiet(&mut none).await;
}

pub async fn watch_from_zero_starts_now(store: Arc<dyn Store>) {
    let p = prefix("workflows", Some("z"));
    store
        .create(&key("workflows", Some("z"), "before"), val("b"))
        .await
        .unwrap();
    let mut w = store.watch(&p, 0).await.unwrap();
    expect_quiet(&mut w).await;
    let after = store
        .create(&key("workflows", Some("z"), "after"), val("a"))
        .await
        .unwrap();
    let e = next_event(&mut w).await;
    assert_put(&e, &after.key, "a", None);
    assert_eq!(e.revision(), after.mod_revision);
}

pub async fn watch_carries_previous_values(store: Arc<dyn Store>) {
    let p = prefix("applications", Some("prev"));
    let k = key("applications", Some("prev"), "app");
    let mut w = store.watch(&p, current(&store).await).await.unwrap();
    let v1 = store.create(&k, val("1")).await.unwrap();
    let v2 = store.update(&k, val("2"), v1.mod_revision).await.unwrap();
    let d = store.delete(&k, Some(v2.mod_revision)).await.unwrap();
    match next_event(&mut w).await {
        WatchEvent::Put { kv, prev } => {
            assert_eq!(kv, v1);
            assert_eq!(prev, None, "a create has no previous value");
        }
        other => panic!("expected the create, got {other:?}"),
    }
    match next_event(&mut w).await {
        WatchEvent::Put { kv, prev } => {
            assert_eq!(kv, v2);
            assert_eq!(prev, Some(v1), "an update carries the value before it");
        }
        other => panic!("expected the update, got {other:?}"),
    }
    match next_event(&mut w).await {
        WatchEvent::Delete {
            key,
            revision,
            prev,
        } => {
            assert_eq!(key, k);
            assert_eq!(revision, d.revision);
            assert_eq!(prev, v2, "a delete carries the last value");
        }
        other => panic!("expected the delete, got {other:?}"),
    }
}

pub async fn watch_from_compacted_revision_is_expired(store: Arc<dyn Store>) {
    let p = prefix("rollouts", Some("cw"));
    let k = key("rollouts", Some("cw"), "r");
    let mut v = store.create(&k, val("0")).await.unwrap();
    let first = v.mod_revision;
    for i in 1..6 {
        v = store
            .update(&k, val(&format!("{i}")), v.mod_revision)
            .await
            .unwrap();
    }
    let at = v.mod_revision;
    store.compact(at).await.unwrap();
    assert_watch_expired(&store, &p, first).await;
    assert_watch_expired(&store, &p, at - 2).await;
}

pub async fn watch_just_after_compaction_still_works(store: Arc<dyn Store>) {
    let p = prefix("rollouts", Some("cw"));
    let k = key("rollouts", Some("cw"), "r");
    let mut v = store.create(&k, val("0")).await.unwrap();
    for i in 1..4 {
        v = store
            .update(&k, val(&format!("{i}")), v.mod_revision)
            .await
            .unwrap();
    }
    let at = v.mod_revision;
    store.compact(at).await.unwrap();
    let mut w = store
        .watch(&p, at)
        .await
        .expect("watch from the compaction revision");
    expect_quiet(&mut w).await;
    let u = store
        .update(&k, val("after"), v.mod_revision)
        .await
        .unwrap();
    let e = next_event(&mut w).await;
    assert_put(&e, &k, "after", Some("3"));
    assert_eq!(e.revision(), u.mod_revision);
}

pub async fn watchers_see_one_order_under_concurrent_writes(store: Arc<dyn Store>) {
    let p = prefix("workflows", None);
    // A write outside the prefix first, so `from` is a real revision, not 0 ("from now on").
    store
        .create(&key("rollouts", Some("x"), "first"), val("x"))
        .await
        .unwrap();
    let from = current(&store).await;
    let mut early = store.watch(&p, from).await.unwrap();
    let mut tasks = Vec::new();
    for t in 0..8 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut revs = Vec::new();
            for i in 0..25 {
                let k = key("workflows", Some(&format!("ns{t}")), &format!("wf{i}"));
                revs.push(store.create(&k, val("x")).await.unwrap().mod_revision);
            }
            revs
        }));
    }
    let mut acked = Vec::new();
    for t in tasks {
        acked.extend(t.await.unwrap());
    }
    acked.sort_unstable();
    // A watcher started after the writes replays the same events.
    let mut late = store.watch(&p, from).await.unwrap();
    for w in [&mut early, &mut late] {
        let mut got = Vec::new();
        for _ in 0..acked.len() {
            got.push(next_event(w).await.revision());
        }
        assert_eq!(
            got, acked,
            "watch must deliver every write once, in revision order"
        );
        expect_quiet(w).await;
    }
}

// ---------------------------------------------------------------------------------------------
// concurrency

pub async fn no_lost_update_under_concurrent_compare_and_swap(store: Arc<dyn Store>) {
    const TASKS: usize = 16;
    const INCREMENTS: usize = 200;
    let k = key("analysisruns", Some("counter"), "n");
    store.create(&k, val("0")).await.unwrap();
    let mut tasks = Vec::new();
    for _ in 0..TASKS {
        let store = store.clone();
        let k = k.clone();
        tasks.push(tokio::spawn(async move {
            let mut kv = store.get(&k).await.unwrap();
            let mut done = 0;
            while done < INCREMENTS {
                let n: u64 = std::str::from_utf8(&kv.value).unwrap().parse().unwrap();
                match store
                    .update(&k, val(&(n + 1).to_string()), kv.mod_revision)
                    .await
                {
                    Ok(new) => {
                        kv = new;
                        done += 1;
                    }
                    Err(StoreError::Conflict {
                        current: Some(cur), ..
                    }) => kv = *cur,
                    Err(e) => panic!("compare-and-swap failed: {e}"),
                }
            }
        }));
    }
    for t in tasks {
        t.await.expect("increment task panicked");
    }
    let end = store.get(&k).await.unwrap();
    assert_eq!(
        std::str::from_utf8(&end.value).unwrap(),
        (TASKS * INCREMENTS).to_string(),
        "every successful compare-and-swap must count exactly once"
    );
}
