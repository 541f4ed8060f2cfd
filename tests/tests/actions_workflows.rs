//! The Workflow actions as a user drives them over HTTP (`kubectl create --raw` and curl):
//! resubmit (plain and memoized, with parameters), retry, suspend, resume, stop, terminate, and
//! the refusals with upstream's messages, for each kubectl version and both backends.

use argo_tests::{Backend, KUBECTL_VERSIONS, Server, parse_json, version_tag, write_file};
use serde_json::{Map, Value, json};

// Workflow.NodeID of the fixture's nodes (fnv32a of the node name).
const WF: &str = "ci-7x2kq";
const ID_SG0: &str = "ci-7x2kq-705144679";
const ID_BUILD: &str = "ci-7x2kq-1276317665";
const ID_SG1: &str = "ci-7x2kq-772402250";
const ID_TEST: &str = "ci-7x2kq-134419464";
const ID_EXIT: &str = "ci-7x2kq-139836882";
const ID_APPROVE: &str = "ci-7x2kq-84951556";

/// The user the test kubeconfig authenticates as, as a label value.
const ACTOR: &str = "argo-admin";

fn action_path(ns: &str, name: &str, action: &str) -> String {
    format!("/apis/argoproj.io/v1alpha1/namespaces/{ns}/workflows/{name}/{action}")
}

fn post(server: &Server, ns: &str, name: &str, action: &str, body: &Value) -> (u16, Value) {
    let file = write_file(server, "action-body.json", &body.to_string());
    let res = server.raw(
        "POST",
        &action_path(ns, name, action),
        Some("application/json"),
        Some(&file),
    );
    (res.code, res.json())
}

fn kubectl_action(
    server: &Server,
    v: &str,
    ns: &str,
    name: &str,
    action: &str,
    body: &Value,
) -> Value {
    let file = write_file(server, "kubectl-body.json", &body.to_string());
    let file = file.to_string_lossy().into_owned();
    parse_json(&server.kubectl_ok(
        v,
        &[
            "create",
            "--raw",
            &action_path(ns, name, action),
            "-f",
            &file,
        ],
    ))
}

fn kubectl_action_err(
    server: &Server,
    v: &str,
    ns: &str,
    name: &str,
    action: &str,
    body: &Value,
) -> String {
    let file = write_file(server, "kubectl-body.json", &body.to_string());
    let file = file.to_string_lossy().into_owned();
    server.kubectl_err(
        v,
        &[
            "create",
            "--raw",
            &action_path(ns, name, action),
            "-f",
            &file,
        ],
    )
}

fn get(server: &Server, v: &str, ns: &str, name: &str) -> Value {
    server.kubectl_json(v, &["get", "workflow", name, "-n", ns])
}

fn node(
    id: &str,
    name: &str,
    display: &str,
    kind: &str,
    phase: &str,
    extra: Value,
) -> (String, Value) {
    let mut n = json!({
        "id": id, "name": name, "displayName": display, "type": kind, "phase": phase,
        "startedAt": "2026-05-01T09:00:00Z", "finishedAt": "2026-05-01T09:05:00Z"
    });
    if let (Some(n), Some(extra)) = (n.as_object_mut(), extra.as_object()) {
        n.extend(extra.clone());
    }
    (id.to_string(), n)
}

