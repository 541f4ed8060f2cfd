//! Workflow, WorkflowTemplate, ClusterWorkflowTemplate and CronWorkflow: the static part of
//! upstream's `workflow/validate` (`Workflow`, `WorkflowTemplate`, `ClusterWorkflowTemplate`,
//! `CronWorkflow`), over one core that checks a workflow spec.
//!
//! Static means: what the object says about itself. Whether a `workflowTemplateRef` or a
//! `templateRef` resolves depends on other objects and is left to the controller, as are the
//! variable-resolution checks (`{{...}}`), which need upstream's whole expression scope.
//! Upstream stops at the first error; here every error is reported, each at the field at fault,
//! with upstream's message.
//!
//! Left out on purpose, because manifests in the wild break them and upstream's controller runs
//! such workflows anyway in practice: templates beside a `workflowTemplateRef`, `depends` beside
//! `dependencies` in one DAG, `continueOn` with `depends`, and templates of no type.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use argo_openapi::validation::{FieldError, FieldErrorType};
use argo_webhooks::cron::Schedule;
use serde_json::{Value, json};

use crate::strategy::Strategy;

/// `maxCharsInObjectName`: pods are named after the workflow.
const MAX_NAME: usize = 63;
/// `maxCharsInCronWorkflowName`: a workflow created from a cron workflow appends `-<unix time>`.
const MAX_CRON_NAME: usize = 52;
const TEMPLATE_TYPES: &str = "choose one of: container, containerSet, steps, script, resource, dag, suspend, template, template ref";

/// How a spec is checked, as upstream's `validate.Opts`.
#[derive(Clone, Copy)]
struct Opts {
    /// Templates may leave the entrypoint to the workflow that uses them.
    ignore_entrypoint: bool,
    /// Templates may leave argument values to submission.
    allow_empty_values: bool,
}

/// Workflow. There is no status subresource and the controller (and resubmit) write status
/// through the main resource: only the spec is ever checked, and only when it changes.
pub struct WorkflowStrategy;

impl Strategy for WorkflowStrategy {
    fn validate(&self, obj: &Value) -> Vec<FieldError> {
        let mut errs = name_length(obj, MAX_NAME, "workflow name");
        errs.extend(validate_spec(
            spec(obj),
            "spec",
            Opts {
                ignore_entrypoint: false,
                allow_empty_values: false,
            },
        ));
        errs
    }
}

/// WorkflowTemplate: the entrypoint is optional; argument values may be left to submission.
pub struct WorkflowTemplateStrategy;

impl Strategy for WorkflowTemplateStrategy {
    fn validate(&self, obj: &Value) -> Vec<FieldError> {
        template_rules(obj, "workflow template name")
    }
}

/// ClusterWorkflowTemplate: as WorkflowTemplate.
pub struct ClusterWorkflowTemplateStrategy;

impl Strategy for ClusterWorkflowTemplateStrategy {
    fn validate(&self, obj: &Value) -> Vec<FieldError> {
        template_rules(obj, "cluster workflow template name")
    }
}

fn template_rules(obj: &Value, what: &str) -> Vec<FieldError> {
    let mut errs = name_length(obj, MAX_NAME, what);
    let spec = spec(obj);
    errs.extend(validate_spec(
        spec,
        "spec",
        Opts {
            ignore_entrypoint: str_of(spec, "entrypoint").is_empty(),
            allow_empty_values: true,
        },
    ));
    errs
}

/// CronWorkflow: its own fields, then its workflow spec as a Workflow's.
pub struct CronWorkflowStrategy;

