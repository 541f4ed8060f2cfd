//! How Argo CD marks the native objects an Application manages (argo-semantics §9), read back by
//! the admission webhooks.
//!
//! - Annotation `argocd.argoproj.io/tracking-id` = `<instance>:<group>/<kind>:<namespace>/<name>`.
//!   It counts only when it refers to this very object (upstream `isSelfReferencedObj`): same
//!   group, kind and name, and the same namespace unless the object is cluster-scoped (cluster-scoped
//!   objects carry the app's destination namespace there). A copied annotation does not make the
//!   copy part of the app.
//! - Label `app.kubernetes.io/instance` (key configurable) = the instance name.
//!
//! Which marks count (a decision, see [`owner_instance`]): a self-referencing tracking-id always
//! counts, whatever the tracking method, because it names the object exactly. The instance label
//! counts only with the `label` tracking method: with `annotation` and `annotation+label` Argo CD
//! itself ignores the label (it is informational, and Helm charts set the same key to their
//! release name), so trusting it would attribute unrelated objects to an Application. Even then, an
//! object with a controller ownerReference is not tracked by its label: ReplicaSets and Pods
//! inherit the label from their owner's pod template, and Argo CD treats them as children, not as
//! managed resources. CustomResourceDefinitions are never tracked (upstream skips them).

use serde_json::Value;

/// The tracking annotation.
pub const TRACKING_ID_ANNOTATION: &str = "argocd.argoproj.io/tracking-id";
/// The default instance label key (`application.instanceLabelKey` in `argocd-cm`).
pub const DEFAULT_INSTANCE_LABEL_KEY: &str = "app.kubernetes.io/instance";
/// Longest label value Kubernetes accepts.
pub const LABEL_MAX_LENGTH: usize = 63;

/// `argocd-cm` `application.resourceTrackingMethod`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum TrackingMethod {
    /// `annotation` (upstream's default when the key is empty).
    #[default]
    Annotation,
    /// `label`.
    Label,
    /// `annotation+label`.
    AnnotationAndLabel,
}

impl TrackingMethod {
    /// Parses the `argocd-cm` value; empty means the default (`annotation`).
    pub fn parse(value: &str) -> Option<TrackingMethod> {
        match value.trim() {
            "" | "annotation" => Some(TrackingMethod::Annotation),
            "label" => Some(TrackingMethod::Label),
            "annotation+label" => Some(TrackingMethod::AnnotationAndLabel),
            _ => None,
        }
    }

    /// The `argocd-cm` spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            TrackingMethod::Annotation => "annotation",
            TrackingMethod::Label => "label",
            TrackingMethod::AnnotationAndLabel => "annotation+label",
        }
    }

    /// Whether Argo CD writes the instance label with this method.
    pub fn uses_label(self) -> bool {
        matches!(
            self,
            TrackingMethod::Label | TrackingMethod::AnnotationAndLabel
        )
    }
}

/// A parsed tracking-id annotation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrackingId {
    /// The app instance name (`name`, or `<ns>_<name>` outside the control-plane namespace).
    pub instance: String,
    /// API group, `""` for core.
    pub group: String,
    /// Kind.
    pub kind: String,
    /// Namespace (the app's destination namespace for cluster-scoped objects).
    pub namespace: String,
    /// Object name.
    pub name: String,
}

/// Upstream's parse error text.
pub const TRACKING_FORMAT_ERROR: &str = "wrong resource tracking format, should be <application-name>:<group>/<kind>:<namespace>/<name>";

impl TrackingId {
    /// Parses `<instance>:<group>/<kind>:<namespace>/<name>`: exactly 3 `:` parts, then exactly
    /// 2 `/` parts each (upstream `ParseAppInstanceValue`).
    pub fn parse(value: &str) -> Result<TrackingId, &'static str> {
        let mut parts = value.split(':');
        let (Some(instance), Some(gk), Some(nn), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(TRACKING_FORMAT_ERROR);
        };
        let split2 = |s: &str| -> Result<(String, String), &'static str> {
            let mut it = s.split('/');
            match (it.next(), it.next(), it.next()) {
                (Some(a), Some(b), None) => Ok((a.to_string(), b.to_string())),
                _ => Err(TRACKING_FORMAT_ERROR),
            }
        };
        let (group, kind) = split2(gk)?;
        let (namespace, name) = split2(nn)?;
        Ok(TrackingId {
            instance: instance.to_string(),
            group,
            kind,
            namespace,
            name,
        })
    }

    /// Whether this id names the object with this group, kind, namespace (`""` when
    /// cluster-scoped) and name.
    pub fn refers_to(&self, group: &str, kind: &str, namespace: &str, name: &str) -> bool {
        (namespace.is_empty() || namespace == self.namespace)
            && name == self.name
            && group == self.group
            && kind == self.kind
    }
}

