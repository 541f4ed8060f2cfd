//! The accept loop: TLS handshakes, HTTP/1.1 and HTTP/2 (ALPN) with hyper, one task per
//! connection, and a graceful shutdown that stops accepting, ends watches cleanly and lets
//! in-flight requests finish.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use argo_certs::rustls::ServerConfig;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;

use crate::auth::{Auth, PeerCerts};
use crate::router::{Router, route};

/// Serves until `shutdown` turns true, then drains for at most `grace`.
pub async fn serve(
    listener: TcpListener,
    tls: Arc<ServerConfig>,
    router: Arc<Router>,
    auth: Arc<Auth>,
    mut shutdown: watch::Receiver<bool>,
    grace: Duration,
) {
    let acceptor = TlsAcceptor::from(tls);
    let graceful = GracefulShutdown::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (tcp, peer) = match accepted {
                    Ok(x) => x,
                    Err(e) => {
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let _ = tcp.set_nodelay(true);
                let acceptor = acceptor.clone();
                let router = router.clone();
                let auth = auth.clone();
                let watcher = graceful.watcher();
                tokio::spawn(async move {
                    let tls = match tokio::time::timeout(Duration::from_secs(10), acceptor.accept(tcp)).await {
                        Ok(Ok(tls)) => tls,
                        Ok(Err(e)) => {
                            tracing::debug!(%peer, error = %e, "TLS handshake failed");
                            return;
                        }
                        Err(_) => return,
                    };
                    // Kept unverified here: each request's authenticators decide whom it
                    // chains to (front proxy or client CA).
                    let peer_certs = Arc::new(PeerCerts::new(
                        tls.get_ref()
                            .1
                            .peer_certificates()
                            .map(|chain| chain.iter().map(|c| c.clone().into_owned()).collect())
                            .unwrap_or_default(),
                    ));
                    let service = service_fn(move |req| {
                        let router = router.clone();
                        let auth = auth.clone();
                        let peer_certs = peer_certs.clone();
                        async move {
                            Ok::<_, Infallible>(route(router, auth, req, peer_certs, peer).await)
                        }
                    });
                    let mut builder = Builder::new(TokioExecutor::new());
                    builder
                        .http2()
                        .timer(TokioTimer::new())
                        .keep_alive_interval(Some(Duration::from_secs(30)))
                        .max_concurrent_streams(1000);
                    let conn = builder.serve_connection_with_upgrades(TokioIo::new(tls), service);
                    let conn = watcher.watch(conn.into_owned());
                    if let Err(e) = conn.await {
                        tracing::debug!(%peer, error = %e, "connection ended with an error");
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
    tracing::info!("shutting down: no new connections, draining requests");
    if tokio::time::timeout(grace, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!(
            grace_seconds = grace.as_secs(),
            "connections still open after the grace period; closing them"
        );
    }
}

/// The address a listener ended up on (for `--secure-port 0`).
pub fn local_addr(listener: &TcpListener) -> Option<SocketAddr> {
    listener.local_addr().ok()
}