impl Strategy for CronWorkflowStrategy {
    fn validate(&self, obj: &Value) -> Vec<FieldError> {
        let mut errs = name_length(obj, MAX_CRON_NAME, "cron workflow name");
        let spec = spec(obj);
        let schedules: Vec<&Value> = spec
            .get("schedules")
            .and_then(Value::as_array)
            .map(|a| a.iter().collect())
            .unwrap_or_default();
        if schedules.is_empty() {
            errs.push(FieldError::required(
                "spec.schedules",
                "cron workflow must have at least one schedule",
            ));
        }
        for (i, s) in schedules.iter().enumerate() {
            let s = s.as_str().unwrap_or_default();
            if let Err(e) = Schedule::check_standard(s) {
                errs.push(FieldError::invalid(
                    format!("spec.schedules[{i}]"),
                    json!(s),
                    format!("cron schedule {s} is malformed: {e}"),
                ));
            }
        }
        let tz = str_of(spec, "timezone");
        if !tz.is_empty()
            && let Err(e) = jiff::tz::TimeZone::get(tz)
        {
            errs.push(FieldError::invalid(
                "spec.timezone",
                json!(tz),
                format!("invalid timezone {tz:?}: {e}"),
            ));
        }
        let policy = str_of(spec, "concurrencyPolicy");
        if !matches!(policy, "" | "Allow" | "Forbid" | "Replace") {
            errs.push(FieldError::invalid(
                "spec.concurrencyPolicy",
                json!(policy),
                format!("'{policy}' is not a valid concurrencyPolicy"),
            ));
        }
        if let Some(d) = spec.get("startingDeadlineSeconds").and_then(Value::as_i64)
            && d < 0
        {
            errs.push(FieldError::invalid(
                "spec.startingDeadlineSeconds",
                json!(d),
                "startingDeadlineSeconds must be positive",
            ));
        }
        let wf_spec = spec.get("workflowSpec").unwrap_or(&Value::Null);
        errs.extend(
            validate_spec(
                wf_spec,
                "spec.workflowSpec",
                Opts {
                    ignore_entrypoint: false,
                    allow_empty_values: false,
                },
            )
            .into_iter()
            .map(|mut e| {
                e.detail = format!("cannot validate Workflow: {}", e.detail);
                e
            }),
        );
        errs
    }
}

fn spec(obj: &Value) -> &Value {
    obj.get("spec").unwrap_or(&Value::Null)
}

fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

fn present(v: &Value, key: &str) -> bool {
    v.get(key).is_some_and(|x| !x.is_null())
}

fn array<'a>(v: &'a Value, key: &str) -> impl Iterator<Item = &'a Value> {
    v.get(key).and_then(Value::as_array).into_iter().flatten()
}

fn invalid(field: impl Into<String>, value: Value, detail: impl Into<String>) -> FieldError {
    FieldError::invalid(field, value, detail)
}

fn name_length(obj: &Value, max: usize, what: &str) -> Vec<FieldError> {
    let name = obj
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("");
    if name.len() > max {
        vec![invalid(
            "metadata.name",
            json!(name),
            format!(
                "{what} {name:?} must not be more than {max} characters long (currently {})",
                name.len()
            ),
        )]
    } else {
        Vec::new()
    }
}

/// A reference to be resolved later (a placeholder such as `{{inputs.parameters.t}}`).
fn is_dynamic(name: &str) -> bool {
    name.contains("{{")
}

/// `workflowFieldNameFmt`: `[a-zA-Z0-9][-a-zA-Z0-9]*`, at most 128 characters.
fn workflow_field_name_errors(name: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if name.len() > 128 {
        errs.push("must be no more than 128 characters".to_string());
    }
    let mut chars = name.chars();
    let ok = chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '-');
    if !ok {
        errs.push(
            "name must consist of alpha-numeric characters or '-', and must start with an alpha-numeric character (e.g. My-name1-2, 123-NAME)"
                .to_string(),
        );
    }
    errs
}

/// `paramOrArtifactNameRegex`: `^[-a-zA-Z0-9_]+$`.
fn param_name_errors(name: &str) -> Vec<String> {
    if !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        Vec::new()
    } else {
        vec!["Parameter/Artifact name must consist of alpha-numeric characters, '_' or '-' e.g. my_param_1, MY-PARAM-1".to_string()]
    }
}

