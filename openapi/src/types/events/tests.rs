//! Round trip of the Argo Events fixtures through the typed kinds, and the JSON shapes that
//! upstream marshals by hand (`Amount`, `Int64OrString`).

use super::*;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use std::path::PathBuf;

fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/events")
}

fn fixture(name: &str) -> Value {
    let path = fixtures_dir().join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Decodes `json` as `T` and encodes it back: the two JSON values must be equal.
fn round_trip<T: DeserializeOwned + Serialize>(name: &str, json: &Value) -> T {
    let typed: T = serde_json::from_value(json.clone()).unwrap_or_else(|e| panic!("{name}: {e}"));
    let back = serde_json::to_value(&typed).unwrap();
    if &back != json {
        panic!(
            "{name}: round trip changed the object\nfirst difference: {}",
            first_difference(json, &back, String::new())
        );
    }
    typed
}

fn first_difference(a: &Value, b: &Value, path: String) -> String {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for key in x.keys().chain(y.keys()) {
                match (x.get(key), y.get(key)) {
                    (Some(u), Some(v)) if u == v => {}
                    (Some(u), Some(v)) => return first_difference(u, v, format!("{path}.{key}")),
                    (Some(_), None) => return format!("{path}.{key} lost"),
                    (None, _) => return format!("{path}.{key} added"),
                }
            }
            path
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find(|(_, (u, v))| u != v)
            .map(|(i, (u, v))| first_difference(u, v, format!("{path}[{i}]")))
            .unwrap_or(path),
        _ => format!("{path}: {a} became {b}"),
    }
}

#[test]
fn every_events_fixture_round_trips_through_its_kind() {
    let mut seen = Vec::new();
    for entry in std::fs::read_dir(fixtures_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("yaml") {
            continue;
        }
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let json = fixture(&name);
        match json["kind"].as_str() {
            Some("EventSource") => drop(round_trip::<EventSource>(&name, &json)),
            Some("Sensor") => drop(round_trip::<Sensor>(&name, &json)),
            Some("EventBus") => drop(round_trip::<EventBus>(&name, &json)),
            other => panic!("{name}: unexpected kind {other:?}"),
        }
        seen.push(name);
    }
    seen.sort();
    for wanted in [
        "eventbus-jetstream.yaml",
        "eventbus-native-nats.yaml",
        "eventsource-calendar-and-github.yaml",
        "eventsource-webhook.yaml",
        "sensor-http-slack.yaml",
        "sensor-k8s-trigger.yaml",
    ] {
        assert!(seen.iter().any(|s| s == wanted), "missing fixture {wanted}");
    }
}

#[test]
fn sensor_fixture_is_read_into_typed_triggers() {
    let sensor: Sensor = round_trip(
        "sensor-k8s-trigger.yaml",
        &fixture("sensor-k8s-trigger.yaml"),
    );
    let triggers = &sensor.spec.triggers;
    let workflow = triggers[0].template.as_ref().unwrap();
    assert_eq!(workflow.name, "build-workflow");
    let argo = workflow.argo_workflow.as_ref().unwrap();
    assert_eq!(argo.operation.as_deref(), Some("submit"));
    // The workflow manifest inside the trigger is an open object, kept as written.
    let resource = argo.source.as_ref().unwrap().resource.as_ref().unwrap();
    assert_eq!(
        resource["spec"]["workflowTemplateRef"]["name"],
        "build-and-push"
    );
    let parameter = &argo.parameters.as_ref().unwrap()[0];
    assert_eq!(parameter.dest, "spec.arguments.parameters.0.value");
    assert_eq!(parameter.src.as_ref().unwrap().dependency_name, "main-push");

    let retry = triggers[0].retry_strategy.as_ref().unwrap();
    assert_eq!(
        retry.duration,
        Some(EventsInt64OrString::String("2s".into()))
    );
    let dlq = triggers[0].dlq_trigger.as_ref().unwrap();
    let dlq_retry = dlq.retry_strategy.as_ref().unwrap();
    assert_eq!(
        dlq_retry.duration,
        Some(EventsInt64OrString::Int(1_000_000_000))
    );

    let k8s = triggers[1].template.as_ref().unwrap().k8s.as_ref().unwrap();
    let git = k8s.source.as_ref().unwrap().git.as_ref().unwrap();
    assert_eq!(git.file_path, "records/build-record.yaml");
    let policy = triggers[1].policy.as_ref().unwrap().k8s.as_ref().unwrap();
    assert_eq!(policy.error_on_backoff_timeout, Some(true));

    let dependency = &sensor.spec.dependencies[0];
    let filters = dependency.filters.as_ref().unwrap();
    assert_eq!(
        filters.data.as_ref().unwrap()[1].comparator.as_deref(),
        Some(">")
    );
    assert_eq!(filters.time.as_ref().unwrap().start, "06:00:00");
}

