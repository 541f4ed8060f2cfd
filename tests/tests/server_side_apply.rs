//! Server-side apply and managedFields as kubectl users see them: `apply --server-side` of every
//! fixture, two managers, conflicts and `--force-conflicts`, removal of fields dropped from the
//! manifest, `--dry-run=server`, `diff --server-side`, the client-side → server-side migration,
//! managedFields shown only with `--show-managed-fields`, and kube's refusals of bad
//! PatchOptions. For each kubectl version.

use argo_tests::{Backend, KUBECTL_VERSIONS, Server, fixture_as, version_tag, write_file};
use serde_json::Value;

const APP: &str = "/apis/argoproj.io/v1alpha1/namespaces/argocd/applications";

/// An Application manifest with the given name, targetRevision and extra metadata lines.
fn app_yaml(name: &str, revision: &str, metadata_extra: &str) -> String {
    format!(
        "apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: {name}
  namespace: argocd
{metadata_extra}spec:
  project: default
  destination:
    server: https://kubernetes.default.svc
    namespace: guestbook
  source:
    repoURL: https://github.com/argoproj/argocd-example-apps
    path: guestbook
    targetRevision: {revision}
"
    )
}

fn get_app(server: &Server, v: &str, name: &str) -> Value {
    server.kubectl_json(
        v,
        &["get", "app", name, "-n", "argocd", "--show-managed-fields"],
    )
}

/// The managedFields entry of `manager` with `operation`.
fn entry<'a>(o: &'a Value, manager: &str, operation: &str) -> Option<&'a Value> {
    o["metadata"]["managedFields"]
        .as_array()?
        .iter()
        .find(|e| e["manager"] == manager && e["operation"] == operation)
}

fn owns(o: &Value, manager: &str, operation: &str, pointer: &str) -> bool {
    entry(o, manager, operation)
        .and_then(|e| e["fieldsV1"].pointer(pointer))
        .is_some()
}

/// `kubectl apply --server-side` of every fixture, twice; managedFields are kubectl's Apply.
fn fixtures(server: &Server, v: &str) {
    let tag = version_tag(v);
    let cases = [
        (
            "application.yaml",
            "name: guestbook",
            "application.argoproj.io",
            "app",
            "argocd",
        ),
        (
            "appproject.yaml",
            "name: team-a",
            "appproject.argoproj.io",
            "appproject",
            "argocd",
        ),
        (
            "rollout.yaml",
            "name: canary-demo\n  namespace",
            "rollout.argoproj.io",
            "rollout",
            "demo",
        ),
        (
            "workflow.yaml",
            "generateName: hello-",
            "workflow.argoproj.io",
            "workflow",
            "argo",
        ),
        (
            "clusterworkflowtemplate.yaml",
            "name: cluster-hello",
            "clusterworkflowtemplate.argoproj.io",
            "clusterworkflowtemplate",
            "",
        ),
    ];
    for (file, from, resource, short, ns) in cases {
        let text = argo_tests::fixture_text(file);
        // Each version its own object: apply needs a name (no generateName).
        let name = format!("ssa-{tag}-{}", short);
        let to = match from {
            "name: guestbook" => format!("name: {name}"),
            "generateName: hello-" => format!("name: {name}"),
            "name: canary-demo\n  namespace" => format!("name: {name}\n  namespace"),
            _ => format!("name: {name}"),
        };
        // Only the object's own name changes (the first occurrence, under metadata).
        let text = text.replacen(from, &to, 1);
        let path = write_file(server, &format!("ssa-{tag}-{file}"), &text);
        let path = path.to_string_lossy();
        let mut args = vec!["get", short, name.as_str(), "--show-managed-fields"];
        if !ns.is_empty() {
            args.extend(["-n", ns]);
        }
        let mut versions = Vec::new();
        for round in 0..2 {
            if round == 1 {
                // In a new second: a re-apply that changes nothing must not even move the
                // managedFields time.
                next_second();
            }
            let out = server.kubectl_ok(v, &["apply", "--server-side", "-f", &path]);
            assert_eq!(
                out.trim(),
                format!("{resource}/{name} serverside-applied"),
                "{file}"
            );
            versions.push(server.kubectl_json(v, &args)["metadata"]["resourceVersion"].clone());
        }
        assert_eq!(
            versions[0], versions[1],
            "{file}: re-applying an unchanged manifest writes nothing"
        );
        let got = server.kubectl_json(v, &args);
        let e = entry(&got, "kubectl", "Apply").unwrap_or_else(|| panic!("{file}: {got}"));
        assert_eq!(e["apiVersion"], "argoproj.io/v1alpha1");
        assert_eq!(e["fieldsType"], "FieldsV1");
        assert!(e["fieldsV1"].pointer("/f:spec").is_some(), "{file}: {e}");
        assert!(e.get("subresource").is_none(), "{file}: {e}");
    }
}

