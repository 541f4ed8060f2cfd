//! `RequestInfo` as kube-apiserver's `RequestInfoFactory` derives it from method, path and
//! query (`k8s.io/apiserver/pkg/endpoints/request/requestinfo.go`): the attributes
//! authorization, routing, metrics and audit all key on.

use crate::params::{Query, percent_decode};
use crate::selector::metadata_name_from_field_selector;
use crate::status::ApiError;

/// What a request is about.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RequestInfo {
    /// Under `/api` or `/apis` with at least a group version (and a resource after it).
    pub is_resource_request: bool,
    /// The decoded URL path.
    pub path: String,
    /// Kube verb (`get`, `list`, `watch`, `create`, `update`, `patch`, `delete`,
    /// `deletecollection`), or the lower-case HTTP method for non-resource paths.
    pub verb: String,
    /// `apis` or `api`; empty for non-resource paths.
    pub api_prefix: String,
    pub api_group: String,
    pub api_version: String,
    pub namespace: String,
    pub resource: String,
    pub subresource: String,
    pub name: String,
    /// The path segments from the resource on (`[resource, name, subresource, ...]`).
    pub parts: Vec<String>,
}

/// Verbs that may prefix the resource path (`/apis/g/v/watch/...`, deprecated).
const SPECIAL_VERBS: [&str; 2] = ["proxy", "watch"];
/// Subresources of a namespace itself (`/namespaces/<ns>/status`).
const NAMESPACE_SUBRESOURCES: [&str; 2] = ["status", "finalize"];

impl RequestInfo {
    /// Derive the attributes of `method path?query`. `path` is the raw (still %-encoded) URL
    /// path; it is decoded and then split, as Go's `URL.Path` is. `query` is the raw query.
    ///
    /// Errors: a malformed `%` escape is 400; `/apis/<g>/<v>/watch` with nothing after it is
    /// kube's 500 `failed to create RequestInfo: unable to determine kind and namespace from
    /// url, ...`.
    pub fn new(method: &str, raw_path: &str, raw_query: &str) -> Result<RequestInfo, ApiError> {
        let path = percent_decode(raw_path, false).ok_or_else(|| {
            ApiError::bad_request(format!("invalid URL escape in path {raw_path:?}"))
        })?;
        let mut info = RequestInfo {
            path: path.clone(),
            verb: method.to_ascii_lowercase(),
            ..Default::default()
        };
        let trimmed = path.trim_matches('/');
        let all: Vec<&str> = if trimmed.is_empty() {
            Vec::new()
        } else {
            trimmed.split('/').collect()
        };
        if all.len() < 3 || !matches!(all[0], "api" | "apis") {
            return Ok(info);
        }
        info.api_prefix = all[0].to_string();
        let mut cur = &all[1..];
        if info.api_prefix == "apis" {
            // /apis/<g>/<v> alone is discovery, not a resource.
            if cur.len() < 3 {
                return Ok(info);
            }
            info.api_group = cur[0].to_string();
            cur = &cur[1..];
        }
        info.is_resource_request = true;
        info.api_version = cur[0].to_string();
        cur = &cur[1..];

        if SPECIAL_VERBS.contains(&cur[0]) {
            if cur.len() < 2 {
                let mut url = raw_path.to_string();
                if !raw_query.is_empty() {
                    url.push('?');
                    url.push_str(raw_query);
                }
                return Err(ApiError::internal(format!(
                    "failed to create RequestInfo: unable to determine kind and namespace from url, {url}"
                )));
            }
            info.verb = cur[0].to_string();
            cur = &cur[1..];
        } else {
            info.verb = match method {
                "POST" => "create",
                "GET" | "HEAD" => "get",
                "PUT" => "update",
                "PATCH" => "patch",
                "DELETE" => "delete",
                _ => "",
            }
            .to_string();
        }

        if let ["namespaces", ns, rest @ ..] = cur {
            info.namespace = ns.to_string();
            // `/namespaces/<ns>/<resource>...`: the resource path starts after the namespace,
            // unless it names a subresource of the namespace itself.
            if let Some(next) = rest.first()
                && !NAMESPACE_SUBRESOURCES.contains(next)
            {
                cur = rest;
            }
        }
        info.parts = cur.iter().map(|s| s.to_string()).collect();
        if info.parts.len() >= 3 && info.verb != "proxy" {
            info.subresource = info.parts[2].clone();
        }
        if info.parts.len() >= 2 {
            info.name = info.parts[1].clone();
        }
        if let Some(r) = info.parts.first() {
            info.resource = r.clone();
        }

        if info.name.is_empty() && info.verb == "get" {
            let query = Query::parse(raw_query);
            // kube decodes the whole ListOptions; when that fails it still honours `watch` but
            // takes no name from the field selector.
            let watch = query.bool("watch").unwrap_or(false);
            info.verb = if watch { "watch" } else { "list" }.to_string();
            if decodes_as_list_options(&query)
                && let Some(name) = query
                    .get("fieldSelector")
                    .and_then(metadata_name_from_field_selector)
            {
                info.name = name;
            }
        }
        if info.name.is_empty() && info.verb == "delete" {
            info.verb = "deletecollection".to_string();
        }
        Ok(info)
    }

