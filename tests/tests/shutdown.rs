//! SIGTERM: the server stops accepting, ends open watches cleanly (the stream ends, it is not
//! reset) and exits successfully within its grace period.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use argo_tests::{Backend, Server};

#[test]
fn sigterm_ends_watches_cleanly_and_exits_zero() {
    let mut server = Server::start(Backend::Embedded);
    let (ca, cert, key) = server.pki();
    let url = format!(
        "{}/apis/argoproj.io/v1alpha1/namespaces/argocd/applications?watch=1",
        server.url()
    );
    let mut watch = Command::new("curl")
        .args(["-sS", "-N", "--http2", "--cacert"])
        .arg(&ca)
        .arg("--cert")
        .arg(&cert)
        .arg("--key")
        .arg(&key)
        .arg(&url)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start curl");
    // Let the watch open.
    std::thread::sleep(Duration::from_millis(800));
    assert!(
        watch.try_wait().expect("curl status").is_none(),
        "the watch ended before shutdown"
    );

    let start = Instant::now();
    let clean = server.terminate().expect("terminate");
    let took = start.elapsed();
    assert!(
        clean,
        "the server did not exit successfully:\n{}",
        server.log()
    );

    // The watch ended on its own, as a finished response (curl exits 0), not a reset.
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = watch.try_wait().expect("curl status") {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "the watch is still open after the server exited"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut err = String::new();
    if let Some(mut e) = watch.stderr.take() {
        use std::io::Read;
        let _ = e.read_to_string(&mut err);
    }
    assert!(
        status.success(),
        "curl saw the watch broken ({status}): {err}"
    );
    assert!(took < Duration::from_secs(30), "shutdown took {took:?}");
    assert!(server.log().contains("shutting down"), "{}", server.log());
}
