//! Workflow actions, as Argo Workflows' server performs them (`workflow/util/util.go`):
//! resubmit (a new Workflow), retry, suspend, resume, stop and terminate (this one, changed).
//!
//! Workflow has no status subresource: its status lives in the object, so an action that resets
//! nodes writes spec, labels and status together, as upstream's full `Update` does.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use argo_apiserver_core::params::WriteOptions;
use argo_apiserver_core::{ApiError, FieldSelector, GroupResource};
use argo_openapi::types::actions::{
    WorkflowResubmitRequest, WorkflowResumeRequest, WorkflowRetryRequest, WorkflowStopRequest,
    WorkflowSuspendRequest, WorkflowTerminateRequest,
};
use serde_json::{Map, Value, json};

use super::{ActionContext, gr, request};
use crate::generic::{KindStore, WriteResult};
use crate::object::{meta_mut, meta_str};

// Labels, as `workflow/common/common.go` names them.
const LABEL_CREATOR: &str = "workflows.argoproj.io/creator";
const LABEL_CREATOR_EMAIL: &str = "workflows.argoproj.io/creator-email";
const LABEL_CREATOR_PREFERRED_USERNAME: &str = "workflows.argoproj.io/creator-preferred-username";
const LABEL_ACTOR: &str = "workflows.argoproj.io/actor";
const LABEL_ACTOR_EMAIL: &str = "workflows.argoproj.io/actor-email";
const LABEL_ACTOR_PREFERRED_USERNAME: &str = "workflows.argoproj.io/actor-preferred-username";
const LABEL_ACTION: &str = "workflows.argoproj.io/action";
const LABEL_PHASE: &str = "workflows.argoproj.io/phase";
const LABEL_COMPLETED: &str = "workflows.argoproj.io/completed";
const LABEL_ARCHIVING_STATUS: &str = "workflows.argoproj.io/workflow-archiving-status";
const LABEL_RESUBMITTED_FROM: &str = "workflows.argoproj.io/resubmitted-from-workflow";

pub async fn run(
    kind: &KindStore,
    namespace: Option<&str>,
    name: &str,
    action: &str,
    body: Value,
    ctx: &ActionContext<'_>,
) -> Result<WriteResult, ApiError> {
    let gr = gr(kind);
    let user = ctx.actor.username.as_str();
    match action {
        "resubmit" => {
            let req: WorkflowResubmitRequest = request(body, "WorkflowResubmitRequest")?;
            let old = kind.get_value(namespace, name).await?;
            let new = formulate_resubmit(
                &old,
                req.memoized.unwrap_or(false),
                req.parameters.as_deref(),
                user,
                &ctx.clock.now_rfc3339(),
            )?;
            // Created like any other Workflow, so defaulting and validation (upstream's
            // `validate.Workflow(Submit)`) run on it.
            let workflows = ctx
                .registry
                .kind("workflows")
                .ok_or_else(|| ApiError::internal("the workflows store is missing"))?;
            let opts = WriteOptions {
                dry_run: ctx.dry_run,
                field_manager: ctx.manager.map(str::to_string),
                ..WriteOptions::default()
            };
            workflows.create(namespace, new, &opts).await
        }
        "retry" => {
            let req: WorkflowRetryRequest = request(body, "WorkflowRetryRequest")?;
            let now = ctx.clock.now_rfc3339();
            kind.update_with_owner(namespace, name, ctx.dry_run, None, ctx.owner(), |wf| {
                *wf = formulate_retry(
                    wf,
                    req.restart_successful.unwrap_or(false),
                    req.node_field_selector.as_deref().unwrap_or(""),
                    req.parameters.as_deref(),
                    &now,
                )?;
                label_user(wf, ACTOR_LABELS, Some("Retry"), user);
                Ok(())
            })
            .await
        }
        "suspend" => {
            let _: WorkflowSuspendRequest = request(body, "WorkflowSuspendRequest")?;
            kind.update_with_owner(namespace, name, ctx.dry_run, None, ctx.owner(), |wf| {
                if is_completed(wf) {
                    return Err(ApiError::conflict(
                        gr,
                        name,
                        "cannot suspend completed workflows",
                    ));
                }
                if wf.pointer("/spec/suspend").and_then(Value::as_bool) != Some(true) {
                    obj_at(wf, &["spec"]).insert("suspend".into(), json!(true));
                    label_user(wf, ACTOR_LABELS, Some("Suspend"), user);
                }
                Ok(())
            })
            .await
        }
        "resume" => {
            let req: WorkflowResumeRequest = request(body, "WorkflowResumeRequest")?;
            let selector = parse_node_selector(req.node_field_selector.as_deref())?;
            let now = ctx.clock.now_rfc3339();
            let message = user_info_message("Resumed by", user);
            kind.update_with_owner(namespace, name, ctx.dry_run, None, ctx.owner(), |wf| {
                match &selector {
                    Some((text, sel)) => {
                        let values = NodeValues {
                            phase: "Succeeded",
                            message: &message,
                        };
                        update_suspended_nodes(wf, text, sel, &values, &now)
                            .map_err(|why| ApiError::conflict(gr, name, &why))?;
                        label_user(wf, ACTOR_LABELS, Some("Resume"), user);
                        Ok(())
                    }
                    None => {
                        if resume(wf, &message, &now)
                            .map_err(|why| ApiError::conflict(gr, name, &why))?
                        {
                            label_user(wf, ACTOR_LABELS, Some("Resume"), user);
                        }
                        Ok(())
                    }
                }
            })
            .await
        }
        "stop" => {
            let req: WorkflowStopRequest = request(body, "WorkflowStopRequest")?;
            match parse_node_selector(req.node_field_selector.as_deref())? {
                Some((text, sel)) => {
                    let now = ctx.clock.now_rfc3339();
                    let message = req.message.unwrap_or_default();
                    let values = NodeValues {
                        phase: "Failed",
                        message: &message,
                    };
                    kind.update_with_owner(namespace, name, ctx.dry_run, None, ctx.owner(), |wf| {
                        update_suspended_nodes(wf, &text, &sel, &values, &now)
                            .map_err(|why| ApiError::conflict(gr, name, &why))?;
                        label_user(wf, ACTOR_LABELS, Some("Stop"), user);
                        Ok(())
                    })
                    .await
                }
                None => shutdown(kind, namespace, name, "Stop", ctx).await,
            }
        }
        "terminate" => {
            let _: WorkflowTerminateRequest = request(body, "WorkflowTerminateRequest")?;
            shutdown(kind, namespace, name, "Terminate", ctx).await
        }
        _ => Err(ApiError::path_not_found()),
    }
}

