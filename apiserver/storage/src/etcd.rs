//! The etcd backend: the production store, and the one that scales out (several apiservers on
//! one etcd cluster).
//!
//! Keys are `<prefix>` + the logical key of [`crate::keys`], so with the default prefix
//! `/registry` an Application lives at `/registry/argoproj.io/applications/<ns>/<name>`, exactly
//! where kube-apiserver keeps the same custom resource: data migrated from CRDs reads the same.
//!
//! Every write is one transaction guarded by a compare (create: the key does not exist; update
//! and conditional delete: its mod revision is the expected one), so concurrent apiservers never
//! lose an update. Lists read at one revision for all their pages. Watches ask etcd for previous
//! values and resume after a broken connection (an etcd restart, a network blip) from the last
//! revision they delivered, so a consumer sees every event once, in order.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::time::Duration;

use bytes::Bytes;
use etcd_client::{
    Certificate, Client, CompactionOptions, Compare, CompareOp, ConnectOptions, DeleteOptions,
    EventType, GetOptions, Identity, KvClient, TlsOptions, Txn, TxnOp, TxnOpResponse, WatchClient,
    WatchOptions,
};
use futures::StreamExt;

use crate::{
    Deleted, KeyValue, ListOptions, ListResult, Result, Revision, RevisionMatch, Store, StoreError,
    WatchEvent, WatchStream, continue_token,
};

/// Largest gRPC message the client accepts or sends. A list of many large objects comes back in
/// one Range response, so this is far above etcd's own request limit.
const MAX_MESSAGE_BYTES: usize = 64 * 1024 * 1024;

/// Backoff bounds for a watch reconnecting to etcd.
const WATCH_BACKOFF_MIN: Duration = Duration::from_millis(50);
const WATCH_BACKOFF_MAX: Duration = Duration::from_secs(2);

/// How long an idle watch waits before asking etcd for a progress notification.
const PROGRESS_REQUEST_AFTER: Duration = Duration::from_millis(200);

/// How to reach etcd.
///
/// Sizes: etcd refuses requests larger than its `--max-request-bytes` (1.5 MiB by default). Kube
/// accepts request bodies up to 3 MiB, so run etcd with `--max-request-bytes=4194304` (the test
/// harness does) for large objects to fit. The client side accepts messages up to 64 MiB, which
/// bounds one unpaginated list.
#[derive(Clone, Debug)]
pub struct EtcdOptions {
    /// Client URLs of the cluster's members (`http://host:2379`, or `https://...` with
    /// [`EtcdOptions::tls`]). Requests go to one member at a time and move on to the next when
    /// it cannot be reached.
    pub endpoints: Vec<String>,
    /// Put in front of every key; kube-apiserver's `--etcd-prefix`. Trailing slashes are ignored.
    pub prefix: String,
    pub tls: Option<EtcdTls>,
    /// How long to wait for a connection to an endpoint.
    pub dial_timeout: Duration,
    /// How long one request may take before it fails (a watch is not bounded by it).
    pub request_timeout: Duration,
}

impl Default for EtcdOptions {
    fn default() -> Self {
        EtcdOptions {
            endpoints: vec!["http://127.0.0.1:2379".into()],
            prefix: "/registry".into(),
            tls: None,
            dial_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(10),
        }
    }
}

/// TLS towards etcd, as kube-apiserver's `--etcd-cafile`, `--etcd-certfile`, `--etcd-keyfile`.
#[derive(Clone, Debug)]
pub struct EtcdTls {
    /// PEM bundle of the CAs that sign etcd's serving certificates.
    pub ca_file: PathBuf,
    /// PEM client certificate (with its chain), for etcd's `--client-cert-auth`.
    pub cert_file: Option<PathBuf>,
    /// PEM private key of `cert_file`.
    pub key_file: Option<PathBuf>,
}

/// Why the etcd backend could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum EtcdConfigError {
    #[error("no etcd endpoints given")]
    NoEndpoints,
    #[error("reading {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("a client certificate needs both a certificate file and a key file")]
    IncompleteClientCert,
}

/// A [`Store`] on etcd. Cheap to clone; clones share one connection pool.
#[derive(Clone)]
pub struct EtcdStore {
    inner: Arc<Inner>,
}

struct Inner {
    /// One client per endpoint. Requests go to `current`; when it cannot be reached they move
    /// on to the next one (tonic's own balancing keeps sending to an endpoint that refuses
    /// connections, so a cluster with one member down would fail a share of all requests).
    endpoints: Vec<Endpoint>,
    current: AtomicUsize,
    /// The configured prefix without trailing slashes (may be empty).
    prefix: String,
    request_timeout: Duration,
    /// The newest compaction this store knows of; etcd has no query for it, so it is learned
    /// from our own compactions and from probing (see `compacted_revision`).
    compacted: AtomicI64,
}

