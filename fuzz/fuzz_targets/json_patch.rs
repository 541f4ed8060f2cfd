//! JSON patches (RFC 6902) applied to a stored object: input is `document NUL patch`.
#![no_main]

use argo_apiserver_core::PatchType;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| argo_fuzz::patch(data, PatchType::Json));
