//! `admission_decisions_total{policy,decision}`: one fixed grid of atomic counters, so counting
//! a decision is one relaxed add and never takes a lock on the review path.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};

/// The policy that made a decision (the `policy` label).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Policy {
    /// Project group/kind, destination and role checks.
    ProjectRbac,
    /// Sync windows of the owning Application's project.
    SyncWindow,
    /// Rollout-owned Deployments, ReplicaSets and Services; rollout-required namespaces.
    RolloutPolicy,
    /// The mutating webhook (tracking labels).
    Mutate,
    /// Validating reviews allowed from the object alone, with no index lookup.
    FastPath,
}

impl Policy {
    /// All policies, in the order they are rendered.
    pub const ALL: [Policy; 5] = [
        Policy::ProjectRbac,
        Policy::SyncWindow,
        Policy::RolloutPolicy,
        Policy::Mutate,
        Policy::FastPath,
    ];

    /// The label value.
    pub fn as_str(self) -> &'static str {
        match self {
            Policy::ProjectRbac => "project-rbac",
            Policy::SyncWindow => "sync-window",
            Policy::RolloutPolicy => "rollout-policy",
            Policy::Mutate => "mutate",
            Policy::FastPath => "fast-path",
        }
    }
}

/// The outcome (the `decision` label).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Decision {
    /// Allowed without a warning.
    Allow,
    /// Refused.
    Deny,
    /// Allowed with a warning (warn mode, or a project that does not exist).
    Warn,
}

impl Decision {
    /// All decisions, in the order they are rendered.
    pub const ALL: [Decision; 3] = [Decision::Allow, Decision::Deny, Decision::Warn];

    /// The label value.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Allow => "allow",
            Decision::Deny => "deny",
            Decision::Warn => "warn",
        }
    }
}

/// The counters.
#[derive(Debug, Default)]
pub struct AdmissionMetrics {
    counts: [[AtomicU64; 3]; 5],
}

fn policy_index(p: Policy) -> usize {
    Policy::ALL.iter().position(|x| *x == p).unwrap_or(0)
}

fn decision_index(d: Decision) -> usize {
    Decision::ALL.iter().position(|x| *x == d).unwrap_or(0)
}

impl AdmissionMetrics {
    /// Counts one decision.
    pub fn record(&self, policy: Policy, decision: Decision) {
        self.counts[policy_index(policy)][decision_index(decision)].fetch_add(1, Ordering::Relaxed);
    }

    /// The current count.
    pub fn get(&self, policy: Policy, decision: Decision) -> u64 {
        self.counts[policy_index(policy)][decision_index(decision)].load(Ordering::Relaxed)
    }

    /// Prometheus text exposition (format 0.0.4), every series included, zeros too, so a rate
    /// query sees the series from the first scrape.
    pub fn render(&self) -> String {
        let mut out = String::with_capacity(1024);
        out.push_str("# HELP admission_decisions_total Admission decisions on native objects, by policy and decision.\n");
        out.push_str("# TYPE admission_decisions_total counter\n");
        for p in Policy::ALL {
            for d in Decision::ALL {
                let _ = writeln!(
                    out,
                    "admission_decisions_total{{policy=\"{}\",decision=\"{}\"}} {}",
                    p.as_str(),
                    d.as_str(),
                    self.get(p, d)
                );
            }
        }
        out
    }
}
