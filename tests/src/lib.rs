//! Shared harness for the black-box tests in `tests/tests/`: builds and starts the real
//! `argo-apiserver` binary on a free 127.0.0.1 port with a fresh data directory (embedded store,
//! or a real etcd started here), and runs the real kubectl against it.

use std::io;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use argo_apiserver_storage::testing::EtcdProcess;

/// Which storage the server under test uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Embedded,
    Etcd,
}

/// kubectl versions the tests drive (client-go behaviour differs between them).
pub const KUBECTL_VERSIONS: &[&str] = &["1.27", "1.33"];

/// The kubectl binary of a version, e.g. `1.27`.
pub fn kubectl_path(version: &str) -> PathBuf {
    let dir = std::env::var_os("ARGO_KUBECTL_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/lib/google-cloud-sdk/bin"));
    dir.join(format!("kubectl.{version}"))
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Builds the server binary once per test process (a no-op when it is up to date) and returns
/// its path.
pub fn server_binary() -> PathBuf {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .args([
                "build",
                "-q",
                "-p",
                "argo-apiserver",
                "--bin",
                "argo-apiserver",
            ])
            .current_dir(workspace_root())
            .status()
            .expect("run cargo build for the server binary");
        assert!(status.success(), "building argo-apiserver failed");
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| workspace_root().join("target"));
        target.join("debug").join("argo-apiserver")
    })
    .clone()
}

/// A free TCP port on 127.0.0.1.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A running server and everything it needs; stopped (and its data removed) on drop.
pub struct Server {
    child: Option<Child>,
    pub dir: tempfile::TempDir,
    pub port: u16,
    /// The admission webhooks' HTTPS port.
    pub webhook_port: u16,
    pub backend: Backend,
    pub etcd: Option<EtcdProcess>,
    /// etcd endpoints of a cluster started elsewhere (see [`Server::start_on_etcd`]).
    etcd_endpoints: Vec<String>,
    extra_args: Vec<String>,
    envs: Vec<(String, String)>,
    policy: Option<String>,
}

/// How to start a server.
#[derive(Clone, Debug, Default)]
pub struct ServerOptions {
    pub extra_args: Vec<String>,
    pub envs: Vec<(String, String)>,
    /// A standalone authorization policy (the YAML rules of `--authorization-policy-file`),
    /// written into the server's directory.
    pub policy: Option<String>,
}

impl Server {
    pub fn start(backend: Backend) -> Server {
        Self::start_with(backend, ServerOptions::default())
    }

    pub fn start_with(backend: Backend, opts: ServerOptions) -> Server {
        let dir = tempfile::tempdir().expect("temp dir");
        let etcd = match backend {
            Backend::Embedded => None,
            Backend::Etcd => Some(EtcdProcess::start().expect("start etcd")),
        };
        let mut server = Server {
            child: None,
            dir,
            port: free_port(),
            webhook_port: free_port(),
            backend,
            etcd,
            etcd_endpoints: Vec::new(),
            extra_args: opts.extra_args,
            envs: opts.envs,
            policy: opts.policy,
        };
        server.spawn();
        server
    }

    /// Starts a server on an etcd cluster the caller owns (e.g. an `EtcdCluster`), so that
    /// several servers can share it as replicas. `server.etcd` is None.
    pub fn start_on_etcd(endpoints: Vec<String>, opts: ServerOptions) -> Server {
        assert!(!endpoints.is_empty(), "no etcd endpoints");
        let mut server = Server {
            child: None,
            dir: tempfile::tempdir().expect("temp dir"),
            port: free_port(),
            webhook_port: free_port(),
            backend: Backend::Etcd,
            etcd: None,
            etcd_endpoints: endpoints,
            extra_args: opts.extra_args,
            envs: opts.envs,
            policy: opts.policy,
        };
        server.spawn();
        server
    }