/// A two-step workflow as the controller leaves it: `build` succeeded, `test` failed, then the
/// exit handler ran.
fn failed_workflow(ns: &str) -> Value {
    let nodes: Map<String, Value> = [
        node(
            WF,
            WF,
            WF,
            "Steps",
            "Failed",
            json!({"templateName": "main", "children": [ID_SG0], "outboundNodes": [ID_TEST]}),
        ),
        node(
            ID_SG0,
            "ci-7x2kq[0]",
            "[0]",
            "StepGroup",
            "Succeeded",
            json!({"boundaryID": WF, "templateName": "main", "children": [ID_BUILD]}),
        ),
        node(
            ID_BUILD,
            "ci-7x2kq[0].build",
            "build",
            "Pod",
            "Succeeded",
            json!({"boundaryID": WF, "templateName": "build", "children": [ID_SG1]}),
        ),
        node(
            ID_SG1,
            "ci-7x2kq[1]",
            "[1]",
            "StepGroup",
            "Failed",
            json!({"boundaryID": WF, "templateName": "main", "children": [ID_TEST]}),
        ),
        node(
            ID_TEST,
            "ci-7x2kq[1].test",
            "test",
            "Pod",
            "Failed",
            json!({"boundaryID": WF, "templateName": "test", "message": "Error (exit code 1)"}),
        ),
        node(
            ID_EXIT,
            "ci-7x2kq.onExit",
            "ci-7x2kq.onExit",
            "Pod",
            "Succeeded",
            json!({"templateName": "notify"}),
        ),
    ]
    .into_iter()
    .collect();
    json!({
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Workflow",
        "metadata": {
            "name": WF,
            "generateName": "ci-",
            "namespace": ns,
            "labels": {
                "app": "ci",
                "workflows.argoproj.io/completed": "true",
                "workflows.argoproj.io/phase": "Failed",
                "workflows.argoproj.io/creator": "bob"
            },
            "annotations": {"team": "platform"}
        },
        "spec": {
            "entrypoint": "main",
            "onExit": "notify",
            "arguments": {"parameters": [
                {"name": "branch", "value": "main"},
                {"name": "image", "value": "app:v1"}
            ]},
            "templates": [
                {"name": "main", "steps": [[{"name": "build", "template": "build"}], [{"name": "test", "template": "test"}]]},
                {"name": "build", "container": {"image": "golang:1.22", "command": ["make", "build"]}},
                {"name": "test", "container": {"image": "golang:1.22", "command": ["make", "test"]}},
                {"name": "notify", "container": {"image": "curlimages/curl", "command": ["true"]}},
                {"name": "approve", "suspend": {}}
            ]
        },
        "status": {
            "phase": "Failed",
            "startedAt": "2026-05-01T09:00:00Z",
            "finishedAt": "2026-05-01T09:06:00Z",
            "message": "child 'ci-7x2kq-134419464' failed",
            "nodes": nodes,
            "conditions": [{"type": "Completed", "status": "True"}]
        }
    })
}

/// The same workflow while it waits at an approval step (a running Suspend node).
fn waiting_workflow(ns: &str, name: &str) -> Value {
    let mut wf = failed_workflow(ns);
    wf["metadata"]["name"] = json!(name);
    wf["status"]["phase"] = json!("Running");
    wf["status"]
        .as_object_mut()
        .expect("status")
        .remove("finishedAt");
    let labels = wf["metadata"]["labels"].as_object_mut().expect("labels");
    labels.remove("workflows.argoproj.io/completed");
    labels.insert("workflows.argoproj.io/phase".into(), json!("Running"));
    let nodes = wf["status"]["nodes"].as_object_mut().expect("nodes");
    nodes.remove(ID_TEST);
    nodes.remove(ID_EXIT);
    nodes[ID_SG1]["phase"] = json!("Running");
    nodes[ID_SG1]["children"] = json!([ID_APPROVE]);
    let (id, approve) = node(
        ID_APPROVE,
        "ci-7x2kq.approve",
        "approve",
        "Suspend",
        "Running",
        json!({"boundaryID": WF, "templateName": "approve"}),
    );
    nodes.insert(id, approve);
    wf
}

fn create(server: &Server, v: &str, wf: &Value) {
    let file = write_file(server, "workflow.json", &wf.to_string());
    server.kubectl_ok(v, &["create", "-f", &file.to_string_lossy()]);
}

fn labels(obj: &Value) -> &Map<String, Value> {
    obj["metadata"]["labels"].as_object().expect("labels")
}

