//! Resource requests: every verb on every kind, once, over the registry; the negotiated output
//! (JSON, YAML, Table, PartialObjectMetadata); watches as streams of one JSON line per event.

use std::time::Duration;

use argo_apiserver_core::negotiation::{
    is_pretty_print, negotiate_list, negotiate_object, negotiate_watch,
};
use argo_apiserver_core::params::{
    DeleteOptions, GetOptions, ListOptions, PatchOptions, PatchType, Query, TableOptions,
    WriteOptions,
};
use argo_apiserver_core::warning::WarningRecorder;
use argo_apiserver_core::{ApiError, GroupResource, Negotiated, RequestInfo};
use argo_apiserver_registry::{DeleteResult, KindStore, Subresource, WatchItem, WriteResult};
use argo_openapi::ResourceDef;
use argo_openapi::catalog::{GROUP, VERSION};
use bytes::Bytes;
use futures::StreamExt;
use hyper::body::Incoming;
use serde_json::Value;
use tokio::sync::watch;

use crate::auth::{Authorizer, UserAccess, UserInfo};
use crate::body::{decode, read_limited};
use crate::http::{
    Body, HeaderValue, Method, Request, Response, StatusCode, error_response, header, header_str,
    json_response, respond, streaming,
};
use crate::output::{self, WatchEventType};
use crate::router::Router;
use crate::table::ListMeta;

fn now() -> jiff::Timestamp {
    jiff::Timestamp::now()
}

struct Ctx<'a> {
    router: &'a Router,
    info: &'a RequestInfo,
    def: &'static ResourceDef,
    kind: &'a KindStore,
    query: Query,
    accept: Option<String>,
    pretty: bool,
    /// For `managerOrUserAgent`.
    user_agent: Option<String>,
}

impl Ctx<'_> {
    fn namespace(&self) -> Option<&str> {
        (!self.info.namespace.is_empty()).then_some(self.info.namespace.as_str())
    }

    fn gr(&self) -> GroupResource<'static> {
        GroupResource {
            group: GROUP,
            resource: self.def.plural,
        }
    }

    fn object_output(&self) -> Result<Negotiated, ApiError> {
        negotiate_object(self.accept.as_deref(), self.pretty)
    }
}

/// Who is asking, and the authorizer the actions ask their own questions.
pub struct Caller<'a> {
    pub user: &'a UserInfo,
    pub authorizer: &'a Authorizer,
}

/// Requests that reach the handler even when the cluster's authorizer said no to the
/// subresource: Application actions, whose permission is the Argo verb on `applications` or an
/// AppProject role, which the handler checks (the subresource is only the gate; see
/// `actions::application`).
pub fn project_authorized(info: &RequestInfo) -> bool {
    info.is_resource_request
        && info.api_group == GROUP
        && info.resource == "applications"
        && info.verb == "create"
        && !info.name.is_empty()
        && argo_openapi::CATALOG
            .iter()
            .find(|d| d.plural == "applications")
            .is_some_and(|d| d.action(&info.subresource).is_some())
}

/// Serves one resource request (already authenticated; authorized, or see [`project_authorized`]).
pub async fn handle(
    router: &Router,
    info: &RequestInfo,
    req: Request<Incoming>,
    user: &UserInfo,
    authorizer: &Authorizer,
) -> Response<Body> {
    let caller = Caller { user, authorizer };
    match dispatch(router, info, req, &caller).await {
        Ok(r) => r,
        Err(e) => error_response(&e),
    }
}

