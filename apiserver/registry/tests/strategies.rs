//! The per-kind strategies of the Rollouts, Workflows and Events kinds, through the real
//! registry: a valid object of each kind is created, and each rule refuses a broken one with a
//! 422 naming the field and upstream's message.

use std::sync::Arc;

use argo_apiserver_core::params::WriteOptions;
use argo_apiserver_registry::{Registry, RegistryOptions, Subresource};
use argo_apiserver_storage::Store;
use argo_apiserver_storage::embedded::{EmbeddedOptions, EmbeddedStore};
use serde_json::{Value, json};

struct Fixture {
    registry: Arc<Registry>,
    _dir: tempfile::TempDir,
}

fn registry() -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    let store: Arc<dyn Store> = Arc::new(
        EmbeddedStore::open(&dir.path().join("db"), EmbeddedOptions::default()).expect("open"),
    );
    Fixture {
        registry: Registry::new(store, RegistryOptions::default()),
        _dir: dir,
    }
}

fn plural(obj: &Value) -> &'static str {
    match obj["kind"].as_str().expect("kind") {
        "Rollout" => "rollouts",
        "Workflow" => "workflows",
        "WorkflowTemplate" => "workflowtemplates",
        "ClusterWorkflowTemplate" => "clusterworkflowtemplates",
        "CronWorkflow" => "cronworkflows",
        "EventBus" => "eventbus",
        "EventSource" => "eventsources",
        "Sensor" => "sensors",
        k => panic!("no plural for {k}"),
    }
}

fn namespace(obj: &Value) -> Option<&str> {
    obj["metadata"]["namespace"].as_str()
}

async fn create(f: &Fixture, obj: Value) -> Result<Value, argo_apiserver_core::status::ApiError> {
    let kind = f.registry.kind(plural(&obj)).expect("kind");
    let ns = namespace(&obj).map(str::to_string);
    kind.create(ns.as_deref(), obj, &WriteOptions::default())
        .await
        .map(|w| serde_json::from_slice(&w.object).expect("json"))
}

/// The (field, message) causes of a 422 Invalid.
fn causes(e: &argo_apiserver_core::status::ApiError) -> Vec<(String, String)> {
    assert_eq!(e.code(), 422, "{}", e.status.message);
    assert_eq!(e.reason(), "Invalid");
    e.status
        .details
        .as_ref()
        .expect("details")
        .causes
        .iter()
        .map(|c| (c.field.clone(), c.message.clone()))
        .collect()
}

/// Creating `obj` fails with a cause at `field` whose message contains `message`.
async fn refused(f: &Fixture, obj: Value, field: &str, message: &str) {
    let e = create(f, obj.clone())
        .await
        .expect_err(&format!("{field} should be refused"));
    let causes = causes(&e);
    assert!(
        causes
            .iter()
            .any(|(fl, m)| fl == field && m.contains(message)),
        "expected {field}: {message}; got {causes:?}"
    );
}

fn with(mut obj: Value, pointer: &str, value: Value) -> Value {
    let (parent, key) = pointer.rsplit_once('/').expect("pointer");
    let target = if parent.is_empty() {
        &mut obj
    } else {
        obj.pointer_mut(parent).expect("parent exists")
    };
    match target {
        Value::Array(a) => a[key.parse::<usize>().expect("index")] = value,
        Value::Object(m) => {
            if value.is_null() {
                m.remove(key);
            } else {
                m.insert(key.to_string(), value);
            }
        }
        _ => panic!("{pointer}: not a container"),
    }
    obj
}

// ---------------------------------------------------------------- Rollout

fn rollout(name: &str) -> Value {
    json!({
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Rollout",
        "metadata": {"name": name, "namespace": "shop"},
        "spec": {
            "replicas": 3,
            "selector": {"matchLabels": {"app": "checkout"}},
            "template": {
                "metadata": {"labels": {"app": "checkout"}},
                "spec": {"containers": [{"name": "checkout", "image": "checkout:1.0"}]}
            },
            "strategy": {"canary": {
                "canaryService": "checkout-canary",
                "stableService": "checkout-stable",
                "trafficRouting": {
                    "managedRoutes": [{"name": "header"}],
                    "istio": {"virtualService": {"name": "checkout", "routes": ["primary"]}}
                },
                "steps": [
                    {"setWeight": 20},
                    {"pause": {"duration": "1h"}},
                    {"setCanaryScale": {"replicas": 1}},
                    {"setHeaderRoute": {"name": "header", "match": [{"headerName": "X-Canary", "headerValue": {"exact": "yes"}}]}},
                    {"pause": {}}
                ]
            }}
        }
    })
}

fn blue_green(name: &str) -> Value {
    json!({
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Rollout",
        "metadata": {"name": name, "namespace": "shop"},
        "spec": {
            "selector": {"matchLabels": {"app": "billing"}},
            "template": {
                "metadata": {"labels": {"app": "billing"}},
                "spec": {"containers": [{"name": "billing", "image": "billing:1.0"}]}
            },
            "strategy": {"blueGreen": {"activeService": "billing-active", "previewService": "billing-preview"}}
        }
    })
}

