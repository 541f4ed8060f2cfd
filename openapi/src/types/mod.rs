//! Rust types for every kind, field-for-field with upstream Argo's JSON.
//!
//! Conventions (all modules):
//! - every optional upstream field is `Option<T>` with `skip_serializing_if = "Option::is_none"`,
//!   lists `Option<Vec<T>>` and maps `Option<BTreeMap<..>>`, so absent, `null`-free empty `[]` and
//!   `false` all survive a round trip (AppProject whitelists depend on absent vs `[]`);
//! - open objects upstream keeps as arbitrary JSON are `serde_json::Value` and say so;
//! - Rust type names are unique across this crate: they become OpenAPI definition names
//!   (`io.argoproj.v1alpha1.<Name>`).

pub mod actions;
pub mod cd;
pub mod events;
pub mod rollouts;
pub mod workflows;