/// The instance label value Argo CD writes with `method` (§9): `label` keeps the whole instance
/// name (names over 63 characters then fail Kubernetes validation, as upstream); `annotation+label`
/// truncates to 63 characters and trims trailing non-alphanumerics. `None` for `annotation`.
pub fn instance_label_value(instance: &str, method: TrackingMethod) -> Option<String> {
    match method {
        TrackingMethod::Annotation => None,
        TrackingMethod::Label => Some(instance.to_string()),
        TrackingMethod::AnnotationAndLabel => {
            if instance.len() <= LABEL_MAX_LENGTH {
                return Some(instance.to_string());
            }
            let mut end = LABEL_MAX_LENGTH;
            while !instance.is_char_boundary(end) {
                end -= 1;
            }
            let cut = instance[..end].trim_end_matches(|c: char| !c.is_ascii_alphanumeric());
            Some(cut.to_string())
        }
    }
}

/// Group of an `apiVersion` (`apps/v1` → `apps`, `v1` → `""`).
pub fn api_group(api_version: &str) -> &str {
    match api_version.rsplit_once('/') {
        Some((group, _)) => group,
        None => "",
    }
}

/// Whether the object is a CustomResourceDefinition (never tracked).
pub fn is_crd(group: &str, kind: &str) -> bool {
    group == "apiextensions.k8s.io" && kind == "CustomResourceDefinition"
}

/// A string field of `metadata.annotations` or `metadata.labels`.
pub fn meta_map_value<'a>(obj: &'a Value, map: &str, key: &str) -> Option<&'a str> {
    obj.get("metadata")?.get(map)?.get(key)?.as_str()
}

/// Whether the object carries any tracking mark at all (the tracking annotation or the instance
/// label), parsed or not. Used by the fast path: no mark means nothing to look up.
pub fn has_tracking_mark(obj: &Value, label_key: &str) -> bool {
    meta_map_value(obj, "annotations", TRACKING_ID_ANNOTATION).is_some()
        || meta_map_value(obj, "labels", label_key).is_some()
}

/// How the owner was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrackedBy {
    /// A self-referencing tracking-id annotation.
    Annotation,
    /// The instance label (label tracking only).
    Label,
}

/// The instance of the Application that manages `obj`, if any (see the module docs for which
/// marks count). `group`/`kind` are the object's (from its apiVersion/kind, or the request's),
/// `namespace` is `""` for cluster-scoped objects.
pub fn owner_instance(
    obj: &Value,
    group: &str,
    kind: &str,
    namespace: &str,
    name: &str,
    method: TrackingMethod,
    label_key: &str,
) -> Option<(String, TrackedBy)> {
    if is_crd(group, kind) {
        return None;
    }
    if let Some(value) = meta_map_value(obj, "annotations", TRACKING_ID_ANNOTATION)
        && let Ok(id) = TrackingId::parse(value)
        && id.refers_to(group, kind, namespace, name)
        && !id.instance.is_empty()
    {
        return Some((id.instance, TrackedBy::Annotation));
    }
    if method == TrackingMethod::Label
        && !has_controller_owner(obj)
        && let Some(value) = meta_map_value(obj, "labels", label_key)
        && !value.is_empty()
    {
        return Some((value.to_string(), TrackedBy::Label));
    }
    None
}

