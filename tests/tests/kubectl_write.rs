//! What `kubectl` writes: create (generateName too), apply (no-op, then a change), diff, edit,
//! patch (strategic refused, merge, json, failing `test`), replace with a stale
//! resourceVersion, label/annotate, scale and the status subresource of a Rollout,
//! `--dry-run=server`, and delete with finalizers, for each kubectl version and both backends.

use argo_tests::{
    Backend, HOLD_FINALIZER, KUBECTL_VERSIONS, Server, create_held_project, fixture, fixture_as,
    fixture_text, release_project, version_tag, write_file,
};

/// `kubectl get <resource> <name> -n <ns> -o jsonpath=<path>`.
fn field(server: &Server, v: &str, resource: &str, ns: &str, name: &str, path: &str) -> String {
    let jp = format!("jsonpath={path}");
    let mut args = vec!["get", resource, name, "-o", &jp];
    if !ns.is_empty() {
        args.extend(["-n", ns]);
    }
    server.kubectl_ok(v, &args)
}

fn rv_and_generation(server: &Server, v: &str, resource: &str, ns: &str, name: &str) -> (u64, u64) {
    let s = field(
        server,
        v,
        resource,
        ns,
        name,
        "{.metadata.resourceVersion} {.metadata.generation}",
    );
    let mut it = s
        .split(' ')
        .map(|x| x.parse::<u64>().unwrap_or_else(|_| panic!("{s:?}")));
    (it.next().unwrap_or(0), it.next().unwrap_or(0))
}

fn apply_and_diff(server: &Server, v: &str) {
    let name = format!("apply-{}", version_tag(v));
    let new_name = format!("name: {name}");
    let rename = [("name: guestbook", new_name.as_str())];
    let first = fixture_as(server, "application.yaml", "apply.yaml", &rename);

    let out = server.kubectl_ok(v, &["apply", "-f", &first]);
    assert_eq!(
        out.trim(),
        format!("application.argoproj.io/{name} created")
    );
    let (rv1, gen1) = rv_and_generation(server, v, "app", "argocd", &name);
    assert_eq!(gen1, 1);

    // The same manifest again changes nothing, not even the resourceVersion.
    let out = server.kubectl_ok(v, &["apply", "-f", &first]);
    assert_eq!(
        out.trim(),
        format!("application.argoproj.io/{name} unchanged")
    );
    assert_eq!(
        rv_and_generation(server, v, "app", "argocd", &name),
        (rv1, 1)
    );

    // diff: unchanged exits 0 and prints nothing.
    let out = server.kubectl(v, &["diff", "-f", &first]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    let changed_rename = [
        rename[0],
        ("targetRevision: HEAD", "targetRevision: v1.0.0"),
    ];
    let changed = fixture_as(
        server,
        "application.yaml",
        "apply-changed.yaml",
        &changed_rename,
    );
    let out = server.kubectl(v, &["diff", "-f", &changed]);
    let diff = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "diff exits 1 on a change:\n{diff}"
    );
    assert!(
        diff.lines().any(|l| l == "-    targetRevision: HEAD"),
        "{diff}"
    );
    assert!(
        diff.lines().any(|l| l == "+    targetRevision: v1.0.0"),
        "{diff}"
    );
    // diff is a dry run: nothing moved.
    assert_eq!(
        rv_and_generation(server, v, "app", "argocd", &name),
        (rv1, 1)
    );

    let out = server.kubectl_ok(v, &["apply", "-f", &changed]);
    assert_eq!(
        out.trim(),
        format!("application.argoproj.io/{name} configured")
    );
    let (rv2, gen2) = rv_and_generation(server, v, "app", "argocd", &name);
    assert!(rv2 > rv1, "{rv2} > {rv1}");
    assert_eq!(gen2, 2, "a spec change bumps generation");
    assert_eq!(
        field(
            server,
            v,
            "app",
            "argocd",
            &name,
            "{.spec.source.targetRevision}"
        ),
        "v1.0.0"
    );
}