    /// `namespace` for namespaced requests, `cluster` otherwise, `resource` when a single
    /// object is named (or created): the metrics `scope` label.
    pub fn scope(&self) -> &'static str {
        if !self.is_resource_request {
            ""
        } else if !self.name.is_empty() || self.verb == "create" {
            "resource"
        } else if !self.namespace.is_empty() {
            "namespace"
        } else {
            "cluster"
        }
    }
}

/// Whether the query decodes into ListOptions at the level kube's parameter codec checks
/// (selectors and integers), without the option validation that comes later.
fn decodes_as_list_options(q: &Query) -> bool {
    use crate::selector::{FieldSelector, LabelSelector};
    LabelSelector::parse(q.get("labelSelector").unwrap_or("")).is_ok()
        && FieldSelector::parse(q.get("fieldSelector").unwrap_or("")).is_ok()
        && q.int("limit").is_ok()
        && q.int("timeoutSeconds").is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ri(method: &str, url: &str) -> RequestInfo {
        let (p, q) = url.split_once('?').unwrap_or((url, ""));
        RequestInfo::new(method, p, q).unwrap()
    }

    #[allow(clippy::too_many_arguments)]
    fn check(
        r: &RequestInfo,
        verb: &str,
        group: &str,
        version: &str,
        ns: &str,
        resource: &str,
        sub: &str,
        name: &str,
    ) {
        assert!(r.is_resource_request, "{r:?}");
        assert_eq!(
            (
                r.verb.as_str(),
                r.api_group.as_str(),
                r.api_version.as_str(),
                r.namespace.as_str(),
                r.resource.as_str(),
                r.subresource.as_str(),
                r.name.as_str()
            ),
            (verb, group, version, ns, resource, sub, name),
            "{r:?}"
        );
    }

    const G: &str = "argoproj.io";
    const V: &str = "v1alpha1";

    #[test]
    fn namespaced_paths() {
        let base = "/apis/argoproj.io/v1alpha1/namespaces/argocd/applications";
        check(
            &ri("GET", base),
            "list",
            G,
            V,
            "argocd",
            "applications",
            "",
            "",
        );
        check(
            &ri("POST", base),
            "create",
            G,
            V,
            "argocd",
            "applications",
            "",
            "",
        );
        check(
            &ri("DELETE", base),
            "deletecollection",
            G,
            V,
            "argocd",
            "applications",
            "",
            "",
        );
        let one = format!("{base}/guestbook");
        check(
            &ri("GET", &one),
            "get",
            G,
            V,
            "argocd",
            "applications",
            "",
            "guestbook",
        );
        check(
            &ri("PUT", &one),
            "update",
            G,
            V,
            "argocd",
            "applications",
            "",
            "guestbook",
        );
        check(
            &ri("PATCH", &one),
            "patch",
            G,
            V,
            "argocd",
            "applications",
            "",
            "guestbook",
        );
        check(
            &ri("DELETE", &one),
            "delete",
            G,
            V,
            "argocd",
            "applications",
            "",
            "guestbook",
        );
        check(
            &ri("HEAD", &one),
            "get",
            G,
            V,
            "argocd",
            "applications",
            "",
            "guestbook",
        );
        let sub = format!("{base}/guestbook/sync");
        let r = ri("POST", &sub);
        check(
            &r,
            "create",
            G,
            V,
            "argocd",
            "applications",
            "sync",
            "guestbook",
        );
        assert_eq!(r.parts, vec!["applications", "guestbook", "sync"]);
        assert_eq!(r.api_prefix, "apis");
        assert_eq!(r.scope(), "resource");
    }

    #[test]
    fn cluster_scoped_and_all_namespaces() {
        check(
            &ri(
                "GET",
                "/apis/argoproj.io/v1alpha1/clusterworkflowtemplates/t/status",
            ),
            "get",
            G,
            V,
            "",
            "clusterworkflowtemplates",
            "status",
            "t",
        );
        let r = ri("GET", "/apis/argoproj.io/v1alpha1/applications");
        check(&r, "list", G, V, "", "applications", "", "");
        assert_eq!(r.scope(), "cluster");
        assert_eq!(
            ri("GET", "/apis/argoproj.io/v1alpha1/namespaces/a/rollouts").scope(),
            "namespace"
        );
    }

    #[test]
    fn namespace_resource_itself() {
        check(
            &ri("GET", "/api/v1/namespaces/argocd"),
            "get",
            "",
            "v1",
            "argocd",
            "namespaces",
            "",
            "argocd",
        );
        check(
            &ri("PUT", "/api/v1/namespaces/argocd/finalize"),
            "update",
            "",
            "v1",
            "argocd",
            "namespaces",
            "finalize",
            "argocd",
        );
        check(
            &ri("GET", "/apis/argoproj.io/v1alpha1/namespaces/argocd"),
            "get",
            G,
            V,
            "argocd",
            "namespaces",
            "",
            "argocd",
        );
        check(
            &ri("GET", "/api/v1/namespaces"),
            "list",
            "",
            "v1",
            "",
            "namespaces",
            "",
            "",
        );
    }

    #[test]
    fn watch_forms() {
        let base = "/apis/argoproj.io/v1alpha1/namespaces/argocd/applications";
        for q in ["watch=1", "watch=true", "watch=", "watch=yes"] {
            check(
                &ri("GET", &format!("{base}?{q}")),
                "watch",
                G,
                V,
                "argocd",
                "applications",
                "",
                "",
            );
        }
        for q in ["watch=0", "watch=false", "watch=False", ""] {
            check(
                &ri("GET", &format!("{base}?{q}")),
                "list",
                G,
                V,
                "argocd",
                "applications",
                "",
                "",
            );
        }
        // Deprecated /watch/ prefix.
        check(
            &ri(
                "GET",
                "/apis/argoproj.io/v1alpha1/watch/namespaces/argocd/applications",
            ),
            "watch",
            G,
            V,
            "argocd",
            "applications",
            "",
            "",
        );
        check(
            &ri(
                "GET",
                "/apis/argoproj.io/v1alpha1/watch/namespaces/argocd/applications/a",
            ),
            "watch",
            G,
            V,
            "argocd",
            "applications",
            "",
            "a",
        );
        check(
            &ri("GET", "/apis/argoproj.io/v1alpha1/watch/applications"),
            "watch",
            G,
            V,
            "",
            "applications",
            "",
            "",
        );
        let e = RequestInfo::new("GET", "/apis/argoproj.io/v1alpha1/watch", "").unwrap_err();
        assert_eq!(e.code(), 500);
        assert!(e.status.message.contains(
            "unable to determine kind and namespace from url, /apis/argoproj.io/v1alpha1/watch"
        ));
    }

    #[test]
    fn field_selector_names_the_object() {
        let base = "/apis/argoproj.io/v1alpha1/namespaces/argocd/applications";
        check(
            &ri(
                "GET",
                &format!("{base}?watch=1&fieldSelector=metadata.name%3Dguestbook"),
            ),
            "watch",
            G,
            V,
            "argocd",
            "applications",
            "",
            "guestbook",
        );
        check(
            &ri(
                "GET",
                &format!("{base}?fieldSelector=metadata.name%3D%3Dguestbook"),
            ),
            "list",
            G,
            V,
            "argocd",
            "applications",
            "",
            "guestbook",
        );
        // Not an exact match, not a valid segment, or an undecodable query: no name.
        check(
            &ri("GET", &format!("{base}?fieldSelector=metadata.name!%3Dx")),
            "list",
            G,
            V,
            "argocd",
            "applications",
            "",
            "",
        );
        check(
            &ri("GET", &format!("{base}?fieldSelector=metadata.name%3D..")),
            "list",
            G,
            V,
            "argocd",
            "applications",
            "",
            "",
        );
        check(
            &ri(
                "GET",
                &format!("{base}?watch=1&limit=x&fieldSelector=metadata.name%3Dg"),
            ),
            "watch",
            G,
            V,
            "argocd",
            "applications",
            "",
            "",
        );
        // DELETE with a field selector is still a deletecollection.
        check(
            &ri("DELETE", &format!("{base}?fieldSelector=metadata.name%3Dg")),
            "deletecollection",
            G,
            V,
            "argocd",
            "applications",
            "",
            "",
        );
    }

    #[test]
    fn non_resource_paths() {
        for (m, p) in [
            ("GET", "/apis"),
            ("GET", "/apis/argoproj.io"),
            ("GET", "/apis/argoproj.io/v1alpha1"),
            ("GET", "/api"),
            ("GET", "/healthz"),
            ("POST", "/openapi/v3/apis/argoproj.io/v1alpha1"),
            ("GET", "/"),
        ] {
            let r = ri(m, p);
            assert!(!r.is_resource_request, "{p}");
            assert_eq!(r.verb, m.to_ascii_lowercase());
            assert_eq!(r.path, p);
            assert_eq!(r.scope(), "");
        }
        // `/api/v1` is discovery (too short to name a resource), as in kube.
        let r = ri("GET", "/api/v1");
        assert!(!r.is_resource_request);
    }

    #[test]
    fn percent_decoding_of_path() {
        let r = ri(
            "GET",
            "/apis/argoproj.io/v1alpha1/namespaces/argo%2Dcd/applications/guest%62ook",
        );
        check(&r, "get", G, V, "argo-cd", "applications", "", "guestbook");
        assert_eq!(
            r.path,
            "/apis/argoproj.io/v1alpha1/namespaces/argo-cd/applications/guestbook"
        );
        assert_eq!(
            RequestInfo::new("GET", "/apis/a/v1/x%zz", "")
                .unwrap_err()
                .code(),
            400
        );
        // Unknown methods leave the verb empty on resource paths.
        assert_eq!(
            ri("OPTIONS", "/apis/argoproj.io/v1alpha1/applications/x").verb,
            ""
        );
    }
}
