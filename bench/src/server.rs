//! Starts the server binary under test on a free port with a fresh data directory, and reads its
//! memory from /proc.

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::client::{Dialer, JSON};

/// The release server binary of this workspace (`cargo build --release -p argo-apiserver`).
pub fn default_binary() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .parent()
                .unwrap_or(Path::new("."))
                .join("target")
        });
    target.join("release").join("argo-apiserver")
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// A running server; killed and its data removed on drop.
pub struct ServerProcess {
    child: Child,
    dir: tempfile::TempDir,
    binary: PathBuf,
    extra_args: Vec<String>,
    port: u16,
    dialer: Option<Dialer>,
}

fn spawn(binary: &Path, extra_args: &[String], dir: &Path, port: u16) -> Result<Child> {
    // A free webhook port unless the caller chose one, so runs never fight over the default.
    let webhook_port: &[&str] = if extra_args.iter().any(|a| a.starts_with("--webhook-port")) {
        &[]
    } else {
        &["--webhook-port", "0"]
    };
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("server.log"))?;
    Command::new(binary)
        .arg("serve")
        .arg("--data-dir")
        .arg(dir.join("data"))
        .arg("--secure-port")
        .arg(port.to_string())
        .arg("--shutdown-grace-seconds")
        .arg("1")
        .args(webhook_port)
        .args(extra_args)
        .env(
            "RUST_LOG",
            std::env::var("RUST_LOG").unwrap_or_else(|_| "warn".into()),
        )
        .stdout(Stdio::from(log.try_clone()?))
        .stderr(Stdio::from(log))
        .spawn()
        .with_context(|| format!("starting {binary:?}"))
}

impl ServerProcess {
    /// Starts a fresh server for `what` (the scenarios it serves, printed with its pid).
    pub async fn start(binary: &Path, extra_args: &[String], what: &str) -> Result<ServerProcess> {
        if !binary.exists() {
            bail!(
                "server binary {binary:?} not found: run `cargo build --release -p argo-apiserver` \
                 or pass --server-bin"
            );
        }
        let dir = tempfile::tempdir()?;
        let port = free_port()?;
        let child = spawn(binary, extra_args, dir.path(), port)?;
        let mut server = ServerProcess {
            child,
            dir,
            binary: binary.to_path_buf(),
            extra_args: extra_args.to_vec(),
            port,
            dialer: None,
        };
        server.wait_ready().await?;
        println!("server pid {} ({what})", server.pid());
        Ok(server)
    }

    /// The dialer for this server (set once it is ready).
    pub fn dialer(&self) -> Result<&Dialer> {
        self.dialer.as_ref().context("the server is not ready")
    }

    /// Stops the server (SIGKILL) and starts it again on the same data and port.
    pub async fn restart(&mut self) -> Result<()> {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.child = spawn(&self.binary, &self.extra_args, self.dir.path(), self.port)?;
        self.wait_ready().await
    }

    async fn wait_ready(&mut self) -> Result<()> {
        let data = self.dir.path().join("data");
        let pki = data.join("pki");
        let addr = SocketAddr::from(([127, 0, 0, 1], self.port));
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait()? {
                bail!("the server exited early ({status}):\n{}", self.log_tail(50));
            }
            if data.join("kubeconfig").exists()
                && let Ok(d) = Dialer::new(
                    &pki.join("ca.crt"),
                    &pki.join("admin.crt"),
                    &pki.join("admin.key"),
                    addr,
                )
                && let Ok(conn) = d.connect().await
                && let Ok(r) = conn.get("/readyz", JSON).await
                && r.status.is_success()
            {
                self.dialer = Some(d);
                return Ok(());
            }
            if start.elapsed() > Duration::from_secs(120) {
                bail!("the server is not ready after 120s:\n{}", self.log_tail(50));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Size of the embedded store's file.
    pub fn store_file_size(&self) -> u64 {
        std::fs::metadata(self.dir.path().join("data").join("store.redb"))
            .map(|m| m.len())
            .unwrap_or(0)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn log_tail(&self, lines: usize) -> String {
        let log = std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default();
        let all: Vec<&str> = log.lines().collect();
        all[all.len().saturating_sub(lines)..].join("\n")
    }

    /// The server's memory as /proc reports it.
    pub fn memory(&self) -> Result<Memory> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid()))?;
        let field = |name: &str| -> Result<u64> {
            let line = status
                .lines()
                .find(|l| l.starts_with(name))
                .with_context(|| format!("{name} missing from /proc status"))?;
            let kb: u64 = line
                .trim_start_matches(name)
                .trim()
                .trim_end_matches("kB")
                .trim()
                .parse()?;
            Ok(kb * 1024)
        };
        Ok(Memory {
            rss: field("VmRSS:")?,
            peak: field("VmHWM:")?,
            anon: field("RssAnon:")?,
            file: field("RssFile:")?,
        })
    }
}

/// Resident memory in bytes: total, peak, anonymous (heap) and file-backed.
#[derive(Clone, Copy, Debug)]
pub struct Memory {
    pub rss: u64,
    pub peak: u64,
    pub anon: u64,
    pub file: u64,
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