fn resubmit(server: &Server, v: &str, ns: &str) {
    let (code, new) = post(
        server,
        ns,
        WF,
        "resubmit",
        &json!({"parameters": ["image=app:v2"]}),
    );
    assert_eq!(code, 201, "resubmit answers 201 Created: {new}");
    let name = new["metadata"]["name"].as_str().expect("name").to_string();
    assert!(name.starts_with("ci-") && name.len() == 8, "{name}");
    let l = labels(&new);
    assert_eq!(l["workflows.argoproj.io/resubmitted-from-workflow"], WF);
    assert_eq!(l["workflows.argoproj.io/creator"], ACTOR);
    assert_eq!(l["app"], "ci");
    assert!(!l.contains_key("workflows.argoproj.io/completed"));
    assert!(!l.contains_key("workflows.argoproj.io/phase"));
    assert_eq!(new["metadata"]["annotations"]["team"], "platform");
    assert_eq!(
        new["spec"]["arguments"]["parameters"],
        json!([{"name": "image", "value": "app:v2"}, {"name": "branch", "value": "main"}])
    );
    assert_eq!(
        get(server, v, ns, &name)["metadata"]["uid"],
        new["metadata"]["uid"]
    );

    // Memoized, through kubectl: the work that succeeded is carried over as Skipped nodes.
    let new = kubectl_action(server, v, ns, WF, "resubmit", &json!({"memoized": true}));
    let name = new["metadata"]["name"].as_str().expect("name");
    let nodes = new["status"]["nodes"].as_object().expect("nodes");
    assert_eq!(nodes.len(), 5, "the exit handler is dropped: {nodes:?}");
    let build = nodes
        .values()
        .find(|n| n["displayName"] == "build")
        .expect("build");
    assert_eq!(build["type"], "Skipped");
    assert_eq!(build["phase"], "Skipped");
    assert_eq!(build["message"], format!("original pod: {ID_BUILD}"));
    assert_eq!(build["name"], format!("{name}[0].build"));
    let test = nodes
        .values()
        .find(|n| n["displayName"] == "test")
        .expect("test");
    assert_eq!(test["phase"], "Pending");
    assert_eq!(nodes[name]["phase"], "Pending");
    assert_eq!(
        new["status"]["conditions"],
        json!([{"type": "Completed", "status": "False"}])
    );
    assert_eq!(
        get(server, v, ns, name)["status"]["nodes"],
        new["status"]["nodes"]
    );

    let (code, status) = post(
        server,
        ns,
        WF,
        "resubmit",
        &json!({"parameters": ["image"]}),
    );
    assert_eq!(code, 400, "{status}");
    assert_eq!(
        status["message"],
        "expected parameter of the form: NAME=VALUE. Received: image"
    );
}

fn retry(server: &Server, v: &str, ns: &str) {
    let got = kubectl_action(server, v, ns, WF, "retry", &json!({}));
    assert_eq!(got["metadata"]["name"], WF);
    let nodes = got["status"]["nodes"].as_object().expect("nodes");
    let mut ids: Vec<&str> = nodes.keys().map(String::as_str).collect();
    ids.sort();
    let mut want = [WF, ID_SG0, ID_BUILD, ID_SG1];
    want.sort();
    assert_eq!(ids, want, "the failed pod and the exit handler go");
    assert_eq!(nodes[ID_SG1]["phase"], "Running");
    assert_eq!(nodes[ID_BUILD]["phase"], "Succeeded");
    assert_eq!(got["status"].get("phase"), None);
    assert_eq!(
        got["status"]["conditions"],
        json!([{"type": "Completed", "status": "False"}])
    );
    let l = labels(&got);
    assert!(!l.contains_key("workflows.argoproj.io/completed"));
    assert_eq!(l["workflows.argoproj.io/actor"], ACTOR);
    assert_eq!(l["workflows.argoproj.io/action"], "Retry");
    assert_eq!(
        get(server, v, ns, WF)["status"]["nodes"],
        got["status"]["nodes"]
    );

    // Now neither failed nor succeeded.
    let err = kubectl_action_err(server, v, ns, WF, "retry", &json!({}));
    assert!(
        err.contains(&format!(
            "Error from server (Conflict): Operation cannot be fulfilled on workflows.argoproj.io \"{WF}\": Cannot retry a workflow in phase "
        )),
        "{err}"
    );
    let err = kubectl_action_err(server, v, ns, WF, "resubmit", &json!({"memoized": true}));
    assert!(
        err.contains(
            "Error from server (BadRequest): workflow must be Failed/Error to resubmit in memoized mode"
        ),
        "{err}"
    );
}