    fn spawn(&mut self) {
        let mut cmd = Command::new(server_binary());
        cmd.arg("serve")
            .arg("--data-dir")
            .arg(self.data_dir())
            .arg("--secure-port")
            .arg(self.port.to_string())
            .arg("--shutdown-grace-seconds")
            .arg("2")
            .arg("--webhook-port")
            .arg(self.webhook_port.to_string())
            .arg("--testing-clock-file")
            .arg(self.clock_path());
        if let Some(etcd) = &self.etcd {
            cmd.args(["--storage", "etcd", "--etcd-servers", &etcd.endpoint()]);
        } else if !self.etcd_endpoints.is_empty() {
            let servers = self.etcd_endpoints.join(",");
            cmd.args(["--storage", "etcd", "--etcd-servers", &servers]);
        }
        if let Some(policy) = &self.policy {
            let file = self.dir.path().join("policy.yaml");
            std::fs::write(&file, policy).expect("write the policy file");
            cmd.arg("--authorization-policy-file").arg(file);
        }
        cmd.args(&self.extra_args);
        for (k, v) in &self.envs {
            cmd.env(k, v);
        }
        let log = std::fs::File::create(self.log_path()).expect("log file");
        let log2 = log.try_clone().expect("log file");
        cmd.stdout(Stdio::from(log)).stderr(Stdio::from(log2));
        self.child = Some(cmd.spawn().expect("start argo-apiserver"));
        self.wait_ready(Duration::from_secs(60));
    }

    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// The file the server reads "now" from (absent: the machine's clock).
    pub fn clock_path(&self) -> PathBuf {
        self.dir.path().join("clock")
    }

    /// Sets the server's clock to `rfc3339` (for sync windows at their edges).
    pub fn set_clock(&self, rfc3339: &str) {
        std::fs::write(self.clock_path(), rfc3339).expect("write the clock file");
    }

    /// Back to the machine's clock.
    pub fn clear_clock(&self) {
        let _ = std::fs::remove_file(self.clock_path());
    }

    /// A client certificate for `user` in `groups`, issued from the server's CA with
    /// `argo-apiserver certs client`: the directory holding `tls.crt` and `tls.key`.
    pub fn client_cert(&self, user: &str, groups: &[&str]) -> PathBuf {
        let out = self.dir.path().join(format!("user-{user}"));
        let mut cmd = Command::new(server_binary());
        cmd.args(["certs", "client", "--ca-dir"])
            .arg(self.data_dir().join("pki"))
            .args(["--user", user, "--out-dir"])
            .arg(&out);
        for g in groups {
            cmd.args(["--group", g]);
        }
        let o = cmd.output().expect("run certs client");
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        out
    }

    /// The webhooks' base URL.
    pub fn webhook_url(&self) -> String {
        format!("https://127.0.0.1:{}", self.webhook_port)
    }

