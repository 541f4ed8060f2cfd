//! Who is calling and what they may do, as a Kubernetes aggregated API server decides it.
//!
//! Authentication ([`authn`]) runs kube's delegating chain in order: the front proxy's
//! request headers (trusted only with a client certificate from the requestheader CA whose CN is
//! an allowed name), a client certificate from the client CA, a bearer token reviewed by
//! kube-apiserver (TokenReview), then anonymous when enabled. Authorization ([`authz`]) lets
//! `system:masters` and the always-allowed health paths through, then asks kube-apiserver
//! (SubjectAccessReview, cached) or, with no cluster, a local policy ([`policy`]).
//!
//! In a cluster the CAs and header names come from the `extension-apiserver-authentication`
//! ConfigMap ([`configmap`]), re-read periodically so CA rotation needs no restart.

pub mod authn;
pub mod authz;
pub mod configmap;
pub mod kubeclient;
pub mod policy;

use std::collections::BTreeMap;
use std::sync::Arc;

use argo_apiserver_core::{ApiError, GroupResource, RequestInfo};
use argo_certs::rustls_pki_types::CertificateDer;

pub use authn::Authenticator;
pub use authz::{Authorizer, Decision};

pub const ANONYMOUS_USER: &str = "system:anonymous";
pub const UNAUTHENTICATED_GROUP: &str = "system:unauthenticated";
pub const AUTHENTICATED_GROUP: &str = "system:authenticated";
pub const MASTERS_GROUP: &str = "system:masters";

/// The authenticated user of a request (kube's user.Info).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UserInfo {
    pub name: String,
    pub uid: String,
    pub groups: Vec<String>,
    pub extra: BTreeMap<String, Vec<String>>,
}

impl UserInfo {
    pub fn anonymous() -> UserInfo {
        UserInfo {
            name: ANONYMOUS_USER.into(),
            groups: vec![UNAUTHENTICATED_GROUP.into()],
            ..Default::default()
        }
    }

    pub fn is_anonymous(&self) -> bool {
        self.name == ANONYMOUS_USER
    }

    /// kube's AuthenticatedGroupAdder: every authenticated user is in `system:authenticated`.
    pub fn with_authenticated_group(mut self) -> UserInfo {
        if !self.groups.iter().any(|g| g == AUTHENTICATED_GROUP) {
            self.groups.push(AUTHENTICATED_GROUP.into());
        }
        self
    }

    pub fn in_group(&self, group: &str) -> bool {
        self.groups.iter().any(|g| g == group)
    }
}

/// The certificate chain a client presented in the TLS handshake, leaf first. The handshake
/// only proved possession of the leaf's key; whom it chains to is checked per request by the
/// authenticators, because the front proxy's CA and the client CA differ. The chain is fixed
/// for the connection, so each CA's verdict is remembered here (see `authn::CaVerifier`).
#[derive(Debug, Default)]
pub struct PeerCerts {
    chain: Vec<CertificateDer<'static>>,
    verified: std::sync::Mutex<Vec<authn::Verdict>>,
}

impl PeerCerts {
    pub fn new(chain: Vec<CertificateDer<'static>>) -> PeerCerts {
        PeerCerts {
            chain,
            verified: Default::default(),
        }
    }

    pub fn none() -> PeerCerts {
        PeerCerts::default()
    }

    pub fn leaf(&self) -> Option<&CertificateDer<'static>> {
        self.chain.first()
    }

    pub fn intermediates(&self) -> &[CertificateDer<'static>] {
        self.chain.get(1..).unwrap_or(&[])
    }

    pub(crate) fn verdicts(&self) -> std::sync::MutexGuard<'_, Vec<authn::Verdict>> {
        self.verified.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The authenticator and authorizer a server runs with.
pub struct Auth {
    pub authenticator: Arc<Authenticator>,
    pub authorizer: Arc<Authorizer>,
}

/// The authorizer asked about one user, for the action subresources' own questions (may this
/// user `get` the Application? `override` it?). Argo CD's actions without a Kubernetes verb are
/// asked as custom verbs, which Kubernetes RBAC rules accept (`verbs: ["override"]`).
pub struct UserAccess<'a> {
    pub authorizer: &'a Authorizer,
    pub user: &'a UserInfo,
}

