//! The per-kind watch cache, as kube-apiserver's cacher: one storage watch feeds an in-memory
//! copy of every object under a prefix plus a ring of recent events. Lists at resourceVersion
//! "0"/NotOlderThan and every watch are served from memory, so a thousand watchers cost one
//! storage watch.
//!
//! Watchers are fed through a broadcast channel published under the state's write lock, so a
//! watch that starts (replay from the ring, then subscribe, under the read lock) sees every event
//! exactly once. A watcher too slow to keep up is ended rather than allowed to skip: the client
//! re-watches from its last resourceVersion, served from the ring while it still holds it.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures::StreamExt;
use futures::stream::BoxStream;
use tokio::sync::{RwLock, broadcast, watch};

use crate::{ListOptions, Result, Revision, RevisionMatch, Store, StoreError, WatchEvent};

/// What filtering needs from an object (labels and selectable field values), extracted once
/// when it enters the cache. One of these lives beside every cached object, so it is packed into
/// a single allocation: entries `<tag><name>\u{1f}<value>\u{1e}`, tag `L` (label) or `F` (field).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ObjectAttrs {
    packed: Box<str>,
}

const NAME_END: char = '\u{1f}';
const ENTRY_END: char = '\u{1e}';

impl ObjectAttrs {
    /// Packs labels and (non-empty) selectable field values.
    pub fn new<'a>(
        labels: impl IntoIterator<Item = (&'a str, &'a str)>,
        fields: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> ObjectAttrs {
        let mut packed = String::new();
        for (tag, (name, value)) in labels.into_iter().map(|e| ('L', e)).chain(
            fields
                .into_iter()
                .filter(|(_, v)| !v.is_empty())
                .map(|e| ('F', e)),
        ) {
            // Separators cannot occur in label keys/values or selectable values kube accepts;
            // an entry that holds one is dropped rather than corrupting the others.
            if name.contains([NAME_END, ENTRY_END]) || value.contains([NAME_END, ENTRY_END]) {
                continue;
            }
            packed.push(tag);
            packed.push_str(name);
            packed.push(NAME_END);
            packed.push_str(value);
            packed.push(ENTRY_END);
        }
        ObjectAttrs {
            packed: packed.into_boxed_str(),
        }
    }

    fn entries(&self, tag: char) -> impl Iterator<Item = (&str, &str)> {
        self.packed
            .split(ENTRY_END)
            .filter_map(move |e| e.strip_prefix(tag))
            .filter_map(|e| e.split_once(NAME_END))
    }

    /// The labels, as label selectors match them.
    pub fn labels(&self) -> BTreeMap<String, String> {
        self.entries('L')
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// The value of a selectable field; absent fields read as "" (as kube's field sets do).
    pub fn field(&self, path: &str) -> String {
        self.entries('F')
            .find(|(p, _)| *p == path)
            .map(|(_, v)| v.to_string())
            .unwrap_or_default()
    }
}

/// Computes [`ObjectAttrs`] from a stored value.
pub type AttrsFn = Arc<dyn Fn(&[u8]) -> ObjectAttrs + Send + Sync>;

/// Turns a stored value into what clients see at a revision (resourceVersion filled in). It is
/// also applied to its own output, to move an object to another revision.
pub type EncodeFn = Arc<dyn Fn(&[u8], Revision) -> Bytes + Send + Sync>;

/// One object as the cache holds it: only in the form clients see (its resourceVersion filled
/// in), computed once when it enters the cache and shared by every list and watcher.
#[derive(Debug)]
pub struct CachedObject {
    /// Shared with the cache's index, so each key is held once.
    pub key: Arc<str>,
    pub mod_revision: Revision,
    pub attrs: ObjectAttrs,
    encoded: Bytes,
}

impl CachedObject {
    fn new(key: Arc<str>, encoded: Bytes, mod_revision: Revision, attrs: ObjectAttrs) -> Self {
        CachedObject {
            key,
            mod_revision,
            attrs,
            encoded,
        }
    }

