//! Test support shared by this crate and the black-box tests: real etcd processes.
//!
//! [`EtcdProcess::start`] launches the `etcd` binary found on `PATH` (override with the `ETCD_BIN`
//! environment variable) as a one-member cluster on free 127.0.0.1 ports with a fresh data
//! directory, and waits until it answers `/health`. The process is killed when the handle is
//! dropped, and also when the test process exits without dropping it (a handle kept in a
//! `static`), so no etcd outlives the tests that started it.
//!
//! [`EtcdCluster::start`] launches three such processes as one cluster (distinct ports, one data
//! directory each), for tests that kill the leader or a follower and watch clients fail over.

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

/// One running (or stopped) etcd with its own ports and data directory: a one-member cluster,
/// or one member of an [`EtcdCluster`].
pub struct EtcdProcess {
    child: Option<Child>,
    /// The member name (`--name`).
    name: String,
    client_port: u16,
    peer_port: u16,
    /// Plain-HTTP `/health` (and `/metrics`), also when the client port serves TLS.
    metrics_port: u16,
    tls: Option<ServerTls>,
    /// `--initial-cluster`; None for a cluster of this process alone.
    initial_cluster: Option<String>,
    /// `--heartbeat-interval` and `--election-timeout`, in milliseconds.
    timing: (u32, u32),
    // Holds the data directory and the log; removed on drop.
    dir: tempfile::TempDir,
}

