//! YAML request bodies, and apply configurations (JSON or YAML).
#![no_main]

use argo_apiserver_core::body::decode;
use argo_apiserver_core::patch::parse_apply;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(d) = decode(Some("application/yaml"), data, "Application") {
        argo_fuzz::check_decoded(&d.value);
    }
    let _ = parse_apply(data);
});
