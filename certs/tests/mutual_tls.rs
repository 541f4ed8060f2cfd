//! A real TLS handshake over 127.0.0.1: rustls server with the generated serving certificate,
//! rustls client with the generated client certificate, both verifying against the CA.

use std::io::{BufRead, BufReader, Write};
use std::net::{IpAddr, Ipv4Addr, TcpListener, TcpStream};
use std::sync::Arc;
use std::time::Duration;

use argo_certs::rustls::pki_types::ServerName;
use argo_certs::rustls::server::WebPkiClientVerifier;
use argo_certs::rustls::{self, ClientConfig, RootCertStore, ServerConfig};
use argo_certs::{Ca, CertInfo, CertReloader, CertifiedKey, parse_cert_chain, parse_private_key};

const HOUR: Duration = Duration::from_secs(3600);
const LOOPBACK: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn roots(ca: &Ca) -> Arc<RootCertStore> {
    let mut roots = RootCertStore::empty();
    for cert in parse_cert_chain(ca.cert_pem(), "ca").unwrap() {
        roots.add(cert).unwrap();
    }
    Arc::new(roots)
}

/// Serves one connection: reads a line, answers with the client certificate's "CN|O,O".
fn start_server(ca: &Ca, serving: &CertifiedKey) -> (u16, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let cert = dir.path().join("tls.crt");
    let key = dir.path().join("tls.key");
    argo_certs::write_pair(&cert, &key, serving).unwrap();
    let resolver = Arc::new(CertReloader::new(&cert, &key).unwrap());
    let verifier = WebPkiClientVerifier::builder_with_provider(roots(ca), provider())
        .build()
        .unwrap();
    let config = Arc::new(
        ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_client_cert_verifier(verifier)
            .with_cert_resolver(resolver),
    );
    let listener = TcpListener::bind((LOOPBACK, 0)).unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let Ok((tcp, _)) = listener.accept() else {
            return;
        };
        let _ = tcp.set_read_timeout(Some(Duration::from_secs(10)));
        let conn = rustls::ServerConnection::new(config).unwrap();
        let mut tls = rustls::StreamOwned::new(conn, tcp);
        let mut line = String::new();
        if BufReader::new(&mut tls).read_line(&mut line).is_err() {
            return;
        }
        let peer = tls.conn.peer_certificates().unwrap()[0].clone();
        let info = CertInfo::from_der(&peer, "peer").unwrap();
        let answer = format!(
            "{}|{}\n",
            info.common_name.unwrap_or_default(),
            info.organizations.join(",")
        );
        let _ = tls.write_all(answer.as_bytes());
        let _ = tls.flush();
        tls.conn.send_close_notify();
        let _ = tls.flush();
    });
    (port, dir)
}

/// Connects with `client` (or without a client certificate), says hello, returns the answer.
fn talk(
    port: u16,
    trusted: &Ca,
    server_name: ServerName<'static>,
    client: Option<&CertifiedKey>,
) -> Result<String, std::io::Error> {
    let builder = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots(trusted));
    let config = match client {
        Some(c) => builder
            .with_client_auth_cert(
                parse_cert_chain(&c.cert_pem, "client").unwrap(),
                parse_private_key(&c.key_pem, "client").unwrap(),
            )
            .unwrap(),
        None => builder.with_no_client_auth(),
    };
    let conn = rustls::ClientConnection::new(Arc::new(config), server_name).unwrap();
    let tcp = TcpStream::connect((LOOPBACK, port))?;
    tcp.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut tls = rustls::StreamOwned::new(conn, tcp);
    tls.write_all(b"hello\n")?;
    tls.flush()?;
    let mut answer = String::new();
    BufReader::new(&mut tls).read_line(&mut answer)?;
    Ok(answer.trim_end().to_string())
}

fn issue() -> (Ca, CertifiedKey, CertifiedKey) {
    let ca = Ca::generate("test-ca").unwrap();
    let serving = ca
        .issue_serving(&["localhost"], &[LOOPBACK, "::1".parse().unwrap()], HOUR)
        .unwrap();
    let client = ca
        .issue_client("jane", &["system:masters", "devs"], HOUR)
        .unwrap();
    (ca, serving, client)
}

#[test]
fn mutual_tls_handshake_verifies_chain_and_exposes_user_and_groups() {
    let (ca, serving, client) = issue();
    let (port, _dir) = start_server(&ca, &serving);
    let answer = talk(
        port,
        &ca,
        ServerName::IpAddress(LOOPBACK.into()),
        Some(&client),
    )
    .unwrap();
    assert_eq!(answer, "jane|system:masters,devs");
}

#[test]
fn serving_certificate_is_valid_for_localhost_by_name() {
    let (ca, serving, client) = issue();
    let (port, _dir) = start_server(&ca, &serving);
    let name = ServerName::try_from("localhost").unwrap();
    assert_eq!(
        talk(port, &ca, name, Some(&client)).unwrap(),
        "jane|system:masters,devs"
    );
}

#[test]
fn client_rejects_a_server_name_missing_from_the_certificate() {
    let (ca, serving, client) = issue();
    let (port, _dir) = start_server(&ca, &serving);
    let name = ServerName::try_from("argo.example.com").unwrap();
    assert!(talk(port, &ca, name, Some(&client)).is_err());
}

#[test]
fn client_rejects_a_server_from_another_ca() {
    let (ca, serving, client) = issue();
    let (port, _dir) = start_server(&ca, &serving);
    let other = Ca::generate("other-ca").unwrap();
    let name = ServerName::IpAddress(LOOPBACK.into());
    assert!(talk(port, &other, name, Some(&client)).is_err());
}

#[test]
fn server_rejects_a_client_certificate_from_another_ca() {
    let (ca, serving, _) = issue();
    let (port, _dir) = start_server(&ca, &serving);
    let other = Ca::generate("other-ca").unwrap();
    let stranger = other
        .issue_client("mallory", &["system:masters"], HOUR)
        .unwrap();
    let name = ServerName::IpAddress(LOOPBACK.into());
    assert!(talk(port, &ca, name, Some(&stranger)).is_err());
}

#[test]
fn server_rejects_a_client_without_certificate() {
    let (ca, serving, _) = issue();
    let (port, _dir) = start_server(&ca, &serving);
    let name = ServerName::IpAddress(LOOPBACK.into());
    assert!(talk(port, &ca, name, None).is_err());
}

#[test]
fn a_serving_certificate_cannot_authenticate_a_client() {
    // serverAuth only: the clientAuth EKU check must refuse it.
    let (ca, serving, _) = issue();
    let (port, _dir) = start_server(&ca, &serving);
    let name = ServerName::IpAddress(LOOPBACK.into());
    assert!(talk(port, &ca, name, Some(&serving)).is_err());
}
