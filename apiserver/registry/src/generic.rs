//! The generic store: every verb, once, for every kind of the catalog, with kube-apiserver's
//! registry semantics (`pkg/registry/generic/registry/store.go` and the custom-resource
//! strategy). Per-kind differences come from the catalog entry and the kind's [`Strategy`].

use std::sync::Arc;

use argo_apiserver_core::meta::{generate_name_random, validate_object_meta};
use argo_apiserver_core::params::{
    DeleteOptions, FieldValidation, ListOptions, PatchOptions, PatchType, PropagationPolicy,
    ReadMode, WriteOptions,
};
pub use argo_apiserver_core::patch::{Patch, apply_patch, parse_apply, parse_patch};
use argo_apiserver_core::{ApiError, GroupResource, Status, StatusDetails};
use argo_apiserver_storage::cacher::{
    CacheError, CacheEvent, CacheWatchItem, CachedObject, Cacher, EventType, ObjectAttrs,
};
use argo_apiserver_storage::{
    KeyValue, ListOptions as StoreListOptions, Revision, RevisionMatch, Store, StoreError,
    continue_token, keys,
};
use argo_openapi::ResourceDef;
use argo_openapi::catalog::{API_VERSION, GROUP, VERSION};
use argo_openapi::validation::{FieldError, FieldErrorType, Validator};
use bytes::Bytes;
use futures::StreamExt;
use futures::stream::BoxStream;
use serde_json::{Value, json};

use crate::admission::{Admission, Operation};
use crate::apply::{self, ManagedError};
use crate::object::{self, meta_mut, meta_str};
use crate::strategy::Strategy;
use crate::{Clock, Subresource};

/// How many times a write that lost a compare-and-swap to a concurrent writer is retried
/// (when the client did not ask for a specific resourceVersion).
const CAS_RETRIES: usize = 16;
/// generateName collisions retried before giving up, as kube's RetryGenerateName.
const GENERATE_NAME_RETRIES: usize = 8;

/// The manager a write is recorded under when nobody is named: writes the server makes on its
/// own (the default AppProject, a resubmitted Workflow) and the action subresources, which
/// change objects on the server's behalf as kube's controllers do under their own names.
pub const DEFAULT_MANAGER: &str = "argo-apiserver";

/// Who a non-apply write is recorded as in `metadata.managedFields` (an `Update` entry).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldOwner<'a> {
    pub manager: &'a str,
    /// `status` or `scale`; none for the main resource.
    pub subresource: Option<&'a str>,
}

impl<'a> FieldOwner<'a> {
    /// The request's manager (already `managerOrUserAgent` in the handler) on `sub`.
    pub fn of(manager: Option<&'a str>, sub: Subresource) -> FieldOwner<'a> {
        FieldOwner {
            manager: manager.unwrap_or(DEFAULT_MANAGER),
            subresource: match sub {
                Subresource::Status => Some("status"),
                Subresource::Main | Subresource::Action => None,
            },
        }
    }
}

/// What a successful write returns.
#[derive(Debug)]
pub struct WriteResult {
    /// The object as stored (with resourceVersion), JSON.
    pub object: Bytes,
    /// True when the write created the object (answer 201).
    pub created: bool,
    /// Warning headers to send.
    pub warnings: Vec<String>,
}

/// What a delete returns.
#[derive(Debug)]
pub enum DeleteResult {
    /// Removed: a Success Status.
    Deleted(Box<Status>),
    /// Marked for deletion, waiting on finalizers: the object. `accepted` asks for 202.
    Pending { object: Bytes, accepted: bool },
}

/// A page of a list.
#[derive(Debug)]
pub struct ListResult {
    /// Each item JSON with apiVersion, kind and resourceVersion.
    pub items: Vec<Bytes>,
    pub resource_version: Revision,
    pub continue_token: Option<String>,
    pub remaining_item_count: Option<i64>,
}

/// One item of a watch, in order.
#[derive(Debug, Clone)]
pub enum WatchItem {
    /// Each event carries its object (JSON) and the revision it happened at.
    Added(Bytes, Revision),
    Modified(Bytes, Revision),
    Deleted(Bytes, Revision),
    /// Events up to this revision were seen (some filtered out): a safe bookmark.
    Progress(Revision),
    /// The initial events are done (watch-list): send the annotated bookmark at this revision.
    InitialEventsEnd(Revision),
    /// The watch cannot continue (an ERROR event, then the end).
    Error(Box<Status>),
}

/// Everything the registry keeps for one kind.
pub struct KindStore {
    pub def: &'static ResourceDef,
    store: Arc<dyn Store>,
    cacher: Arc<Cacher>,
    strategy: Box<dyn Strategy>,
    clock: Arc<dyn Clock>,
    /// The kind's admission plugin, set once after the registry is built (it may read other
    /// kinds).
    admission: std::sync::OnceLock<Arc<dyn Admission>>,
}

fn gr(def: &ResourceDef) -> GroupResource<'static> {
    GroupResource {
        group: GROUP,
        resource: def.plural,
    }
}

fn store_err(def: &ResourceDef, name: &str, e: StoreError) -> ApiError {
    match e {
        StoreError::NotFound { .. } => ApiError::not_found(gr(def), name),
        StoreError::AlreadyExists { .. } => ApiError::already_exists(gr(def), name),
        StoreError::Conflict { .. } => ApiError::modified(gr(def), name),
        StoreError::Expired { .. } => {
            ApiError::expired("The resourceVersion for the provided list is too old.")
        }
        StoreError::FutureRevision { requested, current } => {
            ApiError::too_large_resource_version(requested, current)
        }
        StoreError::InvalidContinue { reason } => {
            ApiError::bad_request(format!("invalid continue token: {reason}"))
        }
        StoreError::InvalidKey { .. } => ApiError::bad_request(e.to_string()),
        // Not done: 503 with Retry-After, so clients try again.
        StoreError::Unavailable { .. } => ApiError::service_unavailable(&e.to_string()),
        // Outcome unknown (a write may have been applied): 504 without Retry-After, as kube's,
        // since client-go would silently repeat the write and turn a success into a 409.
        StoreError::Timeout(_) => ApiError::timeout(&e.to_string(), None),
        StoreError::Internal { .. } => ApiError::internal(e),
    }
}

fn cache_err(def: &ResourceDef, e: CacheError) -> ApiError {
    match e {
        CacheError::TooOld { requested, oldest } => {
            ApiError::expired(format!("too old resource version: {requested} ({oldest})"))
        }
        CacheError::TooLarge { requested, current } => {
            ApiError::too_large_resource_version(requested, current)
        }
        CacheError::Store(e) => store_err(def, "", e),
    }
}

/// A non-Status error, as kube turns plain errors into 500s with an empty reason.
fn plain_500(message: &str) -> ApiError {
    let mut e = ApiError::internal(message);
    e.status.reason = String::new();
    e.status.message = message.to_string();
    e.status.details = None;
    e
}