/// A one-member cluster elects itself after one election timeout: keep it short.
const SINGLE_TIMING: (u32, u32) = (10, 100);
/// Several members elect a new leader after a leader dies. etcd's defaults (100 ms, 1 s) leave
/// room for a loaded machine without spurious elections, and keep failover times realistic.
const CLUSTER_TIMING: (u32, u32) = (100, 1000);

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
            let mut p = EtcdProcess::new("test", tls.clone(), SINGLE_TIMING)?;
            match p.spawn_and_wait() {
                Ok(()) => return Ok(p),
                Err(e) => last_err = e,
            }
        }
        Err(last_err)
    }

    /// A process not yet started, on fresh free ports with a fresh directory.
    fn new(name: &str, tls: Option<ServerTls>, timing: (u32, u32)) -> io::Result<EtcdProcess> {
        Ok(EtcdProcess {
            child: None,
            name: name.to_string(),
            client_port: free_port()?,
            peer_port: free_port()?,
            metrics_port: free_port()?,
            tls,
            initial_cluster: None,
            timing,
            dir: tempfile::Builder::new().prefix("etcd-test-").tempdir()?,
        })
    }

    fn peer_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.peer_port)
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

    /// Freezes etcd (SIGSTOP): connections are still accepted but nothing answers, as with a
    /// hung member or a network that drops packets. [`EtcdProcess::resume`] undoes it.
    pub fn pause(&mut self) -> io::Result<()> {
        self.signal(libc::SIGSTOP)
    }

    /// Lets a paused etcd run again (SIGCONT).
    pub fn resume(&mut self) -> io::Result<()> {
        self.signal(libc::SIGCONT)
    }

    fn signal(&mut self, sig: libc::c_int) -> io::Result<()> {
        let Some(child) = &self.child else {
            return Err(io::Error::other("etcd is not running"));
        };
        let pid = libc::pid_t::try_from(child.id()).map_err(io::Error::other)?;
        // SAFETY: plain kill(2) on our own child's pid, which has not been reaped yet.
        if unsafe { libc::kill(pid, sig) } != 0 {
            return Err(io::Error::last_os_error());
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
        self.spawn()?;
        self.wait_healthy(Instant::now() + READY_TIMEOUT)
    }

    /// Starts the process without waiting: a cluster member is healthy only once a quorum of
    /// members runs, so a cluster spawns all before it waits for any.
    fn spawn(&mut self) -> io::Result<()> {
        let client = self.endpoint();
        let peer = self.peer_url();
        let initial_cluster = self
            .initial_cluster
            .clone()
            .unwrap_or_else(|| format!("{}={peer}", self.name));
        let (heartbeat, election) = self.timing;
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.log_path())?;
        let mut cmd = Command::new(etcd_binary());
        cmd.arg(format!("--name={}", self.name))
            .arg(format!("--data-dir={}", self.data_dir().display()))
            .arg(format!("--listen-client-urls={client}"))
            .arg(format!("--advertise-client-urls={client}"))
            .arg(format!("--listen-peer-urls={peer}"))
            .arg(format!("--initial-advertise-peer-urls={peer}"))
            .arg(format!("--initial-cluster={initial_cluster}"))
            // Ignored once the data directory holds a member: a restart rejoins its cluster.
            .arg("--initial-cluster-state=new")
            .arg(format!(
                "--listen-metrics-urls=http://127.0.0.1:{}",
                self.metrics_port
            ))
            // Values up to kube's 3 MiB request bodies plus framing must fit in one request.
            .arg("--max-request-bytes=4194304")
            .arg(format!("--heartbeat-interval={heartbeat}"))
            .arg(format!("--election-timeout={election}"))
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
        Ok(())
    }

    /// Waits until etcd answers `/health` (which needs a leader), failing early if it exits.
    fn wait_healthy(&mut self, deadline: Instant) -> io::Result<()> {
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

/// A multi-member etcd cluster on 127.0.0.1, each member an [`EtcdProcess`] with its own client,
/// peer and metrics ports and its own data directory. Members are addressed by index.
pub struct EtcdCluster {
    members: Vec<EtcdProcess>,
}

impl EtcdCluster {
    /// Starts a three-member cluster and waits until every member is healthy.
    pub fn start() -> io::Result<EtcdCluster> {
        Self::start_members(3)
    }

    /// Starts a cluster of `n` members and waits until every member is healthy.
    pub fn start_members(n: usize) -> io::Result<EtcdCluster> {
        // As for one process: free ports may be taken before etcd binds them, so retry.
        let mut last_err = io::Error::other("etcd cluster did not start");
        for _ in 0..3 {
            match Self::try_start(n) {
                Ok(c) => return Ok(c),
                Err(e) => last_err = e,
            }
        }
        Err(last_err)
    }

    fn try_start(n: usize) -> io::Result<EtcdCluster> {
        let mut members = (0..n)
            .map(|i| EtcdProcess::new(&format!("member{i}"), None, CLUSTER_TIMING))
            .collect::<io::Result<Vec<_>>>()?;
        let initial = members
            .iter()
            .map(|m| format!("{}={}", m.name, m.peer_url()))
            .collect::<Vec<_>>()
            .join(",");
        for m in &mut members {
            m.initial_cluster = Some(initial.clone());
        }
        // Dropping `cluster` on an error kills whatever was started.
        let mut cluster = EtcdCluster { members };
        for m in &mut cluster.members {
            m.spawn()?;
        }
        cluster.wait_all_healthy()?;
        Ok(cluster)
    }

    fn wait_all_healthy(&mut self) -> io::Result<()> {
        let deadline = Instant::now() + READY_TIMEOUT;
        for m in self.members.iter_mut().filter(|m| m.child.is_some()) {
            m.wait_healthy(deadline)?;
        }
        Ok(())
    }

    /// How many members the cluster has (running or not).
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// Always false: a cluster has at least one member.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// Every member's client URL, in member order (for `--etcd-servers`).
    pub fn endpoints(&self) -> Vec<String> {
        self.members.iter().map(EtcdProcess::endpoint).collect()
    }

    /// One member.
    pub fn member(&self, i: usize) -> &EtcdProcess {
        &self.members[i]
    }

    /// One member, to stop, kill or restart it directly.
    pub fn member_mut(&mut self, i: usize) -> &mut EtcdProcess {
        &mut self.members[i]
    }

    /// Whether member `i` is running.
    pub fn is_running(&mut self, i: usize) -> bool {
        self.members[i].is_running()
    }

    /// Kills member `i` (SIGKILL), as a crash would.
    pub fn kill(&mut self, i: usize) -> io::Result<()> {
        self.members[i].kill()
    }

    /// Stops member `i` cleanly (SIGTERM).
    pub fn stop(&mut self, i: usize) -> io::Result<()> {
        self.members[i].stop()
    }

    /// Stops every member.
    pub fn stop_all(&mut self) -> io::Result<()> {
        self.members.iter_mut().try_for_each(EtcdProcess::stop)
    }

    /// Starts member `i` again on its ports with its data (stopping it first if it runs) and
    /// waits until it is healthy, which needs a quorum of members running.
    pub fn restart(&mut self, i: usize) -> io::Result<()> {
        self.members[i].restart()
    }

    /// Starts every member that is not running, then waits until all are healthy (a member
    /// alone cannot become healthy, so they must all be started before any is waited for).
    pub fn start_stopped(&mut self) -> io::Result<()> {
        for m in &mut self.members {
            if !m.is_running() {
                m.child = None;
                m.spawn()?;
            }
        }
        self.wait_all_healthy()
    }

    /// The running member that is the leader now, if one is.
    pub fn leader(&mut self) -> Option<usize> {
        (0..self.members.len()).find(|&i| {
            self.members[i].is_running()
                && metric(self.members[i].metrics_port, "etcd_server_is_leader") == Some(1.0)
        })
    }

    /// Waits until a running member is the leader and returns it.
    pub fn wait_for_leader(&mut self, limit: Duration) -> io::Result<usize> {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(i) = self.leader() {
                return Ok(i);
            }
            if Instant::now() > deadline {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!("no etcd leader after {limit:?}:\n{}", self.log_tails()),
                ));
            }
            thread::sleep(Duration::from_millis(50));
        }
    }

    /// A running member that is not the leader.
    pub fn follower(&mut self) -> Option<usize> {
        let leader = self.leader()?;
        (0..self.members.len()).find(|&i| i != leader && self.members[i].is_running())
    }

    /// The tail of every member's log, for test failure messages.
    pub fn log_tails(&self) -> String {
        self.members
            .iter()
            .map(|m| format!("--- etcd {} ---\n{}", m.name, m.log_tail()))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

impl std::fmt::Debug for EtcdCluster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EtcdCluster")
            .field("endpoints", &self.endpoints())
            .finish()
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
    http_get(port, "/health").is_some_and(|body| body.contains("\"health\":\"true\""))
}

/// One plain HTTP/1.0 GET on 127.0.0.1; the whole response, or None when it cannot be sent.
fn http_get(port: u16, path: &str) -> Option<String> {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_millis(200)).ok()?;
    let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
    s.write_all(format!("GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").as_bytes())
        .ok()?;
    let mut body = String::new();
    let _ = s.read_to_string(&mut body);
    Some(body)
}

/// One value of an unlabelled metric from `GET /metrics` on the plain-HTTP metrics port.
fn metric(port: u16, name: &str) -> Option<f64> {
    let body = http_get(port, "/metrics")?;
    body.lines().find_map(|line| {
        let value = line.strip_prefix(name)?.strip_prefix(' ')?;
        value.trim().parse().ok()
    })
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
