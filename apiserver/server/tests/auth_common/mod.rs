//! What the auth tests share: certificate authorities, the real binary under test, an HTTPS
//! client that can present any certificate and headers, a fake kube-apiserver answering
//! TokenReview, SubjectAccessReview and the authentication ConfigMap with real JSON shapes, and
//! a front proxy in the aggregator's place.

#![allow(dead_code)]

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use argo_certs::rustls::pki_types::ServerName;
use argo_certs::rustls::{ClientConfig, RootCertStore, ServerConfig};
use argo_certs::{Ca, CertifiedKey};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::{TlsAcceptor, TlsConnector};

pub const HOUR: Duration = Duration::from_secs(3600);
pub const APPS_TEAM_A: &str = "/apis/argoproj.io/v1alpha1/namespaces/team-a/applications";

pub fn client_cert(ca: &Ca, cn: &str, orgs: &[&str]) -> CertifiedKey {
    ca.issue_client(cn, orgs, HOUR).expect("client certificate")
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// The argo-apiserver binary, stopped on drop.
pub struct ApiServer {
    pub dir: tempfile::TempDir,
    pub port: u16,
    child: Child,
}

impl ApiServer {
    pub fn start(args: &[String]) -> ApiServer {
        let dir = tempfile::tempdir().expect("temp dir");
        let log = std::fs::File::create(dir.path().join("server.log")).expect("log");
        // Port 0: the server picks a free port and logs it, so parallel tests never collide.
        let child = Command::new(env!("CARGO_BIN_EXE_argo-apiserver"))
            .env("RUST_LOG", "info")
            .env("NO_COLOR", "1")
            .arg("serve")
            .arg("--data-dir")
            .arg(dir.path().join("data"))
            .args([
                "--secure-port",
                "0",
                "--webhook-port",
                "0",
                "--shutdown-grace-seconds",
                "1",
            ])
            .args(args)
            .stdout(Stdio::from(log.try_clone().expect("log")))
            .stderr(Stdio::from(log))
            .spawn()
            .expect("start argo-apiserver");
        let mut server = ApiServer {
            dir,
            port: 0,
            child,
        };
        server.wait_listening();
        server
    }

    fn wait_listening(&mut self) {
        for _ in 0..300 {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("argo-apiserver exited ({status}):\n{}", self.log());
            }
            let port = self.log().lines().find_map(|l| {
                let rest = l.split(" serving ").nth(1)?;
                let addr = rest.split("address=").nth(1)?.split_whitespace().next()?;
                addr.parse::<SocketAddr>().ok().map(|a| a.port())
            });
            // Ready as a client would see it: listening, and the default AppProject (a
            // readiness check) created just after start.
            if let Some(port) = port
                && self.log().contains("created the default AppProject")
            {
                self.port = port;
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("argo-apiserver did not start serving:\n{}", self.log());
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }

    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    /// The CA the server generated, which signs its serving certificate (and, standalone, the
    /// client certificates it trusts).
    pub fn ca(&self) -> Ca {
        let pki = self.dir.path().join("data/pki");
        Ca::load(pki.join("ca.crt"), pki.join("ca.key")).expect("generated CA")
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

impl Drop for ApiServer {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("argo-apiserver log:\n{}", self.log());
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `args` and returns the exit status and the output, for a server expected to fail.
pub fn run_to_exit(args: &[String]) -> (bool, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = Command::new(env!("CARGO_BIN_EXE_argo-apiserver"))
        .arg("serve")
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .args([
            "--secure-port",
            &free_port().to_string(),
            "--webhook-port",
            "0",
        ])
        .args(args)
        .output()
        .expect("run argo-apiserver");
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub content_type: String,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {} {}", self.status, self.body))
    }
}

/// One HTTPS request, presenting `cert` (any CA) and `headers`.
pub async fn request(
    addr: SocketAddr,
    server_ca_pem: &str,
    cert: Option<&CertifiedKey>,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
) -> Reply {
    let mut roots = RootCertStore::empty();
    for der in argo_certs::parse_cert_chain(server_ca_pem, "server CA").expect("CA") {
        roots.add(der).expect("root");
    }
    let builder = ClientConfig::builder().with_root_certificates(roots);
    let mut config = match cert {
        Some(c) => builder
            .with_client_auth_cert(
                argo_certs::parse_cert_chain(&c.cert_pem, "cert").expect("cert"),
                argo_certs::parse_private_key(&c.key_pem, "key").expect("key"),
            )
            .expect("client auth"),
        None => builder.with_no_client_auth(),
    };
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    let tcp = TcpStream::connect(addr).await.expect("connect");
    let tls = TlsConnector::from(Arc::new(config))
        .connect(ServerName::try_from("127.0.0.1").expect("name"), tcp)
        .await
        .expect("TLS handshake");
    let (mut send, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tls))
        .await
        .expect("HTTP handshake");
    tokio::spawn(conn);
    let mut req = http::Request::builder()
        .method(method)
        .uri(path)
        .header("host", addr.to_string());
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = send
        .send_request(req.body(Full::new(Bytes::new())).expect("request"))
        .await
        .expect("response");
    let status = resp.status().as_u16();
    let content_type = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let body = resp.into_body().collect().await.expect("body").to_bytes();
    Reply {
        status,
        content_type,
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}

fn tls_server(ca: &Ca, alpn: &[&[u8]]) -> TlsAcceptor {
    let serving = ca
        .issue_serving(
            &["localhost".to_string()],
            &["127.0.0.1".parse().expect("ip")],
            HOUR,
        )
        .expect("serving certificate");
    let mut config = ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(
            argo_certs::parse_cert_chain(&serving.cert_pem, "cert").expect("cert"),
            argo_certs::parse_private_key(&serving.key_pem, "key").expect("key"),
        )
        .expect("server config");
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    TlsAcceptor::from(Arc::new(config))
}

/// Decides a SubjectAccessReview spec: returns the review's `status`.
pub type SarPolicy = dyn Fn(&serde_json::Value) -> serde_json::Value + Send + Sync;

/// kube-apiserver's side of delegated auth.
pub struct FakeKubeState {
    /// `data` of the extension-apiserver-authentication ConfigMap.
    pub configmap_data: Mutex<serde_json::Value>,
    /// token → the TokenReview `status.user`.
    pub tokens: Mutex<Vec<(String, serde_json::Value)>>,
    pub token_reviews: AtomicUsize,
    /// Every SubjectAccessReview spec received, in order.
    pub sars: Mutex<Vec<serde_json::Value>>,
    pub sar_policy: Box<SarPolicy>,
}

pub struct FakeKube {
    pub addr: SocketAddr,
    pub ca: Ca,
    pub state: Arc<FakeKubeState>,
}

impl FakeKube {
    pub async fn start(
        configmap_data: serde_json::Value,
        tokens: Vec<(String, serde_json::Value)>,
        sar_policy: Box<SarPolicy>,
    ) -> FakeKube {
        let ca = Ca::generate("fake-kube-apiserver-ca").expect("CA");
        let acceptor = tls_server(&ca, &[b"http/1.1"]);
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let state = Arc::new(FakeKubeState {
            configmap_data: Mutex::new(configmap_data),
            tokens: Mutex::new(tokens),
            token_reviews: AtomicUsize::new(0),
            sars: Mutex::new(Vec::new()),
            sar_policy,
        });
        let st = state.clone();
        tokio::spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    continue;
                };
                let acceptor = acceptor.clone();
                let st = st.clone();
                tokio::spawn(async move {
                    let Ok(tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let service = service_fn(move |req: http::Request<hyper::body::Incoming>| {
                        let st = st.clone();
                        async move { Ok::<_, Infallible>(fake_kube_answer(&st, req).await) }
                    });
                    let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                        .serve_connection(TokioIo::new(tls), service)
                        .await;
                });
            }
        });
        FakeKube { addr, ca, state }
    }

    /// A kubeconfig for this fake, authenticating with a client certificate as the real
    /// server's service account would.
    pub fn kubeconfig(&self, dir: &Path) -> PathBuf {
        write_kubeconfig_for(
            dir,
            "fake-kube.kubeconfig",
            &format!("https://{}", self.addr),
            &self.ca,
        )
    }

    pub fn sars(&self) -> Vec<serde_json::Value> {
        self.state.sars.lock().expect("lock").clone()
    }

    pub fn token_reviews(&self) -> usize {
        self.state.token_reviews.load(Ordering::SeqCst)
    }
}

/// A kubeconfig for `url` trusting `ca`, with a client certificate from it.
pub fn write_kubeconfig_for(dir: &Path, name: &str, url: &str, ca: &Ca) -> PathBuf {
    let path = dir.join(name);
    let me = client_cert(ca, "system:serviceaccount:argo:argo-apiserver", &[]);
    argo_certs::write_kubeconfig(&path, url, ca.cert_pem(), &me.cert_pem, &me.key_pem, "fake")
        .expect("kubeconfig");
    path
}

fn json_response(code: u16, value: &serde_json::Value) -> http::Response<Full<Bytes>> {
    http::Response::builder()
        .status(code)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(value.to_string())))
        .expect("response")
}

