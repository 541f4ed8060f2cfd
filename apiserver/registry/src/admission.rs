//! In-process admission for our own kinds: what kube-apiserver's admission chain does for
//! built-in kinds (mutate, then validate against other objects), run in the write path after
//! schema and strategy validation, before storage. Kinds register a plugin with
//! [`crate::generic::KindStore::set_admission`]; the Argo CD kinds' plugins live in [`crate::cd`].

use argo_apiserver_core::ApiError;
use serde_json::Value;

/// The write being admitted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    Create,
    Update,
    Delete,
}

/// An admission plugin for one kind.
#[async_trait::async_trait]
pub trait Admission: Send + Sync {
    /// Admits `obj` (the new object; for a delete, the stored one) given `old` (the stored
    /// object on update and delete). May change `obj` on create and update; answers the
    /// warnings to send, or the refusal.
    async fn admit(
        &self,
        op: Operation,
        obj: &mut Value,
        old: Option<&Value>,
    ) -> Result<Vec<String>, ApiError>;
}
