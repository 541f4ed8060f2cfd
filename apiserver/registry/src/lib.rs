//! The registry: one generic store over the catalog and a Strategy per kind, as kube-apiserver's
//! `pkg/registry`. Handlers call it with parsed options and JSON objects; it owns defaulting,
//! validation, optimistic concurrency, finalizers, subresources and the per-kind watch cache.

// Every operation answers with the one `ApiError` (a whole Status); errors are the cold path.
#![allow(clippy::result_large_err)]

pub mod actions;
pub mod admission;
pub mod apply;
pub mod cd;
pub mod events;
pub mod generic;
pub mod object;
pub mod policy;
pub mod rollouts;
pub mod scale;
pub mod strategy;
pub mod workflows;

use std::collections::BTreeMap;
use std::sync::Arc;

use argo_apiserver_storage::cacher::{AttrsFn, Cacher, CacherOptions, EncodeFn};
use argo_apiserver_storage::{Store, keys};
use argo_openapi::{CATALOG, ResourceDef};
use bytes::Bytes;

pub use generic::{DeleteResult, KindStore, ListResult, WatchItem, WriteResult};

/// Which part of an object a write addresses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subresource {
    /// The object itself (status is kept as stored when `status` is a subresource).
    Main,
    /// `/status`: only status changes.
    Status,
    /// An action subresource (or `/scale`): the server changes spec and status together, in one
    /// compare-and-swap, as upstream's CLIs do with their spec and status patches.
    Action,
}

/// The time source, injectable so tests are deterministic.
pub trait Clock: Send + Sync {
    fn now(&self) -> jiff::Timestamp;

    /// Now, in whole seconds, as kube writes timestamps (`2026-01-02T03:04:05Z`).
    fn now_rfc3339(&self) -> String {
        let now = self.now();
        let secs = jiff::Timestamp::from_second(now.as_second()).unwrap_or(now);
        secs.to_string()
    }
}

/// The machine's clock.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> jiff::Timestamp {
        jiff::Timestamp::now()
    }
}

#[derive(Clone)]
pub struct RegistryOptions {
    pub cacher: CacherOptions,
    pub clock: Arc<dyn Clock>,
}

impl Default for RegistryOptions {
    fn default() -> Self {
        RegistryOptions {
            cacher: CacherOptions::default(),
            clock: Arc::new(SystemClock),
        }
    }
}

/// Every kind's store, by plural.
pub struct Registry {
    kinds: BTreeMap<&'static str, KindStore>,
    store: Arc<dyn Store>,
}

impl Registry {
    /// A registry over `store`, with a watch cache per kind (started here, filling in the
    /// background; reads wait for it).
    pub fn new(store: Arc<dyn Store>, opts: RegistryOptions) -> Arc<Registry> {
        let kinds = CATALOG
            .iter()
            .map(|def| (def.plural, kind_store(def, store.clone(), &opts)))
            .collect();
        Arc::new(Registry { kinds, store })
    }

    pub fn kind(&self, plural: &str) -> Option<&KindStore> {
        self.kinds.get(plural)
    }

    pub fn kinds(&self) -> impl Iterator<Item = &KindStore> {
        self.kinds.values()
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// True once every kind's cache has loaded.
    pub fn caches_ready(&self) -> bool {
        self.kinds.values().all(|k| k.cacher().is_ready())
    }
}

fn kind_store(
    def: &'static ResourceDef,
    store: Arc<dyn Store>,
    opts: &RegistryOptions,
) -> KindStore {
    let attrs: AttrsFn = Arc::new(move |value: &[u8]| match serde_json::from_slice(value) {
        Ok(v) => object::attrs(def, &v),
        Err(_) => Default::default(),
    });
    let encode: EncodeFn = Arc::new(|value: &[u8], rev| -> Bytes { object::encode_at(value, rev) });
    // Keys are valid by construction (catalog plurals).
    let prefix = keys::list_prefix(def.plural, None).unwrap_or_default();
    let cacher = Cacher::start(store.clone(), prefix, attrs, encode, opts.cacher.clone());
    KindStore::new(
        def,
        store,
        cacher,
        strategy::strategy_for(def),
        opts.clock.clone(),
    )
}