/// Whether some ownerReference has `controller: true`.
pub fn has_controller_owner(obj: &Value) -> bool {
    obj.get("metadata")
        .and_then(|m| m.get("ownerReferences"))
        .and_then(Value::as_array)
        .is_some_and(|refs| {
            refs.iter()
                .any(|r| r.get("controller").and_then(Value::as_bool) == Some(true))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_and_rejects_like_upstream() {
        let id = TrackingId::parse("my-app:/ConfigMap:default/cm").unwrap();
        assert_eq!(id.instance, "my-app");
        assert_eq!(id.group, "");
        assert_eq!(id.kind, "ConfigMap");
        assert_eq!(id.namespace, "default");
        assert_eq!(id.name, "cm");
        for bad in [
            "my-app",
            "a:b:c",
            "a:/K:ns/n:extra",
            "a:g/v/K:ns/n",
            "a:/K:ns",
        ] {
            assert_eq!(TrackingId::parse(bad), Err(TRACKING_FORMAT_ERROR), "{bad}");
        }
    }

    #[test]
    fn self_reference_rules() {
        let id = TrackingId::parse("app:apps/Deployment:prod/web").unwrap();
        assert!(id.refers_to("apps", "Deployment", "prod", "web"));
        assert!(!id.refers_to("apps", "Deployment", "staging", "web"));
        assert!(!id.refers_to("apps", "Deployment", "prod", "web-copy"));
        assert!(!id.refers_to("", "Deployment", "prod", "web"));
        assert!(!id.refers_to("apps", "StatefulSet", "prod", "web"));
        // Cluster-scoped: the id carries the app's destination namespace.
        assert!(id.refers_to("apps", "Deployment", "", "web"));
    }

    #[test]
    fn label_values_per_method() {
        let long = format!("{}-{}", "a".repeat(62), "bcdef");
        assert_eq!(instance_label_value("x", TrackingMethod::Annotation), None);
        assert_eq!(
            instance_label_value(&long, TrackingMethod::Label).unwrap(),
            long
        );
        // 62 'a' + '-' is cut at 63 then the trailing '-' trimmed.
        assert_eq!(
            instance_label_value(&long, TrackingMethod::AnnotationAndLabel).unwrap(),
            "a".repeat(62)
        );
        assert_eq!(
            instance_label_value("short", TrackingMethod::AnnotationAndLabel).unwrap(),
            "short"
        );
    }

    #[test]
    fn owner_rules() {
        let obj = json!({"metadata": {
            "name": "cm", "namespace": "default",
            "annotations": {"argocd.argoproj.io/tracking-id": "app:/ConfigMap:default/cm"},
            "labels": {"app.kubernetes.io/instance": "other"}
        }});
        let key = DEFAULT_INSTANCE_LABEL_KEY;
        let got = owner_instance(
            &obj,
            "",
            "ConfigMap",
            "default",
            "cm",
            TrackingMethod::Annotation,
            key,
        );
        assert_eq!(got, Some(("app".into(), TrackedBy::Annotation)));
        // A copy with another name is not tracked, and the label does not count with annotation
        // tracking.
        let got = owner_instance(
            &obj,
            "",
            "ConfigMap",
            "default",
            "cm2",
            TrackingMethod::Annotation,
            key,
        );
        assert_eq!(got, None);
        let got = owner_instance(
            &obj,
            "",
            "ConfigMap",
            "default",
            "cm2",
            TrackingMethod::Label,
            key,
        );
        assert_eq!(got, Some(("other".into(), TrackedBy::Label)));
        // Children with a controller owner are not tracked by label.
        let child = json!({"metadata": {"name": "rs", "labels": {"app.kubernetes.io/instance": "x"},
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "d", "uid": "u", "controller": true}]}});
        assert_eq!(
            owner_instance(
                &child,
                "apps",
                "ReplicaSet",
                "ns",
                "rs",
                TrackingMethod::Label,
                key
            ),
            None
        );
        // CRDs are never tracked.
        let crd = json!({"metadata": {"name": "x.example.com", "annotations": {
            "argocd.argoproj.io/tracking-id": "app:apiextensions.k8s.io/CustomResourceDefinition:ns/x.example.com"}}});
        assert_eq!(
            owner_instance(
                &crd,
                "apiextensions.k8s.io",
                "CustomResourceDefinition",
                "",
                "x.example.com",
                TrackingMethod::Annotation,
                key
            ),
            None
        );
    }
}
