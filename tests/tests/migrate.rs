//! `argo-apiserver migrate`: copies the Argo objects of a cluster that still serves them through
//! CRDs into our storage. The cluster here is a fake kube-apiserver (plain HTTP, answering the
//! list endpoints with paging, 404 for kinds it has no CRD for) serving the upstream-shaped
//! manifests of openapi/tests/fixtures; afterwards argo-apiserver serves the copied objects to
//! kubectl with their names, labels, annotations, uid, spec and status intact.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};

use argo_tests::{Backend, Server, parse_json, server_binary};
use serde_json::{Value, json};

/// Objects per page the fake answers with, whatever limit is asked: a server may return fewer
/// than `limit` with a continue token, and the migration must follow it.
const PAGE: usize = 2;

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .join("openapi/tests/fixtures")
}

/// Every fixture manifest as JSON (PyYAML does the YAML; the tests crate has no YAML parser).
fn load_fixtures() -> Vec<Value> {
    let script = "import sys, json, yaml, pathlib\n\
        docs = []\n\
        for p in sorted(pathlib.Path(sys.argv[1]).rglob('*.yaml')):\n\
        \x20   docs += [d for d in yaml.safe_load_all(p.read_text()) if d]\n\
        print(json.dumps(docs))";
    let out = Command::new("python3")
        .args(["-c", script])
        .arg(fixtures_dir())
        .output()
        .expect("run python3");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    match parse_json(&String::from_utf8_lossy(&out.stdout)) {
        Value::Array(docs) => docs,
        other => panic!("not a list: {other}"),
    }
}

/// kind → (plural, namespaced), from the server's discovery.
fn discovery(server: &Server) -> BTreeMap<String, (String, bool)> {
    let doc =
        parse_json(&server.kubectl_ok("1.33", &["get", "--raw", "/apis/argoproj.io/v1alpha1"]));
    doc["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .filter(|r| !r["name"].as_str().unwrap_or("/").contains('/'))
        .map(|r| {
            (
                r["kind"].as_str().expect("kind").to_string(),
                (
                    r["name"].as_str().expect("name").to_string(),
                    r["namespaced"].as_bool().expect("namespaced"),
                ),
            )
        })
        .collect()
}

/// A fake kube-apiserver serving `objects` (by plural) on list requests. Plurals not in the
/// map answer 404 (no CRD); plurals in `failing` answer that status.
struct FakeCluster {
    port: u16,
    requests: Arc<Mutex<Vec<String>>>,
}

impl FakeCluster {
    fn start(objects: BTreeMap<String, Vec<Value>>, failing: BTreeMap<String, u16>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = requests.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let objects = objects.clone();
                let failing = failing.clone();
                let seen = seen.clone();
                std::thread::spawn(move || serve(stream, &objects, &failing, &seen));
            }
        });
        FakeCluster { port, requests }
    }

    fn kubeconfig(&self, dir: &Path) -> PathBuf {
        let path = dir.join("cluster.kubeconfig");
        let text = format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: old\n  cluster:\n    server: http://127.0.0.1:{}\nusers:\n- name: admin\n  user:\n    token: not-checked\ncontexts:\n- name: old\n  context: {{cluster: old, user: admin}}\n- name: other\n  context: {{cluster: nowhere, user: admin}}\ncurrent-context: other\n",
            self.port
        );
        std::fs::write(&path, text).expect("write kubeconfig");
        path
    }
}

fn query_param<'a>(query: &'a str, name: &str) -> Option<&'a str> {
    query
        .split('&')
        .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
}

fn serve(
    stream: TcpStream,
    objects: &BTreeMap<String, Vec<Value>>,
    failing: &BTreeMap<String, u16>,
    seen: &Mutex<Vec<String>>,
) {
    let mut reader = BufReader::new(match stream.try_clone() {
        Ok(s) => s,
        Err(_) => return,
    });
    let mut stream = stream;
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
            return;
        }
        // Headers, up to the blank line; list requests have no body.
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            if line == "\r\n" || line == "\n" {
                break;
            }
        }
        let target = request_line
            .split_whitespace()
            .nth(1)
            .unwrap_or("")
            .to_string();
        if let Ok(mut s) = seen.lock() {
            s.push(target.clone());
        }
        let (path, query) = target.split_once('?').unwrap_or((&target, ""));
        let plural = path
            .strip_prefix("/apis/argoproj.io/v1alpha1/")
            .unwrap_or("");
        let (code, body) = if let Some(code) = failing.get(plural) {
            (
                *code,
                json!({"kind": "Status", "apiVersion": "v1", "status": "Failure",
                    "message": format!("{plural}.argoproj.io is forbidden"), "reason": "Forbidden", "code": code}),
            )
        } else if let Some(items) = objects.get(plural) {
            let start: usize = query_param(query, "continue")
                .and_then(|c| c.parse().ok())
                .unwrap_or(0);
            let end = (start + PAGE).min(items.len());
            let mut metadata = json!({"resourceVersion": "4242"});
            if end < items.len() {
                metadata["continue"] = json!(end.to_string());
            }
            (
                200,
                json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "List",
                    "metadata": metadata, "items": items[start.min(end)..end]}),
            )
        } else {
            (
                404,
                json!({"kind": "Status", "apiVersion": "v1", "status": "Failure",
                    "message": "the server could not find the requested resource", "reason": "NotFound", "code": 404}),
            )
        };
        let body = body.to_string();
        let response = format!(
            "HTTP/1.1 {code} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        if stream.write_all(response.as_bytes()).is_err() {
            return;
        }
    }
}