#[tokio::test]
async fn valid_rollouts_are_created() {
    let f = registry();
    create(&f, rollout("canary")).await.expect("canary");
    create(&f, blue_green("bg")).await.expect("blue-green");
    let workload = json!({
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Rollout",
        "metadata": {"name": "ref", "namespace": "shop"},
        "spec": {
            "workloadRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
            "strategy": {"canary": {"steps": [{"setWeight": 50}]}}
        }
    });
    create(&f, workload)
        .await
        .expect("workloadRef needs no selector");
}

#[tokio::test]
async fn rollout_spec_rules() {
    let f = registry();
    let c = "/spec/strategy/canary";
    let cases: Vec<(Value, &str, &str)> = vec![
        (with(rollout("a"), "/spec/replicas", json!(-1)), "spec.replicas", "must be greater than or equal to 0"),
        (with(rollout("a"), "/spec/selector", Value::Null), "spec.selector", "Rollout has missing field '.spec.selector'"),
        (with(rollout("a"), "/spec/selector", json!({})), "spec.selector", "empty selector is invalid for deployment"),
        (with(rollout("a"), "/spec/selector", json!({"matchExpressions": [{"key": "app", "operator": "Near", "values": ["x"]}]})),
            "spec.selector.matchExpressions[0].operator", "not a valid selector operator"),
        (with(rollout("a"), "/spec/template/metadata/labels", json!({"app": "other"})),
            "spec.template.metadata.labels", "`selector` does not match template `labels`"),
        (with(rollout("a"), "/spec/template/spec/restartPolicy", json!("Never")),
            "spec.template.spec.restartPolicy", "supported values: \"Always\""),
        (with(rollout("a"), "/spec/workloadRef", json!({"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"})),
            "spec.template", "template must be empty for workload reference rollout"),
        (with(rollout("a"), "/spec/minReadySeconds", json!(-5)), "spec.minReadySeconds", "must be greater than or equal to 0"),
        (with(rollout("a"), "/spec/revisionHistoryLimit", json!(-1)), "spec.revisionHistoryLimit", "must be greater than or equal to 0"),
        (with(with(rollout("a"), "/spec/minReadySeconds", json!(30)), "/spec/progressDeadlineSeconds", json!(30)),
            "spec.progressDeadlineSeconds", "must be greater than minReadySeconds"),
        (with(rollout("a"), "/spec/strategy", json!({})), "spec.strategy",
            "Rollout has missing field '.spec.strategy.canary or .spec.strategy.blueGreen'"),
        (with(rollout("a"), "/spec/strategy/blueGreen", json!({"activeService": "x"})), "spec.strategy", "Multiple Strategies can not be listed"),
        (with(with(rollout("a"), &format!("{c}/maxSurge"), json!(0)), &format!("{c}/maxUnavailable"), json!("0%")),
            "spec.strategy.canary.maxSurge", "MaxSurge and MaxUnavailable both can not be zero"),
        (with(rollout("a"), &format!("{c}/canaryService"), json!("checkout-stable")),
            "spec.strategy.canary.stableService", "same service for the stable and canary services"),
        (with(rollout("a"), &format!("{c}/canaryService"), Value::Null),
            "spec.strategy.canary.canaryService", "Canary service and Stable service must to be set to use Traffic Routing"),
        (with(rollout("a"), &format!("{c}/pingPong"), json!({"pingService": "ping", "pongService": "ping"})),
            "spec.strategy.canary.pingPong.pingService", "same service for the ping and pong services"),
        (with(rollout("a"), &format!("{c}/pingPong"), json!({"pingService": "ping"})),
            "spec.strategy.canary.pingPong.pongService", "Ping service and Pong service must to be set"),
        (with(with(rollout("a"), &format!("{c}/trafficRouting"), json!({"nginx": {"stableIngress": "web"}})), &format!("{c}/pingPong"), json!({"pingService": "a", "pongService": "b"})),
            "spec.strategy.canary.trafficRouting.alb", "Ping-pong feature works with the ALB, Istio, and plugin-based traffic routers only"),
        (with(with(rollout("a"), &format!("{c}/trafficRouting"), json!({"alb": {"ingress": "web", "servicePort": 80}})), &format!("{c}/pingPong"), json!({"pingService": "a", "pongService": "b"})),
            "spec.strategy.canary.trafficRouting.alb.rootService", "Root service field is required"),
        (with(rollout("a"), &format!("{c}/trafficRouting/maxTrafficWeight"), json!(1000)),
            "spec.strategy.canary.trafficRouting.maxTrafficWeight", "only supported in Nginx and Plugins"),
        (with(with(rollout("a"), &format!("{c}/scaleDownDelaySeconds"), json!(30)), &format!("{c}/dynamicStableScale"), json!(true)),
            "spec.strategy.canary.dynamicStableScale", "Canary dynamicStableScale cannot be used with scaleDownDelaySeconds"),
        (with(with(blue_green("a"), "/spec/strategy", json!({"canary": {"scaleDownDelaySeconds": 30, "steps": [{"setWeight": 10}]}})), "/spec/replicas", json!(1)),
            "spec.strategy.canary.scaleDownDelaySeconds", "Canary scaleDownDelaySeconds can only be used with traffic routing"),
        (with(blue_green("a"), "/spec/strategy", json!({"canary": {"dynamicStableScale": true}})),
            "spec.strategy.canary.dynamicStableScale", "Canary dynamicStableScale can only be used with traffic routing"),
        (with(rollout("a"), &format!("{c}/steps/0"), json!({})),
            "spec.strategy.canary.steps[0]", "Step must have one of the following set: experiment, setWeight, setCanaryScale, plugin or pause"),
        (with(rollout("a"), &format!("{c}/steps/0"), json!({"setWeight": 10, "pause": {}})),
            "spec.strategy.canary.steps[0]", "Step must have one of the following set"),
        (with(rollout("a"), &format!("{c}/steps/0"), json!({"setWeight": 101})),
            "spec.strategy.canary.steps[0].setWeight", "SetWeight needs to be between 0 and 100"),
        (with(rollout("a"), &format!("{c}/steps/1"), json!({"pause": {"duration": "soon"}})),
            "spec.strategy.canary.steps[1].pause.duration", "Duration needs to be greater than 0"),
        (with(rollout("a"), &format!("{c}/steps/1"), json!({"pause": {"duration": -3}})),
            "spec.strategy.canary.steps[1].pause.duration", "Duration needs to be greater than 0"),
        (with(blue_green("a"), "/spec/strategy", json!({"canary": {"steps": [{"setCanaryScale": {"weight": 10}}]}})),
            "spec.strategy.canary.trafficRouting", "SetCanaryScale requires TrafficRouting to be set"),
        (with(rollout("a"), &format!("{c}/trafficRouting"), json!({"nginx": {"stableIngress": "web"}})),
            "spec.strategy.canary.steps[3].setHeaderRoute", "SetHeaderRoute requires TrafficRouting, supports Istio and ALB and Apisix"),
        (with(rollout("a"), &format!("{c}/steps/3/setHeaderRoute/match/0/headerValue"), json!({"exact": "a", "prefix": "b"})),
            "spec.strategy.canary.steps[3].setHeaderRoute.match[0]", "StringMatch match value must have exactly one of the following"),
        (with(rollout("a"), &format!("{c}/steps/3/setHeaderRoute/name"), json!("unknown")),
            "spec.strategy.canary.steps[3].setHeaderRoute", "Steps define a route that does not exist in spec.strategy.canary.trafficRouting.managedRoutes"),
        (with(rollout("a"), &format!("{c}/trafficRouting/managedRoutes"), Value::Null),
            "spec.strategy.canary.trafficRouting.managedRoutes", "Rollout has missing field 'spec.strategy.canary.trafficRouting.managedRoutes'"),
        (with(rollout("a"), &format!("{c}/steps/4"), json!({"setMirrorRoute": {"name": "header", "percentage": 10}})).pipe(|r| with(r, &format!("{c}/trafficRouting"), json!({"managedRoutes": [{"name": "header"}], "alb": {"ingress": "web", "servicePort": 80}}))),
            "spec.strategy.canary.steps[4].setMirrorRoute", "SetMirrorRoute requires TrafficRouting, supports Istio and Plugins"),
        (with(rollout("a"), &format!("{c}/trafficRouting/alb"), json!({"ingress": "web", "servicePort": 80})).pipe(|r| with(r, &format!("{c}/steps/3/setHeaderRoute/match/0/headerValue"), json!({"prefix": "y"}))),
            "spec.strategy.canary.steps[3].setHeaderRoute.match[0]", "ALB supports 'exact' value only"),
        (with(blue_green("a"), "/spec/strategy", json!({"canary": {"steps": [{"experiment": {"templates": [{"name": "c", "specRef": "canary", "weight": 5}]}}]}})),
            "spec.strategy.canary.steps[0].experiment.templates[0].weight", "Experiment template weight cannot be set unless TrafficRouting is enabled"),
        (with(rollout("a"), &format!("{c}/steps/0"), json!({"analysis": {"templates": [{"templateName": "t"}], "args": [{"name": "x", "valueFrom": {"fieldRef": {"fieldPath": "metadata.generation"}}}]}})),
            "spec.strategy.canary.steps[0].analysis.args[0].valueFrom.fieldRef.fieldPath", "Analyses arguments must refer to valid object metadata supported by downwardAPI"),
        (with(rollout("a"), &format!("{c}/antiAffinity"), json!({})),
            "spec.strategy.canary.antiAffinity", "AntiAffinity must have exactly one strategy listed"),
        (with(rollout("a"), &format!("{c}/antiAffinity"), json!({"preferredDuringSchedulingIgnoredDuringExecution": {"weight": 0}})),
            "spec.strategy.canary.antiAffinity.preferredDuringSchedulingIgnoredDuringExecution.weight", "AntiAffinity weight must be between 1-100"),
        (with(blue_green("a"), "/spec/strategy/blueGreen/previewService", json!("billing-active")),
            "spec.strategy.blueGreen.activeService", "same service for the active and preview services"),
        (with(blue_green("a"), "/spec/strategy/blueGreen/scaleDownDelayRevisionLimit", json!(11)),
            "spec.strategy.blueGreen.scaleDownDelayRevisionLimit", "revision history limit can not be smaller than the rollout's scale down limit"),
    ];
    for (obj, field, message) in cases {
        refused(&f, obj, field, message).await;
    }
}

