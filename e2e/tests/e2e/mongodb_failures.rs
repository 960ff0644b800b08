//! MongoDB failing under cart writes: its one process killed outright and restarted, or the
//! primary of a three-member replica set killed. Every write a client was told succeeded is in
//! its cart; writes meanwhile fail fast with `SERVICE_UNAVAILABLE`; readiness follows MongoDB;
//! no service exits; writes and reads resume by themselves.

use std::{
    collections::HashMap,
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use e2e::{TestStack, error_codes, eventually, required_env, scratch_dir, token};
use serde_json::{Value, json};
use xtask::{
    mongo::{self, LocalMongo},
    process::{Output, free_port},
    roster::SUBGRAPHS,
};

/// Clients writing at once, each to its own cart.
const USERS: usize = 12;
/// Products each client's writes cycle through (a cart holds at most 100).
const PRODUCTS: usize = 40;
/// The subgraphs' MongoDB timeout (their default): how long a write may wait for a primary.
const MONGODB_TIMEOUT: Duration = Duration::from_secs(2);
/// How long a failed write may take, all told: the timeout and the hops around it.
const FAIL_FAST: Duration = Duration::from_secs(3);

const ADD: &str = "mutation($id: ID!) { addToCart(productId: $id, quantity: 1) { id } }";
const CART: &str = "{ cart { lines { quantity product { id } } } }";
const CATALOG_READ: &str = r#"{ product(id: "prod-000001") { id name } }"#;

/// One write, as its client saw it.
struct Write {
    product: String,
    started: Instant,
    took: Duration,
    /// `None` when acknowledged; else the error codes the client got.
    failed: Option<Vec<String>>,
}

/// Clients adding to their carts, one write after another, until stopped.
struct WriteLoad {
    running: Arc<AtomicBool>,
    acknowledged: Arc<AtomicUsize>,
    clients: Vec<tokio::task::JoinHandle<(String, Vec<Write>)>>,
}

impl WriteLoad {
    fn start(stack: &TestStack, label: &str) -> Self {
        let running = Arc::new(AtomicBool::new(true));
        let acknowledged = Arc::new(AtomicUsize::new(0));
        // A client that gives up is told nothing; this one waits far past any timeout.
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .unwrap();
        let clients = (0..USERS)
            .map(|n| {
                let user = format!("{label}-user-{n}");
                let bearer = token(&user);
                let (running, acknowledged, client, url) = (
                    running.clone(),
                    acknowledged.clone(),
                    client.clone(),
                    stack.stack.router_url(),
                );
                tokio::spawn(async move {
                    let mut writes = Vec::new();
                    while running.load(Ordering::SeqCst) {
                        let product = format!("prod-{:06}", writes.len() % PRODUCTS + 1);
                        let started = Instant::now();
                        let body = json!({ "query": ADD, "variables": { "id": product } });
                        let answer = client
                            .post(&url)
                            .bearer_auth(&bearer)
                            .json(&body)
                            .send()
                            .await;
                        let response: Value = match answer {
                            Ok(answer) => answer.json().await.unwrap_or(Value::Null),
                            Err(err) => json!({ "errors": [{ "message": err.to_string() }] }),
                        };
                        let acknowledged_write = response["data"]["addToCart"]["id"].is_string()
                            && response.get("errors").is_none();
                        if acknowledged_write {
                            acknowledged.fetch_add(1, Ordering::SeqCst);
                        }
                        writes.push(Write {
                            product,
                            started,
                            took: started.elapsed(),
                            failed: (!acknowledged_write).then(|| error_codes(&response)),
                        });
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                    (user, writes)
                })
            })
            .collect();
        Self {
            running,
            acknowledged,
            clients,
        }
    }

    /// Waits until `more` writes beyond those acknowledged so far are acknowledged.
    async fn acknowledges(&self, more: usize, limit: Duration) -> bool {
        let target = self.acknowledged.load(Ordering::SeqCst) + more;
        eventually(limit, async || {
            self.acknowledged.load(Ordering::SeqCst) >= target
        })
        .await
    }

    async fn stop(self) -> Vec<(String, Vec<Write>)> {
        self.running.store(false, Ordering::SeqCst);
        let mut clients = Vec::new();
        for client in self.clients {
            clients.push(client.await.expect("a client's task"));
        }
        clients
    }
}

/// Every acknowledged write is in its client's cart (and nothing that was never tried is):
/// per product, acknowledged ≤ stored quantity ≤ attempted. Returns (acknowledged, failed).
async fn assert_acknowledged_writes_kept(
    stack: &TestStack,
    clients: &[(String, Vec<Write>)],
) -> (usize, usize) {
    let (mut acknowledged, mut failed) = (0, 0);
    for (user, writes) in clients {
        let response = stack.query_as(Some(&token(user)), CART, json!({})).await;
        let stored: HashMap<String, i64> = response["data"]["cart"]["lines"]
            .as_array()
            .unwrap_or_else(|| panic!("{user}'s cart: {response:#}"))
            .iter()
            .map(|line| {
                let id = line["product"]["id"].as_str().unwrap().to_owned();
                (id, line["quantity"].as_i64().unwrap())
            })
            .collect();
        let mut told: HashMap<&str, (i64, i64)> = HashMap::new();
        for write in writes {
            let (ok, tried) = told.entry(&write.product).or_default();
            *tried += 1;
            if write.failed.is_none() {
                *ok += 1;
                acknowledged += 1;
            } else {
                failed += 1;
            }
        }
        for (product, (ok, tried)) in told {
            let kept = stored.get(product).copied().unwrap_or(0);
            assert!(
                ok <= kept && kept <= tried,
                "{user}: {ok} acknowledged adds of {product}, {tried} tried, {kept} stored"
            );
        }
    }
    (acknowledged, failed)
}

/// The failed writes (started at or after `since`): each with `SERVICE_UNAVAILABLE` and
/// within [`FAIL_FAST`]. Returns how many, and the longest.
fn assert_failed_fast(clients: &[(String, Vec<Write>)], since: Instant) -> (usize, Duration) {
    let mut longest = Duration::ZERO;
    let mut count = 0;
    for write in clients.iter().flat_map(|(_, writes)| writes) {
        let Some(codes) = &write.failed else { continue };
        if write.started < since {
            continue;
        }
        assert!(
            codes.iter().any(|code| code == "SERVICE_UNAVAILABLE"),
            "a write failed with {codes:?}, not SERVICE_UNAVAILABLE"
        );
        assert!(
            write.took <= FAIL_FAST,
            "a write failed only after {:?}",
            write.took
        );
        longest = longest.max(write.took);
        count += 1;
    }
    (count, longest)
}

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
    let (since_fault, longest) = assert_failed_fast(clients, fault);
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
    let ports: Vec<u16> = members.iter().map(|member| member.port).collect();
    let mut stack = TestStack::start_alone("mongodb-failover", |options| {
        options.mongodb_uri = mongo::uri_for(&ports);
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

    let resumed = clients
        .iter()
        .flat_map(|(_, writes)| writes)
        .filter(|write| write.started >= killed && write.failed.is_none())
        .map(|write| write.started + write.took - killed)
        .min()
        .expect("a write acknowledged after the kill");
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
    for member in members {
        member.service.stop(Duration::from_secs(10)).await;
    }
    let _ = std::fs::remove_dir_all(&data);
}
