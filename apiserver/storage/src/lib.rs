//! Storage for argo-apiserver: one [`Store`] trait with etcd's semantics.
//!
//! The store's revision is the resourceVersion every client sees, so everything above
//! (optimistic concurrency, consistent pagination, watches that never skip or repeat an event)
//! is exactly as right as this layer. Two backends implement it and run one conformance suite.

pub mod cacher;
pub mod conformance;
pub mod embedded;
mod error;
pub mod etcd;
pub mod keys;
mod store;
pub mod testing;

/// The continue-token codec is API machinery (core); storage reads at the revision it pins.
pub use argo_apiserver_core::continue_token;
pub use error::{Result, StoreError};
pub use store::{
    Deleted, KeyValue, ListOptions, ListResult, Revision, RevisionMatch, Store, WatchEvent,
    WatchStream,
};