trait Pipe: Sized {
    fn pipe(self, f: impl FnOnce(Self) -> Self) -> Self {
        f(self)
    }
}
impl Pipe for Value {}

#[tokio::test]
async fn rollout_reports_every_error_at_once() {
    let f = registry();
    let mut bad = with(rollout("many"), "/spec/replicas", json!(-1));
    bad = with(
        bad,
        "/spec/strategy/canary/steps/0",
        json!({"setWeight": 200}),
    );
    let e = create(&f, bad).await.expect_err("invalid");
    let fields: Vec<String> = causes(&e).into_iter().map(|c| c.0).collect();
    assert!(fields.contains(&"spec.replicas".to_string()), "{fields:?}");
    assert!(
        fields.contains(&"spec.strategy.canary.steps[0].setWeight".to_string()),
        "{fields:?}"
    );
}

#[tokio::test]
async fn rollout_selector_is_immutable_and_status_is_not_validated() {
    let f = registry();
    let ros = f.registry.kind("rollouts").expect("kind");
    let created = create(&f, rollout("r")).await.expect("create");

    let mut changed = created.clone();
    changed["spec"]["selector"] = json!({"matchLabels": {"app": "checkout", "tier": "web"}});
    changed["spec"]["template"]["metadata"]["labels"]["tier"] = json!("web");
    let e = ros
        .update(
            Some("shop"),
            "r",
            changed,
            &WriteOptions::default(),
            Subresource::Main,
        )
        .await
        .expect_err("selector change");
    assert_eq!(
        causes(&e),
        vec![(
            "spec.selector".to_string(),
            "Invalid value: \"object\": .spec.selector is immutable".to_string()
        )]
    );

    // A status write through /status is not subject to the spec rules, whatever it says.
    let mut st = created.clone();
    st["status"] = json!({"phase": "Degraded", "currentStepIndex": -7, "HPAReplicas": 3});
    let after: Value = serde_json::from_slice(
        &ros.update(
            Some("shop"),
            "r",
            st,
            &WriteOptions::default(),
            Subresource::Status,
        )
        .await
        .expect("status update")
        .object,
    )
    .expect("json");

    // A valid spec change is accepted.
    let mut ok = after;
    ok["spec"]["replicas"] = json!(5);
    ros.update(
        Some("shop"),
        "r",
        ok,
        &WriteOptions::default(),
        Subresource::Main,
    )
    .await
    .expect("spec update");
}

