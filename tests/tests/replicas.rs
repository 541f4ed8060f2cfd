//! Several apiserver replicas on one 3-member etcd cluster. Replicas keep no state of their
//! own: each watch cache follows etcd, so a write through one replica reaches a watch on the
//! other in order, and a client whose replica dies resumes its watch on another replica from its
//! last resourceVersion without a missed or repeated event (or, when that replica cannot serve
//! the resourceVersion, gets a clean 410 and relists, as client-go expects).

mod etcd_replicas;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use argo_apiserver_storage::testing::EtcdCluster;
use argo_tests::tail;
use etcd_replicas::{SEQ, application, applications, replica, runtime, rv, with_seq};
use futures::{StreamExt, TryStreamExt};
use kube::api::{Api, DeleteParams, ListParams, PostParams, WatchEvent, WatchParams};
use kube::core::DynamicObject;
use tokio::time::timeout;

/// How long one expected watch event may take: generous, replicas and etcd share the machine.
const EVENT_WAIT: Duration = Duration::from_secs(30);

fn seq(obj: &DynamicObject) -> u64 {
    obj.metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(SEQ))
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("object without {SEQ}: {obj:?}"))
}

/// One change as a watcher must see it: (type, name, resourceVersion, seq).
#[derive(Clone, Debug, PartialEq, Eq)]
struct Change {
    kind: &'static str,
    name: String,
    rv: u64,
    seq: u64,
}

impl Change {
    fn of(kind: &'static str, obj: &DynamicObject) -> Change {
        Change {
            kind,
            name: obj.metadata.name.clone().unwrap_or_default(),
            rv: rv(obj),
            seq: seq(obj),
        }
    }
}

/// What one read of a watch stream gave.
enum Next {
    Change(Change),
    /// The server refused the resourceVersion (410 Gone / Expired).
    Gone,
    /// The stream broke or ended (its server died).
    Ended,
    /// Nothing came within [`EVENT_WAIT`].
    Silent,
}

type ChangeStream = futures::stream::BoxStream<'static, kube::Result<WatchEvent<DynamicObject>>>;

/// Opens a watch from `from`; a 410 may come as the response or as the first event.
async fn watch(api: &Api<DynamicObject>, from: u64) -> Result<ChangeStream, Next> {
    match api
        .watch(&WatchParams::default().timeout(290), &from.to_string())
        .await
    {
        Ok(s) => Ok(s.boxed()),
        Err(kube::Error::Api(status)) if status.code == 410 => Err(Next::Gone),
        Err(e) => panic!("watch from {from}: {e}"),
    }
}

async fn next(stream: &mut ChangeStream) -> Next {
    loop {
        let Ok(item) = timeout(EVENT_WAIT, stream.try_next()).await else {
            return Next::Silent;
        };
        match item {
            Ok(Some(WatchEvent::Added(o))) => return Next::Change(Change::of("ADDED", &o)),
            Ok(Some(WatchEvent::Modified(o))) => return Next::Change(Change::of("MODIFIED", &o)),
            Ok(Some(WatchEvent::Deleted(o))) => return Next::Change(Change::of("DELETED", &o)),
            Ok(Some(WatchEvent::Bookmark(_))) => continue,
            Ok(Some(WatchEvent::Error(status))) if status.code == 410 => return Next::Gone,
            Ok(Some(WatchEvent::Error(status))) => panic!("watch error event: {status:?}"),
            Ok(None) | Err(_) => return Next::Ended,
        }
    }
}

