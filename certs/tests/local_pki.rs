//! First-start PKI, kubeconfig, rotation and the `certs` command functions.

use std::io::{BufRead, BufReader, Write};
use std::net::{IpAddr, Ipv4Addr, TcpListener};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use argo_certs::rustls::server::WebPkiClientVerifier;
use argo_certs::rustls::{self, RootCertStore, ServerConfig};
use argo_certs::{
    ADMIN_GROUP, ADMIN_USER, Ca, CertInfo, CertReloader, Error, LocalPkiOptions, Validity, cli,
    ensure_local_pki, ensure_local_pki_with, parse_cert_chain, write_kubeconfig, write_pair,
};
use base64::Engine;

const HOUR: Duration = Duration::from_secs(3600);
const DAY: Duration = Duration::from_secs(24 * 3600);

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn kubectl() -> Command {
    // The real kubectl; KUBECTL picks a particular version.
    Command::new(std::env::var_os("KUBECTL").unwrap_or_else(|| "kubectl".into()))
}

fn kubectl_output(args: &[&str]) -> String {
    let out = kubectl()
        .args(args)
        .output()
        .expect("kubectl must be installed (or KUBECTL set) for this test");
    assert!(
        out.status.success(),
        "kubectl {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn b64decode(s: &str) -> String {
    String::from_utf8(
        base64::engine::general_purpose::STANDARD
            .decode(s.trim())
            .unwrap(),
    )
    .unwrap()
}

#[test]
fn first_start_generates_everything_with_private_keys_0600() {
    let data = tempfile::tempdir().unwrap();
    let pki = ensure_local_pki(data.path()).unwrap();
    assert!(pki.ca_generated && pki.serving_generated && pki.admin_generated);
    let p = &pki.paths;
    for key in [&p.ca_key, &p.serving_key, &p.admin_key] {
        assert_eq!(mode(key), 0o600, "{}", key.display());
    }
    for cert in [&p.ca_cert, &p.serving_cert, &p.admin_cert] {
        assert!(cert.exists());
    }
    let ca = CertInfo::from_pem(pki.ca.cert_pem(), "ca").unwrap();
    assert!(ca.is_ca);
    let serving = pki.serving.info().unwrap();
    assert!(!serving.is_ca);
    assert!(serving.is_signed_by(&ca));
    assert!(serving.covers(
        &["localhost"],
        &[
            IpAddr::V4(Ipv4Addr::LOCALHOST),
            "::1".parse::<IpAddr>().unwrap()
        ]
    ));
    let admin = pki.admin.info().unwrap();
    assert!(admin.is_signed_by(&ca));
    assert_eq!(admin.common_name.as_deref(), Some(ADMIN_USER));
    assert_eq!(admin.organizations, vec![ADMIN_GROUP.to_string()]);
}

#[test]
fn second_start_reuses_ca_and_certificates() {
    let data = tempfile::tempdir().unwrap();
    let first = ensure_local_pki(data.path()).unwrap();
    let second = ensure_local_pki(data.path()).unwrap();
    assert!(!second.ca_generated && !second.serving_generated && !second.admin_generated);
    assert_eq!(first.ca.cert_pem(), second.ca.cert_pem());
    assert_eq!(first.ca.key_pem(), second.ca.key_pem());
    assert_eq!(first.serving, second.serving);
    assert_eq!(first.admin, second.admin);
}

#[test]
fn expired_serving_certificate_is_regenerated_with_the_same_ca() {
    let data = tempfile::tempdir().unwrap();
    let first = ensure_local_pki(data.path()).unwrap();
    let now = SystemTime::now();
    let expired = first
        .ca
        .issue_serving(
            &["localhost"],
            &[
                IpAddr::V4(Ipv4Addr::LOCALHOST),
                "::1".parse::<IpAddr>().unwrap(),
            ],
            Validity::between(now - 2 * DAY, now - DAY).unwrap(),
        )
        .unwrap();
    write_pair(
        &first.paths.serving_cert,
        &first.paths.serving_key,
        &expired,
    )
    .unwrap();

    let second = ensure_local_pki(data.path()).unwrap();
    assert!(!second.ca_generated);
    assert!(second.serving_generated);
    assert!(!second.admin_generated);
    assert_eq!(first.ca.cert_pem(), second.ca.cert_pem());
    let info = second.serving.info().unwrap();
    assert!(info.is_valid_at(SystemTime::now()));
    let on_disk = std::fs::read_to_string(&second.paths.serving_cert).unwrap();
    assert_eq!(on_disk, second.serving.cert_pem);
    assert_eq!(mode(&second.paths.serving_key), 0o600);
}

#[test]
fn serving_certificate_lacking_a_requested_name_is_regenerated() {
    let data = tempfile::tempdir().unwrap();
    ensure_local_pki(data.path()).unwrap();
    let mut options = LocalPkiOptions::default();
    options.dns_names.push("argo.internal".to_string());
    let again = ensure_local_pki_with(data.path(), &options).unwrap();
    assert!(again.serving_generated && !again.ca_generated && !again.admin_generated);
    assert!(
        again
            .serving
            .info()
            .unwrap()
            .dns_names
            .contains(&"argo.internal".to_string())
    );
}

#[test]
fn serving_certificate_from_another_ca_is_regenerated() {
    let data = tempfile::tempdir().unwrap();
    let first = ensure_local_pki(data.path()).unwrap();
    let other = Ca::generate("other").unwrap();
    let foreign = other
        .issue_serving(
            &["localhost"],
            &[IpAddr::V4(Ipv4Addr::LOCALHOST)],
            DAY * 365,
        )
        .unwrap();
    write_pair(
        &first.paths.serving_cert,
        &first.paths.serving_key,
        &foreign,
    )
    .unwrap();
    let again = ensure_local_pki(data.path()).unwrap();
    assert!(again.serving_generated);
    let ca = again.ca.info().unwrap();
    assert!(again.serving.info().unwrap().is_signed_by(&ca));
}

#[test]
fn corrupt_ca_is_an_error_not_silently_replaced() {
    let data = tempfile::tempdir().unwrap();
    let first = ensure_local_pki(data.path()).unwrap();
    std::fs::write(&first.paths.ca_cert, "not a certificate").unwrap();
    let err = ensure_local_pki(data.path()).unwrap_err();
    assert!(matches!(err, Error::NoPem { .. }), "{err}");
    // The key the CA had is still there.
    assert_eq!(
        std::fs::read_to_string(&first.paths.ca_key).unwrap(),
        first.ca.key_pem()
    );
}

#[test]
fn ca_load_rejects_a_key_of_another_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let a = Ca::generate("a").unwrap();
    let b = Ca::generate("b").unwrap();
    std::fs::write(dir.path().join("ca.crt"), a.cert_pem()).unwrap();
    std::fs::write(dir.path().join("ca.key"), b.key_pem()).unwrap();
    let err = Ca::load(dir.path().join("ca.crt"), dir.path().join("ca.key")).unwrap_err();
    assert!(matches!(err, Error::KeyMismatch { .. }), "{err}");
}