// ---------------------------------------------------------------- Workflows

fn workflow(name: &str) -> Value {
    json!({
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Workflow",
        "metadata": {"name": name, "namespace": "argo"},
        "spec": {
            "entrypoint": "main",
            "onExit": "notify",
            "arguments": {"parameters": [{"name": "message", "value": "hello"}]},
            "podGC": {"strategy": "OnPodSuccess"},
            "hooks": {"running": {"expression": "workflow.status == \"Running\"", "template": "notify"}},
            "templates": [
                {"name": "main", "dag": {"tasks": [
                    {"name": "a", "template": "echo"},
                    {"name": "b", "template": "echo", "dependencies": ["a"]},
                    {"name": "c", "template": "steps", "dependencies": ["a", "b"]}
                ]}},
                {"name": "steps", "steps": [[{"name": "one", "template": "echo"}], [{"name": "two", "templateRef": {"name": "lib", "template": "x"}}]]},
                {"name": "echo", "container": {"image": "alpine:3", "command": ["echo", "hi"]}},
                {"name": "notify", "container": {"image": "alpine:3"}}
            ]
        }
    })
}

fn as_kind(mut wf: Value, kind: &str) -> Value {
    wf["kind"] = json!(kind);
    if kind == "ClusterWorkflowTemplate" {
        wf["metadata"].as_object_mut().unwrap().remove("namespace");
    }
    if kind == "CronWorkflow" {
        let spec = wf["spec"].take();
        wf["spec"] = json!({"schedules": ["0 2 * * *"], "timezone": "Europe/Berlin", "concurrencyPolicy": "Forbid", "workflowSpec": spec});
    }
    wf
}