/// A write through one replica is seen by a watch on the other, every event once, in the order
/// of the resourceVersions the writes were acknowledged with.
#[test]
fn writes_through_one_replica_reach_a_watch_on_the_other_in_order() {
    let cluster = EtcdCluster::start().expect("start a 3-member etcd cluster");
    let a = replica(&cluster, 0);
    let b = replica(&cluster, 1);
    let rt = runtime();
    rt.block_on(async {
        let (api_a, api_b) = (applications(&a).await, applications(&b).await);
        let start = api_b
            .list(&ListParams::default())
            .await
            .expect("list on B")
            .metadata
            .resource_version
            .expect("list resourceVersion");
        let start: u64 = start.parse().expect("numeric resourceVersion");
        let Ok(mut stream) = watch(&api_b, start).await else {
            panic!("B refused a watch from its own list's resourceVersion");
        };

        // Mostly through A, every third write through B: the watch on B must interleave both.
        let mut expected = Vec::new();
        let mut last: Option<DynamicObject> = None;
        for i in 0..12u64 {
            let via = if i % 3 == 2 { &api_b } else { &api_a };
            let created = via
                .create(
                    &PostParams::default(),
                    &application(&format!("order-{i}"), i),
                )
                .await
                .expect("create");
            expected.push(Change::of("ADDED", &created));
            if let Some(prev) = last.take() {
                let updated = api_a
                    .replace(
                        prev.metadata.name.as_deref().unwrap_or_default(),
                        &PostParams::default(),
                        &with_seq(&prev, 100 + i),
                    )
                    .await
                    .expect("replace");
                expected.push(Change::of("MODIFIED", &updated));
            }
            last = Some(created);
        }
        api_a
            .delete("order-0", &DeleteParams::default())
            .await
            .expect("delete");

        let mut seen = Vec::new();
        while seen.len() < expected.len() + 1 {
            match next(&mut stream).await {
                Next::Change(c) => seen.push(c),
                Next::Gone => panic!("410 on a live watch; seen {seen:?}"),
                Next::Ended | Next::Silent => {
                    panic!("watch on B broke; seen {seen:?}\n{}", tail(&b.log(), 30))
                }
            }
        }
        let deleted = seen.pop().expect("the delete");
        assert_eq!(
            seen, expected,
            "B's watch differs from the acknowledged writes"
        );
        assert_eq!(
            (deleted.kind, deleted.name.as_str()),
            ("DELETED", "order-0")
        );
        assert!(
            deleted.rv > expected.last().map(|c| c.rv).unwrap_or_default(),
            "delete at {} is not after the writes before it",
            deleted.rv
        );
    });
}

