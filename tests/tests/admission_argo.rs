//! In-process admission of the Argo CD kinds, as a kubectl user meets it: an Application must fit
//! its AppProject (422 with upstream's messages and field paths), a missing project is accepted
//! with a Warning and an `InvalidSpecError` condition (GitOps apply order does not matter),
//! `project: ""` is the default project, an operation in a create is dropped; AppProjects are
//! validated, `default` exists from the start and cannot be deleted, a project in use cannot be
//! deleted nor changed so that its Applications stop fitting it.

use argo_tests::{Backend, Server, write_file};

const V: &str = "1.33";

fn app(name: &str, project: &str, repo: &str, namespace: &str) -> String {
    format!(
        r#"apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: {name}
  namespace: argocd
spec:
  project: "{project}"
  destination:
    server: https://kubernetes.default.svc
    namespace: {namespace}
  source:
    repoURL: {repo}
    path: guestbook
    targetRevision: HEAD
"#
    )
}

fn project(name: &str, repos: &[&str], namespaces: &[&str]) -> String {
    let repos: String = repos.iter().map(|r| format!("  - '{r}'\n")).collect();
    let dests: String = namespaces
        .iter()
        .map(|n| format!("  - server: https://kubernetes.default.svc\n    namespace: '{n}'\n"))
        .collect();
    format!(
        "apiVersion: argoproj.io/v1alpha1\nkind: AppProject\nmetadata:\n  name: {name}\n  namespace: argocd\nspec:\n  sourceRepos:\n{repos}  destinations:\n{dests}"
    )
}

fn apply(s: &Server, file: &str, yaml: &str) -> std::process::Output {
    let path = write_file(s, file, yaml);
    s.kubectl(V, &["apply", "-f", &path.to_string_lossy()])
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn applications_must_fit_their_project() {
    let s = Server::start(Backend::Embedded);

    // The default project is there from the first start, as upstream's API server makes it.
    let default = s.kubectl_json(V, &["get", "appproject", "default", "-n", "argocd"]);
    assert_eq!(default["spec"]["sourceRepos"], serde_json::json!(["*"]));

    let out = apply(
        &s,
        "team.yaml",
        &project("team", &["https://github.com/team/*"], &["team-*"]),
    );
    assert!(out.status.success(), "{}", stderr(&out));

    // Permitted source and destination.
    let out = apply(
        &s,
        "ok.yaml",
        &app("ok", "team", "https://github.com/team/web", "team-web"),
    );
    assert!(out.status.success(), "{}", stderr(&out));

    // A repository the project does not list: 422 naming it, at spec.source.repoURL.
    let out = apply(
        &s,
        "badrepo.yaml",
        &app("badrepo", "team", "https://github.com/evil/web", "team-web"),
    );
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("The Application \"badrepo\" is invalid")
            && err.contains("spec.source.repoURL")
            && err.contains(
                "application repo https://github.com/evil/web is not permitted in project 'team'"
            ),
        "{err}"
    );
    // A destination namespace outside the project's.
    let out = apply(
        &s,
        "baddest.yaml",
        &app("baddest", "team", "https://github.com/team/web", "prod"),
    );
    let err = stderr(&out);
    assert!(
        !out.status.success()
            && err.contains("spec.destination")
            && err.contains("do not match any of the allowed destinations in project 'team'"),
        "{err}"
    );
    // Nothing half-written: the refused applications do not exist.
    let err = s.kubectl_err(V, &["get", "app", "badrepo", "-n", "argocd"]);
    assert!(err.contains("NotFound"), "{err}");

    // An empty project is the default project.
    let out = apply(
        &s,
        "dflt.yaml",
        &app("dflt", "", "https://example.com/any.git", "anywhere"),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let p = s.kubectl_ok(
        V,
        &[
            "get",
            "app",
            "dflt",
            "-n",
            "argocd",
            "-o",
            "jsonpath={.spec.project}",
        ],
    );
    assert_eq!(p, "default");

    // A remote cluster named, not addressed by URL: the default project's `server: "*"`
    // permits it whatever its URL is.
    let named = app("remote", "default", "https://example.com/any.git", "web").replace(
        "    server: https://kubernetes.default.svc\n",
        "    name: prod\n",
    );
    assert!(named.contains("name: prod"));
    let out = apply(&s, "remote.yaml", &named);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn a_missing_project_is_a_warning_and_a_condition_until_it_exists() {
    let s = Server::start(Backend::Embedded);
    let out = apply(
        &s,
        "early.yaml",
        &app("early", "later", "https://github.com/team/web", "team-web"),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out)
            .contains("Warning: Application referencing project later which does not exist"),
        "{}",
        stderr(&out)
    );
    let cond = s.kubectl_json(V, &["get", "app", "early", "-n", "argocd"]);
    let conditions = &cond["status"]["conditions"];
    assert_eq!(conditions[0]["type"], "InvalidSpecError", "{cond}");
    assert_eq!(
        conditions[0]["message"],
        "Application referencing project later which does not exist"
    );

    // The project arrives; the next apply of the Application clears the condition.
    let out = apply(&s, "later.yaml", &project("later", &["*"], &["team-*"]));
    assert!(out.status.success(), "{}", stderr(&out));
    let out = apply(
        &s,
        "early2.yaml",
        &app("early", "later", "https://github.com/team/web2", "team-web"),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains("does not exist"), "{}", stderr(&out));
    let now = s.kubectl_json(V, &["get", "app", "early", "-n", "argocd"]);
    assert!(now["status"]["conditions"].is_null(), "{now}");

    // An Application outside the control-plane namespace whose project does not list that
    // namespace in sourceNamespaces: accepted, with upstream's condition.
    let yaml = app(
        "elsewhere",
        "later",
        "https://github.com/team/web",
        "team-web",
    )
    .replace("namespace: argocd", "namespace: team-apps");
    let out = apply(&s, "elsewhere.yaml", &yaml);
    assert!(out.status.success(), "{}", stderr(&out));
    let expected =
        "application 'elsewhere' in namespace 'team-apps' is not allowed to use project later";
    assert!(stderr(&out).contains(expected), "{}", stderr(&out));
    let got = s.kubectl_json(V, &["get", "app", "elsewhere", "-n", "team-apps"]);
    assert_eq!(got["status"]["conditions"][0]["message"], expected, "{got}");
}

#[test]
fn an_operation_in_a_create_is_dropped_with_a_warning() {
    let s = Server::start(Backend::Embedded);
    let yaml = format!(
        "{}operation:\n  sync:\n    revision: HEAD\n  initiatedBy:\n    username: mallory\n",
        app("op", "default", "https://example.com/r.git", "x")
    );
    let out = apply(&s, "op.yaml", &yaml);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("operation dropped"),
        "{}",
        stderr(&out)
    );
    let got = s.kubectl_json(V, &["get", "app", "op", "-n", "argocd"]);
    assert!(got["operation"].is_null(), "{got}");
}