fn completed_refusals(server: &Server, v: &str, ns: &str) {
    let mut done = failed_workflow(ns);
    done["metadata"]["name"] = json!("done");
    create(server, v, &done);
    for action in ["stop", "terminate"] {
        let err = kubectl_action_err(server, v, ns, "done", action, &json!({}));
        assert!(
            err.contains(&format!(
                "Error from server (Conflict): Operation cannot be fulfilled on workflows.argoproj.io \"done\": cannot shutdown a completed workflow: workflow: \"done\", namespace: \"{ns}\""
            )),
            "{action}: {err}"
        );
    }
    let (code, status) = post(server, ns, "done", "suspend", &json!({}));
    assert_eq!(code, 409, "{status}");
    assert_eq!(status["reason"], "Conflict");
    assert_eq!(
        status["message"],
        "Operation cannot be fulfilled on workflows.argoproj.io \"done\": cannot suspend completed workflows"
    );
    let (code, status) = post(server, ns, "missing", "terminate", &json!({}));
    assert_eq!(code, 404, "{status}");
    assert_eq!(
        status["message"],
        "workflows.argoproj.io \"missing\" not found"
    );
}

fn suspend_resume_stop_terminate(server: &Server, v: &str, ns: &str) {
    create(server, v, &waiting_workflow(ns, "waiting"));
    let got = kubectl_action(server, v, ns, "waiting", "suspend", &json!({}));
    assert_eq!(got["spec"]["suspend"], true);
    assert_eq!(labels(&got)["workflows.argoproj.io/action"], "Suspend");
    assert_eq!(labels(&got)["workflows.argoproj.io/actor"], ACTOR);

    let (code, got) = post(server, ns, "waiting", "resume", &json!({}));
    assert_eq!(code, 200, "{got}");
    assert_eq!(got["spec"].get("suspend"), None);
    let approve = &got["status"]["nodes"][ID_APPROVE];
    assert_eq!(approve["phase"], "Succeeded");
    assert_eq!(approve["message"], format!("Resumed by: map[User:{ACTOR}]"));
    assert_eq!(labels(&got)["workflows.argoproj.io/action"], "Resume");

    let got = kubectl_action(server, v, ns, "waiting", "stop", &json!({}));
    assert_eq!(got["spec"]["shutdown"], "Stop");
    assert_eq!(labels(&got)["workflows.argoproj.io/action"], "Stop");
    let got = kubectl_action(server, v, ns, "waiting", "terminate", &json!({}));
    assert_eq!(got["spec"]["shutdown"], "Terminate");
    assert_eq!(
        get(server, v, ns, "waiting")["spec"]["shutdown"],
        "Terminate"
    );
}

fn action_flows(server: &Server) {
    for v in KUBECTL_VERSIONS {
        let ns = format!("ci-{}", version_tag(v));
        create(server, v, &failed_workflow(&ns));
        resubmit(server, v, &ns);
        retry(server, v, &ns);
        completed_refusals(server, v, &ns);
        suspend_resume_stop_terminate(server, v, &ns);
    }
}

#[test]
fn embedded_store() {
    action_flows(&Server::start(Backend::Embedded));
}

#[test]
fn etcd_store() {
    action_flows(&Server::start(Backend::Etcd));
}