#[tokio::test]
async fn valid_workflow_kinds_are_created() {
    let f = registry();
    for kind in [
        "Workflow",
        "WorkflowTemplate",
        "ClusterWorkflowTemplate",
        "CronWorkflow",
    ] {
        create(&f, as_kind(workflow("ok"), kind))
            .await
            .unwrap_or_else(|e| panic!("{kind}: {}", e.status.message));
    }
    let by_ref = json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow",
        "metadata": {"name": "by-ref", "namespace": "argo"},
        "spec": {"workflowTemplateRef": {"name": "train"}}
    });
    create(&f, by_ref)
        .await
        .expect("entrypoint comes from the template");
    let mut tmpl = as_kind(workflow("no-entry"), "WorkflowTemplate");
    tmpl = with(tmpl, "/spec/entrypoint", Value::Null);
    tmpl = with(
        tmpl,
        "/spec/arguments/parameters/0",
        json!({"name": "message"}),
    );
    create(&f, tmpl)
        .await
        .expect("templates leave entrypoint and values to submission");
}

#[tokio::test]
async fn workflow_spec_rules() {
    let f = registry();
    let long = "w".repeat(64);
    let cases: Vec<(Value, &str, &str)> = vec![
        (
            with(workflow("a"), "/metadata/name", json!(long)),
            "metadata.name",
            "must not be more than 63 characters long (currently 64)",
        ),
        (
            with(workflow("a"), "/spec/entrypoint", Value::Null),
            "spec.entrypoint",
            "spec.entrypoint is required",
        ),
        (
            with(workflow("a"), "/spec/entrypoint", json!("nope")),
            "spec.entrypoint",
            "template name 'nope' undefined",
        ),
        (
            with(workflow("a"), "/spec/onExit", json!("gone")),
            "spec.onExit",
            "template name 'gone' undefined",
        ),
        (
            with(workflow("a"), "/spec/hooks/running/template", json!("gone")),
            "spec.hooks.running.template",
            "hooks.running template name 'gone' undefined",
        ),
        (
            with(workflow("a"), "/spec/hooks/running/expression", Value::Null),
            "spec.hooks.running.expression",
            "hooks.running Expression required",
        ),
        (
            with(workflow("a"), "/spec/podGC/strategy", json!("Sometimes")),
            "spec.podGC.strategy",
            "podGC.strategy unknown strategy 'Sometimes'",
        ),
        (
            with(workflow("a"), "/spec/templates/3/name", json!("echo")),
            "spec.templates[3].name",
            "spec.templates[3].name 'echo' is not unique",
        ),
        (
            with(workflow("a"), "/spec/templates/3/name", json!("-bad")),
            "spec.templates[3].name",
            "spec.templates[3].name: '-bad' is invalid",
        ),
        (
            with(
                workflow("a"),
                "/spec/arguments/parameters/0",
                json!({"name": "message"}),
            ),
            "spec.arguments.parameters[0].value",
            "spec.arguments.message.value or spec.arguments.message.valueFrom is required",
        ),
        (
            with(
                workflow("a"),
                "/spec/arguments/parameters/0",
                json!({"name": "bad name", "value": "x"}),
            ),
            "spec.arguments.parameters[0].name",
            "Parameter/Artifact name must consist of alpha-numeric characters",
        ),
        (
            with(
                workflow("a"),
                "/spec/arguments/parameters/0",
                json!({"name": "env", "value": "qa", "enum": ["dev", "prod"]}),
            ),
            "spec.arguments.parameters[0].value",
            "spec.arguments.env.value should be present in spec.arguments.env.enum list",
        ),
        (
            with(
                workflow("a"),
                "/spec/templates/2/script",
                json!({"image": "alpine", "source": "echo"}),
            ),
            "spec.templates[2]",
            "templates.echo multiple template types specified",
        ),
        (
            with(
                workflow("a"),
                "/spec/templates/0/dag/tasks/1/template",
                json!("missing"),
            ),
            "spec.templates[0].dag.tasks[1].template",
            "templates.main.tasks.b template name 'missing' undefined",
        ),
        (
            with(
                workflow("a"),
                "/spec/templates/0/dag/tasks/1/name",
                json!("a"),
            ),
            "spec.templates[0].dag.tasks[1].name",
            "templates.main.tasks[1].name 'a' is not unique",
        ),
        (
            with(
                workflow("a"),
                "/spec/templates/0/dag/tasks/1/dependencies",
                json!(["zz"]),
            ),
            "spec.templates[0].dag.tasks[1].dependencies",
            "templates.main.tasks.b dependency 'zz' not defined",
        ),
        (
            with(
                workflow("a"),
                "/spec/templates/0/dag/tasks/0/dependencies",
                json!(["b"]),
            ),
            "spec.templates[0].dag.tasks",
            "templates.main.tasks dependency cycle detected: b->a->b",
        ),
        (
            with(
                workflow("a"),
                "/spec/templates/0/dag/tasks/2/depends",
                json!("a.Finished"),
            )
            .pipe(|w| with(w, "/spec/templates/0/dag/tasks/2/dependencies", Value::Null)),
            "spec.templates[0].dag.tasks[2].depends",
            "templates.main.tasks.c task result 'Finished' for task 'a' is invalid",
        ),
        (
            with(
                workflow("a"),
                "/spec/templates/0/dag/tasks/2/depends",
                json!("a.AnySucceeded"),
            )
            .pipe(|w| with(w, "/spec/templates/0/dag/tasks/2/dependencies", Value::Null)),
            "spec.templates[0].dag.tasks[2].depends",
            "dependency 'a' uses an items-based condition",
        ),
        (
            with(
                workflow("a"),
                "/spec/templates/0/dag/tasks/1/name",
                json!("2nd"),
            ),
            "spec.templates[0].dag.tasks[1].name",
            "templates.main.tasks.2nd name cannot begin with a digit",
        ),
        (
            with(workflow("a"), "/spec/templates/0/dag/target", json!("a zz")),
            "spec.templates[0].dag.target",
            "templates.main.targets: target 'zz' is not defined",
        ),
        (
            with(workflow("a"), "/spec/templates/0/dag/tasks", json!([])),
            "spec.templates[0].dag.tasks",
            "templates.main must have at least one task",
        ),
        (
            with(
                workflow("a"),
                "/spec/templates/1/steps/0/0/template",
                json!("missing"),
            ),
            "spec.templates[1].steps[0][0].template",
            "templates.steps.steps[0].one template name 'missing' undefined",
        ),
        (
            with(
                workflow("a"),
                "/spec/templates/1/steps/1/0/name",
                json!("one"),
            ),
            "spec.templates[1].steps[1][0].name",
            "templates.steps.steps[1].name 'one' is not unique",
        ),
        (
            with(
                workflow("a"),
                "/spec/templates/1/steps/0/0/name",
                Value::Null,
            ),
            "spec.templates[1].steps[0][0].name",
            "templates.steps.steps[0].name is required",
        ),
        (
            with(
                workflow("a"),
                "/spec/templates/1/steps/1/0/templateRef/template",
                Value::Null,
            ),
            "spec.templates[1].steps[1][0].templateRef.template",
            "templates.steps.steps[1].two template name is required",
        ),
        (
            with(
                workflow("a"),
                "/spec/templates/1/steps/0/0/withItems",
                json!([1, 2]),
            )
            .pipe(|w| {
                with(
                    w,
                    "/spec/templates/1/steps/0/0/withParam",
                    json!("{{inputs.parameters.list}}"),
                )
            }),
            "spec.templates[1].steps[0][0]",
            "only one of withItems, withParam, withSequence can be specified",
        ),
        (
            with(
                workflow("a"),
                "/spec/templates/2/retryStrategy",
                json!({"retryPolicy": "Sometimes"}),
            ),
            "spec.templates[2].retryStrategy.retryPolicy",
            "Sometimes is not a valid RetryPolicy",
        ),
    ];
    for (obj, field, message) in cases {
        refused(&f, obj, field, message).await;
    }
}

