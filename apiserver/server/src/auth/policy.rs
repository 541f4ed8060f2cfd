//! The local authorizer for standalone mode (no cluster to ask): kube's default discovery and
//! public-info roles, plus rules from `--authorization-policy-file` so a local user can try
//! RBAC. The file is a YAML list of rules, each granting verbs to a user or a group:
//!
//! ```yaml
//! - user: alice                 # or `group: dev`; "*" is everyone
//!   verbs: [get, list, watch]   # "*" is every verb
//!   apiGroups: [argoproj.io]    # default ["*"]
//!   resources: [applications, applications/sync]   # "*", "applications/*"
//!   namespaces: [team-a]        # default ["*"]; "" is the cluster scope
//! - group: system:authenticated
//!   verbs: [get]
//!   nonResourceURLs: [/metrics] # a trailing "*" matches a prefix
//! ```

use std::path::Path;

use argo_apiserver_core::RequestInfo;
use serde::Deserialize;

use super::{AUTHENTICATED_GROUP, UserInfo};

#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    #[error("reading {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
}

/// One rule of the policy file.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Rule {
    #[serde(default)]
    pub user: Option<String>,
    #[serde(default)]
    pub group: Option<String>,
    pub verbs: Vec<String>,
    #[serde(default)]
    pub api_groups: Option<Vec<String>>,
    #[serde(default)]
    pub resources: Vec<String>,
    #[serde(default)]
    pub namespaces: Option<Vec<String>>,
    #[serde(default, rename = "nonResourceURLs")]
    pub non_resource_urls: Vec<String>,
}

impl Rule {
    fn subject_matches(&self, user: &UserInfo) -> bool {
        let user_ok = self
            .user
            .as_ref()
            .is_some_and(|u| u == "*" || *u == user.name);
        let group_ok = self
            .group
            .as_ref()
            .is_some_and(|g| g == "*" || user.in_group(g));
        user_ok || group_ok
    }

    fn matches(&self, user: &UserInfo, info: &RequestInfo) -> bool {
        if !self.subject_matches(user) || !any_matches(&self.verbs, &info.verb) {
            return false;
        }
        if !info.is_resource_request {
            return self.non_resource_urls.iter().any(|u| {
                u == "*"
                    || *u == info.path
                    || u.strip_suffix('*')
                        .is_some_and(|prefix| info.path.starts_with(prefix))
            });
        }
        let groups_ok = self
            .api_groups
            .as_ref()
            .is_none_or(|g| any_matches(g, &info.api_group));
        let namespaces_ok = self
            .namespaces
            .as_ref()
            .is_none_or(|n| any_matches(n, &info.namespace));
        let full = if info.subresource.is_empty() {
            info.resource.clone()
        } else {
            format!("{}/{}", info.resource, info.subresource)
        };
        let resources_ok = self.resources.iter().any(|r| {
            r == "*"
                || *r == full
                || r.strip_suffix("/*")
                    .is_some_and(|base| base == info.resource && !info.subresource.is_empty())
        });
        groups_ok && namespaces_ok && resources_ok
    }
}

fn any_matches(list: &[String], value: &str) -> bool {
    list.iter().any(|v| v == "*" || v == value)
}

/// The local policy: kube's bootstrap roles for discovery and public info, then the file's rules.
#[derive(Clone, Debug, Default)]
pub struct Policy {
    pub rules: Vec<Rule>,
}

/// `system:public-info-viewer` (everyone) and `system:discovery` (authenticated users).
const PUBLIC_INFO_PATHS: &[&str] = &["/healthz", "/livez", "/readyz", "/version", "/version/"];
const DISCOVERY_PATHS: &[&str] = &[
    "/api",
    "/api/*",
    "/apis",
    "/apis/*",
    "/openapi",
    "/openapi/*",
];

