//! managedFields and server-side apply through the generic store: what a client sees in the
//! object and in the refusals, for every write verb.

// Errors are the whole Status, as the registry answers them.
#![allow(clippy::result_large_err)]

use std::sync::Arc;

use argo_apiserver_core::ApiError;
use argo_apiserver_core::params::{
    DeleteOptions, FieldValidation, PatchOptions, PatchType, ReadMode, WriteOptions,
};
use argo_apiserver_registry::{
    Clock, DeleteResult, KindStore, Registry, RegistryOptions, Subresource, WriteResult,
};
use argo_apiserver_storage::Store;
use argo_apiserver_storage::embedded::{EmbeddedOptions, EmbeddedStore};
use serde_json::{Value, json};

const NOW: &str = "2026-01-02T03:04:05Z";

/// A clock that never moves, so entry times are exact.
struct Fixed;

impl Clock for Fixed {
    fn now(&self) -> jiff::Timestamp {
        NOW.parse().expect("timestamp")
    }
}

struct Fixture {
    registry: Arc<Registry>,
    _dir: tempfile::TempDir,
}

async fn registry() -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    let store: Arc<dyn Store> = Arc::new(
        EmbeddedStore::open(&dir.path().join("db"), EmbeddedOptions::default()).expect("open"),
    );
    let opts = RegistryOptions {
        clock: Arc::new(Fixed),
        ..RegistryOptions::default()
    };
    Fixture {
        registry: Registry::new(store, opts),
        _dir: dir,
    }
}

fn app() -> Value {
    json!({
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {"name": "a", "namespace": "argocd", "labels": {"team": "web"}},
        "spec": {
            "project": "default",
            "destination": {"server": "https://kubernetes.default.svc", "namespace": "guestbook"},
            "source": {"repoURL": "https://example.com/repo.git", "path": "guestbook"}
        }
    })
}

fn rollout() -> Value {
    json!({
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Rollout",
        "metadata": {"name": "r", "namespace": "default"},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": "r"}},
            "template": {
                "metadata": {"labels": {"app": "r"}},
                "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}
            },
            "strategy": {"canary": {"steps": [{"setWeight": 20}]}}
        }
    })
}

fn parse(b: &[u8]) -> Value {
    serde_json::from_slice(b).expect("json")
}

fn obj(r: WriteResult) -> Value {
    parse(&r.object)
}

fn as_manager(m: &str) -> WriteOptions {
    WriteOptions {
        field_manager: Some(m.into()),
        ..WriteOptions::default()
    }
}

fn apply_opts(m: &str, force: bool) -> PatchOptions {
    PatchOptions {
        field_manager: Some(m.into()),
        force,
        ..PatchOptions::default()
    }
}

async fn apply(
    kind: &KindStore,
    ns: &str,
    name: &str,
    config: &Value,
    opts: &PatchOptions,
    sub: Subresource,
) -> Result<WriteResult, ApiError> {
    let body = serde_json::to_vec(config).expect("json");
    kind.patch(Some(ns), name, PatchType::Apply, &body, opts, sub)
        .await
}

async fn stored(kind: &KindStore, ns: &str, name: &str) -> Value {
    parse(
        &kind
            .get(Some(ns), name, ReadMode::Consistent)
            .await
            .expect("get"),
    )
}

/// The entry of `manager` with `operation`, if any.
fn entry<'a>(o: &'a Value, manager: &str, operation: &str) -> Option<&'a Value> {
    o["metadata"]["managedFields"]
        .as_array()?
        .iter()
        .find(|e| e["manager"] == manager && e["operation"] == operation)
}

/// Whether `manager`'s `operation` entry owns the FieldsV1 path (e.g. `/f:spec/f:project`).
fn owns(o: &Value, manager: &str, operation: &str, pointer: &str) -> bool {
    entry(o, manager, operation)
        .and_then(|e| e["fieldsV1"].pointer(pointer))
        .is_some()
}

