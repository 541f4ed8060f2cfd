//! Strategies of the Argo Workflows kinds.

pub mod workflow;

pub use workflow::{
    ClusterWorkflowTemplateStrategy, CronWorkflowStrategy, WorkflowStrategy,
    WorkflowTemplateStrategy,
};
