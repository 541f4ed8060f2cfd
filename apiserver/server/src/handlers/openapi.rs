//! `/openapi/v2`, `/openapi/v3` and `/openapi/v3/apis/argoproj.io/v1alpha1`, served as
//! kube-openapi's handlers do (`pkg/handler`, `pkg/handler3`): compact JSON generated once,
//! `ETag` = quoted upper-case hex SHA-512 of the JSON, `If-None-Match` → 304, 406 for an Accept
//! we cannot satisfy, and for v3 the `?hash=` cache-busting scheme (immutable when current, 301
//! to the current URL when stale).
//!
//! Protobuf encodings are produced elsewhere; the handlers take them as an argument and, when
//! given none, do not offer protobuf at all (so a protobuf-only Accept is 406).

use std::sync::LazyLock;

use argo_apiserver_core::Query;
use argo_openapi::document::{V3_GROUP_VERSION_PATH, openapi_v2, openapi_v3};
use bytes::Bytes;
use http::request::Parts;
use serde_json::json;
use sha2::{Digest, Sha512};

use crate::http::{Body, HeaderValue, JSON, Response, StatusCode, header, header_str, respond};

/// The Content-Type answered for v2 protobuf, whichever of its two names was asked for.
pub const V2_PROTOBUF: &str = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";
const V2_PROTOBUF_DEPRECATED_SUBTYPE: &str = "com.github.proto-openapi.spec.v2@v1.0+protobuf";
/// The Content-Type answered for v3 protobuf.
pub const V3_PROTOBUF: &str = "application/com.github.proto-openapi.spec.v3.v1.0+protobuf";
const V3_PROTOBUF_DEPRECATED_SUBTYPE: &str = "com.github.proto-openapi.spec.v3@v1.0+protobuf";

/// The path of our one v3 group-version document.
pub const V3_GROUP_VERSION_URL_PATH: &str = "/openapi/v3/apis/argoproj.io/v1alpha1";

/// A served document: its bytes, the upper-case hex SHA-512 of its JSON form (kube uses the
/// JSON's hash for the protobuf form too) and when it was built.
struct Document {
    json: Bytes,
    hash: String,
    etag: HeaderValue,
    last_modified: HeaderValue,
}

impl Document {
    fn new(json: Vec<u8>) -> Document {
        let hash = hex::encode_upper(Sha512::digest(&json));
        Document {
            etag: quoted(&hash),
            hash,
            json: Bytes::from(json),
            last_modified: http_date(jiff::Timestamp::now()),
        }
    }
}

fn quoted(s: &str) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{s}\"")).unwrap_or_else(|_| HeaderValue::from_static("\"\""))
}

/// An HTTP date (RFC 1123, GMT), as Go's `http.TimeFormat`.
fn http_date(t: jiff::Timestamp) -> HeaderValue {
    let s = t.strftime("%a, %d %b %Y %H:%M:%S GMT").to_string();
    HeaderValue::from_str(&s).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// Go's `json.Marshal` form: compact, no trailing newline.
fn marshal(v: &serde_json::Value) -> Vec<u8> {
    serde_json::to_vec(v).unwrap_or_default()
}

static V2: LazyLock<Document> = LazyLock::new(|| Document::new(marshal(&openapi_v2())));
static V3_GROUP_VERSION: LazyLock<Document> =
    LazyLock::new(|| Document::new(marshal(&openapi_v3())));
static V3_INDEX: LazyLock<Document> = LazyLock::new(|| {
    Document::new(marshal(&json!({
        "paths": {
            V3_GROUP_VERSION_PATH: {"serverRelativeURL": v3_server_relative_url(&V3_GROUP_VERSION.hash)}
        }
    })))
});

/// `/openapi/v3/<gv>?hash=<H>`: the URL the index publishes (and the aggregator copies verbatim).
fn v3_server_relative_url(hash: &str) -> String {
    format!("/openapi/v3/{V3_GROUP_VERSION_PATH}?hash={hash}")
}

/// Builds every document now, so the first request does not pay for it.
pub fn warm() {
    LazyLock::force(&V2);
    LazyLock::force(&V3_INDEX);
}

/// The `ETag` `/openapi/v2` answers with (quoted).
pub fn v2_etag() -> HeaderValue {
    V2.etag.clone()
}

/// The current hash of the v3 group-version document (what `?hash=` must equal).
pub fn v3_hash() -> &'static str {
    &V3_GROUP_VERSION.hash
}

