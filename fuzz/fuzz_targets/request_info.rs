//! Request paths and queries, as RequestInfo resolves them before anything else runs; input is
//! `method NUL path?query`.
#![no_main]

use argo_apiserver_core::RequestInfo;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (method, target) = argo_fuzz::split(data);
    let target = argo_fuzz::text(target);
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    if let Ok(info) = RequestInfo::new(&argo_fuzz::text(method), path, query) {
        let _ = info.scope();
    }
});