// ----- labels -----

/// The label keys of one of upstream's users: who, their email, their preferred username.
type UserLabels = (&'static str, &'static str, &'static str);
const CREATOR_LABELS: UserLabels = (
    LABEL_CREATOR,
    LABEL_CREATOR_EMAIL,
    LABEL_CREATOR_PREFERRED_USERNAME,
);
const ACTOR_LABELS: UserLabels = (
    LABEL_ACTOR,
    LABEL_ACTOR_EMAIL,
    LABEL_ACTOR_PREFERRED_USERNAME,
);

/// `creator.Label`: the user labels from the caller's identity. Upstream reads OIDC claims
/// (subject, email, preferred username); a Kubernetes user has only a username, which stands for
/// the subject, so the email and preferred-username labels go. With no identity at all every
/// user label goes, as upstream does without claims.
fn label_user(obj: &mut Value, keys: UserLabels, action: Option<&str>, username: &str) {
    let labels = obj_at(obj, &["metadata", "labels"]);
    if username.is_empty() {
        for key in [keys.0, keys.1, keys.2, LABEL_ACTION] {
            labels.remove(key);
        }
    } else {
        labels.insert(keys.0.into(), json!(dns_friendly(username)));
        labels.remove(keys.1);
        labels.remove(keys.2);
        match action {
            Some(action) => labels.insert(LABEL_ACTION.into(), json!(dns_friendly(action))),
            None => labels.remove(LABEL_ACTION),
        };
    }
    if labels.is_empty() {
        meta_mut(obj).remove("labels");
    }
}

/// `creator.dnsFriendly`: a label value from any string (at most the last 63 characters, only
/// `[-_.a-zA-Z0-9]`, starting and ending alphanumeric).
pub fn dns_friendly(s: &str) -> String {
    let cleaned: Vec<char> = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '-'
            }
        })
        .collect();
    let tail = &cleaned[cleaned.len().saturating_sub(63)..];
    let tail: String = tail.iter().collect();
    tail.trim_start_matches(|c: char| !c.is_ascii_alphanumeric())
        .trim_end_matches(|c: char| !c.is_ascii_alphanumeric())
        .to_string()
}

/// `creator.UserInfoMap` as upstream prints it into a node message (`fmt`'s `%v` of a map).
fn user_info_message(prefix: &str, username: &str) -> String {
    if username.is_empty() {
        String::new()
    } else {
        format!("{prefix}: map[User:{username}]")
    }
}

// ----- JSON helpers -----

/// The object at `path` under `v`, created (replacing a non-object) when missing.
fn obj_at<'a>(v: &'a mut Value, path: &[&str]) -> &'a mut Map<String, Value> {
    let mut cur = v;
    for key in path {
        if !cur.is_object() {
            *cur = Value::Object(Map::new());
        }
        let Value::Object(m) = cur else {
            unreachable!("made an object above")
        };
        let next = m.entry(*key).or_insert_with(|| Value::Object(Map::new()));
        if !next.is_object() {
            *next = Value::Object(Map::new());
        }
        cur = next;
    }
    if !cur.is_object() {
        *cur = Value::Object(Map::new());
    }
    match cur {
        Value::Object(m) => m,
        _ => unreachable!("made an object above"),
    }
}

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

fn phase(wf: &Value) -> &str {
    wf.pointer("/status/phase")
        .and_then(Value::as_str)
        .unwrap_or("")
}

/// `WorkflowStatus.Fulfilled`: Succeeded, Failed or Error.
fn is_fulfilled(wf: &Value) -> bool {
    matches!(phase(wf), "Succeeded" | "Failed" | "Error")
}

/// `IsWorkflowCompleted` (the controller's `completed=true` label) or a completed phase.
fn is_completed(wf: &Value) -> bool {
    wf.pointer("/metadata/labels")
        .map(|l| text(l, LABEL_COMPLETED) == "true")
        .unwrap_or(false)
        || is_fulfilled(wf)
}

