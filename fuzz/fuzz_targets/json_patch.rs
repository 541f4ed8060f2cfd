//! JSON patches (RFC 6902) applied to a stored object: input is
//! `document NUL patch`.
#![no_main]

use argo_apiserver_core::PatchType;
use argo_apiserver_core::patch::{apply_patch, parse_patch};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (doc, patch) = argo_fuzz::split(data);
    let old = argo_fuzz::document(doc);
    let before = old.clone();
    if let Ok(p) = parse_patch(PatchType::Json, patch) {
        let _ = apply_patch(&p, &old);
    }
    // Patching works on a copy: a failed patch never leaves a half-written object.
    assert_eq!(old, before);
});