#[tokio::test]
async fn create_records_an_update_entry_for_the_creator() {
    let f = registry().await;
    let apps = f.registry.kind("applications").expect("kind");
    let created = obj(apps
        .create(Some("argocd"), app(), &as_manager("kubectl-create"))
        .await
        .expect("create"));
    let e = entry(&created, "kubectl-create", "Update").expect("the creator's entry");
    assert_eq!(e["apiVersion"], "argoproj.io/v1alpha1");
    assert_eq!(e["fieldsType"], "FieldsV1");
    assert_eq!(e["time"], NOW);
    assert!(e.get("subresource").is_none(), "{e}");
    for p in [
        "/f:spec/f:project",
        "/f:spec/f:source/f:path",
        "/f:metadata/f:labels/f:team",
    ] {
        assert!(owns(&created, "kubectl-create", "Update", p), "{p} in {e}");
    }
    // Server-set fields are nobody's.
    assert!(!owns(
        &created,
        "kubectl-create",
        "Update",
        "/f:metadata/f:uid"
    ));
    // What is stored is what was answered.
    let got = stored(apps, "argocd", "a").await;
    assert_eq!(
        got["metadata"]["managedFields"],
        created["metadata"]["managedFields"]
    );

    // Without a manager (no fieldManager and no User-Agent), the server's name is used.
    let mut b = app();
    b["metadata"]["name"] = json!("b");
    let b = obj(apps
        .create(Some("argocd"), b, &WriteOptions::default())
        .await
        .expect("create"));
    assert!(entry(&b, "argo-apiserver", "Update").is_some(), "{b}");
}

#[tokio::test]
async fn apply_creates_and_two_managers_keep_their_fields() {
    let f = registry().await;
    let apps = f.registry.kind("applications").expect("kind");
    let first = apply(
        apps,
        "argocd",
        "a",
        &app(),
        &apply_opts("alice", false),
        Subresource::Main,
    )
    .await
    .expect("apply creates");
    assert!(first.created, "an apply that creates answers 201");
    let first = obj(first);
    assert_eq!(first["metadata"]["generation"], 1);
    assert!(
        first["metadata"]["uid"]
            .as_str()
            .is_some_and(|u| !u.is_empty())
    );
    assert!(
        owns(&first, "alice", "Apply", "/f:spec/f:project"),
        "{first}"
    );

    let bob = json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
        "metadata": {"name": "a", "namespace": "argocd", "annotations": {"owner": "bob"}},
        "spec": {"revisionHistoryLimit": 3}
    });
    let second = apply(
        apps,
        "argocd",
        "a",
        &bob,
        &apply_opts("bob", false),
        Subresource::Main,
    )
    .await
    .expect("bob applies");
    assert!(!second.created);
    let second = obj(second);
    assert_eq!(second["spec"]["revisionHistoryLimit"], 3);
    assert_eq!(second["spec"]["project"], "default", "alice's fields stay");
    assert_eq!(second["metadata"]["labels"]["team"], "web");
    assert!(owns(
        &second,
        "bob",
        "Apply",
        "/f:spec/f:revisionHistoryLimit"
    ));
    assert!(owns(&second, "alice", "Apply", "/f:spec/f:project"));

    // Alice re-applies her configuration: bob's fields stay, nothing else moves.
    let again = obj(apply(
        apps,
        "argocd",
        "a",
        &app(),
        &apply_opts("alice", false),
        Subresource::Main,
    )
    .await
    .expect("alice again"));
    assert_eq!(again["spec"]["revisionHistoryLimit"], 3);
    assert_eq!(again["metadata"]["annotations"]["owner"], "bob");
    assert_eq!(
        again["metadata"]["resourceVersion"], second["metadata"]["resourceVersion"],
        "re-applying the same configuration is a no-op"
    );
}