/// `validateWorkflowFieldNames`: each item named, validly, once. `path` is the list's field
/// path, `prefix` upstream's message prefix for it.
fn field_names(
    errs: &mut Vec<FieldError>,
    items: &[&Value],
    path: &str,
    prefix: &str,
    params: bool,
) -> Vec<String> {
    let mut seen = HashSet::new();
    let mut names = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let name = str_of(item, "name");
        let field = format!("{path}[{i}].name");
        if name.is_empty() {
            errs.push(FieldError::required(
                field,
                format!("{prefix}[{i}].name is required"),
            ));
            continue;
        }
        let problems = if params {
            param_name_errors(name)
        } else {
            workflow_field_name_errors(name)
        };
        if !problems.is_empty() {
            errs.push(invalid(
                field,
                json!(name),
                format!(
                    "{prefix}[{i}].name: '{name}' is invalid: {}",
                    problems.join(";")
                ),
            ));
        } else if !seen.insert(name.to_string()) {
            errs.push(FieldError::new(
                field,
                FieldErrorType::Duplicate,
                Some(json!(name)),
                format!("{prefix}[{i}].name '{name}' is not unique"),
            ));
        }
        names.push(name.to_string());
    }
    names
}

/// `validateArguments`: names, then values.
fn arguments(
    errs: &mut Vec<FieldError>,
    args: &Value,
    path: &str,
    prefix: &str,
    allow_empty: bool,
) {
    let params: Vec<&Value> = array(args, "parameters").collect();
    let artifacts: Vec<&Value> = array(args, "artifacts").collect();
    field_names(
        errs,
        &params,
        &format!("{path}.parameters"),
        &format!("{prefix}parameters"),
        true,
    );
    field_names(
        errs,
        &artifacts,
        &format!("{path}.artifacts"),
        &format!("{prefix}artifacts"),
        true,
    );
    for (i, p) in params.iter().enumerate() {
        let name = str_of(p, "name");
        let field = format!("{path}.parameters[{i}]");
        let value = p.get("value").filter(|v| !v.is_null());
        let value_from = p.get("valueFrom").filter(|v| !v.is_null());
        if value.is_none() && value_from.is_none() && !allow_empty {
            errs.push(FieldError::required(
                format!("{field}.value"),
                format!("{prefix}{name}.value or {prefix}{name}.valueFrom is required"),
            ));
        }
        if let Some(vf) = value_from {
            let allowed = present(vf, "configMapKeyRef")
                || !str_of(vf, "event").is_empty()
                || present(vf, "supplied");
            let forbidden = ["path", "jsonPath", "parameter", "expression"]
                .iter()
                .any(|k| !str_of(vf, k).is_empty());
            if !allowed || forbidden {
                errs.push(invalid(
                    format!("{field}.valueFrom"),
                    vf.clone(),
                    format!("{prefix}{name}.valueFrom only allows: default, configMapKeyRef and supplied"),
                ));
            }
        }
        if let Some(en) = p.get("enum").and_then(Value::as_array) {
            if en.is_empty() {
                errs.push(invalid(
                    format!("{field}.enum"),
                    json!([]),
                    format!("{prefix}{name}.enum should contain at least one value"),
                ));
            } else if let Some(v) = value {
                if !en.contains(v) {
                    errs.push(FieldError::new(
                        format!("{field}.value"),
                        FieldErrorType::NotSupported,
                        Some(v.clone()),
                        format!(
                            "{prefix}{name}.value should be present in {prefix}{name}.enum list"
                        ),
                    ));
                }
            } else if !allow_empty && value_from.is_none() {
                // Reported above as missing value or valueFrom.
            } else if !allow_empty {
                errs.push(FieldError::required(
                    format!("{field}.value"),
                    format!("{prefix}{name}.value is required"),
                ));
            }
        }
    }
    const LOCATIONS: [&str; 11] = [
        "s3",
        "git",
        "http",
        "artifactory",
        "hdfs",
        "raw",
        "oss",
        "gcs",
        "azure",
        "plugin",
        "key",
    ];
    for (i, a) in artifacts.iter().enumerate() {
        let name = str_of(a, "name");
        let from = str_of(a, "from");
        let has_location = LOCATIONS.iter().any(|k| present(a, k));
        if from.is_empty() && !has_location {
            errs.push(FieldError::required(
                format!("{path}.artifacts[{i}].from"),
                format!("{prefix}{name}.from, artifact location, or key is required"),
            ));
        }
        if !from.is_empty() && !str_of(a, "fromExpression").is_empty() {
            errs.push(invalid(
                format!("{path}.artifacts[{i}]"),
                json!(name),
                format!(
                    "{prefix}{name} shouldn't have both `from` and `fromExpression` in Artifact"
                ),
            ));
        }
    }
}

