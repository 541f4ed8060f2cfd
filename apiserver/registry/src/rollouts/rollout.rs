//! Rollout: upstream's `ValidateRolloutSpec` (pkg/apis/rollouts/validation), the rules that need
//! no other object, plus the CRD's CEL rule that the selector is immutable.
//!
//! Upstream reports only the first error, as an `InvalidSpec` condition; a write here is refused
//! with every error at once. Messages are upstream's. Paths are the fields at fault: upstream's
//! canary and blue-green errors leave `canary`/`blueGreen` out of the path
//! (`spec.strategy.steps[0]`), which would point clients at a field that does not exist.

use argo_webhooks::windows::parse_go_duration;
use std::collections::BTreeMap;

use argo_apiserver_core::meta::{is_qualified_name, is_valid_label_value, validate_labels};
use argo_openapi::validation::{FieldError, FieldErrorType};
use serde_json::{Value, json};

use crate::strategy::Strategy;

const MISSING_FIELD: &str = "Rollout has missing field";
const INVALID_SET_WEIGHT: &str = "SetWeight needs to be between 0 and";
const EXPERIMENT_WEIGHT_WITHOUT_TRAFFIC_ROUTING: &str =
    "Experiment template weight cannot be set unless TrafficRouting is enabled";
const EXPERIMENT_WEIGHT_ROUTERS: &str = "Experiment template weight is only available for TrafficRouting with SMI, ALB, Istio and Plugins at this time";
const SET_CANARY_SCALE_TRAFFIC_POLICY: &str = "SetCanaryScale requires TrafficRouting to be set";
const SET_HEADER_ROUTE_TRAFFIC_POLICY: &str =
    "SetHeaderRoute requires TrafficRouting, supports Istio and ALB and Apisix";
const SET_MIRROR_ROUTE_TRAFFIC_POLICY: &str =
    "SetMirrorRoute requires TrafficRouting, supports Istio and Plugins";
const STRING_MATCH_MULTIPLE: &str =
    "StringMatch match value must have exactly one of the following: exact, regex, prefix";
const STRING_MATCH_MISSED: &str =
    "StringMatch value missed, match value must have one of the following: exact, regex, prefix";
const SET_HEADER_ROUTE_ALB: &str =
    "SetHeaderRoute match value invalid. ALB supports 'exact' value only";
const INVALID_DURATION: &str = "Duration needs to be greater than 0";
const MAX_SURGE_MAX_UNAVAILABLE: &str = "MaxSurge and MaxUnavailable both can not be zero";
const INVALID_STEP: &str = "Step must have one of the following set: experiment, setWeight, setCanaryScale, plugin or pause";
const INVALID_STRATEGY: &str = "Multiple Strategies can not be listed";
const DUPLICATED_SERVICES_BLUE_GREEN: &str = "This rollout uses the same service for the active and preview services, but two different services are required.";
const DUPLICATED_SERVICES_CANARY: &str = "This rollout uses the same service for the stable and canary services, but two different services are required.";
const ANTI_AFFINITY_STRATEGY: &str = "AntiAffinity must have exactly one strategy listed";
const ANTI_AFFINITY_WEIGHT: &str = "AntiAffinity weight must be between 1-100";
const SCALE_DOWN_LIMIT: &str =
    "This rollout's revision history limit can not be smaller than the rollout's scale down limit";
const TRAFFIC_ROUTING_SERVICES: &str =
    "Canary service and Stable service must to be set to use Traffic Routing";
const ANALYSIS_ARGS: &str =
    "Analyses arguments must refer to valid object metadata supported by downwardAPI";
const CANARY_SCALE_DOWN_DELAY: &str =
    "Canary scaleDownDelaySeconds can only be used with traffic routing";
const CANARY_DYNAMIC_STABLE_SCALE: &str =
    "Canary dynamicStableScale can only be used with traffic routing";
const DYNAMIC_STABLE_SCALE_WITH_DELAY: &str =
    "Canary dynamicStableScale cannot be used with scaleDownDelaySeconds";
