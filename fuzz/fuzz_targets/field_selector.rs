//! `fieldSelector` query parameters.
#![no_main]

use argo_apiserver_core::FieldSelector;
use argo_apiserver_core::selector::FieldRequirement;
use libfuzzer_sys::fuzz_target;
use serde_json::json;

/// The terms, in an order of their own: kube sorts the raw terms before unescaping, so a printed
/// selector may list the same terms in another order (`=\x12,==\0` prints as `=\x12,=\0`, which
/// sorts the other way round).
fn terms(s: &FieldSelector) -> Vec<String> {
    let mut t: Vec<String> = s
        .requirements
        .iter()
        .map(|r: &FieldRequirement| format!("{r:?}"))
        .collect();
    t.sort();
    t
}

fuzz_target!(|data: &[u8]| {
    let Ok(s) = FieldSelector::parse(&argo_fuzz::text(data)) else {
        return;
    };
    // What the server prints (in errors, in table requests) means the same selector.
    let printed = s.to_string();
    let again = FieldSelector::parse(&printed)
        .unwrap_or_else(|e| panic!("printed selector {printed:?} does not parse: {e:?}"));
    assert_eq!(terms(&again), terms(&s), "{printed:?}");
    let obj = json!({"metadata": {"name": "guestbook", "namespace": "argocd"}});
    assert_eq!(s.matches_object(&obj), again.matches_object(&obj));
});
