//! The admission webhooks over real TLS on `--webhook-port`, as kube-apiserver calls them: the
//! AdmissionReview fixtures of the webhooks crate POSTed with curl (verifying the server
//! certificate against the generated CA), against projects, applications and rollouts created
//! through the API, with the server's clock set for sync-window edges.

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use argo_tests::{Backend, Server, parse_json, write_file};
use serde_json::{Value, json};

const V: &str = "1.33";

fn webhook_fixture(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../webhooks/tests/fixtures")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path:?}: {e}"))
}

/// POSTs `body` to the webhook `path`; returns the HTTP code and the body.
fn post(server: &Server, path: &str, body: &[u8]) -> (u16, String) {
    let file = server.dir.path().join("review-body");
    std::fs::write(&file, body).expect("write body");
    let out_file = server.dir.path().join("review-answer");
    let _ = std::fs::remove_file(&out_file);
    let (ca, _, _) = server.pki();
    let mut arg = std::ffi::OsString::from("@");
    arg.push(&file);
    let out = Command::new("curl")
        .arg("-sS")
        .arg("--cacert")
        .arg(&ca)
        .args(["-X", "POST", "-H", "Content-Type: application/json", "-o"])
        .arg(&out_file)
        .args(["-w", "%{http_code}", "--data-binary"])
        .arg(arg)
        .arg(format!("{}{path}", server.webhook_url()))
        .output()
        .expect("run curl");
    assert!(
        out.status.success(),
        "curl failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let code = String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .expect("HTTP code");
    (code, std::fs::read_to_string(&out_file).unwrap_or_default())
}

/// The `response` of a 200 AdmissionReview answer to `review`.
fn review(server: &Server, path: &str, review: &Value) -> Value {
    let (code, body) = post(server, path, &serde_json::to_vec(review).unwrap());
    assert_eq!(code, 200, "{body}");
    let v = parse_json(&body);
    assert_eq!(v["apiVersion"], "admission.k8s.io/v1", "{body}");
    assert_eq!(v["kind"], "AdmissionReview", "{body}");
    assert_eq!(v["response"]["uid"], review["request"]["uid"], "{body}");
    v["response"].clone()
}

fn denied_message(resp: &Value) -> String {
    assert_eq!(resp["allowed"], false, "{resp}");
    assert_eq!(resp["status"]["code"], 403, "{resp}");
    resp["status"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

fn set_user(r: &mut Value, name: &str, groups: &[&str]) {
    r["request"]["userInfo"] = json!({"username": name, "groups": groups});
}

fn apply_all(server: &Server, objs: &[Value], file: &str) {
    // One document per object (this server has no core group, hence no `v1 List`).
    let docs: Vec<String> = objs.iter().map(Value::to_string).collect();
    let path = write_file(server, file, &docs.join("\n---\n"));
    server.kubectl_ok(V, &["apply", "-f", &path.display().to_string()]);
}

#[test]
fn webhooks_answer_over_tls() {
    let server = Server::start(Backend::Embedded);
    let index = webhook_fixture("index.json");
    let keep_cp = |k: &str| -> Vec<Value> {
        index[k]
            .as_array()
            .unwrap()
            .iter()
            .filter(|o| o["metadata"]["namespace"] != "not-argocd")
            .cloned()
            .collect()
    };
    apply_all(&server, &keep_cp("appprojects"), "projects.yaml");
    apply_all(&server, &keep_cp("applications"), "apps.yaml");
    apply_all(&server, &keep_cp("rollouts"), "rollouts.yaml");
    server.set_clock("2025-03-05T12:00:00Z");

    // The index is fed by the server's watches: wait until a user without a role is refused.
    let mut bob = webhook_fixture("create-configmap.json");
    set_user(&mut bob, "bob", &[]);
    let start = Instant::now();
    loop {
        let resp = review(&server, "/validate", &bob);
        if resp["allowed"] == false {
            let msg = denied_message(&resp);
            assert!(msg.contains("no role of project 'shop' grants it"), "{msg}");
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the index never saw the project: {resp}\n{}",
            server.log()
        );
        std::thread::sleep(Duration::from_millis(200));
    }

    // A project role allows create, dryRun and delete.
    for name in [
        "create-configmap.json",
        "create-configmap-dryrun.json",
        "delete-configmap.json",
    ] {
        let resp = review(&server, "/validate", &webhook_fixture(name));
        assert_eq!(resp["allowed"], true, "{name}: {resp}");
    }
    // Fast path.
    let resp = review(
        &server,
        "/validate",
        &webhook_fixture("create-configmap-untracked.json"),
    );
    assert_eq!(resp["allowed"], true);

    // Rollout policy (waiting for the rollouts' watch as for the projects').
    let start = Instant::now();
    let msg = loop {
        let resp = review(
            &server,
            "/validate",
            &webhook_fixture("scale-deployment.json"),
        );
        if resp["allowed"] == false {
            break denied_message(&resp);
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the index never saw the rollouts: {resp}"
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    assert!(msg.contains("scaled down by Rollout web-rollout"), "{msg}");
    let msg = denied_message(&review(
        &server,
        "/validate",
        &webhook_fixture("delete-service.json"),
    ));
    assert_eq!(
        msg,
        "Service web-stable cannot be deleted while Rollout web-rollout references it"
    );
    let msg = denied_message(&review(
        &server,
        "/validate/rollout-required",
        &webhook_fixture("create-deployment.json"),
    ));
    assert!(msg.contains("requires Argo Rollouts"), "{msg}");

    // A deny window at its edges (the server's clock).
    let mut nightly = webhook_fixture("create-configmap.json");
    set_user(&mut nightly, "olga", &["ops"]);
    nightly["request"]["namespace"] = json!("nightly");
    nightly["request"]["object"]["metadata"]["namespace"] = json!("nightly");
    nightly["request"]["object"]["metadata"]["annotations"]["argocd.argoproj.io/tracking-id"] =
        json!("nightly:/ConfigMap:nightly/guestbook-config");
    for (at, allowed) in [
        ("2025-03-05T22:00:00Z", true),
        ("2025-03-05T22:00:01Z", false),
        ("2025-03-05T22:59:59Z", false),
        ("2025-03-05T23:00:00Z", true),
    ] {
        server.set_clock(at);
        let resp = review(&server, "/validate", &nightly);
        assert_eq!(resp["allowed"], allowed, "at {at}: {resp}");
        if !allowed {
            assert!(
                denied_message(&resp).ends_with("until 2025-03-05T23:00:00Z"),
                "{resp}"
            );
        }
    }

    // Mutating, with the default annotation tracking: allowed, no patch.
    let resp = review(
        &server,
        "/mutate",
        &webhook_fixture("create-configmap.json"),
    );
    assert_eq!(resp["allowed"], true);
    assert!(resp.get("patch").is_none(), "{resp}");

    // Garbage: a clean Status, never a dropped connection.
    let mut no_uid = webhook_fixture("create-configmap.json");
    no_uid["request"].as_object_mut().unwrap().remove("uid");
    let mut v1beta1 = webhook_fixture("create-configmap.json");
    v1beta1["apiVersion"] = json!("admission.k8s.io/v1beta1");
    for (what, body) in [
        ("not JSON", b"not json at all".to_vec()),
        ("missing uid", serde_json::to_vec(&no_uid).unwrap()),
        ("wrong apiVersion", serde_json::to_vec(&v1beta1).unwrap()),
    ] {
        for path in ["/validate", "/validate/rollout-required", "/mutate"] {
            let (code, body) = post(&server, path, &body);
            assert_eq!(code, 400, "{what} {path}: {body}");
            let s = parse_json(&body);
            assert_eq!(s["kind"], "Status", "{body}");
            assert_eq!(s["code"], 400, "{body}");
        }
    }
    let big = vec![b'x'; 10 * 1024 * 1024];
    let (code, body) = post(&server, "/validate", &big);
    assert_eq!(code, 413, "{body}");
    assert_eq!(parse_json(&body)["kind"], "Status", "{body}");

    // The server is still fine, and counted the decisions.
    let resp = review(
        &server,
        "/validate",
        &webhook_fixture("create-configmap-untracked.json"),
    );
    assert_eq!(resp["allowed"], true);
    let metrics = server.raw("GET", "/metrics", None, None);
    assert_eq!(metrics.code, 200, "{}", metrics.body);
    assert!(
        metrics.body.lines().any(
            |l| l == "admission_decisions_total{policy=\"rollout-policy\",decision=\"deny\"} 3"
        ),
        "{}",
        metrics.body
    );
}
