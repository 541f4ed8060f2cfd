//! Strategies of the Argo Rollouts kinds.

pub mod rollout;

pub use rollout::RolloutStrategy;