/// What an OpenAPI endpoint can answer with.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Encoding {
    Json,
    Protobuf,
}

/// kube-openapi's selection: the first clause (sorted) that one of `offers` (subtypes of
/// `application`, in order) satisfies; `None` is 406.
fn select(accept: Option<&str>, offers: &[(&str, Encoding)]) -> Option<Encoding> {
    for c in argo_apiserver_core::negotiation::accept_clauses(accept) {
        for (sub, enc) in offers {
            if (c.typ == "application" || c.typ == "*") && (c.sub == *sub || c.sub == "*") {
                return Some(*enc);
            }
        }
    }
    None
}

/// Go's `ServeContent` If-None-Match check: a comma list of (weak or strong) tags, or `*`.
fn if_none_match(parts: &Parts, etag: &HeaderValue) -> bool {
    let Some(inm) = header_str(&parts.headers, &header::IF_NONE_MATCH) else {
        return false;
    };
    let ours = etag.to_str().unwrap_or("");
    inm.split(',')
        .map(str::trim)
        .any(|t| t == "*" || t.strip_prefix("W/").unwrap_or(t) == ours)
}

/// 406 as kube-openapi writes it: the status and nothing else.
fn not_acceptable() -> Response<Body> {
    let mut r = respond(StatusCode::NOT_ACCEPTABLE, "", Bytes::new());
    r.headers_mut().remove(header::CONTENT_TYPE);
    r.headers_mut()
        .insert(header::VARY, HeaderValue::from_static("Accept"));
    r
}

/// `ServeContent`: the body with `ETag` and `Last-Modified`, or a bare 304.
fn serve_content(
    parts: &Parts,
    doc: &Document,
    content_type: &str,
    bytes: Bytes,
) -> Response<Body> {
    let mut r = if if_none_match(parts, &doc.etag) {
        let mut r = respond(StatusCode::NOT_MODIFIED, content_type, Bytes::new());
        r.headers_mut().remove(header::CONTENT_TYPE);
        r
    } else {
        let mut r = respond(StatusCode::OK, content_type, bytes);
        r.headers_mut()
            .insert(header::LAST_MODIFIED, doc.last_modified.clone());
        r
    };
    r.headers_mut().insert(header::ETAG, doc.etag.clone());
    r
}

/// `GET /openapi/v2`. `protobuf` is the v2 document in gnostic's protobuf encoding, when the
/// server has it; its `ETag` is the JSON's, as in kube-openapi.
pub fn handle_v2(parts: &Parts, protobuf: Option<&Bytes>) -> Response<Body> {
    let mut offers = vec![("json", Encoding::Json)];
    if protobuf.is_some() {
        offers.push((V2_PROTOBUF_DEPRECATED_SUBTYPE, Encoding::Protobuf));
        offers.push((
            V2_PROTOBUF.trim_start_matches("application/"),
            Encoding::Protobuf,
        ));
    }
    let accept = header_str(&parts.headers, &header::ACCEPT);
    let mut r = match (select(accept, &offers), protobuf) {
        (Some(Encoding::Json), _) => serve_content(parts, &V2, JSON, V2.json.clone()),
        (Some(Encoding::Protobuf), Some(pb)) => serve_content(parts, &V2, V2_PROTOBUF, pb.clone()),
        _ => return not_acceptable(),
    };
    r.headers_mut()
        .insert(header::VARY, HeaderValue::from_static("Accept"));
    r
}

/// `GET /openapi/v3`: the index naming our one group version with its current hash.
pub fn handle_v3_index(parts: &Parts) -> Response<Body> {
    serve_content(parts, &V3_INDEX, JSON, V3_INDEX.json.clone())
}

