use crate::store::{KeyValue, Revision};

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Everything a [`crate::Store`] can refuse or fail with. The server maps each variant to one
/// Kubernetes Status (NotFound 404, AlreadyExists 409, Conflict 409, Expired 410, ...).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("key {key:?} not found")]
    NotFound { key: String },

    #[error("key {key:?} already exists")]
    AlreadyExists { key: String },

    /// A compare-and-swap lost: `current` is what the key holds now (None when it was deleted),
    /// so a caller can retry from it without another read.
    #[error("revision conflict on {key:?}: expected mod revision {expected}, current {}", current.as_ref().map(|kv| kv.mod_revision.to_string()).unwrap_or_else(|| "none (deleted)".into()))]
    Conflict {
        key: String,
        expected: Revision,
        current: Option<Box<KeyValue>>,
    },

    /// The requested revision has been compacted away.
    #[error("required revision {requested} has been compacted (oldest available is {compacted})")]
    Expired {
        requested: Revision,
        compacted: Revision,
    },

    /// An exact-revision read asked for a revision the store has not reached yet.
    #[error("revision {requested} is newer than the current revision {current}")]
    FutureRevision {
        requested: Revision,
        current: Revision,
    },

    #[error("invalid continue token: {reason}")]
    InvalidContinue { reason: &'static str },

    #[error("invalid key {key:?}: {reason}")]
    InvalidKey { key: String, reason: &'static str },

    /// The backend cannot be reached or refused for a transient reason, so nothing was done:
    /// callers answer 503 and the client may retry.
    #[error("storage unavailable: {source}")]
    Unavailable {
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },

    /// The backend did not answer in time. Unlike Unavailable a write may still have been
    /// applied, so callers answer 504 without inviting a retry.
    #[error("storage request timed out: {0}")]
    Timeout(#[source] Box<dyn std::error::Error + Send + Sync>),

    /// Corruption or a broken invariant inside a backend; never expected in normal operation.
    #[error("internal storage error: {source}")]
    Internal {
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl StoreError {
    pub fn unavailable(e: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        StoreError::Unavailable { source: e.into() }
    }
    pub fn timeout(e: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        StoreError::Timeout(e.into())
    }
    pub fn internal(e: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        StoreError::Internal { source: e.into() }
    }
}

impl From<crate::continue_token::InvalidContinue> for StoreError {
    fn from(e: crate::continue_token::InvalidContinue) -> Self {
        StoreError::InvalidContinue { reason: e.reason }
    }
}
