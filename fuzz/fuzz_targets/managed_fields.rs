//! managedFields' `fieldsV1` (field path sets, as clients send them back in every update) and
//! their path element keys (`f:name`, `k:{...}`, `v:...`, `i:0`).
#![no_main]

use argo_apiserver_core::fieldpath::{PathElement, Set, path_string};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let Ok(fields) = serde_json::from_slice::<Value>(data) else {
        // Not JSON: one path element key, as a fieldsV1 object's key.
        if let Ok(pe) = PathElement::decode(&argo_fuzz::text(data)) {
            let again = PathElement::decode(&pe.encode()).expect("an encoded element decodes");
            assert_eq!(again, pe);
        }
        return;
    };
    let Ok(set) = Set::from_fields_v1(&fields) else {
        return;
    };
    // What the server stores and serves back decodes to the same set.
    let encoded = set.to_fields_v1();
    let again = Set::from_fields_v1(&encoded).expect("an encoded set decodes");
    assert_eq!(again, set);
    assert_eq!(again.to_fields_v1(), encoded);
    for p in set.paths() {
        assert!(set.has(&p));
        let _ = path_string(&p);
    }
});
