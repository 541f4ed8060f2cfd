//! The command line: `kubectl argo <verb> <resource> <name> [args] [flags]`, parsed by clap,
//! then checked into a [`Plan`] (which action on which object, with which request body).

use std::path::PathBuf;

use argo_openapi::types::actions::{
    ApplicationRollbackRequest, ApplicationSyncRequest, ApplicationTerminateRequest,
    RolloutAbortRequest, RolloutPauseRequest, RolloutPromoteRequest, RolloutRestartRequest,
    RolloutResumeRequest, RolloutRetryRequest, WorkflowResubmitRequest, WorkflowResumeRequest,
    WorkflowRetryRequest, WorkflowStopRequest, WorkflowSuspendRequest, WorkflowTerminateRequest,
};
use clap::builder::NonEmptyStringValueParser;
use clap::{Parser, Subcommand, ValueEnum};
use serde::Serialize;
use serde_json::Value;

#[derive(Debug, Parser)]
#[command(
    name = "kubectl-argo",
    bin_name = "kubectl argo",
    version,
    about = "Run Argo actions (sync, rollback, promote, resubmit, ...) on Applications, Rollouts \
             and Workflows served by argo-apiserver",
    after_help = "Resource types: app (apps, application, applications), ro (rollout, rollouts), \
                  wf (workflow, workflows).\n\nExamples:\n  kubectl argo sync app guestbook \
                  -n argocd --revision HEAD\n  kubectl argo promote ro web --full\n  kubectl argo \
                  resubmit wf hello-abc12 --memoized -p message=hi"
)]
pub struct Cli {
    /// Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)
    #[arg(long, global = true, value_name = "PATH")]
    pub kubeconfig: Option<PathBuf>,
    /// The kubeconfig context to use
    #[arg(long, global = true, value_name = "NAME")]
    pub context: Option<String>,
    /// The kubeconfig cluster to use
    #[arg(long, global = true, value_name = "NAME")]
    pub cluster: Option<String>,
    /// The kubeconfig user to use
    #[arg(long, global = true, value_name = "NAME")]
    pub user: Option<String>,
    /// Namespace of the object (default: the context's namespace, then "default")
    #[arg(short = 'n', long, global = true, value_name = "NAMESPACE")]
    pub namespace: Option<String>,
    /// Print the resulting object instead of a summary line
    #[arg(short = 'o', long, global = true, value_enum, value_name = "FORMAT")]
    pub output: Option<Output>,
    #[command(subcommand)]
    pub verb: Verb,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Output {
    Json,
    Yaml,
    Name,
}

/// The three kinds that have actions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Application,
    Rollout,
    Workflow,
}

impl Kind {
    pub fn plural(self) -> &'static str {
        match self {
            Kind::Application => "applications",
            Kind::Rollout => "rollouts",
            Kind::Workflow => "workflows",
        }
    }

    pub fn singular(self) -> &'static str {
        match self {
            Kind::Application => "application",
            Kind::Rollout => "rollout",
            Kind::Workflow => "workflow",
        }
    }
}

/// Parses a resource type the way kubectl accepts one: short name, singular, plural, or the
/// fully qualified `<plural>.argoproj.io`.
fn parse_kind(s: &str) -> Result<Kind, String> {
    let lower = s.to_ascii_lowercase();
    let bare = lower
        .strip_suffix(".argoproj.io")
        .or_else(|| lower.strip_suffix(".v1alpha1.argoproj.io"))
        .unwrap_or(&lower);
    let bare = bare.strip_suffix(".v1alpha1").unwrap_or(bare);
    match bare {
        "app" | "apps" | "application" | "applications" => Ok(Kind::Application),
        "ro" | "rollout" | "rollouts" => Ok(Kind::Rollout),
        "wf" | "workflow" | "workflows" => Ok(Kind::Workflow),
        _ => Err(format!(
            "unknown resource type \"{s}\": use app (applications), ro (rollouts) or wf \
             (workflows)"
        )),
    }
}