#[test]
fn untyped_event_sources_are_kept_as_they_came() {
    let source: EventSource = round_trip(
        "eventsource-calendar-and-github.yaml",
        &fixture("eventsource-calendar-and-github.yaml"),
    );
    let sqs = &source.spec.sqs.as_ref().unwrap()["deploy-queue"];
    assert_eq!(sqs["waitTimeSeconds"], 20);
    assert_eq!(sqs["accessKey"]["name"], "aws-creds");
    // Typed sources are really typed.
    let github = &source.spec.github.as_ref().unwrap()["enterprise-org"];
    assert_eq!(github.github_app.as_ref().unwrap().app_id, 481516);
    let calendar = &source.spec.calendar.as_ref().unwrap()["nightly-build"];
    assert_eq!(calendar.schedule.as_deref(), Some("30 2 * * *"));
}

#[test]
fn backoff_factor_keeps_integers_and_decimals_apart() {
    // Upstream's Amount writes back the number text it read: `2` stays `2`, `1.5` stays `1.5`.
    let backoff: EventsBackoff = serde_json::from_value(json!({
        "duration": 1500000000,
        "factor": 2,
        "jitter": 0.25,
        "steps": 3
    }))
    .unwrap();
    assert_eq!(
        serde_json::to_value(&backoff).unwrap(),
        json!({"duration": 1500000000, "factor": 2, "jitter": 0.25, "steps": 3})
    );
    assert_eq!(
        backoff.duration,
        Some(EventsInt64OrString::Int(1_500_000_000))
    );
}

#[test]
fn backoff_amount_must_be_a_number() {
    let err = serde_json::from_value::<EventsBackoff>(json!({"factor": "fast"})).unwrap_err();
    assert!(
        err.to_string().contains("factor") || err.to_string().contains("number"),
        "{err}"
    );
}

#[test]
fn trigger_without_a_name_is_rejected() {
    let err = serde_json::from_value::<TriggerTemplate>(json!({"log": {}})).unwrap_err();
    assert!(err.to_string().contains("missing field `name`"), "{err}");
}

#[test]
fn webhook_without_url_is_accepted_as_upstream_examples_write_it() {
    let hook: WebhookEventSource =
        serde_json::from_value(json!({"port": "12000", "endpoint": "/example", "method": "POST"}))
            .unwrap();
    assert_eq!(hook.url, None);
}

#[test]
fn int64_or_string_schema_is_marked_for_kubernetes() {
    let schema = schemars::schema_for!(EventsInt64OrString);
    assert_eq!(schema.get("x-kubernetes-int-or-string"), Some(&json!(true)));
}

fn schema_problems(json: &Value) -> Vec<String> {
    let kind = json["kind"].as_str().unwrap_or_default();
    let validator =
        crate::validation::validator(kind).unwrap_or_else(|| panic!("no validator for {kind}"));
    let mut problems: Vec<String> = validator
        .validate(json)
        .iter()
        .map(|e| format!("{e:?}"))
        .collect();
    problems.extend(
        validator
            .unknown_fields(json)
            .into_iter()
            .map(|f| format!("unknown field {f}")),
    );
    problems
}

#[test]
fn every_events_fixture_passes_its_schema_with_no_unknown_field() {
    for entry in std::fs::read_dir(fixtures_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("yaml") {
            continue;
        }
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let problems = schema_problems(&fixture(&name));
        assert!(problems.is_empty(), "{name}: {problems:#?}");
    }
}

#[test]
fn schema_rejects_a_sensor_with_a_nameless_trigger_and_a_text_factor() {
    let mut sensor = fixture("sensor-http-slack.yaml");
    let trigger = &mut sensor["spec"]["triggers"][0];
    trigger["template"].as_object_mut().unwrap().remove("name");
    trigger["retryStrategy"]["factor"] = json!("fast");
    let problems = schema_problems(&sensor).join("\n");
    assert!(
        problems.contains("spec.triggers[0].template.name"),
        "{problems}"
    );
    assert!(
        problems.contains("spec.triggers[0].retryStrategy.factor"),
        "{problems}"
    );
}

#[test]
fn schema_keeps_untyped_event_sources_open_and_typed_ones_closed() {
    let mut source = fixture("eventsource-calendar-and-github.yaml");
    source["spec"]["sqs"]["deploy-queue"]["someFutureField"] = json!({"a": 1});
    assert!(schema_problems(&source).is_empty());
    source["spec"]["calendar"]["heartbeat"]["someFutureField"] = json!(true);
    let problems = schema_problems(&source).join("\n");
    assert!(problems.contains("someFutureField"), "{problems}");
}
