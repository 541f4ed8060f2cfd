//! `deploy/`: every kustomization renders with the real kubectl, and what it renders is what a
//! cluster would accept and what an operator expects (hardened, probed Deployment; an APIService
//! pointing at a real Service; RBAC for the server and aggregated roles covering every resource
//! and subresource the server serves; etcd with TLS; the embedded store on a claim).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use argo_tests::{Backend, Server, kubectl_path, parse_json};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

const KUSTOMIZATIONS: &[&str] = &["base", "overlays/etcd", "overlays/embedded"];
const NAMESPACE: &str = "argo-system";

fn deploy_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .join("deploy")
}

/// `kubectl kustomize deploy/<path>`, as a list of objects.
fn render(path: &str) -> Vec<Value> {
    let dir = deploy_dir().join(path);
    let out = Command::new(kubectl_path("1.33"))
        .arg("kustomize")
        .arg(&dir)
        .output()
        .expect("run kubectl kustomize");
    assert!(
        out.status.success(),
        "kubectl kustomize {path} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    yaml_docs_to_json(&out.stdout)
}

/// Multi-document YAML to JSON values (PyYAML does the YAML; the tests crate has no YAML parser).
fn yaml_docs_to_json(yaml: &[u8]) -> Vec<Value> {
    use std::io::Write;
    let mut child = Command::new("python3")
        .args([
            "-c",
            "import sys, json, yaml; print(json.dumps([d for d in yaml.safe_load_all(sys.stdin) if d is not None]))",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run python3");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(yaml)
        .expect("write YAML");
    let out = child.wait_with_output().expect("python3 output");
    assert!(
        out.status.success(),
        "YAML did not parse:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    match parse_json(&String::from_utf8_lossy(&out.stdout)) {
        Value::Array(docs) => docs,
        other => panic!("expected a list of documents, got {other}"),
    }
}

fn find<'a>(objs: &'a [Value], kind: &str, name: &str) -> &'a Value {
    objs.iter()
        .find(|o| o["kind"] == kind && o["metadata"]["name"] == name)
        .unwrap_or_else(|| panic!("no {kind} {name} rendered"))
}

fn all_of<'a>(objs: &'a [Value], kind: &str) -> Vec<&'a Value> {
    objs.iter().filter(|o| o["kind"] == kind).collect()
}

fn strs(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Decodes into the k8s-openapi type and encodes back: a field the type does not know (a typo,
/// a wrong nesting) or a value of the wrong type makes the two differ.
fn typed_round_trip<T: DeserializeOwned + Serialize>(obj: &Value) {
    let typed: T = serde_json::from_value(obj.clone()).unwrap_or_else(|e| {
        panic!(
            "{} {} does not decode: {e}",
            obj["kind"], obj["metadata"]["name"]
        )
    });
    let mut back = serde_json::to_value(&typed).expect("encode");
    // k8s-openapi writes apiVersion/kind into claim templates (its PersistentVolumeClaim is a
    // top-level type); the API ignores them there.
    if let Some(Value::Array(templates)) = back.pointer_mut("/spec/volumeClaimTemplates") {
        for t in templates.iter_mut().filter_map(Value::as_object_mut) {
            t.remove("apiVersion");
            t.remove("kind");
        }
    }
    let original = obj;
    if let Some(path) = first_difference(original, &back, String::new()) {
        panic!(
            "{} {}: {path} is not a field of the type (or has the wrong shape)",
            obj["kind"], obj["metadata"]["name"]
        );
    }
}

/// The JSON path of the first place `a` and `b` differ.
fn first_difference(a: &Value, b: &Value, path: String) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => x.keys().chain(y.keys()).find_map(|k| {
            let (va, vb) = (
                x.get(k).unwrap_or(&Value::Null),
                y.get(k).unwrap_or(&Value::Null),
            );
            first_difference(va, vb, format!("{path}.{k}"))
        }),
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (va, vb))| first_difference(va, vb, format!("{path}[{i}]"))),
        _ if a == b => None,
        _ => Some(path),
    }
}

fn check_typed(obj: &Value) {
    use k8s_openapi::api::admissionregistration::v1::{
        MutatingWebhookConfiguration, ValidatingWebhookConfiguration,
    };
    use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
    use k8s_openapi::api::core::v1::{Namespace, PersistentVolumeClaim, Service, ServiceAccount};
    use k8s_openapi::api::policy::v1::PodDisruptionBudget;
    use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, RoleBinding};
    use k8s_openapi::kube_aggregator::pkg::apis::apiregistration::v1::APIService;
    let kind = obj["kind"].as_str().unwrap_or_default();
    match kind {
        "Namespace" => typed_round_trip::<Namespace>(obj),
        "ServiceAccount" => typed_round_trip::<ServiceAccount>(obj),
        "Service" => typed_round_trip::<Service>(obj),
        "PersistentVolumeClaim" => typed_round_trip::<PersistentVolumeClaim>(obj),
        "Deployment" => typed_round_trip::<Deployment>(obj),
        "StatefulSet" => typed_round_trip::<StatefulSet>(obj),
        "PodDisruptionBudget" => typed_round_trip::<PodDisruptionBudget>(obj),
        "ClusterRole" => typed_round_trip::<ClusterRole>(obj),
        "ClusterRoleBinding" => typed_round_trip::<ClusterRoleBinding>(obj),
        "RoleBinding" => typed_round_trip::<RoleBinding>(obj),
        "APIService" => typed_round_trip::<APIService>(obj),
        "ValidatingWebhookConfiguration" => typed_round_trip::<ValidatingWebhookConfiguration>(obj),
        "MutatingWebhookConfiguration" => typed_round_trip::<MutatingWebhookConfiguration>(obj),
        other => panic!("unexpected kind {other} rendered: add it to this test"),
    }
}

