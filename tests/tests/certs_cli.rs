//! `argo-apiserver certs ...`: the CA, serving and client certificates and the caBundle of an
//! in-cluster install, checked with openssl and used for real (a server started on the issued
//! serving certificate, kubectl authenticating with the issued client certificate), and the
//! serving certificate replaced under a running server without a restart.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use argo_tests::{free_port, kubectl_path, server_binary, tail};

fn certs(args: &[&str]) -> Output {
    Command::new(server_binary())
        .arg("certs")
        .args(args)
        .output()
        .expect("run argo-apiserver certs")
}

fn certs_ok(args: &[&str]) -> String {
    let out = certs(args);
    assert!(
        out.status.success(),
        "certs {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn openssl(args: &[&str]) -> String {
    let out = Command::new("openssl")
        .args(args)
        .output()
        .expect("run openssl");
    assert!(
        out.status.success(),
        "openssl {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn p(path: &Path) -> &str {
    path.to_str().expect("UTF-8 path")
}

/// `ca/`, `serving/` (for argo-apiserver.argo-system, plus 127.0.0.1 so a local test can dial
/// it) and `admin/` (user admin in system:masters) under `root`.
fn make_pki(root: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let (ca, serving, admin) = (root.join("ca"), root.join("serving"), root.join("admin"));
    certs_ok(&["ca", "--out-dir", p(&ca)]);
    issue_serving(&ca, &serving);
    certs_ok(&[
        "client",
        "--ca-dir",
        p(&ca),
        "--user",
        "admin",
        "--group",
        "system:masters",
        "--group",
        "ops",
        "--out-dir",
        p(&admin),
    ]);
    (ca, serving, admin)
}

fn issue_serving(ca: &Path, out: &Path) -> String {
    certs_ok(&[
        "serving",
        "--ca-dir",
        p(ca),
        "--service",
        "argo-apiserver",
        "--namespace",
        "argo-system",
        "--dns-name",
        "127.0.0.1",
        "--out-dir",
        p(out),
    ])
}

#[test]
fn issued_certificates_chain_to_the_ca_and_carry_the_service_and_user_names() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (ca, serving, admin) = make_pki(dir.path());

    // The CA key is private to its owner.
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(ca.join("ca.key"))
            .expect("ca.key")
            .permissions(),
    );
    assert_eq!(mode & 0o077, 0, "ca.key is readable by others: {mode:o}");

    // Serving: every name the aggregator or a pod may dial, for TLS servers.
    let sans = openssl(&[
        "x509",
        "-in",
        p(&serving.join("tls.crt")),
        "-noout",
        "-ext",
        "subjectAltName",
    ]);
    for name in [
        "DNS:argo-apiserver,",
        "DNS:argo-apiserver.argo-system,",
        "DNS:argo-apiserver.argo-system.svc,",
        "DNS:argo-apiserver.argo-system.svc.cluster.local",
        "IP Address:127.0.0.1",
    ] {
        assert!(sans.contains(name), "{name} missing from {sans}");
    }
    let ca_file = ca.join("ca.crt");
    let verify = openssl(&[
        "verify",
        "-CAfile",
        p(&ca_file),
        "-purpose",
        "sslserver",
        p(&serving.join("tls.crt")),
    ]);
    assert!(verify.contains(": OK"), "{verify}");
    // The directory holds a whole Secret: tls.crt, tls.key and the CA.
    assert_eq!(
        std::fs::read_to_string(serving.join("ca.crt")).expect("serving/ca.crt"),
        std::fs::read_to_string(&ca_file).expect("ca.crt")
    );

    // Client: CN is the user, each O a group, usable only as a client.
    let subject = openssl(&[
        "x509",
        "-in",
        p(&admin.join("tls.crt")),
        "-noout",
        "-subject",
        "-nameopt",
        "RFC2253",
    ]);
    assert!(subject.contains("CN=admin"), "{subject}");
    assert!(subject.contains("O=system:masters"), "{subject}");
    assert!(subject.contains("O=ops"), "{subject}");
    let verify = openssl(&[
        "verify",
        "-CAfile",
        p(&ca_file),
        "-purpose",
        "sslclient",
        p(&admin.join("tls.crt")),
    ]);
    assert!(verify.contains(": OK"), "{verify}");

    // Peer (etcd members): one certificate valid as server and as client, for the member
    // names of a StatefulSet behind a headless Service.
    let peer = dir.path().join("peer");
    certs_ok(&[
        "peer",
        "--ca-dir",
        p(&ca),
        "--service",
        "etcd",
        "--namespace",
        "argo-system",
        "--dns-name",
        "*.etcd.argo-system.svc",
        "--out-dir",
        p(&peer),
    ]);
    let sans = openssl(&[
        "x509",
        "-in",
        p(&peer.join("tls.crt")),
        "-noout",
        "-ext",
        "subjectAltName",
    ]);
    assert!(sans.contains("DNS:*.etcd.argo-system.svc"), "{sans}");
    assert!(sans.contains("DNS:etcd.argo-system.svc,"), "{sans}");
    for purpose in ["sslserver", "sslclient"] {
        let verify = openssl(&[
            "verify",
            "-CAfile",
            p(&ca_file),
            "-purpose",
            purpose,
            p(&peer.join("tls.crt")),
        ]);
        assert!(verify.contains(": OK"), "{purpose}: {verify}");
    }
    // A serving certificate is not a client certificate (why etcd members need `peer`).
    let out = Command::new("openssl")
        .args(["verify", "-CAfile", p(&ca_file), "-purpose", "sslclient"])
        .arg(serving.join("tls.crt"))
        .output()
        .expect("run openssl");
    assert!(
        !out.status.success(),
        "a serving certificate verified as a client"
    );

    // caBundle: the base64 of the CA's PEM, one line, as APIService.spec.caBundle takes it.
    let bundle = certs_ok(&["ca-bundle", "--ca-file", p(&ca_file)]);
    assert_eq!(bundle.trim().lines().count(), 1, "{bundle}");
    let decoded = {
        let mut child = Command::new("base64")
            .arg("-d")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("run base64");
        std::io::Write::write_all(
            &mut child.stdin.take().expect("stdin"),
            bundle.trim().as_bytes(),
        )
        .expect("write");
        let out = child.wait_with_output().expect("base64 output");
        assert!(out.status.success(), "caBundle is not base64: {bundle}");
        out.stdout
    };
    assert_eq!(
        decoded,
        std::fs::read(&ca_file).expect("ca.crt"),
        "caBundle must decode to the CA certificate"
    );

    // A leaf certificate is not a CA bundle.
    let out = certs(&["ca-bundle", "--ca-file", p(&serving.join("tls.crt"))]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not a CA certificate"), "{err}");
    // Issuing from a directory without a CA fails with the path in the message.
    let out = certs(&[
        "serving",
        "--ca-dir",
        p(&dir.path().join("missing")),
        "--out-dir",
        p(&dir.path().join("x")),
    ]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("missing"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A server started on given certificate files (as the Deployment starts it).
struct Running {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Running {
    fn start(dir: &Path, serving: &Path, ca: &Path) -> Running {
        let port = free_port();
        let log = dir.join("server.log");
        let out = std::fs::File::create(&log).expect("log");
        let child = Command::new(server_binary())
            .args([
                "serve",
                "--secure-port",
                &port.to_string(),
                "--webhook-port",
                "0",
            ])
            .arg("--data-dir")
            .arg(dir.join("data"))
            .arg("--tls-cert-file")
            .arg(serving.join("tls.crt"))
            .arg("--tls-private-key-file")
            .arg(serving.join("tls.key"))
            .arg("--client-ca-file")
            .arg(ca.join("ca.crt"))
            .stdout(Stdio::from(out.try_clone().expect("log")))
            .stderr(Stdio::from(out))
            .spawn()
            .expect("start argo-apiserver");
        Running { child, port, log }
    }

    fn log(&self) -> String {
        tail(&std::fs::read_to_string(&self.log).unwrap_or_default(), 30)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn write_kubeconfig(dir: &Path, port: u16, ca: &Path, client: &Path) -> PathBuf {
    let path = dir.join("kubeconfig");
    let text = format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: https://127.0.0.1:{port}\n    certificate-authority: {}\nusers:\n- name: u\n  user:\n    client-certificate: {}\n    client-key: {}\ncontexts:\n- name: c\n  context: {{cluster: c, user: u}}\ncurrent-context: c\n",
        p(&ca.join("ca.crt")),
        p(&client.join("tls.crt")),
        p(&client.join("tls.key")),
    );
    std::fs::write(&path, text).expect("write kubeconfig");
    path
}

fn kubectl(kubeconfig: &Path, args: &[&str]) -> Output {
    Command::new(kubectl_path("1.33"))
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .args(args)
        .output()
        .expect("run kubectl")
}

/// The serial number of the certificate the server presents on a new TLS connection.
fn served_serial(port: u16) -> Option<String> {
    let s_client = Command::new("openssl")
        .args([
            "s_client",
            "-connect",
            &format!("127.0.0.1:{port}"),
            "-showcerts",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let out = s_client.wait_with_output().ok()?;
    let mut x509 = Command::new("openssl")
        .args(["x509", "-noout", "-serial"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    std::io::Write::write_all(&mut x509.stdin.take()?, &out.stdout).ok()?;
    let out = x509.wait_with_output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn file_serial(cert: &Path) -> String {
    openssl(&["x509", "-in", p(cert), "-noout", "-serial"])
        .trim()
        .to_string()
}

#[test]
fn server_uses_issued_certificates_and_picks_up_a_replaced_serving_certificate() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (ca, serving, admin) = make_pki(dir.path());
    let mut server = Running::start(dir.path(), &serving, &ca);
    let kubeconfig = write_kubeconfig(dir.path(), server.port, &ca, &admin);

    // Ready, verified against our CA (so the served certificate is the issued one) and
    // authenticated with the issued client certificate.
    let start = Instant::now();
    loop {
        let out = kubectl(&kubeconfig, &["get", "applications", "-A"]);
        if out.status.success() {
            break;
        }
        if let Ok(Some(status)) = server.child.try_wait() {
            panic!("server exited ({status}):\n{}", server.log());
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "kubectl never succeeded: {}\n{}",
            String::from_utf8_lossy(&out.stderr),
            server.log()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let before = file_serial(&serving.join("tls.crt"));
    assert_eq!(served_serial(server.port).as_deref(), Some(before.as_str()));

    // Rotate: issue a new serving certificate into the same files, as the kubelet does when
    // the Secret changes.
    issue_serving(&ca, &serving);
    let after = file_serial(&serving.join("tls.crt"));
    assert_ne!(before, after, "a new certificate has a new serial");

    // New connections get the new certificate; the server polls its files, so wait a bounded
    // time for it.
    let start = Instant::now();
    loop {
        let served = served_serial(server.port);
        if served.as_deref() == Some(after.as_str()) {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(45),
            "still serving {served:?}, expected {after}\n{}",
            server.log()
        );
        std::thread::sleep(Duration::from_millis(500));
    }
    // Same process, still serving clients.
    assert!(
        matches!(server.child.try_wait(), Ok(None)),
        "the server restarted"
    );
    let out = kubectl(&kubeconfig, &["get", "applications", "-A"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
