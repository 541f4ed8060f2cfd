//! WorkflowEventBinding spec.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Arguments, WorkflowTemplateRef};

/// Event.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    /// Selector (https://github.com/expr-lang/expr) that we must must match the event.
    pub selector: String,
}

/// Submit.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Submit {
    /// WorkflowTemplateRef the workflow template to submit.
    pub workflow_template_ref: WorkflowTemplateRef,
    /// Metadata optional means to customize select fields of the workflow metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<ObjectMeta>,
    /// Arguments extracted from the event and then set as arguments to the workflow created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arguments: Option<Arguments>,
}

/// WorkflowEventBindingSpec.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowEventBindingSpec {
    /// The event to bind to.
    pub event: Event,
    /// The workflow template to submit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub submit: Option<Submit>,
}