#[test]
fn ca_load_rejects_a_leaf_certificate() {
    let ca = Ca::generate("a").unwrap();
    let leaf = ca.issue_serving(&["x"], &[], HOUR).unwrap();
    let err = Ca::from_pem(&leaf.cert_pem, &leaf.key_pem, "leaf").unwrap_err();
    assert!(matches!(err, Error::NotCa { .. }), "{err}");
}

#[test]
fn loaded_ca_issues_certificates_that_chain_to_it() {
    let dir = tempfile::tempdir().unwrap();
    let (generated, files) = cli::generate_ca_files(dir.path(), "argo-ca", DAY).unwrap();
    let loaded = Ca::load(&files.cert, &files.key).unwrap();
    assert_eq!(loaded.cert_pem(), generated.cert_pem());
    let leaf = loaded.issue_client("bob", &["team"], HOUR).unwrap();
    assert!(
        leaf.info()
            .unwrap()
            .is_signed_by(&generated.info().unwrap())
    );
}

#[test]
fn bad_names_are_errors() {
    let ca = Ca::generate("a").unwrap();
    for bad in ["", "a..b", "-a.b", "a b", "ünï.com"] {
        let err = ca.issue_serving(&[bad], &[], HOUR).unwrap_err();
        assert!(matches!(err, Error::InvalidName { .. }), "{bad:?}: {err}");
    }
    let none: &[&str] = &[];
    assert!(ca.issue_serving(none, &[], HOUR).is_err());
    assert!(ca.issue_client("", &["g"], HOUR).is_err());
    let now = SystemTime::now();
    assert!(Validity::between(now, now).is_err());
    // Outside what X.509 can encode: an error, not a panic.
    let too_late = SystemTime::UNIX_EPOCH + Duration::from_secs(300_000_000_000);
    let err = ca
        .issue_serving(&["x"], &[], Validity::between(now, too_late).unwrap())
        .unwrap_err();
    assert!(matches!(err, Error::InvalidValidity(_)), "{err}");
    // A huge duration saturates instead of overflowing.
    assert!(ca.issue_client("u", &["g"], Duration::MAX).is_ok());
}

