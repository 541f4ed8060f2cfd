//! Query strings: resourceVersion, resourceVersionMatch, limit, continue, watch, timeouts,
//! dryRun, fieldManager, fieldValidation, propagationPolicy...; input is `query NUL
//! DeleteOptions body`.
#![no_main]

use argo_apiserver_core::params::parse_resource_version;
use argo_apiserver_core::{
    DeleteOptions, GetOptions, ListOptions, PatchOptions, PatchType, Query, TableOptions,
    WriteOptions,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (query, body) = argo_fuzz::split(data);
    let raw = argo_fuzz::text(query);
    let q = Query::parse(&raw);
    let _ = parse_resource_version(&raw);
    if let Ok(ListOptions {
        limit: Some(limit), ..
    }) = ListOptions::parse(&q)
    {
        assert!(limit > 0, "a non-positive limit is no limit");
    }
    let _ = GetOptions::parse(&q);
    let _ = WriteOptions::parse_create(&q);
    let _ = WriteOptions::parse_update(&q);
    for t in [PatchType::Json, PatchType::Merge, PatchType::Apply] {
        let _ = PatchOptions::parse(&q, t);
    }
    let _ = PatchType::from_content_type(Some(&raw));
    let _ = TableOptions::parse(&q);
    let _ = DeleteOptions::parse(body, &q);
});