async fn dispatch(
    router: &Router,
    info: &RequestInfo,
    req: Request<Incoming>,
    caller: &Caller<'_>,
) -> Result<Response<Body>, ApiError> {
    if info.api_prefix == "api"
        && info.api_version == "v1"
        && info.resource == "namespaces"
        && info.verb == "get"
        && info.subresource.is_empty()
        && !info.name.is_empty()
    {
        return Ok(standalone_namespace(&info.name));
    }
    if info.api_group != GROUP || info.api_version != VERSION {
        return Err(ApiError::path_not_found());
    }
    let kind = router
        .registry
        .kind(&info.resource)
        .ok_or_else(ApiError::path_not_found)?;
    let def = kind.def;
    // A namespaced kind listed across namespaces has no namespace; a cluster-scoped kind never
    // has one in its URL.
    if !def.namespaced() && !info.namespace.is_empty() {
        return Err(ApiError::path_not_found());
    }
    let (parts, body) = req.into_parts();
    let query = Query::parse(parts.uri.query().unwrap_or(""));
    let accept = header_str(&parts.headers, &header::ACCEPT).map(str::to_string);
    let user_agent = header_str(&parts.headers, &header::USER_AGENT);
    let pretty = is_pretty_print(&query, user_agent);
    let content_type = header_str(&parts.headers, &header::CONTENT_TYPE).map(str::to_string);
    let ctx = Ctx {
        router,
        info,
        def,
        kind,
        query,
        accept,
        pretty,
        user_agent: user_agent.map(str::to_string),
    };
    let sub = info.subresource.as_str();
    let method = parts.method.clone();
    let needs_body = matches!(
        method,
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    );
    let body = if needs_body {
        read_limited(body).await?
    } else {
        Bytes::new()
    };

    match (sub, info.verb.as_str()) {
        ("", "get") => get(&ctx).await,
        ("", "list") => list(&ctx).await,
        ("", "watch") => watch(&ctx).await,
        ("", "create") if info.name.is_empty() => {
            create(&ctx, content_type.as_deref(), &body).await
        }
        ("", "update") => update(&ctx, content_type.as_deref(), &body, Subresource::Main).await,
        ("", "patch") => patch(&ctx, content_type.as_deref(), &body, Subresource::Main).await,
        ("", "delete") => delete(&ctx, &body).await,
        ("", "deletecollection") => delete_collection(&ctx, &body).await,
        ("status", verb) if def.status_subresource => match verb {
            "get" => get(&ctx).await,
            "update" => update(&ctx, content_type.as_deref(), &body, Subresource::Status).await,
            "patch" => patch(&ctx, content_type.as_deref(), &body, Subresource::Status).await,
            _ => Err(ApiError::method_not_supported(ctx.gr(), verb)),
        },
        ("scale", verb) if def.scale.is_some() => {
            scale(&ctx, verb, content_type.as_deref(), &body).await
        }
        (action, "create") if !info.name.is_empty() && def.action(action).is_some() => {
            run_action(&ctx, caller, content_type.as_deref(), &body).await
        }
        (s, verb) if s.is_empty() || def.subresources().any(|x| x == s) => {
            Err(ApiError::method_not_supported(ctx.gr(), verb))
        }
        _ => Err(ApiError::path_not_found()),
    }
}

/// Served directly (without kube-apiserver in front), every namespace exists: there is no
/// namespace store here. kubectl reads the namespace after a NotFound to word its error, and
/// through the aggregator `/api/v1` is kube-apiserver's own, so this is never reached there.
fn standalone_namespace(name: &str) -> Response<Body> {
    let ns = serde_json::json!({
        "kind": "Namespace",
        "apiVersion": "v1",
        "metadata": {"name": name},
        "spec": {"finalizers": ["kubernetes"]},
        "status": {"phase": "Active"},
    });
    json_response(StatusCode::OK, &ns, false)
}

fn object_response(
    ctx: &Ctx<'_>,
    code: StatusCode,
    object: &Bytes,
    warnings: &[String],
) -> Result<Response<Body>, ApiError> {
    let n = ctx.object_output()?;
    let opts = TableOptions::parse(&ctx.query)?;
    let (content_type, body) = output::encode_object(ctx.def, &n, &opts, object, now())?;
    let mut r = respond(code, content_type, body);
    add_warnings(&mut r, warnings);
    Ok(r)
}

fn add_warnings(r: &mut Response<Body>, warnings: &[String]) {
    let mut rec = WarningRecorder::default();
    for w in warnings {
        rec.add(w);
    }
    for v in rec.header_values() {
        if let Ok(hv) = HeaderValue::from_str(v) {
            r.headers_mut().append(header::WARNING, hv);
        }
    }
}

async fn get(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    let opts = GetOptions::parse(&ctx.query)?;
    // Negotiate before reading, so a bad Accept never costs a read.
    ctx.object_output()?;
    let obj = ctx
        .kind
        .get(ctx.namespace(), &ctx.info.name, opts.read_mode())
        .await?;
    object_response(ctx, StatusCode::OK, &obj, &[])
}

async fn list(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    let opts = ListOptions::parse(&ctx.query)?;
    let n = negotiate_list(ctx.accept.as_deref(), ctx.pretty)?;
    let table_opts = TableOptions::parse(&ctx.query)?;
    let result = ctx.kind.list(ctx.namespace(), &opts).await?;
    let meta = ListMeta {
        resource_version: result.resource_version.to_string(),
        continue_: result.continue_token.clone(),
        remaining_item_count: result.remaining_item_count,
    };
    let (content_type, body) =
        output::encode_list(ctx.def, &n, &table_opts, &result.items, &meta, now())?;
    Ok(respond(StatusCode::OK, content_type, body))
}