/// Sleeps into the next wall-clock second (managedFields times are seconds).
fn next_second() {
    std::thread::sleep(std::time::Duration::from_millis(1100));
}

/// Re-applying manifests whose values the server changes back (`creationTimestamp: null`, as
/// `kubectl create --dry-run=client -o yaml` prints; an empty project, which admission makes
/// `default`) writes nothing: same resourceVersion, as kube ignores a change of managedFields
/// times alone.
fn noop_reapply(server: &Server, v: &str) {
    let tag = version_tag(v);
    let cases = [
        (
            format!("noop-ts-{tag}"),
            "  creationTimestamp: null\n",
            "project: default",
        ),
        (format!("noop-project-{tag}"), "", "project: \"\""),
    ];
    for (name, extra, project) in cases {
        let manifest = app_yaml(&name, "HEAD", extra).replace("project: default", project);
        let path = write_file(server, &format!("{name}.yaml"), &manifest);
        let path = path.to_string_lossy();
        server.kubectl_ok(v, &["apply", "--server-side", "-f", &path]);
        let first = get_app(server, v, &name);
        assert_eq!(first["spec"]["project"], "default", "{first}");
        assert!(
            first["metadata"]["creationTimestamp"].is_string(),
            "{first}"
        );
        next_second();
        server.kubectl_ok(v, &["apply", "--server-side", "-f", &path]);
        let second = get_app(server, v, &name);
        assert_eq!(
            second["metadata"]["resourceVersion"], first["metadata"]["resourceVersion"],
            "{name}: nothing written"
        );
        assert_eq!(second, first, "{name}");
    }
}

/// managedFields are in the object, and kubectl hides them unless asked.
fn managed_fields_shown_only_when_asked(server: &Server, v: &str) {
    let name = format!("shown-{}", version_tag(v));
    let path = write_file(
        server,
        &format!("{name}.yaml"),
        &app_yaml(&name, "HEAD", ""),
    );
    server.kubectl_ok(v, &["create", "-f", &path.to_string_lossy()]);
    let plain = server.kubectl_ok(v, &["get", "app", &name, "-n", "argocd", "-o", "yaml"]);
    assert!(!plain.contains("managedFields"), "{plain}");
    let shown = server.kubectl_ok(
        v,
        &[
            "get",
            "app",
            &name,
            "-n",
            "argocd",
            "-o",
            "yaml",
            "--show-managed-fields",
        ],
    );
    assert!(shown.contains("managedFields:"), "{shown}");
    assert!(shown.contains("manager: kubectl-create"), "{shown}");
    assert!(shown.contains("operation: Update"), "{shown}");
    assert!(shown.contains("fieldsType: FieldsV1"), "{shown}");
}

