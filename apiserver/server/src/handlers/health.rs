//! `/healthz`, `/livez`, `/readyz` and their per-check paths, with kube-apiserver's exact
//! behaviour (`k8s.io/apiserver/pkg/server/healthz`): `ok`, `?verbose` listing every check,
//! `?exclude=<name>`, and on failure a 500 that names the failed checks but withholds the
//! reasons (which go to the log only).

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::sync::Arc;

use argo_apiserver_core::Query;
use bytes::Bytes;

use crate::http::{Body, HeaderValue, Response, StatusCode, header, respond};

/// One named check. `Err` carries the reason, which is logged and shown only on the per-check
/// path.
pub trait HealthCheck: Send + Sync {
    fn name(&self) -> &str;
    fn check(&self) -> Result<(), String>;
}

struct FnCheck<F> {
    name: String,
    f: F,
}

impl<F: Fn() -> Result<(), String> + Send + Sync> HealthCheck for FnCheck<F> {
    fn name(&self) -> &str {
        &self.name
    }
    fn check(&self) -> Result<(), String> {
        (self.f)()
    }
}

/// A check from a closure.
pub fn check<F>(name: impl Into<String>, f: F) -> Arc<dyn HealthCheck>
where
    F: Fn() -> Result<(), String> + Send + Sync + 'static,
{
    Arc::new(FnCheck {
        name: name.into(),
        f,
    })
}

/// kube's `ping`: always healthy.
pub fn ping() -> Arc<dyn HealthCheck> {
    check("ping", || Ok(()))
}

/// The checks of each endpoint. As in kube: a health check counts for `/healthz`, `/livez` and
/// `/readyz`; a readiness check (`informer-sync`, `shutdown`, ...) only for `/readyz`; a
/// liveness check only for `/livez`. Each list keeps insertion order.
#[derive(Clone, Default)]
pub struct HealthChecks {
    healthz: Vec<Arc<dyn HealthCheck>>,
    livez: Vec<Arc<dyn HealthCheck>>,
    readyz: Vec<Arc<dyn HealthCheck>>,
}

impl HealthChecks {
    pub fn new() -> HealthChecks {
        HealthChecks::default()
    }

    /// `AddHealthChecks`: on all three endpoints.
    pub fn add_health_check(&mut self, c: Arc<dyn HealthCheck>) -> &mut Self {
        self.healthz.push(c.clone());
        self.livez.push(c.clone());
        self.readyz.push(c);
        self
    }

    /// `AddReadyzChecks`: on `/readyz` only.
    pub fn add_readyz_check(&mut self, c: Arc<dyn HealthCheck>) -> &mut Self {
        self.readyz.push(c);
        self
    }

    /// `AddLivezChecks`: on `/livez` only.
    pub fn add_livez_check(&mut self, c: Arc<dyn HealthCheck>) -> &mut Self {
        self.livez.push(c);
        self
    }

    fn for_root(&self, root: &str) -> Option<&[Arc<dyn HealthCheck>]> {
        match root {
            "healthz" => Some(&self.healthz),
            "livez" => Some(&self.livez),
            "readyz" => Some(&self.readyz),
            _ => None,
        }
    }
}

/// Whether `path` is one of ours (`/healthz`, `/livez`, `/readyz` or below), for the router.
pub fn is_health_path(path: &str) -> bool {
    let root = path.trim_start_matches('/').split('/').next().unwrap_or("");
    matches!(root, "healthz" | "livez" | "readyz")
}

fn plain(status: StatusCode, body: impl Into<Bytes>) -> Response<Body> {
    let mut r = respond(status, "text/plain; charset=utf-8", body);
    r.headers_mut().insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    r
}

/// Go's `http.Error`: the message plus a newline.
fn http_error(status: StatusCode, message: &str) -> Response<Body> {
    plain(status, format!("{message}\n"))
}

/// Answers `path` (`/readyz`, `/readyz/etcd`, ...) with `raw_query` (without `?`). Unknown
/// paths are Go's `404 page not found`.
pub fn handle(path: &str, raw_query: &str, checks: &HealthChecks) -> Response<Body> {
    let trimmed = path.trim_start_matches('/');
    let (root, rest) = trimmed.split_once('/').unwrap_or((trimmed, ""));
    let Some(list) = checks.for_root(root) else {
        return http_error(StatusCode::NOT_FOUND, "404 page not found");
    };
    if trimmed.contains('/') {
        // Only `/<root>/<name>` of an installed check exists.
        return match list.iter().find(|c| c.name() == rest) {
            Some(c) => match c.check() {
                Ok(()) => plain(StatusCode::OK, "ok"),
                Err(e) => http_error(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    &format!("internal server error: {e}"),
                ),
            },
            None => http_error(StatusCode::NOT_FOUND, "404 page not found"),
        };
    }
    root_health(root, &Query::parse(raw_query), list)
}

