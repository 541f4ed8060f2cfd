//! Test support shared by this crate and the black-box tests: real etcd processes.
//!
//! [`EtcdProcess::start`] launches the `etcd` binary found on `PATH` (override with the `ETCD_BIN`
//! environment variable) as a one-member cluster on free 127.0.0.1 ports with a fresh data
//! directory, and waits until it answers `/health`. The process is killed when the handle is
//! dropped, and also when the test process exits without dropping it (a handle kept in a
//! `static`), so no etcd outlives the tests that started it.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// How long a started etcd may take to answer `/health`.
const READY_TIMEOUT: Duration = Duration::from_secs(30);
/// How long `stop` waits for a clean exit after SIGTERM before it kills.
const STOP_TIMEOUT: Duration = Duration::from_secs(10);

/// Certificates for an etcd that serves TLS and requires client certificates (etcd's
/// `--cert-file`, `--key-file`, `--trusted-ca-file`, `--client-cert-auth`). The serving
/// certificate must be valid for IP 127.0.0.1.
#[derive(Clone, Debug)]
pub struct ServerTls {
    /// CA that signs the client certificates etcd accepts.
    pub ca_file: PathBuf,
    pub cert_file: PathBuf,
    pub key_file: PathBuf,
}

/// One running (or stopped) single-member etcd with its own ports and data directory.
pub struct EtcdProcess {
    child: Option<Child>,
    client_port: u16,
    peer_port: u16,
    /// Plain-HTTP `/health` (and `/metrics`), also when the client port serves TLS.
    metrics_port: u16,
    tls: Option<ServerTls>,
    // Holds the data directory and the log; removed on drop.
    dir: tempfile::TempDir,
}

impl EtcdProcess {
    /// Starts etcd on free ports with an empty data directory and waits until it is healthy.
    pub fn start() -> io::Result<EtcdProcess> {
        Self::start_inner(None)
    }

    /// Starts etcd serving clients over TLS only, requiring a client certificate signed by
    /// `tls.ca_file`; [`EtcdProcess::endpoint`] is then an `https://` URL.
    pub fn start_with_tls(tls: ServerTls) -> io::Result<EtcdProcess> {
        Self::start_inner(Some(tls))
    }

    fn start_inner(tls: Option<ServerTls>) -> io::Result<EtcdProcess> {
        // Picking a free port and binding it later is racy (another process may take it in
        // between), so try a few times, each with fresh ports and a fresh directory.
        let mut last_err = io::Error::other("etcd did not start");
        for _ in 0..3 {
            let mut p = EtcdProcess {
                child: None,
                client_port: free_port()?,
                peer_port: free_port()?,
                metrics_port: free_port()?,
                tls: tls.clone(),
                dir: tempfile::Builder::new().prefix("etcd-test-").tempdir()?,
            };
            match p.spawn_and_wait() {
                Ok(()) => return Ok(p),
                Err(e) => last_err = e,
            }
        }
        Err(last_err)
    }

    /// The client URL, e.g. `http://127.0.0.1:40123` (`https://` with TLS).
    pub fn endpoint(&self) -> String {
        let scheme = if self.tls.is_some() { "https" } else { "http" };
        format!("{scheme}://127.0.0.1:{}", self.client_port)
    }

    /// The data directory (kept across [`EtcdProcess::restart`]).
    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// Whether the process is currently running.
    pub fn is_running(&mut self) -> bool {
        match &mut self.child {
            Some(c) => matches!(c.try_wait(), Ok(None)),
            None => false,
        }
    }

    /// Stops etcd cleanly (SIGTERM) and waits for it to exit; kills it if it does not.
    pub fn stop(&mut self) -> io::Result<()> {
        let Some(mut child) = self.child.take() else {
            return Ok(());
        };
        if child.try_wait()?.is_some() {
            return Ok(());
        }
        let pid = libc::pid_t::try_from(child.id()).map_err(io::Error::other)?;
        // SAFETY: plain kill(2) on our own child's pid, which has not been reaped yet.
        if unsafe { libc::kill(pid, libc::SIGTERM) } != 0 {
            return Err(io::Error::last_os_error());
        }
        let deadline = Instant::now() + STOP_TIMEOUT;
        while Instant::now() < deadline {
            if child.try_wait()?.is_some() {
                return Ok(());
            }
            thread::sleep(Duration::from_millis(20));
        }
        child.kill()?;
        child.wait().map(drop)
    }

    /// Kills etcd (SIGKILL) without giving it a chance to shut down, and reaps it.
    pub fn kill(&mut self) -> io::Result<()> {
        if let Some(mut child) = self.child.take() {
            // Already exited is fine: kill then fails with InvalidInput, wait still reaps.
            let _ = child.kill();
            child.wait()?;
        }
        Ok(())
    }

    /// Starts etcd again on the same ports with the same data directory (stopping it first if
    /// it runs), and waits until it is healthy. Clients keep their endpoint.
    pub fn restart(&mut self) -> io::Result<()> {
        self.stop()?;
        self.spawn_and_wait()
    }

