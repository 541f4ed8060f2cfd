//! kube's delegating authentication chain, in its order: request headers from a verified front
//! proxy, a client certificate, a bearer token (TokenReview, cached), anonymous.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant, SystemTime};

use argo_certs::rustls::RootCertStore;
use argo_certs::rustls::pki_types::UnixTime;
use argo_certs::rustls::server::WebPkiClientVerifier;
use argo_certs::rustls::server::danger::ClientCertVerifier;
use hyper::HeaderMap;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::kubeclient::{KubeClient, KubeClientError};
use super::{PeerCerts, UserInfo};

/// kube's delegated authentication default `--authentication-token-webhook-cache-ttl`.
pub const DEFAULT_TOKEN_CACHE_TTL: Duration = Duration::from_secs(10);
/// Entries beyond this are dropped (expired ones first) so tokens cannot grow memory unbounded.
const MAX_CACHE_ENTRIES: usize = 10_000;

/// The headers kube's aggregator sets; always removed from requests, whatever is configured.
const DEFAULT_IDENTITY_HEADERS: &[&str] = &["x-remote-user", "x-remote-uid", "x-remote-group"];
const DEFAULT_EXTRA_PREFIX: &str = "x-remote-extra-";

#[derive(Debug, thiserror::Error)]
pub enum AuthnError {
    #[error("invalid bearer token")]
    InvalidToken,
    #[error("verifying the front proxy's client certificate: {0}")]
    RequestHeaderCert(String),
    #[error("front proxy client certificate CN {cn:?} is not in the allowed names {allowed:?}")]
    RequestHeaderName { cn: String, allowed: Vec<String> },
    #[error("verifying the client certificate: {0}")]
    ClientCert(String),
    #[error("TokenReview: {0}")]
    TokenReview(#[from] KubeClientError),
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "))]
    Several(Vec<AuthnError>),
    #[error("anonymous requests are not allowed")]
    AnonymousDisabled,
}

#[derive(Debug, thiserror::Error)]
pub enum CaError {
    #[error("{what}: {message}")]
    Invalid { what: String, message: String },
}

/// A CA bundle that client certificates must chain to, with clientAuth usage.
#[derive(Clone)]
pub struct CaVerifier {
    verifier: Arc<dyn ClientCertVerifier>,
    /// Distinguishes CA bundles, so a rotated CA never reuses an old verdict.
    id: u64,
}

static NEXT_CA_ID: AtomicU64 = AtomicU64::new(1);

/// One CA's verdict on a connection's chain.
#[derive(Debug)]
pub struct Verdict {
    ca_id: u64,
    result: Result<argo_certs::CertInfo, String>,
}

impl std::fmt::Debug for CaVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CaVerifier")
    }
}

impl CaVerifier {
    pub fn from_pem(pem: &str, what: &str) -> Result<CaVerifier, CaError> {
        let invalid = |message: String| CaError::Invalid {
            what: what.into(),
            message,
        };
        let mut roots = RootCertStore::empty();
        for der in argo_certs::parse_cert_chain(pem, what).map_err(|e| invalid(e.to_string()))? {
            roots.add(der).map_err(|e| invalid(e.to_string()))?;
        }
        // The same path building and clientAuth EKU check the handshake verifier would do,
        // run per request against whichever CA the authenticator trusts.
        let verifier = WebPkiClientVerifier::builder(Arc::new(roots))
            .build()
            .map_err(|e| invalid(e.to_string()))?;
        Ok(CaVerifier {
            verifier,
            id: NEXT_CA_ID.fetch_add(1, Ordering::Relaxed),
        })
    }

    /// The leaf, verified against this CA, with the chain's intermediates. A connection's
    /// chain never changes, so the signature checks run once per connection and CA; a
    /// remembered success is re-checked against the leaf's validity window.
    pub fn verify(&self, peer: &PeerCerts) -> Result<argo_certs::CertInfo, String> {
        if let Some(v) = peer.verdicts().iter().find(|v| v.ca_id == self.id) {
            return match &v.result {
                Ok(info) if info.is_valid_at(SystemTime::now()) => Ok(info.clone()),
                Ok(_) => Err("the certificate has expired or is not yet valid".into()),
                Err(e) => Err(e.clone()),
            };
        }
        let result = self.verify_chain(peer);
        let mut verdicts = peer.verdicts();
        // Only a CA rotation adds entries; keep the list short.
        if verdicts.len() >= 4 {
            verdicts.clear();
        }
        verdicts.push(Verdict {
            ca_id: self.id,
            result: result.clone(),
        });
        result
    }

