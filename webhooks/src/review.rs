//! AdmissionReview v1 (`admission.k8s.io/v1`, upstream `k8s.io/api/admission/v1/types.go`):
//! the wire types, decoding with clean errors for garbage input, and [`Webhooks`], the entry point
//! the HTTPS server calls for `/validate`, `/validate/rollout-required` and `/mutate`.
//!
//! Answers:
//! - a review that decodes: 200 with an AdmissionReview v1 carrying `response` (`uid` echoed,
//!   `allowed`, on refusal `status: {code: 403, reason: Forbidden, message}`, `warnings`, and for
//!   a mutation `patchType: JSONPatch` with the base64 `patch`);
//! - a body larger than [`MAX_REVIEW_BYTES`]: 413; not JSON, not an `admission.k8s.io/v1`
//!   AdmissionReview, no `request`, or no `request.uid`: 400. Both carry a `v1` `Status` JSON body.
//!   kube-apiserver treats a non-200 as a webhook failure, which `failurePolicy: Fail` turns into a
//!   refusal of the write;
//! - a policy that panics (a bug) is caught and answered 500 the same way; nothing here panics on
//!   any input.

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::index::PolicyIndex;
use crate::metrics::AdmissionMetrics;
use crate::tracking::{DEFAULT_INSTANCE_LABEL_KEY, TrackingMethod};

/// The AdmissionReview API version we speak (the webhook configurations list only `v1`).
pub const ADMISSION_API_VERSION: &str = "admission.k8s.io/v1";
/// The kind of both the request and the answer.
pub const ADMISSION_KIND: &str = "AdmissionReview";

/// The largest review body decoded. kube-apiserver caps a request body at 3 MiB, and a review of
/// an UPDATE carries the object twice (`object` and `oldObject`) plus the envelope, so 7 MiB holds
/// any review kube-apiserver can send while a 10 MiB body is refused with 413 before parsing.
pub const MAX_REVIEW_BYTES: usize = 7 * 1024 * 1024;

/// `metav1.GroupVersionKind`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupVersionKind {
    /// Group, `""` for core.
    #[serde(default)]
    pub group: String,
    /// Version.
    #[serde(default)]
    pub version: String,
    /// Kind.
    #[serde(default)]
    pub kind: String,
}

/// `metav1.GroupVersionResource`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupVersionResource {
    /// Group, `""` for core.
    #[serde(default)]
    pub group: String,
    /// Version.
    #[serde(default)]
    pub version: String,
    /// Resource (plural).
    #[serde(default)]
    pub resource: String,
}

/// `authenticationv1.UserInfo`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserInfo {
    /// The user's name.
    #[serde(default)]
    pub username: String,
    /// The user's UID.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub uid: String,
    /// The user's groups.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
    /// Extra attributes from the authenticator.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub extra: BTreeMap<String, Vec<String>>,
}

/// `admissionv1.AdmissionRequest`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AdmissionRequest {
    /// Identifies this call; echoed in the response.
    #[serde(default)]
    pub uid: String,
    /// Kind of the object admitted (for `deployments/scale`, `autoscaling/v1 Scale`).
    #[serde(default)]
    pub kind: GroupVersionKind,
    /// Resource being requested.
    #[serde(default)]
    pub resource: GroupVersionResource,
    /// Subresource (`scale`, `status`), empty for the main resource.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub sub_resource: String,
    /// Kind of the original request, if a matchPolicy conversion happened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_kind: Option<GroupVersionKind>,
    /// Resource of the original request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_resource: Option<GroupVersionResource>,
    /// Subresource of the original request.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub request_sub_resource: String,
    /// Object name (empty on a CREATE with generateName).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Namespace, empty for cluster-scoped objects.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    /// `CREATE`, `UPDATE`, `DELETE` or `CONNECT`.
    #[serde(default)]
    pub operation: String,
    /// Who is asking.
    #[serde(default)]
    pub user_info: UserInfo,
    /// The new object (absent on DELETE).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object: Option<Value>,
    /// The existing object (UPDATE and DELETE).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old_object: Option<Value>,
    /// Whether nothing will be persisted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dry_run: Option<bool>,
    /// The operation's options (CreateOptions, UpdateOptions, DeleteOptions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<Value>,
}