const CLUSTER_SCOPED: &[&str] = &[
    "Namespace",
    "ClusterRole",
    "ClusterRoleBinding",
    "APIService",
    "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration",
];

#[test]
fn every_kustomization_renders_objects_of_a_valid_shape() {
    for path in KUSTOMIZATIONS {
        let objs = render(path);
        assert!(!objs.is_empty(), "{path} rendered nothing");
        let mut seen = BTreeSet::new();
        for obj in &objs {
            let kind = obj["kind"].as_str().unwrap_or_default();
            assert!(
                obj["apiVersion"].as_str().is_some_and(|s| !s.is_empty()),
                "{path}: {obj}"
            );
            assert!(!kind.is_empty(), "{path}: {obj}");
            let name = obj["metadata"]["name"].as_str().unwrap_or_default();
            assert!(!name.is_empty(), "{path}: {kind} without a name");
            let namespace = obj["metadata"]["namespace"].as_str();
            if CLUSTER_SCOPED.contains(&kind) {
                assert_eq!(namespace, None, "{path}: cluster-scoped {kind} {name}");
            } else {
                assert!(
                    namespace.is_some(),
                    "{path}: {kind} {name} has no namespace"
                );
            }
            assert!(
                seen.insert((kind.to_string(), namespace.map(str::to_string), name)),
                "{path}: {kind} {name} rendered twice"
            );
            check_typed(obj);
        }
    }
}

/// The value of `--flag=value` in a container's args.
fn flag<'a>(args: &'a [String], name: &str) -> Option<&'a str> {
    let prefix = format!("--{name}=");
    args.iter().find_map(|a| a.strip_prefix(prefix.as_str()))
}

fn container_args(deploy: &Value) -> Vec<String> {
    strs(&deploy["spec"]["template"]["spec"]["containers"][0]["args"])
}

/// The mount (and its volume) whose mountPath contains `path`.
fn mount_for<'a>(pod: &'a Value, path: &str) -> (&'a Value, &'a Value) {
    let mounts = pod["containers"][0]["volumeMounts"]
        .as_array()
        .expect("volumeMounts");
    let mount = mounts
        .iter()
        .filter(|m| {
            let mp = m["mountPath"].as_str().unwrap_or_default();
            path == mp || path.starts_with(&format!("{}/", mp.trim_end_matches('/')))
        })
        .max_by_key(|m| m["mountPath"].as_str().unwrap_or_default().len())
        .unwrap_or_else(|| panic!("{path} is on no mounted volume"));
    let volume = pod["volumes"]
        .as_array()
        .and_then(|vs| vs.iter().find(|v| v["name"] == mount["name"]))
        .unwrap_or_else(|| panic!("mount {} names no volume", mount["name"]));
    (mount, volume)
}

#[test]
fn apiserver_deployment_is_hardened_probed_and_has_what_it_reads_and_writes() {
    for (path, replicas, storage) in [
        ("overlays/etcd", 2, "etcd"),
        ("overlays/embedded", 1, "embedded"),
    ] {
        let objs = render(path);
        let deploy = find(&objs, "Deployment", "argo-apiserver");
        assert_eq!(deploy["spec"]["replicas"], replicas, "{path}");
        let pod = &deploy["spec"]["template"]["spec"];
        let container = &pod["containers"][0];
        let args = container_args(deploy);
        assert_eq!(args.first().map(String::as_str), Some("serve"), "{path}");
        assert_eq!(flag(&args, "bind-address"), Some("0.0.0.0"), "{path}");
        assert_eq!(flag(&args, "secure-port"), Some("8443"), "{path}");
        assert_eq!(flag(&args, "storage"), Some(storage), "{path}");

        // Probes over HTTPS on the serving port.
        let https = container["ports"]
            .as_array()
            .and_then(|ps| ps.iter().find(|p| p["name"] == "https"))
            .expect("a port named https");
        assert_eq!(https["containerPort"], 8443, "{path}");
        for (probe, probe_path) in [("livenessProbe", "/livez"), ("readinessProbe", "/readyz")] {
            let get = &container[probe]["httpGet"];
            assert_eq!(get["path"], probe_path, "{path} {probe}");
            assert_eq!(get["scheme"], "HTTPS", "{path} {probe}");
            assert!(
                get["port"] == "https" || get["port"] == 8443,
                "{path} {probe}"
            );
        }

        // Resources and security context.
        for what in ["requests", "limits"] {
            assert!(
                container["resources"][what]["memory"].is_string(),
                "{path}: resources.{what}.memory"
            );
        }
        let sc = &container["securityContext"];
        assert_eq!(sc["runAsNonRoot"], true, "{path}");
        assert_eq!(sc["readOnlyRootFilesystem"], true, "{path}");
        assert_eq!(sc["allowPrivilegeEscalation"], false, "{path}");
        assert_eq!(strs(&sc["capabilities"]["drop"]), ["ALL"], "{path}");
        let seccomp = if sc["seccompProfile"].is_object() {
            &sc["seccompProfile"]
        } else {
            &pod["securityContext"]["seccompProfile"]
        };
        assert_eq!(seccomp["type"], "RuntimeDefault", "{path}");

        // With a read-only root, the data dir must be a writable volume.
        let data_dir = flag(&args, "data-dir").expect("--data-dir");
        let (mount, _) = mount_for(pod, data_dir);
        assert_ne!(mount["readOnly"], true, "{path}: {data_dir} is read-only");

        // The serving certificate comes from a Secret volume.
        for f in ["tls-cert-file", "tls-private-key-file"] {
            let file = flag(&args, f).unwrap_or_else(|| panic!("{path}: --{f}"));
            let (_, volume) = mount_for(pod, file);
            assert_eq!(
                volume["secret"]["secretName"], "argo-apiserver-serving",
                "{path}: --{f}"
            );
        }

        // The pod runs as the ServiceAccount the RBAC binds.
        let sa = pod["serviceAccountName"]
            .as_str()
            .expect("serviceAccountName");
        find(&objs, "ServiceAccount", sa);
    }
}

