//! Limits that protect the server from its clients:
//!
//! - in-flight requests, as kube-apiserver's `WithMaxInFlightLimit` filter: at most
//!   `--max-requests-inflight` non-mutating (get, list) and `--max-mutating-requests-inflight`
//!   mutating requests are served at once; past that a request gets kube's plain-text 429 with
//!   `Retry-After: 1`, unless its user is in `system:masters` (kube serves those regardless).
//!   Watches are long-running and never counted. Unlike kube's max-in-flight filter (but as its
//!   default priority-and-fairness configuration, whose `probes` schema is exempt), health checks
//!   are not counted either, so an overloaded server is not also restarted by its probes.
//! - open watches per user (by authenticated name): at most `--max-watches-per-user`; past that a
//!   watch gets a 429 Status with `Retry-After: 1`. kube-apiserver has no such limit.
//!
//! A request's share is held by its response body, so it is released when the response has been
//! handed to the connection (or the watch ends, or the client goes away), as kube's filter holds
//! its slot until the handler has written the response.

use std::collections::HashMap;
use std::convert::Infallible;
use std::fmt::Write as _;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use argo_apiserver_core::{ApiError, RequestInfo};
use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::{Frame, SizeHint};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::auth::UserInfo;
use crate::http::{Body, HeaderValue, Response, StatusCode, error_response, header, respond};

/// kube's `Retry-After` for requests over the in-flight limit.
pub const RETRY_AFTER_SECONDS: u32 = 1;

/// kube's body for requests over the in-flight limit (`http.Error` adds the newline).
pub const TOO_MANY_REQUESTS: &str = "Too many requests, please try again later.";

/// The group kube never throttles.
const SYSTEM_MASTERS: &str = "system:masters";

/// Response bodies are handed to the connection in pieces of at most this size, so that a
/// request's share is held until its response is nearly written, not merely queued.
const MAX_FRAME: usize = 64 * 1024;

/// The configured limits (0 means unlimited, as for kube's flags).
#[derive(Clone, Copy, Debug)]
pub struct LimitSettings {
    pub max_requests_inflight: usize,
    pub max_mutating_requests_inflight: usize,
    pub max_watches_per_user: usize,
}

/// One in-flight bucket (read-only or mutating).
struct Bucket {
    limit: usize,
    slots: Arc<Semaphore>,
    dropped: AtomicU64,
}

impl Bucket {
    fn new(limit: usize) -> Option<Bucket> {
        (limit > 0).then(|| Bucket {
            limit,
            slots: Arc::new(Semaphore::new(limit)),
            dropped: AtomicU64::new(0),
        })
    }

    fn in_use(&self) -> usize {
        self.limit - self.slots.available_permits()
    }
}

/// The server's limits and what is currently counted against them.
pub struct Limits {
    read_only: Option<Bucket>,
    mutating: Option<Bucket>,
    max_watches_per_user: usize,
    /// Open watches per user name (only users with at least one).
    watches: Arc<Mutex<HashMap<String, usize>>>,
}

/// What a request holds while it is served; dropping it gives its share back.
#[derive(Default)]
pub struct Held {
    slot: Option<OwnedSemaphorePermit>,
    watch: Option<WatchSlot>,
}

struct WatchSlot {
    watches: Arc<Mutex<HashMap<String, usize>>>,
    user: String,
}

impl Drop for WatchSlot {
    fn drop(&mut self) {
        let mut w = self.watches.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = w.get_mut(&self.user) {
            *n -= 1;
            if *n == 0 {
                w.remove(&self.user);
            }
        }
    }
}

impl Limits {
    pub fn new(s: LimitSettings) -> Limits {
        Limits {
            read_only: Bucket::new(s.max_requests_inflight),
            mutating: Bucket::new(s.max_mutating_requests_inflight),
            max_watches_per_user: s.max_watches_per_user,
            watches: Arc::default(),
        }
    }

    /// Admits a request (authenticated, not yet authorized, as in kube's handler chain), or
    /// answers it with a 429.
    #[allow(clippy::result_large_err)]
    pub fn admit(&self, info: &RequestInfo, user: &UserInfo) -> Result<Held, Response<Body>> {
        if info.verb == "watch" {
            return self.admit_watch(user);
        }
        if !info.is_resource_request && crate::handlers::health::is_health_path(&info.path) {
            return Ok(Held::default());
        }
        // kube's nonMutatingRequestVerbs.
        let mutating = !matches!(info.verb.as_str(), "get" | "list" | "watch");
        let bucket = if mutating {
            &self.mutating
        } else {
            &self.read_only
        };
        let Some(bucket) = bucket else {
            return Ok(Held::default());
        };
        match bucket.slots.clone().try_acquire_owned() {
            Ok(slot) => Ok(Held {
                slot: Some(slot),
                watch: None,
            }),
            Err(_) if user.groups.iter().any(|g| g == SYSTEM_MASTERS) => Ok(Held::default()),
            Err(_) => {
                bucket.dropped.fetch_add(1, Ordering::Relaxed);
                Err(too_many_requests())
            }
        }
    }

