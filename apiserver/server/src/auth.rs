//! Who is calling and what they may do, in standalone mode: the user comes from a client
//! certificate verified against the client CA (CN = user, O = groups, as Kubernetes reads them);
//! no certificate is `system:anonymous`. Authorization is local: `system:masters` may do
//! everything, anyone may read health and version (kube's `system:public-info-viewer`), and
//! authenticated users may read discovery and OpenAPI (`system:discovery`).

use argo_apiserver_core::{ApiError, GroupResource, RequestInfo};

/// The authenticated user of a request (kube's user.Info).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserInfo {
    pub name: String,
    pub uid: String,
    pub groups: Vec<String>,
}

impl UserInfo {
    pub fn anonymous() -> UserInfo {
        UserInfo {
            name: "system:anonymous".into(),
            uid: String::new(),
            groups: vec!["system:unauthenticated".into()],
        }
    }

    pub fn is_anonymous(&self) -> bool {
        self.name == "system:anonymous"
    }
}

/// The user of a verified client certificate (the TLS layer has checked its chain).
pub fn user_from_certificate(der: &[u8]) -> Option<UserInfo> {
    let info = argo_certs::CertInfo::from_der(der, "client certificate").ok()?;
    let name = info.common_name.filter(|n| !n.is_empty())?;
    let mut groups = info.organizations;
    if !groups.iter().any(|g| g == "system:authenticated") {
        groups.push("system:authenticated".into());
    }
    Some(UserInfo {
        name,
        uid: String::new(),
        groups,
    })
}

/// Paths anyone may read, as kube-apiserver's default RBAC grants them.
const PUBLIC_PATHS: &[&str] = &["/healthz", "/livez", "/readyz", "/version"];
/// Paths every authenticated user may read.
const DISCOVERY_PREFIXES: &[&str] = &["/api", "/apis", "/openapi"];

fn path_matches(path: &str, prefix: &str) -> bool {
    path == prefix || path.starts_with(&format!("{prefix}/"))
}

/// The local authorizer's decision, with kube's Forbidden wording.
pub fn authorize(user: &UserInfo, info: &RequestInfo) -> Result<(), ApiError> {
    if user.groups.iter().any(|g| g == "system:masters") {
        return Ok(());
    }
    if !info.is_resource_request {
        let read = matches!(info.verb.as_str(), "get" | "head");
        if read && PUBLIC_PATHS.iter().any(|p| path_matches(&info.path, p)) {
            return Ok(());
        }
        if read
            && !user.is_anonymous()
            && DISCOVERY_PREFIXES
                .iter()
                .any(|p| path_matches(&info.path, p))
        {
            return Ok(());
        }
        let mut e = ApiError::forbidden_message(
            format!(
                "forbidden: User \"{}\" cannot {} path \"{}\"",
                user.name, info.verb, info.path
            ),
            GroupResource {
                group: "",
                resource: "",
            },
            "",
        );
        e.status.details = Some(Default::default());
        return Err(e);
    }
    Err(forbidden(user, info))
}

/// `applications.argoproj.io "x" is forbidden: User "u" cannot get resource "applications" in
/// API group "argoproj.io" in the namespace "ns"`.
pub fn forbidden(user: &UserInfo, info: &RequestInfo) -> ApiError {
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
        "User \"{}\" cannot {} resource \"{}\" in API group \"{}\" {}",
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

    fn user(name: &str, groups: &[&str]) -> UserInfo {
        UserInfo {
            name: name.into(),
            uid: String::new(),
            groups: groups.iter().map(|g| g.to_string()).collect(),
        }
    }

    #[test]
    fn masters_may_do_anything() {
        let admin = user("argo-admin", &["system:masters", "system:authenticated"]);
        assert!(
            authorize(
                &admin,
                &info(
                    "DELETE",
                    "/apis/argoproj.io/v1alpha1/namespaces/a/applications/x"
                )
            )
            .is_ok()
        );
    }

    #[test]
    fn others_get_kubes_forbidden_wording() {
        let bob = user("bob", &["system:authenticated"]);
        let e = authorize(
            &bob,
            &info(
                "GET",
                "/apis/argoproj.io/v1alpha1/namespaces/ns/applications/x",
            ),
        )
        .expect_err("forbidden");
        assert_eq!(e.code(), 403);
        assert_eq!(
            e.status.message,
            "applications.argoproj.io \"x\" is forbidden: User \"bob\" cannot get resource \"applications\" in API group \"argoproj.io\" in the namespace \"ns\""
        );
        let e = authorize(
            &bob,
            &info("GET", "/apis/argoproj.io/v1alpha1/applications"),
        )
        .expect_err("forbidden");
        assert_eq!(
            e.status.message,
            "applications.argoproj.io is forbidden: User \"bob\" cannot list resource \"applications\" in API group \"argoproj.io\" at the cluster scope"
        );
        let e = authorize(
            &bob,
            &info(
                "POST",
                "/apis/argoproj.io/v1alpha1/namespaces/ns/applications/x/sync",
            ),
        )
        .expect_err("forbidden");
        assert!(
            e.status
                .message
                .contains("cannot create resource \"applications/sync\""),
            "{}",
            e.status.message
        );
    }

    #[test]
    fn public_and_discovery_paths() {
        let anon = UserInfo::anonymous();
        assert!(authorize(&anon, &info("GET", "/readyz")).is_ok());
        assert!(authorize(&anon, &info("GET", "/version")).is_ok());
        let e = authorize(&anon, &info("GET", "/apis")).expect_err("anonymous discovery");
        assert_eq!(
            e.status.message,
            "forbidden: User \"system:anonymous\" cannot get path \"/apis\""
        );
        let bob = user("bob", &["system:authenticated"]);
        assert!(authorize(&bob, &info("GET", "/apis/argoproj.io/v1alpha1")).is_ok());
        assert!(authorize(&bob, &info("GET", "/openapi/v3")).is_ok());
    }
}
