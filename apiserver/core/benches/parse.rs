//! Per-request parsing cost: prints nanoseconds per call for the hot-path parsers. Run with
//! `cargo bench -p argo-apiserver-core --bench parse`. Reports numbers, asserts nothing.

use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::Instant;

use argo_apiserver_core::negotiation::negotiate_list;
use argo_apiserver_core::{LabelSelector, ListOptions, Query, RequestInfo};

fn bench(name: &str, iters: u32, mut f: impl FnMut()) {
    // Warm up, then time.
    for _ in 0..iters / 10 {
        f();
    }
    let start = Instant::now();
    for _ in 0..iters {
        f();
    }
    let ns = start.elapsed().as_nanos() as f64 / f64::from(iters);
    println!("{name:<48} {ns:>10.0} ns/op");
}

fn main() {
    const N: u32 = 200_000;
    let path = "/apis/argoproj.io/v1alpha1/namespaces/argocd/applications";
    let query = "allowWatchBookmarks=true&fieldSelector=metadata.name%3Dguestbook&labelSelector=app.kubernetes.io%2Fpart-of%3Dargocd%2Ctier+in+%28web%2Capi%29&resourceVersion=12345&timeoutSeconds=290&watch=1";
    bench("RequestInfo::new (watch, field selector)", N, || {
        black_box(RequestInfo::new("GET", black_box(path), black_box(query)).ok());
    });
    bench("Query::parse + ListOptions::parse", N, || {
        black_box(ListOptions::parse(&Query::parse(black_box(query))).ok());
    });
    let accept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";
    bench("negotiate_list (kubectl get Accept)", N, || {
        black_box(negotiate_list(Some(black_box(accept)), false).ok());
    });
    let sel = LabelSelector::parse("app.kubernetes.io/part-of=argocd,tier in (web,api),!canary")
        .expect("valid selector");
    let labels: BTreeMap<String, String> = [
        ("app.kubernetes.io/part-of", "argocd"),
        ("tier", "api"),
        ("team", "platform"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    bench("LabelSelector::matches (3 requirements)", N, || {
        black_box(sel.matches(black_box(&labels)));
    });
}
