//! Standalone mode (`serve` with no cluster): the generated admin certificate is
//! `system:masters`, other client certificates from the generated CA are ordinary users whom a
//! static policy file may grant access, and anonymous requests reach only public paths.

mod auth_common;

use auth_common::*;

const POLICY: &str = "\
- user: alice
  verbs: [get, list, watch]
  apiGroups: [argoproj.io]
  resources: [applications]
  namespaces: [team-a]
";

#[tokio::test]
async fn the_policy_file_grants_local_users_what_it_names() {
    let dir = tempfile::tempdir().expect("dir");
    let policy = dir.path().join("policy.yaml");
    std::fs::write(&policy, POLICY).expect("policy");
    let args = vec![
        "--authorization-policy-file".to_string(),
        policy.display().to_string(),
    ];
    let server = tokio::task::spawn_blocking(move || ApiServer::start(&args))
        .await
        .expect("start");
    let ca = server.ca();
    let addr = server.addr();
    let get = |cert: Option<argo_certs::CertifiedKey>, path: &'static str| {
        let ca = ca.cert_pem().to_string();
        async move { request(addr, &ca, cert.as_ref(), "GET", path, &[]).await }
    };

    let alice = client_cert(&ca, "alice", &["dev"]);
    let r = get(Some(alice.clone()), APPS_TEAM_A).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = get(
        Some(alice.clone()),
        "/apis/argoproj.io/v1alpha1/namespaces/team-b/applications",
    )
    .await;
    assert_eq!(r.status, 403, "{}", r.body);
    assert_eq!(
        r.json()["message"],
        "applications.argoproj.io is forbidden: User \"alice\" cannot list resource \"applications\" in API group \"argoproj.io\" in the namespace \"team-b\""
    );
    // Authenticated users read discovery, as kube's system:discovery role grants.
    let r = get(Some(alice), "/apis/argoproj.io/v1alpha1").await;
    assert_eq!(r.status, 200, "{}", r.body);

    // The generated admin certificate (the written kubeconfig's) is system:masters.
    let admin = argo_certs::CertifiedKey {
        cert_pem: std::fs::read_to_string(server.dir.path().join("data/pki/admin.crt"))
            .expect("admin cert"),
        key_pem: std::fs::read_to_string(server.dir.path().join("data/pki/admin.key"))
            .expect("admin key"),
    };
    let r = get(Some(admin), "/apis/argoproj.io/v1alpha1/workflows").await;
    assert_eq!(r.status, 200, "{}", r.body);

    // Anonymous: health and version, nothing else; spoofed headers change nothing.
    assert_eq!(get(None, "/version").await.status, 200);
    let r = request(
        addr,
        ca.cert_pem(),
        None,
        "GET",
        APPS_TEAM_A,
        &[
            ("X-Remote-User", "alice"),
            ("X-Remote-Group", "system:masters"),
        ],
    )
    .await;
    assert_eq!(r.status, 403, "{}", r.body);
    assert!(
        r.json()["message"]
            .as_str()
            .unwrap_or("")
            .contains("User \"system:anonymous\""),
        "{}",
        r.body
    );
}

#[tokio::test]
async fn anonymous_auth_can_be_turned_off() {
    let args = vec!["--anonymous-auth=false".to_string()];
    let server = tokio::task::spawn_blocking(move || ApiServer::start(&args))
        .await
        .expect("start");
    let ca = server.ca();
    let r = request(server.addr(), ca.cert_pem(), None, "GET", "/version", &[]).await;
    assert_eq!(r.status, 401, "{}", r.body);
    assert_eq!(r.json()["message"], "Unauthorized");
    // A certificate from another CA is not a user either.
    let stranger = client_cert(
        &argo_certs::Ca::generate("elsewhere").expect("CA"),
        "alice",
        &["system:masters"],
    );
    let r = request(
        server.addr(),
        ca.cert_pem(),
        Some(&stranger),
        "GET",
        "/version",
        &[],
    )
    .await;
    assert_eq!(r.status, 401, "{}", r.body);
}

#[test]
fn an_invalid_policy_file_stops_the_start() {
    let dir = tempfile::tempdir().expect("dir");
    let policy = dir.path().join("policy.yaml");
    std::fs::write(&policy, "- verbs: [get]\n  resources: ['*']\n").expect("policy");
    let (ok, output) = run_to_exit(&[
        "--authorization-policy-file".into(),
        policy.display().to_string(),
    ]);
    assert!(!ok, "{output}");
    assert!(output.contains("needs a user or a group"), "{output}");
}
