//! `labelSelector` query parameters.
#![no_main]

use std::collections::BTreeMap;

use argo_apiserver_core::LabelSelector;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (selector, labels) = argo_fuzz::split(data);
    let Ok(s) = LabelSelector::parse(&argo_fuzz::text(selector)) else {
        return;
    };
    // What the server prints (in errors, in the watch cache's keys) parses to the same thing.
    let printed = s.to_string();
    let again = LabelSelector::parse(&printed)
        .unwrap_or_else(|e| panic!("printed selector {printed:?} does not parse: {e:?}"));
    assert_eq!(again.to_string(), printed);
    let labels: BTreeMap<String, String> = argo_fuzz::text(labels)
        .split(',')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    assert_eq!(s.matches(&labels), again.matches(&labels));
});