#[test]
fn projects_are_validated_and_protected_while_in_use() {
    let s = Server::start(Backend::Embedded);

    // The default project cannot be deleted.
    let err = s.kubectl_err(V, &["delete", "appproject", "default", "-n", "argocd"]);
    assert!(
        err.contains("Forbidden")
            && err.contains("name 'default' is reserved and cannot be deleted"),
        "{err}"
    );

    // Upstream's project rules: `!*` is not a destination, policies must be well formed.
    let bad = "apiVersion: argoproj.io/v1alpha1\nkind: AppProject\nmetadata:\n  name: bad\n  namespace: argocd\nspec:\n  destinations:\n  - server: '!*'\n    namespace: x\n  roles:\n  - name: ci\n    policies:\n    - p, proj:other:ci, applications, sync, bad/*, allow\n";
    let out = apply(&s, "bad.yaml", bad);
    let err = stderr(&out);
    assert!(!out.status.success(), "{err}");
    assert!(
        err.contains("The AppProject \"bad\" is invalid") && err.contains("spec.destinations[0]"),
        "{err}"
    );
    assert!(err.contains("spec.roles[0]"), "{err}");

    // A project used by two Applications: deleting it is refused, naming how many.
    assert!(
        apply(&s, "team.yaml", &project("team", &["*"], &["team-*"]))
            .status
            .success()
    );
    for name in ["one", "two"] {
        let out = apply(
            &s,
            &format!("{name}.yaml"),
            &app(name, "team", "https://github.com/team/web", "team-web"),
        );
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let err = s.kubectl_err(V, &["delete", "appproject", "team", "-n", "argocd"]);
    assert!(
        err.contains("Conflict") && err.contains("project is referenced by 2 applications"),
        "{err}"
    );

    // Narrowing the destinations so both Applications stop fitting: refused, counted.
    let out = apply(&s, "team2.yaml", &project("team", &["*"], &["other-*"]));
    let err = stderr(&out);
    assert!(!out.status.success(), "{err}");
    assert!(
        err.contains("as a result of project update 2 applications destination became invalid"),
        "{err}"
    );
    // The stored project is the old one.
    let p = s.kubectl_json(V, &["get", "appproject", "team", "-n", "argocd"]);
    assert_eq!(p["spec"]["destinations"][0]["namespace"], "team-*");

    // Once the Applications are gone, the project can go.
    s.kubectl_ok(V, &["delete", "app", "one", "two", "-n", "argocd"]);
    let mut deleted = false;
    for _ in 0..50 {
        if s.kubectl(V, &["delete", "appproject", "team", "-n", "argocd"])
            .status
            .success()
        {
            deleted = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(
        deleted,
        "the project stayed referenced after its applications were deleted"
    );
}