#[tokio::test]
async fn cron_workflow_rules() {
    let f = registry();
    let cron = || as_kind(workflow("nightly"), "CronWorkflow");
    let cases: Vec<(Value, &str, &str)> = vec![
        (
            with(cron(), "/metadata/name", json!("c".repeat(53))),
            "metadata.name",
            "cron workflow name",
        ),
        (
            with(cron(), "/spec/schedules", json!([])),
            "spec.schedules",
            "cron workflow must have at least one schedule",
        ),
        (
            with(cron(), "/spec/schedules", json!(["0 2 * *"])),
            "spec.schedules[0]",
            "cron schedule 0 2 * * is malformed",
        ),
        (
            with(cron(), "/spec/schedules", json!(["0 25 * * *"])),
            "spec.schedules[0]",
            "cron schedule 0 25 * * * is malformed",
        ),
        (
            with(cron(), "/spec/timezone", json!("Mars/Olympus")),
            "spec.timezone",
            "invalid timezone \"Mars/Olympus\"",
        ),
        (
            with(cron(), "/spec/startingDeadlineSeconds", json!(-1)),
            "spec.startingDeadlineSeconds",
            "startingDeadlineSeconds must be positive",
        ),
        (
            with(cron(), "/spec/workflowSpec/entrypoint", Value::Null),
            "spec.workflowSpec.entrypoint",
            "cannot validate Workflow: spec.entrypoint is required",
        ),
    ];
    for (obj, field, message) in cases {
        refused(&f, obj, field, message).await;
    }
    // A long name is fine for the other kinds up to 63.
    create(
        &f,
        as_kind(
            with(workflow("x"), "/metadata/name", json!("t".repeat(63))),
            "WorkflowTemplate",
        ),
    )
    .await
    .expect("63 characters");
}