#[test]
fn apiservice_points_at_the_service_with_a_ca_bundle() {
    for path in KUSTOMIZATIONS {
        let objs = render(path);
        let api = find(&objs, "APIService", "v1alpha1.argoproj.io");
        let spec = &api["spec"];
        assert_eq!(spec["group"], "argoproj.io", "{path}");
        assert_eq!(spec["version"], "v1alpha1", "{path}");
        let gpm = spec["groupPriorityMinimum"]
            .as_i64()
            .expect("groupPriorityMinimum");
        assert!((1..=20000).contains(&gpm), "{path}: {gpm}");
        let vp = spec["versionPriority"].as_i64().expect("versionPriority");
        assert!((1..=1000).contains(&vp), "{path}: {vp}");
        assert_ne!(spec["insecureSkipTLSVerify"], true, "{path}");
        assert!(
            spec["caBundle"].as_str().is_some_and(|s| !s.is_empty()),
            "{path}: caBundle"
        );

        // The aggregator dials <service>.<namespace>.svc:<port>: that Service must exist and
        // forward the port to the container's HTTPS port.
        let svc_ref = &spec["service"];
        let name = svc_ref["name"].as_str().expect("service.name");
        let svc = find(&objs, "Service", name);
        assert_eq!(svc["metadata"]["namespace"], svc_ref["namespace"], "{path}");
        let port = svc_ref["port"].as_i64().unwrap_or(443);
        let svc_port = svc["spec"]["ports"]
            .as_array()
            .and_then(|ps| ps.iter().find(|p| p["port"] == port))
            .unwrap_or_else(|| panic!("{path}: Service {name} has no port {port}"));
        let deploy = find(&objs, "Deployment", "argo-apiserver");
        let container = &deploy["spec"]["template"]["spec"]["containers"][0];
        let target = container["ports"]
            .as_array()
            .and_then(|ps| {
                ps.iter().find(|p| {
                    p["name"] == svc_port["targetPort"]
                        || p["containerPort"] == svc_port["targetPort"]
                })
            })
            .unwrap_or_else(|| panic!("{path}: targetPort {}", svc_port["targetPort"]));
        assert_eq!(target["containerPort"], 8443, "{path}");
        // The Service selects the Deployment's pods.
        let labels = &deploy["spec"]["template"]["metadata"]["labels"];
        for (k, v) in svc["spec"]["selector"].as_object().expect("selector") {
            assert_eq!(&labels[k], v, "{path}: selector {k}");
        }
    }
}

fn binds_service_account(binding: &Value, sa: &str) -> bool {
    binding["subjects"].as_array().is_some_and(|subjects| {
        subjects.iter().any(|s| {
            s["kind"] == "ServiceAccount" && s["name"] == sa && s["namespace"] == NAMESPACE
        })
    })
}