    /// The object as clients see it at `revision` (its own for puts, the deletion's for deletes).
    pub fn encoded_at(&self, encode: &EncodeFn, revision: Revision) -> Bytes {
        if revision == self.mod_revision {
            self.encoded.clone()
        } else {
            encode(&self.encoded, revision)
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventType {
    Added,
    Modified,
    Deleted,
}

/// One change, shared by every watcher.
#[derive(Clone, Debug)]
pub struct CacheEvent {
    pub event_type: EventType,
    pub revision: Revision,
    /// The new object; for a delete, the last state it had.
    pub object: Arc<CachedObject>,
    /// The state before this change (None for a create).
    pub prev: Option<Arc<CachedObject>>,
}

/// What a cache watch yields.
#[derive(Clone, Debug)]
pub enum CacheWatchItem {
    Event(Arc<CacheEvent>),
    /// The cache has seen everything up to this revision (for bookmarks).
    Progress(Revision),
    /// All initial (synthetic ADDED) events were sent; the snapshot was at this revision.
    InitialEventsEnd(Revision),
}

/// Why a cache watch or read could not be served.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    /// The revision is older than the oldest event held: `too old resource version: N (M)`.
    #[error("too old resource version: {requested} ({oldest})")]
    TooOld {
        requested: Revision,
        oldest: Revision,
    },
    /// The cache did not reach the revision in time.
    #[error("Too large resource version: {requested}, current: {current}")]
    TooLarge {
        requested: Revision,
        current: Revision,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Clone, Debug)]
pub struct CacherOptions {
    /// Events kept for watches that resume from a resourceVersion.
    pub event_capacity: usize,
    /// Per-watcher channel slack before a slow watcher is ended.
    pub watcher_buffer: usize,
    /// How long a NotOlderThan read waits for the cache to catch up (kube: 3 s).
    pub freshness_wait: Duration,
    /// How long a consistent read waits for the cache to reach the store's current revision
    /// before the caller should read the store itself.
    pub consistent_wait: Duration,
}

impl Default for CacherOptions {
    fn default() -> Self {
        CacherOptions {
            event_capacity: 20_000,
            watcher_buffer: 10_000,
            freshness_wait: Duration::from_secs(3),
            consistent_wait: Duration::from_millis(500),
        }
    }
}

struct State {
    objects: BTreeMap<Arc<str>, Arc<CachedObject>>,
    events: VecDeque<Arc<CacheEvent>>,
    /// Everything up to here is reflected.
    revision: Revision,
    /// Watches may resume from any revision >= this one.
    oldest: Revision,
    /// Bumped on every relist; watchers of an older generation are ended.
    generation: u64,
    sender: broadcast::Sender<Arc<CacheEvent>>,
}

/// A cache of every object under one prefix.
pub struct Cacher {
    store: Arc<dyn Store>,
    prefix: String,
    attrs: AttrsFn,
    encode: EncodeFn,
    opts: CacherOptions,
    state: RwLock<State>,
    revision_tx: watch::Sender<Revision>,
    ready_tx: watch::Sender<bool>,
}

impl Cacher {
    /// Starts a cache of `prefix` (e.g. `/argoproj.io/applications/`): it lists, then follows a
    /// storage watch, re-listing whenever the watch breaks. Dropping every handle stops it.
    pub fn start(
        store: Arc<dyn Store>,
        prefix: String,
        attrs: AttrsFn,
        encode: EncodeFn,
        opts: CacherOptions,
    ) -> Arc<Cacher> {
        let (sender, _) = broadcast::channel(opts.watcher_buffer.max(16));
        let cacher = Arc::new(Cacher {
            store,
            prefix,
            attrs,
            encode,
            opts,
            state: RwLock::new(State {
                objects: BTreeMap::new(),
                events: VecDeque::new(),
                revision: 0,
                oldest: 0,
                generation: 0,
                sender,
            }),
            revision_tx: watch::channel(0).0,
            ready_tx: watch::channel(false).0,
        });
        let weak = Arc::downgrade(&cacher);
        tokio::spawn(async move {
            let mut backoff = Duration::from_millis(100);
            loop {
                let Some(cacher) = weak.upgrade() else { return };
                match cacher.reflect().await {
                    Ok(()) => backoff = Duration::from_millis(100),
                    Err(e) => {
                        tracing::warn!(prefix = %cacher.prefix, error = %e, "watch cache lost its storage watch; re-listing");
                    }
                }
                drop(cacher);
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(5));
            }
        });
        cacher
    }

    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    pub fn encoder(&self) -> &EncodeFn {
        &self.encode
    }

    /// True once the first list has been loaded.
    pub fn is_ready(&self) -> bool {
        *self.ready_tx.borrow()
    }

    /// How many objects the cache holds.
    pub async fn object_count(&self) -> usize {
        self.state.read().await.objects.len()
    }

    /// The revision the cache reflects.
    pub fn revision(&self) -> Revision {
        *self.revision_tx.borrow()
    }

    fn cached(&self, key: Arc<str>, value: &[u8], mod_revision: Revision) -> CachedObject {
        let attrs = (self.attrs)(value);
        CachedObject::new(key, (self.encode)(value, mod_revision), mod_revision, attrs)
    }

    /// One list, then follow the watch until it breaks.
    async fn reflect(&self) -> Result<()> {
        // Paged at one revision, so the temporary copies of a large kind stay small.
        let mut objects = BTreeMap::new();
        let mut token = None;
        let revision = loop {
            let page = self
                .store
                .list(&ListOptions {
                    prefix: self.prefix.clone(),
                    limit: Some(1000),
                    continue_token: token.take(),
                    revision: RevisionMatch::Latest,
                })
                .await?;
            for kv in page.items {
                let key: Arc<str> = Arc::from(kv.key);
                let obj = self.cached(key.clone(), &kv.value, kv.mod_revision);
                objects.insert(key, Arc::new(obj));
            }
            match page.continue_token {
                Some(next) => token = Some(next),
                None => break page.revision,
            }
        };
        let mut stream = self.store.watch(&self.prefix, revision).await?;
        {
            let mut st = self.state.write().await;
            st.objects = objects;
            st.events.clear();
            st.revision = revision;
            st.oldest = revision;
            st.generation += 1;
            // Watchers of the previous generation may have missed events: end them.
            let (sender, _) = broadcast::channel(self.opts.watcher_buffer.max(16));
            st.sender = sender;
        }
        self.revision_tx.send_replace(revision);
        self.ready_tx.send_replace(true);
        while let Some(item) = stream.next().await {
            let event = item?;
            self.apply(event).await;
        }
        Err(StoreError::unavailable("storage watch ended"))
    }

    async fn apply(&self, event: WatchEvent) {
        let mut st = self.state.write().await;
        let revision = event.revision();
        if revision <= st.revision && !matches!(event, WatchEvent::Progress { .. }) {
            return; // already reflected (a resumed storage watch never repeats, but be safe)
        }
        let cache_event = match event {
            WatchEvent::Progress { revision } => {
                if revision > st.revision {
                    st.revision = revision;
                    drop(st);
                    self.revision_tx.send_replace(revision);
                }
                return;
            }
            WatchEvent::Put { kv, .. } => {
                let key: Arc<str> = Arc::from(kv.key);
                let obj = Arc::new(self.cached(key.clone(), &kv.value, kv.mod_revision));
                let prev = st.objects.insert(key, obj.clone());
                CacheEvent {
                    event_type: if prev.is_some() {
                        EventType::Modified
                    } else {
                        EventType::Added
                    },
                    revision,
                    object: obj,
                    prev,
                }
            }
            WatchEvent::Delete { key, prev, .. } => {
                let removed = st.objects.remove(key.as_str());
                let last = removed.unwrap_or_else(|| {
                    Arc::new(self.cached(Arc::from(key), &prev.value, prev.mod_revision))
                });
                CacheEvent {
                    event_type: EventType::Deleted,
                    revision,
                    object: last.clone(),
                    prev: Some(last),
                }
            }
        };
        let cache_event = Arc::new(cache_event);
        st.revision = revision;
        st.events.push_back(cache_event.clone());
        while st.events.len() > self.opts.event_capacity {
            if let Some(dropped) = st.events.pop_front() {
                st.oldest = dropped.revision;
            }
        }
        // No receivers is fine: nobody watches.
        let _ = st.sender.send(cache_event);
        drop(st);
        self.revision_tx.send_replace(revision);
    }

    /// Waits until the cache has reached `revision`, at most `freshness_wait`.
    pub async fn wait_until(&self, revision: Revision) -> Result<(), CacheError> {
        self.wait_until_for(revision, self.opts.freshness_wait)
            .await
    }

    /// Waits until the cache has reached `revision`, at most `limit`.
    pub async fn wait_until_for(
        &self,
        revision: Revision,
        limit: Duration,
    ) -> Result<(), CacheError> {
        let mut rx = self.revision_tx.subscribe();
        let wait = async {
            loop {
                if *rx.borrow_and_update() >= revision && self.is_ready() {
                    return;
                }
                if rx.changed().await.is_err() {
                    return;
                }
            }
        };
        if tokio::time::timeout(limit, wait).await.is_err() || self.revision() < revision {
            return Err(CacheError::TooLarge {
                requested: revision,
                current: self.revision(),
            });
        }
        Ok(())
    }

    /// Every object under `prefix` (which must be under the cache's own prefix), at a revision
    /// satisfying `rv`, in key order. `Latest` means a consistent read: the cache first catches up
    /// with the store's current revision.
    pub async fn list(
        &self,
        prefix: &str,
        rv: RevisionMatch,
    ) -> Result<(Vec<Arc<CachedObject>>, Revision), CacheError> {
        match rv {
            RevisionMatch::Latest => {
                let current = self.store.current_revision().await?;
                self.wait_until_for(current, self.opts.consistent_wait)
                    .await?;
            }
            RevisionMatch::NotOlderThan(r) => self.wait_until(r).await?,
            RevisionMatch::Exact(_) => {
                return Err(CacheError::Store(StoreError::InvalidContinue {
                    reason: "exact-revision reads are served by storage, not the cache",
                }));
            }
        }
        if !self.is_ready() {
            self.wait_until(1).await?;
        }
        let st = self.state.read().await;
        let items = st
            .objects
            .range::<str, _>((
                std::ops::Bound::Included(prefix),
                std::ops::Bound::Unbounded,
            ))
            .take_while(|(k, _)| k.starts_with(prefix))
            .map(|(_, v)| v.clone())
            .collect();
        Ok((items, st.revision))
    }

    /// One object, at a revision satisfying `rv` (as [`Cacher::list`]).
    pub async fn get(
        &self,
        key: &str,
        rv: RevisionMatch,
    ) -> Result<(Option<Arc<CachedObject>>, Revision), CacheError> {
        match rv {
            RevisionMatch::Latest => {
                let current = self.store.current_revision().await?;
                self.wait_until(current).await?;
            }
            RevisionMatch::NotOlderThan(r) => self.wait_until(r.max(1)).await?,
            RevisionMatch::Exact(_) => {}
        }
        let st = self.state.read().await;
        Ok((st.objects.get(key).cloned(), st.revision))
    }

    /// Watches changes under `prefix` strictly after `from`. With `initial_events`, the stream
    /// starts with a synthetic ADDED for every object (at the cache's current revision, which
    /// must be >= `from`), followed by [`CacheWatchItem::InitialEventsEnd`].
    pub async fn watch(
        self: &Arc<Self>,
        prefix: &str,
        from: Revision,
        initial_events: bool,
    ) -> Result<BoxStream<'static, CacheWatchItem>, CacheError> {
        if from > 0 {
            self.wait_until(from).await?;
        } else if !self.is_ready() {
            self.wait_until(1).await?;
        }
        let st = self.state.read().await;
        let mut first: Vec<CacheWatchItem> = Vec::new();
        let start_revision = if initial_events {
            for obj in st
                .objects
                .range::<str, _>((
                    std::ops::Bound::Included(prefix),
                    std::ops::Bound::Unbounded,
                ))
                .take_while(|(k, _)| k.starts_with(prefix))
                .map(|(_, v)| v.clone())
            {
                first.push(CacheWatchItem::Event(Arc::new(CacheEvent {
                    event_type: EventType::Added,
                    revision: obj.mod_revision,
                    object: obj,
                    prev: None,
                })));
            }
            first.push(CacheWatchItem::InitialEventsEnd(st.revision));
            st.revision
        } else {
            if from < st.oldest {
                return Err(CacheError::TooOld {
                    requested: from,
                    oldest: st.oldest,
                });
            }
            for e in st.events.iter().filter(|e| e.revision > from) {
                if e.object.key.starts_with(prefix) {
                    first.push(CacheWatchItem::Event(e.clone()));
                }
            }
            st.revision.max(from)
        };
        let rx = st.sender.subscribe();
        drop(st);
        let prefix = prefix.to_string();
        let live = futures::stream::unfold((rx, start_revision), move |(mut rx, last)| {
            let prefix = prefix.clone();
            async move {
                loop {
                    match rx.recv().await {
                        Ok(ev) if ev.revision <= last => continue,
                        Ok(ev) if !ev.object.key.starts_with(&prefix) => continue,
                        Ok(ev) => {
                            let rev = ev.revision;
                            return Some((CacheWatchItem::Event(ev), (rx, rev)));
                        }
                        // Lagged: ending is the only way not to skip. Closed: relisted.
                        Err(_) => return None,
                    }
                }
            }
        });
        Ok(futures::stream::iter(first).chain(live).boxed())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::embedded::{EmbeddedOptions, EmbeddedStore};

    fn attrs() -> AttrsFn {
        Arc::new(|v: &[u8]| {
            let text = String::from_utf8_lossy(v).into_owned();
            ObjectAttrs::new([], [("value", text.as_str())])
        })
    }

    #[test]
    fn attrs_pack_labels_and_fields() {
        let a = ObjectAttrs::new(
            [("app", "web"), ("tier", "")],
            [
                ("metadata.name", "x"),
                ("spec.project", ""),
                ("status.phase", "Running"),
            ],
        );
        assert_eq!(a.labels().len(), 2);
        assert_eq!(a.labels()["tier"], "");
        assert_eq!(a.field("metadata.name"), "x");
        assert_eq!(a.field("spec.project"), "");
        assert_eq!(a.field("status.phase"), "Running");
        assert_eq!(a.field("app"), "", "labels are not fields");
    }

    /// `<value>@<revision>`; applied to its own output it moves the object to a new revision.
    fn encode() -> EncodeFn {
        Arc::new(|v: &[u8], rev| {
            let text = String::from_utf8_lossy(v);
            let value = text.split('@').next().unwrap_or_default();
            Bytes::from(format!("{value}@{rev}"))
        })
    }

    fn value_of(o: &CachedObject) -> String {
        let e = o.encoded_at(&encode(), o.mod_revision);
        String::from_utf8_lossy(&e)
            .split('@')
            .next()
            .unwrap_or_default()
            .to_string()
    }

    async fn setup() -> (Arc<dyn Store>, Arc<Cacher>, tempfile::TempDir) {
        let dir = tempfile::tempdir().expect("tempdir");
        let store: Arc<dyn Store> = Arc::new(
            EmbeddedStore::open(&dir.path().join("db"), EmbeddedOptions::default()).expect("open"),
        );
        let cacher = Cacher::start(
            store.clone(),
            "/argoproj.io/things/".into(),
            attrs(),
            encode(),
            CacherOptions {
                event_capacity: 5,
                ..Default::default()
            },
        );
        // The cache's first list must come before the test's writes, or the ring starts later.
        cacher.wait_until(1).await.expect("cache loaded");
        (store, cacher, dir)
    }

    async fn next_event(s: &mut BoxStream<'static, CacheWatchItem>) -> Arc<CacheEvent> {
        loop {
            match tokio::time::timeout(Duration::from_secs(5), s.next()).await {
                Ok(Some(CacheWatchItem::Event(e))) => return e,
                Ok(Some(_)) => continue,
                other => panic!("no event: {}", other.is_ok()),
            }
        }
    }

    #[tokio::test]
    async fn lists_are_consistent_with_storage() {
        let (store, cacher, _d) = setup().await;
        store
            .create("/argoproj.io/things/a/x", Bytes::from_static(b"1"))
            .await
            .expect("create");
        let kv = store
            .create("/argoproj.io/things/b/y", Bytes::from_static(b"2"))
            .await
            .expect("create");
        let (items, rev) = cacher
            .list("/argoproj.io/things/", RevisionMatch::Latest)
            .await
            .expect("list");
        assert_eq!(items.len(), 2);
        assert_eq!(rev, kv.mod_revision);
        let (items, _) = cacher
            .list("/argoproj.io/things/a/", RevisionMatch::NotOlderThan(rev))
            .await
            .expect("list");
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].attrs.field("value"), "1");
        assert_eq!(
            items[0].encoded_at(cacher.encoder(), items[0].mod_revision),
            format!("1@{}", items[0].mod_revision)
        );
        // A revision the store never reaches: TooLarge after the freshness wait.
        let err = tokio::time::timeout(
            Duration::from_secs(10),
            cacher.list(
                "/argoproj.io/things/",
                RevisionMatch::NotOlderThan(rev + 1000),
            ),
        )
        .await
        .expect("bounded");
        assert!(matches!(err, Err(CacheError::TooLarge { .. })));
    }