impl KindStore {
    pub(crate) fn new(
        def: &'static ResourceDef,
        store: Arc<dyn Store>,
        cacher: Arc<Cacher>,
        strategy: Box<dyn Strategy>,
        clock: Arc<dyn Clock>,
    ) -> KindStore {
        KindStore {
            def,
            store,
            cacher,
            strategy,
            clock,
            admission: std::sync::OnceLock::new(),
        }
    }

    /// Installs the kind's admission plugin (once; later calls are ignored).
    pub fn set_admission(&self, plugin: Arc<dyn Admission>) {
        let _ = self.admission.set(plugin);
    }

    async fn admit(
        &self,
        op: Operation,
        obj: &mut Value,
        old: Option<&Value>,
    ) -> Result<Vec<String>, ApiError> {
        match self.admission.get() {
            Some(plugin) => plugin.admit(op, obj, old).await,
            None => Ok(Vec::new()),
        }
    }

    /// The kind's schema validator (compiled on first use).
    fn validator(&self) -> Result<Arc<Validator>, ApiError> {
        argo_openapi::validation::validator(self.def.kind).ok_or_else(|| {
            ApiError::internal(format!("the schema of {} does not compile", self.def.kind))
        })
    }

    pub fn cacher(&self) -> &Arc<Cacher> {
        &self.cacher
    }

    fn key(&self, namespace: Option<&str>, name: &str) -> Result<String, ApiError> {
        let ns = if self.def.namespaced() {
            namespace
        } else {
            None
        };
        keys::object_key(self.def.plural, ns, name).map_err(|e| store_err(self.def, name, e))
    }

    fn prefix(&self, namespace: Option<&str>) -> Result<String, ApiError> {
        let ns = if self.def.namespaced() {
            namespace
        } else {
            None
        };
        keys::list_prefix(self.def.plural, ns).map_err(|e| store_err(self.def, "", e))
    }

    fn decode(&self, kv: &KeyValue) -> Result<Value, ApiError> {
        object::from_stored(&kv.value, kv.mod_revision)
    }

    /// The stored object at `key` (a consistent read): its revision and its decoded value.
    async fn read(&self, key: &str, name: &str) -> Result<(Revision, Value), ApiError> {
        let kv = self
            .store
            .get(key)
            .await
            .map_err(|e| store_err(self.def, name, e))?;
        Ok((kv.mod_revision, self.decode(&kv)?))
    }

    // ----- reads -----

    /// GET of one object: consistent reads go to storage, "any"/not-older-than to the cache.
    pub async fn get(
        &self,
        namespace: Option<&str>,
        name: &str,
        mode: ReadMode,
    ) -> Result<Bytes, ApiError> {
        let key = self.key(namespace, name)?;
        let cached = match mode {
            ReadMode::Any => Some(RevisionMatch::NotOlderThan(0)),
            ReadMode::NotOlderThan(n) => Some(RevisionMatch::NotOlderThan(n)),
            _ => None,
        };
        if let Some(rv) = cached {
            let (obj, _) = self
                .cacher
                .get(&key, rv)
                .await
                .map_err(|e| cache_err(self.def, e))?;
            let obj = obj.ok_or_else(|| ApiError::not_found(gr(self.def), name))?;
            return Ok(obj.encoded_at(self.cacher.encoder(), obj.mod_revision));
        }
        let kv = self
            .store
            .get(&key)
            .await
            .map_err(|e| store_err(self.def, name, e))?;
        Ok(object::encode_at(&kv.value, kv.mod_revision))
    }

    /// The full object as a value (for subresources and actions).
    pub async fn get_value(&self, namespace: Option<&str>, name: &str) -> Result<Value, ApiError> {
        let key = self.key(namespace, name)?;
        Ok(self.read(&key, name).await?.1)
    }

    fn check_selectors(&self, opts: &ListOptions) -> Result<(), ApiError> {
        opts.field_selector
            .validate_fields(self.def.namespaced(), self.def.selectable_fields)
    }

    fn matches(&self, opts: &ListOptions, attrs: &ObjectAttrs) -> bool {
        (opts.label_selector.is_empty() || opts.label_selector.matches(&attrs.labels()))
            && opts.field_selector.matches(&|f: &str| Some(attrs.field(f)))
    }

    /// LIST, with kube's resourceVersion semantics: the first page (and every unpaginated list)
    /// comes from the cache, consistent when asked; later pages and exact reads from storage at
    /// the first page's revision.
    pub async fn list(
        &self,
        namespace: Option<&str>,
        opts: &ListOptions,
    ) -> Result<ListResult, ApiError> {
        self.check_selectors(opts)?;
        let prefix = self.prefix(namespace)?;
        let read = opts.list_read();
        let filtered = !opts.label_selector.is_empty() || !opts.field_selector.is_empty();
        let limit = read.limit.filter(|l| *l > 0).map(|l| l as usize);
        let cache_rv = match read.mode {
            ReadMode::Consistent => Some(RevisionMatch::Latest),
            ReadMode::Any => Some(RevisionMatch::NotOlderThan(0)),
            ReadMode::NotOlderThan(n) => Some(RevisionMatch::NotOlderThan(n)),
            ReadMode::Exact(_) | ReadMode::Continue => None,
        };
        let from_cache = match cache_rv {
            Some(rv) => match self.cacher.list(&prefix, rv).await {
                Ok(listed) => Some(listed),
                // The cache has not caught up with a consistent read in time: read the store.
                Err(CacheError::TooLarge { .. }) if rv == RevisionMatch::Latest => None,
                Err(e) => return Err(cache_err(self.def, e)),
            },
            None => None,
        };
        if let Some((objects, revision)) = from_cache {
            let mut matching = objects.iter().filter(|o| self.matches(opts, &o.attrs));
            let mut items: Vec<&Arc<CachedObject>> = Vec::new();
            let mut continue_token = None;
            for o in matching.by_ref() {
                if limit.is_some_and(|l| items.len() >= l) {
                    // There is at least one more: continue after the last one returned.
                    let last = items.last().map(|o| &*o.key).unwrap_or("");
                    continue_token = Some(
                        continue_token::encode(&prefix, &format!("{last}\0"), revision)
                            .map_err(|e| store_err(self.def, "", e.into()))?,
                    );
                    break;
                }
                items.push(o);
            }
            let remaining = continue_token
                .as_ref()
                .filter(|_| !filtered)
                .map(|_| 1 + matching.count() as i64);
            let encoder = self.cacher.encoder();
            return Ok(ListResult {
                items: items
                    .iter()
                    .map(|o| o.encoded_at(encoder, o.mod_revision))
                    .collect(),
                resource_version: revision,
                continue_token,
                remaining_item_count: remaining,
            });
        }

        // From storage: an exact revision, or a continued list.
        let revision = match read.mode {
            ReadMode::Exact(n) => RevisionMatch::Exact(n),
            _ => RevisionMatch::Latest,
        };
        let mut token = opts.continue_token.clone();
        let mut items = Vec::new();
        let mut batch = limit.unwrap_or(0).max(if filtered { 64 } else { 0 });
        let mut first = true;
        loop {
            let page = self
                .store
                .list(&StoreListOptions {
                    prefix: prefix.clone(),
                    limit: (batch > 0).then_some(batch as u64),
                    continue_token: token.clone(),
                    revision: if first { revision } else { RevisionMatch::Latest },
                })
                .await
                .map_err(|e| match e {
                    StoreError::Expired { .. } if opts.continue_token.is_some() => ApiError::expired(
                        "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.",
                    ),
                    other => store_err(self.def, "", other),
                })?;
            first = false;
            let list_revision = page.revision;
            let mut last_taken: Option<String> = None;
            let mut overflow = false;
            for kv in &page.items {
                if limit.is_some_and(|l| items.len() >= l) {
                    overflow = true;
                    break;
                }
                last_taken = Some(kv.key.clone());
                if !filtered {
                    items.push(object::encode_at(&kv.value, kv.mod_revision));
                    continue;
                }
                // Decoded once: for the selectors, then (if it matches) for the answer.
                let value = object::from_stored(&kv.value, kv.mod_revision)?;
                if self.matches(opts, &object::attrs(self.def, &value)) {
                    items.push(object::to_bytes(&value)?);
                }
            }
            let full = limit.is_some_and(|l| items.len() >= l);
            if overflow || (full && page.continue_token.is_some()) {
                let after = last_taken.unwrap_or_default();
                let next = continue_token::encode(&prefix, &format!("{after}\0"), list_revision)
                    .map_err(|e| store_err(self.def, "", e.into()))?;
                let remaining = if filtered || overflow {
                    None
                } else {
                    page.remaining.map(|r| r as i64)
                };
                return Ok(ListResult {
                    items,
                    resource_version: list_revision,
                    continue_token: Some(next),
                    remaining_item_count: remaining.filter(|r| *r > 0),
                });
            }
            match page.continue_token {
                Some(next) if !full => {
                    token = Some(next);
                    batch = (batch * 2).clamp(64, 10_000);
                }
                _ => {
                    return Ok(ListResult {
                        items,
                        resource_version: list_revision,
                        continue_token: None,
                        remaining_item_count: None,
                    });
                }
            }
        }
    }