#[test]
fn server_service_account_has_delegated_auth_rbac() {
    let objs = render("base");
    let sa = "argo-apiserver";
    find(&objs, "ServiceAccount", sa);
    find(&objs, "Namespace", NAMESPACE);

    let delegator = all_of(&objs, "ClusterRoleBinding")
        .into_iter()
        .find(|b| b["roleRef"]["name"] == "system:auth-delegator")
        .expect("a ClusterRoleBinding to system:auth-delegator");
    assert_eq!(delegator["roleRef"]["kind"], "ClusterRole");
    assert!(binds_service_account(delegator, sa));

    let reader = all_of(&objs, "RoleBinding")
        .into_iter()
        .find(|b| b["roleRef"]["name"] == "extension-apiserver-authentication-reader")
        .expect("a RoleBinding to extension-apiserver-authentication-reader");
    assert_eq!(reader["metadata"]["namespace"], "kube-system");
    assert_eq!(reader["roleRef"]["kind"], "Role");
    assert!(binds_service_account(reader, sa));

    // Some ClusterRole bound to the account can get/list/watch namespaces.
    let bound_roles: Vec<&str> = all_of(&objs, "ClusterRoleBinding")
        .into_iter()
        .filter(|b| binds_service_account(b, sa) && b["roleRef"]["kind"] == "ClusterRole")
        .filter_map(|b| b["roleRef"]["name"].as_str())
        .collect();
    let can = |group: &str, resource: &str, verb: &str| {
        bound_roles.iter().any(|r| {
            objs.iter()
                .filter(|o| o["kind"] == "ClusterRole" && o["metadata"]["name"] == *r)
                .any(|role| grants(role, group, resource, verb))
        })
    };
    for verb in ["get", "list", "watch"] {
        assert!(can("", "namespaces", verb), "namespaces {verb}");
    }
}

/// Whether one of `role`'s rules allows `verb` on `resource` of `group`.
fn grants(role: &Value, group: &str, resource: &str, verb: &str) -> bool {
    role["rules"].as_array().is_some_and(|rules| {
        rules.iter().any(|r| {
            let groups = strs(&r["apiGroups"]);
            let resources = strs(&r["resources"]);
            let verbs = strs(&r["verbs"]);
            (groups.iter().any(|g| g == group || g == "*"))
                && (resources.iter().any(|x| x == resource || x == "*"))
                && (verbs.iter().any(|v| v == verb || v == "*"))
        })
    })
}

/// Every resource and subresource the server serves, with its verbs, from its discovery.
fn served_resources() -> BTreeMap<String, Vec<String>> {
    let server = Server::start(Backend::Embedded);
    let doc =
        parse_json(&server.kubectl_ok("1.33", &["get", "--raw", "/apis/argoproj.io/v1alpha1"]));
    let resources: BTreeMap<String, Vec<String>> = doc["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .map(|r| {
            (
                r["name"].as_str().expect("name").to_string(),
                strs(&r["verbs"]),
            )
        })
        .collect();
    assert!(
        resources.contains_key("applications") && resources.contains_key("rollouts/scale"),
        "discovery looks incomplete: {resources:?}"
    );
    resources
}

const READ_VERBS: &[&str] = &["get", "list", "watch"];

#[test]
fn aggregated_roles_cover_every_served_resource_and_subresource() {
    let served = served_resources();
    let objs = render("base");
    let role = |name: &str, label: &str| {
        let r = find(&objs, "ClusterRole", name);
        assert_eq!(
            r["metadata"]["labels"][format!("rbac.authorization.k8s.io/{label}")],
            "true",
            "{name} must carry {label}"
        );
        r
    };
    let admin = role("argo-admin", "aggregate-to-admin");
    let edit = role("argo-edit", "aggregate-to-edit");
    let view = role("argo-view", "aggregate-to-view");
    for (resource, verbs) in &served {
        assert!(!verbs.is_empty(), "{resource} has no verbs");
        let is_project = resource.split('/').next() == Some("appprojects");
        for verb in verbs {
            assert!(
                grants(admin, "argoproj.io", resource, verb),
                "argo-admin lacks {verb} {resource}"
            );
            let is_read = READ_VERBS.contains(&verb.as_str());
            // AppProjects bound what Applications may deploy: editors read them, admins write.
            assert_eq!(
                grants(edit, "argoproj.io", resource, verb),
                is_read || !is_project,
                "argo-edit and {verb} {resource}"
            );
            assert_eq!(
                grants(view, "argoproj.io", resource, verb),
                is_read,
                "argo-view and {verb} {resource}"
            );
        }
    }
    // Nothing is granted on resources the server does not serve (a stale or misspelled name).
    for r in [admin, edit, view] {
        for rule in r["rules"].as_array().expect("rules") {
            assert_eq!(strs(&rule["apiGroups"]), ["argoproj.io"]);
            for resource in strs(&rule["resources"]) {
                // status is listed for every kind, so a kind that gains a status subresource
                // needs no RBAC change.
                assert!(
                    served.contains_key(&resource) || resource.ends_with("/status"),
                    "{} grants {resource}, which the server does not serve",
                    r["metadata"]["name"]
                );
            }
        }
    }
}

