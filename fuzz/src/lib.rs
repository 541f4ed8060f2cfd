//! What the fuzz targets share: splitting one input into parts, and the invariants every
//! parser's result is held to beyond "does not panic".

use argo_apiserver_core::PatchType;
use argo_apiserver_core::depth::{MAX_NESTING_DEPTH, depth};
use argo_apiserver_core::patch::{apply_patch, parse_patch};
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

/// A patch body of `patch_type` applied to a stored object; input is `document NUL patch`.
pub fn patch(data: &[u8], patch_type: PatchType) {
    let (doc, patch) = split(data);
    let old = document(doc);
    let Ok(p) = parse_patch(patch_type, patch) else {
        return;
    };
    let Ok(new) = apply_patch(&p, &old) else {
        return;
    };
    if patch_type == PatchType::Merge {
        // RFC 7386: a merge patch is idempotent, so a retried PATCH changes nothing more.
        let again = apply_patch(&p, &new).expect("a merge patch that applied once applies again");
        assert_eq!(again, new, "a merge patch applied twice differs from once");
    }
}