/// The `status` of a refusal (a `metav1.Status` subset).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResponseStatus {
    /// `Failure`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub status: String,
    /// Human-readable reason; kube-apiserver returns it to the client.
    #[serde(default)]
    pub message: String,
    /// `Forbidden`.
    #[serde(default)]
    pub reason: String,
    /// HTTP status kube-apiserver answers with (403).
    #[serde(default)]
    pub code: u16,
}

/// `admissionv1.AdmissionResponse`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AdmissionResponse {
    /// The request's uid.
    pub uid: String,
    /// Whether the request is admitted.
    pub allowed: bool,
    /// Why not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<ResponseStatus>,
    /// Warnings returned to the client (`Warning` headers).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// `JSONPatch` when `patch` is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patch_type: Option<String>,
    /// Base64 of the JSON Patch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patch: Option<String>,
}

/// An AdmissionReview, as received (with `request`) or answered (with `response`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AdmissionReview {
    /// `admission.k8s.io/v1`.
    #[serde(default)]
    pub api_version: String,
    /// `AdmissionReview`.
    #[serde(default)]
    pub kind: String,
    /// The request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<AdmissionRequest>,
    /// The response.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<AdmissionResponse>,
}

/// What the server writes back: an HTTP status and a JSON body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReviewReply {
    /// HTTP status.
    pub status: u16,
    /// JSON body.
    pub body: Vec<u8>,
}

/// Which validating webhook entry called: the plain one, or the one whose namespaceSelector
/// matches `argoproj.io/rollout-policy: required` (path `/validate/rollout-required`).
/// AdmissionReview carries no namespace labels, so the path says it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum NamespacePolicy {
    /// No namespace-level rollout policy.
    #[default]
    Default,
    /// Deployments with replicas > 0 must be referenced by a Rollout.
    RolloutRequired,
}

/// Webhook settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebhookConfig {
    /// Argo CD's namespace: projects live there, and apps there have plain instance names.
    pub control_plane_namespace: String,
    /// Usernames the project-role and Rollout policies do not apply to (the controllers that
    /// legitimately write managed objects). Sync windows still apply to them unless every
    /// blocking window has `manualSync`.
    pub exempt_subjects: Vec<String>,
    /// Groups whose members are exempt like [`Self::exempt_subjects`].
    pub exempt_groups: Vec<String>,
    /// `argocd-cm` `application.resourceTrackingMethod`.
    pub tracking_method: TrackingMethod,
    /// `argocd-cm` `application.instanceLabelKey`.
    pub instance_label_key: String,
}

impl WebhookConfig {
    /// The default exempt subjects for a control-plane namespace: the Argo CD application
    /// controller, the Argo Rollouts controller, and the two kube-controller-manager loops that
    /// delete or un-finalize objects on their owners' behalf (the garbage collector, for cascading
    /// deletes of Rollouts and foreground deletion; the namespace controller, for namespace
    /// deletion), which would otherwise be refused forever and leave deletions stuck.
    pub fn default_exempt_subjects(control_plane_namespace: &str) -> Vec<String> {
        vec![
            format!(
                "system:serviceaccount:{control_plane_namespace}:argocd-application-controller"
            ),
            "system:serviceaccount:argo-rollouts:argo-rollouts".to_string(),
            "system:serviceaccount:kube-system:generic-garbage-collector".to_string(),
            "system:serviceaccount:kube-system:namespace-controller".to_string(),
        ]
    }
}

impl Default for WebhookConfig {
    fn default() -> Self {
        WebhookConfig {
            control_plane_namespace: "argocd".to_string(),
            exempt_subjects: WebhookConfig::default_exempt_subjects("argocd"),
            exempt_groups: Vec::new(),
            tracking_method: TrackingMethod::default(),
            instance_label_key: DEFAULT_INSTANCE_LABEL_KEY.to_string(),
        }
    }
}

/// The clock the policies read (sync windows); injected so tests can stand at a window's edge.
pub type Clock = Arc<dyn Fn() -> jiff::Timestamp + Send + Sync>;

/// The admission webhooks for native objects: decode a review, run the policies against the
/// index, encode the answer, count the decision.
pub struct Webhooks {
    pub(crate) index: Arc<PolicyIndex>,
    pub(crate) config: WebhookConfig,
    pub(crate) clock: Clock,
    pub(crate) metrics: AdmissionMetrics,
}

/// The outcome of the policies for one request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Admitted or not.
    pub allowed: bool,
    /// Why not (set when refused).
    pub message: Option<String>,
    /// Warnings for the client.
    pub warnings: Vec<String>,
    /// The JSON Patch (mutating only).
    pub patch: Option<Value>,
}

