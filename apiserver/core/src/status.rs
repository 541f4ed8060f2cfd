//! The one error type at the edge: a `metav1.Status` with kube's code, reason, details and exact
//! message wording, built by named constructors so every handler says the same thing the same way.

use std::fmt;

use argo_openapi::validation::FieldError;
use serde::{Deserialize, Serialize};

/// `metav1.Status`. Field order follows kube's JSON (kind, apiVersion, metadata, status, ...).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Status {
    pub kind: String,
    pub api_version: String,
    pub metadata: StatusMeta,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub status: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub message: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<StatusDetails>,
    #[serde(default)]
    pub code: u16,
}

/// The ListMeta of a Status: empty, except an expired continue carries a fresh token.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusMeta {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "continue")]
    pub continue_: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusDetails {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub group: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub uid: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub causes: Vec<StatusCause>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_seconds: Option<u32>,
}

/// A cause; its type serializes as `reason`, as kube's does.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusCause {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub message: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub field: String,
}

/// A resource with its group, as kube prints it in messages: `applications.argoproj.io`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GroupResource<'a> {
    pub group: &'a str,
    pub resource: &'a str,
}

impl fmt::Display for GroupResource<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.group.is_empty() {
            f.write_str(self.resource)
        } else {
            write!(f, "{}.{}", self.resource, self.group)
        }
    }
}

/// A failed request, carrying the Status to answer with.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{} ({}): {}", status.code, status.reason, status.message)]
pub struct ApiError {
    pub status: Status,
}

impl Status {
    pub fn success(details: Option<StatusDetails>) -> Status {
        Status {
            kind: "Status".into(),
            api_version: "v1".into(),
            metadata: StatusMeta::default(),
            status: "Success".into(),
            message: String::new(),
            reason: String::new(),
            details,
            code: 200,
        }
    }

    fn failure(code: u16, reason: &str, message: String, details: Option<StatusDetails>) -> Status {
        Status {
            kind: "Status".into(),
            api_version: "v1".into(),
            metadata: StatusMeta::default(),
            status: "Failure".into(),
            message,
            reason: reason.into(),
            details,
            code,
        }
    }
}

fn details(gr: GroupResource<'_>, name: &str) -> Option<StatusDetails> {
    Some(StatusDetails {
        name: name.into(),
        group: gr.group.into(),
        kind: gr.resource.into(),
        ..Default::default()
    })
}

fn err(code: u16, reason: &str, message: String, details: Option<StatusDetails>) -> ApiError {
    ApiError {
        status: Status::failure(code, reason, message, details),
    }
}

impl ApiError {
    pub fn code(&self) -> u16 {
        self.status.code
    }

    pub fn reason(&self) -> &str {
        &self.status.reason
    }

    /// Seconds a client should wait before retrying (the `Retry-After` header), if any.
    pub fn retry_after(&self) -> Option<u32> {
        self.status
            .details
            .as_ref()
            .and_then(|d| d.retry_after_seconds)
    }

    /// 404 `applications.argoproj.io "x" not found`.
    pub fn not_found(gr: GroupResource<'_>, name: &str) -> ApiError {
        err(
            404,
            "NotFound",
            format!("{gr} \"{name}\" not found"),
            details(gr, name),
        )
    }

    /// 404 for a path that names no resource: kube's generic message.
    pub fn path_not_found() -> ApiError {
        err(
            404,
            "NotFound",
            "the server could not find the requested resource".into(),
            Some(StatusDetails::default()),
        )
    }

    /// 409 `applications.argoproj.io "x" already exists`.
    pub fn already_exists(gr: GroupResource<'_>, name: &str) -> ApiError {
        err(
            409,
            "AlreadyExists",
            format!("{gr} \"{name}\" already exists"),
            details(gr, name),
        )
    }

    /// 409 Conflict: `Operation cannot be fulfilled on applications.argoproj.io "x": <why>`.
    pub fn conflict(gr: GroupResource<'_>, name: &str, why: &str) -> ApiError {
        err(
            409,
            "Conflict",
            format!("Operation cannot be fulfilled on {gr} \"{name}\": {why}"),
            details(gr, name),
        )
    }

