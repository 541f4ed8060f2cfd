//! Serving certificate rotation without downtime: the TLS server asks a `CertReloader` for the
//! certificate on every handshake, and the reloader re-reads the files when they change.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, RwLock, Weak};
use std::time::{Duration, SystemTime};

use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;

use crate::error::{Error, Result};
use crate::pem::load_certified_key;

/// Modification time and length of a file: a change in either means new contents.
type Stamp = (SystemTime, u64);

fn stamp(path: &Path) -> Result<Stamp> {
    let meta = std::fs::metadata(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let modified = meta.modified().map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    Ok((modified, meta.len()))
}

struct Loaded {
    key: Arc<CertifiedKey>,
    stamps: (Stamp, Stamp),
}

/// Holds the newest valid certificate and key loaded from a pair of PEM files.
pub struct CertReloader {
    cert_path: PathBuf,
    key_path: PathBuf,
    loaded: RwLock<Loaded>,
}

impl std::fmt::Debug for CertReloader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CertReloader")
            .field("cert_path", &self.cert_path)
            .field("key_path", &self.key_path)
            .finish_non_exhaustive()
    }
}

impl CertReloader {
    /// Loads the pair once; fails when it cannot be loaded or the key does not match.
    pub fn new(cert_path: impl Into<PathBuf>, key_path: impl Into<PathBuf>) -> Result<Self> {
        let cert_path = cert_path.into();
        let key_path = key_path.into();
        let stamps = (stamp(&cert_path)?, stamp(&key_path)?);
        let key = Arc::new(load_certified_key(&cert_path, &key_path)?);
        Ok(Self {
            cert_path,
            key_path,
            loaded: RwLock::new(Loaded { key, stamps }),
        })
    }

    /// The certificate and key to serve now.
    pub fn current(&self) -> Arc<CertifiedKey> {
        // A poisoned lock still holds a complete value: the writer only swaps whole fields.
        match self.loaded.read() {
            Ok(l) => l.key.clone(),
            Err(poisoned) => poisoned.into_inner().key.clone(),
        }
    }

    /// Re-reads the files if either changed since the last successful load. Returns whether a
    /// new pair is now served. On error (a file half-rotated, a key that does not match yet)
    /// the previous pair stays in use and the next call tries again.
    pub fn reload_if_changed(&self) -> Result<bool> {
        let stamps = (stamp(&self.cert_path)?, stamp(&self.key_path)?);
        let unchanged = match self.loaded.read() {
            Ok(l) => l.stamps == stamps,
            Err(poisoned) => poisoned.into_inner().stamps == stamps,
        };
        if unchanged {
            return Ok(false);
        }
        let key = Arc::new(load_certified_key(&self.cert_path, &self.key_path)?);
        let mut guard = match self.loaded.write() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        *guard = Loaded { key, stamps };
        Ok(true)
    }

    /// Polls the files every `interval` on a background thread until the returned handle is
    /// dropped or the reloader itself is. `on_error` hears about failed reloads (for logging).
    pub fn spawn_polling(
        self: &Arc<Self>,
        interval: Duration,
        on_error: impl Fn(&Error) + Send + 'static,
    ) -> std::io::Result<PollingHandle> {
        let (stop, stopped) = mpsc::channel::<()>();
        let weak: Weak<Self> = Arc::downgrade(self);
        let thread = std::thread::Builder::new()
            .name("cert-reloader".to_string())
            .spawn(move || {
                loop {
                    match stopped.recv_timeout(interval) {
                        Err(RecvTimeoutError::Timeout) => {}
                        Ok(()) | Err(RecvTimeoutError::Disconnected) => return,
                    }
                    let Some(reloader) = weak.upgrade() else {
                        return;
                    };
                    if let Err(e) = reloader.reload_if_changed() {
                        on_error(&e);
                    }
                }
            })?;
        Ok(PollingHandle {
            stop: Some(stop),
            thread: Some(thread),
        })
    }
}

impl ResolvesServerCert for CertReloader {
    fn resolve(&self, _client_hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.current())
    }
}

/// Stops the polling thread when dropped.
#[derive(Debug)]
pub struct PollingHandle {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for PollingHandle {
    fn drop(&mut self) {
        // Dropping the sender wakes the thread at once.
        drop(self.stop.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
