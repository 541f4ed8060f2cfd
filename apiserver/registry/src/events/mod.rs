//! Strategies of the Argo Events kinds: the rules of Argo Events' validating webhook
//! (`pkg/webhook/validator`) that need no other object. Upstream validates an update only when
//! `metadata.generation` changes; here an update is validated when its spec changes, which is the
//! same thing for these kinds (status is a subresource).

pub mod eventbus;
pub mod eventsource;
pub mod sensor;

pub use eventbus::EventBusStrategy;
pub use eventsource::EventSourceStrategy;
pub use sensor::SensorStrategy;

use serde_json::Value;

fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

fn present(v: &Value, key: &str) -> bool {
    v.get(key).is_some_and(|x| !x.is_null())
}

fn spec(obj: &Value) -> &Value {
    obj.get("spec").unwrap_or(&Value::Null)
}
