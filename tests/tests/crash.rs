//! `kill -9` of the server on the embedded store while clients write steadily: after each restart
//! on the same data directory every acknowledged write is there, resourceVersions never went
//! backwards, and a list and a watch from resourceVersion 0 agree on the stored state. Each
//! kill's unavailability window (until the first acknowledged write sent after the kill) is
//! printed as `UNAVAILABLE embedded-kill9 <n> ms ...`; it is reported, not asserted, beyond
//! recovering at all.

mod etcd_replicas;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use argo_tests::{Backend, Server, tail};
use etcd_replicas::{
    Ack, Log, REQUEST_LIMIT, Updates, applications, check_acknowledged, load_objects, name,
    report_window, runtime, rv, seq, spawn_writers, wait_for_acks,
};
use futures::{StreamExt, TryStreamExt};
use kube::api::{ListParams, WatchEvent, WatchParams};
use tokio::time::timeout;

/// Kills under load, each followed by a restart on the same data.
const KILLS: usize = 5;
/// How long the final list, list-from-cache and watch may take to agree.
const SETTLE_LIMIT: Duration = Duration::from_secs(15);

/// Fails with the log when a server run panicked or shut down gracefully (a SIGKILLed run
/// must not have: nothing of it may run after the signal).
fn check_run_log(log: &str, what: &str, killed: bool) {
    assert!(
        !log.contains("panicked"),
        "the server panicked ({what}):\n{}",
        tail(log, 40)
    );
    if killed {
        assert!(
            !log.contains("shutting down"),
            "the killed run shut down gracefully, so it was not SIGKILLed ({what}):\n{}",
            tail(log, 40)
        );
    }
}

/// SIGKILLs the server while at least one write is in flight (or after a second of trying),
/// so the kill lands mid-load. Returns when it was killed and how many writes were in flight.
fn kill_mid_load(server: &mut Server, log: &Mutex<Log>) -> (Instant, usize) {
    assert!(server.is_running(), "the server is not running");
    let deadline = Instant::now() + Duration::from_secs(1);
    loop {
        let in_flight = log.lock().expect("lock").in_flight;
        if in_flight > 0 || Instant::now() > deadline {
            let at = Instant::now();
            // SIGKILL (std's Child::kill), then reaped: no handler runs, nothing is flushed.
            server.kill();
            return (at, in_flight);
        }
        std::thread::sleep(Duration::from_micros(200));
    }
}

#[test]
fn kill_9_under_load_loses_no_acknowledged_write() {
    let test_start = Instant::now();
    let mut server = Server::start(Backend::Embedded);
    eprintln!(
        "server built (when stale) and started in {:?}",
        test_start.elapsed()
    );
    let rt = runtime();
    // The same port, data and certificates after each restart: one client reconnects.
    let apis = Arc::new(vec![rt.block_on(applications(&server))]);
    let load_start = Instant::now();
    let log: Arc<Mutex<Log>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let writers = spawn_writers(&rt, &apis, &log, &stop, Updates::ReplaceAndPatch);
    // From now, not from the test's start: building the server binary may have taken a while.
    wait_for_acks(&log, load_start, 10, "start");

    let mut kills = Vec::new();
    for i in 1..=KILLS {
        // A second or so of load since the last restart, so the kill interrupts writes to a
        // reopened file with some history in it.
        wait_for_acks(&log, Instant::now(), 25, "the restart");
        let (at, in_flight) = kill_mid_load(&mut server, &log);
        // The harness truncates the log on restart: read the killed run's first.
        check_run_log(&server.log(), &format!("run {i}, killed"), true);
        let restart = Instant::now();
        server.restart();
        let ready = restart.elapsed();
        check_run_log(
            &server.log(),
            &format!("run {}, after restart", i + 1),
            false,
        );
        wait_for_acks(&log, at, 5, "a kill -9 and restart");
        report_window(&log, at, Instant::now(), "embedded-kill9");
        eprintln!(
            "  kill {i}: {in_flight} writes in flight at the kill; restart ready in {} ms",
            ready.as_millis()
        );
        kills.push(at);
    }

    stop.store(true, Ordering::Relaxed);
    for w in writers {
        rt.block_on(async { timeout(REQUEST_LIMIT + Duration::from_secs(5), w).await })
            .expect("a writer did not stop in time")
            .expect("writer task");
    }

    let api = &apis[0];
    let (stored, at_rv) = check_acknowledged(&rt, api, &log);
    let log = log.lock().expect("lock");
    let acks = &log.acks;
    // Across each restart in particular: every write acknowledged after it has a greater
    // resourceVersion than every write acknowledged before the kill.
    for (i, at) in kills.iter().enumerate() {
        let before = acks.iter().filter(|a| a.acked < *at).map(|a| a.rv).max();
        let after: Option<&Ack> = acks.iter().filter(|a| a.sent > *at).min_by_key(|a| a.rv);
        let (Some(before), Some(after)) = (before, after) else {
            panic!("kill {}: no acknowledged writes on both sides", i + 1);
        };
        assert!(
            before < after.rv,
            "kill {}: {} got rv {} after the restart, not above rv {before} acknowledged before",
            i + 1,
            after.name,
            after.rv
        );
        eprintln!(
            "  kill {}: highest rv acknowledged before {before}, lowest after {}",
            i + 1,
            after.rv
        );
    }
    drop(log);

    // The watch cache rebuilt after the last restart agrees with the consistent list: a list
    // from it (resourceVersion 0) and a watch from 0 (every object as ADDED) show the same.
    let deadline = Instant::now() + SETTLE_LIMIT;
    loop {
        let cached = rt
            .block_on(async {
                timeout(REQUEST_LIMIT, api.list(&ListParams::default().at("0"))).await
            })
            .expect("list at 0 in time")
            .expect("list at resourceVersion 0");
        let cached = load_objects(&cached);
        if cached == stored {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the list at resourceVersion 0 never matched the consistent list: {} vs {} objects",
            cached.len(),
            stored.len()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let watched = rt.block_on(async {
        let mut stream = timeout(
            REQUEST_LIMIT,
            api.watch(&WatchParams::default().timeout(60), "0"),
        )
        .await
        .expect("watch in time")
        .expect("watch from 0")
        .boxed();
        let mut seen = BTreeMap::new();
        let deadline = tokio::time::Instant::now() + SETTLE_LIMIT;
        while seen != stored {
            let ev = tokio::time::timeout_at(deadline, stream.try_next())
                .await
                .unwrap_or_else(|_| {
                    panic!(
                        "the watch from 0 showed {} of {} objects",
                        seen.len(),
                        stored.len()
                    )
                })
                .expect("watch stream")
                .expect("the watch from 0 ended early");
            match ev {
                WatchEvent::Added(o) if name(&o).starts_with("load-") => {
                    assert!(
                        rv(&o) <= at_rv,
                        "watch from 0: {} beyond the list",
                        name(&o)
                    );
                    seen.insert(name(&o), (rv(&o), seq(&o)));
                }
                WatchEvent::Added(_) | WatchEvent::Bookmark(_) => {}
                other => panic!("watch from 0 with no writes: unexpected {other:?}"),
            }
        }
        seen.len()
    });
    eprintln!("watch from 0 after the last restart: {watched} objects, as listed");

    check_run_log(&server.log(), "the last run", false);
    eprintln!("{KILLS} kills done in {:?}", test_start.elapsed());
}
