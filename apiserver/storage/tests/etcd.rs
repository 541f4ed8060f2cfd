//! The etcd backend against a real etcd: the shared conformance suite, plus what only etcd has
//! (its key layout, prefixes, restarts and outages).
//!
//! Every test starts its own etcd (about 0.15 s): revisions and compaction are global to an etcd
//! cluster, and the suite counts revisions and compacts, so tests must not share one.

use std::sync::Arc;
use std::time::Duration;

use argo_apiserver_storage::etcd::{EtcdOptions, EtcdStore};
use argo_apiserver_storage::testing::EtcdProcess;
use argo_apiserver_storage::{
    ListOptions, Revision, RevisionMatch, Store, StoreError, WatchEvent, WatchStream, keys,
};
use bytes::Bytes;
use futures::StreamExt;

/// Bound for waiting on something that must happen (an event, a reconnect).
const WAIT: Duration = Duration::from_secs(20);

async fn start_etcd() -> EtcdProcess {
    tokio::task::spawn_blocking(EtcdProcess::start)
        .await
        .expect("etcd start task panicked")
        .expect("start etcd")
}

fn options(etcd: &EtcdProcess, prefix: &str) -> EtcdOptions {
    EtcdOptions {
        endpoints: vec![etcd.endpoint()],
        prefix: prefix.into(),
        // Short, so the outage tests do not wait long for the errors they expect.
        dial_timeout: Duration::from_secs(2),
        request_timeout: Duration::from_secs(3),
        ..Default::default()
    }
}

async fn connect(etcd: &EtcdProcess, prefix: &str) -> EtcdStore {
    EtcdStore::connect(options(etcd, prefix))
        .await
        .expect("connect to etcd")
}

async fn make_store() -> (Arc<dyn Store>, Box<dyn std::any::Any + Send>) {
    let etcd = start_etcd().await;
    let store = connect(&etcd, "/registry").await;
    (Arc::new(store), Box::new(etcd))
}

argo_apiserver_storage::conformance_suite!(make_store);

fn key(plural: &str, ns: Option<&str>, name: &str) -> String {
    keys::object_key(plural, ns, name).unwrap()
}

fn val(s: &str) -> Bytes {
    Bytes::copy_from_slice(s.as_bytes())
}

/// The next event that is not a progress notification.
async fn next_change(w: &mut WatchStream) -> WatchEvent {
    loop {
        match tokio::time::timeout(WAIT, w.next()).await {
            Err(_) => panic!("no watch event within {WAIT:?}"),
            Ok(None) => panic!("watch ended"),
            Ok(Some(Err(e))) => panic!("watch failed: {e}"),
            Ok(Some(Ok(WatchEvent::Progress { .. }))) => continue,
            Ok(Some(Ok(ev))) => return ev,
        }
    }
}

/// Retries a write until etcd takes it again after a restart.
async fn create_when_back(store: &EtcdStore, k: &str, v: &str) -> Revision {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        match store.create(k, val(v)).await {
            Ok(kv) => return kv.mod_revision,
            Err(StoreError::Unavailable { .. } | StoreError::Timeout(_))
                if tokio::time::Instant::now() < deadline =>
            {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(e) => panic!("create after restart: {e}"),
        }
    }
}

fn is_outage(e: &StoreError) -> bool {
    matches!(e, StoreError::Unavailable { .. } | StoreError::Timeout(_))
}