impl Outcome {
    /// Admitted, nothing to say.
    pub fn allow() -> Outcome {
        Outcome {
            allowed: true,
            ..Outcome::default()
        }
    }

    /// Refused with `message`.
    pub fn deny(message: String) -> Outcome {
        Outcome {
            allowed: false,
            message: Some(message),
            ..Outcome::default()
        }
    }
}

impl Webhooks {
    /// Webhooks deciding against `index`, reading time from `clock`.
    pub fn new(index: Arc<PolicyIndex>, config: WebhookConfig, clock: Clock) -> Webhooks {
        Webhooks {
            index,
            config,
            clock,
            metrics: AdmissionMetrics::default(),
        }
    }

    /// The index decided against.
    pub fn index(&self) -> &Arc<PolicyIndex> {
        &self.index
    }

    /// The configuration.
    pub fn config(&self) -> &WebhookConfig {
        &self.config
    }

    /// The decision counters.
    pub fn metrics(&self) -> &AdmissionMetrics {
        &self.metrics
    }

    /// `POST /validate` (or `/validate/rollout-required`): the validating policies.
    pub fn validate(&self, body: &[u8], namespace_policy: NamespacePolicy) -> ReviewReply {
        self.answer(body, |req| self.validate_request(req, namespace_policy))
    }

    /// `POST /mutate`: the tracking-label mutation.
    pub fn mutate(&self, body: &[u8]) -> ReviewReply {
        self.answer(body, |req| self.mutate_request(req))
    }

    /// `admission_decisions_total` in Prometheus text format, for the server's `/metrics`.
    pub fn metrics_text(&self) -> String {
        self.metrics.render()
    }

    fn answer(&self, body: &[u8], run: impl FnOnce(&AdmissionRequest) -> Outcome) -> ReviewReply {
        let request = match decode_for_policies(body) {
            Ok(r) => r,
            Err(reply) => return reply,
        };
        match catch_unwind(AssertUnwindSafe(|| run(&request))) {
            Ok(outcome) => encode_response(&request.uid, outcome),
            Err(_) => {
                tracing::error!(uid = %request.uid, "admission policy panicked; answering 500");
                status_reply(
                    500,
                    "InternalError",
                    "admission policy failed; see the webhook's log",
                )
            }
        }
    }
}

/// Decodes a review body, or answers the garbage with a clean 400/413.
pub fn decode(body: &[u8]) -> Result<AdmissionRequest, ReviewReply> {
    decode_with::<AdmissionReview>(body)
}

/// Decodes a review body for the policies: as [`decode`], answering exactly the same bodies with
/// exactly the same errors, but `object` and `oldObject` keep only what the policies read
/// ([`wire::OBJECT`]: `metadata.name`, `.namespace`, `.labels`, `.ownerReferences`,
/// `.deletionTimestamp`, the tracking-id annotation, `spec.replicas`, `spec.selector`; an object
/// that is not a JSON object decodes as `null`) and `options` is checked but not kept (`None`).
/// Everything dropped is still parsed and validated as a `serde_json::Value` would be, without
/// being allocated.
pub fn decode_for_policies(body: &[u8]) -> Result<AdmissionRequest, ReviewReply> {
    decode_with::<wire::AdmissionReview>(body)
}

/// The envelope checks shared by both decoders.
fn decode_with<R>(body: &[u8]) -> Result<AdmissionRequest, ReviewReply>
where
    R: serde::de::DeserializeOwned + Into<AdmissionReview>,
{
    if body.len() > MAX_REVIEW_BYTES {
        return Err(status_reply(
            413,
            "RequestEntityTooLarge",
            &format!(
                "AdmissionReview of {} bytes exceeds the limit of {MAX_REVIEW_BYTES} bytes",
                body.len()
            ),
        ));
    }
    let review: AdmissionReview = serde_json::from_slice::<R>(body)
        .map_err(|e| bad_request(&format!("request body is not an AdmissionReview: {e}")))?
        .into();
    if review.api_version != ADMISSION_API_VERSION || review.kind != ADMISSION_KIND {
        return Err(bad_request(&format!(
            "expected apiVersion {ADMISSION_API_VERSION} kind {ADMISSION_KIND}, got apiVersion {:?} kind {:?}",
            review.api_version, review.kind
        )));
    }
    let Some(request) = review.request else {
        return Err(bad_request("AdmissionReview has no request"));
    };
    if request.uid.is_empty() {
        return Err(bad_request("AdmissionReview request has no uid"));
    }
    Ok(request)
}

