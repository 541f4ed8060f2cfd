//! kube's delegating authorizer: `system:masters`, then the always-allowed paths, then a
//! SubjectAccessReview to kube-apiserver (decisions cached), or the local policy when there is
//! no cluster.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use argo_apiserver_core::RequestInfo;
use serde::{Deserialize, Serialize};

use super::kubeclient::{KubeClient, KubeClientError};
use super::policy::Policy;
use super::{MASTERS_GROUP, UserInfo};

/// kube's `--authorization-webhook-cache-authorized-ttl` default for delegated authorization.
pub const DEFAULT_ALLOW_CACHE_TTL: Duration = Duration::from_secs(10);
/// kube's `--authorization-webhook-cache-unauthorized-ttl` default.
pub const DEFAULT_DENY_CACHE_TTL: Duration = Duration::from_secs(10);
/// kube's `--authorization-always-allow-paths` default.
pub const DEFAULT_ALWAYS_ALLOW_PATHS: &[&str] = &["/healthz", "/readyz", "/livez"];
const MAX_CACHE_ENTRIES: usize = 10_000;

/// What an authorizer decided; anything but `Allow` is a 403 carrying the reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    Allow,
    Deny(String),
    NoOpinion(String),
}

#[derive(Debug, thiserror::Error)]
pub enum AuthzError {
    #[error("SubjectAccessReview: {0}")]
    SubjectAccessReview(#[from] KubeClientError),
}

/// The spec of a SubjectAccessReview (authorization.k8s.io/v1), in kube's field order.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct SubjectAccessReviewSpec {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_attributes: Option<ResourceAttributes>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub non_resource_attributes: Option<NonResourceAttributes>,
    pub user: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub extra: BTreeMap<String, Vec<String>>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub uid: String,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ResourceAttributes {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    pub verb: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub group: String,
    pub version: String,
    pub resource: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub subresource: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub name: String,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct NonResourceAttributes {
    pub path: String,
    pub verb: String,
}

impl SubjectAccessReviewSpec {
    pub fn new(user: &UserInfo, info: &RequestInfo) -> SubjectAccessReviewSpec {
        let (resource_attributes, non_resource_attributes) = if info.is_resource_request {
            (
                Some(ResourceAttributes {
                    namespace: info.namespace.clone(),
                    verb: info.verb.clone(),
                    group: info.api_group.clone(),
                    version: info.api_version.clone(),
                    resource: info.resource.clone(),
                    subresource: info.subresource.clone(),
                    name: info.name.clone(),
                }),
                None,
            )
        } else {
            (
                None,
                Some(NonResourceAttributes {
                    path: info.path.clone(),
                    verb: info.verb.clone(),
                }),
            )
        };
        SubjectAccessReviewSpec {
            resource_attributes,
            non_resource_attributes,
            user: user.name.clone(),
            groups: user.groups.clone(),
            extra: user.extra.clone(),
            uid: user.uid.clone(),
        }
    }
}

#[derive(Default, Deserialize)]
struct SubjectAccessReview {
    #[serde(default)]
    status: SubjectAccessReviewStatus,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SubjectAccessReviewStatus {
    #[serde(default)]
    allowed: bool,
    #[serde(default)]
    denied: bool,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    evaluation_error: String,
}

/// Asks kube-apiserver, remembering answers for a while (keyed on the whole spec).
pub struct SubjectAccessReviewer {
    client: Arc<KubeClient>,
    allow_ttl: Duration,
    deny_ttl: Duration,
    cache: Mutex<HashMap<String, (Decision, Instant)>>,
}

impl SubjectAccessReviewer {
    pub fn new(client: Arc<KubeClient>, allow_ttl: Duration, deny_ttl: Duration) -> Self {
        SubjectAccessReviewer {
            client,
            allow_ttl,
            deny_ttl,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// The cached decision for `key`, if still fresh.
    pub fn cached(&self, key: &str) -> Option<Decision> {
        let cache = self.cache.lock().ok()?;
        let (decision, at) = cache.get(key)?;
        let ttl = match decision {
            Decision::Allow => self.allow_ttl,
            _ => self.deny_ttl,
        };
        (at.elapsed() < ttl).then(|| decision.clone())
    }

    pub fn remember(&self, key: String, decision: Decision) {
        let Ok(mut cache) = self.cache.lock() else {
            return;
        };
        if cache.len() >= MAX_CACHE_ENTRIES {
            let ttl = self.allow_ttl.max(self.deny_ttl);
            cache.retain(|_, (_, at)| at.elapsed() < ttl);
            if cache.len() >= MAX_CACHE_ENTRIES {
                cache.clear();
            }
        }
        cache.insert(key, (decision, Instant::now()));
    }

    pub async fn review(&self, spec: &SubjectAccessReviewSpec) -> Result<Decision, AuthzError> {
        let key = serde_json::to_string(spec).unwrap_or_default();
        if let Some(d) = self.cached(&key) {
            return Ok(d);
        }
        let review = serde_json::json!({
            "apiVersion": "authorization.k8s.io/v1",
            "kind": "SubjectAccessReview",
            "spec": spec,
        });
        let answer: SubjectAccessReview = self
            .client
            .create(
                "/apis/authorization.k8s.io/v1/subjectaccessreviews",
                &review,
            )
            .await?;
        let s = answer.status;
        let reason = if s.reason.is_empty() {
            s.evaluation_error
        } else {
            s.reason
        };
        let decision = if s.denied {
            Decision::Deny(reason)
        } else if s.allowed {
            Decision::Allow
        } else {
            Decision::NoOpinion(reason)
        };
        self.remember(key, decision.clone());
        Ok(decision)
    }
}

/// Where decisions past the built-in ones come from.
pub enum Backend {
    SubjectAccessReview(SubjectAccessReviewer),
    Local(Policy),
}

pub struct Authorizer {
    always_allow_paths: Vec<String>,
    backend: Backend,
}

impl Authorizer {
    pub fn new(always_allow_paths: Vec<String>, backend: Backend) -> Authorizer {
        Authorizer {
            always_allow_paths,
            backend,
        }
    }

    pub fn is_delegated(&self) -> bool {
        matches!(self.backend, Backend::SubjectAccessReview(_))
    }

    pub async fn authorize(
        &self,
        user: &UserInfo,
        info: &RequestInfo,
    ) -> Result<Decision, AuthzError> {
        if user.in_group(MASTERS_GROUP) {
            return Ok(Decision::Allow);
        }
        if !info.is_resource_request && self.always_allowed(&info.path) {
            return Ok(Decision::Allow);
        }
        match &self.backend {
            Backend::SubjectAccessReview(sar) => {
                sar.review(&SubjectAccessReviewSpec::new(user, info)).await
            }
            Backend::Local(policy) => Ok(if policy.allows(user, info) {
                Decision::Allow
            } else {
                Decision::NoOpinion(String::new())
            }),
        }
    }

    /// Exact paths, or prefixes written with a trailing `*` (kube's path authorizer).
    fn always_allowed(&self, path: &str) -> bool {
        self.always_allow_paths
            .iter()
            .any(|p| match p.strip_suffix('*') {
                Some(prefix) => path.starts_with(prefix),
                None => p == path,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_has_kubes_shape() {
        let user = UserInfo {
            name: "alice".into(),
            uid: "u1".into(),
            groups: vec!["dev".into(), "system:authenticated".into()],
            extra: BTreeMap::from([("scopes".to_string(), vec!["a".to_string()])]),
        };
        let info = RequestInfo::new(
            "POST",
            "/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/guestbook/sync",
            "",
        )
        .expect("info");
        let spec = serde_json::to_value(SubjectAccessReviewSpec::new(&user, &info)).expect("json");
        assert_eq!(
            spec,
            serde_json::json!({
                "resourceAttributes": {"namespace": "argocd", "verb": "create", "group": "argoproj.io",
                    "version": "v1alpha1", "resource": "applications", "subresource": "sync", "name": "guestbook"},
                "user": "alice", "groups": ["dev", "system:authenticated"], "extra": {"scopes": ["a"]}, "uid": "u1"
            })
        );
        let info = RequestInfo::new("GET", "/openapi/v3", "").expect("info");
        let spec = serde_json::to_value(SubjectAccessReviewSpec::new(&user, &info)).expect("json");
        assert_eq!(
            spec["nonResourceAttributes"],
            serde_json::json!({"path": "/openapi/v3", "verb": "get"})
        );
    }

    #[tokio::test]
    async fn masters_and_health_skip_the_backend() {
        let authz = Authorizer::new(
            DEFAULT_ALWAYS_ALLOW_PATHS
                .iter()
                .map(|s| s.to_string())
                .collect(),
            Backend::Local(Policy::default()),
        );
        let anon = UserInfo::anonymous();
        let healthz = RequestInfo::new("GET", "/healthz", "").expect("info");
        assert_eq!(
            authz.authorize(&anon, &healthz).await.ok(),
            Some(Decision::Allow)
        );
        let sub = RequestInfo::new("GET", "/healthz/etcd", "").expect("info");
        assert!(authz.always_allowed("/healthz") && !authz.always_allowed(&sub.path));
        let admin = UserInfo {
            name: "admin".into(),
            groups: vec![MASTERS_GROUP.into()],
            ..Default::default()
        };
        let del = RequestInfo::new(
            "DELETE",
            "/apis/argoproj.io/v1alpha1/namespaces/a/applications/x",
            "",
        )
        .expect("info");
        assert_eq!(
            authz.authorize(&admin, &del).await.ok(),
            Some(Decision::Allow)
        );
        assert!(matches!(
            authz.authorize(&anon, &del).await,
            Ok(Decision::NoOpinion(_))
        ));
    }
}