    /// WATCH, served by the cache, with selector transitions as kube's watcher computes them.
    pub async fn watch(
        &self,
        namespace: Option<&str>,
        opts: &ListOptions,
    ) -> Result<BoxStream<'static, WatchItem>, ApiError> {
        self.check_selectors(opts)?;
        let prefix = self.prefix(namespace)?;
        let start = opts.watch_start();
        let (from, initial) = match start.mode {
            ReadMode::Consistent => {
                let current = self
                    .store
                    .current_revision()
                    .await
                    .map_err(|e| store_err(self.def, "", e))?;
                self.cacher
                    .wait_until(current)
                    .await
                    .map_err(|e| cache_err(self.def, e))?;
                if start.send_initial_events {
                    (0, true)
                } else {
                    (current, false)
                }
            }
            ReadMode::Any => {
                if start.send_initial_events {
                    (0, true)
                } else {
                    (self.cacher.revision(), false)
                }
            }
            ReadMode::NotOlderThan(n) | ReadMode::Exact(n) => {
                if start.send_initial_events {
                    self.cacher
                        .wait_until(n)
                        .await
                        .map_err(|e| cache_err(self.def, e))?;
                    (0, true)
                } else {
                    (n, false)
                }
            }
            ReadMode::Continue => (0, true),
        };
        let stream = match self.cacher.watch(&prefix, from, initial).await {
            Ok(s) => s,
            Err(CacheError::TooOld { requested, oldest }) => {
                // An expired resourceVersion is an in-stream ERROR on a 200 stream.
                let status =
                    ApiError::expired(format!("too old resource version: {requested} ({oldest})"))
                        .status;
                return Ok(futures::stream::iter([WatchItem::Error(Box::new(status))]).boxed());
            }
            Err(e) => return Err(cache_err(self.def, e)),
        };
        let label = opts.label_selector.clone();
        let field = opts.field_selector.clone();
        let matches = move |attrs: &ObjectAttrs| {
            (label.is_empty() || label.matches(&attrs.labels()))
                && field.matches(&|f: &str| Some(attrs.field(f)))
        };
        let encoder = self.cacher.encoder().clone();
        let end_bookmark = start.initial_events_end_bookmark;
        Ok(stream
            .filter_map(move |item| {
                let out = match item {
                    CacheWatchItem::Event(e) => Some(transform(&e, &matches, &encoder)),
                    CacheWatchItem::Progress(r) => Some(WatchItem::Progress(r)),
                    CacheWatchItem::InitialEventsEnd(r) => Some(if end_bookmark {
                        WatchItem::InitialEventsEnd(r)
                    } else {
                        WatchItem::Progress(r)
                    }),
                };
                futures::future::ready(out)
            })
            .boxed())
    }

    // ----- writes -----

    fn check_type_meta(&self, obj: &Value) -> Result<(), ApiError> {
        if !obj.is_object() {
            return Err(ApiError::bad_request(
                "the request body must be a JSON or YAML object",
            ));
        }
        let kind = obj["kind"].as_str().unwrap_or("");
        let api_version = obj["apiVersion"].as_str().unwrap_or("");
        if kind.is_empty() {
            return Err(ApiError::bad_request(format!(
                "Object 'Kind' is missing in '{}'",
                truncate(&obj.to_string(), 256)
            )));
        }
        if api_version != API_VERSION {
            return Err(ApiError::bad_request(format!(
                "the API version in the data ({api_version}) does not match the expected API version ({API_VERSION})"
            )));
        }
        if kind != self.def.kind {
            return Err(ApiError::bad_request(format!(
                "the kind in the data ({kind}) does not match the expected kind ({})",
                self.def.kind
            )));
        }
        if !obj["metadata"].is_null() && !obj["metadata"].is_object() {
            return Err(ApiError::bad_request(format!(
                "{} in version \"{VERSION}\" cannot be handled as a {}: metadata must be an object",
                self.def.kind, self.def.kind
            )));
        }
        Ok(())
    }

    fn check_namespace(&self, obj: &mut Value, namespace: Option<&str>) -> Result<(), ApiError> {
        let body_ns = meta_str(obj, "namespace").map(str::to_string);
        if self.def.namespaced() {
            let url_ns = namespace.unwrap_or("");
            match body_ns {
                Some(ns) if ns != url_ns => {
                    return Err(ApiError::bad_request(
                        "the namespace of the provided object does not match the namespace sent on the request",
                    ));
                }
                _ => {
                    meta_mut(obj).insert("namespace".into(), Value::String(url_ns.into()));
                }
            }
        } else {
            meta_mut(obj).remove("namespace");
        }
        Ok(())
    }

    /// Unknown fields: pruned always; reported as warnings (Warn) or refused (Strict).
    fn handle_unknown_fields(
        &self,
        obj: &mut Value,
        validation: FieldValidation,
        warnings: &mut Vec<String>,
        root: &str,
    ) -> Result<(), ApiError> {
        let mut unknown = object::unknown_meta_fields(obj);
        let validator = self.validator()?;
        unknown.extend(validator.unknown_fields(obj));
        if !unknown.is_empty() {
            let described: Vec<String> = unknown
                .iter()
                .map(|f| format!("unknown field \"{root}{f}\""))
                .collect();
            match validation {
                FieldValidation::Strict => {
                    return Err(ApiError::bad_request(format!(
                        "{} in version \"{VERSION}\" cannot be handled as a {}: strict decoding error: {}",
                        self.def.kind,
                        self.def.kind,
                        described.join(", ")
                    )));
                }
                FieldValidation::Warn => warnings.extend(described),
                FieldValidation::Ignore => {}
            }
        }
        object::prune_meta(obj);
        validator.prune(obj);
        Ok(())
    }

    fn invalid(&self, name: &str, errors: &[FieldError]) -> ApiError {
        ApiError::invalid(self.def.kind, GROUP, name, errors)
    }

    /// An object nested deeper than bodies may be (a patch can build one from shallow
    /// pieces) could be stored but never read back: refused like a too-deep body.
    fn check_depth(&self, obj: &Value) -> Result<(), ApiError> {
        if argo_apiserver_core::depth::depth(obj) > argo_apiserver_core::depth::MAX_NESTING_DEPTH {
            let kind = self.def.kind;
            return Err(ApiError::bad_request(format!(
                "{kind} in version \"{VERSION}\" cannot be handled as a {kind}: {}",
                argo_apiserver_core::depth::too_deep()
            )));
        }
        Ok(())
    }

    fn validate_new(&self, obj: &Value) -> Result<(), ApiError> {
        self.check_depth(obj)?;
        let mut errors = validate_object_meta(&obj["metadata"], self.def.namespaced(), true);
        errors.extend(self.validator()?.validate(obj));
        errors.extend(self.strategy.validate(obj));
        if errors.is_empty() {
            Ok(())
        } else {
            Err(self.invalid(object::name(obj), &errors))
        }
    }

    fn validate_changed(&self, new: &Value, old: &Value) -> Result<(), ApiError> {
        self.check_depth(new)?;
        let mut errors = validate_object_meta(&new["metadata"], self.def.namespaced(), false);
        errors.extend(validate_meta_update(new, old));
        errors.extend(self.validator()?.validate(new));
        errors.extend(self.strategy.validate_update(new, old));
        if errors.is_empty() {
            Ok(())
        } else {
            Err(self.invalid(object::name(new), &errors))
        }
    }

    /// POST: create, with generateName, defaults, validation, and dry run. The creator gets an
    /// `Update` entry in managedFields for every field it set.
    pub async fn create(
        &self,
        namespace: Option<&str>,
        obj: Value,
        opts: &WriteOptions,
    ) -> Result<WriteResult, ApiError> {
        let owner = FieldOwner::of(opts.field_manager.as_deref(), Subresource::Main);
        self.create_object(namespace, obj, opts, Some(owner)).await
    }

    /// The create path; `owner` is None when the managedFields are already computed (an apply
    /// that creates).
    async fn create_object(
        &self,
        namespace: Option<&str>,
        mut obj: Value,
        opts: &WriteOptions,
        owner: Option<FieldOwner<'_>>,
    ) -> Result<WriteResult, ApiError> {
        self.check_type_meta(&obj)?;
        let mut warnings = Vec::new();
        self.handle_unknown_fields(&mut obj, opts.field_validation, &mut warnings, "")?;
        self.check_namespace(&mut obj, namespace)?;
        if meta_str(&obj, "resourceVersion").is_some() {
            return Err(plain_500(
                "resourceVersion should not be set on objects to be created",
            ));
        }
        let generate = meta_str(&obj, "name")
            .is_none()
            .then(|| meta_str(&obj, "generateName").map(str::to_string))
            .flatten();
        {
            let m = meta_mut(&mut obj);
            m.insert(
                "uid".into(),
                Value::String(uuid::Uuid::new_v4().to_string()),
            );
            m.insert(
                "creationTimestamp".into(),
                Value::String(self.clock.now_rfc3339()),
            );
            m.insert("generation".into(), json!(1));
            m.remove("deletionTimestamp");
            m.remove("deletionGracePeriodSeconds");
        }
        if self.def.status_subresource
            && let Some(o) = obj.as_object_mut()
        {
            o.remove("status");
        }
        self.strategy.prepare_for_create(&mut obj);
        if let Some(base) = &generate {
            meta_mut(&mut obj).insert("name".into(), Value::String(generate_name_random(base)));
        }
        if let Some(owner) = owner {
            self.track_update(None, &mut obj, owner);
        }
        self.validate_new(&obj)?;
        warnings.extend(self.admit(Operation::Create, &mut obj, None).await?);
        warnings.extend(self.strategy.warnings(&obj));

        let mut attempt = 0;
        loop {
            let name = object::name(&obj).to_string();
            let key = self.key(namespace, &name)?;
            if opts.dry_run {
                return match self.store.get(&key).await {
                    Ok(_) => Err(ApiError::already_exists(gr(self.def), &name)),
                    Err(StoreError::NotFound { .. }) => {
                        meta_mut(&mut obj).insert("resourceVersion".into(), json!(""));
                        Ok(WriteResult {
                            object: object::to_bytes(&obj)?,
                            created: true,
                            warnings,
                        })
                    }
                    Err(e) => Err(store_err(self.def, &name, e)),
                };
            }
            match self.store.create(&key, object::to_stored(&obj)?).await {
                Ok(kv) => {
                    return Ok(WriteResult {
                        object: object::encode_at(&kv.value, kv.mod_revision),
                        created: true,
                        warnings,
                    });
                }
                Err(StoreError::AlreadyExists { .. }) => {
                    if let Some(base) = generate
                        .as_ref()
                        .filter(|_| attempt < GENERATE_NAME_RETRIES)
                    {
                        attempt += 1;
                        meta_mut(&mut obj)
                            .insert("name".into(), Value::String(generate_name_random(base)));
                        continue;
                    }
                    let mut err = ApiError::already_exists(gr(self.def), &name);
                    if generate.is_some() {
                        err.status.message.push_str(
                            ", the server was not able to generate a unique name for the object",
                        );
                        if let Some(d) = err.status.details.as_mut() {
                            d.retry_after_seconds = Some(1);
                        }
                    } else if let Ok(existing) = self.store.get(&key).await
                        && let Ok(v) = self.decode(&existing)
                        && object::is_deleting(&v)
                    {
                        err.status.message =
                            format!("object is being deleted: {}", err.status.message);
                    }
                    return Err(err);
                }
                Err(e) => return Err(store_err(self.def, &name, e)),
            }
        }
    }

    /// PUT (main resource or status): optimistic concurrency on metadata.resourceVersion.
    pub async fn update(
        &self,
        namespace: Option<&str>,
        name: &str,
        mut obj: Value,
        opts: &WriteOptions,
        sub: Subresource,
    ) -> Result<WriteResult, ApiError> {
        self.check_type_meta(&obj)?;
        let mut warnings = Vec::new();
        self.handle_unknown_fields(&mut obj, opts.field_validation, &mut warnings, "")?;
        self.check_name(&obj, name)?;
        self.check_namespace(&mut obj, namespace)?;
        let Some(rv) = meta_str(&obj, "resourceVersion").map(str::to_string) else {
            return Err(self.invalid(
                name,
                // kube prints the unset uint64 with Go's %#v: `0x0`, unquoted.
                &[FieldError::new(
                    "metadata.resourceVersion",
                    FieldErrorType::Invalid,
                    None,
                    "0x0: must be specified for an update",
                )],
            ));
        };
        let key = self.key(namespace, name)?;
        let (revision, old) = self.read(&key, name).await?;
        if rv != revision.to_string() {
            return Err(ApiError::modified(gr(self.def), name));
        }
        let owner = FieldOwner::of(opts.field_manager.as_deref(), sub);
        self.commit_update(
            &key,
            name,
            obj,
            old,
            revision,
            opts.dry_run,
            sub,
            warnings,
            Some(owner),
        )
        .await
    }

    /// Records a non-apply write in `new`'s managedFields. As kube's `UpdateNoErrors`, ownership
    /// never refuses a write: if it cannot be computed, the managedFields are dropped rather than
    /// left wrong.
    fn track_update(&self, old: Option<&Value>, new: &mut Value, owner: FieldOwner<'_>) {
        let now = self.clock.now_rfc3339();
        let result = apply::update(
            self.def.kind,
            old,
            new,
            owner.manager,
            owner.subresource,
            API_VERSION,
            &now,
        );
        if let Err(e) = result {
            let why = match e {
                ManagedError::Invalid(message) => message,
                ManagedError::Conflicts(c) => format!("{} conflicts", c.len()),
            };
            tracing::warn!(kind = self.def.kind, manager = owner.manager, %why, "failed to update managedFields");
            if let Some(m) = new.get_mut("metadata").and_then(Value::as_object_mut) {
                m.remove("managedFields");
            }
        }
    }

    fn check_name(&self, obj: &Value, name: &str) -> Result<(), ApiError> {
        let body_name = meta_str(obj, "name").unwrap_or("");
        if body_name != name {
            return Err(ApiError::bad_request(format!(
                "the name of the object ({body_name}) does not match the name on the URL ({name})"
            )));
        }
        Ok(())
    }

    /// The shared tail of PUT and PATCH: status/generation rules, validation, no-op detection,
    /// finalizer completion, and the compare-and-swap.
    #[allow(clippy::too_many_arguments)]
    async fn commit_update(
        &self,
        key: &str,
        name: &str,
        mut new: Value,
        old: Value,
        expected: Revision,
        dry_run: bool,
        sub: Subresource,
        mut warnings: Vec<String>,
        owner: Option<FieldOwner<'_>>,
    ) -> Result<WriteResult, ApiError> {
        match sub {
            Subresource::Status => {
                // Only status changes through /status; everything else is the stored object's.
                let status = new.get("status").cloned();
                // The request's managedFields go on (an apply's are its result; a write's decide
                // whether ownership is reset), as kube's status strategy keeps them.
                let managed = new
                    .get("metadata")
                    .and_then(|m| m.get("managedFields"))
                    .cloned();
                let mut merged = old.clone();
                match (merged.as_object_mut(), status) {
                    (Some(m), Some(s)) => {
                        m.insert("status".into(), s);
                    }
                    (Some(m), None) => {
                        m.remove("status");
                    }
                    _ => {}
                }
                let m = meta_mut(&mut merged);
                match managed {
                    Some(v) => {
                        m.insert("managedFields".into(), v);
                    }
                    None => {
                        m.remove("managedFields");
                    }
                }
                new = merged;
            }
            Subresource::Main | Subresource::Action => {
                if self.def.status_subresource && sub == Subresource::Main {
                    match (new.as_object_mut(), old.get("status")) {
                        (Some(m), Some(s)) => {
                            m.insert("status".into(), s.clone());
                        }
                        (Some(m), None) => {
                            m.remove("status");
                        }
                        _ => {}
                    }
                }
                // Server-managed metadata stays as stored.
                let old_meta = old["metadata"].clone();
                let m = meta_mut(&mut new);
                for field in [
                    "uid",
                    "creationTimestamp",
                    "deletionTimestamp",
                    "deletionGracePeriodSeconds",
                    "generation",
                ] {
                    if field == "uid"
                        && m.get("uid")
                            .and_then(Value::as_str)
                            .is_some_and(|u| !u.is_empty())
                    {
                        continue; // a changed uid is refused by validation
                    }
                    match old_meta.get(field) {
                        Some(v) => {
                            m.insert(field.into(), v.clone());
                        }
                        None => {
                            m.remove(field);
                        }
                    }
                }
                self.strategy.prepare_for_update(&mut new, &old);
            }
        }
        if let Some(owner) = owner {
            // After the strategy: what it reset (status on the main resource, all but status on
            // /status) is nobody's change, as kube's reset fields.
            self.track_update(Some(&old), &mut new, owner);
        }
        self.validate_changed(&new, &old)?;
        warnings.extend(self.admit(Operation::Update, &mut new, Some(&old)).await?);
        if sub != Subresource::Status {
            // Generation moves when anything outside metadata (and a status subresource)
            // changes; judged after admission's mutations, as kube's BeforeUpdate follows them.
            let drop_status = self.def.status_subresource;
            if object::without_meta(&new, drop_status) != object::without_meta(&old, drop_status) {
                let generation = old["metadata"]["generation"].as_i64().unwrap_or(0) + 1;
                meta_mut(&mut new).insert("generation".into(), json!(generation));
            }
        }
        // As kube's store: a change of managedFields times alone is no change.
        apply::ignore_managed_fields_timestamps(&mut new, &old);
        warnings.extend(self.strategy.warnings(&new));

        let stored_new = object::to_stored(&new)?;
        let stored_old = object::to_stored(&old)?;
        if stored_new == stored_old {
            // A no-op: nothing written, resourceVersion unchanged, no watch event.
            return Ok(WriteResult {
                object: object::to_bytes(&old)?,
                created: false,
                warnings,
            });
        }
        if dry_run {
            return Ok(WriteResult {
                object: object::to_bytes(&{
                    let mut n = new;
                    meta_mut(&mut n).insert("resourceVersion".into(), json!(expected.to_string()));
                    n
                })?,
                created: false,
                warnings,
            });
        }
        if object::is_deleting(&new) && object::finalizers(&new).is_empty() {
            // The last finalizer is gone: the object goes away now.
            let deleted = self
                .store
                .delete(key, Some(expected))
                .await
                .map_err(|e| store_err(self.def, name, e))?;
            let mut shown = new;
            meta_mut(&mut shown).insert(
                "resourceVersion".into(),
                json!(deleted.revision.to_string()),
            );
            return Ok(WriteResult {
                object: object::to_bytes(&shown)?,
                created: false,
                warnings,
            });
        }
        let kv = self
            .store
            .update(key, stored_new, expected)
            .await
            .map_err(|e| store_err(self.def, name, e))?;
        Ok(WriteResult {
            object: object::encode_at(&kv.value, kv.mod_revision),
            created: false,
            warnings,
        })
    }

    /// PATCH (json patch or merge patch) on the main resource or status. A resourceVersion
    /// in the patched object is a precondition; without one, lost races are retried.
    pub async fn patch(
        &self,
        namespace: Option<&str>,
        name: &str,
        patch_type: PatchType,
        patch: &[u8],
        opts: &PatchOptions,
        sub: Subresource,
    ) -> Result<WriteResult, ApiError> {
        let patch = parse_patch(patch_type, patch)?;
        if let Patch::Apply(config) = patch {
            return self.apply(namespace, name, config, opts, sub).await;
        }
        let owner = FieldOwner::of(opts.field_manager.as_deref(), sub);
        let key = self.key(namespace, name)?;
        let mut attempt = 0;
        loop {
            let (revision, old) = self.read(&key, name).await?;
            let patched = apply_patch(&patch, &old)?;
            let rv_in_patch = patched_resource_version(&patch);
            if let Some(rv) = &rv_in_patch
                && *rv != revision.to_string()
            {
                return Err(ApiError::modified(gr(self.def), name));
            }
            let mut new = patched;
            self.check_type_meta(&new)?;
            let mut warnings = Vec::new();
            self.handle_unknown_fields(&mut new, opts.field_validation, &mut warnings, "")?;
            self.check_name(&new, name)?;
            self.check_namespace(&mut new, namespace)?;
            match self
                .commit_update(
                    &key,
                    name,
                    new,
                    old,
                    revision,
                    opts.dry_run,
                    sub,
                    warnings,
                    Some(owner),
                )
                .await
            {
                Err(e)
                    if e.reason() == "Conflict"
                        && rv_in_patch.is_none()
                        && attempt < CAS_RETRIES =>
                {
                    attempt += 1;
                    continue;
                }
                other => return other,
            }
        }
    }

    /// Checks an apply configuration as kube's apply patcher and field manager do, and keeps of
    /// it only what the subresource may change (kube's reset fields): no status on the main
    /// resource of a kind with a status subresource, only status on `/status`.
    fn apply_config(
        &self,
        mut config: Value,
        namespace: Option<&str>,
        sub: Subresource,
    ) -> Result<Value, ApiError> {
        if !config.is_object() {
            return Err(ApiError::bad_request(
                "error decoding YAML: the apply configuration must be an object",
            ));
        }
        let api_version = config["apiVersion"].as_str().unwrap_or("");
        if api_version != API_VERSION {
            return Err(ApiError::bad_request(format!(
                "Incorrect version specified in apply patch. Specified patch version: {api_version}, expected: {API_VERSION}"
            )));
        }
        self.check_type_meta(&config)?;
        if config["metadata"]
            .get("managedFields")
            .is_some_and(|m| !m.is_null())
        {
            return Err(ApiError::bad_request("metadata.managedFields must be nil"));
        }
        // Apply is always checked against the schema, whatever fieldValidation says: the typed
        // conversion of the configuration refuses fields the schema does not declare.
        let mut unknown = object::unknown_meta_fields(&config);
        unknown.extend(self.validator()?.unknown_fields(&config));
        if !unknown.is_empty() {
            let errors: Vec<String> = unknown
                .iter()
                .map(|f| {
                    format!(
                        ".{}: field not declared in schema",
                        f.trim_start_matches('.')
                    )
                })
                .collect();
            let detail = if errors.len() == 1 {
                errors[0].clone()
            } else {
                format!("errors:\n  {}", errors.join("\n  "))
            };
            // kube answers this with a plain error (a 500); a BadRequest is what it means, and
            // what kube is moving to. The message is kube's.
            return Err(ApiError::bad_request(format!(
                "failed to create typed patch object ({}/{}; {API_VERSION}, Kind={}): {detail}",
                meta_str(&config, "namespace").unwrap_or(""),
                meta_str(&config, "name").unwrap_or(""),
                self.def.kind,
            )));
        }
        if self.def.namespaced()
            && let Some(ns) = meta_str(&config, "namespace")
            && ns != namespace.unwrap_or("")
        {
            return Err(ApiError::bad_request(
                "the namespace of the provided object does not match the namespace sent on the request",
            ));
        }
        if let Some(top) = config.as_object_mut() {
            match sub {
                Subresource::Status => top.retain(|k, _| {
                    matches!(k.as_str(), "apiVersion" | "kind" | "metadata" | "status")
                }),
                Subresource::Main | Subresource::Action if self.def.status_subresource => {
                    top.remove("status");
                }
                _ => {}
            }
        }
        if sub == Subresource::Status
            && let Some(m) = config.get_mut("metadata").and_then(Value::as_object_mut)
        {
            m.retain(|k, _| matches!(k.as_str(), "name" | "namespace" | "resourceVersion"));
        }
        Ok(config)
    }

    /// Server-side apply (`application/apply-patch+yaml`): merges the configuration into the live
    /// object, owned by `fieldManager`, with conflicts unless `force`. Creates the object when it
    /// is missing (201), as kube's `forceAllowCreate`; a `/status` apply needs the object. A
    /// resourceVersion in the configuration is a precondition.
    pub async fn apply(
        &self,
        namespace: Option<&str>,
        name: &str,
        config: Value,
        opts: &PatchOptions,
        sub: Subresource,
    ) -> Result<WriteResult, ApiError> {
        let subresource = FieldOwner::of(None, sub).subresource;
        self.apply_as(namespace, name, config, opts, sub, subresource)
            .await
    }

    /// [`KindStore::apply`], recording the manager's entry with `subresource` (`scale` applies
    /// a configuration built from a Scale).
    pub(crate) async fn apply_as(
        &self,
        namespace: Option<&str>,
        name: &str,
        config: Value,
        opts: &PatchOptions,
        sub: Subresource,
        subresource: Option<&str>,
    ) -> Result<WriteResult, ApiError> {
        let config = self.apply_config(config, namespace, sub)?;
        let manager = opts.field_manager.as_deref().unwrap_or(DEFAULT_MANAGER);
        let precondition = meta_str(&config, "resourceVersion")
            .filter(|rv| !rv.is_empty())
            .map(str::to_string);
        let kind = self.def.kind;
        let key = self.key(namespace, name)?;
        let mut attempt = 0;
        loop {
            let now = self.clock.now_rfc3339();
            let live = match self.read(&key, name).await {
                Ok(live) => Some(live),
                Err(e) if e.code() == 404 && sub == Subresource::Main => None,
                Err(e) => return Err(e),
            };
            let Some((revision, old)) = live else {
                let mut config = config.clone();
                if let Some(m) = config.get_mut("metadata").and_then(Value::as_object_mut) {
                    // A create has no version to check (kube ignores it here too).
                    m.remove("resourceVersion");
                }
                let merged = apply::apply(
                    kind,
                    None,
                    &config,
                    manager,
                    None,
                    opts.force,
                    API_VERSION,
                    &now,
                )
                .map_err(|e| e.into_api_error(kind, name))?;
                self.check_name(&merged, name)?;
                let create_opts = WriteOptions {
                    dry_run: opts.dry_run,
                    field_manager: Some(manager.to_string()),
                    field_validation: opts.field_validation,
                };
                match self
                    .create_object(namespace, merged, &create_opts, None)
                    .await
                {
                    // Someone created it meanwhile: apply onto theirs.
                    Err(e) if e.reason() == "AlreadyExists" && attempt < CAS_RETRIES => {
                        attempt += 1;
                        continue;
                    }
                    other => return other,
                }
            };
            if let Some(rv) = &precondition
                && *rv != revision.to_string()
            {
                return Err(ApiError::modified(gr(self.def), name));
            }
            let mut new = apply::apply(
                kind,
                Some(&old),
                &config,
                manager,
                subresource,
                opts.force,
                API_VERSION,
                &now,
            )
            .map_err(|e| {
                // Through /scale, conflicts are the Scale's (kube's ScaleHandler).
                let e = if subresource == Some("scale") {
                    apply::managed::as_scale_conflicts(e)
                } else {
                    e
                };
                e.into_api_error(kind, name)
            })?;
            self.check_type_meta(&new)?;
            let mut warnings = Vec::new();
            self.handle_unknown_fields(&mut new, FieldValidation::Ignore, &mut warnings, "")?;
            self.check_name(&new, name)?;
            self.check_namespace(&mut new, namespace)?;
            match self
                .commit_update(
                    &key,
                    name,
                    new,
                    old,
                    revision,
                    opts.dry_run,
                    sub,
                    warnings,
                    None,
                )
                .await
            {
                Err(e)
                    if e.reason() == "Conflict"
                        && precondition.is_none()
                        && attempt < CAS_RETRIES =>
                {
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    /// DELETE: preconditions, then either removal or, with finalizers, marking for deletion.
    pub async fn delete(
        &self,
        namespace: Option<&str>,
        name: &str,
        opts: &DeleteOptions,
    ) -> Result<DeleteResult, ApiError> {
        if opts.orphan_dependents.is_some() && opts.propagation_policy.is_some() {
            return Err(ApiError::invalid_options(
                "DeleteOptions",
                &[FieldError::invalid(
                    "propagationPolicy",
                    json!(format!("{:?}", opts.propagation_policy)),
                    "orphanDependents and deletionPropagation cannot be both set",
                )],
            ));
        }
        let key = self.key(namespace, name)?;
        let mut attempt = 0;
        loop {
            let (revision, obj) = self.read(&key, name).await?;
            self.check_preconditions(&key, &obj, revision, opts)?;
            self.admit(Operation::Delete, &mut obj.clone(), Some(&obj))
                .await?;
            let uid = meta_str(&obj, "uid").unwrap_or("").to_string();

            let mut finalizers = object::finalizers(&obj);
            let policy = match (opts.propagation_policy, opts.orphan_dependents) {
                (Some(p), _) => Some(p),
                (None, Some(true)) => Some(PropagationPolicy::Orphan),
                (None, Some(false)) => Some(PropagationPolicy::Background),
                (None, None) => None,
            };
            match policy {
                Some(PropagationPolicy::Foreground) => {
                    finalizers.retain(|f| f != "orphan");
                    if !finalizers.iter().any(|f| f == "foregroundDeletion") {
                        finalizers.push("foregroundDeletion".into());
                    }
                }
                Some(PropagationPolicy::Orphan) => {
                    finalizers.retain(|f| f != "foregroundDeletion");
                    if !finalizers.iter().any(|f| f == "orphan") {
                        finalizers.push("orphan".into());
                    }
                }
                Some(PropagationPolicy::Background) => {
                    finalizers.retain(|f| f != "orphan" && f != "foregroundDeletion");
                }
                None => {}
            }

            if !finalizers.is_empty() {
                // Graceful: mark, keep, let the finalizers' owners finish.
                let mut marked = obj.clone();
                let first_time = !object::is_deleting(&obj);
                {
                    let m = meta_mut(&mut marked);
                    m.insert("finalizers".into(), json!(finalizers));
                    if first_time {
                        m.insert("deletionTimestamp".into(), json!(self.clock.now_rfc3339()));
                        m.insert("deletionGracePeriodSeconds".into(), json!(0));
                        let generation = obj["metadata"]["generation"].as_i64().unwrap_or(0) + 1;
                        m.insert("generation".into(), json!(generation));
                    }
                }
                let accepted = opts.orphan_dependents == Some(false);
                if opts.dry_run || object::to_stored(&marked)? == object::to_stored(&obj)? {
                    return Ok(DeleteResult::Pending {
                        object: object::to_bytes(&marked)?,
                        accepted,
                    });
                }
                match self
                    .store
                    .update(&key, object::to_stored(&marked)?, revision)
                    .await
                {
                    Ok(kv) => {
                        return Ok(DeleteResult::Pending {
                            object: object::encode_at(&kv.value, kv.mod_revision),
                            accepted,
                        });
                    }
                    Err(StoreError::Conflict { .. }) if attempt < CAS_RETRIES => {
                        attempt += 1;
                        continue;
                    }
                    Err(e) => return Err(store_err(self.def, name, e)),
                }
            }

            let details = StatusDetails {
                name: name.to_string(),
                group: GROUP.to_string(),
                kind: self.def.plural.to_string(),
                uid,
                ..Default::default()
            };
            if opts.dry_run {
                return Ok(DeleteResult::Deleted(Box::new(Status::success(Some(
                    details,
                )))));
            }
            match self.store.delete(&key, Some(revision)).await {
                Ok(_) => {
                    return Ok(DeleteResult::Deleted(Box::new(Status::success(Some(
                        details,
                    )))));
                }
                Err(StoreError::Conflict { .. }) if attempt < CAS_RETRIES => {
                    attempt += 1;
                    continue;
                }
                Err(e) => return Err(store_err(self.def, name, e)),
            }
        }
    }

    fn check_preconditions(
        &self,
        key: &str,
        obj: &Value,
        revision: Revision,
        opts: &DeleteOptions,
    ) -> Result<(), ApiError> {
        let name = object::name(obj);
        let storage_error = |detail: String| {
            ApiError::conflict(
                gr(self.def),
                name,
                &format!(
                    "StorageError: invalid object, Code: 4, Key: /registry{key}, ResourceVersion: 0, AdditionalErrorMsg: Precondition failed: {detail}"
                ),
            )
        };
        if let Some(uid) = &opts.preconditions.uid {
            let actual = meta_str(obj, "uid").unwrap_or("");
            if uid != actual {
                return Err(storage_error(format!(
                    "UID in precondition: {uid}, UID in object meta: {actual}"
                )));
            }
        }
        if let Some(rv) = &opts.preconditions.resource_version
            && *rv != revision.to_string()
        {
            return Err(storage_error(format!(
                "ResourceVersion in precondition: {rv}, ResourceVersion in object meta: {revision}"
            )));
        }
        Ok(())
    }

    /// DELETE on the collection: every matching object, as individual deletes; answers the list
    /// of what was selected.
    pub async fn delete_collection(
        &self,
        namespace: Option<&str>,
        list: &ListOptions,
        opts: &DeleteOptions,
    ) -> Result<ListResult, ApiError> {
        let mut all = ListOptions {
            limit: None,
            continue_token: None,
            resource_version: None,
            resource_version_match: None,
            ..list.clone()
        };
        all.watch = false;
        let listed = self.list(namespace, &all).await?;
        let mut items = Vec::with_capacity(listed.items.len());
        for item in listed.items {
            let v: Value = serde_json::from_slice(&item).map_err(ApiError::internal)?;
            let name = object::name(&v).to_string();
            let ns = meta_str(&v, "namespace").map(str::to_string);
            let item_opts = DeleteOptions {
                preconditions: Default::default(),
                ..opts.clone()
            };
            match self.delete(ns.as_deref(), &name, &item_opts).await {
                Ok(_) => items.push(item),
                Err(e) if e.code() == 404 => {} // gone meanwhile
                Err(e) => return Err(e),
            }
        }
        Ok(ListResult {
            items,
            resource_version: listed.resource_version,
            continue_token: None,
            remaining_item_count: None,
        })
    }

    /// The stored revision (for health checks and tests).
    pub async fn current_revision(&self) -> Result<Revision, ApiError> {
        self.store
            .current_revision()
            .await
            .map_err(|e| store_err(self.def, "", e))
    }

    /// Applies `change` to the stored object and commits it like a PUT without a precondition
    /// (retrying lost races): the building block of the scale subresource and the actions.
    /// `change` sees the stored object and may change spec and status alike.
    /// The change is recorded under [`DEFAULT_MANAGER`] (see [`KindStore::update_with_owner`]).
    pub async fn update_with(
        &self,
        namespace: Option<&str>,
        name: &str,
        dry_run: bool,
        expected_rv: Option<&str>,
        change: impl Fn(&mut Value) -> Result<(), ApiError>,
    ) -> Result<WriteResult, ApiError> {
        let owner = FieldOwner {
            manager: DEFAULT_MANAGER,
            subresource: None,
        };
        self.update_with_owner(namespace, name, dry_run, expected_rv, owner, change)
            .await
    }

    /// [`KindStore::update_with`], recording the fields `change` set as `owner`'s (an `Update`
    /// entry in managedFields).
    pub async fn update_with_owner(
        &self,
        namespace: Option<&str>,
        name: &str,
        dry_run: bool,
        expected_rv: Option<&str>,
        owner: FieldOwner<'_>,
        change: impl Fn(&mut Value) -> Result<(), ApiError>,
    ) -> Result<WriteResult, ApiError> {
        let key = self.key(namespace, name)?;
        let mut attempt = 0;
        loop {
            let (revision, old) = self.read(&key, name).await?;
            if let Some(rv) = expected_rv
                && rv != revision.to_string()
            {
                return Err(ApiError::modified(gr(self.def), name));
            }
            let mut new = old.clone();
            change(&mut new)?;
            match self
                .commit_update(
                    &key,
                    name,
                    new,
                    old,
                    revision,
                    dry_run,
                    Subresource::Action,
                    Vec::new(),
                    Some(owner),
                )
                .await
            {
                Err(e)
                    if e.reason() == "Conflict"
                        && expected_rv.is_none()
                        && attempt < CAS_RETRIES =>
                {
                    attempt += 1;
                }
                other => return other,
            }
        }
    }
}

/// kube's watcher transform: an object that starts matching is ADDED, one that stops is
/// DELETED (its old state at the new revision), one that keeps matching is MODIFIED.
fn transform(
    e: &CacheEvent,
    matches: &impl Fn(&ObjectAttrs) -> bool,
    encoder: &argo_apiserver_storage::cacher::EncodeFn,
) -> WatchItem {
    let cur = matches(&e.object.attrs);
    match e.event_type {
        EventType::Added => {
            if cur {
                WatchItem::Added(
                    e.object.encoded_at(encoder, e.object.mod_revision),
                    e.revision,
                )
            } else {
                WatchItem::Progress(e.revision)
            }
        }
        EventType::Modified => {
            let old = e.prev.as_ref().is_some_and(|p| matches(&p.attrs));
            match (old, cur) {
                (true, true) => {
                    WatchItem::Modified(e.object.encoded_at(encoder, e.revision), e.revision)
                }
                (false, true) => {
                    WatchItem::Added(e.object.encoded_at(encoder, e.revision), e.revision)
                }
                (true, false) => WatchItem::Deleted(
                    e.prev
                        .as_ref()
                        .map(|p| p.encoded_at(encoder, e.revision))
                        .unwrap_or_default(),
                    e.revision,
                ),
                (false, false) => WatchItem::Progress(e.revision),
            }
        }
        EventType::Deleted => {
            if cur {
                WatchItem::Deleted(e.object.encoded_at(encoder, e.revision), e.revision)
            } else {
                WatchItem::Progress(e.revision)
            }
        }
    }
}

fn truncate(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// kube's ValidateObjectMetaUpdate, for what clients can get wrong.
fn validate_meta_update(new: &Value, old: &Value) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let new_uid = meta_str(new, "uid");
    let old_uid = meta_str(old, "uid");
    if new_uid.is_some() && new_uid != old_uid {
        errors.push(FieldError::invalid(
            "metadata.uid",
            json!(new_uid),
            "field is immutable",
        ));
    }
    if object::is_deleting(old) {
        let old_f = object::finalizers(old);
        let added: Vec<String> = object::finalizers(new)
            .into_iter()
            .filter(|f| !old_f.contains(f))
            .collect();
        if !added.is_empty() {
            errors.push(FieldError::new(
                "metadata.finalizers",
                FieldErrorType::Forbidden,
                None,
                format!(
                    "no new finalizers can be added if the object is being deleted, found new finalizers []string{{{}}}",
                    added.iter().map(|f| format!("{f:?}")).collect::<Vec<_>>().join(", ")
                ),
            ));
        }
    }
    errors
}

/// The resourceVersion a patch sets, if it touches it (then it is a precondition).
fn patched_resource_version(patch: &Patch) -> Option<String> {
    match patch {
        Patch::Merge(p) => p["metadata"]["resourceVersion"]
            .as_str()
            .map(str::to_string),
        Patch::Json(p) => p.0.iter().find_map(|op| match op {
            json_patch::PatchOperation::Replace(r)
                if r.path.as_str() == "/metadata/resourceVersion" =>
            {
                r.value.as_str().map(str::to_string)
            }
            json_patch::PatchOperation::Add(a)
                if a.path.as_str() == "/metadata/resourceVersion" =>
            {
                a.value.as_str().map(str::to_string)
            }
            _ => None,
        }),
        Patch::Apply(c) => c["metadata"]["resourceVersion"]
            .as_str()
            .map(str::to_string),
    }
}