struct Endpoint {
    kv: KvClient,
    watch: WatchClient,
}

/// Whether a failed request may be sent again, to another endpoint.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Retry {
    /// Reads: always safe to repeat.
    Read,
    /// Writes: only when the request provably never reached etcd (the connection was refused),
    /// since a write repeated after etcd applied it would answer AlreadyExists or Conflict.
    Write,
}

impl EtcdStore {
    /// Connects and checks that etcd answers, so a wrong endpoint or certificate fails here.
    pub async fn connect(opts: EtcdOptions) -> Result<EtcdStore> {
        if opts.endpoints.is_empty() {
            return Err(StoreError::unavailable(EtcdConfigError::NoEndpoints));
        }
        // new(), not default(): it keeps HTTP/2 pings going while idle, so a dead peer is
        // noticed even by a quiet watch.
        let mut connect = ConnectOptions::new()
            .with_connect_timeout(opts.dial_timeout)
            .with_timeout(opts.request_timeout)
            .with_keep_alive(Duration::from_secs(10), Duration::from_secs(5))
            // A member cut off from its cluster answers "no leader" instead of stale data and
            // ends watches, so they move to a healthy member (as kube-apiserver does).
            .with_require_leader(true);
        if let Some(tls) = &opts.tls {
            connect = connect.with_tls(tls_options(tls).map_err(StoreError::unavailable)?);
        }
        let mut endpoints = Vec::new();
        for url in &opts.endpoints {
            // Connecting is lazy: this only checks the URL and the TLS material.
            let client = Client::connect([url], Some(connect.clone()))
                .await
                .map_err(map_err)?;
            endpoints.push(Endpoint {
                kv: client
                    .kv_client()
                    .max_decoding_message_size(MAX_MESSAGE_BYTES)
                    .max_encoding_message_size(MAX_MESSAGE_BYTES),
                watch: client
                    .watch_client()
                    .max_decoding_message_size(MAX_MESSAGE_BYTES),
            });
        }
        let store = EtcdStore {
            inner: Arc::new(Inner {
                endpoints,
                current: AtomicUsize::new(0),
                prefix: opts.prefix.trim_end_matches('/').to_string(),
                request_timeout: opts.request_timeout,
                compacted: AtomicI64::new(0),
            }),
        };
        store.current_revision().await?;
        Ok(store)
    }

    /// The configured key prefix (without a trailing slash), e.g. `/registry`.
    pub fn prefix(&self) -> &str {
        &self.inner.prefix
    }
}

fn tls_options(tls: &EtcdTls) -> std::result::Result<TlsOptions, EtcdConfigError> {
    let read = |path: &PathBuf| {
        std::fs::read(path).map_err(|source| EtcdConfigError::Read {
            path: path.clone(),
            source,
        })
    };
    let mut opts = TlsOptions::new().ca_certificate(Certificate::from_pem(read(&tls.ca_file)?));
    match (&tls.cert_file, &tls.key_file) {
        (Some(cert), Some(key)) => {
            opts = opts.identity(Identity::from_pem(read(cert)?, read(key)?));
        }
        (None, None) => {}
        _ => return Err(EtcdConfigError::IncompleteClientCert),
    }
    Ok(opts)
}

