//! Crash safety of the embedded store: a child process (this test binary, re-executed) creates,
//! updates and deletes from several tasks and reports every acknowledged write on stdout; the
//! parent kills it with SIGKILL mid-stream, reopens the file and checks that every acknowledged
//! write is there.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use argo_apiserver_storage::embedded::{EmbeddedOptions, EmbeddedStore};
use argo_apiserver_storage::{Revision, Store, StoreError, WatchEvent, keys};
use bytes::Bytes;
use futures::StreamExt;

/// Set in the child's environment: the store file it writes to.
const CHILD_STORE: &str = "ARGO_STORAGE_CRASH_CHILD_STORE";
/// Acknowledgements the parent waits for before the kill.
const ACKS_BEFORE_KILL: usize = 400;
const WRITERS: usize = 16;

fn prefix() -> String {
    keys::list_prefix("workflows", Some("crash")).unwrap()
}

/// One acknowledged write as the child reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Ack {
    revision: Revision,
    key: String,
    value: String,
}

/// `ACK <revision> <key> <value> END`: the trailing END tells a whole line from one cut by the
/// kill.
fn parse_ack(line: &str) -> Option<Ack> {
    let mut parts = line.split(' ');
    match (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) {
        (Some("ACK"), Some(rev), Some(key), Some(value), Some("END"), None) => Some(Ack {
            revision: rev.parse().ok()?,
            key: key.to_owned(),
            value: value.to_owned(),
        }),
        _ => None,
    }
}

/// The child: runs only when re-executed by `acknowledged_writes_survive_sigkill`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "child process of acknowledged_writes_survive_sigkill"]
async fn crash_child() {
    let Some(path) = std::env::var_os(CHILD_STORE) else {
        return;
    };
    let store = Arc::new(
        EmbeddedStore::open(Path::new(&path), EmbeddedOptions::default()).expect("child open"),
    );
    let mut tasks = Vec::new();
    for w in 0..WRITERS {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            // Creates of new keys and compare-and-swap updates of one counter per writer.
            let counter =
                keys::object_key("workflows", Some("crash"), &format!("counter-{w:02}")).unwrap();
            let mut cur = store.create(&counter, Bytes::from("0")).await.unwrap();
            report(&cur.key, cur.mod_revision, "0");
            for i in 1.. {
                let k = keys::object_key("workflows", Some("crash"), &format!("w{w:02}-{i:06}"))
                    .unwrap();
                let v = format!("{w}-{i}");
                let kv = store.create(&k, Bytes::from(v.clone())).await.unwrap();
                report(&k, kv.mod_revision, &v);
                if i % 5 == 0 {
                    // Deletes with a precondition too; "-" stands for "deleted" in the report.
                    let d = store.delete(&k, Some(kv.mod_revision)).await.unwrap();
                    report(&k, d.revision, "-");
                }
                let n = i.to_string();
                cur = store
                    .update(&counter, Bytes::from(n.clone()), cur.mod_revision)
                    .await
                    .unwrap();
                report(&counter, cur.mod_revision, &n);
            }
        }));
    }
    // The parent kills us long before this; the bound only keeps an orphan from running forever.
    tokio::time::sleep(Duration::from_secs(60)).await;
    std::process::exit(1);
}