/// The workflow-spec core: `validate.Workflow` without the parts that need other objects.
fn validate_spec(spec: &Value, base: &str, opts: Opts) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let has_ref = present(spec, "workflowTemplateRef");
    let templates: Vec<&Value> = array(spec, "templates").collect();

    let names = field_names(
        &mut errs,
        &templates,
        &format!("{base}.templates"),
        "spec.templates",
        false,
    );
    let defined: BTreeSet<&str> = names.iter().map(String::as_str).collect();
    // With a workflowTemplateRef, template names refer to the referenced template's.
    let resolves = |name: &str| has_ref || is_dynamic(name) || defined.contains(name);

    arguments(
        &mut errs,
        spec.get("arguments").unwrap_or(&Value::Null),
        &format!("{base}.arguments"),
        "spec.arguments.",
        opts.allow_empty_values,
    );

    let entrypoint = str_of(spec, "entrypoint");
    if entrypoint.is_empty() {
        if !opts.ignore_entrypoint && !has_ref {
            errs.push(FieldError::required(
                format!("{base}.entrypoint"),
                "spec.entrypoint is required",
            ));
        }
    } else if !resolves(entrypoint) {
        errs.push(invalid(
            format!("{base}.entrypoint"),
            json!(entrypoint),
            format!("template name '{entrypoint}' undefined"),
        ));
    }
    let on_exit = str_of(spec, "onExit");
    if !on_exit.is_empty() && !resolves(on_exit) {
        errs.push(invalid(
            format!("{base}.onExit"),
            json!(on_exit),
            format!("template name '{on_exit}' undefined"),
        ));
    }
    hooks(
        &mut errs,
        spec.get("hooks"),
        &format!("{base}.hooks"),
        "hooks",
        &resolves,
    );

    if let Some(pod_gc) = spec.get("podGC").filter(|v| !v.is_null()) {
        let strategy = str_of(pod_gc, "strategy");
        if !matches!(
            strategy,
            "" | "OnPodCompletion" | "OnPodSuccess" | "OnWorkflowCompletion" | "OnWorkflowSuccess"
        ) {
            errs.push(invalid(
                format!("{base}.podGC.strategy"),
                json!(strategy),
                format!("podGC.strategy unknown strategy '{strategy}'"),
            ));
        }
    }

    for (i, tmpl) in templates.iter().enumerate() {
        template(
            &mut errs,
            tmpl,
            &format!("{base}.templates[{i}]"),
            &resolves,
        );
    }
    errs
}

/// `validateHooks`, plus: a hook's template is one of the spec's.
fn hooks(
    errs: &mut Vec<FieldError>,
    hooks: Option<&Value>,
    path: &str,
    prefix: &str,
    resolves: &dyn Fn(&str) -> bool,
) {
    let Some(hooks) = hooks.and_then(Value::as_object) else {
        return;
    };
    for (name, hook) in hooks {
        if name != "exit" && str_of(hook, "expression").is_empty() {
            errs.push(FieldError::required(
                format!("{path}.{name}.expression"),
                format!("{prefix}.{name} Expression required"),
            ));
        }
        let t = str_of(hook, "template");
        if !t.is_empty() && !resolves(t) {
            errs.push(invalid(
                format!("{path}.{name}.template"),
                json!(t),
                format!("{prefix}.{name} template name '{t}' undefined"),
            ));
        }
    }
}

