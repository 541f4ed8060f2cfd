//! The generic store's verbs against a real (embedded) store: what a client sees for each verb,
//! including the refusals, with kube's codes and wording.

use std::sync::Arc;
use std::time::Duration;

use argo_apiserver_core::params::{
    DeleteOptions, FieldValidation, ListOptions, PatchOptions, PatchType, Query, ReadMode,
    WriteOptions,
};
use argo_apiserver_registry::{DeleteResult, Registry, RegistryOptions, Subresource, WatchItem};
use argo_apiserver_storage::Store;
use argo_apiserver_storage::embedded::{EmbeddedOptions, EmbeddedStore};
use futures::StreamExt;
use serde_json::{Value, json};

struct Fixture {
    registry: Arc<Registry>,
    _dir: tempfile::TempDir,
}

async fn registry() -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    let store: Arc<dyn Store> = Arc::new(
        EmbeddedStore::open(&dir.path().join("db"), EmbeddedOptions::default()).expect("open"),
    );
    let registry = Registry::new(store, RegistryOptions::default());
    Fixture {
        registry,
        _dir: dir,
    }
}

fn app(name: &str, project: &str) -> Value {
    json!({
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {"name": name, "namespace": "argocd", "labels": {"team": "web"}},
        "spec": {
            "project": project,
            "destination": {"server": "https://kubernetes.default.svc", "namespace": "guestbook"},
            "source": {"repoURL": "https://example.com/repo.git", "path": "guestbook"}
        }
    })
}

fn rollout(name: &str) -> Value {
    json!({
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Rollout",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}
            },
            "strategy": {"canary": {"steps": [{"setWeight": 20}]}}
        },
        "status": {"phase": "Healthy"}
    })
}

fn parse(b: &[u8]) -> Value {
    serde_json::from_slice(b).expect("json")
}

fn opts() -> WriteOptions {
    WriteOptions::default()
}

fn list_opts(q: &str) -> ListOptions {
    ListOptions::parse(&Query::parse(q)).expect("list options")
}