/// Two managers, a conflict in kube's words with kubectl's advice, then `--force-conflicts`.
fn conflicts_and_force(server: &Server, v: &str) {
    let name = format!("conflict-{}", version_tag(v));
    let first = write_file(
        server,
        &format!("{name}-1.yaml"),
        &app_yaml(&name, "HEAD", ""),
    );
    server.kubectl_ok(
        v,
        &["apply", "--server-side", "-f", &first.to_string_lossy()],
    );

    // Another manager adding a field nobody owns: both keep theirs.
    let label = format!(
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: {name}\n  namespace: argocd\n  labels:\n    team: web\n"
    );
    let label = write_file(server, &format!("{name}-label.yaml"), &label);
    server.kubectl_ok(
        v,
        &[
            "apply",
            "--server-side",
            "--field-manager=labeller",
            "-f",
            &label.to_string_lossy(),
        ],
    );
    let got = get_app(server, v, &name);
    assert_eq!(got["metadata"]["labels"]["team"], "web");
    assert_eq!(got["spec"]["source"]["targetRevision"], "HEAD");
    assert!(owns(
        &got,
        "labeller",
        "Apply",
        "/f:metadata/f:labels/f:team"
    ));
    assert!(owns(
        &got,
        "kubectl",
        "Apply",
        "/f:spec/f:source/f:targetRevision"
    ));

    // The other manager changing kubectl's field: refused, naming kubectl and the field.
    let second = write_file(
        server,
        &format!("{name}-2.yaml"),
        &app_yaml(&name, "v2", ""),
    );
    let err = server.kubectl_err(
        v,
        &[
            "apply",
            "--server-side",
            "--field-manager=other",
            "-f",
            &second.to_string_lossy(),
        ],
    );
    assert!(
        err.contains(
            "Apply failed with 1 conflict: conflict with \"kubectl\": .spec.source.targetRevision"
        ),
        "{err}"
    );
    assert!(err.contains("--force-conflicts"), "{err}");
    assert_eq!(
        get_app(server, v, &name)["spec"]["source"]["targetRevision"],
        "HEAD"
    );

    // Forced: the field moves to the other manager.
    server.kubectl_ok(
        v,
        &[
            "apply",
            "--server-side",
            "--force-conflicts",
            "--field-manager=other",
            "-f",
            &second.to_string_lossy(),
        ],
    );
    let got = get_app(server, v, &name);
    assert_eq!(got["spec"]["source"]["targetRevision"], "v2");
    assert!(owns(
        &got,
        "other",
        "Apply",
        "/f:spec/f:source/f:targetRevision"
    ));
    assert!(!owns(
        &got,
        "kubectl",
        "Apply",
        "/f:spec/f:source/f:targetRevision"
    ));
    assert_eq!(
        got["metadata"]["labels"]["team"], "web",
        "the labeller's field stays"
    );
}

/// A field dropped from the manifest goes away; `--dry-run=server` and `diff --server-side`
/// show the change without making it.
fn removal_dry_run_and_diff(server: &Server, v: &str) {
    let name = format!("remove-{}", version_tag(v));
    let with_label = app_yaml(&name, "HEAD", "  labels:\n    tier: frontend\n");
    let with_label = write_file(server, &format!("{name}-1.yaml"), &with_label);
    server.kubectl_ok(
        v,
        &[
            "apply",
            "--server-side",
            "-f",
            &with_label.to_string_lossy(),
        ],
    );
    assert_eq!(
        get_app(server, v, &name)["metadata"]["labels"]["tier"],
        "frontend"
    );

    let changed = write_file(
        server,
        &format!("{name}-2.yaml"),
        &app_yaml(&name, "v3", ""),
    );
    let changed = changed.to_string_lossy();

    // Dry run: the answer shows it, nothing is stored.
    let rv_before = get_app(server, v, &name)["metadata"]["resourceVersion"].clone();
    let out = server.kubectl_ok(
        v,
        &["apply", "--server-side", "--dry-run=server", "-f", &changed],
    );
    assert_eq!(
        out.trim(),
        format!("application.argoproj.io/{name} serverside-applied (server dry run)")
    );
    let dry = server.kubectl_json(
        v,
        &["apply", "--server-side", "--dry-run=server", "-f", &changed],
    );
    assert_eq!(dry["spec"]["source"]["targetRevision"], "v3");
    let got = get_app(server, v, &name);
    assert_eq!(got["metadata"]["resourceVersion"], rv_before);
    assert_eq!(got["spec"]["source"]["targetRevision"], "HEAD");

    // diff --server-side: the change, exit status 1.
    let out = server.kubectl(v, &["diff", "--server-side", "-f", &changed]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("-    targetRevision: HEAD"), "{stdout}");
    assert!(stdout.contains("+    targetRevision: v3"), "{stdout}");
    assert!(stdout.contains("-    tier: frontend"), "{stdout}");
    // Nothing to diff against the applied manifest: exit 0.
    let same = server.kubectl(
        v,
        &["diff", "--server-side", "-f", &with_label.to_string_lossy()],
    );
    assert_eq!(
        same.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&same.stdout)
    );

    // Applied for real: the label only kubectl applied is gone.
    server.kubectl_ok(v, &["apply", "--server-side", "-f", &changed]);
    let got = get_app(server, v, &name);
    assert_eq!(got["spec"]["source"]["targetRevision"], "v3");
    assert!(
        got["metadata"]
            .get("labels")
            .is_none_or(|l| l.get("tier").is_none()),
        "{got}"
    );
}