const MAX_WEIGHT_NGINX_PLUGINS: &str =
    "Canary maxTrafficWeight in traffic routing only supported in Nginx and Plugins";
const PING_PONG_PROVIDED: &str =
    "Ping service and Pong service must to be set to use Ping-Pong feature";
const DUPLICATED_PING_PONG: &str = "This rollout uses the same service for the ping and pong services, but two different services are required.";
const ALB_ROOT_SERVICE: &str =
    "Root service field is required for the configuration with ALB and ping-pong feature enabled";
const PING_PONG_ROUTERS: &str =
    "Ping-pong feature works with the ALB, Istio, and plugin-based traffic routers only";
const ROUTE_NOT_MANAGED: &str =
    "Steps define a route that does not exist in spec.strategy.canary.trafficRouting.managedRoutes";

/// Rollout rules.
pub struct RolloutStrategy;

impl Strategy for RolloutStrategy {
    fn validate(&self, obj: &Value) -> Vec<FieldError> {
        validate_rollout(obj)
    }

    fn validate_update(&self, new: &Value, old: &Value) -> Vec<FieldError> {
        let mut errs = Vec::new();
        // CEL `self == oldSelf` on spec.selector: a transition rule, so it only applies when
        // both the old and the new object have a selector.
        if let (Some(n), Some(o)) = (new.pointer("/spec/selector"), old.pointer("/spec/selector"))
            && !n.is_null()
            && !o.is_null()
            && n != o
        {
            errs.push(FieldError::invalid(
                "spec.selector",
                json!("object"),
                ".spec.selector is immutable",
            ));
        }
        // Status lives on /status; an update that leaves the spec alone (labels, annotations)
        // must not be refused for a spec stored before these rules applied.
        if new.get("spec") != old.get("spec") {
            errs.extend(validate_rollout(new));
        }
        errs
    }
}

fn invalid(field: impl Into<String>, value: Value, detail: impl Into<String>) -> FieldError {
    FieldError::invalid(field, value, detail)
}

fn required(field: impl Into<String>, detail: impl Into<String>) -> FieldError {
    FieldError::required(field, detail)
}

fn present(v: &Value, key: &str) -> bool {
    v.get(key).is_some_and(|x| !x.is_null())
}

fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

fn int_of(v: &Value, key: &str) -> Option<i64> {
    v.get(key).and_then(Value::as_i64)
}