#[tokio::test]
async fn workflow_status_writes_are_not_validated() {
    let f = registry();
    let wfs = f.registry.kind("workflows").expect("kind");
    // Resubmitted (memoized) workflows arrive with status.nodes; status is never checked.
    let mut wf = workflow("w");
    wf["status"] = json!({"phase": "Running", "nodes": {"w": {"id": "w", "name": "w", "type": "DAG", "phase": "Running"}}});
    let created = create(&f, wf).await.expect("create with status");
    assert_eq!(created["status"]["nodes"]["w"]["phase"], "Running");
    let mut st = created.clone();
    st["status"]["phase"] = json!("Succeeded");
    let after: Value = serde_json::from_slice(
        &wfs.update(
            Some("argo"),
            "w",
            st,
            &WriteOptions::default(),
            Subresource::Main,
        )
        .await
        .expect("status through the main resource")
        .object,
    )
    .expect("json");
    let mut bad = after;
    bad["spec"]["entrypoint"] = json!("nope");
    let e = wfs
        .update(
            Some("argo"),
            "w",
            bad,
            &WriteOptions::default(),
            Subresource::Main,
        )
        .await
        .expect_err("spec change is validated");
    assert!(causes(&e).iter().any(|c| c.0 == "spec.entrypoint"));
}

// ---------------------------------------------------------------- Events

fn event_bus(name: &str, spec: Value) -> Value {
    json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "EventBus",
        "metadata": {"name": name, "namespace": "argo-events"}, "spec": spec})
}

fn event_source(name: &str, spec: Value) -> Value {
    json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "EventSource",
        "metadata": {"name": name, "namespace": "argo-events"}, "spec": spec})
}

fn sensor(name: &str) -> Value {
    json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Sensor",
    "metadata": {"name": name, "namespace": "argo-events"},
    "spec": {
        "dependencies": [
            {"name": "push", "eventSourceName": "github", "eventName": "repo"},
            {"name": "tick", "eventSourceName": "calendar", "eventName": "hourly"}
        ],
        "triggers": [
            {"template": {"name": "log", "conditions": "push && tick", "log": {}}},
            {"template": {"name": "call", "conditions": "push", "http": {"url": "https://example.com/hook"}}}
        ]
    }})
}

#[tokio::test]
async fn event_bus_rules() {
    let f = registry();
    let js = event_bus(
        "default",
        json!({"jetstream": {"version": "2.10.10", "streamConfig": "maxAge: 24h"}}),
    );
    create(&f, js.clone()).await.expect("jetstream");
    create(
        &f,
        event_bus("nats", json!({"nats": {"native": {"auth": "token"}}})),
    )
    .await
    .expect("nats");
    create(
        &f,
        event_bus("kafka", json!({"kafka": {"url": "kafka:9092"}})),
    )
    .await
    .expect("kafka");

    let cases: Vec<(Value, &str, &str)> = vec![
        (
            event_bus("a", json!({})),
            "spec",
            "either \"nats\", \"jetstream\", \"jetstreamExotic\", or \"kafka\" needs to be specified",
        ),
        (
            event_bus(
                "a",
                json!({"kafka": {"url": "k:9092"}, "jetstream": {"version": "2.10.10"}}),
            ),
            "spec",
            "only one of",
        ),
        (
            event_bus("a", json!({"nats": {}})),
            "spec.nats",
            "either \"native\" or \"exotic\" must be defined",
        ),
        (
            event_bus(
                "a",
                json!({"nats": {"native": {}, "exotic": {"url": "nats://x", "clusterID": "c"}}}),
            ),
            "spec.nats",
            "can not be defined together",
        ),
        (
            event_bus("a", json!({"nats": {"exotic": {"url": "nats://x"}}})),
            "spec.nats.exotic.clusterID",
            "\"spec.nats.exotic.clusterID\" is missing",
        ),
        (
            event_bus("a", json!({"jetstream": {}})),
            "spec.jetstream.version",
            "a version for jetstream needs to be specified",
        ),
        (
            event_bus(
                "a",
                json!({"jetstream": {"version": "2.10.10", "replicas": 2}}),
            ),
            "spec.jetstream.replicas",
            "requires 1 replica or >= 3 replicas",
        ),
        (
            event_bus("a", json!({"kafka": {}})),
            "spec.kafka.url",
            "\"spec.kafka.url\" is missing",
        ),
    ];
    for (obj, field, message) in cases {
        refused(&f, obj, field, message).await;
    }

    let stored = |name: &'static str| {
        let ebs = f.registry.kind("eventbus").expect("kind");
        async move {
            let b = ebs
                .get(
                    Some("argo-events"),
                    name,
                    argo_apiserver_core::params::ReadMode::Consistent,
                )
                .await
                .expect("get");
            serde_json::from_slice::<Value>(&b).expect("json")
        }
    };
    let update = |obj: Value| {
        let ebs = f.registry.kind("eventbus").expect("kind");
        async move {
            let name = obj["metadata"]["name"].as_str().unwrap().to_string();
            ebs.update(
                Some("argo-events"),
                &name,
                obj,
                &WriteOptions::default(),
                Subresource::Main,
            )
            .await
        }
    };
    let mut cur = stored("default").await;
    cur["spec"] = json!({"kafka": {"url": "kafka:9092"}});
    let e = update(cur).await.expect_err("implementation change");
    assert_eq!(
        causes(&e),
        vec![(
            "spec".into(),
            "Forbidden: Can not change event bus implementation".into()
        )]
    );

    let mut cur = stored("default").await;
    cur["spec"]["jetstream"]["streamConfig"] = json!("maxAge: 48h");
    let e = update(cur).await.expect_err("streamConfig change");
    assert_eq!(causes(&e)[0].0, "spec.jetstream.streamConfig");
    assert!(
        causes(&e)[0]
            .1
            .contains("\"spec.jetstream.streamConfig\" is immutable, can not be updated")
    );

    let mut cur = stored("nats").await;
    cur["spec"]["nats"]["native"]["auth"] = json!("none");
    let e = update(cur).await.expect_err("auth change");
    assert_eq!(
        causes(&e),
        vec![(
            "spec.nats.native.auth".into(),
            "Forbidden: \"spec.nats.native.auth\" is immutable, can not be updated".into()
        )]
    );

    let mut cur = stored("default").await;
    cur["spec"]["jetstream"]["replicas"] = json!(3);
    update(cur)
        .await
        .expect("other jetstream fields may change");
}

