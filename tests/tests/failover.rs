//! Failures under load, with real processes on 127.0.0.1: two apiserver replicas on a 3-member
//! etcd cluster while clients write steadily; the etcd leader, then a follower, then a replica
//! are killed. Every acknowledged write must survive, resourceVersions must never go backwards,
//! and watchers (informer-style: resume from the last resourceVersion, relist on 410) must end
//! with exactly the stored state. Each failure's unavailability window is measured and printed
//! as `UNAVAILABLE <failure> <n> ms ...`; it is reported, not asserted, beyond recovering at all.
//!
//! Storage faults: etcd stopped (connections refused) or frozen (nothing answers) makes
//! `/readyz` fail and writes answer promptly, 503 with Retry-After (not written) or 504
//! without (outcome unknown), and the server recovers by itself. A
//! compacted resourceVersion answers 410 Expired, never other data.

mod etcd_replicas;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use argo_apiserver_storage::Store;
use argo_apiserver_storage::etcd::{EtcdOptions, EtcdStore};
use argo_apiserver_storage::testing::EtcdCluster;
use argo_tests::{Backend, Server, ServerOptions, tail};
use etcd_replicas::{
    Log, NAMESPACE, RECOVERY_LIMIT, REQUEST_LIMIT, Updates, application, applications,
    check_acknowledged, name, replica, report_window, runtime, rv, seq, spawn_writers, status_code,
    wait_for_acks, with_seq,
};
use futures::{StreamExt, TryStreamExt};
use kube::api::{Api, ListParams, PostParams, VersionMatch, WatchEvent, WatchParams};
use kube::core::DynamicObject;
use tokio::time::timeout;

/// What an informer-style watcher holds: name → (resourceVersion, seq), and what it noticed.
#[derive(Default)]
struct WatcherState {
    objects: BTreeMap<String, (u64, u64)>,
    violations: Vec<String>,
    relists: usize,
    resumes: usize,
}