    /// The optimistic-concurrency Conflict, worded exactly as kube's.
    pub fn modified(gr: GroupResource<'_>, name: &str) -> ApiError {
        Self::conflict(
            gr,
            name,
            "the object has been modified; please apply your changes to the latest version and try again",
        )
    }

    /// 422 Invalid: `Application.argoproj.io "x" is invalid: [a: ..., b: ...]`, a cause per field.
    pub fn invalid(kind: &str, group: &str, name: &str, errors: &[FieldError]) -> ApiError {
        let qualified = if group.is_empty() {
            kind.to_string()
        } else {
            format!("{kind}.{group}")
        };
        let list = match errors {
            [one] => one.to_string(),
            many => format!(
                "[{}]",
                many.iter()
                    .map(|e| e.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        let causes = errors
            .iter()
            .map(|e| StatusCause {
                reason: serde_json::to_value(e.error_type)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default(),
                message: e.error_body(),
                field: e.field.clone(),
            })
            .collect();
        err(
            422,
            "Invalid",
            format!("{qualified} \"{name}\" is invalid: {list}"),
            Some(StatusDetails {
                name: name.into(),
                group: group.into(),
                kind: kind.into(),
                causes,
                ..Default::default()
            }),
        )
    }

    pub fn bad_request(message: impl Into<String>) -> ApiError {
        err(400, "BadRequest", message.into(), None)
    }

    /// 403 with kube's authorizer wording, built by the caller (see the authz module).
    pub fn forbidden_message(
        message: impl Into<String>,
        gr: GroupResource<'_>,
        name: &str,
    ) -> ApiError {
        err(403, "Forbidden", message.into(), details(gr, name))
    }

    /// 403 `<gr> "x" is forbidden: <why>`.
    pub fn forbidden(gr: GroupResource<'_>, name: &str, why: &str) -> ApiError {
        let subject = if name.is_empty() {
            gr.to_string()
        } else {
            format!("{gr} \"{name}\"")
        };
        err(
            403,
            "Forbidden",
            format!("{subject} is forbidden: {why}"),
            details(gr, name),
        )
    }

    pub fn unauthorized() -> ApiError {
        err(401, "Unauthorized", "Unauthorized".into(), None)
    }

    /// 405 `<verb> is not supported on resources of kind "applications.argoproj.io"`.
    pub fn method_not_supported(gr: GroupResource<'_>, verb: &str) -> ApiError {
        err(
            405,
            "MethodNotAllowed",
            format!("{verb} is not supported on resources of kind \"{gr}\""),
            details(gr, ""),
        )
    }

    /// 406 `only the following media types are accepted: ...`.
    pub fn not_acceptable(accepted: &[&str]) -> ApiError {
        err(
            406,
            "NotAcceptable",
            format!(
                "only the following media types are accepted: {}",
                accepted.join(", ")
            ),
            None,
        )
    }

    /// 406 with a message of the caller's, as kube's `errNotAcceptable` for a transform that does
    /// not fit the object (e.g. PartialObjectMetadata asked of a list).
    pub fn not_acceptable_message(message: impl Into<String>) -> ApiError {
        err(406, "NotAcceptable", message.into(), None)
    }

    /// 415 `the body of the request was in an unknown format - accepted media types include: ...`.
    pub fn unsupported_media_type(accepted: &[&str]) -> ApiError {
        err(
            415,
            "UnsupportedMediaType",
            format!(
                "the body of the request was in an unknown format - accepted media types include: {}",
                accepted.join(", ")
            ),
            None,
        )
    }

    /// 413 `Request entity too large: <what>` (the body limit: `limit is 3145728`).
    pub fn request_entity_too_large(what: impl std::fmt::Display) -> ApiError {
        err(
            413,
            "RequestEntityTooLarge",
            format!("Request entity too large: {what}"),
            None,
        )
    }

    /// 422 Invalid for a patch that does not apply. kube answers it with a fixed text ("the
    /// server rejected our request due to an error in our request"); this keeps its code and
    /// reason but says which operation failed and why, which is what the user needs to fix it.
    pub fn patch_not_applied(message: impl Into<String>) -> ApiError {
        err(422, "Invalid", message.into(), None)
    }

    /// 410 Expired with a message of the caller's (watch, list and continue each word it).
    pub fn expired(message: impl Into<String>) -> ApiError {
        err(410, "Expired", message.into(), None)
    }

    /// 410 Gone.
    pub fn gone(message: impl Into<String>) -> ApiError {
        err(410, "Gone", message.into(), None)
    }

    /// 504 `Too large resource version: N, current: M`, retry after 1 s.
    pub fn too_large_resource_version(requested: i64, current: i64) -> ApiError {
        err(
            504,
            "Timeout",
            format!("Too large resource version: {requested}, current: {current}"),
            Some(StatusDetails {
                causes: vec![StatusCause {
                    reason: "ResourceVersionTooLarge".into(),
                    message: "Too large resource version".into(),
                    field: String::new(),
                }],
                retry_after_seconds: Some(1),
                ..Default::default()
            }),
        )
    }

    /// 429 `Too many requests: <why>`.
    pub fn too_many_requests(why: &str, retry_after: u32) -> ApiError {
        err(
            429,
            "TooManyRequests",
            format!("Too many requests: {why}"),
            Some(StatusDetails {
                retry_after_seconds: Some(retry_after),
                ..Default::default()
            }),
        )
    }

    /// 504 `Timeout: <why>`.
    pub fn timeout(why: &str, retry_after: Option<u32>) -> ApiError {
        err(
            504,
            "Timeout",
            format!("Timeout: {why}"),
            Some(StatusDetails {
                retry_after_seconds: retry_after,
                ..Default::default()
            }),
        )
    }

    /// 503 ServiceUnavailable.
    pub fn service_unavailable(why: &str) -> ApiError {
        err(
            503,
            "ServiceUnavailable",
            why.to_string(),
            Some(StatusDetails {
                retry_after_seconds: Some(1),
                ..Default::default()
            }),
        )
    }

    /// 500 `Internal error occurred: <err>`.
    pub fn internal(error: impl fmt::Display) -> ApiError {
        let e = error.to_string();
        err(
            500,
            "InternalError",
            format!("Internal error occurred: {e}"),
            Some(StatusDetails {
                causes: vec![StatusCause {
                    message: e,
                    ..Default::default()
                }],
                ..Default::default()
            }),
        )
    }

    /// 422 on an options kind (`ListOptions.meta.k8s.io`), e.g. resourceVersionMatch misuse.
    pub fn invalid_options(options_kind: &str, errors: &[FieldError]) -> ApiError {
        Self::invalid(options_kind, "meta.k8s.io", "", errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use argo_openapi::validation::FieldError;

    const APPS: GroupResource<'static> = GroupResource {
        group: "argoproj.io",
        resource: "applications",
    };

    #[test]
    fn wording_matches_kube() {
        assert_eq!(
            ApiError::not_found(APPS, "x").status.message,
            "applications.argoproj.io \"x\" not found"
        );
        assert_eq!(
            ApiError::modified(APPS, "x").status.message,
            "Operation cannot be fulfilled on applications.argoproj.io \"x\": the object has been modified; please apply your changes to the latest version and try again"
        );
        let one = ApiError::invalid(
            "Application",
            "argoproj.io",
            "x",
            &[FieldError::required("spec.project", "")],
        );
        assert_eq!(
            one.status.message,
            "Application.argoproj.io \"x\" is invalid: spec.project: Required value"
        );
        assert_eq!(one.code(), 422);
        let cause = &one.status.details.as_ref().unwrap().causes[0];
        assert_eq!(cause.reason, "FieldValueRequired");
        assert_eq!(cause.message, "Required value");
        assert_eq!(cause.field, "spec.project");
        let two = ApiError::invalid(
            "Application",
            "argoproj.io",
            "x",
            &[
                FieldError::required("spec.project", ""),
                FieldError::invalid("spec.a", serde_json::json!(3), "bad"),
            ],
        );
        assert_eq!(
            two.status.message,
            "Application.argoproj.io \"x\" is invalid: [spec.project: Required value, spec.a: Invalid value: 3: bad]"
        );
    }

    #[test]
    fn json_shape_matches_kube() {
        let s = ApiError::not_found(APPS, "x").status;
        assert_eq!(
            serde_json::to_string(&s).unwrap(),
            r#"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"applications.argoproj.io \"x\" not found","reason":"NotFound","details":{"name":"x","group":"argoproj.io","kind":"applications"},"code":404}"#
        );
    }
}
