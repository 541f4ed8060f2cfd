//! EventSource: `ValidateEventSource` (pkg/reconciler/eventsource), its static part: event names
//! unique across all types, and at least one event source. The per-type checks of each source's
//! own fields are left to the event source's controller, and so is upstream's refusal to mix
//! rolling-update and recreate types in one spec (manifests in the wild mix them).

use std::collections::BTreeMap;

use argo_openapi::validation::{FieldError, FieldErrorType};
use serde_json::{Value, json};

use super::spec;
use crate::strategy::Strategy;

/// The event source types (spec keys).
const TYPES: [&str; 32] = [
    "amqp",
    "azureEventsHub",
    "azureQueueStorage",
    "azureServiceBus",
    "bitbucket",
    "bitbucketserver",
    "calendar",
    "emitter",
    "file",
    "generic",
    "gerrit",
    "github",
    "gitlab",
    "hdfs",
    "kafka",
    "minio",
    "mns",
    "mqtt",
    "nats",
    "nsq",
    "pubSub",
    "pulsar",
    "redis",
    "redisStream",
    "resource",
    "sftp",
    "slack",
    "sns",
    "sqs",
    "storageGrid",
    "stripe",
    "webhook",
];

pub struct EventSourceStrategy;

impl Strategy for EventSourceStrategy {
    fn validate(&self, obj: &Value) -> Vec<FieldError> {
        validate_event_source(spec(obj))
    }
}

fn validate_event_source(spec: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let mut names: BTreeMap<&str, &str> = BTreeMap::new();
    for ty in TYPES {
        let Some(sources) = spec.get(ty).and_then(Value::as_object) else {
            continue;
        };
        if sources.is_empty() {
            continue;
        }
        for name in sources.keys() {
            if names.insert(name, ty).is_some() {
                // Names are unique across types: they name the events sensors depend on.
                errs.push(FieldError::new(
                    format!("spec.{ty}[{name}]"),
                    FieldErrorType::Duplicate,
                    Some(json!(name)),
                    format!("more than one {name:?} found in the spec"),
                ));
            }
        }
    }
    if names.is_empty() {
        errs.push(FieldError::required(
            "spec",
            "no event sources found: at least one event source needs to be specified",
        ));
    }
    errs
}