fn failed_or_error(node: &Value) -> bool {
    matches!(text(node, "phase"), "Failed" | "Error")
}

fn string_list(node: &Value, key: &str) -> Vec<String> {
    node.get(key)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(String::from)
                .collect()
        })
        .unwrap_or_default()
}

/// Sets a string list, dropping the key when it is empty (Go's `omitempty`).
fn set_list(node: &mut Value, key: &str, list: Vec<String>) {
    if let Some(m) = node.as_object_mut() {
        if list.is_empty() {
            m.remove(key);
        } else {
            m.insert(key.into(), json!(list));
        }
    }
}

/// Sets a string field, dropping the key when it is empty (Go's `omitempty`).
fn set_text(node: &mut Value, key: &str, value: &str) {
    if let Some(m) = node.as_object_mut() {
        if value.is_empty() {
            m.remove(key);
        } else {
            m.insert(key.into(), json!(value));
        }
    }
}

/// The workflow's nodes, by id. Upstream first inflates compressed or offloaded node status; this
/// server keeps neither, so a workflow that carries them cannot be acted on node by node.
fn nodes_of(wf: &Value) -> Result<BTreeMap<String, Value>, ApiError> {
    let status = &wf["status"];
    if !text(status, "compressedNodes").is_empty()
        || !text(status, "offloadNodeStatusVersion").is_empty()
    {
        return Err(ApiError::bad_request(format!(
            "workflow {:?} keeps its node status compressed or offloaded, which this server cannot expand",
            meta_str(wf, "name").unwrap_or("")
        )));
    }
    Ok(status["nodes"]
        .as_object()
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default())
}

/// `Workflow.NodeID`: the workflow's name for its root node, else `<name>-<fnv32a(nodeName)>`.
pub fn node_id(workflow: &str, node_name: &str) -> String {
    if node_name == workflow {
        return workflow.to_string();
    }
    let mut h: u32 = 0x811c_9dc5;
    for b in node_name.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    format!("{workflow}-{h}")
}

/// `RandSuffix`: 5 random characters of `[a-z0-9]`.
fn rand_suffix() -> String {
    const LETTERS: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    uuid::Uuid::new_v4().as_bytes()[..5]
        .iter()
        .map(|b| LETTERS[*b as usize % LETTERS.len()] as char)
        .collect()
}

/// `overrideParameters`: each `NAME=VALUE` first, then the parameters not overridden, in the
/// spec and (when present) the stored template spec.
fn override_parameters(wf: &mut Value, parameters: &[String]) -> Result<(), ApiError> {
    if parameters.is_empty() {
        return Ok(());
    }
    let mut new = Vec::new();
    let mut passed = BTreeSet::new();
    for p in parameters {
        let (name, value) = p.split_once('=').ok_or_else(|| {
            ApiError::bad_request(format!(
                "expected parameter of the form: NAME=VALUE. Received: {p}"
            ))
        })?;
        new.push(json!({"name": name, "value": value}));
        passed.insert(name.to_string());
    }
    if let Some(old) = wf
        .pointer("/spec/arguments/parameters")
        .and_then(Value::as_array)
    {
        new.extend(
            old.iter()
                .filter(|p| !passed.contains(text(p, "name")))
                .cloned(),
        );
    }
    obj_at(wf, &["spec", "arguments"]).insert("parameters".into(), json!(new));
    if wf["status"]["storedWorkflowTemplateSpec"].is_object() {
        obj_at(wf, &["status", "storedWorkflowTemplateSpec", "arguments"])
            .insert("parameters".into(), json!(new));
    }
    Ok(())
}

/// `isDescendantNodeSucceeded`: some descendant succeeded and is not being reset.
fn descendant_succeeded(
    nodes: &BTreeMap<String, Value>,
    node: &Value,
    resetting: &BTreeSet<String>,
    seen: &mut BTreeSet<String>,
) -> bool {
    for child in string_list(node, "children") {
        if !seen.insert(child.clone()) {
            continue;
        }
        let Some(status) = nodes.get(&child) else {
            continue;
        };
        if (!resetting.contains(&child) && text(status, "phase") == "Succeeded")
            || descendant_succeeded(nodes, status, resetting, seen)
        {
            return true;
        }
    }
    false
}

// ----- resubmit -----