fn create_kinds(server: &Server, v: &str) {
    let tag = version_tag(v);
    // A Workflow with generateName: the server picks the name.
    let wf = fixture("workflow.yaml").to_string_lossy().into_owned();
    let out = server.kubectl_ok(v, &["create", "-f", &wf]);
    let created = out
        .strip_prefix("workflow.argoproj.io/hello-")
        .and_then(|s| s.strip_suffix(" created\n"))
        .unwrap_or_else(|| panic!("{out}"));
    assert_eq!(created.len(), 5, "{out}");
    assert!(
        created
            .chars()
            .all(|c| "bcdfghjklmnpqrstvwxz2456789".contains(c)),
        "{out}"
    );
    let name = format!("hello-{created}");
    assert_eq!(
        field(server, v, "wf", "argo", &name, "{.metadata.generateName}"),
        "hello-"
    );

    // A cluster-scoped kind.
    let cwft = fixture_as(
        server,
        "clusterworkflowtemplate.yaml",
        "cwft.yaml",
        &[("name: cluster-hello", &format!("name: cluster-hello-{tag}"))],
    );
    let out = server.kubectl_ok(v, &["create", "-f", &cwft]);
    assert_eq!(
        out.trim(),
        format!("clusterworkflowtemplate.argoproj.io/cluster-hello-{tag} created")
    );
    assert_eq!(
        field(
            server,
            v,
            "cwft",
            "",
            &format!("cluster-hello-{tag}"),
            "{.metadata.namespace}|{.spec.entrypoint}"
        ),
        "|hello"
    );
    // Creating it again is a conflict.
    let err = server.kubectl_err(v, &["create", "-f", &cwft]);
    assert!(
        err.contains(&format!(
            "Error from server (AlreadyExists): error when creating \"{cwft}\": clusterworkflowtemplates.argoproj.io \"cluster-hello-{tag}\" already exists"
        )),
        "{err}"
    );
    let out = server.kubectl_ok(v, &["delete", "cwft", &format!("cluster-hello-{tag}")]);
    assert_eq!(
        out.trim(),
        format!("clusterworkflowtemplate.argoproj.io \"cluster-hello-{tag}\" deleted")
    );
    let err = server.kubectl_err(v, &["get", "cwft", &format!("cluster-hello-{tag}")]);
    assert!(err.contains("NotFound"), "{err}");
}

fn edit(server: &Server, v: &str) {
    let name = format!("edit-{}", version_tag(v));
    let file = fixture_as(
        server,
        "application.yaml",
        "edit.yaml",
        &[("name: guestbook", &format!("name: {name}"))],
    );
    server.kubectl_ok(v, &["create", "-f", &file]);
    let editor = write_file(
        server,
        "editor.sh",
        "#!/bin/sh\nsed -i 's/path: guestbook/path: helm-guestbook/' \"$1\"\n",
    );
    make_executable(&editor);
    let out = server
        .kubectl_cmd(v)
        .args(["edit", "app", &name, "-n", "argocd"])
        .env("EDITOR", &editor)
        .env("KUBE_EDITOR", &editor)
        .output()
        .expect("run kubectl edit");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        stdout.trim(),
        format!("application.argoproj.io/{name} edited")
    );
    assert_eq!(
        field(server, v, "app", "argocd", &name, "{.spec.source.path}"),
        "helm-guestbook"
    );
    assert_eq!(
        field(server, v, "app", "argocd", &name, "{.metadata.generation}"),
        "2"
    );
}