#[test]
fn etcd_overlay_runs_three_members_with_tls_to_and_between_them() {
    let objs = render("overlays/etcd");
    let sts = find(&objs, "StatefulSet", "etcd");
    assert_eq!(sts["spec"]["replicas"], 3);
    let svc_name = sts["spec"]["serviceName"].as_str().expect("serviceName");
    let svc = find(&objs, "Service", svc_name);
    assert_eq!(svc["spec"]["clusterIP"], "None", "headless");
    assert_eq!(svc["spec"]["publishNotReadyAddresses"], true);

    let pod = &sts["spec"]["template"]["spec"];
    let args = strs(&pod["containers"][0]["args"]);
    assert_eq!(flag(&args, "client-cert-auth"), Some("true"));
    assert_eq!(flag(&args, "peer-client-cert-auth"), Some("true"));
    for f in [
        "listen-client-urls",
        "advertise-client-urls",
        "listen-peer-urls",
    ] {
        let url = flag(&args, f).unwrap_or_else(|| panic!("--{f}"));
        assert!(url.starts_with("https://"), "--{f}={url}");
    }
    for f in [
        "cert-file",
        "key-file",
        "trusted-ca-file",
        "peer-cert-file",
        "peer-key-file",
        "peer-trusted-ca-file",
    ] {
        let file = flag(&args, f).unwrap_or_else(|| panic!("--{f}"));
        let (_, volume) = mount_for(pod, file);
        assert!(volume["secret"]["secretName"].is_string(), "--{f}");
    }
    // The initial cluster names every member by its stable DNS name, over https.
    let initial = flag(&args, "initial-cluster").expect("--initial-cluster");
    let members: Vec<&str> = initial.split(',').collect();
    assert_eq!(members.len(), 3, "{initial}");
    for (i, m) in members.iter().enumerate() {
        assert_eq!(
            *m,
            format!("etcd-{i}=https://etcd-{i}.{svc_name}.{NAMESPACE}.svc:2380")
        );
    }

    // The apiserver talks to every member over TLS with a client certificate from a Secret.
    let deploy = find(&objs, "Deployment", "argo-apiserver");
    let dargs = container_args(deploy);
    let servers: Vec<&str> = flag(&dargs, "etcd-servers")
        .expect("--etcd-servers")
        .split(',')
        .collect();
    assert_eq!(servers.len(), 3);
    for (i, s) in servers.iter().enumerate() {
        assert_eq!(
            *s,
            format!("https://etcd-{i}.{svc_name}.{NAMESPACE}.svc:2379")
        );
    }
    let dpod = &deploy["spec"]["template"]["spec"];
    for f in ["etcd-cafile", "etcd-certfile", "etcd-keyfile"] {
        let file = flag(&dargs, f).unwrap_or_else(|| panic!("--{f}"));
        let (_, volume) = mount_for(dpod, file);
        assert_eq!(
            volume["secret"]["secretName"], "argo-apiserver-etcd-client",
            "--{f}"
        );
    }
}

#[test]
fn embedded_overlay_keeps_its_store_on_a_claim_with_one_writer() {
    let objs = render("overlays/embedded");
    let deploy = find(&objs, "Deployment", "argo-apiserver");
    assert_eq!(deploy["spec"]["replicas"], 1);
    // A rolling update would start a second pod on the same store.
    assert_eq!(deploy["spec"]["strategy"]["type"], "Recreate");
    let args = container_args(deploy);
    assert_eq!(flag(&args, "storage"), Some("embedded"));
    assert_eq!(flag(&args, "data-dir"), Some("/data"));
    assert_eq!(flag(&args, "etcd-servers"), None);
    let pod = &deploy["spec"]["template"]["spec"];
    let (mount, volume) = mount_for(pod, "/data");
    assert_eq!(mount["mountPath"], "/data");
    let claim = volume["persistentVolumeClaim"]["claimName"]
        .as_str()
        .expect("/data is a PersistentVolumeClaim");
    let pvc = find(&objs, "PersistentVolumeClaim", claim);
    assert_eq!(pvc["metadata"]["namespace"], NAMESPACE);
    assert!(all_of(&objs, "StatefulSet").is_empty(), "no etcd here");
}

// Admission webhooks (deploy/base/webhooks.yaml): kube-apiserver calls them on every write of a
// native object with failurePolicy Fail, so a wrong port, path or selector either blocks the
// cluster's writes or silently skips the policies.

const WEBHOOK_PORT_NAME: &str = "webhook";

fn webhooks_of<'a>(config: &'a Value, path: &str) -> &'a [Value] {
    let hooks = config["webhooks"].as_array().unwrap_or_else(|| {
        panic!(
            "{path}: {} {} has no webhooks",
            config["kind"], config["metadata"]["name"]
        )
    });
    assert!(!hooks.is_empty(), "{path}: {} is empty", config["kind"]);
    hooks
}

/// Both webhook configurations of a rendering, validating first.
fn webhook_configurations(objs: &[Value]) -> [&Value; 2] {
    [
        find(objs, "ValidatingWebhookConfiguration", "argo-apiserver"),
        find(objs, "MutatingWebhookConfiguration", "argo-apiserver"),
    ]
}

/// Every webhook of a rendering, as (name, webhook).
fn all_webhooks<'a>(objs: &'a [Value], path: &str) -> Vec<(&'a str, &'a Value)> {
    webhook_configurations(objs)
        .into_iter()
        .flat_map(|c| webhooks_of(c, path))
        .map(|w| (w["name"].as_str().unwrap_or_default(), w))
        .collect()
}

/// The webhook whose clientConfig path is `hook_path`.
fn webhook_at<'a>(config: &'a Value, path: &str, hook_path: &str) -> &'a Value {
    webhooks_of(config, path)
        .iter()
        .find(|w| w["clientConfig"]["service"]["path"] == hook_path)
        .unwrap_or_else(|| panic!("{path}: {} has no webhook at {hook_path}", config["kind"]))
}

