//! Bad input gets the Status kube-apiserver would send, and leaves storage untouched:
//! malformed JSON/YAML, a wrong kind or apiVersion in the body, a name or namespace that does
//! not match the URL, a 5 MiB body, unknown fields under Strict, an unsupported Content-Type,
//! and invalid field selectors. Raw requests (curl with the admin certificate) check the exact
//! codes and bodies; kubectl checks what a user sees.

use argo_tests::{
    Backend, KUBECTL_VERSIONS, RawResponse, Server, fixture, fixture_text, write_file,
};
use serde_json::{Value, json};

const APPS: &str = "/apis/argoproj.io/v1alpha1/namespaces/argocd/applications";

/// What storage holds for applications: the list's resourceVersion and the object names.
#[derive(Debug, PartialEq)]
struct Snapshot {
    resource_version: String,
    names: Vec<String>,
}

fn snapshot(server: &Server) -> Snapshot {
    let list = server.raw("GET", "/apis/argoproj.io/v1alpha1/applications", None, None);
    assert_eq!(list.code, 200, "{}", list.body);
    let list = list.json();
    let mut names: Vec<String> = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| {
            format!(
                "{}/{}@{}",
                i["metadata"]["namespace"].as_str().unwrap_or(""),
                i["metadata"]["name"].as_str().unwrap_or(""),
                i["metadata"]["resourceVersion"].as_str().unwrap_or("")
            )
        })
        .collect();
    names.sort();
    Snapshot {
        resource_version: list["metadata"]["resourceVersion"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        names,
    }
}

/// Asserts a Status error whose message starts with `prefix` (the rest is a parser's words).
fn assert_status_prefix(r: &RawResponse, code: u16, reason: &str, prefix: &str) {
    let message = r.status(code, reason);
    assert!(
        message.starts_with(prefix),
        "{message:?} should start with {prefix:?}"
    );
}

/// The Application fixture as JSON, to corrupt in various ways.
fn application() -> Value {
    json!({
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {"name": "guestbook", "namespace": "argocd"},
        "spec": {
            "project": "default",
            "destination": {"server": "https://kubernetes.default.svc", "namespace": "guestbook"},
            "source": {
                "repoURL": "https://github.com/argoproj/argocd-example-apps",
                "path": "guestbook",
                "targetRevision": "HEAD"
            }
        }
    })
}

fn post(server: &Server, path: &str, content_type: &str, file: &str, body: &[u8]) -> RawResponse {
    let p = server.dir.path().join(file);
    std::fs::write(&p, body).expect("write body");
    server.raw("POST", path, Some(content_type), Some(&p))
}

fn put(server: &Server, path: &str, body: &Value) -> RawResponse {
    let p = write_file(server, "put.json", &body.to_string());
    server.raw("PUT", path, Some("application/json"), Some(&p))
}

const CANNOT: &str = "Application in version \"v1alpha1\" cannot be handled as a Application: ";

fn malformed_bodies(server: &Server) {
    let r = post(
        server,
        APPS,
        "application/json",
        "bad.json",
        br#"{"apiVersion":"argoproj.io/v1alpha1","kind":"Application","metadata":{"name":"#,
    );
    assert_status_prefix(&r, 400, "BadRequest", CANNOT);

    let r = post(
        server,
        APPS,
        "application/yaml",
        "bad.yaml",
        b"apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: [\n  name: x\n",
    );
    assert_status_prefix(&r, 400, "BadRequest", CANNOT);

    // A JSON array is not an object.
    let r = post(server, APPS, "application/json", "array.json", b"[1,2]");
    assert_eq!(r.code, 400, "{}", r.body);
    assert_eq!(r.json()["reason"], "BadRequest");

    // YAML sent as JSON.
    let yaml = fixture_text("application.yaml");
    let r = post(
        server,
        APPS,
        "application/json",
        "yaml-as.json",
        yaml.as_bytes(),
    );
    assert_status_prefix(&r, 400, "BadRequest", CANNOT);

    // An unknown body format.
    let r = post(
        server,
        APPS,
        "text/plain",
        "plain.txt",
        application().to_string().as_bytes(),
    );
    assert_eq!(r.code, 415, "{}", r.body);
    assert_eq!(r.json()["reason"], "UnsupportedMediaType");
    let message = r.json()["message"].as_str().unwrap_or_default().to_string();
    assert!(
        message.starts_with(
            "the body of the request was in an unknown format - accepted media types include: "
        ),
        "{message}"
    );

    // The same, through kubectl: a malformed manifest never reaches the server; a raw one does.
    for v in KUBECTL_VERSIONS {
        let bad = write_file(server, "bad-raw.json", "{\"apiVersion\":");
        let err = server.kubectl_err(v, &["create", "--raw", APPS, "-f", &bad.to_string_lossy()]);
        assert!(
            err.contains(&format!("Error from server (BadRequest): {CANNOT}")),
            "{err}"
        );
        let err = server.kubectl_err(v, &["create", "-f", &bad.to_string_lossy()]);
        assert!(
            err.starts_with("error:"),
            "kubectl refuses it itself: {err}"
        );
    }
}