fn report(key: &str, revision: Revision, value: &str) {
    let mut out = std::io::stdout().lock();
    // A write error means the parent is gone; nothing to report to.
    let _ = writeln!(out, "ACK {revision} {key} {value} END");
    let _ = out.flush();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_writes_survive_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.redb");
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "crash_child",
            "--include-ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_STORE, &path)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn child");
    let stdout = child.stdout.take().unwrap();
    let acks = tokio::task::spawn_blocking(move || {
        let mut acks = Vec::new();
        let mut killed = false;
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if let Some(ack) = parse_ack(&line) {
                acks.push(ack);
            }
            if !killed && acks.len() >= ACKS_BEFORE_KILL {
                // std's kill is SIGKILL: no destructor, no flush, no clean close of the file.
                child.kill().expect("kill child");
                killed = true;
            }
        }
        let status = child.wait().expect("wait child");
        (acks, killed, status)
    })
    .await
    .unwrap();
    let (acks, killed, status) = acks;
    assert!(
        killed,
        "the child stopped after {} acknowledgements, before the kill ({status})",
        acks.len()
    );
    assert!(acks.len() >= ACKS_BEFORE_KILL);

    // Each writer's acknowledgements come in revision order, and no revision is acknowledged
    // twice.
    let mut by_revision: BTreeMap<Revision, Ack> = BTreeMap::new();
    for ack in &acks {
        if let Some(dup) = by_revision.insert(ack.revision, ack.clone()) {
            panic!(
                "revision {} acknowledged twice: {dup:?} and {ack:?}",
                ack.revision
            );
        }
    }

    let store =
        EmbeddedStore::open(&path, EmbeddedOptions::default()).expect("reopen after SIGKILL");
    let current = store.current_revision().await.unwrap();
    let newest_ack = *by_revision.keys().next_back().unwrap();
    assert!(
        current >= newest_ack,
        "current revision {current} after reopen is older than acknowledged revision {newest_ack}"
    );

    // The whole log after reopening, through a watch from before the first write.
    let first_ack = *by_revision.keys().next().unwrap();
    let mut w = store.watch(&prefix(), first_ack - 1).await.unwrap();
    let mut log = Vec::new();
    while log.last().map(WatchEvent::revision).unwrap_or(0) < current {
        match tokio::time::timeout(Duration::from_secs(20), w.next()).await {
            Ok(Some(Ok(WatchEvent::Progress { .. }))) => {}
            Ok(Some(Ok(ev))) => log.push(ev),
            other => panic!("replaying the log after reopen: {other:?}"),
        }
    }
    // Every write of the child is under the prefix, so the log has no gap.
    for pair in log.windows(2) {
        assert_eq!(
            pair[1].revision(),
            pair[0].revision() + 1,
            "revisions in the log after a crash are consecutive"
        );
    }
    assert_eq!(log.first().map(WatchEvent::revision), Some(first_ack));
    let logged: BTreeMap<Revision, (String, Bytes)> = log
        .into_iter()
        .map(|ev| match ev {
            WatchEvent::Put { kv, .. } => (kv.mod_revision, (kv.key, kv.value)),
            WatchEvent::Delete { key, revision, .. } => (revision, (key, Bytes::from("-"))),
            WatchEvent::Progress { .. } => unreachable!("progress events are skipped above"),
        })
        .collect();
    for (rev, ack) in &by_revision {
        match logged.get(rev) {
            Some((k, v)) => {
                assert_eq!(k, &ack.key, "key at acknowledged revision {rev}");
                assert_eq!(
                    v,
                    &Bytes::from(ack.value.clone()),
                    "value at acknowledged revision {rev}"
                );
            }
            None => panic!("acknowledged write lost: {ack:?}"),
        }
    }
    // Unacknowledged writes the crash kept can only follow the acknowledged ones' prefix of
    // the log, at most one in flight per writer (plus its report cut by the kill).
    let unacked_before = logged
        .keys()
        .filter(|r| **r <= newest_ack && !by_revision.contains_key(r))
        .count();
    assert!(
        unacked_before <= WRITERS,
        "{unacked_before} unacknowledged writes interleave the acknowledged ones"
    );

    // The live state agrees with the log, and the store takes writes again.
    let counter = keys::object_key("workflows", Some("crash"), "counter-00").unwrap();
    let kv = store.get(&counter).await.unwrap();
    let next = store
        .update(&counter, Bytes::from("after"), kv.mod_revision)
        .await
        .unwrap();
    assert_eq!(next.mod_revision, current + 1);
    assert!(matches!(
        store.create(&counter, Bytes::from("x")).await,
        Err(StoreError::AlreadyExists { .. })
    ));
}
