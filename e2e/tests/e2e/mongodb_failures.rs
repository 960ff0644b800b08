//! MongoDB failing under cart writes: its one process killed outright and restarted, or the
//! primary of a three-member replica set killed. Every write a client was told succeeded is in
//! its cart; writes meanwhile fail fast with `SERVICE_UNAVAILABLE`; readiness follows MongoDB;
//! no service exits; writes and reads resume by themselves.

use std::time::{Duration, Instant};

use e2e::{
    TestStack,
    cart_writes::{
        CATALOG_READ, FAIL_FAST, MONGODB_TIMEOUT, Write, WriteLoad,
        assert_acknowledged_writes_kept, assert_failed_fast, first_acknowledged_after,
    },
    error_codes, eventually, required_env, scratch_dir,
};
use serde_json::json;
use xtask::{
    mongo::{self, LocalMongo},
    process::{Output, free_port},
    roster::SUBGRAPHS,
};

/// What both drills assert once the load has stopped: no service exited, every acknowledged
/// write is kept, and every write failed since `fault` failed fast. Returns (acknowledged,
/// failed, failed since the fault, the longest of those).
async fn assert_survived(
    stack: &mut TestStack,
    clients: &[(String, Vec<Write>)],
    fault: Instant,
) -> (usize, usize, usize, Duration) {
    assert_eq!(
        stack.stack.exited(),
        Vec::<String>::new(),
        "no service exited"
    );
    let (acknowledged, failed) = assert_acknowledged_writes_kept(stack, clients).await;
    let (since_fault, longest) = assert_failed_fast(clients, fault, FAIL_FAST);
    (acknowledged, failed, since_fault, longest)
}

/// Whether every subgraph's `/ready` answers `status` (asked at once: each may take up to the
/// MongoDB timeout to say 503).
async fn every_subgraph_ready_is(stack: &TestStack, status: u16) -> bool {
    let answers = SUBGRAPHS.iter().map(|subgraph| {
        let url = format!("{}/ready", stack.stack.subgraph_url(subgraph.name));
        stack.client.get(url).send()
    });
    futures::future::join_all(answers)
        .await
        .into_iter()
        .all(|answer| answer.is_ok_and(|answer| answer.status().as_u16() == status))
}

fn mongod_binary() -> std::path::PathBuf {
    required_env("STOREFRONT_MONGOD").into()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_cart_writes_survive_mongodb_being_killed() {
    let data = scratch_dir().join(format!("mongodb-killed-{}", std::process::id()));
    let log = Output::File(scratch_dir().join("mongodb-killed.log"));
    let port = free_port().unwrap();
    let mongod = LocalMongo::start(&mongod_binary(), &data, port, &log)
        .await
        .expect("a MongoDB of this test's own");
    let mut stack = TestStack::start_alone("mongodb-killed", |options| {
        options.mongodb_uri = mongod.uri();
    })
    .await;

    let load = WriteLoad::start(&stack, "killed");
    assert!(load.acknowledges(50, Duration::from_secs(30)).await);

    mongod.service.kill().await;
    let killed = Instant::now();
    assert!(
        eventually(Duration::from_secs(10), async || {
            every_subgraph_ready_is(&stack, 503).await
        })
        .await,
        "every subgraph's /ready turns 503"
    );
    let unready_after = killed.elapsed();
    println!("/ready was 503 everywhere {unready_after:?} after the kill");
    assert!(
        unready_after < MONGODB_TIMEOUT + FAIL_FAST,
        "{unready_after:?}"
    );
    let catalog_read = stack.query(CATALOG_READ, json!({})).await;
    assert_eq!(error_codes(&catalog_read), ["SERVICE_UNAVAILABLE"]);
    // Writes keep being tried, and failing, while MongoDB is down.
    tokio::time::sleep(Duration::from_secs(3)).await;

    let mongod = LocalMongo::start(&mongod_binary(), &data, port, &log)
        .await
        .expect("MongoDB starts again on its data");
    let restarted = Instant::now();
    assert!(
        eventually(Duration::from_secs(30), async || {
            every_subgraph_ready_is(&stack, 200).await
        })
        .await,
        "every subgraph's /ready is 200 again"
    );
    println!(
        "/ready was 200 everywhere {:?} after the restart",
        restarted.elapsed()
    );
    assert!(
        load.acknowledges(50, Duration::from_secs(30)).await,
        "writes resume by themselves"
    );
    let clients = load.stop().await;

    let read = stack.query(CATALOG_READ, json!({})).await;
    assert!(
        read.get("errors").is_none(),
        "catalog reads resume: {read:#}"
    );
    let (acknowledged, failed, while_down, longest) =
        assert_survived(&mut stack, &clients, killed).await;
    assert!(
        while_down > 0,
        "some writes were tried while MongoDB was down"
    );
    println!(
        "{acknowledged} writes acknowledged and kept, {failed} failed ({while_down} after the kill, \
         each SERVICE_UNAVAILABLE, the longest in {longest:?})"
    );
    stack.stack.stop().await;
    mongod.service.stop(Duration::from_secs(10)).await;
    let _ = std::fs::remove_dir_all(&data);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_resume_on_a_new_primary_without_losing_acknowledged_ones() {
    let data = scratch_dir().join(format!("mongodb-failover-{}", std::process::id()));
    let log = Output::File(scratch_dir().join("mongodb-failover.log"));
    let mut members = Vec::new();
    for member in 0..3 {
        let port = free_port().unwrap();
        let dir = data.join(member.to_string());
        members.push(
            LocalMongo::start_member(&mongod_binary(), &dir, port, &log)
                .await
                .expect("a replica-set member"),
        );
    }
    mongo::initiate(&members, Duration::from_secs(60))
        .await
        .expect("a three-member replica set, member 0 primary");
    let uri = mongo::uri_of(&members);
    let mut stack = TestStack::start_alone("mongodb-failover", |options| {
        options.mongodb_uri = uri;
    })
    .await;

    let load = WriteLoad::start(&stack, "failover");
    assert!(load.acknowledges(50, Duration::from_secs(30)).await);

    let primary = members.remove(0);
    primary.service.kill().await;
    let killed = Instant::now();
    assert!(
        load.acknowledges(50, Duration::from_secs(60)).await,
        "writes resume on a new primary"
    );
    let clients = load.stop().await;

    let resumed = first_acknowledged_after(&clients, killed);
    assert!(
        resumed < Duration::from_secs(30),
        "writes resumed {resumed:?} after the primary was killed"
    );
    let (acknowledged, failed, during_election, longest) =
        assert_survived(&mut stack, &clients, killed).await;
    println!(
        "primary killed: writes resumed after {resumed:?} (election); {acknowledged} writes \
         acknowledged and kept, {failed} failed ({during_election} during the election, each \
         SERVICE_UNAVAILABLE, the longest in {longest:?}; MongoDB timeout {MONGODB_TIMEOUT:?})"
    );
    stack.stack.stop().await;
    // Thrown away with their data: killed at once, not each waiting out its quiesce period.
    futures::future::join_all(members.into_iter().map(|member| member.service.kill())).await;
    let _ = std::fs::remove_dir_all(&data);
}
