//! Several apiserver replicas on one 3-member etcd cluster. Replicas keep no state of their
//! own: each watch cache follows etcd, so a write through one replica reaches a watch on the
//! other in order, and a client whose replica dies resumes its watch on another replica from its
//! last resourceVersion without a missed or repeated event (or, when that replica cannot serve
//! the resourceVersion, gets a clean 410 and relists, as client-go expects).

mod etcd_replicas;

use std::collections::BTreeMap;
use std::future::Future;
use std::time::Duration;

use argo_apiserver_storage::testing::EtcdCluster;
use argo_tests::{Server, tail};
use etcd_replicas::{SEQ, application, applications, replica, runtime, rv, with_seq};
use futures::{StreamExt, TryStreamExt};
use kube::api::{Api, DeleteParams, ListParams, PostParams, WatchEvent, WatchParams};
use kube::core::DynamicObject;
use tokio::time::timeout;

/// How long one expected watch event may take: generous, replicas and etcd share the machine.
const EVENT_WAIT: Duration = Duration::from_secs(10);
/// How long one request (write, list, opening a watch) may take.
const REQUEST_WAIT: Duration = Duration::from_secs(10);
/// How long a watch must stay silent after the last expected event: anything in that window is
/// a repeated or invented event.
const QUIET: Duration = Duration::from_secs(1);

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
#[derive(Debug)]
enum Next {
    Change(Change),
    /// The server refused the resourceVersion (410 Gone / Expired).
    Gone,
    /// The stream broke or ended (its server died).
    Ended,
    /// Nothing came within the wait.
    Silent,
}

type ChangeStream = futures::stream::BoxStream<'static, kube::Result<WatchEvent<DynamicObject>>>;

/// `fut`, or a panic naming `what` once [`REQUEST_WAIT`] has passed.
async fn bounded<T>(what: &str, fut: impl Future<Output = T>) -> T {
    timeout(REQUEST_WAIT, fut)
        .await
        .unwrap_or_else(|_| panic!("{what}: no answer within {REQUEST_WAIT:?}"))
}

/// Opens a watch from `from`; a 410 may come as the response or as the first event.
async fn watch(api: &Api<DynamicObject>, from: u64) -> Result<ChangeStream, Next> {
    let params = WatchParams::default().timeout(290);
    match bounded("open a watch", api.watch(&params, &from.to_string())).await {
        Ok(s) => Ok(s.boxed()),
        Err(kube::Error::Api(status)) if status.code == 410 => Err(Next::Gone),
        Err(e) => panic!("watch from {from}: {e}"),
    }
}

async fn next(stream: &mut ChangeStream) -> Next {
    next_within(stream, EVENT_WAIT).await
}

async fn next_within(stream: &mut ChangeStream, wait: Duration) -> Next {
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let Ok(item) = tokio::time::timeout_at(deadline, stream.try_next()).await else {
            return Next::Silent;
        };
        match item {
            Ok(Some(WatchEvent::Added(o))) => return Next::Change(Change::of("ADDED", &o)),
            Ok(Some(WatchEvent::Modified(o))) => return Next::Change(Change::of("MODIFIED", &o)),
            Ok(Some(WatchEvent::Deleted(o))) => return Next::Change(Change::of("DELETED", &o)),
            // Bookmarks carry no change; the deadline still bounds the whole read.
            Ok(Some(WatchEvent::Bookmark(_))) => continue,
            Ok(Some(WatchEvent::Error(status))) if status.code == 410 => return Next::Gone,
            Ok(Some(WatchEvent::Error(status))) => panic!("watch error event: {status:?}"),
            Ok(None) | Err(_) => return Next::Ended,
        }
    }
}

/// Reads exactly `n` changes from a live watch on `server`; anything else fails the test.
async fn read_changes(
    stream: &mut ChangeStream,
    n: usize,
    server: &Server,
    what: &str,
) -> Vec<Change> {
    let mut seen = Vec::with_capacity(n);
    while seen.len() < n {
        match next(stream).await {
            Next::Change(c) => seen.push(c),
            other => panic!(
                "{what}: {other:?} after {} of {n} events; seen {seen:#?}\n{}",
                seen.len(),
                tail(&server.log(), 30)
            ),
        }
    }
    seen
}

