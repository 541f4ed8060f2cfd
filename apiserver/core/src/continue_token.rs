//! Continue tokens, opaque to clients: base64 (URL-safe, unpadded) of JSON
//! `{"v":"meta.k8s.io/v1","rv":<revision>,"start":"<key relative to the list prefix>"}`,
//! the shape kube-apiserver uses, so every page of a list is read at its first page's revision.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

/// A storage revision (etcd's mod revision).
pub type Revision = i64;

/// A token that was tampered with, is from another list, or cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid continue token: {reason}")]
pub struct InvalidContinue {
    pub reason: &'static str,
}

type Result<T> = std::result::Result<T, InvalidContinue>;

const VERSION: &str = "meta.k8s.io/v1";

#[derive(Serialize, Deserialize)]
struct Token {
    v: String,
    rv: Revision,
    start: String,
}

/// Encodes a token that resumes a list under `prefix` at `revision`, from the first key that
/// is >= `next_key` (for "after key k" pass `k` + "\0").
pub fn encode(prefix: &str, next_key: &str, revision: Revision) -> Result<String> {
    let start = next_key.strip_prefix(prefix).ok_or(InvalidContinue {
        reason: "start key outside the list prefix",
    })?;
    let json = serde_json::to_vec(&Token {
        v: VERSION.into(),
        rv: revision,
        start: start.into(),
    })
    .map_err(|_| InvalidContinue {
        reason: "cannot encode the token",
    })?;
    Ok(URL_SAFE_NO_PAD.encode(json))
}

/// Decodes a token for a list under `prefix`: the full key to start from (inclusive) and the
/// revision to read at. Anything tampered with is refused, never read at a wrong place.
pub fn decode(prefix: &str, token: &str) -> Result<(String, Revision)> {
    let bad = |reason| InvalidContinue { reason };
    // Accept padded and standard-alphabet forms too: clients sometimes re-encode.
    let trimmed = token.trim_end_matches('=');
    let raw = URL_SAFE_NO_PAD
        .decode(trimmed)
        .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(trimmed))
        .map_err(|_| bad("not base64"))?;
    let t: Token = serde_json::from_slice(&raw).map_err(|_| bad("not a continue token"))?;
    if t.v != VERSION {
        return Err(bad("unknown token version"));
    }
    if t.rv <= 0 {
        return Err(bad("revision must be positive"));
    }
    if t.start.is_empty() {
        return Err(bad("empty start key"));
    }
    // The start key must stay inside the prefix: no traversal, no absolute path.
    if t.start.starts_with('/')
        || t.start.split('/').any(|s| s == ".." || s == ".")
        || t.start.contains("//")
    {
        return Err(bad("start key escapes the list"));
    }
    Ok((format!("{prefix}{}", t.start), t.rv))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let p = "/argoproj.io/applications/";
        let tok = encode(p, "/argoproj.io/applications/ns/app\0", 42).unwrap();
        assert_eq!(
            decode(p, &tok).unwrap(),
            ("/argoproj.io/applications/ns/app\0".to_string(), 42)
        );
    }

    #[test]
    fn tampering_is_refused() {
        let p = "/argoproj.io/applications/";
        let enc = |j: &str| URL_SAFE_NO_PAD.encode(j);
        for tok in [
            "!!!".to_string(),
            enc("not json"),
            enc(r#"{"v":"meta.k8s.io/v2","rv":3,"start":"a"}"#),
            enc(r#"{"v":"meta.k8s.io/v1","rv":0,"start":"a"}"#),
            enc(r#"{"v":"meta.k8s.io/v1","rv":-4,"start":"a"}"#),
            enc(r#"{"v":"meta.k8s.io/v1","rv":3,"start":""}"#),
            enc(r#"{"v":"meta.k8s.io/v1","rv":3,"start":"../rollouts/x"}"#),
            enc(r#"{"v":"meta.k8s.io/v1","rv":3,"start":"/etc"}"#),
        ] {
            assert!(decode(p, &tok).is_err(), "{tok}");
        }
    }
}
