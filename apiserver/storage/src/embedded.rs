//! The embedded backend (default): a persistent revision log in one file.
//!
//! The k3s/kine idea over redb: every write appends one entry to a log keyed by revision, and
//! two indexes make reads cheap:
//! - `log`: revision -> (put or tombstone, create revision, previous revision, key, value);
//! - `live`: key -> revision of its live entry (gets and lists at the current revision);
//! - `history`: (key, revision) -> put or tombstone (lists at an older revision, compaction);
//! - `meta`: the current and the compacted revision.
//!
//! One writer thread applies every queued write in one redb transaction and commits it with an
//! fsync before answering any of them (group commit), then publishes the batch's events to the
//! in-process watchers. Reads never go through the writer: a redb read transaction is a snapshot.
//! Watchers subscribe to the live feed first and replay the log up to what they have read, so
//! they see every event exactly once; one that falls behind the feed replays from the log again.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures::StreamExt;
use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};
use tokio::sync::{broadcast, mpsc, oneshot};

use crate::{
    Deleted, KeyValue, ListOptions, ListResult, Result, Revision, RevisionMatch, Store, StoreError,
    WatchEvent, WatchStream, continue_token,
};

const LOG: TableDefinition<u64, &[u8]> = TableDefinition::new("log");
const LIVE: TableDefinition<&str, u64> = TableDefinition::new("live");
const HISTORY: TableDefinition<(&str, u64), u8> = TableDefinition::new("history");
const META: TableDefinition<&str, u64> = TableDefinition::new("meta");

const META_CURRENT: &str = "current";
const META_COMPACTED: &str = "compacted";

const KIND_PUT: u8 = 1;
const KIND_TOMBSTONE: u8 = 0;

/// Bounds of one group commit: enough to amortise an fsync over many writers, small enough
/// that one transaction stays short.
const MAX_BATCH_WRITES: usize = 1024;
const MAX_BATCH_BYTES: usize = 32 << 20;
/// How long the writer waits for one more write of a concurrent burst, and at most in all.
const LINGER_GAP: Duration = Duration::from_micros(200);
const MAX_LINGER: Duration = Duration::from_millis(2);
/// Revisions one periodic compaction transaction covers at most.
const COMPACTION_STEP: Revision = 20_000;
/// Bounds of one replay read, so a watcher far behind never loads the whole log at once.
const REPLAY_CHUNK_ENTRIES: usize = 512;
const REPLAY_CHUNK_BYTES: usize = 16 << 20;
/// Events buffered per watcher before it pushes back on the live feed.
const WATCHER_QUEUE: usize = 256;

/// Tuning of an [`EmbeddedStore`].
#[derive(Clone, Debug)]
pub struct EmbeddedOptions {
    /// How often history is compacted; zero disables periodic compaction.
    pub compaction_interval: Duration,
    /// How much history (by time) a periodic compaction keeps: kube-apiserver's default
    /// compaction keeps about five minutes.
    pub history_retention: Duration,
    /// Write batches kept for watchers in the live feed; a watcher further behind replays from
    /// the log instead.
    pub watch_buffer: usize,
    /// A watcher that delivered nothing for this long gets a Progress event when the store's
    /// revision moved on (zero disables).
    pub progress_interval: Duration,
    /// redb's page cache. Reads of current state are served by the watch cache above this
    /// store, so a small cache is enough; redb's default (1 GiB) would grow with the file.
    pub cache_size: usize,
}

impl Default for EmbeddedOptions {
    fn default() -> Self {
        EmbeddedOptions {
            compaction_interval: Duration::from_secs(5 * 60),
            history_retention: Duration::from_secs(5 * 60),
            watch_buffer: 1024,
            // Short, so a watch cache learns quickly that writes to other kinds moved the
            // revision on, and consistent reads from it need not wait.
            progress_interval: Duration::from_millis(50),
            cache_size: 8 * 1024 * 1024,
        }
    }
}

/// The embedded store. Dropping it stops its writer and compactor (after the batch in flight)
/// and closes the file once no watcher or read still uses it.
pub struct EmbeddedStore {
    db: Arc<Database>,
    writes: Option<std::sync::mpsc::Sender<Request>>,
    revisions: Arc<Revisions>,
    events: broadcast::Sender<Arc<Batch>>,
    writer: Option<std::thread::JoinHandle<()>>,
    compactor: Option<(std::sync::mpsc::Sender<()>, std::thread::JoinHandle<()>)>,
    opts: EmbeddedOptions,
}