async fn fake_kube_answer(
    st: &FakeKubeState,
    req: http::Request<hyper::body::Incoming>,
) -> http::Response<Full<Bytes>> {
    let path = req.uri().path().to_string();
    let method = req.method().clone();
    let body = req
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let object: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    match (method.as_str(), path.as_str()) {
        ("GET", "/api/v1/namespaces/kube-system/configmaps/extension-apiserver-authentication") => {
            let data = st.configmap_data.lock().expect("lock").clone();
            json_response(
                200,
                &serde_json::json!({
                    "apiVersion": "v1", "kind": "ConfigMap",
                    "metadata": {"name": "extension-apiserver-authentication", "namespace": "kube-system"},
                    "data": data,
                }),
            )
        }
        ("POST", "/apis/authentication.k8s.io/v1/tokenreviews") => {
            st.token_reviews.fetch_add(1, Ordering::SeqCst);
            let token = object["spec"]["token"].as_str().unwrap_or("").to_string();
            let user = st
                .tokens
                .lock()
                .expect("lock")
                .iter()
                .find(|(t, _)| *t == token)
                .map(|(_, u)| u.clone());
            let status = match user {
                Some(u) => serde_json::json!({"authenticated": true, "user": u, "audiences": []}),
                None => serde_json::json!({"authenticated": false, "error": "token not found"}),
            };
            let mut answer = object.clone();
            answer["status"] = status;
            json_response(201, &answer)
        }
        ("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews") => {
            let spec = object["spec"].clone();
            st.sars.lock().expect("lock").push(spec.clone());
            let mut answer = object.clone();
            answer["status"] = (st.sar_policy)(&spec);
            json_response(201, &answer)
        }
        _ => json_response(
            404,
            &serde_json::json!({"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "NotFound", "code": 404}),
        ),
    }
}

/// A front proxy in the aggregator's place: serves TLS to clients, maps their bearer token to a
/// user, drops any identity headers they sent, and calls the server with the front-proxy
/// client certificate and X-Remote-* headers.
pub struct FrontProxy {
    pub addr: SocketAddr,
    pub ca: Ca,
}

impl FrontProxy {
    pub async fn start(
        upstream: SocketAddr,
        upstream_ca_pem: String,
        proxy_cert: CertifiedKey,
        users: Vec<(String, String, Vec<String>)>,
    ) -> FrontProxy {
        let ca = Ca::generate("front-proxy-serving-ca").expect("CA");
        let acceptor = tls_server(&ca, &[b"http/1.1"]);
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let mut roots = RootCertStore::empty();
        for der in argo_certs::parse_cert_chain(&upstream_ca_pem, "CA").expect("CA") {
            roots.add(der).expect("root");
        }
        let mut config = ClientConfig::builder()
            .with_root_certificates(roots)
            .with_client_auth_cert(
                argo_certs::parse_cert_chain(&proxy_cert.cert_pem, "cert").expect("cert"),
                argo_certs::parse_private_key(&proxy_cert.key_pem, "key").expect("key"),
            )
            .expect("client auth");
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        let connector = TlsConnector::from(Arc::new(config));
        let users = Arc::new(users);
        tokio::spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    continue;
                };
                let acceptor = acceptor.clone();
                let connector = connector.clone();
                let users = users.clone();
                tokio::spawn(async move {
                    let Ok(tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let service = service_fn(move |req: http::Request<hyper::body::Incoming>| {
                        let connector = connector.clone();
                        let users = users.clone();
                        async move {
                            Ok::<_, Infallible>(proxy_one(req, upstream, connector, &users).await)
                        }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(tls), service)
                        .await;
                });
            }
        });
        FrontProxy { addr, ca }
    }
}

