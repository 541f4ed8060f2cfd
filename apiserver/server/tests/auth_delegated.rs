//! Delegated authentication and authorization against a fake kube-apiserver: the front proxy's
//! headers, client certificates, TokenReview, SubjectAccessReview, caching, failing closed, the
//! ConfigMap and its CA rotation, and kubectl through a front proxy.

mod auth_common;

use std::time::Duration;

use argo_certs::Ca;
use auth_common::*;
use serde_json::{Value, json};

/// alice may read applications in team-a and discovery; mallory is explicitly denied;
/// everyone else gets no opinion.
fn sar_policy(spec: &Value) -> Value {
    let user = spec["user"].as_str().unwrap_or("");
    if user == "mallory" {
        return json!({"allowed": false, "denied": true, "reason": "mallory is not welcome"});
    }
    if user == "alice" {
        let ra = &spec["resourceAttributes"];
        let read = matches!(ra["verb"].as_str(), Some("get" | "list" | "watch"));
        if read && ra["resource"] == "applications" && ra["namespace"] == "team-a" {
            return json!({"allowed": true, "reason": "RBAC: allowed by RoleBinding \"readers/team-a\""});
        }
        let nra = &spec["nonResourceAttributes"];
        if nra["verb"] == "get"
            && nra["path"]
                .as_str()
                .is_some_and(|p| p.starts_with("/api") || p.starts_with("/openapi"))
        {
            return json!({"allowed": true});
        }
    }
    json!({"allowed": false})
}

struct Cluster {
    fake: FakeKube,
    client_ca: Ca,
    proxy_ca: Ca,
    server: ApiServer,
}

impl Cluster {
    async fn start(extra: &[&str]) -> Cluster {
        let client_ca = Ca::generate("kubernetes-client-ca").expect("CA");
        let proxy_ca = Ca::generate("front-proxy-ca").expect("CA");
        let fake = FakeKube::start(
            configmap_data(&client_ca, &proxy_ca),
            vec![
                (
                    "alice-token".to_string(),
                    json!({"username": "alice", "uid": "uid-alice", "groups": ["dev"], "extra": {"scopes": ["apps"]}}),
                ),
            ],
            Box::new(sar_policy),
        )
        .await;
        let dir = tempfile::tempdir().expect("dir");
        let kubeconfig = fake.kubeconfig(dir.path());
        let mut args: Vec<String> = vec![
            "--authentication-kubeconfig".into(),
            kubeconfig.display().to_string(),
            "--authorization-kubeconfig".into(),
            kubeconfig.display().to_string(),
        ];
        args.extend(extra.iter().map(|s| s.to_string()));
        let server = tokio::task::spawn_blocking(move || {
            let s = ApiServer::start(&args);
            drop(dir);
            s
        })
        .await
        .expect("start");
        Cluster {
            fake,
            client_ca,
            proxy_ca,
            server,
        }
    }

    fn server_ca(&self) -> String {
        self.server.ca().cert_pem().to_string()
    }

    async fn get(
        &self,
        cert: Option<&argo_certs::CertifiedKey>,
        path: &str,
        headers: &[(&str, &str)],
    ) -> Reply {
        request(
            self.server.addr(),
            &self.server_ca(),
            cert,
            "GET",
            path,
            headers,
        )
        .await
    }
}

const SPOOFED: &[(&str, &str)] = &[
    ("X-Remote-User", "alice"),
    ("X-Remote-Uid", "uid-alice"),
    ("X-Remote-Group", "dev"),
    ("X-Remote-Group", "system:masters"),
    ("X-Remote-Extra-Scopes", "apps"),
    ("X-Remote-Extra-Acme.io%2Fteam", "a"),
];

#[tokio::test]
async fn front_proxy_headers_authenticate_only_with_the_front_proxy_certificate() {
    let c = Cluster::start(&[]).await;
    let proxy = client_cert(&c.proxy_ca, "front-proxy-client", &[]);
    let headers = [
        ("X-Remote-User", "alice"),
        ("X-Remote-Uid", "uid-alice"),
        ("X-Remote-Group", "dev"),
        ("X-Remote-Extra-Scopes", "apps"),
        ("X-Remote-Extra-Acme.io%2Fteam", "a"),
    ];
    let r = c.get(Some(&proxy), APPS_TEAM_A, &headers).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["kind"], "ApplicationList");
    let sar = c.fake.sars().pop().expect("a SubjectAccessReview");
    assert_eq!(
        sar,
        json!({
            "resourceAttributes": {"namespace": "team-a", "verb": "list", "group": "argoproj.io",
                "version": "v1alpha1", "resource": "applications"},
            "user": "alice", "uid": "uid-alice", "groups": ["dev", "system:authenticated"],
            "extra": {"scopes": ["apps"], "acme.io/team": ["a"]}
        })
    );
}