fn migrate(args: &[&str]) -> Output {
    Command::new(server_binary())
        .arg("migrate")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run argo-apiserver migrate")
}

fn p(path: &Path) -> &str {
    path.to_str().expect("UTF-8 path")
}

/// The report row of a plural (or TOTAL): (found, created, existing).
fn row(report: &str, plural: &str) -> (u64, u64, u64) {
    let resource = if plural == "TOTAL" {
        plural.to_string()
    } else {
        format!("{plural}.argoproj.io")
    };
    let line = report
        .lines()
        .find(|l| l.split_whitespace().next() == Some(resource.as_str()))
        .unwrap_or_else(|| panic!("no row for {resource} in:\n{report}"));
    let n: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .map(|x| x.parse().unwrap_or_else(|_| panic!("bad row {line}")))
        .collect();
    assert_eq!(n.len(), 3, "{line}");
    (n[0], n[1], n[2])
}

fn stdout(out: &Output) -> String {
    assert!(
        out.status.success(),
        "migrate failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn migrates_every_object_into_the_embedded_store() {
    migrates_every_object_with_its_identity_spec_and_status(Backend::Embedded);
}

#[test]
fn migrates_every_object_into_etcd() {
    migrates_every_object_with_its_identity_spec_and_status(Backend::Etcd);
}

fn migrates_every_object_with_its_identity_spec_and_status(backend: Backend) {
    let mut server = Server::start(backend);
    let kinds = discovery(&server);
    server.kill();

    // The cluster's objects, as kube-apiserver lists them: with resourceVersion and
    // managedFields, which must not carry over.
    let mut by_plural: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    let mut expected = Vec::new();
    for mut obj in load_fixtures() {
        let kind = obj["kind"].as_str().unwrap_or_default().to_string();
        let Some((plural, namespaced)) = kinds.get(&kind).cloned() else {
            continue;
        };
        let meta = obj["metadata"].as_object_mut().expect("metadata");
        meta.entry("uid").or_insert_with(|| {
            json!(format!(
                "00000000-0000-4000-8000-{:012}",
                expected.len() + 1
            ))
        });
        meta.entry("creationTimestamp")
            .or_insert(json!("2025-12-01T10:00:00Z"));
        if namespaced {
            // kube-apiserver always lists a namespaced object with its namespace.
            meta.entry("namespace").or_insert(json!("default"));
        }
        meta.insert("resourceVersion".into(), json!("1234"));
        meta.insert(
            "managedFields".into(),
            json!([{"manager": "kubectl-client-side-apply", "operation": "Update",
                "apiVersion": "argoproj.io/v1alpha1", "fieldsType": "FieldsV1", "fieldsV1": {}}]),
        );
        by_plural
            .entry(plural.clone())
            .or_default()
            .push(obj.clone());
        expected.push((plural, namespaced, obj));
    }
    assert!(
        by_plural.len() >= 10 && by_plural.values().any(|v| v.len() > PAGE),
        "fixtures should cover many kinds and need paging: {:?}",
        by_plural.keys()
    );
    // A kind the cluster has no CRD for (say Argo Events is not installed) is reported, not an
    // error, and nothing of it is written.
    let absent = "eventbus".to_string();
    assert!(
        by_plural.remove(&absent).is_some(),
        "fixtures have an EventBus"
    );
    expected.retain(|(plural, _, _)| *plural != absent);

    let cluster = FakeCluster::start(by_plural.clone(), BTreeMap::new());
    let kubeconfig = cluster.kubeconfig(server.dir.path());
    let data_dir = server.data_dir();
    let etcd_endpoint = server.etcd.as_ref().map(|e| e.endpoint());
    let mut base = vec![
        "--kubeconfig",
        p(&kubeconfig),
        "--context",
        "old",
        "--data-dir",
        p(&data_dir),
    ];
    if let Some(endpoint) = &etcd_endpoint {
        base.extend(["--storage", "etcd", "--etcd-servers", endpoint]);
    }

    // Dry run by default: counts, nothing written.
    let before = std::fs::metadata(data_dir.join("store.redb"))
        .and_then(|m| m.modified())
        .ok();
    let report = stdout(&migrate(&base));
    assert!(report.contains("WOULD CREATE"), "{report}");
    assert!(report.contains("Dry run"), "{report}");
    for (plural, items) in &by_plural {
        assert_eq!(
            row(&report, plural),
            (items.len() as u64, items.len() as u64, 0),
            "{plural}"
        );
    }
    let absent_row = report
        .lines()
        .find(|l| l.starts_with(&format!("{absent}.argoproj.io ")))
        .expect("row for a kind the cluster does not serve");
    assert!(absent_row.trim_end().ends_with('-'), "{absent_row}");
    assert!(
        report.contains("kubectl label apiservice v1alpha1.argoproj.io"),
        "swap instructions: {report}"
    );
    let after = std::fs::metadata(data_dir.join("store.redb"))
        .and_then(|m| m.modified())
        .ok();
    assert_eq!(before, after, "a dry run must not touch the store");
    // Paging was followed.
    assert!(
        cluster
            .requests
            .lock()
            .expect("requests")
            .iter()
            .any(|r| r.contains("continue=")),
        "no continue token was followed"
    );

    // --apply writes everything; a second run finds everything present and changes nothing.
    let mut apply = base.clone();
    apply.push("--apply");
    let report = stdout(&migrate(&apply));
    let mut total = 0;
    for (plural, items) in &by_plural {
        let n = items.len() as u64;
        assert_eq!(row(&report, plural), (n, n, 0), "{plural}\n{report}");
        total += n;
    }
    assert_eq!(row(&report, "TOTAL").1, total);
    let report = stdout(&migrate(&apply));
    for (plural, items) in &by_plural {
        let n = items.len() as u64;
        assert_eq!(row(&report, plural), (n, 0, n), "{plural}\n{report}");
    }

    // The server on the same data serves every object as it was in the old cluster.
    server.restart();
    for (plural, namespaced, want) in &expected {
        let name = want["metadata"]["name"].as_str().expect("name");
        let mut args = vec!["get", plural.as_str(), name];
        let ns = want["metadata"]["namespace"].as_str().unwrap_or("default");
        if *namespaced {
            args.extend(["-n", ns]);
        }
        let got = server.kubectl_json("1.33", &args);
        for field in [
            "name",
            "labels",
            "annotations",
            "uid",
            "creationTimestamp",
            "finalizers",
            "ownerReferences",
            "generation",
        ] {
            assert_eq!(
                got["metadata"][field], want["metadata"][field],
                "{plural}/{name}: metadata.{field}"
            );
        }
        if *namespaced {
            assert_eq!(got["metadata"]["namespace"], ns, "{plural}/{name}");
        }
        assert!(
            got["metadata"].get("managedFields").is_none(),
            "{plural}/{name}: managedFields carried over"
        );
        assert_ne!(
            got["metadata"]["resourceVersion"], "1234",
            "{plural}/{name}: the old resourceVersion carried over"
        );
        // spec, status, and every other top-level field (Application's operation).
        for (key, value) in want.as_object().expect("object") {
            if key != "metadata" {
                assert_eq!(&got[key], value, "{plural}/{name}: {key}");
            }
        }
    }
}

#[test]
fn a_cluster_error_fails_the_migration_and_names_the_resource() {
    let dir = tempfile::tempdir().expect("temp dir");
    let failing = BTreeMap::from([("rollouts".to_string(), 403)]);
    let cluster = FakeCluster::start(BTreeMap::new(), failing);
    let kubeconfig = cluster.kubeconfig(dir.path());
    let out = migrate(&[
        "--kubeconfig",
        p(&kubeconfig),
        "--context",
        "old",
        "--data-dir",
        p(&dir.path().join("data")),
        "--apply",
    ]);
    assert!(!out.status.success(), "a 403 must fail the migration");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("rollouts.argoproj.io"), "{err}");
    assert!(err.contains("forbidden"), "{err}");

    // A context that does not exist is refused before anything is read.
    let out = migrate(&["--kubeconfig", p(&kubeconfig), "--context", "missing"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("missing"), "{err}");
}
