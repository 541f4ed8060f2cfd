//! What `kubectl` reads: discovery (short names, categories), `get` in every output format,
//! printer columns, `describe`, `explain` and paginated lists, for each kubectl version and
//! both storage backends.

use argo_tests::{Backend, KUBECTL_VERSIONS, Server, fixture, fixture_as, parse_json, version_tag};

/// Creates one object of several kinds (namespaced and cluster-scoped) with kubectl 1.33.
fn create_objects(server: &Server) -> String {
    for f in [
        "application.yaml",
        "rollout.yaml",
        "appproject.yaml",
        "clusterworkflowtemplate.yaml",
    ] {
        let path = fixture(f).to_string_lossy().into_owned();
        server.kubectl_ok("1.33", &["create", "-f", &path]);
    }
    let wf = fixture("workflow.yaml").to_string_lossy().into_owned();
    let out = server.kubectl_ok("1.33", &["create", "-f", &wf]);
    // `workflow.argoproj.io/hello-xxxxx created`
    out.split_whitespace()
        .next()
        .and_then(|s| s.strip_prefix("workflow.argoproj.io/"))
        .unwrap_or_else(|| panic!("unexpected create output: {out}"))
        .to_string()
}

/// The whitespace-separated header cells of a table kubectl printed.
fn header(table: &str) -> Vec<String> {
    table
        .lines()
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .map(str::to_string)
        .collect()
}

/// The table row whose first cell (or second, with a NAMESPACE column) is `name`.
fn row<'a>(table: &'a str, name: &str) -> Option<Vec<&'a str>> {
    table
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>())
        .find(|cells| cells.first() == Some(&name) || cells.get(1) == Some(&name))
}

fn discovery(server: &Server, v: &str) {
    let all = server.kubectl_ok(v, &["api-resources", "--api-group=argoproj.io"]);
    let apps = row(&all, "applications").unwrap_or_else(|| panic!("no applications:\n{all}"));
    assert_eq!(
        apps,
        [
            "applications",
            "app,apps",
            "argoproj.io/v1alpha1",
            "true",
            "Application"
        ]
    );
    let cwft = row(&all, "clusterworkflowtemplates").expect("clusterworkflowtemplates row");
    assert_eq!(
        cwft[3], "false",
        "ClusterWorkflowTemplate is cluster-scoped: {cwft:?}"
    );
    assert!(row(&all, "rollouts").is_some_and(|r| r[1] == "ro"), "{all}");

    let rollouts = server.kubectl_ok(
        v,
        &["api-resources", "--categories=argo-rollouts", "-o", "name"],
    );
    let mut names: Vec<&str> = rollouts.lines().collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "analysisruns.argoproj.io",
            "analysistemplates.argoproj.io",
            "clusteranalysistemplates.argoproj.io",
            "experiments.argoproj.io",
            "rollouts.argoproj.io",
        ]
    );
    let argo = server.kubectl_ok(v, &["api-resources", "--categories=argo", "-o", "name"]);
    for r in [
        "applications",
        "rollouts",
        "workflows",
        "sensors",
        "clusterworkflowtemplates",
    ] {
        assert!(
            argo.lines().any(|l| l == format!("{r}.argoproj.io")),
            "{r} not in category argo:\n{argo}"
        );
    }
}

fn get_by_category_and_short_names(server: &Server, v: &str, workflow: &str) {
    let out = server.kubectl_ok(v, &["get", "argo", "-A"]);
    for obj in [
        "application.argoproj.io/guestbook",
        "rollout.argoproj.io/canary-demo",
        "appproject.argoproj.io/team-a",
        "clusterworkflowtemplate.argoproj.io/cluster-hello",
        &format!("workflow.argoproj.io/{workflow}"),
    ] {
        assert!(out.contains(obj), "`get argo -A` misses {obj}:\n{out}");
    }
    for (short, ns, name) in [
        ("app", "argocd", "guestbook"),
        ("apps", "argocd", "guestbook"),
        ("appproj", "argocd", "team-a"),
        ("ro", "demo", "canary-demo"),
        ("wf", "argo", workflow),
        ("cwft", "", "cluster-hello"),
    ] {
        let mut args = vec!["get", short, "-o", "name"];
        if !ns.is_empty() {
            args.extend(["-n", ns]);
        }
        let out = server.kubectl_ok(v, &args);
        assert!(
            out.lines().any(|l| l.ends_with(&format!("/{name}"))),
            "get {short}: {out}"
        );
    }
}