#[test]
fn an_address_given_as_a_name_becomes_an_ip_san() {
    let ca = Ca::generate("a").unwrap();
    let info = ca
        .issue_serving(&["10.0.0.1", "svc"], &[], HOUR)
        .unwrap()
        .info()
        .unwrap();
    assert_eq!(info.dns_names, vec!["svc".to_string()]);
    assert_eq!(
        info.ip_addresses,
        vec!["10.0.0.1".parse::<IpAddr>().unwrap()]
    );
}

#[test]
fn kubectl_reads_the_generated_kubeconfig() {
    let data = tempfile::tempdir().unwrap();
    let pki = ensure_local_pki(data.path()).unwrap();
    let path = data.path().join("kubeconfig");
    let server = "https://127.0.0.1:6443";
    write_kubeconfig(
        &path,
        server,
        pki.ca.cert_pem(),
        &pki.admin.cert_pem,
        &pki.admin.key_pem,
        "argo",
    )
    .unwrap();
    assert_eq!(mode(&path), 0o600);
    let path = path.to_str().unwrap();
    let view = |jsonpath: &str| {
        kubectl_output(&[
            "--kubeconfig",
            path,
            "config",
            "view",
            "--raw",
            "-o",
            &format!("jsonpath={jsonpath}"),
        ])
    };
    assert_eq!(view("{.current-context}"), "argo");
    assert_eq!(view("{.clusters[0].cluster.server}"), server);
    assert_eq!(
        b64decode(&view("{.clusters[0].cluster.certificate-authority-data}")),
        pki.ca.cert_pem()
    );
    assert_eq!(
        b64decode(&view("{.users[0].user.client-certificate-data}")),
        pki.admin.cert_pem
    );
    assert_eq!(
        b64decode(&view("{.users[0].user.client-key-data}")),
        pki.admin.key_pem
    );
    assert_eq!(
        view("{.contexts[0].context.user}"),
        view("{.users[0].name}")
    );
}

/// An HTTPS server that requires a client certificate and answers every request with the
/// client's "CN|O,O", so that a real client proves it accepted our chain and sent our cert.
/// It serves until the test process ends: kubectl may open more than one connection.
fn whoami_server(pki: &argo_certs::LocalPki) -> u16 {
    let mut roots = RootCertStore::empty();
    roots
        .add(parse_cert_chain(pki.ca.cert_pem(), "ca").unwrap().remove(0))
        .unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .build()
        .unwrap();
    let resolver = CertReloader::new(&pki.paths.serving_cert, &pki.paths.serving_key).unwrap();
    let config = Arc::new(
        ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_client_cert_verifier(verifier)
            .with_cert_resolver(Arc::new(resolver)),
    );
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        loop {
            let Ok((tcp, _)) = listener.accept() else {
                return;
            };
            let _ = tcp.set_read_timeout(Some(Duration::from_secs(10)));
            let conn = rustls::ServerConnection::new(config.clone()).unwrap();
            let mut tls = rustls::StreamOwned::new(conn, tcp);
            let mut reader = BufReader::new(&mut tls);
            let mut line = String::new();
            // Read the request head up to the empty line.
            loop {
                line.clear();
                match reader.read_line(&mut line) {
                    Ok(0) | Err(_) => break,
                    Ok(_) if line == "\r\n" => break,
                    Ok(_) => {}
                }
            }
            drop(reader);
            let Some(peer) = tls.conn.peer_certificates().map(|c| c[0].clone()) else {
                continue;
            };
            let info = CertInfo::from_der(&peer, "peer").unwrap();
            let body = format!(
                "{}|{}",
                info.common_name.unwrap_or_default(),
                info.organizations.join(",")
            );
            let response = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = tls.write_all(response.as_bytes());
            tls.conn.send_close_notify();
            let _ = tls.flush();
        }
    });
    port
}

#[test]
fn kubectl_connects_over_mutual_tls_with_the_generated_kubeconfig() {
    // Go's crypto/x509 verifies our serving chain, and sends our admin client certificate.
    let data = tempfile::tempdir().unwrap();
    let pki = ensure_local_pki(data.path()).unwrap();
    let port = whoami_server(&pki);
    let path = data.path().join("kubeconfig");
    write_kubeconfig(
        &path,
        &format!("https://127.0.0.1:{port}"),
        pki.ca.cert_pem(),
        &pki.admin.cert_pem,
        &pki.admin.key_pem,
        "argo",
    )
    .unwrap();
    let body = kubectl_output(&[
        "--kubeconfig",
        path.to_str().unwrap(),
        "--request-timeout=10s",
        "get",
        "--raw",
        "/whoami",
    ]);
    assert_eq!(body.trim(), format!("{ADMIN_USER}|{ADMIN_GROUP}"));
}