/// A step's or task's reference to a template (`validateTemplateHolder`, static part).
fn holder(
    errs: &mut Vec<FieldError>,
    h: &Value,
    path: &str,
    prefix: &str,
    resolves: &dyn Fn(&str) -> bool,
) {
    let t = str_of(h, "template");
    match h.get("templateRef").filter(|v| !v.is_null()) {
        Some(r) => {
            if !t.is_empty() {
                errs.push(FieldError::new(
                    format!("{path}.template"),
                    FieldErrorType::Forbidden,
                    None,
                    format!("{prefix} template name cannot be specified with templateRef"),
                ));
            }
            if str_of(r, "name").is_empty() {
                errs.push(FieldError::required(
                    format!("{path}.templateRef.name"),
                    format!("{prefix} resource name is required"),
                ));
            }
            if str_of(r, "template").is_empty() {
                errs.push(FieldError::required(
                    format!("{path}.templateRef.template"),
                    format!("{prefix} template name is required"),
                ));
            }
        }
        None => {
            if !t.is_empty() && !resolves(t) {
                errs.push(invalid(
                    format!("{path}.template"),
                    json!(t),
                    format!("{prefix} template name '{t}' undefined"),
                ));
            }
        }
    }
}

fn items(errs: &mut Vec<FieldError>, h: &Value, path: &str, prefix: &str) {
    let n = ["withItems", "withParam", "withSequence"]
        .iter()
        .filter(|k| match h.get(**k) {
            None | Some(Value::Null) => false,
            Some(Value::String(s)) => !s.is_empty(),
            Some(Value::Array(a)) => !a.is_empty(),
            Some(_) => true,
        })
        .count();
    if n > 1 {
        errs.push(invalid(
            path,
            json!(n),
            format!("{prefix} only one of withItems, withParam, withSequence can be specified"),
        ));
    }
}

fn template(errs: &mut Vec<FieldError>, tmpl: &Value, path: &str, resolves: &dyn Fn(&str) -> bool) {
    let name = str_of(tmpl, "name");
    let types = [
        "container",
        "containerSet",
        "steps",
        "script",
        "resource",
        "dag",
        "suspend",
        "data",
        "http",
        "plugin",
    ]
    .iter()
    .filter(|k| present(tmpl, k))
    .count();
    // Upstream also refuses a template of no type; manifests in the wild carry such templates
    // (outputs-only helpers), so only two types at once are refused.
    if types > 1 {
        errs.push(invalid(
            path,
            json!(name),
            format!("templates.{name} multiple template types specified. {TEMPLATE_TYPES}"),
        ));
    }
    if let Some(retry) = tmpl.get("retryStrategy").filter(|v| !v.is_null()) {
        let policy = str_of(retry, "retryPolicy");
        if !matches!(
            policy,
            "" | "Always" | "OnError" | "OnFailure" | "OnTransientError"
        ) {
            errs.push(invalid(
                format!("{path}.retryStrategy.retryPolicy"),
                json!(policy),
                format!("{policy} is not a valid RetryPolicy"),
            ));
        }
    }
    let inputs = tmpl.get("inputs").unwrap_or(&Value::Null);
    let params: Vec<&Value> = array(inputs, "parameters").collect();
    field_names(
        errs,
        &params,
        &format!("{path}.inputs.parameters"),
        &format!("templates.{name}.inputs.parameters"),
        true,
    );
    let arts: Vec<&Value> = array(inputs, "artifacts").collect();
    field_names(
        errs,
        &arts,
        &format!("{path}.inputs.artifacts"),
        &format!("templates.{name}.inputs.artifacts"),
        true,
    );

    if let Some(groups) = tmpl.get("steps").and_then(Value::as_array) {
        steps(errs, groups, name, &format!("{path}.steps"), resolves);
    }
    if let Some(dag) = tmpl.get("dag").filter(|v| !v.is_null()) {
        dag_rules(errs, dag, name, &format!("{path}.dag"), resolves);
    }
}