/// A client watching through replica B, which is killed mid-stream, resumes on replica A from
/// the last resourceVersion it saw: together the two streams hold every acknowledged write once,
/// in order. A replica started later (whose cache begins after that resourceVersion) answers
/// 410 rather than a partial history.
#[test]
fn a_watch_resumes_on_another_replica_after_its_replica_is_killed() {
    let cluster = EtcdCluster::start().expect("start a 3-member etcd cluster");
    let a = replica(&cluster, 0);
    let mut b = replica(&cluster, 1);
    let rt = runtime();
    let (api_a, api_b) = rt.block_on(async { (applications(&a).await, applications(&b).await) });
    let start: u64 = rt
        .block_on(api_b.list(&ListParams::default()))
        .expect("list on B")
        .metadata
        .resource_version
        .expect("list resourceVersion")
        .parse()
        .expect("numeric resourceVersion");

    // A steady writer through A: five objects, then updates round-robin, every write recorded.
    const WRITES: u64 = 80;
    let acked: Arc<Mutex<Vec<Change>>> = Arc::default();
    let writer = {
        let (api, acked) = (api_a.clone(), acked.clone());
        rt.spawn(async move {
            let mut objects: BTreeMap<String, DynamicObject> = BTreeMap::new();
            for i in 0..WRITES {
                let name = format!("resume-{}", i % 5);
                let change = match objects.get(&name) {
                    None => {
                        let o = api
                            .create(&PostParams::default(), &application(&name, i))
                            .await
                            .expect("create through A");
                        let c = Change::of("ADDED", &o);
                        objects.insert(name, o);
                        c
                    }
                    Some(prev) => {
                        let o = api
                            .replace(&name, &PostParams::default(), &with_seq(prev, i))
                            .await
                            .expect("replace through A");
                        let c = Change::of("MODIFIED", &o);
                        objects.insert(name, o);
                        c
                    }
                };
                acked.lock().expect("lock").push(change);
                // Paced, so that the kill lands while writes are still going on.
                tokio::time::sleep(Duration::from_millis(25)).await;
            }
        })
    };

    let Ok(mut on_b) = rt.block_on(watch(&api_b, start)) else {
        panic!("B refused a watch from its own list's resourceVersion");
    };
    let mut seen: Vec<Change> = Vec::new();
    rt.block_on(async {
        while seen.len() < 20 {
            match next(&mut on_b).await {
                Next::Change(c) => seen.push(c),
                _ => panic!("watch on B broke before the kill; seen {seen:?}"),
            }
        }
    });
    b.kill();
    // What B sent before it died still counts; then its stream must end.
    rt.block_on(async {
        loop {
            match next(&mut on_b).await {
                Next::Change(c) => seen.push(c),
                Next::Ended => break,
                Next::Silent => panic!("the watch on a killed replica did not end"),
                Next::Gone => panic!("410 from a dying replica"),
            }
        }
    });
    let on_b_count = seen.len();
    let resume_from = seen.last().map(|c| c.rv).unwrap_or(start);

    // Resume on A from the last resourceVersion seen, until every write is in.
    let relisted = rt.block_on(async {
        let mut stream = match watch(&api_a, resume_from).await {
            Ok(s) => s,
            Err(_) => return true,
        };
        let mut since_kill = 0;
        loop {
            // The writer fails the test on any error, so it acknowledges exactly WRITES.
            if seen.len() >= WRITES as usize {
                return false;
            }
            match next(&mut stream).await {
                Next::Change(c) => {
                    seen.push(c);
                    since_kill += 1;
                }
                Next::Gone if since_kill == 0 => return true,
                Next::Gone => panic!("410 in the middle of a resumed watch"),
                Next::Ended => panic!("watch on A ended\n{}", tail(&a.log(), 30)),
                Next::Silent => panic!(
                    "resumed watch on A silent; writer finished: {}\nseen {seen:#?}\nacked {:#?}\n{}",
                    writer.is_finished(),
                    acked.lock().expect("lock"),
                    tail(&a.log(), 30)
                ),
            }
        }
    });
    rt.block_on(writer).expect("writer");
    let acked = acked.lock().expect("lock").clone();
    if relisted {
        // The clean alternative: A could not serve the resourceVersion and said so. A relist
        // must then show the latest acknowledged state of every object.
        eprintln!("resume on A answered 410; relisting");
        let list = rt
            .block_on(api_a.list(&ListParams::default()))
            .expect("relist on A");
        let mut latest: BTreeMap<String, Change> = BTreeMap::new();
        for c in &acked {
            latest.insert(c.name.clone(), c.clone());
        }
        for obj in &list.items {
            let name = obj.metadata.name.clone().unwrap_or_default();
            if let Some(want) = latest.get(&name) {
                assert_eq!(
                    (rv(obj), seq(obj)),
                    (want.rv, want.seq),
                    "{name} after relist"
                );
            }
        }
    } else {
        assert_eq!(
            seen, acked,
            "B's stream ({on_b_count} events) followed by A's resumed stream must be every \
             acknowledged write once, in order"
        );
    }
    eprintln!(
        "watch: {on_b_count} events from B, {} from A after resuming at {resume_from}",
        seen.len() - on_b_count
    );

    // B comes back with a fresh cache that starts after `start`: resuming there from `start`
    // must be refused with 410, or (if it could serve it) give exactly the same history.
    b.restart();
    let api_b = rt.block_on(applications(&b));
    rt.block_on(async {
        let mut stream = match watch(&api_b, start).await {
            Ok(s) => s,
            Err(_) => return eprintln!("restarted B answered 410 for resourceVersion {start}"),
        };
        let mut again = Vec::new();
        while again.len() < acked.len() {
            match next(&mut stream).await {
                Next::Change(c) => again.push(c),
                Next::Gone if again.is_empty() => {
                    return eprintln!("restarted B answered 410 for resourceVersion {start}");
                }
                Next::Gone => panic!("410 after {} events", again.len()),
                Next::Ended | Next::Silent => {
                    panic!("watch on restarted B broke after {} events", again.len())
                }
            }
        }
        assert_eq!(again, acked, "a replayed history must be the exact one");
    });
}