/// Kube's default watch length when the client gives none: 30 to 60 minutes.
fn default_watch_timeout() -> Duration {
    let jitter = (jiff::Timestamp::now().subsec_nanosecond().unsigned_abs() as u64) % 1800;
    Duration::from_secs(1800 + jitter)
}

async fn watch(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    let opts = ListOptions::parse(&ctx.query)?;
    let n = negotiate_watch(ctx.accept.as_deref())?;
    let table_opts = TableOptions::parse(&ctx.query)?;
    let stream = ctx.kind.watch(ctx.namespace(), &opts).await?;
    let timeout = opts
        .timeout_seconds
        .filter(|t| *t > 0)
        .map(|t| Duration::from_secs(t as u64))
        .unwrap_or_else(default_watch_timeout);
    let bookmarks = opts.allow_watch_bookmarks;
    let def = ctx.def;
    let start_rv = match opts.resource_version {
        Some(rv) if rv > 0 => rv,
        _ => ctx.kind.cacher().revision(),
    };
    let content_type = output::watch_content_type(&n);
    let events = watch_body(
        def,
        n,
        table_opts,
        stream,
        WatchLimits {
            timeout,
            bookmarks,
            bookmark_interval: ctx.router.bookmark_interval,
            start_rv,
        },
        ctx.router.shutdown.clone(),
        ctx.router.metrics.watcher(GROUP, VERSION, def.kind),
    );
    let mut r = Response::new(streaming(events));
    *r.status_mut() = StatusCode::OK;
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache, private"),
    );
    Ok(r)
}

struct WatchLimits {
    timeout: Duration,
    bookmarks: bool,
    bookmark_interval: Duration,
    start_rv: i64,
}

/// The event lines of a watch, with bookmarks, a deadline and shutdown folded in. The stream
/// ends cleanly (end of body) on timeout and on server shutdown.
fn watch_body(
    def: &'static ResourceDef,
    n: Negotiated,
    table_opts: TableOptions,
    stream: futures::stream::BoxStream<'static, WatchItem>,
    limits: WatchLimits,
    mut shutdown: watch::Receiver<bool>,
    // Keeps the watch counted in apiserver_registered_watchers while it lives.
    guard: crate::metrics::GaugeGuard,
) -> impl futures::Stream<Item = Bytes> + Send + Sync + 'static {
    let (tx, rx) = tokio::sync::mpsc::channel::<Bytes>(64);
    tokio::spawn(async move {
        let _guard = guard;
        let mut stream = stream;
        let deadline = tokio::time::sleep(limits.timeout);
        tokio::pin!(deadline);
        let mut ticker = tokio::time::interval(limits.bookmark_interval);
        ticker.tick().await;
        let mut last_rv = limits.start_rv;
        let mut first = true;
        loop {
            let line = tokio::select! {
                _ = &mut deadline => break,
                _ = shutdown.changed() => break,
                _ = ticker.tick(), if limits.bookmarks => {
                    output::encode_bookmark(def, &n, &table_opts, &last_rv.to_string(), false, first, now())
                }
                item = stream.next() => {
                    let Some(item) = item else { break };
                    match item {
                        WatchItem::Added(o, rv) => {
                            last_rv = last_rv.max(rv);
                            output::encode_watch_event(def, &n, &table_opts, WatchEventType::Added, &o, first, now())
                        }
                        WatchItem::Modified(o, rv) => {
                            last_rv = last_rv.max(rv);
                            output::encode_watch_event(def, &n, &table_opts, WatchEventType::Modified, &o, first, now())
                        }
                        WatchItem::Deleted(o, rv) => {
                            last_rv = last_rv.max(rv);
                            output::encode_watch_event(def, &n, &table_opts, WatchEventType::Deleted, &o, first, now())
                        }
                        WatchItem::Progress(rv) => {
                            last_rv = last_rv.max(rv);
                            continue;
                        }
                        WatchItem::InitialEventsEnd(rv) => {
                            last_rv = last_rv.max(rv);
                            output::encode_bookmark(def, &n, &table_opts, &rv.to_string(), true, first, now())
                        }
                        WatchItem::Error(status) => {
                            let _ = tx.send(output::watch_error(&status)).await;
                            break;
                        }
                    }
                }
            };
            let line = match line {
                Ok(l) => l,
                Err(e) => {
                    let _ = tx.send(output::watch_error(&e.status)).await;
                    break;
                }
            };
            first = false;
            if tx.send(line).await.is_err() {
                break; // the client went away
            }
        }
    });
    tokio_stream::wrappers::ReceiverStream::new(rx)
}