/// `kubectl apply` (client-side) then `kubectl apply --server-side` of the same manifest: the
/// object is unchanged and kubectl's Apply takes over what kubectl-client-side-apply owned,
/// so a later server-side apply can drop fields the client-side apply set.
fn client_side_to_server_side(server: &Server, v: &str) {
    let name = format!("csa-{}", version_tag(v));
    let manifest = app_yaml(&name, "HEAD", "  labels:\n    tier: frontend\n");
    let path = write_file(server, &format!("{name}.yaml"), &manifest);
    let path = path.to_string_lossy();
    server.kubectl_ok(v, &["apply", "-f", &path]);
    let before = get_app(server, v, &name);
    assert!(
        entry(&before, "kubectl-client-side-apply", "Update").is_some(),
        "{before}"
    );
    assert!(
        before["metadata"]["annotations"]
            .get("kubectl.kubernetes.io/last-applied-configuration")
            .is_some()
    );

    let out = server.kubectl_ok(v, &["apply", "--server-side", "-f", &path]);
    assert_eq!(
        out.trim(),
        format!("application.argoproj.io/{name} serverside-applied")
    );
    let after = get_app(server, v, &name);
    // The whole object is unchanged but for its bookkeeping: managedFields, resourceVersion
    // and the last-applied annotation kubectl's server-side apply keeps in step.
    let bookkeeping_aside = |o: &Value| {
        let mut o = o.clone();
        let meta = o["metadata"].as_object_mut().expect("metadata");
        meta.remove("managedFields");
        meta.remove("resourceVersion");
        if let Some(a) = meta.get_mut("annotations").and_then(Value::as_object_mut) {
            a.remove("kubectl.kubernetes.io/last-applied-configuration");
        }
        o
    };
    assert_eq!(
        bookkeeping_aside(&after),
        bookkeeping_aside(&before),
        "the object is unchanged"
    );
    assert!(
        entry(&after, "kubectl-client-side-apply", "Update")
            .is_none_or(|e| e["fieldsV1"].pointer("/f:spec").is_none()),
        "client-side ownership moved to kubectl: {after}"
    );
    assert!(
        owns(&after, "kubectl", "Apply", "/f:spec/f:project"),
        "{after}"
    );
    assert!(
        owns(&after, "kubectl", "Apply", "/f:metadata/f:labels/f:tier"),
        "{after}"
    );

    // The server-side manager now owns the label: dropping it from the manifest removes it.
    let without = write_file(
        server,
        &format!("{name}-2.yaml"),
        &app_yaml(&name, "HEAD", ""),
    );
    server.kubectl_ok(
        v,
        &["apply", "--server-side", "-f", &without.to_string_lossy()],
    );
    let last = get_app(server, v, &name);
    assert!(
        last["metadata"]
            .get("labels")
            .is_none_or(|l| l.get("tier").is_none()),
        "{last}"
    );
}