#[tokio::test]
async fn conflicts_name_the_other_manager_and_force_moves_ownership() {
    let f = registry().await;
    let apps = f.registry.kind("applications").expect("kind");
    apply(
        apps,
        "argocd",
        "a",
        &app(),
        &apply_opts("alice", false),
        Subresource::Main,
    )
    .await
    .expect("alice");
    let one = json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
        "metadata": {"name": "a", "namespace": "argocd"},
        "spec": {"project": "other"}
    });
    let e = apply(
        apps,
        "argocd",
        "a",
        &one,
        &apply_opts("bob", false),
        Subresource::Main,
    )
    .await
    .expect_err("conflict");
    assert_eq!(e.code(), 409);
    assert_eq!(e.reason(), "Conflict");
    assert_eq!(
        e.status.message,
        "Apply failed with 1 conflict: conflict with \"alice\": .spec.project"
    );
    let causes = serde_json::to_value(&e.status).expect("status")["details"]["causes"].clone();
    assert_eq!(
        causes,
        json!([{"reason": "FieldManagerConflict",
                "message": "conflict with \"alice\"",
                "field": ".spec.project"}])
    );
    assert_eq!(
        stored(apps, "argocd", "a").await["spec"]["project"],
        "default"
    );

    let mut two = one.clone();
    two["spec"]["source"] = json!({"path": "elsewhere"});
    let e = apply(
        apps,
        "argocd",
        "a",
        &two,
        &apply_opts("bob", false),
        Subresource::Main,
    )
    .await
    .expect_err("conflicts");
    assert_eq!(
        e.status.message,
        "Apply failed with 2 conflicts: conflicts with \"alice\":\n- .spec.project\n- .spec.source.path"
    );

    // Force: bob takes both fields, alice keeps the rest.
    let forced = obj(apply(
        apps,
        "argocd",
        "a",
        &two,
        &apply_opts("bob", true),
        Subresource::Main,
    )
    .await
    .expect("force"));
    assert_eq!(forced["spec"]["project"], "other");
    assert_eq!(forced["spec"]["source"]["path"], "elsewhere");
    assert_eq!(
        forced["spec"]["source"]["repoURL"],
        "https://example.com/repo.git"
    );
    assert!(owns(&forced, "bob", "Apply", "/f:spec/f:project"));
    assert!(!owns(&forced, "alice", "Apply", "/f:spec/f:project"));
    assert!(owns(
        &forced,
        "alice",
        "Apply",
        "/f:spec/f:source/f:repoURL"
    ));

    // Same value, no conflict: both own it.
    let same = json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
        "metadata": {"name": "a", "namespace": "argocd"},
        "spec": {"source": {"repoURL": "https://example.com/repo.git"}}
    });
    let shared = obj(apply(
        apps,
        "argocd",
        "a",
        &same,
        &apply_opts("carol", false),
        Subresource::Main,
    )
    .await
    .expect("same value"));
    assert!(owns(
        &shared,
        "carol",
        "Apply",
        "/f:spec/f:source/f:repoURL"
    ));
    assert!(owns(
        &shared,
        "alice",
        "Apply",
        "/f:spec/f:source/f:repoURL"
    ));
}

#[tokio::test]
async fn fields_dropped_from_the_configuration_are_removed_unless_someone_else_owns_them() {
    let f = registry().await;
    let apps = f.registry.kind("applications").expect("kind");
    let mut config = app();
    config["spec"]["revisionHistoryLimit"] = json!(5);
    apply(
        apps,
        "argocd",
        "a",
        &config,
        &apply_opts("alice", false),
        Subresource::Main,
    )
    .await
    .expect("alice");
    // Carol applies the same revisionHistoryLimit: shared ownership.
    let carol = json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
        "metadata": {"name": "a", "namespace": "argocd"},
        "spec": {"revisionHistoryLimit": 5}
    });
    apply(
        apps,
        "argocd",
        "a",
        &carol,
        &apply_opts("carol", false),
        Subresource::Main,
    )
    .await
    .expect("carol");

    // Alice drops the label and revisionHistoryLimit.
    let mut smaller = app();
    smaller["metadata"]
        .as_object_mut()
        .unwrap()
        .remove("labels");
    let after = obj(apply(
        apps,
        "argocd",
        "a",
        &smaller,
        &apply_opts("alice", false),
        Subresource::Main,
    )
    .await
    .expect("smaller"));
    assert!(
        after["metadata"]
            .get("labels")
            .is_none_or(|l| l.get("team").is_none()),
        "the label only alice owned is gone: {after}"
    );
    assert_eq!(
        after["spec"]["revisionHistoryLimit"], 5,
        "carol still owns revisionHistoryLimit"
    );
    assert!(!owns(
        &after,
        "alice",
        "Apply",
        "/f:spec/f:revisionHistoryLimit"
    ));
    let got = stored(apps, "argocd", "a").await;
    assert!(
        got["metadata"]
            .get("labels")
            .is_none_or(|l| l.get("team").is_none())
    );
}

