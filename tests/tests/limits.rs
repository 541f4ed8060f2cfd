//! Limits that protect the server: the request body size at its edge, the nesting depth of every
//! decoded body, in-flight requests (kube's max-in-flight filter), open watches per user, and
//! watch timeouts. Requests are held in flight by real slow clients (a body never finished, a
//! response never read), never by sleeps; every wait is for a state, with generous deadlines.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

use argo_tests::{Backend, RawResponse as Reply, Server, ServerOptions, write_file};
use serde_json::{Value, json};

const APPS: &str = "/apis/argoproj.io/v1alpha1/namespaces/argocd/applications";
const DEADLINE: Duration = Duration::from_secs(120);

/// A client identity: certificate and key files.
#[derive(Clone)]
struct Who {
    cert: PathBuf,
    key: PathBuf,
}

fn admin(server: &Server) -> Who {
    let (_, cert, key) = server.pki();
    Who { cert, key }
}

/// A client certificate for `user` in `groups`, signed by the server's CA.
fn user(server: &Server, name: &str, groups: &[&str]) -> Who {
    let out = server.client_cert(name, groups);
    Who {
        cert: out.join("tls.crt"),
        key: out.join("tls.key"),
    }
}

/// One request with curl as `who` (to the main port, or to a full URL), with an optional body
/// file and Content-Type.
fn request(
    server: &Server,
    who: &Who,
    method: &str,
    url: &str,
    content_type: Option<&str>,
    body: Option<&Path>,
) -> Reply {
    server.raw_as((&who.cert, &who.key), method, url, content_type, body)
}

fn get(server: &Server, who: &Who, path: &str) -> Reply {
    request(server, who, "GET", path, None, None)
}

fn send(server: &Server, who: &Who, method: &str, path: &str, ct: &str, body: &[u8]) -> Reply {
    server.send_as((&who.cert, &who.key), method, path, ct, body)
}

/// Creates the Application `obj` (a JSON body).
fn create(server: &Server, who: &Who, obj: &Value) -> Reply {
    let body = obj.to_string();
    send(
        server,
        who,
        "POST",
        APPS,
        "application/json",
        body.as_bytes(),
    )
}

/// Sends the JSON patch `ops` to the Application `name`.
fn json_patch(server: &Server, who: &Who, name: &str, ops: &Value) -> Reply {
    let path = format!("{APPS}/{name}");
    let body = ops.to_string();
    let ct = "application/json-patch+json";
    send(server, who, "PATCH", &path, ct, body.as_bytes())
}

fn application(name: &str) -> Value {
    json!({
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {"name": name, "namespace": "argocd"},
        "spec": {
            "project": "default",
            "destination": {"server": "https://kubernetes.default.svc", "namespace": "guestbook"},
            "source": {
                "repoURL": "https://github.com/argoproj/argocd-example-apps",
                "path": "guestbook",
                "targetRevision": "HEAD"
            }
        }
    })
}

fn assert_ready(server: &Server) {
    let r = get(server, &admin(server), "/readyz");
    assert_eq!(
        r.code,
        200,
        "{r:?}\n{}",
        argo_tests::tail(&server.log(), 30)
    );
}