fn wrong_type_meta(server: &Server) {
    let mut obj = application();
    obj["kind"] = json!("Rollout");
    let r = post(
        server,
        APPS,
        "application/json",
        "kind.json",
        obj.to_string().as_bytes(),
    );
    r.assert_status(
        400,
        "BadRequest",
        "the kind in the data (Rollout) does not match the expected kind (Application)",
    );

    let mut obj = application();
    obj["apiVersion"] = json!("argoproj.io/v1beta1");
    let r = post(
        server,
        APPS,
        "application/json",
        "gv.json",
        obj.to_string().as_bytes(),
    );
    r.assert_status(
        400,
        "BadRequest",
        "the API version in the data (argoproj.io/v1beta1) does not match the expected API version (argoproj.io/v1alpha1)",
    );

    // A whole Rollout sent to the applications collection, through kubectl.
    let ro = write_file(server, "ro.json", &{
        let mut o = application();
        o["kind"] = json!("Rollout");
        o.to_string()
    });
    for v in KUBECTL_VERSIONS {
        let err = server.kubectl_err(v, &["create", "--raw", APPS, "-f", &ro.to_string_lossy()]);
        assert!(
            err.contains("Error from server (BadRequest): the kind in the data (Rollout) does not match the expected kind (Application)"),
            "{err}"
        );
    }
}

fn mismatched_names(server: &Server) {
    let current = server.raw("GET", &format!("{APPS}/guestbook"), None, None);
    assert_eq!(current.code, 200);
    let current = current.json();

    let r = put(server, &format!("{APPS}/other"), &current);
    r.assert_status(
        400,
        "BadRequest",
        "the name of the object (guestbook) does not match the name on the URL (other)",
    );
    let r = put(
        server,
        &format!("{APPS}/guestbook").replace("/argocd/", "/elsewhere/"),
        &current,
    );
    r.assert_status(
        400,
        "BadRequest",
        "the namespace of the provided object does not match the namespace sent on the request",
    );
    let mut obj = application();
    obj["metadata"]["name"] = json!("ns-mismatch");
    obj["metadata"]["namespace"] = json!("elsewhere");
    let r = post(
        server,
        APPS,
        "application/json",
        "ns.json",
        obj.to_string().as_bytes(),
    );
    r.assert_status(
        400,
        "BadRequest",
        "the namespace of the provided object does not match the namespace sent on the request",
    );
    // A PUT with a stale resourceVersion.
    let mut stale = current.clone();
    stale["metadata"]["resourceVersion"] = json!("1");
    stale["spec"]["project"] = json!("stale");
    let r = put(server, &format!("{APPS}/guestbook"), &stale);
    r.assert_status(
        409,
        "Conflict",
        "Operation cannot be fulfilled on applications.argoproj.io \"guestbook\": the object has been modified; please apply your changes to the latest version and try again",
    );
    // A PUT to an object that does not exist.
    let mut missing = current.clone();
    missing["metadata"]["name"] = json!("missing");
    let r = put(server, &format!("{APPS}/missing"), &missing);
    r.assert_status(
        404,
        "NotFound",
        "applications.argoproj.io \"missing\" not found",
    );
}

fn too_large(server: &Server) {
    let mut obj = application();
    obj["metadata"]["name"] = json!("huge");
    obj["metadata"]["annotations"] = json!({"pad": "x".repeat(5 * 1024 * 1024)});
    let file = write_file(server, "huge.json", &obj.to_string());
    let file = file.to_string_lossy().into_owned();
    for v in KUBECTL_VERSIONS {
        let out = server.kubectl(v, &["create", "--raw", APPS, "-f", &file, "-v=6"]);
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("413 Request Entity Too Large"), "{err}");
        assert!(
            err.contains("Error from server (RequestEntityTooLarge): Request entity too large: limit is 3145728"),
            "{err}"
        );
        let err = server.kubectl_err(v, &["create", "-f", &file]);
        assert!(
            err.contains(&format!("Error from server (RequestEntityTooLarge): error when creating \"{file}\": Request entity too large: limit is 3145728")),
            "{err}"
        );
    }
}