/// Whether a LabelSelector selects an object with `labels` (matchLabels and matchExpressions
/// ANDed, as the API evaluates them; an empty or absent selector selects everything).
fn selects(selector: &Value, labels: &BTreeMap<&str, &str>) -> bool {
    let by_labels = selector["matchLabels"].as_object().is_none_or(|m| {
        m.iter()
            .all(|(k, v)| v.as_str() == labels.get(k.as_str()).copied())
    });
    let by_expressions = selector["matchExpressions"].as_array().is_none_or(|es| {
        es.iter().all(|e| {
            let key = e["key"].as_str().expect("matchExpressions key");
            let values = strs(&e["values"]);
            let value = labels.get(key).copied();
            match e["operator"].as_str().expect("matchExpressions operator") {
                "In" => value.is_some_and(|v| values.iter().any(|x| x == v)),
                "NotIn" => value.is_none_or(|v| !values.iter().any(|x| x == v)),
                "Exists" => value.is_some(),
                "DoesNotExist" => value.is_none(),
                other => panic!("unknown selector operator {other}"),
            }
        })
    });
    by_labels && by_expressions
}

/// The labels of a namespace called `name`, with `extra` (the API sets
/// kubernetes.io/metadata.name on every namespace).
fn namespace_labels<'a>(name: &'a str, extra: &[(&'a str, &'a str)]) -> BTreeMap<&'a str, &'a str> {
    let mut labels = BTreeMap::from([("kubernetes.io/metadata.name", name)]);
    labels.extend(extra.iter().copied());
    labels
}

#[test]
fn webhook_configurations_are_v1_fail_closed_and_fast() {
    for path in KUSTOMIZATIONS {
        let objs = render(path);
        use k8s_openapi::api::admissionregistration::v1::{
            MutatingWebhookConfiguration, ValidatingWebhookConfiguration,
        };
        let [validating, mutating] = webhook_configurations(&objs);
        typed_round_trip::<ValidatingWebhookConfiguration>(validating);
        typed_round_trip::<MutatingWebhookConfiguration>(mutating);
        for config in [validating, mutating] {
            // Cluster-scoped: a namespace here would be dropped or refused by kubectl apply.
            assert!(
                config["metadata"]["namespace"].is_null(),
                "{path}: {} is cluster-scoped",
                config["kind"]
            );
        }
        let hooks = all_webhooks(&objs, path);
        let mut names = BTreeSet::new();
        for (name, hook) in &hooks {
            assert!(names.insert(*name), "{path}: webhook {name} listed twice");
            // kube-apiserver requires a fully qualified name (at least three segments).
            assert!(
                name.split('.').count() >= 3,
                "{path}: webhook name {name} is not fully qualified"
            );
            // The server speaks AdmissionReview v1 only.
            assert_eq!(
                strs(&hook["admissionReviewVersions"]),
                ["v1"],
                "{path}: {name}"
            );
            // No side effects, so dry-run requests are sent to it rather than refused.
            assert_eq!(hook["sideEffects"], "None", "{path}: {name}");
            // A policy that fails open is no policy.
            assert_eq!(hook["failurePolicy"], "Fail", "{path}: {name}");
            // Two seconds bound how long a write can wait on an unhealthy webhook.
            assert_eq!(hook["timeoutSeconds"], 2, "{path}: {name}");
            // Equivalent (the v1 default) also sends writes made through other versions.
            assert!(
                hook["matchPolicy"].is_null() || hook["matchPolicy"] == "Equivalent",
                "{path}: {name}: matchPolicy {}",
                hook["matchPolicy"]
            );
            // Placeholder until the overlay sets it; never absent, so kube-apiserver never falls
            // back to its own trust store for a certificate it cannot verify.
            let ca = hook["clientConfig"]["caBundle"]
                .as_str()
                .unwrap_or_default();
            assert!(
                !ca.is_empty()
                    && ca.len() % 4 == 0
                    && ca
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(&b)),
                "{path}: {name}: caBundle {ca:?} is not base64"
            );
        }
        assert_eq!(hooks.len(), 3, "{path}: {names:?}");
    }
}