    #[allow(clippy::result_large_err)]
    fn admit_watch(&self, user: &UserInfo) -> Result<Held, Response<Body>> {
        if self.max_watches_per_user == 0 {
            return Ok(Held::default());
        }
        let mut w = self.watches.lock().unwrap_or_else(|e| e.into_inner());
        let open = w.entry(user.name.clone()).or_insert(0);
        if *open >= self.max_watches_per_user {
            let limit = self.max_watches_per_user;
            return Err(error_response(&ApiError::too_many_requests(
                &format!(
                    "user {:?} already has {limit} open watches, the most one user may have",
                    user.name
                ),
                RETRY_AFTER_SECONDS,
            )));
        }
        *open += 1;
        Ok(Held {
            slot: None,
            watch: Some(WatchSlot {
                watches: self.watches.clone(),
                user: user.name.clone(),
            }),
        })
    }

    /// Open watches of `user` counted against the per-user limit.
    pub fn open_watches(&self, user: &str) -> usize {
        let w = self.watches.lock().unwrap_or_else(|e| e.into_inner());
        w.get(user).copied().unwrap_or(0)
    }

    /// The in-flight gauges and refusal counters, under kube's metric names, for `/metrics`.
    pub fn metrics_text(&self) -> String {
        let kinds = [("mutating", &self.mutating), ("readOnly", &self.read_only)];
        let mut out = String::new();
        out.push_str("# HELP apiserver_current_inflight_requests [STABLE] Number of currently used inflight request limit of this apiserver per request kind.\n");
        out.push_str("# TYPE apiserver_current_inflight_requests gauge\n");
        for (kind, b) in kinds {
            let n = b.as_ref().map_or(0, Bucket::in_use);
            let _ = writeln!(
                out,
                "apiserver_current_inflight_requests{{request_kind=\"{kind}\"}} {n}"
            );
        }
        out.push_str("# HELP apiserver_dropped_requests_total [ALPHA] Number of requests dropped with 'Try again later' response\n");
        out.push_str("# TYPE apiserver_dropped_requests_total counter\n");
        for (kind, b) in kinds {
            let n = b.as_ref().map_or(0, |b| b.dropped.load(Ordering::Relaxed));
            let _ = writeln!(
                out,
                "apiserver_dropped_requests_total{{request_kind=\"{kind}\"}} {n}"
            );
        }
        out
    }
}

/// kube's `tooManyRequests`: `http.Error` with 429, plain text, and `Retry-After: 1`.
pub fn too_many_requests() -> Response<Body> {
    let mut r = respond(
        StatusCode::TOO_MANY_REQUESTS,
        "text/plain; charset=utf-8",
        format!("{TOO_MANY_REQUESTS}\n"),
    );
    let h = r.headers_mut();
    h.remove(header::CACHE_CONTROL);
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::RETRY_AFTER,
        HeaderValue::from(u64::from(RETRY_AFTER_SECONDS)),
    );
    r
}

/// Makes `held` live as long as the response body is being sent.
pub fn hold_while_sending(response: Response<Body>, held: Held) -> Response<Body> {
    if held.slot.is_none() && held.watch.is_none() {
        return response;
    }
    response.map(|inner| {
        HeldBody {
            inner,
            pending: Bytes::new(),
            held: Some(held),
        }
        .boxed()
    })
}

/// A response body that holds a request's share until it has handed over its last frame,
/// handing large frames over in pieces.
struct HeldBody {
    inner: Body,
    pending: Bytes,
    held: Option<Held>,
}

