//! Accept and Content-Type headers: content negotiation for objects, lists, watches and
//! discovery, and the body and patch formats; input is `accept NUL content-type`.
#![no_main]

use argo_apiserver_core::PatchType;
use argo_apiserver_core::negotiation::{
    accept_clauses, negotiate_discovery, negotiate_legacy_discovery, negotiate_list,
    negotiate_object, negotiate_watch, request_body_format,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (accept, content_type) = argo_fuzz::split(data);
    let text = argo_fuzz::text(accept);
    let accept = Some(text.as_str());
    let clauses = accept_clauses(accept);
    if text.is_empty() {
        assert_eq!(clauses, accept_clauses(Some("*/*")), "no Accept means */*");
    }
    for pretty in [false, true] {
        if let Ok(n) = negotiate_object(accept, pretty) {
            let _ = n.content_type();
        }
        let _ = negotiate_list(accept, pretty);
        let _ = negotiate_discovery(accept, pretty);
        let _ = negotiate_legacy_discovery(accept, pretty);
    }
    let _ = negotiate_watch(accept);
    let content_type = argo_fuzz::text(content_type);
    let _ = request_body_format(Some(&content_type));
    let _ = PatchType::from_content_type(Some(&content_type));
});
