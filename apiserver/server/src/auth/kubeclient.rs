//! A small HTTPS client for the few kube-apiserver calls delegated auth makes (TokenReview,
//! SubjectAccessReview, the authentication ConfigMap), configured from a kubeconfig or from the
//! in-cluster service account.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use argo_certs::rustls::pki_types::ServerName;
use argo_certs::rustls::{ClientConfig, RootCertStore};
use base64::Engine;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1;
use hyper_util::rt::TokioIo;
use serde::Deserialize;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

/// kube's webhook client timeout for TokenReview and SubjectAccessReview.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

const SERVICE_ACCOUNT_DIR: &str = "/var/run/secrets/kubernetes.io/serviceaccount";

#[derive(Debug, thiserror::Error)]
pub enum KubeClientError {
    #[error("reading {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("kubeconfig {path}: {message}")]
    Kubeconfig { path: PathBuf, message: String },
    #[error("TLS configuration: {0}")]
    Tls(String),
    #[error("invalid server URL {0:?}")]
    Url(String),
    #[error("{0}")]
    Transport(String),
    #[error("request timed out after {0:?}")]
    Timeout(Duration),
    #[error("the server responded {code}: {body}")]
    Status { code: u16, body: String },
}

/// Where and how to reach kube-apiserver.
pub struct KubeClient {
    host: String,
    port: u16,
    server_name: ServerName<'static>,
    authority: String,
    tls: TlsConnector,
    bearer_token: Option<String>,
    /// One kept-alive connection, reused while idle; concurrent calls open their own.
    idle: tokio::sync::Mutex<Option<http1::SendRequest<Full<Bytes>>>>,
}

impl std::fmt::Debug for KubeClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KubeClient")
            .field("server", &self.authority)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
struct KubeconfigFile {
    #[serde(default)]
    clusters: Vec<Named<ClusterEntry>>,
    #[serde(default)]
    users: Vec<Named<UserEntry>>,
    #[serde(default)]
    contexts: Vec<Named<ContextEntry>>,
    #[serde(default)]
    current_context: String,
}

#[derive(Debug, Deserialize)]
struct Named<T> {
    name: String,
    #[serde(alias = "cluster", alias = "user", alias = "context")]
    value: T,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
struct ClusterEntry {
    server: String,
    certificate_authority: Option<PathBuf>,
    certificate_authority_data: Option<String>,
    tls_server_name: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
struct UserEntry {
    client_certificate: Option<PathBuf>,
    client_certificate_data: Option<String>,
    client_key: Option<PathBuf>,
    client_key_data: Option<String>,
    token: Option<String>,
    token_file: Option<PathBuf>,
}

#[derive(Debug, Default, Deserialize)]
struct ContextEntry {
    cluster: String,
    #[serde(default)]
    user: String,
}

fn read(path: &Path) -> Result<String, KubeClientError> {
    std::fs::read_to_string(path).map_err(|source| KubeClientError::Read {
        path: path.to_path_buf(),
        source,
    })
}

impl KubeClient {
    /// The cluster and user of a kubeconfig's current context (file references are relative to
    /// the kubeconfig's directory, as kubectl reads them).
    pub fn from_kubeconfig(path: &Path) -> Result<KubeClient, KubeClientError> {
        let bad = |message: String| KubeClientError::Kubeconfig {
            path: path.to_path_buf(),
            message,
        };
        let file: KubeconfigFile =
            serde_yaml::from_str(&read(path)?).map_err(|e| bad(e.to_string()))?;
        let context = file
            .contexts
            .iter()
            .find(|c| c.name == file.current_context)
            .or_else(|| file.contexts.first())
            .ok_or_else(|| bad("no context".into()))?;
        let cluster = file
            .clusters
            .iter()
            .find(|c| c.name == context.value.cluster)
            .ok_or_else(|| bad(format!("no cluster {:?}", context.value.cluster)))?;
        let user = file.users.iter().find(|u| u.name == context.value.user);
        let dir = path.parent().unwrap_or(Path::new("."));
        let data_or_file = |data: &Option<String>,
                            file: &Option<PathBuf>,
                            what: &str|
         -> Result<Option<String>, KubeClientError> {
            if let Some(d) = data {
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(d.trim())
                    .map_err(|e| bad(format!("{what}: {e}")))?;
                return String::from_utf8(bytes)
                    .map(Some)
                    .map_err(|e| bad(format!("{what}: {e}")));
            }
            match file {
                Some(f) => read(&dir.join(f)).map(Some),
                None => Ok(None),
            }
        };
        let c = &cluster.value;
        let ca = data_or_file(
            &c.certificate_authority_data,
            &c.certificate_authority,
            "certificate-authority",
        )?;
        let (cert, key, token) = match user {
            Some(u) => {
                let u = &u.value;
                let token = match (&u.token, &u.token_file) {
                    (Some(t), _) => Some(t.clone()),
                    (None, Some(f)) => Some(read(&dir.join(f))?.trim().to_string()),
                    (None, None) => None,
                };
                (
                    data_or_file(
                        &u.client_certificate_data,
                        &u.client_certificate,
                        "client-certificate",
                    )?,
                    data_or_file(&u.client_key_data, &u.client_key, "client-key")?,
                    token,
                )
            }
            None => (None, None, None),
        };
        let client_cert = match (cert, key) {
            (Some(c), Some(k)) => Some((c, k)),
            _ => None,
        };
        KubeClient::new(
            &c.server,
            ca.as_deref(),
            client_cert,
            token,
            c.tls_server_name.as_deref(),
        )
    }

