//! kubectl commands that wait on a watch: `get -w` seeing another client's change,
//! `wait --for=jsonpath`, and `delete --wait` returning once a finalizer is removed, for each
//! kubectl version and both backends.

use std::thread;
use std::time::Duration;

use argo_tests::{
    Backend, KUBECTL_VERSIONS, Server, create_held_project, fixture_as, release_project,
    version_tag,
};

/// How long a watcher may take to see a change (bounded, not a timing assertion).
const SEE_CHANGE: Duration = Duration::from_secs(30);

fn get_watch(server: &Server, v: &str) {
    let name = format!("watched-{}", version_tag(v));
    let file = fixture_as(
        server,
        "application.yaml",
        "watched.yaml",
        &[("name: guestbook", &format!("name: {name}"))],
    );
    server.kubectl_ok(v, &["create", "-f", &file]);

    // A watch on the list and one on the named object, both printing Table rows.
    let mut list = server.kubectl_spawn(v, &["get", "apps", "-n", "argocd", "-w"]);
    let mut single = server.kubectl_spawn(v, &["get", "app", &name, "-n", "argocd", "-w"]);
    for w in [&mut list, &mut single] {
        let first = w.wait_for_line(SEE_CHANGE, |l| l.starts_with(&format!("{name} ")));
        assert!(first.is_some(), "no initial row: {:?}", w.seen);
        assert!(w.seen[0].starts_with("NAME "), "header first: {:?}", w.seen);
    }

    // Another client changes the object; both watchers print the new row.
    server.kubectl_ok(
        v,
        &[
            "patch",
            "app",
            &name,
            "-n",
            "argocd",
            "--type",
            "merge",
            "-p",
            r#"{"status":{"sync":{"status":"OutOfSync"},"health":{"status":"Progressing"}}}"#,
        ],
    );
    for w in [&mut list, &mut single] {
        let row = w.wait_for_line(SEE_CHANGE, |l| l.contains("OutOfSync"));
        let row = row.unwrap_or_else(|| panic!("the change was not seen: {:?}", w.seen));
        let cells: Vec<&str> = row.split_whitespace().collect();
        assert_eq!(
            &cells[..3],
            [name.as_str(), "OutOfSync", "Progressing"],
            "{row}"
        );
    }

    // `-o name` watch on a cluster-scoped kind sees a label from another kubectl.
    let cwft = format!("watched-{}", version_tag(v));
    let file = fixture_as(
        server,
        "clusterworkflowtemplate.yaml",
        "watched-cwft.yaml",
        &[("name: cluster-hello", &format!("name: {cwft}"))],
    );
    server.kubectl_ok(v, &["create", "-f", &file]);
    let mut w = server.kubectl_spawn(
        v,
        &[
            "get",
            "cwft",
            &cwft,
            "-w",
            "-o",
            "jsonpath={.metadata.labels.stage}{\"\\n\"}",
        ],
    );
    server.kubectl_ok(v, &["label", "cwft", &cwft, "stage=canary"]);
    let seen = w.wait_for_line(SEE_CHANGE, |l| l == "canary");
    assert!(seen.is_some(), "label not seen: {:?}", w.seen);
    drop(w);

    // A deletion ends up as the object's last row; kubectl does not print a DELETED marker
    // without --output-watch-events, so ask for the events.
    let mut events = server.kubectl_spawn(
        v,
        &["get", "apps", "-n", "argocd", "-w", "--output-watch-events"],
    );
    let listed = events.wait_for_line(SEE_CHANGE, |l| l.starts_with("ADDED ") && l.contains(&name));
    assert!(
        listed.is_some(),
        "initial event not seen: {:?}",
        events.seen
    );
    server.kubectl_ok(v, &["delete", "app", &name, "-n", "argocd"]);
    let seen = events.wait_for_line(SEE_CHANGE, |l| {
        l.starts_with("DELETED ") && l.contains(&name)
    });
    assert!(seen.is_some(), "delete not seen: {:?}", events.seen);
    for w in [list, single, events] {
        w.stop();
    }
}

