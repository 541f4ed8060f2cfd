//! Argo Events: EventSource, Sensor and EventBus, field-for-field with upstream's JSON
//! (`pkg/apis/events/v1alpha1`).
//!
//! Upstream's CRDs keep `spec` and `status` open; the typed shape comes from upstream's generated
//! OpenAPI document. Upstream marks as `required` every Go field without `omitempty`, including
//! many that real manifests leave out (a webhook's `url`, a trigger's `payload`, an S3 source's
//! keys). Only fields that upstream's validation really demands are plain here; the rest are
//! `Option`, so that upstream's own examples deserialize.
//!
//! Generic upstream names carry the `Events` prefix (`EventsTemplate`, `EventsBackoff`, ...)
//! so that they do not clash with the other Argo projects' types; the JSON is unchanged.

use std::borrow::Cow;
use std::collections::BTreeMap;

use k8s_openapi::api::core::v1 as core;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1 as meta;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Serialize};

mod common;
mod eventbus;
mod eventsource;
mod sensor;

pub use common::*;
pub use eventbus::*;
pub use eventsource::*;
pub use sensor::*;

/// An EventSource: consumes events from external systems (webhooks, schedules, queues, ...)
/// and publishes them on an EventBus.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventSource {
    /// APIVersion of this object (`argoproj.io/v1alpha1`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    /// Kind of this object (`EventSource`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Standard object metadata.
    #[serde(default)]
    pub metadata: meta::ObjectMeta,
    /// Desired state: the event sources to run, by type and name.
    pub spec: EventSourceSpec,
    /// Observed state, written by the controller.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<EventSourceStatus>,
}

/// A Sensor: waits for a combination of events (dependencies) from the EventBus and runs
/// triggers with data taken from them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Sensor {
    /// APIVersion of this object (`argoproj.io/v1alpha1`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    /// Kind of this object (`Sensor`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Standard object metadata.
    #[serde(default)]
    pub metadata: meta::ObjectMeta,
    /// Desired state: dependencies and triggers.
    pub spec: SensorSpec,
    /// Observed state, written by the controller.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<SensorStatus>,
}

/// An EventBus: the transport (NATS streaming, JetStream or Kafka) between event sources and
/// sensors of a namespace.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventBus {
    /// APIVersion of this object (`argoproj.io/v1alpha1`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    /// Kind of this object (`EventBus`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Standard object metadata.
    #[serde(default)]
    pub metadata: meta::ObjectMeta,
    /// Desired state: which bus to run or connect to.
    pub spec: EventBusSpec,
    /// Observed state: conditions and the resolved connection settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<EventBusStatus>,
}

/// A number such as a backoff factor (`1.5`); integers and decimals are kept as written.
// Upstream's `Amount` stores the raw JSON number text. `serde_json::Number` keeps integers as
// integers and decimals as decimals, so `2` and `1.5` both come back unchanged.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct EventsAmount(pub serde_json::Number);

/// An int64 or a string: upstream's `Int64OrString` (a backoff duration given in nanoseconds,
/// or as a duration string such as `"10s"`). It reads and writes the bare value, as upstream's
/// marshalling does.
///
/// An untagged enum is the serde spelling of "the inner type, whichever it is"; the schema is
/// written by hand (`x-kubernetes-int-or-string`), as k8s-openapi does for `IntOrString`,
/// because the derived `anyOf` would not carry the Kubernetes marker.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum EventsInt64OrString {
    /// An integer value.
    Int(i64),
    /// A string value.
    String(String),
}

impl JsonSchema for EventsInt64OrString {
    fn schema_name() -> Cow<'static, str> {
        "EventsInt64OrString".into()
    }

    fn json_schema(_generator: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "An int64 or a string (for durations: nanoseconds, or a duration string such as \"10s\").",
            "x-kubernetes-int-or-string": true,
        })
    }
}

#[cfg(test)]
mod tests;