    #[tokio::test]
    async fn watch_resumes_from_the_ring_and_expires_beyond_it() {
        let (store, cacher, _d) = setup().await;
        let first = store
            .create("/argoproj.io/things/a/x", Bytes::from_static(b"0"))
            .await
            .expect("create");
        let mut rev = first.mod_revision;
        for i in 1..=3 {
            rev = store
                .update("/argoproj.io/things/a/x", Bytes::from(i.to_string()), rev)
                .await
                .expect("update")
                .mod_revision;
        }
        cacher.wait_until(rev).await.expect("fresh");
        let mut w = cacher
            .watch("/argoproj.io/things/", first.mod_revision, false)
            .await
            .expect("watch");
        for expect in ["1", "2", "3"] {
            let e = next_event(&mut w).await;
            assert_eq!(e.event_type, EventType::Modified);
            assert_eq!(value_of(&e.object), expect);
        }
        let deleted = store
            .delete("/argoproj.io/things/a/x", None)
            .await
            .expect("delete");
        let e = next_event(&mut w).await;
        assert_eq!(e.event_type, EventType::Deleted);
        assert_eq!(e.revision, deleted.revision);
        assert_eq!(value_of(&e.object), "3");
        assert_eq!(
            e.object.encoded_at(&encode(), e.revision),
            format!("3@{}", e.revision)
        );

        // Push the first revisions out of the 5-event ring.
        for i in 0..6 {
            store
                .create(
                    &format!("/argoproj.io/things/b/n{i}"),
                    Bytes::from_static(b"z"),
                )
                .await
                .expect("create");
        }
        let latest = store.current_revision().await.expect("rev");
        cacher.wait_until(latest).await.expect("fresh");
        assert!(matches!(
            cacher
                .watch("/argoproj.io/things/", first.mod_revision, false)
                .await,
            Err(CacheError::TooOld { .. })
        ));
    }