impl Inner {
    fn full_key(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    /// A key no object uses, read (never written) for the current revision and to probe for
    /// compaction.
    fn probe_key(&self) -> String {
        format!("{}/", self.prefix)
    }

    /// The logical key of an etcd key under our prefix.
    fn logical_key(&self, raw: Vec<u8>) -> Result<String> {
        let mut s = String::from_utf8(raw).map_err(|_| internal("etcd key is not UTF-8"))?;
        if !s.starts_with(self.prefix.as_str()) {
            return Err(internal("etcd key outside the configured prefix"));
        }
        s.drain(..self.prefix.len());
        Ok(s)
    }

    fn key_value(&self, kv: etcd_client::KeyValue) -> Result<KeyValue> {
        let (create_revision, mod_revision) = (kv.create_revision(), kv.mod_revision());
        let (key, value) = kv.into_key_value();
        Ok(KeyValue {
            key: self.logical_key(key)?,
            value: Bytes::from(value),
            create_revision,
            mod_revision,
        })
    }

    /// Runs one request on the current endpoint, moving on to the next endpoint when this one
    /// cannot be reached (and repeating the request there when `retry` allows). The request
    /// timeout is applied here on top of the transport's: a request waiting for a connection is
    /// not covered by the transport's timeout.
    async fn call<T, F, Fut>(&self, retry: Retry, f: F) -> Result<T>
    where
        F: Fn(KvClient) -> Fut,
        Fut: Future<Output = std::result::Result<T, etcd_client::Error>>,
    {
        let mut attempts = 0;
        loop {
            let i = self.current.load(Ordering::Relaxed) % self.endpoints.len();
            let (err, unsent) =
                match tokio::time::timeout(self.request_timeout, f(self.endpoints[i].kv.clone()))
                    .await
                {
                    Ok(Ok(v)) => return Ok(v),
                    Ok(Err(e)) => {
                        let unsent = never_sent(&e);
                        (map_err(e), unsent)
                    }
                    Err(_) => (no_answer_within(self.request_timeout), false),
                };
            if !matches!(err, StoreError::Unavailable { .. } | StoreError::Timeout(_)) {
                return Err(err);
            }
            self.next_endpoint(i);
            attempts += 1;
            if attempts >= self.endpoints.len() || !(unsent || retry == Retry::Read) {
                return Err(err);
            }
        }
    }

    /// Moves later requests off endpoint `failed` (unless another request already did).
    fn next_endpoint(&self, failed: usize) {
        let next = (failed + 1) % self.endpoints.len();
        let _ = self
            .current
            .compare_exchange(failed, next, Ordering::Relaxed, Ordering::Relaxed);
    }

    /// A watch client on the current endpoint, and that endpoint's index.
    fn watch_client(&self) -> (usize, WatchClient) {
        let i = self.current.load(Ordering::Relaxed) % self.endpoints.len();
        (i, self.endpoints[i].watch.clone())
    }

    /// Whether reads at `revision` are refused because history before it was compacted.
    async fn is_compacted(&self, revision: Revision) -> Result<bool> {
        let probe = GetOptions::new().with_revision(revision).with_count_only();
        let key = self.probe_key();
        let read = |mut kv: KvClient| {
            let (key, probe) = (key.clone(), probe.clone());
            async move { kv.get(key, Some(probe)).await }
        };
        match self.call(Retry::Read, read).await {
            Ok(_) | Err(StoreError::FutureRevision { .. }) => Ok(false),
            Err(StoreError::Expired { .. }) => Ok(true),
            Err(e) => Err(e),
        }
    }

    async fn current_revision(&self) -> Result<Revision> {
        let key = self.probe_key();
        let read = |mut kv: KvClient| {
            let key = key.clone();
            async move { kv.get(key, Some(GetOptions::new().with_count_only())).await }
        };
        let resp = self.call(Retry::Read, read).await?;
        header_revision(resp.header())
    }

    async fn compacted_revision(&self) -> Result<Revision> {
        let known = self.compacted.load(Ordering::Relaxed);
        if !self.is_compacted(known.max(1)).await? {
            return Ok(known);
        }
        // Another client (another apiserver replica, or kube's compactor) compacted further.
        // Binary search for the oldest readable revision: `lo` is compacted, `hi` is readable
        // (the current revision always is).
        let (mut lo, mut hi) = (known.max(1), self.current_revision().await?);
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if self.is_compacted(mid).await? {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        self.compacted.fetch_max(hi, Ordering::Relaxed);
        Ok(hi)
    }

    /// Turns etcd's bare "compacted" into [`StoreError::Expired`] with the compacted revision.
    async fn expired(&self, requested: Revision) -> StoreError {
        match self.compacted_revision().await {
            Ok(compacted) => StoreError::Expired {
                requested,
                compacted,
            },
            Err(e) => e,
        }
    }

    async fn future(&self, requested: Revision) -> StoreError {
        match self.current_revision().await {
            Ok(current) => StoreError::FutureRevision { requested, current },
            Err(e) => e,
        }
    }

    /// The read behind a failed compare: the current value, or None when the key is gone.
    fn current_from(&self, ops: Vec<TxnOpResponse>) -> Result<Option<KeyValue>> {
        for op in ops {
            if let TxnOpResponse::Get(mut get) = op {
                return get
                    .take_kvs()
                    .into_iter()
                    .next()
                    .map(|kv| self.key_value(kv))
                    .transpose();
            }
        }
        Err(internal("transaction response without its read"))
    }
}

#[async_trait::async_trait]
impl Store for EtcdStore {
    async fn get(&self, key: &str) -> Result<KeyValue> {
        let inner = &self.inner;
        let full = inner.full_key(key);
        let read = |mut kv: KvClient| {
            let full = full.clone();
            async move { kv.get(full, None).await }
        };
        let mut resp = inner.call(Retry::Read, read).await?;
        match resp.take_kvs().into_iter().next() {
            Some(kv) => inner.key_value(kv),
            None => Err(StoreError::NotFound { key: key.into() }),
        }
    }

    async fn create(&self, key: &str, value: Bytes) -> Result<KeyValue> {
        let inner = &self.inner;
        let full = inner.full_key(key);
        let txn = Txn::new()
            .when([Compare::create_revision(full.clone(), CompareOp::Equal, 0)])
            .and_then([TxnOp::put(full, value.to_vec(), None)]);
        let resp = inner.call(Retry::Write, |kv| send_txn(kv, &txn)).await?;
        if !resp.succeeded() {
            return Err(StoreError::AlreadyExists { key: key.into() });
        }
        let revision = header_revision(resp.header())?;
        Ok(KeyValue {
            key: key.into(),
            value,
            create_revision: revision,
            mod_revision: revision,
        })
    }

    async fn update(&self, key: &str, value: Bytes, expected: Revision) -> Result<KeyValue> {
        let inner = &self.inner;
        let full = inner.full_key(key);
        if expected <= 0 {
            // etcd compares a missing key's mod revision as 0: a compare with 0 would create.
            let current = match self.get(key).await {
                Ok(kv) => kv,
                Err(StoreError::NotFound { .. }) => {
                    return Err(StoreError::NotFound { key: key.into() });
                }
                Err(e) => return Err(e),
            };
            return Err(StoreError::Conflict {
                key: key.into(),
                expected,
                current: Some(Box::new(current)),
            });
        }
        let txn = Txn::new()
            .when([Compare::mod_revision(
                full.clone(),
                CompareOp::Equal,
                expected,
            )])
            .and_then([
                TxnOp::put(full.clone(), value.to_vec(), None),
                // Only the key's revisions, to learn its create revision without its value.
                TxnOp::get(full.clone(), Some(GetOptions::new().with_keys_only())),
            ])
            .or_else([TxnOp::get(full, None)]);
        let resp = inner.call(Retry::Write, |kv| send_txn(kv, &txn)).await?;
        let ops = resp.op_responses();
        if !resp.succeeded() {
            return match inner.current_from(ops)? {
                Some(current) => Err(StoreError::Conflict {
                    key: key.into(),
                    expected,
                    current: Some(Box::new(current)),
                }),
                None => Err(StoreError::NotFound { key: key.into() }),
            };
        }
        let revision = header_revision(resp.header())?;
        let stored = inner
            .current_from(ops)?
            .ok_or_else(|| internal("updated key missing in its own transaction"))?;
        Ok(KeyValue {
            key: key.into(),
            value,
            create_revision: stored.create_revision,
            mod_revision: revision,
        })
    }

    async fn delete(&self, key: &str, expected: Option<Revision>) -> Result<Deleted> {
        let inner = &self.inner;
        let full = inner.full_key(key);
        let delete = TxnOp::delete(full.clone(), Some(DeleteOptions::new().with_prev_key()));
        let txn = match expected {
            Some(rev) => Txn::new()
                .when([Compare::mod_revision(full.clone(), CompareOp::Equal, rev)])
                .and_then([delete])
                .or_else([TxnOp::get(full, None)]),
            None => Txn::new().and_then([delete]),
        };
        let resp = inner.call(Retry::Write, |kv| send_txn(kv, &txn)).await?;
        let ops = resp.op_responses();
        if !resp.succeeded() {
            return match inner.current_from(ops)? {
                Some(current) => Err(StoreError::Conflict {
                    key: key.into(),
                    expected: expected.unwrap_or_default(),
                    current: Some(Box::new(current)),
                }),
                None => Err(StoreError::NotFound { key: key.into() }),
            };
        }
        let revision = header_revision(resp.header())?;
        let prev = ops.into_iter().find_map(|op| match op {
            TxnOpResponse::Delete(mut d) => d.take_prev_kvs().into_iter().next(),
            _ => None,
        });
        match prev {
            Some(prev) => Ok(Deleted {
                prev: inner.key_value(prev)?,
                revision,
            }),
            // Nothing was there (a compare against mod revision 0 matches a missing key).
            None => Err(StoreError::NotFound { key: key.into() }),
        }
    }

    async fn list(&self, opts: &ListOptions) -> Result<ListResult> {
        let inner = &self.inner;
        let (start, read_at) = match &opts.continue_token {
            Some(token) => {
                if opts.revision != RevisionMatch::Latest {
                    return Err(StoreError::InvalidContinue {
                        reason: "a continue token fixes the revision; none may be given with it",
                    });
                }
                let (start, rev) = continue_token::decode(&opts.prefix, token)?;
                (start, Some(rev))
            }
            None => match opts.revision {
                RevisionMatch::Exact(rev) if rev > 0 => (opts.prefix.clone(), Some(rev)),
                _ => (opts.prefix.clone(), None),
            },
        };
        let limit = opts.limit.filter(|l| *l > 0);
        let mut get = GetOptions::new().with_range(prefix_end(&inner.full_key(&opts.prefix)));
        if let Some(limit) = limit {
            get = get.with_limit(i64::try_from(limit).unwrap_or(i64::MAX));
        }
        if let Some(rev) = read_at {
            get = get.with_revision(rev);
        }
        let start = inner.full_key(&start);
        let read = |mut kv: KvClient| {
            let (start, get) = (start.clone(), get.clone());
            async move { kv.get(start, Some(get)).await }
        };
        let mut resp = match inner.call(Retry::Read, read).await {
            Ok(resp) => resp,
            Err(StoreError::Expired { .. }) => {
                return Err(inner.expired(read_at.unwrap_or_default()).await);
            }
            Err(StoreError::FutureRevision { .. }) => {
                return Err(inner.future(read_at.unwrap_or_default()).await);
            }
            Err(e) => return Err(e),
        };
        let header = header_revision(resp.header())?;
        let revision = read_at.unwrap_or(header);
        if let RevisionMatch::NotOlderThan(min) = opts.revision
            && opts.continue_token.is_none()
            && header < min
        {
            return Err(StoreError::FutureRevision {
                requested: min,
                current: header,
            });
        }
        let (more, count) = (resp.more(), resp.count());
        let items = resp
            .take_kvs()
            .into_iter()
            .map(|kv| inner.key_value(kv))
            .collect::<Result<Vec<_>>>()?;
        let remaining = u64::try_from(count)
            .unwrap_or_default()
            .saturating_sub(items.len() as u64);
        let continue_token = match (more, items.last()) {
            (true, Some(last)) => Some(continue_token::encode(
                &opts.prefix,
                &format!("{}\0", last.key),
                revision,
            )?),
            _ => None,
        };
        Ok(ListResult {
            remaining: continue_token.as_ref().map(|_| remaining),
            items,
            revision,
            continue_token,
        })
    }

    async fn watch(&self, prefix: &str, from: Revision) -> Result<WatchStream> {
        let inner = self.inner.clone();
        let from = if from > 0 {
            if inner.is_compacted(from).await? {
                return Err(inner.expired(from).await);
            }
            from
        } else {
            // Pin "now" to a revision first: a watch without a start revision would leave no
            // exact point to resume from after a reconnect.
            inner.current_revision().await?
        };
        let mut state = WatchState {
            range_start: inner.full_key(prefix).into_bytes(),
            range_end: prefix_end(&inner.full_key(prefix)),
            inner,
            last: from,
            stream: None,
            pending: VecDeque::new(),
            done: false,
            backoff: WATCH_BACKOFF_MIN,
        };
        // Open it now so that the events from here on are registered before we return, and so
        // that a refusal is the caller's error rather than the stream's.
        state.open().await?;
        Ok(futures::stream::unfold(state, |mut s| async move {
            let item = s.next().await?;
            Some((item, s))
        })
        .boxed())
    }

    async fn current_revision(&self) -> Result<Revision> {
        self.inner.current_revision().await
    }

    async fn compact(&self, revision: Revision) -> Result<()> {
        let inner = &self.inner;
        // Physical: wait until the history is really gone, so reads at older revisions fail
        // as soon as this returns.
        let opts = CompactionOptions::new().with_physical();
        // Compacting again to the same revision is harmless, so it may be repeated.
        let compact = |mut kv: KvClient| {
            let opts = opts.clone();
            async move { kv.compact(revision, Some(opts)).await }
        };
        match inner.call(Retry::Read, compact).await {
            // Already compacted at or beyond it: nothing older is left.
            Ok(_) | Err(StoreError::Expired { .. }) => {
                inner.compacted.fetch_max(revision, Ordering::Relaxed);
                Ok(())
            }
            Err(StoreError::FutureRevision { .. }) => Err(inner.future(revision).await),
            Err(e) => Err(e),
        }
    }

    async fn compacted_revision(&self) -> Result<Revision> {
        self.inner.compacted_revision().await
    }
}

/// One watch: the etcd watch stream it currently reads, and where to resume if that breaks.
struct WatchState {
    inner: Arc<Inner>,
    range_start: Vec<u8>,
    range_end: Vec<u8>,
    /// The revision of the last event (or progress) handed to the consumer, or the revision the
    /// watch started after: a reconnect asks for `last + 1`.
    last: Revision,
    stream: Option<etcd_client::WatchStream>,
    /// Events of one etcd response not yet handed out.
    pending: VecDeque<Result<WatchEvent>>,
    done: bool,
    backoff: Duration,
}

/// Why one etcd watch stream ended.
enum Broken {
    /// Transient (connection lost, etcd restarting, no leader): reconnect.
    Retry,
    /// The watch cannot continue without a gap; the error is the stream's last item.
    Fatal(StoreError),
}

impl WatchState {
    async fn next(&mut self) -> Option<Result<WatchEvent>> {
        loop {
            if let Some(item) = self.pending.pop_front() {
                if item.is_err() {
                    self.done = true;
                }
                return Some(item);
            }
            if self.done {
                return None;
            }
            if self.stream.is_none() {
                match self.open().await {
                    Ok(()) => self.backoff = WATCH_BACKOFF_MIN,
                    Err(StoreError::Expired {
                        requested,
                        compacted,
                    }) => {
                        self.done = true;
                        return Some(Err(StoreError::Expired {
                            requested,
                            compacted,
                        }));
                    }
                    Err(e) => {
                        tracing::debug!(error = %e, "etcd watch: reconnect failed");
                        tokio::time::sleep(self.backoff).await;
                        self.backoff = (self.backoff * 2).min(WATCH_BACKOFF_MAX);
                    }
                }
                continue;
            }
            if let Err(broken) = self.receive().await {
                self.stream = None;
                if let Broken::Fatal(e) = broken {
                    self.pending.push_back(Err(e));
                }
            }
        }
    }

    /// Opens an etcd watch from `last + 1` and waits for etcd to confirm it.
    async fn open(&mut self) -> Result<()> {
        let opts = WatchOptions::new()
            .with_range(self.range_end.clone())
            .with_start_revision(self.last + 1)
            .with_prev_key()
            .with_progress_notify();
        let (endpoint, mut client) = self.inner.watch_client();
        let timeout = self.inner.request_timeout;
        let opened = tokio::time::timeout(timeout, async {
            let mut stream = client.watch(self.range_start.clone(), Some(opts)).await?;
            let created = stream.message().await?;
            Ok::<_, etcd_client::Error>((stream, created))
        })
        .await;
        let (stream, created) = match opened {
            Ok(Ok(opened)) => opened,
            Ok(Err(e)) => {
                self.inner.next_endpoint(endpoint);
                return Err(map_err(e));
            }
            Err(_) => {
                self.inner.next_endpoint(endpoint);
                return Err(no_answer_within(timeout));
            }
        };
        match created {
            Some(resp) if resp.compact_revision() > 0 => Err(StoreError::Expired {
                requested: self.last,
                compacted: resp.compact_revision(),
            }),
            Some(resp) if resp.created() && !resp.canceled() => {
                self.stream = Some(stream);
                Ok(())
            }
            Some(resp) => Err(StoreError::unavailable(format!(
                "etcd refused the watch: {}",
                resp.cancel_reason()
            ))),
            None => Err(StoreError::unavailable("etcd closed the watch stream")),
        }
    }

    /// Reads one etcd response into `pending`.
    async fn receive(&mut self) -> std::result::Result<(), Broken> {
        let Some(stream) = self.stream.as_mut() else {
            return Err(Broken::Retry);
        };
        // While nothing arrives, ask etcd for progress: a watch cache learns that the revision
        // moved on (writes under other prefixes) without waiting for etcd's 10-minute notify.
        let message = loop {
            match tokio::time::timeout(PROGRESS_REQUEST_AFTER, stream.message()).await {
                Ok(message) => break message,
                Err(_) => {
                    if stream.request_progress().await.is_err() {
                        return Err(Broken::Retry);
                    }
                }
            }
        };
        let resp = match message {
            Ok(Some(resp)) => resp,
            Ok(None) => return Err(Broken::Retry),
            Err(e) => {
                tracing::debug!(error = %e, last = self.last, "etcd watch broken; resuming");
                return Err(Broken::Retry);
            }
        };
        if resp.compact_revision() > 0 {
            self.inner
                .compacted
                .fetch_max(resp.compact_revision(), Ordering::Relaxed);
            return Err(Broken::Fatal(StoreError::Expired {
                requested: self.last + 1,
                compacted: resp.compact_revision(),
            }));
        }
        if resp.canceled() {
            tracing::debug!(reason = resp.cancel_reason(), "etcd canceled the watch");
            return Err(Broken::Retry);
        }
        if resp.events().is_empty() {
            // A progress notification: nothing under the range up to this revision.
            let rev = resp.header().map(|h| h.revision()).unwrap_or_default();
            if !resp.created() && rev > self.last {
                self.last = rev;
                self.pending
                    .push_back(Ok(WatchEvent::Progress { revision: rev }));
            }
            return Ok(());
        }
        // One response holds every event of a revision (a transaction may write several
        // keys at one revision), so compare with where this response started.
        let delivered = self.last;
        for ev in resp.events() {
            let Some(kv) = ev.kv() else { continue };
            let revision = kv.mod_revision();
            // After a reconnect etcd starts at last + 1; anything older was delivered already.
            if revision <= delivered {
                continue;
            }
            let event = self
                .convert(ev.event_type(), kv.clone(), ev.prev_kv().cloned())
                .map_err(Broken::Fatal)?;
            self.pending.push_back(Ok(event));
            self.last = self.last.max(revision);
        }
        Ok(())
    }

    fn convert(
        &self,
        kind: EventType,
        kv: etcd_client::KeyValue,
        prev: Option<etcd_client::KeyValue>,
    ) -> Result<WatchEvent> {
        let inner = &self.inner;
        let prev = prev.map(|p| inner.key_value(p)).transpose()?;
        match kind {
            EventType::Put => Ok(WatchEvent::Put {
                kv: inner.key_value(kv)?,
                prev,
            }),
            EventType::Delete => {
                let revision = kv.mod_revision();
                let key = inner.logical_key(kv.key().to_vec())?;
                // etcd leaves prev_kv out only when the previous revision is compacted away.
                let prev = prev.ok_or_else(|| internal("delete event without previous value"))?;
                Ok(WatchEvent::Delete {
                    key,
                    revision,
                    prev,
                })
            }
        }
    }
}

/// The first key after every key that starts with `prefix` (etcd's prefix range end).
fn prefix_end(prefix: &str) -> Vec<u8> {
    let mut end = prefix.as_bytes().to_vec();
    while let Some(last) = end.pop() {
        if last < 0xff {
            end.push(last + 1);
            return end;
        }
    }
    // All 0xff (or empty): to the end of the keyspace.
    vec![0]
}

fn send_txn(
    mut kv: KvClient,
    txn: &Txn,
) -> impl Future<Output = std::result::Result<etcd_client::TxnResponse, etcd_client::Error>> + use<>
{
    let txn = txn.clone();
    async move { kv.txn(txn).await }
}

/// Whether a failed request never left this process: the connection to the endpoint could not
/// be established. Anything later (a reset, a timeout) may have reached etcd.
fn never_sent(e: &etcd_client::Error) -> bool {
    // etcd-client's error does not expose its cause as `source`: start from the inner one.
    let mut source: Option<&(dyn std::error::Error + 'static)> = match e {
        etcd_client::Error::GRpcStatus(status) => Some(status),
        etcd_client::Error::TransportError(t) => Some(t),
        etcd_client::Error::IoError(io) => Some(io),
        _ => None,
    };
    while let Some(err) = source {
        if let Some(io) = err.downcast_ref::<std::io::Error>()
            && matches!(
                io.kind(),
                std::io::ErrorKind::ConnectionRefused
                    | std::io::ErrorKind::HostUnreachable
                    | std::io::ErrorKind::NetworkUnreachable
                    | std::io::ErrorKind::AddrNotAvailable
            )
        {
            return true;
        }
        source = err.source();
    }
    false
}

fn header_revision(header: Option<&etcd_client::ResponseHeader>) -> Result<Revision> {
    header
        .map(|h| h.revision())
        .ok_or_else(|| internal("etcd response without header"))
}

fn internal(msg: &'static str) -> StoreError {
    StoreError::internal(msg)
}

fn no_answer_within(limit: Duration) -> StoreError {
    StoreError::timeout(format!("no answer from etcd within {limit:?}"))
}

/// What an etcd (gRPC) error means to the store; see [`classify`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ErrorClass {
    Expired,
    FutureRevision,
    /// No answer in time: a write may have been applied (504).
    Timeout,
    /// Could not be served, nothing was done (503).
    Unavailable,
    Internal,
}

/// Classifies a gRPC status by its code and etcd's message. The revision errors come as
/// OutOfRange without structured detail, and etcd reports its own timeouts as Unavailable (or
/// other codes), so messages decide before codes.
fn classify(code: i32, message: &str) -> ErrorClass {
    // gRPC status codes (tonic's `Code`, not a direct dependency here).
    const CANCELLED: i32 = 1;
    const DEADLINE_EXCEEDED: i32 = 4;
    // Codes that mean "not done, try later".
    const TRANSIENT: [i32; 5] = [
        CANCELLED, 2,  // Unknown: what a broken connection often surfaces as
        8,  // ResourceExhausted: e.g. etcd's space quota
        10, // Aborted
        14, // Unavailable
    ];
    if message.contains("required revision has been compacted") {
        ErrorClass::Expired
    } else if message.contains("required revision is a future revision") {
        ErrorClass::FutureRevision
    } else if code == DEADLINE_EXCEEDED
        // etcd's "request timed out", "..., possibly due to previous leader failure", "...,
        // possibly due to connection lost", ...: the proposal may still be applied.
        || message.contains("etcdserver: request timed out")
        // tonic's own per-request deadline (ConnectOptions::with_timeout).
        || (code == CANCELLED && message == "Timeout expired")
    {
        ErrorClass::Timeout
    } else if TRANSIENT.contains(&code) {
        ErrorClass::Unavailable
    } else {
        ErrorClass::Internal
    }
}

/// Maps etcd's errors onto the store's (see [`classify`]); failing to reach etcd at all is
/// Unavailable.
fn map_err(e: etcd_client::Error) -> StoreError {
    use etcd_client::Error as E;
    match e {
        E::GRpcStatus(status) => match classify(status.code() as i32, status.message()) {
            // The revisions are filled in by the caller, which knows what it asked for.
            ErrorClass::Expired => StoreError::Expired {
                requested: 0,
                compacted: 0,
            },
            ErrorClass::FutureRevision => StoreError::FutureRevision {
                requested: 0,
                current: 0,
            },
            ErrorClass::Timeout => StoreError::timeout(status),
            ErrorClass::Unavailable => StoreError::unavailable(status),
            ErrorClass::Internal => StoreError::internal(status),
        },
        E::TransportError(_) | E::IoError(_) | E::EndpointError(_) => StoreError::unavailable(e),
        other => StoreError::internal(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_refused_connections_count_as_never_sent() {
        use std::io::{Error, ErrorKind};
        let io = |kind| etcd_client::Error::IoError(Error::new(kind, "test"));
        assert!(never_sent(&io(ErrorKind::ConnectionRefused)));
        assert!(!never_sent(&io(ErrorKind::BrokenPipe)));
        assert!(!never_sent(&io(ErrorKind::ConnectionReset)));
        assert!(!never_sent(&etcd_client::Error::WatchError("x".into())));
    }

    #[test]
    fn timeouts_are_told_from_unavailability() {
        use ErrorClass::*;
        let cases: &[(i32, &str, ErrorClass)] = &[
            (4, "context deadline exceeded", Timeout),
            (4, "", Timeout),
            (14, "etcdserver: request timed out", Timeout),
            (
                14,
                "etcdserver: request timed out, possibly due to previous leader failure",
                Timeout,
            ),
            (
                2,
                "etcdserver: request timed out, possibly due to connection lost",
                Timeout,
            ),
            (1, "Timeout expired", Timeout),
            (
                14,
                "tcp connect error: Connection refused (os error 111)",
                Unavailable,
            ),
            (14, "etcdserver: no leader", Unavailable),
            (14, "etcdserver: leader changed", Unavailable),
            (1, "context canceled", Unavailable),
            (2, "h2 protocol error: broken pipe", Unavailable),
            (8, "etcdserver: mvcc: database space exceeded", Unavailable),
            (
                11,
                "etcdserver: mvcc: required revision has been compacted",
                Expired,
            ),
            (
                11,
                "etcdserver: mvcc: required revision is a future revision",
                FutureRevision,
            ),
            (3, "etcdserver: key is not provided", Internal),
        ];
        for &(code, message, want) in cases {
            assert_eq!(classify(code, message), want, "{code} {message:?}");
        }
    }

    #[test]
    fn prefix_end_is_the_next_key() {
        assert_eq!(prefix_end("/registry/a/"), b"/registry/a0".to_vec());
        assert_eq!(prefix_end("a\u{7f}"), b"a\x80".to_vec());
        assert_eq!(prefix_end(""), vec![0]);
    }
}