#[test]
fn reloader_serves_the_rotated_certificate() {
    let data = tempfile::tempdir().unwrap();
    let pki = ensure_local_pki(data.path()).unwrap();
    let reloader = CertReloader::new(&pki.paths.serving_cert, &pki.paths.serving_key).unwrap();
    let before = reloader.current();
    assert!(!reloader.reload_if_changed().unwrap());

    let rotated = pki
        .ca
        .issue_serving(&["localhost", "rotated.local"], &[], HOUR)
        .unwrap();
    write_pair(&pki.paths.serving_cert, &pki.paths.serving_key, &rotated).unwrap();
    assert!(reloader.reload_if_changed().unwrap());
    let after = reloader.current();
    assert_ne!(before.cert[0], after.cert[0]);
    assert_eq!(
        after.cert[0],
        parse_cert_chain(&rotated.cert_pem, "rotated").unwrap()[0]
    );
}

#[test]
fn reloader_keeps_the_old_pair_when_the_new_key_does_not_match() {
    let data = tempfile::tempdir().unwrap();
    let pki = ensure_local_pki(data.path()).unwrap();
    let reloader = CertReloader::new(&pki.paths.serving_cert, &pki.paths.serving_key).unwrap();
    let before = reloader.current();
    let other = pki.ca.issue_serving(&["localhost"], &[], HOUR).unwrap();
    // Only the certificate is replaced: a rotation caught half-way.
    std::fs::write(&pki.paths.serving_cert, &other.cert_pem).unwrap();
    assert!(matches!(
        reloader.reload_if_changed(),
        Err(Error::KeyMismatch { .. })
    ));
    assert_eq!(reloader.current().cert[0], before.cert[0]);
    // Once the key arrives the pair loads.
    std::fs::write(&pki.paths.serving_key, &other.key_pem).unwrap();
    assert!(reloader.reload_if_changed().unwrap());
    assert_ne!(reloader.current().cert[0], before.cert[0]);
}

#[test]
fn polling_reloader_picks_up_a_rotation() {
    let data = tempfile::tempdir().unwrap();
    let pki = ensure_local_pki(data.path()).unwrap();
    let reloader =
        Arc::new(CertReloader::new(&pki.paths.serving_cert, &pki.paths.serving_key).unwrap());
    let _polling = reloader
        .spawn_polling(Duration::from_millis(50), |_| {})
        .unwrap();
    let rotated = pki.ca.issue_serving(&["rotated.local"], &[], HOUR).unwrap();
    write_pair(&pki.paths.serving_cert, &pki.paths.serving_key, &rotated).unwrap();
    let want = parse_cert_chain(&rotated.cert_pem, "rotated")
        .unwrap()
        .remove(0);
    // Bounded wait for the background poll.
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while reloader.current().cert[0] != want && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(reloader.current().cert[0], want);
}

#[test]
fn service_serving_certificate_and_ca_bundle() {
    let dir = tempfile::tempdir().unwrap();
    let (ca, ca_files) = cli::generate_ca_files(dir.path(), "argo-apiserver-ca", DAY).unwrap();
    assert_eq!(mode(&ca_files.key), 0o600);
    let (pair, files) = cli::issue_service_serving_files(
        &ca_files.cert,
        &ca_files.key,
        "argo-apiserver",
        "argo",
        dir.path(),
        DAY,
    )
    .unwrap();
    assert_eq!(mode(&files.key), 0o600);
    let info = pair.info().unwrap();
    assert_eq!(
        info.dns_names,
        vec![
            "argo-apiserver",
            "argo-apiserver.argo",
            "argo-apiserver.argo.svc",
            "argo-apiserver.argo.svc.cluster.local",
        ]
    );
    assert!(info.is_signed_by(&ca.info().unwrap()));
    let bundle = cli::ca_bundle_from_file(&ca_files.cert).unwrap();
    assert_eq!(bundle, ca.bundle_base64());
    assert_eq!(b64decode(&bundle), ca.cert_pem());
    // A leaf is not a caBundle.
    assert!(matches!(
        cli::ca_bundle_from_file(&files.cert),
        Err(Error::NotCa { .. })
    ));
}
