//! The HTTP types every handler shares: one response body type and the helpers that build
//! responses the way kube-apiserver writes them (exact `application/json` Content-Type, a
//! trailing newline, `Cache-Control: no-cache, private`, a Status body for every error).

use std::convert::Infallible;

use argo_apiserver_core::ApiError;
use bytes::Bytes;
use futures::Stream;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::Frame;

pub use ::http::{HeaderMap, HeaderValue, Method, Request, Response, StatusCode, header};

/// Every response body: a whole buffer or a stream of frames (watch).
pub type Body = BoxBody<Bytes, Infallible>;

pub const JSON: &str = "application/json";
pub const YAML: &str = "application/yaml";

/// A body holding `bytes`.
pub fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into()).boxed()
}

/// An empty body.
pub fn empty() -> Body {
    full(Bytes::new())
}

/// A body streamed chunk by chunk; each item is sent (and flushed) as it comes.
pub fn streaming(stream: impl Stream<Item = Bytes> + Send + Sync + 'static) -> Body {
    use futures::StreamExt;
    BodyExt::boxed(StreamBody::new(
        stream.map(|b| Ok::<_, Infallible>(Frame::data(b))),
    ))
}

/// A response with `body` and the headers every kube response carries.
pub fn respond(status: StatusCode, content_type: &str, body: impl Into<Bytes>) -> Response<Body> {
    let mut r = Response::new(full(body));
    *r.status_mut() = status;
    let h = r.headers_mut();
    if let Ok(v) = HeaderValue::from_str(content_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache, private"),
    );
    r
}

/// JSON bytes as kube's encoder writes them: compact (or indented when `pretty`), one trailing
/// newline.
pub fn json_bytes(value: &serde_json::Value, pretty: bool) -> Bytes {
    let mut out = if pretty {
        serde_json::to_vec_pretty(value).unwrap_or_default()
    } else {
        serde_json::to_vec(value).unwrap_or_default()
    };
    out.push(b'\n');
    Bytes::from(out)
}

/// A JSON response.
pub fn json_response(
    status: StatusCode,
    value: &serde_json::Value,
    pretty: bool,
) -> Response<Body> {
    respond(status, JSON, json_bytes(value, pretty))
}

/// An error as kube answers it: the Status as JSON with its code, and `Retry-After` when the
/// Status says when to retry (never for a storage timeout: its outcome is unknown, and
/// client-go repeats requests that carry one).
pub fn error_response(err: &ApiError) -> Response<Body> {
    let code = StatusCode::from_u16(err.code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    // Serialized from the struct, so fields keep kube's order.
    let mut body = serde_json::to_vec(&err.status).unwrap_or_default();
    body.push(b'\n');
    let mut r = respond(code, JSON, body);
    if let Some(secs) = err.retry_after()
        && let Ok(v) = HeaderValue::from_str(&secs.to_string())
    {
        r.headers_mut().insert(header::RETRY_AFTER, v);
    }
    r
}

/// A header value as a string, if present and valid.
pub fn header_str<'a>(headers: &'a HeaderMap, name: &header::HeaderName) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use argo_apiserver_core::GroupResource;

    #[test]
    fn errors_are_status_json_with_their_code() {
        let e = ApiError::not_found(
            GroupResource {
                group: "argoproj.io",
                resource: "applications",
            },
            "x",
        );
        let r = error_response(&e);
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        assert_eq!(r.headers()[header::CONTENT_TYPE], "application/json");
        assert_eq!(r.headers()[header::CACHE_CONTROL], "no-cache, private");
        let r = error_response(&ApiError::too_many_requests("slow down", 3));
        assert_eq!(r.headers()[header::RETRY_AFTER], "3");
    }

    #[test]
    fn only_unavailability_invites_a_retry() {
        let r = error_response(&ApiError::service_unavailable("etcd down"));
        assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(r.headers()[header::RETRY_AFTER], "1");
        let r = error_response(&ApiError::timeout("no answer", None));
        assert_eq!(r.status(), StatusCode::GATEWAY_TIMEOUT);
        assert!(r.headers().get(header::RETRY_AFTER).is_none());
    }

    #[test]
    fn json_has_one_trailing_newline() {
        let b = json_bytes(&serde_json::json!({"a": 1}), false);
        assert_eq!(&b[..], b"{\"a\":1}\n");
    }
}
