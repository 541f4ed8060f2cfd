//! The `kubectl-argo` plugin against the real server, run both as its own binary and through
//! `kubectl argo ...` (kubectl finds it on PATH): every action verb once on Applications,
//! Rollouts and Workflows, the one-line summaries and `-o`, a refusal (kubectl's
//! `Error from server (<Reason>): ...`, exit 1), usage errors (exit 2, nothing sent), connection
//! errors, and the namespace taken from the kubeconfig context.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use argo_tests::{Backend, KUBECTL_VERSIONS, Server, fixture_as, kubectl_path, parse_json, tail};
use serde_json::{Value, json};

/// The kubectl version the action tests go through (the usage test runs every version).
const KUBECTL: &str = "1.33";

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Builds the plugin once per test process (a no-op when it is up to date), like the harness
/// builds the server, and returns its path.
fn plugin_binary() -> PathBuf {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .args(["build", "-q", "-p", "kubectl-argo", "--bin", "kubectl-argo"])
            .current_dir(workspace_root())
            .status()
            .expect("run cargo build for the plugin");
        assert!(status.success(), "building kubectl-argo failed");
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| workspace_root().join("target"));
        target.join("debug").join("kubectl-argo")
    })
    .clone()
}

/// What one run printed and how it ended.
#[derive(Debug)]
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    fn ok(self) -> String {
        assert_eq!(self.code, Some(0), "expected success: {self:#?}");
        self.stdout
    }

    /// The single line printed on success.
    fn line(self) -> String {
        let out = self.ok();
        assert_eq!(out.lines().count(), 1, "one line: {out:?}");
        out.trim_end().to_string()
    }
}

/// The plugin installed in a directory of its own (only it, so `kubectl plugin list` sees
/// nothing else) and a kubeconfig to run it with.
struct Plugin {
    bin_dir: PathBuf,
    kubeconfig: PathBuf,
    scratch: PathBuf,
}

impl Plugin {
    fn in_dir(dir: &Path, kubeconfig: PathBuf) -> Plugin {
        let bin_dir = dir.join("plugin-bin");
        std::fs::create_dir_all(&bin_dir).expect("plugin bin dir");
        let link = bin_dir.join("kubectl-argo");
        if !link.exists() {
            std::os::unix::fs::symlink(plugin_binary(), &link).expect("link the plugin");
        }
        Plugin {
            bin_dir,
            kubeconfig,
            scratch: dir.to_path_buf(),
        }
    }

    fn for_server(server: &Server) -> Plugin {
        Self::in_dir(server.dir.path(), server.kubeconfig())
    }

    fn path_env(&self) -> OsString {
        let mut paths = vec![self.bin_dir.clone()];
        if let Some(old) = std::env::var_os("PATH") {
            paths.extend(std::env::split_paths(&old));
        }
        std::env::join_paths(paths).expect("PATH")
    }

