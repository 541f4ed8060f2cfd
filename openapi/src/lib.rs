//! The Argo API surface as data: every kind of `argoproj.io/v1alpha1` typed once (serde, upstream
//! JSON names), its catalog entry, its JSON schema and validator, and the OpenAPI v2/v3 and CRD
//! documents derived from them. No I/O.

pub mod types;

pub mod catalog;
pub mod document;
pub mod schema;
pub mod validation;

pub use catalog::{CATALOG, ResourceDef};