#[tokio::test]
async fn event_source_rules() {
    let f = registry();
    let ok = event_source(
        "hooks",
        json!({
            "webhook": {"push": {"endpoint": "/push", "port": "12000", "method": "POST"}},
            "calendar": {"hourly": {"schedule": "0 * * * *"}}
        }),
    );
    create(&f, ok).await.expect("valid event source");
    refused(
        &f,
        event_source("empty", json!({})),
        "spec",
        "no event sources found",
    )
    .await;
    refused(
        &f,
        event_source(
            "dup",
            json!({
                "webhook": {"push": {"endpoint": "/push", "port": "12000", "method": "POST"}},
                "calendar": {"push": {"interval": "10s"}}
            }),
        ),
        "spec.webhook[push]",
        "more than one \"push\" found in the spec",
    )
    .await;
}

#[tokio::test]
async fn sensor_rules() {
    let f = registry();
    create(&f, sensor("ok")).await.expect("valid sensor");
    let cases: Vec<(Value, &str, &str)> = vec![
        (
            with(sensor("a"), "/spec/dependencies", json!([])),
            "spec.dependencies",
            "no event dependencies found",
        ),
        (
            with(sensor("a"), "/spec/triggers", json!([])),
            "spec.triggers",
            "no triggers found",
        ),
        (
            with(sensor("a"), "/spec/dependencies/1/name", json!("push")),
            "spec.dependencies[1].name",
            "duplicate dependency name: push",
        ),
        (
            with(
                sensor("a"),
                "/spec/dependencies/0/eventSourceName",
                json!(""),
            ),
            "spec.dependencies[0].eventSourceName",
            "event dependency must define the EventSourceName",
        ),
        (
            with(sensor("a"), "/spec/dependencies/0/eventName", json!("")),
            "spec.dependencies[0].eventName",
            "event dependency must define the EventName",
        ),
        (
            with(
                sensor("a"),
                "/spec/dependencies/0/filtersLogicalOperator",
                json!("xor"),
            ),
            "spec.dependencies[0].filtersLogicalOperator",
            "logical operator xor not supported",
        ),
        (
            with(sensor("a"), "/spec/triggers/1/template/name", json!("log")),
            "spec.triggers[1].template.name",
            "duplicate trigger name: log",
        ),
        (
            with(sensor("a"), "/spec/triggers/1/template/name", json!("")),
            "spec.triggers[1].template.name",
            "trigger must define a name",
        ),
        (
            with(sensor("a"), "/spec/triggers/1/template/log", json!({})),
            "spec.triggers[1].template",
            "can only define one trigger type",
        ),
        (
            with(sensor("a"), "/spec/triggers/0/template/log", Value::Null),
            "spec.triggers[0].template",
            "must define a trigger type",
        ),
        (
            with(
                sensor("a"),
                "/spec/triggers/0/template/conditions",
                json!("push || pull"),
            ),
            "spec.triggers[0].template.conditions",
            "unknown dependency \"pull\"",
        ),
        (
            with(
                sensor("a"),
                "/spec/triggers/0/template/conditionsReset",
                json!([{"byTime": {"cron": "61 * * * *"}}]),
            ),
            "spec.triggers[0].template.conditionsReset[0].byTime.cron",
            "invalid cron expression \"61 * * * *\"",
        ),
    ];
    for (obj, field, message) in cases {
        refused(&f, obj, field, message).await;
    }
}