fn decoded(
    ctx: &Ctx<'_>,
    content_type: Option<&str>,
    body: &[u8],
) -> Result<(Value, Vec<String>), ApiError> {
    let d = decode(content_type, body, ctx.def.kind)?;
    Ok((d.value, d.duplicates))
}

fn duplicate_handling(
    ctx: &Ctx<'_>,
    validation: argo_apiserver_core::FieldValidation,
    duplicates: &[String],
) -> Result<Vec<String>, ApiError> {
    if duplicates.is_empty() {
        return Ok(Vec::new());
    }
    let described: Vec<String> = duplicates
        .iter()
        .map(|d| format!("duplicate field \"{d}\""))
        .collect();
    match validation {
        argo_apiserver_core::FieldValidation::Strict => Err(ApiError::bad_request(format!(
            "{} in version \"{VERSION}\" cannot be handled as a {}: strict decoding error: {}",
            ctx.def.kind,
            ctx.def.kind,
            described.join(", ")
        ))),
        argo_apiserver_core::FieldValidation::Warn => Ok(described),
        argo_apiserver_core::FieldValidation::Ignore => Ok(Vec::new()),
    }
}

/// The manager a write is recorded under: kube's `managerOrUserAgent`.
fn manager(ctx: &Ctx<'_>, field_manager: Option<&str>) -> Option<String> {
    argo_apiserver_core::params::manager_or_user_agent(field_manager, ctx.user_agent.as_deref())
}

fn write_response(
    ctx: &Ctx<'_>,
    result: WriteResult,
    mut warnings: Vec<String>,
) -> Result<Response<Body>, ApiError> {
    warnings.extend(result.warnings);
    let code = if result.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    object_response(ctx, code, &result.object, &warnings)
}

async fn create(
    ctx: &Ctx<'_>,
    content_type: Option<&str>,
    body: &[u8],
) -> Result<Response<Body>, ApiError> {
    let mut opts = WriteOptions::parse_create(&ctx.query)?;
    opts.field_manager = manager(ctx, opts.field_manager.as_deref());
    ctx.object_output()?;
    let (obj, dups) = decoded(ctx, content_type, body)?;
    let warnings = duplicate_handling(ctx, opts.field_validation, &dups)?;
    let result = ctx.kind.create(ctx.namespace(), obj, &opts).await?;
    write_response(ctx, result, warnings)
}

async fn update(
    ctx: &Ctx<'_>,
    content_type: Option<&str>,
    body: &[u8],
    sub: Subresource,
) -> Result<Response<Body>, ApiError> {
    let mut opts = WriteOptions::parse_update(&ctx.query)?;
    opts.field_manager = manager(ctx, opts.field_manager.as_deref());
    ctx.object_output()?;
    let (obj, dups) = decoded(ctx, content_type, body)?;
    let warnings = duplicate_handling(ctx, opts.field_validation, &dups)?;
    let result = ctx
        .kind
        .update(ctx.namespace(), &ctx.info.name, obj, &opts, sub)
        .await?;
    write_response(ctx, result, warnings)
}

async fn patch(
    ctx: &Ctx<'_>,
    content_type: Option<&str>,
    body: &[u8],
    sub: Subresource,
) -> Result<Response<Body>, ApiError> {
    let patch_type = PatchType::from_content_type(content_type)?;
    let mut opts = PatchOptions::parse(&ctx.query, patch_type)?;
    // Apply names its manager (required); other patches fall back to the User-Agent.
    opts.field_manager = manager(ctx, opts.field_manager.as_deref());
    ctx.object_output()?;
    let result = ctx
        .kind
        .patch(
            ctx.namespace(),
            &ctx.info.name,
            patch_type,
            body,
            &opts,
            sub,
        )
        .await?;
    write_response(ctx, result, Vec::new())
}

async fn delete(ctx: &Ctx<'_>, body: &[u8]) -> Result<Response<Body>, ApiError> {
    let opts = DeleteOptions::parse(body, &ctx.query)?;
    ctx.object_output()?;
    match ctx
        .kind
        .delete(ctx.namespace(), &ctx.info.name, &opts)
        .await?
    {
        DeleteResult::Deleted(status) => {
            let v = serde_json::to_value(&*status).map_err(ApiError::internal)?;
            Ok(json_response(StatusCode::OK, &v, ctx.pretty))
        }
        DeleteResult::Pending { object, accepted } => {
            let code = if accepted {
                StatusCode::ACCEPTED
            } else {
                StatusCode::OK
            };
            object_response(ctx, code, &object, &[])
        }
    }
}