/// After the last expected event the watch must stay open and silent: a further change would
/// be a repeat or an invention.
async fn assert_quiet(stream: &mut ChangeStream, what: &str) {
    match next_within(stream, QUIET).await {
        Next::Silent => {}
        other => panic!("{what}: {other:?} after the last expected event"),
    }
}

/// One acknowledged write as a watcher must see it. A delete's answer is a Status without a
/// resourceVersion, so `rv` is None there; strictly increasing resourceVersions between its
/// acknowledged neighbours pin it instead (writes are sequential).
#[derive(Clone, Debug)]
struct Expected {
    kind: &'static str,
    name: String,
    seq: u64,
    rv: Option<u64>,
}

/// Sequential writes, each recorded as the event it must cause, plus the state they leave.
#[derive(Default)]
struct Writes {
    log: Vec<Expected>,
    /// Latest acknowledged state of every live object.
    objects: BTreeMap<String, DynamicObject>,
    seq: u64,
}

impl Writes {
    async fn create(&mut self, api: &Api<DynamicObject>, name: &str) {
        self.seq += 1;
        let o = bounded(
            "create",
            api.create(&PostParams::default(), &application(name, self.seq)),
        )
        .await
        .unwrap_or_else(|e| panic!("create {name}: {e}"));
        self.record("ADDED", o);
    }

    async fn update(&mut self, api: &Api<DynamicObject>, name: &str) {
        self.seq += 1;
        let prev = self.objects.get(name).expect("update of a live object");
        let o = bounded(
            "replace",
            api.replace(name, &PostParams::default(), &with_seq(prev, self.seq)),
        )
        .await
        .unwrap_or_else(|e| panic!("replace {name}: {e}"));
        self.record("MODIFIED", o);
    }

    async fn delete(&mut self, api: &Api<DynamicObject>, name: &str) {
        let last = self.objects.remove(name).expect("delete of a live object");
        bounded("delete", api.delete(name, &DeleteParams::default()))
            .await
            .unwrap_or_else(|e| panic!("delete {name}: {e}"));
        // The DELETED event carries the last state, hence its seq.
        self.log.push(Expected {
            kind: "DELETED",
            name: name.into(),
            seq: seq(&last),
            rv: None,
        });
    }

    fn record(&mut self, kind: &'static str, o: DynamicObject) {
        let c = Change::of(kind, &o);
        self.log.push(Expected {
            kind,
            name: c.name.clone(),
            seq: c.seq,
            rv: Some(c.rv),
        });
        self.objects.insert(c.name, o);
    }
}

/// `seen` is exactly `expected`: same length, each event the acknowledged write (type, name,
/// seq, resourceVersion), and resourceVersions strictly increasing (no repeat, no reordering).
fn assert_exact(seen: &[Change], expected: &[Expected], what: &str) {
    let matches = seen.len() == expected.len()
        && seen.iter().zip(expected).all(|(s, e)| {
            s.kind == e.kind
                && s.name == e.name
                && s.seq == e.seq
                && e.rv.is_none_or(|rv| rv == s.rv)
        });
    assert!(
        matches,
        "{what}: the watch differs from the acknowledged writes\nseen {seen:#?}\nexpected {expected:#?}"
    );
    for pair in seen.windows(2) {
        assert!(
            pair[0].rv < pair[1].rv,
            "{what}: resourceVersion not increasing: {:?} then {:?}",
            pair[0],
            pair[1]
        );
    }
}