fn steps(
    errs: &mut Vec<FieldError>,
    groups: &[Value],
    tmpl: &str,
    path: &str,
    resolves: &dyn Fn(&str) -> bool,
) {
    let mut seen = HashSet::new();
    for (i, group) in groups.iter().enumerate() {
        // A group is a list of steps (upstream's ParallelSteps).
        for (j, step) in group.as_array().into_iter().flatten().enumerate() {
            let sp = format!("{path}[{i}][{j}]");
            let name = str_of(step, "name");
            if name.is_empty() {
                errs.push(FieldError::required(
                    format!("{sp}.name"),
                    format!("templates.{tmpl}.steps[{i}].name is required"),
                ));
                continue;
            }
            if !seen.insert(name.to_string()) {
                errs.push(FieldError::new(
                    format!("{sp}.name"),
                    FieldErrorType::Duplicate,
                    Some(json!(name)),
                    format!("templates.{tmpl}.steps[{i}].name '{name}' is not unique"),
                ));
            } else if !is_dynamic(name) {
                let problems = workflow_field_name_errors(name);
                if !problems.is_empty() {
                    errs.push(invalid(
                        format!("{sp}.name"),
                        json!(name),
                        format!(
                            "templates.{tmpl}.steps[{i}].name '{name}' is invalid: {}",
                            problems.join(";")
                        ),
                    ));
                }
            }
            let prefix = format!("templates.{tmpl}.steps[{i}].{name}");
            items(errs, step, &sp, &prefix);
            arguments(
                errs,
                step.get("arguments").unwrap_or(&Value::Null),
                &format!("{sp}.arguments"),
                &format!("{prefix}.arguments."),
                false,
            );
            holder(errs, step, &sp, &prefix, resolves);
            hooks(
                errs,
                step.get("hooks"),
                &format!("{sp}.hooks"),
                &prefix,
                resolves,
            );
        }
    }
}

const TASK_RESULTS: [&str; 8] = [
    "Succeeded",
    "Failed",
    "Errored",
    "Skipped",
    "Omitted",
    "Daemoned",
    "AnySucceeded",
    "AllFailed",
];

/// The tasks a `depends` expression names, with whether an items-based result
/// (`AnySucceeded`/`AllFailed`) is used, and the results it names (upstream's `taskNameRegex`).
fn depends_refs(expr: &str) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    let b = expr.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_alphanumeric() {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'-') {
            i += 1;
        }
        let name = expr[start..i].to_string();
        if i + 1 < b.len() && b[i] == b'.' && b[i + 1].is_ascii_uppercase() {
            let rs = i + 1;
            i += 1;
            while i < b.len() && b[i].is_ascii_alphabetic() {
                i += 1;
            }
            out.push((name, Some(expr[rs..i].to_string())));
        } else {
            out.push((name, None));
        }
    }
    out
}