#[tokio::test]
async fn list_maps_merge_by_key_and_atomic_lists_conflict() {
    let f = registry().await;
    let ros = f.registry.kind("rollouts").expect("kind");
    let mut base = rollout();
    base["spec"]["strategy"]["canary"]["analysis"] =
        json!({"templates": [{"templateName": "t"}], "args": [{"name": "a", "value": "1"}]});
    apply(
        ros,
        "default",
        "r",
        &base,
        &apply_opts("alice", false),
        Subresource::Main,
    )
    .await
    .expect("alice");

    // args is a map-list keyed by name: bob's item joins alice's.
    let bob = json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
        "metadata": {"name": "r", "namespace": "default"},
        "spec": {"strategy": {"canary": {"analysis": {"args": [{"name": "b", "value": "2"}]}}}}
    });
    let merged = obj(apply(
        ros,
        "default",
        "r",
        &bob,
        &apply_opts("bob", false),
        Subresource::Main,
    )
    .await
    .expect("bob"));
    let args = &merged["spec"]["strategy"]["canary"]["analysis"]["args"];
    assert_eq!(
        args,
        &json!([{"name": "a", "value": "1"}, {"name": "b", "value": "2"}])
    );
    assert!(owns(
        &merged,
        "bob",
        "Apply",
        "/f:spec/f:strategy/f:canary/f:analysis/f:args/k:{\"name\":\"b\"}"
    ));

    // steps is atomic: another manager's steps conflict as a whole, and force replaces them.
    let steps = json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
        "metadata": {"name": "r", "namespace": "default"},
        "spec": {"strategy": {"canary": {"steps": [{"setWeight": 50}, {"pause": {}}]}}}
    });
    let e = apply(
        ros,
        "default",
        "r",
        &steps,
        &apply_opts("bob", false),
        Subresource::Main,
    )
    .await
    .expect_err("atomic list conflict");
    assert_eq!(e.code(), 409);
    assert!(
        e.status.message.contains(".spec.strategy.canary.steps"),
        "{}",
        e.status.message
    );
    let forced = obj(apply(
        ros,
        "default",
        "r",
        &steps,
        &apply_opts("bob", true),
        Subresource::Main,
    )
    .await
    .expect("force"));
    assert_eq!(
        forced["spec"]["strategy"]["canary"]["steps"],
        json!([{"setWeight": 50}, {"pause": {}}])
    );
}