impl hyper::body::Body for HeldBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let this = &mut *self;
        if !this.pending.is_empty() {
            let n = this.pending.len().min(MAX_FRAME);
            let piece = this.pending.split_to(n);
            return Poll::Ready(Some(Ok(Frame::data(piece))));
        }
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => match frame.into_data() {
                Ok(mut data) => {
                    if data.len() > MAX_FRAME {
                        this.pending = data.split_off(MAX_FRAME);
                    }
                    Poll::Ready(Some(Ok(Frame::data(data))))
                }
                Err(frame) => Poll::Ready(Some(Ok(frame))),
            },
            Poll::Ready(None) => {
                // The stream is over (a watch ended): give the share back before the client
                // sees the end.
                this.held = None;
                Poll::Ready(None)
            }
            Poll::Ready(Some(Err(e))) => match e {},
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.pending.is_empty() && self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        let inner = self.inner.size_hint();
        let extra = self.pending.len() as u64;
        let mut hint = SizeHint::new();
        hint.set_lower(inner.lower() + extra);
        if let Some(upper) = inner.upper() {
            hint.set_upper(upper + extra);
        }
        hint
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hyper::body::Body as _;

    fn info(method: &str, path: &str, query: &str) -> RequestInfo {
        RequestInfo::new(method, path, query).unwrap()
    }

    fn user(name: &str, groups: &[&str]) -> UserInfo {
        UserInfo {
            name: name.into(),
            groups: groups.iter().map(|g| g.to_string()).collect(),
            ..UserInfo::anonymous()
        }
    }

    const APPS: &str = "/apis/argoproj.io/v1alpha1/namespaces/argocd/applications";

    #[test]
    fn over_the_limit_is_kubes_429_and_masters_are_exempt() {
        let l = Limits::new(LimitSettings {
            max_requests_inflight: 1,
            max_mutating_requests_inflight: 1,
            max_watches_per_user: 0,
        });
        let alice = user("alice", &[]);
        let held = l.admit(&info("GET", APPS, ""), &alice).unwrap();
        let r = l.admit(&info("GET", APPS, ""), &alice).err().unwrap();
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(r.headers()[header::RETRY_AFTER], "1");
        assert_eq!(
            r.headers()[header::CONTENT_TYPE],
            "text/plain; charset=utf-8"
        );
        // The other bucket, watches and probes are unaffected; masters are served anyway.
        let w = l.admit(&info("POST", APPS, ""), &alice).unwrap();
        l.admit(&info("GET", APPS, "watch=1"), &alice).unwrap();
        l.admit(&info("GET", "/readyz", ""), &alice).unwrap();
        l.admit(&info("GET", APPS, ""), &user("admin", &[SYSTEM_MASTERS]))
            .unwrap();
        assert!(
            l.metrics_text()
                .contains("apiserver_current_inflight_requests{request_kind=\"readOnly\"} 1\n")
        );
        assert!(
            l.metrics_text()
                .contains("apiserver_dropped_requests_total{request_kind=\"readOnly\"} 1\n")
        );
        drop((held, w));
        l.admit(&info("GET", APPS, ""), &alice).unwrap();
    }

    #[test]
    fn watches_are_counted_per_user_until_released() {
        let l = Limits::new(LimitSettings {
            max_requests_inflight: 0,
            max_mutating_requests_inflight: 0,
            max_watches_per_user: 2,
        });
        let (alice, bob) = (user("alice", &[]), user("bob", &[]));
        let watch = info("GET", APPS, "watch=true");
        let a1 = l.admit(&watch, &alice).unwrap();
        let _a2 = l.admit(&watch, &alice).unwrap();
        let r = l.admit(&watch, &alice).err().unwrap();
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(r.headers()[header::RETRY_AFTER], "1");
        let _b1 = l.admit(&watch, &bob).unwrap();
        assert_eq!(l.open_watches("alice"), 2);
        drop(a1);
        assert_eq!(l.open_watches("alice"), 1);
        l.admit(&watch, &alice).unwrap();
    }

    #[tokio::test]
    async fn a_held_body_keeps_its_share_until_its_last_frame() {
        let l = Limits::new(LimitSettings {
            max_requests_inflight: 1,
            max_mutating_requests_inflight: 1,
            max_watches_per_user: 0,
        });
        let alice = user("alice", &[]);
        let get = info("GET", APPS, "");
        let held = l.admit(&get, &alice).unwrap();
        let body = vec![7u8; 3 * MAX_FRAME + 1];
        let r = hold_while_sending(respond(StatusCode::OK, "application/json", body), held);
        let mut b = r.into_body();
        assert_eq!(b.size_hint().exact(), Some(3 * MAX_FRAME as u64 + 1));
        let mut total = 0;
        for _ in 0..4 {
            assert!(l.admit(&get, &alice).is_err(), "still sending");
            let f = b.frame().await.unwrap().unwrap().into_data().unwrap();
            assert!(f.len() <= MAX_FRAME);
            total += f.len();
        }
        assert_eq!(total, 3 * MAX_FRAME + 1);
        assert!(b.frame().await.is_none());
        l.admit(&get, &alice).unwrap();
    }
}