#[test]
fn webhooks_call_the_services_webhook_port_which_the_server_listens_on() {
    for path in KUSTOMIZATIONS {
        let objs = render(path);
        let deploy = find(&objs, "Deployment", "argo-apiserver");
        let container = &deploy["spec"]["template"]["spec"]["containers"][0];
        let webhook_port = container["ports"]
            .as_array()
            .and_then(|ps| ps.iter().find(|p| p["name"] == WEBHOOK_PORT_NAME))
            .unwrap_or_else(|| panic!("{path}: no container port named {WEBHOOK_PORT_NAME}"));
        let container_port = webhook_port["containerPort"]
            .as_i64()
            .expect("containerPort");
        // The port the pod exposes is the one the server serves the webhooks on: an overlay
        // that replaces the args must keep the flag.
        let args = container_args(deploy);
        assert_eq!(
            flag(&args, "webhook-port"),
            Some(container_port.to_string().as_str()),
            "{path}: container args {args:?} must include --webhook-port={container_port}"
        );
        // Not the API port: the webhooks' budget must not queue behind watches and lists.
        assert_ne!(
            flag(&args, "secure-port"),
            Some(container_port.to_string().as_str()),
            "{path}"
        );

        for (name, hook) in all_webhooks(&objs, path) {
            let cc = &hook["clientConfig"];
            assert!(
                cc["url"].is_null(),
                "{path}: {name} calls a URL, not the Service"
            );
            let svc_ref = &cc["service"];
            let svc_name = svc_ref["name"]
                .as_str()
                .unwrap_or_else(|| panic!("{path}: {name}: clientConfig.service.name"));
            let svc = find(&objs, "Service", svc_name);
            assert_eq!(
                svc_ref["namespace"], svc["metadata"]["namespace"],
                "{path}: {name} names the Service's namespace"
            );
            // kube-apiserver dials port 443 when none is given.
            let port = svc_ref["port"].as_i64().unwrap_or(443);
            let svc_port = svc["spec"]["ports"]
                .as_array()
                .and_then(|ps| ps.iter().find(|p| p["port"] == port))
                .unwrap_or_else(|| panic!("{path}: {name}: Service {svc_name} has no port {port}"));
            let target = &svc_port["targetPort"];
            assert!(
                *target == WEBHOOK_PORT_NAME || *target == container_port,
                "{path}: {name}: Service port {port} targets {target}, not the container port \
                 {WEBHOOK_PORT_NAME} ({container_port})"
            );
            // ... and the Service reaches the Deployment's pods.
            let labels = &deploy["spec"]["template"]["metadata"]["labels"];
            for (k, v) in svc["spec"]["selector"].as_object().expect("selector") {
                assert_eq!(&labels[k], v, "{path}: Service selector {k}");
            }
        }
    }
}