fn printer_columns(server: &Server, v: &str) {
    let plain = server.kubectl_ok(v, &["get", "apps", "-n", "argocd"]);
    assert_eq!(
        header(&plain),
        ["NAME", "SYNC", "STATUS", "HEALTH", "STATUS", "AGE"]
    );
    let cells = row(&plain, "guestbook").expect("guestbook row");
    assert_eq!(&cells[..3], ["guestbook", "Synced", "Healthy"], "{plain}");
    assert!(
        !plain.contains("abc1234"),
        "priority-10 columns are hidden:\n{plain}"
    );

    let wide = server.kubectl_ok(v, &["get", "apps", "-n", "argocd", "-o", "wide"]);
    assert_eq!(
        header(&wide),
        [
            "NAME", "SYNC", "STATUS", "HEALTH", "STATUS", "REVISION", "PROJECT", "AGE"
        ]
    );
    let cells = row(&wide, "guestbook").expect("guestbook row");
    assert_eq!(
        &cells[..5],
        ["guestbook", "Synced", "Healthy", "abc1234", "default"]
    );

    let ro = server.kubectl_ok(v, &["get", "rollouts", "-n", "demo"]);
    assert_eq!(
        header(&ro),
        [
            "NAME",
            "DESIRED",
            "CURRENT",
            "UP-TO-DATE",
            "AVAILABLE",
            "AGE"
        ]
    );
    // Integer cells, missing status values print empty.
    assert_eq!(row(&ro, "canary-demo").expect("row")[1], "1", "{ro}");

    let all = server.kubectl_ok(v, &["get", "apps", "-A", "--show-labels"]);
    assert_eq!(header(&all)[0], "NAMESPACE");
    assert!(
        row(&all, "guestbook").is_some_and(|r| r[0] == "argocd" && r.last() == Some(&"tier=web")),
        "{all}"
    );
}

fn output_formats(server: &Server, v: &str) {
    let yaml = server.kubectl_ok(
        v,
        &["get", "app", "guestbook", "-n", "argocd", "-o", "yaml"],
    );
    for line in [
        "apiVersion: argoproj.io/v1alpha1",
        "kind: Application",
        "  name: guestbook",
        "  namespace: argocd",
        // The status patch bumped it: Application has no status subresource.
        "  generation: 2",
        "  project: default",
        "    repoURL: https://github.com/argoproj/argocd-example-apps",
    ] {
        assert!(
            yaml.lines().any(|l| l == line),
            "-o yaml lacks {line:?}:\n{yaml}"
        );
    }

    let list = parse_json(&server.kubectl_ok(v, &["get", "apps", "-n", "argocd", "-o", "json"]));
    assert_eq!(list["kind"], "List");
    let items = list["items"].as_array().expect("items");
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["kind"], "Application");
    assert_eq!(items[0]["apiVersion"], "argoproj.io/v1alpha1");
    assert_eq!(items[0]["spec"]["destination"]["namespace"], "guestbook");
    assert!(
        items[0]["metadata"]["uid"]
            .as_str()
            .is_some_and(|u| u.len() == 36)
    );

    let jp = server.kubectl_ok(
        v,
        &[
            "get", "ro", "canary-demo", "-n", "demo", "-o",
            "jsonpath={.kind}/{.spec.strategy.canary.steps[0].setWeight}/{.spec.template.spec.containers[0].image}",
        ],
    );
    assert_eq!(jp, "Rollout/20/argoproj/rollouts-demo:blue");

    let cc = server.kubectl_ok(
        v,
        &["get", "cwft", "-o", "custom-columns=NAME:.metadata.name,ENTRY:.spec.entrypoint,IMAGE:.spec.templates[0].container.image"],
    );
    let lines: Vec<Vec<&str>> = cc.lines().map(|l| l.split_whitespace().collect()).collect();
    assert_eq!(
        lines,
        [
            vec!["NAME", "ENTRY", "IMAGE"],
            vec!["cluster-hello", "hello", "busybox"]
        ]
    );
}

fn describe(server: &Server, v: &str) {
    let out = server.kubectl_ok(v, &["describe", "app", "guestbook", "-n", "argocd"]);
    for want in [
        "Name:",
        "guestbook",
        "Namespace:",
        "argocd",
        "Kind:",
        "Application",
        "Project:",
        "default",
        "Repo URL:",
    ] {
        assert!(out.contains(want), "describe lacks {want:?}:\n{out}");
    }
    let labels = out
        .lines()
        .find(|l| l.starts_with("Labels:"))
        .expect("Labels line");
    assert!(labels.contains("tier=web"), "{out}");
    let out = server.kubectl_ok(v, &["describe", "ro", "canary-demo", "-n", "demo"]);
    assert!(out.contains("Set Weight:  20"), "{out}");
}

