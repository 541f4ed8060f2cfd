//! The one human line printed after an action, worded from the object before the action (GET)
//! and after it (the action's answer), so it says what actually changed.

use serde_json::Value;

use crate::cli::{Kind, Plan};

/// `<singular>.argoproj.io/<name>`, as `kubectl ... -o name` prints it.
pub fn reference(kind: Kind, name: &str) -> String {
    format!("{}.argoproj.io/{name}", kind.singular())
}

fn str_at<'a>(v: &'a Value, pointer: &str) -> Option<&'a str> {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

fn true_at(v: &Value, pointer: &str) -> bool {
    v.pointer(pointer).and_then(Value::as_bool) == Some(true)
}

/// The fields whose change the summary reports, per kind, in the order they are reported.
fn watched(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Application => &["/status/operationState/phase"],
        Kind::Rollout => &[
            "/spec/paused",
            "/spec/restartAt",
            "/status/abort",
            "/status/promoteFull",
            "/status/currentStepIndex",
            "/status/pauseConditions",
            "/status/controllerPause",
        ],
        Kind::Workflow => &["/spec/suspend", "/spec/shutdown", "/status/phase"],
    }
}

/// A field value for the summary: strings bare, lists by their length, absent as `unset`.
fn render(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => "unset".into(),
        Some(Value::String(s)) if s.is_empty() => "\"\"".into(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(a)) if a.is_empty() => "unset".into(),
        Some(Value::Array(a)) if a.len() == 1 => "1 item".into(),
        Some(Value::Array(a)) => format!("{} items", a.len()),
        Some(other) => other.to_string(),
    }
}

/// `spec.paused false -> true` for each watched field that changed.
fn field_changes(kind: Kind, before: &Value, after: &Value) -> Vec<String> {
    watched(kind)
        .iter()
        .filter_map(|p| {
            let (old, new) = (render(before.pointer(p)), render(after.pointer(p)));
            (old != new).then(|| {
                let field = p.trim_start_matches('/').replace('/', ".");
                format!("{field} {old} -> {new}")
            })
        })
        .collect()
}

/// Whether anything a user cares about differs (metadata bookkeeping aside).
fn changed(before: &Value, after: &Value) -> bool {
    ["/spec", "/status", "/operation", "/metadata/labels"]
        .iter()
        .any(|p| before.pointer(p) != after.pointer(p))
}

/// What an Application operation asks for: `revision HEAD, prune, initiated by alice`.
fn operation_details(op: &Value) -> Vec<String> {
    let mut parts = Vec::new();
    if let Some(rev) = str_at(op, "/sync/revision") {
        parts.push(format!("revision {rev}"));
    } else if let Some(revs) = op.pointer("/sync/revisions").and_then(Value::as_array) {
        let revs: Vec<&str> = revs.iter().filter_map(Value::as_str).collect();
        if !revs.is_empty() {
            parts.push(format!("revisions {}", revs.join(", ")));
        }
    }
    if true_at(op, "/sync/prune") {
        parts.push("prune".into());
    }
    if true_at(op, "/sync/dryRun") {
        parts.push("dry run".into());
    }
    if let Some(user) = str_at(op, "/initiatedBy/username") {
        parts.push(format!("initiated by {user}"));
    } else if true_at(op, "/initiatedBy/automated") {
        parts.push("initiated automatically".into());
    }
    parts
}

fn with_details(head: String, details: &[String]) -> String {
    if details.is_empty() {
        head
    } else {
        format!("{head} ({})", details.join(", "))
    }
}