    fn output(mut cmd: Command) -> Run {
        let out = cmd.output().expect("run the plugin");
        Run {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// The binary itself, with `--kubeconfig`.
    fn direct(&self, args: &[&str]) -> Run {
        let mut cmd = Command::new(self.bin_dir.join("kubectl-argo"));
        cmd.arg("--kubeconfig").arg(&self.kubeconfig).args(args);
        // Nothing from the environment may stand in for the flag.
        cmd.env_remove("KUBECONFIG").env("HOME", &self.scratch);
        Self::output(cmd)
    }

    /// `kubectl argo <args>` with the kubeconfig in `KUBECONFIG` (kubectl hands everything
    /// after the plugin's name to the plugin, and its environment with it).
    fn kubectl(&self, version: &str, args: &[&str]) -> Run {
        let mut cmd = Command::new(kubectl_path(version));
        cmd.arg("argo")
            .args(args)
            .env("PATH", self.path_env())
            .env("KUBECONFIG", &self.kubeconfig)
            .env("HOME", &self.scratch);
        Self::output(cmd)
    }
}

/// `kubectl get <resource> <name> -n <ns> -o json`.
fn get(server: &Server, resource: &str, ns: &str, name: &str) -> Value {
    server.kubectl_json(KUBECTL, &["get", resource, name, "-n", ns])
}

fn merge_patch(server: &Server, resource: &str, ns: &str, name: &str, patch: &Value) {
    server.kubectl_ok(
        KUBECTL,
        &[
            "patch",
            resource,
            name,
            "-n",
            ns,
            "--type",
            "merge",
            "-p",
            &patch.to_string(),
        ],
    );
}

fn status_patch(server: &Server, resource: &str, ns: &str, name: &str, patch: &Value) {
    server.kubectl_ok(
        KUBECTL,
        &[
            "patch",
            resource,
            name,
            "-n",
            ns,
            "--subresource=status",
            "--type",
            "merge",
            "-p",
            &patch.to_string(),
        ],
    );
}

fn apply_text(server: &Server, file: &str, text: &str) {
    let path = argo_tests::write_file(server, file, text);
    server.kubectl_ok(KUBECTL, &["apply", "-f", &path.to_string_lossy()]);
}

/// Panics with the server log when an action the server should accept was refused.
fn accepted(server: &Server, run: Run) -> String {
    if run.code != Some(0) {
        panic!(
            "action refused: {run:#?}\nserver log tail:\n{}",
            tail(&server.log(), 30)
        );
    }
    run.line()
}

#[test]
fn usage_errors_exit_2_before_any_request() {
    let dir = tempfile::tempdir().expect("temp dir");
    // A kubeconfig that does not exist: a usage error must come before it is even read.
    let plugin = Plugin::in_dir(dir.path(), dir.path().join("missing-kubeconfig"));
    let cases: &[(&[&str], &str)] = &[
        (
            &["promote", "app", "x"],
            "\"promote\" does not apply to applications; it applies to: rollouts",
        ),
        (
            &["sync", "wf", "x"],
            "\"sync\" does not apply to workflows; it applies to: applications",
        ),
        (
            &["resubmit", "rollouts", "x"],
            "\"resubmit\" does not apply to rollouts; it applies to: workflows",
        ),
        (
            &["retry", "ro", "x", "-p", "a=b"],
            "--parameter applies to workflows only",
        ),
        (
            &["promote", "deploy", "x"],
            "unknown resource type \"deploy\"",
        ),
        (
            &["resubmit", "wf", "x", "-p", "novalue"],
            "expected parameter of the form: NAME=VALUE. Received: novalue",
        ),
        (&["rollback", "app", "x", "two"], "invalid value 'two'"),
        (&["promote", "ro"], "required"),
        (
            &["frobnicate", "ro", "x"],
            "unrecognized subcommand 'frobnicate'",
        ),
    ];
    for (args, message) in cases {
        let run = plugin.direct(args);
        assert_eq!(run.code, Some(2), "{args:?}: {run:#?}");
        assert!(run.stderr.contains(message), "{args:?}: {run:#?}");
        assert!(run.stdout.is_empty(), "{args:?}: {run:#?}");
    }
    let run = plugin.direct(&["promote", "app", "x"]);
    assert!(
        run.stderr
            .contains("Usage: kubectl argo promote [OPTIONS] <RESOURCE> <NAME>"),
        "{run:#?}"
    );

    for v in KUBECTL_VERSIONS {
        let run = plugin.kubectl(v, &["promote", "app", "x"]);
        assert_eq!(run.code, Some(2), "kubectl {v}: {run:#?}");
        assert!(
            run.stderr
                .contains("\"promote\" does not apply to applications"),
            "kubectl {v}: {run:#?}"
        );
        let version = plugin.kubectl(v, &["--version"]).ok();
        assert_eq!(
            version.trim(),
            format!("kubectl-argo {}", env!("CARGO_PKG_VERSION"))
        );
        let help = plugin.kubectl(v, &["--help"]).ok();
        for verb in [
            "sync",
            "rollback",
            "terminate",
            "promote",
            "abort",
            "retry",
            "restart",
            "pause",
            "resume",
            "resubmit",
            "suspend",
            "stop",
        ] {
            assert!(help.contains(&format!("\n  {verb} ")), "{verb}:\n{help}");
        }
    }
}

#[test]
fn kubeconfig_and_connection_errors_exit_1() {
    let dir = tempfile::tempdir().expect("temp dir");
    let plugin = Plugin::in_dir(dir.path(), dir.path().join("missing-kubeconfig"));
    let run = plugin.direct(&["promote", "ro", "web"]);
    assert_eq!(run.code, Some(1), "{run:#?}");
    assert!(
        run.stderr.starts_with("error: cannot read kubeconfig "),
        "{run:#?}"
    );

    // A kubeconfig naming a port nobody listens on.
    let port = argo_tests::free_port();
    let kubeconfig = dir.path().join("kubeconfig");
    std::fs::write(
        &kubeconfig,
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: \
             https://127.0.0.1:{port}\n    insecure-skip-tls-verify: true\nusers:\n- name: u\n  \
             user:\n    token: t\ncontexts:\n- name: x\n  context:\n    cluster: c\n    user: \
             u\ncurrent-context: x\n"
        ),
    )
    .expect("write kubeconfig");
    let plugin = Plugin::in_dir(dir.path(), kubeconfig);
    for run in [
        plugin.direct(&["pause", "ro", "web"]),
        plugin.kubectl(KUBECTL, &["pause", "ro", "web"]),
    ] {
        assert_eq!(run.code, Some(1), "{run:#?}");
        assert!(
            run.stderr.starts_with(&format!(
                "error: cannot reach the server at https://127.0.0.1:{port}/"
            )),
            "{run:#?}"
        );
    }
    let run = plugin.direct(&["pause", "ro", "web", "--context", "nope"]);
    assert_eq!(run.code, Some(1), "{run:#?}");
    assert!(run.stderr.contains("nope"), "{run:#?}");
}

#[test]
fn refusals_print_the_server_status() {
    let server = Server::start(Backend::Embedded);
    let plugin = Plugin::for_server(&server);
    let expected = "Error from server (NotFound): rollouts.argoproj.io \"missing\" not found\n";
    for run in [
        plugin.direct(&["promote", "ro", "missing", "-n", "demo"]),
        plugin.kubectl(KUBECTL, &["promote", "ro", "missing", "-n", "demo"]),
    ] {
        assert_eq!(run.code, Some(1), "{run:#?}");
        assert_eq!(run.stderr, expected, "{run:#?}");
        assert!(run.stdout.is_empty(), "{run:#?}");
    }
    let run = plugin.direct(&["resubmit", "wf", "gone", "-n", "argo"]);
    assert_eq!(run.code, Some(1), "{run:#?}");
    assert_eq!(
        run.stderr,
        "Error from server (NotFound): workflows.argoproj.io \"gone\" not found\n"
    );
}

/// The `default` AppProject (upstream's API server creates it on start; ours may not).
fn ensure_default_project(server: &Server) {
    let path = argo_tests::write_file(
        server,
        "default-project.yaml",
        "apiVersion: argoproj.io/v1alpha1\nkind: AppProject\nmetadata:\n  name: default\n  \
         namespace: argocd\nspec:\n  sourceRepos: ['*']\n  destinations:\n  - server: '*'\n    \
         namespace: '*'\n  clusterResourceWhitelist:\n  - group: '*'\n    kind: '*'\n",
    );
    let out = server.kubectl(KUBECTL, &["create", "-f", &path.to_string_lossy()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() || stderr.contains("AlreadyExists"),
        "{stderr}"
    );
}

#[test]
fn application_sync_terminate_and_rollback() {
    let server = Server::start(Backend::Embedded);
    let plugin = Plugin::for_server(&server);
    ensure_default_project(&server);
    let app = fixture_as(&server, "application.yaml", "app.yaml", &[]);
    server.kubectl_ok(KUBECTL, &["apply", "-f", &app]);

    // sync, through kubectl.
    let line = accepted(
        &server,
        plugin.kubectl(
            KUBECTL,
            &[
                "sync",
                "app",
                "guestbook",
                "-n",
                "argocd",
                "--revision",
                "HEAD",
                "--prune",
            ],
        ),
    );
    assert!(
        line.starts_with(
            "application.argoproj.io/guestbook sync requested (revision HEAD, prune, initiated by "
        ),
        "{line}"
    );
    let obj = get(&server, "app", "argocd", "guestbook");
    assert_eq!(
        obj.pointer("/operation/sync/revision"),
        Some(&json!("HEAD"))
    );
    assert_eq!(obj.pointer("/operation/sync/prune"), Some(&json!(true)));

    // A second sync while one is pending is refused by the server.
    let run = plugin.direct(&["sync", "app", "guestbook", "-n", "argocd"]);
    assert_eq!(run.code, Some(1), "{run:#?}");
    assert!(run.stderr.starts_with("Error from server ("), "{run:#?}");
    assert!(
        run.stderr
            .contains("another operation is already in progress"),
        "{run:#?}"
    );

    // The controller picked the operation up; terminate it.
    merge_patch(
        &server,
        "app",
        "argocd",
        "guestbook",
        &json!({"status": {"operationState": {
            "operation": {"sync": {"revision": "HEAD", "prune": true}},
            "phase": "Running",
            "startedAt": "2026-01-01T00:00:00Z"
        }}}),
    );
    let line = accepted(
        &server,
        plugin.direct(&["terminate", "app", "guestbook", "-n", "argocd"]),
    );
    assert_eq!(
        line,
        "application.argoproj.io/guestbook operation terminating \
         (status.operationState.phase Running -> Terminating)"
    );

    // rollback on a second app with a history, printing the object.
    let rb = fixture_as(
        &server,
        "application.yaml",
        "app-rb.yaml",
        &[("name: guestbook\n", "name: guestbook-rb\n")],
    );
    server.kubectl_ok(KUBECTL, &["apply", "-f", &rb]);
    merge_patch(
        &server,
        "app",
        "argocd",
        "guestbook-rb",
        &json!({"status": {"history": [{
            "id": 1,
            "revision": "abc123",
            "deployedAt": "2026-01-01T00:00:00Z",
            "source": {
                "repoURL": "https://github.com/argoproj/argocd-example-apps",
                "path": "guestbook",
                "targetRevision": "HEAD"
            }
        }]}}),
    );
    let run = plugin.direct(&[
        "rollback",
        "app",
        "guestbook-rb",
        "1",
        "--prune",
        "-n",
        "argocd",
        "-o",
        "json",
    ]);
    if run.code != Some(0) {
        panic!("rollback refused: {run:#?}\n{}", tail(&server.log(), 30));
    }
    let obj = parse_json(&run.stdout);
    assert_eq!(obj.pointer("/metadata/name"), Some(&json!("guestbook-rb")));
    assert_eq!(
        obj.pointer("/operation/sync/revision"),
        Some(&json!("abc123"))
    );
    assert_eq!(obj.pointer("/operation/sync/prune"), Some(&json!(true)));
}

#[test]
fn rollout_actions() {
    let server = Server::start(Backend::Embedded);
    let plugin = Plugin::for_server(&server);
    let ro = fixture_as(&server, "rollout.yaml", "rollout.yaml", &[]);
    server.kubectl_ok(KUBECTL, &["apply", "-f", &ro]);
    // Paused at the canary's pause step, with a canary that is not yet stable.
    status_patch(
        &server,
        "ro",
        "demo",
        "canary-demo",
        &json!({"status": {
            "currentStepIndex": 1,
            "controllerPause": true,
            "pauseConditions": [{"reason": "CanaryPauseStep", "startTime": "2026-01-01T00:00:00Z"}],
            "currentPodHash": "canary1",
            "stableRS": "stable1",
            "phase": "Paused"
        }}),
    );
    let ro_field = |pointer: &str| {
        get(&server, "ro", "demo", "canary-demo")
            .pointer(pointer)
            .cloned()
            .unwrap_or(Value::Null)
    };
    let prefix = "rollout.argoproj.io/canary-demo";

    let line = accepted(
        &server,
        plugin.direct(&["promote", "ro", "canary-demo", "-n", "demo"]),
    );
    // Upstream's promote at a pause step only clears the pause conditions.
    assert_eq!(
        line,
        format!("{prefix} promoted (status.pauseConditions 1 item -> unset)")
    );
    assert_eq!(ro_field("/status/pauseConditions"), Value::Null);

    let line = accepted(
        &server,
        plugin.kubectl(
            KUBECTL,
            &["promote", "rollout", "canary-demo", "-n", "demo", "--full"],
        ),
    );
    assert_eq!(
        line,
        format!("{prefix} fully promoted (status.promoteFull unset -> true)")
    );
    assert_eq!(ro_field("/status/promoteFull"), json!(true));

    let line = accepted(
        &server,
        plugin.direct(&["pause", "ro", "canary-demo", "-n", "demo"]),
    );
    assert_eq!(line, format!("{prefix} paused (spec.paused unset -> true)"));
    // Pausing again changes nothing, and says so.
    let line = accepted(
        &server,
        plugin.direct(&["pause", "ro", "canary-demo", "-n", "demo"]),
    );
    assert_eq!(line, format!("{prefix} paused (no change)"));
    assert_eq!(ro_field("/spec/paused"), json!(true));

    let line = accepted(
        &server,
        plugin.kubectl(
            KUBECTL,
            &["resume", "rollouts", "canary-demo", "-n", "demo"],
        ),
    );
    assert!(line.starts_with(&format!("{prefix} resumed (")), "{line}");
    assert!(line.contains("spec.paused true -> "), "{line}");
    assert_ne!(ro_field("/spec/paused"), json!(true));

    let line = accepted(
        &server,
        plugin.direct(&["abort", "ro", "canary-demo", "-n", "demo"]),
    );
    assert_eq!(
        line,
        format!("{prefix} aborted (status.abort unset -> true)")
    );
    assert_eq!(ro_field("/status/abort"), json!(true));

    let line = accepted(
        &server,
        plugin.direct(&["retry", "ro", "canary-demo", "-n", "demo"]),
    );
    assert!(
        line.starts_with(&format!("{prefix} retried (status.abort true -> ")),
        "{line}"
    );
    assert_ne!(ro_field("/status/abort"), json!(true));

    let run = plugin.direct(&[
        "restart",
        "ro",
        "canary-demo",
        "-n",
        "demo",
        "--in",
        "30s",
        "-o",
        "yaml",
    ]);
    let out = accepted_text(&server, run);
    assert!(out.contains("restartAt:"), "{out}");
    assert!(ro_field("/spec/restartAt").is_string());
}

/// Like [`accepted`], for output of any length.
fn accepted_text(server: &Server, run: Run) -> String {
    if run.code != Some(0) {
        panic!(
            "action refused: {run:#?}\nserver log tail:\n{}",
            tail(&server.log(), 30)
        );
    }
    run.stdout
}

/// A Workflow named `name` in `argo` with a `message` parameter, in `phase`.
fn create_workflow(server: &Server, name: &str, phase: &str) {
    let manifest = format!(
        "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata:\n  name: {name}\n  \
         namespace: argo\nspec:\n  entrypoint: hello\n  arguments:\n    parameters:\n    - name: \
         message\n      value: hello\n  templates:\n  - name: hello\n    container:\n      \
         image: busybox\n      command: [echo, hello]\n"
    );
    apply_text(server, &format!("{name}.yaml"), &manifest);
    let finished = if phase == "Running" {
        Value::Null
    } else {
        json!("2026-01-01T00:01:00Z")
    };
    // Workflows have no status subresource: the controller writes status on the main resource.
    merge_patch(
        server,
        "wf",
        "argo",
        name,
        &json!({"status": {
            "phase": phase,
            "startedAt": "2026-01-01T00:00:00Z",
            "finishedAt": finished,
            "nodes": {name: {
                "id": name,
                "name": name,
                "displayName": name,
                "type": "Pod",
                "templateName": "hello",
                "phase": phase,
                "startedAt": "2026-01-01T00:00:00Z",
                "finishedAt": finished
            }}
        }}),
    );
}

#[test]
fn workflow_actions() {
    let server = Server::start(Backend::Embedded);
    let plugin = Plugin::for_server(&server);
    create_workflow(&server, "wf-run", "Running");
    create_workflow(&server, "wf-term", "Running");
    create_workflow(&server, "wf-failed", "Failed");
    let wf_field = |name: &str, pointer: &str| {
        get(&server, "wf", "argo", name)
            .pointer(pointer)
            .cloned()
            .unwrap_or(Value::Null)
    };

    let line = accepted(
        &server,
        plugin.direct(&["suspend", "wf", "wf-run", "-n", "argo"]),
    );
    assert_eq!(
        line,
        "workflow.argoproj.io/wf-run suspended (spec.suspend unset -> true)"
    );
    assert_eq!(wf_field("wf-run", "/spec/suspend"), json!(true));

    let line = accepted(
        &server,
        plugin.kubectl(KUBECTL, &["resume", "workflow", "wf-run", "-n", "argo"]),
    );
    assert!(
        line.starts_with("workflow.argoproj.io/wf-run resumed (spec.suspend true -> "),
        "{line}"
    );
    assert_ne!(wf_field("wf-run", "/spec/suspend"), json!(true));

    let line = accepted(
        &server,
        plugin.direct(&["stop", "wf", "wf-run", "-n", "argo"]),
    );
    assert!(
        line.starts_with("workflow.argoproj.io/wf-run stopped (spec.shutdown unset -> Stop"),
        "{line}"
    );
    assert_eq!(wf_field("wf-run", "/spec/shutdown"), json!("Stop"));

    let line = accepted(
        &server,
        plugin.kubectl(KUBECTL, &["terminate", "wf", "wf-term", "-n", "argo"]),
    );
    assert!(
        line.starts_with(
            "workflow.argoproj.io/wf-term terminated (spec.shutdown unset -> Terminate"
        ),
        "{line}"
    );
    assert_eq!(wf_field("wf-term", "/spec/shutdown"), json!("Terminate"));

    // resubmit: a new Workflow, named by the server, with the overridden parameter.
    let line = accepted(
        &server,
        plugin.kubectl(
            KUBECTL,
            &[
                "resubmit",
                "wf",
                "wf-failed",
                "-n",
                "argo",
                "-p",
                "message=again",
            ],
        ),
    );
    let new_name = line
        .strip_prefix("workflow.argoproj.io/")
        .and_then(|rest| rest.strip_suffix(" resubmitted from wf-failed"))
        .unwrap_or_else(|| panic!("{line}"))
        .to_string();
    assert!(new_name.starts_with("wf-failed-"), "{line}");
    let new = get(&server, "wf", "argo", &new_name);
    assert_eq!(
        new.pointer("/metadata/labels/workflows.argoproj.io~1resubmitted-from-workflow"),
        Some(&json!("wf-failed"))
    );
    assert_eq!(
        new.pointer("/spec/arguments/parameters/0"),
        Some(&json!({"name": "message", "value": "again"}))
    );

    // memoized, printing only the new name.
    let out = accepted(
        &server,
        plugin.direct(&[
            "resubmit",
            "wf",
            "wf-failed",
            "--memoized",
            "-n",
            "argo",
            "-o",
            "name",
        ]),
    );
    let memo_name = out
        .strip_prefix("workflow.argoproj.io/wf-failed-")
        .unwrap_or_else(|| panic!("{out}"));
    assert!(!memo_name.is_empty() && memo_name != &new_name["wf-failed-".len()..]);

    // retry reruns the failed workflow in place.
    let line = accepted(
        &server,
        plugin.direct(&["retry", "wf", "wf-failed", "-n", "argo"]),
    );
    assert!(
        line.starts_with("workflow.argoproj.io/wf-failed retried (status.phase Failed -> "),
        "{line}"
    );
    assert_ne!(wf_field("wf-failed", "/status/phase"), json!("Failed"));
}

#[test]
fn namespace_comes_from_the_context() {
    let server = Server::start(Backend::Embedded);
    let ro = fixture_as(&server, "rollout.yaml", "rollout.yaml", &[]);
    server.kubectl_ok(KUBECTL, &["apply", "-f", &ro]);

    // A copy of the kubeconfig whose current context has namespace `demo`, plus a second
    // context `other` in namespace `elsewhere`.
    let kubeconfig = server.dir.path().join("kubeconfig-demo");
    std::fs::copy(server.kubeconfig(), &kubeconfig).expect("copy kubeconfig");
    let config = |args: &[&str]| {
        let out = Command::new(kubectl_path(KUBECTL))
            .arg("--kubeconfig")
            .arg(&kubeconfig)
            .arg("config")
            .args(args)
            .output()
            .expect("kubectl config");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    config(&["set-context", "--current", "--namespace", "demo"]);
    let current = {
        let out = Command::new(kubectl_path(KUBECTL))
            .arg("--kubeconfig")
            .arg(&kubeconfig)
            .args(["config", "view", "--minify", "-o", "json"])
            .output()
            .expect("kubectl config view");
        parse_json(&String::from_utf8_lossy(&out.stdout))
    };
    let cluster = current
        .pointer("/contexts/0/context/cluster")
        .and_then(Value::as_str)
        .expect("cluster")
        .to_string();
    let user = current
        .pointer("/contexts/0/context/user")
        .and_then(Value::as_str)
        .expect("user")
        .to_string();
    config(&[
        "set-context",
        "other",
        "--cluster",
        &cluster,
        "--user",
        &user,
        "--namespace",
        "elsewhere",
    ]);
    let plugin = Plugin::in_dir(server.dir.path(), kubeconfig);

    // No -n: the context's namespace.
    let line = accepted(&server, plugin.direct(&["pause", "ro", "canary-demo"]));
    assert!(
        line.starts_with("rollout.argoproj.io/canary-demo paused"),
        "{line}"
    );
    let out = accepted(
        &server,
        plugin.kubectl(KUBECTL, &["resume", "ro", "canary-demo", "-o", "name"]),
    );
    assert_eq!(out, "rollout.argoproj.io/canary-demo");

    // --context switches to a context whose namespace has no such rollout ...
    let run = plugin.direct(&["pause", "ro", "canary-demo", "--context", "other"]);
    assert_eq!(run.code, Some(1), "{run:#?}");
    assert_eq!(
        run.stderr,
        "Error from server (NotFound): rollouts.argoproj.io \"canary-demo\" not found\n"
    );
    // ... and -n still wins over the context.
    let line = accepted(
        &server,
        plugin.direct(&[
            "pause",
            "ro",
            "canary-demo",
            "--context",
            "other",
            "-n",
            "demo",
        ]),
    );
    assert!(
        line.starts_with("rollout.argoproj.io/canary-demo paused"),
        "{line}"
    );
}
