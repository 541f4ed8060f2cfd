//! Server-side apply from kube-rs (`Patch::Apply`), as controllers use it: two field managers
//! on one Application, a conflict with its causes, force, removal of dropped fields, a keyed
//! list merged per item, dry run, and managedFields in watch events.

use std::time::Duration;

use argo_tests::{Backend, Server};
use futures::StreamExt;
use kube::api::{Api, Patch, PatchParams, WatchEvent, WatchParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::core::{ApiResource, DynamicObject, GroupVersionKind};
use kube::{Client, Config};
use serde_json::{Value, json};
use tokio::time::timeout;

async fn client(server: &Server) -> Client {
    let kubeconfig = Kubeconfig::read_from(server.kubeconfig()).expect("read kubeconfig");
    let config = Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default())
        .await
        .expect("kube config from kubeconfig");
    Client::try_from(config).expect("kube client")
}

fn api(client: Client, kind: &str, plural: &str, ns: &str) -> Api<DynamicObject> {
    let ar = ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("argoproj.io", "v1alpha1", kind),
        plural,
    );
    Api::namespaced_with(client, ns, &ar)
}

fn app(name: &str, spec: Value) -> Value {
    json!({
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {"name": name, "namespace": "argocd"},
        "spec": spec,
    })
}

fn full_spec(revision: &str) -> Value {
    json!({
        "project": "default",
        "destination": {"server": "https://kubernetes.default.svc", "namespace": "guestbook"},
        "source": {"repoURL": "https://example.com/repo.git", "path": "guestbook", "targetRevision": revision}
    })
}

/// Whether `manager`'s `operation` entry owns the FieldsV1 path.
fn owns(o: &DynamicObject, manager: &str, operation: &str, pointer: &str) -> bool {
    o.metadata.managed_fields.as_ref().is_some_and(|entries| {
        entries.iter().any(|e| {
            e.manager.as_deref() == Some(manager)
                && e.operation.as_deref() == Some(operation)
                && e.fields_v1
                    .as_ref()
                    .is_some_and(|f| f.0.pointer(pointer).is_some())
        })
    })
}

fn api_error(err: kube::Error) -> Box<kube::core::Status> {
    match err {
        kube::Error::Api(status) => status,
        other => panic!("expected an API error (Status), got {other:?}"),
    }
}