#[tokio::test]
async fn managed_fields_survive_puts_patches_and_status_writes() {
    let f = registry().await;
    let ros = f.registry.kind("rollouts").expect("kind");
    let created = obj(apply(
        ros,
        "default",
        "r",
        &rollout(),
        &apply_opts("alice", false),
        Subresource::Main,
    )
    .await
    .expect("alice"));

    // A PUT that leaves managedFields out keeps the stored ones and adds the writer's.
    let mut put = created.clone();
    put["metadata"]
        .as_object_mut()
        .unwrap()
        .remove("managedFields");
    put["spec"]["paused"] = json!(true);
    let after_put = obj(ros
        .update(
            Some("default"),
            "r",
            put,
            &as_manager("kubectl-replace"),
            Subresource::Main,
        )
        .await
        .expect("put"));
    assert!(owns(&after_put, "alice", "Apply", "/f:spec/f:replicas"));
    assert!(owns(
        &after_put,
        "kubectl-replace",
        "Update",
        "/f:spec/f:paused"
    ));
    assert!(!owns(
        &after_put,
        "kubectl-replace",
        "Update",
        "/f:spec/f:replicas"
    ));

    // A merge patch records its manager too.
    let patched = obj(ros
        .patch(
            Some("default"),
            "r",
            PatchType::Merge,
            br#"{"metadata":{"labels":{"edited":"yes"}}}"#,
            &PatchOptions {
                field_manager: Some("kubectl-edit".into()),
                ..PatchOptions::default()
            },
            Subresource::Main,
        )
        .await
        .expect("merge patch"));
    assert!(owns(
        &patched,
        "kubectl-edit",
        "Update",
        "/f:metadata/f:labels/f:edited"
    ));

    // A status write: an entry with subresource status, owning status only; the rest stays.
    let mut st = patched.clone();
    st["status"] = json!({"phase": "Healthy", "HPAReplicas": 2});
    st["spec"]["replicas"] = json!(9);
    let after_status = obj(ros
        .update(
            Some("default"),
            "r",
            st,
            &as_manager("rollouts-controller"),
            Subresource::Status,
        )
        .await
        .expect("status"));
    assert_eq!(after_status["spec"]["replicas"], 2);
    let e = entry(&after_status, "rollouts-controller", "Update").expect("status entry");
    assert_eq!(e["subresource"], "status");
    assert!(e["fieldsV1"].pointer("/f:status/f:phase").is_some(), "{e}");
    assert!(e["fieldsV1"].pointer("/f:spec").is_none(), "{e}");
    assert!(owns(&after_status, "alice", "Apply", "/f:spec/f:replicas"));
    assert!(owns(
        &after_status,
        "kubectl-edit",
        "Update",
        "/f:metadata/f:labels/f:edited"
    ));

    // Apply to /status: only status takes effect, recorded with subresource status.
    let status_config = json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
        "metadata": {"name": "r", "namespace": "default"},
        "spec": {"replicas": 7},
        "status": {"message": "applied"}
    });
    let applied = obj(apply(
        ros,
        "default",
        "r",
        &status_config,
        &apply_opts("status-applier", false),
        Subresource::Status,
    )
    .await
    .expect("status apply"));
    assert_eq!(applied["status"]["message"], "applied");
    assert_eq!(applied["spec"]["replicas"], 2);
    let e = entry(&applied, "status-applier", "Apply").expect("status apply entry");
    assert_eq!(e["subresource"], "status");
    assert!(e["fieldsV1"].pointer("/f:spec").is_none(), "{e}");

    // Apply to the status of a missing object does not create it.
    let mut missing = status_config.clone();
    missing["metadata"]["name"] = json!("nope");
    let e = apply(
        ros,
        "default",
        "nope",
        &missing,
        &apply_opts("x", false),
        Subresource::Status,
    )
    .await
    .expect_err("missing");
    assert_eq!(e.code(), 404);

    // A delete that waits on finalizers leaves managedFields as they were.
    let mut fin = stored(ros, "default", "r").await;
    fin["metadata"]["finalizers"] = json!(["example.com/hold"]);
    let held = obj(ros
        .update(
            Some("default"),
            "r",
            fin,
            &as_manager("kubectl-edit"),
            Subresource::Main,
        )
        .await
        .expect("finalizer"));
    match ros
        .delete(Some("default"), "r", &DeleteOptions::default())
        .await
        .expect("delete")
    {
        DeleteResult::Pending { object, .. } => {
            let marked = parse(&object);
            assert_eq!(
                marked["metadata"]["managedFields"],
                held["metadata"]["managedFields"]
            );
        }
        DeleteResult::Deleted(_) => panic!("finalizers hold the delete"),
    }
}

#[tokio::test]
async fn empty_managed_fields_in_a_put_reset_ownership() {
    let f = registry().await;
    let apps = f.registry.kind("applications").expect("kind");
    let created = obj(apply(
        apps,
        "argocd",
        "a",
        &app(),
        &apply_opts("alice", false),
        Subresource::Main,
    )
    .await
    .expect("alice"));
    let mut put = created.clone();
    put["metadata"]["managedFields"] = json!([]);
    let after = obj(apps
        .update(
            Some("argocd"),
            "a",
            put,
            &as_manager("resetter"),
            Subresource::Main,
        )
        .await
        .expect("put"));
    assert!(entry(&after, "alice", "Apply").is_none(), "{after}");
    // With no managedFields at all, the next apply treats what is there as kube does: owned by
    // "before-first-apply", so changing a value conflicts with that, not with alice.
    let mut config = app();
    config["spec"]["project"] = json!("other");
    let e = apply(
        apps,
        "argocd",
        "a",
        &config,
        &apply_opts("bob", false),
        Subresource::Main,
    )
    .await
    .expect_err("conflict with the fields from before");
    assert_eq!(e.code(), 409);
    assert!(
        e.status
            .message
            .contains("conflict with \"before-first-apply\""),
        "{}",
        e.status.message
    );
    assert!(!e.status.message.contains("alice"), "{}", e.status.message);
}

