//! The shortest path a newcomer takes: start the server, create an Application, read it back.

use argo_tests::{Backend, KUBECTL_VERSIONS, Server, write_file};

fn create_and_read(backend: Backend) {
    let server = Server::start(backend);
    let manifest = write_file(
        &server,
        "app.yaml",
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: guestbook\n  namespace: argocd\nspec:\n  project: default\n  destination:\n    server: https://kubernetes.default.svc\n    namespace: guestbook\n  source:\n    repoURL: https://github.com/argoproj/argocd-example-apps\n    path: guestbook\n",
    );
    let path = manifest.to_string_lossy().into_owned();
    for v in KUBECTL_VERSIONS {
        let out = server.kubectl_ok(v, &["apply", "-f", &path]);
        assert!(out.contains("application.argoproj.io/guestbook"), "{out}");
        let name = server.kubectl_ok(
            v,
            &[
                "get",
                "applications",
                "-n",
                "argocd",
                "guestbook",
                "-o",
                "jsonpath={.metadata.name}/{.spec.project}",
            ],
        );
        assert_eq!(name, "guestbook/default");
    }
}

#[test]
fn embedded_store() {
    create_and_read(Backend::Embedded);
}

#[test]
fn etcd_store() {
    create_and_read(Backend::Etcd);
}
