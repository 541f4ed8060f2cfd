//! One entry point per request: request info, authorization, dispatch to discovery, OpenAPI,
//! health, metrics or the resource handlers, then one log line and the request metrics.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use argo_apiserver_core::params::Query;
use argo_apiserver_core::{ApiError, RequestInfo};
use argo_apiserver_registry::Registry;
use bytes::Bytes;
use hyper::body::Incoming;
use tokio::sync::watch;

use crate::auth::{Auth, Decision, PeerCerts, forbidden};
use crate::handlers::discovery::{self, VersionInfo};
use crate::handlers::health::{self, HealthChecks};
use crate::handlers::openapi;
use crate::http::{Body, Method, Request, Response, StatusCode, error_response};
use crate::metrics::{Metrics, RequestLabels};
use crate::resource;

/// Everything a request may need.
pub struct Router {
    pub registry: Arc<Registry>,
    pub metrics: Arc<Metrics>,
    pub health: HealthChecks,
    pub version: VersionInfo,
    /// The `/openapi/v2` document as protobuf (kubectl 1.27's explain asks for it), made on
    /// first use.
    pub openapi_v2_protobuf: std::sync::OnceLock<Option<Bytes>>,
    /// Turns true when the server starts shutting down: watches end, readiness fails.
    pub shutdown: watch::Receiver<bool>,
    /// How often a watch that asked for bookmarks gets one.
    pub bookmark_interval: Duration,
    /// What the action subresources follow.
    pub action_settings: argo_apiserver_registry::actions::ActionSettings,
    /// The server's clock (injectable for tests of sync windows).
    pub clock: Arc<dyn argo_apiserver_registry::Clock>,
    /// The admission webhooks, for their decision counters on `/metrics`.
    pub webhooks: Option<Arc<argo_webhooks::review::Webhooks>>,
    /// In-flight requests and open watches per user.
    pub limits: crate::limits::Limits,
}

impl Router {
    pub fn openapi_v2_protobuf(&self) -> Option<Bytes> {
        self.openapi_v2_protobuf
            .get_or_init(|| {
                crate::openapi_proto::v2_protobuf(&argo_openapi::document::openapi_v2())
                    .map_err(|e| {
                        tracing::error!(error = %e, "the OpenAPI v2 document does not encode as protobuf; serving JSON only");
                    })
                    .ok()
            })
            .clone()
    }

    /// Builds what the first requests would otherwise wait for (the OpenAPI documents), off the
    /// request path.
    pub fn warm_up(self: &Arc<Self>) {
        let router = self.clone();
        tokio::task::spawn_blocking(move || {
            openapi::warm();
            let _ = router.openapi_v2_protobuf();
            // Validators are compiled on a kind's first write instead: a Workflow's costs tens of
            // MiB, paid only by servers that store Workflows.
        });
    }
}