/// `FormulateResubmitWorkflow` followed by `creator.LabelCreator`: the new Workflow to create.
pub fn formulate_resubmit(
    old: &Value,
    memoized: bool,
    parameters: Option<&[String]>,
    username: &str,
    now: &str,
) -> Result<Value, ApiError> {
    let old_name = meta_str(old, "name").unwrap_or("");
    let generate_name = match meta_str(old, "generateName") {
        Some(g) => g.to_string(),
        None => format!("{old_name}-"),
    };
    let mut meta = Map::new();
    meta.insert("generateName".into(), json!(generate_name));
    if let Some(ns) = meta_str(old, "namespace") {
        meta.insert("namespace".into(), json!(ns));
    }
    // Memoized nodes are renamed after the new workflow, so its name is chosen here, the way
    // generateName would.
    let new_name = if memoized {
        if !matches!(phase(old), "Failed" | "Error") {
            return Err(ApiError::bad_request(
                "workflow must be Failed/Error to resubmit in memoized mode",
            ));
        }
        let n = format!("{generate_name}{}", rand_suffix());
        meta.insert("name".into(), json!(n));
        Some(n)
    } else {
        None
    };

    let mut spec = old.get("spec").cloned().unwrap_or_else(|| json!({}));
    if let Some(s) = spec.as_object_mut() {
        if s.get("activeDeadlineSeconds").and_then(Value::as_i64) == Some(0) {
            // It was terminated: the new one gets no deadline.
            s.remove("activeDeadlineSeconds");
        }
        s.remove("shutdown");
    }

    let mut labels = Map::new();
    if let Some(old_labels) = old.pointer("/metadata/labels").and_then(Value::as_object) {
        for (k, v) in old_labels {
            if !matches!(
                k.as_str(),
                LABEL_CREATOR
                    | LABEL_CREATOR_EMAIL
                    | LABEL_CREATOR_PREFERRED_USERNAME
                    | LABEL_PHASE
                    | LABEL_COMPLETED
                    | LABEL_ARCHIVING_STATUS
            ) {
                labels.insert(k.clone(), v.clone());
            }
        }
    }
    meta.insert("labels".into(), Value::Object(labels));
    if let Some(a) = old
        .pointer("/metadata/annotations")
        .and_then(Value::as_object)
        .filter(|a| !a.is_empty())
    {
        meta.insert("annotations".into(), Value::Object(a.clone()));
    }
    if let Some(o) = old
        .pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)
        .filter(|o| !o.is_empty())
    {
        meta.insert("ownerReferences".into(), Value::Array(o.clone()));
    }

    let mut new = json!({
        "apiVersion": old.get("apiVersion").cloned().unwrap_or(Value::Null),
        "kind": old.get("kind").cloned().unwrap_or(Value::Null),
        "metadata": meta,
        "spec": spec,
    });
    label_user(&mut new, CREATOR_LABELS, None, username);
    obj_at(&mut new, &["metadata", "labels"])
        .insert(LABEL_RESUBMITTED_FROM.into(), json!(old_name));
    if let Some(parameters) = parameters {
        override_parameters(&mut new, parameters)?;
    }

    let Some(new_name) = new_name else {
        return Ok(new);
    };
    let old_nodes = nodes_of(old)?;
    let on_exit = format!("{old_name}.onExit");
    // Node names start with the workflow's name: rename them after the new one.
    let rename = |node_name: &str| match node_name.strip_prefix(old_name) {
        Some(rest) => format!("{new_name}{rest}"),
        None => node_name.to_string(),
    };
    let convert = |old_id: &str| {
        let old_node_name = old_nodes.get(old_id).map_or("", |n| text(n, "name"));
        node_id(&new_name, &rename(old_node_name))
    };
    let mut nodes = Map::new();
    for (key, node) in &old_nodes {
        let node_name = text(node, "name");
        if node_name.starts_with(&on_exit) {
            continue;
        }
        let original_id = match text(node, "id") {
            "" => key.as_str(),
            id => id,
        };
        let mut new_node = node.clone();
        let renamed = rename(node_name);
        let id = node_id(&new_name, &renamed);
        set_text(&mut new_node, "name", &renamed);
        set_text(&mut new_node, "id", &id);
        let boundary = text(node, "boundaryID");
        if !boundary.is_empty() {
            set_text(&mut new_node, "boundaryID", &convert(boundary));
        }
        let is_pod = text(node, "type") == "Pod";
        if let Some(m) = new_node.as_object_mut() {
            if failed_or_error(node) && is_pod {
                m.remove("startedAt");
                m.remove("finishedAt");
            } else {
                m.insert("startedAt".into(), json!(now));
                m.insert("finishedAt".into(), json!(now));
            }
        }
        let children = string_list(node, "children")
            .iter()
            .map(|c| convert(c))
            .collect();
        set_list(&mut new_node, "children", children);
        let outbound = string_list(node, "outboundNodes")
            .iter()
            .map(|c| convert(c))
            .collect();
        set_list(&mut new_node, "outboundNodes", outbound);
        if !failed_or_error(node) && is_pod {
            // Its work is done: carry it over instead of running it again.
            set_text(&mut new_node, "phase", "Skipped");
            set_text(&mut new_node, "type", "Skipped");
            set_text(
                &mut new_node,
                "message",
                &format!("original pod: {original_id}"),
            );
        } else if text(node, "type") == "Skipped"
            && !descendant_succeeded(&old_nodes, node, &BTreeSet::new(), &mut BTreeSet::new())
        {
            nodes.remove(&id);
            continue;
        } else {
            set_text(&mut new_node, "phase", "Pending");
            set_text(&mut new_node, "message", "");
        }
        nodes.insert(id, new_node);
    }
    let mut status = Map::new();
    if !nodes.is_empty() {
        status.insert("nodes".into(), Value::Object(nodes));
    }
    if let Some(t) = old
        .pointer("/status/storedTemplates")
        .and_then(Value::as_object)
        .filter(|t| !t.is_empty())
    {
        status.insert("storedTemplates".into(), Value::Object(t.clone()));
    }
    // Phase "" (Unknown) is left out, as upstream's omitempty does.
    status.insert(
        "conditions".into(),
        json!([{"type": "Completed", "status": "False"}]),
    );
    new["status"] = Value::Object(status);
    Ok(new)
}