/// Lists, then watches from the list's resourceVersion; when a watch breaks it resumes from
/// the last resourceVersion it saw (on another replica if this one does not answer), and
/// relists on 410, as client-go's reflector does. Within one list+watch sequence every
/// resourceVersion must be greater than the one before.
async fn watcher(
    start: usize,
    apis: Arc<Vec<Api<DynamicObject>>>,
    state: Arc<Mutex<WatcherState>>,
    stop: Arc<AtomicBool>,
) {
    let mut replica = start % apis.len();
    let mut last: Option<u64> = None;
    let next_replica = |r: usize| (r + 1) % apis.len();
    while !stop.load(Ordering::Relaxed) {
        let api = &apis[replica];
        let from = match last {
            Some(rv) => rv,
            None => match timeout(REQUEST_LIMIT, api.list(&ListParams::default())).await {
                Ok(Ok(list)) => {
                    let at: u64 = list
                        .metadata
                        .resource_version
                        .as_deref()
                        .unwrap_or("0")
                        .parse()
                        .unwrap_or(0);
                    let mut st = state.lock().expect("lock");
                    st.objects = list
                        .items
                        .iter()
                        .map(|o| (name(o), (rv(o), seq(o))))
                        .collect();
                    st.relists += 1;
                    last = Some(at);
                    at
                }
                _ => {
                    replica = next_replica(replica);
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        let stream = timeout(
            REQUEST_LIMIT,
            api.watch(&WatchParams::default().timeout(60), &from.to_string()),
        )
        .await;
        let mut stream = match stream {
            Ok(Ok(s)) => s.boxed(),
            Ok(Err(e)) if status_code(&e) == Some(410) => {
                last = None;
                continue;
            }
            _ => {
                replica = next_replica(replica);
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        state.lock().expect("lock").resumes += 1;
        loop {
            if stop.load(Ordering::Relaxed) {
                return;
            }
            let item = match timeout(Duration::from_millis(500), stream.try_next()).await {
                Err(_) => continue,
                Ok(item) => item,
            };
            let mut st = state.lock().expect("lock");
            let (obj, deleted) = match item {
                Ok(Some(WatchEvent::Added(o) | WatchEvent::Modified(o))) => (o, false),
                Ok(Some(WatchEvent::Deleted(o))) => (o, true),
                Ok(Some(WatchEvent::Bookmark(b))) => {
                    if let Ok(at) = b.metadata.resource_version.parse::<u64>() {
                        if at < from || last.is_some_and(|l| at < l) {
                            st.violations
                                .push(format!("bookmark {at} went back from {last:?}"));
                        }
                        last = Some(at.max(last.unwrap_or(0)));
                    }
                    continue;
                }
                Ok(Some(WatchEvent::Error(s))) if s.code == 410 => {
                    last = None;
                    break;
                }
                Ok(Some(WatchEvent::Error(s))) => {
                    st.violations.push(format!("watch error event {s:?}"));
                    break;
                }
                // Closed by the server (timeout) or broken (replica died): resume elsewhere
                // if this replica does not take the next watch.
                Ok(None) => break,
                Err(_) => {
                    replica = next_replica(replica);
                    break;
                }
            };
            let at = rv(&obj);
            if last.is_some_and(|l| at <= l) {
                st.violations.push(format!(
                    "event for {} at {at} after {last:?} (replica {replica})",
                    name(&obj)
                ));
            }
            last = Some(at);
            if deleted {
                st.objects.remove(&name(&obj));
            } else {
                st.objects.insert(name(&obj), (at, seq(&obj)));
            }
        }
    }
}

#[test]
fn kills_under_load_lose_no_acknowledged_write() {
    let test_start = Instant::now();
    let mut cluster = EtcdCluster::start().expect("start a 3-member etcd cluster");
    let a = replica(&cluster, 0);
    let mut b = replica(&cluster, 1);
    let rt = runtime();
    let apis =
        Arc::new(rt.block_on(async { vec![applications(&a).await, applications(&b).await] }));
    let log: Arc<Mutex<Log>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    // Watchers outlive the writers: they must catch up with the final state.
    let stop_watchers = Arc::new(AtomicBool::new(false));
    let writers = spawn_writers(&rt, &apis, &log, &stop, Updates::Replace);
    let watchers: Vec<_> = (0..2)
        .map(|start| {
            let state: Arc<Mutex<WatcherState>> = Arc::default();
            let task = rt.spawn(watcher(
                start,
                apis.clone(),
                state.clone(),
                stop_watchers.clone(),
            ));
            (state, task)
        })
        .collect();
    wait_for_acks(&log, test_start, 10, "start");

    // 1. The etcd leader.
    let leader = cluster
        .wait_for_leader(RECOVERY_LIMIT)
        .expect("an etcd leader");
    let at = Instant::now();
    cluster.kill(leader).expect("kill the etcd leader");
    wait_for_acks(&log, at, 3, "killing the etcd leader");
    let new_leader = cluster
        .wait_for_leader(RECOVERY_LIMIT)
        .expect("a new etcd leader");
    report_window(&log, at, Instant::now(), "etcd-leader-kill");
    eprintln!("etcd leader member{leader} killed; member{new_leader} took over");
    cluster.restart(leader).expect("restart the old leader");
    wait_for_acks(&log, Instant::now(), 3, "the old leader rejoining");

    // 2. An etcd follower.
    let follower = cluster.follower().expect("an etcd follower");
    let at = Instant::now();
    cluster.kill(follower).expect("kill an etcd follower");
    wait_for_acks(&log, at, 3, "killing an etcd follower");
    report_window(&log, at, Instant::now(), "etcd-follower-kill");
    cluster.restart(follower).expect("restart the follower");
    wait_for_acks(&log, Instant::now(), 3, "the follower rejoining");

    // 3. An apiserver replica (SIGKILL: no graceful shutdown).
    let at = Instant::now();
    b.kill();
    wait_for_acks(&log, at, 5, "killing an apiserver replica");
    report_window(&log, at, Instant::now(), "apiserver-replica-kill");

    stop.store(true, Ordering::Relaxed);
    for w in writers {
        rt.block_on(w).expect("writer task");
    }

    // Everything through the surviving replica, with a consistent list.
    let (stored, _) = check_acknowledged(&rt, &apis[0], &log);

    // The watchers, one of which lost its replica, converge on exactly the stored state.
    let deadline = Instant::now() + RECOVERY_LIMIT;
    for (i, (state, _)) in watchers.iter().enumerate() {
        loop {
            let (same, relists, resumes) = {
                let st = state.lock().expect("lock");
                assert!(
                    st.violations.is_empty(),
                    "watcher {i}: {:#?}",
                    st.violations
                );
                let seen: BTreeMap<_, _> = st
                    .objects
                    .iter()
                    .filter(|(n, _)| n.starts_with("load-"))
                    .map(|(n, v)| (n.clone(), *v))
                    .collect();
                (seen == stored, st.relists, st.resumes)
            };
            if same {
                eprintln!("watcher {i}: {relists} lists, {resumes} watches, converged");
                break;
            }
            assert!(
                Instant::now() < deadline,
                "watcher {i} never converged on the stored state"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    stop_watchers.store(true, Ordering::Relaxed);
    for (_, task) in watchers {
        rt.block_on(task).expect("watcher task");
    }
    drop(log);
    eprintln!("kill sequence done in {:?}", test_start.elapsed());
}

fn readyz_ok(server: &Server) -> bool {
    server
        .kubectl("1.33", &["get", "--raw", "/readyz"])
        .status
        .success()
}

fn wait_readyz(server: &Server, want: bool, what: &str) -> Duration {
    let start = Instant::now();
    while readyz_ok(server) != want {
        assert!(
            start.elapsed() < RECOVERY_LIMIT,
            "/readyz never became {want} {what}\n{}",
            tail(&server.log(), 20)
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    start.elapsed()
}

/// How a write was refused while etcd could not serve.
#[derive(Debug)]
struct Refused {
    code: u16,
    reason: String,
    /// The `Retry-After` header, if any.
    retry_after: Option<String>,
    /// The Status's `details.retryAfterSeconds`, if any.
    retry_after_seconds: Option<u64>,
    took: Duration,
}

/// A write while etcd cannot serve, in bounded time. Sent with curl, since kube's error type
/// does not carry the response's headers and Retry-After is what client-go acts on.
fn write_refused(server: &Server, name: &str) -> Refused {
    let body = serde_json::to_vec(&application(name, 0)).expect("encode");
    let (_, cert, key) = server.pki();
    let start = Instant::now();
    let reply = server.send_as(
        (&cert, &key),
        "POST",
        &format!("/apis/argoproj.io/v1alpha1/namespaces/{NAMESPACE}/applications"),
        "application/json",
        &body,
    );
    let status = reply.json();
    Refused {
        code: reply.code,
        reason: status["reason"].as_str().unwrap_or_default().to_string(),
        retry_after: reply.header("retry-after").map(str::to_string),
        retry_after_seconds: status["details"]["retryAfterSeconds"].as_u64(),
        took: start.elapsed(),
    }
}

/// Prints how etcd's `outage` showed (readiness lost after `unready`, then the write `r`) and
/// checks the write's answer: `expected` code, reason and Retry-After, within `limit`.
fn expect_refusal(
    outage: &str,
    unready: Duration,
    r: &Refused,
    expected: (u16, &str, Option<&str>),
    limit: Duration,
) {
    eprintln!(
        "etcd {outage}: /readyz failed after {} ms; a write answered {} {} (Retry-After {:?}) in {} ms",
        unready.as_millis(),
        r.code,
        r.reason,
        r.retry_after,
        r.took.as_millis()
    );
    assert_eq!(
        (r.code, r.reason.as_str(), r.retry_after.as_deref()),
        expected,
        "{r:?}"
    );
    assert!(r.took < limit, "a write took {:?} to fail", r.took);
}

/// Retries a create until it succeeds; how long that took.
async fn write_until_ok(api: &Api<DynamicObject>, name: &str) -> Duration {
    let start = Instant::now();
    loop {
        match timeout(
            REQUEST_LIMIT,
            api.create(&PostParams::default(), &application(name, 0)),
        )
        .await
        {
            Ok(Ok(_)) => return start.elapsed(),
            // An earlier try may have been applied without its answer arriving.
            Ok(Err(kube::Error::Api(s))) if s.code == 409 => return start.elapsed(),
            _ => {}
        }
        assert!(start.elapsed() < RECOVERY_LIMIT, "writes did not recover");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[test]
fn etcd_outage_fails_fast_and_recovers_without_restart() {
    let mut cluster = EtcdCluster::start().expect("start a 3-member etcd cluster");
    let server = replica(&cluster, 0);
    let rt = runtime();
    let api = rt.block_on(applications(&server));
    rt.block_on(api.create(&PostParams::default(), &application("before-outage", 0)))
        .expect("create while etcd is up");

    // Stopped: every member refuses connections.
    cluster.stop_all().expect("stop every etcd member");
    let unready = wait_readyz(&server, false, "with etcd stopped");
    // Connections refused: nothing was written, so 503 and an invitation to retry.
    let r = write_refused(&server, "during-stop");
    expect_refusal(
        "stopped",
        unready,
        &r,
        (503, "ServiceUnavailable", Some("1")),
        Duration::from_secs(15),
    );
    let at = Instant::now();
    cluster.start_stopped().expect("start etcd again");
    let ready = wait_readyz(&server, true, "after etcd came back");
    let write = rt.block_on(write_until_ok(&api, "after-stop"));
    eprintln!(
        "UNAVAILABLE etcd-all-stopped-restart {} ms (after etcd started: ready in {} ms, write ok in {} ms more)",
        at.elapsed().as_millis(),
        ready.as_millis(),
        write.as_millis()
    );

    // Frozen: connections open, nothing answers (a hung cluster, or packets dropped).
    for i in 0..cluster.len() {
        cluster.member_mut(i).pause().expect("pause an etcd member");
    }
    // No answer: the write may yet be applied, so 504 and no Retry-After (client-go would
    // repeat the write on one, and a success would come back as 409). Sent at once, so its
    // request timeout (10 s) runs out well before the etcd connection's keep-alive gives up on
    // the frozen members (~15 s), which would make it a lost connection (503).
    let write = std::thread::scope(|scope| {
        let write = scope.spawn(|| write_refused(&server, "during-freeze"));
        let unready = wait_readyz(&server, false, "with etcd frozen");
        (write.join().expect("the write"), unready)
    });
    let (r, unready) = write;
    expect_refusal(
        "frozen",
        unready,
        &r,
        (504, "Timeout", None),
        Duration::from_secs(25),
    );
    assert_eq!(r.retry_after_seconds, None, "{r:?}");
    let at = Instant::now();
    for i in 0..cluster.len() {
        cluster
            .member_mut(i)
            .resume()
            .expect("resume an etcd member");
    }
    wait_readyz(&server, true, "after etcd was resumed");
    let write = rt.block_on(write_until_ok(&api, "after-freeze"));
    eprintln!(
        "UNAVAILABLE etcd-all-frozen-resume {} ms (write ok {} ms after ready)",
        at.elapsed().as_millis(),
        write.as_millis()
    );

    // Nothing written before or after the outages is missing; the write refused with 503 (an
    // invitation to retry) was not applied. The 504 one may have been: its outcome is unknown.
    let names: Vec<String> = rt
        .block_on(api.list(&ListParams::default()))
        .expect("list")
        .items
        .iter()
        .map(name)
        .collect();
    for want in ["before-outage", "after-stop", "after-freeze"] {
        assert!(
            names.iter().any(|n| n == want),
            "{want} missing from {names:?}"
        );
    }
    assert!(
        !names.iter().any(|n| n == "during-stop"),
        "a write answered 503 was applied: {names:?}"
    );
}

#[test]
fn compacted_resource_versions_answer_410() {
    let server = Server::start(Backend::Etcd);
    let endpoint = server.etcd.as_ref().expect("etcd").endpoint();
    let rt = runtime();
    let api = rt.block_on(applications(&server));
    let first = rt
        .block_on(api.create(&PostParams::default(), &application("compact-0", 0)))
        .expect("create");
    let old = rv(&first);
    rt.block_on(api.create(&PostParams::default(), &application("compact-1", 1)))
        .expect("create");
    // A paginated list begun before the compaction; its continue token pins its revision.
    let page = rt
        .block_on(api.list(&ListParams::default().limit(1)))
        .expect("first page");
    let token = page.metadata.continue_.clone().expect("a continue token");
    let mut later = Vec::new();
    let mut obj = first;
    for i in 2..6 {
        obj = rt
            .block_on(api.replace("compact-0", &PostParams::default(), &with_seq(&obj, i)))
            .expect("update");
        later.push((rv(&obj), i));
    }

    // Compact all history up to now, as kube-apiserver's compactor would.
    rt.block_on(async {
        let store = EtcdStore::connect(EtcdOptions {
            endpoints: vec![endpoint.clone()],
            ..Default::default()
        })
        .await
        .expect("connect to etcd");
        let now = store.current_revision().await.expect("current revision");
        store.compact(now).await.expect("compact");
        assert!(matches!(store.compacted_revision().await, Ok(c) if c >= now));
    });

    let expect_gone = |what: &str, r: kube::Result<kube::core::ObjectList<DynamicObject>>| match r {
        Err(kube::Error::Api(s)) if s.code == 410 => {
            assert_eq!(s.reason, "Expired", "{what}: {s:?}");
        }
        other => panic!("{what}: expected 410 Expired, got {other:?}"),
    };
    expect_gone(
        "list at an exact compacted resourceVersion",
        rt.block_on(
            api.list(
                &ListParams::default()
                    .at(&old.to_string())
                    .matching(VersionMatch::Exact),
            ),
        ),
    );
    let mut next = ListParams::default().limit(1);
    next.continue_token = Some(token);
    expect_gone(
        "continue of a list begun before compaction",
        rt.block_on(api.list(&next)),
    );

    // A consistent list still reads the present.
    let now = rt
        .block_on(api.list(&ListParams::default()))
        .expect("consistent list");
    let c0 = now
        .items
        .iter()
        .find(|o| name(o) == "compact-0")
        .expect("compact-0");
    assert_eq!((rv(c0), seq(c0)), *later.last().expect("updates"));

    // Watches: this replica's cache may still hold the history (then it must be exactly the
    // writes after `old`); a replica started after the compaction holds none of it: 410.
    let check_watch = |api: &Api<DynamicObject>, must_expire: bool| {
        rt.block_on(async {
            let stream = api
                .watch(&WatchParams::default().timeout(60), &old.to_string())
                .await;
            let mut stream = match stream {
                Err(kube::Error::Api(s)) if s.code == 410 => return "410",
                Err(e) => panic!("watch from a compacted resourceVersion: {e}"),
                Ok(s) => s.boxed(),
            };
            let mut seen = Vec::new();
            while seen.len() < later.len() + 1 {
                let ev = timeout(Duration::from_secs(30), stream.try_next())
                    .await
                    .expect("a watch event")
                    .expect("watch stream")
                    .expect("watch stream ended");
                match ev {
                    WatchEvent::Error(s) if s.code == 410 && seen.is_empty() => return "410",
                    WatchEvent::Added(o) | WatchEvent::Modified(o) => {
                        seen.push((name(&o), rv(&o), seq(&o)))
                    }
                    WatchEvent::Bookmark(_) => {}
                    other => panic!("unexpected {other:?}"),
                }
            }
            assert!(
                !must_expire,
                "a replica whose cache starts after the compaction replayed {seen:?}"
            );
            // compact-1's creation, then compact-0's updates, in order.
            assert_eq!(seen[0].0, "compact-1");
            let updates: Vec<(u64, u64)> = seen[1..].iter().map(|(_, r, s)| (*r, *s)).collect();
            assert_eq!(updates, later, "replayed history differs");
            "replayed exactly"
        })
    };
    let first_replica = check_watch(&api, false);
    let late = Server::start_on_etcd(vec![endpoint], ServerOptions::default());
    let late_api = rt.block_on(applications(&late));
    let late_replica = check_watch(&late_api, true);
    expect_gone(
        "list at a compacted resourceVersion on the late replica",
        rt.block_on(
            late_api.list(
                &ListParams::default()
                    .at(&old.to_string())
                    .matching(VersionMatch::Exact),
            ),
        ),
    );
    eprintln!(
        "watch from compacted rv {old}: first replica {first_replica}, late replica {late_replica}"
    );
}