    /// The tail of etcd's log, for test failure messages.
    pub fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(self.log_path()).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(30)..].join("\n")
    }

    fn log_path(&self) -> PathBuf {
        self.dir.path().join("etcd.log")
    }

    fn spawn_and_wait(&mut self) -> io::Result<()> {
        let client = self.endpoint();
        let peer = format!("http://127.0.0.1:{}", self.peer_port);
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.log_path())?;
        let mut cmd = Command::new(etcd_binary());
        cmd.arg("--name=test")
            .arg(format!("--data-dir={}", self.data_dir().display()))
            .arg(format!("--listen-client-urls={client}"))
            .arg(format!("--advertise-client-urls={client}"))
            .arg(format!("--listen-peer-urls={peer}"))
            .arg(format!("--initial-advertise-peer-urls={peer}"))
            .arg(format!("--initial-cluster=test={peer}"))
            .arg("--initial-cluster-state=new")
            .arg(format!(
                "--listen-metrics-urls=http://127.0.0.1:{}",
                self.metrics_port
            ))
            // Values up to kube's 3 MiB request bodies plus framing must fit in one request.
            .arg("--max-request-bytes=4194304")
            // A one-member cluster elects itself after one election timeout: keep it short.
            .arg("--heartbeat-interval=10")
            .arg("--election-timeout=100")
            .arg("--logger=zap")
            .arg("--log-outputs=stderr")
            .arg("--log-level=warn")
            .args(self.tls.iter().flat_map(|t| {
                [
                    format!("--cert-file={}", t.cert_file.display()),
                    format!("--key-file={}", t.key_file.display()),
                    format!("--trusted-ca-file={}", t.ca_file.display()),
                    "--client-cert-auth".to_string(),
                ]
            }))
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log);
        self.child = Some(spawn_tied_to_process(cmd)?);
        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
            if healthy(self.metrics_port) {
                return Ok(());
            }
            if !self.is_running() {
                return Err(io::Error::other(format!(
                    "etcd exited before becoming healthy:\n{}",
                    self.log_tail()
                )));
            }
            if Instant::now() > deadline {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!(
                        "etcd not healthy after {READY_TIMEOUT:?}:\n{}",
                        self.log_tail()
                    ),
                ));
            }
            thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for EtcdProcess {
    fn drop(&mut self) {
        let _ = self.kill();
    }
}

fn etcd_binary() -> PathBuf {
    if let Some(p) = std::env::var_os("ETCD_BIN") {
        return PathBuf::from(p);
    }
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join("etcd"))
            .find(|p| p.is_file())
    });
    // Fall back to the bare name so the spawn error names what is missing.
    found.unwrap_or_else(|| PathBuf::from("etcd"))
}

fn free_port() -> io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// One `GET /health` over plain HTTP/1.0; true when etcd reports itself healthy (which needs a
/// leader, so writes will succeed).
fn healthy(port: u16) -> bool {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let Ok(mut s) = TcpStream::connect_timeout(&addr, Duration::from_millis(200)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
    if s.write_all(b"GET /health HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        .is_err()
    {
        return false;
    }
    let mut body = String::new();
    let _ = s.read_to_string(&mut body);
    body.contains("\"health\":\"true\"")
}

type SpawnRequest = (Command, mpsc::Sender<io::Result<Child>>);

/// Spawns `cmd` so that the kernel kills it when this process exits (PR_SET_PDEATHSIG).
///
/// The death signal fires when the spawning *thread* exits, and test threads come and go, so all
/// spawns go through one thread that lives as long as the process.
fn spawn_tied_to_process(cmd: Command) -> io::Result<Child> {
    static SPAWNER: OnceLock<mpsc::Sender<SpawnRequest>> = OnceLock::new();
    let spawner = SPAWNER.get_or_init(|| {
        let (tx, rx) = mpsc::channel::<SpawnRequest>();
        let _ = thread::Builder::new()
            .name("etcd-spawner".into())
            .spawn(move || {
                for (mut cmd, reply) in rx {
                    let _ = reply.send(spawn_with_death_signal(&mut cmd));
                }
                // The sender lives in a static, so the loop above never ends; park anyway so
                // the thread (and with it the death signal) stays.
                loop {
                    thread::park();
                }
            });
        tx
    });
    let (reply_tx, reply_rx) = mpsc::channel();
    spawner
        .send((cmd, reply_tx))
        .map_err(|_| io::Error::other("etcd spawner thread is gone"))?;
    reply_rx
        .recv()
        .map_err(|_| io::Error::other("etcd spawner thread is gone"))?
}

#[cfg(target_os = "linux")]
fn spawn_with_death_signal(cmd: &mut Command) -> io::Result<Child> {
    use std::os::unix::process::CommandExt;
    // SAFETY: only async-signal-safe calls (prctl, getppid, kill... none allocate) between fork
    // and exec.
    let parent = unsafe { libc::getpid() };
    unsafe {
        cmd.pre_exec(move || {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                return Err(io::Error::last_os_error());
            }
            // The parent may have died between fork and prctl.
            if libc::getppid() != parent {
                libc::_exit(1);
            }
            Ok(())
        });
    }
    cmd.spawn()
}

#[cfg(not(target_os = "linux"))]
fn spawn_with_death_signal(cmd: &mut Command) -> io::Result<Child> {
    cmd.spawn()
}

impl std::fmt::Debug for EtcdProcess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EtcdProcess")
            .field("endpoint", &self.endpoint())
            .field("data_dir", &self.data_dir())
            .finish()
    }
}