    /// The in-cluster service account, when this process runs in a pod.
    pub fn in_cluster() -> Option<Result<KubeClient, KubeClientError>> {
        let host = std::env::var("KUBERNETES_SERVICE_HOST").ok()?;
        let port = std::env::var("KUBERNETES_SERVICE_PORT").unwrap_or_else(|_| "443".into());
        let dir = Path::new(SERVICE_ACCOUNT_DIR);
        if host.is_empty() || !dir.join("token").exists() {
            return None;
        }
        let host = if host.contains(':') {
            format!("[{host}]")
        } else {
            host
        };
        Some((|| {
            let token = read(&dir.join("token"))?.trim().to_string();
            let ca = read(&dir.join("ca.crt"))?;
            KubeClient::new(
                &format!("https://{host}:{port}"),
                Some(&ca),
                None,
                Some(token),
                None,
            )
        })())
    }

    pub fn new(
        server: &str,
        ca_pem: Option<&str>,
        client_cert: Option<(String, String)>,
        bearer_token: Option<String>,
        tls_server_name: Option<&str>,
    ) -> Result<KubeClient, KubeClientError> {
        let url = server.trim_end_matches('/');
        let rest = url
            .strip_prefix("https://")
            .ok_or_else(|| KubeClientError::Url(server.into()))?;
        let authority = rest.split('/').next().unwrap_or(rest).to_string();
        let (host, port) =
            split_host_port(&authority).ok_or_else(|| KubeClientError::Url(server.into()))?;
        let name = tls_server_name.unwrap_or(&host).to_string();
        let server_name =
            ServerName::try_from(name).map_err(|_| KubeClientError::Url(server.into()))?;
        let mut roots = RootCertStore::empty();
        if let Some(ca) = ca_pem {
            let chain = argo_certs::parse_cert_chain(ca, "certificate authority")
                .map_err(|e| KubeClientError::Tls(e.to_string()))?;
            for der in chain {
                roots
                    .add(der)
                    .map_err(|e| KubeClientError::Tls(e.to_string()))?;
            }
        }
        let builder = ClientConfig::builder().with_root_certificates(roots);
        let mut config = match client_cert {
            Some((cert, key)) => {
                let chain = argo_certs::parse_cert_chain(&cert, "client certificate")
                    .map_err(|e| KubeClientError::Tls(e.to_string()))?;
                let key = argo_certs::parse_private_key(&key, "client key")
                    .map_err(|e| KubeClientError::Tls(e.to_string()))?;
                builder
                    .with_client_auth_cert(chain, key)
                    .map_err(|e| KubeClientError::Tls(e.to_string()))?
            }
            None => builder.with_no_client_auth(),
        };
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(KubeClient {
            host,
            port,
            server_name,
            authority,
            tls: TlsConnector::from(Arc::new(config)),
            bearer_token,
            idle: tokio::sync::Mutex::new(None),
        })
    }

