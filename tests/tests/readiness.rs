//! Readiness follows storage: `/readyz` fails while etcd is unreachable, names the failing check
//! in verbose mode, and recovers by itself when etcd is back; liveness stays up throughout.

use std::time::{Duration, Instant};

use argo_tests::{Backend, Server};

fn readyz(server: &Server, path: &str) -> (bool, String) {
    let out = server.kubectl("1.33", &["get", "--raw", path]);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

fn wait_until(server: &Server, want_ready: bool) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (ok, text) = readyz(server, "/readyz?verbose");
        if ok == want_ready {
            return text;
        }
        assert!(
            Instant::now() < deadline,
            "/readyz never became {}: {text}",
            if want_ready { "ready" } else { "unready" }
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn readiness_fails_while_etcd_is_down_and_recovers() {
    let mut server = Server::start(Backend::Etcd);
    let ready = wait_until(&server, true);
    assert!(ready.contains("[+]etcd ok"), "{ready}");

    server
        .etcd
        .as_mut()
        .expect("etcd")
        .stop()
        .expect("stop etcd");
    let down = wait_until(&server, false);
    assert!(down.contains("[-]etcd failed"), "{down}");
    // Liveness does not depend on storage being reachable right now.
    let (live, text) = readyz(&server, "/livez/ping");
    assert!(live, "{text}");

    server
        .etcd
        .as_mut()
        .expect("etcd")
        .restart()
        .expect("restart etcd");
    let back = wait_until(&server, true);
    assert!(back.contains("[+]etcd ok"), "{back}");
    // And the API works again without a restart of the server.
    let out = server.kubectl_ok("1.33", &["get", "applications", "-A", "-o", "name"]);
    assert!(out.trim().is_empty(), "{out}");
}