/// Every rule of `ValidateRolloutSpec`, all errors at once, without duplicates.
pub fn validate_rollout(obj: &Value) -> Vec<FieldError> {
    let null = Value::Null;
    let spec = obj.get("spec").unwrap_or(&null);
    let mut errs = Vec::new();

    let replicas = int_of(spec, "replicas").unwrap_or(1);
    nonnegative(&mut errs, "spec.replicas", replicas);

    let workload_ref = present(spec, "workloadRef");
    let selector = spec.get("selector").filter(|s| !s.is_null());
    match selector {
        None if !workload_ref => errs.push(required(
            "spec.selector",
            format!("{MISSING_FIELD} '.spec.selector'"),
        )),
        None => {}
        Some(sel) => {
            errs.extend(validate_label_selector(sel, "spec.selector"));
            let labels = sel
                .get("matchLabels")
                .and_then(Value::as_object)
                .map_or(0, |m| m.len());
            let exprs = sel
                .get("matchExpressions")
                .and_then(Value::as_array)
                .map_or(0, |a| a.len());
            if !workload_ref && labels + exprs == 0 {
                errs.push(invalid(
                    "spec.selector",
                    sel.clone(),
                    "empty selector is invalid for deployment",
                ));
            }
        }
    }

    let template = spec.get("template").unwrap_or(&null);
    if workload_ref {
        let meta_nonempty = |k: &str| {
            template
                .pointer(&format!("/metadata/{k}"))
                .and_then(Value::as_object)
                .is_some_and(|m| !m.is_empty())
        };
        if meta_nonempty("labels") || meta_nonempty("annotations") {
            errs.push(FieldError::new(
                "spec.template",
                FieldErrorType::Forbidden,
                None,
                "template must be empty for workload reference rollout",
            ));
        }
    } else {
        errs.extend(validate_template_for_replica_set(template, selector));
    }

    let min_ready = int_of(spec, "minReadySeconds").unwrap_or(0);
    nonnegative(&mut errs, "spec.minReadySeconds", min_ready);
    let revision_history_limit = int_of(spec, "revisionHistoryLimit").unwrap_or(10);
    nonnegative(
        &mut errs,
        "spec.revisionHistoryLimit",
        revision_history_limit,
    );
    let progress_deadline = int_of(spec, "progressDeadlineSeconds").unwrap_or(600);
    nonnegative(&mut errs, "spec.progressDeadlineSeconds", progress_deadline);
    if progress_deadline <= min_ready {
        errs.push(invalid(
            "spec.progressDeadlineSeconds",
            json!(progress_deadline),
            "must be greater than minReadySeconds",
        ));
    }

    let strategy = spec.get("strategy").unwrap_or(&null);
    let blue_green = strategy.get("blueGreen").filter(|v| !v.is_null());
    let canary = strategy.get("canary").filter(|v| !v.is_null());
    match (blue_green, canary) {
        (None, None) => errs.push(required(
            "spec.strategy",
            format!("{MISSING_FIELD} '.spec.strategy.canary or .spec.strategy.blueGreen'"),
        )),
        (Some(_), Some(_)) => errs.push(invalid(
            "spec.strategy",
            json!("blueGreen: true canary: true"),
            INVALID_STRATEGY,
        )),
        (Some(bg), None) => validate_blue_green(&mut errs, bg, revision_history_limit),
        (None, Some(c)) => validate_canary(&mut errs, c),
    }

    let mut unique: Vec<FieldError> = Vec::with_capacity(errs.len());
    for e in errs {
        if !unique.contains(&e) {
            unique.push(e);
        }
    }
    unique
}

/// `ValidateNonnegativeField`.
fn nonnegative(errs: &mut Vec<FieldError>, field: &str, value: i64) {
    if value < 0 {
        errs.push(invalid(
            field,
            json!(value),
            "must be greater than or equal to 0",
        ));
    }
}

/// `metav1validation.ValidateLabelSelector`: labels valid, operators known, values present
/// exactly when the operator needs them.
fn validate_label_selector(sel: &Value, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if let Some(m) = sel.get("matchLabels").and_then(Value::as_object) {
        let labels: BTreeMap<String, String> = m
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
            .collect();
        errs.extend(validate_labels(&labels, &format!("{path}.matchLabels")));
    }
    for (i, expr) in sel
        .get("matchExpressions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let p = format!("{path}.matchExpressions[{i}]");
        let values = expr
            .get("values")
            .and_then(Value::as_array)
            .map_or(0, |a| a.len());
        match str_of(expr, "operator") {
            "In" | "NotIn" => {
                if values == 0 {
                    errs.push(required(
                        format!("{p}.values"),
                        "must be specified when `operator` is 'In' or 'NotIn'",
                    ));
                }
            }
            "Exists" | "DoesNotExist" => {
                if values > 0 {
                    errs.push(FieldError::new(
                        format!("{p}.values"),
                        FieldErrorType::Forbidden,
                        None,
                        "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
                    ));
                }
            }
            op => errs.push(invalid(
                format!("{p}.operator"),
                json!(op),
                "not a valid selector operator",
            )),
        }
        let key = str_of(expr, "key");
        for m in is_qualified_name(key) {
            errs.push(invalid(format!("{p}.key"), json!(key), m));
        }
        for (j, v) in expr
            .get("values")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let v = v.as_str().unwrap_or_default();
            for m in is_valid_label_value(v) {
                errs.push(invalid(format!("{p}.values[{j}]"), json!(v), m));
            }
        }
    }
    errs
}