/// The committed current and compacted revisions, published by the writer after each commit.
struct Revisions {
    current: AtomicI64,
    compacted: AtomicI64,
}

/// One committed write transaction as the watchers see it.
struct Batch {
    /// The store's revision after the batch.
    revision: Revision,
    events: Vec<WatchEvent>,
}

enum Op {
    Create {
        key: String,
        value: Bytes,
    },
    Update {
        key: String,
        value: Bytes,
        expected: Revision,
    },
    Delete {
        key: String,
        expected: Option<Revision>,
    },
    Compact {
        revision: Revision,
    },
}

enum Outcome {
    Put(KeyValue),
    Deleted(Deleted),
    Compacted,
}

struct Request {
    op: Op,
    reply: oneshot::Sender<Result<Outcome>>,
}

impl EmbeddedStore {
    /// Opens (or creates, with its directory) the store in the file at `path`. A file already
    /// open, by this process or another, is refused with Unavailable.
    pub fn open(path: &Path, opts: EmbeddedOptions) -> Result<Self> {
        // `serve` points at ./data/...: a first start must not need a mkdir first.
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(StoreError::unavailable)?;
        }
        let db = Database::builder()
            .set_cache_size(opts.cache_size)
            .create(path)
            .map_err(StoreError::unavailable)?;
        let (current, compacted) = {
            let txn = db.begin_write().db()?;
            let revs = {
                txn.open_table(LOG).db()?;
                txn.open_table(LIVE).db()?;
                txn.open_table(HISTORY).db()?;
                let mut meta = txn.open_table(META).db()?;
                let mut current = meta_get(&meta, META_CURRENT)?;
                if current == 0 {
                    // A new store is at revision 1, as a new etcd is: the first write is 2,
                    // and no list ever answers resourceVersion "0", which means "any" in kube.
                    current = 1;
                    meta.insert(META_CURRENT, current as u64).db()?;
                }
                (current, meta_get(&meta, META_COMPACTED)?)
            };
            txn.commit().db()?;
            revs
        };
        let db = Arc::new(db);
        let revisions = Arc::new(Revisions {
            current: AtomicI64::new(current),
            compacted: AtomicI64::new(compacted),
        });
        let (events, _) = broadcast::channel(opts.watch_buffer.max(1));
        // Unbounded, yet bounded in practice: every sender waits for its answer.
        let (writes, rx) = std::sync::mpsc::channel();
        let writer = {
            let writer = Writer {
                db: db.clone(),
                revisions: revisions.clone(),
                events: events.clone(),
                current,
                compacted,
            };
            std::thread::Builder::new()
                .name("embedded-store-writer".into())
                .spawn(move || writer.run(rx))
                .map_err(StoreError::internal)?
        };
        let compactor = if opts.compaction_interval.is_zero() {
            None
        } else {
            let (stop, stopped) = std::sync::mpsc::channel();
            let c = Compactor {
                writes: writes.clone(),
                revisions: revisions.clone(),
                interval: opts.compaction_interval,
                retention: opts.history_retention,
            };
            let handle = std::thread::Builder::new()
                .name("embedded-store-compactor".into())
                .spawn(move || c.run(stopped))
                .map_err(StoreError::internal)?;
            Some((stop, handle))
        };
        Ok(EmbeddedStore {
            db,
            writes: Some(writes),
            revisions,
            events,
            writer: Some(writer),
            compactor,
            opts,
        })
    }

    async fn write(&self, op: Op) -> Result<Outcome> {
        let closed = || StoreError::unavailable("the embedded store is closed");
        let (reply, answer) = oneshot::channel();
        self.writes
            .as_ref()
            .ok_or_else(closed)?
            .send(Request { op, reply })
            .map_err(|_| closed())?;
        answer.await.map_err(|_| closed())?
    }

    async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Database) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let db = self.db.clone();
        tokio::task::spawn_blocking(move || f(&db))
            .await
            .map_err(StoreError::internal)?
    }
}

impl Drop for EmbeddedStore {
    fn drop(&mut self) {
        // The compactor holds a sender of the writer's queue: stop it first, so that dropping
        // ours closes the queue and the writer ends after the batch in flight.
        if let Some((stop, handle)) = self.compactor.take() {
            drop(stop);
            let _ = handle.join();
        }
        self.writes.take();
        if let Some(handle) = self.writer.take() {
            let _ = handle.join();
        }
    }
}