// ----- retry -----

fn is_group_node_type(t: &str) -> bool {
    matches!(t, "DAG" | "TaskGroup" | "StepGroup" | "Steps")
}

fn is_execution_node_type(t: &str) -> bool {
    matches!(t, "Container" | "Pod" | "HTTP" | "Plugin")
}

/// The node graph `FormulateRetryWorkflow` walks (`newWorkflowsDag`): each node with the one
/// parent recorded for it and its children.
struct Dag<'a> {
    ids: Vec<&'a str>,
    nodes: Vec<&'a Value>,
    parent: Vec<Option<usize>>,
    children: Vec<Vec<usize>>,
}

impl<'a> Dag<'a> {
    fn new(nodes: &'a BTreeMap<String, Value>, wf_name: &str) -> Result<Dag<'a>, ApiError> {
        let index: HashMap<&str, usize> = nodes
            .keys()
            .enumerate()
            .map(|(i, k)| (k.as_str(), i))
            .collect();
        let mut parent = vec![None; nodes.len()];
        let mut children = vec![Vec::new(); nodes.len()];
        // A node that is the child of several (a DAG task with several dependencies) keeps the
        // last parent in id order, as upstream does.
        for (i, node) in nodes.values().enumerate() {
            for child in string_list(node, "children") {
                let c = *index
                    .get(child.as_str())
                    .ok_or_else(|| ApiError::internal(format!("couldn't obtain child {child}")))?;
                parent[c] = Some(i);
                children[i].push(c);
            }
        }
        let on_exit = format!("{wf_name}.onExit");
        for (i, (id, node)) in nodes.iter().enumerate() {
            let name = text(node, "name");
            if parent[i].is_none() && name != wf_name && !name.starts_with(&on_exit) {
                return Err(ApiError::internal(format!(
                    "couldn't find parent node for {id}"
                )));
            }
        }
        Ok(Dag {
            ids: nodes.keys().map(String::as_str).collect(),
            nodes: nodes.values().collect(),
            parent,
            children,
        })
    }

    fn kind(&self, i: usize) -> &str {
        text(self.nodes[i], "type")
    }

    /// `getChildren`: every descendant.
    fn descendants(&self, i: usize) -> BTreeSet<usize> {
        let mut out = BTreeSet::new();
        let mut queue = VecDeque::from([i]);
        while let Some(n) = queue.pop_front() {
            for &c in &self.children[n] {
                if out.insert(c) {
                    queue.push_back(c);
                }
            }
        }
        out
    }

    /// `dagSortedNodes`: breadth-first from the root node (the one named after the workflow);
    /// exit-handler nodes are not reachable from it and drop out.
    fn sorted_from_root(&self, wf_name: &str) -> Result<Vec<usize>, ApiError> {
        let root = (0..self.ids.len())
            .find(|&i| text(self.nodes[i], "name") == wf_name)
            .ok_or_else(|| ApiError::internal("couldn't find root node"))?;
        let mut seen = BTreeSet::from([root]);
        let mut queue = VecDeque::from([root]);
        let mut out = Vec::new();
        while let Some(n) = queue.pop_front() {
            out.push(n);
            for &c in &self.children[n] {
                if seen.insert(c) {
                    queue.push_back(c);
                }
            }
        }
        Ok(out)
    }

    /// Walks up from `from` (inclusive) to the first node `matches` accepts (`resetUntil`).
    fn up_until(&self, from: usize, matches: impl Fn(usize) -> bool) -> Result<usize, ApiError> {
        let mut cur = Some(from);
        // Parent chains are at most as long as there are nodes; more means a cycle.
        for _ in 0..=self.ids.len() {
            let Some(c) = cur else { break };
            if matches(c) {
                return Ok(c);
            }
            cur = self.parent[c];
        }
        Err(ApiError::internal(
            "was seeking node but ran out of nodes to explore",
        ))
    }

    /// `resetBoundaries`: resets the retry and group parents up to each enclosing template
    /// boundary; answers where the walk up continues.
    fn reset_boundaries(
        &self,
        from: usize,
        reset: &mut BTreeSet<usize>,
    ) -> Result<Option<usize>, ApiError> {
        let mut cur = from;
        for _ in 0..=self.ids.len() {
            if let Some(p) = self.parent[cur]
                && self.kind(p) == "Retry"
            {
                reset.insert(p);
                cur = p;
            }
            if let Some(p) = self.parent[cur]
                && matches!(self.kind(p), "StepGroup" | "TaskGroup")
            {
                reset.insert(p);
            }
            let boundary = text(self.nodes[cur], "boundaryID");
            if boundary.is_empty() {
                return Ok(self.parent[cur]);
            }
            cur = self.up_until(cur, |i| self.ids[i] == boundary)?;
            reset.insert(cur);
        }
        Err(ApiError::internal("node boundaries form a cycle"))
    }

    /// `resetPath`: the nodes to reset on the way from the root to `start`, and the nodes to
    /// delete (`start`, its descendants, and the pods around failed containers).
    fn reset_path(
        &self,
        sorted: &[usize],
        start: usize,
    ) -> Result<(BTreeSet<usize>, BTreeSet<usize>), ApiError> {
        // `singularPath`: start must hang off the root through its parents.
        let root = sorted
            .iter()
            .copied()
            .rfind(|&i| self.parent[i].is_none())
            .ok_or_else(|| ApiError::internal("was unable to find root"))?;
        let mut path_len = 1;
        let mut cur = start;
        while cur != root {
            cur = self.parent[cur].ok_or_else(|| {
                ApiError::internal("parent was nil but curr is not the root node")
            })?;
            path_len += 1;
            if path_len > self.ids.len() + 1 {
                return Err(ApiError::internal("node parents form a cycle"));
            }
        }
        let mut delete = self.descendants(start);
        delete.insert(start);
        let mut reset = BTreeSet::new();
        if path_len == 1 {
            return Ok((reset, delete));
        }
        let mut cur = Some(start);
        let mut steps = 0;
        while let Some(c) = cur {
            steps += 1;
            if steps > 4 * (self.ids.len() + 1) {
                return Err(ApiError::internal("node parents form a cycle"));
            }
            let t = self.kind(c);
            if is_group_node_type(t) {
                reset.insert(c);
                cur = self.reset_boundaries(c, &mut reset)?;
                continue;
            } else if t == "Retry" && failed_or_error(self.nodes[c]) {
                reset.insert(c);
            } else if t == "Container" {
                // `resetPod`: a failed container restarts its whole pod.
                let pod = self.up_until(c, |i| self.kind(i) == "Pod")?;
                reset.insert(pod);
                delete.insert(pod);
                delete.extend(self.descendants(pod));
                cur = Some(pod);
                continue;
            }
            cur = self.parent[c];
        }
        Ok((reset, delete))
    }
}

/// `resetNode`: run it again (a Skipped node stays Skipped, or the workflow would hang).
fn reset_node(node: &Value, now: &str) -> Value {
    let mut node = node.clone();
    if text(&node, "type") == "Suspend"
        && let Some(params) = node
            .pointer_mut("/outputs/parameters")
            .and_then(Value::as_array_mut)
    {
        // Supplied values must be supplied again.
        for p in params.iter_mut() {
            *p = json!({"name": text(p, "name"), "valueFrom": {"supplied": {}}});
        }
    }
    if text(&node, "phase") != "Skipped" {
        set_text(&mut node, "phase", "Running");
    }
    set_text(&mut node, "message", "");
    set_text(&mut node, "startedAt", now);
    if let Some(m) = node.as_object_mut() {
        m.remove("finishedAt");
    }
    node
}

/// `SelectorMatchesNode`: the fields a node field selector sees.
fn node_matches(selector: &FieldSelector, node: &Value) -> bool {
    let template_ref = node.get("templateRef").filter(|t| t.is_object());
    selector.matches(&|field: &str| {
        let v = match field {
            "displayName" | "phase" | "name" | "id" => text(node, field).to_string(),
            "templateName" => match template_ref {
                Some(r) => text(r, "template").to_string(),
                None => text(node, "templateName").to_string(),
            },
            "templateRef.name" => text(template_ref?, "name").to_string(),
            "templateRef.template" => text(template_ref?, "template").to_string(),
            _ => {
                let name = field
                    .strip_prefix("inputs.parameters.")?
                    .strip_suffix(".value")?;
                let param = node
                    .pointer("/inputs/parameters")?
                    .as_array()?
                    .iter()
                    .find(|p| text(p, "name") == name)?;
                match param.get("value")? {
                    Value::String(s) => s.clone(),
                    Value::Null => String::new(),
                    other => other.to_string(),
                }
            }
        };
        Some(v)
    })
}

/// `FormulateRetryWorkflow`: the same workflow, reset to run its failed nodes (and, with
/// `restartSuccessful`, the succeeded nodes the selector picks) again.
///
/// Upstream also deletes the pods of the nodes it removes; pods are not objects of this server,
/// so that is left to the workflow controller, which replaces pods that no longer match a node.
pub fn formulate_retry(
    wf: &Value,
    restart_successful: bool,
    node_field_selector: &str,
    parameters: Option<&[String]>,
    now: &str,
) -> Result<Value, ApiError> {
    match phase(wf) {
        "Failed" | "Error" => {}
        "Succeeded" => {
            if !restart_successful || node_field_selector.is_empty() {
                return Err(ApiError::bad_request(
                    "To retry a succeeded workflow, set the options restartSuccessful and nodeFieldSelector",
                ));
            }
        }
        other => {
            return Err(ApiError::conflict(
                GroupResource {
                    group: argo_openapi::catalog::GROUP,
                    resource: "workflows",
                },
                meta_str(wf, "name").unwrap_or(""),
                &format!("Cannot retry a workflow in phase {other}"),
            ));
        }
    }
    let wf_name = meta_str(wf, "name").unwrap_or("");
    let on_exit = format!("{wf_name}.onExit");
    let nodes = nodes_of(wf)?;

    // `createNewRetryWorkflow`: no longer completed.
    let mut new = wf.clone();
    if let Some(labels) = new
        .pointer_mut("/metadata/labels")
        .and_then(Value::as_object_mut)
    {
        labels.remove(LABEL_COMPLETED);
        labels.remove(LABEL_ARCHIVING_STATUS);
    }
    {
        let status = obj_at(&mut new, &["status"]);
        let completed = json!({"type": "Completed", "status": "False"});
        match status.get_mut("conditions").and_then(Value::as_array_mut) {
            Some(conds) => match conds.iter_mut().find(|c| text(c, "type") == "Completed") {
                Some(c) => *c = completed,
                None => conds.push(completed),
            },
            None => {
                status.insert("conditions".into(), json!([completed]));
            }
        }
        status.remove("phase");
        status.remove("nodes");
        status.remove("message");
        status.insert("startedAt".into(), json!(now));
        status.remove("finishedAt");
        status.remove("persistentVolumeClaims");
        if let Some(stored) = status
            .get_mut("storedWorkflowTemplateSpec")
            .and_then(Value::as_object_mut)
        {
            stored.remove("shutdown");
        }
    }
    if let Some(spec) = new.get_mut("spec").and_then(Value::as_object_mut) {
        spec.remove("shutdown");
        if spec.get("activeDeadlineSeconds").and_then(Value::as_i64) == Some(0) {
            spec.remove("activeDeadlineSeconds");
        }
    }
    let parameters = parameters.unwrap_or(&[]);
    override_parameters(&mut new, parameters)?;

    // The nodes the caller asked to restart.
    let mut restart: BTreeSet<String> = BTreeSet::new();
    if restart_successful && !node_field_selector.is_empty() {
        let selector = FieldSelector::parse(node_field_selector)?;
        restart.extend(
            nodes
                .iter()
                .filter(|(_, n)| node_matches(&selector, n))
                .map(|(id, _)| id.clone()),
        );
    }
    // Failed executions with nothing succeeded below them.
    let mut failed = Vec::new();
    for (id, node) in &nodes {
        if failed_or_error(node) && is_execution_node_type(text(node, "type")) {
            let mut subject = node;
            if node.pointer("/nodeFlag/retried").and_then(Value::as_bool) == Some(true)
                && let Some(retry) = nodes
                    .values()
                    .find(|n| text(n, "type") == "Retry" && string_list(n, "children").contains(id))
            {
                subject = retry;
            }
            if !descendant_succeeded(&nodes, subject, &restart, &mut BTreeSet::new()) {
                failed.push(id.clone());
            }
        }
    }
    restart.extend(failed);

    let dag = Dag::new(&nodes, wf_name)?;
    let sorted = dag.sorted_from_root(wf_name)?;
    // Topological order: a node deleted on behalf of an ancestor is never reset on its own.
    let mut to_reset = BTreeSet::new();
    let mut to_delete = BTreeSet::new();
    for &i in &sorted {
        if !restart.contains(dag.ids[i]) || to_delete.contains(&i) {
            continue;
        }
        let (reset, delete) = dag.reset_path(&sorted, i)?;
        to_reset.extend(reset);
        to_delete.extend(delete);
    }
    // New parameter values: groups being reset expand again from scratch.
    if !parameters.is_empty() {
        let groups: Vec<usize> = to_reset
            .iter()
            .copied()
            .filter(|i| !to_delete.contains(i) && matches!(dag.kind(*i), "TaskGroup" | "StepGroup"))
            .collect();
        for g in groups {
            to_delete.extend(dag.descendants(g));
        }
    }

    let deleted: BTreeSet<&str> = to_delete.iter().map(|&i| dag.ids[i]).collect();
    let mut new_nodes = Map::new();
    for &i in &to_reset {
        if !to_delete.contains(&i) {
            new_nodes.insert(dag.ids[i].to_string(), reset_node(dag.nodes[i], now));
        }
    }
    for (id, node) in &nodes {
        if !new_nodes.contains_key(id)
            && !deleted.contains(id.as_str())
            && !text(node, "name").starts_with(&on_exit)
        {
            new_nodes.insert(id.clone(), node.clone());
        }
    }
    for (id, node) in new_nodes.iter_mut() {
        let old = &nodes[id];
        let keep = |list: Vec<String>| -> Vec<String> {
            list.into_iter()
                .filter(|c| !deleted.contains(c.as_str()))
                .collect()
        };
        set_list(node, "children", keep(string_list(old, "children")));
        set_list(
            node,
            "outboundNodes",
            keep(string_list(old, "outboundNodes")),
        );
    }
    if !new_nodes.is_empty() {
        obj_at(&mut new, &["status"]).insert("nodes".into(), Value::Object(new_nodes));
    }
    Ok(new)
}

// ----- suspend nodes, resume, stop -----

fn parse_node_selector(
    selector: Option<&str>,
) -> Result<Option<(String, FieldSelector)>, ApiError> {
    match selector.filter(|s| !s.is_empty()) {
        Some(s) => Ok(Some((s.to_string(), FieldSelector::parse(s)?))),
        None => Ok(None),
    }
}

fn is_active_suspend_node(node: &Value) -> bool {
    text(node, "type") == "Suspend" && text(node, "phase") == "Running"
}

/// `OverrideOutputParametersWithDefault`: supplied output parameters take their default.
fn outputs_to_defaults(node: &mut Value) -> Result<(), String> {
    let Some(params) = node
        .pointer_mut("/outputs/parameters")
        .and_then(Value::as_array_mut)
    else {
        return Ok(());
    };
    for p in params.iter_mut() {
        let Some(value_from) = p.get("valueFrom").filter(|v| v.is_object()) else {
            continue;
        };
        if value_from.get("supplied").is_none_or(Value::is_null) {
            continue;
        }
        let Some(default) = value_from.get("default").filter(|d| !d.is_null()).cloned() else {
            return Err(format!(
                "raw output parameter '{}' has not been set and does not have a default value",
                text(p, "name")
            ));
        };
        if let Some(m) = p.as_object_mut() {
            m.insert("value".into(), default);
            m.remove("valueFrom");
        }
    }
    Ok(())
}

/// `ResumeWorkflow` without a selector: unsuspend, and mark every active suspend node
/// Succeeded. Answers whether anything changed.
fn resume(wf: &mut Value, message: &str, now: &str) -> Result<bool, String> {
    let mut updated = false;
    if wf.pointer("/spec/suspend").and_then(Value::as_bool) == Some(true) {
        obj_at(wf, &["spec"]).remove("suspend");
        updated = true;
    }
    let nodes = nodes_of(wf).map_err(|e| e.status.message)?;
    for (id, mut node) in nodes {
        if !is_active_suspend_node(&node) {
            continue;
        }
        outputs_to_defaults(&mut node)?;
        set_text(&mut node, "phase", "Succeeded");
        let msg = match text(&node, "message") {
            "" => message.to_string(),
            old => format!("{old}; {message}"),
        };
        set_text(&mut node, "message", &msg);
        set_text(&mut node, "finishedAt", now);
        obj_at(wf, &["status", "nodes"]).insert(id, node);
        updated = true;
    }
    Ok(updated)
}

/// What `updateSuspendedNode` sets on the matching suspend nodes.
struct NodeValues<'a> {
    phase: &'a str,
    message: &'a str,
}