/// Checks a `-p NAME=VALUE` parameter as upstream Argo does, before anything is sent.
fn parse_parameter(s: &str) -> Result<String, String> {
    match s.split_once('=') {
        Some((name, _)) if !name.is_empty() => Ok(s.to_string()),
        _ => Err(format!(
            "expected parameter of the form: NAME=VALUE. Received: {s}"
        )),
    }
}

/// The object an action targets.
#[derive(Debug, clap::Args)]
pub struct Target {
    /// Resource type (app, ro or wf)
    #[arg(value_name = "RESOURCE", value_parser = parse_kind)]
    pub kind: Kind,
    /// Name of the object
    #[arg(value_name = "NAME", value_parser = NonEmptyStringValueParser::new())]
    pub name: String,
}

#[derive(Debug, Subcommand)]
pub enum Verb {
    /// Request a sync of an Application (app)
    Sync {
        #[command(flatten)]
        target: Target,
        /// Revision (Git) or chart version (Helm) to sync to
        #[arg(long, value_name = "REVISION")]
        revision: Option<String>,
        /// Delete resources that are no longer in the desired state
        #[arg(long)]
        prune: bool,
        /// Compute the sync without changing anything
        #[arg(long)]
        dry_run: bool,
    },
    /// Roll an Application (app) back to an entry of its history
    Rollback {
        #[command(flatten)]
        target: Target,
        /// ID of the status.history entry to roll back to
        #[arg(value_name = "ID")]
        id: i64,
        /// Delete resources that are not in the target revision
        #[arg(long)]
        prune: bool,
        /// Compute the rollback without changing anything
        #[arg(long)]
        dry_run: bool,
    },
    /// Terminate an Application's (app) running operation, or a Workflow (wf)
    Terminate {
        #[command(flatten)]
        target: Target,
    },
    /// Promote a Rollout (ro) past its current pause or step
    Promote {
        #[command(flatten)]
        target: Target,
        /// Skip all remaining steps, pauses and analyses
        #[arg(long)]
        full: bool,
    },
    /// Abort a Rollout's (ro) update and go back to the stable version
    Abort {
        #[command(flatten)]
        target: Target,
    },
    /// Retry an aborted Rollout (ro), or the failed nodes of a Workflow (wf)
    Retry {
        #[command(flatten)]
        target: Target,
        /// Workflows: also rerun the succeeded nodes that --node-field-selector selects
        #[arg(long)]
        restart_successful: bool,
        /// Workflows: field selector over the nodes to restart (e.g. templateName=build)
        #[arg(long, value_name = "SELECTOR")]
        node_field_selector: Option<String>,
        /// Workflows: parameter override NAME=VALUE (repeatable)
        #[arg(short = 'p', long = "parameter", value_name = "NAME=VALUE", value_parser = parse_parameter)]
        parameters: Vec<String>,
    },
    /// Restart the pods of a Rollout (ro)
    Restart {
        #[command(flatten)]
        target: Target,
        /// Delay before the restart, e.g. 30s or 5m
        #[arg(long = "in", value_name = "DURATION")]
        r#in: Option<String>,
    },
    /// Pause a Rollout (ro)
    Pause {
        #[command(flatten)]
        target: Target,
    },
    /// Resume a paused Rollout (ro) or a suspended Workflow (wf)
    Resume {
        #[command(flatten)]
        target: Target,
        /// Workflows: field selector over the suspend nodes to resume
        #[arg(long, value_name = "SELECTOR")]
        node_field_selector: Option<String>,
    },
    /// Create a new Workflow (wf) from this one
    Resubmit {
        #[command(flatten)]
        target: Target,
        /// Reuse the results of the nodes that succeeded (Failed or Error workflows only)
        #[arg(long)]
        memoized: bool,
        /// Parameter override NAME=VALUE (repeatable)
        #[arg(short = 'p', long = "parameter", value_name = "NAME=VALUE", value_parser = parse_parameter)]
        parameters: Vec<String>,
    },
    /// Suspend a Workflow (wf)
    Suspend {
        #[command(flatten)]
        target: Target,
    },
    /// Stop a Workflow (wf), still running its exit handlers
    Stop {
        #[command(flatten)]
        target: Target,
        /// Field selector over the suspend nodes to fail instead of stopping the workflow
        #[arg(long, value_name = "SELECTOR")]
        node_field_selector: Option<String>,
        /// Message recorded on the nodes that are stopped
        #[arg(long, value_name = "TEXT")]
        message: Option<String>,
    },
}