#[test]
fn server_side_apply_with_kube_rs() {
    let server = Server::start(Backend::Embedded);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let client = client(&server).await;
        let apps = api(client.clone(), "Application", "applications", "argocd");

        // A watch started first sees the managedFields in its events.
        let mut events = apps
            .watch(&WatchParams::default().fields("metadata.name=shared"), "0")
            .await
            .expect("watch")
            .boxed();

        // Two managers, different fields: both keep theirs.
        let deployer = PatchParams::apply("deployer");
        let created = apps
            .patch(
                "shared",
                &deployer,
                &Patch::Apply(app("shared", full_spec("HEAD"))),
            )
            .await
            .expect("deployer applies (creates)");
        assert!(owns(
            &created,
            "deployer",
            "Apply",
            "/f:spec/f:source/f:targetRevision"
        ));
        let tuner = PatchParams::apply("tuner");
        let tuned = apps
            .patch(
                "shared",
                &tuner,
                &Patch::Apply(app("shared", json!({"revisionHistoryLimit": 4}))),
            )
            .await
            .expect("tuner applies");
        assert_eq!(tuned.data["spec"]["revisionHistoryLimit"], 4);
        assert_eq!(tuned.data["spec"]["source"]["targetRevision"], "HEAD");
        assert!(owns(
            &tuned,
            "tuner",
            "Apply",
            "/f:spec/f:revisionHistoryLimit"
        ));
        assert!(owns(&tuned, "deployer", "Apply", "/f:spec/f:project"));

        let event = timeout(Duration::from_secs(30), async {
            loop {
                match events.next().await {
                    Some(Ok(WatchEvent::Modified(o))) => break o,
                    Some(Ok(_)) => continue,
                    other => panic!("watch ended: {other:?}"),
                }
            }
        })
        .await
        .expect("a MODIFIED event");
        assert!(owns(
            &event,
            "tuner",
            "Apply",
            "/f:spec/f:revisionHistoryLimit"
        ));

        // The tuner touching the deployer's field: 409 with one cause per field.
        let mut stolen = full_spec("v2");
        stolen["revisionHistoryLimit"] = json!(4);
        let err = api_error(
            apps.patch(
                "shared",
                &tuner,
                &Patch::Apply(app("shared", stolen.clone())),
            )
            .await
            .expect_err("conflict"),
        );
        assert_eq!(err.code, 409);
        assert_eq!(err.reason, "Conflict");
        let causes = err.details.expect("details").causes;
        // Fields applied with the same value are shared, not conflicts: only the changed one.
        let fields: Vec<&str> = causes.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, [".spec.source.targetRevision"]);
        assert_eq!(
            err.message,
            "Apply failed with 1 conflict: conflict with \"deployer\": .spec.source.targetRevision"
        );
        assert!(causes.iter().all(
            |c| c.reason == "FieldManagerConflict" && c.message == "conflict with \"deployer\""
        ));

        // Forced: ownership of the changed field moves; shared values are co-owned.
        let forced = apps
            .patch(
                "shared",
                &tuner.clone().force(),
                &Patch::Apply(app("shared", stolen)),
            )
            .await
            .expect("forced");
        assert_eq!(forced.data["spec"]["source"]["targetRevision"], "v2");
        assert!(owns(
            &forced,
            "tuner",
            "Apply",
            "/f:spec/f:source/f:targetRevision"
        ));
        assert!(!owns(
            &forced,
            "deployer",
            "Apply",
            "/f:spec/f:source/f:targetRevision"
        ));
        assert!(owns(&forced, "deployer", "Apply", "/f:spec/f:project"));

        // The tuner drops revisionHistoryLimit: nobody else owns it, so it goes.
        let dropped = apps
            .patch(
                "shared",
                &tuner,
                &Patch::Apply(app("shared", full_spec("v2"))),
            )
            .await
            .expect("tuner drops a field");
        assert!(
            dropped.data["spec"].get("revisionHistoryLimit").is_none(),
            "{:?}",
            dropped.data
        );

        // Dry run: answered, not stored.
        let dry = apps
            .patch(
                "shared",
                &PatchParams::apply("tuner").dry_run(),
                &Patch::Apply(app("shared", full_spec("v9"))),
            )
            .await
            .expect("dry run");
        assert_eq!(dry.data["spec"]["source"]["targetRevision"], "v9");
        let live = apps.get("shared").await.expect("get");
        assert_eq!(live.data["spec"]["source"]["targetRevision"], "v2");

        // A keyed list (Rollout analysis args, keyed by name) merges per item.
        let rollouts = api(client.clone(), "Rollout", "rollouts", "shop");
        let rollout = |args: Value| {
            json!({
                "apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
                "metadata": {"name": "web", "namespace": "shop"},
                "spec": {"strategy": {"canary": {"analysis": {"args": args}}}}
            })
        };
        let mut base = rollout(json!([{"name": "env", "value": "prod"}]));
        base["spec"]["selector"] = json!({"matchLabels": {"app": "web"}});
        base["spec"]["template"] = json!({
            "metadata": {"labels": {"app": "web"}},
            "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}
        });
        base["spec"]["strategy"]["canary"]["analysis"]["templates"] =
            json!([{"templateName": "success-rate"}]);
        rollouts
            .patch("web", &PatchParams::apply("team-a"), &Patch::Apply(base))
            .await
            .expect("team-a");
        let merged = rollouts
            .patch(
                "web",
                &PatchParams::apply("team-b"),
                &Patch::Apply(rollout(json!([{"name": "region", "value": "eu"}]))),
            )
            .await
            .expect("team-b");
        assert_eq!(
            merged.data["spec"]["strategy"]["canary"]["analysis"]["args"],
            json!([{"name": "env", "value": "prod"}, {"name": "region", "value": "eu"}])
        );

        // Apply to the status subresource: only status, recorded with subresource status.
        let status = rollouts
            .patch_status(
                "web",
                &PatchParams::apply("rollouts-controller"),
                &Patch::Apply(json!({
                    "apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
                    "metadata": {"name": "web", "namespace": "shop"},
                    "status": {"phase": "Healthy"}
                })),
            )
            .await
            .expect("status apply");
        assert_eq!(status.data["status"]["phase"], "Healthy");
        let entry = status
            .metadata
            .managed_fields
            .as_ref()
            .and_then(|m| {
                m.iter()
                    .find(|e| e.manager.as_deref() == Some("rollouts-controller"))
            })
            .expect("status entry");
        assert_eq!(entry.subresource.as_deref(), Some("status"));
        assert!(owns(&status, "team-a", "Apply", "/f:spec/f:template"));
    });
}