/// `GET /openapi/v3/<rest>`: our group version's document, 404 for any other. With a current
/// `?hash=` the answer may be cached forever; with a stale one it is a 301 to the current URL.
pub fn handle_v3_group_version(parts: &Parts, protobuf: Option<&Bytes>) -> Response<Body> {
    if parts.uri.path() != V3_GROUP_VERSION_URL_PATH {
        return not_found();
    }
    let doc = &*V3_GROUP_VERSION;
    let mut offers = vec![("json", Encoding::Json)];
    if protobuf.is_some() {
        offers.push((
            V3_PROTOBUF.trim_start_matches("application/"),
            Encoding::Protobuf,
        ));
        offers.push((V3_PROTOBUF_DEPRECATED_SUBTYPE, Encoding::Protobuf));
    }
    let accept = header_str(&parts.headers, &header::ACCEPT);
    let (content_type, bytes) = match (select(accept, &offers), protobuf) {
        (Some(Encoding::Json), _) => (JSON, doc.json.clone()),
        (Some(Encoding::Protobuf), Some(pb)) => (V3_PROTOBUF, pb.clone()),
        _ => return not_acceptable(),
    };
    let query = Query::parse(parts.uri.query().unwrap_or(""));
    let hash = query.get("hash").unwrap_or("");
    if !hash.is_empty() && hash != doc.hash {
        let mut r = respond(StatusCode::MOVED_PERMANENTLY, content_type, Bytes::new());
        let h = r.headers_mut();
        if let Ok(loc) = HeaderValue::from_str(&v3_server_relative_url(&doc.hash)) {
            h.insert(header::LOCATION, loc);
        }
        h.insert(header::ETAG, doc.etag.clone());
        h.insert(header::VARY, HeaderValue::from_static("Accept"));
        return r;
    }
    let mut r = serve_content(parts, doc, content_type, bytes);
    let h = r.headers_mut();
    h.insert(header::VARY, HeaderValue::from_static("Accept"));
    if !hash.is_empty() {
        h.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, immutable"),
        );
        let next_year = jiff::Zoned::now()
            .with_time_zone(jiff::tz::TimeZone::UTC)
            .checked_add(jiff::Span::new().years(1))
            .map(|z| z.timestamp())
            .unwrap_or_else(|_| jiff::Timestamp::now());
        h.insert(header::EXPIRES, http_date(next_year));
    }
    r
}