#[tokio::test]
async fn spoofed_identity_headers_never_authenticate() {
    let c = Cluster::start(&[]).await;

    // No certificate: the headers are ignored and the request is anonymous.
    let r = c.get(None, APPS_TEAM_A, SPOOFED).await;
    assert_eq!(r.status, 403, "{}", r.body);
    assert_eq!(
        r.json()["message"],
        "applications.argoproj.io is forbidden: User \"system:anonymous\" cannot list resource \"applications\" in API group \"argoproj.io\" in the namespace \"team-a\""
    );
    let sar = c.fake.sars().pop().expect("a SubjectAccessReview");
    assert_eq!(sar["user"], "system:anonymous");
    assert_eq!(sar["groups"], json!(["system:unauthenticated"]));
    assert!(sar.get("extra").is_none(), "{sar}");

    // A look-alike front-proxy certificate from another CA is an authentication error (401),
    // never alice, even claiming system:masters.
    let forged = client_cert(
        &Ca::generate("front-proxy-ca").expect("CA"),
        "front-proxy-client",
        &[],
    );
    let before = c.fake.sars().len();
    let r = c.get(Some(&forged), APPS_TEAM_A, SPOOFED).await;
    assert_eq!(r.status, 401, "{}", r.body);
    assert_eq!(r.json()["reason"], "Unauthorized");
    assert_eq!(r.json()["message"], "Unauthorized");
    assert_eq!(
        c.fake.sars().len(),
        before,
        "an unauthenticated request reached authorization"
    );

    // The right CA but a name outside requestheader-allowed-names: also 401.
    let other_name = client_cert(&c.proxy_ca, "not-the-proxy", &[]);
    let r = c.get(Some(&other_name), APPS_TEAM_A, SPOOFED).await;
    assert_eq!(r.status, 401, "{}", r.body);

    // A genuine user certificate from the client CA is that user; the headers beside it count
    // for nothing.
    let bob = client_cert(&c.client_ca, "bob", &["qa"]);
    let r = c.get(Some(&bob), APPS_TEAM_A, SPOOFED).await;
    assert_eq!(r.status, 403, "{}", r.body);
    assert!(
        r.json()["message"]
            .as_str()
            .unwrap_or("")
            .contains("User \"bob\""),
        "{}",
        r.body
    );
    let sar = c.fake.sars().pop().expect("a SubjectAccessReview");
    assert_eq!(sar["user"], "bob");
    assert_eq!(sar["groups"], json!(["qa", "system:authenticated"]));
    let credential = sar["extra"]["authentication.kubernetes.io/credential-id"][0]
        .as_str()
        .unwrap_or("");
    assert!(credential.starts_with("X509SHA256="), "{sar}");
}