#[tokio::test]
async fn create_sets_system_fields_and_get_reads_it_back() {
    let f = registry().await;
    let apps = f.registry.kind("applications").expect("kind");
    let created = apps
        .create(Some("argocd"), app("a", "default"), &opts())
        .await
        .expect("create");
    assert!(created.created);
    let obj = parse(&created.object);
    let meta = &obj["metadata"];
    assert_eq!(meta["generation"], 1);
    assert!(meta["uid"].as_str().is_some_and(|u| u.len() == 36));
    assert!(
        meta["creationTimestamp"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z'))
    );
    let rv = meta["resourceVersion"].as_str().expect("rv").to_string();
    let got = parse(
        &apps
            .get(Some("argocd"), "a", ReadMode::Consistent)
            .await
            .expect("get"),
    );
    assert_eq!(got, obj);
    assert_eq!(got["metadata"]["resourceVersion"], rv);

    let e = apps
        .create(Some("argocd"), app("a", "default"), &opts())
        .await
        .expect_err("double create");
    assert_eq!(e.code(), 409);
    assert_eq!(
        e.status.message,
        "applications.argoproj.io \"a\" already exists"
    );

    let e = apps
        .get(Some("argocd"), "missing", ReadMode::Consistent)
        .await
        .expect_err("404");
    assert_eq!(e.code(), 404);
    assert_eq!(
        e.status.message,
        "applications.argoproj.io \"missing\" not found"
    );
}

#[tokio::test]
async fn refusals_leave_storage_untouched() {
    let f = registry().await;
    let apps = f.registry.kind("applications").expect("kind");
    let before = f.registry.store().current_revision().await.expect("rev");

    let mut wrong_ns = app("a", "default");
    wrong_ns["metadata"]["namespace"] = json!("other");
    let e = apps
        .create(Some("argocd"), wrong_ns, &opts())
        .await
        .expect_err("ns");
    assert_eq!(e.code(), 400);

    let mut bad = app("b", "default");
    bad["spec"]["destination"]["server"] = json!(42);
    let e = apps
        .create(Some("argocd"), bad, &opts())
        .await
        .expect_err("invalid");
    assert_eq!(e.code(), 422);
    assert_eq!(e.reason(), "Invalid");
    let causes = &e.status.details.as_ref().expect("details").causes;
    assert_eq!(causes[0].field, "spec.destination.server");

    let mut kind = app("c", "default");
    kind["kind"] = json!("Rollout");
    assert_eq!(
        apps.create(Some("argocd"), kind, &opts())
            .await
            .expect_err("kind")
            .code(),
        400
    );

    let mut rv = app("d", "default");
    rv["metadata"]["resourceVersion"] = json!("5");
    assert_eq!(
        apps.create(Some("argocd"), rv, &opts())
            .await
            .expect_err("rv")
            .code(),
        500
    );

    let mut unknown = app("e", "default");
    unknown["spec"]["bogus"] = json!(1);
    let strict = WriteOptions {
        field_validation: FieldValidation::Strict,
        ..opts()
    };
    let e = apps
        .create(Some("argocd"), unknown.clone(), &strict)
        .await
        .expect_err("strict");
    assert_eq!(e.code(), 400);
    assert!(
        e.status
            .message
            .ends_with("strict decoding error: unknown field \"spec.bogus\""),
        "{}",
        e.status.message
    );

    assert_eq!(
        f.registry.store().current_revision().await.expect("rev"),
        before
    );

    // Warn: stored without the unknown field, with a warning.
    let ok = apps
        .create(Some("argocd"), unknown, &opts())
        .await
        .expect("warn");
    assert_eq!(ok.warnings, vec!["unknown field \"spec.bogus\""]);
    assert!(parse(&ok.object)["spec"].get("bogus").is_none());
}

#[tokio::test]
async fn update_needs_the_current_resource_version_and_bumps_generation_on_spec_change() {
    let f = registry().await;
    let apps = f.registry.kind("applications").expect("kind");
    let v1 = parse(
        &apps
            .create(Some("argocd"), app("a", "default"), &opts())
            .await
            .expect("create")
            .object,
    );

    let mut no_rv = v1.clone();
    no_rv["metadata"]
        .as_object_mut()
        .expect("meta")
        .remove("resourceVersion");
    let e = apps
        .update(Some("argocd"), "a", no_rv, &opts(), Subresource::Main)
        .await
        .expect_err("no rv");
    assert_eq!(e.code(), 422);
    assert_eq!(
        e.status.message,
        "Application.argoproj.io \"a\" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update"
    );

    // A label change: new resourceVersion, same generation.
    let mut labeled = v1.clone();
    labeled["metadata"]["labels"]["tier"] = json!("gold");
    let v2 = parse(
        &apps
            .update(Some("argocd"), "a", labeled, &opts(), Subresource::Main)
            .await
            .expect("update")
            .object,
    );
    assert_ne!(
        v2["metadata"]["resourceVersion"],
        v1["metadata"]["resourceVersion"]
    );
    assert_eq!(v2["metadata"]["generation"], 1);

    // The stale copy now conflicts, with kube's exact message.
    let mut stale = v1.clone();
    stale["spec"]["project"] = json!("other");
    let e = apps
        .update(Some("argocd"), "a", stale, &opts(), Subresource::Main)
        .await
        .expect_err("stale");
    assert_eq!(e.code(), 409);
    assert_eq!(
        e.status.message,
        "Operation cannot be fulfilled on applications.argoproj.io \"a\": the object has been modified; please apply your changes to the latest version and try again"
    );

    // A spec change bumps generation; so does a status change (no status subresource here).
    let mut spec = v2.clone();
    spec["spec"]["project"] = json!("other");
    let v3 = parse(
        &apps
            .update(Some("argocd"), "a", spec, &opts(), Subresource::Main)
            .await
            .expect("spec")
            .object,
    );
    assert_eq!(v3["metadata"]["generation"], 2);
    let mut status = v3.clone();
    status["status"] = json!({"sync": {"status": "Synced"}});
    let v4 = parse(
        &apps
            .update(Some("argocd"), "a", status, &opts(), Subresource::Main)
            .await
            .expect("status")
            .object,
    );
    assert_eq!(v4["metadata"]["generation"], 3);
    assert_eq!(v4["status"]["sync"]["status"], "Synced");

    // A no-op write changes nothing.
    let same = apps
        .update(Some("argocd"), "a", v4.clone(), &opts(), Subresource::Main)
        .await
        .expect("noop");
    assert_eq!(
        parse(&same.object)["metadata"]["resourceVersion"],
        v4["metadata"]["resourceVersion"]
    );
}

#[tokio::test]
async fn status_subresource_separates_status_from_the_rest() {
    let f = registry().await;
    let ros = f.registry.kind("rollouts").expect("kind");
    let created = parse(
        &ros.create(Some("default"), rollout("r"), &opts())
            .await
            .expect("create")
            .object,
    );
    assert!(
        created.get("status").is_none(),
        "status is dropped on create"
    );

    // Main resource: status changes are ignored, spec changes bump generation.
    let mut main = created.clone();
    main["status"] = json!({"phase": "Paused"});
    main["spec"]["replicas"] = json!(5);
    let after = parse(
        &ros.update(Some("default"), "r", main, &opts(), Subresource::Main)
            .await
            .expect("main")
            .object,
    );
    assert!(after.get("status").is_none());
    assert_eq!(after["metadata"]["generation"], 2);

    // Status: only status changes, generation stays, labels in the body are ignored.
    let mut st = after.clone();
    st["status"] = json!({"phase": "Healthy", "HPAReplicas": 5, "selector": "app=r"});
    st["metadata"]["labels"] = json!({"sneaky": "yes"});
    st["spec"]["replicas"] = json!(9);
    let s = parse(
        &ros.update(Some("default"), "r", st, &opts(), Subresource::Status)
            .await
            .expect("status")
            .object,
    );
    assert_eq!(s["status"]["phase"], "Healthy");
    assert_eq!(s["spec"]["replicas"], 5);
    assert_eq!(s["metadata"]["generation"], 2);
    assert!(s["metadata"].get("labels").is_none());

    // Scale reads the declared paths and writes spec.replicas.
    let scale = ros.get_scale(Some("default"), "r").await.expect("scale");
    assert_eq!(scale["spec"]["replicas"], 5);
    assert_eq!(scale["status"]["replicas"], 5);
    assert_eq!(scale["status"]["selector"], "app=r");
    let scaled = ros
        .patch_scale(
            Some("default"),
            "r",
            PatchType::Merge,
            br#"{"spec":{"replicas":7}}"#,
            &PatchOptions::default(),
        )
        .await
        .expect("patch scale");
    assert_eq!(scaled["spec"]["replicas"], 7);
    let obj = parse(
        &ros.get(Some("default"), "r", ReadMode::Consistent)
            .await
            .expect("get"),
    );
    assert_eq!(obj["spec"]["replicas"], 7);
}

#[tokio::test]
async fn patches_json_and_merge_with_resource_version_preconditions() {
    let f = registry().await;
    let apps = f.registry.kind("applications").expect("kind");
    let v1 = parse(
        &apps
            .create(Some("argocd"), app("a", "default"), &opts())
            .await
            .expect("create")
            .object,
    );
    let p = PatchOptions::default();
    let merged = apps
        .patch(
            Some("argocd"),
            "a",
            PatchType::Merge,
            br#"{"spec":{"project":"x"}}"#,
            &p,
            Subresource::Main,
        )
        .await
        .expect("merge");
    assert_eq!(parse(&merged.object)["spec"]["project"], "x");
    let jp = apps
        .patch(
            Some("argocd"),
            "a",
            PatchType::Json,
            br#"[{"op":"test","path":"/spec/project","value":"x"},{"op":"replace","path":"/spec/project","value":"y"}]"#,
            &p,
            Subresource::Main,
        )
        .await
        .expect("json");
    assert_eq!(parse(&jp.object)["spec"]["project"], "y");
    let e = apps
        .patch(
            Some("argocd"),
            "a",
            PatchType::Json,
            br#"[{"op":"test","path":"/spec/project","value":"nope"}]"#,
            &p,
            Subresource::Main,
        )
        .await
        .expect_err("failed test op");
    assert_eq!(e.code(), 422);
    // A resourceVersion in the patch is a precondition.
    let stale = format!(
        r#"{{"metadata":{{"resourceVersion":"{}"}},"spec":{{"project":"z"}}}}"#,
        v1["metadata"]["resourceVersion"].as_str().expect("rv")
    );
    let e = apps
        .patch(
            Some("argocd"),
            "a",
            PatchType::Merge,
            stale.as_bytes(),
            &p,
            Subresource::Main,
        )
        .await
        .expect_err("stale rv");
    assert_eq!(e.code(), 409);
    let e = apps
        .patch(
            Some("argocd"),
            "missing",
            PatchType::Merge,
            b"{}",
            &p,
            Subresource::Main,
        )
        .await
        .expect_err("404");
    assert_eq!(e.code(), 404);
}

#[tokio::test]
async fn finalizers_hold_deletion_until_removed() {
    let f = registry().await;
    let apps = f.registry.kind("applications").expect("kind");
    let mut a = app("a", "default");
    a["metadata"]["finalizers"] = json!(["resources-finalizer.argocd.argoproj.io"]);
    apps.create(Some("argocd"), a, &opts())
        .await
        .expect("create");
    let pending = match apps
        .delete(Some("argocd"), "a", &DeleteOptions::default())
        .await
        .expect("delete")
    {
        DeleteResult::Pending { object, .. } => parse(&object),
        DeleteResult::Deleted(_) => panic!("deleted despite a finalizer"),
    };
    assert!(pending["metadata"]["deletionTimestamp"].is_string());
    assert_eq!(pending["metadata"]["generation"], 2);
    // No new finalizers once deleting.
    let mut more = pending.clone();
    more["metadata"]["finalizers"] = json!(["resources-finalizer.argocd.argoproj.io", "x.io/y"]);
    let e = apps
        .update(Some("argocd"), "a", more, &opts(), Subresource::Main)
        .await
        .expect_err("new finalizer");
    assert_eq!(e.code(), 422);
    // Removing the last finalizer removes the object.
    apps.patch(
        Some("argocd"),
        "a",
        PatchType::Json,
        br#"[{"op":"remove","path":"/metadata/finalizers"}]"#,
        &PatchOptions::default(),
        Subresource::Main,
    )
    .await
    .expect("remove finalizer");
    assert_eq!(
        apps.get(Some("argocd"), "a", ReadMode::Consistent)
            .await
            .expect_err("gone")
            .code(),
        404
    );

    // Preconditions are checked.
    let created = parse(
        &apps
            .create(Some("argocd"), app("b", "default"), &opts())
            .await
            .expect("create")
            .object,
    );
    let wrong = DeleteOptions {
        preconditions: argo_apiserver_core::params::Preconditions {
            uid: Some("not-the-uid".into()),
            resource_version: None,
        },
        ..Default::default()
    };
    let e = apps
        .delete(Some("argocd"), "b", &wrong)
        .await
        .expect_err("precondition");
    assert_eq!(e.code(), 409);
    assert!(
        e.status
            .message
            .contains("Precondition failed: UID in precondition: not-the-uid"),
        "{}",
        e.status.message
    );
    match apps
        .delete(Some("argocd"), "b", &DeleteOptions::default())
        .await
        .expect("delete")
    {
        DeleteResult::Deleted(status) => {
            let d = status.details.expect("details");
            assert_eq!(d.kind, "applications");
            assert_eq!(d.uid, created["metadata"]["uid"].as_str().expect("uid"));
        }
        DeleteResult::Pending { .. } => panic!("no finalizers, yet pending"),
    }
}

#[tokio::test]
async fn dry_run_writes_nothing() {
    let f = registry().await;
    let apps = f.registry.kind("applications").expect("kind");
    let dry = WriteOptions {
        dry_run: true,
        ..opts()
    };
    let before = f.registry.store().current_revision().await.expect("rev");
    let r = apps
        .create(Some("argocd"), app("a", "default"), &dry)
        .await
        .expect("dry create");
    assert_eq!(parse(&r.object)["metadata"]["resourceVersion"], "");
    assert_eq!(
        f.registry.store().current_revision().await.expect("rev"),
        before
    );
    assert_eq!(
        apps.get(Some("argocd"), "a", ReadMode::Consistent)
            .await
            .expect_err("absent")
            .code(),
        404
    );
}

#[tokio::test]
async fn lists_paginate_filter_and_generate_names() {
    let f = registry().await;
    let apps = f.registry.kind("applications").expect("kind");
    for i in 0..7 {
        let mut a = app(&format!("a{i}"), if i % 2 == 0 { "even" } else { "odd" });
        if i == 6 {
            a["metadata"]["namespace"] = json!("other");
            apps.create(Some("other"), a, &opts())
                .await
                .expect("create");
        } else {
            apps.create(Some("argocd"), a, &opts())
                .await
                .expect("create");
        }
    }
    let all = apps.list(None, &list_opts("")).await.expect("list");
    assert_eq!(all.items.len(), 7);
    let ns = apps
        .list(Some("argocd"), &list_opts(""))
        .await
        .expect("list ns");
    assert_eq!(ns.items.len(), 6);

    // Pages of 2 at one revision, with a write between pages that later pages do not show.
    let mut names = Vec::new();
    let mut page = apps.list(None, &list_opts("limit=2")).await.expect("page");
    assert_eq!(page.remaining_item_count, Some(5));
    let rv = page.resource_version;
    let mut writes = 0;
    loop {
        names.extend(page.items.iter().map(|i| {
            parse(i)["metadata"]["name"]
                .as_str()
                .unwrap_or("")
                .to_string()
        }));
        let Some(token) = page.continue_token.clone() else {
            break;
        };
        if writes == 0 {
            apps.create(Some("argocd"), app("zz-late", "even"), &opts())
                .await
                .expect("late create");
            writes += 1;
        }
        page = apps
            .list(None, &list_opts(&format!("limit=2&continue={token}")))
            .await
            .expect("next page");
        assert_eq!(
            page.resource_version, rv,
            "every page at the first page's revision"
        );
    }
    assert_eq!(names.len(), 7, "{names:?}");
    assert!(!names.contains(&"zz-late".to_string()));

    // Field and label selectors, including selectable fields.
    let even = apps
        .list(None, &list_opts("fieldSelector=spec.project%3Deven"))
        .await
        .expect("field");
    assert_eq!(even.items.len(), 5); // a0 a2 a4 a6 zz-late
    let paged = apps
        .list(None, &list_opts("fieldSelector=spec.project%3Dodd&limit=2"))
        .await
        .expect("paged field");
    assert_eq!(paged.items.len(), 2);
    assert!(paged.continue_token.is_some());
    assert_eq!(
        paged.remaining_item_count, None,
        "no remaining count with selectors"
    );
    let e = apps
        .list(None, &list_opts("fieldSelector=spec.nope%3Dx"))
        .await
        .expect_err("unsupported");
    assert_eq!(e.status.message, "field label not supported: spec.nope");
    assert_eq!(
        apps.list(None, &list_opts("labelSelector=team%3Dweb"))
            .await
            .expect("labels")
            .items
            .len(),
        8
    );

    // generateName.
    let mut g = app("", "default");
    g["metadata"].as_object_mut().expect("meta").remove("name");
    g["metadata"]["generateName"] = json!("gen-");
    let made = parse(
        &apps
            .create(Some("argocd"), g, &opts())
            .await
            .expect("generate")
            .object,
    );
    let name = made["metadata"]["name"].as_str().expect("name");
    assert!(name.starts_with("gen-") && name.len() == 9, "{name}");
}

#[tokio::test]
async fn watches_replay_filter_and_report_transitions() {
    let f = registry().await;
    let apps = f.registry.kind("applications").expect("kind");
    let v1 = parse(
        &apps
            .create(Some("argocd"), app("a", "even"), &opts())
            .await
            .expect("create")
            .object,
    );
    let rv1 = v1["metadata"]["resourceVersion"]
        .as_str()
        .expect("rv")
        .to_string();
    let mut w = apps
        .watch(
            None,
            &list_opts(&format!(
                "watch=1&resourceVersion={rv1}&fieldSelector=spec.project%3Deven"
            )),
        )
        .await
        .expect("watch");
    // Stops matching -> DELETED; matches again -> ADDED; deleted -> DELETED.
    apps.patch(
        Some("argocd"),
        "a",
        PatchType::Merge,
        br#"{"spec":{"project":"odd"}}"#,
        &PatchOptions::default(),
        Subresource::Main,
    )
    .await
    .expect("patch");
    apps.patch(
        Some("argocd"),
        "a",
        PatchType::Merge,
        br#"{"spec":{"project":"even"}}"#,
        &PatchOptions::default(),
        Subresource::Main,
    )
    .await
    .expect("patch back");
    apps.delete(Some("argocd"), "a", &DeleteOptions::default())
        .await
        .expect("delete");
    let mut seen = Vec::new();
    while seen.len() < 3 {
        match tokio::time::timeout(Duration::from_secs(5), w.next())
            .await
            .expect("event in time")
        {
            Some(WatchItem::Added(o, _)) => {
                seen.push(("ADDED", parse(&o)["spec"]["project"].clone()))
            }
            Some(WatchItem::Modified(o, _)) => {
                seen.push(("MODIFIED", parse(&o)["spec"]["project"].clone()))
            }
            Some(WatchItem::Deleted(o, _)) => {
                seen.push(("DELETED", parse(&o)["spec"]["project"].clone()))
            }
            Some(_) => {}
            None => panic!("watch ended"),
        }
    }
    assert_eq!(
        seen,
        vec![
            ("DELETED", json!("even")),
            ("ADDED", json!("even")),
            ("DELETED", json!("even"))
        ]
    );

    // No resourceVersion: the current state first.
    apps.create(Some("argocd"), app("b", "x"), &opts())
        .await
        .expect("create");
    let mut w = apps
        .watch(Some("argocd"), &list_opts("watch=1"))
        .await
        .expect("watch");
    match tokio::time::timeout(Duration::from_secs(5), w.next())
        .await
        .expect("event")
    {
        Some(WatchItem::Added(o, _)) => assert_eq!(parse(&o)["metadata"]["name"], "b"),
        other => panic!("expected the initial ADDED, got {other:?}"),
    }
}
