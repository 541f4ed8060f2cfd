//! Sensor: `ValidateSensor` (pkg/reconciler/sensor), its static part. Whether the Sensor's
//! EventBus exists (and, for a NATS bus, that an event is depended on once) needs the EventBus
//! and is left to the controller; the per-trigger-type field checks are left there too.
//! Beyond upstream's checks, the ones the sensor would otherwise only fail on at run time:
//! dependency names are unique, a trigger has exactly one type, and `conditions` name
//! dependencies that exist.

use std::collections::HashSet;

use argo_openapi::validation::{FieldError, FieldErrorType};
use serde_json::{Value, json};

use super::{present, spec, str_of};
use crate::strategy::Strategy;
use argo_webhooks::cron::Schedule;

/// Keys of a trigger template that are not a trigger type.
const TEMPLATE_FIELDS: [&str; 3] = ["name", "conditions", "conditionsReset"];

pub struct SensorStrategy;

impl Strategy for SensorStrategy {
    fn validate(&self, obj: &Value) -> Vec<FieldError> {
        validate_sensor(spec(obj))
    }
}

fn validate_sensor(spec: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let deps: Vec<&Value> = spec
        .get("dependencies")
        .and_then(Value::as_array)
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    if deps.is_empty() {
        errs.push(FieldError::required(
            "spec.dependencies",
            "no event dependencies found",
        ));
    }
    let mut dep_names = HashSet::new();
    for (i, dep) in deps.iter().enumerate() {
        let p = format!("spec.dependencies[{i}]");
        let name = str_of(dep, "name");
        if name.is_empty() {
            errs.push(FieldError::required(
                format!("{p}.name"),
                "event dependency must define a name",
            ));
        } else if !dep_names.insert(name) {
            errs.push(FieldError::new(
                format!("{p}.name"),
                FieldErrorType::Duplicate,
                Some(json!(name)),
                format!("duplicate dependency name: {name}"),
            ));
        }
        if str_of(dep, "eventSourceName").is_empty() {
            errs.push(FieldError::required(
                format!("{p}.eventSourceName"),
                "event dependency must define the EventSourceName",
            ));
        }
        if str_of(dep, "eventName").is_empty() {
            errs.push(FieldError::required(
                format!("{p}.eventName"),
                "event dependency must define the EventName",
            ));
        }
        let op = str_of(dep, "filtersLogicalOperator");
        if !matches!(op, "" | "and" | "or") {
            errs.push(FieldError::invalid(
                format!("{p}.filtersLogicalOperator"),
                json!(op),
                format!("logical operator {op} not supported"),
            ));
        }
    }

    let triggers: Vec<&Value> = spec
        .get("triggers")
        .and_then(Value::as_array)
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    if triggers.is_empty() {
        errs.push(FieldError::required("spec.triggers", "no triggers found"));
    }
    let mut trigger_names = HashSet::new();
    for (i, trigger) in triggers.iter().enumerate() {
        let p = format!("spec.triggers[{i}]");
        if let Some(name) = validate_trigger(&mut errs, trigger, &p, &dep_names)
            && !trigger_names.insert(name)
        {
            errs.push(FieldError::new(
                format!("{p}.template.name"),
                FieldErrorType::Duplicate,
                Some(json!(name)),
                format!("duplicate trigger name: {name}"),
            ));
        }
    }
    errs
}

/// One trigger's rules; its template name when it has one.
fn validate_trigger<'a>(
    errs: &mut Vec<FieldError>,
    trigger: &'a Value,
    p: &str,
    deps: &HashSet<&str>,
) -> Option<&'a str> {
    let Some(template) = trigger.get("template").filter(|t| !t.is_null()) else {
        errs.push(FieldError::required(
            format!("{p}.template"),
            "trigger template can't be nil",
        ));
        return None;
    };
    let tp = format!("{p}.template");
    let name = str_of(template, "name");
    if name.is_empty() {
        errs.push(FieldError::required(
            format!("{tp}.name"),
            "trigger must define a name",
        ));
    }
    let types: Vec<&str> = template
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(k, v)| !TEMPLATE_FIELDS.contains(&k.as_str()) && !v.is_null())
        .map(|(k, _)| k.as_str())
        .collect();
    match types.len() {
        0 => errs.push(FieldError::required(
            tp.clone(),
            format!("trigger template {name} must define a trigger type"),
        )),
        1 => {}
        _ => errs.push(FieldError::invalid(
            tp.clone(),
            json!(types),
            format!("trigger template {name} can only define one trigger type"),
        )),
    }
    let conditions = str_of(template, "conditions");
    for dep in condition_names(conditions) {
        if !deps.contains(dep) {
            errs.push(FieldError::invalid(
                format!("{tp}.conditions"),
                json!(conditions),
                format!(
                    "trigger template {name} conditions refer to an unknown dependency {dep:?}"
                ),
            ));
        }
    }
    for (j, reset) in template
        .get("conditionsReset")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let rp = format!("{tp}.conditionsReset[{j}]");
        let Some(by_time) = reset.get("byTime").filter(|v| !v.is_null()) else {
            errs.push(FieldError::required(
                format!("{rp}.byTime"),
                "invalid conditionsReset",
            ));
            continue;
        };
        let cron = str_of(by_time, "cron");
        // Upstream's parser takes five fields and no descriptors.
        if Schedule::parse(cron).is_err() {
            errs.push(FieldError::invalid(
                format!("{rp}.byTime.cron"),
                json!(cron),
                format!("invalid cron expression {cron:?}"),
            ));
        }
        let tz = str_of(by_time, "timezone");
        if !tz.is_empty() && jiff::tz::TimeZone::get(tz).is_err() {
            errs.push(FieldError::invalid(
                format!("{rp}.byTime.timezone"),
                json!(tz),
                format!("invalid timezone {tz:?}"),
            ));
        }
    }
    // A dead-letter trigger is a trigger: its template obeys the same rules. (Upstream's
    // atLeastOnce requirements are left out: manifests in the wild omit them.)
    if let Some(dlq) = trigger.get("dlqTrigger").filter(|v| !v.is_null())
        && present(dlq, "template")
    {
        validate_trigger(errs, dlq, &format!("{p}.dlqTrigger"), deps);
    }
    (!name.is_empty()).then_some(name)
}

/// The dependency names a `conditions` expression uses (`dep-a && (dep-b || dep-c)`).
fn condition_names(expr: &str) -> Vec<&str> {
    expr.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .filter(|s| !s.is_empty())
        .collect()
}
