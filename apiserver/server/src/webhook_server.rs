//! The admission webhooks' own HTTPS listener (`--webhook-port`): kube-apiserver POSTs an
//! AdmissionReview to `/validate` (or `/validate/rollout-required`, the entry limited to
//! namespaces that require Rollouts) and `/mutate`; the policy engine answers. Kept apart from
//! the API port so the webhooks' 2-second budget never queues behind watches and large lists.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use argo_certs::rustls::ServerConfig;
use argo_webhooks::review::{MAX_REVIEW_BYTES, NamespacePolicy, ReviewReply, Webhooks};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;

use crate::body::read_limited_to;
use crate::http::{Body, Method, Request, Response, StatusCode, error_response, respond};
use argo_apiserver_core::ApiError;

/// Serves the webhooks until `shutdown` turns true.
pub async fn serve(
    listener: TcpListener,
    tls: Arc<ServerConfig>,
    webhooks: Arc<Webhooks>,
    mut shutdown: watch::Receiver<bool>,
) {
    let acceptor = TlsAcceptor::from(tls);
    let graceful = GracefulShutdown::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((tcp, peer)) = accepted else {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                };
                let _ = tcp.set_nodelay(true);
                let acceptor = acceptor.clone();
                let webhooks = webhooks.clone();
                let watcher = graceful.watcher();
                tokio::spawn(async move {
                    let Ok(Ok(tls)) = tokio::time::timeout(Duration::from_secs(10), acceptor.accept(tcp)).await else {
                        tracing::debug!(%peer, "webhook TLS handshake failed");
                        return;
                    };
                    let service = service_fn(move |req| {
                        let webhooks = webhooks.clone();
                        async move { Ok::<_, Infallible>(handle(&webhooks, req).await) }
                    });
                    let mut builder = Builder::new(TokioExecutor::new());
                    builder.http2().timer(TokioTimer::new());
                    let conn = watcher.watch(builder.serve_connection(TokioIo::new(tls), service).into_owned());
                    if let Err(e) = conn.await {
                        tracing::debug!(%peer, error = %e, "webhook connection ended with an error");
                    }
                });
            }
            _ = shutdown.changed() => {
                if *shutdown.borrow() {
                    break;
                }
            }
        }
    }
    drop(listener);
    let _ = tokio::time::timeout(Duration::from_secs(2), graceful.shutdown()).await;
}

async fn handle(webhooks: &Webhooks, req: Request<Incoming>) -> Response<Body> {
    let path = req.uri().path().to_string();
    let method = req.method().clone();
    if method == Method::GET && path == "/healthz" {
        return respond(StatusCode::OK, "text/plain; charset=utf-8", "ok");
    }
    let policy = match path.as_str() {
        "/validate" => Some(NamespacePolicy::Default),
        "/validate/rollout-required" => Some(NamespacePolicy::RolloutRequired),
        "/mutate" => None,
        _ => return error_response(&ApiError::path_not_found()),
    };
    if method != Method::POST {
        return error_response(&ApiError::method_not_supported(
            argo_apiserver_core::GroupResource {
                group: "admission.k8s.io",
                resource: "admissionreviews",
            },
            &method.as_str().to_lowercase(),
        ));
    }
    // An AdmissionReview carries the object and its old version: up to twice kube's object size.
    // Until the index has read every project, application and rollout once, "not indexed"
    // would mean "allowed": refuse to decide, so failurePolicy Fail refuses the write.
    if !webhooks.index().is_loaded() {
        return error_response(&ApiError::service_unavailable(
            "the policy index is still loading; try again",
        ));
    }
    let body = match read_limited_to(req.into_body(), MAX_REVIEW_BYTES).await {
        Ok(b) => b,
        Err(e) => return error_response(&e),
    };
    // The policy engine is synchronous and fast; it never waits on I/O.
    let ReviewReply { status, body } = match policy {
        Some(p) => webhooks.validate(&body, p),
        None => webhooks.mutate(&body),
    };
    respond(
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        "application/json",
        body,
    )
}