#[tokio::test]
async fn scale_writes_own_replicas_with_subresource_scale() {
    let f = registry().await;
    let ros = f.registry.kind("rollouts").expect("kind");
    apply(
        ros,
        "default",
        "r",
        &rollout(),
        &apply_opts("alice", false),
        Subresource::Main,
    )
    .await
    .expect("alice");

    let scale_config = json!({
        "apiVersion": "autoscaling/v1", "kind": "Scale",
        "metadata": {"name": "r", "namespace": "default"},
        "spec": {"replicas": 4}
    });
    let body = serde_json::to_vec(&scale_config).unwrap();
    let e = ros
        .patch_scale(
            Some("default"),
            "r",
            PatchType::Apply,
            &body,
            &apply_opts("hpa", false),
        )
        .await
        .expect_err("alice owns spec.replicas");
    assert_eq!(e.code(), 409);
    assert_eq!(
        e.status.message,
        "Apply failed with 1 conflict: conflict with \"alice\": .spec.replicas"
    );
    let scale = ros
        .patch_scale(
            Some("default"),
            "r",
            PatchType::Apply,
            &body,
            &apply_opts("hpa", true),
        )
        .await
        .expect("forced scale apply");
    assert_eq!(scale["kind"], "Scale");
    assert_eq!(scale["spec"]["replicas"], 4);
    let got = stored(ros, "default", "r").await;
    assert_eq!(got["spec"]["replicas"], 4);
    let e = entry(&got, "hpa", "Apply").expect("hpa entry");
    assert_eq!(e["subresource"], "scale");
    assert_eq!(e["apiVersion"], "argoproj.io/v1alpha1");
    assert_eq!(e["fieldsV1"], json!({"f:spec": {"f:replicas": {}}}));
    assert!(!owns(&got, "alice", "Apply", "/f:spec/f:replicas"));

    // A PUT of the Scale is an Update with subresource scale.
    let mut put = ros.get_scale(Some("default"), "r").await.expect("scale");
    put["spec"]["replicas"] = json!(6);
    ros.update_scale(Some("default"), "r", put, &as_manager("kubectl-scale"))
        .await
        .expect("put scale");
    let got = stored(ros, "default", "r").await;
    let e = entry(&got, "kubectl-scale", "Update").expect("scale entry");
    assert_eq!(e["subresource"], "scale");
    assert_eq!(e["fieldsV1"], json!({"f:spec": {"f:replicas": {}}}));

    // A conflict through /scale is the Scale's, as kube's ScaleHandler reports it: the
    // Update manager at autoscaling/v1.
    let e = ros
        .patch_scale(
            Some("default"),
            "r",
            PatchType::Apply,
            &body,
            &apply_opts("hpa2", false),
        )
        .await
        .expect_err("kubectl-scale owns the replicas");
    assert_eq!(e.code(), 409);
    assert_eq!(
        e.status.message,
        "Apply failed with 1 conflict: conflict with \"kubectl-scale\" with subresource \"scale\" using autoscaling/v1: .spec.replicas"
    );
    let causes = &e.status.details.as_ref().expect("details").causes;
    assert_eq!(
        causes[0].message,
        "conflict with \"kubectl-scale\" with subresource \"scale\" using autoscaling/v1"
    );
    assert_eq!(causes[0].field, ".spec.replicas");

    // An action records the server's manager.
    ros.update_with(Some("default"), "r", false, None, |o| {
        o["spec"]["paused"] = json!(true);
        Ok(())
    })
    .await
    .expect("action");
    let got = stored(ros, "default", "r").await;
    assert!(
        owns(&got, "argo-apiserver", "Update", "/f:spec/f:paused"),
        "{got}"
    );
}

#[tokio::test]
async fn dry_run_apply_writes_nothing() {
    let f = registry().await;
    let apps = f.registry.kind("applications").expect("kind");
    let dry = PatchOptions {
        dry_run: true,
        ..apply_opts("alice", false)
    };
    let r = apply(apps, "argocd", "a", &app(), &dry, Subresource::Main)
        .await
        .expect("dry-run create");
    assert!(r.created);
    let o = obj(r);
    assert_eq!(o["metadata"]["resourceVersion"], "");
    assert!(entry(&o, "alice", "Apply").is_some());
    let e = apps
        .get(Some("argocd"), "a", ReadMode::Consistent)
        .await
        .expect_err("nothing stored");
    assert_eq!(e.code(), 404);

    let live = obj(apply(
        apps,
        "argocd",
        "a",
        &app(),
        &apply_opts("alice", false),
        Subresource::Main,
    )
    .await
    .expect("apply"));
    let mut changed = app();
    changed["spec"]["project"] = json!("other");
    let o = obj(
        apply(apps, "argocd", "a", &changed, &dry, Subresource::Main)
            .await
            .expect("dry-run update"),
    );
    assert_eq!(o["spec"]["project"], "other");
    let got = stored(apps, "argocd", "a").await;
    assert_eq!(got["spec"]["project"], "default");
    assert_eq!(
        got["metadata"]["resourceVersion"],
        live["metadata"]["resourceVersion"]
    );
}