#[async_trait::async_trait]
impl argo_apiserver_registry::actions::AccessReview for UserAccess<'_> {
    async fn allowed(
        &self,
        verb: &str,
        resource: &str,
        subresource: &str,
        namespace: &str,
        name: &str,
    ) -> Result<bool, ApiError> {
        let mut parts = vec![resource.to_string()];
        if !name.is_empty() {
            parts.push(name.to_string());
        }
        if !subresource.is_empty() {
            parts.push(subresource.to_string());
        }
        let info = RequestInfo {
            is_resource_request: true,
            path: String::new(),
            verb: verb.to_string(),
            api_prefix: "apis".into(),
            api_group: argo_openapi::catalog::GROUP.into(),
            api_version: argo_openapi::catalog::VERSION.into(),
            namespace: namespace.to_string(),
            resource: resource.to_string(),
            subresource: subresource.to_string(),
            name: name.to_string(),
            parts,
        };
        match self.authorizer.authorize(self.user, &info).await {
            Ok(Decision::Allow) => Ok(true),
            Ok(_) => Ok(false),
            Err(e) => Err(ApiError::internal(e)),
        }
    }
}

/// `applications.argoproj.io "x" is forbidden: User "u" cannot get resource "applications" in
/// API group "argoproj.io" in the namespace "ns"`, with the authorizer's reason appended as
/// `: <reason>`; for other paths `forbidden: User "u" cannot get path "/x"`.
pub fn forbidden(user: &UserInfo, info: &RequestInfo, reason: &str) -> ApiError {
    let suffix = if reason.is_empty() {
        String::new()
    } else {
        format!(": {reason}")
    };
    if !info.is_resource_request {
        let mut e = ApiError::forbidden_message(
            format!(
                "forbidden: User \"{}\" cannot {} path \"{}\"{suffix}",
                user.name, info.verb, info.path
            ),
            GroupResource {
                group: "",
                resource: "",
            },
            "",
        );
        e.status.details = Some(Default::default());
        return e;
    }
    let gr = GroupResource {
        group: &info.api_group,
        resource: &info.resource,
    };
    let resource = if info.subresource.is_empty() {
        info.resource.clone()
    } else {
        format!("{}/{}", info.resource, info.subresource)
    };
    let scope = if info.namespace.is_empty() {
        "at the cluster scope".to_string()
    } else {
        format!("in the namespace \"{}\"", info.namespace)
    };
    let why = format!(
        "User \"{}\" cannot {} resource \"{}\" in API group \"{}\" {}{suffix}",
        user.name, info.verb, resource, info.api_group, scope
    );
    ApiError::forbidden(gr, &info.name, &why)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(method: &str, path: &str) -> RequestInfo {
        RequestInfo::new(method, path, "").expect("request info")
    }

    fn bob() -> UserInfo {
        UserInfo {
            name: "bob".into(),
            groups: vec![AUTHENTICATED_GROUP.into()],
            ..Default::default()
        }
    }

    #[test]
    fn forbidden_uses_kubes_wording() {
        let e = forbidden(
            &bob(),
            &info(
                "GET",
                "/apis/argoproj.io/v1alpha1/namespaces/ns/applications/x",
            ),
            "",
        );
        assert_eq!(e.code(), 403);
        assert_eq!(
            e.status.message,
            "applications.argoproj.io \"x\" is forbidden: User \"bob\" cannot get resource \"applications\" in API group \"argoproj.io\" in the namespace \"ns\""
        );
        let e = forbidden(
            &bob(),
            &info("GET", "/apis/argoproj.io/v1alpha1/applications"),
            "no RBAC policy matched",
        );
        assert_eq!(
            e.status.message,
            "applications.argoproj.io is forbidden: User \"bob\" cannot list resource \"applications\" in API group \"argoproj.io\" at the cluster scope: no RBAC policy matched"
        );
        let e = forbidden(
            &bob(),
            &info(
                "POST",
                "/apis/argoproj.io/v1alpha1/namespaces/ns/applications/x/sync",
            ),
            "",
        );
        assert!(
            e.status
                .message
                .contains("cannot create resource \"applications/sync\""),
            "{}",
            e.status.message
        );
        let e = forbidden(&UserInfo::anonymous(), &info("GET", "/apis"), "");
        assert_eq!(
            e.status.message,
            "forbidden: User \"system:anonymous\" cannot get path \"/apis\""
        );
    }
}