/// The summary line of `plan`'s action, given the object before and the action's answer.
pub fn summary(plan: &Plan, before: &Value, after: &Value) -> String {
    let name = str_at(after, "/metadata/name").unwrap_or(&plan.name);
    let subject = reference(plan.kind, name);
    let phrase = match (plan.kind, plan.action) {
        (Kind::Application, "sync") => "sync requested".to_string(),
        (Kind::Application, "rollback") => {
            let id = plan
                .body
                .get("id")
                .map(Value::to_string)
                .unwrap_or_default();
            format!("rollback to history {id} requested")
        }
        (Kind::Application, "terminate") => "operation terminating".to_string(),
        (Kind::Rollout, "promote") if true_at(&plan.body, "/full") => "fully promoted".into(),
        (Kind::Rollout, "promote") => "promoted".into(),
        (Kind::Rollout, "abort") => "aborted".into(),
        (Kind::Rollout, "retry") | (Kind::Workflow, "retry") => "retried".into(),
        (Kind::Rollout, "restart") => "restarted".into(),
        (Kind::Rollout, "pause") => "paused".into(),
        (_, "resume") => "resumed".into(),
        (Kind::Workflow, "resubmit") => {
            let old = &plan.name;
            let memo = if true_at(&plan.body, "/memoized") {
                " (memoized)"
            } else {
                ""
            };
            return format!("{subject} resubmitted from {old}{memo}");
        }
        (Kind::Workflow, "suspend") => "suspended".into(),
        (Kind::Workflow, "stop") => "stopped".into(),
        (Kind::Workflow, "terminate") => "terminated".into(),
        (_, other) => format!("{other} done"),
    };
    let head = format!("{subject} {phrase}");
    if !changed(before, after) {
        return format!("{head} (no change)");
    }
    match (plan.kind, plan.action) {
        (Kind::Application, "sync" | "rollback") => {
            let op = after.get("operation").unwrap_or(&Value::Null);
            if op == before.get("operation").unwrap_or(&Value::Null) {
                with_details(head, &field_changes(plan.kind, before, after))
            } else {
                with_details(head, &operation_details(op))
            }
        }
        _ => with_details(head, &field_changes(plan.kind, before, after)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn plan(kind: Kind, action: &'static str, body: Value) -> Plan {
        Plan {
            kind,
            name: "x".into(),
            action,
            body,
        }
    }

    #[test]
    fn sync_names_revision_and_initiator() {
        let before = json!({"metadata": {"name": "guestbook"}, "spec": {}});
        let after = json!({
            "metadata": {"name": "guestbook"},
            "spec": {},
            "operation": {
                "sync": {"revision": "HEAD", "prune": true},
                "initiatedBy": {"username": "alice"}
            }
        });
        let p = plan(Kind::Application, "sync", json!({}));
        assert_eq!(
            summary(&p, &before, &after),
            "application.argoproj.io/guestbook sync requested (revision HEAD, prune, initiated by alice)"
        );
        let p = plan(Kind::Application, "rollback", json!({"id": 2}));
        assert_eq!(
            summary(&p, &before, &after),
            "application.argoproj.io/guestbook rollback to history 2 requested (revision HEAD, prune, initiated by alice)"
        );
    }

    #[test]
    fn rollout_changes_are_listed_in_order() {
        let before = json!({"metadata": {"name": "web"}, "spec": {"paused": true},
            "status": {"currentStepIndex": 1, "pauseConditions": [{"reason": "CanaryPauseStep"}]}});
        let after = json!({"metadata": {"name": "web"}, "spec": {"paused": false},
            "status": {"currentStepIndex": 2, "pauseConditions": null}});
        let p = plan(Kind::Rollout, "promote", json!({}));
        assert_eq!(
            summary(&p, &before, &after),
            "rollout.argoproj.io/web promoted (spec.paused true -> false, status.currentStepIndex 1 -> 2, status.pauseConditions 1 item -> unset)"
        );
        let p = plan(Kind::Rollout, "promote", json!({"full": true}));
        assert!(
            summary(&p, &before, &after).starts_with("rollout.argoproj.io/web fully promoted (")
        );
    }

    #[test]
    fn nothing_changed_says_so() {
        let obj =
            json!({"metadata": {"name": "web", "resourceVersion": "1"}, "spec": {"paused": true}});
        let mut after = obj.clone();
        after["metadata"]["resourceVersion"] = json!("2");
        let p = plan(Kind::Rollout, "pause", json!({}));
        assert_eq!(
            summary(&p, &obj, &after),
            "rollout.argoproj.io/web paused (no change)"
        );
    }

    #[test]
    fn resubmit_names_the_new_workflow() {
        let before = json!({"metadata": {"name": "wf"}});
        let after = json!({"metadata": {"name": "wf-abc12"}});
        let p = Plan {
            kind: Kind::Workflow,
            name: "wf".into(),
            action: "resubmit",
            body: json!({}),
        };
        assert_eq!(
            summary(&p, &before, &after),
            "workflow.argoproj.io/wf-abc12 resubmitted from wf"
        );
    }

    #[test]
    fn odd_objects_do_not_panic() {
        for (before, after) in [
            (json!(null), json!(null)),
            (json!([]), json!("x")),
            (json!({"operation": 3}), json!({"operation": {"sync": 1}})),
            (json!({"metadata": {"name": 5}}), json!({"status": []})),
        ] {
            for kind in [Kind::Application, Kind::Rollout, Kind::Workflow] {
                for action in ["sync", "rollback", "terminate", "promote", "resubmit"] {
                    let _ = summary(&plan(kind, action, json!({"id": 1})), &before, &after);
                }
            }
        }
    }
}