/// A relist shows exactly the live objects, each at its last acknowledged resourceVersion and
/// seq (nothing missing, nothing deleted left over), at a resourceVersion not older than any
/// write.
async fn assert_relist(api: &Api<DynamicObject>, writes: &Writes, what: &str) -> u64 {
    let list = bounded("relist", api.list(&ListParams::default()))
        .await
        .unwrap_or_else(|e| panic!("{what}: relist: {e}"));
    let got: BTreeMap<String, (u64, u64)> = list
        .items
        .iter()
        .map(|o| (o.metadata.name.clone().unwrap_or_default(), (rv(o), seq(o))))
        .collect();
    let want: BTreeMap<String, (u64, u64)> = writes
        .objects
        .iter()
        .map(|(n, o)| (n.clone(), (rv(o), seq(o))))
        .collect();
    assert_eq!(
        got, want,
        "{what}: relist differs from the acknowledged state"
    );
    let at: u64 = list
        .metadata
        .resource_version
        .as_deref()
        .and_then(|r| r.parse().ok())
        .expect("numeric list resourceVersion");
    let newest = writes.log.iter().filter_map(|e| e.rv).max().unwrap_or(0);
    assert!(
        at >= newest,
        "{what}: relist at {at} is older than a write at {newest}"
    );
    at
}

async fn list_rv(api: &Api<DynamicObject>, what: &str) -> u64 {
    bounded(what, api.list(&ListParams::default()))
        .await
        .unwrap_or_else(|e| panic!("{what}: {e}"))
        .metadata
        .resource_version
        .expect("list resourceVersion")
        .parse()
        .expect("numeric resourceVersion")
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
        let start = list_rv(&api_b, "list on B").await;
        let Ok(mut stream) = watch(&api_b, start).await else {
            panic!("B refused a watch from its own list's resourceVersion");
        };

        // Mostly through A, every third write through B: the watch on B must interleave both.
        let mut w = Writes::default();
        for i in 0..12u64 {
            let via = if i % 3 == 2 { &api_b } else { &api_a };
            w.create(via, &format!("order-{i}")).await;
            if i > 0 {
                w.update(&api_a, &format!("order-{}", i - 1)).await;
            }
        }
        w.delete(&api_a, "order-0").await;

        let seen = read_changes(&mut stream, w.log.len(), &b, "watch on B").await;
        assert_exact(&seen, &w.log, "watch on B");
        assert_quiet(&mut stream, "watch on B").await;
    });
}

/// A client watching through replica B, which is killed mid-stream, resumes on replica A from
/// the last resourceVersion B sent it. A's cache started before the watch's start, so A must
/// serve the resume (a 410 here would be spurious), and B's stream followed by A's must be
/// every acknowledged write exactly once, in order: writes seen on B before the kill, writes
/// acknowledged just as B dies (B may or may not have sent them), writes while B is down, and
/// writes after the resume.
#[test]
fn a_watch_resumes_on_another_replica_after_its_replica_is_killed() {
    let cluster = EtcdCluster::start().expect("start a 3-member etcd cluster");
    let a = replica(&cluster, 0);
    let mut b = replica(&cluster, 1);
    let rt = runtime();
    rt.block_on(async {
        let (api_a, api_b) = (applications(&a).await, applications(&b).await);
        // A is ready, so its cache began before this consistent list on B.
        let start = list_rv(&api_b, "list on B").await;
        let Ok(mut on_b) = watch(&api_b, start).await else {
            panic!("B refused a watch from its own list's resourceVersion");
        };

        // Before the kill, through both replicas: creates, updates, a delete.
        let mut w = Writes::default();
        for i in 0..6 {
            let via = if i % 2 == 0 { &api_a } else { &api_b };
            w.create(via, &format!("resume-{i}")).await;
        }
        w.update(&api_b, "resume-0").await;
        w.update(&api_a, "resume-1").await;
        w.delete(&api_a, "resume-2").await;
        w.update(&api_b, "resume-0").await;
        let mut seen = read_changes(&mut on_b, w.log.len(), &b, "watch on B").await;
        assert_exact(&seen, &w.log, "watch on B before the kill");

        // Acknowledged as B dies: whether B sent them is a race, and either way is fine.
        w.update(&api_a, "resume-3").await;
        w.create(&api_a, "resume-6").await;
        b.kill();
        // What B sent before it died still counts (a prefix of the writes); then it must end.
        loop {
            match next(&mut on_b).await {
                Next::Change(c) => seen.push(c),
                Next::Ended => break,
                other => panic!("watch on killed B: {other:?} instead of its end"),
            }
        }
        assert!(
            seen.len() <= w.log.len(),
            "B sent more than was written: {seen:#?}"
        );
        assert_exact(&seen, &w.log[..seen.len()], "watch on B until the kill");
        let on_b_count = seen.len();
        let resume_from = seen.last().map(|c| c.rv).expect("B sent events");

        // While B is down, and before the client has come back.
        w.update(&api_a, "resume-0").await;
        w.delete(&api_a, "resume-1").await;
        w.create(&api_a, "resume-7").await;
        w.update(&api_a, "resume-3").await;

        let mut on_a = match watch(&api_a, resume_from).await {
            Ok(s) => s,
            Err(e) => panic!(
                "A answered {e:?} to a resume at {resume_from}, though its cache began before \
                 {start}\n{}",
                tail(&a.log(), 30)
            ),
        };
        // After the resume.
        w.create(&api_a, "resume-8").await;
        w.update(&api_a, "resume-7").await;
        w.delete(&api_a, "resume-0").await;
        w.update(&api_a, "resume-8").await;

        let rest = w.log.len() - on_b_count;
        seen.extend(read_changes(&mut on_a, rest, &a, "resumed watch on A").await);
        assert_exact(
            &seen,
            &w.log,
            &format!("B's {on_b_count} events, then A's resumed from {resume_from}"),
        );
        assert_quiet(&mut on_a, "resumed watch on A").await;
        eprintln!(
            "watch: {on_b_count} events from B, {rest} from A after resuming at {resume_from}"
        );
    });
}