fn make_executable(path: &std::path::Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

fn patch_replace_label(server: &Server, v: &str) {
    let name = format!("patch-{}", version_tag(v));
    let file = fixture_as(
        server,
        "application.yaml",
        "patch.yaml",
        &[("name: guestbook", &format!("name: {name}"))],
    );
    server.kubectl_ok(v, &["create", "-f", &file]);
    let base = ["patch", "app", name.as_str(), "-n", "argocd"];
    let with = |extra: &[&'static str]| -> Vec<&str> {
        base.iter().copied().chain(extra.iter().copied()).collect()
    };

    // kubectl's default is a strategic merge patch, which custom resources refuse.
    let (rv0, _) = rv_and_generation(server, v, "app", "argocd", &name);
    let err = server.kubectl_err(v, &with(&["-p", r#"{"spec":{"project":"other"}}"#]));
    assert!(
        err.contains(
            "application/strategic-merge-patch+json is not supported by argoproj.io/v1alpha1, Kind=Application"
        ),
        "{err}"
    );
    assert!(
        err.contains("the body of the request was in an unknown format"),
        "{err}"
    );

    let out = server.kubectl_ok(
        v,
        &with(&["--type", "merge", "-p", r#"{"spec":{"project":"other"}}"#]),
    );
    assert_eq!(
        out.trim(),
        format!("application.argoproj.io/{name} patched")
    );
    assert_eq!(
        field(server, v, "app", "argocd", &name, "{.spec.project}"),
        "other"
    );

    let out = server.kubectl_ok(
        v,
        &with(&["--type", "json", "-p", r#"[{"op":"test","path":"/spec/project","value":"other"},{"op":"replace","path":"/spec/source/path","value":"kustomize-guestbook"}]"#]),
    );
    assert_eq!(
        out.trim(),
        format!("application.argoproj.io/{name} patched")
    );
    assert_eq!(
        field(server, v, "app", "argocd", &name, "{.spec.source.path}"),
        "kustomize-guestbook"
    );

    // A failing `test` op refuses the whole patch.
    let (rv1, gen1) = rv_and_generation(server, v, "app", "argocd", &name);
    assert!(rv1 > rv0);
    let err = server.kubectl_err(
        v,
        &with(&["--type", "json", "-p", r#"[{"op":"test","path":"/spec/project","value":"default"},{"op":"replace","path":"/spec/project","value":"x"}]"#]),
    );
    assert!(err.contains("/spec/project"), "{err}");
    assert_eq!(
        rv_and_generation(server, v, "app", "argocd", &name),
        (rv1, gen1)
    );

    // A patch that changes nothing is a no-op.
    server.kubectl_ok(
        v,
        &with(&["--type", "merge", "-p", r#"{"spec":{"project":"other"}}"#]),
    );
    assert_eq!(
        rv_and_generation(server, v, "app", "argocd", &name),
        (rv1, gen1)
    );

    // label and annotate (merge patches): metadata only, generation stays.
    let out = server.kubectl_ok(v, &["label", "app", &name, "-n", "argocd", "team=a"]);
    assert_eq!(
        out.trim(),
        format!("application.argoproj.io/{name} labeled")
    );
    // kubectl 1.27 prints "annotate", later versions "annotated".
    let out = server.kubectl_ok(v, &["annotate", "app", &name, "-n", "argocd", "note=hello"]);
    assert!(
        out.starts_with(&format!("application.argoproj.io/{name} annotate")),
        "{out}"
    );
    assert_eq!(
        field(
            server,
            v,
            "app",
            "argocd",
            &name,
            "{.metadata.labels.team}/{.metadata.annotations.note}/{.metadata.generation}"
        ),
        format!("a/hello/{gen1}")
    );
    let err = server.kubectl_err(v, &["label", "app", &name, "-n", "argocd", "team=b"]);
    assert!(err.contains("already has a value (a)"), "{err}");
    server.kubectl_ok(v, &["label", "app", &name, "-n", "argocd", "team-"]);
    assert_eq!(
        field(server, v, "app", "argocd", &name, "{.metadata.labels.team}"),
        ""
    );

    // replace with the object as read before the last change: a conflict.
    let stale = server.kubectl_ok(v, &["get", "app", &name, "-n", "argocd", "-o", "yaml"]);
    server.kubectl_ok(
        v,
        &[
            "annotate",
            "app",
            &name,
            "-n",
            "argocd",
            "note=bye",
            "--overwrite",
        ],
    );
    let stale = write_file(
        server,
        "stale.yaml",
        &stale.replace("path: kustomize-guestbook", "path: replaced"),
    );
    let stale = stale.to_string_lossy().into_owned();
    let err = server.kubectl_err(v, &["replace", "-f", &stale]);
    assert!(
        err.contains(&format!(
            "Error from server (Conflict): error when replacing \"{stale}\": Operation cannot be fulfilled on applications.argoproj.io \"{name}\": the object has been modified; please apply your changes to the latest version and try again"
        )),
        "{err}"
    );
    assert_eq!(
        field(server, v, "app", "argocd", &name, "{.spec.source.path}"),
        "kustomize-guestbook"
    );

    // With the current resourceVersion it goes through.
    let fresh = server.kubectl_ok(v, &["get", "app", &name, "-n", "argocd", "-o", "yaml"]);
    let fresh = write_file(
        server,
        "fresh.yaml",
        &fresh.replace("path: kustomize-guestbook", "path: replaced"),
    );
    let out = server.kubectl_ok(v, &["replace", "-f", &fresh.to_string_lossy()]);
    assert_eq!(
        out.trim(),
        format!("application.argoproj.io/{name} replaced")
    );
    assert_eq!(
        field(server, v, "app", "argocd", &name, "{.spec.source.path}"),
        "replaced"
    );
}

fn rollout_scale_and_status(server: &Server, v: &str) {
    let name = format!("canary-{}", version_tag(v));
    let manifest = fixture_text("rollout.yaml")
        .replace("name: canary-demo", &format!("name: {name}"))
        + "status:\n  phase: Healthy\n  replicas: 5\n";
    let file = write_file(server, "rollout.yaml", &manifest);
    server.kubectl_ok(v, &["create", "-f", &file.to_string_lossy()]);
    // status in a create body is dropped (status subresource).
    assert_eq!(field(server, v, "ro", "demo", &name, "{.status}"), "");

    let out = server.kubectl_ok(
        v,
        &["scale", "rollout", &name, "-n", "demo", "--replicas=3"],
    );
    assert_eq!(out.trim(), format!("rollout.argoproj.io/{name} scaled"));
    assert_eq!(
        field(
            server,
            v,
            "ro",
            "demo",
            &name,
            "{.spec.replicas}/{.metadata.generation}"
        ),
        "3/2"
    );
    let scale = server.kubectl_ok(
        v,
        &[
            "get",
            "--raw",
            &format!("/apis/argoproj.io/v1alpha1/namespaces/demo/rollouts/{name}/scale"),
        ],
    );
    let scale = argo_tests::parse_json(&scale);
    assert_eq!(scale["kind"], "Scale");
    assert_eq!(scale["apiVersion"], "autoscaling/v1");
    assert_eq!(scale["spec"]["replicas"], 3);

    // The status subresource changes status only: spec and labels in the patch are ignored.
    let out = server.kubectl_ok(
        v,
        &[
            "patch", "rollout", &name, "-n", "demo", "--subresource=status", "--type", "merge", "-p",
            r#"{"spec":{"replicas":9},"metadata":{"labels":{"sneaky":"yes"}},"status":{"phase":"Healthy","replicas":3,"availableReplicas":2}}"#,
        ],
    );
    assert_eq!(out.trim(), format!("rollout.argoproj.io/{name} patched"));
    assert_eq!(
        field(
            server,
            v,
            "ro",
            "demo",
            &name,
            "{.spec.replicas}/{.metadata.labels.sneaky}/{.metadata.generation}/{.status.phase}/{.status.replicas}"
        ),
        "3//2/Healthy/3"
    );
    let table = server.kubectl_ok(v, &["get", "ro", &name, "-n", "demo", "--no-headers"]);
    let cells: Vec<&str> = table.split_whitespace().collect();
    assert_eq!(&cells[..3], [name.as_str(), "3", "3"], "{table}");

    // And the main resource ignores status.
    server.kubectl_ok(
        v,
        &[
            "patch",
            "rollout",
            &name,
            "-n",
            "demo",
            "--type",
            "merge",
            "-p",
            r#"{"status":{"phase":"Degraded"}}"#,
        ],
    );
    assert_eq!(
        field(
            server,
            v,
            "ro",
            "demo",
            &name,
            "{.status.phase}/{.metadata.generation}"
        ),
        "Healthy/2"
    );
}

fn dry_run(server: &Server, v: &str) {
    let name = format!("dry-{}", version_tag(v));
    let file = fixture_as(
        server,
        "application.yaml",
        "dry.yaml",
        &[("name: guestbook", &format!("name: {name}"))],
    );
    let before = server.kubectl_ok(v, &["get", "apps", "-A", "-o", "name"]);
    let out = server.kubectl_ok(v, &["create", "-f", &file, "--dry-run=server"]);
    assert_eq!(
        out.trim(),
        format!("application.argoproj.io/{name} created (server dry run)")
    );
    let out = server.kubectl_ok(
        v,
        &[
            "apply",
            "-f",
            &file,
            "--dry-run=server",
            "-o",
            "jsonpath={.metadata.resourceVersion}|{.metadata.generation}",
        ],
    );
    assert_eq!(out, "|1", "a dry-run create has no resourceVersion");
    let err = server.kubectl_err(v, &["get", "app", &name, "-n", "argocd"]);
    assert!(err.contains("NotFound"), "{err}");
    assert_eq!(
        server.kubectl_ok(v, &["get", "apps", "-A", "-o", "name"]),
        before
    );

    // On an existing object: the change is shown, not stored.
    server.kubectl_ok(v, &["create", "-f", &file]);
    let (rv, generation) = rv_and_generation(server, v, "app", "argocd", &name);
    let out = server.kubectl_ok(
        v,
        &[
            "patch",
            "app",
            &name,
            "-n",
            "argocd",
            "--type",
            "merge",
            "--dry-run=server",
            "-p",
            r#"{"spec":{"project":"dry"}}"#,
            "-o",
            "jsonpath={.spec.project}",
        ],
    );
    assert_eq!(out, "dry");
    let out = server.kubectl_ok(
        v,
        &["delete", "app", &name, "-n", "argocd", "--dry-run=server"],
    );
    assert!(out.contains("(server dry run)"), "{out}");
    assert_eq!(
        rv_and_generation(server, v, "app", "argocd", &name),
        (rv, generation)
    );
    assert_eq!(
        field(server, v, "app", "argocd", &name, "{.spec.project}"),
        "default"
    );
}

fn delete_with_finalizers(server: &Server, v: &str) {
    let name = format!("team-{}", version_tag(v));
    let file = create_held_project(server, v, &name, "proj.yaml");
    let out = server.kubectl_ok(
        v,
        &["delete", "appproj", &name, "-n", "argocd", "--wait=false"],
    );
    assert_eq!(
        out.trim(),
        format!("appproject.argoproj.io \"{name}\" deleted")
    );
    // Still there, marked for deletion, generation bumped once.
    let state = field(
        server,
        v,
        "appproj",
        "argocd",
        &name,
        "{.metadata.finalizers[0]}|{.metadata.generation}|{.metadata.deletionTimestamp}",
    );
    let parts: Vec<&str> = state.split('|').collect();
    assert_eq!(&parts[..2], [HOLD_FINALIZER, "2"], "{state}");
    assert!(
        parts[2].ends_with('Z') && parts[2].len() == 20,
        "deletionTimestamp: {state}"
    );
    // A second delete changes nothing.
    let (rv, _) = rv_and_generation(server, v, "appproj", "argocd", &name);
    server.kubectl_ok(
        v,
        &["delete", "appproj", &name, "-n", "argocd", "--wait=false"],
    );
    assert_eq!(
        rv_and_generation(server, v, "appproj", "argocd", &name).0,
        rv
    );

    // Removing the last finalizer completes the deletion.
    release_project(server, v, &name);
    let out = server.kubectl_ok(v, &["get", "appproj", "-n", "argocd", "-o", "name"]);
    assert!(!out.contains(&name), "{out}");
    let raw = server.raw(
        "GET",
        &format!("/apis/argoproj.io/v1alpha1/namespaces/argocd/appprojects/{name}"),
        None,
        None,
    );
    assert_eq!(raw.code, 404);
    assert_eq!(raw.json()["reason"], "NotFound");

    // Without finalizers delete is immediate.
    server.kubectl_ok(v, &["create", "-f", &file]);
    let out = server.kubectl_ok(v, &["delete", "-f", &file]);
    assert_eq!(
        out.trim(),
        format!("appproject.argoproj.io \"{name}\" deleted")
    );
    let err = server.kubectl_err(v, &["delete", "-f", &file]);
    assert!(
        err.contains(&format!("appprojects.argoproj.io \"{name}\" not found")),
        "{err}"
    );
}

fn write_flows(server: &Server) {
    for v in KUBECTL_VERSIONS {
        apply_and_diff(server, v);
        create_kinds(server, v);
        edit(server, v);
        patch_replace_label(server, v);
        rollout_scale_and_status(server, v);
        dry_run(server, v);
        delete_with_finalizers(server, v);
    }
}

#[test]
fn embedded_store() {
    write_flows(&Server::start(Backend::Embedded));
}

#[test]

fn etcd_store() {
    write_flows(&Server::start(Backend::Etcd));
}