    fn verify_chain(&self, peer: &PeerCerts) -> Result<argo_certs::CertInfo, String> {
        let leaf = peer.leaf().ok_or("no client certificate")?;
        self.verifier
            .verify_client_cert(leaf, peer.intermediates(), UnixTime::now())
            .map_err(|e| e.to_string())?;
        argo_certs::CertInfo::from_der(leaf, "client certificate").map_err(|e| e.to_string())
    }
}

/// The front proxy's trust and header names (kube's RequestHeaderConfig).
#[derive(Clone, Debug)]
pub struct RequestHeaderConfig {
    pub ca: CaVerifier,
    /// CNs the front proxy's certificate may carry; empty allows any.
    pub allowed_names: Vec<String>,
    pub username_headers: Vec<String>,
    pub uid_headers: Vec<String>,
    pub group_headers: Vec<String>,
    pub extra_headers_prefix: Vec<String>,
}

impl RequestHeaderConfig {
    fn user_from_headers(&self, headers: &HeaderMap) -> Option<UserInfo> {
        let first = |names: &[String]| {
            names.iter().find_map(|n| {
                headers
                    .get_all(n.as_str())
                    .iter()
                    .filter_map(|v| v.to_str().ok())
                    .find(|v| !v.is_empty())
                    .map(str::to_string)
            })
        };
        let name = first(&self.username_headers)?;
        let uid = first(&self.uid_headers).unwrap_or_default();
        let mut groups = Vec::new();
        for h in &self.group_headers {
            for v in headers.get_all(h.as_str()) {
                if let Ok(v) = v.to_str()
                    && !v.is_empty()
                {
                    groups.push(v.to_string());
                }
            }
        }
        let mut extra: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for prefix in &self.extra_headers_prefix {
            let prefix = prefix.to_ascii_lowercase();
            for (k, v) in headers {
                // Header names are lower case in the map, as kube lower-cases the key.
                let Some(key) = k.as_str().strip_prefix(&prefix) else {
                    continue;
                };
                let Ok(v) = v.to_str() else {
                    continue;
                };
                extra
                    .entry(unescape_extra_key(key))
                    .or_default()
                    .push(v.to_string());
            }
        }
        Some(UserInfo {
            name,
            uid,
            groups,
            extra,
        })
    }
}

/// What the chain trusts now: replaced whole when the authentication ConfigMap changes.
#[derive(Clone, Debug, Default)]
pub struct DynamicConfig {
    pub request_header: Option<RequestHeaderConfig>,
    pub client_ca: Option<CaVerifier>,
}

type TokenDigest = [u8; 32];

/// Reviews bearer tokens with kube-apiserver, caching answers (authenticated or not).
pub struct TokenReviewer {
    client: Arc<KubeClient>,
    ttl: Duration,
    cache: Mutex<HashMap<TokenDigest, (Option<UserInfo>, Instant)>>,
}

#[derive(Deserialize)]
struct TokenReview {
    #[serde(default)]
    status: TokenReviewStatus,
}

#[derive(Default, Deserialize)]
struct TokenReviewStatus {
    #[serde(default)]
    authenticated: bool,
    #[serde(default)]
    user: TokenReviewUser,
}

#[derive(Default, Deserialize)]
struct TokenReviewUser {
    #[serde(default)]
    username: String,
    #[serde(default)]
    uid: String,
    #[serde(default)]
    groups: Vec<String>,
    #[serde(default)]
    extra: BTreeMap<String, Vec<String>>,
}

