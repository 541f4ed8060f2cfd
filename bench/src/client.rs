//! An HTTP/2-over-TLS client with the admin client certificate: one `Conn` is one TCP+TLS
//! connection on which any number of requests run as concurrent streams.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use bytes::Bytes;
use http::{Method, Request, StatusCode, header};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::client::conn::http2::SendRequest;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use rustls::ClientConfig;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

pub const JSON: &str = "application/json";
pub const TABLE: &str = "application/json;as=Table;v=v1;g=meta.k8s.io";
pub const MERGE_PATCH: &str = "application/merge-patch+json";

/// TLS settings (server CA, admin client certificate) and the address to dial.
#[derive(Clone)]
pub struct Dialer {
    tls: Arc<ClientConfig>,
    addr: SocketAddr,
}

impl Dialer {
    pub fn new(ca: &Path, cert: &Path, key: &Path, addr: SocketAddr) -> Result<Dialer> {
        let mut roots = rustls::RootCertStore::empty();
        for c in CertificateDer::pem_file_iter(ca).with_context(|| format!("reading {ca:?}"))? {
            roots.add(c.with_context(|| format!("parsing {ca:?}"))?)?;
        }
        let chain = CertificateDer::pem_file_iter(cert)
            .with_context(|| format!("reading {cert:?}"))?
            .collect::<Result<Vec<_>, _>>()
            .with_context(|| format!("parsing {cert:?}"))?;
        let key = PrivateKeyDer::from_pem_file(key).with_context(|| format!("reading {key:?}"))?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_root_certificates(roots)
            .with_client_auth_cert(chain, key)?;
        config.alpn_protocols = vec![b"h2".to_vec()];
        Ok(Dialer {
            tls: Arc::new(config),
            addr,
        })
    }

    /// Opens one HTTP/2 connection.
    pub async fn connect(&self) -> Result<Conn> {
        let tcp = TcpStream::connect(self.addr).await?;
        tcp.set_nodelay(true)?;
        let name = ServerName::IpAddress(self.addr.ip().into());
        let tls = TlsConnector::from(self.tls.clone())
            .connect(name, tcp)
            .await?;
        if tls.get_ref().1.alpn_protocol() != Some(b"h2") {
            bail!("the server did not negotiate HTTP/2");
        }
        let (send, conn) = hyper::client::conn::http2::Builder::new(TokioExecutor::new())
            .timer(TokioTimer::new())
            // Big windows, so a 10,000-item list is not throttled by flow control.
            .initial_stream_window_size(8 << 20)
            .initial_connection_window_size(32 << 20)
            .max_frame_size(1 << 20)
            .handshake(TokioIo::new(tls))
            .await?;
        let opened = Instant::now();
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                eprintln!(
                    "an HTTP/2 connection ended with an error after {:?}: {e:?}",
                    opened.elapsed()
                );
            }
        });
        Ok(Conn {
            send,
            base: format!("https://{}", self.addr),
        })
    }

    /// Opens `n` connections.
    pub async fn connect_many(&self, n: usize) -> Result<Vec<Conn>> {
        let mut out = Vec::with_capacity(n);
        for _ in 0..n.max(1) {
            out.push(self.connect().await?);
        }
        Ok(out)
    }
}

/// One HTTP/2 connection (cheap to clone: clones share the connection).
#[derive(Clone)]
pub struct Conn {
    send: SendRequest<Full<Bytes>>,
    base: String,
}

/// A fully read response and how long it took (request sent to last body byte).
pub struct Reply {
    pub status: StatusCode,
    pub body: Bytes,
    pub elapsed: Duration,
}

impl Reply {
    pub fn expect(self, want: StatusCode) -> Result<Reply> {
        if self.status != want {
            bail!(
                "expected {want}, got {}: {}",
                self.status,
                String::from_utf8_lossy(&self.body[..self.body.len().min(500)])
            );
        }
        Ok(self)
    }
}

impl Conn {
    fn request(
        &self,
        method: Method,
        path: &str,
        accept: &str,
        content_type: Option<&str>,
        body: Bytes,
    ) -> Result<Request<Full<Bytes>>> {
        let mut b = Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base))
            .header(header::ACCEPT, accept)
            .header(header::USER_AGENT, "argo-load");
        if let Some(ct) = content_type {
            b = b.header(header::CONTENT_TYPE, ct);
        }
        Ok(b.body(Full::new(body))?)
    }

    /// Sends a request and returns the response head (the body streams on).
    pub async fn send_streaming(
        &self,
        method: Method,
        path: &str,
        accept: &str,
    ) -> Result<http::Response<Incoming>> {
        let req = self.request(method, path, accept, None, Bytes::new())?;
        let mut send = self.send.clone();
        send.ready().await?;
        Ok(send.send_request(req).await?)
    }

    /// Sends a request and reads the whole body.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        accept: &str,
        content_type: Option<&str>,
        body: Bytes,
    ) -> Result<Reply> {
        let req = self.request(method, path, accept, content_type, body)?;
        let start = Instant::now();
        let mut send = self.send.clone();
        send.ready().await?;
        let resp = send.send_request(req).await?;
        let status = resp.status();
        let body = resp
            .into_body()
            .collect()
            .await
            .map_err(|e| anyhow!("reading the response body: {e}"))?
            .to_bytes();
        Ok(Reply {
            status,
            body,
            elapsed: start.elapsed(),
        })
    }

    pub async fn get(&self, path: &str, accept: &str) -> Result<Reply> {
        self.call(Method::GET, path, accept, None, Bytes::new())
            .await
    }

    pub async fn post_json(&self, path: &str, body: Bytes) -> Result<Reply> {
        self.call(Method::POST, path, JSON, Some(JSON), body).await
    }

    pub async fn merge_patch(&self, path: &str, body: Bytes) -> Result<Reply> {
        self.call(Method::PATCH, path, JSON, Some(MERGE_PATCH), body)
            .await
    }
}

/// A connection that is replaced when a request fails at the connection level, so one dropped
/// connection does not end a long measurement; every replacement is counted and reported.
pub struct Reconnecting {
    dialer: Dialer,
    conn: tokio::sync::Mutex<Conn>,
    reconnects: std::sync::atomic::AtomicU64,
}

impl Reconnecting {
    pub async fn new(dialer: &Dialer) -> Result<Reconnecting> {
        Ok(Reconnecting {
            conn: tokio::sync::Mutex::new(dialer.connect().await?),
            dialer: dialer.clone(),
            reconnects: Default::default(),
        })
    }

    pub fn reconnects(&self) -> u64 {
        self.reconnects.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// GET on the current connection; on a connection error, once more on a new one.
    pub async fn get(&self, path: &str, accept: &str) -> Result<Reply> {
        let conn = self.conn.lock().await.clone();
        match conn.get(path, accept).await {
            Ok(r) => Ok(r),
            Err(e) => {
                eprintln!("GET {path} failed ({e}); retrying once on a new connection");
                self.reconnects
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let fresh = self.dialer.connect().await?;
                *self.conn.lock().await = fresh.clone();
                fresh.get(path, accept).await
            }
        }
    }
}