    #[tokio::test]
    async fn initial_events_then_end_marker_then_live() {
        let (store, cacher, _d) = setup().await;
        store
            .create("/argoproj.io/things/a/x", Bytes::from_static(b"1"))
            .await
            .expect("create");
        store
            .create("/argoproj.io/things/b/y", Bytes::from_static(b"2"))
            .await
            .expect("create");
        cacher
            .wait_until(store.current_revision().await.expect("rev"))
            .await
            .expect("fresh");
        let mut w = cacher
            .watch("/argoproj.io/things/a/", 0, true)
            .await
            .expect("watch");
        let e = next_event(&mut w).await;
        assert_eq!(e.event_type, EventType::Added);
        assert_eq!(&*e.object.key, "/argoproj.io/things/a/x");
        match tokio::time::timeout(Duration::from_secs(5), w.next()).await {
            Ok(Some(CacheWatchItem::InitialEventsEnd(_))) => {}
            _ => panic!("expected the initial-events end marker"),
        }
        store
            .create("/argoproj.io/things/b/z", Bytes::from_static(b"3"))
            .await
            .expect("create other namespace");
        store
            .create("/argoproj.io/things/a/w", Bytes::from_static(b"4"))
            .await
            .expect("create");
        let e = next_event(&mut w).await;
        assert_eq!(
            &*e.object.key, "/argoproj.io/things/a/w",
            "other prefixes are filtered"
        );
    }
}