async fn proxy_one(
    req: http::Request<hyper::body::Incoming>,
    upstream: SocketAddr,
    connector: TlsConnector,
    users: &[(String, String, Vec<String>)],
) -> http::Response<http_body_util::combinators::BoxBody<Bytes, hyper::Error>> {
    let (mut parts, body) = req.into_parts();
    let token = parts
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_string);
    // As the aggregator does: client-supplied identity headers never pass.
    let spoofed: Vec<_> = parts
        .headers
        .keys()
        .filter(|k| k.as_str().starts_with("x-remote-"))
        .cloned()
        .collect();
    for k in spoofed {
        parts.headers.remove(k);
    }
    parts.headers.remove("authorization");
    if let Some((_, user, groups)) = users.iter().find(|(t, _, _)| Some(t) == token.as_ref()) {
        parts
            .headers
            .insert("x-remote-user", user.parse().expect("header"));
        for g in groups {
            parts
                .headers
                .append("x-remote-group", g.parse().expect("header"));
        }
    }
    let fail = |msg: String| {
        http::Response::builder()
            .status(502)
            .body(Full::new(Bytes::from(msg)).map_err(|e| match e {}).boxed())
            .expect("response")
    };
    let Ok(tcp) = TcpStream::connect(upstream).await else {
        return fail("upstream unreachable".into());
    };
    let Ok(tls) = connector
        .connect(ServerName::try_from("127.0.0.1").expect("name"), tcp)
        .await
    else {
        return fail("upstream TLS failed".into());
    };
    let Ok((mut send, conn)) = hyper::client::conn::http1::handshake(TokioIo::new(tls)).await
    else {
        return fail("upstream HTTP failed".into());
    };
    tokio::spawn(conn);
    match send
        .send_request(http::Request::from_parts(parts, body))
        .await
    {
        Ok(resp) => resp.map(|b| b.boxed()),
        Err(e) => fail(e.to_string()),
    }
}

/// The ConfigMap data kube-apiserver would publish for these CAs.
pub fn configmap_data(client_ca: &Ca, requestheader_ca: &Ca) -> serde_json::Value {
    serde_json::json!({
        "client-ca-file": client_ca.cert_pem(),
        "requestheader-client-ca-file": requestheader_ca.cert_pem(),
        "requestheader-allowed-names": "[\"front-proxy-client\"]",
        "requestheader-username-headers": "[\"X-Remote-User\"]",
        "requestheader-uid-headers": "[\"X-Remote-Uid\"]",
        "requestheader-group-headers": "[\"X-Remote-Group\"]",
        "requestheader-extra-headers-prefix": "[\"X-Remote-Extra-\"]",
    })
}

pub fn kubectl_path() -> PathBuf {
    std::env::var_os("ARGO_KUBECTL_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/lib/google-cloud-sdk/bin"))
        .join("kubectl.1.33")
}