/// `updateSuspendedNode`: set the phase (and message) of the active suspend nodes the selector
/// picks; an error when it picks none.
fn update_suspended_nodes(
    wf: &mut Value,
    selector_text: &str,
    selector: &FieldSelector,
    values: &NodeValues<'_>,
    now: &str,
) -> Result<(), String> {
    let nodes = nodes_of(wf).map_err(|e| e.status.message)?;
    let mut updated = false;
    for (id, mut node) in nodes {
        if !is_active_suspend_node(&node) || !node_matches(selector, &node) {
            continue;
        }
        set_text(&mut node, "phase", values.phase);
        set_text(&mut node, "finishedAt", now);
        if !values.message.is_empty() {
            set_text(&mut node, "message", values.message);
        }
        obj_at(wf, &["status", "nodes"]).insert(id, node);
        updated = true;
    }
    if !updated {
        return Err(format!(
            "currently, set only targets suspend nodes: no suspend nodes matching nodeFieldSelector: {selector_text}"
        ));
    }
    Ok(())
}

/// `patchShutdownStrategy`: `spec.shutdown` and the actor labels (a merge patch upstream, so the
/// other actor labels stay), refused once the workflow completed.
async fn shutdown(
    kind: &KindStore,
    namespace: Option<&str>,
    name: &str,
    strategy: &str,
    ctx: &ActionContext<'_>,
) -> Result<WriteResult, ApiError> {
    let gr = gr(kind);
    let user = ctx.actor.username.as_str();
    kind.update_with_owner(namespace, name, ctx.dry_run, None, ctx.owner(), |wf| {
        if is_fulfilled(wf) {
            let why = format!(
                "cannot shutdown a completed workflow: workflow: {:?}, namespace: {:?}",
                meta_str(wf, "name").unwrap_or(name),
                meta_str(wf, "namespace").unwrap_or(namespace.unwrap_or("")),
            );
            return Err(ApiError::conflict(gr, name, &why));
        }
        obj_at(wf, &["spec"]).insert("shutdown".into(), json!(strategy));
        if !user.is_empty() {
            let labels = obj_at(wf, &["metadata", "labels"]);
            labels.insert(LABEL_ACTOR.into(), json!(dns_friendly(user)));
            labels.insert(LABEL_ACTION.into(), json!(strategy));
        }
        Ok(())
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_ids_are_fnv32a_of_the_name() {
        // fnv32a("") is the offset basis.
        assert_eq!(node_id("wf", ""), "wf-2166136261");
        assert_eq!(node_id("wf", "wf"), "wf");
        // fnv32a("a") = 0xe40c292c.
        assert_eq!(node_id("wf", "a"), format!("wf-{}", 0xe40c_292c_u32));
    }

    #[test]
    fn dns_friendly_cleans_like_upstream() {
        assert_eq!(
            dns_friendly("system:serviceaccount:argo:runner"),
            "system-serviceaccount-argo-runner"
        );
        assert_eq!(dns_friendly("-_alice@example.com."), "alice-example.com");
        let long = format!("{}b", "a".repeat(80));
        assert_eq!(dns_friendly(&long).len(), 63);
        assert!(dns_friendly(&long).ends_with('b'));
    }
}