#[tokio::test]
async fn bearer_tokens_are_reviewed_and_cached() {
    let c = Cluster::start(&[]).await;
    let r = c
        .get(
            None,
            APPS_TEAM_A,
            &[("Authorization", "Bearer alice-token")],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let sar = c.fake.sars().pop().expect("a SubjectAccessReview");
    assert_eq!(sar["user"], "alice");
    assert_eq!(sar["uid"], "uid-alice");
    assert_eq!(sar["groups"], json!(["dev", "system:authenticated"]));
    assert_eq!(sar["extra"], json!({"scopes": ["apps"]}));
    assert_eq!(c.fake.token_reviews(), 1);

    // Within the cache TTL the same token is not reviewed again; the scheme is case-insensitive.
    let r = c
        .get(
            None,
            APPS_TEAM_A,
            &[("Authorization", "bearer alice-token")],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(c.fake.token_reviews(), 1);

    // A token kube-apiserver rejects is 401, not anonymous; the rejection is cached too.
    for _ in 0..2 {
        let r = c
            .get(None, APPS_TEAM_A, &[("Authorization", "Bearer stolen")])
            .await;
        assert_eq!(r.status, 401, "{}", r.body);
        assert_eq!(r.json()["reason"], "Unauthorized");
    }
    assert_eq!(c.fake.token_reviews(), 2);
}

#[tokio::test]
async fn subject_access_reviews_decide_and_are_cached() {
    let c = Cluster::start(&[]).await;
    let alice = [("Authorization", "Bearer alice-token")];
    let sars = || c.fake.sars().len();

    let before = sars();
    for _ in 0..3 {
        let r = c.get(None, APPS_TEAM_A, &alice).await;
        assert_eq!(r.status, 200, "{}", r.body);
    }
    assert_eq!(sars(), before + 1, "allowed decisions are cached");

    // Not allowed: 403 in kube's words; asked once, then cached.
    let path = "/apis/argoproj.io/v1alpha1/namespaces/team-b/applications/web";
    let before = sars();
    for _ in 0..2 {
        let r = c.get(None, path, &alice).await;
        assert_eq!(r.status, 403, "{}", r.body);
        let status = r.json();
        assert_eq!(status["kind"], "Status");
        assert_eq!(status["reason"], "Forbidden");
        assert_eq!(
            status["message"],
            "applications.argoproj.io \"web\" is forbidden: User \"alice\" cannot get resource \"applications\" in API group \"argoproj.io\" in the namespace \"team-b\""
        );
        assert_eq!(status["details"]["name"], "web");
    }
    assert_eq!(sars(), before + 1, "denied decisions are cached");

    // An explicit denial carries the authorizer's reason.
    let proxy = client_cert(&c.proxy_ca, "front-proxy-client", &[]);
    let r = c
        .get(Some(&proxy), APPS_TEAM_A, &[("X-Remote-User", "mallory")])
        .await;
    assert_eq!(r.status, 403, "{}", r.body);
    assert_eq!(
        r.json()["message"],
        "applications.argoproj.io is forbidden: User \"mallory\" cannot list resource \"applications\" in API group \"argoproj.io\" in the namespace \"team-a\": mallory is not welcome"
    );

    // Discovery goes through SAR as a non-resource request; health paths never do.
    let r = c.get(None, "/apis/argoproj.io/v1alpha1", &alice).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let sar = c.fake.sars().pop().expect("a SubjectAccessReview");
    assert_eq!(
        sar["nonResourceAttributes"],
        json!({"path": "/apis/argoproj.io/v1alpha1", "verb": "get"})
    );
    let r = c.get(None, "/version", &[]).await;
    assert_eq!(r.status, 403, "{}", r.body);
    assert_eq!(
        r.json()["message"],
        "forbidden: User \"system:anonymous\" cannot get path \"/version\""
    );
    let before = sars();
    for p in ["/healthz", "/readyz", "/livez"] {
        let r = c.get(None, p, &[]).await;
        assert_eq!(r.status, 200, "{p}: {}", r.body);
    }
    assert_eq!(
        sars(),
        before,
        "always-allowed paths skip SubjectAccessReview"
    );

    // system:masters is allowed without asking.
    let admin = client_cert(&c.client_ca, "admin", &["system:masters"]);
    let before = sars();
    let r = c
        .get(Some(&admin), "/apis/argoproj.io/v1alpha1/workflows", &[])
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(sars(), before);
}

#[tokio::test]
async fn unreachable_kube_apiserver_fails_closed() {
    let client_ca = Ca::generate("kubernetes-client-ca").expect("CA");
    let proxy_ca = Ca::generate("front-proxy-ca").expect("CA");
    let fake = FakeKube::start(
        configmap_data(&client_ca, &proxy_ca),
        vec![],
        Box::new(sar_policy),
    )
    .await;
    let dir = tempfile::tempdir().expect("dir");
    let good = fake.kubeconfig(dir.path());
    // Nothing listens on a privileged port here: connections are refused.
    let dead = write_kubeconfig_for(
        dir.path(),
        "dead.kubeconfig",
        "https://127.0.0.1:1",
        &fake.ca,
    );
    let args: Vec<String> = [
        "--authentication-kubeconfig",
        &good.display().to_string(),
        "--authorization-kubeconfig",
        &dead.display().to_string(),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let server = tokio::task::spawn_blocking(move || ApiServer::start(&args))
        .await
        .expect("start");
    let ca = server.ca().cert_pem().to_string();
    let proxy = client_cert(&proxy_ca, "front-proxy-client", &[]);
    let r = request(
        server.addr(),
        &ca,
        Some(&proxy),
        "GET",
        APPS_TEAM_A,
        &[("X-Remote-User", "alice")],
    )
    .await;
    assert_eq!(r.status, 500, "{}", r.body);
    assert!(
        r.content_type.starts_with("text/plain"),
        "{}",
        r.content_type
    );
    assert!(
        r.body
            .starts_with(&format!("Internal Server Error: \"{APPS_TEAM_A}\": ")),
        "{}",
        r.body
    );
    // Health stays reachable: it never needs kube-apiserver.
    let r = request(server.addr(), &ca, None, "GET", "/readyz", &[]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    drop(server);

    // TokenReview unreachable: the token is not trusted (401), never anonymous.
    let args: Vec<String> = [
        "--authentication-kubeconfig",
        &dead.display().to_string(),
        "--authentication-tolerate-lookup-failure",
        "--authorization-kubeconfig",
        &good.display().to_string(),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let server = tokio::task::spawn_blocking(move || ApiServer::start(&args))
        .await
        .expect("start");
    let ca = server.ca().cert_pem().to_string();
    let r = request(
        server.addr(),
        &ca,
        None,
        "GET",
        APPS_TEAM_A,
        &[("Authorization", "Bearer alice-token")],
    )
    .await;
    assert_eq!(r.status, 401, "{}", r.body);
    assert_eq!(r.json()["reason"], "Unauthorized");
    drop(server);

    // Without --authentication-tolerate-lookup-failure an unreadable ConfigMap stops the start.
    let (ok, output) = run_to_exit(&[
        "--authentication-kubeconfig".into(),
        dead.display().to_string(),
    ]);
    assert!(!ok, "{output}");
    assert!(
        output.contains("extension-apiserver-authentication"),
        "{output}"
    );
}

#[tokio::test]
async fn a_rotated_front_proxy_ca_applies_without_restart() {
    let c = Cluster::start(&["--authentication-config-reload-interval", "200ms"]).await;
    let old = client_cert(&c.proxy_ca, "front-proxy-client", &[]);
    let alice = [("X-Remote-User", "alice")];
    assert_eq!(c.get(Some(&old), APPS_TEAM_A, &alice).await.status, 200);

    let rotated = Ca::generate("front-proxy-ca-2").expect("CA");
    *c.fake.state.configmap_data.lock().expect("lock") = configmap_data(&c.client_ca, &rotated);
    let new = client_cert(&rotated, "front-proxy-client", &[]);
    let mut status = 0;
    for _ in 0..50 {
        status = c.get(Some(&new), APPS_TEAM_A, &alice).await.status;
        if status == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(status, 200, "the new front-proxy CA was not picked up");
    assert_eq!(c.get(Some(&old), APPS_TEAM_A, &alice).await.status, 401);
}

#[tokio::test]
async fn kubectl_through_the_front_proxy() {
    let c = Cluster::start(&[]).await;
    let proxy = FrontProxy::start(
        c.server.addr(),
        c.server_ca(),
        client_cert(&c.proxy_ca, "front-proxy-client", &[]),
        vec![(
            "alice-proxy-token".into(),
            "alice".into(),
            vec!["dev".into()],
        )],
    )
    .await;
    let kubeconfig = c.server.path("proxy.kubeconfig");
    let b64 = {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(proxy.ca.cert_pem())
    };
    std::fs::write(
        &kubeconfig,
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: proxy\n  cluster:\n    server: https://{}\n    certificate-authority-data: {b64}\nusers:\n- name: alice\n  user:\n    token: alice-proxy-token\ncontexts:\n- name: proxy\n  context:\n    cluster: proxy\n    user: alice\ncurrent-context: proxy\n",
            proxy.addr
        ),
    )
    .expect("kubeconfig");
    let cache = c.server.path("kube-cache");
    let kubectl = move |args: &[&str]| {
        let mut cmd = std::process::Command::new(kubectl_path());
        cmd.arg("--kubeconfig")
            .arg(&kubeconfig)
            .arg("--cache-dir")
            .arg(&cache)
            .args(args);
        cmd.output().expect("run kubectl")
    };
    let out = tokio::task::spawn_blocking({
        let kubectl = kubectl.clone();
        move || kubectl(&["get", "applications.argoproj.io", "-n", "team-a"])
    })
    .await
    .expect("kubectl");
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("No resources found in team-a namespace."),
        "{stderr}"
    );

    let out = tokio::task::spawn_blocking(move || {
        kubectl(&[
            "delete",
            "applications.argoproj.io",
            "guestbook",
            "-n",
            "team-a",
        ])
    })
    .await
    .expect("kubectl");
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(!out.status.success());
    assert_eq!(
        stderr.trim(),
        "Error from server (Forbidden): applications.argoproj.io \"guestbook\" is forbidden: User \"alice\" cannot delete resource \"applications\" in API group \"argoproj.io\" in the namespace \"team-a\""
    );
    let users: Vec<String> = c
        .fake
        .sars()
        .iter()
        .map(|s| s["user"].as_str().unwrap_or("").to_string())
        .collect();
    assert!(users.iter().all(|u| u == "alice"), "{users:?}");
}