#[tokio::test]
async fn apply_refusals_in_kubes_words() {
    let f = registry().await;
    let apps = f.registry.kind("applications").expect("kind");
    let m = apply_opts("alice", false);

    let mut unknown = app();
    unknown["spec"]["bogus"] = json!(1);
    let e = apply(apps, "argocd", "a", &unknown, &m, Subresource::Main)
        .await
        .expect_err("unknown field");
    assert_eq!(e.code(), 400);
    assert_eq!(
        e.status.message,
        "failed to create typed patch object (argocd/a; argoproj.io/v1alpha1, Kind=Application): .spec.bogus: field not declared in schema"
    );
    // Whatever fieldValidation says: apply is always checked against the schema.
    let ignore = PatchOptions {
        field_validation: FieldValidation::Ignore,
        ..m.clone()
    };
    assert_eq!(
        apply(apps, "argocd", "a", &unknown, &ignore, Subresource::Main)
            .await
            .expect_err("unknown field")
            .code(),
        400
    );

    let mut managed = app();
    managed["metadata"]["managedFields"] = json!([{"manager": "x"}]);
    let e = apply(apps, "argocd", "a", &managed, &m, Subresource::Main)
        .await
        .expect_err("managedFields");
    assert_eq!(e.code(), 400);
    assert_eq!(e.status.message, "metadata.managedFields must be nil");

    let mut version = app();
    version["apiVersion"] = json!("argoproj.io/v1beta1");
    let e = apply(apps, "argocd", "a", &version, &m, Subresource::Main)
        .await
        .expect_err("version");
    assert_eq!(
        e.status.message,
        "Incorrect version specified in apply patch. Specified patch version: argoproj.io/v1beta1, expected: argoproj.io/v1alpha1"
    );

    let e = apply(apps, "argocd", "other", &app(), &m, Subresource::Main)
        .await
        .expect_err("name");
    assert_eq!(e.code(), 400);
    assert_eq!(
        e.status.message,
        "the name of the object (a) does not match the name on the URL (other)"
    );

    let e = apps
        .patch(
            Some("argocd"),
            "a",
            PatchType::Apply,
            b"spec: [unclosed",
            &m,
            Subresource::Main,
        )
        .await
        .expect_err("bad yaml");
    assert_eq!(e.code(), 400);
    assert!(
        e.status.message.starts_with("error decoding YAML: "),
        "{}",
        e.status.message
    );

    // None of that wrote anything.
    assert_eq!(
        apps.get(Some("argocd"), "a", ReadMode::Consistent)
            .await
            .expect_err("nothing")
            .code(),
        404
    );

    // YAML bodies work as JSON ones do; a stale resourceVersion is a precondition.
    let yaml = b"apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: a\n  namespace: argocd\nspec:\n  project: default\n  destination:\n    server: https://kubernetes.default.svc\n    namespace: guestbook\n  source:\n    repoURL: https://example.com/repo.git\n    path: guestbook\n";
    let created = apps
        .patch(
            Some("argocd"),
            "a",
            PatchType::Apply,
            yaml,
            &m,
            Subresource::Main,
        )
        .await
        .expect("yaml apply");
    assert!(created.created);
    let mut stale = app();
    stale["metadata"]["resourceVersion"] = json!("99999");
    let e = apply(apps, "argocd", "a", &stale, &m, Subresource::Main)
        .await
        .expect_err("stale resourceVersion");
    assert_eq!(e.code(), 409);
    assert!(
        e.status.message.contains("the object has been modified"),
        "{}",
        e.status.message
    );
}