#[test]
fn webhooks_serve_the_three_paths_and_spare_the_control_plane_namespaces() {
    for path in KUSTOMIZATIONS {
        let objs = render(path);
        let [validating, mutating] = webhook_configurations(&objs);
        let mut paths: Vec<String> = all_webhooks(&objs, path)
            .iter()
            .map(|(_, w)| {
                w["clientConfig"]["service"]["path"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string()
            })
            .collect();
        paths.sort();
        assert_eq!(
            paths,
            ["/mutate", "/validate", "/validate/rollout-required"],
            "{path}"
        );
        let policy = webhook_at(validating, path, "/validate");
        let required = webhook_at(validating, path, "/validate/rollout-required");
        let mutate = webhook_at(mutating, path, "/mutate");

        // The server's own namespace (where the Deployment runs) must be spared, or a webhook
        // outage blocks the writes that would repair it.
        let own = find(&objs, "Deployment", "argo-apiserver")["metadata"]["namespace"]
            .as_str()
            .expect("Deployment namespace");
        assert_eq!(own, NAMESPACE, "{path}");
        for (what, hook) in [("/validate", policy), ("/mutate", mutate)] {
            let selector = &hook["namespaceSelector"];
            for spared in ["kube-system", own] {
                assert!(
                    !selects(selector, &namespace_labels(spared, &[])),
                    "{path}: {what} selects namespace {spared}: {selector}"
                );
            }
            for ns in ["default", "shop", "argocd"] {
                assert!(
                    selects(selector, &namespace_labels(ns, &[])),
                    "{path}: {what} does not select namespace {ns}: {selector}"
                );
            }
            // Anything but namespaces: a namespace's own labels never opt it out.
            assert!(
                hook["objectSelector"].is_null()
                    || hook["objectSelector"]
                        .as_object()
                        .is_some_and(|o| o.is_empty()),
                "{path}: {what} has an objectSelector"
            );
        }

        // The rollout-required entry runs only where namespaces opt in.
        let selector = &required["namespaceSelector"];
        assert_eq!(
            selector["matchLabels"]["argoproj.io/rollout-policy"], "required",
            "{path}"
        );
        assert!(
            selects(
                selector,
                &namespace_labels("shop", &[("argoproj.io/rollout-policy", "required")])
            ),
            "{path}: {selector}"
        );
        for labels in [
            namespace_labels("shop", &[]),
            namespace_labels("shop", &[("argoproj.io/rollout-policy", "optional")]),
        ] {
            assert!(!selects(selector, &labels), "{path}: {labels:?} {selector}");
        }
    }
}

/// Whether some rule of `hook` covers `operation` on `resource` (or `resource/sub`) of `group`.
fn hook_covers(hook: &Value, group: &str, resource: &str, operation: &str) -> bool {
    hook["rules"].as_array().is_some_and(|rules| {
        rules.iter().any(|r| {
            let in_list = |list: &Value, v: &str| strs(list).iter().any(|x| x == v || x == "*");
            let resources = strs(&r["resources"]);
            let resource_ok = resources.iter().any(|x| {
                x == resource
                    || match resource.split_once('/') {
                        // "*" matches main resources only; "*/sub" matches that subresource.
                        None => x == "*",
                        Some((_, sub)) => x == "*/*" || *x == format!("*/{sub}"),
                    }
            });
            in_list(&r["apiGroups"], group)
                && in_list(&r["apiVersions"], "v1")
                && in_list(&r["operations"], operation)
                && resource_ok
                && (r["scope"].is_null() || r["scope"] == "*" || r["scope"] == "Namespaced")
        })
    })
}

#[test]
fn webhook_rules_cover_what_each_policy_decides() {
    for path in KUSTOMIZATIONS {
        let objs = render(path);
        let [validating, mutating] = webhook_configurations(&objs);
        let policy = webhook_at(validating, path, "/validate");
        let required = webhook_at(validating, path, "/validate/rollout-required");
        let mutate = webhook_at(mutating, path, "/mutate");

        // Project RBAC and sync windows apply to any kind an Application manages, so the policy
        // webhook sees every group and resource; the Rollout policy also decides scale.
        let rule = policy["rules"]
            .as_array()
            .and_then(|rs| {
                rs.iter().find(|r| {
                    strs(&r["apiGroups"]) == ["*"]
                        && strs(&r["apiVersions"]) == ["*"]
                        && strs(&r["resources"]).contains(&"*".to_string())
                })
            })
            .unwrap_or_else(|| panic!("{path}: no rule for all groups and resources"));
        assert!(
            rule["scope"].is_null() || rule["scope"] == "*",
            "{path}: cluster-scoped objects are managed too: scope {}",
            rule["scope"]
        );
        for op in ["CREATE", "UPDATE", "DELETE"] {
            for (group, resource) in [
                ("", "configmaps"),
                ("", "services"),
                ("apps", "deployments"),
                ("apps", "replicasets"),
                ("apps", "deployments/scale"),
                ("apps", "replicasets/scale"),
                ("networking.k8s.io", "ingresses"),
                ("example.com", "widgets"),
            ] {
                if resource.ends_with("/scale") && op != "UPDATE" {
                    continue;
                }
                assert!(
                    hook_covers(policy, group, resource, op),
                    "{path}: /validate misses {op} {group}/{resource}"
                );
            }
        }
        // Status writes are the controllers' and are never policed: not sent at all.
        assert!(
            !hook_covers(policy, "apps", "deployments/status", "UPDATE"),
            "{path}: /validate is sent status writes"
        );

        // The rollout-required rule concerns Deployments with replicas (and their scale).
        for op in ["CREATE", "UPDATE"] {
            for resource in ["deployments", "deployments/scale"] {
                if resource.ends_with("/scale") && op != "UPDATE" {
                    continue;
                }
                assert!(
                    hook_covers(required, "apps", resource, op),
                    "{path}: /validate/rollout-required misses {op} apps/{resource}"
                );
            }
        }

        // The mutation adds tracking labels on create and update of any kind.
        for op in ["CREATE", "UPDATE"] {
            for (group, resource) in [("", "configmaps"), ("apps", "deployments")] {
                assert!(
                    hook_covers(mutate, group, resource, op),
                    "{path}: /mutate misses {op} {group}/{resource}"
                );
            }
        }
        assert_eq!(
            mutate["reinvocationPolicy"], "Never",
            "{path}: the label patch is idempotent; no reinvocation"
        );
    }
}

/// Application actions: kube-apiserver checks `create` on the subresource before forwarding, so
/// the gate is open to every authenticated user and the permission is Argo CD's verb on
/// `applications` (or a project role), which `edit` and `admin` carry and `view` does not.
#[test]
fn application_actions_are_gated_open_and_granted_by_argo_verbs() {
    let objs = render("base");
    let gate = find(&objs, "ClusterRole", "argo-application-actions-gate");
    for action in ["sync", "rollback", "terminate"] {
        let sub = format!("applications/{action}");
        assert!(
            grants(gate, "argoproj.io", &sub, "create"),
            "gate lacks {sub}"
        );
    }
    // The gate grants nothing else: no read, no write, no other subresource.
    assert!(!grants(gate, "argoproj.io", "applications", "get"));
    assert!(!grants(gate, "argoproj.io", "applications", "sync"));
    assert!(!grants(gate, "argoproj.io", "rollouts/promote", "create"));
    let binding = find(&objs, "ClusterRoleBinding", "argo-application-actions-gate");
    assert_eq!(binding["roleRef"]["name"], "argo-application-actions-gate");
    assert_eq!(
        binding["subjects"],
        serde_json::json!([{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "system:authenticated"}])
    );
    let admin = find(&objs, "ClusterRole", "argo-admin");
    let edit = find(&objs, "ClusterRole", "argo-edit");
    let view = find(&objs, "ClusterRole", "argo-view");
    for verb in ["sync", "rollback", "override"] {
        assert!(
            grants(admin, "argoproj.io", "applications", verb),
            "admin {verb}"
        );
        assert!(
            !grants(view, "argoproj.io", "applications", verb),
            "view {verb}"
        );
    }
    assert!(grants(edit, "argoproj.io", "applications", "sync"));
    assert!(grants(edit, "argoproj.io", "applications", "rollback"));
    assert!(!grants(edit, "argoproj.io", "applications", "override"));
}