/// kube's `handleRootHealth`.
fn root_health(root: &str, query: &Query, checks: &[Arc<dyn HealthCheck>]) -> Response<Body> {
    let mut excluded: BTreeSet<&str> = query.get_all("exclude").into_iter().collect();
    let mut out = String::new();
    let mut failed: Vec<(&str, String)> = Vec::new();
    for c in checks {
        let name = c.name();
        if excluded.remove(name) {
            let _ = writeln!(out, "[+]{name} excluded: ok");
            continue;
        }
        match c.check() {
            Ok(()) => {
                let _ = writeln!(out, "[+]{name} ok");
            }
            Err(e) => {
                // The endpoint is public: the reason is for the log only.
                let _ = writeln!(out, "[-]{name} failed: reason withheld");
                failed.push((name, e));
            }
        }
    }
    if !excluded.is_empty() {
        let names: Vec<String> = excluded.iter().map(|n| format!("{n:?}")).collect();
        let _ = writeln!(
            out,
            "warn: some health checks cannot be excluded: no matches for {}",
            names.join(",")
        );
    }
    if !failed.is_empty() {
        let detail: Vec<String> = failed
            .iter()
            .map(|(n, e)| format!("[-]{n} failed: {e}"))
            .collect();
        tracing::info!(endpoint = root, checks = %detail.join("; "), "{root} check failed");
        return http_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            &format!("{out}{root} check failed"),
        );
    }
    if !query.contains("verbose") {
        return plain(StatusCode::OK, "ok");
    }
    let _ = writeln!(out, "{root} check passed");
    plain(StatusCode::OK, out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;
    use std::sync::atomic::{AtomicBool, Ordering};

    fn body(r: Response<Body>) -> String {
        let b = futures::executor::block_on(r.into_body().collect())
            .unwrap()
            .to_bytes();
        String::from_utf8(b.to_vec()).unwrap()
    }

    /// ping and log healthy everywhere, etcd as given, shutdown (readyz only) as given.
    fn checks(etcd_ok: bool, shutting_down: Arc<AtomicBool>) -> HealthChecks {
        let mut c = HealthChecks::new();
        c.add_health_check(ping())
            .add_health_check(check("log", || Ok(())))
            .add_health_check(check("etcd", move || {
                if etcd_ok {
                    Ok(())
                } else {
                    Err("context deadline exceeded".into())
                }
            }))
            .add_readyz_check(check("shutdown", move || {
                if shutting_down.load(Ordering::SeqCst) {
                    Err("process is shutting down".into())
                } else {
                    Ok(())
                }
            }));
        c
    }

    #[test]
    fn healthy_is_plain_ok() {
        let c = checks(true, Arc::default());
        for path in ["/healthz", "/livez", "/readyz"] {
            let r = handle(path, "", &c);
            assert_eq!(r.status(), StatusCode::OK);
            assert_eq!(
                r.headers()[header::CONTENT_TYPE],
                "text/plain; charset=utf-8"
            );
            assert_eq!(r.headers()[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
            assert_eq!(body(r), "ok");
        }
    }

    #[test]
    fn verbose_lists_each_check() {
        let c = checks(true, Arc::default());
        let r = handle("/readyz", "verbose", &c);
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(
            body(r),
            "[+]ping ok\n[+]log ok\n[+]etcd ok\n[+]shutdown ok\nreadyz check passed\n"
        );
        let r = handle("/healthz", "verbose=1", &c);
        assert_eq!(
            body(r),
            "[+]ping ok\n[+]log ok\n[+]etcd ok\nhealthz check passed\n"
        );
    }

    #[test]
    fn failure_withholds_the_reason() {
        let c = checks(false, Arc::default());
        let r = handle("/readyz", "", &c);
        assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(
            r.headers()[header::CONTENT_TYPE],
            "text/plain; charset=utf-8"
        );
        assert_eq!(
            body(r),
            "[+]ping ok\n[+]log ok\n[-]etcd failed: reason withheld\n[+]shutdown ok\nreadyz check failed\n"
        );
        let r = handle("/livez", "", &c);
        assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(body(r).ends_with("livez check failed\n"));
    }

    #[test]
    fn shutdown_fails_readiness_only() {
        let flag = Arc::new(AtomicBool::new(false));
        let c = checks(true, flag.clone());
        assert_eq!(handle("/readyz", "", &c).status(), StatusCode::OK);
        flag.store(true, Ordering::SeqCst);
        let r = handle("/readyz", "", &c);
        assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(body(r).contains("[-]shutdown failed: reason withheld\n"));
        assert_eq!(handle("/livez", "", &c).status(), StatusCode::OK);
        assert_eq!(handle("/healthz", "", &c).status(), StatusCode::OK);
    }

    #[test]
    fn per_check_paths() {
        let c = checks(false, Arc::default());
        let r = handle("/readyz/ping", "", &c);
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(body(r), "ok");
        let r = handle("/healthz/etcd", "", &c);
        assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(
            body(r),
            "internal server error: context deadline exceeded\n"
        );
        // shutdown is a readiness check: not installed under /livez.
        let r = handle("/livez/shutdown", "", &c);
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        assert_eq!(body(r), "404 page not found\n");
        assert_eq!(handle("/readyz/", "", &c).status(), StatusCode::NOT_FOUND);
        assert_eq!(handle("/statusz", "", &c).status(), StatusCode::NOT_FOUND);
    }

    #[test]
    fn exclude() {
        let c = checks(false, Arc::default());
        let r = handle("/readyz", "exclude=etcd&verbose", &c);
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(
            body(r),
            "[+]ping ok\n[+]log ok\n[+]etcd excluded: ok\n[+]shutdown ok\nreadyz check passed\n"
        );
        let r = handle(
            "/readyz",
            "exclude=etcd&exclude=nope&exclude=alsonot&verbose",
            &c,
        );
        assert_eq!(
            body(r),
            "[+]ping ok\n[+]log ok\n[+]etcd excluded: ok\n[+]shutdown ok\nwarn: some health checks cannot be excluded: no matches for \"alsonot\",\"nope\"\nreadyz check passed\n"
        );
        // Not verbose: still just ok.
        assert_eq!(body(handle("/readyz", "exclude=etcd", &c)), "ok");
    }

    #[test]
    fn paths() {
        assert!(is_health_path("/readyz"));
        assert!(is_health_path("/livez/ping"));
        assert!(!is_health_path("/metrics"));
        assert!(!is_health_path("/readyzz"));
    }
}
