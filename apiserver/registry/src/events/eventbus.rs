//! EventBus: `ValidateEventBus` (pkg/reconciler/eventbus) and the webhook's update rules.

use argo_openapi::validation::{FieldError, FieldErrorType};
use serde_json::{Value, json};

use super::{present, spec, str_of};
use crate::strategy::Strategy;
use crate::strategy::spec_changed;

const IMPLEMENTATIONS: [&str; 4] = ["nats", "jetstream", "jetstreamExotic", "kafka"];
const IMMUTABLE: &str = "Can not change event bus implementation";

pub struct EventBusStrategy;

impl Strategy for EventBusStrategy {
    fn validate(&self, obj: &Value) -> Vec<FieldError> {
        validate_event_bus(spec(obj))
    }

    fn validate_update(&self, new: &Value, old: &Value) -> Vec<FieldError> {
        if !spec_changed(new, old) {
            return Vec::new();
        }
        let (n, o) = (spec(new), spec(old));
        let mut errs = validate_event_bus(n);
        let kinds = |s: &Value| -> Vec<&str> {
            IMPLEMENTATIONS
                .iter()
                .copied()
                .filter(|k| present(s, k))
                .collect()
        };
        if kinds(n) != kinds(o) {
            errs.push(forbidden("spec", IMMUTABLE));
            return errs;
        }
        if let (Some(nn), Some(on)) = (field(n, "nats"), field(o, "nats")) {
            for (flavour, other) in [("native", "exotic"), ("exotic", "native")] {
                let Some(new_impl) = field(nn, flavour) else {
                    continue;
                };
                match field(on, flavour) {
                    None => errs.push(forbidden(
                        format!("spec.nats.{flavour}"),
                        format!(
                            "Can not change NATS event bus implementation from {other} to {flavour}"
                        ),
                    )),
                    Some(old_impl) => {
                        if auth_changed(old_impl.get("auth"), new_impl.get("auth")) {
                            errs.push(forbidden(
                                format!("spec.nats.{flavour}.auth"),
                                format!(
                                    "\"spec.nats.{flavour}.auth\" is immutable, can not be updated"
                                ),
                            ));
                        }
                    }
                }
            }
        }
        if let (Some(nj), Some(oj)) = (field(n, "jetstream"), field(o, "jetstream")) {
            let (ns, os) = (field(nj, "streamConfig"), field(oj, "streamConfig"));
            if ns != os {
                let detail = match (os.and_then(Value::as_str), ns.and_then(Value::as_str)) {
                    (Some(a), Some(b)) => format!(
                        "\"spec.jetstream.streamConfig\" is immutable, can not be updated, old value='{a}', new value='{b}'"
                    ),
                    _ => "\"spec.jetstream.streamConfig\" is immutable, can not be updated".into(),
                };
                errs.push(forbidden("spec.jetstream.streamConfig", detail));
            }
        }
        errs
    }
}

fn field<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    v.get(key).filter(|x| !x.is_null())
}

fn forbidden(path: impl Into<String>, detail: impl Into<String>) -> FieldError {
    FieldError::new(path, FieldErrorType::Forbidden, None, detail)
}

/// Upstream's `authChanged`: no auth and `none` are the same strategy.
fn auth_changed(old: Option<&Value>, new: Option<&Value>) -> bool {
    let norm = |v: Option<&Value>| {
        v.and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .unwrap_or("none")
            .to_string()
    };
    norm(old) != norm(new)
}

fn validate_event_bus(spec: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let set: Vec<&str> = IMPLEMENTATIONS
        .iter()
        .copied()
        .filter(|k| present(spec, k))
        .collect();
    match set.len() {
        0 => errs.push(FieldError::required(
            "spec",
            "invalid spec: either \"nats\", \"jetstream\", \"jetstreamExotic\", or \"kafka\" needs to be specified",
        )),
        1 => {}
        // Upstream's controller silently uses the first; two implementations are a mistake.
        _ => errs.push(FieldError::invalid(
            "spec",
            json!(set),
            "invalid spec: only one of \"nats\", \"jetstream\", \"jetstreamExotic\", or \"kafka\" can be specified",
        )),
    }
    if let Some(nats) = field(spec, "nats") {
        match (field(nats, "native"), field(nats, "exotic")) {
            (Some(_), Some(_)) => errs.push(FieldError::invalid(
                "spec.nats",
                json!("native and exotic"),
                "\"spec.nats.native\" and \"spec.nats.exotic\" can not be defined together",
            )),
            (None, None) => errs.push(FieldError::required(
                "spec.nats",
                "either \"native\" or \"exotic\" must be defined",
            )),
            (None, Some(exotic)) => {
                if !present(exotic, "clusterID") {
                    errs.push(FieldError::required(
                        "spec.nats.exotic.clusterID",
                        "\"spec.nats.exotic.clusterID\" is missing",
                    ));
                }
                if str_of(exotic, "url").is_empty() {
                    errs.push(FieldError::required(
                        "spec.nats.exotic.url",
                        "\"spec.nats.exotic.url\" is missing",
                    ));
                }
            }
            (Some(_), None) => {}
        }
    }
    if let Some(js) = field(spec, "jetstream") {
        if str_of(js, "version").is_empty() {
            errs.push(FieldError::required(
                "spec.jetstream.version",
                "invalid spec: a version for jetstream needs to be specified",
            ));
        }
        if let Some(r) = js.get("replicas").and_then(Value::as_i64)
            && (r == 2 || r <= 0)
        {
            errs.push(FieldError::invalid(
                "spec.jetstream.replicas",
                json!(r),
                "invalid spec: a jetstream eventbus requires 1 replica or >= 3 replicas",
            ));
        }
    }
    for (key, path) in [
        ("kafka", "spec.kafka.url"),
        ("jetstreamExotic", "spec.jetstreamExotic.url"),
    ] {
        if let Some(x) = field(spec, key)
            && str_of(x, "url").is_empty()
        {
            errs.push(FieldError::required(path, format!("\"{path}\" is missing")));
        }
    }
    errs
}