    async fn connect(&self) -> Result<http1::SendRequest<Full<Bytes>>, KubeClientError> {
        let tcp = TcpStream::connect((self.host.as_str(), self.port))
            .await
            .map_err(|e| KubeClientError::Transport(format!("dial {}: {e}", self.authority)))?;
        let _ = tcp.set_nodelay(true);
        let tls = self
            .tls
            .connect(self.server_name.clone(), tcp)
            .await
            .map_err(|e| KubeClientError::Transport(format!("TLS to {}: {e}", self.authority)))?;
        let (send, conn) = http1::handshake(TokioIo::new(tls))
            .await
            .map_err(|e| KubeClientError::Transport(e.to_string()))?;
        tokio::spawn(async move {
            let _ = conn.await;
        });
        Ok(send)
    }

    /// One request with a JSON body (or none); the response body when the status is 2xx.
    pub async fn request(
        &self,
        method: http::Method,
        path: &str,
        body: Option<Vec<u8>>,
    ) -> Result<Bytes, KubeClientError> {
        tokio::time::timeout(REQUEST_TIMEOUT, self.request_inner(method, path, body))
            .await
            .map_err(|_| KubeClientError::Timeout(REQUEST_TIMEOUT))?
    }

    async fn request_inner(
        &self,
        method: http::Method,
        path: &str,
        body: Option<Vec<u8>>,
    ) -> Result<Bytes, KubeClientError> {
        let mut reused = self.idle.lock().await.take();
        if let Some(s) = reused.as_mut()
            && s.ready().await.is_err()
        {
            reused = None;
        }
        let mut send = match reused {
            Some(s) => s,
            None => self.connect().await?,
        };
        let mut req = http::Request::builder()
            .method(method)
            .uri(path)
            .header(http::header::HOST, &self.authority)
            .header(http::header::ACCEPT, "application/json")
            .header(http::header::USER_AGENT, "argo-apiserver");
        if body.is_some() {
            req = req.header(http::header::CONTENT_TYPE, "application/json");
        }
        if let Some(t) = &self.bearer_token {
            req = req.header(http::header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let req = req
            .body(Full::new(Bytes::from(body.unwrap_or_default())))
            .map_err(|e| KubeClientError::Transport(e.to_string()))?;
        let resp = send
            .send_request(req)
            .await
            .map_err(|e| KubeClientError::Transport(e.to_string()))?;
        let code = resp.status().as_u16();
        let bytes = resp
            .into_body()
            .collect()
            .await
            .map_err(|e| KubeClientError::Transport(e.to_string()))?
            .to_bytes();
        *self.idle.lock().await = Some(send);
        if !(200..300).contains(&code) {
            return Err(KubeClientError::Status {
                code,
                body: String::from_utf8_lossy(&bytes).chars().take(512).collect(),
            });
        }
        Ok(bytes)
    }

    /// POSTs a review object and returns the answered object.
    pub async fn create<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        object: &serde_json::Value,
    ) -> Result<T, KubeClientError> {
        let body =
            serde_json::to_vec(object).map_err(|e| KubeClientError::Transport(e.to_string()))?;
        let bytes = self.request(http::Method::POST, path, Some(body)).await?;
        serde_json::from_slice(&bytes)
            .map_err(|e| KubeClientError::Transport(format!("decoding the response: {e}")))
    }
}

fn split_host_port(authority: &str) -> Option<(String, u16)> {
    if let Some(rest) = authority.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        let port = match after.strip_prefix(':') {
            Some(p) => p.parse().ok()?,
            None => 443,
        };
        return Some((host.to_string(), port));
    }
    match authority.rsplit_once(':') {
        Some((h, p)) => Some((h.to_string(), p.parse().ok()?)),
        None => Some((authority.to_string(), 443)),
    }
}

#[cfg(test)]
mod tests {
    use super::split_host_port;

    #[test]
    fn host_and_port() {
        assert_eq!(
            split_host_port("10.0.0.1:6443"),
            Some(("10.0.0.1".into(), 6443))
        );
        assert_eq!(
            split_host_port("kubernetes"),
            Some(("kubernetes".into(), 443))
        );
        assert_eq!(split_host_port("[::1]:8443"), Some(("::1".into(), 8443)));
        assert_eq!(split_host_port("host:x"), None);
    }
}