fn dag_rules(
    errs: &mut Vec<FieldError>,
    dag: &Value,
    tmpl: &str,
    path: &str,
    resolves: &dyn Fn(&str) -> bool,
) {
    let tasks: Vec<&Value> = array(dag, "tasks").collect();
    if tasks.is_empty() {
        errs.push(FieldError::required(
            format!("{path}.tasks"),
            format!("templates.{tmpl} must have at least one task"),
        ));
        return;
    }
    field_names(
        errs,
        &tasks,
        &format!("{path}.tasks"),
        &format!("templates.{tmpl}.tasks"),
        false,
    );
    let by_name: BTreeMap<&str, &Value> = tasks.iter().map(|t| (str_of(t, "name"), *t)).collect();
    let using_depends = tasks.iter().any(|t| !str_of(t, "depends").is_empty());
    let mut graph: BTreeMap<&str, Vec<String>> = BTreeMap::new();

    for (j, task) in tasks.iter().enumerate() {
        let tp = format!("{path}.tasks[{j}]");
        let name = str_of(task, "name");
        let prefix = format!("templates.{tmpl}.tasks.{name}");
        let dependencies: Vec<&str> = array(task, "dependencies")
            .filter_map(Value::as_str)
            .collect();
        let depends = str_of(task, "depends");
        if (using_depends || !dependencies.is_empty())
            && name.as_bytes().first().is_some_and(u8::is_ascii_digit)
        {
            errs.push(invalid(
                format!("{tp}.name"),
                json!(name),
                format!("{prefix} name cannot begin with a digit when using either 'depends' or 'dependencies'"),
            ));
        }
        holder(errs, task, &tp, &prefix, resolves);
        items(errs, task, &tp, &prefix);
        arguments(
            errs,
            task.get("arguments").unwrap_or(&Value::Null),
            &format!("{tp}.arguments"),
            &format!("{prefix}.arguments."),
            false,
        );
        hooks(
            errs,
            task.get("hooks"),
            &format!("{tp}.hooks"),
            &prefix,
            resolves,
        );

        // `getTaskDependsLogic`: `depends`, or the `dependencies` joined with &&.
        let (logic, field) = if depends.is_empty() {
            (dependencies.join(" && "), format!("{tp}.dependencies"))
        } else {
            (depends.to_string(), format!("{tp}.depends"))
        };
        let mut deps = Vec::new();
        for (dep, result) in depends_refs(&logic) {
            if let Some(r) = &result
                && !TASK_RESULTS.contains(&r.as_str())
            {
                errs.push(invalid(
                    &field,
                    json!(logic),
                    format!("{prefix} task result '{r}' for task '{dep}' is invalid"),
                ));
            }
            match by_name.get(dep.as_str()) {
                None => errs.push(invalid(
                    &field,
                    json!(logic),
                    format!("{prefix} dependency '{dep}' not defined"),
                )),
                Some(d) => {
                    let items_based =
                        matches!(result.as_deref(), Some("AnySucceeded" | "AllFailed"));
                    let has_items = array(d, "withItems").next().is_some()
                        || !str_of(d, "withParam").is_empty()
                        || present(d, "withSequence");
                    if items_based && !has_items {
                        errs.push(invalid(
                            &field,
                            json!(logic),
                            format!("{prefix} dependency '{dep}' uses an items-based condition such as .AnySucceeded or .AllFailed but does not contain any items"),
                        ));
                    }
                }
            }
            if !deps.contains(&dep) {
                deps.push(dep);
            }
        }
        graph.insert(name, deps);
    }

    if let Some(cycle) = find_cycle(&tasks, &graph) {
        errs.push(invalid(
            format!("{path}.tasks"),
            json!(cycle),
            format!("templates.{tmpl}.tasks dependency cycle detected: {cycle}"),
        ));
    }

    let target = str_of(dag, "target");
    for t in target.split(' ').filter(|t| !t.is_empty()) {
        if !is_dynamic(t) && !by_name.contains_key(t) {
            errs.push(invalid(
                format!("{path}.target"),
                json!(target),
                format!("templates.{tmpl}.targets: target '{t}' is not defined"),
            ));
        }
    }
}

/// Upstream's `verifyNoCycles`: a depth-first walk from each task in order, printing the first
/// cycle found the way upstream does (`b->a->b` when starting from `a`).
fn find_cycle(tasks: &[&Value], graph: &BTreeMap<&str, Vec<String>>) -> Option<String> {
    fn walk(
        name: &str,
        graph: &BTreeMap<&str, Vec<String>>,
        path: &mut Vec<String>,
        visited: &mut HashSet<String>,
    ) -> Option<String> {
        if visited.contains(name) {
            return None;
        }
        for dep in graph.get(name).into_iter().flatten() {
            if !graph.contains_key(dep.as_str()) {
                continue; // reported as not defined
            }
            if path.contains(dep) {
                return Some(format!("{}->{dep}", path.join("->")));
            }
            path.push(dep.clone());
            if let Some(c) = walk(dep, graph, path, visited) {
                return Some(c);
            }
            path.pop();
        }
        visited.insert(name.to_string());
        None
    }
    let mut visited = HashSet::new();
    for t in tasks {
        let mut path = Vec::new();
        if let Some(c) = walk(str_of(t, "name"), graph, &mut path, &mut visited) {
            return Some(c);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depends_expressions_name_their_tasks() {
        let refs = depends_refs("extract.Succeeded && (validate-2.Succeeded || !load)");
        assert_eq!(
            refs,
            vec![
                ("extract".to_string(), Some("Succeeded".to_string())),
                ("validate-2".to_string(), Some("Succeeded".to_string())),
                ("load".to_string(), None),
            ]
        );
    }
}