#[async_trait::async_trait]
impl Store for EmbeddedStore {
    async fn get(&self, key: &str) -> Result<KeyValue> {
        let key = key.to_owned();
        self.read(move |db| {
            let txn = db.begin_read().db()?;
            let live = txn.open_table(LIVE).db()?;
            let log = txn.open_table(LOG).db()?;
            let rev = live.get(key.as_str()).db()?.map(|g| g.value() as Revision);
            match rev {
                Some(rev) => Ok(read_entry(&log, rev)?.into_key_value(rev)),
                None => Err(StoreError::NotFound { key }),
            }
        })
        .await
    }

    async fn create(&self, key: &str, value: Bytes) -> Result<KeyValue> {
        check_key(key)?;
        match self
            .write(Op::Create {
                key: key.into(),
                value,
            })
            .await?
        {
            Outcome::Put(kv) => Ok(kv),
            _ => Err(StoreError::internal(
                "writer answered a create with another outcome",
            )),
        }
    }

    async fn update(&self, key: &str, value: Bytes, expected: Revision) -> Result<KeyValue> {
        check_key(key)?;
        match self
            .write(Op::Update {
                key: key.into(),
                value,
                expected,
            })
            .await?
        {
            Outcome::Put(kv) => Ok(kv),
            _ => Err(StoreError::internal(
                "writer answered an update with another outcome",
            )),
        }
    }

    async fn delete(&self, key: &str, expected: Option<Revision>) -> Result<Deleted> {
        check_key(key)?;
        match self
            .write(Op::Delete {
                key: key.into(),
                expected,
            })
            .await?
        {
            Outcome::Deleted(d) => Ok(d),
            _ => Err(StoreError::internal(
                "writer answered a delete with another outcome",
            )),
        }
    }

    async fn list(&self, opts: &ListOptions) -> Result<ListResult> {
        let opts = opts.clone();
        self.read(move |db| list(db, &opts)).await
    }

    async fn watch(&self, prefix: &str, from: Revision) -> Result<WatchStream> {
        // Subscribe before reading anything, so no event falls between replay and live feed.
        let live = self.events.subscribe();
        let compacted = self.revisions.compacted.load(Ordering::Acquire);
        let from = from.max(0);
        if from > 0 && from.saturating_add(1) < compacted {
            return Err(StoreError::Expired {
                requested: from,
                compacted,
            });
        }
        let after = if from == 0 {
            // "From now on": everything committed so far is in the past; events committed later
            // are published after this load, so the subscription sees them.
            self.revisions.current.load(Ordering::Acquire)
        } else {
            from
        };
        let (tx, rx) = mpsc::channel(WATCHER_QUEUE);
        let watcher = Watcher {
            db: self.db.clone(),
            prefix: prefix.to_owned(),
            last: after,
            live,
            out: tx,
            progress_interval: self.opts.progress_interval,
        };
        tokio::spawn(watcher.run(from != 0));
        Ok(tokio_stream::wrappers::ReceiverStream::new(rx).boxed())
    }

    async fn current_revision(&self) -> Result<Revision> {
        Ok(self.revisions.current.load(Ordering::Acquire))
    }

    async fn compact(&self, revision: Revision) -> Result<()> {
        match self.write(Op::Compact { revision }).await? {
            Outcome::Compacted => Ok(()),
            _ => Err(StoreError::internal(
                "writer answered a compaction with another outcome",
            )),
        }
    }

    async fn compacted_revision(&self) -> Result<Revision> {
        Ok(self.revisions.compacted.load(Ordering::Acquire))
    }
}