/// Retries `probe` until `done` holds for its reply (the server reaching a state), or panics.
fn wait_for(what: &str, mut probe: impl FnMut() -> Reply, done: impl Fn(&Reply) -> bool) -> Reply {
    let start = Instant::now();
    loop {
        let r = probe();
        if done(&r) {
            return r;
        }
        assert!(
            start.elapsed() < DEADLINE,
            "{what}: still {r:?} after {DEADLINE:?}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

// ---------------------------------------------------------------------------------------------
// Request body size.

/// The 3 MiB limit at its edge (a much larger body is refused through kubectl in
/// kubectl_bad_input.rs): exactly 3 MiB is read and judged, one byte more is a 413.
#[test]
fn body_limit_is_exactly_three_mebibytes() {
    let server = Server::start(Backend::Embedded);
    let who = admin(&server);
    const LIMIT: usize = 3 * 1024 * 1024;
    let mut obj = application("edge").to_string().into_bytes();
    obj.resize(LIMIT, b' ');
    let r = send(&server, &who, "POST", APPS, "application/json", &obj);
    assert_eq!(r.code, 201, "a body of exactly 3 MiB is accepted: {r:?}");
    let mut obj = application("over").to_string().into_bytes();
    obj.resize(LIMIT + 1, b' ');
    let r = send(&server, &who, "POST", APPS, "application/json", &obj);
    let message = r.status(413, "RequestEntityTooLarge");
    assert_eq!(message, "Request entity too large: limit is 3145728");
    assert_ready(&server);
}

// ---------------------------------------------------------------------------------------------
// Nesting depth.

fn nested(n: usize) -> String {
    format!("{}{}", "[".repeat(n), "]".repeat(n))
}

/// 100,000 levels of nesting in every kind of body: a clean 400 Status each time (never a crash
/// or a hang), and the server stays healthy.
#[test]
fn deeply_nested_bodies_are_bad_requests() {
    let server = Server::start(Backend::Embedded);
    let who = admin(&server);
    const N: usize = 100_000;
    let deep = nested(N);
    let r = create(&server, &who, &application("base"));
    assert_eq!(r.code, 201, "{r:?}");

    let mut obj = application("deep").to_string();
    obj = obj.replacen("\"project\"", &format!("\"deep\":{deep},\"project\""), 1);
    let cannot = "Application in version \"v1alpha1\" cannot be handled as a Application: exceeded max depth of 100";
    // Create and update, as JSON and as YAML (JSON is YAML's flow style), and YAML's block style.
    let block = format!(
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: deep\nspec:\n  deep:\n    {}x\n",
        "- ".repeat(N)
    );
    for (method, path) in [("POST", APPS.to_string()), ("PUT", format!("{APPS}/base"))] {
        for (ct, body) in [
            ("application/json", obj.as_str()),
            ("application/yaml", obj.as_str()),
            ("application/yaml", block.as_str()),
        ] {
            let r = send(&server, &who, method, &path, ct, body.as_bytes());
            assert_eq!(r.status(400, "BadRequest"), cannot, "{method} {ct}");
        }
    }
    // Patches of every type, deep at the top and deep inside a value.
    let base = format!("{APPS}/base");
    let patches = [
        ("application/merge-patch+json", deep.clone()),
        (
            "application/merge-patch+json",
            format!("{{\"spec\":{{\"x\":{deep}}}}}"),
        ),
        (
            "application/json-patch+json",
            format!("[{{\"op\":\"add\",\"path\":\"/spec/x\",\"value\":{deep}}}]"),
        ),
        ("application/apply-patch+yaml", deep.clone()),
        ("application/apply-patch+yaml", block.clone()),
    ];
    for (ct, body) in &patches {
        let path = format!("{base}?fieldManager=limits");
        let r = send(&server, &who, "PATCH", &path, ct, body.as_bytes());
        r.status(400, "BadRequest");
    }
    // DeleteOptions.
    let body = format!("{{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\",\"dryRun\":{deep}}}");
    let r = send(
        &server,
        &who,
        "DELETE",
        &base,
        "application/json",
        body.as_bytes(),
    );
    r.status(400, "BadRequest");
    // An AdmissionReview on the webhook port.
    let review = format!(
        "{{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{{\"uid\":\"u\",\"kind\":{{\"group\":\"apps\",\"version\":\"v1\",\"kind\":\"Deployment\"}},\"resource\":{{\"group\":\"apps\",\"version\":\"v1\",\"resource\":\"deployments\"}},\"name\":\"a\",\"namespace\":\"b\",\"operation\":\"CREATE\",\"userInfo\":{{\"username\":\"u\"}},\"object\":{deep}}}}}"
    );
    for hook in ["validate", "mutate"] {
        let url = format!("{}/{hook}", server.webhook_url());
        let r = send(
            &server,
            &who,
            "POST",
            &url,
            "application/json",
            review.as_bytes(),
        );
        r.status(400, "BadRequest");
    }

    assert_ready(&server);
    // Nothing was written, and an ordinary write still works.
    let r = get(&server, &who, &base);
    assert_eq!(r.code, 200, "{r:?}");
    assert!(r.json()["spec"].get("x").is_none(), "{}", r.body);
    let r = send(
        &server,
        &who,
        "PATCH",
        &base,
        "application/merge-patch+json",
        br#"{"spec":{"source":{"path":"other"}}}"#,
    );
    assert_eq!(r.code, 200, "{r:?}");
}

/// A JSON patch adds a value under a deep path, so the stored object ends up deeper than any
/// body may be: the patch is refused like a too-deep body, and the kind stays readable.
#[test]
fn patches_cannot_store_objects_too_deep_to_read() {
    let server = Server::start(Backend::Embedded);
    let who = admin(&server);
    let nest = |n: usize| (0..n).fold(json!({}), |v, _| json!({ "a": v }));
    let mut app = application("deep");
    app["spec"]["source"]["helm"] = json!({"valuesObject": nest(90)});
    let r = create(&server, &who, &app);
    assert_eq!(r.code, 201, "{r:?}");
    let path = format!("/spec/source/helm/valuesObject{}/b", "/a".repeat(80));
    let patch = json!([{"op": "add", "path": path, "value": nest(90)}]);
    let r = json_patch(&server, &who, "deep", &patch);
    assert_eq!(r.code, 400, "{r:?}");
    assert!(r.body.contains("exceeded max depth of 100"), "{r:?}");
    let r = get(&server, &who, APPS);
    assert_eq!(r.code, 200, "the list is still readable: {r:?}");
}

/// A JSON patch is held to kube's limits on what it may do beyond its own size: 10,000
/// operations (413), and `copy` operations adding 3 MiB in all (422). Forty copies of the root in
/// a 2 KiB body would otherwise double the object forty times.
#[test]
fn json_patches_cannot_amplify_themselves() {
    let server = Server::start(Backend::Embedded);
    let who = admin(&server);
    let r = create(&server, &who, &application("bomb"));
    assert_eq!(r.code, 201, "{r:?}");
    // Each copies /spec into itself: /spec doubles with every operation.
    let doubling: Vec<Value> = (0..40)
        .map(|i| json!({"op": "copy", "from": "/spec", "path": format!("/spec/x{i}")}))
        .collect();
    let r = json_patch(&server, &who, "bomb", &Value::Array(doubling));
    let message = r.status(422, "Invalid");
    assert!(
        message
            .starts_with("Unable to complete the copy, the accumulated size increase of copy is"),
        "{r:?}"
    );

    let many = vec![json!({"op": "test", "path": "/kind", "value": "Application"}); 10_001];
    let r = json_patch(&server, &who, "bomb", &Value::Array(many));
    r.status(413, "RequestEntityTooLarge");
    assert!(
        r.body.contains(
            "Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001"
        ),
        "{r:?}"
    );

    // Nothing of either was written, and a patch that copies a little still applies.
    let fine = json!([
        {"op": "add", "path": "/metadata/labels", "value": {}},
        {"op": "copy", "from": "/spec/project", "path": "/metadata/labels/project"}
    ]);
    let r = json_patch(&server, &who, "bomb", &fine);
    assert_eq!(r.code, 200, "{r:?}");
    let stored = r.json();
    assert!(stored["spec"].get("x0").is_none(), "{stored}");
    assert_eq!(
        stored["metadata"]["labels"]["project"],
        stored["spec"]["project"]
    );
}

// ---------------------------------------------------------------------------------------------
// In-flight requests.

/// Sends `request` over its own TLS connection (HTTP/1.1, a tiny receive buffer), then neither
/// sends nor reads anything more until dropped: a request that stays in flight.
struct Holder {
    child: Child,
    _stdin: ChildStdin,
}

const HOLDER: &str = r#"
import socket, ssl, sys
host, port, ca, cert, key, request = sys.argv[1:7]
ctx = ssl.create_default_context(cafile=ca)
ctx.load_cert_chain(cert, key)
ctx.set_alpn_protocols(["http/1.1"])
s = socket.socket()
# A small receive window: the server can only write a little of a response nobody reads.
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.connect((host, int(port)))
t = ctx.wrap_socket(s, server_hostname=host)
t.sendall(open(request, "rb").read())
print("sent", flush=True)
sys.stdin.read()
"#;

impl Holder {
    fn start(server: &Server, who: &Who, name: &str, request: &str) -> Holder {
        let file = write_file(server, name, request);
        let (ca, _, _) = server.pki();
        let mut child = Command::new("python3")
            .arg("-c")
            .arg(HOLDER)
            .arg("127.0.0.1")
            .arg(server.port.to_string())
            .arg(&ca)
            .arg(&who.cert)
            .arg(&who.key)
            .arg(&file)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 runs (it holds requests in flight over a raw TLS socket)");
        let stdin = child.stdin.take().expect("piped stdin");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("piped stdout"))
            .read_line(&mut line)
            .expect("read the holder's output");
        assert_eq!(line.trim(), "sent", "the holder could not send its request");
        Holder {
            child,
            _stdin: stdin,
        }
    }
}

impl Drop for Holder {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// How much a response must exceed to be left unfinished by a client that does not read: the
/// kernel's largest send buffer, plus room for the server's own buffers.
fn unfinishable_response_bytes() -> usize {
    let wmem_max = std::fs::read_to_string("/proc/sys/net/ipv4/tcp_wmem")
        .ok()
        .and_then(|s| s.split_whitespace().nth(2)?.parse::<usize>().ok())
        .unwrap_or(4 << 20);
    wmem_max + (8 << 20)
}

#[test]
fn requests_over_the_in_flight_limits_get_kubes_429() {
    let server = Server::start_with(
        Backend::Embedded,
        ServerOptions {
            extra_args: [
                "--max-requests-inflight",
                "2",
                "--max-mutating-requests-inflight",
                "1",
            ]
            .map(String::from)
            .to_vec(),
            ..Default::default()
        },
    );
    let root = admin(&server);
    // No permissions at all: under the limits its requests are 403s, so a 429 can only come
    // from the limits (checked before authorization, as in kube).
    let probe = user(&server, "probe", &[]);

    // Enough Applications that listing them cannot be written to a client that does not read.
    let size = 2 << 20;
    let count = unfinishable_response_bytes().div_ceil(size);
    for i in 0..count {
        let mut app = application(&format!("big-{i}"));
        app["spec"]["source"]["helm"] = json!({"values": "x".repeat(size)});
        let r = send(
            &server,
            &root,
            "POST",
            APPS,
            "application/json",
            app.to_string().as_bytes(),
        );
        assert_eq!(r.code, 201, "{r:?}");
    }
    assert_eq!(get(&server, &probe, APPS).code, 403);

    // Two lists whose responses are never read fill the read-only limit.
    let list = format!("GET {APPS} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    let held_reads = [
        Holder::start(&server, &root, "list-1.http", &list),
        Holder::start(&server, &root, "list-2.http", &list),
    ];
    let r = wait_for(
        "the read-only limit fills",
        || get(&server, &probe, APPS),
        |r| r.code != 403,
    );
    // kube's tooManyRequests: http.Error's plain text, Retry-After: 1.
    assert_eq!(r.code, 429, "{r:?}");
    assert_eq!(r.body, "Too many requests, please try again later.\n");
    assert_eq!(r.header("Retry-After"), Some("1"), "{r:?}");
    assert_eq!(r.header("Content-Type"), Some("text/plain; charset=utf-8"));
    // Non-resource requests count too.
    assert_eq!(get(&server, &probe, "/version").code, 429);
    // Mutating requests have their own limit, health checks and system:masters are never
    // refused, and watches are not counted.
    assert_eq!(
        send(&server, &probe, "POST", APPS, "application/json", b"{}").code,
        403
    );
    assert_eq!(get(&server, &probe, "/readyz").code, 200);
    assert_eq!(get(&server, &root, &format!("{APPS}/big-0")).code, 200);
    let r = get(&server, &root, &format!("{APPS}?watch=1&timeoutSeconds=1"));
    assert_eq!(r.code, 200, "{r:?}");

    // A create whose body never arrives fills the mutating limit (the slot is taken before the
    // body is read, as kube's filter does).
    let create = format!(
        "POST {APPS} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{{"
    );
    let held_write = Holder::start(&server, &root, "create.http", &create);
    let r = wait_for(
        "the mutating limit fills",
        || {
            send(
                &server,
                &probe,
                "DELETE",
                &format!("{APPS}/big-0"),
                "application/json",
                b"",
            )
        },
        |r| r.code != 403,
    );
    assert_eq!(r.code, 429, "{r:?}");
    assert_eq!(r.body, "Too many requests, please try again later.\n");
    assert_eq!(r.header("Retry-After"), Some("1"));
    let metrics = get(&server, &root, "/metrics").body;
    for kind in ["readOnly", "mutating"] {
        let line = format!("apiserver_dropped_requests_total{{request_kind=\"{kind}\"}} ");
        let n: u64 = metrics
            .lines()
            .find_map(|l| l.strip_prefix(&line))
            .and_then(|n| n.trim().parse().ok())
            .unwrap_or_else(|| panic!("no {line} in /metrics"));
        assert!(n >= 1, "{line}{n}");
    }

    // The held requests end when their clients go; the limits let requests through again.
    drop(held_write);
    drop(held_reads);
    wait_for(
        "the mutating limit frees",
        || send(&server, &probe, "POST", APPS, "application/json", b"{}"),
        |r| r.code != 429,
    )
    .status(403, "Forbidden");
    wait_for(
        "the read-only limit frees",
        || get(&server, &probe, APPS),
        |r| r.code != 429,
    )
    .status(403, "Forbidden");
    assert_ready(&server);
}

// ---------------------------------------------------------------------------------------------
// Watches per user, and watch timeouts.

/// A watch streamed by curl; killed (the client goes away) on drop.
struct Watch {
    child: Child,
    code: u16,
}

impl Watch {
    fn start(server: &Server, who: &Who, query: &str) -> Watch {
        let (ca, _, _) = server.pki();
        // curl's verbose output (stderr, unbuffered) shows the status line as soon as it comes.
        let mut child = Command::new("curl")
            .args(["-sS", "-v", "-N", "-o", "/dev/null", "--cacert"])
            .arg(&ca)
            .arg("--cert")
            .arg(&who.cert)
            .arg("--key")
            .arg(&who.key)
            .arg(format!("{}{APPS}?watch=1&{query}", server.url()))
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run curl");
        let mut err = BufReader::new(child.stderr.take().expect("piped stderr"));
        let mut line = String::new();
        let code = loop {
            line.clear();
            let n = err.read_line(&mut line).expect("read curl's output");
            assert!(n > 0, "curl ended without a response");
            if let Some(status) = line.strip_prefix("< HTTP/") {
                break status
                    .split_whitespace()
                    .nth(1)
                    .and_then(|c| c.parse().ok())
                    .unwrap_or_else(|| panic!("a bad status line: {line:?}"));
            }
        };
        // Keep draining, so curl never waits on this test.
        std::thread::spawn(move || std::io::copy(&mut err, &mut std::io::sink()));
        Watch { child, code }
    }

    /// Waits for curl to exit by itself; returns whether it exited cleanly.
    fn wait_end(&mut self) -> bool {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("wait for curl") {
                return status.success();
            }
            assert!(start.elapsed() < DEADLINE, "the watch did not end");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const WATCH_POLICY: &str = r#"
- group: watchers
  verbs: [get, list, watch]
  apiGroups: [argoproj.io]
  resources: [applications]
"#;

#[test]
fn watches_are_limited_per_user_and_end_on_their_timeout() {
    let server = Server::start_with(
        Backend::Embedded,
        ServerOptions {
            extra_args: vec!["--max-watches-per-user".into(), "2".into()],
            policy: Some(WATCH_POLICY.into()),
            ..Default::default()
        },
    );
    let alice = user(&server, "alice", &["watchers"]);
    let bob = user(&server, "bob", &["watchers"]);
    let long = "timeoutSeconds=600";

    // timeoutSeconds: the stream ends cleanly (curl exits 0) once it has passed.
    let start = Instant::now();
    let mut w = Watch::start(&server, &alice, "timeoutSeconds=2");
    assert_eq!(w.code, 200);
    assert!(w.wait_end(), "a watch ends cleanly on its timeout");
    assert!(start.elapsed() >= Duration::from_secs(2));

    let a1 = Watch::start(&server, &alice, long);
    let a2 = Watch::start(&server, &alice, long);
    assert_eq!((a1.code, a2.code), (200, 200));
    let third = || get(&server, &alice, &format!("{APPS}?watch=1&{long}"));
    let r = third();
    let message = r.status(429, "TooManyRequests");
    assert_eq!(
        message,
        "Too many requests: user \"alice\" already has 2 open watches, the most one user may have"
    );
    assert_eq!(r.header("Retry-After"), Some("1"));
    assert_eq!(r.json()["details"]["retryAfterSeconds"], 1);
    // Another user is not affected, and neither are alice's other requests.
    let b1 = Watch::start(&server, &bob, long);
    assert_eq!(b1.code, 200);
    assert_eq!(get(&server, &alice, APPS).code, 200);

    // A watch whose client goes away gives its share back.
    drop(a1);
    let mut a3 = Watch::start(&server, &alice, long);
    let start = Instant::now();
    while a3.code == 429 {
        assert!(
            start.elapsed() < DEADLINE,
            "alice's closed watch was never released"
        );
        std::thread::sleep(Duration::from_millis(200));
        a3 = Watch::start(&server, &alice, long);
    }
    assert_eq!(a3.code, 200);
    assert_eq!(third().code, 429);

    // A watch that ends on its timeout gives its share back before the client sees the end.
    drop(a3);
    let mut short = loop {
        let w = Watch::start(&server, &alice, "timeoutSeconds=2");
        if w.code == 200 {
            break w;
        }
        assert!(
            start.elapsed() < DEADLINE,
            "alice's closed watch was never released"
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    assert!(short.wait_end());
    let a4 = Watch::start(&server, &alice, long);
    assert_eq!(a4.code, 200);
    assert_eq!(third().code, 429);
    drop((a2, a4, b1));
    assert_ready(&server);
}