/// Whether a label selector (matchLabels and matchExpressions) selects `labels`.
fn selector_matches(sel: &Value, labels: &serde_json::Map<String, Value>) -> bool {
    let label = |k: &str| labels.get(k).and_then(Value::as_str);
    let labels_ok = sel
        .get("matchLabels")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .all(|(k, v)| label(k) == v.as_str());
    let exprs_ok = sel
        .get("matchExpressions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .all(|e| {
            let key = str_of(e, "key");
            let values: Vec<&str> = e
                .get("values")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            match (str_of(e, "operator"), label(key)) {
                ("In", Some(v)) => values.contains(&v),
                ("In", None) => false,
                ("NotIn", Some(v)) => !values.contains(&v),
                ("NotIn", None) => true,
                ("Exists", found) => found.is_some(),
                ("DoesNotExist", found) => found.is_none(),
                _ => false,
            }
        });
    labels_ok && exprs_ok
}

/// The ReplicaSet-specific part of `ValidatePodTemplateSpecForReplicaSet`: the selector selects
/// the template's labels, pods restart Always (the default), no activeDeadlineSeconds. The pod
/// spec's shape is the schema's business.
fn validate_template_for_replica_set(
    template: &Value,
    selector: Option<&Value>,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let empty = serde_json::Map::new();
    let labels = template
        .pointer("/metadata/labels")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    if let Some(sel) = selector {
        let nonempty = sel
            .get("matchLabels")
            .and_then(Value::as_object)
            .is_some_and(|m| !m.is_empty())
            || sel
                .get("matchExpressions")
                .and_then(Value::as_array)
                .is_some_and(|a| !a.is_empty());
        if nonempty && !selector_matches(sel, labels) {
            errs.push(invalid(
                "spec.template.metadata.labels",
                Value::Object(labels.clone()),
                "`selector` does not match template `labels`",
            ));
        }
    }
    let pod = template.get("spec").unwrap_or(&Value::Null);
    let restart = str_of(pod, "restartPolicy");
    if !restart.is_empty() && restart != "Always" {
        errs.push(FieldError::new(
            "spec.template.spec.restartPolicy",
            FieldErrorType::NotSupported,
            Some(json!(restart)),
            "supported values: \"Always\"",
        ));
    }
    if present(pod, "activeDeadlineSeconds") {
        errs.push(FieldError::new(
            "spec.template.spec.activeDeadlineSeconds",
            FieldErrorType::Forbidden,
            None,
            "activeDeadlineSeconds in ReplicaSet is not Supported",
        ));
    }
    errs
}

fn validate_blue_green(errs: &mut Vec<FieldError>, bg: &Value, revision_history_limit: i64) {
    let base = "spec.strategy.blueGreen";
    let active = str_of(bg, "activeService");
    if active == str_of(bg, "previewService") {
        errs.push(invalid(
            format!("{base}.activeService"),
            json!(active),
            DUPLICATED_SERVICES_BLUE_GREEN,
        ));
    }
    if let Some(limit) = int_of(bg, "scaleDownDelayRevisionLimit")
        && revision_history_limit < limit
    {
        errs.push(invalid(
            format!("{base}.scaleDownDelayRevisionLimit"),
            json!(limit),
            SCALE_DOWN_LIMIT,
        ));
    }
    validate_anti_affinity(
        errs,
        bg.get("antiAffinity"),
        &format!("{base}.antiAffinity"),
    );
}

fn validate_anti_affinity(errs: &mut Vec<FieldError>, aa: Option<&Value>, path: &str) {
    let Some(aa) = aa.filter(|v| !v.is_null()) else {
        return;
    };
    let preferred = aa
        .get("preferredDuringSchedulingIgnoredDuringExecution")
        .filter(|v| !v.is_null());
    let required = present(aa, "requiredDuringSchedulingIgnoredDuringExecution");
    if preferred.is_some() == required {
        errs.push(invalid(
            path,
            json!(format!(
                "antiAffinity.PreferredDuringSchedulingIgnoredDuringExecution: {} antiAffinity.RequiredDuringSchedulingIgnoredDuringExecution: {}",
                preferred.is_some(),
                required
            )),
            ANTI_AFFINITY_STRATEGY,
        ));
    }
    if let Some(p) = preferred {
        let weight = int_of(p, "weight").unwrap_or(0);
        if !(1..=100).contains(&weight) {
            errs.push(invalid(
                format!("{path}.preferredDuringSchedulingIgnoredDuringExecution.weight"),
                json!(weight),
                ANTI_AFFINITY_WEIGHT,
            ));
        }
    }
}