fn check_key(key: &str) -> Result<()> {
    if key.is_empty() {
        return Err(StoreError::InvalidKey {
            key: key.into(),
            reason: "empty key",
        });
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Log entries

/// One log entry, decoded.
struct Entry {
    kind: u8,
    create_revision: Revision,
    /// The revision of the key's previous live entry; 0 for a create.
    prev_revision: Revision,
    key: String,
    value: Bytes,
}

impl Entry {
    fn into_key_value(self, rev: Revision) -> KeyValue {
        KeyValue {
            key: self.key,
            value: self.value,
            create_revision: self.create_revision,
            mod_revision: rev,
        }
    }
}

const HEADER: usize = 1 + 8 + 8 + 4;

fn encode_entry(kind: u8, create: Revision, prev: Revision, key: &str, value: &[u8]) -> Vec<u8> {
    let mut buf = Vec::with_capacity(HEADER + key.len() + value.len());
    buf.push(kind);
    buf.extend_from_slice(&create.to_le_bytes());
    buf.extend_from_slice(&prev.to_le_bytes());
    buf.extend_from_slice(&(key.len() as u32).to_le_bytes());
    buf.extend_from_slice(key.as_bytes());
    buf.extend_from_slice(value);
    buf
}

fn corrupt(what: &'static str) -> StoreError {
    StoreError::internal(format!("corrupt log entry: {what}"))
}

/// Kind and key of an entry, without copying its value.
fn entry_head(buf: &[u8]) -> Result<(u8, &str)> {
    if buf.len() < HEADER {
        return Err(corrupt("short header"));
    }
    let key_len = u32::from_le_bytes(buf[17..21].try_into().map_err(|_| corrupt("header"))?);
    let key = buf
        .get(HEADER..HEADER + key_len as usize)
        .ok_or(corrupt("short key"))?;
    let key = std::str::from_utf8(key).map_err(|_| corrupt("key not UTF-8"))?;
    Ok((buf[0], key))
}

fn decode_entry(buf: &[u8]) -> Result<Entry> {
    let (kind, key) = entry_head(buf)?;
    let int = |r: std::ops::Range<usize>| -> Result<i64> {
        Ok(i64::from_le_bytes(
            buf[r].try_into().map_err(|_| corrupt("header"))?,
        ))
    };
    Ok(Entry {
        kind,
        create_revision: int(1..9)?,
        prev_revision: int(9..17)?,
        key: key.to_owned(),
        value: Bytes::copy_from_slice(&buf[HEADER + key.len()..]),
    })
}

fn read_entry(log: &impl ReadableTable<u64, &'static [u8]>, rev: Revision) -> Result<Entry> {
    let guard = log
        .get(rev as u64)
        .db()?
        .ok_or_else(|| StoreError::internal(format!("index points at missing revision {rev}")))?;
    decode_entry(guard.value())
}

fn meta_get(meta: &impl ReadableTable<&'static str, u64>, name: &str) -> Result<Revision> {
    Ok(meta
        .get(name)
        .db()?
        .map(|g| g.value() as Revision)
        .unwrap_or(0))
}

/// redb's many error types, all internal to this backend.
trait DbResult<T> {
    fn db(self) -> Result<T>;
}

impl<T, E: Into<redb::Error>> DbResult<T> for std::result::Result<T, E> {
    fn db(self) -> Result<T> {
        self.map_err(|e| StoreError::internal(e.into()))
    }
}

// ---------------------------------------------------------------------------------------------
// The writer: group commit

struct Writer {
    db: Arc<Database>,
    revisions: Arc<Revisions>,
    events: broadcast::Sender<Arc<Batch>>,
    /// Committed revisions, as of the last successful commit.
    current: Revision,
    compacted: Revision,
}

impl Writer {
    fn run(mut self, rx: std::sync::mpsc::Receiver<Request>) {
        let mut concurrent = false;
        while let Ok(first) = rx.recv() {
            let mut bytes = op_size(&first.op);
            let mut batch = vec![first];
            while batch.len() < MAX_BATCH_WRITES && bytes < MAX_BATCH_BYTES {
                match rx.try_recv() {
                    Ok(r) => {
                        bytes += op_size(&r.op);
                        batch.push(r);
                    }
                    Err(_) => break,
                }
            }
            // Group commit: when writers were concurrent last time, wait a moment for those
            // just answered to send their next write, so they share this fsync instead of
            // alternating between two half-full commits.
            if concurrent {
                let started = Instant::now();
                while batch.len() < MAX_BATCH_WRITES
                    && bytes < MAX_BATCH_BYTES
                    && started.elapsed() < MAX_LINGER
                {
                    match rx.recv_timeout(LINGER_GAP) {
                        Ok(r) => {
                            bytes += op_size(&r.op);
                            batch.push(r);
                        }
                        Err(_) => break,
                    }
                }
            }
            concurrent = batch.len() > 1;
            let ops: Vec<&Op> = batch.iter().map(|r| &r.op).collect();
            match self.apply(&ops) {
                Ok((outcomes, events, current, compacted)) => {
                    self.current = current;
                    self.compacted = compacted;
                    // Publish the revisions before the events and the events before the
                    // answers: whoever learns of a write can already watch from it.
                    self.revisions.current.store(current, Ordering::Release);
                    self.revisions.compacted.store(compacted, Ordering::Release);
                    if !events.is_empty() {
                        // No receiver is not an error: nobody watches.
                        let _ = self.events.send(Arc::new(Batch {
                            revision: current,
                            events,
                        }));
                    }
                    for (req, outcome) in batch.into_iter().zip(outcomes) {
                        let _ = req.reply.send(outcome);
                    }
                }
                Err(e) => {
                    tracing::error!(error = %e, "embedded store: write transaction failed");
                    let msg = e.to_string();
                    for req in batch {
                        let _ = req.reply.send(Err(StoreError::internal(msg.clone())));
                    }
                }
            }
        }
    }

    /// Applies `ops` in order in one transaction and commits it durably. Refused operations
    /// (AlreadyExists, Conflict...) are per-operation outcomes; an Err fails the whole batch.
    #[allow(clippy::type_complexity)]
    fn apply(
        &self,
        ops: &[&Op],
    ) -> Result<(Vec<Result<Outcome>>, Vec<WatchEvent>, Revision, Revision)> {
        let txn = self.db.begin_write().db()?;
        let mut outcomes = Vec::with_capacity(ops.len());
        let mut events = Vec::new();
        let mut rev = self.current;
        let mut compacted = self.compacted;
        {
            let mut log = txn.open_table(LOG).db()?;
            let mut live = txn.open_table(LIVE).db()?;
            let mut history = txn.open_table(HISTORY).db()?;
            let mut meta = txn.open_table(META).db()?;
            for op in ops {
                let outcome = match op {
                    Op::Create { key, value } => {
                        if live.get(key.as_str()).db()?.is_some() {
                            Err(StoreError::AlreadyExists { key: key.clone() })
                        } else {
                            rev += 1;
                            log.insert(
                                rev as u64,
                                encode_entry(KIND_PUT, rev, 0, key, value).as_slice(),
                            )
                            .db()?;
                            live.insert(key.as_str(), rev as u64).db()?;
                            history.insert((key.as_str(), rev as u64), KIND_PUT).db()?;
                            let kv = KeyValue {
                                key: key.clone(),
                                value: value.clone(),
                                create_revision: rev,
                                mod_revision: rev,
                            };
                            events.push(WatchEvent::Put {
                                kv: kv.clone(),
                                prev: None,
                            });
                            Ok(Outcome::Put(kv))
                        }
                    }
                    Op::Update {
                        key,
                        value,
                        expected,
                    } => match live_value(&live, &log, key)? {
                        None => Err(StoreError::NotFound { key: key.clone() }),
                        Some(cur) if cur.mod_revision != *expected => Err(StoreError::Conflict {
                            key: key.clone(),
                            expected: *expected,
                            current: Some(Box::new(cur)),
                        }),
                        Some(cur) => {
                            rev += 1;
                            let entry = encode_entry(
                                KIND_PUT,
                                cur.create_revision,
                                cur.mod_revision,
                                key,
                                value,
                            );
                            log.insert(rev as u64, entry.as_slice()).db()?;
                            live.insert(key.as_str(), rev as u64).db()?;
                            history.insert((key.as_str(), rev as u64), KIND_PUT).db()?;
                            let kv = KeyValue {
                                key: key.clone(),
                                value: value.clone(),
                                create_revision: cur.create_revision,
                                mod_revision: rev,
                            };
                            events.push(WatchEvent::Put {
                                kv: kv.clone(),
                                prev: Some(cur),
                            });
                            Ok(Outcome::Put(kv))
                        }
                    },
                    Op::Delete { key, expected } => match live_value(&live, &log, key)? {
                        None => Err(StoreError::NotFound { key: key.clone() }),
                        Some(cur) if expected.is_some_and(|e| e != cur.mod_revision) => {
                            Err(StoreError::Conflict {
                                key: key.clone(),
                                expected: expected.unwrap_or_default(),
                                current: Some(Box::new(cur)),
                            })
                        }
                        Some(cur) => {
                            rev += 1;
                            let entry = encode_entry(
                                KIND_TOMBSTONE,
                                cur.create_revision,
                                cur.mod_revision,
                                key,
                                &[],
                            );
                            log.insert(rev as u64, entry.as_slice()).db()?;
                            live.remove(key.as_str()).db()?;
                            history
                                .insert((key.as_str(), rev as u64), KIND_TOMBSTONE)
                                .db()?;
                            events.push(WatchEvent::Delete {
                                key: key.clone(),
                                revision: rev,
                                prev: cur.clone(),
                            });
                            Ok(Outcome::Deleted(Deleted {
                                prev: cur,
                                revision: rev,
                            }))
                        }
                    },
                    Op::Compact { revision } => {
                        if *revision > rev {
                            Err(StoreError::FutureRevision {
                                requested: *revision,
                                current: rev,
                            })
                        } else if *revision <= compacted {
                            Err(StoreError::Expired {
                                requested: *revision,
                                compacted,
                            })
                        } else {
                            compact(&mut log, &mut history, *revision)?;
                            compacted = *revision;
                            meta.insert(META_COMPACTED, compacted as u64).db()?;
                            Ok(Outcome::Compacted)
                        }
                    }
                };
                outcomes.push(outcome);
            }
            meta.insert(META_CURRENT, rev as u64).db()?;
        }
        // Durability::Immediate is redb's default: commit returns after the fsync.
        txn.commit().db()?;
        Ok((outcomes, events, rev, compacted))
    }
}

fn op_size(op: &Op) -> usize {
    match op {
        Op::Create { key, value } | Op::Update { key, value, .. } => key.len() + value.len(),
        Op::Delete { key, .. } => key.len(),
        Op::Compact { .. } => 0,
    }
}

fn live_value(
    live: &impl ReadableTable<&'static str, u64>,
    log: &impl ReadableTable<u64, &'static [u8]>,
    key: &str,
) -> Result<Option<KeyValue>> {
    let Some(rev) = live.get(key).db()?.map(|g| g.value() as Revision) else {
        return Ok(None);
    };
    Ok(Some(read_entry(log, rev)?.into_key_value(rev)))
}

/// Removes what no read at or after `revision` and no watch from `revision - 1` on can need:
/// every entry older than `revision` that a newer entry older than `revision` supersedes, and
/// tombstones older than `revision`. Kept: each key's last entry before `revision` (the state
/// at `revision`, and the previous value of the key's next event).
fn compact(
    log: &mut redb::Table<u64, &'static [u8]>,
    history: &mut redb::Table<(&'static str, u64), u8>,
    revision: Revision,
) -> Result<()> {
    let mut doomed: Vec<(u64, String)> = Vec::new();
    for item in log.range(..revision as u64).db()? {
        let (rev, entry) = item.db()?;
        let rev = rev.value();
        let (kind, key) = entry_head(entry.value())?;
        let superseded = match history.range((key, rev + 1)..).db()?.next() {
            Some(next) => {
                let (k, _) = next.db()?;
                let (next_key, next_rev) = k.value();
                next_key == key && next_rev < revision as u64
            }
            None => false,
        };
        if superseded || kind == KIND_TOMBSTONE {
            doomed.push((rev, key.to_owned()));
        }
    }
    for (rev, key) in &doomed {
        log.remove(*rev).db()?;
        history.remove((key.as_str(), *rev)).db()?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Reads

fn list(db: &Database, opts: &ListOptions) -> Result<ListResult> {
    let prefix = opts.prefix.as_str();
    let (start, requested) = match &opts.continue_token {
        Some(token) => {
            if opts.revision != RevisionMatch::Latest {
                return Err(StoreError::InvalidContinue {
                    reason: "a continue token fixes the list's revision; give no revision with it",
                });
            }
            let (start, rev) = continue_token::decode(prefix, token)?;
            (start, RevisionMatch::Exact(rev))
        }
        None => (prefix.to_owned(), opts.revision),
    };
    let txn = db.begin_read().db()?;
    let meta = txn.open_table(META).db()?;
    let current = meta_get(&meta, META_CURRENT)?;
    let compacted = meta_get(&meta, META_COMPACTED)?;
    let at = match requested {
        RevisionMatch::Latest => current,
        // etcd reads revision 0 (and below) as "the newest".
        RevisionMatch::Exact(r) | RevisionMatch::NotOlderThan(r) if r <= 0 => current,
        RevisionMatch::Exact(r) | RevisionMatch::NotOlderThan(r) if r > current => {
            return Err(StoreError::FutureRevision {
                requested: r,
                current,
            });
        }
        RevisionMatch::Exact(r) if r < compacted => {
            return Err(StoreError::Expired {
                requested: r,
                compacted,
            });
        }
        RevisionMatch::Exact(r) => r,
        RevisionMatch::NotOlderThan(_) => current,
    };
    let limit = match opts.limit {
        Some(0) | None => usize::MAX,
        Some(n) => usize::try_from(n).unwrap_or(usize::MAX),
    };
    let log = txn.open_table(LOG).db()?;
    let mut items = Vec::new();
    let mut remaining: u64 = 0;
    if at == current {
        let live = txn.open_table(LIVE).db()?;
        for item in live.range(start.as_str()..).db()? {
            let (k, rev) = item.db()?;
            if !k.value().starts_with(prefix) {
                break;
            }
            if items.len() < limit {
                let rev = rev.value() as Revision;
                items.push(read_entry(&log, rev)?.into_key_value(rev));
            } else {
                remaining += 1;
            }
        }
    } else {
        let history = txn.open_table(HISTORY).db()?;
        // Versions come grouped by key, oldest first: the last one at or before `at` is the
        // key's state at `at`.
        let mut visible: Option<(String, u64, u8)> = None;
        let flush = |cand: Option<(String, u64, u8)>,
                     items: &mut Vec<KeyValue>,
                     remaining: &mut u64|
         -> Result<()> {
            if let Some((_, rev, KIND_PUT)) = cand {
                if items.len() < limit {
                    let rev = rev as Revision;
                    items.push(read_entry(&log, rev)?.into_key_value(rev));
                } else {
                    *remaining += 1;
                }
            }
            Ok(())
        };
        for item in history.range((start.as_str(), 0u64)..).db()? {
            let (k, kind) = item.db()?;
            let (key, rev) = k.value();
            if !key.starts_with(prefix) {
                break;
            }
            let same_key = visible.as_ref().is_some_and(|(k, _, _)| k == key);
            if !same_key {
                flush(visible.take(), &mut items, &mut remaining)?;
            }
            if rev <= at as u64 {
                visible = Some((key.to_owned(), rev, kind.value()));
            } else if !same_key {
                // Only newer versions so far: the key did not exist at `at` (yet).
                visible = None;
            }
        }
        flush(visible.take(), &mut items, &mut remaining)?;
    }
    let continue_token = match items.last() {
        Some(last) if remaining > 0 => Some(continue_token::encode(
            prefix,
            &format!("{}\0", last.key),
            at,
        )?),
        _ => None,
    };
    Ok(ListResult {
        items,
        revision: at,
        continue_token,
        remaining: opts.limit.filter(|l| *l > 0).map(|_| remaining),
    })
}

// ---------------------------------------------------------------------------------------------
// Watch

struct Watcher {
    db: Arc<Database>,
    prefix: String,
    /// Every event up to this revision has been delivered (or was not under the prefix).
    last: Revision,
    live: broadcast::Receiver<Arc<Batch>>,
    out: mpsc::Sender<Result<WatchEvent>>,
    progress_interval: Duration,
}

/// Why a watcher stops.
enum Stop {
    /// The consumer dropped the stream, or the store closed.
    Gone,
}

impl Watcher {
    async fn run(mut self, replay: bool) {
        if replay && self.catch_up().await.is_err() {
            return;
        }
        let mut reported = self.last;
        let progress = !self.progress_interval.is_zero();
        let mut ticker = tokio::time::interval(if progress {
            self.progress_interval
        } else {
            Duration::from_secs(3600)
        });
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        ticker.reset();
        loop {
            tokio::select! {
                _ = self.out.closed() => return,
                msg = self.live.recv() => match msg {
                    Ok(batch) => {
                        if batch.revision <= self.last {
                            continue;
                        }
                        for ev in &batch.events {
                            let wanted = ev.revision() > self.last
                                && event_key(ev).starts_with(&self.prefix);
                            if wanted {
                                if self.out.send(Ok(ev.clone())).await.is_err() {
                                    return;
                                }
                                reported = ev.revision();
                            }
                        }
                        self.last = batch.revision;
                    }
                    Err(broadcast::error::RecvError::Lagged(_)) => {
                        // Fell behind the live feed: what it dropped is in the log.
                        if self.catch_up().await.is_err() {
                            return;
                        }
                    }
                    Err(broadcast::error::RecvError::Closed) => return,
                },
                _ = ticker.tick(), if progress => {
                    if self.last > reported {
                        let bookmark = WatchEvent::Progress { revision: self.last };
                        if self.out.send(Ok(bookmark)).await.is_err() {
                            return;
                        }
                        reported = self.last;
                    }
                }
            }
        }
    }

    /// Replays the log after `last` up to the newest committed revision. On Expired (or any
    /// read failure) the error ends the stream.
    async fn catch_up(&mut self) -> std::result::Result<(), Stop> {
        loop {
            let db = self.db.clone();
            let prefix = self.prefix.clone();
            let after = self.last;
            let chunk = tokio::task::spawn_blocking(move || replay_chunk(&db, &prefix, after))
                .await
                .map_err(StoreError::internal)
                .and_then(|r| r);
            match chunk {
                Ok((events, last, caught_up)) => {
                    for ev in events {
                        if self.out.send(Ok(ev)).await.is_err() {
                            return Err(Stop::Gone);
                        }
                    }
                    self.last = last;
                    if caught_up {
                        return Ok(());
                    }
                }
                Err(e) => {
                    let _ = self.out.send(Err(e)).await;
                    return Err(Stop::Gone);
                }
            }
        }
    }
}

fn event_key(ev: &WatchEvent) -> &str {
    match ev {
        WatchEvent::Put { kv, .. } => &kv.key,
        WatchEvent::Delete { key, .. } => key,
        WatchEvent::Progress { .. } => "",
    }
}

/// Events under `prefix` after revision `after`, from one snapshot: (events, the revision they
/// cover up to, whether that is the snapshot's current revision).
fn replay_chunk(
    db: &Database,
    prefix: &str,
    after: Revision,
) -> Result<(Vec<WatchEvent>, Revision, bool)> {
    let txn = db.begin_read().db()?;
    let meta = txn.open_table(META).db()?;
    let current = meta_get(&meta, META_CURRENT)?;
    let compacted = meta_get(&meta, META_COMPACTED)?;
    if after.saturating_add(1) < compacted {
        return Err(StoreError::Expired {
            requested: after,
            compacted,
        });
    }
    let log = txn.open_table(LOG).db()?;
    let mut events = Vec::new();
    let mut bytes = 0;
    let mut covered = after;
    let mut scanned = 0;
    if after < current {
        for item in log.range(after as u64 + 1..=current as u64).db()? {
            if scanned >= REPLAY_CHUNK_ENTRIES || bytes >= REPLAY_CHUNK_BYTES {
                return Ok((events, covered, false));
            }
            let (rev, buf) = item.db()?;
            let rev = rev.value() as Revision;
            scanned += 1;
            covered = rev;
            let (_, key) = entry_head(buf.value())?;
            if !key.starts_with(prefix) {
                continue;
            }
            let entry = decode_entry(buf.value())?;
            bytes += entry.value.len() + entry.key.len();
            let prev = if entry.prev_revision > 0 {
                Some(read_entry(&log, entry.prev_revision)?.into_key_value(entry.prev_revision))
            } else {
                None
            };
            events.push(match (entry.kind, prev) {
                (KIND_TOMBSTONE, Some(prev)) => WatchEvent::Delete {
                    key: entry.key,
                    revision: rev,
                    prev,
                },
                (KIND_TOMBSTONE, None) => return Err(corrupt("tombstone without previous value")),
                (_, prev) => WatchEvent::Put {
                    kv: entry.into_key_value(rev),
                    prev,
                },
            });
        }
    }
    Ok((events, current.max(after), true))
}

// ---------------------------------------------------------------------------------------------
// Periodic compaction

struct Compactor {
    writes: std::sync::mpsc::Sender<Request>,
    revisions: Arc<Revisions>,
    interval: Duration,
    retention: Duration,
}

impl Compactor {
    /// Every interval, remembers the current revision; compacts to the newest remembered
    /// revision that is at least `retention` old, as kube-apiserver's compactor does.
    fn run(self, stop: std::sync::mpsc::Receiver<()>) {
        let mut samples: std::collections::VecDeque<(Instant, Revision)> = Default::default();
        while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) = stop.recv_timeout(self.interval)
        {
            let now = Instant::now();
            samples.push_back((now, self.revisions.current.load(Ordering::Acquire)));
            let mut target = None;
            while let Some(&(at, rev)) = samples.front() {
                if now.duration_since(at) < self.retention {
                    break;
                }
                target = Some(rev);
                samples.pop_front();
            }
            let Some(target) = target else { continue };
            // In steps, so that writers never wait long behind one big compaction.
            loop {
                let compacted = self.revisions.compacted.load(Ordering::Acquire);
                if target <= compacted {
                    break;
                }
                let step = target.min(compacted.saturating_add(COMPACTION_STEP));
                let (reply, answer) = oneshot::channel();
                let req = Request {
                    op: Op::Compact { revision: step },
                    reply,
                };
                if self.writes.send(req).is_err() {
                    return;
                }
                match answer.blocking_recv() {
                    Ok(Ok(_)) => tracing::debug!(revision = step, "embedded store: compacted"),
                    // Someone compacted further meanwhile: the loop re-reads where we are.
                    Ok(Err(StoreError::Expired { .. })) => {}
                    Ok(Err(e)) => {
                        tracing::warn!(error = %e, "embedded store: compaction failed");
                        break;
                    }
                    Err(_) => return,
                }
            }
        }
    }
}