/// A clock a second later at every reading, so every write is in a new second.
struct Ticking(std::sync::atomic::AtomicI64);

impl Clock for Ticking {
    fn now(&self) -> jiff::Timestamp {
        let s = self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        jiff::Timestamp::from_second(1_767_323_045 + s).expect("timestamp")
    }
}

/// Application admission's normalisation: an empty project is `default`.
struct DefaultProject;

#[async_trait::async_trait]
impl argo_apiserver_registry::admission::Admission for DefaultProject {
    async fn admit(
        &self,
        _op: argo_apiserver_registry::admission::Operation,
        obj: &mut Value,
        _old: Option<&Value>,
    ) -> Result<Vec<String>, ApiError> {
        if obj["spec"]["project"].as_str().is_none_or(str::is_empty) {
            obj["spec"]["project"] = json!("default");
        }
        Ok(Vec::new())
    }
}

#[tokio::test]
async fn reapplying_what_the_server_changes_back_writes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store: Arc<dyn Store> = Arc::new(
        EmbeddedStore::open(&dir.path().join("db"), EmbeddedOptions::default()).expect("open"),
    );
    let opts = RegistryOptions {
        clock: Arc::new(Ticking(Default::default())),
        ..RegistryOptions::default()
    };
    let registry = Registry::new(store, opts);
    let apps = registry.kind("applications").expect("kind");
    apps.set_admission(Arc::new(DefaultProject));
    let m = apply_opts("kubectl", false);

    // `kubectl create --dry-run=client -o yaml` prints `creationTimestamp: null`; the server
    // keeps the stored one.
    let mut ts = app();
    ts["metadata"]["creationTimestamp"] = Value::Null;
    // Admission makes an empty project `default`.
    let mut project = app();
    project["metadata"]["name"] = json!("b");
    project["spec"]["project"] = json!("");
    for config in [ts, project] {
        let name = config["metadata"]["name"].as_str().unwrap().to_string();
        let first = obj(apply(apps, "argocd", &name, &config, &m, Subresource::Main)
            .await
            .expect("first apply"));
        assert_eq!(first["spec"]["project"], "default");
        let revision = apps.current_revision().await.expect("revision");
        for _ in 0..2 {
            let again = obj(apply(apps, "argocd", &name, &config, &m, Subresource::Main)
                .await
                .expect("re-apply"));
            assert_eq!(again, first, "{name}: the stored object, unchanged");
        }
        assert_eq!(
            apps.current_revision().await.expect("revision"),
            revision,
            "{name}: nothing written, so no watch event"
        );
        assert_eq!(stored(apps, "argocd", &name).await, first);
    }
}

#[tokio::test]
async fn untypable_apply_configurations_are_bad_requests() {
    let f = registry().await;
    let templates = f.registry.kind("analysistemplates").expect("kind");
    let template = |metrics: Value| {
        json!({
            "apiVersion": "argoproj.io/v1alpha1",
            "kind": "AnalysisTemplate",
            "metadata": {"name": "t", "namespace": "default"},
            "spec": {"metrics": metrics}
        })
    };
    let m = apply_opts("alice", false);
    let dup = template(json!([
        {"name": "a", "provider": {"job": {"spec": {}}}},
        {"name": "a", "provider": {"job": {"spec": {}}}}
    ]));
    let e = apply(templates, "default", "t", &dup, &m, Subresource::Main)
        .await
        .expect_err("duplicate keys");
    assert_eq!((e.code(), e.reason()), (400, "BadRequest"), "{e:?}");
    assert_eq!(
        e.status.message,
        r#"failed to create typed patch object (default/t; argoproj.io/v1alpha1, Kind=AnalysisTemplate): .spec.metrics: duplicate entries for key [name="a"]"#
    );
    let keyless = template(json!([{"provider": {"job": {"spec": {}}}}]));
    let e = apply(templates, "default", "t", &keyless, &m, Subresource::Main)
        .await
        .expect_err("no key");
    assert_eq!((e.code(), e.reason()), (400, "BadRequest"), "{e:?}");
    assert!(
        e.status
            .message
            .starts_with("failed to create typed patch object (default/t; argoproj.io/v1alpha1, Kind=AnalysisTemplate): .spec.metrics: element 0: associative list with keys has an element that omits all key fields"),
        "{}",
        e.status.message
    );
}