/// An IntOrString as upstream's `getIntOrPercentValue`: "N%" is N, a bare number string is
/// parsed, anything else is 0.
fn int_or_percent(v: &Value) -> i64 {
    match v {
        Value::Number(n) => n.as_i64().unwrap_or(0),
        Value::String(s) => {
            let digits = s.strip_suffix('%').unwrap_or(s);
            digits.parse().unwrap_or(0)
        }
        _ => 0,
    }
}

fn validate_canary(errs: &mut Vec<FieldError>, canary: &Value) {
    let base = "spec.strategy.canary";
    let null = Value::Null;
    // Upstream defaults both to "25" (so 25%).
    let max_surge = canary.get("maxSurge").filter(|v| !v.is_null());
    let max_unavailable = canary.get("maxUnavailable").filter(|v| !v.is_null());
    if max_surge.map_or(25, int_or_percent) == 0 && max_unavailable.map_or(25, int_or_percent) == 0
    {
        errs.push(invalid(
            format!("{base}.maxSurge"),
            max_surge.cloned().unwrap_or(json!("25")),
            MAX_SURGE_MAX_UNAVAILABLE,
        ));
    }

    let canary_svc = str_of(canary, "canaryService");
    let stable_svc = str_of(canary, "stableService");
    if !canary_svc.is_empty() && canary_svc == stable_svc {
        errs.push(invalid(
            format!("{base}.stableService"),
            json!(stable_svc),
            DUPLICATED_SERVICES_CANARY,
        ));
    }

    let tr = canary.get("trafficRouting").filter(|v| !v.is_null());
    let has = |k: &str| tr.is_some_and(|t| present(t, k));
    let plugins = tr
        .and_then(|t| t.get("plugins"))
        .and_then(Value::as_object)
        .is_some_and(|m| !m.is_empty());
    let ping_pong = canary.get("pingPong").filter(|v| !v.is_null());

    if let Some(pp) = ping_pong {
        if tr.is_some() && !has("alb") && !has("istio") && !plugins {
            errs.push(invalid(
                format!("{base}.trafficRouting.alb"),
                Value::Null,
                PING_PONG_ROUTERS,
            ));
        }
        let ping = str_of(pp, "pingService");
        let pong = str_of(pp, "pongService");
        if ping.is_empty() {
            errs.push(invalid(
                format!("{base}.pingPong.pingService"),
                json!(ping),
                PING_PONG_PROVIDED,
            ));
        }
        if pong.is_empty() {
            errs.push(invalid(
                format!("{base}.pingPong.pongService"),
                json!(pong),
                PING_PONG_PROVIDED,
            ));
        }
        if ping == pong {
            errs.push(invalid(
                format!("{base}.pingPong.pingService"),
                json!(ping),
                DUPLICATED_PING_PONG,
            ));
        }
        if let Some(alb) = tr.and_then(|t| t.get("alb")).filter(|v| !v.is_null())
            && str_of(alb, "rootService").is_empty()
        {
            errs.push(invalid(
                format!("{base}.trafficRouting.alb.rootService"),
                json!(""),
                ALB_ROOT_SERVICE,
            ));
        }
    }

    // `requireCanaryStableServices`.
    let istio_without_dr = tr
        .and_then(|t| t.get("istio"))
        .filter(|v| !v.is_null())
        .is_some_and(|i| !present(i, "destinationRule"));
    let needs_services = tr.is_some()
        && ((has("alb") && ping_pong.is_none())
            || (istio_without_dr && ping_pong.is_none())
            || has("smi")
            || has("apisix")
            || has("ambassador")
            || has("nginx")
            || has("appMesh")
            || has("traefik"));
    if needs_services {
        if stable_svc.is_empty() {
            errs.push(invalid(
                format!("{base}.stableService"),
                json!(""),
                TRAFFIC_ROUTING_SERVICES,
            ));
        }
        if canary_svc.is_empty() {
            errs.push(invalid(
                format!("{base}.canaryService"),
                json!(""),
                TRAFFIC_ROUTING_SERVICES,
            ));
        }
    }

    let scale_down_delay = canary.get("scaleDownDelaySeconds").filter(|v| !v.is_null());
    let dynamic_stable_scale = canary
        .get("dynamicStableScale")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let max_traffic_weight = tr
        .and_then(|t| t.get("maxTrafficWeight"))
        .filter(|v| !v.is_null());
    match tr {
        None => {
            if let Some(d) = scale_down_delay {
                errs.push(invalid(
                    format!("{base}.scaleDownDelaySeconds"),
                    d.clone(),
                    CANARY_SCALE_DOWN_DELAY,
                ));
            }
            if dynamic_stable_scale {
                errs.push(invalid(
                    format!("{base}.dynamicStableScale"),
                    json!(true),
                    CANARY_DYNAMIC_STABLE_SCALE,
                ));
            }
        }
        Some(_) => {
            if scale_down_delay.is_some() && dynamic_stable_scale {
                errs.push(invalid(
                    format!("{base}.dynamicStableScale"),
                    json!(true),
                    DYNAMIC_STABLE_SCALE_WITH_DELAY,
                ));
            }
            // Upstream refuses any value outside NGINX and plugins; the default (100) changes
            // nothing, and manifests in the wild set it with Istio, so only another value is.
            if let Some(w) = max_traffic_weight
                && w.as_i64() != Some(100)
                && !has("nginx")
                && !plugins
            {
                errs.push(invalid(
                    format!("{base}.trafficRouting.maxTrafficWeight"),
                    w.clone(),
                    MAX_WEIGHT_NGINX_PLUGINS,
                ));
            }
        }
    }
    let max_weight = max_traffic_weight.and_then(Value::as_i64).unwrap_or(100);
    let managed_routes: Option<Vec<&str>> = tr
        .and_then(|t| t.get("managedRoutes"))
        .filter(|v| !v.is_null())
        .map(|m| {
            m.as_array()
                .into_iter()
                .flatten()
                .map(|r| str_of(r, "name"))
                .collect()
        });

    let steps = canary.get("steps").and_then(Value::as_array);
    for (i, step) in steps.into_iter().flatten().enumerate() {
        let sp = format!("{base}.steps[{i}]");
        let kinds = ["setWeight", "pause", "experiment", "analysis"]
            .iter()
            .filter(|k| present(step, k))
            .count();
        let any = [
            "setWeight",
            "pause",
            "experiment",
            "analysis",
            "setCanaryScale",
            "setHeaderRoute",
            "setMirrorRoute",
            "plugin",
        ]
        .iter()
        .any(|k| present(step, k));
        if kinds > 1 || !any {
            errs.push(invalid(&sp, step.clone(), INVALID_STEP));
        }

        if let Some(w) = step.get("setWeight").and_then(Value::as_i64)
            && !(0..=max_weight).contains(&w)
        {
            errs.push(invalid(
                format!("{sp}.setWeight"),
                json!(w),
                format!("{INVALID_SET_WEIGHT} {max_weight}"),
            ));
        }
        if let Some(pause) = step.get("pause").filter(|v| !v.is_null()) {
            let secs = pause_duration_seconds(pause.get("duration").unwrap_or(&null));
            if secs < 0 {
                errs.push(invalid(
                    format!("{sp}.pause.duration"),
                    json!(secs),
                    INVALID_DURATION,
                ));
            }
        }
        if present(step, "setCanaryScale") && tr.is_none() {
            errs.push(required(
                format!("{base}.trafficRouting"),
                SET_CANARY_SCALE_TRAFFIC_POLICY,
            ));
        }

        if let Some(hr) = step.get("setHeaderRoute").filter(|v| !v.is_null()) {
            if tr.is_none() || (!has("istio") && !has("alb") && !has("apisix") && !plugins) {
                errs.push(invalid(
                    format!("{sp}.setHeaderRoute"),
                    hr.clone(),
                    SET_HEADER_ROUTE_TRAFFIC_POLICY,
                ));
            } else {
                for (j, m) in hr
                    .get("match")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .enumerate()
                {
                    let mp = format!("{sp}.setHeaderRoute.match[{j}]");
                    let value = m.get("headerValue").filter(|v| !v.is_null());
                    if has("alb") {
                        alb_match(errs, value, &mp);
                    } else {
                        string_match(errs, value, &mp);
                    }
                }
            }
        }
        if let Some(mr) = step.get("setMirrorRoute").filter(|v| !v.is_null()) {
            if tr.is_none() || (!has("istio") && !plugins) {
                errs.push(invalid(
                    format!("{sp}.setMirrorRoute"),
                    mr.clone(),
                    SET_MIRROR_ROUTE_TRAFFIC_POLICY,
                ));
            }
            for (j, m) in mr
                .get("match")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
            {
                let mp = format!("{sp}.setMirrorRoute.match[{j}]");
                for k in ["method", "path"] {
                    if let Some(v) = m.get(k).filter(|v| !v.is_null()) {
                        string_match(errs, Some(v), &mp);
                    }
                }
            }
        }
        if tr.is_some() {
            for k in ["setHeaderRoute", "setMirrorRoute"] {
                let Some(route) = step.get(k).filter(|v| !v.is_null()) else {
                    continue;
                };
                match &managed_routes {
                    None => errs.push(required(
                        format!("{base}.trafficRouting.managedRoutes"),
                        format!(
                            "{MISSING_FIELD} 'spec.strategy.canary.trafficRouting.managedRoutes'"
                        ),
                    )),
                    Some(names) => {
                        let name = str_of(route, "name");
                        if !names.contains(&name) {
                            errs.push(invalid(format!("{sp}.{k}"), json!(name), ROUTE_NOT_MANAGED));
                        }
                    }
                }
            }
        }

        if let Some(exp) = step.get("experiment").filter(|v| !v.is_null()) {
            for (t, tmpl) in exp
                .get("templates")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
            {
                let Some(w) = tmpl.get("weight").filter(|v| !v.is_null()) else {
                    continue;
                };
                let wp = format!("{sp}.experiment.templates[{t}].weight");
                if tr.is_none() {
                    errs.push(invalid(
                        wp,
                        w.clone(),
                        EXPERIMENT_WEIGHT_WITHOUT_TRAFFIC_ROUTING,
                    ));
                } else if !has("alb") && !has("smi") && !has("istio") && !plugins {
                    errs.push(invalid(wp, w.clone(), EXPERIMENT_WEIGHT_ROUTERS));
                }
            }
            for (a, analysis) in exp
                .get("analyses")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
            {
                analysis_args(errs, analysis, &format!("{sp}.experiment.analyses[{a}]"));
            }
        }
        if let Some(analysis) = step.get("analysis").filter(|v| !v.is_null()) {
            analysis_args(errs, analysis, &format!("{sp}.analysis"));
        }
    }

    validate_anti_affinity(
        errs,
        canary.get("antiAffinity"),
        &format!("{base}.antiAffinity"),
    );
}