/// Go's `http.NotFound`, as a generic apiserver answers an unknown path.
fn not_found() -> Response<Body> {
    let mut r = respond(
        StatusCode::NOT_FOUND,
        "text/plain; charset=utf-8",
        "404 page not found\n",
    );
    r.headers_mut().insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;
    use serde_json::Value;

    fn parts(path: &str, headers: &[(&str, &str)]) -> Parts {
        let mut b = http::Request::builder().uri(path);
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        b.body(()).unwrap().into_parts().0
    }

    fn body(r: Response<Body>) -> Bytes {
        futures::executor::block_on(r.into_body().collect())
            .unwrap()
            .to_bytes()
    }

    fn sha512_hex(b: &[u8]) -> String {
        hex::encode_upper(Sha512::digest(b))
    }

    const PB_V2: &str = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf";

    #[test]
    fn v2_json_with_etag_of_its_bytes() {
        for accept in [
            None,
            Some("application/json"),
            Some("*/*"),
            Some("application/*"),
        ] {
            let h: Vec<(&str, &str)> = accept.map(|a| ("accept", a)).into_iter().collect();
            let r = handle_v2(&parts("/openapi/v2", &h), None);
            assert_eq!(r.status(), StatusCode::OK, "{accept:?}");
            assert_eq!(r.headers()[header::CONTENT_TYPE], "application/json");
            assert_eq!(r.headers()[header::VARY], "Accept");
            assert!(r.headers().contains_key(header::LAST_MODIFIED));
            let etag = r.headers()[header::ETAG].to_str().unwrap().to_string();
            let b = body(r);
            assert_eq!(etag, format!("\"{}\"", sha512_hex(&b)));
            let v: Value = serde_json::from_slice(&b).unwrap();
            assert_eq!(v["swagger"], "2.0");
            assert!(
                v["paths"]["/apis/argoproj.io/v1alpha1/namespaces/{namespace}/applications"]
                    .is_object()
            );
        }
    }

    #[test]
    fn v2_if_none_match_is_304() {
        let etag = v2_etag().to_str().unwrap().to_string();
        for inm in [
            etag.clone(),
            format!("W/{etag}"),
            format!("\"x\", {etag}"),
            "*".into(),
        ] {
            let r = handle_v2(
                &parts(
                    "/openapi/v2",
                    &[("accept", "application/json"), ("if-none-match", &inm)],
                ),
                None,
            );
            assert_eq!(r.status(), StatusCode::NOT_MODIFIED, "{inm}");
            assert_eq!(r.headers()[header::ETAG].to_str().unwrap(), etag);
            assert!(r.headers().get(header::CONTENT_TYPE).is_none());
            assert!(body(r).is_empty());
        }
        let r = handle_v2(
            &parts("/openapi/v2", &[("if-none-match", "\"stale\"")]),
            None,
        );
        assert_eq!(r.status(), StatusCode::OK);
    }

    #[test]
    fn v2_protobuf_only_with_the_hook() {
        // Without protobuf bytes, a protobuf-only Accept is 406; with JSON as a fallback, JSON.
        let r = handle_v2(&parts("/openapi/v2", &[("accept", PB_V2)]), None);
        assert_eq!(r.status(), StatusCode::NOT_ACCEPTABLE);
        assert_eq!(r.headers()[header::VARY], "Accept");
        let both = format!("{PB_V2}, application/json");
        let r = handle_v2(&parts("/openapi/v2", &[("accept", &both)]), None);
        assert_eq!(r.headers()[header::CONTENT_TYPE], "application/json");
        // With the bytes, both names get the non-deprecated Content-Type and the JSON's ETag.
        let pb = Bytes::from_static(b"\x0a\x032.0");
        for accept in [PB_V2, V2_PROTOBUF] {
            let r = handle_v2(&parts("/openapi/v2", &[("accept", accept)]), Some(&pb));
            assert_eq!(r.status(), StatusCode::OK);
            assert_eq!(r.headers()[header::CONTENT_TYPE], V2_PROTOBUF);
            assert_eq!(r.headers()[header::ETAG], v2_etag());
            assert_eq!(body(r), pb);
        }
        // Accept order decides when both are offered.
        let r = handle_v2(&parts("/openapi/v2", &[("accept", &both)]), Some(&pb));
        assert_eq!(r.headers()[header::CONTENT_TYPE], V2_PROTOBUF);
        let r = handle_v2(&parts("/openapi/v2", &[("accept", "text/html")]), Some(&pb));
        assert_eq!(r.status(), StatusCode::NOT_ACCEPTABLE);
        assert!(body(r).is_empty());
    }

    #[test]
    fn v3_index_names_only_our_group_version_with_its_hash() {
        let r = handle_v3_index(&parts("/openapi/v3", &[]));
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()[header::CONTENT_TYPE], "application/json");
        let etag = r.headers()[header::ETAG].to_str().unwrap().to_string();
        let b = body(r);
        assert_eq!(etag, format!("\"{}\"", sha512_hex(&b)));
        let v: Value = serde_json::from_slice(&b).unwrap();
        let paths = v["paths"].as_object().unwrap();
        assert_eq!(paths.len(), 1);
        let url = paths["apis/argoproj.io/v1alpha1"]["serverRelativeURL"]
            .as_str()
            .unwrap();
        // The hash is the SHA-512 of the group-version document as served.
        let gv = body(handle_v3_group_version(
            &parts(V3_GROUP_VERSION_URL_PATH, &[("accept", "application/json")]),
            None,
        ));
        assert_eq!(
            url,
            format!(
                "/openapi/v3/apis/argoproj.io/v1alpha1?hash={}",
                sha512_hex(&gv)
            )
        );
        let r = handle_v3_index(&parts("/openapi/v3", &[("if-none-match", &etag)]));
        assert_eq!(r.status(), StatusCode::NOT_MODIFIED);
    }

    #[test]
    fn v3_group_version_hash_logic() {
        let url = format!("{V3_GROUP_VERSION_URL_PATH}?hash={}", v3_hash());
        let r = handle_v3_group_version(&parts(&url, &[("accept", "application/json")]), None);
        assert_eq!(r.status(), StatusCode::OK);
        let h = r.headers();
        assert_eq!(h[header::CONTENT_TYPE], "application/json");
        assert_eq!(h[header::CACHE_CONTROL], "public, immutable");
        assert_eq!(h[header::VARY], "Accept");
        assert_eq!(
            h[header::ETAG].to_str().unwrap(),
            format!("\"{}\"", v3_hash())
        );
        let expires = jiff::fmt::rfc2822::parse(h[header::EXPIRES].to_str().unwrap())
            .unwrap()
            .timestamp();
        let days = (expires - jiff::Timestamp::now())
            .total(jiff::Unit::Hour)
            .unwrap()
            / 24.0;
        assert!((364.0..=367.0).contains(&days), "{days}");
        let v: Value = serde_json::from_slice(&body(r)).unwrap();
        assert_eq!(v["openapi"], "3.0.0");

        // Without a hash: no immutable caching, but an ETag.
        let r = handle_v3_group_version(&parts(V3_GROUP_VERSION_URL_PATH, &[]), None);
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()[header::CACHE_CONTROL], "no-cache, private");
        assert!(r.headers().get(header::EXPIRES).is_none());
        assert!(r.headers().contains_key(header::ETAG));

        // A stale hash is a permanent redirect to the current URL.
        let r = handle_v3_group_version(
            &parts(&format!("{V3_GROUP_VERSION_URL_PATH}?hash=0BAD"), &[]),
            None,
        );
        assert_eq!(r.status(), StatusCode::MOVED_PERMANENTLY);
        assert_eq!(
            r.headers()[header::LOCATION].to_str().unwrap(),
            format!("/openapi/v3/apis/argoproj.io/v1alpha1?hash={}", v3_hash())
        );
        assert!(r.headers().contains_key(header::ETAG));

        // If-None-Match with the current tag.
        let etag = format!("\"{}\"", v3_hash());
        let r = handle_v3_group_version(&parts(&url, &[("if-none-match", &etag)]), None);
        assert_eq!(r.status(), StatusCode::NOT_MODIFIED);
        assert!(body(r).is_empty());

        // Protobuf without the hook, and unknown group versions.
        let r = handle_v3_group_version(
            &parts(
                &url,
                &[(
                    "accept",
                    "application/com.github.proto-openapi.spec.v3.v1.0+protobuf",
                )],
            ),
            None,
        );
        assert_eq!(r.status(), StatusCode::NOT_ACCEPTABLE);
        let pb = Bytes::from_static(b"pb");
        let r = handle_v3_group_version(
            &parts(
                &url,
                &[(
                    "accept",
                    "application/com.github.proto-openapi.spec.v3@v1.0+protobuf",
                )],
            ),
            Some(&pb),
        );
        assert_eq!(r.headers()[header::CONTENT_TYPE], V3_PROTOBUF);
        assert_eq!(body(r), pb);
        let r = handle_v3_group_version(&parts("/openapi/v3/apis/apps/v1", &[]), None);
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
    }

    #[test]
    fn accept_sorting_follows_goautoneg() {
        let offers = [("json", Encoding::Json), ("x-pb", Encoding::Protobuf)];
        assert_eq!(
            select(Some("application/x-pb;q=0.5, application/json"), &offers),
            Some(Encoding::Json)
        );
        assert_eq!(
            select(Some("*/*, application/x-pb"), &offers),
            Some(Encoding::Protobuf)
        );
        assert_eq!(
            select(Some("application/x-pb, application/json"), &offers),
            Some(Encoding::Protobuf)
        );
        assert_eq!(select(Some("text/*"), &offers), None);
    }
}