/// The review as [`decode_for_policies`] reads it: the same fields, types and serde names as
/// [`AdmissionReview`] (so that the same bodies fail with the same messages), with the objects
/// pruned.
mod wire {
    use std::fmt;

    use serde::Deserialize;
    use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
    use serde_json::{Map, Value};

    use super::{AdmissionResponse, GroupVersionKind, GroupVersionResource};
    use crate::tracking::TRACKING_ID_ANNOTATION;

    /// How much of a JSON value to keep: all of it, or of an object only some keys (each with its
    /// own shape), anything that is not an object becoming `null`.
    #[derive(Clone, Copy, Debug)]
    pub enum Shape {
        Whole,
        Keys(&'static [(&'static str, Shape)]),
    }

    const ANNOTATIONS: &[(&str, Shape)] = &[(TRACKING_ID_ANNOTATION, Shape::Whole)];
    const METADATA: &[(&str, Shape)] = &[
        ("name", Shape::Whole),
        ("namespace", Shape::Whole),
        ("labels", Shape::Whole),
        ("annotations", Shape::Keys(ANNOTATIONS)),
        ("ownerReferences", Shape::Whole),
        ("deletionTimestamp", Shape::Whole),
    ];
    const SPEC: &[(&str, Shape)] = &[("replicas", Shape::Whole), ("selector", Shape::Whole)];
    /// What the policies read of `object` and `oldObject` (see `native.rs` and `tracking.rs`).
    pub const OBJECT: Shape = Shape::Keys(&[
        ("metadata", Shape::Keys(METADATA)),
        ("spec", Shape::Keys(SPEC)),
    ]);

    /// An object pruned to [`OBJECT`].
    pub struct Pruned(pub Value);

    impl<'de> Deserialize<'de> for Pruned {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            ShapeSeed(OBJECT).deserialize(d).map(Pruned)
        }
    }

    /// Any JSON value, parsed and validated exactly as a `serde_json::Value` would be (strings
    /// decoded, numbers range-checked), but not kept.
    pub struct Skip;

    impl<'de> Deserialize<'de> for Skip {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            d.deserialize_any(SkipVisitor).map(|_| Skip)
        }
    }

    struct SkipVisitor;

    /// Implements the scalar visits of a visitor that answers `$out` for each.
    macro_rules! scalars {
        ($out:expr) => {
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Ok($out)
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
                Ok($out)
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
                Ok($out)
            }
            fn visit_i128<E: de::Error>(self, _: i128) -> Result<Self::Value, E> {
                Ok($out)
            }
            fn visit_u128<E: de::Error>(self, _: u128) -> Result<Self::Value, E> {
                Ok($out)
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
                Ok($out)
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
                Ok($out)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok($out)
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok($out)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<Skip>()?.is_some() {}
                Ok($out)
            }
        };
    }

    impl<'de> Visitor<'de> for SkipVisitor {
        type Value = ();

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("any valid JSON value")
        }

        scalars!(());

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
            while map.next_key::<Skip>()?.is_some() {
                map.next_value::<Skip>()?;
            }
            Ok(())
        }
    }

    struct ShapeSeed(Shape);

    impl<'de> DeserializeSeed<'de> for ShapeSeed {
        type Value = Value;

        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
            match self.0 {
                Shape::Whole => Value::deserialize(d),
                Shape::Keys(keys) => d.deserialize_any(KeysVisitor(keys)),
            }
        }
    }

    /// Keeps `keys` of an object; anything else is validated and becomes `null`.
    struct KeysVisitor(&'static [(&'static str, Shape)]);

    impl<'de> Visitor<'de> for KeysVisitor {
        type Value = Value;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("any valid JSON value")
        }

        scalars!(Value::Null);

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
            let mut out = Map::new();
            while let Some(key) = map.next_key_seed(KeySeed(self.0))? {
                match key {
                    Some(i) => {
                        let (name, shape) = self.0[i];
                        // A repeated key: the last one wins, as in a `Value`.
                        out.insert(name.to_string(), map.next_value_seed(ShapeSeed(shape))?);
                    }
                    None => {
                        map.next_value::<Skip>()?;
                    }
                }
            }
            Ok(Value::Object(out))
        }
    }

    /// A map key: its index in the kept keys, if kept.
    struct KeySeed(&'static [(&'static str, Shape)]);

    impl<'de> DeserializeSeed<'de> for KeySeed {
        type Value = Option<usize>;

        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<usize>, D::Error> {
            d.deserialize_str(self)
        }
    }

    impl<'de> Visitor<'de> for KeySeed {
        type Value = Option<usize>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string key")
        }

        fn visit_str<E: de::Error>(self, key: &str) -> Result<Option<usize>, E> {
            Ok(self.0.iter().position(|(k, _)| *k == key))
        }
    }

    // The names are those of the full types: serde's messages name the struct.
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct AdmissionReview {
        #[serde(default)]
        api_version: String,
        #[serde(default)]
        kind: String,
        #[serde(default)]
        request: Option<AdmissionRequest>,
        #[serde(default)]
        response: Option<AdmissionResponse>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct AdmissionRequest {
        #[serde(default)]
        uid: String,
        #[serde(default)]
        kind: GroupVersionKind,
        #[serde(default)]
        resource: GroupVersionResource,
        #[serde(default)]
        sub_resource: String,
        #[serde(default)]
        request_kind: Option<GroupVersionKind>,
        #[serde(default)]
        request_resource: Option<GroupVersionResource>,
        #[serde(default)]
        request_sub_resource: String,
        #[serde(default)]
        name: String,
        #[serde(default)]
        namespace: String,
        #[serde(default)]
        operation: String,
        #[serde(default)]
        user_info: UserInfo,
        #[serde(default)]
        object: Option<Pruned>,
        #[serde(default)]
        old_object: Option<Pruned>,
        #[serde(default)]
        dry_run: Option<bool>,
        /// Validated, not kept.
        #[serde(default)]
        #[allow(dead_code)]
        options: Option<Skip>,
    }

    /// `UserInfo` with the same decoding (the type is reused as is).
    type UserInfo = super::UserInfo;

    impl From<AdmissionReview> for super::AdmissionReview {
        fn from(r: AdmissionReview) -> super::AdmissionReview {
            super::AdmissionReview {
                api_version: r.api_version,
                kind: r.kind,
                request: r.request.map(|q| super::AdmissionRequest {
                    uid: q.uid,
                    kind: q.kind,
                    resource: q.resource,
                    sub_resource: q.sub_resource,
                    request_kind: q.request_kind,
                    request_resource: q.request_resource,
                    request_sub_resource: q.request_sub_resource,
                    name: q.name,
                    namespace: q.namespace,
                    operation: q.operation,
                    user_info: q.user_info,
                    object: q.object.map(|p| p.0),
                    old_object: q.old_object.map(|p| p.0),
                    dry_run: q.dry_run,
                    options: None,
                }),
                response: r.response,
            }
        }
    }
}