/// `hasALBInvalidValues`: ALB matches headers exactly, nothing else.
fn alb_match(errs: &mut Vec<FieldError>, m: Option<&Value>, path: &str) {
    match m {
        None => errs.push(invalid(path, Value::Null, STRING_MATCH_MISSED)),
        Some(m) => {
            if str_of(m, "exact").is_empty()
                || !str_of(m, "regex").is_empty()
                || !str_of(m, "prefix").is_empty()
            {
                errs.push(invalid(path, m.clone(), SET_HEADER_ROUTE_ALB));
            }
        }
    }
}

/// `hasMultipleMatchValues`: exactly one of exact, regex, prefix.
fn string_match(errs: &mut Vec<FieldError>, m: Option<&Value>, path: &str) {
    let Some(m) = m else {
        errs.push(invalid(path, Value::Null, STRING_MATCH_MISSED));
        return;
    };
    let set = ["exact", "regex", "prefix"]
        .iter()
        .filter(|k| !str_of(m, k).is_empty())
        .count();
    match set {
        0 => errs.push(invalid(path, m.clone(), STRING_MATCH_MISSED)),
        1 => {}
        _ => errs.push(invalid(path, m.clone(), STRING_MATCH_MULTIPLE)),
    }
}

/// Analysis args taken from the Rollout's own metadata must name a field the downward API
/// supports (`fieldpath.ExtractFieldPathAsString`).
fn analysis_args(errs: &mut Vec<FieldError>, analysis: &Value, path: &str) {
    for (j, arg) in analysis
        .get("args")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let Some(fp) = arg
            .pointer("/valueFrom/fieldRef/fieldPath")
            .and_then(Value::as_str)
        else {
            continue;
        };
        if fp.starts_with("metadata") && !downward_api_metadata(fp) {
            errs.push(invalid(
                format!("{path}.args[{j}].valueFrom.fieldRef.fieldPath"),
                json!(fp),
                ANALYSIS_ARGS,
            ));
        }
    }
}