/// A watch open across an etcd restart (clean stop, or kill) delivers every event once, in
/// order: those written before the outage and not read yet, and those written after it.
async fn watch_across_restart(kill: bool) {
    let mut etcd = start_etcd().await;
    let store = connect(&etcd, "/registry").await;
    let p = keys::list_prefix("rollouts", None).unwrap();
    let from = store.current_revision().await.unwrap();
    let mut w = store.watch(&p, from).await.unwrap();

    let mut expected = Vec::new();
    for i in 0..3 {
        let k = key("rollouts", Some("ns"), &format!("before-{i}"));
        expected.push((
            k.clone(),
            store.create(&k, val("b")).await.unwrap().mod_revision,
        ));
    }
    // Read one event before the outage, leave the others unread.
    let first = next_change(&mut w).await;
    assert_eq!(first.revision(), expected[0].1);

    if kill {
        etcd.kill().unwrap();
    } else {
        etcd.stop().unwrap();
    }
    let during = store
        .create(&key("rollouts", Some("ns"), "during"), val("d"))
        .await;
    assert!(
        matches!(&during, Err(e) if is_outage(e)),
        "a write while etcd is down must fail as unavailable, got {during:?}"
    );
    let etcd = restart(etcd).await;
    for i in 0..3 {
        let k = key("rollouts", Some("ns"), &format!("after-{i}"));
        let rev = create_when_back(&store, &k, "a").await;
        expected.push((k, rev));
    }
    let mut got = vec![(key_of(&first), first.revision())];
    while got.len() < expected.len() {
        let ev = next_change(&mut w).await;
        got.push((key_of(&ev), ev.revision()));
    }
    assert_eq!(
        got, expected,
        "every event once, in order, across the restart"
    );
    expect_no_change(&mut w).await;
    drop(etcd);
}

async fn restart(mut etcd: EtcdProcess) -> EtcdProcess {
    tokio::task::spawn_blocking(move || etcd.restart().map(|()| etcd))
        .await
        .expect("restart task panicked")
        .expect("restart etcd")
}

/// Asserts that nothing but progress notifications arrives for a short while.
async fn expect_no_change(w: &mut WatchStream) {
    let extra = tokio::time::timeout(Duration::from_millis(500), async {
        loop {
            match w.next().await {
                Some(Ok(WatchEvent::Progress { .. })) => continue,
                other => return other,
            }
        }
    })
    .await;
    assert!(extra.is_err(), "unexpected watch item: {extra:?}");
}