async fn delete_collection(ctx: &Ctx<'_>, body: &[u8]) -> Result<Response<Body>, ApiError> {
    let opts = DeleteOptions::parse(body, &ctx.query)?;
    let list_opts = ListOptions::parse(&ctx.query)?;
    let n = negotiate_list(ctx.accept.as_deref(), ctx.pretty)?;
    let table_opts = TableOptions::parse(&ctx.query)?;
    let result = ctx
        .kind
        .delete_collection(ctx.namespace(), &list_opts, &opts)
        .await?;
    let meta = ListMeta {
        resource_version: result.resource_version.to_string(),
        continue_: None,
        remaining_item_count: None,
    };
    let (content_type, body) =
        output::encode_list(ctx.def, &n, &table_opts, &result.items, &meta, now())?;
    Ok(respond(StatusCode::OK, content_type, body))
}

async fn scale(
    ctx: &Ctx<'_>,
    verb: &str,
    content_type: Option<&str>,
    body: &[u8],
) -> Result<Response<Body>, ApiError> {
    let ns = ctx.namespace();
    let name = &ctx.info.name;
    let scale = match verb {
        "get" => ctx.kind.get_scale(ns, name).await?,
        "update" => {
            let mut opts = WriteOptions::parse_update(&ctx.query)?;
            opts.field_manager = manager(ctx, opts.field_manager.as_deref());
            let d = decode(content_type, body, "Scale")?;
            ctx.kind.update_scale(ns, name, d.value, &opts).await?
        }
        "patch" => {
            let patch_type = PatchType::from_content_type(content_type)?;
            let mut opts = PatchOptions::parse(&ctx.query, patch_type)?;
            opts.field_manager = manager(ctx, opts.field_manager.as_deref());
            ctx.kind
                .patch_scale(ns, name, patch_type, body, &opts)
                .await?
        }
        other => return Err(ApiError::method_not_supported(ctx.gr(), other)),
    };
    let n = ctx.object_output()?;
    let bytes = crate::http::json_bytes(&scale, n.pretty);
    match n.format {
        argo_apiserver_core::Format::Json => Ok(respond(StatusCode::OK, crate::http::JSON, bytes)),
        argo_apiserver_core::Format::Yaml => {
            let y = serde_yaml::to_string(&scale).map_err(ApiError::internal)?;
            Ok(respond(StatusCode::OK, crate::http::YAML, y))
        }
    }
}

/// POST on an action subresource: decode the request body (empty is `{}`), run the action as the
/// caller, answer the resulting object (201 when the action created one, as resubmit does).
async fn run_action(
    ctx: &Ctx<'_>,
    caller: &Caller<'_>,
    content_type: Option<&str>,
    body: &[u8],
) -> Result<Response<Body>, ApiError> {
    use argo_apiserver_registry::actions::{self, ActionContext, Actor};
    let opts = WriteOptions::parse_create(&ctx.query)?;
    ctx.object_output()?;
    let request = if body.iter().all(u8::is_ascii_whitespace) {
        Value::Object(Default::default())
    } else {
        let action = ctx.def.action(&ctx.info.subresource);
        decode(content_type, body, action.map_or("", |a| a.request_type))?.value
    };
    if !request.is_object() {
        return Err(ApiError::bad_request(
            "the request body of an action must be a JSON object",
        ));
    }
    let actor = Actor {
        username: caller.user.name.clone(),
        groups: caller.user.groups.clone(),
    };
    let access = UserAccess {
        authorizer: caller.authorizer,
        user: caller.user,
    };
    let manager = manager(ctx, opts.field_manager.as_deref());
    let action_ctx = ActionContext {
        registry: &ctx.router.registry,
        actor: &actor,
        access: &access,
        clock: ctx.router.clock.as_ref(),
        settings: &ctx.router.action_settings,
        dry_run: opts.dry_run,
        manager: manager.as_deref(),
    };
    let result = actions::run(
        ctx.kind,
        ctx.namespace(),
        &ctx.info.name,
        &ctx.info.subresource,
        request,
        &action_ctx,
    )
    .await?;
    write_response(ctx, result, Vec::new())
}