fn unknown_fields(server: &Server) {
    let manifest = fixture_text("application.yaml")
        .replace("name: guestbook", "name: strict")
        .replace("  project: default\n", "  project: default\n  bogus: 1\n");
    let file = write_file(server, "strict.yaml", &manifest);
    let file = file.to_string_lossy().into_owned();
    let strict = format!("{CANNOT}strict decoding error: unknown field \"spec.bogus\"");
    for v in KUBECTL_VERSIONS {
        for verb in ["create", "apply"] {
            let err = server.kubectl_err(v, &[verb, "-f", &file, "--validate=strict"]);
            assert!(
                err.contains(&format!(
                    "Error from server (BadRequest): error when creating \"{file}\": {strict}"
                )),
                "{verb}: {err}"
            );
        }
        // Warn: stored, with the unknown field pruned and a warning printed.
        let out = server
            .kubectl_cmd(v)
            .args(["create", "-f", &file, "--validate=warn", "--dry-run=server"])
            .output()
            .expect("kubectl");
        assert!(out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("Warning: unknown field \"spec.bogus\""),
            "{err}"
        );
    }
    let mut obj = application();
    obj["metadata"]["name"] = json!("strict");
    obj["spec"]["bogus"] = json!(1);
    obj["metadata"]["bogusMeta"] = json!(true);
    let r = post(
        server,
        &format!("{APPS}?fieldValidation=Strict"),
        "application/json",
        "strict.json",
        obj.to_string().as_bytes(),
    );
    assert_eq!(r.code, 400, "{}", r.body);
    let message = r.json()["message"].as_str().unwrap_or_default().to_string();
    assert!(
        message.starts_with(&format!("{CANNOT}strict decoding error: ")),
        "{message}"
    );
    assert!(
        message.contains("unknown field \"spec.bogus\""),
        "{message}"
    );
    assert!(
        message.contains("unknown field \"metadata.bogusMeta\""),
        "{message}"
    );

    // A duplicate key under Strict.
    let dup = br#"{"apiVersion":"argoproj.io/v1alpha1","kind":"Application","metadata":{"name":"dup","namespace":"argocd"},"spec":{"project":"default","project":"other","destination":{"server":"https://kubernetes.default.svc"},"source":{"repoURL":"https://x"}}}"#;
    let r = post(
        server,
        &format!("{APPS}?fieldValidation=Strict"),
        "application/json",
        "dup.json",
        dup,
    );
    r.assert_status(
        400,
        "BadRequest",
        &format!("{CANNOT}strict decoding error: duplicate field \"spec.project\""),
    );
    // An unknown fieldValidation value.
    let r = post(
        server,
        &format!("{APPS}?fieldValidation=Loose"),
        "application/json",
        "fv.json",
        obj.to_string().as_bytes(),
    );
    assert_eq!(r.code, 422, "{}", r.body);
}

fn field_selectors(server: &Server) {
    let r = server.raw(
        "GET",
        &format!("{APPS}?fieldSelector=spec.nope%3Dx"),
        None,
        None,
    );
    r.assert_status(400, "BadRequest", "field label not supported: spec.nope");
    let r = server.raw(
        "GET",
        &format!("{APPS}?fieldSelector=metadata.name"),
        None,
        None,
    );
    r.assert_status(
        400,
        "BadRequest",
        "invalid selector: 'metadata.name'; can't understand 'metadata.name'",
    );
    // A watch with a bad selector fails before streaming.
    let r = server.raw(
        "GET",
        &format!("{APPS}?watch=1&fieldSelector=spec.nope%3Dx"),
        None,
        None,
    );
    r.assert_status(400, "BadRequest", "field label not supported: spec.nope");
    for v in KUBECTL_VERSIONS {
        let err = server.kubectl_err(
            v,
            &[
                "get",
                "apps",
                "-n",
                "argocd",
                "--field-selector",
                "spec.nope=x",
            ],
        );
        // kubectl wraps the server's message: `Unable to find ... field selector "spec.nope=x": <message>`.
        assert!(err.contains("Error from server (BadRequest): "), "{err}");
        assert!(
            err.trim_end()
                .ends_with(": field label not supported: spec.nope"),
            "{err}"
        );
        // Supported fields work: names, namespaces and the kind's selectable fields.
        let out = server.kubectl_ok(
            v,
            &[
                "get",
                "apps",
                "-A",
                "--field-selector",
                "metadata.name=guestbook,spec.project=default",
                "-o",
                "name",
            ],
        );
        assert_eq!(out.trim(), "application.argoproj.io/guestbook");
        let out = server.kubectl_ok(
            v,
            &[
                "get",
                "apps",
                "-A",
                "--field-selector",
                "spec.project!=default",
                "-o",
                "name",
            ],
        );
        assert_eq!(out.trim(), "");
    }
}

fn bad_input(server: &Server) {
    let app = fixture("application.yaml").to_string_lossy().into_owned();
    server.kubectl_ok("1.33", &["create", "-f", &app]);
    let before = snapshot(server);
    assert_eq!(before.names.len(), 1, "{before:?}");

    malformed_bodies(server);
    assert_eq!(snapshot(server), before, "malformed bodies");
    wrong_type_meta(server);
    assert_eq!(snapshot(server), before, "wrong kind or apiVersion");
    mismatched_names(server);
    assert_eq!(snapshot(server), before, "name or namespace mismatch");
    too_large(server);
    assert_eq!(snapshot(server), before, "5 MiB body");
    unknown_fields(server);
    assert_eq!(snapshot(server), before, "unknown fields under Strict");
    field_selectors(server);
    assert_eq!(snapshot(server), before, "invalid field selectors");

    // The object itself is as created.
    let obj = server
        .raw("GET", &format!("{APPS}/guestbook"), None, None)
        .json();
    assert_eq!(obj["spec"]["project"], "default");
    assert_eq!(obj["metadata"]["generation"], 1);
}

#[test]
fn embedded_store() {
    bad_input(&Server::start(Backend::Embedded));
}

#[test]
fn etcd_store() {
    bad_input(&Server::start(Backend::Etcd));
}