/// managedFields survive an edit-style merge patch, a replace without them, and a status write.
fn survive_other_writes(server: &Server, v: &str) {
    let name = format!("survive-{}", version_tag(v));
    let path = fixture_as(
        server,
        "rollout.yaml",
        &format!("{name}.yaml"),
        &[(
            "name: canary-demo\n  namespace",
            &format!("name: {name}\n  namespace"),
        )],
    );
    server.kubectl_ok(v, &["apply", "--server-side", "-f", &path]);
    server.kubectl_ok(
        v,
        &[
            "patch",
            "rollout",
            &name,
            "-n",
            "demo",
            "--type=merge",
            "-p",
            r#"{"spec":{"paused":true}}"#,
        ],
    );
    server.kubectl_ok(
        v,
        &[
            "patch",
            "rollout",
            &name,
            "-n",
            "demo",
            "--subresource=status",
            "--type=merge",
            "-p",
            r#"{"status":{"phase":"Paused"}}"#,
        ],
    );
    // replace sends what get printed, which has no managedFields.
    let current = server.kubectl_ok(v, &["get", "rollout", &name, "-n", "demo", "-o", "json"]);
    let mut current: Value = serde_json::from_str(&current).expect("json");
    assert!(current["metadata"].get("managedFields").is_none());
    current["spec"]["minReadySeconds"] = 5.into();
    let replaced = write_file(
        server,
        &format!("{name}-replace.json"),
        &current.to_string(),
    );
    server.kubectl_ok(v, &["replace", "-f", &replaced.to_string_lossy()]);

    let got = server.kubectl_json(
        v,
        &[
            "get",
            "rollout",
            &name,
            "-n",
            "demo",
            "--show-managed-fields",
        ],
    );
    assert!(
        owns(&got, "kubectl", "Apply", "/f:spec/f:replicas"),
        "{got}"
    );
    assert!(
        owns(&got, "kubectl-patch", "Update", "/f:spec/f:paused"),
        "{got}"
    );
    assert!(
        owns(
            &got,
            "kubectl-replace",
            "Update",
            "/f:spec/f:minReadySeconds"
        ),
        "{got}"
    );
    let status = got["metadata"]["managedFields"]
        .as_array()
        .and_then(|a| {
            a.iter()
                .find(|e| e["manager"] == "kubectl-patch" && e["subresource"] == "status")
        })
        .unwrap_or_else(|| panic!("a status entry: {got}"));
    assert!(
        status["fieldsV1"].pointer("/f:status/f:phase").is_some(),
        "{status}"
    );
    assert_eq!(got["status"]["phase"], "Paused");
}

/// PatchOptions refused as kube does: apply needs a fieldManager, force is for apply only.
fn patch_options_refusals(server: &Server) {
    let body = write_file(
        server,
        "refusal.json",
        r#"{"apiVersion":"argoproj.io/v1alpha1","kind":"Application","metadata":{"name":"refused","namespace":"argocd"}}"#,
    );
    let r = server.raw(
        "PATCH",
        &format!("{APP}/refused"),
        Some("application/apply-patch+yaml"),
        Some(&body),
    );
    assert_eq!(r.code, 422, "{}", r.body);
    assert_eq!(
        r.json()["message"],
        "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch"
    );
    let r = server.raw(
        "PATCH",
        &format!("{APP}/refused?force=true"),
        Some("application/merge-patch+json"),
        Some(&body),
    );
    assert_eq!(r.code, 422, "{}", r.body);
    assert_eq!(
        r.json()["message"],
        "PatchOptions.meta.k8s.io \"\" is invalid: force: Forbidden: may not be specified for non-apply patch"
    );
    // A YAML apply body creates (201), an unknown field is refused in kube's words.
    let yaml = write_file(server, "refusal.yaml", &app_yaml("yaml-apply", "HEAD", ""));
    let r = server.raw(
        "PATCH",
        &format!("{APP}/yaml-apply?fieldManager=curl"),
        Some("application/apply-patch+yaml"),
        Some(&yaml),
    );
    assert_eq!(r.code, 201, "{}", r.body);
    assert_eq!(r.json()["metadata"]["managedFields"][0]["manager"], "curl");
    let bogus = write_file(
        server,
        "bogus.yaml",
        &app_yaml("yaml-apply", "HEAD", "")
            .replace("  project: default\n", "  project: default\n  bogus: 1\n"),
    );
    let r = server.raw(
        "PATCH",
        &format!("{APP}/yaml-apply?fieldManager=curl&fieldValidation=Strict"),
        Some("application/apply-patch+yaml"),
        Some(&bogus),
    );
    assert_eq!(r.code, 400, "{}", r.body);
    assert_eq!(
        r.json()["message"],
        "failed to create typed patch object (argocd/yaml-apply; argoproj.io/v1alpha1, Kind=Application): .spec.bogus: field not declared in schema"
    );
}

#[test]
fn server_side_apply_with_kubectl() {
    let server = Server::start(Backend::Embedded);
    patch_options_refusals(&server);
    for v in KUBECTL_VERSIONS {
        fixtures(&server, v);
        managed_fields_shown_only_when_asked(&server, v);
        conflicts_and_force(&server, v);
        removal_dry_run_and_diff(&server, v);
        client_side_to_server_side(&server, v);
        survive_other_writes(&server, v);
        noop_reapply(&server, v);
    }
}