fn wait_for_jsonpath(server: &Server, v: &str) {
    let wf = fixture_as(server, "workflow.yaml", "wait-wf.yaml", &[]);
    let out = server.kubectl_ok(v, &["create", "-f", &wf, "-o", "name"]);
    let name = out.trim().to_string(); // workflow.argoproj.io/hello-xxxxx
    thread::scope(|s| {
        let waiter = s.spawn(|| {
            server.kubectl(
                v,
                &[
                    "wait",
                    "--for=jsonpath={.status.phase}=Running",
                    &name,
                    "-n",
                    "argo",
                    "--timeout=60s",
                ],
            )
        });
        // Workflow has no status subresource: a plain merge patch sets its status.
        // Give kubectl a moment to start watching (it also succeeds if it starts later).
        thread::sleep(Duration::from_secs(1));
        server.kubectl_ok(
            v,
            &[
                "patch",
                &name,
                "-n",
                "argo",
                "--type",
                "merge",
                "-p",
                r#"{"status":{"phase":"Running"}}"#,
            ],
        );
        let out = waiter.join().expect("wait thread");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(stdout.trim(), format!("{name} condition met"));
    });

    // A condition already true returns at once; one that never becomes true times out.
    let out = server.kubectl_ok(
        v,
        &[
            "wait",
            "--for=jsonpath={.status.phase}=Running",
            &name,
            "-n",
            "argo",
            "--timeout=10s",
        ],
    );
    assert_eq!(out.trim(), format!("{name} condition met"));
    let err = server.kubectl_err(
        v,
        &[
            "wait",
            "--for=jsonpath={.status.phase}=Succeeded",
            &name,
            "-n",
            "argo",
            "--timeout=2s",
        ],
    );
    assert!(err.contains("timed out waiting for the condition"), "{err}");
}

fn delete_wait(server: &Server, v: &str) {
    let name = format!("held-{}", version_tag(v));
    let file = create_held_project(server, v, &name, "held.yaml");
    thread::scope(|s| {
        let deleter = s.spawn(|| {
            server.kubectl(
                v,
                &[
                    "delete",
                    "appproj",
                    &name,
                    "-n",
                    "argocd",
                    "--wait",
                    "--timeout=60s",
                ],
            )
        });
        // Another client sees the deletion mark, then releases the finalizer.
        let mut marked = false;
        for _ in 0..200 {
            let ts = server.kubectl_ok(
                v,
                &[
                    "get",
                    "appproj",
                    &name,
                    "-n",
                    "argocd",
                    "-o",
                    "jsonpath={.metadata.deletionTimestamp}",
                ],
            );
            if !ts.is_empty() {
                marked = true;
                break;
            }
            thread::sleep(Duration::from_millis(100));
        }
        assert!(marked, "delete never set deletionTimestamp");
        assert!(
            !deleter.is_finished(),
            "delete --wait returned while a finalizer was pending"
        );
        release_project(server, v, &name);
        let out = deleter.join().expect("delete thread");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            stdout.trim(),
            format!("appproject.argoproj.io \"{name}\" deleted")
        );
    });
    let err = server.kubectl_err(v, &["get", "appproj", &name, "-n", "argocd", "-o", "name"]);
    assert!(err.contains("NotFound"), "{err}");

    // Without finalizers `delete --wait` returns once the object is gone.
    server.kubectl_ok(v, &["create", "-f", &file]);
    let out = server.kubectl_ok(v, &["delete", "-f", &file, "--wait", "--timeout=30s"]);
    assert_eq!(
        out.trim(),
        format!("appproject.argoproj.io \"{name}\" deleted")
    );
    let list = server.kubectl_ok(v, &["get", "appproj", "-n", "argocd", "-o", "name"]);
    assert!(!list.contains(&name), "{list}");
}

fn watch_flows(server: &Server) {
    for v in KUBECTL_VERSIONS {
        get_watch(server, v);
        wait_for_jsonpath(server, v);
        delete_wait(server, v);
    }
}

#[test]
fn embedded_store() {
    watch_flows(&Server::start(Backend::Embedded));
}

#[test]

fn etcd_store() {
    watch_flows(&Server::start(Backend::Etcd));
}