/// A replica whose cache begins after the client's last resourceVersion cannot serve the
/// resume: it must answer 410 (not a partial history), and the client's relist must then show
/// every object at its last acknowledged state; a watch from the relist's resourceVersion then
/// follows on, as client-go's reflector does.
#[test]
fn a_resume_the_restarted_replica_cannot_serve_gets_410_and_a_full_relist() {
    let cluster = EtcdCluster::start().expect("start a 3-member etcd cluster");
    let mut b = replica(&cluster, 1);
    let rt = runtime();
    rt.block_on(async {
        let api_b = applications(&b).await;
        let start = list_rv(&api_b, "list on B").await;
        let Ok(mut on_b) = watch(&api_b, start).await else {
            panic!("B refused a watch from its own list's resourceVersion");
        };
        let mut w = Writes::default();
        for i in 0..4 {
            w.create(&api_b, &format!("gone-{i}")).await;
        }
        w.update(&api_b, "gone-1").await;
        w.delete(&api_b, "gone-2").await;
        // The client has handled only the first four when B dies; the rest are lost with the
        // connection, so its resourceVersion is older than writes B's next cache starts after.
        let seen = read_changes(&mut on_b, 4, &b, "watch on B").await;
        assert_exact(&seen, &w.log[..4], "watch on B before the restart");
        let resume_from = seen.last().map(|c| c.rv).expect("B sent events");
        drop(on_b);
        b.restart();
        let api_b = applications(&b).await;
        w.update(&api_b, "gone-0").await;
        w.delete(&api_b, "gone-1").await;
        w.create(&api_b, "gone-4").await;

        match watch(&api_b, resume_from).await {
            Err(Next::Gone) => {}
            Ok(mut s) => match next(&mut s).await {
                Next::Gone => {}
                other => panic!(
                    "restarted B served a resume at {resume_from}, before its cache began: \
                     {other:?}\n{}",
                    tail(&b.log(), 30)
                ),
            },
            Err(other) => panic!("restarted B: {other:?}"),
        }

        let at = assert_relist(&api_b, &w, "relist on restarted B").await;
        let Ok(mut again) = watch(&api_b, at).await else {
            panic!("restarted B refused a watch from its own relist's resourceVersion {at}");
        };
        let done = w.log.len();
        w.update(&api_b, "gone-3").await;
        w.delete(&api_b, "gone-4").await;
        let after = read_changes(&mut again, w.log.len() - done, &b, "watch after relist").await;
        assert_exact(&after, &w.log[done..], "watch from the relist");
        assert_quiet(&mut again, "watch after relist").await;
    });
}