impl TokenReviewer {
    pub fn new(client: Arc<KubeClient>, ttl: Duration) -> TokenReviewer {
        TokenReviewer {
            client,
            ttl,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// `Some(user)` when kube-apiserver authenticated the token, `None` when it did not.
    pub async fn review(&self, token: &str) -> Result<Option<UserInfo>, KubeClientError> {
        // Keyed on a digest so the cache never holds tokens themselves.
        let key: TokenDigest = Sha256::digest(token.as_bytes()).into();
        let now = Instant::now();
        if let Ok(cache) = self.cache.lock()
            && let Some((user, at)) = cache.get(&key)
            && now.duration_since(*at) < self.ttl
        {
            return Ok(user.clone());
        }
        let review = serde_json::json!({
            "apiVersion": "authentication.k8s.io/v1",
            "kind": "TokenReview",
            "spec": {"token": token},
        });
        let answer: TokenReview = self
            .client
            .create("/apis/authentication.k8s.io/v1/tokenreviews", &review)
            .await?;
        let user = answer.status.authenticated.then_some(UserInfo {
            name: answer.status.user.username,
            uid: answer.status.user.uid,
            groups: answer.status.user.groups,
            extra: answer.status.user.extra,
        });
        // A review that names no user is not an authentication.
        let user = user.filter(|u| !u.name.is_empty());
        if let Ok(mut cache) = self.cache.lock() {
            if cache.len() >= MAX_CACHE_ENTRIES {
                let ttl = self.ttl;
                cache.retain(|_, (_, at)| now.duration_since(*at) < ttl);
                if cache.len() >= MAX_CACHE_ENTRIES {
                    cache.clear();
                }
            }
            cache.insert(key, (user.clone(), now));
        }
        Ok(user)
    }
}

/// The whole chain.
pub struct Authenticator {
    dynamic: RwLock<Arc<DynamicConfig>>,
    tokens: Option<TokenReviewer>,
    anonymous: bool,
}

impl Authenticator {
    pub fn new(config: DynamicConfig, tokens: Option<TokenReviewer>, anonymous: bool) -> Self {
        Authenticator {
            dynamic: RwLock::new(Arc::new(config)),
            tokens,
            anonymous,
        }
    }

    /// Swaps in new CAs and header names (CA rotation); requests in flight keep the old ones.
    pub fn set_config(&self, config: DynamicConfig) {
        if let Ok(mut d) = self.dynamic.write() {
            *d = Arc::new(config);
        }
    }

    pub fn config(&self) -> Arc<DynamicConfig> {
        self.dynamic
            .read()
            .map(|d| d.clone())
            .unwrap_or_else(|p| p.into_inner().clone())
    }

    /// The user of a request, or why it is not authenticated (a 401).
    pub async fn authenticate(
        &self,
        headers: &HeaderMap,
        peer: &PeerCerts,
    ) -> Result<UserInfo, AuthnError> {
        let config = self.config();
        let mut errors = Vec::new();
        if peer.leaf().is_some() {
            if let Some(rh) = &config.request_header {
                match rh.ca.verify(peer) {
                    Ok(cert) => {
                        let cn = cert.common_name.unwrap_or_default();
                        if !rh.allowed_names.is_empty() && !rh.allowed_names.contains(&cn) {
                            errors.push(AuthnError::RequestHeaderName {
                                cn,
                                allowed: rh.allowed_names.clone(),
                            });
                        } else if let Some(user) = rh.user_from_headers(headers) {
                            return Ok(user.with_authenticated_group());
                        }
                    }
                    Err(e) => errors.push(AuthnError::RequestHeaderCert(e)),
                }
            }
            if let Some(ca) = &config.client_ca {
                match ca.verify(peer) {
                    Ok(cert) => match cert.common_name.filter(|n| !n.is_empty()) {
                        Some(name) => {
                            let mut extra = BTreeMap::new();
                            if let Some(leaf) = peer.leaf() {
                                extra.insert(
                                    "authentication.kubernetes.io/credential-id".to_string(),
                                    vec![format!(
                                        "X509SHA256={}",
                                        hex::encode(Sha256::digest(leaf.as_ref()))
                                    )],
                                );
                            }
                            return Ok(UserInfo {
                                name,
                                uid: String::new(),
                                groups: cert.organizations,
                                extra,
                            }
                            .with_authenticated_group());
                        }
                        None => errors.push(AuthnError::ClientCert(
                            "the certificate has no common name".into(),
                        )),
                    },
                    Err(e) => errors.push(AuthnError::ClientCert(e)),
                }
            }
        }
        if let (Some(token), Some(reviewer)) = (bearer_token(headers), &self.tokens) {
            match reviewer.review(token).await {
                Ok(Some(user)) => return Ok(user.with_authenticated_group()),
                Ok(None) => errors.push(AuthnError::InvalidToken),
                Err(e) => errors.push(AuthnError::TokenReview(e)),
            }
        }
        // kube's NewFailOnError: a credential that failed never falls back to anonymous.
        match errors.len() {
            0 if self.anonymous => Ok(UserInfo::anonymous()),
            0 => Err(AuthnError::AnonymousDisabled),
            1 => Err(errors.remove(0)),
            _ => Err(AuthnError::Several(errors)),
        }
    }

    /// Removes `Authorization` and every identity header, configured or kube's defaults, so no
    /// handler ever sees a client-supplied identity.
    pub fn strip_identity_headers(&self, headers: &mut HeaderMap) {
        let config = self.config();
        headers.remove(hyper::header::AUTHORIZATION);
        let mut names: Vec<String> = DEFAULT_IDENTITY_HEADERS
            .iter()
            .map(|s| s.to_string())
            .collect();
        let mut prefixes = vec![DEFAULT_EXTRA_PREFIX.to_string()];
        if let Some(rh) = &config.request_header {
            names.extend(rh.username_headers.iter().map(|h| h.to_ascii_lowercase()));
            names.extend(rh.uid_headers.iter().map(|h| h.to_ascii_lowercase()));
            names.extend(rh.group_headers.iter().map(|h| h.to_ascii_lowercase()));
            prefixes.extend(
                rh.extra_headers_prefix
                    .iter()
                    .map(|h| h.to_ascii_lowercase()),
            );
        }
        for n in &names {
            headers.remove(n.as_str());
        }
        let extra: Vec<_> = headers
            .keys()
            .filter(|k| prefixes.iter().any(|p| k.as_str().starts_with(p.as_str())))
            .cloned()
            .collect();
        for k in extra {
            headers.remove(k);
        }
    }
}

/// `Authorization: Bearer <token>`, the scheme case-insensitive; anything else is no token.
fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(hyper::header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// An extra key as kube reads it (url.PathUnescape): `%XX` with two hex digits is a byte; a key
/// that does not unescape is kept as sent, since kube records extras even when not encoded.
fn unescape_extra_key(key: &str) -> String {
    argo_apiserver_core::params::percent_decode(key, false).unwrap_or_else(|| key.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rh(ca: &argo_certs::Ca) -> RequestHeaderConfig {
        RequestHeaderConfig {
            ca: CaVerifier::from_pem(ca.cert_pem(), "requestheader CA").expect("ca"),
            allowed_names: vec!["front-proxy-client".into()],
            username_headers: vec!["X-Remote-User".into()],
            uid_headers: vec!["X-Remote-Uid".into()],
            group_headers: vec!["X-Remote-Group".into()],
            extra_headers_prefix: vec!["X-Remote-Extra-".into()],
        }
    }

    fn peer(cert_pem: &str) -> PeerCerts {
        PeerCerts::new(argo_certs::parse_cert_chain(cert_pem, "cert").expect("chain"))
    }

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(
                hyper::header::HeaderName::from_bytes(k.as_bytes()).expect("name"),
                v.parse().expect("value"),
            );
        }
        h
    }

    #[test]
    fn extra_keys_unescape_like_url_path_unescape() {
        assert_eq!(unescape_extra_key("acme.com%2fproject"), "acme.com/project");
        assert_eq!(unescape_extra_key("a+b"), "a+b");
        // Malformed escapes (a sign, one digit, non-hex, a cut-off end) are kept as sent, never
        // dropped or half-decoded.
        for raw in ["%+5", "%-1x", "%5", "%zz", "key%"] {
            assert_eq!(unescape_extra_key(raw), raw);
        }
        // Escaped bytes that are not UTF-8 decode as Go's do once JSON-encoded: U+FFFD.
        assert_eq!(unescape_extra_key("a%ffb"), "a\u{fffd}b");
    }

    #[tokio::test]
    async fn request_headers_need_a_verified_allowed_front_proxy() {
        let proxy_ca = argo_certs::Ca::generate("front-proxy-ca").expect("ca");
        let client_ca = argo_certs::Ca::generate("client-ca").expect("ca");
        let other_ca = argo_certs::Ca::generate("front-proxy-ca").expect("ca");
        let authn = Authenticator::new(
            DynamicConfig {
                request_header: Some(rh(&proxy_ca)),
                client_ca: Some(
                    CaVerifier::from_pem(client_ca.cert_pem(), "client CA").expect("ca"),
                ),
            },
            None,
            true,
        );
        let h = headers(&[
            ("X-Remote-User", "alice"),
            ("X-Remote-Uid", "u-1"),
            ("X-Remote-Group", "dev"),
            ("X-Remote-Group", "ops,qa"),
            ("X-Remote-Extra-Scopes", "a"),
            ("X-Remote-Extra-Acme.com%2Fproject", "p"),
        ]);
        let good = proxy_ca
            .issue_client(
                "front-proxy-client",
                &[] as &[&str],
                Duration::from_secs(3600),
            )
            .expect("cert");
        let user = authn
            .authenticate(&h, &peer(&good.cert_pem))
            .await
            .expect("user");
        assert_eq!(user.name, "alice");
        assert_eq!(user.uid, "u-1");
        assert_eq!(user.groups, ["dev", "ops,qa", "system:authenticated"]);
        assert_eq!(user.extra["scopes"], ["a"]);
        assert_eq!(user.extra["acme.com/project"], ["p"]);

        // Spoofed headers: no certificate is anonymous; a certificate from another CA, or from
        // the right CA with a name not allowed, is an error (401), never the header's user.
        let anon = authn
            .authenticate(&h, &PeerCerts::none())
            .await
            .expect("anonymous");
        assert_eq!(anon, UserInfo::anonymous());
        let forged = other_ca
            .issue_client(
                "front-proxy-client",
                &[] as &[&str],
                Duration::from_secs(3600),
            )
            .expect("cert");
        assert!(
            authn
                .authenticate(&h, &peer(&forged.cert_pem))
                .await
                .is_err()
        );
        let wrong_name = proxy_ca
            .issue_client("someone-else", &[] as &[&str], Duration::from_secs(3600))
            .expect("cert");
        assert!(
            authn
                .authenticate(&h, &peer(&wrong_name.cert_pem))
                .await
                .is_err()
        );

        // A client certificate is its own user; the headers beside it are ignored.
        let bob = client_ca
            .issue_client("bob", &["team"], Duration::from_secs(3600))
            .expect("cert");
        let user = authn
            .authenticate(&h, &peer(&bob.cert_pem))
            .await
            .expect("bob");
        assert_eq!(user.name, "bob");
        assert_eq!(user.groups, ["team", "system:authenticated"]);
        assert!(
            user.extra["authentication.kubernetes.io/credential-id"][0].starts_with("X509SHA256=")
        );
    }

    #[test]
    fn identity_headers_are_stripped() {
        let authn = Authenticator::new(DynamicConfig::default(), None, true);
        let mut h = headers(&[
            ("Authorization", "Bearer x"),
            ("X-Remote-User", "alice"),
            ("X-Remote-Group", "g"),
            ("X-Remote-Extra-Foo", "f"),
            ("Accept", "application/json"),
        ]);
        authn.strip_identity_headers(&mut h);
        assert_eq!(h.len(), 1);
        assert!(h.contains_key("accept"));
    }

    #[test]
    fn bearer_scheme_is_case_insensitive() {
        assert_eq!(
            bearer_token(&headers(&[("Authorization", "bEaReR abc")])),
            Some("abc")
        );
        assert_eq!(
            bearer_token(&headers(&[("Authorization", "Basic abc")])),
            None
        );
        assert_eq!(
            bearer_token(&headers(&[("Authorization", "Bearer ")])),
            None
        );
    }
}