fn bad_request(message: &str) -> ReviewReply {
    status_reply(400, "BadRequest", message)
}

/// A `v1` `Status` body with `code`.
fn status_reply(code: u16, reason: &str, message: &str) -> ReviewReply {
    let body = serde_json::json!({
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "code": code,
    });
    ReviewReply {
        status: code,
        body: serde_json::to_vec(&body).unwrap_or_default(),
    }
}

/// The AdmissionReview answer for `uid`.
pub fn encode_response(uid: &str, outcome: Outcome) -> ReviewReply {
    let status = (!outcome.allowed).then(|| ResponseStatus {
        status: "Failure".to_string(),
        message: outcome.message.unwrap_or_default(),
        reason: "Forbidden".to_string(),
        code: 403,
    });
    let (patch_type, patch) = match outcome.patch {
        Some(p) if outcome.allowed => (
            Some("JSONPatch".to_string()),
            Some(base64::engine::general_purpose::STANDARD.encode(p.to_string())),
        ),
        _ => (None, None),
    };
    let review = AdmissionReview {
        api_version: ADMISSION_API_VERSION.to_string(),
        kind: ADMISSION_KIND.to_string(),
        request: None,
        response: Some(AdmissionResponse {
            uid: uid.to_string(),
            allowed: outcome.allowed,
            status,
            warnings: outcome.warnings,
            patch_type,
            patch,
        }),
    };
    match serde_json::to_vec(&review) {
        Ok(body) => ReviewReply { status: 200, body },
        Err(e) => status_reply(500, "InternalError", &format!("encoding the answer: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const HEAD: &str = r#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","operation":"UPDATE","#;

    fn body(rest: &str) -> Vec<u8> {
        format!("{HEAD}{rest}}}}}").into_bytes()
    }

    /// Both decoders accept and refuse the same bodies, with the same answer.
    fn same_verdict(body: &[u8]) -> Result<AdmissionRequest, ReviewReply> {
        let full = decode(body);
        let pruned = decode_for_policies(body);
        match (&full, &pruned) {
            (Ok(_), Ok(_)) => {}
            (Err(a), Err(b)) => assert_eq!(a, b, "{}", String::from_utf8_lossy(body)),
            _ => panic!(
                "decoders disagree on {}: {full:?} vs {pruned:?}",
                String::from_utf8_lossy(body)
            ),
        }
        pruned
    }

    #[test]
    fn pruned_decoding_refuses_exactly_what_full_decoding_refuses() {
        let mut bodies: Vec<Vec<u8>> = vec![
            b"this is not json".to_vec(),
            Vec::new(),
            vec![0xff, 0xfe, 0x00, 0x7b],
            b"[1,2,3]".to_vec(),
            "[".repeat(100_000).into_bytes(),
            br#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":"x"}"#
                .to_vec(),
            body(r#""object":{"data":{"x":1e999}}"#),
            body(r#""object":{"data":{"x":"\ud800"}}"#),
            body(r#""object":{"data":{"x":"\q"}}"#),
            body(r#""oldObject":{"metadata":{"managedFields":[{"a":-1e400}]}}"#),
            body(r#""object":{"data":{"\udc00":1}}"#),
            body(r#""options":{"x":[1,2,{"y":1e999}]}"#),
            body(r#""options":"\ud800""#),
            body(r#""object":{"metadata":{"annotations":{"a":"b","a":1e999}}}"#),
            body(r#""object":{"metadata":"x","spec":[1e999]}"#),
            body(r#""object":{"a":1,"a":2}"#),
            body(r#""object":{},"object":{}"#),
            body(r#""object":5,"oldObject":[1],"options":null"#),
            body(r#""object":{"spec":{"replicas":1e3,"template":{"x":"\u00e9"}}}"#),
            body(r#""userInfo":{"username":5}"#),
            body(r#""response":{"uid":1}"#),
            format!("{}{}", HEAD, r#""object":{"data":{"x":"y"}"#).into_bytes(),
        ];
        let mut bad_utf8 = body(r#""object":{"data":{"x":"--"}}"#);
        let at = bad_utf8.windows(2).position(|w| w == b"--").unwrap();
        bad_utf8[at] = 0xc3;
        bodies.push(bad_utf8);
        for b in &bodies {
            let _ = same_verdict(b);
        }
    }

    #[test]
    fn pruned_objects_keep_what_the_policies_read() {
        let object = json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "shop", "generateName": "w-",
                "labels": {"app.kubernetes.io/instance": "app", "x": 1},
                "annotations": {"argocd.argoproj.io/tracking-id": "app:apps/Deployment:shop/web",
                    "kubectl.kubernetes.io/last-applied-configuration": "{}"},
                "ownerReferences": [{"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "name": "r", "controller": true}],
                "deletionTimestamp": "2025-01-01T00:00:00Z",
                "managedFields": [{"manager": "kubectl"}]},
            "spec": {"replicas": 3, "selector": {"rollouts-pod-template-hash": "abc"}, "template": {"spec": {}}},
            "status": {"replicas": 1}
        });
        let review = json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
            "request": {"uid": "u", "operation": "UPDATE", "object": object, "oldObject": "not an object",
                "options": {"kind": "UpdateOptions"}}});
        let req = same_verdict(&serde_json::to_vec(&review).unwrap()).unwrap();
        let mut want = object.clone();
        let meta = want["metadata"].as_object_mut().unwrap();
        meta.remove("generateName");
        meta.remove("managedFields");
        meta["annotations"]
            .as_object_mut()
            .unwrap()
            .remove("kubectl.kubernetes.io/last-applied-configuration");
        want.as_object_mut()
            .unwrap()
            .retain(|k, _| k == "metadata" || k == "spec");
        want["spec"].as_object_mut().unwrap().remove("template");
        assert_eq!(req.object, Some(want));
        assert_eq!(req.old_object, Some(Value::Null));
        assert_eq!(req.options, None);
    }
}
