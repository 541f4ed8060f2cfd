//! What the fuzz targets share: splitting one input into parts, and the invariants every
//! parser's result is held to beyond "does not panic".

use argo_apiserver_core::depth::{MAX_NESTING_DEPTH, depth};
use serde_json::{Value, json};

/// Splits at the first NUL: the fuzzer learns the separator from the seeds, and either part may
/// be anything.
pub fn split(data: &[u8]) -> (&[u8], &[u8]) {
    match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[]),
    }
}

/// Text as a server sees it after UTF-8 decoding of a header or query (lossy, as hyper's `str`
/// conversion would refuse the rest earlier).
pub fn text(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}

/// A stored object a patch applies to: the input's document when it is JSON, else a real
/// Application, so most runs exercise the patch rather than document parsing.
pub fn document(data: &[u8]) -> Value {
    serde_json::from_slice(data).unwrap_or_else(|_| {
        json!({
            "apiVersion": "argoproj.io/v1alpha1",
            "kind": "Application",
            "metadata": {"name": "guestbook", "namespace": "argocd", "labels": {"a": "b"},
                         "finalizers": ["resources-finalizer.argocd.argoproj.io"]},
            "spec": {"project": "default",
                     "source": {"repoURL": "https://github.com/argoproj/argocd-example-apps",
                                "path": "guestbook", "targetRevision": "HEAD"},
                     "destination": {"server": "https://kubernetes.default.svc",
                                     "namespace": "guestbook"},
                     "syncPolicy": {"automated": {"prune": true}}}
        })
    })
}

/// A decoded body respects the nesting limit and survives being written and read back, as the
/// server stores and serves it.
pub fn check_decoded(value: &Value) {
    assert!(
        depth(value) <= MAX_NESTING_DEPTH,
        "a body deeper than the limit was accepted"
    );
    let bytes = serde_json::to_vec(value).expect("a decoded body encodes");
    let back: Value = serde_json::from_slice(&bytes).expect("an encoded body decodes");
    assert_eq!(&back, value, "a body changed on its way through storage");
}
