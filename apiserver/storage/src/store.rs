use bytes::Bytes;
use futures::stream::BoxStream;

use crate::Result;

/// A storage revision: etcd's revision, and the resourceVersion clients see. Starts at 1 on an
/// empty store and grows by one per write (create, update or delete); reads never change it.
/// Defined in core, where continue tokens carry it.
pub use argo_apiserver_core::continue_token::Revision;

/// One live key as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyValue {
    pub key: String,
    pub value: Bytes,
    /// Revision of the write that created this incarnation of the key.
    pub create_revision: Revision,
    /// Revision of the last write to the key: the object's resourceVersion.
    pub mod_revision: Revision,
}

/// Which revision a list reads at (kube's resourceVersion + resourceVersionMatch).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum RevisionMatch {
    /// The newest revision (a quorum read on etcd).
    #[default]
    Latest,
    /// Exactly this revision; Expired if it was compacted, FutureRevision if not reached yet.
    Exact(Revision),
    /// Any revision at least this new; the store answers at its current revision.
    NotOlderThan(Revision),
}

#[derive(Clone, Debug, Default)]
pub struct ListOptions {
    /// Key prefix; by convention ends with '/' (see [`crate::keys`]).
    pub prefix: String,
    /// Page size; None or Some(0) means everything.
    pub limit: Option<u64>,
    /// Token from a previous page. When set, it fixes the revision and the start key, and
    /// `revision` must be Latest.
    pub continue_token: Option<String>,
    pub revision: RevisionMatch,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListResult {
    /// Items in key order.
    pub items: Vec<KeyValue>,
    /// The revision the whole list (every page of it) is read at.
    pub revision: Revision,
    /// Present when more items follow; opaque to clients.
    pub continue_token: Option<String>,
    /// How many items follow this page, when known (kube's remainingItemCount).
    pub remaining: Option<u64>,
}

/// What a delete removed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Deleted {
    /// The last value the key held.
    pub prev: KeyValue,
    /// The revision of the delete itself.
    pub revision: Revision,
}

/// One change seen by a watch, in revision order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WatchEvent {
    /// A create (prev is None) or an update (prev is the value before it).
    Put {
        kv: KeyValue,
        prev: Option<KeyValue>,
    },
    /// A delete at `revision`; `prev` is the last value the key held.
    Delete {
        key: String,
        revision: Revision,
        prev: KeyValue,
    },
    /// Nothing under the prefix changed up to `revision` (etcd's progress notify); lets a cache
    /// send bookmarks and answer NotOlderThan reads without a new event.
    Progress { revision: Revision },
}

impl WatchEvent {
    pub fn revision(&self) -> Revision {
        match self {
            WatchEvent::Put { kv, .. } => kv.mod_revision,
            WatchEvent::Delete { revision, .. } | WatchEvent::Progress { revision } => *revision,
        }
    }
}

/// An ordered stream of events. It ends with an `Err` (and then ends) when the watch can no
/// longer continue without a gap, e.g. `Expired` after a compaction overtook it; callers re-list.
pub type WatchStream = BoxStream<'static, Result<WatchEvent>>;

/// A key-value store with etcd's semantics. Keys are the logical keys of [`crate::keys`]
/// (`/argoproj.io/<plural>/[<namespace>/]<name>`); a backend may put its own prefix in front.
#[async_trait::async_trait]
pub trait Store: Send + Sync + 'static {
    /// The live value of `key`, or NotFound.
    async fn get(&self, key: &str) -> Result<KeyValue>;

    /// Create `key`; AlreadyExists if it is live. Returns what was stored.
    async fn create(&self, key: &str, value: Bytes) -> Result<KeyValue>;

    /// Compare-and-swap: replace `key` if its mod revision is `expected`. Conflict (carrying the
    /// current value) if it changed; NotFound if it does not exist.
    async fn update(&self, key: &str, value: Bytes, expected: Revision) -> Result<KeyValue>;

    /// Delete `key`, if `expected` is given only when its mod revision matches (Conflict
    /// otherwise). NotFound if it does not exist.
    async fn delete(&self, key: &str, expected: Option<Revision>) -> Result<Deleted>;

    /// A page of the keys under `opts.prefix`, all pages of one list at one revision.
    async fn list(&self, opts: &ListOptions) -> Result<ListResult>;

    /// Every change under `prefix` strictly after revision `from`, in order, with previous
    /// values. `from` = 0 means "from now on". Expired if `from` is older than the compaction.
    async fn watch(&self, prefix: &str, from: Revision) -> Result<WatchStream>;

    /// The store's current revision.
    async fn current_revision(&self) -> Result<Revision>;

    /// Drop history older than `revision`: reads at older revisions and watches from before
    /// it become Expired. Live keys are never removed.
    async fn compact(&self, revision: Revision) -> Result<()>;

    /// The oldest revision still readable (0 when nothing was ever compacted).
    async fn compacted_revision(&self) -> Result<Revision>;
}
