//! JSON request bodies (create, update, every action subresource's body).
#![no_main]

use argo_apiserver_core::body::decode;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(d) = decode(Some("application/json"), data, "Application") {
        argo_fuzz::check_decoded(&d.value);
    }
});