fn key_of(ev: &WatchEvent) -> String {
    match ev {
        WatchEvent::Put { kv, .. } => kv.key.clone(),
        WatchEvent::Delete { key, .. } => key.clone(),
        WatchEvent::Progress { .. } => String::new(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_resumes_after_etcd_stop_and_restart() {
    watch_across_restart(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_resumes_after_etcd_kill_and_restart() {
    watch_across_restart(true).await;
}

/// If the history a watch needs to resume from was compacted while etcd was away, the watch
/// ends with Expired instead of skipping events.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_ends_expired_when_its_resume_point_was_compacted() {
    let etcd = start_etcd().await;
    let store = connect(&etcd, "/registry").await;
    let p = keys::list_prefix("workflows", None).unwrap();
    let mut w = store.watch(&p, 0).await.unwrap();
    let etcd = restart(etcd).await;
    let k = key("workflows", Some("ns"), "w");
    let mut rev = create_when_back(&store, &k, "0").await;
    for i in 1..4 {
        rev = store
            .update(&k, val(&i.to_string()), rev)
            .await
            .unwrap()
            .mod_revision;
    }
    store.compact(rev).await.unwrap();
    let item = loop {
        match tokio::time::timeout(WAIT, w.next()).await {
            Ok(Some(Ok(WatchEvent::Progress { .. }))) => continue,
            Ok(item) => break item,
            Err(_) => panic!("watch neither resumed nor failed within {WAIT:?}"),
        }
    };
    assert!(
        matches!(item, Some(Err(StoreError::Expired { .. }))),
        "expected Expired, got {item:?}"
    );
    let after = tokio::time::timeout(WAIT, w.next()).await;
    assert!(
        matches!(after, Ok(None)),
        "the stream must end after Expired: {after:?}"
    );
    drop(etcd);
}

/// Two stores with different prefixes on one etcd are two separate worlds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prefixes_isolate_stores_on_one_etcd() {
    let etcd = start_etcd().await;
    let a = connect(&etcd, "/tenant-a").await;
    // A trailing slash is the same prefix.
    let b = connect(&etcd, "/tenant-b/").await;
    let k = key("applications", Some("argocd"), "guestbook");
    let p = keys::list_prefix("applications", None).unwrap();
    let mut wb = b.watch(&p, 0).await.unwrap();
    a.create(&k, val("in a")).await.unwrap();
    assert!(
        matches!(b.get(&k).await, Err(StoreError::NotFound { .. })),
        "b must not see a's key"
    );
    let in_b = b.create(&k, val("in b")).await.expect("same key in b");
    assert_eq!(a.get(&k).await.unwrap().value, val("in a"));
    let list = b
        .list(&ListOptions {
            prefix: p.clone(),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(list.items, vec![in_b.clone()]);
    // b's watch saw only b's write.
    match next_change(&mut wb).await {
        WatchEvent::Put { kv, .. } => assert_eq!(kv, in_b),
        other => panic!("unexpected event {other:?}"),
    }
    expect_no_change(&mut wb).await;
}

/// Objects live where kube-apiserver keeps custom resources, so data written by either reads
/// the same through the other.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_are_kube_apiserver_layout_under_registry() {
    let etcd = start_etcd().await;
    let store = connect(&etcd, "/registry").await;
    let mut raw = etcd_client::Client::connect([etcd.endpoint()], None)
        .await
        .unwrap();

    let app = key("applications", Some("argocd"), "guestbook");
    let cwft = key("clusterworkflowtemplates", None, "shared");
    store.create(&app, val("app")).await.unwrap();
    store.create(&cwft, val("template")).await.unwrap();
    for (etcd_key, want) in [
        ("/registry/argoproj.io/applications/argocd/guestbook", "app"),
        (
            "/registry/argoproj.io/clusterworkflowtemplates/shared",
            "template",
        ),
    ] {
        let resp = raw.get(etcd_key, None).await.unwrap();
        assert_eq!(
            resp.kvs().first().map(|kv| kv.value().to_vec()),
            Some(want.as_bytes().to_vec()),
            "{etcd_key}"
        );
    }

    // Written the way kube-apiserver stores a CRD object: read back under its logical key.
    raw.put(
        "/registry/argoproj.io/rollouts/default/web",
        "from kube",
        None,
    )
    .await
    .unwrap();
    let got = store
        .get(&key("rollouts", Some("default"), "web"))
        .await
        .unwrap();
    assert_eq!(got.key, "/argoproj.io/rollouts/default/web");
    assert_eq!(got.value, val("from kube"));
}

/// With etcd gone, requests fail promptly as Unavailable rather than hanging, and the store
/// works again once etcd is back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_fail_as_unavailable_while_etcd_is_down() {
    let mut etcd = start_etcd().await;
    let store = connect(&etcd, "/registry").await;
    let k = key("appprojects", Some("argocd"), "default");
    let created = store.create(&k, val("1")).await.unwrap();
    etcd.kill().unwrap();

    let p = keys::list_prefix("appprojects", None).unwrap();
    let results: Vec<(&str, Result<(), StoreError>)> = vec![
        ("get", store.get(&k).await.map(drop)),
        ("create", store.create(&k, val("2")).await.map(drop)),
        (
            "update",
            store
                .update(&k, val("2"), created.mod_revision)
                .await
                .map(drop),
        ),
        ("delete", store.delete(&k, None).await.map(drop)),
        (
            "list",
            store
                .list(&ListOptions {
                    prefix: p.clone(),
                    revision: RevisionMatch::Latest,
                    ..Default::default()
                })
                .await
                .map(drop),
        ),
        ("watch", store.watch(&p, 0).await.map(drop)),
        ("current_revision", store.current_revision().await.map(drop)),
    ];
    for (what, r) in results {
        assert!(
            matches!(&r, Err(StoreError::Unavailable { .. })),
            "{what} with etcd down: expected Unavailable, got {r:?}"
        );
    }
    // A new store cannot connect either.
    let r = EtcdStore::connect(options(&etcd, "/registry")).await;
    assert!(
        matches!(&r, Err(StoreError::Unavailable { .. })),
        "connect with etcd down: expected Unavailable, got {:?}",
        r.err()
    );

    let etcd = restart(etcd).await;
    let deadline = tokio::time::Instant::now() + WAIT;
    let got = loop {
        match store.get(&k).await {
            Ok(kv) => break kv,
            Err(e) if is_outage(&e) && tokio::time::Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(e) => panic!("get after etcd came back: {e}"),
        }
    };
    assert_eq!(got, created, "no write went through while etcd was down");
    drop(etcd);
}

/// Compactions by someone else (another apiserver replica, kube-apiserver's compactor) are
/// seen: reads below them are Expired, with the right compacted revision.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compaction_by_another_client_is_seen() {
    let etcd = start_etcd().await;
    let store = connect(&etcd, "/registry").await;
    let k = key("experiments", Some("x"), "e");
    let mut rev = store.create(&k, val("0")).await.unwrap().mod_revision;
    let first = rev;
    for i in 1..20 {
        rev = store
            .update(&k, val(&i.to_string()), rev)
            .await
            .unwrap()
            .mod_revision;
    }
    assert_eq!(store.compacted_revision().await.unwrap(), 0);
    let compact_at = first + 11;
    let mut raw = etcd_client::Client::connect([etcd.endpoint()], None)
        .await
        .unwrap();
    raw.compact(
        compact_at,
        Some(etcd_client::CompactionOptions::new().with_physical()),
    )
    .await
    .unwrap();
    assert_eq!(store.compacted_revision().await.unwrap(), compact_at);
    let r = store
        .list(&ListOptions {
            prefix: keys::list_prefix("experiments", None).unwrap(),
            revision: RevisionMatch::Exact(compact_at - 1),
            ..Default::default()
        })
        .await;
    match r {
        Err(StoreError::Expired {
            requested,
            compacted,
        }) => {
            assert_eq!(requested, compact_at - 1);
            assert_eq!(compacted, compact_at);
        }
        other => panic!("expected Expired, got {other:?}"),
    }
}

/// Runs the `openssl` command line tool; test certificates only.
fn openssl(dir: &std::path::Path, args: &[&str]) {
    let out = std::process::Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the openssl command line tool is needed to make test certificates");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A CA, a serving certificate for 127.0.0.1 and a client certificate, as PEM files in `dir`.
fn make_certs(dir: &std::path::Path) {
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    let mut ca = vec!["req", "-x509", "-days", "2", "-subj", "/CN=test-ca"];
    ca.extend(ec);
    ca.extend(["-keyout", "ca.key", "-out", "ca.crt"]);
    openssl(dir, &ca);
    for (name, ext) in [
        (
            "server",
            "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n",
        ),
        ("client", "extendedKeyUsage=clientAuth\n"),
    ] {
        std::fs::write(dir.join(format!("{name}.ext")), ext).unwrap();
        let subj = format!("/CN={name}");
        let (key, csr, crt, extfile) = (
            format!("{name}.key"),
            format!("{name}.csr"),
            format!("{name}.crt"),
            format!("{name}.ext"),
        );
        let mut req = vec!["req", "-subj", subj.as_str()];
        req.extend(ec);
        req.extend(["-keyout", key.as_str(), "-out", csr.as_str()]);
        openssl(dir, &req);
        openssl(
            dir,
            &[
                "x509",
                "-req",
                "-days",
                "2",
                "-in",
                &csr,
                "-CA",
                "ca.crt",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-extfile",
                &extfile,
                "-out",
                &crt,
            ],
        );
    }
}

/// etcd with TLS and client-certificate authentication: the store connects with its client
/// certificate, and is refused without one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_with_client_certificates() {
    use argo_apiserver_storage::etcd::EtcdTls;
    use argo_apiserver_storage::testing::ServerTls;

    let certs = tempfile::tempdir().unwrap();
    make_certs(certs.path());
    let file = |n: &str| certs.path().join(n);
    let server = ServerTls {
        ca_file: file("ca.crt"),
        cert_file: file("server.crt"),
        key_file: file("server.key"),
    };
    let etcd = tokio::task::spawn_blocking(move || EtcdProcess::start_with_tls(server))
        .await
        .unwrap()
        .expect("start etcd with TLS");
    assert!(etcd.endpoint().starts_with("https://"));

    let mut opts = options(&etcd, "/registry");
    opts.tls = Some(EtcdTls {
        ca_file: file("ca.crt"),
        cert_file: Some(file("client.crt")),
        key_file: Some(file("client.key")),
    });
    let store = EtcdStore::connect(opts.clone())
        .await
        .expect("connect with a client certificate");
    let k = key("applications", Some("argocd"), "tls");
    let created = store.create(&k, val("over tls")).await.unwrap();
    assert_eq!(store.get(&k).await.unwrap(), created);

    // Without a client certificate etcd refuses the connection.
    opts.tls = Some(EtcdTls {
        ca_file: file("ca.crt"),
        cert_file: None,
        key_file: None,
    });
    let r = EtcdStore::connect(opts.clone()).await;
    assert!(
        matches!(&r, Err(StoreError::Unavailable { .. })),
        "connect without a client certificate: expected Unavailable, got {:?}",
        r.err()
    );
    // Half a client certificate is a configuration error, reported as such.
    opts.tls = Some(EtcdTls {
        ca_file: file("ca.crt"),
        cert_file: Some(file("client.crt")),
        key_file: None,
    });
    let r = EtcdStore::connect(opts).await;
    assert!(
        matches!(&r, Err(e) if e.to_string().contains("certificate")),
        "connect with a certificate but no key: {:?}",
        r.err()
    );
}

/// Another writer (kube-apiserver, a migration tool) may change several keys in one etcd
/// transaction, so several events share a revision: the watch delivers all of them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_delivers_every_key_written_at_one_revision() {
    let etcd = start_etcd().await;
    let store = connect(&etcd, "/registry").await;
    let mut w = store
        .watch(&keys::list_prefix("rollouts", None).unwrap(), 0)
        .await
        .unwrap();
    let mut raw = etcd_client::Client::connect([etcd.endpoint()], None)
        .await
        .unwrap();
    let txn = etcd_client::Txn::new().and_then([
        etcd_client::TxnOp::put("/registry/argoproj.io/rollouts/a/one", "1", None),
        etcd_client::TxnOp::put("/registry/argoproj.io/rollouts/b/two", "2", None),
    ]);
    let rev = raw
        .txn(txn)
        .await
        .unwrap()
        .header()
        .map(|h| h.revision())
        .unwrap();
    let after = store
        .create(&key("rollouts", Some("c"), "three"), val("3"))
        .await
        .unwrap();
    let mut got = Vec::new();
    for _ in 0..3 {
        let ev = next_change(&mut w).await;
        got.push((key_of(&ev), ev.revision()));
    }
    assert_eq!(
        got,
        vec![
            ("/argoproj.io/rollouts/a/one".to_string(), rev),
            ("/argoproj.io/rollouts/b/two".to_string(), rev),
            (
                "/argoproj.io/rollouts/c/three".to_string(),
                after.mod_revision
            ),
        ]
    );
    expect_no_change(&mut w).await;
}

/// With several endpoints, requests go to those that answer: a member that goes down costs
/// no failed request, reads and writes alike (a write is repeated elsewhere only when the
/// connection was refused, so it cannot have been applied).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_endpoints_one_down() {
    let etcd = start_etcd().await;
    let mut gone = start_etcd().await;
    let mut opts = options(&etcd, "/registry");
    opts.endpoints = vec![gone.endpoint(), etcd.endpoint()];
    // Connected while both answer, so the first endpoint is the one in use when it goes away.
    let store = EtcdStore::connect(opts.clone()).await.unwrap();
    gone.kill().unwrap();
    // A write first. If the client already saw the connection close, the write is refused a
    // connection, cannot have been applied, and moves on to the live endpoint by itself. If
    // it was still sent on the dying connection, whether etcd applied it is unknown, so it
    // fails as Unavailable and only the caller may repeat it; the next one goes elsewhere.
    let first = key("eventsources", Some("e"), "first");
    let created = match store.create(&first, val("x")).await {
        Ok(kv) => kv,
        Err(StoreError::Unavailable { .. }) => store
            .create(&first, val("x"))
            .await
            .expect("the write after the one in flight goes to the live endpoint"),
        Err(e) => panic!("create with one endpoint gone: {e}"),
    };
    assert_eq!(store.get(&first).await.expect("get"), created);

    // And a store connected while the first endpoint is already down.
    let store = EtcdStore::connect(opts)
        .await
        .expect("connect with one endpoint down");
    for i in 0..10 {
        let k = key("eventsources", Some("e"), &format!("s{i}"));
        let created = store.create(&k, val("x")).await.expect("create");
        assert_eq!(store.get(&k).await.expect("get"), created);
    }
    let mut w = store
        .watch(&keys::list_prefix("eventsources", None).unwrap(), 0)
        .await
        .expect("watch");
    let k = key("eventsources", Some("e"), "watched");
    let created = store.create(&k, val("w")).await.unwrap();
    assert_eq!(next_change(&mut w).await.revision(), created.mod_revision);
}