/// Serves one request: authenticates it from its headers and the client's certificate chain
/// (`peer_certs`, unverified until the authenticators check it), authorizes it, dispatches it.
pub async fn route(
    router: Arc<Router>,
    auth: Arc<Auth>,
    mut req: Request<Incoming>,
    peer_certs: Arc<PeerCerts>,
    peer: SocketAddr,
) -> Response<Body> {
    let start = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let raw_query = req.uri().query().unwrap_or("").to_string();
    let info = match RequestInfo::new(method.as_str(), &path, &raw_query) {
        Ok(info) => info,
        Err(e) => return error_response(&e),
    };
    let is_apply = req
        .headers()
        .get(hyper::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/apply-patch"));

    let user = match auth
        .authenticator
        .authenticate(req.headers(), &peer_certs)
        .await
    {
        Ok(user) => user,
        Err(e) => {
            tracing::info!(error = %e, %path, %peer, "unable to authenticate the request");
            return error_response(&ApiError::unauthorized());
        }
    };
    // No handler may see the credentials or a client-supplied identity.
    auth.authenticator.strip_identity_headers(req.headers_mut());

    // kube's max-in-flight filter sits here: after authentication, before authorization. What
    // the request holds is given back when its response has been sent.
    let mut held = None;
    let response = match router.limits.admit(&info, &user) {
        Err(refused) => refused,
        Ok(h) => {
            held = Some(h);
            match auth.authorizer.authorize(&user, &info).await {
                Err(e) => {
                    // kube's authorization filter: a failed check is a plain-text 500, never a pass.
                    tracing::warn!(error = %e, %path, "authorization failed");
                    crate::http::respond(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "text/plain; charset=utf-8",
                        format!("Internal Server Error: {:?}: {e}\n", req.uri().to_string()),
                    )
                }
                // An Application action is decided by its handler (the Argo verb on
                // `applications`, or the project's roles), whatever the subresource's own
                // permission says: that permission is only the gate.
                Ok(Decision::Deny(_) | Decision::NoOpinion(_))
                    if resource::project_authorized(&info) =>
                {
                    resource::handle(&router, &info, req, &user, &auth.authorizer).await
                }
                Ok(Decision::Deny(reason) | Decision::NoOpinion(reason)) => {
                    error_response(&forbidden(&user, &info, &reason))
                }
                Ok(Decision::Allow) if info.is_resource_request => {
                    resource::handle(&router, &info, req, &user, &auth.authorizer).await
                }
                Ok(Decision::Allow) => non_resource(&router, &info, req),
            }
        }
    };

    let elapsed = start.elapsed();
    let query = Query::parse(&raw_query);
    let code = response.status().as_u16();
    if info.verb != "watch" {
        let labels = RequestLabels::from_request_info(&info, &query, is_apply);
        router.metrics.observe_request(&labels, code, elapsed);
    }
    tracing::info!(
        user = %user.name,
        verb = %info.verb,
        resource = %info.resource,
        subresource = %info.subresource,
        namespace = %info.namespace,
        name = %info.name,
        path = %path,
        code,
        latency_ms = elapsed.as_secs_f64() * 1000.0,
        %peer,
        "request"
    );
    match held {
        Some(held) => crate::limits::hold_while_sending(response, held),
        None => response,
    }
}

fn non_resource(router: &Router, info: &RequestInfo, req: Request<Incoming>) -> Response<Body> {
    let (parts, _body) = req.into_parts();
    let path = info.path.as_str();
    if parts.method != Method::GET && parts.method != Method::HEAD {
        return error_response(&ApiError::path_not_found());
    }
    if health::is_health_path(path) {
        return health::handle(path, parts.uri.query().unwrap_or(""), &router.health);
    }
    match path {
        "/metrics" => {
            let mut extra = router.limits.metrics_text();
            if let Some(w) = &router.webhooks {
                extra.push_str(&w.metrics_text());
            }
            crate::metrics::handle(&router.metrics, Some(extra))
        }
        "/version" | "/version/" => discovery::handle_version(&router.version),
        "/api" | "/api/" => discovery::handle_api(&parts),
        "/apis" | "/apis/" => discovery::handle_apis(&parts),
        "/apis/argoproj.io" | "/apis/argoproj.io/" => discovery::handle_api_group(&parts),
        "/apis/argoproj.io/v1alpha1" | "/apis/argoproj.io/v1alpha1/" => {
            discovery::handle_api_resource_list(&parts)
        }
        "/openapi/v2" => openapi::handle_v2(&parts, router.openapi_v2_protobuf().as_ref()),
        "/openapi/v3" | "/openapi/v3/" => openapi::handle_v3_index(&parts),
        "/openapi/v3/apis/argoproj.io/v1alpha1" => openapi::handle_v3_group_version(&parts, None),
        _ => {
            let mut r = error_response(&ApiError::path_not_found());
            *r.status_mut() = StatusCode::NOT_FOUND;
            r
        }
    }
}