    pub fn log_path(&self) -> PathBuf {
        self.dir.path().join("server.log")
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.log_path()).unwrap_or_default()
    }

    pub fn kubeconfig(&self) -> PathBuf {
        self.data_dir().join("kubeconfig")
    }

    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    pub fn url(&self) -> String {
        format!("https://127.0.0.1:{}", self.port)
    }

    /// Paths of the CA, admin certificate and key the server generated.
    pub fn pki(&self) -> (PathBuf, PathBuf, PathBuf) {
        let pki = self.data_dir().join("pki");
        (
            pki.join("ca.crt"),
            pki.join("admin.crt"),
            pki.join("admin.key"),
        )
    }

    fn wait_ready(&mut self, limit: Duration) {
        let start = Instant::now();
        loop {
            if let Some(child) = self.child.as_mut()
                && let Ok(Some(status)) = child.try_wait()
            {
                panic!("argo-apiserver exited early ({status}):\n{}", self.log());
            }
            if TcpStream::connect_timeout(&self.addr(), Duration::from_millis(200)).is_ok()
                && self.kubeconfig().exists()
            {
                let out = self.kubectl("1.33", &["get", "--raw", "/readyz"]);
                if out.status.success() {
                    return;
                }
            }
            if start.elapsed() > limit {
                panic!("argo-apiserver not ready after {limit:?}:\n{}", self.log());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Runs kubectl `version` (`1.27`, `1.33`) with this server's kubeconfig.
    pub fn kubectl(&self, version: &str, args: &[&str]) -> Output {
        self.kubectl_cmd(version)
            .args(args)
            .output()
            .expect("run kubectl")
    }

    /// A kubectl command with this server's kubeconfig, to add arguments, env or stdin to.
    pub fn kubectl_cmd(&self, version: &str) -> Command {
        let mut cmd = Command::new(kubectl_path(version));
        cmd.arg("--kubeconfig")
            .arg(self.kubeconfig())
            // Each test has its own cache, so discovery is never stale across servers.
            .arg("--cache-dir")
            .arg(self.dir.path().join(format!("kube-cache-{version}")));
        cmd
    }

    /// Runs kubectl and returns stdout, panicking with stdout and stderr on failure.
    pub fn kubectl_ok(&self, version: &str, args: &[&str]) -> String {
        let out = self.kubectl(version, args);
        assert!(
            out.status.success(),
            "kubectl {version} {args:?} failed:\nstdout: {}\nstderr: {}\nserver log tail:\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
            tail(&self.log(), 30)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Runs kubectl expecting failure; returns stderr.
    pub fn kubectl_err(&self, version: &str, args: &[&str]) -> String {
        let out = self.kubectl(version, args);
        assert!(
            !out.status.success(),
            "kubectl {version} {args:?} unexpectedly succeeded:\n{}",
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8_lossy(&out.stderr).into_owned()
    }

    /// SIGTERM, then wait for a clean exit; returns whether it exited successfully.
    pub fn terminate(&mut self) -> io::Result<bool> {
        let Some(mut child) = self.child.take() else {
            return Ok(true);
        };
        signal(&child, libc::SIGTERM);
        let start = Instant::now();
        loop {
            if let Some(status) = child.try_wait()? {
                return Ok(status.success());
            }
            if start.elapsed() > Duration::from_secs(30) {
                let _ = child.kill();
                let _ = child.wait();
                return Ok(false);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The server process's pid while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Whether the server process is running.
    pub fn is_running(&mut self) -> bool {
        self.child
            .as_mut()
            .is_some_and(|c| matches!(c.try_wait(), Ok(None)))
    }

    /// SIGKILL.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server again on the same port and data.
    pub fn restart(&mut self) {
        self.kill();
        self.spawn();
    }
}

fn signal(child: &Child, sig: i32) {
    if let Ok(pid) = i32::try_from(child.id()) {
        // SAFETY: kill(2) on a pid we own; no memory is involved.
        unsafe {
            libc::kill(pid, sig);
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The last `n` lines of `text`.
pub fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// Writes `contents` to a file in the server's temp dir and returns its path.
pub fn write_file(server: &Server, name: &str, contents: &str) -> PathBuf {
    let p = server.dir.path().join(name);
    std::fs::write(&p, contents).expect("write file");
    p
}

/// The path of a manifest under `tests/tests/fixtures/`.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("fixtures")
        .join(name)
}

/// The text of a fixture manifest.
pub fn fixture_text(name: &str) -> String {
    std::fs::read_to_string(fixture(name)).expect("read fixture")
}

/// A fixture written to the server's temp dir with every `from` replaced by `to` (to give each
/// kubectl version its own object names); returns the new file's path as a string.
pub fn fixture_as(
    server: &Server,
    name: &str,
    file: &str,
    replacements: &[(&str, &str)],
) -> String {
    let mut text = fixture_text(name);
    for (from, to) in replacements {
        text = text.replace(from, to);
    }
    write_file(server, file, &text)
        .to_string_lossy()
        .into_owned()
}

/// Parses JSON printed by a client, panicking with the text when it is not JSON.
pub fn parse_json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}):\n{text}"))
}

/// A short tag for a kubectl version, usable in object names: `1.27` → `127`.
pub fn version_tag(version: &str) -> String {
    version.replace('.', "")
}

/// An HTTP response read by [`Server::raw`].
#[derive(Debug)]
pub struct RawResponse {
    pub code: u16,
    /// Header lines of the final response, as sent.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl RawResponse {
    /// Asserts a failure `Status` with `code`, `reason` and exactly `message`.
    pub fn assert_status(&self, code: u16, reason: &str, message: &str) {
        assert_eq!(self.status(code, reason), message, "{}", self.body);
    }

    /// Asserts a failure `Status` with `code` and `reason`; returns its message.
    pub fn status(&self, code: u16, reason: &str) -> String {
        assert_eq!(self.code, code, "{self:?}");
        let s = self.json();
        assert_eq!(s["kind"], "Status", "{self:?}");
        assert_eq!(s["apiVersion"], "v1", "{self:?}");
        assert_eq!(s["status"], "Failure", "{self:?}");
        assert_eq!(s["code"], code, "{self:?}");
        assert_eq!(s["reason"], reason, "{self:?}");
        s["message"].as_str().unwrap_or_default().to_string()
    }

    /// The first header of that name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON (a `Status` for errors).
    pub fn json(&self) -> serde_json::Value {
        parse_json(&self.body)
    }
}

impl Server {
    /// Runs kubectl with `-o json` appended and parses what it prints.
    pub fn kubectl_json(&self, version: &str, args: &[&str]) -> serde_json::Value {
        let mut all = args.to_vec();
        all.extend(["-o", "json"]);
        parse_json(&self.kubectl_ok(version, &all))
    }

    /// Sends one request with curl and the admin client certificate, with an exact body (from
    /// a file, so large bodies need no command line) and Content-Type. Gives up after two
    /// minutes, so a hung request fails the test instead of hanging it.
    pub fn raw(
        &self,
        method: &str,
        path: &str,
        content_type: Option<&str>,
        body: Option<&Path>,
    ) -> RawResponse {
        let (_, cert, key) = self.pki();
        self.raw_as((&cert, &key), method, path, content_type, body)
    }

    /// POSTs `body` as JSON as the user whose certificate directory `user` is (from
    /// [`Server::client_cert`]).
    pub fn post_json_as(&self, user: &Path, path: &str, body: &serde_json::Value) -> RawResponse {
        let (cert, key) = (user.join("tls.crt"), user.join("tls.key"));
        let body = body.to_string();
        self.send_as(
            (&cert, &key),
            "POST",
            path,
            "application/json",
            body.as_bytes(),
        )
    }

    /// As [`Server::raw_as`], with the body given as bytes (written to a file of its own).
    pub fn send_as(
        &self,
        cert: (&Path, &Path),
        method: &str,
        path: &str,
        content_type: &str,
        body: &[u8],
    ) -> RawResponse {
        let file = self.scratch_file("raw-body");
        std::fs::write(&file, body).expect("write the request body");
        let r = self.raw_as(cert, method, path, Some(content_type), Some(&file));
        let _ = std::fs::remove_file(&file);
        r
    }

    /// A new file name in the server's directory: requests may be sent from several threads.
    fn scratch_file(&self, prefix: &str) -> PathBuf {
        static FILES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = FILES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.dir.path().join(format!("{prefix}-{n}"))
    }

    /// As [`Server::raw`], with another client certificate and key, to a path on the main port
    /// or to a full `https://` URL (another port).
    pub fn raw_as(
        &self,
        (cert, key): (&Path, &Path),
        method: &str,
        path: &str,
        content_type: Option<&str>,
        body: Option<&Path>,
    ) -> RawResponse {
        let (ca, _, _) = self.pki();
        let out_file = self.scratch_file("raw-response");
        let header_file = self.scratch_file("raw-headers");
        let mut cmd = Command::new("curl");
        cmd.arg("-sS")
            .args(["--max-time", "120", "-D"])
            .arg(&header_file)
            .arg("--cacert")
            .arg(&ca)
            .arg("--cert")
            .arg(cert)
            .arg("--key")
            .arg(key)
            .args(["-X", method, "-o"])
            .arg(&out_file)
            .args(["-w", "%{http_code}"]);
        if let Some(ct) = content_type {
            cmd.arg("-H").arg(format!("Content-Type: {ct}"));
        }
        if let Some(body) = body {
            let mut arg = std::ffi::OsString::from("@");
            arg.push(body);
            cmd.arg("--data-binary").arg(arg);
        }
        if path.starts_with("https://") {
            cmd.arg(path);
        } else {
            cmd.arg(format!("{}{path}", self.url()));
        }
        let out = cmd.output().expect("run curl");
        let code = String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse()
            .unwrap_or(0);
        assert!(
            code != 0,
            "curl {method} {path} got no response: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let body = std::fs::read_to_string(&out_file).unwrap_or_default();
        let head = std::fs::read_to_string(&header_file).unwrap_or_default();
        let _ = std::fs::remove_file(&out_file);
        let _ = std::fs::remove_file(&header_file);
        // After a `100 Continue` comes the final response's block: keep only the last one.
        let last = head
            .trim_end()
            .rsplit("\r\n\r\n")
            .next()
            .unwrap_or_default();
        let headers = last
            .lines()
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
            .collect();
        RawResponse {
            code,
            headers,
            body,
        }
    }

    /// Starts a long-running kubectl (e.g. `get -w`) whose stdout lines can be awaited.
    pub fn kubectl_spawn(&self, version: &str, args: &[&str]) -> KubectlChild {
        let mut child = self
            .kubectl_cmd(version)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start kubectl");
        let (tx, rx) = std::sync::mpsc::channel();
        let stdout = child.stdout.take().expect("piped stdout");
        std::thread::spawn(move || {
            use std::io::BufRead;
            for line in io::BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        KubectlChild {
            child,
            lines: rx,
            seen: Vec::new(),
        }
    }
}

/// A running kubectl whose stdout is read line by line; killed on drop.
pub struct KubectlChild {
    child: Child,
    lines: std::sync::mpsc::Receiver<String>,
    /// Every line read so far.
    pub seen: Vec<String>,
}

impl KubectlChild {
    /// Reads lines until one satisfies `pred` (returned) or `limit` passes (None).
    pub fn wait_for_line(
        &mut self,
        limit: Duration,
        pred: impl Fn(&str) -> bool,
    ) -> Option<String> {
        let deadline = Instant::now() + limit;
        loop {
            let left = deadline.checked_duration_since(Instant::now())?;
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if pred(&line) {
                        return Some(line);
                    }
                }
                Err(_) => return None,
            }
        }
    }

    /// Kills kubectl and returns what it wrote to stderr.
    pub fn stop(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let mut err = String::new();
        if let Some(mut e) = self.child.stderr.take() {
            use std::io::Read;
            let _ = e.read_to_string(&mut err);
        }
        err
    }
}

impl Drop for KubectlChild {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The finalizer the tests hold objects with.
pub const HOLD_FINALIZER: &str = "example.com/hold";

/// Creates the AppProject fixture as `name` in `argocd` (through `file` in the server's temp dir)
/// and puts [`HOLD_FINALIZER`] on it, so a delete only marks it. Returns the manifest's path.
pub fn create_held_project(server: &Server, v: &str, name: &str, file: &str) -> String {
    let path = fixture_as(
        server,
        "appproject.yaml",
        file,
        &[("name: team-a", &format!("name: {name}"))],
    );
    server.kubectl_ok(v, &["create", "-f", &path]);
    let patch = format!(r#"{{"metadata":{{"finalizers":["{HOLD_FINALIZER}"]}}}}"#);
    server.kubectl_ok(
        v,
        &[
            "patch", "appproj", name, "-n", "argocd", "--type", "merge", "-p", &patch,
        ],
    );
    path
}

/// Removes every finalizer of AppProject `name` in `argocd` (a JSON patch, as a controller would).
pub fn release_project(server: &Server, v: &str, name: &str) {
    server.kubectl_ok(
        v,
        &[
            "patch",
            "appproj",
            name,
            "-n",
            "argocd",
            "--type",
            "json",
            "-p",
            r#"[{"op":"remove","path":"/metadata/finalizers"}]"#,
        ],
    );
}