/// One checked action: what to POST where, and how to word the result.
#[derive(Debug, PartialEq)]
pub struct Plan {
    pub kind: Kind,
    pub name: String,
    /// The action subresource, e.g. `sync`.
    pub action: &'static str,
    pub body: Value,
}

/// A verb/resource pair or flag that does not fit: reported as a usage error (exit 2).
#[derive(Debug, PartialEq)]
pub struct UsageError {
    /// The subcommand whose usage to show.
    pub verb: &'static str,
    pub message: String,
}

fn body<T: Serialize>(req: T) -> Value {
    // The request types are plain data: serializing them cannot fail.
    serde_json::to_value(req).unwrap_or_else(|_| Value::Object(Default::default()))
}

fn some_if(flag: bool) -> Option<bool> {
    flag.then_some(true)
}

fn non_empty(v: Vec<String>) -> Option<Vec<String>> {
    (!v.is_empty()).then_some(v)
}

impl Verb {
    fn name(&self) -> &'static str {
        match self {
            Verb::Sync { .. } => "sync",
            Verb::Rollback { .. } => "rollback",
            Verb::Terminate { .. } => "terminate",
            Verb::Promote { .. } => "promote",
            Verb::Abort { .. } => "abort",
            Verb::Retry { .. } => "retry",
            Verb::Restart { .. } => "restart",
            Verb::Pause { .. } => "pause",
            Verb::Resume { .. } => "resume",
            Verb::Resubmit { .. } => "resubmit",
            Verb::Suspend { .. } => "suspend",
            Verb::Stop { .. } => "stop",
        }
    }

    fn supported(&self) -> &'static [Kind] {
        match self {
            Verb::Sync { .. } | Verb::Rollback { .. } => &[Kind::Application],
            Verb::Terminate { .. } => &[Kind::Application, Kind::Workflow],
            Verb::Promote { .. }
            | Verb::Abort { .. }
            | Verb::Restart { .. }
            | Verb::Pause { .. } => &[Kind::Rollout],
            Verb::Retry { .. } | Verb::Resume { .. } => &[Kind::Rollout, Kind::Workflow],
            Verb::Resubmit { .. } | Verb::Suspend { .. } | Verb::Stop { .. } => &[Kind::Workflow],
        }
    }

    fn target(&self) -> &Target {
        match self {
            Verb::Sync { target, .. }
            | Verb::Rollback { target, .. }
            | Verb::Terminate { target }
            | Verb::Promote { target, .. }
            | Verb::Abort { target }
            | Verb::Retry { target, .. }
            | Verb::Restart { target, .. }
            | Verb::Pause { target }
            | Verb::Resume { target, .. }
            | Verb::Resubmit { target, .. }
            | Verb::Suspend { target }
            | Verb::Stop { target, .. } => target,
        }
    }

    /// Checks the verb against the resource type and builds the request body.
    pub fn plan(self) -> Result<Plan, UsageError> {
        let verb = self.name();
        let kind = self.target().kind;
        let supported = self.supported();
        if !supported.contains(&kind) {
            let names: Vec<&str> = supported.iter().map(|k| k.plural()).collect();
            return Err(UsageError {
                verb,
                message: format!(
                    "\"{verb}\" does not apply to {}; it applies to: {}",
                    kind.plural(),
                    names.join(", ")
                ),
            });
        }
        let workflow_only = |flag: &str| UsageError {
            verb,
            message: format!("{flag} applies to workflows only, not to {}", kind.plural()),
        };
        let (name, action, body) = match self {
            Verb::Sync {
                target,
                revision,
                prune,
                dry_run,
            } => (
                target.name,
                "sync",
                body(ApplicationSyncRequest {
                    revision,
                    prune: some_if(prune),
                    dry_run: some_if(dry_run),
                    ..Default::default()
                }),
            ),
            Verb::Rollback {
                target,
                id,
                prune,
                dry_run,
            } => (
                target.name,
                "rollback",
                body(ApplicationRollbackRequest {
                    id,
                    prune: some_if(prune),
                    dry_run: some_if(dry_run),
                }),
            ),
            Verb::Terminate { target } => {
                let b = match kind {
                    Kind::Workflow => body(WorkflowTerminateRequest {}),
                    _ => body(ApplicationTerminateRequest {}),
                };
                (target.name, "terminate", b)
            }
            Verb::Promote { target, full } => (
                target.name,
                "promote",
                body(RolloutPromoteRequest {
                    full: some_if(full),
                }),
            ),
            Verb::Abort { target } => (target.name, "abort", body(RolloutAbortRequest {})),
            Verb::Retry {
                target,
                restart_successful,
                node_field_selector,
                parameters,
            } => {
                if kind == Kind::Workflow {
                    let b = body(WorkflowRetryRequest {
                        restart_successful: some_if(restart_successful),
                        node_field_selector,
                        parameters: non_empty(parameters),
                    });
                    (target.name, "retry", b)
                } else if restart_successful {
                    return Err(workflow_only("--restart-successful"));
                } else if node_field_selector.is_some() {
                    return Err(workflow_only("--node-field-selector"));
                } else if !parameters.is_empty() {
                    return Err(workflow_only("--parameter"));
                } else {
                    (target.name, "retry", body(RolloutRetryRequest {}))
                }
            }
            Verb::Restart { target, r#in } => {
                (target.name, "restart", body(RolloutRestartRequest { r#in }))
            }
            Verb::Pause { target } => (target.name, "pause", body(RolloutPauseRequest {})),
            Verb::Resume {
                target,
                node_field_selector,
            } => {
                if kind == Kind::Workflow {
                    let b = body(WorkflowResumeRequest {
                        node_field_selector,
                    });
                    (target.name, "resume", b)
                } else if node_field_selector.is_some() {
                    return Err(workflow_only("--node-field-selector"));
                } else {
                    (target.name, "resume", body(RolloutResumeRequest {}))
                }
            }
            Verb::Resubmit {
                target,
                memoized,
                parameters,
            } => (
                target.name,
                "resubmit",
                body(WorkflowResubmitRequest {
                    memoized: some_if(memoized),
                    parameters: non_empty(parameters),
                }),
            ),
            Verb::Suspend { target } => (target.name, "suspend", body(WorkflowSuspendRequest {})),
            Verb::Stop {
                target,
                node_field_selector,
                message,
            } => (
                target.name,
                "stop",
                body(WorkflowStopRequest {
                    node_field_selector,
                    message,
                }),
            ),
        };
        Ok(Plan {
            kind,
            name,
            action,
            body,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;
    use serde_json::json;

    fn plan(args: &[&str]) -> Result<Plan, UsageError> {
        let mut all = vec!["kubectl-argo"];
        all.extend(args);
        Cli::try_parse_from(all).expect("parses").verb.plan()
    }

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn aliases_name_the_same_kind() {
        for alias in [
            "app",
            "apps",
            "application",
            "applications",
            "applications.argoproj.io",
        ] {
            assert_eq!(parse_kind(alias), Ok(Kind::Application), "{alias}");
        }
        for alias in ["ro", "rollout", "rollouts", "Rollout"] {
            assert_eq!(parse_kind(alias), Ok(Kind::Rollout), "{alias}");
        }
        for alias in ["wf", "workflow", "workflows"] {
            assert_eq!(parse_kind(alias), Ok(Kind::Workflow), "{alias}");
        }
        assert!(parse_kind("deploy").is_err());
        assert!(parse_kind("").is_err());
    }

    #[test]
    fn bodies_use_the_request_types() {
        let p = plan(&["sync", "app", "guestbook", "--revision", "v1", "--prune"]).unwrap();
        assert_eq!((p.kind, p.action), (Kind::Application, "sync"));
        assert_eq!(p.body, json!({"revision": "v1", "prune": true}));

        let p = plan(&["rollback", "apps", "guestbook", "3", "--dry-run"]).unwrap();
        assert_eq!(p.body, json!({"id": 3, "dryRun": true}));

        let p = plan(&["promote", "ro", "web", "--full"]).unwrap();
        assert_eq!(p.body, json!({"full": true}));
        assert_eq!(plan(&["promote", "ro", "web"]).unwrap().body, json!({}));

        let p = plan(&["restart", "rollout", "web", "--in", "30s"]).unwrap();
        assert_eq!(p.body, json!({"in": "30s"}));

        let p = plan(&[
            "resubmit",
            "wf",
            "hello",
            "--memoized",
            "-p",
            "a=1",
            "-p",
            "b=x=y",
        ]);
        assert_eq!(
            p.unwrap().body,
            json!({"memoized": true, "parameters": ["a=1", "b=x=y"]})
        );

        let p = plan(&[
            "retry",
            "workflows",
            "hello",
            "--restart-successful",
            "--node-field-selector",
            "templateName=build",
        ])
        .unwrap();
        assert_eq!(
            p.body,
            json!({"restartSuccessful": true, "nodeFieldSelector": "templateName=build"})
        );
        assert_eq!(plan(&["retry", "ro", "web"]).unwrap().body, json!({}));
        assert_eq!(plan(&["terminate", "wf", "hello"]).unwrap().body, json!({}));
    }

    #[test]
    fn global_flags_go_anywhere() {
        let cli = Cli::try_parse_from([
            "kubectl-argo",
            "pause",
            "ro",
            "web",
            "-n",
            "shop",
            "-o",
            "name",
            "--context",
            "c1",
        ])
        .unwrap();
        assert_eq!(cli.namespace.as_deref(), Some("shop"));
        assert_eq!(cli.output, Some(Output::Name));
        assert_eq!(cli.context.as_deref(), Some("c1"));
    }

    #[test]
    fn unsupported_pairs_are_usage_errors() {
        let err = plan(&["promote", "app", "x"]).unwrap_err();
        assert_eq!(err.verb, "promote");
        assert!(err.message.contains("applies to: rollouts"), "{err:?}");
        assert!(plan(&["sync", "wf", "x"]).is_err());
        assert!(plan(&["resubmit", "ro", "x"]).is_err());
        assert!(plan(&["retry", "ro", "x", "-p", "a=1"]).is_err());
        assert!(plan(&["resume", "ro", "x", "--node-field-selector", "a=b"]).is_err());
    }

    #[test]
    fn bad_arguments_fail_parsing() {
        for args in [
            &["promote", "deploy", "x"][..],
            &["promote", "ro", ""],
            &["rollback", "app", "x", "notanumber"],
            &["resubmit", "wf", "x", "-p", "novalue"],
            &["resubmit", "wf", "x", "-p", "=v"],
            &["promote", "ro"],
            &["frobnicate", "ro", "x"],
            &["promote", "ro", "x", "-o", "table"],
        ] {
            let mut all = vec!["kubectl-argo"];
            all.extend(args);
            let err = Cli::try_parse_from(all).unwrap_err();
            assert_eq!(err.exit_code(), 2, "{args:?}: {err}");
        }
    }
}
