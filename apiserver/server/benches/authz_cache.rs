//! The latency a cached authorization decision adds to a request, and, for comparison, the
//! authentication of a front-proxy request (the chain verified once per connection).
//!
//! `cargo bench -p argo-apiserver --bench authz_cache` prints p50/p99/max per case.

use std::sync::Arc;
use std::time::{Duration, Instant};

use argo_apiserver::auth::authn::{Authenticator, CaVerifier, DynamicConfig, RequestHeaderConfig};
use argo_apiserver::auth::authz::{
    Backend, Decision, SubjectAccessReviewSpec, SubjectAccessReviewer,
};
use argo_apiserver::auth::kubeclient::KubeClient;
use argo_apiserver::auth::{Authorizer, PeerCerts, UserInfo};
use argo_apiserver_core::RequestInfo;

const ITERATIONS: usize = 100_000;

fn report(name: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let at = |q: f64| {
        let i = ((samples.len() as f64 * q) as usize).min(samples.len() - 1);
        samples[i].as_nanos()
    };
    println!(
        "{name:<48} n={:<7} p50={:>6} ns  p99={:>6} ns  max={:>8} ns",
        samples.len(),
        at(0.50),
        at(0.99),
        samples.last().map(|d| d.as_nanos()).unwrap_or(0)
    );
}

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    // Never contacted: every decision below is served from the cache.
    let client =
        Arc::new(KubeClient::new("https://127.0.0.1:1", None, None, None, None).expect("client"));
    let sar =
        SubjectAccessReviewer::new(client, Duration::from_secs(3600), Duration::from_secs(3600));
    let user = UserInfo {
        name: "alice".into(),
        uid: "0b6f3bde-3b5e-4c7c-9a3c-2b0f6c0b7c11".into(),
        groups: vec!["dev".into(), "system:authenticated".into()],
        extra: [(
            "authentication.kubernetes.io/credential-id".to_string(),
            vec!["X509SHA256=3f9a0c".to_string()],
        )]
        .into(),
    };
    let info = RequestInfo::new(
        "GET",
        "/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/guestbook",
        "",
    )
    .expect("request info");
    let key = serde_json::to_string(&SubjectAccessReviewSpec::new(&user, &info)).expect("key");
    sar.remember(key, Decision::Allow);
    // A realistic cache: many other users' decisions beside ours.
    for i in 0..5_000 {
        let mut other = user.clone();
        other.name = format!("user-{i}");
        let key = serde_json::to_string(&SubjectAccessReviewSpec::new(&other, &info)).expect("key");
        sar.remember(key, Decision::Allow);
    }
    let authorizer = Authorizer::new(vec!["/healthz".into()], Backend::SubjectAccessReview(sar));

    let mut samples = Vec::with_capacity(ITERATIONS);
    runtime.block_on(async {
        for _ in 0..1000 {
            let _ = authorizer.authorize(&user, &info).await;
        }
        for _ in 0..ITERATIONS {
            let start = Instant::now();
            let d = authorizer.authorize(&user, &info).await;
            samples.push(start.elapsed());
            assert!(matches!(d, Ok(Decision::Allow)));
        }
    });
    report("authorize: cached SubjectAccessReview (allow)", samples);

    // Authentication of a front-proxy request: the chain is verified on every request.
    let ca = argo_certs::Ca::generate("front-proxy-ca").expect("CA");
    let cert = ca
        .issue_client(
            "front-proxy-client",
            &[] as &[&str],
            Duration::from_secs(3600),
        )
        .expect("cert");
    let authn = Authenticator::new(
        DynamicConfig {
            request_header: Some(RequestHeaderConfig {
                ca: CaVerifier::from_pem(ca.cert_pem(), "requestheader CA").expect("CA"),
                allowed_names: vec!["front-proxy-client".into()],
                username_headers: vec!["X-Remote-User".into()],
                uid_headers: vec!["X-Remote-Uid".into()],
                group_headers: vec!["X-Remote-Group".into()],
                extra_headers_prefix: vec!["X-Remote-Extra-".into()],
            }),
            client_ca: None,
        },
        None,
        false,
    );
    let chain = argo_certs::parse_cert_chain(&cert.cert_pem, "cert").expect("chain");
    let mut headers = hyper::HeaderMap::new();
    headers.insert("x-remote-user", "alice".parse().expect("header"));
    headers.insert("x-remote-group", "dev".parse().expect("header"));

    // A new connection: the chain is verified (ECDSA signature, path, usage).
    let mut samples = Vec::with_capacity(ITERATIONS / 10);
    runtime.block_on(async {
        for _ in 0..ITERATIONS / 10 {
            let peer = PeerCerts::new(chain.clone());
            let start = Instant::now();
            let u = authn.authenticate(&headers, &peer).await;
            samples.push(start.elapsed());
            assert!(u.is_ok());
        }
    });
    report("authenticate: front proxy, first request", samples);

    // Later requests on the same connection reuse the chain's verdict.
    let peer = PeerCerts::new(chain);
    let mut samples = Vec::with_capacity(ITERATIONS);
    runtime.block_on(async {
        for _ in 0..ITERATIONS {
            let start = Instant::now();
            let u = authn.authenticate(&headers, &peer).await;
            samples.push(start.elapsed());
            assert!(u.is_ok());
        }
    });
    report("authenticate: front proxy, same connection", samples);
}