fn explain(server: &Server, v: &str) {
    // 1.27+ read /openapi/v3 by default.
    let out = server.kubectl_ok(v, &["explain", "application.spec.syncPolicy"]);
    assert!(out.contains("KIND:       Application"), "{out}");
    assert!(
        out.contains("Controls when and how a sync will be performed."),
        "{out}"
    );
    for field in ["automated", "retry", "syncOptions"] {
        assert!(
            out.lines().any(|l| l.trim_start().starts_with(field)),
            "no {field}:\n{out}"
        );
    }
    let out = server.kubectl_ok(v, &["explain", "rollout.spec.strategy.canary.steps"]);
    assert!(out.contains("KIND:       Rollout"), "{out}");
    assert!(
        out.contains("The ordered steps of the canary update."),
        "{out}"
    );
    for field in ["setWeight", "pause", "analysis"] {
        assert!(
            out.lines().any(|l| l.trim_start().starts_with(field)),
            "no {field}:\n{out}"
        );
    }
    // The OpenAPI v2 path (served as protobuf), which kubectl 1.27 used before v3.
    let out = server.kubectl_ok(
        v,
        &[
            "explain",
            "--output=plaintext-openapiv2",
            "application.spec.syncPolicy",
        ],
    );
    assert!(out.contains("RESOURCE: syncPolicy <Object>"), "{out}");
    assert!(
        out.contains("Controls when and how a sync will be performed."),
        "{out}"
    );
    let out = server.kubectl_err(v, &["explain", "application.spec.nosuchfield"]);
    assert!(out.contains("nosuchfield"), "{out}");
}

/// kubectl reads lists in chunks (`--chunk-size`, `limit` + `continue`); every object shows.
fn pagination(server: &Server, v: &str) {
    let ns = format!("paging-{}", version_tag(v));
    for i in 0..7 {
        let name = format!("page-{i}");
        let file = fixture_as(
            server,
            "application.yaml",
            "page.yaml",
            &[
                ("name: guestbook", &format!("name: {name}")),
                ("namespace: argocd", &format!("namespace: {ns}")),
            ],
        );
        server.kubectl_ok(v, &["create", "-f", &file]);
    }
    let out = server.kubectl(v, &["get", "apps", "-n", &ns, "--chunk-size=2", "-v=6"]);
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let rows: Vec<&str> = stdout.lines().skip(1).collect();
    assert_eq!(rows.len(), 7, "{stdout}");
    for i in 0..7 {
        assert!(
            row(&stdout, &format!("page-{i}")).is_some(),
            "page-{i} missing:\n{stdout}"
        );
    }
    let requests: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains(&format!("/namespaces/{ns}/applications?")) && l.contains("limit=2"))
        .collect();
    assert_eq!(requests.len(), 4, "7 objects in pages of 2:\n{stderr}");
    assert_eq!(
        requests.iter().filter(|l| l.contains("continue=")).count(),
        3,
        "{stderr}"
    );

    // Across namespaces, chunked and unchunked lists agree.
    let names = |chunk: &str| {
        let mut n: Vec<String> = server
            .kubectl_ok(v, &["get", "apps", "-A", chunk, "-o", "name"])
            .lines()
            .map(str::to_string)
            .collect();
        n.sort();
        n
    };
    let whole = names("--chunk-size=0");
    assert!(whole.len() >= 8, "{whole:?}");
    assert_eq!(names("--chunk-size=3"), whole);
}

fn read_flows(server: &Server) {
    let workflow = create_objects(server);
    // A status and a label to show in columns (Application has no status subresource).
    server.kubectl_ok(
        "1.33",
        &[
            "patch", "app", "guestbook", "-n", "argocd", "--type", "merge", "-p",
            r#"{"metadata":{"labels":{"tier":"web"}},"status":{"sync":{"status":"Synced","revision":"abc1234"},"health":{"status":"Healthy"}}}"#,
        ],
    );
    for v in KUBECTL_VERSIONS {
        discovery(server, v);
        get_by_category_and_short_names(server, v, &workflow);
        printer_columns(server, v);
        output_formats(server, v);
        describe(server, v);
        explain(server, v);
        pagination(server, v);
    }
}

#[test]
fn embedded_store() {
    read_flows(&Server::start(Backend::Embedded));
}

#[test]

fn etcd_store() {
    read_flows(&Server::start(Backend::Etcd));
}

/// `kubectl get` of a missing object names it, as against kube-apiserver.
#[test]

fn not_found_names_the_object() {
    let server = Server::start(Backend::Embedded);
    for v in KUBECTL_VERSIONS {
        let err = server.kubectl_err(v, &["get", "app", "missing", "-n", "argocd"]);
        assert!(
            err.contains(
                r#"Error from server (NotFound): applications.argoproj.io "missing" not found"#
            ),
            "{err}"
        );
    }
}
