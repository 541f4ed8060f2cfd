use serde_json::{Value, json};

use super::*;

const V: &str = "argoproj.io/v1alpha1";
const T0: &str = "2024-01-01T00:00:00Z";
const T1: &str = "2024-01-01T00:00:01Z";
const T2: &str = "2024-01-01T00:00:02Z";

fn entries(obj: &Value) -> Vec<(String, String, String)> {
    obj["metadata"]["managedFields"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| {
                    (
                        e["manager"].as_str().unwrap().to_string(),
                        e["operation"].as_str().unwrap().to_string(),
                        serde_json::to_string(&e["fieldsV1"]).unwrap(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn fields_of(obj: &Value, manager: &str) -> String {
    entries(obj)
        .into_iter()
        .find(|e| e.0 == manager)
        .map(|e| e.2)
        .unwrap_or_default()
}

fn app(spec: Value) -> Value {
    json!({"apiVersion": V, "kind": "Application",
        "metadata": {"name": "a", "namespace": "ns", "labels": {"app": "x"}}, "spec": spec})
}

#[test]
fn create_records_every_field_as_kube_does() {
    let mut new = app(json!({"project": "default"}));
    update("Application", None, &mut new, "kubectl-create", None, V, T0).unwrap();
    let mf = &new["metadata"]["managedFields"][0];
    assert_eq!(mf["manager"], "kubectl-create");
    assert_eq!(mf["operation"], "Update");
    assert_eq!(mf["apiVersion"], V);
    assert_eq!(mf["time"], T0);
    assert_eq!(mf["fieldsType"], "FieldsV1");
    assert!(mf.get("subresource").is_none());
    assert_eq!(
        serde_json::to_string(&mf["fieldsV1"]).unwrap(),
        r#"{"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{".":{},"f:project":{}}}"#
    );
}

#[test]
fn update_takes_changed_fields_from_other_managers() {
    let mut old = app(json!({"project": "default", "destination": {"namespace": "a"}}));
    update("Application", None, &mut old, "creator", None, V, T0).unwrap();
    let mut new = old.clone();
    new["spec"]["project"] = json!("other");
    update("Application", Some(&old), &mut new, "editor", None, V, T1).unwrap();
    assert_eq!(fields_of(&new, "editor"), r#"{"f:spec":{"f:project":{}}}"#);
    assert!(!fields_of(&new, "creator").contains("f:project"));
    assert!(fields_of(&new, "creator").contains("f:destination"));
    // A write that changes nothing of the manager's adds no entry and no time bump.
    let mut same = new.clone();
    update("Application", Some(&new), &mut same, "idle", None, V, T2).unwrap();
    assert!(entries(&same).iter().all(|e| e.0 != "idle"));
}

#[test]
fn update_keeps_stored_entries_unless_reset() {
    let mut old = app(json!({"project": "default"}));
    update("Application", None, &mut old, "creator", None, V, T0).unwrap();
    // Absent in the request: the stored ones are kept.
    let mut new = old.clone();
    new["metadata"]
        .as_object_mut()
        .unwrap()
        .remove("managedFields");
    new["spec"]["project"] = json!("p2");
    update("Application", Some(&old), &mut new, "editor", None, V, T1).unwrap();
    assert_eq!(entries(&new).len(), 2);
    // Undecodable: kept too.
    let mut bad = old.clone();
    bad["metadata"]["managedFields"] = json!([{"manager": "x", "operation": "Nope"}]);
    bad["spec"]["project"] = json!("p3");
    update("Application", Some(&old), &mut bad, "editor", None, V, T1).unwrap();
    assert_eq!(entries(&bad).len(), 2);
    // `[]` and `[{}]` reset: an existing object is left untracked.
    for reset in [json!([]), json!([{}])] {
        let mut r = old.clone();
        r["metadata"]["managedFields"] = reset;
        r["spec"]["project"] = json!("p4");
        update("Application", Some(&old), &mut r, "editor", None, V, T1).unwrap();
        assert!(r["metadata"].get("managedFields").is_none(), "{r}");
    }
}

#[test]
fn status_subresource_is_recorded_and_ignores_request_entries() {
    let mut old = app(json!({"project": "default"}));
    update("Application", None, &mut old, "creator", None, V, T0).unwrap();
    let mut new = old.clone();
    new["status"] = json!({"sync": {"status": "Synced"}});
    new["metadata"]["managedFields"] = json!([]);
    update(
        "Application",
        Some(&old),
        &mut new,
        "controller",
        Some("status"),
        V,
        T1,
    )
    .unwrap();
    let mf = new["metadata"]["managedFields"].as_array().unwrap();
    assert_eq!(mf.len(), 2);
    let c = mf.iter().find(|e| e["manager"] == "controller").unwrap();
    assert_eq!(c["subresource"], "status");
    assert_eq!(
        serde_json::to_string(&c["fieldsV1"]).unwrap(),
        r#"{"f:status":{".":{},"f:sync":{".":{},"f:status":{}}}}"#
    );
}

#[test]
fn entries_merge_per_manager_operation_and_subresource() {
    let mut o1 = app(json!({"project": "default"}));
    update("Application", None, &mut o1, "m", None, V, T0).unwrap();
    let mut o2 = o1.clone();
    o2["spec"]["destination"] = json!({"namespace": "x"});
    update("Application", Some(&o1), &mut o2, "m", None, V, T1).unwrap();
    let e = entries(&o2);
    assert_eq!(e.len(), 1);
    assert!(e[0].2.contains("f:project") && e[0].2.contains("f:destination"));
    assert_eq!(o2["metadata"]["managedFields"][0]["time"], T1);
    let mut o3 = o2.clone();
    o3["status"] = json!({"x": 1});
    update(
        "Application",
        Some(&o2),
        &mut o3,
        "m",
        Some("status"),
        V,
        T2,
    )
    .unwrap();
    assert_eq!(entries(&o3).len(), 2);
}

#[test]
fn removed_fields_leave_every_set() {
    let mut o1 = app(json!({"project": "default", "destination": {"namespace": "x"}}));
    update("Application", None, &mut o1, "a", None, V, T0).unwrap();
    let mut o2 = o1.clone();
    o2["spec"].as_object_mut().unwrap().remove("destination");
    update("Application", Some(&o1), &mut o2, "b", None, V, T1).unwrap();
    assert!(!fields_of(&o2, "a").contains("destination"));
    assert!(entries(&o2).iter().all(|e| e.0 != "b"));
}

#[test]
fn ten_update_managers_at_most() {
    let mut obj = app(json!({}));
    update("Application", None, &mut obj, "m00", None, V, T0).unwrap();
    for i in 1..12 {
        let mut next = obj.clone();
        next["metadata"]["labels"][format!("l{i}")] = json!("v");
        let t = format!("2024-01-01T00:00:{i:02}Z");
        update(
            "Application",
            Some(&obj),
            &mut next,
            &format!("m{i:02}"),
            None,
            V,
            &t,
        )
        .unwrap();
        obj = next;
    }
    let e = entries(&obj);
    assert_eq!(e.len(), 10);
    let ancient = e.iter().find(|e| e.0 == "ancient-changes").unwrap();
    assert!(ancient.2.contains("f:l1") && ancient.2.contains("f:app"));
}

#[test]
fn apply_creates_and_owns_the_applied_fields() {
    let config = app(json!({"project": "default"}));
    let out = apply("Application", None, &config, "kubectl", None, false, V, T0).unwrap();
    assert_eq!(out["spec"]["project"], "default");
    assert_eq!(out["metadata"]["name"], "a");
    let mf = &out["metadata"]["managedFields"][0];
    assert_eq!(mf["operation"], "Apply");
    assert_eq!(mf["time"], T0);
    assert_eq!(
        serde_json::to_string(&mf["fieldsV1"]).unwrap(),
        r#"{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:project":{}}}"#
    );
}

#[test]
fn apply_conflicts_only_on_different_values() {
    let mut live = app(json!({"project": "default", "destination": {"namespace": "x"}}));
    update(
        "Application",
        None,
        &mut live,
        "argocd-controller",
        None,
        V,
        T0,
    )
    .unwrap();
    // Same values: shared ownership.
    let same = app(json!({"project": "default"}));
    let out = apply(
        "Application",
        Some(&live),
        &same,
        "kubectl",
        None,
        false,
        V,
        T1,
    )
    .unwrap();
    assert!(fields_of(&out, "argocd-controller").contains("f:project"));
    assert!(fields_of(&out, "kubectl").contains("f:project"));
    // A different value: 409 naming the owner and the path.
    let diff = app(json!({"project": "other"}));
    let err = apply(
        "Application",
        Some(&live),
        &diff,
        "kubectl",
        None,
        false,
        V,
        T1,
    )
    .unwrap_err();
    match &err {
        ManagedError::Conflicts(c) => assert_eq!(
            c,
            &vec![Conflict {
                manager: "argocd-controller".into(),
                subresource: None,
                api_version: V.into(),
                field: ".spec.project".into(),
            }]
        ),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        err.to_string(),
        "Apply failed with 1 conflict: conflict with \"argocd-controller\" using argoproj.io/v1alpha1: .spec.project"
    );
    // Forced: ownership moves.
    let out = apply(
        "Application",
        Some(&live),
        &diff,
        "kubectl",
        None,
        true,
        V,
        T1,
    )
    .unwrap();
    assert_eq!(out["spec"]["project"], "other");
    assert!(!fields_of(&out, "argocd-controller").contains("f:project"));
    assert!(fields_of(&out, "kubectl").contains("f:project"));
}

#[test]
fn apply_removes_fields_no_longer_applied_unless_owned() {
    let c1 = app(json!({"project": "default", "destination": {"namespace": "x", "server": "s"}}));
    let o1 = apply("Application", None, &c1, "mgr", None, false, V, T0).unwrap();
    // Another applier shares `server`.
    let c_other = json!({"apiVersion": V, "kind": "Application",
        "metadata": {"name": "a", "namespace": "ns"}, "spec": {"destination": {"server": "s"}}});
    let o2 = apply(
        "Application",
        Some(&o1),
        &c_other,
        "other",
        None,
        false,
        V,
        T1,
    )
    .unwrap();
    let c2 = app(json!({"project": "default"}));
    let o3 = apply("Application", Some(&o2), &c2, "mgr", None, false, V, T2).unwrap();
    assert_eq!(o3["spec"]["destination"], json!({"server": "s"}));
    // Nobody else owns anything left: the whole struct goes.
    let o4 = apply("Application", Some(&o1), &c2, "mgr", None, false, V, T2).unwrap();
    assert!(o4["spec"].get("destination").is_none(), "{o4}");
    // Labels dropped from the config are removed.
    let mut c3 = c2.clone();
    c3["metadata"].as_object_mut().unwrap().remove("labels");
    let o5 = apply("Application", Some(&o4), &c3, "mgr", None, false, V, T2).unwrap();
    assert!(o5["metadata"].get("labels").is_none(), "{o5}");
}

fn template(metrics: Value) -> Value {
    json!({"apiVersion": V, "kind": "AnalysisTemplate", "metadata": {"name": "t", "namespace": "ns"},
        "spec": {"metrics": metrics}})
}

#[test]
fn list_map_items_merge_and_are_removed_whole() {
    let c1 = template(json!([
        {"name": "a", "provider": {"job": {"spec": {}}}, "count": 1},
        {"name": "b", "count": 2},
    ]));
    let o1 = apply("AnalysisTemplate", None, &c1, "m1", None, false, V, T0).unwrap();
    let f = fields_of(&o1, "m1");
    assert!(
        f.contains(r#""k:{\"name\":\"a\"}":{".":{},"f:count":{},"f:name":{}"#),
        "{f}"
    );
    // m2 adds an item; m1 then drops `b`.
    let c2 = template(json!([{"name": "c", "count": 3}]));
    let o2 = apply("AnalysisTemplate", Some(&o1), &c2, "m2", None, false, V, T1).unwrap();
    let names: Vec<&str> = o2["spec"]["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["a", "b", "c"]);
    let c3 = template(json!([{"name": "a", "provider": {"job": {"spec": {}}}, "count": 1}]));
    let o3 = apply("AnalysisTemplate", Some(&o2), &c3, "m1", None, false, V, T2).unwrap();
    let names: Vec<&str> = o3["spec"]["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["a", "c"]);
    // A conflict path inside a list-map item.
    let c4 = template(json!([{"name": "c", "count": 9}]));
    let err = apply("AnalysisTemplate", Some(&o3), &c4, "m1", None, false, V, T2).unwrap_err();
    let ManagedError::Conflicts(c) = err else {
        panic!()
    };
    assert_eq!(c[0].field, r#".spec.metrics[name="c"].count"#);
    assert_eq!(
        c[0].api_version, "",
        "Apply managers print without apiVersion"
    );
}

#[test]
fn invalid_configurations() {
    let missing = template(json!([{"count": 1}]));
    let err = apply("AnalysisTemplate", None, &missing, "m", None, false, V, T0).unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"failed to create typed patch object (ns/t; argoproj.io/v1alpha1, Kind=AnalysisTemplate): .spec.metrics: element 0: associative list with keys has an element that omits all key fields ["name"] (and doesn't have default values for any key fields)"#
    );
    let dup = template(json!([{"name": "a"}, {"name": "a"}]));
    let err = apply("AnalysisTemplate", None, &dup, "m", None, false, V, T0).unwrap_err();
    assert!(
        err.to_string()
            .ends_with(r#".spec.metrics: duplicate entries for key [name="a"]"#)
    );
    let status = err.into_api_error("AnalysisTemplate", "t").status;
    assert_eq!((status.code, status.reason.as_str()), (400, "BadRequest"));
    assert!(status.message.starts_with(
        "failed to create typed patch object (ns/t; argoproj.io/v1alpha1, Kind=AnalysisTemplate): "
    ));
    let err = apply("AnalysisTemplate", None, &missing, "m", None, false, V, T0).unwrap_err();
    let status = err.into_api_error("AnalysisTemplate", "t").status;
    assert_eq!((status.code, status.reason.as_str()), (400, "BadRequest"));
    let mut with_mf = app(json!({}));
    with_mf["metadata"]["managedFields"] = json!([]);
    let err = apply("Application", None, &with_mf, "m", None, false, V, T0).unwrap_err();
    assert_eq!(err.to_string(), "metadata.managedFields must be nil");
}

#[test]
fn update_strips_apply_managers_too() {
    let o1 = apply(
        "Application",
        None,
        &app(json!({"project": "default"})),
        "kubectl",
        None,
        false,
        V,
        T0,
    )
    .unwrap();
    let mut o2 = o1.clone();
    o2["spec"]["project"] = json!("edited");
    update(
        "Application",
        Some(&o1),
        &mut o2,
        "kubectl-edit",
        None,
        V,
        T1,
    )
    .unwrap();
    assert!(!fields_of(&o2, "kubectl").contains("f:project"));
    assert!(fields_of(&o2, "kubectl-edit").contains("f:project"));
    // The applier re-applying its old value now conflicts with the editor.
    let err = apply(
        "Application",
        Some(&o2),
        &app(json!({"project": "default"})),
        "kubectl",
        None,
        false,
        V,
        T2,
    );
    assert!(matches!(err, Err(ManagedError::Conflicts(_))));
}

#[test]
fn client_side_then_server_side_apply_keeps_the_object() {
    // kubectl apply (client side): a create with the last-applied annotation.
    let mut cfg = app(json!({"project": "default"}));
    let last = serde_json::to_string(&cfg).unwrap() + "\n";
    cfg["metadata"]["annotations"] = json!({LAST_APPLIED: last});
    let mut live = cfg.clone();
    update(
        "Application",
        None,
        &mut live,
        "kubectl-client-side-apply",
        None,
        V,
        T0,
    )
    .unwrap();
    live["metadata"]["uid"] = json!("u");
    // kubectl apply --server-side with the same manifest.
    let ssa = app(json!({"project": "default"}));
    let out = apply(
        "Application",
        Some(&live),
        &ssa,
        "kubectl",
        None,
        false,
        V,
        T1,
    )
    .unwrap();
    let strip = |v: &Value| {
        let mut v = v.clone();
        v["metadata"]
            .as_object_mut()
            .unwrap()
            .remove("managedFields");
        v["metadata"]["annotations"]
            .as_object_mut()
            .unwrap()
            .remove(LAST_APPLIED);
        v
    };
    assert_eq!(strip(&out), strip(&live));
    assert!(has_last_applied(&out));
    // Changing a value the client-side apply set is allowed for `kubectl` (lastAppliedManager).
    let changed = app(json!({"project": "p2"}));
    let out = apply(
        "Application",
        Some(&live),
        &changed,
        "kubectl",
        None,
        false,
        V,
        T1,
    )
    .unwrap();
    assert_eq!(out["spec"]["project"], "p2");
    let la: Value = serde_json::from_str(
        out["metadata"]["annotations"][LAST_APPLIED]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(la["spec"]["project"], "p2");
    // Another manager does not get that pass.
    let err = apply(
        "Application",
        Some(&live),
        &changed,
        "helm",
        None,
        false,
        V,
        T1,
    );
    assert!(matches!(err, Err(ManagedError::Conflicts(_))));
}

#[test]
fn apply_on_untracked_object_credits_before_first_apply() {
    let live = json!({"apiVersion": V, "kind": "Application",
        "metadata": {"name": "a", "namespace": "ns", "uid": "u"}, "spec": {"project": "x"}});
    let err = apply(
        "Application",
        Some(&live),
        &app(json!({"project": "y"})),
        "m",
        None,
        false,
        V,
        T1,
    )
    .unwrap_err();
    let ManagedError::Conflicts(c) = err else {
        panic!()
    };
    assert_eq!(c[0].manager, "before-first-apply");
}

#[test]
fn noop_apply_keeps_time() {
    let o1 = apply(
        "Application",
        None,
        &app(json!({"project": "d"})),
        "m",
        None,
        false,
        V,
        T0,
    )
    .unwrap();
    let o2 = apply(
        "Application",
        Some(&o1),
        &app(json!({"project": "d"})),
        "m",
        None,
        false,
        V,
        T2,
    )
    .unwrap();
    assert_eq!(o2, o1);
}
