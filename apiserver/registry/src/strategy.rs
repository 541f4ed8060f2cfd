//! Per-kind behaviour, as kube-apiserver's registry strategies: what a create or an update of
//! one kind does beyond the generic rules every kind shares (which live in the generic store).

use argo_openapi::ResourceDef;
use argo_openapi::validation::FieldError;
use serde_json::Value;

/// A kind's rules. Every method has the generic behaviour as its default, so a kind only
/// writes what is particular to it.
pub trait Strategy: Send + Sync {
    /// Adjust a new object before validation (defaults that are not schema defaults).
    fn prepare_for_create(&self, _obj: &mut Value) {}

    /// Adjust an updated object before validation; `old` is the stored state.
    fn prepare_for_update(&self, _new: &mut Value, _old: &Value) {}

    /// Kind-specific validation of a new object, beyond its schema.
    fn validate(&self, _obj: &Value) -> Vec<FieldError> {
        Vec::new()
    }

    /// Kind-specific validation of an update, beyond its schema. By default the kind's rules
    /// judge the spec, so an update that leaves it as stored (status or metadata written by a
    /// controller) is not judged again, as upstream validates only when the generation moves.
    fn validate_update(&self, new: &Value, old: &Value) -> Vec<FieldError> {
        if spec_changed(new, old) {
            self.validate(new)
        } else {
            Vec::new()
        }
    }

    /// Warnings to return with a successful write.
    fn warnings(&self, _obj: &Value) -> Vec<String> {
        Vec::new()
    }
}

/// Whether an update changes the object's spec.
pub fn spec_changed(new: &Value, old: &Value) -> bool {
    new.get("spec") != old.get("spec")
}

/// The generic strategy: only the rules every kind shares.
pub struct GenericStrategy;

impl Strategy for GenericStrategy {}

/// The strategy of a kind.
pub fn strategy_for(def: &ResourceDef) -> Box<dyn Strategy> {
    // Argo CD kinds gain their rules through their own hook; the rest share the generic rules.
    match def.kind {
        "Rollout" => Box::new(crate::rollouts::RolloutStrategy),
        "Workflow" => Box::new(crate::workflows::WorkflowStrategy),
        "WorkflowTemplate" => Box::new(crate::workflows::WorkflowTemplateStrategy),
        "ClusterWorkflowTemplate" => Box::new(crate::workflows::ClusterWorkflowTemplateStrategy),
        "CronWorkflow" => Box::new(crate::workflows::CronWorkflowStrategy),
        "EventBus" => Box::new(crate::events::EventBusStrategy),
        "EventSource" => Box::new(crate::events::EventSourceStrategy),
        "Sensor" => Box::new(crate::events::SensorStrategy),
        _ => Box::new(GenericStrategy),
    }
}