impl Policy {
    pub fn load(path: &Path) -> Result<Policy, PolicyError> {
        let text = std::fs::read_to_string(path).map_err(|source| PolicyError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Policy::parse(&text).map_err(|message| PolicyError::Invalid {
            path: path.display().to_string(),
            message,
        })
    }

    pub fn parse(text: &str) -> Result<Policy, String> {
        let rules: Option<Vec<Rule>> = serde_yaml::from_str(text).map_err(|e| e.to_string())?;
        let rules = rules.unwrap_or_default();
        for (i, r) in rules.iter().enumerate() {
            if r.user.is_none() && r.group.is_none() {
                return Err(format!("rule {i}: needs a user or a group"));
            }
            if r.resources.is_empty() && r.non_resource_urls.is_empty() {
                return Err(format!("rule {i}: needs resources or nonResourceURLs"));
            }
        }
        Ok(Policy { rules })
    }

    pub fn allows(&self, user: &UserInfo, info: &RequestInfo) -> bool {
        if !info.is_resource_request && matches!(info.verb.as_str(), "get" | "head") {
            let matches = |patterns: &[&str]| {
                patterns.iter().any(|p| match p.strip_suffix('*') {
                    Some(prefix) => info.path.starts_with(prefix),
                    None => info.path == *p,
                })
            };
            if matches(PUBLIC_INFO_PATHS) {
                return true;
            }
            if user.in_group(AUTHENTICATED_GROUP) && matches(DISCOVERY_PATHS) {
                return true;
            }
        }
        self.rules.iter().any(|r| r.matches(user, info))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(method: &str, path: &str) -> RequestInfo {
        RequestInfo::new(method, path, "").expect("request info")
    }

    fn user(name: &str, groups: &[&str]) -> UserInfo {
        UserInfo {
            name: name.into(),
            groups: groups.iter().map(|g| g.to_string()).collect(),
            ..Default::default()
        }
    }

    #[test]
    fn rules_grant_what_they_name() {
        let policy = Policy::parse(
            "- user: alice\n  verbs: [get, list]\n  apiGroups: [argoproj.io]\n  resources: [applications]\n  namespaces: [team-a]\n\
             - group: ops\n  verbs: ['*']\n  resources: ['rollouts/*']\n\
             - user: '*'\n  verbs: [get]\n  nonResourceURLs: ['/metrics']\n",
        )
        .expect("policy");
        let alice = user("alice", &["system:authenticated"]);
        let apps = "/apis/argoproj.io/v1alpha1/namespaces/team-a/applications";
        assert!(policy.allows(&alice, &info("GET", apps)));
        assert!(!policy.allows(&alice, &info("POST", apps)));
        assert!(!policy.allows(
            &alice,
            &info(
                "GET",
                "/apis/argoproj.io/v1alpha1/namespaces/team-b/applications"
            )
        ));
        assert!(!policy.allows(&alice, &info("POST", &format!("{apps}/x/sync"))));
        let ops = user("carol", &["ops", "system:authenticated"]);
        let rollouts = "/apis/argoproj.io/v1alpha1/namespaces/n/rollouts/r";
        assert!(policy.allows(&ops, &info("PUT", &format!("{rollouts}/status"))));
        assert!(!policy.allows(&ops, &info("GET", rollouts)));
        assert!(policy.allows(&UserInfo::anonymous(), &info("GET", "/metrics")));
    }

    #[test]
    fn discovery_needs_authentication() {
        let policy = Policy::default();
        assert!(policy.allows(&UserInfo::anonymous(), &info("GET", "/version")));
        assert!(!policy.allows(&UserInfo::anonymous(), &info("GET", "/apis")));
        let bob = user("bob", &["system:authenticated"]);
        assert!(policy.allows(&bob, &info("GET", "/apis/argoproj.io/v1alpha1")));
        assert!(policy.allows(&bob, &info("GET", "/openapi/v3")));
        assert!(!policy.allows(&bob, &info("GET", "/metrics")));
    }

    #[test]
    fn rules_need_a_subject_and_an_object() {
        assert!(Policy::parse("- verbs: [get]\n  resources: ['*']\n").is_err());
        assert!(Policy::parse("- user: a\n  verbs: [get]\n").is_err());
        assert!(Policy::parse("").expect("empty").rules.is_empty());
    }
}