fn downward_api_metadata(fp: &str) -> bool {
    if let Some((base, rest)) = fp.split_once('[') {
        // metadata.labels['key'] / metadata.annotations['key']
        return matches!(base, "metadata.labels" | "metadata.annotations")
            && rest.len() >= 3
            && rest.starts_with('\'')
            && rest.ends_with("']");
    }
    matches!(
        fp,
        "metadata.annotations"
            | "metadata.labels"
            | "metadata.name"
            | "metadata.namespace"
            | "metadata.uid"
    )
}

/// `RolloutPause.DurationSeconds`: an integer, a string of digits, or a Go duration; anything
/// unparseable is -1 (invalid); no duration at all is 0 (pause until resumed).
pub fn pause_duration_seconds(d: &Value) -> i64 {
    match d {
        Value::Null => 0,
        Value::Number(n) => n.as_i64().unwrap_or(-1),
        Value::String(s) => match s.parse::<i32>() {
            Ok(n) => i64::from(n),
            Err(_) => parse_go_duration(s).map_or(-1, |d| d.as_secs()),
        },
        _ => -1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pause_durations_follow_upstream() {
        assert_eq!(pause_duration_seconds(&json!(null)), 0);
        assert_eq!(pause_duration_seconds(&json!(30)), 30);
        assert_eq!(pause_duration_seconds(&json!("60")), 60);
        assert_eq!(pause_duration_seconds(&json!("1h30m")), 5400);
        assert_eq!(pause_duration_seconds(&json!("1.5s")), 1);
        assert_eq!(pause_duration_seconds(&json!("-5s")), -5);
        assert_eq!(pause_duration_seconds(&json!("soon")), -1);
        assert_eq!(pause_duration_seconds(&json!("10")), 10);
        assert_eq!(pause_duration_seconds(&json!("5 m")), -1);
    }

    #[test]
    fn selectors_match_like_kube() {
        let labels = json!({"app": "a", "tier": "web"});
        let labels = labels.as_object().unwrap();
        assert!(selector_matches(
            &json!({"matchLabels": {"app": "a"}}),
            labels
        ));
        assert!(!selector_matches(
            &json!({"matchLabels": {"app": "b"}}),
            labels
        ));
        assert!(selector_matches(
            &json!({"matchExpressions": [{"key": "tier", "operator": "In", "values": ["web"]}]}),
            labels
        ));
        assert!(!selector_matches(
            &json!({"matchExpressions": [{"key": "x", "operator": "Exists"}]}),
            labels
        ));
        assert!(selector_matches(
            &json!({"matchExpressions": [{"key": "x", "operator": "NotIn", "values": ["1"]}]}),
            labels
        ));
    }
}
